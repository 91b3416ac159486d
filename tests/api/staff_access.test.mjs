// How staff get in (issue 11 items 1-3, DESIGN.md section 16): invitations by email (a link
// to set a password, 24 h, single use; the same answer whether the address is known
// elsewhere), password reset (always 202, 1 h, single use, ends every session), and
// two-factor sign-in (TOTP enrolment with recovery codes, the code step at sign-in, a code
// accepted once, wrong codes counted by the sign-in limits, the clinic's require_totp, an
// owner's reset). The link mails are secret: no delivery list shows their text.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { api, assertProblem, confValue, psql } from './lib/client.mjs';
import {
  makeApiKey, makeClinic, nextMessage, sessionFrom, signIn, sinkMark, uniqueEmail, withKey,
} from './lib/fixtures.mjs';
import { currentStep, totp } from './lib/totp.mjs';

const STAFF = '/api/v1/clinic/staff';
const LOGIN = '/api/v1/clinic/auth/login';
const LOGIN_TOTP = '/api/v1/clinic/auth/login/totp';
const RESET = '/api/v1/clinic/auth/password-reset';
const FINISH = '/api/v1/clinic/auth/password-reset/finish';
const TOTP = '/api/v1/clinic/me/totp';
const SECURITY = '/api/v1/clinic/security';
const GOOD = 'Sabah kahvesi, iki şeker 91';
const fieldsOf = (res) => (res.body?.errors ?? []).map((e) => e.field).sort();
const tokenIn = (text) => /#\/set-password\/([A-Za-z0-9_-]{20,})/.exec(text ?? '')?.[1];
const failures = (email) => Number(psql(`SELECT count(*) FROM staff_login_failures WHERE email = '${email}'`));

// Invites email into the owner's clinic and returns {member, mail, token}.
async function invite(owner, email, { role = 'staff', name = 'Deniz Yılmaz' } = {}) {
  const mark = sinkMark();
  const res = await owner.request('POST', STAFF, { body: { email, name, role } });
  assert.equal(res.status, 201, res.text);
  const mail = await nextMessage(email, mark);
  return { member: res.body, mail, token: tokenIn(mail.text) };
}

// A new person invited to a fresh clinic who has set a password: {clinic, owner, login, id}.
async function newMember(role = 'staff') {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const email = uniqueEmail('member');
  const { member, token } = await invite(owner, email, { role });
  const done = await api('POST', FINISH, { body: { token, password: GOOD } });
  assert.equal(done.status, 204, done.text);
  return { clinic, owner, login: { email, password: GOOD }, id: member.id };
}

// Turns TOTP on for a session: {secret, codes, step} (step: the one the confirm code used).
async function enrol(s) {
  const begun = await s.request('POST', TOTP);
  assert.equal(begun.status, 200, begun.text);
  const step = currentStep();
  const done = await s.request('POST', `${TOTP}/confirm`, { body: { code: totp(begun.body.secret, step) } });
  assert.equal(done.status, 200, done.text);
  return { secret: begun.body.secret, uri: begun.body.otpauth_uri, codes: done.body.recovery_codes, step };
}

describe('invitations', () => {
  test('a new person: 201, a mail with a 24 h link (secret: no delivery shows it), a first password, then sign-in; the link works once', async () => {
    const clinic = makeClinic();
    const owner = await signIn(clinic.logins.owner);
    const email = uniqueEmail('new');
    const { member, mail, token } = await invite(owner, email, { name: 'Elif Kaya' });
    assert.deepEqual(Object.keys(member).sort(), ['active', 'created_at', 'email', 'id', 'name', 'role', 'totp_enabled']);
    assert.equal(member.role, 'staff');
    assert.equal(member.active, true);
    assert.ok(token, mail.text);
    assert.ok(mail.text.includes('/console/#/set-password/'), mail.text);
    assert.ok(mail.text.includes(clinic.name) || mail.subject.includes(clinic.name));
    const hours = Number(psql(`SELECT round(extract(epoch FROM t.expires_at - t.created_at) / 3600)
      FROM staff_tokens t JOIN staff_people p ON p.id = t.person_id WHERE p.email = '${email}'`));
    assert.equal(hours, 24);
    // The delivery list shows the mail went out, never its text.
    const list = await owner.request('GET', '/api/v1/clinic/deliveries');
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body.items.some((d) => d.purpose === 'staff_invitation' && d.subject === null && d.body === null), list.text);
    assert.ok(!list.text.includes(token));
    // Not yet: no password, no sign-in.
    assertProblem(await api('POST', LOGIN, { body: { email, password: GOOD } }), 401, 'not_authenticated');
    // A common password is refused and the link stays usable.
    const weak = await api('POST', FINISH, { body: { token, password: 'password1234' } });
    assertProblem(weak, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(weak), ['password']);
    assert.equal((await api('POST', FINISH, { body: { token, password: GOOD } })).status, 204);
    const s = await signIn({ email, password: GOOD });
    assert.equal(s.staff.role, 'staff');
    assertProblem(await api('POST', FINISH, { body: { token, password: `${GOOD}!` } }), 400, 'invalid_token');
    // Audited, with who invited.
    const rows = psql(`SELECT action || ' ' || actor_id FROM audit_log WHERE clinic_id = '${clinic.id}'
      AND target_id = '${member.id}' AND action IN ('staff.invite', 'staff.password_first') ORDER BY id`).split('\n');
    assert.deepEqual(rows, [`staff.invite ${owner.staff.id}`, `staff.password_first ${member.id}`]);
  });

  test('a person known elsewhere: the same answer, a mail that they were added (no link), their password unchanged, then a clinic to pick', async () => {
    const a = makeClinic();
    const b = makeClinic();
    const ownerB = await signIn(b.logins.owner);
    const known = a.logins.staff;
    const mark = sinkMark();
    const res = await ownerB.request('POST', STAFF, { body: { email: known.email, name: 'Known', role: 'staff' } });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['active', 'created_at', 'email', 'id', 'name', 'role', 'totp_enabled']);
    const mail = await nextMessage(known.email, mark);
    assert.equal(tokenIn(mail.text), undefined, mail.text);
    assert.ok(mail.text.includes('/console/'));
    const login = await api('POST', LOGIN, { body: known });
    assert.equal(login.status, 200, login.text);
    assert.deepEqual(login.body.clinics.map((c) => c.id).sort(), [a.id, b.id].sort());
  });

  test('roles: an admin invites staff only, staff invite nobody, an API key gets 403; a member again is 409; a bad body 422', async () => {
    const clinic = makeClinic();
    const [owner, admin, staff] = await Promise.all(['owner', 'admin', 'staff'].map((r) => signIn(clinic.logins[r])));
    for (const role of ['admin', 'owner']) {
      assertProblem(await admin.request('POST', STAFF, { body: { email: uniqueEmail(), name: 'X', role } }), 403, 'forbidden_role');
    }
    assert.equal((await admin.request('POST', STAFF, { body: { email: uniqueEmail(), name: 'X', role: 'staff' } })).status, 201);
    assertProblem(await staff.request('POST', STAFF, { body: { email: uniqueEmail(), name: 'X', role: 'staff' } }), 403, 'forbidden_role');
    const key = withKey(makeApiKey(clinic.id, 'read,write,admin'));
    assertProblem(await key.request('POST', STAFF, { body: { email: uniqueEmail(), name: 'X', role: 'staff' } }), 403, 'forbidden_role');
    assertProblem(await owner.request('POST', STAFF, { body: { email: clinic.logins.admin.email, name: 'X', role: 'staff' } }), 409, 'conflict');
    const bad = await owner.request('POST', STAFF, { body: { email: 'not-an-address', name: '', role: 'boss', extra: 1 } });
    assertProblem(bad, 422, 'validation_failed');
  });

  test('an expired invitation link is 400 invalid_token', async () => {
    const clinic = makeClinic();
    const owner = await signIn(clinic.logins.owner);
    const email = uniqueEmail('late');
    const { token } = await invite(owner, email);
    psql(`UPDATE staff_tokens t SET expires_at = now() - interval '1 second' FROM staff_people p
      WHERE p.id = t.person_id AND p.email = '${email}'`);
    assertProblem(await api('POST', FINISH, { body: { token, password: GOOD } }), 400, 'invalid_token');
    assertProblem(await api('POST', FINISH, { body: { token: randomUUID(), password: GOOD } }), 400, 'invalid_token');
  });
});

describe('password reset', () => {
  test('always 202; a known member gets a one-hour link; finishing ends every session, the old password stops, the link works once', async () => {
    const clinic = makeClinic();
    const login = clinic.logins.admin;
    const s = await signIn(login);
    const mark = sinkMark();
    const unknown = await api('POST', RESET, { body: { email: uniqueEmail('nobody') } });
    assert.equal(unknown.status, 202);
    const res = await api('POST', RESET, { body: { email: login.email } });
    assert.equal(res.status, 202);
    const mail = await nextMessage(login.email, mark);
    const token = tokenIn(mail.text);
    assert.ok(token, mail.text);
    const minutes = Number(psql(`SELECT round(extract(epoch FROM t.expires_at - t.created_at) / 60)
      FROM staff_tokens t JOIN staff_people p ON p.id = t.person_id WHERE p.email = '${login.email}'`));
    assert.equal(minutes, 60);
    assert.equal((await api('POST', FINISH, { body: { token, password: GOOD } })).status, 204);
    assertProblem(await s.request('GET', '/api/v1/clinic/me'), 401, 'not_authenticated');
    assertProblem(await api('POST', LOGIN, { body: login }), 401, 'not_authenticated');
    assert.equal((await api('POST', LOGIN, { body: { email: login.email, password: GOOD } })).status, 200);
    assertProblem(await api('POST', FINISH, { body: { token, password: `${GOOD}?` } }), 400, 'invalid_token');
    const audit = psql(`SELECT count(*) FROM audit_log WHERE clinic_id = '${clinic.id}' AND action = 'staff.password_reset'`);
    assert.equal(audit, '1');
  });

  test('an expired reset link is 400; at most three links an hour reach a person', async () => {
    const clinic = makeClinic();
    const email = clinic.logins.staff.email;
    const mark = sinkMark();
    for (let i = 0; i < 5; i++) assert.equal((await api('POST', RESET, { body: { email } })).status, 202);
    await nextMessage(email, mark);
    assert.equal(psql(`SELECT count(*) FROM staff_tokens t JOIN staff_people p ON p.id = t.person_id
      WHERE p.email = '${email}' AND t.purpose = 'password_reset'`), '3');
    const mail = await nextMessage(email, mark);
    psql(`UPDATE staff_tokens t SET expires_at = now() - interval '1 second' FROM staff_people p
      WHERE p.id = t.person_id AND p.email = '${email}'`);
    assertProblem(await api('POST', FINISH, { body: { token: tokenIn(mail.text), password: GOOD } }), 400, 'invalid_token');
  });
});

describe('two-factor sign-in', () => {
  test('enrolment: a secret and an otpauth URI, a wrong first code is 422 and counted, the right one gives ten recovery codes', async () => {
    const m = await newMember();
    const s = await signIn(m.login);
    const begun = await s.request('POST', TOTP);
    assert.equal(begun.status, 200, begun.text);
    assert.match(begun.body.secret, /^[A-Z2-7]{32}$/);
    assert.ok(begun.body.otpauth_uri.startsWith('otpauth://totp/Patient%20Portal:'), begun.body.otpauth_uri);
    assert.ok(begun.body.otpauth_uri.includes(`secret=${begun.body.secret}`));
    assert.ok(begun.body.otpauth_uri.includes(encodeURIComponent(m.login.email)));
    const before = failures(m.login.email);
    const right = totp(begun.body.secret);
    const wrong = right === '000000' ? '111111' : '000000';
    const bad = await s.request('POST', `${TOTP}/confirm`, { body: { code: wrong } });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(bad), ['code']);
    assert.equal(failures(m.login.email), before + 1);
    const done = await s.request('POST', `${TOTP}/confirm`, { body: { code: right } });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.recovery_codes.length, 10);
    assert.equal(new Set(done.body.recovery_codes).size, 10);
    assert.ok(done.body.recovery_codes.every((c) => /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/.test(c)));
    const state = await s.request('GET', TOTP);
    assert.deepEqual(state.body, { enabled: true, recovery_codes_left: 10 });
    assertProblem(await s.request('POST', TOTP), 409, 'conflict');
    const list = await m.owner.request('GET', STAFF);
    assert.equal(list.body.items.find((x) => x.id === m.id).totp_enabled, true);
    assert.ok(!list.text.includes(begun.body.secret));
  });

  test('sign-in becomes password then code: no cookie before the code; a code works once; a recovery code works once', async () => {
    const m = await newMember();
    const t = await enrol(await signIn(m.login));
    const first = await api('POST', LOGIN, { body: m.login });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(Object.keys(first.body).sort(), ['login_token', 'totp_required']);
    assert.equal(first.headers.get('set-cookie'), null);
    // The confirm code's step is spent: the same code again is refused.
    assertProblem(await api('POST', LOGIN_TOTP, { body: { login_token: first.body.login_token, code: totp(t.secret, t.step) } }),
      401, 'not_authenticated');
    const ok = await api('POST', LOGIN_TOTP, { body: { login_token: first.body.login_token, code: totp(t.secret, t.step + 1) } });
    const s = sessionFrom(ok);
    assert.equal((await s.request('GET', '/api/v1/clinic/me')).status, 200);
    // The login token is spent with it.
    assertProblem(await api('POST', LOGIN_TOTP, { body: { login_token: first.body.login_token, code: totp(t.secret) } }),
      400, 'invalid_token');
    // A recovery code, typed loosely, once.
    const second = await api('POST', LOGIN, { body: m.login });
    const loose = t.codes[0].toLowerCase().replaceAll('-', ' ');
    sessionFrom(await api('POST', LOGIN_TOTP, { body: { login_token: second.body.login_token, recovery_code: loose } }));
    const third = await api('POST', LOGIN, { body: m.login });
    assertProblem(await api('POST', LOGIN_TOTP, { body: { login_token: third.body.login_token, recovery_code: t.codes[0] } }),
      401, 'not_authenticated');
    assert.equal((await s.request('GET', TOTP)).body.recovery_codes_left, 9);
    // Both or neither of code and recovery_code: 422; an unknown token: 400.
    assertProblem(await api('POST', LOGIN_TOTP, { body: { login_token: third.body.login_token } }), 422, 'validation_failed');
    assertProblem(await api('POST', LOGIN_TOTP, { body: { login_token: 'nope', code: '123456' } }), 400, 'invalid_token');
  });

  test('wrong codes count toward the sign-in limits: past them even the right code is 429', async () => {
    const m = await newMember();
    const t = await enrol(await signIn(m.login));
    const first = await api('POST', LOGIN, { body: m.login });
    const before = failures(m.login.email);
    const wrong = totp(t.secret, t.step + 1) === '000000' ? '111111' : '000000';
    assertProblem(await api('POST', LOGIN_TOTP, { body: { login_token: first.body.login_token, code: wrong } }), 401, 'not_authenticated');
    assert.equal(failures(m.login.email), before + 1);
    const limit = Number(confValue('staff_login_max_failures_per_account') ?? 100);
    psql(`INSERT INTO staff_login_failures (email, client_key)
      SELECT '${m.login.email}', '192.0.2.7' FROM generate_series(1, ${limit})`);
    const limited = await api('POST', LOGIN_TOTP, { body: { login_token: first.body.login_token, code: totp(t.secret, t.step + 1) } });
    assertProblem(limited, 429, 'rate_limited');
  });

  test('turning it off needs a current code (wrong: 422), then sign-in is one step again', async () => {
    const m = await newMember();
    const s = await signIn(m.login);
    const t = await enrol(s);
    assertProblem(await s.request('DELETE', TOTP, { body: { code: totp(t.secret, t.step) } }), 422, 'validation_failed');
    assert.equal((await s.request('DELETE', TOTP, { body: { code: totp(t.secret, t.step + 1) } })).status, 204);
    assert.deepEqual((await s.request('GET', TOTP)).body, { enabled: false, recovery_codes_left: 0 });
    const login = await api('POST', LOGIN, { body: m.login });
    assert.ok(login.body.csrf_token, login.text);
    assertProblem(await s.request('DELETE', TOTP, { body: { code: '123456' } }), 409, 'conflict');
  });

  test('require_totp: owner only; a member without it may only enrol, then goes on; it cannot be turned off while required', async () => {
    const m = await newMember();
    const admin = await signIn(m.clinic.logins.admin);
    assertProblem(await admin.request('PUT', SECURITY, { body: { require_totp: true } }), 403, 'forbidden_role');
    const on = await m.owner.request('PUT', SECURITY, { body: { require_totp: true } });
    assert.deepEqual(on.body, { require_totp: true });
    assert.deepEqual((await admin.request('GET', SECURITY)).body, { require_totp: true });
    const login = await api('POST', LOGIN, { body: m.login });
    assert.equal(login.body.totp_enrolment_required, true, login.text);
    const s = sessionFrom(login);
    assertProblem(await s.request('GET', '/api/v1/clinic/patients'), 403, 'totp_enrolment_required');
    const me = await s.request('GET', '/api/v1/clinic/me');
    assert.equal(me.body.totp_enrolment_required, true);
    const t = await enrol(s);
    assert.equal((await s.request('GET', '/api/v1/clinic/patients')).status, 200);
    assert.equal((await s.request('GET', '/api/v1/clinic/me')).body.totp_enrolment_required, false);
    assertProblem(await s.request('DELETE', TOTP, { body: { code: totp(t.secret, t.step + 1) } }), 409, 'conflict');
  });

  test('an owner resets a member\'s two-factor: their sessions end, they sign in with the password alone; not oneself, not admins, not another clinic\'s', async () => {
    const m = await newMember();
    const s = await signIn(m.login);
    await enrol(s);
    const admin = await signIn(m.clinic.logins.admin);
    assertProblem(await admin.request('DELETE', `${STAFF}/${m.id}/totp`), 403, 'forbidden_role');
    assertProblem(await m.owner.request('DELETE', `${STAFF}/${m.owner.staff.id}/totp`), 403, 'forbidden_role');
    const other = makeClinic();
    const otherOwner = await signIn(other.logins.owner);
    assertProblem(await otherOwner.request('DELETE', `${STAFF}/${m.id}/totp`), 404, 'not_found');
    assert.equal((await m.owner.request('DELETE', `${STAFF}/${m.id}/totp`)).status, 204);
    assertProblem(await s.request('GET', '/api/v1/clinic/me'), 401, 'not_authenticated');
    assert.ok((await api('POST', LOGIN, { body: m.login })).body.csrf_token);
    assertProblem(await m.owner.request('DELETE', `${STAFF}/${m.id}/totp`), 409, 'conflict');
    const audit = psql(`SELECT actor_id FROM audit_log WHERE clinic_id = '${m.clinic.id}' AND action = 'staff.totp_reset'`);
    assert.equal(audit, m.owner.staff.id);
  });
});
