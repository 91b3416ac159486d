/* outbox_sql.c - deliveries and invitations, the clinic's view of the
 * outbox (db_outbox.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "db_outbox.h"
#include "str.h"

/* The list position: microseconds since the epoch, a dot, the id. */
#define DELIVERY_COLUMNS \
	"id, patient_id, channel, purpose, recipient, locale, subject, " \
	"CASE WHEN purpose IN ('sign_in_code', 'contact_change_code') " \
	"THEN NULL ELSE body END, status, " \
	"attempts, last_error, " DB_TS("next_attempt_at") ", " \
	DB_TS("created_at") ", " DB_TS("sent_at") ", portal_code, " \
	"(extract(epoch FROM created_at) * 1000000)::bigint || '.' || id"

enum stmt_id {
	STMT_INSERT,
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
	[STMT_INSERT] = { "outbox_insert",
	    "INSERT INTO outbox (clinic_id, patient_id, channel, recipient, "
	    "purpose, locale, sender_name, subject, body, portal_code, "
	    "created_by_type, created_by_id) VALUES ($1, $2, $3, $4, $5, $6, "
	    "$7, $8, $9, $10, $11, $12) RETURNING " DELIVERY_COLUMNS, 12, false },
	[STMT_LIST] = { "outbox_list",
	    "SELECT " DELIVERY_COLUMNS " FROM outbox WHERE clinic_id = $1 "
	    "AND ($2::text IS NULL OR status = $2) "
	    "AND ($3::text IS NULL OR channel = $3) "
	    "AND ($4::text IS NULL OR purpose = $4) "
	    "AND ($5::uuid IS NULL OR patient_id = $5) "
	    "AND ($6::bigint IS NULL OR (created_at, id) < ('epoch'::timestamptz "
	    "+ $6::bigint * interval '1 microsecond', $7::uuid)) "
	    "ORDER BY created_at DESC, id DESC LIMIT $8", 8, true },
	[STMT_GET] = { "outbox_get",
	    "SELECT " DELIVERY_COLUMNS " FROM outbox "
	    "WHERE clinic_id = $1 AND id = $2", 2, true },
	/* A dead message starts over; the notifier hears of it by NOTIFY. */
	[STMT_RETRY] = { "outbox_retry",
	    "UPDATE outbox SET status = 'queued', attempts = 0, "
	    "next_attempt_at = now(), last_error = NULL, updated_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 AND status = 'dead' "
	    "AND purpose NOT IN ('sign_in_code', 'contact_change_code') "
	    "RETURNING " DELIVERY_COLUMNS, 2, false },
	[STMT_INVITATIONS] = { "outbox_invitations",
	    "SELECT " DELIVERY_COLUMNS " FROM outbox WHERE clinic_id = $1 "
	    "AND patient_id = $2 AND purpose = 'portal_invitation' "
	    "ORDER BY created_at DESC, id DESC LIMIT 50", 2, true },
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

static void
read_row(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_delivery *d = item;
	const char *attempts;

	d->id = db_val(a, res, row, 0);
	d->patient_id = db_val(a, res, row, 1);
	d->channel = db_val(a, res, row, 2);
	d->purpose = db_val(a, res, row, 3);
	d->recipient = db_val(a, res, row, 4);
	d->locale = db_val(a, res, row, 5);
	d->subject = db_val(a, res, row, 6);
	d->body = db_val(a, res, row, 7);
	d->status = db_val(a, res, row, 8);
	attempts = PQgetvalue(res, row, 9);
	d->attempts = attempts ? strtol(attempts, NULL, 10) : 0;
	d->last_error = db_val(a, res, row, 10);
	d->next_attempt_at = db_val(a, res, row, 11);
	d->created_at = db_val(a, res, row, 12);
	d->sent_at = db_val(a, res, row, 13);
	d->portal_code = db_val(a, res, row, 14);
	d->cursor = db_val(a, res, row, 15);
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

enum err
db_outbox_insert(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_outbox_new *m, struct db_delivery *out)
{
	const char *params[] = { clinic_id, m->patient_id, m->channel,
	    m->recipient, m->purpose, m->locale, m->sender_name, m->subject,
	    m->body, m->portal_code, m->created_by_type, m->created_by_id };

	return one_row(db, a, STMT_INSERT, params, out);
}

/* Splits "<microseconds>.<uuid>" into its parts; false when malformed. */
static bool
cursor_split(struct arena *a, const char *cursor, const char **us,
    const char **id)
{
	const char *dot = strchr(cursor, '.');
	long v;
	char *num;

	if (dot == NULL || dot == cursor || dot - cursor > 20 ||
	    !str_is_uuid(dot + 1))
		return false;
	num = arena_strndup(a, cursor, (size_t)(dot - cursor));
	if (num == NULL || !str_to_long(num, 0, 9000000000000000000L, &v))
		return false;
	*us = num;
	*id = dot + 1;
	return true;
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
