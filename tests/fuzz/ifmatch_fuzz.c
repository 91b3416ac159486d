/*
 * ifmatch_fuzz.c - if_match_allows() (http.h) over any If-Match header
 * and any entity tag ("tag\nheader"): it never reads past either; "*" and
 * a header that is exactly the tag (or W/ and the tag) allow; a header
 * that does not hold the tag's text anywhere refuses.
 */
#include "config.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	size_t rest_size;
	char *tag, *header, *weak;
	bool allowed;

	fuzz_split(data, size, &tag, &rest, &rest_size);
	header = fuzz_cstring(rest, rest_size);
	if (tag == NULL)
		tag = fuzz_cstring((const uint8_t *)"\"1\"", 3);
	allowed = if_match_allows(header, tag);
	if (strcmp(header, "*") == 0)
		FUZZ_CHECK(allowed);
	if (allowed && strcmp(header, "*") != 0 && strchr(header, '*') == NULL)
		FUZZ_CHECK(strstr(header, tag) != NULL);
	/* The tag itself, strong and weak, when it is a quoted tag. */
	if (tag[0] == '"' && strlen(tag) >= 2 && tag[strlen(tag) - 1] == '"' &&
	    strchr(tag + 1, '"') == tag + strlen(tag) - 1) {
		FUZZ_CHECK(if_match_allows(tag, tag));
		weak = malloc(strlen(tag) + 3);
		FUZZ_CHECK(weak != NULL);
		strcpy(weak, "W/");
		strcat(weak, tag);
		FUZZ_CHECK(if_match_allows(weak, tag));
		free(weak);
	}
	FUZZ_CHECK(if_match_allows(NULL, tag));
	free(tag);
	free(header);
	return 0;
}
