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

/* Statements prepared on this connection, by address. A program has a few
 * hundred statements at most; past that we simply prepare again. */
#define PREPARED__MAX 512

struct db {
	PGconn *conn;
	char *conninfo;
	char *application_name;
	char connect_timeout[16];
	bool in_tx;
	size_t prepared_count;
	const struct db_stmt *prepared[PREPARED__MAX];
};

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

static PGresult *
exec_once(struct db *db, const struct db_stmt *stmt,
    const char *const *params, enum err *err)
{
	PGresult *res;
	ExecStatusType st;

	if (!is_prepared(db, stmt)) {
		if (db->prepared_count == PREPARED__MAX) {
			/* Start the list over; DEALLOCATE keeps the server side
			 * in step with it. */
			PQclear(PQexec(db->conn, "DEALLOCATE ALL"));
			db->prepared_count = 0;
		}
		res = PQprepare(db->conn, stmt->name, stmt->sql, stmt->nparams,
		    NULL);
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (st != PGRES_COMMAND_OK) {
			const char *msg = res ? PQresultErrorMessage(res) :
			    PQerrorMessage(db->conn);

			log_error("prepare %s failed: %.*s", stmt->name,
			    (int)strcspn(msg, "\n"), msg);
			PQclear(res);
			*err = ERR_DB;
			return NULL;
		}
		PQclear(res);
		db->prepared[db->prepared_count++] = stmt;
	}
	res = PQexecPrepared(db->conn, stmt->name, stmt->nparams, params, NULL,
	    NULL, 0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		*err = ERR_OK;
		return res;
	}
	{
		const char *sqlstate = res ? PQresultErrorField(res,
		    PG_DIAG_SQLSTATE) : NULL;
		const char *msg = res ? PQresultErrorMessage(res) :
		    PQerrorMessage(db->conn);

		*err = db_err_from_sqlstate(sqlstate);
		if (*err == ERR_DB)
			log_error("statement %s failed (%s): %.*s", stmt->name,
			    sqlstate ? sqlstate : "-", (int)strcspn(msg, "\n"),
			    msg);
	}
	PQclear(res);
	return NULL;
}

PGresult *
db_exec(struct db *db, const struct db_stmt *stmt, const char *const *params,
    enum err *err)
{
	PGresult *res;

	if (!db_usable(db)) {
		*err = ERR_DB;
		return NULL;
	}
	res = exec_once(db, stmt, params, err);
	if (res == NULL && PQstatus(db->conn) == CONNECTION_BAD &&
	    stmt->idempotent && !db->in_tx) {
		log_warn("database connection lost; reconnecting");
		if (db_connect(db))
			res = exec_once(db, stmt, params, err);
	}
	return res;
}

static const struct db_stmt stmt_ping = {
	"system_ping", "SELECT 1", 0, true,
};
static const struct db_stmt stmt_begin = {
	"system_begin", "BEGIN", 0, false,
};
static const struct db_stmt stmt_commit = {
	"system_commit", "COMMIT", 0, false,
};
static const struct db_stmt stmt_rollback = {
	"system_rollback", "ROLLBACK", 0, false,
};
/* The row-level-security policies read this setting; `true` scopes it to
 * the transaction, so it cannot leak into the next request. */
static const struct db_stmt stmt_set_clinic = {
	"system_set_clinic",
	"SELECT set_config('portal.clinic_id', $1::uuid::text, true)", 1, false,
};

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
db_begin_clinic(struct db *db, const char *clinic_id)
{
	const char *params[] = { clinic_id };
	enum err err = db_begin(db);
	PGresult *res;

	if (err != ERR_OK)
		return err;
	res = db_exec(db, &stmt_set_clinic, params, &err);
	PQclear(res);
	if (err != ERR_OK)
		db_rollback(db);
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
