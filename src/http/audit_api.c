/*
 * audit_api.c - writing audit rows for a request, and GET
 * /api/v1/clinic/audit, newest first with a cursor.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "db.h"
#include "db_clinic.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"
#include "str.h"

enum err
audit_record(struct request *req, const char *action, const char *target_type,
    const char *target_id, struct json_object *before,
    struct json_object *after)
{
	struct db_audit e;

	memset(&e, 0, sizeof(e));
	e.clinic_id = req->actor.clinic_id;
	e.actor_type = req->actor.kind == ACTOR_API_KEY ? "api_key" :
	    req->actor.kind == ACTOR_PATIENT ? "patient" : "staff";
	e.actor_id = req->actor.id;
	e.action = action;
	e.target_type = target_type;
	e.target_id = target_id;
	e.before_json = before ? json_to_arena(req->arena, before, NULL) : NULL;
	e.after_json = after ? json_to_arena(req->arena, after, NULL) : NULL;
	e.request_id = req->request_id;
	return db_audit_add(req->ctx->db, &e);
}

/* Parses ?limit= (1-100, default 50); false after answering 422. */
bool
req_limit(struct request *req, int *limit)
{
	const char *s = req_query(req, "limit");
	long v;

	*limit = 50;
	if (s == NULL)
		return true;
	if (!str_to_long(s, 1, 100, &v)) {
		struct problem_list *pl = problem_list_new(req);

		problem_list_add(pl, "limit", "Must be a whole number from 1 to 100.");
		problem_list_send(req, pl, NULL);
		return false;
	}
	*limit = (int)v;
	return true;
}

static struct json_object *
parsed_or_null(const char *text)
{
	return text == NULL ? NULL : json_tokener_parse(text);
}

/* GET /api/v1/clinic/audit?cursor=&limit=: {items, next_cursor}. */
void
handle_audit_list(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *cursor = req_query(req, "cursor");
	struct db_audit *rows = NULL;
	struct json_object *body, *items;
	int limit, n = 0;
	long id;
	enum err err;

	if (!req_limit(req, &limit))
		return;
	if (cursor != NULL && !str_to_long(cursor, 1, LONG_MAX, &id)) {
		struct problem_list *pl = problem_list_new(req);

		problem_list_add(pl, "cursor", "Not a cursor this list gave out.");
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_audit_list(db, req->arena, req->actor.clinic_id, cursor,
	    limit + 1, &rows, &n)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	if (body == NULL || items == NULL) {
		json_object_put(body);
		json_object_put(items);
		resp_json(req, 200, NULL);
		return;
	}
	for (int i = 0; i < n && i < limit; i++) {
		struct json_object *o = json_object_new_object();

		json_add_int(o, "id", atoll(rows[i].id));
		json_add_string(o, "at", rows[i].at);
		json_add_string(o, "actor_type", rows[i].actor_type);
		json_add_string(o, "actor_id", rows[i].actor_id);
		json_add_string(o, "action", rows[i].action);
		json_add_string(o, "target_type", rows[i].target_type);
		json_add_string(o, "target_id", rows[i].target_id);
		json_add(o, "before", parsed_or_null(rows[i].before_json));
		json_add(o, "after", parsed_or_null(rows[i].after_json));
		json_add_string(o, "request_id", rows[i].request_id);
		json_object_array_add(items, o);
	}
	json_add(body, "items", items);
	json_add_string(body, "next_cursor", n > limit ? rows[limit - 1].id : NULL);
	resp_json(req, 200, body);
}
