/*
 * router.c - matches a request path against the route table (router.h).
 *
 * Linear scan: the table has tens of routes and each comparison stops at
 * the first differing segment, which costs far less than one SQL round
 * trip. Percent-escapes are not decoded: our paths and parameters are
 * plain ASCII, so an escaped segment simply matches no literal, and handlers
 * validate parameters against their own grammar.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "router.h"

/* Matches one pattern; copies parameter values into buf on success. */
static bool
pattern_match(const char *pattern, const char *path,
    struct route_params *params, char *buf)
{
	const char *p = pattern, *s = path;
	char *out = buf;

	params->count = 0;
	if (*p != '/' || *s != '/')
		return false;
	for (;;) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t len = strcspn(s, "/");

			if (close == NULL || len == 0 ||
			    params->count == ROUTE_PARAMS__MAX)
				return false;
			params->names[params->count] = p + 1;
			params->name_lens[params->count] = (size_t)(close - p - 1);
			memcpy(out, s, len);
			out[len] = '\0';
			params->values[params->count++] = out;
			out += len + 1;
			p = close + 1;
			s += len;
			continue;
		}
		if (*p != *s)
			return false;
		if (*p == '\0')
			return true;
		p++;
		s++;
	}
}

enum route_match
router_match(const struct route *routes, size_t n, const char *method,
    const char *path, const struct route **found,
    struct route_params *params, char *buf, char *allow, size_t allowlen)
{
	bool path_known = false;
	size_t alen = 0;

	if (allow != NULL && allowlen > 0)
		allow[0] = '\0';
	else
		allowlen = 0;
	*found = NULL;
	if (strlen(path) >= ROUTE_PATH_MAX)
		return ROUTE_NOT_FOUND;
	for (size_t i = 0; i < n; i++) {
		struct route_params scratch;

		if (!pattern_match(routes[i].pattern, path, &scratch, buf))
			continue;
		if (strcmp(routes[i].method, method) == 0) {
			*params = scratch;
			*found = &routes[i];
			return ROUTE_FOUND;
		}
		if (allowlen > 0 && strstr(allow, routes[i].method) == NULL) {
			size_t mlen = strlen(routes[i].method);

			if (alen + mlen + 3 < allowlen) {
				if (alen > 0) {
					memcpy(allow + alen, ", ", 2);
					alen += 2;
				}
				memcpy(allow + alen, routes[i].method, mlen + 1);
				alen += mlen;
			}
		}
		path_known = true;
	}
	return path_known ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

const char *
route_param(const struct route_params *params, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < params->count; i++)
		if (params->name_lens[i] == len &&
		    memcmp(params->names[i], name, len) == 0)
			return params->values[i];
	return NULL;
}
