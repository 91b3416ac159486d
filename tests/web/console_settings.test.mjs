// Browser tests of the console's Portal Settings screen against a running stack: presets,
// live and saved warnings next to what they concern, save and reload, the code field (full
// address, live check, save problems), read-only for staff, the missing module, a stale
// ETag (412), and the layout on a 390 px phone. Each test makes its own clinics.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_settings.test.mjs
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { axeViolations, openConsole } from './browser.mjs';
import { makeApiKey, makeClinic, settingsBody, signIn as apiSignIn, withKey } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr, en } = catalogs;
const SETTINGS = /\/api\/v1\/clinic\/portal\/settings$/;
const ALL = [
  'view_profile', 'update_profile', 'upload_photo', 'view_appointments', 'create_appointment',
  'cancel_appointment', 'view_treatments', 'view_balance', 'view_invoices', 'view_payments', 'make_payment',
  'view_documents', 'download_documents', 'upload_documents', 'view_images', 'view_messages', 'send_message',
  'view_forms', 'submit_forms',
];

let browser;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

// Opens the console signed out (GET me answers 401 then, which is expected) and signs in.
async function openSignedIn(login, opts) {
  const opened = await openConsole(login, opts);
  ({ browser } = opened);
  return { page: opened.page, watch: opened.watch };
}

const byState = (page, testid, state) => page.locator(`[data-testid="${testid}"][data-state="${state}"]`);

async function checkedPermissions(page) {
  const out = [];
  for (const key of ALL) if (await page.getByTestId(`perm-${key}`).isChecked()) out.push(key);
  return out;
}

test('owner: preset, live warning, save, saved warnings, reload shows the saved state', async () => {
  const clinic = makeClinic();
  // The templates the clinic started with; the form sends them back as they are.
  const initial = (await withKey(makeApiKey(clinic.id, 'read')).request('GET', '/api/v1/clinic/portal/settings')).body;
  const { page, watch } = await openSignedIn(clinic.logins.owner, { locale: 'tr-TR' });
  const base = browser.baseUrl;

  // The code field shows the full address and that it is the clinic's current code.
  const code = page.getByTestId('settings-code');
  assert.equal(await code.inputValue(), clinic.code);
  await byState(page, 'code-status', 'current').waitFor();
  assert.equal(await page.getByTestId('portal-address').innerText(), `${base}/${clinic.code}`);
  assert.equal(await page.getByTestId('settings-enabled').isChecked(), false);

  // The address follows the typing.
  const newCode = `${clinic.code}-yeni`;
  await code.fill(newCode);
  assert.equal(await page.getByTestId('portal-address').innerText(), `${base}/${newCode}`);
  await byState(page, 'code-status', 'available').waitFor();
  assert.equal(await page.getByTestId('code-status').innerText(), tr['console.code.available']);
  await page.getByTestId('code-change-note').waitFor();
  await page.getByTestId('settings-enabled').check();

  // The basic preset only fills the form.
  await page.getByTestId('preset-basic').click();
  assert.deepEqual(await checkedPermissions(page),
    ['view_profile', 'view_appointments', 'create_appointment', 'cancel_appointment']);
  await page.getByTestId('preset-note').waitFor();
  assert.equal(await page.getByTestId('warning-appointments_without_view').count(), 0);

  // Unticking View Appointments draws the warning next to the appointments group, before saving.
  await page.getByTestId('perm-view_appointments').uncheck();
  const groupWarning = page.getByTestId('group-appointments').getByTestId('warning-appointments_without_view');
  await groupWarning.waitFor();
  assert.equal(await groupWarning.getAttribute('data-source'), 'live');
  assert.equal(await groupWarning.innerText(), tr['console.warning.appointmentsWithoutView']);
  assert.equal(await page.getByTestId('warning-appointments_without_view').count(), 1, 'shown once, at its group');
  await byState(page, 'save-status', 'dirty').waitFor();

  // Save: the PUT carries If-Match and the whole body; its warnings are shown where they belong.
  const [request] = await Promise.all([
    page.waitForRequest((r) => SETTINGS.test(r.url()) && r.method() === 'PUT'),
    page.getByTestId('settings-save').click(),
  ]);
  assert.match(request.headers()['if-match'] ?? '', /^"[^"]+"$/);
  assert.ok(request.headers()['x-csrf-token'], 'PUT carries X-CSRF-Token');
  assert.deepEqual(JSON.parse(request.postData()), {
    enabled: true,
    code: newCode,
    permissions: ['view_profile', 'create_appointment', 'cancel_appointment'],
    sms_template_id: initial.sms_template_id,
    email_template_id: initial.email_template_id,
    upload_reviewer_id: null,
  });
  await byState(page, 'save-status', 'saved').waitFor();
  assert.equal(await page.getByTestId('save-status').innerText(), tr['console.settings.savedWithWarnings']);
  await page.locator('[data-testid="group-appointments"] [data-testid="warning-appointments_without_view"][data-source="saved"]').waitFor();
  const changed = page.getByTestId('code-field').getByTestId('warning-code_changed');
  await changed.waitFor();
  const changedText = await changed.innerText();
  assert.ok(changedText.includes(`${base}/${clinic.code}`), `names the old address: ${changedText}`);
  assert.ok(changedText.includes(tr['console.warning.codeChangedNone']), `says how many were invited: ${changedText}`);
  await byState(page, 'code-status', 'current').waitFor();

  // The server has it.
  const api = await apiSignIn(clinic.logins.owner);
  const saved = (await api.request('GET', '/api/v1/clinic/portal/settings')).body;
  assert.deepEqual(saved, settingsBody({
    enabled: true, code: newCode, permissions: ['view_profile', 'create_appointment', 'cancel_appointment'],
    sms_template_id: initial.sms_template_id, email_template_id: initial.email_template_id,
  }));

  // A second save with the new ETag works (no stale If-Match after the first).
  await page.getByTestId('perm-view_profile').uncheck();
  await page.getByTestId('perm-view_profile').check();
  await page.getByTestId('perm-view_treatments').check();
  await page.getByTestId('settings-save').click();
  await byState(page, 'save-status', 'saved').waitFor();

  // Reload: the session is restored from the cookie and the saved state is shown.
  await page.reload();
  await page.getByTestId('portal-settings').waitFor();
  assert.equal(await page.getByTestId('console-signin').count(), 0);
  assert.equal(await page.getByTestId('settings-code').inputValue(), newCode);
  assert.equal(await page.getByTestId('settings-enabled').isChecked(), true);
  assert.deepEqual(await checkedPermissions(page),
    ['view_profile', 'create_appointment', 'cancel_appointment', 'view_treatments']);
  await byState(page, 'code-status', 'current').waitFor();
  assert.equal(await page.getByTestId('portal-address').innerText(), `${base}/${newCode}`);
  await page.getByTestId('group-appointments').getByTestId('warning-appointments_without_view').waitFor();
  assert.equal(await page.getByTestId('settings-save').isDisabled(), true, 'nothing to save after a reload');

  await page.screenshot({ path: join(tmpdir(), 'console-settings-tr.png'), fullPage: true });
  watch.assertNone();
});

test('code field: live taken, reserved and malformed messages; a taken code is refused at the field', async () => {
  const clinic = makeClinic();
  const other = makeClinic();
  const { page, watch } = await openSignedIn(clinic.logins.admin, {
    locale: 'en-US',
    allow: [{ url: SETTINGS, status: 409 }],
  });
  const code = page.getByTestId('settings-code');
  const status = page.getByTestId('code-status');
  await byState(page, 'code-status', 'current').waitFor();

  await code.fill(other.code);
  assert.equal(await page.getByTestId('portal-address').innerText(), `${browser.baseUrl}/${other.code}`);
  await byState(page, 'code-status', 'taken').waitFor();
  assert.equal(await status.innerText(), en['console.code.taken']);

  await code.fill('api');
  await byState(page, 'code-status', 'reserved').waitFor();
  assert.equal(await status.innerText(), en['console.code.reserved']);
  assert.equal(await page.getByTestId('code-change-note').count(), 0, 'no "old link stops" note for an unusable code');

  await code.fill('ab');
  await byState(page, 'code-status', 'invalid').waitFor();
  assert.equal(await status.innerText(), en['console.code.invalidLength']);
  // A malformed code is no address (issue 16).
  assert.equal(await page.getByTestId('portal-address').innerText(), en['console.code.noAddress']);

  await code.fill('Simple-Dent');
  await byState(page, 'code-status', 'invalid').waitFor();
  assert.equal(await status.innerText(), en['console.code.invalidCharacters']);

  // A phone number in the code: free, but the verdict agrees with the warning beside it
  // instead of a green "available" (issue 16).
  await code.fill('clinic-5551234567');
  await byState(page, 'code-status', 'available-personal').waitFor();
  assert.equal(await status.innerText(), en['console.code.availablePersonal']);
  assert.match(await status.getAttribute('class'), /code-status-warn/);
  await page.getByTestId('code-field').getByTestId('warning-code_looks_personal').waitFor();
  assert.equal(await page.getByTestId('warning-code_looks_personal').innerText(), en['console.warning.codeLooksPersonal']);

  // Saving another clinic's code: 409 code_taken, shown at the code field.
  await code.fill(other.code);
  await byState(page, 'code-status', 'taken').waitFor();
  await page.getByTestId('settings-save').click();
  await byState(page, 'code-status', 'code_taken').waitFor();
  assert.equal(await status.innerText(), en['console.code.taken']);
  assert.equal(await page.getByTestId('save-status').innerText(), en['console.settings.notSavedCode']);
  assert.equal(await code.getAttribute('aria-invalid'), 'true');
  watch.assertNone();
});

test('enabling without a code: the field says a code is needed, and Save answers code_required there', async () => {
  const clinic = makeClinic({ code: null });
  const { page, watch } = await openSignedIn(clinic.logins.owner, {
    locale: 'en-US',
    allow: [{ url: SETTINGS, status: 422 }],
  });
  await byState(page, 'code-status', 'empty').waitFor();
  // No code, no address: the preview does not pretend one (issue 16).
  assert.equal(await page.getByTestId('portal-address').innerText(), en['console.code.noAddress']);
  await page.getByTestId('settings-enabled').check();
  await byState(page, 'code-status', 'required').waitFor();
  await page.getByTestId('settings-save').click();
  await byState(page, 'code-status', 'code_required').waitFor();
  assert.equal(await page.getByTestId('code-status').innerText(), en['console.code.required']);
  // Typing clears the save problem and the check takes over again. (Letters only: a code
  // with a run of digits from the id could look like a phone number, which the check now
  // answers with a warning verdict instead of "available".)
  await page.getByTestId('settings-code').fill(`c-${clinic.id.slice(0, 8).replace(/[0-9]/g, (d) => 'abcdefghij'[d])}`);
  await byState(page, 'code-status', 'available').waitFor();
  watch.assertNone();
});

test('presets: finance leaves Make Payment off while payment is inactive; full draws the upload and payment notes', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openSignedIn(clinic.logins.owner, { locale: 'en-US' });

  await page.getByTestId('preset-finance').click();
  assert.deepEqual(await checkedPermissions(page), ['view_appointments', 'view_balance', 'view_invoices', 'view_payments']);
  assert.ok((await page.getByTestId('preset-note').innerText()).includes(en['console.settings.presets.paymentSkipped']));

  await page.getByTestId('preset-full').click();
  const full = await checkedPermissions(page);
  assert.deepEqual(full, ALL.filter((k) => !['upload_photo', 'view_images'].includes(k)));
  // make_payment is a plain member of "full"; the payment note sits under it.
  await page.getByTestId('perm-item-make_payment').getByTestId('warning-payment_infrastructure_inactive').waitFor();
  assert.equal(await page.getByTestId('warning-payment_infrastructure_inactive').innerText(), en['console.warning.paymentInactive']);
  await page.getByTestId('perm-item-upload_documents').getByTestId('warning-uploads_without_reviewer').waitFor();

  // Forms pair, live, at the forms group; gone again when View Forms comes back.
  await page.getByTestId('perm-view_forms').uncheck();
  const forms = page.getByTestId('group-forms').getByTestId('warning-forms_without_view');
  await forms.waitFor();
  assert.equal(await forms.innerText(), en['console.warning.formsWithoutView']);
  await page.getByTestId('perm-view_forms').check();
  await forms.waitFor({ state: 'detached' });

  // Saved, the server's warnings replace the live ones at the same places.
  await page.getByTestId('settings-save').click();
  await byState(page, 'save-status', 'saved').waitFor();
  await page.locator('[data-testid="perm-item-make_payment"] [data-testid="warning-payment_infrastructure_inactive"][data-source="saved"]').waitFor();
  await page.locator('[data-testid="perm-item-upload_documents"] [data-testid="warning-uploads_without_reviewer"][data-source="saved"]').waitFor();

  // Naming an active member of staff as the reviewer takes the warning away, live and saved.
  const reviewer = page.getByTestId('upload-reviewer');
  const options = await reviewer.locator('option').allInnerTexts();
  const staffOption = options.find((o) => o.startsWith(`staff `));
  assert.ok(staffOption, `no staff member among ${options.join(', ')}`);
  await reviewer.selectOption({ label: staffOption });
  await page.getByTestId('perm-item-upload_documents').getByTestId('warning-uploads_without_reviewer')
    .waitFor({ state: 'detached' });
  await page.getByTestId('settings-save').click();
  await byState(page, 'save-status', 'saved').waitFor();
  assert.equal(await page.getByTestId('warning-uploads_without_reviewer').count(), 0);
  watch.assertNone();
});

test('staff see the settings read-only and a note instead of the audit log', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openSignedIn(clinic.logins.staff, { locale: 'tr-TR' });
  await page.getByTestId('settings-readonly').waitFor();
  assert.equal(await page.getByTestId('settings-readonly').innerText(), tr['console.settings.readOnly']);
  assert.equal(await page.getByTestId('settings-enabled').isDisabled(), true);
  assert.equal(await page.getByTestId('settings-code').isDisabled(), true);
  for (const key of ALL) assert.equal(await page.getByTestId(`perm-${key}`).isDisabled(), true, key);
  assert.equal(await page.getByTestId('settings-save').count(), 0, 'no Save for staff');
  assert.equal(await page.getByTestId('presets').count(), 0, 'no presets for staff');
  assert.equal(await page.getByTestId('settings-code').inputValue(), clinic.code);
  assert.ok((await page.getByTestId('console-staff').innerText()).includes(tr['console.role.staff']));

  await page.getByTestId('nav-audit').click();
  await page.getByTestId('audit-forbidden').waitFor();
  assert.equal(await page.getByTestId('audit-table').count(), 0);
  watch.assertNone();
});

test('without the Patient Portal module a banner says so and Save stays off', async () => {
  const clinic = makeClinic({ module: false });
  const { page, watch } = await openSignedIn(clinic.logins.owner, { locale: 'en-US' });
  await page.getByTestId('module-missing').waitFor();
  assert.ok((await page.getByTestId('module-missing').innerText()).includes(en['console.settings.moduleMissing.title']));
  await page.getByTestId('perm-view_profile').check();
  assert.equal(await page.getByTestId('settings-save').isDisabled(), true);
  watch.assertNone();
});

test('a stale ETag: someone else saved first, the console says so and reloads on request', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openSignedIn(clinic.logins.owner, {
    locale: 'en-US',
    allow: [{ url: SETTINGS, status: 412 }],
  });
  await byState(page, 'code-status', 'current').waitFor();

  // Another admin saves meanwhile.
  const admin = await apiSignIn(clinic.logins.admin);
  const current = await admin.request('GET', '/api/v1/clinic/portal/settings');
  const theirs = settingsBody({ enabled: false, code: clinic.code, permissions: ['view_messages'] });
  const put = await admin.request('PUT', '/api/v1/clinic/portal/settings', {
    body: theirs, headers: { 'if-match': current.headers.get('etag') },
  });
  assert.equal(put.status, 200, put.text);

  await page.getByTestId('perm-view_profile').check();
  await page.getByTestId('settings-save').click();
  await page.getByTestId('save-conflict').waitFor();
  assert.ok((await page.getByTestId('save-conflict').innerText()).includes(en['console.settings.conflict']));
  assert.equal(await page.getByTestId('settings-save').isDisabled(), true);
  // Editing does not make the stale form savable: only a reload does.
  await page.getByTestId('perm-view_forms').check();
  assert.equal(await page.getByTestId('save-conflict').isVisible(), true);
  assert.equal(await page.getByTestId('settings-save').isDisabled(), true);

  await page.getByTestId('settings-reload').click();
  await page.getByTestId('save-conflict').waitFor({ state: 'detached' });
  assert.deepEqual(await checkedPermissions(page), ['view_messages']);
  await page.getByTestId('perm-view_profile').check();
  await page.getByTestId('settings-save').click();
  await byState(page, 'save-status', 'saved').waitFor();
  watch.assertNone();
});

test('the settings screen fits a 390 px phone in both languages', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openSignedIn(clinic.logins.owner, { locale: 'tr-TR', viewport: { width: 390, height: 844 } });
  await byState(page, 'code-status', 'current').waitFor();
  await page.getByTestId('preset-full').click();
  await page.getByTestId('perm-view_appointments').uncheck();
  await page.getByTestId('warning-appointments_without_view').waitFor();
  for (const lang of ['tr', 'en']) {
    await page.getByTestId(`lang-${lang}`).click();
    await page.getByRole('heading', { name: catalogs[lang]['console.settings.heading'] }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling (${lang}): page is ${width} px wide`);
    // Save stays in reach while scrolling (sticky at the bottom).
    await page.getByTestId('group-messages').scrollIntoViewIfNeeded();
    const save = await page.getByTestId('settings-save').boundingBox();
    assert.ok(save && save.y + save.height <= 844 && save.y >= 0, `Save in the viewport (${lang}): ${JSON.stringify(save)}`);
    await page.screenshot({ path: join(tmpdir(), `console-settings-390-${lang}.png`), fullPage: true });
  }
  watch.assertNone();
});

test('a portal that is off says so at the top; switching an open portal off asks first and says what happens to links', async () => {
  const clinic = makeClinic();
  const owner = await apiSignIn(clinic.logins.owner);
  const { page, watch } = await openSignedIn(clinic.logins.owner, { locale: 'en-US' });
  // Off (a new clinic's portal): the banner at the top says so.
  await page.getByTestId('portal-off-banner').waitFor();
  assert.ok((await page.getByTestId('portal-off-banner').innerText()).includes(en['console.settings.offBanner.title']));
  assert.deepEqual(await axeViolations(page), []);
  // Switched on and saved (no question: nothing already sent stops working), the banner goes.
  await page.getByTestId('settings-enabled').check();
  await page.getByTestId('perm-view_profile').check();
  await page.getByTestId('settings-save').click();
  await byState(page, 'save-status', 'saved').waitFor();
  assert.equal(await page.getByTestId('portal-off-banner').count(), 0);
  assert.equal(await page.getByTestId('save-confirm').count(), 0);

  // Switching it off asks first, and says the patients are signed out and links go dead.
  let puts = 0;
  page.on('request', (r) => { if (SETTINGS.test(r.url()) && r.method() === 'PUT') puts++; });
  await page.getByTestId('settings-enabled').uncheck();
  await page.getByTestId('settings-save').click();
  const ask = page.locator('[data-testid="save-confirm"][data-kind="off"]');
  await ask.waitFor();
  assert.ok((await ask.innerText()).includes(en['console.settings.confirmOff']));
  assert.deepEqual(await axeViolations(page), []);
  assert.equal(puts, 0, 'nothing saved before the answer');
  // "Cancel" saves nothing; the portal stays on.
  await page.getByTestId('save-confirm-no').click();
  assert.equal(await page.getByTestId('save-confirm').count(), 0);
  assert.equal((await owner.request('GET', '/api/v1/clinic/portal/settings')).body.enabled, true);
  // Asked again and confirmed: saved, and the banner is back.
  await page.getByTestId('settings-save').click();
  await ask.waitFor();
  await page.getByTestId('save-confirm-yes').click();
  await byState(page, 'save-status', 'saved').waitFor();
  assert.equal(puts, 1);
  assert.equal((await owner.request('GET', '/api/v1/clinic/portal/settings')).body.enabled, false);
  await page.getByTestId('portal-off-banner').waitFor();

  // A code change of an open portal names the old and the new address before saving.
  await page.getByTestId('settings-enabled').check();
  await page.getByTestId('settings-save').click();
  await byState(page, 'save-status', 'saved').waitFor();
  const newCode = `${clinic.code}-yeni`;
  await page.getByTestId('settings-code').fill(newCode);
  await byState(page, 'code-status', 'available').waitFor();
  await page.getByTestId('settings-save').click();
  const codeAsk = page.locator('[data-testid="save-confirm"][data-kind="code"]');
  await codeAsk.waitFor();
  const text = await codeAsk.innerText();
  assert.ok(text.includes(`${browser.baseUrl}/${clinic.code}`) && text.includes(`${browser.baseUrl}/${newCode}`), text);
  await page.getByTestId('save-confirm-yes').click();
  await byState(page, 'save-status', 'saved').waitFor();
  assert.equal((await owner.request('GET', '/api/v1/clinic/portal/settings')).body.code, newCode);
  watch.assertNone();
});
