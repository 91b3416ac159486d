/*
 * db_templates.h - message templates. Call inside a transaction opened
 * with db_begin_clinic() for clinic_id; strings live in the arena.
 */
#ifndef PORTAL_DB_TEMPLATES_H
#define PORTAL_DB_TEMPLATES_H

#include "err.h"

struct arena;
struct db;

enum tpl_lang { LANG_TR, LANG_EN, LANG__MAX };

struct db_template {
	const char *id, *name, *channel, *purpose;
	const char *subject[LANG__MAX];	/* email only; NULL for SMS */
	const char *body[LANG__MAX];	/* NULL when the variant is missing */
	const char *created_at, *updated_at;
};

/* The clinic's templates (at most 200), optionally of one channel and/or
 * purpose (NULL: any), by name. */
enum err db_template_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *channel, const char *purpose, struct db_template **out,
    int *count);
/* ERR_NOT_FOUND for an unknown id or another clinic's. */
enum err db_template_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_template *out);
/* Fills in id and times. */
enum err db_template_create(struct db *db, struct arena *a,
    const char *clinic_id, struct db_template *t);
/* Writes name, purpose and the variants (the channel stays). */
enum err db_template_update(struct db *db, struct arena *a,
    const char *clinic_id, struct db_template *t);
/* ERR_NOT_FOUND, or ERR_INVALID while the portal settings use it. */
enum err db_template_delete(struct db *db, const char *clinic_id,
    const char *id);

#endif
