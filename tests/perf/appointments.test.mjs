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
// PORTAL_BENCH_SECONDS defaults to 10 (3 under CI) and PORTAL_BENCH_BOOKINGS to 2000 (300
// under CI), so that the whole test run stays short on CI while the full scale is one
// variable away.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, confValue, env, psql, runAsStackUser, waitFor } from '../api/lib/client.mjs';
import { portalctl, portalPath } from '../api/lib/fixtures.mjs';

const CLINIC_NAME = 'Perf: appointments (tests/perf/appointments.test.mjs)';
const PLAN_PREFIX = '5eed0006-0004-4000-8000-';
const RECORD_PREFIX = '5eed0006-0005-4000-8000-';
const CODE = 'perf-appointments';
const CI = process.env.CI === 'true';
const SCALE = Number(process.env.PORTAL_BENCH_SCALE ?? (CI ? 0.1 : 1));
if (!(SCALE > 0 && SCALE <= 1)) throw new Error(`PORTAL_BENCH_SCALE must be in (0, 1], not ${process.env.PORTAL_BENCH_SCALE}`);
const N_PRACTITIONERS = Math.max(1, Math.round(50 * SCALE));
const N_PATIENTS = 2000 * N_PRACTITIONERS; // 100,000 at full scale
const N_APPOINTMENTS = 10 * N_PATIENTS; // 1,000,000 at full scale
const PER_DAY = 30; // appointments per practitioner per working day: 6 blocks of 5
const N_SESSIONS = 1000;
const SESSION_STRIDE = N_PATIENTS / N_SESSIONS; // every 100th patient at full scale
const ZONE = 'Europe/Istanbul';
const SECONDS = Number(process.env.PORTAL_BENCH_SECONDS ?? (CI ? 3 : 10));
const WARMUP_SECONDS = 2;
const THREADS = 2;
const CONNECTIONS = Number(process.env.PORTAL_BENCH_CONNECTIONS ?? 64);
const BOOKINGS = Number(process.env.PORTAL_BENCH_BOOKINGS ?? (CI ? 300 : 2000));
const MIN_OK = 0.99;
// wrk's per-request timeout; requests still running when a run ends are not counted.
const TIMEOUT_SECONDS = 30;
// The bookings' run ends after PORTAL_BENCH_BOOKINGS responses or this many seconds.
const POST_SECONDS = 30;
const APPOINTMENT_SESSIONS = Math.max(1, Math.min(4, availableParallelism()));

// Seeded rows carry ids of these forms (patients number 0..99999, appointments 0..999999).
const PATIENT_PREFIX = '5eed0006-0000-4000-8000-';
const APPOINTMENT_PREFIX = '5eed0006-0001-4000-8000-';
const PRACTITIONER_PREFIX = '5eed0006-0002-4000-8000-';
const TYPE_PREFIX = '5eed0006-0003-4000-8000-';
const hexId = (prefix, n) => `${prefix}${n.toString(16).padStart(12, '0')}`;
const sqlId = (prefix, expr) => `('${prefix}' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
const between = (prefix) => `BETWEEN '${prefix}000000000000' AND '${prefix}ffffffffffff'`;
const TYPE_15 = hexId(TYPE_PREFIX, 1);
const TYPE_30 = hexId(TYPE_PREFIX, 2);
// The patient of session i: every SESSION_STRIDE-th patient.
const sessionPatient = (i) => hexId(PATIENT_PREFIX, i * SESSION_STRIDE);

// Names as search.test.mjs makes them, folded to ASCII as src/portal/settings.c folds them;
// search_text as patient_derive() builds it: "first last first phone-without-plus email".
const fold = (col) => `lower(translate(${col}, 'ÇçĞğİıÖöŞşÜü', 'CcGgIiOoSsUu'))`;
const searchText = (ff, lf, phone, email) =>
  `${ff} || ' ' || ${lf} || ' ' || ${ff} || ' ' || coalesce(substr(${phone}, 2), '') || ' ' || coalesce(lower(${email}), '')`;
const FIRST = ['Ahmet', 'Mehmet', 'Mustafa', 'Ali', 'Hüseyin', 'Hasan', 'İbrahim', 'Osman', 'Yusuf', 'Murat', 'Ömer',
  'Fatma', 'Ayşe', 'Emine', 'Hatice', 'Zeynep', 'Elif', 'Meryem', 'Şerife', 'Zehra', 'Merve', 'Özlem', 'Esra', 'Çiğdem'];
const LAST = ['Yılmaz', 'Kaya', 'Demir', 'Çelik', 'Şahin', 'Yıldız', 'Yıldırım', 'Öztürk', 'Aydın', 'Özdemir', 'Arslan',
  'Doğan', 'Kılıç', 'Aslan', 'Çetin', 'Kara', 'Koç', 'Kurt', 'Özkan', 'Şimşek', 'Polat', 'Korkmaz', 'Karaca', 'Uçar'];
const sqlArray = (a) => `ARRAY[${a.map((s) => `'${s}'`).join(', ')}]`;

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
  const patients = `
WITH r AS (
  SELECT g, (${sqlArray(FIRST)})[1 + g % ${FIRST.length}] AS first_name,
    (${sqlArray(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}] AS last_name,
    '+90532' || lpad(g::text, 7, '0') AS phone
  FROM generate_series(0, ${N_PATIENTS - 1}) g
), r2 AS (
  SELECT r.*, ${fold('first_name')} AS ff, ${fold('last_name')} AS lf FROM r
), r3 AS (
  SELECT r2.*, CASE WHEN g % 4 = 0 THEN NULL ELSE lf || '.' || ff || g || '@posta.test' END AS email FROM r2
)
INSERT INTO patients (id, clinic_id, first_name, last_name, phone, email, language, first_folded,
  last_folded, sort_key, search_text)
SELECT ${sqlId(PATIENT_PREFIX, 'g')}, ${c}, first_name, last_name, phone, email,
  CASE WHEN g % 10 = 0 THEN 'en' ELSE 'tr' END, ff, lf, lf || ' ' || ff, ${searchText('ff', 'lf', 'phone', 'email')}
FROM r3 ORDER BY g`;
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

// psql with several commands in one session (each -c on its own), as the given user; the
// sessions run at the same time, each bounded in time. Resolves with each one's output.
function psqlSessions(sessions, { user = 'portal_owner', timeoutMs = 60_000 } = {}) {
  const e = env();
  return Promise.all(sessions.map((commands) => new Promise((resolve, reject) => {
    const argv = ['-u', e.runUser, '--', 'psql', '-h', e.runDir, '-p', e.dbPort, '-U', user, '-d', 'portal', '-X',
      '-v', 'ON_ERROR_STOP=1', '-qAt'];
    for (const c of commands) argv.push('-c', c);
    const child = spawn('runuser', argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve(out.trim())
      : reject(new Error(`psql (${user}) failed (${code ?? signal}): ${err}`))));
  })));
}
const psqlSession = async (commands, opts) => (await psqlSessions([commands], opts))[0];

// ---- the FastCGI ceiling: its program, started on a socket of its own ----

// The build of this stack's programs: the build directory (under .build/) whose Makefile
// installs into the stack's prefix; PORTAL_BENCH_FCGI names the program instead.
function ceilingProgram() {
  if (process.env.PORTAL_BENCH_FCGI) return process.env.PORTAL_BENCH_FCGI;
  const e = env();
  const builds = join(e.root, '.build');
  for (const dir of existsSync(builds) ? readdirSync(builds) : []) {
    const makefile = join(builds, dir, 'Makefile');
    if (!existsSync(makefile)) continue;
    const prefix = /^prefix = (.*)$/m.exec(readFileSync(makefile, 'utf8'))?.[1];
    const program = join(builds, dir, 'tests/perf/fcgi_ceiling');
    if (prefix === `${e.stack}/prefix` && existsSync(program)) return program;
  }
  throw new Error(`no build of tests/perf/fcgi_ceiling for ${e.stack}/prefix under ${builds} (make it, or set PORTAL_BENCH_FCGI)`);
}

const ceiling = { child: null, pidFile: null, socket: null };

async function startCeiling() {
  const e = env();
  // The checkout may be out of the stack user's reach: run a copy kept in the stack.
  mkdirSync(`${e.stack}/bench`, { recursive: true, mode: 0o755 });
  const program = `${e.stack}/bench/fcgi_ceiling`;
  copyFileSync(ceilingProgram(), program);
  ceiling.socket = `${e.runDir}/bench-fcgi.sock`;
  ceiling.pidFile = `${e.runDir}/bench-fcgi.pid`;
  stopCeiling(); // one left by a run that died
  const workers = confValue('workers') ?? '4';
  ceiling.child = spawn('runuser', ['-u', e.runUser, '--', program, '-s', ceiling.socket,
    '-d', confValue('migrate_database_url'), '-w', workers, '-t', '900', '-p', ceiling.pidFile],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ceiling.child.stderr.on('data', (d) => { stderr += d; });
  await waitFor(() => {
    if (ceiling.child.exitCode !== null) throw new Error(`fcgi_ceiling exited: ${stderr}`);
    return existsSync(ceiling.pidFile) && existsSync(ceiling.socket);
  }, { timeoutMs: 10_000, intervalMs: 50, what: 'the fcgi ceiling responder' });
  return workers;
}

// Stops the responder by the pid it wrote (its workers follow their master).
function stopCeiling() {
  if (!ceiling.pidFile || !existsSync(ceiling.pidFile)) return;
  const pid = Number(readFileSync(ceiling.pidFile, 'utf8'));
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch { /* gone */ }
  if (pid > 1 && cmdline.includes('fcgi_ceiling')) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) spawnSync('sleep', ['0.05']);
  }
  rmSync(ceiling.pidFile, { force: true });
}

// ---- wrk ----

let workDir;

// A Lua string literal that holds any text.
const luaString = (s) => {
  let eq = '';
  while (s.includes(`]${eq}]`)) eq += '=';
  return `[${eq}[${s}]${eq}]`;
};

// wrk's script: requests [method, path, headers, body] taken in turn (thread t takes t, t + T,
// t + 2T, ...); with stopAfter, each thread stops after that many responses and counts them by
// status. done() prints one line of numbers.
function wrkScript(name, requests, { stopAfter } = {}) {
  const rows = requests.map(([method, path, headers = {}, body]) => {
    const h = Object.entries(headers).map(([k, v]) => `[ ${luaString(k)} ] = ${luaString(v)}`).join(', ');
    return `{ ${luaString(method)}, ${luaString(path)}, { ${h} }${body === undefined ? '' : `, ${luaString(body)}`} }`;
  });
  const lua = `-- ${name} (written by tests/perf/appointments.test.mjs)
local rows = {
${rows.join(',\n')}
}
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  prepared = {}
  for i, r in ipairs(rows) do prepared[i] = wrk.format(r[1], r[2], r[3], r[4]) end
  idx = tid
  responses = 0
  by_status = {}
end
function request()
  local r = prepared[(idx % #prepared) + 1]
  idx = idx + ${THREADS}
  return r
end
${stopAfter ? `function response(status, headers, body)
  responses = responses + 1
  by_status[status] = (by_status[status] or 0) + 1
  if responses >= ${stopAfter} then wrk.thread:stop() end
end` : ''}
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    local s = t:get("by_status")
    if s then for k, v in pairs(s) do counts[k] = (counts[k] or 0) + v end end
  end
  local parts = {}
  for k, v in pairs(counts) do table.insert(parts, k .. "=" .. v) end
  io.write(string.format("WRK_RESULT %d %d %d %d %d %d %d %d %d %d %s\\n", summary.requests, summary.duration,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max, table.concat(parts, ",")))
end
`;
  const file = join(workDir, `${name}.lua`);
  writeFileSync(file, lua);
  return file;
}

function runWrk(script, seconds, connections = CONNECTIONS) {
  const r = spawnSync('wrk', ['-t', String(THREADS), '-c', String(connections), '-d', `${seconds}s`, '--timeout', `${TIMEOUT_SECONDS}s`,
    '-s', script, env().url], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  if (r.error) throw new Error(`wrk: ${r.error.message}`);
  assert.equal(r.status, 0, `wrk exited ${r.status}: ${r.stderr}`);
  const m = /^WRK_RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) ?(.*)$/m.exec(r.stdout);
  assert.ok(m, `no result line in wrk's output:\n${r.stdout}\n${r.stderr}`);
  const [requests, durationUs, connect, read, write, status, timeout, p50, p99, max] = m.slice(1, 11).map(Number);
  const byStatus = Object.fromEntries((m[11] || '').split(',').filter(Boolean).map((kv) => kv.split('=').map(Number)));
  return {
    requests, durationUs, errors: { connect, read, write, status, timeout }, p50Us: p50, p99Us: p99, maxUs: max, byStatus,
    rps: requests / (durationUs / 1e6),
  };
}

// ---- the clinic ----

let clinicId;
let seedSeconds = null;
let sessions; // [{patientId, cookie, csrf}]
let workers;
const results = []; // [{name, rps, p99Ms, ok}]

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'portal-bench-'));
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
  const tokenPrefix = `bench-${[...randomBytes(12)].map((b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('')}-`;
  const token = (i) => `${tokenPrefix}${String(i).padStart(43 - tokenPrefix.length, '0')}`;
  const csrf = `bench-csrf-${randomBytes(16).toString('hex')}`;
  await psqlSession([
    `UPDATE portal_settings SET enabled = true,
       permissions = ARRAY['view_profile', 'view_appointments', 'create_appointment', 'cancel_appointment',
         'view_treatments']
     WHERE clinic_id = '${clinicId}'`,
    `UPDATE booking_rules SET min_notice_minutes = 120, horizon_days = 400, cancel_cutoff_minutes = 1440,
       max_open_bookings = 100, slot_step_minutes = 15 WHERE clinic_id = '${clinicId}'`,
    `DELETE FROM appointments WHERE clinic_id = '${clinicId}' AND id NOT ${between(APPOINTMENT_PREFIX)}`,
    `DELETE FROM patient_sessions WHERE clinic_id = '${clinicId}'`,
    `INSERT INTO patient_sessions (token_hash, clinic_id, patient_id, csrf_token, expires_at)
     SELECT sha256(convert_to('${tokenPrefix}' || lpad(i::text, ${43 - tokenPrefix.length}, '0'), 'UTF8')),
       '${clinicId}', ${sqlId(PATIENT_PREFIX, `i * ${SESSION_STRIDE}`)}, '${csrf}', now() + interval '8 hours'
     FROM generate_series(0, ${N_SESSIONS - 1}) i`,
  ]);
  sessions = Array.from({ length: N_SESSIONS }, (_, i) => ({
    patientId: sessionPatient(i), cookie: `portal_patient=${token(i)}`, csrf,
  }));
  workers = await startCeiling();
});

after(() => {
  stopCeiling();
  if (clinicId) psql(`DELETE FROM patient_sessions WHERE clinic_id = '${clinicId}'`);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// Requests wrk left behind (a slow endpoint's queue: nginx has passed them on, and workers
// still answer them) would slow the next measurement: wait, bounded, until the API answers
// /health at once again.
async function drain() {
  const deadline = Date.now() + 180_000;
  let last;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    const t0 = performance.now();
    try {
      const res = await fetch(`${env().url}/api/v1/health`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      last = performance.now() - t0;
      if (res.status === 200 && last < 100) return;
    } catch { /* still busy */ }
    await new Promise((resolve) => { setTimeout(resolve, 500); });
  }
  throw new Error(`the API is still busy after the run (last /health took ${last?.toFixed(0)} ms)`);
}

// Warms up, measures, records; asserts that the requests succeeded.
async function bench(name, requests, { warmup = true } = {}) {
  const script = wrkScript(name.replace(/[^a-z0-9]+/gi, '-'), requests);
  if (warmup) {
    runWrk(script, WARMUP_SECONDS);
    await drain();
  }
  const r = runWrk(script, SECONDS);
  await drain();
  const failed = r.errors.status + r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout;
  const ok = (r.requests - r.errors.status) / Math.max(r.requests, 1);
  results.push({ name, rps: r.rps, p99Ms: r.p99Us / 1000, ok, requests: r.requests });
  console.log(`# ${name}: ${r.rps.toFixed(0)} req/s, p50 ${(r.p50Us / 1000).toFixed(1)} ms, p99 ${(r.p99Us / 1000).toFixed(1)} ms, ` +
    `${r.requests} requests, ${failed} errors ${JSON.stringify(r.errors)}`);
  assert.ok(r.requests > 0 && Number.isFinite(r.rps) && r.p99Us > 0, `${name}: no numbers`);
  assert.ok(ok >= MIN_OK && failed <= r.requests * (1 - MIN_OK), `${name}: only ${(ok * 100).toFixed(2)} % 2xx (${JSON.stringify(r.errors)})`);
  return r;
}

// One request outside wrk, tried again once if the connection was dropped (a kept-alive
// connection that nginx closed on a reload).
async function fetchOnce(path) {
  try {
    return await fetch(`${env().url}${path}`);
  } catch {
    return fetch(`${env().url}${path}`);
  }
}

const get = (path, s) => ['GET', path, s ? { Cookie: s.cookie } : {}];
const rotate = (n, f) => Array.from({ length: n }, (_, i) => f(i));
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

  test('ceiling: nginx serving a static file', async () => {
    const res = await fetchOnce('/console/');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<html/i);
    await bench('static file (GET /console/)', [get('/console/')]);
  });

  test('ceiling: a minimal libfcgi responder, one primary-key SELECT', async () => {
    const res = await fetchOnce(`/_bench/fcgi?id=${sessions[0].patientId}`);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(JSON.parse(text).id, sessions[0].patientId);
    await bench(`fcgi ceiling (${workers} workers, 1 PK SELECT)`, rotate(N_SESSIONS, (i) => get(`/_bench/fcgi?id=${sessions[i].patientId}`)));
  });

  test('GET me (the patient session check alone)', async () => {
    const res = await api('GET', portalPath(CODE, 'me'), { headers: { cookie: sessions[0].cookie } });
    assert.equal(res.status, 200, res.text);
    await bench('GET me (session check only)', rotate(N_SESSIONS, (i) => get(portalPath(CODE, 'me'), sessions[i])));
  });

  for (const scope of ['upcoming', 'past']) {
    test(`GET appointments?scope=${scope}`, async () => {
      const path = portalPath(CODE, `appointments?scope=${scope}`);
      const res = await api('GET', path, { headers: { cookie: sessions[1].cookie } });
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.items.length > 0, `${scope}: the patient has appointments (${res.text.slice(0, 200)})`);
      await bench(`GET appointments?scope=${scope}`, rotate(N_SESSIONS, (i) => get(path, sessions[i])));
    });
  }

  test('GET treatments (plans with their items, and records)', async () => {
    const path = portalPath(CODE, 'treatments');
    const res = await api('GET', path, { headers: { cookie: sessions[1].cookie } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.plans.length, 1, res.text.slice(0, 300));
    assert.equal(res.body.plans[0].items.length, 3);
    assert.equal(res.body.records.length, 2);
    await bench('GET treatments', rotate(N_SESSIONS, (i) => get(path, sessions[i])));
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
    await bench('GET appointments/slots (7 days)', rotate(N_SESSIONS, (i) => get(slots(i), sessions[(i * 7) % N_SESSIONS])));
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
    const script = wrkScript('post-appointments', free.slice(0, -1).map(booking), { stopAfter: BOOKINGS / THREADS });
    const r = runWrk(script, POST_SECONDS);
    await drain();
    const created = r.byStatus[201] ?? 0;
    const responses = Object.values(r.byStatus).reduce((x, y) => x + y, 0);
    const [booked, span] = psql(`SELECT count(*), extract(epoch FROM max(created_at) - min(created_at))
      FROM appointments WHERE clinic_id = '${clinicId}' AND id NOT ${between(APPOINTMENT_PREFIX)}
      AND created_at > '${since}'`).split('|').map(Number);
    const rps = (booked - 1) / span;
    console.log(`# POST appointments: ${rps.toFixed(0)} bookings/s (${booked} in ${span.toFixed(1)} s), p50 ${(r.p50Us / 1000).toFixed(1)} ms, ` +
      `p99 ${(r.p99Us / 1000).toFixed(1)} ms, responses by status ${JSON.stringify(r.byStatus)}`);
    results.push({ name: `POST appointments (${responses} bookings)`, rps, p99Ms: r.p99Us / 1000, ok: created / Math.max(responses, 1) });
    assert.ok(responses > 0 && r.p99Us > 0 && Number.isFinite(rps), 'no numbers');
    assert.ok(created >= responses * MIN_OK, `only ${created} of ${responses} bookings answered 201: ${JSON.stringify(r.byStatus)}`);
    // Every 201 is a booking in the database (requests cut off by the stop may add a few).
    assert.ok(booked >= created, `${created} answered 201, ${booked} in the database`);
  });

  test('the table', () => {
    const fcgi = results.find((r) => r.name.startsWith('fcgi ceiling'));
    assert.ok(fcgi, 'the fcgi ceiling was measured');
    const w = Math.max(...results.map((r) => r.name.length));
    console.log(`# ${'what'.padEnd(w)}  ${'req/s'.padStart(7)}  ${'p99 ms'.padStart(7)}  ${'2xx'.padStart(7)}  ratio to fcgi`);
    for (const r of results) {
      console.log(`# ${r.name.padEnd(w)}  ${r.rps.toFixed(0).padStart(7)}  ${r.p99Ms.toFixed(1).padStart(7)}  ` +
        `${(r.ok * 100).toFixed(1).padStart(6)}%  ${(r.rps / fcgi.rps).toFixed(2)}`);
    }
    assert.equal(results.length, 8, `every measurement produced a number: ${results.map((r) => r.name).join(', ')}`);
  });
});
