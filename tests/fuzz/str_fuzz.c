/*
 * str_fuzz.c - the string checks every parser leans on (str.h):
 * str_utf8_valid() against GLib's validator, str_utf8_length() against
 * GLib's count, str_is_uuid() and str_to_long() against their grammar.
 */
#include "config.h"

#include <ctype.h>

#include <glib.h>

#include "fuzz.h"
#include "str.h"

static bool
uuid_grammar(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	bool valid = str_utf8_valid(s, size);
	long v = 0;

	/* GLib also refuses NUL, overlong forms, surrogates and anything
	 * above U+10FFFF. */
	FUZZ_CHECK(valid == (bool)g_utf8_validate(s, (gssize)size, NULL));
	if (valid)
		FUZZ_CHECK(str_utf8_length(s) == (size_t)g_utf8_strlen(s, -1));
	FUZZ_CHECK(str_is_uuid(s) == uuid_grammar(s));
	if (str_to_long(s, -1000000, 1000000, &v)) {
		char *end;

		/* The whole text is the number, in range. */
		FUZZ_CHECK(v >= -1000000 && v <= 1000000);
		FUZZ_CHECK(*s != '\0' && !isspace((unsigned char)*s));
		FUZZ_CHECK(strtol(s, &end, 10) == v && *end == '\0');
	}
	free(s);
	return 0;
}
