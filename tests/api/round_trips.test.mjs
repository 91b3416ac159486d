// One round trip per request (issue 10, DESIGN.md section 11): authentication, the portal's
// checks, the permission and the row-level-security context cost one database round trip,
// and a read's own data rides in the same one where the route sends it ahead (the patient's
// appointments and treatments). The stacks set server_timing = 1, so every answer says what
// it cost: `Server-Timing: db;dur=<ms>;desc="<n> round trips"`. A worker prepares a statement
// on its first use (one more trip), so each figure is the fewest over a few requests.
//
// Sending the data ahead, before the session is known, must never show anything the
// request may not see: a stranger, a patient without the permission, another clinic's
// address and a bad query all get the problem they got before, with no rows in it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { api, assertProblem, psql } from './lib/client.mjs';
import {
  bookingClinic, enablePortal, makeClinic, makePatient, signIn, signInPatient, uniqueEmail,
} from './lib/fixtures.mjs';
import { TINY_JPEG, clinicDoc, docClinic, okPdf, otherPatient, patientUpload } from './lib/docs.mjs';
import { clinicThread, msgClinic, msgPatient, patientThread } from './lib/messages.mjs';

const TRIES = 12;

// The round trips one answer says it cost.
function tripsOf(res) {
  const h = res.headers.get('server-timing') ?? '';
  const m = /^db;dur=\d+(?:\.\d+)?;desc="(\d+) round trips?"$/.exec(h);
  assert.ok(m, `no Server-Timing db entry in "${h}" (${res.status} ${res.text})`);
  return Number(m[1]);
}

// The fewest round trips of `tries` runs of call(), each answered with `status`.
async function fewest(call, status = 200, tries = TRIES) {
  let least = Infinity;
  let last;
  for (let i = 0; i < tries; i++) {
    last = await call();
    assert.equal(last.status, status, last.text);
    least = Math.min(least, tripsOf(last));
  }
  return { trips: least, last };
}

let C;          // a clinic whose portal shows appointments and treatments
let mine;       // its patient with two upcoming appointments, one past one and a plan
let theirs;     // another patient of the same clinic, with data of their own
let D;          // a clinic whose portal allows appointments only

async function book(owner, schedule, patientId, daysAhead, hour) {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  const day = d.toISOString().slice(0, 10);
  const res = await owner.request('POST', '/api/v1/clinic/appointments', {
    body: {
      patient_id: patientId, practitioner_id: schedule.practitioner.id, type_id: schedule.type.id,
      start: `${day}T${String(hour).padStart(2, '0')}:00:00+03:00`,
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

function pastAppointment(patientId) {
  // The API books only ahead of now; a past visit is the clinic's record, written directly.
  return psql(`INSERT INTO appointments (clinic_id, patient_id, practitioner_id, type_id, during, source)
    VALUES ('${C.clinic.id}', '${patientId}', '${C.schedule.practitioner.id}', '${C.schedule.type.id}',
    tstzrange(now() - interval '30 days', now() - interval '30 days' + interval '30 minutes'), 'staff')
    RETURNING id`);
}

before(async () => {
  C = await bookingClinic({
    permissions: ['view_profile', 'view_appointments', 'view_treatments', 'create_appointment',
      'view_balance', 'view_invoices'],
    patients: 2,
  });
  [mine, theirs] = C.patients;
  mine.upcoming = [await book(C.owner, C.schedule, mine.patient.id, 3, 10),
    await book(C.owner, C.schedule, mine.patient.id, 4, 11)];
  mine.past = [pastAppointment(mine.patient.id)];
  theirs.upcoming = [await book(C.owner, C.schedule, theirs.patient.id, 3, 12)];
  const plan = (title) => ({ title, items: [{ procedure: 'Crown', area: '16', estimated_cost: 1000 }] });
  const p1 = await C.owner.request('POST', `/api/v1/clinic/patients/${mine.patient.id}/treatment-plans`,
    { body: plan('Mine') });
  assert.equal(p1.status, 201, p1.text);
  mine.plan = p1.body.id;
  const p2 = await C.owner.request('POST', `/api/v1/clinic/patients/${theirs.patient.id}/treatment-plans`,
    { body: plan('Theirs') });
  assert.equal(p2.status, 201, p2.text);
  theirs.plan = p2.body.id;
  const invoice = async (patientId, unit_price) => {
    const res = await C.owner.request('POST', '/api/v1/clinic/invoices', {
      body: { patient_id: patientId, lines: [{ description: 'Visit', quantity: 1, unit_price, tax_rate_bp: 0 }] },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.id;
  };
  mine.invoices = [await invoice(mine.patient.id, 1000), await invoice(mine.patient.id, 2500)];
  theirs.invoices = [await invoice(theirs.patient.id, 700)];

  const clinicD = makeClinic();
  const ownerD = await signIn(clinicD.logins.owner);
  await enablePortal(ownerD, clinicD, { permissions: ['view_profile', 'view_appointments'] });
  const email = uniqueEmail('trips');
  await makePatient(ownerD, { email });
  D = { clinic: clinicD, owner: ownerD, session: await signInPatient(clinicD.code, email) };
});

describe('a request costs one database round trip', () => {
  test('GET portal me and GET clinic me: one', async () => {
    assert.equal((await fewest(() => mine.session.request('GET', 'me'))).trips, 1);
    assert.equal((await fewest(() => C.owner.request('GET', '/api/v1/clinic/me'))).trips, 1);
  });

  test('GET appointments, upcoming and past, and a next page: one, with exactly the patient\'s own', async () => {
    const up = await fewest(() => mine.session.request('GET', 'appointments?scope=upcoming'));
    assert.equal(up.trips, 1);
    assert.deepEqual(up.last.body.items.map((a) => a.id), mine.upcoming);
    const past = await fewest(() => mine.session.request('GET', 'appointments?scope=past'));
    assert.equal(past.trips, 1);
    assert.deepEqual(past.last.body.items.map((a) => a.id), mine.past);
    const first = await mine.session.request('GET', 'appointments?limit=1');
    assert.equal(first.status, 200, first.text);
    assert.ok(first.body.next_cursor);
    const next = await fewest(() => mine.session.request('GET',
      `appointments?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`));
    assert.equal(next.trips, 1);
    assert.deepEqual(next.last.body.items.map((a) => a.id), [mine.upcoming[1]]);
    const other = await fewest(() => theirs.session.request('GET', 'appointments'));
    assert.deepEqual(other.last.body.items.map((a) => a.id), theirs.upcoming);
  });

  test('GET appointments/slots: one, the checks and the free slots together', async () => {
    const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const q = `practitioner_id=${C.schedule.practitioner.id}&type_id=${C.schedule.type.id}`
      + `&from=${day(3)}&to=${day(9)}`;
    const s = await fewest(() => mine.session.request('GET', `appointments/slots?${q}`));
    assert.equal(s.trips, 1);
    assert.ok(s.last.body.items.length > 0);
    // The appointment booked at 10:00 three days ahead is not free.
    assert.ok(!s.last.body.items.some((x) => x.start === `${day(3)}T10:00:00+03:00`), s.last.text);
    const unknown = await mine.session.request('GET',
      `appointments/slots?practitioner_id=${C.schedule.type.id}&type_id=${C.schedule.type.id}&from=${day(3)}&to=${day(4)}`);
    assertProblem(unknown, 422, 'validation_failed');
    assert.deepEqual(unknown.body.errors.map((e) => e.field), ['practitioner_id']);
  });

  test('GET treatments: one, with exactly the patient\'s own plans', async () => {
    const t = await fewest(() => mine.session.request('GET', 'treatments'));
    assert.equal(t.trips, 1);
    assert.deepEqual(t.last.body.plans.map((p) => p.id), [mine.plan]);
    const u = await fewest(() => theirs.session.request('GET', 'treatments'));
    assert.equal(u.trips, 1);
    assert.deepEqual(u.last.body.plans.map((p) => p.id), [theirs.plan]);
  });
});

describe('the finance reads cost one round trip too', () => {
  test("GET balance and GET invoices (and a next page): one, with exactly the patient's own", async () => {
    const b = await fewest(() => mine.session.request('GET', 'balance'));
    assert.equal(b.trips, 1);
    assert.equal(b.last.body.balance, 3500);
    assert.equal((await fewest(() => theirs.session.request('GET', 'balance'))).last.body.balance, 700);
    const list = await fewest(() => mine.session.request('GET', 'invoices'));
    assert.equal(list.trips, 1);
    assert.deepEqual(list.last.body.items.map((i) => i.id), [...mine.invoices].reverse());
    const first = await mine.session.request('GET', 'invoices?limit=1');
    assert.ok(first.body.next_cursor, first.text);
    const next = await fewest(() => mine.session.request('GET',
      `invoices?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`));
    assert.equal(next.trips, 1);
    assert.deepEqual(next.last.body.items.map((i) => i.id), [mine.invoices[0]]);
    const other = await fewest(() => theirs.session.request('GET', 'invoices'));
    assert.deepEqual(other.last.body.items.map((i) => i.id), theirs.invoices);
  });
});

describe('the documents and images lists cost one round trip too', () => {
  test("GET documents (and a next page) and GET images: one, with exactly what the patient sees", async () => {
    const c = await docClinic();
    const other = await otherPatient(c);
    const d1 = await clinicDoc(c.owner, c.patient.id, okPdf('one'));
    await clinicDoc(c.owner, c.patient.id, okPdf('unshared'), { share: false });
    const d2 = await clinicDoc(c.owner, c.patient.id, okPdf('two'));
    const up = await patientUpload(c.session, okPdf('mine'));
    assert.equal(up.status, 201, up.text);
    const img = await clinicDoc(c.owner, c.patient.id, TINY_JPEG, { kind: 'image', type: 'image/jpeg' });
    await clinicDoc(c.owner, other.patient.id, okPdf('theirs'));
    const list = await fewest(() => c.session.request('GET', 'documents'));
    assert.equal(list.trips, 1);
    assert.deepEqual(list.last.body.items.map((x) => x.id), [up.body.id, d2.id, d1.id]);
    const first = await c.session.request('GET', 'documents?limit=2');
    const next = await fewest(() => c.session.request('GET', `documents?limit=2&cursor=${first.body.next_cursor}`));
    assert.equal(next.trips, 1);
    assert.deepEqual(next.last.body.items.map((x) => x.id), [d1.id]);
    const images = await fewest(() => c.session.request('GET', 'images'));
    assert.equal(images.trips, 1);
    assert.deepEqual(images.last.body.items.map((x) => x.id), [img.id]);
    const theirs = await fewest(() => other.session.request('GET', 'documents'));
    assert.equal(theirs.last.body.items.length, 1);
    const anon = await fewest(() => api('GET', `/api/v1/portal/${c.clinic.code}/documents`), 401, 3);
    assert.equal(anon.trips, 1);
    assert.equal(anon.last.body.items, undefined);
  });

  test("GET messages (the patient's threads) and the clinic's unread count: one, with exactly the caller's own", async () => {
    const c = await msgClinic();
    const other = await msgPatient(c);
    const t1 = await patientThread(c.session);
    const t2 = await clinicThread(c.owner, c.patient.id);
    await patientThread(other.session);
    const list = await fewest(() => c.session.request('GET', 'messages'));
    assert.equal(list.trips, 1);
    assert.deepEqual(list.last.body.items.map((x) => [x.id, x.unread]), [[t2.id, 1], [t1.id, 0]]);
    const count = await fewest(() => c.staff.request('GET', '/api/v1/clinic/messages/unread-count'));
    assert.equal(count.trips, 1);
    assert.deepEqual(count.last.body, { threads: 2, messages: 2 });
    const poll = await fewest(() => c.staff.request('GET', '/api/v1/clinic/messages/unread-count',
      { headers: { 'if-none-match': count.last.headers.get('etag') } }), 304);
    assert.equal(poll.trips, 1);
    const anon = await fewest(() => api('GET', `/api/v1/portal/${c.clinic.code}/messages`), 401, 3);
    assert.equal(anon.trips, 1);
    assert.equal(anon.last.body.items, undefined);
  });

  test("GET clinic/messages (the staff inbox): one, with exactly the caller's clinic's threads", async () => {
    const c = await msgClinic();
    const other = await msgPatient(c);
    const t1 = await patientThread(c.session);
    const t2 = await clinicThread(c.owner, c.patient.id);
    const t3 = await patientThread(other.session);
    const d = await msgClinic();
    const theirs = await patientThread(d.session);
    const inbox = await fewest(() => c.staff.request('GET', '/api/v1/clinic/messages'));
    assert.equal(inbox.trips, 1);
    assert.deepEqual(inbox.last.body.items.map((x) => x.id), [t3.id, t2.id, t1.id]);
    for (const [query, ids] of [
      ['?unread=true', [t3.id, t1.id]], ['?limit=1', [t3.id]], ['?status=open&topic=other&assigned_to=none', null],
      [`?patient_id=${c.patient.id}`, [t2.id, t1.id]], [`?cursor=${t3.id}&limit=1`, [t2.id]],
    ]) {
      const page = await fewest(() => c.staff.request('GET', `/api/v1/clinic/messages${query}`));
      assert.equal(page.trips, 1, query);
      if (ids !== null) assert.deepEqual(page.last.body.items.map((x) => x.id), ids, query);
      assert.ok(page.last.body.items.every((x) => x.id !== theirs.id), query);
    }
    // "me" names the caller, whom nothing sent ahead knows: the statement follows the session's.
    const mine = await fewest(() => c.staff.request('GET', '/api/v1/clinic/messages?assigned_to=me'));
    assert.ok(mine.trips <= 2);
    const ours = await fewest(() => d.staff.request('GET', '/api/v1/clinic/messages'));
    assert.equal(ours.trips, 1);
    assert.deepEqual(ours.last.body.items.map((x) => x.id), [theirs.id]);
    const bad = await fewest(() => c.staff.request('GET', '/api/v1/clinic/messages?unread=maybe'), 422, 3);
    assert.equal(bad.last.body.items, undefined);
    const anon = await fewest(() => api('GET', '/api/v1/clinic/messages'), 401, 3);
    assert.ok(anon.trips <= 1);
    assert.equal(anon.last.body.items, undefined);
  });
});

describe('what rides ahead never shows what the request may not see', () => {
  const path = (code, rest) => `/api/v1/portal/${code}/${rest}`;

  test('no session, or an ended one: 401 with no rows, one round trip', async () => {
    for (const rest of ['appointments', 'appointments?scope=past', 'treatments']) {
      const anon = await fewest(() => api('GET', path(C.clinic.code, rest)), 401, 3);
      assertProblem(anon.last, 401, 'not_authenticated');
      assert.equal(anon.trips, 1);
      assert.equal(anon.last.body.items, undefined);
      const forged = await api('GET', path(C.clinic.code, rest),
        { headers: { cookie: `portal_patient=${'A'.repeat(43)}` } });
      assertProblem(forged, 401, 'not_authenticated');
      assert.equal(forged.body.items, undefined);
      assert.equal(forged.body.plans, undefined);
    }
  });

  test('a session of another clinic\'s portal is not a session here', async () => {
    const res = await api('GET', path(C.clinic.code, 'treatments'), { headers: { cookie: D.session.cookie } });
    assertProblem(res, 401, 'not_authenticated');
    assert.equal(res.body.plans, undefined);
    const own = await api('GET', path(D.clinic.code, 'appointments'), { headers: { cookie: mine.session.cookie } });
    assertProblem(own, 401, 'not_authenticated');
    assert.equal(own.body.items, undefined);
  });

  test('without the permission: 403 naming it, and nothing of the data', async () => {
    const res = await D.session.request('GET', 'treatments');
    assertProblem(res, 403, 'permission_denied');
    assert.equal(res.body.permission, 'view_treatments');
    assert.equal(res.body.plans, undefined);
    assert.equal(res.body.records, undefined);
  });

  test('a bad query is 422 for a patient, and 401 for a stranger (the order of checks holds)', async () => {
    const bad = await mine.session.request('GET', 'appointments?scope=soon&cursor=nope');
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['cursor', 'scope']);
    assertProblem(await api('GET', path(C.clinic.code, 'appointments?scope=soon')), 401, 'not_authenticated');
    const after = await fewest(() => mine.session.request('GET', 'appointments'), 200, 3);
    assert.deepEqual(after.last.body.items.map((a) => a.id), mine.upcoming);
  });
});

// A worker keeps each portal's clinic and settings columns and sends their version with the
// session's statement (sql/0036): the database answers "yours is current" or every column
// again. Whatever changes them must show on the very next request at every worker, so each
// check below asks more times than there are workers, after each worker has its copy.
describe("a worker's copy of a portal never outlives a change to it", () => {
  let E;
  const ASKS = 12;
  const everyAnswer = async (want, check) => {
    for (let i = 0; i < ASKS; i++) {
      const res = await E.session.request('GET', 'me');
      assert.equal(res.status, want, res.text);
      if (check) check(res);
    }
  };

  before(async () => {
    const clinic = makeClinic();
    const owner = await signIn(clinic.logins.owner);
    await enablePortal(owner, clinic, { permissions: ['view_profile', 'view_balance', 'make_payment'] });
    const email = uniqueEmail('copy');
    await makePatient(owner, { email });
    E = { clinic, owner, session: await signInPatient(clinic.code, email) };
    await everyAnswer(200, (res) => assert.equal(res.body.clinic.name, clinic.name));
  });

  test("the clinic's name, the settings' permissions and the payment infrastructure: the next answer has them", async () => {
    psql(`UPDATE clinics SET name = 'Renamed ${E.clinic.id}' WHERE id = '${E.clinic.id}'`);
    await everyAnswer(200, (res) => assert.equal(res.body.clinic.name, `Renamed ${E.clinic.id}`));
    psql(`UPDATE portal_settings SET permissions = ARRAY['view_profile'] WHERE clinic_id = '${E.clinic.id}'`);
    await everyAnswer(200, (res) => assert.deepEqual(res.body.permissions, ['view_profile']));
    psql(`UPDATE portal_settings SET permissions = ARRAY['view_profile', 'make_payment'] WHERE clinic_id = '${E.clinic.id}'`);
    await everyAnswer(200, (res) => assert.deepEqual(res.body.permissions, ['view_profile']));
    psql(`INSERT INTO payment_infrastructure (clinic_id, provider, active) VALUES ('${E.clinic.id}', 'devgateway', true)`);
    await everyAnswer(200, (res) => assert.deepEqual(res.body.permissions, ['view_profile', 'make_payment']));
    psql(`UPDATE payment_infrastructure SET active = false WHERE clinic_id = '${E.clinic.id}'`);
    await everyAnswer(200, (res) => assert.deepEqual(res.body.permissions, ['view_profile']));
  });

  test('the module taken away, the portal switched off, its code retired: 404 at once, and back', async () => {
    const closed = (res) => assertProblem(res, 404, 'portal_not_found');
    psql(`DELETE FROM clinic_modules WHERE clinic_id = '${E.clinic.id}'`);
    await everyAnswer(404, closed);
    psql(`INSERT INTO clinic_modules (clinic_id, module) VALUES ('${E.clinic.id}', 'patient_portal')`);
    await everyAnswer(200);
    psql(`UPDATE portal_settings SET enabled = false WHERE clinic_id = '${E.clinic.id}'`);
    await everyAnswer(404, closed);
    psql(`UPDATE portal_settings SET enabled = true WHERE clinic_id = '${E.clinic.id}'`);
    await everyAnswer(200);
    psql(`UPDATE portal_codes SET retired_at = now() WHERE code = '${E.clinic.code}'`);
    await everyAnswer(404, closed);
    psql(`UPDATE portal_codes SET retired_at = NULL WHERE code = '${E.clinic.code}'`);
    const back = await fewest(() => E.session.request('GET', 'me'), 200, ASKS);
    assert.equal(back.trips, 1);
  });

  test("the patient's access removed, the session ended: 401 at once", async () => {
    const patientId = E.session.body.patient.id;
    psql(`UPDATE patients SET portal_access = false WHERE id = '${patientId}'`);
    await everyAnswer(401, (res) => assertProblem(res, 401, 'not_authenticated'));
    psql(`UPDATE patients SET portal_access = true WHERE id = '${patientId}'`);
    await everyAnswer(200);
    psql(`DELETE FROM patient_sessions WHERE patient_id = '${patientId}'`);
    await everyAnswer(401, (res) => assertProblem(res, 401, 'not_authenticated'));
  });
});
