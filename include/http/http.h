/*
 * http.h - one request and its response, as handlers see them.
 *
 * The worker (worker.c) fills a struct request from the FastCGI
 * parameters, reads and checks the body, routes, calls the handler, and
 * writes whatever the handler put into req->resp. Handlers never touch the
 * FastCGI stream. Everything hangs off the request arena.
 */
#ifndef PORTAL_HTTP_H
#define PORTAL_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "router.h"

struct arena;
struct conf;
struct db;
struct json_object;
struct portal_ctx;

#define HTTP_HEADERS__MAX 16
#define REQUEST_ID_MAX 64

struct http_header {
	const char *name;
	const char *value;
};

struct response {
	int status;
	const char *content_type;
	const char *body;		/* arena-owned, or static */
	size_t body_len;
	size_t header_count;
	struct http_header headers[HTTP_HEADERS__MAX];
};

/* What the worker gives every handler: long-lived, owned by the worker. */
struct worker_ctx {
	const struct conf *conf;
	struct db *db;
};

/* Who is calling, once the worker has authenticated the request. */
enum actor_kind { ACTOR_NONE, ACTOR_STAFF, ACTOR_API_KEY, ACTOR_PATIENT };
enum staff_role { ROLE_NONE, ROLE_STAFF, ROLE_ADMIN, ROLE_OWNER };

struct actor {
	enum actor_kind kind;
	const char *clinic_id;
	const char *id;			/* staff, API key or patient id */
	const char *name;
	enum staff_role role;		/* staff only */
	const char *csrf_token;		/* staff and patient sessions */
	unsigned scopes;		/* API keys: SCOPE_* of db_clinic.h */
};

struct request {
	struct arena *arena;
	struct worker_ctx *ctx;

	const char *method;
	const char *path;		/* without the query string */
	const char *query;		/* "" when absent */
	const char *content_type;	/* "" when absent */
	const char *remote_addr;
	const char *request_id;
	/* Looks up any other FastCGI parameter (HTTP_COOKIE, ...). */
	const char *(*param)(const struct request *req, const char *name);
	void *param_ctx;		/* the FastCGI environment */

	const char *body;		/* NULL when the request has none */
	size_t body_len;
	struct json_object *json;	/* the parsed body, NULL when none */

	const struct route *route;
	struct route_params params;
	struct actor actor;
	struct portal_ctx *portal;	/* patient side, see portal_http.h */

	struct response resp;
};

/* Adds a response header; name and value must outlive the request (arena
 * or static). Silently ignored past HTTP_HEADERS__MAX, which is ours to
 * size, not the client's. */
void resp_header(struct request *req, const char *name, const char *value);

/* Answers obj serialized as application/json with the given status. Takes
 * the reference to obj. */
void resp_json(struct request *req, int status, struct json_object *obj);

/* Answers a static, preformatted body of the given type. */
void resp_raw(struct request *req, int status, const char *content_type,
    const char *body, size_t len);

/* The value of query parameter name, percent-decoded into the arena; NULL
 * when absent or not valid UTF-8. */
const char *req_query(struct request *req, const char *name);

/* True when the body is a JSON object; otherwise answers 422
 * validation_failed and returns false. */
bool req_json_object(struct request *req);

/* The value of cookie name from the Cookie header, in the arena; NULL
 * when absent. */
const char *req_cookie(struct request *req, const char *name);

/* A request header by its CGI name ("HTTP_X_CSRF_TOKEN"); NULL if absent. */
const char *req_header(struct request *req, const char *cgi_name);

/* The reason phrase for status ("Not Found"). */
const char *http_reason(int status);

#endif
