/*
 * schedule_api.c - the clinic's scheduling configuration: practitioners,
 * their weekly working hours, appointment types, time off (a
 * practitioner's leave or the whole clinic's holiday) and the booking
 * rules patients book under. Staff read; owner and admin configure
 * (routes.c); staff record time off. Every change is audited.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "db.h"
#include "db_schedule.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"
#include "sched_http.h"
#include "slots.h"
#include "str.h"

#define HOURS_MAX 50

/* ---- what the scheduling handlers share (sched_http.h) ---- */

void
sched_fail(struct request *req, enum err err, const char *not_found_detail)
{
	db_rollback(req->ctx->db);
	problem_send(req, err == ERR_NOT_FOUND ? "not_found" :
	    problem_code_for_err(err), err == ERR_NOT_FOUND ?
	    not_found_detail : NULL);
}

void
sched_fields_known(struct request *req, const char *const *known,
    struct problem_list *pl)
{
	json_object_object_foreach(req->json, key, val) {
		const char *const *k;

		(void)val;
		for (k = known; *k != NULL && strcmp(*k, key) != 0; k++)
			;
		if (*k == NULL)
			problem_list_add(pl, arena_strdup(req->arena, key),
			    "Unknown field.");
	}
}

const char *
sched_string(struct request *req, const char *key, size_t max, bool required,
    bool allow_empty, struct problem_list *pl)
{
	struct json_object *v;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(req->json, key, &v)) {
		if (required)
			problem_list_add(pl, key, "Required.");
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		problem_list_add(pl, key, "Must be a string.");
		return NULL;
	}
	s = json_object_get_string(v);
	n = str_utf8_length(s);
	if ((n == 0 && !allow_empty) || n > max) {
		problem_list_add(pl, key, allow_empty ? arena_printf(req->arena,
		    "Must be at most %zu characters.", max) :
		    arena_printf(req->arena, "Must be 1 to %zu characters.", max));
		return NULL;
	}
	return s;
}

int
sched_bool(struct request *req, const char *key, struct problem_list *pl)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req->json, key, &v))
		return -1;
	if (!json_object_is_type(v, json_type_boolean)) {
		problem_list_add(pl, key, "Must be true or false.");
		return -1;
	}
	return json_object_get_boolean(v) ? 1 : 0;
}

bool
sched_int(struct request *req, const char *key, int min, int max,
    bool required, int *out, struct problem_list *pl)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(req->json, key, &v)) {
		if (required)
			problem_list_add(pl, key, "Required.");
		return false;
	}
	if (!json_object_is_type(v, json_type_int) ||
	    (n = json_object_get_int64(v)) < min || n > max) {
		problem_list_add(pl, key, arena_printf(req->arena,
		    "Must be a whole number from %d to %d.", min, max));
		return false;
	}
	*out = (int)n;
	return true;
}

const char *
sched_uuid(struct request *req, const char *key, bool required, bool *is_null,
    struct problem_list *pl)
{
	struct json_object *v;

	if (is_null != NULL)
		*is_null = false;
	if (!json_object_object_get_ex(req->json, key, &v)) {
		if (required)
			problem_list_add(pl, key, "Required.");
		return NULL;
	}
	if (v == NULL) {
		if (is_null != NULL)
			*is_null = true;
		else
			problem_list_add(pl, key, "Must be an id.");
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    !str_is_uuid(json_object_get_string(v))) {
		problem_list_add(pl, key, "Must be an id.");
		return NULL;
	}
	return json_object_get_string(v);
}

const char *
sched_instant(struct request *req, const char *key, bool required,
    struct problem_list *pl)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req->json, key, &v)) {
		if (required)
			problem_list_add(pl, key, "Required.");
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    !slot_instant_valid(json_object_get_string(v))) {
		problem_list_add(pl, key, "Must be a date and time with its UTC "
		    "offset, e.g. 2026-12-01T10:30:00+03:00.");
		return NULL;
	}
	return json_object_get_string(v);
}

bool
sched_query_date(struct request *req, const char *name, bool required,
    const char **out, long *days, struct problem_list *pl)
{
	const char *s = req_query(req, name);

	*out = NULL;
	if (s == NULL) {
		if (required)
			problem_list_add(pl, name, "Required, as YYYY-MM-DD.");
		return !required;
	}
	if (!slot_date_parse(s, days)) {
		problem_list_add(pl, name, "Must be a date, YYYY-MM-DD.");
		return false;
	}
	*out = s;
	return true;
}

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

/* {items, next_cursor: null} of an array. */
static struct json_object *
list_json(struct json_object *items)
{
	struct json_object *o = json_object_new_object();

	json_add(o, "items", items);
	json_add(o, "next_cursor", NULL);
	return o;
}

/* The {id} of the route, or NULL after answering 404. */
static const char *
path_id(struct request *req, const char *what)
{
	const char *id = route_param(&req->params, "id");

	if (id == NULL || !str_is_uuid(id)) {
		problem_send(req, "not_found", what);
		return NULL;
	}
	return id;
}

/* Commits, then answers obj (audited as after) with status. */
static void
audited(struct request *req, int status, const char *action,
    const char *target_type, const char *target_id, struct json_object *before,
    struct json_object *after)
{
	enum err err;

	if (after == NULL) {
		sched_fail(req, ERR_NOMEM, NULL);
		json_object_put(before);
		return;
	}
	json_arena_own(req->arena, before);
	json_arena_own(req->arena, after);
	if ((err = audit_record(req, action, target_type, target_id, before,
	    after)) != ERR_OK || (err = db_commit(req->ctx->db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	resp_json(req, status, json_object_get(after));
}

/* ---- practitioners ---- */

/* GET /api/v1/clinic/practitioners: {items, next_cursor}, by name. */
void
handle_practitioners_list(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_practitioner *rows;
	struct json_object *items;
	int n = 0;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_practitioner_list(db, req->arena, req->actor.clinic_id,
	    false, &rows, &n)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++)
		json_object_array_add(items, practitioner_json(&rows[i]));
	resp_json(req, 200, list_json(items));
}

/* POST /api/v1/clinic/practitioners {name, active?}: 201. */
void
handle_practitioner_create(struct request *req)
{
	static const char *const known[] = { "name", "active", NULL };
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_practitioner p;
	const char *name;
	int active;
	enum err err;

	if (!req_json_object(req))
		return;
	pl = problem_list_new(req);
	sched_fields_known(req, known, pl);
	name = sched_string(req, "name", 100, true, false, pl);
	active = sched_bool(req, "active", pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_practitioner_create(db, req->arena, req->actor.clinic_id,
	    name, active != 0, &p)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/practitioners/%s", p.id));
	audited(req, 201, "practitioner.create", "practitioner", p.id, NULL,
	    practitioner_json(&p));
}

/* PATCH /api/v1/clinic/practitioners/{id} {name?, active?}. */
void
handle_practitioner_patch(struct request *req)
{
	static const char *const known[] = { "name", "active", NULL };
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_practitioner old, p;
	const char *id, *name;
	int active;
	enum err err;

	if ((id = path_id(req, "No such practitioner.")) == NULL ||
	    !req_json_object(req))
		return;
	pl = problem_list_new(req);
	sched_fields_known(req, known, pl);
	name = sched_string(req, "name", 100, false, false, pl);
	active = sched_bool(req, "active", pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_practitioner_get(db, req->arena, req->actor.clinic_id, id,
	    &old)) != ERR_OK || (err = db_practitioner_update(db, req->arena,
	    req->actor.clinic_id, id, name, active, &p)) != ERR_OK) {
		sched_fail(req, err, "No such practitioner.");
		return;
	}
	audited(req, 200, "practitioner.update", "practitioner", p.id,
	    practitioner_json(&old), practitioner_json(&p));
}

/* GET /api/v1/clinic/practitioners/{id}/working-hours: {items}. */
void
handle_hours_get(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_practitioner p;
	struct db_hours *rows;
	const char *id;
	int n = 0;
	enum err err;

	if ((id = path_id(req, "No such practitioner.")) == NULL)
		return;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_practitioner_get(db, req->arena, req->actor.clinic_id, id,
	    &p)) != ERR_OK || (err = db_hours_get(db, req->arena,
	    req->actor.clinic_id, id, &rows, &n)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err, "No such practitioner.");
		return;
	}
	resp_json(req, 200, hours_json(rows, n));
}

/* Reads {items: [{weekday, start, end}]}: shapes, start before end, no
 * two windows of one weekday overlapping. */
static struct db_hours *
read_hours(struct request *req, int *count, struct problem_list *pl)
{
	struct json_object *arr;
	struct db_hours *h;
	int from[HOURS_MAX], to[HOURS_MAX];
	size_t n;

	sched_fields_known(req, (const char *const[]){ "items", NULL }, pl);
	if (!json_object_object_get_ex(req->json, "items", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > HOURS_MAX) {
		problem_list_add(pl, "items", "Required: an array of at most 50 "
		    "{weekday, start, end}.");
		return NULL;
	}
	h = arena_calloc(req->arena, n ? n : 1, sizeof(*h));
	if (h == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(arr, i), *v;
		const char *field = arena_printf(req->arena, "items[%zu]", i);
		int64_t wd;

		if (!json_object_is_type(it, json_type_object)) {
			problem_list_add(pl, field, "Must be {weekday, start, end}.");
			continue;
		}
		if (!json_object_object_get_ex(it, "weekday", &v) ||
		    !json_object_is_type(v, json_type_int) ||
		    (wd = json_object_get_int64(v)) < 1 || wd > 7) {
			problem_list_add(pl, arena_printf(req->arena, "%s.weekday",
			    field), "Must be 1 (Monday) to 7 (Sunday).");
			continue;
		}
		h[i].weekday = (int)wd;
		if (!json_object_object_get_ex(it, "start", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    !slot_time_parse(json_object_get_string(v), false, &from[i])) {
			problem_list_add(pl, arena_printf(req->arena, "%s.start",
			    field), "Must be a time, HH:MM.");
			continue;
		}
		h[i].start = json_object_get_string(v);
		if (!json_object_object_get_ex(it, "end", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    !slot_time_parse(json_object_get_string(v), true, &to[i])) {
			problem_list_add(pl, arena_printf(req->arena, "%s.end",
			    field), "Must be a time, HH:MM (24:00 for midnight).");
			continue;
		}
		h[i].end = json_object_get_string(v);
		if (from[i] >= to[i]) {
			problem_list_add(pl, arena_printf(req->arena, "%s.end",
			    field), "Must be after start.");
			continue;
		}
		json_object_object_foreach(it, key, val) {
			(void)val;
			if (strcmp(key, "weekday") != 0 && strcmp(key, "start") != 0 &&
			    strcmp(key, "end") != 0)
				problem_list_add(pl, arena_printf(req->arena, "%s.%s",
				    field, key), "Unknown field.");
		}
		for (size_t j = 0; j < i; j++)
			if (h[j].weekday == h[i].weekday && h[j].end != NULL &&
			    from[i] < to[j] && from[j] < to[i]) {
				problem_list_add(pl, field, "Overlaps another window "
				    "of the same weekday.");
				break;
			}
	}
	*count = (int)n;
	return h;
}

/* PUT /api/v1/clinic/practitioners/{id}/working-hours {items}: replaces
 * the week; answers it. */
void
handle_hours_put(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_practitioner p;
	struct db_hours *in, *old, *now;
	const char *id;
	int n = 0, n_old = 0, n_now = 0;
	enum err err;

	if ((id = path_id(req, "No such practitioner.")) == NULL ||
	    !req_json_object(req))
		return;
	pl = problem_list_new(req);
	in = read_hours(req, &n, pl);
	if (in == NULL && problem_list_count(pl) == 0) {
		sched_fail(req, ERR_NOMEM, NULL);
		return;
	}
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_practitioner_get(db, req->arena, req->actor.clinic_id, id,
	    &p)) != ERR_OK || (err = db_hours_get(db, req->arena,
	    req->actor.clinic_id, id, &old, &n_old)) != ERR_OK ||
	    (err = db_hours_replace(db, req->arena, req->actor.clinic_id, id,
	    in, n)) != ERR_OK || (err = db_hours_get(db, req->arena,
	    req->actor.clinic_id, id, &now, &n_now)) != ERR_OK) {
		sched_fail(req, err, "No such practitioner.");
		return;
	}
	audited(req, 200, "practitioner.working_hours.update", "practitioner",
	    id, hours_json(old, n_old), hours_json(now, n_now));
}

/* ---- appointment types ---- */

/* GET /api/v1/clinic/appointment-types: {items, next_cursor}. */
void
handle_types_list(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_appt_type *rows;
	struct json_object *items;
	int n = 0;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_type_list(db, req->arena, req->actor.clinic_id, false,
	    &rows, &n)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++)
		json_object_array_add(items, type_json(&rows[i]));
	resp_json(req, 200, list_json(items));
}

static const char *const type_fields[] = { "name", "duration_minutes",
    "online_bookable", "active", NULL };

/* POST /api/v1/clinic/appointment-types {name, duration_minutes,
 * online_bookable?, active?}: 201. */
void
handle_type_create(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_appt_type in, t;
	int bookable, active;
	enum err err;

	if (!req_json_object(req))
		return;
	memset(&in, 0, sizeof(in));
	pl = problem_list_new(req);
	sched_fields_known(req, type_fields, pl);
	in.name = sched_string(req, "name", 100, true, false, pl);
	sched_int(req, "duration_minutes", 5, 480, true, &in.duration_minutes,
	    pl);
	bookable = sched_bool(req, "online_bookable", pl);
	active = sched_bool(req, "active", pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	in.online_bookable = bookable != 0;
	in.active = active != 0;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_type_create(db, req->arena, req->actor.clinic_id, &in,
	    &t)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/appointment-types/%s", t.id));
	audited(req, 201, "appointment_type.create", "appointment_type", t.id,
	    NULL, type_json(&t));
}

/* PATCH /api/v1/clinic/appointment-types/{id}. */
void
handle_type_patch(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_appt_type old, t;
	const char *id, *name;
	int duration = 0, bookable, active;
	enum err err;

	if ((id = path_id(req, "No such appointment type.")) == NULL ||
	    !req_json_object(req))
		return;
	pl = problem_list_new(req);
	sched_fields_known(req, type_fields, pl);
	name = sched_string(req, "name", 100, false, false, pl);
	sched_int(req, "duration_minutes", 5, 480, false, &duration, pl);
	bookable = sched_bool(req, "online_bookable", pl);
	active = sched_bool(req, "active", pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_type_get(db, req->arena, req->actor.clinic_id, id,
	    &old)) != ERR_OK || (err = db_type_update(db, req->arena,
	    req->actor.clinic_id, id, name, duration, bookable, active,
	    &t)) != ERR_OK) {
		sched_fail(req, err, "No such appointment type.");
		return;
	}
	audited(req, 200, "appointment_type.update", "appointment_type", t.id,
	    type_json(&old), type_json(&t));
}

/* ---- time off ---- */

/* GET /api/v1/clinic/time-off?from=&to=&practitioner_id=: {items,
 * next_cursor}, by start; from/to are dates in the clinic's zone. */
void
handle_time_off_list(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl = problem_list_new(req);
	const char *from, *to, *practitioner = req_query(req, "practitioner_id");
	struct db_time_off *rows;
	struct json_object *items;
	long d1 = 0, d2 = 0;
	int n = 0;
	enum err err;

	sched_query_date(req, "from", false, &from, &d1, pl);
	sched_query_date(req, "to", false, &to, &d2, pl);
	if (practitioner != NULL && !str_is_uuid(practitioner))
		problem_list_add(pl, "practitioner_id", "Must be an id.");
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_time_off_list(db, req->arena, req->actor.clinic_id,
	    from, to, practitioner, &rows, &n)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++)
		json_object_array_add(items, time_off_json(&rows[i]));
	resp_json(req, 200, list_json(items));
}

/* POST /api/v1/clinic/time-off {practitioner_id|null, start, end,
 * reason?}: 201. */
void
handle_time_off_create(struct request *req)
{
	static const char *const known[] = { "practitioner_id", "start", "end",
	    "reason", NULL };
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_time_off t;
	const char *practitioner, *start, *end, *reason;
	unsigned found = 0;
	bool is_null;
	enum err err;

	if (!req_json_object(req))
		return;
	pl = problem_list_new(req);
	sched_fields_known(req, known, pl);
	practitioner = sched_uuid(req, "practitioner_id", false, &is_null, pl);
	start = sched_instant(req, "start", true, pl);
	end = sched_instant(req, "end", true, pl);
	reason = sched_string(req, "reason", 200, false, true, pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (practitioner != NULL && (err = db_schedule_ids(db,
	    req->actor.clinic_id, NULL, practitioner, NULL, false,
	    &found)) != ERR_OK)) {
		sched_fail(req, err, NULL);
		return;
	}
	if (practitioner != NULL && !(found & DB_HAS_PRACTITIONER)) {
		db_rollback(db);
		problem_list_add(pl, "practitioner_id", "No such practitioner.");
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_time_off_create(db, req->arena, req->actor.clinic_id,
	    practitioner, start, end, reason, &t)) == ERR_INVALID) {
		db_rollback(db);
		problem_list_add(pl, "end", "Must be after start.");
		problem_list_send(req, pl, NULL);
		return;
	}
	if (err != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/time-off/%s", t.id));
	audited(req, 201, "time_off.create", "time_off", t.id, NULL,
	    time_off_json(&t));
}

/* DELETE /api/v1/clinic/time-off/{id}: 204. */
void
handle_time_off_delete(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_time_off t;
	struct json_object *before;
	const char *id;
	enum err err;

	if ((id = path_id(req, "No such time off.")) == NULL)
		return;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_time_off_delete(db, req->arena, req->actor.clinic_id, id,
	    &t)) != ERR_OK) {
		sched_fail(req, err, "No such time off.");
		return;
	}
	before = json_arena_own(req->arena, time_off_json(&t));
	if ((err = audit_record(req, "time_off.delete", "time_off", id, before,
	    NULL)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

/* ---- booking rules ---- */

/* GET /api/v1/clinic/booking-rules. */
void
handle_rules_get(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_booking_rules r;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_rules_get(db, req->actor.clinic_id, &r)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err == ERR_NOT_FOUND ? ERR_DB : err, NULL);
		return;
	}
	resp_json(req, 200, rules_json(&r));
}

/* PUT /api/v1/clinic/booking-rules: every field, in the schema's ranges. */
void
handle_rules_put(struct request *req)
{
	static const char *const known[] = { "min_notice_minutes",
	    "horizon_days", "cancel_cutoff_minutes", "max_open_bookings",
	    "slot_step_minutes", NULL };
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_booking_rules old, r;
	enum err err;

	if (!req_json_object(req))
		return;
	pl = problem_list_new(req);
	sched_fields_known(req, known, pl);
	sched_int(req, "min_notice_minutes", 0, 43200, true,
	    &r.min_notice_minutes, pl);
	sched_int(req, "horizon_days", 1, 730, true, &r.horizon_days, pl);
	sched_int(req, "cancel_cutoff_minutes", 0, 43200, true,
	    &r.cancel_cutoff_minutes, pl);
	sched_int(req, "max_open_bookings", 1, 100, true, &r.max_open_bookings,
	    pl);
	sched_int(req, "slot_step_minutes", 5, 240, true, &r.slot_step_minutes,
	    pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_rules_get(db, req->actor.clinic_id, &old)) != ERR_OK ||
	    (err = db_rules_put(db, req->actor.clinic_id, &r)) != ERR_OK) {
		sched_fail(req, err == ERR_NOT_FOUND ? ERR_DB : err, NULL);
		return;
	}
	audited(req, 200, "booking_rules.update", "booking_rules",
	    req->actor.clinic_id, rules_json(&old), rules_json(&r));
}
