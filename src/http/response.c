/*
 * response.c - building a response, reading the query string, reason
 * phrases (see http.h); answering a stored file through nginx
 * (response.h).
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "http.h"
#include "json_util.h"
#include "log.h"
#include "problem.h"
#include "response.h"
#include "str.h"

void
resp_header(struct request *req, const char *name, const char *value)
{
	struct response *r = &req->resp;

	if (name == NULL || value == NULL || r->header_count == HTTP_HEADERS__MAX)
		return;
	r->headers[r->header_count].name = name;
	r->headers[r->header_count].value = value;
	r->header_count++;
}

static const char unavailable_body[] =
    "{\"type\":\"urn:patient-portal:problem:unavailable\","
    "\"title\":\"Service unavailable\",\"status\":503,"
    "\"detail\":\"The server is short of memory; try again.\","
    "\"code\":\"unavailable\"}";

void
resp_raw(struct request *req, int status, const char *content_type,
    const char *body, size_t len)
{
	req->resp.status = status;
	req->resp.content_type = content_type;
	req->resp.body = body;
	req->resp.body_len = len;
}

void
resp_json(struct request *req, int status, struct json_object *obj)
{
	size_t len = 0;
	const char *body;

	if (obj == NULL) {
		resp_raw(req, 503, "application/problem+json", unavailable_body,
		    sizeof(unavailable_body) - 1);
		return;
	}
	body = json_to_arena(req->arena, obj, &len);
	json_object_put(obj);
	if (body == NULL) {
		resp_raw(req, 503, "application/problem+json", unavailable_body,
		    sizeof(unavailable_body) - 1);
		return;
	}
	resp_raw(req, status, "application/json", body, len);
}

/* ---- stored files (response.h) ---- */

/* The code point of the UTF-8 sequence at s (n bytes left), its length in
 * *len; -1 (and *len 1) for a byte that starts no valid sequence:
 * overlong forms, surrogates and values past U+10FFFF included. */
static long
utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	long cp;
	size_t need, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 1;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 2;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 3;
		cp = s[0] & 0x07;
	} else {
		return -1;
	}
	if (need >= n)
		return -1;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return -1;
	*len = need + 1;
	return cp;
}

/* Code points a file name loses: controls, and the bidirectional marks
 * and overrides that make "cod.exe" look like "exe.doc". */
static bool
name_drops(long cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
	    cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* RFC 5987 attr-char: sent as is in filename*; everything else is %XX. */
static bool
attr_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$&+-.^_`|~", c));
}

/* Appends the UTF-8 of cp to out. */
static size_t
utf8_put(char *out, long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The extension kept when a name is cut: the last '.' and what follows,
 * when that is 2 to 16 code points. */
#define NAME_EXT_MAX 16

const char *
resp_content_disposition(struct arena *a, enum resp_disposition disp,
    const char *file_name)
{
	const char *kind = disp == RESP_ATTACHMENT ? "attachment" : "inline";
	const unsigned char *s = (const unsigned char *)file_name;
	size_t n = file_name ? strlen(file_name) : 0, ncp = 0, first, last,
	    keep, ext = 0;
	long *cps;
	char *fallback, *encoded, *f, *e;

	if (n == 0)
		return kind;
	/* At most one code point per byte. */
	if ((cps = arena_calloc(a, n, sizeof(*cps))) == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t len;
		long cp = utf8_next(s + i, n - i, &len);

		i += len;
		if (cp < 0 || cp == '/' || cp == '\\')
			cp = '_';
		if (!name_drops(cp))
			cps[ncp++] = cp;
	}
	/* White space at either end (ASCII and no-break spaces). */
	for (first = 0; first < ncp && (cps[first] == ' ' ||
	    cps[first] == 0xA0); first++)
		;
	for (last = ncp; last > first && (cps[last - 1] == ' ' ||
	    cps[last - 1] == 0xA0); last--)
		;
	if (first == last)
		return kind;
	keep = last - first;
	if (keep > RESP_FILE_NAME_MAX) {
		for (size_t k = 2; k <= NAME_EXT_MAX; k++)
			if (cps[last - k] == '.') {
				ext = k;
				break;
			}
		/* The head, then the extension right after it. */
		memmove(cps + first + RESP_FILE_NAME_MAX - ext, cps + last - ext,
		    ext * sizeof(*cps));
		keep = RESP_FILE_NAME_MAX;
	}
	/* Each code point: at most 4 UTF-8 bytes, each at most 3 encoded. */
	fallback = arena_alloc(a, keep + 1);
	encoded = arena_alloc(a, keep * 12 + 1);
	if (fallback == NULL || encoded == NULL)
		return NULL;
	f = fallback;
	e = encoded;
	for (size_t i = first; i < first + keep; i++) {
		long cp = cps[i];
		char utf8[4];
		size_t len = utf8_put(utf8, cp);

		if (cp == '"')
			;			/* the fallback's quotes */
		else if (cp >= 0x80 || cp == ';')
			*f++ = '_';
		else
			*f++ = (char)cp;
		for (size_t j = 0; j < len; j++) {
			unsigned char c = (unsigned char)utf8[j];

			if (attr_char(c)) {
				*e++ = (char)c;
			} else {
				*e++ = '%';
				*e++ = "0123456789ABCDEF"[c >> 4];
				*e++ = "0123456789ABCDEF"[c & 15];
			}
		}
	}
	*f = '\0';
	*e = '\0';
	return arena_printf(a, "%s; filename=\"%s\"; filename*=UTF-8''%s", kind,
	    fallback, encoded);
}

/* A Content-Type of ours: lower-case type/subtype of token characters. */
static bool
plain_type(const char *t)
{
	static const char tok[] = "abcdefghijklmnopqrstuvwxyz0123456789"
	    "!#$&^_.+-";
	size_t a, b;

	if (t == NULL)
		return false;
	a = strspn(t, tok);
	if (a == 0 || t[a] != '/')
		return false;
	b = strspn(t + a + 1, tok);
	return b > 0 && t[a + 1 + b] == '\0';
}

/* A path the files directory holds: relative, no "..", no odd bytes. */
static bool
plain_rel(const char *rel)
{
	return rel != NULL && *rel != '\0' && *rel != '/' &&
	    strstr(rel, "..") == NULL && strstr(rel, "//") == NULL &&
	    strspn(rel, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/.-_") == strlen(rel);
}

void
resp_file(struct request *req, const char *rel, const char *type,
    enum resp_disposition disp, const char *file_name)
{
	const char *accel, *disposition;

	if (!plain_rel(rel)) {
		log_error("resp_file: refused to serve an odd path");
		problem_send(req, "unavailable", NULL);
		return;
	}
	accel = arena_printf(req->arena, "/_files/%s", rel);
	disposition = resp_content_disposition(req->arena, disp, file_name);
	if (accel == NULL || disposition == NULL) {
		problem_send(req, "unavailable", NULL);
		return;
	}
	/* nginx serves the file from its internal location and keeps these
	 * headers; the body here is empty. */
	resp_header(req, "X-Accel-Redirect", accel);
	resp_header(req, "Content-Disposition", disposition);
	resp_header(req, "Cache-Control", "private, no-store");
	resp_raw(req, 200, plain_type(type) ? arena_strdup(req->arena, type) :
	    "application/octet-stream", "", 0);
	if (req->resp.content_type == NULL)
		problem_send(req, "unavailable", NULL);
}

/* Decodes s[0..len) (percent escapes, '+' as space) into the arena. */
static char *
url_decode(struct arena *a, const char *s, size_t len)
{
	char *out = arena_alloc(a, len + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%' && i + 2 < len &&
		    str_hex_digit(s[i + 1]) >= 0 && str_hex_digit(s[i + 2]) >= 0) {
			*o++ = (char)(str_hex_digit(s[i + 1]) * 16 + str_hex_digit(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return str_utf8_valid(out, (size_t)(o - out)) ? out : NULL;
}

bool
req_query_check(struct request *req, const char **why)
{
	const char *p = req->query;

	/* Names and values alike: each decoded piece must be text. */
	while (*p != '\0') {
		size_t len = strcspn(p, "&=");

		for (size_t i = 0; i < len; i++)
			if (p[i] == '%' && (i + 2 >= len ||
			    str_hex_digit(p[i + 1]) < 0 || str_hex_digit(p[i + 2]) < 0)) {
				*why = "The query string has a % that is not "
				    "followed by two hexadecimal digits.";
				return false;
			}
		if (url_decode(req->arena, p, len) == NULL) {
			*why = "The query string holds %00 or bytes that are "
			    "not UTF-8.";
			return false;
		}
		p += len;
		if (*p != '\0')
			p++;
	}
	return true;
}

const char *
req_query(struct request *req, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = req->query;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=')
			return url_decode(req->arena, p + nlen + 1, len - nlen - 1);
		if (len == nlen && strncmp(p, name, nlen) == 0)
			return "";
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

struct json_object *
list_page_json(const void *rows, size_t row_size, int n, int limit,
    list_item_fn item, void *ctx, list_cursor_fn cursor_of)
{
	struct json_object *body = json_object_new_object(),
	    *items = json_object_new_array();
	const char *next = NULL;

	if (body == NULL || items == NULL)
		goto oom;
	for (int i = 0; i < n && i < limit; i++) {
		struct json_object *o = item((const char *)rows +
		    (size_t)i * row_size, ctx);

		if (o == NULL || json_object_array_add(items, o) != 0) {
			json_object_put(o);
			goto oom;
		}
	}
	if (n > limit && limit > 0 && cursor_of != NULL)
		next = cursor_of((const char *)rows +
		    (size_t)(limit - 1) * row_size);
	if (json_add(body, "items", items) != 0) {
		items = NULL;
		goto oom;
	}
	if (json_add_string(body, "next_cursor", next) != 0) {
		json_object_put(body);
		return NULL;
	}
	return body;
oom:
	json_object_put(body);
	json_object_put(items);
	return NULL;
}

struct json_object *
list_all_json(struct json_object *items)
{
	struct json_object *body;

	if (items == NULL || (body = json_object_new_object()) == NULL) {
		json_object_put(items);
		return NULL;
	}
	if (json_add(body, "items", items) != 0 ||
	    json_add(body, "next_cursor", NULL) != 0) {
		json_object_put(body);
		return NULL;
	}
	return body;
}

bool
req_json_object(struct request *req)
{
	struct problem_list *pl;

	if (req->json != NULL && json_object_is_type(req->json, json_type_object))
		return true;
	pl = problem_list_new(req);
	problem_list_add(pl, "", "The body must be a JSON object.");
	problem_list_send(req, pl, NULL);
	return false;
}

bool
if_match_allows(const char *header, const char *etag)
{
	const char *p = header;
	size_t want = strlen(etag);

	if (header == NULL)
		return true;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strcmp(p, "*") == 0)
		return true;
	/* 1#entity-tag: [W/]"opaque", separated by commas and white space.
	 * nginx weakens the tag when it compresses an answer, and a weak tag
	 * names the same version here (weak comparison). Anything malformed
	 * matches nothing. */
	for (;;) {
		const char *q;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return false;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
			return false;
		if ((size_t)(q - p + 1) == want && memcmp(p, etag, want) == 0)
			return true;
		p = q + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ',' && *p != '\0')
			return false;
	}
}

const char *
req_header(struct request *req, const char *cgi_name)
{
	return req->param(req, cgi_name);
}

const char *
req_cookie(struct request *req, const char *name)
{
	const char *p = req_header(req, "HTTP_COOKIE");
	size_t nlen = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *end;
		size_t len;

		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=')
			return arena_strndup(req->arena, p + nlen + 1,
			    len - nlen - 1);
		p = end;
	}
	return NULL;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}
