/* mail_test.c - unit tests of the notifier's SMTP client (mail_send() and
 * mail_check_conf() in src/notifier/mail.c) against a scripted SMTP
 * server on 127.0.0.1 in a child process, which writes down every line it
 * receives. With smtp_user set (or smtp_starttls = required), a server
 * that does not offer STARTTLS, refuses it or cannot complete the
 * handshake receives EHLO and QUIT and nothing else: no AUTH, no
 * envelope, no message; the messages are kept for a retry. Without TLS
 * required, the same server does receive the message, so the script is
 * seen to work. A recipient the server echoes back in a refusal does not
 * reach the error that is kept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <auth-client.h>

#include "conf.h"
#include "notifier.h"

#define PASSWORD "s3cret-Passw0rd"
#define BODY_MARK "BODYMARK-4711"

/* What the scripted server offers and answers. */
struct script {
	bool offer_starttls;
	const char *starttls_reply;	/* a 220 is followed by a hang-up */
	bool offer_auth;
	const char *rcpt_reply;		/* NULL: 250 */
};

struct server {
	int listen_fd;
	int transcript_fd;		/* read end: "C: line" per client line */
	pid_t pid;
	long port;
};

/* Reads one line (without CRLF) from fd into buf; false at EOF. */
static bool
read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	char c;

	while (read(fd, &c, 1) == 1) {
		if (c == '\n') {
			if (n > 0 && buf[n - 1] == '\r')
				n--;
			buf[n] = '\0';
			return true;
		}
		if (n + 1 < size)
			buf[n++] = c;
	}
	return false;
}

static void
say(int fd, const char *text)
{
	if (write(fd, text, strlen(text)) < 0)
		_exit(3);
}

/* The child: one session, every received line written to out. */
static void
serve(int listen_fd, int out, const struct script *s)
{
	struct pollfd pfd = { listen_fd, POLLIN, 0 };
	char line[2048], note[2100];
	int fd;

	alarm(20);
	if (poll(&pfd, 1, 10000) != 1 || (fd = accept(listen_fd, NULL, NULL)) < 0)
		_exit(0);
	say(fd, "220 fake.example ESMTP\r\n");
	while (read_line(fd, line, sizeof(line))) {
		snprintf(note, sizeof(note), "C: %s\n", line);
		say(out, note);
		if (strncasecmp(line, "EHLO", 4) == 0) {
			say(fd, "250-fake.example\r\n");
			if (s->offer_starttls)
				say(fd, "250-STARTTLS\r\n");
			if (s->offer_auth)
				say(fd, "250-AUTH PLAIN LOGIN\r\n");
			say(fd, "250 8BITMIME\r\n");
		} else if (strncasecmp(line, "HELO", 4) == 0)
			say(fd, "250 fake.example\r\n");
		else if (strncasecmp(line, "STARTTLS", 8) == 0) {
			say(fd, s->starttls_reply);
			say(fd, "\r\n");
			if (strncmp(s->starttls_reply, "220", 3) == 0)
				break;
		} else if (strncasecmp(line, "AUTH", 4) == 0)
			say(fd, "235 2.7.0 Authentication successful\r\n");
		else if (strncasecmp(line, "RCPT", 4) == 0) {
			say(fd, s->rcpt_reply != NULL ? s->rcpt_reply : "250 OK");
			say(fd, "\r\n");
		} else if (strncasecmp(line, "DATA", 4) == 0) {
			say(fd, "354 go ahead\r\n");
			while (read_line(fd, line, sizeof(line)) &&
			    strcmp(line, ".") != 0) {
				snprintf(note, sizeof(note), "D: %s\n", line);
				say(out, note);
			}
			say(fd, "250 2.0.0 queued\r\n");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			say(fd, "221 bye\r\n");
			break;
		} else
			say(fd, "250 OK\r\n");
	}
	close(fd);
	_exit(0);
}

static void
server_start(struct server *srv, const struct script *s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int pipefd[2];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(srv->listen_fd >= 0);
	assert_int_equal(bind(srv->listen_fd, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	assert_int_equal(listen(srv->listen_fd, 4), 0);
	assert_int_equal(getsockname(srv->listen_fd, (struct sockaddr *)&sin,
	    &len), 0);
	srv->port = ntohs(sin.sin_port);
	srv->pid = -1;
	srv->transcript_fd = -1;
	if (s == NULL)
		return;		/* listening, never answering */
	assert_int_equal(pipe(pipefd), 0);
	srv->pid = fork();
	assert_true(srv->pid >= 0);
	if (srv->pid == 0) {
		close(pipefd[0]);
		serve(srv->listen_fd, pipefd[1], s);
	}
	close(pipefd[1]);
	srv->transcript_fd = pipefd[0];
}

/* Waits for the server and answers what it received (free()). */
static char *
server_finish(struct server *srv)
{
	size_t cap = 65536, len = 0;
	char *text = calloc(cap, 1);
	ssize_t n;
	int status;

	assert_non_null(text);
	if (srv->transcript_fd >= 0) {
		while ((n = read(srv->transcript_fd, text + len,
		    cap - 1 - len)) > 0)
			len += (size_t)n;
		close(srv->transcript_fd);
	}
	if (srv->pid > 0) {
		assert_int_equal(waitpid(srv->pid, &status, 0), srv->pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(srv->listen_fd);
	return text;
}

static struct conf
mail_conf(long port, const char *starttls, const char *user)
{
	struct conf c;

	memset(&c, 0, sizeof(c));
	c.smtp_host = (char *)"127.0.0.1";
	c.smtp_port = port;
	c.smtp_starttls = (char *)starttls;
	c.smtp_user = (char *)user;
	c.smtp_password = (char *)PASSWORD;
	c.smtp_from = (char *)"portal@clinic.example";
	c.smtp_timeout = 5;
	return c;
}

static void
batch(struct outbox_msg msgs[2])
{
	static const char *const ids[] = {
		"0b7e2c1e-3f55-4c1a-9d0a-1c2f0e6b9a10",
		"0b7e2c1e-3f55-4c1a-9d0a-1c2f0e6b9a11",
	};
	int i;

	for (i = 0; i < 2; i++) {
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].id = ids[i];
		msgs[i].channel = "email";
		msgs[i].recipient = i == 0 ? "ayse@example.com" : "mehmet@example.com";
		msgs[i].purpose = "portal_invitation";
		msgs[i].sender_name = "Simple Dent";
		msgs[i].subject = "Davet";
		msgs[i].body = "Merhaba " BODY_MARK;
		msgs[i].attempts = 1;
	}
}

/* Nothing but EHLO/HELO, STARTTLS and QUIT crossed the connection. */
static void
assert_nothing_in_clear(const char *transcript)
{
	const char *p = transcript;

	assert_non_null(strstr(transcript, "C: EHLO"));
	while (*p != '\0') {
		if (strncmp(p, "C: EHLO", 7) != 0 && strncmp(p, "C: HELO", 7) != 0 &&
		    strncmp(p, "C: STARTTLS", 11) != 0 &&
		    strncmp(p, "C: QUIT", 7) != 0)
			fail_msg("sent without TLS: %.*s", (int)strcspn(p, "\n"), p);
		p += strcspn(p, "\n");
		if (*p == '\n')
			p++;
	}
	assert_null(strstr(transcript, BODY_MARK));
	assert_null(strstr(transcript, "AUTH"));
}

static void
assert_kept_for_retry(const struct send_result *r, const char *why)
{
	int i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(r[i].outcome, SEND_RETRY);
		if (strstr(r[i].error, why) == NULL ||
		    strstr(r[i].error, "nothing was sent") == NULL)
			fail_msg("error: %s", r[i].error);
	}
}

/* The control: TLS not required, so the same server gets everything. */
static void
test_without_tls_required_the_server_gets_the_message(void **state)
{
	struct script s = { .offer_auth = true };
	struct server srv;
	struct conf c;
	struct outbox_msg msgs[2];
	struct send_result r[2];
	char *t;

	(void)state;
	server_start(&srv, &s);
	c = mail_conf(srv.port, "if-available", "");
	batch(msgs);
	mail_send(&c, msgs, 2, r);
	t = server_finish(&srv);
	assert_int_equal(r[0].outcome, SEND_OK);
	assert_int_equal(r[1].outcome, SEND_OK);
	assert_non_null(strstr(t, "C: MAIL FROM:<portal@clinic.example>"));
	assert_non_null(strstr(t, "C: RCPT TO:<ayse@example.com>"));
	assert_non_null(strstr(t, "D: Subject: Davet"));
	assert_null(strstr(t, "AUTH"));
	free(t);
}

static void
test_user_set_server_without_starttls(void **state)
{
	/* The server offers AUTH in clear; smtp_starttls is the default. */
	struct script s = { .offer_auth = true };
	struct server srv;
	struct conf c;
	struct outbox_msg msgs[2];
	struct send_result r[2];
	char *t;

	(void)state;
	server_start(&srv, &s);
	c = mail_conf(srv.port, "if-available", "portal");
	batch(msgs);
	mail_send(&c, msgs, 2, r);
	t = server_finish(&srv);
	assert_nothing_in_clear(t);
	assert_non_null(strstr(t, "C: QUIT"));
	assert_kept_for_retry(r, "does not offer STARTTLS (required: smtp_user is set)");
	free(t);
}

static void
test_required_without_user_server_without_starttls(void **state)
{
	struct script s = { 0 };
	struct server srv;
	struct conf c;
	struct outbox_msg msgs[2];
	struct send_result r[2];
	char *t;

	(void)state;
	server_start(&srv, &s);
	c = mail_conf(srv.port, "required", "");
	batch(msgs);
	mail_send(&c, msgs, 2, r);
	t = server_finish(&srv);
	assert_nothing_in_clear(t);
	assert_kept_for_retry(r, "does not offer STARTTLS (smtp_starttls = required)");
	free(t);
}

static void
test_user_set_starttls_refused(void **state)
{
	struct script s = { .offer_starttls = true, .offer_auth = true,
	    .starttls_reply = "454 4.7.0 TLS not available due to local problem" };
	struct server srv;
	struct conf c;
	struct outbox_msg msgs[2];
	struct send_result r[2];
	char *t;

	(void)state;
	server_start(&srv, &s);
	c = mail_conf(srv.port, "required", "portal");
	batch(msgs);
	mail_send(&c, msgs, 2, r);
	t = server_finish(&srv);
	assert_nothing_in_clear(t);
	assert_non_null(strstr(t, "C: STARTTLS"));
	assert_kept_for_retry(r, "refused STARTTLS (reply 454)");
	free(t);
}

static void
test_user_set_handshake_fails(void **state)
{
	/* "220 go ahead", then the server hangs up instead of TLS. */
	struct script s = { .offer_starttls = true, .offer_auth = true,
	    .starttls_reply = "220 2.0.0 Ready to start TLS" };
	struct server srv;
	struct conf c;
	struct outbox_msg msgs[2];
	struct send_result r[2];
	char *t;

	(void)state;
	server_start(&srv, &s);
	c = mail_conf(srv.port, "if-available", "portal");
	batch(msgs);
	mail_send(&c, msgs, 2, r);
	t = server_finish(&srv);
	assert_nothing_in_clear(t);
	assert_non_null(strstr(t, "C: STARTTLS"));
	assert_kept_for_retry(r, "TLS handshake failed");
	free(t);
}

/* if-available without a user: a refused STARTTLS ends the session too
 * (libesmtp does not fall back to plain text), and the error says so. */
static void
test_if_available_starttls_refused(void **state)
{
	struct script s = { .offer_starttls = true,
	    .starttls_reply = "454 4.7.0 TLS not available due to local problem" };
	struct server srv;
	struct conf c;
	struct outbox_msg msgs[2];
	struct send_result r[2];
	char *t;

	(void)state;
	server_start(&srv, &s);
	c = mail_conf(srv.port, "if-available", "");
	batch(msgs);
	mail_send(&c, msgs, 2, r);
	t = server_finish(&srv);
	assert_nothing_in_clear(t);
	assert_kept_for_retry(r, "SMTP server refused STARTTLS (reply 454); ");
	free(t);
}

/* Regression: libesmtp 1.1.0 freed its own cached TLS context with the
 * first session that used it, and the next STARTTLS used freed memory
 * (a crash, or an AddressSanitizer report in the sanitizer build). */
static void
test_starttls_in_several_sessions(void **state)
{
	struct script s = { .offer_starttls = true, .offer_auth = true,
	    .starttls_reply = "454 4.7.0 TLS not available due to local problem" };
	struct server srv;
	struct conf c;
	struct outbox_msg msgs[2];
	struct send_result r[2];
	char *t;
	int round;

	(void)state;
	for (round = 0; round < 3; round++) {
		if (round == 2)
			s.starttls_reply = "220 2.0.0 Ready to start TLS";
		server_start(&srv, &s);
		c = mail_conf(srv.port, "if-available", "portal");
		batch(msgs);
		mail_send(&c, msgs, 2, r);
		t = server_finish(&srv);
		assert_nothing_in_clear(t);
		assert_non_null(strstr(t, "C: STARTTLS"));
		assert_kept_for_retry(r, round < 2 ? "refused STARTTLS" :
		    "TLS handshake failed");
		free(t);
	}
}

static void
test_user_set_starttls_no_never_connects(void **state)
{
	struct server srv;
	struct conf c;
	struct outbox_msg msgs[2];
	struct send_result r[2];
	char *t;
	int fd;

	(void)state;
	server_start(&srv, NULL);
	c = mail_conf(srv.port, "no", "portal");
	batch(msgs);
	mail_send(&c, msgs, 2, r);
	/* Nobody knocked. */
	assert_int_equal(fcntl(srv.listen_fd, F_SETFL, O_NONBLOCK), 0);
	fd = accept(srv.listen_fd, NULL, NULL);
	assert_true(fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
	t = server_finish(&srv);
	free(t);
	assert_int_equal(r[0].outcome, SEND_RETRY);
	assert_int_equal(r[1].outcome, SEND_RETRY);
	assert_non_null(strstr(r[0].error, "smtp_starttls = no"));
}

static void
test_check_conf(void **state)
{
	struct conf c;
	char why[512];

	(void)state;
	c = mail_conf(25, "no", "portal");
	assert_int_equal(mail_check_conf(&c, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "'smtp_starttls'"));
	assert_non_null(strstr(why, "'smtp_user'"));
	c = mail_conf(25, "if-available", "portal");
	assert_int_equal(mail_check_conf(&c, why, sizeof(why)), ERR_OK);
	c = mail_conf(25, "required", "portal");
	assert_int_equal(mail_check_conf(&c, why, sizeof(why)), ERR_OK);
	c = mail_conf(25, "no", "");
	assert_int_equal(mail_check_conf(&c, why, sizeof(why)), ERR_OK);
	c = mail_conf(25, "no", NULL);
	assert_int_equal(mail_check_conf(&c, why, sizeof(why)), ERR_OK);
}

static void
test_refused_recipient_not_kept(void **state)
{
	struct script s = {
		.rcpt_reply = "550 5.1.1 <ayse@example.com>: Recipient address "
		    "rejected: User unknown in virtual mailbox table",
	};
	struct server srv;
	struct conf c;
	struct outbox_msg msgs[2];
	struct send_result r[2];
	char *t;

	(void)state;
	server_start(&srv, &s);
	c = mail_conf(srv.port, "if-available", "");
	batch(msgs);
	mail_send(&c, msgs, 2, r);
	t = server_finish(&srv);
	free(t);
	assert_int_equal(r[0].outcome, SEND_PERMANENT);
	assert_string_equal(r[0].error, "SMTP recipient refused: 550 5.1.1 "
	    "<[address]>: Recipient address rejected: User unknown in virtual "
	    "mailbox table");
	/* The script refuses every recipient with the same text. */
	assert_int_equal(r[1].outcome, SEND_PERMANENT);
	assert_string_equal(r[1].error, r[0].error);
}

static int
setup(void **state)
{
	(void)state;
	/* A child's hang-up must not kill the test with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	auth_client_init();
	mime_init();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mime_shutdown();
	auth_client_exit();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_tls_required_the_server_gets_the_message),
		cmocka_unit_test(test_user_set_server_without_starttls),
		cmocka_unit_test(test_required_without_user_server_without_starttls),
		cmocka_unit_test(test_user_set_starttls_refused),
		cmocka_unit_test(test_user_set_handshake_fails),
		cmocka_unit_test(test_starttls_in_several_sessions),
		cmocka_unit_test(test_if_available_starttls_refused),
		cmocka_unit_test(test_user_set_starttls_no_never_connects),
		cmocka_unit_test(test_check_conf),
		cmocka_unit_test(test_refused_recipient_not_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
