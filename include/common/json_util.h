/*
 * json_util.h - parsing request bodies and building answers with json-c.
 */
#ifndef PORTAL_JSON_UTIL_H
#define PORTAL_JSON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct json_object;

enum json_parse_err {
	JSON_PARSE_OK = 0,
	JSON_PARSE_UTF8,	/* not valid UTF-8 */
	JSON_PARSE_DEPTH,	/* nested deeper than allowed */
	JSON_PARSE_SYNTAX,	/* not JSON, or trailing bytes */
	JSON_PARSE_TEXT,	/* a string escapes U+0000 or a lone surrogate */
	JSON_PARSE_NOMEM,
};

/*
 * Parses buf[0..len) as exactly one RFC 8259 value (no NaN, no leading
 * zeros, no raw control characters in strings, ...), whose strings escape
 * neither U+0000 nor a lone surrogate (JSON_PARSE_TEXT), whose arrays and
 * objects nest at most max_depth deep ({"a":1} is depth 1; max_depth >= 1).
 * On success *out is a new reference registered with the arena (the caller
 * must not put it), or NULL for a top-level `null`. On failure *out is NULL
 * and detail (if not NULL) says what and where, e.g. "(at byte 12)".
 */
enum json_parse_err json_parse(struct arena *a, const char *buf, size_t len,
    int max_depth, struct json_object **out, const char **detail);

/* Registers obj (may be NULL) so that the arena puts it. Returns obj. */
struct json_object *json_arena_own(struct arena *a, struct json_object *obj);

/* Serializes obj without extra spaces into the arena; NULL on failure. */
const char *json_to_arena(struct arena *a, struct json_object *obj,
    size_t *len);

/* Adds key to obj; value may be NULL for JSON null. On failure puts value.
 * Returns 0 or -1. */
int json_add(struct json_object *obj, const char *key,
    struct json_object *value);
int json_add_string(struct json_object *obj, const char *key, const char *s);
int json_add_int(struct json_object *obj, const char *key, int64_t v);
int json_add_bool(struct json_object *obj, const char *key, bool v);

#endif
