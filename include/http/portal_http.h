/*
 * portal_http.h - the patient side of the API: the portal a URL's {code}
 * addresses, the patient signed in to it, and the answers a one-time code
 * gets (sign-in and contact change alike).
 */
#ifndef PORTAL_PORTAL_HTTP_H
#define PORTAL_PORTAL_HTTP_H

#include <stdbool.h>

#include "db_clinic.h"
#include "db_patients.h"
#include "permissions.h"

struct request;
struct vobj;
struct challenge_answer;

/* Filled by the request pipeline (pipeline.c) for the portal and patient
 * sides. */
struct portal_ctx {
	const char *code;
	struct db_clinic clinic;
	struct db_portal_settings settings;
	struct db_patient patient;	/* patient routes only */
};

/*
 * One-time codes (sign-in, contact change). portal_code_read() reads the
 * body's challenge_id and code (and, with old_code, the optional old_code)
 * into *ans; a code that is not 6 digits is a problem for v_ok() (422).
 * portal_code_wrong() answers 400 invalid_code with attempts_left and
 * keeps the spent try (req->commit_on_error); portal_code_gone() answers
 * 410 challenge_expired (expired, used, out of tries or unknown).
 */
void portal_code_read(struct vobj *body, bool old_code,
    struct challenge_answer *ans);
void portal_code_wrong(struct request *req, long attempts_left);
void portal_code_gone(struct request *req);

/* 422 not_mobile naming field: the phone number typed there cannot take
 * the SMS a code would go by (a landline); advice ends the message ("type
 * your mobile number or your email address"). */
void portal_not_mobile(struct request *req, const char *field,
    const char *advice);

/* The hash of the signed-in patient's session token (its cookie) into
 * hash, which holds CRYPTO_BYTEA_HEX bytes. */
void portal_session_hash(struct request *req, char *hash);

#endif
