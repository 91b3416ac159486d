/* ics_test.c - unit tests of the iCalendar writer (ics.h): the required
 * properties in order, CRLF line ends only, text escaped (RFC 5545
 * 3.3.11), lines folded at 75 octets without splitting a UTF-8
 * character, and unfolding giving the value back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ics.h"

static struct ics_event
sample(void)
{
	struct ics_event e = {
		.uid = "0b7e2c1e-3f55-4c1a-9d0a-1c2f0e6b9a10@patient-portal",
		.dtstamp = "20261125T080000Z",
		.dtstart = "20261201T073000Z",
		.dtend = "20261201T080000Z",
		.summary = "Check-up (Dr. Deniz Aydın)",
		.location = "Simple Dent",
		.status = "CONFIRMED",
	};
	return e;
}

/* Every line ends with CRLF, no bare CR or LF, none longer than 75. */
static void
assert_lines_ok(const char *text, size_t len)
{
	size_t start = 0;

	assert_int_equal(strlen(text), len);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r') {
			assert_true(i + 1 < len && text[i + 1] == '\n');
			assert_true(i - start <= 75);
			start = i + 2;
			i++;
		} else {
			assert_true(text[i] != '\n');
		}
	}
	assert_int_equal(start, len);
}

/* The text with folds (CRLF + space) removed. */
static char *
unfold(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	for (const char *p = text; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			p += 2;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static void
test_structure(void **state)
{
	struct arena *a = arena_new(4096);
	struct ics_event e = sample();
	size_t len = 0;
	char *text = ics_render(a, &e, &len);

	(void)state;
	assert_non_null(text);
	assert_lines_ok(text, len);
	assert_true(strncmp(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", 37) == 0);
	assert_non_null(strstr(text, "\r\nBEGIN:VEVENT\r\n"));
	assert_non_null(strstr(text, "\r\nUID:0b7e2c1e-3f55-4c1a-9d0a-1c2f0e6b9a10@patient-portal\r\n"));
	assert_non_null(strstr(text, "\r\nDTSTAMP:20261125T080000Z\r\n"));
	assert_non_null(strstr(text, "\r\nDTSTART:20261201T073000Z\r\n"));
	assert_non_null(strstr(text, "\r\nDTEND:20261201T080000Z\r\n"));
	assert_non_null(strstr(text, "\r\nSUMMARY:Check-up (Dr. Deniz Aydın)\r\n"));
	assert_non_null(strstr(text, "\r\nLOCATION:Simple Dent\r\n"));
	assert_non_null(strstr(text, "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"));
	assert_int_equal(strlen(strstr(text, "END:VCALENDAR\r\n")), 15);
	arena_free(a);
}

static void
test_escaping(void **state)
{
	struct arena *a = arena_new(4096);
	struct ics_event e = sample();
	size_t len = 0;
	char *text;

	(void)state;
	e.summary = "a;b,c\\d\ne\rf";
	e.location = "Dent, Şişli; 2";
	text = ics_render(a, &e, &len);
	assert_non_null(text);
	assert_lines_ok(text, len);
	assert_non_null(strstr(text, "\r\nSUMMARY:a\\;b\\,c\\\\d\\nef\r\n"));
	assert_non_null(strstr(text, "\r\nLOCATION:Dent\\, Şişli\\; 2\r\n"));
	arena_free(a);
}

static void
test_folding(void **state)
{
	struct arena *a = arena_new(8192);
	struct ics_event e = sample();
	char summary[600], *text, *flat, *expect;
	size_t len = 0, n = 0;

	(void)state;
	/* Two-byte characters at every offset, so a fold would land inside
	 * one if the writer were careless. */
	for (int i = 0; i < 120; i++) {
		memcpy(summary + n, i % 3 ? "ş" : "x", i % 3 ? 2 : 1);
		n += i % 3 ? 2 : 1;
	}
	summary[n] = '\0';
	e.summary = summary;
	text = ics_render(a, &e, &len);
	assert_non_null(text);
	assert_lines_ok(text, len);
	/* No continuation line starts with a UTF-8 continuation byte. */
	for (const char *p = strstr(text, "\r\n "); p; p = strstr(p + 1, "\r\n "))
		assert_true(((unsigned char)p[3] & 0xC0) != 0x80);
	flat = unfold(text);
	expect = malloc(n + 20);
	strcpy(expect, "\r\nSUMMARY:");
	strcat(expect, summary);
	strcat(expect, "\r\n");
	assert_non_null(strstr(flat, expect));
	free(expect);
	free(flat);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_folding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
