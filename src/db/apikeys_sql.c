/*
 * apikeys_sql.c - API keys: creation (with their maker), listing, revocation
 * (see db_clinic.h; a key is authenticated by db_request_clinic()).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_clinic.h"
#include "db_internal.h"

enum stmt_id {
	STMT_API_KEY_CREATE,
	STMT_API_KEY_LIST,
	STMT_API_KEY_REVOKE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* The cap on keys not revoked is checked by the insert itself. */
	[STMT_API_KEY_CREATE] = { "clinic_api_key_create",
	    "INSERT INTO api_keys (clinic_id, created_by, name, prefix, "
	    "secret_hash, scopes) "
	    "SELECT $1::uuid, $2::uuid, $3, $4, $5::bytea, $6::text[] "
	    "WHERE $7::integer = 0 OR (SELECT count(*) FROM api_keys "
	    "WHERE clinic_id = $1::uuid AND revoked_at IS NULL) < $7::integer "
	    "RETURNING id, " DB_TS("created_at"), 7, false },
	[STMT_API_KEY_LIST] = { "clinic_api_key_list",
	    "SELECT id, name, prefix, array_to_string(scopes, ','), "
	    DB_TS("created_at") ", " DB_TS("last_used_at") ", "
	    DB_TS("revoked_at") ", created_by FROM api_keys WHERE clinic_id = $1 "
	    "ORDER BY created_at DESC, id LIMIT 200", 1, true },
	[STMT_API_KEY_REVOKE] = { "clinic_api_key_revoke",
	    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) "
	    "WHERE clinic_id = $1 AND id = $2 RETURNING id", 2, false },
};

enum err
db_api_key_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *created_by, const char *name, const char *prefix,
    const char *secret_hash, const char *scopes_literal, long max_active,
    const char **id, const char **created_at)
{
	char max[24];
	const char *params[] = { clinic_id, created_by, name, prefix,
	    secret_hash, scopes_literal, max };
	enum err err;
	PGresult *res;

	snprintf(max, sizeof(max), "%ld", max_active);
	res = db_exec_one(db, &stmts[STMT_API_KEY_CREATE], params, &err);
	if (res == NULL)
		return err == ERR_NOT_FOUND ? ERR_CONFLICT : err;
	*id = db_val(a, res, 0, 0);
	if (created_at != NULL)
		*created_at = db_val(a, res, 0, 1);
	PQclear(res);
	return *id != NULL ? ERR_OK : ERR_NOMEM;
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
	k->created_by = db_val(a, res, i, 7);
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
	PGresult *res = db_exec_one(db, &stmts[STMT_API_KEY_REVOKE], params, &err);

	PQclear(res);
	return err;
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
