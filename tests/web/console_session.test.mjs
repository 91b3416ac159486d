// Browser tests of the console's staff session against a running stack: a failed sign-in
// shows the server's problem detail; sign-in fills the header (clinic, name, role); a
// reload restores the session through GET me; sign out ends it; a session that ends while
// in use sends the console back to sign-in with a note. Each test makes its own clinic.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_session.test.mjs
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { launch, watchPage } from './browser.mjs';
import { api } from '../api/lib/client.mjs';
import { makeClinic } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr, en } = catalogs;
const ME = /\/api\/v1\/clinic\/me$/;
const LOGIN = /\/api\/v1\/clinic\/auth\/login$/;
const LOGOUT = /\/api\/v1\/clinic\/auth\/logout$/;

let browser;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function fillSignIn(page, { email, password }) {
  await page.locator('#signin-email').fill(email);
  await page.locator('#signin-password').fill(password);
  await page.getByTestId('console-signin').locator('button[type=submit]').click();
}

test('a wrong password shows the problem detail; signing in fills the header; reload keeps the session; sign out ends it', async () => {
  const clinic = makeClinic();
  browser = await launch({ locale: 'en-US' });
  const page = await browser.newPage();
  const watch = await watchPage(page, { allow: [{ url: ME, status: 401 }, { url: LOGIN, status: 401 }] });
  await page.goto('/console/');
  await page.getByTestId('console-signin').waitFor();
  await page.screenshot({ path: join(tmpdir(), 'console-signin-en.png') });

  const failed = page.waitForResponse((r) => LOGIN.test(r.url()));
  await fillSignIn(page, { email: clinic.logins.owner.email, password: 'not-the-password' });
  const problem = await (await failed).json();
  assert.equal(problem.code, 'not_authenticated');
  const error = page.getByTestId('console-signin-error');
  await error.waitFor();
  assert.equal(await error.innerText(), problem.detail, 'the server\'s detail is shown');
  assert.equal(await page.locator('#signin-password').inputValue(), 'not-the-password', 'the form keeps its input');

  const ok = page.waitForResponse((r) => LOGIN.test(r.url()) && r.status() === 200);
  await fillSignIn(page, clinic.logins.owner);
  await ok;
  await page.getByTestId('portal-settings').waitFor();
  assert.equal(await page.getByTestId('console-clinic').innerText(), clinic.name);
  const staff = await page.getByTestId('console-staff').innerText();
  assert.ok(staff.includes(en['console.role.owner']), staff);
  assert.ok(staff.startsWith('owner '), staff);
  // The smoke test's title stays as it was.
  assert.equal(await page.getByTestId('console-title').innerText(), `${en['product.name']}\n${en['console.name']}`);
  // The session cookie is HttpOnly: the page's script cannot read it.
  assert.equal(await page.evaluate(() => document.cookie.includes('portal_staff')), false);

  // Reload: GET me restores the session, no sign-in needed.
  const me = page.waitForResponse((r) => ME.test(r.url()));
  await page.reload();
  assert.equal((await me).status(), 200);
  await page.getByTestId('portal-settings').waitFor();
  assert.equal(await page.getByTestId('console-clinic').innerText(), clinic.name);

  // The header follows the language.
  await page.getByTestId('lang-tr').click();
  await page.getByTestId('console-signout').filter({ hasText: tr['console.signout'] }).waitFor();
  assert.ok((await page.getByTestId('console-staff').innerText()).includes(tr['console.role.owner']));

  // Sign out: 204, back to the sign-in form, and a reload stays signed out.
  const [logout] = await Promise.all([
    page.waitForResponse((r) => LOGOUT.test(r.url())),
    page.getByTestId('console-signout').click(),
  ]);
  assert.equal(logout.status(), 204);
  assert.ok(logout.request().headers()['x-csrf-token'], 'logout carries X-CSRF-Token');
  await page.getByTestId('console-signin').waitFor();
  assert.equal(await page.getByTestId('console-user').count(), 0);
  await page.reload();
  await page.getByTestId('console-signin').waitFor();
  watch.assertNone();
});

test('a session that ends while in use sends the console back to sign-in with a note', async () => {
  const clinic = makeClinic();
  browser = await launch({ locale: 'tr-TR' });
  const page = await browser.newPage();
  // Once the session ends, whatever the console asks next is answered 401: the click's
  // request, or one the settings screen was still making (its debounced code check).
  const watch = await watchPage(page, { allow: [{ url: /\/api\/v1\/clinic\//, status: 401 }] });
  await page.goto('/console/');
  await fillSignIn(page, clinic.logins.admin);
  await page.getByTestId('portal-settings').waitFor();

  // End the browser's session behind its back, with its own cookie.
  const cookie = (await browser.context.cookies()).find((c) => c.name === 'portal_staff');
  assert.ok(cookie?.httpOnly, 'portal_staff is HttpOnly');
  assert.equal(cookie.sameSite, 'Strict');
  const headers = { cookie: `portal_staff=${cookie.value}` };
  const meRes = await api('GET', '/api/v1/clinic/me', { headers });
  assert.equal(meRes.status, 200);
  const out = await api('POST', '/api/v1/clinic/auth/logout', { headers: { ...headers, 'x-csrf-token': meRes.body.csrf_token } });
  assert.equal(out.status, 204);

  // The console's next request meets 401: the click below, or one the settings screen was
  // still making (a debounced code check), whichever comes first.
  const ended = page.getByTestId('console-session-ended');
  const nav = page.getByTestId('nav-audit');
  await Promise.race([ended.waitFor(), nav.click().catch(() => ended.waitFor())]);
  await ended.waitFor();
  assert.equal(await page.getByTestId('console-session-ended').innerText(), tr['console.sessionEnded']);
  await page.getByTestId('console-signin').waitFor();
  await fillSignIn(page, clinic.logins.admin);
  await page.getByTestId('audit-table').waitFor();
  watch.assertNone();
});
