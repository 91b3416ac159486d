/*
 * contacts.h - phone numbers and email addresses as patients type them.
 */
#ifndef PORTAL_CONTACTS_H
#define PORTAL_CONTACTS_H

#include <stdbool.h>
#include <stddef.h>

#define PHONE_E164_MAX 16	/* '+' and at most 15 digits */

/*
 * Reads a phone number in any usual form ("+90 555 123 45 67",
 * "0555 123 4567", "00905551234567", "(555) 123-4567") and writes it in
 * E.164 into out (PHONE_E164_MAX + 1 bytes). National numbers are read
 * with the clinic's country (ISO 3166 alpha-2); only TR has a national
 * plan here, other countries need the international form. False when the
 * text is not a phone number.
 */
bool contact_phone_e164(const char *text, const char *country, char *out);

/* True for a plausible email address: one '@', a local part, a dotted
 * domain, no spaces or control characters, at most 254 bytes. */
bool contact_email_valid(const char *text);

/* True when text looks like a phone number rather than a name or email
 * (digits, spaces, + - ( ) . only, and at least 4 digits). */
bool contact_looks_like_phone(const char *text);

#endif
