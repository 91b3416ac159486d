// Browser tests of staff invitations, password reset and two-factor sign-in in the console
// (DESIGN.md section 16): the owner invites someone, who sets a password from the mail's
// link, signs in, sets up two-factor sign-in (the code computed from the secret the screen
// shows, as an authenticator app would) and signs in again with a code; disabled by the
// owner, their open console goes back to sign-in. "Forgot password?" sends a link that sets
// a new password once. A clinic that requires two-factor shows a member without it only the
// set-up screen; a wrong code is refused, a recovery code signs in; the owner resets a
// member's two-factor.
// axe-core finds no serious or critical violation on the set-password page, the code step,
// the set-up screens and the staff screen with its invite form; the sign-in pages fit 390px.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_staff_invite.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeViolations, closedAfterEach, launch, watchPage } from './browser.mjs';
import { api } from '../api/lib/client.mjs';
import { currentStep, nextStep, totp } from '../api/lib/totp.mjs';
import { makeClinic, nextMessage, sinkMark, unique } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;
const PHONE = { width: 390, height: 844 };
const FINISH = /\/api\/v1\/clinic\/auth\/password-reset\/finish$/;
const ME = /\/api\/v1\/clinic\/me$/;

const { keep, openConsole } = closedAfterEach();

// The app's code of the first 30 s step after usedStep, waiting for that step when needed
// (the server takes a step's code once only): {code, step}.
async function freshCode(secret, usedStep = -1) {
  if (currentStep() <= usedStep) await nextStep();
  const step = currentStep();
  return { code: totp(secret, step), step };
}

// A fresh browser on a console page, not signed in; GET me's 401 is expected.
async function openPage(path, { viewport = PHONE, allow = [] } = {}) {
  const browser = keep(await launch({ locale: 'tr-TR', viewport }));
  const page = await browser.newPage();
  const watch = await watchPage(page, { allow: [{ url: ME, status: 401 }, ...allow] });
  await page.goto(path);
  return { page, watch };
}

// The console address of the set-password link in a mail (invitation or reset).
function setPasswordPath(mail) {
  const token = /\/console\/#\/set-password\/([A-Za-z0-9_%-]+)/.exec(mail.text)?.[1];
  assert.ok(token, `no set-password link in: ${mail.text}`);
  return `/console/#/set-password/${token}`;
}

async function assertFits(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what} is ${scroll}px wide in a ${client}px window`);
}

async function setPassword(page, password) {
  await page.getByTestId('set-password').waitFor();
  await page.getByTestId('setpw-password').fill(password);
  await page.getByTestId('setpw-repeat').fill(password);
  await page.getByTestId('setpw-submit').click();
  await page.getByTestId('setpw-done').waitFor();
}

async function signInWithPassword(page, { email, password }) {
  await page.getByTestId('console-signin').waitFor();
  await page.locator('#signin-email').fill(email);
  await page.locator('#signin-password').fill(password);
  await page.getByTestId('console-signin').locator('button[type=submit]').click();
}

// Reads the secret the set-up screen shows, types the app's code; resolves to
// {secret, step, codes}: the step whose code was used and the recovery codes shown.
async function confirmTotp(page) {
  const secretText = await page.getByTestId('totp-secret').innerText();
  assert.match(secretText, /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/, 'the secret in groups of four');
  const secret = secretText.replace(/\s/g, '');
  const { code, step } = await freshCode(secret);
  await page.getByTestId('totp-confirm-code').fill(code);
  await page.getByTestId('totp-confirm').click();
  await page.getByTestId('totp-recovery-codes').waitFor();
  const codes = await page.getByTestId('totp-recovery-codes').locator('li').allInnerTexts();
  return { secret, step, codes };
}

test('an invited member sets a password, sets up two-factor, signs in with a code; disabled, their console signs out', async () => {
  const clinic = makeClinic();
  const owner = await openConsole(clinic.logins.owner);
  await owner.page.getByTestId('nav-staff').click();
  await owner.page.getByTestId('staff-invite').waitFor();
  assert.deepEqual(await axeViolations(owner.page), []);
  assert.deepEqual(await owner.page.getByTestId('invite-role').locator('option').evaluateAll((os) => os.map((o) => o.value)),
    ['staff', 'admin', 'owner']);

  // The invitation: the form's own check first, then the mail.
  await owner.page.getByTestId('invite-submit').click();
  await owner.page.getByTestId('invite-email-error').waitFor();
  assert.equal(await owner.page.getByTestId('invite-email').getAttribute('aria-invalid'), 'true');
  const email = `new-${unique()}@clinic.test`;
  const mark = sinkMark();
  await owner.page.getByTestId('invite-email').fill(email);
  await owner.page.getByTestId('invite-name').fill('Deniz Yeni');
  await owner.page.getByTestId('invite-role').selectOption('staff');
  await owner.page.getByTestId('invite-submit').click();
  await owner.page.getByTestId('invite-sent').waitFor();
  assert.equal(await owner.page.getByTestId('invite-sent').innerText(), tr['console.staff.invite.sent'].replace('{email}', email));
  const row = owner.page.getByTestId('staff-row').filter({ hasText: email });
  assert.equal(await row.getByTestId('staff-totp').getAttribute('data-enabled'), 'false');
  assert.deepEqual(await axeViolations(owner.page), []);
  owner.watch.assertNone();
  const invitation = await nextMessage(email, mark);

  // The new person, on a phone: the link opens the set-password page without a session.
  const them = await openPage(setPasswordPath(invitation), {
    allow: [{ url: FINISH, status: 422 }, { url: /\/api\/v1\/clinic\//, status: 401 }],
  });
  const { page } = them;
  await page.getByTestId('set-password').waitFor();
  assert.equal(await page.getByTestId('console-signin').count(), 0);
  assert.deepEqual(await axeViolations(page), []);
  await assertFits(page, 'the set-password page');
  await page.getByTestId('setpw-password').fill('Mavi deniz sakin liman 42');
  await page.getByTestId('setpw-repeat').fill('Mavi deniz sakin liman 24');
  await page.getByTestId('setpw-submit').click();
  await page.getByTestId('setpw-repeat-error').waitFor();
  await page.getByTestId('setpw-password').fill('Istanbul2026!');
  await page.getByTestId('setpw-repeat').fill('Istanbul2026!');
  await page.getByTestId('setpw-submit').click();
  await page.getByTestId('setpw-password-error').waitFor();
  assert.equal(await page.getByTestId('setpw-password').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await axeViolations(page), []);
  const password = 'Mavi deniz sakin liman 42';
  await setPassword(page, password);
  await page.getByTestId('setpw-signin').click();

  // Signs in with the password alone, sets up two-factor under My account.
  await signInWithPassword(page, { email, password });
  await page.getByTestId('portal-settings').waitFor();
  await page.getByTestId('nav-account').click();
  await page.getByTestId('totp-status').waitFor();
  assert.equal(await page.getByTestId('totp-status').getAttribute('data-enabled'), 'false');
  await page.getByTestId('totp-set-up').click();
  await page.getByTestId('totp-secret').waitFor();
  assert.equal(await page.getByTestId('totp-qr').getAttribute('role'), 'img');
  assert.equal(await page.getByTestId('totp-qr').getAttribute('aria-label'), tr['console.totp.qrLabel']);
  assert.deepEqual(await axeViolations(page), []);
  await assertFits(page, 'the two-factor set-up');
  const { secret, step, codes } = await confirmTotp(page);
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  assert.deepEqual(await axeViolations(page), []);
  await page.getByTestId('totp-codes-done').click();
  await page.locator('[data-testid="totp-status"][data-enabled="true"]').waitFor();

  // Signs out and in again: the password, then the code of a step not used yet.
  await page.getByTestId('console-signout').click();
  await signInWithPassword(page, { email, password });
  await page.getByTestId('console-signin-code').waitFor();
  const codeInput = page.getByTestId('signin-code');
  assert.equal(await codeInput.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await codeInput.getAttribute('inputmode'), 'numeric');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'signin-code', 'the code input has the focus');
  assert.deepEqual(await axeViolations(page), []);
  await assertFits(page, 'the sign-in code step');
  const next = await freshCode(secret, step);
  await page.keyboard.type(next.code);
  await page.keyboard.press('Enter');
  await page.getByTestId('account-screen').waitFor(); // signed in where they signed out
  them.watch.assertNone();

  // The owner sees two-factor on, and disables the member.
  await owner.page.reload();
  await owner.page.getByTestId('staff-screen').waitFor();
  assert.equal(await row.getByTestId('staff-totp').getAttribute('data-enabled'), 'true');
  await row.getByTestId('staff-disable').click();
  await owner.page.locator('[data-testid="staff-row"][data-active="false"]').filter({ hasText: email }).waitFor();
  owner.watch.assertNone();

  // The member's open console: the next thing they open ends their session.
  await page.getByTestId('nav-patients').click();
  await page.getByTestId('console-session-ended').waitFor();
  await page.getByTestId('console-signin').waitFor();
});

test('forgot password: the mailed link sets a new password once; the old one no longer signs in', async () => {
  const clinic = makeClinic();
  const login = clinic.logins.staff;
  const { page, watch } = await openPage('/console/', { allow: [{ url: FINISH, status: 400 }] });
  await page.getByTestId('console-signin').waitFor();
  await assertFits(page, 'the sign-in page');
  await page.getByTestId('console-forgot-link').click();
  await page.getByTestId('forgot-password').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await assertFits(page, 'the forgot-password page');
  const mark = sinkMark();
  await page.getByTestId('forgot-email').fill(login.email);
  await page.getByTestId('forgot-submit').click();
  await page.getByTestId('forgot-sent').waitFor();
  assert.equal(await page.getByTestId('forgot-sent-text').innerText(), tr['console.reset.sent'].replace('{email}', login.email));
  const link = setPasswordPath(await nextMessage(login.email, mark));

  await page.goto(link);
  const password = `Yeni parola ${unique()} bahar`;
  await setPassword(page, password);
  assert.equal((await api('POST', '/api/v1/clinic/auth/login', { body: login })).status, 401, 'the old password is refused');
  await page.getByTestId('setpw-signin').click();
  await signInWithPassword(page, { email: login.email, password });
  await page.getByTestId('portal-settings').waitFor();

  // The same link again: spent.
  await page.goto(link);
  await page.getByTestId('set-password').waitFor();
  await page.getByTestId('setpw-password').fill(`Bir daha ${unique()} deniz`);
  await page.getByTestId('setpw-repeat').fill(await page.getByTestId('setpw-password').inputValue());
  await page.getByTestId('setpw-submit').click();
  await page.getByTestId('setpw-invalid').waitFor();
  assert.match(await page.getByTestId('setpw-invalid').innerText(), new RegExp(tr['console.setPassword.invalid'].slice(0, 30)));
  watch.assertNone();
});

test('a clinic that requires two-factor: set-up first, a wrong code is refused, a recovery code signs in, the owner resets it', async () => {
  const clinic = makeClinic();
  const owner = await openConsole(clinic.logins.owner);
  await owner.page.getByTestId('nav-staff').click();
  await owner.page.getByTestId('staff-require-totp').check();
  await owner.page.getByTestId('staff-require-totp-saved').waitFor();

  // The staff member signs in: nothing but the set-up screen (and sign out).
  const login = clinic.logins.staff;
  const { page, watch } = await openPage('/console/', {
    viewport: { width: 1280, height: 800 },
    allow: [{ url: /\/api\/v1\/clinic\/auth\/login\/totp$/, status: 401 }, { url: /\/api\/v1\/clinic\//, status: 401 }],
  });
  await signInWithPassword(page, login);
  await page.getByTestId('totp-enrolment').waitFor();
  assert.equal(await page.getByTestId('nav-staff').count(), 0, 'no menu before set-up');
  await page.goto('/console/#/patients');
  await page.getByTestId('totp-enrolment').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.getByTestId('totp-start').click();
  await page.getByTestId('totp-secret').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  const { secret, step, codes } = await confirmTotp(page);
  await page.getByTestId('totp-codes-done').click();
  await page.getByTestId('nav-staff').waitFor();

  // Staff see the clinic's rule as a sentence.
  await page.getByTestId('nav-staff').click();
  await page.locator('[data-testid="staff-require-totp-text"][data-required="true"]').waitFor();
  assert.equal(await page.getByTestId('staff-invite').count(), 0, 'staff invite nobody');

  // A wrong code is refused; a recovery code signs in once.
  await page.getByTestId('console-signout').click();
  await signInWithPassword(page, login);
  await page.getByTestId('console-signin-code').waitFor();
  const used = await freshCode(secret, step);
  await page.getByTestId('signin-code').fill(used.code === '000000' ? '111111' : '000000');
  await page.getByTestId('signin-code-submit').click();
  await page.getByTestId('console-signin-code-error').waitFor();
  await page.getByTestId('signin-code-toggle').click();
  await page.getByTestId('signin-recovery').fill(codes[0]);
  await page.getByTestId('signin-code-submit').click();
  await page.getByTestId('staff-screen').waitFor(); // signed in where they signed out

  // The owner resets the member's two-factor (after a confirm step): their sessions end.
  await owner.page.reload();
  const row = owner.page.getByTestId('staff-row').filter({ hasText: login.email });
  await row.getByTestId('staff-totp-reset').click();
  await row.getByTestId('staff-totp-confirm').waitFor();
  assert.deepEqual(await axeViolations(owner.page), []);
  await row.getByTestId('staff-totp-reset-yes').click();
  await row.locator('[data-testid="staff-totp"][data-enabled="false"]').waitFor();
  await row.getByTestId('staff-totp-reset-done').waitFor();
  assert.equal(await owner.page.getByTestId('staff-row').filter({ hasText: clinic.logins.owner.email })
    .getByTestId('staff-totp-reset').count(), 0, 'not for oneself');
  owner.watch.assertNone();

  await page.getByTestId('nav-patients').click();
  await page.getByTestId('console-signin').waitFor();
  await signInWithPassword(page, login);
  await page.getByTestId('totp-enrolment').waitFor();
  watch.assertNone();
});
