/* templates_test.c - message purposes, placeholders and their checks,
 * and the SMS measure (templates.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "arena.h"
#include "templates.h"

static int
setup(void **state)
{
	*state = arena_new(4096);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	arena_free(*state);
	return 0;
}

/* A string of n copies of the UTF-8 character c. */
static char *
repeat(struct arena *a, const char *c, size_t n)
{
	size_t len = strlen(c);
	char *s = arena_alloc(a, len * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * len, c, len);
	s[len * n] = '\0';
	return s;
}

static void
measure(const char *text, int gsm7, size_t units, size_t segments)
{
	struct sms_info info;

	sms_measure(text, &info);
	if (info.gsm7 != (gsm7 != 0) || info.units != units ||
	    info.segments != segments)
		fail_msg("\"%.40s...\": %s %zu units %zu segments, want %s %zu %zu",
		    text, info.gsm7 ? "GSM-7" : "UCS-2", info.units, info.segments,
		    gsm7 ? "GSM-7" : "UCS-2", units, segments);
}

static void
test_gsm7_edges(void **state)
{
	struct arena *a = *state;

	measure(repeat(a, "a", 160), 1, 160, 1);
	measure(repeat(a, "a", 161), 1, 161, 2);
	measure(repeat(a, "a", 306), 1, 306, 2);
	measure(repeat(a, "a", 307), 1, 307, 3);
	measure("", 1, 0, 0);
	/* é ü ö Ç are in the basic alphabet and cost one; ç is not. */
	measure("\xc3\xa9\xc3\xbc\xc3\xb6\xc3\x87", 1, 4, 1);
	measure("\xc3\xa7", 0, 1, 1);
}

static void
test_extension_counts_twice(void **state)
{
	struct arena *a = *state;
	static const char *const ext[] = { "{", "}", "[", "]", "~", "\\", "^",
	    "|", "\xe2\x82\xac" };

	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		measure(ext[i], 1, 2, 1);
		/* 80 of them fill one segment exactly; 81 do not. */
		measure(repeat(a, ext[i], 80), 1, 160, 1);
		measure(repeat(a, ext[i], 81), 1, 162, 2);
	}
}

static void
test_turkish_letters_force_ucs2(void **state)
{
	struct arena *a = *state;

	/* ş, ğ, ı are outside GSM-7. */
	measure("\xc5\x9f", 0, 1, 1);
	measure("\xc4\x9f", 0, 1, 1);
	measure("\xc4\xb1", 0, 1, 1);
	measure(repeat(a, "\xc5\x9f", 70), 0, 70, 1);
	measure(repeat(a, "\xc5\x9f", 71), 0, 71, 2);
	measure(repeat(a, "\xc5\x9f", 134), 0, 134, 2);
	measure(repeat(a, "\xc5\x9f", 135), 0, 135, 3);
	/* One such letter turns a whole ASCII text into UCS-2. */
	{
		char *text = repeat(a, "a", 70);
		char *mixed = arena_printf(a, "%s\xc4\xb1", text);

		measure(mixed, 0, 71, 2);
	}
	/* Outside the BMP: two UTF-16 units. */
	measure("\xf0\x9f\x98\x80", 0, 2, 1);
}

static void
test_scan_placeholders(void **state)
{
	struct arena *a = *state;
	unsigned found = 0;
	const char *bad = NULL;

	assert_true(tpl_scan(a, "Hi {{patient_first_name}}, {{portal_url}} "
	    "{{code}} {{clinic_name}} {{otp}}", &found, &bad));
	assert_int_equal(found, PH_BIT(PH_CODE) | PH_BIT(PH_PORTAL_URL) |
	    PH_BIT(PH_PATIENT_FIRST_NAME) | PH_BIT(PH_CLINIC_NAME) |
	    PH_BIT(PH_OTP));
	assert_true(tpl_scan(a, "no placeholders { } }}", &found, &bad));
	assert_int_equal(found, 0);
	assert_false(tpl_scan(a, "Hello {{name}}!", &found, &bad));
	assert_string_equal(bad, "{{name}}");
	assert_false(tpl_scan(a, "Hello {{ code }}", &found, &bad));
	assert_string_equal(bad, "{{ code }}");
	assert_false(tpl_scan(a, "Hello {{code", &found, &bad));
	assert_non_null(strstr(bad, "{{code"));
	assert_false(tpl_scan(a, "{{CODE}}", &found, &bad));
}

/* The one list of purposes: names unique, NULL-terminated for enums,
 * code messages secret, what a body needs among what it may hold. */
static void
test_purposes(void **state)
{
	const char *const *names = msg_purpose_names();
	size_t i;

	(void)state;
	assert_true(msg_purposes_count >= 6);
	for (i = 0; names[i] != NULL; i++) {
		const struct msg_purpose *p = msg_purpose_find(names[i]);

		assert_ptr_equal(p, &msg_purposes[i]);
		assert_true((p->body_needs & ~p->placeholders) == 0);
		assert_true((p->placeholders & PH_BIT(PH_OTP)) == 0 || p->secret);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(names[j], names[i]);
	}
	assert_int_equal(i, msg_purposes_count);
	assert_true(msg_purpose_find("sign_in_code")->secret);
	assert_true(msg_purpose_find("contact_change_code")->secret);
	assert_false(msg_purpose_find("portal_invitation")->secret);
	assert_false(msg_purpose_find("contact_replaced")->secret);
	assert_null(msg_purpose_find("nonsense"));
	assert_null(msg_purpose_find(NULL));
}

/* Fails with a message matching needle, or passes when needle is NULL. */
static void
check(struct arena *a, const char *purpose, const char *text, bool subject,
    const char *needle)
{
	const char *why = NULL;
	bool ok = tpl_check(a, msg_purpose_find(purpose), text, subject, &why);

	if (needle == NULL && !ok)
		fail_msg("%s \"%s\" refused: %s", purpose, text, why);
	if (needle != NULL && (ok || why == NULL || strstr(why, needle) == NULL))
		fail_msg("%s \"%s\": %s, want \"%s\"", purpose, text,
		    ok ? "passed" : why, needle);
}

static void
test_check(void **state)
{
	struct arena *a = *state;

	check(a, "portal_invitation", "Hi {{patient_first_name}}: {{portal_url}}",
	    false, NULL);
	check(a, "portal_invitation", "{{clinic_name}}", true, NULL);
	check(a, "portal_invitation", "Welcome to {{clinic_name}}", false,
	    "{{code}} or {{portal_url}}");
	check(a, "portal_invitation", "{{portal_url}} {{otp}}", false,
	    "{{otp}} belongs in code messages");
	check(a, "portal_invitation", "{{portal_url}} {{appointment_start}}",
	    false, "appointment templates only");
	check(a, "portal_invitation", "{{name}} {{portal_url}}", false,
	    "Unknown placeholder {{name}}; use {{code}}, {{portal_url}}, "
	    "{{patient_first_name}} or {{clinic_name}}.");
	/* No subject carries a code, whatever the purpose. */
	check(a, "sign_in_code", "Kodunuz {{otp}}", false, NULL);
	check(a, "sign_in_code", "Kodunuz {{otp}}", true, "bodies only");
	check(a, "contact_change_code", "{{otp}}", true, "bodies only");
	check(a, "sign_in_code", "{{clinic_name}} giriş kodunuz", true, NULL);
	check(a, "sign_in_code", "Your code is ready", false, "{{otp}}");
	check(a, "appointment_confirmation", "Booked with {{practitioner_name}}",
	    false, "{{appointment_start}}");
	check(a, "appointment_cancellation", "{{appointment_start}} "
	    "{{appointment_type}} {{practitioner_name}}", false, NULL);
	/* A subject need not hold what a body must. */
	check(a, "appointment_confirmation", "Your appointment", true, NULL);
	check(a, "contact_replaced", "{{clinic_name}}: your phone changed", false,
	    NULL);
}

static void
test_appointment_placeholders(void **state)
{
	struct arena *a = *state;
	unsigned found = 0;
	const char *bad = NULL;

	assert_true(tpl_scan(a, "{{appointment_start}} {{practitioner_name}} "
	    "{{appointment_type}}", &found, &bad));
	assert_int_equal(found, PH_BIT(PH_APPOINTMENT_START) |
	    PH_BIT(PH_PRACTITIONER_NAME) | PH_BIT(PH_APPOINTMENT_TYPE));
	assert_string_equal(tpl_placeholder_name(PH_APPOINTMENT_START),
	    "appointment_start");
	assert_false(tpl_scan(a, "{{appointment_end}}", &found, &bad));
	/* Samples in each language's words. */
	assert_string_equal(tpl_placeholder_sample(PH_APPOINTMENT_START, "tr"),
	    "01.12.2026 10:30");
	assert_string_equal(tpl_placeholder_sample(PH_APPOINTMENT_START, "en"),
	    "1 Dec 2026, 10:30");
	assert_string_equal(tpl_placeholder_sample(PH_OTP, "en"), "123456");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gsm7_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extension_counts_twice, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_turkish_letters_force_ucs2,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_placeholders, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_purposes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_appointment_placeholders,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
