// Browser tests of the patient's forms (issue 15 items 3 and 4), at phone width (390 px): a
// form the clinic made through its API (a conditional question, a group, every kind of
// answer) and assigned to the patient. The patient fills part of it from the keyboard (the
// conditional question appears and goes as the answer changes), leaves (the draft is saved),
// comes back to the draft, opens it again on another device (a second browser, a second
// sign-in), sends it with a required answer and a consent missing and sees each problem
// beside its question and in the summary at the top, fixes them and sends. Markup in the
// definition and in the answers is shown as text, and no script runs. The form republished
// meanwhile: an older draft is carried over, and a sending refused with 409
// form_version_changed reads the new version and keeps the answers that still fit. Only
// view_forms: the form is read, nothing is sent. axe-core finds no serious or critical
// violation on these screens.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/portal_forms.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { axeViolations, launch, portalSignedIn } from './browser.mjs';
import { enablePortal, makeClinic, makePatient, signIn, uniquePhone } from '../api/lib/fixtures.mjs';
import { assertNoScriptRan, watchDialogs } from './messages_fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr, en } = catalogs;
const PHONE_VIEWPORT = { width: 390, height: 844 };
const FORM_PERMISSIONS = ['view_profile', 'view_forms', 'submit_forms'];

// Markup that would set window.__xss if it ever became elements.
const XSS_TITLE = '<script>window.__xss = "title"</script>Sağlık <i>geçmişi</i>';
const XSS_DISPLAY = '<img src=x onerror="window.__xss = \'display\'">Lütfen\ndikkatle yanıtlayın.';
const XSS_OPTION = '<b onclick="window.__xss = 1">Lateks</b>';
const XSS_ANSWER = '<img src=x onerror="window.__xss = \'answer\'"> Aspirin <a href="javascript:window.__xss = 2">x</a>';

const text = (tr_, en_) => ({ tr: tr_, en: en_ });

// A medical history: a conditional question, a group, every kind of answer.
function definition({ title = XSS_TITLE, ageText = 'Yaşınız' } = {}) {
  return {
    title: text(title, 'Medical history'),
    description: text('Randevunuzdan önce doldurun.', 'Please fill this in before your visit.'),
    items: [
      { link_id: 'intro', type: 'display', text: text(XSS_DISPLAY, 'Please answer carefully.') },
      { link_id: 'meds', type: 'boolean', required: true, text: text('Düzenli kullandığınız bir ilaç var mı?', 'Do you take any medication?') },
      { link_id: 'meds_which', type: 'string', required: true, text: text('Hangi ilaçlar?', 'Which ones?'),
        enable_when: [{ question: 'meds', operator: '=', answer: true }] },
      { link_id: 'age', type: 'integer', min: 0, max: 120, text: text(ageText, 'Your age') },
      { link_id: 'weight', type: 'decimal', text: text('Kilonuz (kg)', 'Your weight (kg)') },
      { link_id: 'allergies', type: 'multi_choice', text: text('Alerjileriniz', 'Your allergies'), options: [
        { value: 'penicillin', text: text('Penisilin', 'Penicillin') },
        { value: 'latex', text: text(XSS_OPTION, 'Latex') },
      ] },
      { link_id: 'health', type: 'group', text: text('Sağlık durumu', 'Your health'), items: [
        { link_id: 'bleeding', type: 'boolean', text: text('Kanama bozukluğunuz var mı?', 'Do you have a bleeding disorder?') },
        { link_id: 'last_visit', type: 'date', text: text('Son diş hekimi ziyaretiniz', 'Your last dental visit') },
        { link_id: 'notes', type: 'text', text: text('Eklemek istedikleriniz', 'Anything else') },
      ] },
      { link_id: 'sex', type: 'choice', required: true, text: text('Cinsiyetiniz', 'Your sex'), options: [
        { value: 'f', text: text('Kadın', 'Female') }, { value: 'm', text: text('Erkek', 'Male') },
      ] },
      { link_id: 'consent', type: 'consent', required: true,
        text: text('Verdiğim bilgilerin doğru olduğunu onaylıyorum.', 'I confirm that what I wrote is true.') },
    ],
  };
}

const browsers = [];
afterEach(async () => {
  while (browsers.length) await browsers.pop().close();
});

/** {clinic, owner, patient, phone, form} with the portal open for permissions and the form assigned. */
async function formsClinic({ permissions = FORM_PERMISSIONS } = {}) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  await enablePortal(owner, clinic, { permissions });
  const phone = uniquePhone();
  const patient = await makePatient(owner, { first_name: 'Elif', last_name: `Form ${clinic.code.slice(-5)}`, phone });
  const created = await owner.request('POST', '/api/v1/clinic/forms', { body: { definition: definition() } });
  assert.equal(created.status, 201, created.text);
  const assigned = await owner.request('POST', `/api/v1/clinic/forms/${created.body.id}/assignments`,
    { body: { patient_ids: [patient.id] } });
  assert.equal(assigned.status, 200, assigned.text);
  return { clinic, owner, patient, phone, form: created.body };
}

async function patientSignedIn(ctx, { allow = [] } = {}) {
  const b = await launch({ locale: 'tr-TR', viewport: PHONE_VIEWPORT });
  browsers.push(b);
  return portalSignedIn(b, ctx.clinic.code, ctx.phone, { allow });
}

async function noAxe(page, where) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${where}`);
}

async function assertNoHorizontalScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll} > ${client})`);
}

const item = (page, linkId) => page.locator(`[data-testid="form-item"][data-link-id="${linkId}"]`);
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? null);
const formReady = (page) => page.locator('[data-testid="portal-form"][data-state="ready"]').waitFor();
const listReady = (page) => page.locator('[data-testid="portal-forms"][data-state="ready"]').waitFor();
const isPath = (suffix, method) => (r) => r.request().method() === method && new URL(r.url()).pathname.endsWith(suffix);

test('at 390 px the patient fills part, leaves, comes back to the draft on this and another device, sends with answers missing, sees each problem beside its question, fixes and sends; markup stays text', async () => {
  const ctx = await formsClinic();
  const formId = ctx.form.id;
  const { page, watch } = await patientSignedIn(ctx);
  const dialogs = watchDialogs(page);

  // Home → Forms: the form, not started, its title as text.
  assert.equal(await page.getByTestId('home-link-forms').getAttribute('href'), '#/forms');
  await page.getByTestId('home-link-forms').click();
  await listReady(page);
  const entry = page.locator(`[data-testid="forms-entry"][data-id="${formId}"]`);
  assert.equal(await entry.getAttribute('data-state'), 'not_started');
  assert.equal(await entry.getByTestId('forms-entry-link').innerText(), XSS_TITLE);
  assert.equal(await entry.getByTestId('forms-entry-state').innerText(), tr['portal.forms.state.not_started']);
  await assertNoScriptRan(page, dialogs, 'list');
  await noAxe(page, 'list');
  await assertNoHorizontalScroll(page, 'list');

  await entry.getByTestId('forms-entry-link').click();
  await formReady(page);
  assert.equal(await page.getByTestId('form-title').innerText(), XSS_TITLE);
  assert.equal(await item(page, 'intro').innerText(), XSS_DISPLAY, 'the display text as text, its line break kept');
  assert.match(await item(page, 'allergies').innerText(), /<b onclick=/);
  assert.equal(await item(page, 'meds_which').count(), 0, 'the conditional question waits for its answer');
  await assertNoScriptRan(page, dialogs, 'form');
  await noAxe(page, 'form');
  await assertNoHorizontalScroll(page, 'form');

  // From the keyboard: "Yes" brings "Which ones?", the answer is typed; "No" takes it away,
  // "Yes" brings it back with what was typed.
  await page.locator('#pf-meds-0').focus();
  await page.keyboard.press('Space');
  await item(page, 'meds_which').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'pf-meds_which-input');
  await page.keyboard.type(XSS_ANSWER);
  await page.locator('#pf-meds-0').focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('#pf-meds-1').isChecked(), true);
  await item(page, 'meds_which').waitFor({ state: 'detached' });
  await page.keyboard.press('ArrowUp');
  await item(page, 'meds_which').waitFor();
  assert.equal(await page.locator('#pf-meds_which-input').inputValue(), XSS_ANSWER);
  await page.locator('#pf-age-input').fill('41');
  await page.locator('#pf-allergies-1').check();

  // Leaving the form saves the draft.
  const saved = page.waitForResponse(isPath(`/forms/${formId}/draft`, 'PUT'));
  await page.getByTestId('forms-back').click();
  const draftPut = await saved;
  assert.equal(draftPut.status(), 200);
  assert.deepEqual(draftPut.request().postDataJSON(), {
    version: 1, answers: { meds: true, meds_which: XSS_ANSWER.trim(), age: 41, allergies: ['latex'] },
  });
  await listReady(page);
  // The list may have been read before the draft landed: read it again.
  await page.reload();
  await listReady(page);
  assert.equal(await entry.getAttribute('data-state'), 'draft');
  assert.equal(await entry.getByTestId('forms-entry-state').innerText(), tr['portal.forms.state.draft']);

  // Back to the draft: the answers are there.
  await entry.getByTestId('forms-entry-link').click();
  await formReady(page);
  assert.equal(await page.getByTestId('form-notice').getAttribute('data-notice'), 'resumed');
  assert.equal(await page.locator('#pf-meds-0').isChecked(), true);
  assert.equal(await page.locator('#pf-meds_which-input').inputValue(), XSS_ANSWER.trim());
  assert.equal(await page.locator('#pf-age-input').inputValue(), '41');
  assert.equal(await page.locator('#pf-allergies-1').isChecked(), true);
  await assertNoScriptRan(page, dialogs, 'draft');

  // Another device: a second browser, its own sign-in, the same draft.
  const other = await patientSignedIn(ctx, { allow: [{ url: /\/submissions$/, status: 422 }] });
  const page2 = other.page;
  const dialogs2 = watchDialogs(page2);
  await page2.goto(`/${ctx.clinic.code}#/forms/${formId}`);
  await formReady(page2);
  assert.equal(await page2.getByTestId('form-notice').getAttribute('data-notice'), 'resumed');
  assert.equal(await page2.locator('#pf-meds_which-input').inputValue(), XSS_ANSWER.trim());
  assert.equal(await page2.locator('#pf-age-input').inputValue(), '41');

  // More answers, but not the required sex nor the consent: the server names both, each
  // beside its question, and the summary at the top takes the focus.
  await page2.locator('#pf-bleeding-1').check();
  await page2.locator('#pf-last_visit-input').fill('2025-11-03');
  await page2.locator('#pf-weight-input').fill('72,5');
  await page2.locator('#pf-notes-input').fill('Diş eti\nkanaması <u>yok</u>');
  const refused = page2.waitForResponse(isPath(`/forms/${formId}/submissions`, 'POST'));
  await page2.getByTestId('form-submit').click();
  assert.equal((await refused).status(), 422);
  const summary = page2.getByTestId('form-problems');
  await summary.waitFor();
  await page2.waitForFunction(() => document.activeElement?.dataset?.testid === 'form-problems');
  assert.deepEqual(await page2.getByTestId('form-problem').evaluateAll((els) => els.map((e) => e.dataset.field)), ['sex', 'consent']);
  const sexProblem = item(page2, 'sex').getByTestId('form-item-problem');
  assert.equal(await sexProblem.innerText(), tr['forms.problem.required']);
  const consentProblem = item(page2, 'consent').getByTestId('form-item-problem');
  assert.equal(await consentProblem.innerText(), tr['forms.problem.consent']);
  const consentBox = page2.locator('#pf-consent-input');
  assert.equal(await consentBox.getAttribute('aria-invalid'), 'true');
  assert.equal(await consentBox.getAttribute('aria-describedby'), 'pf-consent-error');
  assert.equal(await page2.locator('#pf-sex-0').getAttribute('aria-invalid'), 'true');
  assert.equal(await item(page2, 'sex').locator('fieldset').getAttribute('aria-describedby'), 'pf-sex-error');
  assert.equal(await item(page2, 'meds').getByTestId('form-item-problem').count(), 0, 'no problem beside an answered question');
  await noAxe(page2, 'form with problems');
  await assertNoHorizontalScroll(page2, 'form with problems');

  // The summary's link leads to the question; ticking the box clears its problem.
  await page2.getByTestId('form-problem').nth(1).locator('a').click();
  assert.equal(await focusedId(page2), 'pf-consent-input');
  await page2.keyboard.press('Space');
  assert.equal(await consentBox.isChecked(), true);
  assert.equal(await consentProblem.count(), 0);
  await page2.locator('#pf-sex-0').check();
  const accepted = page2.waitForResponse(isPath(`/forms/${formId}/submissions`, 'POST'));
  await page2.getByTestId('form-submit').click();
  const sent = await accepted;
  assert.equal(sent.status(), 201);
  assert.deepEqual(sent.request().postDataJSON().answers, {
    meds: true, meds_which: XSS_ANSWER.trim(), age: 41, weight: 72.5, allergies: ['latex'], bleeding: false,
    last_visit: '2025-11-03', notes: 'Diş eti\nkanaması <u>yok</u>', sex: 'f', consent: true,
  });
  await page2.getByTestId('form-sent').waitFor();
  assert.equal(await item(page2, 'meds_which').getByTestId('form-answer').innerText(), XSS_ANSWER.trim());
  assert.equal(await item(page2, 'consent').getByTestId('form-answer').innerText(), tr['forms.consent.given']);
  await assertNoScriptRan(page2, dialogs2, 'sent');
  await noAxe(page2, 'sent');
  await assertNoHorizontalScroll(page2, 'sent');

  // The clinic received it as sent; the list says sent.
  const list = await ctx.owner.request('GET', `/api/v1/clinic/form-submissions?form_id=${formId}`);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.items.length, 1);
  const detail = await ctx.owner.request('GET', `/api/v1/clinic/form-submissions/${list.body.items[0].id}`);
  assert.equal(detail.status, 200, detail.text);
  assert.equal(detail.body.answers.meds_which, XSS_ANSWER.trim());
  await page2.getByTestId('forms-to-list').click();
  await listReady(page2);
  assert.equal(await page2.locator(`[data-testid="forms-entry"][data-id="${formId}"]`).getAttribute('data-state'), 'submitted');
  watch.assertNone();
  other.watch.assertNone();
});

test('the form republished: an older draft comes back with the answers that fit, and a sending refused with 409 reads the new version and keeps them', async () => {
  const ctx = await formsClinic();
  const formId = ctx.form.id;
  const { page, watch } = await patientSignedIn(ctx, { allow: [{ url: /\/submissions$/, status: 409 }] });
  await page.goto(`/${ctx.clinic.code}#/forms/${formId}`);
  await formReady(page);
  assert.equal(await page.getByTestId('portal-form').getAttribute('data-version'), '1');
  await page.locator('#pf-meds-1').check();
  await page.locator('#pf-age-input').fill('33');
  await page.locator('#pf-sex-1').check();
  await page.locator('#pf-consent-input').check();
  const saved = page.waitForResponse(isPath(`/forms/${formId}/draft`, 'PUT'));
  await page.getByTestId('form-save').click();
  assert.equal((await saved).status(), 200);
  await page.getByTestId('form-saved').filter({ hasText: /\S/ }).waitFor();
  assert.match(await page.getByTestId('form-saved').innerText(), new RegExp(tr['portal.forms.savedAt'].split('{when}')[0].slice(0, 10)));

  // Version 2: the age question reads differently. The draft was made on version 1.
  const v2 = await ctx.owner.request('PUT', `/api/v1/clinic/forms/${formId}`, { body: { definition: definition({ ageText: 'Kaç yaşındasınız?' }) } });
  assert.equal(v2.status, 200, v2.text);
  await page.reload();
  await formReady(page);
  assert.equal(await page.getByTestId('portal-form').getAttribute('data-version'), '2');
  assert.equal(await page.getByTestId('form-notice').getAttribute('data-notice'), 'draftOlder');
  assert.equal(await page.locator('#pf-meds-1').isChecked(), true);
  assert.equal(await page.locator('#pf-age-input').inputValue(), '33');
  assert.equal(await page.locator('#pf-sex-1').isChecked(), true);
  assert.equal(await page.locator('#pf-consent-input').isChecked(), false, 'a consent is ticked again on a new version');
  assert.match(await item(page, 'age').innerText(), /Kaç yaşındasınız\?/);
  await page.locator('#pf-consent-input').check();

  // Version 3 while the patient is on the form: sending is refused, the form is read again.
  const v3 = await ctx.owner.request('PUT', `/api/v1/clinic/forms/${formId}`, { body: { definition: definition({ ageText: 'Yaşınız (yıl)' }) } });
  assert.equal(v3.status, 200, v3.text);
  const refused = page.waitForResponse(isPath(`/forms/${formId}/submissions`, 'POST'));
  await page.getByTestId('form-submit').click();
  assert.equal((await refused).status(), 409);
  await page.locator('[data-testid="portal-form"][data-version="3"]').waitFor();
  assert.equal(await page.getByTestId('form-notice').getAttribute('data-notice'), 'versionChanged');
  assert.equal(await page.getByTestId('form-notice').innerText(), tr['portal.forms.versionChanged']);
  assert.equal(await page.locator('#pf-age-input').inputValue(), '33');
  assert.equal(await page.locator('#pf-sex-1').isChecked(), true);
  await noAxe(page, 'form read again');
  await page.locator('#pf-consent-input').check();
  const accepted = page.waitForResponse(isPath(`/forms/${formId}/submissions`, 'POST'));
  await page.getByTestId('form-submit').click();
  const res = await accepted;
  assert.equal(res.status(), 201);
  assert.equal(res.request().postDataJSON().version, 3);
  await page.getByTestId('form-sent').waitFor();
  watch.assertNone();
});

test('view_forms alone reads the form without sending; without view_forms there is no forms screen; the words follow the language', async () => {
  const reader = await formsClinic({ permissions: ['view_profile', 'view_forms'] });
  let { page, watch } = await patientSignedIn(reader);
  await page.getByTestId('home-link-forms').click();
  await listReady(page);
  await page.getByTestId('forms-entry-link').click();
  await formReady(page);
  assert.equal(await page.getByTestId('form-view-only').innerText(), tr['portal.forms.viewOnly']);
  assert.equal(await page.getByTestId('form-submit').count(), 0);
  assert.equal(await page.getByTestId('form-save').count(), 0);
  assert.equal(await page.locator('[data-testid="form-fill"] input').count(), 0, 'nothing to fill in');
  await noAxe(page, 'form read only');
  await page.getByTestId('lang-en').click();
  await page.getByTestId('form-view-only').filter({ hasText: en['portal.forms.viewOnly'] }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  watch.assertNone();

  const none = await formsClinic({ permissions: ['view_profile'] });
  ({ page, watch } = await patientSignedIn(none));
  assert.equal(await page.getByTestId('home-section-forms').count(), 0);
  await page.goto(`/${none.clinic.code}#/forms/${none.form.id}`);
  await page.getByTestId('portal-unavailable').waitFor();
  watch.assertNone();
});
