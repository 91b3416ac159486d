/*
 * portal_http.h - the patient side of the API: the portal a URL's {code}
 * addresses, and the patient signed in to it.
 */
#ifndef PORTAL_PORTAL_HTTP_H
#define PORTAL_PORTAL_HTTP_H

#include <stdbool.h>

#include "db_clinic.h"
#include "db_patients.h"
#include "permissions.h"

struct request;

/* Filled by portal_open() and, for signed-in routes, patient_auth(). */
struct portal_ctx {
	const char *code;
	struct db_clinic clinic;
	struct db_portal_settings settings;
	struct db_patient patient;	/* patient routes only */
};

/*
 * Resolves the route's {code} to an open portal (the clinic has the
 * module, the portal is enabled, the code is its live one), begins the
 * clinic's transaction, which stays open for the handler, and sets
 * req->portal. Otherwise answers 404 portal_not_found (the same for every
 * reason) and returns false.
 */
bool portal_open(struct request *req);

/*
 * For ACCESS_PATIENT routes: portal_open(), then the portal_patient
 * session cookie (and X-CSRF-Token on changes). Sets req->actor and
 * req->portal->patient; false after answering.
 */
bool patient_auth(struct request *req);

/*
 * The one decision (access_decide()) for the signed-in patient and key:
 * true when allowed; otherwise rolls back and answers 403
 * permission_denied naming the key. Call after patient_auth().
 */
bool portal_allow(struct request *req, enum perm key);

/* One-time codes (sign-in, contact change): the body's {challenge_id,
 * code}, or false after answering 422; a wrong code (commits the spent try
 * and answers 400 invalid_code with attempts_left); and an expired, used
 * or unknown challenge (rolls back, 410 challenge_expired). */
bool portal_code_body(struct request *req, const char **challenge_id,
    const char **code);
void portal_code_wrong(struct request *req, long attempts);
void portal_code_gone(struct request *req);

#endif
