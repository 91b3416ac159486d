// Staff sign-in limits (DESIGN.md section 10), each tightened on purpose in the stack's
// portal.conf (graceful reload; the original is restored and reloaded afterwards, whatever
// happens): 3 failures per (account, client address), 5 per client address, 8 per account,
// within 60 seconds. Past each: 429 rate_limited with Retry-After, even for the right password,
// while everyone else signs in as usual; a stranger who spends an account's per-address tries
// does not lock its owner out. Clients at other addresses speak FastCGI straight to the API's
// socket with their REMOTE_ADDR, as nginx passes it, which also shows that an IPv6 client
// counts by its /64. Run alone: it reloads the API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { api, assertProblem } from '../api/lib/client.mjs';
import { fcgi } from '../api/lib/fcgi.mjs';
import { makeClinic } from '../api/lib/fixtures.mjs';
import { StackConf } from './lib/stackconf.mjs';

const LIMITS = {
  staff_login_max_failures: '3',
  staff_login_max_failures_per_address: '5',
  staff_login_max_failures_per_account: '8',
  staff_login_window: '60',
};
const LOGIN = '/api/v1/clinic/auth/login';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nobody = () => `nobody-${randomBytes(5).toString('hex')}@clinic.test`;
const wrong = (email) => ({ email, password: `wrong-${randomBytes(4).toString('hex')}-password` });
// A /24 of its own for each test, so that tests never share an address.
const net = () => `10.${1 + (randomBytes(1)[0] % 250)}.${randomBytes(1)[0]}`;

function assertLimited(res, what) {
  assertProblem(res, 429, 'rate_limited', what);
  const retryAfter = res.headers.get('retry-after');
  assert.match(retryAfter ?? '', /^\d+$/, `${what}: Retry-After ${retryAfter}`);
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `${what}: Retry-After ${retryAfter} outside 1..60`);
  assert.equal(res.headers.get('set-cookie'), null, `${what}: a cookie while limited`);
}

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

test('per account and address: three wrong passwords, then 429 even for the right one; other accounts unaffected', async () => {
  const clinic = makeClinic();
  const victim = clinic.logins.staff;
  const here = `${net()}.1`;
  const from = (body) => fcgi('POST', LOGIN, { remoteAddr: here, body });
  for (let i = 1; i <= 3; i++) {
    assertProblem(await from(wrong(victim.email)), 401, 'not_authenticated', `wrong password ${i}`);
  }
  assertLimited(await from(victim), 'the right password after 3 failures');
  // The same address typed in other case is the same account.
  assertLimited(await from({ ...victim, email: victim.email.toUpperCase() }), 'upper case');
  for (const role of ['admin', 'owner']) {
    const res = await from(clinic.logins[role]);
    assert.equal(res.status, 200, `${role}: ${res.text}`);
  }
  assert.equal((await from(makeClinic().logins.staff)).status, 200, 'another clinic');
  // The window holds, not a short backoff: a few seconds later it still does.
  await sleep(3000);
  assertLimited(await from(victim), 'three seconds later');
});

test('a stranger who spends the per-address tries does not lock the owner out', async () => {
  const clinic = makeClinic();
  const owner = clinic.logins.owner;
  const prefix = net();
  const stranger = `${prefix}.66`;
  for (let i = 1; i <= 3; i++) {
    assertProblem(await fcgi('POST', LOGIN, { remoteAddr: stranger, body: wrong(owner.email) }), 401, 'not_authenticated');
  }
  assertLimited(await fcgi('POST', LOGIN, { remoteAddr: stranger, body: wrong(owner.email) }), 'the stranger');
  const res = await fcgi('POST', LOGIN, { remoteAddr: `${prefix}.10`, body: owner });
  assert.equal(res.status, 200, `the owner, from the clinic's address: ${res.text}`);
});

test('per address: five failures on any accounts, then 429 for every account from there', async () => {
  const clinic = makeClinic();
  const prefix = net();
  const here = `${prefix}.1`;
  for (let i = 1; i <= 5; i++) {
    assertProblem(await fcgi('POST', LOGIN, { remoteAddr: here, body: wrong(nobody()) }), 401, 'not_authenticated', `account ${i}`);
  }
  assertLimited(await fcgi('POST', LOGIN, { remoteAddr: here, body: wrong(nobody()) }), 'a sixth account');
  assertLimited(await fcgi('POST', LOGIN, { remoteAddr: here, body: clinic.logins.staff }), 'a right password');
  const elsewhere = await fcgi('POST', LOGIN, { remoteAddr: `${prefix}.2`, body: clinic.logins.staff });
  assert.equal(elsewhere.status, 200, `another address: ${elsewhere.text}`);
});

test('per address, IPv6: the addresses of one /64 count together, another /64 apart', async () => {
  const clinic = makeClinic();
  const hex = randomBytes(2).toString('hex');
  const inside = (host) => `2001:db8:${hex}:1::${host}`;
  for (let i = 1; i <= 5; i++) {
    const res = await fcgi('POST', LOGIN, { remoteAddr: inside(i.toString(16)), body: wrong(nobody()) });
    assertProblem(res, 401, 'not_authenticated', `host ${i} of the /64`);
  }
  assertLimited(await fcgi('POST', LOGIN, { remoteAddr: `2001:db8:${hex}:1:ffff:1234:5678:9abc`, body: clinic.logins.admin }),
    'another host of the same /64');
  const other = await fcgi('POST', LOGIN, { remoteAddr: `2001:db8:${hex}:2::1`, body: clinic.logins.admin });
  assert.equal(other.status, 200, `another /64: ${other.text}`);
});

test('per account: eight failures from eight addresses, then 429 from anywhere; other accounts unaffected', async () => {
  const clinic = makeClinic();
  const target = clinic.logins.admin;
  const prefix = net();
  for (let i = 1; i <= 8; i++) {
    const res = await fcgi('POST', LOGIN, { remoteAddr: `${prefix}.${i}`, body: wrong(target.email) });
    assertProblem(res, 401, 'not_authenticated', `address ${i}`);
  }
  assertLimited(await fcgi('POST', LOGIN, { remoteAddr: `${prefix}.200`, body: target }), 'a fresh address, right password');
  assertLimited(await api('POST', LOGIN, { body: target }), 'through nginx');
  const owner = await fcgi('POST', LOGIN, { remoteAddr: `${prefix}.200`, body: clinic.logins.owner });
  assert.equal(owner.status, 200, `another account from that address: ${owner.text}`);
});
