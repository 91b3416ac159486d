// End-to-end browser tests of the console calendar (issue 6) against a running stack: staff
// create an appointment (patient found by search, type, day and time), move it to another
// time, see a move onto a taken time refused with 409 slot_taken in plain words, and cancel
// it; day and week views; the layout at desktop width and at 390 px without sideways
// scrolling of the page (the week grid scrolls inside its box). Scheduling settings are
// read-only for staff. A full week with the details panel open (issue 16): all seven days in
// the grid's box, every tag inside its appointment's block, at 1366, 1280 and 1024 px, in
// Turkish and English.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_calendar.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { axeViolations, launch, watchPage } from './browser.mjs';
import { bookingClinic, makeClinic, makePatient, signIn as apiSignIn } from '../api/lib/fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';
import { addDays, mondayOf, today } from '../../web/src/timeRules.js';

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

// The body of a 200 or 201 answer, else a failure saying what was asked.
const ok = (res, what) => {
  assert.ok(res.status === 200 || res.status === 201, `${what}: ${res.status} ${res.text}`);
  return res.body;
};

async function makeSchedule(owner) {
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

async function staffPage(clinic, viewport = { width: 1280, height: 900 }, allow = [], locale = 'tr-TR') {
  const b = await launch({ locale, viewport });
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

test('booking rules read in hours and days, and each appointment type has its unit and a Save in sight (issue 16)', async () => {
  const clinic = makeClinic();
  const owner = await apiSignIn(clinic.logins.owner);
  const { type } = await makeSchedule(owner);
  const put = await owner.request('PUT', '/api/v1/clinic/booking-rules', { body: { min_notice_minutes: 120,
    horizon_days: 60, cancel_cutoff_minutes: 1440, max_open_bookings: 3, slot_step_minutes: 15 } });
  assert.equal(put.status, 200, put.text);
  const b = await launch({ locale: 'tr-TR', viewport: { width: 1280, height: 900 } });
  browsers.push(b);
  const page = await b.newPage();
  const watch = await watchPage(page, { allow: [{ url: CONSOLE_ME, status: 401 }] });
  await page.goto('/console/#/scheduling');
  await page.getByTestId('console-signin').waitFor();
  await page.locator('#signin-email').fill(clinic.logins.owner.email);
  await page.locator('#signin-password').fill(clinic.logins.owner.password);
  await page.getByTestId('console-signin').locator('button[type=submit]').click();
  await page.getByTestId('sched-rules').waitFor();
  // 1440 minutes reads "1 day", 120 minutes "2 hours".
  assert.equal(await page.getByTestId('sched-rule-cancel_cutoff_minutes').inputValue(), '1');
  assert.equal(await page.getByTestId('sched-rule-cancel_cutoff_minutes-unit').inputValue(), 'days');
  assert.equal(await page.getByTestId('sched-rule-min_notice_minutes').inputValue(), '2');
  assert.equal(await page.getByTestId('sched-rule-min_notice_minutes-unit').inputValue(), 'hours');
  // 3 hours of notice is saved as 180 minutes.
  await page.getByTestId('sched-rule-min_notice_minutes').fill('3');
  await page.getByTestId('sched-rules-save').click();
  await page.getByTestId('sched-rules').getByRole('status').waitFor();
  assert.equal((await owner.request('GET', '/api/v1/clinic/booking-rules')).body.min_notice_minutes, 180);
  // The type's row: its duration with "dk" beside it, and a Save that is there before any change.
  const row = page.locator(`[data-testid="sched-type"][data-id="${type.id}"]`);
  assert.equal((await row.locator('.unit').innerText()).trim(), tr['console.sched.unit.min']);
  const save = row.getByTestId('sched-type-save');
  assert.equal(await save.isVisible(), true);
  assert.equal(await save.isDisabled(), true, 'nothing to save yet');
  await row.locator('input[type=number]').fill('45');
  assert.equal(await save.isDisabled(), false);
  await save.click();
  await expectDuration(owner, type.id, 45);
  watch.assertNone();
});

async function expectDuration(owner, id, minutes) {
  for (let i = 0; i < 50; i++) {
    const types = (await owner.request('GET', '/api/v1/clinic/appointment-types')).body.items;
    if (types.find((x) => x.id === id)?.duration_minutes === minutes) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the type's duration did not become ${minutes}`);
}

test('rule units (no browser): minutes shown in the largest whole unit and back', async () => {
  const { minutesInUnit, unitToMinutes } = await import('../../web/src/console/calendarRules.js');
  assert.deepEqual(minutesInUnit(1440), { value: 1, unit: 'days' });
  assert.deepEqual(minutesInUnit(2880), { value: 2, unit: 'days' });
  assert.deepEqual(minutesInUnit(120), { value: 2, unit: 'hours' });
  assert.deepEqual(minutesInUnit(90), { value: 90, unit: 'minutes' });
  assert.deepEqual(minutesInUnit(0), { value: 0, unit: 'minutes' });
  assert.equal(unitToMinutes('3', 'hours'), 180);
  assert.equal(unitToMinutes(1.5, 'days'), 2160);
  assert.ok(Number.isNaN(unitToMinutes('x', 'hours')) && Number.isNaN(unitToMinutes(1, 'weeks')));
  assert.ok(Number.isNaN(unitToMinutes(0.3, 'minutes')));
});

test('the team day shows every practitioner side by side, each appointment in its practitioner\'s column (issue 16)', async () => {
  const clinic = makeClinic();
  const owner = await apiSignIn(clinic.logins.owner);
  const { practitioner, second, type } = await makeSchedule(owner);
  const patient = await makePatient(owner, { first_name: 'Ekip', last_name: 'Günü' });
  let date = addDays(today(), 1);
  while ([0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay())) date = addDays(date, 1);
  const made = {};
  for (const [p, time] of [[practitioner, '10:00'], [second, '11:00']]) {
    const res = await owner.request('POST', '/api/v1/clinic/appointments', { body: {
      patient_id: patient.id, practitioner_id: p.id, type_id: type.id, start: `${date}T${time}:00+03:00` } });
    assert.equal(res.status, 201, res.text);
    made[p.id] = res.body.id;
  }
  const { page, watch } = await staffPage(clinic);
  await page.getByTestId('cal-view-team').click();
  await showDay(page, date);
  const heads = await page.getByTestId('cal-colhead').evaluateAll((els) => els.map((e) => e.textContent));
  assert.deepEqual(heads, ['Dr. Ada Takvim', 'Dr. Bora İkinci']);
  assert.equal(await page.getByTestId('cal-practitioner').count(), 0, 'no practitioner to pick in the team view');
  // Each appointment sits in its practitioner's column (2 and 3 of the grid).
  for (const [p, column] of [[practitioner, 'cal-c2'], [second, 'cal-c3']]) {
    const cls = await page.locator(`[data-testid="cal-appt"][data-id="${made[p.id]}"]`).getAttribute('class');
    assert.ok(cls.split(' ').includes(column), `${p.name}: ${cls}`);
  }
  assert.ok((await page.getByTestId('cal-range').innerText()).endsWith(tr['console.cal.rangeTeam'].replace('{day}', '')));
  assert.deepEqual(await axeViolations(page), []);
  watch.assertNone();
});

test('blocks\' tags (no browser): booked in the portal, cancelled, by whom', async () => {
  const { blockTags } = await import('../../web/src/console/calendarRules.js');
  assert.deepEqual(blockTags({ source: 'staff', status: 'booked' }), []);
  assert.deepEqual(blockTags({ source: 'portal', status: 'booked' }).map((x) => x.key), ['console.cal.tag.portal']);
  assert.deepEqual(blockTags({ source: 'staff', status: 'cancelled', cancelled_by: 'staff' }).map((x) => x.key), ['console.cal.tag.cancelled']);
  assert.deepEqual(blockTags({ source: 'portal', status: 'cancelled', cancelled_by: 'portal' }).map((x) => [x.kind, x.key]),
    [['portal', 'console.cal.tag.portal'], ['cancelled', 'console.cal.tag.cancelledPortal']]);
});

// A week (Monday to Sunday, next week) full of one practitioner's appointments: every day a
// short one of a patient with a long name, a long one (90 minutes) with a long type name, one
// cancelled by the clinic with its replacement at the same time (two lanes), one booked by a
// patient in the portal and a long one the patient booked and then cancelled there.
async function busyWeek() {
  const { clinic, owner, schedule, patients: [{ session: portal }] } = await bookingClinic();
  const long = ok(await owner.request('POST', '/api/v1/clinic/appointment-types', { body: {
    name: 'Kanal tedavisi ve dolgu kontrolü', duration_minutes: 90, online_bookable: true, active: true } }), 'long type');
  const people = [];
  for (const [first, last] of [['Muhammed Mustafa Kemal', 'Abdurrahmanoğlu-Çiftçioğulları'], ['Ayşe Gülizar', 'Karamanlıoğlu'],
    ['Zeynep', 'İptaledilen'], ['Ali', 'Su']]) {
    people.push(await makePatient(owner, { first_name: first, last_name: last }));
  }
  const monday = mondayOf(addDays(today('Europe/Istanbul'), 7));
  const at = (day, time) => `${day}T${time}:00+03:00`;
  const byClinic = (patient, type, start) => owner.request('POST', '/api/v1/clinic/appointments', {
    body: { patient_id: patient.id, practitioner_id: schedule.practitioner.id, type_id: type.id, start } });
  const byPatient = (type, start) => portal.request('POST', 'appointments', {
    body: { practitioner_id: schedule.practitioner.id, type_id: type.id, start } });
  let sunday = null;
  for (let i = 0; i < 7; i++) {
    const day = addDays(monday, i);
    ok(await byClinic(people[0], schedule.type, at(day, '09:00')), 'short');
    ok(await byClinic(people[1], long, at(day, '10:00')), 'long');
    const gone = ok(await byClinic(people[2], schedule.type, at(day, '13:00')), 'to cancel');
    ok(await owner.request('POST', `/api/v1/clinic/appointments/${gone.id}/cancel`), 'clinic cancels');
    ok(await byClinic(people[3], schedule.type, at(day, '13:00')), 'replacement');
    ok(await byPatient(schedule.type, at(day, '14:30')), 'portal booking');
    const left = ok(await byPatient(long, at(day, '15:30')), 'portal booking to cancel');
    ok(await portal.request('POST', `appointments/${left.id}/cancel`), 'patient cancels');
    sunday = left;
  }
  return { clinic, monday, sunday };
}

// Where the week's grid puts its day headers and tags, measured in the page: for each header,
// whether it lies in the visible box of the grid's scroll container (the part of it inside
// the window) as it is, and whether it does after scrolling that container to it; whether
// its label fits in it; each tag that is not inside its appointment's block, and each badge
// of the details panel that is not inside the panel.
function measureWeek() {
  const grid = document.querySelector('[data-testid="cal-grid"]');
  let box = grid.parentElement;
  while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
  const visible = () => {
    const r = box ? box.getBoundingClientRect() : { left: 0, right: innerWidth };
    const left = Math.max(0, r.left + (box?.clientLeft ?? 0));
    return { left, right: Math.min(innerWidth, left + (box ? box.clientWidth : innerWidth)) };
  };
  const inside = (el) => {
    const r = el.getBoundingClientRect();
    const v = visible();
    return r.left >= v.left - 0.5 && r.right <= v.right + 0.5;
  };
  const heads = [...grid.querySelectorAll('[data-testid="cal-dayhead"]')].map((h) => {
    const shown = inside(h);
    let reached = shown;
    if (!shown && box) {
      const before = box.scrollLeft;
      h.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      reached = inside(h);
      box.scrollLeft = before;
    }
    return { date: h.dataset.date, shown, reached, fits: h.scrollWidth <= h.clientWidth + 1 };
  });
  const spills = [];
  let tags = 0;
  for (const block of grid.querySelectorAll('[data-testid="cal-appt"]')) {
    const b = block.getBoundingClientRect();
    for (const tag of block.querySelectorAll('.cal-tag')) {
      tags++;
      const r = tag.getBoundingClientRect();
      if (r.width === 0 || r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5) {
        spills.push(`${tag.dataset.testid} on ${block.dataset.id}: [${r.left},${r.right}]x[${r.top},${r.bottom}] ` +
          `outside [${b.left},${b.right}]x[${b.top},${b.bottom}]`);
      }
    }
  }
  const panel = document.querySelector('[data-testid="cal-panel"]').getBoundingClientRect();
  for (const badge of document.querySelectorAll('[data-testid="cal-panel"] .badge')) {
    const r = badge.getBoundingClientRect();
    if (r.left < panel.left - 0.5 || r.right > panel.right + 0.5) spills.push(`${badge.dataset.testid}: [${r.left},${r.right}] outside the panel [${panel.left},${panel.right}]`);
  }
  return { heads, spills, tags, pageWidth: document.documentElement.scrollWidth, innerWidth };
}

test('a full week with the details panel open: all seven days in the grid\'s box and every tag inside its block, in both languages (issue 16)', async () => {
  const { clinic, monday, sunday } = await busyWeek();
  for (const [locale, lang] of [['tr-TR', 'tr'], ['en-US', 'en']]) {
    for (const width of [1366, 1280, 1024]) {
      const where = `${lang} at ${width}px`;
      const { page, watch } = await staffPage(clinic, { width, height: 900 }, [], locale);
      assert.equal(await page.locator('h2').first().innerText(), catalogs[lang]['console.cal.heading'], where);
      await page.getByTestId('cal-view-week').click();
      await showDay(page, monday);
      await page.locator('[data-testid="cal-grid"][data-view="week"]').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="cal-appt"]').length === 7 * 6);
      // The details of Sunday's appointment the patient cancelled: both its tags in the panel.
      await page.locator(`[data-testid="cal-appt"][data-id="${sunday.id}"]`).click();
      const panel = page.locator(`[data-testid="cal-panel"][data-id="${sunday.id}"]`);
      await panel.getByTestId('cal-panel-cancelled').waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));

      const m = await page.evaluate(measureWeek);
      assert.equal(m.heads.length, 7, where);
      assert.equal(m.heads[6].date, addDays(monday, 6), `${where}: Sunday is the last column`);
      for (const h of m.heads) {
        assert.ok(h.reached, `${where}: ${h.date} cannot be brought into the grid's box`);
        assert.ok(h.fits, `${where}: ${h.date}'s label is cut`);
      }
      // Beside the panel at 1366 and 1280, the seven days fit without scrolling.
      if (width >= 1280) assert.deepEqual(m.heads.filter((h) => !h.shown).map((h) => h.date), [], `${where}: days out of sight`);
      assert.ok(m.pageWidth <= m.innerWidth, `${where}: the page scrolls sideways (${m.pageWidth} > ${m.innerWidth})`);
      assert.equal(m.tags, 7 * 4, `${where}: tags counted`);
      assert.deepEqual(m.spills, [], `${where}: tags outside their blocks, badges outside the panel`);
      await page.screenshot({ path: `/tmp/cal-week-${lang}-${width}.png` });
      assert.deepEqual(await axeViolations(page), [], where);
      watch.assertNone();
      await browsers.pop().close();
    }
  }
});
