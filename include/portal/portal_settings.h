/*
 * portal_settings.h - the rules of portal codes and the warnings that
 * saving the portal settings answers (DESIGN.md section 3).
 */
#ifndef PORTAL_PORTAL_SETTINGS_H
#define PORTAL_PORTAL_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "permissions.h"

#define PORTAL_CODE_MIN 3
#define PORTAL_CODE_MAX 40

enum code_verdict { CODE_OK, CODE_INVALID, CODE_RESERVED };

/* Checks code against the grammar ^[a-z0-9]+(-[a-z0-9]+)*$, 3-40
 * characters, and the reserved words. *why says what is wrong, in words
 * for the clinic. */
enum code_verdict portal_code_verdict(const char *code, const char **why);

/* True when code holds a run of 7 or more digits (a phone number?). */
bool portal_code_has_digit_run(const char *code);

/* True when code contains both names (folded to ASCII lower case without
 * accents, spaces as hyphens or nothing), e.g. "ayse-yilmaz" for "Ayşe
 * Yılmaz". */
bool portal_code_contains_name(const char *code, const char *first_name,
    const char *last_name);

/* Folds UTF-8 text to ASCII lower case letters and digits, Turkish and
 * common Latin accents removed, everything else dropped, into out (size
 * outlen). */
void portal_fold_ascii(const char *text, char *out, size_t outlen);

/* Like portal_fold_ascii(), but keeps words apart: every run of other
 * characters becomes one space ("Ayşe-Nur  Yılmaz" -> "ayse nur yilmaz"). */
void portal_fold_words(const char *text, char *out, size_t outlen);

#define WARNINGS__MAX 8

struct portal_warning {
	const char *code;		/* "appointments_without_view", ... */
	const char *message;
	perm_set permissions;		/* the keys involved */
	long count;			/* code_changed: patients invited */
	bool has_count;
	const char *previous_code;	/* code_changed: the old code */
};

struct settings_facts {
	perm_set permissions;
	bool payment_active;
	bool has_reviewer;
	bool code_personal;		/* the code looks like personal data */
	bool code_changed;
	long invited_under_old_code;
	const char *old_code;		/* when code_changed */
	/* The chosen invitation templates lack a variant for one of the
	 * clinic's languages. */
	bool sms_missing_tr, sms_missing_en, email_missing_tr, email_missing_en;
};

/* Fills out with the warnings facts draw, in a fixed order; returns how
 * many (at most WARNINGS__MAX). */
size_t portal_settings_warnings(const struct settings_facts *facts,
    struct portal_warning *out);

/* Just the permission-pair warnings. */
size_t portal_pair_warnings(perm_set set, struct portal_warning *out);

/* The warnings a set of permissions draws on its own and from the clinic's
 * state (online payment active, an active upload reviewer): a patient's
 * custom set answers these, as the clinic's settings do. */
size_t portal_set_warnings(perm_set set, bool payment_active,
    bool has_reviewer, struct portal_warning *out);

#endif
