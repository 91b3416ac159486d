/*
 * db_appointments.h - appointments (appointments_sql.c): free slots, the
 * booking rules a booking breaks, booking, moving and cancelling, the
 * clinic's and a patient's lists, and what a message about an
 * appointment needs. The setup they read is db_schedule.h's.
 *
 * Call with the clinic's row-level-security context set (
 * or the request pipeline's work); strings live in the arena. Times come back as ISO 8601 with the
 * clinic's UTC offset (2026-12-01T10:30:00+03:00), computed in SQL from
 * clinics.time_zone. Functions return ERR_OK, ERR_NOT_FOUND (unknown or
 * another clinic's id), ERR_CONFLICT (an overlap: slot taken),
 * ERR_INVALID (a constraint refused the values) or ERR_DB.
 */
#ifndef PORTAL_DB_APPOINTMENTS_H
#define PORTAL_DB_APPOINTMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "db_schedule.h"	/* DB_HAS_* */
#include "err.h"

struct arena;
struct db;

struct db_appt {
	const char *id, *patient_id, *patient_name, *practitioner_id,
	    *practitioner_name, *type_id, *type_name;
	int duration_minutes;
	const char *start, *end;	/* with the clinic's offset */
	const char *start_utc, *end_utc, *stamp_utc;	/* 20261201T073000Z */
	const char *status, *source, *cancelled_by, *cancelled_at, *note,
	    *created_at;
	bool before_cutoff;		/* booked, and the cancel cut-off not passed */
	const char *cursor;		/* position in a patient's list */
	const char *cancel_until;	/* a booked one: the cut-off's instant */
};

/* What free slots are made of (portal_slot_frame(), sql/0039): instants
 * are microseconds since 1970, a lower bound in the interval, an upper
 * bound not. A practitioner's rank is their place by name and id among
 * the ones asked for, from 1; rank 0 is the whole clinic. */
struct db_slot_window {		/* working hours on a day of the range */
	int rank;
	const char *practitioner_id;
	const char *day;		/* YYYY-MM-DD, in the clinic's zone */
	int64_t lo, hi;
};

struct db_slot_busy {		/* booked, or time off (cut to the range) */
	int rank;
	bool off;
	int64_t lo, hi;
};

struct db_slots {
	unsigned bookable;	/* DB_HAS_PRACTITIONER | DB_HAS_TYPE */
	/* The booking rules, as of the transaction's start: no slot starts
	 * before earliest (now + minimum notice) or at or after latest (now
	 * + horizon); slots step by step from a window's start and last len
	 * (the type's duration). */
	int64_t earliest, latest, step, len;
	struct db_slot_window *windows;
	int n_windows;
	struct db_slot_busy *busy;
	int n_busy;
};

/* What the free slots of type on the days from..to (dates in the
 * clinic's zone) are made of, of practitioner_id or, when it is NULL, of
 * every active practitioner: their working windows, booked time and time
 * off, and the rules (slots_compute() in slots.h steps through them). In
 * the same round trip, out->bookable: DB_HAS_PRACTITIONER when the
 * practitioner is active (always, without one), DB_HAS_TYPE when the type
 * is active and online-bookable. */
enum err db_slots(struct db *db, struct arena *a, const char *practitioner_id,
    const char *type_id, const char *from, const char *to,
    struct db_slots *out);
/* Sends those statements ahead, with the session's (db_ahead()): a
 * db_slots() with the same arguments then costs no round trip. The
 * strings must live as long as the request's arena. */
void db_slots_ahead(struct db *db, struct arena *a, const char *practitioner_id,
    const char *type_id, const char *from, const char *to);

/*
 * A patient's booking under the clinic's rules, in one round trip
 * (portal_book(), sql/0017). *outcome (a static string) is "ok" with the
 * booked appointment in out; "no_practitioner" or "no_type" for ids that
 * are not the clinic's; a booking rule ("practitioner_unavailable",
 * "type_not_bookable", "min_notice", "horizon", "outside_hours",
 * "max_open_bookings"); or "slot_taken" when someone was first.
 */
enum err db_book(struct db *db, struct arena *a, const char *patient_id,
    const char *practitioner_id, const char *type_id, const char *start,
    const char *source, const char **outcome, struct db_appt *out);

/* Books; ERR_CONFLICT when the practitioner is busy then. source is
 * "portal", "staff" or "api". */
enum err db_appt_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *practitioner_id, const char *type_id,
    const char *start, const char *source, const char *note,
    struct db_appt *out);
/* patient_id not NULL: only that patient's appointment. */
enum err db_appt_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *patient_id, struct db_appt *out);
/* Moves or edits (NULL keeps a value); ERR_CONFLICT on overlap. */
enum err db_appt_update(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *practitioner_id, const char *type_id,
    const char *start, const char *note, struct db_appt *out);
/* Cancels a booked appointment; ERR_NOT_FOUND when it is not (or no
 * longer) booked. by: "portal", "staff" or "api". */
enum err db_appt_cancel(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *by, struct db_appt *out);

/* The clinic's appointments starting on the days from..to (clinic zone),
 * optionally of one practitioner and/or patient, by start; at most max. */
enum err db_appt_list_clinic(struct db *db, struct arena *a,
    const char *clinic_id, const char *from, const char *to,
    const char *practitioner_id, const char *patient_id, int max,
    struct db_appt **out, int *count);
/* True for a cursor db_appt_list_patient() gave out. */
bool db_appt_cursor_ok(const char *cursor);

/* The context's patient's upcoming (by start) or past (newest first)
 * appointments, after cursor (NULL: from the start); ERR_INVALID for a
 * bad cursor. */
enum err db_appt_list_patient(struct db *db, struct arena *a, bool upcoming,
    const char *cursor, int limit, struct db_appt **out, int *count);
/* Sends that list's statement ahead, with the session's (db_ahead()): a
 * db_appt_list_patient() with the same arguments then costs no round
 * trip. Call it before the request is authenticated; a bad cursor sends
 * nothing. */
void db_appt_list_patient_ahead(struct db *db, struct arena *a,
    bool upcoming, const char *cursor, int limit);

/* Queues the message of purpose ("appointment_confirmation",
 * "appointment_cancellation") about appointment appt_id to its patient,
 * through the one entry point for outbox messages, deferred to go out
 * with the write's COMMIT (db_defer()); by_type/by_id name who caused it.
 * A patient who can be reached on no channel, or a clinic without such a
 * template, gets no message. */
enum err db_appt_notify(struct db *db, const char *clinic_id,
    const char *appt_id, const char *purpose, const char *base_url,
    const char *by_type, const char *by_id);

#endif
