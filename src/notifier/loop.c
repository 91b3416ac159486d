/*
 * loop.c - portal-notifier's wait loop (see notifier.h): one connection
 * under the notifier's own role, LISTEN outbox, and poll() on its socket
 * with the poll interval as timeout, so a lost NOTIFY costs at most one
 * interval. Each wake-up runs a delivery round (deliver.c) until nothing
 * is due; rows whose backoff or lease runs out meanwhile are found by the
 * next poll. A configuration that would send the SMTP password in clear
 * stops it before it connects anywhere.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "conf.h"
#include "log.h"
#include "notifier.h"

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static PGconn *
connect_and_listen(const struct conf *conf)
{
	const char *keys[] = { "connect_timeout", "application_name", "dbname",
	    NULL };
	char timeout[16];
	const char *values[] = { timeout, "portal-notifier",
	    conf->notifier_database_url, NULL };
	PGconn *conn;
	PGresult *res;

	snprintf(timeout, sizeof(timeout), "%ld", conf->db_connect_timeout);
	conn = PQconnectdbParams(keys, values, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		log_error("database connection failed: %s",
		    conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return NULL;
	}
	res = PQexec(conn, "LISTEN outbox");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("LISTEN failed: %s", PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);
	log_info("listening for outbox notifications");
	return conn;
}

/* Drains pending notifications; false when the connection is broken. */
static int
consume(PGconn *conn)
{
	PGnotify *n;

	if (!PQconsumeInput(conn))
		return 0;
	while ((n = PQnotifies(conn)) != NULL)
		PQfreemem(n);
	return 1;
}

int
notifier_run(const struct conf *conf)
{
	struct sigaction sa;
	struct deliver_ctx *ctx;
	PGconn *conn = NULL;
	char why[512];

	if (mail_check_conf(conf, why, sizeof(why)) != ERR_OK) {
		log_error("configuration refused: %s", why);
		return 1;
	}
	if (conf->smtp_user != NULL && *conf->smtp_user != '\0')
		log_info("smtp_user is set: STARTTLS is required for every "
		    "SMTP session");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if ((ctx = deliver_new(conf)) == NULL) {
		log_error("cannot set up the transports (out of memory?)");
		return 1;
	}
	log_info("notifier started");
	while (!stop_requested) {
		struct pollfd pfd;

		if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
			PQfinish(conn);
			conn = connect_and_listen(conf);
			if (conn == NULL) {
				struct timespec pause = { 1, 0 };

				nanosleep(&pause, NULL);
				continue;
			}
		}
		if (deliver_round(ctx, conn, &stop_requested) != ERR_OK) {
			log_warn("database connection lost; reconnecting");
			PQfinish(conn);
			conn = NULL;
			continue;
		}
		if (stop_requested)
			break;
		pfd.fd = PQsocket(conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)conf->notifier_poll_interval * 1000) < 0 &&
		    errno != EINTR) {
			log_error("poll failed: %s", strerror(errno));
			break;
		}
		if (!consume(conn)) {
			log_warn("database connection lost; reconnecting");
			PQfinish(conn);
			conn = NULL;
		}
	}
	PQfinish(conn);
	deliver_free(ctx);
	log_info("notifier stopped");
	return 0;
}
