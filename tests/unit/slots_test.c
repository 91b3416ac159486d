/* slots_test.c - unit tests of the scheduling input checks (slots.h):
 * calendar dates with leap years, times of day with 24:00 only as an end,
 * and instants that must carry Z or a UTC offset. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#include "slots.h"

static void
test_dates(void **state)
{
	long d = -1;

	(void)state;
	assert_true(slot_date_parse("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_true(slot_date_parse("2027-03-28", &d));
	assert_int_equal(d, 20905);
	assert_true(slot_date_parse("2028-02-29", &d));
	assert_false(slot_date_parse("2027-02-29", &d));
	assert_true(slot_date_parse("2000-02-29", &d));
	assert_false(slot_date_parse("1900-02-29", &d));
	assert_false(slot_date_parse("2027-04-31", &d));
	assert_false(slot_date_parse("2027-13-01", &d));
	assert_false(slot_date_parse("2027-00-10", &d));
	assert_false(slot_date_parse("2027-1-10", &d));
	assert_false(slot_date_parse("2027-01-10x", &d));
	assert_false(slot_date_parse("27-01-10", &d));
	assert_false(slot_date_parse("", &d));
	assert_false(slot_date_parse(NULL, &d));
}

static void
test_range_length(void **state)
{
	long a, b;

	(void)state;
	assert_true(slot_date_parse("2027-10-01", &a));
	assert_true(slot_date_parse("2027-10-31", &b));
	assert_int_equal(b - a + 1, 31);
	assert_true(slot_date_parse("2027-12-31", &a));
	assert_true(slot_date_parse("2028-01-01", &b));
	assert_int_equal(b - a, 1);
}

static void
test_times(void **state)
{
	int m = -1;

	(void)state;
	assert_true(slot_time_parse("09:00", false, &m));
	assert_int_equal(m, 540);
	assert_true(slot_time_parse("23:59", false, &m));
	assert_int_equal(m, 1439);
	assert_false(slot_time_parse("24:00", false, &m));
	assert_true(slot_time_parse("24:00", true, &m));
	assert_int_equal(m, 1440);
	assert_false(slot_time_parse("24:30", true, &m));
	assert_false(slot_time_parse("9:00", false, &m));
	assert_false(slot_time_parse("09:60", false, &m));
	assert_false(slot_time_parse("09:00:00", false, &m));
	assert_false(slot_time_parse("ab:cd", false, &m));
}

static void
test_instants(void **state)
{
	(void)state;
	assert_true(slot_instant_valid("2026-12-01T10:30:00+03:00"));
	assert_true(slot_instant_valid("2026-12-01T10:30+03:00"));
	assert_true(slot_instant_valid("2026-12-01T07:30:00Z"));
	assert_true(slot_instant_valid("2027-03-28T09:00:00-05:30"));
	assert_false(slot_instant_valid("2026-12-01T10:30:00"));
	assert_false(slot_instant_valid("2026-12-01 10:30:00+03:00"));
	assert_false(slot_instant_valid("2026-12-01T10:30:00.5Z"));
	assert_false(slot_instant_valid("2026-12-01T24:00:00Z"));
	assert_false(slot_instant_valid("2026-12-01T10:30:60Z"));
	assert_false(slot_instant_valid("2026-02-30T10:30:00Z"));
	assert_false(slot_instant_valid("2026-12-01T10:30:00+3:00"));
	assert_false(slot_instant_valid("2026-12-01T10:30:00+03:00x"));
	assert_false(slot_instant_valid("2026-12-01T10:30:00Zx"));
	assert_false(slot_instant_valid("2026-12-01"));
	assert_false(slot_instant_valid(""));
	assert_false(slot_instant_valid(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_range_length),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_instants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
