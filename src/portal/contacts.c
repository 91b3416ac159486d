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

static bool
sms_capable_type(enum phone_type type)
{
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

/*
 * The verdicts of the numbers asked about last, by their text (a slot
 * each, by a hash; about 80 KiB): every patient request asks about the
 * patient's phone (access_facts_of()), and reading a number with
 * libphonenumber cost about a fifth of a worker's time on GET me (perf).
 * The answer depends on the number alone (the numbering plans are built
 * in), so a verdict kept is exact.
 */
#define SMS_VERDICTS__MAX 4096

static struct {
	char e164[PHONE_E164_MAX + 1];	/* "" when the slot is free */
	bool capable;
} sms_verdicts[SMS_VERDICTS__MAX];

bool
contact_phone_sms_capable(const char *e164)
{
	char again[PHONE_E164_MAX + 1];
	enum phone_type type;
	unsigned h = 2166136261u;
	size_t len, slot;
	bool capable;

	if (e164 == NULL || e164[0] != '+' ||
	    (len = strlen(e164)) > PHONE_E164_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)e164[i]) * 16777619u;
	slot = h % SMS_VERDICTS__MAX;
	if (strcmp(sms_verdicts[slot].e164, e164) == 0)
		return sms_verdicts[slot].capable;
	switch (phone_parse(e164, NULL, again, &type)) {
	case ERR_OK:
		capable = sms_capable_type(type);
		break;
	case ERR_INVALID:
		capable = false;
		break;
	default:
		return false;	/* out of memory: no verdict to keep */
	}
	memcpy(sms_verdicts[slot].e164, e164, len + 1);
	sms_verdicts[slot].capable = capable;
	return capable;
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
