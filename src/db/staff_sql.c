/*
 * staff_sql.c - staff accounts, their sessions and sign-in failures (see db_clinic.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_clinic.h"
#include "db_internal.h"

enum stmt_id {
	STMT_STAFF_FOR_LOGIN,
	STMT_LOGIN_FAILURES,
	STMT_LOGIN_FAILURE_ADD,
	STMT_LOGIN_FAILURES_CLEAR,
	STMT_SESSION_LOOKUP,
	STMT_SESSION_CREATE,
	STMT_SESSION_DELETE,
	STMT_STAFF_CREATE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_STAFF_FOR_LOGIN] = { "clinic_staff_for_login",
	    "SELECT id, clinic_id, name, role, password_hash "
	    "FROM portal_staff_for_login($1)", 1, true },
	[STMT_LOGIN_FAILURES] = { "clinic_login_failures",
	    "SELECT count(*), coalesce(extract(epoch FROM now() - max(failed_at)), 0)::bigint "
	    "FROM staff_login_failures "
	    "WHERE email = $1 AND failed_at > now() - make_interval(secs => $2)",
	    2, true },
	[STMT_LOGIN_FAILURE_ADD] = { "clinic_login_failure_add",
	    "INSERT INTO staff_login_failures (email) VALUES ($1)", 1, false },
	[STMT_LOGIN_FAILURES_CLEAR] = { "clinic_login_failures_clear",
	    "DELETE FROM staff_login_failures WHERE email = $1", 1, false },
	[STMT_SESSION_LOOKUP] = { "clinic_session_lookup",
	    "SELECT clinic_id, staff_id, name, role, csrf_token "
	    "FROM portal_staff_session($1, make_interval(secs => $2))", 2, false },
	[STMT_SESSION_CREATE] = { "clinic_session_create",
	    "INSERT INTO staff_sessions (token_hash, clinic_id, staff_id, "
	    "csrf_token, expires_at) "
	    "VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))", 5, false },
	[STMT_SESSION_DELETE] = { "clinic_session_delete",
	    "DELETE FROM staff_sessions WHERE token_hash = $1", 1, false },
	[STMT_STAFF_CREATE] = { "clinic_staff_create",
	    "INSERT INTO staff (clinic_id, email, name, role, password_hash) "
	    "VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, false },
};

/* Runs a statement expected to return at most one row. */
static PGresult *
one(struct db *db, enum stmt_id id, const char *const *params, enum err *err)
{
	PGresult *res = db_exec(db, &stmts[id], params, err);

	if (res != NULL && PQntuples(res) == 0) {
		PQclear(res);
		*err = ERR_NOT_FOUND;
		return NULL;
	}
	return res;
}

enum err
db_staff_for_login(struct db *db, struct arena *a, const char *email,
    struct db_staff_login *out)
{
	const char *params[] = { email };
	enum err err;
	PGresult *res = one(db, STMT_STAFF_FOR_LOGIN, params, &err);

	if (res == NULL)
		return err;
	out->id = db_val(a, res, 0, 0);
	out->clinic_id = db_val(a, res, 0, 1);
	out->name = db_val(a, res, 0, 2);
	out->role = db_val(a, res, 0, 3);
	out->password_hash = db_val(a, res, 0, 4);
	PQclear(res);
	return out->password_hash != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
db_login_failures(struct db *db, const char *email, long window_s, long *count,
    long *seconds_since_last)
{
	char window[32];
	const char *params[] = { email, window };
	enum err err;
	PGresult *res;

	snprintf(window, sizeof(window), "%ld", window_s);
	res = one(db, STMT_LOGIN_FAILURES, params, &err);
	if (res == NULL)
		return err;
	*count = atol(PQgetvalue(res, 0, 0));
	*seconds_since_last = atol(PQgetvalue(res, 0, 1));
	PQclear(res);
	return ERR_OK;
}

enum err
db_login_failure_add(struct db *db, const char *email)
{
	const char *params[] = { email };

	return db_run(db, &stmts[STMT_LOGIN_FAILURE_ADD], params);
}

enum err
db_login_failures_clear(struct db *db, const char *email)
{
	const char *params[] = { email };

	return db_run(db, &stmts[STMT_LOGIN_FAILURES_CLEAR], params);
}

enum err
db_session_lookup(struct db *db, struct arena *a, const char *token_hash,
    long idle_s, struct db_session *out)
{
	char idle[32];
	const char *params[] = { token_hash, idle };
	enum err err;
	PGresult *res;

	snprintf(idle, sizeof(idle), "%ld", idle_s);
	res = one(db, STMT_SESSION_LOOKUP, params, &err);
	if (res == NULL)
		return err;
	out->clinic_id = db_val(a, res, 0, 0);
	out->staff_id = db_val(a, res, 0, 1);
	out->name = db_val(a, res, 0, 2);
	out->role = db_val(a, res, 0, 3);
	out->csrf_token = db_val(a, res, 0, 4);
	PQclear(res);
	return out->csrf_token != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
db_session_create(struct db *db, const char *clinic_id, const char *staff_id,
    const char *token_hash, const char *csrf_token, long absolute_s)
{
	char absolute[32];
	const char *params[] = { token_hash, clinic_id, staff_id, csrf_token,
	    absolute };

	snprintf(absolute, sizeof(absolute), "%ld", absolute_s);
	return db_run(db, &stmts[STMT_SESSION_CREATE], params);
}

enum err
db_session_delete(struct db *db, const char *token_hash)
{
	const char *params[] = { token_hash };

	return db_run(db, &stmts[STMT_SESSION_DELETE], params);
}

enum err
db_staff_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *email, const char *name, const char *role,
    const char *password_hash, const char **id)
{
	const char *params[] = { clinic_id, email, name, role, password_hash };
	enum err err;
	PGresult *res = one(db, STMT_STAFF_CREATE, params, &err);

	if (res == NULL)
		return err;
	*id = db_val(a, res, 0, 0);
	PQclear(res);
	return ERR_OK;
}
