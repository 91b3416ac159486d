/*
 * schedule_sql.c - the statements of scheduling (db_schedule.h):
 * practitioners, appointment types, working hours, time off, booking
 * rules, free slots and appointments.
 *
 * Wall-clock working hours become instants in SQL with
 * (date + time) AT TIME ZONE clinics.time_zone, day by day, so each day's
 * hours start at the same local time on both sides of a daylight-saving
 * change. Double booking is left to the exclusion constraint of 0007.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "db_schedule.h"

#define LIST_MAX "500"

/* Columns of an appointment read through alias a, with clinics c and
 * booking_rules r joined (see APPT_JOINS). */
#define APPT_COLUMNS \
	"a.id, a.patient_id, p.first_name || ' ' || p.last_name, " \
	"a.practitioner_id, pr.name, a.type_id, t.name, t.duration_minutes, " \
	"portal_iso(lower(a.during), c.time_zone), " \
	"portal_iso(upper(a.during), c.time_zone), " \
	"to_char(lower(a.during) AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'), " \
	"to_char(upper(a.during) AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'), " \
	"to_char(a.updated_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'), " \
	"a.status, a.source, a.cancelled_by, " \
	"portal_iso(a.cancelled_at, c.time_zone), a.note, " \
	"portal_iso(a.created_at, c.time_zone), " \
	"a.status = 'booked' AND lower(a.during) > now() + " \
	"r.cancel_cutoff_minutes * interval '1 minute', " \
	"(extract(epoch FROM lower(a.during)) * 1000000)::bigint || '.' || a.id"

#define APPT_JOINS \
	" JOIN patients p ON p.clinic_id = a.clinic_id AND p.id = a.patient_id" \
	" JOIN practitioners pr ON pr.clinic_id = a.clinic_id AND pr.id = a.practitioner_id" \
	" JOIN appointment_types t ON t.clinic_id = a.clinic_id AND t.id = a.type_id" \
	" JOIN clinics c ON c.id = a.clinic_id" \
	" JOIN booking_rules r ON r.clinic_id = a.clinic_id"

/* The first instant of date $n in the clinic's zone, as an init plan
 * the planner can use in an index condition. */
#define DAY_START(n) "(SELECT " n "::date::timestamp AT TIME ZONE time_zone " \
	"FROM clinics WHERE id = $1)"
#define DAY_END(n) "(SELECT (" n "::date + 1)::timestamp AT TIME ZONE time_zone " \
	"FROM clinics WHERE id = $1)"

#define PRACTITIONER_COLUMNS "id, name, active, " \
	"portal_iso(created_at, (SELECT time_zone FROM clinics WHERE id = $1))"
#define TYPE_COLUMNS "id, name, duration_minutes, online_bookable, active, " \
	"portal_iso(created_at, (SELECT time_zone FROM clinics WHERE id = $1))"
#define TIME_OFF_COLUMNS "id, practitioner_id, " \
	"portal_iso(lower(during), (SELECT time_zone FROM clinics WHERE id = $1)), " \
	"portal_iso(upper(during), (SELECT time_zone FROM clinics WHERE id = $1)), " \
	"reason, portal_iso(created_at, (SELECT time_zone FROM clinics WHERE id = $1))"

enum stmt_id {
	STMT_PRACT_LIST,
	STMT_PRACT_GET,
	STMT_PRACT_CREATE,
	STMT_PRACT_UPDATE,
	STMT_TYPE_LIST,
	STMT_TYPE_GET,
	STMT_TYPE_CREATE,
	STMT_TYPE_UPDATE,
	STMT_HOURS_GET,
	STMT_HOURS_DELETE,
	STMT_HOURS_INSERT,
	STMT_OFF_LIST,
	STMT_OFF_CREATE,
	STMT_OFF_DELETE,
	STMT_RULES_GET,
	STMT_RULES_PUT,
	STMT_SLOTS,
	STMT_IDS,
	STMT_VERDICT,
	STMT_APPT_CREATE,
	STMT_APPT_GET,
	STMT_APPT_UPDATE,
	STMT_APPT_CANCEL,
	STMT_LIST_PRACTITIONER,
	STMT_LIST_PATIENT_RANGE,
	STMT_LIST_CLINIC,
	STMT_LIST_UPCOMING,
	STMT_LIST_PAST,
	STMT_NOTICE,
	STMT_SEED_DEMO,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_PRACT_LIST] = { "sched_practitioner_list",
	    "SELECT " PRACTITIONER_COLUMNS " FROM practitioners "
	    "WHERE clinic_id = $1 AND (active OR NOT $2) "
	    "ORDER BY name, id LIMIT " LIST_MAX, 2, true },
	[STMT_PRACT_GET] = { "sched_practitioner_get",
	    "SELECT " PRACTITIONER_COLUMNS " FROM practitioners "
	    "WHERE clinic_id = $1 AND id = $2", 2, true },
	[STMT_PRACT_CREATE] = { "sched_practitioner_create",
	    "INSERT INTO practitioners (clinic_id, name, active) "
	    "VALUES ($1, $2, $3) RETURNING " PRACTITIONER_COLUMNS, 3, false },
	[STMT_PRACT_UPDATE] = { "sched_practitioner_update",
	    "UPDATE practitioners SET name = coalesce($3, name), "
	    "active = coalesce($4, active) WHERE clinic_id = $1 AND id = $2 "
	    "RETURNING " PRACTITIONER_COLUMNS, 4, false },
	[STMT_TYPE_LIST] = { "sched_type_list",
	    "SELECT " TYPE_COLUMNS " FROM appointment_types "
	    "WHERE clinic_id = $1 AND ((active AND online_bookable) OR NOT $2) "
	    "ORDER BY name, id LIMIT " LIST_MAX, 2, true },
	[STMT_TYPE_GET] = { "sched_type_get",
	    "SELECT " TYPE_COLUMNS " FROM appointment_types "
	    "WHERE clinic_id = $1 AND id = $2", 2, true },
	[STMT_TYPE_CREATE] = { "sched_type_create",
	    "INSERT INTO appointment_types (clinic_id, name, duration_minutes, "
	    "online_bookable, active) VALUES ($1, $2, $3, $4, $5) "
	    "RETURNING " TYPE_COLUMNS, 5, false },
	[STMT_TYPE_UPDATE] = { "sched_type_update",
	    "UPDATE appointment_types SET name = coalesce($3, name), "
	    "duration_minutes = coalesce($4, duration_minutes), "
	    "online_bookable = coalesce($5, online_bookable), "
	    "active = coalesce($6, active) WHERE clinic_id = $1 AND id = $2 "
	    "RETURNING " TYPE_COLUMNS, 6, false },
	[STMT_HOURS_GET] = { "sched_hours_get",
	    "SELECT weekday, to_char(start_time, 'HH24:MI'), "
	    "to_char(end_time, 'HH24:MI') FROM working_hours "
	    "WHERE clinic_id = $1 AND practitioner_id = $2 "
	    "ORDER BY weekday, start_time", 2, true },
	[STMT_HOURS_DELETE] = { "sched_hours_delete",
	    "DELETE FROM working_hours WHERE clinic_id = $1 "
	    "AND practitioner_id = $2", 2, false },
	[STMT_HOURS_INSERT] = { "sched_hours_insert",
	    "INSERT INTO working_hours (clinic_id, practitioner_id, weekday, "
	    "start_time, end_time) SELECT $1, $2, w, s, e FROM "
	    "unnest($3::smallint[], $4::time[], $5::time[]) AS u (w, s, e)",
	    5, false },
	[STMT_OFF_LIST] = { "sched_time_off_list",
	    "SELECT " TIME_OFF_COLUMNS " FROM time_off WHERE clinic_id = $1 "
	    "AND ($2::date IS NULL OR upper(during) > " DAY_START("$2") ") "
	    "AND ($3::date IS NULL OR lower(during) < " DAY_END("$3") ") "
	    "AND ($4::uuid IS NULL OR practitioner_id = $4 "
	    "OR practitioner_id IS NULL) "
	    "ORDER BY lower(during), id LIMIT " LIST_MAX, 4, true },
	[STMT_OFF_CREATE] = { "sched_time_off_create",
	    "INSERT INTO time_off (clinic_id, practitioner_id, during, reason) "
	    "VALUES ($1, $2, CASE WHEN $3::timestamptz < $4::timestamptz "
	    "THEN tstzrange($3, $4) END, $5) RETURNING " TIME_OFF_COLUMNS,
	    5, false },
	[STMT_OFF_DELETE] = { "sched_time_off_delete",
	    "DELETE FROM time_off WHERE clinic_id = $1 AND id = $2 "
	    "RETURNING " TIME_OFF_COLUMNS, 2, false },
	[STMT_RULES_GET] = { "sched_rules_get",
	    "SELECT min_notice_minutes, horizon_days, cancel_cutoff_minutes, "
	    "max_open_bookings, slot_step_minutes FROM booking_rules "
	    "WHERE clinic_id = $1", 1, true },
	[STMT_RULES_PUT] = { "sched_rules_put",
	    "UPDATE booking_rules SET min_notice_minutes = $2, "
	    "horizon_days = $3, cancel_cutoff_minutes = $4, "
	    "max_open_bookings = $5, slot_step_minutes = $6, "
	    "updated_at = now() WHERE clinic_id = $1 RETURNING clinic_id",
	    6, false },
	/*
	 * Each day of the range meets the practitioner's hours of its ISO
	 * weekday; (day + wall time) AT TIME ZONE tz is the instant, which
	 * moves by an hour across a daylight-saving change while the local
	 * time stays. Slots step from each window's start.
	 */
	[STMT_SLOTS] = { "sched_slots",
	    "WITH z AS (SELECT c.time_zone AS tz, "
	    "r.min_notice_minutes * interval '1 minute' AS notice, "
	    "r.horizon_days * interval '1 day' AS horizon, "
	    "r.slot_step_minutes * interval '1 minute' AS step "
	    "FROM clinics c JOIN booking_rules r ON r.clinic_id = c.id "
	    "WHERE c.id = $1), "
	    "t AS (SELECT duration_minutes * interval '1 minute' AS len "
	    "FROM appointment_types WHERE clinic_id = $1 AND id = $3), "
	    "win AS (SELECT (d::date + h.start_time) AT TIME ZONE z.tz AS ws, "
	    "(d::date + h.end_time) AT TIME ZONE z.tz AS we FROM z, "
	    "generate_series($4::date::timestamp, $5::date::timestamp, "
	    "interval '1 day') AS d JOIN working_hours h "
	    "ON h.clinic_id = $1 AND h.practitioner_id = $2 "
	    "AND h.weekday = extract(isodow FROM d)), "
	    "cand AS (SELECT s, s + t.len AS e FROM win, t, z, "
	    "generate_series(win.ws, win.we - t.len, z.step) AS s), "
	    /* The days' bookings, once, through an index (see sql/0011). */
	    "booked AS (SELECT portal_booked_ranges($2, "
	    "$4::date::timestamp AT TIME ZONE z.tz, "
	    "($5::date + 1)::timestamp AT TIME ZONE z.tz) AS m FROM z) "
	    "SELECT portal_iso(cand.s, z.tz), portal_iso(cand.e, z.tz) "
	    "FROM cand, z WHERE cand.s >= now() + z.notice "
	    "AND cand.s < now() + z.horizon "
	    "AND NOT (SELECT m FROM booked) && tstzrange(cand.s, cand.e) "
	    "AND NOT EXISTS (SELECT 1 FROM time_off o WHERE o.clinic_id = $1 "
	    "AND (o.practitioner_id IS NULL OR o.practitioner_id = $2) "
	    "AND o.during && tstzrange(cand.s, cand.e)) "
	    "ORDER BY cand.s", 5, true },
	[STMT_IDS] = { "sched_ids",
	    "SELECT EXISTS (SELECT 1 FROM patients WHERE clinic_id = $1 "
	    "AND id = $2), EXISTS (SELECT 1 FROM practitioners "
	    "WHERE clinic_id = $1 AND id = $3 AND (active OR NOT $5)), "
	    "EXISTS (SELECT 1 FROM appointment_types WHERE clinic_id = $1 "
	    "AND id = $4 AND ((active AND online_bookable) OR NOT $5))",
	    5, true },
	/*
	 * The first rule a patient's booking of practitioner $3, type $4 at
	 * $5 breaks. "On the grid": inside one of that day's windows, a whole
	 * number of steps after the window's start, and clear of time off.
	 */
	[STMT_VERDICT] = { "sched_booking_verdict",
	    "WITH z AS (SELECT c.time_zone AS tz, "
	    "r.min_notice_minutes * interval '1 minute' AS notice, "
	    "r.horizon_days * interval '1 day' AS horizon, "
	    "r.slot_step_minutes * 60 AS step_s, r.max_open_bookings AS max_open "
	    "FROM clinics c JOIN booking_rules r ON r.clinic_id = c.id "
	    "WHERE c.id = $1), "
	    "t AS (SELECT duration_minutes * interval '1 minute' AS len, "
	    "active AND online_bookable AS bookable FROM appointment_types "
	    "WHERE clinic_id = $1 AND id = $4), "
	    "me AS (SELECT id FROM patients WHERE clinic_id = $1 AND id = $2 "
	    "FOR UPDATE), "
	    "dz AS (SELECT ($5::timestamptz AT TIME ZONE z.tz)::date AS d FROM z), "
	    "grid AS (SELECT EXISTS (SELECT 1 FROM working_hours h, z, t, dz "
	    "WHERE h.clinic_id = $1 AND h.practitioner_id = $3 "
	    "AND h.weekday = extract(isodow FROM dz.d) "
	    "AND $5::timestamptz >= (dz.d + h.start_time) AT TIME ZONE z.tz "
	    "AND $5::timestamptz + t.len <= (dz.d + h.end_time) AT TIME ZONE z.tz "
	    "AND extract(epoch FROM $5::timestamptz - "
	    "((dz.d + h.start_time) AT TIME ZONE z.tz))::bigint % z.step_s = 0) "
	    "AS ok), "
	    "blocked AS (SELECT EXISTS (SELECT 1 FROM time_off o, t "
	    "WHERE o.clinic_id = $1 AND (o.practitioner_id IS NULL "
	    "OR o.practitioner_id = $3) "
	    "AND o.during && tstzrange($5::timestamptz, $5::timestamptz + t.len)) "
	    "AS hit), "
	    "mine AS (SELECT count(*) AS n FROM appointments "
	    "WHERE clinic_id = $1 AND patient_id = (SELECT id FROM me) "
	    "AND status = 'booked' AND lower(during) > now()) "
	    "SELECT CASE "
	    "WHEN NOT coalesce((SELECT bookable FROM t), false) "
	    "THEN 'type_not_bookable' "
	    "WHEN $5::timestamptz < now() + z.notice THEN 'min_notice' "
	    "WHEN $5::timestamptz >= now() + z.horizon THEN 'horizon' "
	    "WHEN NOT grid.ok OR blocked.hit THEN 'outside_hours' "
	    "WHEN mine.n >= z.max_open THEN 'max_open_bookings' "
	    "END FROM z, grid, blocked, mine", 5, false },
	/*
	 * Bookings of one practitioner queue on the practitioner's row (FOR
	 * NO KEY UPDATE, which foreign-key checks do not wait for): racing
	 * inserts into the exclusion constraint could otherwise deadlock
	 * each other instead of one winning and the rest hearing 23P01.
	 */
	[STMT_APPT_CREATE] = { "sched_appt_create",
	    "WITH lk AS (SELECT id FROM practitioners WHERE clinic_id = $1 "
	    "AND id = $3 FOR NO KEY UPDATE), "
	    "a AS (INSERT INTO appointments (clinic_id, patient_id, "
	    "practitioner_id, type_id, during, source, note) "
	    "SELECT $1, $2, lk.id, ty.id, tstzrange($5::timestamptz, $5::timestamptz "
	    "+ ty.duration_minutes * interval '1 minute'), $6, coalesce($7, '') "
	    "FROM lk, appointment_types ty WHERE ty.clinic_id = $1 AND ty.id = $4 "
	    "RETURNING *) SELECT " APPT_COLUMNS " FROM a" APPT_JOINS, 7, false },
	[STMT_APPT_GET] = { "sched_appt_get",
	    "SELECT " APPT_COLUMNS " FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = $1 AND a.id = $2 "
	    "AND ($3::uuid IS NULL OR a.patient_id = $3)", 3, true },
	[STMT_APPT_UPDATE] = { "sched_appt_update",
	    "WITH lk AS (SELECT id FROM practitioners WHERE clinic_id = $1 "
	    "AND id = coalesce($3, (SELECT practitioner_id FROM appointments "
	    "WHERE clinic_id = $1 AND id = $2)) FOR NO KEY UPDATE), "
	    "a AS (UPDATE appointments x SET "
	    "practitioner_id = coalesce($3, x.practitioner_id), "
	    "type_id = coalesce($4, x.type_id), "
	    "during = tstzrange(coalesce($5::timestamptz, lower(x.during)), "
	    "coalesce($5::timestamptz, lower(x.during)) + (SELECT "
	    "ty.duration_minutes FROM appointment_types ty WHERE ty.clinic_id = $1 "
	    "AND ty.id = coalesce($4, x.type_id)) * interval '1 minute'), "
	    "note = coalesce($6, x.note), updated_at = now() "
	    "WHERE x.clinic_id = $1 AND x.id = $2 AND EXISTS (SELECT 1 FROM lk) "
	    "RETURNING x.*) "
	    "SELECT " APPT_COLUMNS " FROM a" APPT_JOINS, 6, false },
	[STMT_APPT_CANCEL] = { "sched_appt_cancel",
	    "WITH a AS (UPDATE appointments SET status = 'cancelled', "
	    "cancelled_at = now(), cancelled_by = $3, updated_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 AND status = 'booked' RETURNING *) "
	    "SELECT " APPT_COLUMNS " FROM a" APPT_JOINS, 3, false },
	[STMT_LIST_PRACTITIONER] = { "sched_list_practitioner",
	    "SELECT " APPT_COLUMNS " FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = $1 AND a.practitioner_id = $4 "
	    "AND lower(a.during) >= " DAY_START("$2")
	    " AND lower(a.during) < " DAY_END("$3")
	    " AND ($5::uuid IS NULL OR a.patient_id = $5) "
	    "ORDER BY lower(a.during), a.id LIMIT $6", 6, true },
	[STMT_LIST_PATIENT_RANGE] = { "sched_list_patient_range",
	    "SELECT " APPT_COLUMNS " FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = $1 AND a.patient_id = $5 "
	    "AND lower(a.during) >= " DAY_START("$2")
	    " AND lower(a.during) < " DAY_END("$3")
	    " AND ($4::uuid IS NULL OR a.practitioner_id = $4) "
	    "ORDER BY lower(a.during), a.id LIMIT $6", 6, true },
	[STMT_LIST_CLINIC] = { "sched_list_clinic",
	    "SELECT " APPT_COLUMNS " FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = $1 "
	    "AND lower(a.during) >= " DAY_START("$2")
	    " AND lower(a.during) < " DAY_END("$3")
	    " AND $4::uuid IS NULL AND $5::uuid IS NULL "
	    "ORDER BY lower(a.during), a.id LIMIT $6", 6, true },
	[STMT_LIST_UPCOMING] = { "sched_list_upcoming",
	    "SELECT " APPT_COLUMNS " FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = $1 AND a.patient_id = $2 "
	    "AND lower(a.during) >= now() AND ($3::bigint IS NULL OR "
	    "(lower(a.during), a.id) > ('epoch'::timestamptz + $3::bigint "
	    "* interval '1 microsecond', $4::uuid)) "
	    "ORDER BY lower(a.during), a.id LIMIT $5", 5, true },
	[STMT_LIST_PAST] = { "sched_list_past",
	    "SELECT " APPT_COLUMNS " FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = $1 AND a.patient_id = $2 "
	    "AND lower(a.during) < now() AND ($3::bigint IS NULL OR "
	    "(lower(a.during), a.id) < ('epoch'::timestamptz + $3::bigint "
	    "* interval '1 microsecond', $4::uuid)) "
	    "ORDER BY lower(a.during) DESC, a.id DESC LIMIT $5", 5, true },
	[STMT_NOTICE] = { "sched_appt_notice",
	    "SELECT a.patient_id, jsonb_build_object('appointment_start', "
	    "jsonb_build_object('tr', to_char(lower(a.during) AT TIME ZONE "
	    "c.time_zone, 'DD.MM.YYYY HH24:MI'), 'en', to_char(lower(a.during) "
	    "AT TIME ZONE c.time_zone, 'FMDD Mon YYYY, HH24:MI')), "
	    "'practitioner_name', pr.name, 'appointment_type', t.name)::text "
	    "FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = $1 AND a.id = $2", 2, true },
	/* The demo's calendar: working days from tomorrow on, in the
	 * clinic's zone, so every screen of the console and app has data. */
	[STMT_SEED_DEMO] = { "sched_seed_demo",
	    "WITH pr AS (INSERT INTO practitioners (clinic_id, name) "
	    "VALUES ($1, 'Dr. Deniz Aydın'), ($1, 'Dr. Emre Koç') "
	    "RETURNING id, name), "
	    "ty AS (INSERT INTO appointment_types (clinic_id, name, "
	    "duration_minutes, online_bookable) VALUES "
	    "($1, 'Check-up', 30, true), ($1, 'Cleaning', 45, true), "
	    "($1, 'Root canal', 90, false) RETURNING id, name, duration_minutes), "
	    "wh AS (INSERT INTO working_hours (clinic_id, practitioner_id, "
	    "weekday, start_time, end_time) SELECT $1, pr.id, w, '09:00', '17:00' "
	    "FROM pr, generate_series(1, 5) AS w), "
	    "pts AS (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n "
	    "FROM patients WHERE clinic_id = $1), "
	    "days AS (SELECT d::date AS d, row_number() OVER (ORDER BY d) AS n "
	    "FROM generate_series((now() AT TIME ZONE (SELECT time_zone FROM "
	    "clinics WHERE id = $1))::date::timestamp + interval '1 day', (now() AT TIME ZONE (SELECT "
	    "time_zone FROM clinics WHERE id = $1))::date::timestamp + interval '14 days', "
	    "interval '1 day') AS d WHERE extract(isodow FROM d) <= 5) "
	    "INSERT INTO appointments (clinic_id, patient_id, practitioner_id, "
	    "type_id, during, source) "
	    "SELECT $1, pts.id, (SELECT id FROM pr ORDER BY name LIMIT 1 "
	    "OFFSET (pts.n % 2)), ty.id, tstzrange(s, s + ty.duration_minutes "
	    "* interval '1 minute'), CASE WHEN pts.n % 2 = 0 THEN 'portal' "
	    "ELSE 'staff' END FROM pts JOIN days ON days.n = pts.n "
	    "CROSS JOIN LATERAL (SELECT ((days.d + time '10:00') AT TIME ZONE "
	    "(SELECT time_zone FROM clinics WHERE id = $1)) AS s) st "
	    "JOIN ty ON ty.name = CASE WHEN pts.n % 2 = 0 THEN 'Check-up' "
	    "ELSE 'Cleaning' END", 1, false },
};

static const char *
bool_param(int v)
{
	return v < 0 ? NULL : v ? "true" : "false";
}

static int
int_val(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 :
	    atoi(PQgetvalue(res, row, col));
}

static void
read_practitioner(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_practitioner *p = item;

	p->id = db_val(a, res, row, 0);
	p->name = db_val(a, res, row, 1);
	p->active = db_val_bool(res, row, 2);
	p->created_at = db_val(a, res, row, 3);
}

static void
read_type(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_appt_type *t = item;

	t->id = db_val(a, res, row, 0);
	t->name = db_val(a, res, row, 1);
	t->duration_minutes = int_val(res, row, 2);
	t->online_bookable = db_val_bool(res, row, 3);
	t->active = db_val_bool(res, row, 4);
	t->created_at = db_val(a, res, row, 5);
}

static void
read_hours(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_hours *h = item;

	h->weekday = int_val(res, row, 0);
	h->start = db_val(a, res, row, 1);
	h->end = db_val(a, res, row, 2);
}

static void
read_time_off(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_time_off *o = item;

	o->id = db_val(a, res, row, 0);
	o->practitioner_id = db_val(a, res, row, 1);
	o->start = db_val(a, res, row, 2);
	o->end = db_val(a, res, row, 3);
	o->reason = db_val(a, res, row, 4);
	o->created_at = db_val(a, res, row, 5);
}

static void
read_slot(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_slot *s = item;

	s->start = db_val(a, res, row, 0);
	s->end = db_val(a, res, row, 1);
}

static void
read_appt(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_appt *x = item;

	x->id = db_val(a, res, row, 0);
	x->patient_id = db_val(a, res, row, 1);
	x->patient_name = db_val(a, res, row, 2);
	x->practitioner_id = db_val(a, res, row, 3);
	x->practitioner_name = db_val(a, res, row, 4);
	x->type_id = db_val(a, res, row, 5);
	x->type_name = db_val(a, res, row, 6);
	x->duration_minutes = int_val(res, row, 7);
	x->start = db_val(a, res, row, 8);
	x->end = db_val(a, res, row, 9);
	x->start_utc = db_val(a, res, row, 10);
	x->end_utc = db_val(a, res, row, 11);
	x->stamp_utc = db_val(a, res, row, 12);
	x->status = db_val(a, res, row, 13);
	x->source = db_val(a, res, row, 14);
	x->cancelled_by = db_val(a, res, row, 15);
	x->cancelled_at = db_val(a, res, row, 16);
	x->note = db_val(a, res, row, 17);
	x->created_at = db_val(a, res, row, 18);
	x->before_cutoff = db_val_bool(res, row, 19);
	x->cursor = db_val(a, res, row, 20);
}

/* ---- practitioners ---- */

enum err
db_practitioner_list(struct db *db, struct arena *a, const char *clinic_id,
    bool active_only, struct db_practitioner **out, int *count)
{
	const char *params[] = { clinic_id, bool_param(active_only) };

	return db_rows(db, a, &stmts[STMT_PRACT_LIST], params, sizeof(**out),
	    read_practitioner, (void **)out, count);
}

enum err
db_practitioner_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_practitioner *out)
{
	const char *params[] = { clinic_id, id };

	return db_row(db, a, &stmts[STMT_PRACT_GET], params, read_practitioner,
	    out);
}

enum err
db_practitioner_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *name, bool active, struct db_practitioner *out)
{
	const char *params[] = { clinic_id, name, bool_param(active) };

	return db_row(db, a, &stmts[STMT_PRACT_CREATE], params,
	    read_practitioner, out);
}

enum err
db_practitioner_update(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *name, int active, struct db_practitioner *out)
{
	const char *params[] = { clinic_id, id, name, bool_param(active) };

	return db_row(db, a, &stmts[STMT_PRACT_UPDATE], params,
	    read_practitioner, out);
}

/* ---- appointment types ---- */

enum err
db_type_list(struct db *db, struct arena *a, const char *clinic_id,
    bool bookable_only, struct db_appt_type **out, int *count)
{
	const char *params[] = { clinic_id, bool_param(bookable_only) };

	return db_rows(db, a, &stmts[STMT_TYPE_LIST], params, sizeof(**out),
	    read_type, (void **)out, count);
}

enum err
db_type_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_appt_type *out)
{
	const char *params[] = { clinic_id, id };

	return db_row(db, a, &stmts[STMT_TYPE_GET], params, read_type, out);
}

enum err
db_type_create(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_appt_type *in, struct db_appt_type *out)
{
	char duration[16];
	const char *params[] = { clinic_id, in->name, duration,
	    bool_param(in->online_bookable), bool_param(in->active) };

	snprintf(duration, sizeof(duration), "%d", in->duration_minutes);
	return db_row(db, a, &stmts[STMT_TYPE_CREATE], params, read_type, out);
}

enum err
db_type_update(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *name, int duration, int online_bookable,
    int active, struct db_appt_type *out)
{
	char dur[16];
	const char *params[] = { clinic_id, id, name, duration > 0 ? dur : NULL,
	    bool_param(online_bookable), bool_param(active) };

	snprintf(dur, sizeof(dur), "%d", duration);
	return db_row(db, a, &stmts[STMT_TYPE_UPDATE], params, read_type, out);
}

/* ---- working hours ---- */

enum err
db_hours_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *practitioner_id, struct db_hours **out, int *count)
{
	const char *params[] = { clinic_id, practitioner_id };

	return db_rows(db, a, &stmts[STMT_HOURS_GET], params, sizeof(**out),
	    read_hours, (void **)out, count);
}

/* "{a,b,c}" of count strings (validated shapes: digits and colons). */
static const char *
array_literal(struct arena *a, const struct db_hours *items, int count,
    int which)
{
	size_t cap = 3 + (size_t)count * 8;
	char *out = arena_alloc(a, cap), *o = out;

	if (out == NULL)
		return NULL;
	*o++ = '{';
	for (int i = 0; i < count; i++) {
		int n = which == 0 ? snprintf(o, cap - (size_t)(o - out), "%s%d",
		    i ? "," : "", items[i].weekday) :
		    snprintf(o, cap - (size_t)(o - out), "%s%.5s", i ? "," : "",
		    which == 1 ? items[i].start : items[i].end);

		if (n < 0 || (size_t)n >= cap - (size_t)(o - out))
			return NULL;
		o += n;
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

enum err
db_hours_replace(struct db *db, struct arena *a, const char *clinic_id,
    const char *practitioner_id, const struct db_hours *items, int count)
{
	const char *del[] = { clinic_id, practitioner_id };
	const char *ins[5] = { clinic_id, practitioner_id };
	enum err err;

	PQclear(db_exec(db, &stmts[STMT_HOURS_DELETE], del, &err));
	if (err != ERR_OK || count == 0)
		return err;
	ins[2] = array_literal(a, items, count, 0);
	ins[3] = array_literal(a, items, count, 1);
	ins[4] = array_literal(a, items, count, 2);
	if (ins[2] == NULL || ins[3] == NULL || ins[4] == NULL)
		return ERR_NOMEM;
	PQclear(db_exec(db, &stmts[STMT_HOURS_INSERT], ins, &err));
	return err;
}

/* ---- time off ---- */

enum err
db_time_off_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *from, const char *to, const char *practitioner_id,
    struct db_time_off **out, int *count)
{
	const char *params[] = { clinic_id, from, to, practitioner_id };

	return db_rows(db, a, &stmts[STMT_OFF_LIST], params, sizeof(**out),
	    read_time_off, (void **)out, count);
}

enum err
db_time_off_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *practitioner_id, const char *start, const char *end,
    const char *reason, struct db_time_off *out)
{
	const char *params[] = { clinic_id, practitioner_id, start, end,
	    reason ? reason : "" };

	return db_row(db, a, &stmts[STMT_OFF_CREATE], params, read_time_off,
	    out);
}

enum err
db_time_off_delete(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_time_off *out)
{
	const char *params[] = { clinic_id, id };

	return db_row(db, a, &stmts[STMT_OFF_DELETE], params, read_time_off,
	    out);
}

/* ---- booking rules ---- */

enum err
db_rules_get(struct db *db, const char *clinic_id, struct db_booking_rules *out)
{
	const char *params[] = { clinic_id };
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_RULES_GET], params, &err);

	if (res == NULL)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ERR_NOT_FOUND;
	}
	out->min_notice_minutes = int_val(res, 0, 0);
	out->horizon_days = int_val(res, 0, 1);
	out->cancel_cutoff_minutes = int_val(res, 0, 2);
	out->max_open_bookings = int_val(res, 0, 3);
	out->slot_step_minutes = int_val(res, 0, 4);
	PQclear(res);
	return ERR_OK;
}

enum err
db_rules_put(struct db *db, const char *clinic_id,
    const struct db_booking_rules *in)
{
	char v[5][16];
	const char *params[] = { clinic_id, v[0], v[1], v[2], v[3], v[4] };
	enum err err;
	PGresult *res;

	snprintf(v[0], sizeof(v[0]), "%d", in->min_notice_minutes);
	snprintf(v[1], sizeof(v[1]), "%d", in->horizon_days);
	snprintf(v[2], sizeof(v[2]), "%d", in->cancel_cutoff_minutes);
	snprintf(v[3], sizeof(v[3]), "%d", in->max_open_bookings);
	snprintf(v[4], sizeof(v[4]), "%d", in->slot_step_minutes);
	res = db_exec(db, &stmts[STMT_RULES_PUT], params, &err);
	if (res == NULL)
		return err;
	err = PQntuples(res) == 0 ? ERR_NOT_FOUND : ERR_OK;
	PQclear(res);
	return err;
}

/* ---- slots and booking ---- */

enum err
db_slots(struct db *db, struct arena *a, const char *clinic_id,
    const char *practitioner_id, const char *type_id, const char *from,
    const char *to, struct db_slot **out, int *count)
{
	const char *params[] = { clinic_id, practitioner_id, type_id, from, to };

	return db_rows(db, a, &stmts[STMT_SLOTS], params, sizeof(**out),
	    read_slot, (void **)out, count);
}

enum err
db_schedule_ids(struct db *db, const char *clinic_id, const char *patient_id,
    const char *practitioner_id, const char *type_id, bool active_only,
    unsigned *found)
{
	const char *params[] = { clinic_id, patient_id, practitioner_id,
	    type_id, bool_param(active_only) };
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_IDS], params, &err);

	*found = 0;
	if (res == NULL)
		return err;
	if (PQntuples(res) == 1) {
		if (db_val_bool(res, 0, 0))
			*found |= DB_HAS_PATIENT;
		if (db_val_bool(res, 0, 1))
			*found |= DB_HAS_PRACTITIONER;
		if (db_val_bool(res, 0, 2))
			*found |= DB_HAS_TYPE;
	}
	PQclear(res);
	return ERR_OK;
}

enum err
db_booking_verdict(struct db *db, const char *clinic_id,
    const char *patient_id, const char *practitioner_id, const char *type_id,
    const char *start, const char **rule)
{
	static const char *const rules[] = { "type_not_bookable", "min_notice",
	    "horizon", "outside_hours", "max_open_bookings" };
	const char *params[] = { clinic_id, patient_id, practitioner_id,
	    type_id, start };
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_VERDICT], params, &err);

	*rule = NULL;
	if (res == NULL)
		return err;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		const char *v = PQgetvalue(res, 0, 0);

		*rule = "outside_hours";
		for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
			if (strcmp(v, rules[i]) == 0)
				*rule = rules[i];
	}
	PQclear(res);
	return ERR_OK;
}

/* ---- appointments ---- */

enum err
db_appt_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *practitioner_id, const char *type_id,
    const char *start, const char *source, const char *note,
    struct db_appt *out)
{
	const char *params[] = { clinic_id, patient_id, practitioner_id,
	    type_id, start, source, note };

	return db_row(db, a, &stmts[STMT_APPT_CREATE], params, read_appt, out);
}

enum err
db_appt_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *patient_id, struct db_appt *out)
{
	const char *params[] = { clinic_id, id, patient_id };

	return db_row(db, a, &stmts[STMT_APPT_GET], params, read_appt, out);
}

enum err
db_appt_update(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *practitioner_id, const char *type_id,
    const char *start, const char *note, struct db_appt *out)
{
	const char *params[] = { clinic_id, id, practitioner_id, type_id, start,
	    note };

	return db_row(db, a, &stmts[STMT_APPT_UPDATE], params, read_appt, out);
}

enum err
db_appt_cancel(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *by, struct db_appt *out)
{
	const char *params[] = { clinic_id, id, by };

	return db_row(db, a, &stmts[STMT_APPT_CANCEL], params, read_appt, out);
}

enum err
db_appt_list_clinic(struct db *db, struct arena *a, const char *clinic_id,
    const char *from, const char *to, const char *practitioner_id,
    const char *patient_id, int max, struct db_appt **out, int *count)
{
	char limit[16];
	const char *params[] = { clinic_id, from, to, practitioner_id,
	    patient_id, limit };
	enum stmt_id id = practitioner_id != NULL ? STMT_LIST_PRACTITIONER :
	    patient_id != NULL ? STMT_LIST_PATIENT_RANGE : STMT_LIST_CLINIC;

	snprintf(limit, sizeof(limit), "%d", max);
	return db_rows(db, a, &stmts[id], params, sizeof(**out), read_appt,
	    (void **)out, count);
}

enum err
db_appt_list_patient(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, bool upcoming, const char *cursor, int limit,
    struct db_appt **out, int *count)
{
	char lim[16], at[24], id[40];
	const char *params[] = { clinic_id, patient_id, NULL, NULL, lim };

	if (cursor != NULL) {
		const char *dot = strchr(cursor, '.');
		size_t n = dot ? (size_t)(dot - cursor) : 0;

		if (dot == NULL || n == 0 || n >= sizeof(at) ||
		    strspn(cursor, "-0123456789") != n || strlen(dot + 1) != 36 ||
		    strspn(dot + 1, "0123456789abcdef-") != 36)
			return ERR_INVALID;
		memcpy(at, cursor, n);
		at[n] = '\0';
		memcpy(id, dot + 1, 37);
		params[2] = at;
		params[3] = id;
	}
	snprintf(lim, sizeof(lim), "%d", limit);
	return db_rows(db, a, &stmts[upcoming ? STMT_LIST_UPCOMING :
	    STMT_LIST_PAST], params, sizeof(**out), read_appt, (void **)out,
	    count);
}

static void
read_notice(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_appt_notice *n = item;

	n->patient_id = db_val(a, res, row, 0);
	n->values_json = db_val(a, res, row, 1);
}

enum err
db_appt_notice(struct db *db, struct arena *a, const char *clinic_id,
    const char *appt_id, struct db_appt_notice *out)
{
	const char *params[] = { clinic_id, appt_id };
	enum err err = db_row(db, a, &stmts[STMT_NOTICE], params, read_notice,
	    out);

	if (err == ERR_OK && out->values_json == NULL)
		err = ERR_NOMEM;
	return err;
}

enum err
db_schedule_seed_demo(struct db *db, const char *clinic_id)
{
	const char *params[] = { clinic_id };
	enum err err;

	PQclear(db_exec(db, &stmts[STMT_SEED_DEMO], params, &err));
	return err;
}
