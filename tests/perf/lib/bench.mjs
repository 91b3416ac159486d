// What the benchmarks of tests/perf share (appointments.test.mjs, finance.test.mjs): the scale
// and run-length knobs, psql sessions as the owner role, the seeded ids, patients in SQL,
// sessions made as rows (patients' and staff members'), the FastCGI ceiling
// (tests/perf/fcgi_ceiling.c on a socket of its own, behind /_bench/fcgi), wrk with a Lua
// script of requests taken in turn, the drain between runs, one measurement (warm-up, run,
// record, assert success), where each measured request's time went (CPU by program, and the
// database's statements) and the table with the ratios to the fcgi ceiling (and, if asked, of
// each p99 to the ceiling's). Loopback only: every request goes to the stack under test
// (PORTAL_TEST_URL).
//
// Knobs (environment): PORTAL_BENCH_SCALE (default 1, 0.1 under CI=true), PORTAL_BENCH_SECONDS
// (default 10, 2 under CI; the warm-up 2, 1 under CI), PORTAL_BENCH_CONNECTIONS (default 64), PORTAL_BENCH_FCGI (the
// ceiling's program, instead of the build's).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confValue, env, psqlTry, waitFor } from '../../api/lib/client.mjs';

export const CI = process.env.CI === 'true';
export const SCALE = Number(process.env.PORTAL_BENCH_SCALE ?? (CI ? 0.1 : 1));
if (!(SCALE > 0 && SCALE <= 1)) throw new Error(`PORTAL_BENCH_SCALE must be in (0, 1], not ${process.env.PORTAL_BENCH_SCALE}`);
export const SECONDS = Number(process.env.PORTAL_BENCH_SECONDS ?? (CI ? 2 : 10));
// Under CI, runs are short and the warm-up shorter still: the suite keeps its time as
// benchmarks are added (full length on demand: PORTAL_BENCH_SECONDS=10 without CI).
export const WARMUP_SECONDS = CI ? 1 : 2;
export const THREADS = 2;
export const CONNECTIONS = Number(process.env.PORTAL_BENCH_CONNECTIONS ?? 64);
export const MIN_OK = 0.99;
// wrk's per-request timeout; requests still running when a run ends are not counted.
export const TIMEOUT_SECONDS = 30;

// ---- seeded ids: <prefix><12 hex digits of n> ----

export const hexId = (prefix, n) => `${prefix}${n.toString(16).padStart(12, '0')}`;
export const sqlId = (prefix, expr) => `('${prefix}' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
export const between = (prefix) => `BETWEEN '${prefix}000000000000' AND '${prefix}ffffffffffff'`;
export const sqlArray = (a) => `ARRAY[${a.map((s) => `'${s}'`).join(', ')}]`;

// ---- patients ----

// Names as search.test.mjs makes them, folded to ASCII as src/portal/settings.c folds them;
// search_text as patient_derive() builds it: "first last first phone-without-plus email".
const fold = (col) => `lower(translate(${col}, 'ÇçĞğİıÖöŞşÜü', 'CcGgIiOoSsUu'))`;
const searchText = (ff, lf, phone, email) =>
  `${ff} || ' ' || ${lf} || ' ' || ${ff} || ' ' || coalesce(substr(${phone}, 2), '') || ' ' || coalesce(lower(${email}), '')`;
export const FIRST = ['Ahmet', 'Mehmet', 'Mustafa', 'Ali', 'Hüseyin', 'Hasan', 'İbrahim', 'Osman', 'Yusuf', 'Murat', 'Ömer',
  'Fatma', 'Ayşe', 'Emine', 'Hatice', 'Zeynep', 'Elif', 'Meryem', 'Şerife', 'Zehra', 'Merve', 'Özlem', 'Esra', 'Çiğdem'];
export const LAST = ['Yılmaz', 'Kaya', 'Demir', 'Çelik', 'Şahin', 'Yıldız', 'Yıldırım', 'Öztürk', 'Aydın', 'Özdemir', 'Arslan',
  'Doğan', 'Kılıç', 'Aslan', 'Çetin', 'Kara', 'Koç', 'Kurt', 'Özkan', 'Şimşek', 'Polat', 'Korkmaz', 'Karaca', 'Uçar'];

// INSERT of patients 0..n-1 of clinic clinicId (ids prefix + n), each with a name, a phone
// (+90532 and 7 digits of n, or phonePrefix instead of +90532), an email for three in four,
// English for one in ten, and the derived columns as the API fills them.
export function patientsSql(clinicId, prefix, n, { phonePrefix = '+90532' } = {}) {
  return `
WITH r AS (
  SELECT g, (${sqlArray(FIRST)})[1 + g % ${FIRST.length}] AS first_name,
    (${sqlArray(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}] AS last_name,
    '${phonePrefix}' || lpad(g::text, 7, '0') AS phone
  FROM generate_series(0, ${n - 1}) g
), r2 AS (
  SELECT r.*, ${fold('first_name')} AS ff, ${fold('last_name')} AS lf FROM r
), r3 AS (
  SELECT r2.*, CASE WHEN g % 4 = 0 THEN NULL ELSE lf || '.' || ff || g || '@posta.test' END AS email FROM r2
)
INSERT INTO patients (id, clinic_id, first_name, last_name, phone, email, language, first_folded,
  last_folded, sort_key, search_text)
SELECT ${sqlId(prefix, 'g')}, '${clinicId}'::uuid, first_name, last_name, phone, email,
  CASE WHEN g % 10 = 0 THEN 'en' ELSE 'tr' END, ff, lf, lf || ' ' || ff, ${searchText('ff', 'lf', 'phone', 'email')}
FROM r3 ORDER BY g`;
}

// ---- sessions made as rows ----

// n fresh patient sessions of clinic clinicId: the patient of session i is patientExpr with i
// in it (SQL); tokens -> SHA-256 -> bytea, as crypto_token_hash() stores them. Returns the
// statements (the clinic's earlier sessions removed first) and token(i), csrf.
export function patientSessions(clinicId, n, patientExpr) {
  const tokenPrefix = `bench-${[...randomBytes(12)].map((b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('')}-`;
  const token = (i) => `${tokenPrefix}${String(i).padStart(43 - tokenPrefix.length, '0')}`;
  const csrf = `bench-csrf-${randomBytes(16).toString('hex')}`;
  const statements = [
    `DELETE FROM patient_sessions WHERE clinic_id = '${clinicId}'`,
    `INSERT INTO patient_sessions (token_hash, clinic_id, patient_id, csrf_token, expires_at)
     SELECT sha256(convert_to('${tokenPrefix}' || lpad(i::text, ${43 - tokenPrefix.length}, '0'), 'UTF8')),
       '${clinicId}', ${patientExpr}, '${csrf}', now() + interval '8 hours'
     FROM generate_series(0, ${n - 1}) i`,
  ];
  return { statements, token, csrf };
}

// n fresh staff sessions of clinic clinicId, session i for staff member staffIds[i % length]
// (rows as the sign-in makes them; tokens -> SHA-256 -> bytea, as for patients). Returns the
// statements (the clinic's earlier staff sessions removed first) and token(i), cookie(i), csrf.
export function staffSessions(clinicId, n, staffIds) {
  const tokenPrefix = `bench-${[...randomBytes(12)].map((b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('')}-`;
  const token = (i) => `${tokenPrefix}${String(i).padStart(43 - tokenPrefix.length, '0')}`;
  const csrf = `bench-csrf-${randomBytes(16).toString('hex')}`;
  const statements = [
    `DELETE FROM staff_sessions WHERE clinic_id = '${clinicId}'`,
    `INSERT INTO staff_sessions (token_hash, clinic_id, staff_id, csrf_token, expires_at)
     SELECT sha256(convert_to('${tokenPrefix}' || lpad(i::text, ${43 - tokenPrefix.length}, '0'), 'UTF8')),
       '${clinicId}', (${sqlArray(staffIds)}::uuid[])[1 + i % ${staffIds.length}], '${csrf}', now() + interval '8 hours'
     FROM generate_series(0, ${n - 1}) i`,
  ];
  return { statements, token, cookie: (i) => `portal_staff=${token(i)}`, csrf };
}

// ---- psql sessions ----

// psql with several commands in one session (each -c on its own), as the given user; the
// sessions run at the same time, each bounded in time. Resolves with each one's output.
export function psqlSessions(sessions, { user = 'portal_owner', timeoutMs = 60_000 } = {}) {
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
export const psqlSession = async (commands, opts) => (await psqlSessions([commands], opts))[0];

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

// Starts the responder with as many workers as portal-api has; resolves with that number.
export async function startCeiling() {
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
export function stopCeiling() {
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

// ---- where a measured request's time goes ----

// The programs a request costs CPU in, by /proc/PID/comm: the web server, the FastCGI
// application (portal-api and the notifier, or the ceiling's responder) and the database.
// Only the stack user's processes count (nginx's master is root's and serves nothing; another
// stack on the machine runs as its own user); wrk and this runner are the client, not counted.
const PROGRAMS = {
  nginx: 'nginx', 'portal-api': 'app', 'portal-notifier': 'app', fcgi_ceiling: 'app', postgres: 'database',
};

// Nanoseconds on CPU so far, by program: the first field of each thread's schedstat.
function cpuNs() {
  const uid = env().runUid;
  const ns = { nginx: 0, app: 0, database: 0 };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const program = PROGRAMS[readFileSync(`/proc/${pid}/comm`, 'utf8').trim()];
      if (!program || statSync(`/proc/${pid}`).uid !== uid) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        ns[program] += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      }
    } catch { /* it ended meanwhile */ }
  }
  return ns;
}

// The database's statements, where the stack loads pg_stat_statements (scripts/lib/stack.sh
// asks for it): the stack's roles' top-level statements, reset before a run and read after.
let statementsKept;
const statementsOn = () => {
  statementsKept ??= psqlTry('SELECT count(*) FROM pg_stat_statements').status === 0;
  return statementsKept;
};
const STACK_ROLES = "('portal_owner', 'portal_app', 'portal_notifier')";

function statementsRead() {
  const r = psqlTry(`SELECT s.calls, round(s.total_exec_time * 1000), left(regexp_replace(s.query, '\\s+', ' ', 'g'), 100)
    FROM pg_stat_statements s JOIN pg_roles u ON u.oid = s.userid
    WHERE s.toplevel AND u.rolname IN ${STACK_ROLES} ORDER BY s.total_exec_time DESC`);
  if (r.status !== 0) return null;
  return r.stdout.trim().split('\n').filter(Boolean).map((line) => {
    const [calls, us, ...query] = line.split('|');
    return { calls: Number(calls), us: Number(us), query: query.join('|') };
  });
}

// What a measured run cost: the CPU by program and the statements, in all (measureEnd()), and
// per response (costPer(): {cpuUs: {nginx, app, database, total}, db: {statements, execUs, top:
// [{perRequest, usPerCall, query}]} or null}).
function measureStart() {
  if (statementsOn()) psqlTry('SELECT pg_stat_statements_reset()');
  return cpuNs();
}

function measureEnd(before) {
  const after = cpuNs();
  // A process that ended during the run takes its time with it: never below 0.
  const ns = Object.fromEntries(Object.keys(before).map((k) => [k, Math.max(0, after[k] - before[k])]));
  return { ns, statements: statementsOn() ? statementsRead() : null };
}

export function costPer({ ns, statements }, responses) {
  const n = Math.max(responses, 1);
  const cpuUs = Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, v / n / 1000]));
  cpuUs.total = cpuUs.nginx + cpuUs.app + cpuUs.database;
  const db = statements && {
    statements: statements.reduce((x, r) => x + r.calls, 0) / n,
    execUs: statements.reduce((x, r) => x + r.us, 0) / n,
    top: statements.filter((r) => r.calls >= 0.01 * n).slice(0, 3).map((r) => ({
      perRequest: r.calls / n, usPerCall: r.us / Math.max(r.calls, 1), query: r.query,
    })),
  };
  return { cpuUs, db };
}

// Prints where a run's time went, under its line.
export function printCost({ cpuUs, db }) {
  const f = (x) => x.toFixed(0);
  console.log(`#   CPU per response: ${f(cpuUs.total)} µs (nginx ${f(cpuUs.nginx)}, application ${f(cpuUs.app)}, ` +
    `database ${f(cpuUs.database)})`);
  if (!db) return;
  console.log(`#   database: ${db.statements.toFixed(2)} top-level statements and ${f(db.execUs)} µs executing per response` +
    ' (wall time, lock waits included)');
  for (const t of db.top) console.log(`#     ${t.perRequest.toFixed(2)} × ${f(t.usPerCall)} µs  ${t.query}`);
}

// ---- wrk ----

// A Lua string literal that holds any text.
const luaString = (s) => {
  let eq = '';
  while (s.includes(`]${eq}]`)) eq += '=';
  return `[${eq}[${s}]${eq}]`;
};

// Requests wrk left behind (a slow endpoint's queue: nginx has passed them on, and workers
// still answer them) would slow the next measurement: wait, bounded, until the API answers
// /health at once again.
export async function drain() {
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

// One benchmark file's runs: its wrk scripts (in a directory of its own, removed by close()),
// its measurements (results: [{name, rps, p99Ms, ok, requests}]) and its table. writer names
// the test file in the scripts' first line.
export class Runs {
  constructor(writer) {
    this.writer = writer;
    this.workDir = mkdtempSync(join(tmpdir(), 'portal-bench-'));
    this.results = [];
  }

  close() {
    if (this.workDir) rmSync(this.workDir, { recursive: true, force: true });
    this.workDir = null;
  }

  // wrk's script: requests [method, path, headers, body] taken in turn (thread t takes t, t + T,
  // t + 2T, ...); with stopAfter, each thread stops after that many responses and counts them by
  // status. done() prints one line of numbers.
  wrkScript(name, requests, { stopAfter } = {}) {
    const rows = requests.map(([method, path, headers = {}, body]) => {
      const h = Object.entries(headers).map(([k, v]) => `[ ${luaString(k)} ] = ${luaString(v)}`).join(', ');
      return `{ ${luaString(method)}, ${luaString(path)}, { ${h} }${body === undefined ? '' : `, ${luaString(body)}`} }`;
    });
    const lua = `-- ${name} (written by ${this.writer})
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
    const file = join(this.workDir, `${name}.lua`);
    writeFileSync(file, lua);
    return file;
  }

  // With measure, also what the run cost in all (measureEnd()), as r.measured.
  runWrk(script, seconds, { connections = CONNECTIONS, measure = false } = {}) {
    const before = measure ? measureStart() : null;
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
      rps: requests / (durationUs / 1e6), measured: before ? measureEnd(before) : null,
    };
  }

  // Warms up, measures, records; asserts that the requests succeeded.
  async bench(name, requests, { warmup = true } = {}) {
    const script = this.wrkScript(name.replace(/[^a-z0-9]+/gi, '-'), requests);
    if (warmup) {
      this.runWrk(script, WARMUP_SECONDS);
      await drain();
    }
    const r = this.runWrk(script, SECONDS, { measure: true });
    const cost = costPer(r.measured, r.requests);
    await drain();
    const failed = r.errors.status + r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout;
    const ok = (r.requests - r.errors.status) / Math.max(r.requests, 1);
    this.record({ name, rps: r.rps, p99Ms: r.p99Us / 1000, ok, requests: r.requests, cost });
    console.log(`# ${name}: ${r.rps.toFixed(0)} req/s, p50 ${(r.p50Us / 1000).toFixed(1)} ms, p99 ${(r.p99Us / 1000).toFixed(1)} ms, ` +
      `${r.requests} requests, ${failed} errors ${JSON.stringify(r.errors)}`);
    printCost(cost);
    assert.ok(r.requests > 0 && Number.isFinite(r.rps) && r.p99Us > 0, `${name}: no numbers`);
    assert.ok(ok >= MIN_OK && failed <= r.requests * (1 - MIN_OK), `${name}: only ${(ok * 100).toFixed(2)} % 2xx (${JSON.stringify(r.errors)})`);
    return r;
  }

  // One measurement for the table: {name, rps, p99Ms, ok, requests, cost (costPer()'s, or none)}.
  record(result) {
    this.results.push(result);
  }

  // Prints the table: each measurement's req/s, p99, share of 2xx and ratio to the fcgi ceiling,
  // then its server CPU per response and the ceiling's CPU per response over it (a steadier
  // measure than req/s on a shared machine: the ratio the same endpoint would reach with the
  // CPU to itself). With { p99: true }, a last column: each p99 over the ceiling's.
  printTable({ p99 = false } = {}) {
    const fcgi = this.results.find((r) => r.name.startsWith('fcgi ceiling'));
    assert.ok(fcgi, 'the fcgi ceiling was measured');
    const w = Math.max(...this.results.map((r) => r.name.length));
    const cpu = (r) => r.cost?.cpuUs.total;
    console.log(`# ${'what'.padEnd(w)}  ${'req/s'.padStart(7)}  ${'p99 ms'.padStart(7)}  ${'2xx'.padStart(7)}  ratio to fcgi` +
      `  CPU µs  CPU ratio${p99 ? '  p99 / fcgi p99' : ''}`);
    for (const r of this.results) {
      const cpuRatio = cpu(r) && cpu(fcgi) ? (cpu(fcgi) / cpu(r)).toFixed(2) : '-';
      console.log(`# ${r.name.padEnd(w)}  ${r.rps.toFixed(0).padStart(7)}  ${r.p99Ms.toFixed(1).padStart(7)}  ` +
        `${(r.ok * 100).toFixed(1).padStart(6)}%  ${(r.rps / fcgi.rps).toFixed(2).padStart(13)}` +
        `  ${(cpu(r)?.toFixed(0) ?? '-').padStart(6)}  ${cpuRatio.padStart(9)}` +
        `${p99 ? `  ${(r.p99Ms / fcgi.p99Ms).toFixed(2).padStart(15)}` : ''}`);
    }
  }
}

// One request outside wrk, tried again once if the connection was dropped (a kept-alive
// connection that nginx closed on a reload).
export async function fetchOnce(path, init) {
  try {
    return await fetch(`${env().url}${path}`, init);
  } catch {
    return fetch(`${env().url}${path}`, init);
  }
}

export const get = (path, s) => ['GET', path, s ? { Cookie: s.cookie } : {}];
export const rotate = (n, f) => Array.from({ length: n }, (_, i) => f(i));

// The two ceilings every benchmark is read against, registered as tests of the calling
// describe(): nginx serving a static file, and a minimal libfcgi responder doing one
// primary-key SELECT of a patient. of() is called when they run (after the before() hooks)
// and answers {runs, workers, n, patientId(i)}: the Runs, the responder's workers, and the
// n patients whose ids the responder rotates through.
export function ceilingTests(of) {
  test('ceiling: nginx serving a static file', async () => {
    const { runs } = of();
    const res = await fetchOnce('/console/');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<html/i);
    await runs.bench('static file (GET /console/)', [get('/console/')]);
  });

  test('ceiling: a minimal libfcgi responder, one primary-key SELECT', async () => {
    const { runs, workers, n, patientId } = of();
    const res = await fetchOnce(`/_bench/fcgi?id=${patientId(0)}`);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(JSON.parse(text).id, patientId(0));
    await runs.bench(`fcgi ceiling (${workers} workers, 1 PK SELECT)`,
      rotate(n, (i) => get(`/_bench/fcgi?id=${patientId(i)}`)));
  });
}
