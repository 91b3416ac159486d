/*
 * db_clinic.h - clinics, staff, sessions, API keys, portal settings and
 * codes, audit: the statements of clinic administration, one file per
 * feature: clinic_sql.c (clinics, modules, payment infrastructure),
 * staff_sql.c (staff, sessions, sign-in failures), apikeys_sql.c,
 * settings_sql.c (portal settings and codes), audit_sql.c.
 *
 * Strings in the structs below live in the arena passed in. Functions
 * return ERR_OK, ERR_NOT_FOUND, ERR_CONFLICT, ERR_INVALID or ERR_DB.
 * Those that touch tenant tables expect the clinic's row-level-security
 * context (the request pipeline's work), unless they say otherwise.
 */
#ifndef PORTAL_DB_CLINIC_H
#define PORTAL_DB_CLINIC_H

#include <stdbool.h>

#include "err.h"
#include "permissions.h"

struct arena;
struct db;

/* API key scopes, as bits. */
#define SCOPE_READ 1u
#define SCOPE_WRITE 2u
#define SCOPE_ADMIN 4u

/* The account a sign-in checks its password against. */
/* One active membership of the person signing in. */
struct db_staff_membership {
	const char *staff_id, *clinic_id, *clinic_name, *name, *role;
};

/* The person behind a sign-in's email (sql/0021): their password hash and
 * active memberships, by clinic name. person_id is NULL when there is no
 * such person with a password and an active membership. */
struct db_staff_login {
	const char *person_id, *password_hash;
	int count;
	struct db_staff_membership *memberships;
};

/* The staff sign-in limits: failures within window_s seconds per (account,
 * client address), per client address and per account. */
struct db_login_limits {
	long window_s, per_pair, per_client, per_account;
};

struct db_clinic {
	const char *id, *name, *default_language, *public_url, *country;
	const char *time_zone, *currency;	/* "Europe/Istanbul", "TRY" */
	bool lang_tr, lang_en;
	bool portal_module;
	bool payment_active;
	const char *payment_provider;	/* NULL when none */
};

struct db_portal_settings {
	bool enabled;
	const char *code;		/* NULL when none */
	perm_set permissions;
	const char *sms_template_id, *email_template_id, *upload_reviewer_id;
	int version;
};

struct db_audit {
	const char *clinic_id, *actor_type, *actor_id, *action, *target_type,
	    *target_id, *before_json, *after_json, *request_id;
	/* Filled when listed: */
	const char *id, *at;
	const char *actor_name, *target_name;	/* as they are now; NULL when gone */
};

/*
 * Staff sign-in, before any clinic is known (sql/0014, sql/0021): whether
 * a sign-in for email from client_key (net_rate_key() of the client
 * address) may go on under limits, and the person, in one statement.
 * *retry_after > 0: a limit is reached, wait that many seconds. Otherwise
 * *retry_after is 0 and out is the person behind email with their active
 * memberships, or has out->person_id NULL when there is none.
 */
enum err db_staff_login_check(struct db *db, struct arena *a, const char *email,
    const char *client_key, const struct db_login_limits *limits,
    long *retry_after, struct db_staff_login *out);
/* Records a failed sign-in for email from client_key. */
enum err db_login_failure_add(struct db *db, const char *email,
    const char *client_key);
/* Forgets the failures of email from client_key (after a success there);
 * those from other addresses still count. */
enum err db_login_failures_clear(struct db *db, const char *email,
    const char *client_key);

/* A person with several clinics has signed in: token_hash (of the token
 * they get) lets them pick one within five minutes, once. */
enum err db_staff_selection_create(struct db *db, const char *token_hash,
    const char *person_id);
enum db_select_status {
	DB_SELECT_OK,
	DB_SELECT_INVALID_TOKEN,	/* spent, expired or unknown */
	DB_SELECT_NOT_MEMBER,		/* no active membership there; the token stays */
};
/* The pick: the person's active membership of clinic_id, the token spent. */
enum err db_staff_select(struct db *db, struct arena *a, const char *token_hash,
    const char *clinic_id, enum db_select_status *status,
    struct db_staff_membership *out);

/* A member of the context's clinic, as its staff list shows them. */
struct db_staff_member {
	const char *id, *name, *email, *role, *created_at;
	bool active;
	bool totp_enabled;
};
/* The context's clinic's members, active first, by name; at most max. */
enum err db_staff_members(struct db *db, struct arena *a, int max,
    struct db_staff_member **out, int *count);
/* One of them; ERR_NOT_FOUND for no such member of the clinic. */
enum err db_staff_member(struct db *db, struct arena *a, const char *id,
    struct db_staff_member *out);
/* Changes member id (name, role NULL and active < 0: kept) and reads them
 * back, in one round trip (sql/0022): a role change or disabling ends
 * their sessions at the clinic. *last_owner: refused, the clinic would be
 * left without an active owner (nothing changed). */
enum err db_staff_member_update(struct db *db, struct arena *a,
    const char *id, const char *name, const char *role, int active,
    bool *last_owner, struct db_staff_member *out);

/*
 * One's own security (sql/0023), for the person behind membership
 * staff_id of the context's clinic, across all their clinics. Token
 * hashes are crypto_token_hash() values.
 */
enum err db_staff_own_secret(struct db *db, struct arena *a,
    const char *staff_id, const char **email, const char **password_hash);
/* Sets their password hash and ends every session of theirs but
 * keep_token_hash's (NULL: all); *ended says how many. */
enum err db_staff_password_set(struct db *db, const char *staff_id,
    const char *password_hash, const char *keep_token_hash, int *ended);
struct db_staff_session {
	const char *clinic_id, *clinic_name, *created_at, *last_seen_at,
	    *expires_at;
	bool current;
};
/* Their sessions not yet ended, newest first (at most 200). */
enum err db_staff_own_sessions(struct db *db, struct arena *a,
    const char *staff_id, const char *current_token_hash,
    struct db_staff_session **out, int *count);
/* Ends all of them but keep_token_hash's; *ended says how many. */
enum err db_staff_sessions_end_others(struct db *db, const char *staff_id,
    const char *keep_token_hash, int *ended);

/*
 * Invitations, password reset, two-factor sign-in (sql/0024). Token
 * hashes are crypto_token_hash() values; a link path is what follows the
 * console's address in the mail ("#/set-password/<token>"), base_url the
 * configured public_url (a clinic's own public_url goes first).
 */
enum db_invite_status {
	DB_INVITE_OK,
	DB_INVITE_MEMBER,	/* already a member of the clinic */
	DB_INVITE_FULL,		/* the clinic has max members */
};
/* Adds the person behind email to the context's clinic (new people get an
 * invitation link for 24 h, known ones a mail that they were added) and
 * reads the new member back into out. */
enum err db_staff_invite(struct db *db, struct arena *a, const char *email,
    const char *name, const char *role, const char *token_hash,
    const char *link_path, const char *base_url, const char *by, int max,
    enum db_invite_status *status, struct db_staff_member *out);
/* A reset link for email's person when they are an active member
 * somewhere (at most three an hour); nothing said either way. */
enum err db_staff_reset_request(struct db *db, const char *email,
    const char *token_hash, const char *link_path, const char *base_url);
/* Whether an invitation or reset token can still be spent. */
enum err db_staff_token_live(struct db *db, const char *token_hash,
    bool *live);
/* A membership, for the audit of what a person did outside any clinic. */
struct db_staff_ref {
	const char *clinic_id, *staff_id;
};
/* Spends an invitation or reset token, setting the password and ending
 * every session of the person; their memberships into out (*count 0: the
 * token was spent, expired or unknown) and the token's purpose. */
enum err db_staff_token_finish(struct db *db, struct arena *a,
    const char *token_hash, const char *password_hash,
    struct db_staff_ref **out, int *count, const char **purpose);

/* A person's TOTP state; secrets in bytea text form ("\\x..."). */
struct db_staff_totp {
	const char *person_id, *email;
	const char *secret;		/* NULL: TOTP is off */
	const char *pending;		/* an enrolment waiting for its code */
	long long last_step;		/* -1: none accepted yet */
	int codes_left;			/* unused recovery codes */
};
/* Person person_id's secret (*secret NULL: TOTP off). */
enum err db_staff_totp_of(struct db *db, struct arena *a,
    const char *person_id, const char **secret);
/* A code step for person_id, for five minutes. */
enum err db_staff_login_token_create(struct db *db, const char *token_hash,
    const char *person_id);
/* The person a live login token is for; ERR_NOT_FOUND when none. */
enum err db_staff_login_token_read(struct db *db, struct arena *a,
    const char *token_hash, struct db_staff_totp *out);
/* The code step passed by TOTP step (>= 0) or recovery code code_hash
 * (step < 0): *passed when the token, the step or the code held, and then
 * the token is spent. */
enum err db_staff_login_token_pass(struct db *db, const char *token_hash,
    long long step, const char *code_hash, bool *passed);
/* The active memberships of email's person, as db_staff_login_check()
 * reads them (no limits checked). */
enum err db_staff_for_login(struct db *db, struct arena *a, const char *email,
    struct db_staff_login *out);
/* The TOTP state of the person behind member staff_id. */
enum err db_staff_totp_state(struct db *db, struct arena *a,
    const char *staff_id, struct db_staff_totp *out);
/* Enrolment begins with secret (bytea text); *begun false when TOTP is on. */
enum err db_staff_totp_begin(struct db *db, const char *staff_id,
    const char *secret, bool *begun);
/* The pending secret confirmed at step, with recovery codes code_hashes
 * (bytea text forms, comma separated); *done false when none pended. */
enum err db_staff_totp_confirm(struct db *db, const char *staff_id,
    long long step, const char *code_hashes, bool *done);
/* TOTP off for member staff_id: by their own code of step (>= 0), or
 * reset by an owner (step < 0; ends every session of the person). *said:
 * "ok", "off", "required" or "replayed" (sql/0024). */
enum err db_staff_totp_off(struct db *db, struct arena *a,
    const char *staff_id, long long step, const char **said);
/* The context's clinic's require_totp; set (value >= 0) and read back. */
enum err db_clinic_require_totp(struct db *db, int value, bool *out);

/* In a clinic transaction: a session; *totp_enrol when it may only enrol
 * in TOTP (its clinic requires it, the person has none). */
enum err db_session_create(struct db *db, const char *clinic_id,
    const char *staff_id, const char *token_hash, const char *csrf_token,
    long absolute_s, bool *totp_enrol);
enum err db_session_delete(struct db *db, const char *token_hash);
enum err db_clinic_get(struct db *db, struct arena *a, const char *clinic_id,
    struct db_clinic *out);

/* The clinic's profile (DESIGN.md section 16): what its owner and admins
 * may change, and the operator's public_url beside it, read only. */
struct db_clinic_profile {
	const char *id, *name, *phone, *email, *address;
	const char *default_language, *country, *time_zone, *currency;
	const char *invoice_prefix, *public_url;
	bool lang_tr, lang_en;
	int version;
};

/* The context's clinic's profile. */
enum err db_clinic_profile_get(struct db *db, struct arena *a,
    struct db_clinic_profile *out);
/* Sends that read ahead, with the session's statement (db_ahead()). */
void db_clinic_profile_ahead(struct db *db);

/* The same, its row locked until the work ends (a save's "before"). */
enum err db_clinic_profile_lock(struct db *db, struct arena *a,
    struct db_clinic_profile *out);
/* Saves every field of in (but id, public_url, version) as the context's
 * clinic's profile, its version moved on, and reads it back into out, in
 * one round trip. *refused: NULL when saved, else the fields the database
 * refused, comma separated ("country,time_zone": a country or currency
 * not in the ISO lists, a time zone not in PostgreSQL's), nothing saved. */
enum err db_clinic_profile_put(struct db *db, struct arena *a,
    const struct db_clinic_profile *in, const char **refused,
    struct db_clinic_profile *out);

/* The clinic's own portal address (NULL: the configured public_url), for
 * the operator: run it as the owner role. ERR_NOT_FOUND for no such
 * clinic, ERR_INVALID for a URL that is not http(s)://host[/path]. */
enum err db_clinic_public_url_set(struct db *db, const char *clinic_id,
    const char *url);

/* A clinic's payment infrastructure. credentials is the sealed blob in
 * bytea text form ("\\x..."), for payprov_open(); never answered. */
struct db_payment_infra {
	const char *provider;
	bool active;
	bool credentials_set;
	const char *updated_at;		/* RFC 3339 UTC */
	const char *credentials;	/* NULL when none */
};

/* The clinic's payment infrastructure into out; ERR_NOT_FOUND when it
 * has none. for_update locks the row for the write that follows. */
enum err db_payment_infra_get(struct db *db, struct arena *a,
    const char *clinic_id, bool for_update, struct db_payment_infra *out);

/* Sets the provider and active; credentials (sealed, bytea text form)
 * replace the stored ones, or NULL keeps them while the provider stays
 * and drops them when it changes. The row as saved into out. */
enum err db_payment_put(struct db *db, struct arena *a, const char *clinic_id,
    const char *provider, bool active, const char *credentials,
    struct db_payment_infra *out);
enum err db_settings_get(struct db *db, struct arena *a, const char *clinic_id,
    bool for_update, struct db_portal_settings *out);
enum err db_settings_update(struct db *db, const char *clinic_id,
    const struct db_portal_settings *in);
/* Adds an audit row; in a request's write it goes out with the COMMIT
 * (db_defer()), so the strings of entry must live until the work ends. */
enum err db_audit_add(struct db *db, const struct db_audit *entry);
/* Up to limit entries older than before_id (NULL: newest), newest first. */
enum err db_audit_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *before_id, int limit, struct db_audit **out, int *count);

/* Portal codes (the table is readable across clinics; it holds no patient
 * data). db_code_owner: ERR_NOT_FOUND when nobody ever used the code. */
enum err db_code_owner(struct db *db, struct arena *a, const char *code,
    const char **clinic_id, bool *retired);
/* Retires the clinic's live code, if any, and makes code live for it
 * (taking back a code it retired itself). ERR_CONFLICT when the code
 * belongs to another clinic. code NULL only retires. */
enum err db_code_switch(struct db *db, const char *clinic_id,
    const char *code);

/* Operator commands (portalctl, under the owner role). */
enum err db_clinic_create(struct db *db, struct arena *a, const char *name,
    const char *code, const char **id);
/* The operator's (as the owner): the person behind email, made with
 * password_hash when new (*new_person says so), and their membership of
 * the clinic. ERR_CONFLICT when they are a member already. */
enum err db_staff_create(struct db *db, struct arena *a, const char *clinic_id,
    const char *email, const char *name, const char *role,
    const char *password_hash, const char **id, bool *new_person);
enum err db_module_set(struct db *db, const char *clinic_id, const char *module,
    bool granted);
/*
 * A new API key of the clinic. created_by: the staff member who makes it,
 * whose role it acts with and whose access it needs (sql/0012); NULL for
 * the operator's keys (portalctl), which act as the owner. max_active > 0:
 * ERR_CONFLICT when the clinic already has that many keys not revoked.
 */
enum err db_api_key_create(struct db *db, struct arena *a,
    const char *clinic_id, const char *created_by, const char *name,
    const char *prefix, const char *secret_hash, const char *scopes_literal,
    long max_active, const char **id, const char **created_at);

struct db_api_key_row {
	const char *id, *name, *prefix, *created_at, *last_used_at, *revoked_at;
	const char *created_by;		/* NULL: made by the operator */
	unsigned scopes;
};

/* The clinic's API keys, newest first (at most 200). */
enum err db_api_key_list(struct db *db, struct arena *a, const char *clinic_id,
    struct db_api_key_row **out, int *count);
/* Revokes a key of the clinic (again is fine); ERR_NOT_FOUND otherwise. */
enum err db_api_key_revoke(struct db *db, const char *clinic_id,
    const char *id);

/* SCOPE_* bits from "read,write" (any separator), and back as a text[]
 * literal ("{read,write}"). */
unsigned db_scopes_parse(const char *csv);
const char *db_scopes_literal(unsigned scopes);

/* "{a,b}" for set, in catalog order, into the arena. */
const char *db_perm_literal(struct arena *a, perm_set set);

#endif
