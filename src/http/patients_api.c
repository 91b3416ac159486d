/*
 * patients_api.c - patients for the clinic: list and search, create, read,
 * patch and the photo; their Portal Permissions (follow the clinic or a
 * set of their own); the diagnostics that say why a patient can or cannot
 * do an action; and the portal's own status.
 *
 * On the request pipeline (src/http/README.md): the route table states
 * the roles, the pipeline authenticates (req->clinic holds the caller's
 * clinic) and opens, commits or rolls back the work; bodies and queries
 * are read through valid.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "access.h"
#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "contacts.h"
#include "db_clinic.h"
#include "db_documents.h"
#include "db_form_fill.h"
#include "db_patients.h"
#include "db_signin.h"
#include "http.h"
#include "json_util.h"
#include "patients.h"
#include "permissions.h"
#include "portal_settings.h"
#include "problem.h"
#include "routes.h"
#include "valid.h"

#define NAME_MAX_CHARS 100
#define SEARCH_MIN 3
#define SEARCH_MAX 100
#define DOCUMENT_ID_MAX 100
#define FORM_ID_MAX 100

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
	/* Whether the phone takes SMS (a landline does not): null without
	 * one. */
	if (p->phone != NULL)
		json_add_bool(o, "phone_sms_capable",
		    contact_phone_sms_capable(p->phone));
	else
		json_add(o, "phone_sms_capable", NULL);
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

static struct json_object *
patient_item(const void *row, void *ctx)
{
	(void)ctx;
	return patient_json(row);
}

static const char *
patient_cursor(const void *row)
{
	return ((const struct db_patient *)row)->cursor;
}

/* The route's patient {id}; another clinic's, or not an id at all, is
 * nobody's. False after answering 404. */
static bool
route_patient(struct request *req, bool for_update, struct db_patient *p)
{
	enum err err = db_patient_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), for_update,
	    p);

	if (err != ERR_OK) {
		problem_send_err(req, err, "patient");
		return false;
	}
	return true;
}

/* ---- a patient's fields ---- */

static const char *const languages[] = { "tr", "en", NULL };

/*
 * Reads the body's fields into p, whose other fields stay (names are
 * required when creating). The fields the patient keeps current in their
 * profile are read as the profile reads them. False after answering 422
 * naming every bad or unknown field.
 */
static bool
patient_read(struct request *req, bool creating, struct db_patient *p)
{
	static const char *const fields[] = { "first_name", "last_name",
	    "phone", "email", "language", "portal_access", "address",
	    "emergency_contact", "communication", NULL };
	const char *country = req->clinic->country;
	unsigned required = creating ? V_REQUIRED : 0;
	struct vobj body;

	if (!v_body(req, &body, fields))
		return false;
	v_text(&body, "first_name", V_LINE(NAME_MAX_CHARS), required,
	    &p->first_name);
	v_text(&body, "last_name", V_LINE(NAME_MAX_CHARS), required,
	    &p->last_name);
	v_phone(&body, "phone", country, V_NULLABLE, &p->phone);
	v_email(&body, "email", V_NULLABLE, &p->email);
	v_enum(&body, "language", languages, 0, &p->language);
	v_bool(&body, "portal_access", 0, &p->portal_access);
	profile_read(&body, country, NULL, p);
	return v_ok(req);
}

/* Writes the patient's derived columns; false after answering 503. */
static bool
derive(struct request *req, struct db_patient *p)
{
	if (!patient_derive(req->arena, p)) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return false;
	}
	return true;
}

/* Audits the change of p (before NULL for a new patient) and answers p
 * with status; 503 when out of memory or the row cannot be written. */
static void
answer_audited(struct request *req, int status, const char *action,
    struct json_object *before, const struct db_patient *p)
{
	struct json_object *after = json_arena_own(req->arena, patient_json(p));
	enum err err;

	if (after == NULL)
		err = ERR_NOMEM;
	else
		err = audit_record(req, action, "patient", p->id, before, after);
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, status, json_object_get(after));
}

/* ---- patients ---- */

/* POST /api/v1/clinic/patients: 201 with the patient and Location; the
 * language defaults to the clinic's, portal access to on. 422 naming
 * every bad or unknown field. */
void
handle_patient_create(struct request *req)
{
	struct db_patient p;
	enum err err;

	memset(&p, 0, sizeof(p));
	p.language = req->clinic->default_language;
	p.portal_access = true;
	p.communication_sms = p.communication_email = true;
	if (!patient_read(req, true, &p) || !derive(req, &p))
		return;
	if ((err = db_patient_create(req->ctx->db, req->arena,
	    req->actor.clinic_id, &p)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/patients/%s", p.id));
	answer_audited(req, 201, "patient.create", NULL, &p);
}

/* GET /api/v1/clinic/patients/{id}: 404 for another clinic's. */
void
handle_patient_get(struct request *req)
{
	struct db_patient p;

	if (route_patient(req, false, &p))
		resp_json(req, 200, patient_json(&p));
}

/* PATCH /api/v1/clinic/patients/{id}: the fields given replace the old
 * ones. Without portal access, or without any contact, the patient's
 * sessions end. 404 for another clinic's; 422 as for create. */
void
handle_patient_patch(struct request *req)
{
	struct db *db = req->ctx->db;
	struct json_object *before;
	struct db_patient p;
	enum err err;

	if (!route_patient(req, true, &p))
		return;
	before = json_arena_own(req->arena, patient_json(&p));
	if (!patient_read(req, false, &p) || !derive(req, &p))
		return;
	if ((err = db_patient_update(db, req->arena, req->actor.clinic_id,
	    &p)) != ERR_OK || ((!p.portal_access ||
	    (p.phone == NULL && p.email == NULL)) &&
	    (err = db_patient_sessions_end(db, req->actor.clinic_id,
	    p.id)) != ERR_OK)) {
		problem_send_err(req, err, "patient");
		return;
	}
	answer_audited(req, 200, "patient.update", before, &p);
}

/* ---- the list ---- */

/*
 * What to search for, from q: a whole phone number or email address is
 * looked up exactly; anything else is a pattern over names, phones and
 * addresses, of at least SEARCH_MIN letters or digits. False after adding
 * a problem naming q.
 */
static bool
search_parse(struct request *req, const char *q,
    struct db_patient_search *out)
{
	char folded[SEARCH_MAX * 4 + 1], e164[PHONE_E164_MAX + 1], *pattern, *o;
	bool phone_like = contact_looks_like_phone(q);
	size_t len;

	if (phone_like && contact_phone_e164(q, req->clinic->country, e164)) {
		out->kind = SEARCH_PHONE;
		out->value = arena_strdup(req->arena, e164);
		return out->value != NULL;
	}
	if (contact_email_valid(q)) {
		out->kind = SEARCH_EMAIL;
		out->value = q;
		return true;
	}
	if (phone_like) {
		/* Digits only, without the international or trunk prefix. */
		size_t n = 0;

		for (const char *d = q; *d && n + 1 < sizeof(folded); d++)
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
		v_problem_field(req, "q", "Type at least 3 letters or digits "
		    "(and at most 100 characters).");
		return false;
	}
	/* %word1%word2%, with LIKE's own characters escaped. */
	if ((pattern = o = arena_alloc(req->arena, len * 2 + 3)) == NULL)
		return false;
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

/* GET /api/v1/clinic/patients?q=&cursor=&limit=: {items, next_cursor},
 * by last name, then first name; q searches names, phone numbers and
 * email addresses. 422 naming q, cursor or limit. */
void
handle_patients_list(struct request *req)
{
	const char *q = NULL, *cursor = req_query(req, "cursor");
	struct db_patient_search search;
	struct db_patient *rows;
	struct v_page page;
	int n = 0;
	enum err err;

	/* An empty cursor is not one this list gave out either. */
	if (cursor != NULL && *cursor == '\0')
		v_problem_field(req, "cursor", "Not a cursor this list gave out.");
	q_page(req, db_patient_cursor_ok, &page);
	if (q_text(req, "q", V_LINE(SEARCH_MAX), 0, &q) == V_SET &&
	    !search_parse(req, q, &search) && v_count(req) == 0) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	if (!v_ok(req))
		return;
	if ((err = db_patient_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, q != NULL ? &search : NULL, page.cursor,
	    page.limit + 1, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page.limit,
	    patient_item, NULL, patient_cursor));
}

/* ---- Portal Permissions ---- */

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

/* GET /api/v1/clinic/patients/{id}/portal-permissions: {mode,
 * permissions, effective}. */
void
handle_patient_perms_get(struct request *req)
{
	struct db_portal_settings s;
	struct db_patient p;
	enum err err;

	if (!route_patient(req, false, &p))
		return;
	if ((err = db_settings_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &s)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, permissions_json(&p, &s));
}

/*
 * Reads {mode, permissions} or {mode: "custom", select_all: true} into
 * *custom and *set. "clinic" takes permissions absent, null or []; a
 * patient who follows the clinic has none of their own. False after
 * answering 422 naming the field.
 */
static bool
perms_read(struct request *req, bool *custom, perm_set *set)
{
	static const char *const fields[] = { "mode", "permissions",
	    "select_all", NULL };
	static const char *const modes[] = { "clinic", "custom", NULL };
	struct vobj body;
	const char *mode = NULL;
	bool select_all = false;
	enum v_got got_all;

	*set = 0;
	if (!v_body(req, &body, fields))
		return false;
	/* Without a mode, nothing else can be judged. */
	if (v_enum(&body, "mode", modes, V_REQUIRED, &mode) != V_SET)
		return v_ok(req);
	*custom = strcmp(mode, "custom") == 0;
	got_all = v_bool(&body, "select_all", 0, &select_all);
	if (!*custom) {
		if (got_all == V_SET)
			v_problem(&body, "select_all",
			    "Only true, with mode \"custom\".");
		if (perm_set_read(&body, "permissions", V_NULLABLE, set) ==
		    V_SET && *set != 0)
			v_problem(&body, "permissions", "A patient who follows "
			    "the clinic has no permissions of their own; use "
			    "mode \"custom\".");
		*set = 0;
	} else if (got_all == V_SET && select_all) {
		*set = PERM_ALL;
	} else if (got_all != V_BAD) {
		perm_set_read(&body, "permissions", V_REQUIRED, set);
	}
	return v_ok(req);
}

/* Whether the settings name an upload reviewer who is still an active
 * member of staff (*active); false after answering when the read failed. */
static bool
reviewer_active(struct request *req, const struct db_portal_settings *s,
    bool *active)
{
	struct db_staff_member m;
	enum err err;

	*active = false;
	if (s->upload_reviewer_id == NULL)
		return true;
	err = db_staff_member(req->ctx->db, req->arena, s->upload_reviewer_id,
	    &m);
	if (err != ERR_OK && err != ERR_NOT_FOUND) {
		problem_send_err(req, err, NULL);
		return false;
	}
	*active = err == ERR_OK && m.active;
	return true;
}

/*
 * PUT /api/v1/clinic/patients/{id}/portal-permissions {mode, permissions}
 * or {mode: "custom", select_all: true} (owner, admin): "clinic" drops
 * the patient's own set. Answers the new state and, for an own set, the
 * warnings it draws, the clinic-level ones (online payment, the upload
 * reviewer) with the pairs. 404 for another clinic's patient; 422 naming the
 * field.
 */
void
handle_patient_perms_put(struct request *req)
{
	struct portal_warning warnings[WARNINGS__MAX];
	struct json_object *before, *after, *body;
	struct db_portal_settings s;
	struct db_patient p;
	perm_set set = 0;
	bool custom = false, reviewer = false;
	size_t nw = 0;
	enum err err;

	if (!perms_read(req, &custom, &set) || !route_patient(req, true, &p))
		return;
	if ((err = db_settings_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &s)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	before = json_arena_own(req->arena, permissions_json(&p, &s));
	p.custom = custom;
	p.custom_permissions = set;
	if (!derive(req, &p))
		return;
	if ((err = db_patient_update(req->ctx->db, req->arena,
	    req->actor.clinic_id, &p)) != ERR_OK ||
	    (after = json_arena_own(req->arena, permissions_json(&p,
	    &s))) == NULL ||
	    (err = audit_record(req, "patient.portal_permissions.update",
	    "patient", p.id, before, after)) != ERR_OK) {
		problem_send_err(req, err != ERR_OK ? err : ERR_NOMEM, "patient");
		return;
	}
	if (custom && !reviewer_active(req, &s, &reviewer))
		return;
	if (custom)
		nw = portal_set_warnings(p.custom_permissions,
		    req->clinic->payment_active, reviewer, warnings);
	body = json_object_get(after);
	json_add(body, "warnings", portal_warnings_json(warnings, nw));
	resp_json(req, 200, body);
}

/* ---- diagnostics ---- */

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
 * [&document_id=][&form_id=]: {action, allowed, checks}, every condition
 * in order; with form_id, view_forms and submit_forms add form_open (the
 * form is active and assigned to the patient or available to all). 422
 * naming action for a missing or unknown key; 404 for another clinic's
 * patient, for a document_id not of this patient, and for a form_id not
 * of this clinic.
 */
void
handle_patient_access(struct request *req)
{
	struct access_check checks[COND__MAX];
	const char *action = NULL, *document_id = NULL, *form_id = NULL;
	struct db_portal_settings s;
	struct json_object *body;
	struct access_facts f;
	struct db_patient p;
	size_t n = 0;
	bool allowed;
	int key;
	enum err err;

	q_enum(req, "action", perm_keys, V_REQUIRED, &action);
	q_text(req, "document_id", V_LINE(DOCUMENT_ID_MAX), 0, &document_id);
	q_text(req, "form_id", V_LINE(FORM_ID_MAX), 0, &form_id);
	if (!v_ok(req) || !route_patient(req, false, &p))
		return;
	if ((err = db_settings_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &s)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	key = perm_from_key(action);
	access_facts_of(&f, req->clinic, &s, &p);
	if (document_id != NULL) {
		/* One of this patient's records, or 404 as an unknown id; it is
		 * shared when the patient's own routes would serve it for the
		 * action (db_portal_document_get(), the same statement). */
		struct db_document d;

		if ((err = db_document_get(req->ctx->db, req->arena,
		    req->actor.clinic_id, document_id, &d)) == ERR_OK &&
		    strcmp(d.patient_id, p.id) != 0)
			err = ERR_NOT_FOUND;
		if (err == ERR_OK) {
			err = db_portal_document_get(req->ctx->db, req->arena,
			    req->actor.clinic_id, p.id, d.id,
			    key == PERM_VIEW_IMAGES ? "image" : "document", &d);
			f.document_named = true;
			f.document_shared = err == ERR_OK;
			if (err == ERR_NOT_FOUND)
				err = ERR_OK;
		}
		if (err != ERR_OK) {
			problem_send_err(req, err, "document");
			return;
		}
	}
	if (form_id != NULL) {
		/* A form of the clinic, or 404 as an unknown id; open when the
		 * patient's own routes would serve it (the same condition). */
		if ((err = db_form_open(req->ctx->db, p.id, form_id,
		    &f.form_open)) != ERR_OK) {
			problem_send_err(req, err, "form");
			return;
		}
		f.form_named = true;
	}
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
	const struct db_clinic *c = req->clinic;
	struct access_check checks[COND__MAX];
	struct db_portal_settings s;
	struct json_object *body;
	struct access_facts f;
	size_t n = 0;
	bool open = true;
	enum err err;

	if ((err = db_settings_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, false, &s)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.module = c->portal_module;
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
	    arena_printf(req->arena, "%s/%s", c->public_url ? c->public_url :
	    req->ctx->conf->public_url, s.code));
	json_add(body, "checks", checks_json(checks, n));
	resp_json(req, 200, body);
}
