/*
 * arena.c - bump allocator with cleanups, one per request (see arena.h).
 *
 * Chunks are a singly linked list; the first one survives arena_reset() so
 * that a typical request allocates nothing from malloc at all.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_ALIGN 16
#define ARENA_MAX_ALLOC ((size_t)1 << 30)

struct chunk {
	struct chunk *next;
	size_t size;	/* usable bytes in data */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *data;
};

struct arena {
	struct chunk *head;	/* current chunk, newest first */
	struct chunk *first;	/* kept across resets */
	struct cleanup *cleanups;
	size_t chunk_size;
	size_t used;
};

static struct chunk *
chunk_new(size_t size)
{
	struct chunk *c;

	if (size > ARENA_MAX_ALLOC)
		return NULL;
	c = malloc(sizeof(*c) + size);
	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *
arena_new(size_t chunk_size)
{
	struct arena *a;

	if (chunk_size < 1024)
		chunk_size = 1024;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->chunk_size = chunk_size;
	a->first = a->head = chunk_new(chunk_size);
	if (a->first == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

static void
run_cleanups(struct arena *a)
{
	while (a->cleanups != NULL) {
		struct cleanup *c = a->cleanups;

		a->cleanups = c->next;
		c->fn(c->data);
	}
}

void
arena_reset(struct arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	run_cleanups(a);
	for (c = a->head; c != NULL && c != a->first; c = next) {
		next = c->next;
		free(c);
	}
	a->head = a->first;
	a->first->next = NULL;
	a->first->used = 0;
	a->used = 0;
}

void
arena_free(struct arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	run_cleanups(a);
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *
arena_alloc(struct arena *a, size_t size)
{
	struct chunk *c = a->head;
	size_t start;
	void *p;

	if (size == 0)
		size = 1;
	if (size > ARENA_MAX_ALLOC)
		return NULL;
	start = (c->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (start > c->size || c->size - start < size) {
		size_t want = size > a->chunk_size ? size : a->chunk_size;
		struct chunk *n = chunk_new(want);

		if (n == NULL)
			return NULL;
		n->next = a->head;
		a->head = c = n;
		start = 0;
	}
	p = c->data + start;
	c->used = start + size;
	a->used += size;
	memset(p, 0, size);
	return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(a, n * size);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL || n == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, n + 1);
	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	p = arena_alloc(a, (size_t)n + 1);
	if (p != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

int
arena_cleanup_add(struct arena *a, void (*fn)(void *), void *data)
{
	struct cleanup *c = arena_alloc(a, sizeof(*c));

	if (c == NULL) {
		fn(data);
		return -1;
	}
	c->fn = fn;
	c->data = data;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}
