/* mime_test.c - unit tests of the notifier's email builder (mime_build()
 * in src/notifier/mime.c, written with GMime, declared in
 * include/notifier.h): Turkish text round trips through RFC 2047 (UTF-8
 * encoded-words only) and base64, long subjects fold into short
 * encoded-words, no line passes 78 bytes (RFC 5322 2.1.1), and CR/LF in a
 * clinic name or a subject cannot add a header. The decoder here is the
 * test's own, not GMime's, so the builder cannot agree with itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "notifier.h"

/* The headers of every message, in GMime's order: the message's own as
 * set, MIME-Version added with the body, then the body's. */
#define HEADER_NAMES "From To Subject Date Message-ID Auto-Submitted " \
	"MIME-Version Content-Type Content-Transfer-Encoding"

#define TR_SUBJECT "Randevu hatırlatması: Çağrı Öztürk için İŞLEM günü"
#define TR_BODY "Merhaba Ayşe Gül,\nyarın saat 10:00'da randevunuz var.\n" \
	"Özel karakterler: ğüşıöç ĞÜŞİÖÇ €\n\nSimple Dent"

static struct mime_message
sample(void)
{
	struct mime_message m = {
		.from_name = "Simple Dent",
		.from_addr = "portal@clinic.example",
		.to_addr = "ayse@example.com",
		.subject = "Hello",
		.body = "Hi",
		.message_id = "0b7e2c1e-3f55-4c1a-9d0a-1c2f0e6b9a10@clinic.example",
		.date = 0,
	};
	return m;
}

static int
b64val(char c)
{
	const char *s = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(s, c);

	return c != '\0' && p != NULL ? (int)(p - s) : -1;
}

/* Decodes base64 (ignoring CR, LF) into a new string. */
static char *
unbase64(const char *in, size_t len)
{
	char *out = calloc(len + 1, 1);
	size_t o = 0, i;
	unsigned acc = 0;
	int bits = 0, v;

	assert_non_null(out);
	for (i = 0; i < len; i++) {
		if (in[i] == '\r' || in[i] == '\n' || in[i] == '=')
			continue;
		v = b64val(in[i]);
		assert_true(v >= 0);
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return out;
}

static int
hexval(char c)
{
	const char *s = "0123456789ABCDEF", *p;

	p = c != '\0' ? strchr(s, c >= 'a' && c <= 'f' ? c - 32 : c) : NULL;
	return p != NULL ? (int)(p - s) : -1;
}

/* Decodes quoted-printable as RFC 2047 "Q" does ('_' is a space); an '='
 * not followed by two hex digits stands for itself. */
static char *
unq(const char *in, size_t len)
{
	char *out = calloc(len + 1, 1);
	size_t o = 0, i;

	assert_non_null(out);
	for (i = 0; i < len; i++) {
		if (in[i] == '_')
			out[o++] = ' ';
		else if (in[i] == '=' && i + 2 < len && hexval(in[i + 1]) >= 0 &&
		    hexval(in[i + 2]) >= 0) {
			out[o++] = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
			i += 2;
		} else
			out[o++] = in[i];
	}
	out[o] = '\0';
	return out;
}

/* If p starts an RFC 2047 encoded-word (=?charset?B|Q?text?=), its length,
 * else 0. The charset must be UTF-8 (or US-ASCII, for text that is
 * ASCII): the Turkish text must arrive as UTF-8. *dec gets the decoded
 * text. */
static size_t
encoded_word(const char *p, char **dec)
{
	const char *cs, *q, *text, *close;
	char enc;

	if (strncmp(p, "=?", 2) != 0)
		return 0;
	cs = p + 2;
	if ((q = strchr(cs, '?')) == NULL || (q[1] != 'B' && q[1] != 'b' &&
	    q[1] != 'Q' && q[1] != 'q') || q[2] != '?')
		return 0;
	enc = q[1];
	text = q + 3;
	if ((close = strstr(text, "?=")) == NULL ||
	    memchr(text, ' ', (size_t)(close - text)) != NULL ||
	    memchr(text, '\r', (size_t)(close - text)) != NULL)
		return 0;
	if (!((q - cs == 5 && strncasecmp(cs, "UTF-8", 5) == 0) ||
	    (q - cs == 8 && strncasecmp(cs, "US-ASCII", 8) == 0)))
		fail_msg("encoded-word in charset %.*s", (int)(q - cs), cs);
	*dec = enc == 'B' || enc == 'b' ? unbase64(text, (size_t)(close - text)) :
	    unq(text, (size_t)(close - text));
	return (size_t)(close + 2 - p);
}

/* Decodes an unfolded header value: encoded-words (delimited by white
 * space, RFC 2047 section 5) are decoded, white space between two
 * adjacent ones goes, any other stays; leading and trailing white space is
 * not part of the value. In a phrase (an address header), a quoted-string
 * is taken literally, its quotes and backslashes removed, and never
 * decoded (RFC 2047 section 5 (3)). */
static char *
decode_value(const char *raw, bool phrase)
{
	char *out = calloc(strlen(raw) + 1, 1);
	const char *r = raw;
	size_t o = 0, pending = 0;
	bool after_word = false;

	assert_non_null(out);
	while (*r == ' ' || *r == '\t')
		r++;
	while (*r != '\0') {
		char *dec = NULL;
		size_t n = 0;

		if (*r == ' ' || *r == '\t') {
			pending++;
			r++;
			continue;
		}
		if ((r == raw || r[-1] == ' ' || r[-1] == '\t') &&
		    (n = encoded_word(r, &dec)) > 0 &&
		    r[n] != '\0' && r[n] != ' ' && r[n] != '\t') {
			free(dec);
			n = 0;
		}
		if (!(n > 0 && after_word))
			for (; pending > 0; pending--)
				out[o++] = ' ';
		pending = 0;
		after_word = n > 0;
		if (n > 0) {
			memcpy(out + o, dec, strlen(dec));
			o += strlen(dec);
			free(dec);
			r += n;
		} else if (phrase && *r == '"') {
			for (r++; *r != '\0' && *r != '"'; r++) {
				if (*r == '\\' && r[1] != '\0')
					r++;
				out[o++] = *r;
			}
			assert_true(*r == '"');
			r++;
		} else
			out[o++] = *r++;
	}
	out[o] = '\0';
	return out;
}

/* The value of header `name` unfolded (RFC 5322: CRLF before white space
 * goes) and decoded by decode_value(), or NULL. */
static char *
header_value(const char *msg, const char *name, bool phrase)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg;
	size_t nlen = strlen(name);

	assert_non_null(end);
	while (p < end) {
		const char *eol = strstr(p, "\r\n");

		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			char *raw = calloc(strlen(msg) + 1, 1), *out, *r = raw;
			const char *v;

			assert_non_null(raw);
			for (v = p + nlen + 1; v < end + 2; v++) {
				if (v[0] == '\r' && v[1] == '\n') {
					if (v[2] != ' ' && v[2] != '\t')
						break;
					v++;
					continue;
				}
				*r++ = *v;
			}
			out = decode_value(raw, phrase);
			free(raw);
			return out;
		}
		p = eol + 2;
	}
	return NULL;
}

/* Subject and other unstructured headers. */
static char *
header(const char *msg, const char *name)
{
	return header_value(msg, name, false);
}

/* From, To: display names may be quoted-strings. */
static char *
address_header(const char *msg, const char *name)
{
	return header_value(msg, name, true);
}

static char *
body(const char *msg)
{
	const char *start = strstr(msg, "\r\n\r\n") + 4;

	return unbase64(start, strlen(start));
}

/* Every line ends in CRLF and is at most max bytes long. RFC 5322 2.1.1
 * asks for 78 at most; GMime folds headers to that, base64 lines are 76. */
#define LINE_LIMIT 78
static void
assert_lines(const char *msg, size_t max)
{
	const char *p = msg;

	while (*p != '\0') {
		const char *eol = strstr(p, "\r\n");

		assert_non_null(eol);
		assert_null(memchr(p, '\n', (size_t)(eol - p)));
		assert_null(memchr(p, '\r', (size_t)(eol - p)));
		if ((size_t)(eol - p) > max)
			fail_msg("line of %zu bytes: %.*s", (size_t)(eol - p),
			    (int)(eol - p), p);
		p = eol + 2;
	}
}

/* Header names in order, joined by spaces. */
static void
header_names(const char *msg, char *out, size_t outlen)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg;

	out[0] = '\0';
	while (p < end) {
		const char *colon = strchr(p, ':'), *eol = strstr(p, "\r\n");

		if (*p != ' ' && *p != '\t') {
			assert_true(colon != NULL && colon < eol);
			if (out[0] != '\0')
				strncat(out, " ", outlen - strlen(out) - 1);
			strncat(out, p, (size_t)(colon - p) < outlen - strlen(out) - 1 ?
			    (size_t)(colon - p) : outlen - strlen(out) - 1);
		}
		p = eol + 2;
	}
}

static void
test_headers(void **state)
{
	struct mime_message m = sample();
	char *msg, *v, names[512];

	(void)state;
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	header_names(msg, names, sizeof(names));
	assert_string_equal(names, HEADER_NAMES);
	/* A plain name needs no quotes (RFC 5322 phrase of atoms). */
	assert_non_null(strstr(msg, "From: Simple Dent <portal@clinic.example>\r\n"));
	assert_non_null(strstr(msg, "To: ayse@example.com\r\n"));
	assert_non_null(strstr(msg, "Subject: Hello\r\n"));
	assert_non_null(strstr(msg, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
	assert_non_null(strstr(msg, "Message-ID: <0b7e2c1e-3f55-4c1a-9d0a-"
	    "1c2f0e6b9a10@clinic.example>\r\n"));
	assert_non_null(strstr(msg, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n"));
	assert_non_null(strstr(msg, "Content-Transfer-Encoding: base64\r\n"));
	v = body(msg);
	assert_string_equal(v, "Hi\r\n");
	free(v);
	assert_lines(msg, LINE_LIMIT);
	free(msg);
}

static void
test_turkish_round_trip(void **state)
{
	struct mime_message m = sample();
	char *msg, *v;

	(void)state;
	m.from_name = "Diş Kliniği Çamlıca";
	m.subject = TR_SUBJECT;
	m.body = TR_BODY;
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	/* Nothing but ASCII goes on the wire. */
	for (v = msg; *v != '\0'; v++)
		assert_true((unsigned char)*v < 0x80);
	v = header(msg, "Subject");
	assert_string_equal(v, TR_SUBJECT);
	free(v);
	v = address_header(msg, "From");
	assert_string_equal(v, "Diş Kliniği Çamlıca <portal@clinic.example>");
	free(v);
	v = body(msg);
	assert_string_equal(v, "Merhaba Ayşe Gül,\r\nyarın saat 10:00'da "
	    "randevunuz var.\r\nÖzel karakterler: ğüşıöç ĞÜŞİÖÇ €\r\n\r\n"
	    "Simple Dent\r\n");
	free(v);
	assert_lines(msg, LINE_LIMIT);
	free(msg);
}

static void
test_long_subject_folds(void **state)
{
	struct mime_message m = sample();
	char subject[2048] = "", *msg, *v, *p, *big;
	int i, words;

	(void)state;
	for (i = 0; i < 20; i++)
		strcat(subject, "Güncel ödeme bilgileriniz İçin ");
	strcat(subject, "son");
	m.subject = subject;
	/* A long body, too: base64 lines of 76. */
	big = malloc(20001);
	assert_non_null(big);
	for (i = 0; i < 20000; i++)
		big[i] = i % 61 == 60 ? '\n' : 'a';
	big[20000] = '\0';
	m.body = big;
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	assert_lines(msg, LINE_LIMIT);
	/* Each encoded-word is at most 75 bytes (RFC 2047), and there are
	 * some (the subject is not ASCII). */
	words = 0;
	for (p = strstr(msg, "=?"); p != NULL; p = strstr(p, "=?")) {
		char *dec;
		size_t n = encoded_word(p, &dec);

		assert_true(n > 0);
		assert_true(n <= 75);
		free(dec);
		words++;
		p += n;
	}
	assert_true(words > 1);
	v = header(msg, "Subject");
	assert_string_equal(v, subject);
	free(v);
	v = body(msg);
	/* Each LF became CRLF, and a final CRLF was added. */
	assert_int_equal(strlen(v), 20000 + 20000 / 61 + 2);
	free(v);
	free(big);
	free(msg);
}

static void
test_ascii_subject_with_encoded_word_lookalike(void **state)
{
	struct mime_message m = sample();
	char *msg, *v;

	(void)state;
	m.subject = "Price =?UTF-8?B?SGk=?= list";
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	v = header(msg, "Subject");
	assert_string_equal(v, "Price =?UTF-8?B?SGk=?= list");
	free(v);
	assert_lines(msg, LINE_LIMIT);
	free(msg);

	/* Long, and Turkish too: still read back as written. */
	m.subject = "Fiyat listesi =?UTF-8?B?SGk=?= ve =?utf-8?q?x?= güncel "
	    "ödeme bilgileriniz için tıklayın, Çarşamba günü geçerlidir";
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	v = header(msg, "Subject");
	assert_string_equal(v, m.subject);
	free(v);
	assert_lines(msg, LINE_LIMIT);
	free(msg);
}

static void
test_display_name_with_encoded_word_lookalike(void **state)
{
	struct mime_message m = sample();
	char *msg, *v;

	(void)state;
	/* ASCII: a quoted-string, inside which nothing is decoded. */
	m.from_name = "Dent =?UTF-8?B?SGk=?= Clinic";
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	v = address_header(msg, "From");
	assert_string_equal(v, "Dent =?UTF-8?B?SGk=?= Clinic <portal@clinic.example>");
	free(v);
	free(msg);

	/* Turkish: encoded-words that decode to the lookalike itself. */
	m.from_name = "Diş =?UTF-8?B?SGk=?= Kliniği";
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	v = address_header(msg, "From");
	assert_string_equal(v, "Diş =?UTF-8?B?SGk=?= Kliniği <portal@clinic.example>");
	free(v);
	free(msg);
}

static void
test_long_words_fold(void **state)
{
	static const size_t lengths[] = { 61, 69, 70, 77, 78, 120, 300 };
	static const char *const units[] = { "x", "ş" };
	struct mime_message m = sample();
	char subject[1024], name[1024], expect[1100], *msg, *v, *p;
	size_t i, u, k;

	(void)state;
	/* Words with no space to fold at (a link in a subject), plain and
	 * Turkish, at lengths around where a line or an encoded-word would
	 * pass its limit. */
	for (u = 0; u < 2; u++) {
		for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
			subject[0] = name[0] = '\0';
			for (k = 0; k < lengths[i]; k++) {
				strcat(subject, units[u]);
				strcat(name, units[u]);
			}
			strcat(subject, " son");
			m.subject = subject;
			m.from_name = name;
			assert_int_equal(mime_build(&m, &msg), ERR_OK);
			assert_lines(msg, LINE_LIMIT);
			for (p = strstr(msg, "=?"); p != NULL; p = strstr(p, "=?")) {
				size_t n = encoded_word(p, &v);

				assert_true(n > 0 && n <= 75);
				free(v);
				p += n;
			}
			v = header(msg, "Subject");
			assert_string_equal(v, subject);
			free(v);
			v = address_header(msg, "From");
			snprintf(expect, sizeof(expect), "%s <portal@clinic.example>",
			    name);
			assert_string_equal(v, expect);
			free(v);
			free(msg);
		}
	}
}

static void
test_header_injection_neutralised(void **state)
{
	struct mime_message m = sample();
	char *msg, *v, names[512];

	(void)state;
	m.from_name = "Evil Clinic\r\nBcc: victim@example.com";
	m.subject = "Hi\r\nBcc: other@example.com\r\n\r\nfake body";
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	header_names(msg, names, sizeof(names));
	assert_string_equal(names, HEADER_NAMES);
	assert_null(strstr(msg, "\r\nBcc:"));
	v = header(msg, "Subject");
	assert_null(strchr(v, '\r'));
	assert_null(strchr(v, '\n'));
	assert_string_equal(v, "Hi  Bcc: other@example.com    fake body");
	free(v);
	v = address_header(msg, "From");
	assert_null(strchr(v, '\n'));
	free(v);
	assert_lines(msg, LINE_LIMIT);
	free(msg);

	/* A lone LF, other controls and quotes in a plain name. */
	m.from_name = "Dr. \"Quote\" \\ Clinic\n";
	m.subject = "a\x01" "b\x7f" "c";
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	assert_non_null(strstr(msg, "From: \"Dr. \\\"Quote\\\" \\\\ Clinic\" <portal@"));
	assert_non_null(strstr(msg, "Subject: a b c\r\n"));
	free(msg);
}

static void
test_refuses_bad_addresses_and_text(void **state)
{
	static const char *const bad[] = {
		"ayse@example.com\r\nBcc: x@example.com", "<ayse@example.com>",
		"ayse @example.com", "ayse", "@example.com", "ayse@",
		"a,b@example.com", "a@b@example.com", "ayşe@example.com", "",
	};
	struct mime_message m;
	char *msg = (char *)1;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = sample();
		m.to_addr = bad[i];
		assert_int_equal(mime_build(&m, &msg), ERR_INVALID);
		assert_null(msg);
		m = sample();
		m.from_addr = bad[i];
		assert_int_equal(mime_build(&m, &msg), ERR_INVALID);
	}
	m = sample();
	m.message_id = "id>\r\nX-Evil: 1<@x";
	assert_int_equal(mime_build(&m, &msg), ERR_INVALID);
	m = sample();
	m.subject = "bad \xff utf-8";
	assert_int_equal(mime_build(&m, &msg), ERR_INVALID);
	m = sample();
	m.body = "bad \xc3";
	assert_int_equal(mime_build(&m, &msg), ERR_INVALID);
}

static void
test_empty_name_and_subject(void **state)
{
	struct mime_message m = sample();
	char *msg, *v;

	(void)state;
	m.from_name = "  ";
	m.subject = "";
	m.body = "";
	assert_int_equal(mime_build(&m, &msg), ERR_OK);
	assert_non_null(strstr(msg, "From: portal@clinic.example\r\n"));
	v = header(msg, "Subject");
	assert_string_equal(v, "");
	free(v);
	v = body(msg);
	assert_string_equal(v, "\r\n");
	free(v);
	free(msg);
}

static void
test_domain(void **state)
{
	(void)state;
	assert_string_equal(mime_domain("portal@clinic.example"), "clinic.example");
	assert_string_equal(mime_domain("portal"), "localhost");
	assert_string_equal(mime_domain("portal@"), "localhost");
	assert_string_equal(mime_domain(NULL), "localhost");
}

/* GMime once for the whole group, as deliver_new() does for the
 * notifier. */
static int
setup(void **state)
{
	(void)state;
	mime_init();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mime_shutdown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_turkish_round_trip),
		cmocka_unit_test(test_long_subject_folds),
		cmocka_unit_test(test_ascii_subject_with_encoded_word_lookalike),
		cmocka_unit_test(test_display_name_with_encoded_word_lookalike),
		cmocka_unit_test(test_long_words_fold),
		cmocka_unit_test(test_header_injection_neutralised),
		cmocka_unit_test(test_refuses_bad_addresses_and_text),
		cmocka_unit_test(test_empty_name_and_subject),
		cmocka_unit_test(test_domain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
