/*
 * scheduling_sql.c - the statements of the clinic's scheduling setup
 * (db_schedule.h): practitioners, appointment types, weekly working
 * hours, time off and booking rules, which ids of these a clinic has,
 * and the demo calendar. Appointments, free slots and booking live in
 * appointments_sql.c.
 *
 * Working hours are wall-clock times; time off is a range of instants,
 * shown with the clinic's UTC offset.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "db_schedule.h"

#define LIST_MAX "500"

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
	STMT_IDS,
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
	[STMT_IDS] = { "sched_ids",
	    "SELECT EXISTS (SELECT 1 FROM patients WHERE clinic_id = $1 "
	    "AND id = $2), EXISTS (SELECT 1 FROM practitioners "
	    "WHERE clinic_id = $1 AND id = $3 AND (active OR NOT $5)), "
	    "EXISTS (SELECT 1 FROM appointment_types WHERE clinic_id = $1 "
	    "AND id = $4 AND ((active AND online_bookable) OR NOT $5))",
	    5, true },
	/* The demo's calendar: working days from tomorrow on, in the
	 * clinic's zone, so every screen of the console and app has data.
	 * The demo clinic is Turkish: its appointment types are named in
	 * Turkish (a type has one name, whatever the patient reads); its
	 * address and phone are on its profile, so the app can say how to
	 * reach it. */
	[STMT_SEED_DEMO] = { "sched_seed_demo",
	    "WITH contact AS (UPDATE clinics SET phone = '+902165550100', "
	    "email = 'iletisim@simple-dent.test', address = 'Bağdat Caddesi "
	    "No: 120' || chr(10) || 'Kadıköy, İstanbul' WHERE id = $1), "
	    "pr AS (INSERT INTO practitioners (clinic_id, name) "
	    "VALUES ($1, 'Dr. Deniz Aydın'), ($1, 'Dr. Emre Koç') "
	    "RETURNING id, name), "
	    "ty AS (INSERT INTO appointment_types (clinic_id, name, "
	    "duration_minutes, online_bookable) VALUES "
	    "($1, 'Kontrol muayenesi', 30, true), "
	    "($1, 'Diş taşı temizliği', 45, true), "
	    "($1, 'Kanal tedavisi', 90, false) "
	    "RETURNING id, name, duration_minutes), "
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
	    "JOIN ty ON ty.name = CASE WHEN pts.n % 2 = 0 THEN "
	    "'Kontrol muayenesi' ELSE 'Diş taşı temizliği' END", 1, false },
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

/* ---- which ids a clinic has ---- */

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

/* ---- the demo ---- */

enum err
db_schedule_seed_demo(struct db *db, const char *clinic_id)
{
	const char *params[] = { clinic_id };
	enum err err;

	PQclear(db_exec(db, &stmts[STMT_SEED_DEMO], params, &err));
	return err;
}
