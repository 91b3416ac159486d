/*
 * problem.c - the one table from problem code to HTTP status and title,
 * and the problem+json writer (see problem.h).
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "http.h"
#include "json_util.h"
#include "log.h"
#include "problem.h"

struct problem_def {
	const char *code;
	int status;
	const char *title;
};

static const struct problem_def problems[] = {
	{ "bad_request", 400, "The request is malformed" },
	{ "invalid_code", 400, "The one-time code is wrong" },
	{ "invalid_token", 400, "The link or token is not valid" },
	{ "idempotency_key_required", 400, "An Idempotency-Key header is required" },
	{ "not_authenticated", 401, "Sign-in required" },
	{ "csrf_failed", 403, "The request lacks a valid CSRF token" },
	{ "forbidden_role", 403, "Your role may not do this" },
	{ "permission_denied", 403, "The portal does not allow this" },
	{ "totp_enrolment_required", 403, "Set up two-factor sign-in first" },
	{ "not_found", 404, "Not found" },
	{ "portal_not_found", 404, "Portal not found" },
	{ "method_not_allowed", 405, "Method not allowed" },
	{ "conflict", 409, "Conflict" },
	{ "slot_taken", 409, "The slot is no longer free" },
	{ "module_missing", 409, "The Patient Portal module is missing" },
	{ "portal_disabled", 409, "The Patient Portal is switched off" },
	{ "portal_access_off", 409, "The patient's portal access is off" },
	{ "template_missing", 409, "No message template is chosen" },
	{ "code_taken", 409, "The portal code is taken" },
	{ "code_retired", 409, "The portal code is retired" },
	{ "payment_unavailable", 409, "Online payment is not available" },
	{ "idempotency_in_flight", 409, "A request with this key is still running" },
	{ "thread_closed", 409, "The conversation is closed" },
	{ "form_version_changed", 409, "The form has a newer version" },
	{ "challenge_expired", 410, "The sign-in attempt has expired" },
	{ "precondition_failed", 412, "The resource changed since you read it" },
	{ "payload_too_large", 413, "The request body is too large" },
	{ "unsupported_media_type", 415, "Unsupported media type" },
	/* These five nginx answers itself, under /api/ with the same codes
	 * and titles (nginx/portal.conf.in); they are here so that the
	 * API's table names every code a client of /api/ may meet. */
	{ "uri_too_long", 414, "The address is too long" },
	{ "range_not_satisfiable", 416, "The range is outside the file" },
	{ "header_too_large", 431, "The request headers are too large" },
	{ "not_implemented", 501, "Not implemented" },
	{ "http_version_not_supported", 505, "HTTP version not supported" },
	{ "validation_failed", 422, "The input is not valid" },
	{ "code_invalid", 422, "The portal code is not valid" },
	{ "code_reserved", 422, "The portal code is reserved" },
	{ "code_required", 422, "A portal code is required" },
	{ "contact_missing", 422, "The patient has no such contact on file" },
	{ "not_mobile", 422, "The phone number cannot receive SMS" },
	{ "booking_rule", 422, "A booking rule refuses this" },
	{ "idempotency_key_reused", 422, "The Idempotency-Key was used with another request" },
	{ "unsafe_content", 422, "The file is damaged or carries active content" },
	{ "quota_exceeded", 422, "The upload quota is used up" },
	{ "rate_limited", 429, "Too many requests" },
	{ "internal_error", 500, "Internal error" },
	{ "unavailable", 503, "Service unavailable" },
};

#define PROBLEMS__MAX (sizeof(problems) / sizeof(problems[0]))

static const struct problem_def *
problem_find(const char *code)
{
	for (size_t i = 0; i < PROBLEMS__MAX; i++)
		if (strcmp(problems[i].code, code) == 0)
			return &problems[i];
	return NULL;
}

int
problem_status(const char *code)
{
	const struct problem_def *p = problem_find(code);

	return p == NULL ? 0 : p->status;
}

const char *
problem_code_for_err(enum err e)
{
	switch (e) {
	case ERR_OK:
		break;
	case ERR_NOT_FOUND:
		return "not_found";
	case ERR_CONFLICT:
		return "conflict";
	case ERR_INVALID:
		return "validation_failed";
	case ERR_FORBIDDEN:
		return "forbidden_role";
	case ERR_DB:
	case ERR_UPSTREAM:
	case ERR_NOMEM:
	case ERR_IO:
		return "unavailable";
	case ERR__MAX:
		break;
	}
	return "internal_error";
}

void
problem_send_err(struct request *req, enum err e, const char *what)
{
	if (e == ERR_NOT_FOUND && what != NULL)
		problem_send(req, "not_found", arena_printf(req->arena,
		    "No such %s.", what));
	else
		problem_send(req, problem_code_for_err(e), NULL);
}

/* The last resort when building the problem itself ran out of memory. */
static const char oom_body[] =
    "{\"type\":\"urn:patient-portal:problem:unavailable\","
    "\"title\":\"Service unavailable\",\"status\":503,"
    "\"detail\":\"The server is short of memory; try again.\","
    "\"code\":\"unavailable\"}";

void
problem_send_ex(struct request *req, const char *code, const char *detail,
    struct json_object *extra)
{
	const struct problem_def *p = problem_find(code);
	struct json_object *obj;

	if (p == NULL) {
		log_error("unknown problem code '%s'", code);
		p = problem_find("internal_error");
	}
	obj = json_arena_own(req->arena, json_object_new_object());
	if (obj == NULL ||
	    json_add_string(obj, "type", arena_printf(req->arena,
	        "urn:patient-portal:problem:%s", p->code)) != 0 ||
	    json_add_string(obj, "title", p->title) != 0 ||
	    json_add_int(obj, "status", p->status) != 0 ||
	    json_add_string(obj, "detail", detail ? detail : p->title) != 0 ||
	    json_add_string(obj, "code", p->code) != 0)
		goto oom;
	if (extra != NULL) {
		json_object_object_foreach(extra, key, val) {
			if (json_add(obj, key, json_object_get(val)) != 0) {
				json_object_put(extra);
				goto oom;
			}
		}
		json_object_put(extra);
	}
	resp_json(req, p->status, json_object_get(obj));
	req->resp.content_type = "application/problem+json";
	return;
oom:
	resp_raw(req, 503, "application/problem+json", oom_body,
	    sizeof(oom_body) - 1);
}

void
problem_send(struct request *req, const char *code, const char *detail)
{
	problem_send_ex(req, code, detail, NULL);
}

struct problem_list {
	struct json_object *errors;
	bool failed;
};

struct problem_list *
problem_list_new(struct request *req)
{
	struct problem_list *pl = arena_alloc(req->arena, sizeof(*pl));

	if (pl == NULL)
		return NULL;
	pl->errors = json_arena_own(req->arena, json_object_new_array());
	pl->failed = pl->errors == NULL;
	return pl;
}

void
problem_list_add(struct problem_list *pl, const char *field,
    const char *message)
{
	problem_list_add_ex(pl, field, message, NULL, NULL);
}

void
problem_list_add_ex(struct problem_list *pl, const char *field,
    const char *message, const char *name, const char *value)
{
	struct json_object *e;

	if (pl == NULL || pl->failed)
		return;
	e = json_object_new_object();
	if (e == NULL || json_add_string(e, "field", field) != 0 ||
	    json_add_string(e, "message", message) != 0 ||
	    (name != NULL && value != NULL &&
	    json_add_string(e, name, value) != 0) ||
	    json_object_array_add(pl->errors, e) != 0) {
		json_object_put(e);
		pl->failed = true;
	}
}

size_t
problem_list_count(const struct problem_list *pl)
{
	return pl == NULL || pl->errors == NULL ? 0 :
	    json_object_array_length(pl->errors);
}

void
problem_list_send(struct request *req, struct problem_list *pl,
    const char *detail)
{
	problem_list_send_as(req, pl, "validation_failed", detail);
}

void
problem_list_send_as(struct request *req, struct problem_list *pl,
    const char *code, const char *detail)
{
	struct json_object *extra;

	if (pl == NULL || pl->failed) {
		resp_raw(req, 503, "application/problem+json", oom_body,
		    sizeof(oom_body) - 1);
		return;
	}
	extra = json_object_new_object();
	if (extra == NULL ||
	    json_add(extra, "errors", json_object_get(pl->errors)) != 0) {
		json_object_put(extra);
		resp_raw(req, 503, "application/problem+json", oom_body,
		    sizeof(oom_body) - 1);
		return;
	}
	problem_send_ex(req, code, detail, extra);
}

void
problem_send_rate_limited(struct request *req, long retry_after,
    const char *detail)
{
	resp_header(req, "Retry-After", arena_printf(req->arena, "%ld",
	    retry_after));
	problem_send(req, "rate_limited", detail);
}
