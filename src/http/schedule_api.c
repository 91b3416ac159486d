/*
 * schedule_api.c - the clinic's scheduling setup: practitioners, their
 * weekly working hours, appointment types, time off (a practitioner's
 * leave or the whole clinic's holiday) and the booking rules patients
 * book under. Staff read; owner and admin configure; staff record time
 * off (the roles are routes.c's). Every change is audited.
 *
 * On the request pipeline (src/http/README.md): bodies and queries are
 * read through valid.h, errors answered by problem_send_err(); the
 * pipeline opens, commits and rolls back the work. Appointments and
 * free slots are appointments_api.c's.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "db_schedule.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"
#include "slots.h"
#include "str.h"
#include "valid.h"

#define NAME_MAX_CHARS 100
#define REASON_MAX_CHARS 200
#define HOURS_MAX 50

/* ---- serializers ---- */

static struct json_object *
practitioner_json(const struct db_practitioner *p)
{
	struct json_object *o = json_object_new_object();

	json_add_string(o, "id", p->id);
	json_add_string(o, "name", p->name);
	json_add_bool(o, "active", p->active);
	json_add_string(o, "created_at", p->created_at);
	return o;
}

static struct json_object *
type_json(const struct db_appt_type *t)
{
	struct json_object *o = json_object_new_object();

	json_add_string(o, "id", t->id);
	json_add_string(o, "name", t->name);
	json_add_int(o, "duration_minutes", t->duration_minutes);
	json_add_bool(o, "online_bookable", t->online_bookable);
	json_add_bool(o, "active", t->active);
	json_add_string(o, "created_at", t->created_at);
	return o;
}

static struct json_object *
hours_json(const struct db_hours *h, int n)
{
	struct json_object *o = json_object_new_object(),
	    *items = json_object_new_array();

	for (int i = 0; items != NULL && i < n; i++) {
		struct json_object *it = json_object_new_object();

		json_add_int(it, "weekday", h[i].weekday);
		json_add_string(it, "start", h[i].start);
		json_add_string(it, "end", h[i].end);
		json_object_array_add(items, it);
	}
	json_add(o, "items", items);
	return o;
}

static struct json_object *
time_off_json(const struct db_time_off *t)
{
	struct json_object *o = json_object_new_object();

	json_add_string(o, "id", t->id);
	json_add_string(o, "practitioner_id", t->practitioner_id);
	json_add_string(o, "start", t->start);
	json_add_string(o, "end", t->end);
	json_add_string(o, "reason", t->reason);
	json_add_string(o, "created_at", t->created_at);
	return o;
}

static struct json_object *
rules_json(const struct db_booking_rules *r)
{
	struct json_object *o = json_object_new_object();

	json_add_int(o, "min_notice_minutes", r->min_notice_minutes);
	json_add_int(o, "horizon_days", r->horizon_days);
	json_add_int(o, "cancel_cutoff_minutes", r->cancel_cutoff_minutes);
	json_add_int(o, "max_open_bookings", r->max_open_bookings);
	json_add_int(o, "slot_step_minutes", r->slot_step_minutes);
	return o;
}

static struct json_object *
practitioner_item(const void *row, void *ctx)
{
	(void)ctx;
	return practitioner_json(row);
}

static struct json_object *
type_item(const void *row, void *ctx)
{
	(void)ctx;
	return type_json(row);
}

static struct json_object *
time_off_item(const void *row, void *ctx)
{
	(void)ctx;
	return time_off_json(row);
}

/* {items, next_cursor: null} of a whole list (the db layer caps it). */
static void
answer_list(struct request *req, const void *rows, size_t row_size, int n,
    list_item_fn item)
{
	resp_json(req, 200, list_page_json(rows, row_size, n, n, item, NULL,
	    NULL));
}

/* The route's {id}, or NULL after answering 404 "No such <what>.". */
static const char *
route_id(struct request *req, const char *what)
{
	const char *id = route_param(&req->params, "id");

	if (id == NULL || !str_is_uuid(id)) {
		problem_send_err(req, ERR_NOT_FOUND, what);
		return NULL;
	}
	return id;
}

/* Audits the change (after owned by the arena from here) and answers
 * after with status; 503 when out of memory or the row cannot be
 * written. */
static void
audited(struct request *req, int status, const char *action,
    const char *target_type, const char *target_id, struct json_object *before,
    struct json_object *after)
{
	enum err err;

	json_arena_own(req->arena, before);
	if (json_arena_own(req->arena, after) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if ((err = audit_record(req, action, target_type, target_id, before,
	    after)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, status, json_object_get(after));
}

/* ---- practitioners ---- */

/* GET /api/v1/clinic/practitioners: {items, next_cursor: null}, by name. */
void
handle_practitioners_list(struct request *req)
{
	struct db_practitioner *rows;
	int n = 0;
	enum err err;

	if ((err = db_practitioner_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	answer_list(req, rows, sizeof(*rows), n, practitioner_item);
}

static const char *const practitioner_fields[] = { "name", "active", NULL };

/* POST /api/v1/clinic/practitioners {name, active?}: 201 with Location.
 * 422 for a name that is blank, too long, or holds control characters
 * or bidirectional overrides. */
void
handle_practitioner_create(struct request *req)
{
	struct db_practitioner p;
	struct vobj body;
	const char *name = NULL;
	bool active = true;
	enum err err;

	if (!v_body(req, &body, practitioner_fields))
		return;
	v_text(&body, "name", V_LINE(NAME_MAX_CHARS), V_REQUIRED, &name);
	v_bool(&body, "active", 0, &active);
	if (!v_ok(req))
		return;
	if ((err = db_practitioner_create(req->ctx->db, req->arena,
	    req->actor.clinic_id, name, active, &p)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/practitioners/%s", p.id));
	audited(req, 201, "practitioner.create", "practitioner", p.id, NULL,
	    practitioner_json(&p));
}

/* PATCH /api/v1/clinic/practitioners/{id} {name?, active?}: 404 for
 * another clinic's; 422 as for create. */
void
handle_practitioner_patch(struct request *req)
{
	struct db_practitioner old, p;
	struct vobj body;
	const char *id, *name = NULL;
	bool active = false;
	enum v_got got_active;
	enum err err;

	if ((id = route_id(req, "practitioner")) == NULL ||
	    !v_body(req, &body, practitioner_fields))
		return;
	v_text(&body, "name", V_LINE(NAME_MAX_CHARS), 0, &name);
	got_active = v_bool(&body, "active", 0, &active);
	if (!v_ok(req))
		return;
	if ((err = db_practitioner_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, id, &old)) != ERR_OK ||
	    (err = db_practitioner_update(req->ctx->db, req->arena,
	    req->actor.clinic_id, id, name, got_active == V_SET ? active : -1,
	    &p)) != ERR_OK) {
		problem_send_err(req, err, "practitioner");
		return;
	}
	audited(req, 200, "practitioner.update", "practitioner", p.id,
	    practitioner_json(&old), practitioner_json(&p));
}

/* ---- working hours ---- */

/* GET /api/v1/clinic/practitioners/{id}/working-hours: {items}. */
void
handle_hours_get(struct request *req)
{
	struct db_practitioner p;
	struct db_hours *rows;
	const char *id;
	int n = 0;
	enum err err;

	if ((id = route_id(req, "practitioner")) == NULL)
		return;
	if ((err = db_practitioner_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, id, &p)) != ERR_OK ||
	    (err = db_hours_get(req->ctx->db, req->arena, req->actor.clinic_id,
	    id, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, "practitioner");
		return;
	}
	resp_json(req, 200, hours_json(rows, n));
}

/* Member key of o, a wall-clock time "HH:MM" ("24:00" too when end), into
 * *text and *minutes; false after a problem. */
static bool
time_read(struct vobj *o, const char *key, bool end, const char **text,
    int *minutes)
{
	if (v_text(o, key, V_LINE(16), V_REQUIRED, text) != V_SET)
		return false;
	if (!slot_time_parse(*text, end, minutes)) {
		v_problem(o, key, end ? "Must be a time, HH:MM (24:00 for "
		    "midnight)." : "Must be a time, HH:MM.");
		return false;
	}
	return true;
}

/*
 * Reads {items: [{weekday, start, end}]}: at most HOURS_MAX windows, each
 * ending after it starts, no two of one weekday overlapping. False after
 * answering 422.
 */
static bool
hours_read(struct request *req, struct db_hours **out, int *count)
{
	static const char *const fields[] = { "items", NULL };
	static const char *const item_fields[] = { "weekday", "start", "end",
	    NULL };
	int from[HOURS_MAX], to[HOURS_MAX];
	struct vobj body;
	struct varr arr;
	struct db_hours *h;

	if (!v_body(req, &body, fields))
		return false;
	if (v_array(&body, "items", HOURS_MAX, V_REQUIRED, &arr) != V_SET)
		return v_ok(req);
	if ((h = arena_calloc(req->arena, arr.count ? arr.count : 1,
	    sizeof(*h))) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return false;
	}
	for (size_t i = 0; i < arr.count; i++) {
		struct vobj o;
		const char *start, *end;
		int64_t weekday;
		bool ok;

		if (v_item_object(&arr, i, item_fields, &o) != V_SET)
			continue;
		ok = v_int(&o, "weekday", 1, 7, V_REQUIRED, &weekday) == V_SET;
		ok = time_read(&o, "start", false, &start, &from[i]) && ok;
		ok = time_read(&o, "end", true, &end, &to[i]) && ok;
		if (!ok)
			continue;
		if (from[i] >= to[i]) {
			v_problem(&o, "end", "Must be after start.");
			continue;
		}
		/* Windows with a problem keep end NULL: nothing overlaps them. */
		for (size_t j = 0; j < i; j++)
			if (h[j].end != NULL && h[j].weekday == weekday &&
			    from[i] < to[j] && from[j] < to[i]) {
				v_problem_field(req, arena_printf(req->arena,
				    "items[%zu]", i), "Overlaps another window of "
				    "the same weekday.");
				ok = false;
				break;
			}
		if (ok)
			h[i] = (struct db_hours){ (int)weekday, start, end };
	}
	*out = h;
	*count = (int)arr.count;
	return v_ok(req);
}

/* PUT /api/v1/clinic/practitioners/{id}/working-hours {items}: replaces
 * the week and answers it. 404 for another clinic's practitioner. */
void
handle_hours_put(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_practitioner p;
	struct db_hours *in = NULL, *old, *now;
	const char *id;
	int n = 0, n_old = 0, n_now = 0;
	enum err err;

	if ((id = route_id(req, "practitioner")) == NULL ||
	    !hours_read(req, &in, &n))
		return;
	if ((err = db_practitioner_get(db, req->arena, req->actor.clinic_id, id,
	    &p)) != ERR_OK || (err = db_hours_get(db, req->arena,
	    req->actor.clinic_id, id, &old, &n_old)) != ERR_OK ||
	    (err = db_hours_replace(db, req->arena, req->actor.clinic_id, id,
	    in, n)) != ERR_OK || (err = db_hours_get(db, req->arena,
	    req->actor.clinic_id, id, &now, &n_now)) != ERR_OK) {
		problem_send_err(req, err, "practitioner");
		return;
	}
	audited(req, 200, "practitioner.working_hours.update", "practitioner",
	    id, hours_json(old, n_old), hours_json(now, n_now));
}

/* ---- appointment types ---- */

/* GET /api/v1/clinic/appointment-types: {items, next_cursor: null}. */
void
handle_types_list(struct request *req)
{
	struct db_appt_type *rows;
	int n = 0;
	enum err err;

	if ((err = db_type_list(req->ctx->db, req->arena, req->actor.clinic_id,
	    false, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	answer_list(req, rows, sizeof(*rows), n, type_item);
}

/* A type's fields as given; what is absent stays as it was (NULL, 0, -1). */
struct type_input {
	const char *name;
	int duration_minutes, online_bookable, active;
};

/* Reads a type's body (name and duration required when creating); false
 * after answering 422. */
static bool
type_read(struct request *req, bool creating, struct type_input *in)
{
	static const char *const fields[] = { "name", "duration_minutes",
	    "online_bookable", "active", NULL };
	unsigned required = creating ? V_REQUIRED : 0;
	struct vobj body;
	int64_t duration;
	bool bookable, active;

	in->name = NULL;
	in->duration_minutes = 0;
	in->online_bookable = in->active = -1;
	if (!v_body(req, &body, fields))
		return false;
	v_text(&body, "name", V_LINE(NAME_MAX_CHARS), required, &in->name);
	if (v_int(&body, "duration_minutes", 5, 480, required, &duration) ==
	    V_SET)
		in->duration_minutes = (int)duration;
	if (v_bool(&body, "online_bookable", 0, &bookable) == V_SET)
		in->online_bookable = bookable;
	if (v_bool(&body, "active", 0, &active) == V_SET)
		in->active = active;
	return v_ok(req);
}

/* POST /api/v1/clinic/appointment-types {name, duration_minutes,
 * online_bookable?, active?} (both true unless given): 201 with
 * Location; 422 naming each bad field. */
void
handle_type_create(struct request *req)
{
	struct type_input in;
	struct db_appt_type t, create;
	enum err err;

	if (!type_read(req, true, &in))
		return;
	memset(&create, 0, sizeof(create));
	create.name = in.name;
	create.duration_minutes = in.duration_minutes;
	create.online_bookable = in.online_bookable != 0;
	create.active = in.active != 0;
	if ((err = db_type_create(req->ctx->db, req->arena,
	    req->actor.clinic_id, &create, &t)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/appointment-types/%s", t.id));
	audited(req, 201, "appointment_type.create", "appointment_type", t.id,
	    NULL, type_json(&t));
}

/* PATCH /api/v1/clinic/appointment-types/{id}: the fields given. 404 for
 * another clinic's type; 422 as for create. */
void
handle_type_patch(struct request *req)
{
	struct type_input in;
	struct db_appt_type old, t;
	const char *id;
	enum err err;

	if ((id = route_id(req, "appointment type")) == NULL ||
	    !type_read(req, false, &in))
		return;
	if ((err = db_type_get(req->ctx->db, req->arena, req->actor.clinic_id,
	    id, &old)) != ERR_OK || (err = db_type_update(req->ctx->db,
	    req->arena, req->actor.clinic_id, id, in.name, in.duration_minutes,
	    in.online_bookable, in.active, &t)) != ERR_OK) {
		problem_send_err(req, err, "appointment type");
		return;
	}
	audited(req, 200, "appointment_type.update", "appointment_type", t.id,
	    type_json(&old), type_json(&t));
}

/* ---- time off ---- */

/* GET /api/v1/clinic/time-off?from=&to=&practitioner_id=: {items,
 * next_cursor: null}, by start; from and to are dates in the clinic's
 * zone. 422 naming a bad parameter. */
void
handle_time_off_list(struct request *req)
{
	const char *from = NULL, *to = NULL, *practitioner = NULL;
	struct db_time_off *rows;
	int n = 0;
	enum err err;

	q_date(req, "from", 0, &from);
	q_date(req, "to", 0, &to);
	q_uuid(req, "practitioner_id", 0, &practitioner);
	if (!v_ok(req))
		return;
	if ((err = db_time_off_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, from, to, practitioner, &rows, &n)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	answer_list(req, rows, sizeof(*rows), n, time_off_item);
}

/* POST /api/v1/clinic/time-off {practitioner_id|null, start, end,
 * reason?}: 201 with Location. 422 naming practitioner_id when it is not
 * one of the clinic's, end when it is not after start. */
void
handle_time_off_create(struct request *req)
{
	static const char *const fields[] = { "practitioner_id", "start", "end",
	    "reason", NULL };
	struct db *db = req->ctx->db;
	struct db_time_off t;
	struct vobj body;
	const char *practitioner = NULL, *start = NULL, *end = NULL,
	    *reason = NULL;
	unsigned found = 0;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_uuid(&body, "practitioner_id", V_NULLABLE, &practitioner);
	v_time(&body, "start", V_REQUIRED, &start);
	v_time(&body, "end", V_REQUIRED, &end);
	v_text(&body, "reason", V_LINE(REASON_MAX_CHARS), V_NULLABLE, &reason);
	if (!v_ok(req))
		return;
	if (practitioner != NULL) {
		if ((err = db_schedule_ids(db, req->actor.clinic_id, NULL,
		    practitioner, NULL, false, &found)) != ERR_OK) {
			problem_send_err(req, err, NULL);
			return;
		}
		if (!(found & DB_HAS_PRACTITIONER)) {
			v_problem(&body, "practitioner_id", "No such practitioner.");
			v_ok(req);
			return;
		}
	}
	err = db_time_off_create(db, req->arena, req->actor.clinic_id,
	    practitioner, start, end, reason, &t);
	if (err == ERR_INVALID) {
		v_problem(&body, "end", "Must be after start.");
		v_ok(req);
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/time-off/%s", t.id));
	audited(req, 201, "time_off.create", "time_off", t.id, NULL,
	    time_off_json(&t));
}

/* DELETE /api/v1/clinic/time-off/{id}: 204; 404 for another clinic's. */
void
handle_time_off_delete(struct request *req)
{
	struct db_time_off t;
	struct json_object *before;
	const char *id;
	enum err err;

	if ((id = route_id(req, "time off")) == NULL)
		return;
	if ((err = db_time_off_delete(req->ctx->db, req->arena,
	    req->actor.clinic_id, id, &t)) != ERR_OK) {
		problem_send_err(req, err, "time off");
		return;
	}
	before = json_arena_own(req->arena, time_off_json(&t));
	if ((err = audit_record(req, "time_off.delete", "time_off", id, before,
	    NULL)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

/* ---- booking rules ---- */

/* A clinic always has its rules (sql/0007): none is the database's
 * fault, not the caller's. */
static enum err
rules_get(struct request *req, struct db_booking_rules *r)
{
	enum err err = db_rules_get(req->ctx->db, req->actor.clinic_id, r);

	return err == ERR_NOT_FOUND ? ERR_DB : err;
}

/* GET /api/v1/clinic/booking-rules. */
void
handle_rules_get(struct request *req)
{
	struct db_booking_rules r;
	enum err err;

	if ((err = rules_get(req, &r)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, rules_json(&r));
}

/* PUT /api/v1/clinic/booking-rules: every field, in the schema's ranges;
 * 422 naming each one out of range or missing. */
void
handle_rules_put(struct request *req)
{
	static const char *const fields[] = { "min_notice_minutes",
	    "horizon_days", "cancel_cutoff_minutes", "max_open_bookings",
	    "slot_step_minutes", NULL };
	struct db_booking_rules old, r;
	struct vobj body;
	int64_t v[5] = { 0 };
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_int(&body, "min_notice_minutes", 0, 43200, V_REQUIRED, &v[0]);
	v_int(&body, "horizon_days", 1, 730, V_REQUIRED, &v[1]);
	v_int(&body, "cancel_cutoff_minutes", 0, 43200, V_REQUIRED, &v[2]);
	v_int(&body, "max_open_bookings", 1, 100, V_REQUIRED, &v[3]);
	v_int(&body, "slot_step_minutes", 5, 240, V_REQUIRED, &v[4]);
	if (!v_ok(req))
		return;
	r.min_notice_minutes = (int)v[0];
	r.horizon_days = (int)v[1];
	r.cancel_cutoff_minutes = (int)v[2];
	r.max_open_bookings = (int)v[3];
	r.slot_step_minutes = (int)v[4];
	if ((err = rules_get(req, &old)) != ERR_OK ||
	    (err = db_rules_put(req->ctx->db, req->actor.clinic_id, &r)) !=
	    ERR_OK) {
		problem_send_err(req, err == ERR_NOT_FOUND ? ERR_DB : err, NULL);
		return;
	}
	audited(req, 200, "booking_rules.update", "booking_rules",
	    req->actor.clinic_id, rules_json(&old), rules_json(&r));
}
