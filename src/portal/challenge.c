/*
 * challenge.c - one-time-code challenges, sign-in and contact change
 * alike (see challenge.h): codes made and hashed here, limits and messages
 * in one statement (db_signin.h, sql/0015), tries spent atomically, codes
 * compared in constant time, and the clinic's budget of failed
 * verifications, which only ever slows wrong tries down.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "arena.h"
#include "challenge.h"
#include "conf.h"
#include "contacts.h"
#include "crypto.h"
#include "db_signin.h"
#include "log.h"
#include "netaddr.h"

/* The keyed hash of a contact change's second code is bound to the
 * challenge id with this suffix, so that the two codes of one challenge
 * never stand for each other. */
#define OLD_CODE_SUFFIX "/old"

static void
old_code_hash(char *out, const char *secret, const char *id, const char *code)
{
	char bound[CRYPTO_UUID_CHARS + sizeof(OLD_CODE_SUFFIX)];

	snprintf(bound, sizeof(bound), "%.*s" OLD_CODE_SUFFIX,
	    CRYPTO_UUID_CHARS, id);
	crypto_otp_hash(out, secret, bound, code);
}

enum err
challenge_start(struct db *db, const struct conf *conf,
    const struct challenge_request *in, struct challenge_started *out)
{
	char otp[CRYPTO_OTP_DIGITS + 1], old_otp[CRYPTO_OTP_DIGITS + 1];
	char hash[CRYPTO_BYTEA_HEX], old_hash[CRYPTO_BYTEA_HEX];
	char addr_key[NET_RATE_KEY_MAX];
	struct db_challenge_new row;
	enum err err;

	memset(out, 0, sizeof(*out));
	crypto_uuid(out->id);
	crypto_otp(otp);
	crypto_otp_hash(hash, conf->signin_secret, out->id, otp);
	/* The second code is made whatever happens: whether the session's
	 * contact still takes it is decided in the same statement. */
	crypto_otp(old_otp);
	old_code_hash(old_hash, conf->signin_secret, out->id, old_otp);
	/* An address that does not parse counts under "-", with the rest. */
	(void)net_rate_key(in->client_addr, addr_key);

	memset(&row, 0, sizeof(row));
	row.kind = in->kind;
	row.id = out->id;
	row.channel = in->channel;
	row.contact = in->contact;
	row.code_hash = hash;
	row.otp = otp;
	row.addr_key = addr_key;
	row.contact_limit = conf->patient_login_max_per_contact;
	row.addr_limit = conf->patient_login_max_per_address;
	row.window_s = conf->patient_login_window;
	row.lifetime_s = conf->otp_lifetime;
	row.base_url = conf->public_url;
	if (in->kind == DB_CHALLENGE_CONTACT_CHANGE) {
		row.patient_id = in->patient_id;
		row.session_hash = in->session_hash;
		row.old_code_hash = old_hash;
		row.old_otp = old_otp;
	}
	err = db_challenge_start(db, &row, &out->retry_after,
	    &out->old_code_sent);
	sodium_memzero(otp, sizeof(otp));
	sodium_memzero(old_otp, sizeof(old_otp));
	return err;
}

/* How long a wrong try waits when the clinic has failures this try's
 * included, past budget: a step per failure over it, up to the most. */
static long
delay_ms(long failures, long budget)
{
	long over = failures - budget;

	if (over <= 0)
		return 0;
	if (over >= CHALLENGE_DELAY_MAX_MS / CHALLENGE_DELAY_STEP_MS)
		return CHALLENGE_DELAY_MAX_MS;
	return over * CHALLENGE_DELAY_STEP_MS;
}

static void
pause_ms(long ms)
{
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000L };

	/* Signals are blocked while a request runs; an interruption just
	 * goes on with what is left. */
	while (nanosleep(&left, &left) == -1 && errno == EINTR)
		;
}

/* A wrong try: kept in the clinic's ledger, answered after the budget's
 * wait. */
static enum err
wrong_try(struct db *db, const struct conf *conf, const char *clinic_id,
    const struct db_challenge *row, struct challenge_result *out)
{
	long failures = row->recent_failures + 1, wait;
	enum err err;

	if ((err = db_challenge_failed(db, clinic_id)) != ERR_OK)
		return err;
	if (failures == conf->otp_failure_budget + 1)
		log_warn("clinic %s passed its budget of %ld failed code "
		    "verifications in %ld s: wrong codes now wait up to %d ms",
		    clinic_id, conf->otp_failure_budget, conf->otp_failure_window,
		    CHALLENGE_DELAY_MAX_MS);
	if ((wait = delay_ms(failures, conf->otp_failure_budget)) > 0)
		pause_ms(wait);
	out->verdict = CHALLENGE_WRONG;
	out->attempts_left = conf->otp_max_attempts - row->attempts;
	if (out->attempts_left < 0)
		out->attempts_left = 0;
	return ERR_OK;
}

enum err
challenge_verify(struct db *db, struct arena *a, const struct conf *conf,
    enum db_challenge_kind kind, const char *clinic_id, const char *patient_id,
    const struct challenge_answer *in, struct challenge_result *out)
{
	char hash[CRYPTO_BYTEA_HEX], old_hash[CRYPTO_BYTEA_HEX];
	char selection[CRYPTO_BYTEA_HEX], id[CRYPTO_UUID_CHARS + 1];
	struct db_challenge row;
	bool match, old_match = true, several;
	enum err err;

	memset(out, 0, sizeof(*out));
	memset(&row, 0, sizeof(row));
	/* Enough failures over the budget to reach the longest wait. */
	err = db_challenge_try(db, a, kind, clinic_id, patient_id, in->id,
	    conf->otp_max_attempts, conf->otp_failure_window,
	    conf->otp_failure_budget + CHALLENGE_DELAY_MAX_MS /
	    CHALLENGE_DELAY_STEP_MS + 1, &row);
	if (err == ERR_NOT_FOUND) {
		out->verdict = CHALLENGE_GONE;
		return ERR_OK;
	}
	if (err != ERR_OK)
		return err;

	/* The codes were hashed with the id as it was made: lower case. */
	for (size_t i = 0; i <= CRYPTO_UUID_CHARS; i++)
		id[i] = (char)(in->id[i] >= 'A' && in->id[i] <= 'F' ?
		    in->id[i] - 'A' + 'a' : in->id[i]);
	/* Both comparisons always run: the answer's time says nothing of
	 * which code was wrong. */
	crypto_otp_hash(hash, conf->signin_secret, id, in->code);
	match = crypto_str_equal(hash, row.code_hash);
	if (row.old_code_hash != NULL) {
		old_code_hash(old_hash, conf->signin_secret, id,
		    in->old_code != NULL ? in->old_code : "");
		old_match = in->old_code != NULL &&
		    crypto_str_equal(old_hash, row.old_code_hash);
	}
	/* A sign-in nobody may use any more (an unknown contact's, or every
	 * patient lost access) is a wrong code, as it always was. */
	if (!match || !old_match || (kind == DB_CHALLENGE_SIGN_IN &&
	    *row.patient_ids == '\0'))
		return wrong_try(db, conf, clinic_id, &row, out);

	several = kind == DB_CHALLENGE_SIGN_IN &&
	    strchr(row.patient_ids, ',') != NULL;
	if (several) {
		crypto_token(out->selection_token);
		crypto_token_hash(selection, out->selection_token);
	}
	err = db_challenge_passed(db, kind, clinic_id, id,
	    several ? selection : NULL);
	if (err == ERR_NOT_FOUND) {
		/* Another request met it first. */
		sodium_memzero(out->selection_token, sizeof(out->selection_token));
		out->verdict = CHALLENGE_GONE;
		return ERR_OK;
	}
	if (err != ERR_OK)
		return err;
	out->verdict = CHALLENGE_PASSED;
	out->channel = row.channel;
	out->contact = row.contact;
	out->patient_ids = row.patient_ids;
	out->old_channel = row.old_channel;
	out->old_contact = row.old_contact;
	return ERR_OK;
}

bool
challenge_code_valid(const char *code)
{
	size_t n = 0;

	for (; code[n] != '\0'; n++)
		if (code[n] < '0' || code[n] > '9')
			return false;
	return n == CRYPTO_OTP_DIGITS;
}

enum challenge_contact_read
challenge_contact(struct arena *a, const char *text, const char *channel,
    const char *country, const char **channel_out, const char **contact_out)
{
	char e164[PHONE_E164_MAX + 1];

	if (channel != NULL ? strcmp(channel, "email") == 0 :
	    strchr(text, '@') != NULL) {
		char *lower = arena_strdup(a, text);

		if (lower == NULL)
			return CHALLENGE_CONTACT_NOMEM;
		for (char *c = lower; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (!contact_email_valid(lower))
			return CHALLENGE_CONTACT_INVALID;
		*channel_out = "email";
		*contact_out = lower;
		return CHALLENGE_CONTACT_OK;
	}
	if (strlen(text) > PHONE_TEXT_MAX ||
	    !contact_phone_e164(text, country, e164))
		return CHALLENGE_CONTACT_INVALID;
	/* A code sent where no SMS arrives is a sign-in nobody can finish. */
	if (!contact_phone_sms_capable(e164))
		return CHALLENGE_CONTACT_NO_SMS;
	if ((*contact_out = arena_strdup(a, e164)) == NULL)
		return CHALLENGE_CONTACT_NOMEM;
	*channel_out = "sms";
	return CHALLENGE_CONTACT_OK;
}

/* The length of the UTF-8 sequence s starts (1 for anything odd). */
static size_t
first_char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if (s[i] == '\0')
			return 1;
	return n;
}

const char *
challenge_mask(struct arena *a, const char *channel, const char *contact)
{
	size_t len = strlen(contact);
	char *out;

	if (strcmp(channel, "sms") == 0) {
		/* "+90" ... "67": the country and the last two digits. */
		if ((out = arena_strdup(a, contact)) == NULL)
			return NULL;
		for (size_t i = 3; i + 2 < len; i++)
			out[i] = '*';
	} else {
		const char *at = strrchr(contact, '@');
		const char *dot = at != NULL ? strrchr(at, '.') : NULL;

		if (at == NULL || at == contact || dot == NULL || dot == at + 1)
			return arena_strdup(a, "***");
		out = arena_printf(a, "%.*s***@%.*s***%s",
		    (int)first_char_len(contact), contact,
		    (int)first_char_len(at + 1), at + 1, dot);
		if (out == NULL)
			return NULL;
	}
	/* No placeholder can come out of a masked value. */
	for (char *c = out; *c != '\0'; c++)
		if (*c == '{' || *c == '}')
			*c = '*';
	return out;
}
