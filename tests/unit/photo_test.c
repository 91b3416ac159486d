/* photo_test.c - unit tests of photo.h: recognising an upload from its
 * bytes, finding markup outside the compressed pixels, counting a JPEG's
 * scans, decoding only with the sniffed format's loader (every other one
 * blocked), within bounded time, and the stored file's path. Storage and
 * serving are tested through the API (tests/api/photo). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vips/vips.h>

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

/* ---- building JPEGs byte by byte ---- */

struct bits {
	unsigned char *p;
	size_t n, cap;
	unsigned acc;
	int nacc;
};

static void
put_raw(struct bits *b, const void *s, size_t n)
{
	assert_true(b->n + n <= b->cap);
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

/* Entropy-coded bits, most significant first, 0xFF stuffed with 0. */
static void
put_bits(struct bits *b, unsigned v, int n)
{
	while (n-- > 0) {
		b->acc = b->acc << 1 | ((v >> n) & 1);
		if (++b->nacc == 8) {
			unsigned char c = (unsigned char)b->acc;

			put_raw(b, &c, 1);
			if (c == 0xFF)
				put_raw(b, "", 1);
			b->acc = 0;
			b->nacc = 0;
		}
	}
}

static void
pad_bits(struct bits *b)
{
	while (b->nacc != 0)
		put_bits(b, 1, 1);
}

/*
 * A valid progressive JPEG of w x h pixels in three components, flat
 * grey, in up to max_scans scans (*scans says how many): one DC scan,
 * then for each component and each AC coefficient a first scan and 13
 * refinements, every one a pass over all blocks (end-of-band runs), so no
 * scan is bogus and libjpeg warns about nothing. That is the progressive
 * JPEG "bomb": 2647 scans, each costing a pass over the image, in a file
 * of a few hundred kilobytes. The caller frees the result.
 */
static unsigned char *
progressive_jpeg(int w, int h, int max_scans, size_t *len, int *scans)
{
	size_t blocks = (size_t)((w + 7) / 8) * (size_t)((h + 7) / 8);
	struct bits b = { NULL, 0, 0, 0, 0 };
	/* Quantisation table; SOF2 of 3 components; Huffman tables: DC
	 * with category 0 alone, AC with EOB14 (a run of 16384 + 14 bits
	 * blocks) alone, each coded "0". */
	unsigned char sof[] = { 0xFF, 0xC2, 0, 17, 8, (unsigned char)(h >> 8),
	    (unsigned char)h, (unsigned char)(w >> 8), (unsigned char)w, 3,
	    1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0 };
	unsigned char dht[] = { 0xFF, 0xC4, 0, 38,
	    0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
	    0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xE0 };
	unsigned char dc_sos[] = { 0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0, 3, 0,
	    0, 0, 0 };
	unsigned char dqt[5 + 64];

	b.cap = 4096 + blocks * 3 / 8 * 2 +
	    (size_t)max_scans * (10 + (blocks / 16384 + 1) * 4);
	b.p = malloc(b.cap);
	assert_non_null(b.p);
	put_raw(&b, "\xFF\xD8", 2);
	memcpy(dqt, "\xFF\xDB\x00\x43\x00", 5);
	memset(dqt + 5, 1, 64);
	put_raw(&b, dqt, sizeof(dqt));
	put_raw(&b, sof, sizeof(sof));
	put_raw(&b, dht, sizeof(dht));
	/* DC of all three components, interleaved: category 0 everywhere. */
	put_raw(&b, dc_sos, sizeof(dc_sos));
	for (size_t i = 0; i < blocks * 3; i++)
		put_bits(&b, 0, 1);
	pad_bits(&b);
	*scans = 1;
	for (int c = 1; c <= 3; c++)
		for (int k = 1; k <= 63; k++)
			for (int al = 13; al >= 0 && *scans < max_scans; al--) {
				int ah = al == 13 ? 0 : al + 1;
				unsigned char sos[] = { 0xFF, 0xDA, 0, 8, 1,
				    (unsigned char)c, 0x00, (unsigned char)k,
				    (unsigned char)k, (unsigned char)(ah << 4 | al) };

				put_raw(&b, sos, sizeof(sos));
				for (size_t left = blocks; left > 0;) {
					size_t run = left < 16384 ? 16384 :
					    left > 32767 ? 32767 : left;

					put_bits(&b, 0, 1);
					put_bits(&b, (unsigned)(run - 16384), 14);
					left = run >= left ? 0 : left - run;
				}
				pad_bits(&b);
				(*scans)++;
			}
	put_raw(&b, "\xFF\xD9", 2);
	*len = b.n;
	return b.p;
}

static double
seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void
test_jpeg_scans_as_libjpeg_finds_them(void **state)
{
	/* Baseline: one scan. */
	static const unsigned char one[] = "\xff\xd8" "\xff\xdb\x00\x03" "q"
	    "\xff\xda\x00\x03" "s" "ab\xff\x00" "cd" "\xff\xd9";
	/* FF DA inside an APP1 payload is data, not a scan. */
	static const unsigned char in_app[] = "\xff\xd8" "\xff\xe1\x00\x08"
	    "\xff\xda\x00\x03" "xx" "\xff\xda\x00\x03" "s" "data" "\xff\xd9";
	/* Stray bytes before a marker are skipped, the scans after them
	 * still count; so do fill bytes before a marker. */
	static const unsigned char stray[] = "\xff\xd8" "\xff\xda\x00\x03" "s"
	    "data" "\xff\xd0" "more" "garbage!" "\xff\xff\xff\xda\x00\x03" "s"
	    "x" "\xff\xda\x00\x03" "s" "\xff\xd9";
	/* Nothing after EOI is read; a stuffed FF 00 DA is data. */
	static const unsigned char after_eoi[] = "\xff\xd8" "\xff\xda\x00\x03"
	    "s" "\xff\x00\xda\x00\x03" "\xff\xd9" "\xff\xda\x00\x03" "s";
	/* A segment running past the end stops the count. */
	static const unsigned char cut[] = "\xff\xd8" "\xff\xda\x00\x03" "s"
	    "\xff\xda\x00\x30" "s";
	unsigned char *bomb;
	size_t len;
	int scans;

	(void)state;
	assert_int_equal(photo_jpeg_scans(one, sizeof(one) - 1), 1);
	assert_int_equal(photo_jpeg_scans(in_app, sizeof(in_app) - 1), 1);
	assert_int_equal(photo_jpeg_scans(stray, sizeof(stray) - 1), 3);
	assert_int_equal(photo_jpeg_scans(after_eoi, sizeof(after_eoi) - 1), 1);
	assert_int_equal(photo_jpeg_scans(cut, sizeof(cut) - 1), 2);
	assert_int_equal(photo_jpeg_scans(B("\x89PNG\r\n\x1a\n"), 8), 0);
	assert_int_equal(photo_jpeg_scans(B("\xff\xd8\xff"), 3), 0);
	bomb = progressive_jpeg(64, 48, 10000, &len, &scans);
	assert_int_equal(scans, 1 + 3 * 63 * 14);
	assert_int_equal(photo_jpeg_scans(bomb, len), scans);
	free(bomb);
}

/* ---- decoding (libvips) ---- */

static int
start_vips(void **state)
{
	(void)state;
	return photo_init() ? 0 : -1;
}

static int
stop_vips(void **state)
{
	(void)state;
	photo_shutdown();
	return 0;
}

/* A w x h sRGB image with a gradient, saved by libvips as "jpeg",
 * "png" or "webp"; orientation (1 to 8) goes into the JPEG's EXIF. */
static void *
make_image(const char *format, int w, int h, int orientation, size_t *len)
{
	VipsImage *xyz, *rgb, *img;
	void *buf = NULL;
	int rc;

	assert_int_equal(vips_xyz(&xyz, w, h, NULL), 0);
	assert_int_equal(vips_bandjoin_const1(xyz, &rgb, 90, NULL), 0);
	assert_int_equal(vips_cast_uchar(rgb, &img, NULL), 0);
	g_object_unref(xyz);
	g_object_unref(rgb);
	vips_image_set_int(img, VIPS_META_ORIENTATION, orientation);
	if (strcmp(format, "jpeg") == 0)
		rc = vips_jpegsave_buffer(img, &buf, len, NULL);
	else if (strcmp(format, "png") == 0)
		rc = vips_pngsave_buffer(img, &buf, len, NULL);
	else
		rc = vips_webpsave_buffer(img, &buf, len, NULL);
	g_object_unref(img);
	assert_int_equal(rc, 0);
	return buf;
}

/* Re-encodes buf and checks the verdict and the stored size. */
static void
check_reencode(const void *buf, size_t len, enum photo_verdict want,
    int out_w, int out_h)
{
	struct arena *a = arena_new(4096);
	struct photo p;
	long w, h;

	assert_int_equal(photo_reencode(a, buf, len, 40000000, &p, &w, &h), want);
	if (want == PHOTO_OK) {
		assert_int_equal(p.width, out_w);
		assert_int_equal(p.height, out_h);
		assert_string_equal(p.type, "image/jpeg");
		assert_int_equal(photo_sniff(p.data, p.len), PHOTO_JPEG);
	}
	arena_free(a);
}

static void
test_each_kind_decodes_with_its_own_loader(void **state)
{
	static const char *const formats[] = { "jpeg", "png", "webp" };

	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		size_t len;
		void *small = make_image(formats[i], 48, 32, 1, &len);
		void *big;

		check_reencode(small, len, PHOTO_OK, 48, 32);
		g_free(small);
		/* 3000 x 2000: JPEG shrinks by 2 and WebP scales while
		 * decoding; all three end at 1024 x 683. */
		big = make_image(formats[i], 3000, 2000, 1, &len);
		check_reencode(big, len, PHOTO_OK, 1024, 683);
		g_free(big);
	}
}

static void
test_exif_orientation_still_applies(void **state)
{
	size_t len;
	/* 6: the camera was turned; stored upright, 40 x 60. */
	void *turned = make_image("jpeg", 60, 40, 6, &len);

	(void)state;
	check_reencode(turned, len, PHOTO_OK, 40, 60);
	g_free(turned);
}

static void
test_bytes_of_another_format_do_not_decode(void **state)
{
	size_t len;
	void *png = make_image("png", 16, 16, 1, &len);
	unsigned char *jpeg_then_png = malloc(len + 3);

	(void)state;
	/* JPEG magic, then a whole PNG: the sniffed kind decides the loader,
	 * so nothing reads it as the PNG it carries; as a JPEG it is
	 * damaged. */
	memcpy(jpeg_then_png, "\xff\xd8\xff", 3);
	memcpy(jpeg_then_png + 3, png, len);
	check_reencode(jpeg_then_png, len + 3, PHOTO_DAMAGED, 0, 0);
	free(jpeg_then_png);
	g_free(png);
}

#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 13)
static void *
check_blocked(GType type, void *unused)
{
	const char *name = g_type_name(type);
	VipsOperationClass *class;
	bool allowed;

	(void)unused;
	if (G_TYPE_IS_ABSTRACT(type))
		return NULL;
	class = VIPS_OPERATION_CLASS(g_type_class_ref(type));
	allowed = strcmp(name, "VipsForeignLoadJpegBuffer") == 0 ||
	    strcmp(name, "VipsForeignLoadPngBuffer") == 0 ||
	    strcmp(name, "VipsForeignLoadWebpBuffer") == 0;
	if (((class->flags & VIPS_OPERATION_BLOCKED) != 0) == allowed)
		fail_msg("%s is %s", name, allowed ? "blocked" : "not blocked");
	g_type_class_unref(class);
	return NULL;
}

static void
test_every_other_loader_is_blocked(void **state)
{
	/* A 1 x 1 GIF and a TIFF: loaders libvips trusts. */
	static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00"
	    "\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00"
	    "\x02\x02\x44\x01\x00;";
	VipsImage *img = NULL, *x;
	void *tiff;
	size_t tiff_len;

	(void)state;
	vips_type_map_all(g_type_from_name("VipsForeignLoad"), check_blocked,
	    NULL);
	assert_int_not_equal(vips_gifload_buffer((void *)gif, sizeof(gif) - 1,
	    &img, NULL), 0);
	assert_non_null(strstr(vips_error_buffer(), "blocked"));
	vips_error_clear();
	/* Nor does guessing the format reach one. */
	assert_int_equal(vips_black(&x, 8, 8, NULL), 0);
	assert_int_equal(vips_tiffsave_buffer(x, &tiff, &tiff_len, NULL), 0);
	g_object_unref(x);
	assert_null(vips_image_new_from_buffer(tiff, tiff_len, "", NULL));
	assert_null(vips_image_new_from_buffer(gif, sizeof(gif) - 1, "", NULL));
	vips_error_clear();
	/* The GIF itself is fine: unblocked, it loads. */
	vips_operation_block_set("VipsForeignLoadNsgifBuffer", FALSE);
	assert_int_equal(vips_gifload_buffer((void *)gif, sizeof(gif) - 1,
	    &img, NULL), 0);
	g_object_unref(img);
	vips_operation_block_set("VipsForeignLoadNsgifBuffer", TRUE);
	g_free(tiff);
}
#endif

static void
test_progressive_bomb_refused_before_decoding(void **state)
{
	struct timespec start;
	unsigned char *bomb;
	size_t len;
	int scans;

	(void)state;
	/* 36 megapixels (under the 40 allowed) in 2647 scans: about half
	 * a minute of libjpeg on one core, in 364 kB. */
	bomb = progressive_jpeg(6000, 6000, 10000, &len, &scans);
	assert_true(len < 400 * 1024);
	clock_gettime(CLOCK_MONOTONIC, &start);
	check_reencode(bomb, len, PHOTO_DAMAGED, 0, 0);
	assert_true(seconds_since(&start) < 1.0);
	free(bomb);
	/* At the limit it decodes (to grey); one scan more is refused. */
	bomb = progressive_jpeg(64, 48, PHOTO_MAX_JPEG_SCANS, &len, &scans);
	assert_int_equal(scans, PHOTO_MAX_JPEG_SCANS);
	check_reencode(bomb, len, PHOTO_OK, 64, 48);
	free(bomb);
	bomb = progressive_jpeg(64, 48, PHOTO_MAX_JPEG_SCANS + 1, &len, &scans);
	check_reencode(bomb, len, PHOTO_DAMAGED, 0, 0);
	free(bomb);
}

static void
test_decoding_stops_at_the_deadline(void **state)
{
	struct arena *a = arena_new(4096);
	struct timespec start;
	struct photo p;
	size_t len;
	void *png = make_image("png", 4000, 3000, 1, &len);
	long w, h;

	(void)state;
	/* Decoding 12 megapixels takes far more than 1 ms: stopped at the
	 * first strip past it, and refused. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(photo_reencode_within(a, png, len, 40000000, 1, &p,
	    &w, &h), PHOTO_DAMAGED);
	assert_true(seconds_since(&start) < 0.5);
	assert_int_equal(w, 4000);
	assert_null(p.data);
	/* With the usual deadline it goes through. */
	assert_int_equal(photo_reencode(a, png, len, 40000000, &p, &w, &h),
	    PHOTO_OK);
	assert_int_equal(p.width, 1024);
	g_free(png);
	arena_free(a);
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
		cmocka_unit_test(test_jpeg_scans_as_libjpeg_finds_them),
		cmocka_unit_test(test_path),
	};
	/* These need libvips, started as a worker starts it. */
	const struct CMUnitTest decoding[] = {
		cmocka_unit_test(test_each_kind_decodes_with_its_own_loader),
		cmocka_unit_test(test_exif_orientation_still_applies),
		cmocka_unit_test(test_bytes_of_another_format_do_not_decode),
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 13)
		cmocka_unit_test(test_every_other_loader_is_blocked),
#endif
		cmocka_unit_test(test_progressive_bomb_refused_before_decoding),
		cmocka_unit_test(test_decoding_stops_at_the_deadline),
	};

	return cmocka_run_group_tests_name("photo", tests, NULL, NULL) |
	    cmocka_run_group_tests_name("photo decoding", decoding, start_vips,
	    stop_vips);
}
