/*
 * settings_api.c - the clinic's portal: modules and payment
 * infrastructure, the permission catalog and presets, code checks, the
 * portal settings (GET/PUT with ETag and warnings), and the public clinic
 * card at /api/v1/portal/{code}/.
 *
 * On the request pipeline (src/http/README.md): the route table states
 * who may call what, the pipeline authenticates (req->clinic holds the
 * caller's clinic; on the card, req->portal the open portal) and opens,
 * commits or rolls back the work; bodies and queries are read through
 * valid.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "db_clinic.h"
#include "db_outbox.h"
#include "db_patients.h"
#include "db_templates.h"
#include "http.h"
#include "json_util.h"
#include "log.h"
#include "payprov.h"
#include "permissions.h"
#include "portal_http.h"
#include "portal_settings.h"
#include "problem.h"
#include "routes.h"
#include "valid.h"

/* At most this many entries in a list of permission keys (duplicates
 * are allowed, and ignored). */
#define PERM_LIST_MAX 100
/* A code longer than a code may be is still answered code_invalid;
 * past this it is not worth reading. */
#define CODE_FIELD_MAX 200
/* Unknown keys are named in the problem up to this length. */
#define UNKNOWN_KEY_SHOWN_MAX 60

struct json_object *
perm_set_json(perm_set set)
{
	struct json_object *arr = json_object_new_array();

	for (int i = 0; arr != NULL && i < PERM__MAX; i++)
		if (set & PERM_BIT(i))
			json_object_array_add(arr,
			    json_object_new_string(perm_catalog[i].key));
	return arr;
}

enum v_got
perm_set_read(struct vobj *o, const char *key, unsigned flags, perm_set *set)
{
	struct varr arr;
	enum v_got got = v_array(o, key, PERM_LIST_MAX, flags, &arr);

	if (got != V_SET)
		return got;
	*set = 0;
	for (size_t i = 0; i < arr.count; i++) {
		struct json_object *k = json_object_array_get_idx(arr.arr, i);
		const char *s = json_object_is_type(k, json_type_string) ?
		    json_object_get_string(k) : NULL;
		int p = s != NULL ? perm_from_key(s) : -1;

		if (p < 0) {
			/* One problem for the list, naming the first bad key. */
			v_problem(o, key, s == NULL ?
			    "Entries must be permission keys." :
			    strlen(s) > UNKNOWN_KEY_SHOWN_MAX ?
			    "Unknown permission key." :
			    arena_printf(o->req->arena, "Unknown permission '%s'.",
			    s));
			return V_BAD;
		}
		*set |= PERM_BIT(p);
	}
	return V_SET;
}

struct json_object *
portal_warnings_json(const struct portal_warning *w, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_add_string(o, "code", w[i].code);
		json_add_string(o, "message", w[i].message);
		json_add(o, "permissions", perm_set_json(w[i].permissions));
		if (w[i].has_count)
			json_add_int(o, "count", w[i].count);
		if (w[i].previous_code != NULL)
			json_add_string(o, "previous_code", w[i].previous_code);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* ---- modules and payment infrastructure ---- */

/* GET /api/v1/clinic/modules: {patient_portal, payment_infrastructure},
 * from the clinic the pipeline read with the caller. */
void
handle_modules(struct request *req)
{
	const struct db_clinic *c = req->clinic;
	struct json_object *body = json_object_new_object(),
	    *pay = json_object_new_object();

	if (body == NULL || pay == NULL) {
		json_object_put(body);
		json_object_put(pay);
		resp_json(req, 200, NULL);
		return;
	}
	json_add_bool(body, "patient_portal", c->portal_module);
	json_add_string(pay, "provider", c->payment_provider);
	json_add_bool(pay, "active", c->payment_active);
	json_add(body, "payment_infrastructure", pay);
	resp_json(req, 200, body);
}

/* {provider, active, credentials_set, updated_at}: never the credentials. */
static struct json_object *
payment_json(const struct db_payment_infra *p)
{
	struct json_object *o = json_object_new_object();

	json_add_string(o, "provider", p->provider);
	json_add_bool(o, "active", p->active);
	json_add_bool(o, "credentials_set", p->credentials_set);
	json_add_string(o, "updated_at", p->updated_at);
	return o;
}

/* GET /api/v1/clinic/payment-infrastructure: the provider, whether it is
 * active and whether credentials are saved; provider and updated_at null
 * before the owner ever saved one. */
void
handle_payment_infra_get(struct request *req)
{
	struct db_payment_infra p;
	enum err err = db_payment_infra_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &p);

	if (err == ERR_NOT_FOUND)
		memset(&p, 0, sizeof(p));
	else if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, payment_json(&p));
}

/*
 * Reads the credentials object for provider into a JSON text holding
 * exactly that provider's fields (payprov_cred_fields(), each a line of
 * 1..PAYPROV_CRED_MAX characters); problems go to the request. NULL when
 * absent or bad (v_ok() then tells which).
 */
static const char *
payment_credentials_read(struct vobj *body, enum payprov_kind provider,
    size_t *len)
{
	const char *const *fields = payprov_cred_fields(provider);
	size_t problems = v_count(body->req);
	struct vobj creds;
	struct json_object *o;

	if (v_object(body, "credentials", fields, 0, &creds) != V_SET)
		return NULL;
	if ((o = json_arena_own(body->req->arena, json_object_new_object())) ==
	    NULL)
		return NULL;
	for (size_t i = 0; fields[i] != NULL; i++) {
		const char *value = NULL;

		if (v_text(&creds, fields[i], V_LINE(PAYPROV_CRED_MAX),
		    V_REQUIRED, &value) == V_SET)
			json_add_string(o, fields[i], value);
	}
	if (v_count(body->req) != problems)
		return NULL;
	return json_to_arena(body->req->arena, o, len);
}

/*
 * PUT /api/v1/clinic/payment-infrastructure {provider, active,
 * credentials?} (owner): provider "devgateway" or "paytr"; credentials
 * that provider's fields, sealed with the server's payment_key before
 * they are stored (and never answered). Without credentials the saved
 * ones stay while the provider stays, and go when it changes. Answers
 * the new state as GET does. 422 naming each bad or unknown field, and
 * `credentials` when active is turned on with none saved; 503
 * `unavailable` when credentials are sent and no payment_key is
 * configured (the log says so).
 */
void
handle_payment_infra_put(struct request *req)
{
	static const char *const fields[] = { "provider", "active",
	    "credentials", NULL };
	static const char *const providers[] = { "devgateway", "paytr", NULL };
	unsigned char key[PAYPROV_KEY_BYTES];
	struct json_object *after;
	struct db_payment_infra before, saved;
	struct vobj body;
	const char *provider = NULL, *plain = NULL, *sealed = NULL;
	bool active = false, had_before, creds_after;
	size_t plain_len = 0;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_enum(&body, "provider", providers, V_REQUIRED, &provider);
	v_bool(&body, "active", V_REQUIRED, &active);
	if (provider != NULL)
		plain = payment_credentials_read(&body, payprov_from_name(provider),
		    &plain_len);
	if (!v_ok(req))
		return;
	if (plain != NULL) {
		if (!payprov_key_parse(req->ctx->conf->payment_key, key)) {
			log_error("payment infrastructure: credentials cannot be "
			    "saved: payment_key is not configured (set it to 64 "
			    "hex digits in portal.conf)");
			sodium_memzero((char *)plain, plain_len);
			problem_send(req, "unavailable", "Payment credentials "
			    "cannot be saved on this server yet: its payment key "
			    "is not configured.");
			return;
		}
		err = payprov_seal(req->arena, key, plain, plain_len, &sealed);
		sodium_memzero(key, sizeof(key));
		sodium_memzero((char *)plain, plain_len);
		if (err != ERR_OK) {
			problem_send_err(req, err, NULL);
			return;
		}
	}
	err = db_payment_infra_get(req->ctx->db, req->arena, req->actor.clinic_id,
	    true, &before);
	if (err != ERR_OK && err != ERR_NOT_FOUND) {
		problem_send_err(req, err, NULL);
		return;
	}
	had_before = err == ERR_OK;
	creds_after = sealed != NULL || (had_before && before.credentials_set &&
	    strcmp(before.provider, provider) == 0);
	if (active && !creds_after) {
		v_problem_field(req, "credentials", "Enter the provider's "
		    "credentials before turning online payment on.");
		v_ok(req);
		return;
	}
	if ((err = db_payment_put(req->ctx->db, req->arena,
	    req->actor.clinic_id, provider, active, sealed, &saved)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if ((after = json_arena_own(req->arena, json_object_new_object())) ==
	    NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	json_add_string(after, "provider", saved.provider);
	json_add_bool(after, "active", saved.active);
	json_add_bool(after, "credentials_set", saved.credentials_set);
	/* Which, never what: the audit says credentials were replaced. */
	json_add_bool(after, "credentials_changed", sealed != NULL);
	if ((err = audit_record(req, "payment_infrastructure.update", "clinic",
	    req->actor.clinic_id, NULL, after)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, payment_json(&saved));
}

/* The test checkout's answer {ok, step, detail[, redirect_url]}. */
static void
payment_test_answer(struct request *req, bool ok, const char *step,
    const char *detail, const char *redirect_url)
{
	struct json_object *o = json_object_new_object();

	json_add_bool(o, "ok", ok);
	json_add_string(o, "step", step);
	json_add_string(o, "detail", detail);
	if (redirect_url != NULL)
		json_add_string(o, "redirect_url", redirect_url);
	if (!ok)
		log_warn("payment infrastructure test failed at step %s: %s",
		    step, detail);
	resp_json(req, 200, o);
}

/* What the phases of the test checkout share (req->phase_data). */
struct payment_test {
	struct payprov_creds creds;
	struct payprov_checkout in;
	struct payprov_result r;
	enum err err;
};

/*
 * POST /api/v1/clinic/payment-infrastructure/test (owner): starts a
 * checkout of 1.00 in the clinic's currency at the saved provider with
 * the saved credentials, and answers 200 {ok, step, detail} in plain
 * words: step "setup" (no provider or credentials saved, or the server
 * cannot read them), else the step of payprov.h where the provider
 * failed, or "done" with the hosted page's redirect_url. Nothing is
 * recorded (the test checkout is never paid; a callback for it names an
 * unknown reference). A route that calls out (router.h): this handler
 * reads what the checkout needs, pay_checkout_call() makes the call with
 * no transaction open, and pay_test_record() answers.
 */
void
handle_payment_infra_test(struct request *req)
{
	unsigned char key[PAYPROV_KEY_BYTES], nonce[10];
	char *reference = arena_alloc(req->arena, 2 + 2 * sizeof(nonce));
	struct payment_test *t = arena_calloc(req->arena, 1, sizeof(*t));
	struct db_payment_infra p;
	struct payprov_checkout *in;
	const char *base;
	char *plain = NULL;
	size_t plain_len = 0;
	int provider;
	enum err err;

	if (t == NULL || reference == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	err = db_payment_infra_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &p);
	if (err != ERR_OK && err != ERR_NOT_FOUND) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (err == ERR_NOT_FOUND || p.credentials == NULL ||
	    (provider = payprov_from_name(p.provider)) < 0) {
		payment_test_answer(req, false, "setup", "Choose a provider and "
		    "save its credentials first.", NULL);
		return;
	}
	if (!payprov_key_parse(req->ctx->conf->payment_key, key)) {
		log_error("payment infrastructure: credentials cannot be read: "
		    "payment_key is not configured");
		payment_test_answer(req, false, "setup", "This server's payment "
		    "key is not configured, so the saved credentials cannot be "
		    "read.", NULL);
		return;
	}
	err = payprov_open(req->arena, key, p.credentials, &plain, &plain_len);
	sodium_memzero(key, sizeof(key));
	if (err == ERR_OK)
		err = payprov_creds_parse(req->arena, provider, plain, plain_len,
		    &t->creds);
	if (plain != NULL)
		sodium_memzero(plain, plain_len);
	if (err == ERR_NOMEM) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (err != ERR_OK) {
		log_error("payment infrastructure: the saved credentials do not "
		    "open with this server's payment_key");
		payment_test_answer(req, false, "setup", "The saved credentials "
		    "cannot be read with this server's payment key: save them "
		    "again.", NULL);
		return;
	}
	/* "T" and random hex: letters and digits, as PayTR requires. */
	randombytes_buf(nonce, sizeof(nonce));
	reference[0] = 'T';
	for (size_t i = 0; i < sizeof(nonce); i++)
		snprintf(reference + 1 + 2 * i, 3, "%02x", nonce[i]);
	base = req->clinic->public_url != NULL ? req->clinic->public_url :
	    req->ctx->conf->public_url;
	in = &t->in;
	in->provider = provider;
	in->creds = &t->creds;
	in->reference = reference;
	in->amount = 100;
	in->currency = req->clinic->currency;
	in->description = "Test checkout";
	in->email = "payment-test@example.com";
	in->name = req->actor.name != NULL ? req->actor.name : "Test";
	in->client_ip = req->remote_addr != NULL && *req->remote_addr != '\0' ?
	    req->remote_addr : "127.0.0.1";
	in->return_url = base;
	in->callback_url = arena_printf(req->arena,
	    "%s/api/v1/payments/callback/%s", base, p.provider);
	in->lang = req->clinic->default_language;
	if (in->callback_url == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	req->phase_data = t;
	req->call_out = true;
}

/* The test checkout's call, with no transaction open. */
void
payment_test_call(struct request *req)
{
	struct payment_test *t = req->phase_data;

	t->err = payprov_checkout(req->arena, req->ctx->conf, &t->in, &t->r);
}

/* What the provider said of the test checkout, in plain words. */
void
payment_test_answered(struct request *req)
{
	struct payment_test *t = req->phase_data;

	if (t->err == ERR_NOMEM) {
		problem_send_err(req, t->err, NULL);
		return;
	}
	if (t->err != ERR_OK) {
		payment_test_answer(req, false, t->r.step, t->r.detail, NULL);
		return;
	}
	payment_test_answer(req, true, "done", arena_printf(req->arena,
	    "The provider accepted a test checkout of 1.00 %s.",
	    t->in.currency), t->r.redirect_url);
}

/* ---- the catalog and the presets ---- */

/* GET /api/v1/clinic/portal/permissions: the catalog in its groups. */
void
handle_permission_catalog(struct request *req)
{
	struct json_object *groups = json_object_new_array(), *body;

	for (size_t g = 0; groups != NULL && g < perm_groups_count; g++) {
		struct json_object *group = json_object_new_object(), *keys,
		    *label = json_object_new_object();

		keys = json_object_new_array();
		json_add_string(label, "tr", perm_groups[g].label_tr);
		json_add_string(label, "en", perm_groups[g].label_en);
		json_add_string(group, "key", perm_groups[g].key);
		json_add(group, "label", label);
		for (int i = 0; i < PERM__MAX; i++) {
			const struct perm_def *d = &perm_catalog[i];
			struct json_object *p, *l, *desc;

			if (d->group != g)
				continue;
			p = json_object_new_object();
			l = json_object_new_object();
			desc = json_object_new_object();
			json_add_string(p, "key", d->key);
			json_add_string(l, "tr", d->label_tr);
			json_add_string(l, "en", d->label_en);
			json_add(p, "label", l);
			json_add_string(desc, "tr", d->description_tr);
			json_add_string(desc, "en", d->description_en);
			json_add(p, "description", desc);
			json_add(p, "recommended_with", perm_set_json(d->recommended_with));
			json_object_array_add(keys, p);
		}
		json_add(group, "permissions", keys);
		json_object_array_add(groups, group);
	}
	body = json_object_new_object();
	json_add(body, "groups", groups);
	resp_json(req, 200, body);
}

/* GET /api/v1/clinic/portal/presets: {items: [{key, label, permissions,
 * optional}]}; a key is in permissions (always set) or in optional (left
 * to the clinic), never in both. */
void
handle_presets(struct request *req)
{
	struct json_object *items = json_object_new_array(), *body;

	for (size_t i = 0; items != NULL && i < perm_presets_count; i++) {
		const struct perm_preset *p = &perm_presets[i];
		struct json_object *o = json_object_new_object(),
		    *label = json_object_new_object();

		json_add_string(o, "key", p->key);
		json_add_string(label, "tr", p->label_tr);
		json_add_string(label, "en", p->label_en);
		json_add(o, "label", label);
		json_add(o, "permissions", perm_set_json(p->permissions));
		json_add(o, "optional", perm_set_json(p->optional));
		json_object_array_add(items, o);
	}
	body = json_object_new_object();
	json_add(body, "items", items);
	resp_json(req, 200, body);
}

/* ---- portal codes ---- */

/* Why a code cannot be this clinic's: NULL when it can, else the problem
 * code ("code_invalid", "code_reserved", "code_taken", "code_retired" or
 * "unavailable"), with *message for the clinic. */
static const char *
code_refusal(struct request *req, const char *code, const char **message)
{
	const char *owner = NULL, *why = NULL;
	bool retired = false;
	enum err err;

	switch (portal_code_verdict(code, &why)) {
	case CODE_INVALID:
		*message = why;
		return "code_invalid";
	case CODE_RESERVED:
		*message = why;
		return "code_reserved";
	case CODE_OK:
		break;
	}
	err = db_code_owner(req->ctx->db, req->arena, code, &owner, &retired);
	if (err == ERR_NOT_FOUND)
		return NULL;
	if (err != ERR_OK) {
		*message = "The check could not be made; try again.";
		return "unavailable";
	}
	if (strcmp(owner, req->actor.clinic_id) == 0)
		return NULL;	/* live or retired, it is ours to use */
	if (retired) {
		*message = "This code was used before and retired; it cannot "
		    "be used again.";
		return "code_retired";
	}
	*message = "Another clinic uses this code.";
	return "code_taken";
}

/* Does code look like personal data: a phone-like run of digits, or the
 * first and last name of one of the clinic's patients? */
static enum err
code_looks_personal(struct request *req, const char *code, bool *personal)
{
	char *words, *o;

	*personal = portal_code_has_digit_run(code);
	if (*personal)
		return ERR_OK;
	/* "ayse-yilmaz" -> {ayse,yilmaz}; codes hold [a-z0-9-] only. */
	words = o = arena_alloc(req->arena, strlen(code) + 3);
	if (words == NULL)
		return ERR_NOMEM;
	*o++ = '{';
	for (const char *c = code; *c; c++)
		*o++ = *c == '-' ? ',' : *c;
	*o++ = '}';
	*o = '\0';
	return db_patient_name_among(req->ctx->db, req->actor.clinic_id, words,
	    personal);
}

/* GET /api/v1/clinic/portal/code-check?code=: {code, available, reason,
 * message, warnings}; 422 without a code. */
void
handle_code_check(struct request *req)
{
	const char *code = NULL, *message = NULL, *refusal;
	struct portal_warning w[WARNINGS__MAX];
	struct settings_facts facts;
	struct json_object *body;
	size_t nw;
	enum err err;

	q_text(req, "code", V_LINE(CODE_FIELD_MAX), V_REQUIRED, &code);
	if (!v_ok(req))
		return;
	memset(&facts, 0, sizeof(facts));
	refusal = code_refusal(req, code, &message);
	if (refusal != NULL && strcmp(refusal, "unavailable") == 0) {
		problem_send(req, "unavailable", message);
		return;
	}
	/* The code's own warning, said as the settings would say it. */
	if ((refusal == NULL || strcmp(refusal, "code_invalid") != 0) &&
	    (err = code_looks_personal(req, code, &facts.code_personal)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	nw = portal_settings_warnings(&facts, w);
	body = json_object_new_object();
	json_add_string(body, "code", code);
	json_add_bool(body, "available", refusal == NULL);
	json_add_string(body, "reason", refusal == NULL ? NULL :
	    refusal + strlen("code_"));
	json_add_string(body, "message", message);
	json_add(body, "warnings", portal_warnings_json(w, nw));
	resp_json(req, 200, body);
}

/* ---- the settings ---- */

static struct json_object *
settings_json(const struct db_portal_settings *s)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_bool(o, "enabled", s->enabled);
	json_add_string(o, "code", s->code);
	json_add(o, "permissions", perm_set_json(s->permissions));
	json_add_string(o, "sms_template_id", s->sms_template_id);
	json_add_string(o, "email_template_id", s->email_template_id);
	json_add_string(o, "upload_reviewer_id", s->upload_reviewer_id);
	return o;
}

static const char *
etag(struct request *req, int version)
{
	return arena_printf(req->arena, "\"%d\"", version);
}

/* GET /api/v1/clinic/portal/settings: the settings and an ETag. */
void
handle_settings_get(struct request *req)
{
	struct db_portal_settings s;
	enum err err;

	if ((err = db_settings_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &s)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "ETag", etag(req, s.version));
	resp_json(req, 200, settings_json(&s));
}

/* What a settings PUT works on, step by step. */
struct settings_put {
	struct db_portal_settings old, next;
	struct settings_facts facts;	/* what the warnings are drawn from */
	struct json_object *after;	/* the saved settings, arena-owned */
};

/*
 * Step 1, the body: every field present (null where there is none),
 * nothing else; enabling needs a code. False after answering 422
 * validation_failed or code_required.
 */
static bool
settings_read(struct request *req, struct db_portal_settings *next)
{
	static const char *const fields[] = { "enabled", "code",
	    "permissions", "sms_template_id", "email_template_id",
	    "upload_reviewer_id", NULL };
	const unsigned present = V_REQUIRED | V_NULLABLE;	/* null for none */
	struct vobj body;

	if (!v_body(req, &body, fields))
		return false;
	v_bool(&body, "enabled", V_REQUIRED, &next->enabled);
	v_text(&body, "code", V_LINE(CODE_FIELD_MAX), present, &next->code);
	perm_set_read(&body, "permissions", V_REQUIRED, &next->permissions);
	v_uuid(&body, "sms_template_id", present, &next->sms_template_id);
	v_uuid(&body, "email_template_id", present, &next->email_template_id);
	v_uuid(&body, "upload_reviewer_id", present,
	    &next->upload_reviewer_id);
	if (!v_ok(req))
		return false;
	if (next->enabled && next->code == NULL) {
		problem_send(req, "code_required",
		    "Choose a portal code before enabling the portal.");
		return false;
	}
	return true;
}

/*
 * Step 2, the current settings, locked until the save ends: the clinic
 * must have the module, and an If-Match must name the current version.
 * False after answering 409 module_missing or 412 precondition_failed.
 */
static bool
settings_lock(struct request *req, struct settings_put *put)
{
	const char *if_match = req_header(req, "HTTP_IF_MATCH");
	enum err err;

	if (!req->clinic->portal_module) {
		problem_send(req, "module_missing", "The clinic has not "
		    "purchased the Patient Portal module.");
		return false;
	}
	if ((err = db_settings_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, true, &put->old)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	if (!if_match_allows(if_match, etag(req, put->old.version))) {
		resp_header(req, "ETag", etag(req, put->old.version));
		problem_send(req, "precondition_failed", "Someone saved the "
		    "settings since you loaded them; reload and try again.");
		return false;
	}
	return true;
}

/*
 * Step 3, the choices: the code must be one this clinic may use, and
 * each invitation template one of the clinic's own, of its channel and
 * purpose; notes which of the clinic's languages a template lacks.
 * False after answering the code's refusal (422 code_invalid,
 * code_reserved; 409 code_taken, code_retired) or 422 naming the
 * template field.
 */
static bool
settings_check(struct request *req, struct settings_put *put)
{
	const struct db_portal_settings *next = &put->next;
	const struct db_clinic *clinic = req->clinic;
	const char *refusal, *message = NULL;

	if (next->code != NULL &&
	    (refusal = code_refusal(req, next->code, &message)) != NULL) {
		problem_send(req, refusal, message);
		return false;
	}
	for (int ch = 0; ch < 2; ch++) {
		const char *id = ch == 0 ? next->sms_template_id :
		    next->email_template_id;
		bool *missing_tr = ch == 0 ? &put->facts.sms_missing_tr :
		    &put->facts.email_missing_tr;
		bool *missing_en = ch == 0 ? &put->facts.sms_missing_en :
		    &put->facts.email_missing_en;
		struct db_template tpl;
		enum err err;

		if (id == NULL)
			continue;
		err = db_template_get(req->ctx->db, req->arena,
		    req->actor.clinic_id, id, &tpl);
		if (err == ERR_NOT_FOUND || (err == ERR_OK &&
		    (strcmp(tpl.channel, ch == 0 ? "sms" : "email") != 0 ||
		    strcmp(tpl.purpose, "portal_invitation") != 0))) {
			v_problem_field(req, ch == 0 ? "sms_template_id" :
			    "email_template_id", ch == 0 ?
			    "Choose one of the clinic's SMS invitation templates." :
			    "Choose one of the clinic's email invitation templates.");
			return v_ok(req);
		}
		if (err != ERR_OK) {
			problem_send_err(req, err, NULL);
			return false;
		}
		*missing_tr = clinic->lang_tr && tpl.body[LANG_TR] == NULL;
		*missing_en = clinic->lang_en && tpl.body[LANG_EN] == NULL;
	}
	return true;
}

/* 422 naming upload_reviewer_id: not a member of the clinic's staff. */
static bool
reviewer_unknown(struct request *req)
{
	v_problem_field(req, "upload_reviewer_id",
	    "No such member of staff in this clinic.");
	return v_ok(req);
}

/*
 * The reviewer the settings name, if any: a member of the clinic, active
 * when newly chosen (one who was disabled after being chosen may stay, so
 * that the rest of the settings can still be saved: the warning says so).
 * Notes whether the reviewer is active, for the warnings. False after
 * answering 422 naming upload_reviewer_id.
 */
static bool
reviewer_check(struct request *req, struct settings_put *put)
{
	const char *id = put->next.upload_reviewer_id;
	struct db_staff_member m;
	enum err err;

	put->facts.has_reviewer = false;
	if (id == NULL)
		return true;
	err = db_staff_member(req->ctx->db, req->arena, id, &m);
	if (err == ERR_NOT_FOUND)
		return reviewer_unknown(req);
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	if (!m.active && (put->old.upload_reviewer_id == NULL ||
	    strcmp(put->old.upload_reviewer_id, id) != 0)) {
		v_problem_field(req, "upload_reviewer_id", "This member of staff "
		    "is disabled; choose an active one.");
		return v_ok(req);
	}
	put->facts.has_reviewer = m.active;
	return true;
}

/*
 * Step 4, the save: a changed code retires the old one and takes the new
 * one, then the settings are written. False after answering 409
 * code_taken (another clinic took the code meanwhile) or 422 naming
 * upload_reviewer_id (not an active member of the clinic's staff).
 */
static bool
settings_apply(struct request *req, struct settings_put *put)
{
	const char *old_code = put->old.code, *code = put->next.code;
	enum err err;

	if (!reviewer_check(req, put))
		return false;

	put->facts.code_changed = old_code != NULL &&
	    (code == NULL || strcmp(old_code, code) != 0);
	if ((code == NULL) != (old_code == NULL) || put->facts.code_changed) {
		err = db_code_switch(req->ctx->db, req->actor.clinic_id, code);
		if (err == ERR_CONFLICT) {
			problem_send(req, "code_taken", "Another clinic uses this "
			    "code.");
			return false;
		}
		if (err != ERR_OK) {
			problem_send_err(req, err, NULL);
			return false;
		}
	}
	err = db_settings_update(req->ctx->db, req->actor.clinic_id, &put->next);
	if (err == ERR_INVALID)	/* the member went since reviewer_check() */
		return reviewer_unknown(req);
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	put->next.version = put->old.version + 1;
	return true;
}

/*
 * Step 5, what the warnings are drawn from besides the choices: the
 * permissions, the payment infrastructure, the reviewer, whether the
 * code looks personal and, for a changed code, how many patients were
 * invited under the old one. False after answering 503.
 */
static bool
settings_warning_facts(struct request *req, struct settings_put *put)
{
	struct settings_facts *f = &put->facts;
	enum err err = ERR_OK;

	f->permissions = put->next.permissions;
	f->payment_active = req->clinic->payment_active;
	/* f->has_reviewer: set by reviewer_check() (an active reviewer). */
	if (put->next.code != NULL)
		err = code_looks_personal(req, put->next.code, &f->code_personal);
	if (err == ERR_OK && f->code_changed) {
		f->old_code = put->old.code;
		err = db_invited_count(req->ctx->db, req->actor.clinic_id,
		    put->old.code, &f->invited_under_old_code);
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	return true;
}

/* Step 6, the audit row: the settings before and after. False after
 * answering 503. */
static bool
settings_audit(struct request *req, struct settings_put *put)
{
	struct json_object *before = json_arena_own(req->arena,
	    settings_json(&put->old));
	enum err err;

	put->after = json_arena_own(req->arena, settings_json(&put->next));
	if (before == NULL || put->after == NULL)
		err = ERR_NOMEM;
	else
		err = audit_record(req, "portal.settings.update",
		    "portal_settings", req->actor.clinic_id, before, put->after);
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	return true;
}

/*
 * PUT /api/v1/clinic/portal/settings (owner, admin): the whole body,
 * saved in the request's one transaction. 200 {settings, warnings} with
 * the new ETag; 409 module_missing; 412 precondition_failed on a stale
 * If-Match; 422 validation_failed (a missing, bad or unknown field),
 * code_required, code_invalid, code_reserved; 409 code_taken,
 * code_retired.
 */
void
handle_settings_put(struct request *req)
{
	struct portal_warning warnings[WARNINGS__MAX];
	struct settings_put put;
	struct json_object *body;
	size_t nw;

	memset(&put, 0, sizeof(put));
	if (!settings_read(req, &put.next) ||
	    !settings_lock(req, &put) ||
	    !settings_check(req, &put) ||
	    !settings_apply(req, &put) ||
	    !settings_warning_facts(req, &put) ||
	    !settings_audit(req, &put))
		return;
	nw = portal_settings_warnings(&put.facts, warnings);
	body = json_object_new_object();
	json_add(body, "settings", json_object_get(put.after));
	json_add(body, "warnings", portal_warnings_json(warnings, nw));
	resp_header(req, "ETag", etag(req, put.next.version));
	resp_json(req, 200, body);
}

/* ---- the public card ---- */

/* The clinic's contact details go ahead with the portal's statement. */
void
ahead_public_card(struct request *req)
{
	db_clinic_profile_ahead(req->ctx->db);
}

/*
 * GET /api/v1/portal/{code}/: the public clinic card {code, name, phone,
 * email, address, languages, default_language, actions}. The pipeline
 * opened the portal (404 portal_not_found alike for an unknown, retired or
 * disabled code, and for a clinic without the module).
 */
void
handle_public_card(struct request *req)
{
	const struct db_clinic *c = &req->portal->clinic;
	struct db_clinic_profile profile;
	struct json_object *body, *langs;
	enum err err;

	if ((err = db_clinic_profile_get(req->ctx->db, req->arena, &profile)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	body = json_object_new_object();
	langs = json_object_new_array();

	if (c->lang_tr)
		json_object_array_add(langs, json_object_new_string("tr"));
	if (c->lang_en)
		json_object_array_add(langs, json_object_new_string("en"));
	json_add_string(body, "code", req->portal->code);
	json_add_string(body, "name", c->name);
	json_add_string(body, "phone", profile.phone);
	json_add_string(body, "email", profile.email);
	json_add_string(body, "address", profile.address);
	json_add(body, "languages", langs);
	json_add_string(body, "default_language", c->default_language);
	json_add(body, "actions", perm_set_json(req->portal->settings.permissions));
	resp_header(req, "Cache-Control", "no-cache");
	resp_json(req, 200, body);
}
