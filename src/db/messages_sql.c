/*
 * messages_sql.c - statements about threads, messages, their read state
 * and the automatic first answers (see db_messages.h, sql/0029). The
 * counters and locks that keep unread counts exact live in the SQL
 * functions portal_message_add(), portal_thread_start() and
 * portal_thread_read(); this file only calls them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_internal.h"
#include "db_messages.h"
#include "str.h"

#define THREAD_COLUMNS \
	"t.id, t.patient_id, p.first_name || ' ' || p.last_name, t.subject, " \
	"t.topic, t.status, t.assigned_to, s.name, t.started_by, " \
	"t.message_count, t.patient_unread, t.staff_unread, " \
	DB_TS("t.last_message_at") ", " DB_TS("t.created_at")
#define THREAD_JOINS \
	"JOIN patients p ON p.clinic_id = t.clinic_id AND p.id = t.patient_id " \
	"LEFT JOIN staff s ON s.clinic_id = t.clinic_id AND s.id = t.assigned_to "
/* The author's id and name: the patient, a staff member, an API key, or
 * the clinic itself (its automatic answer, or an author since removed). */
#define MESSAGE_COLUMNS \
	"m.id, m.author_kind, CASE WHEN m.author_kind = 'patient' " \
	"THEN m.patient_id ELSE coalesce(m.staff_id, m.api_key_id) END, " \
	"CASE WHEN m.author_kind = 'patient' THEN p.first_name || ' ' || " \
	"p.last_name ELSE coalesce(s.name, k.name, c.name) END, m.automatic, " \
	"m.body, " DB_TS("m.created_at") ", " DB_TS("m.read_at")
#define MESSAGE_FROM \
	" FROM messages m " \
	"JOIN patients p ON p.clinic_id = m.clinic_id AND p.id = m.patient_id " \
	"JOIN clinics c ON c.id = m.clinic_id " \
	"LEFT JOIN staff s ON s.clinic_id = m.clinic_id AND s.id = m.staff_id " \
	"LEFT JOIN api_keys k ON k.clinic_id = m.clinic_id " \
	"AND k.id = m.api_key_id "

enum stmt_id {
	STMT_INBOX,
	STMT_UNREAD_COUNT,
	STMT_PORTAL_THREADS,
	STMT_THREAD_GET,
	STMT_THREAD_MARK_READ,
	STMT_MESSAGES_PAGE,
	STMT_MESSAGE_GET,
	STMT_THREAD_START,
	STMT_MESSAGE_ADD,
	STMT_THREAD_UPDATE,
	STMT_RATE,
	STMT_NOTICE,
	STMT_AUTO_GET,
	STMT_AUTO_PUT,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* The function answers the page's threads in order, of the
	 * context's clinic (planned for the filters given, each thread read
	 * by key: sql/0030): it can go ahead (db_ahead()). */
	[STMT_INBOX] = { "messages_inbox",
	    "SELECT t.id, t.patient_id, t.patient_name, t.subject, t.topic, "
	    "t.status, t.assigned_to, t.assigned_name, t.started_by, "
	    "t.message_count, t.patient_unread, t.staff_unread, "
	    DB_TS("t.last_message_at") ", " DB_TS("t.created_at") " "
	    "FROM portal_message_inbox_page($1, $2, $3::uuid, $4::boolean, "
	    "$5::boolean, $6::uuid, $7::uuid, $8::integer) t ORDER BY t.n", 8,
	    true },
	/* Of the context's clinic: it can go ahead (db_ahead()). */
	[STMT_UNREAD_COUNT] = { "messages_unread_count",
	    "SELECT count(*), coalesce(sum(t.staff_unread), 0) "
	    "FROM message_threads t WHERE t.clinic_id = portal_current_clinic() "
	    "AND t.staff_unread > 0", 0, true },
	/* The signed-in patient's, who is the context's. */
	[STMT_PORTAL_THREADS] = { "messages_portal_threads",
	    "SELECT " THREAD_COLUMNS " FROM message_threads t " THREAD_JOINS
	    "WHERE t.clinic_id = portal_current_clinic() "
	    "AND t.patient_id = portal_current_patient() AND ($1::uuid IS NULL "
	    "OR (t.last_message_at, t.id) < (SELECT q.last_message_at, q.id "
	    "FROM message_threads q WHERE q.clinic_id = portal_current_clinic() "
	    "AND q.patient_id = portal_current_patient() AND q.id = $1::uuid)) "
	    "ORDER BY t.last_message_at DESC, t.id DESC LIMIT $2::integer",
	    2, true },
	[STMT_THREAD_GET] = { "messages_thread_get",
	    "SELECT " THREAD_COLUMNS " FROM message_threads t " THREAD_JOINS
	    "WHERE t.clinic_id = $1 AND t.id = $2 AND ($3::uuid IS NULL "
	    "OR t.patient_id = $3::uuid)", 3, true },
	[STMT_THREAD_MARK_READ] = { "messages_thread_mark_read",
	    "SELECT portal_thread_read($1::uuid, $2::uuid, $3)", 3, false },
	[STMT_MESSAGES_PAGE] = { "messages_page",
	    "SELECT " MESSAGE_COLUMNS MESSAGE_FROM
	    "WHERE m.clinic_id = $1 AND m.thread_id = $2 AND ($3::uuid IS NULL "
	    "OR m.patient_id = $3::uuid) AND ($4::uuid IS NULL OR m.seq > "
	    "(SELECT q.seq FROM messages q WHERE q.clinic_id = $1 "
	    "AND q.thread_id = $2 AND q.id = $4::uuid)) "
	    "ORDER BY m.seq LIMIT $5::integer", 5, true },
	[STMT_MESSAGE_GET] = { "messages_get",
	    "SELECT " MESSAGE_COLUMNS MESSAGE_FROM
	    "WHERE m.clinic_id = $1 AND m.thread_id = $2 AND m.id = $3",
	    3, true },
	[STMT_THREAD_START] = { "messages_thread_start",
	    "SELECT outcome, thread_id, message_id, notify "
	    "FROM portal_thread_start($1::uuid, $2, $3, $4, $5::uuid, $6::uuid, "
	    "$7)", 7, false },
	[STMT_MESSAGE_ADD] = { "messages_add",
	    "SELECT outcome, message_id, notify FROM portal_message_add("
	    "$1::uuid, $2::uuid, $3, $4::uuid, $5::uuid, false, $6)", 6, false },
	[STMT_THREAD_UPDATE] = { "messages_thread_update",
	    "UPDATE message_threads SET status = coalesce($3, status), "
	    "assigned_to = CASE WHEN $4::boolean THEN $5::uuid "
	    "ELSE assigned_to END, updated_at = now() "
	    "WHERE clinic_id = $1 AND id = $2 RETURNING id", 5, false },
	[STMT_RATE] = { "messages_rate",
	    "SELECT portal_message_rate($1::uuid, $2::integer)", 2, false },
	[STMT_NOTICE] = { "messages_notice",
	    "SELECT skipped FROM portal_outbox_compose('new_message', $1::uuid, "
	    "NULL, NULL, NULL, '{}'::jsonb, $2, $3, $4::uuid)", 4, false },
	[STMT_AUTO_GET] = { "messages_auto_get",
	    "SELECT topic, enabled, reply_within_hours, body_tr, body_en "
	    "FROM message_auto_replies WHERE clinic_id = $1 ORDER BY topic",
	    1, true },
	[STMT_AUTO_PUT] = { "messages_auto_put",
	    "INSERT INTO message_auto_replies (clinic_id, topic, enabled, "
	    "reply_within_hours, body_tr, body_en) SELECT $1, e.key, "
	    "(e.value ->> 'enabled')::boolean, "
	    "(e.value ->> 'reply_within_hours')::integer, "
	    "e.value ->> 'body_tr', e.value ->> 'body_en' "
	    "FROM jsonb_each($2::jsonb) e ON CONFLICT (clinic_id, topic) DO "
	    "UPDATE SET enabled = EXCLUDED.enabled, "
	    "reply_within_hours = EXCLUDED.reply_within_hours, "
	    "body_tr = EXCLUDED.body_tr, body_en = EXCLUDED.body_en, "
	    "updated_at = now()", 2, false },
};

static int
val_int(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 :
	    (int)strtol(PQgetvalue(res, row, col), NULL, 10);
}

static void
read_thread(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_thread *t = item;

	t->id = db_val(a, res, row, 0);
	t->patient_id = db_val(a, res, row, 1);
	t->patient_name = db_val(a, res, row, 2);
	t->subject = db_val(a, res, row, 3);
	t->topic = db_val(a, res, row, 4);
	t->status = db_val(a, res, row, 5);
	t->assigned_to = db_val(a, res, row, 6);
	t->assigned_name = db_val(a, res, row, 7);
	t->started_by = db_val(a, res, row, 8);
	t->message_count = val_int(res, row, 9);
	t->patient_unread = val_int(res, row, 10);
	t->staff_unread = val_int(res, row, 11);
	t->last_message_at = db_val(a, res, row, 12);
	t->created_at = db_val(a, res, row, 13);
}

static void
read_message(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_message *m = item;

	m->id = db_val(a, res, row, 0);
	m->author_kind = db_val(a, res, row, 1);
	m->author_id = db_val(a, res, row, 2);
	m->author_name = db_val(a, res, row, 3);
	m->automatic = db_val_bool(res, row, 4);
	m->body = db_val(a, res, row, 5);
	m->created_at = db_val(a, res, row, 6);
	m->read_at = db_val(a, res, row, 7);
}

/* Every row of res read with read into a new arena array. */
static enum err
rows_read(struct arena *a, PGresult *res, size_t size, db_row_reader read,
    void **out, int *count)
{
	char *rows;

	*count = PQntuples(res);
	if ((rows = arena_calloc(a, (size_t)(*count > 0 ? *count : 1), size)) ==
	    NULL)
		return ERR_NOMEM;
	for (int i = 0; i < *count; i++)
		read(a, res, i, rows + (size_t)i * size);
	*out = rows;
	return ERR_OK;
}

/* Threads a statement answers, each read whole. */
static enum err
thread_rows(struct db *db, struct arena *a, const struct db_stmt *stmt,
    const char *const *params, struct db_thread **out, int *count)
{
	void *rows = NULL;
	enum err err;

	err = db_rows_whole(db, a, stmt, params,
	    sizeof(**out), read_thread,
	    offsetof(struct db_thread, created_at), &rows, count);
	*out = rows;
	return err;
}

/* The inbox's parameters, in the arena (they may be sent ahead); NULL
 * when out of memory. */
static const char *const *
inbox_params(struct arena *a, const struct db_inbox_filter *f)
{
	const char **params = arena_calloc(a, 8, sizeof(*params));

	if (params == NULL ||
	    (params[7] = arena_printf(a, "%d", f->limit)) == NULL)
		return NULL;
	params[0] = f->status;
	params[1] = f->topic;
	params[2] = f->assigned_to;
	params[3] = f->unassigned ? "true" : NULL;
	params[4] = f->unread;
	params[5] = f->patient_id;
	params[6] = f->after_id;
	return params;
}

void
db_inbox_ahead(struct db *db, struct arena *a,
    const struct db_inbox_filter *f)
{
	static const struct db_stmt *const one[] = { &stmts[STMT_INBOX] };
	const char *const *params = inbox_params(a, f);
	const char *const **lists = arena_calloc(a, 1, sizeof(*lists));

	if (params != NULL && lists != NULL) {
		lists[0] = params;
		db_ahead(db, 1, one, lists);
	}
}

enum err
db_inbox(struct db *db, struct arena *a, const struct db_inbox_filter *f,
    struct db_thread **out, int *count)
{
	const char *const *params = inbox_params(a, f);

	if (params == NULL)
		return ERR_NOMEM;
	return thread_rows(db, a, &stmts[STMT_INBOX], params, out, count);
}

void
db_unread_count_ahead(struct db *db)
{
	static const char *const *const no_params[] = { NULL };
	const struct db_stmt *stmt = &stmts[STMT_UNREAD_COUNT];

	db_ahead(db, 1, &stmt, no_params);
}

enum err
db_unread_count(struct db *db, int64_t *threads, int64_t *messages)
{
	enum err err;
	PGresult *res;

	if ((res = db_exec_one(db, &stmts[STMT_UNREAD_COUNT], NULL, &err)) ==
	    NULL)
		return err;
	*threads = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*messages = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return ERR_OK;
}

/* The patient's list's parameters, in the arena (they may be sent
 * ahead); NULL when out of memory. */
static const char *const *
portal_params(struct arena *a, const char *after_id, int limit)
{
	const char **params = arena_calloc(a, 2, sizeof(*params));

	if (params == NULL ||
	    (params[1] = arena_printf(a, "%d", limit)) == NULL)
		return NULL;
	params[0] = after_id;
	return params;
}

void
db_portal_threads_ahead(struct db *db, struct arena *a, const char *after_id,
    int limit)
{
	static const struct db_stmt *const one[] = {
	    &stmts[STMT_PORTAL_THREADS] };
	const char *const *params = portal_params(a, after_id, limit);
	const char *const **lists = arena_calloc(a, 1, sizeof(*lists));

	if (params != NULL && lists != NULL) {
		lists[0] = params;
		db_ahead(db, 1, one, lists);
	}
}

enum err
db_portal_threads(struct db *db, struct arena *a, const char *after_id,
    int limit, struct db_thread **out, int *count)
{
	const char *const *params = portal_params(a, after_id, limit);

	if (params == NULL)
		return ERR_NOMEM;
	return thread_rows(db, a, &stmts[STMT_PORTAL_THREADS], params, out,
	    count);
}

enum err
db_thread_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *id, struct db_thread *out)
{
	const char *params[] = { clinic_id, id, patient_id };
	enum err err;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	err = db_row(db, a, &stmts[STMT_THREAD_GET], params, read_thread, out);
	if (err == ERR_OK && out->created_at == NULL)
		err = ERR_NOMEM;
	return err;
}

static const struct db_stmt *const read_batch[] = {
	&stmts[STMT_THREAD_MARK_READ], &stmts[STMT_THREAD_GET],
	&stmts[STMT_MESSAGES_PAGE],
};

enum err
db_thread_read(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, enum msg_side side, const char *id,
    const char *after_id, int limit, struct db_thread *thread,
    struct db_message **messages, int *count)
{
	char lim[16];
	const char *mark[] = { id, patient_id,
	    side == MSG_PATIENT ? "patient" : "staff" };
	const char *get[] = { clinic_id, id, patient_id };
	const char *page[] = { clinic_id, id, patient_id, after_id, lim };
	const char *const *params[] = { mark, get, page };
	PGresult *res[3];
	void *rows = NULL;
	enum err err;

	*messages = NULL;
	*count = 0;
	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	snprintf(lim, sizeof(lim), "%d", limit);
	if ((err = db_exec_batch(db, 3, read_batch, params, res)) != ERR_OK)
		return err;
	if (PQntuples(res[1]) == 0)
		err = ERR_NOT_FOUND;
	else {
		read_thread(a, res[1], 0, thread);
		err = thread->created_at == NULL ? ERR_NOMEM :
		    rows_read(a, res[2], sizeof(**messages), read_message, &rows,
		    count);
		*messages = rows;
		for (int i = 0; err == ERR_OK && i < *count; i++)
			if ((*messages)[i].created_at == NULL)
				err = ERR_NOMEM;
	}
	for (int i = 0; i < 3; i++)
		PQclear(res[i]);
	return err;
}

/* The author's side as the SQL functions name it. */
static const char *
author_kind(const struct db_author *author)
{
	return author->side == MSG_PATIENT ? "patient" : "staff";
}

/* The outcome column of a function's answer as our error: "ok",
 * "closed" (ERR_CONFLICT), "not_found". */
static enum err
outcome_err(PGresult *res)
{
	const char *outcome = PQgetvalue(res, 0, 0);

	if (strcmp(outcome, "ok") == 0)
		return ERR_OK;
	if (strcmp(outcome, "closed") == 0)
		return ERR_CONFLICT;
	return ERR_NOT_FOUND;
}

enum err
db_thread_start(struct db *db, struct arena *a, const char *patient_id,
    const char *subject, const char *topic, const struct db_author *author,
    const char *body, const char **thread_id, const char **message_id,
    bool *notify)
{
	const char *params[] = { patient_id, subject, topic,
	    author_kind(author), author->staff_id, author->api_key_id, body };
	enum err err;
	PGresult *res;

	if (patient_id == NULL || !str_is_uuid(patient_id))
		return ERR_NOT_FOUND;
	if ((res = db_exec_one(db, &stmts[STMT_THREAD_START], params, &err)) ==
	    NULL)
		return err;
	if ((err = outcome_err(res)) == ERR_OK) {
		*thread_id = db_val(a, res, 0, 1);
		*message_id = db_val(a, res, 0, 2);
		*notify = db_val_bool(res, 0, 3);
		if (*thread_id == NULL || *message_id == NULL)
			err = ERR_NOMEM;
	}
	PQclear(res);
	return err;
}

enum err
db_message_add(struct db *db, struct arena *a, const char *patient_id,
    const char *id, const struct db_author *author, const char *body,
    const char **message_id, bool *notify)
{
	const char *params[] = { id, patient_id, author_kind(author),
	    author->staff_id, author->api_key_id, body };
	enum err err;
	PGresult *res;

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	if ((res = db_exec_one(db, &stmts[STMT_MESSAGE_ADD], params, &err)) ==
	    NULL)
		return err;
	if ((err = outcome_err(res)) == ERR_OK) {
		*message_id = db_val(a, res, 0, 1);
		*notify = db_val_bool(res, 0, 2);
		if (*message_id == NULL)
			err = ERR_NOMEM;
	}
	PQclear(res);
	return err;
}

enum err
db_message_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *thread_id, const char *id, struct db_message *out)
{
	const char *params[] = { clinic_id, thread_id, id };
	enum err err;

	err = db_row(db, a, &stmts[STMT_MESSAGE_GET], params, read_message,
	    out);
	if (err == ERR_OK && out->created_at == NULL)
		err = ERR_NOMEM;
	return err;
}

enum err
db_thread_update(struct db *db, const char *clinic_id, const char *id,
    const char *status, bool set_assignee, const char *assigned_to)
{
	const char *params[] = { clinic_id, id, status,
	    set_assignee ? "true" : "false", assigned_to };

	if (id == NULL || !str_is_uuid(id))
		return ERR_NOT_FOUND;
	return db_run_one(db, &stmts[STMT_THREAD_UPDATE], params);
}

enum err
db_message_rate(struct db *db, const char *patient_id, long per_hour,
    long *retry_after)
{
	char limit[24];
	const char *params[] = { patient_id, limit };
	enum err err;
	PGresult *res;

	snprintf(limit, sizeof(limit), "%ld", per_hour);
	if ((res = db_exec_one(db, &stmts[STMT_RATE], params, &err)) == NULL)
		return err;
	*retry_after = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return ERR_OK;
}

enum err
db_message_notice(struct db *db, const char *patient_id, const char *base_url,
    const char *by_type, const char *by_id)
{
	const char *params[] = { patient_id, base_url, by_type, by_id };

	return db_defer(db, &stmts[STMT_NOTICE], params);
}

static void
read_auto_reply(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_auto_reply *r = item;

	r->topic = db_val(a, res, row, 0);
	r->enabled = db_val_bool(res, row, 1);
	r->reply_within_hours = val_int(res, row, 2);
	r->body_tr = db_val(a, res, row, 3);
	r->body_en = db_val(a, res, row, 4);
}

enum err
db_auto_replies_get(struct db *db, struct arena *a, const char *clinic_id,
    struct db_auto_reply **out, int *count)
{
	const char *params[] = { clinic_id };
	void *rows = NULL;
	enum err err;

	err = db_rows_whole(db, a, &stmts[STMT_AUTO_GET], params,
	    sizeof(**out), read_auto_reply,
	    offsetof(struct db_auto_reply, topic), &rows, count);
	*out = rows;
	return err;
}

enum err
db_auto_replies_put(struct db *db, const char *clinic_id, const char *json)
{
	const char *params[] = { clinic_id, json };

	return db_run(db, &stmts[STMT_AUTO_PUT], params);
}
