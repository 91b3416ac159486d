// Browser tests of the console's clinic profile (issue 11 item 4): an owner edits and saves
// it (codes typed in lower case go out upper-cased, the phone comes back as E.164), a refused
// field says why beside it, the portal's sign-in page then shows the clinic's contact details
// to patients, staff see the profile read-only, and axe-core finds no serious or critical
// violation on the screen in either language or on the portal page at 390 px.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_clinic_profile.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { axeViolations, openConsole, watchPage } from './browser.mjs';
import { enablePortal, makeClinic, signIn as apiSignIn } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr, en } = catalogs;
let browser;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function openProfile(login, opts) {
  const opened = await openConsole(login, opts);
  browser = opened.browser;
  await opened.page.getByTestId('nav-clinic').click();
  await opened.page.getByTestId('clinic-profile').waitFor();
  return opened;
}

test('owner edits and saves the profile; a refused field says why; the portal shows the contact details', async () => {
  const clinic = makeClinic();
  await enablePortal(await apiSignIn(clinic.logins.owner), clinic);
  const { page, watch } = await openProfile(clinic.logins.owner, {
    allow: [{ url: /\/api\/v1\/clinic\/profile$/, status: 422 }],
  });
  assert.equal(await page.getByTestId('profile-name').inputValue(), clinic.name);
  assert.equal(await page.getByTestId('profile-country').inputValue(), 'TR');
  assert.deepEqual(await axeViolations(page), []);

  await page.getByTestId('profile-name').fill('Gülüş Diş Kliniği');
  await page.getByTestId('profile-phone').fill('0212 555 12 34');
  await page.getByTestId('profile-email').fill('iletisim@gulus.example');
  await page.getByTestId('profile-address').fill('Bağdat Cd. 10\nKadıköy');
  await page.getByTestId('profile-invoice_prefix').fill('gdk');
  await page.getByTestId('profile-time_zone').fill('Mars/Olympus');
  await page.getByTestId('profile-save').click();
  await page.getByTestId('profile-error-time_zone').waitFor();
  assert.equal(await page.getByTestId('profile-time_zone').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await axeViolations(page), []);

  await page.getByTestId('profile-time_zone').fill('Europe/Istanbul');
  await page.getByTestId('profile-save').click();
  await page.getByTestId('profile-saved').waitFor();
  assert.equal(await page.getByTestId('profile-saved').innerText(), tr['console.profile.saved']);
  assert.equal(await page.getByTestId('profile-phone').inputValue(), '+902125551234');
  assert.equal(await page.getByTestId('profile-invoice_prefix').inputValue(), 'GDK');
  await page.reload();
  await page.getByTestId('clinic-profile').waitFor();
  assert.equal(await page.getByTestId('profile-name').inputValue(), 'Gülüş Diş Kliniği');
  watch.assertNone();

  // A patient at the portal's address sees how to reach the clinic, at 390 px, in English.
  const portal = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const pwatch = await watchPage(portal, { allow: [{ url: /\/me$/, status: 401 }] });
  await portal.goto(`/${clinic.code}`);
  await portal.getByTestId('clinic-contact').waitFor();
  assert.equal(await portal.getByTestId('clinic-phone').getAttribute('href'), 'tel:+902125551234');
  assert.equal(await portal.getByTestId('clinic-email').innerText(), 'iletisim@gulus.example');
  assert.match(await portal.getByTestId('clinic-address').innerText(), /Bağdat Cd\. 10\s+Kadıköy/);
  const overflow = await portal.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'the page is wider than the phone');
  assert.deepEqual(await axeViolations(portal), []);
  pwatch.assertNone();
});

test('staff see the profile read-only, in English, with no save button', async () => {
  const clinic = makeClinic();
  const { page, watch } = await openProfile(clinic.logins.staff, { locale: 'en-GB' });
  assert.equal(await page.getByTestId('profile-name').isDisabled(), true);
  assert.equal(await page.getByTestId('profile-save').count(), 0);
  assert.match(await page.getByTestId('clinic-profile').innerText(), new RegExp(en['console.profile.readOnly'].slice(0, 20)));
  assert.deepEqual(await axeViolations(page), []);
  watch.assertNone();
});
