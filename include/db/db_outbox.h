/*
 * db_outbox.h - messages waiting in or gone through the outbox, as the
 * clinic sees them (deliveries), and invitations. Call inside a transaction
 * opened with db_begin_clinic() for clinic_id; strings live in the arena.
 * portal-notifier has statements of its own (src/notifier/).
 */
#ifndef PORTAL_DB_OUTBOX_H
#define PORTAL_DB_OUTBOX_H

#include <stdbool.h>

#include "err.h"

struct arena;
struct db;

/* One outbox row. body is NULL for sign-in and contact-change codes: the
 * API never shows a one-time code. */
struct db_delivery {
	const char *id, *patient_id, *channel, *purpose, *recipient, *locale,
	    *subject, *body, *status, *last_error, *next_attempt_at,
	    *created_at, *sent_at, *portal_code;
	long attempts;
	const char *cursor;		/* position in the newest-first list */
};

/* A message to queue. */
struct db_outbox_new {
	const char *patient_id, *channel, *recipient, *purpose, *locale,
	    *sender_name, *subject, *body, *portal_code;
	const char *created_by_type, *created_by_id;
};

enum err db_outbox_insert(struct db *db, struct arena *a,
    const char *clinic_id, const struct db_outbox_new *m,
    struct db_delivery *out);

/* Filters of the deliveries list (NULL: any). */
struct db_delivery_filter {
	const char *status, *channel, *purpose, *patient_id;
};

/* Up to limit deliveries, newest first, after cursor (NULL: from the
 * newest). ERR_INVALID for a malformed cursor. */
enum err db_delivery_list(struct db *db, struct arena *a,
    const char *clinic_id, const struct db_delivery_filter *f,
    const char *cursor, int limit, struct db_delivery **out, int *count);

/* ERR_NOT_FOUND for an unknown id or another clinic's. */
enum err db_delivery_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_delivery *out);

/* Queues a dead message again from its first attempt. ERR_NOT_FOUND, or
 * ERR_CONFLICT when it is not dead or carries a one-time code. */
enum err db_delivery_retry(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, struct db_delivery *out);

/* The patient's invitations, newest first (at most 50), and when the
 * patient first signed in (NULL: never). */
enum err db_invitations_of(struct db *db, struct arena *a,
    const char *clinic_id, const char *patient_id, struct db_delivery **out,
    int *count, const char **first_signed_in_at);

/* Patients invited under code and not yet under current_code (at most
 * max of them), so that a long list can be worked through in rounds; and
 * how many were ever invited under code. */
enum err db_invited_under(struct db *db, struct arena *a,
    const char *clinic_id, const char *code, const char *current_code,
    int max, const char ***ids, int *count);
enum err db_invited_count(struct db *db, const char *clinic_id,
    const char *code, long *count);

#endif
