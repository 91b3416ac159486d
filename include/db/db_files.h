/*
 * db_files.h - what the stored files' collector (portalctl gc-files,
 * filestore_gc()) reads: which files the records of a clinic refer to,
 * through the one SQL function portal_file_refs() (profile photos,
 * documents and their thumbnails). As the owner role: across clinics,
 * outside row-level security.
 */
#ifndef PORTAL_DB_FILES_H
#define PORTAL_DB_FILES_H

#include <stddef.h>

#include "err.h"

struct arena;
struct db;

/* The SHA-256 (64 lower-case hex digits) of every stored file a record of
 * clinic clinic_id refers to, each once, as an arena array of *count
 * strings (*shas; never NULL on success). ERR_DB when the function cannot
 * be read (logged), ERR_NOMEM. */
enum err db_file_refs(struct db *db, struct arena *a, const char *clinic_id,
    const char *const **shas, size_t *count);

#endif
