/*
 * log.c - structured, escaped log lines on standard error (see log.h).
 *
 * Each line is built in a stack buffer and written with one write(2) so
 * lines from several workers sharing the descriptor do not interleave.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LINE_MAX_BYTES 2048

static const char *log_prog = "portal";
static enum log_level log_min = LOG_INFO;
static const char *log_request_id;
/* This process's id, asked of the kernel once per process (a log line per
 * request would otherwise cost a getpid(2) each); 0 after a fork. */
static pid_t log_pid;
static int log_pid_reset_on_fork;

static const char *const level_names[LOG__MAX] = {
	"debug", "info", "warn", "error",
};

void
log_init(const char *prog, enum log_level min_level)
{
	log_prog = prog;
	log_min = min_level;
}

static void
forget_pid(void)
{
	log_pid = 0;
}

static long
current_pid(void)
{
	pid_t pid;

	if (log_pid != 0)
		return (long)log_pid;
	if (!log_pid_reset_on_fork)
		log_pid_reset_on_fork = pthread_atfork(NULL, NULL, forget_pid) == 0;
	pid = getpid();
	if (log_pid_reset_on_fork)
		log_pid = pid;
	return (long)pid;
}

void
log_set_request_id(const char *request_id)
{
	log_request_id = request_id;
}

int
log_level_parse(const char *s)
{
	for (int i = 0; i < LOG__MAX; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

/* Appends src to buf[*len..cap), escaping quotes, backslashes and control
 * bytes; truncates silently when full. */
static void
append_escaped(char *buf, size_t *len, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";

	for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
		char esc[4];
		size_t n;

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			n = 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[*p >> 4];
			esc[3] = hex[*p & 15];
			n = 4;
		} else {
			esc[0] = (char)*p;
			n = 1;
		}
		if (*len + n >= cap)
			return;
		memcpy(buf + *len, esc, n);
		*len += n;
	}
}

static void
append_raw(char *buf, size_t *len, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
append_raw(char *buf, size_t *len, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

static size_t
line_start(char *buf, size_t cap, enum log_level level)
{
	struct timespec ts;
	struct tm tm;
	size_t len = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(buf, cap, "ts=%Y-%m-%dT%H:%M:%S", &tm);
	append_raw(buf, &len, cap, ".%03ldZ level=%s prog=%s pid=%ld",
	    ts.tv_nsec / 1000000L, level_names[level], log_prog, current_pid());
	if (log_request_id != NULL) {
		append_raw(buf, &len, cap, " req=\"");
		append_escaped(buf, &len, cap, log_request_id);
		append_raw(buf, &len, cap, "\"");
	}
	return len;
}

static void
line_end(char *buf, size_t len, size_t cap)
{
	if (len >= cap - 1)
		len = cap - 2;
	buf[len++] = '\n';
	/* One write per line; a short write to stderr is not worth a retry. */
	if (write(STDERR_FILENO, buf, len) < 0)
		return;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[LINE_MAX_BYTES], msg[LINE_MAX_BYTES];
	size_t len;
	va_list ap;

	if (level < log_min || level >= LOG__MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	len = line_start(buf, sizeof(buf), level);
	append_raw(buf, &len, sizeof(buf), " msg=\"");
	append_escaped(buf, &len, sizeof(buf), msg);
	append_raw(buf, &len, sizeof(buf), "\"");
	line_end(buf, len, sizeof(buf));
}

void
log_request(const char *method, const char *route, int status,
    double duration_ms)
{
	char buf[LINE_MAX_BYTES];
	size_t len;

	if (LOG_INFO < log_min)
		return;
	len = line_start(buf, sizeof(buf), LOG_INFO);
	append_raw(buf, &len, sizeof(buf), " method=\"");
	append_escaped(buf, &len, sizeof(buf), method);
	append_raw(buf, &len, sizeof(buf), "\" route=\"");
	append_escaped(buf, &len, sizeof(buf), route);
	append_raw(buf, &len, sizeof(buf), "\" status=%d duration_ms=%.3f",
	    status, duration_ms);
	line_end(buf, len, sizeof(buf));
}
