// Appointments (issue 6): the patient side under the one permission decision (each key allowed
// when granted, 403 naming it when not, with the clinic's set and with a patient's custom
// set); booking rules, each refusal a 422 booking_rule naming its rule, staff bypassing them
// but not overlaps; another patient's and another clinic's appointments unreadable and
// uncancellable; confirmation and cancellation messages in the patient's language through the
// outbox; the .ics; the clinic's calendar with portal bookings and cancellations marked; and
// every change in the audit log.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { api, assertProblem, psql } from './lib/client.mjs';
import {
  bookingClinic, dateIn, enablePortal, makeSchedule, nextMessage, portalPath, signInPatient, sinkMark,
} from './lib/fixtures.mjs';

const TZ = 'Europe/Istanbul';
// Day n from today at hh:mm, Istanbul time (+03:00 all year).
const at = (n, hm = '10:00') => `${dateIn(TZ, n)}T${hm}:00+03:00`;
const book = (s, schedule, start, type = schedule.type) => s.request('POST', 'appointments',
  { body: { practitioner_id: schedule.practitioner.id, type_id: type.id, start } });
const putRules = (owner, rules) => owner.request('PUT', '/api/v1/clinic/booking-rules', { body: {
  min_notice_minutes: 0, horizon_days: 730, cancel_cutoff_minutes: 0, max_open_bookings: 100, slot_step_minutes: 30, ...rules } });
const staffBook = (owner, patientId, schedule, start) => owner.request('POST', '/api/v1/clinic/appointments', {
  body: { patient_id: patientId, practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, start } });

describe('permissions', () => {
  test('each key is allowed when granted and refused naming it when not, by the clinic set and a custom set', async () => {
    const ALL = ['view_appointments', 'create_appointment', 'cancel_appointment'];
    const { clinic, owner, schedule, patients: [{ patient, session: s }] } = await bookingClinic({ permissions: ALL });
    let day = 10;
    // One call per key; each returns the response. Bookings use fresh slots.
    const made = await book(s, schedule, at(day++));
    assert.equal(made.status, 201, made.text);
    const calls = {
      view_appointments: [
        () => s.request('GET', 'appointments'),
        () => s.request('GET', `appointments/${made.body.id}`),
        () => s.request('GET', `appointments/${made.body.id}/ics`),
      ],
      create_appointment: [
        () => s.request('GET', 'appointments/booking-options'),
        () => s.request('GET', `appointments/slots?practitioner_id=${schedule.practitioner.id}&type_id=${schedule.type.id}`
          + `&from=${dateIn(TZ, 20)}&to=${dateIn(TZ, 21)}`),
        () => book(s, schedule, at(day++)),
      ],
      cancel_appointment: [
        async () => {
          const b = await staffBook(owner, patient.id, schedule, at(day++, '11:00'));
          assert.equal(b.status, 201, b.text);
          return s.request('POST', `appointments/${b.body.id}/cancel`);
        },
      ],
    };
    const setClinic = async (permissions) => enablePortal(owner, clinic, { permissions });
    const setCustom = async (mode, permissions = []) => {
      const res = await owner.request('PUT', `/api/v1/clinic/patients/${patient.id}/portal-permissions`,
        { body: mode === 'clinic' ? { mode } : { mode, permissions } });
      assert.equal(res.status, 200, res.text);
    };
    const expectAll = async (key, allowed, how) => {
      for (const call of calls[key]) {
        const res = await call();
        if (allowed) {
          assert.ok(res.status >= 200 && res.status < 300, `${key} (${how}) should be allowed: ${res.status} ${res.text}`);
        } else {
          assertProblem(res, 403, 'permission_denied', `${key} (${how})`);
          assert.equal(res.body.permission, key);
        }
      }
    };
    for (const key of ALL) {
      const others = ALL.filter((k) => k !== key);
      // The clinic's set without the key, then with it.
      await setCustom('clinic');
      await setClinic(others);
      await expectAll(key, false, 'clinic set without it');
      await setClinic(ALL);
      await expectAll(key, true, 'clinic set with it');
      // A custom set without it while the clinic has it, and with it while the clinic has not.
      await setCustom('custom', others);
      await expectAll(key, false, 'custom set without it');
      await setClinic(others);
      await setCustom('custom', ALL);
      await expectAll(key, true, 'custom set with it');
      await setClinic(ALL);
    }
  });
});

describe('patient booking and cancelling', () => {
  test('book, list, read, cancel: source and cancelled_by marked, messages queued in the language, audited', async () => {
    const { clinic, owner, schedule, patients } = await bookingClinic({ patients: 2, langs: ['en', 'tr'] });
    const [en, tr] = patients;
    const mark = sinkMark();
    const start = at(5, '10:30');
    const res = await book(en.session, schedule, start);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual([res.body.start, res.body.status, res.body.source, res.body.can_cancel], [start, 'booked', 'portal', true]);
    assert.equal(res.body.end, at(5, '11:00'));
    assert.deepEqual(res.body.practitioner, { id: schedule.practitioner.id, name: schedule.practitioner.name });
    assert.deepEqual(res.body.type, { id: schedule.type.id, name: schedule.type.name, duration_minutes: 30 });
    // The confirmation, in English, by SMS.
    const sms = await nextMessage(en.phone, mark);
    assert.match(sms.text, /your .* appointment with .* is booked/);
    assert.ok(sms.text.includes(schedule.practitioner.name) && sms.text.includes(schedule.type.name), sms.text);
    assert.ok(sms.text.includes(', 10:30'), `the start in words: ${sms.text}`);
    const row = JSON.parse(psql(`SELECT row_to_json(o) FROM (SELECT purpose, locale, channel, created_by_type, created_by_id
      FROM outbox WHERE clinic_id = '${clinic.id}' AND purpose LIKE 'appointment%' ORDER BY created_at DESC LIMIT 1) o`));
    assert.deepEqual(row, { purpose: 'appointment_confirmation', locale: 'en', channel: 'sms', created_by_type: 'patient',
      created_by_id: en.patient.id });
    // The Turkish patient books and is told in Turkish.
    const trMark = sinkMark();
    const trRes = await book(tr.session, schedule, at(5, '11:00'));
    assert.equal(trRes.status, 201, trRes.text);
    assert.match((await nextMessage(tr.phone, trMark)).text, /randevunuz .*alındı/);

    const list = await en.session.request('GET', 'appointments');
    assert.deepEqual(list.body.items.map((x) => x.id), [res.body.id], 'only the patient\'s own');
    assert.equal(list.body.next_cursor, null);
    assert.deepEqual((await en.session.request('GET', 'appointments?scope=past')).body.items, []);
    assertProblem(await en.session.request('GET', 'appointments?scope=soon'), 422, 'validation_failed');
    assertProblem(await en.session.request('GET', 'appointments?limit=101'), 422, 'validation_failed');
    const one = await en.session.request('GET', `appointments/${res.body.id}`);
    assert.deepEqual(one.body, res.body);

    // The clinic sees it marked as a portal booking.
    const cal = await owner.request('GET', `/api/v1/clinic/appointments?from=${dateIn(TZ, 5)}&to=${dateIn(TZ, 5)}`
      + `&practitioner_id=${schedule.practitioner.id}`);
    assert.equal(cal.status, 200, cal.text);
    const seen = cal.body.items.find((x) => x.id === res.body.id);
    assert.deepEqual([seen.source, seen.status, seen.cancelled_by, seen.patient.id], ['portal', 'booked', null, en.patient.id]);

    const cancelMark = sinkMark();
    const cancelled = await en.session.request('POST', `appointments/${res.body.id}/cancel`);
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.deepEqual([cancelled.body.status, cancelled.body.can_cancel], ['cancelled', false]);
    assert.match((await nextMessage(en.phone, cancelMark)).text, /is cancelled/);
    assertProblem(await en.session.request('POST', `appointments/${res.body.id}/cancel`), 409, 'conflict');
    const after = await owner.request('GET', `/api/v1/clinic/appointments?from=${dateIn(TZ, 5)}&to=${dateIn(TZ, 5)}`);
    const gone = after.body.items.find((x) => x.id === res.body.id);
    assert.deepEqual([gone.status, gone.cancelled_by], ['cancelled', 'portal']);
    assert.ok(gone.cancelled_at);

    const audit = psql(`SELECT string_agg(action || ':' || actor_type || ':' || actor_id, ',' ORDER BY id) FROM audit_log
      WHERE clinic_id = '${clinic.id}' AND target_id = '${res.body.id}'`);
    assert.equal(audit, `appointment.create:patient:${en.patient.id},appointment.cancel:patient:${en.patient.id}`);
  });

  test('messages follow the patient\'s communication choices: email when SMS is off, none when both are', async () => {
    const { clinic, owner, schedule, patients } = await bookingClinic({ patients: 1 });
    const [p] = patients;
    const email = `comm-${p.patient.id.slice(0, 8)}@patient.test`;
    const off = await owner.request('PATCH', `/api/v1/clinic/patients/${p.patient.id}`,
      { body: { email, communication: { sms: false, email: true } } });
    assert.equal(off.status, 200, off.text);
    const mark = sinkMark();
    const first = await staffBook(owner, p.patient.id, schedule, at(6, '10:00'));
    assert.equal(first.status, 201, first.text);
    assert.match((await nextMessage(email, mark)).subject, /.+/, 'the confirmation came by email');
    const none = await owner.request('PATCH', `/api/v1/clinic/patients/${p.patient.id}`,
      { body: { communication: { sms: false, email: false } } });
    assert.equal(none.status, 200, none.text);
    const second = await staffBook(owner, p.patient.id, schedule, at(6, '11:00'));
    assert.equal(second.status, 201, second.text);
    const channels = psql(`SELECT string_agg(channel, ',' ORDER BY created_at) FROM outbox
      WHERE clinic_id = '${clinic.id}' AND purpose = 'appointment_confirmation'`);
    assert.equal(channels, 'email', 'nothing was queued once the patient turned both off');
  });

  test('every booking rule refuses with 422 booking_rule naming it; staff bypass the rules but not overlaps', async () => {
    const { clinic, owner, schedule, patients: [{ patient, session: s }] } = await bookingClinic({
      schedule: { hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })) },
    });
    const rule = async (res, name) => {
      assertProblem(res, 422, 'booking_rule', name);
      assert.equal(res.body.rule, name);
    };
    const before = Number(psql(`SELECT count(*) FROM appointments WHERE clinic_id = '${clinic.id}'`));
    // type_not_bookable
    const hidden = await owner.request('POST', '/api/v1/clinic/appointment-types',
      { body: { name: 'Surgery', duration_minutes: 60, online_bookable: false } });
    await rule(await book(s, schedule, at(6), hidden.body), 'type_not_bookable');
    // min_notice
    assert.equal((await putRules(owner, { min_notice_minutes: 43200 })).status, 200);
    await rule(await book(s, schedule, at(6)), 'min_notice');
    await rule(await book(s, schedule, '2020-01-01T10:00:00+03:00'), 'min_notice');
    // horizon
    await putRules(owner, { horizon_days: 30 });
    await rule(await book(s, schedule, at(40)), 'horizon');
    // outside_hours: before opening, ending after closing, off the grid, in time off
    await putRules(owner, {});
    await rule(await book(s, schedule, at(6, '08:30')), 'outside_hours');
    await rule(await book(s, schedule, at(6, '16:45')), 'outside_hours');
    await rule(await book(s, schedule, at(6, '10:10')), 'outside_hours');
    const leave = await owner.request('POST', '/api/v1/clinic/time-off',
      { body: { practitioner_id: schedule.practitioner.id, start: at(7, '12:00'), end: at(7, '13:00') } });
    assert.equal(leave.status, 201, leave.text);
    await rule(await book(s, schedule, at(7, '12:30')), 'outside_hours');
    await rule(await book(s, schedule, at(7, '11:45')), 'outside_hours');
    assert.equal((await book(s, schedule, at(7, '13:00'))).status, 201, 'right after the leave');
    // max_open_bookings
    await putRules(owner, { max_open_bookings: 2 });
    assert.equal((await book(s, schedule, at(8, '09:00'))).status, 201);
    await rule(await book(s, schedule, at(8, '10:00')), 'max_open_bookings');
    // cancel_cutoff
    await putRules(owner, { cancel_cutoff_minutes: 43200, max_open_bookings: 100 });
    const soon = await book(s, schedule, at(9));
    assert.equal(soon.status, 201, soon.text);
    assert.equal(soon.body.can_cancel, false);
    // The app can say until when: the start minus the cut-off (30 days).
    assert.equal(Date.parse(soon.body.start) - Date.parse(soon.body.cancel_until), 43200 * 60_000);
    await rule(await s.request('POST', `appointments/${soon.body.id}/cancel`), 'cancel_cutoff');
    assert.equal(Number(psql(`SELECT count(*) FROM appointments WHERE clinic_id = '${clinic.id}'`)), before + 3);

    // Staff are not bound by rules: inside the notice, off hours, in the leave...
    await putRules(owner, { min_notice_minutes: 43200, horizon_days: 1 });
    for (const start of [at(6, '07:10'), at(7, '12:00'), at(60)]) {
      const res = await staffBook(owner, patient.id, schedule, start);
      assert.equal(res.status, 201, `${start}: ${res.text}`);
      assert.equal(res.body.source, 'staff');
    }
    // ...but never over another booking.
    assertProblem(await staffBook(owner, patient.id, schedule, at(7, '13:15')), 409, 'slot_taken');
    // And a patient meeting a taken slot hears slot_taken.
    await putRules(owner, {});
    assertProblem(await book(s, schedule, at(7, '13:00')), 409, 'slot_taken');
    // Input errors stay validation_failed.
    const bad = await s.request('POST', 'appointments', { body: { practitioner_id: 'x', type_id: schedule.type.id, start: 'soon' } });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['practitioner_id', 'start']);
    const unknown = await book(s, { ...schedule, practitioner: { id: crypto.randomUUID() } }, at(6));
    assert.deepEqual(unknown.body.errors.map((e) => e.field), ['practitioner_id']);
  });

  test('a deactivated practitioner cannot be booked from the portal: 422 booking_rule practitioner_unavailable (issue 9 item 12)', async () => {
    const { clinic, owner, schedule, patients: [{ session: s }] } = await bookingClinic({
      schedule: { hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })) },
    });
    await putRules(owner, {});
    const off = await owner.request('PATCH', `/api/v1/clinic/practitioners/${schedule.practitioner.id}`,
      { body: { active: false } });
    assert.equal(off.status, 200, off.text);
    const before = Number(psql(`SELECT count(*) FROM appointments WHERE clinic_id = '${clinic.id}'`));
    const res = await book(s, schedule, at(6));
    assertProblem(res, 422, 'booking_rule');
    assert.equal(res.body.rule, 'practitioner_unavailable');
    assert.equal(Number(psql(`SELECT count(*) FROM appointments WHERE clinic_id = '${clinic.id}'`)), before,
      'nothing was booked');
    // Nor are slots offered for them, as before; active again, they can be booked.
    const slots = await s.request('GET', `appointments/slots?practitioner_id=${schedule.practitioner.id}`
      + `&type_id=${schedule.type.id}&from=${dateIn(TZ, 6)}&to=${dateIn(TZ, 6)}`);
    assertProblem(slots, 422, 'validation_failed');
    await owner.request('PATCH', `/api/v1/clinic/practitioners/${schedule.practitioner.id}`, { body: { active: true } });
    assert.equal((await book(s, schedule, at(6))).status, 201);
  });

  test("another patient's and another clinic's appointments answer 404 not_found", async () => {
    const { owner, schedule, patients: [a, b] } = await bookingClinic({ patients: 2 });
    const other = await bookingClinic();
    const mine = await book(a.session, schedule, at(5));
    const theirs = await book(b.session, schedule, at(5, '11:00'));
    const foreign = await book(other.patients[0].session, other.schedule, at(5));
    for (const r of [mine, theirs, foreign]) assert.equal(r.status, 201, r.text);
    for (const id of [theirs.body.id, foreign.body.id, crypto.randomUUID(), 'nope']) {
      for (const [method, rest] of [['GET', `appointments/${id}`], ['GET', `appointments/${id}/ics`],
        ['POST', `appointments/${id}/cancel`]]) {
        const res = await a.session.request(method, rest);
        assertProblem(res, 404, 'not_found', `${method} ${rest}`);
      }
    }
    // Nothing was cancelled, and the clinic's own calls see B's and not the other clinic's.
    assert.equal((await b.session.request('GET', `appointments/${theirs.body.id}`)).body.status, 'booked');
    assert.equal((await other.patients[0].session.request('GET', `appointments/${foreign.body.id}`)).body.status, 'booked');
    for (const [method, path] of [['PATCH', `/api/v1/clinic/appointments/${foreign.body.id}`],
      ['POST', `/api/v1/clinic/appointments/${foreign.body.id}/cancel`]]) {
      assertProblem(await owner.request(method, path, { body: method === 'PATCH' ? { note: 'x' } : undefined }), 404, 'not_found');
    }
  });

  test('the .ics is RFC 5545: CRLF, folded, the clinic\'s local times with its VTIMEZONE, escaped text, an attachment', async () => {
    const { clinic, schedule, patients: [{ session: s }] } = await bookingClinic();
    const res = await book(s, schedule, at(12, '14:00'));
    const ics = await s.request('GET', `appointments/${res.body.id}/ics`);
    assert.equal(ics.status, 200, ics.text);
    assert.equal(ics.headers.get('content-type'), 'text/calendar; charset=utf-8');
    assert.match(ics.headers.get('content-disposition'), /^attachment; filename="appointment-[0-9a-f-]+\.ics"$/);
    const text = ics.text;
    assert.ok(text.endsWith('\r\n'));
    assert.ok(!/[^\r]\n/.test(text), 'a bare LF');
    const lines = text.split('\r\n').slice(0, -1);
    for (const line of lines) assert.ok(Buffer.byteLength(line) <= 75, `longer than 75 octets: ${line}`);
    const unfolded = text.replace(/\r\n /g, '').split('\r\n');
    // The event's own properties (the VTIMEZONE has DTSTART lines of its own).
    const event = unfolded.slice(unfolded.indexOf('BEGIN:VEVENT'));
    const prop = (name) => event.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
    assert.deepEqual([unfolded[0], unfolded[1]], ['BEGIN:VCALENDAR', 'VERSION:2.0']);
    assert.ok(unfolded.find((l) => l.startsWith('PRODID:')));
    assert.ok(unfolded.includes('BEGIN:VEVENT') && unfolded.includes('END:VEVENT'));
    assert.equal(unfolded.at(-2), 'END:VCALENDAR');
    // The clinic's zone comes first, then the event in its wall-clock time.
    const zone = unfolded.indexOf('BEGIN:VTIMEZONE');
    assert.ok(zone > 0 && zone < unfolded.indexOf('BEGIN:VEVENT'), 'a VTIMEZONE before the event');
    assert.equal(unfolded[zone + 1], `TZID:${TZ}`);
    assert.equal(prop('UID'), `${res.body.id}@patient-portal`);
    assert.match(prop('DTSTAMP'), /^\d{8}T\d{6}Z$/);
    const local = (iso) => iso.slice(0, 19).replace(/[-:]/g, '');
    assert.equal(prop(`DTSTART;TZID=${TZ}`), local(res.body.start));
    assert.equal(prop(`DTEND;TZID=${TZ}`), local(res.body.end));
    assert.equal(prop('LOCATION'), clinic.name);
    assert.ok(prop('SUMMARY').includes(schedule.type.name));
    // With an address on the profile, the location says where to go: name and address on one
    // line (commas escaped, blank lines left out).
    psql(`UPDATE clinics SET address = E'Bağdat Cd. 12\\n\\n  Kadıköy ' WHERE id = '${clinic.id}'`);
    const located = await s.request('GET', `appointments/${res.body.id}/ics`);
    const where = located.text.replace(/\r\n /g, '').split('\r\n').find((l) => l.startsWith('LOCATION:'));
    assert.equal(where, `LOCATION:${clinic.name}\\, Bağdat Cd. 12\\, Kadıköy`);
  });

  test('the .ics escapes and folds long, accented names', async () => {
    const { owner, patients: [{ session: s }] } = await bookingClinic();
    const long = await makeSchedule(owner, { name: 'Dr. Şükrü Çağlar; Ağız, Diş ve Çene Cerrahisi Uzmanı — İstanbul Şişli Şubesi',
      typeName: 'Kanal tedavisi, ilk seans; ayrıntılı muayene ve röntgen çekimi dahil' });
    const res = await book(s, long, at(12, '15:00'));
    assert.equal(res.status, 201, res.text);
    const text = (await s.request('GET', `appointments/${res.body.id}/ics`)).text;
    for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `too long: ${line}`);
    const summary = text.replace(/\r\n /g, '').split('\r\n').find((l) => l.startsWith('SUMMARY:'));
    assert.equal(summary, 'SUMMARY:Kanal tedavisi\\, ilk seans\\; ayrıntılı muayene ve röntgen çekimi dahil '
      + '(Dr. Şükrü Çağlar\\; Ağız\\, Diş ve Çene Cerrahisi Uzmanı — İstanbul Şişli Şubesi)');
  });
});

describe('the clinic calendar', () => {
  test('day and week per practitioner; create, move, cancel by staff; limits', async () => {
    const { clinic, owner, schedule, patients: [{ patient, phone }] } = await bookingClinic();
    const second = await makeSchedule(owner);
    const mark = sinkMark();
    const a = await staffBook(owner, patient.id, schedule, at(3, '09:00'));
    assert.equal(a.status, 201, a.text);
    assert.deepEqual([a.body.source, a.body.patient.id, a.body.note], ['staff', patient.id, '']);
    assert.match((await nextMessage(phone, mark)).text, /randevunuz/, 'staff bookings are confirmed too');
    const b = await staffBook(owner, patient.id, second, at(4, '09:00'));
    const c = await staffBook(owner, patient.id, schedule, at(6, '15:00'));
    for (const r of [b, c]) assert.equal(r.status, 201, r.text);
    const list = async (q) => {
      const res = await owner.request('GET', `/api/v1/clinic/appointments?${new URLSearchParams(q)}`);
      assert.equal(res.status, 200, res.text);
      return res.body.items.map((x) => x.id);
    };
    assert.deepEqual(await list({ from: dateIn(TZ, 3), to: dateIn(TZ, 3) }), [a.body.id], 'a day');
    assert.deepEqual(await list({ from: dateIn(TZ, 0), to: dateIn(TZ, 6) }), [a.body.id, b.body.id, c.body.id], 'a week');
    assert.deepEqual(await list({ from: dateIn(TZ, 0), to: dateIn(TZ, 6), practitioner_id: schedule.practitioner.id }),
      [a.body.id, c.body.id], 'a practitioner\'s week');
    assert.deepEqual(await list({ from: dateIn(TZ, 0), to: dateIn(TZ, 6), patient_id: patient.id }),
      [a.body.id, b.body.id, c.body.id]);
    // Move (another time, another practitioner), onto a taken slot, edit the note.
    const moved = await owner.request('PATCH', `/api/v1/clinic/appointments/${a.body.id}`,
      { body: { start: at(3, '10:00'), note: 'Bring X-rays' } });
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual([moved.body.start, moved.body.end, moved.body.note], [at(3, '10:00'), at(3, '10:30'), 'Bring X-rays']);
    assertProblem(await owner.request('PATCH', `/api/v1/clinic/appointments/${a.body.id}`,
      { body: { start: at(4, '09:15'), practitioner_id: second.practitioner.id } }), 409, 'slot_taken');
    const cancelled = await owner.request('POST', `/api/v1/clinic/appointments/${c.body.id}/cancel`);
    assert.deepEqual([cancelled.body.status, cancelled.body.cancelled_by], ['cancelled', 'staff']);
    assertProblem(await owner.request('PATCH', `/api/v1/clinic/appointments/${c.body.id}`,
      { body: { start: at(6, '16:00') } }), 409, 'conflict');
    // Validation.
    const bad = async (q, fields) => {
      const res = await owner.request('GET', `/api/v1/clinic/appointments?${new URLSearchParams(q)}`);
      assertProblem(res, 422, 'validation_failed', JSON.stringify(q));
      assert.deepEqual(res.body.errors.map((e) => e.field), fields, JSON.stringify(q));
    };
    await bad({ from: '2027-01-01', to: '2027-02-01' }, ['to']);
    await bad({ from: '2027-01-01' }, ['to']);
    await bad({ from: '2027-01-32', to: '2027-02-01' }, ['from']);
    await bad({ from: '2027-01-01', to: '2027-01-02', practitioner_id: 'x' }, ['practitioner_id']);
    const missing = await owner.request('POST', '/api/v1/clinic/appointments', { body: {
      patient_id: crypto.randomUUID(), practitioner_id: schedule.practitioner.id, type_id: crypto.randomUUID(), start: at(3) } });
    assertProblem(missing, 422, 'validation_failed');
    assert.deepEqual(missing.body.errors.map((e) => e.field), ['patient_id', 'type_id']);
    assertProblem(await owner.request('PATCH', `/api/v1/clinic/appointments/${crypto.randomUUID()}`, { body: { note: 'x' } }),
      404, 'not_found');
    const actions = psql(`SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE clinic_id = '${clinic.id}'
      AND target_type = 'appointment'`);
    assert.equal(actions, 'appointment.create,appointment.create,appointment.create,appointment.update,appointment.cancel');
  });

  test('an API key books as api and staff without the write scope cannot', async () => {
    const { clinic, schedule, patients: [{ patient }] } = await bookingClinic();
    const { makeApiKey, withKey } = await import('./lib/fixtures.mjs');
    const key = withKey(makeApiKey(clinic.id, 'read,write'));
    const res = await key.request('POST', '/api/v1/clinic/appointments', { body: {
      patient_id: patient.id, practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, start: at(3) } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.source, 'api');
    const cancel = await key.request('POST', `/api/v1/clinic/appointments/${res.body.id}/cancel`);
    assert.equal(cancel.body.cancelled_by, 'api');
    const read = withKey(makeApiKey(clinic.id, 'read'));
    assertProblem(await read.request('POST', `/api/v1/clinic/appointments/${res.body.id}/cancel`), 403, 'forbidden_role');
    // An unauthenticated patient call is refused before anything else.
    assertProblem(await api('GET', portalPath(clinic.code, 'appointments')), 401, 'not_authenticated');
    void signInPatient;
  });
});
