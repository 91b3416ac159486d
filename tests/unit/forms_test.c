/* forms_test.c - a form's definition (forms.h): reading, each rule of
 * form_def_check() with the field it names, which items answers enable,
 * the definition in one language, its FHIR export, and the starter forms
 * of sql/0032, which must pass the rules in both languages. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "forms.h"
#include "json_util.h"

static int
setup(void **state)
{
	*state = arena_new(4096);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	arena_free(*state);
	return 0;
}

/* JSON text with ' for " (to keep the tests readable), owned by the
 * arena. */
static struct json_object *
js(struct arena *a, const char *text)
{
	char *s = arena_strdup(a, text);
	struct json_object *o;

	for (char *p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	o = json_tokener_parse(s);
	if (o == NULL)
		fail_msg("not JSON: %s", s);
	return json_arena_own(a, o);
}

static enum err
read_text(struct arena *a, const char *text, struct form_def *def)
{
	return form_def_read(a, js(a, text), def);
}

static void
read_ok(struct arena *a, const char *text, struct form_def *def)
{
	enum err e = read_text(a, text, def);

	if (e != ERR_OK)
		fail_msg("refused (%d): %s", e, text);
}

/* The problems form_def_check() reported. */
struct problems {
	size_t n;
	const char *field[64];
	const char *message[64];
};

static void
collect(void *ctx, const char *field, const char *message)
{
	struct problems *p = ctx;

	assert_non_null(field);
	assert_non_null(message);
	assert_true(strlen(message) > 0);
	if (p->n < 64) {
		p->field[p->n] = field;
		p->message[p->n] = message;
	}
	p->n++;
}

static bool
has_field(const struct problems *p, const char *field)
{
	for (size_t i = 0; i < p->n && i < 64; i++)
		if (strcmp(p->field[i], field) == 0)
			return true;
	return false;
}

/* Reads and checks text (both languages needed); expects exactly one
 * problem, at field. */
static void
one_problem(struct arena *a, const char *text, const char *field)
{
	struct form_def def;
	struct problems p = { 0 };

	read_ok(a, text, &def);
	if (form_def_check(a, &def, true, true, collect, &p))
		fail_msg("accepted, want a problem at %s: %s", field, text);
	if (p.n != 1 || !has_field(&p, field)) {
		for (size_t i = 0; i < p.n && i < 64; i++)
			print_message("  got %s: %s\n", p.field[i],
			    p.message[i]);
		fail_msg("want one problem at %s, got %zu", field, p.n);
	}
}

static void
no_problem(struct arena *a, const char *text, struct form_def *def)
{
	struct problems p = { 0 };

	read_ok(a, text, def);
	if (!form_def_check(a, def, true, true, collect, &p)) {
		for (size_t i = 0; i < p.n && i < 64; i++)
			print_message("  got %s: %s\n", p.field[i],
			    p.message[i]);
		fail_msg("refused: %s", text);
	}
	assert_int_equal(p.n, 0);
}

#define T(tr, en) "{'tr':'" tr "','en':'" en "'}"
#define TITLE "'title':" T("Başlık", "Title")
#define Q(id, type) "{'link_id':'" id "','type':'" type "','text':" \
	T("Soru " id, "Question " id)

/* Every type, a group in a group, options, bounds and conditions. */
static const char every_type[] = "{" TITLE ",'description':"
    T("Açıklama", "About") ",'items':["
    Q("intro", "display") "},"
    Q("smoker", "boolean") ",'required':true},"
    Q("cigs", "integer") ",'min':1,'max':80,'enable_when':[{'question':"
	"'smoker','operator':'=','answer':true}]},"
    Q("weight", "decimal") ",'min':2.5,'max':300},"
    Q("born", "date") ",'min':'1900-01-01','max':'2026-12-31'},"
    Q("name", "string") ",'max_length':80},"
    Q("notes", "text") "},"
    Q("blood", "choice") ",'options':[{'value':'a','text':" T("A", "A")
	"},{'value':'b','text':" T("B", "B") "}]},"
    Q("ills", "multi_choice") ",'options':[{'value':'heart','text':"
	T("Kalp", "Heart") "},{'value':'sugar','text':" T("Şeker",
	"Diabetes") "}]},"
    Q("more", "group") ",'enable_when':[{'question':'ills','operator':'=',"
	"'answer':'heart'},{'question':'smoker','operator':'exists',"
	"'answer':true}],'enable_behavior':'any','items':["
	Q("inner", "group") ",'items':["
	    Q("which", "string") ",'required':true}]},"
	Q("since", "date") "}]},"
    Q("ok", "consent") "}]}";

static void
test_reads_every_type(void **state)
{
	struct arena *a = *state;
	struct form_def def;
	const struct form_item *it;

	no_problem(a, every_type, &def);
	assert_int_equal(def.n_items, 14);
	assert_string_equal(def.title.tr, "Başlık");
	assert_string_equal(def.description.en, "About");
	it = def.items;
	assert_int_equal(it[0].type, FORM_DISPLAY);
	assert_true(it[1].required);
	assert_int_equal(it[2].type, FORM_INTEGER);
	assert_true(it[2].has_min && it[2].has_max);
	assert_true(it[2].min == 1 && it[2].max == 80);
	assert_int_equal(it[2].n_conds, 1);
	assert_int_equal(it[2].conds[0].target, 1);
	assert_int_equal(it[2].conds[0].op, FORM_EQUALS);
	assert_true(it[3].min == 2.5);
	assert_string_equal(it[4].min_date, "1900-01-01");
	assert_string_equal(it[4].max_date, "2026-12-31");
	assert_false(it[4].has_min);
	assert_int_equal(it[5].max_length, 80);
	/* The defaults when unset. */
	assert_int_equal(it[6].max_length, FORM_TEXT_MAX);
	assert_int_equal(it[7].n_options, 2);
	assert_string_equal(it[7].options[1].value, "b");
	assert_string_equal(it[8].options[1].text.en, "Diabetes");
	/* The group, its group, and their items, flat in document order. */
	assert_string_equal(it[9].link_id, "more");
	assert_true(it[9].enable_any);
	assert_int_equal(it[9].conds[1].op, FORM_EXISTS);
	assert_int_equal(it[9].end, 13);
	assert_int_equal(it[10].parent, 9);
	assert_int_equal(it[10].depth, 2);
	assert_int_equal(it[10].end, 12);
	assert_int_equal(it[11].parent, 10);
	assert_int_equal(it[11].depth, 3);
	assert_string_equal(it[11].path, "items[9].items[0].items[0]");
	assert_int_equal(it[12].parent, 9);
	assert_string_equal(it[12].path, "items[9].items[1]");
	assert_int_equal(it[13].parent, -1);
	assert_int_equal(it[13].end, 14);
	assert_int_equal(it[13].type, FORM_CONSENT);
	assert_false(it[0].enable_any);
	assert_true(def.json != NULL);
	assert_true(form_item_answers(&it[1]));
	assert_false(form_item_answers(&it[0]));
	assert_false(form_item_answers(&it[9]));
	assert_string_equal(form_type_names[FORM_MULTI_CHOICE], "multi_choice");
	assert_string_equal(form_operator_names[FORM_NOT_EQUALS], "!=");
}

/* 201 'x' characters, or n 'ş' (two bytes each). */
static const char *
long_text(struct arena *a, const char *c, size_t n)
{
	size_t len = strlen(c);
	char *s = arena_alloc(a, len * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * len, c, len);
	return s;
}

static void
test_read_refuses_shapes(void **state)
{
	struct arena *a = *state;
	struct form_def def;
	static const char *const bad[] = {
		"[]",
		"{'items':[]}",
		"{" TITLE "}",
		"{" TITLE ",'items':{}}",
		"{" TITLE ",'items':[],'extra':1}",
		"{'title':{},'items':[]}",
		"{'title':{'de':'x'},'items':[]}",
		"{'title':{'tr':''},'items':[]}",
		"{'title':{'tr':3},'items':[]}",
		"{'title':'x','items':[]}",
		"{" TITLE ",'description':{},'items':[]}",
		"{" TITLE ",'items':[3]}",
		"{" TITLE ",'items':[{'type':'boolean','text':" T("a", "b") "}]}",
		"{" TITLE ",'items':[" Q("1a", "boolean") "}]}",
		"{" TITLE ",'items':[" Q("a b", "boolean") "}]}",
		"{" TITLE ",'items':[" Q("a", "radio") "}]}",
		"{" TITLE ",'items':[{'link_id':'a','type':'boolean'}]}",
		"{" TITLE ",'items':[" Q("a", "boolean") ",'colour':'red'}]}",
		"{" TITLE ",'items':[" Q("a", "boolean") ",'required':'yes'}]}",
		"{" TITLE ",'items':[" Q("a", "choice") ",'options':{}}]}",
		"{" TITLE ",'items':[" Q("a", "choice") ",'options':[{'value':"
		    "'','text':" T("a", "b") "}]}]}",
		"{" TITLE ",'items':[" Q("a", "choice") ",'options':[{'value':"
		    "'x'}]}]}",
		"{" TITLE ",'items':[" Q("a", "integer") ",'min':true}]}",
		"{" TITLE ",'items':[" Q("a", "string") ",'max_length':0}]}",
		"{" TITLE ",'items':[" Q("a", "string") ",'max_length':2.5}]}",
		"{" TITLE ",'items':[" Q("a", "boolean") "}," Q("b", "boolean")
		    ",'enable_when':[{'question':'a','operator':'>',"
		    "'answer':true}]}]}",
		"{" TITLE ",'items':[" Q("a", "boolean") "}," Q("b", "boolean")
		    ",'enable_when':[{'question':'a','operator':'='}]}]}",
		"{" TITLE ",'items':[" Q("a", "boolean") "}," Q("b", "boolean")
		    ",'enable_when':[{'question':'a','operator':'=',"
		    "'answer':[true]}]}]}",
		"{" TITLE ",'items':[" Q("a", "boolean") "}," Q("b", "boolean")
		    ",'enable_when':{}}]}",
		"{" TITLE ",'items':[" Q("a", "boolean") ",'enable_behavior':"
		    "'some'}]}",
		"{" TITLE ",'items':[" Q("a", "group") ",'items':3}]}",
		/* Four levels. */
		"{" TITLE ",'items':[" Q("a", "group") ",'items':[" Q("b",
		    "group") ",'items':[" Q("c", "group") ",'items':[" Q("d",
		    "boolean") "}]}]}]}]}",
	};
	char *big;
	size_t used;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (read_text(a, bad[i], &def) != ERR_INVALID)
			fail_msg("read: %s", bad[i]);
	assert_int_equal(form_def_read(a, NULL, &def), ERR_INVALID);

	/* The limits: title length in characters, not bytes. */
	read_ok(a, arena_printf(a, "{'title':{'tr':'%s'},'items':[]}",
	    long_text(a, "ş", FORM_TITLE_MAX)), &def);
	assert_int_equal(read_text(a, arena_printf(a, "{'title':{'tr':'%s'},"
	    "'items':[]}", long_text(a, "x", FORM_TITLE_MAX + 1)), &def),
	    ERR_INVALID);
	assert_int_equal(read_text(a, arena_printf(a, "{" TITLE ",'items':["
	    Q("%s", "boolean") "}]}", long_text(a, "a", FORM_LINK_ID_MAX),
	    "a", "a"), &def), ERR_OK);
	assert_int_equal(read_text(a, arena_printf(a, "{" TITLE ",'items':["
	    Q("%s", "boolean") "}]}", long_text(a, "a", FORM_LINK_ID_MAX + 1),
	    "a", "a"), &def), ERR_INVALID);

	/* FORM_MAX_ITEMS items, and one more. */
	big = arena_alloc(a, 100000);
	used = (size_t)sprintf(big, "{" TITLE ",'items':[");
	for (int i = 0; i < FORM_MAX_ITEMS; i++)
		used += (size_t)sprintf(big + used, "%s" Q("q%d", "boolean")
		    "}", i == 0 ? "" : ",", i, i, i);
	strcpy(big + used, "]}");
	read_ok(a, big, &def);
	assert_int_equal(def.n_items, FORM_MAX_ITEMS);
	strcpy(big + used, "," Q("extra", "boolean") "}]}");
	assert_int_equal(read_text(a, big, &def), ERR_INVALID);

	/* FORM_MAX_OPTIONS options, and one more; likewise conditions. */
	used = (size_t)sprintf(big, "{" TITLE ",'items':[" Q("c", "choice")
	    ",'options':[");
	for (int i = 0; i < FORM_MAX_OPTIONS; i++)
		used += (size_t)sprintf(big + used, "%s{'value':'v%d','text':"
		    T("a", "b") "}", i == 0 ? "" : ",", i);
	strcpy(big + used, "]}]}");
	read_ok(a, big, &def);
	strcpy(big + used, ",{'value':'z','text':" T("a", "b") "}]}]}");
	assert_int_equal(read_text(a, big, &def), ERR_INVALID);
	used = (size_t)sprintf(big, "{" TITLE ",'items':[" Q("a", "boolean")
	    "}," Q("b", "boolean") ",'enable_when':[");
	for (int i = 0; i < FORM_MAX_CONDITIONS; i++)
		used += (size_t)sprintf(big + used, "%s{'question':'a',"
		    "'operator':'exists','answer':true}", i == 0 ? "" : ",");
	strcpy(big + used, "]}]}");
	read_ok(a, big, &def);
	strcpy(big + used, ",{'question':'a','operator':'exists','answer':"
	    "true}]}]}");
	assert_int_equal(read_text(a, big, &def), ERR_INVALID);

	/* Nulls are absent members. */
	read_ok(a, "{" TITLE ",'description':null,'items':[" Q("a", "string")
	    ",'max_length':null,'options':null,'required':null}]}", &def);
	assert_int_equal(def.items[0].max_length, FORM_STRING_MAX);
}

static void
test_check_link_ids_and_structure(void **state)
{
	struct arena *a = *state;

	one_problem(a, "{" TITLE ",'items':[" Q("a", "boolean") "},"
	    Q("a", "integer") "}]}", "definition.items[1].link_id");
	/* A repeat inside a group is named by its path. */
	one_problem(a, "{" TITLE ",'items':[" Q("a", "boolean") "},"
	    Q("g", "group") ",'items':[" Q("a", "string") "}]}]}",
	    "definition.items[1].items[0].link_id");
	one_problem(a, "{" TITLE ",'items':[" Q("g", "group") ",'items':[]}]}",
	    "definition.items[0].items");
	one_problem(a, "{" TITLE ",'items':[" Q("g", "group") "}]}",
	    "definition.items[0].items");
	one_problem(a, "{" TITLE ",'items':[" Q("b", "boolean") ",'items':["
	    Q("c", "boolean") "}]}]}", "definition.items[0].items");
	one_problem(a, "{" TITLE ",'items':[]}", "definition.items");
	one_problem(a, "{" TITLE ",'items':[" Q("d", "display")
	    ",'required':true}]}", "definition.items[0].required");
	one_problem(a, "{" TITLE ",'items':[" Q("g", "group") ",'required':"
	    "true,'items':[" Q("b", "boolean") "}]}]}",
	    "definition.items[0].required");
}

static void
test_check_options(void **state)
{
	struct arena *a = *state;

	one_problem(a, "{" TITLE ",'items':[" Q("c", "choice") "}]}",
	    "definition.items[0].options");
	one_problem(a, "{" TITLE ",'items':[" Q("c", "multi_choice")
	    ",'options':[]}]}", "definition.items[0].options");
	one_problem(a, "{" TITLE ",'items':[" Q("c", "choice") ",'options':["
	    "{'value':'x','text':" T("a", "b") "},{'value':'x','text':"
	    T("c", "d") "}]}]}", "definition.items[0].options[1].value");
	one_problem(a, "{" TITLE ",'items':[" Q("c", "choice") ",'options':["
	    "{'value':'a  b','text':" T("a", "b") "}]}]}",
	    "definition.items[0].options[0].value");
	one_problem(a, "{" TITLE ",'items':[" Q("c", "choice") ",'options':["
	    "{'value':' a','text':" T("a", "b") "}]}]}",
	    "definition.items[0].options[0].value");
	one_problem(a, "{" TITLE ",'items':[" Q("b", "boolean") ",'options':["
	    "{'value':'x','text':" T("a", "b") "}]}]}",
	    "definition.items[0].options");
	one_problem(a, "{" TITLE ",'items':[" Q("c", "choice") ",'options':["
	    "{'value':'x','text':{'tr':'a'}}]}]}",
	    "definition.items[0].options[0].text.en");
}

static void
test_check_bounds_and_lengths(void **state)
{
	struct arena *a = *state;
	struct form_def def;

	one_problem(a, "{" TITLE ",'items':[" Q("n", "integer") ",'min':5,"
	    "'max':4}]}", "definition.items[0].max");
	one_problem(a, "{" TITLE ",'items':[" Q("n", "integer")
	    ",'min':1.5}]}", "definition.items[0].min");
	one_problem(a, "{" TITLE ",'items':[" Q("n", "integer")
	    ",'max':'2020-01-01'}]}", "definition.items[0].max");
	one_problem(a, "{" TITLE ",'items':[" Q("n", "decimal") ",'min':0.5,"
	    "'max':0.25}]}", "definition.items[0].max");
	one_problem(a, "{" TITLE ",'items':[" Q("d", "date")
	    ",'min':'2020-02-30'}]}", "definition.items[0].min");
	one_problem(a, "{" TITLE ",'items':[" Q("d", "date") ",'max':5}]}",
	    "definition.items[0].max");
	one_problem(a, "{" TITLE ",'items':[" Q("d", "date") ",'min':"
	    "'2021-01-01','max':'2020-12-31'}]}", "definition.items[0].max");
	one_problem(a, "{" TITLE ",'items':[" Q("s", "string") ",'min':1}]}",
	    "definition.items[0].min");
	one_problem(a, "{" TITLE ",'items':[" Q("s", "string")
	    ",'max_length':201}]}", "definition.items[0].max_length");
	one_problem(a, "{" TITLE ",'items':[" Q("s", "text")
	    ",'max_length':5001}]}", "definition.items[0].max_length");
	one_problem(a, "{" TITLE ",'items':[" Q("b", "boolean")
	    ",'max_length':10}]}", "definition.items[0].max_length");
	/* Equal bounds, a leap day, the limits themselves: fine. */
	no_problem(a, "{" TITLE ",'items':[" Q("n", "integer") ",'min':4,"
	    "'max':4}," Q("d", "date") ",'min':'2024-02-29'},"
	    Q("s", "string") ",'max_length':200}," Q("t", "text")
	    ",'max_length':5000}]}", &def);
}

static void
test_check_languages(void **state)
{
	struct arena *a = *state;
	struct form_def def;
	struct problems p = { 0 };
	static const char tr_only[] = "{'title':{'tr':'Başlık'},"
	    "'description':{'tr':'Açıklama'},'items':["
	    "{'link_id':'a','type':'choice','text':{'tr':'Soru'},"
	    "'options':[{'value':'x','text':{'tr':'Evet'}}]}]}";

	one_problem(a, "{'title':{'tr':'Başlık'},'items':[" Q("a", "boolean")
	    "}]}", "definition.title.en");
	one_problem(a, "{" TITLE ",'description':{'en':'About'},'items':["
	    Q("a", "boolean") "}]}", "definition.description.tr");
	one_problem(a, "{" TITLE ",'items':[{'link_id':'a','type':'boolean',"
	    "'text':{'en':'Q'}}]}", "definition.items[0].text.tr");

	/* A Turkish-only clinic needs no English, and the reverse. */
	read_ok(a, tr_only, &def);
	assert_true(form_def_check(a, &def, true, false, collect, &p));
	assert_int_equal(p.n, 0);
	assert_false(form_def_check(a, &def, false, true, collect, &p));
	assert_int_equal(p.n, 4);
	assert_true(has_field(&p, "definition.title.en"));
	assert_true(has_field(&p, "definition.description.en"));
	assert_true(has_field(&p, "definition.items[0].text.en"));
	assert_true(has_field(&p, "definition.items[0].options[0].text.en"));
}

#define BEFORE(type, extra) "{" TITLE ",'items':[" Q("q", type) extra "},"

static void
test_check_conditions(void **state)
{
	struct arena *a = *state;
	struct form_def def;
	static const char *const fits[] = {
		BEFORE("boolean", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':false}]}]}",
		BEFORE("integer", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'!=','answer':3}]}]}",
		BEFORE("decimal", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':3}]}]}",
		BEFORE("decimal", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':3.5}]}]}",
		BEFORE("date", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':'2020-01-31'}]}]}",
		BEFORE("text", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':'evet'}]}]}",
		BEFORE("multi_choice", ",'options':[{'value':'m','text':"
		    T("a", "b") "}]") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':'m'}]}]}",
		BEFORE("consent", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'exists','answer':false}]}]}",
	};
	static const char *const misfits[] = {
		BEFORE("boolean", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':'true'}]}]}",
		BEFORE("integer", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':1.5}]}]}",
		BEFORE("decimal", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':'1'}]}]}",
		BEFORE("date", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':'31.01.2020'}]}]}",
		BEFORE("string", ",'max_length':3") Q("x", "string")
		    ",'enable_when':[{'question':'q','operator':'=',"
		    "'answer':'long'}]}]}",
		BEFORE("string", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'=','answer':' padded'}]}]}",
		BEFORE("choice", ",'options':[{'value':'m','text':" T("a", "b")
		    "}]") Q("x", "string") ",'enable_when':[{'question':'q',"
		    "'operator':'=','answer':'n'}]}]}",
		BEFORE("string", "") Q("x", "string") ",'enable_when':["
		    "{'question':'q','operator':'exists','answer':'yes'}]}]}",
	};

	for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
		no_problem(a, fits[i], &def);
		assert_int_equal(def.items[1].conds[0].target, 0);
	}
	for (size_t i = 0; i < sizeof(misfits) / sizeof(misfits[0]); i++)
		one_problem(a, misfits[i],
		    "definition.items[1].enable_when[0].answer");

	/* Unknown, later, itself, its group, not a question. */
	one_problem(a, BEFORE("boolean", "") Q("x", "string") ",'enable_when':"
	    "[{'question':'nope','operator':'exists','answer':true}]}]}",
	    "definition.items[1].enable_when[0].question");
	one_problem(a, "{" TITLE ",'items':[" Q("x", "string") ",'enable_when'"
	    ":[{'question':'q','operator':'exists','answer':true}]},"
	    Q("q", "boolean") "}]}",
	    "definition.items[0].enable_when[0].question");
	one_problem(a, "{" TITLE ",'items':[" Q("x", "string") ",'enable_when'"
	    ":[{'question':'x','operator':'exists','answer':true}]}]}",
	    "definition.items[0].enable_when[0].question");
	one_problem(a, "{" TITLE ",'items':[" Q("g", "group") ",'items':["
	    Q("x", "string") ",'enable_when':[{'question':'g','operator':"
	    "'exists','answer':true}]}]}]}",
	    "definition.items[0].items[0].enable_when[0].question");
	one_problem(a, BEFORE("display", "") Q("x", "string") ",'enable_when':"
	    "[{'question':'q','operator':'exists','answer':true}]}]}",
	    "definition.items[1].enable_when[0].question");
	one_problem(a, "{" TITLE ",'items':[" Q("g", "group") ",'items':["
	    Q("y", "boolean") "}]}," Q("x", "string") ",'enable_when':["
	    "{'question':'g','operator':'exists','answer':true}]}]}",
	    "definition.items[1].enable_when[0].question");
	/* The second condition is named by its index. */
	one_problem(a, BEFORE("boolean", "") Q("x", "string") ",'enable_when':"
	    "[{'question':'q','operator':'exists','answer':true},"
	    "{'question':'zz','operator':'exists','answer':true}]}]}",
	    "definition.items[1].enable_when[1].question");
}

static void
test_check_reports_every_problem(void **state)
{
	struct arena *a = *state;
	struct form_def def;
	struct problems p = { 0 };

	read_ok(a, "{'title':{'tr':'T'},'items':[" Q("a", "choice") "},"
	    Q("a", "integer") ",'min':3,'max':1}," Q("b", "string")
	    ",'enable_when':[{'question':'c','operator':'exists',"
	    "'answer':true}]}]}", &def);
	assert_false(form_def_check(a, &def, true, true, collect, &p));
	assert_int_equal(p.n, 5);
	assert_true(has_field(&p, "definition.title.en"));
	assert_true(has_field(&p, "definition.items[0].options"));
	assert_true(has_field(&p, "definition.items[1].link_id"));
	assert_true(has_field(&p, "definition.items[1].max"));
	assert_true(has_field(&p, "definition.items[2].enable_when[0]."
	    "question"));
	assert_int_equal(def.items[2].conds[0].target, -1);
}

/* form_enabled() over def for answers (JSON text), as a string of 0/1. */
static const char *
enabled(struct arena *a, const struct form_def *def, const char *answers)
{
	bool on[FORM_MAX_ITEMS];
	char *s = arena_alloc(a, def->n_items + 1);

	memset(on, 0xff, sizeof(on));
	form_enabled(def, answers != NULL ? js(a, answers) : NULL, on);
	for (size_t i = 0; i < def->n_items; i++)
		s[i] = on[i] ? '1' : '0';
	return s;
}

static void
test_enabled_operators(void **state)
{
	struct arena *a = *state;
	struct form_def def;

	/* meds? -> which (= true), none (!= true), any (exists true),
	 * never (exists false). */
	no_problem(a, "{" TITLE ",'items':[" Q("meds", "boolean") "},"
	    Q("which", "string") ",'enable_when':[{'question':'meds',"
	    "'operator':'=','answer':true}]}," Q("none", "display")
	    ",'enable_when':[{'question':'meds','operator':'!=',"
	    "'answer':true}]}," Q("said", "display") ",'enable_when':["
	    "{'question':'meds','operator':'exists','answer':true}]},"
	    Q("silent", "display") ",'enable_when':[{'question':'meds',"
	    "'operator':'exists','answer':false}]}]}", &def);
	assert_string_equal(enabled(a, &def, "{'meds':true}"), "11010");
	assert_string_equal(enabled(a, &def, "{'meds':false}"), "10110");
	/* No answer: only "exists false" holds, "!=" does not. */
	assert_string_equal(enabled(a, &def, "{}"), "10001");
	assert_string_equal(enabled(a, &def, "{'meds':null}"), "10001");
	assert_string_equal(enabled(a, &def, NULL), "10001");
	assert_string_equal(enabled(a, &def, "[]"), "10001");
	/* A wrong-typed answer is an answer that equals nothing. */
	assert_string_equal(enabled(a, &def, "{'meds':'true'}"), "10110");
	assert_string_equal(enabled(a, &def, "{'meds':1}"), "10110");
}

static void
test_enabled_all_any(void **state)
{
	struct arena *a = *state;
	struct form_def def;

	no_problem(a, "{" TITLE ",'items':[" Q("a", "boolean") "},"
	    Q("b", "boolean") "}," Q("all", "display") ",'enable_when':["
	    "{'question':'a','operator':'=','answer':true},{'question':'b',"
	    "'operator':'=','answer':true}]}," Q("any", "display")
	    ",'enable_behavior':'any','enable_when':[{'question':'a',"
	    "'operator':'=','answer':true},{'question':'b','operator':'=',"
	    "'answer':true}]}]}", &def);
	assert_string_equal(enabled(a, &def, "{'a':true,'b':true}"), "1111");
	assert_string_equal(enabled(a, &def, "{'a':true,'b':false}"), "1101");
	assert_string_equal(enabled(a, &def, "{'a':false}"), "1100");
	assert_string_equal(enabled(a, &def, "{'b':true}"), "1101");
}

static void
test_enabled_chains_and_groups(void **state)
{
	struct arena *a = *state;
	struct form_def def;

	/* a -> b -> c: c follows b's enabling, not only its answer. */
	no_problem(a, "{" TITLE ",'items':[" Q("a", "boolean") "},"
	    Q("b", "boolean") ",'enable_when':[{'question':'a','operator':'=',"
	    "'answer':true}]}," Q("c", "string") ",'enable_when':["
	    "{'question':'b','operator':'=','answer':true}]},"
	    Q("g", "group") ",'enable_when':[{'question':'c','operator':"
	    "'exists','answer':true}],'items':[" Q("g1", "string") "},"
	    Q("g2", "boolean") ",'enable_when':[{'question':'a','operator':"
	    "'=','answer':true}]}]}," Q("after", "string") ",'enable_when':["
	    "{'question':'g1','operator':'exists','answer':false}]}]}", &def);
	assert_string_equal(enabled(a, &def,
	    "{'a':true,'b':true,'c':'x','g1':'y'}"), "1111110");
	/* b disabled: its answer no longer counts, so c and the group go,
	 * and with them g1's answer. */
	assert_string_equal(enabled(a, &def,
	    "{'a':false,'b':true,'c':'x','g1':'y'}"), "1000001");
	/* A group's item is off with its group even when its own
	 * condition holds. */
	assert_string_equal(enabled(a, &def, "{'a':true,'b':true}"),
	    "1110001");
	/* A blank string is no answer. */
	assert_string_equal(enabled(a, &def, "{'a':true,'b':true,"
	    "'c':' \\t '}"), "1110001");
	assert_string_equal(enabled(a, &def, "{'a':true,'b':true,"
	    "'c':'\\u00a0x\\u3000','g1':'\\u2003'}"), "1111111");
}

static void
test_enabled_answer_types(void **state)
{
	struct arena *a = *state;
	struct form_def def;

	no_problem(a, "{" TITLE ",'items':[" Q("n", "integer") "},"
	    Q("d", "decimal") "}," Q("day", "date") "}," Q("s", "string") "},"
	    Q("c", "choice") ",'options':[{'value':'x','text':" T("a", "b")
	    "}]}," Q("m", "multi_choice") ",'options':[{'value':'x','text':"
	    T("a", "b") "},{'value':'y','text':" T("c", "d") "}]},"
	    Q("ok", "consent") "},"
	    Q("n3", "display") ",'enable_when':[{'question':'n','operator':'=',"
	    "'answer':3}]},"
	    Q("d2", "display") ",'enable_when':[{'question':'d','operator':'=',"
	    "'answer':2.5}]},"
	    Q("day1", "display") ",'enable_when':[{'question':'day','operator':"
	    "'=','answer':'2026-01-01'}]},"
	    Q("sx", "display") ",'enable_when':[{'question':'s','operator':'=',"
	    "'answer':'Evet'}]},"
	    Q("cx", "display") ",'enable_when':[{'question':'c','operator':'=',"
	    "'answer':'x'}]},"
	    Q("mx", "display") ",'enable_when':[{'question':'m','operator':'=',"
	    "'answer':'x'}]},"
	    Q("mnx", "display") ",'enable_when':[{'question':'m','operator':"
	    "'!=','answer':'x'}]},"
	    Q("okd", "display") ",'enable_when':[{'question':'ok','operator':"
	    "'exists','answer':true}]}]}", &def);
	assert_string_equal(enabled(a, &def, "{'n':3,'d':2.5,'day':"
	    "'2026-01-01','s':'  Evet ','c':'x','m':['y','x'],'ok':true}"),
	    "111111111111101");
	/* 3.0 is no whole number; 2.5 of a decimal equals 2.50; case
	 * counts; a multi_choice without x; an unticked consent. */
	assert_string_equal(enabled(a, &def, "{'n':3.0,'d':2.50,'day':"
	    "'2026-1-1','s':'evet','c':'X','m':['y'],'ok':false}"),
	    "111111101000010");
	/* Wrong types equal nothing; an empty array is no answer. */
	assert_string_equal(enabled(a, &def, "{'n':'3','d':'2.5','c':['x'],"
	    "'m':'x','ok':'yes'}"), "111111100000010");
	assert_string_equal(enabled(a, &def, "{'m':[]}"), "111111100000000");
	assert_string_equal(enabled(a, &def, "{'d':2}"), "111111100000000");
}

static void
test_localize(void **state)
{
	struct arena *a = *state;
	struct form_def def;
	struct json_object *tr, *en, *items, *it, *v;

	no_problem(a, every_type, &def);
	tr = json_arena_own(a, form_localize(&def, "tr"));
	en = json_arena_own(a, form_localize(&def, "en"));
	assert_non_null(tr);
	assert_non_null(en);
	assert_string_equal(json_object_get_string(json_object_object_get(tr,
	    "title")), "Başlık");
	assert_string_equal(json_object_get_string(json_object_object_get(en,
	    "description")), "About");
	items = json_object_object_get(en, "items");
	assert_int_equal(json_object_array_length(items), 11);
	it = json_object_array_get_idx(items, 8);
	assert_string_equal(json_object_get_string(json_object_object_get(it,
	    "type")), "multi_choice");
	v = json_object_array_get_idx(json_object_object_get(it, "options"),
	    1);
	assert_string_equal(json_object_get_string(json_object_object_get(v,
	    "text")), "Diabetes");
	assert_string_equal(json_object_get_string(json_object_object_get(v,
	    "value")), "sugar");
	/* Nesting and the other members kept. */
	it = json_object_array_get_idx(items, 9);
	assert_string_equal(json_object_get_string(json_object_object_get(it,
	    "enable_behavior")), "any");
	v = json_object_array_get_idx(json_object_object_get(it,
	    "enable_when"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(v,
	    "answer")), "heart");
	v = json_object_array_get_idx(json_object_object_get(it, "items"), 0);
	v = json_object_array_get_idx(json_object_object_get(v, "items"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(v,
	    "text")), "Question which");
	assert_true(json_object_get_boolean(json_object_object_get(v,
	    "required")));
	assert_int_equal(json_object_get_int(json_object_object_get(v,
	    "max_length")), FORM_STRING_MAX);
	it = json_object_array_get_idx(items, 3);
	assert_string_equal(json_object_to_json_string_ext(it,
	    JSON_C_TO_STRING_PLAIN), "{\"link_id\":\"weight\",\"type\":"
	    "\"decimal\",\"text\":\"Question weight\",\"required\":false,"
	    "\"min\":2.5,\"max\":300}");
	it = json_object_array_get_idx(json_object_object_get(tr, "items"), 4);
	assert_string_equal(json_object_get_string(json_object_object_get(it,
	    "min")), "1900-01-01");

	/* A text in one language only falls back to it. */
	read_ok(a, "{'title':{'tr':'Yalnız'},'items':[{'link_id':'a','type':"
	    "'boolean','text':{'en':'Only'}}]}", &def);
	en = json_arena_own(a, form_localize(&def, "en"));
	assert_string_equal(json_object_get_string(json_object_object_get(en,
	    "title")), "Yalnız");
	assert_false(json_object_object_get_ex(en, "description", NULL));
	it = json_object_array_get_idx(json_object_object_get(en, "items"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(it,
	    "text")), "Only");
	tr = json_arena_own(a, form_localize(&def, "tr"));
	it = json_object_array_get_idx(json_object_object_get(tr, "items"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(it,
	    "text")), "Only");
	assert_string_equal(form_text_in(&def.title, "en"), "Yalnız");
	assert_string_equal(form_text_in(&def.items[0].text, NULL), "Only");
}

/* The member at a path of keys and indexes ("item.9.enableWhen.0"). */
static struct json_object *
at(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k != NULL && o != NULL;
	    k = strtok_r(NULL, ".", &save))
		o = json_object_is_type(o, json_type_array) ?
		    json_object_array_get_idx(o, (size_t)atoi(k)) :
		    json_object_object_get(o, k);
	if (o == NULL)
		fail_msg("no %s", path);
	return o;
}

static const char *
str_at(struct json_object *o, const char *path)
{
	return json_object_get_string(at(o, path));
}

static const char *
json_at(struct json_object *o, const char *path)
{
	return json_object_to_json_string_ext(at(o, path),
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
test_fhir(void **state)
{
	struct arena *a = *state;
	struct form_def def;
	struct json_object *q;
	static const char id[] = "3f0c1d2e-4b5a-4c6d-8e7f-a1b2c3d4e5f6";

	no_problem(a, every_type, &def);
	q = json_arena_own(a, form_fhir(&def, id, 3, false,
	    "2026-12-06T10:00:00Z", "tr"));
	assert_non_null(q);
	assert_string_equal(str_at(q, "resourceType"), "Questionnaire");
	assert_string_equal(str_at(q, "id"), id);
	assert_string_equal(str_at(q, "url"),
	    "urn:uuid:3f0c1d2e-4b5a-4c6d-8e7f-a1b2c3d4e5f6");
	assert_string_equal(str_at(q, "version"), "3");
	assert_string_equal(str_at(q, "status"), "active");
	assert_string_equal(str_at(q, "date"), "2026-12-06T10:00:00Z");
	assert_string_equal(str_at(q, "language"), "tr");
	assert_string_equal(str_at(q, "title"), "Başlık");
	assert_string_equal(json_at(q, "_title"), "{\"extension\":[{\"url\":"
	    "\"http://hl7.org/fhir/StructureDefinition/translation\","
	    "\"extension\":[{\"url\":\"lang\",\"valueCode\":\"en\"},"
	    "{\"url\":\"content\",\"valueString\":\"Title\"}]}]}");
	assert_string_equal(str_at(q, "description"), "Açıklama");
	assert_string_equal(str_at(q, "item.0.type"), "display");
	assert_false(json_object_object_get_ex(at(q, "item.0"), "required",
	    NULL));
	assert_string_equal(str_at(q, "item.1.linkId"), "smoker");
	assert_true(json_object_get_boolean(at(q, "item.1.required")));
	assert_string_equal(json_at(q, "item.2.enableWhen"),
	    "[{\"question\":\"smoker\",\"operator\":\"=\","
	    "\"answerBoolean\":true}]");
	assert_false(json_object_object_get_ex(at(q, "item.2"),
	    "enableBehavior", NULL));
	assert_string_equal(json_at(q, "item.2.extension"), "[{\"url\":"
	    "\"http://hl7.org/fhir/StructureDefinition/minValue\","
	    "\"valueInteger\":1},{\"url\":"
	    "\"http://hl7.org/fhir/StructureDefinition/maxValue\","
	    "\"valueInteger\":80}]");
	assert_string_equal(json_at(q, "item.3.extension.0"), "{\"url\":"
	    "\"http://hl7.org/fhir/StructureDefinition/minValue\","
	    "\"valueDecimal\":2.5}");
	assert_string_equal(json_at(q, "item.4.extension.1"), "{\"url\":"
	    "\"http://hl7.org/fhir/StructureDefinition/maxValue\","
	    "\"valueDate\":\"2026-12-31\"}");
	assert_int_equal(json_object_get_int(at(q, "item.5.maxLength")), 80);
	assert_int_equal(json_object_get_int(at(q, "item.6.maxLength")),
	    FORM_TEXT_MAX);
	assert_string_equal(str_at(q, "item.6.type"), "text");
	assert_string_equal(str_at(q, "item.7.type"), "choice");
	assert_string_equal(json_at(q, "item.7.answerOption.0"),
	    "{\"valueCoding\":{\"code\":\"a\",\"display\":\"A\"}}");
	assert_string_equal(str_at(q, "item.8.type"), "choice");
	assert_true(json_object_get_boolean(at(q, "item.8.repeats")));
	assert_string_equal(str_at(q,
	    "item.8.answerOption.1.valueCoding.display"), "Şeker");
	assert_string_equal(str_at(q, "item.8.answerOption.1.valueCoding."
	    "_display.extension.0.extension.1.valueString"), "Diabetes");
	assert_string_equal(str_at(q, "item.9.type"), "group");
	assert_string_equal(str_at(q, "item.9.enableBehavior"), "any");
	assert_string_equal(json_at(q, "item.9.enableWhen"),
	    "[{\"question\":\"ills\",\"operator\":\"=\",\"answerCoding\":"
	    "{\"code\":\"heart\"}},{\"question\":\"smoker\",\"operator\":"
	    "\"exists\",\"answerBoolean\":true}]");
	assert_string_equal(str_at(q, "item.9.item.0.item.0.linkId"), "which");
	assert_string_equal(str_at(q, "item.9.item.1.type"), "date");
	assert_string_equal(str_at(q, "item.10.type"), "boolean");
	assert_true(json_object_get_boolean(at(q, "item.10.required")));
	assert_string_equal(str_at(q, "item.10.extension.0.url"),
	    "http://hl7.org/fhir/StructureDefinition/questionnaire-constraint");
	assert_int_equal(json_object_array_length(at(q, "item")), 11);

	/* Archived, no date, English first. */
	q = json_arena_own(a, form_fhir(&def, id, 1, true, NULL, "en"));
	assert_string_equal(str_at(q, "status"), "retired");
	assert_false(json_object_object_get_ex(q, "date", NULL));
	assert_string_equal(str_at(q, "language"), "en");
	assert_string_equal(str_at(q, "title"), "Title");
	assert_string_equal(str_at(q, "_title.extension.0.extension.0."
	    "valueCode"), "tr");
	assert_string_equal(str_at(q, "item.1.text"), "Question smoker");
	/* PostgreSQL's text form of a timestamp becomes a FHIR dateTime;
	 * what is neither is left out rather than sent wrong. */
	q = json_arena_own(a, form_fhir(&def, id, 1, false,
	    "2026-12-06 10:00:00.123456+03", "en"));
	assert_string_equal(str_at(q, "date"),
	    "2026-12-06T10:00:00.123456+03:00");
	q = json_arena_own(a, form_fhir(&def, id, 1, false,
	    "2026-12-06T10:00:00-05:30", "en"));
	assert_string_equal(str_at(q, "date"), "2026-12-06T10:00:00-05:30");
	q = json_arena_own(a, form_fhir(&def, id, 1, false, "yesterday",
	    "en"));
	assert_false(json_object_object_get_ex(q, "date", NULL));
	/* Texts in one language: no translation. */
	read_ok(a, "{'title':{'tr':'Yalnız'},'items':[{'link_id':'a','type':"
	    "'boolean','text':{'tr':'Soru'}}]}", &def);
	q = json_arena_own(a, form_fhir(&def, id, 1, false, NULL, "en"));
	assert_string_equal(str_at(q, "title"), "Yalnız");
	assert_false(json_object_object_get_ex(q, "_title", NULL));
	assert_false(json_object_object_get_ex(at(q, "item.0"), "_text", NULL));
}

/* The starter forms: each definition in sql/0032 between $def$ quotes. */
static void
test_starters_pass_the_rules(void **state)
{
	struct arena *a = *state;
	FILE *f = fopen(SQL_SRC_DIR "/0032_form_starters.sql", "r");
	char *sql, *p;
	long size;
	int n = 0;
	static const char *const keys[] = { "medical_history",
	    "treatment_consent", "kvkk_consent" };

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	sql = arena_alloc(a, (size_t)size + 1);
	assert_int_equal(fread(sql, 1, (size_t)size, f), (size_t)size);
	sql[size] = '\0';
	fclose(f);
	for (p = sql; (p = strstr(p, "$def$")) != NULL; n++) {
		char *end = strstr(p + 5, "$def$");
		struct json_object *json, *fhir;
		struct form_def def;
		struct problems probs = { 0 };
		const char *err = NULL;
		char *key;

		assert_non_null(end);
		/* The key is the quoted word before the definition. */
		key = arena_printf(a, "'%s'", keys[n < 3 ? n : 0]);
		if (strstr(sql, key) == NULL || strstr(sql, key) > p)
			fail_msg("starter %d: %s not before its definition", n,
			    key);
		if (json_parse(a, p + 5, (size_t)(end - p - 5), 32, &json,
		    &err) != JSON_PARSE_OK)
			fail_msg("starter %s: not JSON %s", keys[n],
			    err != NULL ? err : "");
		if (form_def_read(a, json, &def) != ERR_OK)
			fail_msg("starter %s: not a definition", keys[n]);
		if (!form_def_check(a, &def, true, true, collect, &probs)) {
			for (size_t i = 0; i < probs.n && i < 64; i++)
				print_message("  %s: %s\n", probs.field[i],
				    probs.message[i]);
			fail_msg("starter %s refused", keys[n]);
		}
		assert_true(def.n_items >= 3);
		fhir = form_fhir(&def, "x", 1, false, NULL, "tr");
		assert_non_null(fhir);
		json_object_put(fhir);
		p = end + 5;
	}
	assert_int_equal(n, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_every_type, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_shapes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_link_ids_and_structure,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_options, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_bounds_and_lengths,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_languages, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_conditions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_reports_every_problem,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_enabled_operators, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enabled_all_any, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enabled_chains_and_groups,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_enabled_answer_types, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_localize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fhir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starters_pass_the_rules,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
