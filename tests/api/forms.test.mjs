// Forms, the clinic side (issue 15, DESIGN.md section 15). Owners and admins create a form
// (version 1) and publish new versions; every version stays as it was saved, and staff read
// each one (also as a FHIR Questionnaire). A definition is refused with 422 naming the item for
// each rule it breaks (a repeated link_id, a condition on an unknown, later or ill-fitting
// question, a choice without options, a text missing in a language the clinic uses, unknown
// members at any depth, groups too deep, too many items), all problems at once. Archive and
// restore, offer to every patient, assign to patients (assignments add up; a patient of another
// clinic is 422 naming patient_ids[i]) and take an assignment back. Starter forms are offered
// and copied. Staff read submissions, each with its own version's questions, and mark them
// reviewed (once: 409). Staff and read keys cannot change forms (403). Another clinic's form or
// submission answers 404 like an unknown id on every route. Markup in a definition comes back
// as the same text. Changes are audited. At most 200 active forms and 100 versions (409).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { api, assertProblem, psql } from './lib/client.mjs';
import {
  FORMS, STARTERS, SUBMISSIONS, auditOf, both, everyTypeDefinition, formsClinic, insertSubmission, makeForm,
  simpleDefinition,
} from './lib/forms_clinic.mjs';
import { makePatient } from './lib/fixtures.mjs';

let A;
let B;

before(async () => {
  A = await formsClinic();
  B = await formsClinic({ patients: 1 });
});

// The fields of a 422 answer.
function fieldsOf(res) {
  assertProblem(res, 422, 'validation_failed');
  return res.body.errors.map((e) => e.field);
}

// POSTs definition as A's admin: the 422's fields.
async function refusedFields(definition, c = A) {
  const res = await c.admin.request('POST', FORMS, { body: { definition } });
  return fieldsOf(res);
}

describe('creating and reading', () => {
  test('an admin creates a form: 201 with version 1, its canonical definition, and it is audited', async () => {
    const def = simpleDefinition();
    def.title.tr = '  Sağlık formu  ';
    def.description = { tr: '', en: null };
    const res = await A.admin.request('POST', FORMS, { body: { definition: def } });
    assert.equal(res.status, 201, res.text);
    const f = res.body;
    assert.equal(res.headers.get('location'), `${FORMS}/${f.id}`);
    assert.deepEqual(f.title, { tr: 'Sağlık formu', en: 'Health form' }, 'texts are trimmed');
    assert.equal(f.status, 'active');
    assert.equal(f.available_to_all, false, 'available_to_all is false unless set');
    assert.equal(f.current_version, 1);
    assert.equal(f.item_count, 2);
    assert.deepEqual([f.assigned_count, f.submission_count, f.unreviewed_count], [0, 0, 0]);
    assert.equal(f.starter, null);
    assert.equal(f.definition.description, undefined, 'a blank optional text is left out');
    assert.deepEqual(f.definition.items[1].enable_when, [{ question: 'meds', operator: '=', answer: true }]);
    assert.equal(f.versions.length, 1);
    assert.equal(f.versions[0].version, 1);
    assert.equal(f.versions[0].created_by.id, A.admin.staff.id);
    const got = await A.staff.request('GET', `${FORMS}/${f.id}`);
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body, f, 'staff read the same record');
    const audit = auditOf(A.clinic.id, f.id);
    assert.deepEqual(audit.map((a) => a[0]), ['form.create']);
    assert.equal(JSON.stringify(audit[0][2]).includes('Sağlık'), false, 'the audit keeps no texts');
  });

  test('every item type, bounds, options and conditions are kept as sent', async () => {
    const def = everyTypeDefinition();
    const f = await makeForm(A.owner, def);
    assert.equal(f.item_count, 13, 'every item at every depth');
    const byId = Object.fromEntries(f.definition.items.map((i) => [i.link_id, i]));
    assert.deepEqual([byId.weight.min, byId.weight.max], [1.5, 400.25]);
    assert.deepEqual([byId.age.min, byId.age.max], [0, 130]);
    assert.deepEqual([byId.last_visit.min, byId.last_visit.max], ['1990-01-01', '2100-12-31']);
    assert.equal(byId.name.max_length, 100);
    assert.equal(byId.name.required, true);
    assert.deepEqual(byId.allergies.options.map((o) => o.value), ['penicillin', 'latex']);
    assert.equal(byId.history.enable_behavior, 'any');
    assert.deepEqual(byId.history.items.map((i) => i.link_id), ['history.heart', 'history.since']);
    assert.deepEqual(f.definition.description, both('Açıklama', 'Description'));
  });

  test('an admin key may create; staff, a read key and a write key may read but not change (403)', async () => {
    const byKey = await A.adminKey.request('POST', FORMS, { body: { definition: simpleDefinition() } });
    assert.equal(byKey.status, 201, byKey.text);
    assert.equal(byKey.body.versions[0].created_by, null, 'an API key is no staff member');
    const f = byKey.body;
    const changes = [
      ['POST', FORMS, { definition: simpleDefinition() }],
      ['PUT', `${FORMS}/${f.id}`, { definition: simpleDefinition() }],
      ['PATCH', `${FORMS}/${f.id}`, { status: 'archived' }],
      ['POST', `${FORMS}/${f.id}/assignments`, { patient_ids: [A.patients[0].id] }],
      ['DELETE', `${FORMS}/${f.id}/assignments/${A.patients[0].id}`],
    ];
    for (const [method, path, body] of changes) {
      for (const [who, s] of [['staff', A.staff], ['read key', A.readKey], ['write key', A.writeKey]]) {
        const res = await s.request(method, path, body ? { body } : {});
        assertProblem(res, 403, 'forbidden_role', `${who} ${method} ${path}`);
      }
    }
    for (const path of [FORMS, `${FORMS}/${f.id}`, `${FORMS}/${f.id}/versions/1`, `${FORMS}/${f.id}/assignments`,
      SUBMISSIONS, STARTERS]) {
      for (const [who, s] of [['staff', A.staff], ['read key', A.readKey]]) {
        const res = await s.request('GET', path);
        assert.equal(res.status, 200, `${who} GET ${path}: ${res.text}`);
      }
    }
  });

  test('markup in a definition is kept as the same text', async () => {
    const xss = '<img src=x onerror=alert(1)><script>alert("x")</script>';
    const def = simpleDefinition(xss);
    def.items[0].text.en = `${xss} & "quotes"`;
    const f = await makeForm(A.admin, def);
    const res = await A.staff.request('GET', `${FORMS}/${f.id}`);
    assert.equal(res.headers.get('content-type').split(';')[0], 'application/json');
    assert.equal(res.body.title.tr, xss);
    assert.equal(res.body.definition.items[0].text.en, `${xss} & "quotes"`);
  });

  test('the list: newest changed first, by status, paged', async () => {
    const c = await formsClinic({ patients: 0 });
    const f1 = await makeForm(c.admin, simpleDefinition('Bir'));
    const f2 = await makeForm(c.admin, simpleDefinition('İki'));
    const f3 = await makeForm(c.admin, simpleDefinition('Üç'));
    const archived = await c.admin.request('PATCH', `${FORMS}/${f1.id}`, { body: { status: 'archived' } });
    assert.equal(archived.status, 200, archived.text);
    const all = await c.staff.request('GET', FORMS);
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body.items.map((f) => f.id), [f1.id, f3.id, f2.id]);
    assert.equal(all.body.items[0].definition, undefined, 'the list holds records without definitions');
    const active = await c.staff.request('GET', `${FORMS}?status=active`);
    assert.deepEqual(active.body.items.map((f) => f.id), [f3.id, f2.id]);
    const arch = await c.staff.request('GET', `${FORMS}?status=archived`);
    assert.deepEqual(arch.body.items.map((f) => f.id), [f1.id]);
    const p1 = await c.staff.request('GET', `${FORMS}?limit=2`);
    assert.equal(p1.body.items.length, 2);
    assert.equal(p1.body.next_cursor, f3.id);
    const p2 = await c.staff.request('GET', `${FORMS}?limit=2&cursor=${p1.body.next_cursor}`);
    assert.deepEqual(p2.body.items.map((f) => f.id), [f2.id]);
    assert.equal(p2.body.next_cursor, null);
    assertProblem(await c.staff.request('GET', `${FORMS}?status=deleted`), 422, 'validation_failed');
  });
});

describe('definition rules: 422 naming the item', () => {
  test('a repeated link_id', async () => {
    const def = simpleDefinition();
    def.items[1].link_id = 'meds';
    def.items[1].enable_when = undefined;
    assert.deepEqual(await refusedFields(def), ['definition.items[1].link_id']);
  });

  test('enable_when on an unknown, a later, its own or an ill-fitting question', async () => {
    const cases = [
      ['nope', '=', true, 'definition.items[1].enable_when[0].question'],
      ['meds_which', 'exists', true, 'definition.items[1].enable_when[0].question'],
      ['meds', '=', 'yes', 'definition.items[1].enable_when[0].answer'],
      ['meds', 'exists', 3, 'definition.items[1].enable_when[0].answer'],
    ];
    for (const [question, operator, answer, field] of cases) {
      const def = simpleDefinition();
      def.items[1].enable_when = [{ question, operator, answer }];
      assert.deepEqual(await refusedFields(def), [field], `${question} ${operator} ${answer}`);
    }
    const later = simpleDefinition();
    later.items[0].enable_when = [{ question: 'meds_which', operator: 'exists', answer: true }];
    later.items[1].enable_when = undefined;
    assert.deepEqual(await refusedFields(later), ['definition.items[0].enable_when[0].question'], 'a later question');
    const display = simpleDefinition();
    display.items.unshift({ link_id: 'note', type: 'display', text: both('Not', 'Note') });
    display.items[2].enable_when = [{ question: 'note', operator: 'exists', answer: true }];
    assert.deepEqual(await refusedFields(display), ['definition.items[2].enable_when[0].question'], 'a display');
    const option = everyTypeDefinition();
    option.items[9].enable_when = [{ question: 'blood', operator: '=', answer: 'c' }];
    assert.deepEqual(await refusedFields(option), ['definition.items[9].enable_when[0].answer'], 'not an option');
  });

  test('a choice without options, options where they do not belong', async () => {
    const def = simpleDefinition();
    def.items.push({ link_id: 'pick', type: 'choice', text: both('Seçin', 'Pick') });
    def.items[0].options = [{ value: 'x', text: both('X', 'X') }];
    const fields = await refusedFields(def);
    assert.deepEqual(fields.sort(), ['definition.items[0].options', 'definition.items[2].options']);
  });

  test('a text missing in a language the clinic uses; a Turkish-only clinic needs no English', async () => {
    const def = simpleDefinition();
    delete def.items[1].text.en;
    def.title.tr = '';
    assert.deepEqual((await refusedFields(def)).sort(), ['definition.items[1].text.en', 'definition.title.tr']);
    const trOnly = await formsClinic({ patients: 0, languages: ['tr'] });
    const tr = simpleDefinition();
    delete tr.title.en;
    for (const item of tr.items) delete item.text.en;
    const res = await trOnly.admin.request('POST', FORMS, { body: { definition: tr } });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.title, { tr: 'Sağlık formu', en: null });
    const enOnly = await formsClinic({ patients: 0, languages: ['en'] });
    const trText = await enOnly.admin.request('POST', FORMS, { body: { definition: tr } });
    assert.deepEqual(fieldsOf(trText).sort(), ['definition.items[0].text.en', 'definition.items[1].text.en',
      'definition.title.en']);
  });

  test('shapes: unknown members at any depth, a bad link_id or type, bounds, lengths, depth, count', async () => {
    const def = everyTypeDefinition();
    def.extra = 1;
    def.items[9].items[0].colour = 'red';
    def.items[1].link_id = '1st';
    def.items[2].type = 'slider';
    def.items[3].min = 500;
    def.items[5].max_length = 201;
    def.items[6].min = 3;
    def.items[1].required = 'yes';
    const fields = await refusedFields(def);
    for (const f of ['definition.extra', 'definition.items[9].items[0].colour', 'definition.items[1].link_id',
      'definition.items[2].type', 'definition.items[5].max_length', 'definition.items[6].min',
      'definition.items[1].required']) {
      assert.ok(fields.includes(f), `${f} in ${fields.join(', ')}`);
    }
    const bounds = everyTypeDefinition();
    bounds.items[3].min = 500;
    bounds.items[4].min = '2200-01-01';
    assert.deepEqual((await refusedFields(bounds)).sort(), ['definition.items[3].max', 'definition.items[4].max']);

    const deep = simpleDefinition();
    let group = { link_id: 'g1', type: 'group', text: both('G', 'G'), items: [] };
    deep.items.push(group);
    for (let i = 2; i <= 4; i++) {
      const inner = { link_id: `g${i}`, type: 'group', text: both('G', 'G'), items: [] };
      group.items.push(inner);
      group = inner;
    }
    group.items.push({ link_id: 'leaf', type: 'boolean', text: both('L', 'L') });
    assert.deepEqual(await refusedFields(deep), ['definition.items[2].items[0].items[0].items']);

    const many = simpleDefinition();
    for (let i = 0; i < 199; i++) many.items.push({ link_id: `q${i}`, type: 'boolean', text: both('S', 'Q') });
    assert.deepEqual(await refusedFields(many), ['definition.items']);
    many.items.pop();
    const ok = await A.admin.request('POST', FORMS, { body: { definition: many } });
    assert.equal(ok.status, 201, `200 items are allowed: ${ok.text.slice(0, 300)}`);
    assert.equal(ok.body.item_count, 200);
  });

  test('every problem at once, and nothing is stored', async () => {
    const before = psql(`SELECT count(*) FROM forms WHERE clinic_id = '${A.clinic.id}'`);
    const def = simpleDefinition();
    def.items[0].text = { tr: 'x'.repeat(2001), en: 'ok' };
    def.items[1].enable_when[0].operator = '>';
    def.items.push({ link_id: 'p', type: 'choice', text: both('P', 'P'), options: [] });
    const res = await A.admin.request('POST', FORMS, { body: { definition: def, starter: 7 } });
    const fields = fieldsOf(res);
    for (const f of ['starter', 'definition.items[0].text.tr', 'definition.items[1].enable_when[0].operator']) {
      assert.ok(fields.includes(f), `${f} in ${fields.join(', ')}`);
    }
    assert.equal(psql(`SELECT count(*) FROM forms WHERE clinic_id = '${A.clinic.id}'`), before);
    assertProblem(await A.admin.request('POST', FORMS, { body: {} }), 422, 'validation_failed');
    assertProblem(await A.admin.request('POST', FORMS, { body: { definition: [] } }), 422, 'validation_failed');
  });
});

describe('versions', () => {
  test('publishing makes version 2; version 1 stays as it was, and both are read', async () => {
    const f = await makeForm(A.admin);
    const def2 = simpleDefinition('Sağlık formu v2');
    def2.items.push({ link_id: 'allergy', type: 'text', text: both('Alerji', 'Allergy') });
    const put = await A.admin.request('PUT', `${FORMS}/${f.id}`, { body: { definition: def2 } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.current_version, 2);
    assert.equal(put.body.item_count, 3);
    assert.equal(put.body.title.tr, 'Sağlık formu v2');
    assert.deepEqual(put.body.versions.map((v) => [v.version, v.item_count]), [[2, 3], [1, 2]]);
    const v1 = await A.staff.request('GET', `${FORMS}/${f.id}/versions/1`);
    assert.equal(v1.status, 200, v1.text);
    assert.deepEqual(v1.body.definition, f.definition);
    assert.equal(v1.body.version, 1);
    assert.equal(v1.body.form_id, f.id);
    const v2 = await A.staff.request('GET', `${FORMS}/${f.id}/versions/2`);
    assert.equal(v2.body.definition.items.length, 3);
    for (const n of ['3', '0', 'abc', '99999999999']) {
      assertProblem(await A.staff.request('GET', `${FORMS}/${f.id}/versions/${n}`), 404, 'not_found', n);
    }
    assert.deepEqual(auditOf(A.clinic.id, f.id).map((a) => a[0]), ['form.create', 'form.publish']);
    const bad = simpleDefinition();
    bad.items = [];
    assertProblem(await A.admin.request('PUT', `${FORMS}/${f.id}`, { body: { definition: bad } }), 422,
      'validation_failed');
    const again = await A.staff.request('GET', `${FORMS}/${f.id}`);
    assert.equal(again.body.current_version, 2, 'a refused definition publishes nothing');
  });

  test('the questionnaire export: FHIR JSON of the version', async () => {
    const f = await makeForm(A.admin, everyTypeDefinition());
    const res = await A.staff.request('GET', `${FORMS}/${f.id}/versions/1/questionnaire`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type').split(';')[0], 'application/fhir+json');
    assert.equal(res.body.resourceType, 'Questionnaire');
    assert.equal(res.body.id, f.id);
    assert.equal(res.body.version, '1');
    assert.equal(res.body.status, 'active');
    assert.ok(Array.isArray(res.body.item) && res.body.item.length > 0);
    assertProblem(await A.staff.request('GET', `${FORMS}/${f.id}/versions/2/questionnaire`), 404, 'not_found');
  });

  test('at most 100 versions: the 101st is 409 conflict', async () => {
    const f = await makeForm(A.admin);
    // The count the limit reads: as if 99 more had been published.
    psql(`INSERT INTO form_versions (clinic_id, form_id, version, definition, item_count)
      SELECT clinic_id, form_id, g, definition, item_count FROM form_versions, generate_series(2, 100) g
      WHERE form_id = '${f.id}' AND version = 1;
      UPDATE forms SET current_version = 100 WHERE id = '${f.id}'`);
    const res = await A.admin.request('PUT', `${FORMS}/${f.id}`, { body: { definition: simpleDefinition() } });
    assertProblem(res, 409, 'conflict');
  });
});

describe('archive, available to all, the active limit', () => {
  test('archive and restore, available_to_all; audited with before and after', async () => {
    const f = await makeForm(A.admin);
    const a = await A.admin.request('PATCH', `${FORMS}/${f.id}`, { body: { status: 'archived', available_to_all: true } });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.status, 'archived');
    assert.equal(a.body.available_to_all, true);
    const r = await A.owner.request('PATCH', `${FORMS}/${f.id}`, { body: { status: 'active' } });
    assert.equal(r.body.status, 'active');
    assert.equal(r.body.available_to_all, true, 'a member not sent is kept');
    const audit = auditOf(A.clinic.id, f.id);
    assert.deepEqual(audit.map((x) => x[0]), ['form.create', 'form.update', 'form.update']);
    assert.equal(audit[1][1].status, 'active');
    assert.equal(audit[1][2].status, 'archived');
    assert.deepEqual(fieldsOf(await A.admin.request('PATCH', `${FORMS}/${f.id}`, { body: { status: 'gone' } })),
      ['status']);
    const nothing = await A.admin.request('PATCH', `${FORMS}/${f.id}`, { body: {} });
    assert.equal(nothing.status, 200, nothing.text);
    assert.equal(auditOf(A.clinic.id, f.id).length, 3, 'nothing changed, nothing recorded');
  });

  test('at most 200 active forms: creating or restoring past it is 409 conflict', async () => {
    const c = await formsClinic({ patients: 0 });
    const archived = await makeForm(c.admin);
    await c.admin.request('PATCH', `${FORMS}/${archived.id}`, { body: { status: 'archived' } });
    psql(`INSERT INTO forms (clinic_id, title_tr) SELECT '${c.clinic.id}', 'F' || g FROM generate_series(1, 199) g`);
    const last = await c.admin.request('POST', FORMS, { body: { definition: simpleDefinition() } });
    assert.equal(last.status, 201, `the 200th: ${last.text}`);
    assertProblem(await c.admin.request('POST', FORMS, { body: { definition: simpleDefinition() } }), 409, 'conflict');
    assertProblem(await c.admin.request('PATCH', `${FORMS}/${archived.id}`, { body: { status: 'active' } }), 409,
      'conflict');
    const stillAvailable = await c.admin.request('PATCH', `${FORMS}/${archived.id}`, { body: { available_to_all: true } });
    assert.equal(stillAvailable.status, 200, 'an archived form may change otherwise');
  });
});

describe('starters', () => {
  test('the starters are listed, and copying one keeps its key; an unknown key is 422', async () => {
    const res = await A.staff.request('GET', STARTERS);
    assert.equal(res.status, 200, res.text);
    assert.ok(Array.isArray(res.body.items));
    for (const s of res.body.items) {
      const copy = await A.admin.request('POST', FORMS, { body: { definition: s.definition, starter: s.key } });
      assert.equal(copy.status, 201, `${s.key}: ${copy.text.slice(0, 500)}`);
      assert.equal(copy.body.starter, s.key);
      assert.deepEqual(copy.body.definition, s.definition, `${s.key} is copied as it is`);
    }
    const bad = await A.admin.request('POST', FORMS, { body: { definition: simpleDefinition(), starter: 'no_such_form' } });
    assert.deepEqual(fieldsOf(bad), ['starter']);
  });
});

describe('assignments', () => {
  test('assign, add up, list with states, take back; audited', async () => {
    const f = await makeForm(A.admin);
    const [p1, p2] = A.patients;
    const first = await A.admin.request('POST', `${FORMS}/${f.id}/assignments`, { body: { patient_ids: [p1.id] } });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body, { added: 1, assigned_count: 1 });
    const second = await A.admin.request('POST', `${FORMS}/${f.id}/assignments`, {
      body: { patient_ids: [p1.id.toUpperCase(), p2.id] },
    });
    assert.deepEqual(second.body, { added: 1, assigned_count: 2 }, 'assignments add up');
    insertSubmission(A.clinic.id, f.id, 1, p1.id, { answers: { meds: false } });
    const list = await A.staff.request('GET', `${FORMS}/${f.id}/assignments`);
    assert.equal(list.status, 200, list.text);
    const byId = Object.fromEntries(list.body.items.map((x) => [x.patient_id, x]));
    assert.equal(byId[p1.id].state, 'submitted');
    assert.ok(byId[p1.id].submitted_at);
    assert.equal(byId[p2.id].state, 'not_started');
    assert.equal(byId[p2.id].submitted_at, null);
    assert.equal(byId[p2.id].patient_name, `${p2.first_name} ${p2.last_name}`);
    const page = await A.staff.request('GET', `${FORMS}/${f.id}/assignments?limit=1`);
    assert.equal(page.body.items.length, 1);
    const rest = await A.staff.request('GET', `${FORMS}/${f.id}/assignments?limit=1&cursor=${page.body.next_cursor}`);
    assert.equal(rest.body.items.length, 1);
    assert.notEqual(rest.body.items[0].patient_id, page.body.items[0].patient_id);
    const rec = await A.staff.request('GET', `${FORMS}/${f.id}`);
    assert.equal(rec.body.assigned_count, 2);
    const other = await makeForm(A.admin);
    const mine = await A.staff.request('GET', `${FORMS}?patient_id=${p2.id}`);
    assert.equal(mine.status, 200, mine.text);
    assert.ok(mine.body.items.some((x) => x.id === f.id), "the patient's assigned form is listed");
    assert.ok(!mine.body.items.some((x) => x.id === other.id), 'a form not assigned to them is not');
    assertProblem(await A.staff.request('GET', `${FORMS}?patient_id=1`), 422, 'validation_failed');
    const del = await A.admin.request('DELETE', `${FORMS}/${f.id}/assignments/${p2.id}`);
    assert.equal(del.status, 204, del.text);
    assertProblem(await A.admin.request('DELETE', `${FORMS}/${f.id}/assignments/${p2.id}`), 404, 'not_found');
    assertProblem(await A.admin.request('DELETE', `${FORMS}/${f.id}/assignments/nope`), 404, 'not_found');
    assert.deepEqual(auditOf(A.clinic.id, f.id).map((a) => a[0]),
      ['form.create', 'form.assign', 'form.assign', 'form.unassign']);
  });

  test('refused: none, too many, twice in one request, not a patient of the clinic (nothing assigned)', async () => {
    const f = await makeForm(A.admin);
    const post = (ids) => A.admin.request('POST', `${FORMS}/${f.id}/assignments`, { body: { patient_ids: ids } });
    assert.deepEqual(fieldsOf(await post([])), ['patient_ids']);
    assert.deepEqual(fieldsOf(await post(Array.from({ length: 501 }, () => randomUUID()))), ['patient_ids']);
    assert.deepEqual(fieldsOf(await post([A.patients[0].id, A.patients[0].id])), ['patient_ids[1]']);
    assert.deepEqual(fieldsOf(await post([A.patients[0].id, 'x'])), ['patient_ids[1]']);
    assert.deepEqual(fieldsOf(await post([A.patients[0].id, B.patients[0].id, randomUUID()])),
      ['patient_ids[1]', 'patient_ids[2]']);
    const rec = await A.staff.request('GET', `${FORMS}/${f.id}`);
    assert.equal(rec.body.assigned_count, 0, 'nothing was assigned');
  });
});

describe('submissions', () => {
  test("staff see a submission with its own version's questions, mark it reviewed once", async () => {
    const f = await makeForm(A.admin);
    const patient = await makePatient(A.owner);
    const xss = '<script>alert(1)</script>';
    const s1 = insertSubmission(A.clinic.id, f.id, 1, patient.id, {
      answers: { meds: true, meds_which: xss }, consents: [{ link_id: 'c', text: 'Onaylıyorum' }],
    });
    const def2 = simpleDefinition('Yeni');
    def2.items[1].text = both('Hangi ilaçlar?', 'Which medicines?');
    await A.admin.request('PUT', `${FORMS}/${f.id}`, { body: { definition: def2 } });
    const s2 = insertSubmission(A.clinic.id, f.id, 2, patient.id, { answers: { meds: false }, language: 'en' });

    const list = await A.staff.request('GET', `${SUBMISSIONS}?form_id=${f.id}`);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body.items.map((s) => [s.id, s.version]), [[s2, 2], [s1, 1]]);
    assert.deepEqual(list.body.items[0].form_title, { tr: 'Yeni', en: 'Health form' });
    assert.equal(list.body.items[0].patient_name, `${patient.first_name} ${patient.last_name}`);
    assert.equal(list.body.items[0].language, 'en');
    assert.equal(list.body.items[0].reviewed_by, null);

    const one = await A.staff.request('GET', `${SUBMISSIONS}/${s1}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.version, 1);
    assert.equal(one.body.definition.items[1].text.tr, 'Hangileri?', "version 1's question");
    assert.equal(one.body.answers.meds_which, xss, 'markup in an answer is the same text');
    assert.deepEqual(one.body.consents, [{ link_id: 'c', text: 'Onaylıyorum' }]);

    const rec = await A.staff.request('GET', `${FORMS}/${f.id}`);
    assert.deepEqual([rec.body.submission_count, rec.body.unreviewed_count], [2, 2]);

    const review = await A.staff.request('POST', `${SUBMISSIONS}/${s1}/review`);
    assert.equal(review.status, 200, review.text);
    assert.equal(review.body.status, 'reviewed');
    assert.ok(review.body.reviewed_at);
    assert.deepEqual(review.body.reviewed_by, { id: A.staff.staff.id, name: A.staff.staff.name });
    assertProblem(await A.staff.request('POST', `${SUBMISSIONS}/${s1}/review`), 409, 'conflict');
    assert.deepEqual(auditOf(A.clinic.id, s1).map((a) => a[0]), ['form_submission.review']);
    assertProblem(await A.readKey.request('POST', `${SUBMISSIONS}/${s2}/review`), 403, 'forbidden_role');

    const reviewed = await A.staff.request('GET', `${SUBMISSIONS}?status=reviewed&patient_id=${patient.id}`);
    assert.deepEqual(reviewed.body.items.map((s) => s.id), [s1]);
    const open = await A.staff.request('GET', `${SUBMISSIONS}?status=submitted&patient_id=${patient.id}`);
    assert.deepEqual(open.body.items.map((s) => s.id), [s2]);
    const paged = await A.staff.request('GET', `${SUBMISSIONS}?patient_id=${patient.id}&limit=1`);
    assert.equal(paged.body.next_cursor, s2);
    const next = await A.staff.request('GET', `${SUBMISSIONS}?patient_id=${patient.id}&limit=1&cursor=${s2}`);
    assert.deepEqual(next.body.items.map((s) => s.id), [s1]);
    const byKey = await A.writeKey.request('POST', `${SUBMISSIONS}/${s2}/review`);
    assert.equal(byKey.status, 200, `a write key reviews: ${byKey.text}`);
    assert.equal(byKey.body.reviewed_by, null, 'an API key is no staff member');
    for (const q of ['status=open', 'form_id=x', 'patient_id=1']) {
      assertProblem(await A.staff.request('GET', `${SUBMISSIONS}?${q}`), 422, 'validation_failed', q);
    }
  });
});

describe('tenancy', () => {
  test("another clinic's form, version, assignment and submission answer 404 like unknown ones", async () => {
    const f = await makeForm(A.admin);
    await A.admin.request('POST', `${FORMS}/${f.id}/assignments`, { body: { patient_ids: [A.patients[0].id] } });
    const s = insertSubmission(A.clinic.id, f.id, 1, A.patients[0].id);
    const unknown = randomUUID();
    const calls = (form, sub) => [
      ['GET', `${FORMS}/${form}`],
      ['PUT', `${FORMS}/${form}`, { definition: simpleDefinition() }],
      ['PATCH', `${FORMS}/${form}`, { status: 'archived' }],
      ['GET', `${FORMS}/${form}/versions/1`],
      ['GET', `${FORMS}/${form}/versions/1/questionnaire`],
      ['GET', `${FORMS}/${form}/assignments`],
      ['POST', `${FORMS}/${form}/assignments`, { patient_ids: [B.patients[0].id] }],
      ['DELETE', `${FORMS}/${form}/assignments/${A.patients[0].id}`],
      ['GET', `${SUBMISSIONS}/${sub}`],
      ['POST', `${SUBMISSIONS}/${sub}/review`],
    ];
    const foreign = calls(f.id, s);
    const none = calls(unknown, unknown);
    for (let i = 0; i < foreign.length; i++) {
      const [method, path, body] = foreign[i];
      const res = await B.admin.request(method, path, body ? { body } : {});
      const res2 = await B.admin.request(none[i][0], none[i][1], body ? { body } : {});
      assertProblem(res, 404, 'not_found', `${method} ${path}`);
      assertProblem(res2, 404, 'not_found', `${method} unknown`);
      assert.equal(res.body.detail, res2.body.detail, `${method} ${path}: the same answer as an unknown id`);
    }
    const list = await B.admin.request('GET', `${SUBMISSIONS}?form_id=${f.id}`);
    assert.deepEqual(list.body.items, []);
    const forms = await B.admin.request('GET', FORMS);
    assert.ok(!forms.body.items.some((x) => x.id === f.id));
    const still = await A.staff.request('GET', `${FORMS}/${f.id}`);
    assert.equal(still.body.status, 'active', 'nothing changed');
    assert.equal(still.body.assigned_count, 1);
  });

  test('unauthenticated: 401', async () => {
    assertProblem(await api('GET', FORMS), 401, 'not_authenticated');
  });
});
