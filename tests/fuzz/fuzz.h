/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share.
 *
 * A target is one file, tests/fuzz/<name>_fuzz.c, that defines
 * LLVMFuzzerTestOneInput() and is listed once in FUZZ_TARGETS
 * (Makefile.am); scripts/fuzz builds it with clang (configure
 * --enable-fuzz) and runs it over its seeds, tests/fuzz/corpus/<name>/,
 * with tests/fuzz/<name>.dict when there is one. A target calls the code
 * under test as the program does and checks what its header promises
 * with FUZZ_CHECK(); a broken promise, like a sanitizer report or a leak,
 * is a crash to libFuzzer.
 */
#ifndef PORTAL_FUZZ_H
#define PORTAL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Stops the run when cond is false: the code under test broke a promise.
 * (In a worker nothing may abort on input; this is the test's own
 * verdict.) */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		abort();						\
	}								\
} while (0)

/* A malloc'ed copy of data[0..size) with a NUL after it: exactly size + 1
 * bytes, so that AddressSanitizer catches a read past the end. A NUL
 * inside stays; C string functions stop there, as they do on a FastCGI
 * parameter. */
static inline char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_CHECK(s != NULL);
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Where the input splits: the bytes before the first '\n' as a
 * NUL-terminated *head, the rest (after it) in *tail / *tail_size; no
 * '\n' leaves *head NULL and the whole input in the tail. */
static inline void
fuzz_split(const uint8_t *data, size_t size, char **head,
    const uint8_t **tail, size_t *tail_size)
{
	const uint8_t *nl = size > 0 ? memchr(data, '\n', size) : NULL;

	if (nl == NULL) {
		*head = NULL;
		*tail = data;
		*tail_size = size;
		return;
	}
	*head = fuzz_cstring(data, (size_t)(nl - data));
	*tail = nl + 1;
	*tail_size = size - (size_t)(nl - data) - 1;
}

/* The request parameters (CGI names) a fuzzed request answers. */
#define FUZZ_PARAMS__MAX 4
struct fuzz_params {
	const char *names[FUZZ_PARAMS__MAX];
	const char *values[FUZZ_PARAMS__MAX];
};

static inline const char *
fuzz_param(const struct request *req, const char *name)
{
	const struct fuzz_params *p = req->param_ctx;

	for (size_t i = 0; i < FUZZ_PARAMS__MAX && p->names[i] != NULL; i++)
		if (strcmp(p->names[i], name) == 0)
			return p->values[i];
	return NULL;
}

/* A GET request as the worker fills one from FastCGI: its own arena, the
 * query string (never NULL) and the parameters in params. Free the arena
 * with arena_free(req->arena). */
static inline void
fuzz_request(struct request *req, const char *query,
    const struct fuzz_params *params)
{
	memset(req, 0, sizeof(*req));
	req->arena = arena_new(4096);
	FUZZ_CHECK(req->arena != NULL);
	req->method = "GET";
	req->path = "/api/v1/fuzz";
	req->query = query;
	req->content_type = "";
	req->remote_addr = "127.0.0.1";
	req->request_id = "fuzz";
	req->param = fuzz_param;
	req->param_ctx = (void *)(uintptr_t)params;
}

#endif
