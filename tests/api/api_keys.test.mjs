// API keys and their makers (DESIGN.md sections 10 and 16, issue 9 items 3 to 6): a key made
// in the console records who made it and acts with that person's role narrowed by its scopes,
// so an admin's key with every scope still cannot do what only the owner may (403
// forbidden_role, as the admin's own session gets), while an owner's key can; read and write
// keys act as staff; a key dies with its maker's access (inactive: 401) and follows a role
// change at once. Keys the operator makes (portalctl) have no maker and act as the owner.
// API-key management itself is session-only: any key gets 403 forbidden_role. The create body
// is checked by the validation module: unknown fields 422, U+0000 400.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { assertProblem, psql } from './lib/client.mjs';
import {
  makeApiKey, makeClinic, settingsBody, signIn, withKey,
} from './lib/fixtures.mjs';

const KEYS = '/api/v1/clinic/api-keys';
const PAYMENT = '/api/v1/clinic/payment-infrastructure';
const SETTINGS = '/api/v1/clinic/portal/settings';
const ME = '/api/v1/clinic/me';
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field);

// A key made through the console by the session s; answers {secret, id, body}.
async function consoleKey(s, scopes, name = 'integration') {
  const res = await s.request('POST', KEYS, { body: { name, scopes } });
  assert.equal(res.status, 201, res.text);
  assert.match(res.body.key, /^ppk_/);
  return { secret: res.body.key, id: res.body.id, body: res.body };
}

describe('a key acts with the role of its maker', () => {
  test("an admin's key with read, write and admin may not do what only the owner may: 403 forbidden_role, like the admin's cookie", async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const key = withKey((await consoleKey(admin, ['read', 'write', 'admin'])).secret);
    const body = { provider: 'devgateway', active: true, credentials: { merchant_id: 'm-1', secret: 'dev-secret-1' } };
    const byKey = await key.request('PUT', PAYMENT, { body });
    assertProblem(byKey, 403, 'forbidden_role', "admin's key");
    assert.match(byKey.body.detail, /person who made it/);
    assertProblem(await admin.request('PUT', PAYMENT, { body }), 403, 'forbidden_role', "admin's cookie");
    const owner = await signIn(clinic.logins.owner);
    assert.equal((await owner.request('GET', '/api/v1/clinic/modules')).body.payment_infrastructure.active, false,
      'nothing changed');
  });

  test("an owner's admin key may do owner-only things: 200", async () => {
    const clinic = makeClinic();
    const owner = await signIn(clinic.logins.owner);
    const key = withKey((await consoleKey(owner, ['admin'])).secret);
    const res = await key.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: true, credentials: { merchant_id: 'm-1', secret: 'dev-secret-1' } } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await owner.request('GET', '/api/v1/clinic/modules')).body.payment_infrastructure.active, true);
  });

  test("the operator's admin key (portalctl, no maker) acts as the owner", async () => {
    const clinic = makeClinic();
    const res = await withKey(makeApiKey(clinic.id, 'admin')).request('PUT', PAYMENT,
      { body: { provider: 'devgateway', active: true, credentials: { merchant_id: 'm-1', secret: 'dev-secret-1' } } });
    assert.equal(res.status, 200, res.text);
  });

  test("an admin's key still does what staff and admins may: read, write, settings, audit", async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const key = withKey((await consoleKey(admin, ['read', 'write', 'admin'])).secret);
    assert.equal((await key.request('GET', ME)).status, 200);
    assert.equal((await key.request('GET', '/api/v1/clinic/patients')).status, 200);
    const patient = await key.request('POST', '/api/v1/clinic/patients', { body: { first_name: 'Key', last_name: 'Made' } });
    assert.equal(patient.status, 201, patient.text);
    const plan = await key.request('POST', `/api/v1/clinic/patients/${patient.body.id}/treatment-plans`,
      { body: { title: 'Check-up' } });
    assert.equal(plan.status, 201, plan.text);
    const saved = await key.request('PUT', SETTINGS, { body: settingsBody({ code: clinic.code, permissions: ['view_profile'] }) });
    assert.equal(saved.status, 200, saved.text);
    assert.equal((await key.request('GET', '/api/v1/clinic/audit')).status, 200);
  });

  test('read and write keys act as staff: a read key is refused every write (403), a write key admin work', async () => {
    const clinic = makeClinic();
    const owner = await signIn(clinic.logins.owner);
    const read = withKey((await consoleKey(owner, ['read'])).secret);
    const write = withKey((await consoleKey(owner, ['read', 'write'])).secret);
    const patient = await write.request('POST', '/api/v1/clinic/patients', { body: { first_name: 'Wri', last_name: 'Te' } });
    assert.equal(patient.status, 201, patient.text);
    assert.equal((await read.request('GET', `/api/v1/clinic/patients/${patient.body.id}`)).status, 200);
    const refused = await read.request('POST', '/api/v1/clinic/patients', { body: { first_name: 'Re', last_name: 'Ad' } });
    assertProblem(refused, 403, 'forbidden_role', 'read key, POST patients');
    assert.match(refused.body.detail, /only read/);
    assertProblem(await read.request('POST', `/api/v1/clinic/patients/${patient.body.id}/treatment-plans`,
      { body: { title: 'No' } }), 403, 'forbidden_role', 'read key, POST treatment-plans');
    assertProblem(await write.request('PUT', SETTINGS, { body: settingsBody({ code: clinic.code }) }),
      403, 'forbidden_role', 'write key, PUT settings');
    assertProblem(await write.request('GET', '/api/v1/clinic/audit'), 403, 'forbidden_role', 'write key, audit');
  });

  test('a key stops working (401) while its maker is inactive, and follows a role change at once', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const made = await consoleKey(admin, ['read', 'write', 'admin']);
    const key = withKey(made.secret);
    const body = settingsBody({ code: clinic.code, permissions: ['view_profile'] });
    assert.equal((await key.request('PUT', SETTINGS, { body })).status, 200);

    psql(`UPDATE staff SET role = 'staff' WHERE id = '${admin.staff.id}'`);
    assertProblem(await key.request('PUT', SETTINGS, { body }), 403, 'forbidden_role', 'maker demoted to staff');
    assert.equal((await key.request('GET', SETTINGS)).status, 200, 'staff may still read');

    psql(`UPDATE staff SET role = 'admin', active = false WHERE id = '${admin.staff.id}'`);
    for (const [method, path, opts] of [['GET', ME], ['GET', SETTINGS], ['PUT', SETTINGS, { body }],
      ['GET', '/api/v1/clinic/patients'], ['GET', '/api/v1/clinic/audit']]) {
      assertProblem(await key.request(method, path, opts), 401, 'not_authenticated', `${method} ${path}, maker inactive`);
    }
    psql(`UPDATE staff SET active = true WHERE id = '${admin.staff.id}'`);
    assert.equal((await key.request('GET', ME)).status, 200, 'the maker is active again');
  });

  test("a key whose maker's account is deleted is gone with it", async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const made = await consoleKey(admin, ['read']);
    assert.equal((await withKey(made.secret).request('GET', ME)).status, 200);
    psql(`DELETE FROM staff WHERE id = '${admin.staff.id}'`);
    assertProblem(await withKey(made.secret).request('GET', ME), 401, 'not_authenticated');
    assert.equal(psql(`SELECT count(*) FROM api_keys WHERE id = '${made.id}'`), '0');
  });
});

describe('managing keys', () => {
  test('creating a key records its maker; the list names it, null for the operator\'s keys', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const made = await consoleKey(admin, ['read', 'admin'], 'Billing sync');
    assert.equal(made.body.created_by, admin.staff.id);
    assert.deepEqual([...made.body.scopes].sort(), ['admin', 'read']);
    assert.equal(made.body.name, 'Billing sync');
    assert.equal(psql(`SELECT created_by FROM api_keys WHERE id = '${made.id}'`), admin.staff.id);
    makeApiKey(clinic.id, 'read');
    const list = await admin.request('GET', KEYS);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.next_cursor, null);
    assert.equal(list.body.items.length, 2);
    const byId = Object.fromEntries(list.body.items.map((k) => [k.id, k]));
    assert.equal(byId[made.id].created_by, admin.staff.id);
    assert.equal(list.body.items.find((k) => k.id !== made.id).created_by, null);
    assert.ok(!list.text.includes(made.secret), 'the list shows a secret');
  });

  test('staff may not manage keys: 403 forbidden_role', async () => {
    const clinic = makeClinic();
    const staff = await signIn(clinic.logins.staff);
    assertProblem(await staff.request('GET', KEYS), 403, 'forbidden_role');
    assertProblem(await staff.request('POST', KEYS, { body: { name: 'x', scopes: ['read'] } }), 403, 'forbidden_role');
  });

  test('API-key management with an API key is 403 forbidden_role, whatever its scopes or maker', async () => {
    const clinic = makeClinic();
    const owner = await signIn(clinic.logins.owner);
    const victim = await consoleKey(owner, ['read']);
    const keys = [makeApiKey(clinic.id, 'read,write,admin'), (await consoleKey(owner, ['read', 'write', 'admin'])).secret];
    for (const secret of keys) {
      const key = withKey(secret);
      for (const [method, path, opts] of [['GET', KEYS], ['POST', KEYS, { body: { name: 'by key', scopes: ['admin'] } }],
        ['DELETE', `${KEYS}/${victim.id}`]]) {
        const res = await key.request(method, path, opts);
        assertProblem(res, 403, 'forbidden_role', `${method} ${path}`);
        assert.match(res.body.detail, /sign in/);
      }
    }
    assert.equal((await withKey(victim.secret).request('GET', ME)).status, 200, 'the key was not revoked');
    assert.equal(psql(`SELECT count(*) FROM api_keys WHERE clinic_id = '${clinic.id}'`), '3', 'no key was made');
  });

  test('revoking: 204 and the key answers 401 at once; again is fine; unknown ids 404', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const made = await consoleKey(admin, ['read']);
    const res = await admin.request('DELETE', `${KEYS}/${made.id}`);
    assert.equal(res.status, 204, res.text);
    assertProblem(await withKey(made.secret).request('GET', ME), 401, 'not_authenticated');
    assert.equal((await admin.request('DELETE', `${KEYS}/${made.id}`)).status, 204);
    assertProblem(await admin.request('DELETE', `${KEYS}/${randomUUID()}`), 404, 'not_found');
    assertProblem(await admin.request('DELETE', `${KEYS}/not-a-uuid`), 404, 'not_found');
  });
});

describe('the create body', () => {
  test('an unknown field is 422 naming it, and no key is made', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    for (const extra of [{ role: 'owner' }, { created_by: admin.staff.id }, { expires_at: '2030-01-01T00:00:00Z' }]) {
      const res = await admin.request('POST', KEYS, { body: { name: 'k', scopes: ['read'], ...extra } });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(extra));
      assert.deepEqual(fieldsOf(res), Object.keys(extra));
    }
    assert.equal(psql(`SELECT count(*) FROM api_keys WHERE clinic_id = '${clinic.id}'`), '0');
  });

  test('U+0000 in the name is 400 bad_request', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const res = await admin.request('POST', KEYS, {
      raw: '{"name": "sync\\u0000key", "scopes": ["read"]}',
      headers: { 'content-type': 'application/json' },
    });
    assertProblem(res, 400, 'bad_request');
    assert.equal(psql(`SELECT count(*) FROM api_keys WHERE clinic_id = '${clinic.id}'`), '0');
  });

  const bad = [
    ['no name', { scopes: ['read'] }, 'name'],
    ['a blank name', { name: '   ', scopes: ['read'] }, 'name'],
    ['a name of 101 characters', { name: 'k'.repeat(101), scopes: ['read'] }, 'name'],
    ['a name with a line break', { name: 'two\nlines', scopes: ['read'] }, 'name'],
    ['no scopes', { name: 'k' }, 'scopes'],
    ['empty scopes', { name: 'k', scopes: [] }, 'scopes'],
    ['an unknown scope', { name: 'k', scopes: ['read', 'root'] }, 'scopes[1]'],
    ['scopes as a string', { name: 'k', scopes: 'read' }, 'scopes'],
    ['four scopes', { name: 'k', scopes: ['read', 'write', 'admin', 'read'] }, 'scopes'],
  ];
  for (const [what, body, field] of bad) {
    test(`${what}: 422 naming ${field}`, async () => {
      const clinic = makeClinic();
      const admin = await signIn(clinic.logins.admin);
      const res = await admin.request('POST', KEYS, { body });
      assertProblem(res, 422, 'validation_failed', what);
      assert.ok(fieldsOf(res).includes(field), `errors do not name ${field}: ${res.text}`);
    });
  }

  test('the name is trimmed and a repeated scope counts once', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const made = await consoleKey(admin, ['read', 'read'], '  Sync  ');
    assert.equal(made.body.name, 'Sync');
    assert.deepEqual(made.body.scopes, ['read']);
  });
});
