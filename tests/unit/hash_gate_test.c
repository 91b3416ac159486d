/*
 * hash_gate_test.c - the cap on password hashing across processes: slots
 * are shared by forked children, a full gate turns a taker away after its
 * wait, and a slot whose holder was killed is taken over.
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "hash_gate.h"

/* A child that takes a slot (waiting at most wait_ms), says on the pipe
 * whether it got one ('1' or '0'), then holds it until killed. */
static pid_t
holder(long wait_ms)
{
	int fds[2];
	pid_t pid;
	char got;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c = hash_gate_enter(wait_ms) ? '1' : '0';

		close(fds[0]);
		if (write(fds[1], &c, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &got, 1), 1);
	close(fds[0]);
	if (got != '1') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 0;
	}
	return pid;
}

static void
end(pid_t pid)
{
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000 +
	    (long)(b->tv_nsec - a->tv_nsec) / 1000000;
}

static void
test_no_gate_lets_everyone_hash(void **state)
{
	(void)state;
	hash_gate_close();
	assert_true(hash_gate_enter(0));
	assert_true(hash_gate_enter(0));
	hash_gate_leave();
}

static void
test_full_gate_turns_away_after_the_wait(void **state)
{
	struct timespec t0, t1;
	pid_t a, b;

	(void)state;
	assert_true(hash_gate_open(2));
	a = holder(0);
	b = holder(0);
	assert_true(a > 0 && b > 0);
	/* A third taker gets nothing, and waits its 150 ms first. */
	assert_int_equal(holder(0), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_false(hash_gate_enter(150));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(ms_between(&t0, &t1) >= 150);
	assert_true(ms_between(&t0, &t1) < 2000);
	/* One holder leaves (it dies): its slot is free again. */
	end(a);
	assert_true(hash_gate_enter(0));
	hash_gate_leave();
	end(b);
	hash_gate_close();
}

static void
test_a_waiting_taker_gets_the_slot_given_back(void **state)
{
	pid_t a;
	int fds[2];
	pid_t giver;

	(void)state;
	assert_true(hash_gate_open(1));
	/* A child that holds the slot for 100 ms and gives it back. */
	assert_int_equal(pipe(fds), 0);
	giver = fork();
	assert_true(giver >= 0);
	if (giver == 0) {
		struct timespec hold = { 0, 100 * 1000000L };
		char c = hash_gate_enter(0) ? '1' : '0';

		close(fds[0]);
		if (write(fds[1], &c, 1) != 1)
			_exit(2);
		nanosleep(&hold, NULL);
		hash_gate_leave();
		_exit(0);
	}
	close(fds[1]);
	{
		char got;

		assert_int_equal(read(fds[0], &got, 1), 1);
		assert_int_equal(got, '1');
	}
	close(fds[0]);
	assert_true(hash_gate_enter(3000));
	/* Held here now: a child is turned away. */
	a = holder(0);
	assert_int_equal(a, 0);
	hash_gate_leave();
	assert_int_equal(waitpid(giver, NULL, 0), giver);
	hash_gate_close();
}

static void
test_a_killed_holder_does_not_leak_its_slot(void **state)
{
	pid_t a;

	(void)state;
	assert_true(hash_gate_open(1));
	for (int round = 0; round < 3; round++) {
		a = holder(0);
		assert_true(a > 0);
		assert_false(hash_gate_enter(20));
		end(a);		/* SIGKILL while holding the slot */
	}
	assert_true(hash_gate_enter(0));
	hash_gate_leave();
	hash_gate_close();
}

static void
test_a_new_gate_does_not_disturb_the_old_one(void **state)
{
	pid_t old_holder, fresh;

	(void)state;
	assert_true(hash_gate_open(1));
	old_holder = holder(0);
	assert_true(old_holder > 0);
	/* A reload: the next generation gets a gate of its own. */
	assert_true(hash_gate_open(1));
	fresh = holder(0);
	assert_true(fresh > 0);
	end(fresh);
	end(old_holder);
	hash_gate_close();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_gate_lets_everyone_hash),
		cmocka_unit_test(test_full_gate_turns_away_after_the_wait),
		cmocka_unit_test(test_a_waiting_taker_gets_the_slot_given_back),
		cmocka_unit_test(test_a_killed_holder_does_not_leak_its_slot),
		cmocka_unit_test(test_a_new_gate_does_not_disturb_the_old_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
