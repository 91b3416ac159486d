/*
 * hash_gate.c - a cap on password hashing across the workers (see
 * hash_gate.h).
 *
 * The gate is an anonymous shared mapping holding one robust, process-
 * shared mutex per slot. A worker tries the slots in turn (starting at one
 * its pid picks, so workers spread out), sleeping a millisecond between
 * rounds, until it holds one or its wait is over. Robust mutexes rather
 * than a counting semaphore: a semaphore's count taken by a worker that
 * is then killed (SIGKILL, a crash) is lost for good, and after a few
 * such deaths no one could sign in; a robust mutex whose owner died is
 * handed to the next taker (EOWNERDEAD), who makes it consistent.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hash_gate.h"
#include "log.h"

struct gate {
	long slots;
	pthread_mutex_t slot[];
};

static struct gate *current;
static size_t current_size;
static pthread_mutex_t *held;		/* the slot taken, if any ... */
static pid_t held_by;			/* ... by this process (not a parent) */

bool
hash_gate_open(long slots)
{
	pthread_mutexattr_t attr;
	struct gate *g;
	size_t size;
	int rc = 0;

	if (slots < 1)
		slots = 1;
	if (slots > HASH_GATE_SLOTS_MAX)
		slots = HASH_GATE_SLOTS_MAX;
	size = sizeof(*g) + (size_t)slots * sizeof(pthread_mutex_t);
	g = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (g == MAP_FAILED) {
		log_error("hash gate: no shared memory (%s); password hashing "
		    "is not capped", strerror(errno));
		return false;
	}
	if ((rc = pthread_mutexattr_init(&attr)) == 0) {
		if ((rc = pthread_mutexattr_setpshared(&attr,
		    PTHREAD_PROCESS_SHARED)) == 0 &&
		    (rc = pthread_mutexattr_setrobust(&attr,
		    PTHREAD_MUTEX_ROBUST)) == 0)
			for (long i = 0; i < slots && rc == 0; i++)
				rc = pthread_mutex_init(&g->slot[i], &attr);
		pthread_mutexattr_destroy(&attr);
	}
	if (rc != 0) {
		log_error("hash gate: cannot make its mutexes (%s); password "
		    "hashing is not capped", strerror(rc));
		munmap(g, size);
		return false;
	}
	g->slots = slots;
	hash_gate_close();
	current = g;
	current_size = size;
	return true;
}

void
hash_gate_close(void)
{
	if (current != NULL)
		munmap(current, current_size);
	current = NULL;
	current_size = 0;
	held = NULL;
}

/* Tries every slot once; true when one is now held. */
static bool
try_slots(void)
{
	long n = current->slots, first = (long)getpid() % n;

	for (long i = 0; i < n; i++) {
		pthread_mutex_t *m = &current->slot[(first + i) % n];
		int rc = pthread_mutex_trylock(m);

		if (rc == EOWNERDEAD) {
			/* Its holder died mid-hash: the slot is free again. */
			log_warn("hash gate: took over the slot of a worker "
			    "that died holding it");
			rc = pthread_mutex_consistent(m);
		}
		if (rc == 0) {
			held = m;
			held_by = getpid();
			return true;
		}
	}
	return false;
}

static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t->tv_sec) * 1000 +
	    (long)(now.tv_nsec - t->tv_nsec) / 1000000;
}

bool
hash_gate_enter(long wait_ms)
{
	struct timespec start, pause = { 0, 1000000L };

	if (current == NULL)
		return true;
	if (held != NULL && held_by == getpid())
		return true;		/* taken already: one slot a request */
	held = NULL;			/* a parent's, not ours */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (try_slots())
			return true;
		if (ms_since(&start) >= wait_ms)
			return false;
		nanosleep(&pause, NULL);
	}
}

void
hash_gate_leave(void)
{
	if (held != NULL && held_by == getpid())
		pthread_mutex_unlock(held);
	held = NULL;
}
