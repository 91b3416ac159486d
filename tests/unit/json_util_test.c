/* json_util_test.c - unit tests of JSON parsing and helpers (json_util.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "json_util.h"

static int
setup_arena(void **state)
{
	*state = arena_new(4096);
	return *state == NULL ? -1 : 0;
}

static int
teardown_arena(void **state)
{
	arena_free(*state);
	return 0;
}

static const char *const err_names[] = {
	[JSON_PARSE_OK] = "OK", [JSON_PARSE_UTF8] = "UTF8",
	[JSON_PARSE_DEPTH] = "DEPTH", [JSON_PARSE_SYNTAX] = "SYNTAX",
	[JSON_PARSE_NOMEM] = "NOMEM",
};

/* Parses buf[0..len) and checks the outcome; returns the object. */
static struct json_object *
parse_n(struct arena *a, const char *buf, size_t len, int max_depth,
    enum json_parse_err want)
{
	struct json_object *obj = (struct json_object *)&obj;	/* not NULL */
	const char *detail = "unset";
	enum json_parse_err got;

	got = json_parse(a, buf, len, max_depth, &obj, &detail);
	if (got != want)
		fail_msg("parsing \"%.*s\" at depth %d: %s, want %s (%s)",
		    (int)len, buf, max_depth, err_names[got], err_names[want],
		    detail != NULL ? detail : "no detail");
	if (want == JSON_PARSE_OK) {
		assert_non_null(obj);
	} else {
		/* Failure: no object, and a reason for the client. */
		assert_null(obj);
		assert_non_null(detail);
		assert_true(strlen(detail) > 0);
	}
	return obj;
}

static struct json_object *
parse(struct arena *a, const char *s, int max_depth, enum json_parse_err want)
{
	return parse_n(a, s, strlen(s), max_depth, want);
}

static void
test_parse_object(void **state)
{
	struct arena *a = *state;
	struct json_object *obj, *v;
	const char *detail = "unset";

	obj = parse(a, "{\"name\":\"Ay\xc5\x9f" "e\",\"age\":42,\"tags\":[1,2]}", 8,
	    JSON_PARSE_OK);
	assert_true(json_object_is_type(obj, json_type_object));
	assert_true(json_object_object_get_ex(obj, "name", &v));
	assert_string_equal(json_object_get_string(v), "Ay\xc5\x9f" "e");
	assert_true(json_object_object_get_ex(obj, "age", &v));
	assert_int_equal(json_object_get_int64(v), 42);
	assert_true(json_object_object_get_ex(obj, "tags", &v));
	assert_int_equal(json_object_array_length(v), 2);

	/* detail is cleared on success, and may be NULL. */
	assert_int_equal(json_parse(a, " { } ", 5, 8, &obj, &detail),
	    JSON_PARSE_OK);
	assert_null(detail);
	assert_int_equal(json_parse(a, "[]", 2, 8, &obj, NULL), JSON_PARSE_OK);
	assert_int_equal(json_parse(a, "[", 1, 8, &obj, NULL), JSON_PARSE_SYNTAX);
	assert_null(obj);
}

static void
test_parse_owned_by_arena(void **state)
{
	struct arena *a = arena_new(1024);
	struct json_object *obj;

	(void)state;
	assert_non_null(a);
	obj = parse(a, "{\"a\":[1,2,{\"b\":\"c\"}]}", 8, JSON_PARSE_OK);
	/* Hold a reference of our own: after the reset ours must be the only
	 * one left, so this put frees the object (returns 1). */
	json_object_get(obj);
	arena_reset(a);
	assert_int_equal(json_object_put(obj), 1);

	/* Parsed and never put by the caller: arena_free() releases it (a leak
	 * here shows up in the sanitizer build). */
	parse(a, "{\"x\":\"leak?\"}", 8, JSON_PARSE_OK);
	parse(a, "[1,2,3]", 8, JSON_PARSE_OK);
	arena_free(a);
}

static void
test_parse_invalid_utf8(void **state)
{
	struct arena *a = *state;

	parse(a, "\"\xff\"", 8, JSON_PARSE_UTF8);
	parse(a, "\"\xc0\xaf\"", 8, JSON_PARSE_UTF8);		/* overlong '/' */
	parse(a, "\"\xed\xa0\x80\"", 8, JSON_PARSE_UTF8);	/* surrogate */
	parse(a, "\"\xf4\x90\x80\x80\"", 8, JSON_PARSE_UTF8);	/* > U+10FFFF */
	parse(a, "{\"k\":\"ab\xc3\"}", 8, JSON_PARSE_UTF8);	/* truncated */
	parse(a, "{\"\x80\":1}", 8, JSON_PARSE_UTF8);		/* in a key */
	parse_n(a, "{\"a\":\"\0\"}", 9, 8, JSON_PARSE_UTF8);	/* raw NUL */
	/* Checked before the syntax: broken JSON with bad bytes is UTF8. */
	parse(a, "{\xff", 8, JSON_PARSE_UTF8);
	/* Well-formed multibyte text is fine. */
	parse(a, "\"\xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"", 8,
	    JSON_PARSE_OK);
}

static void
test_parse_depth_boundary(void **state)
{
	struct arena *a = *state;

	/*
	 * Depth counts nested arrays and objects, not scalars: {"a":1} is
	 * depth 1. With max_depth 4, four containers pass whatever they hold
	 * and a fifth is refused.
	 */
	parse(a, "1", 4, JSON_PARSE_OK);
	parse(a, "[[1]]", 4, JSON_PARSE_OK);				/* 2 */
	parse(a, "[[[1]]]", 4, JSON_PARSE_OK);				/* 3 */
	parse(a, "[[[[1]]]]", 4, JSON_PARSE_OK);			/* 4 */
	parse(a, "[[[[]]]]", 4, JSON_PARSE_OK);				/* 4 */
	parse(a, "{\"a\":{\"b\":{\"c\":{\"d\":1}}}}", 4, JSON_PARSE_OK);
	parse(a, "{\"a\":[{\"c\":[1]}]}", 4, JSON_PARSE_OK);		/* 4 */
	parse(a, "[[[[[1]]]]]", 4, JSON_PARSE_DEPTH);			/* 5 */
	parse(a, "[[[[[]]]]]", 4, JSON_PARSE_DEPTH);			/* 5 */
	parse(a, "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", 4, JSON_PARSE_DEPTH);
	parse(a, "{\"a\":[{\"c\":[[1]]}]}", 4, JSON_PARSE_DEPTH);	/* 5 */
	/* Depth, not size: a wide value at the limit passes. */
	parse(a, "[[[1,2,3],[4]],[[5]],[]]", 4, JSON_PARSE_OK);
	/* Too deep even when the body is cut short. */
	parse(a, "[[[[[", 4, JSON_PARSE_DEPTH);

	/* The smallest depth the configuration allows. */
	parse(a, "{\"a\":1}", 2, JSON_PARSE_OK);
	parse(a, "[[]]", 2, JSON_PARSE_OK);
	parse(a, "{\"a\":[1]}", 2, JSON_PARSE_OK);
	parse(a, "[[[1]]]", 2, JSON_PARSE_DEPTH);
	parse(a, "{\"a\":{\"b\":{}}}", 2, JSON_PARSE_DEPTH);
}

/* A top-level null is valid JSON: accepted, and no object comes back. */
static void
test_parse_top_level_null(void **state)
{
	struct arena *a = *state;
	struct json_object *obj = (struct json_object *)&obj;
	const char *detail = "unset";

	assert_int_equal(json_parse(a, " null ", 6, 4, &obj, &detail),
	    JSON_PARSE_OK);
	assert_null(obj);
	assert_null(detail);
	parse(a, "nul", 4, JSON_PARSE_SYNTAX);
	parse(a, "nulll", 4, JSON_PARSE_SYNTAX);
}

static void
test_parse_syntax_errors(void **state)
{
	static const char *const bad[] = {
		"", " ", "\n", "{", "}", "[", "[1,]", "{\"a\":1,}", "{\"a\" 1}",
		"{a:1}", "'a'", "['a']", "{\"a\":'b'}", "+1", "0x10", "-NaN",
		"\"abc", "tru", "TRUE", "nul", "01", ".5", "-", "1e", "[1]]",
		"{\"a\":1}}", "/* c */ {}", "{} // c",
		"\"\\x41\"", "\xef\xbb\xbf{}", "{\"a\":", "{\"a\"", "[1", "1 2",
		"{} x", "{}x", "{}{}", "[] []", "123x", "true false",
	};
	struct arena *a = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse(a, bad[i], 8, JSON_PARSE_SYNTAX);
}

static void
test_parse_trailing_bytes(void **state)
{
	struct arena *a = *state;
	struct json_object *obj;
	const char *detail = NULL;

	assert_int_equal(json_parse(a, "{} x", 4, 8, &obj, &detail),
	    JSON_PARSE_SYNTAX);
	assert_null(obj);
	assert_non_null(detail);
	/* The detail points at the offending byte. */
	assert_non_null(strstr(detail, "3"));

	/* White space after the value is fine. */
	parse(a, "{} ", 8, JSON_PARSE_OK);
	parse(a, "{}\r\n", 8, JSON_PARSE_OK);
	parse(a, "[1, 2] \t \n\n", 8, JSON_PARSE_OK);
	parse(a, " \n{\"a\" : 1 }\n", 8, JSON_PARSE_OK);
	parse(a, "123 ", 8, JSON_PARSE_OK);
	/* Only len bytes count: what follows them is not looked at. */
	parse_n(a, "{}x", 2, 8, JSON_PARSE_OK);
	parse_n(a, "[1]\xff", 3, 8, JSON_PARSE_OK);
	parse_n(a, "{\"a\":1}", 6, 8, JSON_PARSE_SYNTAX);
}

static void
test_parse_truncated(void **state)
{
	static const char *const cut[] = {
		"{\"a\":", "{\"a\":1", "{\"a\":1,", "{\"a\":\"b", "[1,2",
		"[\"x\",", "\"abc", "{\"a\":[", "{\"a\":t", "-", "1.5e",
	};
	struct arena *a = *state;

	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
		parse(a, cut[i], 8, JSON_PARSE_SYNTAX);
}

static void
test_parse_bare_scalars(void **state)
{
	struct arena *a = *state;
	struct json_object *obj;

	obj = parse(a, "123", 8, JSON_PARSE_OK);
	assert_true(json_object_is_type(obj, json_type_int));
	assert_int_equal(json_object_get_int64(obj), 123);
	obj = parse(a, "-7", 8, JSON_PARSE_OK);
	assert_int_equal(json_object_get_int64(obj), -7);
	obj = parse(a, "0", 8, JSON_PARSE_OK);
	assert_int_equal(json_object_get_int64(obj), 0);
	obj = parse(a, "true", 8, JSON_PARSE_OK);
	assert_true(json_object_is_type(obj, json_type_boolean));
	assert_true(json_object_get_boolean(obj));
	obj = parse(a, "false", 8, JSON_PARSE_OK);
	assert_false(json_object_get_boolean(obj));
	obj = parse(a, "\"text\"", 8, JSON_PARSE_OK);
	assert_string_equal(json_object_get_string(obj), "text");
	obj = parse(a, "-1.5e3", 8, JSON_PARSE_OK);
	assert_true(json_object_is_type(obj, json_type_double));
	assert_true(json_object_get_double(obj) == -1500.0);
	obj = parse(a, " 0.25 ", 8, JSON_PARSE_OK);
	assert_true(json_object_get_double(obj) == 0.25);
}

/* s with control bytes shown as \xNN, for messages. */
static const char *
printable(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s != '\0' && n + 5 < size; s++) {
		if ((unsigned char)*s < 0x20)
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x",
			    (unsigned char)*s);
		else
			buf[n++] = *s;
	}
	buf[n] = '\0';
	return buf;
}

/* Expects every string of list to be refused as SYNTAX; names all those
 * that are not, then fails. */
static void
assert_all_refused(struct arena *a, const char *const *list, size_t n)
{
	int wrong = 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *obj;
		enum json_parse_err got;
		char shown[128];

		got = json_parse(a, list[i], strlen(list[i]), 8, &obj, NULL);
		if (got != JSON_PARSE_SYNTAX) {
			print_error("%s: %s, want SYNTAX\n",
			    printable(list[i], shown, sizeof(shown)),
			    err_names[got]);
			wrong++;
		}
	}
	if (wrong > 0)
		fail_msg("%d of %zu non-JSON bodies were not refused", wrong, n);
}

/*
 * Extensions json-c accepts even with JSON_TOKENER_STRICT, none of which
 * is JSON (RFC 8259): NaN and infinities (NaN passes every range check a
 * handler makes), a point without digits, leading zeros, single-quoted
 * names.
 */
static void
test_parse_refuses_json_c_extensions(void **state)
{
	static const char *const bad[] = {
		"NaN", "Infinity", "-Infinity", "[NaN]", "{\"age\":NaN}",
		"{\"n\":-Infinity}", "1.", "-1.", "[1.]", "1.e5", "00", "-01",
		"[007]", "{'a':1}",
	};

	assert_all_refused(*state, bad, sizeof(bad) / sizeof(bad[0]));
}

/* RFC 8259 section 7: control characters in strings must be escaped. */
static void
test_parse_refuses_raw_control_chars(void **state)
{
	static const char *const bad[] = {
		"\"a\tb\"", "{\"note\":\"line1\nline2\"}", "[\"\x01\"]",
		"{\"a\x1f\":1}", "\"\r\"",
	};

	assert_all_refused(*state, bad, sizeof(bad) / sizeof(bad[0]));
	/* Escaped, they are fine; DEL (0x7f) needs no escape. */
	parse(*state, "{\"note\":\"line1\\nline2\\t\\u0001\"}", 8,
	    JSON_PARSE_OK);
	parse(*state, "\"\x7f\"", 8, JSON_PARSE_OK);
}

static void
test_to_arena(void **state)
{
	struct arena *a = *state;
	struct json_object *obj, *arr;
	const char *s;
	size_t len = 0;

	obj = json_arena_own(a, json_object_new_object());
	assert_non_null(obj);
	assert_int_equal(json_add_int(obj, "a", 1), 0);
	assert_int_equal(json_add_string(obj, "b", "x/y \"q\""), 0);
	arr = json_object_new_array();
	assert_non_null(arr);
	json_object_array_add(arr, json_object_new_boolean(1));
	json_object_array_add(arr, NULL);
	assert_int_equal(json_add(obj, "c", arr), 0);
	assert_int_equal(json_add_string(obj, "d", "\xc3\xa9"), 0);

	s = json_to_arena(a, obj, &len);
	assert_non_null(s);
	/* No spaces, '/' not escaped. */
	assert_string_equal(s,
	    "{\"a\":1,\"b\":\"x/y \\\"q\\\"\",\"c\":[true,null],\"d\":\"\xc3\xa9\"}");
	assert_int_equal(len, strlen(s));
	/* The copy lives in the arena, not in json-c's buffer. */
	assert_ptr_not_equal(s, json_object_to_json_string(obj));

	/* len may be NULL; other value types. */
	arr = json_arena_own(a, json_object_new_array());
	assert_string_equal(json_to_arena(a, arr, NULL), "[]");
	s = json_to_arena(a, parse(a, "[ 1 , \"a\" ]", 8, JSON_PARSE_OK), &len);
	assert_string_equal(s, "[1,\"a\"]");
	assert_int_equal(len, 7);
}

static void
test_add_helpers(void **state)
{
	struct arena *a = *state;
	struct json_object *obj, *v;
	const char *s;

	obj = json_arena_own(a, json_object_new_object());
	assert_non_null(obj);
	assert_int_equal(json_add_string(obj, "s", "text"), 0);
	assert_int_equal(json_add_string(obj, "nul", NULL), 0);
	assert_int_equal(json_add_int(obj, "max", INT64_MAX), 0);
	assert_int_equal(json_add_int(obj, "min", INT64_MIN), 0);
	assert_int_equal(json_add_bool(obj, "t", true), 0);
	assert_int_equal(json_add_bool(obj, "f", false), 0);
	assert_int_equal(json_add(obj, "none", NULL), 0);

	assert_true(json_object_object_get_ex(obj, "nul", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(obj, "max", &v));
	assert_true(json_object_get_int64(v) == INT64_MAX);
	assert_true(json_object_object_get_ex(obj, "f", &v));
	assert_true(json_object_is_type(v, json_type_boolean));
	s = json_to_arena(a, obj, NULL);
	assert_string_equal(s, "{\"s\":\"text\",\"nul\":null,"
	    "\"max\":9223372036854775807,\"min\":-9223372036854775808,"
	    "\"t\":true,\"f\":false,\"none\":null}");

	/* Adding a key again replaces its value (and frees the old one). */
	assert_int_equal(json_add_int(obj, "s", 5), 0);
	s = json_to_arena(a, obj, NULL);
	assert_non_null(strstr(s, "\"s\":5"));
	assert_null(strstr(s, "text"));
	assert_int_equal(json_object_object_length(obj), 7);

	/* Nothing to own: NULL in, NULL out. */
	assert_null(json_arena_own(a, NULL));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_arena, teardown_arena)
	const struct CMUnitTest tests[] = {
		T(test_parse_object),
		cmocka_unit_test(test_parse_owned_by_arena),
		T(test_parse_invalid_utf8),
		T(test_parse_depth_boundary),
		T(test_parse_top_level_null),
		T(test_parse_syntax_errors),
		T(test_parse_trailing_bytes),
		T(test_parse_truncated),
		T(test_parse_bare_scalars),
		T(test_parse_refuses_json_c_extensions),
		T(test_parse_refuses_raw_control_chars),
		T(test_to_arena),
		T(test_add_helpers),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
