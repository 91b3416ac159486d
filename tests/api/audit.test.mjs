// The audit log (issue 4 item 9): the walker reads the served OpenAPI document, takes every
// POST/PUT/PATCH/DELETE under /api/v1/clinic/, and performs one successful change for each
// from the CHANGES table below (an operation missing from the table fails the test: new
// changing routes must be added there); each change adds exactly one audit row, naming the
// actor, the action and the request id of the response, without any secret (a POST that
// changes nothing, the template preview, has action null and must add none). Refused changes
// (401/403/409/412/422) add none. GET /audit pages newest first with a cursor, checks limit and
// cursor, and is for owner/admin (and admin keys) only.
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { api, assertProblem, psql } from './lib/client.mjs';
import {
  enablePortal, makeApiKey, makeClinic, portalctl, settingsBody, signIn, withKey,
} from './lib/fixtures.mjs';
import { makeSchedule, nextMessage, sinkMark } from './lib/fixtures.mjs';
import { currentStep, totp } from './lib/totp.mjs';
import { clinicDoc, docClinic, okPdf, patientUpload } from './lib/docs.mjs';

const CLINIC_PREFIX = '/api/v1/clinic/';
const CHANGING = ['post', 'put', 'patch', 'delete'];
const letters = (n) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz'[randomInt(26)]).join('');
const newClinic = () => makeClinic({ code: `audit-${letters(10)}` });
const cookieToken = (res) => /portal_staff=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
const sessionHeaders = (s) => ({ cookie: s.cookie, 'x-csrf-token': s.csrf });

// A session of login with two-factor sign-in on: {s, secret, step, codes}.
async function withTotp(login) {
  const s = await signIn(login);
  const begun = await s.request('POST', '/api/v1/clinic/me/totp');
  assert.equal(begun.status, 200, begun.text);
  const step = currentStep();
  const done = await s.request('POST', '/api/v1/clinic/me/totp/confirm', { body: { code: totp(begun.body.secret, step) } });
  assert.equal(done.status, 200, done.text);
  return { s, secret: begun.body.secret, step, codes: done.body.recovery_codes };
}

// A reset link's token for login's person, read from the mail sink.
async function resetToken(login) {
  const mark = sinkMark();
  assert.equal((await api('POST', '/api/v1/clinic/auth/password-reset', { body: { email: login.email } })).status, 202);
  const mail = await nextMessage(login.email, mark);
  return /#\/set-password\/([A-Za-z0-9_-]+)/.exec(mail.text)[1];
}

const auditCount = (clinicId) => Number(psql(`SELECT count(*) FROM audit_log WHERE clinic_id = '${clinicId}'`));
const newestRow = (clinicId) => JSON.parse(psql(
  `SELECT row_to_json(a) FROM audit_log a WHERE clinic_id = '${clinicId}' ORDER BY id DESC LIMIT 1`,
));

// A form definition of one question (the clinic's languages are Turkish and English).
const auditedForm = (question) => ({ title: { tr: 'Denetim formu', en: 'Audit form' },
  items: [{ link_id: 'q1', type: 'string', text: { tr: question, en: question } }] });

// A fresh clinic with an admin's session, a patient and a form (assigned to the patient when
// asked): {clinic, s, patient, form}.
async function formClinic({ assign = false } = {}) {
  const clinic = newClinic();
  const s = await signIn(clinic.logins.admin);
  const patient = await createPatient(s);
  const form = await s.request('POST', '/api/v1/clinic/forms', { body: { definition: auditedForm('Audited question') } });
  assert.equal(form.status, 201, form.text);
  if (assign) {
    const a = await s.request('POST', `/api/v1/clinic/forms/${form.body.id}/assignments`,
      { body: { patient_ids: [patient.id] } });
    assert.equal(a.status, 200, a.text);
  }
  return { clinic, s, patient, form: form.body };
}

// How to make one successful change for each changing operation of the document, keyed by
// operationId. setup() prepares a fresh clinic and answers {clinic, params (path parameters),
// body, headers, actor(res) -> [actor_type, actor_id], secrets(res) -> [strings that must not
// reach the audit row]}.
const CHANGES = {
  createTreatmentPlan: {
    status: 201,
    action: 'treatment_plan.create',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      return {
        clinic,
        params: { id: patient.id },
        body: { title: 'Audited plan', items: [{ procedure: 'Crown', area: '16', estimated_cost: 300000 }] },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  patchTreatmentPlan: {
    status: 200,
    action: 'treatment_plan.update',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      const plan = await s.request('POST', `/api/v1/clinic/patients/${patient.id}/treatment-plans`, { body: { title: 'Plan' } });
      assert.equal(plan.status, 201, plan.text);
      return {
        clinic,
        params: { id: plan.body.id },
        body: { status: 'accepted', items: [{ procedure: 'Filling', estimated_cost: 1000 }] },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  createTreatmentRecord: {
    status: 201,
    action: 'treatment_record.create',
    async setup() {
      const clinic = newClinic();
      const key = makeApiKey(clinic.id, 'read,write');
      const keyId = (await api('GET', '/api/v1/clinic/me', { headers: { authorization: `Bearer ${key}` } })).body.api_key.id;
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      return {
        clinic,
        params: { id: patient.id },
        body: { performed_on: '2026-03-02', procedure: 'Check-up', notes_for_patient: 'All well.' },
        headers: { authorization: `Bearer ${key}` },
        actor: () => ['api_key', keyId],
        secrets: () => [key],
      };
    },
  },
  patchTreatmentRecord: {
    status: 200,
    action: 'treatment_record.update',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      const record = await s.request('POST', `/api/v1/clinic/patients/${patient.id}/treatment-records`,
        { body: { performed_on: '2026-03-02', procedure: 'Check-up' } });
      assert.equal(record.status, 201, record.text);
      return {
        clinic,
        params: { id: record.body.id },
        body: { notes_for_patient: 'Come back in six months.' },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  createInvoice: {
    status: 201,
    action: 'invoice.create',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      return {
        clinic,
        body: { patient_id: patient.id, lines: [{ description: 'Crown', quantity: 1, unit_price: 300000, tax_rate_bp: 2000 }] },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  voidInvoice: {
    status: 200,
    action: 'invoice.void',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      const inv = await s.request('POST', '/api/v1/clinic/invoices',
        { body: { patient_id: patient.id, lines: [{ description: 'Visit', quantity: 1, unit_price: 1000, tax_rate_bp: 0 }] } });
      assert.equal(inv.status, 201, inv.text);
      return {
        clinic,
        params: { id: inv.body.id },
        body: { reason: 'Entered twice' },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  createPayment: {
    status: 201,
    action: 'payment.create',
    async setup() {
      const clinic = newClinic();
      const key = makeApiKey(clinic.id, 'read,write');
      const keyId = (await api('GET', '/api/v1/clinic/me', { headers: { authorization: `Bearer ${key}` } })).body.api_key.id;
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      return {
        clinic,
        body: { patient_id: patient.id, amount: 5000, method: 'card' },
        headers: { authorization: `Bearer ${key}` },
        actor: () => ['api_key', keyId],
        secrets: () => [key],
      };
    },
  },
  refundPayment: {
    status: 201,
    action: 'payment.refund',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      const pay = await s.request('POST', '/api/v1/clinic/payments',
        { body: { patient_id: patient.id, amount: 5000, method: 'cash' } });
      assert.equal(pay.status, 201, pay.text);
      return {
        clinic,
        params: { id: pay.body.id },
        body: { amount: 2000, reason: 'Goodwill' },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  uploadDocument: {
    status: 201,
    action: 'document.create',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      return {
        clinic,
        params: { id: patient.id },
        query: '?title=Audited%20report&file_name=rapor.pdf',
        raw: okPdf('Audited'),
        headers: { ...sessionHeaders(s), 'content-type': 'application/pdf' },
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  patchDocument: {
    status: 200,
    action: 'document.update',
    async setup() {
      const c = await docClinic();
      const d = await clinicDoc(c.owner, c.patient.id, okPdf('Audited'), { share: false });
      return {
        clinic: c.clinic,
        params: { id: d.id },
        body: { title: 'Renamed', shared: true },
        headers: { authorization: `Bearer ${c.keySecret}` },
        actor: async () => ['api_key', (await c.key.request('GET', '/api/v1/clinic/me')).body.api_key.id],
        secrets: () => [c.keySecret],
      };
    },
  },
  deleteDocument: {
    status: 204,
    action: 'document.delete',
    async setup() {
      const c = await docClinic();
      const d = await clinicDoc(c.owner, c.patient.id, okPdf('Audited'), { share: false });
      return {
        clinic: c.clinic,
        params: { id: d.id },
        headers: sessionHeaders(c.staff),
        actor: () => ['staff', c.staff.staff.id],
        secrets: () => [c.staff.csrf, c.staff.cookie.split('=')[1]],
      };
    },
  },
  reviewDocument: {
    status: 200,
    action: 'document.review',
    async setup() {
      const c = await docClinic();
      const up = await patientUpload(c.session, okPdf('Audited upload'));
      assert.equal(up.status, 201, up.text);
      return {
        clinic: c.clinic,
        params: { id: up.body.id },
        body: { decision: 'rejected', reason: 'Unreadable' },
        headers: sessionHeaders(c.admin),
        actor: () => ['staff', c.admin.staff.id],
        secrets: () => [c.admin.csrf, c.admin.cookie.split('=')[1], c.session.cookie.split('=')[1]],
      };
    },
  },
  startThread: {
    status: 201,
    action: 'message.thread.create',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      return {
        clinic,
        body: { patient_id: patient.id, subject: 'Audited subject', topic: 'other', body: 'Audited body' },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1], 'Audited subject', 'Audited body'],
      };
    },
  },
  replyThread: {
    status: 201,
    action: 'message.reply',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      const t = await s.request('POST', '/api/v1/clinic/messages',
        { body: { patient_id: patient.id, subject: 'Audited subject', topic: 'other', body: 'First' } });
      assert.equal(t.status, 201, t.text);
      return {
        clinic,
        params: { id: t.body.id },
        body: { body: 'Audited reply body' },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [s.csrf, s.cookie.split('=')[1], 'Audited subject', 'Audited reply body'],
      };
    },
  },
  patchThread: {
    status: 200,
    action: 'message.thread.update',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.admin);
      const patient = await createPatient(s);
      const t = await s.request('POST', '/api/v1/clinic/messages',
        { body: { patient_id: patient.id, subject: 'Audited subject', topic: 'billing', body: 'Audited body' } });
      assert.equal(t.status, 201, t.text);
      return {
        clinic,
        params: { id: t.body.id },
        body: { status: 'closed', assigned_to: s.staff.id },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [s.csrf, s.cookie.split('=')[1], 'Audited subject', 'Audited body'],
      };
    },
  },
  createForm: {
    status: 201,
    action: 'form.create',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.admin);
      return {
        clinic,
        body: { definition: auditedForm('Audited question') },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.admin.password, s.csrf, s.cookie.split('=')[1], 'Audited question'],
      };
    },
  },
  publishForm: {
    status: 200,
    action: 'form.publish',
    async setup() {
      const { clinic, s, form } = await formClinic();
      return {
        clinic,
        params: { id: form.id },
        body: { definition: auditedForm('Audited second question') },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [s.csrf, s.cookie.split('=')[1], 'Audited second question'],
      };
    },
  },
  patchForm: {
    status: 200,
    action: 'form.update',
    async setup() {
      const { clinic, form } = await formClinic();
      const secret = makeApiKey(clinic.id, 'admin');
      return {
        clinic,
        params: { id: form.id },
        body: { status: 'archived', available_to_all: true },
        headers: { authorization: `Bearer ${secret}` },
        actor: async () => ['api_key', (await withKey(secret).request('GET', '/api/v1/clinic/me')).body.api_key.id],
        secrets: () => [secret, 'Audited question'],
      };
    },
  },
  assignForm: {
    status: 200,
    action: 'form.assign',
    async setup() {
      const { clinic, s, form, patient } = await formClinic();
      return {
        clinic,
        params: { id: form.id },
        body: { patient_ids: [patient.id] },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [s.csrf, s.cookie.split('=')[1], 'Audited question'],
      };
    },
  },
  unassignForm: {
    status: 204,
    action: 'form.unassign',
    async setup() {
      const { clinic, s, form, patient } = await formClinic({ assign: true });
      return {
        clinic,
        params: { id: form.id, patient_id: patient.id },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [s.csrf, s.cookie.split('=')[1], 'Audited question'],
      };
    },
  },
  reviewFormSubmission: {
    status: 200,
    action: 'form_submission.review',
    async setup() {
      const { clinic, form, patient } = await formClinic({ assign: true });
      const staff = await signIn(clinic.logins.staff);
      const submission = psql(`INSERT INTO form_submissions (clinic_id, form_id, version, patient_id, answers, language)
        VALUES ('${clinic.id}', '${form.id}', 1, '${patient.id}', '{"q1": "Audited answer"}', 'tr') RETURNING id`);
      return {
        clinic,
        params: { id: submission },
        headers: sessionHeaders(staff),
        actor: () => ['staff', staff.staff.id],
        secrets: () => [staff.csrf, staff.cookie.split('=')[1], 'Audited question', 'Audited answer'],
      };
    },
  },
  putAutoReplies: {
    status: 200,
    action: 'message.auto_replies.update',
    async setup() {
      const clinic = newClinic();
      const secret = makeApiKey(clinic.id, 'admin');
      const off = { enabled: false, reply_within_hours: 24, body: { tr: null, en: null } };
      return {
        clinic,
        body: { appointment: off, billing: off, other: off,
          clinical: { enabled: true, reply_within_hours: 12, body: { tr: 'Yanıt', en: 'Answer' } } },
        headers: { authorization: `Bearer ${secret}` },
        actor: async () => ['api_key', (await withKey(secret).request('GET', '/api/v1/clinic/me')).body.api_key.id],
        secrets: () => [secret],
      };
    },
  },
  staffLogin: {
    status: 200,
    action: 'staff.login',
    async setup() {
      const clinic = newClinic();
      const login = clinic.logins.admin;
      return {
        clinic,
        body: login,
        headers: {},
        actor: (res) => ['staff', res.body.staff.id],
        secrets: (res) => [login.password, res.body.csrf_token, cookieToken(res)],
      };
    },
  },
  staffSelectClinic: {
    status: 200,
    action: 'staff.login',
    async setup() {
      const clinic = newClinic();
      const elsewhere = newClinic();
      // The admin of clinic joins another: signing in offers both, and picking one signs in.
      const login = clinic.logins.admin;
      portalctl('create-staff', '--clinic', elsewhere.id, '--email', login.email, '--role', 'staff');
      const offer = await api('POST', '/api/v1/clinic/auth/login', { body: login });
      assert.equal(offer.status, 200, offer.text);
      assert.ok(offer.body.selection_token, offer.text);
      return {
        clinic,
        body: { selection_token: offer.body.selection_token, clinic_id: clinic.id },
        headers: {},
        actor: (res) => ['staff', res.body.staff.id],
        secrets: (res) => [login.password, offer.body.selection_token, res.body.csrf_token, cookieToken(res)],
      };
    },
  },
  staffLoginTotp: {
    status: 200,
    action: 'staff.login',
    async setup() {
      const clinic = newClinic();
      const login = clinic.logins.admin;
      const t = await withTotp(login);
      const first = await api('POST', '/api/v1/clinic/auth/login', { body: login });
      assert.ok(first.body.login_token, first.text);
      const code = totp(t.secret, t.step + 1);
      return {
        clinic,
        body: { login_token: first.body.login_token, code },
        headers: {},
        actor: (res) => ['staff', res.body.staff.id],
        secrets: (res) => [login.password, first.body.login_token, t.secret, res.body.csrf_token, cookieToken(res)],
      };
    },
  },
  // Asking for a link changes no account: the mail is the only trace (in the deliveries).
  staffPasswordReset: {
    status: 202,
    action: null,
    async setup() {
      const clinic = newClinic();
      return { clinic, body: { email: clinic.logins.staff.email }, headers: {}, actor: () => [], secrets: () => [] };
    },
  },
  staffPasswordResetFinish: {
    status: 204,
    action: 'staff.password_reset',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const token = await resetToken(clinic.logins.staff);
      const fresh = 'Ilık bir yaz akşamı 2026';
      return {
        clinic,
        body: { token, password: fresh },
        headers: {},
        actor: () => ['staff', s.staff.id],
        secrets: () => [token, fresh],
      };
    },
  },
  beginOwnTotp: {
    status: 200,
    action: null,
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      return { clinic, headers: sessionHeaders(s), actor: () => [], secrets: (res) => [res.body.secret] };
    },
  },
  confirmOwnTotp: {
    status: 200,
    action: 'staff.totp_enable',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const begun = await s.request('POST', '/api/v1/clinic/me/totp');
      return {
        clinic,
        body: { code: totp(begun.body.secret) },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: (res) => [begun.body.secret, ...res.body.recovery_codes],
      };
    },
  },
  disableOwnTotp: {
    status: 204,
    action: 'staff.totp_disable',
    async setup() {
      const clinic = newClinic();
      const t = await withTotp(clinic.logins.staff);
      return {
        clinic,
        body: { code: totp(t.secret, t.step + 1) },
        headers: sessionHeaders(t.s),
        actor: () => ['staff', t.s.staff.id],
        secrets: () => [t.secret],
      };
    },
  },
  inviteStaff: {
    status: 201,
    action: 'staff.invite',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.owner);
      return {
        clinic,
        body: { email: `invited-${letters(8)}@clinic.test`, name: 'Invited Person', role: 'staff' },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [],
      };
    },
  },
  resetStaffTotp: {
    status: 204,
    action: 'staff.totp_reset',
    async setup() {
      const clinic = newClinic();
      const owner = await signIn(clinic.logins.owner);
      const t = await withTotp(clinic.logins.staff);
      return {
        clinic,
        params: { id: t.s.staff.id },
        headers: sessionHeaders(owner),
        actor: () => ['staff', owner.staff.id],
        secrets: () => [t.secret],
      };
    },
  },
  putClinicSecurity: {
    status: 200,
    action: 'clinic.security',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.owner);
      return { clinic, body: { require_totp: true }, headers: sessionHeaders(s), actor: () => ['staff', s.staff.id], secrets: () => [] };
    },
  },
  patchStaff: {
    status: 200,
    action: 'staff.update',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.owner);
      const list = await s.request('GET', '/api/v1/clinic/staff');
      const target = list.body.items.find((m) => m.role === 'staff');
      return {
        clinic,
        params: { id: target.id },
        body: { role: 'admin' },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.owner.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  changeOwnPassword: {
    status: 204,
    action: 'staff.password_change',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const fresh = 'Yeni ve uzun bir parola 9';
      return {
        clinic,
        body: { current_password: clinic.logins.staff.password, password: fresh },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, fresh, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  endOwnOtherSessions: {
    status: 200,
    action: 'staff.sessions_end',
    async setup() {
      const clinic = newClinic();
      await signIn(clinic.logins.admin);
      const s = await signIn(clinic.logins.admin);
      return {
        clinic,
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.admin.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  staffLogout: {
    status: 204,
    action: 'staff.logout',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      return {
        clinic,
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  putClinicProfile: {
    status: 200,
    action: 'clinic.profile.update',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.admin);
      return {
        clinic,
        body: { name: 'Audited clinic', phone: null, email: 'desk@audited.example', address: null,
          languages: ['tr'], default_language: 'tr', country: 'TR', time_zone: 'Europe/Istanbul',
          currency: 'TRY', invoice_prefix: 'AUD' },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.admin.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  putPaymentInfrastructure: {
    status: 200,
    action: 'payment_infrastructure.update',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.owner);
      return {
        clinic,
        body: { provider: 'devgateway', active: true, credentials: { merchant_id: 'merchant-audited', secret: 'devgateway-secret-audited' } },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        // The credentials are write-only: never in the audit row either.
        secrets: () => [clinic.logins.owner.password, s.csrf, s.cookie.split('=')[1], 'merchant-audited',
          'devgateway-secret-audited'],
      };
    },
  },
  // A test checkout changes nothing (and, with no credentials saved, calls nobody).
  testPaymentInfrastructure: {
    status: 200,
    action: null,
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.owner);
      return { clinic, headers: sessionHeaders(s), actor: () => [], secrets: () => [] };
    },
  },
  putPortalSettings: {
    status: 200,
    action: 'portal.settings.update',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.admin);
      return {
        clinic,
        body: settingsBody({ enabled: true, code: clinic.code, permissions: ['view_profile', 'view_appointments'] }),
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.admin.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  createApiKey: {
    status: 201,
    action: 'api_key.create',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.admin);
      return {
        clinic,
        body: { name: 'walker key', scopes: ['read'] },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        // The new key itself is shown once, to the caller, and never lands in the log.
        secrets: (res) => [res.body.key, clinic.logins.admin.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  revokeApiKey: {
    status: 204,
    action: 'api_key.revoke',
    async setup() {
      const clinic = newClinic();
      const secret = makeApiKey(clinic.id, 'read');
      const keyId = (await withKey(secret).request('GET', '/api/v1/clinic/me')).body.api_key.id;
      // API-key management is session-only (DESIGN.md section 16).
      const s = await signIn(clinic.logins.admin);
      return {
        clinic,
        params: { id: keyId },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [secret, clinic.logins.admin.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  createTemplate: {
    status: 201,
    action: 'template.create',
    async setup() {
      const clinic = newClinic();
      const admin = makeApiKey(clinic.id, 'admin');
      const adminId = (await withKey(admin).request('GET', '/api/v1/clinic/me')).body.api_key.id;
      return {
        clinic,
        body: {
          name: 'Walker SMS', channel: 'sms', purpose: 'portal_invitation',
          variants: { tr: { body: '{{clinic_name}}: {{portal_url}}' }, en: null },
        },
        headers: { authorization: `Bearer ${admin}` },
        actor: () => ['api_key', adminId],
        secrets: () => [admin],
      };
    },
  },
  // A POST that changes nothing (it renders a text): it must add no audit row.
  previewTemplate: {
    status: 200,
    action: null,
    async setup() {
      const clinic = newClinic();
      const admin = makeApiKey(clinic.id, 'admin');
      return {
        clinic,
        body: { channel: 'sms', purpose: 'portal_invitation', language: 'tr', body: '{{clinic_name}}: {{portal_url}}' },
        headers: { authorization: `Bearer ${admin}` },
        actor: () => [],
        secrets: () => [admin],
      };
    },
  },
  putTemplate: {
    status: 200,
    action: 'template.update',
    async setup() {
      const clinic = newClinic();
      const admin = makeApiKey(clinic.id, 'admin');
      const key = withKey(admin);
      const adminId = (await key.request('GET', '/api/v1/clinic/me')).body.api_key.id;
      const created = await key.request('POST', '/api/v1/clinic/templates', {
        body: { name: 'Walker', channel: 'email', purpose: 'sign_in_code',
          variants: { en: { subject: 'Code', body: 'Your code: {{otp}}' } } },
      });
      return {
        clinic,
        params: { id: created.body.id },
        body: { name: 'Walker 2', channel: 'email', purpose: 'sign_in_code',
          variants: { tr: { subject: 'Kod', body: 'Kodunuz: {{otp}}' }, en: { subject: 'Code', body: 'Your code: {{otp}}' } } },
        headers: { authorization: `Bearer ${admin}` },
        actor: () => ['api_key', adminId],
        secrets: () => [admin],
      };
    },
  },
  deleteTemplate: {
    status: 204,
    action: 'template.delete',
    async setup() {
      const clinic = newClinic();
      const admin = makeApiKey(clinic.id, 'admin');
      const key = withKey(admin);
      const adminId = (await key.request('GET', '/api/v1/clinic/me')).body.api_key.id;
      const created = await key.request('POST', '/api/v1/clinic/templates', {
        body: { name: 'Walker', channel: 'sms', purpose: 'sign_in_code', variants: { en: { body: '{{otp}}' } } },
      });
      return {
        clinic,
        params: { id: created.body.id },
        headers: { authorization: `Bearer ${admin}` },
        actor: () => ['api_key', adminId],
        secrets: () => [admin],
      };
    },
  },
  createPatient: {
    status: 201,
    action: 'patient.create',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      return {
        clinic,
        body: { first_name: 'Walker', last_name: 'Patient', email: `walker-${letters(8)}@patient.test` },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  patchPatient: {
    status: 200,
    action: 'patient.update',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.staff);
      const patient = await createPatient(s);
      return {
        clinic,
        params: { id: patient.id },
        body: { first_name: 'Renamed' },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  putPatientPortalPermissions: {
    status: 200,
    action: 'patient.portal_permissions.update',
    async setup() {
      const clinic = newClinic();
      const s = await signIn(clinic.logins.admin);
      const patient = await createPatient(s);
      return {
        clinic,
        params: { id: patient.id },
        body: { mode: 'custom', permissions: ['view_profile'] },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.admin.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  invitePatient: {
    status: 201,
    action: 'patient.invite',
    async setup() {
      const { clinic, s, patient } = await invitable();
      return {
        clinic,
        params: { id: patient.id },
        body: { channels: ['email'] },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  invitePatients: {
    status: 200,
    action: 'patient.invite',
    async setup() {
      const { clinic, s, patient } = await invitable();
      return {
        clinic,
        body: { patient_ids: [patient.id], channels: ['email'] },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  retryDelivery: {
    status: 200,
    action: 'delivery.retry',
    async setup() {
      const { clinic, s, patient } = await invitable();
      const invited = await s.request('POST', `/api/v1/clinic/patients/${patient.id}/invitations`,
        { body: { channels: ['email'] } });
      assert.equal(invited.status, 201, invited.text);
      const id = invited.body.deliveries[0].id;
      psql(`UPDATE outbox SET status = 'dead', last_error = 'walker' WHERE id = '${id}'`);
      return {
        clinic,
        params: { id },
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins.staff.password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  },
  // Scheduling (issue 6).
  createPractitioner: schedChange('practitioner.create', 201, 'admin', () => ({ body: { name: 'Dr. Walker' } })),
  patchPractitioner: schedChange('practitioner.update', 200, 'admin',
    ({ schedule }) => ({ params: { id: schedule.practitioner.id }, body: { active: false } })),
  putWorkingHours: schedChange('practitioner.working_hours.update', 200, 'admin', ({ schedule }) => ({
    params: { id: schedule.practitioner.id }, body: { items: [{ weekday: 1, start: '08:00', end: '12:00' }] } })),
  createAppointmentType: schedChange('appointment_type.create', 201, 'admin',
    () => ({ body: { name: 'Walk', duration_minutes: 20 } })),
  patchAppointmentType: schedChange('appointment_type.update', 200, 'admin',
    ({ schedule }) => ({ params: { id: schedule.type.id }, body: { online_bookable: false } })),
  putBookingRules: schedChange('booking_rules.update', 200, 'admin', () => ({ body: { min_notice_minutes: 60,
    horizon_days: 30, cancel_cutoff_minutes: 60, max_open_bookings: 2, slot_step_minutes: 15 } })),
  createTimeOff: schedChange('time_off.create', 201, 'staff', () => ({
    body: { practitioner_id: null, start: '2027-01-01T00:00:00+03:00', end: '2027-01-02T00:00:00+03:00', reason: 'Holiday' } })),
  deleteTimeOff: schedChange('time_off.delete', 204, 'staff', async ({ s }) => {
    const off = await s.request('POST', '/api/v1/clinic/time-off',
      { body: { start: '2027-01-01T00:00:00+03:00', end: '2027-01-02T00:00:00+03:00' } });
    assert.equal(off.status, 201, off.text);
    return { params: { id: off.body.id } };
  }),
  createClinicAppointment: schedChange('appointment.create', 201, 'staff', ({ schedule, patient }) => ({ body: {
    patient_id: patient.id, practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, start: '2027-02-01T10:00:00+03:00' } })),
  patchClinicAppointment: schedChange('appointment.update', 200, 'staff', async (fx) => ({
    params: { id: await walkerAppointment(fx) }, body: { start: '2027-02-01T11:00:00+03:00' } })),
  cancelClinicAppointment: schedChange('appointment.cancel', 200, 'staff', async (fx) => ({
    params: { id: await walkerAppointment(fx) } })),
};

// Scheduling: a clinic with a schedule (made by the admin) and a patient with an email
// address; the changing request is made with a session of role.
function schedChange(action, status, role, make) {
  return {
    status,
    action,
    async setup() {
      const clinic = newClinic();
      const admin = await signIn(clinic.logins.admin);
      const schedule = await makeSchedule(admin);
      const s = role === 'admin' ? admin : await signIn(clinic.logins[role]);
      const fx = { clinic, s, schedule, patient: await createPatient(admin) };
      const { params, body } = await make(fx);
      return {
        clinic,
        params,
        body,
        headers: sessionHeaders(s),
        actor: () => ['staff', s.staff.id],
        secrets: () => [clinic.logins[role].password, s.csrf, s.cookie.split('=')[1]],
      };
    },
  };
}

// A booked appointment of the fixture's patient; its id.
async function walkerAppointment({ s, schedule, patient }) {
  const res = await s.request('POST', '/api/v1/clinic/appointments', { body: {
    patient_id: patient.id, practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, start: '2027-02-01T10:00:00+03:00' } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

// A clinic with its portal on, a staff session and a patient with an email address.
async function invitable() {
  const clinic = newClinic();
  const owner = await signIn(clinic.logins.owner);
  await enablePortal(owner, clinic);
  const s = await signIn(clinic.logins.staff);
  return { clinic, s, patient: await createPatient(s) };
}

// A patient made through the API (for the operations that need one).
async function createPatient(s) {
  const res = await s.request('POST', '/api/v1/clinic/patients',
    { body: { first_name: 'Audit', last_name: 'Fixture', email: `fixture-${letters(8)}@patient.test` } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

// The changing operations under /api/v1/clinic/ of the served document.
async function changingOperations() {
  const res = await api('GET', '/api/v1/openapi.json');
  assert.equal(res.status, 200);
  const ops = [];
  for (const [path, item] of Object.entries(res.body.paths)) {
    if (!path.startsWith(CLINIC_PREFIX)) continue;
    for (const method of CHANGING) {
      if (item[method]) ops.push({ method: method.toUpperCase(), path, id: item[method].operationId });
    }
  }
  return ops;
}

// Asserts that an audit row carries none of the secrets, nor any field named like one.
function assertNoSecrets(row, secrets, what) {
  const text = JSON.stringify(row);
  for (const secret of secrets.filter((s) => typeof s === 'string' && s.length >= 8)) {
    assert.ok(!text.includes(secret), `${what}: the audit row carries a secret (${secret.slice(0, 4)}…): ${text}`);
  }
  const keys = [];
  const walk = (v) => {
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        keys.push(k);
        walk(x);
      }
    }
  };
  walk(row.before);
  walk(row.after);
  const bad = keys.filter((k) => /password|token|secret|csrf|cookie|hash/i.test(k));
  assert.deepEqual(bad, [], `${what}: before/after hold secret-looking fields`);
}

describe('the audit walker', () => {
  test('every changing clinic operation of the document has an entry in CHANGES, and no entry is stale', async () => {
    const ops = await changingOperations();
    assert.ok(ops.length >= 4, `only ${ops.length} changing operations found`);
    const missing = ops.filter((o) => !(o.id in CHANGES)).map((o) => `${o.id} (${o.method} ${o.path})`);
    assert.deepEqual(missing, [], 'changing operations without an audit check: add them to CHANGES');
    const stale = Object.keys(CHANGES).filter((id) => !ops.some((o) => o.id === id));
    assert.deepEqual(stale, [], 'CHANGES entries for operations the document no longer has');
  });

  test('each changing operation adds exactly one audit row naming actor, action and request id, without secrets', async (t) => {
    const ops = await changingOperations();
    for (const op of ops) {
      const change = CHANGES[op.id];
      if (!change) continue; // reported by the test above
      await t.test(`${op.id}: ${op.method} ${op.path}`, async () => {
        const fx = await change.setup();
        const path = op.path.replace(/\{([^}]+)\}/g, (_, name) => {
          assert.ok(fx.params?.[name], `${op.id}: CHANGES gives no value for {${name}} of ${op.path}`);
          return encodeURIComponent(fx.params[name]);
        });
        const before = auditCount(fx.clinic.id);
        const res = await api(op.method, path + (fx.query ?? ''), { body: fx.body, raw: fx.raw, headers: fx.headers });
        assert.equal(res.status, change.status, `${op.id}: ${res.text}`);
        if (change.action === null) {
          assert.equal(auditCount(fx.clinic.id), before, `${op.id}: changes nothing, yet added an audit row`);
          return;
        }
        assert.equal(auditCount(fx.clinic.id), before + 1, `${op.id}: expected exactly one new audit row`);
        const row = newestRow(fx.clinic.id);
        const [actorType, actorId] = await fx.actor(res);
        assert.equal(row.actor_type, actorType, `${op.id}: actor_type`);
        assert.equal(row.actor_id, actorId, `${op.id}: actor_id`);
        assert.equal(row.action, change.action, `${op.id}: action`);
        assert.ok(row.target_type, `${op.id}: target_type is empty`);
        assert.equal(row.request_id, res.headers.get('x-request-id'), `${op.id}: request_id`);
        assert.ok(Date.now() - Date.parse(row.at) < 60_000, `${op.id}: at ${row.at} is not recent`);
        assertNoSecrets(row, fx.secrets(res), op.id);
      });
    }
  });

  test('a settings save records the settings before and after', async () => {
    const clinic = newClinic();
    const s = await signIn(clinic.logins.owner);
    const initial = (await s.request('GET', '/api/v1/clinic/portal/settings')).body;
    const res = await s.request('PUT', '/api/v1/clinic/portal/settings',
      { body: settingsBody({ code: clinic.code, permissions: ['view_balance'] }) });
    assert.equal(res.status, 200, res.text);
    const row = newestRow(clinic.id);
    assert.deepEqual(row.before, initial);
    assert.deepEqual(row.after, res.body.settings);
  });

  test('a change through an API key names the key as the actor', async () => {
    const clinic = newClinic();
    const secret = makeApiKey(clinic.id, 'admin');
    const key = withKey(secret);
    const keyId = (await key.request('GET', '/api/v1/clinic/me')).body.api_key.id;
    const before = auditCount(clinic.id);
    const res = await key.request('PUT', '/api/v1/clinic/portal/settings',
      { body: settingsBody({ code: clinic.code, permissions: ['view_profile'] }) });
    assert.equal(res.status, 200, res.text);
    assert.equal(auditCount(clinic.id), before + 1);
    const row = newestRow(clinic.id);
    assert.deepEqual([row.actor_type, row.actor_id, row.action, row.request_id],
      ['api_key', keyId, 'portal.settings.update', res.headers.get('x-request-id')]);
    assertNoSecrets(row, [secret], 'API key change');
  });

  test('refused changes add no audit row', async () => {
    const clinic = newClinic();
    const other = newClinic();
    const [owner, admin, staff] = await Promise.all(['owner', 'admin', 'staff'].map((r) => signIn(clinic.logins[r])));
    const readKey = withKey(makeApiKey(clinic.id, 'read'));
    const etag = (await admin.request('GET', '/api/v1/clinic/portal/settings')).headers.get('etag');
    assert.equal((await owner.request('PUT', '/api/v1/clinic/portal/settings',
      { body: settingsBody({ code: clinic.code }) })).status, 200, 'a save to make the ETag stale');
    const before = auditCount(clinic.id);
    const settings = (overrides) => ({ body: settingsBody({ code: clinic.code, ...overrides }) });
    const refusals = [
      ['staff role', 403, 'forbidden_role', () => staff.request('PUT', '/api/v1/clinic/portal/settings', settings())],
      ['read key', 403, 'forbidden_role', () => readKey.request('PUT', '/api/v1/clinic/portal/settings', settings())],
      ['no CSRF token', 403, 'csrf_failed', () => admin.request('PUT', '/api/v1/clinic/portal/settings',
        { ...settings(), headers: { 'x-csrf-token': 'wrong' } })],
      ['unknown permission', 422, 'validation_failed', () => admin.request('PUT', '/api/v1/clinic/portal/settings',
        settings({ permissions: ['no_such_key'] }))],
      ['missing field', 422, 'validation_failed', () => admin.request('PUT', '/api/v1/clinic/portal/settings',
        { body: { enabled: false } })],
      ['code_required', 422, 'code_required', () => admin.request('PUT', '/api/v1/clinic/portal/settings',
        settings({ enabled: true, code: null }))],
      ['reserved code', 422, 'code_reserved', () => admin.request('PUT', '/api/v1/clinic/portal/settings', settings({ code: 'api' }))],
      ['taken code', 409, 'code_taken', () => admin.request('PUT', '/api/v1/clinic/portal/settings', settings({ code: other.code }))],
      ['stale If-Match', 412, 'precondition_failed', () => admin.request('PUT', '/api/v1/clinic/portal/settings',
        { ...settings(), headers: { 'if-match': etag } })],
      ['unknown reviewer', 422, 'validation_failed', () => admin.request('PUT', '/api/v1/clinic/portal/settings',
        settings({ upload_reviewer_id: '00000000-0000-4000-8000-000000000000' }))],
      ['payment by admin', 403, 'forbidden_role', () => admin.request('PUT', '/api/v1/clinic/payment-infrastructure',
        { body: { provider: 'devgateway', active: true, credentials: { merchant_id: 'm-1', secret: 'dev-secret-1' } } })],
      ['payment invalid', 422, 'validation_failed', () => owner.request('PUT', '/api/v1/clinic/payment-infrastructure',
        { body: { provider: 'iyzico' } })],
      ['login without password', 422, 'validation_failed', () => api('POST', '/api/v1/clinic/auth/login',
        { body: { email: clinic.logins.admin.email } })],
      ['logout without CSRF', 403, 'csrf_failed', () => api('POST', '/api/v1/clinic/auth/logout', { headers: { cookie: staff.cookie } })],
    ];
    for (const [what, status, code, call] of refusals) {
      assertProblem(await call(), status, code, what);
      assert.equal(auditCount(clinic.id), before, `${what}: a refused change added an audit row`);
    }
  });
});

describe('GET /audit', () => {
  test('pages newest first: limit=1 gives next_cursor, following it gives the next older entry', async () => {
    const clinic = newClinic();
    const owner = await signIn(clinic.logins.owner);
    const requestIds = [];
    for (const permissions of [['view_profile'], ['view_balance'], ['view_forms']]) {
      const res = await owner.request('PUT', '/api/v1/clinic/portal/settings', { body: settingsBody({ code: clinic.code, permissions }) });
      assert.equal(res.status, 200, res.text);
      requestIds.push(res.headers.get('x-request-id'));
    }
    const dbIds = psql(`SELECT id FROM audit_log WHERE clinic_id = '${clinic.id}' ORDER BY id DESC`).split('\n').map(Number);
    assert.equal(dbIds.length, 4, 'the login and three saves');

    const first = await owner.request('GET', '/api/v1/clinic/audit?limit=1');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.items.length, 1);
    assert.ok(first.body.next_cursor, 'limit=1 of 4 rows must give a next_cursor');
    const newest = first.body.items[0];
    assert.equal(newest.id, dbIds[0]);
    assert.equal(newest.request_id, requestIds[2]);
    assert.deepEqual([newest.actor_type, newest.actor_id, newest.action], ['staff', owner.staff.id, 'portal.settings.update']);
    assert.deepEqual(newest.after.permissions, ['view_forms']);
    assert.deepEqual(newest.before.permissions, ['view_balance']);
    assert.ok(Math.abs(Date.now() - Date.parse(newest.at)) < 60_000, `at ${newest.at}`);

    const second = await owner.request('GET', `/api/v1/clinic/audit?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.body.items[0].id, dbIds[1]);
    assert.equal(second.body.items[0].request_id, requestIds[1]);

    // Walking with limit=1 visits every row once, newest first, and ends with next_cursor null.
    const walked = [];
    let cursor = null;
    for (let i = 0; i < 10; i++) {
      const page = await owner.request('GET', `/api/v1/clinic/audit?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      walked.push(...page.body.items.map((e) => e.id));
      cursor = page.body.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(walked, dbIds);
    assert.equal(cursor, null);
    // Without limit, all of them at once and no cursor.
    const all = await owner.request('GET', '/api/v1/clinic/audit');
    assert.deepEqual(all.body.items.map((e) => e.id), dbIds);
    assert.equal(all.body.next_cursor, null);
    const exact = await owner.request('GET', '/api/v1/clinic/audit?limit=4');
    assert.equal(exact.body.items.length, 4);
    assert.equal(exact.body.next_cursor, null, 'a page that holds the rest gives no cursor');
  });

  test('limit and cursor are checked: limit=101, 0 or abc and cursor=abc are 422; limit=100 is fine', async () => {
    const clinic = newClinic();
    const admin = await signIn(clinic.logins.admin);
    for (const q of ['limit=101', 'limit=0', 'limit=-1', 'limit=abc', 'limit=1.5', 'cursor=abc', 'cursor=-5',
      'cursor=0', 'cursor=1.5', 'cursor=99999999999999999999', `cursor=${randomUUID()}`]) {
      const res = await admin.request('GET', `/api/v1/clinic/audit?${q}`);
      assertProblem(res, 422, 'validation_failed', q);
      assert.deepEqual(res.body.errors.map((e) => e.field), [q.split('=')[0]], q);
    }
    assert.equal((await admin.request('GET', '/api/v1/clinic/audit?limit=100')).status, 200);
    // An empty value is no value, as on every list (the validation module's one rule).
    assert.equal((await admin.request('GET', '/api/v1/clinic/audit?cursor=')).status, 200);
  });

  test('a cursor or limit that is not text is 400 bad_request (issue 9 item 6)', async () => {
    const clinic = newClinic();
    const admin = await signIn(clinic.logins.admin);
    for (const q of ['cursor=%ff', 'cursor=%00', 'limit=%c3%28', 'cursor=5%']) {
      assertProblem(await admin.request('GET', `/api/v1/clinic/audit?${q}`), 400, 'bad_request', q);
    }
  });

  test('the staff role and read/write keys get 403 forbidden_role; an admin key may read', async () => {
    const clinic = newClinic();
    const staff = await signIn(clinic.logins.staff);
    assertProblem(await staff.request('GET', '/api/v1/clinic/audit'), 403, 'forbidden_role', 'staff');
    assertProblem(await withKey(makeApiKey(clinic.id, 'read')).request('GET', '/api/v1/clinic/audit'), 403, 'forbidden_role', 'read key');
    assertProblem(await withKey(makeApiKey(clinic.id, 'read,write')).request('GET', '/api/v1/clinic/audit'), 403, 'forbidden_role', 'write key');
    const res = await withKey(makeApiKey(clinic.id, 'admin')).request('GET', '/api/v1/clinic/audit');
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.items.some((e) => e.action === 'staff.login' && e.actor_id === staff.staff.id));
    assertProblem(await api('GET', '/api/v1/clinic/audit'), 401, 'not_authenticated', 'no credentials');
  });
});
