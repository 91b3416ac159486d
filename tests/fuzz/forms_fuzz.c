/*
 * forms_fuzz.c - a form's definition (forms.h) from any bytes: parsed as
 * a request body, read by form_def_read(), checked by form_def_check(),
 * its items enabled by form_enabled() for the same bytes taken as answers
 * and for answers made of its own conditions' values (so that the
 * comparisons are reached), then written in one language and as a FHIR
 * Questionnaire. What the header promises is checked: the flat items
 * nest as their parent and end say, a refusal names a field, a condition
 * points only at an earlier question, an item is off when its group is,
 * and both writers keep every item. No leak: the caller owns what the
 * writers return.
 */
#include "config.h"

#include <json-c/json.h>

#include "forms.h"
#include "fuzz.h"
#include "json_util.h"

struct seen {
	size_t problems;
	bool bad_field;
};

static void
problem(void *ctx, const char *field, const char *message)
{
	struct seen *s = ctx;

	s->problems++;
	if (field == NULL || strncmp(field, "definition", 10) != 0 ||
	    message == NULL || *message == '\0')
		s->bad_field = true;
}

static void
check_shape(const struct form_def *def)
{
	FUZZ_CHECK(def->n_items <= FORM_MAX_ITEMS);
	FUZZ_CHECK(def->title.tr != NULL || def->title.en != NULL);
	for (size_t i = 0; i < def->n_items; i++) {
		const struct form_item *it = &def->items[i];

		FUZZ_CHECK(it->link_id != NULL && it->path != NULL);
		FUZZ_CHECK(strlen(it->link_id) <= FORM_LINK_ID_MAX);
		FUZZ_CHECK((unsigned)it->type < FORM__TYPES);
		FUZZ_CHECK(it->depth >= 1 && it->depth <= FORM_MAX_DEPTH);
		FUZZ_CHECK(it->end > (int)i && (size_t)it->end <= def->n_items);
		FUZZ_CHECK(it->n_options <= FORM_MAX_OPTIONS);
		FUZZ_CHECK(it->n_conds <= FORM_MAX_CONDITIONS);
		if (it->parent < 0) {
			FUZZ_CHECK(it->depth == 1);
		} else {
			const struct form_item *p = &def->items[it->parent];

			FUZZ_CHECK(it->parent < (int)i);
			FUZZ_CHECK(p->end >= it->end);
			FUZZ_CHECK(it->depth == p->depth + 1);
		}
		for (size_t j = 0; j < it->n_conds; j++)
			FUZZ_CHECK(it->conds[j].target == -1);
	}
}

/* The number of items at the top and, recursively, in "items" (FHIR:
 * "item") of a writer's output. */
static size_t
count_json_items(struct json_object *items, const char *key)
{
	size_t n = 0;

	if (items == NULL)
		return 0;
	FUZZ_CHECK(json_object_is_type(items, json_type_array));
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		struct json_object *sub = NULL;

		n++;
		if (json_object_object_get_ex(json_object_array_get_idx(items,
		    i), key, &sub))
			n += count_json_items(sub, key);
	}
	return n;
}

static void
check_enabled(const struct form_def *def, struct json_object *answers)
{
	bool on[FORM_MAX_ITEMS];

	form_enabled(def, answers, on);
	for (size_t i = 0; i < def->n_items; i++) {
		const struct form_item *it = &def->items[i];

		if (it->parent >= 0 && !on[it->parent])
			FUZZ_CHECK(!on[i]);
		if (it->n_conds == 0)
			FUZZ_CHECK(on[i] == (it->parent < 0 || on[it->parent]));
	}
}

/* {question: answer} for every condition: the answers that make the
 * conditions compare equal values. */
static struct json_object *
answers_from_conditions(const struct form_def *def)
{
	struct json_object *answers = json_object_new_object();

	FUZZ_CHECK(answers != NULL);
	for (size_t i = 0; i < def->n_items; i++)
		for (size_t j = 0; j < def->items[i].n_conds; j++) {
			const struct form_condition *c = &def->items[i].conds[j];
			struct json_object *v = json_object_get(c->answer);

			if (c->target >= 0 &&
			    def->items[c->target].type == FORM_MULTI_CHOICE) {
				struct json_object *arr = json_object_new_array();

				FUZZ_CHECK(arr != NULL);
				FUZZ_CHECK(json_object_array_add(arr, v) == 0);
				v = arr;
			}
			FUZZ_CHECK(json_object_object_add(answers, c->question,
			    v) == 0);
		}
	return answers;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(4096);
	char *body = malloc(size > 0 ? size : 1);
	struct json_object *json = NULL, *out, *made;
	struct form_def def;
	struct seen seen = { 0, false };
	bool ok;
	enum err e;

	FUZZ_CHECK(a != NULL && body != NULL);
	if (size > 0)
		memcpy(body, data, size);
	if (json_parse(a, body, size, 32, &json, NULL) != JSON_PARSE_OK)
		goto out;
	e = form_def_read(a, json, &def);
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVALID);
	if (e != ERR_OK) {
		FUZZ_CHECK(def.n_items == 0 && def.items == NULL);
		goto out;
	}
	check_shape(&def);
	/* Unchecked conditions point nowhere: nothing but "exists false"
	 * holds, and nothing may crash. */
	check_enabled(&def, json);

	ok = form_def_check(a, &def, size % 2 == 0, size % 3 == 0, problem,
	    &seen);
	FUZZ_CHECK(!seen.bad_field);
	FUZZ_CHECK(ok == (seen.problems == 0));
	for (size_t i = 0; i < def.n_items; i++)
		for (size_t j = 0; j < def.items[i].n_conds; j++) {
			int t = def.items[i].conds[j].target;

			FUZZ_CHECK(t < (int)i);
			if (t >= 0) {
				FUZZ_CHECK(form_item_answers(&def.items[t]));
				FUZZ_CHECK(strcmp(def.items[t].link_id,
				    def.items[i].conds[j].question) == 0);
			}
		}
	if (ok)
		FUZZ_CHECK(def.n_items > 0);
	check_enabled(&def, json);
	made = answers_from_conditions(&def);
	check_enabled(&def, made);
	json_object_put(made);

	out = form_localize(&def, size % 2 == 0 ? "tr" : "en");
	FUZZ_CHECK(out != NULL);
	FUZZ_CHECK(count_json_items(json_object_object_get(out, "items"),
	    "items") == def.n_items);
	FUZZ_CHECK(json_object_to_json_string(out) != NULL);
	json_object_put(out);

	out = form_fhir(&def, "00000000-0000-4000-8000-000000000000", 1,
	    size % 5 == 0, size % 7 == 0 ? NULL : "2026-01-01T00:00:00Z",
	    size % 2 == 0 ? "en" : "tr");
	FUZZ_CHECK(out != NULL);
	FUZZ_CHECK(count_json_items(json_object_object_get(out, "item"),
	    "item") == def.n_items);
	FUZZ_CHECK(json_object_to_json_string(out) != NULL);
	json_object_put(out);
out:
	arena_free(a);
	free(body);
	return 0;
}
