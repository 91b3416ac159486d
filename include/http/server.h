/*
 * server.h - portal-api's process model: a master that owns the listening
 * socket and preforks workers, and the worker's request loop.
 */
#ifndef PORTAL_SERVER_H
#define PORTAL_SERVER_H

struct conf;

/*
 * Runs the master until SIGTERM or SIGINT. The socket is the one systemd
 * passes (LISTEN_FDS) or conf->socket. Keeps conf->workers workers alive,
 * restarting any that dies; on SIGHUP re-reads conf_path and replaces the
 * workers (old ones finish their request first); on SIGTERM lets in-flight
 * requests finish, for at most conf->shutdown_timeout seconds. Takes
 * ownership of *conf. Returns the process exit status.
 */
int server_run(struct conf *conf, const char *conf_path);

/* The worker: accepts and answers requests on listen_fd until told to
 * stop. Returns the process exit status. */
int worker_run(int listen_fd, const struct conf *conf);

#endif
