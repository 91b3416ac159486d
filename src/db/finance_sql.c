/*
 * finance_sql.c - statements about invoices, payments, refunds and
 * balances (see db_finance.h). The figures are sql/0025's views
 * (invoice_figures, payment_figures); the changes are its functions, which
 * hold the patient's lock while they move money. Lines travel as one JSON
 * array parameter.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "db_finance.h"
#include "db_internal.h"
#include "str.h"

#define INVOICE_COLUMNS \
	"f.id, f.patient_id, p.first_name || ' ' || p.last_name, f.number, " \
	"f.status, f.overdue, to_char(f.issued_on, 'YYYY-MM-DD'), " \
	"to_char(f.due_on, 'YYYY-MM-DD'), c.currency, f.subtotal, " \
	"f.tax_total, f.total, f.paid, f.due, f.note, f.void_reason, " \
	DB_TS("f.voided_at") ", " DB_TS("f.created_at")
#define INVOICE_FROM \
	" FROM invoice_figures f JOIN clinics c ON c.id = f.clinic_id " \
	"JOIN patients p ON p.clinic_id = f.clinic_id AND p.id = f.patient_id "

#define PAYMENT_COLUMNS \
	"pf.id, pf.patient_id, p.first_name || ' ' || p.last_name, pf.amount, " \
	"pf.refunded, c.currency, pf.method, pf.status, pf.provider, " \
	"pf.provider_reference, pf.reference, pf.invoice_id, i.number, " \
	DB_TS("pf.received_at") ", pf.note, " DB_TS("pf.created_at")
#define PAYMENT_FROM \
	" FROM payment_figures pf JOIN clinics c ON c.id = pf.clinic_id " \
	"JOIN patients p ON p.clinic_id = pf.clinic_id AND p.id = pf.patient_id " \
	"LEFT JOIN invoices i ON i.clinic_id = pf.clinic_id AND i.id = pf.invoice_id "

enum stmt_id {
	STMT_INVOICES_PATIENT,
	STMT_PORTAL_INVOICES,
	STMT_INVOICES_CLINIC,
	STMT_INVOICE_GET,
	STMT_INVOICE_LINES,
	STMT_INVOICE_CREATE,
	STMT_INVOICE_VOID,
	STMT_PAYMENTS_LIST,
	STMT_PAYMENT_GET,
	STMT_PAYMENT_REFUNDS,
	STMT_PAYMENT_RECORD,
	STMT_PAYMENT_REFUND,
	STMT_BALANCE,
	STMT_PORTAL_BALANCE,
	STMT_HAS_MONEY,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* A patient's invoices: overdue first, then newest (a patient has a
	 * few; their figures are computed and sorted). The cursor is the last
	 * invoice's id; its place is read again, so a vanished one ends the
	 * list. A statement of its own, so that its generic plan is the
	 * patient's index (an optional patient filter kept the plan cache on
	 * custom plans, planned anew on every request). */
	[STMT_INVOICES_PATIENT] = { "finance_invoices_patient",
	    "SELECT " INVOICE_COLUMNS INVOICE_FROM
	    "WHERE f.clinic_id = $1 AND f.patient_id = $2 "
	    "AND ($3::text IS NULL OR f.status = $3) "
	    "AND ($4::boolean IS NULL OR f.overdue = $4) "
	    "AND ($5::uuid IS NULL OR (f.overdue, f.created_at, f.id) < "
	    "(SELECT g.overdue, g.created_at, g.id FROM invoice_figures g "
	    "WHERE g.clinic_id = $1 AND g.id = $5::uuid)) "
	    "ORDER BY f.overdue DESC, f.created_at DESC, f.id DESC LIMIT $6",
	    6, true },
	/* The same for the signed-in patient, who is the context's: it can go
	 * ahead with the session's statement (db_ahead()). */
	[STMT_PORTAL_INVOICES] = { "finance_portal_invoices",
	    "SELECT " INVOICE_COLUMNS INVOICE_FROM
	    "WHERE f.clinic_id = portal_current_clinic() "
	    "AND f.patient_id = portal_current_patient() "
	    "AND ($1::text IS NULL OR f.status = $1) "
	    "AND ($2::boolean IS NULL OR f.overdue = $2) "
	    "AND ($3::uuid IS NULL OR (f.overdue, f.created_at, f.id) < "
	    "(SELECT g.overdue, g.created_at, g.id FROM invoice_figures g "
	    "WHERE g.clinic_id = portal_current_clinic() AND g.id = $3::uuid)) "
	    "ORDER BY f.overdue DESC, f.created_at DESC, f.id DESC LIMIT $4",
	    4, true },
	/* The clinic's invoices, the same order and cursor: the overdue ones
	 * newest first, then the others newest first, each part at most a
	 * page. Overdue needs not void and a due date before today in the
	 * clinic's zone, so the first part walks 0027's invoices_unvoided
	 * (due_on in the index) and computes the figures of those candidates
	 * only; the second walks invoices_clinic. Neither computes the figures
	 * of the whole clinic nor sorts it. The same rows as one sort of the
	 * whole clinic (compared on the benchmark's clinic when written). */
	[STMT_INVOICES_CLINIC] = { "finance_invoices_clinic",
	    "WITH cur AS (SELECT g.overdue, g.created_at, g.id "
	    "FROM invoice_figures g WHERE g.clinic_id = $1 AND g.id = $5::uuid) "
	    "SELECT " INVOICE_COLUMNS " FROM (("
	    "SELECT f.* FROM invoices i CROSS JOIN LATERAL ("
	    "SELECT * FROM invoice_figures g "
	    "WHERE g.clinic_id = i.clinic_id AND g.id = i.id) f "
	    "WHERE i.clinic_id = $1 AND i.voided_at IS NULL "
	    "AND i.due_on < (SELECT (now() AT TIME ZONE z.time_zone)::date "
	    "FROM clinics z WHERE z.id = $1) "
	    "AND ($4::boolean IS NULL OR $4) "
	    "AND ($3::text IS NULL OR $3 IN ('open', 'partially_paid')) "
	    "AND ($5::uuid IS NULL OR (i.created_at, i.id) < "
	    "((SELECT cur.created_at FROM cur WHERE cur.overdue), "
	    "(SELECT cur.id FROM cur WHERE cur.overdue))) "
	    "AND f.overdue AND ($3::text IS NULL OR f.status = $3) "
	    "ORDER BY i.created_at DESC, i.id DESC LIMIT $6"
	    ") UNION ALL ("
	    "SELECT f.* FROM invoice_figures f "
	    "WHERE f.clinic_id = $1 AND NOT f.overdue "
	    "AND ($4::boolean IS NULL OR NOT $4) "
	    "AND ($3::text IS NULL OR f.status = $3) "
	    "AND ($5::uuid IS NULL OR (SELECT cur.overdue FROM cur) "
	    "OR (f.created_at, f.id) < ((SELECT cur.created_at FROM cur), "
	    "(SELECT cur.id FROM cur))) "
	    "ORDER BY f.created_at DESC, f.id DESC LIMIT $6)) f "
	    "JOIN clinics c ON c.id = f.clinic_id "
	    "JOIN patients p ON p.clinic_id = f.clinic_id AND p.id = f.patient_id "
	    "WHERE $2::uuid IS NULL "
	    "ORDER BY f.overdue DESC, f.created_at DESC, f.id DESC LIMIT $6",
	    6, true },
	[STMT_INVOICE_GET] = { "finance_invoice_get",
	    "SELECT " INVOICE_COLUMNS INVOICE_FROM
	    "WHERE f.clinic_id = $1 AND f.id = $2 "
	    "AND ($3::uuid IS NULL OR f.patient_id = $3)", 3, true },
	[STMT_INVOICE_LINES] = { "finance_invoice_lines",
	    "SELECT description, quantity, unit_price, tax_rate_bp, subtotal, "
	    "tax, total FROM invoice_lines WHERE clinic_id = $1 "
	    "AND invoice_id = $2 ORDER BY position", 2, true },
	[STMT_INVOICE_CREATE] = { "finance_invoice_create",
	    "SELECT portal_invoice_create($1, $2::date, $3::date, $4::jsonb, $5)",
	    5, false },
	[STMT_INVOICE_VOID] = { "finance_invoice_void",
	    "SELECT portal_invoice_void($1, $2)", 2, false },
	[STMT_PAYMENTS_LIST] = { "finance_payments_list",
	    "SELECT " PAYMENT_COLUMNS PAYMENT_FROM
	    "WHERE pf.clinic_id = $1 AND ($2::uuid IS NULL OR pf.patient_id = $2) "
	    "AND ($3::text IS NULL OR pf.status = $3) "
	    "AND ($4::text IS NULL OR pf.method = $4) "
	    "AND ($5::uuid IS NULL OR (pf.created_at, pf.id) < "
	    "(SELECT q.created_at, q.id FROM payments q "
	    "WHERE q.clinic_id = $1 AND q.id = $5::uuid)) "
	    "ORDER BY pf.created_at DESC, pf.id DESC LIMIT $6", 6, true },
	[STMT_PAYMENT_GET] = { "finance_payment_get",
	    "SELECT " PAYMENT_COLUMNS PAYMENT_FROM
	    "WHERE pf.clinic_id = $1 AND pf.id = $2 "
	    "AND ($3::uuid IS NULL OR pf.patient_id = $3)", 3, true },
	[STMT_PAYMENT_REFUNDS] = { "finance_payment_refunds",
	    "SELECT id, amount, reason, " DB_TS("created_at")
	    " FROM refunds WHERE clinic_id = $1 AND payment_id = $2 "
	    "ORDER BY created_at, id", 2, true },
	[STMT_PAYMENT_RECORD] = { "finance_payment_record",
	    "SELECT outcome, payment_id FROM portal_payment_record($1, "
	    "$2::bigint, $3, $4::uuid, $5::timestamptz, $6)", 6, false },
	[STMT_PAYMENT_REFUND] = { "finance_payment_refund",
	    "SELECT outcome, refund_id FROM portal_payment_refund($1, "
	    "$2::bigint, $3)", 3, false },
	[STMT_BALANCE] = { "finance_balance",
	    "SELECT balance, overdue FROM portal_patient_balance($1)", 1, true },
	[STMT_PORTAL_BALANCE] = { "finance_portal_balance",
	    "SELECT balance, overdue FROM "
	    "portal_patient_balance(portal_current_patient())", 0, true },
	[STMT_HAS_MONEY] = { "finance_has_money",
	    "SELECT portal_clinic_has_money()", 0, true },
};


static void
read_invoice(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_invoice *f = item;

	f->id = db_val(a, res, row, 0);
	f->patient_id = db_val(a, res, row, 1);
	f->patient_name = db_val(a, res, row, 2);
	f->number = db_val(a, res, row, 3);
	f->status = db_val(a, res, row, 4);
	f->overdue = db_val_bool(res, row, 5);
	f->issued_on = db_val(a, res, row, 6);
	f->due_on = db_val(a, res, row, 7);
	f->currency = db_val(a, res, row, 8);
	f->subtotal = db_val_int(res, row, 9);
	f->tax_total = db_val_int(res, row, 10);
	f->total = db_val_int(res, row, 11);
	f->paid = db_val_int(res, row, 12);
	f->due = db_val_int(res, row, 13);
	f->note = db_val(a, res, row, 14);
	f->void_reason = db_val(a, res, row, 15);
	f->voided_at = db_val(a, res, row, 16);
	f->created_at = db_val(a, res, row, 17);
	f->lines = NULL;
	f->line_count = 0;
}

static void
read_line(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_invoice_line *l = item;

	l->description = db_val(a, res, row, 0);
	l->quantity = db_val_int(res, row, 1);
	l->unit_price = db_val_int(res, row, 2);
	l->tax_rate_bp = db_val_int(res, row, 3);
	l->subtotal = db_val_int(res, row, 4);
	l->tax = db_val_int(res, row, 5);
	l->total = db_val_int(res, row, 6);
}

static void
read_payment(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_payment *p = item;

	p->id = db_val(a, res, row, 0);
	p->patient_id = db_val(a, res, row, 1);
	p->patient_name = db_val(a, res, row, 2);
	p->amount = db_val_int(res, row, 3);
	p->refunded = db_val_int(res, row, 4);
	p->currency = db_val(a, res, row, 5);
	p->method = db_val(a, res, row, 6);
	p->status = db_val(a, res, row, 7);
	p->provider = db_val(a, res, row, 8);
	p->provider_reference = db_val(a, res, row, 9);
	p->reference = db_val(a, res, row, 10);
	p->invoice_id = db_val(a, res, row, 11);
	p->invoice_number = db_val(a, res, row, 12);
	p->received_at = db_val(a, res, row, 13);
	p->note = db_val(a, res, row, 14);
	p->created_at = db_val(a, res, row, 15);
	p->refunds = NULL;
	p->refund_count = 0;
}

static void
read_refund(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_refund *r = item;

	r->id = db_val(a, res, row, 0);
	r->amount = db_val_int(res, row, 1);
	r->reason = db_val(a, res, row, 2);
	r->created_at = db_val(a, res, row, 3);
}

/* "true", "false" or NULL for a tri-state filter. */
static const char *
tristate(int v)
{
	return v < 0 ? NULL : v ? "true" : "false";
}

/* The invoices a list statement answers, each read whole (a string that
 * could not be copied is ERR_NOMEM). */
static enum err
invoice_rows(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, struct db_invoice **out, int *count)
{
	void *rows = NULL;
	enum err err;

	err = db_rows_whole(db, a, stmt, params,
	    sizeof(**out), read_invoice,
	    offsetof(struct db_invoice, created_at), &rows, count);
	*out = rows;
	return err;
}

enum err
db_invoices_list(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_finance_filter *f, struct db_invoice **out, int *count)
{
	char lim[16];
	const char *params[] = { clinic_id, f->patient_id, f->status,
	    tristate(f->overdue), f->after_id, lim };

	snprintf(lim, sizeof(lim), "%d", f->limit);
	return invoice_rows(db, a, &stmts[f->patient_id != NULL ?
	    STMT_INVOICES_PATIENT : STMT_INVOICES_CLINIC], params, out, count);
}

/* The parameters of the patient's list, in the arena (they may be sent
 * ahead); NULL when out of memory. */
static const char *const *
portal_invoices_params(struct arena *a, const struct db_finance_filter *f)
{
	const char **params = arena_calloc(a, 4, sizeof(*params));

	if (params == NULL ||
	    (params[3] = arena_printf(a, "%d", f->limit)) == NULL)
		return NULL;
	params[0] = f->status;
	params[1] = tristate(f->overdue);
	params[2] = f->after_id;
	return params;
}

void
db_portal_invoices_ahead(struct db *db, struct arena *a,
    const struct db_finance_filter *f)
{
	static const struct db_stmt *const one[] = {
	    &stmts[STMT_PORTAL_INVOICES] };
	const char *const *params = portal_invoices_params(a, f);
	const char *const **lists = arena_calloc(a, 1, sizeof(*lists));

	if (params != NULL && lists != NULL) {
		lists[0] = params;
		db_ahead(db, 1, one, lists);
	}
}

enum err
db_portal_invoices(struct db *db, struct arena *a,
    const struct db_finance_filter *f, struct db_invoice **out, int *count)
{
	const char *const *params = portal_invoices_params(a, f);

	if (params == NULL)
		return ERR_NOMEM;
	return invoice_rows(db, a, &stmts[STMT_PORTAL_INVOICES], params, out,
	    count);
}

enum err
db_invoice_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *id, struct db_invoice *out)
{
	const char *params[] = { clinic_id, id, patient_id };
	void *rows = NULL;
	enum err err;

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = db_row(db, a, &stmts[STMT_INVOICE_GET], params, read_invoice,
	    out);
	if (err == ERR_OK && out->created_at == NULL)
		err = ERR_NOMEM;
	if (err != ERR_OK)
		return err;
	params[1] = out->id;
	err = db_rows(db, a, &stmts[STMT_INVOICE_LINES], params,
	    sizeof(*out->lines), read_line, &rows, &out->line_count);
	out->lines = rows;
	return err;
}

/* The lines as the JSON array portal_invoice_create() reads. */
static const char *
lines_json(struct arena *a, const struct db_invoice_line *lines, int n)
{
	struct json_object *arr = json_object_new_array();
	const char *text;

	if (arr == NULL)
		return NULL;
	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		if (o == NULL || json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
		json_object_object_add(o, "description",
		    json_object_new_string(lines[i].description));
		json_object_object_add(o, "quantity",
		    json_object_new_int64(lines[i].quantity));
		json_object_object_add(o, "unit_price",
		    json_object_new_int64(lines[i].unit_price));
		json_object_object_add(o, "tax_rate_bp",
		    json_object_new_int64(lines[i].tax_rate_bp));
	}
	text = arena_strdup(a, json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return text;
}

enum err
db_invoice_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *issued_on, const char *due_on,
    const struct db_invoice_line *lines, int n, const char *note,
    struct db_invoice *out)
{
	const char *params[] = { patient_id, issued_on, due_on, NULL, note };
	const char *id;
	enum err err;
	PGresult *res;

	if ((params[3] = lines_json(a, lines, n)) == NULL)
		return ERR_NOMEM;
	if ((res = db_exec_one(db, &stmts[STMT_INVOICE_CREATE], params,
	    &err)) == NULL)
		return err;
	id = db_val(a, res, 0, 0);
	PQclear(res);
	if (id == NULL)
		return ERR_NOMEM;
	return db_invoice_get(db, a, clinic_id, NULL, id, out);
}

enum err
db_invoice_void(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *reason, const char **why)
{
	const char *params[] = { id, reason };
	struct db_invoice inv;
	enum err err;
	PGresult *res;

	*why = NULL;
	/* Unknown or another clinic's: 404 before the function runs. */
	if ((err = db_invoice_get(db, a, clinic_id, NULL, id, &inv)) != ERR_OK)
		return err;
	if ((res = db_exec_one(db, &stmts[STMT_INVOICE_VOID], params,
	    &err)) == NULL)
		return err;
	if (strcmp(PQgetvalue(res, 0, 0), "ok") != 0) {
		*why = db_val(a, res, 0, 0);
		err = *why == NULL ? ERR_NOMEM : ERR_CONFLICT;
	}
	PQclear(res);
	return err;
}

enum err
db_payments_list(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_finance_filter *f, struct db_payment **out, int *count)
{
	char lim[16];
	const char *params[] = { clinic_id, f->patient_id, f->status,
	    f->method, f->after_id, lim };
	void *rows = NULL;
	enum err err;

	snprintf(lim, sizeof(lim), "%d", f->limit);
	err = db_rows_whole(db, a, &stmts[STMT_PAYMENTS_LIST], params,
	    sizeof(**out), read_payment,
	    offsetof(struct db_payment, created_at), &rows, count);
	*out = rows;
	return err;
}

enum err
db_payment_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *id, struct db_payment *out)
{
	const char *params[] = { clinic_id, id, patient_id };
	void *rows = NULL;
	enum err err;

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = db_row(db, a, &stmts[STMT_PAYMENT_GET], params, read_payment,
	    out);
	if (err == ERR_OK && out->created_at == NULL)
		err = ERR_NOMEM;
	if (err != ERR_OK)
		return err;
	params[1] = out->id;
	err = db_rows(db, a, &stmts[STMT_PAYMENT_REFUNDS], params,
	    sizeof(*out->refunds), read_refund, &rows, &out->refund_count);
	out->refunds = rows;
	return err;
}

enum err
db_payment_record(struct db *db, struct arena *a, const char *clinic_id,
    struct db_payment *p, const char **refused)
{
	char amount[24];
	const char *params[] = { p->patient_id, amount, p->method,
	    p->invoice_id, p->received_at, p->note };
	const char *id = NULL;
	enum err err;
	PGresult *res;

	*refused = NULL;
	snprintf(amount, sizeof(amount), "%" PRId64, p->amount);
	if ((res = db_exec_one(db, &stmts[STMT_PAYMENT_RECORD], params,
	    &err)) == NULL)
		return err;
	if (strcmp(PQgetvalue(res, 0, 0), "ok") == 0)
		id = db_val(a, res, 0, 1);
	else
		*refused = db_val(a, res, 0, 0);
	PQclear(res);
	if (id == NULL && *refused == NULL)
		return ERR_NOMEM;
	if (*refused != NULL)
		return ERR_OK;
	return db_payment_get(db, a, clinic_id, NULL, id, p);
}

enum err
db_payment_refund(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, int64_t amount, const char *reason,
    const char **refund_id, const char **refused)
{
	char amt[24];
	const char *params[] = { id, amt, reason };
	struct db_payment p;
	enum err err;
	PGresult *res;

	*refund_id = *refused = NULL;
	if ((err = db_payment_get(db, a, clinic_id, NULL, id, &p)) != ERR_OK)
		return err;
	snprintf(amt, sizeof(amt), "%" PRId64, amount);
	if ((res = db_exec_one(db, &stmts[STMT_PAYMENT_REFUND], params,
	    &err)) == NULL)
		return err;
	if (strcmp(PQgetvalue(res, 0, 0), "ok") == 0)
		*refund_id = db_val(a, res, 0, 1);
	else
		*refused = db_val(a, res, 0, 0);
	PQclear(res);
	return *refund_id == NULL && *refused == NULL ? ERR_NOMEM : ERR_OK;
}

enum err
db_patient_balance(struct db *db, const char *clinic_id,
    const char *patient_id, int64_t *balance, int64_t *overdue)
{
	const char *params[] = { patient_id };
	enum err err;
	PGresult *res;

	(void)clinic_id;	/* the context's: portal_patient_balance() */
	if ((res = db_exec_one(db, &stmts[STMT_BALANCE], params, &err)) ==
	    NULL)
		return err;
	*balance = db_val_int(res, 0, 0);
	*overdue = db_val_int(res, 0, 1);
	PQclear(res);
	return ERR_OK;
}

void
db_portal_balance_ahead(struct db *db)
{
	static const struct db_stmt *const one[] = {
	    &stmts[STMT_PORTAL_BALANCE] };
	static const char *const *const none[] = { NULL };

	db_ahead(db, 1, one, none);
}

enum err
db_portal_balance(struct db *db, int64_t *balance, int64_t *overdue)
{
	enum err err;
	PGresult *res;

	if ((res = db_exec_one(db, &stmts[STMT_PORTAL_BALANCE], NULL, &err)) ==
	    NULL)
		return err;
	*balance = db_val_int(res, 0, 0);
	*overdue = db_val_int(res, 0, 1);
	PQclear(res);
	return ERR_OK;
}

enum err
db_clinic_has_money(struct db *db, const char *clinic_id, bool *has)
{
	enum err err;
	PGresult *res;

	(void)clinic_id;	/* the context's: portal_clinic_has_money() */
	if ((res = db_exec_one(db, &stmts[STMT_HAS_MONEY], NULL, &err)) ==
	    NULL)
		return err;
	*has = db_val_bool(res, 0, 0);
	PQclear(res);
	return ERR_OK;
}
