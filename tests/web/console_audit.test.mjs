// Browser tests of the console's Audit screen against a running stack: a settings save
// made in the console shows up in the log, with who did it and what changed; more than
// one page loads with "load more"; the log speaks in words (issue 16): names for who and whom,
// a sentence for each action, permission names in what changed. Each test makes its own clinic.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_audit.test.mjs
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { openConsole } from './browser.mjs';
import {
  enablePortal, makeClinic, makePatient, settingsBody, signIn as apiSignIn, signInPatient, uniquePhone,
} from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr, en } = catalogs;
const AUDIT = /\/api\/v1\/clinic\/audit\?/;

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

test('the audit screen lists the settings save made in the console', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openSignedIn(clinic.logins.owner, { locale: 'tr-TR' });
  await page.getByTestId('preset-basic').click();
  await page.getByTestId('settings-save').click();
  await page.locator('[data-testid="save-status"][data-state="saved"]').waitFor();

  await page.getByTestId('nav-audit').click();
  assert.match(page.url(), /#\/audit$/);
  await page.getByTestId('audit-table').waitFor();
  const save = page.locator('[data-testid="audit-row"][data-action="portal.settings.update"]');
  assert.equal(await save.count(), 1);
  const text = await save.innerText();
  assert.ok(text.includes(tr['console.audit.action.settingsUpdate']), text);
  assert.ok(text.includes(tr['console.audit.actor.you'].replace('{name}', `owner ${clinic.name.split(' ').pop()}`)), text);
  assert.ok(text.includes(tr['console.audit.field.permissions']), text);
  // The permissions by their names, not their keys (issue 16).
  const api = await apiSignIn(clinic.logins.owner);
  const names = Object.fromEntries((await api.request('GET', '/api/v1/clinic/portal/permissions')).body.groups
    .flatMap((g) => g.permissions).map((p) => [p.key, p.label.tr]));
  for (const key of ['view_profile', 'view_appointments', 'create_appointment', 'cancel_appointment']) {
    assert.ok(text.includes(names[key]) && !text.includes(key), `${names[key]}, not ${key}, in ${text}`);
  }
  // Newest first: the save is above the sign-in.
  const actions = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.dataset.action));
  assert.deepEqual(actions, ['portal.settings.update', 'staff.login']);

  // The language switch relabels the table.
  await page.getByTestId('lang-en').click();
  await page.getByRole('columnheader', { name: en['console.audit.col.changes'] }).waitFor();
  assert.ok((await save.innerText()).includes(en['console.audit.action.settingsUpdate']));

  // Back to the settings by the nav and by the address.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('portal-settings').waitFor();
  await page.goto('/console/#/audit');
  await page.getByTestId('audit-table').waitFor();
  await page.screenshot({ path: join(tmpdir(), 'console-audit-en.png'), fullPage: true });
  watch.assertNone();
});

test('"load more" pages the audit log 50 at a time', async () => {
  const clinic = makeClinic();
  // 54 settings saves + the API sign-in + the console sign-in = 56 entries.
  const api = await apiSignIn(clinic.logins.admin);
  for (let i = 0; i < 54; i++) {
    const res = await api.request('PUT', '/api/v1/clinic/portal/settings', {
      body: settingsBody({ code: clinic.code, permissions: i % 2 ? ['view_profile'] : [] }),
    });
    assert.equal(res.status, 200, res.text);
  }
  const { page, watch } = await openSignedIn(clinic.logins.owner, { locale: 'en-US', viewport: { width: 390, height: 844 } });
  const firstPage = page.waitForResponse((r) => AUDIT.test(r.url()));
  await page.getByTestId('nav-audit').click();
  assert.match((await firstPage).url(), /[?&]limit=50(&|$)/);
  await page.getByTestId('audit-table').waitFor();
  assert.equal(await page.getByTestId('audit-row').count(), 50);

  const secondPage = page.waitForResponse((r) => AUDIT.test(r.url()));
  await page.getByTestId('audit-more').click();
  assert.match((await secondPage).url(), /[?&]cursor=[^&]+/);
  await page.getByTestId('audit-more').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('audit-row').count(), 56);
  const ids = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.id)));
  assert.equal(new Set(ids).size, ids.length, 'no entry twice');
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first across pages');

  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling on a phone: ${width} px`);
  await page.screenshot({ path: join(tmpdir(), 'console-audit-390.png') });
  watch.assertNone();
});

test('the log speaks in words: names for who and whom, a sentence for what, permission names for what changed', async () => {
  const clinic = makeClinic();
  const owner = await apiSignIn(clinic.logins.owner);
  await enablePortal(owner, clinic, { permissions: ['view_profile', 'view_forms', 'submit_forms'] });
  const phone = uniquePhone();
  const patient = await makePatient(owner, { first_name: 'Ayşe', last_name: 'Denetim', phone });
  // The patient signs in (a patient as the actor); the owner takes Submit Forms away from her.
  await signInPatient(clinic.code, phone);
  const put = await owner.request('PUT', `/api/v1/clinic/patients/${patient.id}/portal-permissions`,
    { body: { mode: 'custom', permissions: ['view_profile', 'view_forms'] } });
  assert.equal(put.status, 200, put.text);

  const { page, watch } = await openSignedIn(clinic.logins.admin, { locale: 'tr-TR' });
  await page.goto('/console/#/audit');
  await page.getByTestId('audit-table').waitFor();
  const login = page.locator('[data-testid="audit-row"][data-action="patient.login"]').first();
  assert.equal(await login.getByTestId('audit-action').innerText(), tr['console.audit.act.patient.login']);
  const actor = login.getByTestId('audit-actor');
  assert.ok((await actor.innerText()).startsWith('Ayşe Denetim'), await actor.innerText());
  assert.equal(await actor.locator('a').getAttribute('href'), `#/patients/${patient.id}`);
  const perms = page.locator('[data-testid="audit-row"][data-action="patient.portal_permissions.update"]').first();
  const text = await perms.innerText();
  assert.ok(text.includes(tr['console.audit.target'].replace('{name}', 'Ayşe Denetim')), text);
  assert.ok(!text.includes('submit_forms') && !/Patient [0-9a-f]{8}|Hasta [0-9a-f]{8}/.test(text), text);
  const catalog = await owner.request('GET', '/api/v1/clinic/portal/permissions');
  const label = catalog.body.groups.flatMap((g) => g.permissions).find((p) => p.key === 'submit_forms').label.tr;
  assert.ok(text.includes(`− ${label}`), `names the permission taken away: ${text}`);
  assert.equal(await perms.getByTestId('audit-target').getAttribute('href'), `#/patients/${patient.id}`);
  // No row of this page shows an action as a raw key.
  const actions = await page.getByTestId('audit-action').allInnerTexts();
  assert.ok(actions.every((a) => !/^[a-z_]+(\.[a-z_]+)+$/.test(a.trim())), actions.join(' | '));
  watch.assertNone();
});

test('every action the API records has words in both languages', async () => {
  const { ACTION_KEYS } = await import('../../web/src/console/settingsRules.js');
  const { readFileSync } = await import('node:fs');
  // The actions the audit walker checks (every clinic change) and the patient's own.
  const walker = readFileSync(new URL('../api/audit.test.mjs', import.meta.url), 'utf8');
  const recorded = new Set([...walker.matchAll(/action: '([a-z_.]+)'/g)].map((m) => m[1]));
  for (const a of ['patient.login', 'patient.logout', 'patient.profile.update', 'patient.photo.update',
    'patient.photo.delete', 'patient.contact_change', 'document.upload', 'form.submit', 'payment.start']) recorded.add(a);
  const missing = [...recorded].filter((a) => !ACTION_KEYS[a] || !tr[ACTION_KEYS[a]] || !en[ACTION_KEYS[a]]);
  assert.deepEqual(missing, []);
});
