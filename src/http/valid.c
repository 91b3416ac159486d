/*
 * valid.c - the one validation module (see valid.h): JSON members and
 * query values into typed values, with {field, message} problems kept in
 * the request and answered together by v_ok().
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "arena.h"
#include "contacts.h"
#include "http.h"
#include "phone.h"
#include "problem.h"
#include "str.h"
#include "valid.h"

/* Enum lists in messages are cut here; no enum of ours is that long. */
#define ENUM_LIST_MAX 400

static struct problem_list *
problems(struct request *req)
{
	if (req->problems == NULL)
		req->problems = problem_list_new(req);
	return req->problems;
}

/* Notes a problem on field, with one more member name: value when name
 * is not NULL. */
static void
note(struct request *req, const char *field, const char *message,
    const char *name, const char *value)
{
	struct problem_list *pl = problems(req);

	/* Out of memory: v_ok() still refuses (503), since a problem was
	 * found even though it could not be noted. */
	if (pl != NULL)
		problem_list_add_ex(pl, field, message, name, value);
	if (pl == NULL || problem_list_count(pl) == 0)
		req->problems_lost = true;
}

void
v_problem_field(struct request *req, const char *field, const char *message)
{
	note(req, field, message, NULL, NULL);
}

static const char *
field_name(struct request *req, const char *prefix, const char *key)
{
	if (prefix == NULL || *prefix == '\0')
		return key;
	return arena_printf(req->arena, "%s%s", prefix, key);
}

void
v_problem(struct vobj *o, const char *key, const char *message)
{
	v_problem_field(o->req, field_name(o->req, o->prefix, key), message);
}

void
v_forget(struct request *req)
{
	req->problems = NULL;	/* the list lives in the request's arena */
	req->problems_lost = false;
}

size_t
v_count(const struct request *req)
{
	if (req->problems_lost)
		return 1;
	return req->problems == NULL ? 0 : problem_list_count(req->problems);
}

bool
v_ok(struct request *req)
{
	if (v_count(req) == 0)
		return true;
	if (req->problems_lost || req->problems == NULL)
		problem_send(req, "unavailable", "The server is short of memory; "
		    "try again.");
	else
		problem_list_send(req, req->problems, NULL);
	return false;
}

/* A problem for every member of obj not in known. */
static void
unknown_members(struct request *req, struct json_object *obj,
    const char *prefix, const char *const *known)
{
	json_object_object_foreach(obj, key, val) {
		bool ok = false;

		(void)val;
		for (size_t i = 0; known[i] != NULL && !ok; i++)
			ok = strcmp(key, known[i]) == 0;
		if (!ok)
			v_problem_field(req, field_name(req, prefix, key),
			    "Unknown field.");
	}
}

bool
v_body(struct request *req, struct vobj *o, const char *const *known)
{
	o->req = req;
	o->obj = req->json;
	o->prefix = "";
	if (req->json == NULL || !json_object_is_type(req->json,
	    json_type_object)) {
		v_problem_field(req, "", "The body must be a JSON object.");
		return v_ok(req);
	}
	unknown_members(req, req->json, "", known);
	return true;
}

/*
 * The member: V_ABSENT (a problem with V_REQUIRED), V_NULL for null (a
 * problem without V_NULLABLE), or V_SET with *v.
 */
static enum v_got
member(struct vobj *o, const char *key, unsigned flags,
    struct json_object **v)
{
	if (o->obj == NULL || !json_object_object_get_ex(o->obj, key, v)) {
		if (flags & V_REQUIRED) {
			v_problem(o, key, "Required.");
			return V_BAD;
		}
		return V_ABSENT;
	}
	if (*v == NULL) {
		if (flags & V_NULLABLE)
			return V_NULL;
		v_problem(o, key, (flags & V_REQUIRED) ? "Required." :
		    "Must not be null.");
		return V_BAD;
	}
	return V_SET;
}

/* The text rule on s[0..len) for field (named lazily: prefix + key). */
static enum v_got
text_check(struct request *req, const char *prefix, const char *key,
    const char *s, size_t len, const struct v_text *rule, unsigned flags,
    const char **out)
{
	char *clean = arena_alloc(req->arena, len + 1);
	size_t clean_len = 0, chars = 0;
	const char *why = NULL;

	if (clean == NULL) {
		v_problem_field(req, field_name(req, prefix, key),
		    "The server is short of memory.");
		return V_BAD;
	}
	switch (str_clean(s, len, rule->multiline, rule->max, clean,
	    &clean_len, &chars)) {
	case STR_CLEAN_OK:
		break;
	case STR_CLEAN_CONTROL:
		why = rule->multiline ? "Must not contain control characters "
		    "other than line breaks." :
		    "Must be one line, without control characters.";
		break;
	case STR_CLEAN_BIDI:
		why = "Must not contain characters that reorder text "
		    "(bidirectional overrides).";
		break;
	case STR_CLEAN_TOO_LONG:
	case STR_CLEAN_UTF8:
		chars = rule->max + 1;
		break;
	}
	if (why == NULL && chars == 0 && (flags & V_NULLABLE) &&
	    rule->min > 0) {
		*out = NULL;
		return V_NULL;
	}
	if (why == NULL && (chars < rule->min || chars > rule->max))
		why = rule->min == 0 ? arena_printf(req->arena,
		    "Must be at most %zu characters.", rule->max) :
		    rule->min == rule->max ? arena_printf(req->arena,
		    "Must be %zu characters.", rule->max) :
		    arena_printf(req->arena, "Must be %zu to %zu characters.",
		    rule->min, rule->max);
	if (why != NULL) {
		v_problem_field(req, field_name(req, prefix, key), why);
		return V_BAD;
	}
	*out = clean;
	return V_SET;
}

static enum v_got
json_text(struct request *req, const char *prefix, const char *key,
    struct json_object *v, const struct v_text *rule, unsigned flags,
    const char **out)
{
	if (!json_object_is_type(v, json_type_string)) {
		v_problem_field(req, field_name(req, prefix, key),
		    (flags & V_NULLABLE) ? "Must be a string or null." :
		    "Must be a string.");
		return V_BAD;
	}
	return text_check(req, prefix, key, json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), rule, flags, out);
}

enum v_got
v_text(struct vobj *o, const char *key, const struct v_text *rule,
    unsigned flags, const char **out)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);

	if (got == V_NULL)
		*out = NULL;
	if (got != V_SET)
		return got;
	got = json_text(o->req, o->prefix, key, v, rule, flags, out);
	if (got == V_NULL && (flags & V_REQUIRED) && !(flags & V_NULLABLE)) {
		v_problem(o, key, "Required.");
		return V_BAD;
	}
	return got;
}

static bool
int_value(struct json_object *v, int64_t min, int64_t max, int64_t *out)
{
	int64_t n;

	/* json-c keeps the number's kind: 1.0 is a double, not a whole
	 * number, and a value past int64 saturates (checked by errno). */
	if (!json_object_is_type(v, json_type_int))
		return false;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno != 0 || n < min || n > max)
		return false;
	*out = n;
	return true;
}

enum v_got
v_int(struct vobj *o, const char *key, int64_t min, int64_t max,
    unsigned flags, int64_t *out)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);

	if (got != V_SET)
		return got;
	if (!int_value(v, min, max, out)) {
		v_problem(o, key, arena_printf(o->req->arena, "Must be a whole "
		    "number from %" PRId64 " to %" PRId64 ".", min, max));
		return V_BAD;
	}
	return V_SET;
}

/*
 * A JSON number (whole or not) from min to max, as a double: json-c has
 * read it already, so NaN and infinities cannot arrive; a whole number
 * past 2^53 loses precision as any JSON reader's would.
 */
enum v_got
v_number(struct vobj *o, const char *key, double min, double max,
    unsigned flags, double *out)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);
	double n;

	if (got != V_SET)
		return got;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double)) {
		v_problem(o, key, "Must be a number.");
		return V_BAD;
	}
	n = json_object_get_double(v);
	if (!(n >= min && n <= max)) {
		v_problem(o, key, arena_printf(o->req->arena, "Must be a number "
		    "from %g to %g.", min, max));
		return V_BAD;
	}
	*out = n;
	return V_SET;
}

enum v_got
v_money(struct vobj *o, const char *key, int64_t max, unsigned flags,
    int64_t *out)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);

	if (got != V_SET)
		return got;
	if (!int_value(v, 0, max, out)) {
		v_problem(o, key, arena_printf(o->req->arena, "Must be a whole "
		    "number of minor units (cents, kuruş) from 0 to %" PRId64
		    ".", max));
		return V_BAD;
	}
	return V_SET;
}

enum v_got
v_bool(struct vobj *o, const char *key, unsigned flags, bool *out)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);

	if (got != V_SET)
		return got;
	if (!json_object_is_type(v, json_type_boolean)) {
		v_problem(o, key, "Must be true or false.");
		return V_BAD;
	}
	*out = json_object_get_boolean(v);
	return V_SET;
}

/* s as a lower-case UUID in the arena, or NULL when it is not one. */
static const char *
uuid_value(struct request *req, const char *s)
{
	char *lower;

	if (!str_is_uuid(s) || (lower = arena_strdup(req->arena, s)) == NULL)
		return NULL;
	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return lower;
}

static enum v_got
json_uuid(struct request *req, const char *prefix, const char *key,
    struct json_object *v, const char **out)
{
	const char *id = json_object_is_type(v, json_type_string) ?
	    uuid_value(req, json_object_get_string(v)) : NULL;

	if (id == NULL) {
		v_problem_field(req, field_name(req, prefix, key),
		    "Must be an id (a UUID).");
		return V_BAD;
	}
	*out = id;
	return V_SET;
}

enum v_got
v_uuid(struct vobj *o, const char *key, unsigned flags, const char **out)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);

	if (got == V_NULL)
		*out = NULL;
	if (got != V_SET)
		return got;
	return json_uuid(o->req, o->prefix, key, v, out);
}

static const char *
enum_list(struct request *req, const char *const *allowed)
{
	char list[ENUM_LIST_MAX] = "";
	size_t used = 0;

	for (size_t i = 0; allowed[i] != NULL && used < sizeof(list); i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s",
		    i > 0 ? ", " : "", allowed[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return arena_printf(req->arena, "Must be one of: %s.", list);
}

static const char *
enum_find(const char *s, const char *const *allowed)
{
	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(s, allowed[i]) == 0)
			return allowed[i];
	return NULL;
}

static enum v_got
json_enum(struct request *req, const char *prefix, const char *key,
    struct json_object *v, const char *const *allowed, const char **out)
{
	const char *found = json_object_is_type(v, json_type_string) ?
	    enum_find(json_object_get_string(v), allowed) : NULL;

	if (found == NULL) {
		v_problem_field(req, field_name(req, prefix, key),
		    enum_list(req, allowed));
		return V_BAD;
	}
	*out = found;
	return V_SET;
}

enum v_got
v_enum(struct vobj *o, const char *key, const char *const *allowed,
    unsigned flags, const char **out)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);

	if (got == V_NULL)
		*out = NULL;
	if (got != V_SET)
		return got;
	return json_enum(o->req, o->prefix, key, v, allowed, out);
}

static bool
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

bool
v_date_valid(const char *s)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, max;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) ||
	    !digits(s + 5, 2) || !digits(s + 8, 2))
		return false;
	y = two(s) * 100 + two(s + 2);
	m = two(s + 5);
	d = two(s + 8);
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	max = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

bool
v_time_valid(const char *s)
{
	size_t n = strlen(s), i = 19;
	char date[11];

	/* YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM) */
	if (n < 17 || n > 40)
		return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!v_date_valid(date) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    two(s + 11) > 23 || two(s + 14) > 59)
		return false;
	if (s[16] == ':') {
		if (n < 20 || !digits(s + 17, 2) || two(s + 17) > 60)
			return false;
		if (s[19] == '.') {
			for (i = 20; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				;
			if (i == 20)
				return false;
		}
	} else {
		i = 16;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
		return true;
	return (s[i] == '+' || s[i] == '-') && n - i == 6 &&
	    digits(s + i + 1, 2) && s[i + 3] == ':' && digits(s + i + 4, 2) &&
	    two(s + i + 1) <= 23 && two(s + i + 4) <= 59;
}

static enum v_got
json_checked_string(struct vobj *o, const char *key, unsigned flags,
    bool (*valid)(const char *), const char *message, const char **out)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);

	if (got == V_NULL)
		*out = NULL;
	if (got != V_SET)
		return got;
	if (!json_object_is_type(v, json_type_string) ||
	    !valid(json_object_get_string(v))) {
		v_problem(o, key, message);
		return V_BAD;
	}
	*out = arena_strdup(o->req->arena, json_object_get_string(v));
	return *out == NULL ? V_BAD : V_SET;
}

enum v_got
v_date(struct vobj *o, const char *key, unsigned flags, const char **out)
{
	return json_checked_string(o, key, flags, v_date_valid,
	    "Must be a date, YYYY-MM-DD.", out);
}

enum v_got
v_time(struct vobj *o, const char *key, unsigned flags, const char **out)
{
	return json_checked_string(o, key, flags, v_time_valid,
	    "Must be a date and time with its offset, like "
	    "2027-03-28T09:00:00+03:00.", out);
}

/* Longest phone number and email address as typed, in characters. */
#define PHONE_CHARS_MAX 40
#define EMAIL_CHARS_MAX 254

/*
 * How to write a phone number, for a message, and its international
 * example alone into *example (NULL when there is none): a number of
 * own's country when own (E.164) is given and of another country than
 * the clinic's, and then only in the international form, since a
 * national one would be read as the clinic's country's; else one of
 * country in both forms.
 */
static const char *
phone_hint(struct arena *a, const char *country, const char *own,
    const char **example)
{
	char national[PHONE_TEXT_MAX + 1], international[PHONE_TEXT_MAX + 1];
	char region[3];
	const char *hint = NULL;
	bool abroad = own != NULL && phone_region(own, region) == ERR_OK &&
	    (country == NULL || strcasecmp(region, country) != 0);

	*example = NULL;
	if (phone_example(abroad ? region : country, national,
	    international) == ERR_OK) {
		*example = arena_strdup(a, international);
		hint = abroad ? arena_printf(a, "with + and the country code, "
		    "for example %s", international) : arena_printf(a,
		    "for example %s or %s", international, national);
	}
	return hint != NULL ? hint : "with + and the country code, for "
	    "example +90 532 123 45 67";
}

const char *
v_phone_hint(struct arena *a, const char *country)
{
	const char *example;

	return phone_hint(a, country, NULL, &example);
}

void
v_phone_problem(struct vobj *o, const char *key, const char *country,
    const char *own)
{
	struct request *req = o->req;
	const char *example, *message = arena_printf(req->arena, "Not a "
	    "phone number; %s.", phone_hint(req->arena, country, own,
	    &example));

	note(req, field_name(req, o->prefix, key), message != NULL ? message :
	    "Not a phone number.", "example", example);
}

enum v_got
v_phone(struct vobj *o, const char *key, const char *country, unsigned flags,
    const char **out)
{
	char e164[PHONE_E164_MAX + 1];
	const char *typed = NULL;
	enum v_got got = v_text(o, key, V_LINE(PHONE_CHARS_MAX), flags, &typed);

	if (got == V_NULL)
		*out = NULL;
	if (got != V_SET)
		return got;
	if (!contact_phone_e164(typed, country, e164)) {
		v_phone_problem(o, key, country, NULL);
		return V_BAD;
	}
	*out = arena_strdup(o->req->arena, e164);
	return V_SET;
}

enum v_got
v_email(struct vobj *o, const char *key, unsigned flags, const char **out)
{
	const char *typed = NULL;
	enum v_got got = v_text(o, key, V_LINE(EMAIL_CHARS_MAX), flags, &typed);

	if (got == V_NULL)
		*out = NULL;
	if (got != V_SET)
		return got;
	if (!contact_email_valid(typed)) {
		v_problem(o, key, "Not an email address.");
		return V_BAD;
	}
	*out = typed;
	return V_SET;
}

/* A nested object, its members' names prefixed by the path to it (v_object)
 * or by nothing (v_map). */
static enum v_got
nested(struct vobj *o, const char *key, const char *const *known,
    unsigned flags, struct vobj *child, bool prefixed)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);

	child->req = o->req;
	child->obj = NULL;
	child->prefix = "";
	if (got != V_SET)
		return got;
	if (!json_object_is_type(v, json_type_object)) {
		v_problem(o, key, "Must be an object.");
		return V_BAD;
	}
	child->obj = v;
	if (prefixed && (child->prefix = arena_printf(o->req->arena, "%s%s.",
	    o->prefix, key)) == NULL)
		return V_BAD;
	unknown_members(o->req, v, child->prefix, known);
	return V_SET;
}

enum v_got
v_object(struct vobj *o, const char *key, const char *const *known,
    unsigned flags, struct vobj *child)
{
	return nested(o, key, known, flags, child, true);
}

enum v_got
v_map(struct vobj *o, const char *key, const char *const *known,
    unsigned flags, struct vobj *child)
{
	return nested(o, key, known, flags, child, false);
}


enum v_got
v_array(struct vobj *o, const char *key, size_t max_items, unsigned flags,
    struct varr *arr)
{
	struct json_object *v;
	enum v_got got = member(o, key, flags, &v);

	arr->req = o->req;
	arr->arr = NULL;
	arr->count = 0;
	arr->field = field_name(o->req, o->prefix, key);
	if (got != V_SET)
		return got;
	if (!json_object_is_type(v, json_type_array)) {
		v_problem(o, key, "Must be an array.");
		return V_BAD;
	}
	if (json_object_array_length(v) > max_items) {
		v_problem(o, key, arena_printf(o->req->arena,
		    "At most %zu items.", max_items));
		return V_BAD;
	}
	arr->arr = v;
	arr->count = json_object_array_length(v);
	return V_SET;
}

static const char *
item_name(struct varr *arr, size_t i)
{
	return arena_printf(arr->req->arena, "%s[%zu]", arr->field, i);
}

enum v_got
v_item_text(struct varr *arr, size_t i, const struct v_text *rule,
    const char **out)
{
	return json_text(arr->req, item_name(arr, i), "",
	    json_object_array_get_idx(arr->arr, i), rule, 0, out);
}

enum v_got
v_item_uuid(struct varr *arr, size_t i, const char **out)
{
	return json_uuid(arr->req, item_name(arr, i), "",
	    json_object_array_get_idx(arr->arr, i), out);
}

enum v_got
v_item_enum(struct varr *arr, size_t i, const char *const *allowed,
    const char **out)
{
	return json_enum(arr->req, item_name(arr, i), "",
	    json_object_array_get_idx(arr->arr, i), allowed, out);
}

enum v_got
v_item_object(struct varr *arr, size_t i, const char *const *known,
    struct vobj *child)
{
	struct json_object *v = json_object_array_get_idx(arr->arr, i);
	const char *name = item_name(arr, i);

	child->req = arr->req;
	child->obj = NULL;
	child->prefix = "";
	if (name == NULL)
		return V_BAD;
	if (!json_object_is_type(v, json_type_object)) {
		v_problem_field(arr->req, name, "Must be an object.");
		return V_BAD;
	}
	child->obj = v;
	child->prefix = arena_printf(arr->req->arena, "%s.", name);
	if (child->prefix == NULL)
		return V_BAD;
	unknown_members(arr->req, v, child->prefix, known);
	return V_SET;
}

/* The query value of name: V_ABSENT for a missing or empty one. */
static enum v_got
query_value(struct request *req, const char *name, unsigned flags,
    const char **value)
{
	*value = req_query(req, name);
	if (*value == NULL || **value == '\0') {
		if (flags & V_REQUIRED) {
			v_problem_field(req, name, "Required.");
			return V_BAD;
		}
		return V_ABSENT;
	}
	return V_SET;
}

enum v_got
q_text(struct request *req, const char *name, const struct v_text *rule,
    unsigned flags, const char **out)
{
	const char *s;
	enum v_got got = query_value(req, name, flags, &s);

	if (got != V_SET)
		return got;
	got = text_check(req, "", name, s, strlen(s), rule, flags, out);
	/* Only white space: as if not given. */
	return got == V_NULL ? V_ABSENT : got;
}

enum v_got
q_uuid(struct request *req, const char *name, unsigned flags,
    const char **out)
{
	const char *s, *id;
	enum v_got got = query_value(req, name, flags, &s);

	if (got != V_SET)
		return got;
	if ((id = uuid_value(req, s)) == NULL) {
		v_problem_field(req, name, "Must be an id (a UUID).");
		return V_BAD;
	}
	*out = id;
	return V_SET;
}

enum v_got
q_enum(struct request *req, const char *name, const char *const *allowed,
    unsigned flags, const char **out)
{
	const char *s, *found;
	enum v_got got = query_value(req, name, flags, &s);

	if (got != V_SET)
		return got;
	if ((found = enum_find(s, allowed)) == NULL) {
		v_problem_field(req, name, enum_list(req, allowed));
		return V_BAD;
	}
	*out = found;
	return V_SET;
}

enum v_got
q_int(struct request *req, const char *name, int64_t min, int64_t max,
    unsigned flags, int64_t *out)
{
	const char *s;
	long v;
	enum v_got got = query_value(req, name, flags, &s);

	if (got != V_SET)
		return got;
	if (min < LONG_MIN || max > LONG_MAX || !str_to_long(s, (long)min,
	    (long)max, &v)) {
		v_problem_field(req, name, arena_printf(req->arena, "Must be a "
		    "whole number from %" PRId64 " to %" PRId64 ".", min, max));
		return V_BAD;
	}
	*out = v;
	return V_SET;
}

enum v_got
q_date(struct request *req, const char *name, unsigned flags,
    const char **out)
{
	const char *s;
	enum v_got got = query_value(req, name, flags, &s);

	if (got != V_SET)
		return got;
	if (!v_date_valid(s)) {
		v_problem_field(req, name, "Must be a date, YYYY-MM-DD.");
		return V_BAD;
	}
	*out = s;
	return V_SET;
}

enum v_got
q_bool(struct request *req, const char *name, unsigned flags, bool *out)
{
	const char *s;
	enum v_got got = query_value(req, name, flags, &s);

	if (got != V_SET)
		return got;
	if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
		v_problem_field(req, name, "Must be true or false.");
		return V_BAD;
	}
	*out = s[0] == 't';
	return V_SET;
}

static bool
cursor_is_uuid(const char *cursor)
{
	return str_is_uuid(cursor);
}

void
q_page(struct request *req, bool (*cursor_ok)(const char *cursor),
    struct v_page *page)
{
	int64_t limit = 50;
	const char *cursor;

	page->limit = 50;
	page->cursor = NULL;
	if (q_int(req, "limit", 1, 100, 0, &limit) == V_SET)
		page->limit = (int)limit;
	if (query_value(req, "cursor", 0, &cursor) != V_SET)
		return;
	if (!(cursor_ok != NULL ? cursor_ok : cursor_is_uuid)(cursor)) {
		v_problem_field(req, "cursor", "Not a cursor this list gave "
		    "out.");
		return;
	}
	page->cursor = cursor;
}
