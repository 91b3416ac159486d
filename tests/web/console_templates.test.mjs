// Browser tests of the console's template pickers (Portal Settings) and the Templates screen
// against a running stack: the default invitation templates chosen, an EN-only SMS template
// made in the editor (live SMS counter, placeholder buttons), chosen in the settings with
// the template_language_mismatch warning next to the pickers, the server's 422 on the body
// field, the 409 when deleting a template in use, and read-only for staff. Each test makes
// its own clinic.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_templates.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { openConsole } from './browser.mjs';
import { makeApiKey, makeClinic, signIn as apiSignIn, withKey } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;
const TEMPLATES = /\/api\/v1\/clinic\/templates$/;
const MEASURE = /\/api\/v1\/clinic\/templates\/sms-measure\?/;
const PREVIEW = /\/api\/v1\/clinic\/templates\/preview$/;
const ONE_TEMPLATE = /\/api\/v1\/clinic\/templates\/[0-9a-f-]{36}$/;
const SETTINGS = /\/api\/v1\/clinic\/portal\/settings$/;

let browser;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function openSignedIn(login, opts) {
  const opened = await openConsole(login, opts);
  ({ browser } = opened);
  return { page: opened.page, watch: opened.watch };
}

const counter = (page, attrs) =>
  page.locator(`[data-testid="sms-counter"]${Object.entries(attrs).map(([k, v]) => `[data-${k}="${v}"]`).join('')}`);

test('owner: default pickers, new EN-only SMS template, live counter, mismatch warning, delete in use', async () => {
  const clinic = makeClinic();
  const reader = withKey(makeApiKey(clinic.id, 'read'));
  const initial = (await reader.request('GET', '/api/v1/clinic/portal/settings')).body;
  const defaults = (await reader.request('GET', '/api/v1/clinic/templates')).body.items;
  // Invitation, sign-in code, contact change code, contact replaced, appointment confirmation
  // and cancellation.
  assert.equal(defaults.length, 12, 'a clinic starts with twelve templates, SMS and email for six purposes');
  assert.ok(initial.sms_template_id && initial.email_template_id, 'the defaults are chosen');

  const { page, watch } = await openSignedIn(clinic.logins.owner, {
    allow: [{ url: ONE_TEMPLATE, status: 409 }],
  });

  // The pickers show the default invitation templates, with their languages.
  const smsPicker = page.getByTestId('sms-template');
  const emailPicker = page.getByTestId('email-template');
  assert.equal(await smsPicker.inputValue(), initial.sms_template_id);
  assert.equal(await emailPicker.inputValue(), initial.email_template_id);
  const smsDefault = defaults.find((d) => d.id === initial.sms_template_id);
  assert.equal(await smsPicker.locator('option:checked').innerText(), `${smsDefault.name} (TR, EN)`);
  assert.equal(await page.getByTestId('picker-sms').getByTestId('template-langs').getAttribute('data-langs'), 'tr,en');
  // "None" is there too; the only other choices are invitation templates of the channel.
  assert.equal(await smsPicker.locator('option[value=""]').count(), 1);
  assert.equal(await smsPicker.locator('option').count(), 2);
  assert.equal(await page.getByTestId('warning-template_language_mismatch').count(), 0);

  // The link leads to the Templates screen: the defaults, six per channel.
  await page.getByTestId('settings-templates-link').click();
  await page.getByTestId('templates-sms').waitFor(); // once the list has loaded
  assert.equal(await page.getByTestId('templates-sms').locator('li').count(), 6);
  assert.equal(await page.getByTestId('templates-email').locator('li').count(), 6);
  assert.ok((await page.getByTestId('templates-sms').innerText()).includes(tr['console.templates.purpose.portalInvitation']));

  // A new SMS invitation template with English text only.
  await page.getByTestId('template-new').click();
  await page.getByTestId('template-editor').waitFor();
  const name = 'Only English invite';
  await page.getByTestId('template-name').fill(name);
  assert.equal(await page.getByTestId('template-channel').inputValue(), 'sms');
  assert.equal(await page.getByTestId('template-purpose').inputValue(), 'portal_invitation');
  await page.getByTestId('template-tab-en').click();
  const body = page.getByTestId('template-body');
  await body.fill('Hello {{patient_first_name}}, your portal: ');
  await page.getByTestId('placeholder-portal_url').click();
  assert.equal(await body.inputValue(), 'Hello {{patient_first_name}}, your portal: {{portal_url}}');
  // Clicking a placeholder inserts it at the cursor.
  await body.evaluate((el) => el.setSelectionRange(6, 6));
  await page.getByTestId('placeholder-clinic_name').click();
  assert.equal(await body.inputValue(), 'Hello {{clinic_name}}{{patient_first_name}}, your portal: {{portal_url}}');
  await body.fill('Hello {{patient_first_name}}, your portal: {{portal_url}}');

  // The live counter: GSM-7, one SMS; a Turkish letter turns it to UCS-2.
  await counter(page, { state: 'ready', encoding: 'GSM-7', segments: '1' }).waitFor();
  const text = await page.getByTestId('sms-counter').innerText();
  // In plain words (issue 16): which characters, how many messages.
  assert.equal(text, tr['console.templates.sms.plainOne'].replace('{characters}', text.match(/\d+/)[0]), text);
  assert.ok(!/GSM|UCS/.test(text), text);
  await body.press('End');
  await body.pressSequentially(' ş');
  await counter(page, { state: 'ready', encoding: 'UCS-2' }).waitFor();
  const special = await page.getByTestId('sms-counter').innerText();
  assert.ok(special.startsWith(tr['console.templates.sms.specialOne'].split('{')[0]) && !/GSM|UCS/.test(special), special);
  await body.fill('Hello {{patient_first_name}}, your portal: {{portal_url}}');
  await counter(page, { state: 'ready', encoding: 'GSM-7' }).waitFor();

  // Save: POST with an empty Turkish variant as null; the editor then shows the new template.
  const [request, response] = await Promise.all([
    page.waitForRequest((r) => TEMPLATES.test(r.url()) && r.method() === 'POST'),
    page.waitForResponse((r) => TEMPLATES.test(r.url()) && r.request().method() === 'POST'),
    page.getByTestId('template-save').click(),
  ]);
  assert.deepEqual(JSON.parse(request.postData()), {
    name, channel: 'sms', purpose: 'portal_invitation',
    variants: { tr: null, en: { body: 'Hello {{patient_first_name}}, your portal: {{portal_url}}' } },
  });
  assert.equal(response.status(), 201);
  const created = await response.json();
  await page.waitForFunction((id) => window.location.hash === `#/templates/${id}`, created.id);
  await page.getByTestId('template-channel-fixed').waitFor();
  assert.equal(await page.getByTestId('template-name').inputValue(), name);
  assert.equal(await page.getByTestId('template-panel').getAttribute('data-lang'), 'en', 'opens on the language it has');

  // Choose it in Portal Settings and save: the mismatch warning shows by the pickers.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('portal-settings').waitFor();
  assert.equal(await smsPicker.locator(`option[value="${created.id}"]`).innerText(), `${name} (EN)`);
  await smsPicker.selectOption(created.id);
  await page.locator('[data-testid="save-status"][data-state="dirty"]').waitFor();
  const [put] = await Promise.all([
    page.waitForRequest((r) => SETTINGS.test(r.url()) && r.method() === 'PUT'),
    page.getByTestId('settings-save').click(),
  ]);
  const sent = JSON.parse(put.postData());
  assert.equal(sent.sms_template_id, created.id);
  assert.equal(sent.email_template_id, initial.email_template_id);
  const mismatch = page.getByTestId('template-warnings').getByTestId('warning-template_language_mismatch');
  await mismatch.waitFor();
  assert.equal(await mismatch.getAttribute('data-source'), 'saved');
  assert.equal(await mismatch.innerText(), tr['console.warning.templateLanguageMismatch']);
  assert.equal(await page.getByTestId('picker-sms').getByTestId('template-langs').getAttribute('data-langs'), 'en');
  const api = await apiSignIn(clinic.logins.owner);
  assert.equal((await api.request('GET', '/api/v1/clinic/portal/settings')).body.sms_template_id, created.id);

  // Deleting it while the settings use it: the conflict is shown and the template stays.
  await page.evaluate((id) => { window.location.hash = `#/templates/${id}`; }, created.id);
  await page.getByTestId('template-channel-fixed').waitFor();
  await page.getByTestId('template-delete').click();
  await page.getByTestId('template-delete-yes').click();
  const conflict = page.getByTestId('template-delete-error');
  await conflict.waitFor();
  assert.equal(await conflict.getAttribute('data-code'), 'conflict');
  assert.equal(await conflict.innerText(), tr['console.templates.inUse']);
  assert.equal((await api.request('GET', `/api/v1/clinic/templates/${created.id}`)).status, 200);

  watch.assertNone();
});

test('owner: an unknown placeholder shows the server’s error on the body field', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openSignedIn(clinic.logins.owner, {
    locale: 'en-US',
    allow: [{ url: MEASURE, status: 422 }, { url: TEMPLATES, status: 422 }, { url: PREVIEW, status: 422 }],
  });
  await page.getByTestId('nav-templates').click();
  await page.getByTestId('template-new').click();
  await page.getByTestId('template-name').fill('Broken');
  await page.getByTestId('template-body').fill('Join with {{code}} at {{nope}}');
  // The counter says what the server says about the text.
  await counter(page, { state: 'error' }).waitFor();
  assert.match(await page.getByTestId('sms-counter').innerText(), /\{\{nope\}\}/);

  await page.getByTestId('template-save').click();
  const error = page.getByTestId('error-variants-tr-body');
  await error.waitFor();
  assert.match(await error.innerText(), /Unknown placeholder \{\{nope\}\}/);
  assert.equal(await page.getByTestId('template-body').getAttribute('aria-invalid'), 'true');
  await page.getByTestId('template-invalid').waitFor();
  // Still the new-template editor: nothing was created.
  assert.equal(await page.evaluate(() => window.location.hash), '#/templates/new');
  // Typing again clears the field's error.
  await page.getByTestId('template-body').fill('Join with {{code}}');
  assert.equal(await error.count(), 0);
  watch.assertNone();
});

test('staff: pickers and the template editor are read-only', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openSignedIn(clinic.logins.staff, { locale: 'en-US' });
  await page.getByTestId('settings-readonly').waitFor();
  assert.equal(await page.getByTestId('sms-template').isDisabled(), true);
  assert.equal(await page.getByTestId('email-template').isDisabled(), true);
  assert.ok(await page.getByTestId('sms-template').inputValue(), 'the default is shown');

  await page.getByTestId('nav-templates').click();
  await page.getByTestId('templates').waitFor();
  assert.equal(await page.getByTestId('template-new').count(), 0);
  await page.getByTestId('templates-sms').locator('a').first().click();
  await page.getByTestId('template-readonly').waitFor();
  assert.equal(await page.getByTestId('template-name').isDisabled(), true);
  assert.equal(await page.getByTestId('template-body').isDisabled(), true);
  assert.equal(await page.getByTestId('template-save').count(), 0);
  assert.equal(await page.getByTestId('template-delete').count(), 0);
  assert.equal(await page.getByTestId('placeholders').count(), 0);
  watch.assertNone();
});

test('the editor previews the message as the patient gets it, and names a wrong placeholder before Save', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openSignedIn(clinic.logins.owner, {
    locale: 'en-US', allow: [{ url: PREVIEW, status: 422 }],
  });
  let saves = 0;
  page.on('request', (r) => { if (TEMPLATES.test(r.url()) && r.method() === 'POST') saves++; });
  await page.getByTestId('nav-templates').click();
  await page.getByTestId('template-new').click();
  await page.getByTestId('template-channel').selectOption('email');
  await page.getByTestId('template-subject').fill('Welcome, {{patient_first_name}}');
  await page.getByTestId('template-body').fill('Your portal at {{clinic_name}}: {{portal_url}}');
  const preview = page.locator('[data-testid="template-preview"][data-state="ready"]');
  await preview.waitFor();
  const subject = await preview.getByTestId('template-preview-subject').innerText();
  const text = await preview.getByTestId('template-preview-text').innerText();
  assert.ok(subject.startsWith('Welcome, ') && !subject.includes('{{'), subject);
  assert.ok(text.includes(clinic.name) && /https?:\/\/\S+/.test(text) && !text.includes('{{'), text);
  // A placeholder the purpose does not have: said while typing, nothing saved.
  await page.getByTestId('template-body').fill('Your code is {{nope}}');
  await page.locator('[data-testid="template-preview"][data-state="error"]').waitFor();
  assert.match(await page.getByTestId('template-preview-error').innerText(), /\{\{nope\}\}/);
  assert.equal(saves, 0);
  watch.assertNone();
});
