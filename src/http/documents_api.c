/*
 * documents_api.c - documents and images shared with a patient, the
 * patient's own uploads and their review, and who opened which file when
 * (DESIGN.md section 13).
 *
 * Clinic side: staff and keys upload a file to a patient (unshared),
 * list, rename, share and unshare, delete (the audit keeps the record),
 * and fetch it (recorded as a staff view or download); the settings'
 * upload reviewer, owners and admins work the review queue. Patient side:
 * the signed-in patient lists and opens what is shared with them and
 * their own uploads (view_documents, download_documents, view_images) and
 * uploads (upload_documents, within a quota). A file the patient does not
 * see answers 404 like an unknown id, on every route.
 *
 * An upload's bytes say what it is (file_check(): 415 for a type not
 * allowed, 422 unsafe_content for a broken or active one); what passes is
 * stored by its SHA-256 (filestore_put()) before the record is written,
 * and served by nginx from /_files/ once the API has said yes
 * (resp_file()). A record's bytes stay when it is deleted: `portalctl
 * gc-files` removes what nothing refers to.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "db.h"
#include "db_clinic.h"
#include "db_documents.h"
#include "db_patients.h"
#include "filecheck.h"
#include "filestore.h"
#include "http.h"
#include "json_util.h"
#include "portal_http.h"
#include "problem.h"
#include "response.h"
#include "routes.h"
#include "str.h"
#include "valid.h"

static const char *const kinds[] = { "document", "image", NULL };
static const char *const sources[] = { "clinic", "patient", NULL };
static const char *const review_states[] = { "pending", "accepted",
    "rejected", NULL };
static const char *const decisions[] = { "accepted", "rejected", NULL };
/* ?download= of a staff fetch: "1" or "true" for an attachment. */
static const char *const download_values[] = { "1", "0", "true", "false",
    NULL };

/* Which side a record is shown to: the patient sees neither who uploaded
 * it nor their own name, nor the stored file's measures. */
enum side { CLINIC_SIDE, PATIENT_SIDE };

static struct json_object *
staff_ref_json(const char *id, const char *name)
{
	struct json_object *o;

	if (id == NULL || (o = json_object_new_object()) == NULL)
		return NULL;
	json_add_string(o, "id", id);
	json_add_string(o, "name", name);
	return o;
}

static struct json_object *
document_json(const struct db_document *d, enum side side)
{
	struct json_object *o = json_object_new_object(), *review = NULL;

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", d->id);
	if (side == CLINIC_SIDE) {
		json_add_string(o, "patient_id", d->patient_id);
		json_add_string(o, "patient_name", d->patient_name);
	}
	json_add_string(o, "kind", d->kind);
	json_add_string(o, "title", d->title);
	json_add_string(o, "file_name", d->file_name);
	json_add_string(o, "content_type", d->content_type);
	json_add_int(o, "size", d->size);
	json_add_bool(o, "shared", d->shared);
	json_add_string(o, "source", d->source);
	if (d->review_status != NULL &&
	    (review = json_object_new_object()) != NULL) {
		json_add_string(review, "status", d->review_status);
		json_add_string(review, "reason", d->review_reason);
		json_add(review, "reviewed_by", staff_ref_json(d->reviewed_by_id,
		    d->reviewed_by_name));
		json_add_string(review, "reviewed_at", d->reviewed_at);
	}
	json_add(o, "review", review);
	json_add_string(o, "created_at", d->created_at);
	json_add_bool(o, "thumbnail", d->thumb_sha256 != NULL);
	if (side == CLINIC_SIDE) {
		json_add(o, "uploaded_by", staff_ref_json(d->uploaded_by_id,
		    d->uploaded_by_name));
		if (d->width > 0)
			json_add_int(o, "width", d->width);
		else
			json_add(o, "width", NULL);
		if (d->height > 0)
			json_add_int(o, "height", d->height);
		else
			json_add(o, "height", NULL);
	}
	return o;
}

static struct json_object *
document_item(const void *row, void *ctx)
{
	return document_json(row, *(const enum side *)ctx);
}

static const char *
document_cursor(const void *row)
{
	return ((const struct db_document *)row)->id;
}

static struct json_object *
access_item(const void *row, void *ctx)
{
	const struct db_document_access *x = row;
	struct json_object *o = json_object_new_object(), *by;

	(void)ctx;
	if (o == NULL)
		return NULL;
	json_add_string(o, "at", x->at);
	if ((by = json_object_new_object()) != NULL) {
		json_add_string(by, "kind", x->by_kind);
		json_add_string(by, "id", x->by_id);
		json_add_string(by, "name", x->by_name);
	}
	json_add(o, "by", by);
	json_add_string(o, "action", x->action);
	return o;
}

static const char *
access_cursor(const void *row)
{
	return ((const struct db_document_access *)row)->id;
}

/* An access list's cursor: the whole number of a row. */
static bool
access_cursor_ok(const char *cursor)
{
	size_t n = strlen(cursor);

	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++)
		if (cursor[i] < '0' || cursor[i] > '9')
			return false;
	return true;
}

/* Answers the list page of rows to side. */
static void
documents_send(struct request *req, struct db_document *rows, int n,
    int limit, enum side side)
{
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, limit,
	    document_item, &side, document_cursor));
}

/* Answers the stored file of d (its thumbnail when thumb) through nginx,
 * inline or as an attachment; 404 not_found when the bytes are missing. */
static void
file_send(struct request *req, const char *clinic_id,
    const struct db_document *d, bool thumb, enum resp_disposition disp)
{
	const char *sha = thumb ? d->thumb_sha256 : d->sha256, *rel;

	if (sha == NULL) {
		problem_send(req, "not_found", thumb ? "The file has no "
		    "thumbnail." : "No such document.");
		return;
	}
	if (!filestore_exists(req->arena, req->ctx->conf->files_dir, clinic_id,
	    sha)) {
		problem_send(req, "not_found", "The file is not stored.");
		return;
	}
	if ((rel = filestore_path(req->arena, clinic_id, sha)) == NULL) {
		problem_send(req, "unavailable", NULL);
		return;
	}
	resp_file(req, rel, thumb ? "image/jpeg" : d->content_type, disp,
	    thumb ? NULL : d->file_name);
}

/* The query of an upload both sides share: title (required) and
 * file_name (a name, no path). Problems are gathered for v_ok(). */
static void
upload_query(struct request *req, const char **title, const char **file_name)
{
	q_text(req, "title", V_LINE(DOCUMENT_TITLE_MAX), V_REQUIRED, title);
	if (q_text(req, "file_name", V_LINE(DOCUMENT_FILE_NAME_MAX), 0,
	    file_name) == V_SET && strpbrk(*file_name, "/\\") != NULL)
		v_problem_field(req, "file_name", "A file name cannot hold / "
		    "or \\.");
}

/* A file name for a record without one: the title and the type's
 * extension. */
static const char *
default_file_name(struct arena *a, const char *title, const char *type)
{
	const char *ext = strcmp(type, "application/pdf") == 0 ? "pdf" :
	    strcmp(type, "image/png") == 0 ? "png" :
	    strcmp(type, "image/webp") == 0 ? "webp" : "jpg";

	return arena_printf(a, "%s.%s", title, ext);
}

/*
 * Checks the request's body as a file of kind and stores it (and its
 * thumbnail: an image always has one, a document that is an image gets
 * one too, so that it can be accepted as an image). Answers the refusal
 * and returns false: 422 validation_failed (field "file") for an empty
 * body, 415 unsupported_media_type, 422 unsafe_content, 503. Nothing is
 * stored when it refuses.
 */
static bool
upload_check(struct request *req, enum file_kind kind,
    struct file_checked *fc)
{
	const struct conf *conf = req->ctx->conf;
	struct file_checked thumb;
	enum file_verdict v;

	if (req->body == NULL || req->body_len == 0) {
		v_problem_field(req, "file", "Send the file itself as the "
		    "request body.");
		v_ok(req);
		return false;
	}
	v = file_check(req->arena, req->body, req->body_len, kind,
	    req->content_type, conf->photo_max_pixels, fc);
	/* A document that is an image: its thumbnail from the clean bytes. */
	if (v == FILE_OK && fc->thumb == NULL &&
	    strcmp(fc->type, "application/pdf") != 0) {
		v = file_check(req->arena, fc->data, fc->len, FILE_KIND_IMAGE,
		    fc->type, conf->photo_max_pixels, &thumb);
		if (v == FILE_OK) {
			fc->thumb = thumb.thumb;
			fc->thumb_len = thumb.thumb_len;
			memcpy(fc->thumb_sha256, thumb.thumb_sha256,
			    sizeof(fc->thumb_sha256));
		}
	}
	switch (v) {
	case FILE_OK:
		return true;
	case FILE_UNSUPPORTED:
		problem_send(req, "unsupported_media_type", fc->reason != NULL ?
		    fc->reason : kind == FILE_KIND_IMAGE ? "An image must be "
		    "a JPEG, PNG or WebP file." : "A document must be a PDF, "
		    "JPEG, PNG or WebP file.");
		return false;
	case FILE_UNSAFE:
		problem_send(req, "unsafe_content", fc->reason != NULL ?
		    fc->reason : "The file is damaged or carries active "
		    "content.");
		return false;
	case FILE_NOMEM:
		break;
	}
	problem_send_err(req, ERR_NOMEM, NULL);
	return false;
}

/* Stores what upload_check() passed, the thumbnail too. */
static enum err
upload_store(struct request *req, const char *clinic_id,
    const struct file_checked *fc)
{
	const char *dir = req->ctx->conf->files_dir;
	enum err err;

	if ((err = filestore_put(req->arena, dir, clinic_id, fc->sha256,
	    fc->data, fc->len)) != ERR_OK)
		return err;
	if (fc->thumb != NULL && fc->thumb_sha256[0] != '\0')
		err = filestore_put(req->arena, dir, clinic_id,
		    fc->thumb_sha256, fc->thumb, fc->thumb_len);
	return err;
}

/* The record of a checked file for patient_id. */
static void
record_of(struct db_document *d, const char *patient_id, const char *kind,
    const char *title, const char *file_name,
    const struct file_checked *fc, const char *source,
    const char *uploaded_by)
{
	memset(d, 0, sizeof(*d));
	d->patient_id = patient_id;
	d->kind = kind;
	d->title = title;
	d->file_name = file_name;
	d->content_type = fc->type;
	d->size = (int64_t)fc->len;
	d->sha256 = fc->sha256;
	d->thumb_sha256 = fc->thumb != NULL && fc->thumb_sha256[0] != '\0' ?
	    fc->thumb_sha256 : NULL;
	d->width = fc->width;
	d->height = fc->height;
	d->source = source;
	d->uploaded_by_id = uploaded_by;
}

/* Who the caller is in the outbox's and the access record's terms. */
static const char *
actor_type(const struct request *req)
{
	switch (req->actor.kind) {
	case ACTOR_STAFF:
		return "staff";
	case ACTOR_API_KEY:
		return "api_key";
	case ACTOR_PATIENT:
		return "patient";
	default:
		return "system";
	}
}

/* Records that the caller opened d with action. */
static enum err
access_record(struct request *req, const struct db_document *d,
    const char *action)
{
	enum db_access_by by = req->actor.kind == ACTOR_PATIENT ?
	    ACCESS_PATIENT : req->actor.kind == ACTOR_API_KEY ?
	    ACCESS_API_KEY : ACCESS_STAFF;

	return db_document_access_add(req->ctx->db, req->actor.clinic_id, d->id,
	    by, req->actor.id, action);
}

/* The route's record {id} of the caller's clinic; false after 404. */
static bool
route_document(struct request *req, struct db_document *d)
{
	enum err err = db_document_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), d);

	if (err != ERR_OK) {
		problem_send_err(req, err, "document");
		return false;
	}
	return true;
}

/* The route's record {id} as the signed-in patient sees it, of kind
 * (NULL: either); false after 404 (alike for every record they do not
 * see). */
static bool
route_portal_document(struct request *req, const char *kind,
    struct db_document *d)
{
	enum err err = db_portal_document_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, req->actor.id,
	    route_param(&req->params, "id"), kind, d);

	if (err != ERR_OK) {
		problem_send_err(req, err, "document");
		return false;
	}
	return true;
}

/* ---- clinic side ---- */

/*
 * POST /api/v1/clinic/patients/{id}/documents?title=&kind=&file_name=
 * (write), body = the file: 201 with the record, unshared. 404 for an
 * unknown or foreign patient; 415 unsupported_media_type; 422
 * unsafe_content; 422 validation_failed for the query or an empty body;
 * 413 over max_upload_bytes (the worker's).
 */
void
handle_documents_upload(struct request *req)
{
	const char *title = NULL, *file_name = NULL, *kind = "document";
	struct file_checked fc;
	struct db_document in, d;
	struct db_patient p;
	struct json_object *after;
	enum err err;

	upload_query(req, &title, &file_name);
	q_enum(req, "kind", kinds, 0, &kind);
	if (!v_ok(req))
		return;
	if ((err = db_patient_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), false,
	    &p)) != ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	if (!upload_check(req, strcmp(kind, "image") == 0 ? FILE_KIND_IMAGE :
	    FILE_KIND_DOCUMENT, &fc))
		return;
	if (file_name == NULL)
		file_name = default_file_name(req->arena, title, fc.type);
	record_of(&in, p.id, kind, title, file_name, &fc, "clinic",
	    req->actor.kind == ACTOR_STAFF ? req->actor.id : NULL);
	if ((err = upload_store(req, req->actor.clinic_id, &fc)) != ERR_OK ||
	    (err = db_document_create(req->ctx->db, req->arena,
	    req->actor.clinic_id, &in, &d)) != ERR_OK ||
	    (err = (after = json_arena_own(req->arena, document_json(&d,
	    CLINIC_SIDE))) ? ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "document.create", "document", d.id, NULL,
	    after)) != ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/documents/%s", d.id));
	resp_json(req, 201, json_object_get(after));
}

/* GET /api/v1/clinic/patients/{id}/documents?kind=&source=&cursor=&limit=:
 * the patient's records, newest first; 404; 422 for a bad filter. */
void
handle_documents_list(struct request *req)
{
	struct db_document_filter f = { 0 };
	struct db_document *rows;
	struct db_patient p;
	struct v_page page;
	int n = 0;
	enum err err;

	q_enum(req, "kind", kinds, 0, &f.kind);
	q_enum(req, "source", sources, 0, &f.source);
	q_page(req, NULL, &page);
	if (!v_ok(req))
		return;
	if ((err = db_patient_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), false,
	    &p)) != ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	f.after_id = page.cursor;
	f.limit = page.limit + 1;
	if ((err = db_documents_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, p.id, &f, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	documents_send(req, rows, n, page.limit, CLINIC_SIDE);
}

/* GET /api/v1/clinic/documents/{id}: the record; 404. */
void
handle_document_get(struct request *req)
{
	struct db_document d;

	if (route_document(req, &d))
		resp_json(req, 200, document_json(&d, CLINIC_SIDE));
}

/*
 * PATCH /api/v1/clinic/documents/{id} {title?, shared?} (write): 200 with
 * the record. Sharing queues a content-free document_shared notice to the
 * patient. 404; 409 conflict for sharing a pending or rejected upload;
 * 422 naming the field.
 */
void
handle_document_patch(struct request *req)
{
	static const char *const fields[] = { "title", "shared", NULL };
	const char *title = NULL;
	struct db_document d, was;
	struct json_object *before, *after;
	struct vobj body;
	bool shared = false;
	int share = -1;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_text(&body, "title", V_LINE(DOCUMENT_TITLE_MAX), 0, &title);
	if (v_bool(&body, "shared", 0, &shared) == V_SET)
		share = shared;
	if (!v_ok(req) || !route_document(req, &was))
		return;
	if (share == 1 && was.review_status != NULL &&
	    strcmp(was.review_status, "accepted") != 0) {
		problem_send(req, "conflict", strcmp(was.review_status,
		    "pending") == 0 ? "The upload waits for its review; "
		    "accept it to share it." : "A rejected upload cannot be "
		    "shared.");
		return;
	}
	before = json_arena_own(req->arena, document_json(&was, CLINIC_SIDE));
	if ((err = db_document_update(req->ctx->db, req->arena,
	    req->actor.clinic_id, was.id, title, share, &d)) != ERR_OK ||
	    (err = (after = json_arena_own(req->arena, document_json(&d,
	    CLINIC_SIDE))) ? ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (!was.shared && d.shared &&
	    (err = db_document_notice(req->ctx->db, "document_shared",
	    d.patient_id, req->ctx->conf->public_url, actor_type(req),
	    req->actor.id)) != ERR_OK) ||
	    (err = audit_record(req, "document.update", "document", d.id,
	    before, after)) != ERR_OK) {
		if (err == ERR_INVALID)
			problem_send(req, "conflict", "The upload cannot be "
			    "shared in its review state.");
		else
			problem_send_err(req, err, "document");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* DELETE /api/v1/clinic/documents/{id} (write): 204; the audit keeps the
 * record as it was, the access record goes with it. 404. */
void
handle_document_delete(struct request *req)
{
	struct db_document d;
	struct json_object *before;
	enum err err;

	if (!route_document(req, &d))
		return;
	before = json_arena_own(req->arena, document_json(&d, CLINIC_SIDE));
	if ((err = db_document_delete(req->ctx->db, req->actor.clinic_id,
	    d.id)) != ERR_OK ||
	    (err = audit_record(req, "document.delete", "document", d.id,
	    before, NULL)) != ERR_OK) {
		problem_send_err(req, err, "document");
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

/*
 * GET /api/v1/clinic/documents/{id}/content[?download=1] (write: it
 * records a staff view, or download): the file through nginx, inline or
 * as an attachment. 404.
 */
void
handle_document_content(struct request *req)
{
	const char *download = NULL;
	struct db_document d;
	bool attach;
	enum err err;

	q_enum(req, "download", download_values, 0, &download);
	if (!v_ok(req) || !route_document(req, &d))
		return;
	attach = download != NULL && (strcmp(download, "1") == 0 ||
	    strcmp(download, "true") == 0);
	if ((err = access_record(req, &d, attach ? "download" : "view")) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	file_send(req, req->actor.clinic_id, &d, false,
	    attach ? RESP_ATTACHMENT : RESP_INLINE);
}

/* GET /api/v1/clinic/documents/{id}/thumbnail: the thumbnail (JPEG)
 * through nginx, not recorded; 404 also for a record without one. */
void
handle_document_thumbnail(struct request *req)
{
	struct db_document d;

	if (route_document(req, &d))
		file_send(req, req->actor.clinic_id, &d, true, RESP_INLINE);
}

/* Answers the access record of d, newest first. */
static void
access_send(struct request *req, const struct db_document *d,
    const struct v_page *page)
{
	struct db_document_access *rows;
	int n = 0;
	enum err err;

	if ((err = db_document_access_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, d->id, page->cursor, page->limit + 1, &rows,
	    &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page->limit,
	    access_item, NULL, access_cursor));
}

/* GET /api/v1/clinic/documents/{id}/access?cursor=&limit=: who opened
 * the file when, newest first; 404. */
void
handle_document_access(struct request *req)
{
	struct db_document d;
	struct v_page page;

	q_page(req, access_cursor_ok, &page);
	if (!v_ok(req) || !route_document(req, &d))
		return;
	access_send(req, &d, &page);
}

/* Whether the caller works the review queue: the settings' upload
 * reviewer, owners and admins (a key by its role). False after answering
 * 403 forbidden_role (or the database's failure). */
static bool
reviewer_ok(struct request *req)
{
	struct db_portal_settings s;
	enum err err;

	if (req->actor.role >= ROLE_ADMIN)
		return true;
	if ((err = db_settings_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &s)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	if (req->actor.kind == ACTOR_STAFF && s.upload_reviewer_id != NULL &&
	    strcmp(s.upload_reviewer_id, req->actor.id) == 0)
		return true;
	problem_send(req, "forbidden_role", "Only the upload reviewer named "
	    "in the portal settings, owners and admins review uploads.");
	return false;
}

/* GET /api/v1/clinic/document-reviews?status=&cursor=&limit=: the
 * patients' uploads in a review state (default pending, oldest first;
 * the decided ones newest first). 403 forbidden_role for others than the
 * reviewer, owners and admins; 422 for a bad filter. */
void
handle_document_reviews(struct request *req)
{
	struct db_document_filter f = { 0 };
	const char *status = "pending";
	struct db_document *rows;
	struct v_page page;
	int n = 0;
	enum err err;

	q_enum(req, "status", review_states, 0, &status);
	q_page(req, NULL, &page);
	if (!v_ok(req) || !reviewer_ok(req))
		return;
	f.after_id = page.cursor;
	f.limit = page.limit + 1;
	if ((err = db_document_reviews(req->ctx->db, req->arena,
	    req->actor.clinic_id, status, &f, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	documents_send(req, rows, n, page.limit, CLINIC_SIDE);
}

/* A thumbnail for d, an image upload accepted as an image that has none:
 * made from its stored bytes, and stored. NULL after answering. */
static const char *
thumbnail_for(struct request *req, const struct db_document *d)
{
	const struct conf *conf = req->ctx->conf;
	const char *rel = filestore_path(req->arena, req->actor.clinic_id,
	    d->sha256), *path;
	struct file_checked fc;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	enum err err;

	path = rel ? arena_printf(req->arena, "%s/%s", conf->files_dir, rel) :
	    NULL;
	if (path != NULL && (f = fopen(path, "rb")) != NULL) {
		if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > 0 &&
		    (buf = arena_alloc(req->arena, (size_t)ftell(f))) != NULL) {
			len = (size_t)ftell(f);
			rewind(f);
			if (fread(buf, 1, len, f) != len)
				buf = NULL;
		}
		fclose(f);
	}
	if (buf == NULL || file_check(req->arena, buf, len, FILE_KIND_IMAGE,
	    d->content_type, conf->photo_max_pixels, &fc) != FILE_OK ||
	    fc.thumb == NULL) {
		problem_send(req, "unavailable", "The image's thumbnail could "
		    "not be made.");
		return NULL;
	}
	if ((err = filestore_put(req->arena, conf->files_dir,
	    req->actor.clinic_id, fc.thumb_sha256, fc.thumb, fc.thumb_len)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return NULL;
	}
	return arena_strdup(req->arena, fc.thumb_sha256);
}

/*
 * POST /api/v1/clinic/documents/{id}/review {decision, reason?, kind?}
 * (write): decides a pending patient upload; 200 with the record. An
 * acceptance shares it (as a document, or as an image when kind says so);
 * a rejection needs a reason, which the patient sees. Queues
 * upload_reviewed (and document_shared for an acceptance). 403
 * forbidden_role for others than the reviewer, owners and admins; 404;
 * 409 conflict when it is not a pending upload; 422 naming the field (no
 * reason for a rejection; a PDF as an image).
 */
void
handle_document_review(struct request *req)
{
	static const char *const fields[] = { "decision", "reason", "kind",
	    NULL };
	const char *decision = NULL, *reason = NULL, *kind = NULL,
	    *thumb = NULL, *base = req->ctx->conf->public_url;
	struct db_document was, d;
	struct json_object *before, *after;
	struct vobj body;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_enum(&body, "decision", decisions, V_REQUIRED, &decision);
	v_text(&body, "reason", V_LINE(DOCUMENT_REASON_MAX), V_NULLABLE,
	    &reason);
	v_enum(&body, "kind", kinds, V_NULLABLE, &kind);
	if (decision != NULL && strcmp(decision, "rejected") == 0) {
		if (reason == NULL)
			v_problem(&body, "reason", "Say why the upload is "
			    "rejected; the patient sees it.");
		if (kind != NULL)
			v_problem(&body, "kind", "Only an accepted upload is "
			    "filed as a document or an image.");
	}
	if (!v_ok(req) || !reviewer_ok(req) || !route_document(req, &was))
		return;
	if (was.review_status == NULL || strcmp(was.review_status, "pending")) {
		problem_send(req, "conflict", was.review_status == NULL ?
		    "Only a patient's upload is reviewed." :
		    "The upload has been reviewed already.");
		return;
	}
	if (kind != NULL && strcmp(kind, "image") == 0) {
		if (strcmp(was.content_type, "application/pdf") == 0) {
			v_problem_field(req, "kind", "A PDF cannot be filed as "
			    "an image.");
			v_ok(req);
			return;
		}
		if (was.thumb_sha256 == NULL &&
		    (thumb = thumbnail_for(req, &was)) == NULL)
			return;
	}
	before = json_arena_own(req->arena, document_json(&was, CLINIC_SIDE));
	err = db_document_review(req->ctx->db, req->arena, req->actor.clinic_id,
	    was.id, decision, reason, kind, thumb,
	    req->actor.kind == ACTOR_STAFF ? req->actor.id : NULL, &d);
	if (err == ERR_CONFLICT) {
		problem_send(req, "conflict", "The upload has been reviewed "
		    "already.");
		return;
	}
	if (err != ERR_OK ||
	    (err = (after = json_arena_own(req->arena, document_json(&d,
	    CLINIC_SIDE))) ? ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = db_document_notice(req->ctx->db, "upload_reviewed",
	    d.patient_id, base, actor_type(req), req->actor.id)) != ERR_OK ||
	    (d.shared && (err = db_document_notice(req->ctx->db,
	    "document_shared", d.patient_id, base, actor_type(req),
	    req->actor.id)) != ERR_OK) ||
	    (err = audit_record(req, "document.review", "document", d.id,
	    before, after)) != ERR_OK) {
		problem_send_err(req, err, "document");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* ---- patient side ---- */

/* The filter of the signed-in patient's list of kind from the query; false
 * when the query is bad (problems noted). */
static bool
portal_filter(struct request *req, const char *kind,
    struct db_document_filter *f, struct v_page *page)
{
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	q_page(req, NULL, page);
	f->after_id = page->cursor;
	f->limit = page->limit + 1;
	return v_count(req) == 0;
}

/* Answers the signed-in patient's list of kind. */
static void
portal_list(struct request *req, const char *kind)
{
	struct db_document_filter f;
	struct db_document *rows;
	struct v_page page;
	int n = 0;
	enum err err;

	portal_filter(req, kind, &f, &page);
	if (!v_ok(req))
		return;
	if ((err = db_portal_documents(req->ctx->db, req->arena, &f, &rows,
	    &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	documents_send(req, rows, n, page.limit, PATIENT_SIDE);
}

/* What handle_portal_documents() and handle_portal_images() read, sent
 * with the session's statement (the query read as the handler reads it). */
void
ahead_portal_documents(struct request *req)
{
	struct db_document_filter f;
	struct v_page page;

	if (portal_filter(req, "document", &f, &page))
		db_portal_documents_ahead(req->ctx->db, req->arena, &f);
}

void
ahead_portal_images(struct request *req)
{
	struct db_document_filter f;
	struct v_page page;

	if (portal_filter(req, "image", &f, &page))
		db_portal_documents_ahead(req->ctx->db, req->arena, &f);
}

/* GET /api/v1/portal/{code}/documents?cursor=&limit= [view_documents]:
 * the documents shared with the patient and their own uploads in any
 * review state (with the reason of a rejection), newest first. */
void
handle_portal_documents(struct request *req)
{
	portal_list(req, "document");
}

/* GET /api/v1/portal/{code}/images?cursor=&limit= [view_images]: the
 * images shared with the patient, newest first. */
void
handle_portal_images(struct request *req)
{
	portal_list(req, "image");
}

/* Opens the route's record of kind for the patient: recorded as action,
 * served inline or as an attachment; 404 for one they do not see. */
static void
portal_open(struct request *req, const char *kind, const char *action,
    enum resp_disposition disp)
{
	struct db_document d;
	enum err err;

	if (!route_portal_document(req, kind, &d))
		return;
	if ((err = access_record(req, &d, action)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	file_send(req, req->actor.clinic_id, &d, false, disp);
}

/* GET /api/v1/portal/{code}/documents/{id}/view [view_documents] (write:
 * recorded): the file inline; 404. */
void
handle_portal_document_view(struct request *req)
{
	portal_open(req, "document", "view", RESP_INLINE);
}

/* GET /api/v1/portal/{code}/documents/{id}/download [download_documents]
 * (write: recorded): the file as an attachment; 404. */
void
handle_portal_document_download(struct request *req)
{
	portal_open(req, "document", "download", RESP_ATTACHMENT);
}

/* GET /api/v1/portal/{code}/images/{id}/view [view_images] (write:
 * recorded): the image inline; 404. */
void
handle_portal_image_view(struct request *req)
{
	portal_open(req, "image", "view", RESP_INLINE);
}

/* GET /api/v1/portal/{code}/images/{id}/thumbnail [view_images]: the
 * thumbnail, not recorded; 404. */
void
handle_portal_image_thumbnail(struct request *req)
{
	struct db_document d;

	if (route_portal_document(req, "image", &d))
		file_send(req, req->actor.clinic_id, &d, true, RESP_INLINE);
}

/* GET /api/v1/portal/{code}/documents/{id}/access?cursor=&limit=
 * [view_documents]: who opened a file the patient sees, and when (they
 * and the clinic), newest first; 404. */
void
handle_portal_document_access(struct request *req)
{
	struct db_document d;
	struct v_page page;

	q_page(req, access_cursor_ok, &page);
	if (!v_ok(req) || !route_portal_document(req, NULL, &d))
		return;
	access_send(req, &d, &page);
}

/*
 * POST /api/v1/portal/{code}/documents?title=&file_name= [upload_documents]
 * (write), body = the file: 201 with the record, review pending. 415
 * unsupported_media_type; 422 unsafe_content; 422 quota_exceeded when the
 * patient's pending and accepted uploads would pass upload_quota_count or
 * upload_quota_bytes; 422 validation_failed for the query or an empty
 * body; 413 over max_upload_bytes. Nothing is stored when it refuses.
 */
void
handle_portal_document_upload(struct request *req)
{
	const struct conf *conf = req->ctx->conf;
	const char *title = NULL, *file_name = NULL;
	struct file_checked fc;
	struct db_document in, d;
	struct json_object *after;
	int64_t uploads = 0, bytes = 0;
	enum err err;

	upload_query(req, &title, &file_name);
	if (!v_ok(req) || !upload_check(req, FILE_KIND_DOCUMENT, &fc))
		return;
	if ((err = db_upload_usage(req->ctx->db, req->actor.id, &uploads,
	    &bytes)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (uploads + 1 > conf->upload_quota_count ||
	    bytes + (int64_t)fc.len > conf->upload_quota_bytes) {
		problem_send(req, "quota_exceeded", arena_printf(req->arena,
		    "You may have at most %ld uploads of %ld bytes in all "
		    "waiting or accepted; you have %" PRId64 " of %" PRId64
		    " bytes.", conf->upload_quota_count,
		    conf->upload_quota_bytes, uploads, bytes));
		return;
	}
	if (file_name == NULL)
		file_name = default_file_name(req->arena, title, fc.type);
	record_of(&in, req->actor.id, "document", title, file_name, &fc,
	    "patient", NULL);
	if ((err = upload_store(req, req->actor.clinic_id, &fc)) != ERR_OK ||
	    (err = db_document_create(req->ctx->db, req->arena,
	    req->actor.clinic_id, &in, &d)) != ERR_OK ||
	    (err = (after = json_arena_own(req->arena, document_json(&d,
	    CLINIC_SIDE))) ? ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "document.upload", "document", d.id, NULL,
	    after)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 201, document_json(&d, PATIENT_SIDE));
}
