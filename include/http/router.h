/*
 * router.h - method + path pattern to handler.
 *
 * Patterns are absolute paths whose segments are literals or `{name}`
 * parameters, e.g. "/api/v1/portal/{code}/". A trailing slash is part of
 * the pattern. Matching is exact per segment; parameters never match an
 * empty segment. The route table itself lives in routes.c.
 */
#ifndef PORTAL_ROUTER_H
#define PORTAL_ROUTER_H

#include <stddef.h>

#define ROUTE_PARAMS__MAX 4
#define ROUTE_PATH_MAX 2048

struct request;
typedef void (*route_handler)(struct request *req);

/*
 * What the route table states per route (DESIGN.md section 11). The
 * request pipeline (pipeline.c) acts on all of it before the handler runs:
 * it authenticates, applies the portal's checks, decides the role or the
 * permission, reads and checks the body, sets the row-level-security
 * context and opens the database work; after the handler it commits or
 * rolls back. A handler parses, calls and serializes: nothing else.
 */
enum route_side {
	SIDE_PUBLIC,	/* anyone; no clinic context */
	SIDE_PORTAL,	/* anyone, at an open portal: {code} opens it (404
			 * portal_not_found otherwise) and sets its clinic */
	SIDE_CLINIC,	/* a staff session or an API key of the clinic */
	SIDE_PATIENT,	/* a patient session at the {code} portal */
	SIDE_CALLBACK,	/* a payment provider: the handler checks its signature */
};

/* Clinic side: the least role. An API key acts with its maker's role
 * narrowed by its scopes: read or write (for a read or a write route) to
 * act as staff, admin to act as its maker (an admin or an owner). */
enum route_least {
	LEAST_STAFF,
	LEAST_ADMIN,
	LEAST_OWNER,
};

/* A read runs its statements without a transaction (each in its own,
 * with the context); a write runs in one transaction, committed when the
 * handler answers below 400. A GET that records something (marking
 * messages read, a file access) is a write. */
enum route_kind {
	ROUTE_READ,
	ROUTE_WRITE,
};

enum route_body {
	BODY_NONE,		/* none is expected (one that comes is checked as JSON
				 * and ignored) */
	BODY_JSON,		/* application/json up to max_body_bytes, parsed */
	BODY_BINARY,		/* any bytes up to max_upload_bytes, not parsed */
};

/* Route flags. */
#define ROUTE_SESSION_ONLY 0x1u	/* clinic side: an API key gets 403 */
/* Clinic side: open to a session that must enrol in TOTP first (its
 * clinic requires it); every other route answers such a session 403
 * totp_enrolment_required. */
#define ROUTE_ENROL_OK 0x2u

#define ROUTE_NO_PERM (-1)

struct route {
	const char *method;
	const char *pattern;
	route_handler handler;
	enum route_side side;
	enum route_least least;		/* SIDE_CLINIC */
	int perm;			/* SIDE_PATIENT: enum perm, or ROUTE_NO_PERM */
	enum route_kind kind;
	enum route_body body;
	unsigned flags;
	/* A read's data sent ahead (or NULL): called before the request is
	 * authenticated, it reads the query as the handler will and queues
	 * the handler's statements (a db_*_ahead() function) to go out with
	 * the session's statement, in its round trip; the handler's own call
	 * then finds the answer waiting. It decides nothing and answers
	 * nothing: what it finds wrong is forgotten, and the handler, once the
	 * request is allowed, reads the query again and answers the problem. */
	route_handler ahead;
	/* A route that calls out (a payment provider) declares two more steps
	 * (DESIGN.md section 11), or NULL: when its handler asks for them
	 * (req->call_out) instead of answering, the handler's transaction
	 * commits, call_out runs with no transaction or row lock open (the
	 * outbound call), then record runs in a second transaction, with the
	 * same context, and answers. */
	route_handler call_out;
	route_handler record;
};

struct route_params {
	size_t count;
	const char *names[ROUTE_PARAMS__MAX];	/* point into the pattern */
	size_t name_lens[ROUTE_PARAMS__MAX];
	char *values[ROUTE_PARAMS__MAX];	/* copied into the caller's buffer */
};

enum route_match {
	ROUTE_FOUND,
	ROUTE_NOT_FOUND,	/* no pattern matches the path */
	ROUTE_BAD_METHOD,	/* a pattern matches, but not for this method */
};

/*
 * Finds the route for method and path among routes[0..n).
 * ROUTE_FOUND: *found is set and params hold the parameter values, copied
 * into buf (which must hold at least strlen(path) + 1 bytes).
 * ROUTE_BAD_METHOD: allow receives the methods the path does accept,
 * comma separated ("GET, PUT"), truncated to allowlen.
 */
enum route_match router_match(const struct route *routes, size_t n,
    const char *method, const char *path, const struct route **found,
    struct route_params *params, char *buf, char *allow, size_t allowlen);

/* The value of parameter name, or NULL. */
const char *route_param(const struct route_params *params, const char *name);

#endif
