/*
 * request_sql.c - the request pipeline's one statement per request (see
 * db_request.h and sql/0012_request_pipeline.sql).
 *
 * The patient side keeps a copy of each portal's clinic and settings
 * columns, by the code and the settings' context_version (sql/0036): the
 * statement is told the clinic and version of the copy, checks in the
 * same round trip that they are current and the portal still open at this
 * code, and then reads only the session and the patient; otherwise it
 * answers every column and the version to keep. The portal checks are so
 * still decided by the database on every request.
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
	    "SELECT * FROM portal_request_patient($1, $2::bytea, $3::integer, "
	    "$4::uuid, $5::bigint)", 5, true },
};

/* Where each reader starts in the functions' rows. */
#define CLINIC_CALLER_CLINIC_COL 5
/* After the clinic's DB_CLINIC_COLUMNS (sql/0024). */
#define CLINIC_CALLER_ENROL_COL 17
#define PORTAL_CLINIC_COL 1
#define PATIENT_CLINIC_COL 2
/* After the patient's DB_PATIENT_COLUMNS (19): the version to keep, or
 * NULL when the copy sent was current (sql/0036). */
#define PATIENT_VERSION_COL (PATIENT_CLINIC_COL + DB_CLINIC_NCOLS + \
	DB_SETTINGS_NCOLS + 19)

/* Portals a worker keeps a copy of (a worker serves few clinics; past
 * that, the oldest copy makes room). */
#define PORTAL_COPIES__MAX 8
/* Longer than any portal code (3 to 40 characters). */
#define PORTAL_COPY_CODE_MAX 64

struct portal_copy {
	char code[PORTAL_COPY_CODE_MAX];	/* "" when the slot is free */
	char version[24];
	struct arena *arena;		/* the strings below */
	struct db_clinic clinic;
	struct db_portal_settings settings;
};

static struct portal_copy copies[PORTAL_COPIES__MAX];
static size_t copies_next;

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

/* The clinic's and settings' strings of from, copied into a; false when
 * a copy failed. */
static bool
portal_columns_copy(struct arena *a, const struct db_clinic *c,
    const struct db_portal_settings *s, struct db_clinic *oc,
    struct db_portal_settings *os)
{
	const char *const *from[] = { &c->id, &c->name, &c->default_language,
	    &c->public_url, &c->country, &c->time_zone, &c->currency,
	    &c->payment_provider, &s->code, &s->sms_template_id,
	    &s->email_template_id, &s->upload_reviewer_id };
	const char **to[] = { &oc->id, &oc->name, &oc->default_language,
	    &oc->public_url, &oc->country, &oc->time_zone, &oc->currency,
	    &oc->payment_provider, &os->code, &os->sms_template_id,
	    &os->email_template_id, &os->upload_reviewer_id };

	*oc = *c;
	*os = *s;
	for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++)
		if (*from[i] != NULL &&
		    (*to[i] = arena_strdup(a, *from[i])) == NULL)
			return false;
	return true;
}

static struct portal_copy *
copy_find(const char *code)
{
	for (size_t i = 0; i < PORTAL_COPIES__MAX; i++)
		if (copies[i].code[0] != '\0' &&
		    strcmp(copies[i].code, code) == 0)
			return &copies[i];
	return NULL;
}

/* Keeps (or replaces) the copy of the portal at code; a copy that cannot
 * be made is simply not kept. */
static void
copy_keep(const char *code, const char *version, const struct db_clinic *c,
    const struct db_portal_settings *s)
{
	struct portal_copy *k = copy_find(code);

	if (strlen(code) >= sizeof(k->code) || version == NULL ||
	    strlen(version) >= sizeof(k->version))
		return;
	if (k == NULL) {
		k = &copies[copies_next];
		copies_next = (copies_next + 1) % PORTAL_COPIES__MAX;
	}
	k->code[0] = '\0';
	arena_free(k->arena);
	if ((k->arena = arena_new(1024)) == NULL)
		return;
	if (!portal_columns_copy(k->arena, c, s, &k->clinic, &k->settings)) {
		arena_free(k->arena);
		k->arena = NULL;
		return;
	}
	strcpy(k->version, version);
	strcpy(k->code, code);
}

enum err
db_request_patient(struct db *db, struct arena *a, const char *code,
    const char *token_hash, long idle_s, struct db_portal_caller *out)
{
	struct portal_copy *copy = copy_find(code);
	char idle[24];
	const char *params[] = { code, token_hash, idle,
	    copy != NULL ? copy->clinic.id : NULL,
	    copy != NULL ? copy->version : NULL };
	const char *version = NULL;
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
		version = db_val(a, res, 0, PATIENT_VERSION_COL);
		if (version != NULL) {
			db_clinic_read(a, res, 0, col, &out->clinic);
			db_settings_read(a, res, 0, col + DB_CLINIC_NCOLS,
			    &out->settings);
		}
		col += DB_CLINIC_NCOLS + DB_SETTINGS_NCOLS;
		db_patient_read(a, res, 0, col, &out->patient);
	}
	PQclear(res);
	if (out->status != DB_PORTAL_OK)
		return ERR_OK;
	if (version != NULL) {
		/* Every column came: the copy sent (if any) was not current. */
		if (out->clinic.currency == NULL)
			return ERR_NOMEM;
		copy_keep(code, version, &out->clinic, &out->settings);
	} else if (copy == NULL) {
		return ERR_DB;	/* "yours is current", but nothing was sent */
	} else if (!portal_columns_copy(a, &copy->clinic, &copy->settings,
	    &out->clinic, &out->settings)) {
		return ERR_NOMEM;
	}
	if (out->patient.sort_key == NULL)
		return ERR_NOMEM;
	db_work_context_set(db, out->clinic.id, out->patient.id);
	return ERR_OK;
}
