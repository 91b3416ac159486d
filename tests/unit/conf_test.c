/* conf_test.c - unit tests of configuration loading (include/conf.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

/* Every key, so that no PORTAL_<KEY> of the caller's environment leaks
 * into a test. */
static const char *const env_vars[] = {
	"PORTAL_SOCKET", "PORTAL_SOCKET_MODE", "PORTAL_WORKERS",
	"PORTAL_LISTEN_BACKLOG", "PORTAL_SHUTDOWN_TIMEOUT",
	"PORTAL_MAX_BODY_BYTES", "PORTAL_MAX_UPLOAD_BYTES",
	"PORTAL_JSON_MAX_DEPTH", "PORTAL_LOG_LEVEL", "PORTAL_PUBLIC_URL",
	"PORTAL_DATABASE_URL", "PORTAL_MIGRATE_DATABASE_URL",
	"PORTAL_NOTIFIER_DATABASE_URL", "PORTAL_DB_CONNECT_TIMEOUT",
	"PORTAL_SQL_DIR", "PORTAL_NOTIFIER_POLL_INTERVAL", "PORTAL_CONFIG",
	"PORTAL_DEVGATEWAY_URL", "PORTAL_PAYTR_API_URL", "PORTAL_PAYTR_TEST_MODE",
	"PORTAL_PAYMENT_KEY", "PORTAL_PAYMENT_PENDING_TIMEOUT",
	"PORTAL_PAYMENT_HTTP_TIMEOUT_MS",
};

/* The file test_load_file() writes; removed even when the test fails. */
static char conf_path[] = "/tmp/conf_test.XXXXXX";
static int conf_path_made;

static int
clean_env(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
		unsetenv(env_vars[i]);
	return 0;
}

static int
remove_conf_file(void **state)
{
	if (conf_path_made) {
		unlink(conf_path);
		conf_path_made = 0;
	}
	return clean_env(state);
}

/* Loads text as "x.conf"; on failure the message is left in err. */
static int
load(struct conf *c, const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return conf_load_text(c, text, "x.conf", err, errlen);
}

/* Asserts that text is refused and that the message contains each of the
 * given fragments (a NULL-terminated list). */
static void
assert_refused(const char *text, ...)
{
	struct conf c;
	char err[256];
	va_list ap;
	const char *want;

	memset(&c, 0xff, sizeof(c));
	if (load(&c, text, err, sizeof(err)) == 0) {
		conf_free(&c);
		fail_msg("accepted: %s", text);
	}
	/* Failure leaves c freed: no string is left behind to free. */
	assert_null(c.socket);
	assert_null(c.log_level);
	assert_null(c.public_url);
	assert_null(c.database_url);
	assert_null(c.sql_dir);
	conf_free(&c);
	va_start(ap, text);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (strstr(err, want) == NULL)
			fail_msg("for \"%s\": message \"%s\" lacks \"%s\"", text,
			    err, want);
	va_end(ap);
}

static void
test_defaults(void **state)
{
	struct conf c;
	char err[256];

	(void)state;
	assert_int_equal(load(&c, NULL, err, sizeof(err)), 0);
	assert_string_equal(c.socket, "/run/portal/api.sock");
	assert_int_equal(c.socket_mode, 0660);
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.listen_backlog, 128);
	assert_int_equal(c.shutdown_timeout, 10);
	assert_int_equal(c.max_body_bytes, 1024 * 1024);
	assert_int_equal(c.max_upload_bytes, 20 * 1024 * 1024);
	assert_int_equal(c.upload_quota_count, 50);
	assert_int_equal(c.upload_quota_bytes, 200L * 1024 * 1024);
	assert_int_equal(c.message_rate_per_hour, 20);
	assert_int_equal(c.json_max_depth, 32);
	assert_string_equal(c.log_level, "info");
	assert_string_equal(c.public_url, "http://127.0.0.1:8080");
	assert_string_equal(c.database_url, "dbname=portal user=portal_app");
	assert_string_equal(c.migrate_database_url,
	    "dbname=portal user=portal_owner");
	assert_string_equal(c.notifier_database_url,
	    "dbname=portal user=portal_notifier");
	assert_int_equal(c.db_connect_timeout, 3);
#ifdef PORTAL_SQL_DIR
	assert_string_equal(c.sql_dir, PORTAL_SQL_DIR);
#endif
	assert_int_equal(c.notifier_poll_interval, 5);
	conf_free(&c);
	/* conf_free() leaves NULLs, so a second call is harmless. */
	assert_null(c.socket);
	conf_free(&c);

	/* An empty file and conf_load() without a path give the defaults. */
	assert_int_equal(load(&c, "", err, sizeof(err)), 0);
	assert_int_equal(c.workers, 4);
	conf_free(&c);
	assert_int_equal(conf_load(&c, NULL, err, sizeof(err)), 0);
	assert_int_equal(c.workers, 4);
	assert_string_equal(c.log_level, "info");
	conf_free(&c);
}

/* Staff sign-in limits and the hashing cap (DESIGN.md section 10): the
 * contract's numbers by default, each its own key with bounds; the old
 * backoff key is gone with the backoff. */
static void
test_staff_login_keys(void **state)
{
	struct conf c;
	char err[256];

	(void)state;
	assert_int_equal(load(&c, NULL, err, sizeof(err)), 0);
	assert_int_equal(c.staff_login_max_failures, 10);
	assert_int_equal(c.staff_login_max_failures_per_address, 30);
	assert_int_equal(c.staff_login_max_failures_per_account, 100);
	assert_int_equal(c.staff_login_window, 900);
	assert_int_equal(c.staff_login_hash_slots, 2);
	assert_int_equal(c.staff_login_hash_wait_ms, 1500);
	conf_free(&c);
	assert_int_equal(load(&c, "staff_login_max_failures = 3\n"
	    "staff_login_max_failures_per_address = 5\n"
	    "staff_login_max_failures_per_account = 1000000\n"
	    "staff_login_hash_slots = 128\n"
	    "staff_login_hash_wait_ms = 0\n", err, sizeof(err)), 0);
	assert_int_equal(c.staff_login_max_failures, 3);
	assert_int_equal(c.staff_login_max_failures_per_address, 5);
	assert_int_equal(c.staff_login_max_failures_per_account, 1000000);
	assert_int_equal(c.staff_login_hash_slots, 128);
	assert_int_equal(c.staff_login_hash_wait_ms, 0);
	conf_free(&c);
	assert_refused("staff_login_hash_slots = 0", "'staff_login_hash_slots'",
	    NULL);
	assert_refused("staff_login_hash_slots = 129",
	    "'staff_login_hash_slots'", NULL);
	assert_refused("staff_login_max_failures_per_account = 0",
	    "'staff_login_max_failures_per_account'", NULL);
	assert_refused("staff_login_hash_wait_ms = 10001",
	    "'staff_login_hash_wait_ms'", NULL);
	assert_refused("staff_login_backoff_after = 3",
	    "unknown key 'staff_login_backoff_after'", NULL);
}

static void
test_parse_text(void **state)
{
	static const char text[] =
	    "# Patient Portal\n"
	    "\n"
	    "   # an indented comment\n"
	    "workers=8\n"
	    "  listen_backlog   =   256  \n"
	    "\t\n"
	    "socket\t=\t/tmp/api.sock\n"
	    "log_level = debug\r\n"		/* CRLF line ends */
	    "database_url = host=/run/pg dbname=portal user=x\n"
	    "public_url = https://portal.example.com\n"
	    "json_max_depth = 2\n"
	    "max_body_bytes = 1024\n"
	    "sql_dir = /opt/portal/sql";	/* no final newline */
	struct conf c;
	char err[256];

	(void)state;
	if (load(&c, text, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(c.workers, 8);
	assert_int_equal(c.listen_backlog, 256);
	assert_string_equal(c.socket, "/tmp/api.sock");
	assert_string_equal(c.log_level, "debug");
	/* Only the first '=' separates key and value. */
	assert_string_equal(c.database_url, "host=/run/pg dbname=portal user=x");
	assert_string_equal(c.public_url, "https://portal.example.com");
	assert_int_equal(c.json_max_depth, 2);
	assert_int_equal(c.max_body_bytes, 1024);
	assert_string_equal(c.sql_dir, "/opt/portal/sql");
	/* Keys not in the file keep their defaults. */
	assert_int_equal(c.shutdown_timeout, 10);
	assert_string_equal(c.migrate_database_url,
	    "dbname=portal user=portal_owner");
	conf_free(&c);
}

static void
test_unknown_key(void **state)
{
	struct conf c;
	char err[256];

	(void)state;
	assert_int_equal(load(&c, "# comment\n\nbogus = 1\nworkers = 2\n",
	    err, sizeof(err)), -1);
	assert_string_equal(err, "x.conf:3: unknown key 'bogus'");
	conf_free(&c);
	/* Keys are case sensitive. */
	assert_refused("Workers = 2", "x.conf:1", "'Workers'", NULL);
	assert_refused("workers\n", "x.conf:1", NULL);	/* no '=' */
	assert_refused("\n\n\n\njust words", "x.conf:5", NULL);
}

static void
test_bad_int(void **state)
{
	(void)state;
	assert_refused("workers = many", "x.conf:1", "'workers'", NULL);
	assert_refused("workers = 4x", "'workers'", NULL);
	assert_refused("workers = 4.0", "'workers'", NULL);
	assert_refused("workers =", "'workers'", NULL);
	assert_refused("\nworkers = 0", "x.conf:2", "'workers'", NULL);
	assert_refused("workers = 129", "'workers'", NULL);
	assert_refused("workers = -1", "'workers'", NULL);
	assert_refused("listen_backlog = 65536", "'listen_backlog'", NULL);
	assert_refused("max_body_bytes = 1023", "'max_body_bytes'", NULL);
	assert_refused("json_max_depth = 1", "'json_max_depth'", NULL);
	assert_refused("db_connect_timeout = 99999999999999999999",
	    "'db_connect_timeout'", NULL);
}

static void
test_int_range_bounds(void **state)
{
	struct conf c;
	char err[256];

	(void)state;
	assert_int_equal(load(&c, "workers = 1\nlisten_backlog = 65535\n"
	    "json_max_depth = 1000\n", err, sizeof(err)), 0);
	assert_int_equal(c.workers, 1);
	assert_int_equal(c.listen_backlog, 65535);
	assert_int_equal(c.json_max_depth, 1000);
	conf_free(&c);
	assert_int_equal(load(&c, "workers = 128", err, sizeof(err)), 0);
	assert_int_equal(c.workers, 128);
	conf_free(&c);
}

static void
test_octal_socket_mode(void **state)
{
	struct conf c;
	char err[256];

	(void)state;
	assert_int_equal(load(&c, "socket_mode = 0600", err, sizeof(err)), 0);
	assert_int_equal(c.socket_mode, 0600);
	conf_free(&c);
	/* Octal even without the leading zero. */
	assert_int_equal(load(&c, "socket_mode = 660", err, sizeof(err)), 0);
	assert_int_equal(c.socket_mode, 0660);
	conf_free(&c);
	assert_int_equal(load(&c, "socket_mode = 0777", err, sizeof(err)), 0);
	assert_int_equal(c.socket_mode, 0777);
	conf_free(&c);
	assert_int_equal(load(&c, "socket_mode = 0", err, sizeof(err)), 0);
	assert_int_equal(c.socket_mode, 0);
	conf_free(&c);

	assert_refused("socket_mode = 0680", "'socket_mode'", NULL);
	assert_refused("socket_mode = 01000", "'socket_mode'", NULL);
	assert_refused("socket_mode = -1", "'socket_mode'", NULL);
	assert_refused("socket_mode = 0x1b0", "'socket_mode'", NULL);
	assert_refused("socket_mode = rw", "'socket_mode'", NULL);
	assert_refused("socket_mode =", "'socket_mode'", NULL);
}

static void
test_log_level(void **state)
{
	static const char *const good[] = { "debug", "info", "warn", "error" };
	struct conf c;
	char err[256], text[64];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "log_level = %s", good[i]);
		if (load(&c, text, err, sizeof(err)) != 0)
			fail_msg("refused %s: %s", good[i], err);
		assert_string_equal(c.log_level, good[i]);
		conf_free(&c);
	}
	assert_refused("log_level = INFO", "'log_level'", NULL);
	assert_refused("log_level = warning", "'log_level'", NULL);
	assert_refused("log_level = verbose", "'log_level'", NULL);
	assert_refused("log_level =", "'log_level'", NULL);
}

static void
test_public_url(void **state)
{
	static const char *const good[] = {
		"http://localhost", "https://portal.example.com",
		"https://portal.example.com:8443", "http://127.0.0.1:8080/clinic",
	};
	struct conf c;
	char err[256], text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "public_url = %s", good[i]);
		if (load(&c, text, err, sizeof(err)) != 0)
			fail_msg("refused %s: %s", good[i], err);
		assert_string_equal(c.public_url, good[i]);
		conf_free(&c);
	}
	assert_refused("public_url = https://portal.example.com/",
	    "'public_url'", NULL);
	assert_refused("public_url = http://x/clinic/", "'public_url'", NULL);
	assert_refused("public_url = http://", "'public_url'", NULL);
	assert_refused("public_url = ftp://example.com", "'public_url'", NULL);
	assert_refused("public_url = portal.example.com", "'public_url'", NULL);
	assert_refused("public_url = HTTPS://portal.example.com",
	    "'public_url'", NULL);
	assert_refused("public_url =", "'public_url'", NULL);
}

static void
test_empty_string_refused(void **state)
{
	(void)state;
	assert_refused("socket =", "'socket'", NULL);
	assert_refused("database_url =   ", "'database_url'", NULL);
}

static void
test_key_set_twice(void **state)
{
	(void)state;
	assert_refused("workers = 2\nworkers = 3\n", "x.conf:2", "'workers'",
	    "twice", NULL);
	/* Even to the same value, and with different spacing. */
	assert_refused("log_level = info\n# again\n  log_level=info",
	    "x.conf:3", "'log_level'", NULL);
}

static void
test_env_overrides_file(void **state)
{
	struct conf c;
	char err[256];

	(void)state;
	assert_int_equal(setenv("PORTAL_WORKERS", "16", 1), 0);
	assert_int_equal(setenv("PORTAL_PUBLIC_URL", "https://env.example", 1), 0);
	assert_int_equal(setenv("PORTAL_SOCKET_MODE", "0600", 1), 0);
	assert_int_equal(load(&c, "workers = 8\npublic_url = https://file.example\n"
	    "listen_backlog = 64\n", err, sizeof(err)), 0);
	assert_int_equal(c.workers, 16);
	assert_string_equal(c.public_url, "https://env.example");
	assert_int_equal(c.socket_mode, 0600);
	assert_int_equal(c.listen_backlog, 64);	/* not overridden */
	conf_free(&c);

	/* Without a file too. */
	assert_int_equal(conf_load(&c, NULL, err, sizeof(err)), 0);
	assert_int_equal(c.workers, 16);
	conf_free(&c);
	clean_env(NULL);
}

static void
test_env_bad_value_names_variable(void **state)
{
	(void)state;
	assert_int_equal(setenv("PORTAL_WORKERS", "lots", 1), 0);
	assert_refused(NULL, "PORTAL_WORKERS", "'workers'", NULL);
	assert_refused("workers = 2", "PORTAL_WORKERS", NULL);
	clean_env(NULL);

	assert_int_equal(setenv("PORTAL_LOG_LEVEL", "loud", 1), 0);
	assert_refused(NULL, "PORTAL_LOG_LEVEL", NULL);
	clean_env(NULL);

	assert_int_equal(setenv("PORTAL_PUBLIC_URL", "http://x/", 1), 0);
	assert_refused(NULL, "PORTAL_PUBLIC_URL", NULL);
	clean_env(NULL);

	/* Set but empty is a value, and an empty socket path is refused. */
	assert_int_equal(setenv("PORTAL_SOCKET", "", 1), 0);
	assert_refused(NULL, "PORTAL_SOCKET", NULL);
	clean_env(NULL);
}

static void
test_load_file(void **state)
{
	const char *path = conf_path;
	struct conf c;
	char err[256];
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	conf_path_made = 1;
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("# test\nworkers = 3\n\nbogus_key = 1\n", f);
	fclose(f);

	/* The message names the file path and the line. */
	assert_int_equal(conf_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ":4: unknown key 'bogus_key'"));
	conf_free(&c);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("workers = 3\nsocket = /tmp/s.sock\n", f);
	fclose(f);
	if (conf_load(&c, path, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(c.workers, 3);
	assert_string_equal(c.socket, "/tmp/s.sock");
	conf_free(&c);
	assert_int_equal(unlink(path), 0);
	conf_path_made = 0;

	/* A path given but missing is an error naming it. */
	memset(&c, 0xff, sizeof(c));
	assert_int_equal(conf_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_null(c.socket);
	conf_free(&c);
	/* So is a directory. */
	assert_int_equal(conf_load(&c, "/", err, sizeof(err)), -1);
	conf_free(&c);
}

/* The payment keys (DESIGN.md section 12): the sink's address by
 * default, no sealing key, 30 minutes to expire, 10 s per call; the key is
 * empty or exactly 64 hex digits, and a refusal never echoes it. */
static void
test_payment_keys(void **state)
{
	static const char key[] =
	    "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
	struct conf c;
	char err[256], text[256];

	(void)state;
	assert_int_equal(load(&c, NULL, err, sizeof(err)), 0);
	assert_string_equal(c.devgateway_url, "http://127.0.0.1:9045");
	assert_string_equal(c.paytr_api_url, "http://127.0.0.1:9045/paytr");
	assert_string_equal(c.payment_key, "");
	assert_int_equal(c.payment_pending_timeout, 1800);
	assert_int_equal(c.payment_http_timeout_ms, 10000);
	assert_int_equal(c.paytr_test_mode, 1);
	conf_free(&c);

	snprintf(text, sizeof(text), "payment_key = %s\n"
	    "paytr_api_url = https://www.paytr.com\npaytr_test_mode = 0\n", key);
	if (load(&c, text, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_string_equal(c.payment_key, key);
	assert_string_equal(c.paytr_api_url, "https://www.paytr.com");
	assert_int_equal(c.paytr_test_mode, 0);
	conf_free(&c);

	/* 63 digits, 65 digits, a non-hex digit: refused, the value unsaid. */
	assert_refused("payment_key = 00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeef\n", "payment_key", "64 hex", NULL);
	assert_refused("payment_key = 00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff0\n", "payment_key", NULL);
	assert_refused("payment_key = 00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeefg\n", "payment_key", NULL);
	assert_refused("devgateway_url = ftp://x\n", "devgateway_url", NULL);
	assert_refused("paytr_api_url = http://x/\n", "paytr_api_url", NULL);
	assert_refused("payment_pending_timeout = 59\n",
	    "payment_pending_timeout", NULL);
	assert_refused("payment_http_timeout_ms = 120001\n",
	    "payment_http_timeout_ms", NULL);
	{
		struct conf d;

		if (load(&d, "payment_key = 0123456789abcdefXYZ\n", err,
		    sizeof(err)) == 0) {
			conf_free(&d);
			fail_msg("accepted a short key");
		}
		assert_null(strstr(err, "0123456789abcdef"));
	}
}

static void
test_default_path(void **state)
{
	(void)state;
	assert_string_equal(conf_default_path(), "/etc/portal/portal.conf");
	assert_int_equal(setenv("PORTAL_CONFIG", "/srv/portal.conf", 1), 0);
	assert_string_equal(conf_default_path(), "/srv/portal.conf");
	assert_int_equal(setenv("PORTAL_CONFIG", "", 1), 0);
	assert_string_equal(conf_default_path(), "/etc/portal/portal.conf");
	clean_env(NULL);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, clean_env, clean_env)
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_staff_login_keys),
		T(test_parse_text),
		T(test_unknown_key),
		T(test_bad_int),
		T(test_int_range_bounds),
		T(test_octal_socket_mode),
		T(test_log_level),
		T(test_public_url),
		T(test_empty_string_refused),
		T(test_key_set_twice),
		T(test_env_overrides_file),
		T(test_env_bad_value_names_variable),
		cmocka_unit_test_setup_teardown(test_load_file, clean_env,
		    remove_conf_file),
		T(test_default_path),
		T(test_payment_keys),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
