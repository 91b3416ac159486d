/*
 * db_patients.h - patients and their Portal Permissions. Call with the
 * clinic's row-level-security context set (the request pipeline's work)
 * for clinic_id. Strings live in the arena
 * passed in.
 */
#ifndef PORTAL_DB_PATIENTS_H
#define PORTAL_DB_PATIENTS_H

#include <stdbool.h>

#include "err.h"
#include "permissions.h"

struct arena;
struct db;

struct db_patient {
	const char *id, *first_name, *last_name, *phone, *email, *language;
	bool portal_access;
	bool custom;			/* permissions_mode = custom */
	perm_set custom_permissions;
	const char *created_at, *updated_at, *sort_key;
	/* The profile the patient keeps current (NULL: not given). The
	 * emergency contact has both a name and an E.164 phone, or neither;
	 * communication_*: whether the clinic may write on that channel. */
	const char *address, *emergency_name, *emergency_phone;
	bool communication_sms, communication_email;
	/* The photo, read only here (db_profile.h changes it). */
	const char *photo_sha256, *photo_type;
	/* Derived by the caller before create/update: */
	const char *first_folded, *last_folded, *search_text;
	/* Filled by db_patient_list(): where the list goes on after this
	 * patient (an opaque text for ?cursor=). */
	const char *cursor;
};

/* Creates p (fields above but id and times) and fills in id and times. */
enum err db_patient_create(struct db *db, struct arena *a,
    const char *clinic_id, struct db_patient *p);
/* ERR_NOT_FOUND for an unknown id or another clinic's. */
enum err db_patient_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, bool for_update, struct db_patient *out);
/* Writes every mutable field of p back; refreshes updated_at. */
enum err db_patient_update(struct db *db, struct arena *a,
    const char *clinic_id, struct db_patient *p);
/* What a search looks for: a LIKE pattern over the search text, or an
 * exact E.164 phone number or email address (which have indexes of their
 * own). */
struct db_patient_search {
	enum { SEARCH_TEXT, SEARCH_PHONE, SEARCH_EMAIL } kind;
	const char *value;
};

/* Up to limit patients in sort order (last name, first name, id) after
 * cursor (a patient's cursor; NULL: from the start), matching search when
 * that is not NULL. ERR_INVALID for a cursor the list never gave out. */
enum err db_patient_list(struct db *db, struct arena *a, const char *clinic_id,
    const struct db_patient_search *search, const char *cursor, int limit,
    struct db_patient **out, int *count);
/* Whether cursor is one db_patient_list() could have given out. */
bool db_patient_cursor_ok(const char *cursor);
/* True when some patient's folded first and last names are both among
 * the words of words_literal ("{ayse,yilmaz}"). */
enum err db_patient_name_among(struct db *db, const char *clinic_id,
    const char *words_literal, bool *found);

#endif
