// Browser tests of the console's Patients screens against a running stack: the list and its
// search (name without accents, phone, debounced, too-short terms, a refused search, load
// more), the "New patient" form (a field error for a bad phone, then created), the patient
// page's Portal Permissions tab (custom with Select All, save, reload; a pair warning next
// to its group, live and saved; back to following the clinic), read-only for staff (who may
// still edit Details; address, emergency contact and communication saved and reloaded, an
// emergency_contact.phone error at its field; the patient's photo), the "Why can't this
// patient…?" diagnostics, and the layout at desktop and 390 px. Each test makes its own clinic and creates its patients through the API.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_patients.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { launch, watchPage } from './browser.mjs';
import { makeClinic, settingsBody, signIn as apiSignIn, signInPatient, uniqueEmail } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';
import { searchQuery } from '../../web/src/console/patientRules.js';

const { tr, en } = catalogs;
const ME = /\/api\/v1\/clinic\/me$/;
const PATIENTS = '/api/v1/clinic/patients';
const LIST = /\/api\/v1\/clinic\/patients\?/;
const CREATE = /\/api\/v1\/clinic\/patients$/;
const PERMS = /\/api\/v1\/clinic\/patients\/[0-9a-f-]+\/portal-permissions$/;
const ALL = [
  'view_profile', 'update_profile', 'upload_photo', 'view_appointments', 'create_appointment',
  'cancel_appointment', 'view_treatments', 'view_balance', 'view_invoices', 'view_payments', 'make_payment',
  'view_documents', 'download_documents', 'upload_documents', 'view_images', 'view_messages', 'send_message',
  'view_forms', 'submit_forms',
];
const CLINIC_SET = ['view_profile', 'view_appointments', 'create_appointment', 'view_invoices'];
const BASE_CONDITIONS = ['module', 'portal_enabled', 'code_set', 'patient_access', 'contact_on_file', 'permission'];

let browser;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

// A clinic with its portal on and CLINIC_SET, an owner API session, and the given patients.
async function setup(people = [], { permissions = CLINIC_SET } = {}) {
  const clinic = makeClinic();
  const owner = await apiSignIn(clinic.logins.owner);
  const res = await owner.request('PUT', '/api/v1/clinic/portal/settings', {
    body: settingsBody({ enabled: true, code: clinic.code, permissions }),
  });
  assert.equal(res.status, 200, res.text);
  const patients = [];
  for (const body of people) {
    const created = await owner.request('POST', PATIENTS, { body });
    assert.equal(created.status, 201, created.text);
    patients.push(created.body);
  }
  return { clinic, owner, patients };
}

// Opens the console at `hash` signed out (GET me answers 401 then, which is expected),
// signs in and waits for `ready` (a test id).
async function openSignedIn(login, { hash = '#/patients', ready = 'patients', locale = 'tr-TR', viewport, allow = [] } = {}) {
  browser = await launch({ locale, ...(viewport ? { viewport } : {}) });
  const page = await browser.newPage();
  const watch = await watchPage(page, { allow: [{ url: ME, status: 401 }, ...allow] });
  await page.goto(`/console/${hash}`);
  await page.getByTestId('console-signin').waitFor();
  await page.locator('#signin-email').fill(login.email);
  await page.locator('#signin-password').fill(login.password);
  await page.getByTestId('console-signin').locator('button[type=submit]').click();
  await page.getByTestId(ready).waitFor();
  return { page, watch };
}

const byState = (page, testid, state) => page.locator(`[data-testid="${testid}"][data-state="${state}"]`);

// The list's names once it shows the answer for q ('' = the plain list).
async function listed(page, q = '') {
  await page.locator(`[data-testid="patient-results"][data-state="ready"][data-q="${q}"]`).waitFor();
  return page.getByTestId('patient-link').allInnerTexts();
}

async function checkedPermissions(page) {
  const out = [];
  for (const key of ALL) if (await page.getByTestId(`perm-${key}`).isChecked()) out.push(key);
  return out;
}

async function effectiveShown(page) {
  const out = [];
  for (const key of ALL) {
    if (await page.getByTestId(`effective-${key}`).getAttribute('data-on') === 'true') out.push(key);
  }
  return out;
}

const PEOPLE = [
  { first_name: 'Ayşe', last_name: 'Yılmaz', phone: '0555 123 45 67', email: 'ayse@example.com' },
  { first_name: 'Çağrı', last_name: 'Çelik', email: 'cagri@celik.test' },
  { first_name: 'Mehmet', last_name: 'Demir', phone: '0542 987 65 43' },
];

test('search: by name without accents, by phone; debounced; short terms show the plain list', async () => {
  const ctx = await setup(PEOPLE);
  const { page, watch } = await openSignedIn(ctx.clinic.logins.staff);
  const searches = [];
  page.on('request', (r) => {
    if (LIST.test(r.url())) searches.push(new URL(r.url()).searchParams.get('q'));
  });

  // The plain list, ordered by last name; the nav names the screen.
  assert.deepEqual(await listed(page), ['Çağrı Çelik', 'Mehmet Demir', 'Ayşe Yılmaz']);
  assert.equal(await page.getByTestId('nav-patients').getAttribute('aria-current'), 'page');
  assert.equal(await page.getByRole('heading', { level: 2 }).innerText(), tr['console.patients.heading']);
  assert.equal(await page.getByTestId('patient-no-contact').count(), 0);

  // Typed letter by letter: one request once the typing settles.
  const box = page.getByTestId('patient-search');
  searches.length = 0;
  await box.pressSequentially('ayse', { delay: 40 });
  assert.deepEqual(await listed(page, 'ayse'), ['Ayşe Yılmaz']);
  assert.deepEqual(searches, ['ayse'], 'debounced: one search for the whole word');

  await box.fill('cagri celik');
  assert.deepEqual(await listed(page, 'cagri celik'), ['Çağrı Çelik']);
  await box.fill('YILMAZ');
  assert.deepEqual(await listed(page, 'YILMAZ'), ['Ayşe Yılmaz']);

  // By phone, in national and partial forms (stored E.164).
  await box.fill('0555 123');
  assert.deepEqual(await listed(page, '0555 123'), ['Ayşe Yılmaz']);
  await box.fill('+90 542 987 65 43');
  assert.deepEqual(await listed(page, '+90 542 987 65 43'), ['Mehmet Demir']);
  // By email.
  await box.fill('CAGRI@celik.test');
  assert.deepEqual(await listed(page, 'CAGRI@celik.test'), ['Çağrı Çelik']);

  // Nobody: said so, with the term.
  await box.fill('nobody here');
  assert.deepEqual(await listed(page, 'nobody here'), []);
  assert.equal(await page.getByTestId('patient-empty').innerText(), tr['console.patients.noMatch'].replace('{q}', 'nobody here'));

  // Fewer than 3 letters or digits after folding: no search, the plain list, a hint.
  searches.length = 0;
  await box.fill('ş');
  assert.deepEqual(await listed(page), ['Çağrı Çelik', 'Mehmet Demir', 'Ayşe Yılmaz']);
  assert.equal(await page.getByTestId('patient-search-hint').innerText(), tr['console.patients.search.tooShort']);
  await box.fill('%%%');
  await box.fill('ğü');
  await page.waitForTimeout(500);
  assert.ok(searches.every((q) => q === null), `no q below 3 characters: ${JSON.stringify(searches)}`);

  // The search survives a visit to a patient.
  await box.fill('demir');
  assert.deepEqual(await listed(page, 'demir'), ['Mehmet Demir']);
  await page.getByTestId('patient-link').first().click();
  await page.getByTestId('patient-page').waitFor();
  assert.equal(await page.getByTestId('patient-name').innerText(), 'Mehmet Demir');
  await page.getByTestId('patient-back').click();
  assert.deepEqual(await listed(page, 'demir'), ['Mehmet Demir']);
  assert.equal(await box.inputValue(), 'demir');

  // ... but not a sign-out: the next person to sign in starts with an empty box.
  await page.getByTestId('console-signout').click();
  await page.getByTestId('console-signin').waitFor();
  await page.locator('#signin-email').fill(ctx.clinic.logins.owner.email);
  await page.locator('#signin-password').fill(ctx.clinic.logins.owner.password);
  await page.getByTestId('console-signin').locator('button[type=submit]').click();
  assert.deepEqual(await listed(page), ['Çağrı Çelik', 'Mehmet Demir', 'Ayşe Yılmaz']);
  assert.equal(await box.inputValue(), '');
  watch.assertNone();
});

test('the console holds back exactly the terms the server refuses (no browser)', async () => {
  const ctx = await setup([]);
  const terms = ['ab', 'a', 'ş', ' ab ', 'ğü', '12', '%%%', '___', '...', 'ıı', 'x'.repeat(100), 'x'.repeat(101),
    'a b', 'ab-c', 'ayse', 'ÇAĞ', 'José', '0555', '00 55', '4567', '012', '+90 5', '@ex', '@e', ' A@B ', '日本語', 'a日b',
    'ab日', 'a—b', 'o\u0308z'];
  const disagree = [];
  for (const typed of terms) {
    const q = searchQuery(typed);
    const sent = q ?? typed.trim();
    const res = await ctx.owner.request('GET', `${PATIENTS}?q=${encodeURIComponent(sent)}`);
    const expected = q !== null ? 200 : 422;
    if (res.status !== expected) disagree.push(`${JSON.stringify(typed)}: console ${q === null ? 'holds back' : 'sends'}, server ${res.status}`);
  }
  assert.deepEqual(disagree, []);
});

test('a refused search shows the problem\'s messages; "load more" pages with next_cursor', async () => {
  const people = [];
  for (let i = 0; i < 53; i++) people.push({ first_name: `Kişi${String(i).padStart(2, '0')}`, last_name: 'Sayfa' });
  const ctx = await setup(people);
  const { page, watch } = await openSignedIn(ctx.clinic.logins.owner, {
    locale: 'en-US',
    allow: [{ url: LIST, status: 422 }],
  });
  const pages = [];
  page.on('request', (r) => { if (LIST.test(r.url())) pages.push(Object.fromEntries(new URL(r.url()).searchParams)); });

  const first = await listed(page);
  assert.equal(first.length, 50);
  assert.equal(first[0], 'Kişi00 Sayfa');
  const more = page.getByTestId('patient-more');
  assert.equal(await more.innerText(), en['console.patients.more']);
  await more.click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="patient-row"]').length === 53);
  await byState(page, 'patient-results', 'ready').waitFor();
  assert.equal(await more.count(), 0, 'no "load more" after the last page');
  const names = await page.getByTestId('patient-link').allInnerTexts();
  assert.deepEqual(names, people.map((p) => `${p.first_name} ${p.last_name}`));
  assert.equal(pages.at(-1).limit, '50');
  assert.ok(pages.at(-1).cursor, 'the second page sends the cursor');

  // The API refuses a search (here: made to by the test): its errors[].message is shown.
  const message = 'Type at least 3 letters or digits (and at most 100 characters).';
  await page.route(/\/api\/v1\/clinic\/patients\?q=zzz/, (route) => route.fulfill({
    status: 422,
    contentType: 'application/problem+json',
    body: JSON.stringify({
      type: 'urn:patient-portal:problem:validation_failed', title: 'The input is not valid', status: 422,
      detail: 'The input is not valid', code: 'validation_failed', errors: [{ field: 'q', message }],
    }),
  }));
  await page.getByTestId('patient-search').fill('zzz');
  await byState(page, 'patient-results', 'error').waitFor();
  assert.equal(await page.getByTestId('patient-list-error').innerText(), message);
  assert.equal(await page.getByTestId('patient-row').count(), 0);
  watch.assertNone();
});

test('New patient: required names and a bad phone are shown at their fields; then the patient is created', async () => {
  const ctx = await setup([]);
  const { page, watch } = await openSignedIn(ctx.clinic.logins.staff, {
    locale: 'en-US',
    allow: [{ url: CREATE, status: 422 }],
  });
  const posts = [];
  page.on('request', (r) => { if (CREATE.test(r.url()) && r.method() === 'POST') posts.push(JSON.parse(r.postData())); });
  await listed(page);
  assert.equal(await page.getByTestId('patient-empty').innerText(), en['console.patients.empty']);

  await page.getByTestId('patient-new').click();
  const form = page.getByTestId('patient-new-form');
  // Empty names: said at once, without asking the server.
  await page.getByTestId('patient-new-submit').click();
  assert.equal(await form.getByTestId('field-error-first_name').innerText(), `${en['console.patient.error.required']}`);
  assert.equal(await form.getByTestId('field-error-last_name').innerText(), en['console.patient.error.required']);
  assert.equal(posts.length, 0);

  await page.getByTestId('new-first_name').fill('Zeynep');
  await form.getByTestId('field-error-first_name').waitFor({ state: 'detached', timeout: 5000 })
    .catch(() => assert.fail('typing clears the field\'s error'));
  await page.getByTestId('new-last_name').fill('Aksoy');
  await page.getByTestId('new-phone').fill('12');
  await page.getByTestId('new-email').fill('zeynep@aksoy.test');
  await page.getByTestId('new-language').selectOption('en');
  const refused = page.waitForResponse((r) => CREATE.test(r.url()) && r.status() === 422);
  await page.getByTestId('patient-new-submit').click();
  const problem = await (await refused).json();
  const phoneError = problem.errors.find((e) => e.field === 'phone');
  assert.ok(phoneError, JSON.stringify(problem));
  await form.getByTestId('field-error-phone').waitFor();
  assert.equal(await form.getByTestId('field-error-phone').innerText(), phoneError.message);
  assert.equal(await page.getByTestId('new-phone').getAttribute('aria-invalid'), 'true');
  await page.waitForFunction(() => document.activeElement?.name === 'phone', null, { timeout: 5000 })
    .catch(() => assert.fail('the bad field has the focus'));
  assert.equal(await form.getByTestId('field-error-email').count(), 0);

  await page.getByTestId('new-phone').fill('0532 111 22 33');
  await page.getByTestId('patient-new-submit').click();
  await page.getByTestId('patient-created').waitFor();
  assert.equal(await page.getByTestId('patient-created').locator('span').innerText(),
    en['console.patients.new.created'].replace('{name}', 'Zeynep Aksoy'));
  assert.deepEqual(posts.at(-1), {
    first_name: 'Zeynep', last_name: 'Aksoy', phone: '0532 111 22 33', email: 'zeynep@aksoy.test', language: 'en',
    portal_access: true,
  });
  assert.deepEqual(await listed(page), ['Zeynep Aksoy']);
  assert.equal(await page.getByTestId('patient-new-form').count(), 0, 'the form closes');

  await page.getByTestId('patient-created-link').click();
  await page.getByTestId('patient-details').waitFor();
  assert.equal(await page.getByTestId('patient-name').innerText(), 'Zeynep Aksoy');
  assert.equal(await page.getByTestId('edit-phone').inputValue(), '+905321112233', 'stored in E.164');
  assert.equal(await page.getByTestId('edit-language').inputValue(), 'en');
  const api = (await ctx.owner.request('GET', `${PATIENTS}?q=aksoy`)).body.items;
  assert.equal(api.length, 1);
  assert.equal(api[0].email, 'zeynep@aksoy.test');
  watch.assertNone();
});

test('Portal Permissions: custom with Select All, save, reload; a pair warning at its group; back to the clinic', async () => {
  const ctx = await setup([{ first_name: 'Selin', last_name: 'Aydın', phone: '0532 123 45 67' }]);
  const [patient] = ctx.patients;
  const { page, watch } = await openSignedIn(ctx.clinic.logins.owner, { hash: `#/patients/${patient.id}`, ready: 'patient-page' });
  const puts = [];
  page.on('request', (r) => {
    if (PERMS.test(r.url()) && r.method() === 'PUT') puts.push({ body: JSON.parse(r.postData()), csrf: r.headers()['x-csrf-token'] });
  });

  await page.getByTestId('tab-permissions').click();
  await page.getByTestId('patient-permissions').waitFor();
  assert.ok(page.url().endsWith(`#/patients/${patient.id}/permissions`), page.url());
  assert.equal(await page.getByTestId('tab-permissions').getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByTestId('perm-only-this-patient').innerText(), tr['console.perms.onlyThisPatient']);
  assert.equal(await page.getByTestId('perm-mode-clinic').isChecked(), true);
  assert.deepEqual(await effectiveShown(page), CLINIC_SET, 'following the clinic: its set, read-only');
  assert.equal(await page.getByTestId('perm-select-all').count(), 0);

  // Custom: starts from what the patient has; Select All ticks the 19; Save sends select_all.
  await page.getByTestId('perm-mode-custom').check();
  assert.deepEqual(await checkedPermissions(page), CLINIC_SET);
  await byState(page, 'perm-save-status', 'dirty').waitFor();
  await page.getByTestId('perm-select-all').click();
  assert.deepEqual(await checkedPermissions(page), ALL);
  assert.equal(await page.getByTestId('perm-count').innerText(),
    tr['console.perms.count'].replace('{count}', '19').replace('{total}', '19'));
  assert.equal(await page.getByTestId('perm-select-all').isDisabled(), true);
  // The clinic-level warnings show on this screen too, live (issue 16): no online payment,
  // nobody reviews uploads.
  await page.getByTestId('perm-warnings').getByTestId('warning-payment_infrastructure_inactive').waitFor();
  await page.getByTestId('perm-warnings').getByTestId('warning-uploads_without_reviewer').waitFor();
  // Clear All empties the set; Select All fills it again.
  await page.getByTestId('perm-clear-all').click();
  assert.deepEqual(await checkedPermissions(page), []);
  assert.equal(await page.getByTestId('perm-clear-all').isDisabled(), true);
  assert.equal(await page.getByTestId('perm-warnings').count(), 0, 'nothing ticked, nothing to warn about');
  await page.getByTestId('perm-select-all').click();
  await page.getByTestId('perm-save').click();
  await byState(page, 'perm-save-status', 'saved').waitFor();
  assert.deepEqual(puts.at(-1).body, { mode: 'custom', select_all: true });
  assert.ok(puts.at(-1).csrf, 'PUT carries X-CSRF-Token');
  assert.equal(await page.getByTestId('perm-save-status').innerText(), tr['console.perms.savedWithWarnings']);

  // Reload: the same tab, custom with all 19.
  await page.reload();
  await page.getByTestId('patient-permissions').waitFor();
  assert.equal(await page.getByTestId('tab-permissions').getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByTestId('perm-mode-custom').isChecked(), true);
  assert.deepEqual(await checkedPermissions(page), ALL);
  await page.getByTestId('patient-custom-badge').waitFor();

  // Unticking View Appointments while Create stays: the warning at the appointments group, live.
  await page.getByTestId('perm-view_appointments').uncheck();
  const groupWarning = page.getByTestId('group-appointments').getByTestId('warning-appointments_without_view');
  await groupWarning.waitFor();
  assert.equal(await groupWarning.getAttribute('data-source'), 'live');
  assert.equal(await groupWarning.innerText(), tr['console.warning.appointmentsWithoutView']);
  assert.equal(await page.getByTestId('warning-appointments_without_view').count(), 1, 'shown once, at its group');
  await page.getByTestId('perm-save').click();
  await byState(page, 'perm-save-status', 'saved').waitFor();
  assert.deepEqual(puts.at(-1).body, { mode: 'custom', permissions: ALL.filter((k) => k !== 'view_appointments') });
  await page.locator('[data-testid="group-appointments"] [data-testid="warning-appointments_without_view"][data-source="saved"]').waitFor();
  assert.equal(await page.getByTestId('perm-save-status').innerText(), tr['console.perms.savedWithWarnings']);

  // Back to following the clinic: the clinic's set is shown before and after saving.
  await page.getByTestId('perm-mode-clinic').check();
  assert.deepEqual(await effectiveShown(page), CLINIC_SET);
  assert.equal(await page.getByTestId('warning-appointments_without_view').count(), 0, 'no pair warning for the clinic\'s set');
  await page.getByTestId('perm-save').click();
  await byState(page, 'perm-save-status', 'saved').waitFor();
  assert.deepEqual(puts.at(-1).body, { mode: 'clinic' });
  assert.equal(await page.getByTestId('patient-permissions').getAttribute('data-mode'), 'clinic');
  assert.deepEqual(await effectiveShown(page), CLINIC_SET);
  assert.equal(await page.getByTestId('patient-custom-badge').count(), 0);
  const saved = (await ctx.owner.request('GET', `${PATIENTS}/${patient.id}/portal-permissions`)).body;
  assert.equal(saved.mode, 'clinic');
  assert.deepEqual([...saved.effective].sort(), [...CLINIC_SET].sort());
  watch.assertNone();
});

test('staff: the Portal Permissions tab is read-only, Details can be edited (only changed fields are sent)', async () => {
  const ctx = await setup([{ first_name: 'Deniz', last_name: 'Kara', phone: '0532 765 43 21', email: 'deniz@kara.test' }]);
  const [patient] = ctx.patients;
  const own = ['view_profile', 'view_balance', 'submit_forms'];
  const put = await ctx.owner.request('PUT', `${PATIENTS}/${patient.id}/portal-permissions`, { body: { mode: 'custom', permissions: own } });
  assert.equal(put.status, 200, put.text);
  const { page, watch } = await openSignedIn(ctx.clinic.logins.staff, {
    hash: `#/patients/${patient.id}/permissions`, ready: 'patient-permissions', locale: 'en-US',
  });

  assert.equal(await page.getByTestId('perm-readonly').innerText(), en['console.perms.readOnly']);
  assert.equal(await page.getByTestId('perm-save-bar').count(), 0, 'no Save for staff');
  assert.equal(await page.getByTestId('perm-select-all').count(), 0, 'no Select All for staff');
  assert.equal(await page.getByTestId('perm-mode-custom').isChecked(), true);
  assert.equal(await page.getByTestId('perm-mode-clinic').isDisabled(), true);
  assert.deepEqual(await checkedPermissions(page), own);
  for (const key of ALL) assert.equal(await page.getByTestId(`perm-${key}`).isDisabled(), true, key);
  // The saved set's pair warning is shown to staff too.
  await page.getByTestId('group-forms').getByTestId('warning-forms_without_view').waitFor();

  // Details: staff may change them; the PATCH carries only what changed, a cleared email as null.
  await page.getByTestId('tab-details').click();
  await page.getByTestId('patient-details').waitFor();
  assert.ok(page.url().endsWith(`#/patients/${patient.id}`), page.url());
  await page.getByTestId('edit-email').fill('');
  await page.getByTestId('edit-phone').fill('0533 000 11 22');
  await byState(page, 'details-status', 'dirty').waitFor();
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith(`${PATIENTS}/${patient.id}`) && r.method() === 'PATCH'),
    page.getByTestId('details-save').click(),
  ]);
  assert.deepEqual(JSON.parse(request.postData()), { phone: '0533 000 11 22', email: null });
  await byState(page, 'details-status', 'saved').waitFor();
  assert.equal(await page.getByTestId('edit-phone').inputValue(), '+905330001122');
  const got = (await ctx.owner.request('GET', `${PATIENTS}/${patient.id}`)).body;
  assert.equal(got.phone, '+905330001122');
  assert.equal(got.email, null);

  // Turning access off says the patient is signed out on save.
  await page.getByTestId('edit-portal_access').uncheck();
  assert.equal(await page.getByTestId('access-note').innerText(), en['console.patient.access.turningOff']);
  await page.getByTestId('details-reset').click();
  assert.equal(await page.getByTestId('edit-portal_access').isChecked(), true);
  watch.assertNone();
});

test('Details: address, emergency contact and communication are saved and reloaded; errors at their fields; the photo', async () => {
  const email = uniqueEmail('details');
  const ctx = await setup([{ first_name: 'Elif', last_name: 'Şahin', email }], { permissions: [...CLINIC_SET, 'upload_photo'] });
  const [patient] = ctx.patients;
  assert.equal(patient.has_photo, false);
  // The patient uploads a photo in the portal; the console shows it.
  const session = await signInPatient(ctx.clinic.code, email);
  const upload = await session.request('PUT', 'profile/photo', {
    raw: readFileSync(new URL('../api/fixtures/tiny.jpg', import.meta.url)), headers: { 'content-type': 'image/jpeg' },
  });
  assert.equal(upload.status, 200, upload.text);
  const { page, watch } = await openSignedIn(ctx.clinic.logins.staff, {
    hash: `#/patients/${patient.id}`, ready: 'patient-details', locale: 'en-US',
    allow: [{ url: new RegExp(`${PATIENTS}/${patient.id}$`), status: 422 }],
  });
  const photo = page.getByTestId('patient-photo');
  assert.equal(await photo.getAttribute('alt'), en['console.patient.photo.alt'].replace('{name}', 'Elif Şahin'));
  await page.waitForFunction(() => document.querySelector('[data-testid="patient-photo"]')?.naturalWidth > 0, null,
    { timeout: 5000 }).catch(() => assert.fail('the photo loads'));
  assert.ok((await photo.boundingBox()).width <= 64, 'a small photo');

  assert.equal(await page.getByTestId('edit-communication.sms').isChecked(), true, 'both channels on by default');
  assert.equal(await page.getByTestId('edit-communication.email').isChecked(), true);
  const patches = [];
  page.on('request', (r) => {
    if (r.url().endsWith(`${PATIENTS}/${patient.id}`) && r.method() === 'PATCH') patches.push(JSON.parse(r.postData()));
  });
  const address = 'Bağdat Cad. No 5 D 3\nKadıköy, İstanbul';
  await page.getByTestId('edit-address').fill(address);
  await page.getByTestId('edit-emergency_contact.name').fill('Murat Şahin');
  await page.getByTestId('edit-emergency_contact.phone').fill('12');
  await page.getByTestId('edit-communication.sms').uncheck();
  // A bad emergency phone: the server's message at that field, which takes the focus.
  const refused = page.waitForResponse((r) => r.url().endsWith(`${PATIENTS}/${patient.id}`) && r.status() === 422);
  await page.getByTestId('details-save').click();
  const problem = await (await refused).json();
  const phoneError = problem.errors.find((e) => e.field === 'emergency_contact.phone');
  assert.ok(phoneError, JSON.stringify(problem));
  const details = page.getByTestId('patient-details');
  await details.getByTestId('field-error-emergency_contact.phone').waitFor();
  assert.equal(await details.getByTestId('field-error-emergency_contact.phone').innerText(), phoneError.message);
  assert.equal(await page.getByTestId('edit-emergency_contact.phone').getAttribute('aria-invalid'), 'true');
  await page.waitForFunction(() => document.activeElement?.name === 'emergency_contact.phone', null, { timeout: 5000 })
    .catch(() => assert.fail('the bad field has the focus'));
  assert.equal(await page.getByTestId('details-error').count(), 0, 'no error apart from the field');

  await page.getByTestId('edit-emergency_contact.phone').fill('0532 999 88 77');
  await page.getByTestId('details-save').click();
  await byState(page, 'details-status', 'saved').waitFor();
  assert.deepEqual(patches.at(-1), {
    address, emergency_contact: { name: 'Murat Şahin', phone: '0532 999 88 77' }, communication: { sms: false },
  }, 'only what changed');
  const got = (await ctx.owner.request('GET', `${PATIENTS}/${patient.id}`)).body;
  assert.equal(got.address, address);
  assert.deepEqual(got.emergency_contact, { name: 'Murat Şahin', phone: '+905329998877' });
  assert.deepEqual(got.communication, { sms: false, email: true });

  // Reloaded: the saved values, the phone in E.164.
  await page.reload();
  await page.getByTestId('patient-details').waitFor();
  assert.equal(await page.getByTestId('edit-address').inputValue(), address);
  assert.equal(await page.getByTestId('edit-emergency_contact.name').inputValue(), 'Murat Şahin');
  assert.equal(await page.getByTestId('edit-emergency_contact.phone').inputValue(), '+905329998877');
  assert.equal(await page.getByTestId('edit-communication.sms').isChecked(), false);
  assert.equal(await page.getByTestId('edit-communication.email').isChecked(), true);
  assert.equal(await byState(page, 'details-status', 'clean').count(), 1);

  // Clearing the address and the contact sends null for both.
  await page.getByTestId('edit-address').fill('');
  await page.getByTestId('edit-emergency_contact.name').fill('');
  await page.getByTestId('edit-emergency_contact.phone').fill('');
  await page.getByTestId('details-save').click();
  await byState(page, 'details-status', 'saved').waitFor();
  assert.deepEqual(patches.at(-1), { address: null, emergency_contact: null });
  const cleared = (await ctx.owner.request('GET', `${PATIENTS}/${patient.id}`)).body;
  assert.equal(cleared.address, null);
  assert.equal(cleared.emergency_contact, null);
  watch.assertNone();
});

test('diagnostics: a patient without contact (permission allowed) fails contact_on_file; adding a phone fixes it', async () => {
  const ctx = await setup([{ first_name: 'Ömer', last_name: 'Öztürk' }]);
  const [patient] = ctx.patients;
  const { page, watch } = await openSignedIn(ctx.clinic.logins.admin, { hash: `#/patients/${patient.id}`, ready: 'patient-page' });
  await page.getByTestId('patient-details').waitFor();
  assert.equal(await page.getByTestId('contact-note').innerText(), tr['console.patient.contact.none']);

  await page.getByTestId('diag-action').selectOption('create_appointment');
  await byState(page, 'diag-output', 'ready').waitFor();
  const summary = page.getByTestId('diag-summary');
  assert.equal(await summary.getAttribute('data-allowed'), 'false');
  assert.equal(await summary.innerText(),
    tr['console.diag.deniedOne'].replace('{action}', 'Randevu oluşturma'));
  const conditions = await page.locator('[data-testid="diag-checks"] > li').evaluateAll(
    (items) => items.map((li) => [li.dataset.condition, li.dataset.ok]));
  assert.deepEqual(conditions, BASE_CONDITIONS.map((c) => [c, c === 'contact_on_file' ? 'false' : 'true']));
  const contact = page.getByTestId('diag-check-contact_on_file');
  assert.equal(await contact.getByTestId('diag-text').innerText(), tr['console.diag.contact.fail']);
  assert.equal(await contact.locator('.diag-mark').innerText(), '✗');
  assert.equal(await page.getByTestId('diag-check-permission').locator('.diag-mark').innerText(), '✓');
  assert.equal(await page.getByTestId('diag-check-permission').getByTestId('diag-text').innerText(),
    tr['console.diag.permission.ok'].replace('{action}', 'Randevu oluşturma'));

  // An action outside the clinic's set: the permission fails too, and says where to turn it on.
  await page.getByTestId('diag-action').selectOption('make_payment');
  await page.locator('[data-testid="diag-check-payment_infrastructure"][data-ok="false"]').waitFor();
  assert.equal(await page.getByTestId('diag-check-permission').getAttribute('data-ok'), 'false');
  await page.getByTestId('diag-check-permission').getByTestId('diag-goto-settings').waitFor();
  assert.equal(await page.getByTestId('diag-check-payment_infrastructure').getByTestId('diag-text').innerText(),
    tr['console.diag.payment.fail']);

  // The fix: a phone number on the Details tab; the diagnostics check again after saving.
  await page.getByTestId('diag-action').selectOption('create_appointment');
  await page.locator('[data-testid="diag-check-contact_on_file"][data-ok="false"]').waitFor();
  await contact.getByTestId('diag-goto-details').click();
  await page.getByTestId('edit-phone').fill('0532 444 11 22');
  await page.getByTestId('details-save').click();
  await byState(page, 'details-status', 'saved').waitFor();
  await page.locator('[data-testid="diag-summary"][data-allowed="true"]').waitFor();
  assert.equal(await summary.innerText(), tr['console.diag.allowed'].replace('{action}', 'Randevu oluşturma'));
  assert.equal(await page.locator('[data-testid="diag-checks"] [data-ok="false"]').count(), 0);

  // In English the words follow the language.
  await page.getByTestId('lang-en').click();
  assert.equal(await page.getByTestId('diag-check-contact_on_file').getByTestId('diag-text').innerText(), en['console.diag.contact.ok']);
  watch.assertNone();
});

test('layout: the list and the Portal Permissions tab at desktop and at 390 px, in Turkish and English', async () => {
  const ctx = await setup([
    ...PEOPLE,
    { first_name: 'Ömer Faruk', last_name: 'Öztürk-Karadeniz', email: 'omer.faruk.ozturk.karadeniz@uzun-bir-alan-adi.example.com' },
  ]);
  const target = ctx.patients[0];
  const put = await ctx.owner.request('PUT', `${PATIENTS}/${target.id}/portal-permissions`, {
    body: { mode: 'custom', permissions: ['view_profile', 'create_appointment', 'submit_forms', 'view_forms'] },
  });
  assert.equal(put.status, 200, put.text);
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const { page, watch } = await openSignedIn(ctx.clinic.logins.owner, { viewport });
    for (const lang of ['tr', 'en']) {
      await page.goto('/console/#/patients');
      await page.getByTestId(`lang-${lang}`).click();
      await page.getByRole('heading', { name: catalogs[lang]['console.patients.heading'] }).waitFor();
      assert.equal((await listed(page)).length, 4);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= viewport.width, `list (${lang}, ${viewport.width}): page is ${width} px wide`);
      await page.screenshot({ path: join(tmpdir(), `console-patients-${viewport.width}-${lang}.png`), fullPage: true });

      await page.goto(`/console/#/patients/${target.id}/permissions`);
      await page.getByTestId('patient-permissions').waitFor();
      await page.getByTestId('group-appointments').getByTestId('warning-appointments_without_view').waitFor();
      const permWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(permWidth <= viewport.width, `permissions (${lang}, ${viewport.width}): page is ${permWidth} px wide`);
      await page.getByTestId('diag-action').selectOption('view_appointments');
      await byState(page, 'diag-output', 'ready').waitFor();
      await page.screenshot({ path: join(tmpdir(), `console-patient-permissions-${viewport.width}-${lang}.png`), fullPage: true });
      // Dirty: Save stays in reach while scrolling (sticky at the bottom).
      await page.getByTestId('perm-view_appointments').check();
      await page.getByTestId('group-messages').scrollIntoViewIfNeeded();
      const save = await page.getByTestId('perm-save').boundingBox();
      assert.ok(save && save.y >= 0 && save.y + save.height <= viewport.height,
        `Save in the viewport (${lang}, ${viewport.width}): ${JSON.stringify(save)}`);
      await page.getByTestId('perm-reset').click();
    }
    watch.assertNone();
    await browser.close();
    browser = undefined;
  }
});
