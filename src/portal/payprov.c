/*
 * payprov.c - the payment providers (see payprov.h): devgateway and
 * PayTR checkouts over libcurl, their callbacks verified in constant
 * time with libsodium's HMAC-SHA256, and the credentials sealed with
 * crypto_secretbox.
 *
 * Everything read from outside (a callback's body and header, a
 * provider's answer) is bounded before it is looked at: bodies by
 * PAYPROV_BODY_MAX, each field by PAYPROV_FIELD_MAX, and a signature is
 * checked before any field of the body is believed.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "arena.h"
#include "conf.h"
#include "json_util.h"
#include "payprov.h"
#include "str.h"

/* Pairs a callback form may hold; PayTR sends about a dozen. */
#define FORM_FIELDS__MAX 64
/* A redirect address we accept from a provider. */
#define REDIRECT_URL_MAX 2048
/* A provider's own words kept in a detail. */
#define DETAIL_CHARS_MAX 200
/* Sealed credentials: nonce, MAC and a few hundred bytes of JSON. */
#define SEALED_BYTES_MAX 4096
#define HMAC_BYTES crypto_auth_hmacsha256_BYTES
/* base64 (ORIGINAL, padded) of 32 bytes: 44 characters. */
#define HMAC_B64_CHARS 44

static const char *const provider_names[PAYPROV__MAX] = {
	[PAYPROV_DEVGATEWAY] = "devgateway",
	[PAYPROV_PAYTR] = "paytr",
};

static const char *const devgateway_fields[] = { "merchant_id", "secret", NULL };
static const char *const paytr_fields[] = { "merchant_id", "merchant_key",
    "merchant_salt", NULL };

int
payprov_from_name(const char *name)
{
	for (int i = 0; name != NULL && i < PAYPROV__MAX; i++)
		if (strcmp(provider_names[i], name) == 0)
			return i;
	return -1;
}

const char *
payprov_name(enum payprov_kind p)
{
	return (unsigned)p < PAYPROV__MAX ? provider_names[p] : "unknown";
}

const char *const *
payprov_cred_fields(enum payprov_kind p)
{
	return p == PAYPROV_PAYTR ? paytr_fields : devgateway_fields;
}

/* ---- small pieces ---- */

static bool
is_reference(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) || (unsigned char)s[n] >= 0x80)
			return false;
	return n >= 1 && n <= PAYPROV_REFERENCE_MAX;
}

static bool
is_currency(const char *s)
{
	return strlen(s) == 3 && isupper((unsigned char)s[0]) &&
	    isupper((unsigned char)s[1]) && isupper((unsigned char)s[2]);
}

/* Printable ASCII only, 1..PAYPROV_FIELD_MAX: an id we will store and log. */
static bool
is_token(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (s[n] < 0x21 || s[n] > 0x7e)
			return false;
	return n >= 1 && n <= PAYPROV_FIELD_MAX;
}

/* "12345" (no sign, no leading zero unless "0", at most 18 digits). */
static bool
parse_amount(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 18)
			return false;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || (n > 1 && s[0] == '0'))
		return false;
	*out = v;
	return true;
}

/* True when the content type is `type`, with or without parameters. */
static bool
content_type_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	if (ct == NULL || strncasecmp(ct, type, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static const char *
b64(struct arena *a, const unsigned char *bin, size_t len)
{
	size_t cap = sodium_base64_encoded_len(len,
	    sodium_base64_VARIANT_ORIGINAL);
	char *out = arena_alloc(a, cap);

	if (out != NULL)
		sodium_bin2base64(out, cap, bin, len,
		    sodium_base64_VARIANT_ORIGINAL);
	return out;
}

/* HMAC-SHA256 with a key of any length (the _init API hashes a long one). */
static void
hmac_init(crypto_auth_hmacsha256_state *st, const char *key)
{
	crypto_auth_hmacsha256_init(st, (const unsigned char *)key,
	    strlen(key));
}

static void
hmac_add(crypto_auth_hmacsha256_state *st, const char *s, size_t len)
{
	crypto_auth_hmacsha256_update(st, (const unsigned char *)s, len);
}

void
payprov_hmac(const char *key, const char *const *parts, size_t n,
    unsigned char mac[32])
{
	crypto_auth_hmacsha256_state st;

	hmac_init(&st, key);
	for (size_t i = 0; i < n; i++)
		hmac_add(&st, parts[i], strlen(parts[i]));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

static const char *
hmac_b64(struct arena *a, const char *key, const char *const *parts, size_t n)
{
	unsigned char mac[HMAC_BYTES];

	payprov_hmac(key, parts, n, mac);
	return b64(a, mac, sizeof(mac));
}

/* Equal strings, in time that depends on their lengths only. */
static bool
equal_ct(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

/* The provider's words, safe for a detail and a log: valid UTF-8 with
 * controls turned into spaces, at most DETAIL_CHARS_MAX characters;
 * otherwise printable ASCII only. */
static const char *
outside_words(struct arena *a, const char *s)
{
	size_t len = strnlen(s, 4 * DETAIL_CHARS_MAX), chars = 0, o = 0;
	bool utf8 = str_utf8_valid(s, len);
	char *out = arena_alloc(a, len + 1);

	if (out == NULL)
		return "";
	for (size_t i = 0; i < len && chars < DETAIL_CHARS_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 && !utf8)
			continue;
		if ((c & 0xc0) != 0x80)
			chars++;
		out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	/* A cut inside a character leaves no half of it. */
	while (o > 0 && ((unsigned char)out[o - 1] & 0x80)) {
		size_t start = o - 1, need;
		unsigned char lead;

		while (start > 0 && ((unsigned char)out[start] & 0xc0) == 0x80)
			start--;
		lead = (unsigned char)out[start];
		need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
		if (o - start == need)
			break;
		o = start;
	}
	out[o] = '\0';
	return out;
}

/* ---- credentials ---- */

enum err
payprov_creds_parse(struct arena *a, enum payprov_kind p, const char *json,
    size_t len, struct payprov_creds *out)
{
	const char *const *fields = payprov_cred_fields(p);
	struct json_object *o = NULL;
	size_t want = 0;

	memset(out, 0, sizeof(*out));
	switch (json_parse(a, json, len, 1, &o, NULL)) {
	case JSON_PARSE_OK:
		break;
	case JSON_PARSE_NOMEM:
		return ERR_NOMEM;
	default:
		return ERR_INVALID;
	}
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return ERR_INVALID;
	for (; fields[want] != NULL; want++) {
		struct json_object *v;
		const char *s, **slot;

		if (!json_object_object_get_ex(o, fields[want], &v) ||
		    !json_object_is_type(v, json_type_string))
			return ERR_INVALID;
		s = json_object_get_string(v);
		if (*s == '\0' || strlen(s) > 4 * PAYPROV_CRED_MAX)
			return ERR_INVALID;
		slot = strcmp(fields[want], "merchant_id") == 0 ?
		    &out->merchant_id : strcmp(fields[want], "secret") == 0 ?
		    &out->secret : strcmp(fields[want], "merchant_key") == 0 ?
		    &out->merchant_key : &out->merchant_salt;
		if ((*slot = arena_strdup(a, s)) == NULL)
			return ERR_NOMEM;
	}
	if ((size_t)json_object_object_length(o) != want)
		return ERR_INVALID;
	return ERR_OK;
}

/* ---- sealing ---- */

bool
payprov_key_parse(const char *hex, unsigned char key[PAYPROV_KEY_BYTES])
{
	size_t got = 0;
	const char *end = NULL;

	if (hex == NULL || strlen(hex) != 2 * PAYPROV_KEY_BYTES)
		return false;
	if (sodium_hex2bin(key, PAYPROV_KEY_BYTES, hex, strlen(hex), NULL,
	    &got, &end) != 0 || got != PAYPROV_KEY_BYTES || *end != '\0') {
		sodium_memzero(key, PAYPROV_KEY_BYTES);
		return false;
	}
	return true;
}

enum err
payprov_seal(struct arena *a, const unsigned char key[PAYPROV_KEY_BYTES],
    const char *plain, size_t len, const char **sealed)
{
	size_t total, hexlen;
	unsigned char *box;
	char *out;

	*sealed = NULL;
	if (len > SEALED_BYTES_MAX)
		return ERR_INVALID;
	total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
	hexlen = 2 + 2 * total + 1;
	if ((box = arena_alloc(a, total)) == NULL ||
	    (out = arena_alloc(a, hexlen)) == NULL)
		return ERR_NOMEM;
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)plain, len, box, key);
	out[0] = '\\';
	out[1] = 'x';
	str_hex(out + 2, box, total);
	*sealed = out;
	return ERR_OK;
}

enum err
payprov_open(struct arena *a, const unsigned char key[PAYPROV_KEY_BYTES],
    const char *sealed, char **plain, size_t *len)
{
	size_t hexlen, total, got = 0;
	unsigned char *box;
	char *out;
	const char *end = NULL;

	*plain = NULL;
	*len = 0;
	if (sealed == NULL || strncmp(sealed, "\\x", 2) != 0)
		return ERR_INVALID;
	hexlen = strlen(sealed + 2);
	total = hexlen / 2;
	if (hexlen % 2 != 0 || total > SEALED_BYTES_MAX ||
	    total < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return ERR_INVALID;
	if ((box = arena_alloc(a, total)) == NULL ||
	    (out = arena_alloc(a, total + 1)) == NULL)
		return ERR_NOMEM;
	if (sodium_hex2bin(box, total, sealed + 2, hexlen, NULL, &got,
	    &end) != 0 || got != total || *end != '\0')
		return ERR_INVALID;
	if (crypto_secretbox_open_easy((unsigned char *)out,
	    box + crypto_secretbox_NONCEBYTES,
	    total - crypto_secretbox_NONCEBYTES, box, key) != 0)
		return ERR_INVALID;
	*len = total - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	out[*len] = '\0';
	*plain = out;
	return ERR_OK;
}

/* ---- forms ---- */

/* Decodes s[0..len) into a new arena string; NULL with *err set. */
static char *
form_decode(struct arena *a, const char *s, size_t len, enum err *err)
{
	char *out;
	size_t o = 0;

	if (len > 3 * PAYPROV_FIELD_MAX) {
		*err = ERR_INVALID;
		return NULL;
	}
	if ((out = arena_alloc(a, len + 1)) == NULL) {
		*err = ERR_NOMEM;
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi, lo;

			if (i + 2 >= len) {
				*err = ERR_INVALID;
				return NULL;
			}
			hi = str_hex_digit(s[i + 1]);
			lo = str_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0) {
				*err = ERR_INVALID;
				return NULL;
			}
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0') {
			*err = ERR_INVALID;
			return NULL;
		}
		out[o++] = c;
	}
	if (o > PAYPROV_FIELD_MAX) {
		*err = ERR_INVALID;
		return NULL;
	}
	out[o] = '\0';
	return out;
}

enum err
payprov_form_parse(struct arena *a, const char *body, size_t len,
    struct payprov_field *fields, size_t max, size_t *count)
{
	size_t pos = 0, n = 0;
	enum err err = ERR_INVALID;

	*count = 0;
	if (len > PAYPROV_BODY_MAX)
		return ERR_INVALID;
	while (pos < len) {
		const char *pair = body + pos, *amp, *eq;
		size_t plen, nlen;
		char *name, *value;

		amp = memchr(pair, '&', len - pos);
		plen = amp != NULL ? (size_t)(amp - pair) : len - pos;
		pos += plen + 1;
		if (plen == 0)
			continue;	/* "a=1&&b=2": an empty pair says nothing */
		eq = memchr(pair, '=', plen);
		nlen = eq != NULL ? (size_t)(eq - pair) : plen;
		if (nlen == 0 || n >= max)
			return ERR_INVALID;
		if ((name = form_decode(a, pair, nlen, &err)) == NULL)
			return err;
		value = eq != NULL ? form_decode(a, eq + 1, plen - nlen - 1,
		    &err) : arena_strdup(a, "");
		if (value == NULL)
			return eq != NULL ? err : ERR_NOMEM;
		for (size_t i = 0; i < n; i++)
			if (strcmp(fields[i].name, name) == 0)
				return ERR_INVALID;
		fields[n].name = name;
		fields[n].value = value;
		n++;
	}
	*count = n;
	return ERR_OK;
}

static const char *
form_get(const struct payprov_field *fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].name, name) == 0)
			return fields[i].value;
	return NULL;
}

/* Appends name=value, form-encoded, to the arena buffer *buf. */
static bool
form_add(struct arena *a, char **buf, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t vlen = strlen(value), used = *buf != NULL ? strlen(*buf) : 0;
	char *out, *p;

	if (vlen > SIZE_MAX / 4)
		return false;
	if ((out = arena_alloc(a, used + strlen(name) + 3 * vlen + 3)) == NULL)
		return false;
	p = out;
	if (used > 0) {
		memcpy(p, *buf, used);
		p += used;
		*p++ = '&';
	}
	p = stpcpy(p, name);
	*p++ = '=';
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)value[i];

		if (isalnum(c) && c < 0x80)
			*p++ = (char)c;
		else if (c == '-' || c == '_' || c == '.' || c == '~')
			*p++ = (char)c;
		else if (c == ' ')
			*p++ = '+';
		else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	*buf = out;
	return true;
}

/* ---- devgateway signatures ---- */

bool
payprov_signature_parse(const char *header, int64_t *t, unsigned char v1[32])
{
	bool have_t = false, have_v1 = false;
	const char *p = header;

	if (header == NULL || strlen(header) > 512)
		return false;
	while (*p != '\0') {
		const char *end = strchr(p, ','), *eq;
		size_t n;

		while (*p == ' ')
			p++;
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		eq = memchr(p, '=', n);
		if (eq == NULL)
			return false;
		if (eq - p == 1 && p[0] == 't') {
			char digits[20];
			size_t dn = n - 2;
			long v;

			if (have_t || dn == 0 || dn >= sizeof(digits))
				return false;
			memcpy(digits, eq + 1, dn);
			digits[dn] = '\0';
			for (size_t i = 0; i < dn; i++)
				if (digits[i] < '0' || digits[i] > '9')
					return false;
			if (!str_to_long(digits, 0, 99999999999L, &v))
				return false;
			*t = v;
			have_t = true;
		} else if (eq - p == 2 && p[0] == 'v' && p[1] == '1') {
			size_t got = 0;
			const char *hend = NULL;

			if (have_v1 || n - 3 != 2 * HMAC_BYTES)
				return false;
			for (size_t i = 3; i < n; i++)
				if (str_hex_digit(p[i]) < 0)
					return false;
			if (sodium_hex2bin(v1, HMAC_BYTES, eq + 1, n - 3, NULL,
			    &got, &hend) != 0 || got != HMAC_BYTES)
				return false;
			have_v1 = true;
		} else
			return false;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return have_t && have_v1;
}

static void
devgateway_mac(const char *secret, int64_t t, const char *body, size_t len,
    unsigned char mac[HMAC_BYTES])
{
	crypto_auth_hmacsha256_state st;
	char ts[24];

	snprintf(ts, sizeof(ts), "%" PRId64 ".", t);
	hmac_init(&st, secret);
	hmac_add(&st, ts, strlen(ts));
	hmac_add(&st, body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

const char *
payprov_devgateway_sign(struct arena *a, const char *secret, int64_t t,
    const char *body, size_t len)
{
	unsigned char mac[HMAC_BYTES];
	char hex[2 * HMAC_BYTES + 1];

	devgateway_mac(secret, t, body, len, mac);
	str_hex(hex, mac, sizeof(mac));
	return arena_printf(a, "t=%" PRId64 ",v1=%s", t, hex);
}

/* ---- PayTR formulas ---- */

const char *
payprov_paytr_basket(struct arena *a, const char *description, int64_t amount)
{
	struct json_object *basket = json_object_new_array(),
	    *line = json_object_new_array();
	const char *text, *out = NULL;
	char price[32];

	snprintf(price, sizeof(price), "%" PRId64 ".%02" PRId64, amount / 100,
	    amount % 100);
	if (basket == NULL || line == NULL ||
	    json_object_array_add(line, json_object_new_string(description)) ||
	    json_object_array_add(line, json_object_new_string(price)) ||
	    json_object_array_add(line, json_object_new_int(1))) {
		json_object_put(basket);
		json_object_put(line);
		return NULL;
	}
	if (json_object_array_add(basket, line) != 0) {
		json_object_put(basket);
		json_object_put(line);
		return NULL;
	}
	text = json_object_to_json_string_ext(basket,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text != NULL)
		out = b64(a, (const unsigned char *)text, strlen(text));
	json_object_put(basket);
	return out;
}

const char *
payprov_paytr_token(struct arena *a, const struct payprov_creds *creds,
    const char *user_ip, const char *merchant_oid, const char *email,
    const char *payment_amount, const char *user_basket,
    const char *no_installment, const char *max_installment,
    const char *currency, const char *test_mode)
{
	const char *parts[] = { creds->merchant_id, user_ip, merchant_oid,
	    email, payment_amount, user_basket, no_installment,
	    max_installment, currency, test_mode, creds->merchant_salt };

	return hmac_b64(a, creds->merchant_key, parts,
	    sizeof(parts) / sizeof(parts[0]));
}

const char *
payprov_paytr_hash(struct arena *a, const struct payprov_creds *creds,
    const char *merchant_oid, const char *status, const char *total_amount)
{
	const char *parts[] = { merchant_oid, creds->merchant_salt, status,
	    total_amount };

	return hmac_b64(a, creds->merchant_key, parts, 4);
}

/* ---- the outbound call ---- */

struct answer {
	char *buf;
	size_t len;
	bool too_large;
};

static size_t
on_answer(char *data, size_t size, size_t nmemb, void *arg)
{
	struct answer *ans = arg;
	size_t len = size * nmemb;

	if (len > PAYPROV_BODY_MAX - ans->len) {
		ans->too_large = true;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	memcpy(ans->buf + ans->len, data, len);
	ans->len += len;
	ans->buf[ans->len] = '\0';
	return len;
}

static void
fail(struct payprov_result *out, const char *step, const char *detail)
{
	out->ok = false;
	out->step = step;
	out->detail = detail;
}

/*
 * POSTs body to url with the given headers; *status and the answer (NUL-
 * terminated, at most PAYPROV_BODY_MAX bytes, in a). ERR_UPSTREAM with
 * out's step "connect" or "answer" when no whole answer came.
 */
static enum err
post(struct arena *a, const struct conf *conf, const char *url,
    struct curl_slist *headers, const char *body, size_t len, long *status,
    struct answer *ans, struct payprov_result *out)
{
	CURL *curl;
	CURLcode rc;
	enum err err = ERR_UPSTREAM;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		fail(out, "connect", "The provider's address is not an http or "
		    "https URL.");
		return ERR_UPSTREAM;
	}
	memset(ans, 0, sizeof(*ans));
	if ((ans->buf = arena_alloc(a, PAYPROV_BODY_MAX + 1)) == NULL)
		return ERR_NOMEM;
	ans->buf[0] = '\0';
	if ((curl = curl_easy_init()) == NULL)
		return ERR_NOMEM;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, conf->payment_http_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	    conf->payment_http_timeout_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)PAYPROV_BODY_MAX);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, ans);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "portal-api/" PACKAGE_VERSION);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
		err = ERR_OK;
	} else if (ans->too_large || rc == CURLE_FILESIZE_EXCEEDED)
		fail(out, "answer", "The provider's answer was too large.");
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		fail(out, "connect", "The provider did not answer in time.");
	else if (rc == CURLE_COULDNT_RESOLVE_HOST)
		fail(out, "connect", "The provider's host name is unknown.");
	else if (rc == CURLE_COULDNT_CONNECT)
		fail(out, "connect", "The provider refused the connection.");
	else
		fail(out, "connect", arena_printf(a, "The call to the provider "
		    "failed: %s.", curl_easy_strerror(rc)));
	curl_easy_cleanup(curl);
	return err;
}

static bool
is_redirect_url(const char *s)
{
	size_t n = strlen(s);

	if (n > REDIRECT_URL_MAX || (strncmp(s, "http://", 7) != 0 &&
	    strncmp(s, "https://", 8) != 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '"' || s[i] == '<' ||
		    s[i] == '>' || s[i] == '\\')
			return false;
	return true;
}

/* The string member key of o, or NULL. */
static const char *
member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The answer as a JSON object (depth <= 2), or NULL. */
static struct json_object *
answer_json(struct arena *a, const struct answer *ans)
{
	struct json_object *o = NULL;

	if (json_parse(a, ans->buf, ans->len, 2, &o, NULL) != JSON_PARSE_OK ||
	    o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	return o;
}

static enum err
devgateway_checkout(struct arena *a, const struct conf *conf,
    const struct payprov_checkout *in, struct payprov_result *out)
{
	struct json_object *o = json_arena_own(a, json_object_new_object()),
	    *reply;
	struct curl_slist *headers = NULL, *more;
	const char *body, *sig, *id, *redirect, *why;
	struct answer ans;
	size_t len;
	long status = 0;
	enum err err;

	if (o == NULL || json_add_string(o, "merchant_id",
	    in->creds->merchant_id) || json_add_string(o, "reference",
	    in->reference) || json_add_int(o, "amount", in->amount) ||
	    json_add_string(o, "currency", in->currency) ||
	    json_add_string(o, "description", in->description) ||
	    json_add_string(o, "return_url", in->return_url) ||
	    json_add_string(o, "callback_url", in->callback_url) ||
	    (body = json_to_arena(a, o, &len)) == NULL ||
	    (sig = payprov_devgateway_sign(a, in->creds->secret,
	    (int64_t)time(NULL), body, len)) == NULL)
		return ERR_NOMEM;
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (headers == NULL)
		return ERR_NOMEM;
	if ((more = curl_slist_append(headers, "Expect:")) == NULL ||
	    (headers = more, more = curl_slist_append(headers,
	    arena_printf(a, "X-Gateway-Signature: %s", sig))) == NULL) {
		curl_slist_free_all(headers);
		return ERR_NOMEM;
	}
	headers = more;
	err = post(a, conf, arena_printf(a, "%s/checkouts",
	    conf->devgateway_url), headers, body, len, &status, &ans, out);
	curl_slist_free_all(headers);
	if (err != ERR_OK)
		return err;
	reply = answer_json(a, &ans);
	why = member(reply, "detail") != NULL ? member(reply, "detail") :
	    member(reply, "error");
	switch (status) {
	case 201:
	case 200:
		break;
	case 401:
		fail(out, "signature", "The provider refused our signature: "
		    "the secret does not match the merchant's.");
		return ERR_UPSTREAM;
	case 404:
		fail(out, "merchant", "The provider does not know this "
		    "merchant id.");
		return ERR_UPSTREAM;
	case 422:
		fail(out, "refused", why != NULL ? arena_printf(a, "The provider "
		    "refused the checkout: %s", outside_words(a, why)) :
		    "The provider refused the checkout.");
		return ERR_UPSTREAM;
	default:
		fail(out, "status", arena_printf(a, "The provider answered "
		    "HTTP %ld.", status));
		return ERR_UPSTREAM;
	}
	id = member(reply, "id");
	redirect = member(reply, "redirect_url");
	if (id == NULL || !is_token(id) || redirect == NULL ||
	    !is_redirect_url(redirect)) {
		fail(out, "answer", "The provider's answer has no checkout id "
		    "or payment page address.");
		return ERR_UPSTREAM;
	}
	out->ok = true;
	out->provider_reference = id;
	out->redirect_url = redirect;
	return ERR_OK;
}

static bool
is_url_safe(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!(isalnum((unsigned char)s[n]) && (unsigned char)s[n] < 0x80) &&
		    strchr("-._~", s[n]) == NULL)
			return false;
	return n >= 1 && n <= PAYPROV_FIELD_MAX;
}

static enum err
paytr_checkout(struct arena *a, const struct conf *conf,
    const struct payprov_checkout *in, struct payprov_result *out)
{
	const char *currency = strcmp(in->currency, "TRY") == 0 ? "TL" :
	    in->currency;
	const char *test_mode = conf->paytr_test_mode ? "1" : "0";
	const char *amount, *basket, *token, *status, *reason, *paytr;
	const char *timeout_limit;
	struct curl_slist *headers, *more;
	struct json_object *reply;
	struct answer ans;
	long http_status = 0;
	char *form = NULL;
	enum err err;

	amount = arena_printf(a, "%" PRId64, in->amount);
	/* PayTR's timeout_limit is in minutes. */
	timeout_limit = arena_printf(a, "%ld", conf->payment_pending_timeout /
	    60 > 0 ? conf->payment_pending_timeout / 60 : 1);
	basket = payprov_paytr_basket(a, in->description, in->amount);
	if (amount == NULL || timeout_limit == NULL || basket == NULL)
		return ERR_NOMEM;
	token = payprov_paytr_token(a, in->creds, in->client_ip, in->reference,
	    in->email, amount, basket, "1", "0", currency, test_mode);
	if (token == NULL ||
	    !form_add(a, &form, "merchant_id", in->creds->merchant_id) ||
	    !form_add(a, &form, "user_ip", in->client_ip) ||
	    !form_add(a, &form, "merchant_oid", in->reference) ||
	    !form_add(a, &form, "email", in->email) ||
	    !form_add(a, &form, "payment_amount", amount) ||
	    !form_add(a, &form, "paytr_token", token) ||
	    !form_add(a, &form, "user_basket", basket) ||
	    !form_add(a, &form, "debug_on", test_mode) ||
	    !form_add(a, &form, "no_installment", "1") ||
	    !form_add(a, &form, "max_installment", "0") ||
	    !form_add(a, &form, "user_name", in->name != NULL ? in->name : "-") ||
	    !form_add(a, &form, "user_address", in->address != NULL &&
	    *in->address != '\0' ? in->address : "-") ||
	    !form_add(a, &form, "user_phone", in->phone != NULL &&
	    *in->phone != '\0' ? in->phone : "-") ||
	    !form_add(a, &form, "merchant_ok_url", in->return_url) ||
	    !form_add(a, &form, "merchant_fail_url", in->fail_url != NULL ?
	    in->fail_url : in->return_url) ||
	    !form_add(a, &form, "timeout_limit", timeout_limit) ||
	    !form_add(a, &form, "currency", currency) ||
	    !form_add(a, &form, "test_mode", test_mode) ||
	    !form_add(a, &form, "lang", in->lang != NULL ? in->lang : "tr"))
		return ERR_NOMEM;
	headers = curl_slist_append(NULL,
	    "Content-Type: application/x-www-form-urlencoded");
	if (headers == NULL)
		return ERR_NOMEM;
	if ((more = curl_slist_append(headers, "Expect:")) == NULL) {
		curl_slist_free_all(headers);
		return ERR_NOMEM;
	}
	headers = more;
	err = post(a, conf, arena_printf(a, "%s/odeme/api/get-token",
	    conf->paytr_api_url), headers, form, strlen(form), &http_status,
	    &ans, out);
	curl_slist_free_all(headers);
	if (err != ERR_OK)
		return err;
	if (http_status != 200) {
		fail(out, "status", arena_printf(a, "PayTR answered HTTP %ld.",
		    http_status));
		return ERR_UPSTREAM;
	}
	reply = answer_json(a, &ans);
	status = member(reply, "status");
	if (status != NULL && strcmp(status, "failed") == 0) {
		reason = member(reply, "reason");
		fail(out, "refused", reason != NULL ? arena_printf(a, "PayTR "
		    "refused the checkout: %s", outside_words(a, reason)) :
		    "PayTR refused the checkout.");
		return ERR_UPSTREAM;
	}
	paytr = member(reply, "token");
	if (status == NULL || strcmp(status, "success") != 0 || paytr == NULL ||
	    !is_url_safe(paytr)) {
		fail(out, "answer", "PayTR's answer has no status and token.");
		return ERR_UPSTREAM;
	}
	out->ok = true;
	out->provider_reference = paytr;
	out->redirect_url = arena_printf(a, "%s/odeme/guvenli/%s",
	    conf->paytr_api_url, paytr);
	return out->redirect_url != NULL ? ERR_OK : ERR_NOMEM;
}

/* True when every string the provider needs is there. */
static bool
checkout_whole(const struct payprov_checkout *in)
{
	const struct payprov_creds *c = in->creds;

	if (c == NULL || c->merchant_id == NULL || in->reference == NULL ||
	    !is_reference(in->reference) || in->amount <= 0 ||
	    in->currency == NULL || !is_currency(in->currency) ||
	    in->description == NULL || in->return_url == NULL)
		return false;
	if (in->provider == PAYPROV_DEVGATEWAY)
		return c->secret != NULL && in->callback_url != NULL;
	return c->merchant_key != NULL && c->merchant_salt != NULL &&
	    in->email != NULL && in->client_ip != NULL;
}

enum err
payprov_checkout(struct arena *a, const struct conf *conf,
    const struct payprov_checkout *in, struct payprov_result *out)
{
	memset(out, 0, sizeof(*out));
	if ((unsigned)in->provider >= PAYPROV__MAX || !checkout_whole(in)) {
		fail(out, "input", "The checkout is missing a credential, an "
		    "amount, a reference or an address.");
		return ERR_INVALID;
	}
	return in->provider == PAYPROV_PAYTR ? paytr_checkout(a, conf, in, out) :
	    devgateway_checkout(a, conf, in, out);
}

/* ---- callbacks ---- */

/* The devgateway callback's JSON body, read and checked: type and data
 * with its reference. NULL with *why when it is not that shape. */
static struct json_object *
devgateway_body(struct arena *a, const char *body, size_t len,
    const char *content_type, struct json_object **data, const char **why)
{
	struct json_object *o = NULL;
	const char *reference;

	if (!content_type_is(content_type, "application/json")) {
		*why = "The callback is not JSON.";
		return NULL;
	}
	if (json_parse(a, body, len, 2, &o, NULL) != JSON_PARSE_OK ||
	    o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "data", data) ||
	    !json_object_is_type(*data, json_type_object)) {
		*why = "The callback's body is not the provider's JSON.";
		return NULL;
	}
	reference = member(*data, "reference");
	if (reference == NULL || !is_reference(reference)) {
		*why = "The callback names no valid reference.";
		return NULL;
	}
	return o;
}

static enum err
form_fields(struct arena *a, const char *body, size_t len,
    const char *content_type, struct payprov_field **fields, size_t *n,
    const char **why)
{
	enum err err;

	if (!content_type_is(content_type, "application/x-www-form-urlencoded")) {
		*why = "The callback is not a form.";
		return ERR_INVALID;
	}
	if ((*fields = arena_calloc(a, FORM_FIELDS__MAX,
	    sizeof(**fields))) == NULL)
		return ERR_NOMEM;
	if ((err = payprov_form_parse(a, body, len, *fields, FORM_FIELDS__MAX,
	    n)) != ERR_OK)
		*why = "The callback's form could not be read.";
	return err;
}

enum err
payprov_callback_reference(struct arena *a, enum payprov_kind p,
    const char *body, size_t len, const char *content_type,
    const char **reference)
{
	const char *why = NULL, *oid;
	struct payprov_field *fields;
	struct json_object *data;
	size_t n;
	enum err err;

	*reference = NULL;
	if (body == NULL || len > PAYPROV_BODY_MAX)
		return ERR_INVALID;
	if (p == PAYPROV_DEVGATEWAY) {
		if (devgateway_body(a, body, len, content_type, &data,
		    &why) == NULL)
			return ERR_INVALID;
		*reference = member(data, "reference");
		return ERR_OK;
	}
	if ((err = form_fields(a, body, len, content_type, &fields, &n,
	    &why)) != ERR_OK)
		return err;
	oid = form_get(fields, n, "merchant_oid");
	if (oid == NULL || !is_reference(oid))
		return ERR_INVALID;
	*reference = oid;
	return ERR_OK;
}

static enum err
devgateway_verify(struct arena *a, const struct payprov_creds *creds,
    const char *body, size_t len, const char *content_type,
    const char *signature, time_t now, struct payprov_event *out,
    const char **why)
{
	unsigned char given[HMAC_BYTES], want[HMAC_BYTES];
	struct json_object *o, *data, *amount;
	const char *type, *id, *currency;
	int64_t t;
	bool same;

	if (!payprov_signature_parse(signature, &t, given)) {
		*why = "The signature header is missing or malformed.";
		return ERR_INVALID;
	}
	devgateway_mac(creds->secret, t, body, len, want);
	same = sodium_memcmp(given, want, HMAC_BYTES) == 0;
	sodium_memzero(want, sizeof(want));
	if (!same) {
		*why = "The signature does not match the body.";
		return ERR_FORBIDDEN;
	}
	if (t > (int64_t)now + PAYPROV_TOLERANCE_SECONDS ||
	    t < (int64_t)now - PAYPROV_TOLERANCE_SECONDS) {
		*why = "The signature's time is more than 300 seconds away.";
		return ERR_FORBIDDEN;
	}
	if ((o = devgateway_body(a, body, len, content_type, &data, why)) ==
	    NULL)
		return ERR_INVALID;
	id = member(o, "id");
	type = member(o, "type");
	currency = member(data, "currency");
	if (id == NULL || !is_token(id) || type == NULL || currency == NULL ||
	    !is_currency(currency) ||
	    !json_object_object_get_ex(data, "amount", &amount) ||
	    !json_object_is_type(amount, json_type_int) ||
	    json_object_get_int64(amount) < 0) {
		*why = "The callback lacks an id, amount or currency.";
		return ERR_INVALID;
	}
	if (strcmp(type, "payment.succeeded") == 0)
		out->status = PAYPROV_SUCCEEDED;
	else if (strcmp(type, "payment.failed") == 0)
		out->status = PAYPROV_FAILED;
	else {
		*why = "The callback's type is not a payment outcome.";
		return ERR_INVALID;
	}
	out->event_id = id;
	out->reference = member(data, "reference");
	out->amount = json_object_get_int64(amount);
	out->currency = currency;
	return ERR_OK;
}

static enum err
paytr_verify(struct arena *a, const struct payprov_creds *creds,
    const char *body, size_t len, const char *content_type,
    struct payprov_event *out, const char **why)
{
	const char *oid, *status, *total, *hash, *currency, *want;
	struct payprov_field *fields;
	size_t n;
	enum err err;

	if ((err = form_fields(a, body, len, content_type, &fields, &n,
	    why)) != ERR_OK)
		return err;
	oid = form_get(fields, n, "merchant_oid");
	status = form_get(fields, n, "status");
	total = form_get(fields, n, "total_amount");
	hash = form_get(fields, n, "hash");
	currency = form_get(fields, n, "currency");
	if (oid == NULL || status == NULL || total == NULL || hash == NULL) {
		*why = "The callback lacks merchant_oid, status, total_amount "
		    "or hash.";
		return ERR_INVALID;
	}
	if ((want = payprov_paytr_hash(a, creds, oid, status, total)) == NULL)
		return ERR_NOMEM;
	if (!equal_ct(hash, want)) {
		*why = "The hash does not match the callback.";
		return ERR_FORBIDDEN;
	}
	if (!is_reference(oid) || !parse_amount(total, &out->amount)) {
		*why = "The callback's merchant_oid or total_amount is malformed.";
		return ERR_INVALID;
	}
	if (strcmp(status, "success") == 0)
		out->status = PAYPROV_SUCCEEDED;
	else if (strcmp(status, "failed") == 0)
		out->status = PAYPROV_FAILED;
	else {
		*why = "The callback's status is neither success nor failed.";
		return ERR_INVALID;
	}
	/* PayTR's name for the lira. */
	if (currency != NULL && strcmp(currency, "TL") == 0)
		currency = "TRY";
	if (currency == NULL || !is_currency(currency)) {
		*why = "The callback's currency is missing or malformed.";
		return ERR_INVALID;
	}
	out->reference = oid;
	out->currency = currency;
	out->event_id = arena_printf(a, "%s%s", oid, status);
	return out->event_id != NULL ? ERR_OK : ERR_NOMEM;
}

enum err
payprov_verify(struct arena *a, enum payprov_kind p,
    const struct payprov_creds *creds, const char *body, size_t len,
    const char *content_type, const char *signature, time_t now,
    struct payprov_event *out, const char **why)
{
	enum err err;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (body == NULL || len > PAYPROV_BODY_MAX) {
		*why = "The callback's body is missing or too large.";
		return ERR_INVALID;
	}
	if (p == PAYPROV_DEVGATEWAY && (creds == NULL || creds->secret == NULL))
		err = ERR_INVALID;
	else if (p == PAYPROV_PAYTR && (creds == NULL ||
	    creds->merchant_key == NULL || creds->merchant_salt == NULL))
		err = ERR_INVALID;
	else if (p == PAYPROV_DEVGATEWAY)
		return devgateway_verify(a, creds, body, len, content_type,
		    signature, now, out, why);
	else if (p == PAYPROV_PAYTR)
		return paytr_verify(a, creds, body, len, content_type, out, why);
	else
		err = ERR_INVALID;
	*why = "The clinic's credentials do not fit this provider.";
	return err;
}

void
payprov_callback_answer(enum payprov_kind p, struct payprov_answer *out)
{
	out->status = 200;
	if (p == PAYPROV_PAYTR) {
		out->content_type = "text/plain; charset=utf-8";
		out->body = "OK";
	} else {
		out->content_type = "application/json";
		out->body = "{\"received\":true}";
	}
}
