/* mime_test.c - unit tests of the notifier's email builder (mime_build()
 * in src/notifier/mime.c, declared in include/notifier.h): Turkish text
 * round trips through RFC 2047 and base64, long subjects fold into short
 * encoded-words, no line passes 76 bytes, and CR/LF in a clinic name or a
 * subject cannot add a header. The decoder here is the test's own. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notifier.h"

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

/* The value of header `name` (unfolded, encoded-words decoded), or NULL. */
static char *
header(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg;
	size_t nlen = strlen(name);
	char *out;

	assert_non_null(end);
	out = calloc(strlen(msg) + 1, 1);
	assert_non_null(out);
	while (p < end) {
		const char *eol = strstr(p, "\r\n");

		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			const char *v = p + nlen + 1;

			for (;;) {
				const char *e = strstr(v, "\r\n");

				while (*v == ' ')
					v++;
				while (v < e) {
					if (strncmp(v, "=?UTF-8?B?", 10) == 0) {
						const char *close = strstr(v + 10, "?=");
						char *dec = unbase64(v + 10,
						    (size_t)(close - v - 10));

						strcat(out, dec);
						free(dec);
						v = close + 2;
						/* Space between two words is dropped. */
						if (*v == ' ' && strncmp(v + 1, "=?", 2) == 0)
							v++;
					} else
						strncat(out, v++, 1);
				}
				if (e[2] != ' ' && e[2] != '\t')
					break;
				v = e + 2;
				/* Folding white space between words goes. */
				if (out[0] != '\0' && strncmp(v + 1, "=?", 2) != 0)
					strcat(out, " ");
			}
			return out;
		}
		p = eol + 2;
	}
	free(out);
	return NULL;
}

static char *
body(const char *msg)
{
	const char *start = strstr(msg, "\r\n\r\n") + 4;

	return unbase64(start, strlen(start));
}

/* Every line ends in CRLF and is at most max bytes long. */
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
	assert_string_equal(names, "From To Subject Date Message-ID MIME-Version "
	    "Content-Type Content-Transfer-Encoding Auto-Submitted");
	assert_non_null(strstr(msg, "From: \"Simple Dent\" <portal@clinic.example>\r\n"));
	assert_non_null(strstr(msg, "To: <ayse@example.com>\r\n"));
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
	assert_lines(msg, 76);
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
	v = header(msg, "From");
	assert_string_equal(v, "Diş Kliniği Çamlıca <portal@clinic.example>");
	free(v);
	v = body(msg);
	assert_string_equal(v, "Merhaba Ayşe Gül,\r\nyarın saat 10:00'da "
	    "randevunuz var.\r\nÖzel karakterler: ğüşıöç ĞÜŞİÖÇ €\r\n\r\n"
	    "Simple Dent\r\n");
	free(v);
	assert_lines(msg, 76);
	free(msg);
}

static void
test_long_subject_folds(void **state)
{
	struct mime_message m = sample();
	char subject[2048] = "", *msg, *v, *p, *big;
	int i;

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
	assert_lines(msg, 76);
	/* Each encoded-word is at most 75 bytes (RFC 2047). */
	for (p = strstr(msg, "=?UTF-8?B?"); p != NULL;
	    p = strstr(p + 2, "=?UTF-8?B?")) {
		char *close = strstr(p + 10, "?=");

		assert_non_null(close);
		assert_true(close + 2 - p <= 75);
		p = close;
	}
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
	free(msg);
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
	assert_string_equal(names, "From To Subject Date Message-ID MIME-Version "
	    "Content-Type Content-Transfer-Encoding Auto-Submitted");
	assert_null(strstr(msg, "\r\nBcc:"));
	v = header(msg, "Subject");
	assert_null(strchr(v, '\r'));
	assert_null(strchr(v, '\n'));
	assert_string_equal(v, "Hi  Bcc: other@example.com    fake body");
	free(v);
	v = header(msg, "From");
	assert_null(strchr(v, '\n'));
	free(v);
	assert_lines(msg, 76);
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
	assert_non_null(strstr(msg, "From: <portal@clinic.example>\r\n"));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_turkish_round_trip),
		cmocka_unit_test(test_long_subject_folds),
		cmocka_unit_test(test_ascii_subject_with_encoded_word_lookalike),
		cmocka_unit_test(test_header_injection_neutralised),
		cmocka_unit_test(test_refuses_bad_addresses_and_text),
		cmocka_unit_test(test_empty_name_and_subject),
		cmocka_unit_test(test_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
