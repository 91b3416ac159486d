// axe-core on every screen (issue 16: "axe-core runs in the browser tests on every console
// and patient screen and finds no serious or critical violation; the test fails on one").
// One clinic with its portal open for all 19 permissions and data on every screen (a patient
// with an appointment, a treatment plan and record, invoices and payments, documents and
// images, a message thread, assigned forms and a submission, an invitation); one browser
// per side: the console at 1366×900 as the owner, the patient app at 390×844. Every screen
// is visited in Turkish and in English (with the states screens open into: forms, confirmations,
// refusals in place; the console's open pages and two-factor enrolment; the patient's sign-in
// steps, a section taken away, a closed portal), waited on until its data shows, and checked with
// axeViolations(); the patient screens also must not scroll sideways. Every finding is
// collected as "screen (lang): rule: what (where)" and the list is asserted empty at the end,
// so one run names them all. Coverage is checked against the apps' own screen lists (the
// console's SCREENS and the patient tabs, the portal's SCREENS and its finance, messages and
// forms routes): a screen added without a visit here fails the first test. The last test
// proves the check can fail: a grey-on-white line put on a real screen is reported.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/a11y_screens.test.mjs
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { axeViolations, closedAfterEach, launch } from './browser.mjs';
import {
  codeIn, dateIn, enablePortal, makeClinic, makePatient, makeSchedule, signIn, signInPatient, sinkMark, uniqueEmail,
  uniquePhone,
} from '../api/lib/fixtures.mjs';
import { registerMerchant, submitCard, waitForCallback } from '../api/lib/paysink.mjs';
import { clinicUpload, JPEG, makePdf, patientUpload } from './documents_fixtures.mjs';
import { waitForSms } from '../api/lib/sinks.mjs';
import { PATIENT_TABS } from '../../web/src/console/patientRules.js';
import { PUBLIC_SCREENS } from '../../web/src/console/securityRules.js';
import { FINANCE_NEEDS } from '../../web/src/portal/financeRoutes.js';
import { MESSAGE_NEEDS } from '../../web/src/messageRules.js';
import { FORM_NEEDS } from '../../web/src/formRules.js';
import { PERMISSION_GROUPS } from '../../web/src/portal/homeRules.js';

const { keep, openConsole } = closedAfterEach();
const CONSOLE_VIEWPORT = { width: 1366, height: 900 };
const PHONE_VIEWPORT = { width: 390, height: 844 };
const LANGS = ['tr', 'en'];
// All 19, in the catalog's order, as the patient app groups them.
const ALL_PERMISSIONS = PERMISSION_GROUPS.flatMap((g) => g.permissions);
const APPROVE = '4242 4242 4242 4242';

// ---- what the apps say their screens are (read from their sources) ----

const source = (path) => readFileSync(new URL(`../../web/src/${path}`, import.meta.url), 'utf8');
// The text between the braces or brackets of `const NAME = {...};` / `[...];` in a source.
function literal(text, name) {
  const m = new RegExp(`const ${name} = [\\[{]([\\s\\S]*?)[\\]}];\\n`).exec(text);
  assert.ok(m, `no "const ${name} =" in the source`);
  return m[1];
}
// The keys of an object literal's text: `key: ...` or `'a/b': ...` at its top level.
const keysOf = (body) => [...body.matchAll(/(?:^|[{,]|\n)\s*'?([a-z][a-z/-]*)'?:\s/g)].map((m) => m[1])
  .filter((k) => k !== 'needs' && k !== 'Screen');

/** Every screen the two apps declare, named as the visits below are (their `covers`). */
function declaredScreens() {
  const consoleMain = source('console/main.jsx');
  const portalMain = source('portal/main.jsx');
  return [...new Set([
    ...[...literal(consoleMain, 'SCREENS').matchAll(/key: '([^']+)'/g)].map((m) => `console:${m[1]}`),
    ...PATIENT_TABS.map((tab) => `console:patients/${tab}`),
    ...PUBLIC_SCREENS.map((s) => `console:${s}`),
    // The console shell's own pages (console/main.jsx: the sign-in form, two-factor enrolment).
    'console:signin', 'console:totp-enrolment',
    ...keysOf(literal(portalMain, 'SCREENS')).map((k) => `portal:${k}`),
    ...Object.keys(FINANCE_NEEDS).map((k) => `portal:finance/${k}`),
    ...keysOf(literal(portalMain, 'FINANCE_SCREENS')).map((k) => `portal:finance/${k}`),
    ...Object.keys(MESSAGE_NEEDS).map((k) => `portal:messages/${k}`),
    ...keysOf(literal(portalMain, 'MESSAGE_SCREENS')).map((k) => `portal:messages/${k}`),
    ...Object.keys(FORM_NEEDS).map((k) => `portal:forms/${k}`),
    ...keysOf(literal(portalMain, 'FORM_SCREENS')).map((k) => `portal:forms/${k}`),
    // The shell's own pages (portal/main.jsx: Home, SignIn, Unavailable, Closed, NotFound).
    'portal:home', 'portal:signin', 'portal:unavailable', 'portal:closed', 'portal:not-found',
  ])];
}

// ---- the data ----

const text = (tr, en) => ({ tr, en });
function formDefinition(title) {
  return {
    title: text(title, `${title} (EN)`),
    description: text('Randevunuzdan önce doldurun.', 'Please fill this in before your visit.'),
    items: [
      { link_id: 'intro', type: 'display', text: text('Lütfen dikkatle yanıtlayın.', 'Please answer carefully.') },
      { link_id: 'meds', type: 'boolean', required: true, text: text('Düzenli bir ilaç kullanıyor musunuz?', 'Do you take any medication?') },
      { link_id: 'meds_which', type: 'string', required: true, text: text('Hangi ilaçlar?', 'Which ones?'),
        enable_when: [{ question: 'meds', operator: '=', answer: true }] },
      { link_id: 'age', type: 'integer', min: 0, max: 120, text: text('Yaşınız', 'Your age') },
      { link_id: 'weight', type: 'decimal', text: text('Kilonuz (kg)', 'Your weight (kg)') },
      { link_id: 'allergies', type: 'multi_choice', text: text('Alerjileriniz', 'Your allergies'), options: [
        { value: 'penicillin', text: text('Penisilin', 'Penicillin') }, { value: 'latex', text: text('Lateks', 'Latex') },
      ] },
      { link_id: 'health', type: 'group', text: text('Sağlık durumu', 'Your health'), items: [
        { link_id: 'last_visit', type: 'date', text: text('Son ziyaretiniz', 'Your last visit') },
        { link_id: 'notes', type: 'text', text: text('Eklemek istedikleriniz', 'Anything else') },
      ] },
      { link_id: 'sex', type: 'choice', required: true, text: text('Cinsiyetiniz', 'Your sex'), options: [
        { value: 'f', text: text('Kadın', 'Female') }, { value: 'm', text: text('Erkek', 'Male') },
      ] },
      { link_id: 'consent', type: 'consent', required: true, text: text('Bilgilerin doğru olduğunu onaylıyorum.', 'I confirm this is true.') },
    ],
  };
}

async function ok(res, status, what) {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  return res.body;
}

/** The clinic and everything on its screens. */
async function world() {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const staff = await signIn(clinic.logins.staff);
  const profile = await ok(await owner.request('GET', '/api/v1/clinic/profile'), 200, 'profile');
  await ok(await owner.request('PUT', '/api/v1/clinic/profile', { body: { ...profile, phone: '+902165550101',
    email: 'info@klinik.test', address: 'Bağdat Cd. 12, Kadıköy, İstanbul' } }), 200, 'profile contact');
  const merchant = await registerMerchant({ provider: 'devgateway' });
  await ok(await owner.request('PUT', '/api/v1/clinic/payment-infrastructure', {
    body: { provider: 'devgateway', active: true, credentials: { merchant_id: merchant.merchant_id, secret: merchant.secret } },
  }), 200, 'payment infrastructure');
  await enablePortal(owner, clinic, { permissions: ALL_PERMISSIONS, upload_reviewer_id: staff.staff.id });
  const { practitioner, type } = await makeSchedule(owner, { name: 'Dr. Deniz Kaya', typeName: 'Kontrol',
    rules: { cancel_cutoff_minutes: 1440 } });

  const phone = uniquePhone();
  const patient = await makePatient(owner, { first_name: 'Ayşe', last_name: 'Yılmaz', phone, email: uniqueEmail('ayse') });
  // A weekday a few days ahead: the calendar's day and the patient's upcoming list.
  let days = 3;
  while ([0, 6].includes(new Date(`${dateIn('Europe/Istanbul', days)}T12:00:00Z`).getUTCDay())) days++;
  const date = dateIn('Europe/Istanbul', days);
  for (const time of ['09:30', '11:00']) {
    await ok(await owner.request('POST', '/api/v1/clinic/appointments', { body: { patient_id: patient.id,
      practitioner_id: practitioner.id, type_id: type.id, start: `${date}T${time}:00+03:00`, note: 'Kontrol' } }), 201, 'appointment');
  }
  const plan = await ok(await owner.request('POST', `/api/v1/clinic/patients/${patient.id}/treatment-plans`, {
    body: { title: 'Tedavi planı', items: [{ procedure: 'Dolgu', area: '36', estimated_cost: 150000 },
      { procedure: 'Kanal tedavisi', area: '24', estimated_cost: 450000 }] } }), 201, 'plan');
  await ok(await owner.request('PATCH', `/api/v1/clinic/treatment-plans/${plan.id}`, { body: { status: 'accepted' } }), 200, 'plan accepted');
  await ok(await owner.request('POST', `/api/v1/clinic/patients/${patient.id}/treatment-records`, {
    body: { performed_on: dateIn('Europe/Istanbul', -10), procedure: 'Muayene', area: '36', practitioner_id: practitioner.id,
      notes_for_patient: 'Bugün sıcak içecek içmeyin.' } }), 201, 'record');
  const invoices = [];
  for (const lines of [
    [{ description: 'Muayene', quantity: 1, unit_price: 100000, tax_rate_bp: 2000 }],
    [{ description: 'Dolgu', quantity: 2, unit_price: 45000, tax_rate_bp: 2000 }, { description: 'Röntgen', quantity: 1, unit_price: 30000, tax_rate_bp: 2000 }],
  ]) {
    invoices.push(await ok(await owner.request('POST', '/api/v1/clinic/invoices', { body: { patient_id: patient.id, lines } }), 201, 'invoice'));
  }
  await ok(await owner.request('POST', '/api/v1/clinic/payments', {
    body: { patient_id: patient.id, amount: 50000, method: 'cash', invoice_id: invoices[1].id } }), 201, 'cash payment');
  await clinicUpload(owner, patient.id, { title: 'Kontrol raporu', fileName: 'rapor.pdf', bytes: makePdf(), type: 'application/pdf', shared: true });
  await clinicUpload(owner, patient.id, { title: 'Panoramik röntgen', kind: 'image', fileName: 'panoramik.jpg', bytes: JPEG, type: 'image/jpeg', shared: true });
  const thread = await ok(await staff.request('POST', '/api/v1/clinic/messages', {
    body: { patient_id: patient.id, subject: 'Kontrol randevusu', topic: 'clinical', body: 'Merhaba, kontrolünüz yaklaşıyor.' } }), 201, 'thread');
  const forms = [];
  for (const title of ['Sağlık geçmişi', 'Onam formu']) {
    const form = await ok(await owner.request('POST', '/api/v1/clinic/forms', { body: { definition: formDefinition(title) } }), 201, 'form');
    await ok(await owner.request('POST', `/api/v1/clinic/forms/${form.id}/assignments`, { body: { patient_ids: [patient.id] } }), 200, 'assign');
    forms.push(form);
  }
  await ok(await owner.request('POST', `/api/v1/clinic/patients/${patient.id}/invitations`, { body: { channels: ['sms'] } }), 201, 'invitation');

  // The patient's own doings, through the API: a reply, an upload waiting for review, a
  // form sent, an online payment approved.
  const me = await signInPatient(clinic.code, phone);
  await ok(await me.request('POST', `messages/${thread.id}`, { body: { body: 'Teşekkürler, geleceğim.' } }), 201, 'reply');
  await patientUpload(me, { title: 'Eski röntgen', fileName: 'eski.jpg', bytes: JPEG, type: 'image/jpeg' });
  const submission = await ok(await me.request('POST', `forms/${forms[1].id}/submissions`, {
    body: { version: 1, answers: { meds: false, sex: 'f', consent: true, age: 34 } } }), 201, 'submission');
  const started = await ok(await me.request('POST', 'payments', { body: { amount: invoices[0].total, invoice_id: invoices[0].id },
    headers: { 'idempotency-key': randomUUID() } }), 201, 'online payment');
  await submitCard(started.redirect_url, APPROVE);
  await waitForCallback((e) => started.redirect_url.includes(e.id));
  const templates = await ok(await owner.request('GET', '/api/v1/clinic/templates'), 200, 'templates');
  return { clinic, owner, patient, phone, date, thread, forms, submission, invoices, payment: started.payment,
    template: templates.items[0] };
}

// ---- walking the screens ----

async function language(page, lang) {
  await page.getByTestId(`lang-${lang}`).click();
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

// Until nothing on the page says it is still loading.
async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('[data-state="loading"], [data-state="checking"], [aria-busy="true"]'));
}

const ready = (testid) => `[data-testid="${testid}"][data-state="ready"]`;

// Goes to path#hash; when the page is there already (a second state of the same screen), the
// app is loaded anew so that the screen starts from its first state.
async function visit(page, path, hash) {
  const url = new URL(page.url());
  if (url.pathname === path && url.hash === hash) await page.reload();
  else await page.goto(`${path}${hash}`);
}

/**
 * Runs axe on the page as it is and adds "name (lang): violation" lines to found; with
 * width, also a line when the page is wider than the window.
 */
async function check(page, found, name, lang, { width } = {}) {
  await settled(page);
  for (const v of await axeViolations(page)) found.push(`${name} (${lang}): ${v}`);
  if (width) {
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scroll > width) found.push(`${name} (${lang}): the page scrolls sideways (${scroll} > ${width} px)`);
  }
}

// The page as it is, checked in each language of langs in turn.
async function checkInEach(page, found, name, { width, langs = LANGS } = {}) {
  for (const lang of langs) {
    await language(page, lang);
    await check(page, found, name, lang, { width });
  }
}

// Each visit [name, hash, waitOn] at path in each language: there, waited on, checked.
async function walk(page, found, path, visits, { app, width }) {
  for (const lang of LANGS) {
    await language(page, lang);
    for (const [name, hash, waitOn] of visits) {
      await visit(page, path, hash);
      await waitOn(page);
      await check(page, found, `${app} ${name} ${hash}`, lang, { width });
    }
  }
}

// The console's screens signed in: [covers, hash, what to wait on (selector or function)].
function consoleVisits(w) {
  const p = `#/patients/${w.patient.id}`;
  const wait = (sel) => (page) => page.locator(sel).first().waitFor();
  const calendar = (view) => async (page) => {
    await page.locator('[data-testid="calendar"][data-state="ready"]').waitFor();
    await page.getByTestId('cal-date').fill(w.date);
    await page.locator(`[data-testid="calendar"][data-date="${w.date}"][data-state="ready"]`).waitFor();
    if (view !== 'day') {
      await page.getByTestId(`cal-view-${view}`).click();
      await page.locator(`[data-testid="calendar"][data-view="${view}"][data-state="ready"]`).waitFor();
    }
    await page.getByTestId('cal-appt').first().waitFor();
  };
  return [
    ['settings', '#/settings', wait('[data-testid="code-status"][data-state="current"]')],
    ['clinic', '#/clinic', wait('[data-testid="profile-save"]')],
    ['staff', '#/staff', wait('[data-testid="staff-row"]')],
    ['payment-infrastructure', '#/payment-infrastructure', wait('[data-testid="payinfra-form"]')],
    ['account', '#/account', wait('[data-testid="account-session"]')],
    ['patients', '#/patients', wait('[data-testid="patient-row"]')],
    ['patients/details', p, wait('[data-testid="patient-details"]')],
    ['patients/permissions', `${p}/permissions`, wait('[data-testid="effective-set"]')],
    ['patients/treatments', `${p}/treatments`, wait('[data-testid="plan"]')],
    ['patients/finance', `${p}/finance`, wait('[data-testid="finance-payment-row"]')],
    ['patients/documents', `${p}/documents`, wait('[data-testid="doc-row"]')],
    ['patients/forms', `${p}/forms`, wait('[data-testid="patient-forms"]')],
    ['calendar', '#/calendar', calendar('day')],
    ['calendar (week)', '#/calendar', calendar('week')],
    ['calendar (team)', '#/calendar', calendar('team')],
    ['scheduling', '#/scheduling', wait('[data-testid="sched-practitioner"]')],
    ['finance', '#/finance', wait('[data-testid="finance-invoice-row"]')],
    ['finance/invoices/<id>', `#/finance/invoices/${w.invoices[1].id}`, wait('[data-testid="invoice-doc"]')],
    ['messages', '#/messages', wait(ready('console-messages'))],
    ['messages/<id>', `#/messages/${w.thread.id}`, wait(ready('console-thread'))],
    ['messages/new', `#/messages/new/${w.patient.id}`, wait('[data-testid="console-new-thread"]')],
    ['messages/auto-replies', '#/messages/auto-replies', wait('[data-testid="auto-form"]')],
    ['reviews', '#/reviews', wait('[data-testid="review-row"]')],
    ['forms', '#/forms', wait('[data-testid="forms-row"]')],
    ['forms/new', '#/forms/new', wait('[data-testid="fb-start"], [data-testid="form-builder"]')],
    ['forms/<id>/edit', `#/forms/${w.forms[0].id}/edit`, wait('[data-testid="form-builder"]')],
    ['forms/<id>', `#/forms/${w.forms[1].id}`, wait('[data-testid="subs-row"]')],
    ['forms/submissions/<id>', `#/forms/submissions/${w.submission.id}`, wait('[data-testid="submission"]')],
    ['templates', '#/templates', wait('[data-testid="templates-sms"]')],
    ['templates/<id>', `#/templates/${w.template.id}`, wait('[data-testid="template-preview"]')],
    ['deliveries', '#/deliveries', wait('[data-testid="delivery-row"]')],
    ['audit', '#/audit', wait('[data-testid="audit-row"]')],
    // The states a screen opens into: forms, confirmations, answers and refusals in place.
    ['settings (switching off asks first)', '#/settings', async (page) => {
      await page.locator('[data-testid="code-status"][data-state="current"]').waitFor();
      await page.getByTestId('settings-enabled').uncheck();
      await page.getByTestId('settings-save').click();
      await page.getByTestId('save-confirm').waitFor();
    }],
    ['calendar (week, an appointment open)', '#/calendar', async (page) => {
      await calendar('week')(page);
      await page.getByTestId('cal-appt').first().click();
      await page.getByTestId('cal-panel').waitFor();
    }],
    ['calendar (new appointment form)', '#/calendar', async (page) => {
      await calendar('day')(page);
      await page.getByTestId('cal-new').click();
      await page.getByTestId('cal-new-form').waitFor();
    }],
    ['patients (new patient, refused)', '#/patients', async (page) => {
      await page.getByTestId('patient-new').click();
      await page.getByTestId('patient-new-submit').click();
      await page.getByTestId('field-error-first_name').waitFor();
    }],
    ['patients/details (why can\'t this patient)', p, async (page) => {
      await page.getByTestId('diag-action').selectOption('make_payment');
      await page.locator(ready('diag-output')).waitFor();
    }],
    ['patients/permissions (custom set)', `${p}/permissions`, async (page) => {
      await page.getByTestId('perm-mode-custom').check();
      await page.getByTestId('perm-custom').waitFor();
    }],
    ['patients/treatments (plan and record forms)', `${p}/treatments`, async (page) => {
      await page.getByTestId('plan-new').click();
      await page.getByTestId('plan-form').waitFor();
      await page.getByTestId('record-new').click();
      await page.getByTestId('record-form').waitFor();
    }],
    ['patients/finance (invoice and refund forms)', `${p}/finance`, async (page) => {
      await page.getByTestId('payment-refund').first().click();
      await page.getByTestId('refund-form').waitFor();
      await page.getByTestId('invoice-new').click();
      await page.getByTestId('invoice-form').waitFor();
    }],
    ['patients/finance (payment form)', `${p}/finance`, async (page) => {
      await page.getByTestId('payment-new').click();
      await page.getByTestId('payment-form').waitFor();
    }],
    ['patients/documents (who opened it, a file chosen)', `${p}/documents`, async (page) => {
      await page.getByTestId('doc-access-toggle').first().click();
      await page.locator(ready('doc-access')).waitFor();
      await page.getByTestId('doc-file-input').setInputFiles({ name: 'rapor.pdf', mimeType: 'application/pdf', buffer: makePdf() });
      await page.getByTestId('doc-title-input').waitFor();
    }],
    ['templates (new)', '#/templates/new', wait('[data-testid="template-editor"]')],
    ['reviews (reject with a reason)', '#/reviews', async (page) => {
      await page.getByTestId('review-reject').first().click();
      await page.getByTestId('review-form').waitFor();
    }],
    ['messages/new (refused)', `#/messages/new/${w.patient.id}`, async (page) => {
      await page.getByTestId('msg-new-send').click();
      await page.locator('[data-testid="console-new-thread"] .field-error, [data-testid="msg-new-error"]').first().waitFor();
    }],
  ];
}

// The console's pages open without a session.
const CONSOLE_OPEN_VISITS = [
  ['signin', '#/settings', (page) => page.getByTestId('console-signin').waitFor()],
  ['signin (refused)', '#/settings', async (page) => {
    await page.locator('#signin-email').fill('nobody@clinic.test');
    await page.locator('#signin-password').fill('not the password');
    await page.getByTestId('console-signin').locator('button[type=submit]').click();
    await page.getByTestId('console-signin').getByRole('alert').first().waitFor();
  }],
  ['forgot-password', '#/forgot-password', (page) => page.getByTestId('forgot-password').waitFor()],
  ['forgot-password (sent)', '#/forgot-password', async (page) => {
    await page.getByTestId('forgot-email').fill('nobody@clinic.test');
    await page.getByTestId('forgot-submit').click();
    await page.getByTestId('forgot-sent').waitFor();
  }],
  ['set-password', `#/set-password/${'a'.repeat(43)}`, (page) => page.locator('#setpw-password, [data-testid="setpw-invalid"]').first().waitFor()],
];

// The patient's screens signed in: [covers, route, what to wait on].
function portalVisits(w) {
  const wait = (sel) => (page) => page.locator(sel).first().waitFor();
  return [
    ['home', '', wait(ready('home-balance'))],
    ['profile', 'profile', wait('[data-testid="profile-details"]')],
    ['profile (edit)', 'profile', async (page) => {
      await page.getByTestId('profile-edit').click();
      await page.getByTestId('profile-form').waitFor();
    }],
    ['appointments', 'appointments', wait(ready('appointments-upcoming'))],
    ['appointments/new', 'appointments/new', async (page) => {
      await page.locator(ready('book-days')).waitFor();
      await page.locator('[data-testid="book-day"][data-state="free"]').first().click();
      await page.getByTestId('book-slot').first().click();
      await page.getByTestId('book-cancel-rule').waitFor();
    }],
    ['treatments', 'treatments', wait(ready('portal-treatments'))],
    ['finance/invoices', 'invoices', wait(ready('portal-invoices'))],
    ['finance/invoice', `invoices/${w.invoices[1].id}`, wait(ready('portal-invoice-page'))],
    ['finance/payments', 'payments', wait(ready('portal-payments'))],
    ['finance/pay', 'pay', wait(ready('portal-pay'))],
    ['finance/pay (invoice)', `pay/${w.invoices[1].id}`, wait(ready('portal-pay'))],
    ['finance/result', `payments/${w.payment.id}/result`, wait('[data-testid="pay-result"]:not([data-outcome="waiting"])')],
    ['documents', 'documents', wait(ready('portal-documents'))],
    ['images', 'images', wait(ready('portal-images'))],
    ['documents/upload', 'documents/upload', wait('[data-testid="portal-upload"]')],
    ['messages/list', 'messages', wait(ready('portal-messages'))],
    ['messages/thread', `messages/${w.thread.id}`, wait(ready('portal-thread'))],
    ['messages/new', 'messages/new', wait('[data-testid="portal-new-message"]')],
    ['forms/list', 'forms', wait(ready('portal-forms'))],
    ['forms/form', `forms/${w.forms[0].id}`, wait(ready('portal-form'))],
    // The states a screen opens into: confirmations and refusals in place.
    ['appointments (cancel asks first)', 'appointments', async (page) => {
      await page.locator(ready('appointments-upcoming')).waitFor();
      await page.getByTestId('appointment-cancel').first().click();
      await page.getByTestId('cancel-confirm').waitFor();
    }],
    ['forms/form (refused)', `forms/${w.forms[0].id}`, async (page) => {
      await page.locator(ready('portal-form')).waitFor();
      await page.getByTestId('form-submit').click();
      await page.getByTestId('form-problems').waitFor();
    }],
    ['documents (who opened it)', 'documents', async (page) => {
      await page.locator(ready('portal-documents')).waitFor();
      await page.getByTestId('portal-doc-access-toggle').first().click();
      await page.locator(ready('portal-doc-access')).waitFor();
    }],
    ['finance/pay (refused)', 'pay', async (page) => {
      await page.locator(ready('portal-pay')).waitFor();
      await page.getByTestId('pay-amount').fill('0');
      await page.getByTestId('pay-submit').click();
      await page.getByTestId('pay-amount-error').waitFor();
    }],
    ['documents/upload (refused)', 'documents/upload', async (page) => {
      await page.getByTestId('upload-submit').click();
      await page.getByTestId('upload-error-file').waitFor();
    }],
    ['messages/new (refused)', 'messages/new', async (page) => {
      await page.getByTestId('msg-new-send').click();
      await page.locator('[data-testid="portal-new-message"] .field-error').first().waitFor();
    }],
  ];
}

// What a visit covers: a console visit its screen (the first part of its name) or the
// patient tab it names; a patient visit its name up to a space ("profile (edit)": profile).
const consoleCovers = (name) => `console:${name.startsWith('patients/') ? name : name.split(/[/ ]/)[0]}`;
const portalCovers = (name) => `portal:${name.split(' ')[0]}`;
// The shell's pages the main test visits besides the lists below.
const PORTAL_SHELL_VISITS = ['signin', 'unavailable', 'closed', 'not-found'];

function visitedScreens() {
  const w = { patient: { id: 'p' }, invoices: [{ id: 'i' }, { id: 'i' }], thread: { id: 't' }, forms: [{ id: 'f' }, { id: 'f' }],
    submission: { id: 's' }, template: { id: 'x' }, payment: { id: 'y' }, date: '2026-01-01' };
  return new Set([
    ...[...consoleVisits(w), ...CONSOLE_OPEN_VISITS].map(([name]) => consoleCovers(name)), 'console:totp-enrolment',
    ...[...portalVisits(w).map(([name]) => name), ...PORTAL_SHELL_VISITS].map(portalCovers),
  ]);
}

test('every screen the console and the patient app declare has an axe visit here', () => {
  const visited = visitedScreens();
  const missing = declaredScreens().filter((s) => !visited.has(s));
  assert.deepEqual(missing, [], 'screens without an axe visit in tests/web/a11y_screens.test.mjs');
});

test('axe-core finds no serious or critical violation on any console or patient screen, in Turkish and English', async () => {
  const w = await world();
  const found = [];

  // ---- the console, as the owner, at 1366×900 ----
  const { page } = await openConsole(w.clinic.logins.owner, { viewport: CONSOLE_VIEWPORT });
  await walk(page, found, '/console/', consoleVisits(w), { app: 'console' });
  await page.goto('/console/#/settings');
  await page.getByTestId('console-signout').click();
  await walk(page, found, '/console/', CONSOLE_OPEN_VISITS, { app: 'console' });

  // ---- the patient app at 390×844 ----
  const browser = keep(await launch({ locale: 'tr-TR', viewport: PHONE_VIEWPORT }));
  const phone = await browser.newPage();
  const width = PHONE_VIEWPORT.width;
  // Sign-in: the contact step in both languages, then the code step in both.
  await phone.goto(`/${w.clinic.code}`);
  await phone.getByTestId('signin-contact-step').waitFor();
  await checkInEach(phone, found, 'portal sign-in (contact)', { width });
  const mark = sinkMark();
  await phone.getByTestId('signin-contact').fill(w.phone);
  await phone.getByTestId('signin-start').click();
  await phone.getByTestId('signin-code').waitFor();
  await checkInEach(phone, found, 'portal sign-in (code)', { width, langs: ['en', 'tr'] });
  await phone.getByTestId('signin-code').fill('000000');
  await phone.getByTestId('signin-verify').click();
  await phone.locator('[data-testid="signin-code-error"], [data-testid="signin-error"]').first().waitFor();
  await checkInEach(phone, found, 'portal sign-in (wrong code)', { width });
  const sms = await waitForSms((m) => !mark.sms.has(m.file) && m.to === w.phone && codeIn(m.text));
  await phone.getByTestId('signin-code').fill(codeIn(sms.text));
  await phone.getByTestId('signin-verify').click();
  await phone.getByTestId('portal-home').waitFor();

  const routes = portalVisits(w).map(([name, route, waitOn]) => [name, `#/${route}`, waitOn]);
  await walk(phone, found, `/${w.clinic.code}`, routes, { app: 'portal', width });

  // A section taken away: its saved link says it is not available.
  await enablePortal(w.owner, w.clinic, { permissions: ALL_PERMISSIONS.filter((k) => k !== 'view_treatments') });
  await phone.goto(`/${w.clinic.code}#/`);
  await phone.reload();
  await phone.getByTestId('portal-home').waitFor();
  await phone.goto(`/${w.clinic.code}#/treatments`);
  await phone.getByTestId('portal-unavailable').waitFor();
  await checkInEach(phone, found, 'portal unavailable', { width });
  // The portal switched off under the signed-in patient: closed.
  await enablePortal(w.owner, w.clinic, { enabled: false, permissions: ALL_PERMISSIONS });
  await phone.goto(`/${w.clinic.code}#/`);
  await phone.reload();
  await phone.getByTestId('portal-closed').waitFor();
  await checkInEach(phone, found, 'portal closed', { width });
  // A mistyped address.
  await phone.goto(`/no-such-${w.clinic.code}`);
  await phone.getByTestId('portal-not-found').waitFor();
  await checkInEach(phone, found, 'portal not available', { width });

  // Last (nothing after it may need the owner's API session, which the requirement stops):
  // the clinic requires two-factor sign-in, and the admin, who has not set it up, is sent to
  // the enrolment screen; its setup step shows the QR code and the secret.
  await ok(await w.owner.request('PUT', '/api/v1/clinic/security', { body: { require_totp: true } }), 200, 'require two-factor');
  await page.goto('/console/#/settings');
  await page.locator('#signin-email').fill(w.clinic.logins.admin.email);
  await page.locator('#signin-password').fill(w.clinic.logins.admin.password);
  await page.getByTestId('console-signin').locator('button[type=submit]').click();
  await page.getByTestId('totp-enrolment').waitFor();
  await page.getByTestId('totp-start').click();
  await page.getByTestId('totp-setup').waitFor();
  await checkInEach(page, found, 'console totp-enrolment');

  assert.deepEqual(found, [], `${found.length} serious or critical axe violations:\n  ${found.join('\n  ')}`);
});

test('the check fails on one: a grey line on a real screen is reported as color-contrast', async () => {
  const clinic = makeClinic();
  const { page } = await openConsole(clinic.logins.owner, { viewport: CONSOLE_VIEWPORT });
  await page.locator('[data-testid="code-status"]').waitFor();
  assert.deepEqual((await axeViolations(page)).filter((v) => v.startsWith('color-contrast')), [], 'clean before');
  await page.evaluate(() => {
    const p = document.createElement('p');
    p.id = 'a11y-grey-line';
    p.textContent = 'Bu satır okunmuyor / this line cannot be read';
    p.style.cssText = 'color: #bbbbbb; background: #ffffff; font-size: 14px;';
    document.querySelector('main').append(p);
  });
  const after = await axeViolations(page);
  assert.ok(after.some((v) => v.startsWith('color-contrast') && v.includes('#a11y-grey-line')),
    `axe did not report the grey line: ${after.join('; ')}`);
});
