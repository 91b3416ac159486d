/*
 * treatments_api.c - treatment plans and treatment records.
 *
 * Clinic side: staff (and keys with write) create and change a patient's
 * plans, whose planned items a PATCH replaces as a whole, and records of
 * what was done; staff and keys with read list them. Patient side: GET
 * treatments answers the signed-in patient's own plans and records when
 * the one decision allows view_treatments. Money is in minor units with
 * the clinic's currency; totals come from SQL. Every change is audited in
 * the transaction that makes it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "db.h"
#include "db_patients.h"
#include "db_treatments.h"
#include "http.h"
#include "json_util.h"
#include "portal_http.h"
#include "problem.h"
#include "routes.h"
#include "str.h"

#define TITLE_MAX_CHARS 200
#define PROCEDURE_MAX_CHARS 200
#define AREA_MAX_CHARS 50
#define NOTES_MAX_CHARS 2000
/* 1,000,000,000.00 in a currency with two decimals. */
#define COST_MAX INT64_C(100000000000)

static const char *const plan_statuses[] = { "proposed", "accepted",
    "in_progress", "completed", "cancelled", NULL };
static const char *const item_statuses[] = { "planned", "done", "cancelled",
    NULL };

/* Rolls back and answers err; not_found names what was missing. */
static void
fail(struct request *req, enum err err, const char *what)
{
	db_rollback(req->ctx->db);
	if (err == ERR_NOT_FOUND)
		problem_send(req, "not_found", arena_printf(req->arena,
		    "No such %s.", what));
	else
		problem_send(req, problem_code_for_err(err), NULL);
}

static struct json_object *
plan_json(const struct db_treatment_plan *p)
{
	struct json_object *o = json_object_new_object(),
	    *items = json_object_new_array();

	if (o == NULL || items == NULL) {
		json_object_put(o);
		json_object_put(items);
		return NULL;
	}
	for (int i = 0; i < p->item_count; i++) {
		const struct db_treatment_item *it = &p->items[i];
		struct json_object *io = json_object_new_object();

		if (io == NULL || json_object_array_add(items, io) != 0) {
			json_object_put(io);
			continue;
		}
		json_add_string(io, "id", it->id);
		json_add_string(io, "procedure", it->procedure);
		json_add_string(io, "area", it->area);
		json_add_string(io, "status", it->status);
		json_add_int(io, "estimated_cost", it->estimated_cost);
	}
	json_add_string(o, "id", p->id);
	json_add_string(o, "patient_id", p->patient_id);
	json_add_string(o, "title", p->title);
	json_add_string(o, "status", p->status);
	json_add(o, "items", items);
	json_add_string(o, "currency", p->currency);
	json_add_int(o, "total_estimated_cost", p->total_estimated_cost);
	json_add_string(o, "created_at", p->created_at);
	json_add_string(o, "updated_at", p->updated_at);
	return o;
}

static struct json_object *
record_json(const struct db_treatment_record *r)
{
	struct json_object *o = json_object_new_object(), *pr = NULL;

	if (o == NULL)
		return NULL;
	if (r->practitioner_id != NULL && (pr = json_object_new_object()) != NULL) {
		json_add_string(pr, "id", r->practitioner_id);
		json_add_string(pr, "name", r->practitioner_name);
	}
	json_add_string(o, "id", r->id);
	json_add_string(o, "patient_id", r->patient_id);
	json_add_string(o, "performed_on", r->performed_on);
	json_add(o, "practitioner", pr);
	json_add_string(o, "procedure", r->procedure);
	json_add_string(o, "area", r->area);
	json_add_string(o, "notes_for_patient", r->notes_for_patient);
	json_add_string(o, "created_at", r->created_at);
	json_add_string(o, "updated_at", r->updated_at);
	return o;
}

/* Adds "Unknown field." for each member of obj not in known. */
static void
unknown_fields(struct request *req, struct json_object *obj,
    const char *prefix, const char *const *known, struct problem_list *pl)
{
	json_object_object_foreach(obj, key, val) {
		bool ok = false;

		(void)val;
		for (size_t i = 0; known[i] != NULL; i++)
			ok |= strcmp(key, known[i]) == 0;
		if (!ok)
			problem_list_add(pl, arena_printf(req->arena, "%s%s",
			    prefix, key), "Unknown field.");
	}
}

/*
 * Reads the string member key of obj into *out, trimmed: false when
 * absent. nullable: null (or blank) gives NULL; otherwise 1 to max_chars
 * characters. Line breaks and tabs only where multiline. A problem goes
 * to pl under field.
 */
static bool
text_member(struct request *req, struct json_object *obj, const char *key,
    const char *field, size_t max_chars, bool nullable, bool multiline,
    struct problem_list *pl, const char **out)
{
	struct json_object *v;
	char *s;

	if (!json_object_object_get_ex(obj, key, &v))
		return false;
	if (v == NULL && nullable) {
		*out = NULL;
		return true;
	}
	if (!json_object_is_type(v, json_type_string)) {
		problem_list_add(pl, field, nullable ? "Must be a string or null." :
		    "Must be a string.");
		return true;
	}
	if ((s = arena_strdup(req->arena, json_object_get_string(v))) == NULL)
		return true;
	s = str_trim(s);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if ((*c < 0x20 && !(multiline && (*c == '\n' || *c == '\t' ||
		    *c == '\r'))) || *c == 0x7f) {
			problem_list_add(pl, field, "Must not contain control "
			    "characters.");
			return true;
		}
	if (*s == '\0' && nullable && !multiline) {
		*out = NULL;
		return true;
	}
	if ((*s == '\0' && !multiline) || str_utf8_length(s) > max_chars) {
		problem_list_add(pl, field, arena_printf(req->arena,
		    multiline ? "Must be at most %zu characters." :
		    "Must be 1 to %zu characters.", max_chars));
		return true;
	}
	*out = s;
	return true;
}

/* The member key of obj, one of allowed[], into *out; false when absent. */
static bool
enum_member(struct request *req, struct json_object *obj, const char *key,
    const char *field, const char *const *allowed, struct problem_list *pl,
    const char **out)
{
	struct json_object *v;
	const char *s;
	char list[160] = "";

	if (!json_object_object_get_ex(obj, key, &v))
		return false;
	s = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
	for (size_t i = 0; allowed[i] != NULL; i++) {
		if (strcmp(s, allowed[i]) == 0) {
			*out = allowed[i];
			return true;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
		    i > 0 ? ", " : "", allowed[i]);
	}
	problem_list_add(pl, field, arena_printf(req->arena, "Must be one of: %s.",
	    list));
	return true;
}

/* A YYYY-MM-DD calendar date from 1900 to 2999. */
static bool
date_valid(const char *s)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };
	int y, m, d, max;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	max = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/*
 * Reads body.items (an array of at most TREATMENT_ITEMS_MAX objects
 * {procedure, area?, status?, estimated_cost?}) into *out and *n; false
 * when absent.
 */
static bool
items_member(struct request *req, struct json_object *body,
    struct problem_list *pl, struct db_treatment_item **out, int *n)
{
	static const char *const fields[] = { "procedure", "area", "status",
	    "estimated_cost", NULL };
	struct json_object *arr;
	size_t len;

	if (!json_object_object_get_ex(body, "items", &arr))
		return false;
	if (!json_object_is_type(arr, json_type_array)) {
		problem_list_add(pl, "items", "Must be an array.");
		return true;
	}
	len = json_object_array_length(arr);
	if (len > TREATMENT_ITEMS_MAX) {
		problem_list_add(pl, "items", "At most 100 items per plan.");
		return true;
	}
	*out = arena_calloc(req->arena, len > 0 ? len : 1, sizeof(**out));
	*n = (int)len;
	if (*out == NULL)
		return true;
	for (size_t i = 0; i < len; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		struct db_treatment_item *it = &(*out)[i];
		const char *prefix = arena_printf(req->arena, "items[%zu].", i);
		char *field;

		if (prefix == NULL)
			return true;
		if (!json_object_is_type(o, json_type_object)) {
			problem_list_add(pl, arena_printf(req->arena, "items[%zu]", i),
			    "Must be an object.");
			continue;
		}
		unknown_fields(req, o, prefix, fields, pl);
		it->status = "planned";
		field = arena_printf(req->arena, "%sprocedure", prefix);
		if (!text_member(req, o, "procedure", field, PROCEDURE_MAX_CHARS,
		    false, false, pl, &it->procedure))
			problem_list_add(pl, field, "Required.");
		text_member(req, o, "area", arena_printf(req->arena, "%sarea",
		    prefix), AREA_MAX_CHARS, true, false, pl, &it->area);
		enum_member(req, o, "status", arena_printf(req->arena, "%sstatus",
		    prefix), item_statuses, pl, &it->status);
		if (json_object_object_get_ex(o, "estimated_cost", &v)) {
			int64_t cost = json_object_is_type(v, json_type_int) ?
			    json_object_get_int64(v) : -1;

			if (cost < 0 || cost > COST_MAX)
				problem_list_add(pl, arena_printf(req->arena,
				    "%sestimated_cost", prefix), "Must be a whole "
				    "number of minor units (cents, kuruş) from 0 to "
				    "100000000000.");
			else
				it->estimated_cost = cost;
		}
	}
	return true;
}

/* The ?cursor= of a list (the last id it gave), or false after a 422. */
static bool
list_cursor(struct request *req, const char **after)
{
	const char *cursor = req_query(req, "cursor");

	*after = NULL;
	if (cursor == NULL || *cursor == '\0')
		return true;
	if (!str_is_uuid(cursor)) {
		struct problem_list *pl = problem_list_new(req);

		problem_list_add(pl, "cursor", "Not a cursor this list gave out.");
		problem_list_send(req, pl, NULL);
		return false;
	}
	*after = cursor;
	return true;
}

/* {items, next_cursor} from the first limit of n answers (n > limit: more). */
static struct json_object *
page_json(struct json_object *items, int n, int limit, const char *last_id)
{
	struct json_object *body = json_object_new_object();

	if (body == NULL) {
		json_object_put(items);
		return NULL;
	}
	json_add(body, "items", items);
	json_add_string(body, "next_cursor", n > limit ? last_id : NULL);
	return body;
}

/* Opens the clinic's transaction and checks the route's patient {id}. */
static bool
begin_for_patient(struct request *req, const char **patient_id)
{
	struct db *db = req->ctx->db;
	struct db_patient p;
	enum err err;

	*patient_id = route_param(&req->params, "id");
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_patient_get(db, req->arena, req->actor.clinic_id,
	    *patient_id, false, &p)) != ERR_OK) {
		fail(req, err, "patient");
		return false;
	}
	return true;
}

/* GET /api/v1/clinic/patients/{id}/treatment-plans?cursor=&limit=:
 * {items, next_cursor, currency}, newest first. 404 for another clinic's
 * patient. */
void
handle_treatment_plans_list(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_treatment_plan *plans;
	struct json_object *items, *body;
	const char *patient_id, *after, *currency = NULL;
	int limit, n = 0;
	enum err err;

	if (!req_limit(req, &limit) || !list_cursor(req, &after) ||
	    !begin_for_patient(req, &patient_id))
		return;
	if ((err = db_treatment_plans_list(db, req->arena, req->actor.clinic_id,
	    patient_id, after, limit + 1, &plans, &n)) != ERR_OK ||
	    (err = db_treatment_currency(db, req->arena, req->actor.clinic_id,
	    &currency)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err, "patient");
		return;
	}
	if ((items = json_object_new_array()) != NULL)
		for (int i = 0; i < n && i < limit; i++)
			json_object_array_add(items, plan_json(&plans[i]));
	body = items == NULL ? NULL : page_json(items, n, limit,
	    n > limit ? plans[limit - 1].id : NULL);
	/* The currency of new plans too, for a patient without any yet. */
	if (body != NULL)
		json_add_string(body, "currency", currency);
	resp_json(req, 200, body);
}

/* The fields of a plan body: title (required when creating), status,
 * items. Answers 422 and returns false on a problem. */
struct plan_input {
	const char *title, *status;
	struct db_treatment_item *items;
	int item_count;
	bool has_items;
};

static bool
plan_input_read(struct request *req, bool creating, struct plan_input *in)
{
	static const char *const fields[] = { "title", "status", "items", NULL };
	struct problem_list *pl = problem_list_new(req);

	unknown_fields(req, req->json, "", fields, pl);
	if (!text_member(req, req->json, "title", "title", TITLE_MAX_CHARS,
	    false, false, pl, &in->title) && creating)
		problem_list_add(pl, "title", "Required.");
	enum_member(req, req->json, "status", "status", plan_statuses, pl,
	    &in->status);
	in->has_items = items_member(req, req->json, pl, &in->items,
	    &in->item_count);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return false;
	}
	return true;
}

/* POST /api/v1/clinic/patients/{id}/treatment-plans {title, status?,
 * items?}: 201 with the plan; 404 for another clinic's patient; 422. */
void
handle_treatment_plan_create(struct request *req)
{
	struct db *db = req->ctx->db;
	struct plan_input in = { .status = "proposed" };
	struct db_treatment_plan plan;
	struct json_object *after;
	const char *patient_id;
	enum err err;

	if (!req_json_object(req) || !plan_input_read(req, true, &in) ||
	    !begin_for_patient(req, &patient_id))
		return;
	if ((err = db_treatment_plan_create(db, req->arena,
	    req->actor.clinic_id, patient_id, in.title, in.status, in.items,
	    in.has_items ? in.item_count : 0, &plan)) != ERR_OK ||
	    (after = json_arena_own(req->arena, plan_json(&plan))) == NULL ||
	    (err = audit_record(req, "treatment_plan.create", "treatment_plan",
	    plan.id, NULL, after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM, "treatment plan");
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/treatment-plans/%s", plan.id));
	resp_json(req, 201, json_object_get(after));
}

/* GET /api/v1/clinic/treatment-plans/{id}: the plan with its items. */
void
handle_treatment_plan_get(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_treatment_plan plan;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_treatment_plan_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), false, &plan)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err, "treatment plan");
		return;
	}
	resp_json(req, 200, plan_json(&plan));
}

/* PATCH /api/v1/clinic/treatment-plans/{id} {title?, status?, items?}:
 * the fields given replace the old; items, when given, replace all the
 * plan's items in the same transaction. 200 with the plan; 404; 422. */
void
handle_treatment_plan_patch(struct request *req)
{
	struct db *db = req->ctx->db;
	struct plan_input in = { 0 };
	struct db_treatment_plan plan;
	struct json_object *before, *after;
	const char *id = route_param(&req->params, "id");
	enum err err;

	if (!req_json_object(req) || !plan_input_read(req, false, &in))
		return;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_treatment_plan_get(db, req->arena, req->actor.clinic_id,
	    id, true, &plan)) != ERR_OK) {
		fail(req, err, "treatment plan");
		return;
	}
	if ((before = json_arena_own(req->arena, plan_json(&plan))) == NULL ||
	    (err = db_treatment_plan_update(db, req->arena,
	    req->actor.clinic_id, plan.id, in.title ? in.title : plan.title,
	    in.status ? in.status : plan.status, in.has_items ? in.items : NULL,
	    in.item_count, &plan)) != ERR_OK ||
	    (after = json_arena_own(req->arena, plan_json(&plan))) == NULL ||
	    (err = audit_record(req, "treatment_plan.update", "treatment_plan",
	    plan.id, before, after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM, "treatment plan");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* GET /api/v1/clinic/patients/{id}/treatment-records?cursor=&limit=:
 * {items, next_cursor}, latest performed first. */
void
handle_treatment_records_list(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_treatment_record *records;
	struct json_object *items;
	const char *patient_id, *after;
	int limit, n = 0;
	enum err err;

	if (!req_limit(req, &limit) || !list_cursor(req, &after) ||
	    !begin_for_patient(req, &patient_id))
		return;
	if ((err = db_treatment_records_list(db, req->arena,
	    req->actor.clinic_id, patient_id, after, limit + 1, &records,
	    &n)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err, "patient");
		return;
	}
	if ((items = json_object_new_array()) != NULL)
		for (int i = 0; i < n && i < limit; i++)
			json_object_array_add(items, record_json(&records[i]));
	resp_json(req, 200, items == NULL ? NULL : page_json(items, n, limit,
	    n > limit ? records[limit - 1].id : NULL));
}

/* Applies a record body to r (performed_on and procedure required when
 * creating); answers 422 and returns false on a problem. */
static bool
record_input_read(struct request *req, bool creating,
    struct db_treatment_record *r)
{
	static const char *const fields[] = { "performed_on", "practitioner_id",
	    "procedure", "area", "notes_for_patient", NULL };
	struct problem_list *pl = problem_list_new(req);
	struct json_object *v;

	unknown_fields(req, req->json, "", fields, pl);
	if (json_object_object_get_ex(req->json, "performed_on", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    !date_valid(json_object_get_string(v)))
			problem_list_add(pl, "performed_on", "Must be a date, "
			    "YYYY-MM-DD.");
		else
			r->performed_on = arena_strdup(req->arena,
			    json_object_get_string(v));
	} else if (creating) {
		problem_list_add(pl, "performed_on", "Required.");
	}
	if (json_object_object_get_ex(req->json, "practitioner_id", &v)) {
		if (v == NULL)
			r->practitioner_id = NULL;
		else if (!json_object_is_type(v, json_type_string) ||
		    !str_is_uuid(json_object_get_string(v)))
			problem_list_add(pl, "practitioner_id", "Must be the id of "
			    "one of the clinic's practitioners, or null.");
		else
			r->practitioner_id = arena_strdup(req->arena,
			    json_object_get_string(v));
	}
	if (!text_member(req, req->json, "procedure", "procedure",
	    PROCEDURE_MAX_CHARS, false, false, pl, &r->procedure) && creating)
		problem_list_add(pl, "procedure", "Required.");
	text_member(req, req->json, "area", "area", AREA_MAX_CHARS, true, false,
	    pl, &r->area);
	text_member(req, req->json, "notes_for_patient", "notes_for_patient",
	    NOTES_MAX_CHARS, false, true, pl, &r->notes_for_patient);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return false;
	}
	return true;
}

/* A write the schema refused: with every field checked above, only the
 * practitioner (not one of the clinic's) can be wrong. */
static void
record_write_failed(struct request *req, enum err err)
{
	struct problem_list *pl;

	if (err != ERR_INVALID) {
		fail(req, err, "treatment record");
		return;
	}
	db_rollback(req->ctx->db);
	pl = problem_list_new(req);
	problem_list_add(pl, "practitioner_id", "No such practitioner.");
	problem_list_send(req, pl, NULL);
}

/* POST /api/v1/clinic/patients/{id}/treatment-records {performed_on,
 * procedure, practitioner_id?, area?, notes_for_patient?}: 201 with the
 * record; 404 for another clinic's patient; 422. */
void
handle_treatment_record_create(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_treatment_record r = { .notes_for_patient = "" };
	struct json_object *after;
	const char *patient_id;
	enum err err;

	if (!req_json_object(req) || !record_input_read(req, true, &r) ||
	    !begin_for_patient(req, &patient_id))
		return;
	r.patient_id = patient_id;
	if ((err = db_treatment_record_create(db, req->arena,
	    req->actor.clinic_id, &r)) != ERR_OK) {
		record_write_failed(req, err);
		return;
	}
	if ((after = json_arena_own(req->arena, record_json(&r))) == NULL ||
	    (err = audit_record(req, "treatment_record.create",
	    "treatment_record", r.id, NULL, after)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM, "treatment record");
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/treatment-records/%s", r.id));
	resp_json(req, 201, json_object_get(after));
}

/* PATCH /api/v1/clinic/treatment-records/{id}: the fields given replace
 * the old (practitioner_id null: none). 200 with the record; 404; 422. */
void
handle_treatment_record_patch(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_treatment_record r;
	struct json_object *before, *after;
	enum err err;

	if (!req_json_object(req))
		return;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_treatment_record_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), true, &r)) != ERR_OK) {
		fail(req, err, "treatment record");
		return;
	}
	if ((before = json_arena_own(req->arena, record_json(&r))) == NULL) {
		fail(req, ERR_NOMEM, "treatment record");
		return;
	}
	if (!record_input_read(req, false, &r)) {
		db_rollback(db);
		return;
	}
	if ((err = db_treatment_record_update(db, req->arena,
	    req->actor.clinic_id, &r)) != ERR_OK) {
		record_write_failed(req, err);
		return;
	}
	if ((after = json_arena_own(req->arena, record_json(&r))) == NULL ||
	    (err = audit_record(req, "treatment_record.update",
	    "treatment_record", r.id, before, after)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM, "treatment record");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/*
 * GET /api/v1/portal/{code}/treatments [view_treatments]: {plans,
 * records} of the signed-in patient only (newest first, at most
 * TREATMENT_LIST_MAX of each). 403 permission_denied naming the key.
 */
void
handle_portal_treatments(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *clinic_id = req->portal->clinic.id,
	    *patient_id = req->portal->patient.id;
	struct db_treatment_plan *plans;
	struct db_treatment_record *records;
	struct json_object *body, *pa, *ra;
	int np = 0, nr = 0;
	enum err err;

	if (!portal_allow(req, PERM_VIEW_TREATMENTS))
		return;
	if ((err = db_treatment_plans_list(db, req->arena, clinic_id,
	    patient_id, NULL, TREATMENT_LIST_MAX, &plans, &np)) != ERR_OK ||
	    (err = db_treatment_records_list(db, req->arena, clinic_id,
	    patient_id, NULL, TREATMENT_LIST_MAX, &records, &nr)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	}
	body = json_object_new_object();
	pa = json_object_new_array();
	ra = json_object_new_array();
	if (body == NULL || pa == NULL || ra == NULL) {
		json_object_put(body);
		json_object_put(pa);
		json_object_put(ra);
		resp_json(req, 200, NULL);
		return;
	}
	for (int i = 0; i < np; i++)
		json_object_array_add(pa, plan_json(&plans[i]));
	for (int i = 0; i < nr; i++)
		json_object_array_add(ra, record_json(&records[i]));
	json_add(body, "plans", pa);
	json_add(body, "records", ra);
	resp_json(req, 200, body);
}
