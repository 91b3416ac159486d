/*
 * forms_api.c - the clinic side of forms (DESIGN.md section 15): the
 * clinic's forms and their versions, the starter forms to copy, the
 * patients a form is assigned to, and the submissions staff read and
 * review.
 *
 * Owners and admins create a form (version 1), publish a new version of
 * it, archive or restore it, offer it to every patient, assign it to
 * patients and take an assignment back; every staff member reads forms,
 * versions (also as an HL7 FHIR R4 Questionnaire), assignments and
 * submissions, and marks a submission reviewed. A form or submission of
 * another clinic answers 404 like an unknown id, on every route.
 *
 * A definition comes in as JSON and is read here through valid.h, member
 * by member and item by item (problems named like
 * "definition.items[2].items[0].text.tr"); the canonical JSON built from
 * the cleaned values then goes to form_def_read() and form_def_check()
 * (src/portal/forms.c), which judge the rules that span items (unique
 * link_ids, conditions on earlier questions of a fitting type, options,
 * bounds, the clinic's languages). Only what passed is stored; a stored
 * version is never changed. Texts are plain text, kept as given (trimmed):
 * no side renders them as HTML.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "db.h"
#include "db_clinic.h"
#include "db_forms.h"
#include "forms.h"
#include "http.h"
#include "json_util.h"
#include "log.h"
#include "problem.h"
#include "routes.h"
#include "str.h"
#include "valid.h"

static const char *const statuses[] = { "active", "archived", NULL };
static const char *const submission_statuses[] = { "submitted", "reviewed",
    NULL };
static const char *const behaviors[] = { "all", "any", NULL };

/* Stored JSON (definitions, versions, answers) nests far less than this. */
#define STORED_DEPTH 64
/* Bounds of integer and decimal items and of numeric conditions. */
#define NUMBER_BOUND 1e15

/* The staff member acting, as a row's author; NULL for an API key. */
static const char *
staff_of(const struct request *req)
{
	return req->actor.kind == ACTOR_STAFF ? req->actor.id : NULL;
}

/* Stored JSON text as a new reference (NULL for JSON null or when it
 * cannot be read, which is logged). */
static struct json_object *
stored_json(struct request *req, const char *text)
{
	struct json_object *o = NULL;

	if (text == NULL)
		return NULL;
	if (json_parse(req->arena, text, strlen(text), STORED_DEPTH, &o,
	    NULL) != JSON_PARSE_OK) {
		log_error("forms: stored JSON could not be read");
		return NULL;
	}
	return json_object_get(o);
}

/* {tr, en}, null where that language is absent. */
static struct json_object *
title_json(const char *tr, const char *en)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "tr", tr);
	json_add_string(o, "en", en);
	return o;
}

/* {id, name} of a staff member, or null. */
static struct json_object *
staff_json(const char *id, const char *name)
{
	struct json_object *o;

	if (id == NULL || (o = json_object_new_object()) == NULL)
		return NULL;
	json_add_string(o, "id", id);
	json_add_string(o, "name", name);
	return o;
}

/* ---- reading a definition ---- */

/* What reading one definition keeps across its items. */
struct def_reader {
	struct request *req;
	size_t n_items;		/* items read, at every depth */
	bool too_many;		/* the problem saying so is noted */
};

/* A link_id: a letter, then letters, digits, '_', '.' or '-'. */
static bool
link_id_ok(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return false;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' ||
		    *s == '-'))
			return false;
	return true;
}

/*
 * Text object key of o, {tr?, en?}, each by rule; blank or null is
 * absent. Every language the clinic uses is required. The cleaned object
 * (a new reference), or NULL when absent or bad (problems noted).
 */
static struct json_object *
text_read(struct vobj *o, const char *key, const struct v_text *rule,
    unsigned flags)
{
	static const char *const langs[] = { "tr", "en", NULL };
	const struct db_clinic *clinic = o->req->clinic;
	const char *tr = NULL, *en = NULL;
	enum v_got got_tr, got_en;
	struct json_object *out;
	struct vobj t;

	if (v_object(o, key, langs, flags, &t) != V_SET)
		return NULL;
	got_tr = v_text(&t, "tr", rule, V_NULLABLE, &tr);
	got_en = v_text(&t, "en", rule, V_NULLABLE, &en);
	if (got_tr == V_BAD || got_en == V_BAD)
		return NULL;
	if (tr == NULL && en == NULL && !(flags & V_REQUIRED))
		return NULL;		/* an optional text left blank */
	if (tr == NULL && clinic->lang_tr)
		v_problem(&t, "tr", "Required: the clinic uses Turkish.");
	if (en == NULL && clinic->lang_en)
		v_problem(&t, "en", "Required: the clinic uses English.");
	if (tr == NULL && en == NULL && !clinic->lang_tr && !clinic->lang_en)
		v_problem(o, key, "A text in Turkish or English.");
	if ((out = json_object_new_object()) == NULL)
		return NULL;
	if (tr != NULL)
		json_add_string(out, "tr", tr);
	if (en != NULL)
		json_add_string(out, "en", en);
	return out;
}

/* Whether o has member key (whatever its value). */
static bool
has(const struct vobj *o, const char *key)
{
	return o->obj != NULL && json_object_object_get_ex(o->obj, key, NULL);
}

/* Member key of o as given (a new reference), after a reader checked it. */
static struct json_object *
given(const struct vobj *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o->obj, key, &v);
	return json_object_get(v);
}

/* An item's bound key (min or max) into out, by the item's type. */
static void
bound_read(struct vobj *it, const char *key, enum form_type type,
    struct json_object *out)
{
	int64_t whole;
	double number;
	const char *date;

	if (!has(it, key))
		return;
	switch (type) {
	case FORM_INTEGER:
		if (v_int(it, key, -(int64_t)NUMBER_BOUND,
		    (int64_t)NUMBER_BOUND, 0, &whole) == V_SET)
			json_add(out, key, given(it, key));
		break;
	case FORM_DECIMAL:
		if (v_number(it, key, -NUMBER_BOUND, NUMBER_BOUND, 0,
		    &number) == V_SET)
			json_add(out, key, given(it, key));
		break;
	case FORM_DATE:
		if (v_date(it, key, 0, &date) == V_SET)
			json_add_string(out, key, date);
		break;
	default:
		v_problem(it, key, "Only integer, decimal and date items have "
		    "bounds.");
	}
}

/* A condition's answer: a boolean, a number or a text (which one fits
 * the question is form_def_check()'s to say). */
static void
answer_read(struct vobj *c, struct json_object *out)
{
	struct json_object *v = NULL;
	const char *text;
	int64_t whole;
	double number;

	if (!json_object_object_get_ex(c->obj, "answer", &v)) {
		v_problem(c, "answer", "Required.");
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		json_add(out, "answer", given(c, "answer"));
		break;
	case json_type_int:
		if (v_int(c, "answer", -(int64_t)NUMBER_BOUND,
		    (int64_t)NUMBER_BOUND, 0, &whole) == V_SET)
			json_add(out, "answer", given(c, "answer"));
		break;
	case json_type_double:
		if (v_number(c, "answer", -NUMBER_BOUND, NUMBER_BOUND, 0,
		    &number) == V_SET)
			json_add(out, "answer", given(c, "answer"));
		break;
	case json_type_string:
		if (v_text(c, "answer", V_LINE(FORM_STRING_MAX), 0, &text) ==
		    V_SET)
			json_add_string(out, "answer", text);
		break;
	default:
		v_problem(c, "answer", "A boolean, a number or a text.");
	}
}

/* An item's enable_when into out. */
static void
conditions_read(struct vobj *it, struct json_object *out)
{
	static const char *const fields[] = { "question", "operator",
	    "answer", NULL };
	struct json_object *list, *one;
	struct varr arr;
	struct vobj c;
	const char *question, *op;

	if (v_array(it, "enable_when", FORM_MAX_CONDITIONS, 0, &arr) != V_SET)
		return;
	if (arr.count == 0) {
		v_problem(it, "enable_when", "At least one condition, or leave "
		    "it out.");
		return;
	}
	if ((list = json_object_new_array()) == NULL)
		return;
	for (size_t i = 0; i < arr.count; i++) {
		if (v_item_object(&arr, i, fields, &c) != V_SET ||
		    (one = json_object_new_object()) == NULL)
			continue;
		if (v_text(&c, "question", V_LINE(FORM_LINK_ID_MAX), V_REQUIRED,
		    &question) == V_SET)
			json_add_string(one, "question", question);
		if (v_enum(&c, "operator", form_operator_names, V_REQUIRED,
		    &op) == V_SET)
			json_add_string(one, "operator", op);
		answer_read(&c, one);
		json_object_array_add(list, one);
	}
	json_add(out, "enable_when", list);
}

/* The type whose wire name is name (from form_type_names), or -1. */
static int
type_of(const char *name)
{
	for (int t = 0; name != NULL && form_type_names[t] != NULL; t++)
		if (form_type_names[t] == name || strcmp(form_type_names[t],
		    name) == 0)
			return t;
	return -1;
}

static struct json_object *items_read(struct def_reader *r, struct vobj *o,
    int depth);

/* A choice's options into out. */
static void
options_read(struct vobj *it, struct json_object *out)
{
	static const char *const fields[] = { "value", "text", NULL };
	struct json_object *list, *one;
	struct varr arr;
	struct vobj opt;
	const char *value;

	/* Said here too (form_def_check() would), so that it comes with
	 * the other problems of the shape. */
	if (v_array(it, "options", FORM_MAX_OPTIONS, 0, &arr) == V_BAD)
		return;
	if (arr.count == 0) {
		v_problem(it, "options", "A choice needs at least one option.");
		return;
	}
	if ((list = json_object_new_array()) == NULL)
		return;
	for (size_t i = 0; i < arr.count; i++) {
		if (v_item_object(&arr, i, fields, &opt) != V_SET ||
		    (one = json_object_new_object()) == NULL)
			continue;
		if (v_text(&opt, "value", V_LINE(FORM_OPTION_VALUE_MAX),
		    V_REQUIRED, &value) == V_SET)
			json_add_string(one, "value", value);
		json_add(one, "text", text_read(&opt, "text",
		    V_LINE(FORM_OPTION_TEXT_MAX), V_REQUIRED));
		json_object_array_add(list, one);
	}
	json_add(out, "options", list);
}

/* Item i of arr at depth (1 at the top), cleaned: a new reference, or
 * NULL when it is not an object (problems noted). */
static struct json_object *
item_read(struct def_reader *r, struct varr *arr, size_t i, int depth)
{
	static const char *const fields[] = { "link_id", "type", "text",
	    "required", "options", "min", "max", "max_length", "enable_when",
	    "enable_behavior", "items", NULL };
	const char *link_id, *type_name = NULL, *behavior;
	struct json_object *out;
	struct vobj it;
	int64_t max_length;
	bool required;
	int type;

	if (v_item_object(arr, i, fields, &it) != V_SET ||
	    (out = json_object_new_object()) == NULL)
		return NULL;
	if (++r->n_items > FORM_MAX_ITEMS && !r->too_many) {
		r->too_many = true;
		v_problem_field(r->req, "definition.items", "At most 200 items "
		    "in all, the items of groups counted.");
	}
	if (v_text(&it, "link_id", V_LINE(FORM_LINK_ID_MAX), V_REQUIRED,
	    &link_id) == V_SET) {
		if (link_id_ok(link_id))
			json_add_string(out, "link_id", link_id);
		else
			v_problem(&it, "link_id", "A letter, then letters, "
			    "digits, '_', '.' or '-'.");
	}
	v_enum(&it, "type", form_type_names, V_REQUIRED, &type_name);
	type = type_of(type_name);
	if (type >= 0)
		json_add_string(out, "type", form_type_names[type]);
	json_add(out, "text", text_read(&it, "text",
	    V_LINES(1, FORM_ITEM_TEXT_MAX), V_REQUIRED));
	if (type < 0)
		return out;	/* what else fits depends on the type */

	if (has(&it, "required")) {
		if (type == FORM_DISPLAY || type == FORM_GROUP)
			v_problem(&it, "required", "A display or a group takes "
			    "no answer.");
		else if (v_bool(&it, "required", 0, &required) == V_SET &&
		    required)
			json_add_bool(out, "required", true);
	}
	if (type == FORM_CHOICE || type == FORM_MULTI_CHOICE)
		options_read(&it, out);
	else if (has(&it, "options"))
		v_problem(&it, "options", "Only choice and multi_choice items "
		    "have options.");
	bound_read(&it, "min", type, out);
	bound_read(&it, "max", type, out);
	if (has(&it, "max_length")) {
		if (type != FORM_STRING && type != FORM_TEXT)
			v_problem(&it, "max_length", "Only string and text "
			    "items have a maximum length.");
		else if (v_int(&it, "max_length", 1, type == FORM_STRING ?
		    FORM_STRING_MAX : FORM_TEXT_MAX, 0, &max_length) == V_SET)
			json_add_int(out, "max_length", max_length);
	}
	conditions_read(&it, out);
	if (v_enum(&it, "enable_behavior", behaviors, 0, &behavior) == V_SET)
		json_add_string(out, "enable_behavior", behavior);
	if (type == FORM_GROUP) {
		if (depth >= FORM_MAX_DEPTH)
			v_problem(&it, "items", "Groups nest at most 3 deep.");
		else
			json_add(out, "items", items_read(r, &it, depth + 1));
	} else if (has(&it, "items"))
		v_problem(&it, "items", "Only a group has items.");
	return out;
}

/* Member items of o (required), its items at depth: a new array. */
static struct json_object *
items_read(struct def_reader *r, struct vobj *o, int depth)
{
	struct json_object *list, *one;
	struct varr arr;

	if (v_array(o, "items", FORM_MAX_ITEMS, V_REQUIRED, &arr) != V_SET ||
	    (list = json_object_new_array()) == NULL)
		return NULL;
	if (arr.count == 0)
		v_problem(o, "items", "At least one item.");
	for (size_t i = 0; i < arr.count; i++)
		if ((one = item_read(r, &arr, i, depth)) != NULL)
			json_object_array_add(list, one);
	return list;
}

/* A definition that passed, ready to store. */
struct checked_def {
	struct json_object *json;	/* canonical, owned by the arena */
	const char *text;		/* it serialized */
	const char *title_tr, *title_en;
	int item_count;
};

/* Reports a problem form_def_check() found. */
static void
def_problem(void *ctx, const char *field, const char *message)
{
	v_problem_field(ctx, field, message);
}

/*
 * Reads member "definition" of body (required) with the body's other
 * members already read: true with *out filled when the body and the
 * definition passed; false after answering (422 with every problem, or
 * 503).
 */
static bool
definition_read(struct request *req, struct vobj *body,
    struct checked_def *out)
{
	static const char *const fields[] = { "title", "description", "items",
	    NULL };
	struct def_reader r = { .req = req };
	struct json_object *json, *description;
	struct form_def def;
	struct vobj d;
	enum err err;

	memset(out, 0, sizeof(*out));
	if (v_object(body, "definition", fields, V_REQUIRED, &d) != V_SET) {
		v_ok(req);
		return false;
	}
	if ((json = json_arena_own(req->arena, json_object_new_object())) ==
	    NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return false;
	}
	json_add(json, "title", text_read(&d, "title",
	    V_LINE(FORM_TITLE_MAX), V_REQUIRED));
	if (has(&d, "description") && (description = text_read(&d,
	    "description", V_LINES(1, FORM_DESCRIPTION_MAX), 0)) != NULL)
		json_add(json, "description", description);
	json_add(json, "items", items_read(&r, &d, 1));
	if (!v_ok(req))
		return false;
	if ((err = form_def_read(req->arena, json, &def)) != ERR_OK) {
		if (err != ERR_INVALID) {
			problem_send_err(req, err, NULL);
			return false;
		}
		v_problem_field(req, "definition", "Not a form definition.");
		v_ok(req);
		return false;
	}
	if (!form_def_check(req->arena, &def, req->clinic->lang_tr,
	    req->clinic->lang_en, def_problem, req) || !v_ok(req)) {
		v_ok(req);
		return false;
	}
	out->json = json;
	out->item_count = (int)def.n_items;
	out->title_tr = def.title.tr;
	out->title_en = def.title.en;
	if ((out->text = json_to_arena(req->arena, json, NULL)) != NULL)
		return true;
	problem_send_err(req, ERR_NOMEM, NULL);
	return false;
}

/* ---- forms ---- */

static struct json_object *
form_json(struct request *req, const struct db_form *f)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", f->id);
	json_add(o, "title", title_json(f->title_tr, f->title_en));
	json_add_string(o, "status", f->status);
	json_add_bool(o, "available_to_all", f->available_to_all);
	json_add_int(o, "current_version", f->current_version);
	json_add_int(o, "item_count", f->item_count);
	json_add_int(o, "assigned_count", f->assigned_count);
	json_add_int(o, "submission_count", f->submission_count);
	json_add_int(o, "unreviewed_count", f->unreviewed_count);
	json_add_string(o, "starter", f->starter);
	json_add_string(o, "created_at", f->created_at);
	json_add_string(o, "updated_at", f->updated_at);
	if (f->definition != NULL) {
		struct json_object *versions = stored_json(req, f->versions);

		json_add(o, "definition", stored_json(req, f->definition));
		json_add(o, "versions", versions != NULL ? versions :
		    json_object_new_array());
	}
	return o;
}

static struct json_object *
form_item(const void *row, void *ctx)
{
	return form_json(ctx, row);
}

static const char *
form_cursor(const void *row)
{
	return ((const struct db_form *)row)->id;
}

/* Form id into *f; false after answering 404 (or the failure). */
static bool
form_read(struct request *req, const char *id, struct db_form *f)
{
	enum err err;

	if ((err = db_form_get(req->ctx->db, req->arena, req->actor.clinic_id,
	    id, f)) != ERR_OK) {
		problem_send_err(req, err, "form");
		return false;
	}
	return true;
}

/* What the audit keeps of a form: never its texts. */
static struct json_object *
form_audit_json(struct request *req, const struct db_form *f)
{
	struct json_object *o = json_arena_own(req->arena,
	    json_object_new_object());

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", f->id);
	json_add_string(o, "status", f->status);
	json_add_bool(o, "available_to_all", f->available_to_all);
	json_add_int(o, "current_version", f->current_version);
	json_add_int(o, "item_count", f->item_count);
	json_add_string(o, "starter", f->starter);
	return o;
}

/* Records action on form id (before: NULL or its snapshot) and answers
 * the full record with status. */
static void
form_changed(struct request *req, int status, const char *action,
    const char *id, struct json_object *before)
{
	struct json_object *after;
	struct db_form f;
	enum err err;

	if (!form_read(req, id, &f))
		return;
	if ((after = form_audit_json(req, &f)) == NULL)
		err = ERR_NOMEM;
	else
		err = audit_record(req, action, "form", f.id, before, after);
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, status, form_json(req, &f));
}

/* GET /api/v1/clinic/forms?status=active|archived&patient_id=&cursor=
 * &limit=: the clinic's forms (with patient_id, those assigned to that
 * patient), last changed first. 422 for a bad filter. */
void
handle_forms_list(struct request *req)
{
	const char *status = NULL, *patient_id = NULL;
	struct db_form *rows;
	struct v_page page;
	int n = 0;
	enum err err;

	q_enum(req, "status", statuses, 0, &status);
	q_uuid(req, "patient_id", 0, &patient_id);
	q_page(req, NULL, &page);
	if (!v_ok(req))
		return;
	if ((err = db_forms_list(req->ctx->db, req->arena, req->actor.clinic_id,
	    status, patient_id, page.cursor, page.limit + 1, &rows, &n)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page.limit,
	    form_item, req, form_cursor));
}

/* GET /api/v1/clinic/form-starters: the starter forms every clinic may
 * copy, {items: [{key, definition}]}, in their order. */
void
handle_form_starters(struct request *req)
{
	struct db_form_starter *rows;
	struct json_object *items, *one;
	int n = 0;
	enum err err;

	if ((err = db_form_starters(req->ctx->db, req->arena, &rows, &n)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if ((items = json_object_new_array()) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	for (int i = 0; i < n; i++) {
		if ((one = json_object_new_object()) == NULL)
			continue;
		json_add_string(one, "key", rows[i].key);
		json_add(one, "definition", stored_json(req,
		    rows[i].definition));
		json_object_array_add(items, one);
	}
	resp_json(req, 200, list_all_json(items));
}

/*
 * POST /api/v1/clinic/forms {definition, starter?} (admin): 201 with the
 * form, its definition as version 1. 422 naming the field (every problem
 * of the definition, an unknown starter); 409 conflict past 200 active
 * forms. Audited as form.create.
 */
void
handle_form_create(struct request *req)
{
	static const char *const fields[] = { "definition", "starter", NULL };
	const char *starter = NULL, *id;
	struct checked_def d;
	struct vobj body;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_text(&body, "starter", V_LINE(40), V_NULLABLE, &starter);
	if (!definition_read(req, &body, &d))
		return;
	err = db_form_create(req->ctx->db, req->arena, d.text, d.title_tr,
	    d.title_en, d.item_count, starter, staff_of(req), &id);
	if (err == ERR_INVALID) {
		v_problem_field(req, "starter", "No such starter form.");
		v_ok(req);
		return;
	}
	if (err == ERR_CONFLICT) {
		problem_send(req, "conflict", "A clinic keeps at most 200 "
		    "active forms; archive one first.");
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/forms/%s", id));
	form_changed(req, 201, "form.create", id, NULL);
}

/* GET /api/v1/clinic/forms/{id}: the form with its current definition
 * and its versions, newest first. 404. */
void
handle_form_get(struct request *req)
{
	struct db_form f;

	if (form_read(req, route_param(&req->params, "id"), &f))
		resp_json(req, 200, form_json(req, &f));
}

/*
 * PUT /api/v1/clinic/forms/{id} {definition} (admin): publishes the
 * definition as the form's next version, which patients get from now on
 * (a draft or a submission of an older one is 409 form_version_changed on
 * the patient's side). 200 with the form. 404; 422 naming the field; 409
 * conflict past 100 versions. Audited as form.publish.
 */
void
handle_form_put(struct request *req)
{
	static const char *const fields[] = { "definition", NULL };
	const char *id = route_param(&req->params, "id");
	struct json_object *before;
	struct checked_def d;
	struct db_form was;
	struct vobj body;
	int version = 0;
	enum err err;

	if (!v_body(req, &body, fields) || !definition_read(req, &body, &d) ||
	    !form_read(req, id, &was))
		return;
	if ((before = form_audit_json(req, &was)) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	err = db_form_publish(req->ctx->db, was.id, d.text, d.title_tr,
	    d.title_en, d.item_count, staff_of(req), &version);
	if (err == ERR_CONFLICT) {
		problem_send(req, "conflict", "A form keeps at most 100 "
		    "versions; copy it into a new form instead.");
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, "form");
		return;
	}
	form_changed(req, 200, "form.publish", was.id, before);
}

/*
 * PATCH /api/v1/clinic/forms/{id} {status?, available_to_all?} (admin):
 * archives (patients no longer see it; its submissions stay) or restores
 * it, offers it to every patient or only to those assigned. 200 with the
 * form. 404; 422; 409 conflict when restoring would pass 200 active
 * forms. Audited as form.update.
 */
void
handle_form_patch(struct request *req)
{
	static const char *const fields[] = { "status", "available_to_all",
	    NULL };
	const char *status = NULL, *available = NULL;
	struct json_object *before;
	struct db_form was;
	struct vobj body;
	bool all = false;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_enum(&body, "status", statuses, 0, &status);
	if (v_bool(&body, "available_to_all", 0, &all) == V_SET)
		available = all ? "true" : "false";
	if (!v_ok(req) || !form_read(req, route_param(&req->params, "id"),
	    &was))
		return;
	if (status == NULL && available == NULL) {
		/* Nothing to change: nothing recorded. */
		resp_json(req, 200, form_json(req, &was));
		return;
	}
	if ((before = form_audit_json(req, &was)) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	err = db_form_update(req->ctx->db, was.id, status, available);
	if (err == ERR_CONFLICT) {
		problem_send(req, "conflict", "A clinic keeps at most 200 "
		    "active forms; archive one first.");
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, "form");
		return;
	}
	form_changed(req, 200, "form.update", was.id, before);
}

/* ---- versions ---- */

/* The route's version {n} of form {id} into *v; false after answering
 * 404 (or the failure). */
static bool
version_read(struct request *req, struct db_form_version *v)
{
	const char *n = route_param(&req->params, "n");
	long version = 0;
	enum err err;

	if (n == NULL || !str_to_long(n, 1, FORM_VERSIONS_MAX, &version))
		err = ERR_NOT_FOUND;
	else
		err = db_form_version_get(req->ctx->db, req->arena,
		    req->actor.clinic_id, route_param(&req->params, "id"),
		    (int)version, v);
	if (err != ERR_OK) {
		problem_send_err(req, err, "form version");
		return false;
	}
	return true;
}

/* GET /api/v1/clinic/forms/{id}/versions/{n}: {form_id, version,
 * item_count, created_at, created_by, definition}. 404. */
void
handle_form_version_get(struct request *req)
{
	struct db_form_version v;
	struct json_object *o;

	if (!version_read(req, &v))
		return;
	if ((o = json_object_new_object()) != NULL) {
		json_add_string(o, "form_id", v.form_id);
		json_add_int(o, "version", v.version);
		json_add_int(o, "item_count", v.item_count);
		json_add_string(o, "created_at", v.created_at);
		json_add(o, "created_by", staff_json(v.created_by_id,
		    v.created_by_name));
		json_add(o, "definition", stored_json(req, v.definition));
	}
	resp_json(req, 200, o);
}

/* The stored definition's checks found something: it passed them when
 * it was saved, so this is only logged. */
static void
stored_problem(void *ctx, const char *field, const char *message)
{
	(void)ctx;
	log_warn("forms: a stored definition fails a check at %s: %s", field,
	    message);
}

/*
 * GET /api/v1/clinic/forms/{id}/versions/{n}/questionnaire: the version
 * as an HL7 FHIR R4 Questionnaire (application/fhir+json), its texts in
 * the clinic's default language with the other as translations. 404.
 */
void
handle_form_questionnaire(struct request *req)
{
	struct db_form_version v;
	struct json_object *json, *fhir;
	struct form_def def;
	const char *text;
	size_t len = 0;
	enum err err;

	if (!version_read(req, &v))
		return;
	if ((json = json_arena_own(req->arena, stored_json(req,
	    v.definition))) == NULL) {
		problem_send_err(req, ERR_DB, NULL);
		return;
	}
	if ((err = form_def_read(req->arena, json, &def)) != ERR_OK) {
		log_error("forms: stored version %d of %s cannot be read",
		    v.version, v.form_id);
		problem_send_err(req, err == ERR_NOMEM ? err : ERR_DB, NULL);
		return;
	}
	/* The clinic's languages may have changed since: need neither. */
	form_def_check(req->arena, &def, false, false, stored_problem, NULL);
	if ((fhir = json_arena_own(req->arena, form_fhir(&def, v.form_id,
	    v.version, v.archived, v.created_at,
	    req->clinic->default_language))) == NULL ||
	    (text = json_to_arena(req->arena, fhir, &len)) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	resp_raw(req, 200, "application/fhir+json", text, len);
}

/* ---- assignments ---- */

/*
 * POST /api/v1/clinic/forms/{id}/assignments {patient_ids} (admin): 1 to
 * 500 distinct patients of the clinic; assignments add up. 200 {added,
 * assigned_count}. 404; 422 naming patient_ids[i] for an id that is not a
 * patient of the clinic (nothing is assigned then). Audited as
 * form.assign.
 */
void
handle_form_assign(struct request *req)
{
	static const char *const fields[] = { "patient_ids", NULL };
	const char *id = route_param(&req->params, "id"), **ids;
	struct json_object *after, *list, *o;
	int added = 0, assigned = 0, *missing = NULL, n_missing = 0;
	struct varr arr;
	struct vobj body;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	if (v_array(&body, "patient_ids", FORM_ASSIGN_MAX, V_REQUIRED, &arr) ==
	    V_SET && arr.count == 0)
		v_problem(&body, "patient_ids", "At least one patient.");
	if ((ids = arena_calloc(req->arena, arr.count + 1, sizeof(*ids))) ==
	    NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < arr.count; i++) {
		if (v_item_uuid(&arr, i, &ids[i]) != V_SET)
			continue;
		for (size_t j = 0; j < i; j++)
			if (ids[j] != NULL && strcmp(ids[j], ids[i]) == 0) {
				v_problem_field(req, arena_printf(req->arena,
				    "patient_ids[%zu]", i), "Named twice.");
				break;
			}
	}
	if (!v_ok(req))
		return;
	err = db_form_assign(req->ctx->db, req->arena, id, ids,
	    (int)arr.count, staff_of(req), &added, &assigned, &missing,
	    &n_missing);
	if (err == ERR_INVALID) {
		for (int i = 0; i < n_missing; i++)
			v_problem_field(req, arena_printf(req->arena,
			    "patient_ids[%d]", missing[i]), "No such patient.");
		if (n_missing == 0)
			v_problem_field(req, "patient_ids", "No such patient.");
		v_ok(req);
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, "form");
		return;
	}
	if ((after = json_arena_own(req->arena, json_object_new_object())) ==
	    NULL || (list = json_object_new_array()) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < arr.count; i++)
		json_object_array_add(list, json_object_new_string(ids[i]));
	json_add(after, "patient_ids", list);
	json_add_int(after, "added", added);
	if ((err = audit_record(req, "form.assign", "form", id, NULL, after)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if ((o = json_object_new_object()) != NULL) {
		json_add_int(o, "added", added);
		json_add_int(o, "assigned_count", assigned);
	}
	resp_json(req, 200, o);
}

static struct json_object *
assignment_item(const void *row, void *ctx)
{
	const struct db_form_assignment *x = row;
	struct json_object *o = json_object_new_object();

	(void)ctx;
	if (o == NULL)
		return NULL;
	json_add_string(o, "patient_id", x->patient_id);
	json_add_string(o, "patient_name", x->patient_name);
	json_add_string(o, "assigned_at", x->assigned_at);
	json_add_string(o, "state", x->state);
	json_add_string(o, "submitted_at", x->submitted_at);
	return o;
}

static const char *
assignment_cursor(const void *row)
{
	return ((const struct db_form_assignment *)row)->patient_id;
}

/* GET /api/v1/clinic/forms/{id}/assignments?cursor=&limit=: the patients
 * the form is assigned to, last assigned first, each with their state
 * (not_started, draft, submitted) and last submission. 404. */
void
handle_form_assignments(struct request *req)
{
	struct db_form_assignment *rows;
	struct v_page page;
	int n = 0;
	enum err err;

	q_page(req, NULL, &page);
	if (!v_ok(req))
		return;
	if ((err = db_form_assignments(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"),
	    page.cursor, page.limit + 1, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, "form");
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page.limit,
	    assignment_item, NULL, assignment_cursor));
}

/* DELETE /api/v1/clinic/forms/{id}/assignments/{patient_id} (admin): 204;
 * the patient's draft and submissions stay. 404 when the form is not
 * assigned to them. Audited as form.unassign. */
void
handle_form_unassign(struct request *req)
{
	const char *id = route_param(&req->params, "id"),
	    *patient_id = route_param(&req->params, "patient_id");
	struct json_object *after;
	enum err err;

	if ((err = db_form_unassign(req->ctx->db, req->actor.clinic_id, id,
	    patient_id)) != ERR_OK) {
		problem_send_err(req, err, "assignment");
		return;
	}
	if ((after = json_arena_own(req->arena, json_object_new_object())) ==
	    NULL)
		err = ERR_NOMEM;
	else {
		json_add_string(after, "patient_id", patient_id);
		err = audit_record(req, "form.unassign", "form", id, NULL,
		    after);
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

/* ---- submissions ---- */

static struct json_object *
submission_json(struct request *req, const struct db_form_submission *s)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", s->id);
	json_add_string(o, "form_id", s->form_id);
	json_add(o, "form_title", title_json(s->form_title_tr,
	    s->form_title_en));
	json_add_int(o, "version", s->version);
	json_add_string(o, "patient_id", s->patient_id);
	json_add_string(o, "patient_name", s->patient_name);
	json_add_string(o, "status", s->status);
	json_add_string(o, "language", s->language);
	json_add_string(o, "submitted_at", s->submitted_at);
	json_add_string(o, "reviewed_at", s->reviewed_at);
	json_add(o, "reviewed_by", staff_json(s->reviewed_by_id,
	    s->reviewed_by_name));
	if (s->definition != NULL) {
		json_add(o, "answers", stored_json(req, s->answers));
		json_add(o, "consents", stored_json(req, s->consents));
		json_add(o, "definition", stored_json(req, s->definition));
	}
	return o;
}

static struct json_object *
submission_item(const void *row, void *ctx)
{
	return submission_json(ctx, row);
}

static const char *
submission_cursor(const void *row)
{
	return ((const struct db_form_submission *)row)->id;
}

/* GET /api/v1/clinic/form-submissions?form_id=&patient_id=
 * &status=submitted|reviewed&cursor=&limit=: the clinic's submissions,
 * newest first. 422 for a bad filter. */
void
handle_form_submissions(struct request *req)
{
	struct db_submission_filter f = { 0 };
	struct db_form_submission *rows;
	struct v_page page;
	int n = 0;
	enum err err;

	q_uuid(req, "form_id", 0, &f.form_id);
	q_uuid(req, "patient_id", 0, &f.patient_id);
	q_enum(req, "status", submission_statuses, 0, &f.status);
	q_page(req, NULL, &page);
	if (!v_ok(req))
		return;
	f.after_id = page.cursor;
	f.limit = page.limit + 1;
	if ((err = db_form_submissions(req->ctx->db, req->arena,
	    req->actor.clinic_id, &f, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page.limit,
	    submission_item, req, submission_cursor));
}

/* Submission id into *s; false after answering 404 (or the failure). */
static bool
submission_read(struct request *req, const char *id,
    struct db_form_submission *s)
{
	enum err err;

	if ((err = db_form_submission_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, id, s)) != ERR_OK) {
		problem_send_err(req, err, "submission");
		return false;
	}
	return true;
}

/* GET /api/v1/clinic/form-submissions/{id}: the submission with its
 * answers, the consents the patient gave (in the words they saw) and the
 * definition of its own version. 404. */
void
handle_form_submission_get(struct request *req)
{
	struct db_form_submission s;

	if (submission_read(req, route_param(&req->params, "id"), &s))
		resp_json(req, 200, submission_json(req, &s));
}

/* POST /api/v1/clinic/form-submissions/{id}/review: marks it reviewed by
 * the caller; 200 with the submission. 404; 409 conflict when it already
 * is. Audited as form_submission.review. */
void
handle_form_submission_review(struct request *req)
{
	const char *id = route_param(&req->params, "id");
	struct db_form_submission s;
	struct json_object *after;
	enum err err;

	err = db_form_submission_review(req->ctx->db, req->actor.clinic_id, id,
	    staff_of(req));
	if (err == ERR_NOT_FOUND) {
		if (submission_read(req, id, &s))
			problem_send(req, "conflict", "The submission is "
			    "already reviewed.");
		return;
	}
	if (err != ERR_OK || !submission_read(req, id, &s))
		goto fail;
	if ((after = json_arena_own(req->arena, json_object_new_object())) ==
	    NULL) {
		err = ERR_NOMEM;
		goto fail;
	}
	json_add_string(after, "form_id", s.form_id);
	json_add_int(after, "version", s.version);
	json_add_string(after, "patient_id", s.patient_id);
	json_add_string(after, "status", s.status);
	if ((err = audit_record(req, "form_submission.review",
	    "form_submission", s.id, NULL, after)) != ERR_OK)
		goto fail;
	resp_json(req, 200, submission_json(req, &s));
	return;
fail:
	if (err != ERR_OK)
		problem_send_err(req, err, NULL);
}
