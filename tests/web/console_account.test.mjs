// Browser test of the console's My account screen (issue 11 item 7): a too-common new
// password is refused at its field, a good one is saved and the person's other session is
// signed out; the sessions list shows where they are signed in and "sign out everywhere
// else" ends the rest; Turkish; axe-core finds no serious or critical violation.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_account.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { axeViolations, openConsole } from './browser.mjs';
import { makeClinic, signIn as apiSignIn } from '../api/lib/fixtures.mjs';
import { api } from '../api/lib/client.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;
let browser;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

test('change password and sign out everywhere else', async () => {
  const clinic = makeClinic();
  const login = clinic.logins.admin;
  const elsewhere = await apiSignIn(login);
  const opened = await openConsole(login, { allow: [{ url: /\/api\/v1\/clinic\/me\/password$/, status: 422 }] });
  ({ browser } = opened);
  const { page, watch } = opened;
  await page.getByTestId('nav-account').click();
  await page.getByTestId('account-screen').waitFor();
  await page.locator('[data-testid="account-session"]').nth(1).waitFor();
  assert.equal(await page.locator('[data-testid="account-session"][data-current="true"]').count(), 1);
  assert.deepEqual(await axeViolations(page), []);

  await page.getByTestId('account-current').fill(login.password);
  await page.getByTestId('account-new').fill('Istanbul2026!');
  await page.getByTestId('account-password-save').click();
  await page.getByTestId('account-new-error').waitFor();
  assert.equal(await page.getByTestId('account-new').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await axeViolations(page), []);

  const fresh = 'Mavi deniz sakin liman 42';
  await page.getByTestId('account-new').fill(fresh);
  await page.getByTestId('account-password-save').click();
  await page.getByTestId('account-password-done').waitFor();
  assert.equal(await page.getByTestId('account-password-done').innerText(), tr['console.account.passwordDone']);
  assert.equal((await elsewhere.request('GET', '/api/v1/clinic/me')).status, 401, 'the other session ended');
  assert.equal((await api('POST', '/api/v1/clinic/auth/login', { body: { email: login.email, password: fresh } })).status, 200);

  // That sign-in made another session; sign out everywhere else ends it.
  await page.reload();
  await page.getByTestId('account-screen').waitFor();
  await page.locator('[data-testid="account-session"]').nth(1).waitFor();
  await page.getByTestId('account-end-others').click();
  await page.getByTestId('account-ended').waitFor();
  assert.equal(await page.getByTestId('account-session').count(), 1);
  watch.assertNone();
});
