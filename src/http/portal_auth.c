/*
 * portal_auth.c - the patient side's front door: patient sign-in with a
 * one-time code (start, verify, choose a profile), logout and me, on the
 * request pipeline (routes.c: login/start, verify and select are PORTAL
 * writes, logout a PATIENT write, me a PATIENT read answered from
 * req->portal without a statement of its own). Also the answers a
 * one-time code gets, shared with the contact change (profile_api.c).
 *
 * Sign-in never tells whether a contact belongs to a patient: start
 * answers the same 202 for any well-formed contact after one and the same
 * statement (challenge_start(), sql/0015), and an unknown contact's
 * challenge holds the hash of a code nobody was sent. The challenge rules
 * (keyed hashes, atomic tries, the clinic's failure budget) live in
 * challenge.h. A session remembers the contact it signed in with; a
 * contact change sends its second code there.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "access.h"
#include "arena.h"
#include "audit.h"
#include "challenge.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_clinic.h"
#include "db_patients.h"
#include "db_signin.h"
#include "http.h"
#include "json_util.h"
#include "pipeline.h"
#include "portal_http.h"
#include "portal_settings.h"
#include "problem.h"
#include "routes.h"
#include "str.h"
#include "valid.h"

static const char *
cookie_path(struct request *req)
{
	return arena_printf(req->arena, "/api/v1/portal/%s/", req->portal->code);
}

void
portal_session_hash(struct request *req, char *hash)
{
	const char *token = req_cookie(req, PIPELINE_PATIENT_COOKIE);

	crypto_token_hash(hash, token != NULL ? token : "");
}

void
portal_code_read(struct vobj *body, bool old_code, struct challenge_answer *ans)
{
	memset(ans, 0, sizeof(*ans));
	/* Any text: an id that is no live challenge's is 410, as an unknown
	 * one always was. */
	v_text(body, "challenge_id", V_LINE(64), V_REQUIRED, &ans->id);
	if (v_text(body, "code", V_LINE(64), V_REQUIRED, &ans->code) == V_SET &&
	    !challenge_code_valid(ans->code))
		v_problem(body, "code", "The code has 6 digits.");
	if (old_code && v_text(body, "old_code", V_LINE(64), V_NULLABLE,
	    &ans->old_code) == V_SET && !challenge_code_valid(ans->old_code))
		v_problem(body, "old_code", "The code has 6 digits.");
}

void
portal_code_wrong(struct request *req, long attempts_left)
{
	/* The spent try is kept. */
	req->commit_on_error = true;
	problem_send_ex(req, "invalid_code", attempts_left > 0 ?
	    "The code is wrong; check it and try again." :
	    "The code is wrong, and that was the last try; ask for a new code.",
	    json_tokener_parse(arena_printf(req->arena,
	    "{\"attempts_left\": %ld}", attempts_left)));
}

void
portal_code_gone(struct request *req)
{
	problem_send(req, "challenge_expired", "This code has expired or was "
	    "used up; ask for a new one.");
}

void
portal_not_mobile(struct request *req, const char *field, const char *advice)
{
	struct problem_list *pl = problem_list_new(req);
	const char *message = arena_printf(req->arena, "This number cannot "
	    "receive text messages (it is a landline or similar); %s.", advice);

	if (pl == NULL || message == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	problem_list_add(pl, field, message);
	problem_list_send_as(req, pl, "not_mobile", "A code is sent by SMS, "
	    "and this number cannot receive one.");
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
 * Signs patient_id in with the contact it proved (channel and contact,
 * which the session remembers): a fresh session (a cookie planted before
 * is worthless), the audit row, and the answer of verify and select.
 */
static void
sign_in(struct request *req, const char *patient_id, const char *channel,
    const char *contact)
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
	    csrf, conf->patient_session_absolute, contact != NULL ? channel :
	    NULL, contact)) != ERR_OK ||
	    (err = db_patient_get(db, req->arena, clinic_id, patient_id, false,
	    &req->portal->patient)) != ERR_OK ||
	    (err = audit_record(req, "patient.login", "patient", patient_id,
	    NULL, NULL)) != ERR_OK) {
		sodium_memzero(token, sizeof(token));
		problem_send_err(req, err == ERR_NOT_FOUND ? ERR_DB : err, NULL);
		return;
	}
	resp_header(req, "Set-Cookie", arena_printf(req->arena,
	    PIPELINE_PATIENT_COOKIE "=%s; Path=%s; Max-Age=%ld; HttpOnly; "
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
 * the code goes out only when the contact is a patient's. 422 for a
 * malformed contact (or an unknown field); 422 not_mobile naming contact
 * for a phone number no SMS reaches (a landline: said of any such number,
 * patient or not); 429 with Retry-After past the limits per contact and
 * per client address (IPv6: per /64).
 */
void
handle_patient_login_start(struct request *req)
{
	static const char *const fields[] = { "contact", NULL };
	const struct conf *conf = req->ctx->conf;
	struct challenge_request in;
	struct challenge_started started;
	struct json_object *body;
	struct vobj o;
	const char *contact;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	memset(&in, 0, sizeof(in));
	in.kind = DB_CHALLENGE_SIGN_IN;
	if (v_text(&o, "contact", V_LINE(254), V_REQUIRED, &contact) == V_SET)
		switch (challenge_contact(req->arena, contact, NULL,
		    req->portal->clinic.country, &in.channel, &in.contact)) {
		case CHALLENGE_CONTACT_OK:
			break;
		case CHALLENGE_CONTACT_INVALID:
			v_problem(&o, "contact", strchr(contact, '@') != NULL ?
			    "Not an email address." : arena_printf(req->arena,
			    "Type your phone number (%s) or your email "
			    "address.", v_phone_hint(req->arena,
			    req->portal->clinic.country)));
			break;
		case CHALLENGE_CONTACT_NO_SMS:
			/* Said of the number alone, patient or not. */
			portal_not_mobile(req, "contact", "type your mobile "
			    "number or your email address");
			return;
		case CHALLENGE_CONTACT_NOMEM:
			problem_send_err(req, ERR_NOMEM, NULL);
			return;
		}
	if (!v_ok(req))
		return;
	in.client_addr = req->remote_addr;
	if ((err = challenge_start(req->ctx->db, conf, &in, &started)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (started.retry_after > 0) {
		problem_send_rate_limited(req, started.retry_after, "Too many "
		    "sign-in attempts; wait before asking for another code.");
		return;
	}
	body = json_object_new_object();
	json_add_string(body, "challenge_id", started.id);
	json_add_string(body, "channel", in.channel);
	json_add_int(body, "expires_in", conf->otp_lifetime);
	resp_json(req, 202, body);
}

/* The profiles a verified code may choose from, with the selection token
 * (login/select). */
static void
offer_choice(struct request *req, const char *token,
    const struct db_signin_patient *pp, int n)
{
	struct json_object *body, *choose;

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
 * attempts_left (the try is kept); 410 challenge_expired once expired,
 * used or out of tries; 422 for a code that is not 6 digits.
 */
void
handle_patient_login_verify(struct request *req)
{
	static const char *const fields[] = { "challenge_id", "code", NULL };
	struct challenge_answer ans;
	struct challenge_result res;
	struct db_signin_patient *pp = NULL;
	struct vobj o;
	int n = 0;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	portal_code_read(&o, false, &ans);
	if (!v_ok(req))
		return;
	err = challenge_verify(req->ctx->db, req->arena, req->ctx->conf,
	    DB_CHALLENGE_SIGN_IN, req->portal->clinic.id, NULL, &ans, &res);
	if (err == ERR_OK && res.verdict == CHALLENGE_PASSED)
		err = db_signin_patients(req->ctx->db, req->arena,
		    req->portal->clinic.id, res.patient_ids, &pp, &n);
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
	} else if (res.verdict == CHALLENGE_WRONG) {
		portal_code_wrong(req, res.attempts_left);
	} else if (res.verdict == CHALLENGE_GONE || n == 0) {
		/* (n == 0: the patients lost access since the try.) */
		portal_code_gone(req);
	} else if (res.selection_token[0] != '\0') {
		offer_choice(req, res.selection_token, pp, n);
	} else {
		sign_in(req, pp[0].id, res.channel, res.contact);
	}
	sodium_memzero(res.selection_token, sizeof(res.selection_token));
}

/*
 * POST /api/v1/portal/{code}/login/select {selection_token, patient_id}:
 * the profile chosen after a shared contact's code; answers like verify.
 * 410 for a used, expired or unknown token; 422 for a patient not offered
 * (the token stays good: the work rolls back).
 */
void
handle_patient_login_select(struct request *req)
{
	static const char *const fields[] = { "selection_token", "patient_id",
	    NULL };
	const char *token, *patient_id;
	struct db_signin_patient *pp = NULL;
	struct db_selection sel;
	char hash[CRYPTO_BYTEA_HEX];
	struct vobj o;
	int n = 0;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	v_text(&o, "selection_token", V_LINE(64), V_REQUIRED, &token);
	v_text(&o, "patient_id", V_LINE(64), V_REQUIRED, &patient_id);
	if (!v_ok(req))
		return;
	crypto_token_hash(hash, token);
	err = db_selection_take(req->ctx->db, req->arena,
	    req->portal->clinic.id, hash, &sel);
	if (err == ERR_NOT_FOUND) {
		portal_code_gone(req);
		return;
	}
	if (err != ERR_OK || (err = db_signin_patients(req->ctx->db,
	    req->arena, req->portal->clinic.id, sel.patient_ids, &pp,
	    &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	for (int i = 0; i < n; i++)
		if (strcasecmp(pp[i].id, patient_id) == 0) {
			sign_in(req, pp[i].id, sel.channel, sel.contact);
			return;
		}
	v_problem(&o, "patient_id", "Choose one of the profiles offered.");
	v_ok(req);
}

/* POST /api/v1/portal/{code}/logout: 204; the session ends at once. */
void
handle_patient_logout(struct request *req)
{
	char hash[CRYPTO_BYTEA_HEX];
	enum err err;

	portal_session_hash(req, hash);
	if ((err = db_patient_session_delete(req->ctx->db,
	    req->portal->clinic.id, hash)) != ERR_OK ||
	    (err = audit_record(req, "patient.logout", "patient", req->actor.id,
	    NULL, NULL)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Set-Cookie", arena_printf(req->arena,
	    PIPELINE_PATIENT_COOKIE "=; Path=%s; Max-Age=0; HttpOnly; "
	    "SameSite=Strict", cookie_path(req)));
	resp_raw(req, 204, NULL, "", 0);
}

/* GET /api/v1/portal/{code}/me: the patient, the keys usable now, the
 * session's csrf_token and the clinic, all from what the pipeline's one
 * statement answered. */
void
handle_patient_me(struct request *req)
{
	const struct db_clinic *c = &req->portal->clinic;
	struct json_object *body, *clinic, *langs;

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
