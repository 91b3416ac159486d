/*
 * pipeline.h - how every routed request runs: the route table's
 * declarations (router.h) acted on before and after the handler
 * (DESIGN.md section 11). See pipeline.c for the steps.
 */
#ifndef PORTAL_PIPELINE_H
#define PORTAL_PIPELINE_H

#include <stdbool.h>

#include "http.h"
#include "permissions.h"

#define PIPELINE_STAFF_COOKIE "portal_staff"
#define PIPELINE_PATIENT_COOKIE "portal_patient"

/*
 * Runs req->route for req, whose body the worker has read and checked:
 * authenticates by the route's side, decides its role or permission,
 * calls the handler inside the route's database work and ends that work
 * (commit below 400 or when req->commit_on_error, else roll back). Every
 * refusal is answered as problem+json: 401 not_authenticated, 403
 * csrf_failed / forbidden_role / permission_denied, 404 portal_not_found,
 * 503 unavailable (also when a commit fails, replacing the handler's
 * answer).
 */
void pipeline_run(struct request *req);

/* The one permission decision for the signed-in patient (access_decide()):
 * true when allowed, else answers 403 permission_denied naming the key.
 * The pipeline calls it with the route's key; handlers whose action needs
 * a second key call it themselves. */
bool pipeline_patient_allows(struct request *req, enum perm key);

/* ROLE_* from "owner", "admin", "staff"; ROLE_NONE otherwise. */
enum staff_role pipeline_role_parse(const char *role);

#endif
