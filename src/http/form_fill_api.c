/*
 * form_fill_api.c - the patient's side of forms (DESIGN.md section 15):
 * the forms they see with their state, one form in their language with
 * their draft, the draft saved and removed, and submissions.
 *
 * The server is the judge of a submission, against the exact version it
 * was made for: the answers object is read through valid.h (v_map(): a
 * problem is named by the link_id alone), known answerable link_ids only;
 * which items the answers enable comes from form_enabled() (forms.h), and
 * only enabled items are checked (type, bounds, length, options; required
 * ones answered; a consent ticked) and kept; answers to disabled items are
 * dropped. Every problem is answered at once (422 validation_failed,
 * errors [{field: link_id, message}]). A draft is checked for its shape
 * only (known link_ids, each value's type and length), so that a patient
 * can keep an unfinished form. A body for a version that is no longer
 * current is 409 form_version_changed with current_version.
 *
 * Answers are kept as the patient wrote them (strings trimmed), never
 * rendered as HTML by either app; the audit keeps a submission's ids and
 * version, never its answers.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "db_form_fill.h"
#include "forms.h"
#include "http.h"
#include "json_util.h"
#include "log.h"
#include "portal_http.h"
#include "problem.h"
#include "response.h"
#include "routes.h"
#include "valid.h"

/* How deep a stored definition or draft may nest: a group in a group in
 * a group, their items' conditions and options, with room to spare. */
#define DEF_DEPTH 32
/* The largest magnitude of a number answer without bounds of its own:
 * within what a double holds exactly as a whole number. */
#define ANSWER_NUMBER_MAX 9007199254740991.0
#define ANSWER_INT_MAX INT64_C(9007199254740991)

/* Whether answers are judged as a submission or kept as a draft. */
enum answers_mode { ANSWERS_DRAFT, ANSWERS_SUBMIT };

/* The language the patient reads in: theirs when the clinic uses it,
 * else the clinic's default. */
static const char *
patient_lang(const struct request *req)
{
	const struct portal_ctx *p = req->portal;
	const char *l = p->patient.language;

	if (l != NULL && strcmp(l, "tr") == 0 && p->clinic.lang_tr)
		return "tr";
	if (l != NULL && strcmp(l, "en") == 0 && p->clinic.lang_en)
		return "en";
	l = p->clinic.default_language;
	return l != NULL && strcmp(l, "en") == 0 ? "en" : "tr";
}

/* lang's text, or the other language's. */
static const char *
pick(const char *tr, const char *en, const char *lang)
{
	if (strcmp(lang, "en") == 0)
		return en != NULL ? en : tr;
	return tr != NULL ? tr : en;
}

/* draft when one exists, else submitted when any submission does. */
static const char *
form_state(const struct db_patient_form *f)
{
	if (f->draft_saved_at != NULL)
		return "draft";
	return f->submitted_at != NULL ? "submitted" : "not_started";
}

static void
problem_ignore(void *ctx, const char *field, const char *message)
{
	(void)ctx;
	(void)field;
	(void)message;
}

/*
 * A worker's definitions, read once: a version never changes once saved
 * (sql/0031 grants no UPDATE of form_versions), so the definition of a
 * form's version read for one request serves the next ones without being
 * parsed, read and checked again. Whether the caller may see the form is
 * decided by the database on every request; the cache only saves the
 * work of reading what it answered. A few forms are busy at a time:
 * DEF_CACHE_SIZE entries, the oldest replaced.
 */
#define DEF_CACHE_SIZE 32

struct def_entry {
	char form_id[CRYPTO_UUID_CHARS + 1];
	int version;			/* 0: empty */
	struct arena *arena;		/* holds the JSON and the definition */
	struct form_def def;
};

static struct def_entry def_cache[DEF_CACHE_SIZE];
static size_t def_cache_next;

/*
 * The definition of form_id's version (the database's answer: text, its
 * JSON), from the worker's cache or read into it, its conditions'
 * targets filled, into *def (read only; it lives as long as the worker).
 * A stored definition passed form_def_check() when it was saved; one that
 * does not read now is the server's fault: logged, and false after
 * answering 500 (503 when out of memory).
 */
static bool
def_load(struct request *req, const char *form_id, int version,
    const char *text, const struct form_def **def)
{
	struct json_object *json = NULL;
	struct def_entry *e;
	struct arena *a;
	struct form_def read;

	for (size_t i = 0; i < DEF_CACHE_SIZE; i++) {
		e = &def_cache[i];
		if (e->version == version && version > 0 &&
		    strcasecmp(e->form_id, form_id) == 0) {
			*def = &e->def;
			return true;
		}
	}
	if ((a = arena_new(0)) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return false;
	}
	if (strlen(form_id) > CRYPTO_UUID_CHARS ||
	    json_parse(a, text, strlen(text), DEF_DEPTH, &json, NULL) !=
	    JSON_PARSE_OK || json == NULL ||
	    form_def_read(a, json, &read) != ERR_OK ||
	    !form_def_check(a, &read, false, false, problem_ignore, NULL)) {
		arena_free(a);
		log_msg(LOG_ERROR, "a stored form definition does not read");
		problem_send(req, "internal_error", NULL);
		return false;
	}
	e = &def_cache[def_cache_next];
	def_cache_next = (def_cache_next + 1) % DEF_CACHE_SIZE;
	arena_free(e->arena);
	snprintf(e->form_id, sizeof(e->form_id), "%s", form_id);
	e->version = version;
	e->arena = a;
	e->def = read;
	*def = &e->def;
	return true;
}

/* 409 form_version_changed with the current version. */
static void
version_changed(struct request *req, int current)
{
	struct json_object *extra = json_object_new_object();

	json_add_int(extra, "current_version", current);
	problem_send_ex(req, "form_version_changed", "The form has changed "
	    "since you opened it; open it again to see its current version.",
	    extra);
}

/* The values of an item's options, NULL-terminated (for v_enum()). */
static const char *const *
option_values(struct request *req, const struct form_item *it)
{
	const char **values = arena_calloc(req->arena, it->n_options + 1,
	    sizeof(*values));

	if (values != NULL)
		for (size_t i = 0; i < it->n_options; i++)
			values[i] = it->options[i].value;
	return values;
}

static bool
is_option(const struct form_item *it, const char *value)
{
	for (size_t i = 0; i < it->n_options; i++)
		if (strcmp(it->options[i].value, value) == 0)
			return true;
	return false;
}

/* A bound's message: "Must be a whole number from 1 to 9." and the like. */
static const char *
bounds_message(struct request *req, const char *what,
    const struct form_item *it)
{
	if (it->has_min && it->has_max)
		return arena_printf(req->arena, "Must be %s from %g to %g.",
		    what, it->min, it->max);
	if (it->has_min)
		return arena_printf(req->arena, "Must be %s of at least %g.",
		    what, it->min);
	return arena_printf(req->arena, "Must be %s of at most %g.", what,
	    it->max);
}


/* "a, b, c": an item's option values, for a message. */
static const char *
values_list(struct request *req, const struct form_item *it)
{
	const char *list = "";

	for (size_t i = 0; i < it->n_options && list != NULL; i++)
		list = arena_printf(req->arena, "%s%s%s", list, i > 0 ? ", " : "",
		    it->options[i].value);
	return list != NULL ? list : "the item's options";
}

/*
 * A multi_choice answer: an array of at most n_options distinct strings;
 * for a submission each an option's value. Problems name the link_id.
 * The array itself (a new reference) into *out; NULL for no answer ([] or
 * null) or a problem.
 */
static void
read_multi(struct request *req, struct vobj *ans, const struct form_item *it,
    enum answers_mode mode, struct json_object **out)
{
	struct varr arr;
	const char *bad = NULL;

	*out = NULL;
	if (v_array(ans, it->link_id, it->n_options, V_NULLABLE, &arr) !=
	    V_SET || arr.count == 0)
		return;
	for (size_t i = 0; i < arr.count && bad == NULL; i++) {
		struct json_object *e = json_object_array_get_idx(arr.arr, i);
		const char *s;

		if (!json_object_is_type(e, json_type_string)) {
			bad = "Must be an array of option values.";
			break;
		}
		s = json_object_get_string(e);
		if (mode == ANSWERS_SUBMIT && !is_option(it, s))
			bad = arena_printf(req->arena, "Must hold only these "
			    "values: %s.", values_list(req, it));
		for (size_t j = 0; j < i && bad == NULL; j++)
			if (strcmp(s, json_object_get_string(
			    json_object_array_get_idx(arr.arr, j))) == 0)
				bad = "Must not hold a value twice.";
	}
	if (bad != NULL) {
		v_problem(ans, it->link_id, bad);
		return;
	}
	*out = json_object_get(arr.arr);
}

/* A date answer's bounds; true when s is within them (a problem noted
 * else). */
static bool
date_within(struct request *req, struct vobj *ans, const struct form_item *it,
    const char *s)
{
	if ((it->min_date == NULL || strcmp(s, it->min_date) >= 0) &&
	    (it->max_date == NULL || strcmp(s, it->max_date) <= 0))
		return true;
	v_problem(ans, it->link_id, it->min_date != NULL &&
	    it->max_date != NULL ? arena_printf(req->arena, "Must be a date "
	    "from %s to %s.", it->min_date, it->max_date) :
	    it->min_date != NULL ? arena_printf(req->arena, "Must be %s or "
	    "later.", it->min_date) : arena_printf(req->arena, "Must be %s or "
	    "earlier.", it->max_date));
	return false;
}

/*
 * Item it's answer in ans through the typed readers, checked for a draft
 * (type and length) or a submission (and bounds and options), into
 * *value: a new reference, or NULL for no answer (absent, null, blank
 * text, [], an unticked consent) or a problem (noted, named by link_id).
 */
static void
read_answer(struct request *req, struct vobj *ans, const struct form_item *it,
    enum answers_mode mode, struct json_object **value)
{
	const char *id = it->link_id, *s = NULL;
	bool submit = mode == ANSWERS_SUBMIT, b = false;
	int64_t n;
	double d;

	*value = NULL;
	switch (it->type) {
	case FORM_BOOLEAN:
		if (v_bool(ans, id, V_NULLABLE, &b) == V_SET)
			*value = json_object_new_boolean(b);
		break;
	case FORM_CONSENT:
		if (v_bool(ans, id, V_NULLABLE, &b) == V_SET && b)
			*value = json_object_new_boolean(1);
		break;
	case FORM_INTEGER:
		if (v_int(ans, id, -ANSWER_INT_MAX, ANSWER_INT_MAX, V_NULLABLE,
		    &n) != V_SET)
			break;
		if (submit && ((it->has_min && (double)n < it->min) ||
		    (it->has_max && (double)n > it->max))) {
			v_problem(ans, id, bounds_message(req, "a whole number",
			    it));
			break;
		}
		*value = json_object_new_int64(n);
		break;
	case FORM_DECIMAL:
		if (v_number(ans, id, -ANSWER_NUMBER_MAX, ANSWER_NUMBER_MAX,
		    V_NULLABLE, &d) != V_SET)
			break;
		if (submit && ((it->has_min && d < it->min) ||
		    (it->has_max && d > it->max))) {
			v_problem(ans, id, bounds_message(req, "a number", it));
			break;
		}
		/* The number as sent: json-c keeps how it was written. */
		*value = json_object_get(json_object_object_get(ans->obj, id));
		break;
	case FORM_DATE:
		if (v_date(ans, id, V_NULLABLE, &s) == V_SET && s != NULL &&
		    (!submit || date_within(req, ans, it, s)))
			*value = json_object_new_string(s);
		break;
	case FORM_STRING:
	case FORM_TEXT:
		if (v_text(ans, id, it->type == FORM_STRING ?
		    V_LINE(it->max_length) : V_LINES(1, it->max_length),
		    V_NULLABLE, &s) == V_SET && s != NULL)
			*value = json_object_new_string(s);
		break;
	case FORM_CHOICE:
		if (submit) {
			const char *const *values = option_values(req, it);

			if (values != NULL && v_enum(ans, id, values, V_NULLABLE,
			    &s) == V_SET && s != NULL)
				*value = json_object_new_string(s);
		} else if (v_text(ans, id, V_LINE(FORM_OPTION_VALUE_MAX),
		    V_NULLABLE, &s) == V_SET && s != NULL)
			*value = json_object_new_string(s);
		break;
	case FORM_MULTI_CHOICE:
		read_multi(req, ans, it, mode, value);
		break;
	case FORM_DISPLAY:
	case FORM_GROUP:
	case FORM__TYPES:
		break;
	}
}

/* Whether a sent answer is empty (null, blank text, []): no answer. */
static bool
answer_empty(struct json_object *v)
{
	const char *t;

	if (v == NULL)
		return true;
	if (json_object_is_type(v, json_type_array))
		return json_object_array_length(v) == 0;
	if (!json_object_is_type(v, json_type_string))
		return false;
	for (t = json_object_get_string(v); *t == ' ' || *t == '\t' ||
	    *t == '\n' || *t == '\r'; t++)
		;
	return *t == '\0';
}

/*
 * The body's answers for def, read as mode says, into *clean (a new
 * object registered with the arena): answered items by link_id, values
 * cleaned. Problems are noted for v_ok(). For a submission, only items
 * the answers enable are read and kept, required ones must be answered
 * and consents ticked, and *consents (a new array registered with the
 * arena) receives {link_id, text} of each ticked consent in lang. False
 * when out of memory or when the answers are no object (problems noted).
 */
static bool
answers_read(struct request *req, struct vobj *body,
    const struct form_def *def, enum answers_mode mode, const char *lang,
    struct json_object **clean, struct json_object **consents)
{
	size_t n = def->n_items, k = 0;
	const char **known = arena_calloc(req->arena, n + 1, sizeof(*known));
	bool *enabled = arena_calloc(req->arena, n + 1, sizeof(*enabled));
	bool *flawed = arena_calloc(req->arena, n + 1, sizeof(*flawed));
	struct json_object *sent;
	struct vobj ans;

	*clean = NULL;
	if (known == NULL || enabled == NULL || flawed == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (form_item_answers(&def->items[i]))
			known[k++] = def->items[i].link_id;
	if (v_map(body, "answers", known, V_REQUIRED, &ans) != V_SET)
		return false;
	if ((*clean = json_arena_own(req->arena, json_object_new_object())) ==
	    NULL)
		return false;
	if (mode == ANSWERS_SUBMIT) {
		/* Which items the answers enable, judged on what was sent
		 * without its empty answers, as the apps judge it. */
		if ((sent = json_arena_own(req->arena,
		    json_object_new_object())) == NULL)
			return false;
		json_object_object_foreach(ans.obj, key, val)
			if (!answer_empty(val))
				json_object_object_add(sent, key,
				    json_object_get(val));
		form_enabled(def, sent, enabled);
	}
	for (size_t i = 0; i < n; i++) {
		const struct form_item *it = &def->items[i];
		struct json_object *value = NULL;
		size_t before = v_count(req);

		if (!form_item_answers(it) ||
		    (mode == ANSWERS_SUBMIT && !enabled[i]))
			continue;
		read_answer(req, &ans, it, mode, &value);
		flawed[i] = v_count(req) != before;
		if (value != NULL &&
		    json_object_object_add(*clean, it->link_id, value) != 0) {
			json_object_put(value);
			return false;
		}
	}
	if (mode == ANSWERS_DRAFT)
		return true;
	if ((*consents = json_arena_own(req->arena,
	    json_object_new_array())) == NULL)
		return false;
	/* What the cleaned answers enable decides what is kept and what
	 * must be there. */
	form_enabled(def, *clean, enabled);
	for (size_t i = 0; i < n; i++) {
		const struct form_item *it = &def->items[i];
		struct json_object *c;

		if (!form_item_answers(it) || flawed[i])
			continue;
		if (!enabled[i]) {
			json_object_object_del(*clean, it->link_id);
			continue;
		}
		if (json_object_object_get_ex(*clean, it->link_id, NULL)) {
			if (it->type != FORM_CONSENT)
				continue;
			if ((c = json_object_new_object()) == NULL ||
			    json_object_array_add(*consents, c) != 0) {
				json_object_put(c);
				return false;
			}
			json_add_string(c, "link_id", it->link_id);
			json_add_string(c, "text", form_text_in(&it->text, lang));
		} else if (it->type == FORM_CONSENT)
			v_problem(&ans, it->link_id, "Must be ticked to submit "
			    "the form.");
		else if (it->required)
			v_problem(&ans, it->link_id, "Required.");
	}
	return true;
}

/* The body's version: false after answering 422 when it is missing or
 * bad (with any problem found so far). */
static bool
body_version(struct request *req, struct vobj *body, int *version)
{
	int64_t v = 0;

	if (v_int(body, "version", 1, INT32_MAX, V_REQUIRED, &v) != V_SET) {
		v_ok(req);
		return false;
	}
	*version = (int)v;
	return true;
}

/*
 * Starts a draft's save or a submission of the route's form: the body's
 * version against the current one, the definition read. False after
 * answering (404 for a form the patient does not see, 409
 * form_version_changed, 422 for a bad version).
 */
static bool
form_begin(struct request *req, struct vobj *body, struct db_form_begin *b,
    const struct form_def **def)
{
	static const char *const fields[] = { "version", "answers", NULL };
	int version = 0;
	enum err err;

	if (!v_body(req, body, fields) || !body_version(req, body, &version))
		return false;
	if ((err = db_form_submit_begin(req->ctx->db, req->arena, req->actor.id,
	    route_param(&req->params, "id"), b)) != ERR_OK) {
		problem_send_err(req, err, "form");
		return false;
	}
	if (version != b->version) {
		version_changed(req, b->version);
		return false;
	}
	return def_load(req, route_param(&req->params, "id"), b->version,
	    b->definition, def);
}

/* ---- answers ---- */

/* One form of the list, in lang. */
static struct json_object *
summary_json(const struct db_patient_form *f, const char *lang)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	if (json_add_string(o, "id", f->id) != 0 ||
	    json_add_int(o, "version", f->version) != 0 ||
	    json_add_string(o, "title", pick(f->title_tr, f->title_en,
	    lang)) != 0 ||
	    json_add_string(o, "description", pick(f->description_tr,
	    f->description_en, lang)) != 0 ||
	    json_add_int(o, "item_count", f->item_count) != 0 ||
	    json_add_string(o, "state", form_state(f)) != 0 ||
	    json_add_string(o, "draft_saved_at", f->draft_saved_at) != 0 ||
	    json_add_string(o, "submitted_at", f->submitted_at) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* What handle_portal_forms() reads, sent with the session's statement. */
void
ahead_portal_forms(struct request *req)
{
	db_patient_forms_ahead(req->ctx->db);
}

/*
 * GET /api/v1/portal/{code}/forms [view_forms]: {items: [{id, version,
 * title, description, item_count, state, draft_saved_at, submitted_at}]}:
 * the active forms assigned to the patient or available to all, in their
 * language, drafts and those not started first. One round trip with the
 * session's (an ahead route).
 */
void
handle_portal_forms(struct request *req)
{
	const char *lang = patient_lang(req);
	struct db_patient_form *rows;
	struct json_object *o, *items;
	int n = 0;
	enum err err;

	if ((err = db_patient_forms(req->ctx->db, req->arena, &rows, &n)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if ((o = json_object_new_object()) == NULL ||
	    (items = json_object_new_array_ext(n)) == NULL ||
	    json_add(o, "items", items) != 0) {
		json_object_put(o);
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct json_object *item = summary_json(&rows[i], lang);

		if (item == NULL || json_object_array_add(items, item) != 0) {
			json_object_put(item);
			json_object_put(o);
			problem_send_err(req, ERR_NOMEM, NULL);
			return;
		}
	}
	resp_json(req, 200, o);
}

/* What handle_portal_form_get() reads, sent with the session's. */
void
ahead_portal_form_get(struct request *req)
{
	db_patient_form_get_ahead(req->ctx->db, req->arena,
	    route_param(&req->params, "id"));
}

/*
 * GET /api/v1/portal/{code}/forms/{id} [view_forms]: {id, version, title,
 * description, items, state, draft: {version, answers, saved_at} | null,
 * submitted_at}: the current version in the patient's language
 * (form_localize()) with their draft, which may be of an older version.
 * 404 for a form they do not see.
 */
void
handle_portal_form_get(struct request *req)
{
	const char *lang = patient_lang(req);
	struct db_patient_form f;
	struct json_object *o, *draft = NULL, *answers = NULL;
	const struct form_def *def;
	enum err err;

	if ((err = db_patient_form_get(req->ctx->db, req->arena,
	    route_param(&req->params, "id"), &f)) != ERR_OK) {
		problem_send_err(req, err, "form");
		return;
	}
	if (!def_load(req, f.id, f.version, f.definition, &def))
		return;
	if (f.draft_answers != NULL && json_parse(req->arena, f.draft_answers,
	    strlen(f.draft_answers), DEF_DEPTH, &answers, NULL) !=
	    JSON_PARSE_OK) {
		log_msg(LOG_ERROR, "a stored form draft does not read");
		problem_send(req, "internal_error", NULL);
		return;
	}
	if ((o = form_localize(def, lang)) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if (f.draft_saved_at != NULL && answers != NULL) {
		if ((draft = json_object_new_object()) == NULL) {
			json_object_put(o);
			problem_send_err(req, ERR_NOMEM, NULL);
			return;
		}
		json_add_int(draft, "version", f.draft_version);
		/* The arena owns answers: the draft takes a reference. */
		json_add(draft, "answers", json_object_get(answers));
		json_add_string(draft, "saved_at", f.draft_saved_at);
	}
	if (!json_object_object_get_ex(o, "description", NULL))
		json_add(o, "description", NULL);
	if (json_add_string(o, "id", f.id) != 0 ||
	    json_add_int(o, "version", f.version) != 0 ||
	    json_add_string(o, "state", form_state(&f)) != 0 ||
	    json_add(o, "draft", draft) != 0 ||
	    json_add_string(o, "submitted_at", f.submitted_at) != 0) {
		json_object_put(o);
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	resp_json(req, 200, o);
}

/*
 * PUT /api/v1/portal/{code}/forms/{id}/draft {version, answers}
 * [submit_forms] (write): 200 {version, answers, saved_at}: the patient's
 * draft, replacing theirs: known link_ids only, each value's type and
 * length checked (not required, bounds or options: it is unfinished).
 * 404; 409 form_version_changed with current_version; 422 naming the
 * link_id.
 */
void
handle_portal_form_draft_put(struct request *req)
{
	struct json_object *answers = NULL, *o;
	struct db_form_begin b;
	const struct form_def *def;
	struct vobj body;
	const char *text;
	enum err err;

	if (!form_begin(req, &body, &b, &def))
		return;
	if (!answers_read(req, &body, def, ANSWERS_DRAFT, patient_lang(req),
	    &answers, NULL) && v_count(req) == 0) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if (!v_ok(req))
		return;
	if ((text = json_to_arena(req->arena, answers, NULL)) == NULL ||
	    (o = json_object_new_object()) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if ((err = db_form_draft_put(req->ctx->db, req->arena, req->actor.id,
	    route_param(&req->params, "id"), b.version, text, b.at_text)) !=
	    ERR_OK) {
		json_object_put(o);
		problem_send_err(req, err, NULL);
		return;
	}
	json_add_int(o, "version", b.version);
	json_add(o, "answers", json_object_get(answers));
	json_add_string(o, "saved_at", b.at_iso);
	resp_json(req, 200, o);
}

/* DELETE /api/v1/portal/{code}/forms/{id}/draft [submit_forms] (write):
 * 204, whether or not there was a draft; 404 for a form the patient does
 * not see. */
void
handle_portal_form_draft_delete(struct request *req)
{
	enum err err;

	if ((err = db_form_draft_delete(req->ctx->db, req->actor.id,
	    route_param(&req->params, "id"))) != ERR_OK) {
		problem_send_err(req, err, "form");
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

/*
 * POST /api/v1/portal/{code}/forms/{id}/submissions {version, answers}
 * [submit_forms] (write): 201 {id, form_id, version, submitted_at,
 * answers, consents}: judged against the current version (see the top of
 * this file); the patient's draft is removed. 404; 409
 * form_version_changed with current_version; 422 with every problem by
 * link_id; 429 rate_limited with Retry-After past
 * FORM_SUBMISSIONS_PER_DAY in 24 hours. Audit form.submit.
 */
void
handle_portal_form_submit(struct request *req)
{
	const char *lang = patient_lang(req), *id = route_param(&req->params,
	    "id"), *answers_text, *consents_text;
	struct json_object *answers = NULL, *consents = NULL, *o, *audit;
	char *submission_id;
	struct db_form_begin b;
	const struct form_def *def;
	struct vobj body;
	enum err err;

	if (!form_begin(req, &body, &b, &def))
		return;
	if (b.retry_after > 0) {
		problem_send_rate_limited(req, b.retry_after, arena_printf(
		    req->arena, "A form may be submitted at most %d times a "
		    "day; try again later.", FORM_SUBMISSIONS_PER_DAY));
		return;
	}
	if (!answers_read(req, &body, def, ANSWERS_SUBMIT, lang, &answers,
	    &consents) && v_count(req) == 0) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if (!v_ok(req))
		return;
	if ((submission_id = arena_alloc(req->arena, CRYPTO_UUID_CHARS + 1)) ==
	    NULL || (answers_text = json_to_arena(req->arena, answers,
	    NULL)) == NULL || (consents_text = json_to_arena(req->arena,
	    consents, NULL)) == NULL || (audit = json_arena_own(req->arena,
	    json_object_new_object())) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	crypto_uuid(submission_id);
	json_add_string(audit, "form_id", id);
	json_add_int(audit, "version", b.version);
	if ((err = db_form_submission_add(req->ctx->db, req->arena,
	    submission_id, req->actor.id, id, b.version, answers_text,
	    consents_text, lang, b.at_text)) != ERR_OK ||
	    (err = audit_record(req, "form.submit", "form_submission",
	    submission_id, NULL, audit)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if ((o = json_object_new_object()) == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	json_add_string(o, "id", submission_id);
	json_add_string(o, "form_id", id);
	json_add_int(o, "version", b.version);
	json_add_string(o, "submitted_at", b.at_iso);
	json_add(o, "answers", json_object_get(answers));
	json_add(o, "consents", json_object_get(consents));
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/portal/%s/forms/%s", req->portal->code, id));
	resp_json(req, 201, o);
}
