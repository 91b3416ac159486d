/*
 * db.h - the worker's PostgreSQL connection.
 *
 * One connection per process, opened at start and reopened transparently
 * after PostgreSQL restarts: a statement marked idempotent that fails on a
 * broken connection is retried once on a fresh one; anything else fails
 * with ERR_DB and the next request reconnects. Statements are prepared once
 * per connection, on first use. Upper layers call the domain functions
 * declared here and never see a PGresult.
 */
#ifndef PORTAL_DB_H
#define PORTAL_DB_H

#include <stdbool.h>

#include "err.h"

struct db;

/* A handle for conninfo (a libpq key=value string or URI). Connecting is
 * attempted now and again on demand; a database that is down is not an
 * error here. NULL only when out of memory. Free with db_close(). */
struct db *db_open(const char *conninfo, long connect_timeout,
    const char *application_name);

/* Closes the connection and frees the handle. Accepts NULL. */
void db_close(struct db *db);

/* Round trips to PostgreSQL so far (a statement alone, a pipeline, a
 * statement's preparation each count one): what a request cost. */
unsigned long db_round_trips(const struct db *db);

/* Round trip to PostgreSQL: ERR_OK or ERR_DB. */
enum err db_ping(struct db *db);

/* A plain transaction, for the operator's commands (portalctl), which run
 * as the owner across clinics; requests use db_work_start() below. */
enum err db_begin(struct db *db);
enum err db_commit(struct db *db);
/* Rolls back the open transaction, if any; cheap when there is none. */
void db_rollback(struct db *db);

/*
 * The request pipeline's unit of work (DESIGN.md section 11). Nothing is
 * sent by these calls; what they ask for goes out with the next statement,
 * in the same round trip (one libpq pipeline):
 * - DB_WORK_WRITE: one transaction; its BEGIN goes out with the first
 *   statement; db_work_end() commits or rolls it back.
 * - DB_WORK_READ: no transaction; each statement runs in its own implicit
 *   one, with the row-level-security context set before it.
 */
enum db_work { DB_WORK_READ, DB_WORK_WRITE };

void db_work_start(struct db *db, enum db_work work);

/* The context of the statements that follow: the clinic whose rows they
 * see and the patient they serve (NULL: none). A write sends it with its
 * next statement. */
void db_work_context(struct db *db, const char *clinic_id,
    const char *patient_id);

/* The same, for a context a statement has just set itself in the
 * transaction (the request functions of db_request.h do): a read still
 * sends it before each later statement, a write need not. */
void db_work_context_set(struct db *db, const char *clinic_id,
    const char *patient_id);

/* Ends the work: a write's transaction commits when commit is true (and
 * nothing in it failed), else rolls back. ERR_OK, or ERR_DB / ERR_CONFLICT
 * when a commit was asked for and did not happen. */
enum err db_work_end(struct db *db, bool commit);

#endif
