/* str_test.c - unit tests of the string helpers (include/str.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "str.h"

/* str_utf8_valid() on a string literal, without its terminating NUL. */
#define UTF8_OK(lit) str_utf8_valid((lit), sizeof(lit) - 1)

static void
test_utf8_ascii(void **state)
{
	(void)state;
	assert_true(UTF8_OK(""));
	assert_true(UTF8_OK("hello, world"));
	assert_true(UTF8_OK("\x01\x1f\x7f"));
	/* Only len bytes are looked at: the bad byte lies beyond them. */
	assert_true(str_utf8_valid("ab\xff", 2));
}

static void
test_utf8_multibyte(void **state)
{
	(void)state;
	assert_true(UTF8_OK("\xc2\x80"));		/* U+0080, smallest 2-byte */
	assert_true(UTF8_OK("\xc3\xa9"));		/* U+00E9 e acute */
	assert_true(UTF8_OK("\xdf\xbf"));		/* U+07FF, largest 2-byte */
	assert_true(UTF8_OK("\xe0\xa0\x80"));		/* U+0800, smallest 3-byte */
	assert_true(UTF8_OK("\xe2\x82\xac"));		/* U+20AC euro sign */
	assert_true(UTF8_OK("\xed\x9f\xbf"));		/* U+D7FF, just below surrogates */
	assert_true(UTF8_OK("\xee\x80\x80"));		/* U+E000, just above them */
	assert_true(UTF8_OK("\xef\xbf\xbf"));		/* U+FFFF */
	assert_true(UTF8_OK("\xf0\x90\x80\x80"));	/* U+10000, smallest 4-byte */
	assert_true(UTF8_OK("\xf0\x9f\x98\x80"));	/* U+1F600 emoji */
	assert_true(UTF8_OK("\xf4\x8f\xbf\xbf"));	/* U+10FFFF, the last one */
	assert_true(UTF8_OK("a\xc3\xa9z\xe2\x82\xac!\xf0\x9f\x98\x80."));
}

static void
test_utf8_refuses_out_of_range(void **state)
{
	(void)state;
	assert_false(UTF8_OK("\xf4\x90\x80\x80"));	/* U+110000 */
	assert_false(UTF8_OK("\xf5\x80\x80\x80"));	/* lead byte past F4 */
	assert_false(UTF8_OK("\xf8\x88\x80\x80\x80"));	/* old 5-byte form */
	assert_false(UTF8_OK("\xfe"));
	assert_false(UTF8_OK("\xff"));
}

static void
test_utf8_refuses_overlong_and_surrogates(void **state)
{
	(void)state;
	assert_false(UTF8_OK("\xc0\xaf"));		/* overlong '/' */
	assert_false(UTF8_OK("\xc1\xbf"));		/* overlong U+007F */
	assert_false(UTF8_OK("\xe0\x80\xaf"));		/* overlong 3-byte '/' */
	assert_false(UTF8_OK("\xe0\x9f\xbf"));		/* overlong U+07FF */
	assert_false(UTF8_OK("\xf0\x80\x80\xaf"));	/* overlong 4-byte '/' */
	assert_false(UTF8_OK("\xf0\x8f\xbf\xbf"));	/* overlong U+FFFF */
	assert_false(UTF8_OK("\xed\xa0\x80"));		/* U+D800 */
	assert_false(UTF8_OK("\xed\xbf\xbf"));		/* U+DFFF */
	assert_false(UTF8_OK("\xed\xa0\xbd\xed\xb8\x80"));	/* CESU-8 pair */
}

static void
test_utf8_refuses_nul(void **state)
{
	(void)state;
	assert_false(str_utf8_valid("\0", 1));
	assert_false(str_utf8_valid("ab\0cd", 5));
	assert_false(UTF8_OK("\xc0\x80"));		/* modified-UTF-8 NUL */
}

static void
test_utf8_refuses_bad_sequences(void **state)
{
	(void)state;
	/* Truncated at the end of the buffer. */
	assert_false(UTF8_OK("\xc3"));
	assert_false(UTF8_OK("\xe2\x82"));
	assert_false(UTF8_OK("\xf0\x9f\x98"));
	assert_false(UTF8_OK("abc\xf0"));
	/* The same sequences cut short by len, though the bytes follow. */
	assert_false(str_utf8_valid("\xc3\xa9", 1));
	assert_false(str_utf8_valid("\xe2\x82\xac", 2));
	assert_false(str_utf8_valid("\xf0\x9f\x98\x80", 3));
	/* Truncated by a following ASCII byte. */
	assert_false(UTF8_OK("\xc3z"));
	assert_false(UTF8_OK("\xe2\x82z"));
	assert_false(UTF8_OK("\xf0\x9f\x98z"));
	/* Stray continuation bytes. */
	assert_false(UTF8_OK("\x80"));
	assert_false(UTF8_OK("a\xbf"));
	assert_false(UTF8_OK("\xc3\xa9\xa9"));
}

static void
test_trim(void **state)
{
	char a[] = "  \t hello world \r\n ";
	char b[] = "plain";
	char c[] = "   ";
	char d[] = "";
	char e[] = "\v\fx\v\f";
	char *r;

	(void)state;
	r = str_trim(a);
	/* In place: the result is the buffer itself, moved to its start. */
	assert_ptr_equal(r, a);
	assert_string_equal(r, "hello world");
	assert_string_equal(str_trim(b), "plain");
	assert_string_equal(str_trim(c), "");
	assert_string_equal(str_trim(d), "");
	assert_string_equal(str_trim(e), "x");
}

static void
test_to_long_ranges(void **state)
{
	char buf[32];
	long v = -7;

	(void)state;
	assert_true(str_to_long("0", 0, 10, &v));
	assert_int_equal(v, 0);
	assert_true(str_to_long("10", 0, 10, &v));
	assert_int_equal(v, 10);
	assert_true(str_to_long("-5", -5, 5, &v));
	assert_int_equal(v, -5);
	assert_true(str_to_long("123456", 1, 1000000, &v));
	assert_int_equal(v, 123456);

	/* Just outside the range, on both sides; *out is left alone. */
	v = 99;
	assert_false(str_to_long("11", 0, 10, &v));
	assert_false(str_to_long("-1", 0, 10, &v));
	assert_false(str_to_long("-6", -5, 5, &v));
	assert_int_equal(v, 99);

	/* The extremes of long, and one past them (the last digit of both
	 * LONG_MAX and LONG_MIN is below 9, so bumping it overflows by one). */
	snprintf(buf, sizeof(buf), "%ld", LONG_MAX);
	assert_true(str_to_long(buf, LONG_MIN, LONG_MAX, &v));
	assert_true(v == LONG_MAX);
	buf[strlen(buf) - 1]++;
	assert_false(str_to_long(buf, LONG_MIN, LONG_MAX, &v));
	snprintf(buf, sizeof(buf), "%ld", LONG_MIN);
	assert_true(str_to_long(buf, LONG_MIN, LONG_MAX, &v));
	assert_true(v == LONG_MIN);
	buf[strlen(buf) - 1]++;
	assert_false(str_to_long(buf, LONG_MIN, LONG_MAX, &v));
	assert_false(str_to_long("99999999999999999999999", LONG_MIN, LONG_MAX, &v));
}

static void
test_to_long_junk(void **state)
{
	static const char *const junk[] = {
		"", " ", " 1", "1 ", "\t1", "1\n", "12abc", "abc", "1.5", "1e3",
		"0x10", "-", "+", "--1", "1-", "1,000",
	};
	long v = 42;

	(void)state;
	assert_false(str_to_long(NULL, 0, 10, &v));
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		if (str_to_long(junk[i], LONG_MIN, LONG_MAX, &v))
			fail_msg("str_to_long accepted \"%s\"", junk[i]);
	}
	assert_int_equal(v, 42);
	/* Leading zeros are still decimal, not octal. */
	assert_true(str_to_long("010", 0, 100, &v));
	assert_int_equal(v, 10);
}

static void
test_hex(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(bytes) + 1];
	char empty[1] = { 'x' };
	char one[3];

	(void)state;
	memset(out, '#', sizeof(out));
	str_hex(out, bytes, sizeof(bytes));
	assert_string_equal(out, "00017f80abff");
	str_hex(empty, bytes, 0);
	assert_string_equal(empty, "");
	str_hex(one, (const unsigned char *)"\x5a", 1);
	assert_string_equal(one, "5a");
}

static void
test_is_uuid(void **state)
{
	(void)state;
	assert_true(str_is_uuid("123e4567-e89b-12d3-a456-426614174000"));
	assert_true(str_is_uuid("123E4567-E89B-12D3-A456-426614174000"));
	assert_false(str_is_uuid(""));
	assert_false(str_is_uuid("123e4567-e89b-12d3-a456-42661417400"));
	assert_false(str_is_uuid("123e4567-e89b-12d3-a456-4266141740000"));
	assert_false(str_is_uuid("123e4567e89b-12d3-a456-426614174000-"));
	assert_false(str_is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
	assert_false(str_is_uuid("../../etc/passwd"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_uuid),
		cmocka_unit_test(test_utf8_ascii),
		cmocka_unit_test(test_utf8_multibyte),
		cmocka_unit_test(test_utf8_refuses_out_of_range),
		cmocka_unit_test(test_utf8_refuses_overlong_and_surrogates),
		cmocka_unit_test(test_utf8_refuses_nul),
		cmocka_unit_test(test_utf8_refuses_bad_sequences),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_to_long_ranges),
		cmocka_unit_test(test_to_long_junk),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
