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
 * .ics for a calendar, and cancelling before the cut-off. Each handler
 * first asks portal_allow() for its permission; the patient_auth()
 * transaction is open on entry and every path commits or rolls it back.
 *
 * Booking and cancelling queue a message to the patient in the same
 * transaction (outbox), with the clinic's template for the purpose in the
 * patient's language, and are audited. A booking's `source` and a
 * cancellation's `cancelled_by` say who did it (portal, staff or api).
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
#include "db_outbox.h"
#include "db_schedule.h"
#include "http.h"
#include "ics.h"
#include "json_util.h"
#include "log.h"
#include "portal_http.h"
#include "problem.h"
#include "routes.h"
#include "sched_http.h"
#include "slots.h"
#include "str.h"

#define RANGE_DAYS_MAX 31
#define CLINIC_LIST_MAX 2000

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
	return o;
}

/* ---- shared steps ---- */

/* Rolls back and answers the validation problems gathered. */
static void
bad_input(struct request *req, struct problem_list *pl)
{
	db_rollback(req->ctx->db);
	problem_list_send(req, pl, NULL);
}

static void
booking_rule(struct request *req, const char *rule, const char *detail)
{
	db_rollback(req->ctx->db);
	problem_send_ex(req, "booking_rule", detail,
	    json_tokener_parse(arena_printf(req->arena, "{\"rule\": \"%s\"}",
	    rule)));
}

static void
slot_taken(struct request *req)
{
	db_rollback(req->ctx->db);
	problem_send(req, "slot_taken", "That time is no longer free; pick "
	    "another slot.");
}

/* The {id} of the route, or NULL after answering 404 (rolled back). */
static const char *
appt_id(struct request *req)
{
	const char *id = route_param(&req->params, "id");

	if (id == NULL || !str_is_uuid(id)) {
		sched_fail(req, ERR_NOT_FOUND, "No such appointment.");
		return NULL;
	}
	return id;
}

/*
 * Queues the message of purpose about appointment id to its patient
 * through the one entry point for outbox messages (db_outbox_compose()):
 * on the channel the patient's communication choices allow (SMS first,
 * then email), with the clinic's template for the purpose in their
 * language (the other language when that variant is missing). A patient
 * who can be reached on neither, or a clinic without such a template,
 * gets no message; that is logged, not an error.
 */
static enum err
notify(struct request *req, const char *clinic_id, const char *id,
    const char *purpose)
{
	struct db_appt_notice n;
	struct db_composed out;
	struct db_compose m;
	enum err err;

	if ((err = db_appt_notice(req->ctx->db, req->arena, clinic_id, id,
	    &n)) != ERR_OK)
		return err;
	memset(&m, 0, sizeof(m));
	m.purpose = purpose;
	m.patient_id = n.patient_id;
	m.values_json = n.values_json;
	m.base_url = req->ctx->conf->public_url;
	m.created_by_type = req->actor.kind == ACTOR_PATIENT ? "patient" :
	    req->actor.kind == ACTOR_API_KEY ? "api_key" : "staff";
	m.created_by_id = req->actor.id;
	if ((err = db_outbox_compose(req->ctx->db, req->arena, &m,
	    &out)) != ERR_OK)
		return err;
	if (out.outcome != DB_COMPOSED)
		log_info("appointment %s: no %s sent (%s)", id, purpose,
		    out.outcome == DB_COMPOSE_NO_CONTACT ? "no contact" :
		    "no template");
	return ERR_OK;
}

/* Who a clinic-side change is by, for source / cancelled_by. */
static const char *
clinic_source(struct request *req)
{
	return req->actor.kind == ACTOR_API_KEY ? "api" : "staff";
}

/*
 * from and to (dates, to not before from, at most 31 days inclusive)
 * from the query; false after adding problems.
 */
static bool
query_range(struct request *req, const char **from, const char **to,
    struct problem_list *pl)
{
	long d1 = 0, d2 = 0;
	bool ok = sched_query_date(req, "from", true, from, &d1, pl);

	ok = sched_query_date(req, "to", true, to, &d2, pl) && ok;
	if (!ok)
		return false;
	if (d2 < d1) {
		problem_list_add(pl, "to", "Must not be before from.");
		return false;
	}
	if (d2 - d1 + 1 > RANGE_DAYS_MAX) {
		problem_list_add(pl, "to", "The range may span at most 31 days.");
		return false;
	}
	return true;
}

/* A query parameter that must be an id when present. */
static const char *
query_id(struct request *req, const char *name, struct problem_list *pl)
{
	const char *s = req_query(req, name);

	if (s != NULL && !str_is_uuid(s)) {
		problem_list_add(pl, name, "Must be an id.");
		return NULL;
	}
	return s;
}

/* ---- clinic side ---- */

/* GET /api/v1/clinic/appointments?from=&to=&practitioner_id=&patient_id=:
 * {items, next_cursor: null}, by start; at most 2000 (422 beyond, so a
 * calendar never shows a silently cut list). */
void
handle_clinic_appts_list(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl = problem_list_new(req);
	const char *from = NULL, *to = NULL, *practitioner, *patient;
	struct db_appt *rows;
	struct json_object *body, *items;
	int n = 0;
	enum err err;

	query_range(req, &from, &to, pl);
	practitioner = query_id(req, "practitioner_id", pl);
	patient = query_id(req, "patient_id", pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_appt_list_clinic(db, req->arena, req->actor.clinic_id,
	    from, to, practitioner, patient, CLINIC_LIST_MAX + 1, &rows,
	    &n)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	if (n > CLINIC_LIST_MAX) {
		problem_list_add(pl, "to", "More than 2000 appointments; ask for "
		    "fewer days or one practitioner.");
		problem_list_send(req, pl, NULL);
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++)
		json_object_array_add(items, clinic_appt_json(&rows[i]));
	json_add(body, "items", items);
	json_add(body, "next_cursor", NULL);
	resp_json(req, 200, body);
}

/* Commits after the audit row (and message), then answers the
 * appointment (201 or 200). */
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
	if (after == NULL) {
		sched_fail(req, ERR_NOMEM, NULL);
		return;
	}
	if ((purpose != NULL && (err = notify(req, req->actor.clinic_id, a->id,
	    purpose)) != ERR_OK) || (err = audit_record(req, action,
	    "appointment", a->id, b, after)) != ERR_OK ||
	    (err = db_commit(req->ctx->db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	if (status == 201)
		resp_header(req, "Location", arena_printf(req->arena,
		    "/api/v1/clinic/appointments/%s", a->id));
	resp_json(req, status, json_object_get(after));
}

/* Checks that the body's ids name the clinic's patient, practitioner and
 * type; false after answering 422. */
static bool
ids_exist(struct request *req, const char *patient, const char *practitioner,
    const char *type, struct problem_list *pl)
{
	unsigned found = 0;
	enum err err;

	if ((err = db_schedule_ids(req->ctx->db, req->actor.clinic_id, patient,
	    practitioner, type, false, &found)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return false;
	}
	if (patient != NULL && !(found & DB_HAS_PATIENT))
		problem_list_add(pl, "patient_id", "No such patient.");
	if (practitioner != NULL && !(found & DB_HAS_PRACTITIONER))
		problem_list_add(pl, "practitioner_id", "No such practitioner.");
	if (type != NULL && !(found & DB_HAS_TYPE))
		problem_list_add(pl, "type_id", "No such appointment type.");
	if (problem_list_count(pl) > 0) {
		bad_input(req, pl);
		return false;
	}
	return true;
}

/* POST /api/v1/clinic/appointments {patient_id, practitioner_id, type_id,
 * start, note?}: 201; 409 slot_taken on overlap. */
void
handle_clinic_appt_create(struct request *req)
{
	static const char *const known[] = { "patient_id", "practitioner_id",
	    "type_id", "start", "note", NULL };
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	const char *patient, *practitioner, *type, *start, *note;
	struct db_appt a;
	enum err err;

	if (!req_json_object(req))
		return;
	pl = problem_list_new(req);
	sched_fields_known(req, known, pl);
	patient = sched_uuid(req, "patient_id", true, NULL, pl);
	practitioner = sched_uuid(req, "practitioner_id", true, NULL, pl);
	type = sched_uuid(req, "type_id", true, NULL, pl);
	start = sched_instant(req, "start", true, pl);
	note = sched_string(req, "note", 1000, false, true, pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	if (!ids_exist(req, patient, practitioner, type, pl))
		return;
	err = db_appt_create(db, req->arena, req->actor.clinic_id, patient,
	    practitioner, type, start, clinic_source(req), note, &a);
	if (err == ERR_CONFLICT) {
		slot_taken(req);
		return;
	}
	if (err != ERR_OK) {
		sched_fail(req, err, NULL);
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
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	const char *id, *practitioner, *type, *start, *note;
	struct db_appt old, a;
	enum err err;

	if ((id = appt_id(req)) == NULL || !req_json_object(req))
		return;
	pl = problem_list_new(req);
	sched_fields_known(req, known, pl);
	practitioner = sched_uuid(req, "practitioner_id", false, NULL, pl);
	type = sched_uuid(req, "type_id", false, NULL, pl);
	start = sched_instant(req, "start", false, pl);
	note = sched_string(req, "note", 1000, false, true, pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_appt_get(db, req->arena, req->actor.clinic_id, id, NULL,
	    &old)) != ERR_OK) {
		sched_fail(req, err, "No such appointment.");
		return;
	}
	if ((practitioner != NULL || type != NULL) &&
	    !ids_exist(req, NULL, practitioner, type, pl))
		return;
	if (strcmp(old.status, "booked") != 0 && (practitioner != NULL ||
	    type != NULL || start != NULL)) {
		db_rollback(db);
		problem_send(req, "conflict", "A cancelled appointment cannot be "
		    "moved; book a new one.");
		return;
	}
	err = db_appt_update(db, req->arena, req->actor.clinic_id, id,
	    practitioner, type, start, note, &a);
	if (err == ERR_CONFLICT) {
		slot_taken(req);
		return;
	}
	if (err != ERR_OK) {
		sched_fail(req, err, "No such appointment.");
		return;
	}
	clinic_done(req, 200, "appointment.update", &old, &a, NULL);
}

/* POST /api/v1/clinic/appointments/{id}/cancel: 200; 409 conflict when
 * it is cancelled already. */
void
handle_clinic_appt_cancel(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *id;
	struct db_appt old, a;
	enum err err;

	if ((id = appt_id(req)) == NULL)
		return;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_appt_get(db, req->arena, req->actor.clinic_id, id, NULL,
	    &old)) != ERR_OK) {
		sched_fail(req, err, "No such appointment.");
		return;
	}
	err = db_appt_cancel(db, req->arena, req->actor.clinic_id, id,
	    clinic_source(req), &a);
	if (err == ERR_NOT_FOUND) {
		db_rollback(db);
		problem_send(req, "conflict", "The appointment is cancelled "
		    "already.");
		return;
	}
	if (err != ERR_OK) {
		sched_fail(req, err, NULL);
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

/* GET /api/v1/portal/{code}/appointments?scope=upcoming|past&cursor=&limit=
 * [view_appointments]: {items, next_cursor}; upcoming soonest first, past
 * newest first. */
void
handle_portal_appts_list(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *scope = req_query(req, "scope"),
	    *cursor = req_query(req, "cursor");
	struct problem_list *pl;
	struct db_appt *rows;
	struct json_object *body, *items;
	bool upcoming, cancel;
	int limit, n = 0;
	enum err err;

	if (!portal_allow(req, PERM_VIEW_APPOINTMENTS))
		return;
	if (!req_limit(req, &limit)) {
		db_rollback(db);
		return;
	}
	pl = problem_list_new(req);
	if (scope != NULL && strcmp(scope, "upcoming") != 0 &&
	    strcmp(scope, "past") != 0) {
		problem_list_add(pl, "scope", "Must be upcoming or past.");
		bad_input(req, pl);
		return;
	}
	upcoming = scope == NULL || strcmp(scope, "upcoming") == 0;
	err = db_appt_list_patient(db, req->arena, req->portal->clinic.id,
	    req->portal->patient.id, upcoming, cursor, limit + 1, &rows, &n);
	if (err == ERR_INVALID) {
		problem_list_add(pl, "cursor", "Not a cursor this list gave out.");
		bad_input(req, pl);
		return;
	}
	if (err != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	cancel = may_cancel(req);
	body = json_object_new_object();
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n && i < limit; i++)
		json_object_array_add(items, portal_appt_json(&rows[i], cancel));
	json_add(body, "items", items);
	json_add_string(body, "next_cursor", n > limit ? rows[limit - 1].cursor :
	    NULL);
	resp_json(req, 200, body);
}

/* GET /api/v1/portal/{code}/appointments/booking-options
 * [create_appointment]: {practitioners: [{id, name}], types: [{id, name,
 * duration_minutes}]}, active and online-bookable ones. */
void
handle_portal_booking_options(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *clinic_id;
	struct db_practitioner *ps;
	struct db_appt_type *ts;
	struct json_object *body, *pa, *ta;
	int np = 0, nt = 0;
	enum err err;

	if (!portal_allow(req, PERM_CREATE_APPOINTMENT))
		return;
	clinic_id = req->portal->clinic.id;
	if ((err = db_practitioner_list(db, req->arena, clinic_id, true, &ps,
	    &np)) != ERR_OK || (err = db_type_list(db, req->arena, clinic_id,
	    true, &ts, &nt)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err, NULL);
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
	json_add(body, "practitioners", pa);
	json_add(body, "types", ta);
	resp_json(req, 200, body);
}

/* GET /api/v1/portal/{code}/appointments/slots?practitioner_id=&type_id=
 * &from=&to= [create_appointment]: {items: [{start, end,
 * practitioner_id}]}. An unknown, inactive or not online-bookable
 * practitioner or type is 422. */
void
handle_portal_slots(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	const char *practitioner, *type, *from = NULL, *to = NULL,
	    *clinic_id = req->portal->clinic.id;
	struct db_slot *slots;
	struct json_object *body, *items;
	unsigned found = 0;
	int n = 0;
	enum err err;

	if (!portal_allow(req, PERM_CREATE_APPOINTMENT))
		return;
	pl = problem_list_new(req);
	practitioner = query_id(req, "practitioner_id", pl);
	type = query_id(req, "type_id", pl);
	if (req_query(req, "practitioner_id") == NULL)
		problem_list_add(pl, "practitioner_id", "Required.");
	if (req_query(req, "type_id") == NULL)
		problem_list_add(pl, "type_id", "Required.");
	query_range(req, &from, &to, pl);
	if (problem_list_count(pl) > 0) {
		bad_input(req, pl);
		return;
	}
	if ((err = db_schedule_ids(db, clinic_id, NULL, practitioner, type,
	    true, &found)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	if (!(found & DB_HAS_PRACTITIONER))
		problem_list_add(pl, "practitioner_id", "No such practitioner "
		    "takes online bookings.");
	if (!(found & DB_HAS_TYPE))
		problem_list_add(pl, "type_id", "No such appointment type can be "
		    "booked online.");
	if (problem_list_count(pl) > 0) {
		bad_input(req, pl);
		return;
	}
	if ((err = db_slots(db, req->arena, clinic_id, practitioner, type, from,
	    to, &slots, &n)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++) {
		struct json_object *s = json_object_new_object();

		json_add_string(s, "start", slots[i].start);
		json_add_string(s, "end", slots[i].end);
		json_add_string(s, "practitioner_id", practitioner);
		json_object_array_add(items, s);
	}
	json_add(body, "items", items);
	resp_json(req, 200, body);
}

/* The patient's own appointment {id}; false after answering 404. */
static bool
own_appt(struct request *req, struct db_appt *a)
{
	const char *id = appt_id(req);
	enum err err;

	if (id == NULL)
		return false;
	if ((err = db_appt_get(req->ctx->db, req->arena, req->portal->clinic.id,
	    id, req->portal->patient.id, a)) != ERR_OK) {
		sched_fail(req, err, "No such appointment.");
		return false;
	}
	return true;
}

/* GET /api/v1/portal/{code}/appointments/{id} [view_appointments]. */
void
handle_portal_appt_get(struct request *req)
{
	struct db_appt a;
	enum err err;

	if (!portal_allow(req, PERM_VIEW_APPOINTMENTS) || !own_appt(req, &a))
		return;
	if ((err = db_commit(req->ctx->db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	resp_json(req, 200, portal_appt_json(&a, may_cancel(req)));
}

/* GET /api/v1/portal/{code}/appointments/{id}/ics [view_appointments]:
 * text/calendar, as an attachment. */
void
handle_portal_appt_ics(struct request *req)
{
	struct db_appt a;
	struct ics_event e;
	char *text;
	size_t len;
	enum err err;

	if (!portal_allow(req, PERM_VIEW_APPOINTMENTS) || !own_appt(req, &a))
		return;
	if ((err = db_commit(req->ctx->db)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.uid = arena_printf(req->arena, "%s@patient-portal", a.id);
	e.dtstamp = a.stamp_utc;
	e.dtstart = a.start_utc;
	e.dtend = a.end_utc;
	e.summary = arena_printf(req->arena, "%s (%s)", a.type_name,
	    a.practitioner_name);
	e.location = req->portal->clinic.name;
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
 * start} [create_appointment]: 201; 422 booking_rule with rule; 409
 * slot_taken when someone was first. */
void
handle_portal_appt_book(struct request *req)
{
	static const char *const known[] = { "practitioner_id", "type_id",
	    "start", NULL };
	struct db *db = req->ctx->db;
	const char *clinic_id = req->portal->clinic.id,
	    *patient_id = req->portal->patient.id;
	struct problem_list *pl;
	const char *practitioner, *type, *start, *rule;
	struct json_object *after;
	struct db_appt a;
	unsigned found = 0;
	enum err err;

	if (!portal_allow(req, PERM_CREATE_APPOINTMENT))
		return;
	if (!req_json_object(req)) {
		db_rollback(db);
		return;
	}
	pl = problem_list_new(req);
	sched_fields_known(req, known, pl);
	practitioner = sched_uuid(req, "practitioner_id", true, NULL, pl);
	type = sched_uuid(req, "type_id", true, NULL, pl);
	start = sched_instant(req, "start", true, pl);
	if (problem_list_count(pl) > 0) {
		bad_input(req, pl);
		return;
	}
	if ((err = db_schedule_ids(db, clinic_id, NULL, practitioner, type,
	    false, &found)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	if (!(found & DB_HAS_PRACTITIONER))
		problem_list_add(pl, "practitioner_id", "No such practitioner.");
	if (!(found & DB_HAS_TYPE))
		problem_list_add(pl, "type_id", "No such appointment type.");
	if (problem_list_count(pl) > 0) {
		bad_input(req, pl);
		return;
	}
	if ((err = db_booking_verdict(db, clinic_id, patient_id, practitioner,
	    type, start, &rule)) != ERR_OK) {
		sched_fail(req, err, NULL);
		return;
	}
	if (rule != NULL) {
		booking_rule(req, rule, rule_detail(rule));
		return;
	}
	err = db_appt_create(db, req->arena, clinic_id, patient_id,
	    practitioner, type, start, "portal", NULL, &a);
	if (err == ERR_CONFLICT) {
		slot_taken(req);
		return;
	}
	if (err != ERR_OK || (after = json_arena_own(req->arena,
	    clinic_appt_json(&a))) == NULL ||
	    (err = notify(req, clinic_id, a.id, "appointment_confirmation")) !=
	    ERR_OK || (err = audit_record(req, "appointment.create",
	    "appointment", a.id, NULL, after)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err ? err : ERR_NOMEM, NULL);
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
	struct db *db = req->ctx->db;
	struct json_object *before, *after;
	struct db_appt old, a;
	enum err err;

	if (!portal_allow(req, PERM_CANCEL_APPOINTMENT) || !own_appt(req, &old))
		return;
	if (strcmp(old.status, "booked") != 0) {
		db_rollback(db);
		problem_send(req, "conflict", "The appointment is cancelled "
		    "already.");
		return;
	}
	if (!old.before_cutoff) {
		booking_rule(req, "cancel_cutoff", "It is too late to cancel "
		    "online; please call the clinic.");
		return;
	}
	err = db_appt_cancel(db, req->arena, req->portal->clinic.id, old.id,
	    "portal", &a);
	if (err == ERR_NOT_FOUND) {
		db_rollback(db);
		problem_send(req, "conflict", "The appointment is cancelled "
		    "already.");
		return;
	}
	if (err != ERR_OK || (before = json_arena_own(req->arena,
	    clinic_appt_json(&old))) == NULL || (after = json_arena_own(
	    req->arena, clinic_appt_json(&a))) == NULL ||
	    (err = notify(req, req->portal->clinic.id, a.id,
	    "appointment_cancellation")) != ERR_OK ||
	    (err = audit_record(req, "appointment.cancel", "appointment", a.id,
	    before, after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		sched_fail(req, err ? err : ERR_NOMEM, NULL);
		return;
	}
	resp_json(req, 200, portal_appt_json(&a, may_cancel(req)));
}
