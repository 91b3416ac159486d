/*
 * challenge_test.c - one-time-code challenges (challenge.h) with the
 * database faked at its boundary (db_signin.h): what a start hands over
 * (keyed hashes, never a code in the clear but in the message; the client
 * address's rate key, an IPv6 client by its /64; a contact change's second
 * code bound apart from the first), how a try is judged (both codes, tries
 * shared, a sign-in nobody may use is wrong, a shared contact gets a
 * selection token), the clinic's budget of failed verifications (a wait
 * that grows to CHALLENGE_DELAY_MAX_MS and is never a refusal), and the
 * contact readers and masks.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "arena.h"
#include "challenge.h"
#include "conf.h"
#include "crypto.h"
#include "db_signin.h"
#include "log.h"

#define SECRET "0123456789abcdef0123456789abcdef"

/* ---- the faked database ---- */

static struct {
	/* db_challenge_start */
	struct db_challenge_new started;
	char otp[CRYPTO_OTP_DIGITS + 1], old_otp[CRYPTO_OTP_DIGITS + 1];
	char code_hash[CRYPTO_BYTEA_HEX], old_code_hash[CRYPTO_BYTEA_HEX];
	char addr_key[64];
	bool old_sent;
	/* db_challenge_try */
	enum err try_err;
	struct db_challenge row;
	long cap;
	/* db_challenge_passed */
	enum err passed_err;
	int passed;
	char selection_hash[CRYPTO_BYTEA_HEX];
	/* db_challenge_failed */
	int failed;
} fake;

enum err
db_challenge_start(struct db *db, const struct db_challenge_new *in,
    long *retry_after, bool *old_code_sent)
{
	(void)db;
	fake.started = *in;
	strcpy(fake.otp, in->otp);
	strcpy(fake.code_hash, in->code_hash);
	strcpy(fake.addr_key, in->addr_key);
	fake.old_otp[0] = fake.old_code_hash[0] = '\0';
	if (in->old_otp != NULL) {
		strcpy(fake.old_otp, in->old_otp);
		strcpy(fake.old_code_hash, in->old_code_hash);
	}
	*retry_after = 0;
	*old_code_sent = fake.old_sent;
	return ERR_OK;
}

enum err
db_challenge_try(struct db *db, struct arena *a, enum db_challenge_kind kind,
    const char *clinic_id, const char *patient_id, const char *id,
    long max_attempts, long window_s, long cap, struct db_challenge *out)
{
	(void)db, (void)a, (void)kind, (void)clinic_id, (void)patient_id;
	(void)id, (void)max_attempts, (void)window_s;
	fake.cap = cap;
	if (fake.try_err == ERR_OK)
		*out = fake.row;
	return fake.try_err;
}

enum err
db_challenge_passed(struct db *db, enum db_challenge_kind kind,
    const char *clinic_id, const char *id, const char *selection_hash)
{
	(void)db, (void)kind, (void)clinic_id, (void)id;
	fake.passed++;
	fake.selection_hash[0] = '\0';
	if (selection_hash != NULL)
		strcpy(fake.selection_hash, selection_hash);
	return fake.passed_err;
}

enum err
db_challenge_failed(struct db *db, const char *clinic_id)
{
	(void)db, (void)clinic_id;
	fake.failed++;
	return ERR_OK;
}

/* ---- helpers ---- */

static struct conf conf;
static struct arena *arena;

static int
setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	memset(&conf, 0, sizeof(conf));
	conf.signin_secret = SECRET;
	conf.otp_max_attempts = 5;
	conf.otp_lifetime = 600;
	conf.otp_failure_budget = 100;
	conf.otp_failure_window = 900;
	conf.patient_login_max_per_contact = 5;
	conf.patient_login_max_per_address = 30;
	conf.patient_login_window = 900;
	conf.public_url = "http://127.0.0.1:8080";
	arena = arena_new(4096);
	return arena == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	arena_free(arena);
	return 0;
}

static const char *
start(enum db_challenge_kind kind, const char *addr, struct challenge_started *s)
{
	struct challenge_request in = { .kind = kind, .channel = "sms",
	    .contact = "+905321112233", .client_addr = addr,
	    .patient_id = "00000000-0000-4000-8000-000000000001",
	    .session_hash = "\\x00" };

	assert_int_equal(challenge_start(NULL, &conf, &in, s), ERR_OK);
	return fake.addr_key;
}

/* A live challenge of id whose code is code (and old_code, when not NULL)
 * after attempts tries, the clinic having failures already. */
static void
live(const char *id, const char *code, const char *old_code, long attempts,
    const char *patient_ids, long failures)
{
	static char hash[CRYPTO_BYTEA_HEX], old_hash[CRYPTO_BYTEA_HEX];
	char bound[64];

	crypto_otp_hash(hash, SECRET, id, code);
	memset(&fake.row, 0, sizeof(fake.row));
	fake.row.code_hash = hash;
	if (old_code != NULL) {
		snprintf(bound, sizeof(bound), "%s/old", id);
		crypto_otp_hash(old_hash, SECRET, bound, old_code);
		fake.row.old_code_hash = old_hash;
		fake.row.old_channel = "sms";
		fake.row.old_contact = "+905321112233";
	}
	fake.row.attempts = attempts;
	fake.row.channel = "email";
	fake.row.contact = "new@example.test";
	fake.row.patient_ids = patient_ids;
	fake.row.recent_failures = failures;
	fake.try_err = ERR_OK;
	fake.passed_err = ERR_OK;
}

static enum challenge_verdict
verify(enum db_challenge_kind kind, const char *id, const char *code,
    const char *old_code, struct challenge_result *r)
{
	struct challenge_answer ans = { id, code, old_code };

	assert_int_equal(challenge_verify(NULL, arena, &conf, kind,
	    "00000000-0000-4000-8000-0000000000c1", NULL, &ans, r), ERR_OK);
	return r->verdict;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1000.0 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

#define ID "3f2b6c1e-9a4d-4e8f-8b2a-5c6d7e8f9a0b"

/* ---- tests ---- */

static void
test_start_hands_over_keyed_hashes(void **state)
{
	struct challenge_started s;
	char want[CRYPTO_BYTEA_HEX], bound[64];

	(void)state;
	start(DB_CHALLENGE_SIGN_IN, "192.0.2.7", &s);
	assert_int_equal(strlen(s.id), CRYPTO_UUID_CHARS);
	assert_true(challenge_code_valid(fake.otp));
	crypto_otp_hash(want, SECRET, s.id, fake.otp);
	assert_string_equal(fake.code_hash, want);
	/* A sign-in sends no second code. */
	assert_null(fake.started.old_otp);
	assert_null(fake.started.old_code_hash);

	start(DB_CHALLENGE_CONTACT_CHANGE, "192.0.2.7", &s);
	assert_true(challenge_code_valid(fake.old_otp));
	snprintf(bound, sizeof(bound), "%s/old", s.id);
	crypto_otp_hash(want, SECRET, bound, fake.old_otp);
	assert_string_equal(fake.old_code_hash, want);
	/* The second code's hash is bound apart: the same digits under the
	 * plain id hash otherwise. */
	crypto_otp_hash(want, SECRET, s.id, fake.old_otp);
	assert_string_not_equal(fake.old_code_hash, want);
	assert_string_equal(fake.started.session_hash, "\\x00");
}

static void
test_start_counts_ipv6_clients_by_their_64(void **state)
{
	struct challenge_started s;
	char first[64];

	(void)state;
	assert_string_equal(start(DB_CHALLENGE_SIGN_IN, "203.0.113.9", &s),
	    "203.0.113.9");
	strcpy(first, start(DB_CHALLENGE_SIGN_IN, "2001:db8:7:1::1", &s));
	assert_string_equal(first, "2001:db8:7:1::/64");
	assert_string_equal(start(DB_CHALLENGE_CONTACT_CHANGE,
	    "2001:db8:7:1:ffff:eeee:dddd:cccc", &s), first);
	assert_string_not_equal(start(DB_CHALLENGE_SIGN_IN, "2001:db8:7:2::1",
	    &s), first);
	assert_string_equal(start(DB_CHALLENGE_SIGN_IN, NULL, &s), "-");
}

static void
test_right_code_passes_once(void **state)
{
	struct challenge_result r;

	(void)state;
	live(ID, "123456", NULL, 1, "00000000-0000-4000-8000-0000000000a1", 0);
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "123456", NULL, &r),
	    CHALLENGE_PASSED);
	assert_int_equal(fake.passed, 1);
	assert_int_equal(fake.failed, 0);
	assert_string_equal(r.selection_token, "");
	assert_string_equal(fake.selection_hash, "");
	assert_string_equal(r.contact, "new@example.test");
	/* The id as typed in capitals is the same challenge. */
	live(ID, "123456", NULL, 1, "00000000-0000-4000-8000-0000000000a1", 0);
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN,
	    "3F2B6C1E-9A4D-4E8F-8B2A-5C6D7E8F9A0B", "123456", NULL, &r),
	    CHALLENGE_PASSED);
	/* Another request met it first. */
	live(ID, "123456", NULL, 2, "00000000-0000-4000-8000-0000000000a1", 0);
	fake.passed_err = ERR_NOT_FOUND;
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "123456", NULL, &r),
	    CHALLENGE_GONE);
	/* No live challenge at all. */
	fake.try_err = ERR_NOT_FOUND;
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "123456", NULL, &r),
	    CHALLENGE_GONE);
}

static void
test_wrong_code_spends_a_try(void **state)
{
	struct challenge_result r;

	(void)state;
	for (long attempts = 1; attempts <= 5; attempts++) {
		live(ID, "123456", NULL, attempts,
		    "00000000-0000-4000-8000-0000000000a1", 0);
		assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "654321", NULL,
		    &r), CHALLENGE_WRONG);
		assert_int_equal(r.attempts_left, 5 - attempts);
	}
	assert_int_equal(fake.failed, 5);
	assert_int_equal(fake.passed, 0);
}

static void
test_sign_in_nobody_may_use_is_wrong(void **state)
{
	struct challenge_result r;

	(void)state;
	/* An unknown contact's challenge (or every patient lost access): even
	 * the right code is a wrong try, answered alike. */
	live(ID, "123456", NULL, 1, "", 0);
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "123456", NULL, &r),
	    CHALLENGE_WRONG);
	assert_int_equal(r.attempts_left, 4);
	assert_int_equal(fake.passed, 0);
}

static void
test_shared_contact_gets_a_selection_token(void **state)
{
	struct challenge_result r;
	char hash[CRYPTO_BYTEA_HEX];

	(void)state;
	live(ID, "123456", NULL, 1, "00000000-0000-4000-8000-0000000000a1,"
	    "00000000-0000-4000-8000-0000000000a2", 0);
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "123456", NULL, &r),
	    CHALLENGE_PASSED);
	assert_int_equal(strlen(r.selection_token), CRYPTO_TOKEN_CHARS);
	crypto_token_hash(hash, r.selection_token);
	assert_string_equal(fake.selection_hash, hash);
}

static void
test_contact_change_needs_both_codes(void **state)
{
	struct challenge_result r;
	static const struct {
		const char *code, *old_code;
		enum challenge_verdict want;
	} cases[] = {
		{ "111111", NULL, CHALLENGE_WRONG },		/* old code missing */
		{ "111111", "333333", CHALLENGE_WRONG },	/* old code wrong */
		{ "333333", "222222", CHALLENGE_WRONG },	/* new code wrong */
		{ "222222", "111111", CHALLENGE_WRONG },	/* swapped */
		{ "111111", "222222", CHALLENGE_PASSED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		live(ID, "111111", "222222", (long)i + 1, NULL, 0);
		assert_int_equal(verify(DB_CHALLENGE_CONTACT_CHANGE, ID,
		    cases[i].code, cases[i].old_code, &r), cases[i].want);
		if (cases[i].want == CHALLENGE_WRONG)
			/* One shared count of tries. */
			assert_int_equal(r.attempts_left, 5 - ((long)i + 1));
	}
	assert_int_equal(fake.failed, 4);
	assert_string_equal(r.old_contact, "+905321112233");
	/* A challenge that sent no second code needs none. */
	live(ID, "111111", NULL, 1, NULL, 0);
	assert_int_equal(verify(DB_CHALLENGE_CONTACT_CHANGE, ID, "111111",
	    NULL, &r), CHALLENGE_PASSED);
}

static void
test_budget_only_adds_delay(void **state)
{
	struct challenge_result r;
	struct timespec t0;
	double ms;

	(void)state;
	conf.otp_failure_budget = 3;
	/* Within the budget: no wait. */
	live(ID, "123456", NULL, 1, "00000000-0000-4000-8000-0000000000a1", 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "000000", NULL, &r),
	    CHALLENGE_WRONG);
	assert_true(ms_since(&t0) < 100);
	/* The try asks for enough of the ledger to reach the longest wait. */
	assert_int_equal(fake.cap, 3 + CHALLENGE_DELAY_MAX_MS /
	    CHALLENGE_DELAY_STEP_MS + 1);
	/* The first failure over it: one step. */
	live(ID, "123456", NULL, 1, "00000000-0000-4000-8000-0000000000a1", 3);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "000000", NULL, &r),
	    CHALLENGE_WRONG);
	ms = ms_since(&t0);
	assert_true(ms >= CHALLENGE_DELAY_STEP_MS - 5 &&
	    ms < 2 * CHALLENGE_DELAY_STEP_MS);
	/* Far over it: the longest wait, still an answer, never a refusal. */
	live(ID, "123456", NULL, 1, "00000000-0000-4000-8000-0000000000a1",
	    1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "000000", NULL, &r),
	    CHALLENGE_WRONG);
	ms = ms_since(&t0);
	assert_true(ms >= CHALLENGE_DELAY_MAX_MS - 5 &&
	    ms < CHALLENGE_DELAY_MAX_MS + 300);
	assert_int_equal(r.attempts_left, 4);
	/* The right code is not slowed down, and passes. */
	live(ID, "123456", NULL, 1, "00000000-0000-4000-8000-0000000000a1",
	    1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(verify(DB_CHALLENGE_SIGN_IN, ID, "123456", NULL, &r),
	    CHALLENGE_PASSED);
	assert_true(ms_since(&t0) < 100);
}

static void
test_code_format(void **state)
{
	(void)state;
	assert_true(challenge_code_valid("012345"));
	assert_false(challenge_code_valid("12345"));
	assert_false(challenge_code_valid("1234567"));
	assert_false(challenge_code_valid("12a456"));
	assert_false(challenge_code_valid(""));
}

static void
test_contact_reading(void **state)
{
	const char *channel, *contact;

	(void)state;
	assert_int_equal(challenge_contact(arena, "Ali@Example.TEST", NULL,
	    "TR", &channel, &contact), CHALLENGE_CONTACT_OK);
	assert_string_equal(channel, "email");
	assert_string_equal(contact, "ali@example.test");
	assert_int_equal(challenge_contact(arena, "0532 111 22 33", NULL, "TR",
	    &channel, &contact), CHALLENGE_CONTACT_OK);
	assert_string_equal(channel, "sms");
	assert_string_equal(contact, "+905321112233");
	/* National forms by the clinic's country. */
	assert_int_equal(challenge_contact(arena, "0151 23456789", "sms", "DE",
	    &channel, &contact), CHALLENGE_CONTACT_OK);
	assert_string_equal(contact, "+4915123456789");
	/* The channel named decides how the text is read. */
	assert_int_equal(challenge_contact(arena, "0532 111 22 33", "email",
	    "TR", &channel, &contact), CHALLENGE_CONTACT_INVALID);
	assert_int_equal(challenge_contact(arena, "a@b.test", "sms", "TR",
	    &channel, &contact), CHALLENGE_CONTACT_INVALID);
	assert_int_equal(challenge_contact(arena, "hello", NULL, "TR", &channel,
	    &contact), CHALLENGE_CONTACT_INVALID);
	assert_int_equal(challenge_contact(arena, "+90 532 111 22 33 44 55 66 "
	    "77 88 99 00 11", NULL, "TR", &channel, &contact),
	    CHALLENGE_CONTACT_INVALID);
}

/* A code never goes by SMS where no SMS arrives: landlines (Istanbul,
 * Berlin) and a VoIP number are refused for what they are, whoever has
 * them. */
static void
test_contact_no_sms(void **state)
{
	const char *channel = NULL, *contact = NULL;

	(void)state;
	assert_int_equal(challenge_contact(arena, "0212 123 45 67", NULL, "TR",
	    &channel, &contact), CHALLENGE_CONTACT_NO_SMS);
	assert_int_equal(challenge_contact(arena, "030 1234567", "sms", "DE",
	    &channel, &contact), CHALLENGE_CONTACT_NO_SMS);
	assert_int_equal(challenge_contact(arena, "+90 850 123 45 67", NULL,
	    "TR", &channel, &contact), CHALLENGE_CONTACT_NO_SMS);
	assert_null(channel);
	assert_null(contact);
}

static void
test_masks(void **state)
{
	(void)state;
	assert_string_equal(challenge_mask(arena, "sms", "+905321112233"),
	    "+90********33");
	assert_string_equal(challenge_mask(arena, "email",
	    "ali.veli@example.com"), "a***@e***.com");
	assert_string_equal(challenge_mask(arena, "email",
	    "\xc3\xbcmit@m\xc3\xbchendis.com.tr"),
	    "\xc3\xbc***@m***.tr");
	/* No placeholder can come out of a masked value. */
	assert_null(strstr(challenge_mask(arena, "email", "{{otp}}@x.{{a}}"),
	    "{{"));
	assert_null(strstr(challenge_mask(arena, "email", "{@{.x"), "{"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_hands_over_keyed_hashes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_start_counts_ipv6_clients_by_their_64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_right_code_passes_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_code_spends_a_try,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sign_in_nobody_may_use_is_wrong, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_shared_contact_gets_a_selection_token, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_contact_change_needs_both_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_only_adds_delay,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_format, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_contact_reading, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_contact_no_sms, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_masks, setup, teardown),
	};

	log_init("challenge_test", LOG_ERROR);
	crypto_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
