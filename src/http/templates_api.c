/*
 * templates_api.c - the clinic's message templates: list, read, create,
 * replace, delete (owner and admin change them; the route table says so),
 * the purposes a template may have with their placeholders, the SMS
 * measure the editor shows as the clinic types, and a preview that renders
 * a text without saving it.
 *
 * Texts are checked here (templates.h: known placeholders the purpose
 * allows, {{otp}} in bodies only, what a body must hold) and rendered by
 * the database's one renderer (db_templates.h), with sample values under
 * the clinic's own (and a patient's, for a preview that names one).
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
#include "templates.h"
#include "valid.h"

#define NAME_MAX_CHARS 100
#define SMS_BODY_MAX 1000
#define EMAIL_BODY_MAX 20000
#define SUBJECT_MAX 200

static const char *const lang_keys[LANG__MAX + 1] = { "tr", "en", NULL };
static const char *const channels[] = { "sms", "email", NULL };

/* Where {{portal_url}} points: the clinic's public_url, else the
 * operator's. */
static const char *
base_url(struct request *req)
{
	return req->clinic != NULL && req->clinic->public_url != NULL ?
	    req->clinic->public_url : req->ctx->conf->public_url;
}

/*
 * The sample values an SMS estimate or a preview renders with: each
 * placeholder's sample (per language where they differ), {{portal_url}}
 * at the clinic's address; the clinic's own name and code replace theirs
 * in the database. NULL after answering 503 when out of memory.
 */
static const struct db_render_values *
samples(struct request *req)
{
	struct db_render_values *v = arena_calloc(req->arena, 1, sizeof(*v));
	struct json_object *o = json_arena_own(req->arena,
	    json_object_new_object());

	if (v == NULL || o == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return NULL;
	}
	for (int p = 0; p < PH__MAX; p++) {
		const char *tr = tpl_placeholder_sample(p, "tr"),
		    *en = tpl_placeholder_sample(p, "en");
		struct json_object *both;

		if (p == PH_PORTAL_URL) {
			json_add_string(o, tpl_placeholder_name(p), arena_printf(
			    req->arena, "%s/%s", base_url(req),
			    tpl_placeholder_sample(PH_CODE, "tr")));
		} else if (strcmp(tr, en) == 0) {
			json_add_string(o, tpl_placeholder_name(p), tr);
		} else if ((both = json_object_new_object()) != NULL) {
			json_add_string(both, "tr", tr);
			json_add_string(both, "en", en);
			json_add(o, tpl_placeholder_name(p), both);
		}
	}
	v->values_json = json_to_arena(req->arena, o, NULL);
	v->base_url = req->ctx->conf->public_url;
	if (v->values_json == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return NULL;
	}
	return v;
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
template_json(const struct db_template *t)
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
		if (sms)
			json_add(v, "sms", sms_json(t->sms_sample[l] != NULL ?
			    t->sms_sample[l] : t->body[l]));
		json_add(variants, lang_keys[l], v);
	}
	json_add(o, "variants", variants);
	json_add_string(o, "created_at", t->created_at);
	json_add_string(o, "updated_at", t->updated_at);
	return o;
}

static struct json_object *
template_item(const void *row, void *ctx)
{
	(void)ctx;
	return template_json(row);
}

/* Checks text, member key of o, against purpose p (NULL: the purpose was
 * refused already); a problem when it fails. */
static void
text_check(struct vobj *o, const char *key, const struct msg_purpose *p,
    const char *text, bool is_subject)
{
	const char *why;

	if (p != NULL && text != NULL && !tpl_check(o->req->arena, p, text,
	    is_subject, &why))
		v_problem(o, key, why != NULL ? why : "Not a valid text.");
}

/*
 * Reads a template body (POST, or PUT with the stored channel in
 * channel_fixed) into t: {name, channel, purpose, variants: {tr, en}},
 * each variant null or {subject (email only), body}. False after answering
 * 422 with every problem.
 */
static bool
template_read(struct request *req, const char *channel_fixed,
    struct db_template *t)
{
	static const char *const fields[] = { "name", "channel", "purpose",
	    "variants", NULL };
	static const char *const variant_fields[] = { "subject", "body", NULL };
	const struct msg_purpose *p;
	struct vobj body, variants;
	int present = 0;
	bool sms;

	if (!v_body(req, &body, fields))
		return false;
	v_text(&body, "name", V_LINE(NAME_MAX_CHARS), V_REQUIRED, &t->name);
	if (v_enum(&body, "channel", channels, V_REQUIRED, &t->channel) ==
	    V_SET && channel_fixed != NULL &&
	    strcmp(channel_fixed, t->channel) != 0)
		v_problem(&body, "channel", "A template's channel cannot change; "
		    "create a new template instead.");
	v_enum(&body, "purpose", msg_purpose_names(), V_REQUIRED, &t->purpose);
	p = msg_purpose_find(t->purpose);
	if (v_object(&body, "variants", lang_keys, V_REQUIRED, &variants) !=
	    V_SET || t->channel == NULL)
		return v_ok(req);
	sms = strcmp(t->channel, "sms") == 0;
	for (int l = 0; l < LANG__MAX; l++) {
		struct vobj v;
		enum v_got got = v_object(&variants, lang_keys[l],
		    variant_fields, V_NULLABLE, &v);

		/* Absent or null: no text in this language. */
		if (got == V_ABSENT || got == V_NULL)
			continue;
		present++;
		if (got != V_SET)
			continue;
		if (v_text(&v, "body", V_LINES(1, sms ? SMS_BODY_MAX :
		    EMAIL_BODY_MAX), V_REQUIRED, &t->body[l]) == V_SET)
			text_check(&v, "body", p, t->body[l], false);
		if (sms) {
			if (json_object_object_get_ex(v.obj, "subject", NULL))
				v_problem(&v, "subject", "An SMS has no subject.");
			continue;
		}
		if (v_text(&v, "subject", V_LINE(SUBJECT_MAX), V_REQUIRED,
		    &t->subject[l]) == V_SET)
			text_check(&v, "subject", p, t->subject[l], true);
	}
	if (present == 0)
		v_problem(&body, "variants", "Give at least one language.");
	return v_ok(req);
}

/* GET /api/v1/clinic/templates?channel=&purpose=: {items, next_cursor}
 * (the whole list, by name); 422 for an unknown channel or purpose. */
void
handle_templates_list(struct request *req)
{
	const char *channel = NULL, *purpose = NULL;
	const struct db_render_values *s;
	struct db_template *rows;
	struct json_object *items;
	int n = 0;
	enum err err;

	q_enum(req, "channel", channels, 0, &channel);
	q_enum(req, "purpose", msg_purpose_names(), 0, &purpose);
	if (!v_ok(req))
		return;
	if ((s = samples(req)) == NULL)
		return;
	if ((err = db_template_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, channel, purpose, s, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++)
		json_object_array_add(items, template_item(&rows[i], NULL));
	resp_json(req, 200, list_all_json(items));
}

/* GET /api/v1/clinic/templates/purposes: {items: [{purpose, secret,
 * placeholders, body_needs_one_of}], next_cursor: null}, the purposes a
 * template may have, as this program knows them. */
void
handle_template_purposes(struct request *req)
{
	struct json_object *items = json_object_new_array();

	for (size_t i = 0; items != NULL && i < msg_purposes_count; i++) {
		const struct msg_purpose *p = &msg_purposes[i];
		struct json_object *o = json_object_new_object(),
		    *allowed = json_object_new_array(),
		    *needs = json_object_new_array();

		for (int ph = 0; ph < PH__MAX; ph++) {
			if (p->placeholders & PH_BIT(ph))
				json_object_array_add(allowed,
				    json_object_new_string(tpl_placeholder_name(ph)));
			if (p->body_needs & PH_BIT(ph))
				json_object_array_add(needs,
				    json_object_new_string(tpl_placeholder_name(ph)));
		}
		json_add_string(o, "purpose", p->name);
		json_add_bool(o, "secret", p->secret);
		json_add(o, "placeholders", allowed);
		json_add(o, "body_needs_one_of", needs);
		json_object_array_add(items, o);
	}
	resp_json(req, 200, list_all_json(items));
}

/* GET /api/v1/clinic/templates/{id}: 404 for another clinic's. */
void
handle_template_get(struct request *req)
{
	const struct db_render_values *s = samples(req);
	struct db_template t;
	enum err err;

	if (s == NULL)
		return;
	if ((err = db_template_get_sampled(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), s,
	    &t)) != ERR_OK) {
		problem_send_err(req, err, "template");
		return;
	}
	resp_json(req, 200, template_json(&t));
}

/* POST /api/v1/clinic/templates (owner, admin): 201 with the template and
 * Location; 422 naming each field that is wrong. */
void
handle_template_create(struct request *req)
{
	const struct db_render_values *s;
	struct db_template t;
	struct json_object *after;
	enum err err;

	memset(&t, 0, sizeof(t));
	if (!template_read(req, NULL, &t))
		return;
	if ((s = samples(req)) == NULL)
		return;
	if ((err = db_template_create(req->ctx->db, req->arena,
	    req->actor.clinic_id, s, &t)) != ERR_OK ||
	    (after = json_arena_own(req->arena, template_json(&t))) == NULL ||
	    (err = audit_record(req, "template.create", "template", t.id, NULL,
	    after)) != ERR_OK) {
		problem_send_err(req, err != ERR_OK ? err : ERR_NOMEM, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/templates/%s", t.id));
	resp_json(req, 201, json_object_get(after));
}

/* PUT /api/v1/clinic/templates/{id} (owner, admin): the whole template;
 * 404 for another clinic's, 422, 409 when the portal settings use it for
 * invitations and its purpose would change. */
void
handle_template_put(struct request *req)
{
	struct db *db = req->ctx->db;
	const struct db_render_values *s = samples(req);
	struct db_template old, t;
	struct db_portal_settings settings;
	struct json_object *before, *after;
	enum err err;

	if (s == NULL)
		return;
	if ((err = db_template_get_sampled(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), s, &old)) != ERR_OK) {
		problem_send_err(req, err, "template");
		return;
	}
	memset(&t, 0, sizeof(t));
	t.id = old.id;
	if (!template_read(req, old.channel, &t))
		return;
	if ((err = db_settings_get(db, req->arena, req->actor.clinic_id, false,
	    &settings)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (strcmp(t.purpose, "portal_invitation") != 0 &&
	    ((settings.sms_template_id != NULL &&
	    strcmp(settings.sms_template_id, t.id) == 0) ||
	    (settings.email_template_id != NULL &&
	    strcmp(settings.email_template_id, t.id) == 0))) {
		problem_send(req, "conflict", "The portal settings use this "
		    "template for invitations; choose another there before "
		    "changing its purpose.");
		return;
	}
	before = json_arena_own(req->arena, template_json(&old));
	if ((err = db_template_update(db, req->arena, req->actor.clinic_id, s,
	    &t)) != ERR_OK ||
	    (after = json_arena_own(req->arena, template_json(&t))) == NULL ||
	    (err = audit_record(req, "template.update", "template", t.id, before,
	    after)) != ERR_OK) {
		problem_send_err(req, err != ERR_OK ? err : ERR_NOMEM, "template");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* DELETE /api/v1/clinic/templates/{id} (owner, admin): 204; 404; 409
 * while the portal settings use it. */
void
handle_template_delete(struct request *req)
{
	const char *id = route_param(&req->params, "id");
	enum err err;

	err = db_template_delete(req->ctx->db, req->actor.clinic_id, id);
	if (err == ERR_INVALID) {
		problem_send(req, "conflict", "The portal settings use this "
		    "template; choose another there first.");
		return;
	}
	if (err != ERR_OK || (err = audit_record(req, "template.delete",
	    "template", id, NULL, NULL)) != ERR_OK) {
		problem_send_err(req, err, "template");
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

/* GET /api/v1/clinic/templates/sms-measure?text=&language=: {encoding,
 * characters, segments} of the text (at most 1000 characters) rendered
 * with sample values in the language (tr unless en); 422 for an unknown
 * placeholder. */
void
handle_sms_measure(struct request *req)
{
	const char *text = NULL, *lang = "tr", *bad = NULL, *rendered = NULL;
	const struct db_render_values *s;
	unsigned found;
	enum err err;

	q_text(req, "text", V_LINES(1, SMS_BODY_MAX), V_REQUIRED, &text);
	q_enum(req, "language", lang_keys, 0, &lang);
	if (text != NULL && !tpl_scan(req->arena, text, &found, &bad))
		v_problem_field(req, "text", arena_printf(req->arena,
		    "Unknown placeholder %s.", bad != NULL ? bad : "{{"));
	if (!v_ok(req))
		return;
	if ((s = samples(req)) == NULL)
		return;
	if ((err = db_render(req->ctx->db, req->arena, req->actor.clinic_id,
	    NULL, lang, s, &text, 1, &rendered)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, sms_json(rendered));
}

/*
 * POST /api/v1/clinic/templates/preview {channel, purpose, language,
 * subject?, body, patient_id?}: 200 {channel, purpose, language, subject,
 * body, sms?}: the texts rendered as a message would be, with sample
 * values (the patient's own first name when one is named), without saving
 * anything; sms (the measure) for the SMS channel. 422 for what a template
 * would be refused for, and for a patient_id that is not the clinic's.
 */
void
handle_template_preview(struct request *req)
{
	static const char *const fields[] = { "channel", "purpose", "language",
	    "subject", "body", "patient_id", NULL };
	const char *channel = NULL, *purpose = NULL, *lang = NULL,
	    *patient_id = NULL, *texts[2] = { NULL, NULL }, *out[2];
	const struct msg_purpose *p;
	const struct db_render_values *s;
	struct json_object *o;
	struct vobj body;
	bool sms;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_enum(&body, "channel", channels, V_REQUIRED, &channel);
	v_enum(&body, "purpose", msg_purpose_names(), V_REQUIRED, &purpose);
	v_enum(&body, "language", lang_keys, V_REQUIRED, &lang);
	v_uuid(&body, "patient_id", V_NULLABLE, &patient_id);
	p = msg_purpose_find(purpose);
	sms = channel != NULL && strcmp(channel, "sms") == 0;
	if (v_text(&body, "body", V_LINES(1, sms ? SMS_BODY_MAX :
	    EMAIL_BODY_MAX), V_REQUIRED, &texts[1]) == V_SET)
		text_check(&body, "body", p, texts[1], false);
	if (sms && json_object_object_get_ex(body.obj, "subject", NULL))
		v_problem(&body, "subject", "An SMS has no subject.");
	else if (v_text(&body, "subject", V_LINE(SUBJECT_MAX), V_NULLABLE,
	    &texts[0]) == V_SET)
		text_check(&body, "subject", p, texts[0], true);
	if (!v_ok(req))
		return;
	if ((s = samples(req)) == NULL)
		return;
	err = db_render(req->ctx->db, req->arena, req->actor.clinic_id,
	    patient_id, lang, s, texts, 2, out);
	if (err == ERR_NOT_FOUND) {
		v_problem(&body, "patient_id", "No such patient.");
		v_ok(req);
		return;
	}
	if (err != ERR_OK || (o = json_object_new_object()) == NULL) {
		problem_send_err(req, err != ERR_OK ? err : ERR_NOMEM, NULL);
		return;
	}
	json_add_string(o, "channel", channel);
	json_add_string(o, "purpose", purpose);
	json_add_string(o, "language", lang);
	json_add_string(o, "subject", out[0]);
	json_add_string(o, "body", out[1]);
	if (sms)
		json_add(o, "sms", sms_json(out[1]));
	resp_json(req, 200, o);
}
