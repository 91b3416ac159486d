// Treatments (issue 6 item 4, DESIGN.md sections 3 and 10): treatment plans with their planned
// items (procedure, area or tooth, status, estimated cost in minor units) and treatment records
// (date, practitioner, procedure, notes for the patient). Clinic side: staff and write keys
// create and change them, read keys only read (403 forbidden_role on writes), a PATCH that
// names items replaces them all, totals leave out cancelled items, money comes with the
// clinic's currency and times with the clinic's offset, lists page with a cursor, inputs are
// checked field by field (422), another clinic's patient, plan or record ids answer 404.
// Patient side: GET treatments answers exactly the signed-in patient's own plans and records
// when view_treatments is allowed, and 403 permission_denied naming the key when it is not,
// whether the clinic's set or the patient's own set leaves it out.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { assertProblem, psql } from './lib/client.mjs';
import {
  enablePortal, makeApiKey, makeClinic, makePatient, signIn, signInPatient, uniqueEmail, withKey,
} from './lib/fixtures.mjs';

const PATIENTS = '/api/v1/clinic/patients';
const plansPath = (patientId) => `${PATIENTS}/${patientId}/treatment-plans`;
const recordsPath = (patientId) => `${PATIENTS}/${patientId}/treatment-records`;
const planPath = (id) => `/api/v1/clinic/treatment-plans/${id}`;
const recordPath = (id) => `/api/v1/clinic/treatment-records/${id}`;
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field).sort();
const OFFSET_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/; // Europe/Istanbul, the default zone

// A practitioner of the clinic (the scheduling API may not exist yet: straight into the table).
const makePractitioner = (clinicId, name) =>
  psql(`INSERT INTO practitioners (clinic_id, name) VALUES ('${clinicId}', '${name}') RETURNING id`);

const PLAN = {
  title: 'Upper jaw restoration',
  items: [
    { procedure: 'Root canal', area: '16', estimated_cost: 450000 },
    { procedure: 'Crown', area: '16', status: 'planned', estimated_cost: 300050 },
    { procedure: 'Cleaning', area: null, status: 'done', estimated_cost: 75000 },
    { procedure: 'Whitening', status: 'cancelled', estimated_cost: 999900 },
  ],
};

let A;
let B;

async function setUp({ permissions }) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const staff = await signIn(clinic.logins.staff);
  await enablePortal(owner, clinic, { permissions });
  const readKey = withKey(makeApiKey(clinic.id, 'read'));
  const writeKey = withKey(makeApiKey(clinic.id, 'read,write'));
  const p1 = await makePatient(staff, { first_name: 'Ayla', email: uniqueEmail('treat') });
  const p2 = await makePatient(staff, { first_name: 'Berk', email: uniqueEmail('treat') });
  return { clinic, owner, staff, readKey, writeKey, p1, p2 };
}

before(async () => {
  [A, B] = await Promise.all([
    setUp({ permissions: ['view_profile', 'view_treatments'] }),
    setUp({ permissions: ['view_profile'] }),
  ]);
});

describe('treatment plans, clinic side', () => {
  test('staff create a plan with items; money in minor units with the currency, total without cancelled items', async () => {
    const res = await A.staff.request('POST', plansPath(A.p1.id), { body: PLAN });
    assert.equal(res.status, 201, res.text);
    const plan = res.body;
    assert.equal(res.headers.get('location'), planPath(plan.id));
    assert.equal(plan.patient_id, A.p1.id);
    assert.equal(plan.title, PLAN.title);
    assert.equal(plan.status, 'proposed');
    assert.equal(plan.currency, 'TRY');
    assert.equal(plan.total_estimated_cost, 450000 + 300050 + 75000);
    assert.deepEqual(plan.items.map((i) => [i.procedure, i.area, i.status, i.estimated_cost]), [
      ['Root canal', '16', 'planned', 450000],
      ['Crown', '16', 'planned', 300050],
      ['Cleaning', null, 'done', 75000],
      ['Whitening', null, 'cancelled', 999900],
    ]);
    assert.match(plan.created_at, OFFSET_TS);
    assert.match(plan.updated_at, OFFSET_TS);
    const got = await A.readKey.request('GET', planPath(plan.id));
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body, plan);
    // Another currency shows as the clinic's.
    psql(`UPDATE clinics SET currency = 'EUR' WHERE id = '${A.clinic.id}'`);
    try {
      assert.equal((await A.staff.request('GET', planPath(plan.id))).body.currency, 'EUR');
    } finally {
      psql(`UPDATE clinics SET currency = 'TRY' WHERE id = '${A.clinic.id}'`);
    }
  });

  test('PATCH changes the fields given; items, when given, replace all of them', async () => {
    const created = (await A.staff.request('POST', plansPath(A.p1.id), { body: PLAN })).body;
    let res = await A.staff.request('PATCH', planPath(created.id), { body: { status: 'accepted' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'accepted');
    assert.equal(res.body.title, PLAN.title);
    assert.deepEqual(res.body.items, created.items, 'items stay when not named');

    res = await A.writeKey.request('PATCH', planPath(created.id), {
      body: { title: 'Revised', items: [{ procedure: 'Implant', area: '36', estimated_cost: 1500000 }] },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.title, 'Revised');
    assert.equal(res.body.status, 'accepted');
    assert.deepEqual(res.body.items.map((i) => [i.procedure, i.area, i.status, i.estimated_cost]),
      [['Implant', '36', 'planned', 1500000]]);
    assert.equal(res.body.total_estimated_cost, 1500000);
    assert.equal(psql(`SELECT count(*) FROM treatment_plan_items WHERE plan_id = '${created.id}'`), '1');

    res = await A.staff.request('PATCH', planPath(created.id), { body: { items: [] } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.items, []);
    assert.equal(res.body.total_estimated_cost, 0);

    // A refused replacement changes nothing (one transaction).
    res = await A.staff.request('PATCH', planPath(created.id), {
      body: { title: 'Never', items: [{ procedure: 'Ok' }, { procedure: 'Bad', estimated_cost: -1 }] },
    });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(res), ['items[1].estimated_cost']);
    const after = (await A.staff.request('GET', planPath(created.id))).body;
    assert.equal(after.title, 'Revised');
    assert.deepEqual(after.items, []);
  });

  test('a plan is checked field by field', async () => {
    const cases = [
      [{}, ['title']],
      [{ title: '   ' }, ['title']],
      [{ title: 'x'.repeat(201) }, ['title']],
      [{ title: 'Ok', status: 'maybe' }, ['status']],
      [{ title: 'Ok', colour: 'red' }, ['colour']],
      [{ title: 'Ok', items: {} }, ['items']],
      [{ title: 'Ok', items: Array.from({ length: 101 }, () => ({ procedure: 'p' })) }, ['items']],
      [{ title: 'Ok', items: ['scaling'] }, ['items[0]']],
      [{ title: 'Ok', items: [{ area: '11' }] }, ['items[0].procedure']],
      [{ title: 'Ok', items: [{ procedure: 'p', estimated_cost: 12.5 }] }, ['items[0].estimated_cost']],
      [{ title: 'Ok', items: [{ procedure: 'p', estimated_cost: '100' }] }, ['items[0].estimated_cost']],
      [{ title: 'Ok', items: [{ procedure: 'p', estimated_cost: 100000000001 }] }, ['items[0].estimated_cost']],
      [{ title: 'Ok', items: [{ procedure: 'p', area: 'a'.repeat(51) }] }, ['items[0].area']],
      [{ title: 'Ok', items: [{ procedure: 'p', status: 'started' }] }, ['items[0].status']],
      [{ title: 'Ok', items: [{ procedure: 'p', tooth: '11' }] }, ['items[0].tooth']],
      [{ title: 'Tab\there' }, ['title']],
    ];
    for (const [body, fields] of cases) {
      const res = await A.staff.request('POST', plansPath(A.p2.id), { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body).slice(0, 80));
      assert.deepEqual(fieldsOf(res), fields, JSON.stringify(body).slice(0, 80));
    }
    // 100 items is the limit, not over it.
    const hundred = await A.staff.request('POST', plansPath(A.p2.id),
      { body: { title: 'Many', items: Array.from({ length: 100 }, (_, i) => ({ procedure: `p${i}`, estimated_cost: 1 })) } });
    assert.equal(hundred.status, 201, hundred.text);
    assert.equal(hundred.body.items.length, 100);
    assert.equal(hundred.body.total_estimated_cost, 100);
    assert.deepEqual(hundred.body.items.map((i) => i.procedure).slice(0, 3), ['p0', 'p1', 'p2']);
  });

  test('plans list newest first, page with a cursor, and check limit and cursor', async () => {
    const patient = await makePatient(A.staff);
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const res = await A.staff.request('POST', plansPath(patient.id), { body: { title: `Plan ${i}` } });
      assert.equal(res.status, 201, res.text);
      ids.push(res.body.id);
    }
    const first = await A.readKey.request('GET', `${plansPath(patient.id)}?limit=2`);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body.items.map((p) => p.id), [ids[2], ids[1]]);
    assert.ok(first.body.next_cursor);
    const second = await A.readKey.request('GET', `${plansPath(patient.id)}?limit=2&cursor=${first.body.next_cursor}`);
    assert.deepEqual(second.body.items.map((p) => p.id), [ids[0]]);
    assert.equal(second.body.next_cursor, null);
    assertProblem(await A.staff.request('GET', `${plansPath(patient.id)}?limit=101`), 422, 'validation_failed');
    assertProblem(await A.staff.request('GET', `${plansPath(patient.id)}?cursor=nope`), 422, 'validation_failed');
  });
});

describe('treatment records, clinic side', () => {
  test('records carry date, practitioner, procedure, area and notes; latest first', async () => {
    const drId = makePractitioner(A.clinic.id, 'Dr. Deniz Kaya');
    const patient = await makePatient(A.staff);
    const older = await A.staff.request('POST', recordsPath(patient.id), {
      body: { performed_on: '2026-03-02', procedure: 'Filling', area: '24', practitioner_id: drId,
        notes_for_patient: 'Avoid hot drinks today.\nCall us if it hurts.' },
    });
    assert.equal(older.status, 201, older.text);
    assert.equal(older.headers.get('location'), recordPath(older.body.id));
    assert.deepEqual(
      { ...older.body, id: undefined, created_at: undefined, updated_at: undefined },
      { id: undefined, patient_id: patient.id, performed_on: '2026-03-02', practitioner: { id: drId, name: 'Dr. Deniz Kaya' },
        procedure: 'Filling', area: '24', notes_for_patient: 'Avoid hot drinks today.\nCall us if it hurts.',
        created_at: undefined, updated_at: undefined },
    );
    assert.match(older.body.created_at, OFFSET_TS);
    const newer = await A.writeKey.request('POST', recordsPath(patient.id),
      { body: { performed_on: '2026-04-10', procedure: 'Check-up' } });
    assert.equal(newer.status, 201, newer.text);
    assert.equal(newer.body.practitioner, null);
    assert.equal(newer.body.area, null);
    assert.equal(newer.body.notes_for_patient, '');

    const list = await A.readKey.request('GET', recordsPath(patient.id));
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body.items.map((r) => r.id), [newer.body.id, older.body.id]);
    const page = await A.readKey.request('GET', `${recordsPath(patient.id)}?limit=1`);
    assert.deepEqual(page.body.items.map((r) => r.id), [newer.body.id]);
    const rest = await A.readKey.request('GET', `${recordsPath(patient.id)}?limit=1&cursor=${page.body.next_cursor}`);
    assert.deepEqual(rest.body.items.map((r) => r.id), [older.body.id]);
    assert.equal(rest.body.next_cursor, null);

    // PATCH: the fields given; practitioner null takes the practitioner off.
    const patched = await A.staff.request('PATCH', recordPath(older.body.id),
      { body: { practitioner_id: null, notes_for_patient: 'Updated note', area: '' } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.practitioner, null);
    assert.equal(patched.body.notes_for_patient, 'Updated note');
    assert.equal(patched.body.area, null);
    assert.equal(patched.body.procedure, 'Filling');
    assert.equal(patched.body.performed_on, '2026-03-02');
  });

  test('a record is checked field by field; another clinic\'s practitioner is refused', async () => {
    const foreignDr = makePractitioner(B.clinic.id, 'Dr. Other');
    const ok = { performed_on: '2026-01-15', procedure: 'X-ray' };
    const cases = [
      [{}, ['performed_on', 'procedure']],
      [{ ...ok, performed_on: '2026-02-30' }, ['performed_on']],
      [{ ...ok, performed_on: '15.01.2026' }, ['performed_on']],
      [{ ...ok, performed_on: '1899-12-31' }, ['performed_on']],
      [{ ...ok, procedure: '' }, ['procedure']],
      [{ ...ok, practitioner_id: 'dr-who' }, ['practitioner_id']],
      [{ ...ok, practitioner_id: randomUUID() }, ['practitioner_id']],
      [{ ...ok, practitioner_id: foreignDr }, ['practitioner_id']],
      [{ ...ok, notes_for_patient: 'n'.repeat(2001) }, ['notes_for_patient']],
      [{ ...ok, notes_for_patient: 42 }, ['notes_for_patient']],
      [{ ...ok, area: 'a'.repeat(51) }, ['area']],
      [{ ...ok, dentist: 'me' }, ['dentist']],
    ];
    for (const [body, fields] of cases) {
      const res = await A.staff.request('POST', recordsPath(A.p2.id), { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body).slice(0, 80));
      assert.deepEqual(fieldsOf(res), fields, JSON.stringify(body).slice(0, 80));
    }
    const leap = await A.staff.request('POST', recordsPath(A.p2.id),
      { body: { ...ok, performed_on: '2028-02-29', notes_for_patient: 'n'.repeat(2000) } });
    assert.equal(leap.status, 201, leap.text);
    const bad = await A.staff.request('PATCH', recordPath(leap.body.id), { body: { practitioner_id: foreignDr } });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(bad), ['practitioner_id']);
  });
});

describe('who may write', () => {
  test('a read key reads but cannot write (403 forbidden_role); staff and write keys write', async () => {
    const plan = (await A.staff.request('POST', plansPath(A.p1.id), { body: { title: 'Roles' } })).body;
    const record = (await A.staff.request('POST', recordsPath(A.p1.id),
      { body: { performed_on: '2026-05-01', procedure: 'Roles' } })).body;
    for (const [method, path, body] of [
      ['POST', plansPath(A.p1.id), { title: 'Nope' }],
      ['PATCH', planPath(plan.id), { title: 'Nope' }],
      ['POST', recordsPath(A.p1.id), { performed_on: '2026-05-01', procedure: 'Nope' }],
      ['PATCH', recordPath(record.id), { procedure: 'Nope' }],
    ]) {
      assertProblem(await A.readKey.request(method, path, { body }), 403, 'forbidden_role', `${method} ${path}`);
    }
    for (const path of [plansPath(A.p1.id), planPath(plan.id), recordsPath(A.p1.id)]) {
      assert.equal((await A.readKey.request('GET', path)).status, 200, path);
    }
    assert.equal((await A.staff.request('GET', planPath(plan.id))).body.title, 'Roles');
    assert.equal((await A.writeKey.request('PATCH', recordPath(record.id), { body: { procedure: 'Key' } })).status, 200);
  });

  test("another clinic's patients, plans and records answer 404 like unknown ones", async () => {
    const bPlan = (await B.staff.request('POST', plansPath(B.p1.id), { body: PLAN })).body;
    const bRecord = (await B.staff.request('POST', recordsPath(B.p1.id),
      { body: { performed_on: '2026-05-01', procedure: 'Secret B' } })).body;
    for (const requester of [A.staff, A.writeKey]) {
      for (const [method, path, body] of [
        ['GET', plansPath(B.p1.id)],
        ['POST', plansPath(B.p1.id), { title: 'Hijack' }],
        ['GET', recordsPath(B.p1.id)],
        ['POST', recordsPath(B.p1.id), { performed_on: '2026-05-01', procedure: 'Hijack' }],
        ['GET', planPath(bPlan.id)],
        ['PATCH', planPath(bPlan.id), { title: 'Hijack', items: [] }],
        ['PATCH', recordPath(bRecord.id), { procedure: 'Hijack' }],
        ['GET', planPath(randomUUID())],
        ['PATCH', recordPath('not-an-id'), { procedure: 'Hijack' }],
      ]) {
        const res = await requester.request(method, path, { body });
        assertProblem(res, 404, 'not_found', `${method} ${path}`);
        assert.ok(!res.text.includes('Secret B') && !res.text.includes(B.clinic.name), 'leaks B');
      }
    }
    const still = await B.staff.request('GET', planPath(bPlan.id));
    assert.equal(still.body.title, PLAN.title);
    assert.equal(still.body.items.length, PLAN.items.length);
    assert.equal((await B.staff.request('GET', recordsPath(B.p1.id))).body.items[0].procedure, 'Secret B');
  });
});

describe('the patient side: GET treatments', () => {
  test('each patient sees exactly their own plans and records', async () => {
    const patient = await makePatient(A.staff, { email: uniqueEmail('own') });
    const other = await makePatient(A.staff, { email: uniqueEmail('other') });
    const mine = [
      (await A.staff.request('POST', plansPath(patient.id), { body: PLAN })).body,
      (await A.staff.request('POST', plansPath(patient.id), { body: { title: 'Second', status: 'accepted' } })).body,
    ];
    const myRecord = (await A.staff.request('POST', recordsPath(patient.id),
      { body: { performed_on: '2026-02-01', procedure: 'Scaling', notes_for_patient: 'Brush twice a day.' } })).body;
    const theirs = (await A.staff.request('POST', plansPath(other.id), { body: { title: 'Not yours' } })).body;
    const theirRecord = (await A.staff.request('POST', recordsPath(other.id),
      { body: { performed_on: '2026-02-02', procedure: 'Not yours either' } })).body;

    const s = await signInPatient(A.clinic.code, patient.email);
    const res = await s.request('GET', 'treatments');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.plans.map((p) => p.id), [mine[1].id, mine[0].id]);
    assert.deepEqual(res.body.plans[1], mine[0], 'the plan as the clinic sees it, items and total included');
    assert.equal(res.body.plans[1].total_estimated_cost, 825050);
    assert.equal(res.body.plans[1].currency, 'TRY');
    assert.deepEqual(res.body.records, [myRecord]);
    for (const secret of [theirs.id, theirRecord.id, other.id, 'Not yours']) {
      assert.ok(!res.text.includes(secret), `another patient's ${secret} leaked`);
    }

    const t = await signInPatient(A.clinic.code, other.email);
    const theirView = await t.request('GET', 'treatments');
    assert.equal(theirView.status, 200, theirView.text);
    assert.deepEqual(theirView.body.plans.map((p) => p.id), [theirs.id]);
    assert.deepEqual(theirView.body.records.map((r) => r.id), [theirRecord.id]);

    // Nothing recorded yet: empty lists.
    const empty = await makePatient(A.staff, { email: uniqueEmail('empty') });
    const e = await signInPatient(A.clinic.code, empty.email);
    const none = await e.request('GET', 'treatments');
    assert.deepEqual(none.body, { plans: [], records: [] });
  });

  test('view_treatments: allowed when granted, 403 permission_denied naming the key when not (clinic set and own set)', async () => {
    // B's clinic set leaves view_treatments out.
    const bPatient = await makePatient(B.staff, { email: uniqueEmail('b') });
    await B.staff.request('POST', plansPath(bPatient.id), { body: { title: 'Hidden' } });
    const bs = await signInPatient(B.clinic.code, bPatient.email);
    let res = await bs.request('GET', 'treatments');
    assertProblem(res, 403, 'permission_denied', 'clinic set without the key');
    assert.equal(res.body.permission, 'view_treatments');
    assert.ok(!res.text.includes('Hidden'));

    // A patient's own set with the key, in B's clinic: allowed.
    let put = await B.owner.request('PUT', `${PATIENTS}/${bPatient.id}/portal-permissions`,
      { body: { mode: 'custom', permissions: ['view_profile', 'view_treatments'] } });
    assert.equal(put.status, 200, put.text);
    res = await bs.request('GET', 'treatments');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.plans.map((p) => p.title), ['Hidden']);

    // In A (whose clinic set has the key) a patient's own set without it: refused.
    const aPatient = await makePatient(A.staff, { email: uniqueEmail('a') });
    const as = await signInPatient(A.clinic.code, aPatient.email);
    assert.equal((await as.request('GET', 'treatments')).status, 200);
    put = await A.owner.request('PUT', `${PATIENTS}/${aPatient.id}/portal-permissions`,
      { body: { mode: 'custom', permissions: ['view_profile'] } });
    assert.equal(put.status, 200, put.text);
    res = await as.request('GET', 'treatments');
    assertProblem(res, 403, 'permission_denied', 'own set without the key');
    assert.equal(res.body.permission, 'view_treatments');
    // Back to following the clinic: allowed again, on the next request.
    put = await A.owner.request('PUT', `${PATIENTS}/${aPatient.id}/portal-permissions`, { body: { mode: 'clinic' } });
    assert.equal(put.status, 200, put.text);
    assert.equal((await as.request('GET', 'treatments')).status, 200);
  });

  test('without a session: 401; with another portal\'s code: 404 portal_not_found', async () => {
    const { api } = await import('./lib/client.mjs');
    assertProblem(await api('GET', `/api/v1/portal/${A.clinic.code}/treatments`), 401, 'not_authenticated');
    const patient = await makePatient(A.staff, { email: uniqueEmail('cross') });
    const s = await signInPatient(A.clinic.code, patient.email);
    // A's cookie sent to B's portal is no session there.
    const res = await api('GET', `/api/v1/portal/${B.clinic.code}/treatments`, { headers: { cookie: s.cookie } });
    assertProblem(res, 401, 'not_authenticated');
  });
});

describe('row-level security as portal_app', () => {
  test('with a clinic set only its plans, items and records show; with none, nothing', async () => {
    await B.staff.request('POST', plansPath(B.p2.id), { body: PLAN });
    await B.staff.request('POST', recordsPath(B.p2.id), { body: { performed_on: '2026-01-03', procedure: 'RLS' } });
    const tables = ['treatment_plans', 'treatment_plan_items', 'treatment_records'];
    const seen = (clinicId) => psql([
      'BEGIN',
      ...(clinicId ? [`SELECT set_config('portal.clinic_id', '${clinicId}', true)`] : []),
      ...tables.map((t) => `SELECT '${t}=' || coalesce(string_agg(DISTINCT clinic_id::text, ','), '') FROM ${t}`),
      'ROLLBACK',
    ].join('; '), { user: 'portal_app' }).split('\n').filter((l) => l.includes('='));
    for (const [clinic, expected] of [[B.clinic.id, B.clinic.id], [null, '']]) {
      const lines = seen(clinic).filter((l) => !/^[0-9a-f-]{36}$/.test(l));
      assert.deepEqual(lines, tables.map((t) => `${t}=${expected}`), `as portal_app with clinic ${clinic}`);
    }
  });
});

describe('audit', () => {
  test('every change adds one audit row with its action; reads add none', async () => {
    const count = () => Number(psql(`SELECT count(*) FROM audit_log WHERE clinic_id = '${A.clinic.id}'`));
    const actions = (n) => psql(`SELECT action FROM audit_log WHERE clinic_id = '${A.clinic.id}' ORDER BY id DESC LIMIT ${n}`)
      .split('\n').reverse();
    const start = count();
    const plan = (await A.staff.request('POST', plansPath(A.p1.id), { body: PLAN })).body;
    await A.staff.request('PATCH', planPath(plan.id), { body: { items: [] } });
    const record = (await A.staff.request('POST', recordsPath(A.p1.id),
      { body: { performed_on: '2026-05-02', procedure: 'Audited' } })).body;
    await A.staff.request('PATCH', recordPath(record.id), { body: { procedure: 'Audited again' } });
    await A.staff.request('GET', planPath(plan.id));
    await A.staff.request('GET', recordsPath(A.p1.id));
    assert.equal(count(), start + 4);
    assert.deepEqual(actions(4), ['treatment_plan.create', 'treatment_plan.update', 'treatment_record.create',
      'treatment_record.update']);
    const row = JSON.parse(psql(`SELECT row_to_json(a) FROM audit_log a WHERE clinic_id = '${A.clinic.id}'
      AND action = 'treatment_plan.update' AND target_id = '${plan.id}'`));
    assert.equal(row.before.items.length, PLAN.items.length);
    assert.deepEqual(row.after.items, []);
    assert.equal(row.actor_type, 'staff');
  });
});
