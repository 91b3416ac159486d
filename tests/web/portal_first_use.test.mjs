// What a first-time patient stumbled on (issue 16, items 1 and 3), in a phone-sized browser:
// every home tile leads somewhere true (a tile says what its screen holds; booking alone is not
// "your appointments"; a group none of whose screens is open says so and to ask the clinic); a
// saved link to a section taken away says that it is not open, with the way home and the
// clinic's contact, instead of landing silently on the home page; a portal switched off under
// a signed-in patient says it is closed (in the app, and after a reload in the same tab),
// while a stranger at the same address gets the same "not available" page as for a mistyped
// one. And booking (item 6): a closed day says "closed", not "full"; "any practitioner" offers
// every practitioner's free times, each naming its own; the week buttons say which week; the
// cancellation cut-off is told before booking and on the appointment. axe-core on the new pages.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/portal_first_use.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeViolations, closedAfterEach, launch, portalSignedIn, watchPage } from './browser.mjs';
import {
  dateIn, enablePortal, makeClinic, makePatient, makeSchedule, signIn, uniquePhone,
} from '../api/lib/fixtures.mjs';
import { cancelUntil } from '../../web/src/portal/appointmentRules.js';
import { formatWhen } from '../../web/src/timeRules.js';
import { catalogs } from '../../web/src/i18n/index.js';
import { homeSections, sectionLine, sectionRoute } from '../../web/src/portal/homeRules.js';

const { tr, en } = catalogs;
const PHONE = { width: 390, height: 844 };
const { keep } = closedAfterEach();
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));

// A clinic whose portal is open with permissions, its owner, and a signed-in patient's page.
async function signedIn(permissions, { locale = 'tr-TR', allow = [] } = {}) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  await owner.request('PUT', '/api/v1/clinic/profile', { body: {
    ...(await owner.request('GET', '/api/v1/clinic/profile')).body, phone: '+902165550101', email: 'info@first-use.test',
    address: 'Bağdat Cd. 12, Kadıköy' } });
  await enablePortal(owner, clinic, { permissions });
  const phone = uniquePhone();
  const patient = await makePatient(owner, { first_name: 'Ayşe', phone });
  const browser = keep(await launch({ locale, viewport: PHONE }));
  const { page, watch } = await portalSignedIn(browser, clinic.code, phone, { allow });
  return { clinic, owner, patient, browser, page, watch };
}

test('each tile leads where it says: booking alone is "book", a group with no open screen says so', async () => {
  const permissions = ['view_profile', 'create_appointment', 'view_payments', 'view_balance', 'view_images',
    'send_message', 'submit_forms'];
  const { clinic, page, watch } = await signedIn(permissions);
  const shown = await page.getByTestId('home-sections').locator('[data-section]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-section')));
  assert.deepEqual(shown, homeSections(permissions));
  assert.deepEqual(shown, ['profile', 'appointments', 'finance', 'documents', 'messages', 'forms']);
  for (const key of shown) {
    assert.equal(await page.getByTestId(`home-line-${key}`).innerText(), tr[sectionLine(key, permissions)], key);
  }
  // The appointments tile promises booking, and opens the booking form.
  assert.equal(await page.getByTestId('home-line-appointments').innerText(), tr['portal.home.appointments.bookLine']);
  assert.notEqual(tr['portal.home.appointments.bookLine'], tr['portal.home.appointments.line']);
  // Forms with submit_forms alone: no screen to open, and the tile says to ask the clinic.
  assert.equal(await page.getByTestId('home-section-forms').locator('a').count(), 0);
  assert.equal(await page.getByTestId('home-line-forms').innerText(), tr['portal.home.notOpen']);
  // Every link of a tile opens its screen, never the "not open" page nor the home page.
  for (const key of shown) {
    const route = sectionRoute(key, permissions);
    if (!route) continue;
    await page.goto(`/${clinic.code}#/`);
    await page.getByTestId('portal-home').waitFor();
    await page.getByTestId(`home-link-${key}`).click();
    await page.waitForFunction((r) => window.location.hash === `#/${r}`, route);
    await page.waitForTimeout(100);
    assert.equal(await page.getByTestId('portal-unavailable').count(), 0, `${key}: the tile led to "not open"`);
    assert.equal(await page.getByTestId('portal-home').count(), 0, `${key}: the tile led back home`);
  }
  watch.assertNone();
});

test('a saved link to a section taken away says it is not open; an unknown address is home', async () => {
  const { clinic, owner, patient, page, watch } = await signedIn(['view_profile', 'view_treatments']);
  await page.getByTestId('home-link-treatments').click();
  await page.waitForFunction(() => window.location.hash === '#/treatments');
  // The clinic takes treatments away from this patient; the saved link is opened again.
  const res = await owner.request('PUT', `/api/v1/clinic/patients/${patient.id}/portal-permissions`,
    { body: { mode: 'custom', permissions: ['view_profile'] } });
  assert.equal(res.status, 200, res.text);
  await page.reload();
  await page.getByTestId('portal-unavailable').waitFor();
  assert.equal(await page.locator('#unavailable-heading').innerText(), tr['portal.unavailable.heading']);
  assert.equal(await page.getByTestId('portal-home').count(), 0);
  // The way to the clinic is on the page (its footer), and a link leads home.
  assert.equal(await page.getByTestId('clinic-phone').innerText(), '+902165550101');
  assert.deepEqual(await axeViolations(page), []);
  await page.getByTestId('unavailable-home').click();
  await page.getByTestId('portal-home').waitFor();
  // An address that is no section at all is simply the home page.
  await page.goto(`/${clinic.code}#/no-such-screen`);
  await page.getByTestId('portal-home').waitFor();
  watch.assertNone();
});

test('a portal switched off under a signed-in patient says it is closed; a stranger sees "not available"', async () => {
  const PORTAL_404 = /\/api\/v1\/portal\/[a-z0-9-]+\/(me|treatments)?$/;
  const { clinic, owner, page, watch } = await signedIn(['view_profile', 'view_treatments'],
    { locale: 'en-GB', allow: [{ url: PORTAL_404, status: 404 }] });
  await enablePortal(owner, clinic, { permissions: ['view_profile', 'view_treatments'], enabled: false });
  // In the app: the next screen's call answers 404, and the app says the portal closed.
  await page.getByTestId('home-link-treatments').click();
  await page.getByTestId('portal-closed').waitFor();
  const lang = await page.evaluate(() => document.documentElement.lang);
  const cat = lang === 'en' ? en : tr;
  assert.equal(await page.getByTestId('portal-closed').locator('h1').innerText(), cat['portal.closed.heading']);
  assert.equal(await page.getByTestId('portal-closed').locator('p').innerText(),
    fill(cat['portal.closed.body'], { clinic: clinic.name }));
  assert.equal(await page.getByTestId('portal-not-found').count(), 0);
  assert.deepEqual(await axeViolations(page), []);
  // Reloaded in the same tab, it still knows there was a session here.
  await page.reload();
  await page.getByTestId('portal-closed').waitFor();
  assert.equal(await page.getByTestId('clinic-email').innerText(), 'info@first-use.test');
  // A stranger (a new browser, no session ever) gets exactly the mistyped-address page.
  const stranger = keep(await launch({ locale: 'en-GB', viewport: PHONE }));
  const other = await stranger.newPage();
  const otherWatch = await watchPage(other, { allow: [{ url: PORTAL_404, status: 404 }] });
  await other.goto(`/${clinic.code}`);
  await other.getByTestId('portal-not-found').waitFor();
  assert.equal(await other.getByTestId('portal-closed').count(), 0);
  await other.goto('/no-such-portal-code');
  await other.getByTestId('portal-not-found').waitFor();
  otherWatch.assertNone();
  watch.assertNone();
});

test('booking says closed or full, offers any practitioner, and tells the cancellation cut-off first', async () => {
  const { clinic, owner, page, watch } = await signedIn(['view_appointments', 'create_appointment', 'cancel_appointment']);
  // Two practitioners, hours Monday to Saturday (Sunday closed); a 24-hour cut-off.
  const hours = [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '09:00', end: '11:00' }));
  const first = await makeSchedule(owner, { duration: 60, hours, name: 'Dr. Ada Birinci',
    rules: { slot_step_minutes: 60, cancel_cutoff_minutes: 1440, min_notice_minutes: 0 } });
  const second = await makeSchedule(owner, { duration: 60, hours, name: 'Dr. Can İkinci',
    rules: { slot_step_minutes: 60, cancel_cutoff_minutes: 1440, min_notice_minutes: 0 } });
  const days = Array.from({ length: 14 }, (_, i) => dateIn('Europe/Istanbul', i + 1));
  const weekday = (d) => new Date(`${d}T12:00:00Z`).getUTCDay();
  const sunday = days.find((d) => weekday(d) === 0);
  // A weekday the clinic is shut for a holiday, and a weekday both practitioners are booked full.
  const [holiday, busy] = days.filter((d) => ![0, 6].includes(weekday(d)));
  const off = await owner.request('POST', '/api/v1/clinic/time-off', { body: { practitioner_id: null,
    start: `${holiday}T00:00:00+03:00`, end: `${holiday}T23:59:00+03:00`, reason: 'Bayram' } });
  assert.equal(off.status, 201, off.text);
  const other = await makePatient(owner, { first_name: 'Dolu' });
  for (const sch of [first, second]) {
    for (const time of ['09:00', '10:00']) {
      const b = await owner.request('POST', '/api/v1/clinic/appointments', { body: { patient_id: other.id,
        practitioner_id: sch.practitioner.id, type_id: first.type.id, start: `${busy}T${time}:00+03:00` } });
      assert.equal(b.status, 201, b.text);
    }
  }
  await page.goto(`/${clinic.code}#/appointments/new`);
  await page.getByTestId('portal-book').waitFor();
  await page.locator(`[data-testid="book-type-option"][data-id="${first.type.id}"]`).check();
  // "Any practitioner" is offered first, and chosen.
  const whoOptions = page.getByTestId('book-practitioner-option');
  assert.equal(await whoOptions.first().getAttribute('data-id'), 'any');
  await whoOptions.first().check();
  await page.locator('[data-testid="book-days"][data-state="ready"]').waitFor();
  const stateOf = async (d) => {
    if (await page.locator(`[data-testid="book-day"][data-date="${d}"]`).count() === 0) {
      await page.getByTestId('book-week-next').click();
      await page.locator('[data-testid="book-days"][data-state="ready"]').waitFor();
    }
    const el = page.locator(`[data-testid="book-day"][data-date="${d}"]`);
    return [await el.getAttribute('data-state'), (await el.locator('.day-count').innerText()).trim()];
  };
  assert.deepEqual(await stateOf(holiday), ['closed', tr['portal.book.closed']]);
  assert.deepEqual(await stateOf(busy), ['full', tr['portal.book.full']]);
  assert.deepEqual(await stateOf(sunday), ['closed', tr['portal.book.closed']]);
  assert.equal(await page.getByTestId('book-week-prev').innerText(), tr['portal.book.prevWeek']);
  // Back to the first week; a free day shows both practitioners' slots, each naming its own.
  if (!(await page.getByTestId('book-week-prev').isDisabled())) {
    await page.getByTestId('book-week-prev').click();
    await page.locator('[data-testid="book-days"][data-state="ready"]').waitFor();
  }
  // A free day from the day after tomorrow on: every slot there starts more than 24 hours
  // from now, so whatever the time of day the test runs at, it can still be cancelled online.
  const freeDates = await page.locator('[data-testid="book-day"][data-state="free"]')
    .evaluateAll((els) => els.map((el) => el.dataset.date));
  const freeDate = freeDates.find((d) => d >= days[1]);
  assert.ok(freeDate, `a free day on or after ${days[1]} in the first week: ${freeDates}`);
  await page.locator(`[data-testid="book-day"][data-date="${freeDate}"]`).click();
  const who = await page.getByTestId('book-slot-who').allInnerTexts();
  assert.deepEqual([...new Set(who.map((x) => x.trim()))].sort(), ['Dr. Ada Birinci', 'Dr. Can İkinci']);
  const pick = page.getByTestId('book-slot').nth(1);
  const start = await pick.getAttribute('data-start');
  const practitionerId = await pick.getAttribute('data-practitioner');
  await pick.click();
  // Before booking: until when it can be cancelled online (24 hours before its start).
  const rule = await page.getByTestId('book-cancel-rule').innerText();
  assert.ok(rule.includes(formatWhen(cancelUntil(start, 1440), 'tr')), rule);
  assert.deepEqual(await axeViolations(page), []);
  await page.getByTestId('book-submit').click();
  await page.getByTestId('appointment').first().waitFor();
  const booked = (await owner.request('GET', `/api/v1/clinic/appointments?from=${start.slice(0, 10)}&to=${start.slice(0, 10)}`))
    .body.items.find((a) => a.patient.id !== other.id && a.start === start);
  assert.equal(booked?.practitioner.id, practitionerId, 'booked with the practitioner of the chosen slot');
  // And on the appointment itself.
  assert.ok((await page.getByTestId('appointment-cancel-until').first().innerText())
    .includes(formatWhen(cancelUntil(start, 1440), 'tr')));
  watch.assertNone();
});
