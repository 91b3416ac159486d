/*
 * ics.h - one appointment as an iCalendar object (RFC 5545): a VCALENDAR
 * with one VEVENT, and with the clinic's VTIMEZONE when its zone is
 * given; CRLF line ends, text values escaped, content lines folded at 75
 * octets without splitting a UTF-8 character. Written with libical.
 */
#ifndef PORTAL_ICS_H
#define PORTAL_ICS_H

#include <stddef.h>

struct arena;

struct ics_event {
	const char *uid;		/* the appointment id */
	const char *dtstamp;		/* UTC, basic form: 20261201T073000Z */
	const char *dtstart, *dtend;	/* UTC, basic form */
	const char *summary, *location, *description;	/* text; may be NULL */
	const char *status;		/* "CONFIRMED" or "CANCELLED"; may be NULL */
	/* The clinic's IANA time zone ("Europe/Istanbul"), or NULL. When it
	 * is one the system's zone data knows, DTSTART and DTEND are written
	 * as its local time with TZID, and a VTIMEZONE for it (covering the
	 * event) is included; else they stay in UTC ("...Z"). */
	const char *tzid;
};

/* The calendar in the arena (*len bytes, NUL-terminated); NULL when out
 * of memory or when dtstamp, dtstart or dtend is not a UTC date-time in
 * the basic form. */
char *ics_render(struct arena *a, const struct ics_event *e, size_t *len);

#endif
