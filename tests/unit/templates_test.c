/* templates_test.c - placeholders and the SMS measure (templates.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

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

static void
test_render(void **state)
{
	struct arena *a = *state;
	struct tpl_values v;

	memset(&v, 0, sizeof(v));
	v.values[PH_CLINIC_NAME] = "Simple Dent";
	v.values[PH_PORTAL_URL] = "https://heal.example/simple-dent";
	assert_string_equal(tpl_render(a, "{{clinic_name}}: {{portal_url}} "
	    "{{otp}}.", &v), "Simple Dent: https://heal.example/simple-dent .");
	assert_string_equal(tpl_render(a, "{{unknown}} {{clinic_name}}", &v),
	    "{{unknown}} Simple Dent");
	assert_string_equal(tpl_render(a, "", &v), "");
}

static void
test_appointment_placeholders(void **state)
{
	struct arena *a = *state;
	struct tpl_values v;
	unsigned found = 0;
	const char *bad = NULL;

	assert_true(tpl_scan(a, "{{appointment_start}} {{practitioner_name}} "
	    "{{appointment_type}}", &found, &bad));
	assert_int_equal(found, PH_BIT(PH_APPOINTMENT_START) |
	    PH_BIT(PH_PRACTITIONER_NAME) | PH_BIT(PH_APPOINTMENT_TYPE));
	assert_string_equal(tpl_placeholder_name(PH_APPOINTMENT_START),
	    "appointment_start");
	assert_false(tpl_scan(a, "{{appointment_end}}", &found, &bad));
	memset(&v, 0, sizeof(v));
	v.values[PH_APPOINTMENT_START] = "01.12.2026 10:30";
	v.values[PH_PRACTITIONER_NAME] = "Dr. Deniz Aydın";
	v.values[PH_APPOINTMENT_TYPE] = "Check-up";
	assert_string_equal(tpl_render(a, "{{appointment_type}} with "
	    "{{practitioner_name}} on {{appointment_start}}", &v),
	    "Check-up with Dr. Deniz Aydın on 01.12.2026 10:30");
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
		cmocka_unit_test_setup_teardown(test_render, setup, teardown),
		cmocka_unit_test_setup_teardown(test_appointment_placeholders,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
