/*
 * paycb_fuzz.c - what a payment provider's callback brings from outside
 * (payprov.h): the devgateway signature header and JSON body, PayTR's
 * form and its hash, and the form parser alone.
 *
 * The input is `<mode byte><header>\n<body>`. Mode bit 0 picks the
 * provider (0 devgateway, 1 paytr); bit 1 signs the body rightly first
 * (devgateway: the header is replaced by a good one for "now"; paytr: a
 * hash over the form's own fields is appended), so that the fuzzer also
 * reaches what is read after the signature. Promises checked: a verified
 * callback has a reference of letters and digits (1..64), the same one
 * payprov_callback_reference() reads, an event id, an amount >= 0 and a
 * currency of three capitals; a parsed form has distinct, non-empty
 * names and fields of at most PAYPROV_FIELD_MAX bytes.
 */
#include "config.h"

#include <ctype.h>

#include "fuzz.h"
#include "payprov.h"

#define NOW 1767225600

static const struct payprov_creds dg = { .merchant_id = "m", .secret = "s" };
static const struct payprov_creds pt = { .merchant_id = "1",
    .merchant_key = "k", .merchant_salt = "salt" };

static void
check_event(struct arena *a, enum payprov_kind p, const char *body,
    size_t len, const char *ct, const struct payprov_event *ev)
{
	const char *ref = NULL;
	size_t n = strlen(ev->reference);

	FUZZ_CHECK(n >= 1 && n <= PAYPROV_REFERENCE_MAX);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(isalnum((unsigned char)ev->reference[i]));
	FUZZ_CHECK(ev->event_id != NULL && *ev->event_id != '\0');
	FUZZ_CHECK(ev->amount >= 0);
	FUZZ_CHECK(strlen(ev->currency) == 3);
	for (size_t i = 0; i < 3; i++)
		FUZZ_CHECK(isupper((unsigned char)ev->currency[i]));
	FUZZ_CHECK(ev->status == PAYPROV_SUCCEEDED ||
	    ev->status == PAYPROV_FAILED);
	FUZZ_CHECK(payprov_callback_reference(a, p, body, len, ct, &ref) ==
	    ERR_OK);
	FUZZ_CHECK(strcmp(ref, ev->reference) == 0);
}

static void
check_form(struct arena *a, const char *body, size_t len)
{
	struct payprov_field f[16];
	size_t n = 0;

	if (payprov_form_parse(a, body, len, f, 16, &n) != ERR_OK)
		return;
	FUZZ_CHECK(n <= 16);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(*f[i].name != '\0');
		FUZZ_CHECK(strlen(f[i].name) <= PAYPROV_FIELD_MAX);
		FUZZ_CHECK(strlen(f[i].value) <= PAYPROV_FIELD_MAX);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(f[i].name, f[j].name) != 0);
	}
}

/* PayTR's own hash appended to a form that has the other three fields. */
static const char *
paytr_signed(struct arena *a, const char *body, size_t len)
{
	struct payprov_field f[16];
	const char *oid = NULL, *status = NULL, *total = NULL, *hash;
	char *out, *o;
	size_t n = 0;

	if (payprov_form_parse(a, body, len, f, 16, &n) != ERR_OK)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(f[i].name, "merchant_oid") == 0)
			oid = f[i].value;
		else if (strcmp(f[i].name, "status") == 0)
			status = f[i].value;
		else if (strcmp(f[i].name, "total_amount") == 0)
			total = f[i].value;
		else if (strcmp(f[i].name, "hash") == 0)
			return NULL;
	}
	if (oid == NULL || status == NULL || total == NULL ||
	    (hash = payprov_paytr_hash(a, &pt, oid, status, total)) == NULL)
		return NULL;
	if ((out = arena_alloc(a, len + 6 + 3 * strlen(hash) + 1)) == NULL)
		return NULL;
	memcpy(out, body, len);
	o = out + len;
	o += sprintf(o, "&hash=");
	for (const char *h = hash; *h; h++)
		o += isalnum((unsigned char)*h) ? sprintf(o, "%c", *h) :
		    sprintf(o, "%%%02X", (unsigned char)*h);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	struct payprov_event ev;
	enum payprov_kind p;
	const uint8_t *tail;
	size_t tail_size, len;
	char *header = NULL, *body;
	const char *why, *ct, *signed_body, *ref, *sig;
	unsigned char v1[32];
	int64_t t;
	unsigned mode;

	if (size < 1)
		return 0;
	mode = data[0];
	p = (mode & 1) ? PAYPROV_PAYTR : PAYPROV_DEVGATEWAY;
	ct = p == PAYPROV_PAYTR ? "application/x-www-form-urlencoded" :
	    "application/json";
	fuzz_split(data + 1, size - 1, &header, &tail, &tail_size);
	body = fuzz_cstring(tail, tail_size);
	len = tail_size;
	FUZZ_CHECK((a = arena_new(64 * 1024)) != NULL);

	if (header != NULL)
		(void)payprov_signature_parse(header, &t, v1);
	check_form(a, body, len);
	(void)payprov_callback_reference(a, p, body, len, ct, &ref);

	sig = header;
	signed_body = body;
	if (mode & 2) {
		if (p == PAYPROV_DEVGATEWAY)
			sig = payprov_devgateway_sign(a, dg.secret, NOW, body,
			    len);
		else if ((signed_body = paytr_signed(a, body, len)) != NULL)
			len = strlen(signed_body);
		else
			signed_body = body;
	}
	if (payprov_verify(a, p, p == PAYPROV_PAYTR ? &pt : &dg, signed_body,
	    len, ct, sig, NOW, &ev, &why) == ERR_OK)
		check_event(a, p, signed_body, len, ct, &ev);
	else
		FUZZ_CHECK(why != NULL);

	arena_free(a);
	free(body);
	free(header);
	return 0;
}
