/*
 * totp_fuzz.c - what a sign-in's second step reads from outside
 * (totp.h): a code checked against a secret, and a recovery code
 * normalised. A code matches only when six digits (and spaces); a
 * normalised recovery code is 16 characters of the alphabet, and
 * normalising it again gives itself.
 */
#include "config.h"

#include <ctype.h>

#include "fuzz.h"
#include "totp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[] = "12345678901234567890";
	char *text = fuzz_cstring(data, size);
	char normal[TOTP_RECOVERY_CHARS], again[TOTP_RECOVERY_CHARS];
	long long step;

	step = totp_match(key, 20, text, 1234567890, -1);
	if (step >= 0) {
		FUZZ_CHECK(totp_code_shaped(text));
		FUZZ_CHECK(step >= 1234567890 / 30 - 1 &&
		    step <= 1234567890 / 30 + 1);
	}
	if (totp_recovery_normal(text, normal)) {
		FUZZ_CHECK(strlen(normal) == 16);
		for (size_t i = 0; i < 16; i++)
			FUZZ_CHECK(isdigit((unsigned char)normal[i]) ||
			    isupper((unsigned char)normal[i]));
		FUZZ_CHECK(totp_recovery_normal(normal, again));
		FUZZ_CHECK(strcmp(normal, again) == 0);
	}
	free(text);
	return 0;
}
