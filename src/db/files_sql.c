/*
 * files_sql.c - the stored files' references (see db_files.h), read
 * through portal_file_refs() for one clinic at a time: the collector's
 * memory grows with the largest clinic, not with the whole store.
 */
#include "config.h"

#include "arena.h"
#include "db_files.h"
#include "db_internal.h"

enum stmt_id {
	STMT_REFS,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_REFS] = { "files_refs",
	    "SELECT DISTINCT sha256 FROM portal_file_refs() "
	    "WHERE clinic_id = $1::uuid AND sha256 IS NOT NULL", 1, true },
};

static void
read_sha(struct arena *a, PGresult *res, int row, void *item)
{
	*(const char **)item = db_val(a, res, row, 0);
}

enum err
db_file_refs(struct db *db, struct arena *a, const char *clinic_id,
    const char *const **shas, size_t *count)
{
	const char *params[] = { clinic_id };
	void *rows = NULL;
	int n = 0;
	enum err err = db_rows(db, a, &stmts[STMT_REFS], params,
	    sizeof(const char *), read_sha, &rows, &n);

	if (err != ERR_OK)
		return err;
	for (int i = 0; i < n; i++)
		if (((const char **)rows)[i] == NULL)
			return ERR_NOMEM;
	*shas = rows;
	*count = (size_t)n;
	return ERR_OK;
}
