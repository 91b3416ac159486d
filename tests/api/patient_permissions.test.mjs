// A patient's Portal Permissions tab (DESIGN.md sections 3 and 10; the guide's
// "Patient-Specific Permission Configuration"): GET/PUT
// /api/v1/clinic/patients/{id}/portal-permissions. Following the clinic (effective = the
// clinic's set, permissions []); a custom set (effective = the patient's own set, duplicates
// ignored, unknown keys 422, the pair warnings appointments_without_view and
// forms_without_view naming both sides); select_all filling all 19 keys; an empty custom set
// (the patient may do nothing); back to the clinic dropping the custom set; a later change of
// the clinic's settings reaching patients who follow the clinic but not those with their own
// set; owner and admin may PUT, staff and write-scoped keys get 403 forbidden_role but may
// read; malformed bodies ({mode: "clinic", select_all: true}, bad mode, ...) are 422 naming
// the field; one audit row per change.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertProblem, psql } from './lib/client.mjs';
import { makeApiKey, makeClinic, settingsBody, signIn, withKey } from './lib/fixtures.mjs';

const PATIENTS = '/api/v1/clinic/patients';
const SETTINGS = '/api/v1/clinic/portal/settings';
const permsPath = (id) => `${PATIENTS}/${id}/portal-permissions`;
const sorted = (a) => [...a].sort();
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field).sort();

// The 19 keys (DESIGN.md section 3).
const ALL_KEYS = [
  'view_profile', 'update_profile', 'upload_photo',
  'view_appointments', 'create_appointment', 'cancel_appointment',
  'view_treatments',
  'view_balance', 'view_invoices', 'view_payments', 'make_payment',
  'view_documents', 'download_documents', 'upload_documents', 'view_images',
  'view_messages', 'send_message',
  'view_forms', 'submit_forms',
];
const CLINIC_SET = ['view_profile', 'view_appointments', 'create_appointment', 'view_invoices'];

let clinic;
let owner;
let admin;
let staff;

// Asserts a permissions answer: mode, the patient's own set and the effective set (as sets:
// each key once).
function assertPerms(body, { mode, permissions, effective }, what = '') {
  assert.equal(body.mode, mode, `${what} mode`);
  assert.deepEqual(sorted(body.permissions), sorted(permissions), `${what} permissions`);
  assert.deepEqual(sorted(body.effective), sorted(effective), `${what} effective`);
  assert.equal(new Set(body.permissions).size, body.permissions.length, `${what}: duplicate keys in permissions`);
  assert.equal(new Set(body.effective).size, body.effective.length, `${what}: duplicate keys in effective`);
}

async function newPatient(first = 'Selin', last = 'Aydın') {
  const res = await owner.request('POST', PATIENTS, { body: { first_name: first, last_name: last, phone: '0532 123 45 67' } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function putPerms(s, id, body, expect = 200) {
  const res = await s.request('PUT', permsPath(id), { body });
  if (expect !== null) assert.equal(res.status, expect, `PUT ${JSON.stringify(body)}: ${res.text}`);
  return res;
}

async function getPerms(s, id) {
  const res = await s.request('GET', permsPath(id));
  assert.equal(res.status, 200, res.text);
  return res.body;
}

async function putClinicSet(permissions) {
  const res = await owner.request('PUT', SETTINGS, { body: settingsBody({ code: clinic.code, permissions }) });
  assert.equal(res.status, 200, res.text);
}

const warningsOf = (res) => Object.fromEntries((res.body.warnings ?? []).map((w) => [w.code, sorted(w.permissions)]));

before(async () => {
  clinic = makeClinic();
  [owner, admin, staff] = await Promise.all([
    signIn(clinic.logins.owner), signIn(clinic.logins.admin), signIn(clinic.logins.staff)]);
  await putClinicSet(CLINIC_SET);
});

describe('following the clinic', () => {
  test('a new patient follows the clinic: permissions [], effective = the clinic set', async () => {
    const p = await newPatient();
    assertPerms(await getPerms(owner, p.id), { mode: 'clinic', permissions: [], effective: CLINIC_SET });
    // Staff may read the tab.
    assertPerms(await getPerms(staff, p.id), { mode: 'clinic', permissions: [], effective: CLINIC_SET }, 'staff GET');
  });

  test('PUT {mode: "clinic"} on a following patient answers the same, without warnings', async () => {
    const p = await newPatient();
    const res = await putPerms(owner, p.id, { mode: 'clinic' });
    assertPerms(res.body, { mode: 'clinic', permissions: [], effective: CLINIC_SET });
    assert.deepEqual(res.body.warnings ?? [], []);
  });
});

describe('back to the clinic', () => {
  test('{mode: "clinic", permissions: []} (or null) is accepted and drops the own set; a non-empty list is 422', async () => {
    const p = await newPatient();
    await putPerms(owner, p.id, { mode: 'custom', permissions: ['view_balance'] });
    const res = await putPerms(owner, p.id, { mode: 'clinic', permissions: [] });
    assertPerms(res.body, { mode: 'clinic', permissions: [], effective: CLINIC_SET });
    assert.deepEqual(res.body.warnings ?? [], []);
    await putPerms(owner, p.id, { mode: 'custom', permissions: ['view_balance'] });
    assertPerms((await putPerms(admin, p.id, { mode: 'clinic', permissions: null })).body,
      { mode: 'clinic', permissions: [], effective: CLINIC_SET }, 'null');
    await putPerms(owner, p.id, { mode: 'custom', permissions: ['view_balance'] });
    for (const permissions of [['view_profile'], ['view_balance', 'view_balance'], ['fly']]) {
      const bad = await putPerms(owner, p.id, { mode: 'clinic', permissions }, null);
      assertProblem(bad, 422, 'validation_failed', JSON.stringify(permissions));
      assert.deepEqual(fieldsOf(bad), ['permissions'], JSON.stringify(permissions));
    }
    assertPerms(await getPerms(owner, p.id), { mode: 'custom', permissions: ['view_balance'], effective: ['view_balance'] },
      'after the refused PUTs');
  });
});

describe('a custom set', () => {
  test('effective = the own set; duplicates ignored; GET answers the same', async () => {
    const p = await newPatient();
    const own = ['view_balance', 'view_invoices', 'view_payments'];
    const res = await putPerms(admin, p.id, {
      mode: 'custom', permissions: ['view_balance', 'view_invoices', 'view_balance', 'view_payments', 'view_invoices'],
    });
    assertPerms(res.body, { mode: 'custom', permissions: own, effective: own });
    assert.deepEqual(res.body.warnings ?? [], []);
    assertPerms(await getPerms(staff, p.id), { mode: 'custom', permissions: own, effective: own }, 'GET');
  });

  test('a key of the clinic set that the own set leaves out is not effective', async () => {
    const p = await newPatient();
    const res = await putPerms(owner, p.id, { mode: 'custom', permissions: ['view_profile', 'send_message'] });
    assertPerms(res.body, { mode: 'custom', permissions: ['view_profile', 'send_message'],
      effective: ['view_profile', 'send_message'] });
    assert.ok(!res.body.effective.includes('view_appointments'));
  });

  test('an empty custom set: the patient may do nothing, unlike following the clinic', async () => {
    const p = await newPatient();
    const res = await putPerms(owner, p.id, { mode: 'custom', permissions: [] });
    assertPerms(res.body, { mode: 'custom', permissions: [], effective: [] });
    assertPerms(await getPerms(owner, p.id), { mode: 'custom', permissions: [], effective: [] }, 'GET');
  });

  test('an unknown key (or a non-string entry, or not a list) is 422 naming permissions; nothing changes', async () => {
    const p = await newPatient();
    await putPerms(owner, p.id, { mode: 'custom', permissions: ['view_profile'] });
    const bad = [
      ['view_profile', 'fly_to_the_moon'],
      ['View_Profile'],
      ['view_profile', 7],
      [null],
      'view_profile',
      { view_profile: true },
    ];
    for (const permissions of bad) {
      const res = await putPerms(owner, p.id, { mode: 'custom', permissions }, null);
      assertProblem(res, 422, 'validation_failed', JSON.stringify(permissions));
      assert.deepEqual(fieldsOf(res), ['permissions'], JSON.stringify(permissions));
    }
    assertPerms(await getPerms(owner, p.id),
      { mode: 'custom', permissions: ['view_profile'], effective: ['view_profile'] }, 'after refused PUTs');
  });

  test('pair warnings name both sides: appointments_without_view, forms_without_view', async () => {
    const p = await newPatient();
    const cases = [
      [['create_appointment'], { appointments_without_view: ['create_appointment', 'view_appointments'] }],
      [['cancel_appointment'], { appointments_without_view: ['cancel_appointment', 'view_appointments'] }],
      [['create_appointment', 'cancel_appointment', 'view_profile'],
        { appointments_without_view: ['cancel_appointment', 'create_appointment', 'view_appointments'] }],
      [['submit_forms'], { forms_without_view: ['submit_forms', 'view_forms'] }],
      [['submit_forms', 'create_appointment'], {
        appointments_without_view: ['create_appointment', 'view_appointments'],
        forms_without_view: ['submit_forms', 'view_forms'],
      }],
      [['create_appointment', 'view_appointments', 'submit_forms', 'view_forms'], {}],
      [['view_appointments', 'view_forms'], {}],
    ];
    for (const [permissions, expected] of cases) {
      const res = await putPerms(owner, p.id, { mode: 'custom', permissions });
      assert.deepEqual(warningsOf(res), expected, `warnings for ${permissions.join(', ')}`);
      for (const w of res.body.warnings ?? []) assert.ok(w.message.length > 0, 'a warning has a message');
      // A warning does not stop the save.
      assertPerms(res.body, { mode: 'custom', permissions, effective: permissions }, permissions.join(', '));
    }
  });

  test('a custom set draws the clinic-level warnings too, and they go when the clinic is ready', async () => {
    const p = await newPatient();
    const set = ['view_documents', 'upload_documents', 'view_balance', 'make_payment'];
    const first = await putPerms(owner, p.id, { mode: 'custom', permissions: set });
    assert.deepEqual(warningsOf(first), { payment_infrastructure_inactive: ['make_payment'],
      uploads_without_reviewer: ['upload_documents'] });
    // A reviewer named in the settings: the upload warning goes, the payment one stays.
    const staff = (await owner.request('GET', '/api/v1/clinic/staff')).body.items.find((m) => m.role === 'staff');
    const current = (await owner.request('GET', '/api/v1/clinic/portal/settings')).body;
    const named = await owner.request('PUT', '/api/v1/clinic/portal/settings',
      { body: { ...current, upload_reviewer_id: staff.id } });
    assert.equal(named.status, 200, named.text);
    const second = await putPerms(owner, p.id, { mode: 'custom', permissions: set });
    assert.deepEqual(warningsOf(second), { payment_infrastructure_inactive: ['make_payment'] });
    // Following the clinic draws none (the clinic's own save answers those).
    const follow = await putPerms(owner, p.id, { mode: 'clinic' });
    assert.deepEqual(follow.body.warnings ?? [], []);
    const back = await owner.request('PUT', '/api/v1/clinic/portal/settings', { body: current });
    assert.equal(back.status, 200, back.text);
  });

  test('select_all fills all 19 keys', async () => {
    const p = await newPatient();
    const res = await putPerms(admin, p.id, { mode: 'custom', select_all: true });
    assertPerms(res.body, { mode: 'custom', permissions: ALL_KEYS, effective: ALL_KEYS });
    assert.equal(res.body.permissions.length, 19);
    // No pair warning; the clinic-level ones, as the clinic's settings draw them (issue 16): its
    // online payment is not active and nobody reviews uploads.
    assert.deepEqual(warningsOf(res), { payment_infrastructure_inactive: ['make_payment'],
      uploads_without_reviewer: ['upload_documents'] });
    assertPerms(await getPerms(owner, p.id), { mode: 'custom', permissions: ALL_KEYS, effective: ALL_KEYS }, 'GET');
    // The 19 are the catalog's.
    const catalog = await owner.request('GET', '/api/v1/clinic/portal/permissions');
    assert.equal(catalog.status, 200);
    const catalogKeys = catalog.body.groups.flatMap((g) => g.permissions.map((k) => k.key));
    assert.deepEqual(sorted(catalogKeys), sorted(ALL_KEYS));
  });

  test('back to the clinic drops the custom set; a later custom set starts from nothing', async () => {
    const p = await newPatient();
    await putPerms(owner, p.id, { mode: 'custom', permissions: ['view_balance', 'send_message'] });
    const res = await putPerms(owner, p.id, { mode: 'clinic' });
    assertPerms(res.body, { mode: 'clinic', permissions: [], effective: CLINIC_SET });
    assertPerms(await getPerms(owner, p.id), { mode: 'clinic', permissions: [], effective: CLINIC_SET }, 'GET');
    assert.equal(psql(`SELECT permissions_mode || ':' || cardinality(custom_permissions) FROM patients
      WHERE id = '${p.id}'`), 'clinic:0', 'the custom set is gone from the database');
    const again = await putPerms(owner, p.id, { mode: 'custom', permissions: ['view_profile'] });
    assertPerms(again.body, { mode: 'custom', permissions: ['view_profile'], effective: ['view_profile'] });
  });
});

describe('a later change of the clinic settings', () => {
  test('reaches a patient following the clinic, not one with an own set', async () => {
    const c = makeClinic();
    const key = withKey(makeApiKey(c.id, 'read,write,admin'));
    const set = async (permissions) => {
      const r = await key.request('PUT', SETTINGS, { body: settingsBody({ code: c.code, permissions }) });
      assert.equal(r.status, 200, r.text);
    };
    await set(['view_profile']);
    const mk = async (first) => {
      const r = await key.request('POST', PATIENTS, { body: { first_name: first, last_name: 'Kaya', email: `${first}@k.test` } });
      assert.equal(r.status, 201, r.text);
      return r.body.id;
    };
    const follower = await mk('follower');
    const custom = await mk('custom');
    const own = ['view_messages', 'send_message'];
    assert.equal((await key.request('PUT', permsPath(custom), { body: { mode: 'custom', permissions: own } })).status, 200);
    const later = ['view_profile', 'view_treatments', 'view_forms', 'submit_forms'];
    await set(later);
    assertPerms((await key.request('GET', permsPath(follower))).body, { mode: 'clinic', permissions: [], effective: later });
    assertPerms((await key.request('GET', permsPath(custom))).body, { mode: 'custom', permissions: own, effective: own });
    // An empty clinic set empties the follower's effective set.
    await set([]);
    assertPerms((await key.request('GET', permsPath(follower))).body, { mode: 'clinic', permissions: [], effective: [] });
    assertPerms((await key.request('GET', permsPath(custom))).body, { mode: 'custom', permissions: own, effective: own });
    // The diagnostics read the same effective set.
    const diag = await key.request('GET', `${PATIENTS}/${custom}/portal-access?action=send_message`);
    assert.equal(diag.body.checks.find((ch) => ch.condition === 'permission').ok, true);
    const diag2 = await key.request('GET', `${PATIENTS}/${follower}/portal-access?action=view_profile`);
    assert.equal(diag2.body.checks.find((ch) => ch.condition === 'permission').ok, false);
  });
});

describe('who may change the tab', () => {
  test('staff PUT is 403 forbidden_role and changes nothing; staff GET is allowed', async () => {
    const p = await newPatient();
    for (const body of [{ mode: 'custom', select_all: true }, { mode: 'custom', permissions: ['view_profile'] },
      { mode: 'clinic' }]) {
      assertProblem(await putPerms(staff, p.id, body, null), 403, 'forbidden_role', JSON.stringify(body));
    }
    assertPerms(await getPerms(staff, p.id), { mode: 'clinic', permissions: [], effective: CLINIC_SET });
    assert.equal(Number(psql(`SELECT count(*) FROM audit_log WHERE target_id = '${p.id}'
      AND action = 'patient.portal_permissions.update'`)), 0);
  });

  test('API keys: read and write scopes may read but not PUT; admin scope may PUT', async () => {
    const p = await newPatient();
    const read = withKey(makeApiKey(clinic.id, 'read'));
    const write = withKey(makeApiKey(clinic.id, 'read,write'));
    const adminKey = withKey(makeApiKey(clinic.id, 'admin'));
    for (const k of [read, write]) {
      assertPerms(await getPerms(k, p.id), { mode: 'clinic', permissions: [], effective: CLINIC_SET });
      assertProblem(await putPerms(k, p.id, { mode: 'custom', select_all: true }, null), 403, 'forbidden_role');
    }
    const res = await putPerms(adminKey, p.id, { mode: 'custom', permissions: ['view_images'] });
    assertPerms(res.body, { mode: 'custom', permissions: ['view_images'], effective: ['view_images'] });
  });

  test('one audit row per change, with before and after', async () => {
    const p = await newPatient();
    await putPerms(owner, p.id, { mode: 'custom', permissions: ['view_profile'] });
    await putPerms(admin, p.id, { mode: 'clinic' });
    await putPerms(owner, p.id, { mode: 'custom', select_all: true });
    const rows = JSON.parse(psql(`SELECT json_agg(json_build_object('before', before, 'after', after) ORDER BY id)
      FROM audit_log WHERE clinic_id = '${clinic.id}' AND target_id = '${p.id}'
      AND action = 'patient.portal_permissions.update'`));
    assert.equal(rows.length, 3);
    assert.equal(rows[0].before.mode, 'clinic');
    assert.equal(rows[0].after.mode, 'custom');
    assert.deepEqual(rows[0].after.permissions, ['view_profile']);
    assert.equal(rows[1].after.mode, 'clinic');
    assert.equal(rows[2].after.permissions.length, 19);
  });
});

describe('malformed bodies', () => {
  const BAD = [
    [{ mode: 'clinic', select_all: true }, ['select_all']],
    [{ mode: 'clinic', permissions: ['view_profile'] }, ['permissions']],
    [{ mode: 'custom', select_all: 'yes' }, ['select_all']],
    [{ mode: 'custom', select_all: 1 }, ['select_all']],
    [{ mode: 'everything' }, ['mode']],
    [{ mode: 'CUSTOM', permissions: [] }, ['mode']],
    [{ permissions: ['view_profile'] }, ['mode']],
    [{}, ['mode']],
    [{ mode: 'custom' }, ['permissions']],
    [{ mode: 'custom', permissions: null }, ['permissions']],
    [{ mode: 'custom', permissions: ALL_KEYS.concat(ALL_KEYS, ALL_KEYS, ALL_KEYS, ALL_KEYS, ALL_KEYS) }, ['permissions']],
    [{ mode: 'custom', permissions: [], effective: ALL_KEYS }, ['effective']],
  ];
  for (const [body, fields] of BAD) {
    test(`${JSON.stringify(body).slice(0, 80)}: 422 naming ${fields.join(', ')}`, async () => {
      const p = await newPatient();
      const res = await putPerms(owner, p.id, body, null);
      assertProblem(res, 422, 'validation_failed');
      assert.deepEqual(fieldsOf(res), fields, res.text);
      assertPerms(await getPerms(owner, p.id), { mode: 'clinic', permissions: [], effective: CLINIC_SET },
        'after the refused PUT');
    });
  }

  test('not an object: 422; malformed JSON: 400', async () => {
    const p = await newPatient();
    assertProblem(await putPerms(owner, p.id, ['custom'], null), 422, 'validation_failed');
    assertProblem(await owner.request('PUT', permsPath(p.id), {
      raw: '{"mode": "custom"', headers: { 'content-type': 'application/json' },
    }), 400, 'bad_request');
  });
});
