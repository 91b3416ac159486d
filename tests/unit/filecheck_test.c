/* filecheck_test.c - unit tests of filecheck.h and pdfcheck.h: every upload
 * the issue lists as refused, from the committed fixtures of the API tests
 * (tests/api/fixtures/documents/, FIXTURES_DIR; make.py there writes them),
 * and what is stored of what is accepted: a PDF byte for byte, an image in
 * its own format without metadata, a thumbnail for an image. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <vips/vips.h>

#include "arena.h"
#include "filecheck.h"
#include "pdfcheck.h"
#include "photo.h"
#include "str.h"

#define MAX_PIXELS 40000000L

/* The fixture's bytes (malloc'ed, *len set); fails the test when missing. */
static unsigned char *
fixture(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	unsigned char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static bool
contains(const unsigned char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return true;
	return false;
}

static void
sha256_hex(char out[65], const unsigned char *buf, size_t len)
{
	unsigned char hash[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(hash, buf, len);
	str_hex(out, hash, sizeof(hash));
}

/* file_check() of the fixture as kind with declared; returns the verdict
 * and checks that a refusal says why and gives nothing to store. */
static enum file_verdict
check_fixture(const char *name, enum file_kind kind, const char *declared)
{
	struct arena *a = arena_new(4096);
	struct file_checked out;
	size_t len;
	unsigned char *buf = fixture(name, &len);
	enum file_verdict v = file_check(a, buf, len, kind, declared,
	    MAX_PIXELS, &out);

	if (v != FILE_OK) {
		assert_non_null(out.reason);
		assert_true(strlen(out.reason) > 10);
		assert_null(out.data);
		assert_null(out.thumb);
	} else {
		assert_null(out.reason);
	}
	arena_free(a);
	free(buf);
	return v;
}

static int
pdf_fixture(const char *name)
{
	size_t len;
	unsigned char *buf = fixture(name, &len);
	const char *reason = "unset";
	int v = pdf_check(buf, len, &reason);

	if (v == PDF_CLEAN)
		assert_null(reason);
	else
		assert_non_null(reason);
	free(buf);
	return v;
}

/* ---- PDFs ---- */

static void
test_clean_pdf_is_kept_byte_for_byte(void **state)
{
	struct arena *a = arena_new(4096);
	struct file_checked out;
	size_t len;
	unsigned char *buf = fixture("ok.pdf", &len);
	char want[65];

	(void)state;
	assert_int_equal(pdf_fixture("ok.pdf"), PDF_CLEAN);
	assert_int_equal(file_check(a, buf, len, FILE_KIND_DOCUMENT,
	    "application/pdf", MAX_PIXELS, &out), FILE_OK);
	assert_string_equal(out.type, "application/pdf");
	assert_int_equal(out.len, len);
	assert_memory_equal(out.data, buf, len);
	sha256_hex(want, buf, len);
	assert_string_equal(out.sha256, want);
	assert_null(out.thumb);
	assert_string_equal(out.thumb_sha256, "");
	assert_int_equal(out.width, 0);
	assert_int_equal(out.height, 0);
	arena_free(a);
	free(buf);
}

static void
test_clean_pdfs_pass(void **state)
{
	(void)state;
	/* Object and cross-reference streams (flate, PNG predictor) are
	 * decoded by our own bounded filter. */
	assert_int_equal(pdf_fixture("ok-objstm.pdf"), PDF_CLEAN);
	/* A link to a web address is no active content. */
	assert_int_equal(pdf_fixture("uri.pdf"), PDF_CLEAN);
	assert_int_equal(check_fixture("uri.pdf", FILE_KIND_DOCUMENT, NULL),
	    FILE_OK);
}

static void
test_javascript_refused_wherever_it_hides(void **state)
{
	size_t len;
	unsigned char *packed = fixture("js-objstm-escape.pdf", &len);

	(void)state;
	assert_int_equal(pdf_fixture("js-openaction.pdf"), PDF_JAVASCRIPT);
	assert_int_equal(pdf_fixture("js-objstm.pdf"), PDF_JAVASCRIPT);
	assert_int_equal(pdf_fixture("js-aa.pdf"), PDF_JAVASCRIPT);
	assert_int_equal(pdf_fixture("js-name-escape.pdf"), PDF_JAVASCRIPT);
	/* Escaped inside a compressed object stream: only qpdf's reading
	 * (names decoded) can find it; the raw bytes do not have it. */
	assert_false(contains(packed, len, "JavaScript"));
	assert_int_equal(pdf_fixture("js-objstm-escape.pdf"), PDF_JAVASCRIPT);
	free(packed);
	/* In an object no cross-reference table lists: the raw scan. */
	assert_int_equal(pdf_fixture("hidden.pdf"), PDF_JAVASCRIPT);
	assert_int_equal(check_fixture("js-openaction.pdf", FILE_KIND_DOCUMENT,
	    "application/pdf"), FILE_UNSAFE);
	assert_int_equal(check_fixture("js-objstm.pdf", FILE_KIND_DOCUMENT,
	    "application/pdf"), FILE_UNSAFE);
	assert_int_equal(check_fixture("js-aa.pdf", FILE_KIND_DOCUMENT,
	    "application/pdf"), FILE_UNSAFE);
	assert_int_equal(check_fixture("js-name-escape.pdf", FILE_KIND_DOCUMENT,
	    "application/pdf"), FILE_UNSAFE);
}

static void
test_other_active_content_refused(void **state)
{
	(void)state;
	assert_int_equal(pdf_fixture("launch.pdf"), PDF_LAUNCH);
	assert_int_equal(pdf_fixture("embedded.pdf"), PDF_EMBEDDED_FILE);
	/* /AA without JavaScript is still an automatic action. */
	assert_int_equal(pdf_fixture("aa-goto.pdf"), PDF_OTHER_ACTIVE);
	assert_int_equal(pdf_fixture("submit.pdf"), PDF_OTHER_ACTIVE);
	assert_int_equal(check_fixture("launch.pdf", FILE_KIND_DOCUMENT, NULL),
	    FILE_UNSAFE);
	assert_int_equal(check_fixture("embedded.pdf", FILE_KIND_DOCUMENT, NULL),
	    FILE_UNSAFE);
}

static void
test_broken_encrypted_and_bombs_refused(void **state)
{
	struct timespec start, end;

	(void)state;
	assert_int_equal(pdf_fixture("truncated.pdf"), PDF_BROKEN);
	assert_int_equal(check_fixture("truncated.pdf", FILE_KIND_DOCUMENT,
	    "application/pdf"), FILE_UNSAFE);
	assert_int_equal(pdf_fixture("encrypted.pdf"), PDF_ENCRYPTED);
	assert_int_equal(pdf_check("%PDF-1.7\n", 9, &(const char *){ NULL }),
	    PDF_BROKEN);
	assert_int_equal(pdf_check("", 0, &(const char *){ NULL }), PDF_BROKEN);
	/* 65 MiB of zeros in 65 kB: stopped at the 64 MiB budget. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(pdf_fixture("bomb.pdf"), PDF_TOO_BIG);
	clock_gettime(CLOCK_MONOTONIC, &end);
	assert_true(end.tv_sec - start.tv_sec < 5);
}

/* A one-page PDF whose fourth object is an array of n numbers ("1 1 1
 * ..."), cross-reference offsets exact; the caller frees it. */
static char *
number_pdf(size_t n, size_t *len)
{
	static const char *const objects[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /A 4 0 R >>",
	};
	size_t cap = 1024 + 2 * n, at, offsets[4], xref;
	char *b = malloc(cap);

	assert_non_null(b);
	at = (size_t)sprintf(b, "%%PDF-1.7\n");
	for (int i = 0; i < 3; i++) {
		offsets[i] = at;
		at += (size_t)sprintf(b + at, "%d 0 obj\n%s\nendobj\n", i + 1,
		    objects[i]);
	}
	offsets[3] = at;
	at += (size_t)sprintf(b + at, "4 0 obj\n[");
	for (size_t i = 0; i < n; i++) {
		b[at++] = '1';
		b[at++] = ' ';
	}
	at += (size_t)sprintf(b + at, "]\nendobj\n");
	xref = at;
	at += (size_t)sprintf(b + at, "xref\n0 5\n0000000000 65535 f \n");
	for (int i = 0; i < 4; i++)
		at += (size_t)sprintf(b + at, "%010zu 00000 n \n", offsets[i]);
	at += (size_t)sprintf(b + at, "trailer\n<< /Size 5 /Root 1 0 R >>\n"
	    "startxref\n%zu\n%%%%EOF\n", xref);
	assert_true(at < cap);
	*len = at;
	return b;
}

static void
test_pdf_read_apart_within_bounds(void **state)
{
	const char *reason = NULL;
	struct timespec start, end;
	size_t len;
	char *small = number_pdf(1000, &len);
	char *huge;

	(void)state;
	/* The same answers as in-process, from a child. */
	assert_int_equal(pdf_check(small, len, &reason), PDF_CLEAN);
	assert_int_equal(pdf_check_in_child(small, len, 5000, &reason),
	    PDF_CLEAN);
	assert_null(reason);
	free(small);
	{
		unsigned char *js = fixture("js-objstm.pdf", &len);

		assert_int_equal(pdf_check_in_child(js, len, 5000, &reason),
		    PDF_JAVASCRIPT);
		assert_non_null(reason);
		free(js);
	}
	/* 12 MB of numbers: gigabytes in qpdf, and seconds. The child runs
	 * out of its memory or its time; the worker does not. */
	huge = number_pdf(6000000, &len);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(pdf_check_in_child(huge, len, 2000, &reason),
	    PDF_TOO_BIG);
	clock_gettime(CLOCK_MONOTONIC, &end);
	assert_true(end.tv_sec - start.tv_sec < 4);
	assert_non_null(reason);
	free(huge);
}

static void
test_not_a_pdf_is_unsupported(void **state)
{
	(void)state;
	/* A script and an HTML page renamed .pdf and sent as PDF: 415. */
	assert_int_equal(check_fixture("script.pdf", FILE_KIND_DOCUMENT,
	    "application/pdf"), FILE_UNSUPPORTED);
	assert_int_equal(check_fixture("page.html.pdf", FILE_KIND_DOCUMENT,
	    "application/pdf"), FILE_UNSUPPORTED);
	assert_int_equal(check_fixture("image.svg", FILE_KIND_DOCUMENT,
	    "image/svg+xml"), FILE_UNSUPPORTED);
	assert_int_equal(check_fixture("image.svg", FILE_KIND_IMAGE, NULL),
	    FILE_UNSUPPORTED);
	/* A PDF is a document, never an image. */
	assert_int_equal(check_fixture("ok.pdf", FILE_KIND_IMAGE,
	    "application/pdf"), FILE_UNSUPPORTED);
}

static void
test_declared_type_must_match_the_bytes(void **state)
{
	(void)state;
	assert_int_equal(check_fixture("ok.pdf", FILE_KIND_DOCUMENT,
	    "text/html"), FILE_UNSUPPORTED);
	assert_int_equal(check_fixture("ok.png", FILE_KIND_IMAGE,
	    "image/jpeg"), FILE_UNSUPPORTED);
	assert_int_equal(check_fixture("exif.jpg", FILE_KIND_IMAGE,
	    "image/png"), FILE_UNSUPPORTED);
	/* Saying nothing, parameters, case and JPEG's other names. */
	assert_int_equal(check_fixture("ok.pdf", FILE_KIND_DOCUMENT,
	    "application/octet-stream"), FILE_OK);
	assert_int_equal(check_fixture("ok.pdf", FILE_KIND_DOCUMENT, ""),
	    FILE_OK);
	assert_int_equal(check_fixture("ok.pdf", FILE_KIND_DOCUMENT,
	    " Application/PDF ; name=x"), FILE_OK);
	assert_int_equal(check_fixture("exif.jpg", FILE_KIND_IMAGE,
	    "image/jpg"), FILE_OK);
	assert_int_equal(check_fixture("ok.webp", FILE_KIND_DOCUMENT,
	    "image/webp"), FILE_OK);
}

/* ---- images ---- */

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

/* Fails when a JPEG carries metadata: any APPn but JFIF's APP0, or a
 * comment, before its first scan. */
static void
assert_jpeg_bare(const unsigned char *b, size_t n)
{
	size_t i = 2;

	assert_int_equal(photo_sniff(b, n), PHOTO_JPEG);
	while (i + 4 <= n && b[i] == 0xFF && b[i + 1] != 0xDA) {
		unsigned m = b[i + 1];

		if ((m >= 0xE1 && m <= 0xEF) || m == 0xFE)
			fail_msg("metadata segment 0x%02X at %zu", m, i);
		i += 2 + ((size_t)b[i + 2] << 8 | b[i + 3]);
	}
	assert_true(i + 4 <= n && b[i + 1] == 0xDA);
	assert_false(contains(b, n, "Exif"));
	assert_false(contains(b, n, "TestCam"));
	assert_false(contains(b, n, "Ayse"));
}

static void
test_exif_jpeg_stored_without_metadata(void **state)
{
	static const enum file_kind kinds[] = { FILE_KIND_DOCUMENT,
	    FILE_KIND_IMAGE };
	size_t len;
	unsigned char *buf = fixture("exif.jpg", &len);

	(void)state;
	/* The upload does carry them. */
	assert_true(contains(buf, len, "Exif"));
	assert_true(contains(buf, len, "TestCam"));
	assert_true(contains(buf, len, "Ayse"));
	for (size_t k = 0; k < 2; k++) {
		struct arena *a = arena_new(4096);
		struct file_checked out;
		char want[65];

		assert_int_equal(file_check(a, buf, len, kinds[k], "image/jpeg",
		    MAX_PIXELS, &out), FILE_OK);
		assert_string_equal(out.type, "image/jpeg");
		assert_int_equal(out.width, 48);
		assert_int_equal(out.height, 32);
		assert_jpeg_bare(out.data, out.len);
		sha256_hex(want, out.data, out.len);
		assert_string_equal(out.sha256, want);
		/* Filed as either, an image has its thumbnail. */
		assert_non_null(out.thumb);
		assert_jpeg_bare(out.thumb, out.thumb_len);
		sha256_hex(want, out.thumb, out.thumb_len);
		assert_string_equal(out.thumb_sha256, want);
		arena_free(a);
	}
	free(buf);
}

/* The chunk types of a PNG, concatenated. */
static void
png_chunks(const unsigned char *b, size_t n, char *types, size_t size)
{
	size_t i = 8;

	types[0] = '\0';
	while (i + 12 <= n) {
		size_t clen = (size_t)b[i] << 24 | (size_t)b[i + 1] << 16 |
		    (size_t)b[i + 2] << 8 | b[i + 3];

		strncat(types, (const char *)b + i + 4, 4);
		strncat(types, " ", 2);
		assert_true(strlen(types) + 6 < size);
		i += 12 + clen;
	}
}

static void
test_png_stays_png_with_alpha_without_text(void **state)
{
	struct arena *a = arena_new(4096);
	struct file_checked out;
	size_t len;
	unsigned char *buf = fixture("ok.png", &len);
	char types[256];

	(void)state;
	assert_true(contains(buf, len, "tEXt"));
	assert_int_equal(file_check(a, buf, len, FILE_KIND_IMAGE, "image/png",
	    MAX_PIXELS, &out), FILE_OK);
	assert_string_equal(out.type, "image/png");
	assert_int_equal(photo_sniff(out.data, out.len), PHOTO_PNG);
	assert_int_equal(out.width, 40);
	assert_int_equal(out.height, 30);
	/* Colour type 6: RGB with alpha, kept. */
	assert_int_equal(out.data[25], 6);
	png_chunks(out.data, out.len, types, sizeof(types));
	assert_null(strstr(types, "tEXt"));
	assert_null(strstr(types, "zTXt"));
	assert_null(strstr(types, "iTXt"));
	assert_null(strstr(types, "eXIf"));
	assert_null(strstr(types, "iCCP"));
	assert_non_null(strstr(types, "IDAT"));
	assert_jpeg_bare(out.thumb, out.thumb_len);
	arena_free(a);
	free(buf);
}

static void
test_webp_stays_webp_without_exif_or_xmp(void **state)
{
	struct arena *a = arena_new(4096);
	struct file_checked out;
	size_t len;
	unsigned char *buf = fixture("ok.webp", &len);

	(void)state;
	assert_true(contains(buf, len, "EXIF"));
	assert_true(contains(buf, len, "XMP "));
	assert_int_equal(file_check(a, buf, len, FILE_KIND_DOCUMENT, NULL,
	    MAX_PIXELS, &out), FILE_OK);
	assert_string_equal(out.type, "image/webp");
	assert_int_equal(photo_sniff(out.data, out.len), PHOTO_WEBP);
	assert_int_equal(out.width, 48);
	assert_int_equal(out.height, 32);
	assert_false(contains(out.data, out.len, "EXIF"));
	assert_false(contains(out.data, out.len, "XMP "));
	assert_false(contains(out.data, out.len, "TestCam"));
	assert_jpeg_bare(out.thumb, out.thumb_len);
	{
		/* Still a WebP libwebp reads, chunks taken out and all. */
		static const struct photo_output as_is = { 100, true, 0 };
		struct photo p;
		long w, h;

		assert_int_equal(photo_reencode_as(a, out.data, out.len,
		    MAX_PIXELS, 10000, &as_is, &p, NULL, &w, &h), PHOTO_OK);
		assert_int_equal(w, 48);
		assert_string_equal(p.type, "image/webp");
	}
	arena_free(a);
	free(buf);
}

static void
test_polyglots_refused(void **state)
{
	(void)state;
	/* Markup in a comment; a ZIP after the end of the image. */
	assert_int_equal(check_fixture("polyglot-html.jpg", FILE_KIND_IMAGE,
	    "image/jpeg"), FILE_UNSAFE);
	assert_int_equal(check_fixture("polyglot-html.jpg", FILE_KIND_DOCUMENT,
	    NULL), FILE_UNSAFE);
	assert_int_equal(check_fixture("polyglot-zip.jpg", FILE_KIND_IMAGE,
	    "image/jpeg"), FILE_UNSAFE);
	assert_int_equal(check_fixture("polyglot-zip.jpg", FILE_KIND_DOCUMENT,
	    NULL), FILE_UNSAFE);
}

/* Checks buf + a trailer of tlen bytes as an image. */
static enum file_verdict
check_with_trailer(const unsigned char *buf, size_t len,
    const unsigned char *trailer, size_t tlen)
{
	struct arena *a = arena_new(4096);
	struct file_checked out;
	unsigned char *joined = malloc(len + tlen);
	enum file_verdict v;

	assert_non_null(joined);
	memcpy(joined, buf, len);
	if (tlen > 0)
		memcpy(joined + len, trailer, tlen);
	v = file_check(a, joined, len + tlen, FILE_KIND_IMAGE, NULL, MAX_PIXELS,
	    &out);
	arena_free(a);
	free(joined);
	return v;
}

static void
test_what_may_follow_an_image(void **state)
{
	static const unsigned char zeros[64];
	size_t jlen, plen, wlen;
	unsigned char *jpeg = fixture("exif.jpg", &jlen);
	unsigned char *png = fixture("ok.png", &plen);
	unsigned char *webp = fixture("ok.webp", &wlen);

	(void)state;
	/* Padding, and (after a JPEG) a second whole JPEG, as cameras
	 * write a preview or depth map. */
	assert_int_equal(check_with_trailer(jpeg, jlen, zeros, sizeof(zeros)),
	    FILE_OK);
	assert_int_equal(check_with_trailer(jpeg, jlen, jpeg, jlen), FILE_OK);
	assert_int_equal(check_with_trailer(png, plen, zeros, 3), FILE_OK);
	/* Anything else is refused, for each format. */
	assert_int_equal(check_with_trailer(jpeg, jlen, (const unsigned char *)
	    "PK\x03\x04", 4), FILE_UNSAFE);
	assert_int_equal(check_with_trailer(jpeg, jlen, jpeg, jlen - 10),
	    FILE_UNSAFE);
	assert_int_equal(check_with_trailer(png, plen, png, plen), FILE_UNSAFE);
	assert_int_equal(check_with_trailer(webp, wlen, (const unsigned char *)
	    "junk", 4), FILE_UNSAFE);
	/* Cut short: damaged. */
	assert_int_equal(check_with_trailer(jpeg, jlen - 200, NULL, 0),
	    FILE_UNSAFE);
	assert_int_equal(check_with_trailer(png, plen - 5, NULL, 0),
	    FILE_UNSAFE);
	assert_int_equal(check_with_trailer(webp, wlen - 5, NULL, 0),
	    FILE_UNSAFE);
	free(jpeg);
	free(png);
	free(webp);
}

/* A w x h image written by libvips as format ("png", "jpeg"). */
static void *
make_image(const char *format, int w, int h, size_t *len)
{
	VipsImage *xyz, *rgb, *img;
	void *buf = NULL;
	int rc;

	assert_int_equal(vips_xyz(&xyz, w, h, NULL), 0);
	assert_int_equal(vips_bandjoin_const1(xyz, &rgb, 90, NULL), 0);
	assert_int_equal(vips_cast_uchar(rgb, &img, NULL), 0);
	g_object_unref(xyz);
	g_object_unref(rgb);
	if (strcmp(format, "png") == 0)
		rc = vips_pngsave_buffer(img, &buf, len, "compression", 1, NULL);
	else
		rc = vips_jpegsave_buffer(img, &buf, len, NULL);
	g_object_unref(img);
	assert_int_equal(rc, 0);
	return buf;
}

static void
test_lossless_webp_with_alpha_and_grey_png_keep_their_kind(void **state)
{
	struct arena *a = arena_new(4096);
	struct file_checked out;
	VipsImage *xyz, *four, *rgba, *grey, *grey16;
	void *webp, *png;
	size_t len;

	(void)state;
	/* A lossless WebP with alpha, as libvips writes it (VP8X, ALPH or
	 * VP8L), a made-up EXIF item given to it. */
	assert_int_equal(vips_xyz(&xyz, 64, 40, NULL), 0);
	assert_int_equal(vips_bandjoin_const(xyz, &four,
	    (double[]){ 90, 128 }, 2, NULL), 0);
	assert_int_equal(vips_cast_uchar(four, &rgba, NULL), 0);
	vips_image_set_string(rgba, "exif-ifd0-Make", "TestCam");
	assert_int_equal(vips_webpsave_buffer(rgba, &webp, &len, "lossless",
	    TRUE, NULL), 0);
	assert_int_equal(file_check(a, webp, len, FILE_KIND_IMAGE, "image/webp",
	    MAX_PIXELS, &out), FILE_OK);
	assert_string_equal(out.type, "image/webp");
	assert_true(contains(out.data, out.len, "VP8L"));
	assert_false(contains(out.data, out.len, "EXIF"));
	{
		static const struct photo_output as_is = { 100, true, 0 };
		struct photo p;
		long w, h;
		VipsImage *back;

		assert_int_equal(photo_reencode_as(a, out.data, out.len,
		    MAX_PIXELS, 10000, &as_is, &p, NULL, &w, &h), PHOTO_OK);
		assert_int_equal(vips_webpload_buffer((void *)out.data, out.len,
		    &back, NULL), 0);
		/* The alpha is still there. */
		assert_int_equal(vips_image_get_bands(back), 4);
		g_object_unref(back);
	}
	g_free(webp);
	/* A 16-bit grey PNG (an X-ray, say): a grey PNG still, of one band. */
	assert_int_equal(vips_extract_band(xyz, &grey, 0, NULL), 0);
	assert_int_equal(vips_cast_ushort(grey, &grey16, NULL), 0);
	grey16->Type = VIPS_INTERPRETATION_GREY16;
	assert_int_equal(vips_pngsave_buffer(grey16, &png, &len, NULL), 0);
	assert_int_equal(((unsigned char *)png)[24], 16);
	assert_int_equal(file_check(a, png, len, FILE_KIND_DOCUMENT, NULL,
	    MAX_PIXELS, &out), FILE_OK);
	assert_string_equal(out.type, "image/png");
	/* IHDR: 8 bits, colour type 0 (grey). */
	assert_int_equal(out.data[24], 8);
	assert_int_equal(out.data[25], 0);
	g_free(png);
	g_object_unref(xyz);
	g_object_unref(four);
	g_object_unref(rgba);
	g_object_unref(grey);
	g_object_unref(grey16);
	arena_free(a);
}

static void
test_sizes_kept_up_to_the_bound_and_thumbnail_fits(void **state)
{
	struct arena *a = arena_new(4096);
	struct file_checked out;
	size_t len;
	void *wide = make_image("png", 1000, 500, &len);
	void *long_one;

	(void)state;
	assert_int_equal(file_check(a, wide, len, FILE_KIND_IMAGE, NULL,
	    MAX_PIXELS, &out), FILE_OK);
	assert_int_equal(out.width, 1000);
	assert_int_equal(out.height, 500);
	assert_non_null(out.thumb);
	{
		struct photo p;
		long w, h;
		static const struct photo_output as_is = { 10000, true, 0 };

		/* The thumbnail, read back: 320 x 160. */
		assert_int_equal(photo_reencode_as(a, out.thumb, out.thumb_len,
		    MAX_PIXELS, 10000, &as_is, &p, NULL, &w, &h), PHOTO_OK);
		assert_int_equal(w, FILE_THUMB_SIDE);
		assert_int_equal(h, 160);
	}
	g_free(wide);
	/* Over FILE_MAX_SIDE: shrunk to it. */
	long_one = make_image("jpeg", 5000, 200, &len);
	assert_int_equal(file_check(a, long_one, len, FILE_KIND_DOCUMENT, NULL,
	    MAX_PIXELS, &out), FILE_OK);
	assert_int_equal(out.width, FILE_MAX_SIDE);
	assert_int_equal(out.height, 164);
	/* Too many pixels by the header. */
	assert_int_equal(file_check(a, long_one, len, FILE_KIND_IMAGE, NULL,
	    5000L * 200 - 1, &out), FILE_UNSAFE);
	assert_non_null(strstr(out.reason, "pixels"));
	g_free(long_one);
	arena_free(a);
}

static void
test_decoding_stops_at_the_deadline(void **state)
{
	struct arena *a = arena_new(4096);
	struct file_checked out;
	size_t len;
	void *png = make_image("png", 4000, 3000, &len);

	(void)state;
	assert_int_equal(file_check_within(a, png, len, FILE_KIND_IMAGE, NULL,
	    MAX_PIXELS, 1, &out), FILE_UNSAFE);
	assert_null(out.data);
	g_free(png);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest pdfs[] = {
		cmocka_unit_test(test_clean_pdf_is_kept_byte_for_byte),
		cmocka_unit_test(test_clean_pdfs_pass),
		cmocka_unit_test(test_javascript_refused_wherever_it_hides),
		cmocka_unit_test(test_other_active_content_refused),
		cmocka_unit_test(test_broken_encrypted_and_bombs_refused),
		cmocka_unit_test(test_pdf_read_apart_within_bounds),
		cmocka_unit_test(test_not_a_pdf_is_unsupported),
		cmocka_unit_test(test_declared_type_must_match_the_bytes),
	};
	const struct CMUnitTest images[] = {
		cmocka_unit_test(test_exif_jpeg_stored_without_metadata),
		cmocka_unit_test(test_png_stays_png_with_alpha_without_text),
		cmocka_unit_test(test_webp_stays_webp_without_exif_or_xmp),
		cmocka_unit_test(test_polyglots_refused),
		cmocka_unit_test(test_what_may_follow_an_image),
		cmocka_unit_test(test_lossless_webp_with_alpha_and_grey_png_keep_their_kind),
		cmocka_unit_test(test_sizes_kept_up_to_the_bound_and_thumbnail_fits),
		cmocka_unit_test(test_decoding_stops_at_the_deadline),
	};

	/* Images need libvips, started as a worker starts it; so does a
	 * declared-type check that gets as far as an image. */
	return cmocka_run_group_tests_name("filecheck pdf", pdfs, start_vips,
	    NULL) |
	    cmocka_run_group_tests_name("filecheck images", images, NULL,
	    stop_vips);
}
