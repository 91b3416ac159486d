/* response_test.c - unit tests of response.h: the Content-Disposition of a
 * stored file (RFC 6266 with RFC 5987's filename*, and an ASCII fallback
 * that no name can break out of) and the headers resp_file() gives nginx.
 * What nginx adds (nosniff, the files' CSP) is tested through it
 * (tests/api/files_serving). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "response.h"

static int
setup_request(void **state)
{
	struct request *req = calloc(1, sizeof(*req));

	if (req == NULL)
		return -1;
	req->arena = arena_new(4096);
	if (req->arena == NULL) {
		free(req);
		return -1;
	}
	req->method = "GET";
	req->path = "/api/v1/test";
	req->query = "";
	req->content_type = "";
	*state = req;
	return 0;
}

static int
teardown_request(void **state)
{
	struct request *req = *state;

	arena_free(req->arena);
	free(req);
	return 0;
}

static const char *
header(const struct request *req, const char *name)
{
	for (size_t i = 0; i < req->resp.header_count; i++)
		if (strcmp(req->resp.headers[i].name, name) == 0)
			return req->resp.headers[i].value;
	return NULL;
}

/* No byte a header value must not hold, and no parameter beyond the two
 * filename ones. */
static void
assert_one_safe_header(const char *v)
{
	const char *p;
	int semicolons = 0;

	for (p = v; *p != '\0'; p++) {
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
		assert_true((unsigned char)*p < 0x80);
		if (*p == ';')
			semicolons++;
	}
	assert_true(semicolons <= 2);
}

static void
test_turkish_name(void **state)
{
	struct request *req = *state;
	const char *v = resp_content_disposition(req->arena, RESP_ATTACHMENT,
	    "Kontrol raporu ğüşiöç.pdf");

	assert_string_equal(v, "attachment; filename=\"Kontrol raporu ___i__.pdf\"; "
	    "filename*=UTF-8''Kontrol%20raporu%20%C4%9F%C3%BC%C5%9Fi%C3%B6%C3%A7.pdf");
	assert_one_safe_header(v);
	v = resp_content_disposition(req->arena, RESP_INLINE, "İĞNE ŞİŞ.jpg");
	assert_string_equal(v, "inline; filename=\"__NE ___.jpg\"; "
	    "filename*=UTF-8''%C4%B0%C4%9ENE%20%C5%9E%C4%B0%C5%9E.jpg");
}

static void
test_no_name(void **state)
{
	struct request *req = *state;

	assert_string_equal(resp_content_disposition(req->arena, RESP_INLINE,
	    NULL), "inline");
	assert_string_equal(resp_content_disposition(req->arena,
	    RESP_ATTACHMENT, ""), "attachment");
	/* Nothing left after cleaning: no name either. */
	assert_string_equal(resp_content_disposition(req->arena, RESP_INLINE,
	    " \r\n\t \xe2\x80\xae "), "inline");
}

static void
test_quotes_and_injection(void **state)
{
	struct request *req = *state;
	const char *v;

	/* Quotes and backslashes cannot close the quoted string; ';' cannot
	 * start a parameter even for a parser that ignores quoting. */
	v = resp_content_disposition(req->arena, RESP_ATTACHMENT,
	    "a\"; filename*=UTF-8''evil.html; x=\"\\.pdf");
	assert_string_equal(v, "attachment; filename=\"a_ filename*=UTF-8''evil.html_ "
	    "x=_.pdf\"; filename*=UTF-8''a%22%3B%20filename%2A%3DUTF-8%27%27evil.html"
	    "%3B%20x%3D%22_.pdf");
	assert_one_safe_header(v);
	/* attr-char is sent as is; everything else is escaped. */
	v = resp_content_disposition(req->arena, RESP_INLINE,
	    "A-z_0.9!#$&+^`|~ %'()*,/:<=>?@[]{}");
	assert_string_equal(v, "inline; filename=\"A-z_0.9!#$&+^`|~ %'()*,_:<=>?@[]{}\"; "
	    "filename*=UTF-8''A-z_0.9!#$&+^`|~%20%25%27%28%29%2A%2C_%3A%3C%3D%3E%3F%40"
	    "%5B%5D%7B%7D");
}

static void
test_cr_lf_and_controls(void **state)
{
	struct request *req = *state;
	const char *v;

	v = resp_content_disposition(req->arena, RESP_ATTACHMENT,
	    "rapor\r\nSet-Cookie: x=1\r\n\r\n.pdf");
	assert_string_equal(v, "attachment; filename=\"raporSet-Cookie: x=1.pdf\"; "
	    "filename*=UTF-8''raporSet-Cookie%3A%20x%3D1.pdf");
	assert_one_safe_header(v);
	/* Bidirectional overrides ("cod.exe" shown as "exe.doc") and C1
	 * controls go; an invalid byte and a path separator become '_'. */
	v = resp_content_disposition(req->arena, RESP_INLINE,
	    "x\xe2\x80\xae" "cod.exe\xc2\x85/..\\y\xff.pdf");
	assert_string_equal(v, "inline; filename=\"xcod.exe_.._y_.pdf\"; "
	    "filename*=UTF-8''xcod.exe_.._y_.pdf");
	/* Overlong and surrogate forms are invalid bytes, each one '_'. */
	v = resp_content_disposition(req->arena, RESP_INLINE,
	    "\xc0\xae\xed\xa0\x80.txt");
	assert_string_equal(v, "inline; filename=\"_____.txt\"; "
	    "filename*=UTF-8''_____.txt");
}

static void
test_long_name_keeps_its_extension(void **state)
{
	struct request *req = *state;
	char name[4000], *p = name;
	const char *v, *fallback, *end;

	/* 1000 'ş' (2 bytes each) and ".pdf". */
	for (int i = 0; i < 1000; i++) {
		*p++ = '\xc5';
		*p++ = '\x9f';
	}
	strcpy(p, ".pdf");
	v = resp_content_disposition(req->arena, RESP_ATTACHMENT, name);
	assert_non_null(v);
	assert_one_safe_header(v);
	fallback = strstr(v, "filename=\"") + strlen("filename=\"");
	end = strchr(fallback, '"');
	/* 251 '_' and ".pdf": RESP_FILE_NAME_MAX code points. */
	assert_int_equal(end - fallback, RESP_FILE_NAME_MAX);
	assert_memory_equal(end - 4, ".pdf", 4);
	/* 251 x "%C5%9F" and ".pdf". */
	assert_int_equal(strlen(strstr(v, "UTF-8''") + 7), 251 * 6 + 4);
	assert_string_equal(v + strlen(v) - 10, "%C5%9F.pdf");
	/* Well under what nginx takes in an upstream's headers (4 KiB). */
	assert_true(strlen(v) < 2048);
	/* Without an extension it is cut all the same. */
	memset(name, 'a', 3000);
	name[3000] = '\0';
	v = resp_content_disposition(req->arena, RESP_INLINE, name);
	assert_int_equal(strlen(strstr(v, "UTF-8''") + 7), RESP_FILE_NAME_MAX);
}

static void
test_resp_file_headers(void **state)
{
	struct request *req = *state;
	const char *rel = "files/0b6f3c1e-2a4d-4c1b-9e8f-1234567890ab/ab/"
	    "ab34567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";

	resp_file(req, rel, "application/pdf", RESP_ATTACHMENT,
	    "Kontrol raporu ğüşiöç.pdf");
	assert_int_equal(req->resp.status, 200);
	assert_string_equal(req->resp.content_type, "application/pdf");
	assert_int_equal(req->resp.body_len, 0);
	assert_string_equal(header(req, "X-Accel-Redirect"),
	    "/_files/files/0b6f3c1e-2a4d-4c1b-9e8f-1234567890ab/ab/"
	    "ab34567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef");
	assert_string_equal(header(req, "Cache-Control"), "private, no-store");
	assert_string_equal(header(req, "Content-Disposition"),
	    "attachment; filename=\"Kontrol raporu ___i__.pdf\"; "
	    "filename*=UTF-8''Kontrol%20raporu%20%C4%9F%C3%BC%C5%9Fi%C3%B6%C3%A7.pdf");
}

static void
test_resp_file_odd_type_and_path(void **state)
{
	struct request *req = *state;

	/* A type that is not a plain type/subtype is not passed on. */
	resp_file(req, "photos/x/ab/cd.jpg", "text/html\r\nX-Evil: 1",
	    RESP_INLINE, NULL);
	assert_string_equal(req->resp.content_type, "application/octet-stream");
	assert_string_equal(header(req, "Content-Disposition"), "inline");
	memset(&req->resp, 0, sizeof(req->resp));
	resp_file(req, "photos/x/ab/cd.jpg", NULL, RESP_INLINE, NULL);
	assert_string_equal(req->resp.content_type, "application/octet-stream");
	/* A path out of the files directory is never sent to nginx. */
	memset(&req->resp, 0, sizeof(req->resp));
	resp_file(req, "../etc/passwd", "text/plain", RESP_INLINE, NULL);
	assert_int_equal(req->resp.status, 503);
	assert_null(header(req, "X-Accel-Redirect"));
	memset(&req->resp, 0, sizeof(req->resp));
	resp_file(req, "/etc/passwd", "text/plain", RESP_INLINE, NULL);
	assert_int_equal(req->resp.status, 503);
	memset(&req->resp, 0, sizeof(req->resp));
	resp_file(req, "files/a b", "text/plain", RESP_INLINE, NULL);
	assert_int_equal(req->resp.status, 503);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_turkish_name, setup_request,
		    teardown_request),
		cmocka_unit_test_setup_teardown(test_no_name, setup_request,
		    teardown_request),
		cmocka_unit_test_setup_teardown(test_quotes_and_injection,
		    setup_request, teardown_request),
		cmocka_unit_test_setup_teardown(test_cr_lf_and_controls,
		    setup_request, teardown_request),
		cmocka_unit_test_setup_teardown(test_long_name_keeps_its_extension,
		    setup_request, teardown_request),
		cmocka_unit_test_setup_teardown(test_resp_file_headers,
		    setup_request, teardown_request),
		cmocka_unit_test_setup_teardown(test_resp_file_odd_type_and_path,
		    setup_request, teardown_request),
	};

	return cmocka_run_group_tests_name("response", tests, NULL, NULL);
}
