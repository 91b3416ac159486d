/*
 * ics.c - an appointment as RFC 5545 iCalendar (see ics.h), written with
 * libical: it escapes TEXT values, folds content lines at 75 octets on
 * UTF-8 boundaries, ends lines with CRLF, and knows the world's time zones
 * (from the system's zone data), so a calendar shows the appointment at
 * the clinic's wall-clock time with the clinic's VTIMEZONE. What libical
 * does not decide stays here: which properties an appointment has, and
 * control characters out of text (libical would write a tab as "\t",
 * which RFC 5545 does not define).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <libical/ical.h>

#include "arena.h"
#include "ics.h"

/* A copy of s in the arena without control characters but the newline
 * (which libical writes as "\n"); NULL when out of memory. */
static char *
clean_text(struct arena *a, const char *s)
{
	char *out, *p;

	if ((out = arena_alloc(a, strlen(s) + 1)) == NULL)
		return NULL;
	for (p = out; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			*p++ = *s;
		else if (*s == '\n')
			*p++ = '\n';
	*p = '\0';
	return out;
}

/* Parses a UTC date-time in the basic form (20261201T073000Z). libical's
 * parser takes a month 13 or a 25th hour as they come, so the fields are
 * checked here. */
static bool
utc_time(const char *s, struct icaltimetype *t)
{
	if (s == NULL || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z' ||
	    strspn(s, "0123456789") != 8 || strspn(s + 9, "0123456789") != 6)
		return false;
	*t = icaltime_from_string(s);
	return !icaltime_is_null_time(*t) && !icaltime_is_date(*t) &&
	    icaltime_is_utc(*t) && t->year >= 1970 && t->month >= 1 &&
	    t->month <= 12 && t->day >= 1 &&
	    t->day <= icaltime_days_in_month(t->month, t->year) &&
	    t->hour <= 23 && t->minute <= 59 && t->second <= 59;
}

/* Adds p to c; false (and nothing added) when p is NULL, which is how
 * libical reports that it ran out of memory. */
static bool
add(icalcomponent *c, icalproperty *p)
{
	if (p == NULL)
		return false;
	icalcomponent_add_property(c, p);
	return true;
}

/* A TEXT property made from s (cleaned), or NULL when out of memory. */
static icalproperty *
text_property(struct arena *a, icalproperty *(*make)(const char *),
    const char *s)
{
	const char *text = clean_text(a, s);

	return text != NULL ? make(text) : NULL;
}

/* DTSTART or DTEND: the local time in zone with TZID, or UTC when zone is
 * NULL. */
static icalproperty *
time_property(icalproperty *(*make)(struct icaltimetype),
    struct icaltimetype utc, icaltimezone *zone, const char *tzid)
{
	icalproperty *p;
	icalparameter *param;

	if (zone == NULL)
		return make(utc);
	if ((p = make(icaltime_convert_to_zone(utc, zone))) == NULL)
		return NULL;
	if ((param = icalparameter_new_tzid(tzid)) == NULL) {
		icalproperty_free(p);
		return NULL;
	}
	icalproperty_add_parameter(p, param);
	return p;
}

/* The zone's VTIMEZONE, cut to the observances that cover [start, end]
 * (the zone's whole history would be hundreds of lines), under the
 * plain IANA name (libical's own carries a prefix of its project). NULL
 * when out of memory. */
static icalcomponent *
vtimezone(icaltimezone *zone, const char *tzid, struct icaltimetype start,
    struct icaltimetype end)
{
	icalcomponent *vtz;
	icalproperty *p;

	if ((vtz = icalcomponent_new_clone(icaltimezone_get_component(zone))) ==
	    NULL)
		return NULL;
	icaltimezone_truncate_vtimezone(vtz, start, end, 0);
	if ((p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY)) !=
	    NULL)
		icalproperty_set_tzid(p, tzid);
	else if (!add(vtz, icalproperty_new_tzid(tzid))) {
		icalcomponent_free(vtz);
		return NULL;
	}
	return vtz;
}

char *
ics_render(struct arena *a, const struct ics_event *e, size_t *len)
{
	icalcomponent *cal = NULL, *event = NULL, *vtz = NULL;
	icaltimezone *zone = NULL;
	struct icaltimetype stamp, start, end;
	char *text = NULL, *out = NULL;
	size_t n;
	bool ok;

	if (!utc_time(e->dtstamp, &stamp) || !utc_time(e->dtstart, &start) ||
	    !utc_time(e->dtend, &end))
		return NULL;
	/* An unknown zone (or none, or UTC itself) leaves the times in UTC,
	 * which is still the right moment. */
	if (e->tzid != NULL && *e->tzid != '\0' &&
	    (zone = icaltimezone_get_builtin_timezone(e->tzid)) ==
	    icaltimezone_get_utc_timezone())
		zone = NULL;

	if ((cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT)) == NULL ||
	    (event = icalcomponent_new(ICAL_VEVENT_COMPONENT)) == NULL)
		goto out;
	ok = add(cal, icalproperty_new_version("2.0")) &&
	    add(cal, icalproperty_new_prodid("-//Patient Portal//Appointments//EN")) &&
	    add(cal, icalproperty_new_calscale("GREGORIAN")) &&
	    add(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH)) &&
	    add(event, icalproperty_new_uid(e->uid)) &&
	    add(event, icalproperty_new_dtstamp(stamp)) &&
	    add(event, time_property(icalproperty_new_dtstart, start, zone,
	    e->tzid)) &&
	    add(event, time_property(icalproperty_new_dtend, end, zone,
	    e->tzid)) &&
	    add(event, text_property(a, icalproperty_new_summary,
	    e->summary != NULL ? e->summary : "")) &&
	    (e->location == NULL || add(event, text_property(a,
	    icalproperty_new_location, e->location))) &&
	    (e->description == NULL || add(event, text_property(a,
	    icalproperty_new_description, e->description))) &&
	    (e->status == NULL || add(event, icalproperty_new_status(
	    icalproperty_string_to_status(e->status))));
	if (!ok)
		goto out;
	if (zone != NULL) {
		if ((vtz = vtimezone(zone, e->tzid, start, end)) == NULL)
			goto out;
		icalcomponent_add_component(cal, vtz);
	}
	icalcomponent_add_component(cal, event);
	event = NULL;

	if ((text = icalcomponent_as_ical_string_r(cal)) == NULL)
		goto out;
	n = strlen(text);
	if ((out = arena_alloc(a, n + 1)) == NULL)
		goto out;
	memcpy(out, text, n + 1);
	*len = n;
out:
	if (text != NULL)
		icalmemory_free_buffer(text);
	if (event != NULL)
		icalcomponent_free(event);
	if (cal != NULL)
		icalcomponent_free(cal);
	return out;
}
