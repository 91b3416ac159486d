/* slots_test.c - unit tests of slots.h: the scheduling input checks
 * (calendar dates with leap years, times of day with 24:00 only as an end,
 * instants that must carry Z or a UTC offset), the free slots stepped
 * through working windows, booked time and time off. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "slots.h"
#include "utc.h"

#define MIN_US (60 * (int64_t)1000000)

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

/* One practitioner's 09:00-12:00 (UTC here), 30-minute slots every 30
 * minutes: a booking, the clinic's time off and the practitioner's take
 * exactly the slots they touch; touching ends do not count. */
static void
test_free_slots(void **state)
{
	struct arena *a = arena_new(4096);
	struct db_slot_window w[] = {
		{ 1, "p1", "2027-01-04", utc(2027, 1, 4, 9, 0), utc(2027, 1, 4, 12, 0) },
	};
	struct db_slot_busy b[] = {
		{ 1, false, utc(2027, 1, 4, 10, 0), utc(2027, 1, 4, 10, 30) },
		{ 0, true, utc(2027, 1, 4, 11, 0), utc(2027, 1, 4, 11, 15) },
		{ 2, true, utc(2027, 1, 4, 9, 0), utc(2027, 1, 4, 12, 0) },
	};
	struct db_slots f = { .earliest = 0, .latest = INT64_MAX / 2,
	    .step = 30 * MIN_US, .len = 30 * MIN_US, .windows = w,
	    .n_windows = 1, .busy = b, .n_busy = 3 };
	struct slot_day days[SLOTS_DAYS_MAX];
	struct slot *s;
	size_t n, nd;

	(void)state;
	assert_int_equal(slots_compute(a, &f, "2027-01-04", "2027-01-05", &s,
	    &n, days, &nd), SLOTS_OK);
	assert_int_equal(n, 4);
	assert_true(s[0].start == utc(2027, 1, 4, 9, 0));
	assert_true(s[0].end == utc(2027, 1, 4, 9, 30));
	assert_true(s[1].start == utc(2027, 1, 4, 9, 30));
	assert_true(s[2].start == utc(2027, 1, 4, 10, 30));
	assert_true(s[3].start == utc(2027, 1, 4, 11, 30));
	assert_true(s[3].end == utc(2027, 1, 4, 12, 0));
	assert_string_equal(s[3].practitioner_id, "p1");
	assert_int_equal(nd, 2);
	assert_string_equal(days[0].date, "2027-01-04");
	assert_true(days[0].open);
	assert_string_equal(days[1].date, "2027-01-05");
	assert_false(days[1].open);

	/* Minimum notice: the grid stays on the window's start. Horizon: a
	 * slot starting at latest is out. */
	f.earliest = utc(2027, 1, 4, 9, 10);
	f.latest = utc(2027, 1, 4, 11, 30);
	assert_int_equal(slots_compute(a, &f, "2027-01-04", "2027-01-04", &s,
	    &n, days, &nd), SLOTS_OK);
	assert_int_equal(n, 2);
	assert_true(s[0].start == utc(2027, 1, 4, 9, 30));
	assert_true(s[1].start == utc(2027, 1, 4, 10, 30));
	arena_free(a);
}

/* Two practitioners: slots that start together go by rank (their names'
 * order), not by id; a day all time off is closed, one with a gap open,
 * however booked. */
static void
test_order_and_days(void **state)
{
	struct arena *a = arena_new(4096);
	struct db_slot_window w[] = {
		{ 2, "aaa", "2027-01-05", utc(2027, 1, 5, 9, 0), utc(2027, 1, 5, 10, 0) },
		{ 1, "zzz", "2027-01-05", utc(2027, 1, 5, 9, 0), utc(2027, 1, 5, 10, 0) },
		{ 1, "zzz", "2027-01-06", utc(2027, 1, 6, 9, 0), utc(2027, 1, 6, 10, 0) },
		{ 2, "aaa", "2027-01-07", utc(2027, 1, 7, 9, 0), utc(2027, 1, 7, 10, 0) },
	};
	struct db_slot_busy b[] = {
		/* The 6th: two pieces of time off that cover the window. */
		{ 1, true, utc(2027, 1, 6, 8, 0), utc(2027, 1, 6, 9, 30) },
		{ 0, true, utc(2027, 1, 6, 9, 30), utc(2027, 1, 6, 11, 0) },
		/* The 7th: booked all through, and off but for 09:45-10:00. */
		{ 2, false, utc(2027, 1, 7, 9, 0), utc(2027, 1, 7, 10, 0) },
		{ 2, true, utc(2027, 1, 7, 9, 0), utc(2027, 1, 7, 9, 45) },
	};
	struct db_slots f = { .earliest = 0, .latest = INT64_MAX / 2,
	    .step = 30 * MIN_US, .len = 30 * MIN_US, .windows = w,
	    .n_windows = 4, .busy = b, .n_busy = 4 };
	struct slot_day days[SLOTS_DAYS_MAX];
	struct slot *s;
	size_t n, nd;

	(void)state;
	assert_int_equal(slots_compute(a, &f, "2027-01-05", "2027-01-07", &s,
	    &n, days, &nd), SLOTS_OK);
	assert_int_equal(n, 4);
	assert_string_equal(s[0].practitioner_id, "zzz");
	assert_string_equal(s[1].practitioner_id, "aaa");
	assert_true(s[0].start == s[1].start);
	assert_string_equal(s[2].practitioner_id, "zzz");
	assert_string_equal(s[3].practitioner_id, "aaa");
	assert_true(s[3].start == utc(2027, 1, 5, 9, 30));
	assert_int_equal(nd, 3);
	assert_true(days[0].open);
	assert_false(days[1].open);
	assert_true(days[2].open);
	arena_free(a);
}

/* Ranges and rules that cannot be stepped, and more slots than one answer
 * holds; a month of 50 practitioners at a 5-minute step is quick. */
static void
test_limits(void **state)
{
	struct arena *a = arena_new(1 << 16);
	int64_t day0 = utc(2027, 1, 1, 0, 0);
	struct db_slot_window one = { 1, "p", "2027-01-01", day0,
	    day0 + (int64_t)(SLOTS_MAX + 1) * MIN_US };
	struct db_slots f = { .earliest = 0, .latest = INT64_MAX / 2,
	    .step = MIN_US, .len = MIN_US, .windows = &one, .n_windows = 1 };
	struct db_slot_window *w = arena_alloc(a, 31 * 50 * sizeof(*w));
	struct db_slot_busy *b = arena_alloc(a, 31 * 50 * 20 * sizeof(*b));
	struct slot_day days[SLOTS_DAYS_MAX];
	struct slot *s;
	size_t n, nd, k = 0;

	(void)state;
	assert_int_equal(slots_compute(a, &f, "2027-01-02", "2027-01-01", &s,
	    &n, days, &nd), SLOTS_BAD);
	assert_int_equal(slots_compute(a, &f, "2027-01-01", "2027-02-01", &s,
	    &n, days, &nd), SLOTS_BAD);
	assert_int_equal(slots_compute(a, &f, "2027-1-01", "2027-01-01", &s,
	    &n, days, &nd), SLOTS_BAD);
	f.step = 0;
	assert_int_equal(slots_compute(a, &f, "2027-01-01", "2027-01-01", &s,
	    &n, days, &nd), SLOTS_BAD);
	f.step = MIN_US;
	assert_int_equal(slots_compute(a, &f, "2027-01-01", "2027-01-01", &s,
	    &n, days, &nd), SLOTS_TOO_MANY);

	assert_non_null(w);
	assert_non_null(b);
	for (int d = 0; d < 31; d++)
		for (int p = 0; p < 50; p++) {
			int64_t lo = day0 + d * 1440 * MIN_US + 8 * 60 * MIN_US;

			w[d * 50 + p] = (struct db_slot_window){ p + 1, "p",
			    "2027-01-01", lo, lo + 12 * 60 * MIN_US };
			for (int i = 0; i < 20; i++, k++)
				b[k] = (struct db_slot_busy){ p + 1, i % 5 == 0,
				    lo + i * 30 * MIN_US, lo + i * 30 * MIN_US +
				    15 * MIN_US };
		}
	f = (struct db_slots){ .earliest = 0, .latest = INT64_MAX / 2,
	    .step = 5 * MIN_US, .len = 15 * MIN_US, .windows = w,
	    .n_windows = 31 * 50, .busy = b, .n_busy = (int)k };
	assert_int_equal(slots_compute(a, &f, "2027-01-01", "2027-01-31", &s,
	    &n, days, &nd), SLOTS_OK);
	/* Per window, 142 starts (08:00 to 19:45). A busy quarter hour at
	 * b takes the five that overlap it, b - 10 to b + 10 minutes, but
	 * the first, at the window's start, takes three: 98 taken. */
	assert_int_equal(n, (size_t)31 * 50 * (142 - 98));
	for (size_t i = 1; i < n; i++)
		assert_true(s[i - 1].start < s[i].start ||
		    (s[i - 1].start == s[i].start && s[i - 1].rank <= s[i].rank));
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_range_length),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_instants),
		cmocka_unit_test(test_free_slots),
		cmocka_unit_test(test_order_and_days),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
