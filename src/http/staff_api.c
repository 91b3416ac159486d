/*
 * staff_api.c - the clinic's members (DESIGN.md section 16): every role
 * reads the list; owners manage everyone, admins manage `staff` members
 * only; nobody changes their own role or disables themselves; the clinic
 * keeps an active owner. A role change or disabling ends that member's
 * sessions at the clinic at once (sql/0022), and their API keys act with
 * the new role (or stop) from the next request. Session-only routes: an
 * API key gets 403 before anything here runs.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "arena.h"
#include "audit.h"
#include "conf.h"
#include "crypto.h"
#include "db_clinic.h"
#include "http.h"
#include "json_util.h"
#include "pipeline.h"
#include "problem.h"
#include "routes.h"
#include "valid.h"

#define MEMBERS_MAX 1000
#define NAME_CHARS_MAX 200

static const char *const role_names[] = { "owner", "admin", "staff", NULL };

static struct json_object *
member_json(const struct db_staff_member *m)
{
	struct json_object *o = json_object_new_object();

	json_add_string(o, "id", m->id);
	json_add_string(o, "name", m->name);
	json_add_string(o, "email", m->email);
	json_add_string(o, "role", m->role);
	json_add(o, "active", json_object_new_boolean(m->active));
	json_add_string(o, "created_at", m->created_at);
	json_add(o, "totp_enabled", json_object_new_boolean(m->totp_enabled));
	return o;
}

/* GET /api/v1/clinic/staff (every role, a session): {items, next_cursor:
 * null}, active members first, by name. */
void
handle_staff_list(struct request *req)
{
	struct db_staff_member *rows;
	struct json_object *items;
	int n = 0;
	enum err err;

	if ((err = db_staff_members(req->ctx->db, req->arena, MEMBERS_MAX, &rows,
	    &n)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	items = json_object_new_array();
	for (int i = 0; items != NULL && i < n; i++)
		json_object_array_add(items, member_json(&rows[i]));
	resp_json(req, 200, list_all_json(items));
}

/*
 * What the caller may not do to member target, changing it to role (NULL:
 * kept) and active (< 0: kept); NULL when allowed.
 */
static const char *
refusal(const struct request *req, const struct db_staff_member *target,
    const char *role, int active)
{
	bool self = strcmp(target->id, req->actor.id) == 0;

	if (self && role != NULL && strcmp(role, target->role) != 0)
		return "You cannot change your own role.";
	if (self && active == 0)
		return "You cannot disable your own account.";
	if (req->actor.role == ROLE_OWNER)
		return NULL;
	/* An administrator: staff members only, and only as staff. */
	if (!self && strcmp(target->role, "staff") != 0)
		return "Administrators manage staff members only.";
	if (role != NULL && strcmp(role, "staff") != 0 &&
	    strcmp(role, target->role) != 0)
		return "Only the clinic owner can make someone an administrator "
		    "or an owner.";
	return NULL;
}

/*
 * PATCH /api/v1/clinic/staff/{id} {name?, role?, active?} (owner, admin; a
 * session): the member as it is now. 403 forbidden_role past the rules
 * above; 404 for no such member; 409 conflict when it would leave the
 * clinic without an active owner; 422 for a bad or empty body.
 */
void
handle_staff_patch(struct request *req)
{
	static const char *const fields[] = { "name", "role", "active", NULL };
	const char *id = route_param(&req->params, "id"), *name = NULL,
	    *role = NULL, *why;
	struct db_staff_member before, after;
	struct json_object *was, *now;
	struct vobj body;
	bool active = false, last_owner;
	enum v_got got_active;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_text(&body, "name", V_LINE(NAME_CHARS_MAX), 0, &name);
	v_enum(&body, "role", role_names, 0, &role);
	got_active = v_bool(&body, "active", 0, &active);
	if (name == NULL && role == NULL && got_active == V_ABSENT &&
	    v_count(req) == 0)
		v_problem_field(req, "", "Send at least one of name, role and "
		    "active.");
	if ((err = db_staff_member(req->ctx->db, req->arena, id, &before)) !=
	    ERR_OK) {
		problem_send_err(req, err, "staff member");
		return;
	}
	if ((why = refusal(req, &before, role, got_active == V_SET ? active :
	    -1)) != NULL) {
		problem_send(req, "forbidden_role", why);
		return;
	}
	if (!v_ok(req))
		return;
	if ((err = db_staff_member_update(req->ctx->db, req->arena, id, name,
	    role, got_active == V_SET ? active : -1, &last_owner, &after)) !=
	    ERR_OK) {
		problem_send_err(req, err, "staff member");
		return;
	}
	if (last_owner) {
		problem_send(req, "conflict", "The clinic must keep at least one "
		    "active owner: make someone else owner first.");
		return;
	}
	was = json_arena_own(req->arena, member_json(&before));
	now = json_arena_own(req->arena, member_json(&after));
	if ((err = audit_record(req, "staff.update", "staff", after.id, was,
	    now)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 200, json_object_get(now));
}

/*
 * POST /api/v1/clinic/staff {email, name, role} (owner, admin; a session):
 * 201 the new member. The answer is the same whether or not the address
 * is known elsewhere: a new person gets a link to set a password (24 h,
 * single use), a known one a mail that they were added. 403 forbidden_role
 * when an admin asks for a role above staff; 409 conflict when already a
 * member, or when the clinic has MEMBERS_MAX; 422 for a bad body.
 */
void
handle_staff_invite(struct request *req)
{
	static const char *const fields[] = { "email", "name", "role", NULL };
	char token[CRYPTO_TOKEN_CHARS + 1], hash[CRYPTO_BYTEA_HEX];
	const char *email = NULL, *name = NULL, *role = NULL, *path;
	enum db_invite_status status;
	struct db_staff_member m;
	struct json_object *now;
	struct vobj body;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_email(&body, "email", V_REQUIRED, &email);
	v_text(&body, "name", V_LINE(NAME_CHARS_MAX), V_REQUIRED, &name);
	v_enum(&body, "role", role_names, V_REQUIRED, &role);
	if (role != NULL && req->actor.role != ROLE_OWNER &&
	    strcmp(role, "staff") != 0) {
		problem_send(req, "forbidden_role", "Only the clinic owner can "
		    "invite an administrator or an owner.");
		return;
	}
	if (!v_ok(req))
		return;
	crypto_token(token);
	crypto_token_hash(hash, token);
	path = arena_printf(req->arena, "#/set-password/%s", token);
	sodium_memzero(token, sizeof(token));
	if (path == NULL) {
		problem_send(req, "unavailable", NULL);
		return;
	}
	if ((err = db_staff_invite(req->ctx->db, req->arena, email, name, role,
	    hash, path, req->ctx->conf->public_url, req->actor.id, MEMBERS_MAX,
	    &status, &m)) != ERR_OK) {
		problem_send_err(req, err, "staff member");
		return;
	}
	if (status == DB_INVITE_MEMBER) {
		problem_send(req, "conflict", "This person is already a member "
		    "of the clinic.");
		return;
	}
	if (status == DB_INVITE_FULL) {
		problem_send(req, "conflict", "The clinic has reached its limit of "
		    "members; the operator can tell you more.");
		return;
	}
	now = json_arena_own(req->arena, member_json(&m));
	if ((err = audit_record(req, "staff.invite", "staff", m.id, NULL,
	    now)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_json(req, 201, json_object_get(now));
}

/*
 * DELETE /api/v1/clinic/staff/{id}/totp (owner; a session): that member's
 * two-factor sign-in is reset (they set it up again; every session of
 * theirs ends); 204. 403 forbidden_role for oneself (My account turns it
 * off); 404 for no such member; 409 conflict when it is off.
 */
void
handle_staff_totp_reset(struct request *req)
{
	const char *id = route_param(&req->params, "id"), *said;
	struct db_staff_member target;
	enum err err;

	if ((err = db_staff_member(req->ctx->db, req->arena, id, &target)) !=
	    ERR_OK) {
		problem_send_err(req, err, "staff member");
		return;
	}
	if (strcmp(target.id, req->actor.id) == 0) {
		problem_send(req, "forbidden_role", "Turn your own two-factor "
		    "sign-in off under My account.");
		return;
	}
	if ((err = db_staff_totp_off(req->ctx->db, req->arena, id, -1, &said)) !=
	    ERR_OK) {
		problem_send_err(req, err, "staff member");
		return;
	}
	if (strcmp(said, "ok") != 0) {
		problem_send(req, "conflict", "This member's two-factor sign-in "
		    "is off.");
		return;
	}
	if ((err = audit_record(req, "staff.totp_reset", "staff", id, NULL,
	    NULL)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	resp_raw(req, 204, NULL, "", 0);
}

static void
security_send(struct request *req, bool require_totp)
{
	struct json_object *body = json_object_new_object();

	json_add(body, "require_totp", json_object_new_boolean(require_totp));
	resp_json(req, 200, body);
}

/* GET /api/v1/clinic/security (every role; a session): {require_totp}. */
void
handle_security_get(struct request *req)
{
	bool require_totp;
	enum err err;

	if ((err = db_clinic_require_totp(req->ctx->db, -1, &require_totp)) !=
	    ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	security_send(req, require_totp);
}

/*
 * PUT /api/v1/clinic/security {require_totp} (owner; a session): whether
 * every member must use two-factor sign-in; those without it set it up at
 * their next sign-in. Answers the setting.
 */
void
handle_security_put(struct request *req)
{
	static const char *const fields[] = { "require_totp", NULL };
	struct json_object *was, *now;
	bool require_totp = false, before, after;
	struct vobj body;
	enum err err;

	if (!v_body(req, &body, fields))
		return;
	v_bool(&body, "require_totp", V_REQUIRED, &require_totp);
	if (!v_ok(req))
		return;
	if ((err = db_clinic_require_totp(req->ctx->db, -1, &before)) !=
	    ERR_OK || (err = db_clinic_require_totp(req->ctx->db,
	    require_totp, &after)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	was = json_arena_own(req->arena, json_object_new_object());
	now = json_arena_own(req->arena, json_object_new_object());
	json_add(was, "require_totp", json_object_new_boolean(before));
	json_add(now, "require_totp", json_object_new_boolean(after));
	if ((err = audit_record(req, "clinic.security", "clinic",
	    req->actor.clinic_id, was, now)) != ERR_OK) {
		problem_send_err(req, err, NULL);
		return;
	}
	security_send(req, after);
}
