// Messages benchmark (issue 14, "Done when"; DESIGN.md sections 8, 11 and 14). A measurement, not
// a timed requirement: it asserts only that the requests succeeded (at least 99 % 2xx or 304)
// and that every number was produced.
//
// The clinic: 100,000 threads and 1,000,000 messages (10 each), 20,000 patients (5 threads
// each) and 8 staff members, seeded in SQL as the owner role (INSERT ... SELECT over
// generate_series, one statement per table, the messages split over one session per core by
// thread, so that no two sessions' foreign-key checks lock the same rows; nothing disabled,
// every constraint checked; VACUUM (ANALYZE) after). Thread n (0 oldest .. newest) belongs to
// patient n % 20,000, started (730 days × (N - 1 - n) / N) before the seeding plus 11 hours,
// its messages an hour apart, message j (1..10) by the patient when j + n is even, else by
// staff member (n % 10) % 8 (so odd n: started by the patient, the last word the clinic's;
// even n: the other way round); topic n % 4; assigned to staff member n % 10 when that is
// below 8 (a fifth nobody's); closed when older than 30 days (but one in ten). Every message is
// read 20 minutes after it was written except the last one of the newest 2 % of the threads:
// those threads hold the clinic's unread (even n: staff_unread 1, 1,000 threads at scale 1) and
// the patients' (odd n: patient_unread 1, notice pending); the threads' counters equal their
// rows. The portal is enabled under the code perf-messages with view_messages; 1000 patients
// are signed in (every 20th), and every staff member has a session (rows made here, new ones
// every run). The clinic is found again by its fixed name, so a rerun on the same stack reuses
// it and skips the seeding.
//
// Measured through nginx with wrk (loopback only; tests/perf/lib/bench.mjs: -t 2 -c 64, a 2 s
// warm-up, then PORTAL_BENCH_SECONDS, default 10), as requests per second and p99 latency,
// beside the ceilings measured in the same run (static: nginx serving the console's index.html;
// fcgi: tests/perf/fcgi_ceiling.c, a minimal libfcgi responder doing one primary-key SELECT),
// the session checks alone (GET me of a patient, GET clinic/me of a staff member: the floors),
// the patient's GET messages (their 5 threads), and, with the staff sessions in turn, the
// inbox GET clinic/messages (the first page, default filter; unread=true; assigned_to=me) and
// GET clinic/messages/unread-count (200, and with If-None-Match of its ETag: 304). The table
// gives each rate's ratio to the fcgi ceiling and each p99 over the ceiling's (the issue's aim:
// 0.6 for the patient read, 0.4 for the inbox, or where the time goes).
//
// Then where the time goes, measured in the same run: each route's Server-Timing (time inside
// the pipeline and database round trips) against the client's whole time, over requests sent
// one at a time; and EXPLAIN (ANALYZE, BUFFERS) of the statements the routes run (those of
// src/db/messages_sql.c, and the inbox function's query of sql/0029 with its values, as its
// force_custom_plan plans it), as portal_app with the clinic (and patient) set as the server
// sets them, after five executions of the prepared statement.
//
// Scale: PORTAL_BENCH_SCALE (default 1, and 0.1 under CI=true) multiplies the threads and so the
// messages and the patients (the staff stay 8, the sessions 1000 at most); PORTAL_BENCH_SECONDS
// defaults to 10 (3 under CI).
//
// What was measured (the 2-core machine shared with another session's builds and tests, load
// average 8-11, so the ceiling itself moved from 2,200 to 5,200 req/s between runs; compare
// ratios within one run; dev stack, 4 workers, on the merged messages API):
//
//   req/s, p99 ms, ratio to fcgi, p99 / fcgi p99   scale 1 (10 s)              CI=true (scale 0.1, 3 s)
//   static file (GET /console/)                 15499  168.6  3.39  3.86     20483   11.9  3.91  0.31
//   fcgi ceiling (4 workers, 1 PK SELECT)        4569   43.6  1.00  1.00      5239   38.6  1.00  1.00
//   GET me (patient session check only)          3034   44.7  0.66  1.03      3002   40.4  0.57  1.05
//   GET clinic/me (staff session check only)     3756   34.2  0.82  0.78      3804   52.1  0.73  1.35
//   GET messages (patient: 5 threads)            1746  121.3  0.38  2.78      2176   88.3  0.42  2.29
//   GET clinic/messages (inbox, 50 threads)       929  178.6  0.20  4.09       904   99.5  0.17  2.58
//   GET clinic/messages?limit=5 (inbox)          1599  109.1  0.35  2.50      1720  134.5  0.33  3.48
//   GET clinic/messages?unread=true               680  216.8  0.15  4.97      1054  149.5  0.20  3.87
//   GET clinic/messages?assigned_to=me            889  132.1  0.19  3.03       881  148.9  0.17  3.86
//   GET clinic/messages/unread-count             2400  113.4  0.53  2.60      3520   78.7  0.67  2.04
//   GET unread-count If-None-Match (304)         3016   51.5  0.66  1.18      3473   33.3  0.66  0.86
// An earlier scale-1 run (ceiling 2,198 req/s, load 8): patient read 0.41 (GET me 0.64), inbox
// 0.27, unread=true 0.24, assigned_to=me 0.26, unread count 0.91, its 304 1.01. Seeding: 33-64 s
// at scale 1 (1,000,000 messages in two sessions), 7-23 s at scale 0.1.
//
// So both aims are missed: the patient's list at 0.36-0.42 (aim 0.6), the inbox at 0.17-0.27
// (aim 0.4). Where the time goes, measured (scale 1, the same run's figures):
//   * Not in the SQL. EXPLAIN (ANALYZE, BUFFERS) as portal_app, warm, after 10 executions:
//     the patient's threads 0.05 ms, 10 buffers (message_threads_patient, generic plan, no
//     planning); the inbox statement 0.35 ms, about 360 buffers, for every filter: the
//     function's page of ids by its index (message_threads_inbox / _unread / _assigned, an
//     Index Only Scan of 51 entries, 0.03 ms), then 51 key lookups each of message_threads,
//     patients (204 + 153 buffers) and the staff; the unread count 0.12-0.14 ms (an Index Only
//     Scan of the partial index, 1,000 entries at scale 1). No sequential scan at scale 1.
//   * The patient's list: one round trip (its statement goes ahead with the session check),
//     0.90 ms inside the pipeline one at a time (Server-Timing), the same as GET me alone
//     (0.81-0.90 ms). The floor, GET me, is itself at 0.47-0.66 of the ceiling; under load the
//     list costs about 0.25 ms more machine time per request than GET me (1/1746 - 1/3034 s)
//     that the serial figures do not show (its SQL is 0.05 ms; its answer 1.4 KB against
//     0.4 KB). Not located further: what is left is the patient pipeline's own cost, which
//     finance.test.mjs found too.
//   * The inbox: two round trips (the route sends nothing ahead: the session check, then the
//     inbox statement) and a 20 KB answer of 50 threads. One at a time it takes 1.36 ms
//     inside against 0.37-0.40 ms for the staff session check alone (clinic/me, one trip);
//     the same route with limit=5 (2 KB, the same two round trips and plan) 0.88-1.05 ms, and
//     under load 0.33-0.35 of the ceiling against 0.17-0.20 for the 50-thread page. So about
//     half of the gap to clinic/me is the second round trip with the function call (and its
//     inner query planned on each call: force_custom_plan), and half the page's size: 51
//     rows joined by key (0.35 ms of SQL) and 20 KB of JSON built and carried through FastCGI
//     and nginx (client time 4.5 ms against 3.2 ms for limit=5).
//   * A plan that depends on the table's size: on a fresh stack whose message_threads held just
//     this clinic's 10,000 threads, the prepared inbox statement's generic plan hash-joined the
//     page's ids against a Seq Scan of all 10,000 threads (213 buffers, 3.5 ms execution, 6.9
//     ms inside per request, the inbox at 0.10 of the ceiling); from about 25,000 rows in the
//     table (any clinic's) it reads them by key as above.
// Changed since (branch msg-speed): GET clinic/messages is an RA route: its ahead step reads
// the query as the handler does and queues the inbox statement behind the session's, of the
// context's clinic (portal_current_clinic(), which the session statement sets), so one round
// trip (assigned_to=me still two: "me" is the caller, unknown before the session check). Its
// statement calls portal_message_inbox_page() (sql/0030): the page of ids by the same filters
// as portal_message_inbox() (0029, kept for a server mid-upgrade), planned per call as a
// one-shot EXECUTE (its values constants, so the partial indexes serve), then each thread, its
// patient and assignee by key in a LATERAL ... LIMIT 1 over the ids (a cached plan), so no plan
// joins the ids against a scan of the threads. Measured on one fresh dev stack (CI=true, scale
// 0.1, 10,000 threads: the size at which 0029's outer join went to a Seq Scan; load 4-8; the
// ceiling 8172 req/s before, 6894 and 6069 in the two after runs, so compare ratios):
//
//   ratio to fcgi (inside ms one at a time, round trips)   before         after (two runs)
//   GET clinic/messages (inbox, 50 threads)                0.10 (3.09, 2)  0.16 / 0.15 (2.04 / 1.86, 1)
//   GET clinic/messages?limit=5                            0.14 (2.59, 2)  0.29 / 0.37 (1.16 / 1.08, 1)
//   GET clinic/messages?unread=true                        0.11 (2.99, 2)  0.13 / 0.16 (2.13 / 1.92, 1)
//   GET clinic/messages?assigned_to=me                     0.10 (2)        0.12 / 0.15 (2.45 / 2.14, 2)
//   GET clinic/me (the floor)                              0.69 (0.37)     0.62 / 0.67 (0.44 / 0.37)
// So one round trip and about 1 ms less inside per request, but the 50-thread page is still
// far from the aim of 0.4: the function's statement takes 0.75-0.9 ms (EXPLAIN ANALYZE, about
// 430 buffers: 51 key lookups each of threads, patients and staff, under row-level security)
// and its answer is 20 KB of JSON; limit=5 reaches 0.29-0.37. Next: a smaller first page for
// the console (25 threads), and the lookups' cost. Not yet measured at scale 1.
// Unexplained, not touched here: in both after runs (after the API tests had run on the same
// stack) the patient's GET messages fell to 0.03 of the ceiling (9-11 ms inside, one round
// trip) although its statement's EXPLAIN stayed at 0.07 ms; an earlier run on this branch,
// before those tests, had it at 0.39.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { api, psql } from '../api/lib/client.mjs';
import { portalctl, portalPath } from '../api/lib/fixtures.mjs';
import {
  between, fetchOnce, get, hexId, patientSessions, patientsSql, psqlSession, psqlSessions, rotate, Runs, SCALE, sqlArray,
  sqlId, staffSessions, startCeiling, stopCeiling, ceilingTests,
} from './lib/bench.mjs';

const CLINIC_NAME = 'Perf: messages (tests/perf/messages.test.mjs)';
const CODE = 'perf-messages';
const N_THREADS = Math.max(10_000, Math.round(100_000 * SCALE) - (Math.round(100_000 * SCALE) % 10_000));
const MESSAGES_PER_THREAD = 10;
const N_MESSAGES = N_THREADS * MESSAGES_PER_THREAD; // 1,000,000 at full scale
const THREADS_PER_PATIENT = 5;
const N_PATIENTS = N_THREADS / THREADS_PER_PATIENT; // 20,000 at full scale
const N_STAFF = 8;
const N_SESSIONS = Math.min(1000, N_PATIENTS);
const SESSION_STRIDE = N_PATIENTS / N_SESSIONS;
const DAYS = 730;
const OPEN_DAYS = 30;
const RECENT = Math.round(N_THREADS * 0.02); // the newest threads, with their last message unread
const PARTS = Math.max(1, Math.min(4, availableParallelism()));
// Requests sent one at a time per route for the Server-Timing figures (and at most this long).
const TIMING_REQUESTS = 200;
const TIMING_MS = 20_000;
// Executions of a prepared statement before its EXPLAIN.
const EXECUTIONS = 10;

const PATIENT_PREFIX = '5eed0014-0000-4000-8000-';
const THREAD_PREFIX = '5eed0014-0001-4000-8000-';
const MESSAGE_PREFIX = '5eed0014-0002-4000-8000-';
const STAFF_PREFIX = '5eed0014-0003-4000-8000-';
const PERSON_PREFIX = '5eed0014-0004-4000-8000-';
const staffId = (i) => hexId(STAFF_PREFIX, i);
const sessionPatient = (i) => hexId(PATIENT_PREFIX, i * SESSION_STRIDE);

const SUBJECTS = ['Randevu saati', 'Fatura hakkında', 'Dolgu sonrası ağrı', 'Kontrol randevusu', 'Ödeme planı',
  'İlaç kullanımı', 'Röntgen sonucu', 'Diş beyazlatma'];
const TOPICS = ['appointment', 'billing', 'clinical', 'other'];
const BODIES = [
  'Merhaba, randevumu bir gün ileri alabilir miyiz? Salı öğleden sonra uygun olur.',
  'Tabii, salı 15:30 için randevunuzu güncelledik. Görüşmek üzere.',
  'Dolgudan sonra soğuk içeceklerde hassasiyet var, normal mi?',
  'Birkaç gün sürebilir; bir haftadan uzun sürerse lütfen bize yazın.',
  'Faturadaki ikinci kalemi anlayamadım, açıklayabilir misiniz?',
  'İkinci kalem diş taşı temizliği; muayene ile aynı gün yapıldı.',
  'Teşekkürler, iyi günler.\nSaygılarımla',
];

// The seed, all from n (thread) and j (message 1..10), at the time tEnd.
function seedSql(clinicId, tEnd) {
  const c = `'${clinicId}'::uuid`;
  const started = `('${tEnd}'::timestamptz - interval '11 hours' - (${N_THREADS - 1} - n) * (interval '${DAYS} days' / ${N_THREADS}))`;
  // People without a password (nobody signs in: their sessions are rows), each a member here.
  const staff = `
INSERT INTO staff_people (id, email)
SELECT ${sqlId(PERSON_PREFIX, 'g')}, 'staff' || g || '@perf-messages.test' FROM generate_series(0, ${N_STAFF - 1}) g;
INSERT INTO staff (id, clinic_id, person_id, name, role)
SELECT ${sqlId(STAFF_PREFIX, 'g')}, ${c}, ${sqlId(PERSON_PREFIX, 'g')}, 'Personel ' || (g + 1), 'staff'
FROM generate_series(0, ${N_STAFF - 1}) g`;
  const patients = patientsSql(clinicId, PATIENT_PREFIX, N_PATIENTS, { phonePrefix: '+90535' });
  const threads = `
INSERT INTO message_threads (id, clinic_id, patient_id, subject, topic, status, assigned_to, started_by, message_count,
  patient_unread, staff_unread, notice_pending, last_message_at, created_at, updated_at)
SELECT ${sqlId(THREAD_PREFIX, 'n')}, ${c}, ${sqlId(PATIENT_PREFIX, `n % ${N_PATIENTS}`)},
  (${sqlArray(SUBJECTS)})[1 + (n / 7) % ${SUBJECTS.length}], (${sqlArray(TOPICS)})[1 + n % 4],
  CASE WHEN ${started} < '${tEnd}'::timestamptz - interval '${OPEN_DAYS} days' AND n % 10 <> 0 THEN 'closed' ELSE 'open' END,
  CASE WHEN n % 10 < ${N_STAFF} THEN ${sqlId(STAFF_PREFIX, 'n % 10')} END,
  CASE WHEN n % 2 = 1 THEN 'patient' ELSE 'staff' END, ${MESSAGES_PER_THREAD},
  CASE WHEN n >= ${N_THREADS - RECENT} AND n % 2 = 1 THEN 1 ELSE 0 END,
  CASE WHEN n >= ${N_THREADS - RECENT} AND n % 2 = 0 THEN 1 ELSE 0 END,
  n >= ${N_THREADS - RECENT} AND n % 2 = 1,
  ${started} + ${MESSAGES_PER_THREAD - 1} * interval '1 hour', ${started},
  ${started} + ${MESSAGES_PER_THREAD - 1} * interval '1 hour'
FROM generate_series(0, ${N_THREADS - 1}) n ORDER BY n`;
  const messages = `
INSERT INTO messages (id, clinic_id, thread_id, seq, author_kind, patient_id, staff_id, automatic, body, created_at, read_at)
SELECT ${sqlId(MESSAGE_PREFIX, `n * ${MESSAGES_PER_THREAD} + j - 1`)}, ${c}, ${sqlId(THREAD_PREFIX, 'n')}, j,
  CASE WHEN (j + n) % 2 = 0 THEN 'patient' ELSE 'staff' END, ${sqlId(PATIENT_PREFIX, `n % ${N_PATIENTS}`)},
  CASE WHEN (j + n) % 2 = 1 THEN ${sqlId(STAFF_PREFIX, `(n % 10) % ${N_STAFF}`)} END, false,
  (${sqlArray(BODIES)})[1 + (n * 3 + j) % ${BODIES.length}],
  ${started} + (j - 1) * interval '1 hour',
  CASE WHEN j = ${MESSAGES_PER_THREAD} AND n >= ${N_THREADS - RECENT} THEN NULL
       ELSE ${started} + (j - 1) * interval '1 hour' + interval '20 minutes' END
FROM generate_series(0, ${N_THREADS - 1}) n, generate_series(1, ${MESSAGES_PER_THREAD}) j
WHERE n % ${PARTS} = $PART ORDER BY n, j`;
  return { staff, patients, threads, messages };
}

// ---- the clinic ----

let clinicId;
let seedSeconds = null;
let sessions; // [{patientId, cookie, csrf}]
let staff; // [{staffId, cookie}], one per staff member
let workers;
let runs;

before(async () => {
  runs = new Runs('tests/perf/messages.test.mjs');
  const existing = psql(`SELECT id FROM clinics WHERE name = '${CLINIC_NAME}' ORDER BY created_at LIMIT 1`);
  clinicId = existing || portalctl('create-clinic', '--name', CLINIC_NAME, '--code', CODE);
  if (!existing) portalctl('grant-module', '--clinic', clinicId, '--module', 'patient_portal');
  const count = (table, prefix) => Number(psql(`SELECT count(*) FROM ${table} WHERE clinic_id = '${clinicId}'
    AND id ${between(prefix)}`));
  if (count('patients', PATIENT_PREFIX) !== N_PATIENTS || count('message_threads', THREAD_PREFIX) !== N_THREADS
    || count('messages', MESSAGE_PREFIX) !== N_MESSAGES || count('staff', STAFF_PREFIX) !== N_STAFF) {
    const tEnd = psql('SELECT now()');
    const sql = seedSql(clinicId, tEnd);
    const fast = ['SET synchronous_commit = off', "SET work_mem = '256MB'", 'SET jit = off'];
    const t0 = process.hrtime.bigint();
    await psqlSession([
      ...fast,
      'BEGIN',
      ...['messages', 'message_threads', 'message_auto_replies', 'patient_sessions', 'staff_sessions', 'outbox', 'patients']
        .map((t) => `DELETE FROM ${t} WHERE clinic_id = '${clinicId}'`),
      `DELETE FROM staff WHERE clinic_id = '${clinicId}' AND id ${between(STAFF_PREFIX)}`,
      `DELETE FROM staff_people WHERE id ${between(PERSON_PREFIX)}`,
      sql.staff, sql.patients, sql.threads,
      'COMMIT',
    ], { timeoutMs: 300_000 });
    // The messages in as many sessions as the machine has cores, each its threads (and so its
    // patients: n % PARTS decides n % N_PATIENTS % PARTS), so that their foreign-key checks
    // never share-lock the same rows.
    await psqlSessions(Array.from({ length: PARTS }, (_, part) => [
      ...fast, sql.messages.replaceAll('$PART', String(part)),
    ]), { timeoutMs: 900_000 });
    await psqlSession(['VACUUM (ANALYZE) staff, patients, message_threads, messages'], { timeoutMs: 300_000 });
    seedSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  // Every run: the portal open with view_messages, 1000 fresh patient sessions, one session per
  // staff member.
  const made = patientSessions(clinicId, N_SESSIONS, sqlId(PATIENT_PREFIX, `i * ${SESSION_STRIDE}`));
  const staffIds = Array.from({ length: N_STAFF }, (_, i) => staffId(i));
  const madeStaff = staffSessions(clinicId, N_STAFF, staffIds);
  await psqlSession([
    `UPDATE portal_settings SET enabled = true, permissions = ARRAY['view_profile', 'view_messages', 'send_message']
     WHERE clinic_id = '${clinicId}'`,
    `UPDATE patients SET portal_access = true WHERE clinic_id = '${clinicId}' AND NOT portal_access`,
    ...made.statements,
    ...madeStaff.statements,
  ]);
  sessions = Array.from({ length: N_SESSIONS }, (_, i) => ({
    patientId: sessionPatient(i), cookie: `portal_patient=${made.token(i)}`, csrf: made.csrf,
  }));
  staff = staffIds.map((id, i) => ({ staffId: id, cookie: madeStaff.cookie(i), csrf: madeStaff.csrf }));
  workers = await startCeiling();
});

after(() => {
  stopCeiling();
  if (clinicId) {
    psql(`DELETE FROM patient_sessions WHERE clinic_id = '${clinicId}'`);
    psql(`DELETE FROM staff_sessions WHERE clinic_id = '${clinicId}'`);
  }
  runs?.close();
});

const INBOX = '/api/v1/clinic/messages';
const COUNT = '/api/v1/clinic/messages/unread-count';
const staffGet = (path, i, headers = {}) => ['GET', path, { Cookie: staff[i % N_STAFF].cookie, ...headers }];
const staffFetch = (path, i, headers = {}) => api('GET', path, { headers: { cookie: staff[i % N_STAFF].cookie, ...headers } });

// The routes measured, as [name, request(i), check(res)] (check: the answer of request(1)).
let etag;
const routes = () => [
  ['GET me (patient session check only)', (i) => get(portalPath(CODE, 'me'), sessions[i % N_SESSIONS])],
  ['GET clinic/me (staff session check only)', (i) => staffGet('/api/v1/clinic/me', i)],
  ['GET messages (patient: 5 threads)', (i) => get(portalPath(CODE, 'messages'), sessions[i % N_SESSIONS])],
  ['GET clinic/messages (inbox)', (i) => staffGet(INBOX, i)],
  ['GET clinic/messages?limit=5 (inbox)', (i) => staffGet(`${INBOX}?limit=5`, i)],
  ['GET clinic/messages?unread=true', (i) => staffGet(`${INBOX}?unread=true`, i)],
  ['GET clinic/messages?assigned_to=me', (i) => staffGet(`${INBOX}?assigned_to=me`, i)],
  ['GET clinic/messages/unread-count', (i) => staffGet(COUNT, i)],
  ['GET unread-count If-None-Match (304)', (i) => staffGet(COUNT, i, { 'If-None-Match': etag })],
];

describe(`messages benchmark: ${N_THREADS} threads, ${N_MESSAGES} messages, ${N_PATIENTS} patients (scale ${SCALE})`,
  { timeout: 25 * 60_000 }, () => {
    test('the seeded clinic', () => {
      if (seedSeconds !== null) console.log(`# seeded ${N_THREADS} threads and ${N_MESSAGES} messages in ${seedSeconds.toFixed(1)} s`);
      else console.log('# reused the seeded clinic');
      const [threads, messages, open, unassigned] = psql(`SELECT count(*), sum(message_count), count(*) FILTER (WHERE status = 'open'),
          count(*) FILTER (WHERE assigned_to IS NULL) FROM message_threads WHERE clinic_id = '${clinicId}'`).split('|').map(Number);
      assert.equal(threads, N_THREADS);
      assert.equal(messages, N_MESSAGES);
      assert.equal(Number(psql(`SELECT count(*) FROM messages WHERE clinic_id = '${clinicId}'`)), N_MESSAGES);
      // The counters equal the unread rows.
      const [staffUnread, patientUnread, rowsStaff, rowsPatient] = psql(`SELECT
          (SELECT sum(staff_unread) FROM message_threads WHERE clinic_id = '${clinicId}'),
          (SELECT sum(patient_unread) FROM message_threads WHERE clinic_id = '${clinicId}'),
          (SELECT count(*) FROM messages WHERE clinic_id = '${clinicId}' AND read_at IS NULL AND author_kind = 'patient'),
          (SELECT count(*) FROM messages WHERE clinic_id = '${clinicId}' AND read_at IS NULL AND author_kind = 'staff')`)
        .split('|').map(Number);
      assert.equal(staffUnread, rowsStaff);
      assert.equal(patientUnread, rowsPatient);
      assert.equal(staffUnread, RECENT / 2);
      console.log(`# ${open} open, ${unassigned} unassigned; unread: ${staffUnread} threads for the clinic, ${patientUnread} for `
        + `patients; ${N_SESSIONS} patients and ${N_STAFF} staff members signed in`);
    });

    ceilingTests(() => ({ runs, workers, n: N_SESSIONS, patientId: (i) => sessions[i].patientId }));

    test('the answers the routes give', async () => {
      const me = await api('GET', portalPath(CODE, 'me'), { headers: { cookie: sessions[1].cookie } });
      assert.equal(me.status, 200, me.text);
      const staffMe = await staffFetch('/api/v1/clinic/me', 1);
      assert.equal(staffMe.status, 200, staffMe.text);
      const list = await api('GET', portalPath(CODE, 'messages'), { headers: { cookie: sessions[1].cookie } });
      assert.equal(list.status, 200, list.text);
      assert.equal(list.body.items.length, THREADS_PER_PATIENT, list.text.slice(0, 300));
      assert.ok(list.body.items[0].last_message_at > list.body.items[1].last_message_at, 'newest first');
      const inbox = await staffFetch(INBOX, 1);
      assert.equal(inbox.status, 200, inbox.text);
      assert.equal(inbox.body.items[0].id, hexId(THREAD_PREFIX, N_THREADS - 1), 'the newest thread first');
      assert.ok(inbox.body.next_cursor, 'more than a page');
      assert.equal(inbox.body.items.length, 50, 'a page of 50 by default');
      const five = await staffFetch(`${INBOX}?limit=5`, 1);
      assert.equal(five.status, 200, five.text);
      assert.deepEqual(five.body.items.map((t) => t.id), inbox.body.items.slice(0, 5).map((t) => t.id));
      const unread = await staffFetch(`${INBOX}?unread=true`, 1);
      assert.equal(unread.status, 200, unread.text);
      assert.ok(unread.body.items.length > 0 && unread.body.items.every((t) => t.unread > 0), unread.text.slice(0, 300));
      const mine = await staffFetch(`${INBOX}?assigned_to=me`, 3);
      assert.equal(mine.status, 200, mine.text);
      assert.ok(mine.body.items.length > 0 && mine.body.items.every((t) => t.assigned_to === staffId(3)), mine.text.slice(0, 300));
      const count = await staffFetch(COUNT, 1);
      assert.equal(count.status, 200, count.text);
      assert.deepEqual(count.body, { threads: RECENT / 2, messages: RECENT / 2 });
      etag = count.headers.get('etag');
      assert.ok(etag, 'an ETag');
      const poll = await staffFetch(COUNT, 2, { 'if-none-match': etag });
      assert.equal(poll.status, 304, poll.text);
    });

    for (const [index, name] of routes().map(([n], i) => [i, n])) {
      test(name, async () => {
        const [, request] = routes()[index];
        const n = name.includes('patient') || name.startsWith('GET me') ? N_SESSIONS : N_STAFF;
        await runs.bench(name, rotate(n, request));
      });
    }

    test('the table', () => {
      runs.printTable({ p99: true });
      const fcgi = runs.results.find((r) => r.name.startsWith('fcgi ceiling'));
      const ratio = (prefix) => runs.results.find((r) => r.name.startsWith(prefix)).rps / fcgi.rps;
      console.log(`# aims: patient read ${ratio('GET messages (patient').toFixed(2)} (aim 0.6), inbox ${ratio('GET clinic/messages (inbox)')
        .toFixed(2)} (aim 0.4), unread count ${ratio('GET clinic/messages/unread-count').toFixed(2)}`);
      assert.equal(runs.results.length, 2 + routes().length,
        `every measurement produced a number: ${runs.results.map((r) => r.name).join(', ')}`);
    });

    // Where the time goes, one request at a time: the client's whole time against what
    // Server-Timing says the pipeline took inside and how many round trips it cost.
    test('Server-Timing of each route, requests one at a time', async () => {
      const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
      console.log(`# ${'route'.padEnd(40)}  client ms  inside ms  round trips  body bytes  (medians of up to ${TIMING_REQUESTS})`);
      for (const [name, request] of routes()) {
        const client = [];
        const inside = [];
        const trips = new Set();
        const bytes = [];
        const deadline = Date.now() + TIMING_MS;
        for (let i = 0; i < TIMING_REQUESTS && Date.now() < deadline; i++) {
          const [, path, headers] = request(i);
          const t0 = performance.now();
          const res = await fetchOnce(path, { headers, signal: AbortSignal.timeout(10_000) });
          bytes.push((await res.arrayBuffer()).byteLength);
          client.push(performance.now() - t0);
          assert.ok(res.status === 200 || res.status === 304, `${name}: ${res.status}`);
          const st = /dur=([\d.]+);desc="(\d+) round trip/.exec(res.headers.get('server-timing') ?? '');
          assert.ok(st, `${name}: a Server-Timing header (server_timing = 1 in the stack's config)`);
          inside.push(Number(st[1]));
          trips.add(Number(st[2]));
        }
        console.log(`# ${name.padEnd(40)}  ${median(client).toFixed(2).padStart(9)}  ${median(inside).toFixed(2).padStart(9)}  `
          + `${[...trips].join(',').padStart(11)}  ${String(median(bytes)).padStart(10)}`);
      }
    });

    // EXPLAIN (ANALYZE, BUFFERS) of the statements the routes run, as portal_app with the context
    // the server sets, after EXECUTIONS of the prepared statement (as a busy worker's: past the
    // plan cache's five custom plans and the sixth execution, which builds the generic plan).
    test('EXPLAIN (ANALYZE, BUFFERS) of the statements', async () => {
      const patient = sessions[1].patientId;
      const explain = (label, sql, args, { patientSet = false, custom = false } = {}) => psqlSession([
        'BEGIN',
        `SELECT set_config('portal.clinic_id', '${clinicId}', true)`,
        `SELECT set_config('portal.patient_id', '${patientSet ? patient : ''}', true)`,
        ...(custom ? ['SET LOCAL plan_cache_mode = force_custom_plan'] : []),
        `PREPARE stmt AS ${sql}`,
        '\\o /dev/null',
        ...Array.from({ length: EXECUTIONS }, () => `EXECUTE stmt${args ? `(${args})` : ''}`),
        '\\o',
        `EXPLAIN (ANALYZE, BUFFERS) EXECUTE stmt${args ? `(${args})` : ''}`,
        'ROLLBACK',
      ], { user: 'portal_app' }).then((out) => {
        const plan = out.split('\n').filter((l) => l !== clinicId && l !== patient && l !== '' && l !== 'SET');
        console.log(`# ---- ${label}`);
        for (const l of plan) console.log(`#   ${l}`);
        return plan.join('\n');
      });
      const threadColumns = "t.id, t.patient_id, p.first_name || ' ' || p.last_name, t.subject, t.topic, t.status, "
        + 't.assigned_to, s.name, t.started_by, t.message_count, t.patient_unread, t.staff_unread, '
        + "to_char(t.last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        + "to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
      const threadJoins = 'JOIN patients p ON p.clinic_id = t.clinic_id AND p.id = t.patient_id '
        + 'LEFT JOIN staff s ON s.clinic_id = t.clinic_id AND s.id = t.assigned_to ';
      // src/db/messages_sql.c: STMT_PORTAL_THREADS, STMT_INBOX, STMT_UNREAD_COUNT.
      const portalThreads = `SELECT ${threadColumns} FROM message_threads t ${threadJoins}`
        + 'WHERE t.clinic_id = portal_current_clinic() AND t.patient_id = portal_current_patient() AND ($1::uuid IS NULL '
        + 'OR (t.last_message_at, t.id) < (SELECT q.last_message_at, q.id FROM message_threads q '
        + 'WHERE q.clinic_id = portal_current_clinic() AND q.patient_id = portal_current_patient() AND q.id = $1::uuid)) '
        + 'ORDER BY t.last_message_at DESC, t.id DESC LIMIT $2::integer';
      const inbox = 'SELECT t.id, t.patient_id, t.patient_name, t.subject, t.topic, t.status, t.assigned_to, t.assigned_name, '
        + 't.started_by, t.message_count, t.patient_unread, t.staff_unread, '
        + "to_char(t.last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        + "to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
        + 'FROM portal_message_inbox_page($1, $2, $3::uuid, $4::boolean, $5::boolean, $6::uuid, $7::uuid, $8::integer) t '
        + 'ORDER BY t.n';
      const unreadCount = 'SELECT count(*), coalesce(sum(t.staff_unread), 0) FROM message_threads t '
        + 'WHERE t.clinic_id = portal_current_clinic() AND t.staff_unread > 0';
      // sql/0030: portal_message_inbox_page()'s query for the page's ids, with its values (a custom plan, as its
      // force_custom_plan gives it): the first page of the default filter, of unread, of one
      // staff member's.
      const inner = (where) => `SELECT t.id FROM message_threads t WHERE t.clinic_id = '${clinicId}' `
        + `${where} ORDER BY t.last_message_at DESC, t.id DESC LIMIT 51`;
      const times = {};
      const record = (label, plan) => {
        times[label] = ['Planning Time', 'Execution Time'].map((k) => Number(new RegExp(`${k}: ([\\d.]+) ms`).exec(plan)?.[1]));
      };
      const args = (f) => `NULL, NULL, ${f.assigned ? `'${f.assigned}'` : 'NULL'}, NULL, ${f.unread ?? 'NULL'}, NULL, NULL, 51`;
      for (const [label, sql, a, opts] of [
        ['GET messages: the patient\'s threads (STMT_PORTAL_THREADS)', portalThreads, 'NULL, 51', { patientSet: true }],
        ['inbox, default (STMT_INBOX)', inbox, args({})],
        ['inbox, unread=true (STMT_INBOX)', inbox, args({ unread: 'true' })],
        ['inbox, assigned_to=me (STMT_INBOX)', inbox, args({ assigned: staffId(3) })],
        ['inbox, default (STMT_INBOX), a custom plan each time', inbox, args({}), { custom: true }],
        ['inside portal_message_inbox_page(): default', inner(''), ''],
        ['inside portal_message_inbox_page(): unread=true', inner('AND t.staff_unread > 0'), ''],
        ['inside portal_message_inbox_page(): assigned_to=me', inner(`AND t.assigned_to = '${staffId(3)}'`), ''],
        ['unread-count (STMT_UNREAD_COUNT)', unreadCount, ''],
      ]) {
        record(label, await explain(label, sql, a, opts));
      }
      console.log('# planning ms, execution ms:');
      for (const [label, [p, e]] of Object.entries(times)) console.log(`#   ${label.padEnd(60)} ${String(p).padStart(7)} ${String(e).padStart(8)}`);
      assert.ok(Object.values(times).every(([p, e]) => Number.isFinite(p) && Number.isFinite(e)), JSON.stringify(times));
    });
  });
