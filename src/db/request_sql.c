/*
 * request_sql.c - the request pipeline's one statement per request (see
 * db_request.h and sql/0012_request_pipeline.sql).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "arena.h"
#include "db_internal.h"
#include "db_request.h"

enum stmt_id {
	STMT_CLINIC,
	STMT_PORTAL,
	STMT_PATIENT,
	STMT__MAX
};

/* Idempotent in effect (they only mark a session used), so a statement
 * that met a restarted PostgreSQL is sent again on a fresh connection. */
static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_CLINIC] = { "request_clinic",
	    "SELECT * FROM portal_request_clinic($1, $2::bytea, $3::integer)",
	    3, true },
	[STMT_PORTAL] = { "request_portal",
	    "SELECT * FROM portal_request_portal($1)", 1, true },
	[STMT_PATIENT] = { "request_patient",
	    "SELECT * FROM portal_request_patient($1, $2::bytea, $3::integer)",
	    3, true },
};

/* Where each reader starts in the functions' rows. */
#define CLINIC_CALLER_CLINIC_COL 5
/* After the clinic's DB_CLINIC_COLUMNS (sql/0024). */
#define CLINIC_CALLER_ENROL_COL 17
#define PORTAL_CLINIC_COL 1
#define PATIENT_CLINIC_COL 2

static void
idle_text(char *buf, size_t size, long idle_s)
{
	snprintf(buf, size, "%ld", idle_s);
}

enum err
db_request_clinic(struct db *db, struct arena *a, bool is_key,
    const char *hash, long idle_s, struct db_clinic_caller *out)
{
	char idle[24];
	const char *params[] = { is_key ? "true" : "false", hash, idle };
	PGresult *res;
	enum err err;

	idle_text(idle, sizeof(idle), idle_s);
	memset(out, 0, sizeof(*out));
	if ((res = db_exec(db, &stmts[STMT_CLINIC], params, &err)) == NULL)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ERR_NOT_FOUND;
	}
	out->id = db_val(a, res, 0, 0);
	out->name = db_val(a, res, 0, 1);
	out->role = db_val(a, res, 0, 2);
	out->csrf_token = db_val(a, res, 0, 3);
	out->scopes = is_key ? db_scopes_parse(PQgetvalue(res, 0, 4)) : 0;
	db_clinic_read(a, res, 0, CLINIC_CALLER_CLINIC_COL, &out->clinic);
	out->totp_enrol = db_val_bool(res, 0, CLINIC_CALLER_ENROL_COL);
	PQclear(res);
	if (out->clinic.currency == NULL)
		return ERR_NOMEM;
	db_work_context_set(db, out->clinic.id, NULL);
	return ERR_OK;
}

static enum db_portal_status
status_parse(const char *s)
{
	if (strcmp(s, "ok") == 0)
		return DB_PORTAL_OK;
	if (strcmp(s, "no_session") == 0)
		return DB_PORTAL_NO_SESSION;
	return DB_PORTAL_CLOSED;
}

enum err
db_request_portal(struct db *db, struct arena *a, const char *code,
    struct db_portal_caller *out)
{
	const char *params[] = { code };
	PGresult *res;
	enum err err;

	memset(out, 0, sizeof(*out));
	if ((res = db_exec(db, &stmts[STMT_PORTAL], params, &err)) == NULL)
		return err;
	out->status = PQntuples(res) == 1 ?
	    status_parse(PQgetvalue(res, 0, 0)) : DB_PORTAL_CLOSED;
	if (out->status == DB_PORTAL_OK) {
		db_clinic_read(a, res, 0, PORTAL_CLINIC_COL, &out->clinic);
		db_settings_read(a, res, 0, PORTAL_CLINIC_COL + DB_CLINIC_NCOLS,
		    &out->settings);
	}
	PQclear(res);
	if (out->status == DB_PORTAL_OK) {
		if (out->clinic.currency == NULL)
			return ERR_NOMEM;
		db_work_context_set(db, out->clinic.id, NULL);
	}
	return ERR_OK;
}

enum err
db_request_patient(struct db *db, struct arena *a, const char *code,
    const char *token_hash, long idle_s, struct db_portal_caller *out)
{
	char idle[24];
	const char *params[] = { code, token_hash, idle };
	PGresult *res;
	enum err err;
	int col = PATIENT_CLINIC_COL;

	idle_text(idle, sizeof(idle), idle_s);
	memset(out, 0, sizeof(*out));
	if ((res = db_exec(db, &stmts[STMT_PATIENT], params, &err)) == NULL)
		return err;
	out->status = PQntuples(res) == 1 ?
	    status_parse(PQgetvalue(res, 0, 0)) : DB_PORTAL_CLOSED;
	if (out->status == DB_PORTAL_OK) {
		out->csrf_token = db_val(a, res, 0, 1);
		db_clinic_read(a, res, 0, col, &out->clinic);
		col += DB_CLINIC_NCOLS;
		db_settings_read(a, res, 0, col, &out->settings);
		col += DB_SETTINGS_NCOLS;
		db_patient_read(a, res, 0, col, &out->patient);
	}
	PQclear(res);
	if (out->status == DB_PORTAL_OK) {
		if (out->patient.sort_key == NULL || out->clinic.currency == NULL)
			return ERR_NOMEM;
		db_work_context_set(db, out->clinic.id, out->patient.id);
	}
	return ERR_OK;
}
