// Tenancy (DESIGN.md section 2, issue 4 item 8): with clinic A's staff cookie and with A's
// admin API key every clinic endpoint answers only A's data (me, settings, modules, audit),
// B's changes never show in A's audit, A cannot reach B's staff or settings, and every
// operation that takes an {id} answers B's ids like unknown ones (404); and row-level
// security as the second wall: as portal_app, with portal.clinic_id set to A for the
// transaction, queries without any WHERE clause see only A's rows, with no clinic set they
// see nothing; portal_app can neither change nor remove audit rows; portal_codes is readable
// across clinics but refuses rows written for another clinic.
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { api, assertProblem, psql, psqlTry } from './lib/client.mjs';
import {
  makeApiKey, makeClinic, settingsBody, signIn, withKey,
} from './lib/fixtures.mjs';
import { readFileSync } from 'node:fs';
import { enablePortal, signInPatient } from './lib/fixtures.mjs';
import { makeSchedule } from './lib/fixtures.mjs';
import { totp } from './lib/totp.mjs';
import { okPdf } from './lib/docs.mjs';

const letters = (n) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz'[randomInt(26)]).join('');
const TENANT_TABLES = ['clinics', 'clinic_modules', 'payment_infrastructure', 'staff', 'staff_sessions',
  'api_keys', 'portal_settings', 'audit_log', 'templates', 'patients', 'outbox', 'patient_login_challenges',
  'invoices', 'invoice_lines', 'invoice_counters', 'payments', 'payment_allocations', 'refunds',
  'documents', 'document_access', 'message_threads', 'messages', 'message_auto_replies',
  'forms', 'form_versions', 'form_assignments', 'form_drafts', 'form_submissions'];

// Runs statements as portal_app in one transaction, after setting portal.clinic_id (unless
// clinicId is null). Each statement must answer one labelled column "label=value"; returns
// {label: [values]}. The transaction is rolled back: nothing here changes the database.
function asApp(clinicId, statements) {
  const setup = clinicId === null ? [] : [`SELECT 'set=' || set_config('portal.clinic_id', '${clinicId}', true)`];
  const out = psql(['BEGIN', ...setup, ...statements, 'ROLLBACK'].join('; '), { user: 'portal_app' });
  const result = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const i = line.indexOf('=');
    (result[line.slice(0, i)] ??= []).push(line.slice(i + 1));
  }
  return result;
}

// Every page of the audit list for a requester.
async function auditAll(requester) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 50; page++) {
    const res = await requester.request('GET', `/api/v1/clinic/audit?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200, res.text);
    items.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('the audit list did not end within 50 pages');
}

let A;
let B;

// Two clinics, each with its own code, sessions, keys and some audited changes; B's payment
// infrastructure is active, A has none.
async function setUpClinic(prefix) {
  const clinic = makeClinic({ code: `${prefix}-${letters(10)}` });
  const owner = await signIn(clinic.logins.owner);
  const admin = await signIn(clinic.logins.admin);
  const key = withKey(makeApiKey(clinic.id, 'admin'));
  const requestIds = [];
  // The default invitation templates stay chosen.
  const { sms_template_id, email_template_id } = (await owner.request('GET', '/api/v1/clinic/portal/settings')).body;
  for (const permissions of [['view_profile'], ['view_profile', 'view_balance']]) {
    const res = await owner.request('PUT', '/api/v1/clinic/portal/settings',
      { body: settingsBody({ enabled: true, code: clinic.code, permissions, sms_template_id, email_template_id }) });
    assert.equal(res.status, 200, res.text);
    requestIds.push(res.headers.get('x-request-id'));
  }
  // A patient, an invitation and a started sign-in: rows in the patient-side tables.
  const email = `${prefix}-${letters(8)}@patient.test`;
  const patient = await owner.request('POST', '/api/v1/clinic/patients',
    { body: { first_name: 'Tena', last_name: 'Nt', email } });
  assert.equal(patient.status, 201, patient.text);
  const invited = await owner.request('POST', `/api/v1/clinic/patients/${patient.body.id}/invitations`,
    { body: { channels: ['email'] } });
  assert.equal(invited.status, 201, invited.text);
  requestIds.push(invited.headers.get('x-request-id'));
  const started = await api('POST', `/api/v1/portal/${clinic.code}/login/start`, { body: { contact: email } });
  assert.equal(started.status, 202, started.text);
  return { clinic, owner, admin, key, requestIds };
}

before(async () => {
  [A, B] = await Promise.all([setUpClinic('tenant-a'), setUpClinic('tenant-b')]);
  const pay = await B.owner.request('PUT', '/api/v1/clinic/payment-infrastructure', {
    body: { provider: 'paytr', active: true, credentials: { merchant_id: 'b-pay-merchant', merchant_key: 'b-pay-key', merchant_salt: 'b-pay-salt' } },
  });
  assert.equal(pay.status, 200, pay.text);
  B.requestIds.push(pay.headers.get('x-request-id'));
});

describe("the API answers only the caller's clinic", () => {
  const requesters = [['A\'s staff cookie', () => A.owner], ['A\'s admin API key', () => A.key]];

  for (const [what, who] of requesters) {
    test(`${what}: me, settings and modules are A's`, async () => {
      const me = await who().request('GET', '/api/v1/clinic/me');
      assert.equal(me.status, 200, me.text);
      assert.deepEqual(me.body.clinic, { id: A.clinic.id, name: A.clinic.name, time_zone: 'Europe/Istanbul', currency: 'TRY' });
      const settings = await who().request('GET', '/api/v1/clinic/portal/settings');
      assert.equal(settings.body.code, A.clinic.code);
      assert.deepEqual(settings.body.permissions.sort(), ['view_balance', 'view_profile']);
      const modules = await who().request('GET', '/api/v1/clinic/modules');
      assert.deepEqual(modules.body, { patient_portal: true, payment_infrastructure: { provider: null, active: false } });
      for (const res of [me, settings, modules]) {
        for (const secret of [B.clinic.id, B.clinic.code, B.clinic.name, 'b-pay']) {
          assert.ok(!res.text.includes(secret), `${what}: B's ${secret} leaked into ${res.text}`);
        }
      }
    });

    test(`${what}: the audit list holds exactly A's rows, none of B's`, async () => {
      const items = await auditAll(who());
      const ids = items.map((e) => String(e.id)).sort();
      const expected = psql(`SELECT id FROM audit_log WHERE clinic_id = '${A.clinic.id}' ORDER BY id`).split('\n').filter(Boolean).sort();
      assert.deepEqual(ids, expected);
      const seen = new Set(items.map((e) => e.request_id));
      for (const id of B.requestIds) assert.ok(!seen.has(id), `B's change ${id} shows in A's audit`);
      for (const id of A.requestIds) assert.ok(seen.has(id), `A's change ${id} is missing from A's audit`);
      const text = JSON.stringify(items);
      for (const secret of [B.clinic.id, B.clinic.code, B.owner.staff.id]) assert.ok(!text.includes(secret), `A's audit mentions ${secret}`);
    });
  }

  test('B changing its settings afterwards adds nothing to A\'s audit', async () => {
    const before = (await auditAll(A.key)).length;
    const res = await B.admin.request('PUT', '/api/v1/clinic/portal/settings',
      { body: settingsBody({ enabled: true, code: B.clinic.code, permissions: ['view_treatments'] }) });
    assert.equal(res.status, 200, res.text);
    const after = await auditAll(A.owner);
    assert.equal(after.length, before);
    assert.ok(!after.some((e) => e.request_id === res.headers.get('x-request-id')));
    assert.ok((await auditAll(B.key)).some((e) => e.request_id === res.headers.get('x-request-id')), 'B sees its own change');
  });

  test("A's saves touch only A's settings; B's staff cannot be A's upload reviewer", async () => {
    const bBefore = await B.owner.request('GET', '/api/v1/clinic/portal/settings');
    const saved = await A.key.request('PUT', '/api/v1/clinic/portal/settings',
      { body: settingsBody({ enabled: true, code: A.clinic.code, permissions: ['view_forms'] }) });
    assert.equal(saved.status, 200, saved.text);
    const bAfter = await B.owner.request('GET', '/api/v1/clinic/portal/settings');
    assert.deepEqual(bAfter.body, bBefore.body);
    assert.equal(bAfter.headers.get('etag'), bBefore.headers.get('etag'));
    for (const requester of [A.owner, A.key]) {
      const res = await requester.request('PUT', '/api/v1/clinic/portal/settings', {
        body: settingsBody({ enabled: true, code: A.clinic.code, permissions: ['upload_documents'], upload_reviewer_id: B.admin.staff.id }),
      });
      assertProblem(res, 422, 'validation_failed');
      assert.deepEqual(res.body.errors.map((e) => e.field), ['upload_reviewer_id']);
    }
  });

  test("A cannot take B's code, and the refusal says nothing about B", async () => {
    const check = await A.owner.request('GET', `/api/v1/clinic/portal/code-check?code=${B.clinic.code}`);
    assert.deepEqual([check.body.available, check.body.reason], [false, 'taken']);
    const put = await A.key.request('PUT', '/api/v1/clinic/portal/settings',
      { body: settingsBody({ enabled: true, code: B.clinic.code }) });
    assertProblem(put, 409, 'code_taken');
    for (const res of [check, put]) {
      for (const secret of [B.clinic.id, B.clinic.name]) assert.ok(!res.text.includes(secret), `leaks ${secret}: ${res.text}`);
    }
  });

  test('each public card shows its own clinic', async () => {
    const a = await api('GET', `/api/v1/portal/${A.clinic.code}/`);
    const b = await api('GET', `/api/v1/portal/${B.clinic.code}/`);
    assert.equal(a.body.name, A.clinic.name);
    assert.equal(b.body.name, B.clinic.name);
  });
});

// For every clinic operation of the document that takes an {id}: the request that would
// succeed with one of A's own ids (query and body), keyed by operationId. An id-taking
// operation missing here fails the walk below, so new routes must be added.
const FOREIGN_ID_CALLS = {
  listTreatmentPlans: { kind: 'patient' },
  createTreatmentPlan: { kind: 'patient', body: { title: 'Hijacked' } },
  getTreatmentPlan: { kind: 'treatment_plan' },
  patchTreatmentPlan: { kind: 'treatment_plan', body: { title: 'Hijacked', items: [] } },
  listTreatmentRecords: { kind: 'patient' },
  createTreatmentRecord: { kind: 'patient', body: { performed_on: '2026-01-02', procedure: 'Hijacked' } },
  patchTreatmentRecord: { kind: 'treatment_record', body: { procedure: 'Hijacked' } },
  getPatient: { kind: 'patient' },
  patchPatient: { kind: 'patient', body: { first_name: 'Hijacked' } },
  getPatientPhoto: { kind: 'patient' },
  getPatientPortalPermissions: { kind: 'patient' },
  putPatientPortalPermissions: { kind: 'patient', body: { mode: 'custom', select_all: true } },
  getPatientPortalAccess: { kind: 'patient', query: '?action=view_profile' },
  // API-key management is session-only (DESIGN.md section 16): a key gets 403 before any id.
  revokeApiKey: { kind: 'api_key', sessionOnly: true },
  // So is staff management.
  patchStaff: { kind: 'staff', sessionOnly: true, body: { name: 'Hijacked' } },
  resetStaffTotp: { kind: 'staff', sessionOnly: true },
  getTemplate: { kind: 'template' },
  putTemplate: {
    kind: 'template',
    body: { name: 'Hijacked', channel: 'sms', purpose: 'sign_in_code', variants: { en: { body: 'x {{otp}}' } } },
  },
  deleteTemplate: { kind: 'template' },
  getPatientInvitations: { kind: 'patient' },
  invitePatient: { kind: 'patient', body: { channels: ['email'] } },
  getDelivery: { kind: 'delivery' },
  retryDelivery: { kind: 'delivery' },
  patchPractitioner: { kind: 'practitioner', body: { name: 'Hijacked' } },
  getWorkingHours: { kind: 'practitioner' },
  putWorkingHours: { kind: 'practitioner', body: { items: [] } },
  patchAppointmentType: { kind: 'appointment_type', body: { name: 'Hijacked' } },
  deleteTimeOff: { kind: 'time_off' },
  patchClinicAppointment: { kind: 'appointment', body: { note: 'Hijacked' } },
  cancelClinicAppointment: { kind: 'appointment' },
  getInvoice: { kind: 'invoice' },
  voidInvoice: { kind: 'invoice', body: { reason: 'Hijacked' } },
  getPayment: { kind: 'payment' },
  refundPayment: { kind: 'payment', body: { amount: 1, reason: 'Hijacked' } },
  getPatientBalance: { kind: 'patient' },
  uploadDocument: { kind: 'patient', query: '?title=Hijacked', raw: okPdf('Hijacked'), type: 'application/pdf' },
  listPatientDocuments: { kind: 'patient' },
  getDocument: { kind: 'document' },
  patchDocument: { kind: 'document', body: { title: 'Hijacked', shared: true } },
  deleteDocument: { kind: 'document_spare' },
  getDocumentContent: { kind: 'document' },
  getDocumentThumbnail: { kind: 'image' },
  getDocumentAccess: { kind: 'document' },
  reviewDocument: { kind: 'upload', body: { decision: 'rejected', reason: 'Hijacked' } },
  getThread: { kind: 'thread' },
  replyThread: { kind: 'thread', body: { body: 'Hijacked' } },
  patchThread: { kind: 'thread', body: { status: 'closed', assigned_to: null } },
  // Forms: {n} is version 1, {patient_id} the clinic's own patient of the run (assigned).
  getForm: { kind: 'form' },
  publishForm: { kind: 'form', body: { definition: {
    title: { tr: 'Hijacked', en: 'Hijacked' }, items: [{ link_id: 'h', type: 'string', text: { tr: 'Hijacked', en: 'Hijacked' } }] } } },
  patchForm: { kind: 'form', body: { available_to_all: true } },
  getFormVersion: { kind: 'form' },
  getFormQuestionnaire: { kind: 'form' },
  listFormAssignments: { kind: 'form' },
  assignForm: { kind: 'form', body: (ids) => ({ patient_ids: [ids.patient] }) },
  unassignForm: { kind: 'form' },
  getFormSubmission: { kind: 'form_submission' },
  reviewFormSubmission: { kind: 'form_submission' },
};

// A conversation of the clinic's patient, with a message from each side, and the clinic's
// automatic first answers set (rows in every message table): {thread} id.
async function messageIds(requester, patientId) {
  const started = await requester.request('POST', '/api/v1/clinic/messages',
    { body: { patient_id: patientId, subject: 'Bora konu', topic: 'other', body: 'Bora mesaj' } });
  assert.equal(started.status, 201, started.text);
  const off = { enabled: false, reply_within_hours: 24, body: { tr: null, en: null } };
  const replies = await requester.request('PUT', '/api/v1/clinic/messages/auto-replies', { body: {
    appointment: off, billing: off, other: off,
    clinical: { enabled: true, reply_within_hours: 24, body: { tr: 'Bora yanıt', en: null } } } });
  assert.equal(replies.status, 200, replies.text);
  return { thread: started.body.id };
}

// A form (version 1) assigned to the clinic's patient, with the patient's draft and a
// submission (rows in every form table): {form, form_submission} ids.
async function formIds(requester, clinicId, patientId) {
  const definition = { title: { tr: 'Bora form', en: 'Bora form' },
    items: [{ link_id: 'q1', type: 'string', text: { tr: 'Bora soru', en: 'Bora question' } }] };
  const form = await requester.request('POST', '/api/v1/clinic/forms', { body: { definition } });
  assert.equal(form.status, 201, form.text);
  const assigned = await requester.request('POST', `/api/v1/clinic/forms/${form.body.id}/assignments`,
    { body: { patient_ids: [patientId] } });
  assert.equal(assigned.status, 200, assigned.text);
  psql(`INSERT INTO form_drafts (clinic_id, form_id, patient_id, version, answers)
    VALUES ('${clinicId}', '${form.body.id}', '${patientId}', 1, '{"q1": "Bora taslak"}')`);
  const submission = psql(`INSERT INTO form_submissions (clinic_id, form_id, version, patient_id, answers, language)
    VALUES ('${clinicId}', '${form.body.id}', 1, '${patientId}', '{"q1": "Bora cevap"}', 'tr') RETURNING id`);
  return { form: form.body.id, form_submission: submission };
}

// A document (seen once by staff, so it has an access row), a spare one to delete, an image
// and a patient's pending upload of the clinic's patient: {document, document_spare, image,
// upload} ids.
async function documentIds(requester, clinicId, patientId) {
  const up = async (query, raw, type) => {
    const res = await requester.request('POST', `/api/v1/clinic/patients/${patientId}/documents?${query}`,
      { raw, headers: { 'content-type': type } });
    assert.equal(res.status, 201, res.text);
    return res.body.id;
  };
  const ids = {
    document: await up('title=Bora%20doc', okPdf('Bora doc'), 'application/pdf'),
    document_spare: await up('title=Bora%20spare', okPdf('Bora spare'), 'application/pdf'),
    image: await up('title=Bora%20image&kind=image', readFileSync(new URL('./fixtures/tiny.jpg', import.meta.url)), 'image/jpeg'),
  };
  const seen = await requester.request('GET', `/api/v1/clinic/documents/${ids.document}/content`);
  assert.equal(seen.status, 200, seen.text);
  // A patient's upload waiting for review (its bytes are not needed to review it).
  ids.upload = psql(`INSERT INTO documents (clinic_id, patient_id, kind, title, file_name, content_type, size, sha256,
    source, review_status) VALUES ('${clinicId}', '${patientId}', 'document', 'Bora upload', 'bora.pdf',
    'application/pdf', 10, repeat('b', 64), 'patient', 'pending') RETURNING id`);
  return ids;
}

// A practitioner with hours, an appointment type, a leave and an appointment of the clinic's
// patient: {practitioner, appointment_type, time_off, appointment} ids.
async function scheduleIds(requester, patientId) {
  const { practitioner, type } = await makeSchedule(requester);
  const off = await requester.request('POST', '/api/v1/clinic/time-off',
    { body: { practitioner_id: practitioner.id, start: '2027-05-03T09:00:00+03:00', end: '2027-05-03T12:00:00+03:00' } });
  assert.equal(off.status, 201, off.text);
  const appt = await requester.request('POST', '/api/v1/clinic/appointments', { body: {
    patient_id: patientId, practitioner_id: practitioner.id, type_id: type.id, start: '2027-05-04T10:00:00+03:00' } });
  assert.equal(appt.status, 201, appt.text);
  return { practitioner: practitioner.id, appointment_type: type.id, time_off: off.body.id, appointment: appt.body.id };
}

// A treatment plan (with an item) and a treatment record of the clinic's patient:
// {treatment_plan, treatment_record} ids.
async function treatmentIds(requester, patientId) {
  const plan = await requester.request('POST', `/api/v1/clinic/patients/${patientId}/treatment-plans`,
    { body: { title: 'Bora plan', items: [{ procedure: 'Crown', estimated_cost: 1000 }] } });
  assert.equal(plan.status, 201, plan.text);
  const record = await requester.request('POST', `/api/v1/clinic/patients/${patientId}/treatment-records`,
    { body: { performed_on: '2026-01-01', procedure: 'Bora record' } });
  assert.equal(record.status, 201, record.text);
  return { treatment_plan: plan.body.id, treatment_record: record.body.id };
}

// An invoice of the clinic's patient with nothing paid on it, and a payment (with a refund) of
// a second patient, applied to that patient's invoice: {invoice, payment} ids.
async function financeIds(requester, patientId) {
  const lines = [{ description: 'Bora invoice', quantity: 1, unit_price: 1000, tax_rate_bp: 2000 }];
  const inv = await requester.request('POST', '/api/v1/clinic/invoices', { body: { patient_id: patientId, lines } });
  assert.equal(inv.status, 201, inv.text);
  const payer = await requester.request('POST', '/api/v1/clinic/patients',
    { body: { first_name: 'Bora', last_name: 'Payer', email: `payer-${letters(8)}@patient.test` } });
  assert.equal(payer.status, 201, payer.text);
  const paid = await requester.request('POST', '/api/v1/clinic/invoices', { body: { patient_id: payer.body.id, lines } });
  assert.equal(paid.status, 201, paid.text);
  const pay = await requester.request('POST', '/api/v1/clinic/payments',
    { body: { patient_id: payer.body.id, amount: 1200, method: 'cash' } });
  assert.equal(pay.status, 201, pay.text);
  const refund = await requester.request('POST', `/api/v1/clinic/payments/${pay.body.id}/refund`,
    { body: { amount: 100, reason: 'Bora refund' } });
  assert.equal(refund.status, 201, refund.text);
  return { invoice: inv.body.id, payment: pay.body.id };
}

// Gives the clinic's patient (signing in by email) a photo, so that reading it succeeds.
async function givePhoto(requester, clinic, email) {
  await enablePortal(requester, clinic, { permissions: ['view_profile', 'upload_photo'] });
  const s = await signInPatient(clinic.code, email);
  const res = await s.request('PUT', 'profile/photo', {
    raw: readFileSync(new URL('./fixtures/tiny.jpg', import.meta.url)), headers: { 'content-type': 'image/jpeg' },
  });
  assert.equal(res.status, 200, res.text);
}

// A message of the clinic's own that the notifier gave up on, so that retrying it is allowed.
function deadDelivery(clinicId) {
  return psql(`INSERT INTO outbox (clinic_id, channel, recipient, purpose, locale, body, status, last_error)
    VALUES ('${clinicId}', 'sms', '+905320000000', 'portal_invitation', 'tr', 'x', 'dead', 'test') RETURNING id`);
}

// A template of the clinic's own that the portal settings do not use.
async function spareTemplate(requester) {
  const res = await requester.request('POST', '/api/v1/clinic/templates', {
    body: { name: 'Spare', channel: 'sms', purpose: 'sign_in_code', variants: { tr: { body: 'Kod {{otp}}' } } },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

// An operation's path with {id}, and its other parameters from the run's ids: {n} is a
// form's version 1, {patient_id} the clinic's own patient.
const fill = (path, id, ids) => path.replace('{id}', id).replace('{n}', '1').replace('{patient_id}', ids.patient);
const bodyOf = (call, ids) => (typeof call.body === 'function' ? call.body(ids) : call.body);

describe("another clinic's ids", () => {
  test("every id-taking clinic operation answers 404 not_found for B's ids, and B's data stays as it was", async () => {
    const patient = await B.owner.request('POST', '/api/v1/clinic/patients',
      { body: { first_name: 'Bora', last_name: 'Bee', email: `bee-${letters(8)}@patient.test` } });
    assert.equal(patient.status, 201, patient.text);
    const bKeySecret = makeApiKey(B.clinic.id, 'read');
    const bKeyId = (await withKey(bKeySecret).request('GET', '/api/v1/clinic/me')).body.api_key.id;
    const staffOf = async (owner, role) => (await owner.request('GET', '/api/v1/clinic/staff')).body.items
      .find((m) => m.role === role).id;
    const ids = {
      patient: patient.body.id, api_key: bKeyId, template: await spareTemplate(B.owner),
      delivery: deadDelivery(B.clinic.id), staff: await staffOf(B.owner, 'staff'),
    };
    Object.assign(ids, await treatmentIds(B.owner, ids.patient));
    Object.assign(ids, await scheduleIds(B.owner, ids.patient));
    Object.assign(ids, await financeIds(B.owner, ids.patient));
    Object.assign(ids, await documentIds(B.owner, B.clinic.id, ids.patient));
    Object.assign(ids, await messageIds(B.owner, ids.patient));
    Object.assign(ids, await formIds(B.owner, B.clinic.id, ids.patient));
    // A's own ids, to show each call is right apart from whose id it names (inviting needs
    // an email invitation template chosen; tests above may have cleared it).
    const emailTemplate = (await A.owner.request('GET',
      '/api/v1/clinic/templates?channel=email&purpose=portal_invitation')).body.items[0].id;
    const current = (await A.owner.request('GET', '/api/v1/clinic/portal/settings')).body;
    const chosen = await A.owner.request('PUT', '/api/v1/clinic/portal/settings',
      { body: { ...current, email_template_id: emailTemplate } });
    assert.equal(chosen.status, 200, chosen.text);
    const own = await A.owner.request('POST', '/api/v1/clinic/patients',
      { body: { first_name: 'Ada', last_name: 'Aye', email: `aye-${letters(8)}@patient.test` } });
    assert.equal(own.status, 201, own.text);
    const aKeySecret = makeApiKey(A.clinic.id, 'read');
    const ownIds = {
      patient: own.body.id,
      api_key: (await withKey(aKeySecret).request('GET', '/api/v1/clinic/me')).body.api_key.id,
      template: await spareTemplate(A.owner),
      delivery: deadDelivery(A.clinic.id),
      staff: await staffOf(A.owner, 'staff'),
    };

    // Both staff members use two-factor sign-in, so that an owner's reset has something to do.
    for (const c of [A, B]) {
      const s = await signIn(c.clinic.logins.staff);
      const begun = await s.request('POST', '/api/v1/clinic/me/totp');
      const on = await s.request('POST', '/api/v1/clinic/me/totp/confirm', { body: { code: totp(begun.body.secret) } });
      assert.equal(on.status, 200, on.text);
    }

    Object.assign(ownIds, await treatmentIds(A.owner, ownIds.patient));
    Object.assign(ownIds, await scheduleIds(A.owner, ownIds.patient));
    Object.assign(ownIds, await financeIds(A.owner, ownIds.patient));
    Object.assign(ownIds, await documentIds(A.owner, A.clinic.id, ownIds.patient));
    await givePhoto(A.owner, A.clinic, own.body.email);
    // After the patient's sign-in: its notice must not be taken for the sign-in code's mail.
    Object.assign(ownIds, await messageIds(A.owner, ownIds.patient));
    Object.assign(ownIds, await formIds(A.owner, A.clinic.id, ownIds.patient));
    const doc = (await api('GET', '/api/v1/openapi.json')).body;
    const ops = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/clinic/') || !path.includes('{id}')) continue;
      for (const [method, op] of Object.entries(item)) {
        if (op?.operationId) ops.push({ method: method.toUpperCase(), path, id: op.operationId });
      }
    }
    const missing = ops.filter((o) => !(o.id in FOREIGN_ID_CALLS)).map((o) => `${o.id} (${o.method} ${o.path})`);
    assert.deepEqual(missing, [], 'id-taking operations without a cross-clinic check: add them to FOREIGN_ID_CALLS');

    for (const requester of [A.owner, A.key]) {
      for (const op of ops) {
        const call = FOREIGN_ID_CALLS[op.id];
        const url = (id) => `${fill(op.path, id, ids)}${call.query ?? ''}`;
        const send = { body: bodyOf(call, ids), raw: call.raw, headers: call.type ? { 'content-type': call.type } : undefined };
        const res = await requester.request(op.method, url(ids[call.kind]), send);
        if (call.sessionOnly && requester === A.key) {
          assertProblem(res, 403, 'forbidden_role', `${op.id} with an API key`);
          continue;
        }
        assertProblem(res, 404, 'not_found', `${op.id} with B's id`);
        assert.ok(!res.text.includes('Bora') && !res.text.includes(B.clinic.name), `${op.id}: leaks B's data`);
        // The same id shape of a random uuid answers the same.
        const unknown = await requester.request(op.method, url(randomUUID()), send);
        assertProblem(unknown, 404, 'not_found', `${op.id} with an unknown id`);
        assert.deepEqual(unknown.body, res.body, `${op.id}: a foreign id must look like an unknown one`);
      }
    }
    // The calls were right: with A's own ids they succeed (revocation last).
    for (const op of ops) {
      const call = FOREIGN_ID_CALLS[op.id];
      const res = await A.owner.request(op.method, `${fill(op.path, ownIds[call.kind], ownIds)}${call.query ?? ''}`,
        { body: bodyOf(call, ownIds), raw: call.raw, headers: call.type ? { 'content-type': call.type } : undefined });
      assert.ok(res.status >= 200 && res.status < 300, `${op.id} with A's own id: ${res.status} ${res.text}`);
    }
    // unassignForm took A's assignment away; the row-level security tests below want one.
    const again = await A.owner.request('POST', `/api/v1/clinic/forms/${ownIds.form}/assignments`,
      { body: { patient_ids: [ownIds.patient] } });
    assert.equal(again.status, 200, again.text);
    const still = await B.owner.request('GET', `/api/v1/clinic/patients/${ids.patient}`);
    assert.equal(still.body.first_name, 'Bora');
    const perms = await B.owner.request('GET', `/api/v1/clinic/patients/${ids.patient}/portal-permissions`);
    assert.equal(perms.body.mode, 'clinic');
    assert.equal((await withKey(bKeySecret).request('GET', '/api/v1/clinic/me')).status, 200, "B's key was revoked by A");
    const bStaff = (await B.owner.request('GET', '/api/v1/clinic/staff')).body.items.find((m) => m.id === ids.staff);
    assert.notEqual(bStaff.name, 'Hijacked', "B's staff member was renamed by A");
    assert.equal(bStaff.totp_enabled, true, "B's staff member's two-factor was reset by A");
    const template = await B.owner.request('GET', `/api/v1/clinic/templates/${ids.template}`);
    assert.equal(template.body.name, 'Spare', "B's template was changed by A");
    const delivery = await B.owner.request('GET', `/api/v1/clinic/deliveries/${ids.delivery}`);
    assert.equal(delivery.body.status, 'dead', "B's dead message was retried by A");
    const invited = await B.owner.request('GET', `/api/v1/clinic/patients/${ids.patient}/invitations`);
    assert.equal(invited.body.items.length, 0, 'A invited B\'s patient');
    const bAppointments = await B.owner.request('GET', '/api/v1/clinic/appointments?from=2027-05-04&to=2027-05-04');
    assert.deepEqual(bAppointments.body.items.map((x) => [x.id, x.status, x.note]), [[ids.appointment, 'booked', '']],
      "B's appointment was changed by A");
    const bInvoice = await B.owner.request('GET', `/api/v1/clinic/invoices/${ids.invoice}`);
    assert.deepEqual([bInvoice.body.status, bInvoice.body.void_reason], ['open', null], "B's invoice was voided by A");
    const bPayment = await B.owner.request('GET', `/api/v1/clinic/payments/${ids.payment}`);
    assert.equal(bPayment.body.refunded, 100, "B's payment was refunded by A");
    const bDoc = await B.owner.request('GET', `/api/v1/clinic/documents/${ids.document}`);
    assert.deepEqual([bDoc.body.title, bDoc.body.shared], ['Bora doc', false], "B's document was changed by A");
    assert.equal((await B.owner.request('GET', `/api/v1/clinic/documents/${ids.document_spare}`)).status, 200,
      "B's document was deleted by A");
    const bUpload = await B.owner.request('GET', `/api/v1/clinic/documents/${ids.upload}`);
    assert.equal(bUpload.body.review.status, 'pending', "B's upload was reviewed by A");
    assert.equal(psql(`SELECT count(*) FROM documents WHERE patient_id = '${ids.patient}' AND title = 'Hijacked'`), '0',
      "A uploaded to B's patient");
    assert.equal(psql(`SELECT count(*) FROM document_access WHERE document_id = '${ids.document}'`), '1',
      "A's fetch of B's document was recorded");
    const bThread = await B.owner.request('GET', `/api/v1/clinic/messages/${ids.thread}`);
    assert.deepEqual([bThread.body.status, bThread.body.messages.map((m) => m.body)], ['open', ['Bora mesaj']],
      "B's conversation was changed by A");
    const bForm = await B.owner.request('GET', `/api/v1/clinic/forms/${ids.form}`);
    assert.deepEqual([bForm.body.current_version, bForm.body.available_to_all, bForm.body.assigned_count], [1, false, 1],
      "B's form was changed by A");
    const bSubmission = await B.owner.request('GET', `/api/v1/clinic/form-submissions/${ids.form_submission}`);
    assert.equal(bSubmission.body.status, 'submitted', "B's submission was reviewed by A");
  });
});

describe('row-level security as portal_app', () => {
  test("with A's clinic set, queries without WHERE see only A's rows", () => {
    const r = asApp(A.clinic.id, [
      "SELECT 'settings=' || count(*) FROM portal_settings",
      "SELECT 'audit=' || clinic_id FROM (SELECT DISTINCT clinic_id FROM audit_log) d",
      ...TENANT_TABLES.map((t) => `SELECT '${t}=' || clinic_id FROM (SELECT DISTINCT ${t === 'clinics' ? 'id' : 'clinic_id'} AS clinic_id FROM ${t}) d`),
      "SELECT 'staff_count=' || count(*) FROM staff",
    ]);
    assert.deepEqual(r.set, [A.clinic.id]);
    assert.deepEqual(r.settings, ['1']);
    assert.deepEqual(r.audit, [A.clinic.id]);
    for (const t of TENANT_TABLES) {
      if (t === 'payment_infrastructure') {
        assert.equal(r[t], undefined, 'A has no payment infrastructure row, and must not see B\'s');
      } else {
        assert.deepEqual(r[t], [A.clinic.id], `${t} shows other clinics' rows`);
      }
    }
    assert.deepEqual(r.staff_count, ['3']);
    // And B sees its own, including its payment infrastructure.
    const rb = asApp(B.clinic.id, ["SELECT 'pay=' || clinic_id || ' ' || provider FROM payment_infrastructure"]);
    assert.deepEqual(rb.pay, [`${B.clinic.id} paytr`]);
  });

  test('with no clinic set, every tenant table looks empty', () => {
    const r = asApp(null, TENANT_TABLES.map((t) => `SELECT '${t}=' || count(*) FROM ${t}`));
    for (const t of TENANT_TABLES) assert.deepEqual(r[t], ['0'], `${t} visible without a clinic`);
    // An empty setting is no clinic either.
    const empty = asApp('', ["SELECT 'audit=' || count(*) FROM audit_log"]);
    assert.deepEqual(empty.audit, ['0']);
  });

  test('portal_app can neither UPDATE nor DELETE audit rows, even its own clinic\'s', () => {
    const set = `SELECT set_config('portal.clinic_id', '${A.clinic.id}', true)`;
    for (const stmt of [
      `UPDATE audit_log SET action = 'forged' WHERE clinic_id = '${A.clinic.id}'`,
      `DELETE FROM audit_log WHERE clinic_id = '${A.clinic.id}'`,
      'TRUNCATE audit_log',
    ]) {
      const r = psqlTry(`BEGIN; ${set}; ${stmt}; ROLLBACK`, { user: 'portal_app' });
      assert.notEqual(r.status, 0, `${stmt} was allowed`);
      assert.match(r.stderr, /permission denied/, stmt);
    }
    assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'forged' AND clinic_id = '${A.clinic.id}'`), '0');
    // It may add rows for its own clinic (rolled back here).
    const ok = asApp(A.clinic.id, [`WITH i AS (INSERT INTO audit_log (clinic_id, actor_type, action, target_type)
      VALUES ('${A.clinic.id}', 'system', 'test.probe', 'test') RETURNING 1) SELECT 'inserted=' || count(*) FROM i`]);
    assert.deepEqual(ok.inserted, ['1']);
    const foreign = psqlTry(`BEGIN; ${set}; INSERT INTO audit_log (clinic_id, actor_type, action, target_type)
      VALUES ('${B.clinic.id}', 'system', 'test.probe', 'test'); ROLLBACK`, { user: 'portal_app' });
    assert.notEqual(foreign.status, 0, "an audit row for another clinic was accepted");
    assert.match(foreign.stderr, /row-level security/);
  });

  test("portal_codes is readable across clinics, but rows for another clinic are refused", () => {
    const r = asApp(A.clinic.id, [
      `SELECT 'b_code=' || clinic_id FROM portal_codes WHERE code = '${B.clinic.code}'`,
      `WITH u AS (UPDATE portal_codes SET retired_at = now() WHERE code = '${B.clinic.code}' RETURNING 1)
        SELECT 'updated=' || count(*) FROM u`,
      `WITH i AS (INSERT INTO portal_codes (code, clinic_id, retired_at) VALUES ('own-${letters(10)}', '${A.clinic.id}', now())
        RETURNING 1) SELECT 'own_insert=' || count(*) FROM i`,
    ]);
    assert.deepEqual(r.b_code, [B.clinic.id], "B's code must be readable for the public lookup");
    assert.deepEqual(r.updated, ['0'], "A could change B's code row");
    assert.deepEqual(r.own_insert, ['1']);
    const set = `SELECT set_config('portal.clinic_id', '${A.clinic.id}', true)`;
    const foreign = psqlTry(`BEGIN; ${set}; INSERT INTO portal_codes (code, clinic_id, retired_at)
      VALUES ('stolen-${letters(10)}', '${B.clinic.id}', now()); ROLLBACK`, { user: 'portal_app' });
    assert.notEqual(foreign.status, 0, "an INSERT for another clinic's id was accepted");
    assert.match(foreign.stderr, /row-level security/);
    const noClinic = psqlTry(`INSERT INTO portal_codes (code, clinic_id, retired_at)
      VALUES ('nobody-${letters(10)}', '${A.clinic.id}', now())`, { user: 'portal_app' });
    assert.notEqual(noClinic.status, 0, 'an INSERT without a clinic set was accepted');
    assert.equal(psql(`SELECT retired_at IS NULL FROM portal_codes WHERE code = '${B.clinic.code}'`), 't');
  });
});
