/*
 * mime.c - builds the email the notifier hands to libesmtp (see
 * notifier.h). libesmtp sends what it is given, so the message carries
 * its own MIME headers: RFC 2047 encoded-words (UTF-8, base64) for the
 * subject and the sender's display name, a base64 UTF-8 text body, and
 * the Message-ID derived from the outbox id. Pure: no I/O, no clock (the
 * caller passes the date), so it is unit tested on its own.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notifier.h"
#include "str.h"

/* Encoded-words are cut at this many bytes of text: 52 base64 characters,
 * 64 with "=?UTF-8?B?" and "?=", so "Subject: " and a word fit in 76. */
#define WORD_BYTES 39
#define LINE_MAX_LEN 76

struct buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void
buf_grow(struct buf *b, size_t more)
{
	size_t want;
	char *p;

	if (b->failed)
		return;
	if (more > SIZE_MAX - b->len - 1) {
		b->failed = true;
		return;
	}
	want = b->len + more + 1;
	if (want <= b->cap)
		return;
	if (want < b->cap * 2)
		want = b->cap * 2;
	if (want < 256)
		want = 256;
	if ((p = realloc(b->data, want)) == NULL) {
		b->failed = true;
		return;
	}
	b->data = p;
	b->cap = want;
}

static void
buf_add(struct buf *b, const char *s, size_t len)
{
	buf_grow(b, len);
	if (b->failed)
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends the base64 of in[0..len), without line breaks. */
static void
buf_base64(struct buf *b, const unsigned char *in, size_t len)
{
	char quad[4];
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		quad[0] = b64[in[i] >> 2];
		quad[1] = b64[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		quad[2] = b64[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		quad[3] = b64[in[i + 2] & 63];
		buf_add(b, quad, 4);
	}
	if (len - i == 1) {
		quad[0] = b64[in[i] >> 2];
		quad[1] = b64[(in[i] & 3) << 4];
		quad[2] = quad[3] = '=';
		buf_add(b, quad, 4);
	} else if (len - i == 2) {
		quad[0] = b64[in[i] >> 2];
		quad[1] = b64[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		quad[2] = b64[(in[i + 1] & 15) << 2];
		quad[3] = '=';
		buf_add(b, quad, 4);
	}
}

/* A copy of text with every control character (CR and LF among them)
 * turned into a space and the ends trimmed: header values stay on their
 * line. NULL when out of memory. */
static char *
one_line(const char *text)
{
	char *s, *p;

	if ((s = strdup(text)) == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return str_trim(s);
}

/* True when text can stand in a header as it is: printable ASCII, short,
 * and nothing a reader could take for an encoded-word. */
static bool
plain_ascii(const char *text, size_t max)
{
	const char *p;

	if (strlen(text) > max || strstr(text, "=?") != NULL)
		return false;
	for (p = text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return false;
	return true;
}

/* Length of the longest prefix of s (at most max bytes, s[0..len)) that
 * does not split a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n;

	if (len <= max)
		return len;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n > 0 ? n : max;
}

/* Appends `Name: ` and text as encoded-words, one per line, folded with
 * CRLF SP; `tail` (may be NULL) follows the last word, on a line of its
 * own when it would not fit. */
static void
header_encoded(struct buf *b, const char *name, const char *text,
    const char *tail)
{
	size_t len = strlen(text), off = 0, n, line;

	buf_str(b, name);
	buf_str(b, ": ");
	line = strlen(name) + 2;
	if (len == 0) {
		buf_str(b, "=?UTF-8?B?" "?=");
		line += 12;
	}
	while (off < len) {
		n = utf8_cut(text + off, len - off, WORD_BYTES);
		if (off > 0) {
			buf_str(b, "\r\n ");
			line = 1;
		}
		buf_str(b, "=?UTF-8?B?");
		buf_base64(b, (const unsigned char *)text + off, n);
		buf_str(b, "?=");
		line += 12 + (n + 2) / 3 * 4;
		off += n;
	}
	if (tail != NULL) {
		if (line + 1 + strlen(tail) > LINE_MAX_LEN)
			buf_str(b, "\r\n ");
		else
			buf_str(b, " ");
		buf_str(b, tail);
	}
	buf_str(b, "\r\n");
}

/* Appends a display name as a quoted-string (\ and " escaped). */
static void
quoted(struct buf *b, const char *text)
{
	const char *p;

	buf_str(b, "\"");
	for (p = text; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_str(b, "\\");
		buf_add(b, p, 1);
	}
	buf_str(b, "\"");
}

/* A conservative addr-spec: local@domain in printable ASCII without
 * spaces, angle brackets, quotes, commas or semicolons; up to 254 bytes. */
static bool
addr_ok(const char *a)
{
	const char *at, *p;

	if (a == NULL || strlen(a) > 254 || (at = strchr(a, '@')) == NULL ||
	    at == a || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	for (p = a; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || strchr("<>()[]\\,;:\"", c) != NULL)
			return false;
	}
	return true;
}

const char *
mime_domain(const char *addr)
{
	const char *at;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL || at[1] == '\0')
		return "localhost";
	return at + 1;
}

/* RFC 5322 date in UTC, independent of the locale. */
static void
rfc5322_date(char *out, size_t outlen, time_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The body in canonical form: every line end CRLF, ending with one. */
static char *
crlf_text(const char *text, size_t *outlen)
{
	struct buf b = { 0 };
	const char *p;

	for (p = text; *p != '\0'; p++) {
		if (*p == '\r') {
			if (p[1] == '\n')
				p++;
			buf_str(&b, "\r\n");
		} else if (*p == '\n')
			buf_str(&b, "\r\n");
		else
			buf_add(&b, p, 1);
	}
	if (b.len == 0 || b.data[b.len - 1] != '\n')
		buf_str(&b, "\r\n");
	if (b.failed) {
		free(b.data);
		return NULL;
	}
	*outlen = b.len;
	return b.data;
}

enum err
mime_build(const struct mime_message *m, char **out)
{
	struct buf b = { 0 }, enc = { 0 };
	char *name = NULL, *subject = NULL, *body = NULL, date[64], *angle;
	size_t body_len = 0, i;
	enum err rc = ERR_NOMEM;

	*out = NULL;
	if (!addr_ok(m->from_addr) || !addr_ok(m->to_addr) ||
	    !addr_ok(m->message_id) ||
	    !str_utf8_valid(m->from_name, strlen(m->from_name)) ||
	    !str_utf8_valid(m->subject, strlen(m->subject)) ||
	    !str_utf8_valid(m->body, strlen(m->body)))
		return ERR_INVALID;
	if ((name = one_line(m->from_name)) == NULL ||
	    (subject = one_line(m->subject)) == NULL ||
	    (body = crlf_text(m->body, &body_len)) == NULL)
		goto out;

	/* From: a plain name as a quoted-string, any other as encoded-words
	 * (which RFC 2047 forbids inside quotes). */
	if (asprintf(&angle, "<%s>", m->from_addr) < 0)
		goto out;
	if (*name == '\0') {
		buf_str(&b, "From: ");
		buf_str(&b, angle);
		buf_str(&b, "\r\n");
	} else if (plain_ascii(name, 40)) {
		buf_str(&b, "From: ");
		quoted(&b, name);
		buf_str(&b, " ");
		buf_str(&b, angle);
		buf_str(&b, "\r\n");
	} else
		header_encoded(&b, "From", name, angle);
	free(angle);

	buf_str(&b, "To: <");
	buf_str(&b, m->to_addr);
	buf_str(&b, ">\r\n");
	if (plain_ascii(subject, LINE_MAX_LEN - 9) && *subject != '\0') {
		buf_str(&b, "Subject: ");
		buf_str(&b, subject);
		buf_str(&b, "\r\n");
	} else
		header_encoded(&b, "Subject", subject, NULL);
	rfc5322_date(date, sizeof(date), m->date);
	buf_str(&b, "Date: ");
	buf_str(&b, date);
	buf_str(&b, "\r\nMessage-ID: <");
	buf_str(&b, m->message_id);
	buf_str(&b, ">\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n");

	/* The body: base64 in lines of 76. */
	buf_base64(&enc, (const unsigned char *)body, body_len);
	for (i = 0; i < enc.len; i += LINE_MAX_LEN) {
		size_t n = enc.len - i < LINE_MAX_LEN ? enc.len - i : LINE_MAX_LEN;

		buf_add(&b, enc.data + i, n);
		buf_str(&b, "\r\n");
	}
	if (enc.failed || b.failed)
		goto out;
	*out = b.data;
	b.data = NULL;
	rc = ERR_OK;
out:
	free(b.data);
	free(enc.data);
	free(name);
	free(subject);
	free(body);
	return rc;
}
