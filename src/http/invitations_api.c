/*
 * invitations_api.c - inviting patients to the portal, one or many, the
 * invitation status of a patient, and the clinic's deliveries (the outbox
 * as the clinic sees it), with a retry for dead messages.
 *
 * An invitation is built by the one entry point for outbox messages
 * (db_outbox_compose(): the template the portal settings chose for the
 * channel, in the patient's language or, with a warning, the other one;
 * rendered in one pass) and queued in the request's transaction, one
 * message per channel; portal-notifier delivers it. A secret message (a
 * one-time code) is listed without its subject and body, and is never
 * sent again by hand.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "contacts.h"
#include "db.h"
#include "db_clinic.h"
#include "db_outbox.h"
#include "db_patients.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"
#include "templates.h"
#include "valid.h"

#define BULK_MAX 500
#define CODE_MAX_CHARS 40

enum channel { CH_SMS, CH_EMAIL, CH__MAX };
static const char *const channel_names[CH__MAX + 1] = { "sms", "email", NULL };

static struct json_object *
delivery_json(const struct db_delivery *d)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", d->id);
	json_add_string(o, "patient_id", d->patient_id);
	json_add_string(o, "patient_name", d->patient_name);
	json_add_string(o, "channel", d->channel);
	json_add_string(o, "purpose", d->purpose);
	json_add_bool(o, "secret", d->secret);
	json_add_string(o, "recipient", d->recipient);
	json_add_string(o, "locale", d->locale);
	json_add_string(o, "subject", d->subject);
	json_add_string(o, "body", d->body);
	json_add_string(o, "status", d->status);
	json_add_int(o, "attempts", d->attempts);
	json_add_string(o, "last_error", d->last_error);
	json_add_string(o, "next_attempt_at", d->next_attempt_at);
	json_add_string(o, "created_at", d->created_at);
	json_add_string(o, "sent_at", d->sent_at);
	json_add_string(o, "portal_code", d->portal_code);
	return o;
}

static struct json_object *
delivery_item(const void *row, void *ctx)
{
	(void)ctx;
	return delivery_json(row);
}

static const char *
delivery_cursor(const void *row)
{
	return ((const struct db_delivery *)row)->cursor;
}

/* "channels": one or both of "sms" and "email", each once; a bit set (0
 * after adding a problem). */
static unsigned
channels_read(struct vobj *body)
{
	struct varr arr;
	unsigned set = 0;

	if (v_array(body, "channels", CH__MAX, V_REQUIRED, &arr) != V_SET)
		return 0;
	if (arr.count == 0) {
		v_problem(body, "channels", "Name one or both of \"sms\" and "
		    "\"email\".");
		return 0;
	}
	for (size_t i = 0; i < arr.count; i++) {
		const char *name;
		unsigned bit;

		if (v_item_enum(&arr, i, channel_names, &name) != V_SET)
			return 0;
		bit = strcmp(name, "sms") == 0 ? 1u << CH_SMS : 1u << CH_EMAIL;
		if (set & bit) {
			v_problem(body, "channels", "Name each channel once.");
			return 0;
		}
		set |= bit;
	}
	return set;
}

/* What every invitation of one request shares. */
struct invite_env {
	struct db_portal_settings settings;
	const char *template_id[CH__MAX];
	unsigned channels;
};

/*
 * Checks the portal-level conditions for inviting on channels and loads
 * the settings, answering the problem when one fails: 409 module_missing,
 * 409 portal_disabled, 422 code_required, 409 template_missing.
 */
static bool
invite_env_load(struct request *req, unsigned channels, struct invite_env *env)
{
	enum err err;

	memset(env, 0, sizeof(*env));
	env->channels = channels;
	if (!req->clinic->portal_module) {
		problem_send(req, "module_missing", "The clinic lacks the Patient "
		    "Portal module; nobody can be invited.");
		return false;
	}
	if ((err = db_settings_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &env->settings)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	if (!env->settings.enabled) {
		problem_send(req, "portal_disabled", "The Patient Portal is "
		    "switched off; switch it on in the portal settings first.");
		return false;
	}
	if (env->settings.code == NULL) {
		problem_send(req, "code_required", "The portal has no code, so "
		    "there is no link to send.");
		return false;
	}
	env->template_id[CH_SMS] = env->settings.sms_template_id;
	env->template_id[CH_EMAIL] = env->settings.email_template_id;
	for (int c = 0; c < CH__MAX; c++)
		if ((channels & (1u << c)) && env->template_id[c] == NULL) {
			problem_send(req, "template_missing", c == CH_SMS ?
			    "No SMS invitation template is chosen in the portal "
			    "settings." : "No email invitation template is chosen "
			    "in the portal settings.");
			return false;
		}
	return true;
}

/* The contact a channel needs, NULL when the patient lacks it. */
static const char *
contact_for(const struct db_patient *p, int c)
{
	return c == CH_SMS ? p->phone : p->email;
}

/* Why channel c cannot reach p, as a problem or skip code: NULL when it
 * can, "contact_missing" when p has no contact for it, "not_mobile" when
 * the phone on file takes no SMS (a landline, kept for calls). */
static const char *
channel_unusable(const struct db_patient *p, int c)
{
	if (contact_for(p, c) == NULL)
		return "contact_missing";
	if (c == CH_SMS && !contact_phone_sms_capable(p->phone))
		return "not_mobile";
	return NULL;
}

/* A warning that the template lacked the patient's language. */
static struct json_object *
fallback_warning(struct request *req, const struct db_patient *p, int c,
    const char *sent_in)
{
	struct json_object *w = json_object_new_object();
	bool en = strcmp(sent_in, "en") == 0;

	if (w == NULL)
		return NULL;
	json_add_string(w, "code", "template_language_fallback");
	json_add_string(w, "message", arena_printf(req->arena, "The %s template "
	    "has no %s text; %s %s was sent in %s.", channel_names[c],
	    en ? "Turkish" : "English", p->first_name, p->last_name,
	    en ? "English" : "Turkish"));
	json_add_string(w, "channel", channel_names[c]);
	json_add_string(w, "patient_id", p->id);
	return w;
}

/* Queues one invitation per channel of mask for p; appends the
 * deliveries and warnings, and audits it. */
static enum err
invite_one(struct request *req, const struct invite_env *env,
    const struct db_patient *p, unsigned mask, struct json_object *deliveries,
    struct json_object *warnings)
{
	struct json_object *after = json_arena_own(req->arena,
	    json_object_new_object()), *ids = json_object_new_array();
	enum err err = ERR_OK;

	if (after == NULL || ids == NULL || json_add(after, "deliveries",
	    ids) != 0) {
		if (after == NULL)
			json_object_put(ids);
		return ERR_NOMEM;
	}
	for (int c = 0; c < CH__MAX && err == ERR_OK; c++) {
		struct db_compose m = {
			.purpose = "portal_invitation",
			.patient_id = p->id,
			.channel = channel_names[c],
			.recipient = contact_for(p, c),
			.template_id = env->template_id[c],
			.base_url = req->ctx->conf->public_url,
			.created_by_type = req->actor.kind == ACTOR_API_KEY ?
			    "api_key" : "staff",
			.created_by_id = req->actor.id,
		};
		struct db_composed out;

		if (!(mask & (1u << c)))
			continue;
		if ((err = db_outbox_compose(req->ctx->db, req->arena, &m,
		    &out)) != ERR_OK)
			break;
		/* The settings' template exists (a foreign key holds it) and
		 * the contact was checked: anything else is a fault. */
		if (out.outcome != DB_COMPOSED) {
			err = ERR_DB;
			break;
		}
		if (out.language_fallback && warnings != NULL)
			json_object_array_add(warnings, fallback_warning(req, p, c,
			    out.delivery.locale));
		json_object_array_add(deliveries, delivery_json(&out.delivery));
		json_object_array_add(ids, json_object_new_string(out.delivery.id));
	}
	if (err == ERR_OK)
		err = audit_record(req, "patient.invite", "patient", p->id, NULL,
		    after);
	return err;
}

/*
 * POST /api/v1/clinic/patients/{id}/invitations {channels}: 201
 * {deliveries, warnings}. Refused as a whole when the portal cannot be
 * reached (409 module_missing, portal_disabled, template_missing; 422
 * code_required), 404 for another clinic's patient, 409 portal_access_off,
 * 422 contact_missing naming channels when the patient lacks what a
 * channel needs, 422 not_mobile naming channels when the only trouble is
 * SMS to a phone that takes none (a landline), 422 validation_failed for
 * a bad body.
 */
void
handle_patient_invite(struct request *req)
{
	static const char *const fields[] = { "channels", NULL };
	struct problem_list *pl;
	struct invite_env env;
	struct db_patient p;
	struct json_object *body, *deliveries, *warnings;
	struct vobj in;
	unsigned channels;
	bool missing = false;
	enum err err;

	if (!v_body(req, &in, fields))
		return;
	channels = channels_read(&in);
	if (!v_ok(req) || !invite_env_load(req, channels, &env))
		return;
	if ((err = db_patient_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), false,
	    &p)) != ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	if (!p.portal_access) {
		problem_send(req, "portal_access_off", "This patient's portal "
		    "access is off; switch it on to invite them.");
		return;
	}
	pl = problem_list_new(req);
	for (int c = 0; pl != NULL && c < CH__MAX; c++) {
		const char *why = (channels & (1u << c)) ?
		    channel_unusable(&p, c) : NULL;

		if (why == NULL)
			continue;
		if (strcmp(why, "not_mobile") == 0) {
			problem_list_add(pl, "channels", "The patient's phone "
			    "number cannot receive SMS (it is a landline or "
			    "similar).");
			continue;
		}
		missing = true;
		problem_list_add(pl, "channels", c == CH_SMS ?
		    "The patient has no phone number on file for SMS." :
		    "The patient has no email address on file.");
	}
	if (pl == NULL || problem_list_count(pl) > 0) {
		if (pl == NULL)
			problem_send_err(req, ERR_NOMEM, NULL);
		else if (missing)
			problem_list_send_as(req, pl, "contact_missing", "Add the "
			    "contact to the patient, or choose another channel.");
		else
			problem_list_send_as(req, pl, "not_mobile", "SMS needs a "
			    "mobile number: add one to the patient, or invite "
			    "by email.");
		return;
	}
	body = json_arena_own(req->arena, json_object_new_object());
	deliveries = json_object_new_array();
	warnings = json_object_new_array();
	if (body == NULL || json_add(body, "deliveries", deliveries) != 0 ||
	    json_add(body, "warnings", warnings) != 0) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if ((err = invite_one(req, &env, &p, channels, deliveries,
	    warnings)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 201, json_object_get(body));
}

/* The ids of a bulk request: patient_ids (1 to 500, each once) into *ids
 * and *n, or previous_code into *previous_code; problems otherwise. */
static void
bulk_ids(struct request *req, struct vobj *in, const char **previous_code,
    const char ***ids, int *n)
{
	struct varr arr;
	enum v_got got = v_array(in, "patient_ids", BULK_MAX, 0, &arr);
	enum v_got prev = v_text(in, "previous_code", V_LINE(CODE_MAX_CHARS), 0,
	    previous_code);

	if ((got == V_ABSENT) == (prev == V_ABSENT)) {
		v_problem(in, "patient_ids", "Give either patient_ids or "
		    "previous_code.");
		return;
	}
	if (got != V_SET)
		return;
	if (arr.count == 0) {
		v_problem(in, "patient_ids", "From 1 to 500 patient ids.");
		return;
	}
	if ((*ids = arena_calloc(req->arena, arr.count, sizeof(**ids))) == NULL) {
		v_problem(in, "patient_ids", "The server is short of memory.");
		return;
	}
	*n = (int)arr.count;
	for (size_t i = 0; i < arr.count; i++) {
		if (v_item_uuid(&arr, i, &(*ids)[i]) != V_SET)
			return;
		for (size_t j = 0; j < i; j++)
			if (strcmp((*ids)[j], (*ids)[i]) == 0) {
				v_problem(in, "patient_ids", "Each patient once.");
				return;
			}
	}
}

static struct json_object *
small_problem(const char *code, const char *detail)
{
	struct json_object *o = json_object_new_object();

	json_add_string(o, "code", code);
	json_add_string(o, "detail", detail);
	return o;
}

/*
 * POST /api/v1/clinic/invitations {patient_ids | previous_code, channels}:
 * 200 {invited, skipped, results, warnings}: each patient is invited on
 * the channels it has a usable contact for; the others are said per
 * patient and channel (skipped_channels: contact_missing, or not_mobile
 * for SMS to a phone that takes none), and a patient reached on none has
 * a problem (not_found, portal_access_off, contact_missing, not_mobile).
 * The portal-level refusals as for one patient; 422 for a bad body.
 */
void
handle_invitations_bulk(struct request *req)
{
	static const char *const fields[] = { "patient_ids", "previous_code",
	    "channels", NULL };
	struct invite_env env;
	struct json_object *body, *results, *warnings;
	const char **ids = NULL, *previous_code = NULL;
	struct vobj in;
	unsigned channels;
	int n = 0;
	long invited = 0, skipped = 0;
	enum err err;

	if (!v_body(req, &in, fields))
		return;
	channels = channels_read(&in);
	bulk_ids(req, &in, &previous_code, &ids, &n);
	if (!v_ok(req) || !invite_env_load(req, channels, &env))
		return;
	if (previous_code != NULL && (err = db_invited_under(req->ctx->db,
	    req->arena, req->actor.clinic_id, previous_code, env.settings.code,
	    BULK_MAX, &ids, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	body = json_arena_own(req->arena, json_object_new_object());
	results = json_object_new_array();
	warnings = json_object_new_array();
	if (body == NULL || json_add(body, "results", results) != 0 ||
	    json_add(body, "warnings", warnings) != 0) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct json_object *r = json_object_new_object(),
		    *deliveries = json_object_new_array(),
		    *skips = json_object_new_array(), *problem = NULL;
		struct db_patient p;
		unsigned mask = 0;

		json_add_string(r, "patient_id", ids[i]);
		json_add(r, "deliveries", deliveries);
		json_add(r, "skipped_channels", skips);
		json_object_array_add(results, r);
		err = db_patient_get(req->ctx->db, req->arena,
		    req->actor.clinic_id, ids[i], false, &p);
		if (err == ERR_NOT_FOUND) {
			problem = small_problem("not_found", "No such patient.");
		} else if (err != ERR_OK) {
			problem_send_err(req, err, NULL);
			return;
		} else if (!p.portal_access) {
			problem = small_problem("portal_access_off", "The patient's "
			    "portal access is off.");
		} else {
			bool missing = false;

			for (int c = 0; c < CH__MAX; c++) {
				struct json_object *s;
				const char *why;

				if (!(channels & (1u << c)))
					continue;
				if ((why = channel_unusable(&p, c)) == NULL) {
					mask |= 1u << c;
					continue;
				}
				missing |= strcmp(why, "contact_missing") == 0;
				s = json_object_new_object();
				json_add_string(s, "channel", channel_names[c]);
				json_add_string(s, "code", why);
				json_object_array_add(skips, s);
			}
			if (mask == 0)
				problem = missing ? small_problem(
				    "contact_missing", "The patient has no "
				    "contact for the channels chosen.") :
				    small_problem("not_mobile", "The patient's "
				    "phone number cannot receive SMS (it is a "
				    "landline or similar).");
		}
		json_add(r, "problem", problem);
		if (problem != NULL) {
			skipped++;
			continue;
		}
		if ((err = invite_one(req, &env, &p, mask, deliveries,
		    warnings)) != ERR_OK) {
			problem_send_err(req, err, NULL);
			return;
		}
		invited++;
	}
	json_add_int(body, "invited", invited);
	json_add_int(body, "skipped", skipped);
	resp_json(req, 200, json_object_get(body));
}

/* Where the latest invitation stands: the best state among the messages
 * of the newest invitation (they share created_at). */
static const char *
invitation_status(const struct db_delivery *d, int n)
{
	static const char *const order[] = { "sent", "sending", "queued",
	    "failed", "dead" };

	if (n == 0)
		return "none";
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (int i = 0; i < n && strcmp(d[i].created_at,
		    d[0].created_at) == 0; i++)
			if (strcmp(d[i].status, order[k]) == 0)
				return order[k];
	return d[0].status;
}

/* GET /api/v1/clinic/patients/{id}/invitations: {status,
 * first_signed_in_at, items}; 404 for another clinic's patient. */
void
handle_patient_invitations(struct request *req)
{
	struct db_delivery *d = NULL;
	const char *first = NULL;
	struct json_object *body, *items;
	int n = 0;
	enum err err;

	if ((err = db_invitations_of(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), &d, &n,
	    &first)) != ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++)
		json_object_array_add(items, delivery_json(&d[i]));
	json_add_string(body, "status", first != NULL ? "signed_in" :
	    invitation_status(d, n));
	json_add_string(body, "first_signed_in_at", first);
	json_add(body, "items", items);
	resp_json(req, 200, body);
}

/* GET /api/v1/clinic/deliveries?status=&channel=&purpose=&patient_id=
 * &cursor=&limit=: {items, next_cursor}, newest first; 422 naming a
 * filter value that is not one it takes. */
void
handle_deliveries_list(struct request *req)
{
	static const char *const statuses[] = { "queued", "sending", "failed",
	    "sent", "dead", NULL };
	struct db_delivery_filter f;
	struct db_delivery *d = NULL;
	struct v_page page;
	int n = 0;
	enum err err;

	memset(&f, 0, sizeof(f));
	q_enum(req, "status", statuses, 0, &f.status);
	q_enum(req, "channel", channel_names, 0, &f.channel);
	q_enum(req, "purpose", msg_purpose_names(), 0, &f.purpose);
	q_uuid(req, "patient_id", 0, &f.patient_id);
	q_page(req, db_delivery_cursor_ok, &page);
	if (!v_ok(req))
		return;
	if ((err = db_delivery_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, &f, page.cursor, page.limit + 1, &d,
	    &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(d, sizeof(*d), n, page.limit,
	    delivery_item, NULL, delivery_cursor));
}

/* GET /api/v1/clinic/deliveries/{id}: 404 for another clinic's. */
void
handle_delivery_get(struct request *req)
{
	struct db_delivery d;
	enum err err;

	if ((err = db_delivery_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"),
	    &d)) != ERR_OK) {
		problem_send_err(req, err, "delivery");
		return;
	}
	resp_json(req, 200, delivery_json(&d));
}

/* POST /api/v1/clinic/deliveries/{id}/retry: a dead message is queued
 * again (200); 409 for any other, and for a secret one (its text is
 * gone); 404 for another clinic's. */
void
handle_delivery_retry(struct request *req)
{
	struct db_delivery d;
	struct json_object *after;
	enum err err;

	err = db_delivery_retry(req->ctx->db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), &d);
	if (err == ERR_CONFLICT) {
		problem_send(req, "conflict", "Only a dead message can be sent "
		    "again, and never one that carried a code.");
		return;
	}
	if (err != ERR_OK ||
	    (after = json_arena_own(req->arena, delivery_json(&d))) == NULL ||
	    (err = audit_record(req, "delivery.retry", "delivery", d.id, NULL,
	    NULL)) != ERR_OK) {
		problem_send_err(req, err != ERR_OK ? err : ERR_NOMEM, "delivery");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}
