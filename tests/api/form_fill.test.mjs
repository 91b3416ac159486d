// Forms, the patient's side (issue 15, DESIGN.md section 15). Per permission: view_forms and
// submit_forms each granted or refused with 403 permission_denied naming the key, by the
// clinic's set and by the patient's own set. The list shows the forms assigned to the patient
// or available to all, with their state, in the patient's language; a form comes localized
// with their draft. The server judges a submission against its exact version: every item type
// checked (type, bounds, length, options) with every problem at once, named by link_id; a
// required item counts only while enabled, answers to disabled items are dropped, a consent
// must be ticked; an unknown link_id (another form's) is refused. A draft is kept on the server
// (another session reads it) and checked for shape only. A new version makes a stale draft's
// submission 409 form_version_changed with current_version. Another patient's or clinic's form
// (and an archived or unassigned one) answers 404 alike on every route. Markup in answers is
// kept as text. Submissions are limited per patient and form per day (429) and audited without
// their answers. GET forms and GET forms/{id} cost one database round trip (Server-Timing).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { assertProblem, psql } from './lib/client.mjs';
import { signInPatient } from './lib/fixtures.mjs';
import {
  FORM_KEYS, archive, both, everyTypeAnswers, everyTypeDefinition, formClinic, formPatient, makeForm,
  medsDefinition, republish,
} from './lib/form_fill.mjs';

let A;
let B;

before(async () => {
  A = await formClinic({ patients: 2 });
  B = await formClinic();
});

const submit = (s, id, version, answers) => s.request('POST', `forms/${id}/submissions`, { body: { version, answers } });
const saveDraft = (s, id, version, answers) => s.request('PUT', `forms/${id}/draft`, { body: { version, answers } });
// The problems of a 422 answer as {field: message}.
const problems = (res) => Object.fromEntries(res.body.errors.map((e) => [e.field, e.message]));

describe('permissions', () => {
  async function callsOf(c) {
    const form = await makeForm(c, medsDefinition(), { all: true });
    return {
      view_forms: [['GET', 'forms', 200], ['GET', `forms/${form.id}`, 200]],
      submit_forms: [['PUT', `forms/${form.id}/draft`, 200, { version: 1, answers: { meds: false } }],
        ['DELETE', `forms/${form.id}/draft`, 204],
        ['POST', `forms/${form.id}/submissions`, 201, { version: 1, answers: { meds: false } }]],
    };
  }
  const call = (s, [method, rest, , body]) => s.request(method, rest, body ? { body } : {});

  test('by the clinic set: each key granted answers, each key missing is 403 naming it', async () => {
    const refused = await formClinic({ permissions: ['view_profile'] });
    const granted = await callsOf(A);
    const refusedCalls = await callsOf(refused);
    for (const key of FORM_KEYS) {
      for (const c of granted[key]) {
        const res = await call(A.session, c);
        assert.equal(res.status, c[2], `${key} ${c[0]} ${c[1]}: ${res.text}`);
      }
      for (const c of refusedCalls[key]) {
        const res = await call(refused.session, c);
        assertProblem(res, 403, 'permission_denied', `${key} ${c[0]} ${c[1]}`);
        assert.equal(res.body.permission, key);
      }
    }
  });

  test("by the patient's own set: a custom set without a key refuses it, one with it grants it", async () => {
    const c = await formClinic();
    const calls = await callsOf(c);
    for (const key of FORM_KEYS) {
      const others = FORM_KEYS.filter((k) => k !== key);
      const put = await c.owner.request('PUT', `/api/v1/clinic/patients/${c.patient.id}/portal-permissions`,
        { body: { mode: 'custom', permissions: ['view_profile', ...others] } });
      assert.equal(put.status, 200, put.text);
      for (const k of FORM_KEYS) {
        for (const x of calls[k]) {
          const res = await call(c.session, x);
          if (k === key) {
            assertProblem(res, 403, 'permission_denied', `${k} ${x[0]} ${x[1]}`);
            assert.equal(res.body.permission, k);
          } else {
            assert.equal(res.status, x[2], `${k} ${x[0]} ${x[1]}: ${res.text}`);
          }
        }
      }
    }
  });
});

describe('the list and a form', () => {
  test('the list holds the forms assigned to the patient or available to all, with their state, in their language', async () => {
    const c = await formClinic({ patients: 2 });
    const [me, other] = c.patients;
    const english = await formPatient(c, { language: 'en' });
    const all = await makeForm(c, medsDefinition('Herkese'), { all: true });
    const mine = await makeForm(c, medsDefinition('Bana'), { assign: [me.patient.id] });
    const theirs = await makeForm(c, medsDefinition('Ona'), { assign: [other.patient.id] });
    const gone = await makeForm(c, medsDefinition('Arşiv'), { all: true });
    await archive(c, gone.id);

    let res = await me.session.request('GET', 'forms');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.items.map((f) => f.id).sort(), [all.id, mine.id].sort());
    const item = res.body.items.find((f) => f.id === mine.id);
    assert.deepEqual(item, {
      id: mine.id, version: 1, title: 'Bana', description: 'Randevudan önce doldurun.', item_count: 2,
      state: 'not_started', draft_saved_at: null, submitted_at: null,
    });
    res = await english.session.request('GET', 'forms');
    assert.deepEqual(res.body.items.map((f) => [f.id, f.title, f.description]),
      [[all.id, 'Health form', 'Fill in before your visit.']]);
    res = await other.session.request('GET', 'forms');
    assert.deepEqual(res.body.items.map((f) => f.id).sort(), [all.id, theirs.id].sort());

    // A draft first, then a submission: states draft, submitted; not started and drafts first.
    assert.equal((await saveDraft(me.session, mine.id, 1, { meds: true })).status, 200);
    assert.equal((await submit(me.session, all.id, 1, { meds: false })).status, 201);
    res = await me.session.request('GET', 'forms');
    assert.deepEqual(res.body.items.map((f) => [f.id, f.state]), [[mine.id, 'draft'], [all.id, 'submitted']]);
    assert.match(res.body.items[0].draft_saved_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(res.body.items[1].submitted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('a form comes in the patient language with its items, conditions and options, and the draft', async () => {
    const c = await formClinic();
    const english = await formPatient(c, { language: 'en' });
    const form = await makeForm(c, everyTypeDefinition(), { all: true });
    let res = await english.session.request('GET', `forms/${form.id}`);
    assert.equal(res.status, 200, res.text);
    const f = res.body;
    assert.equal(f.id, form.id);
    assert.equal(f.version, 1);
    assert.equal(f.title, 'Every type');
    assert.equal(f.description, 'Description');
    assert.equal(f.state, 'not_started');
    assert.equal(f.draft, null);
    assert.equal(f.submitted_at, null);
    assert.deepEqual(f.items.map((i) => i.link_id), everyTypeDefinition().items.map((i) => i.link_id));
    const blood = f.items.find((i) => i.link_id === 'blood');
    assert.equal(blood.text, 'Blood group');
    assert.deepEqual(blood.options.map((o) => [o.value, o.text]), [['a', 'A'], ['b', 'B']]);
    const group = f.items.find((i) => i.link_id === 'smoking');
    assert.deepEqual(group.enable_when, [{ question: 'smoker', operator: '=', answer: true }]);
    assert.equal(group.items[0].text, 'How many a day?');
    res = await c.session.request('GET', `forms/${form.id}`);
    assert.equal(res.body.title, 'Her tür');
    assert.equal(res.body.items.find((i) => i.link_id === 'smoking').items[0].text, 'Günde kaç tane?');
  });
});

describe('validation of a submission', () => {
  let form;
  before(async () => {
    form = await makeForm(A, everyTypeDefinition(), { all: true });
  });

  test('a complete answer set is accepted; the answers kept are the enabled, answered ones, strings trimmed', async () => {
    const res = await submit(A.session, form.id, 1, { ...everyTypeAnswers(), name: '  Ayşe  ', notes: '' });
    assert.equal(res.status, 201, res.text);
    const { notes, ...expected } = everyTypeAnswers();
    assert.equal(notes.length > 0, true);
    assert.deepEqual(res.body.answers, { ...expected, name: 'Ayşe' });
    assert.equal(res.body.form_id, form.id);
    assert.equal(res.body.version, 1);
    assert.deepEqual(res.body.consents, [{ link_id: 'consent', text: 'Bilgilerimin doğru olduğunu onaylıyorum.' }]);
    const stored = JSON.parse(psql(`SELECT json_build_object('answers', answers, 'consents', consents, 'language', language,
      'status', status) FROM form_submissions WHERE id = '${res.body.id}'`));
    assert.deepEqual(stored, { answers: res.body.answers, consents: res.body.consents, language: 'tr', status: 'submitted' });
  });

  test('every item type wrong at once: each problem named by its link_id, nothing stored', async () => {
    const before = psql(`SELECT count(*) FROM form_submissions WHERE form_id = '${form.id}'`);
    const res = await submit(A.session, form.id, 1, {
      smoker: 'yes', // boolean: a string
      age: 12.5, // integer: not whole
      weight: 500, // decimal: above max
      last_visit: '2026-02-30', // date: no such day
      name: 'x'.repeat(21), // string: past max_length
      notes: 'y'.repeat(51), // text: past max_length
      blood: 'o', // choice: unknown option
      allergies: ['latex', 'pollen'], // multi_choice: unknown option
      consent: false, // consent: unticked
    });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(Object.keys(problems(res)).sort(),
      ['age', 'allergies', 'blood', 'consent', 'last_visit', 'name', 'notes', 'smoker', 'weight']);
    assert.match(problems(res).weight, /1\.5 to 400\.25/);
    assert.match(problems(res).blood, /a, b/);
    assert.match(problems(res).consent, /ticked/);
    assert.equal(psql(`SELECT count(*) FROM form_submissions WHERE form_id = '${form.id}'`), before);
  });

  test('bounds, types and shapes: more wrong answers, each refused', async () => {
    const cases = [
      ['age', -1], ['age', 131], ['age', '41'], ['weight', 1.4], ['weight', 'heavy'], ['last_visit', '1989-12-31'],
      ['last_visit', '01.03.2026'], ['last_visit', 20260301], ['name', 42], ['name', 'a\u0007b'], ['blood', ['a']],
      ['allergies', 'latex'], ['allergies', ['latex', 'latex']], ['allergies', ['latex', 'penicillin', 'x']],
      ['allergies', [1]], ['consent', 'yes'], ['smoker', 1],
    ];
    for (const [key, value] of cases) {
      const res = await submit(A.session, form.id, 1, { ...everyTypeAnswers(), [key]: value });
      assertProblem(res, 422, 'validation_failed', `${key}: ${JSON.stringify(value)}`);
      assert.deepEqual(Object.keys(problems(res)), [key], `${key}: ${JSON.stringify(value)}: ${res.text}`);
    }
  });

  test('required items missing are named; a required item counts only while enabled', async () => {
    let res = await submit(A.session, form.id, 1, {});
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(problems(res), {
      smoker: 'Required.', age: 'Required.', name: 'Required.', blood: 'Required.',
      consent: 'Must be ticked to submit the form.',
    });
    // per_day (in the smoking group) is required while smoker is true, and only then.
    res = await submit(A.session, form.id, 1, { ...everyTypeAnswers(), smoker: true });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(problems(res), { per_day: 'Required.' });
    res = await submit(A.session, form.id, 1, { ...everyTypeAnswers(), smoker: true, per_day: 10 });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.answers.per_day, 10);
  });

  test('answers to disabled items are dropped, not judged by their bounds', async () => {
    const res = await submit(A.session, form.id, 1, { ...everyTypeAnswers(), smoker: false, per_day: 1000 });
    assert.equal(res.status, 201, res.text);
    assert.equal('per_day' in res.body.answers, false);
    const stored = JSON.parse(psql(`SELECT answers FROM form_submissions WHERE id = '${res.body.id}'`));
    assert.equal('per_day' in stored, false);
  });

  test('blank text, null and [] are no answer', async () => {
    const res = await submit(A.session, form.id, 1, {
      ...everyTypeAnswers(), notes: '   ', weight: null, allergies: [], last_visit: null,
    });
    assert.equal(res.status, 201, res.text);
    for (const k of ['notes', 'weight', 'allergies', 'last_visit']) assert.equal(k in res.body.answers, false, k);
    const blank = await submit(A.session, form.id, 1, { ...everyTypeAnswers(), name: '  ' });
    assert.deepEqual(problems(blank), { name: 'Required.' });
  });

  test('an unknown link_id, a display or group id, and a forged submission of another form\'s link_ids are refused', async () => {
    const other = await makeForm(A, medsDefinition(), { all: true });
    let res = await submit(A.session, form.id, 1, { ...everyTypeAnswers(), shoe_size: 42, intro: 'x', smoking: true });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(Object.keys(problems(res)).sort(), ['intro', 'shoe_size', 'smoking']);
    assert.equal(problems(res).shoe_size, 'Unknown field.');
    // The other form's answers sent to this form (and this form's to the other).
    res = await submit(A.session, form.id, 1, { meds: true, meds_which: 'Aspirin' });
    assertProblem(res, 422, 'validation_failed');
    assert.equal(problems(res).meds, 'Unknown field.');
    assert.equal(problems(res).meds_which, 'Unknown field.');
    res = await submit(A.session, other.id, 1, everyTypeAnswers());
    assertProblem(res, 422, 'validation_failed');
    assert.equal(problems(res).age, 'Unknown field.');
  });

  test('the body: version and answers required, unknown members refused', async () => {
    let res = await A.session.request('POST', `forms/${form.id}/submissions`, { body: { answers: everyTypeAnswers() } });
    assertProblem(res, 422, 'validation_failed');
    assert.equal(problems(res).version, 'Required.');
    res = await A.session.request('POST', `forms/${form.id}/submissions`, { body: { version: 1 } });
    assert.equal(problems(res).answers, 'Required.');
    res = await A.session.request('POST', `forms/${form.id}/submissions`, { body: { version: 1, answers: [] } });
    assert.equal(problems(res).answers, 'Must be an object.');
    res = await A.session.request('POST', `forms/${form.id}/submissions`,
      { body: { version: 1, answers: everyTypeAnswers(), status: 'reviewed' } });
    assert.equal(problems(res).status, 'Unknown field.');
  });

  test('markup in answers is kept as text, byte for byte', async () => {
    const xss = '<img src=x onerror=alert(1)>';
    const res = await submit(A.session, form.id, 1, { ...everyTypeAnswers(), name: '<b>x</b>', notes: `${xss}\n"'&` });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.answers.notes, `${xss}\n"'&`);
    assert.equal(res.body.answers.name, '<b>x</b>');
    const stored = JSON.parse(psql(`SELECT answers FROM form_submissions WHERE id = '${res.body.id}'`));
    assert.equal(stored.notes, `${xss}\n"'&`);
  });

  test('a consent kept in the words the patient read: English for an English-speaking patient', async () => {
    const english = await formPatient(A, { language: 'en' });
    const res = await submit(english.session, form.id, 1, everyTypeAnswers());
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.consents, [{ link_id: 'consent', text: 'I confirm my answers are true.' }]);
    assert.equal(psql(`SELECT language FROM form_submissions WHERE id = '${res.body.id}'`), 'en');
  });
});

describe('drafts', () => {
  test('saved on the server, read from another session (another device), replaced, removed by a submission', async () => {
    const c = await formClinic();
    const form = await makeForm(c, everyTypeDefinition(), { assign: [c.patient.id] });
    let res = await saveDraft(c.session, form.id, 1, { smoker: true, name: '  Ay  ', per_day: 5000, blood: 'z' });
    assert.equal(res.status, 200, res.text);
    // Shape only: out of bounds, unknown option and required items are fine in a draft.
    assert.deepEqual(res.body.answers, { smoker: true, name: 'Ay', per_day: 5000, blood: 'z' });
    assert.equal(res.body.version, 1);
    assert.match(res.body.saved_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const other = await formPatient(c);
    // The same patient signed in again: another session, as on another device.
    const again = await signInPatient(c.clinic.code, c.patients[0].email);
    res = await again.request('GET', `forms/${form.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.state, 'draft');
    assert.deepEqual(res.body.draft.answers, { smoker: true, name: 'Ay', per_day: 5000, blood: 'z' });
    assert.equal(res.body.draft.version, 1);
    assert.match(res.body.draft.saved_at, /Z$/);
    res = await other.session.request('GET', `forms/${form.id}`);
    assertProblem(res, 404, 'not_found', 'not assigned to the other patient');

    res = await saveDraft(again, form.id, 1, { name: 'Ayşe' });
    assert.deepEqual(res.body.answers, { name: 'Ayşe' });
    res = await submit(c.session, form.id, 1, everyTypeAnswers());
    assert.equal(res.status, 201, res.text);
    res = await again.request('GET', `forms/${form.id}`);
    assert.equal(res.body.draft, null);
    assert.equal(res.body.state, 'submitted');
    assert.match(res.body.submitted_at, /Z$/);
  });

  test('a draft is checked for shape: unknown link_ids, wrong types and lengths are refused, all at once', async () => {
    const c = await formClinic();
    const form = await makeForm(c, everyTypeDefinition(), { all: true });
    const res = await saveDraft(c.session, form.id, 1, {
      nope: 1, smoker: 'no', age: 1.5, name: 'x'.repeat(21), allergies: 'latex', last_visit: 'yesterday',
    });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(Object.keys(problems(res)).sort(), ['age', 'allergies', 'last_visit', 'name', 'nope', 'smoker']);
    assert.equal(psql(`SELECT count(*) FROM form_drafts WHERE form_id = '${form.id}'`), '0');
  });

  test('DELETE removes the draft; without one it is still 204', async () => {
    const c = await formClinic();
    const form = await makeForm(c, medsDefinition(), { all: true });
    assert.equal((await saveDraft(c.session, form.id, 1, { meds: true })).status, 200);
    let res = await c.session.request('DELETE', `forms/${form.id}/draft`);
    assert.equal(res.status, 204);
    assert.equal((await c.session.request('GET', `forms/${form.id}`)).body.draft, null);
    res = await c.session.request('DELETE', `forms/${form.id}/draft`);
    assert.equal(res.status, 204);
  });
});

describe('versions', () => {
  test('a draft made on version 1, the form republished as version 2: submitting it is 409 with current_version', async () => {
    const c = await formClinic();
    const form = await makeForm(c, medsDefinition(), { all: true });
    assert.equal((await saveDraft(c.session, form.id, 1, { meds: true, meds_which: 'Aspirin' })).status, 200);
    const def2 = medsDefinition();
    def2.items.push({ link_id: 'smoker', type: 'boolean', text: both('Sigara?', 'Smoker?') });
    await republish(c, form.id, def2);

    let res = await submit(c.session, form.id, 1, { meds: true, meds_which: 'Aspirin' });
    assertProblem(res, 409, 'form_version_changed');
    assert.equal(res.body.current_version, 2);
    res = await saveDraft(c.session, form.id, 1, { meds: true });
    assertProblem(res, 409, 'form_version_changed');
    assert.equal(res.body.current_version, 2);

    // The form shows version 2 and the version-1 draft, whose answers the app carries over.
    res = await c.session.request('GET', `forms/${form.id}`);
    assert.equal(res.body.version, 2);
    assert.equal(res.body.draft.version, 1);
    assert.deepEqual(res.body.items.map((i) => i.link_id), ['meds', 'meds_which', 'smoker']);
    res = await submit(c.session, form.id, 2, { meds: true, meds_which: 'Aspirin', smoker: false });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.version, 2);
    assert.equal(psql(`SELECT version FROM form_submissions WHERE id = '${res.body.id}'`), '2');
  });
});

describe('not the patient\'s: 404 alike', () => {
  test("another patient's form, another clinic's, an archived or unknown one: 404 on every route", async () => {
    const c = await formClinic({ patients: 2 });
    const [me, other] = c.patients;
    const theirs = await makeForm(c, medsDefinition(), { assign: [other.patient.id] });
    const foreign = await makeForm(B, medsDefinition(), { all: true });
    const archived = await makeForm(c, medsDefinition(), { all: true });
    assert.equal((await saveDraft(other.session, theirs.id, 1, { meds: true })).status, 200);
    assert.equal((await saveDraft(B.session, foreign.id, 1, { meds: true })).status, 200);
    await archive(c, archived.id);
    const ids = { theirs: theirs.id, foreign: foreign.id, archived: archived.id, unknown: randomUUID(), bad: 'not-a-uuid' };
    for (const [what, id] of Object.entries(ids)) {
      for (const [method, rest, body] of [
        ['GET', `forms/${id}`], ['PUT', `forms/${id}/draft`, { version: 1, answers: { meds: false } }],
        ['DELETE', `forms/${id}/draft`], ['POST', `forms/${id}/submissions`, { version: 1, answers: { meds: false } }],
      ]) {
        const res = await me.session.request(method, rest, body ? { body } : {});
        assertProblem(res, 404, 'not_found', `${what} ${method} ${rest}`);
      }
    }
    // Their drafts are untouched.
    assert.equal(psql(`SELECT count(*) FROM form_drafts WHERE form_id IN ('${theirs.id}', '${foreign.id}')`), '2');
    assert.equal(psql(`SELECT count(*) FROM form_submissions WHERE form_id IN ('${theirs.id}', '${foreign.id}', '${archived.id}')`), '0');
  });
});

describe('limits and audit', () => {
  test('at most 20 submissions of a form per patient a day: the next is 429 with Retry-After', async () => {
    const c = await formClinic();
    const form = await makeForm(c, medsDefinition(), { all: true });
    psql(`INSERT INTO form_submissions (clinic_id, form_id, version, patient_id, answers, language, submitted_at)
      SELECT '${c.clinic.id}', '${form.id}', 1, '${c.patient.id}', '{"meds": false}', 'tr', now() - interval '23 hours' + g * interval '1 minute'
      FROM generate_series(1, 20) g`);
    const res = await submit(c.session, form.id, 1, { meds: false });
    assertProblem(res, 429, 'rate_limited');
    const retry = Number(res.headers.get('retry-after'));
    assert.ok(retry > 3500 && retry <= 3660, `Retry-After ${retry}`);
    // Another form is not limited by this one.
    const other = await makeForm(c, medsDefinition(), { all: true });
    assert.equal((await submit(c.session, other.id, 1, { meds: false })).status, 201);
  });

  test('a submission is audited as form.submit with its ids and version, never its answers', async () => {
    const c = await formClinic();
    const form = await makeForm(c, medsDefinition(), { all: true });
    const res = await submit(c.session, form.id, 1, { meds: true, meds_which: 'Gizli ilaç' });
    assert.equal(res.status, 201, res.text);
    const row = JSON.parse(psql(`SELECT row_to_json(a) FROM audit_log a WHERE clinic_id = '${c.clinic.id}'
      AND action = 'form.submit'`));
    assert.equal(row.actor_type, 'patient');
    assert.equal(row.actor_id, c.patient.id);
    assert.equal(row.target_type, 'form_submission');
    assert.equal(row.target_id, res.body.id);
    assert.deepEqual(row.after, { form_id: form.id, version: 1 });
    assert.equal(JSON.stringify(row).includes('Gizli'), false);
  });
});

describe('round trips', () => {
  // Server-Timing names the database round trips of each answer; the least over a few calls,
  // since a worker's first use of a statement on its connection prepares it (one more).
  test('GET forms and GET forms/{id} cost one round trip with the session\'s; a draft, its removal and a submission three', async () => {
    const c = await formClinic();
    const form = await makeForm(c, medsDefinition(), { all: true });
    const trips = async (method, rest, body) => {
      let least = Infinity;
      for (let i = 0; i < 8; i++) {
        const res = await c.session.request(method, rest, body ? { body } : {});
        assert.ok(res.status < 300, `${method} ${rest}: ${res.text}`);
        const m = /desc="(\d+) round trips?"/.exec(res.headers.get('server-timing') ?? '');
        assert.ok(m, `${method} ${rest}: a Server-Timing header`);
        least = Math.min(least, Number(m[1]));
      }
      return least;
    };
    assert.equal(await trips('GET', 'forms'), 1);
    assert.equal(await trips('GET', `forms/${form.id}`), 1);
    assert.equal(await trips('PUT', `forms/${form.id}/draft`, { version: 1, answers: { meds: true } }), 3);
    assert.equal(await trips('DELETE', `forms/${form.id}/draft`), 3);
    assert.equal(await trips('POST', `forms/${form.id}/submissions`, { version: 1, answers: { meds: false } }), 3);
  });
});
