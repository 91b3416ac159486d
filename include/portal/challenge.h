/*
 * challenge.h - one-time-code challenges: the one home of what a sign-in
 * (login/start, login/verify) and a contact change (profile/contact-change
 * and its verify) share (DESIGN.md sections 10 and 17). One entry point
 * per step:
 *
 *   challenge_start()   the limits per contact and per client address (an
 *                       IPv6 client by its /64), a fresh 6-digit code kept
 *                       only as a keyed hash, its message queued (the
 *                       notifier wipes the body once sent); a contact
 *                       change also sends a second code to the contact the
 *                       session signed in with;
 *   challenge_verify()  one try spent atomically (parallel guesses share
 *                       otp_max_attempts), the code(s) compared in constant
 *                       time, the challenge used up on success; a wrong
 *                       code counts against the clinic's budget of failed
 *                       verifications, past which every wrong try waits (at
 *                       most CHALLENGE_DELAY_MAX_MS; never a refusal, so no
 *                       stranger can lock a clinic's patients out).
 *
 * Both run inside the clinic's transaction (the request pipeline's write).
 * Codes never leave this module but in the queued message.
 */
#ifndef PORTAL_CHALLENGE_H
#define PORTAL_CHALLENGE_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"
#include "db_signin.h"
#include "err.h"

struct arena;
struct conf;
struct db;

/* The longest wait a wrong try is given past the clinic's budget, and its
 * step per failure over the budget. */
#define CHALLENGE_DELAY_MAX_MS 2000
#define CHALLENGE_DELAY_STEP_MS 250

/* What a start is for. */
struct challenge_request {
	enum db_challenge_kind kind;
	const char *channel;		/* "sms" or "email" */
	const char *contact;		/* challenge_contact()'s form */
	const char *client_addr;	/* as the server saw it */
	/* contact change */
	const char *patient_id;
	const char *session_hash;	/* the asking session's hash */
};

struct challenge_started {
	char id[CRYPTO_UUID_CHARS + 1];
	long retry_after;		/* > 0: a limit refused it */
	bool old_code_sent;		/* contact change: a second code went */
};

/*
 * Starts a challenge of in->kind in the clinic of the transaction (known
 * and unknown sign-in contacts alike: one statement, the same answer).
 * ERR_OK with out->id, or with out->retry_after > 0 when a limit refused
 * it; ERR_DB / ERR_NOMEM otherwise.
 */
enum err challenge_start(struct db *db, const struct conf *conf,
    const struct challenge_request *in, struct challenge_started *out);

/* What the caller sent to meet a challenge. */
struct challenge_answer {
	const char *id;
	const char *code;		/* challenge_code_valid() */
	const char *old_code;		/* the second code, or NULL */
};

enum challenge_verdict {
	CHALLENGE_PASSED,	/* the challenge is used up now */
	CHALLENGE_WRONG,	/* a try is spent: keep it (commit), say so */
	CHALLENGE_GONE,		/* expired, used, out of tries, unknown or not
				 * the caller's */
};

struct challenge_result {
	enum challenge_verdict verdict;
	long attempts_left;		/* CHALLENGE_WRONG */
	/* CHALLENGE_PASSED: what the challenge was for (in the arena). */
	const char *channel;
	const char *contact;		/* sign-in: the contact signed in with
					 * (NULL when none); contact change: the
					 * new one */
	const char *patient_ids;	/* sign-in: who may sign in, "id,id" */
	/* Sign-in for a contact several patients share: the selection token
	 * (login/select), else "". */
	char selection_token[CRYPTO_TOKEN_CHARS + 1];
	const char *old_channel, *old_contact;	/* contact change: where the
						 * second code went (or NULL) */
};

/*
 * Meets challenge in->id of kind at clinic_id (a contact change only for
 * patient_id): spends one try, then compares in->code, and in->old_code
 * when the challenge sent a second code (missing counts as wrong; either
 * wrong spends the one shared try). A sign-in whose patients all lost
 * access meanwhile is wrong too. ERR_OK with out->verdict, else ERR_DB /
 * ERR_NOMEM. A wrong try may have waited (the clinic's budget) before this
 * returns.
 */
enum err challenge_verify(struct db *db, struct arena *a,
    const struct conf *conf, enum db_challenge_kind kind,
    const char *clinic_id, const char *patient_id,
    const struct challenge_answer *in, struct challenge_result *out);

/* True for a code as sent: CRYPTO_OTP_DIGITS decimal digits. */
bool challenge_code_valid(const char *code);

/* What challenge_contact() made of a text. */
enum challenge_contact_read {
	CHALLENGE_CONTACT_OK,		/* *channel_out, *contact_out set */
	CHALLENGE_CONTACT_INVALID,	/* neither a phone number nor an email
					 * address */
	CHALLENGE_CONTACT_NO_SMS,	/* a phone number no SMS reaches (a
					 * landline: contacts.h), so no code
					 * can go to it */
	CHALLENGE_CONTACT_NOMEM,
};

/*
 * Reads a contact as a patient types it, as the place to send a code to:
 * an email address (when channel is "email", or NULL and text holds '@'),
 * lower-cased, or a phone number in any usual form (read with the clinic's
 * country), in E.164, that can take an SMS. On CHALLENGE_CONTACT_OK sets
 * *channel_out ("sms" or "email") and *contact_out (in the arena). The
 * answer depends on the text alone, never on who has the contact.
 */
enum challenge_contact_read challenge_contact(struct arena *a,
    const char *text, const char *channel, const char *country,
    const char **channel_out, const char **contact_out);

/*
 * A contact as a notice may show it without giving it away: a phone
 * number's country code and last two digits ("+90*********67"), an
 * address's first letter and its domain's first letter and last label
 * ("a***@e***.com"). The result (in the arena; NULL when out of memory)
 * never holds "{{".
 */
const char *challenge_mask(struct arena *a, const char *channel,
    const char *contact);

#endif
