/*
 * pipeline.c - how every routed request runs (DESIGN.md section 11; see
 * pipeline.h). The route table (routes.c) says what a route needs; this
 * file does it, before and after the handler, so that no handler
 * authenticates, decides a role or a permission, opens, commits or rolls
 * back anything itself:
 *
 *   1. start the database work: a read runs its statements without a
 *      transaction, each with the context; a write runs in one transaction
 *      whose BEGIN goes out with the first statement; a read whose route
 *      says so queues its data to go out with the session's statement;
 *   2. authenticate by the route's side, in one statement (db_request.h):
 *      the caller, the portal's checks and the context together;
 *   3. decide: the least role (and an API key's scopes and maker), the
 *      CSRF token of a cookie session, the patient's permission;
 *   4. call the handler;
 *   5. end the work: commit when the handler answered below 400 (or said
 *      so, for a try that must count even when the answer is an error),
 *      roll back otherwise; a commit that fails replaces the answer.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "access.h"
#include "arena.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_clinic.h"
#include "db_request.h"
#include "http.h"
#include "log.h"
#include "pipeline.h"
#include "portal_http.h"
#include "portal_settings.h"
#include "problem.h"
#include "str.h"
#include "valid.h"

static bool
is_safe_method(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

enum staff_role
pipeline_role_parse(const char *role)
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

/* A cookie session's change must carry the token it got at sign-in. */
static bool
csrf_ok(struct request *req, const char *expected)
{
	const char *sent;

	if (is_safe_method(req->method))
		return true;
	sent = req_header(req, "HTTP_X_CSRF_TOKEN");
	if (sent != NULL && expected != NULL && crypto_str_equal(sent, expected))
		return true;
	problem_send(req, "csrf_failed", "Send the X-CSRF-Token header you "
	    "received at sign-in.");
	return false;
}

/*
 * What an API key may act as: its maker's role, narrowed by its scopes
 * (admin: the maker's role; read or write: staff), so that no key does
 * more than the person who made it.
 */
static enum staff_role
key_role(enum staff_role maker, unsigned scopes)
{
	enum staff_role by_scope = (scopes & SCOPE_ADMIN) ? ROLE_OWNER :
	    (scopes & (SCOPE_READ | SCOPE_WRITE)) ? ROLE_STAFF : ROLE_NONE;

	return maker < by_scope ? maker : by_scope;
}

static enum staff_role
least_role(enum route_least least)
{
	switch (least) {
	case LEAST_OWNER:
		return ROLE_OWNER;
	case LEAST_ADMIN:
		return ROLE_ADMIN;
	case LEAST_STAFF:
		break;
	}
	return ROLE_STAFF;
}

/* The route's role rule for the authenticated clinic caller; answers 403
 * forbidden_role when it fails. */
static bool
clinic_decide(struct request *req)
{
	const struct route *r = req->route;
	const struct actor *a = &req->actor;
	enum staff_role need = least_role(r->least);
	const char *why;

	if (a->kind == ACTOR_STAFF && a->totp_enrol &&
	    !(r->flags & ROUTE_ENROL_OK)) {
		problem_send(req, "totp_enrolment_required", "Your clinic "
		    "requires two-factor sign-in: set it up under My account "
		    "first.");
		return false;
	}
	if (a->kind == ACTOR_API_KEY) {
		if (r->flags & ROUTE_SESSION_ONLY)
			why = "API keys cannot do this; sign in to the console.";
		else if (r->kind == ROUTE_WRITE &&
		    !(a->scopes & (SCOPE_WRITE | SCOPE_ADMIN)))
			why = "This API key may only read.";
		else if (a->role < need)
			why = (a->scopes & SCOPE_ADMIN) ? "This API key acts "
			    "with the role of the person who made it, who may "
			    "not do this." : "This API key's scopes do not "
			    "allow this.";
		else
			return true;
	} else if (a->role >= need) {
		return true;
	} else {
		why = need == ROLE_OWNER ? "Only the clinic owner may do this." :
		    "Only the clinic owner or an administrator may do this.";
	}
	problem_send(req, "forbidden_role", why);
	return false;
}

/* A staff session (cookie) or an API key (Bearer), one statement. */
static bool
clinic_authenticate(struct request *req)
{
	const char *authorization = req_header(req, "HTTP_AUTHORIZATION");
	char hash[CRYPTO_BYTEA_HEX];
	struct db_clinic_caller c;
	struct db_clinic *clinic;
	const char *token;
	bool is_key = authorization != NULL && *authorization != '\0';
	enum err err;

	if (is_key) {
		if (strncmp(authorization, "Bearer ", 7) != 0) {
			problem_send(req, "not_authenticated",
			    "Use 'Authorization: Bearer <API key>'.");
			return false;
		}
		token = authorization + 7;
		if (strncmp(token, CRYPTO_API_KEY_PREFIX, 4) != 0 ||
		    strlen(token) > 128) {
			problem_send(req, "not_authenticated",
			    "The API key is not valid.");
			return false;
		}
	} else {
		token = req_cookie(req, PIPELINE_STAFF_COOKIE);
		if (token == NULL || strlen(token) != CRYPTO_TOKEN_CHARS) {
			problem_send(req, "not_authenticated", "Please sign in.");
			return false;
		}
	}
	crypto_token_hash(hash, token);
	err = db_request_clinic(req->ctx->db, req->arena, is_key, hash,
	    req->ctx->conf->staff_session_idle, &c);
	if (err == ERR_NOT_FOUND) {
		problem_send(req, "not_authenticated", is_key ?
		    "The API key is not valid or was revoked." :
		    "Your session has ended; please sign in again.");
		return false;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	req->actor.kind = is_key ? ACTOR_API_KEY : ACTOR_STAFF;
	req->actor.clinic_id = c.clinic.id;
	req->actor.id = c.id;
	req->actor.name = c.name;
	req->actor.scopes = c.scopes;
	req->actor.role = is_key ? key_role(pipeline_role_parse(c.role),
	    c.scopes) : pipeline_role_parse(c.role);
	req->actor.csrf_token = c.csrf_token;
	req->actor.totp_enrol = c.totp_enrol;
	/* The clinic's columns come with the caller: handlers that need
	 * them (me, settings) read them here rather than again. */
	if ((clinic = arena_alloc(req->arena, sizeof(*clinic))) == NULL) {
		problem_send(req, "unavailable", NULL);
		return false;
	}
	*clinic = c.clinic;
	req->clinic = clinic;
	if (!is_key && !csrf_ok(req, c.csrf_token))
		return false;
	return clinic_decide(req);
}

static void
portal_not_found(struct request *req)
{
	problem_send(req, "portal_not_found", "There is no portal at this "
	    "address.");
}

static struct portal_ctx *
portal_ctx_from(struct request *req, const struct db_portal_caller *c)
{
	struct portal_ctx *p = arena_calloc(req->arena, 1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->clinic = c->clinic;
	p->settings = c->settings;
	p->patient = c->patient;
	p->code = c->settings.code;
	req->portal = p;
	req->clinic = &p->clinic;
	return p;
}

/* The public routes of a portal (its card, sign-in): {code} must open it. */
static bool
portal_authenticate(struct request *req)
{
	const char *code = route_param(&req->params, "code"), *why;
	struct db_portal_caller c;
	enum err err;

	if (portal_code_verdict(code, &why) != CODE_OK) {
		portal_not_found(req);
		return false;
	}
	if ((err = db_request_portal(req->ctx->db, req->arena, code, &c)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	if (c.status != DB_PORTAL_OK) {
		portal_not_found(req);
		return false;
	}
	if (portal_ctx_from(req, &c) == NULL) {
		problem_send(req, "unavailable", NULL);
		return false;
	}
	return true;
}

bool
pipeline_patient_allows(struct request *req, enum perm key)
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
			/* The patient may pay, but the clinic takes no online
			 * payments now: a state of the clinic, not a refusal of
			 * the patient (DESIGN.md section 12). */
			if (checks[i].condition == COND_PAYMENT_INFRASTRUCTURE) {
				problem_send(req, "payment_unavailable", "This "
				    "clinic does not take payments online at the "
				    "moment.");
				return false;
			}
			break;
		}
	problem_send_ex(req, "permission_denied", why,
	    json_tokener_parse(arena_printf(req->arena,
	    "{\"permission\": \"%s\"}", perm_catalog[key].key)));
	return false;
}

/* A patient session at the {code} portal, and the route's permission:
 * code, portal checks, session and context in one statement; the
 * permission decided from what it answered. 404 before 401 before 403. */
static bool
patient_authenticate(struct request *req)
{
	const char *code = route_param(&req->params, "code"), *why, *token;
	char hash[CRYPTO_BYTEA_HEX];
	struct db_portal_caller c;
	enum err err;

	if (portal_code_verdict(code, &why) != CODE_OK) {
		portal_not_found(req);
		return false;
	}
	token = req_cookie(req, PIPELINE_PATIENT_COOKIE);
	if (token != NULL && strlen(token) != CRYPTO_TOKEN_CHARS)
		token = NULL;
	if (token != NULL)
		crypto_token_hash(hash, token);
	err = db_request_patient(req->ctx->db, req->arena, code,
	    token != NULL ? hash : NULL, req->ctx->conf->patient_session_idle,
	    &c);
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	if (c.status == DB_PORTAL_CLOSED) {
		portal_not_found(req);
		return false;
	}
	if (c.status == DB_PORTAL_NO_SESSION) {
		problem_send(req, "not_authenticated", token == NULL ?
		    "Please sign in." :
		    "Your session has ended; please sign in again.");
		return false;
	}
	if (portal_ctx_from(req, &c) == NULL) {
		problem_send(req, "unavailable", NULL);
		return false;
	}
	req->actor.kind = ACTOR_PATIENT;
	req->actor.clinic_id = c.clinic.id;
	req->actor.id = c.patient.id;
	req->actor.name = c.patient.first_name;
	req->actor.csrf_token = c.csrf_token;
	if (!csrf_ok(req, c.csrf_token))
		return false;
	if (req->route->perm != ROUTE_NO_PERM &&
	    !pipeline_patient_allows(req, (enum perm)req->route->perm))
		return false;
	return true;
}

static bool
authenticate(struct request *req)
{
	switch (req->route->side) {
	case SIDE_PUBLIC:
	case SIDE_CALLBACK:
		return true;
	case SIDE_PORTAL:
		return portal_authenticate(req);
	case SIDE_CLINIC:
		return clinic_authenticate(req);
	case SIDE_PATIENT:
		return patient_authenticate(req);
	}
	return false;
}

/* Every {id} of our paths is a UUID: any other value names nothing, and
 * is 404 not_found without asking the database. */
static bool
ids_well_formed(struct request *req)
{
	const char *id = route_param(&req->params, "id");

	if (id == NULL || str_is_uuid(id))
		return true;
	problem_send(req, "not_found", "No such resource.");
	return false;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* What the request cost inside, for the Server-Timing header. */
static void
say_timing(struct request *req, double started, unsigned long trips)
{
	/* resp_header() keeps the pointer: the value lives in the arena. */
	resp_header(req, "Server-Timing", arena_printf(req->arena,
	    "db;dur=%.2f;desc=\"%lu round trip%s\"", now_ms() - started,
	    trips, trips == 1 ? "" : "s"));
}

/* The context of the request's second transaction: the one its first
 * ran with. */
static void
context_again(struct request *req)
{
	const char *clinic = NULL, *patient = NULL;

	if (req->route->side == SIDE_PATIENT && req->portal != NULL) {
		clinic = req->portal->clinic.id;
		patient = req->portal->patient.id;
	} else if (req->route->side == SIDE_PORTAL && req->portal != NULL) {
		clinic = req->portal->clinic.id;
	} else if (req->clinic != NULL) {
		clinic = req->clinic->id;
	}
	db_work_context(req->ctx->db, clinic, patient);
}

/* Ends a unit of work as its answer says; a commit that fails replaces
 * the answer. */
static void
work_end(struct request *req)
{
	bool commit = req->resp.status < 400 || req->commit_on_error;
	enum err err = db_work_end(req->ctx->db, commit);

	if (err != ERR_OK && commit) {
		/* The answer promised something that did not happen: what the
		 * handler set (a cookie, a Location) goes with it. */
		log_error("commit failed for %s %s", req->method,
		    req->route->pattern);
		req->resp.header_count = 0;
		problem_send_err(req, err == ERR_CONFLICT ? ERR_CONFLICT :
		    ERR_DB, NULL);
	}
}

static void
answered_nothing(struct request *req)
{
	log_error("handler for %s %s answered nothing", req->method,
	    req->route->pattern);
	problem_send(req, "internal_error", NULL);
}

/* The steps of a route that calls out, after its handler's transaction
 * committed: the call with nothing open, then the outcome recorded. */
static void
second_phase(struct request *req)
{
	const struct route *r = req->route;

	r->call_out(req);
	db_work_start(req->ctx->db, DB_WORK_WRITE);
	context_again(req);
	r->record(req);
	if (req->resp.status == 0)
		answered_nothing(req);
	work_end(req);
}

void
pipeline_run(struct request *req)
{
	struct db *db = req->ctx->db;
	const struct route *r = req->route;
	unsigned long trips = db_round_trips(db);
	double started = req->ctx->conf->server_timing ? now_ms() : 0;
	bool two_phase = false;

	db_work_start(db, r->kind == ROUTE_WRITE ? DB_WORK_WRITE :
	    DB_WORK_READ);
	if (r->ahead != NULL && r->kind == ROUTE_READ) {
		/* The read's data rides with the session's statement; what the
		 * query had wrong is the handler's to answer, after the checks
		 * that come first (404, 401, 403). */
		r->ahead(req);
		v_forget(req);
	}
	if (authenticate(req) && ids_well_formed(req)) {
		r->handler(req);
		two_phase = req->call_out && req->resp.status == 0 &&
		    r->call_out != NULL && r->record != NULL;
		if (req->resp.status == 0 && !two_phase)
			answered_nothing(req);
	}
	work_end(req);
	if (two_phase && req->resp.status == 0)
		second_phase(req);
	if (req->ctx->conf->server_timing)
		say_timing(req, started, db_round_trips(db) - trips);
}
