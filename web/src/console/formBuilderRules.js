// The console's form builder as pure functions (issue 15; DESIGN.md section 15): the
// builder's own state (a definition whose items carry a client key, numbers still as typed,
// conditions naming their question by key so renaming a link_id keeps them), the changes
// made to it (add, move, remove, edit an item; options; conditions), link_id suggestions,
// the checks made before publishing (the server's rules, so most problems are seen before
// sending; the server stays the judge) and the canonical JSON sent (include/portal/forms.h).
// Problems are named like the server names them, "definition.items[2].options", so a 422
// and a local check land beside the same item.

export const ITEM_TYPES = Object.freeze(['display', 'group', 'boolean', 'integer', 'decimal', 'date', 'string', 'text',
  'choice', 'multi_choice', 'consent']);
export const OPERATORS = Object.freeze(['exists', '=', '!=']);
export const LANGS = Object.freeze(['tr', 'en']);

// Limits of include/portal/forms.h.
export const LIMITS = Object.freeze({
  items: 200,
  depth: 3,
  options: 50,
  conditions: 10,
  linkId: 64,
  title: 200,
  description: 2000,
  itemText: 2000,
  optionText: 200,
  optionValue: 64,
  string: 200,
  text: 5000,
});

export const LINK_ID_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

const CHOICES = new Set(['choice', 'multi_choice']);
const NUMBERS = new Set(['integer', 'decimal']);
const LENGTHS = new Set(['string', 'text']);

/** Whether an item of this type takes an answer (not display, not group). */
export const answers = (type) => type !== 'display' && type !== 'group';
export const hasOptions = (type) => CHOICES.has(type);
export const hasBounds = (type) => NUMBERS.has(type) || type === 'date';
export const hasMaxLength = (type) => LENGTHS.has(type);
/** The longest answer a string or text item may allow (and its default). */
export const maxLengthBound = (type) => (type === 'text' ? LIMITS.text : LIMITS.string);

let lastKey = 0;
/** A key for the builder's lists (items, options, conditions): unique in this page. */
export function newKey(prefix = 'k') {
  lastKey += 1;
  return `${prefix}${lastKey}`;
}

const text = (t) => ({ tr: t?.tr ?? '', en: t?.en ?? '' });
const numberText = (v) => (v === undefined || v === null ? '' : String(v));

/** Every item of the tree in document order: {item, path: [i, j…], depth (1 at the top)}. */
export function flatten(items, parent = [], depth = 1, out = []) {
  items.forEach((item, i) => {
    const path = [...parent, i];
    out.push({ item, path, depth });
    if (item.type === 'group') flatten(item.items ?? [], path, depth + 1, out);
  });
  return out;
}

/** "items[2].items[0]": the name of an item at path, as the server's problems name it. */
export const pathName = (path) => path.map((i) => `items[${i}]`).join('.');

/** The item at path (an array of indexes), or null. */
export function itemAt(items, path) {
  let list = items;
  let item = null;
  for (const i of path) {
    item = list?.[i];
    if (!item) return null;
    list = item.items;
  }
  return item;
}

// The sibling list that holds path replaced by change(list); a new tree, the rest shared.
function withSiblings(items, path, change) {
  if (path.length === 1) return change(items);
  const [head, ...rest] = path;
  return items.map((item, i) => (i === head ? { ...item, items: withSiblings(item.items ?? [], rest, change) } : item));
}

/** Every link_id in use (any depth). */
export const linkIds = (items) => flatten(items).map(({ item }) => item.link_id);

/**
 * A link_id for a new item: from its text when it has one ("Do you smoke?" -> "do_you_smoke"),
 * Turkish letters folded, else "q" (a question), "group" or "info" and the first free number;
 * unique among taken.
 */
export function suggestLinkId(taken, { type = 'string', text: words = '' } = {}) {
  const used = new Set(taken);
  let base = foldTurkish(words).toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40)
    .replace(/_+$/, '');
  if (base && !/^[a-z]/.test(base)) base = `q_${base}`;
  if (base) {
    if (!used.has(base)) return base;
    for (let n = 2; ; n++) if (!used.has(`${base}_${n}`)) return `${base}_${n}`;
  }
  const prefix = type === 'group' ? 'group' : type === 'display' ? 'info' : 'q';
  for (let n = 1; ; n++) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

const TURKISH = { ç: 'c', Ç: 'C', ğ: 'g', Ğ: 'G', ı: 'i', İ: 'I', ö: 'o', Ö: 'O', ş: 's', Ş: 'S', ü: 'u', Ü: 'U' };
function foldTurkish(s) {
  return String(s ?? '').replace(/[çÇğĞıİöÖşŞüÜ]/g, (c) => TURKISH[c]).normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

/** An option for a choice item: a free value o1, o2… and empty texts. */
export function newOption(options = []) {
  const used = new Set(options.map((o) => o.value));
  let n = options.length + 1;
  while (used.has(`o${n}`)) n++;
  return { key: newKey('o'), value: `o${n}`, text: text() };
}

/** A new item of type, its link_id suggested; `auto` while the link_id follows its text. */
export function newItem(type, taken = []) {
  const item = {
    key: newKey('i'), link_id: suggestLinkId(taken, { type }), auto: true, type, text: text(), required: false,
    options: [], min: '', max: '', max_length: '', enable_when: [], enable_behavior: 'all', items: [],
  };
  if (hasOptions(type)) item.options = [newOption(), newOption([{ value: 'o1' }])];
  return item;
}

/** Appends item to the top level (parent null) or to the group at parent's path. */
export function addItem(items, parent, item) {
  if (!parent || parent.length === 0) return [...items, item];
  return withSiblings(items, [...parent, 0], (list) => [...list, item]);
}

/** Applies change (fields, or a function of the item) to the item at path. */
export function updateItem(items, path, change) {
  const i = path[path.length - 1];
  return withSiblings(items, path, (list) => list.map((item, j) => {
    if (j !== i) return item;
    const next = typeof change === 'function' ? change(item) : { ...item, ...change };
    return next;
  }));
}

/** The item at path gone (a group with its items). */
export function removeItem(items, path) {
  const i = path[path.length - 1];
  return withSiblings(items, path, (list) => list.filter((_, j) => j !== i));
}

/** The item at path moved by delta (-1 up, +1 down) among its siblings; unchanged at an end. */
export function moveItem(items, path, delta) {
  const i = path[path.length - 1];
  return withSiblings(items, path, (list) => moveIn(list, i, delta));
}

/** list with its entry i moved by delta, or list itself when that leaves the list. */
export function moveIn(list, i, delta) {
  const j = i + delta;
  if (j < 0 || j >= list.length || i < 0 || i >= list.length) return list;
  const next = [...list];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

/** Whether the item at path can move by delta. */
export function canMove(items, path, delta) {
  const parent = path.length > 1 ? itemAt(items, path.slice(0, -1))?.items ?? [] : items;
  const j = path[path.length - 1] + delta;
  return j >= 0 && j < parent.length;
}

/**
 * A new type for an item: what no longer fits goes (options of a choice, bounds, lengths,
 * children of a group, required of a display); texts, link_id and conditions stay.
 */
export function changeType(item, type) {
  const next = { ...item, type };
  if (!answers(type)) next.required = false;
  if (!hasOptions(type)) next.options = [];
  else if (!item.options?.length) next.options = [newOption(), newOption([{ value: 'o1' }])];
  if (!hasBounds(type) || NUMBERS.has(type) !== NUMBERS.has(item.type)) { next.min = ''; next.max = ''; }
  if (!hasMaxLength(type)) next.max_length = '';
  if (type !== 'group') next.items = [];
  return next;
}

/** The item's text changed; its link_id follows the text while it is still auto. */
export function changeText(items, item, lang, value) {
  const next = { ...item, text: { ...item.text, [lang]: value } };
  if (item.auto) {
    const taken = linkIds(items).filter((id) => id !== item.link_id);
    const words = next.text.en || next.text.tr;
    next.link_id = suggestLinkId(taken, { type: item.type, text: words });
  }
  return next;
}

/**
 * The questions a condition of the item at path may name: earlier items in document order
 * that take an answer, not the item itself, not inside it, not a group holding it.
 */
export function questionsBefore(items, path) {
  const flat = flatten(items);
  const name = pathName(path);
  const at = flat.findIndex((f) => pathName(f.path) === name);
  return flat.slice(0, at < 0 ? flat.length : at).filter((f) => answers(f.item.type)).map((f) => f.item);
}

/** A new condition: on the latest earlier question, "exists". */
export function newCondition(items, path) {
  const before = questionsBefore(items, path);
  const target = before[before.length - 1];
  return { key: newKey('c'), question: target?.key ?? '', operator: 'exists', answer: 'true' };
}

/** The answer a condition starts with when its question or operator changes. */
export function defaultAnswer(question, operator) {
  if (operator === 'exists' || question?.type === 'boolean' || question?.type === 'consent') return 'true';
  if (hasOptions(question?.type)) return question.options?.[0]?.value ?? '';
  return '';
}

/** Which operators fit a question: "exists" always; "=" and "!=" not for consent (always true). */
export const operatorsFor = (question) => (question?.type === 'consent' ? ['exists'] : OPERATORS);

// A condition's answer as the wire value for its question's type and operator; undefined when
// it cannot be read as one.
function conditionAnswer(cond, question) {
  const raw = cond.answer;
  if (cond.operator === 'exists' || question?.type === 'boolean' || question?.type === 'consent') {
    if (raw === 'true' || raw === true) return true;
    if (raw === 'false' || raw === false) return false;
    return undefined;
  }
  switch (question?.type) {
    case 'integer': {
      const s = String(raw).trim();
      return /^-?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
    }
    case 'decimal': {
      const s = String(raw).trim();
      return s !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined;
    }
    default:
      return String(raw ?? '');
  }
}

// A bound as typed -> the wire value for the item's type (numbers; "YYYY-MM-DD" for dates),
// null when empty, undefined when it cannot be read.
function bound(item, raw) {
  const s = String(raw ?? '').trim();
  if (s === '') return null;
  if (item.type === 'date') return DATE_RE.test(s) ? s : undefined;
  if (item.type === 'integer') return /^-?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
  return Number.isFinite(Number(s)) ? Number(s) : undefined;
}

// A text object with only the languages that hold something (trimmed), null when none do.
function wireText(t) {
  const out = {};
  for (const lang of LANGS) {
    const s = String(t?.[lang] ?? '').trim();
    if (s) out[lang] = s;
  }
  return Object.keys(out).length ? out : null;
}

/**
 * The builder's state from a canonical definition (a stored version or a starter):
 * keys added, numbers as text, conditions naming their question by key. Nothing is auto.
 */
export function fromDefinition(def) {
  const keyOf = new Map();
  const read = (list) => (list ?? []).map((src) => {
    const key = newKey('i');
    keyOf.set(src.link_id, key);
    return {
      key, link_id: src.link_id ?? '', auto: false, type: src.type ?? 'string', text: text(src.text),
      required: src.required === true,
      options: (src.options ?? []).map((o) => ({ key: newKey('o'), value: o.value ?? '', text: text(o.text) })),
      min: numberText(src.min), max: numberText(src.max), max_length: numberText(src.max_length),
      enable_when: (src.enable_when ?? []).map((c) => ({
        key: newKey('c'), linkId: c.question, operator: c.operator ?? 'exists',
        answer: typeof c.answer === 'boolean' ? String(c.answer) : numberText(c.answer),
      })),
      enable_behavior: src.enable_behavior === 'any' ? 'any' : 'all',
      items: read(src.items),
    };
  });
  const items = read(def?.items);
  // Conditions by key once every item has one (a condition names an earlier item, but a
  // stored one that does not keeps its link_id so the check says so).
  const link = (list) => list.map((item) => ({
    ...item,
    enable_when: item.enable_when.map(({ linkId, ...c }) => ({ ...c, question: keyOf.get(linkId) ?? `?${linkId}` })),
    items: link(item.items),
  }));
  return { title: text(def?.title), description: text(def?.description), items: link(items) };
}

/** An empty form for the builder. */
export const emptyForm = () => ({ title: text(), description: text(), items: [] });

/**
 * The canonical definition sent to POST / PUT clinic/forms: texts trimmed with empty
 * languages left out, members only where they mean something for the type, numbers as
 * numbers, conditions by link_id. Items, options and conditions keep their places, so the
 * server's "items[2].options[1]" names what the builder shows there.
 */
export function toDefinition(form) {
  const byKey = new Map(flatten(form.items).map(({ item }) => [item.key, item]));
  const write = (list) => list.map((item) => {
    const out = { link_id: item.link_id.trim(), type: item.type, text: wireText(item.text) ?? {} };
    if (answers(item.type) && item.required) out.required = true;
    if (hasOptions(item.type)) {
      out.options = item.options.map((o) => ({ value: o.value.trim(), text: wireText(o.text) ?? {} }));
    }
    if (hasBounds(item.type)) {
      const min = bound(item, item.min);
      const max = bound(item, item.max);
      if (min !== null) out.min = min === undefined ? String(item.min).trim() : min;
      if (max !== null) out.max = max === undefined ? String(item.max).trim() : max;
    }
    if (hasMaxLength(item.type) && String(item.max_length ?? '').trim() !== '') {
      const s = String(item.max_length).trim();
      out.max_length = /^\d+$/.test(s) ? Number(s) : s;
    }
    if (item.enable_when.length) {
      out.enable_when = item.enable_when.map((c) => {
        const question = byKey.get(c.question);
        const answer = conditionAnswer(c, question);
        return {
          question: question ? question.link_id.trim() : String(c.question).replace(/^\?/, ''),
          operator: c.operator,
          answer: answer === undefined ? String(c.answer ?? '') : answer,
        };
      });
      if (item.enable_when.length > 1) out.enable_behavior = item.enable_behavior;
    }
    if (item.type === 'group') out.items = write(item.items);
    return out;
  });
  const def = { title: wireText(form.title) ?? {} };
  const description = wireText(form.description);
  if (description) def.description = description;
  def.items = write(form.items);
  return def;
}

/**
 * The builder's checks before publishing, for a clinic using `languages` (['tr', 'en'] or
 * one of them): every problem as {field: "definition.items[1].text.en", code}, code one of
 * required, tooLong, linkId, linkIdTaken, noOptions, optionValueTaken, noItems, tooDeep,
 * tooMany, notNumber, notDate, minAboveMax, maxLength, noQuestion, laterQuestion,
 * answerType, tooManyOptions, tooManyConditions. [] when it may be sent.
 */
export function builderProblems(form, languages = LANGS) {
  const problems = [];
  const add = (field, code) => problems.push({ field: `definition.${field}`, code });
  const needText = (t, field, max) => {
    for (const lang of languages) {
      const s = String(t?.[lang] ?? '').trim();
      if (!s) add(`${field}.${lang}`, 'required');
      else if (s.length > max) add(`${field}.${lang}`, 'tooLong');
    }
  };
  const maxText = (t, field, max) => {
    for (const lang of LANGS) if (String(t?.[lang] ?? '').trim().length > max) add(`${field}.${lang}`, 'tooLong');
  };
  needText(form.title, 'title', LIMITS.title);
  maxText(form.description, 'description', LIMITS.description);
  if (form.items.length === 0) add('items', 'noItems');

  const flat = flatten(form.items);
  if (flat.length > LIMITS.items) add('items', 'tooMany');
  const seen = new Map(); // link_id -> first path
  const position = new Map(flat.map((f, i) => [f.item.key, i]));
  flat.forEach(({ item, path, depth }, index) => {
    const at = pathName(path);
    const id = item.link_id.trim();
    if (!LINK_ID_RE.test(id)) add(`${at}.link_id`, 'linkId');
    else if (seen.has(id)) add(`${at}.link_id`, 'linkIdTaken');
    else seen.set(id, at);
    if (depth > LIMITS.depth) add(at, 'tooDeep');
    needText(item.text, `${at}.text`, LIMITS.itemText);
    if (item.type === 'group' && item.items.length === 0) add(`${at}.items`, 'noItems');
    if (hasOptions(item.type)) {
      if (item.options.length === 0) add(`${at}.options`, 'noOptions');
      if (item.options.length > LIMITS.options) add(`${at}.options`, 'tooManyOptions');
      const values = new Set();
      item.options.forEach((o, i) => {
        const v = o.value.trim();
        if (!v) add(`${at}.options[${i}].value`, 'required');
        else if (v.length > LIMITS.optionValue) add(`${at}.options[${i}].value`, 'tooLong');
        else if (values.has(v)) add(`${at}.options[${i}].value`, 'optionValueTaken');
        values.add(v);
        needText(o.text, `${at}.options[${i}].text`, LIMITS.optionText);
      });
    }
    if (hasBounds(item.type)) {
      const min = bound(item, item.min);
      const max = bound(item, item.max);
      const bad = item.type === 'date' ? 'notDate' : 'notNumber';
      if (min === undefined) add(`${at}.min`, bad);
      if (max === undefined) add(`${at}.max`, bad);
      if (min !== null && max !== null && min !== undefined && max !== undefined && min > max) add(`${at}.max`, 'minAboveMax');
    }
    if (hasMaxLength(item.type) && String(item.max_length ?? '').trim() !== '') {
      const s = String(item.max_length).trim();
      if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > maxLengthBound(item.type)) add(`${at}.max_length`, 'maxLength');
    }
    if (item.enable_when.length > LIMITS.conditions) add(`${at}.enable_when`, 'tooManyConditions');
    const ancestors = new Set(flat.filter((f) => at.startsWith(`${pathName(f.path)}.`)).map((f) => f.item.key));
    item.enable_when.forEach((c, i) => {
      const field = `${at}.enable_when[${i}]`;
      const target = flat.find((f) => f.item.key === c.question)?.item;
      if (!target) { add(`${field}.question`, 'noQuestion'); return; }
      if (!answers(target.type) || target.key === item.key || ancestors.has(target.key) || position.get(target.key) > index) {
        add(`${field}.question`, 'laterQuestion');
        return;
      }
      if (!OPERATORS.includes(c.operator) || !operatorsFor(target).includes(c.operator)) { add(`${field}.operator`, 'answerType'); return; }
      const value = conditionAnswer(c, target);
      let fits = value !== undefined;
      if (fits && c.operator !== 'exists') {
        if (target.type === 'date') fits = DATE_RE.test(value);
        else if (hasOptions(target.type)) fits = target.options.some((o) => o.value.trim() === value);
        else if (LENGTHS.has(target.type)) fits = value.trim() !== '';
      }
      if (!fits) add(`${field}.answer`, 'answerType');
    });
  });
  return problems;
}

/**
 * A problem's field split into the item it concerns and the rest:
 * "definition.items[2].items[0].options[1].value" -> {item: "items[2].items[0]",
 * rest: "options[1].value"}; a form-level one ("definition.title.tr", "definition") has
 * item null.
 */
export function splitField(field) {
  const name = String(field ?? '').replace(/^definition\.?/, '');
  const m = /^((?:items\[\d+\])(?:\.items\[\d+\])*)(?:\.(.*))?$/.exec(name);
  if (!m) return { item: null, rest: name };
  return { item: m[1], rest: m[2] ?? '' };
}

/**
 * Problems ({field, message}) sorted for the screen: {form: {rest: message}, items: {"items[2]":
 * {rest: message}}}, the first message of each field kept.
 */
export function problemsByItem(problems) {
  const out = { form: {}, items: {} };
  for (const p of problems ?? []) {
    const { item, rest } = splitField(p.field);
    const bucket = item === null ? out.form : (out.items[item] ??= {});
    if (!(rest in bucket)) bucket[rest] = p.message;
  }
  return out;
}

/** The problems under an option or condition of an item: "options[1].value" -> {value: msg} for index 1. */
export function subProblems(itemProblems, list, index) {
  const out = {};
  const prefix = `${list}[${index}]`;
  for (const [rest, message] of Object.entries(itemProblems ?? {})) {
    if (rest === prefix) out[''] = message;
    else if (rest.startsWith(`${prefix}.`)) out[rest.slice(prefix.length + 1)] = message;
  }
  return out;
}

/** Whether the builder's form differs from the one it started from. */
export const changed = (form, start) => JSON.stringify(toDefinition(form)) !== JSON.stringify(toDefinition(start));

/** A text object in lang, or the other language's, or ''. */
export const textIn = (t, lang) => (t?.[lang] || t?.[lang === 'tr' ? 'en' : 'tr'] || '');

/** Query of GET clinic/forms. */
export function formsQuery({ status = 'active', limit = 50 } = {}) {
  return new URLSearchParams({ status, limit: String(limit) }).toString();
}

/** Query of GET clinic/form-submissions: only the filters set. */
export function submissionsQuery({ form_id, patient_id, status, limit = 50 } = {}) {
  const q = new URLSearchParams();
  if (form_id) q.set('form_id', form_id);
  if (patient_id) q.set('patient_id', patient_id);
  if (status) q.set('status', status);
  q.set('limit', String(limit));
  return q.toString();
}

/**
 * A submission's answers for a read-only view, the consents' kept texts by link_id
 * (what the patient ticked, in the words they read).
 */
export function consentTexts(submission) {
  return Object.fromEntries((submission?.consents ?? []).map((c) => [c.link_id, c.text]));
}

/**
 * A definition the preview can show while it is being written: an item or option without
 * any text reads as its link_id or value, so no control is left without a name.
 */
export function forPreview(def) {
  const filled = (t, fallback) => (wireText(t) ?? { tr: fallback, en: fallback });
  const item = (it) => ({
    ...it,
    text: filled(it.text, `[${it.link_id}]`),
    ...(it.options ? { options: it.options.map((o) => ({ ...o, text: filled(o.text, o.value || '—') })) } : {}),
    ...(it.items ? { items: it.items.map(item) } : {}),
  });
  return { ...def, title: filled(def.title, '—'), items: (def.items ?? []).map(item) };
}
