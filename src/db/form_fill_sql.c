/*
 * form_fill_sql.c - statements of the patient's side of forms (see
 * db_form_fill.h, sql/0031 and sql/0034). The reads name the patient by
 * the context (portal_current_patient()), so that they can go ahead with
 * the session's statement; a submission's and a draft's rows are written
 * with the work's COMMIT, after portal_form_submit_begin() locked what
 * they rely on.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_form_fill.h"
#include "db_internal.h"
#include "str.h"

/* The forms the context's patient sees (f: forms): portal_form_open()'s
 * rule (sql/0034), written out so that the planner sees it. */
#define FORM_SEEN \
	"f.clinic_id = portal_current_clinic() AND f.status = 'active' " \
	"AND (f.available_to_all OR EXISTS (SELECT 1 FROM form_assignments a " \
	"WHERE a.form_id = f.id AND a.patient_id = portal_current_patient())) "
/* A form's columns for its patient, its draft d and last submission s. */
#define FORM_COLUMNS \
	"f.id, f.current_version, f.title_tr, f.title_en, " \
	"v.definition #>> '{description,tr}', " \
	"v.definition #>> '{description,en}', v.item_count, " \
	DB_TS("d.saved_at") ", " DB_TS("s.submitted_at")
/* Each form's current version by key (LATERAL ... LIMIT 1: no plan joins
 * the forms against a scan of every version). */
#define FORM_JOINS \
	"CROSS JOIN LATERAL (SELECT x.definition, x.item_count " \
	"FROM form_versions x WHERE x.form_id = f.id " \
	"AND x.version = f.current_version LIMIT 1) v " \
	"LEFT JOIN form_drafts d ON d.form_id = f.id " \
	"AND d.patient_id = portal_current_patient() " \
	"LEFT JOIN LATERAL (SELECT q.submitted_at FROM form_submissions q " \
	"WHERE q.clinic_id = f.clinic_id " \
	"AND q.patient_id = portal_current_patient() AND q.form_id = f.id " \
	"ORDER BY q.submitted_at DESC LIMIT 1) s ON true "

enum stmt_id {
	STMT_LIST,
	STMT_GET,
	STMT_OPEN,
	STMT_BEGIN,
	STMT_SUBMIT,
	STMT_DRAFT_PUT,
	STMT_DRAFT_DELETE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* Of the context's patient: it can go ahead (db_ahead()). */
	[STMT_LIST] = { "form_fill_list",
	    "SELECT " FORM_COLUMNS " FROM forms f " FORM_JOINS
	    "WHERE " FORM_SEEN
	    "ORDER BY (d.saved_at IS NULL AND s.submitted_at IS NOT NULL), "
	    "f.updated_at DESC, f.id DESC", 0, true },
	[STMT_GET] = { "form_fill_get",
	    "SELECT " FORM_COLUMNS ", v.definition::text, d.version, "
	    "d.answers::text FROM forms f " FORM_JOINS
	    "WHERE f.id = $1::uuid AND " FORM_SEEN, 1, true },
	/* The clinic's diagnostics: in the staff's context, the patient by
	 * parameter; sql/0034's rule, the one FORM_SEEN spells out. */
	[STMT_OPEN] = { "form_fill_open",
	    "SELECT portal_form_open(f.id, $1::uuid) FROM forms f "
	    "WHERE f.clinic_id = portal_current_clinic() AND f.id = $2::uuid",
	    2, true },
	[STMT_BEGIN] = { "form_fill_begin",
	    "SELECT current_version, definition, retry_after, at_text, at_iso "
	    "FROM portal_form_submit_begin($2::uuid, $1::uuid, $3::integer)",
	    3, false },
	[STMT_SUBMIT] = { "form_fill_submit",
	    "WITH gone AS (DELETE FROM form_drafts WHERE form_id = $3::uuid "
	    "AND patient_id = $2::uuid) "
	    "INSERT INTO form_submissions (id, clinic_id, form_id, version, "
	    "patient_id, answers, consents, language, submitted_at) "
	    "VALUES ($1::uuid, portal_current_clinic(), $3::uuid, $4::integer, "
	    "$2::uuid, $5::jsonb, $6::jsonb, $7, $8::timestamptz)", 8, false },
	[STMT_DRAFT_PUT] = { "form_fill_draft_put",
	    "INSERT INTO form_drafts (clinic_id, form_id, patient_id, version, "
	    "answers, saved_at) VALUES (portal_current_clinic(), $2::uuid, "
	    "$1::uuid, $3::integer, $4::jsonb, $5::timestamptz) "
	    "ON CONFLICT (form_id, patient_id) DO UPDATE SET "
	    "version = EXCLUDED.version, answers = EXCLUDED.answers, "
	    "saved_at = EXCLUDED.saved_at", 5, false },
	[STMT_DRAFT_DELETE] = { "form_fill_draft_delete",
	    "WITH seen AS (SELECT f.id FROM forms f WHERE f.id = $2::uuid AND "
	    FORM_SEEN "), gone AS (DELETE FROM form_drafts x USING seen "
	    "WHERE x.form_id = seen.id AND x.patient_id = $1::uuid) "
	    "SELECT id FROM seen", 2, false },
};


static void
read_form(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_patient_form *f = item;

	memset(f, 0, sizeof(*f));
	f->version = db_val_int(res, row, 1);
	f->title_tr = db_val(a, res, row, 2);
	f->title_en = db_val(a, res, row, 3);
	f->description_tr = db_val(a, res, row, 4);
	f->description_en = db_val(a, res, row, 5);
	f->item_count = db_val_int(res, row, 6);
	f->draft_saved_at = db_val(a, res, row, 7);
	f->submitted_at = db_val(a, res, row, 8);
	/* Read last: NULL tells a failed copy (db_rows_whole()). */
	f->id = db_val(a, res, row, 0);
}

static void
read_form_full(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_patient_form *f = item;

	read_form(a, res, row, item);
	f->definition = db_val(a, res, row, 9);
	f->draft_version = db_val_int(res, row, 10);
	f->draft_answers = db_val(a, res, row, 11);
}

void
db_patient_forms_ahead(struct db *db)
{
	static const char *const *const no_params[] = { NULL };
	const struct db_stmt *stmt = &stmts[STMT_LIST];

	db_ahead(db, 1, &stmt, no_params);
}

enum err
db_patient_forms(struct db *db, struct arena *a,
    struct db_patient_form **out, int *count)
{
	void *rows = NULL;
	enum err err;

	err = db_rows_whole(db, a, &stmts[STMT_LIST], NULL, sizeof(**out),
	    read_form, offsetof(struct db_patient_form, id), &rows, count);
	*out = rows;
	return err;
}

void
db_patient_form_get_ahead(struct db *db, struct arena *a, const char *id)
{
	static const struct db_stmt *const one[] = { &stmts[STMT_GET] };
	const char **params = arena_calloc(a, 1, sizeof(*params));
	const char *const **lists = arena_calloc(a, 1, sizeof(*lists));

	if (id == NULL || !str_is_uuid(id) || params == NULL || lists == NULL)
		return;
	/* The lists must live until the work ends: the arena's do. */
	params[0] = id;
	lists[0] = params;
	db_ahead(db, 1, one, lists);
}

enum err
db_patient_form_get(struct db *db, struct arena *a, const char *id,
    struct db_patient_form *out)
{
	const char *params[] = { id };
	enum err err;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = db_row(db, a, &stmts[STMT_GET], params, read_form_full, out);
	if (err == ERR_OK && (out->id == NULL || out->definition == NULL))
		err = ERR_NOMEM;
	return err;
}

enum err
db_form_open(struct db *db, const char *patient_id, const char *id,
    bool *open)
{
	const char *params[] = { patient_id, id };
	enum err err;
	PGresult *res;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	if ((res = db_exec_one(db, &stmts[STMT_OPEN], params, &err)) == NULL)
		return err;
	*open = db_val_bool(res, 0, 0);
	PQclear(res);
	return ERR_OK;
}

enum err
db_form_submit_begin(struct db *db, struct arena *a, const char *patient_id,
    const char *id, struct db_form_begin *out)
{
	char per_day[16];
	const char *params[] = { patient_id, id, per_day };
	enum err err;
	PGresult *res;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	snprintf(per_day, sizeof(per_day), "%d", FORM_SUBMISSIONS_PER_DAY);
	if ((res = db_exec_one(db, &stmts[STMT_BEGIN], params, &err)) == NULL)
		return err;
	out->version = db_val_int(res, 0, 0);
	out->definition = db_val(a, res, 0, 1);
	out->retry_after = db_val_int(res, 0, 2);
	out->at_text = db_val(a, res, 0, 3);
	out->at_iso = db_val(a, res, 0, 4);
	PQclear(res);
	if (out->definition == NULL || out->at_text == NULL ||
	    out->at_iso == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
db_form_submission_add(struct db *db, struct arena *a,
    const char *submission_id, const char *patient_id, const char *id,
    int version, const char *answers, const char *consents,
    const char *language, const char *at_text)
{
	const char **params = arena_calloc(a, 8, sizeof(*params));

	if (params == NULL ||
	    (params[3] = arena_printf(a, "%d", version)) == NULL)
		return ERR_NOMEM;
	params[0] = submission_id;
	params[1] = patient_id;
	params[2] = id;
	params[4] = answers;
	params[5] = consents;
	params[6] = language;
	params[7] = at_text;
	return db_defer(db, &stmts[STMT_SUBMIT], params);
}

enum err
db_form_draft_put(struct db *db, struct arena *a, const char *patient_id,
    const char *id, int version, const char *answers, const char *at_text)
{
	const char **params = arena_calloc(a, 5, sizeof(*params));

	if (params == NULL ||
	    (params[2] = arena_printf(a, "%d", version)) == NULL)
		return ERR_NOMEM;
	params[0] = patient_id;
	params[1] = id;
	params[3] = answers;
	params[4] = at_text;
	return db_defer(db, &stmts[STMT_DRAFT_PUT], params);
}

enum err
db_form_draft_delete(struct db *db, const char *patient_id, const char *id)
{
	const char *params[] = { patient_id, id };

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	return db_run_one(db, &stmts[STMT_DRAFT_DELETE], params);
}
