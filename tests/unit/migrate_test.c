/* migrate_test.c - unit tests of migration file names (include/migrate.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "migrate.h"

static void
test_accepts_good_names(void **state)
{
	static const struct {
		const char *name;
		int version;
	} good[] = {
		{ "0001_base.sql", 1 },
		{ "0042_add_x2.sql", 42 },
		{ "0100_a.sql", 100 },
		{ "1234_x.sql", 1234 },
		{ "9999_last_one.sql", 9999 },
		{ "0007_2fa.sql", 7 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int version = -1;

		if (!migrate_parse_name(good[i].name, &version))
			fail_msg("refused \"%s\"", good[i].name);
		if (version != good[i].version)
			fail_msg("\"%s\": version %d, want %d", good[i].name,
			    version, good[i].version);
	}
}

static void
test_refuses_bad_names(void **state)
{
	static const char *const bad[] = {
		"1_base.sql",		/* not four digits */
		"001_base.sql",
		"00001_base.sql",	/* five digits */
		"0001-base.sql",	/* '-' instead of '_' */
		"0001base.sql",
		"0001_Base.sql",	/* upper case */
		"0001_ba-se.sql",
		"0001_ba se.sql",
		"0001_ba.se.sql",
		"0001_.sql",		/* empty name */
		"0001_base.sql.bak",	/* does not end in .sql */
		"0001_base.SQL",
		"0001_base.sq",
		"0001_base",
		"abcd_x.sql",		/* not digits */
		"00a1_x.sql",
		".sql",
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int version = -1;

		if (migrate_parse_name(bad[i], &version))
			fail_msg("accepted \"%s\"", bad[i]);
		/* A refused name does not produce a version. */
		assert_int_equal(version, -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_good_names),
		cmocka_unit_test(test_refuses_bad_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
