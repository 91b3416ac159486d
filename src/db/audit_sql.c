/*
 * audit_sql.c - the audit log: adding and listing entries (see db_clinic.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_clinic.h"
#include "db_internal.h"

enum stmt_id {
	STMT_AUDIT_ADD,
	STMT_AUDIT_LIST,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_AUDIT_ADD] = { "clinic_audit_add",
	    "INSERT INTO audit_log (clinic_id, actor_type, actor_id, action, "
	    "target_type, target_id, before, after, request_id) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)", 9, false },
	[STMT_AUDIT_LIST] = { "clinic_audit_list",
	    "SELECT id, to_char(at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), actor_type, actor_id, action, "
	    "target_type, target_id, before::text, after::text, request_id, "
	    /* Who and whom, by name as they are now (a removed one: null). */
	    "CASE actor_type WHEN 'staff' THEN (SELECT s.name FROM staff s "
	    "WHERE s.clinic_id = l.clinic_id AND s.id = l.actor_id) "
	    "WHEN 'patient' THEN (SELECT p.first_name || ' ' || p.last_name "
	    "FROM patients p WHERE p.clinic_id = l.clinic_id AND p.id = "
	    "l.actor_id) WHEN 'api_key' THEN (SELECT k.name FROM api_keys k "
	    "WHERE k.clinic_id = l.clinic_id AND k.id = l.actor_id) END, "
	    "CASE WHEN target_id !~ '^[0-9a-f-]{36}$' THEN NULL "
	    "WHEN target_type = 'patient' THEN (SELECT p.first_name || ' ' || "
	    "p.last_name FROM patients p WHERE p.clinic_id = l.clinic_id AND "
	    "p.id = l.target_id::uuid) WHEN target_type = 'staff' THEN (SELECT "
	    "s.name FROM staff s WHERE s.clinic_id = l.clinic_id AND s.id = "
	    "l.target_id::uuid) END "
	    "FROM audit_log l WHERE clinic_id = $1 "
	    "AND ($2::bigint IS NULL OR id < $2::bigint) "
	    "ORDER BY id DESC LIMIT $3", 3, true },
};

enum err
db_audit_add(struct db *db, const struct db_audit *e)
{
	const char *params[] = { e->clinic_id, e->actor_type, e->actor_id,
	    e->action, e->target_type, e->target_id, e->before_json,
	    e->after_json, e->request_id };

	/* The row goes out with the request's COMMIT, in its round trip. */
	return db_defer(db, &stmts[STMT_AUDIT_ADD], params);
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
	e->actor_name = db_val(a, res, i, 10);
	e->target_name = db_val(a, res, i, 11);
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
