/*
 * valid.h - the one validation module (DESIGN.md section 11): a JSON body
 * or a query string into typed values, every problem gathered as {field,
 * message} in the request and answered at once as 422 validation_failed.
 *
 *	static const char *const fields[] = { "title", "status", NULL };
 *	struct vobj body;
 *
 *	if (!v_body(req, &body, fields))	// not an object: 422 answered
 *		return;
 *	v_text(&body, "title", V_LINE(200), V_REQUIRED, &in.title);
 *	v_enum(&body, "status", plan_statuses, 0, &in.status);
 *	if (!v_ok(req))				// 422 with every problem
 *		return;
 *
 * The worker has already refused (400 bad_request) a body or a query that
 * holds U+0000, a lone surrogate or invalid UTF-8, so every string here is
 * text. A member not in an object's list of known fields is a problem
 * ("Unknown field."), at every depth: one rule on every route.
 *
 * Each reader answers what it found: V_ABSENT (the member is missing; with
 * V_REQUIRED that is a problem too), V_NULL (JSON null, or blank text,
 * where V_NULLABLE allows it; *out is NULL or untouched for numbers),
 * V_SET (*out holds the value, in the request arena), V_BAD (a problem was
 * added; *out untouched).
 */
#ifndef PORTAL_VALID_H
#define PORTAL_VALID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct request;

enum v_got { V_ABSENT, V_NULL, V_SET, V_BAD };

#define V_REQUIRED 0x1u		/* missing is a problem: "Required." */
#define V_NULLABLE 0x2u		/* null (and blank text) reads as V_NULL */

/*
 * Text: white space trimmed at both ends, then min to max characters (code
 * points); control characters refused, except line feeds in multiline
 * text (addresses, notes, message bodies: CR LF is kept as LF);
 * bidirectional overrides refused in single-line text (names, titles,
 * subjects). See str_clean().
 */
struct v_text {
	size_t min, max;
	bool multiline;
};
#define V_LINE(max) (&(const struct v_text){ 1, (max), false })
#define V_LINES(min, max) (&(const struct v_text){ (min), (max), true })

/* An object being read and the prefix of its fields' names ("" at the
 * top, "items[2]." inside). */
struct vobj {
	struct request *req;
	struct json_object *obj;
	const char *prefix;
};

/* An array being read and its field name ("items"). */
struct varr {
	struct request *req;
	struct json_object *arr;
	const char *field;
	size_t count;
};

/* The body, which must be a JSON object whose members are all in known
 * (NULL-terminated). False after answering 422 when it is not an object;
 * unknown members are problems to be answered by v_ok(). */
bool v_body(struct request *req, struct vobj *o, const char *const *known);

enum v_got v_text(struct vobj *o, const char *key, const struct v_text *rule,
    unsigned flags, const char **out);
/* A whole number from min to max (1.0 is not one). */
enum v_got v_int(struct vobj *o, const char *key, int64_t min, int64_t max,
    unsigned flags, int64_t *out);
enum v_got v_bool(struct vobj *o, const char *key, unsigned flags, bool *out);
/* A UUID in its 8-4-4-4-12 form, answered in lower case. */
enum v_got v_uuid(struct vobj *o, const char *key, unsigned flags,
    const char **out);
/* One of allowed (NULL-terminated); *out points at the allowed string. */
enum v_got v_enum(struct vobj *o, const char *key, const char *const *allowed,
    unsigned flags, const char **out);
/* A calendar date YYYY-MM-DD from 1900 to 2999. */
enum v_got v_date(struct vobj *o, const char *key, unsigned flags,
    const char **out);
/* A date and time with an offset, RFC 3339 (2027-03-28T09:00:00+03:00 or
 * ...Z; seconds and fractions optional). */
enum v_got v_time(struct vobj *o, const char *key, unsigned flags,
    const char **out);
/* A number, whole or not, from min to max ("decimal" answers, bounds). */
enum v_got v_number(struct vobj *o, const char *key, double min, double max,
    unsigned flags, double *out);
/* Money: a whole number of minor units (kuruş, cents) from 0 to max. */
enum v_got v_money(struct vobj *o, const char *key, int64_t max,
    unsigned flags, int64_t *out);
/* A phone number in any usual form, a national one read by country
 * (ISO 3166 alpha-2), answered as E.164 in the arena; the problem shows
 * how the country writes one (v_phone_hint()). */
enum v_got v_phone(struct vobj *o, const char *key, const char *country,
    unsigned flags, const char **out);
/* How to write a phone number in country, for a message: "for example
 * +49 1512 3456789 or 01512 3456789" (in the arena), or, without a
 * country or when out of memory, a fixed text that asks for the
 * international form. Never NULL. */
const char *v_phone_hint(struct arena *a, const char *country);
/* Notes "Not a phone number; for example ..." on key, with the
 * international example also as the error's member "example" (for a
 * client that says it in its own words). own, the patient's own number
 * in E.164 or NULL: when it is of another country than the clinic's,
 * the example is of that country, in the international form only. */
void v_phone_problem(struct vobj *o, const char *key, const char *country,
    const char *own);
/* An email address (one '@', a dotted domain), kept as typed. */
enum v_got v_email(struct vobj *o, const char *key, unsigned flags,
    const char **out);
/* A nested object whose members are all in known; read it through child. */
enum v_got v_object(struct vobj *o, const char *key, const char *const *known,
    unsigned flags, struct vobj *child);
/* A nested object read like v_object(), but whose members are named by
 * their own names alone (a form's answers: the problem's field is the
 * link_id, not "answers.link_id"). */
enum v_got v_map(struct vobj *o, const char *key, const char *const *known,
    unsigned flags, struct vobj *child);
/* An array of at most max_items elements; read them with v_item_*(). */
enum v_got v_array(struct vobj *o, const char *key, size_t max_items,
    unsigned flags, struct varr *arr);

/* Element i of an array (i < arr->count), named "field[i]". */
enum v_got v_item_text(struct varr *arr, size_t i, const struct v_text *rule,
    const char **out);
enum v_got v_item_uuid(struct varr *arr, size_t i, const char **out);
enum v_got v_item_enum(struct varr *arr, size_t i, const char *const *allowed,
    const char **out);
enum v_got v_item_object(struct varr *arr, size_t i, const char *const *known,
    struct vobj *child);

/* A problem of the caller's own about member key of o (a rule that spans
 * fields, a value the database refused). */
void v_problem(struct vobj *o, const char *key, const char *message);
/* The same for a field named in full ("", "cursor"). */
void v_problem_field(struct request *req, const char *field,
    const char *message);

/* How many problems were found so far. */
size_t v_count(const struct request *req);

/* Forgets the problems found so far (a route's ahead step reads the
 * query before the request is authenticated; the handler reads it again). */
void v_forget(struct request *req);

/* True when nothing was found wrong; otherwise answers 422
 * validation_failed with every {field, message} and returns false. */
bool v_ok(struct request *req);

/*
 * Query values, by the same rules; the field is the parameter's name. An
 * empty value (?status=) is V_ABSENT. The first occurrence of a name
 * counts.
 */
enum v_got q_text(struct request *req, const char *name,
    const struct v_text *rule, unsigned flags, const char **out);
enum v_got q_uuid(struct request *req, const char *name, unsigned flags,
    const char **out);
enum v_got q_enum(struct request *req, const char *name,
    const char *const *allowed, unsigned flags, const char **out);
enum v_got q_int(struct request *req, const char *name, int64_t min,
    int64_t max, unsigned flags, int64_t *out);
enum v_got q_date(struct request *req, const char *name, unsigned flags,
    const char **out);
enum v_got q_bool(struct request *req, const char *name, unsigned flags,
    bool *out);

/* A list's page: ?limit= (1 to 100, default 50) and ?cursor= (NULL when
 * absent), which cursor_ok must accept (NULL: a UUID); a problem else. */
struct v_page {
	int limit;
	const char *cursor;
};
void q_page(struct request *req, bool (*cursor_ok)(const char *cursor),
    struct v_page *page);

/* Shared value checks, for readers outside this module. */
bool v_date_valid(const char *s);
bool v_time_valid(const char *s);

#endif
