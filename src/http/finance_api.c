/*
 * finance_api.c - invoices, payments, refunds and balances (DESIGN.md
 * section 12).
 *
 * Clinic side: staff and keys with read list and read invoices, payments
 * and a patient's balance; staff and keys with write create invoices,
 * void them, record payments taken at the desk and refund them. Patient
 * side: the signed-in patient reads their own balance (view_balance),
 * invoices (view_invoices) and payments (view_payments); another
 * patient's or clinic's answers 404 like an unknown id. Every figure
 * comes from SQL (sql/0025); every change is audited in the transaction
 * that makes it. Online payments, their callback and the payment
 * infrastructure live elsewhere.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "db.h"
#include "db_clinic.h"
#include "db_finance.h"
#include "db_pay.h"
#include "db_patients.h"
#include "finance.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"
#include "str.h"
#include "valid.h"

#define DESCRIPTION_MAX_CHARS 200
#define NOTE_MAX_CHARS 2000
#define REASON_MAX_CHARS 500

static const char *const invoice_statuses[] = { "open", "partially_paid",
    "paid", "void", NULL };
static const char *const payment_statuses[] = { "pending", "succeeded",
    "failed", "expired", NULL };
static const char *const payment_methods[] = { "cash", "card", "transfer",
    "online", NULL };
/* What staff record by hand; online payments come from the portal. */
static const char *const desk_methods[] = { "cash", "card", "transfer",
    NULL };

/* Which side a resource is shown to: the patient sees neither the
 * patient's name (their own) nor the provider's reference. */
enum side { CLINIC_SIDE, PATIENT_SIDE };

static struct json_object *
invoice_json(const struct db_invoice *f, enum side side, bool with_lines)
{
	struct json_object *o = json_object_new_object(), *lines;

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", f->id);
	json_add_string(o, "patient_id", f->patient_id);
	if (side == CLINIC_SIDE)
		json_add_string(o, "patient_name", f->patient_name);
	json_add_string(o, "number", f->number);
	json_add_string(o, "status", f->status);
	json_add_bool(o, "overdue", f->overdue);
	json_add_string(o, "issued_on", f->issued_on);
	json_add_string(o, "due_on", f->due_on);
	json_add_string(o, "currency", f->currency);
	json_add_int(o, "subtotal", f->subtotal);
	json_add_int(o, "tax_total", f->tax_total);
	json_add_int(o, "total", f->total);
	json_add_int(o, "paid", f->paid);
	json_add_int(o, "due", f->due);
	json_add_string(o, "note", f->note);
	json_add_string(o, "void_reason", f->void_reason);
	json_add_string(o, "voided_at", f->voided_at);
	json_add_string(o, "created_at", f->created_at);
	if (!with_lines)
		return o;
	if ((lines = json_object_new_array()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	for (int i = 0; i < f->line_count; i++) {
		const struct db_invoice_line *l = &f->lines[i];
		struct json_object *lo = json_object_new_object();

		if (lo == NULL || json_object_array_add(lines, lo) != 0) {
			json_object_put(lo);
			json_object_put(lines);
			json_object_put(o);
			return NULL;
		}
		json_add_string(lo, "description", l->description);
		json_add_int(lo, "quantity", l->quantity);
		json_add_int(lo, "unit_price", l->unit_price);
		json_add_int(lo, "tax_rate_bp", l->tax_rate_bp);
		json_add_int(lo, "subtotal", l->subtotal);
		json_add_int(lo, "tax", l->tax);
		json_add_int(lo, "total", l->total);
	}
	json_add(o, "lines", lines);
	return o;
}

static struct json_object *
refund_json(const struct db_refund *r)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", r->id);
	json_add_int(o, "amount", r->amount);
	json_add_string(o, "reason", r->reason);
	json_add_string(o, "created_at", r->created_at);
	return o;
}

static struct json_object *
payment_json(const struct db_payment *p, enum side side, bool with_refunds)
{
	struct json_object *o = json_object_new_object(), *refunds;

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", p->id);
	json_add_string(o, "patient_id", p->patient_id);
	if (side == CLINIC_SIDE)
		json_add_string(o, "patient_name", p->patient_name);
	json_add_int(o, "amount", p->amount);
	json_add_string(o, "currency", p->currency);
	json_add_string(o, "method", p->method);
	json_add_string(o, "status", p->status);
	json_add_string(o, "provider", p->provider);
	if (side == CLINIC_SIDE)
		json_add_string(o, "provider_reference", p->provider_reference);
	json_add_string(o, "reference", p->reference);
	json_add_string(o, "invoice_id", p->invoice_id);
	json_add_string(o, "invoice_number", p->invoice_number);
	json_add_string(o, "received_at", p->received_at);
	json_add_string(o, "note", p->note);
	json_add_int(o, "refunded", p->refunded);
	json_add_string(o, "created_at", p->created_at);
	if (!with_refunds)
		return o;
	if ((refunds = json_object_new_array()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	for (int i = 0; i < p->refund_count; i++) {
		struct json_object *ro = refund_json(&p->refunds[i]);

		if (ro == NULL || json_object_array_add(refunds, ro) != 0) {
			json_object_put(ro);
			json_object_put(refunds);
			json_object_put(o);
			return NULL;
		}
	}
	json_add(o, "refunds", refunds);
	return o;
}

struct json_object *
finance_payment_json(const struct db_payment *p, bool clinic_side,
    bool with_refunds)
{
	return payment_json(p, clinic_side ? CLINIC_SIDE : PATIENT_SIDE,
	    with_refunds);
}

static struct json_object *
invoice_item(const void *row, void *ctx)
{
	return invoice_json(row, *(const enum side *)ctx, false);
}

static const char *
invoice_cursor(const void *row)
{
	return ((const struct db_invoice *)row)->id;
}

static struct json_object *
payment_item(const void *row, void *ctx)
{
	return payment_json(row, *(const enum side *)ctx, false);
}

static const char *
payment_cursor(const void *row)
{
	return ((const struct db_payment *)row)->id;
}

/* A patient_id of a body: one of the clinic's, or a problem naming it
 * (an unknown and a foreign id alike). False when it is not (or the
 * database failed, answered then). */
static bool
body_patient_ok(struct request *req, const char *patient_id)
{
	struct db_patient p;
	enum err err;

	err = db_patient_get(req->ctx->db, req->arena, req->actor.clinic_id,
	    patient_id, false, &p);
	if (err == ERR_NOT_FOUND) {
		v_problem_field(req, "patient_id", "No such patient.");
		v_ok(req);
		return false;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	return true;
}

/* Answers the invoice list of filter f to side. */
static void
invoices_send(struct request *req, struct db_finance_filter *f,
    const struct v_page *page, enum side side)
{
	struct db_invoice *rows;
	int n = 0;
	enum err err;

	f->after_id = page->cursor;
	f->limit = page->limit + 1;
	if ((err = db_invoices_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, f, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n,
	    page->limit, invoice_item, &side, invoice_cursor));
}

/* GET /api/v1/clinic/invoices?patient_id=&status=&overdue=&cursor=&limit=:
 * {items, next_cursor}, overdue first, then newest; 422 for a bad filter. */
void
handle_invoices_list(struct request *req)
{
	struct db_finance_filter f = { .overdue = -1 };
	struct v_page page;
	bool overdue;

	q_uuid(req, "patient_id", 0, &f.patient_id);
	q_enum(req, "status", invoice_statuses, 0, &f.status);
	if (q_bool(req, "overdue", 0, &overdue) == V_SET)
		f.overdue = overdue;
	q_page(req, NULL, &page);
	if (!v_ok(req))
		return;
	invoices_send(req, &f, &page, CLINIC_SIDE);
}

/* Reads body.lines (1 to INVOICE_LINES_MAX objects {description,
 * quantity, unit_price, tax_rate_bp}) into *out and *n. */
static void
lines_read(struct vobj *body, struct db_invoice_line **out, int *n)
{
	static const char *const fields[] = { "description", "quantity",
	    "unit_price", "tax_rate_bp", NULL };
	struct varr arr;

	*out = NULL;
	*n = 0;
	if (v_array(body, "lines", INVOICE_LINES_MAX, V_REQUIRED, &arr) !=
	    V_SET)
		return;
	if (arr.count == 0) {
		v_problem(body, "lines", "An invoice needs at least one line.");
		return;
	}
	*out = arena_calloc(body->req->arena, arr.count, sizeof(**out));
	if (*out == NULL) {
		v_problem(body, "lines", "Too many lines.");
		return;
	}
	*n = (int)arr.count;
	for (size_t i = 0; i < arr.count; i++) {
		struct db_invoice_line *l = &(*out)[i];
		struct vobj o;

		if (v_item_object(&arr, i, fields, &o) != V_SET)
			continue;
		v_text(&o, "description", V_LINE(DESCRIPTION_MAX_CHARS),
		    V_REQUIRED, &l->description);
		v_int(&o, "quantity", 1, INVOICE_QUANTITY_MAX, V_REQUIRED,
		    &l->quantity);
		v_money(&o, "unit_price", INVOICE_UNIT_PRICE_MAX, V_REQUIRED,
		    &l->unit_price);
		v_int(&o, "tax_rate_bp", 0, INVOICE_TAX_RATE_MAX, V_REQUIRED,
		    &l->tax_rate_bp);
	}
}

/*
 * POST /api/v1/clinic/invoices {patient_id, issued_on?, due_on?, lines,
 * note?} (write): 201 with the invoice and its lines, numbered by the
 * server, the patient's credit applied; 422 naming each bad field (an
 * unknown or foreign patient_id, a due date before the issue date).
 */
void
handle_invoice_create(struct request *req)
{
	static const char *const fields[] = { "patient_id", "issued_on",
	    "due_on", "lines", "note", NULL };
	const char *patient_id = NULL, *issued_on = NULL, *due_on = NULL,
	    *note = NULL;
	struct db_invoice_line *lines;
	struct db_invoice inv;
	struct json_object *after;
	struct vobj body;
	int n;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_uuid(&body, "patient_id", V_REQUIRED, &patient_id);
	v_date(&body, "issued_on", V_NULLABLE, &issued_on);
	v_date(&body, "due_on", V_NULLABLE, &due_on);
	lines_read(&body, &lines, &n);
	v_text(&body, "note", V_LINES(0, NOTE_MAX_CHARS), V_NULLABLE, &note);
	if (issued_on != NULL && due_on != NULL && strcmp(due_on, issued_on) < 0)
		v_problem(&body, "due_on", "The due date cannot be before the "
		    "issue date.");
	if (!v_ok(req) || !body_patient_ok(req, patient_id))
		return;
	err = db_invoice_create(req->ctx->db, req->arena, req->actor.clinic_id,
	    patient_id, issued_on, due_on, lines, n, note, &inv);
	if (err == ERR_INVALID) {
		/* Every field is checked above but the due date against
		 * today's issue date, which only the database knows. */
		v_problem_field(req, "due_on", "The due date cannot be before "
		    "the issue date.");
		v_ok(req);
		return;
	}
	if (err != ERR_OK ||
	    (err = (after = json_arena_own(req->arena, invoice_json(&inv,
	    CLINIC_SIDE, true))) ? ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "invoice.create", "invoice", inv.id, NULL,
	    after)) != ERR_OK) {
		problem_send_err(req, err, "invoice");
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/invoices/%s", inv.id));
	resp_json(req, 201, json_object_get(after));
}

/* GET /api/v1/clinic/invoices/{id}: the invoice with its lines; 404. */
void
handle_invoice_get(struct request *req)
{
	struct db_invoice inv;
	enum err err;

	if ((err = db_invoice_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, NULL, route_param(&req->params, "id"),
	    &inv)) != ERR_OK) {
		problem_send_err(req, err, "invoice");
		return;
	}
	resp_json(req, 200, invoice_json(&inv, CLINIC_SIDE, true));
}

/*
 * POST /api/v1/clinic/invoices/{id}/void {reason} (write): 200 with the
 * void invoice; 404; 409 conflict while anything is left paid on it (a
 * refund first) or when it is void already; 422 without a reason.
 */
void
handle_invoice_void(struct request *req)
{
	static const char *const fields[] = { "reason", NULL };
	const char *id = route_param(&req->params, "id"), *reason = NULL, *why;
	struct db *db = req->ctx->db;
	struct db_invoice inv;
	struct json_object *before, *after;
	struct vobj body;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_text(&body, "reason", V_LINE(REASON_MAX_CHARS), V_REQUIRED, &reason);
	if (!v_ok(req))
		return;
	if ((err = db_invoice_get(db, req->arena, req->actor.clinic_id, NULL,
	    id, &inv)) != ERR_OK) {
		problem_send_err(req, err, "invoice");
		return;
	}
	before = json_arena_own(req->arena, invoice_json(&inv, CLINIC_SIDE,
	    false));
	err = db_invoice_void(db, req->arena, req->actor.clinic_id, inv.id,
	    reason, &why);
	if (err == ERR_CONFLICT) {
		problem_send(req, "conflict", strcmp(why, "void") == 0 ?
		    "The invoice is void already." :
		    "Money is still paid on this invoice; refund it first, "
		    "then void the invoice.");
		return;
	}
	if (err != ERR_OK ||
	    (err = db_invoice_get(db, req->arena, req->actor.clinic_id, NULL,
	    inv.id, &inv)) != ERR_OK ||
	    (err = (after = json_arena_own(req->arena, invoice_json(&inv,
	    CLINIC_SIDE, true))) ? ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "invoice.void", "invoice", inv.id, before,
	    after)) != ERR_OK) {
		problem_send_err(req, err, "invoice");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* Answers the payment list of filter f to side. */
static void
payments_send(struct request *req, struct db_finance_filter *f,
    const struct v_page *page, enum side side)
{
	struct db_payment *rows;
	int n = 0;
	enum err err;

	f->after_id = page->cursor;
	f->limit = page->limit + 1;
	if ((err = db_payments_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, f, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n,
	    page->limit, payment_item, &side, payment_cursor));
}

/* GET /api/v1/clinic/payments?patient_id=&status=&method=&cursor=&limit=:
 * {items, next_cursor}, newest first; 422 for a bad filter. */
void
handle_payments_list(struct request *req)
{
	struct db_finance_filter f = { .overdue = -1 };
	struct v_page page;

	q_uuid(req, "patient_id", 0, &f.patient_id);
	q_enum(req, "status", payment_statuses, 0, &f.status);
	q_enum(req, "method", payment_methods, 0, &f.method);
	q_page(req, NULL, &page);
	if (!v_ok(req))
		return;
	payments_send(req, &f, &page, CLINIC_SIDE);
}

/*
 * POST /api/v1/clinic/payments {patient_id, amount, method, invoice_id?,
 * received_at?, note?} (write): records money taken at the desk (cash,
 * card, transfer), succeeded at once, applied to its invoice or to the
 * oldest unpaid invoices; 201 with the payment. 422 naming the field: an
 * unknown patient or invoice (or another patient's), a void invoice, an
 * amount of 0 or above the invoice's due.
 */
void
handle_payment_create(struct request *req)
{
	static const char *const fields[] = { "patient_id", "amount", "method",
	    "invoice_id", "received_at", "note", NULL };
	struct db_payment p = { 0 };
	const char *refused;
	struct json_object *after;
	struct vobj body;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_uuid(&body, "patient_id", V_REQUIRED, &p.patient_id);
	if (v_money(&body, "amount", PAYMENT_AMOUNT_MAX, V_REQUIRED,
	    &p.amount) == V_SET && p.amount == 0)
		v_problem(&body, "amount", "The amount must be more than 0.");
	v_enum(&body, "method", desk_methods, V_REQUIRED, &p.method);
	v_uuid(&body, "invoice_id", V_NULLABLE, &p.invoice_id);
	v_time(&body, "received_at", V_NULLABLE, &p.received_at);
	v_text(&body, "note", V_LINES(0, NOTE_MAX_CHARS), V_NULLABLE, &p.note);
	if (!v_ok(req) || !body_patient_ok(req, p.patient_id))
		return;
	if ((err = db_payment_record(req->ctx->db, req->arena,
	    req->actor.clinic_id, &p, &refused)) != ERR_OK) {
		problem_send_err(req, err, "payment");
		return;
	}
	if (refused != NULL) {
		if (strcmp(refused, "above_due") == 0)
			v_problem_field(req, "amount", "More than is due on the "
			    "invoice.");
		else
			v_problem_field(req, "invoice_id",
			    strcmp(refused, "invoice_void") == 0 ?
			    "The invoice is void." :
			    "No such invoice of this patient.");
		v_ok(req);
		return;
	}
	if ((err = (after = json_arena_own(req->arena, payment_json(&p,
	    CLINIC_SIDE, true))) ? ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "payment.create", "payment", p.id, NULL,
	    after)) != ERR_OK ||
	    /* The money was taken: the receipt, by the patient's choices. */
	    (err = db_payment_receipt(req->ctx->db, p.id,
	    req->ctx->conf->public_url)) != ERR_OK) {
		problem_send_err(req, err, "payment");
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/payments/%s", p.id));
	resp_json(req, 201, json_object_get(after));
}

/* GET /api/v1/clinic/payments/{id}: the payment with its refunds; 404. */
void
handle_payment_get(struct request *req)
{
	struct db_payment p;
	enum err err;

	if ((err = db_payment_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, NULL, route_param(&req->params, "id"),
	    &p)) != ERR_OK) {
		problem_send_err(req, err, "payment");
		return;
	}
	resp_json(req, 200, payment_json(&p, CLINIC_SIDE, true));
}

/*
 * POST /api/v1/clinic/payments/{id}/refund {amount, reason} (write): 201
 * {refund, payment}; the refund takes the payment's credit first, then
 * what it paid on invoices, newest first. 404; 409 conflict for a payment
 * that has not succeeded; 422 naming amount when it is 0 or more than is
 * left paid.
 */
void
handle_payment_refund(struct request *req)
{
	static const char *const fields[] = { "amount", "reason", NULL };
	const char *id = route_param(&req->params, "id"), *reason = NULL,
	    *refund_id, *refused;
	struct db *db = req->ctx->db;
	struct db_payment p;
	struct json_object *before, *after, *body_out, *refund = NULL;
	struct vobj body;
	int64_t amount = 0;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	if (v_money(&body, "amount", PAYMENT_AMOUNT_MAX, V_REQUIRED,
	    &amount) == V_SET && amount == 0)
		v_problem(&body, "amount", "The amount must be more than 0.");
	v_text(&body, "reason", V_LINE(REASON_MAX_CHARS), V_REQUIRED, &reason);
	if (!v_ok(req))
		return;
	if ((err = db_payment_get(db, req->arena, req->actor.clinic_id, NULL,
	    id, &p)) != ERR_OK) {
		problem_send_err(req, err, "payment");
		return;
	}
	before = json_arena_own(req->arena, payment_json(&p, CLINIC_SIDE,
	    true));
	if ((err = db_payment_refund(db, req->arena, req->actor.clinic_id,
	    p.id, amount, reason, &refund_id, &refused)) != ERR_OK) {
		problem_send_err(req, err, "payment");
		return;
	}
	if (refused != NULL && strcmp(refused, "above_paid") == 0) {
		v_problem_field(req, "amount", arena_printf(req->arena,
		    "More than is left paid on the payment (%" PRId64 ").",
		    p.amount - p.refunded));
		v_ok(req);
		return;
	}
	if (refused != NULL) {
		problem_send(req, "conflict", "Only a succeeded payment can be "
		    "refunded.");
		return;
	}
	if ((err = db_payment_get(db, req->arena, req->actor.clinic_id, NULL,
	    p.id, &p)) != ERR_OK ||
	    (err = (after = json_arena_own(req->arena, payment_json(&p,
	    CLINIC_SIDE, true))) ? ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "payment.refund", "payment", p.id, before,
	    after)) != ERR_OK) {
		problem_send_err(req, err, "payment");
		return;
	}
	for (int i = 0; i < p.refund_count; i++)
		if (strcmp(p.refunds[i].id, refund_id) == 0)
			refund = refund_json(&p.refunds[i]);
	if ((body_out = json_object_new_object()) != NULL) {
		json_add(body_out, "refund", refund);
		json_add(body_out, "payment", json_object_get(after));
	} else
		json_object_put(refund);
	resp_json(req, 201, body_out);
}

/* {currency, balance, overdue} (NULL when out of memory). */
static struct json_object *
balance_json(struct request *req, int64_t balance, int64_t overdue)
{
	struct json_object *o = json_object_new_object();

	if (o != NULL) {
		json_add_string(o, "currency", req->clinic->currency);
		json_add_int(o, "balance", balance);
		json_add_int(o, "overdue", overdue);
	}
	return o;
}

/* Answers {currency, balance, overdue} of patient_id. */
static void
balance_send(struct request *req, const char *patient_id)
{
	int64_t balance, overdue;
	enum err err;

	if ((err = db_patient_balance(req->ctx->db, req->actor.clinic_id,
	    patient_id, &balance, &overdue)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, balance_json(req, balance, overdue));
}

/* GET /api/v1/clinic/patients/{id}/balance: {currency, balance, overdue}
 * (positive balance: the patient owes; negative: credit); 404. */
void
handle_patient_balance(struct request *req)
{
	struct db_patient p;
	enum err err;

	if ((err = db_patient_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), false,
	    &p)) != ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	balance_send(req, p.id);
}

/* GET /api/v1/portal/{code}/balance [view_balance]: the signed-in
 * patient's {currency, balance, overdue}. */
void
handle_portal_balance(struct request *req)
{
	int64_t balance, overdue;
	enum err err;

	if ((err = db_portal_balance(req->ctx->db, &balance, &overdue)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, balance_json(req, balance, overdue));
}

/* What handle_portal_balance() reads, sent with the session's statement. */
void
ahead_portal_balance(struct request *req)
{
	db_portal_balance_ahead(req->ctx->db);
}

/* What handle_portal_invoices() reads, sent with the session's
 * statement (the query read as the handler reads it). */
void
ahead_portal_invoices(struct request *req)
{
	struct db_finance_filter f = { .overdue = -1 };
	struct v_page page;

	q_page(req, NULL, &page);
	if (v_count(req) > 0)
		return;
	f.after_id = page.cursor;
	f.limit = page.limit + 1;
	db_portal_invoices_ahead(req->ctx->db, req->arena, &f);
}

/* GET /api/v1/portal/{code}/invoices?cursor=&limit= [view_invoices]: the
 * patient's own invoices, overdue first, then newest. */
void
handle_portal_invoices(struct request *req)
{
	struct db_finance_filter f = { .overdue = -1 };
	struct db_invoice *rows;
	struct v_page page;
	enum side side = PATIENT_SIDE;
	int n = 0;
	enum err err;

	q_page(req, NULL, &page);
	if (!v_ok(req))
		return;
	f.after_id = page.cursor;
	f.limit = page.limit + 1;
	if ((err = db_portal_invoices(req->ctx->db, req->arena, &f, &rows,
	    &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page.limit,
	    invoice_item, &side, invoice_cursor));
}

/* GET /api/v1/portal/{code}/invoices/{id} [view_invoices]: one of the
 * patient's own invoices with its lines; 404 for anyone else's. */
void
handle_portal_invoice_get(struct request *req)
{
	struct db_invoice inv;
	enum err err;

	if ((err = db_invoice_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, req->actor.id,
	    route_param(&req->params, "id"), &inv)) != ERR_OK) {
		problem_send_err(req, err, "invoice");
		return;
	}
	resp_json(req, 200, invoice_json(&inv, PATIENT_SIDE, true));
}

/* GET /api/v1/portal/{code}/payments?cursor=&limit= [view_payments]: the
 * patient's own payments, newest first. */
void
handle_portal_payments(struct request *req)
{
	struct db_finance_filter f = { .overdue = -1 };
	struct v_page page;

	q_page(req, NULL, &page);
	if (!v_ok(req))
		return;
	f.patient_id = req->actor.id;
	payments_send(req, &f, &page, PATIENT_SIDE);
}

/* GET /api/v1/portal/{code}/payments/{id} [view_payments]: one of the
 * patient's own payments with its refunds (the result page polls it);
 * 404 for anyone else's. */
void
handle_portal_payment_get(struct request *req)
{
	struct db_payment p;
	enum err err;

	if ((err = db_payment_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, req->actor.id,
	    route_param(&req->params, "id"), &p)) != ERR_OK) {
		problem_send_err(req, err, "payment");
		return;
	}
	resp_json(req, 200, payment_json(&p, PATIENT_SIDE, true));
}
