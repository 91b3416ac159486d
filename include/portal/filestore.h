/*
 * filestore.h - where stored files live (content-addressed by SHA-256
 * under files_dir) and the one atomic writer. (Interface fixed by
 * doc-plan.md; owner: the store helper.)
 */
#ifndef PORTAL_FILESTORE_H
#define PORTAL_FILESTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct arena;

/* Stored files live under files_dir at "files/<clinic id>/<first two hex>/<sha256>"
 * (photos keep their "photos/<clinic>/<xx>/<sha256>.<ext>" paths, same writer). */
const char *filestore_path(struct arena *a, const char *clinic_id, const char *sha256);
enum err filestore_put(struct arena *a, const char *files_dir, const char *clinic_id,
    const char *sha256, const void *data, size_t len);	/* atomic: temp, fsync, rename; same bytes: left */
bool filestore_exists(struct arena *a, const char *files_dir, const char *clinic_id,
    const char *sha256);
/* No filestore_remove for documents: a deleted document's bytes go by `portalctl gc-files`
 * (another record may share them; an upload in flight has written before its row commits). */

#endif
