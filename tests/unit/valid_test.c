/*
 * valid_test.c - the one validation module (include/http/valid.h) and the
 * text rule under it (str_clean() in include/common/str.h): each reader,
 * the 1 MiB string of spaces in linear time, U+0000, control characters
 * and bidirectional overrides, the problem list answered at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "arena.h"
#include "http.h"
#include "json_util.h"
#include "str.h"
#include "valid.h"

static int
setup(void **state)
{
	struct request *req = calloc(1, sizeof(*req));

	if (req == NULL || (req->arena = arena_new(64 * 1024)) == NULL) {
		free(req);
		return -1;
	}
	req->method = "POST";
	req->path = "/api/v1/test";
	req->query = "";
	req->content_type = "application/json";
	*state = req;
	return 0;
}

static int
teardown(void **state)
{
	struct request *req = *state;

	arena_free(req->arena);
	free(req);
	return 0;
}

/* Parses body into req->json the way the worker does. */
static void
body(struct request *req, const char *text)
{
	const char *detail = NULL;

	memset(&req->resp, 0, sizeof(req->resp));
	req->problems = NULL;
	req->json = NULL;
	if (json_parse(req->arena, text, strlen(text), 32, &req->json,
	    &detail) != JSON_PARSE_OK)
		fail_msg("test body is not JSON: %s", detail);
}

/* The fields of the 422 answer, comma-separated, in order. */
static const char *
answered_fields(struct request *req)
{
	static char fields[1024];
	struct json_object *obj, *errors;
	const char *detail;

	fields[0] = '\0';
	assert_int_equal(req->resp.status, 422);
	assert_int_equal(json_parse(req->arena, req->resp.body,
	    req->resp.body_len, 8, &obj, &detail), JSON_PARSE_OK);
	assert_true(json_object_object_get_ex(obj, "errors", &errors));
	for (size_t i = 0; i < json_object_array_length(errors); i++) {
		struct json_object *e = json_object_array_get_idx(errors, i), *f;

		assert_true(json_object_object_get_ex(e, "field", &f));
		if (i > 0)
			strcat(fields, ",");
		strncat(fields, json_object_get_string(f),
		    sizeof(fields) - strlen(fields) - 2);
	}
	return fields;
}

static const char *const known[] = { "name", "note", "n", "flag", "id",
    "kind", "day", "at", "cost", "inner", "list", NULL };

static void
test_text_trims_and_counts_characters(void **state)
{
	struct request *req = *state;
	struct vobj o;
	const char *name = NULL;

	body(req, "{\"name\": \"  \\u00a0Çağrı Öztürk\\t \\u3000\"}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_text(&o, "name", V_LINE(12), 0, &name), V_SET);
	assert_string_equal(name, "Çağrı Öztürk");	/* 12 characters */
	assert_true(v_ok(req));

	body(req, "{\"name\": \"Çağrı Öztürkx\"}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_text(&o, "name", V_LINE(12), 0, &name), V_BAD);
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req), "name");
}

static void
test_text_blank_is_empty_or_null(void **state)
{
	struct request *req = *state;
	struct vobj o;
	const char *name = "unset";

	/* Four spaces are no name. */
	body(req, "{\"name\": \"    \"}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_text(&o, "name", V_LINE(100), V_REQUIRED, &name),
	    V_BAD);
	assert_false(v_ok(req));
	/* ... and, where a field may be cleared, they clear it. */
	body(req, "{\"name\": \"    \"}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_text(&o, "name", V_LINE(100), V_NULLABLE, &name),
	    V_NULL);
	assert_null(name);
	assert_true(v_ok(req));
}

static void
test_text_controls_and_line_feeds(void **state)
{
	struct request *req = *state;
	struct vobj o;
	const char *s = NULL;

	/* A line feed inside a single-line field, an ANSI escape, a tab. */
	body(req, "{\"name\": \"a\\nb\", \"note\": \"x\\u001b[31my\", "
	    "\"kind\": \"a\\tb\"}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_text(&o, "name", V_LINE(10), 0, &s), V_BAD);
	assert_int_equal(v_text(&o, "note", V_LINES(0, 10), 0, &s), V_BAD);
	assert_int_equal(v_text(&o, "kind", V_LINES(0, 10), 0, &s), V_BAD);
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req), "name,note,kind");

	/* Multi-line text keeps line feeds; CR LF becomes LF; DEL and C1
	 * controls are refused there too. */
	body(req, "{\"note\": \"line one\\r\\nline two\\n\", \"name\": \"a\\u007fb\", "
	    "\"kind\": \"a\\u0085b\"}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_text(&o, "note", V_LINES(0, 100), 0, &s), V_SET);
	assert_string_equal(s, "line one\nline two");
	assert_int_equal(v_text(&o, "name", V_LINES(0, 100), 0, &s), V_BAD);
	assert_int_equal(v_text(&o, "kind", V_LINES(0, 100), 0, &s), V_BAD);
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req), "name,kind");
}

static void
test_text_bidi_overrides(void **state)
{
	struct request *req = *state;
	struct vobj o;
	const char *s = NULL;
	/* U+202E (RIGHT-TO-LEFT OVERRIDE) and U+2066 (LRI) in a name. */
	static const char *const bad[] = {
	    "{\"name\": \"Ali\\u202egpj.exe\"}",
	    "{\"name\": \"Ali\\u2066x\\u2069\"}",
	    "{\"name\": \"Ali\\u202ax\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		body(req, bad[i]);
		assert_true(v_body(req, &o, known));
		assert_int_equal(v_text(&o, "name", V_LINE(50), 0, &s), V_BAD);
		assert_false(v_ok(req));
	}
	/* Multi-line text (a message in Arabic or Hebrew may need them) keeps
	 * them; right-to-left marks are no overrides. */
	body(req, "{\"note\": \"a\\u202eb\", \"name\": \"\\u05e9\\u200f\\u05dd\"}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_text(&o, "note", V_LINES(0, 50), 0, &s), V_SET);
	assert_int_equal(v_text(&o, "name", V_LINE(50), 0, &s), V_SET);
	assert_true(v_ok(req));
}

static void
test_nul_and_lone_surrogates_never_reach_a_reader(void **state)
{
	struct request *req = *state;
	struct json_object *out;
	const char *detail;
	static const char *const bad[] = {
	    "{\"name\": \"ok\\u0000xxx\"}",
	    "{\"name\": \"\\ud800\"}",
	    "{\"name\": \"\\udc00x\"}",
	    "{\"name\": \"\\ud800\\u0041\"}",
	    "{\"name\\u0000\": 1}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(json_parse(req->arena, bad[i], strlen(bad[i]),
		    8, &out, &detail), JSON_PARSE_TEXT);
	/* A surrogate pair is a character like any other. */
	{
		static const char pair[] = "{\"n\": \"\\ud83d\\ude00\"}";

		assert_int_equal(json_parse(req->arena, pair, strlen(pair), 8,
		    &out, &detail), JSON_PARSE_OK);
	}
}

/* Linear time: a mebibyte of spaces around one letter is trimmed in one
 * pass (the old trim moved the string once per leading space: seconds). */
static void
test_mebibyte_of_spaces_is_linear(void **state)
{
	struct request *req = *state;
	size_t n = 1024 * 1024;
	char *text = malloc(n + 64), *json;
	struct vobj o;
	const char *s;
	struct timespec t0, t1;
	double ms;

	assert_non_null(text);
	memset(text, ' ', n);
	strcpy(text + n, "x");
	json = malloc(n + 64);
	assert_non_null(json);
	snprintf(json, n + 64, "{\"name\": \"%s\"}", text);
	body(req, json);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_text(&o, "name", V_LINE(100), 0, &s), V_SET);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_string_equal(s, "x");
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* About 2 ms on these machines; the quadratic trim took 12 s. The
	 * bound is loose for the sanitizer build and a busy machine. */
	assert_true(ms < 500.0);
	/* str_trim (the config reader's) is linear too. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_string_equal(str_trim(text), "x");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(ms < 500.0);
	free(text);
	free(json);
}

/* A long text stops being counted once it passes the limit. */
static void
test_str_clean_stops_past_the_limit(void **state)
{
	size_t n = 1024 * 1024, out_len = 0, chars = 0;
	char *in = malloc(n + 1), *out = malloc(n + 1);

	(void)state;
	assert_non_null(in);
	assert_non_null(out);
	memset(in, 'a', n);
	in[n] = '\0';
	assert_int_equal(str_clean(in, n, false, 100, out, &out_len, &chars),
	    STR_CLEAN_TOO_LONG);
	assert_int_equal(str_clean("  a b  ", 7, false, 3, out, &out_len,
	    &chars), STR_CLEAN_OK);
	assert_string_equal(out, "a b");
	assert_int_equal(chars, 3);
	assert_int_equal(out_len, 3);
	/* Interior white space that is a control (tab, VT) is refused;
	 * leading and trailing, trimmed. */
	assert_int_equal(str_clean("\t a\tb", 5, false, 10, out, &out_len,
	    &chars), STR_CLEAN_CONTROL);
	assert_int_equal(str_clean("\t ab \v", 6, false, 10, out, &out_len,
	    &chars), STR_CLEAN_OK);
	assert_string_equal(out, "ab");
	free(in);
	free(out);
}

static void
test_unknown_fields_at_every_depth(void **state)
{
	struct request *req = *state;
	static const char *const inner_known[] = { "a", NULL };
	struct vobj o, inner, item;
	struct varr list;

	body(req, "{\"name\": \"x\", \"extra\": 1, \"inner\": {\"a\": 1, \"b\": 2},"
	    " \"list\": [{\"a\": 1}, {\"c\": 3}]}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_object(&o, "inner", inner_known, 0, &inner), V_SET);
	assert_int_equal(v_array(&o, "list", 10, 0, &list), V_SET);
	assert_int_equal(list.count, 2);
	assert_int_equal(v_item_object(&list, 0, inner_known, &item), V_SET);
	assert_int_equal(v_item_object(&list, 1, inner_known, &item), V_SET);
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req),
	    "extra,inner.b,list[1].c");
}

/* A form's answers: members named by themselves; numbers whole or not. */
static void
test_map_and_numbers(void **state)
{
	struct request *req = *state;
	static const char *const ids[] = { "q1", "q2", "q3", NULL };
	struct vobj o, answers;
	double d = 0;

	body(req, "{\"name\": \"x\", \"inner\": {\"q1\": 2.5, \"q2\": 7,"
	    " \"q3\": \"7\", \"q9\": 1}}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_map(&o, "inner", ids, 0, &answers), V_SET);
	assert_int_equal(v_number(&answers, "q1", 0, 10, 0, &d), V_SET);
	assert_true(d == 2.5);
	assert_int_equal(v_number(&answers, "q2", 0, 5, 0, &d), V_BAD);
	assert_int_equal(v_number(&answers, "q3", 0, 10, 0, &d), V_BAD);
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req), "q9,q2,q3");
}

static void
test_body_must_be_an_object(void **state)
{
	struct request *req = *state;
	struct vobj o;

	body(req, "[1, 2]");
	assert_false(v_body(req, &o, known));
	assert_int_equal(req->resp.status, 422);
	body(req, "null");
	assert_false(v_body(req, &o, known));
	assert_int_equal(req->resp.status, 422);
}

static void
test_integers_money_bools(void **state)
{
	struct request *req = *state;
	struct vobj o;
	int64_t n = 0;
	bool flag = false;

	body(req, "{\"n\": 5, \"cost\": 1999, \"flag\": true}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_int(&o, "n", 1, 10, 0, &n), V_SET);
	assert_int_equal(n, 5);
	assert_int_equal(v_money(&o, "cost", 100000, 0, &n), V_SET);
	assert_int_equal(n, 1999);
	assert_int_equal(v_bool(&o, "flag", 0, &flag), V_SET);
	assert_true(flag);
	assert_true(v_ok(req));

	/* Out of bounds, a fraction, a string, a negative amount, a number
	 * for a boolean, past int64. */
	body(req, "{\"n\": 11, \"kind\": 1.0, \"name\": \"3\", \"cost\": -1, "
	    "\"flag\": 1, \"day\": 99999999999999999999999}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_int(&o, "n", 1, 10, 0, &n), V_BAD);
	assert_int_equal(v_int(&o, "kind", 0, 10, 0, &n), V_BAD);
	assert_int_equal(v_int(&o, "name", 0, 10, 0, &n), V_BAD);
	assert_int_equal(v_money(&o, "cost", 100, 0, &n), V_BAD);
	assert_int_equal(v_bool(&o, "flag", 0, &flag), V_BAD);
	assert_int_equal(v_int(&o, "day", 0, INT64_MAX - 1, 0, &n), V_BAD);
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req), "n,kind,name,cost,flag,day");
}

static void
test_uuid_enum_date_time(void **state)
{
	struct request *req = *state;
	static const char *const kinds[] = { "a", "b", NULL };
	struct vobj o;
	const char *s = NULL;

	body(req, "{\"id\": \"0F8FAD5B-D9CB-469F-A165-70867728950E\", "
	    "\"kind\": \"b\", \"day\": \"2028-02-29\", "
	    "\"at\": \"2027-03-28T09:00:00+03:00\"}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_uuid(&o, "id", 0, &s), V_SET);
	assert_string_equal(s, "0f8fad5b-d9cb-469f-a165-70867728950e");
	assert_int_equal(v_enum(&o, "kind", kinds, 0, &s), V_SET);
	assert_string_equal(s, "b");
	assert_int_equal(v_date(&o, "day", 0, &s), V_SET);
	assert_int_equal(v_time(&o, "at", 0, &s), V_SET);
	assert_true(v_ok(req));

	body(req, "{\"id\": \"0f8fad5b-d9cb-469f-a165-70867728950\", "
	    "\"kind\": \"c\", \"day\": \"2027-02-29\", \"at\": \"2027-03-28 09:00\"}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_uuid(&o, "id", 0, &s), V_BAD);
	assert_int_equal(v_enum(&o, "kind", kinds, 0, &s), V_BAD);
	assert_int_equal(v_date(&o, "day", 0, &s), V_BAD);
	assert_int_equal(v_time(&o, "at", 0, &s), V_BAD);
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req), "id,kind,day,at");

	assert_true(v_time_valid("2027-10-31T02:30Z"));
	assert_true(v_time_valid("2027-10-31T02:30:15.123-05:00"));
	assert_false(v_time_valid("2027-10-31T24:00:00Z"));
	assert_false(v_time_valid("2027-10-31T10:00:00+0300"));
	assert_false(v_time_valid("2027-10-31T10:00:00"));
}

static void
test_required_and_nullable(void **state)
{
	struct request *req = *state;
	struct vobj o;
	const char *s = "unset";
	int64_t n = 7;

	body(req, "{\"id\": null, \"n\": null}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_text(&o, "name", V_LINE(5), V_REQUIRED, &s), V_BAD);
	assert_int_equal(v_uuid(&o, "id", V_NULLABLE, &s), V_NULL);
	assert_null(s);
	assert_int_equal(v_int(&o, "n", 0, 9, 0, &n), V_BAD);
	assert_int_equal(n, 7);
	assert_int_equal(v_bool(&o, "flag", 0, NULL), V_ABSENT);
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req), "name,n");
}

static void
test_arrays(void **state)
{
	struct request *req = *state;
	static const char *const kinds[] = { "a", "b", NULL };
	struct vobj o;
	struct varr arr;
	const char *s;

	body(req, "{\"list\": [\"a\", \"x\", 3]}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_array(&o, "list", 3, 0, &arr), V_SET);
	assert_int_equal(v_item_enum(&arr, 0, kinds, &s), V_SET);
	assert_int_equal(v_item_enum(&arr, 1, kinds, &s), V_BAD);
	assert_int_equal(v_item_text(&arr, 2, V_LINE(5), &s), V_BAD);
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req), "list[1],list[2]");

	body(req, "{\"list\": [1, 2, 3, 4]}");
	assert_true(v_body(req, &o, known));
	assert_int_equal(v_array(&o, "list", 3, 0, &arr), V_BAD);
	assert_false(v_ok(req));
}

static void
test_query_values(void **state)
{
	struct request *req = *state;
	static const char *const statuses[] = { "queued", "sent", NULL };
	const char *s = NULL, *why = NULL;
	int64_t n = 0;
	bool b = false;
	struct v_page page;

	req->problems = NULL;
	req->query = "q=%C3%87a%C4%9Fr%C4%B1+%C3%96&status=sent&n=3&b=true"
	    "&id=0F8FAD5B-D9CB-469F-A165-70867728950E&day=2027-01-31&empty=";
	assert_true(req_query_check(req, &why));
	assert_int_equal(q_text(req, "q", V_LINE(20), 0, &s), V_SET);
	assert_string_equal(s, "Çağrı Ö");
	assert_int_equal(q_enum(req, "status", statuses, 0, &s), V_SET);
	assert_int_equal(q_int(req, "n", 1, 5, 0, &n), V_SET);
	assert_int_equal(n, 3);
	assert_int_equal(q_bool(req, "b", 0, &b), V_SET);
	assert_true(b);
	assert_int_equal(q_uuid(req, "id", 0, &s), V_SET);
	assert_int_equal(q_date(req, "day", 0, &s), V_SET);
	assert_int_equal(q_enum(req, "empty", statuses, 0, &s), V_ABSENT);
	assert_int_equal(q_enum(req, "missing", statuses, V_REQUIRED, &s),
	    V_BAD);
	assert_int_equal(v_count(req), 1);

	/* A bad value is a problem, never a filter switched off. */
	req->problems = NULL;
	req->query = "patient_id=zzz&status=everything&n=9&limit=500&cursor=x";
	assert_true(req_query_check(req, &why));
	assert_int_equal(q_uuid(req, "patient_id", 0, &s), V_BAD);
	assert_int_equal(q_enum(req, "status", statuses, 0, &s), V_BAD);
	assert_int_equal(q_int(req, "n", 1, 5, 0, &n), V_BAD);
	q_page(req, NULL, &page);
	assert_int_equal(v_count(req), 5);
	memset(&req->resp, 0, sizeof(req->resp));
	assert_false(v_ok(req));
	assert_string_equal(answered_fields(req),
	    "patient_id,status,n,limit,cursor");
}

static void
test_query_check_refuses_nul_and_bad_bytes(void **state)
{
	struct request *req = *state;
	const char *why;
	static const char *const bad[] = {
	    "patient_id=%ff", "q=zzz%00qqq", "status=%C3", "%00=1", "q=50%",
	    "q=%zz", "a=1&b=%ed%a0%80",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req->query = bad[i];
		why = NULL;
		assert_false(req_query_check(req, &why));
		assert_non_null(why);
	}
	req->query = "q=a+b&x=%25&y=";
	assert_true(req_query_check(req, &why));
}

static void
test_page_defaults(void **state)
{
	struct request *req = *state;
	struct v_page page;

	req->problems = NULL;
	req->query = "";
	q_page(req, NULL, &page);
	assert_int_equal(page.limit, 50);
	assert_null(page.cursor);
	req->query = "limit=100&cursor=0f8fad5b-d9cb-469f-a165-70867728950e";
	q_page(req, NULL, &page);
	assert_int_equal(page.limit, 100);
	assert_string_equal(page.cursor, "0f8fad5b-d9cb-469f-a165-70867728950e");
	assert_int_equal(v_count(req), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_trims_and_counts_characters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_blank_is_empty_or_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_controls_and_line_feeds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_bidi_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_and_lone_surrogates_never_reach_a_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mebibyte_of_spaces_is_linear, setup, teardown),
		cmocka_unit_test(test_str_clean_stops_past_the_limit),
		cmocka_unit_test_setup_teardown(test_unknown_fields_at_every_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_must_be_an_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integers_money_bools, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uuid_enum_date_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required_and_nullable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arrays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_and_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_check_refuses_nul_and_bad_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_defaults, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
