/*
 * audit_api.c - writing audit rows for a request (in the request's own
 * transaction, with its actor and request id), and GET
 * /api/v1/clinic/audit, newest first with a cursor (owner and admin; the
 * route table says so).
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
#include "valid.h"

enum err
audit_record(struct request *req, const char *action, const char *target_type,
    const char *target_id, struct json_object *before,
    struct json_object *after)
{
	struct db_audit e;

	memset(&e, 0, sizeof(e));
	e.clinic_id = req->actor.clinic_id;
	e.actor_type = req->actor.kind == ACTOR_API_KEY ? "api_key" :
	    req->actor.kind == ACTOR_PATIENT ? "patient" :
	    req->actor.kind == ACTOR_SYSTEM ? "system" : "staff";
	e.actor_id = req->actor.id;
	e.action = action;
	e.target_type = target_type;
	e.target_id = target_id;
	e.before_json = before ? json_to_arena(req->arena, before, NULL) : NULL;
	e.after_json = after ? json_to_arena(req->arena, after, NULL) : NULL;
	e.request_id = req->request_id;
	return db_audit_add(req->ctx->db, &e);
}

static struct json_object *
parsed_or_null(const char *text)
{
	return text == NULL ? NULL : json_tokener_parse(text);
}

static struct json_object *
entry_json(const void *row, void *ctx)
{
	const struct db_audit *e = row;
	struct json_object *o = json_object_new_object();

	(void)ctx;
	if (o == NULL)
		return NULL;
	if (json_add_int(o, "id", atoll(e->id)) != 0 ||
	    json_add_string(o, "at", e->at) != 0 ||
	    json_add_string(o, "actor_type", e->actor_type) != 0 ||
	    json_add_string(o, "actor_id", e->actor_id) != 0 ||
	    json_add_string(o, "actor_name", e->actor_name) != 0 ||
	    json_add_string(o, "action", e->action) != 0 ||
	    json_add_string(o, "target_type", e->target_type) != 0 ||
	    json_add_string(o, "target_id", e->target_id) != 0 ||
	    json_add_string(o, "target_name", e->target_name) != 0 ||
	    json_add(o, "before", parsed_or_null(e->before_json)) != 0 ||
	    json_add(o, "after", parsed_or_null(e->after_json)) != 0 ||
	    json_add_string(o, "request_id", e->request_id) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static const char *
entry_cursor(const void *row)
{
	return ((const struct db_audit *)row)->id;
}

/* An audit cursor is an entry's id: a positive bigint. */
static bool
cursor_is_entry_id(const char *cursor)
{
	long v;

	return str_to_long(cursor, 1, LONG_MAX, &v);
}

/* GET /api/v1/clinic/audit?cursor=&limit=: {items, next_cursor}, newest
 * first (owner, admin). 422 for a bad limit or a cursor this list did not
 * give out. */
void
handle_audit_list(struct request *req)
{
	struct db_audit *rows = NULL;
	struct v_page page;
	int n = 0;
	enum err err;

	q_page(req, cursor_is_entry_id, &page);
	if (!v_ok(req))
		return;
	if ((err = db_audit_list(req->ctx->db, req->arena, req->actor.clinic_id,
	    page.cursor, page.limit + 1, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page.limit,
	    entry_json, NULL, entry_cursor));
}
