// Browser tests of the console's Forms (issue 15 item 5): an admin builds a form with a
// conditional question from a blank one (adds items, edits them, moves one from the keyboard
// with the focus kept on it, sees a missing text caught beside its item, previews in Turkish
// and in English with the conditional question appearing as it is answered), publishes it,
// assigns it to a patient found by search, and publishes version 2; the server's 422 for a
// definition stands beside the item it names. A starter is copied and published, archived
// and made active again, the patient page's diagnostics saying why the patient cannot send
// it while it is archived. Staff open a patient's Forms tab, see a version-1 submission (made
// through the patient API) with version 1's questions after version 2 was published, the
// consent in the words ticked, and mark it reviewed. A definition and answers full of markup
// render as text. axe-core: no serious or critical violation on each new screen.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_forms.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeViolations, closedAfterEach } from './browser.mjs';
import { enablePortal, makeClinic, makePatient, signIn, signInPatient, uniquePhone } from '../api/lib/fixtures.mjs';
import { assertNoScriptRan, watchDialogs } from './messages_fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;
const { openConsole } = closedAfterEach();
const focusedTestId = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? null);
const focusedItemKey = (page) => page.evaluate(() => document.activeElement?.closest('[data-testid="fb-item"]')?.dataset.key ?? null);
const T = (trText, en) => ({ tr: trText, en });

async function noAxe(page, where) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${where}`);
}

/** {clinic, owner, admin, patient, phone}: the portal open for forms, a patient with a phone. */
async function formsClinic() {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const admin = await signIn(clinic.logins.admin);
  await enablePortal(owner, clinic, { permissions: ['view_profile', 'view_forms', 'submit_forms'] });
  const phone = uniquePhone();
  const patient = await makePatient(owner, { first_name: 'Ayşe', last_name: `Form ${clinic.code.slice(-5)}`, phone });
  return { clinic, owner, admin, patient, phone };
}

// The builder's last item (the one just added).
const lastItem = (page) => page.getByTestId('fb-item').last();

async function addItem(page, type, { tr: trText, en, linkId }) {
  await page.getByTestId('fb-add-type').selectOption(type);
  const before = await page.getByTestId('fb-item').count();
  await page.getByTestId('fb-add').click();
  await page.getByTestId('fb-item').nth(before).waitFor();
  const item = lastItem(page);
  // The new item's Turkish text has the focus.
  assert.equal(await focusedTestId(page), 'fb-item-text-tr');
  await item.getByTestId('fb-item-text-tr').fill(trText);
  if (en !== undefined) await item.getByTestId('fb-item-text-en').fill(en);
  if (linkId) await item.getByTestId('fb-item-link-id').fill(linkId);
  return item;
}

test('an admin builds a form with a conditional question, moves an item from the keyboard, previews it in both languages, publishes, assigns it and publishes version 2', async () => {
  const ctx = await formsClinic();
  const { page, watch } = await openConsole(ctx.clinic.logins.admin);

  await page.getByTestId('nav-forms').click();
  await page.locator('[data-testid="forms-list"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('forms-list-empty').innerText(), tr['console.forms.none']);
  await noAxe(page, 'forms list');
  await page.getByTestId('forms-new').click();
  await page.getByTestId('fb-start').waitFor();
  await page.getByTestId('fb-starter').first().waitFor();
  await noAxe(page, 'new form: starters');
  await page.getByTestId('fb-blank').click();
  await page.getByTestId('form-builder').waitFor();

  await page.getByTestId('fb-title-tr').fill('Sağlık öyküsü');
  await page.getByTestId('fb-title-en').fill('Medical history');
  await addItem(page, 'boolean', { tr: 'İlaç kullanıyor musunuz?', en: 'Do you take any medication?' });
  // A new item's link_id follows its text.
  assert.equal(await lastItem(page).getByTestId('fb-item-link-id').inputValue(), 'do_you_take_any_medication');
  await lastItem(page).getByTestId('fb-item-link-id').fill('meds');
  await lastItem(page).getByTestId('fb-item-required').check();

  // "Which?" shown only when the answer to meds is yes. English left out for now.
  const which = await addItem(page, 'string', { tr: 'Hangi ilaçlar?', linkId: 'meds_which' });
  await which.getByTestId('fb-cond-add').click();
  await which.getByTestId('fb-cond-operator').selectOption('=');
  await which.getByTestId('fb-cond-answer').selectOption('true');
  await which.getByTestId('fb-item-max-length').fill('120');

  // A text to read, added last, moved to the top from the keyboard.
  const note = await addItem(page, 'display', { tr: 'Lütfen dikkatle okuyun.', en: 'Please read carefully.', linkId: 'intro' });
  const noteKey = await note.getAttribute('data-key');
  const noteItem = page.locator(`[data-testid="fb-item"][data-key="${noteKey}"]`);
  await noteItem.getByTestId('fb-item-up').focus();
  await page.keyboard.press('Enter');
  assert.equal(await focusedItemKey(page), noteKey, 'the focus stays with the moved item');
  assert.equal(await focusedTestId(page), 'fb-item-up');
  await page.keyboard.press('Enter');
  // At the top "up" is disabled: the focus went to "down" of the same item.
  assert.equal(await focusedItemKey(page), noteKey);
  assert.equal(await focusedTestId(page), 'fb-item-down');
  const order = () => page.getByTestId('fb-item').evaluateAll((els) => els.map((e) => e.dataset.linkId));
  assert.deepEqual(await order(), ['intro', 'meds', 'meds_which']);
  // Removed, then brought back with Undo.
  await noteItem.getByTestId('fb-item-remove').click();
  assert.deepEqual(await order(), ['meds', 'meds_which']);
  await page.getByTestId('fb-undo').click();
  assert.deepEqual(await order(), ['intro', 'meds', 'meds_which']);
  assert.equal(await focusedItemKey(page), noteKey);

  // Publishing with the English text missing: caught beside the item and in the summary.
  await page.getByTestId('fb-publish').click();
  const summary = page.getByTestId('fb-summary');
  await summary.getByTestId('fb-summary-item').first().waitFor();
  assert.deepEqual(await summary.getByTestId('fb-summary-item').evaluateAll((els) => els.map((e) => e.dataset.field)),
    ['definition.items[2].text.en']);
  const whichItem = page.locator('[data-testid="fb-item"][data-link-id="meds_which"]');
  assert.equal(await whichItem.getByTestId('fb-item-text-en').getAttribute('aria-invalid'), 'true');
  assert.equal(await whichItem.getByTestId('fb-problem').first().innerText(), tr['console.forms.problem.required']);
  await noAxe(page, 'builder with a problem');
  // The summary's link leads to the field.
  await summary.locator('a').first().click();
  assert.equal(await focusedTestId(page), 'fb-item-text-en');
  await whichItem.getByTestId('fb-item-text-en').fill('Which medicines?');

  // Preview in Turkish: "which" hidden until meds is answered yes; then in English.
  await page.getByTestId('fb-preview-tr').click();
  const preview = page.getByTestId('fb-preview-body');
  assert.equal(await page.getByTestId('fb-preview-title').innerText(), 'Sağlık öyküsü');
  assert.deepEqual(await preview.getByTestId('form-item').evaluateAll((els) => els.map((e) => e.dataset.linkId)), ['intro', 'meds']);
  await preview.locator('[data-link-id="meds"] input').first().check();
  await preview.locator('[data-testid="form-item"][data-link-id="meds_which"]').waitFor();
  assert.match(await preview.locator('[data-link-id="meds_which"]').innerText(), /Hangi ilaçlar\?/);
  await page.getByTestId('fb-preview-en').click();
  assert.equal(await page.getByTestId('fb-preview-title').innerText(), 'Medical history');
  assert.match(await preview.locator('[data-link-id="meds"]').innerText(), /Do you take any medication\?/);
  await noAxe(page, 'builder with the preview');

  await page.getByTestId('fb-publish').click();
  await page.getByTestId('form-page').waitFor();
  const formId = await page.getByTestId('form-page').getAttribute('data-id');
  assert.equal(await page.getByTestId('form-version').innerText(), 'Sürüm 1');
  assert.match(await page.getByTestId('form-notice').innerText(), /Sağlık öyküsü/);
  const stored = await ctx.owner.request('GET', `/api/v1/clinic/forms/${formId}`);
  assert.equal(stored.status, 200, stored.text);
  assert.deepEqual(stored.body.definition, {
    title: T('Sağlık öyküsü', 'Medical history'),
    items: [
      { link_id: 'intro', type: 'display', text: T('Lütfen dikkatle okuyun.', 'Please read carefully.') },
      { link_id: 'meds', type: 'boolean', text: T('İlaç kullanıyor musunuz?', 'Do you take any medication?'), required: true },
      { link_id: 'meds_which', type: 'string', text: T('Hangi ilaçlar?', 'Which medicines?'), max_length: 120,
        enable_when: [{ question: 'meds', operator: '=', answer: true }] },
    ],
  });
  await noAxe(page, 'form page');

  // Assign it to the patient, found by name.
  await page.getByTestId('forms-picker-q').fill(ctx.patient.last_name);
  await page.getByTestId('forms-picker-go').click();
  await page.locator(`[data-testid="forms-picker-row"][data-id="${ctx.patient.id}"]`).getByTestId('forms-picker-check').check();
  await page.getByTestId('forms-assign').click();
  await page.locator(`[data-testid="assignment-row"][data-id="${ctx.patient.id}"]`).waitFor();
  assert.equal(await page.locator(`[data-testid="assignment-row"][data-id="${ctx.patient.id}"]`).getAttribute('data-state'), 'not_started');
  const assigned = await ctx.owner.request('GET', `/api/v1/clinic/forms/${formId}/assignments`);
  assert.deepEqual(assigned.body.items.map((a) => a.patient_id), [ctx.patient.id]);
  await noAxe(page, 'form page with an assignment');

  // The patient's Forms tab lists it; removed there and assigned again from there.
  await page.goto(`/console/#/patients/${ctx.patient.id}/forms`);
  const tabRow = page.locator(`[data-testid="patient-form-row"][data-id="${formId}"]`);
  await tabRow.waitFor();
  await noAxe(page, "patient's Forms tab");
  await tabRow.getByTestId('patient-form-unassign').click();
  await tabRow.waitFor({ state: 'detached' });
  await page.getByTestId('patient-forms-assigned-empty').waitFor();
  await page.getByTestId('patient-forms-choice').selectOption(formId);
  await page.getByTestId('patient-forms-assign-go').click();
  await tabRow.waitFor();
  assert.match(await page.getByTestId('patient-forms-notice').innerText(), /Sağlık öyküsü/);
  await page.goto(`/console/#/forms/${formId}`);
  await page.getByTestId('form-page').waitFor();

  // Version 2: a text changed.
  await page.getByTestId('form-edit').click();
  await page.getByTestId('form-builder').waitFor();
  await page.locator('[data-testid="fb-item"][data-link-id="meds_which"]').getByTestId('fb-item-text-en').fill('Which ones?');
  await page.getByTestId('fb-publish').click();
  await page.locator('[data-testid="form-page"][data-version="2"]').waitFor();
  assert.equal(await page.getByTestId('form-version-row').count(), 2);
  const v2 = await ctx.owner.request('GET', `/api/v1/clinic/forms/${formId}`);
  assert.equal(v2.body.current_version, 2);
  assert.equal(v2.body.definition.items[2].text.en, 'Which ones?');
  // Version 1's questions can still be read on the form's page.
  await page.locator('[data-testid="form-version-row"][data-version="1"]').getByTestId('form-version-show').click();
  await page.getByTestId('form-version-1-preview-en').click();
  const old = page.getByTestId('form-version-1-preview-body');
  await old.locator('[data-link-id="meds"] input').first().check();
  assert.match(await old.locator('[data-link-id="meds_which"]').innerText(), /Which medicines\?/);
  await noAxe(page, 'form page with version 1 shown');
  watch.assertNone();
});

test("the server's 422 for a definition stands beside the item it names", async () => {
  const ctx = await formsClinic();
  const made = await ctx.owner.request('POST', '/api/v1/clinic/forms', { body: { definition: {
    title: T('Renk', 'Colour'),
    items: [
      { link_id: 'intro', type: 'display', text: T('Merhaba', 'Hello') },
      { link_id: 'colour', type: 'choice', text: T('Renk?', 'Colour?'), options: [{ value: 'red', text: T('Kırmızı', 'Red') }] },
    ],
  } } });
  assert.equal(made.status, 201, made.text);
  const { page, watch } = await openConsole(ctx.clinic.logins.admin,
    { allow: [{ url: /\/api\/v1\/clinic\/forms\/[0-9a-f-]+$/, status: 422 }] });
  // What the builder sends is changed on its way (the choice loses its options), so the
  // real server's refusal is what the screen shows.
  await page.route(/\/api\/v1\/clinic\/forms\/[0-9a-f-]+$/, (route) => {
    const request = route.request();
    if (request.method() !== 'PUT') return route.continue();
    const body = JSON.parse(request.postData());
    delete body.definition.items[1].options;
    return route.continue({ postData: JSON.stringify(body) });
  });
  await page.goto(`/console/#/forms/${made.body.id}/edit`);
  await page.getByTestId('form-builder').waitFor();
  await page.getByTestId('fb-publish').click();
  const summary = page.getByTestId('fb-summary');
  await summary.getByTestId('fb-summary-item').first().waitFor();
  const fields = await summary.getByTestId('fb-summary-item').evaluateAll((els) => els.map((e) => e.dataset.field));
  assert.ok(fields.some((f) => f.startsWith('definition.items[1]')), `problems: ${fields}`);
  const colour = page.locator('[data-testid="fb-item"][data-link-id="colour"]');
  assert.ok(await colour.getByTestId('fb-problem').count() > 0, 'the problem stands beside the choice');
  assert.equal(await page.locator('[data-testid="fb-item"][data-link-id="intro"]').getByTestId('fb-problem').count(), 0);
  await noAxe(page, 'builder with the server problem');
  // Nothing was published.
  const still = await ctx.owner.request('GET', `/api/v1/clinic/forms/${made.body.id}`);
  assert.equal(still.body.current_version, 1);
  watch.assertNone();
});

test('a starter is copied and published, archived and made active again', async () => {
  const ctx = await formsClinic();
  const { page, watch } = await openConsole(ctx.clinic.logins.owner);
  await page.goto('/console/#/forms/new');
  const starter = page.locator('[data-testid="fb-starter"][data-key="medical_history"]');
  await starter.waitFor();
  await starter.getByTestId('fb-starter-copy').click();
  await page.getByTestId('form-builder').waitFor();
  assert.ok(await page.getByTestId('fb-item').count() > 3);
  // Its conditional questions came along.
  assert.ok(await page.getByTestId('fb-cond').count() > 0);
  await noAxe(page, 'builder with a starter');
  await page.getByTestId('fb-publish').click();
  await page.getByTestId('form-page').waitFor();
  const formId = await page.getByTestId('form-page').getAttribute('data-id');
  const record = await ctx.owner.request('GET', `/api/v1/clinic/forms/${formId}`);
  assert.equal(record.body.starter, 'medical_history');

  await page.getByTestId('form-to-all-toggle').check();
  await page.getByTestId('form-to-all').waitFor();
  await page.getByTestId('form-archive').click();
  await page.locator('[data-testid="form-page"][data-status="archived"]').waitFor();
  assert.equal(await page.getByTestId('form-edit').count(), 0);
  // The patient page's diagnostics say why the patient cannot send it, and lead to the form.
  await page.goto(`/console/#/patients/${ctx.patient.id}`);
  await page.getByTestId('diag-action').selectOption('submit_forms');
  await page.getByTestId('diag-form').selectOption(formId);
  await page.locator('[data-testid="diag-check-form_open"][data-ok="false"]').waitFor();
  assert.equal(await page.getByTestId('diag-summary').getAttribute('data-allowed'), 'false');
  await noAxe(page, 'diagnostics for an archived form');
  await page.getByTestId('diag-goto-form').click();
  await page.locator('[data-testid="form-page"][data-status="archived"]').waitFor();
  await page.getByTestId('form-back').click();
  await page.locator('[data-testid="forms-list"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('forms-row').count(), 0);
  await page.getByTestId('forms-status').selectOption('archived');
  await page.locator(`[data-testid="forms-row"][data-id="${formId}"]`).waitFor();
  await page.locator(`[data-testid="forms-row"][data-id="${formId}"]`).getByTestId('forms-open').click();
  await page.getByTestId('form-archive').click();
  await page.locator('[data-testid="form-page"][data-status="active"]').waitFor();
  const after = await ctx.owner.request('GET', `/api/v1/clinic/forms/${formId}`);
  assert.equal(after.body.status, 'active');
  assert.equal(after.body.available_to_all, true);
  await page.goto(`/console/#/patients/${ctx.patient.id}`);
  await page.getByTestId('diag-action').selectOption('submit_forms');
  await page.getByTestId('diag-form').selectOption(formId);
  await page.locator('[data-testid="diag-check-form_open"][data-ok="true"]').waitFor();
  watch.assertNone();
});

const XSS = '<script>window.__xss = "script"</script><img src=x onerror="window.__xss = \'img\'">';

test("staff see a version-1 submission with version 1's questions on the patient's Forms tab, markup as text, and mark it reviewed", async () => {
  const ctx = await formsClinic();
  const v1 = {
    title: T(`Onam ${XSS}`, `Consent ${XSS}`),
    items: [
      { link_id: 'smoke', type: 'choice', text: T(`Sigara ${XSS}`, `Smoking ${XSS}`), required: true,
        options: [{ value: 'no', text: T('Hayır', 'No') }, { value: 'yes', text: T(`Evet ${XSS}`, `Yes ${XSS}`) }] },
      { link_id: 'per_day', type: 'integer', text: T('Günde kaç tane?', 'How many a day?'), min: 1, max: 80,
        enable_when: [{ question: 'smoke', operator: '=', answer: 'yes' }] },
      { link_id: 'note', type: 'text', text: T('Notunuz', 'Your note') },
      { link_id: 'agree', type: 'consent', text: T(`Bilgilendirildim ${XSS}`, `I was informed ${XSS}`), required: true },
    ],
  };
  const made = await ctx.owner.request('POST', '/api/v1/clinic/forms', { body: { definition: v1 } });
  assert.equal(made.status, 201, made.text);
  const formId = made.body.id;
  const assign = await ctx.owner.request('POST', `/api/v1/clinic/forms/${formId}/assignments`, { body: { patient_ids: [ctx.patient.id] } });
  assert.equal(assign.status, 200, assign.text);

  const patient = await signInPatient(ctx.clinic.code, ctx.phone);
  const sent = await patient.request('POST', `forms/${formId}/submissions`, {
    body: { version: 1, answers: { smoke: 'yes', per_day: 12, note: `Merhaba\n${XSS}`, agree: true } },
  });
  assert.equal(sent.status, 201, sent.text);

  // Version 2 asks differently: the submission still shows version 1's words.
  const v2 = structuredClone(v1);
  v2.items[1].text = T('Haftada kaç tane?', 'How many a week?');
  const put = await ctx.owner.request('PUT', `/api/v1/clinic/forms/${formId}`, { body: { definition: v2 } });
  assert.equal(put.status, 200, put.text);

  const { page, watch } = await openConsole(ctx.clinic.logins.staff);
  const dialogs = watchDialogs(page);
  await page.goto(`/console/#/patients/${ctx.patient.id}/forms`);
  await page.getByTestId('patient-forms').waitFor();
  await page.locator(`[data-testid="patient-form-row"][data-id="${formId}"]`).waitFor();
  assert.equal(await page.getByTestId('patient-form-unassign').count(), 0, 'staff do not change assignments');
  const row = page.locator(`[data-testid="subs-row"][data-id="${sent.body.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'submitted');
  assert.equal(await row.getByTestId('subs-form').innerText(), `Onam ${XSS}`);
  await assertNoScriptRan(page, dialogs, 'patient forms tab');
  await noAxe(page, "patient's Forms tab");

  await row.getByTestId('subs-open').click();
  await page.locator('[data-testid="submission"][data-status="submitted"]').waitFor();
  assert.equal(await page.getByTestId('submission').getAttribute('data-version'), '1');
  const answers = page.getByTestId('submission-answers');
  // The patient's language (Turkish here), version 1's question, the answers as text.
  assert.equal(await page.getByTestId('submission-form-title').innerText(), `Onam ${XSS}`);
  const perDay = answers.locator('[data-link-id="per_day"]');
  assert.match(await perDay.innerText(), /Günde kaç tane\?/);
  assert.match(await perDay.innerText(), /12/);
  assert.doesNotMatch(await answers.innerText(), /Haftada/);
  assert.match(await answers.locator('[data-link-id="smoke"]').innerText(), /Evet <script>/);
  assert.match(await answers.locator('[data-link-id="note"]').innerText(), /<img src=x/);
  await page.getByTestId('submission-lang-en').click();
  assert.match(await answers.locator('[data-link-id="per_day"]').innerText(), /How many a day\?/);
  assert.match(await page.getByTestId('submission-consent').first().innerText(), /Bilgilendirildim <script>/);
  await assertNoScriptRan(page, dialogs, 'submission');
  await noAxe(page, 'submission');

  await page.getByTestId('submission-review').click();
  await page.locator('[data-testid="submission"][data-status="reviewed"]').waitFor();
  assert.equal(await page.getByTestId('submission-notice').innerText(), tr['console.forms.sub.reviewedDone']);
  await page.getByTestId('submission-reviewed-by').waitFor();
  const detail = await ctx.owner.request('GET', `/api/v1/clinic/form-submissions/${sent.body.id}`);
  assert.equal(detail.body.status, 'reviewed');

  // The form's page counts it as reviewed; staff read it but do not change it.
  await page.getByTestId('submission-back').click();
  await page.getByTestId('form-page').waitFor();
  assert.match(await page.getByTestId('form-unreviewed').innerText(), /0/);
  assert.equal(await page.getByTestId('form-edit').count(), 0);
  assert.equal(await page.getByTestId('form-settings').count(), 0);
  await page.getByTestId('form-back').click();
  await page.locator(`[data-testid="forms-row"][data-id="${formId}"]`).waitFor();
  assert.equal(await page.getByTestId('forms-new').count(), 0);
  await assertNoScriptRan(page, dialogs, 'form page');
  watch.assertNone();
});
