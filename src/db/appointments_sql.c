/*
 * appointments_sql.c - the statements of appointments (db_appointments.h):
 * free slots, the booking rules a booking breaks, booking, moving and
 * cancelling, the clinic's and a patient's lists, and what a message
 * about an appointment needs. The setup they read (practitioners, types,
 * hours, time off, rules) is scheduling_sql.c's.
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
#include "db_appointments.h"
#include "db_internal.h"

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

enum stmt_id {
	STMT_SLOTS,
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
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
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
};

static int
int_val(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 :
	    atoi(PQgetvalue(res, row, col));
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
