/*
 * db_outbox.h - building a message into the outbox (the one entry point,
 * portal_outbox_compose() of sql/0016), and the outbox as the clinic sees
 * it: deliveries and invitations. Call with the clinic's context set
 * (the request pipeline); strings live in the arena.
 * portal-notifier has statements of its own (src/notifier/).
 */
#ifndef PORTAL_DB_OUTBOX_H
#define PORTAL_DB_OUTBOX_H

#include <stdbool.h>

#include "err.h"

struct arena;
struct db;

/* One outbox row. A secret message (a one-time code: its purpose is
 * secret in message_purposes) has subject and body NULL: the API never
 * shows them. */
struct db_delivery {
	const char *id, *patient_id, *channel, *purpose, *recipient, *locale,
	    *subject, *body, *status, *last_error, *next_attempt_at,
	    *created_at, *sent_at, *portal_code;
	const char *patient_name;	/* "First Last"; NULL without a patient */
	long attempts;
	bool secret;
	const char *cursor;		/* position in the newest-first list */
};

/*
 * A message to build and queue for a patient of the clinic (the arguments
 * of portal_outbox_compose(), which documents each):
 *   purpose        a message purpose (templates.h);
 *   patient_id     the patient it is for;
 *   channel        "sms" or "email"; NULL: by the patient's communication
 *                  choices (SMS, else email, else nothing is sent);
 *   recipient      NULL: the patient's phone or email for the channel;
 *   template_id    NULL: the clinic's first template of the purpose and
 *                  channel;
 *   values_json    more placeholder values, a JSON object (NULL: none);
 *                  a value may be {"tr": ..., "en": ...};
 *   base_url       the base of {{portal_url}} when the clinic has no
 *                  public_url;
 *   created_by_*   "staff", "api_key", "patient" or "system", and its id.
 */
struct db_compose {
	const char *purpose, *patient_id, *channel, *recipient, *template_id,
	    *values_json, *base_url, *created_by_type, *created_by_id;
};

enum db_composed_outcome {
	DB_COMPOSED,			/* queued: delivery holds the row */
	DB_COMPOSE_NO_CONTACT,		/* no channel or recipient: nothing sent */
	DB_COMPOSE_NO_TEMPLATE,		/* no template (nor fallback text) */
};

struct db_composed {
	enum db_composed_outcome outcome;
	/* The template lacked the patient's language: written in the other. */
	bool language_fallback;
	struct db_delivery delivery;
};

/* Renders and queues m in the transaction. ERR_OK with *out saying what
 * happened; ERR_NOT_FOUND when the patient is not the clinic's. */
enum err db_outbox_compose(struct db *db, struct arena *a,
    const struct db_compose *m, struct db_composed *out);

/* Filters of the deliveries list (NULL: any). */
struct db_delivery_filter {
	const char *status, *channel, *purpose, *patient_id;
};

/* True when cursor is one db_delivery_list() gives out. */
bool db_delivery_cursor_ok(const char *cursor);

/* Up to limit deliveries, newest first, after cursor (NULL: from the
 * newest). ERR_INVALID for a malformed cursor. */
enum err db_delivery_list(struct db *db, struct arena *a,
    const char *clinic_id, const struct db_delivery_filter *f,
    const char *cursor, int limit, struct db_delivery **out, int *count);

/* ERR_NOT_FOUND for an unknown id or another clinic's. */
enum err db_delivery_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_delivery *out);

/* Queues a dead message again from its first attempt. ERR_NOT_FOUND, or
 * ERR_CONFLICT when it is not dead or is secret. */
enum err db_delivery_retry(struct db *db, struct arena *a,
    const char *clinic_id, const char *id, struct db_delivery *out);

/* The patient's invitations, newest first (at most 50), and when the
 * patient first signed in (NULL: never). ERR_NOT_FOUND for another
 * clinic's patient. */
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
