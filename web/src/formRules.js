// Forms (issue 15, DESIGN.md section 15): the rules both apps' form screens follow, as pure
// functions (tests/web/forms_rules.test.mjs): which items an answer set enables (enable_when
// exactly as include/portal/forms.h states it), the answers a submission or a draft sends
// (disabled items dropped, typed text turned into numbers), a draft's answers carried to a
// newer version for the link_ids that still fit, the problems of an answer set as catalog
// keys (to say the server's problems in the patient's words, beside each question), a
// canonical definition in one language, and the patient app's routes.
//
// The values a form holds while it is filled in ("form values") are the wire values of
// DESIGN.md 15, except that integer and decimal items may hold the text typed (a string such
// as "12" or "3,5"): wireValue() reads it. Texts in the definitions and answers are data,
// never markup: nothing here builds HTML.

export const ITEM_TYPES = Object.freeze([
  'display', 'group', 'boolean', 'integer', 'decimal', 'date', 'string', 'text', 'choice', 'multi_choice', 'consent',
]);
export const FORM_STATES = Object.freeze(['not_started', 'draft', 'submitted']);
export const STRING_MAX = 200; // a string item's max_length when unset (forms.h FORM_STRING_MAX)
export const TEXT_MAX = 5000; // a text item's (FORM_TEXT_MAX)

/** Whether an item must be answered while enabled: required, or a consent (always ticked). */
export const mustAnswer = (item) => Boolean(item?.required) || item?.type === 'consent';

/** Whether an item takes an answer (not display, not group). */
export const takesAnswer = (item) => Boolean(item) && item.type !== 'display' && item.type !== 'group';

/** Every item of a tree in document order: [{item, parent}] (parent: an index, -1 at the top). */
export function flattenItems(items) {
  const out = [];
  const walk = (list, parent) => {
    for (const item of Array.isArray(list) ? list : []) {
      const index = out.length;
      out.push({ item, parent });
      if (item?.type === 'group') walk(item.items, index);
    }
  };
  walk(items, -1);
  return out;
}

/** The answerable items of a tree by link_id. */
export function answerableById(items) {
  const out = new Map();
  for (const { item } of flattenItems(items)) if (takesAnswer(item) && item.link_id) out.set(item.link_id, item);
  return out;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Whether s is a real calendar date written YYYY-MM-DD. */
export function isDate(s) {
  const m = DATE.exec(typeof s === 'string' ? s : '');
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const INTEGER_TEXT = /^[-+]?\d+$/;
const DECIMAL_TEXT = /^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/;

/**
 * A form value as the wire takes it: an integer or decimal item's typed text becomes a
 * number when it reads as one (a comma may stand for the decimal point), a string or text
 * is trimmed; anything that does not read stays as it is (the server names the problem).
 */
export function wireValue(item, value) {
  if (typeof value === 'string') {
    const text = value.trim();
    if (item?.type === 'integer' && INTEGER_TEXT.test(text)) return Number(text);
    if (item?.type === 'decimal' && DECIMAL_TEXT.test(text)) return Number(text.replace(',', '.'));
    if (item?.type === 'integer' || item?.type === 'decimal' || item?.type === 'string' || item?.type === 'text') return text;
  }
  return value;
}

/**
 * Whether a value counts as an answer: anything but nothing, a blank string, an empty list,
 * and (for a consent) anything but true.
 */
export function hasAnswer(item, value) {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string' && value.trim() === '') return false;
  if (Array.isArray(value) && value.length === 0) return false;
  if (item?.type === 'consent') return value === true;
  return true;
}

/** Whether an answer (wire value) equals a condition's answer; a value of the wrong type equals nothing. */
export function answerEquals(item, value, answer) {
  switch (item?.type) {
    case 'boolean':
    case 'consent':
      return typeof value === 'boolean' && value === answer;
    case 'integer':
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) && value === answer;
    case 'date':
    case 'string':
    case 'text':
    case 'choice':
      return typeof value === 'string' && value === answer;
    case 'multi_choice':
      // A multi_choice equals an option's value when that option is among the chosen.
      return Array.isArray(value) && value.some((v) => typeof v === 'string' && v === answer);
    default:
      return false;
  }
}

/**
 * Whether one condition holds, given its question, whether that question is enabled and
 * its wire value. A question that is disabled or has no answer meets only
 * {operator: "exists", answer: false}.
 */
export function conditionHolds(condition, question, questionEnabled, value) {
  const op = condition?.operator;
  if (!question || !questionEnabled || !hasAnswer(question, value)) return op === 'exists' && condition.answer === false;
  if (op === 'exists') return condition.answer === true;
  if (op === '=') return answerEquals(question, value, condition.answer);
  if (op === '!=') return !answerEquals(question, value, condition.answer);
  return false;
}

/**
 * Which items the answers (form values by link_id) enable: {link_id: true | false} for every
 * item, in one pass in document order. An item is enabled when its group is and its
 * enable_when holds: all conditions, or any with enable_behavior "any"; none means always.
 * A condition names an earlier question; one naming an unknown or later item sees a
 * question without an answer.
 */
export function enabledItems(items, answers = {}) {
  const enabled = {};
  const seen = new Map(); // link_id -> item, of the items visited so far
  const flat = flattenItems(items);
  const on = [];
  flat.forEach(({ item, parent }, index) => {
    let state = parent < 0 || on[parent];
    const conds = Array.isArray(item?.enable_when) ? item.enable_when : [];
    if (state && conds.length) {
      const holds = conds.map((c) => {
        const question = seen.get(c?.question);
        const qOn = question ? enabled[question.link_id] === true : false;
        return conditionHolds(c, question, qOn, question ? wireValue(question, answers?.[question.link_id]) : undefined);
      });
      state = item.enable_behavior === 'any' ? holds.some(Boolean) : holds.every(Boolean);
    }
    on[index] = Boolean(state);
    if (item?.link_id !== undefined) {
      enabled[item.link_id] = on[index];
      if (!seen.has(item.link_id)) seen.set(item.link_id, item);
    }
  });
  return enabled;
}

/** Whether a wire value has its item's shape (what a draft may hold; bounds and options aside). */
export function fitsShape(item, value) {
  switch (item?.type) {
    case 'boolean': return typeof value === 'boolean';
    case 'integer': return Number.isInteger(value);
    case 'decimal': return typeof value === 'number' && Number.isFinite(value);
    case 'date': return isDate(value);
    case 'string': case 'text':
      return typeof value === 'string' && [...value].length <= maxLengthOf(item);
    case 'choice': return typeof value === 'string' && value !== '';
    case 'multi_choice':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        && new Set(value).size === value.length && value.length <= (item.options?.length ?? 0);
    case 'consent': return value === true;
    default: return false;
  }
}

/** A string or text item's length limit (its max_length, else the type's). */
export const maxLengthOf = (item) => item?.max_length ?? (item?.type === 'text' ? TEXT_MAX : STRING_MAX);

/**
 * The answers to send: {link_id: wire value} for the enabled, answered items only (answers
 * to disabled items dropped). `draft: true` also drops what a draft may not hold (a number
 * that does not read, an unreal date), so saving a draft never fails on half-typed text;
 * a submission sends it, and the server names the problem.
 */
export function answersToSend(items, values = {}, { draft = false } = {}) {
  const enabled = enabledItems(items, values);
  const out = {};
  for (const { item } of flattenItems(items)) {
    if (!takesAnswer(item) || !enabled[item.link_id] || !Object.hasOwn(values ?? {}, item.link_id)) continue;
    const value = wireValue(item, values[item.link_id]);
    if (!hasAnswer(item, value)) continue;
    if (draft && !fitsShape(item, value)) continue;
    out[item.link_id] = value;
  }
  return out;
}

/**
 * A draft's answers (or a form's values) carried to another version's items: the link_ids
 * that still take an answer of the same shape keep it; a choice keeps a value still among
 * its options, a multi_choice the values that are; a consent is never carried (its text
 * may have changed: the patient ticks it again). Answers the version no longer asks drop.
 */
export function carryAnswers(items, answers = {}) {
  const out = {};
  for (const [id, item] of answerableById(items)) {
    if (!Object.hasOwn(answers ?? {}, id)) continue;
    const value = answers[id];
    const options = new Set((item.options ?? []).map((o) => o.value));
    switch (item.type) {
      case 'choice':
        if (typeof value === 'string' && options.has(value)) out[id] = value;
        break;
      case 'multi_choice':
        if (Array.isArray(value)) {
          const kept = value.filter((v) => options.has(v));
          if (kept.length) out[id] = kept;
        }
        break;
      case 'integer':
      case 'decimal': {
        const wire = wireValue(item, value);
        if (fitsShape(item, wire)) out[id] = value;
        break;
      }
      case 'consent':
        break;
      default:
        if (fitsShape(item, wireValue(item, value))) out[id] = value;
    }
  }
  return out;
}

const numberText = (n) => String(n);

/**
 * The problem of one item's value as {key, params}, or null: what the server would refuse,
 * in catalog keys (forms.problem.*), for the patient's words. Only enabled items are asked.
 */
export function itemProblem(item, rawValue) {
  if (!takesAnswer(item)) return null;
  const value = wireValue(item, rawValue);
  if (!hasAnswer(item, value)) {
    // A consent must be ticked whenever it is enabled, required or not (DESIGN.md 15).
    if (item.type === 'consent') return { key: 'forms.problem.consent', params: {} };
    return item.required ? { key: 'forms.problem.required', params: {} } : null;
  }
  const bounds = (min, max, text = numberText) => {
    const below = min !== undefined && min !== null && value < min;
    const above = max !== undefined && max !== null && value > max;
    if (!below && !above) return null;
    if (min !== undefined && min !== null && max !== undefined && max !== null) {
      return { key: 'forms.problem.between', params: { min: text(min), max: text(max) } };
    }
    return below ? { key: 'forms.problem.min', params: { min: text(min) } } : { key: 'forms.problem.max', params: { max: text(max) } };
  };
  switch (item.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : { key: 'forms.problem.choose', params: {} };
    case 'integer':
      return Number.isInteger(value) ? bounds(item.min, item.max) : { key: 'forms.problem.integer', params: {} };
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? bounds(item.min, item.max) : { key: 'forms.problem.decimal', params: {} };
    case 'date':
      return isDate(value) ? bounds(item.min, item.max) : { key: 'forms.problem.date', params: {} };
    case 'string':
    case 'text':
      if (typeof value !== 'string') return { key: 'forms.problem.invalid', params: {} };
      return [...value].length > maxLengthOf(item)
        ? { key: 'forms.problem.tooLong', params: { max: numberText(maxLengthOf(item)) } } : null;
    case 'choice':
      return (item.options ?? []).some((o) => o.value === value) ? null : { key: 'forms.problem.choose', params: {} };
    case 'multi_choice': {
      const options = new Set((item.options ?? []).map((o) => o.value));
      return Array.isArray(value) && value.every((v) => options.has(v)) && new Set(value).size === value.length
        ? null : { key: 'forms.problem.choose', params: {} };
    }
    case 'consent':
      return null;
    default:
      return { key: 'forms.problem.invalid', params: {} };
  }
}

/** Every problem of the enabled items' values: {link_id: {key, params}}, in document order. */
export function formProblems(items, values = {}) {
  const enabled = enabledItems(items, values);
  const out = {};
  for (const { item } of flattenItems(items)) {
    if (!takesAnswer(item) || !enabled[item.link_id]) continue;
    const problem = itemProblem(item, values?.[item.link_id]);
    if (problem) out[item.link_id] = problem;
  }
  return out;
}

/**
 * The server's problems (a 422's errors: [{field, message}]) said in the patient's words:
 * [{field, key, params}] in the form's order, a field that names an item first (its own
 * problem as formProblems() sees it, else forms.problem.invalid), then any other field.
 */
export function serverProblems(items, values, errors) {
  const local = formProblems(items, values);
  const order = flattenItems(items).map(({ item }) => item?.link_id);
  const fields = [...new Set((errors ?? []).map((e) => String(e?.field ?? '')))];
  const known = fields.filter((f) => order.includes(f)).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const other = fields.filter((f) => !order.includes(f));
  return [
    ...known.map((field) => ({ field, ...(local[field] ?? { key: 'forms.problem.invalid', params: {} }) })),
    ...other.map((field) => ({ field, key: 'forms.problem.other', params: {} })),
  ];
}

const textIn = (text, lang) => {
  if (text === null || text === undefined || typeof text === 'string') return text ?? '';
  const other = lang === 'tr' ? 'en' : 'tr';
  return text[lang] ?? text[other] ?? '';
};

/**
 * A canonical definition (texts as {tr, en}) in one language, the shape GET forms/{id}
 * gives the patient: {title, description, items} with each text a string (lang's, else the
 * other language's) and every other member kept, nesting included.
 */
export function localizeDefinition(definition, lang) {
  const item = (it) => {
    const out = { ...it, text: textIn(it.text, lang) };
    if (Array.isArray(it.options)) out.options = it.options.map((o) => ({ ...o, text: textIn(o.text, lang) }));
    if (Array.isArray(it.items)) out.items = it.items.map(item);
    return out;
  };
  const out = { title: textIn(definition?.title, lang), items: (definition?.items ?? []).map(item) };
  if (definition?.description !== undefined && definition?.description !== null) out.description = textIn(definition.description, lang);
  return out;
}

export const STATE_KEYS = Object.freeze({
  not_started: 'portal.forms.state.not_started',
  draft: 'portal.forms.state.draft',
  submitted: 'portal.forms.state.submitted',
});
export const stateKey = (state) => STATE_KEYS[state] ?? STATE_KEYS.not_started;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The patient app's forms routes: 'forms' → {screen: 'list'}, 'forms/<id>' → {screen: 'form', id}; else null. */
export function formRoute(route) {
  const parts = String(route ?? '').split('/');
  if (parts[0] !== 'forms' || parts.length > 2) return null;
  if (parts.length === 1) return { screen: 'list', id: null };
  return UUID.test(parts[1]) ? { screen: 'form', id: parts[1] } : null;
}

// The permission each patient screen needs (sending needs submit_forms besides).
export const FORM_NEEDS = Object.freeze({ list: ['view_forms'], form: ['view_forms'] });
