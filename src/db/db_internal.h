/*
 * db_internal.h - what the files of src/db/ share: statement tables and
 * the execution primitive. Nothing outside src/db/ includes this.
 */
#ifndef PORTAL_DB_INTERNAL_H
#define PORTAL_DB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "db.h"
#include "permissions.h"

struct arena;

/* A timestamptz column as the API writes times: ISO 8601 in UTC. */
#define DB_TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The columns db_clinic_read(), db_settings_read() and db_patient_read()
 * read, from column col on, so that one statement can answer several of
 * them side by side (see db_portal_context()). */
#define DB_CLINIC_SELECT \
	"SELECT c.id, c.name, c.default_language, c.public_url, " \
	"'tr' = ANY (c.languages), 'en' = ANY (c.languages), " \
	"EXISTS (SELECT 1 FROM clinic_modules m WHERE m.clinic_id = c.id " \
	"AND m.module = 'patient_portal'), " \
	"coalesce(p.active, false), p.provider, c.country, c.time_zone, " \
	"c.currency FROM clinics c LEFT JOIN payment_infrastructure p " \
	"ON p.clinic_id = c.id WHERE c.id = $1"
#define DB_SETTINGS_COLUMNS \
	"enabled, code, array_to_string(permissions, ','), sms_template_id, " \
	"email_template_id, upload_reviewer_id, version"
#define DB_CLINIC_NCOLS 12
#define DB_SETTINGS_NCOLS 7
#define DB_PATIENT_COLUMNS \
	"id, first_name, last_name, phone, email, language, portal_access, " \
	"permissions_mode = 'custom', array_to_string(custom_permissions, ','), " \
	DB_TS("created_at") ", " DB_TS("updated_at") ", address, " \
	"emergency_contact_name, emergency_contact_phone, communication_sms, " \
	"communication_email, photo_sha256, photo_type, sort_key"

/* One prepared statement. Each domain keeps a constant array of these
 * (system_sql.c, ...). Names must be unique across the program. */
struct db_stmt {
	const char *name;
	const char *sql;
	int nparams;
	bool idempotent;	/* safe to send twice (reads): retried after a reconnect */
};

/*
 * Executes stmt with params (text format, NULL for SQL NULL). Returns the
 * result (the caller PQclear()s it) when it is PGRES_COMMAND_OK or
 * PGRES_TUPLES_OK; otherwise NULL with *err set (ERR_CONFLICT for unique
 * and exclusion violations, ERR_INVALID for check and foreign-key ones,
 * ERR_DB otherwise), the details logged.
 */
PGresult *db_exec(struct db *db, const struct db_stmt *stmt,
    const char *const *params, enum err *err);

/* db_exec() of a statement expected to answer a row: NULL with
 * ERR_NOT_FOUND when it answers none. */
PGresult *db_exec_one(struct db *db, const struct db_stmt *stmt,
    const char *const *params, enum err *err);

/* Statements one db_exec_batch() may carry. */
#define DB_BATCH__MAX 8

/*
 * Runs the n statements (n <= DB_BATCH__MAX) in one round trip (one libpq
 * pipeline), in the request's work: a read runs them in one implicit
 * transaction with its context, a write inside its transaction. results[i]
 * receives each result (the caller PQclear()s them). ERR_OK, or the first
 * failure's error with every result NULL.
 */
enum err db_exec_batch(struct db *db, size_t n,
    const struct db_stmt *const *stmts, const char *const *const *params,
    PGresult **results);

/*
 * Sends the n statements (a read's data, reading the patient and clinic
 * from the context: portal_current_patient(), portal_current_clinic())
 * ahead, with the next statement of the work, in its round trip: the
 * pipeline queues them before it authenticates, so they ride with the
 * session's statement and see the context it sets (none, and so no rows,
 * when it sets none). The handler's own db_exec() or db_exec_batch() of
 * the same statements with equal parameters then takes their answers
 * without a round trip; answers nobody asks for are dropped when the work
 * ends. params (and their strings) must live until then: the request
 * arena's do. A read's only, before its first statement; otherwise nothing.
 */
void db_ahead(struct db *db, size_t n, const struct db_stmt *const *stmts,
    const char *const *const *params);

/*
 * A write handler's last statement and the work's COMMIT in one round trip:
 * on ERR_OK the work is committed (db_work_end() then has nothing left to
 * do), so call it only when the handler will answer success whatever the
 * statement returned. Outside a write it is db_exec().
 */
enum err db_exec_commit(struct db *db, const struct db_stmt *stmt,
    const char *const *params, PGresult **result);

/* Statements one write may defer, and their parameters. */
#define DB_DEFER__MAX 8
#define DB_DEFER_PARAMS__MAX 12

/*
 * Queues stmt (a write whose result nobody reads: an audit row, a message
 * for the outbox) to go out with the write's COMMIT in db_work_end(), in
 * the same round trip; a failure there fails the commit (the pipeline
 * then answers 503). params (and the strings they point at) must live
 * until the work ends: the request arena's do. Outside a write, runs stmt
 * at once. ERR_OK, ERR_NOMEM past DB_DEFER__MAX, or what running it gave.
 */
enum err db_defer(struct db *db, const struct db_stmt *stmt,
    const char *const *params);

/* Runs stmt for its effect: ERR_OK however many rows it touched. */
enum err db_run(struct db *db, const struct db_stmt *stmt,
    const char *const *params);

/* Runs stmt that must return or touch a row: ERR_NOT_FOUND when none. */
enum err db_run_one(struct db *db, const struct db_stmt *stmt,
    const char *const *params);

/* The value at (row, col) copied into the arena; NULL for SQL NULL. */
const char *db_val(struct arena *a, PGresult *res, int row, int col);

/* The boolean at (row, col); false for SQL NULL. */
bool db_val_bool(PGresult *res, int row, int col);

/* The whole number at (row, col); 0 for SQL NULL. */
int64_t db_val_int(PGresult *res, int row, int col);

/* A timestamptz column as microseconds since 1970, for db_val_iso(): the
 * C library writes it in a fraction of the time PostgreSQL's to_char()
 * and AT TIME ZONE take (0.12 of 0.33 ms for a page of 21 appointments,
 * measured with pgbench). */
#define DB_USEC(x) "(extract(epoch FROM " x ") * 1000000)::bigint"

/* The instant at (row, col) (microseconds since 1970, see DB_USEC) as ISO
 * 8601 in time zone zone, with its offset ("2026-12-01T10:30:00+03:00"),
 * into the arena; NULL for SQL NULL, out of memory or a zone that cannot
 * be loaded. */
const char *db_val_iso(struct arena *a, PGresult *res, int row, int col,
    const char *zone);

/* Permission keys from "a,b,c" (array_to_string of a text[]); unknown
 * keys are skipped. */
perm_set db_perm_parse(const char *csv);

/* Reads row `row` of res into item (one element of a db_rows() array). */
typedef void (*db_row_reader)(struct arena *a, PGresult *res, int row,
    void *item);

/* Runs stmt and reads every row with read into a new arena array of
 * item_size elements (*out; never NULL on success), *count rows. */
enum err db_rows(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, size_t item_size, db_row_reader read,
    void **out, int *count);

/* db_rows() for rows read whole: ERR_NOMEM when a row's string at byte
 * offset required of its item (one every row has, read last) is NULL, so a
 * copy failed. */
enum err db_rows_whole(struct db *db, struct arena *a,
    const struct db_stmt *stmt, const char *const *params, size_t item_size,
    db_row_reader read, size_t required, void **out, int *count);

/* Runs stmt and reads its first row into item with read; ERR_NOT_FOUND
 * when there is none. */
enum err db_row(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, db_row_reader read, void *item);

/* Maps a failed result's SQLSTATE to our error enum. */
enum err db_err_from_sqlstate(const char *sqlstate);

struct db_clinic;
struct db_portal_settings;
struct db_patient;
void db_clinic_read(struct arena *a, PGresult *res, int row, int col,
    struct db_clinic *out);
void db_settings_read(struct arena *a, PGresult *res, int row, int col,
    struct db_portal_settings *out);
void db_patient_read(struct arena *a, PGresult *res, int row, int col,
    struct db_patient *out);

#endif
