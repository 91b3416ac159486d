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
struct db_clinic;
struct problem_list;

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
/* ACTOR_SYSTEM: the server itself, on behalf of a clinic (a payment
 * provider's verified callback). */
enum actor_kind { ACTOR_NONE, ACTOR_STAFF, ACTOR_API_KEY, ACTOR_PATIENT,
	ACTOR_SYSTEM };
enum staff_role { ROLE_NONE, ROLE_STAFF, ROLE_ADMIN, ROLE_OWNER };

struct actor {
	enum actor_kind kind;
	const char *clinic_id;
	const char *id;			/* staff, API key or patient id */
	const char *name;
	enum staff_role role;		/* staff only */
	const char *csrf_token;		/* staff and patient sessions */
	unsigned scopes;		/* API keys: SCOPE_* of db_clinic.h */
	bool totp_enrol;		/* a session that may only enrol in TOTP */
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
	struct portal_ctx *portal;	/* portal and patient sides, see portal_http.h */
	const struct db_clinic *clinic;	/* the caller's clinic, once authenticated */
	struct problem_list *problems;	/* what the validation module found */
	bool problems_lost;		/* a problem found, but no memory to note it */
	/* The work commits even though the answer is an error: a wrong
	 * one-time code's spent try must count. */
	bool commit_on_error;
	/* A two-phase route's handler asks for its call_out and record steps
	 * (router.h) by setting this and answering nothing; what the steps
	 * share lives in phase_data (arena). */
	bool call_out;
	void *phase_data;

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

/* True when every name and value of the query string decodes to text
 * (no %00, no invalid UTF-8, no stray %); otherwise *why says what is
 * wrong (NULL when out of memory). The worker answers 400 bad_request
 * before any handler reads a value. */
bool req_query_check(struct request *req, const char **why);

/*
 * The one list envelope, {items, next_cursor}. list_page_json() builds it
 * from rows[0..n), each row_size bytes, fetched with limit + 1 so that n >
 * limit means there is more: items are item(row, ctx) of the first limit
 * rows, next_cursor is cursor_of(the last of them) or null. list_all_json()
 * wraps a whole list (next_cursor null) and takes the reference to items.
 * Both answer a new object, or NULL when out of memory (resp_json() then
 * answers 503).
 */
typedef struct json_object *(*list_item_fn)(const void *row, void *ctx);
typedef const char *(*list_cursor_fn)(const void *row);
struct json_object *list_page_json(const void *rows, size_t row_size, int n,
    int limit, list_item_fn item, void *ctx, list_cursor_fn cursor_of);
struct json_object *list_all_json(struct json_object *items);

/* True when the body is a JSON object; otherwise answers 422
 * validation_failed and returns false. */
bool req_json_object(struct request *req);

/* The value of cookie name from the Cookie header, in the arena; NULL
 * when absent. */
const char *req_cookie(struct request *req, const char *name);

/* Whether an If-Match header (NULL: none) lets a change of the resource
 * whose current entity tag is etag (quoted, "\"3\"") go ahead: absent,
 * "*", or a list (RFC 9110) naming etag, weak or strong. Malformed lists
 * match nothing. */
bool if_match_allows(const char *header, const char *etag);

/* A request header by its CGI name ("HTTP_X_CSRF_TOKEN"); NULL if absent. */
const char *req_header(struct request *req, const char *cgi_name);

/* The reason phrase for status ("Not Found"). */
const char *http_reason(int status);

#endif
