/*
 * db_pay.h - a patient's online payment (DESIGN.md section 12): the
 * Idempotency-Key claim, the pending payment and its reference, the
 * provider's verified callback settling it, expiry, the receipt. The
 * statements read the clinic and the patient from the request's context
 * (sql/0026_online_payments.sql).
 */
#ifndef PORTAL_DB_PAY_H
#define PORTAL_DB_PAY_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct arena;
struct db;

enum db_idem {
	DB_IDEM_NEW,		/* go ahead: the key is held until the work ends */
	DB_IDEM_REPLAY,		/* the first answer, to send again */
	DB_IDEM_REUSED,		/* the key came with another body */
	DB_IDEM_IN_FLIGHT,	/* the first request is still running */
};

/* Claims key for the context's patient, with hash_hex (the request's
 * SHA-256 in bytea text form, crypto_token_hash()). DB_IDEM_REPLAY sets
 * *status and *body. */
enum err db_idem_claim(struct db *db, struct arena *a, const char *key,
    const char *hash_hex, enum db_idem *out, int *status, const char **body);
/* Keeps the answer of the claimed key for replays (rides with the COMMIT). */
enum err db_idem_finish(struct db *db, struct arena *a, const char *key,
    int status, const char *body);
/* Lets the claimed key go (rides with the COMMIT). */
enum err db_idem_forget(struct db *db, const char *key);

/* Pending online payments of the context's clinic older than older_s
 * seconds become expired. */
enum err db_payments_expire(struct db *db, struct arena *a, long older_s);
/* The same across clinics (portalctl, as the owner); *count expired.
 * Also forgets Idempotency-Keys past their 24 hours (*purged of them). */
enum err db_payments_expire_all(struct db *db, struct arena *a, long older_s,
    long *count, long *purged);

enum db_pay_start {
	DB_PAY_STARTED,
	DB_PAY_NO_INVOICE,	/* not one of the patient's invoices */
	DB_PAY_INVOICE_VOID,
	DB_PAY_ABOVE_DUE,	/* more than the invoice's due */
	DB_PAY_ABOVE_BALANCE,	/* more than the balance */
};

/* The context's patient starts paying amount online (for invoice_id, or
 * NULL: toward the balance) through provider under reference. On
 * DB_PAY_STARTED *payment_id is the new pending payment. */
enum err db_online_payment_start(struct db *db, struct arena *a,
    int64_t amount, const char *invoice_id, const char *provider,
    const char *reference, enum db_pay_start *out, const char **payment_id);
/* The checkout began at the provider, as provider_reference. */
enum err db_payment_checkout_opened(struct db *db, const char *payment_id,
    const char *provider_reference);
/* The checkout could not begin: the payment failed. */
enum err db_payment_checkout_failed(struct db *db, const char *payment_id);

/* The clinic a payment reference leads to, and its provider; needs no
 * context. ERR_NOT_FOUND when nobody issued it. */
enum err db_payment_ref(struct db *db, struct arena *a, const char *reference,
    const char **clinic_id, const char **provider);

enum db_settle {
	DB_SETTLE_UNKNOWN,	/* no such payment of the provider: no change */
	DB_SETTLE_CURRENCY,	/* not the payment's currency: no change */
	DB_SETTLE_AMOUNT,	/* not the payment's amount: no change */
	DB_SETTLE_REPEAT,	/* the event was handled before: no change */
	DB_SETTLE_SUCCEEDED,	/* succeeded now, and applied */
	DB_SETTLE_FAILED,	/* failed now */
	DB_SETTLE_UNCHANGED,	/* already so, or a failure after success */
};

struct db_settled {
	enum db_settle outcome;
	const char *payment_id, *patient_id;	/* NULL for DB_SETTLE_UNKNOWN */
	const char *before;			/* the status it had */
};

/* Settles the payment of reference (the context's clinic) by a verified
 * event: succeeded or failed, with its amount and currency; more_ok lets
 * an amount above the payment's pass (PayTR's instalment interest). */
enum err db_payment_settle(struct db *db, struct arena *a,
    const char *provider, const char *event_id, const char *reference,
    bool succeeded, int64_t amount, const char *currency, bool more_ok,
    struct db_settled *out);

/* Queues the receipt of succeeded payment_id by the patient's choices
 * (rides with the COMMIT); base_url for the portal link. */
enum err db_payment_receipt(struct db *db, const char *payment_id,
    const char *base_url);

/* One audit row, no clinic: a callback refused before its reference led
 * anywhere (why in plain words; nothing of the body). */
enum err db_callback_rejected_unknown(struct db *db, const char *provider,
    const char *why, const char *request_id);

#endif
