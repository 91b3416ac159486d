/*
 * query_fuzz.c - req_query() (http.h) over any query string, asked for
 * every name a handler asks for, and for a name of the input's own
 * ("name\nquery"). An answer is NULL or valid UTF-8 in the arena, never
 * longer than the query.
 */
#include "config.h"

#include "fuzz.h"
#include "str.h"

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
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ask(&req, names[i], strlen(query));
	if (name != NULL)
		ask(&req, name, strlen(query));
	arena_free(req.arena);
	free(query);
	free(name);
	return 0;
}
