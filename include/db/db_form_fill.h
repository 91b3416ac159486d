/*
 * db_form_fill.h - the patient's side of forms (sql/0031_forms.sql,
 * sql/0034_form_fill.sql): the forms a patient sees, one of them with its
 * current version and their draft, drafts saved and removed, submissions.
 * Call with the clinic's and patient's context set (the request
 * pipeline's work). A patient sees a form of their clinic that is active
 * and available to all or assigned to them; any other id is
 * ERR_NOT_FOUND, alike. Strings live in the arena passed in; instants are
 * RFC 3339 UTC; JSON columns come as their text.
 */
#ifndef PORTAL_DB_FORM_FILL_H
#define PORTAL_DB_FORM_FILL_H

#include <stdbool.h>

#include "err.h"

struct arena;
struct db;

/* Submissions a patient may make of one form in 24 hours. */
#define FORM_SUBMISSIONS_PER_DAY 20

/* One form as its patient sees it (the current version's texts in both
 * languages: the caller chooses). */
struct db_patient_form {
	const char *id;
	int version;				/* the current one */
	const char *title_tr, *title_en;	/* NULL when absent */
	const char *description_tr, *description_en;
	int item_count;
	const char *draft_saved_at;		/* NULL: no draft */
	const char *submitted_at;		/* the last submission; NULL: none */
	/* Filled by db_patient_form_get() only: */
	const char *definition;			/* the current version's JSON */
	int draft_version;
	const char *draft_answers;		/* JSON object; NULL: no draft */
};

/* The context's patient's forms: drafts and those not yet submitted
 * first, then the submitted ones, each group newest first. _ahead() sends
 * the statement with the session's (db_ahead()). */
void db_patient_forms_ahead(struct db *db);
enum err db_patient_forms(struct db *db, struct arena *a,
    struct db_patient_form **out, int *count);

/* Form id as the context's patient sees it, with its current version's
 * definition and their draft. _ahead() as above, with the same id.
 * ERR_NOT_FOUND. */
void db_patient_form_get_ahead(struct db *db, struct arena *a,
    const char *id);
enum err db_patient_form_get(struct db *db, struct arena *a, const char *id,
    struct db_patient_form *out);

/* Whether patient_id sees form id (active, and available to all or
 * assigned to them): *open. ERR_NOT_FOUND when id is no form of the
 * context's clinic. */
enum err db_form_open(struct db *db, const char *patient_id, const char *id,
    bool *open);

/* What a submission or a draft is judged against: the form's current
 * version and its definition, the seconds until the patient may submit
 * again (0: now), and the instant the change takes (at_text for the
 * database, at_iso for the answer). */
struct db_form_begin {
	int version;
	const char *definition;
	int retry_after;
	const char *at_text, *at_iso;
};

/*
 * Starts a submission (or a draft's save) of form id by patient_id in the
 * work's transaction: reads the current version, holds the form against
 * a new version and the patient's submissions of it against a parallel
 * one until the work ends. ERR_NOT_FOUND for a form they do not see.
 */
enum err db_form_submit_begin(struct db *db, struct arena *a,
    const char *patient_id, const char *id, struct db_form_begin *out);

/*
 * Queues, with the work's COMMIT (db_defer(): a failure there fails the
 * commit), submission submission_id (a fresh UUID) of form id, version,
 * by patient_id at at_text (from db_form_submit_begin()): answers and
 * consents as JSON text, language "tr" or "en"; and the removal of the
 * patient's draft of the form. Every string must live until the work
 * ends (the request arena's do).
 */
enum err db_form_submission_add(struct db *db, struct arena *a,
    const char *submission_id,
    const char *patient_id, const char *id, int version, const char *answers,
    const char *consents, const char *language, const char *at_text);

/* Queues, with the work's COMMIT, patient_id's draft of form id on
 * version (answers as JSON text) saved at at_text, replacing theirs.
 * Strings as above. */
enum err db_form_draft_put(struct db *db, struct arena *a,
    const char *patient_id,
    const char *id, int version, const char *answers, const char *at_text);

/* Removes patient_id's draft of form id (none: nothing to do).
 * ERR_NOT_FOUND for a form they do not see. */
enum err db_form_draft_delete(struct db *db, const char *patient_id,
    const char *id);

#endif
