/*
 * filecheck_interim.c - INTERIM placeholder of file_check() (filecheck.h)
 * so that the documents feature builds and runs before the check helper's
 * filecheck.c and pdfcheck.cc land; dropped at merge.
 *
 * Images go through photo.c's photo_reencode() (sniffed, markup refused,
 * pixels bounded, re-encoded as a JPEG without metadata) and a 320-pixel
 * JPEG thumbnail is made from the re-encoded bytes. A PDF is accepted only
 * when it starts with "%PDF-", ends with "%%EOF" and none of its names
 * (read with #xx escapes decoded) is an active one. It does not look into
 * compressed streams: the real check (qpdf) does.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>
#include <vips/vips.h>

#include "arena.h"
#include "filecheck.h"
#include "photo.h"
#include "str.h"

#define THUMB_SIDE 320

static bool
has_bytes(const unsigned char *b, size_t n, const char *what, size_t wn)
{
	for (size_t i = 0; wn <= n && i + wn <= n; i++)
		if (memcmp(b + i, what, wn) == 0)
			return true;
	return false;
}

static int
hexval(int c)
{
	return str_hex_digit((char)c);
}

/* True when a PDF name (after '/', escapes decoded) is an active one. */
static bool
pdf_active_names(const unsigned char *b, size_t n)
{
	static const char *const bad[] = { "JavaScript", "JS", "Launch",
	    "EmbeddedFile", "EmbeddedFiles", "AA", "OpenAction", NULL };
	char name[64];

	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (b[i] != '/')
			continue;
		for (i++; i < n && k + 1 < sizeof(name); i++) {
			int c = b[i];

			if (c <= ' ' || strchr("/[]<>()%{}", c) != NULL)
				break;
			if (c == '#' && i + 2 < n && hexval(b[i + 1]) >= 0 &&
			    hexval(b[i + 2]) >= 0) {
				c = hexval(b[i + 1]) * 16 + hexval(b[i + 2]);
				i += 2;
			}
			name[k++] = (char)c;
		}
		name[k] = '\0';
		i--;
		for (int j = 0; bad[j] != NULL; j++)
			if (strcmp(name, bad[j]) == 0)
				return true;
	}
	return false;
}

static const char *
media_type(struct arena *a, const char *declared)
{
	const char *semi;

	if (declared == NULL || *declared == '\0')
		return NULL;
	semi = strchr(declared, ';');
	return semi == NULL ? declared :
	    arena_strndup(a, declared, (size_t)(semi - declared));
}

static void
hash(char out[65], const void *data, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	str_hex(out, h, sizeof(h));
}

static void
unref_buf(void *p)
{
	g_free(p);
}

static enum file_verdict
thumbnail(struct arena *a, struct file_checked *out)
{
	VipsImage *t = NULL;
	void *jpeg = NULL;
	size_t jpeg_len = 0;
	int rc;

	if (vips_thumbnail_buffer((void *)out->data, out->len, &t, THUMB_SIDE,
	    "height", THUMB_SIDE, "size", VIPS_SIZE_DOWN, NULL) != 0) {
		vips_error_clear();
		return FILE_UNSAFE;
	}
	rc = vips_jpegsave_buffer(t, &jpeg, &jpeg_len, "Q", 80,
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 15)
	    "keep", VIPS_FOREIGN_KEEP_NONE,
#else
	    "strip", TRUE,
#endif
	    NULL);
	g_object_unref(t);
	if (rc != 0) {
		vips_error_clear();
		return FILE_UNSAFE;
	}
	if (arena_cleanup_add(a, unref_buf, jpeg) != 0)
		return FILE_NOMEM;
	out->thumb = jpeg;
	out->thumb_len = jpeg_len;
	hash(out->thumb_sha256, jpeg, jpeg_len);
	return FILE_OK;
}

enum file_verdict
file_check(struct arena *a, const void *buf, size_t len, enum file_kind kind,
    const char *declared, long max_pixels, struct file_checked *out)
{
	const unsigned char *b = buf;
	const char *said = media_type(a, declared);
	enum photo_kind pk = photo_sniff(b, len);
	struct photo ph;
	long w, h;

	memset(out, 0, sizeof(*out));
	if (said != NULL && strcasecmp(said, "application/octet-stream") == 0)
		said = NULL;
	if (len >= 5 && memcmp(b, "%PDF-", 5) == 0) {
		if (kind != FILE_KIND_DOCUMENT ||
		    (said != NULL && strcasecmp(said, "application/pdf") != 0)) {
			out->reason = "Only JPEG, PNG and WebP images are allowed.";
			return FILE_UNSUPPORTED;
		}
		if (!has_bytes(len > 1024 ? b + len - 1024 : b,
		    len > 1024 ? 1024 : len, "%%EOF", 5)) {
			out->reason = "The PDF is damaged or incomplete.";
			return FILE_UNSAFE;
		}
		if (pdf_active_names(b, len)) {
			out->reason = "The PDF carries active content "
			    "(JavaScript, actions or embedded files).";
			return FILE_UNSAFE;
		}
		out->data = b;
		out->len = len;
		out->type = "application/pdf";
		hash(out->sha256, b, len);
		return FILE_OK;
	}
	if (pk == PHOTO_UNKNOWN) {
		out->reason = kind == FILE_KIND_DOCUMENT ?
		    "A document must be a PDF, JPEG, PNG or WebP file." :
		    "An image must be a JPEG, PNG or WebP file.";
		return FILE_UNSUPPORTED;
	}
	if (said != NULL && strcasecmp(said, pk == PHOTO_JPEG ? "image/jpeg" :
	    pk == PHOTO_PNG ? "image/png" : "image/webp") != 0 &&
	    !(pk == PHOTO_JPEG && strcasecmp(said, "image/jpg") == 0)) {
		out->reason = "The file is not of the type it was declared as.";
		return FILE_UNSUPPORTED;
	}
	if (has_bytes(b, len, "PK\x03\x04", 4) || has_bytes(b, len, "PK\x05\x06", 4)) {
		out->reason = "The image also carries an archive.";
		return FILE_UNSAFE;
	}
	switch (photo_reencode(a, buf, len, max_pixels, &ph, &w, &h)) {
	case PHOTO_OK:
		break;
	case PHOTO_NOT_IMAGE:
		out->reason = "Not a JPEG, PNG or WebP image.";
		return FILE_UNSUPPORTED;
	case PHOTO_MARKUP:
		out->reason = "The image also carries web page or script content.";
		return FILE_UNSAFE;
	case PHOTO_TOO_MANY_PIXELS:
		out->reason = "The image has too many pixels.";
		return FILE_UNSAFE;
	case PHOTO_DAMAGED:
		out->reason = "The image is damaged or incomplete.";
		return FILE_UNSAFE;
	case PHOTO_NOMEM:
		return FILE_NOMEM;
	}
	out->data = ph.data;
	out->len = ph.len;
	out->type = ph.type;
	out->width = ph.width;
	out->height = ph.height;
	memcpy(out->sha256, ph.sha256, sizeof(out->sha256));
	if (kind == FILE_KIND_IMAGE)
		return thumbnail(a, out);
	return FILE_OK;
}
