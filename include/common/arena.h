/*
 * arena.h - per-request memory.
 *
 * A worker creates one arena, uses it for everything a request allocates,
 * and resets it when the request is finished; nothing is freed piece by
 * piece. Foreign resources (PGresult, json_object, curl handles) register a
 * cleanup that runs, newest first, at reset and at free.
 */
#ifndef PORTAL_ARENA_H
#define PORTAL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new arena whose chunks are at least chunk_size bytes. NULL when out of
 * memory. Free with arena_free(). */
struct arena *arena_new(size_t chunk_size);

/* Runs the cleanups and frees every chunk. Accepts NULL. */
void arena_free(struct arena *a);

/* Runs the cleanups and forgets every allocation, keeping the first chunk
 * for the next request. */
void arena_reset(struct arena *a);

/* size bytes, zeroed, aligned for any type; NULL when out of memory or
 * when size is absurd. */
void *arena_alloc(struct arena *a, size_t size);

/* n * size bytes with the multiplication checked for overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);

/* Copies of a string (NULL in gives NULL out) or of its first n bytes. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* A formatted string in the arena; NULL when out of memory. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Registers fn(data) to run at reset or free. Returns 0, or -1 when out of
 * memory, in which case fn(data) has already been called so the resource
 * is not leaked. */
int arena_cleanup_add(struct arena *a, void (*fn)(void *), void *data);

/* Bytes handed out since the last reset (for tests and limits). */
size_t arena_used(const struct arena *a);

#endif
