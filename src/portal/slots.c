/*
 * slots.c - checks of scheduling input, and the free slots (see slots.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "slots.h"

/* n digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static long
days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date at s[0..10), checked; false when not a real date. */
static bool
date_at(const char *s, int *y, int *m, int *d)
{
	static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-')
		return false;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	if (*y < 1900 || *y > 2999 || *m < 1 || *m > 12 || *d < 1)
		return false;
	return *d <= month_days[*m - 1] + (*m == 2 && leap(*y));
}

bool
slot_date_parse(const char *s, long *days)
{
	int y, m, d;

	if (s == NULL || strlen(s) != 10 || !date_at(s, &y, &m, &d))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

/* "HH:MM" at s[0..5). */
static bool
hm_at(const char *s, int max_hour, int *h, int *m)
{
	if (strnlen(s, 5) < 5 || s[2] != ':')
		return false;
	*h = digits(s, 2);
	*m = digits(s + 3, 2);
	return *h >= 0 && *h <= max_hour && *m >= 0 && *m <= 59;
}

bool
slot_time_parse(const char *s, bool allow_24, int *minutes)
{
	int h, m;

	if (s == NULL || strlen(s) != 5 || !hm_at(s, 24, &h, &m))
		return false;
	if (h == 24 && (!allow_24 || m != 0))
		return false;
	*minutes = h * 60 + m;
	return true;
}

bool
slot_instant_valid(const char *s)
{
	int y, mo, d, h, mi, sec;
	const char *p;

	if (s == NULL || strlen(s) > 25 || !date_at(s, &y, &mo, &d) ||
	    (s[10] != 'T' && s[10] != 't') || !hm_at(s + 11, 23, &h, &mi))
		return false;
	p = s + 16;
	if (*p == ':') {
		if ((sec = digits(p + 1, 2)) < 0 || sec > 59)
			return false;
		p += 3;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return true;
	if (*p != '+' && *p != '-')
		return false;
	return strlen(p + 1) == 5 && hm_at(p + 1, 14, &h, &mi);
}

/* ---- free slots ---- */

/* The date of days since 1970-01-01 (Howard Hinnant's civil_from_days). */
static void
civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
by_lo(const void *x, const void *y)
{
	const struct db_slot_busy *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int
window_order(const void *x, const void *y)
{
	const struct db_slot_window *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int
slot_order(const void *x, const void *y)
{
	const struct slot *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/* A practitioner's intervals (sorted by lo) and the clinic's (sorted),
 * the ones wanted (all, or time off alone), merged into disjoint
 * intervals in time order at out; their count. */
static size_t
merge_busy(const struct db_slot_busy *own, size_t n_own,
    const struct db_slot_busy *clinic, size_t n_clinic, bool off_only,
    struct db_slot_busy *out)
{
	size_t i = 0, j = 0, n = 0;

	while (i < n_own || j < n_clinic) {
		const struct db_slot_busy *b;

		if (j == n_clinic || (i < n_own && own[i].lo <= clinic[j].lo))
			b = &own[i++];
		else
			b = &clinic[j++];
		if ((off_only && !b->off) || b->hi <= b->lo)
			continue;
		if (n > 0 && b->lo <= out[n - 1].hi) {
			if (b->hi > out[n - 1].hi)
				out[n - 1].hi = b->hi;
		} else {
			out[n++] = *b;
		}
	}
	return n;
}

/* The first of the n disjoint intervals at m (time order) that ends
 * after t: n when none does. */
static size_t
first_ending_after(const struct db_slot_busy *m, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m[mid].hi <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Appends window w's free slots to *out (count *n, room *cap). */
static enum slots_result
window_slots(struct arena *a, const struct db_slots *f,
    const struct db_slot_window *w, const struct db_slot_busy *busy,
    size_t n_busy, struct slot **out, size_t *n, size_t *cap)
{
	int64_t s = w->lo;
	size_t i;

	if (s < f->earliest)
		s += (f->earliest - s + f->step - 1) / f->step * f->step;
	i = first_ending_after(busy, n_busy, s);
	for (; s < f->latest && s <= w->hi - f->len; s += f->step) {
		while (i < n_busy && busy[i].hi <= s)
			i++;
		if (i < n_busy && busy[i].lo < s + f->len)
			continue;
		if (*n == *cap) {
			size_t more = *cap * 2 < SLOTS_MAX ? *cap * 2 : SLOTS_MAX;
			struct slot *grown;

			if (*n == SLOTS_MAX)
				return SLOTS_TOO_MANY;
			if ((grown = arena_alloc(a, more * sizeof(*grown))) == NULL)
				return SLOTS_NOMEM;
			memcpy(grown, *out, *n * sizeof(*grown));
			*out = grown;
			*cap = more;
		}
		(*out)[(*n)++] = (struct slot){ s, s + f->len, w->rank,
		    w->practitioner_id };
	}
	return SLOTS_OK;
}

/* Whether window w has a moment that no interval of the n disjoint ones
 * at off (time order) covers. */
static bool
window_open(const struct db_slot_window *w, const struct db_slot_busy *off,
    size_t n)
{
	size_t i = first_ending_after(off, n, w->lo);

	return w->lo < w->hi && (i == n || off[i].lo > w->lo ||
	    off[i].hi < w->hi);
}

enum slots_result
slots_compute(struct arena *a, const struct db_slots *f, const char *from,
    const char *to, struct slot **slots, size_t *n_slots,
    struct slot_day *days, size_t *n_days)
{
	size_t nw = f->n_windows > 0 ? (size_t)f->n_windows : 0;
	size_t nb = f->n_busy > 0 ? (size_t)f->n_busy : 0;
	size_t n_clinic = 0, n = 0, cap = 64, k = 0;
	struct db_slot_window *w;
	struct db_slot_busy *b, *merged, *off;
	enum slots_result r;
	long d0, d1;

	*slots = NULL;
	*n_slots = *n_days = 0;
	if (!slot_date_parse(from, &d0) || !slot_date_parse(to, &d1) ||
	    d1 < d0 || d1 - d0 >= SLOTS_DAYS_MAX || f->step <= 0 || f->len <= 0)
		return SLOTS_BAD;
	for (long d = d0; d <= d1; d++) {
		char date[48];
		int y, m, dd;

		/* Dates of 1900-2999 (slot_date_parse()): always 10 bytes. */
		civil_from_days(d, &y, &m, &dd);
		snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, dd);
		memcpy(days[*n_days].date, date, sizeof(days[*n_days].date) - 1);
		days[*n_days].date[sizeof(days[*n_days].date) - 1] = '\0';
		days[(*n_days)++].open = false;
	}
	w = arena_alloc(a, (nw > 0 ? nw : 1) * sizeof(*w));
	b = arena_alloc(a, (nb > 0 ? nb : 1) * sizeof(*b));
	merged = arena_alloc(a, (nb > 0 ? nb : 1) * sizeof(*merged));
	off = arena_alloc(a, (nb > 0 ? nb : 1) * sizeof(*off));
	*slots = arena_alloc(a, cap * sizeof(**slots));
	if (w == NULL || b == NULL || merged == NULL || off == NULL ||
	    *slots == NULL)
		return SLOTS_NOMEM;
	/* (None may come as a NULL array, which memcpy() and qsort() must
	 * not be given even with nothing to copy.) */
	if (nw > 0) {
		memcpy(w, f->windows, nw * sizeof(*w));
		qsort(w, nw, sizeof(*w), window_order);
	}
	if (nb > 0) {
		memcpy(b, f->busy, nb * sizeof(*b));
		qsort(b, nb, sizeof(*b), by_lo);
	}
	/* Rank 0 (the whole clinic) sorts first. */
	while (n_clinic < nb && b[n_clinic].rank <= 0)
		n_clinic++;
	for (size_t i = 0; i < nw;) {
		size_t j = i, own = k, n_own, n_merged, n_off;
		long day;

		/* Window i..j-1 are one practitioner's; b[own..k) their busy
		 * intervals (both sorted by rank, then time). */
		while (j < nw && w[j].rank == w[i].rank)
			j++;
		while (own < nb && b[own].rank < w[i].rank)
			own++;
		for (k = own; k < nb && b[k].rank == w[i].rank; k++)
			;
		n_own = k - own;
		n_merged = merge_busy(b + own, n_own, b, n_clinic, false, merged);
		n_off = merge_busy(b + own, n_own, b, n_clinic, true, off);
		for (; i < j; i++) {
			if ((r = window_slots(a, f, &w[i], merged, n_merged,
			    slots, &n, &cap)) != SLOTS_OK)
				return r;
			if (slot_date_parse(w[i].day, &day) && day >= d0 &&
			    day <= d1 && window_open(&w[i], off, n_off))
				days[day - d0].open = true;
		}
	}
	qsort(*slots, n, sizeof(**slots), slot_order);
	*n_slots = n;
	return SLOTS_OK;
}
