/* permissions_test.c - unit tests of the permission catalog, the presets
 * and the pair warnings (permissions.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "permissions.h"

#define B(p) PERM_BIT(PERM_##p)

/* DESIGN.md section 3, table of the seven groups, in its order. */
static const char *const want_groups[] = {
	"profile", "appointments", "treatments", "finance", "documents",
	"messages", "forms",
};
#define GROUPS_N (sizeof(want_groups) / sizeof(want_groups[0]))

static const struct {
	const char *key;
	const char *group;
} want_keys[] = {
	{ "view_profile", "profile" },
	{ "update_profile", "profile" },
	{ "upload_photo", "profile" },
	{ "view_appointments", "appointments" },
	{ "create_appointment", "appointments" },
	{ "cancel_appointment", "appointments" },
	{ "view_treatments", "treatments" },
	{ "view_balance", "finance" },
	{ "view_invoices", "finance" },
	{ "view_payments", "finance" },
	{ "make_payment", "finance" },
	{ "view_documents", "documents" },
	{ "download_documents", "documents" },
	{ "upload_documents", "documents" },
	{ "view_images", "documents" },
	{ "view_messages", "messages" },
	{ "send_message", "messages" },
	{ "view_forms", "forms" },
	{ "submit_forms", "forms" },
};
#define KEYS_N (sizeof(want_keys) / sizeof(want_keys[0]))

static int
popcount(perm_set s)
{
	int n = 0;

	for (; s != 0; s &= s - 1)
		n++;
	return n;
}

/* The keys of set, comma-separated, for messages. */
static const char *
keys_of(perm_set set, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < PERM__MAX; i++) {
		if (!(set & PERM_BIT(i)))
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
		    n > 0 ? "," : "", perm_catalog[i].key);
		if (n >= size)
			break;
	}
	return buf;
}

static void
assert_set_equal(perm_set got, perm_set want, const char *what)
{
	char g[512], w[512];

	if (got != want)
		fail_msg("%s: got {%s}, want {%s}", what,
		    keys_of(got, g, sizeof(g)), keys_of(want, w, sizeof(w)));
}

static void
test_groups(void **state)
{
	(void)state;
	assert_int_equal(perm_groups_count, GROUPS_N);
	for (size_t i = 0; i < GROUPS_N; i++) {
		assert_string_equal(perm_groups[i].key, want_groups[i]);
		assert_non_null(perm_groups[i].label_tr);
		assert_non_null(perm_groups[i].label_en);
		assert_true(strlen(perm_groups[i].label_tr) > 0);
		assert_true(strlen(perm_groups[i].label_en) > 0);
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(perm_groups[i].label_tr,
			    perm_groups[j].label_tr);
			assert_string_not_equal(perm_groups[i].label_en,
			    perm_groups[j].label_en);
		}
	}
}

/* The 19 keys, in the design's order, each in its group. */
static void
test_catalog_order_and_groups(void **state)
{
	(void)state;
	assert_int_equal(PERM__MAX, 19);
	assert_int_equal(KEYS_N, PERM__MAX);
	for (size_t i = 0; i < KEYS_N; i++) {
		const struct perm_def *d = &perm_catalog[i];

		assert_non_null(d->key);
		assert_string_equal(d->key, want_keys[i].key);
		assert_in_range(d->group, 0, perm_groups_count - 1);
		if (strcmp(perm_groups[d->group].key, want_keys[i].group) != 0)
			fail_msg("%s is in group %s, want %s", d->key,
			    perm_groups[d->group].key, want_keys[i].group);
	}
	/* Groups come in order: the catalog never goes back to one. */
	for (size_t i = 1; i < KEYS_N; i++)
		assert_true(perm_catalog[i].group >= perm_catalog[i - 1].group);

	/* A few of the enum values against their keys, by name. */
	assert_string_equal(perm_catalog[PERM_VIEW_PROFILE].key, "view_profile");
	assert_string_equal(perm_catalog[PERM_MAKE_PAYMENT].key, "make_payment");
	assert_string_equal(perm_catalog[PERM_VIEW_IMAGES].key, "view_images");
	assert_string_equal(perm_catalog[PERM_SUBMIT_FORMS].key, "submit_forms");
}

static void
test_labels(void **state)
{
	(void)state;
	for (size_t i = 0; i < PERM__MAX; i++) {
		const struct perm_def *d = &perm_catalog[i];

		assert_non_null(d->label_tr);
		assert_non_null(d->label_en);
		assert_non_null(d->description_tr);
		assert_non_null(d->description_en);
		if (strlen(d->label_tr) == 0 || strlen(d->label_en) == 0 ||
		    strlen(d->description_tr) == 0 ||
		    strlen(d->description_en) == 0)
			fail_msg("%s has an empty label or description", d->key);
		/* Two keys never share a label, in either language. */
		for (size_t j = 0; j < i; j++) {
			if (strcmp(d->label_tr, perm_catalog[j].label_tr) == 0 ||
			    strcmp(d->label_en, perm_catalog[j].label_en) == 0)
				fail_msg("%s and %s share a label", d->key,
				    perm_catalog[j].key);
		}
	}
}

static void
test_recommended_with(void **state)
{
	(void)state;
	for (int i = 0; i < PERM__MAX; i++) {
		perm_set r = perm_catalog[i].recommended_with;

		assert_int_equal(r & ~PERM_ALL, 0);
		assert_int_equal(r & PERM_BIT(i), 0);	/* not itself */
	}
	/* The guide's pairs are among them. */
	assert_true(perm_catalog[PERM_CREATE_APPOINTMENT].recommended_with &
	    B(VIEW_APPOINTMENTS));
	assert_true(perm_catalog[PERM_CANCEL_APPOINTMENT].recommended_with &
	    B(VIEW_APPOINTMENTS));
	assert_true(perm_catalog[PERM_SUBMIT_FORMS].recommended_with &
	    B(VIEW_FORMS));
}

static void
test_from_key(void **state)
{
	static const char *const unknown[] = {
		"", " ", "view", "profile", "view_profile ", " view_profile",
		"view-profile", "viewprofile", "view_profiles", "view_profil",
		"View_Profile", "VIEW_PROFILE", "Make_Payment", "make_Payment",
		"SUBMIT_FORMS", "view_image", "upload_document", "view_photo",
		"basic", "full", "view_appointments\n",
	};

	(void)state;
	for (size_t i = 0; i < KEYS_N; i++)
		assert_int_equal(perm_from_key(want_keys[i].key), (int)i);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (perm_from_key(unknown[i]) != -1)
			fail_msg("\"%s\" is taken for key %d", unknown[i],
			    perm_from_key(unknown[i]));
}

static void
test_perm_all(void **state)
{
	(void)state;
	assert_int_equal(popcount(PERM_ALL), 19);
	assert_int_equal(PERM_ALL, 0x7ffff);
	for (int i = 0; i < PERM__MAX; i++)
		assert_true(PERM_ALL & PERM_BIT(i));
	assert_false(PERM_ALL & PERM_BIT(PERM__MAX));
}

static const struct perm_preset *
preset(const char *key)
{
	for (size_t i = 0; i < perm_presets_count; i++)
		if (strcmp(perm_presets[i].key, key) == 0)
			return &perm_presets[i];
	fail_msg("no preset \"%s\"", key);
	return NULL;
}

static void
test_presets(void **state)
{
	const struct perm_preset *p;

	(void)state;
	assert_int_equal(perm_presets_count, 3);
	assert_string_equal(perm_presets[0].key, "basic");
	assert_string_equal(perm_presets[1].key, "finance");
	assert_string_equal(perm_presets[2].key, "full");

	/* DESIGN.md section 3: the members a preset always sets, and the
	 * optional ones it leaves to the clinic. */
	p = preset("basic");
	assert_set_equal(p->permissions, B(VIEW_PROFILE) |
	    B(VIEW_APPOINTMENTS) | B(CREATE_APPOINTMENT), "basic");
	assert_set_equal(p->optional, B(CANCEL_APPOINTMENT), "basic optional");

	p = preset("finance");
	assert_set_equal(p->permissions, B(VIEW_APPOINTMENTS) |
	    B(VIEW_INVOICES) | B(VIEW_BALANCE) | B(VIEW_PAYMENTS), "finance");
	assert_set_equal(p->optional, B(MAKE_PAYMENT), "finance optional");

	p = preset("full");
	assert_set_equal(p->permissions, B(VIEW_PROFILE) | B(UPDATE_PROFILE) |
	    B(VIEW_APPOINTMENTS) | B(CREATE_APPOINTMENT) |
	    B(CANCEL_APPOINTMENT) | B(VIEW_TREATMENTS) | B(VIEW_INVOICES) |
	    B(VIEW_BALANCE) | B(VIEW_PAYMENTS) | B(MAKE_PAYMENT) |
	    B(VIEW_DOCUMENTS) | B(DOWNLOAD_DOCUMENTS) | B(VIEW_MESSAGES) |
	    B(SEND_MESSAGE) | B(VIEW_FORMS) | B(SUBMIT_FORMS), "full");
	assert_set_equal(p->optional, B(UPLOAD_DOCUMENTS), "full optional");
	/* The guide's full set leaves these out. */
	assert_false(perm_preset_members(p) & B(UPLOAD_PHOTO));
	assert_false(perm_preset_members(p) & B(VIEW_IMAGES));
	assert_int_equal(popcount(perm_preset_members(p)), 17);

	for (size_t i = 0; i < perm_presets_count; i++) {
		p = &perm_presets[i];
		/* A key is in one list, never in both. */
		assert_int_equal(p->optional & p->permissions, 0);
		assert_int_not_equal(p->optional, 0);
		assert_int_equal(perm_preset_members(p),
		    p->permissions | p->optional);
		assert_int_equal(perm_preset_members(p) & ~PERM_ALL, 0);
		assert_non_null(p->label_tr);
		assert_non_null(p->label_en);
		assert_true(strlen(p->label_tr) > 0);
		assert_true(strlen(p->label_en) > 0);
		/* No preset draws a pair warning by itself, with or without
		 * its optional keys. */
		assert_int_equal(perm_pair_warnings(p->permissions), 0);
		assert_int_equal(perm_pair_warnings(perm_preset_members(p)), 0);
	}
}

/* perm_keys[] is the catalog's keys, in its order, NULL-terminated. */
static void
test_perm_keys(void **state)
{
	(void)state;
	for (int i = 0; i < PERM__MAX; i++) {
		assert_non_null(perm_keys[i]);
		assert_string_equal(perm_keys[i], perm_catalog[i].key);
		assert_int_equal(perm_from_key(perm_keys[i]), i);
	}
	assert_null(perm_keys[PERM__MAX]);
}

#define W_APPT (1u << PERM_WARN_APPOINTMENTS_WITHOUT_VIEW)
#define W_FORMS (1u << PERM_WARN_FORMS_WITHOUT_VIEW)

static void
test_pair_warnings(void **state)
{
	(void)state;
	assert_int_equal(perm_pair_warnings(0), 0);
	assert_int_equal(perm_pair_warnings(PERM_ALL), 0);

	/* Create or cancel without view. */
	assert_int_equal(perm_pair_warnings(B(CREATE_APPOINTMENT)), W_APPT);
	assert_int_equal(perm_pair_warnings(B(CANCEL_APPOINTMENT)), W_APPT);
	assert_int_equal(perm_pair_warnings(B(CREATE_APPOINTMENT) |
	    B(CANCEL_APPOINTMENT)), W_APPT);
	assert_int_equal(perm_pair_warnings(PERM_ALL & ~B(VIEW_APPOINTMENTS)),
	    W_APPT);
	/* With view: none. */
	assert_int_equal(perm_pair_warnings(B(VIEW_APPOINTMENTS) |
	    B(CREATE_APPOINTMENT)), 0);
	assert_int_equal(perm_pair_warnings(B(VIEW_APPOINTMENTS) |
	    B(CANCEL_APPOINTMENT)), 0);
	assert_int_equal(perm_pair_warnings(B(VIEW_APPOINTMENTS) |
	    B(CREATE_APPOINTMENT) | B(CANCEL_APPOINTMENT)), 0);
	/* View alone is fine. */
	assert_int_equal(perm_pair_warnings(B(VIEW_APPOINTMENTS)), 0);

	/* Submit forms without view forms. */
	assert_int_equal(perm_pair_warnings(B(SUBMIT_FORMS)), W_FORMS);
	assert_int_equal(perm_pair_warnings(PERM_ALL & ~B(VIEW_FORMS)), W_FORMS);
	assert_int_equal(perm_pair_warnings(B(SUBMIT_FORMS) | B(VIEW_FORMS)), 0);
	assert_int_equal(perm_pair_warnings(B(VIEW_FORMS)), 0);

	/* Both at once. */
	assert_int_equal(perm_pair_warnings(B(CANCEL_APPOINTMENT) |
	    B(SUBMIT_FORMS)), W_APPT | W_FORMS);

	/* Other "view" pairs of the catalog draw no pair warning. */
	assert_int_equal(perm_pair_warnings(B(SEND_MESSAGE) |
	    B(DOWNLOAD_DOCUMENTS) | B(UPDATE_PROFILE) | B(MAKE_PAYMENT)), 0);
}

static void
test_warning_keys(void **state)
{
	enum perm_warning a = PERM_WARN_APPOINTMENTS_WITHOUT_VIEW;
	enum perm_warning f = PERM_WARN_FORMS_WITHOUT_VIEW;

	(void)state;
	/* Both sides: the actions present and the view they lack. */
	assert_set_equal(perm_warning_keys(a, B(CREATE_APPOINTMENT)),
	    B(CREATE_APPOINTMENT) | B(VIEW_APPOINTMENTS), "create");
	assert_set_equal(perm_warning_keys(a, B(CANCEL_APPOINTMENT)),
	    B(CANCEL_APPOINTMENT) | B(VIEW_APPOINTMENTS), "cancel");
	assert_set_equal(perm_warning_keys(a, B(CREATE_APPOINTMENT) |
	    B(CANCEL_APPOINTMENT)), B(CREATE_APPOINTMENT) |
	    B(CANCEL_APPOINTMENT) | B(VIEW_APPOINTMENTS), "create+cancel");
	/* Keys of other groups in the set are not named. */
	assert_set_equal(perm_warning_keys(a, B(CREATE_APPOINTMENT) |
	    B(VIEW_PROFILE) | B(SUBMIT_FORMS)),
	    B(CREATE_APPOINTMENT) | B(VIEW_APPOINTMENTS), "create+others");

	assert_set_equal(perm_warning_keys(f, B(SUBMIT_FORMS)),
	    B(SUBMIT_FORMS) | B(VIEW_FORMS), "submit");
	assert_set_equal(perm_warning_keys(f, B(SUBMIT_FORMS) |
	    B(CREATE_APPOINTMENT)), B(SUBMIT_FORMS) | B(VIEW_FORMS),
	    "submit+create");
	assert_int_equal(perm_warning_keys(PERM_WARN__MAX, PERM_ALL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_catalog_order_and_groups),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_recommended_with),
		cmocka_unit_test(test_from_key),
		cmocka_unit_test(test_perm_all),
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_perm_keys),
		cmocka_unit_test(test_pair_warnings),
		cmocka_unit_test(test_warning_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
