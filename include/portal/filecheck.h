/*
 * filecheck.h - what an uploaded document or image is, from its bytes
 * (never its name), and what of it may be stored (DESIGN.md section 13).
 *
 * A document may be a PDF, a JPEG, a PNG or a WebP; an image one of the
 * last three. A PDF is recognised by "%PDF-" at its start, the others by
 * photo_sniff(); anything else (SVG, HTML, scripts, ZIPs, ...) is not
 * supported. A PDF is read by pdf_check() in a child process
 * (pdf_check_in_child(), pdfcheck.h) and, when clean, kept byte for byte.
 * An image, whatever it was filed as, is refused when it carries markup or
 * other bytes after its end (a polyglot), is damaged, has too many pixels
 * or (a JPEG) too many scans; otherwise it is decoded and written again in
 * its own format without any metadata (EXIF, GPS, XMP, ICC, comments), at
 * most FILE_MAX_SIDE pixels a side, with a JPEG thumbnail of at most
 * FILE_THUMB_SIDE a side (an image filed as a document gets one too: a
 * review may file it as an image). libvips does that through photo.c;
 * photo_init() must have run in the process (a worker does it after
 * fork).
 */
#ifndef PORTAL_FILECHECK_H
#define PORTAL_FILECHECK_H

#include <stddef.h>

struct arena;

/* The longest side of a stored image (larger ones are shrunk). */
#define FILE_MAX_SIDE 4096
/* The longest side of a thumbnail. */
#define FILE_THUMB_SIDE 320
/* What decoding and re-encoding an image may take, thumbnail included, or
 * reading a PDF. */
#define FILE_DECODE_SECONDS 10

enum file_kind { FILE_KIND_DOCUMENT, FILE_KIND_IMAGE };

enum file_verdict {
	FILE_OK,
	FILE_UNSUPPORTED,	/* bytes not a type allowed for the kind, or not the
				 * declared Content-Type's type: 415 unsupported_media_type */
	FILE_UNSAFE,		/* allowed type but broken, truncated, active content,
				 * polyglot, too many pixels: 422 unsafe_content */
	FILE_NOMEM,		/* out of memory, or libvips not started: 503 */
};

struct file_checked {
	const unsigned char *data; size_t len;	/* what to store: the arena's
						 * (an image), or buf itself (a PDF) */
	const char *type;			/* "application/pdf", "image/jpeg", "image/png", "image/webp" */
	char sha256[65];			/* of data, lower-case hex */
	const unsigned char *thumb; size_t thumb_len;	/* any image, either kind (NULL
							 * for a PDF): JPEG, <= 320 px a side */
	char thumb_sha256[65];				/* "" without a thumbnail */
	int width, height;				/* images, as stored; 0 for PDF */
	const char *reason;	/* plain English words for the problem's detail
				 * (static or arena); NULL with FILE_OK */
};

/*
 * Checks the len bytes at buf, uploaded as kind with the request's
 * Content-Type declared (parameters ignored; NULL, "" or
 * "application/octet-stream" say nothing; "image/jpg" and "image/pjpeg"
 * are JPEG), and fills *out with what to store. max_pixels bounds an
 * image's width * height, read from its header before decoding (conf
 * photo_max_pixels). Returns FILE_OK, or FILE_UNSUPPORTED, FILE_UNSAFE or
 * FILE_NOMEM with out->reason saying why (and nothing else of *out set).
 * The first rule that applies decides: the type from the bytes, allowed
 * for the kind, then the declared type, then safety.
 */
enum file_verdict file_check(struct arena *a, const void *buf, size_t len,
    enum file_kind kind, const char *declared, long max_pixels,
    struct file_checked *out);

/* file_check() with a deadline of max_ms milliseconds instead of
 * FILE_DECODE_SECONDS (for tests). */
enum file_verdict file_check_within(struct arena *a, const void *buf,
    size_t len, enum file_kind kind, const char *declared, long max_pixels,
    long max_ms, struct file_checked *out);

#endif
