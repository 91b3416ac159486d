/* contacts.c - phone numbers to E.164, email checks (see contacts.h). */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "contacts.h"

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

bool
contact_phone_e164(const char *text, const char *country, char *out)
{
	char digits[32];
	size_t n = 0;
	bool plus = false;

	for (const char *p = text; *p; p++) {
		/* "+44 (0)20 ...": the (0) is the national trunk prefix,
		 * which an international number leaves out. */
		if (plus && strncmp(p, "(0)", 3) == 0) {
			p += 2;
			continue;
		}
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof(digits))
				return false;
			digits[n++] = *p;
		} else if (*p == '+' && n == 0 && !plus) {
			plus = true;
		} else if (strchr("-(). ", *p) == NULL) {
			return false;
		}
	}
	digits[n] = '\0';
	if (!plus && n > 2 && digits[0] == '0' && digits[1] == '0') {
		/* 00 is the international prefix. */
		memmove(digits, digits + 2, n - 1);
		n -= 2;
		plus = true;
	}
	if (!plus) {
		if (country == NULL || strcmp(country, "TR") != 0)
			return false;
		/* Turkey: 0 + 10 digits, or the 10 digits alone. */
		if (n == 11 && digits[0] == '0') {
			memmove(digits, digits + 1, n);
			n--;
		}
		if (n != 10 || digits[0] == '0')
			return false;
		memmove(digits + 2, digits, n + 1);
		digits[0] = '9';
		digits[1] = '0';
		n += 2;
	}
	if (n < 7 || n > 15 || digits[0] == '0')
		return false;
	out[0] = '+';
	memcpy(out + 1, digits, n + 1);
	return true;
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
