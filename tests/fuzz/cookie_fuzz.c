/*
 * cookie_fuzz.c - req_cookie() (http.h) over any Cookie header, asked for
 * the two session cookies and for a name of the input's own
 * ("name\nheader"). An answer is NULL or a piece of the header without
 * ';', in the arena; a header with no "name=" has no answer.
 */
#include "config.h"

#include "fuzz.h"

static void
ask(struct request *req, const char *name, const char *header)
{
	const char *v = req_cookie(req, name);
	char *pair;

	if (v == NULL)
		return;
	FUZZ_CHECK(strchr(v, ';') == NULL);
	/* "name=value" is in the header as it came. */
	pair = malloc(strlen(name) + strlen(v) + 2);
	FUZZ_CHECK(pair != NULL);
	sprintf(pair, "%s=%s", name, v);
	FUZZ_CHECK(strstr(header, pair) != NULL);
	free(pair);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_params params = { { "HTTP_COOKIE" }, { NULL } };
	struct request req;
	const uint8_t *rest;
	size_t rest_size;
	char *name, *header;

	fuzz_split(data, size, &name, &rest, &rest_size);
	header = fuzz_cstring(rest, rest_size);
	params.values[0] = header;
	fuzz_request(&req, "", &params);
	ask(&req, "portal_staff", header);
	ask(&req, "portal_patient", header);
	if (name != NULL)
		ask(&req, name, header);
	arena_free(req.arena);
	free(header);
	free(name);
	return 0;
}
