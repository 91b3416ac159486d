/*
 * forms_sql.c - statements about the clinic's forms, versions,
 * assignments, submissions and the starter forms (see db_forms.h,
 * sql/0031, sql/0033). The counts that must hold under races (active
 * forms, versions) are kept by the SQL functions portal_form_create(),
 * portal_form_publish() and portal_form_update(); this file calls them.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_forms.h"
#include "db_internal.h"
#include "str.h"

/* A form as lists show it, its current version joined (v). */
#define FORM_COLUMNS \
	"f.id, f.title_tr, f.title_en, f.status, f.available_to_all, " \
	"f.current_version, v.item_count, " \
	"(SELECT count(*) FROM form_assignments a WHERE a.clinic_id = " \
	"f.clinic_id AND a.form_id = f.id), " \
	"(SELECT count(*) FROM form_submissions s WHERE s.clinic_id = " \
	"f.clinic_id AND s.form_id = f.id), " \
	"(SELECT count(*) FROM form_submissions s WHERE s.clinic_id = " \
	"f.clinic_id AND s.form_id = f.id AND s.status = 'submitted'), " \
	"f.starter, " DB_TS("f.created_at") ", " DB_TS("f.updated_at")
#define FORM_FROM \
	" FROM forms f JOIN form_versions v ON v.form_id = f.id " \
	"AND v.version = f.current_version "
#define FORM_NCOLS 13

#define SUBMISSION_COLUMNS \
	"s.id, s.form_id, f.title_tr, f.title_en, s.version, s.patient_id, " \
	"p.first_name || ' ' || p.last_name, s.status, s.language, " \
	DB_TS("s.submitted_at") ", " DB_TS("s.reviewed_at") ", " \
	"s.reviewed_by, st.name"
#define SUBMISSION_FROM \
	" FROM form_submissions s " \
	"JOIN forms f ON f.clinic_id = s.clinic_id AND f.id = s.form_id " \
	"JOIN patients p ON p.clinic_id = s.clinic_id AND p.id = s.patient_id " \
	"LEFT JOIN staff st ON st.clinic_id = s.clinic_id " \
	"AND st.id = s.reviewed_by "
#define SUBMISSION_NCOLS 13

enum stmt_id {
	STMT_LIST,
	STMT_GET,
	STMT_CREATE,
	STMT_PUBLISH,
	STMT_UPDATE,
	STMT_VERSION,
	STMT_ASSIGN,
	STMT_ASSIGNMENTS,
	STMT_EXISTS,
	STMT_UNASSIGN,
	STMT_SUBMISSIONS,
	STMT_SUBMISSION,
	STMT_REVIEW,
	STMT_STARTERS,
	STMT_SEED_DEMO,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_LIST] = { "forms_list",
	    "SELECT " FORM_COLUMNS FORM_FROM
	    "WHERE f.clinic_id = $1 AND ($2::text IS NULL OR f.status = $2) "
	    "AND ($3::uuid IS NULL OR (f.updated_at, f.id) < "
	    "(SELECT q.updated_at, q.id FROM forms q WHERE q.clinic_id = $1 "
	    "AND q.id = $3::uuid)) AND ($5::uuid IS NULL OR EXISTS (SELECT 1 "
	    "FROM form_assignments a WHERE a.clinic_id = $1 AND a.form_id = f.id "
	    "AND a.patient_id = $5::uuid)) "
	    "ORDER BY f.updated_at DESC, f.id DESC LIMIT $4::integer", 5, true },
	/* The versions without their definitions, newest first. */
	[STMT_GET] = { "forms_get",
	    "SELECT " FORM_COLUMNS ", v.definition::text, "
	    "(SELECT json_agg(json_build_object('version', x.version, "
	    "'item_count', x.item_count, 'created_at', "
	    DB_TS("x.created_at") ", 'created_by', CASE WHEN st.id IS NULL "
	    "THEN NULL ELSE json_build_object('id', st.id, 'name', st.name) "
	    "END) ORDER BY x.version DESC)::text FROM form_versions x "
	    "LEFT JOIN staff st ON st.clinic_id = x.clinic_id "
	    "AND st.id = x.created_by WHERE x.clinic_id = f.clinic_id "
	    "AND x.form_id = f.id)" FORM_FROM
	    "WHERE f.clinic_id = $1 AND f.id = $2", 2, true },
	[STMT_CREATE] = { "forms_create",
	    "SELECT outcome, form_id FROM portal_form_create($1::jsonb, $2, $3, "
	    "$4::integer, $5, $6::uuid, $7::integer)", 7, false },
	[STMT_PUBLISH] = { "forms_publish",
	    "SELECT outcome, version FROM portal_form_publish($1::uuid, "
	    "$2::jsonb, $3, $4, $5::integer, $6::uuid, $7::integer)", 7, false },
	[STMT_UPDATE] = { "forms_update",
	    "SELECT portal_form_update($1::uuid, $2, $3::boolean, $4::integer)",
	    4, false },
	[STMT_VERSION] = { "forms_version",
	    "SELECT v.form_id, v.version, v.item_count, "
	    DB_TS("v.created_at") ", st.id, st.name, v.definition::text, "
	    "f.status = 'archived' FROM form_versions v "
	    "JOIN forms f ON f.clinic_id = v.clinic_id AND f.id = v.form_id "
	    "LEFT JOIN staff st ON st.clinic_id = v.clinic_id "
	    "AND st.id = v.created_by "
	    "WHERE v.clinic_id = $1 AND v.form_id = $2 AND v.version = "
	    "$3::integer", 3, true },
	[STMT_ASSIGN] = { "forms_assign",
	    "SELECT outcome, array_to_string(missing, ','), added, "
	    "assigned_count FROM portal_form_assign($1::uuid, $2::uuid[], "
	    "$3::uuid)", 3, false },
	/* state as the patient's list tells it: a draft first, then any
	 * submission. */
	[STMT_ASSIGNMENTS] = { "forms_assignments",
	    "SELECT a.patient_id, p.first_name || ' ' || p.last_name, "
	    DB_TS("a.assigned_at") ", CASE WHEN EXISTS (SELECT 1 FROM "
	    "form_drafts d WHERE d.form_id = a.form_id AND d.patient_id = "
	    "a.patient_id) THEN 'draft' WHEN l.submitted_at IS NOT NULL THEN "
	    "'submitted' ELSE 'not_started' END, " DB_TS("l.submitted_at") " "
	    "FROM form_assignments a "
	    "JOIN patients p ON p.clinic_id = a.clinic_id AND p.id = a.patient_id "
	    "LEFT JOIN LATERAL (SELECT max(s.submitted_at) AS submitted_at "
	    "FROM form_submissions s WHERE s.clinic_id = a.clinic_id AND "
	    "s.patient_id = a.patient_id AND s.form_id = a.form_id) l ON true "
	    "WHERE a.clinic_id = $1 AND a.form_id = $2 AND ($3::uuid IS NULL "
	    "OR (a.assigned_at, a.patient_id) < (SELECT q.assigned_at, "
	    "q.patient_id FROM form_assignments q WHERE q.clinic_id = $1 AND "
	    "q.form_id = $2 AND q.patient_id = $3::uuid)) "
	    "ORDER BY a.assigned_at DESC, a.patient_id DESC LIMIT $4::integer",
	    4, true },
	[STMT_EXISTS] = { "forms_exists",
	    "SELECT f.id FROM forms f WHERE f.clinic_id = $1 AND f.id = $2",
	    2, true },
	[STMT_UNASSIGN] = { "forms_unassign",
	    "DELETE FROM form_assignments WHERE clinic_id = $1 AND form_id = $2 "
	    "AND patient_id = $3 RETURNING patient_id", 3, false },
	[STMT_SUBMISSIONS] = { "forms_submissions",
	    "SELECT " SUBMISSION_COLUMNS SUBMISSION_FROM
	    "WHERE s.clinic_id = $1 AND ($2::uuid IS NULL OR s.form_id = $2) "
	    "AND ($3::uuid IS NULL OR s.patient_id = $3) AND ($4::text IS NULL "
	    "OR s.status = $4) AND ($5::uuid IS NULL OR (s.submitted_at, s.id) "
	    "< (SELECT q.submitted_at, q.id FROM form_submissions q WHERE "
	    "q.clinic_id = $1 AND q.id = $5::uuid)) "
	    "ORDER BY s.submitted_at DESC, s.id DESC LIMIT $6::integer", 6,
	    true },
	[STMT_SUBMISSION] = { "forms_submission",
	    "SELECT " SUBMISSION_COLUMNS ", s.answers::text, s.consents::text, "
	    "v.definition::text" SUBMISSION_FROM
	    "JOIN form_versions v ON v.form_id = s.form_id "
	    "AND v.version = s.version "
	    "WHERE s.clinic_id = $1 AND s.id = $2", 2, true },
	[STMT_REVIEW] = { "forms_review",
	    "UPDATE form_submissions SET status = 'reviewed', "
	    "reviewed_by = $3::uuid, reviewed_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 AND status = 'submitted' "
	    "RETURNING id", 3, false },
	[STMT_STARTERS] = { "forms_starters",
	    "SELECT key, definition::text FROM form_starters "
	    "ORDER BY position, key", 0, true },
	[STMT_SEED_DEMO] = { "forms_seed_demo",
	    "WITH o AS (SELECT s.id FROM staff s WHERE s.clinic_id = $1 "
	    "AND s.role = 'owner' ORDER BY s.created_at LIMIT 1), "
	    "f AS (INSERT INTO forms (clinic_id, title_tr, title_en, starter, "
	    "created_by) SELECT $1, $2, $3, $4, (SELECT id FROM o) "
	    "RETURNING id), "
	    "v AS (INSERT INTO form_versions (clinic_id, form_id, version, "
	    "definition, item_count, created_by) SELECT $1, f.id, 1, $5::jsonb, "
	    "$6::integer, (SELECT id FROM o) FROM f) "
	    "INSERT INTO form_assignments (clinic_id, form_id, patient_id, "
	    "assigned_by) SELECT $1, f.id, pt.id, (SELECT id FROM o) "
	    "FROM f, patients pt WHERE pt.clinic_id = $1 "
	    "AND pt.first_name = 'Ayşe' AND pt.last_name = 'Yılmaz'", 6, false },
};


static void
read_form(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_form *f = item;

	memset(f, 0, sizeof(*f));
	f->id = db_val(a, res, row, 0);
	f->title_tr = db_val(a, res, row, 1);
	f->title_en = db_val(a, res, row, 2);
	f->status = db_val(a, res, row, 3);
	f->available_to_all = db_val_bool(res, row, 4);
	f->current_version = db_val_int(res, row, 5);
	f->item_count = db_val_int(res, row, 6);
	f->assigned_count = db_val_int(res, row, 7);
	f->submission_count = db_val_int(res, row, 8);
	f->unreviewed_count = db_val_int(res, row, 9);
	f->starter = db_val(a, res, row, 10);
	f->created_at = db_val(a, res, row, 11);
	f->updated_at = db_val(a, res, row, 12);
}

static void
read_form_full(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_form *f = item;

	read_form(a, res, row, item);
	f->definition = db_val(a, res, row, FORM_NCOLS);
	f->versions = db_val(a, res, row, FORM_NCOLS + 1);
}

/* A whole number as a parameter, in the arena (it may be sent ahead). */
static const char *
int_param(struct arena *a, int n)
{
	return arena_printf(a, "%d", n);
}

enum err
db_forms_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *status, const char *patient_id, const char *after_id,
    int limit, struct db_form **out, int *count)
{
	const char *params[] = { clinic_id, status, after_id,
	    int_param(a, limit), patient_id };
	void *rows = NULL;
	enum err err;

	if (params[3] == NULL)
		return ERR_NOMEM;
	err = db_rows_whole(db, a, &stmts[STMT_LIST], params, sizeof(**out),
	    read_form, offsetof(struct db_form, updated_at), &rows, count);
	*out = rows;
	return err;
}

enum err
db_form_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_form *out)
{
	const char *params[] = { clinic_id, id };
	enum err err;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = db_row(db, a, &stmts[STMT_GET], params, read_form_full, out);
	if (err == ERR_OK && (out->updated_at == NULL ||
	    out->definition == NULL || out->versions == NULL))
		err = ERR_NOMEM;
	return err;
}

/* The outcome column of a forms function as our error. */
static enum err
outcome_err(const char *outcome)
{
	if (strcmp(outcome, "ok") == 0)
		return ERR_OK;
	if (strcmp(outcome, "full") == 0)
		return ERR_CONFLICT;
	if (strcmp(outcome, "starter") == 0 || strcmp(outcome, "invalid") == 0)
		return ERR_INVALID;
	return ERR_NOT_FOUND;
}

enum err
db_form_create(struct db *db, struct arena *a, const char *definition,
    const char *title_tr, const char *title_en, int item_count,
    const char *starter, const char *staff_id, const char **id)
{
	char items[16], max[16];
	const char *params[] = { definition, title_tr, title_en, items,
	    starter, staff_id, max };
	enum err err;
	PGresult *res;

	snprintf(items, sizeof(items), "%d", item_count);
	snprintf(max, sizeof(max), "%d", FORM_ACTIVE_MAX);
	if ((res = db_exec_one(db, &stmts[STMT_CREATE], params, &err)) == NULL)
		return err;
	if ((err = outcome_err(PQgetvalue(res, 0, 0))) == ERR_OK &&
	    (*id = db_val(a, res, 0, 1)) == NULL)
		err = ERR_NOMEM;
	PQclear(res);
	return err;
}

enum err
db_form_publish(struct db *db, const char *id, const char *definition,
    const char *title_tr, const char *title_en, int item_count,
    const char *staff_id, int *version)
{
	char items[16], max[16];
	const char *params[] = { id, definition, title_tr, title_en, items,
	    staff_id, max };
	enum err err;
	PGresult *res;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	snprintf(items, sizeof(items), "%d", item_count);
	snprintf(max, sizeof(max), "%d", FORM_VERSIONS_MAX);
	if ((res = db_exec_one(db, &stmts[STMT_PUBLISH], params, &err)) ==
	    NULL)
		return err;
	if ((err = outcome_err(PQgetvalue(res, 0, 0))) == ERR_OK)
		*version = db_val_int(res, 0, 1);
	PQclear(res);
	return err;
}

enum err
db_form_update(struct db *db, const char *id, const char *status,
    const char *available_to_all)
{
	char max[16];
	const char *params[] = { id, status, available_to_all, max };
	enum err err;
	PGresult *res;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	snprintf(max, sizeof(max), "%d", FORM_ACTIVE_MAX);
	if ((res = db_exec_one(db, &stmts[STMT_UPDATE], params, &err)) == NULL)
		return err;
	err = outcome_err(PQgetvalue(res, 0, 0));
	PQclear(res);
	return err;
}

static void
read_version(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_form_version *v = item;

	v->form_id = db_val(a, res, row, 0);
	v->version = db_val_int(res, row, 1);
	v->item_count = db_val_int(res, row, 2);
	v->created_at = db_val(a, res, row, 3);
	v->created_by_id = db_val(a, res, row, 4);
	v->created_by_name = db_val(a, res, row, 5);
	v->definition = db_val(a, res, row, 6);
	v->archived = db_val_bool(res, row, 7);
}

enum err
db_form_version_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, int version, struct db_form_version *out)
{
	char n[16];
	const char *params[] = { clinic_id, id, n };
	enum err err;

	if (id == NULL || !str_is_uuid(id) || version < 1)
		return ERR_NOT_FOUND;
	snprintf(n, sizeof(n), "%d", version);
	err = db_row(db, a, &stmts[STMT_VERSION], params, read_version, out);
	if (err == ERR_OK && (out->definition == NULL ||
	    out->created_at == NULL))
		err = ERR_NOMEM;
	return err;
}

enum err
db_form_assign(struct db *db, struct arena *a, const char *id,
    const char *const *patient_ids, int n, const char *staff_id, int *added,
    int *assigned_count, int **missing, int *n_missing)
{
	const char *params[] = { id, NULL, staff_id };
	const char *list;
	char *ids, *p;
	enum err err;
	PGresult *res;

	*missing = NULL;
	*n_missing = 0;
	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	/* {uuid,uuid,...}: the ids are UUIDs (checked), 36 bytes each. */
	if ((ids = arena_alloc(a, (size_t)n * 37 + 3)) == NULL)
		return ERR_NOMEM;
	p = ids;
	*p++ = '{';
	for (int i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		memcpy(p, patient_ids[i], 36);
		p += 36;
	}
	*p++ = '}';
	*p = '\0';
	params[1] = ids;
	if ((res = db_exec_one(db, &stmts[STMT_ASSIGN], params, &err)) == NULL)
		return err;
	err = outcome_err(PQgetvalue(res, 0, 0));
	if (err == ERR_OK) {
		*added = db_val_int(res, 0, 2);
		*assigned_count = db_val_int(res, 0, 3);
	} else if (err == ERR_INVALID &&
	    (list = db_val(a, res, 0, 1)) != NULL) {
		int *at = arena_calloc(a, (size_t)n, sizeof(*at));

		if (at == NULL)
			err = ERR_NOMEM;
		for (const char *s = list; at != NULL && *s != '\0' &&
		    *n_missing < n;) {
			char *end;
			long pos = strtol(s, &end, 10);

			if (end == s)
				break;
			at[(*n_missing)++] = (int)pos;
			s = *end == ',' ? end + 1 : end;
		}
		*missing = at;
	}
	PQclear(res);
	return err;
}

static void
read_assignment(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_form_assignment *x = item;

	x->patient_id = db_val(a, res, row, 0);
	x->patient_name = db_val(a, res, row, 1);
	x->assigned_at = db_val(a, res, row, 2);
	x->submitted_at = db_val(a, res, row, 4);
	/* Last: never NULL, so a failed copy shows there (db_rows_whole()). */
	x->state = db_val(a, res, row, 3);
}

enum err
db_form_assignments(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *after_id, int limit,
    struct db_form_assignment **out, int *count)
{
	const char *exists[] = { clinic_id, id };
	const char *params[] = { clinic_id, id, after_id,
	    int_param(a, limit) };
	void *rows = NULL;
	enum err err;

	*out = NULL;
	*count = 0;
	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	if (params[3] == NULL)
		return ERR_NOMEM;
	if ((err = db_run_one(db, &stmts[STMT_EXISTS], exists)) != ERR_OK)
		return err;
	err = db_rows_whole(db, a, &stmts[STMT_ASSIGNMENTS], params,
	    sizeof(**out), read_assignment,
	    offsetof(struct db_form_assignment, state), &rows, count);
	*out = rows;
	return err;
}

enum err
db_form_unassign(struct db *db, const char *clinic_id, const char *id,
    const char *patient_id)
{
	const char *params[] = { clinic_id, id, patient_id };

	if (id == NULL || !str_is_uuid(id) || patient_id == NULL ||
	    !str_is_uuid(patient_id))
		return ERR_NOT_FOUND;
	return db_run_one(db, &stmts[STMT_UNASSIGN], params);
}

static void
read_submission(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_form_submission *s = item;

	memset(s, 0, sizeof(*s));
	s->id = db_val(a, res, row, 0);
	s->form_id = db_val(a, res, row, 1);
	s->form_title_tr = db_val(a, res, row, 2);
	s->form_title_en = db_val(a, res, row, 3);
	s->version = db_val_int(res, row, 4);
	s->patient_id = db_val(a, res, row, 5);
	s->patient_name = db_val(a, res, row, 6);
	s->status = db_val(a, res, row, 7);
	s->language = db_val(a, res, row, 8);
	s->reviewed_at = db_val(a, res, row, 10);
	s->reviewed_by_id = db_val(a, res, row, 11);
	s->reviewed_by_name = db_val(a, res, row, 12);
	/* Last: never NULL, so a failed copy shows there (db_rows_whole()). */
	s->submitted_at = db_val(a, res, row, 9);
}

static void
read_submission_full(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_form_submission *s = item;

	read_submission(a, res, row, item);
	s->answers = db_val(a, res, row, SUBMISSION_NCOLS);
	s->consents = db_val(a, res, row, SUBMISSION_NCOLS + 1);
	s->definition = db_val(a, res, row, SUBMISSION_NCOLS + 2);
}

enum err
db_form_submissions(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_submission_filter *f, struct db_form_submission **out,
    int *count)
{
	const char *params[] = { clinic_id, f->form_id, f->patient_id,
	    f->status, f->after_id, int_param(a, f->limit) };
	void *rows = NULL;
	enum err err;

	if (params[5] == NULL)
		return ERR_NOMEM;
	err = db_rows_whole(db, a, &stmts[STMT_SUBMISSIONS], params,
	    sizeof(**out), read_submission,
	    offsetof(struct db_form_submission, submitted_at), &rows, count);
	*out = rows;
	return err;
}

enum err
db_form_submission_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_form_submission *out)
{
	const char *params[] = { clinic_id, id };
	enum err err;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = db_row(db, a, &stmts[STMT_SUBMISSION], params,
	    read_submission_full, out);
	if (err == ERR_OK && (out->definition == NULL ||
	    out->answers == NULL || out->consents == NULL))
		err = ERR_NOMEM;
	return err;
}

enum err
db_form_submission_review(struct db *db, const char *clinic_id,
    const char *id, const char *staff_id)
{
	const char *params[] = { clinic_id, id, staff_id };

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	return db_run_one(db, &stmts[STMT_REVIEW], params);
}

static void
read_starter(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_form_starter *s = item;

	s->key = db_val(a, res, row, 0);
	s->definition = db_val(a, res, row, 1);
}

enum err
db_form_starters(struct db *db, struct arena *a, struct db_form_starter **out,
    int *count)
{
	void *rows = NULL;
	enum err err;

	err = db_rows_whole(db, a, &stmts[STMT_STARTERS], NULL, sizeof(**out),
	    read_starter, offsetof(struct db_form_starter, definition), &rows,
	    count);
	*out = rows;
	return err;
}

enum err
db_form_seed_demo(struct db *db, const char *clinic_id, const char *starter,
    const char *definition, const char *title_tr, const char *title_en,
    int item_count)
{
	char items[16];
	const char *params[] = { clinic_id, title_tr, title_en, starter,
	    definition, items };

	snprintf(items, sizeof(items), "%d", item_count);
	return db_run(db, &stmts[STMT_SEED_DEMO], params);
}
