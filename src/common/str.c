/* str.c - string helpers (see str.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

bool
str_utf8_valid(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned long cp;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

char *
str_trim(char *s)
{
	char *start = s, *end;
	size_t len;

	/* One pass each way and one move: a string of a million spaces costs
	 * a million steps, not a million moves. */
	while (*start && isspace((unsigned char)*start))
		start++;
	len = strlen(start);
	end = start + len;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	len = (size_t)(end - start);
	if (start != s)
		memmove(s, start, len);
	s[len] = '\0';
	return s;
}

/* The code point at s (valid UTF-8) and its length in bytes. */
static unsigned long
utf8_next(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if (s[0] < 0xe0) {
		*n = 2;
		return ((unsigned long)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if (s[0] < 0xf0) {
		*n = 3;
		return ((unsigned long)(s[0] & 0x0f) << 12) |
		    ((unsigned long)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*n = 4;
	return ((unsigned long)(s[0] & 0x07) << 18) |
	    ((unsigned long)(s[1] & 0x3f) << 12) |
	    ((unsigned long)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

/* Unicode White_Space, and U+FEFF, which editors leave at the ends. */
static bool
is_space(unsigned long cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 ||
	    cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000 || cp == 0xfeff;
}

/* Control characters (C0, DEL, C1) and the line and paragraph
 * separators, which break a line as a line feed would. */
static bool
is_control(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
	    cp == 0x2029;
}

/* Embeddings, overrides and isolates: they reorder the text around them. */
static bool
is_bidi_control(unsigned long cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

enum str_clean
str_clean(const char *in, size_t len, bool multiline, size_t max_chars,
    char *out, size_t *out_len, size_t *chars)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, kept = 0, counted = 0, pending = 0;
	enum str_clean pending_bad = STR_CLEAN_OK;
	bool started = false;

	/*
	 * One pass. White space is copied but only counted as "pending" until
	 * something visible follows it; at the end the pending run is the
	 * trailing white space and is cut. A control character inside a
	 * pending run is refused only when the run turns out to be inside
	 * the text. The count stops as soon as it passes max_chars.
	 */
	while (i < len) {
		size_t n;
		unsigned long cp = utf8_next(s + i, &n);

		if (cp == 0 || i + n > len)
			return STR_CLEAN_UTF8;
		if (multiline && cp == '\r' && i + 1 < len && s[i + 1] == '\n') {
			i++;		/* CR LF is kept as LF */
			continue;
		}
		if (is_space(cp)) {
			if (started) {
				if (pending_bad == STR_CLEAN_OK && is_control(cp) &&
				    !(multiline && cp == '\n'))
					pending_bad = STR_CLEAN_CONTROL;
				memcpy(out + o, s + i, n);
				o += n;
				pending++;
			}
			i += n;
			continue;
		}
		if (pending_bad != STR_CLEAN_OK)
			return pending_bad;
		if (is_control(cp))
			return STR_CLEAN_CONTROL;
		if (!multiline && is_bidi_control(cp))
			return STR_CLEAN_BIDI;
		started = true;
		counted += pending + 1;
		pending = 0;
		if (counted > max_chars)
			return STR_CLEAN_TOO_LONG;
		memcpy(out + o, s + i, n);
		o += n;
		kept = o;
		i += n;
	}
	out[kept] = '\0';
	*out_len = kept;
	*chars = counted;
	return STR_CLEAN_OK;
}

bool
str_to_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

void
str_hex(char *out, const unsigned char *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

bool
str_is_uuid(const char *s)
{
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (s[i] == '\0' || (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])))
			return false;
	}
	return s[36] == '\0';
}

size_t
str_utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
str_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
