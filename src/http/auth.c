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
#include <time.h>

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
#include "totp.h"

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
	bool enrol = false;
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
	    conf->staff_session_absolute, &enrol)) != ERR_OK ||
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
	    clinic) != 0 || json_add_string(body, "csrf_token", csrf) != 0 ||
	    json_add(body, "totp_enrolment_required",
	    json_object_new_boolean(enrol)) != 0)) {
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

/* Signs in the person behind who (memberships known): one clinic's
 * session, or the choice of a clinic. */
static void
signed_in(struct request *req, const struct db_staff_login *who)
{
	if (who->count > 1)
		selection_offer(req, who);
	else
		session_start(req, &who->memberships[0]);
}

/*
 * A right password for a person with TOTP on: {totp_required: true,
 * login_token}, no cookie; POST auth/login/totp finishes.
 */
static void
code_step_offer(struct request *req, const char *person_id)
{
	char token[CRYPTO_TOKEN_CHARS + 1], hash[CRYPTO_BYTEA_HEX];
	struct json_object *body;
	enum err err;

	crypto_token(token);
	crypto_token_hash(hash, token);
	if ((err = db_staff_login_token_create(req->ctx->db, hash,
	    person_id)) != ERR_OK) {
		sodium_memzero(token, sizeof(token));
		problem_send_err(req, err, NULL);
		return;
	}
	body = json_object_new_object();
	if (body != NULL && (json_add(body, "totp_required",
	    json_object_new_boolean(true)) != 0 ||
	    json_add_string(body, "login_token", token) != 0)) {
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
 * for a person with two-factor sign-in, 200 {totp_required, login_token}
 * and no cookie (then POST auth/login/totp); 401 not_authenticated for a wrong address or password (one answer for
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
	const char *email, *password, *totp_secret;
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
	if ((err = db_login_failures_clear(db, email, client)) != ERR_OK ||
	    (err = db_staff_totp_of(db, req->arena, who.person_id,
	    &totp_secret)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (totp_secret != NULL)
		code_step_offer(req, who.person_id);
	else
		signed_in(req, &who);
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
		    json_add_string(body, "csrf_token", a->csrf_token) != 0 ||
		    json_add(body, "totp_enrolment_required",
		    json_object_new_boolean(a->totp_enrol)) != 0)
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

/*
 * The argon2id hash of a new password, made inside the hash gate, in the
 * arena; NULL after answering 503 (no slot came free in time, or memory).
 */
static const char *
password_hashed(struct request *req, const char *password)
{
	const struct conf *conf = req->ctx->conf;
	char *made;
	const char *kept;

	if (!hash_gate_enter(conf->staff_login_hash_wait_ms)) {
		hash_busy(req);
		return NULL;
	}
	made = crypto_password_hash(password,
	    (unsigned long long)conf->argon2_opslimit,
	    (size_t)conf->argon2_memlimit);
	hash_gate_leave();
	kept = made != NULL ? arena_strdup(req->arena, made) : NULL;
	free(made);
	if (kept == NULL)
		problem_send(req, "unavailable", NULL);
	return kept;
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
	struct db *db = req->ctx->db;
	const char *current, *password, *email, *hash, *why;
	char client[NET_RATE_KEY_MAX];
	struct db_staff_login who;
	struct vobj in;
	const char *new_hash;
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
	if ((new_hash = password_hashed(req, password)) == NULL)
		return;
	err = db_staff_password_set(db, req->actor.id, new_hash,
	    session_token_hash(req), &ended);
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

/* ---- Two-factor sign-in ---- */

/* Secret bytes from their bytea text form ("\\x..."); false when not one. */
static bool
secret_bytes(const char *text, unsigned char *out, size_t *len)
{
	size_t n = 0;

	if (text == NULL || strncmp(text, "\\x", 2) != 0 ||
	    sodium_hex2bin(out, TOTP_SECRET_BYTES * 2, text + 2, strlen(text + 2),
	    NULL, &n, NULL) != 0 || n == 0)
		return false;
	*len = n;
	return true;
}

/* Secret bytes in bytea text form, in the arena. */
static char *
secret_text(struct arena *a, const unsigned char *secret, size_t len)
{
	char *s = arena_alloc(a, 2 + 2 * len + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, "\\x", 2);
	sodium_bin2hex(s + 2, 2 * len + 1, secret, len);
	return s;
}

/*
 * The TOTP step code matches for secret (bytea text), later than
 * last_step; -1 when it does not, after recording a failed sign-in for
 * email from client (kept although the answer will be an error) - or
 * when that could not be recorded, with the answer sent (*answered).
 */
static long long
code_checked(struct request *req, const char *secret, long long last_step,
    const char *code, const char *email, const char *client, bool *answered)
{
	unsigned char key[TOTP_SECRET_BYTES * 2];
	size_t len = 0;
	long long step = -1;
	enum err err;

	*answered = false;
	if (secret_bytes(secret, key, &len))
		step = totp_match(key, len, code, time(NULL), last_step);
	sodium_memzero(key, sizeof(key));
	if (step >= 0)
		return step;
	if ((err = db_login_failure_add(req->ctx->db, email, client)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		*answered = true;
		return -1;
	}
	req->commit_on_error = true;
	return -1;
}

/* A wrong code, once recorded: 401 at sign-in. */
static void
wrong_code(struct request *req)
{
	problem_send(req, "not_authenticated", "The code is wrong, or was "
	    "used already.");
}

/*
 * POST /api/v1/clinic/auth/login/totp {login_token, code} or {login_token,
 * recovery_code}: the second step of a sign-in with two-factor on; answers
 * like a plain sign-in. 400 invalid_token for a login token spent, expired
 * or unknown; 401 not_authenticated for a wrong or used code (a failed
 * sign-in, counted by the same limits); 429 rate_limited while a limit
 * holds; 422 for a body without exactly one of code and recovery_code.
 */
void
handle_staff_login_totp(struct request *req)
{
	static const char *const fields[] = { "login_token", "code",
	    "recovery_code", NULL };
	struct db *db = req->ctx->db;
	char hash[CRYPTO_BYTEA_HEX], code_hash[CRYPTO_BYTEA_HEX];
	char client[NET_RATE_KEY_MAX], normal[TOTP_RECOVERY_CHARS];
	const char *token, *code = NULL, *recovery = NULL;
	struct db_staff_totp person;
	struct db_staff_login who;
	struct vobj in;
	long long step = -1;
	bool answered, passed;
	enum err err;

	if (!v_body(req, &in, fields))
		return;
	v_text(&in, "login_token", V_LINE(128), V_REQUIRED, &token);
	v_text(&in, "code", V_LINE(16), 0, &code);
	v_text(&in, "recovery_code", V_LINE(40), 0, &recovery);
	if ((code == NULL) == (recovery == NULL) && v_count(req) == 0)
		v_problem_field(req, "code", "Send either the code of your "
		    "authenticator app or one recovery code.");
	if (!v_ok(req))
		return;
	crypto_token_hash(hash, token);
	err = db_staff_login_token_read(db, req->arena, hash, &person);
	if (err == ERR_NOT_FOUND) {
		problem_send(req, "invalid_token", "This sign-in has expired or "
		    "was finished already; sign in again.");
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (!limits_allow(req, person.email, "Too many failed sign-ins; wait "
	    "before trying again.", client, &who))
		return;
	if (code != NULL) {
		step = code_checked(req, person.secret, person.last_step, code,
		    person.email, client, &answered);
		if (step < 0) {
			if (!answered)
				wrong_code(req);
			return;
		}
	} else if (!totp_recovery_normal(recovery, normal)) {
		normal[0] = '\0';
	}
	crypto_token_hash(code_hash, code != NULL ? "" : normal);
	if ((err = db_staff_login_token_pass(db, hash, step, code_hash,
	    &passed)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (!passed || who.count == 0) {
		if ((err = db_login_failure_add(db, person.email, client)) !=
		    ERR_OK) {
			problem_send_err(req, err, NULL);
			return;
		}
		req->commit_on_error = true;
		wrong_code(req);
		return;
	}
	if ((err = db_login_failures_clear(db, person.email, client)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	signed_in(req, &who);
}

/* The caller's TOTP state into t; false after answering the database's
 * failure. */
static bool
own_totp(struct request *req, struct db_staff_totp *t)
{
	enum err err = db_staff_totp_state(req->ctx->db, req->arena,
	    req->actor.id, t);

	if (err != ERR_OK)
		problem_send_err(req, err, NULL);
	return err == ERR_OK;
}

/* GET /api/v1/clinic/me/totp (a session): {enabled, recovery_codes_left}. */
void
handle_me_totp_get(struct request *req)
{
	struct db_staff_totp t;
	struct json_object *body;

	if (!own_totp(req, &t))
		return;
	body = json_object_new_object();
	json_add(body, "enabled", json_object_new_boolean(t.secret != NULL));
	json_add(body, "recovery_codes_left", json_object_new_int(
	    t.secret != NULL ? t.codes_left : 0));
	resp_json(req, 200, body);
}

/*
 * POST /api/v1/clinic/me/totp (a session): enrolment begins, or begins
 * again with a new secret: 200 {secret, otpauth_uri}, shown this once.
 * 409 conflict when two-factor sign-in is on already.
 */
void
handle_me_totp_begin(struct request *req)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	char b32[TOTP_SECRET_B32];
	struct db_staff_totp t;
	struct json_object *body;
	const char *stored, *uri;
	bool begun;
	enum err err;

	totp_secret_new(secret, b32);
	stored = secret_text(req->arena, secret, sizeof(secret));
	sodium_memzero(secret, sizeof(secret));
	if (stored == NULL || b32[0] == '\0') {
		problem_send(req, "unavailable", NULL);
		return;
	}
	if (!own_totp(req, &t))
		return;
	if ((err = db_staff_totp_begin(req->ctx->db, req->actor.id, stored,
	    &begun)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (!begun) {
		problem_send(req, "conflict", "Two-factor sign-in is on "
		    "already; turn it off first to set up another app.");
		return;
	}
	uri = totp_uri(req->arena, "Patient Portal", t.email, b32);
	body = json_object_new_object();
	json_add_string(body, "secret", b32);
	json_add_string(body, "otpauth_uri", uri);
	sodium_memzero(b32, sizeof(b32));
	resp_json(req, 200, uri != NULL ? body : NULL);
	if (uri == NULL)
		json_object_put(body);
}

/* The problem of a wrong code in one's own security: 422 naming code. */
static void
wrong_own_code(struct request *req)
{
	v_problem_field(req, "code", "The code is wrong, or was used "
	    "already; enter the one your app shows now.");
	v_ok(req);
}

/* The six-digit code of a body ({code}); NULL after answering 422. */
static const char *
body_code(struct request *req)
{
	static const char *const fields[] = { "code", NULL };
	const char *code = NULL;
	struct vobj in;

	if (!v_body(req, &in, fields))
		return NULL;
	v_text(&in, "code", V_LINE(16), V_REQUIRED, &code);
	if (code != NULL && !totp_code_shaped(code))
		v_problem_field(req, "code", "Enter the six digits your "
		    "authenticator app shows.");
	return v_ok(req) ? code : NULL;
}

/*
 * POST /api/v1/clinic/me/totp/confirm {code} (a session): the first code
 * of the app being set up; two-factor sign-in is on: 200 {recovery_codes:
 * [10]}, shown this once. 409 conflict when no set-up was begun; 422
 * naming code when wrong (a failed sign-in, counted by the same limits;
 * 429 while one holds).
 */
void
handle_me_totp_confirm(struct request *req)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_CHARS];
	char normal[TOTP_RECOVERY_CHARS], client[NET_RATE_KEY_MAX];
	char *hashes, *h;
	const char *code;
	struct db_staff_totp t;
	struct db_staff_login who;
	struct json_object *body, *list;
	long long step;
	bool answered, done;
	enum err err;

	if ((code = body_code(req)) == NULL)
		return;
	if (!own_totp(req, &t))
		return;
	if (t.pending == NULL || t.secret != NULL) {
		problem_send(req, "conflict", t.secret != NULL ? "Two-factor "
		    "sign-in is on already." : "Begin the set-up first.");
		return;
	}
	if (!limits_allow(req, t.email, "Too many wrong codes; wait before "
	    "trying again.", client, &who))
		return;
	step = code_checked(req, t.pending, -1, code, t.email, client,
	    &answered);
	if (step < 0) {
		if (!answered)
			wrong_own_code(req);
		return;
	}
	hashes = arena_alloc(req->arena, TOTP_RECOVERY_CODES * CRYPTO_BYTEA_HEX);
	if (hashes == NULL) {
		problem_send(req, "unavailable", NULL);
		return;
	}
	h = hashes;
	for (int i = 0; i < TOTP_RECOVERY_CODES; i++) {
		totp_recovery_new(codes[i]);
		totp_recovery_normal(codes[i], normal);
		if (i > 0)
			*h++ = ',';
		crypto_token_hash(h, normal);
		h += strlen(h);
	}
	if ((err = db_staff_totp_confirm(req->ctx->db, req->actor.id, step,
	    hashes, &done)) != ERR_OK || (done && (err = audit_record(req,
	    "staff.totp_enable", "staff", req->actor.id, NULL, NULL)) !=
	    ERR_OK)) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (!done) {
		problem_send(req, "conflict", "Begin the set-up first.");
		return;
	}
	body = json_object_new_object();
	list = json_object_new_array();
	for (int i = 0; list != NULL && i < TOTP_RECOVERY_CODES; i++)
		json_object_array_add(list, json_object_new_string(codes[i]));
	sodium_memzero(codes, sizeof(codes));
	if (body != NULL && json_add(body, "recovery_codes", list) != 0) {
		json_object_put(body);
		body = NULL;
	}
	resp_json(req, 200, body);
}

/*
 * DELETE /api/v1/clinic/me/totp {code} (a session): two-factor sign-in off,
 * with a current code; 204. 409 conflict when it is off, or when a clinic
 * of the person's requires it; 422 naming code when wrong (counted as a
 * failed sign-in).
 */
void
handle_me_totp_delete(struct request *req)
{
	char client[NET_RATE_KEY_MAX];
	const char *code, *said;
	struct db_staff_totp t;
	struct db_staff_login who;
	long long step;
	bool answered;
	enum err err;

	if ((code = body_code(req)) == NULL)
		return;
	if (!own_totp(req, &t))
		return;
	if (t.secret == NULL) {
		problem_send(req, "conflict", "Two-factor sign-in is off.");
		return;
	}
	if (!limits_allow(req, t.email, "Too many wrong codes; wait before "
	    "trying again.", client, &who))
		return;
	step = code_checked(req, t.secret, t.last_step, code, t.email, client,
	    &answered);
	if (step < 0) {
		if (!answered)
			wrong_own_code(req);
		return;
	}
	if ((err = db_staff_totp_off(req->ctx->db, req->arena, req->actor.id,
	    step, &said)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (strcmp(said, "required") == 0) {
		problem_send(req, "conflict", "A clinic you work at requires "
		    "two-factor sign-in; it stays on.");
		return;
	}
	if (strcmp(said, "ok") != 0) {
		wrong_own_code(req);
		return;
	}
	if ((err = audit_record(req, "staff.totp_disable", "staff",
	    req->actor.id, NULL, NULL)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

/* ---- Password reset and first passwords ---- */

#define SET_PASSWORD_PATH "#/set-password/"

/*
 * POST /api/v1/clinic/auth/password-reset {email}: 202, always, whether or
 * not the address is known; a known active member gets a link for one
 * hour (at most three an hour).
 */
void
handle_password_reset(struct request *req)
{
	static const char *const fields[] = { "email", NULL };
	char token[CRYPTO_TOKEN_CHARS + 1], hash[CRYPTO_BYTEA_HEX];
	const char *email, *path;
	struct vobj in;
	enum err err;

	if (!v_body(req, &in, fields))
		return;
	v_text(&in, "email", V_LINE(EMAIL_MAX_CHARS), V_REQUIRED, &email);
	if (!v_ok(req))
		return;
	crypto_token(token);
	crypto_token_hash(hash, token);
	path = arena_printf(req->arena, SET_PASSWORD_PATH "%s", token);
	sodium_memzero(token, sizeof(token));
	if (path == NULL) {
		problem_send(req, "unavailable", NULL);
		return;
	}
	if ((err = db_staff_reset_request(req->ctx->db, email, hash, path,
	    req->ctx->conf->public_url)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_raw(req, 202, NULL, "", 0);
}

static void
invalid_link(struct request *req)
{
	problem_send(req, "invalid_token", "This link has expired or was used "
	    "already; ask for a new one.");
}

/*
 * POST /api/v1/clinic/auth/password-reset/finish {token, password}: the
 * password of the link's person (a reset, or an invitation's first one);
 * 204, every session of theirs ended. 400 invalid_token for a link spent,
 * expired or unknown; 422 naming password when it breaks the rule.
 */
void
handle_password_reset_finish(struct request *req)
{
	static const char *const fields[] = { "token", "password", NULL };
	struct db *db = req->ctx->db;
	char hash[CRYPTO_BYTEA_HEX];
	const char *token, *password, *why, *purpose;
	struct db_staff_ref *refs;
	struct vobj in;
	const char *kept;
	bool live;
	int n = 0;
	enum err err;

	if (!v_body(req, &in, fields))
		return;
	v_text(&in, "token", V_LINE(128), V_REQUIRED, &token);
	password = typed_password(req, "password");
	if (password != NULL && (why = password_rule_problem(password)) != NULL)
		v_problem_field(req, "password", why);
	if (!v_ok(req))
		return;
	crypto_token_hash(hash, token);
	/* Checked before the costly hash, so that nobody makes the server
	 * hash for a link that cannot be spent; spent below at once. */
	if ((err = db_staff_token_live(db, hash, &live)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (!live) {
		invalid_link(req);
		return;
	}
	if ((kept = password_hashed(req, password)) == NULL)
		return;
	if ((err = db_staff_token_finish(db, req->arena, hash, kept, &refs, &n,
	    &purpose)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (n == 0) {
		invalid_link(req);
		return;
	}
	/* Audited at every clinic of the person, as the person. */
	for (int i = 0; i < n; i++) {
		req->actor.kind = ACTOR_STAFF;
		req->actor.clinic_id = refs[i].clinic_id;
		req->actor.id = refs[i].staff_id;
		db_work_context(db, refs[i].clinic_id, NULL);
		if ((err = audit_record(req, strcmp(purpose, "invitation") == 0 ?
		    "staff.password_first" : "staff.password_reset", "staff",
		    refs[i].staff_id, NULL, NULL)) != ERR_OK) {
			problem_send_err(req, err, NULL);
			return;
		}
	}
	resp_raw(req, 204, NULL, "", 0);
}
