/* signin_sql.c - patient sign-in and sessions (db_signin.h). */
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
	STMT_TRY,
	STMT_VERIFIED,
	STMT_SELECTION,
	STMT_PATIENTS,
	STMT_SESSION_CREATE,
	STMT_SIGNED_IN,
	STMT_SESSION_DELETE,
	STMT_SESSIONS_END,
	STMT_PURGE,
	STMT_SESSION_OPEN,
	STMT_CONTEXT,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_START] = { "signin_start",
	    "SELECT challenge_id, retry_after FROM portal_login_start($1, $2, $3, "
	    "$4::bytea, $5, $6, $7::integer, $8::integer, "
	    "$9::integer * interval '1 second', $10::integer * interval '1 second', "
	    "$11)", 11, false },
	[STMT_TRY] = { "signin_try",
	    "UPDATE patient_login_challenges SET attempts = attempts + 1 "
	    "WHERE clinic_id = $1 AND id = $2 AND attempts < $3::integer "
	    "AND expires_at > now() AND verified_at IS NULL "
	    "RETURNING code_hash, array_to_string(patient_ids, ','), attempts",
	    3, false },
	[STMT_VERIFIED] = { "signin_verified",
	    "UPDATE patient_login_challenges SET verified_at = now(), "
	    "selection_hash = $3::bytea WHERE clinic_id = $1 AND id = $2 "
	    "AND verified_at IS NULL RETURNING id", 3, false },
	[STMT_SELECTION] = { "signin_selection",
	    "UPDATE patient_login_challenges SET selected_at = now() "
	    "WHERE clinic_id = $1 AND selection_hash = $2::bytea "
	    "AND selected_at IS NULL AND expires_at > now() "
	    "RETURNING array_to_string(patient_ids, ',')", 2, false },
	[STMT_PATIENTS] = { "signin_patients",
	    "SELECT id, first_name, last_name FROM patients WHERE clinic_id = $1 "
	    "AND id = ANY (string_to_array($2, ',')::uuid[]) AND portal_access "
	    "AND (phone IS NOT NULL OR email IS NOT NULL) "
	    "ORDER BY created_at, id", 2, true },
	[STMT_SESSION_CREATE] = { "signin_session_create",
	    "INSERT INTO patient_sessions (token_hash, clinic_id, patient_id, "
	    "csrf_token, expires_at) VALUES ($3::bytea, $1, $2, $4, "
	    "now() + $5::integer * interval '1 second')", 5, false },
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
	[STMT_SESSION_OPEN] = { "signin_session_open",
	    "SELECT status, clinic_id, patient_id, csrf_token "
	    "FROM portal_session_open($1, $2::bytea, $3::integer)", 3, false },
	/* The columns of db_clinic_read(), db_settings_read() and
	 * db_patient_read(), side by side. */
	[STMT_CONTEXT] = { "signin_context",
	    "SELECT cl.*, st.*, pt.* FROM (" DB_CLINIC_SELECT ") cl, "
	    "(SELECT " DB_SETTINGS_COLUMNS " FROM portal_settings "
	    "WHERE clinic_id = $1) st, (SELECT " DB_PATIENT_COLUMNS
	    " FROM patients WHERE clinic_id = $1 AND id = $2) pt", 2, true },
};

static const char *
num(struct arena *a, long v)
{
	return arena_printf(a, "%ld", v);
}

enum err
db_login_start(struct db *db, const struct db_login_start *in,
    long *retry_after)
{
	char limits[4][24], lifetime[24];
	const char *params[11];
	enum err err;
	PGresult *res;

	snprintf(limits[0], sizeof(limits[0]), "%ld", in->contact_limit);
	snprintf(limits[1], sizeof(limits[1]), "%ld", in->addr_limit);
	snprintf(limits[2], sizeof(limits[2]), "%ld", in->window_s);
	snprintf(lifetime, sizeof(lifetime), "%ld", in->lifetime_s);
	params[0] = in->challenge_id;
	params[1] = in->channel;
	params[2] = in->contact;
	params[3] = in->code_hash;
	params[4] = in->otp;
	params[5] = in->client_addr;
	params[6] = limits[0];
	params[7] = limits[1];
	params[8] = limits[2];
	params[9] = lifetime;
	params[10] = in->base_url;
	res = db_exec(db, &stmts[STMT_START], params, &err);
	if (res == NULL)
		return err;
	*retry_after = PQntuples(res) == 1 ?
	    strtol(PQgetvalue(res, 0, 1), NULL, 10) : 0;
	if (PQntuples(res) != 1)
		err = ERR_DB;
	PQclear(res);
	return err;
}

static void
read_challenge(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_challenge *c = item;

	c->code_hash = db_val(a, res, row, 0);
	c->patient_ids = db_val(a, res, row, 1);
	c->attempts = strtol(PQgetvalue(res, row, 2), NULL, 10);
}

enum err
db_challenge_try(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, long max_attempts, struct db_challenge *out)
{
	const char *params[] = { clinic_id, id, num(a, max_attempts) };
	enum err err;

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	if (params[2] == NULL)
		return ERR_NOMEM;
	err = db_row(db, a, &stmts[STMT_TRY], params, read_challenge, out);
	if (err == ERR_OK && (out->code_hash == NULL || out->patient_ids == NULL))
		err = ERR_NOMEM;
	return err;
}


enum err
db_challenge_verified(struct db *db, const char *clinic_id, const char *id,
    const char *selection_hash)
{
	const char *params[] = { clinic_id, id, selection_hash };

	return db_run_one(db, &stmts[STMT_VERIFIED], params);
}

enum err
db_selection_take(struct db *db, struct arena *a, const char *clinic_id,
    const char *selection_hash, const char **patient_ids)
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
	*patient_ids = db_val(a, res, 0, 0);
	PQclear(res);
	return *patient_ids == NULL ? ERR_NOMEM : ERR_OK;
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
    long absolute_s)
{
	char absolute[24];
	const char *params[] = { clinic_id, patient_id, token_hash, csrf_token,
	    absolute };
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

enum err
db_portal_session_open(struct db *db, struct arena *a, const char *code,
    const char *token_hash, long idle_s, struct db_portal_session *out)
{
	char idle[24];
	const char *params[] = { code, token_hash, idle };
	const char *status;
	enum err err;
	PGresult *res;

	snprintf(idle, sizeof(idle), "%ld", idle_s);
	res = db_exec(db, &stmts[STMT_SESSION_OPEN], params, &err);
	if (res == NULL)
		return err;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return ERR_DB;
	}
	status = PQgetvalue(res, 0, 0);
	out->portal_open = strcmp(status, "no_portal") != 0;
	out->session = strcmp(status, "ok") == 0;
	out->clinic_id = db_val(a, res, 0, 1);
	out->patient_id = db_val(a, res, 0, 2);
	out->csrf_token = db_val(a, res, 0, 3);
	PQclear(res);
	if (out->session && (out->patient_id == NULL || out->csrf_token == NULL))
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
db_portal_context(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, struct db_clinic *clinic,
    struct db_portal_settings *settings, struct db_patient *patient)
{
	const char *params[] = { clinic_id, patient_id };
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_CONTEXT], params, &err);

	if (res == NULL)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ERR_NOT_FOUND;
	}
	db_clinic_read(a, res, 0, 0, clinic);
	db_settings_read(a, res, 0, DB_CLINIC_NCOLS, settings);
	db_patient_read(a, res, 0, DB_CLINIC_NCOLS + DB_SETTINGS_NCOLS, patient);
	PQclear(res);
	return clinic->name != NULL && patient->id != NULL ? ERR_OK : ERR_NOMEM;
}
