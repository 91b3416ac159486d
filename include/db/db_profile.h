/*
 * db_profile.h - what the patient's profile needs beyond db_patients.h:
 * contact changes confirmed with a one-time code, and the photo's row and
 * stored file references. Call inside a transaction opened with
 * db_begin_clinic() for clinic_id; strings live in the arena.
 */
#ifndef PORTAL_DB_PROFILE_H
#define PORTAL_DB_PROFILE_H

#include "err.h"

struct arena;
struct db;

/* What profile/contact-change hands to the database, in one statement
 * (portal_contact_change_start() in sql/0009): the challenge and the code
 * message to the new contact. */
struct db_contact_change {
	const char *challenge_id;	/* chosen by the caller (uuid) */
	const char *patient_id;
	const char *channel;		/* "sms" or "email" */
	const char *contact;		/* E.164 or lower-case address */
	const char *code_hash;		/* bytea text form */
	const char *otp;		/* rendered into the message */
	long limit, window_s, lifetime_s;
	const char *base_url;		/* when the clinic has no public_url */
};

/* ERR_OK with *retry_after 0 when the challenge was made and the message
 * queued, or above 0 (seconds to wait) when the patient's limit of starts
 * per window is reached. */
enum err db_contact_change_start(struct db *db,
    const struct db_contact_change *in, long *retry_after);

struct db_contact_challenge {
	const char *code_hash;		/* bytea text form */
	const char *channel, *new_contact;
	long attempts;			/* including this one */
};

/* Spends one try of the patient's live challenge id (not expired, not
 * verified, fewer than max_attempts tries), atomically. ERR_NOT_FOUND when
 * there is no such live challenge of this patient. */
enum err db_contact_challenge_try(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, const char *id,
    long max_attempts, struct db_contact_challenge *out);

/* Marks the challenge used; ERR_NOT_FOUND when another request did first. */
enum err db_contact_challenge_verified(struct db *db, const char *clinic_id,
    const char *id);

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
