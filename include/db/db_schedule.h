/*
 * db_schedule.h - scheduling: practitioners, appointment types, working
 * hours, time off, booking rules, free slots and appointments.
 *
 * Call inside a transaction opened with db_begin_clinic() for clinic_id
 * (seeding aside); strings live in the arena. Times come back as ISO 8601
 * with the clinic's UTC offset (2026-12-01T10:30:00+03:00), computed in
 * SQL from clinics.time_zone, so a daylight-saving change is PostgreSQL's
 * business. Functions return ERR_OK, ERR_NOT_FOUND (unknown or another
 * clinic's id), ERR_CONFLICT (an overlap: slot taken), ERR_INVALID
 * (a constraint refused the values) or ERR_DB.
 */
#ifndef PORTAL_DB_SCHEDULE_H
#define PORTAL_DB_SCHEDULE_H

#include <stdbool.h>

#include "err.h"

struct arena;
struct db;

struct db_practitioner {
	const char *id, *name, *created_at;
	bool active;
};

struct db_appt_type {
	const char *id, *name, *created_at;
	int duration_minutes;
	bool online_bookable, active;
};

/* A weekly working-hours window; start and end "HH:MM". */
struct db_hours {
	int weekday;			/* ISO: 1 = Monday */
	const char *start, *end;
};

struct db_time_off {
	const char *id, *practitioner_id, *start, *end, *reason, *created_at;
};

struct db_booking_rules {
	int min_notice_minutes, horizon_days, cancel_cutoff_minutes,
	    max_open_bookings, slot_step_minutes;
};

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

/* Practitioners, by name (at most 500); active_only for the patient side. */
enum err db_practitioner_list(struct db *db, struct arena *a,
    const char *clinic_id, bool active_only, struct db_practitioner **out,
    int *count);
enum err db_practitioner_get(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, struct db_practitioner *out);
enum err db_practitioner_create(struct db *db, struct arena *a,
    const char *clinic_id, const char *name, bool active,
    struct db_practitioner *out);
/* name NULL keeps it; active < 0 keeps it. */
enum err db_practitioner_update(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, const char *name, int active,
    struct db_practitioner *out);

/* Appointment types, by name (at most 500); bookable_only: active and
 * online-bookable ones. */
enum err db_type_list(struct db *db, struct arena *a, const char *clinic_id,
    bool bookable_only, struct db_appt_type **out, int *count);
enum err db_type_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_appt_type *out);
enum err db_type_create(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_appt_type *in, struct db_appt_type *out);
/* name NULL, duration 0, online_bookable or active < 0 keep the value. */
enum err db_type_update(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *name, int duration, int online_bookable,
    int active, struct db_appt_type *out);

/* A practitioner's weekly hours, by weekday and start. */
enum err db_hours_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *practitioner_id, struct db_hours **out, int *count);
/* Replaces them all (the caller checked shapes and overlaps). */
enum err db_hours_replace(struct db *db, struct arena *a,
    const char *clinic_id, const char *practitioner_id,
    const struct db_hours *items, int count);

/* Time off that ends after the day from begins and starts before the
 * day to ends (dates in the clinic's zone, NULL: open), of practitioner_id or the whole clinic (NULL: all), by start;
 * at most 500. */
enum err db_time_off_list(struct db *db, struct arena *a,
    const char *clinic_id, const char *from, const char *to,
    const char *practitioner_id, struct db_time_off **out, int *count);
/* start and end are ISO 8601 with offset; practitioner_id may be NULL. */
enum err db_time_off_create(struct db *db, struct arena *a,
    const char *clinic_id, const char *practitioner_id, const char *start,
    const char *end, const char *reason, struct db_time_off *out);
enum err db_time_off_delete(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, struct db_time_off *out);

enum err db_rules_get(struct db *db, const char *clinic_id,
    struct db_booking_rules *out);
enum err db_rules_put(struct db *db, const char *clinic_id,
    const struct db_booking_rules *in);

/* Free slots of practitioner and type on the days from..to (dates in the
 * clinic's zone): working hours stepped by slot_step_minutes, minus time
 * off and booked appointments, within min_notice and horizon. */
enum err db_slots(struct db *db, struct arena *a, const char *clinic_id,
    const char *practitioner_id, const char *type_id, const char *from,
    const char *to, struct db_slot **out, int *count);

/* Whether ids name things of the clinic (NULL ids are not asked about):
 * *found gets bit 0 for the patient, 1 practitioner, 2 type. For the
 * patient side, active_only asks for an active practitioner and an
 * active, online-bookable type. */
#define DB_HAS_PATIENT 1u
#define DB_HAS_PRACTITIONER 2u
#define DB_HAS_TYPE 4u
enum err db_schedule_ids(struct db *db, const char *clinic_id,
    const char *patient_id, const char *practitioner_id, const char *type_id,
    bool active_only, unsigned *found);

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

/* portalctl seed-demo: two practitioners, three types, weekday hours
 * 09:00-17:00 and a few appointments for the clinic's patients. Runs as
 * the owner role, outside row-level security. */
enum err db_schedule_seed_demo(struct db *db, const char *clinic_id);

#endif
