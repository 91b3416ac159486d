/* totp.c - TOTP codes with liboath, recovery codes (see totp.h). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "arena.h"
#include "totp.h"

/* Crockford's base32 letters: no I, L, O or U to misread. */
static const char recovery_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
#define RECOVERY_GROUPS 4
#define RECOVERY_GROUP_CHARS 4

static bool
oath_ready(void)
{
	static bool ready;

	if (!ready)
		ready = oath_init() == OATH_OK;
	return ready;
}

void
totp_secret_new(unsigned char secret[TOTP_SECRET_BYTES],
    char b32[TOTP_SECRET_B32])
{
	randombytes_buf(secret, TOTP_SECRET_BYTES);
	if (!totp_base32(secret, TOTP_SECRET_BYTES, b32, TOTP_SECRET_B32))
		b32[0] = '\0';
}

bool
totp_base32(const unsigned char *secret, size_t len, char *out, size_t size)
{
	char *b32 = NULL;
	size_t n = 0;

	if (!oath_ready() || oath_base32_encode((const char *)secret, len, &b32,
	    &n) != OATH_OK)
		return false;
	/* Apps take it without the '=' padding. */
	while (n > 0 && b32[n - 1] == '=')
		n--;
	if (n + 1 > size) {
		free(b32);
		return false;
	}
	memcpy(out, b32, n);
	out[n] = '\0';
	free(b32);
	return true;
}

bool
totp_code_shaped(const char *text)
{
	int digits = 0;

	for (const char *p = text; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (*p != ' ')
			return false;
		if (digits > TOTP_DIGITS)
			return false;
	}
	return digits == TOTP_DIGITS;
}

long long
totp_match(const unsigned char *secret, size_t len, const char *code,
    time_t now, long long last_step)
{
	char want[TOTP_DIGITS + 1], got[TOTP_DIGITS + 1];
	long long step = (long long)now / TOTP_STEP_SECONDS, found = -1;
	size_t n = 0;

	if (!oath_ready() || !totp_code_shaped(code))
		return -1;
	for (const char *p = code; *p; p++)
		if (*p != ' ')
			want[n++] = *p;
	want[n] = '\0';
	/* Every step of the window is computed, whether or not an earlier
	 * one matched: the time taken says nothing. */
	for (int d = -1; d <= 1; d++) {
		time_t at = (time_t)((step + d) * TOTP_STEP_SECONDS);

		if (oath_totp_generate((const char *)secret, len, at,
		    TOTP_STEP_SECONDS, 0, TOTP_DIGITS, got) != OATH_OK)
			continue;
		if (sodium_memcmp(got, want, TOTP_DIGITS) == 0 &&
		    step + d > last_step && found < 0)
			found = step + d;
	}
	sodium_memzero(got, sizeof(got));
	return found;
}

void
totp_recovery_new(char out[TOTP_RECOVERY_CHARS])
{
	size_t o = 0;

	for (int g = 0; g < RECOVERY_GROUPS; g++) {
		if (g > 0)
			out[o++] = '-';
		for (int i = 0; i < RECOVERY_GROUP_CHARS; i++)
			out[o++] = recovery_alphabet[randombytes_uniform(
			    sizeof(recovery_alphabet) - 1)];
	}
	out[o] = '\0';
}

bool
totp_recovery_normal(const char *text, char out[TOTP_RECOVERY_CHARS])
{
	size_t n = 0;

	for (const char *p = text; *p; p++) {
		char c = (char)toupper((unsigned char)*p);

		if (c == ' ' || c == '-')
			continue;
		/* Read as the look-alikes they stand for. */
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (strchr(recovery_alphabet, c) == NULL ||
		    n >= RECOVERY_GROUPS * RECOVERY_GROUP_CHARS)
			return false;
		out[n++] = c;
	}
	if (n != RECOVERY_GROUPS * RECOVERY_GROUP_CHARS)
		return false;
	out[n] = '\0';
	return true;
}

/* s percent-encoded for a URI (unreserved characters kept) onto b. */
static void
uri_escape(char *b, size_t *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL) {
			b[(*o)++] = (char)*p;
		} else {
			b[(*o)++] = '%';
			b[(*o)++] = hex[*p >> 4];
			b[(*o)++] = hex[*p & 15];
		}
	}
}

char *
totp_uri(struct arena *a, const char *issuer, const char *account,
    const char *b32)
{
	static const char head[] = "otpauth://totp/";
	size_t cap = sizeof(head) + 3 * (2 * strlen(issuer) + strlen(account)) +
	    strlen(b32) + 96, o = 0;
	char *b = arena_alloc(a, cap);

	if (b == NULL)
		return NULL;
	memcpy(b, head, sizeof(head) - 1);
	o = sizeof(head) - 1;
	uri_escape(b, &o, issuer);
	b[o++] = ':';
	uri_escape(b, &o, account);
	o += (size_t)snprintf(b + o, cap - o, "?secret=%s&issuer=", b32);
	uri_escape(b, &o, issuer);
	snprintf(b + o, cap - o, "&algorithm=SHA1&digits=%d&period=%d",
	    TOTP_DIGITS, TOTP_STEP_SECONDS);
	return b;
}
