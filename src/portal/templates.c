/*
 * templates.c - placeholders of message templates and the measure of an
 * SMS (see templates.h).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "templates.h"

static const char *const placeholder_names[PH__MAX] = {
	[PH_CODE] = "code",
	[PH_PORTAL_URL] = "portal_url",
	[PH_PATIENT_FIRST_NAME] = "patient_first_name",
	[PH_CLINIC_NAME] = "clinic_name",
	[PH_OTP] = "otp",
	[PH_APPOINTMENT_START] = "appointment_start",
	[PH_PRACTITIONER_NAME] = "practitioner_name",
	[PH_APPOINTMENT_TYPE] = "appointment_type",
};

const char *
tpl_placeholder_name(enum tpl_placeholder p)
{
	return (unsigned)p < PH__MAX ? placeholder_names[p] : "";
}

/* The placeholder named by s[0..len), or -1. */
static int
placeholder_find(const char *s, size_t len)
{
	for (int p = 0; p < PH__MAX; p++)
		if (strlen(placeholder_names[p]) == len &&
		    memcmp(placeholder_names[p], s, len) == 0)
			return p;
	return -1;
}

bool
tpl_scan(struct arena *a, const char *text, unsigned *found, const char **bad)
{
	const char *p = text;

	*found = 0;
	*bad = NULL;
	while ((p = strstr(p, "{{")) != NULL) {
		const char *close = strstr(p + 2, "}}");
		int ph;

		if (close == NULL) {
			*bad = arena_strndup(a, p, strnlen(p, 24));
			return false;
		}
		ph = placeholder_find(p + 2, (size_t)(close - p - 2));
		if (ph < 0) {
			size_t len = (size_t)(close - p) + 2;

			*bad = arena_strndup(a, p, len < 64 ? len : 64);
			return false;
		}
		*found |= PH_BIT(ph);
		p = close + 2;
	}
	return true;
}

/* Writes text rendered into out (when not NULL); returns its length. */
static size_t
render(const char *text, const struct tpl_values *v, char *out)
{
	size_t n = 0;

	for (const char *p = text; *p;) {
		const char *close;
		int ph;

		if (p[0] == '{' && p[1] == '{' && (close = strstr(p + 2, "}}")) != NULL &&
		    (ph = placeholder_find(p + 2, (size_t)(close - p - 2))) >= 0) {
			const char *value = v->values[ph] ? v->values[ph] : "";
			size_t len = strlen(value);

			if (out != NULL)
				memcpy(out + n, value, len);
			n += len;
			p = close + 2;
			continue;
		}
		if (out != NULL)
			out[n] = *p;
		n++;
		p++;
	}
	return n;
}

char *
tpl_render(struct arena *a, const char *text, const struct tpl_values *v)
{
	size_t len = render(text, v, NULL);
	char *out = arena_alloc(a, len + 1);

	if (out == NULL)
		return NULL;
	render(text, v, out);
	out[len] = '\0';
	return out;
}

/* GSM 03.38 basic alphabet, as Unicode code points (0x1b, the escape,
 * excluded). */
static const uint16_t gsm_basic[] = {
	'@', 0xa3, '$', 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, '\n', 0xd8,
	0xf8, '\r', 0xc5, 0xe5, 0x394, '_', 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0,
	0x3a8, 0x3a3, 0x398, 0x39e, 0xc6, 0xe6, 0xdf, 0xc9, ' ', '!', '"', '#',
	0xa4, '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', ':', ';',
	'<', '=', '>', '?', 0xa1, 0xc4, 0xd6, 0xd1, 0xdc, 0xa7, 0xbf, 0xe4,
	0xf6, 0xf1, 0xfc, 0xe0,
};

/* The extension table: each costs an escape and itself. */
static const uint16_t gsm_extension[] = {
	'\f', '^', '{', '}', '\\', '[', '~', ']', '|', 0x20ac,
};

static bool
in_table(const uint16_t *table, size_t n, uint32_t cp)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] == cp)
			return true;
	return false;
}

/* Decodes one code point of valid UTF-8 at *s, advancing it. */
static uint32_t
next_code_point(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t cp;
	int extra;

	if (p[0] < 0x80) {
		cp = p[0];
		extra = 0;
	} else if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1f;
		extra = 1;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0f;
		extra = 2;
	} else {
		cp = p[0] & 0x07;
		extra = 3;
	}
	p++;
	for (int i = 0; i < extra && (*p & 0xc0) == 0x80; i++)
		cp = (cp << 6) | (*p++ & 0x3f);
	*s = p;
	return cp;
}

void
sms_measure(const char *utf8, struct sms_info *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t gsm_units = 0, ucs2_units = 0;
	bool gsm7 = true;

	while (*s) {
		uint32_t cp = next_code_point(&s);

		ucs2_units += cp > 0xffff ? 2 : 1;
		if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= '0' && cp <= '9') ||
		    in_table(gsm_basic, sizeof(gsm_basic) / sizeof(*gsm_basic), cp))
			gsm_units += 1;
		else if (in_table(gsm_extension,
		    sizeof(gsm_extension) / sizeof(*gsm_extension), cp))
			gsm_units += 2;
		else
			gsm7 = false;
	}
	out->gsm7 = gsm7;
	out->units = gsm7 ? gsm_units : ucs2_units;
	if (out->units == 0)
		out->segments = 0;
	else if (gsm7)
		out->segments = out->units <= 160 ? 1 : (out->units + 152) / 153;
	else
		out->segments = out->units <= 70 ? 1 : (out->units + 66) / 67;
}
