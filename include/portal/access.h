/*
 * access.h - the one decision "may this patient do X" (DESIGN.md section
 * 3). The patient endpoints and the clinic's diagnostics both call
 * access_decide(), so they cannot disagree.
 */
#ifndef PORTAL_ACCESS_H
#define PORTAL_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "permissions.h"

enum access_condition {
	COND_MODULE,
	COND_PORTAL_ENABLED,
	COND_CODE_SET,
	COND_PATIENT_ACCESS,
	COND_CONTACT_ON_FILE,
	COND_PERMISSION,
	COND_PAYMENT_INFRASTRUCTURE,	/* make_payment only */
	COND_DOCUMENT_SHARED,		/* documents and images only */
	COND_FORM_OPEN,			/* forms, when one is named */
	COND__MAX
};

/* Everything the decision needs, gathered by the caller. */
struct access_facts {
	bool module;
	bool portal_enabled;
	bool code_set;
	bool patient_access;
	/* A contact a sign-in code can go to: a phone an SMS reaches
	 * (contact_phone_sms_capable(); a landline is no way in), or an
	 * email address. */
	bool has_sms_phone, has_email;
	perm_set effective;
	bool payment_active;
	bool document_named;		/* the request names a document */
	bool document_shared;		/* ... and it is shared with the patient */
	/* The request names a form (view_forms, submit_forms): then its
	 * own condition is checked too. */
	bool form_named;
	bool form_open;			/* ... active, and assigned to the
					 * patient or available to all */
};

struct access_check {
	enum access_condition condition;
	bool ok;
	const char *detail;		/* for people, in English */
};

/* The condition's name in the API ("portal_enabled", ...). */
const char *access_condition_name(enum access_condition c);

/*
 * Evaluates every condition for action in the order of the enum, passed
 * ones too, into checks (COND__MAX entries); *count receives how many.
 * Returns true when all hold.
 */
bool access_decide(const struct access_facts *f, enum perm action,
    struct access_check *checks, size_t *count);

struct db_clinic;
struct db_portal_settings;
struct db_patient;

/* The patient's effective set: its own when it has one, else the
 * clinic's. */
perm_set access_effective(const struct db_patient *p,
    const struct db_portal_settings *s);

/* The facts of patient p at clinic c with settings s (nothing about a
 * document or a form: the caller adds that). */
void access_facts_of(struct access_facts *f, const struct db_clinic *c,
    const struct db_portal_settings *s, const struct db_patient *p);

/* The keys whose every condition holds now, a document's or a form's
 * own condition aside (decided per document, per form): what the patient
 * app may offer. */
perm_set access_usable(const struct access_facts *f);

#endif
