/*
 * contacts_fuzz.c - contact_phone_e164(), contact_phone_sms_capable(),
 * contact_email_valid() and contact_looks_like_phone() (contacts.h), and
 * through them the libphonenumber shim (phone.h), over any text a patient
 * may type. A phone number read is E.164 ('+', then 7 to 15 digits, the
 * first not 0), and reading it again gives itself, whatever the country,
 * and the same answer whether it takes an SMS; a text refused leaves the
 * output alone; an email address accepted has one '@' and nothing below a
 * space.
 */
#include "config.h"

#include <ctype.h>

#include "contacts.h"
#include "fuzz.h"

static void
check_e164(const char *text, const char *country)
{
	char out[PHONE_E164_MAX + 1], again[PHONE_E164_MAX + 1];
	size_t n;

	memset(out, 0x5a, sizeof(out));
	if (!contact_phone_e164(text, country, out)) {
		for (size_t i = 0; i < sizeof(out); i++)
			FUZZ_CHECK(out[i] == 0x5a);
		return;
	}
	n = strnlen(out, sizeof(out));
	FUZZ_CHECK(n < sizeof(out));
	FUZZ_CHECK(n >= 8 && n <= PHONE_E164_MAX && out[0] == '+');
	FUZZ_CHECK(out[1] != '0');
	for (size_t i = 1; i < n; i++)
		FUZZ_CHECK(isdigit((unsigned char)out[i]));
	FUZZ_CHECK(contact_phone_e164(out, NULL, again));
	FUZZ_CHECK(strcmp(out, again) == 0);
	FUZZ_CHECK(contact_phone_sms_capable(out) ==
	    contact_phone_sms_capable(again));
	FUZZ_CHECK(contact_looks_like_phone(out));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);

	check_e164(text, "TR");
	check_e164(text, "DE");
	check_e164(text, NULL);
	if (contact_email_valid(text)) {
		const char *at = strchr(text, '@');
		size_t len = strlen(text);

		FUZZ_CHECK(at != NULL && at > text && strchr(at + 1, '@') == NULL);
		FUZZ_CHECK(len >= 3 && len <= 254);
		for (const char *p = text; *p; p++)
			FUZZ_CHECK((unsigned char)*p > ' ' && *p != 0x7f);
	}
	(void)contact_looks_like_phone(text);
	/* Anything at all, E.164 or not, is asked without harm. */
	(void)contact_phone_sms_capable(text);
	free(text);
	return 0;
}
