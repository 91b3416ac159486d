/*
 * resp_file_interim.h - INTERIM: the declaration of resp_file() that
 * doc-plan.md puts in include/http/response.h (owner: the store helper).
 * Dropped at merge; documents_api.c then includes response.h instead.
 */
#ifndef PORTAL_RESP_FILE_INTERIM_H
#define PORTAL_RESP_FILE_INTERIM_H

struct request;

enum resp_disposition { RESP_INLINE, RESP_ATTACHMENT };
/* Answers a stored file through nginx: X-Accel-Redirect: /_files/<rel>, Content-Type,
 * Content-Disposition (inline|attachment; filename="<ASCII fallback>"; filename*=UTF-8''<pct>
 * per RFC 6266/5987), Cache-Control: private, no-store; empty body. file_name may be NULL. */
void resp_file(struct request *req, const char *rel, const char *type,
    enum resp_disposition disp, const char *file_name);

#endif
