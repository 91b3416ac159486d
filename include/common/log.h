/*
 * log.h - one-line structured logs on standard error.
 *
 * Every line is `ts=... level=... prog=... pid=... [req=...] msg="..."`
 * with control characters and quotes escaped, so a hostile value cannot
 * forge a line. Never pass a body, token, one-time code or personal datum.
 */
#ifndef PORTAL_LOG_H
#define PORTAL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG__MAX };

/* Sets the program name and the lowest level written. */
void log_init(const char *prog, enum log_level min_level);

/* The request id added to every line until cleared with NULL. The string
 * must outlive its use (the request arena does). */
void log_set_request_id(const char *request_id);

/* Parses "debug", "info", "warn", "error"; -1 for anything else. */
int log_level_parse(const char *s);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The access line: one per request, after the response was written. */
void log_request(const char *method, const char *route, int status,
    double duration_ms);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
