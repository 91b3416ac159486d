/*
 * apikeys_api.c - the clinic's API keys for integrators: list, create
 * (the key is shown once, only its hash is kept) and revoke. Owner and
 * admin only.
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

#define API_KEYS_ACTIVE_MAX 50

static struct json_object *
scopes_json(unsigned scopes)
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
	json_add_string(o, "id", k->id);
	json_add_string(o, "name", k->name);
	json_add_string(o, "prefix", k->prefix);
	json_add(o, "scopes", scopes_json(k->scopes));
	json_add_string(o, "created_at", k->created_at);
	json_add_string(o, "last_used_at", k->last_used_at);
	json_add_string(o, "revoked_at", k->revoked_at);
	return o;
}

/* GET /api/v1/clinic/api-keys: {items, next_cursor} (never the secrets). */
void
handle_api_keys_list(struct request *req)
{
	struct db *db = req->ctx->db;
	struct db_api_key_row *rows;
	struct json_object *body, *items;
	int n = 0;
	enum err err;

	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_api_key_list(db, req->arena, req->actor.clinic_id, &rows,
	    &n)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	}
	body = json_object_new_object();
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++)
		json_object_array_add(items, key_json(&rows[i]));
	json_add(body, "items", items);
	json_add_string(body, "next_cursor", NULL);
	resp_json(req, 200, body);
}

/* POST /api/v1/clinic/api-keys {name, scopes}: 201 with `key`, shown
 * this once. */
void
handle_api_key_create(struct request *req)
{
	struct db *db = req->ctx->db;
	struct problem_list *pl = problem_list_new(req);
	struct json_object *name = NULL, *scopes = NULL, *after, *body;
	char key[CRYPTO_API_KEY_CHARS + 1], hash[CRYPTO_BYTEA_HEX], prefix[16];
	struct db_api_key_row row;
	unsigned bits = 0;
	long active = 0;
	enum err err;

	if (!req_json_object(req))
		return;
	if (!json_object_object_get_ex(req->json, "name", &name) ||
	    !json_object_is_type(name, json_type_string) ||
	    json_object_get_string_len(name) < 1 ||
	    json_object_get_string_len(name) > 100)
		problem_list_add(pl, "name", "Required: 1 to 100 characters.");
	if (!json_object_object_get_ex(req->json, "scopes", &scopes) ||
	    !json_object_is_type(scopes, json_type_array) ||
	    json_object_array_length(scopes) == 0 ||
	    json_object_array_length(scopes) > 3) {
		problem_list_add(pl, "scopes", "Required: some of read, write, admin.");
	} else {
		for (size_t i = 0; i < json_object_array_length(scopes); i++) {
			struct json_object *s = json_object_array_get_idx(scopes, i);
			const char *v = json_object_is_type(s, json_type_string) ?
			    json_object_get_string(s) : "";
			unsigned bit = strcmp(v, "read") == 0 ? SCOPE_READ :
			    strcmp(v, "write") == 0 ? SCOPE_WRITE :
			    strcmp(v, "admin") == 0 ? SCOPE_ADMIN : 0;

			if (bit == 0) {
				problem_list_add(pl, "scopes", "Each scope is read, "
				    "write or admin.");
				break;
			}
			bits |= bit;
		}
	}
	if (problem_list_count(pl) > 0) {
		problem_list_send(req, pl, NULL);
		return;
	}
	crypto_api_key(key, hash, prefix);
	memset(&row, 0, sizeof(row));
	row.name = json_object_get_string(name);
	row.prefix = prefix;
	row.scopes = bits;
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_api_key_count(db, req->actor.clinic_id, &active)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, problem_code_for_err(err), NULL);
		return;
	}
	if (active >= API_KEYS_ACTIVE_MAX) {
		db_rollback(db);
		problem_send(req, "conflict", "The clinic has too many active API "
		    "keys; revoke one first.");
		return;
	}
	if ((err = db_api_key_create(db, req->arena, req->actor.clinic_id,
	    row.name, prefix, hash, db_scopes_literal(bits), &row.id,
	    &row.created_at)) != ERR_OK ||
	    (after = json_arena_own(req->arena, key_json(&row))) == NULL ||
	    (err = audit_record(req, "api_key.create", "api_key", row.id, NULL,
	    after)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, problem_code_for_err(err ? err : ERR_NOMEM), NULL);
		return;
	}
	body = json_object_get(after);
	json_add_string(body, "key", key);
	sodium_memzero(key, sizeof(key));
	resp_header(req, "Location", arena_printf(req->arena,
	    "/api/v1/clinic/api-keys/%s", row.id));
	resp_json(req, 201, body);
}

/* DELETE /api/v1/clinic/api-keys/{id}: 204; the key stops working at
 * once. */
void
handle_api_key_revoke(struct request *req)
{
	struct db *db = req->ctx->db;
	const char *id = route_param(&req->params, "id");
	enum err err;

	if (!str_is_uuid(id)) {
		problem_send(req, "not_found", "No such API key.");
		return;
	}
	if ((err = db_begin_clinic(db, req->actor.clinic_id)) != ERR_OK ||
	    (err = db_api_key_revoke(db, req->actor.clinic_id, id)) != ERR_OK ||
	    (err = audit_record(req, "api_key.revoke", "api_key", id, NULL,
	    NULL)) != ERR_OK || (err = db_commit(db)) != ERR_OK) {
		db_rollback(db);
		problem_send(req, err == ERR_NOT_FOUND ? "not_found" :
		    problem_code_for_err(err), err == ERR_NOT_FOUND ?
		    "No such API key." : NULL);
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}
