/* photo_test.c - unit tests of photo.h: recognising an upload from its
 * bytes, finding markup outside the compressed pixels, and the stored
 * file's path. Decoding is tested through the API (tests/api/photo). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "arena.h"
#include "photo.h"

#define B(s) ((const unsigned char *)(s))

static void
test_sniff(void **state)
{
	(void)state;
	assert_int_equal(photo_sniff(B("\xff\xd8\xff\xe0"), 4), PHOTO_JPEG);
	assert_int_equal(photo_sniff(B("\x89PNG\r\n\x1a\n"), 8), PHOTO_PNG);
	assert_int_equal(photo_sniff(B("RIFF\x10\0\0\0WEBPVP8 "), 16), PHOTO_WEBP);
	assert_int_equal(photo_sniff(B("RIFF\x10\0\0\0WAVEfmt "), 16), PHOTO_UNKNOWN);
	assert_int_equal(photo_sniff(B("GIF89a"), 6), PHOTO_UNKNOWN);
	assert_int_equal(photo_sniff(B("<svg xmlns"), 10), PHOTO_UNKNOWN);
	assert_int_equal(photo_sniff(B("\xff\xd8"), 2), PHOTO_UNKNOWN);
	assert_int_equal(photo_sniff(B(""), 0), PHOTO_UNKNOWN);
}

static void
test_markup_anywhere_in_unknown_bytes(void **state)
{
	(void)state;
	assert_true(photo_has_markup(B("xx<ScRiPt>"), 10));
	assert_true(photo_has_markup(B("<!DOCTYPE html>"), 15));
	assert_true(photo_has_markup(B("a href=JavaScript:x"), 19));
	assert_false(photo_has_markup(B("plain text < 3"), 14));
	/* A marker cut off at the end is not one. */
	assert_false(photo_has_markup(B("<scrip"), 6));
}

static void
test_markup_in_jpeg(void **state)
{
	/* SOI, COM "<html>", SOS with entropy data holding "<script" by
	 * chance, EOI. */
	static const unsigned char clean[] = "\xff\xd8" "\xff\xfe\x00\x06" "okay"
	    "\xff\xda\x00\x02" "<script" "\xff\xd9";
	static const unsigned char in_comment[] = "\xff\xd8" "\xff\xfe\x00\x08"
	    "<html>" "\xff\xda\x00\x02" "data" "\xff\xd9";
	static const unsigned char trailing[] = "\xff\xd8" "\xff\xda\x00\x02"
	    "data" "\xff\xd9" "<body onload=x>";

	(void)state;
	assert_false(photo_has_markup(clean, sizeof(clean) - 1));
	assert_true(photo_has_markup(in_comment, sizeof(in_comment) - 1));
	assert_true(photo_has_markup(trailing, sizeof(trailing) - 1));
}

static void
test_markup_in_png(void **state)
{
	/* Signature, a tEXt chunk, an IDAT whose data holds "<svg" by
	 * chance, IEND (CRCs are not checked here). */
	static const unsigned char idat_only[] = "\x89PNG\r\n\x1a\n"
	    "\0\0\0\x04IDAT<svg" "CRC!" "\0\0\0\0IEND" "CRC!";
	static const unsigned char text[] = "\x89PNG\r\n\x1a\n"
	    "\0\0\0\x0ctEXtc\0<script>x" "CRC!" "\0\0\0\0IEND" "CRC!";

	(void)state;
	assert_false(photo_has_markup(idat_only, sizeof(idat_only) - 1));
	assert_true(photo_has_markup(text, sizeof(text) - 1));
}

static void
test_path(void **state)
{
	struct arena *a = arena_new(4096);
	const char *clinic = "0b6f3c1e-2a4d-4c1b-9e8f-1234567890ab";
	const char *sha = "ab34567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";

	(void)state;
	assert_string_equal(photo_path(a, clinic, sha, "image/jpeg"),
	    "photos/0b6f3c1e-2a4d-4c1b-9e8f-1234567890ab/ab/"
	    "ab34567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef.jpg");
	/* Nothing that could climb out of the files directory. */
	assert_null(photo_path(a, "../../etc", sha, "image/jpeg"));
	assert_null(photo_path(a, clinic, "../passwd", "image/jpeg"));
	assert_null(photo_path(a, clinic, sha, "text/html"));
	assert_null(photo_path(a, clinic, NULL, "image/jpeg"));
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_markup_anywhere_in_unknown_bytes),
		cmocka_unit_test(test_markup_in_jpeg),
		cmocka_unit_test(test_markup_in_png),
		cmocka_unit_test(test_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
