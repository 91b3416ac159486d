/*
 * templates.h - message templates: placeholders and SMS measuring.
 *
 * A template body may hold {{code}}, {{portal_url}}, {{patient_first_name}},
 * {{clinic_name}}, {{otp}}, and for appointment messages
 * {{appointment_start}}, {{practitioner_name}} and {{appointment_type}};
 * anything else between {{ and }} is refused.
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
	PH__MAX
};

#define PH_BIT(p) (1u << (p))

/* The placeholder's name without braces ("portal_url"). */
const char *tpl_placeholder_name(enum tpl_placeholder p);

/*
 * Finds the placeholders of text. Returns true and sets *found (PH_BIT
 * bits) when every {{...}} names a known placeholder; otherwise false with
 * *bad pointing at an arena copy of the offending "{{...}}" (or of the
 * unclosed "{{" and what follows, cut short).
 */
bool tpl_scan(struct arena *a, const char *text, unsigned *found,
    const char **bad);

/* The values placeholders stand for (NULL renders as ""). */
struct tpl_values {
	const char *values[PH__MAX];
};

/* text with every placeholder replaced, in the arena; NULL when out of
 * memory. Expects a text tpl_scan() accepted. */
char *tpl_render(struct arena *a, const char *text, const struct tpl_values *v);

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
