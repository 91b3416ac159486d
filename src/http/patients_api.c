/*
 * patients_api.c - patients for the clinic: list and search, create, read,
 * patch; their Portal Permissions (follow the clinic or a set of their
 * own); and the diagnostics that say why a patient can or cannot do an
 * action, plus the portal's own status.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "access.h"
#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "contacts.h"
#include "db.h"
#include "db_clinic.h"
#include "db_patients.h"
#include "db_signin.h"
#include "http.h"
#include "json_util.h"
#include "patients.h"
#include "permissions.h"
#include "portal_settings.h"
#include "problem.h"
#include "routes.h"
#include "str.h"

#define NAME_MAX_CHARS 100
#define SEARCH_MIN 3
#define SEARCH_MAX 100

static void
fail(struct request *req, enum err err)
{
	db_rollback(req->ctx->db);
	problem_send(req, err == ERR_NOT_FOUND ? "not_found" :
	    problem_code_for_err(err), err == ERR_NOT_FOUND ?
	    "No such patient." : NULL);
}

static struct json_object *
patient_json(const struct db_patient *p)
{
	struct json_object *o = json_object_new_object();
	char photo_url[80];

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", p->id);
	json_add_string(o, "first_name", p->first_name);
	json_add_string(o, "last_name", p->last_name);
	json_add_string(o, "phone", p->phone);
	json_add_string(o, "email", p->email);
	json_add_string(o, "language", p->language);
	json_add_bool(o, "portal_access", p->portal_access);
	json_add_string(o, "address", p->address);
	json_add(o, "emergency_contact", profile_emergency_json(p));
	json_add(o, "communication", profile_communication_json(p));
	json_add_bool(o, "has_photo", p->photo_sha256 != NULL);
	snprintf(photo_url, sizeof(photo_url), "/api/v1/clinic/patients/%s/photo",
	    p->id);
	json_add_string(o, "photo_url", p->photo_sha256 != NULL ? photo_url : NULL);
	json_add_string(o, "created_at", p->created_at);
	json_add_string(o, "updated_at", p->updated_at);
	return o;
}

static const char *const patient_fields[] = { "first_name", "last_name",
    "phone", "email", "language", "portal_access", "address",
    "emergency_contact", "communication", NULL };

/*
 * Applies the fields of body to p (all required when creating). The
 * clinic's country reads national phone numbers. Problems go to pl.
 */
static void
apply_fields(struct request *req, struct json_object *body, bool creating,
    const char *country, struct db_patient *p, struct problem_list *pl)
{
	struct json_object *v;

	json_object_object_foreach(body, key, val) {
		bool known = false;

		(void)val;
		for (size_t i = 0; patient_fields[i] != NULL; i++)
			known |= strcmp(key, patient_fields[i]) == 0;
		if (!known)
			problem_list_add(pl, arena_strdup(req->arena, key),
			    "Unknown field.");
	}
	for (int n = 0; n < 2; n++) {
		const char *field = n == 0 ? "first_name" : "last_name";
		const char **dst = n == 0 ? &p->first_name : &p->last_name;

		if (!json_object_object_get_ex(body, field, &v)) {
			if (creating)
				problem_list_add(pl, field, "Required.");
			continue;
		}
		if (!json_object_is_type(v, json_type_string)) {
			problem_list_add(pl, field, "Must be a string.");
			continue;
		}
		{
			char *s = arena_strdup(req->arena, json_object_get_string(v));

			if (s == NULL)
				continue;
			s = str_trim(s);
			if (*s == '\0' || str_utf8_length(s) > NAME_MAX_CHARS) {
				problem_list_add(pl, field, "Must be 1 to 100 characters.");
				continue;
			}
			if (strcspn(s, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
			    "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16"
			    "\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") != strlen(s)) {
				problem_list_add(pl, field, "Must not contain "
				    "control characters.");
				continue;
			}
			*dst = s;
		}
	}
	if (json_object_object_get_ex(body, "phone", &v)) {
		char e164[PHONE_E164_MAX + 1];

		if (v == NULL)
			p->phone = NULL;
		else if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) > 40 ||
		    !contact_phone_e164(json_object_get_string(v), country, e164))
			problem_list_add(pl, "phone", "Not a phone number; for example "
			    "+90 555 123 45 67 or 0555 123 45 67.");
		else
			p->phone = arena_strdup(req->arena, e164);
	}
	if (json_object_object_get_ex(body, "email", &v)) {
		if (v == NULL)
			p->email = NULL;
		else if (!json_object_is_type(v, json_type_string) ||
		    !contact_email_valid(json_object_get_string(v)))
			problem_list_add(pl, "email", "Not an email address.");
		else
			p->email = arena_strdup(req->arena, json_object_get_string(v));
	}
	if (json_object_object_get_ex(body, "language", &v)) {
		const char *l = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";

		if (strcmp(l, "tr") != 0 && strcmp(l, "en") != 0)
			problem_list_add(pl, "language", "Must be tr or en.");
		else
			p->language = strcmp(l, "tr") == 0 ? "tr" : "en";
	}
	if (json_object_object_get_ex(body, "portal_access", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			problem_list_add(pl, "portal_access", "Must be true or false.");
		else
			p->portal_access = json_object_get_boolean(v);
	}
	/* The fields the patient keeps current in their profile, too. */
	for (int n = 0; n < 3; n++) {
		static const char *const keys[] = { "address",
		    "emergency_contact", "communication" };

		if (json_object_object_get_ex(body, keys[n], &v))
			profile_apply_field(req, keys[n], v, country, p, pl);
	}
}

/* POST /api/v1/clinic/patients: 201 with the patient. */
void
handle_patient_create(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_clinic clinic;
	struct db_patient p;
	struct json_object *after;
	enum err err;

	if (!req_json_object(req))
		return;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_clinic_get(db, req->arena, req->actor.clinic_id,
	    &clinic)) != ERR_OK) {
		fail(req, err);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.language = clinic.default_language;
	p.portal_access = true;
	p.communication_sms = p.communication_email = true;
	pl = problem_list_new(req);
	apply_fields(req, req->json, true, clinic.country, &p, pl);
	if (problem_list_count(pl) > 0) {
		db_rollback(db);
		problem_list_send(req, pl, NULL);
		return;
	}
	if (!patient_derive(req->arena, &p) ||
	    (err = db_patient_create(db, req->arena, req->actor.clinic_id,
	    &p)) != ERR_OK ||
	    (after = json_arena_own(req->arena, patient_json(&p))) == NULL ||
	    (err = audit_record(req, "patient.create", "patient", p.id, NULL,
	    after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/patients/%s", p.id));
	resp_json(req, 201, json_object_get(after));
}

/* GET /api/v1/clinic/patients/{id}. */
void
handle_patient_get(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_patient p;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_patient_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), false, &p)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	resp_json(req, 200, patient_json(&p));
}

/* PATCH /api/v1/clinic/patients/{id}: the fields given replace the old. */
void
handle_patient_patch(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_clinic clinic;
	struct db_patient p;
	struct json_object *before, *after;
	enum err err;

	if (!req_json_object(req))
		return;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_clinic_get(db, req->arena, req->actor.clinic_id,
	    &clinic)) != ERR_OK ||
	    (err = db_patient_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), true, &p)) != ERR_OK) {
		fail(req, err);
		return;
	}
	before = json_arena_own(req->arena, patient_json(&p));
	pl = problem_list_new(req);
	apply_fields(req, req->json, false, clinic.country, &p, pl);
	if (problem_list_count(pl) > 0) {
		db_rollback(db);
		problem_list_send(req, pl, NULL);
		return;
	}
	/* Without access or any contact nobody may stay signed in as them. */
	if (!patient_derive(req->arena, &p) ||
	    (err = db_patient_update(db, req->arena, req->actor.clinic_id,
	    &p)) != ERR_OK ||
	    ((!p.portal_access || (p.phone == NULL && p.email == NULL)) &&
	    (err = db_patient_sessions_end(db, req->actor.clinic_id,
	    p.id)) != ERR_OK) ||
	    (after = json_arena_own(req->arena, patient_json(&p))) == NULL ||
	    (err = audit_record(req, "patient.update", "patient", p.id, before,
	    after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM);
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/* What to search for, or false after answering 422. A whole phone number
 * or email address is looked up exactly; anything else is a pattern over
 * names, phones and addresses. */
static bool
search_parse(struct request *req, const char *q, const char *country,
    struct db_patient_search *out)
{
	char folded[SEARCH_MAX * 2 + 1], e164[PHONE_E164_MAX + 1], *pattern, *o;
	size_t len;

	if (strlen(q) <= SEARCH_MAX && contact_looks_like_phone(q) &&
	    contact_phone_e164(q, country, e164)) {
		out->kind = SEARCH_PHONE;
		out->value = arena_strdup(req->arena, e164);
		return out->value != NULL;
	}
	if (strlen(q) <= SEARCH_MAX && contact_email_valid(q)) {
		out->kind = SEARCH_EMAIL;
		out->value = q;
		return true;
	}
	if (strlen(q) > SEARCH_MAX) {
		folded[0] = '\0';
	} else if (contact_looks_like_phone(q)) {
		/* Digits only, without the international or trunk prefix. */
		const char *d = q;
		size_t n = 0;

		for (; *d; d++)
			if (isdigit((unsigned char)*d))
				folded[n++] = *d;
		folded[n] = '\0';
		if (strncmp(folded, "00", 2) == 0)
			memmove(folded, folded + 2, n - 1);
		else if (folded[0] == '0')
			memmove(folded, folded + 1, n);
	} else if (strchr(q, '@') != NULL) {
		size_t n = 0;

		for (const char *c = q; *c && n + 1 < sizeof(folded); c++)
			if (!isspace((unsigned char)*c))
				folded[n++] = (char)tolower((unsigned char)*c);
		folded[n] = '\0';
	} else {
		portal_fold_words(q, folded, sizeof(folded));
	}
	len = strlen(folded);
	if (len < SEARCH_MIN) {
		struct problem_list *pl = problem_list_new(req);

		problem_list_add(pl, "q", "Type at least 3 letters or digits "
		    "(and at most 100 characters).");
		problem_list_send(req, pl, NULL);
		return false;
	}
	/* %word1%word2%, with LIKE's own characters escaped. */
	pattern = o = arena_alloc(req->arena, len * 2 + 3);
	if (pattern == NULL) {
		problem_send(req, "unavailable", NULL);
		return false;
	}
	*o++ = '%';
	for (const char *c = folded; *c; c++) {
		if (*c == ' ') {
			*o++ = '%';
			continue;
		}
		if (*c == '%' || *c == '_' || *c == '\\')
			*o++ = '\\';
		*o++ = *c;
	}
	*o++ = '%';
	*o = '\0';
	out->kind = SEARCH_TEXT;
	out->value = pattern;
	return true;
}

/* Cursor: hex of the sort key, '.', the id. */
static bool
cursor_decode(struct request *req, const char *cursor, const char **sort,
    const char **id)
{
	const char *dot = strchr(cursor, '.');
	size_t hexlen;
	char *s;

	if (dot == NULL || strlen(dot + 1) != 36)
		return false;
	hexlen = (size_t)(dot - cursor);
	if (hexlen % 2 != 0 || hexlen > 2048)
		return false;
	s = arena_alloc(req->arena, hexlen / 2 + 1);
	if (s == NULL)
		return false;
	for (size_t i = 0; i < hexlen / 2; i++) {
		unsigned v;

		if (!isxdigit((unsigned char)cursor[2 * i]) ||
		    !isxdigit((unsigned char)cursor[2 * i + 1]) ||
		    sscanf(cursor + 2 * i, "%2x", &v) != 1 || v == 0)
			return false;
		s[i] = (char)v;
	}
	s[hexlen / 2] = '\0';
	if (!str_is_uuid(dot + 1))
		return false;
	*sort = s;
	*id = dot + 1;
	return true;
}

static const char *
cursor_encode(struct request *req, const struct db_patient *p)
{
	size_t len = strlen(p->sort_key);
	char *out = arena_alloc(req->arena, len * 2 + 38);

	if (out == NULL)
		return NULL;
	str_hex(out, (const unsigned char *)p->sort_key, len);
	out[len * 2] = '.';
	strcpy(out + len * 2 + 1, p->id);
	return out;
}

/* GET /api/v1/clinic/patients?q=&cursor=&limit=: {items, next_cursor},
 * by last name; q searches names, phone numbers and email addresses. */
void
handle_patients_list(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *q = req_query(req, "q"), *cursor = req_query(req, "cursor");
	const char *after_sort = NULL, *after_id = NULL;
	struct db_patient_search search;
	struct db_patient *rows;
	struct db_clinic clinic;
	struct json_object *body, *items;
	bool searching = q != NULL && *q != '\0';
	int limit, n = 0;
	enum err err;

	if (!req_limit(req, &limit))
		return;
	if (cursor != NULL && !cursor_decode(req, cursor, &after_sort, &after_id)) {
		struct problem_list *pl = problem_list_new(req);

		problem_list_add(pl, "cursor", "Not a cursor this list gave out.");
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK) {
		fail(req, err);
		return;
	}
	/* The clinic's country reads a national phone number. */
	if (searching && contact_looks_like_phone(q) &&
	    (err = db_clinic_get(db, req->arena, req->actor.clinic_id,
	    &clinic)) != ERR_OK) {
		fail(req, err);
		return;
	}
	if (searching && !search_parse(req, q, contact_looks_like_phone(q) ?
	    clinic.country : NULL, &search)) {
		db_rollback(db);
		return;
	}
	if ((err = db_patient_list(db, req->arena, req->actor.clinic_id,
	    searching ? &search : NULL, after_sort, after_id, limit + 1, &rows,
	    &n)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	if (body == NULL || items == NULL) {
		json_object_put(body);
		json_object_put(items);
		resp_json(req, 200, NULL);
		return;
	}
	for (int i = 0; i < n && i < limit; i++)
		json_object_array_add(items, patient_json(&rows[i]));
	json_add(body, "items", items);
	json_add_string(body, "next_cursor", n > limit ?
	    cursor_encode(req, &rows[limit - 1]) : NULL);
	resp_json(req, 200, body);
}

static struct json_object *
permissions_json(const struct db_patient *p, const struct db_portal_settings *s)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "mode", p->custom ? "custom" : "clinic");
	json_add(o, "permissions", perm_set_json(p->custom ?
	    p->custom_permissions : 0));
	json_add(o, "effective", perm_set_json(access_effective(p, s)));
	return o;
}

/* GET /api/v1/clinic/patients/{id}/portal-permissions. */
void
handle_patient_perms_get(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_patient p;
	struct db_portal_settings s;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_patient_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), false, &p)) != ERR_OK ||
	    (err = db_settings_get(db, req->arena, req->actor.clinic_id, false,
	    &s)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	resp_json(req, 200, permissions_json(&p, &s));
}

/*
 * PUT /api/v1/clinic/patients/{id}/portal-permissions {mode, permissions}
 * or {mode: "custom", select_all: true} (owner, admin). "clinic" drops the
 * patient's own set. Answers the new state and the pair warnings of the
 * patient's own set.
 */
void
handle_patient_perms_put(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl = problem_list_new(req);
	struct json_object *mode, *perms = NULL, *select_all = NULL, *before,
	    *after, *body;
	struct portal_warning warnings[WARNINGS__MAX];
	struct db_patient p;
	struct db_portal_settings s;
	perm_set set = 0;
	bool custom = false;
	size_t nw = 0;
	enum err err;

	if (!req_json_object(req))
		return;
	json_object_object_foreach(req->json, key, val) {
		(void)val;
		if (strcmp(key, "mode") != 0 && strcmp(key, "permissions") != 0 &&
		    strcmp(key, "select_all") != 0)
			problem_list_add(pl, arena_strdup(req->arena, key),
			    "Unknown field.");
	}
	if (!json_object_object_get_ex(req->json, "mode", &mode) ||
	    !json_object_is_type(mode, json_type_string) ||
	    (strcmp(json_object_get_string(mode), "clinic") != 0 &&
	    strcmp(json_object_get_string(mode), "custom") != 0))
		problem_list_add(pl, "mode", "Must be \"clinic\" or \"custom\".");
	else
		custom = strcmp(json_object_get_string(mode), "custom") == 0;
	json_object_object_get_ex(req->json, "permissions", &perms);
	json_object_object_get_ex(req->json, "select_all", &select_all);
	if (select_all != NULL && (!json_object_is_type(select_all,
	    json_type_boolean) || !custom))
		problem_list_add(pl, "select_all", "Only true, with mode \"custom\".");
	else if (select_all != NULL && json_object_get_boolean(select_all))
		set = PERM_ALL;
	else if (custom)
		perm_set_from_json(req, perms, pl, "permissions", &set);
	else if (perms != NULL && problem_list_count(pl) == 0)
		problem_list_add(pl, "permissions", "A patient who follows the "
		    "clinic has no permissions of their own; use mode \"custom\".");
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_patient_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), true, &p)) != ERR_OK ||
	    (err = db_settings_get(db, req->arena, req->actor.clinic_id, false,
	    &s)) != ERR_OK) {
		fail(req, err);
		return;
	}
	before = json_arena_own(req->arena, permissions_json(&p, &s));
	p.custom = custom;
	p.custom_permissions = custom ? set : 0;
	if (!patient_derive(req->arena, &p) ||
	    (err = db_patient_update(db, req->arena, req->actor.clinic_id,
	    &p)) != ERR_OK ||
	    (after = json_arena_own(req->arena, permissions_json(&p, &s))) == NULL ||
	    (err = audit_record(req, "patient.portal_permissions.update",
	    "patient", p.id, before, after)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM);
		return;
	}
	if (custom)
		nw = portal_pair_warnings(p.custom_permissions, warnings);
	body = json_object_get(after);
	json_add(body, "warnings", portal_warnings_json(warnings, nw));
	resp_json(req, 200, body);
}

static struct json_object *
checks_json(const struct access_check *checks, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_add_string(o, "condition",
		    access_condition_name(checks[i].condition));
		json_add_bool(o, "ok", checks[i].ok);
		json_add_string(o, "detail", checks[i].detail);
		json_object_array_add(arr, o);
	}
	return arr;
}

/*
 * GET /api/v1/clinic/patients/{id}/portal-access?action=<key>
 * [&document_id=]: {action, allowed, checks}, every condition in order.
 */
void
handle_patient_access(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *action = req_query(req, "action"),
	    *document_id = req_query(req, "document_id");
	struct access_check checks[COND__MAX];
	struct access_facts f;
	struct db_patient p;
	struct db_portal_settings s;
	struct db_clinic c;
	struct json_object *body;
	size_t n = 0;
	bool allowed;
	int key = action ? perm_from_key(action) : -1;
	enum err err;

	if (key < 0) {
		struct problem_list *pl = problem_list_new(req);

		problem_list_add(pl, "action", "Name one of the 19 permission keys.");
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_patient_get(db, req->arena, req->actor.clinic_id,
	    route_param(&req->params, "id"), false, &p)) != ERR_OK ||
	    (err = db_settings_get(db, req->arena, req->actor.clinic_id, false,
	    &s)) != ERR_OK ||
	    (err = db_clinic_get(db, req->arena, req->actor.clinic_id, &c)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	if (document_id != NULL) {
		/* Documents arrive with their own issue; until then no id
		 * names one. */
		problem_send(req, "not_found", "No such document.");
		return;
	}
	access_facts_of(&f, &c, &s, &p);
	allowed = access_decide(&f, (enum perm)key, checks, &n);
	body = json_object_new_object();
	json_add_string(body, "action", perm_catalog[key].key);
	json_add_bool(body, "allowed", allowed);
	json_add(body, "checks", checks_json(checks, n));
	resp_json(req, 200, body);
}

/* GET /api/v1/clinic/portal/status: {open, url, checks}: would the
 * portal's link open, and if not, why. */
void
handle_portal_status(struct request *req)
{
	struct db *db = req->ctx->db;
	struct access_check checks[COND__MAX];
	struct access_facts f;
	struct db_portal_settings s;
	struct db_clinic c;
	struct json_object *body;
	size_t n = 0;
	bool open = true;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_settings_get(db, req->arena, req->actor.clinic_id, false,
	    &s)) != ERR_OK ||
	    (err = db_clinic_get(db, req->arena, req->actor.clinic_id, &c)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.module = c.portal_module;
	f.portal_enabled = s.enabled;
	f.code_set = s.code != NULL;
	/* The portal-level conditions are the first three of the decision. */
	access_decide(&f, PERM_VIEW_PROFILE, checks, &n);
	n = COND_PATIENT_ACCESS;
	for (size_t i = 0; i < n; i++)
		open &= checks[i].ok;
	body = json_object_new_object();
	json_add_bool(body, "open", open);
	json_add_string(body, "url", s.code == NULL ? NULL :
	    arena_printf(req->arena, "%s/%s", c.public_url ? c.public_url :
	    req->ctx->conf->public_url, s.code));
	json_add(body, "checks", checks_json(checks, n));
	resp_json(req, 200, body);
}
