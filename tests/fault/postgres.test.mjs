// PostgreSQL going away and coming back: with the database stopped every worker answers health
// with 503 `unavailable` (a valid problem), and once it is started again every worker answers
// 200 by reconnecting on its own: no worker or master is restarted. A quick restart no request
// saw costs no request either. The database is always started again at the end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, assertProblem, stackctl, waitFor } from '../api/lib/client.mjs';

const pids = () => `${stackctl('api-pids')} | ${stackctl('api-worker-pids').split('\n').map(Number).sort((a, b) => a - b).join(' ')}`;
// Enough requests that every worker (one connection each) is very likely asked.
const ROUNDS = 24;

let pidsAtStart;

before(async () => {
  pidsAtStart = pids();
  assert.equal((await api('GET', '/api/v1/health')).status, 200, 'the stack is not healthy to begin with');
});

after(async () => {
  stackctl('db-start');
  await waitFor(async () => (await api('GET', '/api/v1/health')).status === 200,
    { timeoutMs: 15_000, intervalMs: 200, what: 'health 200 after db-start' });
});

test('with PostgreSQL stopped, health answers 503 unavailable', async () => {
  stackctl('db-stop');
  await waitFor(async () => (await api('GET', '/api/v1/health')).status === 503,
    { timeoutMs: 5000, intervalMs: 100, what: 'health 503' });
  for (let i = 0; i < ROUNDS; i++) {
    const started = Date.now();
    const res = await api('GET', '/api/v1/health');
    assertProblem(res, 503, 'unavailable', `request ${i + 1} with the database down`);
    assert.ok(Date.now() - started < 5000, `request ${i + 1} took ${Date.now() - started} ms`);
  }
});

test('with PostgreSQL started again, health answers 200 within 10 s without a restart', async () => {
  stackctl('db-start');
  await waitFor(async () => (await api('GET', '/api/v1/health')).status === 200,
    { timeoutMs: 10_000, intervalMs: 200, what: 'health 200 after db-start' });
  for (let i = 0; i < ROUNDS; i++) {
    const res = await api('GET', '/api/v1/health');
    assert.equal(res.status, 200, `request ${i + 1} after the database came back: ${res.text}`);
  }
  assert.equal(pids(), pidsAtStart, 'master or workers were replaced (master | workers)');
});

test('a database restart between requests costs no request (workers reconnect and retry)', async () => {
  stackctl('db-stop');
  stackctl('db-start');
  for (let i = 0; i < ROUNDS; i++) {
    const res = await api('GET', '/api/v1/health');
    assert.equal(res.status, 200, `request ${i + 1} after the restart: ${res.text}`);
  }
  assert.equal(pids(), pidsAtStart, 'master or workers were replaced (master | workers)');
});
