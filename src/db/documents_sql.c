/*
 * documents_sql.c - statements about documents, images, the review of
 * patient uploads and the access record (see db_documents.h, sql/0028).
 * What a patient sees is said once, in DOC_VISIBLE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_documents.h"
#include "db_internal.h"
#include "str.h"

#define DOC_COLUMNS \
	"d.id, d.patient_id, p.first_name || ' ' || p.last_name, d.kind, " \
	"d.title, d.file_name, d.content_type, d.size, d.sha256, " \
	"d.thumb_sha256, d.width, d.height, d.shared, d.source, " \
	"d.uploaded_by, u.name, d.review_status, d.review_reason, " \
	"d.reviewed_by, r.name, " DB_TS("d.reviewed_at") ", " \
	DB_TS("d.created_at") ", " DB_TS("d.updated_at")
#define DOC_FROM \
	" FROM documents d " \
	"JOIN patients p ON p.clinic_id = d.clinic_id AND p.id = d.patient_id " \
	"LEFT JOIN staff u ON u.clinic_id = d.clinic_id AND u.id = d.uploaded_by " \
	"LEFT JOIN staff r ON r.clinic_id = d.clinic_id AND r.id = d.reviewed_by "
/* What the patient sees of a record of theirs: a shared one, or an upload
 * of their own that is (still) a document, in any review state. */
#define DOC_VISIBLE \
	"(d.shared OR (d.source = 'patient' AND d.kind = 'document'))"
/* Before the record $n of the clinic $1 in the newest-first order; a
 * vanished cursor compares as NULL and ends the list. */
#define DOC_BEFORE(n) \
	"($" #n "::uuid IS NULL OR (d.created_at, d.id) < " \
	"(SELECT q.created_at, q.id FROM documents q " \
	"WHERE q.clinic_id = $1 AND q.id = $" #n "::uuid)) "

enum stmt_id {
	STMT_LIST,
	STMT_GET,
	STMT_PORTAL_LIST,
	STMT_PORTAL_GET,
	STMT_CREATE,
	STMT_UPDATE,
	STMT_DELETE,
	STMT_REVIEW,
	STMT_REVIEWS_PENDING,
	STMT_REVIEWS_DONE,
	STMT_ACCESS_ADD,
	STMT_ACCESS_LIST,
	STMT_USAGE,
	STMT_NOTICE,
	STMT_SEED_DEMO,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_LIST] = { "documents_list",
	    "SELECT " DOC_COLUMNS DOC_FROM
	    "WHERE d.clinic_id = $1 AND d.patient_id = $2 "
	    "AND ($3::text IS NULL OR d.kind = $3) "
	    "AND ($4::text IS NULL OR d.source = $4) AND " DOC_BEFORE(5)
	    "ORDER BY d.created_at DESC, d.id DESC LIMIT $6", 6, true },
	[STMT_GET] = { "documents_get",
	    "SELECT " DOC_COLUMNS DOC_FROM
	    "WHERE d.clinic_id = $1 AND d.id = $2", 2, true },
	/* The signed-in patient's, who is the context's: it can go ahead
	 * with the session's statement (db_ahead()). */
	[STMT_PORTAL_LIST] = { "documents_portal_list",
	    "SELECT " DOC_COLUMNS DOC_FROM
	    "WHERE d.clinic_id = portal_current_clinic() "
	    "AND d.patient_id = portal_current_patient() AND d.kind = $1 "
	    "AND " DOC_VISIBLE " AND ($2::uuid IS NULL OR "
	    "(d.created_at, d.id) < (SELECT q.created_at, q.id FROM documents q "
	    "WHERE q.clinic_id = portal_current_clinic() AND q.id = $2::uuid)) "
	    "ORDER BY d.created_at DESC, d.id DESC LIMIT $3", 3, true },
	[STMT_PORTAL_GET] = { "documents_portal_get",
	    "SELECT " DOC_COLUMNS DOC_FROM
	    "WHERE d.clinic_id = $1 AND d.patient_id = $2 AND d.id = $3 "
	    "AND ($4::text IS NULL OR d.kind = $4) AND " DOC_VISIBLE, 4, true },
	[STMT_CREATE] = { "documents_create",
	    "INSERT INTO documents (clinic_id, patient_id, kind, title, "
	    "file_name, content_type, size, sha256, thumb_sha256, width, "
	    "height, source, uploaded_by, review_status) VALUES ($1, $2, $3, "
	    "$4, $5, $6, $7::bigint, $8, $9, $10::integer, $11::integer, $12, "
	    "$13::uuid, CASE WHEN $12 = 'patient' THEN 'pending' END) "
	    "RETURNING id", 13, false },
	[STMT_UPDATE] = { "documents_update",
	    "UPDATE documents SET title = coalesce($3, title), "
	    "shared = coalesce($4::boolean, shared), updated_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 RETURNING id", 4, false },
	[STMT_DELETE] = { "documents_delete",
	    "DELETE FROM documents WHERE clinic_id = $1 AND id = $2 "
	    "RETURNING id", 2, false },
	/* Only a pending upload: of two reviews at once, the second finds
	 * it decided (the row lock makes it wait and look again). */
	[STMT_REVIEW] = { "documents_review",
	    "UPDATE documents SET review_status = $3, review_reason = $4, "
	    "reviewed_by = $5::uuid, reviewed_at = now(), "
	    "kind = coalesce($6, kind), "
	    "thumb_sha256 = coalesce($7, thumb_sha256), "
	    "shared = ($3 = 'accepted'), updated_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 AND review_status = 'pending' "
	    "RETURNING id", 7, false },
	[STMT_REVIEWS_PENDING] = { "documents_reviews_pending",
	    "SELECT " DOC_COLUMNS DOC_FROM
	    "WHERE d.clinic_id = $1 AND d.review_status = 'pending' "
	    "AND ($2::uuid IS NULL OR (d.created_at, d.id) > "
	    "(SELECT q.created_at, q.id FROM documents q "
	    "WHERE q.clinic_id = $1 AND q.id = $2::uuid)) "
	    "ORDER BY d.created_at, d.id LIMIT $3", 3, true },
	[STMT_REVIEWS_DONE] = { "documents_reviews_done",
	    "SELECT " DOC_COLUMNS DOC_FROM
	    "WHERE d.clinic_id = $1 AND d.review_status = $2 AND "
	    DOC_BEFORE(3) "ORDER BY d.created_at DESC, d.id DESC LIMIT $4",
	    4, true },
	[STMT_ACCESS_ADD] = { "documents_access_add",
	    "INSERT INTO document_access (clinic_id, document_id, patient_id, "
	    "staff_id, api_key_id, action) VALUES ($1, $2, $3::uuid, $4::uuid, "
	    "$5::uuid, $6)", 6, false },
	/* The clinic's side is "staff", an API key's fetch too (DESIGN.md
	 * section 13 knows patients and staff; the key's id and name say
	 * which integration it was). */
	[STMT_ACCESS_LIST] = { "documents_access_list",
	    "SELECT a.id, " DB_TS("a.at") ", CASE WHEN a.patient_id IS NOT NULL "
	    "THEN 'patient' ELSE 'staff' END, coalesce(a.patient_id, a.staff_id, "
	    "a.api_key_id), coalesce(p.first_name || ' ' || p.last_name, "
	    "s.name, k.name), a.action FROM document_access a "
	    "LEFT JOIN patients p ON p.clinic_id = a.clinic_id "
	    "AND p.id = a.patient_id "
	    "LEFT JOIN staff s ON s.clinic_id = a.clinic_id AND s.id = a.staff_id "
	    "LEFT JOIN api_keys k ON k.clinic_id = a.clinic_id "
	    "AND k.id = a.api_key_id "
	    "WHERE a.clinic_id = $1 AND a.document_id = $2 "
	    "AND ($3::bigint IS NULL OR a.id < $3::bigint) "
	    "ORDER BY a.id DESC LIMIT $4", 4, true },
	[STMT_USAGE] = { "documents_usage",
	    "SELECT uploads, bytes FROM portal_upload_usage($1)", 1, false },
	[STMT_NOTICE] = { "documents_notice",
	    "SELECT skipped FROM portal_outbox_compose($1, $2::uuid, NULL, "
	    "NULL, NULL, '{}'::jsonb, $3, $4, $5::uuid)", 5, false },
	[STMT_SEED_DEMO] = { "documents_seed_demo",
	    "INSERT INTO documents (clinic_id, patient_id, kind, title, "
	    "file_name, content_type, size, sha256, thumb_sha256, width, "
	    "height, shared, source, uploaded_by) SELECT $1, pt.id, $2, $3, $4, "
	    "$5, $6::bigint, $7, $8, $9::integer, $10::integer, true, 'clinic', "
	    "(SELECT s.id FROM staff s WHERE s.clinic_id = $1 "
	    "AND s.role = 'owner' ORDER BY s.created_at LIMIT 1) "
	    "FROM patients pt WHERE pt.clinic_id = $1 AND pt.first_name = 'Ayşe' "
	    "AND pt.last_name = 'Yılmaz' LIMIT 1", 10, false },
};


static void
read_document(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_document *d = item;

	d->id = db_val(a, res, row, 0);
	d->patient_id = db_val(a, res, row, 1);
	d->patient_name = db_val(a, res, row, 2);
	d->kind = db_val(a, res, row, 3);
	d->title = db_val(a, res, row, 4);
	d->file_name = db_val(a, res, row, 5);
	d->content_type = db_val(a, res, row, 6);
	d->size = db_val_int(res, row, 7);
	d->sha256 = db_val(a, res, row, 8);
	d->thumb_sha256 = db_val(a, res, row, 9);
	d->width = (int)db_val_int(res, row, 10);
	d->height = (int)db_val_int(res, row, 11);
	d->shared = db_val_bool(res, row, 12);
	d->source = db_val(a, res, row, 13);
	d->uploaded_by_id = db_val(a, res, row, 14);
	d->uploaded_by_name = db_val(a, res, row, 15);
	d->review_status = db_val(a, res, row, 16);
	d->review_reason = db_val(a, res, row, 17);
	d->reviewed_by_id = db_val(a, res, row, 18);
	d->reviewed_by_name = db_val(a, res, row, 19);
	d->reviewed_at = db_val(a, res, row, 20);
	d->created_at = db_val(a, res, row, 21);
	d->updated_at = db_val(a, res, row, 22);
}

static void
read_access(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_document_access *x = item;

	x->id = db_val(a, res, row, 0);
	x->at = db_val(a, res, row, 1);
	x->by_kind = db_val(a, res, row, 2);
	x->by_id = db_val(a, res, row, 3);
	x->by_name = db_val(a, res, row, 4);
	x->action = db_val(a, res, row, 5);
}

/* The records a list statement answers, each read whole (a string that
 * could not be copied is ERR_NOMEM). */
static enum err
document_rows(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, struct db_document **out, int *count)
{
	void *rows = NULL;
	enum err err;

	err = db_rows_whole(db, a, stmt, params,
	    sizeof(**out), read_document,
	    offsetof(struct db_document, updated_at), &rows, count);
	*out = rows;
	return err;
}

/* One record; ERR_NOT_FOUND without a row. */
static enum err
document_row(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, struct db_document *out)
{
	enum err err = db_row(db, a, stmt, params, read_document, out);

	if (err == ERR_OK && out->updated_at == NULL)
		err = ERR_NOMEM;
	return err;
}

enum err
db_documents_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const struct db_document_filter *f,
    struct db_document **out, int *count)
{
	char lim[16];
	const char *params[] = { clinic_id, patient_id, f->kind, f->source,
	    f->after_id, lim };

	snprintf(lim, sizeof(lim), "%d", f->limit);
	return document_rows(db, a, &stmts[STMT_LIST], params, out, count);
}

enum err
db_document_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_document *out)
{
	const char *params[] = { clinic_id, id };

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	return document_row(db, a, &stmts[STMT_GET], params, out);
}

/* The parameters of the patient's list, in the arena (they may be sent
 * ahead); NULL when out of memory. */
static const char *const *
portal_list_params(struct arena *a, const struct db_document_filter *f)
{
	const char **params = arena_calloc(a, 3, sizeof(*params));

	if (params == NULL ||
	    (params[2] = arena_printf(a, "%d", f->limit)) == NULL)
		return NULL;
	params[0] = f->kind;
	params[1] = f->after_id;
	return params;
}

void
db_portal_documents_ahead(struct db *db, struct arena *a,
    const struct db_document_filter *f)
{
	static const struct db_stmt *const one[] = {
	    &stmts[STMT_PORTAL_LIST] };
	const char *const *params = portal_list_params(a, f);
	const char *const **lists = arena_calloc(a, 1, sizeof(*lists));

	if (params != NULL && lists != NULL) {
		lists[0] = params;
		db_ahead(db, 1, one, lists);
	}
}

enum err
db_portal_documents(struct db *db, struct arena *a,
    const struct db_document_filter *f, struct db_document **out,
    int *count)
{
	const char *const *params = portal_list_params(a, f);

	if (params == NULL)
		return ERR_NOMEM;
	return document_rows(db, a, &stmts[STMT_PORTAL_LIST], params, out,
	    count);
}

enum err
db_portal_document_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *id, const char *kind,
    struct db_document *out)
{
	const char *params[] = { clinic_id, patient_id, id, kind };

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	return document_row(db, a, &stmts[STMT_PORTAL_GET], params, out);
}

enum err
db_document_create(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_document *in, struct db_document *out)
{
	char size[24], width[16], height[16];
	const char *params[] = { clinic_id, in->patient_id, in->kind,
	    in->title, in->file_name, in->content_type, size, in->sha256,
	    in->thumb_sha256, in->width > 0 ? width : NULL,
	    in->height > 0 ? height : NULL, in->source, in->uploaded_by_id };
	const char *id;
	enum err err;
	PGresult *res;

	snprintf(size, sizeof(size), "%lld", (long long)in->size);
	snprintf(width, sizeof(width), "%d", in->width);
	snprintf(height, sizeof(height), "%d", in->height);
	if ((res = db_exec_one(db, &stmts[STMT_CREATE], params, &err)) == NULL)
		return err;
	id = db_val(a, res, 0, 0);
	PQclear(res);
	if (id == NULL)
		return ERR_NOMEM;
	return db_document_get(db, a, clinic_id, id, out);
}

enum err
db_document_update(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *title, int shared, struct db_document *out)
{
	const char *params[] = { clinic_id, id, title,
	    shared < 0 ? NULL : shared ? "true" : "false" };
	enum err err;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	if ((err = db_run_one(db, &stmts[STMT_UPDATE], params)) != ERR_OK)
		return err;
	return db_document_get(db, a, clinic_id, id, out);
}

enum err
db_document_delete(struct db *db, const char *clinic_id, const char *id)
{
	const char *params[] = { clinic_id, id };

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	return db_run_one(db, &stmts[STMT_DELETE], params);
}

enum err
db_document_review(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *status, const char *reason,
    const char *kind, const char *thumb_sha256, const char *reviewer_id,
    struct db_document *out)
{
	const char *params[] = { clinic_id, id, status, reason, reviewer_id,
	    kind, thumb_sha256 };
	enum err err;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = db_run_one(db, &stmts[STMT_REVIEW], params);
	if (err == ERR_NOT_FOUND)
		/* It exists (the caller read it): decided meanwhile. */
		return ERR_CONFLICT;
	if (err != ERR_OK)
		return err;
	return db_document_get(db, a, clinic_id, id, out);
}

enum err
db_document_reviews(struct db *db, struct arena *a, const char *clinic_id,
    const char *status, const struct db_document_filter *f,
    struct db_document **out, int *count)
{
	char lim[16];
	const char *pending[] = { clinic_id, f->after_id, lim };
	const char *done[] = { clinic_id, status, f->after_id, lim };

	snprintf(lim, sizeof(lim), "%d", f->limit);
	if (strcmp(status, "pending") == 0)
		return document_rows(db, a, &stmts[STMT_REVIEWS_PENDING],
		    pending, out, count);
	return document_rows(db, a, &stmts[STMT_REVIEWS_DONE], done, out,
	    count);
}

enum err
db_document_access_add(struct db *db, const char *clinic_id,
    const char *document_id, enum db_access_by by, const char *by_id,
    const char *action)
{
	const char *params[] = { clinic_id, document_id,
	    by == ACCESS_PATIENT ? by_id : NULL,
	    by == ACCESS_STAFF ? by_id : NULL,
	    by == ACCESS_API_KEY ? by_id : NULL, action };

	return db_defer(db, &stmts[STMT_ACCESS_ADD], params);
}

enum err
db_document_access_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *document_id, const char *after_id, int limit,
    struct db_document_access **out, int *count)
{
	char lim[16];
	const char *params[] = { clinic_id, document_id, after_id, lim };
	void *rows = NULL;
	enum err err;

	snprintf(lim, sizeof(lim), "%d", limit);
	err = db_rows_whole(db, a, &stmts[STMT_ACCESS_LIST], params,
	    sizeof(**out), read_access,
	    offsetof(struct db_document_access, action), &rows, count);
	*out = rows;
	return err;
}

enum err
db_upload_usage(struct db *db, const char *patient_id, int64_t *uploads,
    int64_t *bytes)
{
	const char *params[] = { patient_id };
	enum err err;
	PGresult *res;

	if ((res = db_exec_one(db, &stmts[STMT_USAGE], params, &err)) == NULL)
		return err;
	*uploads = db_val_int(res, 0, 0);
	*bytes = db_val_int(res, 0, 1);
	PQclear(res);
	return ERR_OK;
}

enum err
db_document_notice(struct db *db, const char *purpose, const char *patient_id,
    const char *base_url, const char *by_type, const char *by_id)
{
	const char *params[] = { purpose, patient_id, base_url, by_type,
	    by_id };

	return db_defer(db, &stmts[STMT_NOTICE], params);
}

enum err
db_document_seed_demo(struct db *db, const char *clinic_id,
    const struct db_document *d)
{
	char size[24], width[16], height[16];
	const char *params[] = { clinic_id, d->kind, d->title, d->file_name,
	    d->content_type, size, d->sha256, d->thumb_sha256,
	    d->width > 0 ? width : NULL, d->height > 0 ? height : NULL };

	snprintf(size, sizeof(size), "%lld", (long long)d->size);
	snprintf(width, sizeof(width), "%d", d->width);
	snprintf(height, sizeof(height), "%d", d->height);
	return db_run(db, &stmts[STMT_SEED_DEMO], params);
}
