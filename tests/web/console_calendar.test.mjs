// End-to-end browser tests of the console calendar (issue 6) against a running stack: staff
// create an appointment (patient found by search, type, day and time), move it to another
// time, see a move onto a taken time refused with 409 slot_taken in plain words, and cancel
// it; day and week views; the layout at desktop width and at 390 px without sideways
// scrolling of the page (the week grid scrolls inside its box). Scheduling settings are
// read-only for staff.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_calendar.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { launch, watchPage } from './browser.mjs';
import { makeClinic, makePatient, signIn as apiSignIn } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';
import { addDays, today } from '../../web/src/timeRules.js';

// Clinics default to Europe/Istanbul; the console sends times with the clinic's offset and,
// before any appointment shows it, takes the browser's.
process.env.TZ = 'Europe/Istanbul';

const { tr } = catalogs;
const CONSOLE_ME = /\/api\/v1\/clinic\/me$/;
const APPT = /\/api\/v1\/clinic\/appointments\/[0-9a-f-]+$/;

const browsers = [];
afterEach(async () => {
  while (browsers.length) await browsers.pop().close();
});

async function makeSchedule(owner) {
  const ok = (res, what) => {
    assert.ok(res.status === 200 || res.status === 201, `${what}: ${res.status} ${res.text}`);
    return res.body;
  };
  const practitioner = ok(await owner.request('POST', '/api/v1/clinic/practitioners', { body: { name: 'Dr. Ada Takvim', active: true } }),
    'practitioner');
  const second = ok(await owner.request('POST', '/api/v1/clinic/practitioners', { body: { name: 'Dr. Bora İkinci', active: true } }),
    'second practitioner');
  for (const p of [practitioner, second]) {
    ok(await owner.request('PUT', `/api/v1/clinic/practitioners/${p.id}/working-hours`, {
      body: { items: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '18:00' })) },
    }), 'hours');
  }
  const type = ok(await owner.request('POST', '/api/v1/clinic/appointment-types', {
    body: { name: 'Kontrol', duration_minutes: 30, online_bookable: false, active: true },
  }), 'type');
  return { practitioner, second, type };
}

async function staffPage(clinic, viewport = { width: 1280, height: 900 }, allow = []) {
  const b = await launch({ locale: 'tr-TR', viewport });
  browsers.push(b);
  const page = await b.newPage();
  const watch = await watchPage(page, { allow: [{ url: CONSOLE_ME, status: 401 }, ...allow] });
  await page.goto('/console/#/calendar');
  await page.getByTestId('console-signin').waitFor();
  await page.locator('#signin-email').fill(clinic.logins.staff.email);
  await page.locator('#signin-password').fill(clinic.logins.staff.password);
  await page.getByTestId('console-signin').locator('button[type=submit]').click();
  await page.getByTestId('calendar').waitFor();
  return { page, watch };
}

async function assertNoHorizontalScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll} > ${client})`);
}

async function showDay(page, date) {
  await page.getByTestId('cal-date').fill(date);
  await page.locator(`[data-testid="calendar"][data-date="${date}"][data-state="ready"]`).waitFor();
}

const ready = (page) => page.locator('[data-testid="calendar"][data-state="ready"]').waitFor();

test('staff create, move and cancel an appointment in the calendar; a taken time is refused plainly', async () => {
  const clinic = makeClinic();
  const owner = await apiSignIn(clinic.logins.owner);
  const { practitioner, second, type } = await makeSchedule(owner);
  const patient = await makePatient(owner, { first_name: 'Cem', last_name: `Takvimci${clinic.code.slice(-4)}` });
  // A weekday a week or so ahead.
  let date = addDays(today('Europe/Istanbul'), 7);
  while ([0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay())) date = addDays(date, 1);

  const { page, watch } = await staffPage(clinic, undefined, [{ url: APPT, status: 409 }]);
  await ready(page);
  assert.equal(await page.getByTestId('cal-practitioner').inputValue(), practitioner.id);
  await showDay(page, date);
  await page.getByTestId('cal-empty').waitFor();

  // Create: the patient by search, type, day and time.
  await page.getByTestId('cal-new').click();
  await page.getByTestId('cal-patient-search').fill(patient.last_name);
  await page.locator(`[data-testid="cal-patient-option"][data-id="${patient.id}"]`).click();
  await page.getByTestId('cal-patient-picked').waitFor();
  await page.getByTestId('cal-new-type').selectOption(type.id);
  await page.getByTestId('cal-new-date').fill(date);
  await page.getByTestId('cal-new-time').fill('10:00');
  const created = page.waitForResponse((r) => /\/api\/v1\/clinic\/appointments$/.test(r.url()) && r.request().method() === 'POST');
  await page.getByTestId('cal-new-submit').click();
  const res = await created;
  assert.equal(res.status(), 201, await res.text());
  const appt = await res.json();
  assert.equal(appt.start, `${date}T10:00:00+03:00`);
  assert.equal(appt.source, 'staff');
  await page.getByTestId('cal-notice').waitFor();
  const block = page.locator(`[data-testid="cal-appt"][data-id="${appt.id}"]`);
  await block.waitFor();
  assert.equal(await block.getAttribute('data-source'), 'staff');
  assert.equal(await block.getByTestId('cal-tag-portal').count(), 0);

  // Move to 11:30.
  await block.click();
  await page.getByTestId('cal-move').click();
  await page.getByTestId('cal-move-time').fill('11:30');
  const moved = page.waitForResponse((r) => APPT.test(r.url()) && r.request().method() === 'PATCH');
  await page.getByTestId('cal-move-submit').click();
  assert.equal((await moved).status(), 200);
  await page.locator(`[data-testid="cal-panel"][data-id="${appt.id}"]`).getByTestId('cal-panel-when')
    .filter({ hasText: '11:30' }).waitFor();
  let check = await owner.request('GET', `/api/v1/clinic/appointments?from=${date}&to=${date}&practitioner_id=${practitioner.id}`);
  assert.equal(check.body.items.find((a) => a.id === appt.id)?.start, `${date}T11:30:00+03:00`);

  // Another appointment at 14:00 (made through the API); moving onto it is refused.
  const other = await makePatient(owner, { first_name: 'Dolu', last_name: 'Saat' });
  const busy = await owner.request('POST', '/api/v1/clinic/appointments', {
    body: { patient_id: other.id, practitioner_id: practitioner.id, type_id: type.id, start: `${date}T14:00:00+03:00` },
  });
  assert.equal(busy.status, 201, busy.text);
  await showDay(page, addDays(date, 1));
  await showDay(page, date);
  await block.click();
  await page.getByTestId('cal-move').click();
  await page.getByTestId('cal-move-time').fill('14:00');
  const refused = page.waitForResponse((r) => APPT.test(r.url()) && r.request().method() === 'PATCH');
  await page.getByTestId('cal-move-submit').click();
  assert.equal((await refused).status(), 409);
  const error = page.getByTestId('cal-panel-error');
  await error.waitFor();
  assert.equal(await error.getAttribute('data-code'), 'slot_taken');
  assert.equal(await error.innerText(), tr['console.cal.slotTaken']);

  // Move to the second practitioner instead: the calendar follows it there.
  await page.getByTestId('cal-move-time').fill('11:30');
  await page.getByTestId('cal-move-practitioner').selectOption(second.id);
  await page.getByTestId('cal-move-submit').click();
  await page.locator(`[data-testid="calendar"][data-state="ready"]`).waitFor();
  await page.waitForFunction((id) => document.querySelector('[data-testid="cal-practitioner"]')?.value === id, second.id);
  await block.waitFor();

  // Cancel, after confirming: the block stays, marked cancelled by the clinic.
  await block.click();
  await page.getByTestId('cal-cancel').click();
  await page.getByTestId('cal-cancel-confirm').waitFor();
  const cancelled = page.waitForResponse((r) => /\/cancel$/.test(r.url()));
  await page.getByTestId('cal-cancel-yes').click();
  assert.equal((await cancelled).status(), 200);
  await page.locator(`[data-testid="cal-appt"][data-id="${appt.id}"][data-status="cancelled"]`).waitFor();
  assert.equal(await block.getAttribute('data-cancelled-by'), 'staff');
  check = await owner.request('GET', `/api/v1/clinic/appointments?from=${date}&to=${date}&practitioner_id=${second.id}`);
  const final = check.body.items.find((a) => a.id === appt.id);
  assert.equal(final.status, 'cancelled');
  assert.equal(final.cancelled_by, 'staff');

  watch.assertNone();
});

test('day and week views; the layout at desktop width and at 390 px; scheduling is read-only for staff', async () => {
  const clinic = makeClinic();
  const owner = await apiSignIn(clinic.logins.owner);
  const { practitioner, type } = await makeSchedule(owner);
  const patient = await makePatient(owner, { first_name: 'Hafta', last_name: 'Görünüm' });
  let date = addDays(today('Europe/Istanbul'), 3);
  while ([0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay())) date = addDays(date, 1);
  const made = await owner.request('POST', '/api/v1/clinic/appointments', {
    body: { patient_id: patient.id, practitioner_id: practitioner.id, type_id: type.id, start: `${date}T09:30:00+03:00`, note: 'ilk' },
  });
  assert.equal(made.status, 201, made.text);

  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    const { page, watch } = await staffPage(clinic, viewport);
    await ready(page);
    await showDay(page, date);
    const grid = page.getByTestId('cal-grid');
    assert.equal(await grid.getAttribute('data-view'), 'day');
    assert.equal(await page.getByTestId('cal-dayhead').count(), 1);
    await page.locator(`[data-testid="cal-appt"][data-id="${made.body.id}"]`).waitFor();
    await assertNoHorizontalScroll(page, `day view at ${viewport.width}px`);

    await page.getByTestId('cal-view-week').click();
    await page.locator('[data-testid="cal-grid"][data-view="week"]').waitFor();
    await ready(page);
    assert.equal(await page.getByTestId('cal-dayhead').count(), 7);
    assert.equal(await page.locator(`[data-testid="cal-dayhead"][data-date="${date}"]`).count(), 1);
    await page.locator(`[data-testid="cal-appt"][data-id="${made.body.id}"]`).waitFor();
    await assertNoHorizontalScroll(page, `week view at ${viewport.width}px`);

    // ‹ › move by a week in the week view, by a day in the day view.
    await page.getByTestId('cal-next').click();
    await page.locator(`[data-testid="calendar"][data-date="${addDays(date, 7)}"]`).waitFor();
    await page.getByTestId('cal-view-day').click();
    await page.getByTestId('cal-prev').click();
    await page.locator(`[data-testid="calendar"][data-date="${addDays(date, 6)}"][data-view="day"]`).waitFor();
    watch.assertNone();

    if (viewport.width === 390) {
      await page.getByTestId('nav-scheduling').click();
      await page.getByTestId('scheduling').waitFor();
      await page.getByTestId('sched-readonly').waitFor();
      await page.getByTestId('sched-practitioner').first().waitFor();
      assert.equal(await page.getByTestId('sched-add-practitioner').count(), 0, 'staff cannot add practitioners');
      assert.equal(await page.getByTestId('sched-rules-save').count(), 0, 'staff cannot save booking rules');
      await assertNoHorizontalScroll(page, 'scheduling at 390px');
      watch.assertNone();
    }
  }
});
