// One person, several clinics (issue 11 item 1, DESIGN.md section 16): a staff member is a
// person known by one email across the service, with one password, and a membership (name,
// role, active) in each clinic. Signing in with memberships in two clinics answers the
// clinics and a selection token instead of a session; POST auth/select picks one (single
// use, the token kept when the pick is not a clinic of theirs); a membership that is not
// active is not offered; the application's database role cannot read a password hash.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { api, assertProblem, psql, psqlTry } from './lib/client.mjs';
import { makeClinic, portalctl, signIn, unique, uniqueEmail } from './lib/fixtures.mjs';

const LOGIN = '/api/v1/clinic/auth/login';
const SELECT = '/api/v1/clinic/auth/select';
const cookieOf = (res) => /portal_staff=[^;]*/.exec(res.headers.get('set-cookie') ?? '')?.[0];

let A;
let B;
let person;

before(() => {
  A = makeClinic();
  B = makeClinic();
  const email = uniqueEmail('dentist');
  const password = portalctl('create-staff', '--clinic', A.id, '--email', email, '--role', 'admin',
    '--name', 'Dr. Ada (A)');
  // The same person joins B: no new password, their own one works there too.
  const again = portalctl('create-staff', '--clinic', B.id, '--email', email.toUpperCase(), '--role', 'staff',
    '--name', 'Dr. Ada (B)');
  assert.equal(again, '', 'a known person gets no new password');
  person = { email, password };
});

describe('signing in with memberships in two clinics', () => {
  test('the answer lists both clinics and a selection token, and sets no cookie', async () => {
    const res = await api('POST', LOGIN, { body: person });
    assert.equal(res.status, 200, res.text);
    assert.equal(cookieOf(res), undefined);
    assert.deepEqual(res.body.clinics.map((c) => c.id).sort(), [A.id, B.id].sort());
    assert.deepEqual(res.body.clinics.map((c) => c.name), [A.name, B.name].sort());
    assert.match(res.body.selection_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(res.body.staff, undefined);
  });

  test('picking a clinic signs in there with that membership\'s name and role; the token is then spent', async () => {
    const { body } = await api('POST', LOGIN, { body: person });
    const res = await api('POST', SELECT, { body: { selection_token: body.selection_token, clinic_id: B.id } });
    assert.equal(res.status, 200, res.text);
    assert.ok(cookieOf(res));
    assert.deepEqual(res.body.clinic, { id: B.id, name: B.name });
    assert.equal(res.body.staff.role, 'staff');
    assert.equal(res.body.staff.name, 'Dr. Ada (B)');
    const me = await api('GET', '/api/v1/clinic/me', { headers: { cookie: cookieOf(res) } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.clinic.id, B.id);
    assert.equal(me.body.staff.role, 'staff');
    // B's staff role may not do an admin's work at B, though the person is A's admin.
    const settings = await api('PUT', '/api/v1/clinic/portal/settings', {
      headers: { cookie: cookieOf(res), 'x-csrf-token': res.body.csrf_token }, body: {},
    });
    assertProblem(settings, 403, 'forbidden_role');
    assertProblem(await api('POST', SELECT, { body: { selection_token: body.selection_token, clinic_id: A.id } }),
      400, 'invalid_token');
  });

  test('a clinic that is not theirs is 422 naming clinic_id, and the token still works', async () => {
    const other = makeClinic();
    const { body } = await api('POST', LOGIN, { body: person });
    const res = await api('POST', SELECT, { body: { selection_token: body.selection_token, clinic_id: other.id } });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(res.body.errors.map((e) => e.field), ['clinic_id']);
    const ok = await api('POST', SELECT, { body: { selection_token: body.selection_token, clinic_id: A.id } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.staff.role, 'admin');
  });

  test('an unknown or malformed token is 400 invalid_token or 422; a bad body is 422', async () => {
    assertProblem(await api('POST', SELECT, { body: { selection_token: 'x'.repeat(43), clinic_id: A.id } }),
      400, 'invalid_token');
    const bad = await api('POST', SELECT, { body: { selection_token: '', clinic_id: 'nope', extra: 1 } });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['clinic_id', 'extra', 'selection_token']);
  });

  test('an expired selection token is 400 invalid_token', async () => {
    const { body } = await api('POST', LOGIN, { body: person });
    psql(`UPDATE staff_login_selections SET expires_at = now() - interval '1 second'
      WHERE person_id = (SELECT id FROM staff_people WHERE email = '${person.email}')`);
    assertProblem(await api('POST', SELECT, { body: { selection_token: body.selection_token, clinic_id: A.id } }),
      400, 'invalid_token');
  });

  test('a wrong password is 401 whatever the memberships', async () => {
    assertProblem(await api('POST', LOGIN, { body: { ...person, password: `${person.password}x` } }),
      401, 'not_authenticated');
  });

  test('a membership that is not active is not offered: one left, and the sign-in is plain', async () => {
    const membership = (clinic) => `clinic_id = '${clinic.id}' AND person_id =
      (SELECT id FROM staff_people WHERE email = '${person.email}')`;
    psql(`UPDATE staff SET active = false WHERE ${membership(B)}`);
    try {
      const res = await api('POST', LOGIN, { body: person });
      assert.equal(res.status, 200, res.text);
      assert.ok(cookieOf(res));
      assert.deepEqual(res.body.clinic, { id: A.id, name: A.name });
      const { body } = await api('POST', LOGIN, { body: person });
      assert.equal(body.selection_token, undefined);
    } finally {
      psql(`UPDATE staff SET active = true WHERE ${membership(B)}`);
    }
  });

  test('each clinic\'s audit log records the sign-in to it only', async () => {
    const count = (clinic) => Number(psql(`SELECT count(*) FROM audit_log
      WHERE clinic_id = '${clinic.id}' AND action = 'staff.login'`));
    const [a0, b0] = [count(A), count(B)];
    const { body } = await api('POST', LOGIN, { body: person });
    assert.equal((await api('POST', SELECT, { body: { selection_token: body.selection_token, clinic_id: A.id } })).status, 200);
    assert.deepEqual([count(A), count(B)], [a0 + 1, b0]);
  });
});

describe('the person\'s secrets', () => {
  test('the application\'s role reads no password hash, in any table', () => {
    const people = psqlTry(`SET ROLE portal_app; SELECT password_hash FROM staff_people`);
    assert.notEqual(people.status, 0);
    assert.match(people.stderr, /permission denied/);
    const staff = psqlTry(`SET ROLE portal_app; SELECT password_hash FROM staff`);
    assert.notEqual(staff.status, 0);
    assert.match(staff.stderr, /does not exist/);
  });

  test('a single-clinic person still signs in in one step, as before', async () => {
    const s = await signIn(A.logins.owner);
    assert.ok(s.cookie);
    assert.equal(s.staff.role, 'owner');
  });
});

describe('portalctl create-clinic with its module and logins, in one run', () => {
  test('prints the id and "role email password" lines; an existing person gets "-"; a bad login leaves nothing', () => {
    const owner = uniqueEmail('cli-owner');
    const code = `cli-${unique()}`;
    const name = `CLI Clinic ${unique()}`;
    const out = portalctl('create-clinic', '--name', name, '--code', code, '--module', 'patient_portal',
      '--login', `owner:${owner}:Dr. Ada: Owner`, '--login', `staff:${person.email}`).split('\n');
    assert.equal(out.length, 3, out.join(' | '));
    const [id, ownerLine, staffLine] = out;
    assert.match(id, /^[0-9a-f-]{36}$/);
    const [role, email, password] = ownerLine.split(' ');
    assert.deepEqual([role, email], ['owner', owner]);
    assert.match(password, /^[A-Za-z0-9_-]{18}$/);
    assert.equal(staffLine, `staff ${person.email} -`, 'a known person keeps their own password');
    assert.equal(psql(`SELECT m.name || '|' || m.role FROM staff m JOIN staff_people p ON p.id = m.person_id
      WHERE m.clinic_id = '${id}' AND p.email = '${owner}'`), 'Dr. Ada: Owner|owner', 'the name after the second colon');
    assert.equal(psql(`SELECT count(*) FROM clinic_modules WHERE clinic_id = '${id}' AND module = 'patient_portal'`), '1');
    // A login with an unknown role: nothing of the run stays, not even the clinic.
    const bad = `CLI Bad ${unique()}`;
    assert.throws(() => portalctl('create-clinic', '--name', bad, '--module', 'patient_portal',
      '--login', `owner:${uniqueEmail('cli-bad')}`, '--login', `boss:${uniqueEmail('cli-bad')}`), /--role must be owner, admin or staff/);
    assert.equal(psql(`SELECT count(*) FROM clinics WHERE name = '${bad}'`), '0');
    assert.throws(() => portalctl('create-clinic', '--name', bad, '--login', 'owner'), /--login is ROLE:EMAIL\[:NAME\]/);
    assert.throws(() => portalctl('create-clinic', '--name', bad, '--module', 'billing'), /unknown module 'billing'/);
  });
});
