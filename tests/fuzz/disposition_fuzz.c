/*
 * disposition_fuzz.c - resp_content_disposition() (response.h) over any
 * file name ("<byte>name": the first byte's low bit picks attachment over
 * inline): the value is printable ASCII without a CR, LF or NUL; it is
 * "inline" or "attachment", alone or with exactly the two filename
 * parameters; the fallback holds no quote or backslash, and filename*
 * only attr-char and %XX, decoding to UTF-8 of at most RESP_FILE_NAME_MAX
 * code points, as many as the fallback has characters. resp_file() sends
 * the same value.
 */
#include "config.h"

#include "fuzz.h"
#include "response.h"
#include "str.h"

static bool
attr_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$&+-.^_`|~", c));
}

static int
hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	enum resp_disposition disp;
	const char *v, *kind, *p, *fb, *fb_end, *enc;
	char *name, *decoded, *d;
	size_t fb_len, cps = 0;
	struct request req;

	if (size == 0)
		return 0;
	disp = (data[0] & 1) ? RESP_ATTACHMENT : RESP_INLINE;
	kind = disp == RESP_ATTACHMENT ? "attachment" : "inline";
	name = fuzz_cstring(data + 1, size - 1);
	a = arena_new(4096);
	FUZZ_CHECK(a != NULL);
	v = resp_content_disposition(a, disp, name);
	FUZZ_CHECK(v != NULL);
	for (p = v; *p != '\0'; p++)
		FUZZ_CHECK(*p >= 0x20 && *p <= 0x7e);
	FUZZ_CHECK(strncmp(v, kind, strlen(kind)) == 0);
	p = v + strlen(kind);
	if (*p != '\0') {
		FUZZ_CHECK(strncmp(p, "; filename=\"", 12) == 0);
		fb = p + 12;
		fb_end = strchr(fb, '"');
		FUZZ_CHECK(fb_end != NULL);
		fb_len = (size_t)(fb_end - fb);
		for (p = fb; p < fb_end; p++)
			FUZZ_CHECK(*p != '\\' && *p != ';');
		FUZZ_CHECK(strncmp(fb_end, "\"; filename*=UTF-8''", 20) == 0);
		enc = fb_end + 20;
		decoded = arena_alloc(a, strlen(enc) + 1);
		FUZZ_CHECK(decoded != NULL);
		for (p = enc, d = decoded; *p != '\0';) {
			if (*p == '%') {
				FUZZ_CHECK(hex(p[1]) >= 0 && hex(p[2]) >= 0);
				*d++ = (char)(hex(p[1]) * 16 + hex(p[2]));
				p += 3;
			} else {
				FUZZ_CHECK(attr_char(*p));
				*d++ = *p++;
			}
		}
		*d = '\0';
		FUZZ_CHECK(str_utf8_valid(decoded, (size_t)(d - decoded)));
		FUZZ_CHECK(strlen(decoded) == (size_t)(d - decoded));
		for (p = decoded; *p != '\0'; p++)
			if (((unsigned char)*p & 0xC0) != 0x80)
				cps++;
		FUZZ_CHECK(cps >= 1 && cps <= RESP_FILE_NAME_MAX);
		/* One fallback character per code point, but the quotes it
		 * drops. */
		FUZZ_CHECK(fb_len <= cps);
	}
	/* resp_file() answers with the same value. */
	memset(&req, 0, sizeof(req));
	req.arena = a;
	resp_file(&req, "files/x/ab/cd", "application/pdf", disp, name);
	FUZZ_CHECK(req.resp.status == 200);
	for (size_t i = 0; i < req.resp.header_count; i++)
		if (strcmp(req.resp.headers[i].name, "Content-Disposition") == 0)
			FUZZ_CHECK(strcmp(req.resp.headers[i].value, v) == 0);
	arena_free(a);
	free(name);
	return 0;
}
