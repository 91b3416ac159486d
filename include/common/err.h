/*
 * err.h - the error enum every fallible function of the project returns.
 *
 * OK is zero so that `if (err)` reads naturally. Only src/http/ turns these
 * into HTTP statuses and problem codes (see problem.c).
 */
#ifndef PORTAL_ERR_H
#define PORTAL_ERR_H

enum err {
	ERR_OK = 0,
	ERR_NOT_FOUND,	/* the thing asked for does not exist (or is not yours) */
	ERR_CONFLICT,	/* a uniqueness or exclusion constraint refused the change */
	ERR_INVALID,	/* input failed validation */
	ERR_FORBIDDEN,	/* the caller may not do this */
	ERR_DB,		/* the database failed or is unreachable */
	ERR_UPSTREAM,	/* a remote service (SMTP, SMS gateway) failed */
	ERR_NOMEM,	/* out of memory */
	ERR_IO,		/* a local file or socket operation failed */
	ERR__MAX
};

/* A short English name for logs ("not found", "database error", ...). */
const char *err_str(enum err e);

#endif
