/* templates_sql.c - statements about message templates, and rendering
 * with the one renderer (db_templates.h; sql/0016). */
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

/* The sample values of a statement whose last two parameters are the
 * samples ($n) and the base URL ($m), over the clinic's own ($1). */
#define SAMPLES(n, m) \
	"(SELECT $" n "::jsonb || jsonb_strip_nulls(portal_message_values($1, " \
	"NULL, $" m ")) AS v)"

/* An SMS body rendered in its language with the sample values v. */
#define SMS_SAMPLES(v) \
	"CASE WHEN channel = 'sms' AND " v " IS NOT NULL THEN " \
	"portal_render_values(tr_body, portal_values_in(" v ", 'tr')) END, " \
	"CASE WHEN channel = 'sms' AND " v " IS NOT NULL THEN " \
	"portal_render_values(en_body, portal_values_in(" v ", 'en')) END"

enum stmt_id {
	STMT_LIST,
	STMT_GET,
	STMT_CREATE,
	STMT_UPDATE,
	STMT_DELETE,
	STMT_RENDER,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_LIST] = { "templates_list",
	    "SELECT " TEMPLATE_COLUMNS ", " SMS_SAMPLES("sv.v")
	    " FROM templates, " SAMPLES("4", "5") " sv WHERE clinic_id = $1 "
	    "AND ($2::text IS NULL OR channel = $2) "
	    "AND ($3::text IS NULL OR purpose = $3) "
	    "ORDER BY name, id LIMIT 200", 5, true },
	[STMT_GET] = { "templates_get",
	    "SELECT " TEMPLATE_COLUMNS ", " SMS_SAMPLES("sv.v")
	    " FROM templates, " SAMPLES("3", "4") " sv "
	    "WHERE clinic_id = $1 AND id = $2", 4, true },
	[STMT_CREATE] = { "templates_create",
	    "WITH sv AS " SAMPLES("9", "10") " "
	    "INSERT INTO templates (clinic_id, name, channel, purpose, tr_subject, "
	    "tr_body, en_subject, en_body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	    "RETURNING " TEMPLATE_COLUMNS ", " SMS_SAMPLES("(SELECT v FROM sv)"),
	    10, false },
	[STMT_UPDATE] = { "templates_update",
	    "WITH sv AS " SAMPLES("9", "10") " "
	    "UPDATE templates SET name = $3, purpose = $4, tr_subject = $5, "
	    "tr_body = $6, en_subject = $7, en_body = $8, updated_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 RETURNING " TEMPLATE_COLUMNS ", "
	    SMS_SAMPLES("(SELECT v FROM sv)"), 10, false },
	[STMT_DELETE] = { "templates_delete",
	    "DELETE FROM templates WHERE clinic_id = $1 AND id = $2 RETURNING id",
	    2, false },
	/* $1 clinic, $2 patient or NULL, $3 language, $4 values, $5 base URL,
	 * $6.. the texts. */
	[STMT_RENDER] = { "templates_render",
	    "SELECT $2::uuid IS NULL OR EXISTS (SELECT 1 FROM patients p "
	    "WHERE p.clinic_id = $1 AND p.id = $2::uuid), "
	    "portal_render_values($6, x.v), portal_render_values($7, x.v), "
	    "portal_render_values($8, x.v), portal_render_values($9, x.v) "
	    "FROM (SELECT portal_values_in(coalesce($4::jsonb, '{}') || "
	    "jsonb_strip_nulls(portal_message_values($1, $2::uuid, $5)), $3) "
	    "AS v) x", 9, true },
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
	t->sms_sample[LANG_TR] = db_val(a, res, row, 10);
	t->sms_sample[LANG_EN] = db_val(a, res, row, 11);
}

static enum err
one_row(struct db *db, struct arena *a, enum stmt_id id,
    const char *const *params, struct db_template *out)
{
	enum err err = db_row(db, a, &stmts[id], params, read_row, out);

	/* Strings copied into the arena: the last always there tells
	 * whether it ran out. */
	if (err == ERR_OK && out->updated_at == NULL)
		err = ERR_NOMEM;
	return err;
}

static const char *
samples_json(const struct db_render_values *s)
{
	return s != NULL ? s->values_json : NULL;
}

static const char *
samples_base(const struct db_render_values *s)
{
	return s != NULL ? s->base_url : NULL;
}

enum err
db_template_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *channel, const char *purpose,
    const struct db_render_values *samples, struct db_template **out,
    int *count)
{
	const char *params[] = { clinic_id, channel, purpose,
	    samples_json(samples), samples_base(samples) };
	void *rows;
	enum err err = db_rows(db, a, &stmts[STMT_LIST], params, sizeof(**out),
	    read_row, &rows, count);

	if (err == ERR_OK)
		*out = rows;
	return err;
}

enum err
db_template_get_sampled(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, const struct db_render_values *samples,
    struct db_template *out)
{
	const char *params[] = { clinic_id, id, samples_json(samples),
	    samples_base(samples) };

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	return one_row(db, a, STMT_GET, params, out);
}

enum err
db_template_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_template *out)
{
	return db_template_get_sampled(db, a, clinic_id, id, NULL, out);
}

enum err
db_template_create(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_render_values *samples, struct db_template *t)
{
	const char *params[] = { clinic_id, t->name, t->channel, t->purpose,
	    t->subject[LANG_TR], t->body[LANG_TR], t->subject[LANG_EN],
	    t->body[LANG_EN], samples_json(samples), samples_base(samples) };

	return one_row(db, a, STMT_CREATE, params, t);
}

enum err
db_template_update(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_render_values *samples, struct db_template *t)
{
	const char *params[] = { clinic_id, t->id, t->name, t->purpose,
	    t->subject[LANG_TR], t->body[LANG_TR], t->subject[LANG_EN],
	    t->body[LANG_EN], samples_json(samples), samples_base(samples) };

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

enum err
db_render(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *lang, const struct db_render_values *v,
    const char *const *texts, int n, const char **out)
{
	const char *params[9] = { clinic_id, patient_id, lang,
	    samples_json(v), samples_base(v) };
	enum err err;
	PGresult *res;

	if (n < 0 || n > DB_RENDER_MAX)
		return ERR_INVALID;
	for (int i = 0; i < n; i++)
		params[5 + i] = texts[i];
	res = db_exec(db, &stmts[STMT_RENDER], params, &err);
	if (res == NULL)
		return err;
	if (PQntuples(res) != 1 || !db_val_bool(res, 0, 0)) {
		PQclear(res);
		return ERR_NOT_FOUND;
	}
	for (int i = 0; i < n; i++) {
		out[i] = db_val(a, res, 0, 1 + i);
		if (out[i] == NULL && texts[i] != NULL) {
			PQclear(res);
			return ERR_NOMEM;
		}
	}
	PQclear(res);
	return ERR_OK;
}
