/*
 * db_profile.h - what the patient's profile needs beyond db_patients.h:
 * what a contact change does once confirmed (its one-time codes are
 * challenges, db_signin.h), and the photo's row and stored file
 * references. Call inside the clinic's transaction (the request
 * pipeline's work) for clinic_id.
 */
#ifndef PORTAL_DB_PROFILE_H
#define PORTAL_DB_PROFILE_H

#include "err.h"

struct arena;
struct db;

/* Queues the notice a replaced contact gets after a contact change
 * (purpose contact_replaced, sql/0015): to replaced, on channel, in the
 * patient's language, with the new value masked (masked). base_url: when
 * the clinic has no public_url. */
enum err db_contact_replaced(struct db *db, const char *patient_id,
    const char *channel, const char *replaced, const char *masked,
    const char *base_url);

/* Ends the patient's sessions but the one of keep_token_hash. */
enum err db_patient_other_sessions_end(struct db *db, const char *clinic_id,
    const char *patient_id, const char *keep_token_hash);

/* Sets (or with NULLs clears) the patient's photo. */
enum err db_photo_set(struct db *db, const char *clinic_id,
    const char *patient_id, const char *sha256, const char *type);

/* Serialises the writers and removers of one stored file of the clinic
 * until the transaction ends. */
enum err db_photo_lock(struct db *db, const char *clinic_id,
    const char *sha256);

/* How many of the clinic's patients use the stored file sha256. */
enum err db_photo_users(struct db *db, const char *clinic_id,
    const char *sha256, long *count);

#endif
