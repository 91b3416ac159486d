/* router_test.c - unit tests of the router (router.h) and the route table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "router.h"
#include "routes.h"

/* Tables leave out a route's body kind where it is the default. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* Dummy handlers: only their addresses matter. */
static void h_health(struct request *req) { (void)req; }
static void h_portal(struct request *req) { (void)req; }
static void h_portal_x(struct request *req) { (void)req; }
static void h_settings_get(struct request *req) { (void)req; }
static void h_settings_put(struct request *req) { (void)req; }
static void h_patient_get(struct request *req) { (void)req; }
static void h_patient_patch(struct request *req) { (void)req; }
static void h_patient_me(struct request *req) { (void)req; }
static void h_doc(struct request *req) { (void)req; }
static void h_four(struct request *req) { (void)req; }
static void h_five(struct request *req) { (void)req; }

static const struct route table[] = {
	{ "GET", "/api/v1/health", h_health, SIDE_PUBLIC },
	{ "GET", "/api/v1/portal/{code}/", h_portal, SIDE_PUBLIC },
	{ "GET", "/api/v1/portal/x", h_portal_x, SIDE_PUBLIC },
	{ "GET", "/api/v1/clinic/portal/settings", h_settings_get, SIDE_PUBLIC },
	{ "PUT", "/api/v1/clinic/portal/settings", h_settings_put, SIDE_PUBLIC },
	/* Two patterns that both match "/api/v1/clinic/patients/me", both
	 * for GET: the Allow header must still name GET once. */
	{ "GET", "/api/v1/clinic/patients/{id}", h_patient_get, SIDE_PUBLIC },
	{ "GET", "/api/v1/clinic/patients/me", h_patient_me, SIDE_PUBLIC },
	{ "PATCH", "/api/v1/clinic/patients/{id}", h_patient_patch, SIDE_PUBLIC },
	{ "GET", "/api/v1/portal/{code}/documents/{id}", h_doc, SIDE_PUBLIC },
	{ "GET", "/a/{p1}/{p2}/{p3}/{p4}", h_four, SIDE_PUBLIC },
	{ "GET", "/b/{p1}/{p2}/{p3}/{p4}/{p5}", h_five, SIDE_PUBLIC },
};
#define TABLE_N (sizeof(table) / sizeof(table[0]))

struct match {
	enum route_match m;
	const struct route *found;
	struct route_params params;
	char buf[ROUTE_PATH_MAX + 16];
	char allow[64];
};

static enum route_match
match(struct match *r, const char *method, const char *path)
{
	memset(r, 0x5a, sizeof(*r));
	r->m = router_match(table, TABLE_N, method, path, &r->found,
	    &r->params, r->buf, r->allow, sizeof(r->allow));
	return r->m;
}

static void
test_literal_match(void **state)
{
	struct match r;

	(void)state;
	assert_int_equal(match(&r, "GET", "/api/v1/health"), ROUTE_FOUND);
	assert_ptr_equal(r.found, &table[0]);
	assert_ptr_equal(r.found->handler, h_health);
	assert_int_equal(r.params.count, 0);
	/* Exact per segment: no prefixes, no extensions, no case folding. */
	assert_int_equal(match(&r, "GET", "/api/v1/healt"), ROUTE_NOT_FOUND);
	assert_null(r.found);
	assert_int_equal(match(&r, "GET", "/api/v1/healthz"), ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "/api/v1/health/x"), ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "/API/v1/health"), ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "api/v1/health"), ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "//api/v1/health"), ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", ""), ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "/"), ROUTE_NOT_FOUND);
	/* The method is compared exactly too. */
	assert_int_equal(match(&r, "get", "/api/v1/health"), ROUTE_BAD_METHOD);
}

static void
test_param_capture(void **state)
{
	struct match r;
	char path[] = "/api/v1/portal/smile-dental/";
	const char *v;

	(void)state;
	assert_int_equal(match(&r, "GET", path), ROUTE_FOUND);
	assert_ptr_equal(r.found->handler, h_portal);
	assert_int_equal(r.params.count, 1);
	assert_int_equal(r.params.name_lens[0], 4);
	assert_memory_equal(r.params.names[0], "code", 4);
	v = route_param(&r.params, "code");
	assert_non_null(v);
	assert_string_equal(v, "smile-dental");
	/* The value is a NUL-terminated copy in buf, not a pointer into the
	 * path: changing the path leaves it alone. */
	assert_true(v >= r.buf && v < r.buf + sizeof(r.buf));
	memset(path, '#', sizeof(path) - 1);
	assert_string_equal(v, "smile-dental");

	/* Unknown names, and names that are prefixes or extensions. */
	assert_null(route_param(&r.params, "id"));
	assert_null(route_param(&r.params, "cod"));
	assert_null(route_param(&r.params, "codes"));
	assert_null(route_param(&r.params, ""));
}

static void
test_trailing_slash(void **state)
{
	struct match r;

	(void)state;
	/* "/api/v1/portal/{code}/" needs the slash... */
	assert_int_equal(match(&r, "GET", "/api/v1/portal/abc/"), ROUTE_FOUND);
	assert_ptr_equal(r.found->handler, h_portal);
	assert_int_equal(match(&r, "GET", "/api/v1/portal/abc"), ROUTE_NOT_FOUND);
	/* ...and "/api/v1/portal/x" refuses it. */
	assert_int_equal(match(&r, "GET", "/api/v1/portal/x"), ROUTE_FOUND);
	assert_ptr_equal(r.found->handler, h_portal_x);
	assert_int_equal(r.params.count, 0);
	assert_int_equal(match(&r, "GET", "/api/v1/portal/x/"), ROUTE_FOUND);
	assert_ptr_equal(r.found->handler, h_portal);
	assert_string_equal(route_param(&r.params, "code"), "x");
	assert_int_equal(match(&r, "GET", "/api/v1/health/"), ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "/api/v1/portal/abc//"),
	    ROUTE_NOT_FOUND);
}

static void
test_empty_segment_never_matches_param(void **state)
{
	struct match r;

	(void)state;
	assert_int_equal(match(&r, "GET", "/api/v1/portal//"), ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "/api/v1/clinic/patients/"),
	    ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "PATCH", "/api/v1/clinic/patients/"),
	    ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "/api/v1/portal/abc/documents/"),
	    ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "/a/1//3/4"), ROUTE_NOT_FOUND);
	assert_int_equal(match(&r, "GET", "/a/1/2/3/"), ROUTE_NOT_FOUND);
	/* A parameter stops at '/': it never swallows two segments. */
	assert_int_equal(match(&r, "GET", "/api/v1/clinic/patients/1/2"),
	    ROUTE_NOT_FOUND);
}

static void
test_not_found(void **state)
{
	struct match r;

	(void)state;
	assert_int_equal(match(&r, "GET", "/nope"), ROUTE_NOT_FOUND);
	assert_null(r.found);
	assert_string_equal(r.allow, "");
	assert_int_equal(match(&r, "DELETE", "/nope"), ROUTE_NOT_FOUND);
	assert_string_equal(r.allow, "");
}

static void
test_bad_method_allow(void **state)
{
	struct match r;

	(void)state;
	assert_int_equal(match(&r, "DELETE", "/api/v1/clinic/portal/settings"),
	    ROUTE_BAD_METHOD);
	assert_null(r.found);
	assert_string_equal(r.allow, "GET, PUT");

	assert_int_equal(match(&r, "POST", "/api/v1/health"), ROUTE_BAD_METHOD);
	assert_string_equal(r.allow, "GET");

	/* "{id}" and "me" both match this path for GET: GET is named once. */
	assert_int_equal(match(&r, "DELETE", "/api/v1/clinic/patients/me"),
	    ROUTE_BAD_METHOD);
	assert_string_equal(r.allow, "GET, PATCH");
	assert_int_equal(match(&r, "PUT", "/api/v1/clinic/patients/42"),
	    ROUTE_BAD_METHOD);
	assert_string_equal(r.allow, "GET, PATCH");

	/* The same paths with the right method. */
	assert_int_equal(match(&r, "PUT", "/api/v1/clinic/portal/settings"),
	    ROUTE_FOUND);
	assert_ptr_equal(r.found->handler, h_settings_put);
	assert_int_equal(match(&r, "PATCH", "/api/v1/clinic/patients/42"),
	    ROUTE_FOUND);
	assert_ptr_equal(r.found->handler, h_patient_patch);
	assert_string_equal(route_param(&r.params, "id"), "42");
}

static void
test_bad_method_allow_truncated(void **state)
{
	const struct route *found;
	struct route_params params;
	char buf[64], allow[6];

	(void)state;
	memset(allow, 'z', sizeof(allow));
	assert_int_equal(router_match(table, TABLE_N, "DELETE",
	    "/api/v1/clinic/portal/settings", &found, &params, buf, allow,
	    sizeof(allow)), ROUTE_BAD_METHOD);
	/* Whatever fits, always terminated within allowlen. */
	assert_non_null(memchr(allow, '\0', sizeof(allow)));
	assert_int_equal(strncmp(allow, "GET", strlen(allow)), 0);
}

static void
test_first_pattern_wins(void **state)
{
	struct match r;

	(void)state;
	/* Table order decides between two GET patterns. */
	assert_int_equal(match(&r, "GET", "/api/v1/clinic/patients/me"),
	    ROUTE_FOUND);
	assert_ptr_equal(r.found->handler, h_patient_get);
	assert_string_equal(route_param(&r.params, "id"), "me");
}

static void
test_several_params(void **state)
{
	struct match r;

	(void)state;
	assert_int_equal(match(&r, "GET", "/api/v1/portal/clinic9/documents/77"),
	    ROUTE_FOUND);
	assert_ptr_equal(r.found->handler, h_doc);
	assert_int_equal(r.params.count, 2);
	assert_string_equal(route_param(&r.params, "code"), "clinic9");
	assert_string_equal(route_param(&r.params, "id"), "77");

	/* ROUTE_PARAMS__MAX parameters, values of different lengths. */
	assert_int_equal(match(&r, "GET", "/a/one/22/three/4"), ROUTE_FOUND);
	assert_ptr_equal(r.found->handler, h_four);
	assert_int_equal(r.params.count, 4);
	assert_string_equal(route_param(&r.params, "p1"), "one");
	assert_string_equal(route_param(&r.params, "p2"), "22");
	assert_string_equal(route_param(&r.params, "p3"), "three");
	assert_string_equal(route_param(&r.params, "p4"), "4");
	assert_string_equal(r.params.values[0], "one");
	assert_string_equal(r.params.values[3], "4");
}

static void
test_too_many_params(void **state)
{
	struct match r;

	(void)state;
	/* A pattern with more parameters than ROUTE_PARAMS__MAX never matches
	 * (and never writes past the arrays). */
	assert_int_equal(match(&r, "GET", "/b/1/2/3/4/5"), ROUTE_NOT_FOUND);
}

static void
test_buffer_is_enough(void **state)
{
	const struct route *found;
	struct route_params params;
	static const char path[] = "/a/w/x/y/z";
	char buf[sizeof(path)], allow[16];

	(void)state;
	/* buf holds exactly strlen(path) + 1 bytes, as documented; ASan
	 * catches a write past it. */
	assert_int_equal(router_match(table, TABLE_N, "GET", path, &found,
	    &params, buf, allow, sizeof(allow)), ROUTE_FOUND);
	assert_string_equal(route_param(&params, "p4"), "z");
}

static void
test_over_long_path(void **state)
{
	static char path[ROUTE_PATH_MAX + 8];
	struct match r;

	(void)state;
	/* "/api/v1/portal/" + a code, up to ROUTE_PATH_MAX - 1 bytes. */
	strcpy(path, "/api/v1/portal/");
	memset(path + strlen(path), 'c', ROUTE_PATH_MAX - 1 - strlen(path) - 1);
	strcpy(path + ROUTE_PATH_MAX - 2, "/");
	assert_int_equal(strlen(path), ROUTE_PATH_MAX - 1);
	assert_int_equal(match(&r, "GET", path), ROUTE_FOUND);
	assert_int_equal(strlen(route_param(&r.params, "code")),
	    ROUTE_PATH_MAX - 1 - strlen("/api/v1/portal/") - 1);

	/* One byte more and it is refused outright. */
	strcpy(path + ROUTE_PATH_MAX - 2, "c/");
	assert_int_equal(strlen(path), ROUTE_PATH_MAX);
	assert_int_equal(match(&r, "GET", path), ROUTE_NOT_FOUND);
	assert_null(r.found);
}

static const struct route *
find_real(const char *method, const char *path)
{
	const struct route *found;
	struct route_params params;
	char buf[ROUTE_PATH_MAX], allow[64];

	if (router_match(routes, routes_count, method, path, &found, &params,
	    buf, allow, sizeof(allow)) != ROUTE_FOUND)
		return NULL;
	return found;
}

static void
test_real_table(void **state)
{
	const struct route *r;
	const struct route *found;
	struct route_params params;
	char buf[64], allow[64];

	(void)state;
	assert_true(routes_count >= 2);
	r = find_real("GET", "/api/v1/health");
	assert_non_null(r);
	assert_ptr_equal(r->handler, handle_health);
	r = find_real("GET", "/api/v1/openapi.json");
	assert_non_null(r);
	assert_ptr_equal(r->handler, handle_openapi);
	assert_int_equal(router_match(routes, routes_count, "POST",
	    "/api/v1/health", &found, &params, buf, allow, sizeof(allow)),
	    ROUTE_BAD_METHOD);
	assert_int_equal(router_match(routes, routes_count, "GET",
	    "/api/v1/nope", &found, &params, buf, allow, sizeof(allow)),
	    ROUTE_NOT_FOUND);

	/* Every entry is well formed: a method, an absolute pattern with
	 * balanced braces, a handler, and no method + pattern twice. */
	for (size_t i = 0; i < routes_count; i++) {
		const char *p = routes[i].pattern;
		int open = 0, params_n = 0;

		assert_non_null(routes[i].method);
		assert_non_null(routes[i].handler);
		assert_int_equal(p[0], '/');
		for (; *p; p++) {
			if (*p == '{') {
				assert_int_equal(open, 0);
				open = 1;
				params_n++;
			} else if (*p == '}') {
				assert_int_equal(open, 1);
				open = 0;
			}
		}
		assert_int_equal(open, 0);
		assert_true(params_n <= ROUTE_PARAMS__MAX);
		for (size_t k = 0; k < i; k++)
			if (strcmp(routes[k].method, routes[i].method) == 0 &&
			    strcmp(routes[k].pattern, routes[i].pattern) == 0)
				fail_msg("%s %s is listed twice", routes[i].method,
				    routes[i].pattern);
	}
}

/* Only the uploads take a binary body: the photo, the two document
 * uploads (a clinic's to a patient, a patient's own), and a provider's
 * callback. */
static void
test_binary_bodies(void **state)
{
	static const char *const uploads[][2] = {
		{ "PUT", "/api/v1/portal/{code}/profile/photo" },
		{ "POST", "/api/v1/clinic/patients/{id}/documents" },
		{ "POST", "/api/v1/portal/{code}/documents" },
	};
	size_t binary = 0;

	(void)state;
	for (size_t i = 0; i < routes_count; i++) {
		bool known = false;

		if (routes[i].body != BODY_BINARY)
			continue;
		binary++;
		/* A provider's callback: its exact bytes are what the
		 * provider signed (a JSON event or PayTR's form). */
		if (routes[i].side == SIDE_CALLBACK) {
			assert_string_equal(routes[i].method, "POST");
			assert_string_equal(routes[i].pattern,
			    "/api/v1/payments/callback/{provider}");
			continue;
		}
		for (size_t k = 0; k < sizeof(uploads) / sizeof(uploads[0]); k++)
			known |= strcmp(routes[i].method, uploads[k][0]) == 0 &&
			    strcmp(routes[i].pattern, uploads[k][1]) == 0;
		if (!known)
			fail_msg("%s %s takes a binary body", routes[i].method,
			    routes[i].pattern);
		assert_int_equal(routes[i].kind, ROUTE_WRITE);
	}
	assert_int_equal(binary, 4);
}

/* A route that calls out declares both later steps, and is a write: the
 * checkout at the payment provider and the owner's test checkout only. */
static void
test_two_phase(void **state)
{
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];

		if (r->call_out == NULL && r->record == NULL)
			continue;
		n++;
		assert_non_null(r->call_out);
		assert_non_null(r->record);
		assert_int_equal(r->kind, ROUTE_WRITE);
		assert_null(r->ahead);
		assert_true(strcmp(r->pattern, "/api/v1/portal/{code}/payments") ==
		    0 || strcmp(r->pattern,
		    "/api/v1/clinic/payment-infrastructure/test") == 0);
	}
	assert_int_equal(n, 2);
}

/* What each row declares fits its path: the side matches the prefix, a
 * permission only on the patient side, a role above staff only on the
 * clinic side, every change a write, no GET with a body. */
static void
test_declarations_fit(void **state)
{
	(void)state;
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];
		bool get = strcmp(r->method, "GET") == 0;

		if (!get && r->kind != ROUTE_WRITE)
			fail_msg("%s %s changes but is not a write", r->method,
			    r->pattern);
		if (get && r->body != BODY_NONE)
			fail_msg("GET %s takes a body", r->pattern);
		switch (r->side) {
		case SIDE_PATIENT:
			assert_int_equal(strncmp(r->pattern,
			    "/api/v1/portal/{code}/", 22), 0);
			break;
		case SIDE_PORTAL:
			assert_int_equal(strncmp(r->pattern,
			    "/api/v1/portal/{code}/", 22), 0);
			assert_int_equal(r->perm, ROUTE_NO_PERM);
			break;
		case SIDE_CLINIC:
			assert_int_equal(strncmp(r->pattern, "/api/v1/clinic/", 15),
			    0);
			assert_int_equal(r->perm, ROUTE_NO_PERM);
			break;
		case SIDE_PUBLIC:
		case SIDE_CALLBACK:
			assert_int_equal(r->perm, ROUTE_NO_PERM);
			break;
		}
		if (r->side != SIDE_CLINIC && (r->least != LEAST_STAFF ||
		    (r->flags & ROUTE_SESSION_ONLY)))
			fail_msg("%s %s: a role rule off the clinic side",
			    r->method, r->pattern);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_match),
		cmocka_unit_test(test_param_capture),
		cmocka_unit_test(test_trailing_slash),
		cmocka_unit_test(test_empty_segment_never_matches_param),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_bad_method_allow),
		cmocka_unit_test(test_bad_method_allow_truncated),
		cmocka_unit_test(test_first_pattern_wins),
		cmocka_unit_test(test_several_params),
		cmocka_unit_test(test_too_many_params),
		cmocka_unit_test(test_buffer_is_enough),
		cmocka_unit_test(test_over_long_path),
		cmocka_unit_test(test_real_table),
		cmocka_unit_test(test_binary_bodies),
		cmocka_unit_test(test_two_phase),
		cmocka_unit_test(test_declarations_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
