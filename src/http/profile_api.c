/*
 * profile_api.c - the patient's own profile on the patient side, on the
 * request pipeline: read and edit the fields a patient keeps current
 * (address, language, emergency contact, communication preferences),
 * change the phone number or email address they sign in with, and their
 * photo (upload, read, remove); and the clinic's view of a patient's photo.
 *
 * The route table states each permission (view_profile, update_profile,
 * upload_photo); reads (the profile, the photo) are answered from what the
 * pipeline's one statement brought (req->portal->patient). A contact
 * change is a one-time-code challenge (challenge.h, shared with sign-in):
 * a code to the new contact and a second one to the contact the session
 * signed in with; both are needed, the tries shared. Once changed, a
 * replaced contact is told so (no code; the new value masked), the
 * patient's other sessions end. Photos are checked and re-encoded by
 * photo.c and served by nginx (X-Accel-Redirect to the internal /_files/
 * location) only after the request was authorised here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "challenge.h"
#include "conf.h"
#include "contacts.h"
#include "crypto.h"
#include "db.h"
#include "db_patients.h"
#include "db_profile.h"
#include "http.h"
#include "json_util.h"
#include "patients.h"
#include "photo.h"
#include "response.h"
#include "portal_http.h"
#include "problem.h"
#include "routes.h"
#include "valid.h"

#define ADDRESS_MAX_CHARS 500
#define NAME_MAX_CHARS 100
#define PHONE_MAX_CHARS 40

static const char *const languages[] = { "tr", "en", NULL };
static const char *const channels[] = { "sms", "email", NULL };

/*
 * The fields a patient keeps current, read from o into p when present:
 * address (multi-line; null or blank clears it), emergency_contact ({name,
 * phone} or null; the clinic's country reads national numbers),
 * communication ({sms?, email?}; a channel left out keeps its value; sms
 * true is refused when p->phone, read before, takes no SMS). Problems are
 * gathered for v_ok().
 */
static void
read_profile_field(struct vobj *o, const char *key, const char *country,
    const char *own, struct db_patient *p)
{
	static const char *const ec_fields[] = { "name", "phone", NULL };
	static const char *const comm_fields[] = { "sms", "email", NULL };
	struct vobj child;
	const char *s, *name = NULL, *phone = NULL;
	char e164[PHONE_E164_MAX + 1];

	if (strcmp(key, "address") == 0) {
		enum v_got got = v_text(o, "address",
		    V_LINES(1, ADDRESS_MAX_CHARS), V_NULLABLE, &s);

		if (got == V_SET || got == V_NULL)
			p->address = s;
	} else if (strcmp(key, "emergency_contact") == 0) {
		switch (v_object(o, "emergency_contact", ec_fields, V_NULLABLE,
		    &child)) {
		case V_NULL:
			p->emergency_name = p->emergency_phone = NULL;
			break;
		case V_SET:
			v_text(&child, "name", V_LINE(NAME_MAX_CHARS), V_REQUIRED,
			    &name);
			if (v_text(&child, "phone", V_LINE(PHONE_MAX_CHARS),
			    V_REQUIRED, &phone) == V_SET &&
			    !contact_phone_e164(phone, country, e164)) {
				v_phone_problem(&child, "phone", country, own);
				phone = NULL;
			}
			if (name != NULL && phone != NULL) {
				p->emergency_name = name;
				p->emergency_phone = arena_strdup(o->req->arena,
				    e164);
			}
			break;
		default:
			break;
		}
	} else if (strcmp(key, "communication") == 0) {
		if (v_object(o, "communication", comm_fields, 0, &child) ==
		    V_SET) {
			/* p->phone is the one being saved: SMS asked for
			 * in so many words to a phone that takes none is
			 * refused (left alone, patient_derive() turns it
			 * off). */
			if (v_bool(&child, "sms", 0, &p->communication_sms) ==
			    V_SET && p->communication_sms && p->phone != NULL &&
			    !contact_phone_sms_capable(p->phone))
				v_problem(&child, "sms", "This phone number "
				    "cannot receive text messages (it is a "
				    "landline or similar); SMS needs a mobile "
				    "number.");
			v_bool(&child, "email", 0, &p->communication_email);
		}
	}
}

void
profile_read(struct vobj *o, const char *country, const char *own,
    struct db_patient *p)
{
	read_profile_field(o, "address", country, own, p);
	read_profile_field(o, "emergency_contact", country, own, p);
	read_profile_field(o, "communication", country, own, p);
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
	resp_json(req, 200, profile_json(req, &req->portal->patient));
}

/*
 * PATCH /api/v1/portal/{code}/profile {address?, language?,
 * emergency_contact?, communication?} [update_profile]: 200 with the
 * profile. Names, phone and email are not the patient's to patch here:
 * 422 naming the field (phone and email change by contact-change), as is
 * any other unknown field; text breaking the one text rule is 422 too.
 */
void
handle_profile_patch(struct request *req)
{
	static const char *const fields[] = { "address", "language",
	    "emergency_contact", "communication", "first_name", "last_name",
	    "phone", "email", NULL };
	static const char *const names[] = { "first_name", "last_name", NULL };
	static const char *const contacts[] = { "phone", "email", NULL };
	const char *clinic_id = req->portal->clinic.id;
	struct db_patient p;
	struct json_object *before, *after, *v;
	struct vobj o;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	/* The row is locked first: two edits of different fields both
	 * stick. */
	if ((err = db_patient_get(req->ctx->db, req->arena, clinic_id,
	    req->actor.id, true, &p)) != ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	before = json_arena_own(req->arena, profile_json(req, &p));
	/* A phone problem's example is of the patient's own number's
	 * country: a visitor's, not the clinic's (the clinic's country
	 * still reads national numbers). */
	profile_read(&o, req->portal->clinic.country, p.phone, &p);
	v_enum(&o, "language", languages, 0, &p.language);
	for (size_t i = 0; names[i] != NULL; i++)
		if (json_object_object_get_ex(req->json, names[i], &v))
			v_problem(&o, names[i], "Your name is kept by the clinic; "
			    "ask them to correct it.");
	for (size_t i = 0; contacts[i] != NULL; i++)
		if (json_object_object_get_ex(req->json, contacts[i], &v))
			v_problem(&o, contacts[i], "Change it with "
			    "profile/contact-change, which sends a code to the "
			    "new one first.");
	if (!v_ok(req))
		return;
	if (!patient_derive(req->arena, &p) ||
	    (err = db_patient_update(req->ctx->db, req->arena, clinic_id,
	    &p)) != ERR_OK ||
	    (after = json_arena_own(req->arena, profile_json(req, &p))) == NULL ||
	    (err = audit_record(req, "patient.profile.update", "patient", p.id,
	    before, after)) != ERR_OK) {
		problem_send_err(req, err != ERR_OK ? err : ERR_NOMEM, "patient");
		return;
	}
	resp_json(req, 200, json_object_get(after));
}

/*
 * POST /api/v1/portal/{code}/profile/contact-change {channel: "sms" |
 * "email", value} [update_profile]: 202 {challenge_id, channel,
 * expires_in, old_code_sent}; a code goes to the new contact, and a second
 * one to the contact this session signed in with (old_code_sent). 422 for
 * a malformed or unchanged contact; 422 not_mobile naming value for a
 * phone number no SMS reaches (a landline: its code could not arrive); 429
 * with Retry-After past the limits per patient and new contact
 * (patient_login_max_per_contact) and per client address
 * (patient_login_max_per_address).
 */
void
handle_contact_change_start(struct request *req)
{
	static const char *const fields[] = { "channel", "value", NULL };
	const struct conf *conf = req->ctx->conf;
	const struct db_patient *me = &req->portal->patient;
	struct challenge_request in;
	struct challenge_started started;
	char session[CRYPTO_BYTEA_HEX];
	const char *channel = NULL, *value = NULL, *current;
	struct json_object *body, *after;
	struct vobj o;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	memset(&in, 0, sizeof(in));
	v_enum(&o, "channel", channels, V_REQUIRED, &channel);
	v_text(&o, "value", V_LINE(254), V_REQUIRED, &value);
	if (channel != NULL && value != NULL) {
		current = strcmp(channel, "sms") == 0 ? me->phone : me->email;
		switch (challenge_contact(req->arena, value, channel,
		    req->portal->clinic.country, &in.channel, &in.contact)) {
		case CHALLENGE_CONTACT_OK:
			if (current != NULL && strcasecmp(current,
			    in.contact) == 0)
				v_problem(&o, "value", strcmp(channel, "sms") ==
				    0 ? "This is already your phone number." :
				    "This is already your email address.");
			break;
		case CHALLENGE_CONTACT_INVALID:
			if (strcmp(channel, "sms") != 0)
				v_problem(&o, "value", "Not an email address.");
			else
				v_phone_problem(&o, "value",
				    req->portal->clinic.country, me->phone);
			break;
		case CHALLENGE_CONTACT_NO_SMS:
			/* The code to confirm it goes by SMS. */
			portal_not_mobile(req, "value", "give a mobile number, "
			    "or ask the clinic to keep this one on file");
			return;
		case CHALLENGE_CONTACT_NOMEM:
			problem_send_err(req, ERR_NOMEM, NULL);
			return;
		}
	}
	if (!v_ok(req))
		return;
	portal_session_hash(req, session);
	in.kind = DB_CHALLENGE_CONTACT_CHANGE;
	in.client_addr = req->remote_addr;
	in.patient_id = req->actor.id;
	in.session_hash = session;
	if ((err = challenge_start(req->ctx->db, conf, &in, &started)) !=
	    ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	if (started.retry_after > 0) {
		problem_send_rate_limited(req, started.retry_after, "Too many "
		    "codes asked for; wait before asking for another.");
		return;
	}
	after = json_arena_own(req->arena, json_object_new_object());
	json_add_string(after, "channel", in.channel);
	json_add_string(after, "new_contact", in.contact);
	json_add_bool(after, "old_code_sent", started.old_code_sent);
	if ((err = audit_record(req, "patient.contact_change.request",
	    "patient", req->actor.id, NULL, after)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	body = json_object_new_object();
	json_add_string(body, "challenge_id", started.id);
	json_add_string(body, "channel", in.channel);
	json_add_int(body, "expires_in", conf->otp_lifetime);
	json_add_bool(body, "old_code_sent", started.old_code_sent);
	resp_json(req, 202, body);
}

/*
 * POST /api/v1/portal/{code}/profile/contact-change/verify {challenge_id,
 * code, old_code?} [update_profile]: 200 with the profile holding the new
 * contact; the patient's other sessions end and a replaced contact gets a
 * notice (no code, the new value masked; none to a replaced phone no SMS
 * reaches). old_code, the code sent to the session's sign-in contact, is
 * needed whenever the start answered old_code_sent. 400 invalid_code with attempts_left when either code is
 * wrong or old_code is missing (one shared try spent); 410
 * challenge_expired once expired, used or out of tries (or not this
 * patient's); 422 for a code that is not 6 digits.
 */
void
handle_contact_change_verify(struct request *req)
{
	static const char *const fields[] = { "challenge_id", "code",
	    "old_code", NULL };
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	const char *clinic_id = req->portal->clinic.id, *replaced, *masked;
	struct challenge_answer ans;
	struct challenge_result res;
	struct db_patient p;
	struct json_object *before, *after;
	char session[CRYPTO_BYTEA_HEX];
	struct vobj o;
	bool sms;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	portal_code_read(&o, true, &ans);
	if (!v_ok(req))
		return;
	err = challenge_verify(db, req->arena, conf, DB_CHALLENGE_CONTACT_CHANGE,
	    clinic_id, req->actor.id, &ans, &res);
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if (res.verdict == CHALLENGE_WRONG) {
		portal_code_wrong(req, res.attempts_left);
		return;
	}
	if (res.verdict == CHALLENGE_GONE) {
		portal_code_gone(req);
		return;
	}
	if ((err = db_patient_get(db, req->arena, clinic_id, req->actor.id,
	    true, &p)) != ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	before = json_arena_own(req->arena, profile_json(req, &p));
	sms = strcmp(res.channel, "sms") == 0;
	replaced = sms ? p.phone : p.email;
	if (sms)
		p.phone = res.contact;
	else
		p.email = res.contact;
	/* The replaced contact is told, unless it is the same or a phone no
	 * SMS reaches (one the clinic keeps to call). */
	if (replaced != NULL && (strcasecmp(replaced, res.contact) == 0 ||
	    (sms && !contact_phone_sms_capable(replaced))))
		replaced = NULL;
	masked = challenge_mask(req->arena, res.channel, res.contact);
	/* Whoever else is signed in as this patient signs in again. */
	portal_session_hash(req, session);
	if (masked == NULL || !patient_derive(req->arena, &p) ||
	    (err = db_patient_update(db, req->arena, clinic_id, &p)) != ERR_OK ||
	    (err = db_patient_other_sessions_end(db, clinic_id, p.id,
	    session)) != ERR_OK ||
	    (replaced != NULL && (err = db_contact_replaced(db, p.id,
	    res.channel, replaced, masked, conf->public_url)) != ERR_OK) ||
	    (after = json_arena_own(req->arena, profile_json(req, &p))) == NULL ||
	    (err = audit_record(req, "patient.contact_change", "patient", p.id,
	    before, after)) != ERR_OK) {
		problem_send_err(req, err != ERR_OK ? err : ERR_NOMEM, "patient");
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
	/* Shown in the page, never saved under a name of its own. */
	resp_file(req, rel, p->photo_type, RESP_INLINE, NULL);
}

/* GET /api/v1/portal/{code}/profile/photo [view_profile]: the photo
 * (through nginx), 404 not_found without one. */
void
handle_profile_photo_get(struct request *req)
{
	profile_send_photo(req, req->portal->clinic.id, &req->portal->patient);
}

/* GET /api/v1/clinic/patients/{id}/photo: the patient's photo (through
 * nginx), 404 not_found for an unknown patient or one without a photo. */
void
handle_patient_photo(struct request *req)
{
	struct db_patient p;
	enum err err;

	if ((err = db_patient_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, route_param(&req->params, "id"), false,
	    &p)) != ERR_OK) {
		problem_send_err(req, err, "patient");
		return;
	}
	profile_send_photo(req, req->actor.clinic_id, &p);
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
	v_problem_field(req, "photo", why);
	v_ok(req);
}

/*
 * PUT /api/v1/portal/{code}/profile/photo [upload_photo], body = the
 * image (JPEG, PNG or WebP, recognised from its bytes): 200 {photo_url}.
 * 413 payload_too_large over photo_max_bytes; 415 unsupported_media_type
 * for anything but the three formats; 422 validation_failed (field
 * "photo") for an empty body, an image carrying markup, declaring more
 * than photo_max_pixels pixels (refused before decoding), or damaged.
 */
void
handle_profile_photo_put(struct request *req)
{
	const struct conf *conf = req->ctx->conf;
	struct db *db = req->ctx->db;
	const char *clinic_id = req->portal->clinic.id;
	const struct db_patient *me = &req->portal->patient;
	struct json_object *body;
	struct photo ph;
	long w = 0, h = 0;
	enum err err;

	if (req->body == NULL || req->body_len == 0) {
		refuse_photo(req, "Send the image itself as the request body.");
		return;
	}
	if ((long)req->body_len > conf->photo_max_bytes) {
		problem_send(req, "payload_too_large", arena_printf(req->arena,
		    "A photo may be at most %ld bytes.", conf->photo_max_bytes));
		return;
	}
	switch (photo_reencode(req->arena, req->body, req->body_len,
	    conf->photo_max_pixels, &ph, &w, &h)) {
	case PHOTO_OK:
		break;
	case PHOTO_NOT_IMAGE:
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
		problem_send_err(req, ERR_NOMEM, NULL);
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
	    json_arena_own(req->arena, photo_audit_json(ph.sha256)))) != ERR_OK) {
		problem_send_err(req, err, "patient");
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
	const char *clinic_id = req->portal->clinic.id;
	const struct db_patient *me = &req->portal->patient;
	enum err err;

	if (me->photo_sha256 != NULL &&
	    ((err = db_photo_set(req->ctx->db, clinic_id, me->id, NULL,
	    NULL)) != ERR_OK ||
	    (err = release_file(req, clinic_id, me->photo_sha256,
	    me->photo_type)) != ERR_OK ||
	    (err = audit_record(req, "patient.photo.delete", "patient", me->id,
	    json_arena_own(req->arena, photo_audit_json(me->photo_sha256)),
	    NULL)) != ERR_OK)) {
		problem_send_err(req, err, "patient");
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}
