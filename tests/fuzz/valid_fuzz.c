/*
 * valid_fuzz.c - the body side of the validation module (valid.h) and the
 * text rule under it (str_clean(), str.h), as the worker and a handler
 * use them: any bytes through json_parse() (the worker's body check), then
 * an object's members through every reader. A value a reader accepts is
 * of its type and within its bounds; text that passes the rule is trimmed,
 * holds no control character (a line feed only in multi-line text), no
 * bidirectional override in single-line text, and is within its length.
 * The same rule straight over the raw bytes, when they are UTF-8.
 */
#include "config.h"

#include <json-c/json.h>

#include "fuzz.h"
#include "json_util.h"
#include "str.h"
#include "valid.h"

#define MAX_CHARS 40

/* Text from str_clean(): no control (C0, DEL, C1, U+2028/9) but line
 * feeds where multiline; no bidi override where single-line; no white
 * space at either end. */
static void
check_clean(const char *s, size_t len, bool multiline)
{
	const unsigned char *u = (const unsigned char *)s;

	FUZZ_CHECK(strlen(s) == len);
	FUZZ_CHECK(str_utf8_valid(s, len));
	FUZZ_CHECK(str_utf8_length(s) <= MAX_CHARS);
	if (len > 0) {
		FUZZ_CHECK(u[0] != ' ' && u[0] != '\n' && u[0] != '\t');
		FUZZ_CHECK(u[len - 1] != ' ' && u[len - 1] != '\n');
	}
	for (size_t i = 0; i < len; i++) {
		FUZZ_CHECK(u[i] >= 0x20 || (multiline && u[i] == '\n'));
		FUZZ_CHECK(u[i] != 0x7f);
		/* C1 controls are U+0080..U+009F: C2 80..C2 9F in UTF-8. */
		if (u[i] == 0xc2 && i + 1 < len)
			FUZZ_CHECK(u[i + 1] > 0x9f || u[i + 1] < 0x80);
		/* U+202A..U+202E, U+2066..U+2069, U+2028/9: E2 80 xx, E2 81 xx. */
		if (u[i] == 0xe2 && i + 2 < len && u[i + 1] == 0x80) {
			FUZZ_CHECK(u[i + 2] != 0xa8 && u[i + 2] != 0xa9);
			if (!multiline)
				FUZZ_CHECK(u[i + 2] < 0xaa || u[i + 2] > 0xae);
		}
		if (!multiline && u[i] == 0xe2 && i + 2 < len && u[i + 1] == 0x81)
			FUZZ_CHECK(u[i + 2] < 0xa6 || u[i + 2] > 0xa9);
	}
}

static void
raw_rule(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t out_len, chars;

	FUZZ_CHECK(out != NULL);
	for (int ml = 0; ml <= 1; ml++)
		if (str_clean(s, len, ml, MAX_CHARS, out, &out_len, &chars) ==
		    STR_CLEAN_OK) {
			check_clean(out, out_len, ml);
			FUZZ_CHECK(chars == str_utf8_length(out));
		}
	free(out);
}

static void
read_members(struct request *req)
{
	static const char *const known[] = { "a", "b", "c", "d", "e", "f",
	    "g", "h", "i", "j", NULL };
	static const char *const kinds[] = { "x", "y", NULL };
	struct vobj o, child;
	struct varr arr;
	const char *s = NULL;
	int64_t n = 0;
	bool b;

	if (!v_body(req, &o, known))
		return;
	if (v_text(&o, "a", V_LINE(MAX_CHARS), 0, &s) == V_SET)
		check_clean(s, strlen(s), false);
	if (v_text(&o, "b", V_LINES(0, MAX_CHARS), V_NULLABLE, &s) == V_SET)
		check_clean(s, strlen(s), true);
	if (v_int(&o, "c", -10, 10, 0, &n) == V_SET)
		FUZZ_CHECK(n >= -10 && n <= 10);
	if (v_money(&o, "d", 1000, 0, &n) == V_SET)
		FUZZ_CHECK(n >= 0 && n <= 1000);
	(void)v_bool(&o, "e", 0, &b);
	if (v_uuid(&o, "f", V_NULLABLE, &s) == V_SET)
		FUZZ_CHECK(str_is_uuid(s));
	if (v_enum(&o, "g", kinds, 0, &s) == V_SET)
		FUZZ_CHECK(s == kinds[0] || s == kinds[1]);
	if (v_date(&o, "h", 0, &s) == V_SET)
		FUZZ_CHECK(v_date_valid(s));
	if (v_time(&o, "i", 0, &s) == V_SET)
		FUZZ_CHECK(v_time_valid(s));
	if (v_array(&o, "j", 8, 0, &arr) == V_SET) {
		FUZZ_CHECK(arr.count <= 8);
		for (size_t k = 0; k < arr.count; k++) {
			if (v_item_text(&arr, k, V_LINE(MAX_CHARS), &s) == V_SET)
				check_clean(s, strlen(s), false);
			(void)v_item_uuid(&arr, k, &s);
			(void)v_item_enum(&arr, k, kinds, &s);
			if (v_item_object(&arr, k, known, &child) == V_SET &&
			    v_text(&child, "a", V_LINE(MAX_CHARS), 0, &s) == V_SET)
				check_clean(s, strlen(s), false);
		}
	}
	if (v_object(&o, "b", known, 0, &child) == V_SET &&
	    v_text(&child, "b", V_LINES(1, MAX_CHARS), V_REQUIRED, &s) == V_SET)
		check_clean(s, strlen(s), true);
	/* Answers 422 with every problem, or nothing. */
	if (!v_ok(req))
		FUZZ_CHECK(req->resp.status == 422 && req->resp.body != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_params none;
	struct request req;
	const char *detail = NULL;
	char *text = fuzz_cstring(data, size);

	if (str_utf8_valid(text, size))
		raw_rule(text, size);
	fuzz_request(&req, "", &none);
	req.method = "POST";
	req.content_type = "application/json";
	switch (json_parse(req.arena, text, size, 32, &req.json, &detail)) {
	case JSON_PARSE_OK:
		read_members(&req);
		break;
	case JSON_PARSE_NOMEM:
		break;
	default:
		/* Refused (400 bad_request): the worker says why. */
		FUZZ_CHECK(detail != NULL);
		break;
	}
	arena_free(req.arena);
	free(text);
	return 0;
}
