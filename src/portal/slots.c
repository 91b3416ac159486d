/*
 * slots.c - checks of scheduling input (see slots.h).
 */
#include "config.h"

#include <string.h>

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
