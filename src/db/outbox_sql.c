/* outbox_sql.c - building a message into the outbox (the one entry point,
 * portal_outbox_compose() of sql/0016), deliveries and invitations: the
 * clinic's view of the outbox (db_outbox.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "db_outbox.h"
#include "str.h"

/* A delivery as the API shows it, from outbox o joined with its purpose
 * mp: a secret message's subject and body are never read out. The list
 * position is microseconds since the epoch, a dot, the id. */
#define DELIVERY_COLUMNS \
	"o.id, o.patient_id, o.channel, o.purpose, o.recipient, o.locale, " \
	"CASE WHEN mp.secret THEN NULL ELSE o.subject END, " \
	"CASE WHEN mp.secret THEN NULL ELSE o.body END, o.status, " \
	"o.attempts, o.last_error, " DB_TS("o.next_attempt_at") ", " \
	DB_TS("o.created_at") ", " DB_TS("o.sent_at") ", o.portal_code, " \
	"(extract(epoch FROM o.created_at) * 1000000)::bigint || '.' || o.id, " \
	"mp.secret, (SELECT pt.first_name || ' ' || pt.last_name FROM " \
	"patients pt WHERE pt.clinic_id = o.clinic_id AND pt.id = o.patient_id)"
#define DELIVERY_NCOLS 18
#define DELIVERY_FROM \
	"outbox o JOIN message_purposes mp ON mp.purpose = o.purpose"

enum stmt_id {
	STMT_COMPOSE,
	STMT_LIST,
	STMT_GET,
	STMT_RETRY,
	STMT_INVITATIONS,
	STMT_FIRST_SIGN_IN,
	STMT_INVITED_UNDER,
	STMT_INVITED_COUNT,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* The composed row comes back as a composite; the API's columns are
	 * read from it as from a table. */
	[STMT_COMPOSE] = { "outbox_compose",
	    "SELECT c.skipped, c.language_fallback, d.* "
	    "FROM portal_outbox_compose($1, $2::uuid, $3, $4, $5::uuid, "
	    "$6::jsonb, $7, $8, $9::uuid) c LEFT JOIN LATERAL (SELECT "
	    DELIVERY_COLUMNS " FROM (SELECT (c.delivery).*) o "
	    "JOIN message_purposes mp ON mp.purpose = o.purpose) d ON true",
	    9, false },
	[STMT_LIST] = { "outbox_list",
	    "SELECT " DELIVERY_COLUMNS " FROM " DELIVERY_FROM
	    " WHERE o.clinic_id = $1 "
	    "AND ($2::text IS NULL OR o.status = $2) "
	    "AND ($3::text IS NULL OR o.channel = $3) "
	    "AND ($4::text IS NULL OR o.purpose = $4) "
	    "AND ($5::uuid IS NULL OR o.patient_id = $5) "
	    "AND ($6::bigint IS NULL OR (o.created_at, o.id) < "
	    "('epoch'::timestamptz + $6::bigint * interval '1 microsecond', "
	    "$7::uuid)) "
	    "ORDER BY o.created_at DESC, o.id DESC LIMIT $8", 8, true },
	[STMT_GET] = { "outbox_get",
	    "SELECT " DELIVERY_COLUMNS " FROM " DELIVERY_FROM
	    " WHERE o.clinic_id = $1 AND o.id = $2", 2, true },
	/* A dead message starts over; the notifier hears of it by NOTIFY. A
	 * secret one never does: its body is gone. */
	[STMT_RETRY] = { "outbox_retry",
	    "UPDATE outbox o SET status = 'queued', attempts = 0, "
	    "next_attempt_at = now(), last_error = NULL, updated_at = now() "
	    "FROM message_purposes mp WHERE mp.purpose = o.purpose "
	    "AND NOT mp.secret AND o.clinic_id = $1 AND o.id = $2 "
	    "AND o.status = 'dead' RETURNING " DELIVERY_COLUMNS, 2, false },
	[STMT_INVITATIONS] = { "outbox_invitations",
	    "SELECT " DELIVERY_COLUMNS " FROM " DELIVERY_FROM
	    " WHERE o.clinic_id = $1 AND o.patient_id = $2 "
	    "AND o.purpose = 'portal_invitation' "
	    "ORDER BY o.created_at DESC, o.id DESC LIMIT 50", 2, true },
	[STMT_FIRST_SIGN_IN] = { "outbox_first_sign_in",
	    "SELECT " DB_TS("first_signed_in_at") " FROM patients "
	    "WHERE clinic_id = $1 AND id = $2", 2, true },
	[STMT_INVITED_UNDER] = { "outbox_invited_under",
	    "SELECT DISTINCT o.patient_id FROM outbox o WHERE o.clinic_id = $1 "
	    "AND o.purpose = 'portal_invitation' AND o.portal_code = $2 "
	    "AND o.patient_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox n "
	    "WHERE n.clinic_id = $1 AND n.purpose = 'portal_invitation' "
	    "AND n.portal_code = $3 AND n.patient_id = o.patient_id) LIMIT $4",
	    4, true },
	[STMT_INVITED_COUNT] = { "outbox_invited_count",
	    "SELECT count(DISTINCT patient_id) FROM outbox WHERE clinic_id = $1 "
	    "AND purpose = 'portal_invitation' AND portal_code = $2", 2, true },
};

/* Reads the delivery columns from column col on. */
static void
read_delivery(struct arena *a, PGresult *res, int row, int col,
    struct db_delivery *d)
{
	const char *attempts;

	d->id = db_val(a, res, row, col + 0);
	d->patient_id = db_val(a, res, row, col + 1);
	d->channel = db_val(a, res, row, col + 2);
	d->purpose = db_val(a, res, row, col + 3);
	d->recipient = db_val(a, res, row, col + 4);
	d->locale = db_val(a, res, row, col + 5);
	d->subject = db_val(a, res, row, col + 6);
	d->body = db_val(a, res, row, col + 7);
	d->status = db_val(a, res, row, col + 8);
	attempts = PQgetvalue(res, row, col + 9);
	d->attempts = attempts ? strtol(attempts, NULL, 10) : 0;
	d->last_error = db_val(a, res, row, col + 10);
	d->next_attempt_at = db_val(a, res, row, col + 11);
	d->created_at = db_val(a, res, row, col + 12);
	d->sent_at = db_val(a, res, row, col + 13);
	d->portal_code = db_val(a, res, row, col + 14);
	d->cursor = db_val(a, res, row, col + 15);
	d->secret = db_val_bool(res, row, col + 16);
	d->patient_name = db_val(a, res, row, col + 17);
}

static void
read_row(struct arena *a, PGresult *res, int row, void *item)
{
	read_delivery(a, res, row, 0, item);
}

static enum err
one_row(struct db *db, struct arena *a, enum stmt_id id,
    const char *const *params, struct db_delivery *out)
{
	enum err err = db_row(db, a, &stmts[id], params, read_row, out);

	/* Strings copied into the arena: the last one tells whether it ran out. */
	if (err == ERR_OK && out->cursor == NULL)
		err = ERR_NOMEM;
	return err;
}

static void
read_composed(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_composed *c = item;
	const char *skipped = PQgetisnull(res, row, 0) ? NULL :
	    PQgetvalue(res, row, 0);

	memset(c, 0, sizeof(*c));
	c->outcome = skipped == NULL ? DB_COMPOSED :
	    strcmp(skipped, "no_contact") == 0 ? DB_COMPOSE_NO_CONTACT :
	    DB_COMPOSE_NO_TEMPLATE;
	c->language_fallback = db_val_bool(res, row, 1);
	if (c->outcome == DB_COMPOSED)
		read_delivery(a, res, row, 2, &c->delivery);
}

enum err
db_outbox_compose(struct db *db, struct arena *a, const struct db_compose *m,
    struct db_composed *out)
{
	const char *params[] = { m->purpose, m->patient_id, m->channel,
	    m->recipient, m->template_id, m->values_json, m->base_url,
	    m->created_by_type, m->created_by_id };
	enum err err;

	if (!str_is_uuid(m->patient_id))
		return ERR_NOT_FOUND;
	err = db_row(db, a, &stmts[STMT_COMPOSE], params, read_composed, out);
	if (err == ERR_OK && out->outcome == DB_COMPOSED &&
	    out->delivery.cursor == NULL)
		err = ERR_NOMEM;
	return err;
}

bool
db_delivery_cursor_ok(const char *cursor)
{
	const char *dot = strchr(cursor, '.');
	long v;
	char num[24];

	if (dot == NULL || dot == cursor || dot - cursor > 20 ||
	    !str_is_uuid(dot + 1))
		return false;
	memcpy(num, cursor, (size_t)(dot - cursor));
	num[dot - cursor] = '\0';
	return str_to_long(num, 0, 9000000000000000000L, &v);
}

/* Splits a cursor db_delivery_cursor_ok() accepts into its parts. */
static bool
cursor_split(struct arena *a, const char *cursor, const char **us,
    const char **id)
{
	const char *dot = strchr(cursor, '.');

	if (!db_delivery_cursor_ok(cursor))
		return false;
	*us = arena_strndup(a, cursor, (size_t)(dot - cursor));
	*id = dot + 1;
	return *us != NULL;
}

enum err
db_delivery_list(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_delivery_filter *f, const char *cursor, int limit,
    struct db_delivery **out, int *count)
{
	const char *us = NULL, *after = NULL;
	const char *params[8];
	char lim[16];
	void *rows;
	enum err err;

	if (cursor != NULL && !cursor_split(a, cursor, &us, &after))
		return ERR_INVALID;
	if (f->patient_id != NULL && !str_is_uuid(f->patient_id)) {
		*out = NULL;
		*count = 0;
		return ERR_OK;
	}
	snprintf(lim, sizeof(lim), "%d", limit);
	params[0] = clinic_id;
	params[1] = f->status;
	params[2] = f->channel;
	params[3] = f->purpose;
	params[4] = f->patient_id;
	params[5] = us;
	params[6] = after;
	params[7] = lim;
	err = db_rows(db, a, &stmts[STMT_LIST], params, sizeof(**out),
	    read_row, &rows, count);
	if (err == ERR_OK)
		*out = rows;
	return err;
}

enum err
db_delivery_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_delivery *out)
{
	const char *params[] = { clinic_id, id };

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	return one_row(db, a, STMT_GET, params, out);
}

enum err
db_delivery_retry(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_delivery *out)
{
	const char *params[] = { clinic_id, id };
	enum err err;

	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = one_row(db, a, STMT_RETRY, params, out);
	if (err == ERR_NOT_FOUND) {
		/* Tell "no such message" from "not one to retry". */
		struct db_delivery d;

		err = one_row(db, a, STMT_GET, params, &d);
		if (err == ERR_OK)
			err = ERR_CONFLICT;
	}
	return err;
}

enum err
db_invitations_of(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, struct db_delivery **out, int *count,
    const char **first_signed_in_at)
{
	const char *params[] = { clinic_id, patient_id };
	enum err err;
	PGresult *res;
	void *rows;

	if (!str_is_uuid(patient_id))
		return ERR_NOT_FOUND;
	res = db_exec(db, &stmts[STMT_FIRST_SIGN_IN], params, &err);
	if (res == NULL)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ERR_NOT_FOUND;
	}
	*first_signed_in_at = db_val(a, res, 0, 0);
	PQclear(res);
	err = db_rows(db, a, &stmts[STMT_INVITATIONS], params, sizeof(**out),
	    read_row, &rows, count);
	if (err == ERR_OK)
		*out = rows;
	return err;
}

enum err
db_invited_under(struct db *db, struct arena *a, const char *clinic_id,
    const char *code, const char *current_code, int max, const char ***ids,
    int *count)
{
	char lim[16];
	const char *params[] = { clinic_id, code, current_code, lim };
	enum err err;
	PGresult *res;
	int n;

	snprintf(lim, sizeof(lim), "%d", max);
	res = db_exec(db, &stmts[STMT_INVITED_UNDER], params, &err);
	if (res == NULL)
		return err;
	n = PQntuples(res);
	*ids = arena_calloc(a, (size_t)(n > 0 ? n : 1), sizeof(**ids));
	if (*ids == NULL) {
		PQclear(res);
		return ERR_NOMEM;
	}
	for (int i = 0; i < n; i++)
		if (((*ids)[i] = db_val(a, res, i, 0)) == NULL) {
			PQclear(res);
			return ERR_NOMEM;
		}
	*count = n;
	PQclear(res);
	return ERR_OK;
}

enum err
db_invited_count(struct db *db, const char *clinic_id, const char *code,
    long *count)
{
	const char *params[] = { clinic_id, code };
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_INVITED_COUNT], params, &err);

	if (res == NULL)
		return err;
	*count = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return ERR_OK;
}
