// Form rules (issue 15), no stack needed: enable_when as include/portal/forms.h states it
// (exists / = / !=, all or any, a disabled or unanswered question, a wrong type, a group
// switching its children off), the answers a submission and a draft send (disabled items
// dropped, typed numbers read), a draft carried to a newer version, the problems of an
// answer set and the server's problems in the patient's words, a canonical definition in
// one language, and the patient app's routes.
// Run: node --test tests/web/forms_rules.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  answersToSend, carryAnswers, conditionHolds, enabledItems, FORM_NEEDS, FORM_STATES, formProblems, formRoute, hasAnswer,
  isDate, itemProblem, localizeDefinition, mustAnswer, serverProblems, stateKey, wireValue,
} from '../../web/src/formRules.js';
import { catalogs } from '../../web/src/i18n/index.js';

// A medical history in the shape GET forms/{id} gives (texts already in one language).
const items = [
  { link_id: 'intro', type: 'display', text: 'Please answer honestly.' },
  { link_id: 'meds', type: 'boolean', text: 'Do you take any medication?', required: true },
  { link_id: 'meds_which', type: 'string', text: 'Which?', required: true, max_length: 10,
    enable_when: [{ question: 'meds', operator: '=', answer: true }] },
  { link_id: 'age', type: 'integer', text: 'Age', min: 0, max: 120 },
  { link_id: 'weight', type: 'decimal', text: 'Weight', min: 1.5 },
  { link_id: 'seen', type: 'date', text: 'Last visit', max: '2026-12-31' },
  { link_id: 'allergy', type: 'multi_choice', text: 'Allergies',
    options: [{ value: 'penicillin', text: 'Penicillin' }, { value: 'latex', text: 'Latex' }, { value: 'none', text: 'None' }] },
  { link_id: 'latex_note', type: 'text', text: 'Tell us about the latex allergy',
    enable_when: [{ question: 'allergy', operator: '=', answer: 'latex' }] },
  { link_id: 'women', type: 'group', text: 'For women', enable_when: [{ question: 'sex', operator: '=', answer: 'f' }],
    items: [{ link_id: 'pregnant', type: 'boolean', text: 'Pregnant?', required: true }] },
  { link_id: 'sex', type: 'choice', text: 'Sex', options: [{ value: 'f', text: 'Female' }, { value: 'm', text: 'Male' }] },
  { link_id: 'either', type: 'string', text: 'Either', enable_behavior: 'any',
    enable_when: [{ question: 'age', operator: 'exists', answer: true }, { question: 'meds', operator: '!=', answer: true }] },
  { link_id: 'ok', type: 'consent', text: 'I agree', required: true },
];

test('a question without enable_when is always on; its dependants follow the answer', () => {
  let on = enabledItems(items, {});
  assert.equal(on.intro, true);
  assert.equal(on.meds, true);
  assert.equal(on.meds_which, false, 'no answer to meds: "= true" does not hold');
  on = enabledItems(items, { meds: true });
  assert.equal(on.meds_which, true);
  on = enabledItems(items, { meds: false });
  assert.equal(on.meds_which, false);
});

test('a condition names an earlier question: the group named later is off, and a group off turns its children off', () => {
  // "women" names "sex", which comes after it: a question not yet seen has no answer.
  const on = enabledItems(items, { sex: 'f' });
  assert.equal(on.women, false);
  assert.equal(on.pregnant, false);
  const reordered = [items[9], items[8]];
  assert.equal(enabledItems(reordered, { sex: 'f' }).pregnant, true);
  assert.equal(enabledItems(reordered, { sex: 'm' }).pregnant, false);
  assert.equal(enabledItems(reordered, { sex: 'm', pregnant: true }).pregnant, false, 'an answer does not switch its own item on');
});

test('a multi_choice equals an option when that option is among the chosen', () => {
  assert.equal(enabledItems(items, { allergy: ['penicillin', 'latex'] }).latex_note, true);
  assert.equal(enabledItems(items, { allergy: ['penicillin'] }).latex_note, false);
  assert.equal(enabledItems(items, { allergy: [] }).latex_note, false);
});

test('enable_behavior any: one condition is enough; all: every one', () => {
  assert.equal(enabledItems(items, {}).either, false, 'no age, no meds answer: != does not hold without an answer');
  assert.equal(enabledItems(items, { age: 30 }).either, true);
  assert.equal(enabledItems(items, { meds: false }).either, true);
  assert.equal(enabledItems(items, { meds: true }).either, false);
  const all = items.map((i) => (i.link_id === 'either' ? { ...i, enable_behavior: 'all' } : i));
  assert.equal(enabledItems(all, { age: 30 }).either, false);
  assert.equal(enabledItems(all, { age: 30, meds: false }).either, true);
});

test('a disabled or unanswered question meets only "exists false"; a wrong type equals nothing', () => {
  const q = { link_id: 'n', type: 'integer' };
  assert.equal(conditionHolds({ operator: 'exists', answer: false }, q, false, 3), true, 'disabled');
  assert.equal(conditionHolds({ operator: 'exists', answer: true }, q, false, 3), false);
  assert.equal(conditionHolds({ operator: '!=', answer: 4 }, q, false, 3), false);
  assert.equal(conditionHolds({ operator: 'exists', answer: false }, q, true, undefined), true, 'unanswered');
  assert.equal(conditionHolds({ operator: '!=', answer: 4 }, q, true, undefined), false);
  assert.equal(conditionHolds({ operator: 'exists', answer: true }, q, true, 3), true);
  assert.equal(conditionHolds({ operator: '=', answer: 3 }, q, true, 3), true);
  assert.equal(conditionHolds({ operator: '=', answer: 3 }, q, true, '3'), false, 'a string is not an integer');
  assert.equal(conditionHolds({ operator: '!=', answer: 3 }, q, true, '3'), true);
  const s = { link_id: 's', type: 'string' };
  assert.equal(conditionHolds({ operator: 'exists', answer: true }, s, true, '   '), false, 'blank is no answer');
  assert.equal(conditionHolds({ operator: 'exists', answer: false }, { type: 'consent' }, true, false), true);
  assert.equal(hasAnswer({ type: 'boolean' }, false), true, 'false is an answer to a yes/no question');
});

test('typed numbers are read (a comma for the point), strings trimmed, anything else left for the server', () => {
  assert.equal(wireValue({ type: 'integer' }, ' 42 '), 42);
  assert.equal(wireValue({ type: 'integer' }, '4.2'), '4.2');
  assert.equal(wireValue({ type: 'decimal' }, '3,5'), 3.5);
  assert.equal(wireValue({ type: 'decimal' }, '-0.25'), -0.25);
  assert.equal(wireValue({ type: 'decimal' }, '1e5'), '1e5');
  assert.equal(wireValue({ type: 'string' }, '  hi '), 'hi');
  assert.equal(wireValue({ type: 'boolean' }, true), true);
  assert.equal(isDate('2024-02-29'), true);
  assert.equal(isDate('2023-02-29'), false);
  assert.equal(isDate('2024-2-1'), false);
});

test('a submission sends the enabled, answered items only; a draft also drops what does not read yet', () => {
  const values = {
    meds: false, meds_which: 'aspirin', age: '41', weight: 'abc', seen: '2026-01-02', allergy: [], latex_note: 'x',
    sex: 'f', pregnant: true, either: '  ', ok: true, ghost: 'not in the form',
  };
  assert.deepEqual(answersToSend(items, values), {
    meds: false, age: 41, weight: 'abc', seen: '2026-01-02', sex: 'f', ok: true,
  });
  assert.deepEqual(answersToSend(items, values, { draft: true }), {
    meds: false, age: 41, seen: '2026-01-02', sex: 'f', ok: true,
  });
  assert.deepEqual(answersToSend(items, { ...values, ok: undefined }, { draft: true }).ok, undefined);
});

test('a draft carried to a newer version keeps what still fits and drops the rest; a consent is ticked again', () => {
  const v2 = [
    { link_id: 'meds', type: 'boolean', text: 'Medication?' },
    { link_id: 'age', type: 'string', text: 'Age in words' },
    { link_id: 'sex', type: 'choice', text: 'Sex', options: [{ value: 'm', text: 'M' }, { value: 'x', text: 'Other' }] },
    { link_id: 'allergy', type: 'multi_choice', text: 'Allergies',
      options: [{ value: 'latex', text: 'Latex' }, { value: 'nuts', text: 'Nuts' }] },
    { link_id: 'weight', type: 'decimal', text: 'Weight' },
    { link_id: 'g', type: 'group', text: 'G', items: [{ link_id: 'seen', type: 'date', text: 'Seen' }] },
    { link_id: 'ok', type: 'consent', text: 'I agree to the new text' },
  ];
  const draft = { meds: true, age: 41, sex: 'f', allergy: ['penicillin', 'latex'], weight: '72,5', seen: '2026-01-02', ok: true, gone: 'x' };
  assert.deepEqual(carryAnswers(v2, draft), {
    meds: true, allergy: ['latex'], weight: '72,5', seen: '2026-01-02',
  });
  assert.deepEqual(carryAnswers(v2, { sex: 'm', allergy: ['penicillin'] }), { sex: 'm' });
});

test('problems of the enabled items: required, consent, type, bounds, length, option', () => {
  assert.deepEqual(formProblems(items, {}), {
    meds: { key: 'forms.problem.required', params: {} },
    ok: { key: 'forms.problem.consent', params: {} },
  });
  const found = formProblems(items, {
    meds: true, meds_which: 'far too long text', age: '200', weight: '1', seen: '2027-01-01', sex: 'q', ok: true,
  });
  assert.deepEqual(found, {
    meds_which: { key: 'forms.problem.tooLong', params: { max: '10' } },
    age: { key: 'forms.problem.between', params: { min: '0', max: '120' } },
    weight: { key: 'forms.problem.min', params: { min: '1.5' } },
    seen: { key: 'forms.problem.max', params: { max: '2026-12-31' } },
    sex: { key: 'forms.problem.choose', params: {} },
  });
  assert.deepEqual(itemProblem({ link_id: 'c', type: 'consent', text: 'I agree' }, undefined),
    { key: 'forms.problem.consent', params: {} }, 'a consent must be ticked even when not marked required');
  assert.equal(mustAnswer({ type: 'consent' }), true);
  assert.equal(mustAnswer({ type: 'string' }), false);
  assert.deepEqual(itemProblem(items[3], '4.5'), { key: 'forms.problem.integer', params: {} });
  assert.deepEqual(itemProblem(items[5], '2026-02-30'), { key: 'forms.problem.date', params: {} });
  // A required item is required only while enabled: alone it is, but formProblems skips it when off.
  assert.deepEqual(itemProblem(items[2], ''), { key: 'forms.problem.required', params: {} });
  assert.equal(formProblems(items, { meds: false, ok: true }).meds_which, undefined);
  assert.deepEqual(formProblems(items, { meds: true, ok: true }).meds_which, { key: 'forms.problem.required', params: {} });
});

test("the server's problems in the form's order, in the patient's words; a field that is no item last", () => {
  const errors = [{ field: 'ok', message: 'must be ticked' }, { field: 'meds', message: 'required' },
    { field: 'version', message: 'x' }, { field: 'age', message: 'odd' }];
  assert.deepEqual(serverProblems(items, { age: 5 }, errors), [
    { field: 'meds', key: 'forms.problem.required', params: {} },
    { field: 'age', key: 'forms.problem.invalid', params: {} },
    { field: 'ok', key: 'forms.problem.consent', params: {} },
    { field: 'version', key: 'forms.problem.other', params: {} },
  ]);
});

test('a canonical definition in one language: the other language stands in for a missing text', () => {
  const def = {
    title: { tr: 'Sağlık', en: 'Health' },
    items: [{ link_id: 'q', type: 'choice', text: { tr: 'Soru' }, required: true,
      options: [{ value: 'a', text: { tr: 'A-tr', en: 'A-en' } }],
      enable_when: [{ question: 'p', operator: 'exists', answer: true }] },
    { link_id: 'g', type: 'group', text: { en: 'Group' }, items: [{ link_id: 'c', type: 'boolean', text: { tr: 'E', en: 'Y' } }] }],
  };
  assert.deepEqual(localizeDefinition(def, 'en'), {
    title: 'Health',
    items: [{ link_id: 'q', type: 'choice', text: 'Soru', required: true, options: [{ value: 'a', text: 'A-en' }],
      enable_when: [{ question: 'p', operator: 'exists', answer: true }] },
    { link_id: 'g', type: 'group', text: 'Group', items: [{ link_id: 'c', type: 'boolean', text: 'Y' }] }],
  });
  assert.equal(localizeDefinition({ ...def, description: { tr: 'Açıklama', en: 'About' } }, 'tr').description, 'Açıklama');
  assert.equal(localizeDefinition(def, 'tr').items[1].text, 'Group');
});

test('routes, states and every problem key in both catalogs', () => {
  assert.deepEqual(formRoute('forms'), { screen: 'list', id: null });
  assert.deepEqual(formRoute('forms/0b5c3a9e-1f2d-4c3b-9a8e-7d6c5b4a3f21'), { screen: 'form', id: '0b5c3a9e-1f2d-4c3b-9a8e-7d6c5b4a3f21' });
  assert.equal(formRoute('forms/nope'), null);
  assert.equal(formRoute('forms/0b5c3a9e-1f2d-4c3b-9a8e-7d6c5b4a3f21/x'), null);
  assert.equal(formRoute('messages'), null);
  assert.deepEqual(FORM_NEEDS.list, ['view_forms']);
  for (const lang of ['tr', 'en']) {
    for (const s of FORM_STATES) assert.ok(catalogs[lang][stateKey(s)], `${lang} ${s}`);
    for (const k of ['required', 'consent', 'choose', 'integer', 'decimal', 'date', 'between', 'min', 'max', 'tooLong', 'invalid', 'other']) {
      assert.ok(catalogs[lang][`forms.problem.${k}`], `${lang} forms.problem.${k}`);
    }
  }
});
