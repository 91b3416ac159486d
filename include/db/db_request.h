/*
 * db_request.h - who is calling, and in which clinic: the one statement
 * the request pipeline runs before any handler (sql/0012). Each answers
 * the caller and the context the handler needs (clinic, portal settings,
 * patient) and sets the row-level-security context for the rest of the
 * request's work (db_work_start()), so that authentication, the portal's
 * checks and the context cost one round trip together.
 *
 * Strings live in the arena passed in. Each returns ERR_OK, ERR_NOT_FOUND
 * (said per function) or ERR_DB.
 */
#ifndef PORTAL_DB_REQUEST_H
#define PORTAL_DB_REQUEST_H

#include <stdbool.h>

#include "db_clinic.h"
#include "db_patients.h"
#include "err.h"

struct arena;
struct db;

/* A staff member's session or an API key, and their clinic. */
struct db_clinic_caller {
	const char *id, *name;
	const char *role;		/* "owner", "admin", "staff"; a key's maker's */
	const char *csrf_token;		/* sessions only */
	unsigned scopes;		/* keys only: SCOPE_* */
	struct db_clinic clinic;
	bool totp_enrol;		/* sessions: may only enrol in TOTP */
};

/* The session behind token_hash (idle_s: its idle limit), or, when is_key,
 * the API key behind a secret hash. ERR_NOT_FOUND when there is no valid
 * one (ended, idle, revoked, or its person is no longer active). */
enum err db_request_clinic(struct db *db, struct arena *a, bool is_key,
    const char *hash, long idle_s, struct db_clinic_caller *out);

enum db_portal_status {
	DB_PORTAL_CLOSED,	/* the code opens no portal */
	DB_PORTAL_NO_SESSION,	/* open, but no valid patient session */
	DB_PORTAL_OK,
};

/* The portal a code opens and, on the patient side, who is signed in. */
struct db_portal_caller {
	enum db_portal_status status;
	const char *csrf_token;		/* patient sessions */
	struct db_clinic clinic;
	struct db_portal_settings settings;
	struct db_patient patient;	/* patient sessions */
};

/* The portal code opens (status CLOSED or OK), for the public routes of a
 * portal (its card, sign-in). */
enum err db_request_portal(struct db *db, struct arena *a, const char *code,
    struct db_portal_caller *out);

/* The portal code opens and the patient session behind token_hash (NULL
 * when the request has none): status CLOSED, NO_SESSION or OK. The
 * worker keeps a copy of each portal's clinic and settings and the
 * database says in the same statement whether it is still current
 * (sql/0036); out's strings are the arena's either way. */
enum err db_request_patient(struct db *db, struct arena *a, const char *code,
    const char *token_hash, long idle_s, struct db_portal_caller *out);

#endif
