/*
 * auth.c - who is calling: staff sessions (cookie + CSRF) and API keys
 * (Bearer), checked against the route's access level before the handler
 * runs; and the sign-in endpoints auth/login, auth/logout and me.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_clinic.h"
#include "http.h"
#include "json_util.h"
#include "log.h"
#include "portal_http.h"
#include "problem.h"
#include "routes.h"

#define STAFF_COOKIE "portal_staff"
#define STAFF_COOKIE_PATH "/api/v1/clinic/"

static enum staff_role
role_parse(const char *role)
{
	if (role == NULL)
		return ROLE_NONE;
	if (strcmp(role, "owner") == 0)
		return ROLE_OWNER;
	if (strcmp(role, "admin") == 0)
		return ROLE_ADMIN;
	if (strcmp(role, "staff") == 0)
		return ROLE_STAFF;
	return ROLE_NONE;
}

const char *
auth_role_name(enum staff_role role)
{
	switch (role) {
	case ROLE_OWNER:
		return "owner";
	case ROLE_ADMIN:
		return "admin";
	case ROLE_STAFF:
		return "staff";
	case ROLE_NONE:
		break;
	}
	return "none";
}

static bool
is_safe_method(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* Bearer API key: "ppk_<token>". */
static bool
auth_api_key(struct request *req, const char *authorization)
{
	char hash[CRYPTO_BYTEA_HEX];
	struct db_api_key key;
	const char *secret;
	enum err err;

	if (strncmp(authorization, "Bearer ", 7) != 0) {
		problem_send(req, "not_authenticated",
		    "Use 'Authorization: Bearer <API key>'.");
		return false;
	}
	secret = authorization + 7;
	if (strncmp(secret, CRYPTO_API_KEY_PREFIX, 4) != 0 ||
	    strlen(secret) > 128) {
		problem_send(req, "not_authenticated", "The API key is not valid.");
		return false;
	}
	crypto_token_hash(hash, secret);
	err = db_api_key_lookup(req->ctx->db, req->arena, hash, &key);
	if (err == ERR_NOT_FOUND) {
		problem_send(req, "not_authenticated",
		    "The API key is not valid or was revoked.");
		return false;
	}
	if (err != ERR_OK) {
		problem_send(req, problem_code_for_err(err), NULL);
		return false;
	}
	req->actor.kind = ACTOR_API_KEY;
	req->actor.clinic_id = key.clinic_id;
	req->actor.id = key.id;
	req->actor.name = key.name;
	req->actor.scopes = key.scopes;
	return true;
}

static bool
auth_session(struct request *req, const char *token)
{
	char hash[CRYPTO_BYTEA_HEX];
	struct db_session s;
	enum err err;

	if (strlen(token) != CRYPTO_TOKEN_CHARS) {
		problem_send(req, "not_authenticated", "Please sign in.");
		return false;
	}
	crypto_token_hash(hash, token);
	err = db_session_lookup(req->ctx->db, req->arena, hash,
	    req->ctx->conf->staff_session_idle, &s);
	if (err == ERR_NOT_FOUND) {
		problem_send(req, "not_authenticated",
		    "Your session has ended; please sign in again.");
		return false;
	}
	if (err != ERR_OK) {
		problem_send(req, problem_code_for_err(err), NULL);
		return false;
	}
	req->actor.kind = ACTOR_STAFF;
	req->actor.clinic_id = s.clinic_id;
	req->actor.id = s.staff_id;
	req->actor.name = s.name;
	req->actor.role = role_parse(s.role);
	req->actor.csrf_token = s.csrf_token;
	if (!is_safe_method(req->method)) {
		const char *sent = req_header(req, "HTTP_X_CSRF_TOKEN");

		if (sent == NULL || !crypto_str_equal(sent, s.csrf_token)) {
			problem_send(req, "csrf_failed", "Send the X-CSRF-Token "
			    "header you received at sign-in.");
			return false;
		}
	}
	return true;
}

/* Does the authenticated actor reach the route's role? (Legacy routes;
 * the pipeline decides for the rest.) */
static bool
access_allowed(const struct actor *a, const struct route *r)
{
	if (a->kind == ACTOR_API_KEY) {
		if (r->flags & ROUTE_SESSION_ONLY)
			return false;
		if (r->least != LEAST_STAFF)
			return a->scopes & SCOPE_ADMIN;
		if (r->kind == ROUTE_WRITE)
			return a->scopes & (SCOPE_WRITE | SCOPE_ADMIN);
		return a->scopes & (SCOPE_READ | SCOPE_WRITE | SCOPE_ADMIN);
	}
	switch (r->least) {
	case LEAST_STAFF:
		return a->role != ROLE_NONE;
	case LEAST_ADMIN:
		return a->role == ROLE_OWNER || a->role == ROLE_ADMIN;
	case LEAST_OWNER:
		return a->role == ROLE_OWNER;
	}
	return false;
}

bool
auth_check(struct request *req)
{
	const char *authorization, *token;

	if (req->route->side == SIDE_PUBLIC || req->route->side == SIDE_PORTAL ||
	    req->route->side == SIDE_CALLBACK)
		return true;
	if (req->route->side == SIDE_PATIENT)
		return patient_auth(req);
	authorization = req_header(req, "HTTP_AUTHORIZATION");
	if (authorization != NULL && *authorization != '\0') {
		if (!auth_api_key(req, authorization))
			return false;
	} else if ((token = req_cookie(req, STAFF_COOKIE)) != NULL) {
		if (!auth_session(req, token))
			return false;
	} else {
		problem_send(req, "not_authenticated", "Please sign in.");
		return false;
	}
	if (!access_allowed(&req->actor, req->route)) {
		problem_send(req, "forbidden_role",
		    req->actor.kind == ACTOR_API_KEY ?
		    "This API key's scopes do not allow this." :
		    req->route->least == LEAST_OWNER ?
		    "Only the clinic owner may do this." :
		    "Only the clinic owner or an administrator may do this.");
		return false;
	}
	return true;
}

/* A hash to verify against when the account does not exist, so that an
 * unknown address costs the same time as a wrong password. */
static char *dummy_hash;

static const char *
dummy_password_hash(const struct conf *conf)
{
	if (dummy_hash == NULL)
		dummy_hash = crypto_password_hash("not a password",
		    (unsigned long long)conf->argon2_opslimit,
		    (size_t)conf->argon2_memlimit);
	return dummy_hash;
}

void
auth_shutdown(void)
{
	free(dummy_hash);
	dummy_hash = NULL;
}

const char *
body_string_field(struct json_object *obj, const char *key, size_t max,
    struct problem_list *pl)
{
	struct json_object *v;
	size_t len;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		problem_list_add(pl, key, "Required, as a string.");
		return NULL;
	}
	len = (size_t)json_object_get_string_len(v);
	if (len == 0 || len > max) {
		problem_list_add(pl, key, "Must not be empty or too long.");
		return NULL;
	}
	return json_object_get_string(v);
}

static struct json_object *
staff_json(const char *id, const char *name, enum staff_role role)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL || json_add_string(o, "id", id) != 0 ||
	    json_add_string(o, "name", name) != 0 ||
	    json_add_string(o, "role", auth_role_name(role)) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * POST /api/v1/clinic/auth/login {email, password}: 200 {staff,
 * csrf_token} and the session cookie; 401 not_authenticated for a wrong
 * address or password (the same answer for both); 429 rate_limited with
 * Retry-After while the account backs off (after staff_login_backoff_after
 * failures, 1, 2, 4, ... seconds between tries, up to 64) and after staff_login_max_failures
 * failures within staff_login_window.
 */
void
handle_staff_login(struct request *req)
{
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	struct problem_list *pl = problem_list_new(req);
	const char *email, *password;
	struct db_staff_login staff;
	char token[CRYPTO_TOKEN_CHARS + 1], csrf[CRYPTO_TOKEN_CHARS + 1];
	char hash[CRYPTO_BYTEA_HEX];
	long failures = 0, since_last = 0, retry_after = 0;
	enum err err;
	bool ok;
	struct json_object *body;

	if (!req_json_object(req))
		return;
	email = body_string_field(req->json, "email", 254, pl);
	password = body_string_field(req->json, "password", 1024, pl);
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	err = db_login_failures(db, email, conf->staff_login_window, &failures,
	    &since_last);
	if (err != ERR_OK) {
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	}
	if (failures >= conf->staff_login_max_failures) {
		retry_after = conf->staff_login_window;
	} else if (failures >= conf->staff_login_backoff_after) {
		/* Backoff: 1, 2, 4, ... 64 seconds after each further failure. */
		long extra = failures - conf->staff_login_backoff_after;
		long wait = 1L << (extra < 6 ? extra : 6);

		retry_after = since_last < wait ? wait - since_last : 0;
	}
	if (retry_after > 0) {
		problem_send_rate_limited(req, retry_after, "Too many failed "
		    "sign-ins for this account; wait before trying again.");
		return;
	}
	err = db_staff_for_login(db, req->arena, email, &staff);
	if (err == ERR_NOT_FOUND) {
		const char *dummy = dummy_password_hash(conf);

		if (dummy != NULL)
			crypto_password_verify(dummy, password);
		ok = false;
	} else if (err != ERR_OK) {
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	} else {
		ok = crypto_password_verify(staff.password_hash, password);
	}
	if (!ok) {
		db_login_failure_add(db, email);
		problem_send(req, "not_authenticated",
		    "The email address or the password is wrong.");
		return;
	}
	db_login_failures_clear(db, email);

	crypto_token(token);
	crypto_token(csrf);
	crypto_token_hash(hash, token);
	if ((err = db_begin_clinic(db, staff.clinic_id)) != ERR_OK ||
	    (err = db_session_create(db, staff.clinic_id, staff.id, hash, csrf,
	    conf->staff_session_absolute)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	}
	req->actor.kind = ACTOR_STAFF;
	req->actor.clinic_id = staff.clinic_id;
	req->actor.id = staff.id;
	req->actor.role = role_parse(staff.role);
	if ((err = audit_record(req, "staff.login", "staff", staff.id, NULL,
	    NULL)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	}
	resp_header(req, "Set-Cookie", arena_printf(req->arena,
	    STAFF_COOKIE "=%s; Path=" STAFF_COOKIE_PATH "; Max-Age=%ld; "
	    "HttpOnly; SameSite=Strict%s", token, conf->staff_session_absolute,
	    conf->cookie_secure ? "; Secure" : ""));
	body = json_object_new_object();
	if (body != NULL && (json_add(body, "staff", staff_json(staff.id,
	    staff.name, role_parse(staff.role))) != 0 ||
	    json_add_string(body, "csrf_token", csrf) != 0)) {
		json_object_put(body);
		body = NULL;
	}
	sodium_memzero(token, sizeof(token));
	resp_json(req, 200, body);
}

/* POST /api/v1/clinic/auth/logout: 204; the session ends at once. */
void
handle_staff_logout(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *token = req_cookie(req, STAFF_COOKIE);
	char hash[CRYPTO_BYTEA_HEX];
	enum err err;

	if (req->actor.kind != ACTOR_STAFF || token == NULL) {
		problem_send(req, "not_authenticated",
		    "Only a staff session can be signed out.");
		return;
	}
	crypto_token_hash(hash, token);
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_session_delete(db, hash)) != ERR_OK ||
	    (err = audit_record(req, "staff.logout", "staff", req->actor.id,
	    NULL, NULL)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	}
	resp_header(req, "Set-Cookie", STAFF_COOKIE "=; Path=" STAFF_COOKIE_PATH
	    "; Max-Age=0; HttpOnly; SameSite=Strict");
	resp_raw(req, 204, NULL, "", 0);
}

/* GET /api/v1/clinic/me: the caller, its clinic and (staff) csrf_token. */
void
handle_staff_me(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_clinic clinic;
	struct json_object *body, *c, *who = NULL;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_clinic_get(db, req->arena, req->actor.clinic_id,
	    &clinic)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	}
	body = json_object_new_object();
	c = json_object_new_object();
	if (body == NULL || c == NULL) {
		json_object_put(body);
		json_object_put(c);
		resp_json(req, 200, NULL);	/* answers 503 */
		return;
	}
	{
		json_add_string(c, "id", clinic.id);
		json_add_string(c, "name", clinic.name);
		json_add_string(c, "time_zone", clinic.time_zone);
		json_add_string(c, "currency", clinic.currency);
	}
	if (req->actor.kind == ACTOR_STAFF) {
		who = staff_json(req->actor.id, req->actor.name, req->actor.role);
		json_add(body, "staff", who);
		json_add_string(body, "csrf_token", req->actor.csrf_token);
	} else {
		struct json_object *scopes = json_object_new_array();

		who = json_object_new_object();
		json_add_string(who, "id", req->actor.id);
		json_add_string(who, "name", req->actor.name);
		if (req->actor.scopes & SCOPE_READ)
			json_object_array_add(scopes, json_object_new_string("read"));
		if (req->actor.scopes & SCOPE_WRITE)
			json_object_array_add(scopes, json_object_new_string("write"));
		if (req->actor.scopes & SCOPE_ADMIN)
			json_object_array_add(scopes, json_object_new_string("admin"));
		json_add(who, "scopes", scopes);
		json_add(body, "api_key", who);
	}
	json_add(body, "clinic", c);
	resp_json(req, 200, body);
}
