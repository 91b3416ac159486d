/*
 * settings_sql.c - the portal settings and the portal codes (see db_clinic.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_clinic.h"
#include "db_internal.h"

enum stmt_id {
	STMT_SETTINGS_GET,
	STMT_SETTINGS_GET_FOR_UPDATE,
	STMT_SETTINGS_UPDATE,
	STMT_CODE_OWNER,
	STMT_CODE_RETIRE,
	STMT_CODE_ACTIVATE,
	STMT_CODE_REVIVE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
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
};

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
db_settings_get(struct db *db, struct arena *a, const char *clinic_id,
    bool for_update, struct db_portal_settings *out)
{
	const char *params[] = { clinic_id };
	enum err err;
	PGresult *res = db_exec_one(db, &stmts[for_update ?
	    STMT_SETTINGS_GET_FOR_UPDATE : STMT_SETTINGS_GET], params, &err);

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
db_code_owner(struct db *db, struct arena *a, const char *code,
    const char **clinic_id, bool *retired)
{
	const char *params[] = { code };
	enum err err;
	PGresult *res = db_exec_one(db, &stmts[STMT_CODE_OWNER], params, &err);

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
