/*
 * db_appointments.h - appointments (appointments_sql.c): free slots, the
 * booking rules a booking breaks, booking, moving and cancelling, the
 * clinic's and a patient's lists, and what a message about an
 * appointment needs. The setup they read is db_schedule.h's.
 *
 * Call with the clinic's row-level-security context set (db_begin_clinic(),
 * or the request pipeline's work); strings live in the arena. Times come back as ISO 8601 with the
 * clinic's UTC offset (2026-12-01T10:30:00+03:00), computed in SQL from
 * clinics.time_zone. Functions return ERR_OK, ERR_NOT_FOUND (unknown or
 * another clinic's id), ERR_CONFLICT (an overlap: slot taken),
 * ERR_INVALID (a constraint refused the values) or ERR_DB.
 */
#ifndef PORTAL_DB_APPOINTMENTS_H
#define PORTAL_DB_APPOINTMENTS_H

#include <stdbool.h>

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
};

struct db_slot {
	const char *start, *end;
};

/* Free slots of practitioner and type on the days from..to (dates in the
 * clinic's zone): working hours stepped by slot_step_minutes, minus time
 * off and booked appointments, within min_notice and horizon. */
enum err db_slots(struct db *db, struct arena *a, const char *clinic_id,
    const char *practitioner_id, const char *type_id, const char *from,
    const char *to, struct db_slot **out, int *count);

/* The booking rule a patient's booking breaks, or NULL when none
 * (a static string: "type_not_bookable", "min_notice", "horizon",
 * "outside_hours", "max_open_bookings"). Locks the patient's row, so
 * that two bookings of one patient count each other. Overlaps are left to
 * the exclusion constraint. */
enum err db_booking_verdict(struct db *db, const char *clinic_id,
    const char *patient_id, const char *practitioner_id, const char *type_id,
    const char *start, const char **rule);

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
/* A patient's upcoming (by start) or past (newest first) appointments,
 * after cursor (NULL: from the start); ERR_INVALID for a bad cursor. */
enum err db_appt_list_patient(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, bool upcoming,
    const char *cursor, int limit, struct db_appt **out, int *count);

/* What a message about an appointment says, as placeholder values for
 * db_outbox_compose(): its patient, and values_json {appointment_start:
 * {tr, en} (the start in the clinic's zone, in words of each language),
 * practitioner_name, appointment_type}. */
struct db_appt_notice {
	const char *patient_id, *values_json;
};
enum err db_appt_notice(struct db *db, struct arena *a, const char *clinic_id,
    const char *appt_id, struct db_appt_notice *out);

#endif
