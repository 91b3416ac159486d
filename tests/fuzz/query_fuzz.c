/*
 * query_fuzz.c - the worker's query check (req_query_check()), req_query()
 * (http.h) and the validation module's query readers (valid.h) over any
 * query string, asked for every name a handler asks for, and for a name
 * of the input's own ("name\nquery"). A query the check passes answers
 * every name with NULL or text (valid UTF-8, no NUL) no longer than the
 * query; a query it refuses says why; the typed readers answer values of
 * their type or a problem naming the parameter.
 */
#include "config.h"

#include "fuzz.h"
#include "str.h"
#include "valid.h"

/* The names handlers read, directly or through a helper (grep
 * 'req_query(req, "' and '(req, "' in src/http). */
static const char *const names[] = {
	"action", "channel", "code", "cursor", "document_id", "from", "limit",
	"patient_id", "practitioner_id", "purpose", "scope", "status", "text",
	"to", "type_id",
};

static void
ask(struct request *req, const char *name, size_t query_len)
{
	const char *v = req_query(req, name);

	if (v == NULL)
		return;
	FUZZ_CHECK(strlen(v) <= query_len);
	FUZZ_CHECK(str_utf8_valid(v, strlen(v)));
}

/* The typed readers, over names a handler uses and the input's own. */
static void
read_typed(struct request *req, const char *name)
{
	static const char *const allowed[] = { "upcoming", "past", "sms",
	    "email", NULL };
	const char *s = NULL;
	int64_t n = 0;
	bool b;
	struct v_page page;
	size_t before = v_count(req);

	if (q_text(req, name, V_LINE(200), 0, &s) == V_SET) {
		FUZZ_CHECK(str_utf8_valid(s, strlen(s)));
		FUZZ_CHECK(str_utf8_length(s) >= 1 && str_utf8_length(s) <= 200);
	}
	if (q_uuid(req, name, 0, &s) == V_SET)
		FUZZ_CHECK(str_is_uuid(s));
	if (q_enum(req, name, allowed, 0, &s) == V_SET)
		FUZZ_CHECK(s == allowed[0] || s == allowed[1] || s == allowed[2] ||
		    s == allowed[3]);
	if (q_int(req, name, -5, 100, 0, &n) == V_SET)
		FUZZ_CHECK(n >= -5 && n <= 100);
	if (q_date(req, name, 0, &s) == V_SET)
		FUZZ_CHECK(v_date_valid(s));
	(void)q_bool(req, name, 0, &b);
	q_page(req, NULL, &page);
	FUZZ_CHECK(page.limit >= 1 && page.limit <= 100);
	FUZZ_CHECK(page.cursor == NULL || str_is_uuid(page.cursor));
	FUZZ_CHECK(v_count(req) >= before);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_params none;
	struct request req;
	const uint8_t *rest;
	size_t rest_size;
	char *name, *query;

	fuzz_split(data, size, &name, &rest, &rest_size);
	query = fuzz_cstring(rest, rest_size);
	fuzz_request(&req, query, &none);
	{
		const char *why = NULL;

		if (!req_query_check(&req, &why)) {
			/* Refused (400 bad_request): the worker says why, and
			 * no handler reads a value. */
			FUZZ_CHECK(why != NULL);
			goto out;
		}
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ask(&req, names[i], strlen(query));
		read_typed(&req, names[i]);
	}
	if (name != NULL) {
		ask(&req, name, strlen(query));
		read_typed(&req, name);
	}
out:
	arena_free(req.arena);
	free(query);
	free(name);
	return 0;
}
