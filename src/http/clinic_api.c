/*
 * clinic_api.c - the clinic's profile (DESIGN.md section 16): its name,
 * contact details, languages, country, time zone, currency and invoice
 * prefix, read by every staff role and changed by owners and admins. The
 * public URL is shown beside them but stays the operator's: no call here
 * changes it (the application's role may not, sql/0020).
 *
 * A time zone change keeps every stored instant (they are timestamptz);
 * only how days, slots and offsets are read changes.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "db_clinic.h"
#include "db_finance.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"
#include "valid.h"

#define NAME_CHARS_MAX 200
#define ADDRESS_CHARS_MAX 500
#define TIME_ZONE_CHARS_MAX 64
#define INVOICE_PREFIX_CHARS_MAX 10

static const char *const language_names[] = { "tr", "en", NULL };

static struct json_object *
profile_json(const struct db_clinic_profile *p)
{
	struct json_object *o = json_object_new_object(),
	    *langs = json_object_new_array();

	if (p->lang_tr)
		json_object_array_add(langs, json_object_new_string("tr"));
	if (p->lang_en)
		json_object_array_add(langs, json_object_new_string("en"));
	json_add_string(o, "id", p->id);
	json_add_string(o, "name", p->name);
	json_add_string(o, "phone", p->phone);
	json_add_string(o, "email", p->email);
	json_add_string(o, "address", p->address);
	json_add(o, "languages", langs);
	json_add_string(o, "default_language", p->default_language);
	json_add_string(o, "country", p->country);
	json_add_string(o, "time_zone", p->time_zone);
	json_add_string(o, "currency", p->currency);
	json_add_string(o, "invoice_prefix", p->invoice_prefix);
	json_add_string(o, "public_url", p->public_url);
	return o;
}

static const char *
etag(struct request *req, int version)
{
	return arena_printf(req->arena, "\"%d\"", version);
}

void
ahead_clinic_profile_get(struct request *req)
{
	db_clinic_profile_ahead(req->ctx->db);
}

/* GET /api/v1/clinic/profile (every role): the profile and its ETag. */
void
handle_clinic_profile_get(struct request *req)
{
	struct db_clinic_profile p;
	enum err err;

	if ((err = db_clinic_profile_get(req->ctx->db, req->arena, &p)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "ETag", etag(req, p.version));
	resp_json(req, 200, profile_json(&p));
}

/*
 * Member key of o, upper-cased, when it is min to max characters of
 * allowed (and a letter or digit first); otherwise a problem saying
 * example. The upper-case copy lives in the arena.
 */
static void
code_read(struct vobj *o, const char *key, size_t min, size_t max,
    const char *allowed, const char *example, const char **out)
{
	const char *typed = NULL;
	char *up;

	if (v_text(o, key, V_LINE(max), V_REQUIRED, &typed) != V_SET)
		return;
	if ((up = arena_strdup(o->req->arena, typed)) == NULL)
		return;
	for (char *c = up; *c != '\0'; c++)
		*c = (char)toupper((unsigned char)*c);
	if (strlen(up) < min || strspn(up, allowed) != strlen(up) ||
	    !isalnum((unsigned char)up[0])) {
		v_problem(o, key, example);
		return;
	}
	*out = up;
}

/* The body's languages: tr and/or en, each once. */
static void
languages_read(struct vobj *o, struct db_clinic_profile *p)
{
	struct varr arr;
	const char *lang;

	if (v_array(o, "languages", 2, V_REQUIRED, &arr) != V_SET)
		return;
	if (arr.count == 0) {
		v_problem(o, "languages", "Choose at least one language.");
		return;
	}
	for (size_t i = 0; i < arr.count; i++) {
		if (v_item_enum(&arr, i, language_names, &lang) != V_SET)
			continue;
		if ((lang[0] == 't' && p->lang_tr) ||
		    (lang[0] == 'e' && p->lang_en))
			v_problem(o, "languages", "Name each language once.");
		p->lang_tr |= lang[0] == 't';
		p->lang_en |= lang[0] == 'e';
	}
}

/*
 * The body: every field of the profile (null where there is none), and
 * id and public_url only as they are (a client may send back what it
 * read; neither changes here). False after answering 422.
 */
static bool
clinic_profile_read(struct request *req, const struct db_clinic_profile *now,
    struct db_clinic_profile *p)
{
	static const char *const fields[] = { "name", "phone", "email",
	    "address", "languages", "default_language", "country",
	    "time_zone", "currency", "invoice_prefix", "id", "public_url",
	    NULL };
	const unsigned present = V_REQUIRED | V_NULLABLE;
	const char *id = NULL, *url = NULL;
	struct vobj body;

	memset(p, 0, sizeof(*p));
	if (!v_body(req, &body, fields))
		return false;
	v_text(&body, "name", V_LINE(NAME_CHARS_MAX), V_REQUIRED, &p->name);
	code_read(&body, "country", 2, 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	    "A two-letter ISO 3166 country code, for example TR or DE.",
	    &p->country);
	/* A national number is read by the country it is in: the one
	 * being saved, when it is well formed. */
	v_phone(&body, "phone", p->country != NULL ? p->country :
	    now->country, present, &p->phone);
	v_email(&body, "email", present, &p->email);
	v_text(&body, "address", V_LINES(1, ADDRESS_CHARS_MAX), present,
	    &p->address);
	languages_read(&body, p);
	if (v_enum(&body, "default_language", language_names, V_REQUIRED,
	    &p->default_language) == V_SET && (p->lang_tr || p->lang_en) &&
	    !(p->default_language[0] == 't' ? p->lang_tr : p->lang_en))
		v_problem(&body, "default_language", "Must be one of the "
		    "clinic's languages.");
	if (v_text(&body, "time_zone", V_LINE(TIME_ZONE_CHARS_MAX), V_REQUIRED,
	    &p->time_zone) == V_SET && strspn(p->time_zone,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-")
	    != strlen(p->time_zone))
		v_problem(&body, "time_zone", "A time zone name, for example "
		    "Europe/Istanbul.");
	code_read(&body, "currency", 3, 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	    "A three-letter ISO 4217 currency code, for example TRY or EUR.",
	    &p->currency);
	code_read(&body, "invoice_prefix", 1, INVOICE_PREFIX_CHARS_MAX,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", "Up to 10 letters, "
	    "digits and hyphens, starting with a letter or digit.",
	    &p->invoice_prefix);
	if (v_text(&body, "id", V_LINE(64), 0, &id) == V_SET &&
	    strcmp(id, now->id) != 0)
		v_problem(&body, "id", "This is another clinic's id.");
	if (v_text(&body, "public_url", V_LINE(2048), V_NULLABLE, &url) !=
	    V_ABSENT && !(url == NULL ? now->public_url == NULL :
	    now->public_url != NULL && strcmp(url, now->public_url) == 0))
		v_problem(&body, "public_url", "The public address is set by the "
		    "service's operator, not here.");
	return v_ok(req);
}

/* The fields the database refused ("country,time_zone"), as problems. */
static void
refused_send(struct request *req, const char *refused)
{
	static const struct {
		const char *field, *message;
	} says[] = {
		{ "country", "Not an ISO 3166 country code." },
		{ "time_zone", "Not a time zone PostgreSQL knows; for example "
		    "Europe/Istanbul or Europe/Berlin." },
		{ "currency", "Not an ISO 4217 currency code." },
	};

	for (size_t i = 0; i < sizeof(says) / sizeof(says[0]); i++) {
		size_t n = strlen(says[i].field);
		const char *at = strstr(refused, says[i].field);

		if (at != NULL && (at[n] == '\0' || at[n] == ','))
			v_problem_field(req, says[i].field, says[i].message);
	}
	if (v_ok(req))	/* a name this file does not know: still refused */
		problem_send(req, "validation_failed", NULL);
}

/*
 * PUT /api/v1/clinic/profile (owner, admin): the whole profile; an
 * If-Match, when sent, must name the current version (412 otherwise).
 * 200 with the saved profile and its new ETag; 422 naming each field that
 * is missing, malformed or not in its list; 409 conflict for a currency
 * change once the clinic has an invoice or a payment.
 */
void
handle_clinic_profile_put(struct request *req)
{
	const char *if_match = req_header(req, "HTTP_IF_MATCH"), *refused;
	struct db_clinic_profile before, in, after;
	struct db *db = req->ctx->db;
	struct json_object *was, *now;
	enum err err;

	if ((err = db_clinic_profile_lock(db, req->arena, &before)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (!clinic_profile_read(req, &before, &in))
		return;
	if (!if_match_allows(if_match, etag(req, before.version))) {
		resp_header(req, "ETag", etag(req, before.version));
		problem_send(req, "precondition_failed", "Someone saved the "
		    "clinic's profile since you loaded it; reload and try "
		    "again.");
		return;
	}
	/* Invoices and payments count in the clinic's currency without
	 * saying it again: once there is one, the currency stays (the
	 * profile row is locked, and a new invoice share-locks it). */
	if (strcmp(in.currency, before.currency) != 0) {
		bool has_money;

		if ((err = db_clinic_has_money(db, req->actor.clinic_id,
		    &has_money)) != ERR_OK) {
			problem_send_err(req, err, NULL);
			return;
		}
		if (has_money) {
			problem_send(req, "conflict", "The currency cannot "
			    "change once the clinic has an invoice or a "
			    "payment.");
			return;
		}
	}
	if ((err = db_clinic_profile_put(db, req->arena, &in, &refused,
	    &after)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (refused != NULL) {
		refused_send(req, refused);
		return;
	}
	was = json_arena_own(req->arena, profile_json(&before));
	now = json_arena_own(req->arena, profile_json(&after));
	if ((err = audit_record(req, "clinic.profile.update", "clinic",
	    after.id, was, now)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "ETag", etag(req, after.version));
	resp_json(req, 200, json_object_get(now));
}
