/*
 * db_treatments.h - treatment plans (with their planned items) and
 * treatment records of a clinic's patients. Call with the clinic's
 * context set (the request pipeline's work). Strings live in the arena
 * passed in. Times come out in ISO 8601 with the clinic's UTC offset,
 * dates as YYYY-MM-DD, money in minor units with the clinic's currency.
 */
#ifndef PORTAL_DB_TREATMENTS_H
#define PORTAL_DB_TREATMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct arena;
struct db;

#define TREATMENT_ITEMS_MAX 100		/* planned items per plan */
#define TREATMENT_LIST_MAX 200		/* plans or records one answer holds */

/* One planned procedure of a plan. area is NULL when none applies. */
struct db_treatment_item {
	const char *id, *procedure, *area, *status;
	int64_t estimated_cost;
};

struct db_treatment_plan {
	const char *id, *patient_id, *title, *status;
	const char *currency;			/* the clinic's */
	int64_t total_estimated_cost;		/* items not cancelled */
	const char *created_at, *updated_at;
	struct db_treatment_item *items;	/* in order */
	int item_count;
};

struct db_treatment_record {
	const char *id, *patient_id, *performed_on;
	const char *practitioner_id, *practitioner_name;	/* NULL: none */
	const char *procedure, *area, *notes_for_patient;
	const char *created_at, *updated_at;
};

/* The clinic's currency (ISO 4217), in which plans count money. */
enum err db_treatment_currency(struct db *db, struct arena *a,
    const char *clinic_id, const char **currency);

/* Plans of a patient, newest first, at most limit, after the plan
 * after_id (NULL: from the start), each with its items. */
enum err db_treatment_plans_list(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, const char *after_id,
    int limit, struct db_treatment_plan **out, int *count);

/* One plan with its items; ERR_NOT_FOUND for an unknown id or another
 * clinic's. for_update locks the plan row. */
enum err db_treatment_plan_get(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, bool for_update,
    struct db_treatment_plan *out);

/* Creates a plan for patient_id with title, status and the n items, and
 * reads it back into out. ERR_INVALID when a constraint refuses. */
enum err db_treatment_plan_create(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, const char *title,
    const char *status, const struct db_treatment_item *items, int n,
    struct db_treatment_plan *out);

/* Sets title and status of plan id; when items is not NULL, its n items
 * replace the plan's (n may be 0). Reads the plan back into out. */
enum err db_treatment_plan_update(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, const char *title,
    const char *status, const struct db_treatment_item *items, int n,
    struct db_treatment_plan *out);

/* Records of a patient, latest performed first, at most limit, after the
 * record after_id (NULL: from the start). */
enum err db_treatment_records_list(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, const char *after_id,
    int limit, struct db_treatment_record **out, int *count);

/* The context's patient's newest limit plans (each with its items) and
 * newest limit records, in one round trip: what the patient's own
 * treatments screen shows. */
enum err db_patient_treatments(struct db *db, struct arena *a, int limit,
    struct db_treatment_plan **plans, int *plan_count,
    struct db_treatment_record **records, int *record_count);
/* Sends those statements ahead, with the session's (db_ahead()): a
 * db_patient_treatments() with the same limit then costs no round trip.
 * Call it before the request is authenticated. */
void db_patient_treatments_ahead(struct db *db, struct arena *a, int limit);

/* One record; ERR_NOT_FOUND for an unknown id or another clinic's. */
enum err db_treatment_record_get(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, bool for_update,
    struct db_treatment_record *out);

/* Creates r (patient_id and the fields; NULL practitioner_id and area for
 * none) and reads it back into r. ERR_INVALID when the practitioner is not
 * one of the clinic's, or a constraint refuses. */
enum err db_treatment_record_create(struct db *db, struct arena *a,
    const char *clinic_id, struct db_treatment_record *r);

/* Writes the fields of r (id names it) back and reads it back. */
enum err db_treatment_record_update(struct db *db, struct arena *a,
    const char *clinic_id, struct db_treatment_record *r);

/* portalctl seed-demo: a plan and a record for the demo clinic's Ayşe
 * Yılmaz in Turkish and John Smith in English (after its patients and
 * practitioners exist). */
enum err db_treatment_seed_demo(struct db *db, const char *clinic_id);

#endif
