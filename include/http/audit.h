/*
 * audit.h - recording a change in audit_log, from inside the handler's
 * clinic transaction, with the actor and request id of the request.
 */
#ifndef PORTAL_AUDIT_H
#define PORTAL_AUDIT_H

#include "err.h"

struct request;
struct json_object;

/* Adds one audit row: action ("portal.settings.update"), the target, and
 * before/after snapshots (borrowed, may be NULL; never secrets). */
enum err audit_record(struct request *req, const char *action,
    const char *target_type, const char *target_id,
    struct json_object *before, struct json_object *after);

#endif
