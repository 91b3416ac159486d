/*
 * access.c - may this patient do this action? Every condition of DESIGN.md
 * section 3, evaluated in order and reported whether it passed or not, so
 * that the clinic's diagnostics can say exactly why (see access.h).
 */
#include "config.h"

#include <string.h>

#include "access.h"
#include "contacts.h"
#include "db_clinic.h"
#include "db_patients.h"

static const char *const condition_names[COND__MAX] = {
	[COND_MODULE] = "module",
	[COND_PORTAL_ENABLED] = "portal_enabled",
	[COND_CODE_SET] = "code_set",
	[COND_PATIENT_ACCESS] = "patient_access",
	[COND_CONTACT_ON_FILE] = "contact_on_file",
	[COND_PERMISSION] = "permission",
	[COND_PAYMENT_INFRASTRUCTURE] = "payment_infrastructure",
	[COND_DOCUMENT_SHARED] = "document_shared",
	[COND_FORM_OPEN] = "form_open",
};

const char *
access_condition_name(enum access_condition c)
{
	return (unsigned)c < COND__MAX ? condition_names[c] : "unknown";
}

static bool
check(struct access_check *checks, size_t *n, enum access_condition c,
    bool ok, const char *pass, const char *fail)
{
	checks[*n].condition = c;
	checks[*n].ok = ok;
	checks[*n].detail = ok ? pass : fail;
	(*n)++;
	return ok;
}

static bool
is_document_action(enum perm action)
{
	return action == PERM_VIEW_DOCUMENTS || action == PERM_DOWNLOAD_DOCUMENTS ||
	    action == PERM_VIEW_IMAGES;
}

bool
access_decide(const struct access_facts *f, enum perm action,
    struct access_check *checks, size_t *count)
{
	bool all = true;
	size_t n = 0;

	all &= check(checks, &n, COND_MODULE, f->module,
	    "The clinic has the Patient Portal module.",
	    "The clinic has not purchased the Patient Portal module.");
	all &= check(checks, &n, COND_PORTAL_ENABLED, f->portal_enabled,
	    "The Patient Portal is enabled.",
	    "The Patient Portal is disabled in the portal settings.");
	all &= check(checks, &n, COND_CODE_SET, f->code_set,
	    "The portal has a code, so its address works.",
	    "The portal code is empty, so the portal has no address.");
	all &= check(checks, &n, COND_PATIENT_ACCESS, f->patient_access,
	    "The patient's portal access is on.",
	    "The patient's portal access is switched off.");
	all &= check(checks, &n, COND_CONTACT_ON_FILE,
	    f->has_sms_phone || f->has_email,
	    "The patient has a mobile phone number or email address to sign "
	    "in with.",
	    "The patient has neither a mobile phone number nor an email "
	    "address (a landline cannot receive the sign-in code), so they "
	    "cannot be invited or sign in.");
	all &= check(checks, &n, COND_PERMISSION,
	    (f->effective & PERM_BIT(action)) != 0,
	    "The action is among the patient's portal permissions.",
	    "The action is not among the patient's portal permissions "
	    "(the clinic's, or the patient's own set).");
	if (action == PERM_MAKE_PAYMENT)
		all &= check(checks, &n, COND_PAYMENT_INFRASTRUCTURE,
		    f->payment_active,
		    "The clinic's online payment infrastructure is active.",
		    "The clinic's online payment infrastructure is not active.");
	if (is_document_action(action))
		all &= check(checks, &n, COND_DOCUMENT_SHARED,
		    f->document_named && f->document_shared,
		    "The document is shared with the patient.",
		    f->document_named ?
		    "The document is not shared with the patient." :
		    "Name a document (document_id) to check whether it is "
		    "shared with the patient.");
	/* A form is a condition only when one is named: without one the
	 * patient may still open their forms. */
	if ((action == PERM_VIEW_FORMS || action == PERM_SUBMIT_FORMS) &&
	    f->form_named)
		all &= check(checks, &n, COND_FORM_OPEN, f->form_open,
		    "The form is active and offered to the patient (assigned "
		    "to them, or available to all).",
		    "The form is archived, or neither assigned to the patient "
		    "nor available to all patients, so the patient does not "
		    "see it.");
	*count = n;
	return all;
}

perm_set
access_effective(const struct db_patient *p, const struct db_portal_settings *s)
{
	return p->custom ? p->custom_permissions : s->permissions;
}

void
access_facts_of(struct access_facts *f, const struct db_clinic *c,
    const struct db_portal_settings *s, const struct db_patient *p)
{
	memset(f, 0, sizeof(*f));
	f->module = c->portal_module;
	f->portal_enabled = s->enabled;
	f->code_set = s->code != NULL;
	f->patient_access = p->portal_access;
	f->has_sms_phone = p->phone != NULL &&
	    contact_phone_sms_capable(p->phone);
	f->has_email = p->email != NULL;
	f->effective = access_effective(p, s);
	f->payment_active = c->payment_active;
}

perm_set
access_usable(const struct access_facts *f)
{
	struct access_check checks[COND__MAX];
	struct access_facts g = *f;
	perm_set out = 0;
	size_t n;

	g.document_named = true;
	g.document_shared = true;
	g.form_named = false;
	for (int k = 0; k < PERM__MAX; k++)
		if (access_decide(&g, (enum perm)k, checks, &n))
			out |= PERM_BIT(k);
	return out;
}
