/* contacts_test.c - unit tests of phone numbers and email addresses
 * (contacts.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "contacts.h"

/* Reads text with country; want NULL when it must be refused. */
static void
phone(const char *text, const char *country, const char *want)
{
	char out[PHONE_E164_MAX + 1 + 8];
	bool ok;

	memset(out, 'X', sizeof(out));
	ok = contact_phone_e164(text, country, out);
	if (want == NULL) {
		if (ok)
			fail_msg("\"%s\" (%s) read as %.*s, want refused", text,
			    country ? country : "no country",
			    PHONE_E164_MAX + 1, out);
		return;
	}
	if (!ok)
		fail_msg("\"%s\" (%s) refused, want %s", text,
		    country ? country : "no country", want);
	assert_non_null(memchr(out, '\0', PHONE_E164_MAX + 1));
	if (strcmp(out, want) != 0)
		fail_msg("\"%s\" (%s) read as %s, want %s", text,
		    country ? country : "no country", out, want);
	assert_int_equal(out[0], '+');
	assert_in_range(strlen(out), 8, PHONE_E164_MAX);
	for (size_t i = 1; out[i] != '\0'; i++)
		assert_in_range(out[i], '0', '9');
	/* Nothing past PHONE_E164_MAX + 1 bytes is written. */
	for (size_t i = PHONE_E164_MAX + 1; i < sizeof(out); i++)
		assert_int_equal(out[i], 'X');
}

static void
test_phone_tr_national(void **state)
{
	static const char *const forms[] = {
		"0555 123 45 67", "05551234567", "5551234567",
		"(0555) 123-4567", "0555-123-45-67", "0555.123.45.67",
		"(555) 123 4567", "555 123 45 67", "  0555 123 45 67  ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		phone(forms[i], "TR", "+905551234567");
	/* A landline, Istanbul. */
	phone("0212 555 12 34", "TR", "+902125551234");
}

static void
test_phone_international(void **state)
{
	(void)state;
	phone("+90 555 123 45 67", "TR", "+905551234567");
	phone("+905551234567", "TR", "+905551234567");
	phone("00905551234567", "TR", "+905551234567");
	phone("0090 555 123 45 67", "TR", "+905551234567");
	phone("+90 (555) 123-45-67", "TR", "+905551234567");
	/* Another country's number, written internationally. */
	phone("+44 7700 900123", "GB", "+447700900123");
	phone("+44 7700 900123", "TR", "+447700900123");
	phone("0044 7700 900123", "GB", "+447700900123");
	phone("+1 (202) 555-0143", "GB", "+12025550143");
	/* The international form needs no country at all. */
	phone("+90 555 123 45 67", NULL, "+905551234567");
	/* 15 digits is the longest E.164 number. */
	phone("+123456789012345", "TR", "+123456789012345");
}

static void
test_phone_national_other_country(void **state)
{
	(void)state;
	/* Only TR has a national plan: these are refused, not guessed. */
	phone("07700 900123", "GB", NULL);
	phone("7700 900123", "GB", NULL);
	phone("0555 123 45 67", "GB", NULL);
	phone("0555 123 45 67", NULL, NULL);
	phone("0555 123 45 67", "", NULL);
	phone("5551234567", "DE", NULL);
}

static void
test_phone_refused(void **state)
{
	static const char *const bad[] = {
		"", " ", "+", "++", "()", "-",
		"0555 123 45", "555 123 456", "0555 123 45 678",	/* TR length */
		"055512345678",
		"+90 555", "+123456", "0090",
		"+1234567890123456",			/* 16 digits */
		"+90 555 123 45 67 890 1",		/* 16 digits */
		"00 1234567890123456",			/* 16 after 00 */
		"0555 ABC 45 67", "0555 123 45 6x", "phone", "tel:05551234567",
		"++90 555 123 45 67", "+90 +555 123 45 67", "90+5551234567",
		"0555 123 45 67+", "+0 555 123 45 67", "0555/123/45/67",
		"0555_123_45_67", "0555 123 45 67 ext 2", "+90\t555 123 45 67",
		"+90 555 123 45 67\n", "\xd9\xa0\xd9\xa5\xd9\xa5\xd9\xa5",
		"0555 123 45 67 0555 123 45 67 0555 123 45 67",	/* > 31 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		phone(bad[i], "TR", NULL);
}

static void
test_email_valid(void **state)
{
	char buf[300];

	(void)state;
	assert_true(contact_email_valid("a@b.co"));
	assert_true(contact_email_valid("Ali.Veli@Example.COM"));
	assert_true(contact_email_valid("AYSE@KLINIK.COM.TR"));
	assert_true(contact_email_valid("ayse.yilmaz+portal@mail.example.com.tr"));
	assert_true(contact_email_valid("a_b-c@sub-domain.example.org"));
	assert_true(contact_email_valid("x@b.c"));

	/* 254 bytes is the most. */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf + 254 - 6, "@b.com", 6);
	buf[254] = '\0';
	assert_int_equal(strlen(buf), 254);
	assert_true(contact_email_valid(buf));
	/* 255 is too long. */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf + 255 - 6, "@b.com", 6);
	buf[255] = '\0';
	assert_int_equal(strlen(buf), 255);
	assert_false(contact_email_valid(buf));
}

/* "+44 (0)20 ..." drops the national trunk prefix in brackets. */
static void
test_phone_bracketed_trunk_zero(void **state)
{
	(void)state;
	phone("+90 (0)555 123 45 67", "TR", "+905551234567");
	phone("+44 (0)20 7946 0958", "GB", "+442079460958");
}

static void
test_email_refused(void **state)
{
	static const char *const bad[] = {
		"", "@", "a", "ab.co", "a.b.co",		/* no @ */
		"a@b@c.co", "a@@b.co", "@a@b.co",		/* two @ */
		"@b.co",					/* no local part */
		"a@", "a@bco", "a@localhost",			/* no dotted domain */
		"a@b.co.", "a@b.", "a@.",			/* trailing dot */
		"a@.co", "a@.b.co",				/* leading dot */
		"a@b..co",					/* empty label */
		"a b@c.co", "ab@c .co", " a@b.co", "a@b.co ",	/* spaces */
		"a\t@b.co", "a@b.co\n", "a\x01@b.co", "a@b\x1f.co",
		"a@b.co\x7f", "a\r\n@b.co",			/* controls */
	};
	int wrong = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (contact_email_valid(bad[i])) {
			print_error("\"%s\" taken as an email address\n",
			    bad[i]);
			wrong++;
		}
	}
	if (wrong > 0)
		fail_msg("%d bad addresses taken", wrong);
}

static void
test_looks_like_phone(void **state)
{
	(void)state;
	assert_true(contact_looks_like_phone("0555 123"));
	assert_true(contact_looks_like_phone("0555 123 45 67"));
	assert_true(contact_looks_like_phone("+90 (555) 123-45.67"));
	assert_true(contact_looks_like_phone("1234"));
	assert_true(contact_looks_like_phone("+90 55"));
	/* Fewer than four digits. */
	assert_false(contact_looks_like_phone("+90"));
	assert_false(contact_looks_like_phone("12"));
	assert_false(contact_looks_like_phone("123"));
	assert_false(contact_looks_like_phone("1 2 3"));
	assert_false(contact_looks_like_phone(""));
	assert_false(contact_looks_like_phone("+-() ."));
	/* Names and addresses. */
	assert_false(contact_looks_like_phone("ali"));
	assert_false(contact_looks_like_phone("a1234"));
	assert_false(contact_looks_like_phone("1234a"));
	assert_false(contact_looks_like_phone("ali@5551234567.com"));
	assert_false(contact_looks_like_phone("Ay\xc5\x9f" "e 0555"));
	assert_false(contact_looks_like_phone("0555\t123"));
	assert_false(contact_looks_like_phone("0555/123"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_tr_national),
		cmocka_unit_test(test_phone_international),
		cmocka_unit_test(test_phone_national_other_country),
		cmocka_unit_test(test_phone_refused),
		cmocka_unit_test(test_phone_bracketed_trunk_zero),
		cmocka_unit_test(test_email_valid),
		cmocka_unit_test(test_email_refused),
		cmocka_unit_test(test_looks_like_phone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
