/* netaddr_test.c - rate-limit keys of client addresses. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "netaddr.h"

static void
key_is(const char *addr, bool ok, const char *want)
{
	char key[NET_RATE_KEY_MAX];

	assert_int_equal(net_rate_key(addr, key), ok);
	assert_string_equal(key, want);
}

static void
test_ipv4_counts_as_itself(void **state)
{
	(void)state;
	key_is("192.0.2.17", true, "192.0.2.17");
	key_is("127.0.0.1", true, "127.0.0.1");
}

static void
test_ipv4_mapped_counts_as_ipv4(void **state)
{
	(void)state;
	key_is("::ffff:192.0.2.17", true, "192.0.2.17");
}

static void
test_ipv6_counts_by_its_64(void **state)
{
	(void)state;
	key_is("2001:db8:1:2:aaaa:bbbb:cccc:dddd", true, "2001:db8:1:2::/64");
	/* Another address of the same /64 is the same key. */
	key_is("2001:db8:1:2::1", true, "2001:db8:1:2::/64");
	key_is("2001:DB8:1:2:0:0:0:ffff", true, "2001:db8:1:2::/64");
	/* The next /64 is another. */
	key_is("2001:db8:1:3::1", true, "2001:db8:1:3::/64");
	key_is("::1", true, "::/64");
}

static void
test_no_address(void **state)
{
	(void)state;
	key_is(NULL, false, "-");
	key_is("", false, "-");
	key_is("not an address", false, "-");
	key_is("192.0.2.300", false, "-");
	key_is("2001:db8::1/64", false, "-");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_counts_as_itself),
		cmocka_unit_test(test_ipv4_mapped_counts_as_ipv4),
		cmocka_unit_test(test_ipv6_counts_by_its_64),
		cmocka_unit_test(test_no_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
