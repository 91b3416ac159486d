/*
 * db_signin.h - one-time-code challenges (a sign-in, a contact change:
 * their start, their tries, their end), choosing a profile, and patient
 * sessions. Upper layers reach the challenges through challenge.h, the one
 * home of what both kinds share. Call inside the clinic's transaction (the
 * request pipeline's work) for clinic_id. Strings
 * live in the arena.
 */
#ifndef PORTAL_DB_SIGNIN_H
#define PORTAL_DB_SIGNIN_H

#include <stdbool.h>

#include "err.h"

struct arena;
struct db;

/* The two kinds of challenge: each has its own table (its own columns),
 * and shares the limit block, the code message and the try rules. */
enum db_challenge_kind {
	DB_CHALLENGE_SIGN_IN,		/* login/start, login/verify */
	DB_CHALLENGE_CONTACT_CHANGE,	/* profile/contact-change[/verify] */
};

/* A challenge to start, in one statement whatever the contact (known or
 * not): the limits (sql/0015 portal_rate_take()), the challenge row, the
 * code message(s). */
struct db_challenge_new {
	enum db_challenge_kind kind;
	const char *id;			/* chosen by the caller (uuid) */
	const char *channel;		/* "sms" or "email" */
	const char *contact;		/* E.164 or lower-case address */
	const char *code_hash;		/* bytea text form */
	const char *otp;		/* rendered into the message */
	const char *addr_key;		/* the client's net_rate_key() */
	long contact_limit, addr_limit, window_s, lifetime_s;
	const char *base_url;		/* when the clinic has no public_url */
	/* Contact change: the patient, the session asking (its sign-in
	 * contact gets the second code) and that code. */
	const char *patient_id;
	const char *session_hash;	/* bytea text form */
	const char *old_code_hash;
	const char *old_otp;
};

/* ERR_OK with *retry_after 0 when the challenge was made and its messages
 * queued (*old_code_sent: a contact change's second code went out), or
 * *retry_after above 0 (the seconds to wait) when a limit refused it and
 * nothing was stored. */
enum err db_challenge_start(struct db *db, const struct db_challenge_new *in,
    long *retry_after, bool *old_code_sent);

/* One try spent on a live challenge. */
struct db_challenge {
	const char *code_hash;		/* bytea text form */
	const char *old_code_hash;	/* the second code's, or NULL */
	long attempts;			/* including this one */
	const char *channel;
	const char *contact;		/* sign-in: the contact (NULL
					 * when nobody's); contact change:
					 * the new one */
	const char *patient_ids;	/* sign-in: the patients it may still
					 * sign in, "id,id" (may be empty) */
	const char *old_channel, *old_contact;	/* contact change */
	long recent_failures;		/* the clinic's failed verifications
					 * in the window, counted up to a cap */
};

/* Spends one try of the live challenge id (not expired, not yet verified,
 * fewer than max_attempts tries so far; a contact change's only for
 * patient_id) atomically, so that parallel guesses get max_attempts tries
 * in all; also counts the clinic's failed verifications of the last
 * window_s seconds, up to cap. ERR_NOT_FOUND when there is no such live
 * challenge (an id that is no UUID included). */
enum err db_challenge_try(struct db *db, struct arena *a,
    enum db_challenge_kind kind, const char *clinic_id, const char *patient_id,
    const char *id, long max_attempts, long window_s, long cap,
    struct db_challenge *out);

/* Marks the challenge verified, keeping a selection token's hash when the
 * patient still has to choose (sign-in only; NULL otherwise). ERR_NOT_FOUND
 * when another request verified it first. */
enum err db_challenge_passed(struct db *db, enum db_challenge_kind kind,
    const char *clinic_id, const char *id, const char *selection_hash);

/* Records a failed verification in the clinic's ledger (the per-clinic
 * budget). */
enum err db_challenge_failed(struct db *db, const char *clinic_id);

/* Spends a selection token of a live challenge: its patient ids ("id,id")
 * and the channel and contact it was started with. ERR_NOT_FOUND when
 * used, expired or unknown. */
struct db_selection {
	const char *patient_ids, *channel, *contact;
};
enum err db_selection_take(struct db *db, struct arena *a,
    const char *clinic_id, const char *selection_hash,
    struct db_selection *out);

/* The patients among ids ("id,id") who may still sign in (access on, a
 * contact on file), oldest first. */
struct db_signin_patient {
	const char *id, *first_name, *last_name;
};
enum err db_signin_patients(struct db *db, struct arena *a,
    const char *clinic_id, const char *ids, struct db_signin_patient **out,
    int *count);

/* A new session, remembering the contact it signed in with (channel and
 * contact; NULL for none); also notes the patient's (first) sign-in. */
enum err db_patient_session_create(struct db *db, const char *clinic_id,
    const char *patient_id, const char *token_hash, const char *csrf_token,
    long absolute_s, const char *channel, const char *contact);

enum err db_patient_session_delete(struct db *db, const char *clinic_id,
    const char *token_hash);

/* Ends every session of the patient. */
enum err db_patient_sessions_end(struct db *db, const char *clinic_id,
    const char *patient_id);

/* portalctl purge-sessions (owner role): rows removed per table, as
 * "table count" lines into the arena. */
enum err db_purge_sessions(struct db *db, struct arena *a, long staff_idle_s,
    long patient_idle_s, const char **report);

#endif
