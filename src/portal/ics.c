/*
 * ics.c - an appointment as RFC 5545 iCalendar (see ics.h).
 */
#include "config.h"

#include <string.h>

#include "arena.h"
#include "ics.h"

#define FOLD_AT 75

/* A growing output buffer in the arena. */
struct out {
	struct arena *a;
	char *buf;
	size_t len, cap;
	int failed;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 512;
		char *nb;

		while (o->len + n + 1 > cap)
			cap *= 2;
		if ((nb = arena_alloc(o->a, cap)) == NULL) {
			o->failed = 1;
			return;
		}
		if (o->len)
			memcpy(nb, o->buf, o->len);
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma,
 * newline; other control characters are dropped. */
static char *
escape(struct arena *a, const char *s)
{
	size_t n = 0;
	char *e, *p;

	for (const char *q = s; *q; q++)
		n += (*q == '\\' || *q == ';' || *q == ',' || *q == '\n') ? 2 : 1;
	if ((e = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	for (p = e; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == ';' || c == ',') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else if (c >= 0x20 && c != 0x7f) {
			*p++ = (char)c;
		}
	}
	*p = '\0';
	return e;
}

/* Writes one content line "name:value", folded so that no line exceeds
 * 75 octets (a continuation starts with a space, which counts), never
 * inside a UTF-8 sequence. */
static void
line(struct out *o, const char *name, const char *value)
{
	size_t used = 0, n;
	const char *parts[3] = { name, ":", value };

	for (int i = 0; i < 3; i++) {
		const char *s = parts[i];

		while (*s) {
			/* One UTF-8 character: its lead byte and continuations. */
			n = 1;
			while ((s[n] & 0xC0) == 0x80)
				n++;
			if (used + n > FOLD_AT) {
				put(o, "\r\n ", 3);
				used = 1;
			}
			put(o, s, n);
			used += n;
			s += n;
		}
	}
	put(o, "\r\n", 2);
}

char *
ics_render(struct arena *a, const struct ics_event *e, size_t *len)
{
	struct out o = { a, NULL, 0, 0, 0 };
	const char *summary = escape(a, e->summary ? e->summary : ""),
	    *location = e->location ? escape(a, e->location) : NULL,
	    *description = e->description ? escape(a, e->description) : NULL;

	if (summary == NULL || (e->location && location == NULL) ||
	    (e->description && description == NULL))
		return NULL;
	line(&o, "BEGIN", "VCALENDAR");
	line(&o, "VERSION", "2.0");
	line(&o, "PRODID", "-//Patient Portal//Appointments//EN");
	line(&o, "CALSCALE", "GREGORIAN");
	line(&o, "METHOD", "PUBLISH");
	line(&o, "BEGIN", "VEVENT");
	line(&o, "UID", e->uid);
	line(&o, "DTSTAMP", e->dtstamp);
	line(&o, "DTSTART", e->dtstart);
	line(&o, "DTEND", e->dtend);
	line(&o, "SUMMARY", summary);
	if (location != NULL)
		line(&o, "LOCATION", location);
	if (description != NULL)
		line(&o, "DESCRIPTION", description);
	if (e->status != NULL)
		line(&o, "STATUS", e->status);
	line(&o, "END", "VEVENT");
	line(&o, "END", "VCALENDAR");
	if (o.failed)
		return NULL;
	*len = o.len;
	return o.buf;
}
