/* password_rules_test.c - unit tests of the staff password rule
 * (password_rules.h): length in characters, and cracklib's dictionary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "password_rules.h"

static void
accepted(const char *pw)
{
	const char *why = password_rule_problem(pw);

	if (why != NULL)
		fail_msg("\"%s\" refused: %s", pw, why);
}

static void
refused(const char *pw, const char *because)
{
	const char *why = password_rule_problem(pw);

	if (why == NULL)
		fail_msg("\"%s\" accepted, want refused", pw);
	if (strstr(why, because) == NULL)
		fail_msg("\"%s\": \"%s\", want it to say \"%s\"", pw, why, because);
}

static void
test_length_in_characters(void **state)
{
	(void)state;
	refused("", "12 characters");
	refused("Kx7#mQ2!vL9", "12 characters");	/* 11 */
	/* Twelve characters, twenty-four bytes: long enough. */
	accepted("çğıöşüÇĞİÖŞÜ");
	/* Eleven characters, but more than twelve bytes: too short. */
	refused("çğıöşüÇĞİÖŞ", "12 characters");
}

static void
test_ceiling(void **state)
{
	char pw[1100];

	(void)state;
	for (size_t i = 0; i < sizeof(pw) - 1; i++)
		pw[i] = "Kx7#mQ2!vL9pZ"[i % 13];
	pw[sizeof(pw) - 1] = '\0';
	refused(pw, "at most 1024");
}

static void
test_dictionary(void **state)
{
	(void)state;
	refused("password1234", "too common");
	refused("Password1234", "too common");
	refused("Sunshine2026!", "too common");
	refused("2026istanbul", "too common");
	refused("aaaaaaaaaaaa", "too simple");
	refused("abcdefghijkl", "");
}

static void
test_good_ones(void **state)
{
	(void)state;
	accepted("Kx7#mQ2!vL9pZ");
	accepted("correct horse battery staple");
	accepted("Diş hekimi 2026, Kadıköy!");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length_in_characters),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_dictionary),
		cmocka_unit_test(test_good_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
