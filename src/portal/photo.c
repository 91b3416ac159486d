/*
 * photo.c - profile photos (photo.h): recognising an upload from its
 * bytes, refusing markup and pixel bombs, re-encoding with libvips so that
 * only pixels survive, and storing the result by content hash through the
 * file store (filestore.h), the one writer of uploaded files.
 *
 * Order matters: the type is sniffed and the markup scan runs over the raw
 * bytes first; a JPEG's scans are counted; then only the loader of the
 * sniffed format reads the header (libvips decodes lazily, so nothing but
 * the header is parsed) and the pixel count is checked; only then is the
 * image decoded, by that same loader (shrinking a JPEG or WebP while
 * decoding), and vips_thumbnail_image() fits it in PHOTO_MAX_SIDE. No
 * libvips call ever guesses the format again, and every other loader is
 * blocked in the process (photo_init()).
 *
 * Decoding time is bounded twice. libjpeg reads every scan of a
 * progressive JPEG in one call before the first row comes out, and each
 * scan costs a pass over the whole image, so a small file of thousands of
 * scans holds a worker for a minute; nothing can interrupt that call, so
 * such a file is refused from its markers before decoding. The rest of the
 * work runs row by row, and an eval callback kills it past a deadline.
 *
 * The markup scan walks the container (JPEG segments, PNG chunks, RIFF
 * chunks) and skips the compressed pixel data, where any byte sequence
 * occurs by chance: a payload hides in comments, metadata or after the
 * end of the image, and those are what it reads.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>
#include <vips/vips.h>

#include "arena.h"
#include "filestore.h"
#include "log.h"
#include "photo.h"
#include "str.h"

#define JPEG_QUALITY 85

static bool vips_ready;

bool
photo_init(void)
{
	if (vips_ready)
		return true;
	if (VIPS_INIT("portal-api") != 0) {
		log_error("photo: libvips did not start: %s", vips_error_buffer());
		vips_error_clear();
		return false;
	}
	/* A worker handles one request at a time: no cache of operations
	 * (it would keep decoded uploads alive), one thread, and only the
	 * loaders libvips itself trusts with hostile input. */
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_concurrency_set(1);
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 13)
	/* Every loader is blocked but the three buffer loaders called by
	 * name below; nothing here detects a format, this is in case
	 * something ever does. Before 8.13 there is no block list, and the
	 * named loaders are the only ones we reach. */
	vips_block_untrusted_set(TRUE);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	vips_operation_block_set("VipsForeignLoadJpegBuffer", FALSE);
	vips_operation_block_set("VipsForeignLoadPngBuffer", FALSE);
	vips_operation_block_set("VipsForeignLoadWebpBuffer", FALSE);
#endif
	vips_ready = true;
	return true;
}

void
photo_shutdown(void)
{
	if (!vips_ready)
		return;
	vips_shutdown();
	vips_ready = false;
}

enum photo_kind
photo_sniff(const unsigned char *b, size_t n)
{
	if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
		return PHOTO_JPEG;
	if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return PHOTO_PNG;
	if (n >= 16 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0 &&
	    (memcmp(b + 12, "VP8 ", 4) == 0 || memcmp(b + 12, "VP8L", 4) == 0 ||
	    memcmp(b + 12, "VP8X", 4) == 0))
		return PHOTO_WEBP;
	return PHOTO_UNKNOWN;
}

/* Tags and schemes a browser would act on; compared without case. */
static const char *const markup[] = {
	"<script", "<html", "<!doctype", "<svg", "<body", "<head", "<iframe",
	"<object", "<embed", "<?php", "<img", "<meta", "<style", "<link",
	"<form", "<base", "javascript:",
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* True when p[0..n) holds one of the markup strings. */
static bool
scan(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = lower(p[i]);

		if (c != '<' && c != 'j')
			continue;
		for (size_t k = 0; k < sizeof(markup) / sizeof(markup[0]); k++) {
			const char *m = markup[k];
			size_t len = strlen(m), j;

			if (len > n - i)
				continue;
			for (j = 0; j < len && lower(p[i + j]) == m[j]; j++)
				;
			if (j == len)
				return true;
		}
	}
	return false;
}

static bool
jpeg_markup(const unsigned char *b, size_t n)
{
	size_t i = 2;

	while (i + 4 <= n) {
		unsigned m, seglen;

		if (b[i] != 0xFF)
			return scan(b + i, n - i);
		m = b[i + 1];
		if (m == 0xFF) {		/* fill byte */
			i++;
			continue;
		}
		if (m == 0xD9)			/* end of image: what follows */
			return scan(b + i + 2, n - i - 2);
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
			i += 2;
			continue;
		}
		seglen = (unsigned)b[i + 2] << 8 | b[i + 3];
		if (seglen < 2 || seglen > n - i - 2)
			return scan(b + i, n - i);
		if (scan(b + i + 4, seglen - 2))
			return true;
		i += 2 + seglen;
		if (m == 0xDA) {
			/* Entropy-coded data up to the next marker (not a
			 * stuffed 0xFF00, not a restart marker). */
			while (i + 1 < n && !(b[i] == 0xFF && b[i + 1] != 0 &&
			    !(b[i + 1] >= 0xD0 && b[i + 1] <= 0xD7)))
				i++;
		}
	}
	return scan(b + i, n - i);
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static bool
png_markup(const unsigned char *b, size_t n)
{
	size_t i = 8;

	while (i + 12 <= n) {
		uint32_t clen = be32(b + i);
		const unsigned char *type = b + i + 4;

		if (clen > n - i - 12)
			return scan(b + i, n - i);
		if (memcmp(type, "IDAT", 4) != 0 && scan(b + i + 8, clen))
			return true;
		i += 12 + (size_t)clen;
		if (memcmp(type, "IEND", 4) == 0)
			break;
	}
	return scan(b + i, n - i);
}

static bool
webp_markup(const unsigned char *b, size_t n)
{
	size_t i = 12;

	while (i + 8 <= n) {
		const unsigned char *cc = b + i;
		uint32_t clen = le32(b + i + 4);
		size_t padded = (size_t)clen + (clen & 1);

		if (clen > n - i - 8)
			return scan(b + i, n - i);
		if (memcmp(cc, "VP8 ", 4) != 0 && memcmp(cc, "VP8L", 4) != 0 &&
		    memcmp(cc, "ALPH", 4) != 0 && memcmp(cc, "ANMF", 4) != 0 &&
		    scan(b + i + 8, clen))
			return true;
		if (padded > n - i - 8)
			break;
		i += 8 + padded;
	}
	return i < n && scan(b + i, n - i);
}

bool
photo_has_markup(const unsigned char *buf, size_t len)
{
	switch (photo_sniff(buf, len)) {
	case PHOTO_JPEG:
		return jpeg_markup(buf, len);
	case PHOTO_PNG:
		return png_markup(buf, len);
	case PHOTO_WEBP:
		return webp_markup(buf, len);
	case PHOTO_UNKNOWN:
		break;
	}
	return scan(buf, len);
}

/* Walks the JPEG in b[0..n) as libjpeg finds its markers; *scans is
 * the number of SOS markers met. Returns where the image ends (just after
 * its EOI), or 0 when it has none within n. */
static size_t
jpeg_walk(const unsigned char *b, size_t n, unsigned *scans)
{
	size_t i = 2;

	*scans = 0;
	if (photo_sniff(b, n) != PHOTO_JPEG)
		return 0;
	/* The markers as libjpeg finds them: bytes before a marker are
	 * skipped (with a warning, not an error), and so is entropy-coded
	 * data, where 0xFF is followed by 0 (stuffing) or by a marker; a
	 * segment's payload is skipped by its length. */
	while (i < n) {
		unsigned m, seglen;

		if (b[i] != 0xFF) {
			i++;
			continue;
		}
		while (i + 1 < n && b[i + 1] == 0xFF)	/* fill bytes */
			i++;
		if (i + 1 >= n)
			break;
		m = b[i + 1];
		i += 2;
		/* Stuffing, TEM and restart markers have no length. */
		if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue;
		/* End of image: libjpeg reads no further. */
		if (m == 0xD9)
			return i;
		/* A second SOI is an error to libjpeg. */
		if (m == 0xD8 || i + 2 > n)
			break;
		seglen = (unsigned)b[i] << 8 | b[i + 1];
		if (seglen < 2)
			break;
		if (m == 0xDA)
			(*scans)++;
		i += seglen;
	}
	return 0;
}

unsigned
photo_jpeg_scans(const unsigned char *b, size_t n)
{
	unsigned scans;

	(void)jpeg_walk(b, n, &scans);
	return scans;
}

/* Where a PNG ends: after its IEND chunk; 0 when no IEND is within n. */
static size_t
png_end(const unsigned char *b, size_t n)
{
	size_t i = 8;

	while (i + 12 <= n) {
		uint32_t clen = be32(b + i);

		if (clen > n - i - 12)
			return 0;
		i += 12 + (size_t)clen;
		if (memcmp(b + i - clen - 8, "IEND", 4) == 0)
			return i;
	}
	return 0;
}

size_t
photo_end(const unsigned char *buf, size_t len)
{
	unsigned scans;
	uint32_t riff;

	switch (photo_sniff(buf, len)) {
	case PHOTO_JPEG:
		return jpeg_walk(buf, len, &scans);
	case PHOTO_PNG:
		return png_end(buf, len);
	case PHOTO_WEBP:
		/* The RIFF header's size counts what follows it, padded to
		 * an even length. */
		riff = le32(buf + 4);
		if (riff > len - 8)
			return 0;
		return 8 + (size_t)riff + ((riff & 1) && 8 + (size_t)riff < len);
	case PHOTO_UNKNOWN:
		break;
	}
	return 0;
}

/* Logs and clears what libvips said went wrong. */
static void
log_vips_error(const char *what)
{
	const char *msg = vips_error_buffer();
	char line[512];
	size_t n = 0;

	/* One line, control characters out. */
	for (const char *c = msg; *c != '\0' && n + 1 < sizeof(line); c++)
		line[n++] = (unsigned char)*c < 0x20 ? ' ' : *c;
	line[n] = '\0';
	log_warn("photo: %s: %s", what, line);
	vips_error_clear();
}

/*
 * Opens buf with the loader of its kind, lazily: nothing but the header is
 * read until pixels are asked for. factor is how much the image will be
 * shrunk (1 for none): a JPEG is then shrunk while decoding by 2, 4 or 8
 * (at most half of factor, so that vips_thumbnail_image() still resizes by
 * two or more, for quality, as vips_thumbnail() does), a WebP scaled by
 * 1 / factor. A truncated or corrupt image is an error, not grey pixels.
 */
static int
load(enum photo_kind kind, const void *buf, size_t len, double factor,
    VipsImage **img)
{
	void *b = (void *)(uintptr_t)buf;
	int shrink = factor >= 16 ? 8 : factor >= 8 ? 4 : factor >= 4 ? 2 : 1;

	switch (kind) {
	case PHOTO_JPEG:
		return vips_jpegload_buffer(b, len, img, "access",
		    VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR,
		    "shrink", shrink, NULL);
	case PHOTO_PNG:
		return vips_pngload_buffer(b, len, img, "access",
		    VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
	case PHOTO_WEBP:
		return vips_webpload_buffer(b, len, img, "access",
		    VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR,
		    "scale", factor > 1 ? 1 / factor : 1.0, NULL);
	case PHOTO_UNKNOWN:
		break;
	}
	return -1;
}

static void
unref(void *obj)
{
	if (obj != NULL)
		g_object_unref(obj);
}

static void
free_gbuf(void *p)
{
	g_free(p);
}

/* When decoding must stop; passed is set once it has been stopped. */
struct deadline {
	gint64 at;		/* g_get_monotonic_time() microseconds */
	bool passed;
};

/* libvips calls this after each strip it computes, on the image where
 * progress was switched on; killing that image fails every later request
 * for its pixels, and with it the whole pipeline. */
static void
on_eval(VipsImage *image, VipsProgress *progress, void *data)
{
	struct deadline *d = data;

	(void)progress;
	if (g_get_monotonic_time() >= d->at) {
		d->passed = true;
		vips_image_set_kill(image, TRUE);
	}
}

/* True when the WebP in b[0..n) is lossless: its first image chunk is
 * VP8L, not VP8. */
static bool
webp_lossless(const unsigned char *b, size_t n)
{
	size_t i = 12;

	while (i + 8 <= n) {
		uint32_t clen = le32(b + i + 4);

		if (memcmp(b + i, "VP8L", 4) == 0)
			return true;
		if (memcmp(b + i, "VP8 ", 4) == 0 || clen > n - i - 8)
			return false;
		i += 8 + (size_t)clen + (clen & 1);
	}
	return false;
}

/* Writes img as a file of the kind to, without metadata: a JPEG flattened
 * on white, a PNG or WebP with its alpha; lossless a WebP that was. The
 * buffer is g_malloc'ed. */
static int
write_file(VipsImage *img, enum photo_kind to, bool lossless, void **buf,
    size_t *len)
{
	switch (to) {
	case PHOTO_JPEG:
		return vips_jpegsave_buffer(img, buf, len, "Q", JPEG_QUALITY,
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 15)
		    "keep", VIPS_FOREIGN_KEEP_NONE,
#else
		    "strip", TRUE,
#endif
		    "optimize_coding", TRUE, NULL);
	case PHOTO_PNG:
		return vips_pngsave_buffer(img, buf, len,
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 15)
		    "keep", VIPS_FOREIGN_KEEP_NONE,
#else
		    "strip", TRUE,
#endif
		    NULL);
	case PHOTO_WEBP:
		return vips_webpsave_buffer(img, buf, len, "Q", JPEG_QUALITY,
		    "lossless", lossless,
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 15)
		    "keep", VIPS_FOREIGN_KEEP_NONE,
#else
		    "strip", TRUE,
#endif
		    NULL);
	case PHOTO_UNKNOWN:
		break;
	}
	return -1;
}

/* Takes the EXIF, XMP and ICCP chunks out of the WebP in b[0..*n), in
 * place, clearing their flags in its VP8X header and fixing the RIFF
 * size. The file is libvips's own, well formed; a chunk running past the
 * end stops the walk there. */
static void
webp_drop_metadata(unsigned char *b, size_t *n)
{
	size_t i = 12, kept = 12, vp8x = 0;

	while (i + 8 <= *n) {
		uint32_t clen = le32(b + i + 4);
		size_t whole = 8 + (size_t)clen + (clen & 1);

		if (whole > *n - i)
			whole = *n - i;
		if (memcmp(b + i, "EXIF", 4) != 0 &&
		    memcmp(b + i, "XMP ", 4) != 0 &&
		    memcmp(b + i, "ICCP", 4) != 0) {
			if (memcmp(b + i, "VP8X", 4) == 0 && clen >= 4)
				vp8x = kept;
			memmove(b + kept, b + i, whole);
			kept += whole;
		}
		i += whole;
	}
	/* VP8X flags: ICC 0x20, EXIF 0x08, XMP 0x04. */
	if (vp8x != 0)
		b[vp8x + 8] &= (unsigned char)~(0x20 | 0x08 | 0x04);
	b[4] = (unsigned char)(kept - 8);
	b[5] = (unsigned char)((kept - 8) >> 8);
	b[6] = (unsigned char)((kept - 8) >> 16);
	b[7] = (unsigned char)((kept - 8) >> 24);
	*n = kept;
}

/* write_file() of a copy of img with every metadata item removed first:
 * the savers' own "strip" is not enough (libvips 8.14's WebP saver writes
 * an EXIF chunk of its own, and XMP it was given, regardless), so a WebP
 * also loses those chunks after. */
static int
save(VipsImage *img, enum photo_kind to, bool lossless, void **buf,
    size_t *len)
{
	VipsImage *bare = NULL;
	gchar **fields;
	int rc;

	if (vips_copy(img, &bare, NULL) != 0)
		return -1;
	/* The built-in fields (width, bands, ...) cannot be removed and
	 * are left; everything else goes. */
	fields = vips_image_get_fields(bare);
	for (gchar **f = fields; f != NULL && *f != NULL; f++)
		(void)vips_image_remove(bare, *f);
	g_strfreev(fields);
	rc = write_file(bare, to, lossless, buf, len);
	g_object_unref(bare);
	if (rc == 0 && to == PHOTO_WEBP && photo_sniff(*buf, *len) == PHOTO_WEBP)
		webp_drop_metadata(*buf, len);
	return rc;
}

static const char *
kind_type(enum photo_kind kind)
{
	return kind == PHOTO_PNG ? "image/png" : kind == PHOTO_WEBP ?
	    "image/webp" : "image/jpeg";
}

/* Decodes buf (w x h by its header) with its own loader, shrinks it to
 * fit max_side, converts it to sRGB (grey stays grey in a PNG) and writes
 * it as a file of the kind to without metadata, stopping at the monotonic
 * time at (max_ms after the start, for the log). Every image made here
 * belongs to the arena's cleanups. */
static enum photo_verdict
encode(struct arena *a, enum photo_kind kind, const void *buf, size_t len,
    long w, long h, int max_side, enum photo_kind to, bool lossless,
    gint64 at, long max_ms, struct photo *out)
{
	VipsImage *in = NULL, *thumb = NULL, *flat = NULL, *conv = NULL;
	struct deadline *deadline = arena_alloc(a, sizeof(*deadline));
	VipsInterpretation space = VIPS_INTERPRETATION_sRGB;
	void *file = NULL;
	size_t file_len = 0;
	VipsArrayDouble *white;
	double bg[3] = { 255, 255, 255 };
	int rc;

	if (deadline == NULL)
		return PHOTO_NOMEM;
	if (load(kind, buf, len, (double)(w > h ? w : h) / max_side,
	    &in) != 0) {
		log_vips_error("decode");
		return PHOTO_DAMAGED;
	}
	/* On failure the cleanup has run already. */
	if (arena_cleanup_add(a, unref, in) != 0)
		return PHOTO_NOMEM;
	/* Every image made from in reports its progress on in. */
	deadline->at = at;
	deadline->passed = false;
	vips_image_set_progress(in, TRUE);
	g_signal_connect(in, "eval", G_CALLBACK(on_eval), deadline);
	/* Applies the EXIF orientation and shrinks to fit; it never loads
	 * anything itself. */
	if (vips_thumbnail_image(in, &thumb, max_side, "height", max_side,
	    "size", VIPS_SIZE_DOWN, NULL) != 0) {
		log_vips_error("thumbnail");
		return PHOTO_DAMAGED;
	}
	/* On failure the cleanup has run already. */
	if (arena_cleanup_add(a, unref, thumb) != 0)
		return PHOTO_NOMEM;
	if (to == PHOTO_JPEG && vips_image_hasalpha(thumb)) {
		white = vips_array_double_new(bg, 3);
		rc = vips_flatten(thumb, &flat, "background", white, NULL);
		vips_area_unref(VIPS_AREA(white));
		if (rc != 0) {
			log_vips_error("flatten");
			return PHOTO_DAMAGED;
		}
		/* On failure the cleanup has run already. */
		if (arena_cleanup_add(a, unref, flat) != 0)
			return PHOTO_NOMEM;
	}
	if (to == PHOTO_PNG &&
	    (vips_image_guess_interpretation(thumb) == VIPS_INTERPRETATION_B_W ||
	    vips_image_guess_interpretation(thumb) == VIPS_INTERPRETATION_GREY16))
		space = VIPS_INTERPRETATION_B_W;
	if (vips_colourspace(flat ? flat : thumb, &conv, space, NULL) != 0) {
		log_vips_error("colourspace");
		return PHOTO_DAMAGED;
	}
	/* On failure the cleanup has run already. */
	if (arena_cleanup_add(a, unref, conv) != 0)
		return PHOTO_NOMEM;
	/* Decoding happens here, strip by strip: a damaged stream fails now,
	 * and so does one that takes too long. */
	if (save(conv, to, lossless, &file, &file_len) != 0) {
		if (deadline->passed) {
			log_warn("photo: decoding took more than %ld ms; "
			    "stopped", max_ms);
			vips_error_clear();
		} else {
			log_vips_error("encode");
		}
		return PHOTO_DAMAGED;
	}
	/* On failure the cleanup has run already. */
	if (arena_cleanup_add(a, free_gbuf, file) != 0)
		return PHOTO_NOMEM;
	out->data = file;
	out->len = file_len;
	out->type = kind_type(to);
	out->width = vips_image_get_width(conv);
	out->height = vips_image_get_height(conv);
	{
		unsigned char hash[crypto_hash_sha256_BYTES];

		crypto_hash_sha256(hash, file, file_len);
		str_hex(out->sha256, hash, sizeof(hash));
	}
	return PHOTO_OK;
}

enum photo_verdict
photo_reencode_as(struct arena *a, const void *buf, size_t len,
    long max_pixels, long max_ms, const struct photo_output *how,
    struct photo *out, struct photo *thumb, long *width, long *height)
{
	enum photo_kind kind = photo_sniff(buf, len), to;
	VipsImage *header = NULL;
	enum photo_verdict v;
	unsigned scans;
	gint64 at;
	long w, h;

	*width = *height = 0;
	memset(out, 0, sizeof(*out));
	if (thumb != NULL)
		memset(thumb, 0, sizeof(*thumb));
	if (kind == PHOTO_UNKNOWN)
		return PHOTO_NOT_IMAGE;
	if (photo_has_markup(buf, len))
		return PHOTO_MARKUP;
	if (kind == PHOTO_JPEG &&
	    (scans = photo_jpeg_scans(buf, len)) > PHOTO_MAX_JPEG_SCANS) {
		log_warn("photo: a JPEG of %u scans (at most %d); refused",
		    scans, PHOTO_MAX_JPEG_SCANS);
		return PHOTO_DAMAGED;
	}
	if (!vips_ready)
		return PHOTO_NOMEM;
	if (load(kind, buf, len, 1, &header) != 0) {
		log_vips_error("header");
		return PHOTO_DAMAGED;
	}
	w = vips_image_get_width(header);
	h = vips_image_get_height(header);
	g_object_unref(header);
	*width = w;
	*height = h;
	/* Both are at most VIPS_MAX_COORD (10 million): no overflow. */
	if (w <= 0 || h <= 0 || w * h > max_pixels)
		return w <= 0 || h <= 0 ? PHOTO_DAMAGED : PHOTO_TOO_MANY_PIXELS;
	to = how->same_format ? kind : PHOTO_JPEG;
	at = g_get_monotonic_time() + (gint64)max_ms * 1000;
	v = encode(a, kind, buf, len, w, h, how->max_side, to,
	    to == PHOTO_WEBP && webp_lossless(buf, len), at, max_ms, out);
	/* The thumbnail is made from the clean image just written: upright
	 * already, no metadata, and never larger than the upload. */
	if (v == PHOTO_OK && how->thumb_side > 0 && thumb != NULL)
		v = encode(a, to, out->data, out->len, out->width, out->height,
		    how->thumb_side, PHOTO_JPEG, false, at, max_ms, thumb);
	if (v != PHOTO_OK) {
		memset(out, 0, sizeof(*out));
		if (thumb != NULL)
			memset(thumb, 0, sizeof(*thumb));
	}
	vips_error_clear();
	return v;
}

enum photo_verdict
photo_reencode_within(struct arena *a, const void *buf, size_t len,
    long max_pixels, long max_ms, struct photo *out, long *width,
    long *height)
{
	static const struct photo_output profile = { PHOTO_MAX_SIDE, false, 0 };

	return photo_reencode_as(a, buf, len, max_pixels, max_ms, &profile,
	    out, NULL, width, height);
}

enum photo_verdict
photo_reencode(struct arena *a, const void *buf, size_t len, long max_pixels,
    struct photo *out, long *width, long *height)
{
	return photo_reencode_within(a, buf, len, max_pixels,
	    PHOTO_DECODE_SECONDS * 1000L, out, width, height);
}

static const char *
extension(const char *type)
{
	if (strcmp(type, "image/jpeg") == 0)
		return "jpg";
	if (strcmp(type, "image/png") == 0)
		return "png";
	if (strcmp(type, "image/webp") == 0)
		return "webp";
	return NULL;
}

const char *
photo_path(struct arena *a, const char *clinic_id, const char *sha256,
    const char *type)
{
	const char *ext = type ? extension(type) : NULL;

	/* Every part is checked: none can climb out of the files directory. */
	if (ext == NULL || clinic_id == NULL || !str_is_uuid(clinic_id) ||
	    !filestore_is_sha256(sha256))
		return NULL;
	return arena_printf(a, "photos/%s/%.2s/%s.%s", clinic_id, sha256,
	    sha256, ext);
}

enum err
photo_store(struct arena *a, const char *files_dir, const char *clinic_id,
    const struct photo *p)
{
	const char *rel = photo_path(a, clinic_id, p->sha256, p->type);

	if (rel == NULL)
		return ERR_NOMEM;
	return filestore_write(a, files_dir, rel, p->data, p->len);
}

enum err
photo_remove(struct arena *a, const char *files_dir, const char *clinic_id,
    const char *sha256, const char *type)
{
	const char *rel = photo_path(a, clinic_id, sha256, type);

	if (rel == NULL)
		return ERR_NOMEM;
	return filestore_remove(a, files_dir, rel);
}

bool
photo_exists(struct arena *a, const char *files_dir, const char *clinic_id,
    const char *sha256, const char *type)
{
	const char *rel = photo_path(a, clinic_id, sha256, type);

	return rel != NULL && filestore_rel_exists(a, files_dir, rel);
}
