/*
 * notifier.h - portal-notifier's main loop.
 */
#ifndef PORTAL_NOTIFIER_H
#define PORTAL_NOTIFIER_H

struct conf;

/* Waits for `NOTIFY outbox` or the poll interval, until SIGTERM or
 * SIGINT; reconnects when PostgreSQL goes away. Returns the exit status. */
int notifier_run(const struct conf *conf);

#endif
