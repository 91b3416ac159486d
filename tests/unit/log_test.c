/* log_test.c - unit tests of the log lines (include/common/log.h): their
 * fields and escaping, and the pid of the process that wrote each line,
 * which log.c asks of the kernel once per process. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

/* Runs fn with standard error sent to a temporary file; returns what was
 * written (malloc'd) or fails the test. */
static char *
captured(void (*fn)(void))
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *out;
	long n;

	assert_non_null(f);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	fn();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	out = calloc(1, (size_t)n + 1);
	assert_non_null(out);
	assert_int_equal(fread(out, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return out;
}

/* The pid= field of the line that holds msg="<msg>", or -1. */
static long
pid_of(const char *text, const char *msg)
{
	char want[64];
	const char *line, *pid;

	snprintf(want, sizeof(want), "msg=\"%s\"", msg);
	if ((line = strstr(text, want)) == NULL)
		return -1;
	while (line > text && line[-1] != '\n')
		line--;
	if ((pid = strstr(line, " pid=")) == NULL)
		return -1;
	return strtol(pid + 5, NULL, 10);
}

static void
write_escaped(void)
{
	log_info("a \"quoted\" value\nand a second line");
	log_debug("below the level");
}

static void
test_fields_and_escaping(void **state)
{
	char *out;

	(void)state;
	log_init("log_test", LOG_INFO);
	out = captured(write_escaped);
	assert_non_null(strstr(out, " level=info prog=log_test pid="));
	assert_non_null(strstr(out,
	    "msg=\"a \\\"quoted\\\" value\\x0aand a second line\""));
	assert_null(strstr(out, "below the level"));
	/* One line: the escaped line feed did not end it. */
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	free(out);
}

/* The parent logs (its pid is kept), forks, and the child logs: the
 * child's line must carry the child's pid, not the one its parent kept. */
static void
write_around_fork(void)
{
	pid_t child;
	int status;

	log_info("parent before");
	fflush(stderr);
	if ((child = fork()) == 0) {
		log_info("child %ld", (long)getpid());
		_exit(0);
	}
	assert_true(child > 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	log_info("parent after");
}

static void
test_pid_after_fork(void **state)
{
	char *out, child_msg[32];
	const char *p;
	long child;

	(void)state;
	log_init("log_test", LOG_INFO);
	out = captured(write_around_fork);
	assert_int_equal(pid_of(out, "parent before"), (long)getpid());
	assert_int_equal(pid_of(out, "parent after"), (long)getpid());
	assert_non_null(p = strstr(out, "msg=\"child "));
	child = strtol(p + strlen("msg=\"child "), NULL, 10);
	assert_true(child > 0 && child != (long)getpid());
	snprintf(child_msg, sizeof(child_msg), "child %ld", child);
	assert_int_equal(pid_of(out, child_msg), child);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_escaping),
		cmocka_unit_test(test_pid_after_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
