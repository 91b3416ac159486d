/*
 * db_messages.h - conversations between a clinic and its patients, their
 * read state and the clinic's automatic first answers
 * (sql/0029_messages.sql). Call with the clinic's context set (the request
 * pipeline's work). Strings live in the arena passed in; instants are RFC
 * 3339 UTC. Unread counts are kept by the database under each thread's
 * row lock, so they are exact however many requests race.
 */
#ifndef PORTAL_DB_MESSAGES_H
#define PORTAL_DB_MESSAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct arena;
struct db;

#define MESSAGE_SUBJECT_MAX 200		/* characters */
#define MESSAGE_BODY_MAX 5000		/* characters */
#define MESSAGE_AUTO_REPLY_MAX 1000	/* an automatic answer, characters */
#define MESSAGE_PAGE 100		/* a thread's messages per page */

/* Which side reads or writes. */
enum msg_side { MSG_PATIENT, MSG_STAFF };

struct db_thread {
	const char *id, *patient_id, *patient_name;
	const char *subject, *topic;	/* appointment, billing, clinical, other */
	const char *status;		/* open, closed */
	const char *assigned_to, *assigned_name;	/* NULL: nobody */
	const char *started_by;		/* patient, staff */
	int message_count;
	int patient_unread;		/* staff messages the patient has not read */
	int staff_unread;		/* patient messages no staff member read */
	const char *last_message_at, *created_at;
};

struct db_message {
	const char *id;
	const char *author_kind;	/* patient, staff */
	const char *author_id;		/* patient, staff or API key; NULL for the
					 * automatic answer or a removed author */
	const char *author_name;	/* the clinic's name for the automatic one */
	bool automatic;
	const char *body;
	const char *created_at, *read_at;	/* read_at NULL: unread */
};

/* The inbox's filters; NULL (false for unassigned) for any. */
struct db_inbox_filter {
	const char *status, *topic;
	const char *assigned_to;	/* a staff id */
	bool unassigned;		/* assigned to nobody */
	const char *unread;		/* "true", "false" or NULL */
	const char *patient_id;
	const char *after_id;		/* a previous page's last thread */
	int limit;
};

/* The clinic's (the context's) threads by f, newest activity first.
 * _ahead() sends it with the session's statement (db_ahead()); f must
 * be the same. */
void db_inbox_ahead(struct db *db, struct arena *a,
    const struct db_inbox_filter *f);
enum err db_inbox(struct db *db, struct arena *a,
    const struct db_inbox_filter *f, struct db_thread **out, int *count);

/* The clinic's unread count: threads with patient messages no staff
 * member has read, and those messages. _ahead() sends it with the
 * session's statement (db_ahead()); the other takes its answer. */
void db_unread_count_ahead(struct db *db);
enum err db_unread_count(struct db *db, int64_t *threads, int64_t *messages);

/* The signed-in patient's (the context's) threads, newest activity
 * first, after thread after_id (NULL: from the start). _ahead() as
 * above; params must be the same. */
void db_portal_threads_ahead(struct db *db, struct arena *a,
    const char *after_id, int limit);
enum err db_portal_threads(struct db *db, struct arena *a,
    const char *after_id, int limit, struct db_thread **out, int *count);

/* Thread id of the clinic (patient_id non-NULL: only that patient's);
 * ERR_NOT_FOUND for an unknown or foreign id alike. */
enum err db_thread_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *id, struct db_thread *out);

/*
 * Reads thread id for side: marks the other side's unread messages read
 * (a staff read marks the patient's for every staff member; the patient's
 * read ends a pending notice), then answers the thread and a page of its
 * messages, oldest first, after message after_id (NULL: from the first),
 * up to limit (fetch limit + 1 to learn whether there is more). patient_id
 * as in db_thread_get(). One round trip. ERR_NOT_FOUND.
 */
enum err db_thread_read(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, enum msg_side side, const char *id,
    const char *after_id, int limit, struct db_thread *thread,
    struct db_message **messages, int *count);

/* Who writes: the patient, or the clinic (staff_id or api_key_id). */
struct db_author {
	enum msg_side side;
	const char *staff_id, *api_key_id;
};

/*
 * Starts a thread with patient_id (subject, topic) and its first message
 * body by author; a thread the patient starts gets the clinic's automatic
 * first answer for the topic, if enabled. *thread_id, *message_id (arena)
 * and *notify (a new_message notice is due) on ERR_OK; ERR_NOT_FOUND for
 * an unknown patient.
 */
enum err db_thread_start(struct db *db, struct arena *a,
    const char *patient_id, const char *subject, const char *topic,
    const struct db_author *author, const char *body,
    const char **thread_id, const char **message_id, bool *notify);

/* Adds body by author to thread id (patient_id as in db_thread_get()).
 * *message_id and *notify on ERR_OK; ERR_NOT_FOUND; ERR_CONFLICT when the
 * thread is closed. */
enum err db_message_add(struct db *db, struct arena *a, const char *patient_id,
    const char *id, const struct db_author *author, const char *body,
    const char **message_id, bool *notify);

/* Message id of thread thread_id. */
enum err db_message_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *thread_id, const char *id, struct db_message *out);

/* Changes thread id's status (NULL: kept) and assignment (set_assignee:
 * to assigned_to, NULL for nobody). ERR_NOT_FOUND; ERR_INVALID for a
 * staff id not of the clinic. */
enum err db_thread_update(struct db *db, const char *clinic_id, const char *id,
    const char *status, bool set_assignee, const char *assigned_to);

/*
 * Patient patient_id's sending: takes their lock for the rest of the
 * transaction and sets *retry_after to 0 when they may send one more
 * message (fewer than per_hour of theirs in the last hour), else the
 * seconds until they may.
 */
enum err db_message_rate(struct db *db, const char *patient_id, long per_hour,
    long *retry_after);

/* Queues the content-free new_message notice to the patient by their
 * communication choices, with the commit (db_defer()); by_type/by_id: who
 * caused it. The strings must live until the work ends. */
enum err db_message_notice(struct db *db, const char *patient_id,
    const char *base_url, const char *by_type, const char *by_id);

/* One topic's automatic first answer. */
struct db_auto_reply {
	const char *topic;
	bool enabled;
	int reply_within_hours;
	const char *body_tr, *body_en;	/* NULL: none in that language */
};

/* The clinic's automatic answers as stored (topics without a row are
 * missing; *count of them). */
enum err db_auto_replies_get(struct db *db, struct arena *a,
    const char *clinic_id, struct db_auto_reply **out, int *count);

/* Stores the automatic answers given as a JSON object {topic: {enabled,
 * reply_within_hours, body_tr, body_en}} (built by the caller from
 * validated values), replacing those of the same topics. */
enum err db_auto_replies_put(struct db *db, const char *clinic_id,
    const char *json);

#endif
