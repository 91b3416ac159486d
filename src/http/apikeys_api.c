/*
 * apikeys_api.c - the clinic's API keys for integrators: list, create
 * (the key is shown once, only its hash is kept) and revoke.
 *
 * Owner and admin, from a console session only (DESIGN.md section 16: an
 * API key gets 403 forbidden_role here; the route table says so). A key
 * records who made it and acts with that person's role narrowed by its
 * scopes, and stops working when that person is no longer active
 * (sql/0012, pipeline.c): an admin's key never does what only the owner
 * may. Keys made by the operator (portalctl) have no maker and act as the
 * owner.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "arena.h"
#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "db_clinic.h"
#include "http.h"
#include "json_util.h"
#include "problem.h"
#include "routes.h"
#include "str.h"
#include "valid.h"

#define API_KEYS_ACTIVE_MAX 50
#define API_KEY_NAME_MAX_CHARS 100

static const char *const scope_names[] = { "read", "write", "admin", NULL };

struct json_object *
api_key_scopes_json(unsigned scopes)
{
	struct json_object *arr = json_object_new_array();

	if (arr == NULL)
		return NULL;
	if (scopes & SCOPE_READ)
		json_object_array_add(arr, json_object_new_string("read"));
	if (scopes & SCOPE_WRITE)
		json_object_array_add(arr, json_object_new_string("write"));
	if (scopes & SCOPE_ADMIN)
		json_object_array_add(arr, json_object_new_string("admin"));
	return arr;
}

static struct json_object *
key_json(const struct db_api_key_row *k)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	if (json_add_string(o, "id", k->id) != 0 ||
	    json_add_string(o, "name", k->name) != 0 ||
	    json_add_string(o, "prefix", k->prefix) != 0 ||
	    json_add(o, "scopes", api_key_scopes_json(k->scopes)) != 0 ||
	    json_add_string(o, "created_at", k->created_at) != 0 ||
	    json_add_string(o, "created_by", k->created_by) != 0 ||
	    json_add_string(o, "last_used_at", k->last_used_at) != 0 ||
	    json_add_string(o, "revoked_at", k->revoked_at) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* GET /api/v1/clinic/api-keys: {items, next_cursor: null}, newest first,
 * never the secrets. */
void
handle_api_keys_list(struct request *req)
{
	struct db_api_key_row *rows;
	struct json_object *items;
	int n = 0;
	enum err err;

	if ((err = db_api_key_list(req->ctx->db, req->arena,
	    req->actor.clinic_id, &rows, &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	if ((items = json_object_new_array()) == NULL) {
		resp_json(req, 200, NULL);	/* answers 503 */
		return;
	}
	for (int i = 0; i < n; i++) {
		struct json_object *o = key_json(&rows[i]);

		if (o == NULL || json_object_array_add(items, o) != 0) {
			json_object_put(o);
			json_object_put(items);
			resp_json(req, 200, NULL);
			return;
		}
	}
	resp_json(req, 200, list_all_json(items));
}

/*
 * POST /api/v1/clinic/api-keys {name, scopes}: 201 with `key`, shown this
 * once, and Location; the key's maker is the signed-in staff member. 422
 * for a missing or bad name or scopes, or another field; 409 conflict
 * when the clinic has API_KEYS_ACTIVE_MAX keys not revoked.
 */
void
handle_api_key_create(struct request *req)
{
	static const char *const fields[] = { "name", "scopes", NULL };
	char key[CRYPTO_API_KEY_CHARS + 1], hash[CRYPTO_BYTEA_HEX], prefix[16];
	struct json_object *after, *body;
	struct db_api_key_row row;
	struct vobj in;
	struct varr scopes;
	enum err err;

	memset(&row, 0, sizeof(row));
	if (!v_body(req, &in, fields))
		return;
	v_text(&in, "name", V_LINE(API_KEY_NAME_MAX_CHARS), V_REQUIRED,
	    &row.name);
	if (v_array(&in, "scopes", 3, V_REQUIRED, &scopes) == V_SET) {
		for (size_t i = 0; i < scopes.count; i++) {
			const char *scope;

			if (v_item_enum(&scopes, i, scope_names, &scope) != V_SET)
				continue;
			row.scopes |= strcmp(scope, "read") == 0 ? SCOPE_READ :
			    strcmp(scope, "write") == 0 ? SCOPE_WRITE :
			    SCOPE_ADMIN;
		}
		if (scopes.count == 0)
			v_problem(&in, "scopes", "Give at least one of read, "
			    "write, admin.");
	}
	if (!v_ok(req))
		return;

	crypto_api_key(key, hash, prefix);
	row.prefix = prefix;
	row.created_by = req->actor.id;
	err = db_api_key_create(req->ctx->db, req->arena, req->actor.clinic_id,
	    row.created_by, row.name, prefix, hash,
	    db_scopes_literal(row.scopes), API_KEYS_ACTIVE_MAX, &row.id,
	    &row.created_at);
	if (err == ERR_CONFLICT) {
		sodium_memzero(key, sizeof(key));
		problem_send(req, "conflict", "The clinic has too many active API "
		    "keys; revoke one first.");
		return;
	}
	if (err != ERR_OK ||
	    (after = json_arena_own(req->arena, key_json(&row))) == NULL ||
	    (err = audit_record(req, "api_key.create", "api_key", row.id, NULL,
	    after)) != ERR_OK) {
		sodium_memzero(key, sizeof(key));
		problem_send_err(req, err != ERR_OK ? err : ERR_NOMEM, NULL);
		return;
	}
	body = json_object_get(after);
	if (json_add_string(body, "key", key) != 0) {
		json_object_put(body);
		body = NULL;
	}
	sodium_memzero(key, sizeof(key));
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/api-keys/%s", row.id));
	resp_json(req, 201, body);
}

/* DELETE /api/v1/clinic/api-keys/{id}: 204; the key stops working at
 * once (again is fine). 404 for an id that is not one of the clinic's
 * keys. */
void
handle_api_key_revoke(struct request *req)
{
	const char *id = route_param(&req->params, "id");
	enum err err;

	if (!str_is_uuid(id)) {
		problem_send_err(req, ERR_NOT_FOUND, "API key");
		return;
	}
	if ((err = db_api_key_revoke(req->ctx->db, req->actor.clinic_id,
	    id)) != ERR_OK ||
	    (err = audit_record(req, "api_key.revoke", "api_key", id, NULL,
	    NULL)) != ERR_OK) {
		problem_send_err(req, err, "API key");
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}
