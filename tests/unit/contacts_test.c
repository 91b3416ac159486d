/* contacts_test.c - unit tests of phone numbers and email addresses
 * (contacts.h), and of the libphonenumber shim under them (phone.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "contacts.h"
#include "phone.h"

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

/* Reads text with country as the shim does, and wants type. */
static void
phone_type_is(const char *text, const char *country, enum phone_type want)
{
	char out[PHONE_E164_MAX + 1];
	enum phone_type type = PHONE_TYPE__MAX;

	if (phone_parse(text, country, out, &type) != ERR_OK)
		fail_msg("\"%s\" (%s) refused, want a %s number", text,
		    country ? country : "no country", phone_type_name(want));
	if (type != want)
		fail_msg("\"%s\" (%s) is a %s number, want %s", text,
		    country ? country : "no country", phone_type_name(type),
		    phone_type_name(want));
}

static void
test_phone_tr_national(void **state)
{
	static const char *const forms[] = {
		"0532 123 45 67", "05321234567", "5321234567",
		"(0532) 123-4567", "0532-123-45-67", "0532.123.45.67",
		"(532) 123 4567", "532 123 45 67", "  0532 123 45 67  ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		phone(forms[i], "TR", "+905321234567");
	phone_type_is("0532 123 45 67", "TR", PHONE_MOBILE);
	phone("0555 123 45 67", "TR", "+905551234567");
	/* A landline, Istanbul. */
	phone("0212 123 45 67", "TR", "+902121234567");
	phone_type_is("0212 123 45 67", "TR", PHONE_FIXED_LINE);
	/* The country's code may be written small. */
	phone("0532 123 45 67", "tr", "+905321234567");
}

/* National forms are read by the clinic's country's plan. */
static void
test_phone_de_national(void **state)
{
	(void)state;
	/* Berlin, a landline. */
	phone("030 1234567", "DE", "+49301234567");
	phone("030 123 4567", "DE", "+49301234567");
	phone("(030) 123-4567", "DE", "+49301234567");
	phone("030/1234567", "DE", "+49301234567");
	phone_type_is("030 1234567", "DE", PHONE_FIXED_LINE);
	/* A mobile. */
	phone("0151 23456789", "DE", "+4915123456789");
	phone("01512 3456789", "DE", "+4915123456789");
	phone_type_is("0151 23456789", "DE", PHONE_MOBILE);
	/* The same text is another number in another country, or none:
	 * 05321 is a German area code. */
	phone("030 1234567", "TR", NULL);
	phone("0532 123 45 67", "DE", "+495321234567");
	phone_type_is("0532 123 45 67", "DE", PHONE_FIXED_LINE);
}

static void
test_phone_international(void **state)
{
	(void)state;
	phone("+90 532 123 45 67", "TR", "+905321234567");
	phone("+905321234567", "TR", "+905321234567");
	phone("00905321234567", "TR", "+905321234567");
	phone("0090 532 123 45 67", "TR", "+905321234567");
	phone("+90 (532) 123-45-67", "TR", "+905321234567");
	phone("+49 30 1234567", "TR", "+49301234567");
	phone("0049 151 23456789", "TR", "+4915123456789");
	/* Another country's number, written internationally. */
	phone("+44 7911 123456", "GB", "+447911123456");
	phone("+44 7911 123456", "TR", "+447911123456");
	phone("0044 7911 123456", "GB", "+447911123456");
	phone("+1 (202) 555-0143", "GB", "+12025550143");
	/* "00" is international even where the plan's prefix is another
	 * (011 in the US). */
	phone("0090 532 123 45 67", "US", "+905321234567");
	phone("011 90 532 123 45 67", "US", "+905321234567");
	/* The international form needs no country at all. */
	phone("+90 532 123 45 67", NULL, "+905321234567");
	phone("0090 532 123 45 67", NULL, "+905321234567");
	phone("+49 30 1234567", NULL, "+49301234567");
	phone("+90 532 123 45 67", "", "+905321234567");
	phone("+90 532 123 45 67", "XX", "+905321234567");
}

/* Without a country, or with one whose plan does not make a number of
 * it, a national form is refused, not guessed. */
static void
test_phone_national_no_country(void **state)
{
	(void)state;
	phone("0532 123 45 67", NULL, NULL);
	phone("5321234567", NULL, NULL);
	phone("030 1234567", NULL, NULL);
	phone("0532 123 45 67", "", NULL);
	phone("0532 123 45 67", "XX", NULL);
	phone("0532 123 45 67", "TRK", NULL);
	phone("0532 123 45 67", "T", NULL);
	phone("07911 12345", "GB", NULL);
}

static void
test_phone_refused(void **state)
{
	static const char *const bad[] = {
		"", " ", "+", "++", "()", "-",
		/* Not numbers by any plan, however long. */
		"+1 555", "+90 000 000 00 00", "0000 000 00 00",
		"+123456", "+123456789012345", "+90 532",
		"0532 123 45", "532 123 456", "0532 123 45 678",
		"053212345678", "0090",
		"+1234567890123456",			/* 16 digits */
		"+90 532 123 45 67 890 1",		/* 16 digits */
		"00 1234567890123456",			/* 16 after 00 */
		/* Typed with what a phone field does not take. */
		"0532 ABC 45 67", "0532 123 45 6x", "phone", "tel:05321234567",
		"++90 532 123 45 67", "+90 +532 123 45 67", "90+5321234567",
		"0532 123 45 67+", "+0 532 123 45 67", "0532\\123",
		"0532_123_45_67", "0532 123 45 67 ext 2", "0532 123 45 67 x2",
		"0532 123 45 67 #2", "+90\t532 123 45 67",
		"+90 532 123 45 67\n", "\xd9\xa0\xd9\xa5\xd9\xa3\xd9\xa2",
		"\xef\xbc\x90\xef\xbc\x95\xef\xbc\x93\xef\xbc\x92",
		"0532 123 45 67 0532 123 45 67 0532 123 45 67",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		phone(bad[i], "TR", NULL);
	/* Valid by Germany's plan (a pager), but of fewer than 7 digits,
	 * which the schema keeps out. */
	phone_type_is("1640", "DE", PHONE_PAGER);
	phone("1640", "DE", NULL);
}

/* PHONE_TEXT_MAX bytes are read; one more is refused unread. */
static void
test_phone_length(void **state)
{
	char text[PHONE_TEXT_MAX + 2];

	(void)state;
	memset(text, ' ', sizeof(text));
	memcpy(text, "0532 123 45 67", 14);
	text[PHONE_TEXT_MAX] = '\0';
	phone(text, "TR", "+905321234567");
	text[PHONE_TEXT_MAX] = ' ';
	text[PHONE_TEXT_MAX + 1] = '\0';
	phone(text, "TR", NULL);
	assert_int_equal(phone_parse(text, "TR", text, NULL), ERR_INVALID);
	assert_int_equal(phone_parse(NULL, "TR", text, NULL), ERR_INVALID);
}

/* Only a number that can take an SMS may be sent one. */
static void
test_phone_sms_capable(void **state)
{
	(void)state;
	/* Mobiles: Turkey, Germany, the UK. */
	assert_true(contact_phone_sms_capable("+905321234567"));
	assert_true(contact_phone_sms_capable("+4915123456789"));
	assert_true(contact_phone_sms_capable("+447911123456"));
	/* A plan that cannot tell mobile from fixed line (the US). */
	phone_type_is("+1 202 555 0143", NULL, PHONE_FIXED_LINE_OR_MOBILE);
	assert_true(contact_phone_sms_capable("+12025550143"));
	/* A personal number (the UK's 070) follows its person. */
	phone_type_is("+44 70 1234 5678", NULL, PHONE_PERSONAL_NUMBER);
	assert_true(contact_phone_sms_capable("+447012345678"));

	/* Landlines: Istanbul, Berlin, London. */
	assert_false(contact_phone_sms_capable("+902121234567"));
	assert_false(contact_phone_sms_capable("+49301234567"));
	assert_false(contact_phone_sms_capable("+442079460958"));
	/* Toll-free and VoIP numbers (Turkey's 0800 and 0850). */
	phone_type_is("0800 123 45 67", "TR", PHONE_TOLL_FREE);
	assert_false(contact_phone_sms_capable("+908001234567"));
	phone_type_is("0850 123 45 67", "TR", PHONE_VOIP);
	assert_false(contact_phone_sms_capable("+908501234567"));
	/* Nothing that is not a number in E.164. */
	assert_false(contact_phone_sms_capable(NULL));
	assert_false(contact_phone_sms_capable(""));
	assert_false(contact_phone_sms_capable("05321234567"));
	assert_false(contact_phone_sms_capable("+900000000000"));
	assert_false(contact_phone_sms_capable("+1555"));
}

/* A form's hint is a mobile of the country, read back as one number
 * whether written as its people or the world write it. */
static void
test_phone_example(void **state)
{
	static const char *const countries[] = { "TR", "DE", "GB", "US", "fr" };
	char national[PHONE_TEXT_MAX + 1], international[PHONE_TEXT_MAX + 1];
	char a[PHONE_E164_MAX + 1], b[PHONE_E164_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++) {
		assert_int_equal(phone_example(countries[i], national,
		    international), ERR_OK);
		assert_int_equal(international[0], '+');
		assert_true(contact_phone_e164(national, countries[i], a));
		assert_true(contact_phone_e164(international, NULL, b));
		assert_string_equal(a, b);
		assert_true(contact_phone_sms_capable(a));
	}
	assert_int_equal(phone_example(NULL, national, international),
	    ERR_NOT_FOUND);
	assert_int_equal(phone_example("", national, international),
	    ERR_NOT_FOUND);
	assert_int_equal(phone_example("XX", national, international),
	    ERR_NOT_FOUND);
}

/* A number's country, for the example a patient from abroad is shown. */
static void
test_phone_region(void **state)
{
	char region[3] = "";

	(void)state;
	assert_int_equal(phone_region("+447400123456", region), ERR_OK);
	assert_string_equal(region, "GB");
	assert_int_equal(phone_region("+905321234567", region), ERR_OK);
	assert_string_equal(region, "TR");
	assert_int_equal(phone_region("+4915123456789", region), ERR_OK);
	assert_string_equal(region, "DE");
	/* Not numbers, or of no one country: nothing written. */
	strcpy(region, "--");
	assert_int_equal(phone_region(NULL, region), ERR_NOT_FOUND);
	assert_int_equal(phone_region("", region), ERR_NOT_FOUND);
	assert_int_equal(phone_region("+1555", region), ERR_NOT_FOUND);
	assert_int_equal(phone_region("+80012345678", region), ERR_NOT_FOUND);
	assert_int_equal(phone_region("05321234567", region), ERR_NOT_FOUND);
	assert_string_equal(region, "--");
}

static void
test_phone_type_names(void **state)
{
	(void)state;
	/* Loading the plans ahead is harmless, also twice. */
	assert_int_equal(phone_init(), ERR_OK);
	assert_int_equal(phone_init(), ERR_OK);
	assert_string_equal(phone_type_name(PHONE_MOBILE), "mobile");
	assert_string_equal(phone_type_name(PHONE_FIXED_LINE), "fixed_line");
	assert_string_equal(phone_type_name(PHONE_FIXED_LINE_OR_MOBILE),
	    "fixed_line_or_mobile");
	assert_string_equal(phone_type_name(PHONE_UNKNOWN), "unknown");
	assert_string_equal(phone_type_name(PHONE_TYPE__MAX), "unknown");
	assert_string_equal(phone_type_name((enum phone_type)-1), "unknown");
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
	phone("+90 (0)532 123 45 67", "TR", "+905321234567");
	phone("+44 (0)20 7946 0958", "GB", "+442079460958");
	phone("+44 (0)20 7946 0958", "TR", "+442079460958");
	phone("+44 (0)20 7946 0958", NULL, "+442079460958");
	phone_type_is("+44 (0)20 7946 0958", NULL, PHONE_FIXED_LINE);
	phone("+49 (0)30 1234567", "DE", "+49301234567");
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
		cmocka_unit_test(test_phone_de_national),
		cmocka_unit_test(test_phone_international),
		cmocka_unit_test(test_phone_national_no_country),
		cmocka_unit_test(test_phone_refused),
		cmocka_unit_test(test_phone_length),
		cmocka_unit_test(test_phone_sms_capable),
		cmocka_unit_test(test_phone_example),
		cmocka_unit_test(test_phone_region),
		cmocka_unit_test(test_phone_type_names),
		cmocka_unit_test(test_phone_bracketed_trunk_zero),
		cmocka_unit_test(test_email_valid),
		cmocka_unit_test(test_email_refused),
		cmocka_unit_test(test_looks_like_phone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
