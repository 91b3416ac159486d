/*
 * resp_file_interim.c - INTERIM placeholder of resp_file() (doc-plan.md:
 * src/http/response.c, owner the store helper) so that the documents
 * feature runs before it lands; dropped at merge.
 */
#include "config.h"

#include <string.h>

#include "arena.h"
#include "http.h"
#include "resp_file_interim.h"

/* The file name as RFC 6266 wants it: an ASCII fallback (non-ASCII,
 * quotes, backslashes and controls as '_') and the UTF-8 name
 * percent-encoded (RFC 5987 attr-char kept). */
static const char *
disposition(struct arena *a, enum resp_disposition disp, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *kind = disp == RESP_ATTACHMENT ? "attachment" : "inline";
	size_t n;
	char *ascii, *pct, *p;

	if (name == NULL || *name == '\0')
		return kind;
	n = strlen(name);
	if ((ascii = arena_alloc(a, n + 1)) == NULL ||
	    (pct = arena_alloc(a, 3 * n + 1)) == NULL)
		return kind;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		ascii[i] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ?
		    '_' : (char)c;
	}
	ascii[n] = '\0';
	p = pct;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c) != NULL) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return arena_printf(a, "%s; filename=\"%s\"; filename*=UTF-8''%s", kind,
	    ascii, pct);
}

void
resp_file(struct request *req, const char *rel, const char *type,
    enum resp_disposition disp, const char *file_name)
{
	resp_header(req, "X-Accel-Redirect", arena_printf(req->arena,
	    "/_files/%s", rel));
	resp_header(req, "Content-Disposition", disposition(req->arena, disp,
	    file_name));
	resp_header(req, "Cache-Control", "private, no-store");
	resp_raw(req, 200, arena_strdup(req->arena, type), "", 0);
}
