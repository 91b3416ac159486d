/*
 * totp.h - staff two-factor codes (DESIGN.md section 16): TOTP after RFC
 * 6238 (HMAC-SHA-1, 6 digits, 30-second steps, computed by liboath) and
 * recovery codes.
 *
 * A code is accepted for its step or the one before or after, and once
 * only: the caller keeps the last step accepted and passes it back.
 */
#ifndef PORTAL_TOTP_H
#define PORTAL_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct arena;

#define TOTP_SECRET_BYTES 20
/* Base32 of the secret, without padding, and its NUL. */
#define TOTP_SECRET_B32 33
#define TOTP_DIGITS 6
#define TOTP_STEP_SECONDS 30
#define TOTP_RECOVERY_CODES 10
/* Four groups of four characters with dashes between ("7KQ2-M9XD-PB4R-HT6W",
 * 80 bits), and its NUL. */
#define TOTP_RECOVERY_CHARS 20

/* A new random secret, and its base32 form (what authenticator apps take). */
void totp_secret_new(unsigned char secret[TOTP_SECRET_BYTES],
    char b32[TOTP_SECRET_B32]);

/* Base32 of secret[0..len) into out (size bytes); false when too small. */
bool totp_base32(const unsigned char *secret, size_t len, char *out,
    size_t size);

/*
 * The step code (spaces allowed, six digits) matches for secret at time
 * now: its step number, later than last_step (< 0: none yet); -1 when it
 * matches no step of the window, or only steps already used.
 */
long long totp_match(const unsigned char *secret, size_t len,
    const char *code, time_t now, long long last_step);

/* Whether text looks like a six-digit code (spaces allowed). */
bool totp_code_shaped(const char *text);

/* A new recovery code, like "7KQ2-M9XD-PB4R-HT6W", from an alphabet
 * without look-alike characters. */
void totp_recovery_new(char out[TOTP_RECOVERY_CHARS]);

/*
 * Recovery code text as typed, normalised (upper case, without spaces or
 * dashes) into out; false when it cannot be one.
 */
bool totp_recovery_normal(const char *text, char out[TOTP_RECOVERY_CHARS]);

/* otpauth://totp/ URI of b32 for account (an email), issuer named. */
char *totp_uri(struct arena *a, const char *issuer, const char *account,
    const char *b32);

#endif
