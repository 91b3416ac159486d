// Browser tests of the console's Staff screen (issue 11 item 7): the owner sees the clinic's
// members, makes a staff member an administrator and disables them, and that person's open
// console is signed out at its next request; an administrator is offered nothing for the
// owner; staff see the list read-only; axe-core finds no serious or critical violation.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_staff.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeViolations, closedAfterEach } from './browser.mjs';
import { makeClinic } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr, en } = catalogs;
const { openConsole } = closedAfterEach();

const rowOf = (page, email) => page.getByTestId('staff-row').filter({ hasText: email });

test('the owner promotes and disables a staff member, whose open console is signed out', async () => {
  const clinic = makeClinic();
  const staffLogin = clinic.logins.staff;
  const them = await openConsole(staffLogin, { allow: [{ url: /\/api\/v1\/clinic\//, status: 401 }] });
  const { page, watch } = await openConsole(clinic.logins.owner);
  await page.getByTestId('nav-staff').click();
  await page.getByTestId('staff-screen').waitFor();
  assert.equal(await page.getByTestId('staff-row').count(), 3);
  assert.deepEqual(await axeViolations(page), []);

  const row = rowOf(page, staffLogin.email);
  const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && /\/clinic\/staff\//.test(r.url()));
  await row.getByTestId('staff-role').selectOption('admin');
  assert.equal((await saved).status(), 200);
  await row.locator('[data-testid="staff-role"]').evaluate((el) => el.value).then((v) => assert.equal(v, 'admin'));
  await row.getByTestId('staff-disable').click();
  await page.locator(`[data-testid="staff-row"][data-active="false"]`).filter({ hasText: staffLogin.email }).waitFor();
  assert.equal(await row.getByTestId('staff-state').innerText(), tr['console.staff.disabled']);
  // The owner's own row offers no role change and no disabling.
  const mine = rowOf(page, clinic.logins.owner.email);
  assert.equal(await mine.getByTestId('staff-role').count(), 0);
  assert.equal(await mine.getByTestId('staff-disable').count(), 0);
  watch.assertNone();

  // The disabled person's console: the next thing they open ends their session.
  await them.page.getByTestId('nav-patients').click();
  await them.page.getByTestId('console-session-ended').waitFor();
  await them.page.getByTestId('console-signin').waitFor();
});

test('an administrator is offered nothing for the owner; staff see the list read-only, in English', async () => {
  const clinic = makeClinic();
  const admin = await openConsole(clinic.logins.admin);
  await admin.page.getByTestId('nav-staff').click();
  await admin.page.getByTestId('staff-screen').waitFor();
  const owner = rowOf(admin.page, clinic.logins.owner.email);
  assert.equal(await owner.getByTestId('staff-role').count(), 0);
  assert.equal(await owner.getByTestId('staff-disable').count(), 0);
  const staffRow = rowOf(admin.page, clinic.logins.staff.email);
  assert.equal(await staffRow.getByTestId('staff-disable').count(), 1);
  admin.watch.assertNone();

  const staff = await openConsole(clinic.logins.staff, { locale: 'en-GB' });
  await staff.page.getByTestId('nav-staff').click();
  await staff.page.getByTestId('staff-screen').waitFor();
  assert.match(await staff.page.getByTestId('staff-screen').innerText(), new RegExp(en['console.staff.readOnly'].slice(0, 25)));
  assert.equal(await staff.page.getByTestId('staff-role').count(), 0);
  assert.equal(await staff.page.getByTestId('staff-disable').count(), 0);
  assert.deepEqual(await axeViolations(staff.page), []);
  staff.watch.assertNone();
});
