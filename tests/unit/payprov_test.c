/*
 * payprov_test.c - unit tests of the payment providers (payprov.h).
 *
 * The known answers below were computed apart from this code, with
 * Python's hmac, hashlib and base64 modules, from DESIGN.md's formulas:
 *
 *   hmac.new(secret, (str(t) + "." + body).encode(), sha256).hexdigest()
 *   base64.b64encode(hmac.new(key, (merchant_id + user_ip + ... +
 *       merchant_salt).encode(), sha256).digest())
 *
 * and RFC 4231's first HMAC-SHA256 test case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "arena.h"
#include "conf.h"
#include "payprov.h"

#define DG_SECRET "whsec_test_secret"
#define DG_T 1767225600
#define DG_BODY "{\"id\":\"evt_1\",\"type\":\"payment.succeeded\",\"data\":" \
	"{\"reference\":\"P123abc\",\"amount\":15000,\"currency\":\"TRY\"}}"
#define DG_V1 "e049b8058c9c9e9cd43b682218bb79f4bb463c42fb4f6b5f3209cb9e8f76ae5f"

#define PT_ID "123456"
#define PT_KEY "KEYkeyKEYkey1234"
#define PT_SALT "SALTsalt5678"
/* base64 of [["Muayene / Exam","150.50",1]] */
#define PT_BASKET "W1siTXVheWVuZSAvIEV4YW0iLCIxNTAuNTAiLDFdXQ=="
#define PT_TOKEN "1L2KiiDQt0GzwOKxKLBvvjxv/bbrV536BqTVCiNMbXo="
/* merchant_oid P123abc, status success, total_amount 15050 */
#define PT_HASH "ABPn5gcVsN/plkVi3iu3LNCVSvsXT+CwsuAZtne8U8c="

static const struct payprov_creds dg_creds = { .merchant_id = "m_1",
    .secret = DG_SECRET };
static const struct payprov_creds pt_creds = { .merchant_id = PT_ID,
    .merchant_key = PT_KEY, .merchant_salt = PT_SALT };

static int
setup(void **state)
{
	if (sodium_init() < 0)
		return -1;
	*state = arena_new(16 * 1024);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static void
hex(char *out, const unsigned char *mac)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", mac[i]);
}

static void
test_hmac_known_answers(void **state)
{
	static const char key[21] = "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"
	    "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b";
	const char *hi[] = { "Hi ", "There" };
	const char *abc[] = { "abc" };
	char long_key[101], out[65];
	unsigned char mac[32];

	(void)state;
	/* RFC 4231 test case 1, the data given in two parts. */
	payprov_hmac(key, hi, 2, mac);
	hex(out, mac);
	assert_string_equal(out, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
	/* A key longer than the block (64 bytes) is hashed first. */
	memset(long_key, 'k', 100);
	long_key[100] = '\0';
	payprov_hmac(long_key, abc, 1, mac);
	hex(out, mac);
	assert_string_equal(out, "b58b2b694fdba0dd76da3ebe99174f72"
	    "8d327560f36ece224e90867972479922");
}

static void
test_devgateway_sign(void **state)
{
	const char *h = payprov_devgateway_sign(*state, DG_SECRET, DG_T, DG_BODY,
	    strlen(DG_BODY));

	assert_string_equal(h, "t=1767225600,v1=" DG_V1);
}

static void
test_signature_parse(void **state)
{
	unsigned char v1[32];
	int64_t t = 0;

	(void)state;
	assert_true(payprov_signature_parse("t=1767225600,v1=" DG_V1, &t, v1));
	assert_int_equal(t, DG_T);
	assert_int_equal(v1[0], 0xe0);
	assert_int_equal(v1[31], 0x5f);
	/* Either order; spaces after the comma. */
	assert_true(payprov_signature_parse("v1=" DG_V1 ", t=5", &t, v1));
	assert_int_equal(t, 5);

	assert_false(payprov_signature_parse(NULL, &t, v1));
	assert_false(payprov_signature_parse("", &t, v1));
	assert_false(payprov_signature_parse("t=1767225600", &t, v1));
	assert_false(payprov_signature_parse("v1=" DG_V1, &t, v1));
	assert_false(payprov_signature_parse("t=1,t=2,v1=" DG_V1, &t, v1));
	assert_false(payprov_signature_parse("t=1,v1=" DG_V1 ",v1=" DG_V1, &t,
	    v1));
	assert_false(payprov_signature_parse("t=1,v1=" DG_V1 ",v0=aa", &t, v1));
	assert_false(payprov_signature_parse("t=-1,v1=" DG_V1, &t, v1));
	assert_false(payprov_signature_parse("t=1x,v1=" DG_V1, &t, v1));
	assert_false(payprov_signature_parse("t=,v1=" DG_V1, &t, v1));
	assert_false(payprov_signature_parse("t=1,v1=" DG_V1 "00", &t, v1));
	assert_false(payprov_signature_parse("t=1,v1=zz49b8058c9c9e9cd43b6822"
	    "18bb79f4bb463c42fb4f6b5f3209cb9e8f76ae5f", &t, v1));
	assert_false(payprov_signature_parse("t=1;v1=" DG_V1, &t, v1));
	assert_false(payprov_signature_parse("garbage", &t, v1));
	assert_false(payprov_signature_parse(",,,", &t, v1));
	assert_false(payprov_signature_parse("t=99999999999999999999,v1=" DG_V1,
	    &t, v1));
}

static enum err
dg_verify(struct arena *a, const char *body, const char *sig, time_t now,
    struct payprov_event *ev, const char **why)
{
	return payprov_verify(a, PAYPROV_DEVGATEWAY, &dg_creds, body,
	    strlen(body), "application/json", sig, now, ev, why);
}

static void
test_devgateway_verify(void **state)
{
	struct payprov_event ev;
	const char *why, *ref;

	assert_int_equal(dg_verify(*state, DG_BODY, "t=1767225600,v1=" DG_V1,
	    DG_T + 10, &ev, &why), ERR_OK);
	assert_string_equal(ev.event_id, "evt_1");
	assert_string_equal(ev.reference, "P123abc");
	assert_int_equal(ev.status, PAYPROV_SUCCEEDED);
	assert_int_equal(ev.amount, 15000);
	assert_string_equal(ev.currency, "TRY");
	/* A charset parameter is fine. */
	assert_int_equal(payprov_verify(*state, PAYPROV_DEVGATEWAY, &dg_creds,
	    DG_BODY, strlen(DG_BODY), "application/json; charset=utf-8",
	    "t=1767225600,v1=" DG_V1, DG_T, &ev, &why), ERR_OK);

	/* The reference is read before verifying. */
	assert_int_equal(payprov_callback_reference(*state, PAYPROV_DEVGATEWAY,
	    DG_BODY, strlen(DG_BODY), "application/json", &ref), ERR_OK);
	assert_string_equal(ref, "P123abc");
}

static void
test_devgateway_time_window(void **state)
{
	struct payprov_event ev;
	const char *why;
	const char *sig = "t=1767225600,v1=" DG_V1;

	/* 300 s either side is in; 301 is out, stale or from the future. */
	assert_int_equal(dg_verify(*state, DG_BODY, sig, DG_T + 300, &ev, &why),
	    ERR_OK);
	assert_int_equal(dg_verify(*state, DG_BODY, sig, DG_T - 300, &ev, &why),
	    ERR_OK);
	assert_int_equal(dg_verify(*state, DG_BODY, sig, DG_T + 301, &ev, &why),
	    ERR_FORBIDDEN);
	assert_non_null(strstr(why, "300 seconds"));
	assert_int_equal(dg_verify(*state, DG_BODY, sig, DG_T - 301, &ev, &why),
	    ERR_FORBIDDEN);
}

static void
test_devgateway_tampered(void **state)
{
	struct payprov_event ev;
	const char *why;
	char body[] = DG_BODY, sig[] = "t=1767225600,v1=" DG_V1;
	struct payprov_creds other = { .merchant_id = "m_1", .secret = "other" };
	char *amount = strstr(body, "15000");

	/* One digit of the amount changed. */
	amount[0] = '9';
	assert_int_equal(dg_verify(*state, body, sig, DG_T, &ev, &why),
	    ERR_FORBIDDEN);
	assert_non_null(strstr(why, "signature"));
	assert_null(ev.reference);
	/* The right body with another t (a replay moved in time). */
	assert_int_equal(dg_verify(*state, DG_BODY,
	    "t=1767225601,v1=" DG_V1, DG_T, &ev, &why), ERR_FORBIDDEN);
	/* One hex digit of v1 changed. */
	sig[strlen(sig) - 1] = 'e';
	assert_int_equal(dg_verify(*state, DG_BODY, sig, DG_T, &ev, &why),
	    ERR_FORBIDDEN);
	/* Another clinic's secret. */
	assert_int_equal(payprov_verify(*state, PAYPROV_DEVGATEWAY, &other,
	    DG_BODY, strlen(DG_BODY), "application/json",
	    "t=1767225600,v1=" DG_V1, DG_T, &ev, &why), ERR_FORBIDDEN);
	/* No header, a garbled one. */
	assert_int_equal(dg_verify(*state, DG_BODY, NULL, DG_T, &ev, &why),
	    ERR_INVALID);
	assert_int_equal(dg_verify(*state, DG_BODY, "v1=" DG_V1, DG_T, &ev,
	    &why), ERR_INVALID);
	/* Credentials of the other provider. */
	assert_int_equal(payprov_verify(*state, PAYPROV_DEVGATEWAY, &pt_creds,
	    DG_BODY, strlen(DG_BODY), "application/json",
	    "t=1767225600,v1=" DG_V1, DG_T, &ev, &why), ERR_INVALID);
}

/* A body signed right but not the provider's shape is still refused. */
static void
test_devgateway_shape(void **state)
{
	static const char *const bodies[] = {
		"{\"id\":\"evt_1\",\"type\":\"payment.refunded\",\"data\":"
		    "{\"reference\":\"P1\",\"amount\":1,\"currency\":\"TRY\"}}",
		"{\"id\":\"evt_1\",\"type\":\"payment.succeeded\",\"data\":"
		    "{\"reference\":\"P-1\",\"amount\":1,\"currency\":\"TRY\"}}",
		"{\"id\":\"evt_1\",\"type\":\"payment.succeeded\",\"data\":"
		    "{\"reference\":\"P1\",\"amount\":1.5,\"currency\":\"TRY\"}}",
		"{\"id\":\"evt_1\",\"type\":\"payment.succeeded\",\"data\":"
		    "{\"reference\":\"P1\",\"amount\":-1,\"currency\":\"TRY\"}}",
		"{\"id\":\"evt_1\",\"type\":\"payment.succeeded\",\"data\":"
		    "{\"reference\":\"P1\",\"amount\":1,\"currency\":\"try\"}}",
		"{\"type\":\"payment.succeeded\",\"data\":"
		    "{\"reference\":\"P1\",\"amount\":1,\"currency\":\"TRY\"}}",
		"{\"id\":\"evt 1\",\"type\":\"payment.succeeded\",\"data\":"
		    "{\"reference\":\"P1\",\"amount\":1,\"currency\":\"TRY\"}}",
		"[1]",
		"{\"id\":\"evt_1\",\"data\":[]}",
		"not json",
	};
	struct payprov_event ev;
	const char *why;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		const char *sig = payprov_devgateway_sign(*state, DG_SECRET, DG_T,
		    bodies[i], strlen(bodies[i]));

		if (dg_verify(*state, bodies[i], sig, DG_T, &ev, &why) !=
		    ERR_INVALID)
			fail_msg("accepted: %s", bodies[i]);
	}
	/* The right body as text/plain. */
	assert_int_equal(payprov_verify(*state, PAYPROV_DEVGATEWAY, &dg_creds,
	    DG_BODY, strlen(DG_BODY), "text/plain", "t=1767225600,v1=" DG_V1,
	    DG_T, &ev, &why), ERR_INVALID);
	/* A failure event reads as failed. */
	{
		const char *body = "{\"id\":\"evt_2\",\"type\":\"payment.failed\","
		    "\"data\":{\"reference\":\"P9\",\"amount\":0,\"currency\":"
		    "\"EUR\"}}";
		const char *sig = payprov_devgateway_sign(*state, DG_SECRET, DG_T,
		    body, strlen(body));

		assert_int_equal(dg_verify(*state, body, sig, DG_T, &ev, &why),
		    ERR_OK);
		assert_int_equal(ev.status, PAYPROV_FAILED);
		assert_string_equal(ev.currency, "EUR");
	}
}

static void
test_paytr_formulas(void **state)
{
	const char *basket = payprov_paytr_basket(*state, "Muayene / Exam", 15050);

	assert_string_equal(basket, PT_BASKET);
	/* Turkish letters go through as UTF-8; 105 minor units are 1.05. */
	assert_string_equal(payprov_paytr_basket(*state, "Diş taşı temizliği",
	    105), "W1siRGnFnyB0YcWfxLEgdGVtaXpsacSfaSIsIjEuMDUiLDFdXQ==");
	assert_string_equal(payprov_paytr_token(*state, &pt_creds,
	    "203.0.113.7", "P123abc", "hasta@example.com", "15050", basket,
	    "1", "0", "TL", "1"), PT_TOKEN);
	assert_string_equal(payprov_paytr_hash(*state, &pt_creds, "P123abc",
	    "success", "15050"), PT_HASH);
}

#define PT_FORM(hash, total) "merchant_oid=P123abc&status=success" \
	"&total_amount=" total "&hash=" hash "&failed_reason_code=" \
	"&failed_reason_msg=&test_mode=1&payment_type=card&currency=TL" \
	"&payment_amount=15050"
/* The hash with + and / percent-encoded, as a browser form would. */
#define PT_HASH_ENC "ABPn5gcVsN%2FplkVi3iu3LNCVSvsXT%2BCwsuAZtne8U8c%3D"

static enum err
pt_verify(struct arena *a, const char *body, struct payprov_event *ev,
    const char **why)
{
	return payprov_verify(a, PAYPROV_PAYTR, &pt_creds, body, strlen(body),
	    "application/x-www-form-urlencoded", NULL, 0, ev, why);
}

static void
test_paytr_verify(void **state)
{
	struct payprov_event ev;
	const char *why, *ref;
	struct payprov_answer ans;

	assert_int_equal(pt_verify(*state, PT_FORM(PT_HASH_ENC, "15050"), &ev,
	    &why), ERR_OK);
	assert_string_equal(ev.reference, "P123abc");
	assert_string_equal(ev.event_id, "P123abcsuccess");
	assert_int_equal(ev.status, PAYPROV_SUCCEEDED);
	assert_int_equal(ev.amount, 15050);
	assert_string_equal(ev.currency, "TRY");
	assert_int_equal(payprov_callback_reference(*state, PAYPROV_PAYTR,
	    PT_FORM(PT_HASH_ENC, "15050"), strlen(PT_FORM(PT_HASH_ENC,
	    "15050")), "application/x-www-form-urlencoded; charset=utf-8",
	    &ref), ERR_OK);
	assert_string_equal(ref, "P123abc");

	/* The hash not encoded: its + reads as a space, and so fails. */
	assert_int_equal(pt_verify(*state, PT_FORM(PT_HASH, "15050"), &ev,
	    &why), ERR_FORBIDDEN);
	/* The amount changed under the same hash. */
	assert_int_equal(pt_verify(*state, PT_FORM(PT_HASH_ENC, "15051"), &ev,
	    &why), ERR_FORBIDDEN);
	assert_non_null(strstr(why, "hash"));
	/* Another merchant's key. */
	{
		struct payprov_creds other = pt_creds;

		other.merchant_key = "another";
		assert_int_equal(payprov_verify(*state, PAYPROV_PAYTR, &other,
		    PT_FORM(PT_HASH_ENC, "15050"), strlen(PT_FORM(PT_HASH_ENC,
		    "15050")), "application/x-www-form-urlencoded", NULL, 0,
		    &ev, &why), ERR_FORBIDDEN);
	}
	/* No hash; the form as JSON. */
	assert_int_equal(pt_verify(*state, "merchant_oid=P1&status=success"
	    "&total_amount=1", &ev, &why), ERR_INVALID);
	assert_int_equal(payprov_verify(*state, PAYPROV_PAYTR, &pt_creds,
	    DG_BODY, strlen(DG_BODY), "application/json", NULL, 0, &ev, &why),
	    ERR_INVALID);

	payprov_callback_answer(PAYPROV_PAYTR, &ans);
	assert_int_equal(ans.status, 200);
	assert_string_equal(ans.body, "OK");
	payprov_callback_answer(PAYPROV_DEVGATEWAY, &ans);
	assert_string_equal(ans.content_type, "application/json");
}

/* A failed PayTR callback, hashed here over its own fields. */
static void
test_paytr_failed(void **state)
{
	const char *hash = payprov_paytr_hash(*state, &pt_creds, "P77", "failed",
	    "500");
	char body[512], enc[128];
	struct payprov_event ev;
	const char *why;
	size_t o = 0;

	for (const char *p = hash; *p; p++)
		o += (size_t)sprintf(enc + o, *p == '+' ? "%%2B" : *p == '/' ?
		    "%%2F" : *p == '=' ? "%%3D" : "%c", *p);
	snprintf(body, sizeof(body), "merchant_oid=P77&status=failed&"
	    "total_amount=500&hash=%s&currency=USD&failed_reason_msg="
	    "Kart+limiti+yetersiz", enc);
	assert_int_equal(pt_verify(*state, body, &ev, &why), ERR_OK);
	assert_int_equal(ev.status, PAYPROV_FAILED);
	assert_string_equal(ev.event_id, "P77failed");
	assert_string_equal(ev.currency, "USD");
}

static void
test_form_parse(void **state)
{
	struct payprov_field f[8];
	size_t n;
	char big[600];

	assert_int_equal(payprov_form_parse(*state, "a=1&b=x+y%2Bz&c=&d", 18,
	    f, 8, &n), ERR_OK);
	assert_int_equal(n, 4);
	assert_string_equal(f[0].name, "a");
	assert_string_equal(f[0].value, "1");
	assert_string_equal(f[1].value, "x y+z");
	assert_string_equal(f[2].name, "c");
	assert_string_equal(f[2].value, "");
	assert_string_equal(f[3].value, "");
	/* Lower-case escapes, UTF-8 bytes, empty pairs skipped. */
	assert_int_equal(payprov_form_parse(*state, "msg=Di%c5%9f&&x%3D=1", 20,
	    f, 8, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].value, "Diş");
	assert_string_equal(f[1].name, "x=");

	/* Bad escapes, a NUL, a name twice, no name, too many pairs. */
	assert_int_equal(payprov_form_parse(*state, "a=%2", 4, f, 8, &n),
	    ERR_INVALID);
	assert_int_equal(payprov_form_parse(*state, "a=%", 3, f, 8, &n),
	    ERR_INVALID);
	assert_int_equal(payprov_form_parse(*state, "a=%zz", 5, f, 8, &n),
	    ERR_INVALID);
	assert_int_equal(payprov_form_parse(*state, "a=%00", 5, f, 8, &n),
	    ERR_INVALID);
	assert_int_equal(payprov_form_parse(*state, "a=1&a=2", 7, f, 8, &n),
	    ERR_INVALID);
	assert_int_equal(payprov_form_parse(*state, "=1", 2, f, 8, &n),
	    ERR_INVALID);
	assert_int_equal(payprov_form_parse(*state, "a&b&c", 5, f, 2, &n),
	    ERR_INVALID);
	/* A value of 255 bytes is read; 256 is refused. */
	memset(big, 'v', sizeof(big));
	memcpy(big, "k=", 2);
	assert_int_equal(payprov_form_parse(*state, big, 2 + 255, f, 8, &n),
	    ERR_OK);
	assert_int_equal(strlen(f[0].value), 255);
	assert_int_equal(payprov_form_parse(*state, big, 2 + 256, f, 8, &n),
	    ERR_INVALID);
	/* A body over 64 KiB is refused before it is read. */
	assert_int_equal(payprov_form_parse(*state, "a=1",
	    PAYPROV_BODY_MAX + 1, f, 8, &n), ERR_INVALID);
}

static void
test_seal_round_trip(void **state)
{
	static const char creds[] = "{\"merchant_id\":\"m\",\"secret\":\"s3cr\"}";
	unsigned char key[PAYPROV_KEY_BYTES], other[PAYPROV_KEY_BYTES];
	const char *sealed, *again;
	char *plain;
	size_t len;
	struct payprov_creds c;

	assert_true(payprov_key_parse("00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff", key));
	assert_true(payprov_key_parse("ffffffffffffffffffffffffffffffff"
	    "00000000000000000000000000000000", other));
	assert_false(payprov_key_parse("", other));
	assert_false(payprov_key_parse("0011", other));
	assert_false(payprov_key_parse("g0112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff", other));

	assert_int_equal(payprov_seal(*state, key, creds, strlen(creds),
	    &sealed), ERR_OK);
	assert_memory_equal(sealed, "\\x", 2);
	/* nonce 24 + MAC 16 + the text, in hex. */
	assert_int_equal(strlen(sealed), 2 + 2 * (24 + 16 + strlen(creds)));
	assert_null(strstr(sealed, "s3cr"));
	/* A fresh nonce each time. */
	assert_int_equal(payprov_seal(*state, key, creds, strlen(creds),
	    &again), ERR_OK);
	assert_string_not_equal(sealed, again);

	assert_int_equal(payprov_open(*state, key, sealed, &plain, &len),
	    ERR_OK);
	assert_int_equal(len, strlen(creds));
	assert_string_equal(plain, creds);
	assert_int_equal(payprov_creds_parse(*state, PAYPROV_DEVGATEWAY, plain,
	    len, &c), ERR_OK);
	assert_string_equal(c.merchant_id, "m");
	assert_string_equal(c.secret, "s3cr");
	/* The wrong provider's fields. */
	assert_int_equal(payprov_creds_parse(*state, PAYPROV_PAYTR, plain, len,
	    &c), ERR_INVALID);

	/* Another key, a changed byte, a cut, not bytea at all. */
	assert_int_equal(payprov_open(*state, other, sealed, &plain, &len),
	    ERR_INVALID);
	assert_null(plain);
	{
		char *changed = strdup(sealed);

		changed[60] = changed[60] == '0' ? '1' : '0';
		assert_int_equal(payprov_open(*state, key, changed, &plain,
		    &len), ERR_INVALID);
		changed[40] = '\0';
		assert_int_equal(payprov_open(*state, key, changed, &plain,
		    &len), ERR_INVALID);
		free(changed);
	}
	assert_int_equal(payprov_open(*state, key, "plain text", &plain, &len),
	    ERR_INVALID);
	assert_int_equal(payprov_open(*state, key, "\\xzz", &plain, &len),
	    ERR_INVALID);
}

static void
test_creds_parse(void **state)
{
	struct payprov_creds c;
	const char *ok = "{\"merchant_id\":\"1\",\"merchant_key\":\"k\","
	    "\"merchant_salt\":\"s\"}";
	const char *extra = "{\"merchant_id\":\"1\",\"merchant_key\":\"k\","
	    "\"merchant_salt\":\"s\",\"x\":\"y\"}";
	const char *empty = "{\"merchant_id\":\"\",\"merchant_key\":\"k\","
	    "\"merchant_salt\":\"s\"}";

	assert_int_equal(payprov_creds_parse(*state, PAYPROV_PAYTR, ok,
	    strlen(ok), &c), ERR_OK);
	assert_string_equal(c.merchant_key, "k");
	assert_null(c.secret);
	assert_int_equal(payprov_creds_parse(*state, PAYPROV_PAYTR, extra,
	    strlen(extra), &c), ERR_INVALID);
	assert_int_equal(payprov_creds_parse(*state, PAYPROV_PAYTR, empty,
	    strlen(empty), &c), ERR_INVALID);
	assert_int_equal(payprov_creds_parse(*state, PAYPROV_PAYTR, "[]", 2,
	    &c), ERR_INVALID);
}

static void
test_names(void **state)
{
	(void)state;
	assert_int_equal(payprov_from_name("devgateway"), PAYPROV_DEVGATEWAY);
	assert_int_equal(payprov_from_name("paytr"), PAYPROV_PAYTR);
	assert_int_equal(payprov_from_name("iyzico"), -1);
	assert_int_equal(payprov_from_name(NULL), -1);
	assert_string_equal(payprov_name(PAYPROV_PAYTR), "paytr");
	assert_string_equal(payprov_cred_fields(PAYPROV_DEVGATEWAY)[1], "secret");
	assert_null(payprov_cred_fields(PAYPROV_PAYTR)[3]);
}

/* Nothing listens on port 1: the checkout fails at "connect", and an
 * incomplete one at "input" before any call. */
static void
test_checkout_steps(void **state)
{
	struct conf c;
	char err[256];
	struct payprov_checkout in = { .provider = PAYPROV_DEVGATEWAY,
	    .creds = &dg_creds, .reference = "P1", .amount = 100,
	    .currency = "TRY", .description = "Test", .return_url =
	    "http://127.0.0.1/r", .callback_url = "http://127.0.0.1/c" };
	struct payprov_result r;

	assert_int_equal(conf_load_text(&c, "devgateway_url = "
	    "http://127.0.0.1:1\npaytr_api_url = http://127.0.0.1:1/paytr\n"
	    "payment_http_timeout_ms = 2000\n", "t", err, sizeof(err)), 0);
	assert_int_equal(payprov_checkout(*state, &c, &in, &r), ERR_UPSTREAM);
	assert_false(r.ok);
	assert_string_equal(r.step, "connect");
	assert_non_null(r.detail);

	in.provider = PAYPROV_PAYTR;
	in.creds = &pt_creds;
	in.email = "a@example.com";
	in.client_ip = "127.0.0.1";
	assert_int_equal(payprov_checkout(*state, &c, &in, &r), ERR_UPSTREAM);
	assert_string_equal(r.step, "connect");

	in.reference = "P-1";
	assert_int_equal(payprov_checkout(*state, &c, &in, &r), ERR_INVALID);
	assert_string_equal(r.step, "input");
	in.reference = "P1";
	in.creds = &dg_creds;	/* no merchant_key for PayTR */
	assert_int_equal(payprov_checkout(*state, &c, &in, &r), ERR_INVALID);
	in.creds = &pt_creds;
	in.amount = 0;
	assert_int_equal(payprov_checkout(*state, &c, &in, &r), ERR_INVALID);
	conf_free(&c);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_hmac_known_answers),
		T(test_devgateway_sign),
		T(test_signature_parse),
		T(test_devgateway_verify),
		T(test_devgateway_time_window),
		T(test_devgateway_tampered),
		T(test_devgateway_shape),
		T(test_paytr_formulas),
		T(test_paytr_verify),
		T(test_paytr_failed),
		T(test_form_parse),
		T(test_seal_round_trip),
		T(test_creds_parse),
		T(test_names),
		T(test_checkout_steps),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
