/*
 * db_finance.h - invoices, payments, refunds and balances of a clinic's
 * patients (sql/0025_finance.sql). Call with the clinic's context set
 * (the request pipeline's work); every figure (totals, tax, paid, due,
 * status, overdue, balance) comes from SQL. Strings live in the arena
 * passed in; money is in minor units of the clinic's currency; instants
 * are RFC 3339 UTC, dates YYYY-MM-DD in the clinic's time zone.
 */
#ifndef PORTAL_DB_FINANCE_H
#define PORTAL_DB_FINANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct arena;
struct db;

#define INVOICE_LINES_MAX 100		/* lines per invoice */
#define INVOICE_QUANTITY_MAX 10000
#define INVOICE_UNIT_PRICE_MAX INT64_C(100000000000)
#define INVOICE_TAX_RATE_MAX 10000	/* basis points: 100 % */
/* What one payment or refund may move (the schema's bound). */
#define PAYMENT_AMOUNT_MAX INT64_C(1000000000000000)

struct db_invoice_line {
	const char *description;
	int64_t quantity, unit_price, tax_rate_bp;
	int64_t subtotal, tax, total;	/* answered; ignored when creating */
};

struct db_invoice {
	const char *id, *patient_id, *patient_name, *number;
	const char *status;		/* open, partially_paid, paid, void */
	bool overdue;
	const char *issued_on, *due_on;	/* due_on NULL: none */
	const char *currency;
	int64_t subtotal, tax_total, total, paid, due;
	const char *note, *void_reason, *voided_at, *created_at;
	struct db_invoice_line *lines;	/* detail only; NULL in lists */
	int line_count;
};

struct db_refund {
	const char *id;
	int64_t amount;
	const char *reason, *created_at;
};

struct db_payment {
	const char *id, *patient_id, *patient_name;
	int64_t amount, refunded;
	const char *currency, *method, *status;
	const char *provider, *provider_reference, *reference;	/* NULL: none */
	const char *invoice_id, *invoice_number;		/* NULL: none */
	const char *received_at, *note, *created_at;
	struct db_refund *refunds;	/* detail only, oldest first */
	int refund_count;
};

/* A list's filters; NULL (or overdue < 0) for any. after_id: the last id
 * of the previous page (NULL: from the start); a vanished one ends the
 * list. */
struct db_finance_filter {
	const char *patient_id, *status, *method;
	int overdue;			/* -1 any, 0 not overdue, 1 overdue */
	const char *after_id;
	int limit;
};

/* Invoices of the clinic (patient_id set: of that patient), overdue
 * first, then newest; without lines. */
enum err db_invoices_list(struct db *db, struct arena *a,
    const char *clinic_id, const struct db_finance_filter *f,
    struct db_invoice **out, int *count);

/* The signed-in patient's (the context's) invoices, as db_invoices_list()
 * with f->patient_id ignored; _ahead() sends the statement with the
 * session's (db_ahead()), the other takes its answer. */
void db_portal_invoices_ahead(struct db *db, struct arena *a,
    const struct db_finance_filter *f);
enum err db_portal_invoices(struct db *db, struct arena *a,
    const struct db_finance_filter *f, struct db_invoice **out, int *count);

/* One invoice with its lines; ERR_NOT_FOUND for an unknown id, another
 * clinic's, or (patient_id not NULL) another patient's. */
enum err db_invoice_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *id, struct db_invoice *out);

/* Creates an invoice of patient_id (one of the clinic's: the caller has
 * checked) with the n lines, numbered next in the issue year, the
 * patient's credit applied to it, and reads it back into out. issued_on
 * NULL: today in the clinic's zone; due_on and note NULL: none. */
enum err db_invoice_create(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, const char *issued_on,
    const char *due_on, const struct db_invoice_line *lines, int n,
    const char *note, struct db_invoice *out);

/* Voids invoice id with reason: ERR_OK; ERR_CONFLICT with *why "void"
 * (already) or "paid" (something is left paid on it); ERR_NOT_FOUND. */
enum err db_invoice_void(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *reason, const char **why);

/* Payments of the clinic (patient_id set: of that patient), newest first;
 * without refunds. */
enum err db_payments_list(struct db *db, struct arena *a,
    const char *clinic_id, const struct db_finance_filter *f,
    struct db_payment **out, int *count);

/* One payment with its refunds; ERR_NOT_FOUND as db_invoice_get(). */
enum err db_payment_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *id, struct db_payment *out);

/* Records a payment staff took (p: patient_id, amount, method, invoice_id
 * or NULL, received_at or NULL for now, note or NULL), applies it, and
 * reads it back into p. ERR_OK with *refused NULL; or ERR_OK with
 * *refused "no_invoice" (not one of the patient's), "invoice_void" or
 * "above_due", and nothing recorded. */
enum err db_payment_record(struct db *db, struct arena *a,
    const char *clinic_id, struct db_payment *p, const char **refused);

/* Refunds amount of payment id with reason: ERR_OK with *refund_id and
 * *refused NULL; ERR_OK with *refused "not_succeeded" or "above_paid"
 * and nothing recorded; ERR_NOT_FOUND. */
enum err db_payment_refund(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, int64_t amount,
    const char *reason, const char **refund_id, const char **refused);

/* A patient's balance (invoiced, not void, - paid + refunded; negative:
 * credit) and the due of their overdue invoices. */
enum err db_patient_balance(struct db *db, const char *clinic_id,
    const char *patient_id, int64_t *balance, int64_t *overdue);

/* The same for the signed-in patient (the context's); _ahead() as above. */
void db_portal_balance_ahead(struct db *db);
enum err db_portal_balance(struct db *db, int64_t *balance,
    int64_t *overdue);

/* Whether the clinic has any invoice or payment (its currency is then
 * fixed). */
enum err db_clinic_has_money(struct db *db, const char *clinic_id,
    bool *has);

#endif
