/* profile_sql.c - contact changes and photos (db_profile.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "db_profile.h"
#include "str.h"

enum stmt_id {
	STMT_CHANGE_START,
	STMT_CHANGE_TRY,
	STMT_CHANGE_VERIFIED,
	STMT_OTHER_SESSIONS_END,
	STMT_PHOTO_SET,
	STMT_PHOTO_LOCK,
	STMT_PHOTO_USERS,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_CHANGE_START] = { "profile_change_start",
	    "SELECT portal_contact_change_start($1, $2, $3, $4, $5::bytea, $6, "
	    "$7::integer, $8::integer * interval '1 second', "
	    "$9::integer * interval '1 second', $10)", 10, false },
	[STMT_CHANGE_TRY] = { "profile_change_try",
	    "UPDATE patient_contact_challenges SET attempts = attempts + 1 "
	    "WHERE clinic_id = $1 AND patient_id = $2 AND id = $3 "
	    "AND attempts < $4::integer AND expires_at > now() "
	    "AND verified_at IS NULL "
	    "RETURNING code_hash, channel, new_contact, attempts", 4, false },
	[STMT_CHANGE_VERIFIED] = { "profile_change_verified",
	    "UPDATE patient_contact_challenges SET verified_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 AND verified_at IS NULL "
	    "RETURNING id", 2, false },
	[STMT_OTHER_SESSIONS_END] = { "profile_other_sessions_end",
	    "DELETE FROM patient_sessions WHERE clinic_id = $1 "
	    "AND patient_id = $2 AND token_hash <> $3::bytea", 3, false },
	[STMT_PHOTO_SET] = { "profile_photo_set",
	    "UPDATE patients SET photo_sha256 = $3, photo_type = $4, "
	    "photo_updated_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END, "
	    "updated_at = now() WHERE clinic_id = $1 AND id = $2 RETURNING id",
	    4, false },
	[STMT_PHOTO_LOCK] = { "profile_photo_lock",
	    "SELECT pg_advisory_xact_lock(hashtextextended('photo:' || $1 || ':' "
	    "|| $2, 0))", 2, false },
	[STMT_PHOTO_USERS] = { "profile_photo_users",
	    "SELECT count(*) FROM patients WHERE clinic_id = $1 "
	    "AND photo_sha256 = $2", 2, true },
};


enum err
db_contact_change_start(struct db *db, const struct db_contact_change *in,
    long *retry_after)
{
	char limit[24], window[24], lifetime[24];
	const char *params[] = { in->challenge_id, in->patient_id, in->channel,
	    in->contact, in->code_hash, in->otp, limit, window, lifetime,
	    in->base_url };
	enum err err;
	PGresult *res;

	snprintf(limit, sizeof(limit), "%ld", in->limit);
	snprintf(window, sizeof(window), "%ld", in->window_s);
	snprintf(lifetime, sizeof(lifetime), "%ld", in->lifetime_s);
	res = db_exec(db, &stmts[STMT_CHANGE_START], params, &err);
	if (res == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return ERR_DB;
	}
	*retry_after = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return ERR_OK;
}

static void
read_challenge(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_contact_challenge *c = item;

	c->code_hash = db_val(a, res, row, 0);
	c->channel = db_val(a, res, row, 1);
	c->new_contact = db_val(a, res, row, 2);
	c->attempts = strtol(PQgetvalue(res, row, 3), NULL, 10);
}

enum err
db_contact_challenge_try(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, const char *id,
    long max_attempts, struct db_contact_challenge *out)
{
	const char *params[] = { clinic_id, patient_id, id,
	    arena_printf(a, "%ld", max_attempts) };
	enum err err;

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	if (params[3] == NULL)
		return ERR_NOMEM;
	err = db_row(db, a, &stmts[STMT_CHANGE_TRY], params, read_challenge, out);
	if (err == ERR_OK && (out->code_hash == NULL || out->new_contact == NULL ||
	    out->channel == NULL))
		err = ERR_NOMEM;
	return err;
}

enum err
db_contact_challenge_verified(struct db *db, const char *clinic_id,
    const char *id)
{
	const char *params[] = { clinic_id, id };

	return db_run_one(db, &stmts[STMT_CHANGE_VERIFIED], params);
}

enum err
db_patient_other_sessions_end(struct db *db, const char *clinic_id,
    const char *patient_id, const char *keep_token_hash)
{
	const char *params[] = { clinic_id, patient_id, keep_token_hash };

	return db_run(db, &stmts[STMT_OTHER_SESSIONS_END], params);
}

enum err
db_photo_set(struct db *db, const char *clinic_id, const char *patient_id,
    const char *sha256, const char *type)
{
	const char *params[] = { clinic_id, patient_id, sha256, type };

	return db_run_one(db, &stmts[STMT_PHOTO_SET], params);
}

enum err
db_photo_lock(struct db *db, const char *clinic_id, const char *sha256)
{
	const char *params[] = { clinic_id, sha256 };

	return db_run(db, &stmts[STMT_PHOTO_LOCK], params);
}

enum err
db_photo_users(struct db *db, const char *clinic_id, const char *sha256,
    long *count)
{
	const char *params[] = { clinic_id, sha256 };
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_PHOTO_USERS], params, &err);

	if (res == NULL)
		return err;
	*count = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return ERR_OK;
}
