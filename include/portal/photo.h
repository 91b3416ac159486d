/*
 * photo.h - profile photos: what an upload is (from its bytes, never its
 * name or Content-Type), re-encoding it without metadata, and storing it
 * by content hash under the files directory.
 *
 * An upload is accepted only as JPEG, PNG or WebP recognised from its
 * magic bytes, and decoded only by the loader of that format; its pixel
 * count is read from the header and checked before any pixel is decoded,
 * and a JPEG's number of scans from its markers; it is then decoded,
 * within a deadline, and written again as a JPEG of at most
 * PHOTO_MAX_SIDE pixels a side, with no metadata at all (EXIF, GPS, XMP,
 * ICC, comments), so that only pixels survive. libvips does the work;
 * photo_init() must run once in each process that calls photo_reencode()
 * (a worker, after fork).
 */
#ifndef PORTAL_PHOTO_H
#define PORTAL_PHOTO_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct arena;

#define PHOTO_MAX_SIDE 1024
#define PHOTO_SHA256_HEX 65	/* 64 hex digits and a NUL */
/* A progressive JPEG of more scans is refused before decoding: libjpeg
 * reads all of them before the first row, each a pass over the whole
 * image, and nothing can stop it meanwhile. Encoders write about 10. */
#define PHOTO_MAX_JPEG_SCANS 100
/* What photo_reencode() gives decoding and re-encoding: an 8 MB PNG of
 * 40 megapixels took 4.4 s on a busy core of a 2-core test machine. */
#define PHOTO_DECODE_SECONDS 10

enum photo_kind { PHOTO_UNKNOWN, PHOTO_JPEG, PHOTO_PNG, PHOTO_WEBP };

/* Why photo_reencode() refused an upload, or PHOTO_OK. */
enum photo_verdict {
	PHOTO_OK,
	PHOTO_NOT_IMAGE,	/* not JPEG, PNG or WebP by its bytes */
	PHOTO_MARKUP,		/* an image that also carries HTML or script */
	PHOTO_TOO_MANY_PIXELS,	/* the header declares more than allowed */
	PHOTO_DAMAGED,		/* truncated or corrupt: it does not decode;
				 * or it would take too long to: over
				 * PHOTO_MAX_JPEG_SCANS, or past the deadline */
	PHOTO_NOMEM,		/* out of memory, or libvips failed otherwise */
};

/* Starts libvips for this process (no operation cache, one thread, and
 * from libvips 8.13 on every loader blocked but those of JPEG, PNG and
 * WebP from memory). False when it cannot; the worker then refuses
 * uploads with 503 rather than stopping. */
bool photo_init(void);

/* Stops libvips; safe when photo_init() was never called. */
void photo_shutdown(void);

/* The image format the first bytes of buf announce. */
enum photo_kind photo_sniff(const unsigned char *buf, size_t len);

/* True when buf holds a tag or scheme a browser would run as HTML or
 * script ("<script", "<html", "<svg", "javascript:", ...), anywhere,
 * letters in any case. */
bool photo_has_markup(const unsigned char *buf, size_t len);

/* The number of scans (SOS markers) of the JPEG in buf, as libjpeg would
 * find them: segments skipped by their length, entropy-coded data and
 * stray bytes skipped up to the next marker, nothing after EOI. 0 when buf
 * is not a JPEG. */
unsigned photo_jpeg_scans(const unsigned char *buf, size_t len);

/* Where the image in buf ends by its own container: just after a JPEG's
 * EOI (found as photo_jpeg_scans() walks), a PNG's IEND chunk, or the
 * size a WebP's RIFF header gives (and its pad byte). 0 when buf is no
 * image or the image does not end within len (it is truncated). What
 * lies between that end and len is no part of the image. */
size_t photo_end(const unsigned char *buf, size_t len);

/* The re-encoded photo; data belongs to the arena. */
struct photo {
	const unsigned char *data;
	size_t len;
	const char *type;		/* "image/jpeg" (photo_reencode_as():
					 * or "image/png", "image/webp") */
	int width, height;
	char sha256[PHOTO_SHA256_HEX];	/* of data, lower-case hex */
};

/*
 * Checks and re-encodes an upload of len bytes: sniffs the type, refuses
 * markup and a JPEG of more than PHOTO_MAX_JPEG_SCANS scans, reads the
 * header and refuses more than max_pixels pixels before decoding, then
 * decodes with the loader of the sniffed type (refusing a damaged image,
 * and stopping when it takes more than PHOTO_DECODE_SECONDS), turns the
 * image upright, shrinks it to fit PHOTO_MAX_SIDE and writes it as a JPEG
 * without metadata into out. *width and *height of the upload are set
 * when its header could be read (else 0).
 */
enum photo_verdict photo_reencode(struct arena *a, const void *buf,
    size_t len, long max_pixels, struct photo *out, long *width,
    long *height);

/* photo_reencode() with a deadline of max_ms milliseconds instead of
 * PHOTO_DECODE_SECONDS. */
enum photo_verdict photo_reencode_within(struct arena *a, const void *buf,
    size_t len, long max_pixels, long max_ms, struct photo *out,
    long *width, long *height);

/* How photo_reencode_as() writes an image. */
struct photo_output {
	int max_side;		/* fit in max_side x max_side (never enlarged) */
	bool same_format;	/* JPEG stays JPEG, PNG PNG (grey stays grey,
				 * alpha kept), WebP WebP (alpha kept, lossless
				 * when it was); false: a JPEG, as photos are */
	int thumb_side;		/* > 0: also a JPEG of at most thumb_side a
				 * side */
};

/*
 * photo_reencode_within() with the output chosen by how: the size and
 * format of the re-encoded image, and a thumbnail (made from the
 * re-encoded image, within the same deadline) into *thumb when
 * how->thumb_side > 0 and thumb is not NULL. Both are without any
 * metadata, upright, and in the arena; on any verdict but PHOTO_OK both
 * are zeroed.
 */
enum photo_verdict photo_reencode_as(struct arena *a, const void *buf,
    size_t len, long max_pixels, long max_ms, const struct photo_output *how,
    struct photo *out, struct photo *thumb, long *width, long *height);

/* The stored file of a photo, relative to the files directory:
 * "photos/<clinic id>/<first two hex digits>/<sha256>.<ext>", in the
 * arena; NULL when out of memory or when an argument is malformed. */
const char *photo_path(struct arena *a, const char *clinic_id,
    const char *sha256, const char *type);

/*
 * Writes the photo under files_dir at photo_path() with the file store's
 * one writer (filestore_write(): atomic, directories made as needed, the
 * same bytes stored before left as they are). ERR_IO when the file system
 * refuses (logged), ERR_NOMEM (also for a malformed clinic id or hash).
 */
enum err photo_store(struct arena *a, const char *files_dir,
    const char *clinic_id, const struct photo *p);

/* Removes a stored photo (filestore_remove()); a missing file is not an
 * error. */
enum err photo_remove(struct arena *a, const char *files_dir,
    const char *clinic_id, const char *sha256, const char *type);

/* True when the stored file of the photo exists. */
bool photo_exists(struct arena *a, const char *files_dir,
    const char *clinic_id, const char *sha256, const char *type);

#endif
