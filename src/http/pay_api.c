/*
 * pay_api.c - a patient pays online, the provider's callback settles it,
 * and the owner tries the provider out (DESIGN.md section 12).
 *
 * POST payments is a two-phase route (router.h): the handler claims the
 * Idempotency-Key and records the pending payment in its transaction;
 * once that has committed, the checkout call to the provider runs with
 * nothing open; a second transaction records what the provider said and
 * keeps the answer for replays. A payment's final state comes only from
 * a verified callback, never from the browser coming back.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_clinic.h"
#include "db_finance.h"
#include "db_pay.h"
#include "finance.h"
#include "http.h"
#include "json_util.h"
#include "log.h"
#include "payprov.h"
#include "portal_http.h"
#include "problem.h"
#include "routes.h"
#include "valid.h"

/* The most one online payment may be (minor units): what a clinic bills
 * at most, far above any real visit. */
#define PAY_AMOUNT_MAX 100000000000LL

/* What the phases of a checkout share (req->phase_data). */
struct checkout {
	const char *key;		/* the Idempotency-Key */
	const char *payment_id;
	struct payprov_creds creds;
	struct payprov_checkout in;
	struct payprov_result out;
	enum err err;
};

/* Where links for the clinic point: its own address, else the server's. */
static const char *
base_url(struct request *req, const struct db_clinic *c)
{
	return c->public_url != NULL && c->public_url[0] != '\0' ?
	    c->public_url : req->ctx->conf->public_url;
}

/* An Idempotency-Key: 1 to 255 printable ASCII characters, no space. */
static bool
idem_key_ok(const char *k)
{
	size_t n = k == NULL ? 0 : strlen(k);

	if (n < 1 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
			return false;
	return true;
}

/* A fresh payment reference: "P" and 32 hex digits (PayTR's merchant_oid
 * takes letters and digits only). */
static const char *
new_reference(struct arena *a)
{
	char uuid[37], *ref = arena_alloc(a, 34), *w;

	if (ref == NULL)
		return NULL;
	crypto_uuid(uuid);
	w = ref;
	*w++ = 'P';
	for (const char *r = uuid; *r != '\0'; r++)
		if (*r != '-')
			*w++ = *r;
	*w = '\0';
	return ref;
}

/*
 * The context's clinic's provider and its credentials, opened with the
 * server's payment_key into *kind and *creds. False after answering:
 * 409 payment_unavailable when the clinic takes no online payments (none
 * set up, inactive, or no credentials), 503 when this server cannot open
 * them (no payment_key, or another key sealed them).
 */
static bool
provider_ready(struct request *req, bool need_active, enum payprov_kind *kind,
    struct payprov_creds *creds)
{
	unsigned char key[PAYPROV_KEY_BYTES];
	struct db_payment_infra infra;
	char *plain = NULL;
	size_t len = 0;
	int p;
	enum err err;

	err = db_payment_infra_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &infra);
	if (err == ERR_NOT_FOUND || (err == ERR_OK && ((need_active &&
	    !infra.active) || infra.credentials == NULL ||
	    payprov_from_name(infra.provider) < 0))) {
		problem_send(req, "payment_unavailable", "This clinic does not "
		    "take payments online at the moment.");
		return false;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	p = payprov_from_name(infra.provider);
	if (!payprov_key_parse(req->ctx->conf->payment_key, key)) {
		log_error("online payment: payment_key is not set in the config");
		problem_send(req, "unavailable", "Online payment is not set up "
		    "on this server.");
		return false;
	}
	err = payprov_open(req->arena, key, infra.credentials, &plain, &len);
	sodium_memzero(key, sizeof(key));
	if (err == ERR_OK)
		err = payprov_creds_parse(req->arena, (enum payprov_kind)p, plain,
		    len, creds);
	if (plain != NULL)
		sodium_memzero(plain, len);
	if (err != ERR_OK) {
		log_error("online payment: the clinic's credentials cannot be "
		    "opened with this server's payment_key");
		problem_send(req, "unavailable", "Online payment is not set up "
		    "on this server.");
		return false;
	}
	*kind = (enum payprov_kind)p;
	return true;
}

/* POST /api/v1/portal/{code}/payments [make_payment], Idempotency-Key:
 * the first phase. Checks the body, claims the key (a replay, a reused
 * key or one still in flight is answered here), records the pending
 * payment, and asks for the checkout call. */
void
handle_portal_payment_create(struct request *req)
{
	static const char *const fields[] = { "amount", "invoice_id", NULL };
	const struct db_clinic *c = &req->portal->clinic;
	const struct db_patient *pt = &req->portal->patient;
	const char *key = req_header(req, "HTTP_IDEMPOTENCY_KEY");
	const char *invoice_id = NULL, *stored = NULL, *reference;
	char hash[CRYPTO_BYTEA_HEX];
	struct checkout *co;
	struct vobj body;
	enum payprov_kind kind;
	enum db_pay_start started;
	enum db_idem idem;
	int64_t amount = 0;
	int status = 0;
	enum err err;

	if (!idem_key_ok(key)) {
		problem_send(req, "idempotency_key_required", "Send an "
		    "Idempotency-Key header (1 to 255 printable ASCII "
		    "characters), new for each payment and the same when you "
		    "send that payment again.");
		return;
	}
	if (!v_body(req, &body, fields))
		return;
	v_money(&body, "amount", PAY_AMOUNT_MAX, V_REQUIRED, &amount);
	v_uuid(&body, "invoice_id", V_NULLABLE, &invoice_id);
	if (v_count(req) == 0 && amount <= 0)
		v_problem_field(req, "amount", "Must be more than zero.");
	if (!v_ok(req))
		return;
	if ((co = arena_calloc(req->arena, 1, sizeof(*co))) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}

	/* The key first: a replay answers what the first request answered,
	 * even if the clinic has since turned online payment off. */
	crypto_token_hash(hash, req->body);
	if ((err = db_idem_claim(req->ctx->db, req->arena, key, hash, &idem,
	    &status, &stored)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	switch (idem) {
	case DB_IDEM_REPLAY:
		resp_raw(req, status, status >= 400 ?
		    "application/problem+json" : "application/json", stored,
		    strlen(stored));
		return;
	case DB_IDEM_REUSED:
		problem_send(req, "idempotency_key_reused", "This "
		    "Idempotency-Key was sent before with another body; use a "
		    "new key for a new payment.");
		return;
	case DB_IDEM_IN_FLIGHT:
		problem_send(req, "idempotency_in_flight", "The first request "
		    "with this Idempotency-Key is still running; ask again in a "
		    "moment.");
		return;
	case DB_IDEM_NEW:
		break;
	}

	if (!provider_ready(req, true, &kind, &co->creds))
		return;
	if ((err = db_payments_expire(req->ctx->db, req->arena,
	    req->ctx->conf->payment_pending_timeout)) != ERR_OK ||
	    (reference = new_reference(req->arena)) == NULL ||
	    (err = db_online_payment_start(req->ctx->db, req->arena, amount,
	    invoice_id, payprov_name(kind), reference, &started,
	    &co->payment_id)) != ERR_OK) {
		problem_send_err(req, err == ERR_OK ? ERR_NOMEM : err, NULL);
		return;
	}
	switch (started) {
	case DB_PAY_STARTED:
		break;
	case DB_PAY_NO_INVOICE:
		v_problem_field(req, "invoice_id", "No such invoice of yours.");
		break;
	case DB_PAY_INVOICE_VOID:
		v_problem_field(req, "invoice_id", "This invoice is void.");
		break;
	case DB_PAY_ABOVE_DUE:
		v_problem_field(req, "amount", "More than is due on this "
		    "invoice.");
		break;
	case DB_PAY_ABOVE_BALANCE:
		v_problem_field(req, "amount", "More than your balance.");
		break;
	}
	if (!v_ok(req))
		return;
	if ((err = audit_record(req, "payment.start", "payment",
	    co->payment_id, NULL, json_arena_own(req->arena,
	    json_object_new_int64(amount)))) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}

	co->key = key;
	co->in.provider = kind;
	co->in.creds = &co->creds;
	co->in.reference = reference;
	co->in.amount = amount;
	co->in.currency = c->currency;
	co->in.description = arena_printf(req->arena, "%s", c->name);
	co->in.email = pt->email;
	co->in.name = arena_printf(req->arena, "%s %s", pt->first_name,
	    pt->last_name);
	co->in.phone = pt->phone;
	co->in.client_ip = req->remote_addr;
	co->in.return_url = arena_printf(req->arena, "%s/%s#/payments/%s/result",
	    base_url(req, c), req->portal->code, co->payment_id);
	co->in.callback_url = arena_printf(req->arena,
	    "%s/api/v1/payments/callback/%s", base_url(req, c),
	    payprov_name(kind));
	co->in.lang = pt->language;
	if (co->in.description == NULL || co->in.name == NULL ||
	    co->in.return_url == NULL || co->in.callback_url == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	req->phase_data = co;
	req->call_out = true;
}

/* The checkout call, with no transaction open. */
void
pay_checkout_call(struct request *req)
{
	struct checkout *co = req->phase_data;

	co->err = payprov_checkout(req->arena, req->ctx->conf, &co->in,
	    &co->out);
	if (co->err != ERR_OK || !co->out.ok)
		log_warn("checkout at %s failed at step %s: %s",
		    payprov_name(co->in.provider),
		    co->out.step != NULL ? co->out.step : "?",
		    co->out.detail != NULL ? co->out.detail : "(no detail)");
}

/* The second phase of POST payments: what the provider said, kept. */
void
pay_checkout_record(struct request *req)
{
	struct checkout *co = req->phase_data;
	struct json_object *o, *po;
	struct db_payment p;
	const char *text;
	enum err err;

	if (co->err != ERR_OK || !co->out.ok) {
		/* Nothing was charged: the payment failed, and the same key
		 * may try again. */
		req->commit_on_error = true;
		if ((err = db_payment_checkout_failed(req->ctx->db,
		    co->payment_id)) != ERR_OK ||
		    (err = db_idem_forget(req->ctx->db, co->key)) != ERR_OK) {
			problem_send_err(req, err, NULL);
			return;
		}
		problem_send(req, "unavailable", "The payment provider could "
		    "not start the payment; nothing was charged. Try again in a "
		    "moment.");
		return;
	}
	if ((err = db_payment_checkout_opened(req->ctx->db, co->payment_id,
	    co->out.provider_reference)) != ERR_OK ||
	    (err = db_payment_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, req->actor.id, co->payment_id, &p)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	o = json_arena_own(req->arena, json_object_new_object());
	po = finance_payment_json(&p, false, false);
	if (o == NULL || po == NULL) {
		json_object_put(po);
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if (json_add(o, "payment", po) != 0 ||
	    json_add_string(o, "redirect_url", co->out.redirect_url) != 0 ||
	    (text = json_to_arena(req->arena, o, NULL)) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if ((err = db_idem_finish(req->ctx->db, req->arena, co->key, 201,
	    text)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_raw(req, 201, "application/json", text, strlen(text));
}

/*
 * A callback refused: nothing changes but one audit row (the clinic's
 * when the reference led to one, else the operator's), and the provider
 * hears 400. why is plain words, never the body.
 */
static void
callback_refused(struct request *req, const char *provider, const char *why)
{
	struct json_object *after = json_arena_own(req->arena,
	    json_object_new_object());
	enum err err;

	log_warn("payment callback of %s refused: %s", provider, why);
	if (req->actor.clinic_id != NULL) {
		json_add_string(after, "reason", why);
		err = audit_record(req, "payment.callback_rejected",
		    "payment_callback", provider, NULL, after);
	} else {
		err = db_callback_rejected_unknown(req->ctx->db, provider, why,
		    req->request_id);
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	req->commit_on_error = true;
	problem_send(req, "bad_request", why);
}

/* POST /api/v1/payments/callback/{provider}: the provider says what
 * happened to a payment. Judged in this order: the body's shape and the
 * reference (which leads to the clinic whose credentials verify it), the
 * signature and its time, the amount and currency, then repeats. */
void
handle_payment_callback(struct request *req)
{
	const char *name = route_param(&req->params, "provider");
	int p = payprov_from_name(name);
	const char *reference = NULL, *clinic_id = NULL, *ref_provider = NULL;
	const char *why = NULL, *action;
	struct payprov_creds creds;
	struct payprov_event ev;
	struct payprov_answer answer;
	struct db_settled s;
	enum payprov_kind kind;
	struct json_object *after;
	enum err err;

	if (p < 0) {
		problem_send(req, "not_found", "No such payment provider.");
		return;
	}
	kind = (enum payprov_kind)p;
	req->actor.kind = ACTOR_SYSTEM;
	if (req->body == NULL || payprov_callback_reference(req->arena, kind,
	    req->body, req->body_len, req->content_type, &reference) !=
	    ERR_OK) {
		callback_refused(req, name, "The body is not a callback of this "
		    "provider.");
		return;
	}
	err = db_payment_ref(req->ctx->db, req->arena, reference, &clinic_id,
	    &ref_provider);
	if (err == ERR_NOT_FOUND || (err == ERR_OK &&
	    strcmp(ref_provider, name) != 0)) {
		callback_refused(req, name, "No payment of this provider has "
		    "this reference.");
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	req->actor.clinic_id = clinic_id;
	db_work_context(req->ctx->db, clinic_id, NULL);
	if (!provider_ready(req, false, &kind, &creds))
		return;
	if (kind != (enum payprov_kind)p) {
		callback_refused(req, name, "The clinic now uses another "
		    "payment provider.");
		return;
	}
	err = payprov_verify(req->arena, kind, &creds, req->body,
	    req->body_len, req->content_type,
	    req_header(req, "HTTP_X_GATEWAY_SIGNATURE"), time(NULL), &ev, &why);
	if (err == ERR_NOMEM) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (err != ERR_OK || strcmp(ev.reference, reference) != 0) {
		callback_refused(req, name, why != NULL ? why :
		    "The callback could not be verified.");
		return;
	}
	if ((err = db_payment_settle(req->ctx->db, req->arena, name,
	    ev.event_id, ev.reference, ev.status == PAYPROV_SUCCEEDED,
	    ev.amount, ev.currency, kind == PAYPROV_PAYTR, &s)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	switch (s.outcome) {
	case DB_SETTLE_UNKNOWN:
		callback_refused(req, name, "No payment of this provider has "
		    "this reference.");
		return;
	case DB_SETTLE_CURRENCY:
		callback_refused(req, name, "The currency is not the "
		    "payment's.");
		return;
	case DB_SETTLE_AMOUNT:
		callback_refused(req, name, "The amount is not the payment's.");
		return;
	case DB_SETTLE_REPEAT:
		action = NULL;	/* seen before: no second effect */
		break;
	case DB_SETTLE_SUCCEEDED:
		action = "payment.succeeded";
		break;
	case DB_SETTLE_FAILED:
		action = "payment.failed";
		break;
	case DB_SETTLE_UNCHANGED:
	default:
		action = "payment.callback";
		break;
	}
	if (action != NULL) {
		after = json_arena_own(req->arena, json_object_new_object());
		json_add_string(after, "event_id", ev.event_id);
		json_add_string(after, "before", s.before);
		json_add_int(after, "amount", ev.amount);
		if ((err = audit_record(req, action, "payment", s.payment_id,
		    NULL, after)) != ERR_OK ||
		    (s.outcome == DB_SETTLE_SUCCEEDED &&
		    (err = db_payment_receipt(req->ctx->db, s.payment_id,
		    req->ctx->conf->public_url)) != ERR_OK)) {
			problem_send_err(req, err, NULL);
			return;
		}
	}
	payprov_callback_answer(kind, &answer);
	resp_raw(req, answer.status, answer.content_type, answer.body,
	    strlen(answer.body));
}
