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

/* Trims ASCII white space at both ends, in place; returns s. */
char *str_trim(char *s);

/* Parses a whole decimal integer in [min, max]; false on anything else. */
bool str_to_long(const char *s, long min, long max, long *out);

/* The number of code points in valid UTF-8 text. */
size_t str_utf8_length(const char *s);

/* True for a UUID in its 8-4-4-4-12 hexadecimal text form. */
bool str_is_uuid(const char *s);

/* Hex-encodes len bytes into out, which must hold 2 * len + 1 bytes. */
void str_hex(char *out, const unsigned char *bytes, size_t len);

#endif
