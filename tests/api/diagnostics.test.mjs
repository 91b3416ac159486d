// Diagnostics: why a patient can or cannot do an action, and why the portal's link would or
// would not open (DESIGN.md sections 3 and 10; the guide's "Common Scenarios"; issue 4, item
// 7). GET /api/v1/clinic/patients/{id}/portal-access?action=<key>[&document_id=] answers
// {action, allowed, checks} listing every condition, passed ones too, in order: module,
// portal_enabled, code_set, patient_access, contact_on_file, permission, then the action's
// own (payment_infrastructure for make_payment; document_shared for the document and image
// actions). Each troubleshooting case names its failed condition(s): portal disabled; code
// empty; module revoked; the patient's access off; no phone and no email; the permission
// missing at the clinic level or in the patient's own set; make_payment with the payment
// infrastructure inactive (then active after the owner's PUT); documents without a document
// (and a named, unknown document: 404); submit_forms disabled; the patient cannot submit a form
// (with form_id: form_open fails for an archived form or one neither assigned to the patient nor
// available to all). Everything holding: allowed.
// An unknown action: 422. GET /api/v1/clinic/portal/status answers {open, url, checks}:
// open with url = public_url + "/" + code when all hold, and names module, portal_enabled and
// code_set when they do not.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { assertProblem, confValue, psql } from './lib/client.mjs';
import {
  makeApiKey, makeClinic, portalctl, settingsBody, signIn, withKey,
} from './lib/fixtures.mjs';
import { TINY_JPEG, okPdf } from './lib/docs.mjs';
import { archive, makeForm, medsDefinition } from './lib/form_fill.mjs';

const PATIENTS = '/api/v1/clinic/patients';
const SETTINGS = '/api/v1/clinic/portal/settings';
const STATUS = '/api/v1/clinic/portal/status';
const BASE = ['module', 'portal_enabled', 'code_set', 'patient_access', 'contact_on_file', 'permission'];
const PORTAL = ['module', 'portal_enabled', 'code_set'];
const DEFAULT_SET = ['view_profile', 'view_appointments', 'create_appointment', 'view_documents',
  'download_documents', 'view_images', 'upload_documents', 'view_forms', 'make_payment'];

// A clinic with an admin-scoped key, its portal open with the given permissions, and one
// patient with a phone and email (unless told otherwise).
async function setup({ permissions = DEFAULT_SET, patient = {} } = {}) {
  const clinic = makeClinic();
  const key = withKey(makeApiKey(clinic.id, 'read,write,admin'));
  const ctx = {
    clinic,
    key,
    async settings(overrides) {
      const res = await key.request('PUT', SETTINGS, {
        body: settingsBody({ enabled: true, code: clinic.code, permissions, ...overrides }),
      });
      assert.equal(res.status, 200, `settings ${JSON.stringify(overrides)}: ${res.text}`);
      return res.body;
    },
    async patient(body = {}) {
      const res = await key.request('POST', PATIENTS, {
        body: { first_name: 'Derya', last_name: 'Kılıç', phone: '0532 444 11 22', email: 'derya@kilic.test', ...body },
      });
      assert.equal(res.status, 201, res.text);
      return res.body.id;
    },
    async diag(id, action, extra = '') {
      const res = await key.request('GET', `${PATIENTS}/${id}/portal-access?action=${action}${extra}`);
      assert.equal(res.status, 200, `${action}: ${res.text}`);
      assert.equal(res.body.action, action);
      return res.body;
    },
    async status() {
      const res = await key.request('GET', STATUS);
      assert.equal(res.status, 200, res.text);
      return res.body;
    },
  };
  await ctx.settings({});
  ctx.id = await ctx.patient(patient);
  return ctx;
}

// Asserts every condition, in order, with the failed ones named, and allowed = none failed.
function assertChecks(body, conditions, failed, what = body.action) {
  assert.deepEqual(body.checks.map((c) => c.condition), conditions, `${what}: conditions and their order`);
  const notOk = body.checks.filter((c) => !c.ok).map((c) => c.condition);
  assert.deepEqual(notOk, failed, `${what}: failed conditions`);
  assert.equal(body.allowed, failed.length === 0, `${what}: allowed`);
  for (const c of body.checks) {
    assert.equal(typeof c.detail, 'string', `${what}: ${c.condition} detail`);
    assert.ok(c.detail.length > 10, `${what}: ${c.condition} detail is empty`);
  }
}

const detailOf = (body, condition) => body.checks.find((c) => c.condition === condition).detail;

describe('the portal link (portal/status) and the portal-wide conditions', () => {
  test('everything holds: allowed, and the portal opens at public_url + "/" + code', async () => {
    const t = await setup();
    assertChecks(await t.diag(t.id, 'view_profile'), BASE, []);
    const status = await t.status();
    assert.equal(status.open, true);
    assert.equal(status.url, `${confValue('public_url')}/${t.clinic.code}`);
    assertChecks({ ...status, allowed: status.open, action: 'status' }, PORTAL, []);
    // The clinic's own public_url, when it has one, is the base.
    psql(`UPDATE clinics SET public_url = 'https://heal.ms' WHERE id = '${t.clinic.id}'`);
    assert.equal((await t.status()).url, `https://heal.ms/${t.clinic.code}`);
  });

  test('portal disabled: portal_enabled fails, for the patient and for the link', async () => {
    const t = await setup();
    await t.settings({ enabled: false });
    const d = await t.diag(t.id, 'view_profile');
    assertChecks(d, BASE, ['portal_enabled']);
    assert.match(detailOf(d, 'portal_enabled'), /disabled/i);
    const status = await t.status();
    assert.equal(status.open, false);
    assert.equal(status.url, `${confValue('public_url')}/${t.clinic.code}`, 'the code is still set');
    assertChecks({ ...status, allowed: status.open, action: 'status' }, PORTAL, ['portal_enabled']);
  });

  test('code empty: code_set fails (and portal_enabled, since a portal without a code is off)', async () => {
    const t = await setup();
    await t.settings({ enabled: false, code: null });
    assertChecks(await t.diag(t.id, 'view_profile'), BASE, ['portal_enabled', 'code_set']);
    const status = await t.status();
    assert.equal(status.open, false);
    assert.equal(status.url, null);
    assertChecks({ ...status, allowed: status.open, action: 'status' }, PORTAL, ['portal_enabled', 'code_set']);
    assert.match(detailOf(status, 'code_set'), /code/i);
    // Enabling without a code is refused, so code_set alone cannot fail while enabled.
    assertProblem(await t.key.request('PUT', SETTINGS, {
      body: settingsBody({ enabled: true, code: null, permissions: DEFAULT_SET }),
    }), 422, 'code_required');
  });

  test('a changed code: the link follows the new code', async () => {
    const t = await setup();
    const code = `${t.clinic.code}-new`;
    await t.settings({ code });
    const status = await t.status();
    assert.equal(status.open, true);
    assert.equal(status.url, `${confValue('public_url')}/${code}`);
  });

  test('module revoked: module fails (the rest still listed); granted again: allowed', async () => {
    const t = await setup();
    portalctl('revoke-module', '--clinic', t.clinic.id, '--module', 'patient_portal');
    const d = await t.diag(t.id, 'view_profile');
    assertChecks(d, BASE, ['module']);
    assert.match(detailOf(d, 'module'), /module/i);
    const status = await t.status();
    assert.equal(status.open, false);
    assertChecks({ ...status, allowed: status.open, action: 'status' }, PORTAL, ['module']);
    portalctl('grant-module', '--clinic', t.clinic.id, '--module', 'patient_portal');
    assertChecks(await t.diag(t.id, 'view_profile'), BASE, []);
    assert.equal((await t.status()).open, true);
  });

  test('a clinic that never had the module: module fails from the start', async () => {
    const clinic = makeClinic({ module: false });
    const key = withKey(makeApiKey(clinic.id, 'read,write,admin'));
    const p = await key.request('POST', PATIENTS, { body: { first_name: 'Ali', last_name: 'Can', email: 'ali@can.test' } });
    assert.equal(p.status, 201, p.text);
    const res = await key.request('GET', `${PATIENTS}/${p.body.id}/portal-access?action=view_profile`);
    assert.equal(res.status, 200, res.text);
    // No module, portal never enabled, permission not granted; the code comes from create-clinic.
    assertChecks(res.body, BASE, ['module', 'portal_enabled', 'permission']);
    const status = await key.request('GET', STATUS);
    assert.equal(status.body.open, false);
    assert.equal(status.body.checks[0].condition, 'module');
    assert.equal(status.body.checks[0].ok, false);
  });
});

describe("the patient's conditions", () => {
  test("the patient's portal access off: patient_access fails; on again: allowed", async () => {
    const t = await setup();
    assert.equal((await t.key.request('PATCH', `${PATIENTS}/${t.id}`, { body: { portal_access: false } })).status, 200);
    const d = await t.diag(t.id, 'view_profile');
    assertChecks(d, BASE, ['patient_access']);
    assert.match(detailOf(d, 'patient_access'), /access/i);
    await t.key.request('PATCH', `${PATIENTS}/${t.id}`, { body: { portal_access: true } });
    assertChecks(await t.diag(t.id, 'view_profile'), BASE, []);
  });

  test('neither phone nor email: contact_on_file fails; either one is enough, but not a landline', async () => {
    const t = await setup();
    const bare = await t.patient({ phone: null, email: null });
    const d = await t.diag(bare, 'view_profile');
    assertChecks(d, BASE, ['contact_on_file']);
    assert.match(detailOf(d, 'contact_on_file'), /phone|email/i);
    await t.key.request('PATCH', `${PATIENTS}/${bare}`, { body: { email: 'found@mail.test' } });
    assertChecks(await t.diag(bare, 'view_profile'), BASE, [], 'email only');
    await t.key.request('PATCH', `${PATIENTS}/${bare}`, { body: { email: null, phone: '0533 999 88 77' } });
    assertChecks(await t.diag(bare, 'view_profile'), BASE, [], 'phone only');
    // A landline is no way in: no sign-in code reaches it.
    await t.key.request('PATCH', `${PATIENTS}/${bare}`, { body: { phone: '0212 999 88 77' } });
    const landline = await t.diag(bare, 'view_profile');
    assertChecks(landline, BASE, ['contact_on_file'], 'a landline only');
    assert.match(detailOf(landline, 'contact_on_file'), /landline/);
    // Removing the last contact fails it again.
    await t.key.request('PATCH', `${PATIENTS}/${bare}`, { body: { phone: null } });
    assertChecks(await t.diag(bare, 'view_profile'), BASE, ['contact_on_file'], 'contacts removed');
  });

  test('several failures at once are all named, every condition still listed', async () => {
    const t = await setup();
    const bare = await t.patient({ phone: null, email: null, portal_access: false });
    await t.settings({ enabled: false, permissions: ['view_appointments'] });
    portalctl('revoke-module', '--clinic', t.clinic.id, '--module', 'patient_portal');
    assertChecks(await t.diag(bare, 'view_profile'), BASE,
      ['module', 'portal_enabled', 'patient_access', 'contact_on_file', 'permission']);
    assertChecks(await t.diag(bare, 'make_payment'), [...BASE, 'payment_infrastructure'],
      ['module', 'portal_enabled', 'patient_access', 'contact_on_file', 'permission', 'payment_infrastructure']);
  });
});

describe('permissions', () => {
  test('missing at the clinic level: permission fails', async () => {
    const t = await setup({ permissions: ['view_profile', 'view_appointments'] });
    const d = await t.diag(t.id, 'view_treatments');
    assertChecks(d, BASE, ['permission']);
    assert.match(detailOf(d, 'permission'), /permission/i);
    assertChecks(await t.diag(t.id, 'view_appointments'), BASE, []);
  });

  test("missing from the patient's own set: permission fails though the clinic has it", async () => {
    const t = await setup();
    const put = await t.key.request('PUT', `${PATIENTS}/${t.id}/portal-permissions`, {
      body: { mode: 'custom', permissions: ['view_treatments'] },
    });
    assert.equal(put.status, 200, put.text);
    assertChecks(await t.diag(t.id, 'view_profile'), BASE, ['permission'], 'view_profile not in own set');
    // The own set grants what the clinic's does not.
    assertChecks(await t.diag(t.id, 'view_treatments'), BASE, [], 'view_treatments in own set');
    // Another patient following the clinic is unaffected.
    const other = await t.patient({ first_name: 'Other' });
    assertChecks(await t.diag(other, 'view_profile'), BASE, []);
    assertChecks(await t.diag(other, 'view_treatments'), BASE, ['permission']);
    // Select all: everything in the set.
    await t.key.request('PUT', `${PATIENTS}/${t.id}/portal-permissions`, { body: { mode: 'custom', select_all: true } });
    assertChecks(await t.diag(t.id, 'send_message'), BASE, []);
  });

  test('submit_forms disabled: permission fails (view_forms alone is not enough)', async () => {
    const t = await setup({ permissions: ['view_profile', 'view_forms'] });
    assertChecks(await t.diag(t.id, 'submit_forms'), BASE, ['permission']);
    assertChecks(await t.diag(t.id, 'view_forms'), BASE, []);
    await t.settings({ permissions: ['view_profile', 'view_forms', 'submit_forms'] });
    assertChecks(await t.diag(t.id, 'submit_forms'), BASE, []);
  });
});

describe("the actions' own conditions", () => {
  test('make_payment: payment_infrastructure fails while inactive; passes after the owner activates it', async () => {
    const t = await setup();
    const d = await t.diag(t.id, 'make_payment');
    assertChecks(d, [...BASE, 'payment_infrastructure'], ['payment_infrastructure']);
    assert.match(detailOf(d, 'payment_infrastructure'), /payment/i);
    // Both of the guide's reasons at once: the permission off and the infrastructure inactive.
    await t.settings({ permissions: ['view_profile'] });
    assertChecks(await t.diag(t.id, 'make_payment'), [...BASE, 'payment_infrastructure'],
      ['permission', 'payment_infrastructure']);
    await t.settings({});
    const owner = await signIn(t.clinic.logins.owner);
    const pay = await owner.request('PUT', '/api/v1/clinic/payment-infrastructure', {
      body: { provider: 'devgateway', active: true, credentials: { merchant_id: 'm-1', secret: 'dev-secret-1' } },
    });
    assert.equal(pay.status, 200, pay.text);
    assertChecks(await t.diag(t.id, 'make_payment'), [...BASE, 'payment_infrastructure'], []);
    // Inactive again (provider kept): fails again.
    await owner.request('PUT', '/api/v1/clinic/payment-infrastructure', { body: { provider: 'devgateway', active: false } });
    assertChecks(await t.diag(t.id, 'make_payment'), [...BASE, 'payment_infrastructure'], ['payment_infrastructure']);
    // Other finance actions have no such condition.
    assertChecks(await t.diag(t.id, 'view_profile'), BASE, []);
  });

  test('documents without a document: document_shared fails and says to name one', async () => {
    const t = await setup();
    for (const action of ['view_documents', 'download_documents', 'view_images']) {
      const d = await t.diag(t.id, action);
      assertChecks(d, [...BASE, 'document_shared'], ['document_shared'], action);
      assert.match(detailOf(d, 'document_shared'), /document_id|document/i, `${action} detail`);
    }
    // Uploading concerns no shared document.
    assertChecks(await t.diag(t.id, 'upload_documents'), BASE, []);
  });

  test('documents with a document_id: a shared one passes document_shared (allowed), an unshared one fails it; another patient\'s or clinic\'s is 404', async () => {
    const t = await setup();
    const other = await setup();
    const upload = async (key, patientId, query, raw, type) => {
      const res = await key.request('POST', `${PATIENTS}/${patientId}/documents?${query}`, { raw, headers: { 'content-type': type } });
      assert.equal(res.status, 201, res.text);
      return res.body.id;
    };
    const shared = await upload(t.key, t.id, 'title=Rapor', okPdf(), 'application/pdf');
    assert.equal((await t.key.request('PATCH', `/api/v1/clinic/documents/${shared}`, { body: { shared: true } })).status, 200);
    const unshared = await upload(t.key, t.id, 'title=Taslak', okPdf(), 'application/pdf');
    const image = await upload(t.key, t.id, 'title=Film&kind=image', TINY_JPEG, 'image/jpeg');
    assert.equal((await t.key.request('PATCH', `/api/v1/clinic/documents/${image}`, { body: { shared: true } })).status, 200);
    for (const action of ['view_documents', 'download_documents']) {
      const ok = await t.diag(t.id, action, `&document_id=${shared}`);
      assertChecks(ok, [...BASE, 'document_shared'], [], action);
      assert.equal(ok.allowed, true);
      const no = await t.diag(t.id, action, `&document_id=${unshared}`);
      assertChecks(no, [...BASE, 'document_shared'], ['document_shared'], action);
      assert.match(detailOf(no, 'document_shared'), /not shared/);
    }
    assertChecks(await t.diag(t.id, 'view_images', `&document_id=${image}`), [...BASE, 'document_shared'], []);
    assertChecks(await t.diag(t.id, 'view_images', `&document_id=${unshared}`), [...BASE, 'document_shared'], ['document_shared']);
    // Another patient's (of the same clinic) and another clinic's: 404 like an unknown id.
    const second = await t.patient({ phone: '0532 444 11 23', email: 'ikinci@kilic.test' });
    const foreign = await upload(other.key, other.id, 'title=Yabanci', okPdf(), 'application/pdf');
    for (const [patientId, docId] of [[second, shared], [t.id, foreign]]) {
      assertProblem(await t.key.request('GET', `${PATIENTS}/${patientId}/portal-access?action=view_documents&document_id=${docId}`),
        404, 'not_found');
    }
  });

  test('documents with a document_id that names no document: 404 not_found', async () => {
    const t = await setup();
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const res = await t.key.request('GET',
        `${PATIENTS}/${t.id}/portal-access?action=view_documents&document_id=${id}`);
      assertProblem(res, 404, 'not_found', `document_id=${id}`);
    }
  });
});

describe('the patient cannot submit forms (the guide)', () => {
  test('with a form_id: form_open follows the permission; it fails for a form not assigned, not available to all, or archived', async () => {
    const t = await setup(); // view_forms, not submit_forms
    const other = await setup();
    const c = { clinic: t.clinic, admin: t.key };
    const second = await t.patient({ phone: '0532 444 11 24', email: 'form@kilic.test' });
    const assigned = await makeForm(c, medsDefinition('Atanan'), { assign: [t.id] });
    const toAll = await makeForm(c, medsDefinition('Herkese'), { all: true });
    const notMine = await makeForm(c, medsDefinition('Başkasının'), { assign: [second] });
    const archived = await makeForm(c, medsDefinition('Arşiv'), { assign: [t.id] });
    await archive(c, archived.id);
    const q = (id) => `&form_id=${id}`;
    const FORM = [...BASE, 'form_open'];

    // The permission off: the first reason the guide gives, named with the form's check passing.
    assertChecks(await t.diag(t.id, 'submit_forms', q(assigned.id)), FORM, ['permission']);
    await t.settings({ permissions: [...DEFAULT_SET, 'submit_forms'] });
    for (const form of [assigned, toAll]) {
      assertChecks(await t.diag(t.id, 'submit_forms', q(form.id)), FORM, []);
      assertChecks(await t.diag(t.id, 'view_forms', q(form.id)), FORM, []);
    }
    for (const form of [notMine, archived]) {
      const d = await t.diag(t.id, 'submit_forms', q(form.id));
      assertChecks(d, FORM, ['form_open']);
      assert.match(detailOf(d, 'form_open'), /archived|assigned/);
    }
    // Without a form: the patient may open their forms; the form's condition is not asked.
    assertChecks(await t.diag(t.id, 'submit_forms'), BASE, []);
    // The other patient sees the form assigned to them.
    assertChecks(await t.diag(second, 'submit_forms', q(notMine.id)), FORM, []);
    // Another clinic's form, an unknown id, not an id: 404.
    const foreign = await makeForm({ clinic: other.clinic, admin: other.key }, medsDefinition(), { all: true });
    for (const id of [foreign.id, randomUUID(), 'not-a-uuid']) {
      assertProblem(await t.key.request('GET', `${PATIENTS}/${t.id}/portal-access?action=submit_forms${q(id)}`),
        404, 'not_found', `form_id=${id}`);
    }
  });
});

describe('bad requests', () => {
  test('an unknown or missing action: 422 naming action; an unknown patient: 404', async () => {
    const t = await setup();
    for (const q of ['action=fly', 'action=VIEW_PROFILE', 'action=', '', 'act=view_profile']) {
      const res = await t.key.request('GET', `${PATIENTS}/${t.id}/portal-access${q ? `?${q}` : ''}`);
      assertProblem(res, 422, 'validation_failed', q);
      assert.deepEqual(res.body.errors.map((e) => e.field), ['action'], q);
    }
    assertProblem(await t.key.request('GET', `${PATIENTS}/${randomUUID()}/portal-access?action=view_profile`),
      404, 'not_found');
    // %00 in the query never reaches the diagnostics.
    assertProblem(await t.key.request('GET', `${PATIENTS}/${t.id}/portal-access?action=view_profile%00`),
      400, 'bad_request');
  });

  test('a read-only key may ask', async () => {
    const t = await setup();
    const read = withKey(makeApiKey(t.clinic.id, 'read'));
    const res = await read.request('GET', `${PATIENTS}/${t.id}/portal-access?action=view_profile`);
    assert.equal(res.status, 200, res.text);
    assertChecks(res.body, BASE, []);
    assert.equal((await read.request('GET', STATUS)).status, 200);
  });
});
