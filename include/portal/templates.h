/*
 * templates.h - message templates: the purposes a message has, the
 * placeholders each may use, the checks a template's texts must pass, and
 * the measure of an SMS.
 *
 * Placeholders: {{code}}, {{portal_url}}, {{patient_first_name}},
 * {{clinic_name}} in every purpose; {{otp}} in code messages (in bodies
 * only: no subject may carry a code); {{appointment_start}},
 * {{practitioner_name}} and {{appointment_type}} in appointment messages.
 * Anything else between {{ and }} is refused. Rendering is the database's
 * (portal_render_values() of sql/0016, one pass); this module only checks.
 */
#ifndef PORTAL_TEMPLATES_H
#define PORTAL_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

enum tpl_placeholder {
	PH_CODE,
	PH_PORTAL_URL,
	PH_PATIENT_FIRST_NAME,
	PH_CLINIC_NAME,
	PH_OTP,
	PH_APPOINTMENT_START,
	PH_PRACTITIONER_NAME,
	PH_APPOINTMENT_TYPE,
	PH_AMOUNT,
	PH_INVOICE_NUMBER,
	PH__MAX
};

#define PH_BIT(p) (1u << (p))

/* The placeholder's name without braces ("portal_url"). */
const char *tpl_placeholder_name(enum tpl_placeholder p);

/* The sample value an SMS estimate or a preview renders it with, in
 * language "tr" or "en" (the clinic's own values replace the samples of
 * {{code}}, {{portal_url}} and {{clinic_name}}). */
const char *tpl_placeholder_sample(enum tpl_placeholder p, const char *lang);

/*
 * A message purpose. sql/0016 message_purposes holds the same purposes
 * with the same secret flag (tests/api/templates.test.mjs compares them):
 * adding one is a row there and an entry in msg_purposes[] here.
 */
struct msg_purpose {
	const char *name;		/* "portal_invitation" */
	bool secret;			/* carries a one-time code: the API never
					 * answers its subject or body */
	unsigned placeholders;		/* PH_BIT()s its texts may hold */
	unsigned body_needs;		/* a body must hold one of these (0: none) */
	const char *needs_message;	/* why, when it holds none */
};

extern const struct msg_purpose msg_purposes[];
extern const size_t msg_purposes_count;

/* The purpose named name, or NULL. */
const struct msg_purpose *msg_purpose_find(const char *name);

/* Every purpose's name, NULL-terminated (for an enum check). */
const char *const *msg_purpose_names(void);

/*
 * Finds the placeholders of text. Returns true and sets *found (PH_BIT
 * bits) when every {{...}} names a known placeholder; otherwise false with
 * *bad pointing at an arena copy of the offending "{{...}}" (or of the
 * unclosed "{{" and what follows, cut short). Linear in the text.
 */
bool tpl_scan(struct arena *a, const char *text, unsigned *found,
    const char **bad);

/*
 * Checks one text of a template of purpose p: a subject (is_subject) or a
 * body. Every {{...}} must be a placeholder p allows; {{otp}} never stands
 * in a subject; a body must hold one of p->body_needs. True when the text
 * passes; else false with *why saying what is wrong in words for the user
 * (in the arena; NULL when out of memory).
 */
bool tpl_check(struct arena *a, const struct msg_purpose *p, const char *text,
    bool is_subject, const char **why);

/* How an SMS of this text travels: GSM-7 when every character is in the
 * GSM 03.38 alphabet (its extension characters { } [ ] ~ \ ^ | € and form
 * feed count twice), else UCS-2, counted in UTF-16 code units. One segment
 * holds 160 GSM-7 or 70 UCS-2 units; a longer message is split into
 * segments of 153 or 67. */
struct sms_info {
	bool gsm7;
	size_t units;
	size_t segments;
};

void sms_measure(const char *utf8, struct sms_info *out);

#endif
