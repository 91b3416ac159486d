// Browser test of the console's clinic picker (issue 11 item 7): someone who works at two
// clinics signs in once, is asked which clinic to open (keyboard only, in Turkish), opens
// one and sees its name; axe-core finds no serious or critical violation on the picker.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_clinic_picker.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { axeViolations, launch, watchPage } from './browser.mjs';
import { makeClinic, portalctl, uniqueEmail } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;

let browser;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

test('a person in two clinics picks one with the keyboard and lands in it', async () => {
  const [a, b] = [makeClinic(), makeClinic()];
  const email = uniqueEmail('two');
  const password = portalctl('create-staff', '--clinic', a.id, '--email', email, '--role', 'staff', '--name', 'Deniz');
  portalctl('create-staff', '--clinic', b.id, '--email', email, '--role', 'admin', '--name', 'Deniz');
  browser = await launch({ locale: 'tr-TR' });
  const page = await browser.newPage();
  const watch = await watchPage(page, { allow: [{ url: /\/api\/v1\/clinic\/me$/, status: 401 }] });
  await page.goto('/console/');
  await page.getByTestId('console-signin').waitFor();
  await page.locator('#signin-email').fill(email);
  await page.locator('#signin-password').fill(password);
  await page.keyboard.press('Enter');
  const picker = page.getByTestId('console-clinic-picker');
  await picker.waitFor();
  assert.match(await picker.innerText(), new RegExp(tr['console.signin.pickHeading']));
  const names = await page.getByTestId('console-pick-clinic').allInnerTexts();
  assert.deepEqual(names, [a.name, b.name].sort());
  assert.deepEqual(await axeViolations(page), []);
  // Tab to B's button and open it.
  const target = names.indexOf(b.name);
  for (let i = 0; i <= target; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.id), b.id);
  await page.keyboard.press('Enter');
  await page.getByTestId('portal-settings').waitFor();
  assert.match(await page.locator('.console-header').innerText(), new RegExp(b.name));
  watch.assertNone();
});
