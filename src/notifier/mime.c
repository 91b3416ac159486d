/*
 * mime.c - builds the email the notifier hands to libesmtp (see
 * notifier.h). libesmtp sends what it is given, so the message carries
 * its own MIME headers; GMime writes them: RFC 2047 encoded-words (UTF-8)
 * for the subject and the sender's display name, folding, the RFC 5322
 * date, and a base64 UTF-8 text body, all with CRLF line ends. What GMime
 * does not decide stays here: which addresses are acceptable, control
 * characters out of header values, the Message-ID derived from the outbox
 * id, and wiping the copies of the body we own. Pure: no I/O, no clock
 * (the caller passes the date), so it is unit tested on its own.
 */
#include "config.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>
#include <sodium.h>

#include "notifier.h"
#include "str.h"

/* Bytes of text per encoded-word when we encode a value ourselves (see
 * header_text()): 52 base64 characters, 64 with "=?UTF-8?B?" and "?=",
 * so "Subject: " and one word fit in 76. */
#define WORD_BYTES 39
/* A word (a run without white space) longer than this is not left to
 * GMime: it writes one up to 77 bytes long as it is, past the 78 of a
 * line with "Subject: " before it, and splits a longer one into
 * encoded-words of 77 bytes, past RFC 2047's 75. */
#define LONG_WORD 60

/* How many mime_init() calls are not yet matched by mime_shutdown(). */
static unsigned int mime_users;

void
mime_init(void)
{
	/* GMime counts nested inits itself; the count here is for the
	 * assertion in mime_build(). */
	g_mime_init();
	mime_users++;
}

void
mime_shutdown(void)
{
	if (mime_users == 0)
		return;
	mime_users--;
	g_mime_shutdown();
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

/* True when text has a word longer than LONG_WORD bytes. */
static bool
has_long_word(const char *text)
{
	size_t run = 0;

	for (; *text != '\0'; text++) {
		run = *text == ' ' ? 0 : run + 1;
		if (run > LONG_WORD)
			return true;
	}
	return false;
}

/*
 * The value of a subject or display name to give GMime. GMime encodes
 * what needs encoding, but two kinds of text it gets wrong: text that
 * looks like an encoded-word ("=?UTF-8?B?SGk=?=") it takes for one
 * already made and writes as it is, so a reader would decode a subject
 * or clinic name that merely contains one; and long words (LONG_WORD).
 * Such a value is handed over as UTF-8 base64 encoded-words of our own,
 * which GMime keeps as they are and folds between. Anything else goes as
 * the text itself. Free with g_free().
 */
static char *
header_text(const char *text)
{
	size_t len = strlen(text), off = 0, n;
	GString *s;

	if (strstr(text, "=?") == NULL && !has_long_word(text))
		return g_strdup(text);
	s = g_string_sized_new(len * 2 + 16);
	while (off < len) {
		/* Base64 of WORD_BYTES fits comfortably in this. */
		unsigned char word[GMIME_BASE64_ENCODE_LEN(WORD_BYTES) + 1];
		int state = 0;
		guint32 save = 0;
		size_t wlen, i;

		n = utf8_cut(text + off, len - off, WORD_BYTES);
		wlen = g_mime_encoding_base64_encode_close(
		    (const unsigned char *)text + off, n, word, &state, &save);
		if (off > 0)
			g_string_append_c(s, ' ');
		g_string_append(s, "=?UTF-8?B?");
		/* The encoder ends its output with a line break. */
		for (i = 0; i < wlen; i++)
			if (word[i] != '\n' && word[i] != '\r')
				g_string_append_c(s, (char)word[i]);
		g_string_append(s, "?=");
		off += n;
	}
	return g_string_free(s, FALSE);
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

/* The body in canonical form (RFC 2045: text is encoded with CRLF line
 * ends): every line end CRLF, ending with one. Sized up front so that it
 * never moves (and leaves no copy of the body behind); NULL when the body
 * is too large for a GByteArray. */
static GByteArray *
crlf_body(const char *text)
{
	size_t len = strlen(text);
	GByteArray *b;
	const char *p;

	/* At worst every byte is a line end and doubles, plus the last. */
	if (len > (G_MAXUINT - 2) / 2)
		return NULL;
	b = g_byte_array_sized_new((guint)(len * 2 + 2));
	for (p = text; *p != '\0'; p++) {
		if (*p == '\r') {
			if (p[1] == '\n')
				p++;
			g_byte_array_append(b, (const guint8 *)"\r\n", 2);
		} else if (*p == '\n')
			g_byte_array_append(b, (const guint8 *)"\r\n", 2);
		else
			g_byte_array_append(b, (const guint8 *)p, 1);
	}
	if (b->len == 0 || b->data[b->len - 1] != '\n')
		g_byte_array_append(b, (const guint8 *)"\r\n", 2);
	return b;
}

static void
wipe_free(GByteArray *b)
{
	if (b == NULL)
		return;
	if (b->len > 0)
		sodium_memzero(b->data, b->len);
	g_byte_array_free(b, TRUE);
}

enum err
mime_build(const struct mime_message *m, char **out)
{
	GMimeMessage *msg = NULL;
	GMimePart *part = NULL;
	GMimeStream *content = NULL, *sink = NULL;
	GMimeDataWrapper *wrapper = NULL;
	GMimeFormatOptions *format = NULL;
	InternetAddress *from = NULL;
	GDateTime *date = NULL;
	GByteArray *body = NULL, *text = NULL;
	char *name = NULL, *subject = NULL, *name_value = NULL,
	    *subject_value = NULL, *angle = NULL;
	size_t estimate;
	enum err rc = ERR_NOMEM;

	assert(mime_users > 0);
	*out = NULL;
	if (!addr_ok(m->from_addr) || !addr_ok(m->to_addr) ||
	    !addr_ok(m->message_id) ||
	    !str_utf8_valid(m->from_name, strlen(m->from_name)) ||
	    !str_utf8_valid(m->subject, strlen(m->subject)) ||
	    !str_utf8_valid(m->body, strlen(m->body)))
		return ERR_INVALID;
	if ((date = g_date_time_new_from_unix_utc((gint64)m->date)) == NULL) {
		rc = ERR_INVALID;
		goto out;
	}
	if ((name = one_line(m->from_name)) == NULL ||
	    (subject = one_line(m->subject)) == NULL)
		goto out;
	if ((body = crlf_body(m->body)) == NULL) {
		rc = ERR_INVALID;
		goto out;
	}

	/* Headers in the order they are set; GMime adds MIME-Version when
	 * the body is attached, and the body's Content-* headers follow. The
	 * charset is named, else GMime would pick a legacy one (ISO-8859-9
	 * for Turkish) for the display name. */
	msg = g_mime_message_new(FALSE);
	name_value = header_text(name);
	from = internet_address_mailbox_new(name_value, m->from_addr);
	internet_address_set_charset(from, "UTF-8");
	internet_address_list_add(g_mime_message_get_from(msg), from);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, m->to_addr);
	subject_value = header_text(subject);
	g_mime_object_set_header(GMIME_OBJECT(msg), "Subject", subject_value,
	    "UTF-8");
	g_mime_message_set_date(msg, date);
	angle = g_strdup_printf("<%s>", m->message_id);
	g_mime_object_set_header(GMIME_OBJECT(msg), "Message-ID", angle, NULL);
	g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted",
	    "auto-generated", NULL);

	/* The body: our CRLF text, UTF-8 as it is (g_mime_text_part_set_text
	 * would pick and convert to a charset of its choosing), base64. The
	 * stream does not own the array, so it can be wiped afterwards. */
	content = g_mime_stream_mem_new_with_byte_array(body);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(content), FALSE);
	wrapper = g_mime_data_wrapper_new_with_stream(content,
	    GMIME_CONTENT_ENCODING_DEFAULT);
	part = g_mime_part_new_with_type("text", "plain");
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
	    "UTF-8");
	g_mime_part_set_content(part, wrapper);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));

	/* Written into an array sized so that it does not move while it
	 * grows (base64 is 4/3 of the body, plus line ends; headers are
	 * small), so the only copy of the encoded body left is the one wiped
	 * below. */
	estimate = (size_t)body->len * 2 + strlen(name) * 4 +
	    strlen(subject) * 4 + 4096;
	if (estimate > G_MAXUINT) {
		rc = ERR_INVALID;
		goto out;
	}
	text = g_byte_array_sized_new((guint)estimate);
	sink = g_mime_stream_mem_new_with_byte_array(text);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(sink), FALSE);
	format = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_DOS);
	if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), format, sink) < 0)
		goto out;
	if ((*out = malloc((size_t)text->len + 1)) == NULL)
		goto out;
	memcpy(*out, text->data, text->len);
	(*out)[text->len] = '\0';
	rc = ERR_OK;
out:
	if (format != NULL)
		g_mime_format_options_free(format);
	if (sink != NULL)
		g_object_unref(sink);
	if (msg != NULL)
		g_object_unref(msg);
	if (part != NULL)
		g_object_unref(part);
	if (wrapper != NULL)
		g_object_unref(wrapper);
	if (content != NULL)
		g_object_unref(content);
	if (from != NULL)
		g_object_unref(from);
	if (date != NULL)
		g_date_time_unref(date);
	wipe_free(text);
	wipe_free(body);
	g_free(angle);
	g_free(name_value);
	g_free(subject_value);
	free(name);
	free(subject);
	return rc;
}
