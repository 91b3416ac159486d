// Staff sign-in limit (DESIGN.md section 10): with staff_login_max_failures = 3 and
// staff_login_window = 60 set in the stack's portal.conf and a graceful reload, three wrong
// passwords for one account answer 401 each, then the account answers 429 rate_limited with
// Retry-After even to the right password (and still does once any short backoff would have
// passed), while another account signs in as usual. The original configuration is restored
// and reloaded afterwards, whatever happens. Run alone: it reloads the API.
import assert from 'node:assert/strict';
import { chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { api, assertProblem, env, stackctl, waitFor } from '../api/lib/client.mjs';
import { makeClinic } from '../api/lib/fixtures.mjs';

const LIMITS = { staff_login_max_failures: '3', staff_login_window: '60' };
const workers = () => stackctl('api-worker-pids').split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let original;
let originalStat;

// The config text with the given keys set (replaced where present, else appended).
function withKeys(text, keys) {
  let out = text.endsWith('\n') ? text : `${text}\n`;
  for (const [key, value] of Object.entries(keys)) {
    const line = new RegExp(`^${key}\\s*=.*$`, 'm');
    out = line.test(out) ? out.replace(line, `${key} = ${value}`) : `${out}${key} = ${value}\n`;
  }
  return out;
}

// Writes portal.conf in place (same inode, owner and mode), reloads portal-api and waits until
// a whole new generation of workers answers.
async function applyConfig(text) {
  const { conf } = env();
  const old = workers();
  writeFileSync(conf, text);
  chownSync(conf, originalStat.uid, originalStat.gid);
  stackctl('api-reload');
  await waitFor(() => {
    const now = workers();
    return now.length === old.length && now.every((p) => !old.includes(p));
  }, { timeoutMs: 15_000, what: `a new generation of workers (old: ${old.join(' ')})` });
  await waitFor(async () => (await api('GET', '/api/v1/health')).status === 200,
    { timeoutMs: 15_000, what: 'health 200 after the reload' });
}

before(async () => {
  const { conf } = env();
  original = readFileSync(conf, 'utf8');
  originalStat = statSync(conf);
  await applyConfig(withKeys(original, LIMITS));
});

after(async () => {
  if (original === undefined) return;
  await applyConfig(original);
  const { conf } = env();
  assert.equal(readFileSync(conf, 'utf8'), original, 'portal.conf was not restored');
  const st = statSync(conf);
  assert.deepEqual([st.uid, st.gid, st.mode], [originalStat.uid, originalStat.gid, originalStat.mode]);
});

test('three wrong passwords, then 429 rate_limited with Retry-After even for the right one; others unaffected', async () => {
  const clinic = makeClinic();
  const victim = clinic.logins.staff;
  for (let i = 1; i <= 3; i++) {
    const res = await api('POST', '/api/v1/clinic/auth/login', { body: { email: victim.email, password: `wrong-${i}-password` } });
    assertProblem(res, 401, 'not_authenticated', `wrong password ${i}`);
  }
  const limited = await api('POST', '/api/v1/clinic/auth/login', { body: victim });
  assertProblem(limited, 429, 'rate_limited', 'the right password after 3 failures');
  const retryAfter = limited.headers.get('retry-after');
  assert.match(retryAfter ?? '', /^\d+$/, `Retry-After: ${retryAfter}`);
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter} outside 1..60`);
  assert.equal(limited.headers.get('set-cookie'), null, 'no session while limited');

  // The same address typed in other case is the same account.
  assertProblem(await api('POST', '/api/v1/clinic/auth/login', { body: { ...victim, email: victim.email.toUpperCase() } }),
    429, 'rate_limited', 'upper-case address');

  // Other accounts, of the same clinic too, sign in as usual.
  for (const role of ['admin', 'owner']) {
    const res = await api('POST', '/api/v1/clinic/auth/login', { body: clinic.logins[role] });
    assert.equal(res.status, 200, `${role}: ${res.text}`);
  }
  const otherClinic = makeClinic();
  assert.equal((await api('POST', '/api/v1/clinic/auth/login', { body: otherClinic.logins.staff })).status, 200);

  // The window limit outlasts a short backoff: a few seconds later it still holds.
  await sleep(3000);
  const still = await api('POST', '/api/v1/clinic/auth/login', { body: victim });
  assertProblem(still, 429, 'rate_limited', 'three seconds later');
  assert.ok(Number(still.headers.get('retry-after')) >= 1);
});
