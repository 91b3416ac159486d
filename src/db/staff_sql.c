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
	STMT_INVITE,
	STMT_RESET_REQUEST,
	STMT_TOKEN_LIVE,
	STMT_TOKEN_FINISH,
	STMT_TOTP_OF,
	STMT_LOGIN_TOKEN_CREATE,
	STMT_LOGIN_TOKEN_READ,
	STMT_LOGIN_TOKEN_PASS,
	STMT_FOR_LOGIN,
	STMT_TOTP_STATE,
	STMT_TOTP_BEGIN,
	STMT_TOTP_CONFIRM,
	STMT_TOTP_OFF,
	STMT_REQUIRE_TOTP_GET,
	STMT_REQUIRE_TOTP_SET,
	STMT__MAX
};

/* A member of the context's clinic, read by read_member(). */
#define MEMBER_SELECT \
	"SELECT s.id, s.name, p.email, s.role, s.active, " \
	DB_TS("s.created_at") ", t.totp_enabled FROM staff s " \
	"JOIN staff_people p ON p.id = s.person_id " \
	"JOIN portal_staff_totp_list() t ON t.staff_id = s.id " \
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
	    "csrf_token, expires_at, totp_enrol) "
	    "VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), "
	    "portal_staff_must_enrol($2, $3)) RETURNING totp_enrol", 5, false },
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
	[STMT_INVITE] = { "staff_invite",
	    "SELECT status, staff_id FROM portal_staff_invite($1, $2, $3, $4, "
	    "$5, $6, $7, $8::integer)", 8, false },
	[STMT_RESET_REQUEST] = { "staff_reset_request",
	    "SELECT portal_staff_reset_request($1, $2, $3, $4)", 4, false },
	[STMT_TOKEN_LIVE] = { "staff_token_live",
	    "SELECT portal_staff_token_live($1)", 1, true },
	[STMT_TOKEN_FINISH] = { "staff_token_finish",
	    "SELECT clinic_id, staff_id, purpose "
	    "FROM portal_staff_token_finish($1, $2)", 2, false },
	[STMT_TOTP_OF] = { "staff_totp_of",
	    "SELECT portal_staff_totp_of($1)", 1, true },
	[STMT_LOGIN_TOKEN_CREATE] = { "staff_login_token_create",
	    "SELECT portal_staff_login_token_create($1, $2)", 2, false },
	[STMT_LOGIN_TOKEN_READ] = { "staff_login_token_read",
	    "SELECT person_id, email, totp_secret, last_step "
	    "FROM portal_staff_login_token_read($1)", 1, true },
	[STMT_LOGIN_TOKEN_PASS] = { "staff_login_token_pass",
	    "SELECT portal_staff_login_token_pass($1, $2::bigint, $3)", 3,
	    false },
	[STMT_FOR_LOGIN] = { "staff_for_login",
	    "SELECT 0, person_id, password_hash, staff_id, clinic_id, "
	    "clinic_name, staff_name, staff_role "
	    "FROM portal_staff_for_login($1)", 1, true },
	[STMT_TOTP_STATE] = { "staff_totp_state",
	    "SELECT email, secret, pending, last_step, codes_left "
	    "FROM portal_staff_totp_state($1)", 1, true },
	[STMT_TOTP_BEGIN] = { "staff_totp_begin",
	    "SELECT portal_staff_totp_begin($1, $2)", 2, false },
	[STMT_TOTP_CONFIRM] = { "staff_totp_confirm",
	    "SELECT portal_staff_totp_confirm($1, $2::bigint, ARRAY(SELECT "
	    "decode(substr(h, 3), 'hex') FROM unnest(string_to_array($3, ',')) "
	    "AS h))", 3, false },
	[STMT_TOTP_OFF] = { "staff_totp_off",
	    "SELECT portal_staff_totp_off($1, $2::bigint)", 2, false },
	[STMT_REQUIRE_TOTP_GET] = { "clinic_require_totp_get",
	    "SELECT require_totp FROM clinics "
	    "WHERE id = portal_current_clinic()", 0, true },
	[STMT_REQUIRE_TOTP_SET] = { "clinic_require_totp_set",
	    "UPDATE clinics SET require_totp = $1::boolean "
	    "WHERE id = portal_current_clinic() RETURNING require_totp", 1,
	    false },
};

/* The boolean a statement answered in its one column, into *out. */
static enum err
bool_of(struct db *db, const struct db_stmt *stmt, const char *const *params,
    bool *out)
{
	enum err err;
	PGresult *res = db_exec_one(db, stmt, params, &err);

	*out = false;
	if (res == NULL)
		return err;
	*out = db_val_bool(res, 0, 0);
	PQclear(res);
	return ERR_OK;
}

/* The memberships rows of portal_staff_login_check() (or the same columns
 * of portal_staff_for_login()) into out; none when the first row names no
 * person. */
static enum err
read_logins(struct arena *a, PGresult *res, struct db_staff_login *out)
{
	int n = PQntuples(res);

	if (n == 0 || PQgetisnull(res, 0, 1))
		return ERR_OK;
	out->person_id = db_val(a, res, 0, 1);
	out->password_hash = db_val(a, res, 0, 2);
	out->memberships = arena_calloc(a, (size_t)n, sizeof(*out->memberships));
	if (out->password_hash == NULL || out->memberships == NULL)
		return ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		struct db_staff_membership *m = &out->memberships[i];

		m->staff_id = db_val(a, res, i, 3);
		m->clinic_id = db_val(a, res, i, 4);
		m->clinic_name = db_val(a, res, i, 5);
		m->name = db_val(a, res, i, 6);
		m->role = db_val(a, res, i, 7);
	}
	out->count = n;
	return ERR_OK;
}

enum err
db_staff_login_check(struct db *db, struct arena *a, const char *email,
    const char *client_key, const struct db_login_limits *limits,
    long *retry_after, struct db_staff_login *out)
{
	char window[24], pair[24], client[24], account[24];
	const char *params[] = { email, client_key, window, pair, client,
	    account };
	enum err err = ERR_OK;
	PGresult *res;

	snprintf(window, sizeof(window), "%ld", limits->window_s);
	snprintf(pair, sizeof(pair), "%ld", limits->per_pair);
	snprintf(client, sizeof(client), "%ld", limits->per_client);
	snprintf(account, sizeof(account), "%ld", limits->per_account);
	memset(out, 0, sizeof(*out));
	if ((res = db_exec_one(db, &stmts[STMT_LOGIN_CHECK], params, &err)) == NULL)
		return err;
	*retry_after = atol(PQgetvalue(res, 0, 0));
	if (*retry_after == 0)
		err = read_logins(a, res, out);
	PQclear(res);
	return err;
}

enum err
db_staff_for_login(struct db *db, struct arena *a, const char *email,
    struct db_staff_login *out)
{
	const char *params[] = { email };
	enum err err;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if ((res = db_exec(db, &stmts[STMT_FOR_LOGIN], params, &err)) == NULL)
		return err;
	err = read_logins(a, res, out);
	PQclear(res);
	return err;
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
    const char *token_hash, const char *csrf_token, long absolute_s,
    bool *totp_enrol)
{
	char absolute[32];
	const char *params[] = { token_hash, clinic_id, staff_id, csrf_token,
	    absolute };
	enum err err;
	PGresult *res;

	snprintf(absolute, sizeof(absolute), "%ld", absolute_s);
	if ((res = db_exec_one(db, &stmts[STMT_SESSION_CREATE], params,
	    &err)) == NULL)
		return err;
	*totp_enrol = db_val_bool(res, 0, 0);
	PQclear(res);
	return ERR_OK;
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
	m->totp_enabled = db_val_bool(res, row, 6);
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

enum err
db_staff_invite(struct db *db, struct arena *a, const char *email,
    const char *name, const char *role, const char *token_hash,
    const char *link_path, const char *base_url, const char *by, int max,
    enum db_invite_status *status, struct db_staff_member *out)
{
	char limit[16];
	const char *params[] = { email, name, role, token_hash, link_path,
	    base_url, by, limit };
	const char *said, *id;
	enum err err;
	PGresult *res;

	snprintf(limit, sizeof(limit), "%d", max);
	if ((res = db_exec_one(db, &stmts[STMT_INVITE], params, &err)) == NULL)
		return err;
	said = PQgetvalue(res, 0, 0);
	*status = strcmp(said, "ok") == 0 ? DB_INVITE_OK :
	    strcmp(said, "member") == 0 ? DB_INVITE_MEMBER : DB_INVITE_FULL;
	id = db_val(a, res, 0, 1);
	PQclear(res);
	if (*status != DB_INVITE_OK)
		return ERR_OK;
	if (id == NULL)
		return ERR_NOMEM;
	return db_staff_member(db, a, id, out);
}

enum err
db_staff_reset_request(struct db *db, const char *email,
    const char *token_hash, const char *link_path, const char *base_url)
{
	const char *params[] = { email, token_hash, link_path, base_url };

	return db_run(db, &stmts[STMT_RESET_REQUEST], params);
}

enum err
db_staff_token_live(struct db *db, const char *token_hash, bool *live)
{
	const char *params[] = { token_hash };

	return bool_of(db, &stmts[STMT_TOKEN_LIVE], params, live);
}

static void
read_ref(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_staff_ref *r = item;

	r->clinic_id = db_val(a, res, row, 0);
	r->staff_id = db_val(a, res, row, 1);
}

enum err
db_staff_token_finish(struct db *db, struct arena *a,
    const char *token_hash, const char *password_hash,
    struct db_staff_ref **out, int *count, const char **purpose)
{
	const char *params[] = { token_hash, password_hash };
	enum err err;
	PGresult *res;

	*out = NULL;
	*count = 0;
	*purpose = NULL;
	if ((res = db_exec(db, &stmts[STMT_TOKEN_FINISH], params, &err)) ==
	    NULL)
		return err;
	if (PQntuples(res) > 0) {
		*count = PQntuples(res);
		*purpose = db_val(a, res, 0, 2);
		*out = arena_calloc(a, (size_t)*count, sizeof(**out));
		if (*out == NULL || *purpose == NULL)
			err = ERR_NOMEM;
		for (int i = 0; err == ERR_OK && i < *count; i++)
			read_ref(a, res, i, &(*out)[i]);
	}
	PQclear(res);
	return err;
}

enum err
db_staff_totp_of(struct db *db, struct arena *a, const char *person_id,
    const char **secret)
{
	const char *params[] = { person_id };
	enum err err;
	PGresult *res = db_exec_one(db, &stmts[STMT_TOTP_OF], params, &err);

	*secret = NULL;
	if (res == NULL)
		return err;
	if (!PQgetisnull(res, 0, 0) &&
	    (*secret = db_val(a, res, 0, 0)) == NULL)
		err = ERR_NOMEM;
	PQclear(res);
	return err;
}

enum err
db_staff_login_token_create(struct db *db, const char *token_hash,
    const char *person_id)
{
	const char *params[] = { token_hash, person_id };

	return db_run(db, &stmts[STMT_LOGIN_TOKEN_CREATE], params);
}

/* A step column (NULL: -1). */
static long long
step_of(PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? -1 :
	    strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

enum err
db_staff_login_token_read(struct db *db, struct arena *a,
    const char *token_hash, struct db_staff_totp *out)
{
	const char *params[] = { token_hash };
	enum err err;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if ((res = db_exec_one(db, &stmts[STMT_LOGIN_TOKEN_READ], params,
	    &err)) == NULL)
		return err;
	out->person_id = db_val(a, res, 0, 0);
	out->email = db_val(a, res, 0, 1);
	out->secret = db_val(a, res, 0, 2);
	out->last_step = step_of(res, 3);
	PQclear(res);
	return out->secret != NULL && out->email != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
db_staff_login_token_pass(struct db *db, const char *token_hash,
    long long step, const char *code_hash, bool *passed)
{
	char step_text[24];
	const char *params[] = { token_hash, step >= 0 ? step_text : NULL,
	    step >= 0 ? NULL : code_hash };

	snprintf(step_text, sizeof(step_text), "%lld", step);
	return bool_of(db, &stmts[STMT_LOGIN_TOKEN_PASS], params, passed);
}

enum err
db_staff_totp_state(struct db *db, struct arena *a, const char *staff_id,
    struct db_staff_totp *out)
{
	const char *params[] = { staff_id };
	enum err err;
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if ((res = db_exec_one(db, &stmts[STMT_TOTP_STATE], params, &err)) ==
	    NULL)
		return err;
	out->email = db_val(a, res, 0, 0);
	out->secret = db_val(a, res, 0, 1);
	out->pending = db_val(a, res, 0, 2);
	out->last_step = step_of(res, 3);
	out->codes_left = atoi(PQgetvalue(res, 0, 4));
	PQclear(res);
	return out->email != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
db_staff_totp_begin(struct db *db, const char *staff_id, const char *secret,
    bool *begun)
{
	const char *params[] = { staff_id, secret };

	return bool_of(db, &stmts[STMT_TOTP_BEGIN], params, begun);
}

enum err
db_staff_totp_confirm(struct db *db, const char *staff_id, long long step,
    const char *code_hashes, bool *done)
{
	char step_text[24];
	const char *params[] = { staff_id, step_text, code_hashes };

	snprintf(step_text, sizeof(step_text), "%lld", step);
	return bool_of(db, &stmts[STMT_TOTP_CONFIRM], params, done);
}

enum err
db_staff_totp_off(struct db *db, struct arena *a, const char *staff_id,
    long long step, const char **said)
{
	char step_text[24];
	const char *params[] = { staff_id, step >= 0 ? step_text : NULL };
	enum err err;
	PGresult *res;

	snprintf(step_text, sizeof(step_text), "%lld", step);
	if ((res = db_exec_one(db, &stmts[STMT_TOTP_OFF], params, &err)) ==
	    NULL)
		return err;
	*said = db_val(a, res, 0, 0);
	PQclear(res);
	return *said != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
db_clinic_require_totp(struct db *db, int value, bool *out)
{
	const char *params[] = { value ? "true" : "false" };

	if (value < 0)
		return bool_of(db, &stmts[STMT_REQUIRE_TOTP_GET], NULL, out);
	return bool_of(db, &stmts[STMT_REQUIRE_TOTP_SET], params, out);
}
