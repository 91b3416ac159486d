/*
 * sched_http.c - the field readers appointments_api.c still uses (see
 * sched_http.h) until it moves to the request pipeline and valid.h; the
 * scheduling setup (schedule_api.c) no longer does. Delete this file
 * with the last caller.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "db.h"
#include "http.h"
#include "problem.h"
#include "sched_http.h"
#include "slots.h"
#include "str.h"

void
sched_fail(struct request *req, enum err err, const char *not_found_detail)
{
	db_rollback(req->ctx->db);
	problem_send(req, err == ERR_NOT_FOUND ? "not_found" :
	    problem_code_for_err(err), err == ERR_NOT_FOUND ?
	    not_found_detail : NULL);
}

void
sched_fields_known(struct request *req, const char *const *known,
    struct problem_list *pl)
{
	json_object_object_foreach(req->json, key, val) {
		const char *const *k;

		(void)val;
		for (k = known; *k != NULL && strcmp(*k, key) != 0; k++)
			;
		if (*k == NULL)
			problem_list_add(pl, arena_strdup(req->arena, key),
			    "Unknown field.");
	}
}

const char *
sched_string(struct request *req, const char *key, size_t max, bool required,
    bool allow_empty, struct problem_list *pl)
{
	struct json_object *v;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(req->json, key, &v)) {
		if (required)
			problem_list_add(pl, key, "Required.");
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		problem_list_add(pl, key, "Must be a string.");
		return NULL;
	}
	s = json_object_get_string(v);
	n = str_utf8_length(s);
	if ((n == 0 && !allow_empty) || n > max) {
		problem_list_add(pl, key, allow_empty ? arena_printf(req->arena,
		    "Must be at most %zu characters.", max) :
		    arena_printf(req->arena, "Must be 1 to %zu characters.", max));
		return NULL;
	}
	return s;
}

int
sched_bool(struct request *req, const char *key, struct problem_list *pl)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req->json, key, &v))
		return -1;
	if (!json_object_is_type(v, json_type_boolean)) {
		problem_list_add(pl, key, "Must be true or false.");
		return -1;
	}
	return json_object_get_boolean(v) ? 1 : 0;
}

bool
sched_int(struct request *req, const char *key, int min, int max,
    bool required, int *out, struct problem_list *pl)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(req->json, key, &v)) {
		if (required)
			problem_list_add(pl, key, "Required.");
		return false;
	}
	if (!json_object_is_type(v, json_type_int) ||
	    (n = json_object_get_int64(v)) < min || n > max) {
		problem_list_add(pl, key, arena_printf(req->arena,
		    "Must be a whole number from %d to %d.", min, max));
		return false;
	}
	*out = (int)n;
	return true;
}

const char *
sched_uuid(struct request *req, const char *key, bool required, bool *is_null,
    struct problem_list *pl)
{
	struct json_object *v;

	if (is_null != NULL)
		*is_null = false;
	if (!json_object_object_get_ex(req->json, key, &v)) {
		if (required)
			problem_list_add(pl, key, "Required.");
		return NULL;
	}
	if (v == NULL) {
		if (is_null != NULL)
			*is_null = true;
		else
			problem_list_add(pl, key, "Must be an id.");
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    !str_is_uuid(json_object_get_string(v))) {
		problem_list_add(pl, key, "Must be an id.");
		return NULL;
	}
	return json_object_get_string(v);
}

const char *
sched_instant(struct request *req, const char *key, bool required,
    struct problem_list *pl)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req->json, key, &v)) {
		if (required)
			problem_list_add(pl, key, "Required.");
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    !slot_instant_valid(json_object_get_string(v))) {
		problem_list_add(pl, key, "Must be a date and time with its UTC "
		    "offset, e.g. 2026-12-01T10:30:00+03:00.");
		return NULL;
	}
	return json_object_get_string(v);
}

bool
sched_query_date(struct request *req, const char *name, bool required,
    const char **out, long *days, struct problem_list *pl)
{
	const char *s = req_query(req, name);

	*out = NULL;
	if (s == NULL) {
		if (required)
			problem_list_add(pl, name, "Required, as YYYY-MM-DD.");
		return !required;
	}
	if (!slot_date_parse(s, days)) {
		problem_list_add(pl, name, "Must be a date, YYYY-MM-DD.");
		return false;
	}
	*out = s;
	return true;
}
