/*
 * contacts.h - phone numbers and email addresses as patients type them.
 */
#ifndef PORTAL_CONTACTS_H
#define PORTAL_CONTACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "phone.h"	/* PHONE_E164_MAX */

#define PHONE_E164_MIN 8	/* '+' and at least 7 digits, as the schema's
				 * CHECKs have it */

/*
 * Reads a phone number in any usual form ("+90 532 123 45 67",
 * "0532 123 45 67", "00905321234567", "(0532) 123-4567", "+44 (0)20 7946
 * 0958") and writes it in E.164 into out (PHONE_E164_MAX + 1 bytes;
 * untouched when false). National forms are read by the numbering plan of
 * country, the clinic's (ISO 3166 alpha-2: "030 1234567" in "DE" is
 * +49301234567); with country NULL only "+..." and "00..." are read. The
 * number must be valid by its plan (libphonenumber, phone.h), of 7 to 15
 * digits, and typed with digits, spaces and "+-()./" only (a '+' once,
 * first), in at most PHONE_TEXT_MAX bytes. False when the text is not
 * such a number.
 */
bool contact_phone_e164(const char *text, const char *country, char *out);

/*
 * True when e164 (contact_phone_e164()'s form) is a number an SMS can
 * reach: a mobile, a number whose plan does not tell mobile from fixed
 * line (the US, Canada), or a personal number (forwarded to the person's
 * phone). False for a fixed line, toll-free, premium-rate, shared-cost,
 * UAN, voicemail, pager or VoIP number (an SMS to a VoIP number may or may
 * not arrive; a one-time code must), and for NULL or anything not valid.
 * Turkey's and Germany's plans tell mobile from fixed line.
 */
bool contact_phone_sms_capable(const char *e164);

/* True for a plausible email address: one '@', a local part, a dotted
 * domain, no spaces or control characters, at most 254 bytes. */
bool contact_email_valid(const char *text);

/* True when text looks like a phone number rather than a name or email
 * (digits, spaces, + - ( ) . only, and at least 4 digits). */
bool contact_looks_like_phone(const char *text);

#endif
