/*
 * templates_fuzz.c - tpl_scan(), tpl_check() and sms_measure()
 * (templates.h) over any template text. A refused text names the
 * offending "{{..." as it is in the text; tpl_check() agrees with
 * tpl_scan() and never lets {{otp}} into a subject; the SMS measure of any
 * text is consistent. (Rendering is the database's one renderer,
 * portal_render_values() of sql/0016, tested through the API.)
 */
#include "config.h"

#include "fuzz.h"
#include "templates.h"
static void
check_sms(const char *text)
{
	struct sms_info info;
	size_t bytes = strlen(text);

	sms_measure(text, &info);
	FUZZ_CHECK(info.units <= 2 * bytes);
	FUZZ_CHECK((info.units == 0) == (info.segments == 0));
	FUZZ_CHECK(info.segments <= info.units);
	if (info.gsm7)
		FUZZ_CHECK(info.units <= 160 ? info.segments <= 1 :
		    info.segments == (info.units + 152) / 153);
	else
		FUZZ_CHECK(info.units <= 70 ? info.segments <= 1 :
		    info.segments == (info.units + 66) / 67);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(4096);
	char *text = fuzz_cstring(data, size);
	const char *bad = NULL, *why = NULL;
	const char *const *names = msg_purpose_names();
	unsigned found = 0;
	bool scanned;

	FUZZ_CHECK(a != NULL);
	check_sms(text);
	scanned = tpl_scan(a, text, &found, &bad);
	if (!scanned) {
		FUZZ_CHECK(bad != NULL && strncmp(bad, "{{", 2) == 0);
		FUZZ_CHECK(strlen(bad) <= 64 && strstr(text, bad) != NULL);
	} else {
		FUZZ_CHECK(bad == NULL);
		FUZZ_CHECK(found < PH_BIT(PH__MAX));
	}
	for (size_t i = 0; names[i] != NULL; i++) {
		const struct msg_purpose *p = msg_purpose_find(names[i]);

		FUZZ_CHECK(p != NULL);
		for (int subject = 0; subject <= 1; subject++) {
			bool ok = tpl_check(a, p, text, subject, &why);

			/* Whatever tpl_scan() refuses, every purpose refuses. */
			if (!scanned)
				FUZZ_CHECK(!ok);
			/* A code never reaches a subject. */
			if (subject && (found & PH_BIT(PH_OTP)))
				FUZZ_CHECK(!ok);
			/* Only placeholders the purpose allows. */
			if (ok)
				FUZZ_CHECK((found & ~p->placeholders) == 0);
			FUZZ_CHECK(ok || why != NULL);
		}
	}
	arena_free(a);
	free(text);
	return 0;
}
