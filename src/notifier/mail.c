/*
 * mail.c - email over SMTP with libesmtp: the email rows of one claimed
 * batch go out in one session (one connection, one message after the
 * other), STARTTLS as smtp_starttls says, AUTH (PLAIN or LOGIN through
 * libesmtp's auth-client) when smtp_user is set, smtp_timeout on every
 * protocol phase. Each message is built by mime_build(); its outcome is
 * read from the reverse-path, recipient and transfer statuses.
 *
 * Credentials never cross a connection in clear: with smtp_user set,
 * STARTTLS is required whatever smtp_starttls says ("no" is refused at
 * start by mail_check_conf()). libesmtp, told Starttls_REQUIRED, sends
 * QUIT right after EHLO when the server does not offer STARTTLS, and
 * stops when the upgrade or the certificate check fails (it verifies the
 * server's certificate and name, and we accept no exception); the event
 * callback below notes which of these happened, so that every message of
 * the session is reported as not sent, to be retried, with the reason.
 *
 * Each session gets a TLS context of ours (tls_context()): libesmtp 1.1.0
 * caches the one it makes itself in a static but frees it with the first
 * session that used it, so the next STARTTLS read freed memory (fixed
 * upstream after 1.1.0 by not caching it). Ours also makes OpenSSL itself
 * verify the chain and the name during the handshake.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Before libesmtp.h, which then declares smtp_starttls_set_ctx(). */
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "conf.h"
#include "log.h"
#include "notifier.h"

/* What the protocol monitor and the event callback saw of the session
 * (the EHLO answer, TLS, the AUTH outcome); never the message itself. */
struct session_seen {
	bool ehlo;		/* an EHLO answer arrived (since TLS began) */
	bool auth_offered;	/* it listed AUTH */
	int auth_code;		/* the last final reply to AUTH, 0: none */
	bool auth_sent;
	bool auth_ok;		/* 235 arrived */
	bool starttls_offered;	/* an EHLO answer listed STARTTLS */
	bool starttls_sent;
	int starttls_code;	/* the reply to STARTTLS, 0: none */
	bool tls_missing;	/* required, and the server did not offer it */
	bool tls_ok;		/* the connection was upgraded and accepted */
	bool tls_rejected;	/* the server's certificate was not accepted */
};

struct auth_arg {
	const struct conf *conf;
};

static int
auth_interact(auth_client_request_t request, char **result, int fields,
    void *arg)
{
	const struct conf *conf = ((struct auth_arg *)arg)->conf;
	int i;

	for (i = 0; i < fields; i++) {
		if (request[i].flags & AUTH_USER)
			result[i] = conf->smtp_user;
		else if (request[i].flags & AUTH_PASS)
			result[i] = conf->smtp_password;
		else
			return 0;
	}
	return 1;
}

/* Watches the server's replies for EHLO's AUTH line and the reply to
 * AUTH. Lines the client writes are only checked for the AUTH verb. */
static void
monitor(const char *buf, int len, int writing, void *arg)
{
	struct session_seen *seen = arg;
	const char *p = buf, *end = buf + len;

	if (writing == 1) {
		if (len >= 5 && strncmp(buf, "AUTH ", 5) == 0)
			seen->auth_sent = true;
		if (len >= 8 && strncmp(buf, "STARTTLS", 8) == 0)
			seen->starttls_sent = true;
		return;
	}
	if (writing != 0)
		return;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (n >= 4 && p[0] == '2' && p[1] == '5' && p[2] == '0' &&
		    (p[3] == '-' || p[3] == ' ')) {
			seen->ehlo = true;
			if (n >= 8 && (strncmp(p + 4, "AUTH", 4) == 0) &&
			    (n == 8 || p[8] == ' ' || p[8] == '='))
				seen->auth_offered = true;
			if (n >= 12 && strncasecmp(p + 4, "STARTTLS", 8) == 0 &&
			    (n == 12 || p[12] == '\r' || p[12] == ' '))
				seen->starttls_offered = true;
		}
		/* The reply to STARTTLS: 220, or a 454 or 5xx refusal. */
		if (seen->starttls_sent && seen->starttls_code == 0 && n >= 4 &&
		    p[0] >= '2' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' &&
		    p[2] >= '0' && p[2] <= '9' && p[3] != '-')
			seen->starttls_code = (p[0] - '0') * 100 +
			    (p[1] - '0') * 10 + (p[2] - '0');
		/* The final reply to AUTH: 235, or a 4xx/5xx refusal. */
		if (seen->auth_sent && !seen->auth_ok && n >= 3 &&
		    p[0] >= '2' && p[0] <= '5' && p[0] != '3' &&
		    p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9') {
			seen->auth_code = (p[0] - '0') * 100 +
			    (p[1] - '0') * 10 + (p[2] - '0');
			seen->auth_ok = seen->auth_code == 235;
		}
		p += n + 1;
	}
}

/* Notes what libesmtp tells of TLS. The certificate events pass an `int
 * *ok` that stays 0, so libesmtp ends the session: a certificate that
 * does not verify or does not name the host is never accepted. */
static void
on_event(smtp_session_t session, int event_no, void *arg, ...)
{
	struct session_seen *seen = arg;

	(void)session;
	switch (event_no) {
	case SMTP_EV_EXTNA_STARTTLS:
		seen->tls_missing = true;
		break;
	case SMTP_EV_STARTTLS_OK:
		/* The server is asked again over TLS; only that answer
		 * counts for AUTH. */
		seen->tls_ok = true;
		seen->ehlo = false;
		seen->auth_offered = false;
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
	case SMTP_EV_NO_PEER_CERTIFICATE:
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
	case SMTP_EV_WEAK_CIPHER:
		seen->tls_rejected = true;
		break;
	default:
		break;
	}
}

/* Why a session that was to be encrypted was not, for last_error and the
 * log; NULL when it was, or when TLS was not tried (if-available and not
 * offered, or no). */
static const char *
tls_failure(const struct session_seen *seen, bool use_auth,
    enum starttls_option tls, char *buf, size_t buflen)
{
	const char *why = use_auth ? " (required: smtp_user is set)" :
	    tls == Starttls_REQUIRED ? " (smtp_starttls = required)" : "";

	if (seen->tls_ok)
		return NULL;
	if (seen->tls_missing && seen->starttls_offered)
		/* Offered, but libesmtp could not set TLS up on our side
		 * (its SSL context, the CA list). */
		snprintf(buf, buflen, "SMTP STARTTLS could not be set up on "
		    "this host%s; nothing was sent", why);
	else if (seen->tls_missing)
		snprintf(buf, buflen, "SMTP server does not offer STARTTLS%s; "
		    "nothing was sent", why);
	else if (seen->tls_rejected)
		snprintf(buf, buflen, "SMTP server's TLS certificate was not "
		    "accepted%s; nothing was sent", why);
	else if (seen->starttls_code != 0 && seen->starttls_code != 220)
		snprintf(buf, buflen, "SMTP server refused STARTTLS (reply %d)%s; "
		    "nothing was sent", seen->starttls_code, why);
	else if (seen->starttls_sent)
		snprintf(buf, buflen, "SMTP TLS handshake failed (the server's "
		    "certificate must verify against the system's CAs and name "
		    "smtp_host)%s; nothing was sent", why);
	else
		return NULL;
	return buf;
}

/* Outcome of one status: 2xx ok, 5xx permanent, anything else retry. */
static enum send_outcome
status_outcome(const smtp_status_t *st)
{
	if (st == NULL || st->code == 0)
		return SEND_RETRY;
	if (st->code >= 200 && st->code < 300)
		return SEND_OK;
	if (st->code >= 500 && st->code < 600)
		return SEND_PERMANENT;
	return SEND_RETRY;
}

static void
set_status_error(struct send_result *r, const char *what,
    const smtp_status_t *st)
{
	char prefix[96];

	snprintf(prefix, sizeof(prefix), "SMTP %s refused: %d ", what,
	    st ? st->code : 0);
	deliver_clean_error(r->error, sizeof(r->error), prefix,
	    st && st->text ? st->text : "", st && st->text ? strlen(st->text) : 0);
}

static enum starttls_option
starttls_option(const char *s)
{
	if (s != NULL && strcmp(s, "no") == 0)
		return Starttls_DISABLED;
	if (s != NULL && strcmp(s, "required") == 0)
		return Starttls_REQUIRED;
	return Starttls_ENABLED;
}

static bool
auth_configured(const struct conf *conf)
{
	return conf->smtp_user != NULL && *conf->smtp_user != '\0';
}

enum err
mail_check_conf(const struct conf *conf, char *why, size_t whylen)
{
	if (auth_configured(conf) &&
	    starttls_option(conf->smtp_starttls) == Starttls_DISABLED) {
		snprintf(why, whylen, "key 'smtp_starttls' is 'no' while "
		    "'smtp_user' is set: the password would cross the network "
		    "in clear; set smtp_starttls = required (or if-available, "
		    "which smtp_user makes required), or leave smtp_user empty");
		return ERR_INVALID;
	}
	if (whylen > 0)
		why[0] = '\0';
	return ERR_OK;
}

/* A TLS context for one session: TLS 1.2 at least, the system's CAs, and
 * the handshake fails unless the certificate verifies and names smtp_host
 * (a name, or an IP address). NULL when out of memory. Free with
 * SSL_CTX_free(); the session takes a reference of its own. */
static SSL_CTX *
tls_context(const struct conf *conf)
{
	X509_VERIFY_PARAM *param;
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	param = SSL_CTX_get0_param(ctx);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_default_verify_paths(ctx) ||
	    !(X509_VERIFY_PARAM_set1_ip_asc(param, conf->smtp_host) ||
	    X509_VERIFY_PARAM_set1_host(param, conf->smtp_host, 0))) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

/* Marks every message of the batch not sent, to be retried, with error. */
static void
all_retry(struct send_result *results, size_t n, const char *error)
{
	size_t i;

	for (i = 0; i < n; i++) {
		results[i].outcome = SEND_RETRY;
		snprintf(results[i].error, sizeof(results[i].error), "%s", error);
	}
}

void
mail_send(const struct conf *conf, const struct outbox_msg *msgs, size_t n,
    struct send_result *results)
{
	smtp_session_t session = NULL;
	smtp_message_t *messages = NULL;
	smtp_recipient_t *recipients = NULL;
	char **texts = NULL, *hostport = NULL, errbuf[256];
	auth_context_t authctx = NULL;
	SSL_CTX *tls_ctx = NULL;
	struct auth_arg aarg = { conf };
	struct session_seen seen = { 0 };
	size_t i, queued = 0;
	bool use_auth = auth_configured(conf);
	enum starttls_option tls = starttls_option(conf->smtp_starttls);
	long timeout_ms = conf->smtp_timeout * 1000;
	int which, started;
	char tlsbuf[160];
	const char *tls_error;

	for (i = 0; i < n; i++) {
		memset(&results[i], 0, sizeof(results[i]));
		results[i].outcome = SEND_RETRY;
		snprintf(results[i].error, sizeof(results[i].error),
		    "out of memory");
	}
	if (use_auth && tls == Starttls_DISABLED) {
		/* mail_check_conf() refuses this at start; should it get
		 * here anyway, nothing goes out. */
		log_error("SMTP: smtp_user is set and smtp_starttls = no; "
		    "not connecting, so no password crosses in clear");
		all_retry(results, n, "not sent: smtp_user is set and "
		    "smtp_starttls = no (configuration refused)");
		return;
	}
	if (use_auth)
		tls = Starttls_REQUIRED;
	if ((messages = calloc(n, sizeof(*messages))) == NULL ||
	    (recipients = calloc(n, sizeof(*recipients))) == NULL ||
	    (texts = calloc(n, sizeof(*texts))) == NULL ||
	    asprintf(&hostport, "%s:%ld", conf->smtp_host, conf->smtp_port) < 0 ||
	    (session = smtp_create_session()) == NULL)
		goto out;

	smtp_set_server(session, hostport);
	smtp_set_hostname(session, mime_domain(conf->smtp_from));
	for (which = Timeout_GREETING; which <= Timeout_DATA2; which++)
		smtp_set_timeout(session,
		    which | Timeout_OVERRIDE_RFC2822_MINIMUM, timeout_ms);
	if (tls != Starttls_DISABLED &&
	    ((tls_ctx = tls_context(conf)) == NULL ||
	    !smtp_starttls_set_ctx(session, tls_ctx)))
		goto out;
	if (!smtp_starttls_enable(session, tls) ||
	    !smtp_set_eventcb(session, on_event, &seen))
		goto out;
	smtp_set_monitorcb(session, monitor, &seen, 0);
	if (use_auth) {
		if ((authctx = auth_create_context()) == NULL)
			goto out;
		auth_set_mechanism_flags(authctx, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(authctx, auth_interact, &aarg);
		smtp_auth_set_context(session, authctx);
	}

	for (i = 0; i < n; i++) {
		struct mime_message m;
		char message_id[512];
		enum err e;

		snprintf(message_id, sizeof(message_id), "%s@%s", msgs[i].id,
		    mime_domain(conf->smtp_from));
		m.from_name = msgs[i].sender_name ? msgs[i].sender_name : "";
		m.from_addr = conf->smtp_from;
		m.to_addr = msgs[i].recipient;
		m.subject = msgs[i].subject ? msgs[i].subject : "";
		m.body = msgs[i].body;
		m.message_id = message_id;
		m.date = time(NULL);
		e = mime_build(&m, &texts[i]);
		if (e == ERR_INVALID) {
			results[i].outcome = SEND_PERMANENT;
			snprintf(results[i].error, sizeof(results[i].error),
			    "message not sendable: invalid address or text");
			continue;
		}
		if (e != ERR_OK)
			continue;
		if ((messages[i] = smtp_add_message(session)) == NULL ||
		    !smtp_set_reverse_path(messages[i], conf->smtp_from) ||
		    (recipients[i] = smtp_add_recipient(messages[i],
		    msgs[i].recipient)) == NULL ||
		    !smtp_set_message_str(messages[i], texts[i])) {
			/* The message stays in the session but unsendable
			 * ones are reported as retries below. */
			messages[i] = NULL;
			continue;
		}
		queued++;
	}
	if (queued == 0)
		goto out;

	started = smtp_start_session(session);
	if (!started)
		smtp_strerror(smtp_errno(), errbuf, sizeof(errbuf));
	else
		errbuf[0] = '\0';
	tls_error = tls != Starttls_DISABLED ?
	    tls_failure(&seen, use_auth, tls, tlsbuf, sizeof(tlsbuf)) : NULL;
	if (tls_error != NULL)
		log_warn("SMTP %s: %s; %zu message(s) kept for a retry",
		    hostport, tls_error, queued);

	for (i = 0; i < n; i++) {
		const smtp_status_t *st;
		struct send_result *r = &results[i];

		if (messages[i] == NULL)
			continue;
		if (tls_error != NULL) {
			r->outcome = SEND_RETRY;
			snprintf(r->error, sizeof(r->error), "%s", tls_error);
			continue;
		}
		if (use_auth && seen.ehlo && !seen.auth_offered) {
			r->outcome = SEND_PERMANENT;
			snprintf(r->error, sizeof(r->error),
			    "SMTP AUTH is configured but the server does not offer it");
			continue;
		}
		if (use_auth && seen.auth_offered && !seen.auth_ok) {
			/* 535 and other 5xx: wrong credentials, for good;
			 * a 4xx or no answer: try again later. */
			r->outcome = seen.auth_code >= 500 ? SEND_PERMANENT :
			    SEND_RETRY;
			snprintf(r->error, sizeof(r->error),
			    "SMTP AUTH did not succeed (reply %d)", seen.auth_code);
			continue;
		}
		st = smtp_reverse_path_status(messages[i]);
		if ((r->outcome = status_outcome(st)) != SEND_OK) {
			if (st == NULL || st->code == 0)
				deliver_clean_error(r->error, sizeof(r->error),
				    "SMTP server not reached: ", errbuf,
				    strlen(errbuf));
			else
				set_status_error(r, "sender", st);
			continue;
		}
		st = smtp_recipient_status(recipients[i]);
		if ((r->outcome = status_outcome(st)) != SEND_OK) {
			if (st == NULL || st->code == 0)
				deliver_clean_error(r->error, sizeof(r->error),
				    "SMTP session ended early: ", errbuf,
				    strlen(errbuf));
			else
				set_status_error(r, "recipient", st);
			continue;
		}
		st = smtp_message_transfer_status(messages[i]);
		if ((r->outcome = status_outcome(st)) != SEND_OK) {
			if (st == NULL || st->code == 0)
				deliver_clean_error(r->error, sizeof(r->error),
				    "SMTP session ended during the message: ",
				    errbuf, strlen(errbuf));
			else
				set_status_error(r, "message", st);
			continue;
		}
		r->error[0] = '\0';
	}
out:
	if (session != NULL)
		smtp_destroy_session(session);
	SSL_CTX_free(tls_ctx);
	if (authctx != NULL)
		auth_destroy_context(authctx);
	if (texts != NULL) {
		for (i = 0; i < n; i++) {
			if (texts[i] != NULL) {
				memset(texts[i], 0, strlen(texts[i]));
				free(texts[i]);
			}
		}
	}
	free(texts);
	free(messages);
	free(recipients);
	free(hostport);
}
