// nginx's own sign-in limits (DESIGN.md section 10; issue 9 item 9): POSTs to the staff
// sign-in routes (everything under /api/v1/clinic/auth/) and to the patient ones
// (/api/v1/portal/{code}/login/start|verify|select) are limited per client address by nginx,
// each side in a zone of its own, before the API sees them; above the rate and burst nginx
// answers 429 problem+json rate_limited with Retry-After. The test stack's limits are loose
// (scripts/lib/stack.sh): here the generated site is rewritten to 6 requests a minute with a
// burst of 2 and Retry-After 10, nginx reloaded, and the original put back and reloaded
// afterwards whatever happens. The API's own limits stay loose on the test stack, so a 429
// here is nginx's (its error log says so too). Run alone: it reloads nginx.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { api, assertProblem, env } from '../api/lib/client.mjs';
import { enablePortal, makeClinic, portalPath, signIn, uniqueEmail } from '../api/lib/fixtures.mjs';
import { NginxSite } from './lib/nginxsite.mjs';

const RATE = '6r/m';
const BURST = 2;
const RETRY_AFTER = 10;
const TIGHT = [
  [/(limit_req_zone \S+ zone=portal_(?:staff|patient)_signin:\S+ rate=)[^;\s]+;/g, `$1${RATE};`, 2],
  [/(limit_req zone=portal_(?:staff|patient)_signin burst=)\d+/g, `$1${BURST}`, 2],
  [/("1 429"\s+)\d+;/g, `$1${RETRY_AFTER};`, 1],
];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let site;
let clinic;
let errorLogStart = 0;
const errorLog = () => `${env().logDir}/nginx-error.log`;

// The lines nginx's error log gained since the test began.
const newErrorLog = () => readFileSync(errorLog(), 'utf8').slice(errorLogStart);

// A POST without the OpenAPI check of api(): nginx's 429 on login/verify and login/select is
// not (yet) in the document, and this test is about nginx.
async function post(path, body) {
  const res = await fetch(`${env().url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

// Sends requests (send(i), i from 1) until nginx refuses one, asserting that the ones before
// reached the API (check(res, i)). nginx lets BURST through above the rate, and one more when
// the address has no history in the zone (its first request costs nothing): BURST or BURST + 1
// reach the API. Returns the refusal.
async function untilLimited(send, check, what) {
  for (let i = 1; i <= BURST + 2; i++) {
    const res = await send(i);
    if (res.status === 429) {
      assert.ok(i - 1 >= BURST, `${what}: refused after ${i - 1} requests, before the burst of ${BURST}`);
      return res;
    }
    check(res, i);
  }
  assert.fail(`${what}: ${BURST + 2} requests at once, none refused`);
}

// nginx's 429: the API's problem shape with rate_limited, Retry-After as configured, what
// every API answer carries, and no session.
function assertNginxLimited(res, what) {
  assertProblem(res, 429, 'rate_limited', what);
  assert.equal(res.body.type, 'urn:patient-portal:problem:rate_limited', `${what}: type`);
  assert.equal(res.body.title, 'Too many requests', `${what}: title`);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'detail', 'status', 'title', 'type'], `${what}: members`);
  assert.equal(res.headers.get('retry-after'), String(RETRY_AFTER), `${what}: Retry-After`);
  assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f]{32}$/, `${what}: X-Request-Id`);
  assert.equal(res.headers.get('cache-control'), 'no-store', `${what}: Cache-Control`);
  assert.equal(res.headers.get('set-cookie'), null, `${what}: a cookie while limited`);
}

before(async () => {
  // Sign-ins the test needs, before the limits are tight.
  clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  await enablePortal(owner, clinic);
  site = new NginxSite();
  errorLogStart = statSync(errorLog()).size;
  await site.reload(site.with(TIGHT));
});

after(async () => {
  if (!site) return;
  await site.reload(site.original);
  site.assertRestored();
});

test('staff: after the rate and burst, 429 rate_limited with Retry-After even for the right password; other routes and GETs are not counted; after Retry-After one more goes through', async () => {
  const login = '/api/v1/clinic/auth/login';
  const staff = clinic.logins.staff;
  // Wrong passwords reach the API (its 401) up to the burst, then nginx refuses.
  const refused = await untilLimited(
    (i) => api('POST', login, { body: { email: staff.email, password: `wrong-${i}-password` } }),
    (res, i) => assertProblem(res, 401, 'not_authenticated', `wrong password ${i}`), 'staff');
  assertNginxLimited(refused, 'a wrong password over the limit');
  // The API would let this one in (its own limits are loose here): nginx does not.
  assertNginxLimited(await api('POST', login, { body: staff }), 'the right password over the limit');
  assertNginxLimited(await api('POST', login, { body: clinic.logins.admin }), 'another account, same address');
  // The zone covers the whole auth/ prefix, logout too.
  assertNginxLimited(await post('/api/v1/clinic/auth/logout', {}), 'auth/logout');
  assert.match(newErrorLog(), /limiting requests, excess: [\d.]+ by zone "portal_staff_signin"/, 'nginx logged the refusal');

  // GETs and other routes are not counted.
  assertProblem(await api('GET', '/api/v1/clinic/me'), 401, 'not_authenticated', 'GET me');
  const other = await api('POST', '/api/v1/clinic/patients', { body: { first_name: 'A', last_name: 'B' } });
  assert.notEqual(other.status, 429, `POST clinic/patients: ${other.text}`);

  // Retry-After is honest: one request has dripped out after it.
  await sleep(RETRY_AFTER * 1000 + 500);
  const again = await api('POST', login, { body: staff });
  assert.equal(again.status, 200, `after Retry-After: ${again.text}`);
  assertNginxLimited(await api('POST', login, { body: staff }), 'at once after that');
});

test('patients: start, verify and select share one zone of their own; the staff limit does not touch it, nor it other portal routes', async () => {
  const start = portalPath(clinic.code, 'login/start');
  const refused = await untilLimited(
    () => api('POST', start, { body: { contact: uniqueEmail('nginx-limit') } }),
    (res, i) => assert.equal(res.status, 202, `start ${i}: ${res.text}`), 'patients');
  assertNginxLimited(refused, 'login/start over the limit');
  assertNginxLimited(await post(portalPath(clinic.code, 'login/verify'), { challenge_id: '00000000-0000-0000-0000-000000000000', code: '123456' }),
    'login/verify');
  assertNginxLimited(await post(portalPath(clinic.code, 'login/select'), { selection_token: 'x', patient_id: '00000000-0000-0000-0000-000000000000' }),
    'login/select');
  // Another portal's sign-in from the same address is the same address: limited too.
  assertNginxLimited(await post(portalPath('no-such-portal-code', 'login/start'), { contact: uniqueEmail('nginx-limit') }),
    'login/start of another code');
  assert.match(newErrorLog(), /limiting requests, excess: [\d.]+ by zone "portal_patient_signin"/, 'nginx logged the refusal');

  // Other routes of the portal are not limited.
  const card = await api('GET', portalPath(clinic.code));
  assert.equal(card.status, 200, `the clinic card: ${card.text}`);
  const logout = await post(portalPath(clinic.code, 'logout'), {});
  assert.notEqual(logout.status, 429, `logout: ${logout.text}`);
});
