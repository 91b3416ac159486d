/* portal_settings_test.c - unit tests of the portal code rules, the ASCII
 * folding of names and the settings warnings (portal_settings.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "permissions.h"
#include "portal_settings.h"

#define B(p) PERM_BIT(PERM_##p)

static const char *const verdict_names[] = {
	[CODE_OK] = "OK", [CODE_INVALID] = "INVALID",
	[CODE_RESERVED] = "RESERVED",
};

/* Checks the verdict on code; on failure *why must say something, on
 * success it is cleared. */
static void
verdict(const char *code, enum code_verdict want)
{
	const char *why = "unset";
	enum code_verdict got;

	got = portal_code_verdict(code, &why);
	if (got != want)
		fail_msg("code \"%s\": %s, want %s (%s)", code,
		    verdict_names[got], verdict_names[want],
		    why != NULL ? why : "no reason");
	if (want == CODE_OK) {
		assert_null(why);
	} else {
		assert_non_null(why);
		assert_true(strlen(why) > 0);
		assert_string_not_equal(why, "unset");
	}
}

/* A code of n characters, all 'a'. */
static const char *
code_of(size_t n, char *buf)
{
	memset(buf, 'a', n);
	buf[n] = '\0';
	return buf;
}

static void
test_code_length(void **state)
{
	char buf[64];

	(void)state;
	verdict(code_of(3, buf), CODE_OK);
	verdict(code_of(40, buf), CODE_OK);
	verdict(code_of(2, buf), CODE_INVALID);
	verdict(code_of(41, buf), CODE_INVALID);
	verdict(code_of(1, buf), CODE_INVALID);
	verdict("", CODE_INVALID);
	verdict(code_of(60, buf), CODE_INVALID);
	/* Hyphens count. */
	verdict("a-b", CODE_OK);
	verdict("a-", CODE_INVALID);
	/* 40 with hyphens and digits. */
	verdict("dis-klinigi-2024-kadikoy-moda-caddesi-12", CODE_OK);
	assert_int_equal(strlen("dis-klinigi-2024-kadikoy-moda-caddesi-12"), 40);
	verdict("dis-klinigi-2024-kadikoy-moda-caddesi-123", CODE_INVALID);
}

static void
test_code_characters(void **state)
{
	static const char *const bad[] = {
		"Clinic", "cliniC", "CLINIC", "my_clinic", "my clinic",
		" clinic", "clinic ", "my.clinic", "clinic/", "clinic!",
		"klinik?", "a+b", "a%20b", "\xc3\xa7linik" /* çlinik */,
		"klini\xc4\x9f" /* kliniğ */, "dis\tklinik", "clinic\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		verdict(bad[i], CODE_INVALID);
	verdict("smile", CODE_OK);
	verdict("dis-klinigi", CODE_OK);
	verdict("klinik2", CODE_OK);
	verdict("2klinik", CODE_OK);
	verdict("123", CODE_OK);		/* digits only */
	verdict("1-2-3", CODE_OK);
}

static void
test_code_hyphens(void **state)
{
	(void)state;
	verdict("-clinic", CODE_INVALID);
	verdict("clinic-", CODE_INVALID);
	verdict("my--clinic", CODE_INVALID);
	verdict("---", CODE_INVALID);
	verdict("-a-", CODE_INVALID);
	verdict("a---b", CODE_INVALID);
	verdict("my-dental-clinic", CODE_OK);
}

static void
test_code_reserved(void **state)
{
	static const char *const reserved[] = {
		"api", "console", "assets", "files", "health",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		verdict(reserved[i], CODE_RESERVED);
	/* Only the whole code is compared. */
	verdict("api-x", CODE_OK);
	verdict("x-api", CODE_OK);
	verdict("apis", CODE_OK);
	verdict("health-clinic", CODE_OK);
	verdict("my-console", CODE_OK);
	/* The grammar comes first: these are invalid, not reserved. */
	verdict("_files", CODE_INVALID);
	verdict("API", CODE_INVALID);
	verdict("Health", CODE_INVALID);
}

static void
test_code_digit_run(void **state)
{
	(void)state;
	assert_false(portal_code_has_digit_run(""));
	assert_false(portal_code_has_digit_run("clinic"));
	assert_false(portal_code_has_digit_run("123456"));
	assert_false(portal_code_has_digit_run("clinic-123456"));
	assert_true(portal_code_has_digit_run("1234567"));
	assert_true(portal_code_has_digit_run("clinic-1234567"));
	assert_true(portal_code_has_digit_run("5551234567"));
	assert_true(portal_code_has_digit_run("a1234567b"));
	assert_true(portal_code_has_digit_run("905551234567"));
	/* Broken by hyphens or letters, the runs are short. */
	assert_false(portal_code_has_digit_run("555-123-4567"));
	assert_false(portal_code_has_digit_run("123456-7"));
	assert_false(portal_code_has_digit_run("1234-5678"));
	assert_false(portal_code_has_digit_run("123456a1234"));
	/* Six and six is not seven. */
	assert_false(portal_code_has_digit_run("123456-123456"));
	assert_true(portal_code_has_digit_run("123456-1234567"));
}

/* Folds text with portal_fold_ascii() or portal_fold_words() into a
 * large buffer and compares. */
static void
folds_to(bool words, const char *text, const char *want)
{
	char out[256];

	memset(out, 'X', sizeof(out));
	if (words)
		portal_fold_words(text, out, sizeof(out));
	else
		portal_fold_ascii(text, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fail_msg("%s(\"%s\") = \"%s\", want \"%s\"",
		    words ? "portal_fold_words" : "portal_fold_ascii", text,
		    out, want);
}

static void
test_fold_ascii_turkish(void **state)
{
	(void)state;
	folds_to(false, "Ay\xc5\x9f" "e Y\xc4\xb1lmaz", "ayseyilmaz");
	/* ç ğ ı ö ş ü, lower case; Ç Ğ İ Ö Ş Ü, upper case. */
	folds_to(false, "\xc3\xa7\xc4\x9f\xc4\xb1\xc3\xb6\xc5\x9f\xc3\xbc",
	    "cgiosu");
	folds_to(false, "\xc3\x87\xc4\x9e\xc4\xb0\xc3\x96\xc5\x9e\xc3\x9c",
	    "cgiosu");
	/* Dotless and dotted i, and the ASCII ones, all become i. */
	folds_to(false, "I\xc4\xb1i\xc4\xb0", "iiii");
	folds_to(false, "\xc4\xb0SMA\xc4\xb0L \xc3\x96ZT\xc3\x9cRK", "ismailozturk");
	folds_to(false, "\xc3\x87" "a\xc4\x9fla \xc5\x9e" "ent\xc3\xbcrk",
	    "caglasenturk");
	folds_to(false, "\xc3\x9cm\xc4\xb1t \xc4\x9e\xc3\xbcl", "umitgul");
	/* Circumflexes of Turkish: â î û, Â Î Û. */
	folds_to(false, "K\xc3\xa2z\xc4\xb1m \xc3\x8e\xc3\xae\xc3\x9b\xc3\xbb",
	    "kazimiiuu");
	folds_to(false, "\xc3\x82", "a");
}

static void
test_fold_ascii_latin_lower(void **state)
{
	(void)state;
	/* á à ä é è ê ë í ó ò ô ú ù ñ ß */
	folds_to(false, "\xc3\xa1\xc3\xa0\xc3\xa4\xc3\xa9\xc3\xa8\xc3\xaa"
	    "\xc3\xab\xc3\xad\xc3\xb3\xc3\xb2\xc3\xb4\xc3\xba\xc3\xb9\xc3\xb1"
	    "\xc3\x9f", "aaaeeeeiooouuns");
	folds_to(false, "Jos\xc3\xa9 M\xc3\xbcller", "josemuller");
	folds_to(false, "Cr\xc3\xa8me Br\xc3\xbbl\xc3\xa9" "e", "cremebrulee");
	folds_to(false, "Pe\xc3\xb1" "a", "pena");
	folds_to(false, "Bj\xc3\xb8rn", "bjorn");
	/* Characters outside the table are dropped, not mangled. */
	folds_to(false, "\xe2\x82\xac" "5", "5");
	folds_to(false, "\xf0\x9f\x98\x80" "ali", "ali");
}

/*
 * Upper-case Latin letters with accents fold like their lower-case forms:
 * "Élodie" and "élodie" are the same name ("Turkish and common Latin
 * accents removed").
 */
static void
test_fold_ascii_latin_upper(void **state)
{
	/* Each upper-case letter whose lower-case form the fold knows. */
	static const struct { const char *text, *want; } names[] = {
		{ "\xc3\x81ngel", "angel" },		/* Á */
		{ "\xc3\x80" "ngelo", "angelo" },	/* À */
		{ "\xc3\x84rger", "arger" },		/* Ä */
		{ "\xc3\x89lodie", "elodie" },		/* É */
		{ "\xc3\x88ve", "eve" },		/* È */
		{ "\xc3\x8atre", "etre" },		/* Ê */
		{ "\xc3\x8bmile", "emile" },		/* Ë */
		{ "\xc3\x8dngrid", "ingrid" },		/* Í */
		{ "\xc3\x93scar", "oscar" },		/* Ó */
		{ "\xc3\x92scar", "oscar" },		/* Ò */
		{ "\xc3\x94scar", "oscar" },		/* Ô */
		{ "\xc3\x9arsula", "ursula" },		/* Ú */
		{ "\xc3\x99rsula", "ursula" },		/* Ù */
		{ "\xc3\x91" "and\xc3\xba", "nandu" },	/* Ñ */
	};
	int wrong = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char out[64];

		portal_fold_ascii(names[i].text, out, sizeof(out));
		if (strcmp(out, names[i].want) != 0) {
			print_error("portal_fold_ascii(\"%s\") = \"%s\", "
			    "want \"%s\"\n", names[i].text, out, names[i].want);
			wrong++;
		}
	}
	if (wrong > 0)
		fail_msg("%d upper-case accented letters not folded", wrong);
	/* The same in words. */
	folds_to(true, "\xc3\x89lodie \xc3\x81lvarez", "elodie alvarez");
}

static void
test_fold_ascii_punctuation(void **state)
{
	(void)state;
	folds_to(false, "", "");
	folds_to(false, "   ", "");
	folds_to(false, "O'Brien, Jr.", "obrienjr");
	folds_to(false, "Ay\xc5\x9f" "e-Nur   Y\xc4\xb1lmaz", "aysenuryilmaz");
	folds_to(false, "  Ali\t\nVeli  ", "aliveli");
	folds_to(false, "Ali 2. Veli", "ali2veli");
	folds_to(false, "0555 123 45 67", "05551234567");
	folds_to(false, "a_b@c.d", "abcd");
	/* Broken UTF-8 is skipped, not read past. */
	folds_to(false, "a\xff" "b", "ab");
	folds_to(false, "ab\xc5", "ab");
	folds_to(false, "a\x80\x80" "b", "ab");
}

static void
test_fold_words(void **state)
{
	(void)state;
	folds_to(true, "Ay\xc5\x9f" "e-Nur  Y\xc4\xb1lmaz", "ayse nur yilmaz");
	folds_to(true, "Ay\xc5\x9f" "e Y\xc4\xb1lmaz", "ayse yilmaz");
	folds_to(true, "\xc3\x87\xc4\x9e\xc4\xb0 \xc3\x96\xc5\x9e\xc3\x9c",
	    "cgi osu");
	folds_to(true, "\xc3\xa7\xc4\x9f\xc4\xb1-\xc3\xb6\xc5\x9f\xc3\xbc",
	    "cgi osu");
	folds_to(true, "Jos\xc3\xa9   M\xc3\xbcller", "jose muller");
	/* Runs of any other characters are one space; none at the ends. */
	folds_to(true, "  --Ali--  ", "ali");
	folds_to(true, "O'Brien, Jr.", "o brien jr");
	folds_to(true, "Ali\t\n Veli", "ali veli");
	folds_to(true, "Ali 2. Veli", "ali 2 veli");
	folds_to(true, "a.,;:!?b", "a b");
	folds_to(true, "", "");
	folds_to(true, " !?- ", "");
	folds_to(true, "Bj\xc3\xb8rn", "bjorn");
	/* A character the fold does not know separates words. */
	folds_to(true, "Ali\xe2\x82\xacVeli", "ali veli");
}

/*
 * Characters outside ASCII that are not letters separate words too: a
 * no-break space (U+00A0) or an en dash (U+2013) pasted into a name is a
 * run of "other characters" and becomes one space.
 */
static void
test_fold_words_unicode_separators(void **state)
{
	(void)state;
	folds_to(true, "Ay\xc5\x9f" "e\xc2\xa0Nur", "ayse nur");
	folds_to(true, "Ay\xc5\x9f" "e\xe2\x80\x93Nur", "ayse nur");
	folds_to(true, "Ali \xe2\x80\x94 Veli", "ali veli");
	/* fold_ascii drops them either way. */
	folds_to(false, "Ay\xc5\x9f" "e\xc2\xa0Nur", "aysenur");
}

/* Folds text into a buffer of outlen bytes inside a larger one, and checks
 * that nothing is written past outlen. */
static void
folds_cut(bool words, const char *text, size_t outlen, const char *want)
{
	char buf[64];

	assert_true(outlen < sizeof(buf));
	memset(buf, 'X', sizeof(buf));
	if (words)
		portal_fold_words(text, buf, outlen);
	else
		portal_fold_ascii(text, buf, outlen);
	if (memchr(buf, '\0', outlen) == NULL)
		fail_msg("\"%s\" in %zu bytes: not terminated", text, outlen);
	if (strcmp(buf, want) != 0)
		fail_msg("\"%s\" in %zu bytes: \"%s\", want \"%s\"", text,
		    outlen, buf, want);
	for (size_t i = outlen; i < sizeof(buf); i++)
		if (buf[i] != 'X')
			fail_msg("\"%s\" in %zu bytes: byte %zu written", text,
			    outlen, i);
}

static void
test_fold_truncates(void **state)
{
	const char *name = "Ay\xc5\x9f" "e Nur Y\xc4\xb1lmaz";

	(void)state;
	folds_cut(false, name, 1, "");
	folds_cut(false, name, 2, "a");
	folds_cut(false, name, 4, "ays");	/* ş is one byte out */
	folds_cut(false, name, 5, "ayse");
	folds_cut(false, name, 11, "aysenuryil");
	folds_cut(false, name, 14, "aysenuryilmaz");
	folds_cut(false, name, 40, "aysenuryilmaz");
	folds_cut(false, "\xc5\x9f\xc5\x9f\xc5\x9f\xc5\x9f", 3, "ss");
	folds_cut(false, "\xc4\xb0\xc4\xb0\xc4\xb0\xc4\xb0", 4, "iii");

	folds_cut(true, name, 1, "");
	folds_cut(true, name, 5, "ayse");
	folds_cut(true, name, 6, "ayse");	/* no trailing space */
	folds_cut(true, name, 7, "ayse n");
	folds_cut(true, name, 9, "ayse nur");
	folds_cut(true, name, 10, "ayse nur");
	folds_cut(true, name, 11, "ayse nur y");
	folds_cut(true, name, 16, "ayse nur yilmaz");
	folds_cut(true, "  ,, Ali", 3, "al");
}

static void
test_code_contains_name(void **state)
{
	const char *ayse = "Ay\xc5\x9f" "e", *yilmaz = "Y\xc4\xb1lmaz";

	(void)state;
	assert_true(portal_code_contains_name("ayse-yilmaz", ayse, yilmaz));
	assert_true(portal_code_contains_name("ayseyilmaz", ayse, yilmaz));
	assert_true(portal_code_contains_name("dr-ayse-yilmaz-klinik", ayse,
	    yilmaz));
	/* Either order. */
	assert_true(portal_code_contains_name("yilmaz-ayse", ayse, yilmaz));
	/* Case and accents of the names do not matter. */
	assert_true(portal_code_contains_name("ayse-yilmaz", "AY\xc5\x9e" "E",
	    "YILMAZ"));
	assert_true(portal_code_contains_name("ayse-yilmaz", "ayse", "yilmaz"));
	assert_true(portal_code_contains_name("ismail-ozturk",
	    "\xc4\xb0smail", "\xc3\x96zt\xc3\xbcrk"));
	/* Names of two words, with or without the hyphen in the code. */
	assert_true(portal_code_contains_name("aysenur-yilmaz", "Ay\xc5\x9f"
	    "e Nur", yilmaz));
	assert_true(portal_code_contains_name("ayse-nur-yilmaz", "Ay\xc5\x9f"
	    "e Nur", yilmaz));

	/* One of the names alone is not enough. */
	assert_false(portal_code_contains_name("ayse-dental", ayse, yilmaz));
	assert_false(portal_code_contains_name("yilmaz-dis", ayse, yilmaz));
	assert_false(portal_code_contains_name("klinik", ayse, yilmaz));
	/* Names shorter than 2 letters are never matched. */
	assert_false(portal_code_contains_name("a-yilmaz", "A", yilmaz));
	assert_false(portal_code_contains_name("ali-b", "Ali", "B"));
	assert_false(portal_code_contains_name("ali-b", "Ali", "B."));
	assert_false(portal_code_contains_name("klinik", "", ""));
	assert_false(portal_code_contains_name("ali-klinik", "Ali", ""));
	/* Two letters are enough. */
	assert_true(portal_code_contains_name("al-yu-dis", "Al", "Yu"));
}

static const char *const warning_order[] = {
	"appointments_without_view", "forms_without_view",
	"payment_infrastructure_inactive", "uploads_without_reviewer",
	"code_looks_personal", "code_changed",
};
#define ORDER_N (sizeof(warning_order) / sizeof(warning_order[0]))

struct want_warning {
	const char *code;
	perm_set permissions;
	bool has_count;
	long count;
};

/* Checks out[0..n) against want[0..wn). */
static void
check_warnings(const struct portal_warning *out, size_t n,
    const struct want_warning *want, size_t wn)
{
	if (n != wn) {
		for (size_t i = 0; i < n && i <= WARNINGS__MAX; i++)
			print_error("warning %zu: %s\n", i, out[i].code);
		fail_msg("%zu warnings, want %zu", n, wn);
	}
	for (size_t i = 0; i < n; i++) {
		assert_non_null(out[i].code);
		assert_string_equal(out[i].code, want[i].code);
		assert_non_null(out[i].message);
		assert_true(strlen(out[i].message) > 0);
		if (out[i].permissions != want[i].permissions)
			fail_msg("%s: permissions 0x%x, want 0x%x", out[i].code,
			    (unsigned)out[i].permissions,
			    (unsigned)want[i].permissions);
		assert_int_equal(out[i].has_count, want[i].has_count);
		if (want[i].has_count)
			assert_int_equal(out[i].count, want[i].count);
	}
}

/* The facts of a clinic that draws no warning. */
static struct settings_facts
clean_facts(void)
{
	struct settings_facts f;

	memset(&f, 0, sizeof(f));
	f.permissions = PERM_ALL;
	f.payment_active = true;
	f.has_reviewer = true;
	return f;
}

static void
test_warnings_none(void **state)
{
	struct portal_warning out[WARNINGS__MAX + 1];
	struct settings_facts f = clean_facts();

	(void)state;
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(portal_settings_warnings(&f, out), 0);
	/* Nothing is written. */
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(((unsigned char *)out)[i], 0x5a);

	f.permissions = 0;
	f.payment_active = false;
	f.has_reviewer = false;
	assert_int_equal(portal_settings_warnings(&f, out), 0);
	/* Inactive payments and no reviewer matter only with the keys. */
	f.permissions = PERM_ALL & ~(B(MAKE_PAYMENT) | B(UPLOAD_DOCUMENTS));
	assert_int_equal(portal_settings_warnings(&f, out), 0);
	/* A count without a change says nothing. */
	f = clean_facts();
	f.invited_under_old_code = 5;
	assert_int_equal(portal_settings_warnings(&f, out), 0);
}

static void
test_warnings_each_alone(void **state)
{
	struct portal_warning out[WARNINGS__MAX + 1];
	struct settings_facts f;
	struct want_warning w;

	(void)state;
	f = clean_facts();
	f.permissions = PERM_ALL & ~B(VIEW_APPOINTMENTS);
	w = (struct want_warning){ "appointments_without_view",
	    B(CREATE_APPOINTMENT) | B(CANCEL_APPOINTMENT) |
	    B(VIEW_APPOINTMENTS), false, 0 };
	check_warnings(out, portal_settings_warnings(&f, out), &w, 1);
	f.permissions = B(CREATE_APPOINTMENT);
	w.permissions = B(CREATE_APPOINTMENT) | B(VIEW_APPOINTMENTS);
	check_warnings(out, portal_settings_warnings(&f, out), &w, 1);
	f.permissions = B(CANCEL_APPOINTMENT);
	w.permissions = B(CANCEL_APPOINTMENT) | B(VIEW_APPOINTMENTS);
	check_warnings(out, portal_settings_warnings(&f, out), &w, 1);

	f = clean_facts();
	f.permissions = PERM_ALL & ~B(VIEW_FORMS);
	w = (struct want_warning){ "forms_without_view",
	    B(SUBMIT_FORMS) | B(VIEW_FORMS), false, 0 };
	check_warnings(out, portal_settings_warnings(&f, out), &w, 1);

	f = clean_facts();
	f.payment_active = false;
	w = (struct want_warning){ "payment_infrastructure_inactive",
	    B(MAKE_PAYMENT), false, 0 };
	check_warnings(out, portal_settings_warnings(&f, out), &w, 1);

	f = clean_facts();
	f.has_reviewer = false;
	w = (struct want_warning){ "uploads_without_reviewer",
	    B(UPLOAD_DOCUMENTS), false, 0 };
	check_warnings(out, portal_settings_warnings(&f, out), &w, 1);

	f = clean_facts();
	f.code_personal = true;
	w = (struct want_warning){ "code_looks_personal", 0, false, 0 };
	check_warnings(out, portal_settings_warnings(&f, out), &w, 1);

	f = clean_facts();
	f.code_changed = true;
	f.invited_under_old_code = 12;
	w = (struct want_warning){ "code_changed", 0, true, 12 };
	check_warnings(out, portal_settings_warnings(&f, out), &w, 1);
	/* A change with nobody invited still says how many: none. */
	f.invited_under_old_code = 0;
	w.count = 0;
	check_warnings(out, portal_settings_warnings(&f, out), &w, 1);
}

static void
test_warnings_all_in_order(void **state)
{
	struct portal_warning out[WARNINGS__MAX + 1];
	struct settings_facts f;
	const struct want_warning want[] = {
		{ "appointments_without_view", B(CREATE_APPOINTMENT) |
		    B(CANCEL_APPOINTMENT) | B(VIEW_APPOINTMENTS), false, 0 },
		{ "forms_without_view", B(SUBMIT_FORMS) | B(VIEW_FORMS),
		    false, 0 },
		{ "payment_infrastructure_inactive", B(MAKE_PAYMENT), false, 0 },
		{ "uploads_without_reviewer", B(UPLOAD_DOCUMENTS), false, 0 },
		{ "code_looks_personal", 0, false, 0 },
		{ "code_changed", 0, true, 345 },
	};
	size_t n;

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), ORDER_N);
	for (size_t i = 0; i < ORDER_N; i++)
		assert_string_equal(want[i].code, warning_order[i]);

	memset(&f, 0, sizeof(f));
	f.permissions = PERM_ALL & ~(B(VIEW_APPOINTMENTS) | B(VIEW_FORMS));
	f.payment_active = false;
	f.has_reviewer = false;
	f.code_personal = true;
	f.code_changed = true;
	f.invited_under_old_code = 345;
	memset(out, 0x5a, sizeof(out));
	n = portal_settings_warnings(&f, out);
	check_warnings(out, n, want, ORDER_N);
	assert_true(n <= WARNINGS__MAX);
	/* Nothing is written past them. */
	for (size_t i = 0; i < sizeof(out[n]); i++)
		assert_int_equal(((unsigned char *)&out[n])[i], 0x5a);
	/* Only the code_changed warning carries a count. */
	for (size_t i = 0; i + 1 < n; i++)
		assert_false(out[i].has_count);
	/* Every warning has its own message. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(out[i].message, out[j].message);

	/* Any two keep the same relative order. */
	for (size_t a = 0; a < ORDER_N; a++) {
		for (size_t b = a + 1; b < ORDER_N; b++) {
			struct want_warning two[2] = { want[a], want[b] };
			size_t idx[2] = { a, b };

			f = clean_facts();
			for (size_t k = 0; k < 2; k++) {
				switch (idx[k]) {
				case 0:
					f.permissions &= ~B(VIEW_APPOINTMENTS);
					break;
				case 1:
					f.permissions &= ~B(VIEW_FORMS);
					break;
				case 2:
					f.payment_active = false;
					break;
				case 3:
					f.has_reviewer = false;
					break;
				case 4:
					f.code_personal = true;
					break;
				case 5:
					f.code_changed = true;
					f.invited_under_old_code = 345;
					break;
				}
			}
			check_warnings(out, portal_settings_warnings(&f, out),
			    two, 2);
		}
	}
}

static void
test_pair_warnings(void **state)
{
	struct portal_warning out[WARNINGS__MAX + 1];
	struct want_warning both[] = {
		{ "appointments_without_view", B(CANCEL_APPOINTMENT) |
		    B(VIEW_APPOINTMENTS), false, 0 },
		{ "forms_without_view", B(SUBMIT_FORMS) | B(VIEW_FORMS),
		    false, 0 },
	};

	(void)state;
	assert_int_equal(portal_pair_warnings(0, out), 0);
	assert_int_equal(portal_pair_warnings(PERM_ALL, out), 0);
	/* Only the pairs: payment and uploads need facts it does not have. */
	assert_int_equal(portal_pair_warnings(B(MAKE_PAYMENT) |
	    B(UPLOAD_DOCUMENTS), out), 0);
	assert_int_equal(portal_pair_warnings(B(VIEW_APPOINTMENTS) |
	    B(CREATE_APPOINTMENT) | B(CANCEL_APPOINTMENT) | B(VIEW_FORMS) |
	    B(SUBMIT_FORMS), out), 0);

	check_warnings(out, portal_pair_warnings(B(CANCEL_APPOINTMENT) |
	    B(SUBMIT_FORMS) | B(MAKE_PAYMENT), out), both, 2);
	check_warnings(out, portal_pair_warnings(B(CANCEL_APPOINTMENT), out),
	    &both[0], 1);
	check_warnings(out, portal_pair_warnings(B(SUBMIT_FORMS), out),
	    &both[1], 1);
	both[0].permissions = B(CREATE_APPOINTMENT) | B(VIEW_APPOINTMENTS);
	check_warnings(out, portal_pair_warnings(B(CREATE_APPOINTMENT) |
	    B(VIEW_PROFILE), out), &both[0], 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_length),
		cmocka_unit_test(test_code_characters),
		cmocka_unit_test(test_code_hyphens),
		cmocka_unit_test(test_code_reserved),
		cmocka_unit_test(test_code_digit_run),
		cmocka_unit_test(test_fold_ascii_turkish),
		cmocka_unit_test(test_fold_ascii_latin_lower),
		cmocka_unit_test(test_fold_ascii_latin_upper),
		cmocka_unit_test(test_fold_ascii_punctuation),
		cmocka_unit_test(test_fold_words),
		cmocka_unit_test(test_fold_words_unicode_separators),
		cmocka_unit_test(test_fold_truncates),
		cmocka_unit_test(test_code_contains_name),
		cmocka_unit_test(test_warnings_none),
		cmocka_unit_test(test_warnings_each_alone),
		cmocka_unit_test(test_warnings_all_in_order),
		cmocka_unit_test(test_pair_warnings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
