/*
 * portal_auth.c - the patient side's front door: which portal a {code}
 * opens, patient sign-in with a one-time code (start, verify, choose a
 * profile), sessions, logout and me.
 *
 * Sign-in never tells whether a contact belongs to a patient: start
 * answers the same 202 for any well-formed contact after one and the same
 * database statement (portal_login_start() in sql/0006), and an unknown
 * contact's challenge holds the hash of a code nobody was sent. Codes are
 * kept only as keyed hashes, and tries are spent in one UPDATE ... WHERE
 * attempts < max, so parallel guesses get max tries in all.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "access.h"
#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "contacts.h"
#include "crypto.h"
#include "db.h"
#include "db_clinic.h"
#include "db_patients.h"
#include "db_signin.h"
#include "http.h"
#include "json_util.h"
#include "portal_http.h"
#include "portal_settings.h"
#include "problem.h"
#include "routes.h"
#include "str.h"

#define PATIENT_COOKIE "portal_patient"

static void
fail(struct request *req, enum err err)
{
	db_rollback(req->ctx->db);
	problem_send(req, problem_code_for_err(err), NULL);
}

static void
not_found(struct request *req)
{
	db_rollback(req->ctx->db);
	problem_send(req, "portal_not_found", "There is no portal at this "
	    "address.");
}

bool
portal_open(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *code = route_param(&req->params, "code"), *clinic_id,
	    *why;
	struct portal_ctx *p;
	bool retired = false;
	enum err err;

	if (portal_code_verdict(code, &why) != CODE_OK) {
		not_found(req);
		return false;
	}
	p = arena_calloc(req->arena, 1, sizeof(*p));
	if (p == NULL) {
		fail(req, ERR_NOMEM);
		return false;
	}
	err = db_code_owner(db, req->arena, code, &clinic_id, &retired);
	if (err == ERR_NOT_FOUND || (err == ERR_OK && retired)) {
		not_found(req);
		return false;
	}
	if (err != ERR_OK || (err = db_begin_clinic(db, clinic_id)) != ERR_OK ||
	    (err = db_clinic_get(db, req->arena, clinic_id, &p->clinic)) != ERR_OK ||
	    (err = db_settings_get(db, req->arena, clinic_id, false,
	    &p->settings)) != ERR_OK) {
		fail(req, err);
		return false;
	}
	if (!p->clinic.portal_module || !p->settings.enabled ||
	    p->settings.code == NULL || strcmp(p->settings.code, code) != 0) {
		not_found(req);
		return false;
	}
	p->code = p->settings.code;
	req->portal = p;
	return true;
}

static bool
is_safe_method(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

bool
patient_auth(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *token, *code = route_param(&req->params, "code"), *why;
	char hash[CRYPTO_BYTEA_HEX];
	struct db_portal_session ps;
	struct portal_ctx *p;
	enum err err;

	token = req_cookie(req, PATIENT_COOKIE);
	if (token == NULL || strlen(token) != CRYPTO_TOKEN_CHARS) {
		/* Which answer: the portal's 404 comes before the 401. */
		if (!portal_open(req))
			return false;
		db_rollback(db);
		problem_send(req, "not_authenticated", "Please sign in.");
		return false;
	}
	if (portal_code_verdict(code, &why) != CODE_OK) {
		not_found(req);
		return false;
	}
	/* Two round trips: BEGIN, then code, portal and session at once. */
	crypto_token_hash(hash, token);
	p = arena_calloc(req->arena, 1, sizeof(*p));
	if (p == NULL || (err = db_begin(db)) != ERR_OK ||
	    (err = db_portal_session_open(db, req->arena, code, hash,
	    req->ctx->conf->patient_session_idle, &ps)) != ERR_OK) {
		fail(req, p == NULL ? ERR_NOMEM : err);
		return false;
	}
	if (!ps.portal_open) {
		not_found(req);
		return false;
	}
	if (!ps.session) {
		db_rollback(db);
		problem_send(req, "not_authenticated",
		    "Your session has ended; please sign in again.");
		return false;
	}
	if ((err = db_portal_context(db, req->arena, ps.clinic_id,
	    ps.patient_id, &p->clinic, &p->settings, &p->patient)) != ERR_OK) {
		fail(req, err == ERR_NOT_FOUND ? ERR_DB : err);
		return false;
	}
	p->code = p->settings.code;
	req->portal = p;
	req->actor.kind = ACTOR_PATIENT;
	req->actor.clinic_id = req->portal->clinic.id;
	req->actor.id = ps.patient_id;
	req->actor.name = req->portal->patient.first_name;
	req->actor.csrf_token = ps.csrf_token;
	if (!is_safe_method(req->method)) {
		const char *sent = req_header(req, "HTTP_X_CSRF_TOKEN");

		if (sent == NULL || !crypto_str_equal(sent, ps.csrf_token)) {
			db_rollback(db);
			problem_send(req, "csrf_failed", "Send the X-CSRF-Token "
			    "header you received at sign-in.");
			return false;
		}
	}
	return true;
}

bool
portal_allow(struct request *req, enum perm key)
{
	struct access_check checks[COND__MAX];
	struct access_facts f;
	const char *why = "The portal does not allow this for you.";
	size_t n = 0;

	access_facts_of(&f, &req->portal->clinic, &req->portal->settings,
	    &req->portal->patient);
	/* A document's own condition is decided where the document is. */
	f.document_named = true;
	f.document_shared = true;

	if (access_decide(&f, key, checks, &n))
		return true;
	/* Say the first condition that failed. */
	for (size_t i = 0; i < n; i++)
		if (!checks[i].ok) {
			why = checks[i].detail;
			break;
		}
	db_rollback(req->ctx->db);
	problem_send_ex(req, "permission_denied", why,
	    json_tokener_parse(arena_printf(req->arena, "{\"permission\": \"%s\"}",
	    perm_catalog[key].key)));
	return false;
}

static const char *
cookie_path(struct request *req)
{
	return arena_printf(req->arena, "/api/v1/portal/%s/", req->portal->code);
}

/* {id, first_name, last_name, language} and the keys usable now. */
static void
add_patient(struct request *req, struct json_object *body)
{
	const struct db_patient *p = &req->portal->patient;
	struct json_object *o = json_object_new_object();
	struct access_facts f;

	json_add_string(o, "id", p->id);
	json_add_string(o, "first_name", p->first_name);
	json_add_string(o, "last_name", p->last_name);
	json_add_string(o, "language", p->language);
	json_add(body, "patient", o);
	access_facts_of(&f, &req->portal->clinic, &req->portal->settings, p);
	json_add(body, "permissions", perm_set_json(access_usable(&f)));
}

/*
 * Signs patient_id in: a fresh session (a cookie planted before is
 * worthless), the audit row, commit, and the answer of verify and select.
 */
static void
sign_in(struct request *req, const char *patient_id)
{
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	const char *clinic_id = req->portal->clinic.id;
	char token[CRYPTO_TOKEN_CHARS + 1], csrf[CRYPTO_TOKEN_CHARS + 1];
	char hash[CRYPTO_BYTEA_HEX];
	struct json_object *body;
	enum err err;

	crypto_token(token);
	crypto_token(csrf);
	crypto_token_hash(hash, token);
	req->actor.kind = ACTOR_PATIENT;
	req->actor.clinic_id = clinic_id;
	req->actor.id = patient_id;
	if ((err = db_patient_session_create(db, clinic_id, patient_id, hash,
	    csrf, conf->patient_session_absolute)) != ERR_OK ||
	    (err = db_patient_get(db, req->arena, clinic_id, patient_id, false,
	    &req->portal->patient)) != ERR_OK ||
	    (err = audit_record(req, "patient.login", "patient", patient_id,
	    NULL, NULL)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		sodium_memzero(token, sizeof(token));
		fail(req, err);
		return;
	}
	resp_header(req, "Set-Cookie", arena_printf(req->arena,
	    PATIENT_COOKIE "=%s; Path=%s; Max-Age=%ld; HttpOnly; "
	    "SameSite=Strict%s", token, cookie_path(req),
	    conf->patient_session_absolute, conf->cookie_secure ? "; Secure" : ""));
	sodium_memzero(token, sizeof(token));
	body = json_object_new_object();
	if (body != NULL) {
		add_patient(req, body);
		json_add_string(body, "csrf_token", csrf);
	}
	resp_json(req, 200, body);
}

/*
 * POST /api/v1/portal/{code}/login/start {contact}: 202 {challenge_id,
 * channel, expires_in} for any well-formed phone number or email address;
 * the code goes out only when the contact is a patient's. 429 with
 * Retry-After past the limits per contact and per client address.
 */
void
handle_patient_login_start(struct request *req)
{
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_login_start in;
	char id[CRYPTO_UUID_CHARS + 1], otp[CRYPTO_OTP_DIGITS + 1];
	char hash[CRYPTO_BYTEA_HEX], e164[PHONE_E164_MAX + 1];
	const char *contact;
	struct json_object *body;
	long retry_after = 0;
	enum err err;

	if (!req_json_object(req) || !portal_open(req))
		return;
	pl = problem_list_new(req);
	contact = body_string_field(req->json, "contact", 254, pl);
	memset(&in, 0, sizeof(in));
	if (contact != NULL && strchr(contact, '@') != NULL) {
		char *lower = arena_strdup(req->arena, contact);

		for (char *c = lower; c != NULL && *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (lower == NULL || !contact_email_valid(lower))
			problem_list_add(pl, "contact", "Not an email address.");
		in.channel = "email";
		in.contact = lower;
	} else if (contact != NULL) {
		if (strlen(contact) > 40 || !contact_phone_e164(contact,
		    req->portal->clinic.country, e164))
			problem_list_add(pl, "contact", "Type your phone number "
			    "(for example 0555 123 45 67) or your email address.");
		in.channel = "sms";
		in.contact = e164;
	}
	if (problem_list_count(pl) > 0) {
		db_rollback(db);
		problem_list_send(req, pl, NULL);
		return;
	}
	crypto_uuid(id);
	crypto_otp(otp);
	crypto_otp_hash(hash, conf->signin_secret, id, otp);
	in.challenge_id = id;
	in.code_hash = hash;
	in.otp = otp;
	in.client_addr = req->remote_addr ? req->remote_addr : "";
	in.contact_limit = conf->patient_login_max_per_contact;
	in.addr_limit = conf->patient_login_max_per_address;
	in.window_s = conf->patient_login_window;
	in.lifetime_s = conf->otp_lifetime;
	in.base_url = conf->public_url;
	err = db_login_start(db, &in, &retry_after);
	sodium_memzero(otp, sizeof(otp));
	if (err == ERR_OK && retry_after > 0) {
		db_rollback(db);
		problem_send_rate_limited(req, retry_after, "Too many sign-in "
		    "attempts; wait before asking for another code.");
		return;
	}
	if (err != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	body = json_object_new_object();
	json_add_string(body, "challenge_id", id);
	json_add_string(body, "channel", in.channel);
	json_add_int(body, "expires_in", conf->otp_lifetime);
	resp_json(req, 202, body);
}

static bool
is_code(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (s[n] < '0' || s[n] > '9')
			return false;
	return n == CRYPTO_OTP_DIGITS;
}

bool
portal_code_body(struct request *req, const char **challenge_id,
    const char **code)
{
	struct problem_list *pl = problem_list_new(req);

	*challenge_id = body_string_field(req->json, "challenge_id", 64, pl);
	*code = body_string_field(req->json, "code", 64, pl);
	if (*code != NULL && !is_code(*code))
		problem_list_add(pl, "code", "The code has 6 digits.");
	if (problem_list_count(pl) == 0)
		return true;
	db_rollback(req->ctx->db);
	problem_list_send(req, pl, NULL);
	return false;
}

void
portal_code_wrong(struct request *req, long attempts)
{
	long left = req->ctx->conf->otp_max_attempts - attempts;
	enum err err;

	/* The spent try is kept. */
	if ((err = db_commit(req->ctx->db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	problem_send_ex(req, "invalid_code", left > 0 ?
	    "The code is wrong; check it and try again." :
	    "The code is wrong, and that was the last try; ask for a new code.",
	    json_tokener_parse(arena_printf(req->arena,
	    "{\"attempts_left\": %ld}", left > 0 ? left : 0)));
}

void
portal_code_gone(struct request *req)
{
	db_rollback(req->ctx->db);
	problem_send(req, "challenge_expired", "This code has expired or was "
	    "used up; ask for a new one.");
}

/* The profiles a verified code may choose from, and a selection token. */
static void
offer_choice(struct request *req, const char *challenge_id,
    const struct db_signin_patient *pp, int n)
{
	struct db *db = req->ctx->db;
	char token[CRYPTO_TOKEN_CHARS + 1], hash[CRYPTO_BYTEA_HEX];
	struct json_object *body, *choose;
	enum err err;

	crypto_token(token);
	crypto_token_hash(hash, token);
	err = db_challenge_verified(db, req->portal->clinic.id, challenge_id,
	    hash);
	if (err == ERR_NOT_FOUND) {
		portal_code_gone(req);
		return;
	}
	if (err != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	body = json_object_new_object();
	choose = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_add_string(o, "patient_id", pp[i].id);
		json_add_string(o, "display_name", arena_printf(req->arena,
		    "%s %s", pp[i].first_name, pp[i].last_name));
		json_object_array_add(choose, o);
	}
	json_add(body, "choose", choose);
	json_add_string(body, "selection_token", token);
	resp_json(req, 200, body);
}

/*
 * POST /api/v1/portal/{code}/login/verify {challenge_id, code}: signs in,
 * or offers the profiles of a shared contact; 400 invalid_code with
 * attempts_left; 410 challenge_expired once expired, used or out of tries.
 */
void
handle_patient_login_verify(struct request *req)
{
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	const char *challenge_id, *code;
	struct db_challenge ch;
	struct db_signin_patient *pp = NULL;
	char hash[CRYPTO_BYTEA_HEX];
	int n = 0;
	bool match;
	enum err err;

	if (!req_json_object(req) || !portal_open(req))
		return;
	if (!portal_code_body(req, &challenge_id, &code))
		return;
	err = db_challenge_try(db, req->arena, req->portal->clinic.id,
	    challenge_id, conf->otp_max_attempts, &ch);
	if (err == ERR_NOT_FOUND) {
		portal_code_gone(req);
		return;
	}
	if (err != ERR_OK) {
		fail(req, err);
		return;
	}
	crypto_otp_hash(hash, conf->signin_secret, challenge_id, code);
	match = crypto_str_equal(hash, ch.code_hash);
	if (match && (err = db_signin_patients(db, req->arena,
	    req->portal->clinic.id, ch.patient_ids, &pp, &n)) != ERR_OK) {
		fail(req, err);
		return;
	}
	if (!match || n == 0) {
		portal_code_wrong(req, ch.attempts);
		return;
	}
	if (n > 1) {
		offer_choice(req, challenge_id, pp, n);
		return;
	}
	err = db_challenge_verified(db, req->portal->clinic.id, challenge_id,
	    NULL);
	if (err == ERR_NOT_FOUND) {
		portal_code_gone(req);
		return;
	}
	if (err != ERR_OK) {
		fail(req, err);
		return;
	}
	sign_in(req, pp[0].id);
}

/*
 * POST /api/v1/portal/{code}/login/select {selection_token, patient_id}:
 * the profile chosen after a shared contact's code; answers like verify.
 */
void
handle_patient_login_select(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	const char *token, *patient_id, *ids;
	struct db_signin_patient *pp = NULL;
	char hash[CRYPTO_BYTEA_HEX];
	int n = 0;
	enum err err;

	if (!req_json_object(req) || !portal_open(req))
		return;
	pl = problem_list_new(req);
	token = body_string_field(req->json, "selection_token", 64, pl);
	patient_id = body_string_field(req->json, "patient_id", 64, pl);
	if (problem_list_count(pl) > 0) {
		db_rollback(db);
		problem_list_send(req, pl, NULL);
		return;
	}
	crypto_token_hash(hash, token);
	err = db_selection_take(db, req->arena, req->portal->clinic.id, hash,
	    &ids);
	if (err == ERR_NOT_FOUND) {
		portal_code_gone(req);
		return;
	}
	if (err != ERR_OK || (err = db_signin_patients(db, req->arena,
	    req->portal->clinic.id, ids, &pp, &n)) != ERR_OK) {
		fail(req, err);
		return;
	}
	for (int i = 0; i < n; i++)
		if (strcmp(pp[i].id, patient_id) == 0) {
			sign_in(req, pp[i].id);
			return;
		}
	/* Rolling back leaves the token unspent for a correct choice. */
	db_rollback(db);
	problem_list_add(pl, "patient_id", "Choose one of the profiles offered.");
	problem_list_send(req, pl, NULL);
}

/* POST /api/v1/portal/{code}/logout: 204; the session ends at once. */
void
handle_patient_logout(struct request *req)
{
	struct db *db = req->ctx->db;
	char hash[CRYPTO_BYTEA_HEX];
	enum err err;

	crypto_token_hash(hash, req_cookie(req, PATIENT_COOKIE));
	if ((err = db_patient_session_delete(db, req->portal->clinic.id,
	    hash)) != ERR_OK || (err = audit_record(req, "patient.logout",
	    "patient", req->actor.id, NULL, NULL)) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	resp_header(req, "Set-Cookie", arena_printf(req->arena, PATIENT_COOKIE
	    "=; Path=%s; Max-Age=0; HttpOnly; SameSite=Strict", cookie_path(req)));
	resp_raw(req, 204, NULL, "", 0);
}

/* GET /api/v1/portal/{code}/me: the patient, the keys usable now, the
 * session's csrf_token and the clinic. */
void
handle_patient_me(struct request *req)
{
	const struct db_clinic *c = &req->portal->clinic;
	struct json_object *body, *clinic, *langs;
	enum err err;

	/* Commits the session's last use. */
	if ((err = db_commit(req->ctx->db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	body = json_object_new_object();
	clinic = json_object_new_object();
	langs = json_object_new_array();
	if (c->lang_tr)
		json_object_array_add(langs, json_object_new_string("tr"));
	if (c->lang_en)
		json_object_array_add(langs, json_object_new_string("en"));
	json_add_string(clinic, "name", c->name);
	json_add_string(clinic, "code", req->portal->code);
	json_add(clinic, "languages", langs);
	json_add_string(clinic, "default_language", c->default_language);
	add_patient(req, body);
	json_add_string(body, "csrf_token", req->actor.csrf_token);
	json_add(body, "clinic", clinic);
	resp_json(req, 200, body);
}
