// Finance benchmark (issue 12, "Done when"; DESIGN.md sections 8, 11 and 12). A measurement, not
// a timed requirement: it asserts only that the requests succeeded (at least 99 % 2xx) and that
// every number was produced.
//
// The clinic: 100,000 patients and 1,000,000 invoices (10 each, about 73 days apart, over the
// last two years), seeded in SQL as the owner role (INSERT ... SELECT over generate_series, the
// invoices and lines split over one session per core, the payments in one; nothing disabled,
// every constraint checked).
// Invoice n (0 oldest .. 999,999 newest) belongs to patient (n * 7919) % 100000 (a bijection on
// each run of 100,000, so 10 each, spread out), was issued (n * 730 / 1,000,000) days into the
// two years, numbered INV<YYYY><9 digits> gapless in its year in issue order (invoice_counters
// set to each year's count); 1-3 lines at 0, 1000 and 2000 basis points; a due date 30 days on
// (none for one in ten); 2 % void; of the rest, older than 60 days: 86 % paid in full, 6 %
// half paid, 6 % open; the last 60 days: 38 % paid, 15 % half paid, the rest open; each paid
// part one staff payment (cash, card or transfer) for that invoice with its allocation. What is
// not paid and past its due date is overdue (about 12 % of the invoices). The portal is enabled
// under the code perf-finance with view_balance and view_invoices; 1000 patients (every 100th)
// are signed in, their sessions rows made here, new ones every run; an API key (read) stands in
// for the clinic side. The clinic is found again by its fixed name, so a rerun on the same stack
// reuses it and skips the seeding.
//
// Measured through nginx with wrk (loopback only; tests/perf/lib/bench.mjs: -t 2 -c 64, a 2 s
// warm-up, then PORTAL_BENCH_SECONDS, default 10), as requests per second and p99 latency,
// beside the two ceilings measured in the same run (static: nginx serving the console's
// index.html; fcgi: tests/perf/fcgi_ceiling.c, a minimal libfcgi responder doing one
// primary-key SELECT), GET me (the patient session check alone, the floor of every patient
// read), GET balance and GET invoices (first page) of the signed-in patients in
// turn, and the clinic side with the API key: GET clinic/invoices?patient_id= (the same
// patients) and GET clinic/invoices (the clinic-wide first page, overdue first). The table gives
// each ratio to the fcgi ceiling (DESIGN.md section 11: 0.6 for reads).
//
// Scale: PORTAL_BENCH_SCALE (default 1, and 0.1 under CI=true) multiplies the patients and so
// the invoices (10 per patient, over the same two years); PORTAL_BENCH_SECONDS defaults to 10 (3
// under CI).
//
// What was measured (the 2-core machine shared with other sessions, load average 4-10, so the
// ceilings themselves moved from 2,300 to 5,300 req/s between runs; compare ratios in one run):
//
//   scale 0.1, 0025's statements       req/s  p99 ms  ratio    after 0027 and the new statements
//   fcgi ceiling                        5302    28.4   1.00      2254   180.7  1.00  (CI=true run)
//   GET me (session check only)            -       -      -       679   197.5  0.30
//   GET balance                         1755    66.4   0.33       687   203.6  0.30
//   GET invoices                         523   179.0   0.10       547   199.9  0.24
//   GET clinic/invoices?patient_id=      474   179.1   0.09       596   262.3  0.26
//   GET clinic/invoices (clinic-wide)      1  9567.0   0.00       134   558.1  0.06
//
//   scale 1 (100,000 patients, 1,000,000 invoices, 2,000,000 lines, 887,410 payments), after:
//   static file 14092 req/s (3.71); fcgi ceiling 3803 req/s, p99 37.8 ms (1.00); GET me 1892,
//   56.2 ms (0.50); GET balance 747, 154.4 ms (0.20); GET invoices 896, 112.9 ms (0.24);
//   GET clinic/invoices?patient_id= 841, 120.2 ms (0.22); GET clinic/invoices (clinic-wide) 210,
//   394.9 ms (0.06). Invoices by status: paid 819,891, partially paid 67,519 (51,574 overdue),
//   open 92,588 (62,262 overdue), void 20,002. Seeding: patients, invoices and lines about 3
//   minutes, the payments 53 s (one session; see seedSql).
//
// EXPLAIN (ANALYZE, BUFFERS) at scale 1, as portal_app with the clinic set, warm:
//   clinic-wide list, overdue first (0025's statement): 46.6 s, 9.2 million buffers: the figures
//     (two lateral sums) of all 1,000,000 invoices, then a top-N sort of them all, on every
//     request. Now two parts of at most a page each (the overdue candidates newest first through
//     0027's invoices_unvoided, due_on in the index, so the ones not yet due are passed over in
//     the index; then the others through invoices_clinic): 4.5 ms (12 ms cold), 2,200 buffers,
//     the same 51 rows byte for byte.
//   GET invoices of a patient with 10 invoices: 0.2 ms execution, 102 buffers, but 0.7-2 ms of
//     planning: with the optional patient filter ($2 IS NULL OR patient_id = $2) the generic
//     plan walks the whole clinic (224 ms at scale 0.1), so the plan cache stayed on custom
//     plans, planned anew on every request. The patient's list is now a statement of its own
//     whose generic plan is the patient's index: from the sixth execution on, planning 0.03 ms.
//   GET balance: 0.37 ms execution, 123 buffers, 1.9 ms planning (the patient's invoice figures
//     read twice); now read once: 0.26 ms, 110 buffers, 0.7 ms planning, and generic (no
//     planning) from the sixth execution on.
// So the finance SQL of a patient read is now well under a millisecond; what is left of the
// gap to 0.6 is not in it: GET me, the session check alone, is itself at 0.30-0.50 of the
// ceiling on this machine (its round trip, the pipeline's transaction), and GET balance and
// GET invoices add one statement to it. Not yet measured: where the remaining 1-2 ms of worker
// time per finance read goes beyond GET me (round trips per request, JSON), which is what a
// next step would profile. The clinic-wide list stays at 0.06: its two parts still compute
// the figures of a few hundred candidates (the paid ones among the past-due) per page.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { api, psql } from '../api/lib/client.mjs';
import { makeApiKey, portalctl, portalPath } from '../api/lib/fixtures.mjs';
import {
  between, get, hexId, patientSessions, patientsSql, psqlSession, psqlSessions, rotate, Runs, SCALE, sqlId,
  startCeiling, stopCeiling, ceilingTests,
} from './lib/bench.mjs';

const CLINIC_NAME = 'Perf: finance (tests/perf/finance.test.mjs)';
const CODE = 'perf-finance';
const N_PATIENTS = Math.max(1000, Math.round(100_000 * SCALE) - (Math.round(100_000 * SCALE) % 1000));
const N_INVOICES = 10 * N_PATIENTS; // 1,000,000 at full scale
const N_SESSIONS = 1000;
const SESSION_STRIDE = N_PATIENTS / N_SESSIONS; // every 100th patient at full scale
const DAYS = 730;
const RECENT_DAYS = 60;
const PARTS = Math.max(1, Math.min(4, availableParallelism()));
if (N_PATIENTS % 7919 === 0) throw new Error(`${N_PATIENTS} patients: 7919 must not divide it`);

// Seeded rows carry ids of these forms (patients 0..99999, invoices and payments 0..999999,
// lines 3n + position).
const PATIENT_PREFIX = '5eed0012-0000-4000-8000-';
const INVOICE_PREFIX = '5eed0012-0001-4000-8000-';
const LINE_PREFIX = '5eed0012-0002-4000-8000-';
const PAYMENT_PREFIX = '5eed0012-0003-4000-8000-';
const sessionPatient = (i) => hexId(PATIENT_PREFIX, i * SESSION_STRIDE);

// Invoice n's figures, all from n: its patient p, days back d, a number u in 0..99 that looks
// random (Knuth's multiplicative hash), the clinic's today, zone and prefix.
function invoiceBase(clinicId) {
  return `
clinic AS (
  SELECT invoice_prefix AS prefix, time_zone AS zone, (now() AT TIME ZONE time_zone)::date AS today
  FROM clinics WHERE id = '${clinicId}'
), b0 AS (
  SELECT n, (n::bigint * 7919) % ${N_PATIENTS} AS p, ((${N_INVOICES - 1} - n)::bigint * ${DAYS}) / ${N_INVOICES} AS d,
    ((n::bigint * 2654435761) % 4294967296) * 100 / 4294967296 AS u
  FROM generate_series(0, ${N_INVOICES - 1}) n
), b1 AS (
  SELECT b0.*, clinic.today - d::integer AS issued_on, clinic.zone, clinic.prefix FROM b0, clinic
), base AS (
  SELECT b1.*, extract(year FROM issued_on)::integer AS y,
    least(((issued_on + time '09:00' + (n % 480) * interval '1 minute') AT TIME ZONE zone), now() - interval '1 minute')
      AS created_at,
    CASE WHEN u < 2 THEN 'void'
         WHEN d > ${RECENT_DAYS} THEN CASE WHEN u < 88 THEN 'paid' WHEN u < 94 THEN 'partial' ELSE 'open' END
         ELSE CASE WHEN u < 40 THEN 'paid' WHEN u < 55 THEN 'partial' ELSE 'open' END END AS state
  FROM b1
)`;
}

function seedSql(clinicId) {
  const c = `'${clinicId}'::uuid`;
  const patients = patientsSql(clinicId, PATIENT_PREFIX, N_PATIENTS, { phonePrefix: '+90533' });
  const counters = `
WITH ${invoiceBase(clinicId)}
INSERT INTO invoice_counters (clinic_id, year, last_number)
SELECT ${c}, y, count(*) FROM base GROUP BY y`;
  // Numbered in issue order within the year: n - (the year's first n) + 1.
  const invoices = `
WITH ${invoiceBase(clinicId)}, firsts AS (SELECT y, min(n) AS n0 FROM base GROUP BY y)
INSERT INTO invoices (id, clinic_id, patient_id, number, issued_on, due_on, note, voided_at, void_reason, created_at)
SELECT ${sqlId(INVOICE_PREFIX, 'n')}, ${c}, ${sqlId(PATIENT_PREFIX, 'p')},
  prefix || y || lpad((n - n0 + 1)::text, 9, '0'), issued_on,
  CASE WHEN u % 10 <> 9 THEN issued_on + 30 END,
  CASE WHEN u % 10 = 3 THEN 'Taksitli ödeme' END,
  CASE WHEN state = 'void' THEN least(created_at + interval '1 day', now()) END,
  CASE WHEN state = 'void' THEN 'Hatalı düzenlendi' END,
  created_at
FROM base JOIN firsts USING (y) WHERE n % ${PARTS} = $PART ORDER BY n`;
  const lines = `
INSERT INTO invoice_lines (id, clinic_id, invoice_id, position, description, quantity, unit_price, tax_rate_bp)
SELECT ${sqlId(LINE_PREFIX, 'n * 3 + j')}, ${c}, ${sqlId(INVOICE_PREFIX, 'n')}, j,
  (ARRAY['Muayene', 'Dolgu', 'Diş taşı temizliği', 'Kanal tedavisi', 'Röntgen'])[1 + (n + j) % 5],
  1 + (n + j) % 2, (ARRAY[50000, 125000, 80000, 250000, 30050])[1 + (n + 2 * j) % 5],
  (ARRAY[0, 1000, 2000])[1 + (n / 3 + j) % 3]
FROM generate_series(0, ${N_INVOICES - 1}) n, generate_series(0, 2) j
WHERE j <= n % 3 AND n % ${PARTS} = $PART ORDER BY n, j`;
  // One payment per paid part (the whole due, or half of it), for that invoice, with its
  // allocation. In one session: two sessions' foreign-key checks share-locking the same patient
  // and invoice rows (multixacts) took more than ten minutes at full scale, one takes a minute.
  const payments = `
CREATE TEMP TABLE bench_pay AS
WITH ${invoiceBase(clinicId)}, totals AS (
  SELECT invoice_id, sum(total) AS total FROM invoice_lines WHERE clinic_id = ${c} AND invoice_id ${between(INVOICE_PREFIX)}
  GROUP BY invoice_id
)
SELECT n, ${sqlId(PAYMENT_PREFIX, 'n')} AS id, ${sqlId(PATIENT_PREFIX, 'p')} AS patient_id,
  ${sqlId(INVOICE_PREFIX, 'n')} AS invoice_id,
  CASE WHEN state = 'paid' THEN t.total ELSE t.total / 2 END AS amount,
  least(created_at + (u % 20) * interval '1 day', now()) AS received_at
FROM base JOIN totals t ON t.invoice_id = ${sqlId(INVOICE_PREFIX, 'n')}
WHERE state IN ('paid', 'partial');
INSERT INTO payments (id, clinic_id, patient_id, amount, method, status, invoice_id, received_at, created_at, updated_at)
SELECT id, ${c}, patient_id, amount, (ARRAY['cash', 'card', 'transfer'])[1 + n % 3], 'succeeded', invoice_id,
  received_at, received_at, received_at
FROM bench_pay ORDER BY n;
INSERT INTO payment_allocations (clinic_id, payment_id, invoice_id, amount, created_at)
SELECT ${c}, id, invoice_id, amount, received_at FROM bench_pay ORDER BY n`;
  return { patients, counters, invoices, lines, payments };
}

// ---- the clinic ----

let clinicId;
let seedSeconds = null;
let sessions; // [{patientId, cookie, csrf}]
let apiKey;
let workers;
let runs;

before(async () => {
  runs = new Runs('tests/perf/finance.test.mjs');
  const existing = psql(`SELECT id FROM clinics WHERE name = '${CLINIC_NAME}' ORDER BY created_at LIMIT 1`);
  clinicId = existing || portalctl('create-clinic', '--name', CLINIC_NAME, '--code', CODE);
  if (!existing) portalctl('grant-module', '--clinic', clinicId, '--module', 'patient_portal');
  const count = (table, prefix) => Number(psql(`SELECT count(*) FROM ${table} WHERE clinic_id = '${clinicId}'
    AND id ${between(prefix)}`));
  if (count('patients', PATIENT_PREFIX) !== N_PATIENTS || count('invoices', INVOICE_PREFIX) !== N_INVOICES) {
    const sql = seedSql(clinicId);
    const fast = ['SET synchronous_commit = off', "SET work_mem = '256MB'", 'SET jit = off'];
    const t0 = process.hrtime.bigint();
    await psqlSession([
      ...fast,
      'BEGIN',
      ...['payment_allocations', 'refunds', 'payment_events', 'idempotency_keys', 'payments', 'invoice_lines', 'invoices',
        'invoice_counters', 'patient_sessions', 'outbox', 'patients']
        .map((t) => `DELETE FROM ${t} WHERE clinic_id = '${clinicId}'`),
      sql.patients, sql.counters,
      'COMMIT',
    ], { timeoutMs: 300_000 });
    // Invoices and lines in as many sessions as the machine has cores (each its share of n),
    // one table after the other (the foreign keys); the payments in one.
    for (const step of ['invoices', 'lines']) {
      await psqlSessions(Array.from({ length: PARTS }, (_, part) => [
        ...fast, sql[step].replaceAll('$PART', String(part)),
      ]), { timeoutMs: 900_000 });
    }
    // The payments join the lines just written: without their statistics (autovacuum has not
    // come by yet on a fresh stack) the planner picks a nested loop over all the lines for each
    // invoice, which ran for more than ten minutes at scale 0.1.
    await psqlSession([...fast, 'ANALYZE invoices, invoice_lines', sql.payments], { timeoutMs: 900_000 });
    await psqlSession(['VACUUM (ANALYZE) patients, invoices, invoice_lines, invoice_counters, payments, payment_allocations'],
      { timeoutMs: 300_000 });
    seedSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  // Every run: the portal open with the finance read permissions, 1000 fresh sessions, an API
  // key of its own (the earlier runs' removed).
  const made = patientSessions(clinicId, N_SESSIONS, sqlId(PATIENT_PREFIX, `i * ${SESSION_STRIDE}`));
  await psqlSession([
    `UPDATE portal_settings SET enabled = true, permissions = ARRAY['view_profile', 'view_balance', 'view_invoices']
     WHERE clinic_id = '${clinicId}'`,
    `DELETE FROM api_keys WHERE clinic_id = '${clinicId}'`,
    ...made.statements,
  ]);
  sessions = Array.from({ length: N_SESSIONS }, (_, i) => ({
    patientId: sessionPatient(i), cookie: `portal_patient=${made.token(i)}`, csrf: made.csrf,
  }));
  apiKey = makeApiKey(clinicId, 'read');
  workers = await startCeiling();
});

after(() => {
  stopCeiling();
  if (clinicId) psql(`DELETE FROM patient_sessions WHERE clinic_id = '${clinicId}'`);
  runs?.close();
});

const keyed = (path) => ['GET', path, { Authorization: `Bearer ${apiKey}` }];

describe(`finance benchmark: ${N_PATIENTS} patients, ${N_INVOICES} invoices (scale ${SCALE})`, { timeout: 25 * 60_000 }, () => {
  test('the seeded clinic', () => {
    if (seedSeconds !== null) console.log(`# seeded ${N_PATIENTS} patients and ${N_INVOICES} invoices in ${seedSeconds.toFixed(1)} s`);
    else console.log('# reused the seeded clinic');
    assert.equal(Number(psql(`SELECT count(*) FROM invoices WHERE clinic_id = '${clinicId}'`)), N_INVOICES);
    assert.equal(Number(psql(`SELECT count(*) FROM patients WHERE clinic_id = '${clinicId}'`)), N_PATIENTS);
    // Gapless numbers per year, the counters at each year's last.
    const years = psql(`SELECT y || ' ' || cnt || ' ' || mx || ' ' || ic.last_number FROM (
        SELECT substr(number, 4, 4)::integer AS y, count(*) AS cnt, max(substr(number, 8)::bigint) AS mx
        FROM invoices WHERE clinic_id = '${clinicId}' GROUP BY 1) s
      JOIN invoice_counters ic ON ic.clinic_id = '${clinicId}' AND ic.year = s.y ORDER BY y`).split('\n');
    for (const line of years) {
      const [, cnt, mx, last] = line.split(' ').map(Number);
      assert.ok(cnt === mx && mx === last, `numbers of year ${line}: count, max, counter differ`);
    }
    const states = psql(`SELECT status || ' ' || count(*) || ' ' || count(*) FILTER (WHERE overdue) FROM invoice_figures
      WHERE clinic_id = '${clinicId}' GROUP BY status ORDER BY status`).split('\n');
    console.log(`# invoices by status (count, overdue): ${states.join('; ')}; ${N_SESSIONS} patients signed in`);
  });

  ceilingTests(() => ({ runs, workers, n: N_SESSIONS, patientId: (i) => sessions[i].patientId }));

  test('GET me (the patient session check alone: the floor of a patient read)', async () => {
    const res = await api('GET', portalPath(CODE, 'me'), { headers: { cookie: sessions[0].cookie } });
    assert.equal(res.status, 200, res.text);
    await runs.bench('GET me (session check only)', rotate(N_SESSIONS, (i) => get(portalPath(CODE, 'me'), sessions[i])));
  });

  test('GET balance', async () => {
    const path = portalPath(CODE, 'balance');
    const res = await api('GET', path, { headers: { cookie: sessions[1].cookie } });
    assert.equal(res.status, 200, res.text);
    assert.equal(typeof res.body.balance, 'number', res.text);
    await runs.bench('GET balance', rotate(N_SESSIONS, (i) => get(path, sessions[i])));
  });

  test('GET invoices (the first page)', async () => {
    const path = portalPath(CODE, 'invoices');
    const res = await api('GET', path, { headers: { cookie: sessions[1].cookie } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.items.length, 10, res.text.slice(0, 300));
    await runs.bench('GET invoices', rotate(N_SESSIONS, (i) => get(path, sessions[i])));
  });

  test('GET clinic/invoices?patient_id= (API key)', async () => {
    const path = (i) => `/api/v1/clinic/invoices?patient_id=${sessions[i].patientId}`;
    const res = await api('GET', path(1), { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.items.length, 10, res.text.slice(0, 300));
    await runs.bench('GET clinic/invoices?patient_id=', rotate(N_SESSIONS, (i) => keyed(path(i))));
  });

  test('GET clinic/invoices (clinic-wide first page, overdue first)', async () => {
    const path = '/api/v1/clinic/invoices';
    const res = await api('GET', path, { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.items.length > 0 && res.body.items[0].overdue, res.text.slice(0, 300));
    await runs.bench('GET clinic/invoices (clinic-wide)', [keyed(path)]);
  });

  test('the table', () => {
    runs.printTable();
    assert.equal(runs.results.length, 7, `every measurement produced a number: ${runs.results.map((r) => r.name).join(', ')}`);
  });
});
