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
#include "str.h"

/* What read_profile() reads. */
#define PROFILE_COLUMNS \
	"id, name, phone, email, address, default_language, country, " \
	"time_zone, currency, invoice_prefix, public_url, " \
	"'tr' = ANY (languages), 'en' = ANY (languages), version"

/* What read_payment() reads; the sealed credentials (bytea text form)
 * last. */
#define PAYMENT_COLUMNS \
	"p.provider, p.active, p.credentials IS NOT NULL, " \
	DB_TS("p.updated_at") ", p.credentials"

enum stmt_id {
	STMT_CLINIC_GET,
	STMT_PAYMENT_PUT,
	STMT_PAYMENT_GET,
	STMT_PAYMENT_LOCK,
	STMT_CLINIC_CREATE,
	STMT_CLINIC_DEFAULT_TEMPLATES,
	STMT_MODULE_GRANT,
	STMT_MODULE_REVOKE,
	STMT_PROFILE_GET,
	STMT_PROFILE_LOCK,
	STMT_PROFILE_PUT,
	STMT_PUBLIC_URL_SET,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_CLINIC_GET] = { "clinic_get",
	    DB_CLINIC_SELECT, 1, true },
	/* New credentials replace the old; without them the old are kept
	 * while the provider stays, and dropped when it changes (they would
	 * not fit). */
	[STMT_PAYMENT_PUT] = { "clinic_payment_put",
	    "INSERT INTO payment_infrastructure AS p (clinic_id, provider, "
	    "active, credentials) VALUES ($1, $2, $3, $4::bytea) "
	    "ON CONFLICT (clinic_id) DO UPDATE "
	    "SET provider = EXCLUDED.provider, active = EXCLUDED.active, "
	    "credentials = CASE WHEN EXCLUDED.credentials IS NOT NULL "
	    "THEN EXCLUDED.credentials WHEN p.provider = EXCLUDED.provider "
	    "THEN p.credentials END, updated_at = now() "
	    "RETURNING " PAYMENT_COLUMNS, 4, false },
	[STMT_PAYMENT_GET] = { "clinic_payment_get",
	    "SELECT " PAYMENT_COLUMNS " FROM payment_infrastructure p "
	    "WHERE p.clinic_id = $1", 1, true },
	[STMT_PAYMENT_LOCK] = { "clinic_payment_lock",
	    "SELECT " PAYMENT_COLUMNS " FROM payment_infrastructure p "
	    "WHERE p.clinic_id = $1 FOR UPDATE", 1, false },
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
	/* The context's clinic: it can go ahead with the session's. */
	[STMT_PROFILE_GET] = { "clinic_profile_get",
	    "SELECT " PROFILE_COLUMNS " FROM clinics "
	    "WHERE id = portal_current_clinic()", 0, true },
	[STMT_PROFILE_LOCK] = { "clinic_profile_lock",
	    "SELECT " PROFILE_COLUMNS " FROM clinics "
	    "WHERE id = portal_current_clinic() FOR UPDATE", 0, false },
	[STMT_PROFILE_PUT] = { "clinic_profile_put",
	    "SELECT array_to_string(portal_clinic_profile_put($1, $2, $3, $4, "
	    "$5, $6, $7, $8, $9, $10), ',')", 10, false },
	/* The operator's (portalctl, as the owner role): the application's
	 * role has no right to this column. */
	[STMT_PUBLIC_URL_SET] = { "clinic_public_url_set",
	    "UPDATE clinics SET public_url = $2 WHERE id = $1::uuid", 2, false },
};

static void
read_profile(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_clinic_profile *p = item;

	p->id = db_val(a, res, row, 0);
	p->name = db_val(a, res, row, 1);
	p->phone = db_val(a, res, row, 2);
	p->email = db_val(a, res, row, 3);
	p->address = db_val(a, res, row, 4);
	p->default_language = db_val(a, res, row, 5);
	p->country = db_val(a, res, row, 6);
	p->time_zone = db_val(a, res, row, 7);
	p->currency = db_val(a, res, row, 8);
	p->invoice_prefix = db_val(a, res, row, 9);
	p->public_url = db_val(a, res, row, 10);
	p->lang_tr = db_val_bool(res, row, 11);
	p->lang_en = db_val_bool(res, row, 12);
	p->version = PQgetisnull(res, row, 13) ? 0 :
	    atoi(PQgetvalue(res, row, 13));
}

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

static void
read_payment(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_payment_infra *p = item;

	p->provider = db_val(a, res, row, 0);
	p->active = db_val_bool(res, row, 1);
	p->credentials_set = db_val_bool(res, row, 2);
	p->updated_at = db_val(a, res, row, 3);
	p->credentials = db_val(a, res, row, 4);
}

enum err
db_payment_infra_get(struct db *db, struct arena *a, const char *clinic_id,
    bool for_update, struct db_payment_infra *out)
{
	const char *params[] = { clinic_id };

	memset(out, 0, sizeof(*out));
	return db_row(db, a, &stmts[for_update ? STMT_PAYMENT_LOCK :
	    STMT_PAYMENT_GET], params, read_payment, out);
}

enum err
db_payment_put(struct db *db, struct arena *a, const char *clinic_id,
    const char *provider, bool active, const char *credentials,
    struct db_payment_infra *out)
{
	const char *params[] = { clinic_id, provider, active ? "t" : "f",
	    credentials };

	memset(out, 0, sizeof(*out));
	return db_row(db, a, &stmts[STMT_PAYMENT_PUT], params, read_payment,
	    out);
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

void
db_clinic_profile_ahead(struct db *db)
{
	static const char *const *const no_params[] = { NULL };
	const struct db_stmt *stmt = &stmts[STMT_PROFILE_GET];

	db_ahead(db, 1, &stmt, no_params);
}

enum err
db_clinic_profile_get(struct db *db, struct arena *a,
    struct db_clinic_profile *out)
{
	enum err err = db_row(db, a, &stmts[STMT_PROFILE_GET], NULL,
	    read_profile, out);

	return err == ERR_OK && out->name == NULL ? ERR_NOMEM : err;
}

enum err
db_clinic_profile_lock(struct db *db, struct arena *a,
    struct db_clinic_profile *out)
{
	enum err err = db_row(db, a, &stmts[STMT_PROFILE_LOCK], NULL,
	    read_profile, out);

	return err == ERR_OK && out->name == NULL ? ERR_NOMEM : err;
}

enum err
db_clinic_profile_put(struct db *db, struct arena *a,
    const struct db_clinic_profile *in, const char **refused,
    struct db_clinic_profile *out)
{
	const char *langs = in->lang_tr && in->lang_en ? "{tr,en}" :
	    in->lang_tr ? "{tr}" : in->lang_en ? "{en}" : "{}";
	const char *put_params[] = { in->name, in->phone, in->email,
	    in->address, langs, in->default_language, in->country,
	    in->time_zone, in->currency, in->invoice_prefix };
	const struct db_stmt *batch[] = { &stmts[STMT_PROFILE_PUT],
	    &stmts[STMT_PROFILE_GET] };
	const char *const *params[] = { put_params, NULL };
	PGresult *res[2];
	enum err err = ERR_OK;

	*refused = NULL;
	if ((err = db_exec_batch(db, 2, batch, params, res)) != ERR_OK)
		return err;
	if (PQntuples(res[0]) != 1 || PQntuples(res[1]) != 1)
		err = ERR_NOT_FOUND;
	else if (*PQgetvalue(res[0], 0, 0) != '\0')
		*refused = db_val(a, res[0], 0, 0);
	else
		read_profile(a, res[1], 0, out);
	PQclear(res[0]);
	PQclear(res[1]);
	if (err == ERR_OK && *refused == NULL && out->name == NULL)
		err = ERR_NOMEM;
	return err;
}

enum err
db_clinic_public_url_set(struct db *db, const char *clinic_id,
    const char *url)
{
	const char *params[] = { clinic_id, url };

	if (!str_is_uuid(clinic_id))
		return ERR_NOT_FOUND;
	return db_run_one(db, &stmts[STMT_PUBLIC_URL_SET], params);
}
