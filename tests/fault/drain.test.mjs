// Stopping portal-api with SIGTERM: a request in flight (held open at the FastCGI socket, past
// nginx) still gets its answer, then the master and every worker exit and the socket file is
// removed; a request stuck past shutdown_timeout is cut off, so everything is gone within
// shutdown_timeout + 2 s; while the API is down nginx answers 503 `unavailable`. The API is
// restarted with stackctl api-restart and left healthy.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import {
  api, assertProblem, checkCommonHeaders, confValue, env, spec, stackctl, validateAgainstSpec, waitFor,
} from '../api/lib/client.mjs';

const SOCKET = confValue('socket');
const TIMEOUT_S = Number(confValue('shutdown_timeout') ?? 10);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// True while pid is a process that has not exited (a zombie has).
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2)[0]);
  } catch {
    return false;
  }
}

function apiProcesses() {
  return { master: Number(stackctl('api-pids')), workers: stackctl('api-worker-pids').split('\n').filter(Boolean).map(Number) };
}

// ---- a minimal FastCGI client, to hold a request open at the API's socket ----

function record(type, content = Buffer.alloc(0)) {
  const pad = (8 - (content.length % 8)) % 8;
  const header = Buffer.from([1, type, 0, 1, content.length >> 8, content.length & 0xff, pad, 0]);
  return Buffer.concat([header, content, Buffer.alloc(pad)]);
}

function pairs(params) {
  const len = (n) => (n < 128 ? Buffer.from([n]) : Buffer.from([0x80 | (n >> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]));
  return Buffer.concat(Object.entries(params).flatMap(([k, v]) => {
    const name = Buffer.from(k);
    const value = Buffer.from(String(v));
    return [len(name.length), len(value.length), name, value];
  }));
}

// Starts POST /api/v1/health with a JSON body of which only `sent` bytes go out at first.
// Returns {finish(), response}: finish() sends the rest; response resolves the raw answer.
function heldRequest(body, sent) {
  const socket = connect(SOCKET);
  const response = new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    let stdout = '';
    socket.setTimeout(30_000, () => socket.destroy(new Error('FastCGI answer timed out')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      while (data.length >= 8) {
        const length = data.readUInt16BE(4);
        const total = 8 + length + data[6];
        if (data.length < total) break;
        if (data[1] === 6) stdout += data.subarray(8, 8 + length).toString('utf8');
        if (data[1] === 3) {
          socket.end();
          resolve({ complete: true, stdout });
        }
        data = data.subarray(total);
      }
    });
    socket.on('close', () => resolve({ complete: false, stdout }));
  });
  socket.write(Buffer.concat([
    record(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])), // BEGIN_REQUEST, responder
    record(4, pairs({
      REQUEST_METHOD: 'POST', REQUEST_URI: '/api/v1/health', DOCUMENT_URI: '/api/v1/health',
      CONTENT_TYPE: 'application/json', CONTENT_LENGTH: Buffer.byteLength(body),
      SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1',
    })),
    record(4),
    record(5, Buffer.from(body).subarray(0, sent)),
  ]));
  return {
    response,
    finish: () => socket.write(Buffer.concat([record(5, Buffer.from(body).subarray(sent)), record(5)])),
    close: () => socket.destroy(),
  };
}

async function restartAndWaitHealthy() {
  stackctl('api-restart');
  await waitFor(async () => (await api('GET', '/api/v1/health')).status === 200,
    { timeoutMs: 10_000, intervalMs: 200, what: 'health 200 after api-restart' });
}

// Waits until the master and workers have exited and the socket file is gone.
function waitGone({ master, workers }, deadline) {
  return waitFor(() => !alive(master) && workers.every((p) => !alive(p)) && !existsSync(SOCKET), {
    timeoutMs: Math.max(deadline - Date.now(), 0),
    intervalMs: 50,
    what: `master ${master} and workers ${workers.join(' ')} to exit and ${SOCKET} to go`,
  });
}

// The document the answers are checked against is read while the API is up.
before(() => spec());

after(async () => {
  // Whatever happened, leave the API running and healthy.
  const healthy = await api('GET', '/api/v1/health').then((r) => r.status === 200, () => false);
  if (!healthy) await restartAndWaitHealthy();
});

test('SIGTERM: the request in flight is answered, then everything exits and the socket goes', async () => {
  const procs = apiProcesses();
  assert.ok(existsSync(SOCKET), `${SOCKET} is missing before the test`);
  const held = heldRequest('{"a":1}', 3);
  await sleep(300); // a worker accepts it and waits for the rest of the body
  const t0 = Date.now();
  process.kill(procs.master, 'SIGTERM');
  await sleep(500);
  assert.ok(alive(procs.master), 'the master exited while a request was in flight');
  assert.equal(procs.workers.filter(alive).length, 1, 'exactly the busy worker should still be running');

  held.finish();
  const answer = await held.response;
  assert.ok(answer.complete, `the request in flight got no complete answer: ${JSON.stringify(answer.stdout)}`);
  assert.match(answer.stdout, /^Status: 405\b/m, `unexpected answer: ${answer.stdout}`);
  assert.match(answer.stdout, /"code":"method_not_allowed"/);

  await waitGone(procs, t0 + (TIMEOUT_S + 2) * 1000);
  assert.ok(Date.now() - t0 < TIMEOUT_S * 1000, 'the drain waited for the timeout although nothing was left');
});

test('while the API is down nginx answers 503 unavailable (problem+json, request id, no-store)', async () => {
  const response = await fetch(`${env().url}/api/v1/health`, { signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  const res = { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
  assertProblem(res, 503, 'unavailable');
  await validateAgainstSpec('GET', '/api/v1/health', res);
  checkCommonHeaders('GET', '/api/v1/health', res);
});

test('stackctl api-restart brings the API back', async () => {
  await restartAndWaitHealthy();
  assert.ok(existsSync(SOCKET));
});

test(`SIGTERM: a request stuck past shutdown_timeout (${TIMEOUT_S} s) is cut off within 2 s more`, { timeout: (TIMEOUT_S + 20) * 1000 }, async () => {
  const procs = apiProcesses();
  const held = heldRequest('{"a":1}', 3);
  try {
    await sleep(300);
    const t0 = Date.now();
    process.kill(procs.master, 'SIGTERM');
    await waitGone(procs, t0 + (TIMEOUT_S + 2) * 1000);
    assert.ok(Date.now() - t0 >= (TIMEOUT_S - 1) * 1000,
      `everything exited after ${Date.now() - t0} ms: the stuck request did not get its ${TIMEOUT_S} s`);
    const answer = await held.response;
    assert.equal(answer.complete, false, 'the stuck request was answered although its body never came');
  } finally {
    held.close();
  }
  await restartAndWaitHealthy();
});
