/*
 * patients_sql.c - statements about patients (see db_patients.h), and the
 * cursor of the patient list: the hex of the last patient's sort key, a
 * dot, and its id ("6b6179612063616e.3f2c...").
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db_clinic.h"
#include "db_internal.h"
#include "db_patients.h"
#include "str.h"

/* A sort key is at most two folded names of 100 letters and a space. */
#define SORT_KEY_MAX 1024

enum stmt_id {
	STMT_CREATE,
	STMT_GET,
	STMT_GET_FOR_UPDATE,
	STMT_UPDATE,
	STMT_LIST,
	STMT_SEARCH,
	STMT_NAME_AMONG,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_CREATE] = { "patients_create",
	    "INSERT INTO patients (clinic_id, first_name, last_name, phone, email, "
	    "language, portal_access, first_folded, last_folded, sort_key, "
	    "search_text, address, emergency_contact_name, "
	    "emergency_contact_phone, communication_sms, communication_email) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
	    "$9 || ' ' || $8, $10, $11, $12, $13, $14, $15) "
	    "RETURNING " DB_PATIENT_COLUMNS, 15, false },
	[STMT_GET] = { "patients_get",
	    "SELECT " DB_PATIENT_COLUMNS " FROM patients "
	    "WHERE clinic_id = $1 AND id = $2", 2, true },
	[STMT_GET_FOR_UPDATE] = { "patients_get_for_update",
	    "SELECT " DB_PATIENT_COLUMNS " FROM patients "
	    "WHERE clinic_id = $1 AND id = $2 FOR UPDATE", 2, false },
	[STMT_UPDATE] = { "patients_update",
	    "UPDATE patients SET first_name = $3, last_name = $4, phone = $5, "
	    "email = $6, language = $7, portal_access = $8, "
	    "permissions_mode = CASE WHEN $9 THEN 'custom' ELSE 'clinic' END, "
	    "custom_permissions = $10::text[], first_folded = $11, "
	    "last_folded = $12, sort_key = $12 || ' ' || $11, search_text = $13, "
	    "address = $14, emergency_contact_name = $15, "
	    "emergency_contact_phone = $16, communication_sms = $17, "
	    "communication_email = $18, "
	    "updated_at = now() WHERE clinic_id = $1 AND id = $2 "
	    "RETURNING " DB_PATIENT_COLUMNS, 18, false },
	[STMT_LIST] = { "patients_list",
	    "SELECT " DB_PATIENT_COLUMNS " FROM patients WHERE clinic_id = $1 "
	    "AND (sort_key, id) > ($2, $3::uuid) ORDER BY sort_key, id LIMIT $4",
	    4, true },
	/* Through a function: see sql/0004_patient_search.sql for why. */
	[STMT_SEARCH] = { "patients_search",
	    "SELECT " DB_PATIENT_COLUMNS " FROM portal_patient_search($5, $6, $2, "
	    "$3::uuid, $4) WHERE clinic_id = $1", 6, true },
	[STMT_NAME_AMONG] = { "patients_name_among",
	    "SELECT EXISTS (SELECT 1 FROM patients WHERE clinic_id = $1 "
	    "AND last_folded = ANY ($2::text[]) AND first_folded = ANY ($2::text[]))",
	    2, true },
};

void
db_patient_read(struct arena *a, PGresult *res, int row, int col,
    struct db_patient *p)
{
	p->id = db_val(a, res, row, col);
	p->first_name = db_val(a, res, row, col + 1);
	p->last_name = db_val(a, res, row, col + 2);
	p->phone = db_val(a, res, row, col + 3);
	p->email = db_val(a, res, row, col + 4);
	p->language = db_val(a, res, row, col + 5);
	p->portal_access = PQgetvalue(res, row, col + 6)[0] == 't';
	p->custom = PQgetvalue(res, row, col + 7)[0] == 't';
	p->custom_permissions = db_perm_parse(PQgetvalue(res, row, col + 8));
	p->created_at = db_val(a, res, row, col + 9);
	p->updated_at = db_val(a, res, row, col + 10);
	p->address = db_val(a, res, row, col + 11);
	p->emergency_name = db_val(a, res, row, col + 12);
	p->emergency_phone = db_val(a, res, row, col + 13);
	p->communication_sms = PQgetvalue(res, row, col + 14)[0] == 't';
	p->communication_email = PQgetvalue(res, row, col + 15)[0] == 't';
	p->photo_sha256 = db_val(a, res, row, col + 16);
	p->photo_type = db_val(a, res, row, col + 17);
	p->sort_key = db_val(a, res, row, col + 18);
}

static void
read_row(struct arena *a, PGresult *res, int row, void *item)
{
	db_patient_read(a, res, row, 0, item);
}

static enum err
one_row(struct db *db, struct arena *a, enum stmt_id id,
    const char *const *params, struct db_patient *out)
{
	enum err err = db_row(db, a, &stmts[id], params, read_row, out);

	/* Strings copied into the arena: the last one tells whether it ran out. */
	if (err == ERR_OK && out->sort_key == NULL)
		err = ERR_NOMEM;
	return err;
}

enum err
db_patient_create(struct db *db, struct arena *a, const char *clinic_id,
    struct db_patient *p)
{
	const char *params[] = { clinic_id, p->first_name, p->last_name,
	    p->phone, p->email, p->language, p->portal_access ? "t" : "f",
	    p->first_folded, p->last_folded, p->search_text, p->address,
	    p->emergency_name, p->emergency_phone,
	    p->communication_sms ? "t" : "f", p->communication_email ? "t" : "f" };

	return one_row(db, a, STMT_CREATE, params, p);
}

enum err
db_patient_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, bool for_update, struct db_patient *out)
{
	const char *params[] = { clinic_id, id };

	/* Not an id at all: nobody's patient. */
	if (!str_is_uuid(id))
		return ERR_NOT_FOUND;
	return one_row(db, a, for_update ? STMT_GET_FOR_UPDATE : STMT_GET,
	    params, out);
}

enum err
db_patient_update(struct db *db, struct arena *a, const char *clinic_id,
    struct db_patient *p)
{
	const char *literal = db_perm_literal(a, p->custom_permissions);
	const char *params[] = { clinic_id, p->id, p->first_name, p->last_name,
	    p->phone, p->email, p->language, p->portal_access ? "t" : "f",
	    p->custom ? "t" : "f", literal, p->first_folded, p->last_folded,
	    p->search_text, p->address, p->emergency_name, p->emergency_phone,
	    p->communication_sms ? "t" : "f", p->communication_email ? "t" : "f" };

	if (literal == NULL)
		return ERR_NOMEM;
	return one_row(db, a, STMT_UPDATE, params, p);
}

/* The value of hex digit c, or -1. */
static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Reads cursor into sort (which holds SORT_KEY_MAX + 1 bytes; NULL only
 * checks) and *id. A sort key is folded to ASCII (patients.h), so any
 * other byte marks a cursor this list never gave out.
 */
static bool
cursor_decode(const char *cursor, char *sort, const char **id)
{
	const char *dot = strchr(cursor, '.');
	size_t hexlen;

	if (dot == NULL || !str_is_uuid(dot + 1))
		return false;
	hexlen = (size_t)(dot - cursor);
	if (hexlen % 2 != 0 || hexlen / 2 > SORT_KEY_MAX)
		return false;
	for (size_t i = 0; i < hexlen / 2; i++) {
		int hi = hex_value(cursor[2 * i]), lo = hex_value(cursor[2 * i + 1]);
		int byte = hi * 16 + lo;

		if (hi < 0 || lo < 0 || byte < 0x20 || byte > 0x7e)
			return false;
		if (sort != NULL)
			sort[i] = (char)byte;
	}
	if (sort != NULL)
		sort[hexlen / 2] = '\0';
	if (id != NULL)
		*id = dot + 1;
	return true;
}

bool
db_patient_cursor_ok(const char *cursor)
{
	return cursor_decode(cursor, NULL, NULL);
}

/* A list row: the patient and the cursor that continues after it. */
static void
read_list_row(struct arena *a, PGresult *res, int row, void *item)
{
	struct db_patient *p = item;
	size_t len;
	char *cursor;

	db_patient_read(a, res, row, 0, p);
	p->cursor = NULL;
	if (p->sort_key == NULL || p->id == NULL)
		return;
	len = strlen(p->sort_key);
	if ((cursor = arena_alloc(a, len * 2 + 38)) == NULL)
		return;
	str_hex(cursor, (const unsigned char *)p->sort_key, len);
	cursor[len * 2] = '.';
	memcpy(cursor + len * 2 + 1, p->id, 37);
	p->cursor = cursor;
}

enum err
db_patient_list(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_patient_search *search, const char *cursor, int limit,
    struct db_patient **out, int *count)
{
	static const char *const modes[] = { "text", "phone", "email" };
	char lim[16], *after_sort = NULL;
	/* The smallest key: everything sorts after the empty string and the
	 * nil uuid. */
	const char *after_id = "00000000-0000-0000-0000-000000000000";
	const char *params[6];
	void *rows;
	enum err err;

	if (cursor != NULL) {
		after_sort = arena_alloc(a, SORT_KEY_MAX + 1);
		if (after_sort == NULL)
			return ERR_NOMEM;
		if (!cursor_decode(cursor, after_sort, &after_id))
			return ERR_INVALID;
	}
	snprintf(lim, sizeof(lim), "%d", limit);
	params[0] = clinic_id;
	params[1] = after_sort != NULL ? after_sort : "";
	params[2] = after_id;
	params[3] = lim;
	params[4] = search ? modes[search->kind] : NULL;
	params[5] = search ? search->value : NULL;
	err = db_rows(db, a, &stmts[search ? STMT_SEARCH : STMT_LIST], params,
	    sizeof(**out), read_list_row, &rows, count);
	if (err == ERR_OK)
		*out = rows;
	return err;
}

enum err
db_patient_name_among(struct db *db, const char *clinic_id,
    const char *words_literal, bool *found)
{
	const char *params[] = { clinic_id, words_literal };
	enum err err;
	PGresult *res = db_exec(db, &stmts[STMT_NAME_AMONG], params, &err);

	if (res == NULL)
		return err;
	*found = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return ERR_OK;
}
