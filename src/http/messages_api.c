/*
 * messages_api.c - conversations between a clinic and its patients
 * (DESIGN.md section 14).
 *
 * Patient side: the signed-in patient lists their threads (view_messages),
 * reads one (its clinic messages are marked read), starts one and replies
 * (send_message), at most message_rate_per_hour messages an hour (429
 * rate_limited with Retry-After). Clinic side: the inbox with its filters
 * and the unread count (with an ETag, so that a poll costs a 304), a
 * thread (its patient messages are marked read for every staff member),
 * starting a thread with a patient, replying, closing, reopening and
 * assigning; owners and admins set the automatic first answer per topic.
 * A thread of another patient or clinic answers 404 like an unknown id,
 * on every route; a reply to a closed thread is 409 thread_closed.
 *
 * Bodies are plain text, 1 to 5000 characters with line breaks, kept
 * byte for byte (JSON escapes what it must; no side renders HTML). A
 * staff message queues the content-free new_message notice, at most one
 * per thread until the patient reads it (the database keeps that, with
 * the unread counters, under the thread's row lock: sql/0029).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "db.h"
#include "db_messages.h"
#include "http.h"
#include "json_util.h"
#include "portal_http.h"
#include "problem.h"
#include "response.h"
#include "routes.h"
#include "str.h"
#include "valid.h"

static const char *const topics[] = { "appointment", "billing", "clinical",
    "other", NULL };
static const char *const statuses[] = { "open", "closed", NULL };

/* Who the caller is in the outbox's terms. */
static const char *
actor_type(const struct request *req)
{
	return req->actor.kind == ACTOR_API_KEY ? "api_key" :
	    req->actor.kind == ACTOR_PATIENT ? "patient" : "staff";
}

/* The caller as a message's author. */
static void
author_of(const struct request *req, struct db_author *author)
{
	memset(author, 0, sizeof(*author));
	if (req->actor.kind == ACTOR_PATIENT) {
		author->side = MSG_PATIENT;
		return;
	}
	author->side = MSG_STAFF;
	if (req->actor.kind == ACTOR_API_KEY)
		author->api_key_id = req->actor.id;
	else
		author->staff_id = req->actor.id;
}

static struct json_object *
thread_json(const struct db_thread *t, enum msg_side side)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", t->id);
	json_add_string(o, "subject", t->subject);
	json_add_string(o, "topic", t->topic);
	json_add_string(o, "status", t->status);
	json_add_string(o, "assigned_to", t->assigned_to);
	json_add_string(o, "last_message_at", t->last_message_at);
	json_add_int(o, "unread", side == MSG_PATIENT ? t->patient_unread :
	    t->staff_unread);
	json_add_string(o, "started_by", t->started_by);
	json_add_string(o, "created_at", t->created_at);
	if (side == MSG_STAFF) {
		json_add_string(o, "patient_id", t->patient_id);
		json_add_string(o, "patient_name", t->patient_name);
		json_add_string(o, "assigned_to_name", t->assigned_name);
		json_add_int(o, "message_count", t->message_count);
	}
	return o;
}

static struct json_object *
message_json(const struct db_message *m, enum msg_side side)
{
	struct json_object *o = json_object_new_object(), *author;

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", m->id);
	if ((author = json_object_new_object()) != NULL) {
		json_add_string(author, "kind", m->author_kind);
		json_add_string(author, "id", m->author_id);
		json_add_string(author, "name", m->author_name);
	}
	json_add(o, "author", author);
	json_add_string(o, "body", m->body);
	json_add_bool(o, "automatic", m->automatic);
	json_add_string(o, "created_at", m->created_at);
	if (side == MSG_STAFF)
		json_add_string(o, "read_at", m->read_at);
	return o;
}

static struct json_object *
thread_item(const void *row, void *ctx)
{
	return thread_json(row, *(const enum msg_side *)ctx);
}

static const char *
thread_cursor(const void *row)
{
	return ((const struct db_thread *)row)->id;
}

/*
 * Reads the route's thread {id} for the caller's side (marking the other
 * side's messages read) and answers it with a page of its messages,
 * oldest first (?cursor= a message id); 404 for a thread the caller does
 * not see.
 */
static void
thread_send(struct request *req, enum msg_side side)
{
	const char *cursor = NULL;
	struct db_thread t;
	struct db_message *rows;
	struct json_object *o, *items;
	int n = 0, shown;
	enum err err;

	q_uuid(req, "cursor", 0, &cursor);
	if (!v_ok(req))
		return;
	err = db_thread_read(req->ctx->db, req->arena, req->actor.clinic_id,
	    side == MSG_PATIENT ? req->actor.id : NULL, side,
	    route_param(&req->params, "id"), cursor, MESSAGE_PAGE + 1, &t,
	    &rows, &n);
	if (err != ERR_OK) {
		problem_send_err(req, err, "thread");
		return;
	}
	/* Read now: nothing of it is unread for the reader any more. */
	if (side == MSG_PATIENT)
		t.patient_unread = 0;
	else
		t.staff_unread = 0;
	if ((o = thread_json(&t, side)) == NULL ||
	    (items = json_object_new_array()) == NULL) {
		json_object_put(o);
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	shown = n > MESSAGE_PAGE ? MESSAGE_PAGE : n;
	for (int i = 0; i < shown; i++)
		json_object_array_add(items, message_json(&rows[i], side));
	json_add(o, "messages", items);
	json_add_string(o, "next_cursor", n > MESSAGE_PAGE ?
	    rows[shown - 1].id : NULL);
	resp_json(req, 200, o);
}

/* Answers the message message_id of thread_id as side sees it, with
 * status. */
static void
message_send(struct request *req, int status, const char *thread_id,
    const char *message_id, enum msg_side side)
{
	struct db_message m;
	enum err err;

	if ((err = db_message_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, thread_id, message_id, &m)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, status, message_json(&m, side));
}

/* The patient's rate: true when they may send one more message, else
 * false after answering 429 rate_limited with Retry-After (or the
 * database's failure). Holds their lock until the work ends. */
static bool
rate_ok(struct request *req)
{
	long per_hour = req->ctx->conf->message_rate_per_hour, retry = 0;
	enum err err;

	if ((err = db_message_rate(req->ctx->db, req->actor.id, per_hour,
	    &retry)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return false;
	}
	if (retry > 0) {
		problem_send_rate_limited(req, retry, arena_printf(req->arena,
		    "You may send at most %ld messages an hour; wait before "
		    "sending another.", per_hour));
		return false;
	}
	return true;
}

/* Queues the new_message notice for patient_id when notify. */
static enum err
notice(struct request *req, bool notify, const char *patient_id)
{
	if (!notify)
		return ERR_OK;
	return db_message_notice(req->ctx->db, patient_id,
	    req->ctx->conf->public_url, actor_type(req), req->actor.id);
}

/* What the audit keeps of a thread: never its subject or a body. */
static struct json_object *
thread_audit_json(struct request *req, const struct db_thread *t)
{
	struct json_object *o = json_arena_own(req->arena,
	    json_object_new_object());

	if (o == NULL)
		return NULL;
	json_add_string(o, "id", t->id);
	json_add_string(o, "patient_id", t->patient_id);
	json_add_string(o, "topic", t->topic);
	json_add_string(o, "status", t->status);
	json_add_string(o, "assigned_to", t->assigned_to);
	return o;
}

/* ---- patient side ---- */

/* The patient's list's page from the query; false when it is bad
 * (problems noted). */
static bool
portal_page(struct request *req, struct v_page *page)
{
	q_page(req, NULL, page);
	return v_count(req) == 0;
}

/* What handle_portal_threads() reads, sent with the session's statement. */
void
ahead_portal_threads(struct request *req)
{
	struct v_page page;

	if (portal_page(req, &page))
		db_portal_threads_ahead(req->ctx->db, req->arena, page.cursor,
		    page.limit + 1);
}

/* GET /api/v1/portal/{code}/messages?cursor=&limit= [view_messages]: the
 * patient's threads, newest activity first, each with its unread count
 * (clinic messages they have not read). */
void
handle_portal_threads(struct request *req)
{
	enum msg_side side = MSG_PATIENT;
	struct db_thread *rows;
	struct v_page page;
	int n = 0;
	enum err err;

	portal_page(req, &page);
	if (!v_ok(req))
		return;
	if ((err = db_portal_threads(req->ctx->db, req->arena, page.cursor,
	    page.limit + 1, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page.limit,
	    thread_item, &side, thread_cursor));
}

/* GET /api/v1/portal/{code}/messages/{id}?cursor= [view_messages] (write:
 * marks the clinic's messages read): the thread with its messages, oldest
 * first, 100 a page; 404 for a thread not the patient's. */
void
handle_portal_thread_get(struct request *req)
{
	thread_send(req, MSG_PATIENT);
}

/*
 * POST /api/v1/portal/{code}/messages {subject, topic, body}
 * [send_message] (write): 201 with the thread; the clinic's automatic
 * first answer for the topic, if enabled, follows the message. 422 naming
 * the field; 429 rate_limited with Retry-After past message_rate_per_hour.
 */
void
handle_portal_thread_create(struct request *req)
{
	static const char *const fields[] = { "subject", "topic", "body",
	    NULL };
	const char *subject = NULL, *topic = NULL, *body = NULL, *thread_id,
	    *message_id;
	struct db_author author;
	struct db_thread t;
	struct vobj o;
	bool notify = false;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	v_text(&o, "subject", V_LINE(MESSAGE_SUBJECT_MAX), V_REQUIRED,
	    &subject);
	v_enum(&o, "topic", topics, V_REQUIRED, &topic);
	v_text(&o, "body", V_LINES(1, MESSAGE_BODY_MAX), V_REQUIRED, &body);
	if (!v_ok(req) || !rate_ok(req))
		return;
	author_of(req, &author);
	if ((err = db_thread_start(req->ctx->db, req->arena, req->actor.id,
	    subject, topic, &author, body, &thread_id, &message_id,
	    &notify)) != ERR_OK ||
	    (err = db_thread_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, req->actor.id, thread_id, &t)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/portal/%s/messages/%s", req->portal->code, t.id));
	resp_json(req, 201, thread_json(&t, MSG_PATIENT));
}

/* POST /api/v1/portal/{code}/messages/{id} {body} [send_message] (write):
 * 201 with the message. 404 for a thread not the patient's; 409
 * thread_closed; 422; 429 rate_limited with Retry-After. */
void
handle_portal_message_reply(struct request *req)
{
	static const char *const fields[] = { "body", NULL };
	const char *body = NULL, *message_id, *id = route_param(&req->params,
	    "id");
	struct db_author author;
	struct vobj o;
	bool notify = false;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	v_text(&o, "body", V_LINES(1, MESSAGE_BODY_MAX), V_REQUIRED, &body);
	if (!v_ok(req) || !rate_ok(req))
		return;
	author_of(req, &author);
	err = db_message_add(req->ctx->db, req->arena, req->actor.id, id,
	    &author, body, &message_id, &notify);
	if (err == ERR_CONFLICT) {
		problem_send(req, "thread_closed", "The conversation is "
		    "closed; start a new one.");
		return;
	}
	if (err != ERR_OK) {
		problem_send_err(req, err, "thread");
		return;
	}
	message_send(req, 201, id, message_id, MSG_PATIENT);
}

/* ---- clinic side ---- */

/* The inbox's filter and page from the query; false when it is bad
 * (problems noted). "me" names the caller, whom the ahead step does not
 * know yet (ahead: false, nothing sent). */
static bool
inbox_filter(struct request *req, bool ahead, struct db_inbox_filter *f,
    struct v_page *page)
{
	const char *assigned = NULL;
	bool unread = false;

	q_enum(req, "status", statuses, 0, &f->status);
	q_enum(req, "topic", topics, 0, &f->topic);
	if (q_text(req, "assigned_to", V_LINE(36), 0, &assigned) == V_SET) {
		if (strcmp(assigned, "none") == 0)
			f->unassigned = true;
		else if (strcmp(assigned, "me") == 0) {
			if (ahead)
				return false;
			if (req->actor.kind != ACTOR_STAFF)
				v_problem_field(req, "assigned_to", "An API key "
				    "is no staff member; name one by id.");
			f->assigned_to = req->actor.id;
		} else if (str_is_uuid(assigned))
			f->assigned_to = assigned;
		else
			v_problem_field(req, "assigned_to", "A staff id, "
			    "\"me\" or \"none\".");
	}
	if (q_bool(req, "unread", 0, &unread) == V_SET)
		f->unread = unread ? "true" : "false";
	q_uuid(req, "patient_id", 0, &f->patient_id);
	q_page(req, NULL, page);
	f->after_id = page->cursor;
	f->limit = page->limit + 1;
	return v_count(req) == 0;
}

/* What handle_inbox() reads, sent with the session's statement (of the
 * context's clinic, which that statement sets). */
void
ahead_inbox(struct request *req)
{
	struct db_inbox_filter f = { 0 };
	struct v_page page;

	if (inbox_filter(req, true, &f, &page))
		db_inbox_ahead(req->ctx->db, req->arena, &f);
}

/* GET /api/v1/clinic/messages?status=&topic=&assigned_to=&unread=
 * &patient_id=&cursor=&limit=: the clinic's threads, newest activity
 * first; assigned_to is a staff id, "me" or "none". 422 for a bad filter
 * ("me" with an API key). */
void
handle_inbox(struct request *req)
{
	struct db_inbox_filter f = { 0 };
	enum msg_side side = MSG_STAFF;
	struct db_thread *rows;
	struct v_page page;
	int n = 0;
	enum err err;

	inbox_filter(req, false, &f, &page);
	if (!v_ok(req))
		return;
	if ((err = db_inbox(req->ctx->db, req->arena, &f, &rows, &n)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, list_page_json(rows, sizeof(*rows), n, page.limit,
	    thread_item, &side, thread_cursor));
}

void
ahead_unread_count(struct request *req)
{
	db_unread_count_ahead(req->ctx->db);
}

/* GET /api/v1/clinic/messages/unread-count: {threads, messages} with
 * patient messages no staff member has read, and an ETag: 304 without a
 * body when If-None-Match names it. */
void
handle_unread_count(struct request *req)
{
	const char *etag, *match = req_header(req, "HTTP_IF_NONE_MATCH");
	int64_t threads = 0, messages = 0;
	struct json_object *o;
	enum err err;

	if ((err = db_unread_count(req->ctx->db, &threads, &messages)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	etag = arena_printf(req->arena, "\"u%" PRId64 "-%" PRId64 "\"",
	    threads, messages);
	if (etag == NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	resp_header(req, "ETag", etag);
	if (match != NULL && (strstr(match, etag) != NULL ||
	    strcmp(match, "*") == 0)) {
		resp_raw(req, 304, NULL, "", 0);
		return;
	}
	if ((o = json_object_new_object()) != NULL) {
		json_add_int(o, "threads", threads);
		json_add_int(o, "messages", messages);
	}
	resp_json(req, 200, o);
}

/* GET /api/v1/clinic/messages/{id}?cursor= (write: marks the patient's
 * messages read for every staff member): the thread with its messages,
 * oldest first, 100 a page; 404. */
void
handle_clinic_thread_get(struct request *req)
{
	thread_send(req, MSG_STAFF);
}

/*
 * POST /api/v1/clinic/messages {patient_id, subject, topic, body} (write):
 * 201 with the thread; queues the new_message notice. 422 naming the
 * field (an unknown or foreign patient_id too).
 */
void
handle_clinic_thread_create(struct request *req)
{
	static const char *const fields[] = { "patient_id", "subject", "topic",
	    "body", NULL };
	const char *patient_id = NULL, *subject = NULL, *topic = NULL,
	    *body = NULL, *thread_id, *message_id;
	struct db_author author;
	struct db_thread t;
	struct json_object *after;
	struct vobj o;
	bool notify = false;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	v_uuid(&o, "patient_id", V_REQUIRED, &patient_id);
	v_text(&o, "subject", V_LINE(MESSAGE_SUBJECT_MAX), V_REQUIRED,
	    &subject);
	v_enum(&o, "topic", topics, V_REQUIRED, &topic);
	v_text(&o, "body", V_LINES(1, MESSAGE_BODY_MAX), V_REQUIRED, &body);
	if (!v_ok(req))
		return;
	author_of(req, &author);
	err = db_thread_start(req->ctx->db, req->arena, patient_id, subject,
	    topic, &author, body, &thread_id, &message_id, &notify);
	if (err == ERR_NOT_FOUND) {
		v_problem_field(req, "patient_id", "No such patient.");
		v_ok(req);
		return;
	}
	if (err != ERR_OK ||
	    (err = db_thread_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, NULL, thread_id, &t)) != ERR_OK ||
	    (err = (after = thread_audit_json(req, &t)) ? ERR_OK :
	    ERR_NOMEM) != ERR_OK ||
	    (err = notice(req, notify, t.patient_id)) != ERR_OK ||
	    (err = audit_record(req, "message.thread.create", "message_thread",
	    t.id, NULL, after)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/messages/%s", t.id));
	resp_json(req, 201, thread_json(&t, MSG_STAFF));
}

/* POST /api/v1/clinic/messages/{id} {body} (write): 201 with the message;
 * queues the new_message notice unless one is pending. 404; 409
 * thread_closed; 422. */
void
handle_clinic_message_reply(struct request *req)
{
	static const char *const fields[] = { "body", NULL };
	const char *body = NULL, *message_id;
	struct db_author author;
	struct db_thread t;
	struct json_object *after;
	struct vobj o;
	bool notify = false;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	v_text(&o, "body", V_LINES(1, MESSAGE_BODY_MAX), V_REQUIRED, &body);
	if (!v_ok(req))
		return;
	if ((err = db_thread_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, NULL, route_param(&req->params, "id"), &t)) !=
	    ERR_OK) {
		problem_send_err(req, err, "thread");
		return;
	}
	author_of(req, &author);
	err = db_message_add(req->ctx->db, req->arena, NULL, t.id, &author,
	    body, &message_id, &notify);
	if (err == ERR_CONFLICT) {
		problem_send(req, "thread_closed", "The conversation is "
		    "closed; reopen it to reply.");
		return;
	}
	if (err != ERR_OK ||
	    (err = (after = json_arena_own(req->arena,
	    json_object_new_object())) ? ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = json_add_string(after, "message_id", message_id) == 0 ?
	    ERR_OK : ERR_NOMEM) != ERR_OK ||
	    (err = notice(req, notify, t.patient_id)) != ERR_OK ||
	    (err = audit_record(req, "message.reply", "message_thread", t.id,
	    NULL, after)) != ERR_OK) {
		problem_send_err(req, err, "thread");
		return;
	}
	message_send(req, 201, t.id, message_id, MSG_STAFF);
}

/* PATCH /api/v1/clinic/messages/{id} {status?, assigned_to?} (write):
 * closes or reopens, assigns (a staff id) or unassigns (null); 200 with
 * the thread. 404; 422 naming the field (a staff id not of the clinic). */
void
handle_clinic_thread_patch(struct request *req)
{
	static const char *const fields[] = { "status", "assigned_to", NULL };
	const char *status = NULL, *assigned_to = NULL;
	struct db_thread was, t;
	struct json_object *before, *after;
	struct vobj o;
	bool set_assignee;
	enum err err;

	if (!v_body(req, &o, fields))
		return;
	v_enum(&o, "status", statuses, 0, &status);
	set_assignee = v_uuid(&o, "assigned_to", V_NULLABLE, &assigned_to) !=
	    V_ABSENT;
	if (!v_ok(req))
		return;
	if ((err = db_thread_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, NULL, route_param(&req->params, "id"),
	    &was)) != ERR_OK) {
		problem_send_err(req, err, "thread");
		return;
	}
	err = db_thread_update(req->ctx->db, req->actor.clinic_id, was.id,
	    status, set_assignee, assigned_to);
	if (err == ERR_INVALID) {
		v_problem_field(req, "assigned_to", "No such staff member.");
		v_ok(req);
		return;
	}
	if (err != ERR_OK ||
	    (err = db_thread_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, NULL, was.id, &t)) != ERR_OK ||
	    (err = ((before = thread_audit_json(req, &was)) != NULL &&
	    (after = thread_audit_json(req, &t)) != NULL) ? ERR_OK :
	    ERR_NOMEM) != ERR_OK ||
	    (err = audit_record(req, "message.thread.update", "message_thread",
	    t.id, before, after)) != ERR_OK) {
		problem_send_err(req, err, "thread");
		return;
	}
	resp_json(req, 200, thread_json(&t, MSG_STAFF));
}

/* The automatic answers, every topic present ({enabled: false,
 * reply_within_hours: 24, body: {tr: null, en: null}} for one never set). */
static struct json_object *
auto_replies_json(const struct db_auto_reply *rows, int n)
{
	struct json_object *o = json_object_new_object(), *one, *body;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; topics[i] != NULL; i++) {
		const struct db_auto_reply *r = NULL;

		for (int j = 0; j < n; j++)
			if (strcmp(rows[j].topic, topics[i]) == 0)
				r = &rows[j];
		if ((one = json_object_new_object()) == NULL)
			continue;
		json_add_bool(one, "enabled", r != NULL && r->enabled);
		json_add_int(one, "reply_within_hours", r != NULL ?
		    r->reply_within_hours : 24);
		if ((body = json_object_new_object()) != NULL) {
			json_add_string(body, "tr", r ? r->body_tr : NULL);
			json_add_string(body, "en", r ? r->body_en : NULL);
		}
		json_add(one, "body", body);
		json_add(o, topics[i], one);
	}
	return o;
}

/* The stored answers as JSON, owned by the arena; NULL after answering
 * the failure. */
static struct json_object *
auto_replies_read(struct request *req)
{
	struct db_auto_reply *rows;
	struct json_object *o;
	int n = 0;
	enum err err;

	if ((err = db_auto_replies_get(req->ctx->db, req->arena,
	    req->actor.clinic_id, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return NULL;
	}
	if ((o = json_arena_own(req->arena, auto_replies_json(rows, n))) ==
	    NULL)
		problem_send_err(req, ERR_NOMEM, NULL);
	return o;
}

/* GET /api/v1/clinic/messages/auto-replies (owner and admin): per topic
 * {enabled, reply_within_hours, body: {tr, en}}. */
void
handle_auto_replies_get(struct request *req)
{
	struct json_object *o = auto_replies_read(req);

	if (o != NULL)
		resp_json(req, 200, json_object_get(o));
}

/*
 * PUT /api/v1/clinic/messages/auto-replies {<topic>: {enabled,
 * reply_within_hours, body: {tr, en}}} (owner and admin; every topic):
 * 200 with the answers stored. {{reply_within_hours}} in a text is
 * replaced when it is sent. 422 naming the field (an enabled answer
 * without a text in either language).
 */
void
handle_auto_replies_put(struct request *req)
{
	static const char *const one_fields[] = { "enabled",
	    "reply_within_hours", "body", NULL };
	static const char *const body_fields[] = { "tr", "en", NULL };
	struct json_object *stored, *before, *after;
	struct vobj o, one, body;
	const char *json;
	enum err err;

	if (!v_body(req, &o, topics))
		return;
	if ((stored = json_arena_own(req->arena, json_object_new_object())) ==
	    NULL) {
		problem_send_err(req, ERR_NOMEM, NULL);
		return;
	}
	for (size_t i = 0; topics[i] != NULL; i++) {
		const char *tr = NULL, *en = NULL;
		struct json_object *row;
		bool enabled = false;
		int64_t hours = 24;

		if (v_object(&o, topics[i], one_fields, V_REQUIRED, &one) !=
		    V_SET)
			continue;
		v_bool(&one, "enabled", V_REQUIRED, &enabled);
		v_int(&one, "reply_within_hours", 1, 720, V_REQUIRED, &hours);
		if (v_object(&one, "body", body_fields, V_REQUIRED, &body) ==
		    V_SET) {
			v_text(&body, "tr", V_LINES(1, MESSAGE_AUTO_REPLY_MAX),
			    V_NULLABLE, &tr);
			v_text(&body, "en", V_LINES(1, MESSAGE_AUTO_REPLY_MAX),
			    V_NULLABLE, &en);
			if (enabled && tr == NULL && en == NULL)
				v_problem(&one, "body", "An answer that is on "
				    "needs its text in Turkish or English.");
		}
		if ((row = json_object_new_object()) == NULL) {
			problem_send_err(req, ERR_NOMEM, NULL);
			return;
		}
		json_add_bool(row, "enabled", enabled);
		json_add_int(row, "reply_within_hours", hours);
		json_add_string(row, "body_tr", tr);
		json_add_string(row, "body_en", en);
		json_add(stored, topics[i], row);
	}
	if (!v_ok(req) || (before = auto_replies_read(req)) == NULL)
		return;
	if ((json = json_to_arena(req->arena, stored, NULL)) == NULL)
		err = ERR_NOMEM;
	else
		err = db_auto_replies_put(req->ctx->db, req->actor.clinic_id,
		    json);
	if (err != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if ((after = auto_replies_read(req)) == NULL)
		return;
	if ((err = audit_record(req, "message.auto_replies.update", "clinic",
	    req->actor.clinic_id, before, after)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, json_object_get(after));
}
