/*
 * staff_sql.c - staff accounts (a person, their memberships of clinics),
 * their sessions, and sign-in with its limits and the choice of a clinic
 * (sql/0014, sql/0021; see db_clinic.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_clinic.h"
#include "db_internal.h"

enum stmt_id {
	STMT_LOGIN_CHECK,
	STMT_LOGIN_FAILURE_ADD,
	STMT_LOGIN_FAILURES_CLEAR,
	STMT_SESSION_CREATE,
	STMT_SESSION_DELETE,
	STMT_STAFF_CREATE,
	STMT_SELECTION_CREATE,
	STMT_SELECT,
	STMT_MEMBERS,
	STMT_MEMBER,
	STMT_MEMBER_UPDATE,
	STMT_OWN_SECRET,
	STMT_PASSWORD_SET,
	STMT_OWN_SESSIONS,
	STMT_END_OTHERS,
	STMT__MAX
};

/* A member of the context's clinic, read by read_member(). */
#define MEMBER_SELECT \
	"SELECT s.id, s.name, p.email, s.role, s.active, " \
	DB_TS("s.created_at") " FROM staff s " \
	"JOIN staff_people p ON p.id = s.person_id " \
	"WHERE s.clinic_id = portal_current_clinic() "

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_LOGIN_CHECK] = { "staff_login_check",
	    "SELECT retry_after, person_id, password_hash, staff_id, "
	    "staff_clinic_id, clinic_name, staff_name, staff_role "
	    "FROM portal_staff_login_check($1, $2, $3::integer, $4::integer, "
	    "$5::integer, $6::integer)", 6, true },
	[STMT_LOGIN_FAILURE_ADD] = { "staff_login_failure_add",
	    "INSERT INTO staff_login_failures (email, client_key) "
	    "VALUES ($1, $2)", 2, false },
	[STMT_LOGIN_FAILURES_CLEAR] = { "staff_login_failures_clear",
	    "DELETE FROM staff_login_failures "
	    "WHERE email = $1 AND client_key = $2", 2, false },
	[STMT_SESSION_CREATE] = { "clinic_session_create",
	    "INSERT INTO staff_sessions (token_hash, clinic_id, staff_id, "
	    "csrf_token, expires_at) "
	    "VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))", 5, false },
	[STMT_SESSION_DELETE] = { "clinic_session_delete",
	    "DELETE FROM staff_sessions WHERE token_hash = $1", 1, false },
	[STMT_STAFF_CREATE] = { "clinic_staff_create",
	    "SELECT staff_id, new_person FROM portal_staff_add($1, $2, $3, $4, $5)",
	    5, false },
	[STMT_SELECTION_CREATE] = { "staff_selection_create",
	    "INSERT INTO staff_login_selections (token_hash, person_id, "
	    "expires_at) VALUES ($1, $2, now() + interval '5 minutes')", 2, false },
	[STMT_SELECT] = { "staff_select",
	    "SELECT status, staff_id, staff_name, staff_role, clinic_name "
	    "FROM portal_staff_select($1, $2::uuid)", 2, false },
	[STMT_MEMBERS] = { "staff_members",
	    MEMBER_SELECT "ORDER BY s.active DESC, lower(s.name), s.id LIMIT $1",
	    1, true },
	[STMT_MEMBER] = { "staff_member",
	    MEMBER_SELECT "AND s.id = $1", 1, true },
	[STMT_MEMBER_UPDATE] = { "staff_member_update",
	    "SELECT portal_staff_update($1, $2, $3, $4::boolean)", 4, false },
	[STMT_OWN_SECRET] = { "staff_own_secret",
	    "SELECT email, password_hash FROM portal_staff_own_secret($1)", 1,
	    true },
	[STMT_PASSWORD_SET] = { "staff_password_set",
	    "SELECT portal_staff_password_set($1, $2, $3)", 3, false },
	[STMT_OWN_SESSIONS] = { "staff_own_sessions",
	    "SELECT clinic_id, clinic_name, " DB_TS("created_at") ", "
	    DB_TS("last_seen_at") ", " DB_TS("expires_at") ", current "
	    "FROM portal_staff_own_sessions($1, $2)", 2, true },
	[STMT_END_OTHERS] = { "staff_end_others",
	    "SELECT portal_staff_sessions_end_others($1, $2)", 2, false },
};

enum err
db_staff_login_check(struct db *db, struct arena *a, const char *email,
    const char *client_key, const struct db_login_limits *limits,
    long *retry_after, struct db_staff_login *out)
{
	char window[24], pair[24], client[24], account[24];
	const char *params[] = { email, client_key, window, pair, client,
	    account };
	enum err err;
	PGresult *res;

	snprintf(window, sizeof(window), "%ld", limits->window_s);
	snprintf(pair, sizeof(pair), "%ld", limits->per_pair);
	snprintf(client, sizeof(client), "%ld", limits->per_client);
	snprintf(account, sizeof(account), "%ld", limits->per_account);
	memset(out, 0, sizeof(*out));
	if ((res = db_exec_one(db, &stmts[STMT_LOGIN_CHECK], params, &err)) == NULL)
		return err;
	*retry_after = atol(PQgetvalue(res, 0, 0));
	if (*retry_after == 0 && !PQgetisnull(res, 0, 1)) {
		int n = PQntuples(res);

		out->person_id = db_val(a, res, 0, 1);
		out->password_hash = db_val(a, res, 0, 2);
		out->memberships = arena_calloc(a, (size_t)n, sizeof(*out->memberships));
		if (out->password_hash == NULL || out->memberships == NULL) {
			PQclear(res);
			return ERR_NOMEM;
		}
		for (int i = 0; i < n; i++) {
			struct db_staff_membership *m = &out->memberships[i];

			m->staff_id = db_val(a, res, i, 3);
			m->clinic_id = db_val(a, res, i, 4);
			m->clinic_name = db_val(a, res, i, 5);
			m->name = db_val(a, res, i, 6);
			m->role = db_val(a, res, i, 7);
		}
		out->count = n;
	}
	PQclear(res);
	return ERR_OK;
}

enum err
db_staff_selection_create(struct db *db, const char *token_hash,
    const char *person_id)
{
	const char *params[] = { token_hash, person_id };

	return db_run(db, &stmts[STMT_SELECTION_CREATE], params);
}

enum err
db_staff_select(struct db *db, struct arena *a, const char *token_hash,
    const char *clinic_id, enum db_select_status *status,
    struct db_staff_membership *out)
{
	const char *params[] = { token_hash, clinic_id };
	const char *said;
	enum err err;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	*status = DB_SELECT_INVALID_TOKEN;
	if ((res = db_exec_one(db, &stmts[STMT_SELECT], params, &err)) == NULL)
		return err;
	said = PQgetvalue(res, 0, 0);
	if (strcmp(said, "ok") == 0) {
		*status = DB_SELECT_OK;
		out->staff_id = db_val(a, res, 0, 1);
		out->clinic_id = arena_strdup(a, clinic_id);
		out->name = db_val(a, res, 0, 2);
		out->role = db_val(a, res, 0, 3);
		out->clinic_name = db_val(a, res, 0, 4);
		if (out->role == NULL || out->clinic_id == NULL)
			err = ERR_NOMEM;
	} else if (strcmp(said, "not_member") == 0) {
		*status = DB_SELECT_NOT_MEMBER;
	}
	PQclear(res);
	return err;
}

enum err
db_login_failure_add(struct db *db, const char *email, const char *client_key)
{
	const char *params[] = { email, client_key };

	return db_run(db, &stmts[STMT_LOGIN_FAILURE_ADD], params);
}

enum err
db_login_failures_clear(struct db *db, const char *email,
    const char *client_key)
{
	const char *params[] = { email, client_key };

	return db_run(db, &stmts[STMT_LOGIN_FAILURES_CLEAR], params);
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
    const char *password_hash, const char **id, bool *new_person)
{
	const char *params[] = { clinic_id, email, name, role, password_hash };
	enum err err;
	PGresult *res = db_exec_one(db, &stmts[STMT_STAFF_CREATE], params, &err);

	if (res == NULL)
		return err;
	*id = db_val(a, res, 0, 0);
	*new_person = db_val_bool(res, 0, 1);
	PQclear(res);
	return *id != NULL ? ERR_OK : ERR_NOMEM;
}

static void
read_member(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_staff_member *m = item;

	m->id = db_val(a, res, row, 0);
	m->name = db_val(a, res, row, 1);
	m->email = db_val(a, res, row, 2);
	m->role = db_val(a, res, row, 3);
	m->active = db_val_bool(res, row, 4);
	m->created_at = db_val(a, res, row, 5);
}

enum err
db_staff_members(struct db *db, struct arena *a, int max,
    struct db_staff_member **out, int *count)
{
	char limit[16];
	const char *params[] = { limit };

	snprintf(limit, sizeof(limit), "%d", max);
	return db_rows(db, a, &stmts[STMT_MEMBERS], params, sizeof(**out),
	    read_member, (void **)out, count);
}

enum err
db_staff_member(struct db *db, struct arena *a, const char *id,
    struct db_staff_member *out)
{
	const char *params[] = { id };
	enum err err = db_row(db, a, &stmts[STMT_MEMBER], params, read_member,
	    out);

	return err == ERR_OK && out->created_at == NULL ? ERR_NOMEM : err;
}

enum err
db_staff_member_update(struct db *db, struct arena *a, const char *id,
    const char *name, const char *role, int active, bool *last_owner,
    struct db_staff_member *out)
{
	const char *update_params[] = { id, name, role,
	    active < 0 ? NULL : active ? "t" : "f" };
	const char *get_params[] = { id };
	const struct db_stmt *batch[] = { &stmts[STMT_MEMBER_UPDATE],
	    &stmts[STMT_MEMBER] };
	const char *const *params[] = { update_params, get_params };
	PGresult *res[2];
	const char *said;
	enum err err;

	*last_owner = false;
	if ((err = db_exec_batch(db, 2, batch, params, res)) != ERR_OK)
		return err;
	said = PQntuples(res[0]) == 1 ? PQgetvalue(res[0], 0, 0) : "";
	if (strcmp(said, "last_owner") == 0)
		*last_owner = true;
	else if (strcmp(said, "ok") != 0 || PQntuples(res[1]) != 1)
		err = ERR_NOT_FOUND;
	else
		read_member(a, res[1], 0, out);
	PQclear(res[0]);
	PQclear(res[1]);
	if (err == ERR_OK && !*last_owner && out->created_at == NULL)
		err = ERR_NOMEM;
	return err;
}

enum err
db_staff_own_secret(struct db *db, struct arena *a, const char *staff_id,
    const char **email, const char **password_hash)
{
	const char *params[] = { staff_id };
	enum err err;
	PGresult *res = db_exec_one(db, &stmts[STMT_OWN_SECRET], params, &err);

	if (res == NULL)
		return err;
	*email = db_val(a, res, 0, 0);
	*password_hash = db_val(a, res, 0, 1);
	PQclear(res);
	return *email != NULL ? ERR_OK : ERR_NOMEM;
}

/* The integer a statement answered in its one column, into *n. */
static enum err
count_of(struct db *db, const struct db_stmt *stmt, const char *const *params,
    int *n)
{
	enum err err;
	PGresult *res = db_exec_one(db, stmt, params, &err);

	if (res == NULL)
		return err;
	if (PQgetisnull(res, 0, 0))
		err = ERR_NOT_FOUND;
	else
		*n = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return err;
}

enum err
db_staff_password_set(struct db *db, const char *staff_id,
    const char *password_hash, const char *keep_token_hash, int *ended)
{
	const char *params[] = { staff_id, password_hash, keep_token_hash };

	return count_of(db, &stmts[STMT_PASSWORD_SET], params, ended);
}

static void
read_session(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_staff_session *s = item;

	s->clinic_id = db_val(a, res, row, 0);
	s->clinic_name = db_val(a, res, row, 1);
	s->created_at = db_val(a, res, row, 2);
	s->last_seen_at = db_val(a, res, row, 3);
	s->expires_at = db_val(a, res, row, 4);
	s->current = db_val_bool(res, row, 5);
}

enum err
db_staff_own_sessions(struct db *db, struct arena *a, const char *staff_id,
    const char *current_token_hash, struct db_staff_session **out, int *count)
{
	const char *params[] = { staff_id, current_token_hash };

	return db_rows(db, a, &stmts[STMT_OWN_SESSIONS], params, sizeof(**out),
	    read_session, (void **)out, count);
}

enum err
db_staff_sessions_end_others(struct db *db, const char *staff_id,
    const char *keep_token_hash, int *ended)
{
	const char *params[] = { staff_id, keep_token_hash };

	return count_of(db, &stmts[STMT_END_OTHERS], params, ended);
}
