/*
 * json_fuzz.c - json_parse() (json_util.h) over any bytes, as a request
 * body: at the default depth (32) and at the smallest the config allows
 * (2). Accepted bodies must come back out of json-c as JSON we accept
 * again, unchanged by a second round; refused ones must say why.
 */
#include "config.h"

#include <json-c/json.h>

#include "fuzz.h"
#include "json_util.h"

static void
parse(const char *body, size_t len, int max_depth)
{
	struct arena *a = arena_new(4096);
	struct json_object *obj = NULL, *again = NULL;
	const char *detail = NULL, *text, *text_again;
	size_t text_len = 0, again_len = 0;
	enum json_parse_err err;

	FUZZ_CHECK(a != NULL);
	err = json_parse(a, body, len, max_depth, &obj, &detail);
	if (err != JSON_PARSE_OK) {
		/* On failure *out is NULL and detail says what. */
		FUZZ_CHECK(obj == NULL);
		FUZZ_CHECK(detail != NULL && *detail != '\0');
		arena_free(a);
		return;
	}
	if (obj == NULL) {	/* a top-level null */
		arena_free(a);
		return;
	}
	/* What we accepted, written by json-c, is JSON we accept again, at
	 * the same depth, and a second round changes nothing. */
	text = json_to_arena(a, obj, &text_len);
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(json_parse(a, text, text_len, max_depth, &again,
	    &detail) == JSON_PARSE_OK);
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(json_object_get_type(again) == json_object_get_type(obj));
	text_again = json_to_arena(a, again, &again_len);
	FUZZ_CHECK(text_again != NULL);
	FUZZ_CHECK(again_len == text_len && memcmp(text, text_again,
	    text_len) == 0);
	arena_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The worker hands json_parse() the body as read, not terminated;
	 * an exact-size copy lets AddressSanitizer see a read past it. */
	char *body = malloc(size > 0 ? size : 1);

	FUZZ_CHECK(body != NULL);
	if (size > 0)
		memcpy(body, data, size);
	parse(body, size, 32);
	parse(body, size, 2);
	free(body);
	return 0;
}
