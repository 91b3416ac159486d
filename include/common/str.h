/*
 * str.h - small string helpers shared by every layer.
 */
#ifndef PORTAL_STR_H
#define PORTAL_STR_H

#include <stdbool.h>
#include <stddef.h>

/* True when buf[0..len) is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF, and no NUL byte. */
bool str_utf8_valid(const char *buf, size_t len);

/* Trims ASCII white space at both ends, in place, in linear time;
 * returns s. */
char *str_trim(char *s);

/* What str_clean() found. */
enum str_clean {
	STR_CLEAN_OK,
	STR_CLEAN_CONTROL,	/* a control character inside the text */
	STR_CLEAN_BIDI,		/* a bidirectional override in single-line text */
	STR_CLEAN_TOO_LONG,	/* more than max_chars characters */
	STR_CLEAN_UTF8,		/* a NUL or a cut sequence: not text */
};

/*
 * The one rule for text from outside (DESIGN.md section 11), in one pass
 * over in[0..len), which must be valid UTF-8: white space at both ends
 * (Unicode White_Space and U+FEFF) is trimmed; what is left may hold no
 * control character (C0, DEL, C1, U+2028, U+2029) except, in multiline
 * text, line feeds (CR LF becomes LF); single-line text may hold no
 * bidirectional embedding, override or isolate (U+202A-U+202E,
 * U+2066-U+2069). On STR_CLEAN_OK the trimmed text is in out (which must
 * hold len + 1 bytes), NUL-terminated, *out_len bytes and *chars code
 * points. Stops early once more than max_chars characters are seen, so
 * the work is linear in len and bounded by what is kept.
 */
enum str_clean str_clean(const char *in, size_t len, bool multiline,
    size_t max_chars, char *out, size_t *out_len, size_t *chars);

/* Parses a whole decimal integer in [min, max]; false on anything else. */
bool str_to_long(const char *s, long min, long max, long *out);

/* The number of code points in valid UTF-8 text. */
size_t str_utf8_length(const char *s);

/* True for a UUID in its 8-4-4-4-12 hexadecimal text form. */
bool str_is_uuid(const char *s);

/* Hex-encodes len bytes into out, which must hold 2 * len + 1 bytes. */
void str_hex(char *out, const unsigned char *bytes, size_t len);

/* The value of hexadecimal digit c (either case), or -1. */
int str_hex_digit(char c);

#endif
