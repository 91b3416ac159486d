/*
 * db.c - the worker's connection: connect, reconnect, prepare on first use,
 * execute, transactions with the tenant context (see db.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "arena.h"
#include "db_internal.h"
#include "log.h"
#include "tztime.h"

/* Statements prepared on this connection, by address. A program has a few
 * hundred statements at most; past that we simply prepare again. */
#define PREPARED__MAX 512

/* A UUID's text and its NUL. */
#define CONTEXT_ID_MAX 37

struct db {
	PGconn *conn;
	char *conninfo;
	char *application_name;
	char connect_timeout[16];
	bool in_tx;
	unsigned long round_trips;	/* since the connection was opened */
	size_t prepared_count;
	const struct db_stmt *prepared[PREPARED__MAX];

	/* Statements a write sends with its COMMIT (db_defer()). */
	size_t deferred_count;
	const struct db_stmt *deferred[DB_DEFER__MAX];
	const char *deferred_params[DB_DEFER__MAX][DB_DEFER_PARAMS__MAX];
	const char *const *deferred_param_lists[DB_DEFER__MAX];

	/* The request's unit of work (db_work_start()). */
	bool working;
	enum db_work work;
	bool begin_pending;	/* a write's BEGIN goes out with the next statement */
	bool context_pending;	/* so does the context, in a write */
	char context_clinic[CONTEXT_ID_MAX], context_patient[CONTEXT_ID_MAX];

	/* A read's data statements sent ahead with the next statement (the
	 * session's), and their answers until the handler asks (db_ahead()). */
	size_t ahead_count;
	bool ahead_sent;
	const struct db_stmt *ahead[DB_BATCH__MAX];
	const char *const *ahead_params[DB_BATCH__MAX];
	PGresult *ahead_res[DB_BATCH__MAX];
};

static void ahead_clear(struct db *db);

static void
notice_silent(void *arg, const PGresult *res)
{
	(void)arg;
	(void)res;
}

/* Opens a fresh connection, dropping the old one and its statements. */
static bool
db_connect(struct db *db)
{
	const char *keys[] = { "connect_timeout", "application_name",
	    "dbname", NULL };
	const char *values[] = { db->connect_timeout, db->application_name,
	    db->conninfo, NULL };

	if (db->conn != NULL)
		PQfinish(db->conn);
	db->prepared_count = 0;
	db->in_tx = false;
	/* expand_dbname: dbname may hold a whole conninfo, which then
	 * overrides the defaults listed before it. */
	db->conn = PQconnectdbParams(keys, values, 1);
	if (db->conn == NULL)
		return false;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		char *msg = PQerrorMessage(db->conn);

		log_error("database connection failed: %.*s",
		    (int)strcspn(msg, "\n"), msg);
		return false;
	}
	PQsetNoticeReceiver(db->conn, notice_silent, NULL);
	return true;
}

struct db *
db_open(const char *conninfo, long connect_timeout,
    const char *application_name)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return NULL;
	db->conninfo = strdup(conninfo);
	db->application_name = strdup(application_name);
	if (db->conninfo == NULL || db->application_name == NULL) {
		db_close(db);
		return NULL;
	}
	snprintf(db->connect_timeout, sizeof(db->connect_timeout), "%ld",
	    connect_timeout);
	db_connect(db);
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	ahead_clear(db);
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db->application_name);
	free(db);
}

static bool
db_usable(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return true;
	/* Inside a transaction a new connection would silently lose it. */
	if (db->in_tx)
		return false;
	return db_connect(db);
}

enum err
db_err_from_sqlstate(const char *sqlstate)
{
	if (sqlstate == NULL)
		return ERR_DB;
	if (strcmp(sqlstate, "23505") == 0 || strcmp(sqlstate, "23P01") == 0 ||
	    strcmp(sqlstate, "40001") == 0)
		return ERR_CONFLICT;
	if (strcmp(sqlstate, "23503") == 0 || strcmp(sqlstate, "23514") == 0 ||
	    strcmp(sqlstate, "23502") == 0 || strcmp(sqlstate, "22P02") == 0)
		return ERR_INVALID;
	return ERR_DB;
}

static bool
is_prepared(const struct db *db, const struct db_stmt *stmt)
{
	for (size_t i = 0; i < db->prepared_count; i++)
		if (db->prepared[i] == stmt)
			return true;
	return false;
}

/* Prepares stmt on this connection unless it already is. */
static bool
prepare(struct db *db, const struct db_stmt *stmt)
{
	PGresult *res;
	ExecStatusType st;

	if (is_prepared(db, stmt))
		return true;
	if (db->prepared_count == PREPARED__MAX) {
		/* Start the list over; DEALLOCATE keeps the server side in step
		 * with it. */
		PQclear(PQexec(db->conn, "DEALLOCATE ALL"));
		db->round_trips++;
		db->prepared_count = 0;
	}
	res = PQprepare(db->conn, stmt->name, stmt->sql, stmt->nparams, NULL);
	db->round_trips++;
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK) {
		const char *msg = res ? PQresultErrorMessage(res) :
		    PQerrorMessage(db->conn);

		log_error("prepare %s failed: %.*s", stmt->name,
		    (int)strcspn(msg, "\n"), msg);
		PQclear(res);
		return false;
	}
	PQclear(res);
	db->prepared[db->prepared_count++] = stmt;
	return true;
}

/* NULL and *err set from a failed result (res may be NULL), logged when it
 * is not an error the caller expects (constraints). */
static PGresult *
failed(struct db *db, const struct db_stmt *stmt, PGresult *res,
    enum err *err)
{
	const char *sqlstate = res ? PQresultErrorField(res,
	    PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) :
	    PQerrorMessage(db->conn);

	*err = db_err_from_sqlstate(sqlstate);
	if (*err == ERR_DB)
		log_error("statement %s failed (%s): %.*s", stmt->name,
		    sqlstate ? sqlstate : "-", (int)strcspn(msg, "\n"), msg);
	PQclear(res);
	return NULL;
}

static bool
result_ok(PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static const struct db_stmt stmt_begin = {
	"system_begin", "BEGIN", 0, false,
};
/* The row-level-security policies read these settings; `true` scopes
 * them to the transaction (an explicit one, or the implicit one of a
 * pipeline up to its sync), so they cannot leak into the next request. */
static const struct db_stmt stmt_set_context = {
	"system_set_context",
	"SELECT set_config('portal.clinic_id', $1, true), "
	"set_config('portal.patient_id', $2, true)", 2, false,
};

static const struct db_stmt stmt_commit_ride = {
	"system_commit_ride", "COMMIT", 0, false,
};

/* Statements one round trip may carry: BEGIN, the context, a handler's
 * batch, the statements sent ahead and a COMMIT. */
#define SENDS__MAX (2 + 2 * DB_BATCH__MAX + 1)

/* Drops what was sent ahead and not asked for. */
static void
ahead_clear(struct db *db)
{
	for (size_t i = 0; i < db->ahead_count; i++) {
		PQclear(db->ahead_res[i]);
		db->ahead_res[i] = NULL;
	}
	db->ahead_count = 0;
	db->ahead_sent = false;
}

static bool
params_equal(int n, const char *const *a, const char *const *b)
{
	for (int i = 0; i < n; i++) {
		if (a[i] == NULL || b[i] == NULL) {
			if (a[i] != b[i])
				return false;
		} else if (strcmp(a[i], b[i]) != 0) {
			return false;
		}
	}
	return true;
}

/* The answers of the n statements when they are exactly the ones sent
 * ahead (the same statements, the same parameters): handed to results[]
 * (the caller owns them now) without a round trip. */
static bool
ahead_take(struct db *db, size_t n, const struct db_stmt *const *stmts,
    const char *const *const *params, PGresult **results)
{
	if (!db->ahead_sent || db->ahead_count != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (db->ahead[i] != stmts[i] || db->ahead_res[i] == NULL ||
		    !params_equal(stmts[i]->nparams, db->ahead_params[i],
		    params[i]))
			return false;
	for (size_t i = 0; i < n; i++) {
		results[i] = db->ahead_res[i];
		db->ahead_res[i] = NULL;
	}
	db->ahead_count = 0;
	db->ahead_sent = false;
	return true;
}

/*
 * Sends the n statements stmts[] (with params[]) and what must go with
 * them in the same round trip: a write's pending BEGIN and context before
 * (every statement of a read runs in the implicit transaction of its
 * pipeline, so the context goes before each batch of a read; a write
 * carries it once), and COMMIT after when commit is set. One statement
 * alone goes out as usual; several go out as one libpq pipeline, one sync,
 * one round trip. results[i] receives each statement's result (the caller
 * PQclear()s them); on a failure every result is NULL and *err says why
 * (the first failure's cause: later statements are not run).
 */
static void
exec_pipeline(struct db *db, size_t n, const struct db_stmt *const *stmts,
    const char *const *const *params, bool commit, PGresult **results,
    enum err *err)
{
	const struct db_stmt *sends[SENDS__MAX];
	const char *const *send_params[SENDS__MAX];
	const char *context[2] = { db->context_clinic, db->context_patient };
	PGresult *res, *got[SENDS__MAX] = { NULL };
	size_t m = 0, first = 0, ahead_first = 0, ahead_n = 0;
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		results[i] = NULL;
	if (db->working && db->begin_pending)
		sends[m] = &stmt_begin, send_params[m++] = NULL;
	if (db->working && (db->context_pending || (db->work == DB_WORK_READ &&
	    db->context_clinic[0] != '\0')))
		sends[m] = &stmt_set_context, send_params[m++] = context;
	first = m;
	for (size_t i = 0; i < n; i++)
		sends[m] = stmts[i], send_params[m++] = params[i];
	/* A read's data, sent ahead: after the session's statement, in the
	 * same implicit transaction, so it sees the context that statement
	 * set (and nothing when it set none). */
	if (db->ahead_count > 0 && !db->ahead_sent) {
		ahead_first = m;
		ahead_n = db->ahead_count;
		for (size_t i = 0; i < ahead_n; i++)
			sends[m] = db->ahead[i], send_params[m++] = db->ahead_params[i];
		db->ahead_sent = true;
	}
	if (commit)
		sends[m] = &stmt_commit_ride, send_params[m++] = NULL;
	for (size_t i = 0; i < m; i++)
		if (!prepare(db, sends[i])) {
			*err = ERR_DB;
			return;
		}
	*err = ERR_OK;
	db->round_trips++;
	if (m == 1) {
		res = PQexecPrepared(db->conn, sends[0]->name, sends[0]->nparams,
		    send_params[0], NULL, NULL, 0);
		db->in_tx = PQtransactionStatus(db->conn) == PQTRANS_INTRANS ||
		    PQtransactionStatus(db->conn) == PQTRANS_INERROR;
		if (result_ok(res))
			results[0] = res;
		else
			failed(db, sends[0], res, err);
		return;
	}
	if (PQenterPipelineMode(db->conn) != 1) {
		*err = ERR_DB;
		return;
	}
	for (size_t i = 0; i < m && ok; i++)
		ok = PQsendQueryPrepared(db->conn, sends[i]->name,
		    sends[i]->nparams, send_params[i], NULL, NULL, 0) == 1;
	ok = ok && PQpipelineSync(db->conn) == 1;
	if (!ok)
		*err = ERR_DB;
	/* Every statement's result and its closing NULL, then the sync's
	 * result, must be read before the pipeline can end. The first
	 * failure names the cause; the statements after it answer
	 * PGRES_PIPELINE_ABORTED. */
	for (size_t i = 0; i < m && ok; i++) {
		PGresult *extra;

		res = PQgetResult(db->conn);
		if (res == NULL) {
			ok = false;
			*err = ERR_DB;
			break;
		}
		if (!result_ok(res)) {
			bool sent_ahead = ahead_n > 0 && i >= ahead_first &&
			    i < ahead_first + ahead_n;

			/* What was sent ahead failing is not the caller's
			 * failure: the handler's own call runs it again. The
			 * statements after the failing one only answer
			 * "aborted": the first is the one to log. */
			if (sent_ahead && *err == ERR_OK &&
			    PQresultStatus(res) != PGRES_PIPELINE_ABORTED)
				log_warn("statement %s sent ahead failed: %.*s",
				    sends[i]->name, (int)strcspn(
				    PQresultErrorMessage(res), "\n"),
				    PQresultErrorMessage(res));
			if (*err == ERR_OK && !sent_ahead)
				failed(db, sends[i], res, err);
			else
				PQclear(res);
		} else {
			got[i] = res;
		}
		while ((extra = PQgetResult(db->conn)) != NULL)
			PQclear(extra);
	}
	if (ok) {
		res = PQgetResult(db->conn);
		if (res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC)
			ok = false;
		PQclear(res);
	}
	if (PQexitPipelineMode(db->conn) != 1 || !ok) {
		log_error("database pipeline failed: %.*s",
		    (int)strcspn(PQerrorMessage(db->conn), "\n"),
		    PQerrorMessage(db->conn));
		if (*err == ERR_OK)
			*err = ERR_DB;
	}
	db->in_tx = PQtransactionStatus(db->conn) == PQTRANS_INTRANS ||
	    PQtransactionStatus(db->conn) == PQTRANS_INERROR;
	for (size_t i = 0; i < m; i++) {
		if (*err == ERR_OK && i >= first && i < first + n)
			results[i - first] = got[i];
		else if (*err == ERR_OK && ahead_n > 0 && i >= ahead_first &&
		    i < ahead_first + ahead_n)
			db->ahead_res[i - ahead_first] = got[i];
		else
			PQclear(got[i]);
	}
	if (*err == ERR_OK) {
		/* What went out with the statements is done. */
		db->begin_pending = false;
		if (db->work == DB_WORK_WRITE)
			db->context_pending = false;
	}
}

static PGresult *
exec_once(struct db *db, const struct db_stmt *stmt,
    const char *const *params, enum err *err)
{
	PGresult *res;

	exec_pipeline(db, 1, &stmt, &params, false, &res, err);
	return res;
}

enum err
db_exec_batch(struct db *db, size_t n, const struct db_stmt *const *stmts,
    const char *const *const *params, PGresult **results)
{
	enum err err;

	if (n == 0 || n > DB_BATCH__MAX)
		return ERR_INVALID;
	if (!db_usable(db))
		return ERR_DB;
	if (ahead_take(db, n, stmts, params, results))
		return ERR_OK;
	exec_pipeline(db, n, stmts, params, false, results, &err);
	return err;
}

void
db_ahead(struct db *db, size_t n, const struct db_stmt *const *stmts,
    const char *const *const *params)
{
	/* Only a read's, and only before anything of it went out. */
	if (!db->working || db->work != DB_WORK_READ || db->ahead_sent ||
	    n == 0 || n > DB_BATCH__MAX)
		return;
	ahead_clear(db);
	for (size_t i = 0; i < n; i++) {
		db->ahead[i] = stmts[i];
		db->ahead_params[i] = params[i];
	}
	db->ahead_count = n;
}

enum err
db_defer(struct db *db, const struct db_stmt *stmt, const char *const *params)
{
	size_t i = db->deferred_count;
	enum err err;

	if (stmt->nparams > DB_DEFER_PARAMS__MAX)
		return ERR_INVALID;
	/* Outside a write there is no COMMIT to ride with: run it now. */
	if (!db->working || db->work != DB_WORK_WRITE) {
		PGresult *res = db_exec(db, stmt, params, &err);

		PQclear(res);
		return err;
	}
	if (i == DB_DEFER__MAX)
		return ERR_NOMEM;
	for (int k = 0; k < stmt->nparams; k++)
		db->deferred_params[i][k] = params[k];
	db->deferred[i] = stmt;
	db->deferred_param_lists[i] = db->deferred_params[i];
	db->deferred_count++;
	return ERR_OK;
}

enum err
db_exec_commit(struct db *db, const struct db_stmt *stmt,
    const char *const *params, PGresult **result)
{
	enum err err;

	*result = NULL;
	if (!db_usable(db))
		return ERR_DB;
	exec_pipeline(db, 1, &stmt, &params, db->working &&
	    db->work == DB_WORK_WRITE, result, &err);
	return err;
}

PGresult *
db_exec(struct db *db, const struct db_stmt *stmt, const char *const *params,
    enum err *err)
{
	PGresult *res;

	if (ahead_take(db, 1, &stmt, &params, &res)) {
		*err = ERR_OK;
		return res;
	}
	if (!db_usable(db)) {
		*err = ERR_DB;
		return NULL;
	}
	res = exec_once(db, stmt, params, err);
	/* Sent again on a fresh connection only when nothing of a
	 * transaction can be lost with the old one. */
	if (res == NULL && PQstatus(db->conn) == CONNECTION_BAD &&
	    stmt->idempotent && !db->in_tx && (!db->working ||
	    db->work == DB_WORK_READ || db->begin_pending)) {
		log_warn("database connection lost; reconnecting");
		if (db_connect(db))
			res = exec_once(db, stmt, params, err);
	}
	return res;
}

PGresult *
db_exec_one(struct db *db, const struct db_stmt *stmt,
    const char *const *params, enum err *err)
{
	PGresult *res = db_exec(db, stmt, params, err);

	if (res != NULL && PQntuples(res) == 0) {
		PQclear(res);
		*err = ERR_NOT_FOUND;
		return NULL;
	}
	return res;
}

static const struct db_stmt stmt_ping = {
	"system_ping", "SELECT 1", 0, true,
};
static const struct db_stmt stmt_commit = {
	"system_commit", "COMMIT", 0, false,
};
static const struct db_stmt stmt_rollback = {
	"system_rollback", "ROLLBACK", 0, false,
};

unsigned long
db_round_trips(const struct db *db)
{
	return db->round_trips;
}

enum err
db_ping(struct db *db)
{
	enum err err;
	PGresult *res = db_exec(db, &stmt_ping, NULL, &err);

	PQclear(res);
	return err;
}

enum err
db_begin(struct db *db)
{
	enum err err;
	PGresult *res;

	/* A BEGIN on a dead connection is safe to retry: nothing ran yet. */
	if (!db_usable(db))
		return ERR_DB;
	res = exec_once(db, &stmt_begin, NULL, &err);
	if (res == NULL && PQstatus(db->conn) == CONNECTION_BAD &&
	    db_connect(db))
		res = exec_once(db, &stmt_begin, NULL, &err);
	PQclear(res);
	if (err == ERR_OK)
		db->in_tx = true;
	return err;
}

enum err
db_commit(struct db *db)
{
	enum err err;
	PGresult *res = db_exec(db, &stmt_commit, NULL, &err);

	PQclear(res);
	db->in_tx = false;
	return err;
}

void
db_rollback(struct db *db)
{
	enum err err;

	if (db->in_tx && db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		PQclear(db_exec(db, &stmt_rollback, NULL, &err));
	db->in_tx = false;
}

static void
context_copy(char *to, const char *id)
{
	size_t n = id == NULL ? 0 : strlen(id);

	if (n >= CONTEXT_ID_MAX)
		n = 0;	/* never a UUID: no context rather than a cut one */
	if (n > 0)	/* (memcpy from NULL is undefined, even for 0 bytes) */
		memcpy(to, id, n);
	to[n] = '\0';
}

void
db_work_start(struct db *db, enum db_work work)
{
	/* A connection left inside a transaction (it cannot happen through
	 * db_work_end(), but a bug must not carry one request's transaction
	 * into the next) is rolled back first. */
	db_rollback(db);
	ahead_clear(db);
	db->working = true;
	db->work = work;
	db->deferred_count = 0;
	db->begin_pending = work == DB_WORK_WRITE;
	db->context_pending = false;
	db->context_clinic[0] = db->context_patient[0] = '\0';
}

void
db_work_context(struct db *db, const char *clinic_id, const char *patient_id)
{
	context_copy(db->context_clinic, clinic_id);
	context_copy(db->context_patient, patient_id);
	db->context_pending = db->work == DB_WORK_WRITE;
}

void
db_work_context_set(struct db *db, const char *clinic_id,
    const char *patient_id)
{
	context_copy(db->context_clinic, clinic_id);
	context_copy(db->context_patient, patient_id);
	db->context_pending = false;
}

enum err
db_work_end(struct db *db, bool commit)
{
	enum err err = ERR_OK;
	size_t deferred = db->deferred_count;
	bool failed_tx;

	ahead_clear(db);
	if (!db->working)
		return ERR_OK;
	db->deferred_count = 0;
	if (commit && deferred > 0 && (db->begin_pending || (db->in_tx &&
	    PQtransactionStatus(db->conn) == PQTRANS_INTRANS))) {
		PGresult *res[DB_DEFER__MAX];

		/* The deferred statements and the COMMIT (after the BEGIN, if
		 * nothing else was sent): one round trip. A failure among them
		 * leaves the transaction failed, and it is rolled back below. */
		exec_pipeline(db, deferred, db->deferred, db->deferred_param_lists,
		    true, res, &err);
		for (size_t i = 0; i < deferred; i++)
			PQclear(res[i]);
		if (err == ERR_OK && !db->in_tx) {
			db->working = false;
			db->begin_pending = db->context_pending = false;
			db->context_clinic[0] = db->context_patient[0] = '\0';
			return ERR_OK;
		}
		if (err == ERR_OK)
			err = ERR_DB;
	}
	db->working = false;
	db->begin_pending = db->context_pending = false;
	db->context_clinic[0] = db->context_patient[0] = '\0';
	if (!db->in_tx)
		return err;
	if (err != ERR_OK) {
		db_rollback(db);
		return err;
	}
	/* COMMIT of a failed transaction "succeeds" by rolling back: that is
	 * a failure to whoever meant to commit. */
	failed_tx = PQtransactionStatus(db->conn) == PQTRANS_INERROR;
	if (commit && !failed_tx) {
		err = db_commit(db);
	} else {
		db_rollback(db);
		if (commit)
			err = ERR_DB;
	}
	db->in_tx = false;
	return err;
}

const char *
db_val(struct arena *a, PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return arena_strdup(a, PQgetvalue(res, row, col));
}

bool
db_val_bool(PGresult *res, int row, int col)
{
	return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

int64_t
db_val_int(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 :
	    strtoll(PQgetvalue(res, row, col), NULL, 10);
}

const char *
db_val_iso(struct arena *a, PGresult *res, int row, int col,
    const char *zone)
{
	char buf[TZ_ISO_SIZE];

	if (PQgetisnull(res, row, col) ||
	    !tz_iso(zone, db_val_int(res, row, col), buf))
		return NULL;
	return arena_strdup(a, buf);
}

perm_set
db_perm_parse(const char *csv)
{
	perm_set set = 0;
	char key[64];

	while (csv != NULL && *csv != '\0') {
		size_t n = strcspn(csv, ",");
		int p;

		if (n < sizeof(key)) {
			memcpy(key, csv, n);
			key[n] = '\0';
			if ((p = perm_from_key(key)) >= 0)
				set |= PERM_BIT(p);
		}
		csv += n + (csv[n] == ',');
	}
	return set;
}

enum err
db_rows(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, size_t item_size, db_row_reader read,
    void **out, int *count)
{
	enum err err;
	PGresult *res = db_exec(db, stmt, params, &err);
	int n;
	unsigned char *items;

	if (res == NULL)
		return err;
	n = PQntuples(res);
	items = arena_calloc(a, (size_t)(n > 0 ? n : 1), item_size);
	if (items == NULL) {
		PQclear(res);
		return ERR_NOMEM;
	}
	for (int i = 0; i < n; i++)
		read(a, res, i, items + (size_t)i * item_size);
	*out = items;
	*count = n;
	PQclear(res);
	return ERR_OK;
}

enum err
db_rows_whole(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, size_t item_size, db_row_reader read,
    size_t required, void **out, int *count)
{
	enum err err = db_rows(db, a, stmt, params, item_size, read, out,
	    count);
	const unsigned char *items = err == ERR_OK ? *out : NULL;

	for (int i = 0; items != NULL && i < *count; i++)
		if (*(const char *const *)(const void *)(items +
		    (size_t)i * item_size + required) == NULL)
			return ERR_NOMEM;
	return err;
}

enum err
db_row(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, db_row_reader read, void *item)
{
	enum err err;
	PGresult *res = db_exec(db, stmt, params, &err);

	if (res == NULL)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ERR_NOT_FOUND;
	}
	read(a, res, 0, item);
	PQclear(res);
	return ERR_OK;
}

enum err
db_run(struct db *db, const struct db_stmt *stmt, const char *const *params)
{
	enum err err;

	PQclear(db_exec(db, stmt, params, &err));
	return err;
}

enum err
db_run_one(struct db *db, const struct db_stmt *stmt,
    const char *const *params)
{
	enum err err;
	PGresult *res = db_exec(db, stmt, params, &err);

	if (res == NULL)
		return err;
	err = PQntuples(res) > 0 || atoi(PQcmdTuples(res)) > 0 ? ERR_OK :
	    ERR_NOT_FOUND;
	PQclear(res);
	return err;
}
