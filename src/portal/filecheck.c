/*
 * filecheck.c - uploaded documents and images (filecheck.h): the type from
 * the bytes, the kind's and the declared type's say, then pdf_check() for
 * a PDF, or for an image photo.c's checks and a re-encoding in its own
 * format.
 *
 * An image is refused before any decoding when it carries markup
 * (photo_has_markup()) or bytes after its own end: a JPEG followed by a
 * ZIP or an HTML page is two files in one, whatever a browser or an
 * unzipper makes of it. What may follow an image is padding (zero bytes)
 * and, after a JPEG, further whole JPEGs (the Multi-Picture Format of
 * cameras and phones puts a preview or a depth map there). Re-encoding
 * would drop such bytes anyway; refusing says so rather than storing half
 * of what was sent.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "arena.h"
#include "filecheck.h"
#include "pdfcheck.h"
#include "photo.h"
#include "str.h"

static const char *const type_names[] = {
	[PHOTO_JPEG] = "image/jpeg",
	[PHOTO_PNG] = "image/png",
	[PHOTO_WEBP] = "image/webp",
};
#define PDF_TYPE "application/pdf"

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* True when the media type of the header value declared (before any ';',
 * blanks around it ignored, letters in any case) is name. */
static bool
declared_is(const char *declared, const char *name)
{
	const char *p = declared, *end;
	size_t n = strlen(name);

	while (*p == ' ' || *p == '\t')
		p++;
	for (end = p; *end != '\0' && *end != ';'; end++)
		;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - p) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)p[i]) != name[i])
			return false;
	return true;
}

/* True when declared names a type other than type (what the bytes are). */
static bool
declared_otherwise(const char *declared, const char *type)
{
	if (declared == NULL)
		return false;
	for (const char *p = declared; *p != ';' && *p != '\0'; p++)
		if (*p != ' ' && *p != '\t')
			goto named;
	return false;
named:
	if (declared_is(declared, "application/octet-stream") ||
	    declared_is(declared, type))
		return false;
	if (strcmp(type, "image/jpeg") == 0)
		return !declared_is(declared, "image/jpg") &&
		    !declared_is(declared, "image/pjpeg");
	if (strcmp(type, PDF_TYPE) == 0)
		return !declared_is(declared, "application/x-pdf");
	return true;
}

static void
hash_hex(char out[65], const unsigned char *data, size_t len)
{
	unsigned char hash[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(hash, data, len);
	str_hex(out, hash, sizeof(hash));
}

/* True when what follows an image's end (at) may: zero bytes, and after a
 * JPEG whole JPEGs. Each step consumes at least the JPEG it walks. */
static bool
trailer_allowed(const unsigned char *b, size_t len, size_t at,
    enum photo_kind kind)
{
	while (at < len) {
		size_t next;

		if (b[at] == 0) {
			at++;
			continue;
		}
		if (kind != PHOTO_JPEG ||
		    (next = photo_end(b + at, len - at)) == 0)
			return false;
		at += next;
	}
	return true;
}

static enum file_verdict
refuse(struct file_checked *out, enum file_verdict v, const char *reason)
{
	memset(out, 0, sizeof(*out));
	out->reason = reason;
	return v;
}

static enum file_verdict
check_pdf(const unsigned char *b, size_t len, long max_ms,
    struct file_checked *out)
{
	const char *reason = NULL;
	int v = pdf_check_in_child(b, len, max_ms, &reason);

	if (v == PDF_NOMEM)
		return refuse(out, FILE_NOMEM, reason);
	if (v != PDF_CLEAN)
		return refuse(out, FILE_UNSAFE, reason);
	out->data = b;
	out->len = len;
	out->type = PDF_TYPE;
	hash_hex(out->sha256, b, len);
	return FILE_OK;
}

static enum file_verdict
check_image(struct arena *a, const unsigned char *b, size_t len,
    enum photo_kind kind, long max_pixels, long max_ms,
    struct file_checked *out)
{
	/* A thumbnail for every image, filed as a document too: a review
	 * may file a patient's upload as an image after all. */
	const struct photo_output how = { FILE_MAX_SIDE, true, FILE_THUMB_SIDE };
	struct photo image, thumb;
	size_t end;
	long w, h;

	if (photo_has_markup(b, len))
		return refuse(out, FILE_UNSAFE, "The image also carries web "
		    "page or script code.");
	end = photo_end(b, len);
	if (end == 0)
		return refuse(out, FILE_UNSAFE, "The image is damaged or "
		    "incomplete.");
	if (!trailer_allowed(b, len, end, kind))
		return refuse(out, FILE_UNSAFE, "The file holds other data "
		    "after the end of the image.");
	switch (photo_reencode_as(a, b, len, max_pixels, max_ms, &how, &image,
	    &thumb, &w, &h)) {
	case PHOTO_OK:
		break;
	case PHOTO_MARKUP:
		return refuse(out, FILE_UNSAFE, "The image also carries web "
		    "page or script code.");
	case PHOTO_TOO_MANY_PIXELS: {
		const char *reason = arena_printf(a, "The image has too many "
		    "pixels (%ld x %ld; at most %ld in all).", w, h, max_pixels);

		return refuse(out, FILE_UNSAFE, reason ? reason :
		    "The image has too many pixels.");
	}
	case PHOTO_NOT_IMAGE:
	case PHOTO_DAMAGED:
		return refuse(out, FILE_UNSAFE, "The image is damaged or "
		    "incomplete, or too costly to decode.");
	case PHOTO_NOMEM:
	default:
		return refuse(out, FILE_NOMEM, "There was not enough memory "
		    "to check the image; try again later.");
	}
	out->data = image.data;
	out->len = image.len;
	out->type = image.type;
	memcpy(out->sha256, image.sha256, sizeof(out->sha256));
	out->width = image.width;
	out->height = image.height;
	if (thumb.data != NULL) {
		out->thumb = thumb.data;
		out->thumb_len = thumb.len;
		memcpy(out->thumb_sha256, thumb.sha256,
		    sizeof(out->thumb_sha256));
	}
	return FILE_OK;
}

enum file_verdict
file_check_within(struct arena *a, const void *buf, size_t len,
    enum file_kind kind, const char *declared, long max_pixels, long max_ms,
    struct file_checked *out)
{
	const unsigned char *b = buf;
	enum photo_kind image = photo_sniff(b, len);
	bool pdf = len >= 5 && memcmp(b, "%PDF-", 5) == 0;
	const char *type = pdf ? PDF_TYPE :
	    image != PHOTO_UNKNOWN ? type_names[image] : NULL;

	memset(out, 0, sizeof(*out));
	if (type == NULL)
		return refuse(out, FILE_UNSUPPORTED, kind == FILE_KIND_IMAGE ?
		    "The file is not a JPEG, PNG or WebP image." :
		    "The file is not a PDF, JPEG, PNG or WebP file.");
	if (pdf && kind == FILE_KIND_IMAGE)
		return refuse(out, FILE_UNSUPPORTED, "A PDF cannot be filed as "
		    "an image; images are JPEG, PNG or WebP.");
	if (declared_otherwise(declared, type))
		return refuse(out, FILE_UNSUPPORTED, "The file's content is not "
		    "of the type it was sent as.");
	if (pdf)
		return check_pdf(b, len, max_ms, out);
	return check_image(a, b, len, image, max_pixels, max_ms, out);
}

enum file_verdict
file_check(struct arena *a, const void *buf, size_t len, enum file_kind kind,
    const char *declared, long max_pixels, struct file_checked *out)
{
	return file_check_within(a, buf, len, kind, declared, max_pixels,
	    FILE_DECODE_SECONDS * 1000L, out);
}
