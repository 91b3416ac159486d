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
#include "tztime.h"

/* Columns of an appointment read through alias a, with clinics c and
 * booking_rules r joined (see APPT_JOINS); read_appt() reads them, and
 * writes their instants in the clinic's zone (db_val_iso()). */
#define APPT_COLUMNS \
	"a.id, a.patient_id, p.first_name || ' ' || p.last_name, " \
	"a.practitioner_id, pr.name, a.type_id, t.name, t.duration_minutes, " \
	"c.time_zone, " DB_USEC("lower(a.during)") ", " DB_USEC("upper(a.during)") \
	", " DB_USEC("a.updated_at") ", a.status, a.source, a.cancelled_by, " \
	DB_USEC("a.cancelled_at") ", a.note, " DB_USEC("a.created_at") ", " \
	"a.status = 'booked' AND lower(a.during) > now() + " \
	"r.cancel_cutoff_minutes * interval '1 minute', " \
	"r.cancel_cutoff_minutes"

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
	STMT_SLOT_FRAME,
	STMT_SLOT_IDS,
	STMT_BOOK,
	STMT_BOOKED,
	STMT_APPT_CREATE,
	STMT_APPT_GET,
	STMT_APPT_UPDATE,
	STMT_APPT_CANCEL,
	STMT_LIST_PRACTITIONER,
	STMT_LIST_PATIENT_RANGE,
	STMT_LIST_CLINIC,
	STMT_LIST_UPCOMING,
	STMT_LIST_PAST,
	STMT_NOTIFY,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* Working windows, booked time and time off of the range, of the
	 * practitioner or every active one (sql/0039): slots_compute()
	 * steps through them. */
	[STMT_SLOT_FRAME] = { "sched_slot_frame",
	    "SELECT kind, rank, practitioner_id, day, lo, hi FROM "
	    "portal_slot_frame($1::uuid, $2::date, $3::date)", 3, true },
	/* Whether the practitioner (any, without one) and the type can be
	 * booked online, and the rules as instants and lengths in
	 * microseconds: the earliest start (minimum notice), the first start
	 * past the horizon, the step and the type's duration. */
	[STMT_SLOT_IDS] = { "sched_slot_ids",
	    "SELECT $1::uuid IS NULL OR EXISTS (SELECT 1 FROM practitioners "
	    "WHERE clinic_id = portal_current_clinic() AND id = $1 AND active), "
	    "EXISTS (SELECT 1 FROM appointment_types WHERE "
	    "clinic_id = portal_current_clinic() AND id = $2 AND active "
	    "AND online_bookable), "
	    "(extract(epoch FROM now() + r.min_notice_minutes * "
	    "interval '1 minute') * 1000000)::bigint, "
	    "(extract(epoch FROM now() + r.horizon_days * interval '1 day') "
	    "* 1000000)::bigint, r.slot_step_minutes * 60000000::bigint, "
	    "(SELECT t.duration_minutes * 60000000::bigint FROM "
	    "appointment_types t WHERE t.clinic_id = portal_current_clinic() "
	    "AND t.id = $2) FROM booking_rules r "
	    "WHERE r.clinic_id = portal_current_clinic()", 2, true },
	/* A patient's booking: every rule and the insert (sql/0017). The
	 * booked appointment's id is left in portal.booked_id for
	 * STMT_BOOKED, which rides in the same round trip. */
	[STMT_BOOK] = { "sched_book",
	    "SELECT outcome, set_config('portal.booked_id', "
	    "coalesce(appointment_id::text, ''), true) "
	    "FROM portal_book($1, $2, $3, $4::timestamptz, $5)", 5, false },
	[STMT_BOOKED] = { "sched_booked",
	    "SELECT " APPT_COLUMNS " FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = portal_current_clinic() AND a.id = "
	    "nullif(current_setting('portal.booked_id', true), '')::uuid",
	    0, false },
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
	/* The portal's lists: the context's patient (the session's
	 * statement sets it), so that they can be sent ahead with it. */
	[STMT_LIST_UPCOMING] = { "sched_list_upcoming",
	    "SELECT " APPT_COLUMNS " FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = portal_current_clinic() "
	    "AND a.patient_id = portal_current_patient() "
	    "AND lower(a.during) >= now() AND ($1::bigint IS NULL OR "
	    "(lower(a.during), a.id) > ('epoch'::timestamptz + $1::bigint "
	    "* interval '1 microsecond', $2::uuid)) "
	    "ORDER BY lower(a.during), a.id LIMIT $3", 3, true },
	[STMT_LIST_PAST] = { "sched_list_past",
	    "SELECT " APPT_COLUMNS " FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = portal_current_clinic() "
	    "AND a.patient_id = portal_current_patient() "
	    "AND lower(a.during) < now() AND ($1::bigint IS NULL OR "
	    "(lower(a.during), a.id) < ('epoch'::timestamptz + $1::bigint "
	    "* interval '1 microsecond', $2::uuid)) "
	    "ORDER BY lower(a.during) DESC, a.id DESC LIMIT $3", 3, true },
	/* The message about an appointment, built by the one entry point
	 * for outbox messages (portal_outbox_compose(), sql/0016) with the
	 * appointment's placeholders: deferred to ride with the COMMIT. */
	[STMT_NOTIFY] = { "sched_appt_notify",
	    "SELECT (SELECT skipped FROM portal_outbox_compose($3, a.patient_id, "
	    "NULL, NULL, NULL, jsonb_build_object('appointment_start', "
	    "jsonb_build_object('tr', to_char(lower(a.during) AT TIME ZONE "
	    "c.time_zone, 'DD.MM.YYYY HH24:MI'), 'en', to_char(lower(a.during) "
	    "AT TIME ZONE c.time_zone, 'FMDD Mon YYYY, HH24:MI')), "
	    "'practitioner_name', pr.name, 'appointment_type', t.name), $4, $5, "
	    "$6::uuid)) FROM appointments a" APPT_JOINS
	    " WHERE a.clinic_id = $1 AND a.id = $2", 6, false },
};


static const char *
val_utc(struct arena *a, int64_t usec)
{
	char buf[UTC_STAMP_SIZE];

	return utc_stamp(usec, buf) ? arena_strdup(a, buf) : NULL;
}

static void
read_appt(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_appt *x = item;
	const char *zone = PQgetvalue(res, row, 8);
	int64_t start = db_val_int(res, row, 9), end = db_val_int(res, row, 10);
	int64_t cutoff = db_val_int(res, row, 19);
	char until[TZ_ISO_SIZE];

	x->id = db_val(a, res, row, 0);
	x->patient_id = db_val(a, res, row, 1);
	x->patient_name = db_val(a, res, row, 2);
	x->practitioner_id = db_val(a, res, row, 3);
	x->practitioner_name = db_val(a, res, row, 4);
	x->type_id = db_val(a, res, row, 5);
	x->type_name = db_val(a, res, row, 6);
	x->duration_minutes = db_val_int(res, row, 7);
	x->start = db_val_iso(a, res, row, 9, zone);
	x->end = db_val_iso(a, res, row, 10, zone);
	x->start_utc = val_utc(a, start);
	x->end_utc = val_utc(a, end);
	x->stamp_utc = val_utc(a, db_val_int(res, row, 11));
	x->status = db_val(a, res, row, 12);
	x->source = db_val(a, res, row, 13);
	x->cancelled_by = db_val(a, res, row, 14);
	x->cancelled_at = db_val_iso(a, res, row, 15, zone);
	x->note = db_val(a, res, row, 16);
	x->created_at = db_val_iso(a, res, row, 17, zone);
	x->before_cutoff = db_val_bool(res, row, 18);
	/* The list's position: "<start in microseconds>.<id>". */
	x->cursor = x->id == NULL ? NULL : arena_printf(a, "%lld.%s",
	    (long long)start, x->id);
	x->cancel_until = x->status != NULL &&
	    strcmp(x->status, "booked") == 0 &&
	    tz_iso(zone, start - cutoff * 60 * 1000000, until) ?
	    arena_strdup(a, until) : NULL;
}

/* ---- slots and booking ---- */

static const struct db_stmt *const slots_batch[] = {
	&stmts[STMT_SLOT_IDS], &stmts[STMT_SLOT_FRAME],
};

/* The parameters of slots_batch, in the arena (they may be sent ahead);
 * NULL when out of memory. */
static const char *const *const *
slots_params(struct arena *a, const char *practitioner_id,
    const char *type_id, const char *from, const char *to)
{
	const char **ids = arena_calloc(a, 2, sizeof(*ids));
	const char **frame = arena_calloc(a, 3, sizeof(*frame));
	const char *const **params = arena_calloc(a, 2, sizeof(*params));

	if (ids == NULL || frame == NULL || params == NULL)
		return NULL;
	ids[0] = frame[0] = practitioner_id;
	ids[1] = type_id;
	frame[1] = from;
	frame[2] = to;
	params[0] = ids;
	params[1] = frame;
	return params;
}

/* The frame's rows into out's windows and busy intervals. */
static bool
read_frame(struct arena *a, PGresult *res, struct db_slots *out)
{
	int n = PQntuples(res);

	out->windows = arena_calloc(a, (size_t)(n > 0 ? n : 1),
	    sizeof(*out->windows));
	out->busy = arena_calloc(a, (size_t)(n > 0 ? n : 1),
	    sizeof(*out->busy));
	if (out->windows == NULL || out->busy == NULL)
		return false;
	for (int i = 0; i < n; i++) {
		const char *kind = PQgetvalue(res, i, 0);

		if (strcmp(kind, "window") == 0) {
			struct db_slot_window *w = &out->windows[out->n_windows++];

			w->rank = (int)db_val_int(res, i, 1);
			w->practitioner_id = db_val(a, res, i, 2);
			w->day = db_val(a, res, i, 3);
			w->lo = db_val_int(res, i, 4);
			w->hi = db_val_int(res, i, 5);
			if (w->practitioner_id == NULL || w->day == NULL)
				return false;
		} else {
			struct db_slot_busy *b = &out->busy[out->n_busy++];

			b->rank = (int)db_val_int(res, i, 1);
			b->off = strcmp(kind, "off") == 0;
			b->lo = db_val_int(res, i, 4);
			b->hi = db_val_int(res, i, 5);
		}
	}
	return true;
}

void
db_slots_ahead(struct db *db, struct arena *a, const char *practitioner_id,
    const char *type_id, const char *from, const char *to)
{
	const char *const *const *params = slots_params(a, practitioner_id,
	    type_id, from, to);

	if (params != NULL)
		db_ahead(db, 2, slots_batch, params);
}

enum err
db_slots(struct db *db, struct arena *a, const char *practitioner_id,
    const char *type_id, const char *from, const char *to,
    struct db_slots *out)
{
	const char *const *const *params = slots_params(a, practitioner_id,
	    type_id, from, to);
	PGresult *res[2];
	enum err err;
	bool read;

	memset(out, 0, sizeof(*out));
	if (params == NULL)
		return ERR_NOMEM;
	if ((err = db_exec_batch(db, 2, slots_batch, params, res)) != ERR_OK)
		return err;
	if (PQntuples(res[0]) == 1) {
		if (db_val_bool(res[0], 0, 0))
			out->bookable |= DB_HAS_PRACTITIONER;
		if (db_val_bool(res[0], 0, 1) && !PQgetisnull(res[0], 0, 5))
			out->bookable |= DB_HAS_TYPE;
		out->earliest = db_val_int(res[0], 0, 2);
		out->latest = db_val_int(res[0], 0, 3);
		out->step = db_val_int(res[0], 0, 4);
		out->len = db_val_int(res[0], 0, 5);
	}
	read = read_frame(a, res[1], out);
	PQclear(res[0]);
	PQclear(res[1]);
	return read ? ERR_OK : ERR_NOMEM;
}

enum err
db_book(struct db *db, struct arena *a, const char *patient_id,
    const char *practitioner_id, const char *type_id, const char *start,
    const char *source, const char **outcome, struct db_appt *out)
{
	static const char *const outcomes[] = { "ok", "no_practitioner",
	    "no_type", "practitioner_unavailable", "type_not_bookable",
	    "min_notice", "horizon", "outside_hours", "max_open_bookings",
	    "slot_taken", NULL };
	const char *book_params[] = { patient_id, practitioner_id, type_id,
	    start, source };
	const struct db_stmt *batch[] = { &stmts[STMT_BOOK],
	    &stmts[STMT_BOOKED] };
	const char *const *params[] = { book_params, NULL };
	PGresult *res[2];
	enum err err;

	*outcome = NULL;
	if ((err = db_exec_batch(db, 2, batch, params, res)) != ERR_OK)
		return err;
	if (PQntuples(res[0]) == 1)
		for (size_t i = 0; outcomes[i] != NULL; i++)
			if (strcmp(PQgetvalue(res[0], 0, 0), outcomes[i]) == 0)
				*outcome = outcomes[i];
	if (*outcome == NULL)
		err = ERR_DB;
	else if (strcmp(*outcome, "ok") == 0) {
		if (PQntuples(res[1]) != 1)
			err = ERR_DB;
		else {
			read_appt(a, res[1], 0, out);
			if (out->cursor == NULL)
				err = ERR_NOMEM;
		}
	}
	PQclear(res[0]);
	PQclear(res[1]);
	return err;
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

bool
db_appt_cursor_ok(const char *cursor)
{
	const char *dot = strchr(cursor, '.');
	size_t n = dot ? (size_t)(dot - cursor) : 0;

	/* "<microseconds since 1970>.<id>", as read_appt() writes it. */
	return dot != NULL && n > 0 && n < 24 &&
	    strspn(cursor, "-0123456789") == n && strlen(dot + 1) == 36 &&
	    strspn(dot + 1, "0123456789abcdef-") == 36;
}

/* The statement and parameters (in the arena: they may be sent ahead)
 * of a patient's list: ERR_OK, ERR_INVALID for a bad cursor, ERR_NOMEM. */
static enum err
patient_list_stmt(struct arena *a, bool upcoming, const char *cursor,
    int limit, const struct db_stmt **stmt, const char *const **out)
{
	const char **params;

	if (cursor != NULL && !db_appt_cursor_ok(cursor))
		return ERR_INVALID;
	if ((params = arena_calloc(a, 3, sizeof(*params))) == NULL)
		return ERR_NOMEM;
	if (cursor != NULL) {
		size_t n = (size_t)(strchr(cursor, '.') - cursor);

		if ((params[0] = arena_strndup(a, cursor, n)) == NULL)
			return ERR_NOMEM;
		params[1] = cursor + n + 1;
	}
	if ((params[2] = arena_printf(a, "%d", limit)) == NULL)
		return ERR_NOMEM;
	*stmt = &stmts[upcoming ? STMT_LIST_UPCOMING : STMT_LIST_PAST];
	*out = params;
	return ERR_OK;
}

void
db_appt_list_patient_ahead(struct db *db, struct arena *a, bool upcoming,
    const char *cursor, int limit)
{
	const struct db_stmt *stmt;
	const char *const *params;

	if (patient_list_stmt(a, upcoming, cursor, limit, &stmt, &params) ==
	    ERR_OK)
		db_ahead(db, 1, &stmt, &params);
}

enum err
db_appt_list_patient(struct db *db, struct arena *a, bool upcoming,
    const char *cursor, int limit, struct db_appt **out, int *count)
{
	const struct db_stmt *stmt;
	const char *const *params;
	enum err err;

	if ((err = patient_list_stmt(a, upcoming, cursor, limit, &stmt,
	    &params)) != ERR_OK)
		return err;
	return db_rows(db, a, stmt, params, sizeof(**out), read_appt,
	    (void **)out, count);
}

enum err
db_appt_notify(struct db *db, const char *clinic_id, const char *appt_id,
    const char *purpose, const char *base_url, const char *by_type,
    const char *by_id)
{
	const char *params[] = { clinic_id, appt_id, purpose, base_url, by_type,
	    by_id };

	return db_defer(db, &stmts[STMT_NOTIFY], params);
}
