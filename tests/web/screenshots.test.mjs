// Screenshots for a reviewer who does not run anything by hand (issue 16): the patient's home,
// booking and a refusal (a section not open to the patient) at 390 px, and the console's
// portal settings and audit log at 1366 px, each in Turkish and in English, written to
// var/screenshots/ at the top of the checkout. Each picture is taken after its screen is
// ready and checked to be a PNG of the right width.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/screenshots.test.mjs
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { closedAfterEach, launch, portalSignedIn } from './browser.mjs';
import {
  enablePortal, makeClinic, makePatient, makeSchedule, signIn, uniquePhone,
} from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const DIR = fileURLToPath(new URL('../../var/screenshots/', import.meta.url));
const { keep, openConsole } = closedAfterEach();

// Writes the page as DIR/<name>.png and checks it: a PNG whose width is the viewport's.
async function shoot(page, name, width) {
  mkdirSync(DIR, { recursive: true });
  const path = `${DIR}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  const png = readFileSync(path);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', `${name} is a PNG`);
  assert.equal(png.readUInt32BE(16), width, `${name} is ${width} px wide`);
}

async function language(page, lang, heading) {
  await page.getByTestId(`lang-${lang}`).click();
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  if (heading) await heading.waitFor();
}

test('the patient app at 390 px: home, booking, a refusal, in Turkish and English', async () => {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  await owner.request('PUT', '/api/v1/clinic/profile', { body: {
    ...(await owner.request('GET', '/api/v1/clinic/profile')).body, phone: '+902165550101', email: 'info@klinik.test',
    address: 'Bağdat Cd. 12, Kadıköy, İstanbul' } });
  await enablePortal(owner, clinic, { permissions: ['view_profile', 'view_appointments', 'create_appointment',
    'cancel_appointment', 'view_forms'] });
  await makeSchedule(owner, { rules: { cancel_cutoff_minutes: 1440 } });
  const phone = uniquePhone();
  await makePatient(owner, { first_name: 'Ayşe', last_name: 'Yılmaz', phone });
  const browser = keep(await launch({ locale: 'tr-TR', viewport: { width: 390, height: 844 } }));
  const { page, watch } = await portalSignedIn(browser, clinic.code, phone);
  for (const lang of ['tr', 'en']) {
    await page.goto(`/${clinic.code}#/`);
    await page.getByTestId('portal-home').waitFor();
    await language(page, lang, page.getByTestId('home-greeting').filter({
      hasText: catalogs[lang]['portal.home.greeting'].replace('{name}', 'Ayşe') }));
    await shoot(page, `patient-home-390-${lang}`, 390);
    await page.goto(`/${clinic.code}#/appointments/new`);
    await page.locator('[data-testid="book-days"][data-state="ready"]').waitFor();
    await page.locator('[data-testid="book-day"][data-state="free"]').first().click();
    await page.getByTestId('book-slot').first().click();
    await page.getByTestId('book-cancel-rule').waitFor();
    await shoot(page, `patient-booking-390-${lang}`, 390);
    await page.goto(`/${clinic.code}#/treatments`);
    await page.getByTestId('portal-unavailable').waitFor();
    await shoot(page, `patient-refusal-390-${lang}`, 390);
  }
  watch.assertNone();
});

test('the console at 1366 px: portal settings and the audit log, in Turkish and English', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openConsole(clinic.logins.owner, { locale: 'tr-TR', viewport: { width: 1366, height: 900 } });
  for (const lang of ['tr', 'en']) {
    await page.goto('/console/#/settings');
    await page.locator('[data-testid="code-status"][data-state="current"]').waitFor();
    await language(page, lang, page.getByRole('heading', { name: catalogs[lang]['console.settings.heading'] }));
    await shoot(page, `console-settings-1366-${lang}`, 1366);
    await page.goto('/console/#/audit');
    await page.getByTestId('audit-table').waitFor();
    await page.getByRole('heading', { name: catalogs[lang]['console.audit.heading'] }).waitFor();
    await shoot(page, `console-audit-1366-${lang}`, 1366);
  }
  watch.assertNone();
});

test('the console\'s side navigation keeps every name inside its column at 1366 px, in both languages', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openConsole(clinic.logins.owner, { locale: 'tr-TR', viewport: { width: 1366, height: 900 } });
  for (const lang of ['tr', 'en']) {
    await language(page, lang);
    const spill = await page.locator('.console-nav a').evaluateAll((links) => links
      .filter((a) => a.scrollWidth > a.clientWidth + 1).map((a) => a.textContent));
    assert.deepEqual(spill, [], `names running out of the navigation (${lang})`);
  }
  watch.assertNone();
});
