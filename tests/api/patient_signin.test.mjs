// Patient sign-in (issue 5; DESIGN.md sections 3 and 10): the whole way through the real
// notifier and the sinks, by SMS and by email (start → 202 {challenge_id, channel, expires_in};
// the 6-digit code read from the message; verify → {patient, permissions, csrf_token} and the
// portal_patient cookie on Path /api/v1/portal/{code}/, HttpOnly, SameSite=Strict; me;
// logout with and without X-CSRF-Token); a phone typed in another usual form; a phone shared
// by several patients (choose, select, the selection token good once, patients with access
// off left out); five wrong codes end a challenge, also when 50 guesses arrive at once; an
// expired code; a known and an unknown contact answer alike and only the known one gets a
// message; malformed contacts; a landline refused (not_mobile) alike whoever has it; closed
// portals; planted cookies; sessions bound to their clinic's code; access off and the last
// contact removed end a session; permission changes reach the next me, which lists exactly
// the usable keys; sign-in codes never appear in an API answer nor in the stack's logs; the
// sessions table holds no cookie value.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { api, assertProblem, confValue, env, psql } from './lib/client.mjs';
import {
  codeIn, enablePortal, makeClinic, makePatient, nationalPhone, nextMessage, patientSession,
  portalPath, signIn, signInPatient, sinkMark, unique, uniqueEmail, uniquePhone,
} from './lib/fixtures.mjs';
import { mailMessages, smsMessages } from './lib/sinks.mjs';

// Every answer this file receives (headers and body), to search for sign-in codes at the end.
const answers = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const res = await realFetch(...args);
  try {
    const text = await res.clone().text();
    answers.push(`${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`);
  } catch {
    // A body that cannot be read twice is not an API answer we need.
  }
  return res;
};

// Every sign-in code read from the sinks.
const codes = [];

// How far each log of the stack had got when this file began: only what it writes while we
// run can hold our codes.
const logStart = new Map();
function markLogs() {
  const dir = env().logDir;
  for (const name of readdirSync(dir)) {
    try {
      logStart.set(name, statSync(join(dir, name)).size);
    } catch {
      // gone meanwhile
    }
  }
}
function newLogText(name) {
  const path = join(env().logDir, name);
  const size = statSync(path).size;
  let from = logStart.get(name) ?? 0;
  if (from > size) from = 0; // rotated or truncated: read it all
  const buf = Buffer.alloc(size - from);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  return buf.toString('latin1');
}

// A code as a token of its own: not inside a longer run of letters or digits, nor the
// fraction of a timestamp.
const codeToken = (code) => new RegExp(`(?<![0-9A-Za-z.])${code}(?![0-9A-Za-z])`);

const sorted = (a) => [...a].sort();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const LIFETIME = Number(confValue('otp_lifetime') ?? 600);
const BASE_PERMISSIONS = ['view_profile', 'view_appointments', 'view_invoices'];

let clinic;
let owner;
let staff;

const start = (code, contact, headers = {}) => api('POST', portalPath(code, 'login/start'), { body: { contact }, headers });
const verify = (code, challengeId, otp, headers = {}) =>
  api('POST', portalPath(code, 'login/verify'), { body: { challenge_id: challengeId, code: otp }, headers });
const me = (code, cookie) => api('GET', portalPath(code, 'me'), { headers: cookie ? { cookie } : {} });

// Starts a sign-in for contact and reads the code that arrives for recipient.
async function startAndRead(code, contact, recipient = contact) {
  const mark = sinkMark();
  const res = await start(code, contact);
  assert.equal(res.status, 202, `login/start ${contact}: ${res.text}`);
  const msg = await nextMessage(recipient, mark);
  const otp = codeIn(msg.text);
  assert.ok(otp, `no 6-digit code in "${msg.text}"`);
  codes.push(otp);
  return { challengeId: res.body.challenge_id, otp, msg, res };
}

// Signs a patient in through the sinks (fixtures' helper), remembering the code.
async function patientIn(code, contact, opts) {
  const s = await signInPatient(code, contact, opts);
  codes.push(s.otp);
  return s;
}

// A six-digit code other than otp.
const wrongCode = (otp, k = 1) => String((Number(otp) + k) % 1_000_000).padStart(6, '0');

// The attributes of a Set-Cookie value: {name, value, attrs: {lower-case name: value|true}}.
function parseSetCookie(header) {
  const [pair, ...rest] = header.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attrs = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    if (i < 0) attrs[a.toLowerCase()] = true;
    else attrs[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

before(async () => {
  markLogs();
  clinic = makeClinic();
  [owner, staff] = await Promise.all([signIn(clinic.logins.owner), signIn(clinic.logins.staff)]);
  await enablePortal(owner, clinic, { permissions: BASE_PERMISSIONS });
});

describe('sign-in through the sinks', () => {
  test('by SMS: 202 challenge, the code from the message, verify → patient, permissions, csrf and the cookie; me; logout', async () => {
    const phone = uniquePhone();
    const p = await makePatient(staff, { first_name: 'Ayşe', last_name: 'Kaya', phone, language: 'tr' });
    const mark = sinkMark();
    const started = await start(clinic.code, phone);
    assert.equal(started.status, 202, started.text);
    assert.deepEqual(Object.keys(started.body).sort(), ['challenge_id', 'channel', 'expires_in']);
    assert.equal(started.body.channel, 'sms');
    assert.equal(started.body.expires_in, LIFETIME);
    assert.equal(started.headers.get('set-cookie'), null, 'start sets no cookie');
    const msg = await nextMessage(phone, mark);
    const otp = codeIn(msg.text);
    assert.ok(otp, `no code in the SMS "${msg.text}"`);
    codes.push(otp);

    const res = await verify(clinic.code, started.body.challenge_id, otp);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.patient, { id: p.id, first_name: 'Ayşe', last_name: 'Kaya', language: 'tr' });
    assert.deepEqual(sorted(res.body.permissions), sorted(BASE_PERMISSIONS));
    assert.equal(typeof res.body.csrf_token, 'string');
    assert.ok(res.body.csrf_token.length >= 16, 'csrf token too short');
    const cookie = parseSetCookie(res.headers.get('set-cookie') ?? '');
    assert.equal(cookie.name, 'portal_patient');
    assert.ok(cookie.value.length >= 32, `cookie value too short: ${cookie.value}`);
    assert.equal(cookie.attrs.path, `/api/v1/portal/${clinic.code}/`);
    assert.equal(cookie.attrs.httponly, true, 'HttpOnly');
    assert.equal(String(cookie.attrs.samesite).toLowerCase(), 'strict', 'SameSite=Strict');
    const s = patientSession(clinic.code, res);

    const who = await s.request('GET', 'me');
    assert.equal(who.status, 200, who.text);
    assert.deepEqual(who.body.patient, res.body.patient);
    assert.deepEqual(sorted(who.body.permissions), sorted(BASE_PERMISSIONS));
    assert.equal(who.body.csrf_token, res.body.csrf_token, 'me answers the session csrf token');
    assert.equal(who.body.clinic.name, clinic.name);
    assert.equal(who.body.clinic.code, clinic.code);
    assert.ok(who.body.clinic.languages.includes(who.body.clinic.default_language));

    // The challenge is spent: the same code again is 410.
    assertProblem(await verify(clinic.code, started.body.challenge_id, otp), 410, 'challenge_expired', 'the code again');

    // Logout needs the CSRF token.
    assertProblem(await s.request('POST', 'logout', { headers: { 'x-csrf-token': 'not-the-token' } }), 403, 'csrf_failed',
      'logout with a wrong token');
    assertProblem(await api('POST', portalPath(clinic.code, 'logout'), { headers: { cookie: s.cookie } }), 403, 'csrf_failed',
      'logout without a token');
    assert.equal((await s.request('GET', 'me')).status, 200, 'a refused logout leaves the session');
    const out = await s.request('POST', 'logout');
    assert.equal(out.status, 204, out.text);
    const cleared = parseSetCookie(out.headers.get('set-cookie') ?? '');
    assert.equal(cleared.name, 'portal_patient', 'logout clears the cookie');
    assert.ok(cleared.value === '' || cleared.attrs['max-age'] === '0', `cookie not cleared: ${out.headers.get('set-cookie')}`);
    assertProblem(await s.request('GET', 'me'), 401, 'not_authenticated', 'me after logout');
  });

  test('by email, the address typed in capitals: the code comes by mail and signs the patient in', async () => {
    const email = uniqueEmail('mail');
    const p = await makePatient(staff, { first_name: 'John', last_name: 'Smith', email, language: 'en' });
    const { challengeId, otp, msg, res } = await startAndRead(clinic.code, email.toUpperCase(), email);
    assert.equal(res.body.channel, 'email');
    assert.ok(msg.subject.length > 0, 'the mail has a subject');
    const ok = await verify(clinic.code, challengeId, otp);
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.patient, { id: p.id, first_name: 'John', last_name: 'Smith', language: 'en' });
    const s = patientSession(clinic.code, ok);
    assert.equal((await s.request('GET', 'me')).body.patient.id, p.id);
  });

  test('a phone typed in another usual form ("0532 111 22 33" for "+905321112233") signs in', async () => {
    const phone = uniquePhone();
    const p = await makePatient(staff, { phone });
    for (const typed of [nationalPhone(phone), `+90 ${phone.slice(3, 6)} ${phone.slice(6, 9)} ${phone.slice(9)}`]) {
      const s = await patientIn(clinic.code, typed, { recipient: phone });
      assert.equal(s.body.patient.id, p.id, typed);
      assert.equal((await s.request('GET', 'me')).body.patient.id, p.id, typed);
    }
  });
});

describe('a phone shared by several patients', () => {
  test('verify answers choose (access-off patients left out); select signs the chosen one in; the token works once', async () => {
    const phone = uniquePhone();
    const ali = await makePatient(staff, { first_name: 'Ali', last_name: 'Yılmaz', phone });
    const veli = await makePatient(staff, { first_name: 'Veli', last_name: 'Yılmaz', phone });
    const off = await makePatient(staff, { first_name: 'Kapalı', last_name: 'Yılmaz', phone, portal_access: false });
    const { challengeId, otp } = await startAndRead(clinic.code, nationalPhone(phone), phone);
    const res = await verify(clinic.code, challengeId, otp);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('set-cookie'), null, 'no session before the choice');
    assert.deepEqual(Object.keys(res.body).sort(), ['choose', 'selection_token']);
    const ids = sorted(res.body.choose.map((c) => c.patient_id));
    assert.deepEqual(ids, sorted([ali.id, veli.id]), 'exactly the two patients with access on');
    assert.ok(!ids.includes(off.id), 'a patient with access off is offered');
    const byId = Object.fromEntries(res.body.choose.map((c) => [c.patient_id, c.display_name]));
    assert.match(byId[ali.id], /Ali/);
    assert.match(byId[veli.id], /Veli/);
    assert.ok(!res.text.includes('Kapalı'), 'the access-off patient is named');
    const token = res.body.selection_token;
    const select = (patientId, selectionToken = token) =>
      api('POST', portalPath(clinic.code, 'login/select'), { body: { selection_token: selectionToken, patient_id: patientId } });

    // Not one of the choices: 422, and the token stays good.
    assertProblem(await select(off.id), 422, 'validation_failed', 'the access-off patient');
    assertProblem(await select(randomUUID()), 422, 'validation_failed', 'an unknown patient');
    assertProblem(await select(veli.id, randomBytes(32).toString('base64url')), 410, 'challenge_expired', 'a made-up token');

    const chosen = await select(veli.id);
    assert.equal(chosen.status, 200, chosen.text);
    assert.equal(chosen.body.patient.id, veli.id);
    assert.equal(chosen.body.patient.first_name, 'Veli');
    const s = patientSession(clinic.code, chosen);
    assert.equal((await s.request('GET', 'me')).body.patient.id, veli.id);
    assertProblem(await select(veli.id), 410, 'challenge_expired', 'the token a second time');
    assertProblem(await select(ali.id), 410, 'challenge_expired', 'the token for the other patient');
    assertProblem(await verify(clinic.code, challengeId, otp), 410, 'challenge_expired', 'verify after the choice');
  });
});

describe('wrong and old codes', () => {
  test('five wrong codes end the challenge: attempts_left 4, 3, 2, 1, 0, then even the right code is 410', async () => {
    const phone = uniquePhone();
    await makePatient(staff, { phone });
    const { challengeId, otp } = await startAndRead(clinic.code, phone);
    for (let i = 1; i <= 5; i++) {
      const res = await verify(clinic.code, challengeId, wrongCode(otp, i));
      assertProblem(res, 400, 'invalid_code', `wrong code ${i}`);
      assert.equal(res.body.attempts_left, 5 - i, `attempts_left after wrong code ${i}`);
      assert.equal(res.headers.get('set-cookie'), null);
    }
    const late = await verify(clinic.code, challengeId, otp);
    assertProblem(late, 410, 'challenge_expired', 'the right code after five wrong ones');
    assert.equal(late.headers.get('set-cookie'), null);
  });

  test('50 wrong guesses at once still get 5 tries in all; the right code after them is 410', async () => {
    const phone = uniquePhone();
    await makePatient(staff, { phone });
    const { challengeId, otp } = await startAndRead(clinic.code, phone);
    const guesses = Array.from({ length: 50 }, (_, i) => wrongCode(otp, i + 1));
    const answered = await Promise.all(guesses.map((g) => verify(clinic.code, challengeId, g, {})));
    const statuses = answered.map((r) => `${r.status} ${r.body?.code}`);
    const invalid = statuses.filter((s) => s === '400 invalid_code').length;
    const expired = statuses.filter((s) => s === '410 challenge_expired').length;
    assert.equal(invalid, 5, `invalid_code answers: ${invalid} (${[...new Set(statuses)].join(', ')})`);
    assert.equal(expired, 45, `challenge_expired answers: ${expired}`);
    assert.deepEqual(sorted(answered.filter((r) => r.status === 400).map((r) => r.body.attempts_left)), [0, 1, 2, 3, 4]);
    assertProblem(await verify(clinic.code, challengeId, otp), 410, 'challenge_expired', 'the right code afterwards');
  });

  test('an expired code fails with 410 challenge_expired', async () => {
    const phone = uniquePhone();
    await makePatient(staff, { phone });
    const { challengeId, otp } = await startAndRead(clinic.code, phone);
    psql(`UPDATE patient_login_challenges SET expires_at = now() - interval '1 second' WHERE id = '${challengeId}'`);
    assertProblem(await verify(clinic.code, challengeId, otp), 410, 'challenge_expired', 'expired');
  });

  test('an unknown challenge id is 410; a code that is not 6 digits is 422', async () => {
    assertProblem(await verify(clinic.code, randomUUID(), '123456'), 410, 'challenge_expired', 'unknown challenge');
    const phone = uniquePhone();
    await makePatient(staff, { phone });
    const { challengeId, otp } = await startAndRead(clinic.code, phone);
    for (const bad of ['12345', '1234567', 'abcdef', '']) {
      assertProblem(await verify(clinic.code, challengeId, bad), 422, 'validation_failed', `code "${bad}"`);
    }
    // None of those spent a try: the right code still works.
    assert.equal((await verify(clinic.code, challengeId, otp)).status, 200);
  });
});

describe('nobody can probe who is a patient', () => {
  test('a known and an unknown contact get the same answer; only the known one gets a message', async () => {
    const known = [];
    for (let i = 0; i < 4; i++) {
      const phone = uniquePhone();
      await makePatient(staff, { phone });
      known.push(phone);
    }
    const knownEmail = uniqueEmail('known');
    await makePatient(staff, { email: knownEmail });
    const unknown = Array.from({ length: 4 }, () => uniquePhone());
    const unknownEmail = uniqueEmail('nobody');

    const shape = (res) => ({
      status: res.status,
      type: res.headers.get('content-type'),
      keys: Object.keys(res.body).sort(),
      channel: res.body.channel,
      expires_in: res.body.expires_in,
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(res.body.challenge_id),
      cookie: res.headers.get('set-cookie'),
    });
    const mark = sinkMark();
    const times = { known: [], unknown: [] };
    const challenges = { known: [], unknown: [] };
    // Unknown first in each pair: when the known one's message has arrived, an unknown one's
    // would have too.
    for (let i = 0; i < 4; i++) {
      for (const [kind, contact] of [['unknown', unknown[i]], ['known', known[i]]]) {
        const t0 = process.hrtime.bigint();
        const res = await start(clinic.code, contact);
        times[kind].push(Number(process.hrtime.bigint() - t0) / 1e6);
        assert.equal(res.status, 202, `${kind} ${contact}: ${res.text}`);
        challenges[kind].push(res);
      }
    }
    const unknownMail = await start(clinic.code, unknownEmail);
    const knownMail = await start(clinic.code, knownEmail);
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(shape(challenges.unknown[i]), shape(challenges.known[i]), `pair ${i}`);
    }
    assert.deepEqual(shape(unknownMail), shape(knownMail), 'email');
    assert.equal(knownMail.body.channel, 'email');

    // Timing, loosely: the unknown contact is not answered markedly faster or slower.
    const [mk, mu] = [median(times.known), median(times.unknown)];
    assert.ok(Math.abs(mk - mu) <= Math.max(50, 2 * Math.min(mk, mu)),
      `median start time known ${mk.toFixed(1)} ms vs unknown ${mu.toFixed(1)} ms`);

    // The known ones get their messages; the unknown ones none.
    const knownCodes = [];
    for (const phone of known) knownCodes.push(codeIn((await nextMessage(phone, mark)).text));
    knownCodes.push(codeIn((await nextMessage(knownEmail, mark)).text));
    codes.push(...knownCodes);
    for (const phone of unknown) {
      assert.ok(!smsMessages().some((m) => m.to === phone), `an SMS went to the unknown ${phone}`);
    }
    assert.ok(!mailMessages().some((m) => m.to.some((t) => t.toLowerCase() === unknownEmail)), 'a mail went to the unknown address');
    const queued = psql(`SELECT count(*) FROM outbox WHERE recipient IN (${[...unknown, unknownEmail].map((c) => `'${c}'`).join(', ')})`);
    assert.equal(Number(queued), 0, 'the outbox holds a message for an unknown contact');

    // A guess at an unknown contact's challenge answers like a wrong guess at a known one.
    const u = await verify(clinic.code, challenges.unknown[0].body.challenge_id, '000000');
    const k = await verify(clinic.code, challenges.known[0].body.challenge_id, wrongCode(knownCodes[0]));
    assertProblem(u, 400, 'invalid_code', 'unknown contact');
    assertProblem(k, 400, 'invalid_code', 'known contact');
    assert.equal(u.body.attempts_left, k.body.attempts_left);
    assert.deepEqual(Object.keys(u.body).sort(), Object.keys(k.body).sort());
  });

  test('a malformed contact is 422 validation_failed naming contact', async () => {
    for (const contact of ['hello', '12', '0532 111', 'a@b', 'x@y@z.test', '@patient.test', '', '+90 532 111 22 33 44 55 66']) {
      const res = await start(clinic.code, contact);
      assertProblem(res, 422, 'validation_failed', `contact "${contact}"`);
      assert.deepEqual(res.body.errors.map((e) => e.field), ['contact'], `contact "${contact}": ${res.text}`);
    }
    for (const body of [{}, { contact: 905321112233 }, { contact: null }, { contact: ['a@b.test'] }]) {
      assertProblem(await api('POST', portalPath(clinic.code, 'login/start'), { body }), 422, 'validation_failed',
        JSON.stringify(body));
    }
  });

  test('a landline gets no code: 422 not_mobile naming contact, alike for a patient\'s and a stranger\'s', async () => {
    const landline = `+90212${[...randomBytes(7)].map((b) => String(b % 10)).join('')}`;
    const p = await makePatient(staff, { phone: landline, email: uniqueEmail() });
    assert.equal(p.phone_sms_capable, false);
    const stranger = `+90216${[...randomBytes(7)].map((b) => String(b % 10)).join('')}`;
    const bodies = [];
    for (const contact of [landline, nationalPhone(landline), stranger]) {
      const res = await start(clinic.code, contact);
      assertProblem(res, 422, 'not_mobile', contact);
      assert.deepEqual(res.body.errors.map((e) => e.field), ['contact'], res.text);
      assert.match(res.body.errors[0].message, /cannot receive text messages/);
      bodies.push(JSON.stringify(res.body));
    }
    assert.equal(new Set(bodies).size, 1, `one answer whoever has the number: ${bodies.join('\n')}`);
    assert.equal(Number(psql(`SELECT count(*) FROM outbox WHERE recipient IN ('${landline}', '${stranger}')`)), 0);
    assert.equal(Number(psql(`SELECT count(*) FROM patient_login_challenges WHERE contact = '${landline}'`)), 0);
    // The patient signs in by email instead.
    const s = await patientIn(clinic.code, p.email);
    assert.equal(s.body.patient.id, p.id);
  });

  test('start on a closed or unknown portal is 404 portal_not_found', async () => {
    const closed = makeClinic();
    assertProblem(await start(closed.code, uniquePhone()), 404, 'portal_not_found', 'portal never enabled');
    assertProblem(await start(`nobody-${unique()}`, uniquePhone()), 404, 'portal_not_found', 'unknown code');
    const noModule = makeClinic({ module: false });
    assertProblem(await start(noModule.code, uniquePhone()), 404, 'portal_not_found', 'no module');
    assertProblem(await verify(closed.code, randomUUID(), '123456'), 404, 'portal_not_found', 'verify on a closed portal');
  });
});

describe('sessions', () => {
  test('a cookie planted before sign-in is worthless, and sign-in sets a fresh one', async () => {
    const planted = `portal_patient=${randomBytes(32).toString('base64url')}`;
    assertProblem(await me(clinic.code, planted), 401, 'not_authenticated', 'a made-up cookie');
    assertProblem(await me(clinic.code, 'portal_patient=x'), 401, 'not_authenticated', 'a short cookie');
    assertProblem(await me(clinic.code), 401, 'not_authenticated', 'no cookie');
    const phone = uniquePhone();
    const p = await makePatient(staff, { phone });
    const s = await patientIn(clinic.code, phone, { headers: { cookie: planted } });
    assert.notEqual(s.cookie, planted, 'sign-in kept the planted cookie value');
    assertProblem(await me(clinic.code, planted), 401, 'not_authenticated', 'the planted cookie after sign-in');
    assert.equal((await me(clinic.code, s.cookie)).body.patient.id, p.id);
  });

  test("a session is bound to its clinic's code", async () => {
    const other = makeClinic();
    const otherOwner = await signIn(other.logins.owner);
    await enablePortal(otherOwner, other);
    const phone = uniquePhone();
    await makePatient(staff, { phone });
    await makePatient(otherOwner, { phone });
    const s = await patientIn(clinic.code, phone);
    assert.equal((await me(clinic.code, s.cookie)).status, 200);
    assertProblem(await me(other.code, s.cookie), 401, 'not_authenticated', "A's cookie on B's code");
    assertProblem(await api('POST', portalPath(other.code, 'logout'), { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } }),
      401, 'not_authenticated', "A's cookie logging out at B");
    assert.equal((await me(clinic.code, s.cookie)).status, 200, 'still signed in at A');
    // A challenge of A cannot be verified at B.
    const { challengeId, otp } = await startAndRead(clinic.code, phone);
    assertProblem(await verify(other.code, challengeId, otp), 410, 'challenge_expired', "A's challenge at B");
  });

  test("turning the patient's portal access off ends the session", async () => {
    const phone = uniquePhone();
    const p = await makePatient(staff, { phone });
    const s = await patientIn(clinic.code, phone);
    assert.equal((await s.request('GET', 'me')).status, 200);
    const off = await staff.request('PATCH', `/api/v1/clinic/patients/${p.id}`, { body: { portal_access: false } });
    assert.equal(off.status, 200, off.text);
    assertProblem(await s.request('GET', 'me'), 401, 'not_authenticated', 'after access off');
    // Switching access back on does not bring the old session back.
    await staff.request('PATCH', `/api/v1/clinic/patients/${p.id}`, { body: { portal_access: true } });
    assertProblem(await s.request('GET', 'me'), 401, 'not_authenticated', 'after access on again');
  });

  test('removing the last contact ends the session', async () => {
    const phone = uniquePhone();
    const p = await makePatient(staff, { phone });
    const s = await patientIn(clinic.code, phone);
    assert.equal((await s.request('GET', 'me')).status, 200);
    const res = await staff.request('PATCH', `/api/v1/clinic/patients/${p.id}`, { body: { phone: null } });
    assert.equal(res.status, 200, res.text);
    assertProblem(await s.request('GET', 'me'), 401, 'not_authenticated', 'after the last contact went');
  });

  test('the sessions table holds only a hash of the cookie', async () => {
    const phone = uniquePhone();
    const p = await makePatient(staff, { phone });
    const s = await patientIn(clinic.code, phone);
    const token = s.cookie.split('=')[1];
    const rows = psql(`SELECT row_to_json(x)::text FROM patient_sessions x WHERE patient_id = '${p.id}'`);
    assert.ok(rows.length > 0, 'no session row for the patient');
    for (const form of [token, Buffer.from(token).toString('hex'), Buffer.from(token).toString('base64')]) {
      assert.ok(!rows.includes(form), `patient_sessions holds the cookie value (${form.slice(0, 8)}…)`);
    }
  });
});

describe('permissions', () => {
  test('a change of the clinic or patient permissions reaches the next me; me lists exactly the usable keys', async () => {
    const c = makeClinic();
    const cOwner = await signIn(c.logins.owner);
    await enablePortal(cOwner, c, { permissions: ['view_profile', 'view_appointments'] });
    const phone = uniquePhone();
    const p = await makePatient(cOwner, { phone });
    const s = await patientIn(c.code, phone);
    assert.deepEqual(sorted(s.body.permissions), ['view_appointments', 'view_profile']);
    const perms = async () => sorted((await s.request('GET', 'me')).body.permissions);
    const effective = async () =>
      sorted((await cOwner.request('GET', `/api/v1/clinic/patients/${p.id}/portal-permissions`)).body.effective);

    // The clinic's set changes: the patient follows the clinic.
    const clinicSet = ['view_profile', 'update_profile', 'view_balance', 'view_invoices', 'view_forms', 'submit_forms'];
    await enablePortal(cOwner, c, { permissions: clinicSet });
    assert.deepEqual(await perms(), sorted(clinicSet));
    assert.deepEqual(await perms(), await effective());

    // The patient's own set.
    const own = ['view_appointments', 'create_appointment', 'view_messages', 'send_message', 'view_treatments'];
    const put = await cOwner.request('PUT', `/api/v1/clinic/patients/${p.id}/portal-permissions`,
      { body: { mode: 'custom', permissions: own } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await perms(), sorted(own));
    assert.deepEqual(await perms(), await effective());

    // make_payment is effective but not usable while payment infrastructure is inactive.
    const withPay = [...own, 'view_payments', 'make_payment'];
    await cOwner.request('PUT', `/api/v1/clinic/patients/${p.id}/portal-permissions`, { body: { mode: 'custom', permissions: withPay } });
    assert.ok((await effective()).includes('make_payment'));
    assert.deepEqual(await perms(), sorted([...own, 'view_payments']), 'make_payment without payment infrastructure');
    const pay = await cOwner.request('PUT', '/api/v1/clinic/payment-infrastructure', {
      body: { provider: 'devgateway', active: true, credentials: { merchant_id: 'm-1', secret: 'dev-secret-1' } },
    });
    assert.equal(pay.status, 200, pay.text);
    assert.deepEqual(await perms(), sorted(withPay), 'make_payment once payment infrastructure is active');

    // Back to the clinic's set; an empty set leaves nothing.
    await cOwner.request('PUT', `/api/v1/clinic/patients/${p.id}/portal-permissions`, { body: { mode: 'clinic' } });
    assert.deepEqual(await perms(), sorted(clinicSet));
    await cOwner.request('PUT', `/api/v1/clinic/patients/${p.id}/portal-permissions`, { body: { mode: 'custom', permissions: [] } });
    assert.deepEqual(await perms(), []);
    assert.equal((await s.request('GET', 'me')).status, 200, 'no permission is not the end of the session');
  });
});

describe('what a session and a challenge remember', () => {
  test('a session remembers the contact it signed in with; an unknown contact is never stored', async () => {
    const phone = uniquePhone();
    const email = uniqueEmail('remember');
    const p = await makePatient(staff, { phone, email });
    const bySms = await patientIn(clinic.code, nationalPhone(phone), { recipient: phone });
    const byMail = await patientIn(clinic.code, email.toUpperCase(), { recipient: email });
    const rows = psql(`SELECT signin_channel || ' ' || signin_contact FROM patient_sessions
      WHERE patient_id = '${p.id}' ORDER BY created_at`).split('\n');
    assert.deepEqual(rows, [`sms ${phone}`, `email ${email}`]);
    assert.equal(psql(`SELECT contact FROM patient_login_challenges WHERE id = '${bySms.challengeId}'`), phone);
    assert.equal(psql(`SELECT contact FROM patient_login_challenges WHERE id = '${byMail.challengeId}'`), email);
    const stranger = uniquePhone();
    const res = await start(clinic.code, stranger);
    assert.equal(res.status, 202);
    assert.equal(psql(`SELECT coalesce(contact, 'none') FROM patient_login_challenges WHERE id = '${res.body.challenge_id}'`),
      'none');
    assert.ok(!psql(`SELECT row_to_json(c)::text FROM patient_login_challenges c WHERE id = '${res.body.challenge_id}'`)
      .includes(stranger.slice(1)), 'the stranger\'s number is stored');
  });

  test('a shared contact\'s session remembers it too, through the choice', async () => {
    const phone = uniquePhone();
    await makePatient(staff, { first_name: 'Bir', phone });
    const two = await makePatient(staff, { first_name: 'İki', phone });
    const s = await patientIn(clinic.code, phone, { patientId: two.id });
    assert.equal((await s.request('GET', 'me')).body.patient.id, two.id);
    assert.equal(psql(`SELECT signin_channel || ' ' || signin_contact FROM patient_sessions WHERE patient_id = '${two.id}'`),
      `sms ${phone}`);
  });

  test('an unknown field is 422 on every sign-in route (the one rule of the validation module)', async () => {
    assertProblem(await api('POST', portalPath(clinic.code, 'login/start'), { body: { contact: uniquePhone(), remember: true } }),
      422, 'validation_failed', 'start');
    assertProblem(await api('POST', portalPath(clinic.code, 'login/verify'),
      { body: { challenge_id: randomUUID(), code: '123456', extra: 1 } }), 422, 'validation_failed', 'verify');
    assertProblem(await api('POST', portalPath(clinic.code, 'login/select'),
      { body: { selection_token: 'x', patient_id: randomUUID(), extra: 1 } }), 422, 'validation_failed', 'select');
  });
});

describe('secrets', () => {
  test('the sign-in codes read from the sinks appear in no API answer', () => {
    const seen = codes.filter(Boolean);
    assert.ok(seen.length >= 10, `only ${seen.length} codes were read`);
    assert.ok(answers.length >= 100, `only ${answers.length} answers were recorded`);
    // The search finds a code where it is: in the messages that carried them.
    const texts = [...smsMessages(), ...mailMessages()].map((m) => m.text).join('\n');
    for (const code of seen) assert.match(texts, codeToken(code), `code ${code} is not in the sinks' messages`);
    for (const code of seen) {
      const re = codeToken(code);
      const hit = answers.find((a) => re.test(a));
      assert.equal(hit, undefined, `code ${code} appears in an answer: ${hit?.slice(0, 300)}`);
    }
  });

  test("nor in any log of the stack", () => {
    const seen = codes.filter(Boolean);
    const dir = env().logDir;
    const logs = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile());
    assert.ok(logs.length > 0, `no logs in ${dir}`);
    // The logs read are the ones this run wrote to: the API log names our requests.
    const requestId = /^x-request-id: (\S+)$/m.exec(answers[Math.floor(answers.length / 2)])?.[1];
    if (logs.includes('portal-api.log') && requestId) {
      assert.ok(newLogText('portal-api.log').includes(requestId), `request ${requestId} is not in portal-api.log`);
    }
    for (const name of logs) {
      const text = newLogText(name);
      for (const code of seen) {
        const m = codeToken(code).exec(text);
        assert.equal(m, null, `code ${code} in ${name}: …${m ? text.slice(Math.max(0, m.index - 120), m.index + 40) : ''}…`);
      }
    }
  });
});
