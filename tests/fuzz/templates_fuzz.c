/*
 * templates_fuzz.c - tpl_scan(), tpl_render() and sms_measure()
 * (templates.h) over any template body. A refused body names the
 * offending "{{..." as it is in the text; an accepted one renders in one
 * pass: a value holding "{{otp}}" is written as it is, so every
 * placeholder adds its value's length and nothing more; the SMS measure
 * of any text is consistent.
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
	/* A value that is itself a placeholder, to catch a second pass. */
	static const char trap[] = "{{otp}}";
	struct arena *a = arena_new(4096);
	char *text = fuzz_cstring(data, size), *empty, *full;
	struct tpl_values none, trapped;
	const char *bad = NULL;
	unsigned found = 0, count = 0;
	size_t delta;

	FUZZ_CHECK(a != NULL);
	check_sms(text);
	if (!tpl_scan(a, text, &found, &bad)) {
		FUZZ_CHECK(bad != NULL && strncmp(bad, "{{", 2) == 0);
		FUZZ_CHECK(strlen(bad) <= 64 && strstr(text, bad) != NULL);
		goto out;
	}
	FUZZ_CHECK(bad == NULL);
	FUZZ_CHECK(found < PH_BIT(PH__MAX));
	memset(&none, 0, sizeof(none));
	for (int p = 0; p < PH__MAX; p++)
		trapped.values[p] = trap;
	empty = tpl_render(a, text, &none);
	full = tpl_render(a, text, &trapped);
	FUZZ_CHECK(empty != NULL && full != NULL);
	if (found == 0)
		FUZZ_CHECK(strcmp(empty, text) == 0 && strcmp(full, text) == 0);
	/* Each placeholder replaced adds exactly the trap's length. */
	FUZZ_CHECK(strlen(full) >= strlen(empty));
	delta = strlen(full) - strlen(empty);
	FUZZ_CHECK(delta % (sizeof(trap) - 1) == 0);
	for (int p = 0; p < PH__MAX; p++)
		count += (found & PH_BIT(p)) != 0;
	FUZZ_CHECK(delta / (sizeof(trap) - 1) >= count);
	FUZZ_CHECK(strlen(empty) <= strlen(text));
	check_sms(full);
out:
	arena_free(a);
	free(text);
	return 0;
}
