// Unit tests (no browser) of the console's form builder rules (web/src/console/formBuilderRules.js,
// issue 15): adding, moving, removing and editing items at any depth; link_id suggestions;
// the checks before publishing named as the server names its problems; the canonical
// definition sent; a stored definition read back into the builder and out again unchanged.
// Run: node --test tests/web/forms_builder_rules.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fb from '../../web/src/console/formBuilderRules.js';

const T = (tr, en) => ({ tr, en });

// A stored definition with a group, a choice and a condition on an earlier question.
const STORED = {
  title: T('Sağlık öyküsü', 'Medical history'),
  items: [
    { link_id: 'meds', type: 'boolean', text: T('İlaç kullanıyor musunuz?', 'Do you take any medication?'), required: true },
    { link_id: 'meds_which', type: 'string', text: T('Hangileri?', 'Which?'), max_length: 120,
      enable_when: [{ question: 'meds', operator: '=', answer: true }] },
    { link_id: 'more', type: 'group', text: T('Diğer', 'Other'), items: [
      { link_id: 'smoke', type: 'choice', text: T('Sigara', 'Smoking'), options: [
        { value: 'no', text: T('Hayır', 'No') }, { value: 'yes', text: T('Evet', 'Yes') }] },
      { link_id: 'per_day', type: 'integer', text: T('Günde kaç?', 'How many a day?'), min: 1, max: 80,
        enable_when: [{ question: 'smoke', operator: '=', answer: 'yes' }, { question: 'meds', operator: 'exists', answer: true }],
        enable_behavior: 'any' },
    ] },
    { link_id: 'seen', type: 'date', text: T('Son muayene', 'Last check-up'), min: '2000-01-01' },
  ],
};

function filled(type, taken, tr = 'Soru', en = 'Question') {
  const item = fb.newItem(type, taken);
  item.text = T(tr, en);
  item.options = item.options.map((o, i) => ({ ...o, text: T(`Seçenek ${i + 1}`, `Option ${i + 1}`) }));
  return item;
}

test('a stored definition read into the builder and written back is the same definition', () => {
  const form = fb.fromDefinition(STORED);
  assert.deepEqual(fb.toDefinition(form), STORED);
  assert.deepEqual(fb.builderProblems(form), []);
  // Conditions name their question by the builder's key, so a renamed link_id follows.
  const meds = form.items[0];
  assert.equal(form.items[1].enable_when[0].question, meds.key);
  const renamed = fb.updateItem(form.items, [0], { link_id: 'medication' });
  const def = fb.toDefinition({ ...form, items: renamed });
  assert.equal(def.items[1].enable_when[0].question, 'medication');
  assert.equal(def.items[2].items[1].enable_when[1].question, 'medication');
});

test('items are added at the top and into groups, with link_ids unique at every depth', () => {
  let items = [];
  items = fb.addItem(items, null, fb.newItem('boolean', fb.linkIds(items)));
  items = fb.addItem(items, null, fb.newItem('group', fb.linkIds(items)));
  items = fb.addItem(items, [1], fb.newItem('string', fb.linkIds(items)));
  items = fb.addItem(items, [1], fb.newItem('display', fb.linkIds(items)));
  assert.deepEqual(fb.flatten(items).map((f) => [f.item.link_id, f.item.type, f.depth]),
    [['q1', 'boolean', 1], ['group1', 'group', 1], ['q2', 'string', 2], ['info1', 'display', 2]]);
  // A choice starts with two options, their values distinct.
  const choice = fb.newItem('choice', []);
  assert.deepEqual(choice.options.map((o) => o.value), ['o1', 'o2']);
  assert.equal(fb.newOption(choice.options).value, 'o3');
});

test('link_id suggestions come from the text, Turkish letters folded, unique', () => {
  assert.equal(fb.suggestLinkId([], { text: 'Do you smoke?' }), 'do_you_smoke');
  assert.equal(fb.suggestLinkId(['do_you_smoke'], { text: 'Do you smoke?' }), 'do_you_smoke_2');
  assert.equal(fb.suggestLinkId([], { text: 'Kanama bozukluğu var mı?' }), 'kanama_bozuklugu_var_mi');
  assert.equal(fb.suggestLinkId([], { text: '2. soru' }), 'q_2_soru');
  assert.equal(fb.suggestLinkId(['q1', 'q2'], { text: '  ?? ' }), 'q3');
  for (const s of [fb.suggestLinkId([], { text: 'x'.repeat(300) }), fb.suggestLinkId([], { text: 'İğneden korkar mısınız?' })]) {
    assert.match(s, fb.LINK_ID_RE);
  }
  // While auto, the link_id follows the text; once the item is read from a version, it does not.
  const item = fb.newItem('string', []);
  const typed = fb.changeText([item], item, 'en', 'Which medicines?');
  assert.equal(typed.link_id, 'which_medicines');
  const stored = fb.fromDefinition(STORED).items[1];
  assert.equal(fb.changeText([stored], stored, 'en', 'Which ones?').link_id, 'meds_which');
});

test('moving up and down stays among siblings and stops at the ends; removal takes a group whole', () => {
  const form = fb.fromDefinition(STORED);
  const ids = (items) => fb.flatten(items).map((f) => f.item.link_id);
  assert.deepEqual(ids(fb.moveItem(form.items, [3], -1)), ['meds', 'meds_which', 'seen', 'more', 'smoke', 'per_day']);
  assert.deepEqual(ids(fb.moveItem(form.items, [2, 1], -1)), ['meds', 'meds_which', 'more', 'per_day', 'smoke', 'seen']);
  assert.equal(fb.moveItem(form.items, [0], -1), form.items);
  assert.equal(fb.canMove(form.items, [0], -1), false);
  assert.equal(fb.canMove(form.items, [2, 1], 1), false);
  assert.equal(fb.canMove(form.items, [2, 0], 1), true);
  assert.deepEqual(ids(fb.removeItem(form.items, [2])), ['meds', 'meds_which', 'seen']);
  assert.deepEqual(ids(fb.removeItem(form.items, [2, 0])), ['meds', 'meds_which', 'more', 'per_day', 'seen']);
  // The original is untouched.
  assert.deepEqual(fb.toDefinition(form), STORED);
});

test('a question moved above the question its condition names is caught, named like the server names it', () => {
  const form = fb.fromDefinition(STORED);
  const moved = { ...form, items: fb.moveItem(form.items, [1], -1) };
  assert.deepEqual(fb.builderProblems(moved), [{ field: 'definition.items[0].enable_when[0].question', code: 'laterQuestion' }]);
  // Removing the question leaves the condition without one.
  const removed = { ...form, items: fb.removeItem(form.items, [0]) };
  const codes = fb.builderProblems(removed).map((p) => `${p.field} ${p.code}`);
  assert.deepEqual(codes, ['definition.items[0].enable_when[0].question noQuestion',
    'definition.items[1].items[1].enable_when[1].question noQuestion']);
});

test('the checks before publishing: texts per language, link_ids, options, bounds, lengths, conditions', () => {
  let items = [];
  const add = (item, parent = null) => { items = fb.addItem(items, parent, item); };
  add(filled('boolean', [], 'Soru', ''));                  // en missing
  add({ ...filled('string', ['q1']), link_id: 'q1' });      // taken
  add({ ...filled('choice', ['q1']), link_id: '9x', options: [] }); // bad id, no options
  add({ ...filled('integer', ['q1', 'q2']), link_id: 'n', min: '5', max: '2' });
  add({ ...filled('text', ['n']), link_id: 'long', max_length: '6000' });
  add({ ...filled('group', []), link_id: 'g' });            // empty group
  add({ ...filled('date', []), link_id: 'd', min: '2020-13', max: '' });
  const form = { title: T('Form', ''), description: T('', ''), items };
  const found = fb.builderProblems(form).map((p) => `${p.field} ${p.code}`);
  assert.deepEqual(found, [
    'definition.title.en required',
    'definition.items[0].text.en required',
    'definition.items[1].link_id linkIdTaken',
    'definition.items[2].link_id linkId',
    'definition.items[2].options noOptions',
    'definition.items[3].max minAboveMax',
    'definition.items[4].max_length maxLength',
    'definition.items[5].items noItems',
    'definition.items[6].min notDate',
  ]);
  // A clinic working only in Turkish does not need English texts.
  assert.deepEqual(fb.builderProblems(form, ['tr']).filter((p) => p.code === 'required'), []);
  // An empty form says so.
  assert.deepEqual(fb.builderProblems(fb.emptyForm(), ['tr']).map((p) => p.field), ['definition.title.tr', 'definition.items']);
});

test("a condition's answer must fit its question: an option's value, a number, a date, yes or no", () => {
  const form = fb.fromDefinition(STORED);
  const perDay = [2, 1];
  const set = (change) => ({ ...form, items: fb.updateItem(form.items, perDay, (it) => ({
    ...it, enable_when: it.enable_when.map((c, i) => (i === 0 ? { ...c, ...change } : c)) })) });
  assert.deepEqual(fb.builderProblems(set({ answer: 'maybe' })).map((p) => p.field), ['definition.items[2].items[1].enable_when[0].answer']);
  assert.deepEqual(fb.builderProblems(set({ operator: 'exists', answer: 'false' })), []);
  const def = fb.toDefinition(set({ operator: 'exists', answer: 'false' }));
  assert.deepEqual(def.items[2].items[1].enable_when[0], { question: 'smoke', operator: 'exists', answer: false });
  // A group cannot be named, nor the item itself.
  const onGroup = { ...form, items: fb.updateItem(form.items, [3], { enable_when: [{ key: 'c', question: form.items[2].key, operator: 'exists', answer: 'true' }] }) };
  assert.deepEqual(fb.builderProblems(onGroup).map((p) => p.code), ['laterQuestion']);
  // Only earlier answerable items are offered.
  assert.deepEqual(fb.questionsBefore(form.items, [2, 1]).map((q) => q.link_id), ['meds', 'meds_which', 'smoke']);
  assert.deepEqual(fb.questionsBefore(form.items, [0]), []);
  // An integer question takes a whole number.
  const onNumber = { ...form, items: fb.updateItem(form.items, [3], { enable_when: [{ key: 'c', question: form.items[2].items[1].key, operator: '=', answer: '2.5' }] }) };
  assert.deepEqual(fb.builderProblems(onNumber).map((p) => p.code), ['answerType']);
  assert.equal(fb.defaultAnswer(form.items[2].items[0], '='), 'no');
  assert.deepEqual(fb.operatorsFor({ type: 'consent' }), ['exists']);
});

test('changing the type keeps texts and conditions, drops what no longer fits', () => {
  const form = fb.fromDefinition(STORED);
  const perDay = form.items[2].items[1];
  const asText = fb.changeType(perDay, 'text');
  assert.equal(asText.min, '');
  assert.equal(asText.max, '');
  assert.equal(asText.enable_when.length, 2);
  assert.deepEqual(asText.text, perDay.text);
  const asChoice = fb.changeType(perDay, 'choice');
  assert.equal(asChoice.options.length, 2);
  const asDisplay = fb.changeType({ ...perDay, required: true }, 'display');
  assert.equal(asDisplay.required, false);
  const def = fb.toDefinition({ ...form, items: fb.updateItem(form.items, [2, 1], asDisplay) });
  assert.deepEqual(Object.keys(def.items[2].items[1]).sort(), ['enable_behavior', 'enable_when', 'link_id', 'text', 'type']);
});

test("the server's problems land beside the item they name", () => {
  assert.deepEqual(fb.splitField('definition.items[2].items[0].text.tr'), { item: 'items[2].items[0]', rest: 'text.tr' });
  assert.deepEqual(fb.splitField('definition.items[2].options'), { item: 'items[2]', rest: 'options' });
  assert.deepEqual(fb.splitField('definition.items[12]'), { item: 'items[12]', rest: '' });
  assert.deepEqual(fb.splitField('definition.title.en'), { item: null, rest: 'title.en' });
  assert.deepEqual(fb.splitField('definition'), { item: null, rest: '' });
  const sorted = fb.problemsByItem([
    { field: 'definition.items[2].options', message: 'a choice needs options' },
    { field: 'definition.items[2].options', message: 'a second one' },
    { field: 'definition.items[2].options[1].text.en', message: 'required' },
    { field: 'definition.title.tr', message: 'required' },
  ]);
  assert.deepEqual(sorted, {
    form: { 'title.tr': 'required' },
    items: { 'items[2]': { options: 'a choice needs options', 'options[1].text.en': 'required' } },
  });
  assert.deepEqual(fb.subProblems(sorted.items['items[2]'], 'options', 1), { 'text.en': 'required' });
  assert.deepEqual(fb.subProblems(sorted.items['items[2]'], 'options', 0), {});
});

test('the definition sent: texts trimmed, empty languages and meaningless members left out, places kept', () => {
  let items = fb.addItem([], null, { ...filled('choice', [], '  Renk ', ''), link_id: 'colour' });
  items = fb.updateItem(items, [0], (it) => ({ ...it, options: [...it.options, { key: 'x', value: ' ', text: T('', '') }] }));
  const def = fb.toDefinition({ title: T(' Başlık ', ''), description: T('', ''), items });
  assert.deepEqual(def, {
    title: { tr: 'Başlık' },
    items: [{ link_id: 'colour', type: 'choice', text: { tr: 'Renk' }, options: [
      { value: 'o1', text: T('Seçenek 1', 'Option 1') }, { value: 'o2', text: T('Seçenek 2', 'Option 2') }, { value: '', text: {} }] }],
  });
  assert.equal(fb.changed({ title: T('Başlık', ''), description: T('', ''), items }, { title: T(' Başlık', ''), description: T('', ''), items }), false);
});

test('list queries and texts in a language', () => {
  assert.equal(fb.formsQuery({ status: 'archived' }), 'status=archived&limit=50');
  assert.equal(fb.submissionsQuery({ patient_id: 'p', status: '' }), 'patient_id=p&limit=50');
  assert.equal(fb.textIn(T('', 'Only English'), 'tr'), 'Only English');
  assert.equal(fb.textIn(undefined, 'tr'), '');
  assert.deepEqual(fb.consentTexts({ consents: [{ link_id: 'c', text: 'I agree' }] }), { c: 'I agree' });
});

test('the preview names an item or option written without text by its link_id or value', () => {
  const def = fb.toDefinition({ title: T('', ''), description: T('', ''), items: [
    { ...fb.newItem('choice', []), link_id: 'pick', text: T('', '') }] });
  const shown = fb.forPreview(def);
  assert.deepEqual(shown.items[0].text, T('[pick]', '[pick]'));
  assert.deepEqual(shown.items[0].options.map((o) => o.text.en), ['o1', 'o2']);
  assert.deepEqual(fb.forPreview(STORED), { ...STORED });
});
