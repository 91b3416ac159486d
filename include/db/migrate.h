/*
 * migrate.h - applies sql/NNNN_name.sql files in order (portalctl migrate).
 */
#ifndef PORTAL_MIGRATE_H
#define PORTAL_MIGRATE_H

#include <stdio.h>

#include "err.h"

/*
 * Connects with conninfo (the role that owns the schema), takes an
 * advisory lock so two migrators never race, and applies every migration
 * of dir not yet recorded in schema_migrations, each in its own
 * transaction together with its record. A recorded migration whose file
 * changed since is refused. Progress goes to out. ERR_OK, ERR_INVALID (bad
 * file names, changed files), ERR_IO or ERR_DB; details are logged.
 */
enum err migrate_run(const char *conninfo, long connect_timeout,
    const char *dir, FILE *out);

/* True when name looks like a migration: four digits, '_', [a-z0-9_]+,
 * ".sql". *version receives the number. */
int migrate_parse_name(const char *name, int *version);

#endif
