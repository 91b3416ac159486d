/*
 * phone.h - phone numbers read, checked and classified by libphonenumber
 * (Google's numbering plans, Debian's libphonenumber), behind a C
 * interface. phone.cc is the only C++ in the tree: it catches every
 * exception at this boundary and keeps nothing of the caller's. What
 * forms a patient may type, and which numbers may take an SMS, is
 * contacts.h's to say; this module only asks the plans.
 */
#ifndef PORTAL_PHONE_H
#define PORTAL_PHONE_H

#include "err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PHONE_E164_MAX 16	/* '+' and at most 15 digits */
#define PHONE_TEXT_MAX 40	/* the longest text phone_parse() reads */

/* What a number is, by its country's plan (libphonenumber's
 * PhoneNumberType). */
enum phone_type {
	PHONE_FIXED_LINE,
	PHONE_MOBILE,
	PHONE_FIXED_LINE_OR_MOBILE,	/* the plan cannot tell (US, CA, ...) */
	PHONE_TOLL_FREE,
	PHONE_PREMIUM_RATE,
	PHONE_SHARED_COST,
	PHONE_VOIP,
	PHONE_PERSONAL_NUMBER,
	PHONE_PAGER,
	PHONE_UAN,			/* a company's universal access number */
	PHONE_VOICEMAIL,
	PHONE_UNKNOWN,			/* valid, of no type the plan names */
	PHONE_TYPE__MAX
};

/*
 * Reads every country's numbering plan now (libphonenumber does it once
 * per process, on first use: some 15 to 50 ms), so that the first request
 * needing a phone number does not pay for it. ERR_OK; ERR_NOMEM when out
 * of memory (then the plans load on first use instead, or fail there).
 */
enum err phone_init(void);

/*
 * Reads text as a phone number, national forms by the plan of country (an
 * ISO 3166 alpha-2 code such as "TR" or "DE"; NULL or "" when there is
 * none, and then only the international forms "+..." and "00..." are
 * read; "00..." is read as international for any country, should its
 * plan not say so). The number must be valid by its plan, not merely of a
 * plausible length, and have no extension. On ERR_OK, out (PHONE_E164_MAX
 * + 1 bytes) holds it in E.164 ("+4930123456") and *type (when type is
 * not NULL) what it is. ERR_INVALID for anything else, text longer than
 * PHONE_TEXT_MAX bytes included (refused before it is parsed); ERR_NOMEM
 * when out of memory. out is not written unless ERR_OK.
 */
enum err phone_parse(const char *text, const char *country, char *out,
    enum phone_type *type);

/*
 * An example mobile number of country's plan, as its people write it
 * ("01512 3456789") into national and as the world does ("+49 1512
 * 3456789") into international, each PHONE_TEXT_MAX + 1 bytes: the hint
 * a form gives. ERR_NOT_FOUND when country is NULL or no plan's;
 * ERR_NOMEM when out of memory. Nothing is written unless ERR_OK.
 */
enum err phone_example(const char *country, char *national,
    char *international);

/*
 * The country of a number in E.164 ("+447400123456" -> "GB") into region
 * (3 bytes): the plan it belongs to. ERR_NOT_FOUND when e164 is NULL, not
 * a valid number, or of no single country (+800 and the like); ERR_NOMEM
 * when out of memory. Nothing is written unless ERR_OK.
 */
enum err phone_region(const char *e164, char region[3]);

/* The type's name as libphonenumber spells it, lower case ("mobile",
 * "fixed_line", ...); "unknown" for a value out of range. */
const char *phone_type_name(enum phone_type type);

#ifdef __cplusplus
}
#endif

#endif
