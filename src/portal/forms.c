/*
 * forms.c - a form's definition (forms.h, DESIGN.md section 15): its JSON
 * read into a flat array of items in document order, the rules that span
 * items, which items an answer set enables, the definition in one
 * language, and its export as an HL7 FHIR R4 Questionnaire.
 *
 * Everything is one pass (or two: reading counts the items before it
 * fills them) over the definition, so the work is linear in its size; the
 * limits of forms.h bound the few loops over a choice's options. The
 * items are flat, each knowing its group (parent) and the end of its
 * descendants, because an enable_when names only earlier questions: one
 * walk in document order decides every item, a group before its items.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "forms.h"
#include "str.h"

const char *const form_type_names[] = {
	[FORM_DISPLAY] = "display",
	[FORM_GROUP] = "group",
	[FORM_BOOLEAN] = "boolean",
	[FORM_INTEGER] = "integer",
	[FORM_DECIMAL] = "decimal",
	[FORM_DATE] = "date",
	[FORM_STRING] = "string",
	[FORM_TEXT] = "text",
	[FORM_CHOICE] = "choice",
	[FORM_MULTI_CHOICE] = "multi_choice",
	[FORM_CONSENT] = "consent",
	[FORM__TYPES] = NULL,
};

const char *const form_operator_names[] = { "exists", "=", "!=", NULL };

/* A max_length above this is no definition's, whatever its type. */
#define MAX_LENGTH_CEILING	1000000

/* ------------------------------------------------------------------ */
/* Reading */

struct reader {
	struct arena *a;
	struct form_item *items;
	size_t n, cap;
	bool nomem;		/* a refusal was the arena's, not the JSON's */
};

/* The member of obj named key, or NULL when absent or JSON null (an
 * optional member written as null is absent). */
static struct json_object *
member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/* True when every member of obj is one of the NULL-terminated keys. */
static bool
only_members(struct json_object *obj, const char *const *keys)
{
	json_object_object_foreach(obj, key, val) {
		size_t i;

		(void)val;
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (keys[i] == NULL)
			return false;
	}
	return true;
}

/* The string v holds, when it is a non-empty string of at most max_chars
 * characters with no NUL inside; NULL otherwise. */
static const char *
string_within(struct json_object *v, size_t max_chars)
{
	const char *s;
	size_t len;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0 || strlen(s) != len)
		return NULL;
	/* Four bytes at most per character: a cheap bound first. */
	if (len > 4 * max_chars)
		return NULL;
	if (len > max_chars && str_utf8_length(s) > max_chars)
		return NULL;
	return s;
}

static bool
text_read(struct json_object *v, size_t max_chars, struct form_text *t)
{
	static const char *const keys[] = { "tr", "en", NULL };
	struct json_object *tr, *en;

	t->tr = t->en = NULL;
	if (v == NULL || !json_object_is_type(v, json_type_object) ||
	    !only_members(v, keys))
		return false;
	tr = member(v, "tr");
	en = member(v, "en");
	if (tr != NULL && (t->tr = string_within(tr, max_chars)) == NULL)
		return false;
	if (en != NULL && (t->en = string_within(en, max_chars)) == NULL)
		return false;
	return t->tr != NULL || t->en != NULL;
}

static bool
link_id_valid(const char *s)
{
	size_t i;

	if (s == NULL || !((s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (i = 1; s[i] != '\0'; i++) {
		char c = s[i];

		if (i >= FORM_LINK_ID_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int
name_index(const char *const *names, const char *s)
{
	for (int i = 0; s != NULL && names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* A JSON number (not NaN nor infinite) into *out. */
static bool
number_of(struct json_object *v, double *out)
{
	if (v == NULL || !(json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return isfinite(*out);
}

/* min or max: a number, or a date's text (form_def_check() judges which
 * the item's type wants and whether the date is one). */
static bool
bound_read(struct json_object *v, bool *has, double *num, const char **date)
{
	if (v == NULL)
		return true;
	if (json_object_is_type(v, json_type_string)) {
		*date = string_within(v, 10);
		return *date != NULL;
	}
	if (!number_of(v, num))
		return false;
	*has = true;
	return true;
}

/* Counts the items of array items and of every group in it, refusing more
 * than FORM_MAX_ITEMS or a nesting deeper than FORM_MAX_DEPTH. */
static bool
count_items(struct json_object *items, int depth, size_t *n)
{
	size_t len;

	if (!json_object_is_type(items, json_type_array) ||
	    depth > FORM_MAX_DEPTH)
		return false;
	len = json_object_array_length(items);
	for (size_t i = 0; i < len; i++) {
		struct json_object *it = json_object_array_get_idx(items, i);
		struct json_object *sub;

		if (++*n > FORM_MAX_ITEMS)
			return false;
		if (!json_object_is_type(it, json_type_object))
			return false;
		if ((sub = member(it, "items")) != NULL &&
		    !count_items(sub, depth + 1, n))
			return false;
	}
	return true;
}

static bool read_items(struct reader *r, struct json_object *items,
    int parent, int depth, const char *path);

/*
 * An optional member that is an array of at most max entries: *out gets
 * room for its *n entries of size bytes each (none, and NULL, when absent
 * or empty). False when it is not such an array, or out of memory (noted).
 */
static bool
list_read(struct reader *r, struct json_object *v, size_t max, size_t size,
    void **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (v == NULL)
		return true;
	if (!json_object_is_type(v, json_type_array) ||
	    (*n = json_object_array_length(v)) > max)
		return false;
	if (*n == 0)
		return true;
	if ((*out = arena_calloc(r->a, *n, size)) == NULL) {
		r->nomem = true;
		return false;
	}
	return true;
}

static bool
options_read(struct reader *r, struct json_object *v, struct form_item *it)
{
	static const char *const keys[] = { "value", "text", NULL };
	void *room;
	size_t n;

	if (!list_read(r, v, FORM_MAX_OPTIONS, sizeof(*it->options), &room,
	    &n))
		return false;
	it->options = room;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(v, i);
		struct form_option *opt = &it->options[i];

		if (!json_object_is_type(o, json_type_object) ||
		    !only_members(o, keys))
			return false;
		opt->value = string_within(member(o, "value"),
		    FORM_OPTION_VALUE_MAX);
		if (opt->value == NULL ||
		    !text_read(member(o, "text"), FORM_OPTION_TEXT_MAX,
		    &opt->text))
			return false;
	}
	it->n_options = n;
	return true;
}

static bool
conditions_read(struct reader *r, struct json_object *v, struct form_item *it)
{
	static const char *const keys[] = { "question", "operator", "answer",
	    NULL };
	void *room;
	size_t n;

	if (!list_read(r, v, FORM_MAX_CONDITIONS, sizeof(*it->conds), &room,
	    &n))
		return false;
	it->conds = room;
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(v, i);
		struct form_condition *cond = &it->conds[i];
		struct json_object *answer;
		int op;

		if (!json_object_is_type(c, json_type_object) ||
		    !only_members(c, keys))
			return false;
		cond->question = string_within(member(c, "question"),
		    FORM_LINK_ID_MAX);
		op = name_index(form_operator_names,
		    string_within(member(c, "operator"), 8));
		answer = member(c, "answer");
		if (cond->question == NULL || op < 0 || answer == NULL)
			return false;
		/* An answer is a single value; which one fits is
		 * form_def_check()'s to say. */
		switch (json_object_get_type(answer)) {
		case json_type_boolean:
		case json_type_int:
		case json_type_string:
			break;
		case json_type_double:
			if (!isfinite(json_object_get_double(answer)))
				return false;
			break;
		default:
			return false;
		}
		cond->op = (enum form_operator)op;
		cond->answer = answer;
		cond->target = -1;
	}
	it->n_conds = n;
	return true;
}

static bool
item_read(struct reader *r, struct json_object *obj, int parent, int depth,
    const char *path)
{
	static const char *const keys[] = { "link_id", "type", "text",
	    "required", "options", "min", "max", "max_length", "enable_when",
	    "enable_behavior", "items", NULL };
	struct form_item *it;
	struct json_object *v;
	size_t index = r->n;
	int type;

	if (!only_members(obj, keys) || r->n >= r->cap)
		return false;
	it = &r->items[r->n++];
	it->path = path;
	it->parent = parent;
	it->depth = depth;
	it->link_id = string_within(member(obj, "link_id"), FORM_LINK_ID_MAX);
	if (!link_id_valid(it->link_id))
		return false;
	type = name_index(form_type_names,
	    string_within(member(obj, "type"), 16));
	if (type < 0)
		return false;
	it->type = (enum form_type)type;
	if (!text_read(member(obj, "text"), FORM_ITEM_TEXT_MAX, &it->text))
		return false;
	if ((v = member(obj, "required")) != NULL) {
		if (!json_object_is_type(v, json_type_boolean))
			return false;
		it->required = json_object_get_boolean(v);
	}
	if (!options_read(r, member(obj, "options"), it))
		return false;
	if (!bound_read(member(obj, "min"), &it->has_min, &it->min,
	    &it->min_date) ||
	    !bound_read(member(obj, "max"), &it->has_max, &it->max,
	    &it->max_date))
		return false;
	if ((v = member(obj, "max_length")) != NULL) {
		int64_t len;

		if (!json_object_is_type(v, json_type_int))
			return false;
		len = json_object_get_int64(v);
		if (len < 1 || len > MAX_LENGTH_CEILING)
			return false;
		it->max_length = (size_t)len;
	} else if (it->type == FORM_STRING)
		it->max_length = FORM_STRING_MAX;
	else if (it->type == FORM_TEXT)
		it->max_length = FORM_TEXT_MAX;
	if (!conditions_read(r, member(obj, "enable_when"), it))
		return false;
	if ((v = member(obj, "enable_behavior")) != NULL) {
		const char *b = string_within(v, 3);

		if (b == NULL || (strcmp(b, "all") != 0 &&
		    strcmp(b, "any") != 0))
			return false;
		it->enable_any = strcmp(b, "any") == 0;
	}
	if ((v = member(obj, "items")) != NULL &&
	    !read_items(r, v, (int)index, depth + 1, path))
		return false;
	/* r->items is not moved by the recursion: it was sized first. */
	r->items[index].end = (int)r->n;
	return true;
}

static bool
read_items(struct reader *r, struct json_object *items, int parent,
    int depth, const char *path)
{
	size_t len = json_object_array_length(items);

	for (size_t i = 0; i < len; i++) {
		const char *p = arena_printf(r->a, "%s%sitems[%zu]",
		    path != NULL ? path : "", path != NULL ? "." : "", i);

		if (p == NULL) {
			r->nomem = true;
			return false;
		}
		if (!item_read(r, json_object_array_get_idx(items, i), parent,
		    depth, p))
			return false;
	}
	return true;
}

enum err
form_def_read(struct arena *a, struct json_object *json, struct form_def *out)
{
	static const char *const keys[] = { "title", "description", "items",
	    NULL };
	struct reader r = { .a = a };
	struct json_object *items, *desc;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (json == NULL || !json_object_is_type(json, json_type_object) ||
	    !only_members(json, keys))
		return ERR_INVALID;
	if (!text_read(member(json, "title"), FORM_TITLE_MAX, &out->title))
		return ERR_INVALID;
	if ((desc = member(json, "description")) != NULL &&
	    !text_read(desc, FORM_DESCRIPTION_MAX, &out->description))
		return ERR_INVALID;
	if ((items = member(json, "items")) == NULL ||
	    !count_items(items, 1, &n))
		return ERR_INVALID;
	if (n > 0 && (r.items = arena_calloc(a, n, sizeof(*r.items))) == NULL)
		return ERR_NOMEM;
	r.cap = n;
	if (!read_items(&r, items, -1, 1, NULL) || r.n != n) {
		memset(out, 0, sizeof(*out));
		return r.nomem ? ERR_NOMEM : ERR_INVALID;
	}
	out->items = r.items;
	out->n_items = n;
	out->json = json;
	return ERR_OK;
}

/* ------------------------------------------------------------------ */
/* White space, as the apps see it */

/* The code point at s (valid UTF-8 assumed) and its length in *len. */
static uint32_t
utf8_at(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0 && s[1] != 0) {
		*len = 2;
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0 && s[1] != 0 && s[2] != 0) {
		*len = 3;
		return (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	if ((s[0] & 0xf8) == 0xf0 && s[1] != 0 && s[2] != 0 && s[3] != 0) {
		*len = 4;
		return (uint32_t)(s[0] & 0x07) << 18 |
		    (uint32_t)(s[1] & 0x3f) << 12 |
		    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	}
	*len = 1;
	return 0xfffd;
}

/* White space as ECMAScript's \s sees it: what JavaScript's trim()
 * removes and what FHIR's patterns (\s) refuse. */
static bool
is_space(uint32_t cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0xa0 ||
	    cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 ||
	    cp == 0xfeff;
}

/* Trims white space off both ends of s[0..len). */
static void
trim_span(const char **s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)*s;
	const unsigned char *end = p + *len;

	while (p < end) {
		size_t n;

		if (!is_space(utf8_at(p, &n)) || n > (size_t)(end - p))
			break;
		p += n;
	}
	while (end > p) {
		const unsigned char *q = end - 1;
		size_t n;

		/* Back to the lead byte of the last character. */
		while (q > p && (*q & 0xc0) == 0x80 && end - q < 4)
			q--;
		if (!is_space(utf8_at(q, &n)) || q + n != end)
			break;
		end = q;
	}
	*s = (const char *)p;
	*len = (size_t)(end - p);
}

/* ------------------------------------------------------------------ */
/* Checking */

/* link_id -> first item index: open addressing, at most half full. */
struct id_table {
	int *slot;		/* item index + 1; 0 empty */
	size_t mask;
	const struct form_item *items;
};

static size_t
hash_str(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool
id_table_init(struct arena *a, struct id_table *t,
    const struct form_item *items, size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	t->slot = arena_calloc(a, size, sizeof(*t->slot));
	t->mask = size - 1;
	t->items = items;
	return t->slot != NULL;
}

/* The first item named s, or -1. */
static int
id_find(const struct id_table *t, const char *s)
{
	for (size_t h = hash_str(s) & t->mask; t->slot[h] != 0;
	    h = (h + 1) & t->mask)
		if (strcmp(t->items[t->slot[h] - 1].link_id, s) == 0)
			return t->slot[h] - 1;
	return -1;
}

/* Adds item i under its link_id; false when an earlier item has it. */
static bool
id_add(struct id_table *t, int i)
{
	size_t h = hash_str(t->items[i].link_id) & t->mask;

	for (; t->slot[h] != 0; h = (h + 1) & t->mask)
		if (strcmp(t->items[t->slot[h] - 1].link_id,
		    t->items[i].link_id) == 0)
			return false;
	t->slot[h] = i + 1;
	return true;
}

struct checker {
	struct arena *a;
	struct form_def *def;
	bool need_tr, need_en;
	form_problem_fn *problem;
	void *ctx;
	bool ok;
};

static void
report(struct checker *c, const char *path, const char *member_name,
    const char *message)
{
	const char *field;

	c->ok = false;
	field = arena_printf(c->a, "definition%s%s%s%s",
	    path != NULL ? "." : "", path != NULL ? path : "",
	    member_name != NULL ? "." : "", member_name != NULL ?
	    member_name : "");
	c->problem(c->ctx, field != NULL ? field : "definition", message);
}

static void
text_check(struct checker *c, const char *path, const char *name,
    const struct form_text *t)
{
	if (c->need_tr && t->tr == NULL)
		report(c, path, arena_printf(c->a, "%s.tr", name),
		    "The Turkish text is missing.");
	if (c->need_en && t->en == NULL)
		report(c, path, arena_printf(c->a, "%s.en", name),
		    "The English text is missing.");
}

/* "YYYY-MM-DD", a day of the Gregorian calendar from year 0001. */
static bool
date_valid(const char *s)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, last;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	last = days[m - 1];
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		last = 29;
	return d <= last;
}

/* An option's value becomes a FHIR code, whose pattern is
 * [^\s]+(\s[^\s]+)*: no white space at the ends nor two in a row. */
static bool
code_valid(const char *s)
{
	bool prev_space = true;

	while (*s != '\0') {
		size_t len;
		bool space = is_space(utf8_at((const unsigned char *)s, &len));

		if (space && prev_space)
			return false;
		prev_space = space;
		s += len;
	}
	return !prev_space;
}

/* A condition's text compares with an answer trimmed of white space: it
 * must be trimmed itself, and not blank (a blank answer is none). */
static bool
text_fits(struct json_object *v, size_t max_length)
{
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v), trimmed = len;

	trim_span(&s, &trimmed);
	return len > 0 && trimmed == len &&
	    str_utf8_length(json_object_get_string(v)) <= max_length;
}

/* Whether answer fits a condition on question q with operator op. */
static const char *
answer_misfit(const struct form_item *q, enum form_operator op,
    struct json_object *answer)
{
	enum json_type jt = json_object_get_type(answer);

	if (op == FORM_EXISTS)
		return jt == json_type_boolean ? NULL :
		    "With the operator exists, the answer is true or false.";
	switch (q->type) {
	case FORM_BOOLEAN:
	case FORM_CONSENT:
		return jt == json_type_boolean ? NULL :
		    "The question is answered yes or no: the answer must be "
		    "true or false.";
	case FORM_INTEGER:
		return jt == json_type_int ? NULL :
		    "The question takes a whole number: so must the answer.";
	case FORM_DECIMAL:
		return jt == json_type_int || jt == json_type_double ? NULL :
		    "The question takes a number: so must the answer.";
	case FORM_DATE:
		return jt == json_type_string &&
		    date_valid(json_object_get_string(answer)) ? NULL :
		    "The question takes a date: the answer must be one, as "
		    "YYYY-MM-DD.";
	case FORM_STRING:
	case FORM_TEXT:
		return jt == json_type_string && text_fits(answer,
		    q->max_length) ? NULL :
		    "The question takes text: the answer must be text within "
		    "its max_length, without spaces at its ends.";
	case FORM_CHOICE:
	case FORM_MULTI_CHOICE:
		if (jt == json_type_string)
			for (size_t k = 0; k < q->n_options; k++)
				if (strcmp(q->options[k].value,
				    json_object_get_string(answer)) == 0)
					return NULL;
		return "The answer must be the value of one of the question's "
		    "options.";
	default:
		return "The question takes no answer.";
	}
}

static void
conditions_check(struct checker *c, const struct id_table *ids, int i)
{
	struct form_item *it = &c->def->items[i];

	for (size_t j = 0; j < it->n_conds; j++) {
		struct form_condition *cond = &it->conds[j];
		const char *at = arena_printf(c->a, "enable_when[%zu].question",
		    j);
		const char *answer_at = arena_printf(c->a,
		    "enable_when[%zu].answer", j);
		const char *misfit;
		int t = id_find(ids, cond->question);

		cond->target = -1;
		if (t < 0) {
			report(c, it->path, at, "No item of this form has "
			    "this link_id.");
			continue;
		}
		if (t == i) {
			report(c, it->path, at, "An item cannot depend on "
			    "its own answer.");
			continue;
		}
		if (t > i) {
			report(c, it->path, at, "An item can depend only on "
			    "a question that comes before it.");
			continue;
		}
		if (c->def->items[t].type == FORM_GROUP &&
		    c->def->items[t].end > i) {
			report(c, it->path, at, "An item cannot depend on "
			    "its own group.");
			continue;
		}
		if (!form_item_answers(&c->def->items[t])) {
			report(c, it->path, at, "An item can depend only on "
			    "a question, not on a display or group item.");
			continue;
		}
		misfit = answer_misfit(&c->def->items[t], cond->op,
		    cond->answer);
		if (misfit != NULL) {
			report(c, it->path, answer_at, misfit);
			continue;
		}
		cond->target = t;
	}
}

static void
options_check(struct checker *c, const struct form_item *it)
{
	bool choice = it->type == FORM_CHOICE ||
	    it->type == FORM_MULTI_CHOICE;

	if (!choice) {
		if (it->n_options > 0)
			report(c, it->path, "options", "Only choice and "
			    "multi_choice items have options.");
		return;
	}
	if (it->n_options == 0) {
		report(c, it->path, "options", "A choice needs at least one "
		    "option.");
		return;
	}
	for (size_t k = 0; k < it->n_options; k++) {
		const struct form_option *o = &it->options[k];
		const char *at = arena_printf(c->a, "options[%zu]", k);

		if (!code_valid(o->value))
			report(c, it->path, arena_printf(c->a, "%s.value", at),
			    "An option's value may not begin or end with a "
			    "space nor hold two in a row.");
		/* At most FORM_MAX_OPTIONS: the pairs are few. */
		for (size_t m = 0; m < k; m++)
			if (strcmp(it->options[m].value, o->value) == 0) {
				report(c, it->path, arena_printf(c->a,
				    "%s.value", at), "Another option of this "
				    "item has the same value.");
				break;
			}
		text_check(c, it->path, arena_printf(c->a, "%s.text", at),
		    &o->text);
	}
}

static void
bounds_check(struct checker *c, const struct form_item *it)
{
	bool numeric = it->type == FORM_INTEGER || it->type == FORM_DECIMAL;
	bool has_min = it->has_min || it->min_date != NULL;
	bool has_max = it->has_max || it->max_date != NULL;

	if (!numeric && it->type != FORM_DATE) {
		if (has_min)
			report(c, it->path, "min", "Only integer, decimal and "
			    "date items have a minimum.");
		if (has_max)
			report(c, it->path, "max", "Only integer, decimal and "
			    "date items have a maximum.");
		return;
	}
	if (numeric) {
		bool bad = false;

		if (it->min_date != NULL || (it->type == FORM_INTEGER &&
		    it->has_min && (it->min != floor(it->min) ||
		    fabs(it->min) > 9007199254740991.0))) {
			report(c, it->path, "min", it->type == FORM_INTEGER ?
			    "Must be a whole number." : "Must be a number.");
			bad = true;
		}
		if (it->max_date != NULL || (it->type == FORM_INTEGER &&
		    it->has_max && (it->max != floor(it->max) ||
		    fabs(it->max) > 9007199254740991.0))) {
			report(c, it->path, "max", it->type == FORM_INTEGER ?
			    "Must be a whole number." : "Must be a number.");
			bad = true;
		}
		if (!bad && it->has_min && it->has_max && it->min > it->max)
			report(c, it->path, "max", "The maximum is less than "
			    "the minimum.");
		return;
	}
	if (it->has_min || (it->min_date != NULL && !date_valid(it->min_date)))
		report(c, it->path, "min", "Must be a date, as YYYY-MM-DD.");
	else if (it->has_max || (it->max_date != NULL &&
	    !date_valid(it->max_date)))
		report(c, it->path, "max", "Must be a date, as YYYY-MM-DD.");
	/* YYYY-MM-DD compares as text. */
	else if (it->min_date != NULL && it->max_date != NULL &&
	    strcmp(it->min_date, it->max_date) > 0)
		report(c, it->path, "max", "The latest date is before the "
		    "earliest.");
}

static void
item_check(struct checker *c, struct id_table *ids, int i)
{
	struct form_item *it = &c->def->items[i];
	bool has_children = it->end > i + 1;

	if (!id_add(ids, i))
		report(c, it->path, "link_id", "An earlier item has the same "
		    "link_id.");
	text_check(c, it->path, "text", &it->text);
	if (it->type == FORM_GROUP && !has_children)
		report(c, it->path, "items", "A group needs at least one "
		    "item.");
	if (it->type != FORM_GROUP && has_children)
		report(c, it->path, "items", "Only a group holds items.");
	if (it->required && !form_item_answers(it))
		report(c, it->path, "required", it->type == FORM_GROUP ?
		    "A group takes no answer of its own, so it cannot be "
		    "required; make its questions required." :
		    "A display item takes no answer, so it cannot be "
		    "required.");
	options_check(c, it);
	bounds_check(c, it);
	if (it->type == FORM_STRING || it->type == FORM_TEXT) {
		size_t bound = it->type == FORM_STRING ? FORM_STRING_MAX :
		    FORM_TEXT_MAX;

		if (it->max_length > bound)
			report(c, it->path, "max_length", it->type ==
			    FORM_STRING ? "A string item holds at most 200 "
			    "characters." : "A text item holds at most 5000 "
			    "characters.");
	} else if (it->max_length != 0)
		report(c, it->path, "max_length", "Only string and text items "
		    "have a max_length.");
}

bool
form_def_check(struct arena *a, struct form_def *def, bool need_tr,
    bool need_en, form_problem_fn *problem, void *ctx)
{
	struct checker c = { a, def, need_tr, need_en, problem, ctx, true };
	struct id_table ids;

	text_check(&c, NULL, "title", &def->title);
	if (def->description.tr != NULL || def->description.en != NULL)
		text_check(&c, NULL, "description", &def->description);
	if (def->n_items == 0)
		report(&c, NULL, "items", "A form needs at least one item.");
	if (!id_table_init(a, &ids, def->items, def->n_items)) {
		report(&c, NULL, NULL, "Out of memory while checking the "
		    "form.");
		return false;
	}
	/* A condition names an earlier item: every earlier one is in the
	 * table when an item's conditions are checked, and a later one is
	 * told apart from an unknown one by a second pass. */
	for (size_t i = 0; i < def->n_items; i++)
		item_check(&c, &ids, (int)i);
	for (size_t i = 0; i < def->n_items; i++)
		conditions_check(&c, &ids, (int)i);
	return c.ok;
}

bool
form_item_answers(const struct form_item *it)
{
	return it->type != FORM_DISPLAY && it->type != FORM_GROUP;
}

/* ------------------------------------------------------------------ */
/* Which items are enabled */

/* An answer as the conditions see it. */
struct answer_view {
	struct json_object *v;	/* NULL: no answer */
	const char *s;		/* a string's text, white space trimmed */
	size_t len;
};

static void
answer_view(const struct form_item *it, struct json_object *answers,
    struct answer_view *out)
{
	struct json_object *v = NULL;

	memset(out, 0, sizeof(*out));
	if (answers == NULL ||
	    !json_object_is_type(answers, json_type_object) ||
	    !json_object_object_get_ex(answers, it->link_id, &v) || v == NULL)
		return;
	switch (json_object_get_type(v)) {
	case json_type_string: {
		const char *s = json_object_get_string(v);
		size_t len = (size_t)json_object_get_string_len(v);

		out->s = s;
		out->len = len;
		/* A blank string is no answer, whatever the type (as the
		 * apps see it); only string and text answers compare
		 * trimmed. */
		trim_span(&s, &len);
		if (len == 0)
			return;
		if (it->type == FORM_STRING || it->type == FORM_TEXT) {
			out->s = s;
			out->len = len;
		}
		break;
	}
	case json_type_array:
		if (json_object_array_length(v) == 0)
			return;
		break;
	default:
		break;
	}
	/* Only a ticked box answers a consent. */
	if (it->type == FORM_CONSENT && !(json_object_is_type(v,
	    json_type_boolean) && json_object_get_boolean(v)))
		return;
	out->v = v;
}

static bool
same_string(const struct answer_view *av, struct json_object *want)
{
	const char *w = json_object_get_string(want);
	size_t wlen = (size_t)json_object_get_string_len(want);

	return av->s != NULL && av->len == wlen && memcmp(av->s, w, wlen) == 0;
}

/* Whether the answer equals the condition's answer; a value of the wrong
 * type equals nothing. */
static bool
answer_equals(const struct form_item *q, const struct answer_view *av,
    struct json_object *want)
{
	enum json_type at = json_object_get_type(av->v);
	enum json_type wt = json_object_get_type(want);

	switch (q->type) {
	case FORM_BOOLEAN:
	case FORM_CONSENT:
		return at == json_type_boolean && wt == json_type_boolean &&
		    json_object_get_boolean(av->v) ==
		    json_object_get_boolean(want);
	case FORM_INTEGER:
		return at == json_type_int && wt == json_type_int &&
		    json_object_get_int64(av->v) == json_object_get_int64(want);
	case FORM_DECIMAL:
		return (at == json_type_int || at == json_type_double) &&
		    (wt == json_type_int || wt == json_type_double) &&
		    json_object_get_double(av->v) ==
		    json_object_get_double(want);
	case FORM_DATE:
	case FORM_STRING:
	case FORM_TEXT:
	case FORM_CHOICE:
		return at == json_type_string && wt == json_type_string &&
		    same_string(av, want);
	case FORM_MULTI_CHOICE:
		/* More entries than a form may have options is no answer of
		 * a multi_choice: such an array equals nothing, and a long
		 * one costs each condition on it no more than a short one. */
		if (at != json_type_array || wt != json_type_string ||
		    json_object_array_length(av->v) > FORM_MAX_OPTIONS)
			return false;
		for (size_t k = 0, n = json_object_array_length(av->v); k < n;
		    k++) {
			struct json_object *e =
			    json_object_array_get_idx(av->v, k);
			struct answer_view ev = { e, NULL, 0 };

			if (json_object_is_type(e, json_type_string)) {
				ev.s = json_object_get_string(e);
				ev.len = (size_t)json_object_get_string_len(e);
				if (same_string(&ev, want))
					return true;
			}
		}
		return false;
	default:
		return false;
	}
}

static bool
condition_holds(const struct form_def *def, const struct form_condition *cond,
    const struct answer_view *av)
{
	bool answered = av != NULL && av->v != NULL;

	switch (cond->op) {
	case FORM_EXISTS:
		return json_object_is_type(cond->answer, json_type_boolean) &&
		    json_object_get_boolean(cond->answer) == answered;
	case FORM_EQUALS:
		return answered && answer_equals(&def->items[cond->target], av,
		    cond->answer);
	case FORM_NOT_EQUALS:
		return answered && !answer_equals(&def->items[cond->target], av,
		    cond->answer);
	}
	return false;
}

void
form_enabled(const struct form_def *def, struct json_object *answers,
    bool *enabled)
{
	/* Each question's answer is looked at once, when its turn comes,
	 * and kept for the conditions after it: linear in the answers. */
	struct answer_view views[FORM_MAX_ITEMS];

	for (size_t i = 0; i < def->n_items; i++) {
		const struct form_item *it = &def->items[i];
		bool on = it->parent < 0 || enabled[it->parent];

		if (on && it->n_conds > 0) {
			size_t held = 0;

			for (size_t j = 0; j < it->n_conds; j++) {
				const struct form_condition *cond =
				    &it->conds[j];
				const struct answer_view *av = NULL;
				struct answer_view late;
				int t = cond->target;

				/* A condition form_def_check() did not place
				 * sees no answer, as does one on a disabled
				 * question. */
				if (t >= 0 && (size_t)t < i && enabled[t]) {
					if ((size_t)t < FORM_MAX_ITEMS)
						av = &views[t];
					else {
						answer_view(&def->items[t],
						    answers, &late);
						av = &late;
					}
				}
				if (condition_holds(def, cond, av))
					held++;
			}
			on = it->enable_any ? held > 0 : held == it->n_conds;
		}
		enabled[i] = on;
		if (i < FORM_MAX_ITEMS) {
			if (on && form_item_answers(it))
				answer_view(it, answers, &views[i]);
			else
				memset(&views[i], 0, sizeof(views[i]));
		}
	}
}

/* ------------------------------------------------------------------ */
/* Building JSON: each helper takes v and puts it when it cannot keep it,
 * so a failed allocation anywhere is one false up the chain. */

static bool
add(struct json_object *obj, const char *key, struct json_object *v)
{
	if (v == NULL)
		return false;
	if (json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

static bool
append(struct json_object *arr, struct json_object *v)
{
	if (v == NULL)
		return false;
	if (json_object_array_add(arr, v) != 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

static bool
add_string(struct json_object *obj, const char *key, const char *s)
{
	return s != NULL && add(obj, key, json_object_new_string(s));
}

/* A number as its shortest text that reads back the same (json-c would
 * write 0.1 as 0.10000000000000001), a whole one within 2^53 as an
 * integer. */
static struct json_object *
number_json(double d)
{
	char buf[40];

	if (d == floor(d) && fabs(d) <= 9007199254740991.0)
		return json_object_new_int64((int64_t)d);
	for (int precision = 15; precision <= 17; precision++) {
		snprintf(buf, sizeof(buf), "%.*g", precision, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return json_object_new_double_s(d, buf);
}

/* Calls each(def, i, arg, parent_array) for the items of [from, to) at
 * one level: a group's items are [i + 1, end). */
typedef bool item_fn(const struct form_def *, size_t, void *,
    struct json_object *);

static bool
each_child(const struct form_def *def, size_t from, size_t to, item_fn *each,
    void *arg, struct json_object *arr)
{
	for (size_t i = from; i < to; i = (size_t)def->items[i].end) {
		/* Not a definition form_def_read() made. */
		if (def->items[i].end <= (int)i)
			return false;
		if (!each(def, i, arg, arr))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* One language */

const char *
form_text_in(const struct form_text *t, const char *lang)
{
	if (lang != NULL && strcmp(lang, "en") == 0)
		return t->en != NULL ? t->en : t->tr;
	return t->tr != NULL ? t->tr : t->en;
}

static bool
localize_item(const struct form_def *def, size_t i, void *arg,
    struct json_object *arr)
{
	const char *lang = arg;
	const struct form_item *it = &def->items[i];
	struct json_object *o = json_object_new_object(), *list;
	bool dates = it->type == FORM_DATE;

	if (!append(arr, o))
		return false;
	if (!add_string(o, "link_id", it->link_id) ||
	    !add_string(o, "type", form_type_names[it->type]) ||
	    !add_string(o, "text", form_text_in(&it->text, lang)) ||
	    !add(o, "required", json_object_new_boolean(it->required)))
		return false;
	if (it->n_options > 0) {
		if (!add(o, "options", list = json_object_new_array()))
			return false;
		for (size_t k = 0; k < it->n_options; k++) {
			struct json_object *opt = json_object_new_object();

			if (!append(list, opt) ||
			    !add_string(opt, "value", it->options[k].value) ||
			    !add_string(opt, "text",
			    form_text_in(&it->options[k].text, lang)))
				return false;
		}
	}
	if ((dates && it->min_date != NULL && !add_string(o, "min",
	    it->min_date)) || (!dates && it->has_min && !add(o, "min",
	    number_json(it->min))))
		return false;
	if ((dates && it->max_date != NULL && !add_string(o, "max",
	    it->max_date)) || (!dates && it->has_max && !add(o, "max",
	    number_json(it->max))))
		return false;
	if (it->max_length > 0 && !add(o, "max_length",
	    json_object_new_int64((int64_t)it->max_length)))
		return false;
	if (it->n_conds > 0) {
		if (!add(o, "enable_when", list = json_object_new_array()) ||
		    !add_string(o, "enable_behavior", it->enable_any ? "any" :
		    "all"))
			return false;
		for (size_t j = 0; j < it->n_conds; j++) {
			const struct form_condition *c = &it->conds[j];
			struct json_object *cond = json_object_new_object();

			if (!append(list, cond) ||
			    !add_string(cond, "question", c->question) ||
			    !add_string(cond, "operator",
			    form_operator_names[c->op]) ||
			    !add(cond, "answer", json_object_get(c->answer)))
				return false;
		}
	}
	if (it->end > (int)i + 1) {
		if (!add(o, "items", list = json_object_new_array()))
			return false;
		return each_child(def, i + 1, (size_t)it->end, localize_item,
		    arg, list);
	}
	return true;
}

struct json_object *
form_localize(const struct form_def *def, const char *lang)
{
	struct json_object *root = json_object_new_object(), *items;
	const char *desc = form_text_in(&def->description, lang);

	if (root == NULL)
		return NULL;
	if (!add_string(root, "title", form_text_in(&def->title, lang)) ||
	    (desc != NULL && !add_string(root, "description", desc)) ||
	    !add(root, "items", items = json_object_new_array()) ||
	    !each_child(def, 0, def->n_items, localize_item, (void *)lang,
	    items)) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

/* ------------------------------------------------------------------ */
/* FHIR R4 Questionnaire */

#define FHIR_SD "http://hl7.org/fhir/StructureDefinition/"

struct fhir {
	const char *lang, *other;	/* "tr" and "en", in some order */
};

static const char *
text_exact(const struct form_text *t, const char *lang)
{
	return strcmp(lang, "en") == 0 ? t->en : t->tr;
}

/* {"url": url, key: v} */
static struct json_object *
extension(const char *url, const char *key, struct json_object *v)
{
	struct json_object *e = json_object_new_object();

	if (e == NULL) {
		json_object_put(v);
		return NULL;
	}
	if (!add_string(e, "url", url) || !add(e, key, v)) {
		json_object_put(e);
		return NULL;
	}
	return e;
}

/* Sets key to t in the export's language and "_" key to the other
 * language's text as the translation extension, when there is one that
 * differs. */
static bool
add_text(struct json_object *obj, const struct fhir *f, const char *key,
    const struct form_text *t)
{
	const char *main_text = form_text_in(t, f->lang);
	const char *other = text_exact(t, f->other);
	struct json_object *prim, *exts, *tr, *sub;
	char under[32];

	if (main_text == NULL)
		return true;
	if (!add_string(obj, key, main_text))
		return false;
	/* The same words in both languages need no translation. */
	if (other == NULL || strcmp(other, main_text) == 0)
		return true;
	snprintf(under, sizeof(under), "_%s", key);
	if (!add(obj, under, prim = json_object_new_object()) ||
	    !add(prim, "extension", exts = json_object_new_array()) ||
	    !append(exts, tr = json_object_new_object()) ||
	    !add_string(tr, "url", FHIR_SD "translation") ||
	    !add(tr, "extension", sub = json_object_new_array()))
		return false;
	return append(sub, extension("lang", "valueCode",
	    json_object_new_string(f->other))) &&
	    append(sub, extension("content", "valueString",
	    json_object_new_string(other)));
}

static const char *
fhir_type(enum form_type t)
{
	switch (t) {
	case FORM_MULTI_CHOICE:
		return "choice";
	case FORM_CONSENT:
		return "boolean";
	default:
		return form_type_names[t];
	}
}

/* The answer[x] of an enableWhen: by the question's type once
 * form_def_check() placed it, else by the JSON's. */
static bool
add_when_answer(struct json_object *w, const struct form_def *def,
    const struct form_condition *c)
{
	enum json_type jt = json_object_get_type(c->answer);
	enum form_type qt = c->target >= 0 ? def->items[c->target].type :
	    FORM__TYPES;
	struct json_object *coding;

	if (c->op == FORM_EXISTS || jt == json_type_boolean)
		return add(w, "answerBoolean", json_object_new_boolean(
		    json_object_get_boolean(c->answer)));
	if (qt == FORM_CHOICE || qt == FORM_MULTI_CHOICE)
		return add(w, "answerCoding", coding =
		    json_object_new_object()) && add_string(coding, "code",
		    json_object_get_string(c->answer));
	if (qt == FORM_DATE)
		return add_string(w, "answerDate",
		    json_object_get_string(c->answer));
	if (jt == json_type_string)
		return add_string(w, "answerString",
		    json_object_get_string(c->answer));
	if (qt == FORM_DECIMAL || jt == json_type_double)
		return add(w, "answerDecimal", number_json(
		    json_object_get_double(c->answer)));
	return add(w, "answerInteger", json_object_new_int64(
	    json_object_get_int64(c->answer)));
}

/* minValue / maxValue, typed by the item. */
static struct json_object *
bound_extension(const struct form_item *it, const char *url, bool has,
    double num, const char *date)
{
	if (it->type == FORM_DATE)
		return date != NULL ? extension(url, "valueDate",
		    json_object_new_string(date)) : NULL;
	if (!has)
		return NULL;
	if (it->type == FORM_INTEGER)
		return extension(url, "valueInteger",
		    json_object_new_int64((int64_t)num));
	return extension(url, "valueDecimal", number_json(num));
}

/* A consent must be ticked, which FHIR's required (answered at all) does
 * not say of a boolean: the core questionnaire-constraint extension says
 * it, in FHIRPath and in words. */
static struct json_object *
consent_constraint(const struct fhir *f, size_t i)
{
	struct json_object *e = json_object_new_object(), *sub;
	char key[32];
	bool en = strcmp(f->lang, "en") == 0;

	snprintf(key, sizeof(key), "consent-%zu", i);
	if (e == NULL)
		return NULL;
	if (!add_string(e, "url", FHIR_SD "questionnaire-constraint") ||
	    !add(e, "extension", sub = json_object_new_array()) ||
	    !append(sub, extension("key", "valueId",
	    json_object_new_string(key))) ||
	    !append(sub, extension("severity", "valueCode",
	    json_object_new_string("error"))) ||
	    !append(sub, extension("expression", "valueString",
	    json_object_new_string("answer.value = true"))) ||
	    !append(sub, extension("human", "valueString",
	    json_object_new_string(en ? "This box must be ticked." :
	    "Bu kutunun işaretlenmesi gerekir.")))) {
		json_object_put(e);
		return NULL;
	}
	return e;
}

static bool
fhir_item(const struct form_def *def, size_t i, void *arg,
    struct json_object *arr)
{
	const struct fhir *f = arg;
	const struct form_item *it = &def->items[i];
	struct json_object *o = json_object_new_object(), *list, *exts = NULL;
	struct json_object *e;

	if (!append(arr, o) || !add_string(o, "linkId", it->link_id) ||
	    !add_text(o, f, "text", &it->text) ||
	    !add_string(o, "type", fhir_type(it->type)))
		return false;
	if (form_item_answers(it) && (it->required || it->type ==
	    FORM_CONSENT) && !add(o, "required", json_object_new_boolean(1)))
		return false;
	if (it->type == FORM_MULTI_CHOICE &&
	    !add(o, "repeats", json_object_new_boolean(1)))
		return false;
	if ((it->type == FORM_STRING || it->type == FORM_TEXT) &&
	    !add(o, "maxLength", json_object_new_int64((int64_t)
	    it->max_length)))
		return false;
	if (it->n_options > 0 && (it->type == FORM_CHOICE ||
	    it->type == FORM_MULTI_CHOICE)) {
		if (!add(o, "answerOption", list = json_object_new_array()))
			return false;
		for (size_t k = 0; k < it->n_options; k++) {
			struct json_object *opt = json_object_new_object();
			struct json_object *coding;

			if (!append(list, opt) || !add(opt, "valueCoding",
			    coding = json_object_new_object()) ||
			    !add_string(coding, "code", it->options[k].value) ||
			    !add_text(coding, f, "display",
			    &it->options[k].text))
				return false;
		}
	}
	if (it->n_conds > 0) {
		if (!add(o, "enableWhen", list = json_object_new_array()))
			return false;
		for (size_t j = 0; j < it->n_conds; j++) {
			const struct form_condition *c = &it->conds[j];
			struct json_object *w = json_object_new_object();

			if (!append(list, w) ||
			    !add_string(w, "question", c->question) ||
			    !add_string(w, "operator",
			    form_operator_names[c->op]) ||
			    !add_when_answer(w, def, c))
				return false;
		}
		if (it->n_conds > 1 && !add_string(o, "enableBehavior",
		    it->enable_any ? "any" : "all"))
			return false;
	}
	if (it->type == FORM_INTEGER || it->type == FORM_DECIMAL ||
	    it->type == FORM_DATE || it->type == FORM_CONSENT) {
		if (!add(o, "extension", exts = json_object_new_array()))
			return false;
		if ((e = bound_extension(it, FHIR_SD "minValue", it->has_min,
		    it->min, it->min_date)) != NULL && !append(exts, e))
			return false;
		if ((e = bound_extension(it, FHIR_SD "maxValue", it->has_max,
		    it->max, it->max_date)) != NULL && !append(exts, e))
			return false;
		if (it->type == FORM_CONSENT &&
		    !append(exts, consent_constraint(f, i)))
			return false;
		/* FHIR forbids an empty array. */
		if (json_object_array_length(exts) == 0)
			json_object_object_del(o, "extension");
	}
	if (it->end > (int)i + 1) {
		if (!add(o, "item", list = json_object_new_array()))
			return false;
		return each_child(def, i + 1, (size_t)it->end, fhir_item, arg,
		    list);
	}
	return true;
}

static bool
digits_at(const char *s, size_t from, size_t n)
{
	for (size_t i = from; i < from + n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * A timestamp as FHIR's dateTime wants it, in out: PostgreSQL's text form
 * ("2026-12-06 10:00:00.5+03") is taken too, its space made a T and its
 * offset given minutes. False when in is neither that nor RFC 3339 (the
 * export then has no date rather than one the schema refuses).
 */
static bool
fhir_datetime(const char *in, char *out, size_t size)
{
	size_t len = strlen(in), i = 19;

	if (len < 20 || len + 4 > size || !digits_at(in, 0, 4) ||
	    in[4] != '-' || !digits_at(in, 5, 2) || in[7] != '-' ||
	    !digits_at(in, 8, 2) || (in[10] != 'T' && in[10] != ' ') ||
	    !digits_at(in, 11, 2) || in[13] != ':' || !digits_at(in, 14, 2) ||
	    in[16] != ':' || !digits_at(in, 17, 2))
		return false;
	memcpy(out, in, len + 1);
	out[10] = 'T';
	if (in[i] == '.') {
		size_t start = ++i;

		while (i < len && in[i] >= '0' && in[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	if (strcmp(in + i, "Z") == 0)
		return true;
	if (in[i] != '+' && in[i] != '-')
		return false;
	if (len - i == 3 && digits_at(in, i + 1, 2)) {
		memcpy(out + len, ":00", 4);
		return true;
	}
	return len - i == 6 && digits_at(in, i + 1, 2) && in[i + 3] == ':' &&
	    digits_at(in, i + 4, 2);
}

struct json_object *
form_fhir(const struct form_def *def, const char *form_id, int version,
    bool archived, const char *date, const char *default_lang)
{
	struct fhir f;
	struct json_object *q = json_object_new_object(), *items;
	char version_text[16], when[64], *url;
	bool ok, dated;

	if (q == NULL)
		return NULL;
	f.lang = default_lang != NULL && strcmp(default_lang, "en") == 0 ?
	    "en" : "tr";
	f.other = strcmp(f.lang, "en") == 0 ? "tr" : "en";
	snprintf(version_text, sizeof(version_text), "%d", version);
	dated = date != NULL && fhir_datetime(date, when, sizeof(when));
	if ((url = malloc(strlen(form_id) + 10)) == NULL) {
		json_object_put(q);
		return NULL;
	}
	snprintf(url, strlen(form_id) + 10, "urn:uuid:%s", form_id);
	ok = add_string(q, "resourceType", "Questionnaire") &&
	    add_string(q, "id", form_id) && add_string(q, "language", f.lang) &&
	    add_string(q, "url", url) &&
	    add_string(q, "version", version_text) &&
	    add_text(q, &f, "title", &def->title) &&
	    add_string(q, "status", archived ? "retired" : "active") &&
	    (!dated || add_string(q, "date", when)) &&
	    add_text(q, &f, "description", &def->description);
	free(url);
	if (ok && def->n_items > 0)
		ok = add(q, "item", items = json_object_new_array()) &&
		    each_child(def, 0, def->n_items, fhir_item, &f, items);
	if (!ok) {
		json_object_put(q);
		return NULL;
	}
	return q;
}
