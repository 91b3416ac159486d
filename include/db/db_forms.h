/*
 * db_forms.h - the clinic's forms, their versions, assignments and the
 * submissions staff read and review (sql/0031_forms.sql, the functions of
 * sql/0033_forms_clinic.sql), and the starter forms every clinic may copy.
 * Call with the clinic's context set (the request pipeline's work); every
 * statement also names the clinic. Strings live in the arena passed in;
 * instants are RFC 3339 UTC; definitions, answers and consents come back
 * as their JSON text. An id that is not a UUID, or of another clinic,
 * answers ERR_NOT_FOUND like an unknown one.
 */
#ifndef PORTAL_DB_FORMS_H
#define PORTAL_DB_FORMS_H

#include <stdbool.h>

#include "err.h"

struct arena;
struct db;

#define FORM_ACTIVE_MAX 200	/* active forms per clinic */
#define FORM_VERSIONS_MAX 100	/* versions per form */
#define FORM_ASSIGN_MAX 500	/* patients per assignment request */

/* A form as lists show it: its current version's title and item count. */
struct db_form {
	const char *id;
	const char *title_tr, *title_en;	/* NULL: not in that language */
	const char *status;			/* active, archived */
	bool available_to_all;
	int current_version;
	int item_count;			/* the current version's, every depth */
	int assigned_count;		/* patients it is assigned to */
	int submission_count, unreviewed_count;
	const char *starter;		/* the starter it was copied from, or NULL */
	const char *created_at, *updated_at;
	/* Read only by db_form_get(): */
	const char *definition;		/* the current version's, JSON */
	const char *versions;		/* [{version, item_count, created_at,
					 * created_by: {id, name} | null}],
					 * newest first, JSON */
};

/* The clinic's forms by status (NULL: any) and patient_id (NULL: any;
 * else those assigned to that patient), a page: after form after_id
 * (NULL: from the newest updated), up to limit rows (fetch one more to
 * learn whether there is a next page). */
enum err db_forms_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *status, const char *patient_id, const char *after_id,
    int limit, struct db_form **out, int *count);

/* Form id with its definition and versions. */
enum err db_form_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_form *out);

/*
 * Creates a form of the context's clinic with definition (JSON text, as
 * checked) as version 1; titles from it, item_count its items at every
 * depth, starter the starter key it was copied from (NULL: none),
 * staff_id its author (NULL: an API key). *id (arena) on ERR_OK;
 * ERR_INVALID for an unknown starter; ERR_CONFLICT when the clinic has
 * FORM_ACTIVE_MAX active forms.
 */
enum err db_form_create(struct db *db, struct arena *a, const char *definition,
    const char *title_tr, const char *title_en, int item_count,
    const char *starter, const char *staff_id, const char **id);

/* Publishes definition as form id's next version (*version on ERR_OK);
 * ERR_NOT_FOUND; ERR_CONFLICT past FORM_VERSIONS_MAX versions. */
enum err db_form_publish(struct db *db, const char *id, const char *definition,
    const char *title_tr, const char *title_en, int item_count,
    const char *staff_id, int *version);

/* Sets form id's status (NULL: kept) and available_to_all (NULL: kept;
 * "true" or "false"). ERR_NOT_FOUND; ERR_CONFLICT when restoring it would
 * pass FORM_ACTIVE_MAX active forms. */
enum err db_form_update(struct db *db, const char *id, const char *status,
    const char *available_to_all);

/* One version of a form. */
struct db_form_version {
	const char *form_id;
	int version, item_count;
	const char *created_at;
	const char *created_by_id, *created_by_name;	/* NULL: an API key,
							 * or removed */
	const char *definition;		/* JSON */
	bool archived;			/* the form's status now */
};

/* Version of form id; ERR_NOT_FOUND for either unknown. */
enum err db_form_version_get(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, int version,
    struct db_form_version *out);

/*
 * Assigns form id to the n patients (UUIDs, distinct) by staff_id (NULL:
 * an API key); assignments add up. *added new ones and *assigned_count
 * all of the form's on ERR_OK. ERR_NOT_FOUND for the form; ERR_INVALID
 * when some id is not a patient of the clinic: nothing is assigned, and
 * *missing (arena) holds the *n_missing positions in patient_ids.
 */
enum err db_form_assign(struct db *db, struct arena *a, const char *id,
    const char *const *patient_ids, int n, const char *staff_id, int *added,
    int *assigned_count, int **missing, int *n_missing);

/* A patient a form is assigned to, and where they are with it. */
struct db_form_assignment {
	const char *patient_id, *patient_name;
	const char *assigned_at;
	const char *state;		/* not_started, draft, submitted */
	const char *submitted_at;	/* their last submission, or NULL */
};

/* Form id's assignments, newest first, after patient after_id (NULL:
 * from the newest), up to limit. ERR_NOT_FOUND for the form. */
enum err db_form_assignments(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, const char *after_id, int limit,
    struct db_form_assignment **out, int *count);

/* Removes form id's assignment to patient_id; ERR_NOT_FOUND when there
 * is none (or no such form). */
enum err db_form_unassign(struct db *db, const char *clinic_id, const char *id,
    const char *patient_id);

/* A submission as staff see it. */
struct db_form_submission {
	const char *id, *form_id;
	const char *form_title_tr, *form_title_en;	/* the form's, now */
	int version;
	const char *patient_id, *patient_name;
	const char *status;		/* submitted, reviewed */
	const char *language;		/* tr, en: what the patient filled in */
	const char *submitted_at, *reviewed_at;
	const char *reviewed_by_id, *reviewed_by_name;	/* NULL: nobody (an
							 * API key), or removed */
	/* Read only by db_form_submission_get(), JSON: */
	const char *answers, *consents, *definition;	/* its version's */
};

/* The submissions list's filters (NULL: any) and page. */
struct db_submission_filter {
	const char *form_id, *patient_id;
	const char *status;
	const char *after_id;
	int limit;
};

/* The clinic's submissions by f, newest first. */
enum err db_form_submissions(struct db *db, struct arena *a,
    const char *clinic_id, const struct db_submission_filter *f,
    struct db_form_submission **out, int *count);

/* Submission id with its answers, consents and version's definition. */
enum err db_form_submission_get(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, struct db_form_submission *out);

/* Marks submission id reviewed by staff_id (NULL: an API key).
 * ERR_NOT_FOUND; ERR_CONFLICT when it already is. */
enum err db_form_submission_review(struct db *db, const char *clinic_id,
    const char *id, const char *staff_id);

/* A starter form: key and definition (JSON). */
struct db_form_starter {
	const char *key, *definition;
};

/* Every starter form, in their order. */
enum err db_form_starters(struct db *db, struct arena *a,
    struct db_form_starter **out, int *count);

/*
 * The demo clinic's form (portalctl seed-demo): definition (JSON, a
 * starter's, key starter) as a form of clinic_id with its version 1 by its
 * first owner, assigned to Ayşe Yılmaz. Across clinics: the operator's
 * connection, no context.
 */
enum err db_form_seed_demo(struct db *db, const char *clinic_id,
    const char *starter, const char *definition, const char *title_tr,
    const char *title_en, int item_count);

#endif
