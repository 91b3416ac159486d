/*
 * worker.c - one worker process: accept a FastCGI request, turn it into a
 * struct request, check the body, route, call the handler, write the
 * response, log one line, reset the arena. Repeat until told to stop.
 *
 * Signals: SIGTERM (and SIGINT, SIGHUP) ask the worker to stop. They are
 * blocked while a request is handled, so a request in flight always
 * finishes; while waiting in accept() they interrupt it
 * (FCGI_FAIL_ACCEPT_ON_INTR) and the loop ends.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>
#include <sodium.h>

#include "arena.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "json_util.h"
#include "log.h"
#include "phone.h"
#include "photo.h"
#include "pipeline.h"
#include "problem.h"
#include "routes.h"
#include "server.h"
#include "str.h"

#define ARENA_CHUNK (64 * 1024)

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const char *
fcgi_param(const struct request *req, const char *name)
{
	return FCGX_GetParam(name, (FCGX_ParamArray)req->param_ctx);
}

static const char *
param_or_empty(FCGX_ParamArray envp, const char *name)
{
	const char *v = FCGX_GetParam(name, envp);

	return v != NULL ? v : "";
}

/* nginx's $request_id (32 hex digits) when present and sane, else ours. */
static const char *
request_id(struct arena *a, FCGX_ParamArray envp)
{
	const char *given = FCGX_GetParam("REQUEST_ID", envp);
	unsigned char raw[16];
	char *id;

	if (given != NULL) {
		size_t len = strlen(given);

		if (len > 0 && len <= REQUEST_ID_MAX &&
		    strspn(given, "0123456789abcdefABCDEF-") == len)
			return given;
	}
	id = arena_alloc(a, sizeof(raw) * 2 + 1);
	if (id == NULL)
		return "-";
	randombytes_buf(raw, sizeof(raw));
	str_hex(id, raw, sizeof(raw));
	return id;
}

/* True when the media type is application/json (parameters allowed). */
static bool
is_json_type(const char *content_type)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	return strncasecmp(content_type, want, n) == 0 &&
	    (content_type[n] == '\0' || content_type[n] == ';' ||
	    content_type[n] == ' ');
}

/*
 * Reads and checks the body: 413 over the limit (before reading a byte of
 * it), 415 when it is not JSON, 400 when it is not UTF-8 or not JSON or
 * nested too deeply. A route that takes a binary body (BODY_BINARY: an
 * upload) gets its bytes as they are, up to max_upload_bytes; the handler
 * checks what they are. Returns false when a problem was answered.
 */
static bool
read_body(struct request *req, FCGX_Request *fr)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	bool binary = req->route != NULL && req->route->body == BODY_BINARY;
	long max = binary ? req->ctx->conf->max_upload_bytes :
	    req->ctx->conf->max_body_bytes, length = 0;
	char *buf;
	const char *detail;
	int got;

	if (cl != NULL && *cl != '\0' && !str_to_long(cl, 0, LONG_MAX, &length)) {
		problem_send(req, "bad_request", "Content-Length is not a number.");
		return false;
	}
	if (length == 0)
		return true;
	if (length > max) {
		problem_send(req, "payload_too_large", arena_printf(req->arena,
		    "The body may be at most %ld bytes.", max));
		return false;
	}
	if (!binary && !is_json_type(req->content_type)) {
		problem_send(req, "unsupported_media_type",
		    "The body must be application/json.");
		return false;
	}
	buf = arena_alloc(req->arena, (size_t)length + 1);
	if (buf == NULL) {
		problem_send(req, "unavailable", NULL);
		return false;
	}
	got = FCGX_GetStr(buf, (int)length, fr->in);
	if (got != length) {
		problem_send(req, "bad_request", "The body is shorter than "
		    "its Content-Length.");
		return false;
	}
	req->body = buf;
	req->body_len = (size_t)length;
	if (binary)
		return true;
	switch (json_parse(req->arena, buf, (size_t)length,
	    (int)req->ctx->conf->json_max_depth, &req->json, &detail)) {
	case JSON_PARSE_OK:
		return true;
	case JSON_PARSE_NOMEM:
		problem_send(req, "unavailable", NULL);
		return false;
	case JSON_PARSE_UTF8:
	case JSON_PARSE_DEPTH:
	case JSON_PARSE_SYNTAX:
	case JSON_PARSE_TEXT:
		break;
	}
	problem_send(req, "bad_request", detail);
	return false;
}

static void
dispatch(struct request *req, FCGX_Request *fr)
{
	char allow[64], *buf;
	const char *why;
	enum route_match m;

	buf = arena_alloc(req->arena, strlen(req->path) + 1);
	if (buf == NULL) {
		problem_send(req, "unavailable", NULL);
		return;
	}
	m = router_match(routes, routes_count, req->method, req->path,
	    &req->route, &req->params, buf, allow, sizeof(allow));
	if (m == ROUTE_NOT_FOUND) {
		problem_send(req, "not_found", "No such resource.");
		return;
	}
	if (!read_body(req, fr))
		return;
	if (m == ROUTE_BAD_METHOD) {
		resp_header(req, "Allow", arena_strdup(req->arena, allow));
		problem_send(req, "method_not_allowed", arena_printf(req->arena,
		    "This resource accepts %s.", allow));
		return;
	}
	if (!req_query_check(req, &why)) {
		problem_send(req, why != NULL ? "bad_request" : "unavailable",
		    why);
		return;
	}
	pipeline_run(req);
}

static bool
has_header(const struct response *r, const char *name)
{
	for (size_t i = 0; i < r->header_count; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return true;
	return false;
}

/* Appends "Name: value\r\n" to the header block being built. */
static void
put_header(FCGX_Stream *out, const char *name, const char *value)
{
	FCGX_PutS(name, out);
	FCGX_PutS(": ", out);
	FCGX_PutS(value, out);
	FCGX_PutS("\r\n", out);
}

/* libfcgi's FCGX_FPrintF has its own, older format parser (no %zu), so
 * numbers are formatted here with snprintf. */
static void
write_response(struct request *req, FCGX_Request *fr)
{
	const struct response *r = &req->resp;
	char line[64];

	snprintf(line, sizeof(line), "%d %s", r->status, http_reason(r->status));
	put_header(fr->out, "Status", line);
	if (r->content_type != NULL)
		put_header(fr->out, "Content-Type", r->content_type);
	put_header(fr->out, "X-Request-Id", req->request_id);
	if (!has_header(r, "Cache-Control"))
		put_header(fr->out, "Cache-Control", "no-store");
	for (size_t i = 0; i < r->header_count; i++)
		put_header(fr->out, r->headers[i].name, r->headers[i].value);
	snprintf(line, sizeof(line), "%zu", r->body_len);
	put_header(fr->out, "Content-Length", line);
	FCGX_PutS("\r\n", fr->out);
	if (r->body_len > 0 && strcmp(req->method, "HEAD") != 0)
		FCGX_PutStr(r->body, (int)r->body_len, fr->out);
}

static double
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void
handle(FCGX_Request *fr, struct worker_ctx *ctx, struct arena *arena)
{
	struct request req;
	struct timespec start;
	const char *uri;
	size_t path_len;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(&req, 0, sizeof(req));
	req.arena = arena;
	req.ctx = ctx;
	req.param = fcgi_param;
	req.param_ctx = fr->envp;
	req.method = param_or_empty(fr->envp, "REQUEST_METHOD");
	req.content_type = param_or_empty(fr->envp, "CONTENT_TYPE");
	req.remote_addr = param_or_empty(fr->envp, "REMOTE_ADDR");
	req.request_id = request_id(arena, fr->envp);
	log_set_request_id(req.request_id);
	/* DOCUMENT_URI is nginx's normalised path; REQUEST_URI is raw. */
	uri = param_or_empty(fr->envp, "REQUEST_URI");
	path_len = strcspn(uri, "?");
	req.path = arena_strndup(arena, uri, path_len);
	req.query = uri[path_len] == '?' ? uri + path_len + 1 : "";
	if (req.path == NULL)
		problem_send(&req, "unavailable", NULL);
	else
		dispatch(&req, fr);
	write_response(&req, fr);
	log_request(req.method, req.route ? req.route->pattern : "-",
	    req.resp.status, elapsed_ms(&start));
	log_set_request_id(NULL);
}

static void
set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: accept() must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
}

int
worker_run(int listen_fd, const struct conf *conf)
{
	FCGX_Request fr;
	struct worker_ctx ctx;
	struct arena *arena;
	sigset_t stop_set;
	int status = 0;

	if (FCGX_Init() != 0 || sodium_init() < 0) {
		log_error("worker: library initialisation failed");
		return 1;
	}
	/* libvips starts here, after fork, in each worker; without it the
	 * worker still serves everything but photo uploads (503). */
	if (!photo_init())
		log_error("worker: photo uploads are unavailable");
	/* Sign-in's dummy password hash, made now so that the first unknown
	 * address costs no more than any other. */
	auth_init(conf);
	/* The numbering plans likewise, so that no request waits for them
	 * (they load on first use otherwise). */
	if (phone_init() != ERR_OK)
		log_error("worker: the phone numbering plans did not load yet");
	set_signals();
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGHUP);

	ctx.conf = conf;
	ctx.db = db_open(conf->database_url, conf->db_connect_timeout,
	    "portal-api");
	arena = arena_new(ARENA_CHUNK);
	if (ctx.db == NULL || arena == NULL ||
	    FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error("worker: out of memory at start");
		db_close(ctx.db);
		arena_free(arena);
		photo_shutdown();
		return 1;
	}
	log_info("worker ready");
	while (!stop_requested) {
		sigprocmask(SIG_UNBLOCK, &stop_set, NULL);
		if (stop_requested)
			break;
		if (FCGX_Accept_r(&fr) < 0) {
			if (stop_requested)
				break;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			log_error("worker: accept failed: %s", strerror(errno));
			status = 1;
			break;
		}
		sigprocmask(SIG_BLOCK, &stop_set, NULL);
		handle(&fr, &ctx, arena);
		FCGX_Finish_r(&fr);
		arena_reset(arena);
	}
	FCGX_Free(&fr, 0);
	auth_shutdown();
	db_close(ctx.db);
	arena_free(arena);
	photo_shutdown();
	log_info("worker stopped");
	return status;
}
