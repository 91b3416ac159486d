/*
 * deliver.c - one delivery round of portal-notifier (see notifier.h):
 * claim a batch of due outbox rows with one statement (FOR UPDATE SKIP
 * LOCKED, so several notifiers take different rows), send each through
 * its transport, record each outcome, and go on until nothing is due.
 *
 * The claim sets status 'sending', counts the attempt and moves
 * next_attempt_at to now() + notifier_lease: a notifier that dies
 * mid-batch leaves rows that become due again when the lease runs out.
 * Outcomes are recorded only while the claim is still ours (status
 * 'sending' and the attempt count we set), so a late answer cannot undo
 * what another notifier did after the lease ran out. Delivery is
 * therefore at-least-once; the outbox id is the message's identity at
 * the receiver (SMS reference, email Message-ID).
 *
 * Logs name the outbox id, channel, status and error, never a
 * recipient's message: no subject, no body; and errors are cleaned of
 * the addresses and phone numbers that servers echo back
 * (deliver_clean_error()), so neither last_error nor a log line names the
 * recipient.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <auth-client.h>

#include "conf.h"
#include "log.h"
#include "notifier.h"

struct deliver_ctx {
	const struct conf *conf;
	struct sms_client *sms;
};

/* Columns of the claim, in order. */
enum claim_col {
	COL_ID, COL_CHANNEL, COL_RECIPIENT, COL_PURPOSE, COL_SENDER_NAME,
	COL_SUBJECT, COL_BODY, COL_ATTEMPTS, COL__MAX
};

static const char claim_sql[] =
    "WITH due AS ("
    " SELECT id FROM outbox"
    "  WHERE status IN ('queued', 'sending', 'failed') AND next_attempt_at <= now()"
    "  ORDER BY next_attempt_at, created_at"
    "  LIMIT $1"
    "  FOR UPDATE SKIP LOCKED)"
    " UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1,"
    "  next_attempt_at = now() + make_interval(secs => $2::int), updated_at = now()"
    "  FROM due WHERE o.id = due.id"
    " RETURNING o.id, o.channel, o.recipient, o.purpose, o.sender_name,"
    "  o.subject, o.body, o.attempts";

/* $1 id, $2 the attempt count of our claim. */
static const char sent_sql[] =
    "UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL,"
    " updated_at = now(),"
    " body = CASE WHEN purpose IN ('sign_in_code', 'contact_change_code')"
    "  THEN '' ELSE body END"
    " WHERE id = $1 AND status = 'sending' AND attempts = $2::int";

/* $1 id, $2 attempts, $3 last_error. */
static const char dead_sql[] =
    "UPDATE outbox SET status = 'dead', last_error = $3, updated_at = now(),"
    " body = CASE WHEN purpose IN ('sign_in_code', 'contact_change_code')"
    "  THEN '' ELSE body END"
    " WHERE id = $1 AND status = 'sending' AND attempts = $2::int";

/* $1 id, $2 attempts, $3 last_error, $4 seconds until the next try. */
static const char failed_sql[] =
    "UPDATE outbox SET status = 'failed', last_error = $3, updated_at = now(),"
    " next_attempt_at = now() + make_interval(secs => $4::int)"
    " WHERE id = $1 AND status = 'sending' AND attempts = $2::int";

/* Gives back a claim not tried (the notifier is stopping): due again at
 * once, the attempt not counted. $1 id, $2 attempts. */
static const char release_sql[] =
    "UPDATE outbox SET status = CASE WHEN attempts > 1 THEN 'failed' ELSE 'queued' END,"
    " attempts = attempts - 1, next_attempt_at = now(), updated_at = now()"
    " WHERE id = $1 AND status = 'sending' AND attempts = $2::int";

struct deliver_ctx *
deliver_new(const struct conf *conf)
{
	struct deliver_ctx *ctx;

	if (sodium_init() < 0)
		return NULL;
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		free(ctx);
		return NULL;
	}
	auth_client_init();
	mime_init();
	ctx->conf = conf;
	if ((ctx->sms = sms_client_new(conf)) == NULL) {
		deliver_free(ctx);
		return NULL;
	}
	return ctx;
}

void
deliver_free(struct deliver_ctx *ctx)
{
	if (ctx == NULL)
		return;
	sms_client_free(ctx->sms);
	free(ctx);
	mime_shutdown();
	auth_client_exit();
	curl_global_cleanup();
}

long
deliver_backoff(long base, long max, long attempts)
{
	long wait = base, jittered;
	uint32_t r;

	if (attempts < 1)
		attempts = 1;
	while (--attempts > 0 && wait < max)
		wait = wait > max / 2 ? max : wait * 2;
	if (wait > max)
		wait = max;
	/* +-25%, so that messages failed together do not retry together. */
	r = randombytes_uniform(1001);
	jittered = wait * (750 + (long)r) / 1000;
	if (wait > 0 && jittered == 0)
		jittered = 1;
	return jittered < 1 ? 1 : jittered;
}

/* The error being written by deliver_clean_error(). */
struct clean_out {
	char *out;
	size_t outlen, len;
	bool space;		/* the last byte written is a space */
};

static void
clean_put(struct clean_out *w, unsigned char c)
{
	if (w->len + 1 >= w->outlen)
		return;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
		if (w->space || w->len == 0)
			return;
		w->space = true;
		w->out[w->len++] = ' ';
		return;
	}
	w->space = false;
	w->out[w->len++] = c >= 0x21 && c <= 0x7e ? (char)c : '?';
}

static void
clean_puts(struct clean_out *w, const char *s)
{
	while (*s != '\0')
		clean_put(w, (unsigned char)*s++);
}

static bool
ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* A byte of an address's local part (RFC 5322 atext and the dot), or of
 * an internationalised one (any byte of a UTF-8 sequence). */
static bool
local_char(unsigned char c)
{
	return ascii_alnum(c) || c >= 0x80 ||
	    (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static bool
domain_char(unsigned char c)
{
	return ascii_alnum(c) || c >= 0x80 || c == '.' || c == '-';
}

/* Length of the address that starts at t[i] (the start of a run of local
 * part bytes), 0 when the run is not followed by '@'. The domain may be
 * missing: the text may have been cut by the server. */
static size_t
address_at(const unsigned char *t, size_t len, size_t i)
{
	size_t j = i;

	while (j < len && local_char(t[j]))
		j++;
	if (j == i || j >= len || t[j] != '@')
		return 0;
	for (j++; j < len && domain_char(t[j]); j++)
		;
	return j - i;
}

/* Length of the phone number that starts at t[i], 0 when there is none:
 * an optional '+' or '(', then at least 7 digits with at most two of
 * space, '-', '(' and ')' between two digits, not glued to a letter or
 * digit on either side (so neither "5.1.1" nor a queue id "A1234567B"
 * is taken for one). */
static size_t
phone_at(const unsigned char *t, size_t len, size_t i)
{
	size_t j = i, end = i, digits = 0, seps = 0;

	if (i > 0 && ascii_alnum(t[i - 1]))
		return 0;
	if (j < len && (t[j] == '+' || t[j] == '('))
		j++;
	while (j < len) {
		if (t[j] >= '0' && t[j] <= '9') {
			digits++;
			seps = 0;
			end = ++j;
		} else if (digits > 0 && seps < 2 && (t[j] == ' ' ||
		    t[j] == '-' || t[j] == '(' || t[j] == ')')) {
			seps++;
			j++;
		} else
			break;
	}
	if (digits < 7 || (end < len && ascii_alnum(t[end])))
		return 0;
	return end - i;
}

void
deliver_clean_error(char *out, size_t outlen, const char *prefix,
    const char *text, size_t textlen)
{
	const unsigned char *t = (const unsigned char *)text;
	struct clean_out w = { out, outlen, 0, false };
	size_t i = 0, n;

	if (outlen == 0)
		return;
	if (prefix != NULL)
		clean_puts(&w, prefix);
	/* The whole text is read even when out is full early, so that what
	 * is masked does not depend on where the cut falls. */
	while (i < textlen) {
		if ((i == 0 || !local_char(t[i - 1])) &&
		    (n = address_at(t, textlen, i)) > 0) {
			clean_puts(&w, "[address]");
			i += n;
		} else if ((n = phone_at(t, textlen, i)) > 0) {
			clean_puts(&w, "[phone]");
			i += n;
		} else
			clean_put(&w, t[i++]);
	}
	while (w.len > 0 && out[w.len - 1] == ' ')
		w.len--;
	out[w.len] = '\0';
}

/* Runs one of the outcome statements; false when the connection failed. */
static int
record(PGconn *conn, const char *sql, int nparams, const char *const *params,
    const struct outbox_msg *msg, const char *what)
{
	PGresult *res;
	int ok = 1;

	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("outbox %s: recording %s failed: %s", msg->id, what,
		    PQresultErrorMessage(res));
		ok = PQstatus(conn) == CONNECTION_OK;
	} else if (strcmp(PQcmdTuples(res), "1") != 0)
		log_warn("outbox %s: claim was lost (lease ran out?); %s not "
		    "recorded", msg->id, what);
	PQclear(res);
	return ok;
}

static int
record_outcome(struct deliver_ctx *ctx, PGconn *conn,
    const struct outbox_msg *msg, const struct send_result *r)
{
	const struct conf *conf = ctx->conf;
	char attempts[24], wait[24];
	const char *params[4];
	enum send_outcome outcome = r->outcome;

	snprintf(attempts, sizeof(attempts), "%ld", msg->attempts);
	params[0] = msg->id;
	params[1] = attempts;
	params[2] = r->error;
	if (outcome == SEND_RETRY && msg->attempts >= conf->notifier_max_attempts)
		outcome = SEND_PERMANENT;
	switch (outcome) {
	case SEND_OK:
		log_info("outbox %s: %s sent (attempt %ld)", msg->id,
		    msg->channel, msg->attempts);
		return record(conn, sent_sql, 2, params, msg, "sent");
	case SEND_PERMANENT:
		log_warn("outbox %s: %s dead after attempt %ld: %s", msg->id,
		    msg->channel, msg->attempts, r->error);
		return record(conn, dead_sql, 3, params, msg, "dead");
	default:
		snprintf(wait, sizeof(wait), "%ld",
		    deliver_backoff(conf->notifier_backoff_base,
		    conf->notifier_backoff_max, msg->attempts));
		params[3] = wait;
		log_warn("outbox %s: %s failed (attempt %ld, next in %s s): %s",
		    msg->id, msg->channel, msg->attempts, wait, r->error);
		return record(conn, failed_sql, 4, params, msg, "failed");
	}
}

static void
release(PGconn *conn, const struct outbox_msg *msg)
{
	char attempts[24];
	const char *params[2] = { msg->id, attempts };

	snprintf(attempts, sizeof(attempts), "%ld", msg->attempts);
	(void)record(conn, release_sql, 2, params, msg, "release");
}

/* Claims and sends one batch. Answers the number claimed, or -1 when the
 * connection failed. */
static int
one_batch(struct deliver_ctx *ctx, PGconn *conn, volatile sig_atomic_t *stop)
{
	const struct conf *conf = ctx->conf;
	char limit[24], lease[24];
	const char *params[2] = { limit, lease };
	struct outbox_msg *msgs = NULL, *email = NULL;
	struct send_result *results = NULL, *email_results = NULL;
	PGresult *res;
	int i, n, nemail = 0, ok = 1;

	snprintf(limit, sizeof(limit), "%ld", conf->notifier_batch_size);
	snprintf(lease, sizeof(lease), "%ld", conf->notifier_lease);
	res = PQexecParams(conn, claim_sql, 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK ||
	    PQnfields(res) != COL__MAX) {
		log_error("claiming outbox rows failed: %s",
		    PQresultErrorMessage(res));
		ok = PQstatus(conn) == CONNECTION_OK;
		PQclear(res);
		return ok ? 0 : -1;
	}
	if ((n = PQntuples(res)) == 0) {
		PQclear(res);
		return 0;
	}
	if ((msgs = calloc((size_t)n, sizeof(*msgs))) == NULL ||
	    (results = calloc((size_t)n, sizeof(*results))) == NULL ||
	    (email = calloc((size_t)n, sizeof(*email))) == NULL ||
	    (email_results = calloc((size_t)n, sizeof(*email_results))) == NULL) {
		/* Out of memory: the rows come back after the lease. */
		log_error("out of memory for a batch of %d", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct outbox_msg *m = &msgs[i];

		m->id = PQgetvalue(res, i, COL_ID);
		m->channel = PQgetvalue(res, i, COL_CHANNEL);
		m->recipient = PQgetvalue(res, i, COL_RECIPIENT);
		m->purpose = PQgetvalue(res, i, COL_PURPOSE);
		m->sender_name = PQgetvalue(res, i, COL_SENDER_NAME);
		m->subject = PQgetisnull(res, i, COL_SUBJECT) ? NULL :
		    PQgetvalue(res, i, COL_SUBJECT);
		m->body = PQgetvalue(res, i, COL_BODY);
		m->attempts = strtol(PQgetvalue(res, i, COL_ATTEMPTS), NULL, 10);
	}

	/* SMS one by one, each outcome recorded at once. */
	for (i = 0; i < n && ok; i++) {
		if (strcmp(msgs[i].channel, "sms") != 0) {
			email[nemail++] = msgs[i];
			continue;
		}
		if (*stop) {
			release(conn, &msgs[i]);
			continue;
		}
		sms_send(ctx->sms, &msgs[i], &results[i]);
		ok = record_outcome(ctx, conn, &msgs[i], &results[i]);
	}
	/* Email in one SMTP session. */
	if (ok && nemail > 0) {
		if (*stop) {
			for (i = 0; i < nemail; i++)
				release(conn, &email[i]);
		} else {
			mail_send(conf, email, (size_t)nemail, email_results);
			for (i = 0; i < nemail && ok; i++)
				ok = record_outcome(ctx, conn, &email[i],
				    &email_results[i]);
		}
	}
out:
	/* Bodies (sign-in codes among them) do not linger in freed memory. */
	for (i = 0; i < PQntuples(res); i++) {
		char *body = PQgetvalue(res, i, COL_BODY);

		sodium_memzero(body, strlen(body));
	}
	PQclear(res);
	free(msgs);
	free(results);
	free(email);
	free(email_results);
	return ok ? n : -1;
}

enum err
deliver_round(struct deliver_ctx *ctx, void *pgconn,
    volatile sig_atomic_t *stop)
{
	PGconn *conn = pgconn;
	int n;

	while (!*stop) {
		n = one_batch(ctx, conn, stop);
		if (n < 0)
			return ERR_DB;
		if (n < ctx->conf->notifier_batch_size)
			break;
	}
	return ERR_OK;
}
