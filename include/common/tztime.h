/*
 * tztime.h - instants (microseconds since 1970) written as text: in a
 * named time zone with that moment's UTC offset, or as a UTC stamp. The
 * zones are the C library's, from /usr/share/zoneinfo, the database
 * Debian's PostgreSQL reads too, so a zone name PostgreSQL accepts for a
 * clinic loads here. Fractions of a second are dropped, as PostgreSQL's
 * to_char() drops them.
 */
#ifndef PORTAL_TZTIME_H
#define PORTAL_TZTIME_H

#include <stdbool.h>
#include <stdint.h>

/* Room for "YYYY-MM-DDTHH:MM:SS+HH:MM" and its NUL. */
#define TZ_ISO_SIZE 26
/* Room for "YYYYMMDDTHHMMSSZ" (iCalendar's UTC form) and its NUL. */
#define UTC_STAMP_SIZE 17

/* usec as ISO 8601 in the zone named zone ("Europe/Istanbul"): its
 * wall-clock time there and that moment's UTC offset. The process's TZ
 * is set to the zone (and read again only when the zone changes). False
 * when the zone cannot be loaded or the year is not 1900-2999. */
bool tz_iso(const char *zone, int64_t usec, char out[TZ_ISO_SIZE]);

/* usec as a UTC stamp; false when the year is not 1900-2999. */
bool utc_stamp(int64_t usec, char out[UTC_STAMP_SIZE]);

#endif
