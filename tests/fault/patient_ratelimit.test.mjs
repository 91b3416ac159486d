// Patient sign-in limits (DESIGN.md section 10; issue 5): login/start is limited per contact
// and per client address within a window, and so is a contact change's start (per patient
// and per new contact, counted with sign-ins: one limit block for every one-time code), in
// PostgreSQL, so neither a fresh cookie nor
// another worker (nor a whole new generation of workers) resets a limit. The stack's
// portal.conf is rewritten with tight limits and reloaded (as staff_ratelimit.test.mjs does),
// and restored afterwards whatever happens. Every test here comes from 127.0.0.1 as nginx
// sees it, so the per-address limit is tightened only in its own step. Run alone: it reloads
// the API.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { api, assertProblem, waitFor } from '../api/lib/client.mjs';
import {
  enablePortal, makeClinic, makePatient, nationalPhone, portalPath, signIn, signInPatient, uniqueEmail, uniquePhone,
} from '../api/lib/fixtures.mjs';
import { StackConf } from './lib/stackconf.mjs';

const PER_CONTACT = { patient_login_max_per_contact: '5', patient_login_max_per_address: '100000', patient_login_window: '120' };
const PER_ADDRESS = { patient_login_max_per_contact: '1000', patient_login_max_per_address: '5', patient_login_window: '10' };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let conf;
let clinic;
let staff;

const start = (contact, headers = {}) =>
  api('POST', portalPath(clinic.code, 'login/start'), { body: { contact }, headers });

function assertLimited(res, window, what) {
  assertProblem(res, 429, 'rate_limited', what);
  const retryAfter = res.headers.get('retry-after');
  assert.match(retryAfter ?? '', /^\d+$/, `${what}: Retry-After ${retryAfter}`);
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= window, `${what}: Retry-After ${retryAfter} outside 1..${window}`);
  assert.equal(res.headers.get('set-cookie'), null, `${what}: a cookie while limited`);
  return Number(retryAfter);
}

before(async () => {
  conf = new StackConf();
  clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  staff = await signIn(clinic.logins.staff);
  await enablePortal(owner, clinic, { permissions: ['view_profile', 'update_profile'] });
});

after(async () => {
  if (!conf) return;
  await conf.reloadApi(conf.original);
  conf.assertRestored();
});

test('per contact: the 6th start is 429 with Retry-After, in any form of the number, for known and unknown contacts alike; others go on', async () => {
  await conf.reloadApi(conf.with(PER_CONTACT));
  const window = Number(PER_CONTACT.patient_login_window);
  const phone = uniquePhone();
  await makePatient(staff, { phone });
  // The same number in two forms is one contact.
  const forms = [phone, nationalPhone(phone), phone, nationalPhone(phone), phone];
  for (const [i, contact] of forms.entries()) {
    const res = await start(contact);
    assert.equal(res.status, 202, `start ${i + 1} (${contact}): ${res.text}`);
  }
  assertLimited(await start(phone), window, 'the 6th start');
  assertLimited(await start(nationalPhone(phone)), window, 'the 6th start in the national form');

  // An unknown contact is limited the same way, at the same count.
  const stranger = uniquePhone();
  const email = uniqueEmail('nobody');
  for (let i = 1; i <= 5; i++) {
    assert.equal((await start(stranger)).status, 202, `unknown phone, start ${i}`);
    assert.equal((await start(email)).status, 202, `unknown email, start ${i}`);
  }
  assertLimited(await start(stranger), window, 'unknown phone, 6th');
  assertLimited(await start(email.toUpperCase()), window, 'unknown email in capitals, 6th');

  // Another contact still starts.
  const other = uniquePhone();
  await makePatient(staff, { phone: other });
  assert.equal((await start(other)).status, 202, 'another contact');

  // A fresh cookie, or none, changes nothing; nor does whichever worker answers (several
  // requests spread over the workers).
  for (let i = 0; i < 8; i++) {
    const cookie = `portal_patient=${randomBytes(32).toString('base64url')}`;
    assertLimited(await start(phone, { cookie }), window, `with a fresh cookie (${i + 1})`);
  }
  // Not even a whole new generation of workers: the limits live in PostgreSQL.
  await conf.reloadApi(conf.with(PER_CONTACT));
  assertLimited(await start(phone), window, 'after a reload of every worker');
  assertLimited(await start(stranger), window, 'unknown, after a reload');
});

test('per client address: the 6th start from 127.0.0.1 is 429 whatever the contact, until the window passes', async () => {
  await conf.reloadApi(conf.with(PER_ADDRESS));
  const window = Number(PER_ADDRESS.patient_login_window);
  // Earlier starts from this address (other tests, the step above) fall out of the window.
  await sleep((window + 1) * 1000);
  const known = uniquePhone();
  await makePatient(staff, { phone: known });
  const contacts = [known, uniquePhone(), uniqueEmail('a'), uniquePhone(), uniqueEmail('b')];
  for (const [i, contact] of contacts.entries()) {
    const res = await start(contact);
    assert.equal(res.status, 202, `start ${i + 1} (${contact}): ${res.text}`);
  }
  const retryAfter = assertLimited(await start(uniquePhone()), window, 'a 6th contact from the same address');
  assertLimited(await start(uniqueEmail('c')), window, 'a 7th contact from the same address');
  assertLimited(await start(known, { cookie: `portal_patient=${randomBytes(32).toString('base64url')}` }), window,
    'a known contact with a fresh cookie');
  // Once the window has moved on, starts are allowed again.
  await sleep((retryAfter + 1) * 1000);
  assert.equal((await start(uniquePhone())).status, 202, 'after Retry-After');
});

test('a contact change start shares the limits: per patient, and per new contact together with sign-ins', async () => {
  await conf.reloadApi(conf.with(PER_CONTACT));
  const window = Number(PER_CONTACT.patient_login_window);
  const email = uniqueEmail('cc');
  await makePatient(staff, { email });
  const s = await signInPatient(clinic.code, email);
  const change = (value) => s.request('POST', 'profile/contact-change', { body: { channel: 'email', value } });
  // Per patient: five starts to five addresses, then 429.
  for (let i = 1; i <= 5; i++) {
    const res = await change(uniqueEmail(`cc${i}`));
    assert.equal(res.status, 202, `change ${i}: ${res.text}`);
  }
  assertLimited(await change(uniqueEmail('cc6')), window, 'a 6th change by the same patient');

  // Per new contact: five sign-in starts for an address use up a change to it as well.
  const target = uniqueEmail('target');
  for (let i = 1; i <= 5; i++) assert.equal((await start(target)).status, 202, `sign-in start ${i}`);
  const other = uniqueEmail('other');
  await makePatient(staff, { email: other });
  const o = await signInPatient(clinic.code, other);
  const res = await o.request('POST', 'profile/contact-change', { body: { channel: 'email', value: target } });
  assertLimited(res, window, 'a change to a contact at its limit');
});
