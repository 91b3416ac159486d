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
#include "valid.h"

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

/* Reads body.items (at most TREATMENT_ITEMS_MAX objects {procedure,
 * area?, status?, estimated_cost?}) into *out and *n; false when absent. */
static bool
items_read(struct vobj *body, struct db_treatment_item **out, int *n)
{
	static const char *const fields[] = { "procedure", "area", "status",
	    "estimated_cost", NULL };
	struct varr arr;

	if (v_array(body, "items", TREATMENT_ITEMS_MAX, 0, &arr) != V_SET)
		return false;
	*n = (int)arr.count;
	*out = arena_calloc(body->req->arena, arr.count > 0 ? arr.count : 1,
	    sizeof(**out));
	if (*out == NULL)
		return false;
	for (size_t i = 0; i < arr.count; i++) {
		struct db_treatment_item *it = &(*out)[i];
		struct vobj o;
		int64_t cost = 0;

		if (v_item_object(&arr, i, fields, &o) != V_SET)
			continue;
		it->status = "planned";
		v_text(&o, "procedure", V_LINE(PROCEDURE_MAX_CHARS), V_REQUIRED,
		    &it->procedure);
		v_text(&o, "area", V_LINE(AREA_MAX_CHARS), V_NULLABLE,
		    &it->area);
		v_enum(&o, "status", item_statuses, 0, &it->status);
		if (v_money(&o, "estimated_cost", COST_MAX, 0, &cost) == V_SET)
			it->estimated_cost = cost;
	}
	return true;
}

static struct json_object *
plan_item(const void *row, void *ctx)
{
	(void)ctx;
	return plan_json(row);
}

static const char *
plan_cursor(const void *row)
{
	return ((const struct db_treatment_plan *)row)->id;
}

static struct json_object *
record_item(const void *row, void *ctx)
{
	(void)ctx;
	return record_json(row);
}

static const char *
record_cursor(const void *row)
{
	return ((const struct db_treatment_record *)row)->id;
}

/* The route's patient {id}, which must be one of the clinic's. */
static bool
route_patient(struct request *req, const char **patient_id)
{
	struct db_patient p;
	enum err err;

	*patient_id = route_param(&req->params, "id");
	err = db_patient_get(req->ctx->db, req->arena, req->actor.clinic_id,
	    *patient_id, false, &p);
	if (err != ERR_OK) {
		problem_send_err(req, err, "patient");
		return false;
	}
	return true;
}

/* GET /api/v1/clinic/patients/{id}/treatment-plans?cursor=&limit=:
 * {items, next_cursor, currency}, newest first. 404 for another clinic's
 * patient; 422 for a bad limit or cursor. */
void
handle_treatment_plans_list(struct request *req)
{
	struct db_treatment_plan *plans;
	struct json_object *body;
	struct v_page page;
	const char *patient_id;
	int n = 0;
	enum err err;

	q_page(req, NULL, &page);
	if (!v_ok(req) || !route_patient(req, &patient_id))
		return;
	if ((err = db_treatment_plans_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, patient_id, page.cursor, page.limit + 1,
	    &plans, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	body = list_page_json(plans, sizeof(*plans), n, page.limit, plan_item,
	    NULL, plan_cursor);
	/* The currency of new plans too, for a patient without any yet. */
	if (body != NULL)
		json_add_string(body, "currency", req->clinic->currency);
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
	struct vobj body;

	if (!v_body(req, &body, fields))
		return false;
	v_text(&body, "title", V_LINE(TITLE_MAX_CHARS),
	    creating ? V_REQUIRED : 0, &in->title);
	v_enum(&body, "status", plan_statuses, 0, &in->status);
	in->has_items = items_read(&body, &in->items, &in->item_count);
	return v_ok(req);
}

/* POST /api/v1/clinic/patients/{id}/treatment-plans {title, status?,
 * items?}: 201 with the plan; 404 for another clinic's patient; 422. */
void
handle_treatment_plan_create(struct request *req)
{
	struct plan_input in = { .status = "proposed" };
	struct db_treatment_plan plan;
	struct json_object *after;
	const char *patient_id;
	enum err err;

	if (!plan_input_read(req, true, &in) || !route_patient(req, &patient_id))
		return;
	if ((err = db_treatment_plan_create(req->ctx->db, req->arena,
	    req->actor.clinic_id, patient_id, in.title, in.status, in.items,
	    in.has_items ? in.item_count : 0, &plan)) != ERR_OK ||
	    (err = (after = json_arena_own(req->arena, plan_json(&plan))) ?
	    ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "treatment_plan.create", "treatment_plan",
	    plan.id, NULL, after)) != ERR_OK) {
		problem_send_err(req, err, "treatment plan");
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
	struct db_treatment_plan plan;
	enum err err;

	if ((err = db_treatment_plan_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), false,
	    &plan)) != ERR_OK) {
		problem_send_err(req, err, "treatment plan");
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
	struct json_object *before, *after = NULL;
	enum err err;

	if (!plan_input_read(req, false, &in))
		return;
	if ((err = db_treatment_plan_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), true, &plan)) != ERR_OK ||
	    (err = (before = json_arena_own(req->arena, plan_json(&plan))) ?
	    ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = db_treatment_plan_update(db, req->arena,
	    req->actor.clinic_id, plan.id, in.title ? in.title : plan.title,
	    in.status ? in.status : plan.status, in.has_items ? in.items : NULL,
	    in.item_count, &plan)) != ERR_OK ||
	    (err = (after = json_arena_own(req->arena, plan_json(&plan))) ?
	    ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "treatment_plan.update", "treatment_plan",
	    plan.id, before, after)) != ERR_OK) {
		problem_send_err(req, err, "treatment plan");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* GET /api/v1/clinic/patients/{id}/treatment-records?cursor=&limit=:
 * {items, next_cursor}, latest performed first. */
void
handle_treatment_records_list(struct request *req)
{
	struct db_treatment_record *records;
	struct v_page page;
	const char *patient_id;
	int n = 0;
	enum err err;

	q_page(req, NULL, &page);
	if (!v_ok(req) || !route_patient(req, &patient_id))
		return;
	if ((err = db_treatment_records_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, patient_id, page.cursor, page.limit + 1,
	    &records, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(records, sizeof(*records), n,
	    page.limit, record_item, NULL, record_cursor));
}

/* Applies a record body to r (performed_on and procedure required when
 * creating); answers 422 and returns false on a problem. */
static bool
record_input_read(struct request *req, bool creating,
    struct db_treatment_record *r)
{
	static const char *const fields[] = { "performed_on", "practitioner_id",
	    "procedure", "area", "notes_for_patient", NULL };
	unsigned required = creating ? V_REQUIRED : 0;
	struct vobj body;

	if (!v_body(req, &body, fields))
		return false;
	v_date(&body, "performed_on", required, &r->performed_on);
	v_uuid(&body, "practitioner_id", V_NULLABLE, &r->practitioner_id);
	v_text(&body, "procedure", V_LINE(PROCEDURE_MAX_CHARS), required,
	    &r->procedure);
	v_text(&body, "area", V_LINE(AREA_MAX_CHARS), V_NULLABLE, &r->area);
	v_text(&body, "notes_for_patient", V_LINES(0, NOTES_MAX_CHARS), 0,
	    &r->notes_for_patient);
	return v_ok(req);
}

/* A write the schema refused: with every field checked above, only the
 * practitioner (not one of the clinic's) can be wrong. */
static void
record_write_failed(struct request *req, enum err err)
{
	if (err != ERR_INVALID) {
		problem_send_err(req, err, "treatment record");
		return;
	}
	v_problem_field(req, "practitioner_id", "No such practitioner.");
	v_ok(req);
}

/* POST /api/v1/clinic/patients/{id}/treatment-records {performed_on,
 * procedure, practitioner_id?, area?, notes_for_patient?}: 201 with the
 * record; 404 for another clinic's patient; 422. */
void
handle_treatment_record_create(struct request *req)
{
	struct db_treatment_record r = { .notes_for_patient = "" };
	struct json_object *after;
	const char *patient_id;
	enum err err;

	if (!record_input_read(req, true, &r) || !route_patient(req,
	    &patient_id))
		return;
	r.patient_id = patient_id;
	if ((err = db_treatment_record_create(req->ctx->db, req->arena,
	    req->actor.clinic_id, &r)) != ERR_OK) {
		record_write_failed(req, err);
		return;
	}
	if ((err = (after = json_arena_own(req->arena, record_json(&r))) ?
	    ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "treatment_record.create",
	    "treatment_record", r.id, NULL, after)) != ERR_OK) {
		problem_send_err(req, err, "treatment record");
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
	struct db_treatment_record r;
	struct json_object *before, *after;
	enum err err;

	if ((err = db_treatment_record_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), true,
	    &r)) != ERR_OK ||
	    (err = (before = json_arena_own(req->arena, record_json(&r))) ?
	    ERR_OK : ERR_NOMEM) != ERR_OK) {
		problem_send_err(req, err, "treatment record");
		return;
	}
	if (!record_input_read(req, false, &r))
		return;
	if ((err = db_treatment_record_update(req->ctx->db, req->arena,
	    req->actor.clinic_id, &r)) != ERR_OK) {
		record_write_failed(req, err);
		return;
	}
	if ((err = (after = json_arena_own(req->arena, record_json(&r))) ?
	    ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "treatment_record.update",
	    "treatment_record", r.id, before, after)) != ERR_OK) {
		problem_send_err(req, err, "treatment record");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* What handle_portal_treatments() reads, sent with the session's
 * statement. */
void
ahead_portal_treatments(struct request *req)
{
	db_patient_treatments_ahead(req->ctx->db, req->arena,
	    TREATMENT_LIST_MAX);
}

/*
 * GET /api/v1/portal/{code}/treatments [view_treatments]: {plans,
 * records} of the signed-in patient only (newest first, at most
 * TREATMENT_LIST_MAX of each).
 */
void
handle_portal_treatments(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_treatment_plan *plans;
	struct db_treatment_record *records;
	struct json_object *body, *pa, *ra;
	int np = 0, nr = 0;
	enum err err;

	if ((err = db_patient_treatments(db, req->arena, TREATMENT_LIST_MAX,
	    &plans, &np, &records, &nr)) != ERR_OK) {
		problem_send_err(req, err, NULL);
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
