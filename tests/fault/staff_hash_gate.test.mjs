// The cap on password hashing (DESIGN.md section 10, issue 9 item 9): with one hashing slot
// for all workers, a wait of 20 ms for it and a costlier argon2 (about 0.1 s a check here) set in
// the stack's portal.conf, a flood of sign-ins for unknown addresses (each checks the dummy
// hash, as a real account would) gets 401 or 503 unavailable with Retry-After, never anything
// else, while health and a signed-in `me` keep answering promptly; afterwards a real account
// signs in as usual. The original configuration is restored and reloaded afterwards, whatever
// happens. Run alone: it reloads the API and loads the machine.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { api } from '../api/lib/client.mjs';
import { makeClinic, signIn } from '../api/lib/fixtures.mjs';
import { StackConf } from './lib/stackconf.mjs';

const GATE = {
  staff_login_hash_slots: '1',
  staff_login_hash_wait_ms: '20',
  argon2_opslimit: '2',
  argon2_memlimit: '8388608',
};
const LOGIN = '/api/v1/clinic/auth/login';
const FLOOD_LOOPS = 12;
const FLOOD_MS = 4000;

let conf;

before(async () => {
  conf = new StackConf();
  await conf.reloadApi(conf.with(GATE));
});

after(async () => {
  if (!conf) return;
  await conf.reloadApi(conf.original);
  conf.assertRestored();
});

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

test('a flood of sign-ins gets 401 or 503 with Retry-After while other routes answer promptly', async () => {
  const clinic = makeClinic();
  const session = await signIn(clinic.logins.staff);
  const deadline = Date.now() + FLOOD_MS;
  const signIns = [];
  const flood = Array.from({ length: FLOOD_LOOPS }, async () => {
    while (Date.now() < deadline) {
      const email = `flood-${randomBytes(5).toString('hex')}@clinic.test`;
      const res = await api('POST', LOGIN, { body: { email, password: 'not-a-password-at-all' }, timeoutMs: 30_000 });
      signIns.push({ status: res.status, code: res.body?.code, retryAfter: res.headers.get('retry-after') });
    }
  });
  // Meanwhile, one request at a time to other routes, each timed.
  const others = [];
  const probe = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    while (Date.now() < deadline - 200) {
      for (const send of [() => api('GET', '/api/v1/health'), () => session.request('GET', '/api/v1/clinic/me')]) {
        const start = Date.now();
        const res = await send();
        others.push({ status: res.status, ms: Date.now() - start });
      }
    }
  })();
  await Promise.all([...flood, probe]);

  const statuses = [...new Set(signIns.map((r) => r.status))].sort();
  assert.ok(statuses.every((s) => s === 401 || s === 503), `sign-in statuses: ${statuses}`);
  const busy = signIns.filter((r) => r.status === 503);
  assert.ok(busy.length > 0, `no sign-in was turned away (${signIns.length} sign-ins)`);
  assert.ok(signIns.some((r) => r.status === 401), 'no sign-in was checked at all');
  for (const r of busy) {
    assert.equal(r.code, 'unavailable');
    assert.equal(r.retryAfter, '1');
  }

  assert.ok(others.length >= 5, `only ${others.length} other requests were answered during the flood`);
  assert.ok(others.every((r) => r.status === 200), `other routes: ${others.map((r) => r.status)}`);
  const times = others.map((r) => r.ms);
  assert.ok(percentile(times, 0.5) < 500, `median of other routes ${percentile(times, 0.5)} ms: ${times}`);
  assert.ok(Math.max(...times) < 2000, `slowest other request ${Math.max(...times)} ms: ${times}`);

  // Afterwards a real account signs in as usual.
  const ok = await api('POST', LOGIN, { body: clinic.logins.owner });
  assert.equal(ok.status, 200, ok.text);
});
