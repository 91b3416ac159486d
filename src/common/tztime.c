/*
 * tztime.c - instants as text in a time zone or in UTC (see tztime.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tztime.h"

/* Whole seconds of usec, rounded down (before 1970 too). */
static time_t
seconds_of(int64_t usec)
{
	return (time_t)(usec / 1000000 - (usec % 1000000 < 0));
}

bool
tz_iso(const char *zone, int64_t usec, char out[TZ_ISO_SIZE])
{
	static char loaded[128];
	char path[160], buf[96];
	time_t t = seconds_of(usec);
	struct tm tm;
	long off;
	int n;

	if (zone == NULL || *zone == '\0' || strlen(zone) >= sizeof(loaded) ||
	    strstr(zone, "..") != NULL)
		return false;
	/* The C library reads a zone's file when TZ changes; a worker serves
	 * one clinic's zone after another, so mostly it does not. */
	if (strcmp(zone, loaded) != 0) {
		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
		if (access(path, R_OK) != 0 || setenv("TZ", zone, 1) != 0)
			return false;
		tzset();
		memcpy(loaded, zone, strlen(zone) + 1);
	}
	if (localtime_r(&t, &tm) == NULL || tm.tm_year < 0 ||
	    tm.tm_year > 1099)
		return false;
	off = tm.tm_gmtoff;
	/* Room for any int, so that the length is checked, not assumed. */
	n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
	if (n != TZ_ISO_SIZE - 1)
		return false;
	memcpy(out, buf, TZ_ISO_SIZE);
	return true;
}

bool
utc_stamp(int64_t usec, char out[UTC_STAMP_SIZE])
{
	time_t t = seconds_of(usec);
	struct tm tm;
	char buf[80];
	int n;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 0 || tm.tm_year > 1099)
		return false;
	n = snprintf(buf, sizeof(buf), "%04d%02d%02dT%02d%02d%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	if (n != UTC_STAMP_SIZE - 1)
		return false;
	memcpy(out, buf, UTC_STAMP_SIZE);
	return true;
}
