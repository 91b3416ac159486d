/* deliver_test.c - unit tests of what the notifier keeps of a server's
 * answer (deliver_clean_error() in src/notifier/deliver.c): printable
 * ASCII, one space for a run of white space, cut to the buffer; and no
 * recipient in it: addresses and phone numbers that mail servers and SMS
 * gateways echo back become "[address]" and "[phone]", wherever the cut
 * falls, while SMTP codes, enhanced status codes and ids stay readable. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notifier.h"

static char out[NOTIFIER_ERROR_MAX + 1];

static const char *
clean(const char *prefix, const char *text)
{
	deliver_clean_error(out, sizeof(out), prefix, text, strlen(text));
	return out;
}

static void
test_printable_one_line(void **state)
{
	(void)state;
	assert_string_equal(clean("SMTP message refused: 554 ",
	    "5.7.1 Message\r\n  rejected\tby policy\x01 \xc3\xa7ok  "),
	    "SMTP message refused: 554 5.7.1 Message rejected by policy? ??ok");
	assert_string_equal(clean(NULL, "  lead"), "lead");
	assert_string_equal(clean("", ""), "");
	/* A cut: outlen - 1 bytes at most. */
	deliver_clean_error(out, 8, "abc", "defghijk", 8);
	assert_string_equal(out, "abcdefg");
}

static void
test_addresses_masked(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "5.1.1 <ayse.gul@example.com>: Recipient address rejected: "
		    "User unknown in virtual mailbox table",
		  "5.1.1 <[address]>: Recipient address rejected: User unknown "
		    "in virtual mailbox table" },
		{ "5.1.1 The email account that you tried to reach does not "
		    "exist: ayse+portal@mail.example.com.tr",
		  "5.1.1 The email account that you tried to reach does not "
		    "exist: [address]" },
		{ "Requested action not taken: mailbox unavailable "
		    "(to=<Ayse_Gul-1985@Example.COM>, relay=none)",
		  "Requested action not taken: mailbox unavailable "
		    "(to=<[address]>, relay=none)" },
		/* Internationalised local part and domain. */
		{ "rejected: ayşe@örnek.com.tr, sorry",
		  "rejected: [address], sorry" },
		/* Two of them, and one cut short by the server. */
		{ "a@b.example and c.d@e.example; last: trunc@", 
		  "[address] and [address]; last: [address]" },
		/* Not addresses. */
		{ "4.7.1 Try again later @ 10:00", "4.7.1 Try again later @ 10:00" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(clean("SMTP recipient refused: 550 ",
		    cases[i].in) + strlen("SMTP recipient refused: 550 "),
		    cases[i].want);
	/* The prefix is ours and kept as it is. */
	assert_string_equal(clean("SMTP recipient refused: 550 ",
	    "<x@y.example> unknown"),
	    "SMTP recipient refused: 550 <[address]> unknown");
}

static void
test_phone_numbers_masked(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "{\"error\":\"invalid destination +905321234567\"}",
		  "{\"error\":\"invalid destination [phone]\"}" },
		{ "number 905321234567 is blacklisted",
		  "number [phone] is blacklisted" },
		{ "to=+90 532 123 45 67 refused", "to=[phone] refused" },
		{ "(0532) 123-45-67: not a mobile", "[phone]: not a mobile" },
		{ "{\"to\":\"05321234567\",\"code\":4001}",
		  "{\"to\":\"[phone]\",\"code\":4001}" },
		/* Short numbers, codes and ids stay. */
		{ "550 5.1.1 error 4001 at 10:00:00", "550 5.1.1 error 4001 at 10:00:00" },
		{ "queued as 4F3A21234567B", "queued as 4F3A21234567B" },
		{ "ref ABC1234567", "ref ABC1234567" },
		{ "timestamp 2026-12-01T10:00:00Z", "timestamp 2026-12-01T10:00:00Z" },
		{ "limit 123456 reached", "limit 123456 reached" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(clean("gateway answered 400: ", cases[i].in) +
		    strlen("gateway answered 400: "), cases[i].want);
}

/* However short the buffer, no part of an address or number that would
 * have been masked comes out: the cut falls in the mask or before it. */
static void
test_cut_never_leaks(void **state)
{
	static const char *const texts[] = {
		"550 5.1.1 <ayse.gul@example.com>: Recipient address rejected",
		"invalid destination +905321234567 for sender PORTAL",
	};
	char small[96];
	size_t t, size;

	(void)state;
	for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		for (size = 1; size < sizeof(small); size++) {
			deliver_clean_error(small, size, "SMTP: ", texts[t],
			    strlen(texts[t]));
			assert_true(strlen(small) < size);
			assert_null(strstr(small, "ayse"));
			assert_null(strstr(small, "gul@"));
			assert_null(strstr(small, "example.com"));
			assert_null(strstr(small, "905"));
			assert_null(strstr(small, "0532"));
			assert_null(strstr(small, "1234567"));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printable_one_line),
		cmocka_unit_test(test_addresses_masked),
		cmocka_unit_test(test_phone_numbers_masked),
		cmocka_unit_test(test_cut_never_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
