/*
 * db_templates.h - message templates, and rendering texts with the one
 * renderer (portal_render_values() of sql/0016: one pass, a value is
 * written as it is). Call with the clinic's context set (the request
 * pipeline's work); strings live in the arena.
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
	/* SMS, when read with samples: the body rendered with them (what an
	 * estimate measures); NULL otherwise. */
	const char *sms_sample[LANG__MAX];
	const char *created_at, *updated_at;
};

/*
 * Values to render with: values_json is a JSON object from placeholder
 * name to its text, or to {"tr": text, "en": text} (taken in the text's
 * language); the clinic's own clinic_name, code and portal_url (its
 * public_url, else base_url, + "/" + code) replace them where the clinic
 * has them, and so does the first name of the patient, when one is named.
 */
struct db_render_values {
	const char *values_json;
	const char *base_url;
};

/* The clinic's templates (at most 200), optionally of one channel and/or
 * purpose (NULL: any), by name; SMS bodies rendered with samples (NULL:
 * none rendered). */
enum err db_template_list(struct db *db, struct arena *a, const char *clinic_id,
    const char *channel, const char *purpose,
    const struct db_render_values *samples, struct db_template **out,
    int *count);
/* ERR_NOT_FOUND for an unknown id or another clinic's. */
enum err db_template_get(struct db *db, struct arena *a, const char *clinic_id,
    const char *id, struct db_template *out);
/* The same, with SMS bodies rendered with samples. */
enum err db_template_get_sampled(struct db *db, struct arena *a,
    const char *clinic_id, const char *id,
    const struct db_render_values *samples, struct db_template *out);
/* Fills in id and times (and the SMS samples). ERR_INVALID when the
 * schema refuses it. */
enum err db_template_create(struct db *db, struct arena *a,
    const char *clinic_id, const struct db_render_values *samples,
    struct db_template *t);
/* Writes name, purpose and the variants (the channel stays). */
enum err db_template_update(struct db *db, struct arena *a,
    const char *clinic_id, const struct db_render_values *samples,
    struct db_template *t);
/* ERR_NOT_FOUND, or ERR_INVALID while the portal settings use it. */
enum err db_template_delete(struct db *db, const char *clinic_id,
    const char *id);

/*
 * Renders texts[0..n) (NULL entries stay NULL) in language lang ("tr",
 * "en") with v, over the clinic's values and, when patient_id is not NULL,
 * that patient's first name; into out[0..n). ERR_NOT_FOUND when patient_id
 * names no patient of the clinic. At most DB_RENDER_MAX texts.
 */
#define DB_RENDER_MAX 4
enum err db_render(struct db *db, struct arena *a, const char *clinic_id,
    const char *patient_id, const char *lang, const struct db_render_values *v,
    const char *const *texts, int n, const char **out);

#endif
