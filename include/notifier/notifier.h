/*
 * notifier.h - portal-notifier: the loop that delivers the outbox, the
 * delivery round (claiming due rows, recording outcomes), and the two
 * transports: email over SMTP (libesmtp, the message written by GMime) and
 * SMS over an HTTP gateway (libcurl). See src/notifier/README.md for the
 * whole design.
 */
#ifndef PORTAL_NOTIFIER_H
#define PORTAL_NOTIFIER_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

struct conf;

/* Longest last_error kept (the column's limit). */
#define NOTIFIER_ERROR_MAX 1000

/* One claimed outbox row, as the transports see it. Strings belong to
 * the round that claimed it. */
struct outbox_msg {
	const char *id;			/* uuid text: the message's identity */
	const char *channel;		/* "sms" or "email" */
	const char *recipient;		/* E.164 phone or email address */
	const char *purpose;
	const char *sender_name;	/* the clinic's name */
	const char *subject;		/* email only, else NULL */
	const char *body;
	long attempts;			/* counting this claim */
};

enum send_outcome {
	SEND_OK = 0,		/* accepted by the server or gateway */
	SEND_RETRY,		/* transient: try again after a backoff */
	SEND_PERMANENT,		/* refused for good: dead at once */
	SEND__MAX
};

/* What one send came to. error is plain ASCII, never the message body. */
struct send_result {
	enum send_outcome outcome;
	char error[NOTIFIER_ERROR_MAX + 1];
};

/* Checks conf (mail_check_conf()), then waits for `NOTIFY outbox` or the
 * poll interval, until SIGTERM or SIGINT, and runs a delivery round at
 * each wake-up; reconnects when PostgreSQL goes away. Returns the exit
 * status: 1 when the configuration is refused (logged, naming the key) or
 * the transports cannot be set up. */
int notifier_run(const struct conf *conf);

/*
 * Delivery rounds (deliver.c).
 */
struct deliver_ctx;

/* Creates the transports' long-lived state (the SMS gateway's HTTP
 * handle) and initialises the process-wide libraries they use (libsodium,
 * libcurl, libesmtp's auth-client, GMime through mime_init()). NULL when
 * out of memory. Free with deliver_free(), which shuts them down again. */
struct deliver_ctx *deliver_new(const struct conf *conf);
void deliver_free(struct deliver_ctx *ctx);

/* Claims batches of due rows on conn (a connection under the notifier's
 * role) and sends them until none is due or *stop becomes non-zero.
 * Answers ERR_OK, or ERR_DB when the connection failed (the caller
 * reconnects; claimed rows come back when their lease runs out). */
enum err deliver_round(struct deliver_ctx *ctx, void *pgconn,
    volatile sig_atomic_t *stop);

/* Seconds to wait before the next try after `attempts` failed ones:
 * min(max, base * 2^(attempts - 1)), times a random factor in
 * [0.75, 1.25], at least 1. */
long deliver_backoff(long base, long max, long attempts);

/* Copies prefix and a message from a server or library, text[0..textlen),
 * into out (size outlen) as printable ASCII for last_error and the log:
 * control and non-ASCII bytes become '?', runs of white space one space,
 * cut to outlen - 1 bytes. Servers echo recipients back ("550 5.1.1
 * <a@b.example>: Recipient address rejected"), so in text (not in prefix)
 * anything shaped like an email address becomes "[address]" and 7 or
 * more digits (an optional leading '+' or '(', at most two of space, '-',
 * '(' and ')' between two digits, not glued to a letter or digit)
 * "[phone]"; the masking reads the whole text before the cut, so a cut
 * never leaves part of an address or number behind. */
void deliver_clean_error(char *out, size_t outlen, const char *prefix,
    const char *text, size_t textlen);

/*
 * Email (mime.c, mail.c).
 */
struct mime_message {
	const char *from_name;		/* display name, UTF-8 (may be empty) */
	const char *from_addr;		/* addr-spec */
	const char *to_addr;		/* addr-spec */
	const char *subject;		/* UTF-8 */
	const char *body;		/* UTF-8 plain text */
	const char *message_id;		/* the id part: "uuid@domain" */
	time_t date;
};

/* GMime for this process: mime_init() before the first mime_build(),
 * mime_shutdown() after the last (calls nest; each init needs its own
 * shutdown). deliver_new() and deliver_free() call them. */
void mime_init(void);
void mime_shutdown(void);

/* Builds the whole message with GMime (headers, then a text/plain
 * UTF-8 body in base64; CRLF line ends; headers folded to lines of at
 * most 78 bytes but the To and Message-ID lines of very long addresses)
 * into a NUL-terminated string in *out, which the caller frees with
 * free(). Subject and display name are RFC 2047 encoded-words in UTF-8
 * where they are not plain ASCII; one that contains something looking
 * like an encoded-word, or a word over 60 bytes, is encoded whole, so it
 * reads back as written and folds. Control characters in them (CR, LF,
 * ...) become spaces, so no value can add a header. Needs mime_init().
 * Answers ERR_OK, ERR_INVALID for an address or id that is not a plain
 * addr-spec (or text that is not UTF-8, or a date GLib cannot
 * represent), ERR_NOMEM. */
enum err mime_build(const struct mime_message *m, char **out);

/* The domain of an address ("portal@clinic.example" -> "clinic.example"),
 * "localhost" when there is none. Points into addr. */
const char *mime_domain(const char *addr);

/* Refuses a mail configuration that would send credentials in clear:
 * smtp_user set with smtp_starttls = no. Answers ERR_OK, or ERR_INVALID
 * with the reason, naming the keys, in why (size whylen). */
enum err mail_check_conf(const struct conf *conf, char *why, size_t whylen);

/* Sends msgs[0..n) (email rows) over one SMTP session and fills
 * results[0..n). TLS is required when smtp_starttls is "required" or
 * smtp_user is set (then "if-available" counts as "required"): a server
 * that does not offer STARTTLS, refuses it, or fails the handshake or the
 * certificate check gets nothing but EHLO and QUIT, and every message is
 * SEND_RETRY; so is smtp_user with smtp_starttls = no, which
 * mail_check_conf() refuses at start. With "if-available", a server that
 * offers STARTTLS and then refuses it or fails the handshake ends the
 * session the same way. Connection failures and 4xx
 * replies are SEND_RETRY, 5xx replies and an AUTH the server does not
 * offer are SEND_PERMANENT. */
void mail_send(const struct conf *conf, const struct outbox_msg *msgs,
    size_t n, struct send_result *results);

/*
 * SMS (sms.c).
 */
struct sms_client;

/* A client for sms_gateway_url; NULL when out of memory. Free with
 * sms_client_free() (accepts NULL). */
struct sms_client *sms_client_new(const struct conf *conf);
void sms_client_free(struct sms_client *c);

/* POSTs {to, text, sender, reference} for msg. 2xx is SEND_OK, 4xx
 * SEND_PERMANENT with the start of the answer in the error, anything
 * else (5xx, timeout, connection error) SEND_RETRY. */
void sms_send(struct sms_client *c, const struct outbox_msg *msg,
    struct send_result *result);

#endif
