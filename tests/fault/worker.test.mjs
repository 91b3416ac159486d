// Worker supervision of portal-api: a worker killed with SIGKILL is replaced (same count, new
// pid) while requests keep succeeding; a reload (SIGHUP) under concurrent load drops no
// request and replaces every worker, and the master stays the same process throughout.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { api, confValue, env, stackctl, waitFor } from '../api/lib/client.mjs';

const WORKERS = Number(confValue('workers') ?? 4);
const master = () => Number(stackctl('api-pids'));
const workers = () => stackctl('api-worker-pids').split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);

// Health requests from `loops` parallel loops for `ms` milliseconds (and at most 2000 each);
// every answer is validated by api(). Resolves the statuses and errors seen.
async function load({ loops, ms }) {
  const deadline = Date.now() + ms;
  const statuses = [];
  const errors = [];
  await Promise.all(Array.from({ length: loops }, async () => {
    for (let i = 0; i < 2000 && Date.now() < deadline; i++) {
      try {
        statuses.push((await api('GET', '/api/v1/health', { timeoutMs: 10_000 })).status);
      } catch (err) {
        errors.push(err.message);
      }
    }
  }));
  return { statuses, errors };
}

let masterAtStart;

before(() => {
  masterAtStart = master();
});

after(async () => {
  // Leave the full set of workers behind for the next test file.
  await waitFor(() => workers().length === WORKERS, { timeoutMs: 10_000, what: `${WORKERS} workers` });
});

test(`the stack runs ${WORKERS} workers under one master`, () => {
  assert.equal(workers().length, WORKERS, `workers: ${workers().join(' ')}`);
});

test('a worker killed with SIGKILL is replaced and no request fails', async () => {
  const before = workers();
  const victim = before[0];
  process.kill(victim, 'SIGKILL');
  for (let i = 0; i < 50; i++) {
    const res = await api('GET', '/api/v1/health');
    assert.equal(res.status, 200, `request ${i + 1} after the kill: ${res.text}`);
  }
  const now = await waitFor(() => {
    const pids = workers();
    return pids.length === WORKERS && !pids.includes(victim) ? pids : false;
  }, { timeoutMs: 5000, intervalMs: 100, what: `${WORKERS} workers without ${victim}` });
  const fresh = now.filter((p) => !before.includes(p));
  assert.equal(fresh.length, 1, `expected one new worker: before ${before}, after ${now}`);
  assert.equal(master(), masterAtStart, 'the master changed');
  const log = readFileSync(`${env().logDir}/portal-api.log`, 'utf8');
  assert.match(log, new RegExp(`worker ${victim} killed by signal 9`), 'the master did not log the dead worker');
});

test('a reload (SIGHUP) under load drops no request and replaces every worker', async (t) => {
  const before = workers();
  const running = load({ loops: 8, ms: 2000 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  stackctl('api-reload');
  const { statuses, errors } = await running;
  assert.deepEqual(errors, [], 'requests failed during the reload');
  t.diagnostic(`${statuses.length} requests during the reload`);
  const bad = statuses.filter((s) => s !== 200);
  assert.ok(statuses.length > 50, `too little load to mean anything: ${statuses.length} requests`);
  assert.deepEqual(bad, [], `non-200 answers during the reload (of ${statuses.length})`);
  const now = await waitFor(() => {
    const pids = workers();
    return pids.length === WORKERS && pids.every((p) => !before.includes(p)) ? pids : false;
  }, { timeoutMs: 5000, what: `${WORKERS} new workers (before: ${before.join(' ')})` });
  assert.equal(now.length, WORKERS);
  assert.equal(master(), masterAtStart, 'the master changed');
  assert.equal((await api('GET', '/api/v1/health')).status, 200);
});
