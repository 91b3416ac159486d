/*
 * invitations_api.c - inviting patients to the portal, one or many, the
 * invitation status of a patient, and the clinic's deliveries (the outbox
 * as the clinic sees it), with a retry for dead messages.
 *
 * An invitation renders the template the portal settings chose for the
 * channel, in the patient's language (the other one, with a warning, when
 * that variant is missing), and queues one outbox row per channel in the
 * transaction that records it; portal-notifier delivers it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "db.h"
#include "db_clinic.h"
#include "db_outbox.h"
#include "db_patients.h"
#include "db_templates.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"
#include "str.h"
#include "templates.h"

#define BULK_MAX 500

enum channel { CH_SMS, CH_EMAIL, CH__MAX };
static const char *const channel_names[CH__MAX] = { "sms", "email" };

static void
fail(struct request *req, enum err err, const char *what)
{
	db_rollback(req->ctx->db);
	problem_send(req, err == ERR_NOT_FOUND ? "not_found" :
	    problem_code_for_err(err), err == ERR_NOT_FOUND ? what : NULL);
}

static struct json_object *
delivery_json(const struct db_delivery *d)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", d->id);
	json_add_string(o, "patient_id", d->patient_id);
	json_add_string(o, "channel", d->channel);
	json_add_string(o, "purpose", d->purpose);
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

/* "channels": a non-empty array of distinct "sms" / "email"; a bit set. */
static unsigned
channels_parse(struct request *req, struct problem_list *pl)
{
	struct json_object *arr;
	unsigned set = 0;
	size_t n;

	if (!json_object_object_get_ex(req->json, "channels", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0 || n > CH__MAX) {
		problem_list_add(pl, "channels", "Name one or both of \"sms\" "
		    "and \"email\".");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		const char *s = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";
		int c = strcmp(s, "sms") == 0 ? CH_SMS :
		    strcmp(s, "email") == 0 ? CH_EMAIL : -1;

		if (c < 0 || (set & (1u << c))) {
			problem_list_add(pl, "channels", "Name one or both of "
			    "\"sms\" and \"email\", each once.");
			return 0;
		}
		set |= 1u << c;
	}
	return set;
}

/* What every invitation of one request shares. */
struct invite_env {
	struct db_clinic clinic;
	struct db_portal_settings settings;
	struct db_template tpl[CH__MAX];
	const char *portal_url;
	unsigned channels;
};

/*
 * Loads the clinic, its settings and the chosen templates, and checks the
 * portal-level conditions, answering the problem when one fails. Inside
 * the clinic's transaction.
 */
static bool
invite_env_load(struct request *req, unsigned channels, struct invite_env *env)
{
	struct db *db = req->ctx->db;
	const char *clinic_id = req->actor.clinic_id;
	enum err err;

	memset(env, 0, sizeof(*env));
	env->channels = channels;
	if ((err = db_clinic_get(db, req->arena, clinic_id,
	    &env->clinic)) != ERR_OK || (err = db_settings_get(db, req->arena,
	    clinic_id, false, &env->settings)) != ERR_OK) {
		fail(req, err, NULL);
		return false;
	}
	if (!env->clinic.portal_module) {
		db_rollback(db);
		problem_send(req, "module_missing", "The clinic lacks the Patient "
		    "Portal module; nobody can be invited.");
		return false;
	}
	if (!env->settings.enabled) {
		db_rollback(db);
		problem_send(req, "portal_disabled", "The Patient Portal is "
		    "switched off; switch it on in the portal settings first.");
		return false;
	}
	if (env->settings.code == NULL) {
		db_rollback(db);
		problem_send(req, "code_required", "The portal has no code, so "
		    "there is no link to send.");
		return false;
	}
	env->portal_url = arena_printf(req->arena, "%s/%s",
	    env->clinic.public_url ? env->clinic.public_url :
	    req->ctx->conf->public_url, env->settings.code);
	for (int c = 0; c < CH__MAX; c++) {
		const char *id = c == CH_SMS ? env->settings.sms_template_id :
		    env->settings.email_template_id;

		if (!(channels & (1u << c)))
			continue;
		if (id == NULL) {
			db_rollback(db);
			problem_send(req, "template_missing", c == CH_SMS ?
			    "No SMS invitation template is chosen in the portal "
			    "settings." : "No email invitation template is chosen "
			    "in the portal settings.");
			return false;
		}
		if ((err = db_template_get(db, req->arena, clinic_id, id,
		    &env->tpl[c])) != ERR_OK) {
			fail(req, err == ERR_NOT_FOUND ? ERR_DB : err, NULL);
			return false;
		}
	}
	return env->portal_url != NULL || (fail(req, ERR_NOMEM, NULL), false);
}

/* The start both invitation handlers share: the body's channels, the
 * clinic's transaction and invite_env_load(); false after answering. */
static bool
invite_begin(struct request *req, struct invite_env *env)
{
	struct problem_list *pl;
	unsigned channels;
	enum err err;

	if (!req_json_object(req))
		return false;
	pl = problem_list_new(req);
	channels = channels_parse(req, pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return false;
	}
	if ((err = db_begin_clinic(req->ctx->db, req->actor.clinic_id)) != ERR_OK) {
		fail(req, err, NULL);
		return false;
	}
	return invite_env_load(req, channels, env);
}

/* The contact a channel needs, NULL when the patient lacks it. */
static const char *
contact_for(const struct db_patient *p, int c)
{
	return c == CH_SMS ? p->phone : p->email;
}

/* Queues one invitation per channel of mask for p; appends the
 * deliveries and warnings. */
static enum err
invite_one(struct request *req, const struct invite_env *env,
    const struct db_patient *p, unsigned mask, struct json_object *deliveries,
    struct json_object *warnings)
{
	struct db *db = req->ctx->db;
	struct json_object *after = json_object_new_object(),
	    *ids = json_object_new_array();
	enum err err = ERR_OK;

	if (after == NULL || ids == NULL || json_add(after, "deliveries",
	    ids) != 0) {
		json_object_put(after);
		return ERR_NOMEM;
	}
	json_arena_own(req->arena, after);
	for (int c = 0; c < CH__MAX && err == ERR_OK; c++) {
		const struct db_template *t = &env->tpl[c];
		enum tpl_lang lang = strcmp(p->language, "en") == 0 ? LANG_EN :
		    LANG_TR;
		struct db_outbox_new m;
		struct db_delivery d;
		struct tpl_values v;

		if (!(mask & (1u << c)))
			continue;
		if (t->body[lang] == NULL) {
			lang = lang == LANG_EN ? LANG_TR : LANG_EN;
			if (warnings != NULL) {
				struct json_object *w = json_object_new_object();

				json_add_string(w, "code",
				    "template_language_fallback");
				json_add_string(w, "message", arena_printf(req->arena,
				    "The %s template has no %s text; %s %s was "
				    "sent in %s.", channel_names[c],
				    lang == LANG_EN ? "Turkish" : "English",
				    p->first_name, p->last_name,
				    lang == LANG_EN ? "English" : "Turkish"));
				json_add_string(w, "channel", channel_names[c]);
				json_add_string(w, "patient_id", p->id);
				json_object_array_add(warnings, w);
			}
		}
		memset(&v, 0, sizeof(v));
		v.values[PH_CODE] = env->settings.code;
		v.values[PH_PORTAL_URL] = env->portal_url;
		v.values[PH_PATIENT_FIRST_NAME] = p->first_name;
		v.values[PH_CLINIC_NAME] = env->clinic.name;
		memset(&m, 0, sizeof(m));
		m.patient_id = p->id;
		m.channel = channel_names[c];
		m.recipient = contact_for(p, c);
		m.purpose = "portal_invitation";
		m.locale = lang == LANG_EN ? "en" : "tr";
		m.sender_name = env->clinic.name;
		m.subject = t->subject[lang] ?
		    tpl_render(req->arena, t->subject[lang], &v) : NULL;
		m.body = tpl_render(req->arena, t->body[lang], &v);
		m.portal_code = env->settings.code;
		m.created_by_type = req->actor.kind == ACTOR_API_KEY ? "api_key" :
		    "staff";
		m.created_by_id = req->actor.id;
		if (m.body == NULL || (c == CH_EMAIL && m.subject == NULL)) {
			err = ERR_NOMEM;
			break;
		}
		if ((err = db_outbox_insert(db, req->arena, req->actor.clinic_id,
		    &m, &d)) != ERR_OK)
			break;
		json_object_array_add(deliveries, delivery_json(&d));
		json_object_array_add(ids, json_object_new_string(d.id));
	}
	if (err == ERR_OK)
		err = audit_record(req, "patient.invite", "patient", p->id, NULL,
		    after);
	return err;
}

/*
 * POST /api/v1/clinic/patients/{id}/invitations {channels}: 201
 * {deliveries, warnings}. Refused as a whole when the portal cannot be
 * reached or the patient lacks what a channel needs.
 */
void
handle_patient_invite(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct invite_env env;
	struct db_patient p;
	struct json_object *body, *deliveries, *warnings;
	unsigned channels;
	enum err err;

	if (!invite_begin(req, &env))
		return;
	channels = env.channels;
	if ((err = db_patient_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), false, &p)) != ERR_OK) {
		fail(req, err, "No such patient.");
		return;
	}
	pl = problem_list_new(req);
	if (!p.portal_access) {
		db_rollback(db);
		problem_send(req, "portal_access_off", "This patient's portal "
		    "access is off; switch it on to invite them.");
		return;
	}
	for (int c = 0; c < CH__MAX; c++)
		if ((channels & (1u << c)) && contact_for(&p, c) == NULL)
			problem_list_add(pl, "channels", c == CH_SMS ?
			    "The patient has no phone number on file for SMS." :
			    "The patient has no email address on file.");
	if (problem_list_count(pl) > 0) {
		db_rollback(db);
		problem_list_send_as(req, pl, "contact_missing", "Add the contact "
		    "to the patient, or choose another channel.");
		return;
	}
	body = json_arena_own(req->arena, json_object_new_object());
	deliveries = json_object_new_array();
	warnings = json_object_new_array();
	if (body == NULL || json_add(body, "deliveries", deliveries) != 0 ||
	    json_add(body, "warnings", warnings) != 0) {
		fail(req, ERR_NOMEM, NULL);
		return;
	}
	if ((err = invite_one(req, &env, &p, channels, deliveries,
	    warnings)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err, NULL);
		return;
	}
	resp_json(req, 201, json_object_get(body));
}

/* The ids of a bulk request: patient_ids, or those invited under
 * previous_code and not yet under the current one. */
static bool
bulk_ids(struct request *req, const struct invite_env *env,
    struct problem_list *pl, const char ***ids, int *n)
{
	struct json_object *arr, *prev;
	bool has_ids = json_object_object_get_ex(req->json, "patient_ids", &arr),
	    has_prev = json_object_object_get_ex(req->json, "previous_code", &prev);
	enum err err;

	if (has_ids == has_prev) {
		problem_list_add(pl, "patient_ids", "Give either patient_ids or "
		    "previous_code.");
		return false;
	}
	if (has_prev) {
		if (!json_object_is_type(prev, json_type_string) ||
		    json_object_get_string_len(prev) == 0 ||
		    json_object_get_string_len(prev) > 40) {
			problem_list_add(pl, "previous_code", "A portal code the "
			    "clinic used before.");
			return false;
		}
		err = db_invited_under(req->ctx->db, req->arena,
		    req->actor.clinic_id, json_object_get_string(prev),
		    env->settings.code, BULK_MAX, ids, n);
		if (err != ERR_OK) {
			fail(req, err, NULL);
			return false;
		}
		return true;
	}
	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) == 0 ||
	    json_object_array_length(arr) > BULK_MAX) {
		problem_list_add(pl, "patient_ids", "From 1 to 500 patient ids.");
		return false;
	}
	*n = (int)json_object_array_length(arr);
	*ids = arena_calloc(req->arena, (size_t)*n, sizeof(**ids));
	if (*ids == NULL) {
		fail(req, ERR_NOMEM, NULL);
		return false;
	}
	for (int i = 0; i < *n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, (size_t)i);

		if (!json_object_is_type(v, json_type_string) ||
		    !str_is_uuid(json_object_get_string(v))) {
			problem_list_add(pl, "patient_ids", "Each must be a "
			    "patient id.");
			return false;
		}
		(*ids)[i] = json_object_get_string(v);
		for (int j = 0; j < i; j++)
			if (strcmp((*ids)[j], (*ids)[i]) == 0) {
				problem_list_add(pl, "patient_ids", "Each patient "
				    "once.");
				return false;
			}
	}
	return true;
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
 * 200 {invited, skipped, results}: each patient is invited on the
 * channels it has a contact for; the others are said per patient.
 */
void
handle_invitations_bulk(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct invite_env env;
	struct json_object *body, *results, *warnings;
	const char **ids = NULL;
	unsigned channels;
	int n = 0;
	long invited = 0, skipped = 0;
	enum err err;

	if (!invite_begin(req, &env))
		return;
	channels = env.channels;
	pl = problem_list_new(req);
	if (!bulk_ids(req, &env, pl, &ids, &n)) {
		if (problem_list_count(pl) > 0) {
			db_rollback(db);
			problem_list_send(req, pl, NULL);
		}
		return;
	}
	body = json_arena_own(req->arena, json_object_new_object());
	results = json_object_new_array();
	warnings = json_object_new_array();
	if (body == NULL || json_add(body, "results", results) != 0 ||
	    json_add(body, "warnings", warnings) != 0) {
		fail(req, ERR_NOMEM, NULL);
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
		err = db_patient_get(db, req->arena, req->actor.clinic_id, ids[i],
		    false, &p);
		if (err == ERR_NOT_FOUND) {
			problem = small_problem("not_found", "No such patient.");
		} else if (err != ERR_OK) {
			fail(req, err, NULL);
			return;
		} else if (!p.portal_access) {
			problem = small_problem("portal_access_off", "The patient's "
			    "portal access is off.");
		} else {
			for (int c = 0; c < CH__MAX; c++) {
				if (!(channels & (1u << c)))
					continue;
				if (contact_for(&p, c) != NULL) {
					mask |= 1u << c;
					continue;
				}
				struct json_object *s = json_object_new_object();

				json_add_string(s, "channel", channel_names[c]);
				json_add_string(s, "code", "contact_missing");
				json_object_array_add(skips, s);
			}
			if (mask == 0)
				problem = small_problem("contact_missing", "The "
				    "patient has no contact for the channels "
				    "chosen.");
		}
		json_add(r, "problem", problem);
		if (problem != NULL) {
			skipped++;
			continue;
		}
		if ((err = invite_one(req, &env, &p, mask, deliveries,
		    warnings)) != ERR_OK) {
			fail(req, err, NULL);
			return;
		}
		invited++;
	}
	if ((err = db_commit(db)) != ERR_OK) {
		fail(req, err, NULL);
		return;
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
 * first_signed_in_at, items}. */
void
handle_patient_invitations(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_delivery *d = NULL;
	const char *first = NULL;
	struct json_object *body, *items;
	int n = 0;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_invitations_of(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), &d, &n, &first)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err, "No such patient.");
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	for (int i = 0; i < n; i++)
		json_object_array_add(items, delivery_json(&d[i]));
	json_add_string(body, "status", first != NULL ? "signed_in" :
	    invitation_status(d, n));
	json_add_string(body, "first_signed_in_at", first);
	json_add(body, "items", items);
	resp_json(req, 200, body);
}

/* A filter value among allowed ones; false after adding a problem. */
static bool
filter_param(struct request *req, const char *name,
    const char *const *allowed, struct problem_list *pl, const char **out)
{
	const char *v = req_query(req, name);

	*out = NULL;
	if (v == NULL)
		return true;
	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(v, allowed[i]) == 0) {
			*out = allowed[i];
			return true;
		}
	problem_list_add(pl, name, "Not one of the values this filter takes.");
	return false;
}

/* GET /api/v1/clinic/deliveries?status=&channel=&purpose=&patient_id=
 * &cursor=&limit=: {items, next_cursor}, newest first. */
void
handle_deliveries_list(struct request *req)
{
	static const char *const statuses[] = { "queued", "sending", "failed",
	    "sent", "dead", NULL };
	static const char *const channels[] = { "sms", "email", NULL };
	static const char *const purposes[] = { "portal_invitation",
	    "sign_in_code", "contact_change_code", "appointment_confirmation",
	    "appointment_cancellation", NULL };
	struct db *db = req->ctx->db;
	struct problem_list *pl = problem_list_new(req);
	struct db_delivery_filter f;
	struct db_delivery *d = NULL;
	struct json_object *body, *items;
	const char *cursor = req_query(req, "cursor");
	int limit, n = 0;
	enum err err;

	if (!req_limit(req, &limit))
		return;
	memset(&f, 0, sizeof(f));
	filter_param(req, "status", statuses, pl, &f.status);
	filter_param(req, "channel", channels, pl, &f.channel);
	filter_param(req, "purpose", purposes, pl, &f.purpose);
	f.patient_id = req_query(req, "patient_id");
	if (f.patient_id != NULL && !str_is_uuid(f.patient_id))
		problem_list_add(pl, "patient_id", "Must be a patient id.");
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_delivery_list(db, req->arena, req->actor.clinic_id, &f,
	    cursor, limit + 1, &d, &n)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		if (err == ERR_INVALID) {
			db_rollback(db);
			problem_list_add(pl, "cursor", "Not a cursor this list gave.");
			problem_list_send(req, pl, NULL);
			return;
		}
		fail(req, err, NULL);
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	for (int i = 0; i < n && i < limit; i++)
		json_object_array_add(items, delivery_json(&d[i]));
	json_add(body, "items", items);
	json_add_string(body, "next_cursor", n > limit ? d[limit - 1].cursor :
	    NULL);
	resp_json(req, 200, body);
}

/* GET /api/v1/clinic/deliveries/{id}. */
void
handle_delivery_get(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_delivery d;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_delivery_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), &d)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err, "No such delivery.");
		return;
	}
	resp_json(req, 200, delivery_json(&d));
}

/* POST /api/v1/clinic/deliveries/{id}/retry: a dead message is queued
 * again; 409 for any other, and for sign-in codes (their text is gone). */
void
handle_delivery_retry(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_delivery d;
	struct json_object *after;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK) {
		fail(req, err, NULL);
		return;
	}
	err = db_delivery_retry(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), &d);
	if (err == ERR_CONFLICT) {
		db_rollback(db);
		problem_send(req, "conflict", "Only a dead message can be sent "
		    "again, and never a sign-in code.");
		return;
	}
	if (err != ERR_OK ||
	    (after = json_arena_own(req->arena, delivery_json(&d))) == NULL ||
	    (err = audit_record(req, "delivery.retry", "delivery", d.id, NULL,
	    NULL)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM, "No such delivery.");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}
