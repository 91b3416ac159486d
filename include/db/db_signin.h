/*
 * db_signin.h - patient sign-in: starting a challenge, spending its tries,
 * choosing a profile, and patient sessions. Except db_login_start(), which
 * says otherwise, call inside a transaction opened with db_begin_clinic()
 * for clinic_id. Strings live in the arena.
 */
#ifndef PORTAL_DB_SIGNIN_H
#define PORTAL_DB_SIGNIN_H

#include <stdbool.h>

#include "err.h"

struct arena;
struct db;

/* What login/start hands to the database, in one statement whatever the
 * contact is (known or not), inside the clinic's transaction. */
struct db_login_start {
	const char *challenge_id;	/* chosen by the caller (uuid) */
	const char *channel;		/* "sms" or "email" */
	const char *contact;		/* E.164 or lower-case address */
	const char *code_hash;		/* bytea text form */
	const char *otp;		/* rendered into the message, if sent */
	const char *client_addr;
	long contact_limit, addr_limit, window_s, lifetime_s;
	const char *base_url;		/* when the clinic has no public_url */
};

/* ERR_OK with *retry_after 0 when the challenge was made, or above 0 (the
 * seconds to wait) when a rate limit refused it. */
enum err db_login_start(struct db *db, const struct db_login_start *in,
    long *retry_after);

struct db_challenge {
	const char *code_hash;		/* bytea text form */
	const char *patient_ids;	/* "id,id" (may be empty) */
	long attempts;			/* including this one */
};

/* Spends one try of a live challenge (not expired, not yet verified, fewer
 * than max_attempts tries so far), atomically. ERR_NOT_FOUND when there is
 * no such live challenge. */
enum err db_challenge_try(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, long max_attempts, struct db_challenge *out);

/* Marks the challenge verified, with a selection token's hash when the
 * patient still has to choose (NULL otherwise). ERR_NOT_FOUND when another
 * request verified it first. */
enum err db_challenge_verified(struct db *db, const char *clinic_id,
    const char *id, const char *selection_hash);

/* Spends a selection token of a live challenge: its patient ids.
 * ERR_NOT_FOUND when used, expired or unknown. */
enum err db_selection_take(struct db *db, struct arena *a,
    const char *clinic_id, const char *selection_hash,
    const char **patient_ids);

/* The patients among ids ("id,id") who may still sign in (access on, a
 * contact on file), oldest first. */
struct db_signin_patient {
	const char *id, *first_name, *last_name;
};
enum err db_signin_patients(struct db *db, struct arena *a,
    const char *clinic_id, const char *ids, struct db_signin_patient **out,
    int *count);

/* A new session; also notes the patient's (first) sign-in. */
enum err db_patient_session_create(struct db *db, const char *clinic_id,
    const char *patient_id, const char *token_hash, const char *csrf_token,
    long absolute_s);

enum err db_patient_session_delete(struct db *db, const char *clinic_id,
    const char *token_hash);

/* Ends every session of the patient. */
enum err db_patient_sessions_end(struct db *db, const char *clinic_id,
    const char *patient_id);

/*
 * Patient requests: in a transaction begun with db_begin(), the portal the
 * code opens and the session behind token_hash, in one round trip; sets
 * the transaction's clinic as db_begin_clinic() would. portal_open false:
 * answer portal_not_found; session false: not_authenticated.
 */
struct db_portal_session {
	bool portal_open, session;
	const char *clinic_id, *patient_id, *csrf_token;
};
enum err db_portal_session_open(struct db *db, struct arena *a,
    const char *code, const char *token_hash, long idle_s,
    struct db_portal_session *out);

/* The clinic, its portal settings and the patient, in one statement. */
struct db_clinic;
struct db_portal_settings;
struct db_patient;
enum err db_portal_context(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, struct db_clinic *clinic,
    struct db_portal_settings *settings, struct db_patient *patient);

/* portalctl purge-sessions (owner role): rows removed per table, as
 * "table count" lines into the arena. */
enum err db_purge_sessions(struct db *db, struct arena *a, long staff_idle_s,
    long patient_idle_s, const char **report);

#endif
