/*
 * server.c - portal-api's master process (see server.h).
 *
 * The master never touches a request or the database. It owns the
 * listening socket, forks `workers` children that accept on it, and reacts
 * to signals from a sigsuspend() loop:
 *   SIGCHLD  reap; replace a worker of the current generation that died
 *            (after a short pause if it died young, to avoid a fork storm);
 *   SIGHUP   re-read the config, start a new generation of workers and ask
 *            the old one to stop (each finishes the request it has);
 *   SIGTERM  ask every worker to stop and wait, at most shutdown_timeout
 *            seconds, then SIGKILL what is left.
 * Before it forks a generation it opens the gate that caps password
 * hashing across that generation's workers (hash_gate.h), so a reload
 * applies a new staff_login_hash_slots.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "conf.h"
#include "hash_gate.h"
#include "log.h"
#include "server.h"

#define WORKERS_MAX 256
#define SD_LISTEN_FDS_START 3

struct worker_slot {
	pid_t pid;		/* 0 when free */
	unsigned generation;
	struct timespec started;
};

static volatile sig_atomic_t got_chld, got_hup, got_term;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGCHLD:
		got_chld = 1;
		break;
	case SIGHUP:
		got_hup = 1;
		break;
	default:
		got_term = 1;
		break;
	}
}

/* The socket systemd passed us, or -1. */
static int
systemd_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid() ||
	    atoi(fds) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return SD_LISTEN_FDS_START;
}

static int
open_socket(const struct conf *conf, int *owned)
{
	int fd = systemd_socket();
	char spec[1024];

	*owned = 0;
	if (fd >= 0) {
		log_info("using the socket passed by systemd");
		return fd;
	}
	/* A stale socket file from a previous run would make bind() fail. */
	if (unlink(conf->socket) != 0 && errno != ENOENT) {
		log_error("cannot remove old socket %s: %s", conf->socket,
		    strerror(errno));
		return -1;
	}
	snprintf(spec, sizeof(spec), "%s", conf->socket);
	fd = FCGX_OpenSocket(spec, (int)conf->listen_backlog);
	if (fd < 0) {
		log_error("cannot listen on %s", conf->socket);
		return -1;
	}
	if (chmod(conf->socket, (mode_t)conf->socket_mode) != 0)
		log_warn("cannot chmod %s: %s", conf->socket, strerror(errno));
	*owned = 1;
	log_info("listening on %s", conf->socket);
	return fd;
}

static pid_t
spawn(int listen_fd, const struct conf *conf, const sigset_t *old_mask)
{
	pid_t pid = fork();

	if (pid == 0) {
		int status;

		/* Die with the master rather than linger without it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		sigprocmask(SIG_SETMASK, old_mask, NULL);
		status = worker_run(listen_fd, conf);
		/* The child owns a copy of the config; free it, and leave
		 * through exit() rather than _exit() so that LeakSanitizer's
		 * exit-time check runs in the sanitizer build. */
		conf_free((struct conf *)conf);
		exit(status);
	}
	if (pid < 0)
		log_error("fork failed: %s", strerror(errno));
	return pid;
}

static double
seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static size_t
count_alive(const struct worker_slot *slots, size_t n)
{
	size_t alive = 0;

	for (size_t i = 0; i < n; i++)
		if (slots[i].pid != 0)
			alive++;
	return alive;
}

static void
fill_slots(struct worker_slot *slots, size_t target, unsigned generation,
    int listen_fd, const struct conf *conf, const sigset_t *old_mask)
{
	size_t have = 0;

	for (size_t i = 0; i < WORKERS_MAX; i++)
		if (slots[i].pid != 0 && slots[i].generation == generation)
			have++;
	for (size_t i = 0; i < WORKERS_MAX && have < target; i++) {
		pid_t pid;

		if (slots[i].pid != 0)
			continue;
		pid = spawn(listen_fd, conf, old_mask);
		if (pid < 0)
			return;
		slots[i].pid = pid;
		slots[i].generation = generation;
		clock_gettime(CLOCK_MONOTONIC, &slots[i].started);
		have++;
	}
}

/* Reaps children; returns true when a worker of `generation` died young. */
static bool
reap(struct worker_slot *slots, unsigned generation)
{
	bool died_young = false;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < WORKERS_MAX; i++) {
			if (slots[i].pid != pid)
				continue;
			if (slots[i].generation == generation) {
				if (WIFSIGNALED(status))
					log_warn("worker %ld killed by signal %d",
					    (long)pid, WTERMSIG(status));
				else if (WEXITSTATUS(status) != 0)
					log_warn("worker %ld exited with %d",
					    (long)pid, WEXITSTATUS(status));
				if (seconds_since(&slots[i].started) < 1.0)
					died_young = true;
			}
			slots[i].pid = 0;
			break;
		}
	}
	return died_young;
}

/* Sends sig to every worker not of generation `keep` (0: to all). */
static void
signal_others(struct worker_slot *slots, unsigned keep, int sig)
{
	for (size_t i = 0; i < WORKERS_MAX; i++)
		if (slots[i].pid != 0 && (keep == 0 || slots[i].generation != keep))
			kill(slots[i].pid, sig);
}

static void
install(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

int
server_run(struct conf *conf, const char *conf_path)
{
	struct worker_slot slots[WORKERS_MAX];
	sigset_t block, old_mask;
	unsigned generation = 1;
	int listen_fd, owned;
	struct timespec deadline_start;

	memset(slots, 0, sizeof(slots));
	if (FCGX_Init() != 0)
		return 1;
	listen_fd = open_socket(conf, &owned);
	if (listen_fd < 0) {
		conf_free(conf);
		return 1;
	}

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	install(SIGCHLD, on_signal);
	install(SIGHUP, on_signal);
	install(SIGTERM, on_signal);
	install(SIGINT, on_signal);
	install(SIGPIPE, SIG_IGN);

	log_info("master started, %ld workers", conf->workers);
	hash_gate_open(conf->staff_login_hash_slots);
	fill_slots(slots, (size_t)conf->workers, generation, listen_fd, conf,
	    &old_mask);
	while (!got_term) {
		sigset_t wait_mask = old_mask;

		sigdelset(&wait_mask, SIGCHLD);
		sigdelset(&wait_mask, SIGHUP);
		sigdelset(&wait_mask, SIGTERM);
		sigdelset(&wait_mask, SIGINT);
		if (!got_chld && !got_hup)
			sigsuspend(&wait_mask);
		if (got_term)
			break;
		if (got_hup) {
			struct conf fresh;
			char err[512];

			got_hup = 0;
			if (conf_load(&fresh, conf_path, err, sizeof(err)) != 0) {
				log_error("reload refused, keeping the old "
				    "config: %s", err);
			} else {
				if (strcmp(fresh.socket, conf->socket) != 0)
					log_warn("reload: 'socket' changes only "
					    "at restart");
				conf_free(conf);
				*conf = fresh;
				generation++;
				log_info("reloading: generation %u", generation);
				hash_gate_open(conf->staff_login_hash_slots);
				signal_others(slots, generation, SIGTERM);
				/* The old workers still hold slots while they
				 * finish; new ones take free slots. */
			}
		}
		if (got_chld) {
			got_chld = 0;
			if (reap(slots, generation)) {
				/* Give a crashing worker a moment before the
				 * next try instead of forking in a loop. */
				struct timespec pause = { 0, 500 * 1000000L };

				nanosleep(&pause, NULL);
			}
		}
		fill_slots(slots, (size_t)conf->workers, generation, listen_fd,
		    conf, &old_mask);
	}

	log_info("draining: waiting for in-flight requests");
	signal_others(slots, 0, SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &deadline_start);
	for (bool killed = false; count_alive(slots, WORKERS_MAX) > 0;) {
		struct timespec tick = { 0, 20 * 1000000L };

		reap(slots, 0);
		if (count_alive(slots, WORKERS_MAX) == 0)
			break;
		if (!killed &&
		    seconds_since(&deadline_start) > (double)conf->shutdown_timeout) {
			log_warn("drain timed out; killing %zu workers",
			    count_alive(slots, WORKERS_MAX));
			signal_others(slots, 0, SIGKILL);
			killed = true;
		}
		nanosleep(&tick, NULL);
	}
	if (owned)
		unlink(conf->socket);
	close(listen_fd);
	hash_gate_close();
	log_info("master stopped");
	conf_free(conf);
	return 0;
}
