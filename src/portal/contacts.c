/*
 * contacts.c - phone numbers as patients and staff type them, to E.164,
 * and whether one can take an SMS; email checks (see contacts.h). The
 * numbering plans are libphonenumber's, asked through phone.h.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "contacts.h"
#include "phone.h"

bool
contact_looks_like_phone(const char *text)
{
	size_t digits = 0;

	for (const char *p = text; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (strchr("+-(). ", *p) == NULL)
			return false;
	}
	return digits >= 4;
}

/*
 * True when text has only the characters a phone number is typed with
 * here (digits, spaces, "+-()./": "030/1234567" is how Germans write
 * one), and a '+' only once, before every
 * digit. libphonenumber itself is lenient: it would read "tel:...",
 * letters ("0800 FLOWERS"), an extension or a number cut out of a
 * sentence; a patient's phone field takes none of them.
 */
static bool
typed_like_phone(const char *text)
{
	bool digits = false, plus = false;

	for (const char *p = text; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			digits = true;
		} else if (*p == '+') {
			if (plus || digits)
				return false;
			plus = true;
		} else if (strchr("-()./ ", *p) == NULL) {
			return false;
		}
	}
	return digits;
}

bool
contact_phone_e164(const char *text, const char *country, char *out)
{
	char e164[PHONE_E164_MAX + 1];
	size_t len;

	if (!typed_like_phone(text) ||
	    phone_parse(text, country, e164, NULL) != ERR_OK)
		return false;
	/* A few plans have valid numbers of fewer than 7 digits (Germany's
	 * pagers: "1640"); the schema keeps 7 to 15, as E.164 subscribers
	 * have them, and so does this. */
	len = strlen(e164);
	if (len < PHONE_E164_MIN)
		return false;
	memcpy(out, e164, len + 1);
	return true;
}

bool
contact_phone_sms_capable(const char *e164)
{
	char again[PHONE_E164_MAX + 1];
	enum phone_type type;

	if (e164 == NULL || e164[0] != '+' ||
	    phone_parse(e164, NULL, again, &type) != ERR_OK)
		return false;
	switch (type) {
	case PHONE_MOBILE:
	case PHONE_FIXED_LINE_OR_MOBILE:
	case PHONE_PERSONAL_NUMBER:
		return true;
	case PHONE_FIXED_LINE:
	case PHONE_TOLL_FREE:
	case PHONE_PREMIUM_RATE:
	case PHONE_SHARED_COST:
	case PHONE_VOIP:
	case PHONE_PAGER:
	case PHONE_UAN:
	case PHONE_VOICEMAIL:
	case PHONE_UNKNOWN:
	case PHONE_TYPE__MAX:
		break;
	}
	return false;
}

bool
contact_email_valid(const char *text)
{
	const char *at = strchr(text, '@'), *dot;
	size_t len = strlen(text);

	if (len < 3 || len > 254 || at == NULL || at == text ||
	    strchr(at + 1, '@') != NULL)
		return false;
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	/* The domain: dotted labels, none of them empty. */
	if (at[1] == '.' || strstr(at, "..") != NULL)
		return false;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}
