/*
 * db_documents.h - documents and images of a clinic's patients, the
 * review of the patients' own uploads, and the access record of who
 * opened which file when (sql/0028_documents.sql). Call with the clinic's
 * context set (the request pipeline's work). Strings live in the arena
 * passed in; instants are RFC 3339 UTC. The bytes themselves are not
 * here: they are stored by SHA-256 (filestore.h).
 */
#ifndef PORTAL_DB_DOCUMENTS_H
#define PORTAL_DB_DOCUMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct arena;
struct db;

#define DOCUMENT_TITLE_MAX 200		/* characters */
#define DOCUMENT_FILE_NAME_MAX 255	/* characters */
#define DOCUMENT_REASON_MAX 500		/* a review's reason, characters */

struct db_document {
	const char *id, *patient_id, *patient_name;
	const char *kind;		/* document, image */
	const char *title, *file_name, *content_type;
	int64_t size;
	const char *sha256, *thumb_sha256;	/* thumb_sha256 NULL: none */
	int width, height;		/* 0: unknown (a PDF) */
	bool shared;
	const char *source;		/* clinic, patient */
	const char *uploaded_by_id, *uploaded_by_name;	/* NULL: none */
	/* NULL for a clinic upload; pending, accepted, rejected */
	const char *review_status, *review_reason;
	const char *reviewed_by_id, *reviewed_by_name, *reviewed_at;
	const char *created_at, *updated_at;
};

/* A list's filters; NULL for any. after_id: the last id of the previous
 * page (NULL: from the start); a vanished one ends the list. */
struct db_document_filter {
	const char *kind, *source;
	const char *after_id;
	int limit;
};

/* The patient's records, newest first (the clinic's view: every one). */
enum err db_documents_list(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id,
    const struct db_document_filter *f, struct db_document **out,
    int *count);

/* One record of the clinic; ERR_NOT_FOUND for an unknown id or another
 * clinic's. */
enum err db_document_get(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, struct db_document *out);

/* What the signed-in patient (the context's) sees of kind f->kind
 * ("document" or "image"; required): shared documents and their own
 * uploads in any review state; shared images. Newest first. _ahead()
 * sends the statement with the session's (db_ahead()), the other takes
 * its answer. */
void db_portal_documents_ahead(struct db *db, struct arena *a,
    const struct db_document_filter *f);
enum err db_portal_documents(struct db *db, struct arena *a,
    const struct db_document_filter *f, struct db_document **out,
    int *count);

/* One record the patient sees, of kind (NULL: either); ERR_NOT_FOUND for
 * one they do not see (unshared, another patient's or clinic's, unknown),
 * alike. */
enum err db_portal_document_get(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, const char *id,
    const char *kind, struct db_document *out);

/* Adds a record from in (patient_id, kind, title, file_name, content_type,
 * size, sha256, thumb_sha256, width, height, source, uploaded_by_id; a
 * patient upload starts pending, any upload unshared) and reads it back
 * into out. */
enum err db_document_create(struct db *db, struct arena *a,
    const char *clinic_id, const struct db_document *in,
    struct db_document *out);

/* Changes the title (NULL: kept) and shared (< 0: kept) of record id and
 * reads it back into out. ERR_NOT_FOUND; ERR_INVALID when the schema
 * refuses (a pending or rejected upload shared). */
enum err db_document_update(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, const char *title, int shared,
    struct db_document *out);

/* Removes record id (its access record goes with it; the bytes stay for
 * gc-files). ERR_NOT_FOUND. */
enum err db_document_delete(struct db *db, const char *clinic_id,
    const char *id);

/* Decides a pending upload: status "accepted" (shared; kind NULL keeps
 * it, thumb_sha256 NULL keeps it) or "rejected" (reason required), by
 * reviewer_id (a staff id, or NULL for an API key), and reads it back
 * into out. ERR_CONFLICT when it is not pending (any more); ERR_NOT_FOUND. */
enum err db_document_review(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, const char *status,
    const char *reason, const char *kind, const char *thumb_sha256,
    const char *reviewer_id, struct db_document *out);

/* The clinic's patient uploads in review state status: pending oldest
 * first, the decided ones newest first. */
enum err db_document_reviews(struct db *db, struct arena *a,
    const char *clinic_id, const char *status,
    const struct db_document_filter *f, struct db_document **out,
    int *count);

/* Who opened a file: a patient, a staff member or an API key. */
enum db_access_by { ACCESS_PATIENT, ACCESS_STAFF, ACCESS_API_KEY };

struct db_document_access {
	const char *id;			/* the cursor: a whole number */
	const char *at;
	const char *by_kind;		/* patient, staff (an API key's too) */
	const char *by_id, *by_name;
	const char *action;		/* view, download */
};

/* Records that by (kind, id) opened document_id with action ("view",
 * "download"). Goes out with the write's commit (db_defer()): the strings
 * must live until the work ends. */
enum err db_document_access_add(struct db *db, const char *clinic_id,
    const char *document_id, enum db_access_by by, const char *by_id,
    const char *action);

/* The access record of document_id, newest first; after_id a previous
 * page's last id (digits) or NULL. */
enum err db_document_access_list(struct db *db, struct arena *a,
    const char *clinic_id, const char *document_id, const char *after_id,
    int limit, struct db_document_access **out, int *count);

/* Takes the patient's upload lock for the rest of the transaction and
 * answers how many pending and accepted uploads they have and their
 * bytes (the quota's measure). */
enum err db_upload_usage(struct db *db, const char *patient_id,
    int64_t *uploads, int64_t *bytes);

/* Queues a content-free notice of purpose ("document_shared",
 * "upload_reviewed") to the patient by their communication choices, with
 * the commit; by_type/by_id: who caused it ("staff", "api_key", ...). */
enum err db_document_notice(struct db *db, const char *purpose,
    const char *patient_id, const char *base_url, const char *by_type,
    const char *by_id);

/* The demo clinic's shared file d (kind, title, file_name, content_type,
 * size, sha256, thumb_sha256, width, height) of its demo patient Ayşe
 * Yılmaz, uploaded by its owner (portalctl seed-demo; no context needed:
 * portalctl is the tables' owner). */
enum err db_document_seed_demo(struct db *db, const char *clinic_id,
    const struct db_document *d);

#endif
