/* ics_test.c - unit tests of the iCalendar writer (ics.h, written with
 * libical): the required properties in order, CRLF line ends only, text
 * escaped (RFC 5545 3.3.11), lines folded at 75 octets without splitting
 * a UTF-8 character, and unfolding giving the value back; with the
 * clinic's time zone, DTSTART and DTEND in its wall-clock time with TZID
 * and a VTIMEZONE of that name whose offsets give back the UTC times. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
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

/* The unfolded lines of text, each NUL-terminated, in *n. */
static char **
lines_of(char *flat, size_t *n)
{
	char **lines = calloc(strlen(flat) / 2 + 2, sizeof(*lines));
	char *p = flat, *eol;

	assert_non_null(lines);
	*n = 0;
	while ((eol = strstr(p, "\r\n")) != NULL) {
		*eol = '\0';
		lines[(*n)++] = p;
		p = eol + 2;
	}
	return lines;
}

/* Index of the first line equal to want at or after from, or -1. */
static long
find_line(char **lines, size_t n, size_t from, const char *want)
{
	for (size_t i = from; i < n; i++)
		if (strcmp(lines[i], want) == 0)
			return (long)i;
	return -1;
}

/* Checks a calendar written with tzid: the VTIMEZONE comes before the
 * VEVENT and is named tzid; DTSTART and DTEND are want_start and want_end
 * (local, with TZID=tzid); the observance in force has TZOFFSETTO
 * want_offset; DTSTAMP stays UTC. */
static void
assert_zoned(const char *text, const char *tzid, const char *want_start,
    const char *want_end, const char *want_offset)
{
	char *flat = unfold(text), **lines, want[128];
	size_t n;
	long vtz, vtz_end, ev, i;
	bool offset_seen = false;

	lines = lines_of(flat, &n);
	vtz = find_line(lines, n, 0, "BEGIN:VTIMEZONE");
	vtz_end = find_line(lines, n, 0, "END:VTIMEZONE");
	ev = find_line(lines, n, 0, "BEGIN:VEVENT");
	assert_true(vtz > 0 && vtz < vtz_end && vtz_end < ev);
	snprintf(want, sizeof(want), "TZID:%s", tzid);
	assert_true(find_line(lines, n, (size_t)vtz, want) > vtz &&
	    find_line(lines, n, (size_t)vtz, want) < vtz_end);
	snprintf(want, sizeof(want), "TZOFFSETTO:%s", want_offset);
	for (i = vtz; i < vtz_end; i++)
		if (strcmp(lines[i], want) == 0)
			offset_seen = true;
	assert_true(offset_seen);
	/* Only one VTIMEZONE, only one of each time in the event. */
	assert_int_equal(find_line(lines, n, (size_t)vtz_end, "BEGIN:VTIMEZONE"), -1);
	snprintf(want, sizeof(want), "DTSTART;TZID=%s:%s", tzid, want_start);
	assert_true(find_line(lines, n, (size_t)ev, want) > ev);
	snprintf(want, sizeof(want), "DTEND;TZID=%s:%s", tzid, want_end);
	assert_true(find_line(lines, n, (size_t)ev, want) > ev);
	for (i = ev; i < (long)n; i++) {
		assert_true(strncmp(lines[i], "DTSTART:", 8) != 0);
		assert_true(strncmp(lines[i], "DTEND:", 6) != 0);
	}
	assert_true(find_line(lines, n, (size_t)ev, "DTSTAMP:20261125T080000Z") > ev);
	free(lines);
	free(flat);
}

static void
test_clinic_time_zone(void **state)
{
	struct arena *a = arena_new(16384);
	struct ics_event e = sample();
	size_t len = 0;
	char *text;

	(void)state;
	/* Istanbul: +03:00 all year. */
	e.tzid = "Europe/Istanbul";
	text = ics_render(a, &e, &len);
	assert_non_null(text);
	assert_lines_ok(text, len);
	assert_zoned(text, "Europe/Istanbul", "20261201T103000", "20261201T110000",
	    "+0300");
	assert_non_null(strstr(text, "\r\nSUMMARY:Check-up (Dr. Deniz Aydın)\r\n"));

	/* Berlin: winter time in December, summer time in July. */
	e.tzid = "Europe/Berlin";
	text = ics_render(a, &e, &len);
	assert_non_null(text);
	assert_lines_ok(text, len);
	assert_zoned(text, "Europe/Berlin", "20261201T083000", "20261201T090000",
	    "+0100");
	e.dtstart = "20260701T073000Z";
	e.dtend = "20260701T080000Z";
	text = ics_render(a, &e, &len);
	assert_non_null(text);
	assert_zoned(text, "Europe/Berlin", "20260701T093000", "20260701T100000",
	    "+0200");

	/* Across the change back to winter time (25 October 2026, 03:00
	 * CEST becomes 02:00 CET): both offsets are described. */
	e.dtstart = "20261025T003000Z";
	e.dtend = "20261025T013000Z";
	text = ics_render(a, &e, &len);
	assert_non_null(text);
	assert_zoned(text, "Europe/Berlin", "20261025T023000", "20261025T023000",
	    "+0100");
	assert_non_null(strstr(text, "\r\nTZOFFSETFROM:+0200\r\n"));
	arena_free(a);
}

static void
test_unknown_or_utc_zone_keeps_utc(void **state)
{
	static const char *const zones[] = { "Nowhere/Atlantis", "UTC", "" };
	struct arena *a = arena_new(8192);
	struct ics_event e = sample();
	size_t len = 0;
	char *text;

	(void)state;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		e.tzid = zones[i];
		text = ics_render(a, &e, &len);
		assert_non_null(text);
		assert_lines_ok(text, len);
		assert_null(strstr(text, "VTIMEZONE"));
		assert_null(strstr(text, "TZID"));
		assert_non_null(strstr(text, "\r\nDTSTART:20261201T073000Z\r\n"));
		assert_non_null(strstr(text, "\r\nDTEND:20261201T080000Z\r\n"));
	}
	arena_free(a);
}

static void
test_refuses_malformed_times(void **state)
{
	static const char *const bad[] = { "2026-12-01T07:30:00Z",
	    "20261201T073000", "20261301T073000Z", "20261232T073000Z",
	    "20260229T073000Z", "20261201T243000Z", "2026120aT073000Z",
	    "20261201", "", NULL };
	struct arena *a = arena_new(4096);
	struct ics_event e;
	size_t len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = sample();
		e.dtstart = bad[i];
		assert_null(ics_render(a, &e, &len));
		e = sample();
		e.dtstamp = bad[i];
		assert_null(ics_render(a, &e, &len));
	}
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_clinic_time_zone),
		cmocka_unit_test(test_unknown_or_utc_zone_keeps_utc),
		cmocka_unit_test(test_refuses_malformed_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
