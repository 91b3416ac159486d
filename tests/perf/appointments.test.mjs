// Appointments benchmark (issue 6, "Done when"; DESIGN.md section 8). A measurement, not a timed
// requirement: it asserts only that the requests succeeded (at least 99 % 2xx) and that every
// number was produced.
//
// The clinic is one of realistic size, seeded directly in SQL as the owner role (INSERT ...
// SELECT over generate_series, one statement per table, the appointments' split by practitioner
// over one session per core; nothing disabled, every constraint checked): 100,000
// patients; 50 practitioners working Monday to Saturday 08:00-20:00 (Europe/Istanbul); four
// appointment types; 1,000,000 appointments over 111 weeks (about 56 weeks back, 55 ahead) laid
// on a 15-minute grid per practitioner, in 2-hour blocks of [30 min][15][15][30][15][free 15] so
// that no two overlap (the exclusion constraint checks it) and every block keeps one free
// quarter hour; each patient holds 10 of them, about 11 weeks apart; 5 % cancelled; some time
// off; booking rules that let the benchmark book (horizon 400 days, 100 open bookings); the
// portal enabled under the code perf-appointments. 1000 of the patients are signed in: their
// sessions are rows made here (token -> SHA-256 -> bytea, as crypto_token_hash() stores them),
// new ones every run. The clinic is found again by its fixed name, so a rerun on the same stack
// reuses it and skips the seeding; appointments earlier runs booked are removed first.
//
// Measured through nginx with wrk (loopback only; -t 2 -c 64 by default, a 2 s warm-up, then
// PORTAL_BENCH_SECONDS, default 10), each as requests per second and p99 latency, beside two
// ceilings measured in the same run:
//   static  nginx serving a static file (the console's index.html, its production location);
//   fcgi    tests/perf/fcgi_ceiling.c: a minimal libfcgi responder (as many preforked workers as
//           portal-api has, one libpq connection each, one prepared primary-key SELECT, a small
//           json-c answer) behind /_bench/fcgi, a location that only the development and test
//           stacks' nginx has (scripts/lib/stack.sh writes it), on a socket of its own;
// and GET me (the patient session check alone), GET appointments (upcoming, past), GET
// treatments, GET appointments/slots (one practitioner, 7 days) and POST appointments
// (PORTAL_BENCH_BOOKINGS, default 2000, each a different free slot, patients taken in turn;
// its rate is the bookings' own, from their created_at, since wrk waits out its whole -d).
// Requests rotate over the signed-in patients, practitioners and days. The table gives each
// ratio to the fcgi ceiling (DESIGN.md section 11, issue 10: GET me 0.8, GET appointments and
// treatments 0.6, slots 0.5, bookings 0.4; p99 of each read within twice the ceiling's).
//
// Scale: PORTAL_BENCH_SCALE (default 1, and 0.1 under CI=true) multiplies the patients, the
// practitioners and so the appointments (10 per patient, over the same 111 weeks);
// PORTAL_BENCH_SECONDS defaults to 10 (3 under CI) and PORTAL_BENCH_BOOKINGS to 2000 × scale
// (at most 2000, at least 100; 300 under CI: the free slots grow with the practitioners), so
// that the whole test run stays short on CI while the full scale is one variable away.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { api, psql } from '../api/lib/client.mjs';
import { portalctl, portalPath } from '../api/lib/fixtures.mjs';
import {
  between, CI, CONNECTIONS, costPer, drain, FIRST, get, hexId, LAST, MIN_OK, patientSessions, patientsSql, printCost,
  psqlSession, psqlSessions, rotate, Runs, SCALE, sqlArray, sqlId, startCeiling, stopCeiling, THREADS, ceilingTests,
} from './lib/bench.mjs';

const CLINIC_NAME = 'Perf: appointments (tests/perf/appointments.test.mjs)';
const PLAN_PREFIX = '5eed0006-0004-4000-8000-';
const RECORD_PREFIX = '5eed0006-0005-4000-8000-';
const CODE = 'perf-appointments';
const N_PRACTITIONERS = Math.max(1, Math.round(50 * SCALE));
const N_PATIENTS = 2000 * N_PRACTITIONERS; // 100,000 at full scale
const N_APPOINTMENTS = 10 * N_PATIENTS; // 1,000,000 at full scale
const PER_DAY = 30; // appointments per practitioner per working day: 6 blocks of 5
const N_SESSIONS = 1000;
const SESSION_STRIDE = N_PATIENTS / N_SESSIONS; // every 100th patient at full scale
const ZONE = 'Europe/Istanbul';
const BOOKINGS = Number(process.env.PORTAL_BENCH_BOOKINGS
  ?? (CI ? 300 : Math.max(100, Math.round(2000 * Math.min(1, SCALE)))));
// The bookings' run ends after PORTAL_BENCH_BOOKINGS responses or this many seconds.
const POST_SECONDS = 30;
const APPOINTMENT_SESSIONS = Math.max(1, Math.min(4, availableParallelism()));

// Seeded rows carry ids of these forms (patients number 0..99999, appointments 0..999999).
const PATIENT_PREFIX = '5eed0006-0000-4000-8000-';
const APPOINTMENT_PREFIX = '5eed0006-0001-4000-8000-';
const PRACTITIONER_PREFIX = '5eed0006-0002-4000-8000-';
const TYPE_PREFIX = '5eed0006-0003-4000-8000-';
const TYPE_15 = hexId(TYPE_PREFIX, 1);
const TYPE_30 = hexId(TYPE_PREFIX, 2);
// The patient of session i: every SESSION_STRIDE-th patient.
const sessionPatient = (i) => hexId(PATIENT_PREFIX, i * SESSION_STRIDE);

// The first Monday of the seeded range (56 weeks before this week's), in the clinic's zone.
const MONDAY = `(date_trunc('week', now() AT TIME ZONE '${ZONE}')::date - 56 * 7)`;

function seedSql(clinicId) {
  const c = `'${clinicId}'::uuid`;
  const practitioners = `
INSERT INTO practitioners (id, clinic_id, name)
SELECT ${sqlId(PRACTITIONER_PREFIX, 'g')}, ${c},
  'Dt. ' || (${sqlArray(FIRST)})[1 + g % ${FIRST.length}] || ' ' || (${sqlArray(LAST)})[1 + (g * 7) % ${LAST.length}]
FROM generate_series(0, ${N_PRACTITIONERS - 1}) g`;
  const types = `
INSERT INTO appointment_types (id, clinic_id, name, duration_minutes, online_bookable) VALUES
  ('${TYPE_15}', ${c}, 'Kontrol', 15, true),
  ('${TYPE_30}', ${c}, 'Dolgu', 30, true),
  ('${hexId(TYPE_PREFIX, 3)}', ${c}, 'İmplant görüşmesi', 45, true),
  ('${hexId(TYPE_PREFIX, 4)}', ${c}, 'Kanal tedavisi', 60, false)`;
  const hours = `
INSERT INTO working_hours (clinic_id, practitioner_id, weekday, start_time, end_time)
SELECT ${c}, ${sqlId(PRACTITIONER_PREFIX, 'g')}, wd, '08:00', '20:00'
FROM generate_series(0, ${N_PRACTITIONERS - 1}) g, generate_series(1, 6) wd`;
  // A week of leave per practitioner (weeks 60-99 of the range: after the days booked below)
  // and two clinic holidays, one past and one ahead.
  const timeOff = `
INSERT INTO time_off (clinic_id, practitioner_id, during, reason)
SELECT ${c}, ${sqlId(PRACTITIONER_PREFIX, 'g')},
  tstzrange((${MONDAY} + (60 + g % 40) * 7)::timestamp AT TIME ZONE '${ZONE}',
            (${MONDAY} + (60 + g % 40) * 7 + 7)::timestamp AT TIME ZONE '${ZONE}'), 'İzin'
FROM generate_series(0, ${N_PRACTITIONERS - 1}) g
UNION ALL
SELECT ${c}, NULL, tstzrange((${MONDAY} + w * 7 + 2)::timestamp AT TIME ZONE '${ZONE}',
  (${MONDAY} + w * 7 + 3)::timestamp AT TIME ZONE '${ZONE}'), 'Bayram'
FROM unnest(ARRAY[20, 80]) w`;
  const patients = patientsSql(clinicId, PATIENT_PREFIX, N_PATIENTS);
  // Appointment n: practitioner n % 50; the k = n / 50-th of that practitioner's: working day
  // k / 30 (Monday to Saturday), block (k % 30) / 5 of the day's six 2-hour blocks, and its
  // place in the block's pattern of quarter hours [0-1: 30 min][2][3][4-5: 30 min][6][7 free].
  // Patient (n * 7919) % 100000: a bijection on each run of 100000, so 10 each, spread out.
  const appointments = `
WITH a AS (
  SELECT n, n % ${N_PRACTITIONERS} AS p, (n / ${N_PRACTITIONERS}) / ${PER_DAY} AS d,
    ((n / ${N_PRACTITIONERS}) % ${PER_DAY}) / 5 AS b, ((n / ${N_PRACTITIONERS}) % ${PER_DAY}) % 5 AS pos
  FROM generate_series(0, ${N_APPOINTMENTS - 1}) n
), t AS (
  SELECT a.*, (ARRAY[0, 2, 3, 4, 6])[1 + pos] AS cell, (ARRAY[30, 15, 15, 30, 15])[1 + pos] AS minutes,
    ((${MONDAY} + (d / 6) * 7 + d % 6) + time '08:00' + (b * 8 + (ARRAY[0, 2, 3, 4, 6])[1 + pos]) * interval '15 minutes')
      AT TIME ZONE '${ZONE}' AS start
  FROM a
)
INSERT INTO appointments (id, clinic_id, patient_id, practitioner_id, type_id, during, status, source,
  created_at, updated_at, cancelled_at, cancelled_by)
SELECT ${sqlId(APPOINTMENT_PREFIX, 'n')}, ${c}, ${sqlId(PATIENT_PREFIX, `(n::bigint * 7919) % ${N_PATIENTS}`)},
  ${sqlId(PRACTITIONER_PREFIX, 'p')}, CASE WHEN minutes = 30 THEN '${TYPE_30}'::uuid ELSE '${TYPE_15}'::uuid END,
  tstzrange(start, start + minutes * interval '1 minute'),
  CASE WHEN n % 20 = 7 THEN 'cancelled' ELSE 'booked' END,
  (ARRAY['staff', 'staff', 'portal', 'api'])[1 + n % 4],
  start - interval '20 days', start - interval '20 days',
  CASE WHEN n % 20 = 7 THEN start - interval '2 days' END,
  CASE WHEN n % 20 = 7 THEN 'portal' END
FROM t WHERE p % ${APPOINTMENT_SESSIONS} = $PART ORDER BY p, n`;
  // Every signed-in patient (every SESSION_STRIDE-th) has a plan of three items and two
  // records of what was done.
  const treatments = `
INSERT INTO treatment_plans (id, clinic_id, patient_id, title, status, created_at)
SELECT ${sqlId(PLAN_PREFIX, 'g')}, ${c}, ${sqlId(PATIENT_PREFIX, 'g')}, 'Tedavi planı', 'accepted',
  now() - g * interval '1 minute'
FROM generate_series(0, ${N_PATIENTS - 1}, ${SESSION_STRIDE}) g;
INSERT INTO treatment_plan_items (clinic_id, plan_id, position, procedure, area, status, estimated_cost)
SELECT ${c}, ${sqlId(PLAN_PREFIX, 'g')}, k, (ARRAY['Dolgu', 'Kanal tedavisi', 'Kron'])[k + 1], (16 + k)::text,
  CASE WHEN k = 0 THEN 'done' ELSE 'planned' END, 150000 * (k + 1)
FROM generate_series(0, ${N_PATIENTS - 1}, ${SESSION_STRIDE}) g, generate_series(0, 2) k;
INSERT INTO treatment_records (id, clinic_id, patient_id, performed_on, practitioner_id, procedure, area,
  notes_for_patient)
SELECT ${sqlId(RECORD_PREFIX, 'g * 2 + k')}, ${c}, ${sqlId(PATIENT_PREFIX, 'g')}, current_date - (k * 30 + g % 30),
  ${sqlId(PRACTITIONER_PREFIX, `g % ${N_PRACTITIONERS}`)}, (ARRAY['Muayene', 'Dolgu'])[k + 1], '16',
  'Bir hafta sert yiyeceklerden kaçının.'
FROM generate_series(0, ${N_PATIENTS - 1}, ${SESSION_STRIDE}) g, generate_series(0, 1) k`;
  return { practitioners, types, hours, timeOff, patients, appointments, treatments };
}

// ---- the clinic ----

let clinicId;
let seedSeconds = null;
let sessions; // [{patientId, cookie, csrf}]
let workers;
let runs; // the wrk scripts and the measurements

before(async () => {
  runs = new Runs('tests/perf/appointments.test.mjs');
  const existing = psql(`SELECT id FROM clinics WHERE name = '${CLINIC_NAME}' ORDER BY created_at LIMIT 1`);
  clinicId = existing || portalctl('create-clinic', '--name', CLINIC_NAME, '--code', CODE);
  if (!existing) portalctl('grant-module', '--clinic', clinicId, '--module', 'patient_portal');
  const count = (table, prefix) => Number(psql(`SELECT count(*) FROM ${table} WHERE clinic_id = '${clinicId}'
    AND id ${between(prefix)}`));
  if (count('patients', PATIENT_PREFIX) !== N_PATIENTS || count('appointments', APPOINTMENT_PREFIX) !== N_APPOINTMENTS) {
    const sql = seedSql(clinicId);
    const fast = ['SET synchronous_commit = off', "SET work_mem = '256MB'", 'SET jit = off'];
    const t0 = process.hrtime.bigint();
    await psqlSession([
      ...fast,
      'BEGIN',
      ...['appointments', 'patient_sessions', 'outbox', 'treatment_records', 'treatment_plan_items', 'treatment_plans',
        'patients', 'time_off', 'working_hours', 'appointment_types', 'practitioners']
        .map((t) => `DELETE FROM ${t} WHERE clinic_id = '${clinicId}'`),
      sql.practitioners, sql.types, sql.hours, sql.timeOff, sql.patients, sql.treatments,
      'COMMIT',
    ], { timeoutMs: 300_000 });
    // The appointments in as many sessions as the machine has cores (each its practitioners),
    // since every row costs its exclusion check, two GiST and three b-tree insertions and three
    // foreign-key checks, all on one core per session.
    await psqlSessions(Array.from({ length: APPOINTMENT_SESSIONS }, (_, part) => [
      ...fast, sql.appointments.replace('$PART', String(part)),
    ]), { timeoutMs: 900_000 });
    await psqlSession(['VACUUM (ANALYZE) practitioners, appointment_types, working_hours, time_off, patients, appointments, '
      + 'treatment_plans, treatment_plan_items, treatment_records'],
      { timeoutMs: 300_000 });
    seedSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  // Every run: the portal open with the appointment permissions, rules that let the
  // benchmark book, no bookings of earlier runs, and 1000 fresh sessions.
  const made = patientSessions(clinicId, N_SESSIONS, sqlId(PATIENT_PREFIX, `i * ${SESSION_STRIDE}`));
  const { token, csrf } = made;
  await psqlSession([
    `UPDATE portal_settings SET enabled = true,
       permissions = ARRAY['view_profile', 'view_appointments', 'create_appointment', 'cancel_appointment',
         'view_treatments']
     WHERE clinic_id = '${clinicId}'`,
    `UPDATE booking_rules SET min_notice_minutes = 120, horizon_days = 400, cancel_cutoff_minutes = 1440,
       max_open_bookings = 100, slot_step_minutes = 15 WHERE clinic_id = '${clinicId}'`,
    `DELETE FROM appointments WHERE clinic_id = '${clinicId}' AND id NOT ${between(APPOINTMENT_PREFIX)}`,
    ...made.statements,
  ]);
  sessions = Array.from({ length: N_SESSIONS }, (_, i) => ({
    patientId: sessionPatient(i), cookie: `portal_patient=${token(i)}`, csrf,
  }));
  workers = await startCeiling();
});

after(() => {
  stopCeiling();
  if (clinicId) psql(`DELETE FROM patient_sessions WHERE clinic_id = '${clinicId}'`);
  runs?.close();
});

// Dates (YYYY-MM-DD) in the clinic's zone, first to last days from today.
const daysFromToday = (first, last) => psql(`SELECT to_char((now() AT TIME ZONE '${ZONE}')::date + i, 'YYYY-MM-DD')
  FROM generate_series(${first}, ${last}) i ORDER BY i`).split('\n');

describe(`appointments benchmark: ${N_PATIENTS} patients, ${N_APPOINTMENTS} appointments (scale ${SCALE})`, { timeout: 20 * 60_000 }, () => {
  test('the seeded clinic', () => {
    if (seedSeconds !== null) console.log(`# seeded ${N_PATIENTS} patients and ${N_APPOINTMENTS} appointments in ${seedSeconds.toFixed(1)} s`);
    else console.log('# reused the seeded clinic');
    assert.equal(Number(psql(`SELECT count(*) FROM appointments WHERE clinic_id = '${clinicId}'`)), N_APPOINTMENTS);
    assert.equal(Number(psql(`SELECT count(*) FROM patients WHERE clinic_id = '${clinicId}'`)), N_PATIENTS);
    const span = psql(`SELECT min(lower(during))::date || ' ' || max(upper(during))::date FROM appointments
      WHERE clinic_id = '${clinicId}'`);
    console.log(`# appointments from ${span.replace(' ', ' to ')}, ${N_PRACTITIONERS} practitioners, ${N_SESSIONS} patients signed in`);
  });

  ceilingTests(() => ({ runs, workers, n: N_SESSIONS, patientId: (i) => sessions[i].patientId }));

  test('GET me (the patient session check alone)', async () => {
    const res = await api('GET', portalPath(CODE, 'me'), { headers: { cookie: sessions[0].cookie } });
    assert.equal(res.status, 200, res.text);
    await runs.bench('GET me (session check only)', rotate(N_SESSIONS, (i) => get(portalPath(CODE, 'me'), sessions[i])));
  });

  for (const scope of ['upcoming', 'past']) {
    test(`GET appointments?scope=${scope}`, async () => {
      const path = portalPath(CODE, `appointments?scope=${scope}`);
      const res = await api('GET', path, { headers: { cookie: sessions[1].cookie } });
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.items.length > 0, `${scope}: the patient has appointments (${res.text.slice(0, 200)})`);
      await runs.bench(`GET appointments?scope=${scope}`, rotate(N_SESSIONS, (i) => get(path, sessions[i])));
    });
  }

  test('GET treatments (plans with their items, and records)', async () => {
    const path = portalPath(CODE, 'treatments');
    const res = await api('GET', path, { headers: { cookie: sessions[1].cookie } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.plans.length, 1, res.text.slice(0, 300));
    assert.equal(res.body.plans[0].items.length, 3);
    assert.equal(res.body.records.length, 2);
    await runs.bench('GET treatments', rotate(N_SESSIONS, (i) => get(path, sessions[i])));
  });

  test('GET appointments/slots (one practitioner, 7 days)', async () => {
    const days = daysFromToday(1, 28);
    const slots = (i) => {
      const from = days[i % 21];
      const to = days[(i % 21) + 6];
      return portalPath(CODE, `appointments/slots?practitioner_id=${hexId(PRACTITIONER_PREFIX, i % N_PRACTITIONERS)}` +
        `&type_id=${TYPE_15}&from=${from}&to=${to}`);
    };
    const res = await api('GET', slots(0), { headers: { cookie: sessions[0].cookie } });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.items.length > 0, `free slots in 7 days: ${res.text.slice(0, 300)}`);
    await runs.bench('GET appointments/slots (7 days)', rotate(N_SESSIONS, (i) => get(slots(i), sessions[(i * 7) % N_SESSIONS])));
  });

  test(`POST appointments (${BOOKINGS} bookings, each a different free slot)`, async () => {
    // The free quarter hour of each 2-hour block (hh:45 of 09, 11, 13, 15, 17, 19) of every
    // practitioner, on working days from the day after tomorrow on, in time order.
    const slack = CONNECTIONS + 8 * THREADS;
    // (A rerun weeks after the seeding skips the leave that has come nearer.)
    const free = psql(`SELECT p || ' ' || to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS') FROM (
        SELECT d, b, p, d + time '09:45' + b * interval '2 hours' AS t
        FROM (SELECT (now() AT TIME ZONE '${ZONE}')::date + i AS d FROM generate_series(2, 60) i) days,
          generate_series(0, 5) b, generate_series(0, ${N_PRACTITIONERS - 1}) p
        WHERE extract(isodow FROM d) <> 7) cells
      WHERE NOT EXISTS (SELECT 1 FROM time_off o WHERE o.clinic_id = '${clinicId}'
        AND (o.practitioner_id IS NULL OR o.practitioner_id = ${sqlId(PRACTITIONER_PREFIX, 'p')})
        AND o.during && tstzrange(t AT TIME ZONE '${ZONE}', (t + interval '15 minutes') AT TIME ZONE '${ZONE}'))
      ORDER BY d, b, p LIMIT ${BOOKINGS + slack + 1}`).split('\n').map((l) => l.split(' '));
    assert.equal(free.length, BOOKINGS + slack + 1);
    const offset = psql(`SELECT to_char(now() AT TIME ZONE '${ZONE}' - now() AT TIME ZONE 'UTC', 'HH24:MI')`);
    const booking = ([p, start], i) => {
      const s = sessions[i % N_SESSIONS];
      return ['POST', portalPath(CODE, 'appointments'),
        { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json' },
        JSON.stringify({ practitioner_id: hexId(PRACTITIONER_PREFIX, Number(p)), type_id: TYPE_15, start: `${start}+${offset}` })];
    };
    // One through the client, validated against the OpenAPI document (the last slot: wrk
    // never reaches it).
    const [, path, headers, body] = booking(free.at(-1), N_SESSIONS - 1);
    const first = await api('POST', path, { headers: { cookie: headers.Cookie, 'x-csrf-token': headers['X-CSRF-Token'] }, body: JSON.parse(body) });
    assert.equal(first.status, 201, first.text);
    // wrk waits out its whole -d even when every thread stopped after its share, so its
    // requests per second would be wrong here: the rate is the bookings' own, from the first
    // to the last one's transaction start (created_at) in the database.
    const since = psql('SELECT now()');
    const script = runs.wrkScript('post-appointments', free.slice(0, -1).map(booking), { stopAfter: BOOKINGS / THREADS });
    const r = runs.runWrk(script, POST_SECONDS, { measure: true });
    await drain();
    const created = r.byStatus[201] ?? 0;
    const responses = Object.values(r.byStatus).reduce((x, y) => x + y, 0);
    const [booked, span] = psql(`SELECT count(*), extract(epoch FROM max(created_at) - min(created_at))
      FROM appointments WHERE clinic_id = '${clinicId}' AND id NOT ${between(APPOINTMENT_PREFIX)}
      AND created_at > '${since}'`).split('|').map(Number);
    const rps = (booked - 1) / span;
    console.log(`# POST appointments: ${rps.toFixed(0)} bookings/s (${booked} in ${span.toFixed(1)} s), p50 ${(r.p50Us / 1000).toFixed(1)} ms, ` +
      `p99 ${(r.p99Us / 1000).toFixed(1)} ms, responses by status ${JSON.stringify(r.byStatus)}`);
    // Per booking made: requests still in flight when the threads stopped booked too.
    const cost = costPer(r.measured, booked);
    printCost(cost);
    runs.record({ name: `POST appointments (${responses} bookings)`, rps, p99Ms: r.p99Us / 1000, ok: created / Math.max(responses, 1),
      requests: responses, cost });
    assert.ok(responses > 0 && r.p99Us > 0 && Number.isFinite(rps), 'no numbers');
    assert.ok(created >= responses * MIN_OK, `only ${created} of ${responses} bookings answered 201: ${JSON.stringify(r.byStatus)}`);
    // Every 201 is a booking in the database (requests cut off by the stop may add a few).
    assert.ok(booked >= created, `${created} answered 201, ${booked} in the database`);
  });

  test('the table', () => {
    runs.printTable();
    assert.equal(runs.results.length, 8, `every measurement produced a number: ${runs.results.map((r) => r.name).join(', ')}`);
  });
});
