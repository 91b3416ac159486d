/*
 * fcgi_ceiling.c - the benchmark's second ceiling (tests/perf/appointments
 * .test.mjs; issue 6): the least a FastCGI request that reads PostgreSQL can
 * cost on this machine. A master opens a unix socket and preforks as many
 * workers as portal-api has; each worker holds one libpq connection, prepares
 * one primary-key SELECT once, and answers every request
 *
 *   GET /_bench/fcgi?id=<patient uuid>  ->  200 {"id": ..., "first_name": ...}
 *
 * with the headers portal-api sends (Status, Content-Type, X-Request-Id,
 * Cache-Control, Content-Length). No router, no arena, no transaction, no
 * log line: whatever the portal's endpoints cost beyond this is theirs.
 *
 *   fcgi_ceiling -s SOCKET -d CONNINFO [-w WORKERS] [-b BACKLOG]
 *                [-t MAX_SECONDS] [-p PIDFILE]
 *
 * SIGTERM or SIGINT stops it; so does the end of MAX_SECONDS (default 900),
 * so that a benchmark that died cannot leave it running. Workers die with
 * their master (PR_SET_PDEATHSIG). Not installed: built for the test and
 * development stacks only (Makefile.am, noinst_PROGRAMS).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>
#include <libpq-fe.h>

#define WORKERS_MAX 64
#define UUID_CHARS 36

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: fcgi_ceiling -s SOCKET -d CONNINFO [-w WORKERS] "
	    "[-b BACKLOG] [-t MAX_SECONDS] [-p PIDFILE]\n");
	exit(2);
}

/* The value of ?id= when it has the shape of a uuid, else NULL. */
static const char *
query_id(const char *query, char *out)
{
	const char *p;

	for (p = query; p != NULL && *p != '\0'; p = strchr(p, '&')) {
		if (*p == '&')
			p++;
		if (strncmp(p, "id=", 3) == 0) {
			size_t n = strcspn(p + 3, "&");

			if (n != UUID_CHARS || strspn(p + 3,
			    "0123456789abcdefABCDEF-") < UUID_CHARS)
				return NULL;
			memcpy(out, p + 3, UUID_CHARS);
			out[UUID_CHARS] = '\0';
			return out;
		}
	}
	return NULL;
}

static void
respond(FCGX_Request *fr, int status, const char *reason,
    struct json_object *body)
{
	const char *text = json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN);
	const char *rid = FCGX_GetParam("REQUEST_ID", fr->envp);
	char line[64];
	size_t len = strlen(text);

	snprintf(line, sizeof(line), "%d %s", status, reason);
	FCGX_PutS("Status: ", fr->out);
	FCGX_PutS(line, fr->out);
	FCGX_PutS("\r\nContent-Type: application/json\r\nX-Request-Id: ",
	    fr->out);
	FCGX_PutS(rid != NULL ? rid : "-", fr->out);
	FCGX_PutS("\r\nCache-Control: no-store\r\nContent-Length: ", fr->out);
	snprintf(line, sizeof(line), "%zu", len);
	FCGX_PutS(line, fr->out);
	FCGX_PutS("\r\n\r\n", fr->out);
	FCGX_PutStr(text, (int)len, fr->out);
}

static void
handle(FCGX_Request *fr, PGconn *pg)
{
	const char *query = FCGX_GetParam("QUERY_STRING", fr->envp);
	char idbuf[UUID_CHARS + 1];
	const char *id = query_id(query != NULL ? query : "", idbuf);
	struct json_object *body = json_object_new_object();
	PGresult *res;

	if (body == NULL)
		return;
	if (id == NULL) {
		json_object_object_add(body, "code",
		    json_object_new_string("bad_request"));
		respond(fr, 400, "Bad Request", body);
		json_object_put(body);
		return;
	}
	res = PQexecPrepared(pg, "pk", 1, &id, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		json_object_object_add(body, "code",
		    json_object_new_string("unavailable"));
		respond(fr, 503, "Service Unavailable", body);
	} else if (PQntuples(res) == 0) {
		json_object_object_add(body, "code",
		    json_object_new_string("not_found"));
		respond(fr, 404, "Not Found", body);
	} else {
		json_object_object_add(body, "id",
		    json_object_new_string(PQgetvalue(res, 0, 0)));
		json_object_object_add(body, "first_name",
		    json_object_new_string(PQgetvalue(res, 0, 1)));
		respond(fr, 200, "OK", body);
	}
	PQclear(res);
	json_object_put(body);
}

static int
worker(int listen_fd, const char *conninfo)
{
	struct sigaction sa;
	FCGX_Request fr;
	PGconn *pg;
	PGresult *res;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: accept() must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);

	pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "fcgi_ceiling: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return 1;
	}
	res = PQprepare(pg, "pk",
	    "SELECT id, first_name FROM patients WHERE id = $1", 1, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "fcgi_ceiling: prepare: %s", PQerrorMessage(pg));
		PQclear(res);
		PQfinish(pg);
		return 1;
	}
	PQclear(res);
	if (FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		PQfinish(pg);
		return 1;
	}
	while (!stop_requested) {
		if (FCGX_Accept_r(&fr) < 0) {
			if (stop_requested || (errno != EINTR &&
			    errno != ECONNABORTED))
				break;
			continue;
		}
		handle(&fr, pg);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	PQfinish(pg);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL, *conninfo = NULL, *pidfile = NULL;
	long workers = 4, backlog = 128, max_seconds = 900;
	pid_t pids[WORKERS_MAX];
	struct sigaction sa;
	sigset_t block, old;
	int fd, opt, status = 0;
	long n;

	while ((opt = getopt(argc, argv, "s:d:w:b:t:p:")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'd': conninfo = optarg; break;
		case 'w': workers = strtol(optarg, NULL, 10); break;
		case 'b': backlog = strtol(optarg, NULL, 10); break;
		case 't': max_seconds = strtol(optarg, NULL, 10); break;
		case 'p': pidfile = optarg; break;
		default: usage();
		}
	}
	if (sock == NULL || conninfo == NULL || workers < 1 ||
	    workers > WORKERS_MAX || backlog < 1 || max_seconds < 1)
		usage();
	if (FCGX_Init() != 0)
		return 1;
	if (unlink(sock) != 0 && errno != ENOENT) {
		perror(sock);
		return 1;
	}
	fd = FCGX_OpenSocket(sock, (int)backlog);
	if (fd < 0) {
		fprintf(stderr, "fcgi_ceiling: cannot listen on %s\n", sock);
		return 1;
	}
	chmod(sock, 0660);

	/* Signals wait in the mask until sigsuspend() below. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);	/* a dead worker ends the run */

	for (n = 0; n < workers; n++) {
		pids[n] = fork();
		if (pids[n] == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			_exit(worker(fd, conninfo));
		}
		if (pids[n] < 0) {
			perror("fork");
			stop_requested = 1;
			status = 1;
			break;
		}
	}
	if (pidfile != NULL) {
		FILE *f = fopen(pidfile, "w");

		if (f != NULL) {
			fprintf(f, "%ld\n", (long)getpid());
			fclose(f);
		}
	}
	alarm((unsigned)max_seconds);
	while (!stop_requested)
		sigsuspend(&old);
	for (long i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	for (long i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	unlink(sock);
	if (pidfile != NULL)
		unlink(pidfile);
	return status;
}
