/*
 * routes.c - every route of the API, in one table.
 *
 * The OpenAPI document (openapi/openapi.json) describes exactly these
 * method + pattern pairs; a test compares the two sets.
 */
#include "config.h"

#include "routes.h"

const struct route routes[] = {
	{ "GET", "/api/v1/health", handle_health },
	{ "GET", "/api/v1/openapi.json", handle_openapi },
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
