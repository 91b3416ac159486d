/*
 * permissions.h - the 19 portal permission keys, their groups and labels,
 * the presets of the guide, and the warnings a permission set draws.
 *
 * A set of keys is a bit mask (perm_set), bit i for perm_catalog[i].
 */
#ifndef PORTAL_PERMISSIONS_H
#define PORTAL_PERMISSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t perm_set;

enum perm {
	PERM_VIEW_PROFILE, PERM_UPDATE_PROFILE, PERM_UPLOAD_PHOTO,
	PERM_VIEW_APPOINTMENTS, PERM_CREATE_APPOINTMENT, PERM_CANCEL_APPOINTMENT,
	PERM_VIEW_TREATMENTS,
	PERM_VIEW_BALANCE, PERM_VIEW_INVOICES, PERM_VIEW_PAYMENTS, PERM_MAKE_PAYMENT,
	PERM_VIEW_DOCUMENTS, PERM_DOWNLOAD_DOCUMENTS, PERM_UPLOAD_DOCUMENTS,
	PERM_VIEW_IMAGES,
	PERM_VIEW_MESSAGES, PERM_SEND_MESSAGE,
	PERM_VIEW_FORMS, PERM_SUBMIT_FORMS,
	PERM__MAX
};

#define PERM_BIT(p) ((perm_set)1 << (p))
#define PERM_ALL (PERM_BIT(PERM__MAX) - 1)

struct perm_group {
	const char *key;		/* "profile", "appointments", ... */
	const char *label_tr, *label_en;
};

struct perm_def {
	const char *key;		/* "view_profile" */
	size_t group;			/* index into perm_groups */
	const char *label_tr, *label_en;
	const char *description_tr, *description_en;
	perm_set recommended_with;	/* keys this one should come with */
};

extern const struct perm_group perm_groups[];
extern const size_t perm_groups_count;
extern const struct perm_def perm_catalog[PERM__MAX];

/* A preset of the guide: permissions it always sets and optional ones it
 * leaves to the clinic; a key is in one of the two, never in both. */
struct perm_preset {
	const char *key;		/* "basic", "finance", "full" */
	const char *label_tr, *label_en;
	perm_set permissions;		/* the members it always sets */
	perm_set optional;		/* members the clinic may leave out */
};

extern const struct perm_preset perm_presets[];
extern const size_t perm_presets_count;

/* Every member of p: its permissions and its optional keys. */
perm_set perm_preset_members(const struct perm_preset *p);

/* The keys in catalog order (perm_catalog[i].key), NULL-terminated, for
 * readers that take a list of allowed values. */
extern const char *const perm_keys[PERM__MAX + 1];

/* The key's index, or -1 for an unknown key. */
int perm_from_key(const char *key);

/* Pair warnings of the guide's notes that a set draws by itself. */
enum perm_warning {
	PERM_WARN_APPOINTMENTS_WITHOUT_VIEW,	/* create/cancel without view */
	PERM_WARN_FORMS_WITHOUT_VIEW,		/* submit without view */
	PERM_WARN__MAX
};

/* The warnings set draws, as bits (1 << enum perm_warning). */
unsigned perm_pair_warnings(perm_set set);

/* The permissions a pair warning concerns, within set (both sides). */
perm_set perm_warning_keys(enum perm_warning w, perm_set set);

#endif
