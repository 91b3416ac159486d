// Scheduling (issue 6): the clinic's configuration (practitioners, appointment types, weekly
// working hours, time off, booking rules) with its validation and roles, and the patient's
// free slots: wall-clock hours in the clinic's zone across both daylight-saving changes of
// Europe/Berlin, minus a clinic holiday and a practitioner's leave, minus booked
// appointments, and cut by minimum notice and horizon.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertProblem, psql, psqlTry } from './lib/client.mjs';
import {
  bookingClinic, dateIn, makeClinic, makeSchedule, signIn,
} from './lib/fixtures.mjs';

const slotsOf = (s, q) => s.request('GET', `appointments/slots?${new URLSearchParams(q)}`);

describe('clinic configuration', () => {
  test('practitioners, types, hours, time off and rules: create, read, change; audited', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const p = await admin.request('POST', '/api/v1/clinic/practitioners', { body: { name: 'Dr. Ada' } });
    assert.equal(p.status, 201, p.text);
    assert.equal(p.body.active, true);
    assert.match(p.headers.get('location'), new RegExp(`/practitioners/${p.body.id}$`));
    const renamed = await admin.request('PATCH', `/api/v1/clinic/practitioners/${p.body.id}`, { body: { name: 'Dr. Ada L.' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual([renamed.body.name, renamed.body.active], ['Dr. Ada L.', true]);
    const off = await admin.request('PATCH', `/api/v1/clinic/practitioners/${p.body.id}`, { body: { active: false } });
    assert.deepEqual([off.body.name, off.body.active], ['Dr. Ada L.', false]);
    const list = await admin.request('GET', '/api/v1/clinic/practitioners');
    assert.deepEqual(list.body.items.map((x) => x.id), [p.body.id]);

    const hours = [{ weekday: 1, start: '09:00', end: '12:00' }, { weekday: 1, start: '13:00', end: '17:30' },
      { weekday: 5, start: '08:15', end: '24:00' }];
    const put = await admin.request('PUT', `/api/v1/clinic/practitioners/${p.body.id}/working-hours`, { body: { items: hours } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.items, hours);
    const got = await admin.request('GET', `/api/v1/clinic/practitioners/${p.body.id}/working-hours`);
    assert.deepEqual(got.body.items, hours);
    const cleared = await admin.request('PUT', `/api/v1/clinic/practitioners/${p.body.id}/working-hours`, { body: { items: [] } });
    assert.deepEqual(cleared.body.items, []);

    const t = await admin.request('POST', '/api/v1/clinic/appointment-types',
      { body: { name: 'Check-up', duration_minutes: 30 } });
    assert.equal(t.status, 201, t.text);
    assert.deepEqual([t.body.online_bookable, t.body.active, t.body.duration_minutes], [true, true, 30]);
    const t2 = await admin.request('PATCH', `/api/v1/clinic/appointment-types/${t.body.id}`,
      { body: { online_bookable: false, duration_minutes: 45 } });
    assert.deepEqual([t2.body.online_bookable, t2.body.duration_minutes, t2.body.name], [false, 45, 'Check-up']);
    assert.equal((await admin.request('GET', '/api/v1/clinic/appointment-types')).body.items.length, 1);

    const rules = await admin.request('GET', '/api/v1/clinic/booking-rules');
    assert.deepEqual(rules.body, { min_notice_minutes: 120, horizon_days: 60, cancel_cutoff_minutes: 1440,
      max_open_bookings: 3, slot_step_minutes: 15 });
    const newRules = { min_notice_minutes: 0, horizon_days: 30, cancel_cutoff_minutes: 60, max_open_bookings: 5, slot_step_minutes: 20 };
    const saved = await admin.request('PUT', '/api/v1/clinic/booking-rules', { body: newRules });
    assert.deepEqual(saved.body, newRules);

    const staff = await signIn(clinic.logins.staff);
    const leave = await staff.request('POST', '/api/v1/clinic/time-off',
      { body: { practitioner_id: p.body.id, start: '2027-01-04T09:00:00+03:00', end: '2027-01-08T18:00:00+03:00', reason: 'Leave' } });
    assert.equal(leave.status, 201, leave.text);
    assert.deepEqual([leave.body.start, leave.body.end, leave.body.practitioner_id],
      ['2027-01-04T09:00:00+03:00', '2027-01-08T18:00:00+03:00', p.body.id]);
    const holiday = await staff.request('POST', '/api/v1/clinic/time-off',
      { body: { practitioner_id: null, start: '2027-01-01T00:00:00Z', end: '2027-01-02T00:00:00Z' } });
    assert.equal(holiday.status, 201, holiday.text);
    assert.equal(holiday.body.start, '2027-01-01T03:00:00+03:00', 'shown in the clinic zone');
    const offs = await staff.request('GET', '/api/v1/clinic/time-off?from=2027-01-01&to=2027-01-31');
    assert.deepEqual(offs.body.items.map((x) => x.id), [holiday.body.id, leave.body.id]);
    const febOnly = await staff.request('GET', '/api/v1/clinic/time-off?from=2027-02-01');
    assert.deepEqual(febOnly.body.items, []);
    const del = await staff.request('DELETE', `/api/v1/clinic/time-off/${holiday.body.id}`);
    assert.equal(del.status, 204);
    assertProblem(await staff.request('DELETE', `/api/v1/clinic/time-off/${holiday.body.id}`), 404, 'not_found');

    const actions = psql(`SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE clinic_id = '${clinic.id}'
      AND action NOT LIKE 'staff.%'`);
    assert.equal(actions, ['practitioner.create', 'practitioner.update', 'practitioner.update',
      'practitioner.working_hours.update', 'practitioner.working_hours.update', 'appointment_type.create',
      'appointment_type.update', 'booking_rules.update', 'time_off.create', 'time_off.create', 'time_off.delete'].join(','));
  });

  test('refusals: roles, unknown ids, bad shapes', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const staff = await signIn(clinic.logins.staff);
    assertProblem(await staff.request('POST', '/api/v1/clinic/practitioners', { body: { name: 'X' } }), 403, 'forbidden_role');
    assertProblem(await staff.request('PUT', '/api/v1/clinic/booking-rules', { body: {} }), 403, 'forbidden_role');
    assertProblem(await staff.request('POST', '/api/v1/clinic/appointment-types', { body: {} }), 403, 'forbidden_role');
    const { practitioner } = await makeSchedule(admin);
    const hoursUrl = `/api/v1/clinic/practitioners/${practitioner.id}/working-hours`;
    const fields = (res) => res.body.errors.map((e) => e.field);
    let res = await admin.request('PUT', hoursUrl, { body: { items: [{ weekday: 1, start: '09:00', end: '12:00' },
      { weekday: 1, start: '11:30', end: '13:00' }] } });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fields(res), ['items[1]']);
    res = await admin.request('PUT', hoursUrl, { body: { items: [{ weekday: 8, start: '09:00', end: '12:00' },
      { weekday: 2, start: '9:00', end: '12:00' }, { weekday: 3, start: '12:00', end: '12:00' },
      { weekday: 4, start: '10:00', end: '24:30' }] } });
    assert.deepEqual(fields(res), ['items[0].weekday', 'items[1].start', 'items[2].end', 'items[3].end']);
    assertProblem(await admin.request('PUT', `/api/v1/clinic/practitioners/${crypto.randomUUID()}/working-hours`,
      { body: { items: [] } }), 404, 'not_found');
    assertProblem(await admin.request('PATCH', '/api/v1/clinic/practitioners/not-an-id', { body: {} }), 404, 'not_found');
    res = await admin.request('PUT', '/api/v1/clinic/booking-rules',
      { body: { min_notice_minutes: -1, horizon_days: 0, cancel_cutoff_minutes: 60, max_open_bookings: 101 } });
    assert.deepEqual(fields(res), ['min_notice_minutes', 'horizon_days', 'max_open_bookings', 'slot_step_minutes']);
    res = await admin.request('POST', '/api/v1/clinic/appointment-types', { body: { name: '', duration_minutes: 4, colour: 'red' } });
    assert.deepEqual(fields(res).sort(), ['colour', 'duration_minutes', 'name']);
    res = await admin.request('POST', '/api/v1/clinic/time-off',
      { body: { practitioner_id: practitioner.id, start: '2027-01-04T09:00:00', end: '2027-01-04T08:00:00+03:00' } });
    assert.deepEqual(fields(res), ['start']);
    res = await admin.request('POST', '/api/v1/clinic/time-off',
      { body: { practitioner_id: practitioner.id, start: '2027-01-04T09:00:00+03:00', end: '2027-01-04T08:00:00+03:00' } });
    assert.deepEqual(fields(res), ['end']);
    res = await admin.request('POST', '/api/v1/clinic/time-off',
      { body: { practitioner_id: crypto.randomUUID(), start: '2027-01-04T09:00:00+03:00', end: '2027-01-05T08:00:00+03:00' } });
    assert.deepEqual(fields(res), ['practitioner_id']);
  });
});

// Issue 9 (item 4) and issue 10: names go through the one text rule, and U+0000 never
// reaches a handler.
describe('names of practitioners and appointment types', () => {
  const json = { 'content-type': 'application/json' };
  const fields = (res) => res.body.errors.map((e) => e.field);

  test('"ok\\u0000" followed by 300 x is 400 bad_request, and nothing is created', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const raw = `{"name": "ok\\u0000${'x'.repeat(300)}"}`;
    assertProblem(await admin.request('POST', '/api/v1/clinic/practitioners', { raw, headers: json }), 400, 'bad_request');
    assertProblem(await admin.request('POST', '/api/v1/clinic/appointment-types',
      { raw: raw.replace('}', ', "duration_minutes": 30}'), headers: json }), 400, 'bad_request');
    assertProblem(await admin.request('POST', '/api/v1/clinic/practitioners', { raw: '{"name": "\\ud800"}', headers: json }),
      400, 'bad_request', 'a lone surrogate');
    assert.deepEqual((await admin.request('GET', '/api/v1/clinic/practitioners')).body.items, []);
    assert.deepEqual((await admin.request('GET', '/api/v1/clinic/appointment-types')).body.items, []);
  });

  test('blank names, ANSI escapes and bidirectional overrides are 422 naming the name; spaces around a name are trimmed', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const { practitioner, type } = await makeSchedule(admin);
    const bad = [
      ['    ', 'four spaces'],
      ['\u001b[31mDr. Red\u001b[0m', 'an ANSI escape'],
      ['Dr. \u202eAda', 'a right-to-left override'],
      ['Dr.\u2067Ada\u2069', 'a bidirectional isolate'],
      ['Dr.\nAda', 'a line break'],
    ];
    for (const [name, what] of bad) {
      const calls = [
        ['POST', '/api/v1/clinic/practitioners', { name }],
        ['PATCH', `/api/v1/clinic/practitioners/${practitioner.id}`, { name }],
        ['POST', '/api/v1/clinic/appointment-types', { name, duration_minutes: 30 }],
        ['PATCH', `/api/v1/clinic/appointment-types/${type.id}`, { name }],
      ];
      for (const [method, path, body] of calls) {
        const res = await admin.request(method, path, { body });
        assertProblem(res, 422, 'validation_failed', `${method} ${path} with ${what}`);
        assert.deepEqual(fields(res), ['name'], `${method} ${path} with ${what}`);
      }
    }
    const p = await admin.request('POST', '/api/v1/clinic/practitioners', { body: { name: '  Dr. Ada  ' } });
    assert.equal(p.status, 201, p.text);
    assert.equal(p.body.name, 'Dr. Ada');
    const names = (await admin.request('GET', '/api/v1/clinic/practitioners')).body.items.map((x) => x.name);
    assert.deepEqual(names.sort(), ['Dr. Ada', practitioner.name].sort(), 'nothing refused was stored');
    assert.equal((await admin.request('GET', '/api/v1/clinic/appointment-types')).body.items.length, 1);
  });

  test('a time-off reason is one line; a query with %00 is 400', async () => {
    const clinic = makeClinic();
    const admin = await signIn(clinic.logins.admin);
    const res = await admin.request('POST', '/api/v1/clinic/time-off', { body: {
      practitioner_id: null, start: '2027-01-01T00:00:00Z', end: '2027-01-02T00:00:00Z', reason: 'Holiday\u001b[2J' } });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fields(res), ['reason']);
    assertProblem(await admin.request('GET', '/api/v1/clinic/time-off?from=2027-01-01%00'), 400, 'bad_request');
    const q = await admin.request('GET', '/api/v1/clinic/time-off?practitioner_id=nope');
    assertProblem(q, 422, 'validation_failed');
    assert.deepEqual(fields(q), ['practitioner_id']);
  });
});

// Local wall-clock time and offset of an ISO string with offset: ['2027-03-28', '09:00', '+02:00'].
const parts = (iso) => {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):00([+-]\d{2}:\d{2})$/.exec(iso);
  assert.ok(m, `not ISO with offset: ${iso}`);
  return [m[1], m[2], m[3]];
};

describe('slots', () => {
  test('across both daylight-saving changes of Europe/Berlin, local hours stay 09:00-12:00', async () => {
    const { clinic, owner, schedule, patients } = await bookingClinic({
      schedule: { duration: 60, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '12:00' })),
        rules: { slot_step_minutes: 60 } },
    });
    psql(`UPDATE clinics SET time_zone = 'Europe/Berlin' WHERE id = '${clinic.id}'`);
    const s = patients[0].session;
    const q = { practitioner_id: schedule.practitioner.id, type_id: schedule.type.id };
    const spring = await slotsOf(s, { ...q, from: '2027-03-27', to: '2027-03-29' });
    assert.equal(spring.status, 200, spring.text);
    assert.deepEqual(spring.body.items.map((x) => parts(x.start)), [
      ['2027-03-27', '09:00', '+01:00'], ['2027-03-27', '10:00', '+01:00'], ['2027-03-27', '11:00', '+01:00'],
      ['2027-03-28', '09:00', '+02:00'], ['2027-03-28', '10:00', '+02:00'], ['2027-03-28', '11:00', '+02:00'],
      ['2027-03-29', '09:00', '+02:00'], ['2027-03-29', '10:00', '+02:00'], ['2027-03-29', '11:00', '+02:00'],
    ]);
    // The instants: 9:00 Berlin is 08:00Z before the change and 07:00Z after.
    assert.equal(new Date(spring.body.items[0].start).toISOString(), '2027-03-27T08:00:00.000Z');
    assert.equal(new Date(spring.body.items[3].start).toISOString(), '2027-03-28T07:00:00.000Z');
    for (const x of spring.body.items) {
      assert.equal(Date.parse(x.end) - Date.parse(x.start), 3600_000);
      assert.equal(x.practitioner_id, schedule.practitioner.id);
    }
    const autumn = await slotsOf(s, { ...q, from: '2027-10-30', to: '2027-11-01' });
    assert.deepEqual(autumn.body.items.map((x) => parts(x.start)), [
      ['2027-10-30', '09:00', '+02:00'], ['2027-10-30', '10:00', '+02:00'], ['2027-10-30', '11:00', '+02:00'],
      ['2027-10-31', '09:00', '+01:00'], ['2027-10-31', '10:00', '+01:00'], ['2027-10-31', '11:00', '+01:00'],
      ['2027-11-01', '09:00', '+01:00'], ['2027-11-01', '10:00', '+01:00'], ['2027-11-01', '11:00', '+01:00'],
    ]);
    assert.equal(new Date(autumn.body.items[3].start).toISOString(), '2027-10-31T08:00:00.000Z');

    // A window over the change itself (00:00-04:00): the hour that does not exist is not offered,
    // the hour that happens twice is offered twice, each a real hour apart.
    const night = await owner.request('PUT', `/api/v1/clinic/practitioners/${schedule.practitioner.id}/working-hours`,
      { body: { items: [{ weekday: 7, start: '00:00', end: '04:00' }] } });
    assert.equal(night.status, 200, night.text);
    const springNight = await slotsOf(s, { ...q, from: '2027-03-28', to: '2027-03-28' });
    assert.deepEqual(springNight.body.items.map((x) => x.start),
      ['2027-03-28T00:00:00+01:00', '2027-03-28T01:00:00+01:00', '2027-03-28T03:00:00+02:00']);
    const autumnNight = await slotsOf(s, { ...q, from: '2027-10-31', to: '2027-10-31' });
    assert.deepEqual(autumnNight.body.items.map((x) => x.start), ['2027-10-31T00:00:00+02:00',
      '2027-10-31T01:00:00+02:00', '2027-10-31T02:00:00+02:00', '2027-10-31T02:00:00+01:00', '2027-10-31T03:00:00+01:00']);
  });

  test('a clinic holiday and a practitioner\'s leave remove exactly their slots; booked slots disappear', async () => {
    const { clinic, owner, schedule, patients } = await bookingClinic({
      schedule: { duration: 60, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '12:00' })),
        rules: { slot_step_minutes: 60 } },
    });
    psql(`UPDATE clinics SET time_zone = 'Europe/Berlin' WHERE id = '${clinic.id}'`);
    const other = await makeSchedule(owner, { duration: 60,
      hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '12:00' })), rules: { slot_step_minutes: 60 } });
    const s = patients[0].session;
    const q = (sch) => ({ practitioner_id: sch.practitioner.id, type_id: sch.type.id, from: '2027-03-27', to: '2027-03-29' });
    const starts = async (sch) => (await slotsOf(s, q(sch))).body.items.map((x) => x.start);
    const all = await starts(schedule);
    assert.equal(all.length, 9);
    // The whole clinic is closed on Monday the 29th.
    const holiday = await owner.request('POST', '/api/v1/clinic/time-off',
      { body: { practitioner_id: null, start: '2027-03-29T00:00:00+02:00', end: '2027-03-30T00:00:00+02:00', reason: 'Holiday' } });
    assert.equal(holiday.status, 201, holiday.text);
    // The first practitioner is away 10:00-11:00 on Saturday the 27th; 11:30-11:45 on Sunday cuts one hour slot.
    for (const [start, end] of [['2027-03-27T10:00:00+01:00', '2027-03-27T11:00:00+01:00'],
      ['2027-03-28T11:30:00+02:00', '2027-03-28T11:45:00+02:00']]) {
      const leave = await owner.request('POST', '/api/v1/clinic/time-off',
        { body: { practitioner_id: schedule.practitioner.id, start, end } });
      assert.equal(leave.status, 201, leave.text);
    }
    const expected = all.filter((x) => !x.startsWith('2027-03-29') && x !== '2027-03-27T10:00:00+01:00'
      && x !== '2027-03-28T11:00:00+02:00');
    assert.deepEqual(await starts(schedule), expected);
    assert.deepEqual(await starts(other), all.filter((x) => !x.startsWith('2027-03-29')), 'the leave is one practitioner\'s');
    // A booking (by staff, in another zone's notation) takes its slot away.
    const booked = await owner.request('POST', '/api/v1/clinic/appointments', { body: {
      patient_id: patients[0].patient.id, practitioner_id: schedule.practitioner.id, type_id: schedule.type.id,
      start: '2027-03-28T07:00:00Z' } });
    assert.equal(booked.status, 201, booked.text);
    assert.equal(booked.body.start, '2027-03-28T09:00:00+02:00');
    assert.deepEqual(await starts(schedule), expected.filter((x) => x !== '2027-03-28T09:00:00+02:00'));
    // Cancelled, it is free again.
    const cancelled = await owner.request('POST', `/api/v1/clinic/appointments/${booked.body.id}/cancel`);
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.deepEqual(await starts(schedule), expected);
  });

  test('a booking from the evening before takes the early slots it runs into; no appointment lasts over a day', async () => {
    // Free slots read a practitioner's bookings by start, from a day before the range on
    // (sql/0038), which holds because the table refuses an appointment longer than a day.
    const { clinic, owner, schedule, patients } = await bookingClinic({
      schedule: { duration: 480, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '12:00' })),
        rules: { slot_step_minutes: 60 } },
    });
    const eve = dateIn('Europe/Istanbul', 9);
    const day = dateIn('Europe/Istanbul', 10);
    const q = { practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, from: day, to: day };
    const starts = async () => {
      const res = await slotsOf(patients[0].session, q);
      assert.equal(res.status, 200, res.text);
      return res.body.items.map((x) => x.start);
    };
    assert.deepEqual(await starts(), ['00', '01', '02', '03', '04'].map((h) => `${day}T${h}:00:00+03:00`));
    // Staff book 20:00 the evening before, outside the hours, for 8 hours: until 04:00.
    const booked = await owner.request('POST', '/api/v1/clinic/appointments', { body: {
      patient_id: patients[0].patient.id, practitioner_id: schedule.practitioner.id, type_id: schedule.type.id,
      start: `${eve}T20:00:00+03:00` } });
    assert.equal(booked.status, 201, booked.text);
    assert.equal(booked.body.end, `${day}T04:00:00+03:00`);
    assert.deepEqual(await starts(), [`${day}T04:00:00+03:00`]);
    const long = psqlTry(`INSERT INTO appointments (clinic_id, patient_id, practitioner_id, type_id, during, source)
      VALUES ('${clinic.id}', '${patients[0].patient.id}', '${schedule.practitioner.id}', '${schedule.type.id}',
        tstzrange(now() + interval '40 days', now() + interval '41 days 1 minute'), 'staff')`);
    assert.notEqual(long.status, 0, 'an appointment of a day and a minute is refused');
    assert.match(long.stderr, /appointments_length_bound/);
  });

  test('days say closed or full; without a practitioner, every practitioner\'s slots together', async () => {
    // Two practitioners, 09:00-11:00 in hour slots, Monday to Saturday; Sunday closed.
    const hours = [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '09:00', end: '11:00' }));
    const { clinic, owner, schedule, patients } = await bookingClinic({
      schedule: { duration: 60, hours, rules: { slot_step_minutes: 60 } } });
    psql(`UPDATE clinics SET time_zone = 'Europe/Berlin' WHERE id = '${clinic.id}'`);
    const other = await makeSchedule(owner, { duration: 60, hours, rules: { slot_step_minutes: 60 } });
    const s = patients[0].session;
    const range = { from: '2027-04-03', to: '2027-04-06' };	// Saturday to Tuesday
    // Monday the 5th: the clinic is closed. Tuesday: both practitioners are fully booked or away.
    await owner.request('POST', '/api/v1/clinic/time-off', { body: { practitioner_id: null,
      start: '2027-04-05T00:00:00+02:00', end: '2027-04-06T00:00:00+02:00', reason: 'Holiday' } });
    await owner.request('POST', '/api/v1/clinic/time-off', { body: { practitioner_id: other.practitioner.id,
      start: '2027-04-06T08:00:00+02:00', end: '2027-04-06T12:00:00+02:00' } });
    for (const start of ['2027-04-06T09:00:00+02:00', '2027-04-06T10:00:00+02:00']) {
      const b = await owner.request('POST', '/api/v1/clinic/appointments', { body: { patient_id: patients[0].patient.id,
        practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, start } });
      assert.equal(b.status, 201, b.text);
    }
    const one = await slotsOf(s, { practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, ...range });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.body.days, [
      { date: '2027-04-03', open: true, free: 2 }, { date: '2027-04-04', open: false, free: 0 },
      { date: '2027-04-05', open: false, free: 0 }, { date: '2027-04-06', open: true, free: 0 }]);
    assert.ok(one.body.items.every((x) => x.practitioner_id === schedule.practitioner.id));
    // The other practitioner's Tuesday is all leave: closed for them alone.
    const theirs = await slotsOf(s, { practitioner_id: other.practitioner.id, type_id: schedule.type.id, ...range });
    assert.deepEqual(theirs.body.days.map((d) => d.open), [true, false, false, false]);
    // Any practitioner: both practitioners' Saturday slots, soonest first, each naming its practitioner.
    const any = await slotsOf(s, { type_id: schedule.type.id, ...range });
    assert.equal(any.status, 200, any.text);
    assert.deepEqual(any.body.items.map((x) => x.start), ['2027-04-03T09:00:00+02:00', '2027-04-03T09:00:00+02:00',
      '2027-04-03T10:00:00+02:00', '2027-04-03T10:00:00+02:00']);
    assert.deepEqual(new Set(any.body.items.map((x) => x.practitioner_id)),
      new Set([schedule.practitioner.id, other.practitioner.id]));
    assert.deepEqual(any.body.days.map((d) => [d.open, d.free]), [[true, 4], [false, 0], [false, 0], [true, 0]]);
    // An inactive practitioner's slots are not offered to "any".
    await owner.request('PATCH', `/api/v1/clinic/practitioners/${other.practitioner.id}`, { body: { active: false } });
    const fewer = await slotsOf(s, { type_id: schedule.type.id, ...range });
    assert.deepEqual(fewer.body.items.map((x) => x.practitioner_id), [schedule.practitioner.id, schedule.practitioner.id]);
    // The booking options tell the rules a patient should know first.
    const opts = await s.request('GET', 'appointments/booking-options');
    assert.equal(opts.status, 200, opts.text);
    assert.deepEqual(Object.keys(opts.body.rules).sort(), ['cancel_cutoff_minutes', 'horizon_days', 'min_notice_minutes']);
  });

  test('minimum notice and horizon cut the ends; the step sets the grid', async () => {
    const { owner, schedule, patients } = await bookingClinic({
      schedule: { duration: 60, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
        rules: { slot_step_minutes: 60, min_notice_minutes: 180, horizon_days: 2 } },
    });
    const s = patients[0].session;
    const q = { practitioner_id: schedule.practitioner.id, type_id: schedule.type.id,
      from: dateIn('Europe/Istanbul', -1), to: dateIn('Europe/Istanbul', 4) };
    const now = Date.now();
    const res = await slotsOf(s, q);
    assert.equal(res.status, 200, res.text);
    const times = res.body.items.map((x) => Date.parse(x.start));
    assert.ok(times.length >= 40, `only ${times.length} slots`);
    assert.ok(times[0] >= now + 180 * 60_000 - 5_000, 'a slot inside the minimum notice');
    assert.ok(times[0] < now + 240 * 60_000 + 5_000, 'the first slot after the notice is missing');
    assert.ok(times.at(-1) < now + 2 * 86_400_000 + 5_000, 'a slot beyond the horizon');
    assert.ok(times.at(-1) >= now + 2 * 86_400_000 - 3_600_000 - 5_000, 'the last slot before the horizon is missing');
    for (let i = 1; i < times.length; i++) assert.equal(times[i] - times[i - 1], 3_600_000);
    for (const x of res.body.items) assert.match(x.start, /T\d{2}:00:00\+03:00$/);
    // A 20-minute step.
    const r = await owner.request('PUT', '/api/v1/clinic/booking-rules', { body: { min_notice_minutes: 0, horizon_days: 730,
      cancel_cutoff_minutes: 0, max_open_bookings: 5, slot_step_minutes: 20 } });
    assert.equal(r.status, 200);
    const day = dateIn('Europe/Istanbul', 3);
    const stepped = await slotsOf(s, { ...q, from: day, to: day });
    assert.equal(stepped.body.items.length, 70, '00:00 to 23:00 every 20 minutes');
    assert.deepEqual(stepped.body.items.slice(0, 3).map((x) => parts(x.start)[1]), ['00:00', '00:20', '00:40']);
  });

  test('more free slots than one answer holds is 422 naming to; one practitioner\'s month is fine', async () => {
    // 23 practitioners around the clock at a 5-minute step: 23 x 288 x 31 = 205,344 slots in a
    // month, past the 200,000 of one answer (slots.h).
    const { clinic, schedule, patients } = await bookingClinic({ schedule: { duration: 5,
      hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
      rules: { slot_step_minutes: 5 } } });
    psql(`WITH p AS (INSERT INTO practitioners (clinic_id, name)
        SELECT '${clinic.id}', 'Dr. Around the clock ' || i FROM generate_series(1, 22) i RETURNING id)
      INSERT INTO working_hours (clinic_id, practitioner_id, weekday, start_time, end_time)
        SELECT '${clinic.id}', p.id, w, '00:00', '24:00' FROM p, generate_series(1, 7) w`);
    const q = { type_id: schedule.type.id, from: dateIn('Europe/Istanbul', 2), to: dateIn('Europe/Istanbul', 32) };
    const res = await slotsOf(patients[0].session, q);
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(res.body.errors.map((e) => e.field), ['to']);
    const one = await slotsOf(patients[0].session, { ...q, practitioner_id: schedule.practitioner.id });
    assert.equal(one.status, 200, one.text.slice(0, 300));
    assert.equal(one.body.items.length, 288 * 31);
    assert.ok(one.body.days.every((d) => d.open && d.free === 288), JSON.stringify(one.body.days[0]));
  });

  test('bad queries are 422 naming the field', async () => {
    const { schedule, patients, owner } = await bookingClinic();
    const s = patients[0].session;
    const q = { practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, from: '2027-01-01', to: '2027-01-31' };
    assert.equal((await slotsOf(s, q)).status, 200);
    const cases = [
      [{ to: '2027-02-01' }, ['to']],
      [{ to: '2026-12-31' }, ['to']],
      [{ from: '2027-02-30' }, ['from']],
      [{ from: 'tomorrow' }, ['from']],
      [{ practitioner_id: crypto.randomUUID() }, ['practitioner_id']],
      [{ type_id: 'x' }, ['type_id']],
    ];
    for (const [over, fields] of cases) {
      const res = await slotsOf(s, { ...q, ...over });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(over));
      assert.deepEqual(res.body.errors.map((e) => e.field), fields, JSON.stringify(over));
    }
    const { from, ...noFrom } = q;
    assert.deepEqual((await slotsOf(s, noFrom)).body.errors.map((e) => e.field), ['from']);
    // A type patients may not book online has no slots to offer.
    const t = await owner.request('PATCH', `/api/v1/clinic/appointment-types/${schedule.type.id}`, { body: { online_bookable: false } });
    assert.equal(t.status, 200);
    assert.deepEqual((await slotsOf(s, q)).body.errors.map((e) => e.field), ['type_id']);
    void from;
  });
});
