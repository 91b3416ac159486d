/*
 * templates_api.c - the clinic's message templates: list, read, create,
 * replace, delete (owner and admin change them), and the SMS measure the
 * editor shows as the clinic types.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "db.h"
#include "db_clinic.h"
#include "db_templates.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"
#include "str.h"
#include "templates.h"

#define SMS_BODY_MAX 1000
#define EMAIL_BODY_MAX 20000
#define SUBJECT_MAX 200

static const char *const lang_keys[LANG__MAX] = { "tr", "en" };
static const char *const purposes[] = { "portal_invitation", "sign_in_code",
    "contact_change_code", "appointment_confirmation",
    "appointment_cancellation", NULL };

static void
fail(struct request *req, enum err err, const char *what)
{
	db_rollback(req->ctx->db);
	problem_send(req, err == ERR_NOT_FOUND ? "not_found" :
	    problem_code_for_err(err), err == ERR_NOT_FOUND ? what : NULL);
}

/* Sample values an SMS estimate is made with: the clinic's own name and
 * address, and short ASCII stand-ins for the patient's. */
static void
sample_values(struct request *req, const struct db_clinic *c,
    const char *code, struct tpl_values *v)
{
	memset(v, 0, sizeof(*v));
	v->values[PH_CODE] = code ? code : "clinic-code";
	v->values[PH_PORTAL_URL] = arena_printf(req->arena, "%s/%s",
	    c->public_url ? c->public_url : req->ctx->conf->public_url,
	    v->values[PH_CODE]);
	v->values[PH_PATIENT_FIRST_NAME] = "Ali";
	v->values[PH_CLINIC_NAME] = c->name;
	v->values[PH_OTP] = "123456";
	v->values[PH_APPOINTMENT_START] = "01.12.2026 10:30";
	v->values[PH_PRACTITIONER_NAME] = "Dr. Deniz Aydın";
	v->values[PH_APPOINTMENT_TYPE] = "Check-up";
}

static struct json_object *
sms_json(const char *text)
{
	struct sms_info info;
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	sms_measure(text, &info);
	json_add_string(o, "encoding", info.gsm7 ? "GSM-7" : "UCS-2");
	json_add_int(o, "characters", (int64_t)info.units);
	json_add_int(o, "segments", (int64_t)info.segments);
	return o;
}

static struct json_object *
template_json(struct request *req, const struct db_template *t,
    const struct tpl_values *samples)
{
	struct json_object *o = json_object_new_object(), *variants;
	bool sms = strcmp(t->channel, "sms") == 0;

	if (o == NULL)
		return NULL;
	variants = json_object_new_object();
	json_add_string(o, "id", t->id);
	json_add_string(o, "name", t->name);
	json_add_string(o, "channel", t->channel);
	json_add_string(o, "purpose", t->purpose);
	for (int l = 0; l < LANG__MAX; l++) {
		struct json_object *v;

		if (t->body[l] == NULL) {
			json_add(variants, lang_keys[l], NULL);
			continue;
		}
		v = json_object_new_object();
		if (!sms)
			json_add_string(v, "subject", t->subject[l]);
		json_add_string(v, "body", t->body[l]);
		if (sms) {
			const char *rendered = tpl_render(req->arena, t->body[l],
			    samples);

			json_add(v, "sms", sms_json(rendered ? rendered : t->body[l]));
		}
		json_add(variants, lang_keys[l], v);
	}
	json_add(o, "variants", variants);
	json_add_string(o, "created_at", t->created_at);
	json_add_string(o, "updated_at", t->updated_at);
	return o;
}

/* Loads what the SMS estimates need, and the portal settings (into s
 * when not NULL); inside the clinic's transaction. */
static enum err
load_samples(struct request *req, struct tpl_values *v,
    struct db_portal_settings *settings)
{
	struct db_clinic c;
	struct db_portal_settings own, *s = settings ? settings : &own;
	enum err err;

	if ((err = db_clinic_get(req->ctx->db, req->arena, req->actor.clinic_id,
	    &c)) != ERR_OK || (err = db_settings_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, s)) != ERR_OK)
		return err;
	sample_values(req, &c, s->code, v);
	return ERR_OK;
}

static bool
one_of(const char *s, const char *const *list)
{
	for (; s != NULL && *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *
field_name(struct request *req, int lang, const char *part)
{
	return arena_printf(req->arena, "variants.%s.%s", lang_keys[lang], part);
}

/* A text field: present, a string of 1..max characters. */
static const char *
text_of(struct json_object *v, size_t max, bool single_line,
    struct problem_list *pl, const char *field)
{
	const char *s;

	if (v == NULL || !json_object_is_type(v, json_type_string)) {
		problem_list_add(pl, field, "Required, as a string.");
		return NULL;
	}
	s = json_object_get_string(v);
	if (*s == '\0' || str_utf8_length(s) > max) {
		problem_list_add(pl, field, single_line ?
		    "Must be 1 to 200 characters." : "Must not be empty or too long.");
		return NULL;
	}
	if (single_line && strpbrk(s, "\r\n") != NULL) {
		problem_list_add(pl, field, "Must be a single line.");
		return NULL;
	}
	return s;
}

/* Checks the placeholders of one text against its purpose. */
static void
check_placeholders(struct request *req, const char *text, const char *purpose,
    bool is_body, struct problem_list *pl, const char *field)
{
	const char *bad = NULL;
	unsigned found = 0;
	bool appointment;

	if (!tpl_scan(req->arena, text, &found, &bad)) {
		problem_list_add(pl, field, arena_printf(req->arena,
		    "Unknown placeholder %s; use {{code}}, {{portal_url}}, "
		    "{{patient_first_name}}, {{clinic_name}}, {{otp}}, "
		    "{{appointment_start}}, {{practitioner_name}} or "
		    "{{appointment_type}}.", bad ? bad : "{{"));
		return;
	}
	appointment = strncmp(purpose, "appointment_", 12) == 0;
	if (!appointment && (found & (PH_BIT(PH_APPOINTMENT_START) |
	    PH_BIT(PH_PRACTITIONER_NAME) | PH_BIT(PH_APPOINTMENT_TYPE)))) {
		problem_list_add(pl, field, "{{appointment_start}}, "
		    "{{practitioner_name}} and {{appointment_type}} belong in "
		    "appointment templates only.");
		return;
	}
	if ((found & PH_BIT(PH_OTP)) && strcmp(purpose, "sign_in_code") != 0 &&
	    strcmp(purpose, "contact_change_code") != 0) {
		problem_list_add(pl, field, "{{otp}} belongs in sign-in code "
		    "templates only.");
		return;
	}
	if (!is_body)
		return;
	if (strcmp(purpose, "portal_invitation") == 0 &&
	    !(found & (PH_BIT(PH_CODE) | PH_BIT(PH_PORTAL_URL))))
		problem_list_add(pl, field, "An invitation must contain {{code}} "
		    "or {{portal_url}}, so the patient can reach the portal.");
	if ((strcmp(purpose, "sign_in_code") == 0 ||
	    strcmp(purpose, "contact_change_code") == 0) &&
	    !(found & PH_BIT(PH_OTP)))
		problem_list_add(pl, field, "A code message must contain {{otp}}.");
	if (appointment && !(found & PH_BIT(PH_APPOINTMENT_START)))
		problem_list_add(pl, field, "An appointment message must contain "
		    "{{appointment_start}}, so the patient knows when.");
}

/* Reads a template body (POST or PUT) into t; channel_fixed is the
 * stored channel for PUT (NULL for POST). */
static void
read_template(struct request *req, const char *channel_fixed,
    struct db_template *t, struct problem_list *pl)
{
	struct json_object *body = req->json, *v, *variants;
	bool sms;
	int present = 0;

	json_object_object_foreach(body, key, val) {
		(void)val;
		if (strcmp(key, "name") != 0 && strcmp(key, "channel") != 0 &&
		    strcmp(key, "purpose") != 0 && strcmp(key, "variants") != 0)
			problem_list_add(pl, arena_strdup(req->arena, key),
			    "Unknown field.");
	}
	json_object_object_get_ex(body, "name", &v);
	t->name = text_of(v, 100, true, pl, "name");
	if (!json_object_object_get_ex(body, "channel", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (strcmp(json_object_get_string(v), "sms") != 0 &&
	    strcmp(json_object_get_string(v), "email") != 0)) {
		problem_list_add(pl, "channel", "Must be \"sms\" or \"email\".");
		return;
	}
	t->channel = strcmp(json_object_get_string(v), "sms") == 0 ? "sms" : "email";
	if (channel_fixed != NULL && strcmp(channel_fixed, t->channel) != 0) {
		problem_list_add(pl, "channel", "A template's channel cannot change; "
		    "create a new template instead.");
		return;
	}
	sms = strcmp(t->channel, "sms") == 0;
	if (!json_object_object_get_ex(body, "purpose", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !one_of(json_object_get_string(v), purposes)) {
		problem_list_add(pl, "purpose", "Must be one of portal_invitation, "
		    "sign_in_code, contact_change_code, appointment_confirmation, "
		    "appointment_cancellation.");
		return;
	}
	t->purpose = arena_strdup(req->arena, json_object_get_string(v));
	if (!json_object_object_get_ex(body, "variants", &variants) ||
	    !json_object_is_type(variants, json_type_object)) {
		problem_list_add(pl, "variants", "Required: {tr: ..., en: ...}.");
		return;
	}
	json_object_object_foreach(variants, lkey, lval) {
		(void)lval;
		if (strcmp(lkey, "tr") != 0 && strcmp(lkey, "en") != 0)
			problem_list_add(pl, arena_printf(req->arena, "variants.%s",
			    lkey), "Languages are tr and en.");
	}
	for (int l = 0; l < LANG__MAX; l++) {
		struct json_object *variant = NULL, *part = NULL;

		if (!json_object_object_get_ex(variants, lang_keys[l], &variant) ||
		    variant == NULL)
			continue;
		present++;
		if (!json_object_is_type(variant, json_type_object)) {
			problem_list_add(pl, arena_printf(req->arena, "variants.%s",
			    lang_keys[l]), "Must be {body} (and subject for email) "
			    "or null.");
			continue;
		}
		json_object_object_get_ex(variant, "body", &part);
		t->body[l] = text_of(part, sms ? SMS_BODY_MAX : EMAIL_BODY_MAX,
		    false, pl, field_name(req, l, "body"));
		if (t->body[l] != NULL)
			check_placeholders(req, t->body[l], t->purpose, true, pl,
			    field_name(req, l, "body"));
		part = NULL;
		json_object_object_get_ex(variant, "subject", &part);
		if (sms) {
			if (part != NULL)
				problem_list_add(pl, field_name(req, l, "subject"),
				    "An SMS has no subject.");
			continue;
		}
		t->subject[l] = text_of(part, SUBJECT_MAX, true, pl,
		    field_name(req, l, "subject"));
		if (t->subject[l] != NULL)
			check_placeholders(req, t->subject[l], t->purpose, false,
			    pl, field_name(req, l, "subject"));
	}
	if (present == 0)
		problem_list_add(pl, "variants", "Give at least one language.");
}

/* GET /api/v1/clinic/templates?channel=&purpose=: {items, next_cursor}. */
void
handle_templates_list(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *channel = req_query(req, "channel"),
	    *purpose = req_query(req, "purpose");
	static const char *const channels[] = { "sms", "email", NULL };
	struct db_template *rows;
	struct tpl_values samples;
	struct json_object *body, *items;
	int n = 0;
	enum err err;

	if ((channel != NULL && !one_of(channel, channels)) ||
	    (purpose != NULL && !one_of(purpose, purposes))) {
		struct problem_list *pl = problem_list_new(req);

		problem_list_add(pl, channel != NULL && !one_of(channel, channels) ?
		    "channel" : "purpose", "Not a known value.");
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = load_samples(req, &samples, NULL)) != ERR_OK ||
	    (err = db_template_list(db, req->arena, req->actor.clinic_id, channel,
	    purpose, &rows, &n)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err, NULL);
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++)
		json_object_array_add(items, template_json(req, &rows[i], &samples));
	json_add(body, "items", items);
	json_add_string(body, "next_cursor", NULL);
	resp_json(req, 200, body);
}

/* GET /api/v1/clinic/templates/{id}. */
void
handle_template_get(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_template t;
	struct tpl_values samples;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = load_samples(req, &samples, NULL)) != ERR_OK ||
	    (err = db_template_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), &t)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err, "No such template.");
		return;
	}
	resp_json(req, 200, template_json(req, &t, &samples));
}

/* POST /api/v1/clinic/templates (owner, admin): 201. */
void
handle_template_create(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_template t;
	struct tpl_values samples;
	struct json_object *after;
	enum err err;

	if (!req_json_object(req))
		return;
	memset(&t, 0, sizeof(t));
	pl = problem_list_new(req);
	read_template(req, NULL, &t, pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = load_samples(req, &samples, NULL)) != ERR_OK ||
	    (err = db_template_create(db, req->arena, req->actor.clinic_id,
	    &t)) != ERR_OK ||
	    (after = json_arena_own(req->arena, template_json(req, &t,
	    &samples))) == NULL ||
	    (err = audit_record(req, "template.create", "template", t.id, NULL,
	    after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/templates/%s", t.id));
	resp_json(req, 201, json_object_get(after));
}

/* PUT /api/v1/clinic/templates/{id} (owner, admin): the whole template.
 * 409 when the portal settings use it and its purpose would change. */
void
handle_template_put(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_template old, t;
	struct db_portal_settings s;
	struct tpl_values samples;
	struct json_object *before, *after;
	enum err err;

	if (!req_json_object(req))
		return;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = load_samples(req, &samples, &s)) != ERR_OK ||
	    (err = db_template_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), &old)) != ERR_OK) {
		fail(req, err, "No such template.");
		return;
	}
	memset(&t, 0, sizeof(t));
	t.id = old.id;
	pl = problem_list_new(req);
	read_template(req, old.channel, &t, pl);
	if (problem_list_count(pl) > 0) {
		db_rollback(db);
		problem_list_send(req, pl, NULL);
		return;
	}
	if (strcmp(t.purpose, "portal_invitation") != 0 &&
	    ((s.sms_template_id && strcmp(s.sms_template_id, t.id) == 0) ||
	    (s.email_template_id && strcmp(s.email_template_id, t.id) == 0))) {
		db_rollback(db);
		problem_send(req, "conflict", "The portal settings use this "
		    "template for invitations; choose another there before "
		    "changing its purpose.");
		return;
	}
	before = json_arena_own(req->arena, template_json(req, &old, &samples));
	if ((err = db_template_update(db, req->arena, req->actor.clinic_id,
	    &t)) != ERR_OK ||
	    (after = json_arena_own(req->arena, template_json(req, &t,
	    &samples))) == NULL ||
	    (err = audit_record(req, "template.update", "template", t.id, before,
	    after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM, NULL);
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* DELETE /api/v1/clinic/templates/{id} (owner, admin): 204; 409 while
 * the portal settings use it. */
void
handle_template_delete(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *id = route_param(&req->params, "id");
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_template_delete(db, req->actor.clinic_id, id)) != ERR_OK ||
	    (err = audit_record(req, "template.delete", "template", id, NULL,
	    NULL)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		if (err == ERR_INVALID) {
			db_rollback(db);
			problem_send(req, "conflict", "The portal settings use this "
			    "template; choose another there first.");
			return;
		}
		fail(req, err, "No such template.");
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

/* GET /api/v1/clinic/templates/sms-measure?text=: {encoding, characters,
 * segments} of the text with sample values for its placeholders. */
void
handle_sms_measure(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *text = req_query(req, "text"), *bad = NULL, *rendered;
	struct tpl_values samples;
	unsigned found;
	enum err err;

	if (text == NULL || str_utf8_length(text) > SMS_BODY_MAX ||
	    !tpl_scan(req->arena, text, &found, &bad)) {
		struct problem_list *pl = problem_list_new(req);

		problem_list_add(pl, "text", bad != NULL ? arena_printf(req->arena,
		    "Unknown placeholder %s.", bad) :
		    "Give the text (at most 1000 characters).");
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = load_samples(req, &samples, NULL)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err, NULL);
		return;
	}
	rendered = tpl_render(req->arena, text, &samples);
	resp_json(req, 200, sms_json(rendered ? rendered : text));
}
