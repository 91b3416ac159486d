/*
 * settings_api.c - the clinic's portal: modules and payment
 * infrastructure, the permission catalog and presets, code checks, the
 * portal settings (GET/PUT with ETag and warnings), and the public clinic
 * card at /api/v1/portal/{code}/.
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
#include "log.h"
#include "permissions.h"
#include "portal_settings.h"
#include "portal_http.h"
#include "problem.h"
#include "routes.h"
#include "str.h"

/* Answers the problem for err after rolling back; for handler exits. */
static void
fail(struct request *req, enum err err)
{
	db_rollback(req->ctx->db);
	problem_send(req, problem_code_for_err(err), NULL);
}

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

/* GET /api/v1/clinic/modules: {patient_portal, payment_infrastructure}. */
void
handle_modules(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_clinic c;
	struct json_object *body, *pay;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_clinic_get(db, req->arena, req->actor.clinic_id, &c)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	body = json_object_new_object();
	pay = json_object_new_object();
	if (body == NULL || pay == NULL) {
		json_object_put(body);
		json_object_put(pay);
		resp_json(req, 200, NULL);
		return;
	}
	json_add_bool(body, "patient_portal", c.portal_module);
	json_add_string(pay, "provider", c.payment_provider);
	json_add_bool(pay, "active", c.payment_active);
	json_add(body, "payment_infrastructure", pay);
	resp_json(req, 200, body);
}

/* PUT /api/v1/clinic/payment-infrastructure {provider, active} (owner). */
void
handle_payment_put(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl = problem_list_new(req);
	struct json_object *provider, *active, *after;
	enum err err;

	if (req->json == NULL || !json_object_is_type(req->json, json_type_object) ||
	    !json_object_object_get_ex(req->json, "provider", &provider) ||
	    !json_object_is_type(provider, json_type_string) ||
	    json_object_get_string_len(provider) < 1 ||
	    json_object_get_string_len(provider) > 100)
		problem_list_add(pl, "provider", "Required: the provider's name, "
		    "1 to 100 characters.");
	if (req->json == NULL || !json_object_object_get_ex(req->json, "active", &active) ||
	    !json_object_is_type(active, json_type_boolean))
		problem_list_add(pl, "active", "Required: true or false.");
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	after = json_arena_own(req->arena, json_object_new_object());
	json_add_string(after, "provider", json_object_get_string(provider));
	json_add_bool(after, "active", json_object_get_boolean(active));
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_payment_put(db, req->actor.clinic_id,
	    json_object_get_string(provider), json_object_get_boolean(active))) != ERR_OK ||
	    (err = audit_record(req, "payment_infrastructure.update", "clinic",
	    req->actor.clinic_id, NULL, after)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* GET /api/v1/clinic/portal/permissions: the catalog in its groups. */
void
handle_permission_catalog(struct request *req)
{
	struct json_object *groups = json_object_new_array();

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
	{
		struct json_object *body = json_object_new_object();

		json_add(body, "groups", groups);
		resp_json(req, 200, body);
	}
}

/* GET /api/v1/clinic/portal/presets. */
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

/* Does code look like personal data: a phone-like run of digits, or the
 * first and last name of one of the clinic's patients? Call inside the
 * clinic's transaction. */
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
 * message, warnings}. */
void
handle_code_check(struct request *req)
{
	const char *code = req_query(req, "code"), *message = NULL, *refusal;
	struct portal_warning w[WARNINGS__MAX];
	struct settings_facts facts;
	struct json_object *body;
	bool personal = false;
	size_t nw;

	if (code == NULL || strlen(code) > 200) {
		struct problem_list *pl = problem_list_new(req);

		problem_list_add(pl, "code", "Give the code to check (?code=).");
		problem_list_send(req, pl, NULL);
		return;
	}
	refusal = code_refusal(req, code, &message);
	if (refusal != NULL && strcmp(refusal, "unavailable") == 0) {
		problem_send(req, "unavailable", message);
		return;
	}
	if (refusal == NULL || strcmp(refusal, "code_invalid") != 0) {
		enum err err;

		if ((err = db_begin_clinic(req->ctx->db, req->actor.clinic_id)) != ERR_OK ||
		    (err = code_looks_personal(req, code, &personal)) != ERR_OK ||
		    (err = db_commit(req->ctx->db)) != ERR_OK) {
			fail(req, err);
			return;
		}
	}
	/* The code's own warning, said as the settings would say it. */
	memset(&facts, 0, sizeof(facts));
	facts.code_personal = personal;
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
	struct db *db = req->ctx->db;
	struct db_portal_settings s;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_settings_get(db, req->arena, req->actor.clinic_id, false,
	    &s)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	resp_header(req, "ETag", etag(req, s.version));
	resp_json(req, 200, settings_json(&s));
}

/* Reads an optional id field (uuid or null); the field itself must be
 * present. */
static const char *
id_field(struct request *req, struct problem_list *pl, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req->json, key, &v)) {
		problem_list_add(pl, key, "Required (null for none).");
		return NULL;
	}
	if (v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_string) ||
	    !str_is_uuid(json_object_get_string(v))) {
		problem_list_add(pl, key, "Must be an id or null.");
		return NULL;
	}
	return arena_strdup(req->arena, json_object_get_string(v));
}

/* Reads a list of permission keys into *set; unknown keys and wrong types
 * are reported, duplicates ignored. */
bool
perm_set_from_json(struct request *req, struct json_object *arr,
    struct problem_list *pl, const char *field, perm_set *set)
{
	size_t n;

	*set = 0;
	if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
		problem_list_add(pl, field, "Must be a list of permission keys.");
		return false;
	}
	n = json_object_array_length(arr);
	if (n > 100) {
		problem_list_add(pl, field, "Too many entries.");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *k = json_object_array_get_idx(arr, i);
		int p = json_object_is_type(k, json_type_string) ?
		    perm_from_key(json_object_get_string(k)) : -1;

		if (p < 0) {
			problem_list_add(pl, field, k != NULL &&
			    json_object_is_type(k, json_type_string) ?
			    arena_printf(req->arena, "Unknown permission '%.60s'.",
			    json_object_get_string(k)) :
			    "Entries must be permission keys.");
			return false;
		}
		*set |= PERM_BIT(p);
	}
	return true;
}

/*
 * PUT /api/v1/clinic/portal/settings (owner, admin): the whole body,
 * saved in one transaction. 200 {settings, warnings} with the new ETag;
 * 409 module_missing; 412 precondition_failed on a stale If-Match; 422
 * validation_failed, code_required, code_invalid, code_reserved; 409
 * code_taken, code_retired.
 */
void
handle_settings_put(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl = problem_list_new(req);
	struct db_portal_settings old, next;
	struct db_clinic clinic;
	struct portal_warning warnings[WARNINGS__MAX];
	struct settings_facts facts;
	struct json_object *v, *before, *after, *body;
	const char *if_match, *refusal, *message = NULL;
	size_t nw;
	enum err err;

	memset(&next, 0, sizeof(next));
	memset(&facts, 0, sizeof(facts));
	if (!req_json_object(req))
		return;
	if (!json_object_object_get_ex(req->json, "enabled", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		problem_list_add(pl, "enabled", "Required: true or false.");
	else
		next.enabled = json_object_get_boolean(v);
	if (!json_object_object_get_ex(req->json, "code", &v))
		problem_list_add(pl, "code", "Required (null for none).");
	else if (v != NULL && !json_object_is_type(v, json_type_string))
		problem_list_add(pl, "code", "Must be a string or null.");
	else if (v != NULL && json_object_get_string_len(v) > 0)
		next.code = arena_strdup(req->arena, json_object_get_string(v));
	if (!json_object_object_get_ex(req->json, "permissions", &v))
		problem_list_add(pl, "permissions", "Required.");
	else
		perm_set_from_json(req, v, pl, "permissions", &next.permissions);
	next.sms_template_id = id_field(req, pl, "sms_template_id");
	next.email_template_id = id_field(req, pl, "email_template_id");
	next.upload_reviewer_id = id_field(req, pl, "upload_reviewer_id");
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if (next.enabled && next.code == NULL) {
		problem_send(req, "code_required",
		    "Choose a portal code before enabling the portal.");
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_clinic_get(db, req->arena, req->actor.clinic_id,
	    &clinic)) != ERR_OK ||
	    (err = db_settings_get(db, req->arena, req->actor.clinic_id, true,
	    &old)) != ERR_OK) {
		fail(req, err);
		return;
	}
	if (!clinic.portal_module) {
		db_rollback(db);
		problem_send(req, "module_missing", "The clinic has not purchased "
		    "the Patient Portal module.");
		return;
	}
	if_match = req_header(req, "HTTP_IF_MATCH");
	/* nginx weakens the tag when it compresses the answer ("W/\"3\""),
	 * and a weak tag names the same version here. */
	if (if_match != NULL && strncmp(if_match, "W/", 2) == 0)
		if_match += 2;
	if (if_match != NULL && strcmp(if_match, "*") != 0 &&
	    strcmp(if_match, etag(req, old.version)) != 0) {
		db_rollback(db);
		resp_header(req, "ETag", etag(req, old.version));
		problem_send(req, "precondition_failed", "Someone saved the "
		    "settings since you loaded them; reload and try again.");
		return;
	}
	if (next.code != NULL &&
	    (refusal = code_refusal(req, next.code, &message)) != NULL) {
		db_rollback(db);
		problem_send(req, refusal, message);
		return;
	}
	/* The invitation templates: the clinic's own, of the right channel
	 * and purpose; and which of the clinic's languages each one lacks. */
	facts.sms_missing_tr = facts.sms_missing_en = false;
	facts.email_missing_tr = facts.email_missing_en = false;
	for (int ch = 0; ch < 2; ch++) {
		const char *id = ch == 0 ? next.sms_template_id : next.email_template_id;
		const char *field = ch == 0 ? "sms_template_id" : "email_template_id";
		struct db_template tpl;

		if (id == NULL)
			continue;
		err = db_template_get(db, req->arena, req->actor.clinic_id, id, &tpl);
		if (err == ERR_NOT_FOUND || (err == ERR_OK &&
		    (strcmp(tpl.channel, ch == 0 ? "sms" : "email") != 0 ||
		    strcmp(tpl.purpose, "portal_invitation") != 0))) {
			db_rollback(db);
			problem_list_add(pl, field, ch == 0 ?
			    "Choose one of the clinic's SMS invitation templates." :
			    "Choose one of the clinic's email invitation templates.");
			problem_list_send(req, pl, NULL);
			return;
		}
		if (err != ERR_OK) {
			fail(req, err);
			return;
		}
		if (ch == 0) {
			facts.sms_missing_tr = clinic.lang_tr && tpl.body[LANG_TR] == NULL;
			facts.sms_missing_en = clinic.lang_en && tpl.body[LANG_EN] == NULL;
		} else {
			facts.email_missing_tr = clinic.lang_tr && tpl.body[LANG_TR] == NULL;
			facts.email_missing_en = clinic.lang_en && tpl.body[LANG_EN] == NULL;
		}
	}
	facts.code_changed = old.code != NULL &&
	    (next.code == NULL || strcmp(old.code, next.code) != 0);
	if ((next.code == NULL) != (old.code == NULL) || facts.code_changed) {
		err = db_code_switch(db, req->actor.clinic_id, next.code);
		if (err == ERR_CONFLICT) {
			db_rollback(db);
			problem_send(req, "code_taken", "Another clinic uses this code.");
			return;
		}
		if (err != ERR_OK) {
			fail(req, err);
			return;
		}
	}
	err = db_settings_update(db, req->actor.clinic_id, &next);
	if (err == ERR_INVALID) {
		db_rollback(db);
		problem_list_add(pl, "upload_reviewer_id",
		    "No such member of staff in this clinic.");
		problem_list_send(req, pl, NULL);
		return;
	}
	next.version = old.version + 1;
	before = json_arena_own(req->arena, settings_json(&old));
	after = json_arena_own(req->arena, settings_json(&next));
	facts.code_personal = false;
	if (err == ERR_OK && next.code != NULL)
		err = code_looks_personal(req, next.code, &facts.code_personal);
	facts.invited_under_old_code = 0;
	if (err == ERR_OK && facts.code_changed) {
		facts.old_code = old.code;
		err = db_invited_count(db, req->actor.clinic_id, old.code,
		    &facts.invited_under_old_code);
	}
	if (err != ERR_OK || (err = audit_record(req, "portal.settings.update",
	    "portal_settings", req->actor.clinic_id, before, after)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	facts.permissions = next.permissions;
	facts.payment_active = clinic.payment_active;
	facts.has_reviewer = next.upload_reviewer_id != NULL;

	nw = portal_settings_warnings(&facts, warnings);
	body = json_object_new_object();
	json_add(body, "settings", json_object_get(after));
	json_add(body, "warnings", portal_warnings_json(warnings, nw));
	resp_header(req, "ETag", etag(req, next.version));
	resp_json(req, 200, body);
}

/*
 * GET /api/v1/portal/{code}/: the public clinic card {name, languages,
 * default_language, actions}. 404 portal_not_found alike for an unknown,
 * retired or disabled code, and for a clinic without the module.
 */
void
handle_public_card(struct request *req)
{
	const struct db_clinic *c;
	struct json_object *body, *langs;
	enum err err;

	if (!portal_open(req))
		return;
	if ((err = db_commit(req->ctx->db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	c = &req->portal->clinic;
	body = json_object_new_object();
	langs = json_object_new_array();
	if (c->lang_tr)
		json_object_array_add(langs, json_object_new_string("tr"));
	if (c->lang_en)
		json_object_array_add(langs, json_object_new_string("en"));
	json_add_string(body, "code", req->portal->code);
	json_add_string(body, "name", c->name);
	json_add(body, "languages", langs);
	json_add_string(body, "default_language", c->default_language);
	json_add(body, "actions", perm_set_json(req->portal->settings.permissions));
	resp_header(req, "Cache-Control", "no-cache");
	resp_json(req, 200, body);
}
