/*
 * filecheck.h - what an uploaded file is, from its bytes (DESIGN.md
 * section 13): the type allowed for its kind, refused when broken or
 * carrying active content, images re-encoded without metadata and given
 * a thumbnail. (Interface fixed by doc-plan.md; owner: the check helper.)
 */
#ifndef PORTAL_FILECHECK_H
#define PORTAL_FILECHECK_H

#include <stddef.h>

struct arena;

enum file_kind { FILE_KIND_DOCUMENT, FILE_KIND_IMAGE };
enum file_verdict {
	FILE_OK,
	FILE_UNSUPPORTED,	/* bytes not a type allowed for the kind, or not the
				 * declared Content-Type's type: 415 unsupported_media_type */
	FILE_UNSAFE,		/* allowed type but broken, truncated, active content,
				 * polyglot, too many pixels: 422 unsafe_content */
	FILE_NOMEM,
};
struct file_checked {
	const unsigned char *data; size_t len;	/* what to store (arena) */
	const char *type;			/* "application/pdf", "image/jpeg", "image/png", "image/webp" */
	char sha256[65];
	const unsigned char *thumb; size_t thumb_len;	/* images (kind IMAGE) only: JPEG, <= 320 px a side */
	char thumb_sha256[65];				/* "" without a thumbnail */
	int width, height;				/* images; 0 for PDF */
	const char *reason;	/* plain English words for the problem's detail (static or arena) */
};
/* declared: the request's Content-Type (parameters ignored; NULL or
 * "application/octet-stream" means "say nothing"). Documents: PDF (kept byte for byte
 * after pdfcheck), JPEG/PNG/WebP (re-encoded without metadata, no thumbnail needed but
 * allowed); images: JPEG/PNG/WebP only, re-encoded without metadata + thumbnail.
 * max_pixels bounds width*height before decoding (conf photo_max_pixels). Uses libvips
 * like photo.c (photo_init() already runs in each worker). */
enum file_verdict file_check(struct arena *a, const void *buf, size_t len,
    enum file_kind kind, const char *declared, long max_pixels, struct file_checked *out);

#endif
