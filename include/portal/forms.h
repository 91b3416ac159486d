/*
 * forms.h - a form's definition (DESIGN.md section 15): read from its
 * stored JSON, checked as a whole (the rules that span items), which items
 * an answer set enables, the definition in one language for the patient,
 * and its export as an HL7 FHIR R4 Questionnaire.
 *
 * The shape of a definition coming from outside (types, lengths, unknown
 * members) is the HTTP layer's to check, through valid.h; it then hands
 * the JSON it built from the cleaned values to form_def_read(), and
 * form_def_check() judges the rest. A stored definition passed both once;
 * form_def_read() still refuses anything malformed, as it must for bytes
 * it did not write (tests/fuzz/forms_fuzz.c).
 *
 * Canonical JSON of a definition (what is stored, what staff read):
 *
 *	{"title": {"tr": "...", "en": "..."}, "description": {...}?,
 *	 "items": [{"link_id": "q1", "type": "choice",
 *	            "text": {"tr": "...", "en": "..."},
 *	            "required": true?, "options": [{"value": "a",
 *	            "text": {...}}]?, "min": 1?, "max": 9?,
 *	            "max_length": 200?,
 *	            "enable_when": [{"question": "q0", "operator": "=",
 *	                             "answer": true}]?,
 *	            "enable_behavior": "all"?, "items": [...]?}]}
 *
 * A text object holds "tr", "en" or both. min and max are numbers for
 * integer and decimal items and "YYYY-MM-DD" strings for date items.
 */
#ifndef PORTAL_FORMS_H
#define PORTAL_FORMS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct arena;
struct json_object;

/* Limits of a definition. */
#define FORM_MAX_ITEMS		200	/* every item, at every depth */
#define FORM_MAX_DEPTH		3	/* a group in a group in a group */
#define FORM_MAX_OPTIONS	50	/* per choice item */
#define FORM_MAX_CONDITIONS	10	/* enable_when entries per item */
#define FORM_LINK_ID_MAX	64	/* [A-Za-z0-9_.-], first a letter */
#define FORM_TITLE_MAX		200
#define FORM_DESCRIPTION_MAX	2000
#define FORM_ITEM_TEXT_MAX	2000
#define FORM_OPTION_TEXT_MAX	200
#define FORM_OPTION_VALUE_MAX	64
#define FORM_STRING_MAX		200	/* max_length of a string item, and its default */
#define FORM_TEXT_MAX		5000	/* max_length of a text item, and its default */

/*
 * (Added with forms.c.) Depth counts items: one at the top is at depth 1,
 * an item of a group at the top at depth 2, and no item is deeper than
 * FORM_MAX_DEPTH; form_def_read() refuses a definition with more.
 */

enum form_type {
	FORM_DISPLAY,		/* words only: no answer */
	FORM_GROUP,		/* its items; no answer of its own */
	FORM_BOOLEAN,		/* true | false */
	FORM_INTEGER,		/* a whole number (min, max) */
	FORM_DECIMAL,		/* a number (min, max) */
	FORM_DATE,		/* "YYYY-MM-DD" (min, max as dates) */
	FORM_STRING,		/* one line (max_length) */
	FORM_TEXT,		/* lines (max_length) */
	FORM_CHOICE,		/* one option's value */
	FORM_MULTI_CHOICE,	/* an array of distinct option values */
	FORM_CONSENT,		/* true, ticked: must be, whenever enabled */
	FORM__TYPES
};

/* The wire names, by enum form_type, NULL-terminated (for v_enum()). */
extern const char *const form_type_names[];

enum form_operator { FORM_EXISTS, FORM_EQUALS, FORM_NOT_EQUALS };
extern const char *const form_operator_names[];	/* "exists", "=", "!=" */

struct form_text {
	const char *tr, *en;		/* NULL when that language is absent */
};

struct form_option {
	const char *value;
	struct form_text text;
};

struct form_condition {
	const char *question;		/* a link_id */
	enum form_operator op;
	struct json_object *answer;	/* borrowed from the definition's JSON */
	int target;			/* the question's item index; -1 until
					 * form_def_check() found it */
};

struct form_item {
	const char *link_id;
	enum form_type type;
	struct form_text text;
	bool required;
	bool has_min, has_max;
	double min, max;		/* integer, decimal */
	const char *min_date, *max_date;	/* date; NULL when unset */
	size_t max_length;		/* string, text: the default when unset */
	struct form_option *options;
	size_t n_options;
	struct form_condition *conds;
	size_t n_conds;
	bool enable_any;		/* enable_behavior "any" (default "all") */
	int parent;			/* index of its group, -1 at the top */
	int end;			/* one past its last descendant */
	int depth;			/* 1 at the top */
	const char *path;		/* "items[2].items[0]": for problems */
};

struct form_def {
	struct form_text title, description;
	struct form_item *items;	/* every item, in document order */
	size_t n_items;
	struct json_object *json;	/* the JSON it was read from */
};

/* A problem found in a definition, reported as it is found: field is
 * "definition.<path>..." (in the arena), message plain English. */
typedef void form_problem_fn(void *ctx, const char *field,
    const char *message);

/*
 * Reads a definition's JSON into *out (in the arena; the JSON is borrowed
 * and must outlive *out). ERR_INVALID for anything that is not a
 * definition's shape (beyond the limits above included), ERR_NOMEM.
 * Linear in the JSON's size.
 */
enum err form_def_read(struct arena *a, struct json_object *json,
    struct form_def *out);

/*
 * The rules that span items, every problem reported through problem:
 * link_ids unique; an enable_when names an earlier question (not a
 * display or group, not the item itself nor its group) and its answer
 * fits that question's type and operator ("exists" takes true or false;
 * a choice's answer is one of its options' values); a choice or
 * multi_choice has options, their values unique; a group has items;
 * min <= max; max_length within its type's bound; every text present in
 * each language the clinic uses (need_tr, need_en). Fills each
 * condition's target. True when nothing was found.
 */
bool form_def_check(struct arena *a, struct form_def *def, bool need_tr,
    bool need_en, form_problem_fn *problem, void *ctx);

/* Whether an item takes an answer (not display, not group). */
bool form_item_answers(const struct form_item *it);

/*
 * Which items answers (a JSON object by link_id, as sent) enables:
 * enabled[i] for each item, in one pass over the items (a condition names
 * only earlier questions). An item is enabled when its group is and its
 * conditions hold (all, or any). A condition on a question that is
 * disabled or has no answer holds only as {"operator": "exists",
 * "answer": false}; a value of the wrong type equals nothing. Needs the
 * targets form_def_check() filled.
 */
void form_enabled(const struct form_def *def, struct json_object *answers,
    bool *enabled);

/*
 * (Added with forms.c.) How form_enabled() reads an answer, so that the
 * apps decide alike (web/src/formRules.js). A question has no answer when
 * its link_id is absent or null, when a string or text answer is white
 * space only (trimmed as JavaScript's String.prototype.trim() trims), when
 * an answer is an empty array, and when a consent's answer is not true.
 * "=" holds when the answer equals the condition's: boolean and consent a
 * JSON boolean; integer a JSON whole number (1.0 is not one); decimal any
 * number, by value; date and choice the same string; string and text the
 * trimmed answer, exactly (case counts); multi_choice an array holding the
 * value. "!=" holds when there is an answer and "=" does not hold; with no
 * answer neither does.
 */

/*
 * The definition in one language for the patient: {title, description,
 * items} where every text is a string (lang's, or the other language's
 * when lang's is absent) and items keep their nesting and every other
 * member. NULL when out of memory. The caller owns the JSON.
 */
struct json_object *form_localize(const struct form_def *def,
    const char *lang);

/* An item's text in lang, or the other language's. */
const char *form_text_in(const struct form_text *t, const char *lang);

/*
 * The definition as an HL7 FHIR R4 Questionnaire resource: id form_id,
 * version "<n>", status "active" or "retired" (archived), date (RFC 3339
 * or NULL), texts in default_lang with the other language as the
 * translation extension; types, required, repeats (multi_choice),
 * answerOption, enableWhen / enableBehavior, maxLength, minValue /
 * maxValue extensions. NULL when out of memory. The caller owns it.
 */
struct json_object *form_fhir(const struct form_def *def,
    const char *form_id, int version, bool archived, const char *date,
    const char *default_lang);

#endif
