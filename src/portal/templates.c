/*
 * templates.c - message purposes, the placeholders of message templates
 * and the checks their texts must pass, and the measure of an SMS (see
 * templates.h). Rendering is the database's, in one pass
 * (portal_render_values() of sql/0016).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "templates.h"

struct placeholder_info {
	const char *name;
	const char *sample_tr, *sample_en;
	bool body_only;		/* a code: never in a subject */
	const char *belongs;	/* where it may stand, for a refusal elsewhere */
};

static const struct placeholder_info placeholders[PH__MAX] = {
	[PH_CODE] = { "code", "clinic-code", "clinic-code", false, NULL },
	[PH_PORTAL_URL] = { "portal_url", "https://portal.example/clinic-code",
	    "https://portal.example/clinic-code", false, NULL },
	[PH_PATIENT_FIRST_NAME] = { "patient_first_name", "Ali", "Ali", false,
	    NULL },
	[PH_CLINIC_NAME] = { "clinic_name", "Clinic", "Clinic", false, NULL },
	[PH_OTP] = { "otp", "123456", "123456", true,
	    "code messages (sign-in and contact-change codes)" },
	[PH_APPOINTMENT_START] = { "appointment_start", "01.12.2026 10:30",
	    "1 Dec 2026, 10:30", false, "appointment templates" },
	[PH_PRACTITIONER_NAME] = { "practitioner_name", "Dr. Deniz Aydın",
	    "Dr. Deniz Aydın", false, "appointment templates" },
	[PH_APPOINTMENT_TYPE] = { "appointment_type", "Check-up", "Check-up",
	    false, "appointment templates" },
	[PH_AMOUNT] = { "amount", "1.250,00 TRY", "TRY 1,250.00", false,
	    "payment receipts" },
	[PH_INVOICE_NUMBER] = { "invoice_number", "INV2026000000001",
	    "INV2026000000001", false, "payment receipts" },
};

#define PH_COMMON (PH_BIT(PH_CODE) | PH_BIT(PH_PORTAL_URL) | \
	PH_BIT(PH_PATIENT_FIRST_NAME) | PH_BIT(PH_CLINIC_NAME))
#define PH_APPOINTMENT (PH_BIT(PH_APPOINTMENT_START) | \
	PH_BIT(PH_PRACTITIONER_NAME) | PH_BIT(PH_APPOINTMENT_TYPE))

#define CODE_NEEDS "A code message must contain {{otp}}."
#define APPOINTMENT_NEEDS "An appointment message must contain " \
	"{{appointment_start}}, so the patient knows when."

/* The same purposes, with the same secret flag, as sql/0016's
 * message_purposes. */
const struct msg_purpose msg_purposes[] = {
	{ "portal_invitation", false, PH_COMMON,
	    PH_BIT(PH_CODE) | PH_BIT(PH_PORTAL_URL),
	    "An invitation must contain {{code}} or {{portal_url}}, so the "
	    "patient can reach the portal." },
	{ "sign_in_code", true, PH_COMMON | PH_BIT(PH_OTP), PH_BIT(PH_OTP),
	    CODE_NEEDS },
	{ "contact_change_code", true, PH_COMMON | PH_BIT(PH_OTP),
	    PH_BIT(PH_OTP), CODE_NEEDS },
	{ "appointment_confirmation", false, PH_COMMON | PH_APPOINTMENT,
	    PH_BIT(PH_APPOINTMENT_START), APPOINTMENT_NEEDS },
	{ "appointment_cancellation", false, PH_COMMON | PH_APPOINTMENT,
	    PH_BIT(PH_APPOINTMENT_START), APPOINTMENT_NEEDS },
	/* A contact the patient replaced hears of it (no code). */
	{ "contact_replaced", false, PH_COMMON, 0, NULL },
	/* A succeeded payment's receipt (sql/0025). */
	{ "payment_receipt", false, PH_COMMON | PH_BIT(PH_AMOUNT) |
	    PH_BIT(PH_INVOICE_NUMBER), PH_BIT(PH_AMOUNT),
	    "A receipt must contain {{amount}}, so the patient knows what "
	    "was paid." },
	/* Documents (sql/0028): content-free notices, no title or name. */
	{ "document_shared", false, PH_COMMON, 0, NULL },
	{ "upload_reviewed", false, PH_COMMON, 0, NULL },
	/* Messages (sql/0029): that there is a message, never any of it. */
	{ "new_message", false, PH_COMMON, 0, NULL },
};

#define PURPOSES_N (sizeof(msg_purposes) / sizeof(msg_purposes[0]))

const size_t msg_purposes_count = PURPOSES_N;

const struct msg_purpose *
msg_purpose_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < PURPOSES_N; i++)
		if (strcmp(msg_purposes[i].name, name) == 0)
			return &msg_purposes[i];
	return NULL;
}

const char *const *
msg_purpose_names(void)
{
	static const char *names[PURPOSES_N + 1];

	if (names[0] == NULL)
		for (size_t i = 0; i < PURPOSES_N; i++)
			names[i] = msg_purposes[i].name;
	return names;
}

const char *
tpl_placeholder_name(enum tpl_placeholder p)
{
	return (unsigned)p < PH__MAX ? placeholders[p].name : "";
}

const char *
tpl_placeholder_sample(enum tpl_placeholder p, const char *lang)
{
	if ((unsigned)p >= PH__MAX)
		return "";
	return lang != NULL && strcmp(lang, "en") == 0 ?
	    placeholders[p].sample_en : placeholders[p].sample_tr;
}

/* The placeholder named by s[0..len), or -1. */
static int
placeholder_find(const char *s, size_t len)
{
	for (int p = 0; p < PH__MAX; p++)
		if (strlen(placeholders[p].name) == len &&
		    memcmp(placeholders[p].name, s, len) == 0)
			return p;
	return -1;
}

bool
tpl_scan(struct arena *a, const char *text, unsigned *found, const char **bad)
{
	const char *p = text;

	*found = 0;
	*bad = NULL;
	while ((p = strstr(p, "{{")) != NULL) {
		const char *close = strstr(p + 2, "}}");
		int ph;

		if (close == NULL) {
			*bad = arena_strndup(a, p, strnlen(p, 24));
			return false;
		}
		ph = placeholder_find(p + 2, (size_t)(close - p - 2));
		if (ph < 0) {
			size_t len = (size_t)(close - p) + 2;

			*bad = arena_strndup(a, p, len < 64 ? len : 64);
			return false;
		}
		*found |= PH_BIT(ph);
		p = close + 2;
	}
	return true;
}

/* "{{a}}, {{b}} or {{c}}": the placeholders of set, in the arena. */
static const char *
placeholder_list(struct arena *a, unsigned set)
{
	char buf[512];
	size_t used = 0;
	int n = 0, total = 0;

	for (int p = 0; p < PH__MAX; p++)
		total += (set & PH_BIT(p)) != 0;
	buf[0] = '\0';
	for (int p = 0; p < PH__MAX && used < sizeof(buf); p++) {
		int w;

		if (!(set & PH_BIT(p)))
			continue;
		w = snprintf(buf + used, sizeof(buf) - used, "%s{{%s}}",
		    n == 0 ? "" : n == total - 1 ? " or " : ", ",
		    placeholders[p].name);
		if (w < 0)
			break;
		used += (size_t)w;
		n++;
	}
	return arena_strdup(a, buf);
}

bool
tpl_check(struct arena *a, const struct msg_purpose *p, const char *text,
    bool is_subject, const char **why)
{
	unsigned found = 0, body_only = 0;
	const char *bad = NULL;

	*why = NULL;
	if (!tpl_scan(a, text, &found, &bad)) {
		*why = arena_printf(a, "Unknown placeholder %s; use %s.",
		    bad != NULL ? bad : "{{", placeholder_list(a,
		    p->placeholders));
		return false;
	}
	for (int ph = 0; ph < PH__MAX; ph++) {
		if (placeholders[ph].body_only)
			body_only |= PH_BIT(ph);
		if (!(found & PH_BIT(ph)) || (p->placeholders & PH_BIT(ph)))
			continue;
		*why = placeholders[ph].belongs != NULL ?
		    arena_printf(a, "{{%s}} belongs in %s only.",
		    placeholders[ph].name, placeholders[ph].belongs) :
		    arena_printf(a, "{{%s}} is not used in %s messages.",
		    placeholders[ph].name, p->name);
		return false;
	}
	for (int ph = 0; is_subject && ph < PH__MAX; ph++)
		if (found & body_only & PH_BIT(ph)) {
			*why = arena_printf(a, "{{%s}} is allowed in bodies only: "
			    "a subject is shown where a code must not be (lock "
			    "screens, mail lists, the deliveries list).",
			    placeholders[ph].name);
			return false;
		}
	if (!is_subject && p->body_needs != 0 && !(found & p->body_needs)) {
		*why = p->needs_message != NULL ? p->needs_message :
		    arena_printf(a, "Must contain %s.", placeholder_list(a,
		    p->body_needs));
		return false;
	}
	return true;
}

/* GSM 03.38 basic alphabet, as Unicode code points (0x1b, the escape,
 * excluded). */
static const uint16_t gsm_basic[] = {
	'@', 0xa3, '$', 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, '\n', 0xd8,
	0xf8, '\r', 0xc5, 0xe5, 0x394, '_', 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0,
	0x3a8, 0x3a3, 0x398, 0x39e, 0xc6, 0xe6, 0xdf, 0xc9, ' ', '!', '"', '#',
	0xa4, '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', ':', ';',
	'<', '=', '>', '?', 0xa1, 0xc4, 0xd6, 0xd1, 0xdc, 0xa7, 0xbf, 0xe4,
	0xf6, 0xf1, 0xfc, 0xe0,
};

/* The extension table: each costs an escape and itself. */
static const uint16_t gsm_extension[] = {
	'\f', '^', '{', '}', '\\', '[', '~', ']', '|', 0x20ac,
};

static bool
in_table(const uint16_t *table, size_t n, uint32_t cp)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] == cp)
			return true;
	return false;
}

/* Decodes one code point of valid UTF-8 at *s, advancing it. */
static uint32_t
next_code_point(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t cp;
	int extra;

	if (p[0] < 0x80) {
		cp = p[0];
		extra = 0;
	} else if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1f;
		extra = 1;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0f;
		extra = 2;
	} else {
		cp = p[0] & 0x07;
		extra = 3;
	}
	p++;
	for (int i = 0; i < extra && (*p & 0xc0) == 0x80; i++)
		cp = (cp << 6) | (*p++ & 0x3f);
	*s = p;
	return cp;
}

void
sms_measure(const char *utf8, struct sms_info *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t gsm_units = 0, ucs2_units = 0;
	bool gsm7 = true;

	while (*s) {
		uint32_t cp = next_code_point(&s);

		ucs2_units += cp > 0xffff ? 2 : 1;
		if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= '0' && cp <= '9') ||
		    in_table(gsm_basic, sizeof(gsm_basic) / sizeof(*gsm_basic), cp))
			gsm_units += 1;
		else if (in_table(gsm_extension,
		    sizeof(gsm_extension) / sizeof(*gsm_extension), cp))
			gsm_units += 2;
		else
			gsm7 = false;
	}
	out->gsm7 = gsm7;
	out->units = gsm7 ? gsm_units : ucs2_units;
	if (out->units == 0)
		out->segments = 0;
	else if (gsm7)
		out->segments = out->units <= 160 ? 1 : (out->units + 152) / 153;
	else
		out->segments = out->units <= 70 ? 1 : (out->units + 66) / 67;
}
