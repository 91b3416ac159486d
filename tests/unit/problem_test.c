/* problem_test.c - unit tests of problem+json answers (include/problem.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "err.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"

/* The documented code -> status table (DESIGN.md, "Status of each problem
 * code"). */
static const struct {
	const char *code;
	int status;
} documented[] = {
	{ "bad_request", 400 },
	{ "invalid_code", 400 },
	{ "not_authenticated", 401 },
	{ "csrf_failed", 403 },
	{ "forbidden_role", 403 },
	{ "permission_denied", 403 },
	{ "not_found", 404 },
	{ "portal_not_found", 404 },
	{ "method_not_allowed", 405 },
	{ "conflict", 409 },
	{ "slot_taken", 409 },
	{ "module_missing", 409 },
	{ "portal_disabled", 409 },
	{ "portal_access_off", 409 },
	{ "template_missing", 409 },
	{ "code_taken", 409 },
	{ "code_retired", 409 },
	{ "challenge_expired", 410 },
	{ "precondition_failed", 412 },
	{ "payload_too_large", 413 },
	{ "unsupported_media_type", 415 },
	{ "validation_failed", 422 },
	{ "code_invalid", 422 },
	{ "code_reserved", 422 },
	{ "code_required", 422 },
	{ "contact_missing", 422 },
	{ "not_mobile", 422 },
	{ "booking_rule", 422 },
	{ "rate_limited", 429 },
	{ "unavailable", 503 },
};
#define DOCUMENTED_N (sizeof(documented) / sizeof(documented[0]))

static int
setup_request(void **state)
{
	struct request *req = calloc(1, sizeof(*req));

	if (req == NULL)
		return -1;
	req->arena = arena_new(4096);
	if (req->arena == NULL) {
		free(req);
		return -1;
	}
	req->method = "GET";
	req->path = "/api/v1/test";
	req->query = "";
	req->content_type = "";
	*state = req;
	return 0;
}

static int
teardown_request(void **state)
{
	struct request *req = *state;

	arena_free(req->arena);
	free(req);
	return 0;
}

/* Clears the response between two answers on the same request. */
static void
reset_response(struct request *req)
{
	memset(&req->resp, 0, sizeof(req->resp));
}

/* Parses the response body (owned by the arena) and checks the members
 * every problem has; returns the object. */
static struct json_object *
problem_body(struct request *req, const char *code, int status)
{
	struct json_object *obj, *v;
	const char *detail = NULL;
	char type[128];

	assert_int_equal(req->resp.status, status);
	assert_non_null(req->resp.content_type);
	assert_string_equal(req->resp.content_type, "application/problem+json");
	assert_non_null(req->resp.body);
	assert_int_equal(req->resp.body_len, strlen(req->resp.body));
	if (json_parse(req->arena, req->resp.body, req->resp.body_len, 16,
	    &obj, &detail) != JSON_PARSE_OK)
		fail_msg("body is not JSON (%s): %s", detail, req->resp.body);
	assert_true(json_object_is_type(obj, json_type_object));

	snprintf(type, sizeof(type), "urn:patient-portal:problem:%s", code);
	assert_true(json_object_object_get_ex(obj, "type", &v));
	assert_string_equal(json_object_get_string(v), type);
	assert_true(json_object_object_get_ex(obj, "title", &v));
	assert_true(json_object_is_type(v, json_type_string));
	assert_true(strlen(json_object_get_string(v)) > 0);
	assert_true(json_object_object_get_ex(obj, "status", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int(v), status);
	assert_true(json_object_object_get_ex(obj, "detail", &v));
	assert_true(json_object_is_type(v, json_type_string));
	assert_true(json_object_object_get_ex(obj, "code", &v));
	assert_string_equal(json_object_get_string(v), code);
	return obj;
}

static const char *
member_string(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		fail_msg("no member '%s'", key);
	return json_object_get_string(v);
}

static void
test_status_of_each_code(void **state)
{
	(void)state;
	for (size_t i = 0; i < DOCUMENTED_N; i++)
		if (problem_status(documented[i].code) != documented[i].status)
			fail_msg("%s: status %d, want %d", documented[i].code,
			    problem_status(documented[i].code),
			    documented[i].status);
	assert_int_equal(problem_status("internal_error"), 500);
}

static void
test_status_unknown_code(void **state)
{
	(void)state;
	assert_int_equal(problem_status("no_such_code"), 0);
	assert_int_equal(problem_status(""), 0);
	assert_int_equal(problem_status("NOT_FOUND"), 0);
	assert_int_equal(problem_status("not_found "), 0);
	assert_int_equal(problem_status("not_foun"), 0);
}

static void
test_code_for_err(void **state)
{
	(void)state;
	assert_string_equal(problem_code_for_err(ERR_NOT_FOUND), "not_found");
	assert_string_equal(problem_code_for_err(ERR_CONFLICT), "conflict");
	assert_string_equal(problem_code_for_err(ERR_INVALID), "validation_failed");
	assert_string_equal(problem_code_for_err(ERR_FORBIDDEN), "forbidden_role");
	assert_string_equal(problem_code_for_err(ERR_DB), "unavailable");
	assert_string_equal(problem_code_for_err(ERR_UPSTREAM), "unavailable");
	assert_string_equal(problem_code_for_err(ERR_NOMEM), "unavailable");
	assert_string_equal(problem_code_for_err(ERR_IO), "unavailable");
	/* ERR_OK is not an error, and out-of-range values are bugs. */
	assert_string_equal(problem_code_for_err(ERR_OK), "internal_error");
	assert_string_equal(problem_code_for_err(ERR__MAX), "internal_error");
	/* Every code it gives is a known one. */
	for (int e = ERR_OK; e <= ERR__MAX; e++)
		assert_int_not_equal(problem_status(problem_code_for_err(e)), 0);
}

static void
test_send(void **state)
{
	struct request *req = *state;
	struct json_object *obj;

	problem_send(req, "portal_not_found", "No portal has the code abc.");
	obj = problem_body(req, "portal_not_found", 404);
	assert_string_equal(member_string(obj, "title"), "Portal not found");
	assert_string_equal(member_string(obj, "detail"),
	    "No portal has the code abc.");
	/* Nothing but the five members. */
	assert_int_equal(json_object_object_length(obj), 5);
}

static void
test_send_without_detail(void **state)
{
	struct request *req = *state;
	struct json_object *obj;

	problem_send(req, "rate_limited", NULL);
	obj = problem_body(req, "rate_limited", 429);
	/* The title stands in for the detail. */
	assert_string_equal(member_string(obj, "detail"),
	    member_string(obj, "title"));
}

static void
test_send_escapes_detail(void **state)
{
	struct request *req = *state;
	struct json_object *obj;
	static const char detail[] = "quote \" backslash \\ newline \n "
	    "tab \t slash / \xc3\xa9 <script>";

	problem_send(req, "bad_request", detail);
	obj = problem_body(req, "bad_request", 400);
	assert_string_equal(member_string(obj, "detail"), detail);
}

static void
test_send_every_code(void **state)
{
	struct request *req = *state;

	for (size_t i = 0; i < DOCUMENTED_N; i++) {
		reset_response(req);
		problem_send(req, documented[i].code, "detail");
		problem_body(req, documented[i].code, documented[i].status);
	}
}

static void
test_send_ex_merges_extra(void **state)
{
	struct request *req = *state;
	struct json_object *obj, *extra, *v;

	extra = json_object_new_object();
	assert_non_null(extra);
	assert_int_equal(json_add_string(extra, "permission", "view_invoices"), 0);
	assert_int_equal(json_add_int(extra, "retry_after", 30), 0);
	/* The extra object's reference passes to problem_send_ex(); the
	 * sanitizer build reports a leak if it is never put. */
	problem_send_ex(req, "permission_denied", "Not allowed.", extra);
	obj = problem_body(req, "permission_denied", 403);
	assert_string_equal(member_string(obj, "permission"), "view_invoices");
	assert_true(json_object_object_get_ex(obj, "retry_after", &v));
	assert_int_equal(json_object_get_int(v), 30);
	assert_string_equal(member_string(obj, "detail"), "Not allowed.");
	assert_int_equal(json_object_object_length(obj), 7);

	/* A booking rule names the rule that refused. */
	reset_response(req);
	extra = json_object_new_object();
	assert_non_null(extra);
	assert_int_equal(json_add_string(extra, "rule", "min_notice"), 0);
	problem_send_ex(req, "booking_rule", NULL, extra);
	obj = problem_body(req, "booking_rule", 422);
	assert_string_equal(member_string(obj, "rule"), "min_notice");

	/* No extra at all. */
	reset_response(req);
	problem_send_ex(req, "conflict", "Taken.", NULL);
	obj = problem_body(req, "conflict", 409);
	assert_int_equal(json_object_object_length(obj), 5);
}

static void
test_list_send(void **state)
{
	struct request *req = *state;
	struct problem_list *pl;
	struct json_object *obj, *errors, *e;

	pl = problem_list_new(req);
	assert_non_null(pl);
	assert_int_equal(problem_list_count(pl), 0);
	problem_list_add(pl, "phone", "must be in E.164 form");
	problem_list_add(pl, "language", "must be tr or en");
	assert_int_equal(problem_list_count(pl), 2);
	problem_list_send(req, pl, "Two fields are wrong.");

	obj = problem_body(req, "validation_failed", 422);
	assert_string_equal(member_string(obj, "detail"), "Two fields are wrong.");
	assert_true(json_object_object_get_ex(obj, "errors", &errors));
	assert_true(json_object_is_type(errors, json_type_array));
	assert_int_equal(json_object_array_length(errors), 2);
	e = json_object_array_get_idx(errors, 0);
	assert_int_equal(json_object_object_length(e), 2);
	assert_string_equal(member_string(e, "field"), "phone");
	assert_string_equal(member_string(e, "message"), "must be in E.164 form");
	e = json_object_array_get_idx(errors, 1);
	assert_string_equal(member_string(e, "field"), "language");
	assert_string_equal(member_string(e, "message"), "must be tr or en");
}

static void
test_list_accepts_null(void **state)
{
	(void)state;
	/* Out of memory upstream gives a NULL list; using it is harmless. */
	problem_list_add(NULL, "f", "m");
	assert_int_equal(problem_list_count(NULL), 0);
}

static void
test_unknown_code_is_internal_error(void **state)
{
	struct request *req = *state;
	struct json_object *obj;

	problem_send(req, "no_such_code", "whatever");
	obj = problem_body(req, "internal_error", 500);
	assert_string_equal(member_string(obj, "title"), "Internal error");

	/* The same through problem_send_ex(), whose extra is still put. */
	reset_response(req);
	problem_send_ex(req, "", NULL, json_object_new_object());
	problem_body(req, "internal_error", 500);
}

int
main(void)
{
#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_request, teardown_request)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_of_each_code),
		cmocka_unit_test(test_status_unknown_code),
		cmocka_unit_test(test_code_for_err),
		T(test_send),
		T(test_send_without_detail),
		T(test_send_escapes_detail),
		T(test_send_every_code),
		T(test_send_ex_merges_extra),
		T(test_list_send),
		cmocka_unit_test(test_list_accepts_null),
		T(test_unknown_code_is_internal_error),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
