/*
 * hash_gate.h - a cap on password hashing across portal-api's workers.
 *
 * Argon2id is slow and memory-hungry on purpose (argon2_opslimit,
 * argon2_memlimit), so a flood of sign-ins could keep every worker
 * hashing and leave none for the other routes. The master opens a gate of
 * `staff_login_hash_slots` slots in shared memory before it forks a
 * generation of workers, which inherit it; a worker takes a slot before it
 * checks a password and gives it back after, waiting a bounded time for
 * one (the sign-in answers 503 unavailable with Retry-After when none came
 * free). Each slot is a robust process-shared mutex: a worker killed
 * while it holds one does not leak it, the next worker to try the slot
 * takes it over.
 */
#ifndef PORTAL_HASH_GATE_H
#define PORTAL_HASH_GATE_H

#include <stdbool.h>

#define HASH_GATE_SLOTS_MAX 128

/*
 * Master: opens a gate of slots (1 to HASH_GATE_SLOTS_MAX) for the
 * workers it forks from now on, and lets go of its own mapping of the
 * previous gate (workers that have it keep it until they exit). False,
 * after logging, when shared memory cannot be had: workers forked then
 * hash without a cap.
 */
bool hash_gate_open(long slots);

/* Master: lets go of the current gate (at exit). */
void hash_gate_close(void);

/*
 * Worker: takes a slot, waiting at most wait_ms milliseconds for one.
 * True when it has one (also at once when no gate was opened); false when
 * none came free in time. A taken slot must be given back with
 * hash_gate_leave() before the request ends.
 */
bool hash_gate_enter(long wait_ms);

/* Gives back the slot hash_gate_enter() took; nothing when none. */
void hash_gate_leave(void);

#endif
