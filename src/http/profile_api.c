/*
 * profile_api.c - the patient's own profile on the patient side: read and
 * edit the fields a patient keeps current (address, language, emergency
 * contact, communication preferences), change the phone number or email
 * address they sign in with (confirmed by a one-time code sent to the new
 * one), and their photo (upload, read, remove); and the clinic's view of a
 * patient's photo.
 *
 * Every handler asks portal_allow() for its permission first. Codes work
 * like sign-in codes (portal_auth.c): 6 digits, kept only as keyed
 * hashes, tries spent atomically, otp_lifetime and otp_max_attempts; a
 * code goes to the new contact through the outbox and never into a log or
 * an answer. Photos are checked and re-encoded by photo.c and served by
 * nginx (X-Accel-Redirect to the internal /_files/ location) only after
 * the request was authorised here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "contacts.h"
#include "crypto.h"
#include "db.h"
#include "db_patients.h"
#include "db_profile.h"
#include "db_signin.h"
#include "http.h"
#include "json_util.h"
#include "patients.h"
#include "photo.h"
#include "portal_http.h"
#include "problem.h"
#include "routes.h"
#include "str.h"

#define ADDRESS_MAX_CHARS 500
#define NAME_MAX_CHARS 100
#define PATIENT_COOKIE "portal_patient"

static void
fail(struct request *req, enum err err)
{
	db_rollback(req->ctx->db);
	problem_send(req, err == ERR_NOT_FOUND ? "not_found" :
	    problem_code_for_err(err), NULL);
}

/* True when s holds a control character other than the line breaks and
 * tabs of an address (when multiline). */
static bool
has_controls(const char *s, bool multiline)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if ((*c < 0x20 || *c == 0x7f) &&
		    !(multiline && (*c == '\n' || *c == '\r' || *c == '\t')))
			return true;
	return false;
}

/* A trimmed copy of the string v, or NULL after adding a problem. */
static char *
text_field(struct request *req, struct json_object *v, const char *field,
    size_t max_chars, bool multiline, struct problem_list *pl)
{
	char *s;

	if (!json_object_is_type(v, json_type_string)) {
		problem_list_add(pl, field, "Must be a string.");
		return NULL;
	}
	s = arena_strdup(req->arena, json_object_get_string(v));
	if (s == NULL)
		return NULL;
	s = str_trim(s);
	if (str_utf8_length(s) > max_chars) {
		problem_list_add(pl, field, arena_printf(req->arena,
		    "Must be at most %zu characters.", max_chars));
		return NULL;
	}
	if (has_controls(s, multiline)) {
		problem_list_add(pl, field, "Must not contain control characters.");
		return NULL;
	}
	return s;
}

void
profile_apply_field(struct request *req, const char *key,
    struct json_object *v, const char *country, struct db_patient *p,
    struct problem_list *pl)
{
	if (strcmp(key, "address") == 0) {
		char *s;

		if (v == NULL) {
			p->address = NULL;
			return;
		}
		s = text_field(req, v, "address", ADDRESS_MAX_CHARS, true, pl);
		if (s != NULL)
			p->address = *s == '\0' ? NULL : s;
		return;
	}
	if (strcmp(key, "emergency_contact") == 0) {
		struct json_object *name = NULL, *phone = NULL;
		char e164[PHONE_E164_MAX + 1];
		const char *n = NULL;
		bool ok = true;

		if (v == NULL) {
			p->emergency_name = p->emergency_phone = NULL;
			return;
		}
		if (!json_object_is_type(v, json_type_object)) {
			problem_list_add(pl, "emergency_contact",
			    "Must be {name, phone} or null.");
			return;
		}
		json_object_object_foreach(v, k, val) {
			(void)val;
			if (strcmp(k, "name") != 0 && strcmp(k, "phone") != 0) {
				problem_list_add(pl, arena_printf(req->arena,
				    "emergency_contact.%s", k), "Unknown field.");
				ok = false;
			}
		}
		if (!json_object_object_get_ex(v, "name", &name) || name == NULL) {
			problem_list_add(pl, "emergency_contact.name", "Required.");
			ok = false;
		} else if ((n = text_field(req, name, "emergency_contact.name",
		    NAME_MAX_CHARS, false, pl)) == NULL) {
			ok = false;
		} else if (*n == '\0') {
			problem_list_add(pl, "emergency_contact.name",
			    "Must be 1 to 100 characters.");
			ok = false;
		}
		if (!json_object_object_get_ex(v, "phone", &phone) ||
		    !json_object_is_type(phone, json_type_string) ||
		    json_object_get_string_len(phone) > 40 ||
		    !contact_phone_e164(json_object_get_string(phone), country,
		    e164)) {
			problem_list_add(pl, "emergency_contact.phone", "Not a phone "
			    "number; for example +90 555 123 45 67 or 0555 123 45 67.");
			ok = false;
		}
		if (ok) {
			p->emergency_name = n;
			p->emergency_phone = arena_strdup(req->arena, e164);
		}
		return;
	}
	if (strcmp(key, "communication") == 0) {
		bool sms = p->communication_sms, email = p->communication_email;
		bool ok = true;

		if (v == NULL || !json_object_is_type(v, json_type_object)) {
			problem_list_add(pl, "communication",
			    "Must be {sms: true|false, email: true|false}.");
			return;
		}
		json_object_object_foreach(v, k, val) {
			bool *dst = strcmp(k, "sms") == 0 ? &sms :
			    strcmp(k, "email") == 0 ? &email : NULL;

			if (dst == NULL) {
				problem_list_add(pl, arena_printf(req->arena,
				    "communication.%s", k), "Unknown field.");
				ok = false;
			} else if (!json_object_is_type(val, json_type_boolean)) {
				problem_list_add(pl, arena_printf(req->arena,
				    "communication.%s", k), "Must be true or false.");
				ok = false;
			} else {
				*dst = json_object_get_boolean(val);
			}
		}
		if (ok) {
			p->communication_sms = sms;
			p->communication_email = email;
		}
		return;
	}
}

struct json_object *
profile_emergency_json(const struct db_patient *p)
{
	struct json_object *o;

	if (p->emergency_name == NULL || p->emergency_phone == NULL)
		return NULL;
	o = json_object_new_object();
	json_add_string(o, "name", p->emergency_name);
	json_add_string(o, "phone", p->emergency_phone);
	return o;
}

struct json_object *
profile_communication_json(const struct db_patient *p)
{
	struct json_object *o = json_object_new_object();

	json_add_bool(o, "sms", p->communication_sms);
	json_add_bool(o, "email", p->communication_email);
	return o;
}

/* The profile as the patient sees it. */
static struct json_object *
profile_json(struct request *req, const struct db_patient *p)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", p->id);
	json_add_string(o, "first_name", p->first_name);
	json_add_string(o, "last_name", p->last_name);
	json_add_string(o, "phone", p->phone);
	json_add_string(o, "email", p->email);
	json_add_string(o, "language", p->language);
	json_add_string(o, "address", p->address);
	json_add(o, "emergency_contact", profile_emergency_json(p));
	json_add(o, "communication", profile_communication_json(p));
	json_add_string(o, "photo_url", p->photo_sha256 == NULL ? NULL :
	    arena_printf(req->arena, "/api/v1/portal/%s/profile/photo",
	    req->portal->code));
	return o;
}

/* GET /api/v1/portal/{code}/profile [view_profile]: the profile. */
void
handle_profile_get(struct request *req)
{
	enum err err;

	if (!portal_allow(req, PERM_VIEW_PROFILE))
		return;
	if ((err = db_commit(req->ctx->db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	resp_json(req, 200, profile_json(req, &req->portal->patient));
}

/*
 * PATCH /api/v1/portal/{code}/profile {address?, language?,
 * emergency_contact?, communication?} [update_profile]: 200 with the
 * profile. Names, phone and email are not the patient's to patch here:
 * 422 naming the field (phone and email change by contact-change).
 */
void
handle_profile_patch(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl;
	struct db_patient p;
	struct json_object *before, *after;
	enum err err;

	if (!portal_allow(req, PERM_UPDATE_PROFILE))
		return;
	if (!req_json_object(req)) {
		db_rollback(db);
		return;
	}
	if ((err = db_patient_get(db, req->arena, req->portal->clinic.id,
	    req->actor.id, true, &p)) != ERR_OK) {
		fail(req, err);
		return;
	}
	before = json_arena_own(req->arena, profile_json(req, &p));
	pl = problem_list_new(req);
	json_object_object_foreach(req->json, key, val) {
		if (strcmp(key, "address") == 0 ||
		    strcmp(key, "emergency_contact") == 0 ||
		    strcmp(key, "communication") == 0) {
			profile_apply_field(req, key, val,
			    req->portal->clinic.country, &p, pl);
		} else if (strcmp(key, "language") == 0) {
			const char *l = json_object_is_type(val, json_type_string) ?
			    json_object_get_string(val) : "";

			if (strcmp(l, "tr") != 0 && strcmp(l, "en") != 0)
				problem_list_add(pl, "language", "Must be tr or en.");
			else
				p.language = strcmp(l, "tr") == 0 ? "tr" : "en";
		} else if (strcmp(key, "first_name") == 0 ||
		    strcmp(key, "last_name") == 0) {
			problem_list_add(pl, arena_strdup(req->arena, key),
			    "Your name is kept by the clinic; ask them to correct it.");
		} else if (strcmp(key, "phone") == 0 || strcmp(key, "email") == 0) {
			problem_list_add(pl, arena_strdup(req->arena, key),
			    "Change it with profile/contact-change, which sends a "
			    "code to the new one first.");
		} else {
			problem_list_add(pl, arena_strdup(req->arena, key),
			    "Unknown field.");
		}
	}
	if (problem_list_count(pl) > 0) {
		db_rollback(db);
		problem_list_send(req, pl, NULL);
		return;
	}
	if (!patient_derive(req->arena, &p) ||
	    (err = db_patient_update(db, req->arena, req->portal->clinic.id,
	    &p)) != ERR_OK ||
	    (after = json_arena_own(req->arena, profile_json(req, &p))) == NULL ||
	    (err = audit_record(req, "patient.profile.update", "patient", p.id,
	    before, after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM);
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/*
 * POST /api/v1/portal/{code}/profile/contact-change {channel: "sms" |
 * "email", value} [update_profile]: 202 {challenge_id, channel,
 * expires_in}; a code goes to the new contact. 422 for a malformed or
 * unchanged contact, 429 with Retry-After past the patient's limit of
 * starts per window (patient_login_max_per_contact).
 */
void
handle_contact_change_start(struct request *req)
{
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	const struct db_patient *me = &req->portal->patient;
	struct problem_list *pl;
	struct db_contact_change in;
	char id[CRYPTO_UUID_CHARS + 1], otp[CRYPTO_OTP_DIGITS + 1];
	char hash[CRYPTO_BYTEA_HEX], e164[PHONE_E164_MAX + 1];
	const char *channel, *value, *current = NULL;
	struct json_object *body, *after;
	long retry_after = 0;
	enum err err;

	if (!portal_allow(req, PERM_UPDATE_PROFILE))
		return;
	if (!req_json_object(req)) {
		db_rollback(db);
		return;
	}
	pl = problem_list_new(req);
	json_object_object_foreach(req->json, key, val) {
		(void)val;
		if (strcmp(key, "channel") != 0 && strcmp(key, "value") != 0)
			problem_list_add(pl, arena_strdup(req->arena, key),
			    "Unknown field.");
	}
	channel = body_string_field(req->json, "channel", 10, pl);
	value = body_string_field(req->json, "value", 254, pl);
	memset(&in, 0, sizeof(in));
	if (channel != NULL && strcmp(channel, "sms") != 0 &&
	    strcmp(channel, "email") != 0) {
		problem_list_add(pl, "channel", "Must be \"sms\" or \"email\".");
	} else if (channel != NULL && value != NULL &&
	    strcmp(channel, "email") == 0) {
		char *lower = arena_strdup(req->arena, value);

		for (char *c = lower; c != NULL && *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (lower == NULL || !contact_email_valid(lower))
			problem_list_add(pl, "value", "Not an email address.");
		in.channel = "email";
		in.contact = lower;
		current = me->email;
	} else if (channel != NULL && value != NULL) {
		if (strlen(value) > 40 || !contact_phone_e164(value,
		    req->portal->clinic.country, e164))
			problem_list_add(pl, "value", "Not a phone number; for "
			    "example +90 555 123 45 67 or 0555 123 45 67.");
		in.channel = "sms";
		in.contact = e164;
		current = me->phone;
	}
	if (problem_list_count(pl) == 0 && current != NULL &&
	    strcasecmp(current, in.contact) == 0)
		problem_list_add(pl, "value", strcmp(in.channel, "sms") == 0 ?
		    "This is already your phone number." :
		    "This is already your email address.");
	if (problem_list_count(pl) > 0) {
		db_rollback(db);
		problem_list_send(req, pl, NULL);
		return;
	}
	crypto_uuid(id);
	crypto_otp(otp);
	crypto_otp_hash(hash, conf->signin_secret, id, otp);
	in.challenge_id = id;
	in.patient_id = req->actor.id;
	in.code_hash = hash;
	in.otp = otp;
	in.limit = conf->patient_login_max_per_contact;
	in.window_s = conf->patient_login_window;
	in.lifetime_s = conf->otp_lifetime;
	in.base_url = conf->public_url;
	err = db_contact_change_start(db, &in, &retry_after);
	sodium_memzero(otp, sizeof(otp));
	if (err == ERR_OK && retry_after > 0) {
		db_rollback(db);
		problem_send_rate_limited(req, retry_after, "Too many codes "
		    "asked for; wait before asking for another.");
		return;
	}
	after = json_arena_own(req->arena, json_object_new_object());
	json_add_string(after, "channel", in.channel);
	json_add_string(after, "new_contact", in.contact);
	if (err != ERR_OK || (err = audit_record(req,
	    "patient.contact_change.request", "patient", req->actor.id, NULL,
	    after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	body = json_object_new_object();
	json_add_string(body, "challenge_id", id);
	json_add_string(body, "channel", in.channel);
	json_add_int(body, "expires_in", conf->otp_lifetime);
	resp_json(req, 202, body);
}

/*
 * POST /api/v1/portal/{code}/profile/contact-change/verify {challenge_id,
 * code} [update_profile]: 200 with the profile holding the new contact;
 * the patient's other sessions end. 400 invalid_code with attempts_left;
 * 410 challenge_expired once expired, used or out of tries (or not this
 * patient's).
 */
void
handle_contact_change_verify(struct request *req)
{
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	const char *clinic_id = req->portal->clinic.id;
	const char *challenge_id, *code;
	struct db_contact_challenge ch;
	struct db_patient p;
	struct json_object *before, *after;
	char hash[CRYPTO_BYTEA_HEX], session[CRYPTO_BYTEA_HEX];
	enum err err;

	if (!portal_allow(req, PERM_UPDATE_PROFILE))
		return;
	if (!req_json_object(req)) {
		db_rollback(db);
		return;
	}
	if (!portal_code_body(req, &challenge_id, &code))
		return;
	err = db_contact_challenge_try(db, req->arena, clinic_id, req->actor.id,
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
	if (!crypto_str_equal(hash, ch.code_hash)) {
		portal_code_wrong(req, ch.attempts);
		return;
	}
	err = db_contact_challenge_verified(db, clinic_id, challenge_id);
	if (err == ERR_NOT_FOUND) {
		portal_code_gone(req);
		return;
	}
	if (err != ERR_OK || (err = db_patient_get(db, req->arena, clinic_id,
	    req->actor.id, true, &p)) != ERR_OK) {
		fail(req, err);
		return;
	}
	before = json_arena_own(req->arena, profile_json(req, &p));
	if (strcmp(ch.channel, "sms") == 0)
		p.phone = ch.new_contact;
	else
		p.email = ch.new_contact;
	/* Whoever else is signed in as this patient signs in again. */
	crypto_token_hash(session, req_cookie(req, PATIENT_COOKIE));
	if (!patient_derive(req->arena, &p) ||
	    (err = db_patient_update(db, req->arena, clinic_id, &p)) != ERR_OK ||
	    (err = db_patient_other_sessions_end(db, clinic_id, p.id,
	    session)) != ERR_OK ||
	    (after = json_arena_own(req->arena, profile_json(req, &p))) == NULL ||
	    (err = audit_record(req, "patient.contact_change", "patient", p.id,
	    before, after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		fail(req, err ? err : ERR_NOMEM);
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

void
profile_send_photo(struct request *req, const char *clinic_id,
    const struct db_patient *p)
{
	const char *rel;

	if (p->photo_sha256 == NULL || !photo_exists(req->arena,
	    req->ctx->conf->files_dir, clinic_id, p->photo_sha256,
	    p->photo_type)) {
		problem_send(req, "not_found", "There is no photo.");
		return;
	}
	rel = photo_path(req->arena, clinic_id, p->photo_sha256, p->photo_type);
	if (rel == NULL) {
		problem_send(req, "unavailable", NULL);
		return;
	}
	/* nginx serves the file from its internal location and keeps these
	 * headers; the body here is empty. */
	resp_header(req, "X-Accel-Redirect", arena_printf(req->arena,
	    "/_files/%s", rel));
	resp_header(req, "Cache-Control", "private, no-store");
	resp_raw(req, 200, arena_strdup(req->arena, p->photo_type), "", 0);
}

/* GET /api/v1/portal/{code}/profile/photo [view_profile]: the photo
 * (through nginx), 404 not_found without one. */
void
handle_profile_photo_get(struct request *req)
{
	enum err err;

	if (!portal_allow(req, PERM_VIEW_PROFILE))
		return;
	if ((err = db_commit(req->ctx->db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	profile_send_photo(req, req->portal->clinic.id, &req->portal->patient);
}

/* Removes the stored file of old_sha256 when no patient of the clinic
 * uses it any more (call after the patient's row changed, in the
 * transaction, which holds the file's lock until it ends). */
static enum err
release_file(struct request *req, const char *clinic_id,
    const char *old_sha256, const char *old_type)
{
	struct db *db = req->ctx->db;
	long users = 0;
	enum err err;

	if ((err = db_photo_lock(db, clinic_id, old_sha256)) != ERR_OK ||
	    (err = db_photo_users(db, clinic_id, old_sha256, &users)) != ERR_OK)
		return err;
	if (users > 0)
		return ERR_OK;
	return photo_remove(req->arena, req->ctx->conf->files_dir, clinic_id,
	    old_sha256, old_type);
}

static struct json_object *
photo_audit_json(const char *sha256)
{
	struct json_object *o = json_object_new_object();

	json_add_string(o, "photo_sha256", sha256);
	return o;
}

/* 422 validation_failed naming the field "photo". */
static void
refuse_photo(struct request *req, const char *why)
{
	struct problem_list *pl = problem_list_new(req);

	db_rollback(req->ctx->db);
	problem_list_add(pl, "photo", why);
	problem_list_send(req, pl, "The photo was refused.");
}

/*
 * PUT /api/v1/portal/{code}/profile/photo [upload_photo], body = the
 * image (JPEG, PNG or WebP, recognised from its bytes): 200 {photo_url}.
 * 413 payload_too_large over photo_max_bytes; 415 unsupported_media_type
 * for anything but the three formats; 422 validation_failed (field
 * "photo") for an image carrying markup, declaring more than
 * photo_max_pixels pixels (refused before decoding), or damaged.
 */
void
handle_profile_photo_put(struct request *req)
{
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	const char *clinic_id = req->portal->clinic.id;
	const struct db_patient *me = &req->portal->patient;
	struct problem_list *pl;
	struct json_object *body;
	struct photo ph;
	long w = 0, h = 0;
	enum err err;

	if (!portal_allow(req, PERM_UPLOAD_PHOTO))
		return;
	if (req->body == NULL || req->body_len == 0) {
		db_rollback(db);
		pl = problem_list_new(req);
		problem_list_add(pl, "photo", "Send the image itself as the "
		    "request body.");
		problem_list_send(req, pl, NULL);
		return;
	}
	if ((long)req->body_len > conf->photo_max_bytes) {
		db_rollback(db);
		problem_send(req, "payload_too_large", arena_printf(req->arena,
		    "A photo may be at most %ld bytes.", conf->photo_max_bytes));
		return;
	}
	switch (photo_reencode(req->arena, req->body, req->body_len,
	    conf->photo_max_pixels, &ph, &w, &h)) {
	case PHOTO_OK:
		break;
	case PHOTO_NOT_IMAGE:
		db_rollback(db);
		problem_send(req, "unsupported_media_type", "The photo must be "
		    "a JPEG, PNG or WebP image.");
		return;
	case PHOTO_MARKUP:
		refuse_photo(req, "The image carries web page or script "
		    "content; save it again as a plain photo.");
		return;
	case PHOTO_TOO_MANY_PIXELS:
		refuse_photo(req, arena_printf(req->arena, "The image is %ld x "
		    "%ld pixels; at most %ld pixels are allowed.", w, h,
		    conf->photo_max_pixels));
		return;
	case PHOTO_DAMAGED:
		refuse_photo(req, "The image is damaged or incomplete.");
		return;
	case PHOTO_NOMEM:
		fail(req, ERR_NOMEM);
		return;
	}
	if ((err = db_photo_lock(db, clinic_id, ph.sha256)) != ERR_OK ||
	    (err = photo_store(req->arena, conf->files_dir, clinic_id,
	    &ph)) != ERR_OK ||
	    (err = db_photo_set(db, clinic_id, me->id, ph.sha256,
	    ph.type)) != ERR_OK ||
	    (me->photo_sha256 != NULL && strcmp(me->photo_sha256, ph.sha256) != 0 &&
	    (err = release_file(req, clinic_id, me->photo_sha256,
	    me->photo_type)) != ERR_OK) ||
	    (err = audit_record(req, "patient.photo.update", "patient", me->id,
	    json_arena_own(req->arena, photo_audit_json(me->photo_sha256)),
	    json_arena_own(req->arena, photo_audit_json(ph.sha256)))) != ERR_OK ||
	    (err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	body = json_object_new_object();
	json_add_string(body, "photo_url", arena_printf(req->arena,
	    "/api/v1/portal/%s/profile/photo", req->portal->code));
	resp_json(req, 200, body);
}

/* DELETE /api/v1/portal/{code}/profile/photo [upload_photo]: 204, also
 * when there was none; the stored file goes when nobody else uses it. */
void
handle_profile_photo_delete(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *clinic_id = req->portal->clinic.id;
	const struct db_patient *me = &req->portal->patient;
	enum err err;

	if (!portal_allow(req, PERM_UPLOAD_PHOTO))
		return;
	if (me->photo_sha256 != NULL &&
	    ((err = db_photo_set(db, clinic_id, me->id, NULL, NULL)) != ERR_OK ||
	    (err = release_file(req, clinic_id, me->photo_sha256,
	    me->photo_type)) != ERR_OK ||
	    (err = audit_record(req, "patient.photo.delete", "patient", me->id,
	    json_arena_own(req->arena, photo_audit_json(me->photo_sha256)),
	    NULL)) != ERR_OK)) {
		fail(req, err);
		return;
	}
	if ((err = db_commit(db)) != ERR_OK) {
		fail(req, err);
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}
