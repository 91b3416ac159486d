/*
 * db_internal.h - what the files of src/db/ share: statement tables and
 * the execution primitive. Nothing outside src/db/ includes this.
 */
#ifndef PORTAL_DB_INTERNAL_H
#define PORTAL_DB_INTERNAL_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "db.h"
#include "permissions.h"

struct arena;

/* A timestamptz column as the API writes times: ISO 8601 in UTC. */
#define DB_TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

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

/* The value at (row, col) copied into the arena; NULL for SQL NULL. */
const char *db_val(struct arena *a, PGresult *res, int row, int col);

/* The boolean at (row, col); false for SQL NULL. */
bool db_val_bool(PGresult *res, int row, int col);

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

/* Runs stmt and reads its first row into item with read; ERR_NOT_FOUND
 * when there is none. */
enum err db_row(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, db_row_reader read, void *item);

/* Maps a failed result's SQLSTATE to our error enum. */
enum err db_err_from_sqlstate(const char *sqlstate);

#endif
