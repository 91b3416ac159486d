/*
 * settings.c - portal code rules and the warnings of the portal settings
 * (see portal_settings.h).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "portal_settings.h"

/* Everything nginx or the application routes itself, and words that would
 * confuse a patient reading the address. */
static const char *const reserved_codes[] = {
	"api", "console", "assets", "files", "health", "admin", "static",
	"portal", "login", "logout", "signin", "signout", "www", "app", "help",
	"support", "docs", "status", "favicon", "robots", "index", "null",
	"undefined", "new", "settings", "account", "auth", "public", "images",
	"img", "css", "js", "fonts", "media", "uploads", "download", "clinic",
	"patient", "patients", "staff", "system", "root", "test", "openapi",
};

bool
portal_code_has_digit_run(const char *code)
{
	int run = 0;

	for (const char *p = code; *p; p++) {
		run = isdigit((unsigned char)*p) ? run + 1 : 0;
		if (run >= 7)
			return true;
	}
	return false;
}

enum code_verdict
portal_code_verdict(const char *code, const char **why)
{
	size_t len = strlen(code);
	bool prev_hyphen = true;	/* no leading hyphen */

	if (len < PORTAL_CODE_MIN || len > PORTAL_CODE_MAX) {
		*why = "The code must be 3 to 40 characters long.";
		return CODE_INVALID;
	}
	for (const char *p = code; *p; p++) {
		if (*p == '-') {
			if (prev_hyphen) {
				*why = "A hyphen may not start the code or "
				    "follow another hyphen.";
				return CODE_INVALID;
			}
			prev_hyphen = true;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
			prev_hyphen = false;
		} else {
			*why = "Use lowercase letters, digits and hyphens only.";
			return CODE_INVALID;
		}
	}
	if (prev_hyphen) {
		*why = "The code may not end with a hyphen.";
		return CODE_INVALID;
	}
	for (size_t i = 0; i < sizeof(reserved_codes) / sizeof(*reserved_codes); i++) {
		if (strcmp(code, reserved_codes[i]) == 0) {
			*why = "This word is reserved by the system.";
			return CODE_RESERVED;
		}
	}
	*why = NULL;
	return CODE_OK;
}

/* Two-byte UTF-8 letters folded to ASCII: Turkish first, then common
 * Latin-1 accents. */
static const struct { const char *utf8; char ascii; } folds[] = {
	{ "ç", 'c' }, { "Ç", 'c' }, { "ğ", 'g' }, { "Ğ", 'g' }, { "ı", 'i' },
	{ "İ", 'i' }, { "ö", 'o' }, { "Ö", 'o' }, { "ş", 's' }, { "Ş", 's' },
	{ "ü", 'u' }, { "Ü", 'u' }, { "â", 'a' }, { "Â", 'a' }, { "î", 'i' },
	{ "Î", 'i' }, { "û", 'u' }, { "Û", 'u' }, { "á", 'a' }, { "à", 'a' },
	{ "ä", 'a' }, { "é", 'e' }, { "è", 'e' }, { "ê", 'e' }, { "ë", 'e' },
	{ "í", 'i' }, { "ó", 'o' }, { "ò", 'o' }, { "ô", 'o' }, { "ú", 'u' },
	{ "ù", 'u' }, { "ñ", 'n' }, { "ß", 's' }, { "Á", 'a' }, { "À", 'a' },
	{ "Ä", 'a' }, { "É", 'e' }, { "È", 'e' }, { "Ê", 'e' }, { "Ë", 'e' },
	{ "Í", 'i' }, { "Ó", 'o' }, { "Ò", 'o' }, { "Ô", 'o' }, { "Ú", 'u' },
	{ "Ù", 'u' }, { "Ñ", 'n' }, { "ã", 'a' }, { "Ã", 'a' }, { "õ", 'o' },
	{ "Õ", 'o' }, { "å", 'a' }, { "Å", 'a' }, { "ø", 'o' }, { "Ø", 'o' },
	{ "ý", 'y' }, { "Ý", 'y' }, { "ÿ", 'y' }, { "ï", 'i' }, { "Ï", 'i' },
	{ "ì", 'i' }, { "Ì", 'i' },
};

/* Folds text; with words, runs of other characters become one space. */
static void
fold(const char *text, char *out, size_t outlen, bool words)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)text;

	if (outlen == 0)
		return;
	while (*p && n + 1 < outlen) {
		if (*p < 0x80) {
			if (isalnum(*p))
				out[n++] = (char)tolower(*p);
			else if (words && n > 0 && out[n - 1] != ' ')
				out[n++] = ' ';
			p++;
			continue;
		}
		{
			bool folded = false;

			for (size_t i = 0; i < sizeof(folds) / sizeof(*folds); i++) {
				size_t l = strlen(folds[i].utf8);

				if (strncmp((const char *)p, folds[i].utf8, l) == 0) {
					out[n++] = folds[i].ascii;
					folded = true;
					break;
				}
			}
			/* Any other character (a no-break space, a dash, a
			 * letter we cannot fold) separates words. */
			if (!folded && words && n > 0 && out[n - 1] != ' ')
				out[n++] = ' ';
		}
		/* Skip the rest of the multibyte sequence. */
		p++;
		while ((*p & 0xc0) == 0x80)
			p++;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

void
portal_fold_ascii(const char *text, char *out, size_t outlen)
{
	fold(text, out, outlen, false);
}

void
portal_fold_words(const char *text, char *out, size_t outlen)
{
	fold(text, out, outlen, true);
}

bool
portal_code_contains_name(const char *code, const char *first_name,
    const char *last_name)
{
	char folded_code[PORTAL_CODE_MAX + 1], first[128], last[128];

	portal_fold_ascii(code, folded_code, sizeof(folded_code));
	portal_fold_ascii(first_name, first, sizeof(first));
	portal_fold_ascii(last_name, last, sizeof(last));
	if (strlen(first) < 2 || strlen(last) < 2)
		return false;
	return strstr(folded_code, first) != NULL &&
	    strstr(folded_code, last) != NULL;
}

static size_t
add(struct portal_warning *out, size_t n, const char *code,
    const char *message, perm_set keys)
{
	if (n == WARNINGS__MAX)
		return n;
	out[n].code = code;
	out[n].message = message;
	out[n].permissions = keys;
	out[n].count = 0;
	out[n].has_count = false;
	out[n].previous_code = NULL;
	return n + 1;
}

size_t
portal_pair_warnings(perm_set set, struct portal_warning *out)
{
	unsigned w = perm_pair_warnings(set);
	size_t n = 0;

	if (w & (1u << PERM_WARN_APPOINTMENTS_WITHOUT_VIEW))
		n = add(out, n, "appointments_without_view",
		    "Creating or cancelling appointments works best with "
		    "View Appointments enabled too.",
		    perm_warning_keys(PERM_WARN_APPOINTMENTS_WITHOUT_VIEW, set));
	if (w & (1u << PERM_WARN_FORMS_WITHOUT_VIEW))
		n = add(out, n, "forms_without_view",
		    "Submit Forms works best with View Forms enabled too.",
		    perm_warning_keys(PERM_WARN_FORMS_WITHOUT_VIEW, set));
	return n;
}

size_t
portal_set_warnings(perm_set set, bool payment_active, bool has_reviewer,
    struct portal_warning *out)
{
	size_t n = portal_pair_warnings(set, out);

	if ((set & PERM_BIT(PERM_MAKE_PAYMENT)) && !payment_active)
		n = add(out, n, "payment_infrastructure_inactive",
		    "Make Payment is on, but the clinic's online payment "
		    "infrastructure is not active, so patients cannot pay.",
		    PERM_BIT(PERM_MAKE_PAYMENT));
	if ((set & PERM_BIT(PERM_UPLOAD_DOCUMENTS)) && !has_reviewer)
		n = add(out, n, "uploads_without_reviewer",
		    "Upload Documents is on, but nobody is named to review "
		    "what patients upload.", PERM_BIT(PERM_UPLOAD_DOCUMENTS));
	return n;
}

size_t
portal_settings_warnings(const struct settings_facts *f,
    struct portal_warning *out)
{
	size_t n = portal_set_warnings(f->permissions, f->payment_active,
	    f->has_reviewer, out);

	if (f->sms_missing_tr || f->sms_missing_en || f->email_missing_tr ||
	    f->email_missing_en)
		n = add(out, n, "template_language_mismatch",
		    f->sms_missing_tr || f->email_missing_tr ?
		    "An invitation template has no Turkish variant, though the "
		    "clinic uses Turkish; patients who read Turkish get the "
		    "other language." :
		    "An invitation template has no English variant, though the "
		    "clinic uses English; patients who read English get the "
		    "other language.", 0);
	if (f->code_personal)
		n = add(out, n, "code_looks_personal",
		    "The portal code looks like personal data (a phone number "
		    "or a patient's name); choose a neutral code.", 0);
	if (f->code_changed) {
		size_t i = n;

		n = add(out, n, "code_changed",
		    "The portal code changed: the old link no longer works. "
		    "Send the new link to patients invited before.", 0);
		if (n > i) {
			out[i].count = f->invited_under_old_code;
			out[i].has_count = true;
			out[i].previous_code = f->old_code;
		}
	}
	return n;
}
