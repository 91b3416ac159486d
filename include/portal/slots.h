/*
 * slots.h - the shapes of scheduling input: calendar dates, wall-clock
 * times of day and instants with a UTC offset. Pure functions; the slots
 * themselves are computed in SQL over the clinic's time zone
 * (src/db/appointments_sql.c), where daylight saving is PostgreSQL's business.
 */
#ifndef PORTAL_SLOTS_H
#define PORTAL_SLOTS_H

#include <stdbool.h>

/* "YYYY-MM-DD", a real calendar date (years 1900-2999): true with *days
 * set to the days since 1970-01-01. */
bool slot_date_parse(const char *s, long *days);

/* "HH:MM" (00:00-23:59, or 24:00 when allow_24): true with *minutes set
 * to the minutes since midnight. */
bool slot_time_parse(const char *s, bool allow_24, int *minutes);

/* An instant "YYYY-MM-DDTHH:MM[:SS]" followed by "Z" or "+HH:MM" /
 * "-HH:MM" (a real date and time; seconds 00-59; no fractions). */
bool slot_instant_valid(const char *s);

#endif
