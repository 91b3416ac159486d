/*
 * clinic_sql.c - statements of clinic administration (see db_clinic.h).
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
	STMT_API_KEY_LOOKUP,
	STMT_CLINIC_GET,
	STMT_PAYMENT_PUT,
	STMT_SETTINGS_GET,
	STMT_SETTINGS_GET_FOR_UPDATE,
	STMT_SETTINGS_UPDATE,
	STMT_AUDIT_ADD,
	STMT_AUDIT_LIST,
	STMT_CODE_OWNER,
	STMT_CODE_RETIRE,
	STMT_CODE_ACTIVATE,
	STMT_CODE_REVIVE,
	STMT_CLINIC_CREATE,
	STMT_CLINIC_DEFAULT_TEMPLATES,
	STMT_STAFF_CREATE,
	STMT_MODULE_GRANT,
	STMT_MODULE_REVOKE,
	STMT_API_KEY_CREATE,
	STMT_API_KEY_LIST,
	STMT_API_KEY_REVOKE,
	STMT_API_KEY_COUNT,
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
	[STMT_API_KEY_LOOKUP] = { "clinic_api_key_lookup",
	    "SELECT clinic_id, id, name, array_to_string(scopes, ',') "
	    "FROM portal_api_key($1)", 1, false },
	[STMT_CLINIC_GET] = { "clinic_get",
	    DB_CLINIC_SELECT, 1, true },
	[STMT_PAYMENT_PUT] = { "clinic_payment_put",
	    "INSERT INTO payment_infrastructure (clinic_id, provider, active) "
	    "VALUES ($1, $2, $3) ON CONFLICT (clinic_id) DO UPDATE "
	    "SET provider = EXCLUDED.provider, active = EXCLUDED.active, "
	    "updated_at = now()", 3, false },
	[STMT_SETTINGS_GET] = { "clinic_settings_get",
	    "SELECT " DB_SETTINGS_COLUMNS " FROM portal_settings WHERE clinic_id = $1",
	    1, true },
	[STMT_SETTINGS_GET_FOR_UPDATE] = { "clinic_settings_get_for_update",
	    "SELECT " DB_SETTINGS_COLUMNS " FROM portal_settings WHERE clinic_id = $1 "
	    "FOR UPDATE", 1, false },
	[STMT_SETTINGS_UPDATE] = { "clinic_settings_update",
	    "UPDATE portal_settings SET enabled = $2, code = $3, "
	    "permissions = $4::text[], sms_template_id = $5, "
	    "email_template_id = $6, upload_reviewer_id = $7, "
	    "version = version + 1, updated_at = now() WHERE clinic_id = $1",
	    7, false },
	[STMT_AUDIT_ADD] = { "clinic_audit_add",
	    "INSERT INTO audit_log (clinic_id, actor_type, actor_id, action, "
	    "target_type, target_id, before, after, request_id) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)", 9, false },
	[STMT_AUDIT_LIST] = { "clinic_audit_list",
	    "SELECT id, to_char(at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), actor_type, actor_id, action, "
	    "target_type, target_id, before::text, after::text, request_id "
	    "FROM audit_log WHERE clinic_id = $1 "
	    "AND ($2::bigint IS NULL OR id < $2::bigint) "
	    "ORDER BY id DESC LIMIT $3", 3, true },
	[STMT_CODE_OWNER] = { "clinic_code_owner",
	    "SELECT clinic_id, retired_at IS NOT NULL FROM portal_codes "
	    "WHERE code = $1", 1, true },
	[STMT_CODE_RETIRE] = { "clinic_code_retire",
	    "UPDATE portal_codes SET retired_at = now() "
	    "WHERE clinic_id = $1 AND retired_at IS NULL AND code IS DISTINCT FROM $2",
	    2, false },
	[STMT_CODE_ACTIVATE] = { "clinic_code_activate",
	    "INSERT INTO portal_codes (code, clinic_id) VALUES ($2, $1) "
	    "ON CONFLICT (code) DO NOTHING", 2, false },
	/* Taking back a code the clinic retired itself. Another clinic's row
	 * is invisible to this UPDATE, so it touches nothing then. */
	[STMT_CODE_REVIVE] = { "clinic_code_revive",
	    "UPDATE portal_codes SET retired_at = NULL "
	    "WHERE code = $2 AND clinic_id = $1", 2, false },
	[STMT_CLINIC_CREATE] = { "clinic_create",
	    "WITH c AS (INSERT INTO clinics (name) VALUES ($1) RETURNING id), "
	    "s AS (INSERT INTO portal_settings (clinic_id, code) "
	    "SELECT id, $2 FROM c), "
	    "k AS (INSERT INTO portal_codes (code, clinic_id) "
	    "SELECT $2, id FROM c WHERE $2 IS NOT NULL) "
	    "SELECT id FROM c", 2, false },
	[STMT_CLINIC_DEFAULT_TEMPLATES] = { "clinic_default_templates",
	    "SELECT portal_add_default_templates($1)", 1, false },
	[STMT_STAFF_CREATE] = { "clinic_staff_create",
	    "INSERT INTO staff (clinic_id, email, name, role, password_hash) "
	    "VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, false },
	[STMT_MODULE_GRANT] = { "clinic_module_grant",
	    "INSERT INTO clinic_modules (clinic_id, module) VALUES ($1, $2) "
	    "ON CONFLICT DO NOTHING", 2, false },
	[STMT_MODULE_REVOKE] = { "clinic_module_revoke",
	    "DELETE FROM clinic_modules WHERE clinic_id = $1 AND module = $2",
	    2, false },
	[STMT_API_KEY_CREATE] = { "clinic_api_key_create",
	    "INSERT INTO api_keys (clinic_id, name, prefix, secret_hash, scopes) "
	    "VALUES ($1, $2, $3, $4, $5::text[]) RETURNING id, "
	    DB_TS("created_at"), 5, false },
	[STMT_API_KEY_LIST] = { "clinic_api_key_list",
	    "SELECT id, name, prefix, array_to_string(scopes, ','), "
	    DB_TS("created_at") ", " DB_TS("last_used_at") ", "
	    DB_TS("revoked_at") " FROM api_keys WHERE clinic_id = $1 "
	    "ORDER BY created_at DESC, id LIMIT 200", 1, true },
	[STMT_API_KEY_REVOKE] = { "clinic_api_key_revoke",
	    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) "
	    "WHERE clinic_id = $1 AND id = $2 RETURNING id", 2, false },
	[STMT_API_KEY_COUNT] = { "clinic_api_key_count",
	    "SELECT count(*) FROM api_keys WHERE clinic_id = $1 "
	    "AND revoked_at IS NULL", 1, true },
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

const char *
db_perm_literal(struct arena *a, perm_set set)
{
	size_t cap = 3;
	char *out, *o;

	for (int i = 0; i < PERM__MAX; i++)
		if (set & PERM_BIT(i))
			cap += strlen(perm_catalog[i].key) + 1;
	out = o = arena_alloc(a, cap);
	if (out == NULL)
		return NULL;
	*o++ = '{';
	for (int i = 0; i < PERM__MAX; i++) {
		if (!(set & PERM_BIT(i)))
			continue;
		if (o[-1] != '{')
			*o++ = ',';
		o = stpcpy(o, perm_catalog[i].key);
	}
	*o++ = '}';
	*o = '\0';
	return out;
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
db_api_key_lookup(struct db *db, struct arena *a, const char *secret_hash,
    struct db_api_key *out)
{
	const char *params[] = { secret_hash };
	enum err err;
	PGresult *res = one(db, STMT_API_KEY_LOOKUP, params, &err);

	if (res == NULL)
		return err;
	out->clinic_id = db_val(a, res, 0, 0);
	out->id = db_val(a, res, 0, 1);
	out->name = db_val(a, res, 0, 2);
	out->scopes = db_scopes_parse(PQgetvalue(res, 0, 3));
	PQclear(res);
	return out->name != NULL ? ERR_OK : ERR_NOMEM;
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
db_clinic_get(struct db *db, struct arena *a, const char *clinic_id,
    struct db_clinic *out)
{
	const char *params[] = { clinic_id };
	enum err err;
	PGresult *res = one(db, STMT_CLINIC_GET, params, &err);

	if (res == NULL)
		return err;
	db_clinic_read(a, res, 0, 0, out);
	PQclear(res);
	return out->name != NULL ? ERR_OK : ERR_NOMEM;
}

void
db_clinic_read(struct arena *a, PGresult *res, int row, int col,
    struct db_clinic *out)
{
	out->id = db_val(a, res, row, col);
	out->name = db_val(a, res, row, col + 1);
	out->default_language = db_val(a, res, row, col + 2);
	out->public_url = db_val(a, res, row, col + 3);
	out->lang_tr = db_val_bool(res, row, col + 4);
	out->lang_en = db_val_bool(res, row, col + 5);
	out->portal_module = db_val_bool(res, row, col + 6);
	out->payment_active = db_val_bool(res, row, col + 7);
	out->payment_provider = db_val(a, res, row, col + 8);
	out->country = db_val(a, res, row, col + 9);
	out->time_zone = db_val(a, res, row, col + 10);
	out->currency = db_val(a, res, row, col + 11);
}

enum err
db_payment_put(struct db *db, const char *clinic_id, const char *provider,
    bool active)
{
	const char *params[] = { clinic_id, provider, active ? "t" : "f" };

	return db_run(db, &stmts[STMT_PAYMENT_PUT], params);
}

enum err
db_settings_get(struct db *db, struct arena *a, const char *clinic_id,
    bool for_update, struct db_portal_settings *out)
{
	const char *params[] = { clinic_id };
	enum err err;
	PGresult *res = one(db, for_update ? STMT_SETTINGS_GET_FOR_UPDATE :
	    STMT_SETTINGS_GET, params, &err);

	if (res == NULL)
		return err;
	db_settings_read(a, res, 0, 0, out);
	PQclear(res);
	return ERR_OK;
}

void
db_settings_read(struct arena *a, PGresult *res, int row, int col,
    struct db_portal_settings *out)
{
	out->enabled = db_val_bool(res, row, col);
	out->code = db_val(a, res, row, col + 1);
	out->permissions = db_perm_parse(PQgetvalue(res, row, col + 2));
	out->sms_template_id = db_val(a, res, row, col + 3);
	out->email_template_id = db_val(a, res, row, col + 4);
	out->upload_reviewer_id = db_val(a, res, row, col + 5);
	out->version = atoi(PQgetvalue(res, row, col + 6));
}

enum err
db_settings_update(struct db *db, const char *clinic_id,
    const struct db_portal_settings *in)
{
	struct arena *a = arena_new(1024);
	const char *params[7];
	enum err err;

	if (a == NULL)
		return ERR_NOMEM;
	params[0] = clinic_id;
	params[1] = in->enabled ? "t" : "f";
	params[2] = in->code;
	params[3] = db_perm_literal(a, in->permissions);
	params[4] = in->sms_template_id;
	params[5] = in->email_template_id;
	params[6] = in->upload_reviewer_id;
	err = params[3] == NULL ? ERR_NOMEM : db_run(db, &stmts[STMT_SETTINGS_UPDATE], params);
	arena_free(a);
	return err;
}

enum err
db_audit_add(struct db *db, const struct db_audit *e)
{
	const char *params[] = { e->clinic_id, e->actor_type, e->actor_id,
	    e->action, e->target_type, e->target_id, e->before_json,
	    e->after_json, e->request_id };

	return db_run(db, &stmts[STMT_AUDIT_ADD], params);
}

static void
read_audit(struct arena *a, PGresult *res, int i, void *item)
{
	struct db_audit *e = item;

	e->id = db_val(a, res, i, 0);
	e->at = db_val(a, res, i, 1);
	e->actor_type = db_val(a, res, i, 2);
	e->actor_id = db_val(a, res, i, 3);
	e->action = db_val(a, res, i, 4);
	e->target_type = db_val(a, res, i, 5);
	e->target_id = db_val(a, res, i, 6);
	e->before_json = db_val(a, res, i, 7);
	e->after_json = db_val(a, res, i, 8);
	e->request_id = db_val(a, res, i, 9);
}

enum err
db_audit_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *before_id, int limit, struct db_audit **out, int *count)
{
	char lim[16];
	const char *params[] = { clinic_id, before_id, lim };
	enum err err;
	void *rows;

	snprintf(lim, sizeof(lim), "%d", limit);
	err = db_rows(db, a, &stmts[STMT_AUDIT_LIST], params, sizeof(**out),
	    read_audit, &rows, count);
	if (err != ERR_OK)
		return err;
	*out = rows;
	for (int i = 0; i < *count; i++)
		(*out)[i].clinic_id = clinic_id;
	return ERR_OK;
}

enum err
db_code_owner(struct db *db, struct arena *a, const char *code,
    const char **clinic_id, bool *retired)
{
	const char *params[] = { code };
	enum err err;
	PGresult *res = one(db, STMT_CODE_OWNER, params, &err);

	if (res == NULL)
		return err;
	*clinic_id = db_val(a, res, 0, 0);
	*retired = db_val_bool(res, 0, 1);
	PQclear(res);
	return *clinic_id != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
db_code_switch(struct db *db, const char *clinic_id, const char *code)
{
	const char *params[] = { clinic_id, code };
	enum err err;
	PGresult *res;
	bool touched;

	err = db_run(db, &stmts[STMT_CODE_RETIRE], params);
	if (err != ERR_OK || code == NULL)
		return err;
	/* A new code, or one this clinic had before; when two clinics race
	 * for a free code, the unique key lets one insert and the other
	 * finds nothing of its own to revive. */
	for (enum stmt_id id = STMT_CODE_ACTIVATE; id <= STMT_CODE_REVIVE; id++) {
		res = db_exec(db, &stmts[id], params, &err);
		if (res == NULL)
			return err;
		touched = strcmp(PQcmdTuples(res), "0") != 0;
		PQclear(res);
		if (touched)
			return ERR_OK;
	}
	return ERR_CONFLICT;
}

enum err
db_clinic_create(struct db *db, struct arena *a, const char *name,
    const char *code, const char **id)
{
	const char *params[] = { name, code };
	enum err err;
	PGresult *res = one(db, STMT_CLINIC_CREATE, params, &err);

	if (res == NULL)
		return err;
	*id = db_val(a, res, 0, 0);
	PQclear(res);
	/* Its settings row exists now: give it the default templates. */
	return db_run(db, &stmts[STMT_CLINIC_DEFAULT_TEMPLATES], id);
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

enum err
db_module_set(struct db *db, const char *clinic_id, const char *module,
    bool granted)
{
	const char *params[] = { clinic_id, module };

	return db_run(db, &stmts[granted ? STMT_MODULE_GRANT :
	    STMT_MODULE_REVOKE], params);
}

enum err
db_api_key_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *name, const char *prefix, const char *secret_hash,
    const char *scopes_literal, const char **id, const char **created_at)
{
	const char *params[] = { clinic_id, name, prefix, secret_hash,
	    scopes_literal };
	enum err err;
	PGresult *res = one(db, STMT_API_KEY_CREATE, params, &err);

	if (res == NULL)
		return err;
	*id = db_val(a, res, 0, 0);
	if (created_at != NULL)
		*created_at = db_val(a, res, 0, 1);
	PQclear(res);
	return ERR_OK;
}

unsigned
db_scopes_parse(const char *csv)
{
	unsigned scopes = 0;

	if (strstr(csv, "read") != NULL)
		scopes |= SCOPE_READ;
	if (strstr(csv, "write") != NULL)
		scopes |= SCOPE_WRITE;
	if (strstr(csv, "admin") != NULL)
		scopes |= SCOPE_ADMIN;
	return scopes;
}

static void
read_api_key(struct arena *a, PGresult *res, int i, void *item)
{
	struct db_api_key_row *k = item;

	k->id = db_val(a, res, i, 0);
	k->name = db_val(a, res, i, 1);
	k->prefix = db_val(a, res, i, 2);
	k->scopes = db_scopes_parse(PQgetvalue(res, i, 3));
	k->created_at = db_val(a, res, i, 4);
	k->last_used_at = db_val(a, res, i, 5);
	k->revoked_at = db_val(a, res, i, 6);
}

enum err
db_api_key_list(struct db *db, struct arena *a, const char *clinic_id,
    struct db_api_key_row **out, int *count)
{
	const char *params[] = { clinic_id };
	void *rows;
	enum err err = db_rows(db, a, &stmts[STMT_API_KEY_LIST], params,
	    sizeof(**out), read_api_key, &rows, count);

	if (err == ERR_OK)
		*out = rows;
	return err;
}

enum err
db_api_key_revoke(struct db *db, const char *clinic_id, const char *id)
{
	const char *params[] = { clinic_id, id };
	enum err err;
	PGresult *res = one(db, STMT_API_KEY_REVOKE, params, &err);

	PQclear(res);
	return err;
}

enum err
db_api_key_count(struct db *db, const char *clinic_id, long *count)
{
	const char *params[] = { clinic_id };
	enum err err;
	PGresult *res = one(db, STMT_API_KEY_COUNT, params, &err);

	if (res == NULL)
		return err;
	*count = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return ERR_OK;
}

const char *
db_scopes_literal(unsigned scopes)
{
	static const char *const literals[8] = {
		"{}", "{read}", "{write}", "{read,write}", "{admin}",
		"{read,admin}", "{write,admin}", "{read,write,admin}",
	};

	return literals[scopes & 7u];
}
