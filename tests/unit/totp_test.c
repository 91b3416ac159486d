/* totp_test.c - unit tests of staff two-factor codes (totp.h): RFC 6238's
 * SHA-1 vectors, the window of one step either side, a step used once,
 * recovery codes, the otpauth URI. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "arena.h"
#include "totp.h"

/* RFC 6238 appendix B: the SHA-1 key and the last six digits of its
 * eight-digit codes. */
static const unsigned char rfc_key[] = "12345678901234567890";
#define RFC_KEY_LEN 20

static void
rfc_vectors(void **state)
{
	static const struct { time_t t; const char *code; } v[] = {
		{ 59, "287082" }, { 1111111109, "081804" },
		{ 1111111111, "050471" }, { 1234567890, "005924" },
		{ 2000000000, "279037" }, { 20000000000, "353130" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, v[i].code,
		    v[i].t, -1), (long long)v[i].t / 30);
}

static void
window_and_once(void **state)
{
	long long step = 59 / 30;

	(void)state;
	/* The code of step 1 is taken at steps 0, 1 and 2, not 3. */
	assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, "287082", 29, -1), step);
	assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, "287082", 89, -1), step);
	assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, "287082", 90, -1), -1);
	/* Once: not again when its step was the last one taken. */
	assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, "287082", 59, step), -1);
	assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, "287 082", 59, step - 1), step);
	/* Shapes. */
	assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, "28708", 59, -1), -1);
	assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, "2870822", 59, -1), -1);
	assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, "28708a", 59, -1), -1);
	assert_int_equal(totp_match(rfc_key, RFC_KEY_LEN, "", 59, -1), -1);
	assert_false(totp_code_shaped("12-3456"));
	assert_true(totp_code_shaped(" 123 456 "));
}

static void
secrets(void **state)
{
	unsigned char a[TOTP_SECRET_BYTES], b[TOTP_SECRET_BYTES];
	char a32[TOTP_SECRET_B32], b32[TOTP_SECRET_B32], small[8];

	(void)state;
	totp_secret_new(a, a32);
	totp_secret_new(b, b32);
	assert_int_equal(strlen(a32), 32);
	assert_true(strspn(a32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == 32);
	assert_memory_not_equal(a, b, TOTP_SECRET_BYTES);
	assert_true(totp_base32(rfc_key, RFC_KEY_LEN, a32, sizeof(a32)));
	assert_string_equal(a32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	assert_false(totp_base32(rfc_key, RFC_KEY_LEN, small, sizeof(small)));
}

static void
recovery(void **state)
{
	char code[TOTP_RECOVERY_CHARS], other[TOTP_RECOVERY_CHARS];
	char normal[TOTP_RECOVERY_CHARS], again[TOTP_RECOVERY_CHARS];

	(void)state;
	totp_recovery_new(code);
	totp_recovery_new(other);
	assert_int_equal(strlen(code), 19);
	assert_string_not_equal(code, other);
	assert_true(code[4] == '-' && code[9] == '-' && code[14] == '-');
	assert_true(totp_recovery_normal(code, normal));
	assert_int_equal(strlen(normal), 16);
	/* Typed loosely: lower case, spaces, look-alike letters. */
	assert_true(totp_recovery_normal("abcd efgh-jkmn pq10", again));
	assert_string_equal(again, "ABCDEFGHJKMNPQ10");
	assert_true(totp_recovery_normal("ABCD-EFGH-JKMN-PQIO", normal));
	assert_string_equal(normal, again);
	assert_false(totp_recovery_normal("ABCD-EFGH-JKMN-PQ1", normal));
	assert_false(totp_recovery_normal("ABCD-EFGH-JKMN-PQ100", normal));
	assert_false(totp_recovery_normal("ABCD-EFGH-JKMN-PQ1U", normal));
	assert_false(totp_recovery_normal("", normal));
}

static void
uri(void **state)
{
	struct arena *a = arena_new(1024);

	(void)state;
	assert_string_equal(totp_uri(a, "Patient Portal", "ayşe+x@klinik.test",
	    "GEZDGNBV"), "otpauth://totp/Patient%20Portal:ay%C5%9Fe%2Bx%40"
	    "klinik.test?secret=GEZDGNBV&issuer=Patient%20Portal&algorithm=SHA1"
	    "&digits=6&period=30");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_vectors),
		cmocka_unit_test(window_and_once),
		cmocka_unit_test(secrets),
		cmocka_unit_test(recovery),
		cmocka_unit_test(uri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
