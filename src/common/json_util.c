/*
 * json_util.c - strict, bounded JSON parsing and small building helpers
 * (see json_util.h).
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "json_util.h"
#include "str.h"

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
	size_t used;

	*out = NULL;
	if (detail != NULL)
		*detail = NULL;
	if (!str_utf8_valid(buf, len)) {
		if (detail != NULL)
			*detail = "The body is not valid UTF-8.";
		return JSON_PARSE_UTF8;
	}
	if (len > INT32_MAX)
		return JSON_PARSE_SYNTAX;
	tok = json_tokener_new_ex(max_depth);
	if (tok == NULL)
		return JSON_PARSE_NOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	/* A complete value needs no more input; "continue" means truncated. */
	if (jerr == json_tokener_continue) {
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		used = len;
	}
	json_tokener_free(tok);
	if (jerr == json_tokener_error_depth) {
		json_object_put(obj);
		if (detail != NULL)
			*detail = "The body is nested too deeply.";
		return JSON_PARSE_DEPTH;
	}
	if (jerr != json_tokener_success || obj == NULL) {
		json_object_put(obj);
		if (detail != NULL)
			*detail = arena_printf(a, "The body is not valid JSON "
			    "(%s near byte %zu).", json_tokener_error_desc(jerr),
			    used);
		return JSON_PARSE_SYNTAX;
	}
	/* Only white space may follow the value. */
	for (size_t i = used; i < len; i++) {
		if (strchr(" \t\r\n", buf[i]) == NULL) {
			json_object_put(obj);
			if (detail != NULL)
				*detail = arena_printf(a, "The body has bytes "
				    "after its JSON value (at byte %zu).", i);
			return JSON_PARSE_SYNTAX;
		}
	}
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
