// A clinic's members (issue 11 item 1, DESIGN.md section 16): every role reads the list (a
// session; an API key gets 403); owners manage everyone, admins manage `staff` members only
// and make nobody admin or owner; nobody changes their own role or disables themselves; the
// last active owner can be neither demoted nor disabled (409); a role change or disabling
// ends that member's sessions at once (their next request is 401) and their API keys shrink
// with them (an admin-made key loses the admin's routes, and stops when the admin is
// disabled); each change is audited with who made it; nothing of another clinic is reached.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { api, assertProblem, psql } from './lib/client.mjs';
import { makeApiKey, makeClinic, settingsBody, signIn, withKey } from './lib/fixtures.mjs';

const STAFF = '/api/v1/clinic/staff';
const member = (list, email) => list.body.items.find((m) => m.email === email);

// A fresh clinic with its three sessions and the members' ids.
async function clinicWithSessions() {
  const clinic = makeClinic();
  const [owner, admin, staff] = await Promise.all(['owner', 'admin', 'staff'].map((r) => signIn(clinic.logins[r])));
  const list = await owner.request('GET', STAFF);
  assert.equal(list.status, 200, list.text);
  const ids = Object.fromEntries(['owner', 'admin', 'staff'].map((r) => [r, member(list, clinic.logins[r].email).id]));
  return { clinic, owner, admin, staff, ids };
}

let C;
before(async () => { C = await clinicWithSessions(); });

describe('the staff list', () => {
  test('every role reads it: names, emails, roles, active; only this clinic\'s members', async () => {
    const other = makeClinic();
    for (const s of [C.owner, C.admin, C.staff]) {
      const res = await s.request('GET', STAFF);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.items.map((m) => m.role).sort(), ['admin', 'owner', 'staff']);
      assert.ok(res.body.items.every((m) => m.active === true && /@clinic\.test$/.test(m.email)));
      assert.equal(res.body.next_cursor, null);
      assert.ok(!res.text.includes(other.logins.owner.email));
      assert.ok(!/password|hash/i.test(res.text));
    }
  });

  test('an API key gets 403 on the list and on a change, whatever its scopes', async () => {
    const key = withKey(makeApiKey(C.clinic.id, 'read,write,admin'));
    assertProblem(await key.request('GET', STAFF), 403, 'forbidden_role');
    assertProblem(await key.request('PATCH', `${STAFF}/${C.ids.staff}`, { body: { name: 'Key' } }), 403, 'forbidden_role');
  });
});

describe('who may change whom', () => {
  test('staff may not change anyone (403)', async () => {
    assertProblem(await C.staff.request('PATCH', `${STAFF}/${C.ids.staff}`, { body: { name: 'Me' } }), 403, 'forbidden_role');
  });

  test('an admin may not touch the owner, nor make anyone admin or owner', async () => {
    const x = await clinicWithSessions();
    for (const body of [{ name: 'Hijacked' }, { active: false }, { role: 'staff' }]) {
      assertProblem(await x.admin.request('PATCH', `${STAFF}/${x.ids.owner}`, { body }), 403, 'forbidden_role');
    }
    for (const role of ['admin', 'owner']) {
      assertProblem(await x.admin.request('PATCH', `${STAFF}/${x.ids.staff}`, { body: { role } }), 403, 'forbidden_role');
    }
    const renamed = await x.admin.request('PATCH', `${STAFF}/${x.ids.staff}`, { body: { name: 'Zeynep A.' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, 'Zeynep A.');
    assert.equal(renamed.body.role, 'staff');
  });

  test('nobody changes their own role or disables themselves; renaming oneself is fine', async () => {
    const x = await clinicWithSessions();
    assertProblem(await x.owner.request('PATCH', `${STAFF}/${x.ids.owner}`, { body: { role: 'admin' } }), 403, 'forbidden_role');
    assertProblem(await x.admin.request('PATCH', `${STAFF}/${x.ids.admin}`, { body: { role: 'owner' } }), 403, 'forbidden_role');
    assertProblem(await x.admin.request('PATCH', `${STAFF}/${x.ids.admin}`, { body: { active: false } }), 403, 'forbidden_role');
    const me = await x.admin.request('PATCH', `${STAFF}/${x.ids.admin}`, { body: { name: 'Ahmet K.' } });
    assert.equal(me.status, 200, me.text);
  });

  test('the last active owner can be neither demoted nor disabled: two owners demoting each other at once leave one', async () => {
    const x = await clinicWithSessions();
    const promoted = await x.owner.request('PATCH', `${STAFF}/${x.ids.admin}`, { body: { role: 'owner' } });
    assert.equal(promoted.status, 200, promoted.text);
    // The new owner signs in again (the role change ended their session).
    const second = await signIn(x.clinic.logins.admin);
    assert.equal(second.staff.role, 'owner');
    const answers = await Promise.all([
      x.owner.request('PATCH', `${STAFF}/${x.ids.admin}`, { body: { role: 'admin' } }),
      second.request('PATCH', `${STAFF}/${x.ids.owner}`, { body: { active: false } }),
    ]);
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((st) => st === 200).length, 1, JSON.stringify(answers.map((r) => r.text)));
    const loser = answers.find((r) => r.status !== 200);
    assert.ok([401, 409].includes(loser.status), loser.text);
    if (loser.status === 409) assert.equal(loser.body.code, 'conflict');
    const owners = psql(`SELECT id FROM staff WHERE clinic_id = '${x.clinic.id}' AND role = 'owner' AND active`);
    assert.equal(owners.split('\n').filter(Boolean).length, 1);
    // The survivor is the last owner: the database itself refuses to take them away.
    const refused = psql(`SELECT set_config('portal.clinic_id', '${x.clinic.id}', false),
      portal_staff_update('${owners.trim()}', NULL, 'staff', NULL),
      portal_staff_update('${owners.trim()}', NULL, NULL, false)`);
    assert.match(refused, /\|last_owner\|last_owner$/);
  });

  test('an unknown id, another clinic\'s member and a bad body', async () => {
    const other = await clinicWithSessions();
    assertProblem(await C.owner.request('PATCH', `${STAFF}/${randomUUID()}`, { body: { name: 'X' } }), 404, 'not_found');
    assertProblem(await C.owner.request('PATCH', `${STAFF}/${other.ids.staff}`, { body: { name: 'X' } }), 404, 'not_found');
    const bad = await C.owner.request('PATCH', `${STAFF}/${C.ids.staff}`, { body: { role: 'boss', active: 'yes', extra: 1 } });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['active', 'extra', 'role']);
    const empty = await C.owner.request('PATCH', `${STAFF}/${C.ids.staff}`, { body: {} });
    assertProblem(empty, 422, 'validation_failed');
    const still = member(await other.owner.request('GET', STAFF), other.clinic.logins.staff.email);
    assert.notEqual(still.name, 'X');
  });
});

describe('what a change does at once', () => {
  test('a role change ends that member\'s sessions: their next request is 401, and they sign in with the new role', async () => {
    const x = await clinicWithSessions();
    assert.equal((await x.staff.request('GET', '/api/v1/clinic/me')).status, 200);
    const res = await x.owner.request('PATCH', `${STAFF}/${x.ids.staff}`, { body: { role: 'admin' } });
    assert.equal(res.status, 200, res.text);
    assertProblem(await x.staff.request('GET', '/api/v1/clinic/me'), 401, 'not_authenticated');
    const again = await signIn(x.clinic.logins.staff);
    assert.equal(again.staff.role, 'admin');
    // A rename alone ends nothing.
    assert.equal((await x.owner.request('PATCH', `${STAFF}/${x.ids.staff}`, { body: { name: 'New name' } })).status, 200);
    assert.equal((await again.request('GET', '/api/v1/clinic/me')).status, 200);
  });

  test('disabling ends the sessions, refuses sign-in, and stops the member\'s API keys; re-enabling lets them back', async () => {
    const x = await clinicWithSessions();
    const made = await x.admin.request('POST', '/api/v1/clinic/api-keys', { body: { name: 'Admin key', scopes: ['admin'] } });
    assert.equal(made.status, 201, made.text);
    const key = withKey(made.body.key);
    const settings = (await key.request('GET', '/api/v1/clinic/portal/settings'));
    assert.equal(settings.status, 200, settings.text);
    const body = { ...settingsBody(), code: settings.body.code, sms_template_id: settings.body.sms_template_id,
      email_template_id: settings.body.email_template_id, permissions: ['view_profile'] };
    assert.equal((await key.request('PUT', '/api/v1/clinic/portal/settings', { body })).status, 200);
    // Demoted to staff: the admin's key loses the admin's routes at once.
    assert.equal((await x.owner.request('PATCH', `${STAFF}/${x.ids.admin}`, { body: { role: 'staff' } })).status, 200);
    assertProblem(await key.request('PUT', '/api/v1/clinic/portal/settings', { body }), 403, 'forbidden_role');
    assert.equal((await key.request('GET', '/api/v1/clinic/patients')).status, 200);
    // Disabled: sessions end, sign-in fails, the key stops.
    const s = await signIn(x.clinic.logins.admin);
    assert.equal((await x.owner.request('PATCH', `${STAFF}/${x.ids.admin}`, { body: { active: false } })).status, 200);
    assertProblem(await s.request('GET', '/api/v1/clinic/me'), 401, 'not_authenticated');
    assertProblem(await key.request('GET', '/api/v1/clinic/patients'), 401, 'not_authenticated');
    assertProblem(await api('POST', '/api/v1/clinic/auth/login', { body: x.clinic.logins.admin }), 401, 'not_authenticated');
    const list = await x.owner.request('GET', STAFF);
    assert.equal(member(list, x.clinic.logins.admin.email).active, false);
    assert.equal(list.body.items.at(-1).email, x.clinic.logins.admin.email, 'inactive members come last');
    // Back again.
    assert.equal((await x.owner.request('PATCH', `${STAFF}/${x.ids.admin}`, { body: { active: true } })).status, 200);
    assert.equal((await signIn(x.clinic.logins.admin)).staff.role, 'staff');
  });

  test('each change is audited with who made it, before and after', async () => {
    const x = await clinicWithSessions();
    const res = await x.owner.request('PATCH', `${STAFF}/${x.ids.staff}`, { body: { role: 'admin', name: 'Zeynep' } });
    assert.equal(res.status, 200, res.text);
    const row = JSON.parse(psql(`SELECT row_to_json(a) FROM audit_log a WHERE clinic_id = '${x.clinic.id}'
      AND action = 'staff.update' ORDER BY id DESC LIMIT 1`));
    assert.equal(row.actor_id, x.owner.staff.id);
    assert.equal(row.target_id, x.ids.staff);
    assert.equal(row.before.role, 'staff');
    assert.equal(row.after.role, 'admin');
    assert.equal(row.after.name, 'Zeynep');
  });
});
