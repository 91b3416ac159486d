/*
 * crypto.h - the project's uses of libsodium: random tokens, hashes of
 * tokens, staff password hashing (argon2id).
 */
#ifndef PORTAL_CRYPTO_H
#define PORTAL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#define CRYPTO_TOKEN_BYTES 32
/* base64url without padding of 32 bytes: 43 characters. */
#define CRYPTO_TOKEN_CHARS 43
#define CRYPTO_HASH_BYTES 32
#define CRYPTO_HASH_HEX (CRYPTO_HASH_BYTES * 2 + 1)

/* Initialises libsodium; false when it cannot. */
bool crypto_init(void);

/* A fresh random token, base64url without padding, into out (which holds
 * CRYPTO_TOKEN_CHARS + 1 bytes). */
void crypto_token(char *out);

/* SHA-256 of s as "\\x" followed by hex (PostgreSQL's bytea text form)
 * into out, which holds 2 + 2 * CRYPTO_HASH_BYTES + 1 bytes. */
#define CRYPTO_BYTEA_HEX (2 + CRYPTO_HASH_BYTES * 2 + 1)
void crypto_token_hash(char *out, const char *token);

/* Argon2id hash of password in the crypto_pwhash_str format, using the
 * given ops and memory limits. Returns a malloc'ed string (free with
 * free()) or NULL when out of memory. */
char *crypto_password_hash(const char *password, unsigned long long opslimit,
    size_t memlimit);

/* True when password matches the stored hash. */
bool crypto_password_verify(const char *hash, const char *password);

/* A new API key "ppk_<token>" into key (CRYPTO_API_KEY_CHARS + 1 bytes),
 * the hash stored for it (CRYPTO_BYTEA_HEX bytes) and the prefix shown to
 * people so they can tell keys apart (13 bytes). */
#define CRYPTO_API_KEY_CHARS (4 + CRYPTO_TOKEN_CHARS)
#define CRYPTO_API_KEY_PREFIX "ppk_"
void crypto_api_key(char *key, char *hash, char *prefix);

/* A one-time sign-in code: CRYPTO_OTP_DIGITS decimal digits, uniformly
 * random, into out (CRYPTO_OTP_DIGITS + 1 bytes). */
#define CRYPTO_OTP_DIGITS 6
void crypto_otp(char *out);

/* The keyed hash (BLAKE2b, keyed by the server's signin_secret) of a code
 * for one challenge, in bytea text form (CRYPTO_BYTEA_HEX bytes). Binding
 * the challenge id means a stolen table cannot be matched against one
 * precomputed list of the million codes. */
void crypto_otp_hash(char *out, const char *secret, const char *challenge_id,
    const char *code);

/* A random (version 4) UUID in its text form (CRYPTO_UUID_CHARS + 1). */
#define CRYPTO_UUID_CHARS 36
void crypto_uuid(char *out);

/* Constant-time comparison of two NUL-terminated strings. */
bool crypto_str_equal(const char *a, const char *b);

#endif
