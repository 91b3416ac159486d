/*
 * payprov.h - the online payment providers behind one interface
 * (DESIGN.md section 12): `devgateway` (the stacks' payment sink) and
 * `paytr` (PayTR's iFrame API).
 *
 * Three things per provider: start a checkout (an outbound HTTP call with
 * libcurl, answering the hosted page's address), verify a callback (the
 * provider's signature over the exact bytes received, answering what
 * happened to which payment), and the answer the provider expects back.
 * Plus the sealing of a clinic's credentials at rest (libsodium
 * secretbox under the server's `payment_key`).
 *
 * Layer `portal`: sees common and db headers only, never HTTP types; the
 * handlers in src/http/ map the errors below to statuses. Everything
 * returned lives in the arena passed in. Nothing here logs a secret, a
 * body or a signature.
 */
#ifndef PORTAL_PAYPROV_H
#define PORTAL_PAYPROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

struct arena;
struct conf;

enum payprov_kind {
	PAYPROV_DEVGATEWAY,
	PAYPROV_PAYTR,
	PAYPROV__MAX
};

/* A callback's body is refused past this size, and any one field of it
 * (an id, a reference, a form value) past PAYPROV_FIELD_MAX bytes. */
#define PAYPROV_BODY_MAX (64 * 1024)
#define PAYPROV_FIELD_MAX 255
/* A reference (PayTR's merchant_oid): letters and digits only. */
#define PAYPROV_REFERENCE_MAX 64
/* A devgateway callback is accepted this many seconds either side of t. */
#define PAYPROV_TOLERANCE_SECONDS 300
/* The sealing key: 32 bytes, given in the config as 64 hex digits. */
#define PAYPROV_KEY_BYTES 32
/* A credential string: 1 to this many characters. */
#define PAYPROV_CRED_MAX 200

/* The provider named name ("devgateway", "paytr"); -1 for any other. */
int payprov_from_name(const char *name);
/* The name of provider p ("devgateway", "paytr"). */
const char *payprov_name(enum payprov_kind p);

/*
 * A clinic's credentials, decrypted. devgateway: merchant_id, secret;
 * paytr: merchant_id, merchant_key, merchant_salt. The others are NULL.
 */
struct payprov_creds {
	const char *merchant_id;
	const char *secret;
	const char *merchant_key;
	const char *merchant_salt;
};

/* The credential fields provider p takes, NULL-terminated (for the
 * settings handler's validation: each is a string of 1..PAYPROV_CRED_MAX
 * characters, all required, no others). */
const char *const *payprov_cred_fields(enum payprov_kind p);

/*
 * Reads the JSON text of a clinic's credentials (what payprov_open()
 * gives back) for provider p into out, strings in a. ERR_INVALID when it
 * is not an object holding exactly p's fields as non-empty strings;
 * ERR_NOMEM.
 */
enum err payprov_creds_parse(struct arena *a, enum payprov_kind p,
    const char *json, size_t len, struct payprov_creds *out);

/* ---- sealing the credentials ---- */

/*
 * Reads the config's payment_key (64 hex digits) into key. False when it
 * is empty or not 64 hex digits (conf.c refuses the latter at startup).
 * Wipe key with sodium_memzero() when done.
 */
bool payprov_key_parse(const char *hex, unsigned char key[PAYPROV_KEY_BYTES]);

/*
 * Seals plain (len bytes) with key: crypto_secretbox_easy under a random
 * nonce, stored as nonce || ciphertext. *sealed is that in PostgreSQL's
 * bytea text form ("\\x" and hex), for a text parameter, in a. ERR_OK or
 * ERR_NOMEM.
 */
enum err payprov_seal(struct arena *a, const unsigned char key[PAYPROV_KEY_BYTES],
    const char *plain, size_t len, const char **sealed);

/*
 * Opens what payprov_seal() made (bytea text form as a text result gives
 * it back). *plain is NUL-terminated, *len bytes, in a; the caller wipes
 * it when done. ERR_INVALID when it is not sealed data or was sealed
 * under another key or changed; ERR_NOMEM.
 */
enum err payprov_open(struct arena *a, const unsigned char key[PAYPROV_KEY_BYTES],
    const char *sealed, char **plain, size_t *len);

/* ---- checkout ---- */

struct payprov_checkout {
	enum payprov_kind provider;
	const struct payprov_creds *creds;
	const char *reference;		/* letters and digits, <= 64 */
	int64_t amount;			/* minor units, > 0 */
	const char *currency;		/* ISO 4217 ("TRY" is sent as PayTR's "TL") */
	const char *description;	/* one line, <= 200 */
	const char *email;		/* the patient's; PayTR requires one */
	const char *name;		/* the patient's; PayTR's user_name */
	const char *phone;		/* NULL: PayTR gets "-" */
	const char *address;		/* NULL: PayTR gets "-" */
	const char *client_ip;		/* the browser's address (PayTR's user_ip) */
	const char *return_url;		/* where the browser goes back (PayTR: ok URL) */
	const char *fail_url;		/* PayTR's fail URL; NULL: return_url */
	const char *callback_url;	/* devgateway only (PayTR's is set at the merchant) */
	const char *lang;		/* "tr" or "en"; NULL: "tr" */
};

/*
 * What a checkout gave. ok: redirect_url (the hosted page) and
 * provider_reference (the devgateway checkout id, or the PayTR token).
 * Not ok: step names where it failed, for the console's "test checkout"
 * and for logs - "input" (our own request was not whole), "connect" (no
 * answer: refused, timed out, name unknown), "status" (an HTTP status we
 * did not expect), "signature" (the provider refused our signature: the
 * secret or key is wrong), "merchant" (the provider does not know the
 * merchant id), "refused" (the provider refused the checkout, detail
 * says why), "answer" (an answer we could not read); detail says it in
 * plain words, without secrets.
 */
struct payprov_result {
	bool ok;
	const char *redirect_url;
	const char *provider_reference;
	const char *step;
	const char *detail;
};

/*
 * Starts a checkout at the provider named in in->provider, at the address
 * of the config (devgateway_url, paytr_api_url), waiting at most
 * payment_http_timeout_ms, only over http or https, following no
 * redirect, reading at most 64 KiB of answer. Run it with no transaction
 * open. ERR_OK with out->ok; ERR_UPSTREAM with out->step and out->detail
 * (the provider failed or refused); ERR_INVALID when in is not whole
 * (out->step "input"); ERR_NOMEM.
 */
enum err payprov_checkout(struct arena *a, const struct conf *conf,
    const struct payprov_checkout *in, struct payprov_result *out);

/* ---- callbacks ---- */

enum payprov_status { PAYPROV_SUCCEEDED, PAYPROV_FAILED };

/* A verified callback. */
struct payprov_event {
	const char *event_id;		/* devgateway: its id; paytr: merchant_oid + status */
	const char *reference;		/* our payment's reference */
	enum payprov_status status;
	int64_t amount;			/* minor units (paytr: total_amount, which
					 * instalment interest may raise) */
	const char *currency;		/* ISO 4217 (PayTR's "TL" read as "TRY") */
};

/*
 * The reference a callback names, read before it is verified so that the
 * server can find the clinic whose credentials verify it (devgateway:
 * data.reference of the JSON body; paytr: merchant_oid of the form).
 * ERR_OK with *reference (letters and digits, 1..64) in a; ERR_INVALID
 * when the body is not the provider's shape or is too large; ERR_NOMEM.
 * Trust nothing of it until payprov_verify() says ERR_OK.
 */
enum err payprov_callback_reference(struct arena *a, enum payprov_kind p,
    const char *body, size_t len, const char *content_type,
    const char **reference);

/*
 * Verifies a callback of provider p with the clinic's creds: body (len
 * bytes, exactly as received), its content type, and for devgateway the
 * X-Gateway-Signature header (`t=<unix>,v1=<hex HMAC-SHA256(secret,
 * t + "." + body)>`, one of each, t within PAYPROV_TOLERANCE_SECONDS of
 * now) - paytr signs inside the form (hash), so signature is ignored.
 * Signatures are compared in constant time, before the body's meaning is
 * trusted. ERR_OK with out filled (strings in a); ERR_FORBIDDEN when the
 * signature or its time is wrong; ERR_INVALID when the body or header is
 * not the provider's shape; ERR_NOMEM. *why (static, plain words, no
 * secrets) says what was wrong, for the log and the audit row.
 */
enum err payprov_verify(struct arena *a, enum payprov_kind p,
    const struct payprov_creds *creds, const char *body, size_t len,
    const char *content_type, const char *signature, time_t now,
    struct payprov_event *out, const char **why);

/* What the provider expects back from an accepted callback (a repeat
 * included): devgateway 200 JSON `{"received":true}`, paytr 200 text
 * `OK`. Static strings. */
struct payprov_answer {
	int status;
	const char *content_type;
	const char *body;
};
void payprov_callback_answer(enum payprov_kind p, struct payprov_answer *out);

/* ---- the pieces, for tests and the fuzz target ---- */

/* HMAC-SHA256 over the concatenation of the n parts (NULL-terminated
 * strings), keyed by key (any length). */
void payprov_hmac(const char *key, const char *const *parts, size_t n,
    unsigned char mac[32]);

/*
 * Parses an application/x-www-form-urlencoded body (`+` is a space,
 * %XX a byte) into up to max pairs; names and values decoded, each at
 * most PAYPROV_FIELD_MAX bytes and without NUL. ERR_INVALID for a
 * malformed or too large body, a bad escape, a name twice, more than max
 * pairs; ERR_NOMEM.
 */
struct payprov_field {
	const char *name;
	const char *value;
};
enum err payprov_form_parse(struct arena *a, const char *body, size_t len,
    struct payprov_field *fields, size_t max, size_t *count);

/* Reads a devgateway signature header into *t and the 32 bytes of v1.
 * False when a part is missing, given twice, unknown, or malformed. */
bool payprov_signature_parse(const char *header, int64_t *t,
    unsigned char v1[32]);

/* The devgateway header `t=<t>,v1=<hex>` over body, in a (the checkout
 * sends it; tests make callbacks with it). NULL when out of memory. */
const char *payprov_devgateway_sign(struct arena *a, const char *secret,
    int64_t t, const char *body, size_t len);

/* PayTR's user_basket for one line: base64 of
 * [["<description>","<amount in major units, 2 decimals>",1]]. */
const char *payprov_paytr_basket(struct arena *a, const char *description,
    int64_t amount);

/* PayTR's paytr_token (base64 HMAC-SHA256, see DESIGN.md section 12) from
 * the form's fields as sent. NULL when out of memory. */
const char *payprov_paytr_token(struct arena *a,
    const struct payprov_creds *creds, const char *user_ip,
    const char *merchant_oid, const char *email, const char *payment_amount,
    const char *user_basket, const char *no_installment,
    const char *max_installment, const char *currency, const char *test_mode);

/* PayTR's callback hash: base64(HMAC-SHA256(merchant_key, merchant_oid +
 * merchant_salt + status + total_amount)). NULL when out of memory. */
const char *payprov_paytr_hash(struct arena *a,
    const struct payprov_creds *creds, const char *merchant_oid,
    const char *status, const char *total_amount);

#endif
