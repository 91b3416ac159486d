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

/* Who may call a route; the worker checks it before the handler runs. */
enum route_access {
	ACCESS_PUBLIC,		/* anyone */
	ACCESS_CLINIC_READ,	/* any staff session; API key with read */
	ACCESS_CLINIC_WRITE,	/* any staff session; API key with write */
	ACCESS_CLINIC_ADMIN,	/* owner or admin; API key with admin */
	ACCESS_CLINIC_OWNER,	/* owner only; API key with admin */
	ACCESS_PATIENT,		/* a patient session of the {code} portal */
};

/* What body a route takes; the worker checks it before the handler runs. */
enum route_body {
	BODY_JSON,		/* application/json up to max_body_bytes, parsed */
	BODY_BINARY,		/* any bytes up to max_upload_bytes, not parsed */
};

struct route {
	const char *method;
	const char *pattern;
	route_handler handler;
	enum route_access access;
	enum route_body body;	/* BODY_JSON unless said */
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
