/*
 * db_schedule.h - the clinic's scheduling setup (scheduling_sql.c):
 * practitioners, appointment types, weekly working hours, time off and
 * booking rules. Appointments, free slots and booking are
 * db_appointments.h's.
 *
 * Call with the clinic's row-level-security context set (
 * or the request pipeline's work), seeding aside; strings live in the
 * arena. Times come back as ISO 8601 with the clinic's UTC offset
 * (2026-12-01T10:30:00+03:00), computed in SQL from clinics.time_zone.
 * Functions return ERR_OK, ERR_NOT_FOUND (unknown or another clinic's
 * id), ERR_INVALID (a constraint refused the values) or ERR_DB.
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

/* portalctl seed-demo: two practitioners, three types, weekday hours
 * 09:00-17:00 and a few appointments for the clinic's patients. Runs as
 * the owner role, outside row-level security. */
enum err db_schedule_seed_demo(struct db *db, const char *clinic_id);

#endif
