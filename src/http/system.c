/*
 * system.c - handlers about the service itself: health and the OpenAPI
 * document. Both are public reads on the request pipeline (no caller, no
 * clinic context): health's ping runs alone, the document is compiled in.
 */
#include "config.h"

#include <json-c/json.h>

#include "db.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"

/* Generated at build time from openapi/openapi.json (openapi_doc.c). */
extern const char openapi_document[];
extern const unsigned long openapi_document_len;

/*
 * GET /api/v1/health: 200 {status: "ok"} when this worker and PostgreSQL
 * answer; 503 unavailable when PostgreSQL does not.
 */
void
handle_health(struct request *req)
{
	struct json_object *obj;

	if (db_ping(req->ctx->db) != ERR_OK) {
		problem_send(req, "unavailable", "The database does not answer.");
		return;
	}
	obj = json_object_new_object();
	if (obj != NULL && (json_add_string(obj, "status", "ok") != 0 ||
	    json_add_string(obj, "database", "ok") != 0)) {
		json_object_put(obj);
		obj = NULL;
	}
	resp_json(req, 200, obj);
}

/* GET /api/v1/openapi.json: the document this build was made with. */
void
handle_openapi(struct request *req)
{
	resp_raw(req, 200, "application/json", openapi_document,
	    openapi_document_len);
	resp_header(req, "Cache-Control", "public, max-age=300");
}
