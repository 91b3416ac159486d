/*
 * pay_sql.c - statements of a patient's online payment (see db_pay.h);
 * the rules are sql/0026_online_payments.sql's functions.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "db_pay.h"

enum stmt_id {
	STMT_IDEM_CLAIM,
	STMT_IDEM_FINISH,
	STMT_IDEM_FORGET,
	STMT_EXPIRE,
	STMT_EXPIRE_ALL,
	STMT_IDEM_PURGE,
	STMT_START,
	STMT_OPENED,
	STMT_FAILED,
	STMT_REF,
	STMT_SETTLE,
	STMT_RECEIPT,
	STMT_REJECTED,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_IDEM_CLAIM] = { "pay_idem_claim",
	    "SELECT outcome, status, body FROM portal_idempotency_claim($1, "
	    "$2::bytea)", 2, false },
	[STMT_IDEM_FINISH] = { "pay_idem_finish",
	    "SELECT portal_idempotency_finish($1, $2::integer, $3)", 3, false },
	[STMT_IDEM_FORGET] = { "pay_idem_forget",
	    "SELECT portal_idempotency_forget($1)", 1, false },
	[STMT_EXPIRE] = { "pay_expire",
	    "SELECT portal_payments_expire($1::bigint * interval '1 second')",
	    1, false },
	[STMT_EXPIRE_ALL] = { "pay_expire_all",
	    "SELECT portal_payments_expire_all($1::bigint * interval "
	    "'1 second')", 1, false },
	[STMT_IDEM_PURGE] = { "pay_idem_purge",
	    "SELECT portal_idempotency_purge()", 0, false },
	[STMT_START] = { "pay_start",
	    "SELECT outcome, payment_id FROM portal_online_payment_start("
	    "$1::bigint, $2::uuid, $3, $4)", 4, false },
	[STMT_OPENED] = { "pay_opened",
	    "SELECT portal_payment_checkout_opened($1::uuid, $2)", 2, false },
	[STMT_FAILED] = { "pay_failed",
	    "SELECT portal_payment_checkout_failed($1::uuid)", 1, false },
	[STMT_REF] = { "pay_ref",
	    "SELECT clinic_id, provider FROM portal_payment_ref($1)", 1, true },
	[STMT_SETTLE] = { "pay_settle",
	    "SELECT outcome, payment_id, patient_id, before_status FROM "
	    "portal_payment_settle($1, $2, $3, $4::boolean, $5::bigint, $6, "
	    "$7::boolean)", 7, false },
	[STMT_RECEIPT] = { "pay_receipt",
	    "SELECT portal_payment_receipt($1::uuid, $2)", 2, false },
	[STMT_REJECTED] = { "pay_rejected_unknown",
	    "SELECT portal_callback_rejected_unknown($1, $2, $3)", 3, false },
};

enum err
db_idem_claim(struct db *db, struct arena *a, const char *key,
    const char *hash_hex, enum db_idem *out, int *status, const char **body)
{
	const char *params[] = { key, hash_hex };
	const char *outcome;
	enum err err;
	PGresult *res = db_exec_one(db, &stmts[STMT_IDEM_CLAIM], params, &err);

	if (res == NULL)
		return err;
	outcome = PQgetvalue(res, 0, 0);
	if (strcmp(outcome, "new") == 0) {
		*out = DB_IDEM_NEW;
	} else if (strcmp(outcome, "replay") == 0) {
		*out = DB_IDEM_REPLAY;
		*status = atoi(PQgetvalue(res, 0, 1));
		if ((*body = db_val(a, res, 0, 2)) == NULL)
			err = ERR_NOMEM;
	} else if (strcmp(outcome, "reused") == 0) {
		*out = DB_IDEM_REUSED;
	} else {
		*out = DB_IDEM_IN_FLIGHT;
	}
	PQclear(res);
	return err;
}

enum err
db_idem_finish(struct db *db, struct arena *a, const char *key, int status,
    const char *body)
{
	const char **params = arena_alloc(a, 3 * sizeof(*params));
	const char *st = arena_printf(a, "%d", status);

	if (params == NULL || st == NULL)
		return ERR_NOMEM;
	params[0] = key;
	params[1] = st;
	params[2] = body;
	return db_defer(db, &stmts[STMT_IDEM_FINISH], params);
}

enum err
db_idem_forget(struct db *db, const char *key)
{
	const char *params[] = { key };

	return db_run(db, &stmts[STMT_IDEM_FORGET], params);
}

enum err
db_payments_expire(struct db *db, struct arena *a, long older_s)
{
	const char *params[] = { arena_printf(a, "%ld", older_s) };

	if (params[0] == NULL)
		return ERR_NOMEM;
	return db_run(db, &stmts[STMT_EXPIRE], params);
}

enum err
db_payments_expire_all(struct db *db, struct arena *a, long older_s,
    long *count, long *purged)
{
	const char *params[] = { arena_printf(a, "%ld", older_s) };
	enum err err;
	PGresult *res;

	if (params[0] == NULL)
		return ERR_NOMEM;
	if ((res = db_exec_one(db, &stmts[STMT_EXPIRE_ALL], params, &err)) ==
	    NULL)
		return err;
	*count = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	if ((res = db_exec_one(db, &stmts[STMT_IDEM_PURGE], NULL, &err)) ==
	    NULL)
		return err;
	*purged = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return ERR_OK;
}

enum err
db_online_payment_start(struct db *db, struct arena *a, int64_t amount,
    const char *invoice_id, const char *provider, const char *reference,
    enum db_pay_start *out, const char **payment_id)
{
	static const struct {
		const char *name;
		enum db_pay_start value;
	} outcomes[] = {
		{ "ok", DB_PAY_STARTED },
		{ "no_invoice", DB_PAY_NO_INVOICE },
		{ "invoice_void", DB_PAY_INVOICE_VOID },
		{ "above_due", DB_PAY_ABOVE_DUE },
		{ "above_balance", DB_PAY_ABOVE_BALANCE },
	};
	const char *params[] = { arena_printf(a, "%" PRId64, amount),
	    invoice_id, provider, reference };
	const char *outcome;
	enum err err;
	PGresult *res;

	if (params[0] == NULL)
		return ERR_NOMEM;
	if ((res = db_exec_one(db, &stmts[STMT_START], params, &err)) == NULL)
		return err;
	outcome = PQgetvalue(res, 0, 0);
	err = ERR_DB;
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (strcmp(outcome, outcomes[i].name) == 0) {
			*out = outcomes[i].value;
			err = ERR_OK;
		}
	*payment_id = db_val(a, res, 0, 1);
	if (err == ERR_OK && *out == DB_PAY_STARTED && *payment_id == NULL)
		err = ERR_NOMEM;
	PQclear(res);
	return err;
}

enum err
db_payment_checkout_opened(struct db *db, const char *payment_id,
    const char *provider_reference)
{
	const char *params[] = { payment_id, provider_reference };

	return db_run(db, &stmts[STMT_OPENED], params);
}

enum err
db_payment_checkout_failed(struct db *db, const char *payment_id)
{
	const char *params[] = { payment_id };

	return db_run(db, &stmts[STMT_FAILED], params);
}

enum err
db_payment_ref(struct db *db, struct arena *a, const char *reference,
    const char **clinic_id, const char **provider)
{
	const char *params[] = { reference };
	enum err err;
	PGresult *res = db_exec_one(db, &stmts[STMT_REF], params, &err);

	if (res == NULL)
		return err;
	*clinic_id = db_val(a, res, 0, 0);
	*provider = db_val(a, res, 0, 1);
	PQclear(res);
	return *clinic_id == NULL || *provider == NULL ? ERR_NOMEM : ERR_OK;
}

enum err
db_payment_settle(struct db *db, struct arena *a, const char *provider,
    const char *event_id, const char *reference, bool succeeded,
    int64_t amount, const char *currency, bool more_ok,
    struct db_settled *out)
{
	static const struct {
		const char *name;
		enum db_settle value;
	} outcomes[] = {
		{ "unknown", DB_SETTLE_UNKNOWN },
		{ "currency", DB_SETTLE_CURRENCY },
		{ "amount", DB_SETTLE_AMOUNT },
		{ "repeat", DB_SETTLE_REPEAT },
		{ "succeeded", DB_SETTLE_SUCCEEDED },
		{ "failed", DB_SETTLE_FAILED },
		{ "unchanged", DB_SETTLE_UNCHANGED },
	};
	const char *params[] = { provider, event_id, reference,
	    succeeded ? "true" : "false", arena_printf(a, "%" PRId64, amount),
	    currency, more_ok ? "true" : "false" };
	const char *outcome;
	enum err err;
	PGresult *res;

	if (params[4] == NULL)
		return ERR_NOMEM;
	if ((res = db_exec_one(db, &stmts[STMT_SETTLE], params, &err)) ==
	    NULL)
		return err;
	outcome = PQgetvalue(res, 0, 0);
	err = ERR_DB;
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (strcmp(outcome, outcomes[i].name) == 0) {
			out->outcome = outcomes[i].value;
			err = ERR_OK;
		}
	out->payment_id = db_val(a, res, 0, 1);
	out->patient_id = db_val(a, res, 0, 2);
	out->before = db_val(a, res, 0, 3);
	PQclear(res);
	return err;
}

enum err
db_payment_receipt(struct db *db, const char *payment_id,
    const char *base_url)
{
	const char *params[] = { payment_id, base_url };

	/* The parameters are the request's (arena) strings: they live until
	 * the work ends, as db_defer() needs. The array is copied there. */
	return db_defer(db, &stmts[STMT_RECEIPT], params);
}

enum err
db_callback_rejected_unknown(struct db *db, const char *provider,
    const char *why, const char *request_id)
{
	const char *params[] = { provider, why, request_id };

	return db_run(db, &stmts[STMT_REJECTED], params);
}
