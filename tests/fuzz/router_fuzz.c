/*
 * router_fuzz.c - router_match() (router.h) over the real route table:
 * "METHOD\npath" (no newline: GET and the whole input as the path). A
 * match must be exact: the pattern with its parameters put back is the
 * path; parameters are never empty and never span a '/'; the Allow list
 * fits its buffer.
 */
#include "config.h"

#include "fuzz.h"
#include "router.h"
#include "routes.h"

/* True when pattern with {name} replaced by the values in order is path. */
static bool
rebuilt_equals(const char *pattern, const struct route_params *params,
    const char *path)
{
	size_t k = 0;

	for (const char *p = pattern; *p != '\0';) {
		if (*p == '{') {
			const char *v = params->values[k++];
			size_t n = strlen(v);

			if (strncmp(path, v, n) != 0)
				return false;
			path += n;
			p = strchr(p, '}') + 1;
			continue;
		}
		if (*path++ != *p++)
			return false;
	}
	return *path == '\0' && k == params->count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	size_t rest_size, path_len;
	char *method, *path, *buf, *allow;
	const struct route *found = NULL;
	struct route_params params;
	size_t allow_len;
	enum route_match m;

	fuzz_split(data, size, &method, &rest, &rest_size);
	path = fuzz_cstring(rest, rest_size);
	path_len = strlen(path);
	/* As documented: buf holds strlen(path) + 1 bytes; both buffers are
	 * exactly their size, for AddressSanitizer. Allow gets as little as
	 * one byte. */
	buf = malloc(path_len + 1);
	allow_len = 1 + (size > 0 ? data[size - 1] % 24 : 0);
	allow = malloc(allow_len);
	FUZZ_CHECK(buf != NULL && allow != NULL);
	memset(&params, 0, sizeof(params));
	m = router_match(routes, routes_count, method ? method : "GET", path,
	    &found, &params, buf, allow, allow_len);
	FUZZ_CHECK(memchr(allow, '\0', allow_len) != NULL);
	switch (m) {
	case ROUTE_FOUND:
		FUZZ_CHECK(found != NULL);
		FUZZ_CHECK(strcmp(found->method, method ? method : "GET") == 0);
		FUZZ_CHECK(path_len < ROUTE_PATH_MAX);
		FUZZ_CHECK(params.count <= ROUTE_PARAMS__MAX);
		for (size_t i = 0; i < params.count; i++) {
			const char *v = params.values[i];
			char name[64];

			FUZZ_CHECK(v >= buf && v < buf + path_len + 1);
			FUZZ_CHECK(*v != '\0' && strchr(v, '/') == NULL);
			FUZZ_CHECK(params.name_lens[i] < sizeof(name));
			memcpy(name, params.names[i], params.name_lens[i]);
			name[params.name_lens[i]] = '\0';
			FUZZ_CHECK(route_param(&params, name) != NULL);
		}
		FUZZ_CHECK(rebuilt_equals(found->pattern, &params, path));
		break;
	case ROUTE_BAD_METHOD:
		FUZZ_CHECK(found == NULL);
		/* The first method fits whenever there is room for the
		 * longest (DELETE) and its ", ". */
		FUZZ_CHECK(allow_len < 10 || allow[0] != '\0');
		break;
	case ROUTE_NOT_FOUND:
		FUZZ_CHECK(found == NULL && allow[0] == '\0');
		break;
	}
	free(allow);
	free(buf);
	free(path);
	free(method);
	return 0;
}
