/* tztime_test.c - unit tests of tztime.h: instants in a zone (fixed
 * offsets, both daylight-saving changes of Europe/Berlin, negative and
 * half-hour offsets, fractions dropped, zones that cannot be loaded) and
 * UTC stamps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <time.h>

#include "tztime.h"
#include "utc.h"

/* Instants in a zone: fixed offsets, both daylight-saving changes of
 * Europe/Berlin, negative and half-hour offsets, fractions dropped, and
 * zones that cannot be loaded. */
static void
test_iso(void **state)
{
	char out[TZ_ISO_SIZE];

	(void)state;
	assert_true(tz_iso("Europe/Istanbul", utc(2026, 12, 7, 6, 45), out));
	assert_string_equal(out, "2026-12-07T09:45:00+03:00");
	assert_true(tz_iso("Europe/Berlin", utc(2027, 3, 28, 0, 59) +
	    59 * 1000000 + 999999, out));
	assert_string_equal(out, "2027-03-28T01:59:59+01:00");
	assert_true(tz_iso("Europe/Berlin", utc(2027, 3, 28, 1, 0), out));
	assert_string_equal(out, "2027-03-28T03:00:00+02:00");
	assert_true(tz_iso("Europe/Berlin", utc(2027, 10, 31, 0, 30), out));
	assert_string_equal(out, "2027-10-31T02:30:00+02:00");
	assert_true(tz_iso("Europe/Berlin", utc(2027, 10, 31, 1, 30), out));
	assert_string_equal(out, "2027-10-31T02:30:00+01:00");
	assert_true(tz_iso("America/St_Johns", utc(2026, 12, 7, 12, 0), out));
	assert_string_equal(out, "2026-12-07T08:30:00-03:30");
	assert_true(tz_iso("Asia/Kathmandu", utc(2026, 12, 7, 12, 0), out));
	assert_string_equal(out, "2026-12-07T17:45:00+05:45");
	assert_true(tz_iso("UTC", -1, out));
	assert_string_equal(out, "1969-12-31T23:59:59+00:00");
	assert_true(tz_iso("Europe/Istanbul", utc(2026, 12, 7, 6, 45), out));
	assert_string_equal(out, "2026-12-07T09:45:00+03:00");
	assert_false(tz_iso("Mars/Olympus_Mons", 0, out));
	assert_false(tz_iso("../../etc/passwd", 0, out));
	assert_false(tz_iso("", 0, out));
	assert_false(tz_iso(NULL, 0, out));
	/* A zone that could not be loaded leaves the last one in use. */
	assert_true(tz_iso("Europe/Istanbul", utc(2026, 12, 7, 6, 45), out));
	assert_string_equal(out, "2026-12-07T09:45:00+03:00");
}

static void
test_utc_stamp(void **state)
{
	char out[UTC_STAMP_SIZE];

	(void)state;
	assert_true(utc_stamp(utc(2026, 12, 1, 7, 30) + 999999, out));
	assert_string_equal(out, "20261201T073000Z");
	assert_true(utc_stamp(-1, out));
	assert_string_equal(out, "19691231T235959Z");
	assert_false(utc_stamp(utc(2026, 1, 1, 0, 0) * 1000, out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_utc_stamp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
