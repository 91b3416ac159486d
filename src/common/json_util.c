/*
 * json_util.c - strict, bounded JSON parsing and small building helpers
 * (see json_util.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "json_util.h"
#include "str.h"

/*
 * RFC 8259 grammar check. json-c, even in strict mode, takes NaN,
 * Infinity, "1.", leading zeros, single quotes and raw control characters
 * in strings; this scanner refuses all of them before json-c sees the text.
 * Depth counts nested arrays and objects: {"a":1} is depth 1.
 */
struct scan {
	const unsigned char *s;
	size_t len, pos;
	int depth, max_depth;
	enum json_parse_err err;
};

static void
skip_ws(struct scan *sc)
{
	while (sc->pos < sc->len && strchr(" \t\r\n", sc->s[sc->pos]) != NULL &&
	    sc->s[sc->pos] != '\0')
		sc->pos++;
}

static bool
scan_fail(struct scan *sc)
{
	if (sc->err == JSON_PARSE_OK)
		sc->err = JSON_PARSE_SYNTAX;
	return false;
}

static bool
scan_digits(struct scan *sc)
{
	size_t start = sc->pos;

	while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
		sc->pos++;
	return sc->pos > start;
}

static bool
scan_number(struct scan *sc)
{
	if (sc->s[sc->pos] == '-')
		sc->pos++;
	if (sc->pos < sc->len && sc->s[sc->pos] == '0')
		sc->pos++;
	else if (!scan_digits(sc))
		return scan_fail(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
		sc->pos++;
		if (!scan_digits(sc))
			return scan_fail(sc);
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
		sc->pos++;
		if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
			sc->pos++;
		if (!scan_digits(sc))
			return scan_fail(sc);
	}
	return true;
}

/* The value of four hex digits at pos (pos moves past them), or -1. */
static long
scan_hex4(struct scan *sc)
{
	long v = 0;

	for (int i = 0; i < 4; i++, sc->pos++) {
		unsigned char c;

		if (sc->pos >= sc->len || !isxdigit(sc->s[sc->pos]))
			return -1;
		c = sc->s[sc->pos];
		v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* A string escape that is valid JSON but no text we take. */
static bool
scan_text_fail(struct scan *sc)
{
	sc->err = JSON_PARSE_TEXT;
	return false;
}

static bool
scan_string(struct scan *sc)
{
	sc->pos++;	/* the opening quote */
	while (sc->pos < sc->len) {
		unsigned char c = sc->s[sc->pos++];

		if (c == '"')
			return true;
		if (c < 0x20)
			return scan_fail(sc);
		if (c != '\\')
			continue;
		if (sc->pos >= sc->len)
			break;
		c = sc->s[sc->pos++];
		if (c == 'u') {
			long cp = scan_hex4(sc);

			if (cp < 0)
				return scan_fail(sc);
			/* U+0000 would cut the string short in C, and a lone
			 * surrogate is no character at all: neither reaches a
			 * handler. */
			if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
				return scan_text_fail(sc);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				long low;

				if (sc->len - sc->pos < 2 || sc->s[sc->pos] != '\\' ||
				    sc->s[sc->pos + 1] != 'u')
					return scan_text_fail(sc);
				sc->pos += 2;
				low = scan_hex4(sc);
				if (low < 0xdc00 || low > 0xdfff)
					return scan_text_fail(sc);
			}
		} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
			return scan_fail(sc);
		}
	}
	return scan_fail(sc);
}

static bool
scan_literal(struct scan *sc, const char *word)
{
	size_t n = strlen(word);

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
		return scan_fail(sc);
	sc->pos += n;
	return true;
}

static bool scan_value(struct scan *sc);

/* An array or object; `close` is ']' or '}'. */
static bool
scan_container(struct scan *sc, unsigned char close)
{
	if (++sc->depth > sc->max_depth) {
		sc->err = JSON_PARSE_DEPTH;
		return false;
	}
	sc->pos++;
	skip_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == close) {
		sc->pos++;
		sc->depth--;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (sc->pos >= sc->len || sc->s[sc->pos] != '"' ||
			    !scan_string(sc))
				return scan_fail(sc);
			skip_ws(sc);
			if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
				return scan_fail(sc);
			sc->pos++;
		}
		if (!scan_value(sc))
			return false;
		skip_ws(sc);
		if (sc->pos >= sc->len)
			return scan_fail(sc);
		if (sc->s[sc->pos] == close) {
			sc->pos++;
			sc->depth--;
			return true;
		}
		if (sc->s[sc->pos] != ',')
			return scan_fail(sc);
		sc->pos++;
		skip_ws(sc);
	}
}

static bool
scan_value(struct scan *sc)
{
	skip_ws(sc);
	if (sc->pos >= sc->len)
		return scan_fail(sc);
	switch (sc->s[sc->pos]) {
	case '{':
		return scan_container(sc, '}');
	case '[':
		return scan_container(sc, ']');
	case '"':
		return scan_string(sc);
	case 't':
		return scan_literal(sc, "true");
	case 'f':
		return scan_literal(sc, "false");
	case 'n':
		return scan_literal(sc, "null");
	default:
		if (sc->s[sc->pos] == '-' ||
		    (sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9'))
			return scan_number(sc);
		return scan_fail(sc);
	}
}

/* JSON_PARSE_OK when buf is exactly one RFC 8259 value (with white space
 * around it) nested at most max_depth deep; *where gets the failing byte. */
static enum json_parse_err
json_check(const char *buf, size_t len, int max_depth, size_t *where)
{
	struct scan sc = { (const unsigned char *)buf, len, 0, 0, max_depth,
	    JSON_PARSE_OK };

	if (scan_value(&sc)) {
		skip_ws(&sc);
		if (sc.pos != len)
			scan_fail(&sc);
	}
	*where = sc.pos;
	return sc.err;
}

static void
put_json(void *obj)
{
	json_object_put(obj);
}

struct json_object *
json_arena_own(struct arena *a, struct json_object *obj)
{
	if (obj == NULL)
		return NULL;
	if (arena_cleanup_add(a, put_json, obj) != 0)
		return NULL;	/* already put by arena_cleanup_add() */
	return obj;
}

enum json_parse_err
json_parse(struct arena *a, const char *buf, size_t len, int max_depth,
    struct json_object **out, const char **detail)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	enum json_parse_err check;
	size_t where;

	*out = NULL;
	if (detail != NULL)
		*detail = NULL;
	if (!str_utf8_valid(buf, len)) {
		if (detail != NULL)
			*detail = "The body is not valid UTF-8.";
		return JSON_PARSE_UTF8;
	}
	if (len > INT32_MAX || max_depth < 1)
		return JSON_PARSE_SYNTAX;
	check = json_check(buf, len, max_depth, &where);
	if (check == JSON_PARSE_DEPTH) {
		if (detail != NULL)
			*detail = arena_printf(a, "The body is nested more than "
			    "%d levels deep.", max_depth);
		return check;
	}
	if (check == JSON_PARSE_TEXT) {
		if (detail != NULL)
			*detail = arena_printf(a, "The body holds \\u0000 or a lone "
			    "surrogate, which no text may hold (at byte %zu).", where);
		return check;
	}
	if (check != JSON_PARSE_OK) {
		if (detail != NULL)
			*detail = arena_printf(a, "The body is not valid JSON "
			    "(at byte %zu).", where);
		return check;
	}
	/* The text is valid JSON: json-c builds the tree. Its depth counts
	 * scalars too, hence the margin. */
	tok = json_tokener_new_ex(max_depth + 2);
	if (tok == NULL)
		return JSON_PARSE_NOMEM;
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	/* A bare number at the very end needs to be told the input is over. */
	if (jerr == json_tokener_continue) {
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		if (detail != NULL)
			*detail = "The body is not valid JSON.";
		return JSON_PARSE_SYNTAX;
	}
	/* A top-level null is valid JSON and leaves *out NULL. */
	if (obj == NULL)
		return JSON_PARSE_OK;
	*out = json_arena_own(a, obj);
	return *out == NULL ? JSON_PARSE_NOMEM : JSON_PARSE_OK;
}

const char *
json_to_arena(struct arena *a, struct json_object *obj, size_t *len)
{
	size_t n = 0;
	const char *s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

	if (s == NULL)
		return NULL;
	if (len != NULL)
		*len = n;
	return arena_strndup(a, s, n);
}

int
json_add(struct json_object *obj, const char *key, struct json_object *value)
{
	if (json_object_object_add(obj, key, value) != 0) {
		json_object_put(value);
		return -1;
	}
	return 0;
}

int
json_add_string(struct json_object *obj, const char *key, const char *s)
{
	struct json_object *v = NULL;

	if (s != NULL && (v = json_object_new_string(s)) == NULL)
		return -1;
	return json_add(obj, key, v);
}

int
json_add_int(struct json_object *obj, const char *key, int64_t n)
{
	struct json_object *v = json_object_new_int64(n);

	return v == NULL ? -1 : json_add(obj, key, v);
}

int
json_add_bool(struct json_object *obj, const char *key, bool b)
{
	struct json_object *v = json_object_new_boolean(b);

	return v == NULL ? -1 : json_add(obj, key, v);
}
