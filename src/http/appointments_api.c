/*
 * appointments_api.c - appointments, from both sides.
 *
 * Clinic side (staff write): the calendar (a day or week, per
 * practitioner or patient), booking for a patient, moving and cancelling;
 * staff are not bound by the booking rules, but the exclusion constraint
 * refuses an overlap with 409 slot_taken all the same.
 *
 * Patient side (DESIGN.md section 10): the patient's own appointments,
 * what may be booked, free slots, booking under the clinic's rules, an
 * .ics for a calendar, and cancelling before the cut-off. The route table
 * names each route's permission; the pipeline has decided it, and opened
 * the work, before a handler runs.
 *
 * Booking and cancelling queue a message to the patient (the one outbox
 * entry point, deferred to ride with the COMMIT) and are audited in the
 * same transaction. A booking's `source` and a cancellation's
 * `cancelled_by` say who did it (portal, staff or api). A patient's
 * booking is one statement (portal_book(), sql/0017): with the session's
 * and the COMMIT's, three round trips.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "access.h"
#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "db.h"
#include "db_appointments.h"
#include "db_clinic.h"
#include "db_schedule.h"
#include "http.h"
#include "ics.h"
#include "json_util.h"
#include "log.h"
#include "pipeline.h"
#include "portal_http.h"
#include "problem.h"
#include "routes.h"
#include "slots.h"
#include "str.h"
#include "tztime.h"
#include "valid.h"

#define RANGE_DAYS_MAX 31
#define CLINIC_LIST_MAX 2000
#define NOTE_MAX_CHARS 1000

/* ---- serializers ---- */

static struct json_object *
ref_json(const char *id, const char *name)
{
	struct json_object *o = json_object_new_object();

	json_add_string(o, "id", id);
	json_add_string(o, "name", name);
	return o;
}

static struct json_object *
type_ref_json(const struct db_appt *a)
{
	struct json_object *o = ref_json(a->type_id, a->type_name);

	json_add_int(o, "duration_minutes", a->duration_minutes);
	return o;
}

static struct json_object *
clinic_appt_json(const struct db_appt *a)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", a->id);
	json_add(o, "patient", ref_json(a->patient_id, a->patient_name));
	json_add(o, "practitioner", ref_json(a->practitioner_id,
	    a->practitioner_name));
	json_add(o, "type", type_ref_json(a));
	json_add_string(o, "start", a->start);
	json_add_string(o, "end", a->end);
	json_add_string(o, "status", a->status);
	json_add_string(o, "source", a->source);
	json_add_string(o, "cancelled_by", a->cancelled_by);
	json_add_string(o, "cancelled_at", a->cancelled_at);
	json_add_string(o, "note", a->note);
	json_add_string(o, "created_at", a->created_at);
	return o;
}

static struct json_object *
portal_appt_json(const struct db_appt *a, bool may_cancel)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", a->id);
	json_add(o, "practitioner", ref_json(a->practitioner_id,
	    a->practitioner_name));
	json_add(o, "type", type_ref_json(a));
	json_add_string(o, "start", a->start);
	json_add_string(o, "end", a->end);
	json_add_string(o, "status", a->status);
	json_add_string(o, "source", a->source);
	json_add_bool(o, "can_cancel", may_cancel && a->before_cutoff);
	json_add_string(o, "cancel_until", a->cancel_until);
	return o;
}

/* ---- shared steps ---- */

static void
booking_rule(struct request *req, const char *rule, const char *detail)
{
	problem_send_ex(req, "booking_rule", detail,
	    json_tokener_parse(arena_printf(req->arena, "{\"rule\": \"%s\"}",
	    rule)));
}

static void
slot_taken(struct request *req)
{
	problem_send(req, "slot_taken", "That time is no longer free; pick "
	    "another slot.");
}

static void
already_cancelled(struct request *req)
{
	problem_send(req, "conflict", "The appointment is cancelled already.");
}

/* Queues the message of purpose about appointment id (with the COMMIT). */
static enum err
notify(struct request *req, const char *id, const char *purpose)
{
	return db_appt_notify(req->ctx->db, req->actor.clinic_id, id, purpose,
	    req->ctx->conf->public_url, req->actor.kind == ACTOR_PATIENT ?
	    "patient" : req->actor.kind == ACTOR_API_KEY ? "api_key" : "staff",
	    req->actor.id);
}

/* Who a clinic-side change is by, for source / cancelled_by. */
static const char *
clinic_source(struct request *req)
{
	return req->actor.kind == ACTOR_API_KEY ? "api" : "staff";
}

/* ?from=&to= (dates, to not before from, at most 31 days inclusive);
 * problems go to the request's list. */
static void
query_range(struct request *req, const char **from, const char **to)
{
	long d1, d2;

	if (q_date(req, "from", V_REQUIRED, from) != V_SET ||
	    q_date(req, "to", V_REQUIRED, to) != V_SET ||
	    !slot_date_parse(*from, &d1) || !slot_date_parse(*to, &d2))
		return;
	if (d2 < d1)
		v_problem_field(req, "to", "Must not be before from.");
	else if (d2 - d1 + 1 > RANGE_DAYS_MAX)
		v_problem_field(req, "to", "The range may span at most 31 days.");
}

/* ---- clinic side ---- */

static struct json_object *
clinic_item(const void *row, void *ctx)
{
	(void)ctx;
	return clinic_appt_json(row);
}

/* GET /api/v1/clinic/appointments?from=&to=&practitioner_id=&patient_id=:
 * {items, next_cursor: null}, by start; at most 2000 (422 beyond, so a
 * calendar never shows a silently cut list). */
void
handle_clinic_appts_list(struct request *req)
{
	const char *from = NULL, *to = NULL, *practitioner = NULL,
	    *patient = NULL;
	struct db_appt *rows;
	int n = 0;
	enum err err;

	query_range(req, &from, &to);
	q_uuid(req, "practitioner_id", 0, &practitioner);
	q_uuid(req, "patient_id", 0, &patient);
	if (!v_ok(req))
		return;
	if ((err = db_appt_list_clinic(req->ctx->db, req->arena,
	    req->actor.clinic_id, from, to, practitioner, patient,
	    CLINIC_LIST_MAX + 1, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (n > CLINIC_LIST_MAX) {
		v_problem_field(req, "to", "More than 2000 appointments; ask for "
		    "fewer days or one practitioner.");
		v_ok(req);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, n,
	    clinic_item, NULL, NULL));
}

/* Audits a change and answers the appointment (201 with Location, or
 * 200); purpose, when set, queues the patient's message. */
static void
clinic_done(struct request *req, int status, const char *action,
    const struct db_appt *before, const struct db_appt *a,
    const char *purpose)
{
	struct json_object *b = NULL, *after;
	enum err err;

	after = json_arena_own(req->arena, clinic_appt_json(a));
	if (before != NULL)
		b = json_arena_own(req->arena, clinic_appt_json(before));
	if (after == NULL || (before != NULL && b == NULL)) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if ((purpose != NULL && (err = notify(req, a->id, purpose)) != ERR_OK) ||
	    (err = audit_record(req, action, "appointment", a->id, b,
	    after)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (status == 201)
		resp_header(req, "Location", arena_printf(req->arena,
		    "/api/v1/clinic/appointments/%s", a->id));
	resp_json(req, status, json_object_get(after));
}

/* The body's ids must name the clinic's patient, practitioner and type
 * (inactive ones too: staff may book anyone); false after answering 422. */
static bool
ids_exist(struct request *req, const char *patient, const char *practitioner,
    const char *type)
{
	unsigned found = 0;
	enum err err;

	if ((err = db_schedule_ids(req->ctx->db, req->actor.clinic_id, patient,
	    practitioner, type, false, &found)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	if (patient != NULL && !(found & DB_HAS_PATIENT))
		v_problem_field(req, "patient_id", "No such patient.");
	if (practitioner != NULL && !(found & DB_HAS_PRACTITIONER))
		v_problem_field(req, "practitioner_id", "No such practitioner.");
	if (type != NULL && !(found & DB_HAS_TYPE))
		v_problem_field(req, "type_id", "No such appointment type.");
	return v_ok(req);
}

/* POST /api/v1/clinic/appointments {patient_id, practitioner_id, type_id,
 * start, note?}: 201; 409 slot_taken on overlap. */
void
handle_clinic_appt_create(struct request *req)
{
	static const char *const known[] = { "patient_id", "practitioner_id",
	    "type_id", "start", "note", NULL };
	const char *patient = NULL, *practitioner = NULL, *type = NULL,
	    *start = NULL, *note = NULL;
	struct vobj body;
	struct db_appt a;
	enum err err;

	if (!v_body(req, &body, known))
		return;
	v_uuid(&body, "patient_id", V_REQUIRED, &patient);
	v_uuid(&body, "practitioner_id", V_REQUIRED, &practitioner);
	v_uuid(&body, "type_id", V_REQUIRED, &type);
	v_time(&body, "start", V_REQUIRED, &start);
	v_text(&body, "note", V_LINES(0, NOTE_MAX_CHARS), 0, &note);
	if (!v_ok(req) || !ids_exist(req, patient, practitioner, type))
		return;
	err = db_appt_create(req->ctx->db, req->arena, req->actor.clinic_id,
	    patient, practitioner, type, start, clinic_source(req), note, &a);
	if (err == ERR_CONFLICT) {
		slot_taken(req);
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	clinic_done(req, 201, "appointment.create", NULL, &a,
	    "appointment_confirmation");
}

/* PATCH /api/v1/clinic/appointments/{id} {start?, practitioner_id?,
 * type_id?, note?}: moves or edits; 409 slot_taken on overlap, 409
 * conflict when moving a cancelled appointment. */
void
handle_clinic_appt_patch(struct request *req)
{
	static const char *const known[] = { "start", "practitioner_id",
	    "type_id", "note", NULL };
	const char *id = route_param(&req->params, "id"), *practitioner = NULL,
	    *type = NULL, *start = NULL, *note = NULL;
	struct vobj body;
	struct db_appt old, a;
	enum err err;

	if (!v_body(req, &body, known))
		return;
	v_uuid(&body, "practitioner_id", 0, &practitioner);
	v_uuid(&body, "type_id", 0, &type);
	v_time(&body, "start", 0, &start);
	v_text(&body, "note", V_LINES(0, NOTE_MAX_CHARS), 0, &note);
	if (!v_ok(req))
		return;
	if ((err = db_appt_get(req->ctx->db, req->arena, req->actor.clinic_id,
	    id, NULL, &old)) != ERR_OK) {
		problem_send_err(req, err, "appointment");
		return;
	}
	if ((practitioner != NULL || type != NULL) &&
	    !ids_exist(req, NULL, practitioner, type))
		return;
	if (strcmp(old.status, "booked") != 0 && (practitioner != NULL ||
	    type != NULL || start != NULL)) {
		problem_send(req, "conflict", "A cancelled appointment cannot be "
		    "moved; book a new one.");
		return;
	}
	err = db_appt_update(req->ctx->db, req->arena, req->actor.clinic_id, id,
	    practitioner, type, start, note, &a);
	if (err == ERR_CONFLICT) {
		slot_taken(req);
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, "appointment");
		return;
	}
	clinic_done(req, 200, "appointment.update", &old, &a, NULL);
}

/* POST /api/v1/clinic/appointments/{id}/cancel: 200; 409 conflict when
 * it is cancelled already. */
void
handle_clinic_appt_cancel(struct request *req)
{
	const char *id = route_param(&req->params, "id");
	struct db_appt old, a;
	enum err err;

	if ((err = db_appt_get(req->ctx->db, req->arena, req->actor.clinic_id,
	    id, NULL, &old)) != ERR_OK) {
		problem_send_err(req, err, "appointment");
		return;
	}
	err = db_appt_cancel(req->ctx->db, req->arena, req->actor.clinic_id, id,
	    clinic_source(req), &a);
	if (err == ERR_NOT_FOUND) {
		already_cancelled(req);
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	clinic_done(req, 200, "appointment.cancel", &old, &a,
	    "appointment_cancellation");
}

/* ---- patient side ---- */

/* Whether the patient may cancel at all now (the appointment's cut-off
 * aside), so the app offers only what it may do. */
static bool
may_cancel(struct request *req)
{
	struct access_facts f;

	access_facts_of(&f, &req->portal->clinic, &req->portal->settings,
	    &req->portal->patient);
	return (access_usable(&f) & PERM_BIT(PERM_CANCEL_APPOINTMENT)) != 0;
}

static struct json_object *
portal_item(const void *row, void *ctx)
{
	return portal_appt_json(row, *(const bool *)ctx);
}

static const char *
portal_cursor(const void *row)
{
	return ((const struct db_appt *)row)->cursor;
}

/* The list's query: ?scope=upcoming|past&cursor=&limit=; false (the
 * problems noted) when it is not good. */
static bool
portal_appts_query(struct request *req, bool *upcoming, struct v_page *page)
{
	static const char *const scopes[] = { "upcoming", "past", NULL };
	const char *scope = "upcoming";

	q_enum(req, "scope", scopes, 0, &scope);
	q_page(req, db_appt_cursor_ok, page);
	*upcoming = strcmp(scope, "upcoming") == 0;
	return v_count(req) == 0;
}

void
ahead_portal_appts_list(struct request *req)
{
	struct v_page page;
	bool upcoming;

	if (portal_appts_query(req, &upcoming, &page))
		db_appt_list_patient_ahead(req->ctx->db, req->arena, upcoming,
		    page.cursor, page.limit + 1);
}

/* GET /api/v1/portal/{code}/appointments?scope=upcoming|past&cursor=&limit=
 * [view_appointments]: {items, next_cursor}; upcoming soonest first, past
 * newest first. Its statement went ahead with the session's. */
void
handle_portal_appts_list(struct request *req)
{
	struct db_appt *rows;
	struct v_page page;
	bool cancel, upcoming;
	int n = 0;
	enum err err;

	portal_appts_query(req, &upcoming, &page);
	if (!v_ok(req))
		return;
	if ((err = db_appt_list_patient(req->ctx->db, req->arena, upcoming,
	    page.cursor, page.limit + 1, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	cancel = may_cancel(req);
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page.limit,
	    portal_item, &cancel, portal_cursor));
}

/* GET /api/v1/portal/{code}/appointments/booking-options
 * [create_appointment]: {practitioners: [{id, name}], types: [{id, name,
 * duration_minutes}], rules: {min_notice_minutes, horizon_days,
 * cancel_cutoff_minutes}}, active and online-bookable ones, and the rules
 * a patient should know before booking. */
void
handle_portal_booking_options(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *clinic_id = req->portal->clinic.id;
	struct db_practitioner *ps;
	struct db_appt_type *ts;
	struct db_booking_rules r;
	struct json_object *body, *pa, *ta, *rules;
	int np = 0, nt = 0;
	enum err err;

	if ((err = db_practitioner_list(db, req->arena, clinic_id, true, &ps,
	    &np)) != ERR_OK || (err = db_type_list(db, req->arena, clinic_id,
	    true, &ts, &nt)) != ERR_OK || (err = db_rules_get(db, clinic_id,
	    &r)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	body = json_object_new_object();
	pa = json_object_new_array();
	ta = json_object_new_array();
	for (int i = 0; pa != NULL && i < np; i++)
		json_object_array_add(pa, ref_json(ps[i].id, ps[i].name));
	for (int i = 0; ta != NULL && i < nt; i++) {
		struct json_object *t = ref_json(ts[i].id, ts[i].name);

		json_add_int(t, "duration_minutes", ts[i].duration_minutes);
		json_object_array_add(ta, t);
	}
	rules = json_object_new_object();
	json_add_int(rules, "min_notice_minutes", r.min_notice_minutes);
	json_add_int(rules, "horizon_days", r.horizon_days);
	json_add_int(rules, "cancel_cutoff_minutes", r.cancel_cutoff_minutes);
	json_add(body, "practitioners", pa);
	json_add(body, "types", ta);
	json_add(body, "rules", rules);
	resp_json(req, 200, body);
}

/* The slots' query: practitioner_id, type_id, from, to (q[0..3]); false
 * (the problems noted) when it is not good. */
static bool
portal_slots_query(struct request *req, const char *q[4])
{
	q[0] = q[1] = q[2] = q[3] = NULL;
	q_uuid(req, "practitioner_id", 0, &q[0]);
	q_uuid(req, "type_id", V_REQUIRED, &q[1]);
	query_range(req, &q[2], &q[3]);
	return v_count(req) == 0;
}

void
ahead_portal_slots(struct request *req)
{
	const char *q[4];

	if (portal_slots_query(req, q))
		db_slots_ahead(req->ctx->db, req->arena, q[0], q[1], q[2], q[3]);
}

/* The slots and days as the answer's JSON: each slot's instants in the
 * clinic's zone, and each day's count of slots that start on it. NULL
 * when out of memory or the zone cannot be loaded. */
static struct json_object *
slots_json(const char *zone, const struct slot *slots, size_t n_slots,
    const struct slot_day *days, size_t n_days)
{
	struct json_object *body = json_object_new_object();
	struct json_object *items = json_object_new_array_ext((int)n_slots);
	struct json_object *list = json_object_new_array_ext((int)n_days);
	char start[TZ_ISO_SIZE], end[TZ_ISO_SIZE];
	int starting[SLOTS_DAYS_MAX] = { 0 };
	size_t d = 0;
	bool ok = body != NULL && items != NULL && list != NULL;

	for (size_t i = 0; ok && i < n_slots; i++) {
		struct json_object *o = json_object_new_object();

		ok = o != NULL && tz_iso(zone, slots[i].start, start) &&
		    tz_iso(zone, slots[i].end, end) &&
		    json_add_string(o, "start", start) == 0 &&
		    json_add_string(o, "end", end) == 0 &&
		    json_add_string(o, "practitioner_id",
		    slots[i].practitioner_id) == 0;
		if (o != NULL && json_object_array_add(items, o) != 0) {
			json_object_put(o);
			ok = false;
		}
		/* Slots are in time order and days in date order: a slot
		 * counts for the day its start's date (in the zone) is. */
		while (ok && d < n_days && strncmp(start, days[d].date, 10) > 0)
			d++;
		if (ok && d < n_days && strncmp(start, days[d].date, 10) == 0)
			starting[d]++;
	}
	for (size_t i = 0; ok && i < n_days; i++) {
		struct json_object *o = json_object_new_object();

		ok = o != NULL && json_add_string(o, "date", days[i].date) == 0 &&
		    json_add_bool(o, "open", days[i].open) == 0 &&
		    json_add_int(o, "free", starting[i]) == 0;
		if (o != NULL && json_object_array_add(list, o) != 0) {
			json_object_put(o);
			ok = false;
		}
	}
	/* json_add() puts what it could not add. */
	if (!ok || json_add(body, "items", items) != 0) {
		if (!ok)
			json_object_put(items);
		json_object_put(list);
		json_object_put(body);
		return NULL;
	}
	if (json_add(body, "days", list) != 0) {
		json_object_put(body);
		return NULL;
	}
	return body;
}

/* GET /api/v1/portal/{code}/appointments/slots?[practitioner_id=]&type_id=
 * &from=&to= [create_appointment]: {items: [{start, end,
 * practitioner_id}], days: [{date, open, free}]}; without a practitioner,
 * every active one's slots ("any practitioner"), soonest first. A day is
 * open when some working hours of it are not all time off, and free counts
 * its free slots: the app says "closed" or "full". An unknown, inactive or
 * not online-bookable practitioner or type is 422. The checks, the rules
 * and what slots are made of went ahead with the session's statement (one
 * round trip); slots_compute() steps through them. */
void
handle_portal_slots(struct request *req)
{
	const char *q[4];
	struct db_slots r;
	struct slot *slots;
	struct slot_day days[SLOTS_DAYS_MAX];
	size_t n_slots, n_days;
	struct json_object *body;
	enum err err;

	portal_slots_query(req, q);
	if (!v_ok(req))
		return;
	if ((err = db_slots(req->ctx->db, req->arena, q[0], q[1], q[2], q[3],
	    &r)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (!(r.bookable & DB_HAS_PRACTITIONER))
		v_problem_field(req, "practitioner_id", "No such practitioner "
		    "takes online bookings.");
	if (!(r.bookable & DB_HAS_TYPE))
		v_problem_field(req, "type_id", "No such appointment type can be "
		    "booked online.");
	if (!v_ok(req))
		return;
	switch (slots_compute(req->arena, &r, q[2], q[3], &slots, &n_slots,
	    days, &n_days)) {
	case SLOTS_OK:
		break;
	case SLOTS_TOO_MANY:
		v_problem_field(req, "to", "Too many free slots to list at "
		    "once: ask for fewer days or one practitioner.");
		v_ok(req);
		return;
	default:
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if ((body = slots_json(req->portal->clinic.time_zone, slots, n_slots,
	    days, n_days)) == NULL) {
		log_error("slots: no answer in zone %s",
		    req->portal->clinic.time_zone);
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	resp_json(req, 200, body);
}

/* The patient's own appointment {id}; false after answering 404. */
static bool
own_appt(struct request *req, struct db_appt *a)
{
	enum err err = db_appt_get(req->ctx->db, req->arena,
	    req->portal->clinic.id, route_param(&req->params, "id"),
	    req->portal->patient.id, a);

	if (err != ERR_OK) {
		problem_send_err(req, err, "appointment");
		return false;
	}
	return true;
}

/* GET /api/v1/portal/{code}/appointments/{id} [view_appointments]. */
void
handle_portal_appt_get(struct request *req)
{
	struct db_appt a;

	if (!own_appt(req, &a))
		return;
	resp_json(req, 200, portal_appt_json(&a, may_cancel(req)));
}

/* "Name, line 1, line 2": the clinic's name and its address on one line
 * (a calendar's location), blank lines left out; the name alone without
 * an address or memory. */
static const char *
place(struct arena *a, const char *name, const char *address)
{
	size_t nlen = strlen(name), alen, j;
	char *out;

	if (address == NULL || *address == '\0')
		return name;
	alen = strlen(address);
	/* Each line feed becomes ", " at most: 2 * alen bounds the rest. */
	if ((out = arena_alloc(a, nlen + 2 * alen + 3)) == NULL)
		return name;
	memcpy(out, name, nlen);
	j = nlen;
	for (const char *p = address; *p != '\0';) {
		size_t n = strcspn(p, "\n");

		while (n > 0 && (*p == ' ' || *p == '\r')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
			n--;
		if (n > 0) {
			memcpy(out + j, ", ", 2);
			memcpy(out + j + 2, p, n);
			j += n + 2;
		}
		p += strcspn(p, "\n");
		if (*p == '\n')
			p++;
	}
	out[j] = '\0';
	return out;
}

/* GET /api/v1/portal/{code}/appointments/{id}/ics [view_appointments]:
 * text/calendar, as an attachment. */
void
handle_portal_appt_ics(struct request *req)
{
	struct db_clinic_profile prof;
	struct db_appt a;
	struct ics_event e;
	char *text;
	size_t len;
	enum err err;

	if (!own_appt(req, &a))
		return;
	if ((err = db_clinic_profile_get(req->ctx->db, req->arena, &prof)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.uid = arena_printf(req->arena, "%s@patient-portal", a.id);
	e.dtstamp = a.stamp_utc;
	e.dtstart = a.start_utc;
	e.dtend = a.end_utc;
	/* Local times with the clinic's VTIMEZONE, so a calendar shows the
	 * clinic's wall clock whatever the zone it runs in. */
	e.tzid = req->portal->clinic.time_zone;
	e.summary = arena_printf(req->arena, "%s (%s)", a.type_name,
	    a.practitioner_name);
	/* Where to go: the clinic's name and address, its lines joined. */
	e.location = place(req->arena, req->portal->clinic.name, prof.address);
	e.description = arena_printf(req->arena, "%s, %s", a.type_name,
	    a.practitioner_name);
	e.status = strcmp(a.status, "booked") == 0 ? "CONFIRMED" : "CANCELLED";
	if (e.uid == NULL || e.summary == NULL || e.description == NULL ||
	    (text = ics_render(req->arena, &e, &len)) == NULL) {
		problem_send(req, "unavailable", NULL);
		return;
	}
	resp_header(req, "Content-Disposition", arena_printf(req->arena,
	    "attachment; filename=\"appointment-%s.ics\"", a.id));
	resp_raw(req, 200, "text/calendar; charset=utf-8", text, len);
}

static const char *
rule_detail(const char *rule)
{
	if (strcmp(rule, "practitioner_unavailable") == 0)
		return "This practitioner no longer takes bookings.";
	if (strcmp(rule, "type_not_bookable") == 0)
		return "This appointment type cannot be booked online.";
	if (strcmp(rule, "min_notice") == 0)
		return "That time is too soon; the clinic needs more notice.";
	if (strcmp(rule, "horizon") == 0)
		return "That time is too far ahead to book online.";
	if (strcmp(rule, "max_open_bookings") == 0)
		return "You have as many open bookings as the clinic allows.";
	return "That time is not a free slot in the practitioner's hours.";
}

/* POST /api/v1/portal/{code}/appointments {practitioner_id, type_id,
 * start} [create_appointment]: 201; 422 validation_failed for ids that
 * are not the clinic's; 422 booking_rule with rule; 409 slot_taken when
 * someone was first. */
void
handle_portal_appt_book(struct request *req)
{
	static const char *const known[] = { "practitioner_id", "type_id",
	    "start", NULL };
	const char *practitioner = NULL, *type = NULL, *start = NULL, *outcome;
	struct json_object *after;
	struct vobj body;
	struct db_appt a;
	enum err err;

	if (!v_body(req, &body, known))
		return;
	v_uuid(&body, "practitioner_id", V_REQUIRED, &practitioner);
	v_uuid(&body, "type_id", V_REQUIRED, &type);
	v_time(&body, "start", V_REQUIRED, &start);
	if (!v_ok(req))
		return;
	if ((err = db_book(req->ctx->db, req->arena, req->portal->patient.id,
	    practitioner, type, start, "portal", &outcome, &a)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (strcmp(outcome, "no_practitioner") == 0 ||
	    strcmp(outcome, "no_type") == 0) {
		v_problem_field(req, outcome[3] == 'p' ? "practitioner_id" :
		    "type_id", outcome[3] == 'p' ? "No such practitioner." :
		    "No such appointment type.");
		v_ok(req);
		return;
	}
	if (strcmp(outcome, "slot_taken") == 0) {
		slot_taken(req);
		return;
	}
	if (strcmp(outcome, "ok") != 0) {
		booking_rule(req, outcome, rule_detail(outcome));
		return;
	}
	if ((after = json_arena_own(req->arena, clinic_appt_json(&a))) == NULL ||
	    (err = notify(req, a.id, "appointment_confirmation")) != ERR_OK ||
	    (err = audit_record(req, "appointment.create", "appointment", a.id,
	    NULL, after)) != ERR_OK) {
		problem_send_err(req, err ? err : ERR_NOMEM, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/portal/%s/appointments/%s", req->portal->code, a.id));
	resp_json(req, 201, portal_appt_json(&a, may_cancel(req)));
}

/* POST /api/v1/portal/{code}/appointments/{id}/cancel [cancel_appointment]:
 * 200; 422 booking_rule cancel_cutoff past the cut-off; 409 conflict when
 * cancelled already. */
void
handle_portal_appt_cancel(struct request *req)
{
	struct json_object *before, *after;
	struct db_appt old, a;
	enum err err;

	if (!own_appt(req, &old))
		return;
	if (strcmp(old.status, "booked") != 0) {
		already_cancelled(req);
		return;
	}
	if (!old.before_cutoff) {
		booking_rule(req, "cancel_cutoff", "It is too late to cancel "
		    "online; please call the clinic.");
		return;
	}
	err = db_appt_cancel(req->ctx->db, req->arena, req->portal->clinic.id,
	    old.id, "portal", &a);
	if (err == ERR_NOT_FOUND) {
		already_cancelled(req);
		return;
	}
	if (err != ERR_OK || (before = json_arena_own(req->arena,
	    clinic_appt_json(&old))) == NULL || (after = json_arena_own(
	    req->arena, clinic_appt_json(&a))) == NULL ||
	    (err = notify(req, a.id, "appointment_cancellation")) != ERR_OK ||
	    (err = audit_record(req, "appointment.cancel", "appointment", a.id,
	    before, after)) != ERR_OK) {
		problem_send_err(req, err ? err : ERR_NOMEM, NULL);
		return;
	}
	resp_json(req, 200, portal_appt_json(&a, may_cancel(req)));
}
