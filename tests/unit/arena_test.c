/* arena_test.c - unit tests of the per-request arena (include/arena.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "arena.h"

#define CHUNK 1024	/* the smallest chunk arena_new() makes */

static void
assert_aligned(const void *p)
{
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
}

static void
assert_zeroed(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			fail_msg("byte %zu of %zu is 0x%02x, not zero", i, n, p[i]);
}

static int
setup_arena(void **state)
{
	*state = arena_new(CHUNK);
	return *state == NULL ? -1 : 0;
}

static int
teardown_arena(void **state)
{
	arena_free(*state);
	return 0;
}

static void
test_alloc_alignment(void **state)
{
	struct arena *a = *state;
	static const size_t sizes[] = { 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33,
	    100, 255, 1000, 1023, 1024, 1025, 5000 };

	/* Odd sizes one after the other, spilling into new chunks. */
	for (int round = 0; round < 4; round++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			assert_aligned(arena_alloc(a, sizes[i]));
	/* Strings of odd lengths leave the next allocation aligned too. */
	assert_non_null(arena_strdup(a, "abc"));
	assert_aligned(arena_alloc(a, 8));
	assert_non_null(arena_printf(a, "%d", 12345));
	assert_aligned(arena_calloc(a, 3, 5));
	assert_aligned(arena_alloc(a, 0));
}

static void
test_alloc_distinct_blocks(void **state)
{
	struct arena *a = *state;
	unsigned char *blocks[200];

	/* Blocks must not overlap: fill each with its own byte, check all. */
	for (size_t i = 0; i < 200; i++) {
		size_t n = 1 + i * 7 % 300;

		blocks[i] = arena_alloc(a, n);
		assert_non_null(blocks[i]);
		memset(blocks[i], (int)i, n);
	}
	for (size_t i = 0; i < 200; i++) {
		size_t n = 1 + i * 7 % 300;

		for (size_t k = 0; k < n; k++)
			if (blocks[i][k] != (unsigned char)i)
				fail_msg("block %zu was overwritten at byte %zu", i, k);
	}
}

static void
test_alloc_zeroes(void **state)
{
	struct arena *a = *state;
	unsigned char *p, *q;

	p = arena_alloc(a, 512);
	assert_non_null(p);
	assert_zeroed(p, 512);
	memset(p, 0xaa, 512);
	/* After a reset the first chunk is reused: the very same bytes must
	 * come back zeroed, not with the old request's data. */
	arena_reset(a);
	q = arena_alloc(a, 512);
	assert_ptr_equal(q, p);
	assert_zeroed(q, 512);
	q = arena_calloc(a, 16, 16);
	assert_non_null(q);
	assert_zeroed(q, 256);
}

static void
test_large_allocations(void **state)
{
	struct arena *a = *state;
	unsigned char *small1, *big, *small2, *huge;

	small1 = arena_alloc(a, 100);
	assert_non_null(small1);
	memset(small1, 1, 100);
	big = arena_alloc(a, 10 * CHUNK);
	assert_aligned(big);
	assert_zeroed(big, 10 * CHUNK);
	memset(big, 2, 10 * CHUNK);	/* every byte is writable (ASan) */
	small2 = arena_alloc(a, 100);
	assert_non_null(small2);
	memset(small2, 3, 100);
	huge = arena_alloc(a, 4u << 20);
	assert_aligned(huge);
	assert_zeroed(huge, 4u << 20);
	memset(huge, 4, 4u << 20);

	assert_int_equal(small1[0], 1);
	assert_int_equal(small1[99], 1);
	assert_int_equal(big[0], 2);
	assert_int_equal(big[10 * CHUNK - 1], 2);
	assert_int_equal(small2[99], 3);
}

static void
test_absurd_sizes(void **state)
{
	struct arena *a = *state;

	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, SIZE_MAX / 2));
	assert_null(arena_alloc(a, SIZE_MAX - 15));
	/* The arena still works afterwards. */
	assert_non_null(arena_alloc(a, 10));
}

static void
test_calloc_overflow(void **state)
{
	struct arena *a = *state;
	size_t before;
	unsigned char *p;

	/* n * size wraps around to something small: must not succeed. */
	assert_null(arena_calloc(a, SIZE_MAX / 2 + 1, 2));	/* wraps to 0 */
	assert_null(arena_calloc(a, 2, SIZE_MAX / 2 + 1));
	assert_null(arena_calloc(a, SIZE_MAX, SIZE_MAX));	/* wraps to 1 */
	assert_null(arena_calloc(a, (SIZE_MAX >> 4) + 2, 16));	/* wraps to 16 */

	before = arena_used(a);
	p = arena_calloc(a, 10, 8);
	assert_aligned(p);
	assert_zeroed(p, 80);
	assert_true(arena_used(a) >= before + 80);
	assert_non_null(arena_calloc(a, 0, 8));
	assert_non_null(arena_calloc(a, 8, 0));
}

static void
test_strdup(void **state)
{
	struct arena *a = *state;
	const char *src = "hello";
	char long_src[3000];
	char *s;

	assert_null(arena_strdup(a, NULL));
	s = arena_strdup(a, src);
	assert_non_null(s);
	assert_ptr_not_equal(s, src);
	assert_string_equal(s, "hello");
	s = arena_strdup(a, "");
	assert_non_null(s);
	assert_string_equal(s, "");

	memset(long_src, 'z', sizeof(long_src) - 1);
	long_src[sizeof(long_src) - 1] = '\0';
	s = arena_strdup(a, long_src);	/* longer than a chunk */
	assert_non_null(s);
	assert_string_equal(s, long_src);
}

static void
test_strndup(void **state)
{
	struct arena *a = *state;
	char *s;

	assert_null(arena_strndup(a, NULL, 3));
	s = arena_strndup(a, "abcdef", 3);
	assert_non_null(s);
	assert_string_equal(s, "abc");
	s = arena_strndup(a, "abcdef", 6);
	assert_string_equal(s, "abcdef");
	s = arena_strndup(a, "abcdef", 0);
	assert_non_null(s);
	assert_string_equal(s, "");
	/* Not NUL-terminated input: only n bytes are read. */
	s = arena_strndup(a, (const char[]){ 'x', 'y', 'z' }, 2);
	assert_string_equal(s, "xy");
}

static void
test_printf(void **state)
{
	struct arena *a = *state;
	char *s;

	s = arena_printf(a, "%s-%d-%05.1f-%c", "id", 42, 3.14159, 'z');
	assert_non_null(s);
	assert_string_equal(s, "id-42-003.1-z");
	s = arena_printf(a, "%s", "");
	assert_non_null(s);
	assert_string_equal(s, "");
	/* Longer than a chunk. */
	s = arena_printf(a, "[%*s]", 5000, "end");
	assert_non_null(s);
	assert_int_equal(strlen(s), 5002);
	assert_int_equal(s[0], '[');
	assert_string_equal(s + 5002 - 4, "end]");
}

/* Cleanups append their id to a log so that the order can be checked. */
static char cleanup_log[64];

static void
log_cleanup(void *data)
{
	size_t n = strlen(cleanup_log);

	assert_true(n + 1 < sizeof(cleanup_log));
	cleanup_log[n] = *(const char *)data;
}

static void
free_cleanup(void *data)
{
	test_free(data);
}

static void
test_cleanups_newest_first_at_reset(void **state)
{
	struct arena *a = *state;

	memset(cleanup_log, 0, sizeof(cleanup_log));
	assert_int_equal(arena_cleanup_add(a, log_cleanup, (void *)"A"), 0);
	assert_int_equal(arena_cleanup_add(a, log_cleanup, (void *)"B"), 0);
	assert_non_null(arena_alloc(a, 4 * CHUNK));	/* cleanups span chunks */
	assert_int_equal(arena_cleanup_add(a, log_cleanup, (void *)"C"), 0);
	assert_string_equal(cleanup_log, "");
	arena_reset(a);
	assert_string_equal(cleanup_log, "CBA");
	/* Each runs once: a second reset runs nothing. */
	arena_reset(a);
	assert_string_equal(cleanup_log, "CBA");
	/* Registered after a reset, they run at the next one. */
	assert_int_equal(arena_cleanup_add(a, log_cleanup, (void *)"D"), 0);
	assert_int_equal(arena_cleanup_add(a, log_cleanup, (void *)"E"), 0);
	arena_reset(a);
	assert_string_equal(cleanup_log, "CBAED");
}

static void
test_cleanups_newest_first_at_free(void **state)
{
	struct arena *a = arena_new(CHUNK);

	(void)state;
	assert_non_null(a);
	memset(cleanup_log, 0, sizeof(cleanup_log));
	assert_int_equal(arena_cleanup_add(a, log_cleanup, (void *)"1"), 0);
	arena_reset(a);
	assert_int_equal(arena_cleanup_add(a, log_cleanup, (void *)"2"), 0);
	assert_int_equal(arena_cleanup_add(a, log_cleanup, (void *)"3"), 0);
	assert_int_equal(arena_cleanup_add(a, log_cleanup, (void *)"4"), 0);
	arena_free(a);
	assert_string_equal(cleanup_log, "1432");
	arena_free(NULL);	/* accepted */
}

static void
test_cleanups_release_resources(void **state)
{
	struct arena *a = arena_new(CHUNK);

	(void)state;
	assert_non_null(a);
	/* cmocka's allocator reports a leak when the test ends if a cleanup
	 * has not run. */
	for (int i = 0; i < 50; i++)
		assert_int_equal(arena_cleanup_add(a, free_cleanup,
		    test_malloc(32)), 0);
	arena_reset(a);
	for (int i = 0; i < 50; i++)
		assert_int_equal(arena_cleanup_add(a, free_cleanup,
		    test_malloc(1000)), 0);
	arena_free(a);
}

static void
test_reset_after_many_chunks(void **state)
{
	struct arena *a = *state;
	void *first = arena_alloc(a, 8);

	assert_non_null(first);
	for (int round = 0; round < 5; round++) {
		/* Hundreds of chunks, some larger than the chunk size. */
		for (int i = 0; i < 500; i++) {
			unsigned char *p = arena_alloc(a, i % 50 == 0 ? 3 * CHUNK : 700);

			assert_non_null(p);
			p[0] = 0xff;
		}
		assert_true(arena_used(a) >= 490 * 700);
		arena_reset(a);
		assert_int_equal(arena_used(a), 0);
		/* The first chunk survives and is reused from its start. */
		assert_ptr_equal(arena_alloc(a, 8), first);
	}
}

static void
test_used(void **state)
{
	struct arena *a = *state;
	size_t u;

	assert_int_equal(arena_used(a), 0);
	assert_non_null(arena_alloc(a, 10));
	u = arena_used(a);
	/* At least what was asked for, at most that plus alignment. */
	assert_in_range(u, 10, 10 + 15);
	assert_non_null(arena_alloc(a, 100));
	assert_in_range(arena_used(a) - u, 100, 100 + 15);
	u = arena_used(a);
	assert_non_null(arena_strdup(a, "abc"));
	assert_in_range(arena_used(a) - u, 4, 4 + 15);
	u = arena_used(a);
	assert_non_null(arena_alloc(a, 8 * CHUNK));	/* a chunk of its own */
	assert_in_range(arena_used(a) - u, 8 * CHUNK, 8 * CHUNK + 15);
	/* A refused allocation hands out nothing. */
	u = arena_used(a);
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_calloc(a, SIZE_MAX, 2));
	assert_int_equal(arena_used(a), u);
	arena_reset(a);
	assert_int_equal(arena_used(a), 0);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_arena, teardown_arena)
	const struct CMUnitTest tests[] = {
		T(test_alloc_alignment),
		T(test_alloc_distinct_blocks),
		T(test_alloc_zeroes),
		T(test_large_allocations),
		T(test_absurd_sizes),
		T(test_calloc_overflow),
		T(test_strdup),
		T(test_strndup),
		T(test_printf),
		T(test_cleanups_newest_first_at_reset),
		cmocka_unit_test(test_cleanups_newest_first_at_free),
		cmocka_unit_test(test_cleanups_release_resources),
		T(test_reset_after_many_chunks),
		T(test_used),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
