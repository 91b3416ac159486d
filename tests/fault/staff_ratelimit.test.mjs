// Staff sign-in limit (DESIGN.md section 10): with staff_login_max_failures = 3 and
// staff_login_window = 60 set in the stack's portal.conf and a graceful reload, three wrong
// passwords for one account answer 401 each, then the account answers 429 rate_limited with
// Retry-After even to the right password (and still does once any short backoff would have
// passed), while another account signs in as usual. The original configuration is restored
// and reloaded afterwards, whatever happens. Run alone: it reloads the API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, assertProblem } from '../api/lib/client.mjs';
import { makeClinic } from '../api/lib/fixtures.mjs';
import { StackConf } from './lib/stackconf.mjs';

const LIMITS = { staff_login_max_failures: '3', staff_login_window: '60' };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let conf;

before(async () => {
  conf = new StackConf();
  await conf.reloadApi(conf.with(LIMITS));
});

after(async () => {
  if (!conf) return;
  await conf.reloadApi(conf.original);
  conf.assertRestored();
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
