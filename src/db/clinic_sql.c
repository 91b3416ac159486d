/*
 * clinic_sql.c - clinics, their modules and payment infrastructure (see db_clinic.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_clinic.h"
#include "db_internal.h"

enum stmt_id {
	STMT_CLINIC_GET,
	STMT_PAYMENT_PUT,
	STMT_CLINIC_CREATE,
	STMT_CLINIC_DEFAULT_TEMPLATES,
	STMT_MODULE_GRANT,
	STMT_MODULE_REVOKE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_CLINIC_GET] = { "clinic_get",
	    DB_CLINIC_SELECT, 1, true },
	[STMT_PAYMENT_PUT] = { "clinic_payment_put",
	    "INSERT INTO payment_infrastructure (clinic_id, provider, active) "
	    "VALUES ($1, $2, $3) ON CONFLICT (clinic_id) DO UPDATE "
	    "SET provider = EXCLUDED.provider, active = EXCLUDED.active, "
	    "updated_at = now()", 3, false },
	[STMT_CLINIC_CREATE] = { "clinic_create",
	    "WITH c AS (INSERT INTO clinics (name) VALUES ($1) RETURNING id), "
	    "s AS (INSERT INTO portal_settings (clinic_id, code) "
	    "SELECT id, $2 FROM c), "
	    "k AS (INSERT INTO portal_codes (code, clinic_id) "
	    "SELECT $2, id FROM c WHERE $2 IS NOT NULL) "
	    "SELECT id FROM c", 2, false },
	[STMT_CLINIC_DEFAULT_TEMPLATES] = { "clinic_default_templates",
	    "SELECT portal_add_default_templates($1)", 1, false },
	[STMT_MODULE_GRANT] = { "clinic_module_grant",
	    "INSERT INTO clinic_modules (clinic_id, module) VALUES ($1, $2) "
	    "ON CONFLICT DO NOTHING", 2, false },
	[STMT_MODULE_REVOKE] = { "clinic_module_revoke",
	    "DELETE FROM clinic_modules WHERE clinic_id = $1 AND module = $2",
	    2, false },
};

enum err
db_clinic_get(struct db *db, struct arena *a, const char *clinic_id,
    struct db_clinic *out)
{
	const char *params[] = { clinic_id };
	enum err err;
	PGresult *res = db_exec_one(db, &stmts[STMT_CLINIC_GET], params, &err);

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
db_clinic_create(struct db *db, struct arena *a, const char *name,
    const char *code, const char **id)
{
	const char *params[] = { name, code };
	enum err err;
	PGresult *res = db_exec_one(db, &stmts[STMT_CLINIC_CREATE], params, &err);

	if (res == NULL)
		return err;
	*id = db_val(a, res, 0, 0);
	PQclear(res);
	/* Its settings row exists now: give it the default templates. */
	return db_run(db, &stmts[STMT_CLINIC_DEFAULT_TEMPLATES], id);
}

enum err
db_module_set(struct db *db, const char *clinic_id, const char *module,
    bool granted)
{
	const char *params[] = { clinic_id, module };

	return db_run(db, &stmts[granted ? STMT_MODULE_GRANT :
	    STMT_MODULE_REVOKE], params);
}
