/*
 * password_rules.c - the staff password rule (see password_rules.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <crack.h>
#include <packer.h>

#include "password_rules.h"

/* Code points of UTF-8 text: every byte that does not continue one. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/*
 * Whether pw is a dictionary word with digits and punctuation around it
 * ("Password1234!", "2026istanbul"): the word, lower-cased, is looked up in
 * cracklib's dictionary. FascistCheck() alone lets such passwords through.
 */
static bool
common_word_inside(const char *pw)
{
	char core[MAXWORDLEN + 1];
	const char *start = pw, *end = pw + strlen(pw);
	size_t n;
	char absent[] = "\x7f";
	PWDICT *dict;
	bool found;

	while (start < end && !isalpha((unsigned char)*start))
		start++;
	while (end > start && !isalpha((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - start);
	if (n < 4 || n > MAXWORDLEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalpha((unsigned char)start[i]))
			return false;	/* a word with something inside it */
		core[i] = (char)tolower((unsigned char)start[i]);
	}
	core[n] = '\0';
	if ((dict = PWOpen(GetDefaultCracklibDict(), "r")) == NULL)
		return false;
	/* FindPW() answers the number of words for a word it lacks (the
	 * header saying so is not public): learn it from one no dictionary
	 * holds. */
	found = FindPW(dict, core) != FindPW(dict, absent);
	PWClose(dict);
	return found;
}

const char *
password_rule_problem(const char *pw)
{
	size_t n = utf8_chars(pw);
	const char *why;

	if (n < PASSWORD_MIN_CHARS)
		return "Use at least 12 characters; a few words make a password "
		    "that is easy to remember.";
	if (n > PASSWORD_MAX_CHARS)
		return "Use at most 1024 characters.";
	/* cracklib opens its dictionary each time (a few milliseconds); a
	 * missing dictionary is an installation fault, reported as one. */
	if (common_word_inside(pw))
		return "This password is too common: it is a dictionary word "
		    "with digits or symbols around it. Choose another.";
	why = FascistCheck(pw, GetDefaultCracklibDict());
	if (why == NULL)
		return NULL;
	if (strstr(why, "error loading") != NULL)
		return "Passwords cannot be checked right now; try again later.";
	if (strstr(why, "dictionary") != NULL)
		return "This password is too common: it is based on a word "
		    "that password lists contain. Choose another.";
	return "This password is too simple (too systematic, or too few "
	    "different characters). Choose another.";
}
