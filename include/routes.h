/*
 * routes.h - the route table of the API and the handlers it names.
 */
#ifndef PORTAL_ROUTES_H
#define PORTAL_ROUTES_H

#include <stddef.h>

#include "router.h"

extern const struct route routes[];
extern const size_t routes_count;

struct request;

/* src/http/system.c */
void handle_health(struct request *req);
void handle_openapi(struct request *req);

#endif
