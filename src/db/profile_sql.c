/* profile_sql.c - a confirmed contact change's effects, and photos
 * (db_profile.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "db_profile.h"
#include "str.h"

enum stmt_id {
	STMT_CONTACT_REPLACED,
	STMT_OTHER_SESSIONS_END,
	STMT_PHOTO_SET,
	STMT_PHOTO_LOCK,
	STMT_PHOTO_USERS,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_CONTACT_REPLACED] = { "profile_contact_replaced",
	    "SELECT portal_contact_replaced($1, $2, $3, $4, $5)", 5, false },
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
db_contact_replaced(struct db *db, const char *patient_id,
    const char *channel, const char *replaced, const char *masked,
    const char *base_url)
{
	const char *params[] = { patient_id, channel, replaced, masked,
	    base_url };

	return db_run(db, &stmts[STMT_CONTACT_REPLACED], params);
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
