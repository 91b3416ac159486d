/* templates_sql.c - statements about message templates (db_templates.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "db_templates.h"
#include "str.h"

#define TEMPLATE_COLUMNS \
	"id, name, channel, purpose, tr_subject, tr_body, en_subject, en_body, " \
	DB_TS("created_at") ", " DB_TS("updated_at")

enum stmt_id {
	STMT_LIST,
	STMT_GET,
	STMT_CREATE,
	STMT_UPDATE,
	STMT_DELETE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_LIST] = { "templates_list",
	    "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE clinic_id = $1 "
	    "AND ($2::text IS NULL OR channel = $2) "
	    "AND ($3::text IS NULL OR purpose = $3) "
	    "ORDER BY name, id LIMIT 200", 3, true },
	[STMT_GET] = { "templates_get",
	    "SELECT " TEMPLATE_COLUMNS " FROM templates "
	    "WHERE clinic_id = $1 AND id = $2", 2, true },
	[STMT_CREATE] = { "templates_create",
	    "INSERT INTO templates (clinic_id, name, channel, purpose, tr_subject, "
	    "tr_body, en_subject, en_body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	    "RETURNING " TEMPLATE_COLUMNS, 8, false },
	[STMT_UPDATE] = { "templates_update",
	    "UPDATE templates SET name = $3, purpose = $4, tr_subject = $5, "
	    "tr_body = $6, en_subject = $7, en_body = $8, updated_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 RETURNING " TEMPLATE_COLUMNS,
	    8, false },
	[STMT_DELETE] = { "templates_delete",
	    "DELETE FROM templates WHERE clinic_id = $1 AND id = $2 RETURNING id",
	    2, false },
};

static void
read_row(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_template *t = item;

	t->id = db_val(a, res, row, 0);
	t->name = db_val(a, res, row, 1);
	t->channel = db_val(a, res, row, 2);
	t->purpose = db_val(a, res, row, 3);
	t->subject[LANG_TR] = db_val(a, res, row, 4);
	t->body[LANG_TR] = db_val(a, res, row, 5);
	t->subject[LANG_EN] = db_val(a, res, row, 6);
	t->body[LANG_EN] = db_val(a, res, row, 7);
	t->created_at = db_val(a, res, row, 8);
	t->updated_at = db_val(a, res, row, 9);
}

static enum err
one_row(struct db *db, struct arena *a, enum stmt_id id,
    const char *const *params, struct db_template *out)
{
	enum err err = db_row(db, a, &stmts[id], params, read_row, out);

	/* Strings copied into the arena: the last one tells whether it ran out. */
	if (err == ERR_OK && out->updated_at == NULL)
		err = ERR_NOMEM;
	return err;
}

enum err
db_template_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *channel, const char *purpose, struct db_template **out,
    int *count)
{
	const char *params[] = { clinic_id, channel, purpose };
	void *rows;
	enum err err = db_rows(db, a, &stmts[STMT_LIST], params, sizeof(**out),
	    read_row, &rows, count);

	if (err == ERR_OK)
		*out = rows;
	return err;
}

enum err
db_template_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_template *out)
{
	const char *params[] = { clinic_id, id };

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	return one_row(db, a, STMT_GET, params, out);
}

enum err
db_template_create(struct db *db, struct arena *a, const char *clinic_id,
    struct db_template *t)
{
	const char *params[] = { clinic_id, t->name, t->channel, t->purpose,
	    t->subject[LANG_TR], t->body[LANG_TR], t->subject[LANG_EN],
	    t->body[LANG_EN] };

	return one_row(db, a, STMT_CREATE, params, t);
}

enum err
db_template_update(struct db *db, struct arena *a, const char *clinic_id,
    struct db_template *t)
{
	const char *params[] = { clinic_id, t->id, t->name, t->purpose,
	    t->subject[LANG_TR], t->body[LANG_TR], t->subject[LANG_EN],
	    t->body[LANG_EN] };

	return one_row(db, a, STMT_UPDATE, params, t);
}

enum err
db_template_delete(struct db *db, const char *clinic_id, const char *id)
{
	const char *params[] = { clinic_id, id };
	enum err err;
	PGresult *res;

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	res = db_exec(db, &stmts[STMT_DELETE], params, &err);
	if (res == NULL)
		return err;
	err = PQntuples(res) == 0 ? ERR_NOT_FOUND : ERR_OK;
	PQclear(res);
	return err;
}
