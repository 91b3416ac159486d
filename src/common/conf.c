/*
 * conf.c - configuration file and environment (see conf.h).
 *
 * One table describes every key: its type, its range and its default.
 * Loading is: defaults, then the file, then PORTAL_<KEY> variables, each
 * value checked the same way wherever it came from.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "str.h"

/* CONF_OPTIONAL: a string that may be empty; CONF_STARTTLS: no,
 * if-available or required; CONF_KEY: empty, or a 32-byte key as 64 hex
 * digits. */
enum conf_type { CONF_STRING, CONF_OPTIONAL, CONF_INT, CONF_OCTAL,
    CONF_LOG_LEVEL, CONF_URL, CONF_STARTTLS, CONF_KEY };

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t offset;
	long min, max;
	const char *default_value;
};

#define STR(field, def) { #field, CONF_STRING, offsetof(struct conf, field), 0, 0, def }
#define OPT(field, def) { #field, CONF_OPTIONAL, offsetof(struct conf, field), 0, 0, def }
#define INT(field, lo, hi, def) { #field, CONF_INT, offsetof(struct conf, field), lo, hi, def }

static const struct conf_key conf_keys[] = {
	STR(socket, "/run/portal/api.sock"),
	{ "socket_mode", CONF_OCTAL, offsetof(struct conf, socket_mode), 0, 0777, "0660" },
	INT(workers, 1, 128, "4"),
	INT(listen_backlog, 1, 65535, "128"),
	INT(shutdown_timeout, 1, 3600, "10"),
	INT(max_body_bytes, 1024, 64L * 1024 * 1024, "1048576"),
	INT(max_upload_bytes, 1024, 1024L * 1024 * 1024, "20971520"),
	INT(photo_max_bytes, 1024, 1024L * 1024 * 1024, "10485760"),
	INT(photo_max_pixels, 1, 1000L * 1000 * 1000, "40000000"),
	STR(files_dir, PORTAL_FILES_DIR),
	INT(upload_quota_count, 0, 1000000, "50"),
	INT(upload_quota_bytes, 0, 1024L * 1024 * 1024 * 1024, "209715200"),
	INT(message_rate_per_hour, 1, 100000, "20"),
	INT(json_max_depth, 2, 1000, "32"),
	{ "log_level", CONF_LOG_LEVEL, offsetof(struct conf, log_level), 0, 0, "info" },
	{ "public_url", CONF_URL, offsetof(struct conf, public_url), 0, 0, "http://127.0.0.1:8080" },
	{ "devgateway_url", CONF_URL, offsetof(struct conf, devgateway_url), 0, 0, "http://127.0.0.1:9045" },
	{ "paytr_api_url", CONF_URL, offsetof(struct conf, paytr_api_url), 0, 0, "http://127.0.0.1:9045/paytr" },
	INT(paytr_test_mode, 0, 1, "1"),
	{ "payment_key", CONF_KEY, offsetof(struct conf, payment_key), 0, 0, "" },
	INT(payment_pending_timeout, 60, 7 * 86400, "1800"),
	INT(payment_http_timeout_ms, 100, 120000, "10000"),
	STR(database_url, "dbname=portal user=portal_app"),
	STR(migrate_database_url, "dbname=portal user=portal_owner"),
	STR(notifier_database_url, "dbname=portal user=portal_notifier"),
	INT(db_connect_timeout, 1, 600, "3"),
	STR(sql_dir, PORTAL_SQL_DIR),
	INT(notifier_poll_interval, 1, 3600, "5"),
	INT(argon2_opslimit, 1, 20, "2"),
	INT(argon2_memlimit, 8192, 4L * 1024 * 1024 * 1024, "67108864"),
	INT(staff_session_idle, 60, 7 * 86400, "1800"),
	INT(staff_session_absolute, 60, 30 * 86400, "43200"),
	INT(staff_login_max_failures, 1, 1000000, "10"),
	INT(staff_login_max_failures_per_address, 1, 1000000, "30"),
	INT(staff_login_max_failures_per_account, 1, 1000000, "100"),
	INT(staff_login_window, 1, 86400, "900"),
	INT(staff_login_hash_slots, 1, 128, "2"),
	INT(staff_login_hash_wait_ms, 0, 10000, "1500"),
	INT(cookie_secure, 0, 1, "1"),
	INT(server_timing, 0, 1, "0"),
	OPT(signin_secret, ""),
	INT(patient_session_idle, 60, 7 * 86400, "900"),
	INT(patient_session_absolute, 60, 30 * 86400, "28800"),
	INT(patient_login_max_per_contact, 1, 100000, "5"),
	INT(patient_login_max_per_address, 1, 1000000, "30"),
	INT(patient_login_window, 1, 86400, "900"),
	INT(otp_lifetime, 30, 86400, "600"),
	INT(otp_max_attempts, 1, 100, "5"),
	INT(otp_failure_budget, 1, 1000000, "200"),
	INT(otp_failure_window, 1, 86400, "900"),
	STR(smtp_host, "127.0.0.1"),
	INT(smtp_port, 1, 65535, "25"),
	{ "smtp_starttls", CONF_STARTTLS, offsetof(struct conf, smtp_starttls), 0, 0, "if-available" },
	OPT(smtp_user, ""),
	OPT(smtp_password, ""),
	STR(smtp_from, "portal@localhost"),
	INT(smtp_timeout, 1, 600, "30"),
	{ "sms_gateway_url", CONF_URL, offsetof(struct conf, sms_gateway_url), 0, 0, "http://127.0.0.1:9025/sms" },
	OPT(sms_gateway_token, ""),
	STR(sms_sender, "PORTAL"),
	INT(sms_timeout, 1, 600, "15"),
	INT(notifier_batch_size, 1, 1000, "20"),
	INT(notifier_lease, 5, 86400, "120"),
	INT(notifier_max_attempts, 1, 100, "8"),
	INT(notifier_backoff_base, 1, 86400, "5"),
	INT(notifier_backoff_max, 1, 7 * 86400, "3600"),
};

#define CONF_KEYS__MAX (sizeof(conf_keys) / sizeof(conf_keys[0]))

const char *
conf_default_path(void)
{
	const char *p = getenv("PORTAL_CONFIG");

	return p != NULL && *p != '\0' ? p : "/etc/portal/portal.conf";
}

void
conf_free(struct conf *c)
{
	for (size_t i = 0; i < CONF_KEYS__MAX; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (k->type != CONF_INT && k->type != CONF_OCTAL) {
			char **field = (char **)((char *)c + k->offset);

			free(*field);
			*field = NULL;
		}
	}
}

static const struct conf_key *
key_find(const char *name)
{
	for (size_t i = 0; i < CONF_KEYS__MAX; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

/* Checks value and stores it in c; on failure writes why into err. */
static int
key_set(struct conf *c, const struct conf_key *k, const char *value,
    const char *origin, char *err, size_t errlen)
{
	long v;
	char *copy, *end;

	switch (k->type) {
	case CONF_INT:
		if (!str_to_long(value, k->min, k->max, &v)) {
			snprintf(err, errlen, "%s: key '%s' must be a whole number "
			    "from %ld to %ld", origin, k->name, k->min, k->max);
			return -1;
		}
		*(long *)((char *)c + k->offset) = v;
		return 0;
	case CONF_OCTAL:
		errno = 0;
		v = strtol(value, &end, 8);
		if (*value == '\0' || *end != '\0' || errno != 0 || v < k->min ||
		    v > k->max) {
			snprintf(err, errlen, "%s: key '%s' must be an octal mode "
			    "such as 0660", origin, k->name);
			return -1;
		}
		*(long *)((char *)c + k->offset) = v;
		return 0;
	case CONF_LOG_LEVEL:
		if (log_level_parse(value) < 0) {
			snprintf(err, errlen, "%s: key '%s' must be one of debug, "
			    "info, warn, error", origin, k->name);
			return -1;
		}
		break;
	case CONF_URL:
		if ((strncmp(value, "http://", 7) != 0 &&
		    strncmp(value, "https://", 8) != 0) ||
		    value[strlen(value) - 1] == '/') {
			snprintf(err, errlen, "%s: key '%s' must be an http(s) URL "
			    "without a trailing slash", origin, k->name);
			return -1;
		}
		break;
	case CONF_OPTIONAL:
		break;
	case CONF_KEY:
		if (*value != '\0' && (strlen(value) != 64 ||
		    strspn(value, "0123456789abcdefABCDEF") != 64)) {
			/* The value itself is a secret: never in the message. */
			snprintf(err, errlen, "%s: key '%s' must be empty or 64 "
			    "hex digits (32 random bytes)", origin, k->name);
			return -1;
		}
		break;
	case CONF_STARTTLS:
		if (strcmp(value, "no") != 0 && strcmp(value, "if-available") != 0 &&
		    strcmp(value, "required") != 0) {
			snprintf(err, errlen, "%s: key '%s' must be one of no, "
			    "if-available, required", origin, k->name);
			return -1;
		}
		break;
	case CONF_STRING:
		if (*value == '\0') {
			snprintf(err, errlen, "%s: key '%s' must not be empty",
			    origin, k->name);
			return -1;
		}
		break;
	}
	copy = strdup(value);
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(*(char **)((char *)c + k->offset));
	*(char **)((char *)c + k->offset) = copy;
	return 0;
}

static int
load_defaults(struct conf *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < CONF_KEYS__MAX; i++)
		if (key_set(c, &conf_keys[i], conf_keys[i].default_value,
		    "default", err, errlen) != 0)
			return -1;
	return 0;
}

/* Parses the lines of text; name is used in messages. */
static int
load_lines(struct conf *c, const char *text, const char *name, char *err,
    size_t errlen)
{
	char *copy = strdup(text), *line, *save = NULL;
	unsigned lineno = 0;
	int rc = -1;
	/* Keys seen so far, to refuse a key given twice. */
	bool seen[CONF_KEYS__MAX] = { false };

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* strtok_r would skip empty lines and so miscount; split by hand. */
	for (line = copy; line != NULL; line = save) {
		char *eq, *key, *value, origin[512];
		const struct conf_key *k;

		lineno++;
		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		snprintf(origin, sizeof(origin), "%s:%u", name, lineno);
		line = str_trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s: expected 'key = value'", origin);
			goto out;
		}
		*eq = '\0';
		key = str_trim(line);
		value = str_trim(eq + 1);
		k = key_find(key);
		if (k == NULL) {
			snprintf(err, errlen, "%s: unknown key '%.64s'", origin, key);
			goto out;
		}
		if (seen[k - conf_keys]) {
			snprintf(err, errlen, "%s: key '%s' is set twice", origin, key);
			goto out;
		}
		seen[k - conf_keys] = true;
		if (key_set(c, k, value, origin, err, errlen) != 0)
			goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

static int
load_env(struct conf *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < CONF_KEYS__MAX; i++) {
		char var[64] = "PORTAL_", origin[80];
		const char *value;
		size_t n = strlen(var);

		for (const char *p = conf_keys[i].name; *p && n < sizeof(var) - 1; p++)
			var[n++] = (char)toupper((unsigned char)*p);
		var[n] = '\0';
		value = getenv(var);
		if (value == NULL)
			continue;
		snprintf(origin, sizeof(origin), "environment %s", var);
		if (key_set(c, &conf_keys[i], value, origin, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int
conf_load_text(struct conf *c, const char *text, const char *name, char *err,
    size_t errlen)
{
	if (load_defaults(c, err, errlen) != 0 ||
	    (text != NULL && load_lines(c, text, name, err, errlen) != 0) ||
	    load_env(c, err, errlen) != 0) {
		conf_free(c);
		return -1;
	}
	return 0;
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (path == NULL)
		return conf_load_text(c, NULL, "-", err, errlen);
	f = fopen(path, "r");
	if (f == NULL) {
		memset(c, 0, sizeof(*c));
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *grown;

			if (cap > 1024 * 1024) {
				snprintf(err, errlen, "%s: file too large", path);
				goto fail;
			}
			cap = cap ? cap * 2 : 8192;
			grown = realloc(text, cap);
			if (grown == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			text = grown;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	text[len] = '\0';
	rc = conf_load_text(c, text, path, err, errlen);
	free(text);
	return rc;
fail:
	fclose(f);
	free(text);
	memset(c, 0, sizeof(*c));
	return -1;
}
