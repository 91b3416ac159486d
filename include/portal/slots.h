/*
 * slots.h - the shapes of scheduling input (calendar dates, wall-clock
 * times of day, instants with a UTC offset) and the free slots: stepped
 * here through the working windows, booked time and time off that one
 * statement reads (db_slots(), sql/0039). The windows' instants come from
 * PostgreSQL (a day's wall-clock hours AT TIME ZONE the clinic's), so
 * daylight saving moves them as it always did; tz_iso() (tztime.h) writes
 * a slot's instants in the clinic's zone.
 */
#ifndef PORTAL_SLOTS_H
#define PORTAL_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db_appointments.h"	/* struct db_slots */

struct arena;

/* "YYYY-MM-DD", a real calendar date (years 1900-2999): true with *days
 * set to the days since 1970-01-01. */
bool slot_date_parse(const char *s, long *days);

/* "HH:MM" (00:00-23:59, or 24:00 when allow_24): true with *minutes set
 * to the minutes since midnight. */
bool slot_time_parse(const char *s, bool allow_24, int *minutes);

/* An instant "YYYY-MM-DDTHH:MM[:SS]" followed by "Z" or "+HH:MM" /
 * "-HH:MM" (a real date and time; seconds 00-59; no fractions). */
bool slot_instant_valid(const char *s);

/* A free slot: [start, end) in microseconds since 1970, of the window's
 * practitioner. */
struct slot {
	int64_t start, end;
	int rank;
	const char *practitioner_id;
};

/* A day of the range: open when some working window of it is not all
 * time off (booked or not). */
struct slot_day {
	char date[11];		/* YYYY-MM-DD */
	bool open;
};

/* At most this many slots in one answer (31 days of every practitioner
 * at a 5-minute step stays far below it). */
#define SLOTS_MAX 200000

enum slots_result {
	SLOTS_OK,
	SLOTS_BAD,		/* from..to not dates of at most SLOTS_DAYS_MAX
				 * days, or a step or length not positive */
	SLOTS_TOO_MANY,		/* over SLOTS_MAX slots */
	SLOTS_NOMEM,
};

/*
 * The free slots of f into *slots (in the arena): from each window's
 * start, every f->step, f->len long and inside the window, starting at or
 * after f->earliest and before f->latest, and overlapping nothing booked
 * or off of the window's practitioner or off for the whole clinic (rank
 * 0); soonest first, then by rank. days[] (room for SLOTS_DAYS_MAX) gets
 * each date from..to and whether it is open. Work is linear in the
 * windows, busy intervals and slots, but for sorting them.
 */
#define SLOTS_DAYS_MAX 31
enum slots_result slots_compute(struct arena *a, const struct db_slots *f,
    const char *from, const char *to, struct slot **slots, size_t *n_slots,
    struct slot_day *days, size_t *n_days);

#endif
