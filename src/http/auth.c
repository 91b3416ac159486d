/*
 * auth.c - staff sign-in (auth/login, auth/logout, me) on the request
 * pipeline (which authenticates every other request: pipeline.c).
 *
 * Sign-in (DESIGN.md section 10) counts failures over staff_login_window
 * seconds per (account, client address), per client address and per
 * account, the client address counted as net_rate_key() counts it (an
 * IPv6 client by its /64); past a limit it answers 429 rate_limited with
 * Retry-After, before any password is checked. A password is checked
 * inside the hash gate (hash_gate.h), which caps how many workers hash at
 * once; when no slot comes free within staff_login_hash_wait_ms the
 * answer is 503 unavailable with Retry-After. An unknown address checks a
 * dummy hash of the same cost, and both record the same failure.
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
#include "db_request.h"
#include "hash_gate.h"
#include "http.h"
#include "json_util.h"
#include "log.h"
#include "netaddr.h"
#include "pipeline.h"
#include "portal_http.h"
#include "problem.h"
#include "routes.h"
#include "valid.h"
#include "password_rules.h"

#define STAFF_COOKIE_PATH "/api/v1/clinic/"
#define EMAIL_MAX_CHARS 254
/* Seconds a sign-in turned away by the hash gate is told to wait. */
#define HASH_BUSY_RETRY_AFTER 1

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

/* ---- Sign-in ---- */

/* A hash to verify against when the account does not exist, so that an
 * unknown address costs the same time as a wrong password. Made at
 * worker start, with the configured cost. */
static char *dummy_hash;

void
auth_init(const struct conf *conf)
{
	if (dummy_hash == NULL)
		dummy_hash = crypto_password_hash("not a password",
		    (unsigned long long)conf->argon2_opslimit,
		    (size_t)conf->argon2_memlimit);
	if (dummy_hash == NULL)
		log_error("auth: no dummy password hash (out of memory)");
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
 * Checks password against hash (the dummy one when hash is NULL) inside
 * the hash gate. False with *busy set when no slot came free in time;
 * else whether it matched (never for the dummy).
 */
static bool
password_matches(const struct conf *conf, const char *hash,
    const char *password, bool *busy)
{
	bool ok;

	*busy = !hash_gate_enter(conf->staff_login_hash_wait_ms);
	if (*busy)
		return false;
	if (hash == NULL) {
		if (dummy_hash == NULL)
			auth_init(conf);
		if (dummy_hash != NULL)
			crypto_password_verify(dummy_hash, password);
		ok = false;
	} else {
		ok = crypto_password_verify(hash, password);
	}
	hash_gate_leave();
	return ok;
}

/* 503 unavailable with Retry-After: no hashing slot came free in time. */
static void
hash_busy(struct request *req)
{
	resp_header(req, "Retry-After", arena_printf(req->arena, "%d",
	    HASH_BUSY_RETRY_AFTER));
	problem_send(req, "unavailable", "Too many sign-ins at once; try again "
	    "in a moment.");
}

/*
 * A sign-in's password check for email from client: true when password
 * matches hash (NULL: the dummy, never). Otherwise false, with the answer
 * sent when no hashing slot came free (503) or the failure could not be
 * recorded; else the failure is recorded, kept although the answer will
 * be an error, and *refused is set for the caller to say why.
 */
static bool
password_checked(struct request *req, const char *hash, const char *password,
    const char *email, const char *client, bool *refused)
{
	bool busy;
	enum err err;

	*refused = false;
	if (password_matches(req->ctx->conf, hash, password, &busy))
		return true;
	if (busy) {
		hash_busy(req);
		return false;
	}
	if ((err = db_login_failure_add(req->ctx->db, email, client)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	req->commit_on_error = true;
	*refused = true;
	return false;
}

/*
 * The sign-in limits for email from this request's client (its
 * net_rate_key() into client), and the person behind email into who.
 * False after answering: 429 rate_limited with Retry-After while a limit
 * holds (saying so with why), or the database's failure.
 */
static bool
limits_allow(struct request *req, const char *email, const char *why,
    char client[NET_RATE_KEY_MAX], struct db_staff_login *who)
{
	const struct conf *conf = req->ctx->conf;
	const struct db_login_limits limits = {
		conf->staff_login_window, conf->staff_login_max_failures,
		conf->staff_login_max_failures_per_address,
		conf->staff_login_max_failures_per_account,
	};
	long retry_after = 0;
	enum err err;

	/* Not an address ("-"): such requests count together. */
	net_rate_key(req->remote_addr, client);
	if ((err = db_staff_login_check(req->ctx->db, req->arena, email, client,
	    &limits, &retry_after, who)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	if (retry_after > 0) {
		problem_send_rate_limited(req, retry_after, why);
		return false;
	}
	return true;
}

/*
 * Signs the caller in as membership m: a new session, its cookie, an audit
 * row in m's clinic, and the answer {staff, clinic, csrf_token}.
 */
static void
session_start(struct request *req, const struct db_staff_membership *m)
{
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	char token[CRYPTO_TOKEN_CHARS + 1], csrf[CRYPTO_TOKEN_CHARS + 1];
	char hash[CRYPTO_BYTEA_HEX];
	struct json_object *body, *clinic;
	enum err err;

	crypto_token(token);
	crypto_token(csrf);
	crypto_token_hash(hash, token);
	req->actor.kind = ACTOR_STAFF;
	req->actor.clinic_id = m->clinic_id;
	req->actor.id = m->staff_id;
	req->actor.name = m->name;
	req->actor.role = pipeline_role_parse(m->role);
	db_work_context(db, m->clinic_id, NULL);
	if ((err = db_session_create(db, m->clinic_id, m->staff_id, hash, csrf,
	    conf->staff_session_absolute)) != ERR_OK ||
	    (err = audit_record(req, "staff.login", "staff", m->staff_id, NULL,
	    NULL)) != ERR_OK) {
		sodium_memzero(token, sizeof(token));
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Set-Cookie", arena_printf(req->arena,
	    PIPELINE_STAFF_COOKIE "=%s; Path=" STAFF_COOKIE_PATH "; Max-Age=%ld; "
	    "HttpOnly; SameSite=Strict%s", token, conf->staff_session_absolute,
	    conf->cookie_secure ? "; Secure" : ""));
	sodium_memzero(token, sizeof(token));
	body = json_object_new_object();
	clinic = json_object_new_object();
	json_add_string(clinic, "id", m->clinic_id);
	json_add_string(clinic, "name", m->clinic_name);
	if (body != NULL && (json_add(body, "staff", staff_json(m->staff_id,
	    m->name, req->actor.role)) != 0 || json_add(body, "clinic",
	    clinic) != 0 || json_add_string(body, "csrf_token", csrf) != 0)) {
		json_object_put(body);
		body = NULL;
	}
	resp_json(req, 200, body);
}

/*
 * A person with memberships in several clinics: {clinics: [{id, name}],
 * selection_token}, no cookie; POST auth/select picks one.
 */
static void
selection_offer(struct request *req, const struct db_staff_login *who)
{
	char token[CRYPTO_TOKEN_CHARS + 1], hash[CRYPTO_BYTEA_HEX];
	struct json_object *body, *list;
	enum err err;

	crypto_token(token);
	crypto_token_hash(hash, token);
	if ((err = db_staff_selection_create(req->ctx->db, hash,
	    who->person_id)) != ERR_OK) {
		sodium_memzero(token, sizeof(token));
		problem_send_err(req, err, NULL);
		return;
	}
	body = json_object_new_object();
	list = json_object_new_array();
	for (int i = 0; list != NULL && i < who->count; i++) {
		struct json_object *c = json_object_new_object();

		json_add_string(c, "id", who->memberships[i].clinic_id);
		json_add_string(c, "name", who->memberships[i].clinic_name);
		json_object_array_add(list, c);
	}
	if (body != NULL && (json_add(body, "clinics", list) != 0 ||
	    json_add_string(body, "selection_token", token) != 0)) {
		json_object_put(body);
		body = NULL;
	}
	sodium_memzero(token, sizeof(token));
	resp_json(req, 200, body);
}

/*
 * POST /api/v1/clinic/auth/login {email, password}: 200 {staff, clinic,
 * csrf_token} and the session cookie; for a person in several clinics,
 * 200 {clinics, selection_token} and no cookie (then POST auth/select);
 * 401 not_authenticated for a wrong address or password (one answer for
 * both; the failure is recorded); 422 for a body without them or with
 * other fields; 429 rate_limited with Retry-After while a sign-in limit
 * holds; 503 unavailable with Retry-After when the hash gate stays full.
 */
void
handle_staff_login(struct request *req)
{
	static const char *const fields[] = { "email", "password", NULL };
	struct db *db = req->ctx->db;
	char client[NET_RATE_KEY_MAX];
	const char *email, *password;
	struct db_staff_login who;
	struct json_object *member;
	struct vobj in;
	bool refused;
	enum err err;

	if (!v_body(req, &in, fields))
		return;
	v_text(&in, "email", V_LINE(EMAIL_MAX_CHARS), V_REQUIRED, &email);
	v_text(&in, "password", V_LINES(1, PASSWORD_MAX_CHARS), V_REQUIRED,
	    &password);
	if (!v_ok(req))
		return;
	/* The password is checked as it was typed, never trimmed: the rule
	 * above only says it is there. */
	if (json_object_object_get_ex(req->json, "password", &member))
		password = json_object_get_string(member);
	if (!limits_allow(req, email, "Too many failed sign-ins; wait before "
	    "trying again.", client, &who))
		return;
	if (!password_checked(req, who.count > 0 ? who.password_hash : NULL,
	    password, email, client, &refused)) {
		if (refused)
			problem_send(req, "not_authenticated",
			    "The email address or the password is wrong.");
		return;
	}
	if ((err = db_login_failures_clear(db, email, client)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (who.count > 1)
		selection_offer(req, &who);
	else
		session_start(req, &who.memberships[0]);
}

/*
 * POST /api/v1/clinic/auth/select {selection_token, clinic_id}: the
 * clinic a person in several clinics signs in to; answers like a plain
 * sign-in. 400 invalid_token for a token spent, expired or unknown; 422
 * naming clinic_id when the person is no (active) member there, the token
 * still usable.
 */
void
handle_staff_select(struct request *req)
{
	static const char *const fields[] = { "selection_token", "clinic_id",
	    NULL };
	char hash[CRYPTO_BYTEA_HEX];
	const char *token, *clinic_id;
	struct db_staff_membership m;
	enum db_select_status status;
	struct vobj in;
	enum err err;

	if (!v_body(req, &in, fields))
		return;
	v_text(&in, "selection_token", V_LINE(128), V_REQUIRED, &token);
	v_uuid(&in, "clinic_id", V_REQUIRED, &clinic_id);
	if (!v_ok(req))
		return;
	crypto_token_hash(hash, token);
	if ((err = db_staff_select(req->ctx->db, req->arena, hash, clinic_id,
	    &status, &m)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	switch (status) {
	case DB_SELECT_INVALID_TOKEN:
		problem_send(req, "invalid_token", "This sign-in has expired or "
		    "was used already; sign in again.");
		return;
	case DB_SELECT_NOT_MEMBER:
		v_problem_field(req, "clinic_id", "You are not a member of this "
		    "clinic.");
		v_ok(req);
		return;
	case DB_SELECT_OK:
		break;
	}
	session_start(req, &m);
}

/* POST /api/v1/clinic/auth/logout (a session only): 204, the cookie
 * cleared; the session ends at once. */
void
handle_staff_logout(struct request *req)
{
	const char *token = req_cookie(req, PIPELINE_STAFF_COOKIE);
	char hash[CRYPTO_BYTEA_HEX];
	enum err err;

	if (token == NULL) {
		problem_send(req, "not_authenticated", "Please sign in.");
		return;
	}
	crypto_token_hash(hash, token);
	if ((err = db_session_delete(req->ctx->db, hash)) != ERR_OK ||
	    (err = audit_record(req, "staff.logout", "staff", req->actor.id,
	    NULL, NULL)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Set-Cookie", PIPELINE_STAFF_COOKIE "=; Path="
	    STAFF_COOKIE_PATH "; Max-Age=0; HttpOnly; SameSite=Strict");
	resp_raw(req, 204, NULL, "", 0);
}

/* GET /api/v1/clinic/me: the caller (a session's staff member and its
 * csrf_token, or an API key and its scopes) and its clinic, from what the
 * pipeline authenticated: no statement of its own. */
void
handle_staff_me(struct request *req)
{
	const struct actor *a = &req->actor;
	const struct db_clinic *clinic = req->clinic;
	struct json_object *body = json_object_new_object(), *c = NULL, *who;

	if (body == NULL)
		goto oom;
	if (a->kind == ACTOR_STAFF) {
		if ((who = staff_json(a->id, a->name, a->role)) == NULL ||
		    json_add(body, "staff", who) != 0 ||
		    json_add_string(body, "csrf_token", a->csrf_token) != 0)
			goto oom;
	} else {
		if ((who = json_object_new_object()) == NULL ||
		    json_add(body, "api_key", who) != 0 ||
		    json_add_string(who, "id", a->id) != 0 ||
		    json_add_string(who, "name", a->name) != 0 ||
		    json_add(who, "scopes", api_key_scopes_json(a->scopes)) != 0)
			goto oom;
	}
	if ((c = json_object_new_object()) == NULL ||
	    json_add_string(c, "id", clinic->id) != 0 ||
	    json_add_string(c, "name", clinic->name) != 0 ||
	    json_add_string(c, "time_zone", clinic->time_zone) != 0 ||
	    json_add_string(c, "currency", clinic->currency) != 0)
		goto oom;
	if (json_add(body, "clinic", c) != 0) {
		c = NULL;	/* put by json_add() */
		goto oom;
	}
	resp_json(req, 200, body);
	return;
oom:
	json_object_put(c);
	json_object_put(body);
	resp_json(req, 200, NULL);	/* answers 503 */
}

/* ---- One's own security (a session only) ---- */

/* The hash of this request's session token, or NULL. */
static const char *
session_token_hash(struct request *req)
{
	const char *token = req_cookie(req, PIPELINE_STAFF_COOKIE);
	char *hash;

	if (token == NULL || (hash = arena_alloc(req->arena, CRYPTO_BYTEA_HEX)) ==
	    NULL)
		return NULL;
	crypto_token_hash(hash, token);
	return hash;
}

/* Member key of the body as it was typed (passwords are never trimmed);
 * NULL after noting a problem. */
static const char *
typed_password(struct request *req, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req->json, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0) {
		v_problem_field(req, key, "Required.");
		return NULL;
	}
	if (json_object_get_string_len(v) > 4 * PASSWORD_MAX_CHARS) {
		v_problem_field(req, key, "Use at most 1024 characters.");
		return NULL;
	}
	return json_object_get_string(v);
}

/*
 * POST /api/v1/clinic/me/password {current_password, password}: 204; the
 * person's other sessions, in every clinic, end. A wrong current password
 * is 422 naming current_password and counts as a failed sign-in (429
 * rate_limited while a sign-in limit holds); a new one that breaks the
 * rule (password_rules.h) is 422 naming password.
 */
void
handle_me_password(struct request *req)
{
	static const char *const fields[] = { "current_password", "password",
	    NULL };
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	const char *current, *password, *email, *hash, *why;
	char client[NET_RATE_KEY_MAX];
	struct db_staff_login who;
	struct vobj in;
	char *new_hash;
	bool refused;
	int ended = 0;
	enum err err;

	if (!v_body(req, &in, fields))
		return;
	current = typed_password(req, "current_password");
	password = typed_password(req, "password");
	if (password != NULL && (why = password_rule_problem(password)) != NULL)
		v_problem_field(req, "password", why);
	if (!v_ok(req))
		return;
	if ((err = db_staff_own_secret(db, req->arena, req->actor.id, &email,
	    &hash)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (!limits_allow(req, email, "Too many wrong passwords; wait before "
	    "trying again.", client, &who))
		return;
	if (!password_checked(req, hash, current, email, client, &refused)) {
		if (refused) {
			v_problem_field(req, "current_password", "This is not "
			    "your current password.");
			v_ok(req);
		}
		return;
	}
	if (!hash_gate_enter(conf->staff_login_hash_wait_ms)) {
		hash_busy(req);
		return;
	}
	new_hash = crypto_password_hash(password,
	    (unsigned long long)conf->argon2_opslimit,
	    (size_t)conf->argon2_memlimit);
	hash_gate_leave();
	if (new_hash == NULL) {
		problem_send(req, "unavailable", NULL);
		return;
	}
	err = db_staff_password_set(db, req->actor.id, arena_strdup(req->arena,
	    new_hash), session_token_hash(req), &ended);
	free(new_hash);
	if (err != ERR_OK || (err = audit_record(req, "staff.password_change",
	    "staff", req->actor.id, NULL, NULL)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

/* GET /api/v1/clinic/me/sessions: {items: [{clinic: {id, name},
 * created_at, last_seen_at, expires_at, current}], next_cursor: null}, the
 * person's sessions in every clinic, newest first. */
void
handle_me_sessions(struct request *req)
{
	struct db_staff_session *rows;
	struct json_object *items;
	int n = 0;
	enum err err;

	if ((err = db_staff_own_sessions(req->ctx->db, req->arena, req->actor.id,
	    session_token_hash(req), &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++) {
		struct json_object *o = json_object_new_object(),
		    *c = json_object_new_object();

		json_add_string(c, "id", rows[i].clinic_id);
		json_add_string(c, "name", rows[i].clinic_name);
		json_add(o, "clinic", c);
		json_add_string(o, "created_at", rows[i].created_at);
		json_add_string(o, "last_seen_at", rows[i].last_seen_at);
		json_add_string(o, "expires_at", rows[i].expires_at);
		json_add(o, "current", json_object_new_boolean(rows[i].current));
		json_object_array_add(items, o);
	}
	resp_json(req, 200, list_all_json(items));
}

/* DELETE /api/v1/clinic/me/sessions: signs the person out everywhere but
 * here (every clinic); 200 {ended}. */
void
handle_me_sessions_end(struct request *req)
{
	struct json_object *body;
	int ended = 0;
	enum err err;

	if ((err = db_staff_sessions_end_others(req->ctx->db, req->actor.id,
	    session_token_hash(req), &ended)) != ERR_OK ||
	    (err = audit_record(req, "staff.sessions_end", "staff",
	    req->actor.id, NULL, NULL)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	body = json_object_new_object();
	json_add(body, "ended", json_object_new_int(ended));
	resp_json(req, 200, body);
}
