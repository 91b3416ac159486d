/*
 * problem.h - problem+json answers (RFC 9457) with a stable `code`.
 *
 * One table in problem.c maps each code to its HTTP status and title, so a
 * handler names what went wrong and never picks a status by hand.
 */
#ifndef PORTAL_PROBLEM_H
#define PORTAL_PROBLEM_H

#include <stddef.h>

#include "err.h"

struct request;
struct json_object;

/* Answers the problem `code` with a human `detail` (NULL: the title).
 * Unknown codes are a bug and answer 500 internal_error. */
void problem_send(struct request *req, const char *code, const char *detail);

/* Like problem_send(), adding members to the problem object: `extra` is a
 * JSON object whose members are copied in (NULL for none); takes the
 * reference. */
void problem_send_ex(struct request *req, const char *code,
    const char *detail, struct json_object *extra);

/* 429 rate_limited with Retry-After: the seconds to wait. */
void problem_send_rate_limited(struct request *req, long retry_after,
    const char *detail);

/* Validation errors are gathered in a list, then sent at once. */
struct problem_list;
struct problem_list *problem_list_new(struct request *req);
void problem_list_add(struct problem_list *pl, const char *field,
    const char *message);
/* The same with one more string member, name: value, for a client that
 * says the problem in its own words ("example": "+44 7400 123456"). */
void problem_list_add_ex(struct problem_list *pl, const char *field,
    const char *message, const char *name, const char *value);
size_t problem_list_count(const struct problem_list *pl);
/* Sends 422 validation_failed with errors: [{field, message}]. */
void problem_list_send(struct request *req, struct problem_list *pl,
    const char *detail);
/* The same errors under another 422 code ("contact_missing"). */
void problem_list_send_as(struct request *req, struct problem_list *pl,
    const char *code, const char *detail);

/* Answers a domain error: ERR_NOT_FOUND is 404 not_found saying "No such
 * <what>." (what NULL: the title), the rest by problem_code_for_err(). The
 * one mapping from error to answer; no handler carries its own. */
void problem_send_err(struct request *req, enum err e, const char *what);

/* The HTTP status of a problem code, or 0 when the code is unknown. */
int problem_status(const char *code);

/* Maps a domain error to a problem code ("not_found", "unavailable", ...). */
const char *problem_code_for_err(enum err e);

#endif
