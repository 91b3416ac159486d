/* access_test.c - unit tests of the one access decision (access.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "access.h"
#include "permissions.h"

static const char *const want_names[COND__MAX] = {
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

/* The facts of a patient who may do anything. */
static struct access_facts
all_ok(void)
{
	struct access_facts f;

	memset(&f, 0, sizeof(f));
	f.module = true;
	f.portal_enabled = true;
	f.code_set = true;
	f.patient_access = true;
	f.has_sms_phone = true;
	f.has_email = true;
	f.effective = PERM_ALL;
	f.payment_active = true;
	f.document_named = true;
	f.document_shared = true;
	f.form_named = true;
	f.form_open = true;
	return f;
}

static bool
is_form_action(enum perm a)
{
	return a == PERM_VIEW_FORMS || a == PERM_SUBMIT_FORMS;
}

static bool
is_document_action(enum perm a)
{
	return a == PERM_VIEW_DOCUMENTS || a == PERM_DOWNLOAD_DOCUMENTS ||
	    a == PERM_VIEW_IMAGES;
}

/* The conditions access_decide() must list for action on f, in order. */
static size_t
want_conditions(const struct access_facts *f, enum perm action,
    enum access_condition *out)
{
	size_t n = 0;

	for (int c = COND_MODULE; c <= COND_PERMISSION; c++)
		out[n++] = (enum access_condition)c;
	if (action == PERM_MAKE_PAYMENT)
		out[n++] = COND_PAYMENT_INFRASTRUCTURE;
	if (is_document_action(action))
		out[n++] = COND_DOCUMENT_SHARED;
	if (is_form_action(action) && f->form_named)
		out[n++] = COND_FORM_OPEN;
	return n;
}

struct decision {
	bool allowed;
	size_t count;
	struct access_check checks[COND__MAX + 1];
};

/*
 * Decides action on f and checks the shape of the answer: every condition
 * of the action listed once, in order, each with a detail; nothing written
 * past them; allowed exactly when all passed.
 */
static void
decide(const struct access_facts *f, enum perm action, struct decision *d)
{
	enum access_condition want[COND__MAX];
	size_t wn = want_conditions(f, action, want);
	bool all = true;

	memset(d, 0x5a, sizeof(*d));
	d->allowed = access_decide(f, action, d->checks, &d->count);
	if (d->count != wn)
		fail_msg("%s: %zu checks, want %zu", perm_catalog[action].key,
		    d->count, wn);
	for (size_t i = 0; i < wn; i++) {
		if (d->checks[i].condition != want[i])
			fail_msg("%s: check %zu is %s, want %s",
			    perm_catalog[action].key, i,
			    access_condition_name(d->checks[i].condition),
			    want_names[want[i]]);
		assert_non_null(d->checks[i].detail);
		assert_true(strlen(d->checks[i].detail) > 0);
		all = all && d->checks[i].ok;
	}
	assert_int_equal(d->allowed, all);
	for (size_t i = 0; i < sizeof(d->checks[0]); i++)
		assert_int_equal(((unsigned char *)&d->checks[wn])[i], 0x5a);
}

/* The check for condition c in d, or NULL. */
static const struct access_check *
find(const struct decision *d, enum access_condition c)
{
	for (size_t i = 0; i < d->count; i++)
		if (d->checks[i].condition == c)
			return &d->checks[i];
	return NULL;
}

/* Asserts that exactly the condition failed is not ok (none with
 * COND__MAX). */
static void
only_failed(const struct decision *d, enum perm action,
    enum access_condition failed)
{
	for (size_t i = 0; i < d->count; i++) {
		bool want_ok = d->checks[i].condition != failed;

		if (d->checks[i].ok != want_ok)
			fail_msg("%s, %s failing: %s is %s",
			    perm_catalog[action].key,
			    failed < COND__MAX ? want_names[failed] : "nothing",
			    want_names[d->checks[i].condition],
			    d->checks[i].ok ? "ok" : "not ok");
	}
	if (failed < COND__MAX) {
		assert_non_null(find(d, failed));
		assert_false(d->allowed);
	} else {
		assert_true(d->allowed);
	}
}

static void
test_condition_names(void **state)
{
	const char *unknown;

	(void)state;
	for (int c = 0; c < COND__MAX; c++) {
		assert_non_null(access_condition_name(c));
		assert_string_equal(access_condition_name(c), want_names[c]);
	}
	/* Out of range: a name, but none of the real ones. */
	unknown = access_condition_name(COND__MAX);
	assert_non_null(unknown);
	for (int c = 0; c < COND__MAX; c++)
		assert_string_not_equal(unknown, want_names[c]);
	assert_non_null(access_condition_name((enum access_condition)-1));
	assert_non_null(access_condition_name((enum access_condition)1000));
}

/* Every action, everything in place: allowed, every check listed and ok. */
static void
test_all_allowed(void **state)
{
	struct access_facts f = all_ok();
	struct decision d;

	(void)state;
	for (int a = 0; a < PERM__MAX; a++) {
		decide(&f, (enum perm)a, &d);
		only_failed(&d, (enum perm)a, COND__MAX);
	}
}

/* Breaks condition c in f. */
static void
break_condition(struct access_facts *f, enum access_condition c,
    enum perm action)
{
	switch (c) {
	case COND_MODULE:
		f->module = false;
		break;
	case COND_PORTAL_ENABLED:
		f->portal_enabled = false;
		break;
	case COND_CODE_SET:
		f->code_set = false;
		break;
	case COND_PATIENT_ACCESS:
		f->patient_access = false;
		break;
	case COND_CONTACT_ON_FILE:
		f->has_sms_phone = false;
		f->has_email = false;
		break;
	case COND_PERMISSION:
		f->effective = PERM_ALL & ~PERM_BIT(action);
		break;
	case COND_PAYMENT_INFRASTRUCTURE:
		f->payment_active = false;
		break;
	case COND_DOCUMENT_SHARED:
		f->document_shared = false;
		break;
	case COND_FORM_OPEN:
		f->form_open = false;
		break;
	case COND__MAX:
		break;
	}
}

/* Each condition alone failing: denied, every check still listed, and
 * that one the only one not ok, with a detail of its own. */
static void
test_each_condition_alone(void **state)
{
	(void)state;
	for (int a = 0; a < PERM__MAX; a++) {
		enum access_condition want[COND__MAX];
		struct access_facts ok = all_ok();
		size_t wn = want_conditions(&ok, (enum perm)a, want);
		struct decision pass;

		decide(&ok, (enum perm)a, &pass);
		for (size_t i = 0; i < wn; i++) {
			struct access_facts f = all_ok();
			struct decision d;

			break_condition(&f, want[i], (enum perm)a);
			decide(&f, (enum perm)a, &d);
			only_failed(&d, (enum perm)a, want[i]);
			/* The failed check says something else than the
			 * passed one. */
			assert_string_not_equal(find(&d, want[i])->detail,
			    find(&pass, want[i])->detail);
		}
	}
}

static void
test_nothing_in_place(void **state)
{
	struct access_facts f;
	struct decision d;

	(void)state;
	memset(&f, 0, sizeof(f));
	for (int a = 0; a < PERM__MAX; a++) {
		decide(&f, (enum perm)a, &d);
		assert_false(d.allowed);
		for (size_t i = 0; i < d.count; i++)
			assert_false(d.checks[i].ok);
	}
}

static void
test_contact_on_file(void **state)
{
	struct access_facts f = all_ok();
	struct decision d;

	(void)state;
	f.has_email = false;			/* phone only */
	decide(&f, PERM_VIEW_PROFILE, &d);
	only_failed(&d, PERM_VIEW_PROFILE, COND__MAX);
	f.has_sms_phone = false;
	f.has_email = true;			/* email only */
	decide(&f, PERM_VIEW_PROFILE, &d);
	only_failed(&d, PERM_VIEW_PROFILE, COND__MAX);
	f.has_email = false;			/* neither */
	decide(&f, PERM_VIEW_PROFILE, &d);
	only_failed(&d, PERM_VIEW_PROFILE, COND_CONTACT_ON_FILE);
}

static void
test_permission(void **state)
{
	struct access_facts f = all_ok();
	struct decision d;

	(void)state;
	/* The action's own key is enough... */
	f.effective = PERM_BIT(PERM_SEND_MESSAGE);
	decide(&f, PERM_SEND_MESSAGE, &d);
	only_failed(&d, PERM_SEND_MESSAGE, COND__MAX);
	/* ... and no other key stands in for it. */
	decide(&f, PERM_VIEW_MESSAGES, &d);
	only_failed(&d, PERM_VIEW_MESSAGES, COND_PERMISSION);
	f.effective = 0;
	decide(&f, PERM_SEND_MESSAGE, &d);
	only_failed(&d, PERM_SEND_MESSAGE, COND_PERMISSION);
	/* The view key does not grant the action, nor the reverse. */
	f.effective = PERM_BIT(PERM_VIEW_APPOINTMENTS);
	decide(&f, PERM_CREATE_APPOINTMENT, &d);
	only_failed(&d, PERM_CREATE_APPOINTMENT, COND_PERMISSION);
	f.effective = PERM_BIT(PERM_CREATE_APPOINTMENT);
	decide(&f, PERM_VIEW_APPOINTMENTS, &d);
	only_failed(&d, PERM_VIEW_APPOINTMENTS, COND_PERMISSION);
}

static void
test_payment_infrastructure(void **state)
{
	struct access_facts f = all_ok();
	struct decision d;

	(void)state;
	decide(&f, PERM_MAKE_PAYMENT, &d);
	assert_int_equal(d.count, 7);
	assert_int_equal(d.checks[6].condition, COND_PAYMENT_INFRASTRUCTURE);
	assert_true(d.checks[6].ok);
	assert_true(d.allowed);

	f.payment_active = false;
	decide(&f, PERM_MAKE_PAYMENT, &d);
	only_failed(&d, PERM_MAKE_PAYMENT, COND_PAYMENT_INFRASTRUCTURE);
	/* Only paying needs it: the other finance keys do not ask. */
	decide(&f, PERM_VIEW_BALANCE, &d);
	only_failed(&d, PERM_VIEW_BALANCE, COND__MAX);
	assert_null(find(&d, COND_PAYMENT_INFRASTRUCTURE));
	decide(&f, PERM_VIEW_PAYMENTS, &d);
	only_failed(&d, PERM_VIEW_PAYMENTS, COND__MAX);
	decide(&f, PERM_VIEW_INVOICES, &d);
	only_failed(&d, PERM_VIEW_INVOICES, COND__MAX);

	/* Both missing: both named. */
	f.effective = PERM_ALL & ~PERM_BIT(PERM_MAKE_PAYMENT);
	decide(&f, PERM_MAKE_PAYMENT, &d);
	assert_false(d.allowed);
	assert_false(find(&d, COND_PERMISSION)->ok);
	assert_false(find(&d, COND_PAYMENT_INFRASTRUCTURE)->ok);
	assert_true(find(&d, COND_MODULE)->ok);
}

static void
test_document_shared(void **state)
{
	static const enum perm docs[] = {
		PERM_VIEW_DOCUMENTS, PERM_DOWNLOAD_DOCUMENTS, PERM_VIEW_IMAGES,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		enum perm a = docs[i];
		struct access_facts f = all_ok();
		struct decision d;
		const char *not_shared, *not_named;

		/* Named and shared: ok, last of the list. */
		decide(&f, a, &d);
		assert_int_equal(d.count, 7);
		assert_int_equal(d.checks[6].condition, COND_DOCUMENT_SHARED);
		only_failed(&d, a, COND__MAX);

		/* Named, not shared. */
		f.document_shared = false;
		decide(&f, a, &d);
		only_failed(&d, a, COND_DOCUMENT_SHARED);
		not_shared = find(&d, COND_DOCUMENT_SHARED)->detail;

		/* Not named: never ok, whatever "shared" says, and the
		 * detail asks for a document rather than saying it is not
		 * shared. */
		f.document_named = false;
		decide(&f, a, &d);
		only_failed(&d, a, COND_DOCUMENT_SHARED);
		not_named = find(&d, COND_DOCUMENT_SHARED)->detail;
		assert_string_not_equal(not_named, not_shared);
		f.document_shared = true;
		decide(&f, a, &d);
		only_failed(&d, a, COND_DOCUMENT_SHARED);
		assert_string_equal(find(&d, COND_DOCUMENT_SHARED)->detail,
		    not_named);
	}
}

/* Actions that are not about one shared document or a payment have just
 * the six conditions, whatever those facts say. */
static void
test_plain_actions(void **state)
{
	struct access_facts f = all_ok();
	struct decision d;

	(void)state;
	f.payment_active = false;
	f.document_named = false;
	f.document_shared = false;
	f.form_named = false;
	f.form_open = false;
	for (int a = 0; a < PERM__MAX; a++) {
		if (a == PERM_MAKE_PAYMENT || is_document_action((enum perm)a))
			continue;
		decide(&f, (enum perm)a, &d);
		assert_int_equal(d.count, 6);
		only_failed(&d, (enum perm)a, COND__MAX);
	}
	/* Uploading is not about a shared document. */
	decide(&f, PERM_UPLOAD_DOCUMENTS, &d);
	assert_null(find(&d, COND_DOCUMENT_SHARED));
	assert_true(d.allowed);
}

/* "The patient cannot submit forms" (the guide): with a form named, the
 * form's own condition follows the permission's; without one, the forms
 * keys have the six conditions alone. */
static void
test_form_open(void **state)
{
	static const enum perm forms[] = { PERM_VIEW_FORMS, PERM_SUBMIT_FORMS };

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		enum perm a = forms[i];
		struct access_facts f = all_ok();
		struct decision d;

		decide(&f, a, &d);
		assert_int_equal(d.count, 7);
		assert_int_equal(d.checks[6].condition, COND_FORM_OPEN);
		only_failed(&d, a, COND__MAX);

		f.form_open = false;
		decide(&f, a, &d);
		only_failed(&d, a, COND_FORM_OPEN);

		/* The permission missing and the form closed: both named. */
		f.effective = PERM_ALL & ~PERM_BIT(a);
		decide(&f, a, &d);
		assert_false(find(&d, COND_PERMISSION)->ok);
		assert_false(find(&d, COND_FORM_OPEN)->ok);

		/* No form named: not a condition. */
		f = all_ok();
		f.form_named = false;
		f.form_open = false;
		decide(&f, a, &d);
		assert_int_equal(d.count, 6);
		assert_null(find(&d, COND_FORM_OPEN));
		assert_true(d.allowed);
	}
	/* Other actions never ask about a form, and what the app may offer
	 * leaves a form's own condition aside. */
	{
		struct access_facts f = all_ok();
		struct decision d;

		f.form_open = false;
		decide(&f, PERM_VIEW_MESSAGES, &d);
		assert_null(find(&d, COND_FORM_OPEN));
		assert_true(d.allowed);
		assert_true((access_usable(&f) & PERM_BIT(PERM_SUBMIT_FORMS)) != 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_condition_names),
		cmocka_unit_test(test_all_allowed),
		cmocka_unit_test(test_each_condition_alone),
		cmocka_unit_test(test_nothing_in_place),
		cmocka_unit_test(test_contact_on_file),
		cmocka_unit_test(test_permission),
		cmocka_unit_test(test_payment_infrastructure),
		cmocka_unit_test(test_document_shared),
		cmocka_unit_test(test_plain_actions),
		cmocka_unit_test(test_form_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
