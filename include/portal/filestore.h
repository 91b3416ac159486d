/*
 * filestore.h - the one store of uploaded files: profile photos, documents
 * and images (and their thumbnails), kept under the files directory by the
 * SHA-256 of their bytes, so that the same bytes are stored once per
 * clinic.
 *
 * Layout, relative to files_dir:
 *   files/<clinic id>/<first two hex digits>/<sha256>        documents, images
 *   photos/<clinic id>/<first two hex digits>/<sha256>.<ext> profile photos
 * Every part of a path is checked (a UUID, 64 lower-case hex digits), so
 * none can climb out of the files directory. nginx serves a path to a
 * request the API has authorised (X-Accel-Redirect to /_files/<path>).
 *
 * One writer for all of them: a temporary file in the file's own directory
 * ("<name>.<16 hex>.tmp"), written, fsync'ed, renamed over the name, and
 * the directory fsync'ed; directories are made 0750, files 0640. Bytes
 * already stored under their name are left as they are (their time is
 * touched, so that `portalctl gc-files` counts its grace from this use).
 *
 * Nothing here deletes a document's bytes: another record may share them,
 * and an upload writes before its row commits. filestore_gc() (portalctl
 * gc-files) removes what no record refers to once it is older than a grace
 * period.
 */
#ifndef PORTAL_FILESTORE_H
#define PORTAL_FILESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"

struct arena;

#define FILESTORE_SHA256_HEX 65	/* 64 hex digits and a NUL */

/* True when s is 64 lower-case hexadecimal digits. */
bool filestore_is_sha256(const char *s);

/* The stored file of the bytes whose SHA-256 is sha256, relative to the
 * files directory: "files/<clinic id>/<xx>/<sha256>", in the arena. NULL
 * when clinic_id is not a UUID, sha256 not 64 lower-case hex digits, or
 * out of memory. */
const char *filestore_path(struct arena *a, const char *clinic_id,
    const char *sha256);

/*
 * Stores len bytes of data under files_dir at filestore_path(): atomic
 * (temporary file, fsync, rename, fsync of the directory), creating the
 * directories it needs (0750). The same bytes stored before are left as
 * they are. The bytes are hashed again here: ERR_INVALID when sha256 is
 * not theirs (or the clinic id or hash is malformed), since a wrong name
 * would hand one record's bytes to another. ERR_IO when the file system
 * refuses (logged), ERR_NOMEM.
 */
enum err filestore_put(struct arena *a, const char *files_dir,
    const char *clinic_id, const char *sha256, const void *data, size_t len);

/* True when the stored file of (clinic_id, sha256) exists as a regular
 * file; false also for malformed arguments. */
bool filestore_exists(struct arena *a, const char *files_dir,
    const char *clinic_id, const char *sha256);

/*
 * The writer under the others, for a path of the caller's (photo.c's
 * "photos/..." paths): stores data at files_dir/rel as filestore_put()
 * does, without hashing. rel must be relative, without "." or ".."
 * components (ERR_INVALID otherwise). Same errors as filestore_put().
 */
enum err filestore_write(struct arena *a, const char *files_dir,
    const char *rel, const void *data, size_t len);

/* True when files_dir/rel is a regular file. */
bool filestore_rel_exists(struct arena *a, const char *files_dir,
    const char *rel);

/* Removes files_dir/rel; a missing file is not an error. ERR_IO (logged),
 * ERR_NOMEM, ERR_INVALID for a path filestore_write() would refuse. Only
 * for a photo, whose users photo.c counts under a lock; documents go by
 * filestore_gc(). */
enum err filestore_remove(struct arena *a, const char *files_dir,
    const char *rel);

/* True when name is a temporary file of the writer ("….tmp"). */
bool filestore_is_temp(const char *name);

/*
 * What filestore_gc() asks for each clinic it finds on disk: the SHA-256
 * of every file a record of that clinic refers to, as an array in the
 * arena (*shas, *count). Anything but ERR_OK stops the collection.
 */
typedef enum err (*filestore_refs_fn)(void *ctx, struct arena *a,
    const char *clinic_id, const char *const **shas, size_t *count);

struct filestore_gc_stats {
	long removed;		/* files removed (or, dry run, that would be) */
	long long removed_bytes;
	long temp_removed;	/* of them, temporary files left by a crash */
	long referenced;	/* kept: a record refers to them */
	long young;		/* kept: younger than the grace period */
	long skipped;		/* kept: not a name the store writes */
};

/*
 * Removes, under files_dir/photos and files_dir/files (of clinic
 * only_clinic alone when it is not NULL), every regular file
 * whose SHA-256 no record of its clinic refers to (refs) and whose mtime
 * is older than grace_s seconds, and every temporary file older than
 * grace_s; never follows a symbolic link, and leaves names the store does
 * not write (counted as skipped). The clinic's references are read after
 * its directories were walked, and each file is looked at again just
 * before it goes: a file stored again meanwhile is fresh (the writer
 * touches it) and stays. dry_run removes nothing. Writes one line per file
 * removed ("removed <path> (<n> bytes)", or "would remove ...") to out
 * (may be NULL). ERR_OK, ERR_INVALID when only_clinic is not a UUID, or
 * the first error of refs or of the file system (ERR_IO, logged); the
 * stats count what was done until then.
 */
enum err filestore_gc(const char *files_dir, const char *only_clinic,
    long grace_s, bool dry_run,
    filestore_refs_fn refs, void *ctx, FILE *out,
    struct filestore_gc_stats *stats);

#endif
