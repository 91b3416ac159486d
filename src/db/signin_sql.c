/*
 * signin_sql.c - one-time-code challenges of both kinds (sign-in and
 * contact change), choosing a profile, and patient sessions (db_signin.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_clinic.h"
#include "db_internal.h"
#include "db_patients.h"
#include "db_signin.h"
#include "str.h"

enum stmt_id {
	STMT_START,
	STMT_CHANGE_START,
	STMT_TRY,
	STMT_CHANGE_TRY,
	STMT_PASSED,
	STMT_CHANGE_PASSED,
	STMT_FAILED,
	STMT_SELECTION,
	STMT_PATIENTS,
	STMT_SESSION_CREATE,
	STMT_SIGNED_IN,
	STMT_SESSION_DELETE,
	STMT_SESSIONS_END,
	STMT_PURGE,
	STMT__MAX
};

/* The clinic's failed verifications of the last $4 seconds, counted up to
 * $5: the ledger key of db_challenge_failed(). */
#define RECENT_FAILURES \
	"(SELECT count(*) FROM (SELECT 1 FROM patient_login_starts " \
	"WHERE key = 'vf:' || $1 AND at > now() - $4::integer * " \
	"interval '1 second' LIMIT $5::integer) f)"

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_START] = { "signin_start",
	    "SELECT challenge_id, retry_after, false FROM portal_login_start($1, "
	    "$2, $3, $4::bytea, $5, $6, $7::integer, $8::integer, "
	    "$9::integer * interval '1 second', $10::integer * interval '1 second', "
	    "$11)", 11, false },
	[STMT_CHANGE_START] = { "signin_change_start",
	    "SELECT NULL, retry_after, old_code_sent FROM "
	    "portal_contact_change_start($1, $2, $3::bytea, $4, $5, $6::bytea, "
	    "$7, $8::bytea, $9, $10, $11::integer, $12::integer, "
	    "$13::integer * interval '1 second', $14::integer * interval '1 second', "
	    "$15)", 15, false },
	/* A try and the clinic's recent failures, side by side with a contact
	 * change's (read by read_challenge()); a sign-in answers the patients
	 * it may still sign in, as they are now. */
	[STMT_TRY] = { "signin_try",
	    "UPDATE patient_login_challenges c SET attempts = attempts + 1 "
	    "WHERE clinic_id = $1 AND id = $2 AND attempts < $3::integer "
	    "AND expires_at > now() AND verified_at IS NULL "
	    "RETURNING code_hash, NULL::bytea, attempts, channel, contact, "
	    "(SELECT coalesce(string_agg(p.id::text, ',' ORDER BY p.created_at, "
	    "p.id), '') FROM patients p WHERE p.clinic_id = c.clinic_id "
	    "AND p.id = ANY (c.patient_ids) AND p.portal_access "
	    "AND (p.phone IS NOT NULL OR p.email IS NOT NULL)), NULL, NULL, "
	    RECENT_FAILURES, 5, false },
	[STMT_CHANGE_TRY] = { "signin_change_try",
	    "UPDATE patient_contact_challenges SET attempts = attempts + 1 "
	    "WHERE clinic_id = $1 AND id = $2 AND attempts < $3::integer "
	    "AND expires_at > now() AND verified_at IS NULL AND patient_id = $6 "
	    "RETURNING code_hash, old_code_hash, attempts, channel, new_contact, "
	    "NULL, old_channel, old_contact, " RECENT_FAILURES, 6, false },
	[STMT_PASSED] = { "signin_passed",
	    "UPDATE patient_login_challenges SET verified_at = now(), "
	    "selection_hash = $3::bytea WHERE clinic_id = $1 AND id = $2 "
	    "AND verified_at IS NULL RETURNING id", 3, false },
	[STMT_CHANGE_PASSED] = { "signin_change_passed",
	    "UPDATE patient_contact_challenges SET verified_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 AND verified_at IS NULL "
	    "RETURNING id", 2, false },
	[STMT_FAILED] = { "signin_failed",
	    "INSERT INTO patient_login_starts (key) VALUES ('vf:' || $1)", 1,
	    false },
	[STMT_SELECTION] = { "signin_selection",
	    "UPDATE patient_login_challenges SET selected_at = now() "
	    "WHERE clinic_id = $1 AND selection_hash = $2::bytea "
	    "AND selected_at IS NULL AND expires_at > now() "
	    "RETURNING array_to_string(patient_ids, ','), channel, contact", 2,
	    false },
	[STMT_PATIENTS] = { "signin_patients",
	    "SELECT id, first_name, last_name FROM patients WHERE clinic_id = $1 "
	    "AND id = ANY (string_to_array($2, ',')::uuid[]) AND portal_access "
	    "AND (phone IS NOT NULL OR email IS NOT NULL) "
	    "ORDER BY created_at, id", 2, true },
	[STMT_SESSION_CREATE] = { "signin_session_create",
	    "INSERT INTO patient_sessions (token_hash, clinic_id, patient_id, "
	    "csrf_token, expires_at, signin_channel, signin_contact) "
	    "VALUES ($3::bytea, $1, $2, $4, "
	    "now() + $5::integer * interval '1 second', $6, $7)", 7, false },
	[STMT_SIGNED_IN] = { "signin_signed_in",
	    "UPDATE patients SET first_signed_in_at = coalesce(first_signed_in_at, "
	    "now()), last_signed_in_at = now() WHERE clinic_id = $1 AND id = $2",
	    2, false },
	[STMT_SESSION_DELETE] = { "signin_session_delete",
	    "DELETE FROM patient_sessions WHERE clinic_id = $1 "
	    "AND token_hash = $2::bytea", 2, false },
	[STMT_SESSIONS_END] = { "signin_sessions_end",
	    "DELETE FROM patient_sessions WHERE clinic_id = $1 "
	    "AND patient_id = $2", 2, false },
	[STMT_PURGE] = { "signin_purge",
	    "SELECT what, removed FROM portal_purge_sessions("
	    "$1::integer * interval '1 second', $2::integer * interval '1 second')",
	    2, false },
};

static const char *
num(struct arena *a, long v)
{
	return arena_printf(a, "%ld", v);
}

enum err
db_challenge_start(struct db *db, const struct db_challenge_new *in,
    long *retry_after, bool *old_code_sent)
{
	char n[5][24];
	const char *sign_in[] = { in->id, in->channel, in->contact,
	    in->code_hash, in->otp, in->addr_key, n[0], n[1], n[2], n[3],
	    in->base_url };
	const char *change[] = { in->id, in->patient_id, in->session_hash,
	    in->channel, in->contact, in->code_hash, in->otp, in->old_code_hash,
	    in->old_otp, in->addr_key, n[0], n[1], n[2], n[3], in->base_url };
	bool is_change = in->kind == DB_CHALLENGE_CONTACT_CHANGE;
	enum err err;
	PGresult *res;

	snprintf(n[0], sizeof(n[0]), "%ld", in->contact_limit);
	snprintf(n[1], sizeof(n[1]), "%ld", in->addr_limit);
	snprintf(n[2], sizeof(n[2]), "%ld", in->window_s);
	snprintf(n[3], sizeof(n[3]), "%ld", in->lifetime_s);
	res = db_exec(db, &stmts[is_change ? STMT_CHANGE_START : STMT_START],
	    is_change ? change : sign_in, &err);
	if (res == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return ERR_DB;
	}
	*retry_after = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	*old_code_sent = db_val_bool(res, 0, 2);
	PQclear(res);
	return ERR_OK;
}

static void
read_challenge(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_challenge *c = item;

	c->code_hash = db_val(a, res, row, 0);
	c->old_code_hash = db_val(a, res, row, 1);
	c->attempts = strtol(PQgetvalue(res, row, 2), NULL, 10);
	c->channel = db_val(a, res, row, 3);
	c->contact = db_val(a, res, row, 4);
	c->patient_ids = db_val(a, res, row, 5);
	c->old_channel = db_val(a, res, row, 6);
	c->old_contact = db_val(a, res, row, 7);
	c->recent_failures = strtol(PQgetvalue(res, row, 8), NULL, 10);
}

enum err
db_challenge_try(struct db *db, struct arena *a, enum db_challenge_kind kind,
    const char *clinic_id, const char *patient_id, const char *id,
    long max_attempts, long window_s, long cap, struct db_challenge *out)
{
	const char *params[] = { clinic_id, id, num(a, max_attempts),
	    num(a, window_s), num(a, cap), patient_id };
	bool is_change = kind == DB_CHALLENGE_CONTACT_CHANGE;
	enum err err;

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	if (params[2] == NULL || params[3] == NULL || params[4] == NULL)
		return ERR_NOMEM;
	err = db_row(db, a, &stmts[is_change ? STMT_CHANGE_TRY : STMT_TRY],
	    params, read_challenge, out);
	if (err == ERR_OK && (out->code_hash == NULL || out->channel == NULL ||
	    (is_change ? out->contact == NULL : out->patient_ids == NULL)))
		err = ERR_NOMEM;
	return err;
}

enum err
db_challenge_passed(struct db *db, enum db_challenge_kind kind,
    const char *clinic_id, const char *id, const char *selection_hash)
{
	const char *params[] = { clinic_id, id, selection_hash };

	return db_run_one(db, &stmts[kind == DB_CHALLENGE_CONTACT_CHANGE ?
	    STMT_CHANGE_PASSED : STMT_PASSED], params);
}

enum err
db_challenge_failed(struct db *db, const char *clinic_id)
{
	const char *params[] = { clinic_id };

	return db_run(db, &stmts[STMT_FAILED], params);
}

enum err
db_selection_take(struct db *db, struct arena *a, const char *clinic_id,
    const char *selection_hash, struct db_selection *out)
{
	const char *params[] = { clinic_id, selection_hash };
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_SELECTION], params, &err);

	if (res == NULL)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ERR_NOT_FOUND;
	}
	out->patient_ids = db_val(a, res, 0, 0);
	out->channel = db_val(a, res, 0, 1);
	out->contact = db_val(a, res, 0, 2);
	PQclear(res);
	return out->patient_ids == NULL || out->channel == NULL ? ERR_NOMEM :
	    ERR_OK;
}

static void
read_patient(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_signin_patient *p = item;

	p->id = db_val(a, res, row, 0);
	p->first_name = db_val(a, res, row, 1);
	p->last_name = db_val(a, res, row, 2);
}

enum err
db_signin_patients(struct db *db, struct arena *a, const char *clinic_id,
    const char *ids, struct db_signin_patient **out, int *count)
{
	const char *params[] = { clinic_id, ids };
	void *rows;
	enum err err;

	if (*ids == '\0') {
		*out = NULL;
		*count = 0;
		return ERR_OK;
	}
	err = db_rows(db, a, &stmts[STMT_PATIENTS], params, sizeof(**out),
	    read_patient, &rows, count);
	if (err == ERR_OK)
		*out = rows;
	return err;
}

enum err
db_patient_session_create(struct db *db, const char *clinic_id,
    const char *patient_id, const char *token_hash, const char *csrf_token,
    long absolute_s, const char *channel, const char *contact)
{
	char absolute[24];
	const char *params[] = { clinic_id, patient_id, token_hash, csrf_token,
	    absolute, channel, contact };
	enum err err;

	snprintf(absolute, sizeof(absolute), "%ld", absolute_s);
	if ((err = db_run(db, &stmts[STMT_SESSION_CREATE], params)) != ERR_OK)
		return err;
	return db_run_one(db, &stmts[STMT_SIGNED_IN], params);
}

enum err
db_patient_session_delete(struct db *db, const char *clinic_id,
    const char *token_hash)
{
	const char *params[] = { clinic_id, token_hash };

	return db_run(db, &stmts[STMT_SESSION_DELETE], params);
}

enum err
db_patient_sessions_end(struct db *db, const char *clinic_id,
    const char *patient_id)
{
	const char *params[] = { clinic_id, patient_id };

	return db_run(db, &stmts[STMT_SESSIONS_END], params);
}

enum err
db_purge_sessions(struct db *db, struct arena *a, long staff_idle_s,
    long patient_idle_s, const char **report)
{
	char staff[24], patient[24];
	const char *params[] = { staff, patient };
	const char *text = "";
	enum err err;
	PGresult *res;

	snprintf(staff, sizeof(staff), "%ld", staff_idle_s);
	snprintf(patient, sizeof(patient), "%ld", patient_idle_s);
	res = db_exec(db, &stmts[STMT_PURGE], params, &err);
	if (res == NULL)
		return err;
	for (int i = 0; i < PQntuples(res) && text != NULL; i++)
		text = arena_printf(a, "%s%s %s\n", text, PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1));
	PQclear(res);
	*report = text;
	return text == NULL ? ERR_NOMEM : ERR_OK;
}
