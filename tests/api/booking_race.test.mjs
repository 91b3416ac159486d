// The double-booking race (issue 6): 200 rounds in which 8 signed-in patients of one clinic
// ask for the same slot at the same moment (a new slot each round). The exclusion constraint
// decides: exactly one 201 per round, the other seven 409 slot_taken, and the database holds
// exactly 200 bookings for the practitioner. Bounded in time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertProblem, psql } from './lib/client.mjs';
import { bookingClinic, dateIn } from './lib/fixtures.mjs';

const ROUNDS = 200;
const RACERS = 8;

test(`${ROUNDS} rounds of ${RACERS} concurrent bookings of one slot: one 201 each, the rest 409 slot_taken`,
  { timeout: 300_000 }, async () => {
    const { schedule, patients } = await bookingClinic({
      patients: RACERS,
      schedule: { duration: 30, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
        rules: { max_open_bookings: 100, slot_step_minutes: 30 } },
    });
    // Slots from midnight (Istanbul, +03:00 all year) 30 days ahead, half an hour apart.
    const base = Date.parse(`${dateIn('Europe/Istanbul', 30)}T00:00:00+03:00`);
    const started = Date.now();
    const winners = new Map();
    for (let round = 0; round < ROUNDS; round++) {
      const start = new Date(base + round * 30 * 60_000).toISOString().replace('.000Z', 'Z');
      // Who asks first rotates, so that no patient wins so often as to meet max_open_bookings.
      const order = patients.map((_, i) => patients[(i + round) % RACERS]);
      const results = await Promise.all(order.map(({ session }) => session.request('POST', 'appointments', {
        body: { practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, start },
      })));
      const created = results.filter((r) => r.status === 201);
      assert.equal(created.length, 1, `round ${round}: ${created.length} bookings (${results.map((r) => r.status).join(',')})`);
      for (const r of results) {
        if (r.status !== 201) assertProblem(r, 409, 'slot_taken', `round ${round}`);
      }
      winners.set(created[0].body.id, start);
      assert.ok(Date.now() - started < 240_000, `still racing after ${round} rounds and 240 s`);
    }
    assert.equal(winners.size, ROUNDS);
    assert.equal(Number(psql(`SELECT count(*) FROM appointments WHERE practitioner_id = '${schedule.practitioner.id}'`)), ROUNDS);
    assert.equal(Number(psql(`SELECT count(*) FROM appointments WHERE practitioner_id = '${schedule.practitioner.id}'
      AND status = 'booked' AND source = 'portal'`)), ROUNDS);
    // Every booking sits at the start its round asked for.
    const starts = psql(`SELECT string_agg(id || '=' || to_char(lower(during) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ',')
      FROM appointments WHERE practitioner_id = '${schedule.practitioner.id}'`).split(',');
    for (const pair of starts) {
      const [id, at] = pair.split('=');
      assert.equal(at, winners.get(id), `booking ${id}`);
    }
  });
