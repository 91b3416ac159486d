/*
 * conf_fuzz.c - conf_load_text() (conf.h) over any config file text. A
 * loaded config holds every string and every number in its range; a
 * refused one says why and leaves nothing allocated (LeakSanitizer
 * checks every run).
 */
#include "config.h"

#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

extern char **environ;

/* PORTAL_<KEY> variables override the file: none may leak in from the
 * environment the fuzzer runs in, or runs would not repeat. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; environ[i] != NULL;) {
		char name[128];
		const char *eq = strchr(environ[i], '=');
		size_t n = eq ? (size_t)(eq - environ[i]) : 0;

		if (strncmp(environ[i], "PORTAL_", 7) == 0 && n < sizeof(name)) {
			memcpy(name, environ[i], n);
			name[n] = '\0';
			unsetenv(name);
			continue;	/* environ shifted down */
		}
		i++;
	}
	return 0;
}

static bool
in_range(long v, long lo, long hi)
{
	return v >= lo && v <= hi;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size), err[256] = "";
	struct conf c;

	if (conf_load_text(&c, text, "fuzz.conf", err, sizeof(err)) != 0) {
		/* Freed, and the message names the place. */
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(c.socket == NULL && c.files_dir == NULL &&
		    c.public_url == NULL && c.smtp_password == NULL);
		free(text);
		return 0;
	}
	/* What the README's table promises. */
	FUZZ_CHECK(c.socket != NULL && *c.socket != '\0');
	FUZZ_CHECK(c.files_dir != NULL && c.database_url != NULL);
	FUZZ_CHECK(c.signin_secret != NULL && c.smtp_user != NULL);
	FUZZ_CHECK(c.public_url != NULL &&
	    (strncmp(c.public_url, "http://", 7) == 0 ||
	    strncmp(c.public_url, "https://", 8) == 0) &&
	    c.public_url[strlen(c.public_url) - 1] != '/');
	FUZZ_CHECK(c.log_level != NULL && (strcmp(c.log_level, "debug") == 0 ||
	    strcmp(c.log_level, "info") == 0 || strcmp(c.log_level, "warn") == 0 ||
	    strcmp(c.log_level, "error") == 0));
	FUZZ_CHECK(c.smtp_starttls != NULL && (strcmp(c.smtp_starttls, "no") == 0 ||
	    strcmp(c.smtp_starttls, "if-available") == 0 ||
	    strcmp(c.smtp_starttls, "required") == 0));
	FUZZ_CHECK(in_range(c.socket_mode, 0, 0777));
	FUZZ_CHECK(in_range(c.workers, 1, 128));
	FUZZ_CHECK(in_range(c.json_max_depth, 2, 1000));
	FUZZ_CHECK(in_range(c.max_body_bytes, 1024, 64L * 1024 * 1024));
	FUZZ_CHECK(in_range(c.photo_max_pixels, 1, 1000L * 1000 * 1000));
	FUZZ_CHECK(in_range(c.smtp_port, 1, 65535));
	FUZZ_CHECK(in_range(c.cookie_secure, 0, 1));
	FUZZ_CHECK(in_range(c.server_timing, 0, 1));
	conf_free(&c);
	free(text);
	return 0;
}
