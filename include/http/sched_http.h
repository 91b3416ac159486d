/*
 * sched_http.h - what appointments_api.c, not yet on the request
 * pipeline, uses to read request bodies field by field into a problem
 * list and to answer a failed database step (sched_http.c). New code uses
 * valid.h and problem_send_err(); this goes when appointments_api.c moves.
 */
#ifndef PORTAL_SCHED_HTTP_H
#define PORTAL_SCHED_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct request;
struct problem_list;

/* Adds "Unknown field." for each member of the body not in known
 * (NULL-terminated). */
void sched_fields_known(struct request *req, const char *const *known,
    struct problem_list *pl);

/* Member key as a string of 1..max characters (single line unless
 * multiline; empty allowed when allow_empty). NULL when absent (a
 * problem when required) or wrong (a problem). */
const char *sched_string(struct request *req, const char *key, size_t max,
    bool required, bool allow_empty, struct problem_list *pl);

/* Member key as a boolean: 0 or 1; -1 when absent or wrong (a problem). */
int sched_bool(struct request *req, const char *key, struct problem_list *pl);

/* Member key as an integer in min..max; false when absent (a problem when
 * required) or wrong (a problem). */
bool sched_int(struct request *req, const char *key, int min, int max,
    bool required, int *out, struct problem_list *pl);

/* Member key as a uuid string; NULL when absent or null (*is_null set),
 * or wrong (a problem). */
const char *sched_uuid(struct request *req, const char *key, bool required,
    bool *is_null, struct problem_list *pl);

/* Member key as an instant with offset (slot_instant_valid()). */
const char *sched_instant(struct request *req, const char *key,
    bool required, struct problem_list *pl);

/* Rolls back and answers err: ERR_NOT_FOUND as 404 not_found with
 * not_found_detail, the rest by problem_code_for_err(). */
void sched_fail(struct request *req, enum err err,
    const char *not_found_detail);

/* Query parameter name as a date (slot_date_parse()); false after adding
 * a problem. Absent is fine unless required (*out NULL then). */
bool sched_query_date(struct request *req, const char *name, bool required,
    const char **out, long *days, struct problem_list *pl);

#endif
