/*
 * treatments_sql.c - statements about treatment plans, their items and
 * treatment records (see db_treatments.h). Totals are summed here, in SQL;
 * items travel to PostgreSQL as one JSON array parameter, so that a plan
 * and its items are written with two statements whatever their number.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "db_internal.h"
#include "db_treatments.h"
#include "str.h"

#define PLAN_COLUMNS \
	"p.id, p.patient_id, p.title, p.status, c.currency, " \
	"(SELECT coalesce(sum(i.estimated_cost) FILTER (WHERE i.status <> 'cancelled'), 0) " \
	"FROM treatment_plan_items i WHERE i.clinic_id = p.clinic_id AND i.plan_id = p.id), " \
	"c.time_zone, " DB_USEC("p.created_at") ", " DB_USEC("p.updated_at")
#define PLAN_FROM \
	" FROM treatment_plans p JOIN clinics c ON c.id = p.clinic_id "

#define RECORD_COLUMNS \
	"r.id, r.patient_id, to_char(r.performed_on, 'YYYY-MM-DD'), " \
	"r.practitioner_id, pr.name, r.procedure, r.area, r.notes_for_patient, " \
	"c.time_zone, " DB_USEC("r.created_at") ", " DB_USEC("r.updated_at")
#define RECORD_FROM \
	" FROM treatment_records r JOIN clinics c ON c.id = r.clinic_id " \
	"LEFT JOIN practitioners pr ON pr.clinic_id = r.clinic_id " \
	"AND pr.id = r.practitioner_id "

enum stmt_id {
	STMT_PLANS_LIST,
	STMT_PLAN_GET,
	STMT_PLAN_GET_FOR_UPDATE,
	STMT_PLAN_CREATE,
	STMT_PLAN_UPDATE,
	STMT_ITEMS_OF,
	STMT_PORTAL_PLANS,
	STMT_PORTAL_ITEMS,
	STMT_PORTAL_RECORDS,
	STMT_ITEMS_DELETE,
	STMT_ITEMS_INSERT,
	STMT_RECORDS_LIST,
	STMT_RECORD_GET,
	STMT_RECORD_GET_FOR_UPDATE,
	STMT_RECORD_CREATE,
	STMT_RECORD_UPDATE,
	STMT_CURRENCY,
	STMT_SEED_DEMO,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* The cursor is the last plan's id: a vanished one ends the list. */
	[STMT_PLANS_LIST] = { "treatment_plans_list",
	    "SELECT " PLAN_COLUMNS PLAN_FROM
	    "WHERE p.clinic_id = $1 AND p.patient_id = $2 AND ($3::uuid IS NULL "
	    "OR (p.created_at, p.id) < (SELECT created_at, id FROM treatment_plans "
	    "WHERE clinic_id = $1 AND id = $3::uuid)) "
	    "ORDER BY p.created_at DESC, p.id DESC LIMIT $4", 4, true },
	[STMT_PLAN_GET] = { "treatment_plan_get",
	    "SELECT " PLAN_COLUMNS PLAN_FROM "WHERE p.clinic_id = $1 AND p.id = $2",
	    2, true },
	[STMT_PLAN_GET_FOR_UPDATE] = { "treatment_plan_get_for_update",
	    "SELECT " PLAN_COLUMNS PLAN_FROM "WHERE p.clinic_id = $1 AND p.id = $2 "
	    "FOR UPDATE OF p", 2, false },
	[STMT_PLAN_CREATE] = { "treatment_plan_create",
	    "INSERT INTO treatment_plans (clinic_id, patient_id, title, status) "
	    "VALUES ($1, $2, $3, $4) RETURNING id", 4, false },
	[STMT_PLAN_UPDATE] = { "treatment_plan_update",
	    "UPDATE treatment_plans SET title = $3, status = $4, updated_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 RETURNING id", 4, false },
	/* The items of several plans, grouped in the order of the plans. */
	[STMT_ITEMS_OF] = { "treatment_items_of",
	    "SELECT plan_id, id, procedure, area, status, estimated_cost "
	    "FROM treatment_plan_items WHERE clinic_id = $1 "
	    "AND plan_id = ANY ($2::uuid[]) "
	    "ORDER BY array_position($2::uuid[], plan_id), position", 2, true },
	/* The items of a patient's newest $3 plans, in the order of
	 * STMT_PLANS_LIST's first page. */
	/* The patient's own screen: the context's patient (the session's
	 * statement sets it), newest first, so that the three can be sent
	 * ahead with it (db_ahead()). */
	[STMT_PORTAL_PLANS] = { "treatment_portal_plans",
	    "SELECT " PLAN_COLUMNS PLAN_FROM
	    "WHERE p.clinic_id = portal_current_clinic() "
	    "AND p.patient_id = portal_current_patient() "
	    "ORDER BY p.created_at DESC, p.id DESC LIMIT $1", 1, true },
	[STMT_PORTAL_ITEMS] = { "treatment_portal_items",
	    "SELECT i.plan_id, i.id, i.procedure, i.area, i.status, "
	    "i.estimated_cost FROM (SELECT id, created_at FROM treatment_plans "
	    "WHERE clinic_id = portal_current_clinic() "
	    "AND patient_id = portal_current_patient() "
	    "ORDER BY created_at DESC, id DESC LIMIT $1) p "
	    "JOIN treatment_plan_items i ON i.clinic_id = "
	    "portal_current_clinic() AND i.plan_id = p.id "
	    "ORDER BY p.created_at DESC, p.id DESC, i.position", 1, true },
	[STMT_PORTAL_RECORDS] = { "treatment_portal_records",
	    "SELECT " RECORD_COLUMNS RECORD_FROM
	    "WHERE r.clinic_id = portal_current_clinic() "
	    "AND r.patient_id = portal_current_patient() "
	    "ORDER BY r.performed_on DESC, r.created_at DESC, r.id DESC LIMIT $1",
	    1, true },
	[STMT_ITEMS_DELETE] = { "treatment_items_delete",
	    "DELETE FROM treatment_plan_items WHERE clinic_id = $1 AND plan_id = $2",
	    2, false },
	[STMT_ITEMS_INSERT] = { "treatment_items_insert",
	    "INSERT INTO treatment_plan_items (clinic_id, plan_id, position, "
	    "procedure, area, status, estimated_cost) "
	    "SELECT $1, $2, e.ord - 1, e.v->>'procedure', e.v->>'area', "
	    "e.v->>'status', (e.v->>'estimated_cost')::bigint "
	    "FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e (v, ord)",
	    3, false },
	[STMT_RECORDS_LIST] = { "treatment_records_list",
	    "SELECT " RECORD_COLUMNS RECORD_FROM
	    "WHERE r.clinic_id = $1 AND r.patient_id = $2 AND ($3::uuid IS NULL "
	    "OR (r.performed_on, r.created_at, r.id) < (SELECT performed_on, "
	    "created_at, id FROM treatment_records WHERE clinic_id = $1 "
	    "AND id = $3::uuid)) "
	    "ORDER BY r.performed_on DESC, r.created_at DESC, r.id DESC LIMIT $4",
	    4, true },
	[STMT_RECORD_GET] = { "treatment_record_get",
	    "SELECT " RECORD_COLUMNS RECORD_FROM "WHERE r.clinic_id = $1 AND r.id = $2",
	    2, true },
	[STMT_RECORD_GET_FOR_UPDATE] = { "treatment_record_get_for_update",
	    "SELECT " RECORD_COLUMNS RECORD_FROM "WHERE r.clinic_id = $1 "
	    "AND r.id = $2 FOR UPDATE OF r", 2, false },
	[STMT_RECORD_CREATE] = { "treatment_record_create",
	    "INSERT INTO treatment_records (clinic_id, patient_id, performed_on, "
	    "practitioner_id, procedure, area, notes_for_patient) "
	    "VALUES ($1, $2, $3::date, $4, $5, $6, $7) RETURNING id", 7, false },
	[STMT_RECORD_UPDATE] = { "treatment_record_update",
	    "UPDATE treatment_records SET performed_on = $3::date, "
	    "practitioner_id = $4, procedure = $5, area = $6, "
	    "notes_for_patient = $7, updated_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 RETURNING id", 7, false },
	[STMT_CURRENCY] = { "treatment_currency",
	    "SELECT currency FROM clinics WHERE id = $1", 1, true },
	/* A demo patient ($2 first, $3 last name): one accepted plan ($4
	 * its title; $5, $6, $7 its procedures), one record with a note for
	 * the patient ($8), in the patient's language. */
	[STMT_SEED_DEMO] = { "treatment_seed_demo",
	    "WITH pt AS (SELECT id FROM patients WHERE clinic_id = $1 "
	    "AND first_name = $2 AND last_name = $3 LIMIT 1), "
	    "pl AS (INSERT INTO treatment_plans (clinic_id, patient_id, title, "
	    "status) SELECT $1, pt.id, $4, 'accepted' FROM pt "
	    "RETURNING id), "
	    "it AS (INSERT INTO treatment_plan_items (clinic_id, plan_id, "
	    "position, procedure, area, status, estimated_cost) "
	    "SELECT $1, pl.id, v.pos, v.proc, v.area, v.status, v.cost FROM pl, "
	    "(VALUES (0, $5, '16', 'done', 450000), "
	    "(1, $6, '16', 'planned', 300000), "
	    "(2, $7, NULL, 'planned', 75000)) "
	    "AS v (pos, proc, area, status, cost)) "
	    "INSERT INTO treatment_records (clinic_id, patient_id, performed_on, "
	    "practitioner_id, procedure, area, notes_for_patient) "
	    "SELECT $1, pt.id, (now() AT TIME ZONE c.time_zone)::date - 14, "
	    "(SELECT id FROM practitioners WHERE clinic_id = $1 ORDER BY name "
	    "LIMIT 1), $5, '16', $8 "
	    "FROM pt, clinics c WHERE c.id = $1", 8, false },
};

static void
read_plan(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_treatment_plan *p = item;

	p->id = db_val(a, res, row, 0);
	p->patient_id = db_val(a, res, row, 1);
	p->title = db_val(a, res, row, 2);
	p->status = db_val(a, res, row, 3);
	p->currency = db_val(a, res, row, 4);
	p->total_estimated_cost = strtoll(PQgetvalue(res, row, 5), NULL, 10);
	p->created_at = db_val_iso(a, res, row, 7, PQgetvalue(res, row, 6));
	p->updated_at = db_val_iso(a, res, row, 8, PQgetvalue(res, row, 6));
	p->items = NULL;
	p->item_count = 0;
}

static void
read_record(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_treatment_record *r = item;

	r->id = db_val(a, res, row, 0);
	r->patient_id = db_val(a, res, row, 1);
	r->performed_on = db_val(a, res, row, 2);
	r->practitioner_id = db_val(a, res, row, 3);
	r->practitioner_name = db_val(a, res, row, 4);
	r->procedure = db_val(a, res, row, 5);
	r->area = db_val(a, res, row, 6);
	r->notes_for_patient = db_val(a, res, row, 7);
	r->created_at = db_val_iso(a, res, row, 9, PQgetvalue(res, row, 8));
	r->updated_at = db_val_iso(a, res, row, 10, PQgetvalue(res, row, 8));
}

/* "{id1,id2}" of the plans' ids (uuids need no quoting). */
static const char *
uuid_array(struct arena *a, const struct db_treatment_plan *plans, int n)
{
	char *out = arena_alloc(a, (size_t)n * 37 + 3), *o = out;

	if (out == NULL)
		return NULL;
	*o++ = '{';
	for (int i = 0; i < n; i++) {
		size_t len = strlen(plans[i].id);

		if (i > 0)
			*o++ = ',';
		if (len > 36)
			len = 36;
		memcpy(o, plans[i].id, len);
		o += len;
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

/* Reads item rows (plan_id, id, procedure, area, status, cost), grouped
 * by plan in the order of plans[0..n), into each plan's items. */
static enum err
items_read(struct arena *a, PGresult *res, struct db_treatment_plan *plans,
    int n)
{
	int rows = PQntuples(res), at = 0;

	for (int i = 0; i < n; i++) {
		struct db_treatment_plan *p = &plans[i];
		int first = at;

		while (at < rows && strcmp(PQgetvalue(res, at, 0), p->id) == 0)
			at++;
		p->item_count = at - first;
		p->items = arena_calloc(a, (size_t)(p->item_count > 0 ?
		    p->item_count : 1), sizeof(*p->items));
		if (p->items == NULL)
			return ERR_NOMEM;
		for (int k = 0; k < p->item_count; k++) {
			struct db_treatment_item *it = &p->items[k];
			int r = first + k;

			it->id = db_val(a, res, r, 1);
			it->procedure = db_val(a, res, r, 2);
			it->area = db_val(a, res, r, 3);
			it->status = db_val(a, res, r, 4);
			it->estimated_cost = strtoll(PQgetvalue(res, r, 5), NULL, 10);
			if (it->id == NULL || it->status == NULL)
				return ERR_NOMEM;
		}
	}
	return ERR_OK;
}

/* Reads the items of plans[0..n) into each plan's items. */
static enum err
attach_items(struct db *db, struct arena *a, const char *clinic_id,
    struct db_treatment_plan *plans, int n)
{
	const char *ids, *params[2];
	PGresult *res;
	enum err err;

	if (n == 0)
		return ERR_OK;
	if ((ids = uuid_array(a, plans, n)) == NULL)
		return ERR_NOMEM;
	params[0] = clinic_id;
	params[1] = ids;
	if ((res = db_exec(db, &stmts[STMT_ITEMS_OF], params, &err)) == NULL)
		return err;
	err = items_read(a, res, plans, n);
	PQclear(res);
	return err;
}

enum err
db_treatment_plans_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *after_id, int limit,
    struct db_treatment_plan **out, int *count)
{
	char lim[16];
	const char *params[] = { clinic_id, patient_id, after_id, lim };
	void *rows = NULL;
	enum err err;

	snprintf(lim, sizeof(lim), "%d", limit);
	err = db_rows_whole(db, a, &stmts[STMT_PLANS_LIST], params,
	    sizeof(**out), read_plan, offsetof(struct db_treatment_plan,
	    updated_at), &rows, count);
	*out = rows;
	if (err != ERR_OK)
		return err;
	return attach_items(db, a, clinic_id, *out, *count);
}

enum err
db_treatment_plan_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, bool for_update, struct db_treatment_plan *out)
{
	const char *params[] = { clinic_id, id };
	enum err err;

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = db_row(db, a, &stmts[for_update ? STMT_PLAN_GET_FOR_UPDATE :
	    STMT_PLAN_GET], params, read_plan, out);
	if (err == ERR_OK && out->updated_at == NULL)
		err = ERR_NOMEM;
	if (err != ERR_OK)
		return err;
	return attach_items(db, a, clinic_id, out, 1);
}

/* The items as a JSON array for STMT_ITEMS_INSERT. */
static const char *
items_json(struct arena *a, const struct db_treatment_item *items, int n)
{
	struct json_object *arr = json_object_new_array();
	const char *text;

	if (arr == NULL)
		return NULL;
	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		if (o == NULL || json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
		json_object_object_add(o, "procedure",
		    json_object_new_string(items[i].procedure));
		json_object_object_add(o, "area", items[i].area == NULL ? NULL :
		    json_object_new_string(items[i].area));
		json_object_object_add(o, "status",
		    json_object_new_string(items[i].status));
		json_object_object_add(o, "estimated_cost",
		    json_object_new_int64(items[i].estimated_cost));
	}
	text = arena_strdup(a, json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return text;
}

/* Runs a statement answering one id: ERR_NOT_FOUND when none. */
static enum err
exec_returning(struct db *db, enum stmt_id id, const char *const *params)
{
	enum err err;
	PGresult *res = db_exec(db, &stmts[id], params, &err);

	if (res == NULL)
		return err;
	err = PQntuples(res) == 1 ? ERR_OK : ERR_NOT_FOUND;
	PQclear(res);
	return err;
}

static enum err
items_write(struct db *db, struct arena *a, const char *clinic_id,
    const char *plan_id, const struct db_treatment_item *items, int n,
    bool replace)
{
	const char *params[3] = { clinic_id, plan_id, NULL };
	enum err err;
	PGresult *res;

	if (replace) {
		if ((res = db_exec(db, &stmts[STMT_ITEMS_DELETE], params,
		    &err)) == NULL)
			return err;
		PQclear(res);
	}
	if (n == 0)
		return ERR_OK;
	if ((params[2] = items_json(a, items, n)) == NULL)
		return ERR_NOMEM;
	if ((res = db_exec(db, &stmts[STMT_ITEMS_INSERT], params, &err)) == NULL)
		return err;
	PQclear(res);
	return ERR_OK;
}

enum err
db_treatment_plan_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *title, const char *status,
    const struct db_treatment_item *items, int n, struct db_treatment_plan *out)
{
	const char *params[] = { clinic_id, patient_id, title, status };
	const char *id;
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_PLAN_CREATE], params, &err);

	if (res == NULL)
		return err;
	id = PQntuples(res) == 1 ? db_val(a, res, 0, 0) : NULL;
	PQclear(res);
	if (id == NULL)
		return ERR_NOMEM;
	if ((err = items_write(db, a, clinic_id, id, items, n, false)) != ERR_OK)
		return err;
	return db_treatment_plan_get(db, a, clinic_id, id, false, out);
}

enum err
db_treatment_plan_update(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const char *title, const char *status,
    const struct db_treatment_item *items, int n, struct db_treatment_plan *out)
{
	const char *params[] = { clinic_id, id, title, status };
	enum err err;

	if ((err = exec_returning(db, STMT_PLAN_UPDATE, params)) != ERR_OK)
		return err;
	if (items != NULL && (err = items_write(db, a, clinic_id, id, items, n,
	    true)) != ERR_OK)
		return err;
	return db_treatment_plan_get(db, a, clinic_id, id, false, out);
}

enum err
db_treatment_records_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *after_id, int limit,
    struct db_treatment_record **out, int *count)
{
	char lim[16];
	const char *params[] = { clinic_id, patient_id, after_id, lim };
	void *rows = NULL;
	enum err err;

	snprintf(lim, sizeof(lim), "%d", limit);
	err = db_rows_whole(db, a, &stmts[STMT_RECORDS_LIST], params,
	    sizeof(**out), read_record,
	    offsetof(struct db_treatment_record, updated_at), &rows, count);
	*out = rows;
	return err;
}

/* rows[0..n) of res read with read into a new arena array. */
static enum err
rows_read(struct arena *a, PGresult *res, size_t size, db_row_reader read,
    void **out, int *count)
{
	char *rows;

	*count = PQntuples(res);
	if ((rows = arena_calloc(a, (size_t)(*count > 0 ? *count : 1), size)) ==
	    NULL)
		return ERR_NOMEM;
	for (int i = 0; i < *count; i++)
		read(a, res, i, rows + (size_t)i * size);
	*out = rows;
	return ERR_OK;
}

static const struct db_stmt *const portal_batch[] = {
	&stmts[STMT_PORTAL_PLANS], &stmts[STMT_PORTAL_ITEMS],
	&stmts[STMT_PORTAL_RECORDS],
};

/* The three statements' parameters, in the arena (they may be sent
 * ahead); NULL when out of memory. */
static const char *const *const *
portal_params(struct arena *a, int limit)
{
	const char **lim = arena_calloc(a, 1, sizeof(*lim));
	const char *const **params = arena_calloc(a, 3, sizeof(*params));

	if (lim == NULL || params == NULL ||
	    (lim[0] = arena_printf(a, "%d", limit)) == NULL)
		return NULL;
	params[0] = params[1] = params[2] = lim;
	return params;
}

void
db_patient_treatments_ahead(struct db *db, struct arena *a, int limit)
{
	const char *const *const *params = portal_params(a, limit);

	if (params != NULL)
		db_ahead(db, 3, portal_batch, params);
}

enum err
db_patient_treatments(struct db *db, struct arena *a, int limit,
    struct db_treatment_plan **plans, int *plan_count,
    struct db_treatment_record **records, int *record_count)
{
	const char *const *const *params = portal_params(a, limit);
	PGresult *res[3];
	void *rows = NULL;
	enum err err;

	*plans = NULL;
	*records = NULL;
	*plan_count = *record_count = 0;
	if (params == NULL)
		return ERR_NOMEM;
	if ((err = db_exec_batch(db, 3, portal_batch, params, res)) != ERR_OK)
		return err;
	err = rows_read(a, res[0], sizeof(**plans), read_plan, &rows,
	    plan_count);
	*plans = rows;
	if (err == ERR_OK)
		err = items_read(a, res[1], *plans, *plan_count);
	if (err == ERR_OK) {
		err = rows_read(a, res[2], sizeof(**records), read_record, &rows,
		    record_count);
		*records = rows;
	}
	for (int i = 0; i < 3; i++)
		PQclear(res[i]);
	return err;
}

enum err
db_treatment_record_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, bool for_update, struct db_treatment_record *out)
{
	const char *params[] = { clinic_id, id };
	enum err err;

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = db_row(db, a, &stmts[for_update ? STMT_RECORD_GET_FOR_UPDATE :
	    STMT_RECORD_GET], params, read_record, out);
	if (err == ERR_OK && out->updated_at == NULL)
		err = ERR_NOMEM;
	return err;
}

enum err
db_treatment_record_create(struct db *db, struct arena *a,
    const char *clinic_id, struct db_treatment_record *r)
{
	const char *params[] = { clinic_id, r->patient_id, r->performed_on,
	    r->practitioner_id, r->procedure, r->area, r->notes_for_patient };
	const char *id;
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_RECORD_CREATE], params, &err);

	if (res == NULL)
		return err;
	id = PQntuples(res) == 1 ? db_val(a, res, 0, 0) : NULL;
	PQclear(res);
	if (id == NULL)
		return ERR_NOMEM;
	return db_treatment_record_get(db, a, clinic_id, id, false, r);
}

enum err
db_treatment_record_update(struct db *db, struct arena *a,
    const char *clinic_id, struct db_treatment_record *r)
{
	const char *params[] = { clinic_id, r->id, r->performed_on,
	    r->practitioner_id, r->procedure, r->area, r->notes_for_patient };
	const char *id = r->id;
	enum err err;

	if ((err = exec_returning(db, STMT_RECORD_UPDATE, params)) != ERR_OK)
		return err;
	return db_treatment_record_get(db, a, clinic_id, id, false, r);
}

enum err
db_treatment_currency(struct db *db, struct arena *a, const char *clinic_id,
    const char **currency)
{
	const char *params[] = { clinic_id };
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_CURRENCY], params, &err);

	if (res == NULL)
		return err;
	err = PQntuples(res) == 1 ? ERR_OK : ERR_NOT_FOUND;
	if (err == ERR_OK && (*currency = db_val(a, res, 0, 0)) == NULL)
		err = ERR_NOMEM;
	PQclear(res);
	return err;
}

enum err
db_treatment_seed_demo(struct db *db, const char *clinic_id)
{
	/* Ayşe Yılmaz reads Turkish, John Smith English. */
	static const char *const people[][7] = {
		{ "Ayşe", "Yılmaz", "Üst çene tedavisi", "Kanal tedavisi", "Kron",
		    "Diş taşı temizliği", "Birkaç gün bu dişle sert yiyecek "
		    "çiğnemeyin; ağrı artarsa bizi arayın." },
		{ "John", "Smith", "Upper jaw treatment", "Root canal treatment",
		    "Crown", "Scale and polish", "Avoid chewing hard food on "
		    "this tooth for a few days; call us if the pain grows." },
	};
	enum err err;

	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		const char *params[8] = { clinic_id };
		PGresult *res;

		for (size_t j = 0; j < 7; j++)
			params[j + 1] = people[i][j];
		if ((res = db_exec(db, &stmts[STMT_SEED_DEMO], params,
		    &err)) == NULL)
			return err;
		PQclear(res);
	}
	return ERR_OK;
}
