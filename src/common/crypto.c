/* crypto.c - tokens, token hashes and passwords with libsodium (crypto.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto.h"
#include "str.h"

bool
crypto_init(void)
{
	return sodium_init() >= 0;
}

void
crypto_token(char *out)
{
	unsigned char raw[CRYPTO_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, CRYPTO_TOKEN_CHARS + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void
crypto_token_hash(char *out, const char *token)
{
	unsigned char digest[CRYPTO_HASH_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
	out[0] = '\\';
	out[1] = 'x';
	str_hex(out + 2, digest, sizeof(digest));
}

char *
crypto_password_hash(const char *password, unsigned long long opslimit,
    size_t memlimit)
{
	char *hash = malloc(crypto_pwhash_STRBYTES);

	if (hash == NULL)
		return NULL;
	if (crypto_pwhash_str_alg(hash, password, strlen(password), opslimit,
	    memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		free(hash);
		return NULL;
	}
	return hash;
}

bool
crypto_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool
crypto_str_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}

void
crypto_api_key(char *key, char *hash, char *prefix)
{
	char token[CRYPTO_TOKEN_CHARS + 1];

	crypto_token(token);
	memcpy(key, CRYPTO_API_KEY_PREFIX, 4);
	memcpy(key + 4, token, CRYPTO_TOKEN_CHARS + 1);
	sodium_memzero(token, sizeof(token));
	crypto_token_hash(hash, key);
	memcpy(prefix, key, 12);
	prefix[12] = '\0';
}

void
crypto_otp(char *out)
{
	snprintf(out, CRYPTO_OTP_DIGITS + 1, "%06u",
	    (unsigned)randombytes_uniform(1000000));
}

void
crypto_otp_hash(char *out, const char *secret, const char *challenge_id,
    const char *code)
{
	unsigned char key[crypto_generichash_KEYBYTES];
	unsigned char digest[CRYPTO_HASH_BYTES];
	crypto_generichash_state st;

	/* Any length of secret becomes a key of the right size. */
	crypto_generichash(key, sizeof(key), (const unsigned char *)secret,
	    strlen(secret), NULL, 0);
	crypto_generichash_init(&st, key, sizeof(key), sizeof(digest));
	crypto_generichash_update(&st, (const unsigned char *)challenge_id,
	    strlen(challenge_id));
	crypto_generichash_update(&st, (const unsigned char *)":", 1);
	crypto_generichash_update(&st, (const unsigned char *)code,
	    strlen(code));
	crypto_generichash_final(&st, digest, sizeof(digest));
	sodium_memzero(key, sizeof(key));
	out[0] = '\\';
	out[1] = 'x';
	str_hex(out + 2, digest, sizeof(digest));
}

void
crypto_uuid(char *out)
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, CRYPTO_UUID_CHARS + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
}
