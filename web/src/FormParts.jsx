// A form's questions as both apps show them (issue 15): the patient fills them in
// (portal/Forms.jsx), staff preview a definition in either language and read a submission
// with the version it was made for (console). Items come localized: every text a string,
// the shape GET forms/{id} gives (localizeDefinition() in formRules.js makes it from a
// canonical definition). Every item type; an item whose enable_when does not hold is not
// shown, and shows again as the answers change; a problem stands beside its question
// (aria-invalid on the control, aria-describedby naming the problem). Texts are data,
// rendered as text, never as HTML. The words of the form itself (Yes, No, required...)
// follow `lang`, so a preview in Turkish reads Turkish whatever the console's language.
import { catalogs, t as tCurrent } from './i18n/index.js';
import { enabledItems, isDate, maxLengthOf, mustAnswer, takesAnswer } from './formRules.js';
import './forms.css';

export { localizeDefinition } from './formRules.js';

// More options than this: a choice is a drop-down list instead of radio buttons.
const RADIO_MAX = 8;

/** A translator for one language (the current one when lang has no catalog). */
function inLang(lang) {
  const catalog = catalogs[lang];
  if (!catalog) return tCurrent;
  return (key, params) => {
    const template = catalog[key];
    if (template === undefined) return tCurrent(key, params);
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (m, name) => (Object.hasOwn(params, name) ? String(params[name]) : m));
  };
}

/** The id of an item's wrapper in a FormView with this idPrefix. */
export const itemElementId = (idPrefix, linkId) => `${idPrefix}-${linkId}-item`;

/** Moves the focus to an item's first control (or the item itself): the summary's links use it. */
export function focusItem(idPrefix, linkId) {
  const wrapper = document.getElementById(itemElementId(idPrefix, linkId));
  if (!wrapper) return false;
  const control = wrapper.querySelector('input, select, textarea');
  (control ?? wrapper).focus();
  wrapper.scrollIntoView?.({ block: 'center' });
  return true;
}

const numberIn = (value, lang) => (lang === 'tr' ? String(value).replace('.', ',') : String(value));

function dateIn(value, lang) {
  if (!isDate(value)) return String(value);
  const [y, m, d] = value.split('-').map(Number);
  return new Intl.DateTimeFormat(lang === 'tr' ? 'tr-TR' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** The bounds hint of an integer, decimal or date item, or null. */
function boundsHint(item, t, lang) {
  const has = (v) => v !== undefined && v !== null;
  if (!has(item.min) && !has(item.max)) return null;
  const show = (v) => (item.type === 'date' ? dateIn(v, lang) : numberIn(v, lang));
  if (has(item.min) && has(item.max)) return t('forms.hint.between', { min: show(item.min), max: show(item.max) });
  return has(item.min) ? t('forms.hint.min', { min: show(item.min) }) : t('forms.hint.max', { max: show(item.max) });
}

/**
 * A problem ({key, params} from formRules.js itemProblem / serverProblems) in words of lang;
 * a date item's bounds written as dates.
 */
export function problemWords(problem, item, lang) {
  const t = inLang(lang);
  const params = { ...(problem?.params ?? {}) };
  for (const bound of ['min', 'max']) {
    if (params[bound] === undefined) continue;
    params[bound] = item?.type === 'date' ? dateIn(params[bound], lang) : numberIn(params[bound], lang);
  }
  return t(problem?.key ?? 'forms.problem.invalid', params);
}

/** An answer as text, for reading (a submission, a read-only form). */
export function answerText(item, value, lang) {
  const t = inLang(lang);
  const optionText = (v) => item.options?.find((o) => o.value === v)?.text ?? String(v);
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) return null;
  switch (item.type) {
    case 'boolean': return value === true ? t('forms.yes') : value === false ? t('forms.no') : String(value);
    case 'consent': return value === true ? t('forms.consent.given') : t('forms.consent.notGiven');
    case 'integer': case 'decimal': return numberIn(value, lang);
    case 'date': return dateIn(value, lang);
    case 'choice': return optionText(value);
    case 'multi_choice': return Array.isArray(value) ? value.map(optionText).join(', ') : String(value);
    default: return String(value);
  }
}

/**
 * The form's items. Props: items (localized), lang ('tr' | 'en': the form's own words),
 * answers ({link_id: value}; an integer or decimal may be the text typed), errors
 * ({link_id: text} shown beside each question), onChange(link_id, value) for each change,
 * readOnly (the answers as text, no controls), idPrefix (unique on the page).
 */
export function FormView({ items, lang, answers = {}, errors = {}, onChange, readOnly = false, idPrefix = 'form' }) {
  const t = inLang(lang);
  const enabled = enabledItems(items, answers);
  const change = (id, value) => onChange?.(id, value);
  const list = Array.isArray(items) ? items : [];

  // Plain functions called in place, not components: a component made inside FormView would
  // be a new type on each render, and its inputs would lose the focus at every keystroke.
  const renderItems = (level) => level.filter((item) => enabled[item.link_id]).map((item) => (
    readOnly ? readItem(item) : editItem(item)
  ));

  function question(item, base, as = 'label') {
    const words = (
      <>
        <span dir="auto" class="form-text">{item.text}</span>
        {mustAnswer(item) && <span class="form-required"> ({t('forms.required')})</span>}
      </>
    );
    return as === 'legend' ? <legend class="form-question">{words}</legend>
      : <label class="form-question" for={`${base}-input`}>{words}</label>;
  }

  function editItem(item) {
    const base = `${idPrefix}-${item.link_id}`;
    const problem = errors?.[item.link_id];
    const hint = (item.type === 'integer' || item.type === 'decimal' || item.type === 'date') ? boundsHint(item, t, lang) : null;
    const described = [problem ? `${base}-error` : null, hint ? `${base}-hint` : null].filter(Boolean).join(' ') || undefined;
    const invalid = problem ? 'true' : undefined;
    const value = answers?.[item.link_id];
    const problemLine = problem && (
      <p class="field-error form-error" id={`${base}-error`} data-testid="form-item-problem" data-link-id={item.link_id}>
        {problem}
      </p>
    );
    const hintLine = hint && <p class="form-hint muted" id={`${base}-hint`}>{hint}</p>;
    const wrap = (children, extra = '') => (
      <div key={item.link_id} class={`form-item form-item-${item.type}${problem ? ' form-item-invalid' : ''}${extra}`} id={itemElementId(idPrefix, item.link_id)}
        tabIndex={-1} data-testid="form-item" data-link-id={item.link_id} data-type={item.type}>
        {children}
      </div>
    );

    switch (item.type) {
      case 'display':
        return wrap(<p class="form-display" dir="auto">{item.text}</p>);
      case 'group':
        return (
          <fieldset key={item.link_id} class="form-group" id={itemElementId(idPrefix, item.link_id)} tabIndex={-1} data-testid="form-item"
            data-link-id={item.link_id} data-type="group">
            <legend class="form-group-title" dir="auto">{item.text}</legend>
            {renderItems(item.items ?? [])}
          </fieldset>
        );
      case 'boolean':
      case 'choice':
      case 'multi_choice': {
        const options = item.type === 'boolean'
          ? [{ value: true, text: t('forms.yes') }, { value: false, text: t('forms.no') }]
          : (item.options ?? []);
        if (item.type === 'choice' && options.length > RADIO_MAX) {
          return wrap(
            <>
              {question(item, base)}
              {problemLine}
              <select id={`${base}-input`} value={typeof value === 'string' ? value : ''} aria-invalid={invalid}
                aria-describedby={described} onChange={(e) => change(item.link_id, e.currentTarget.value || undefined)}>
                <option value="">{t('forms.choose')}</option>
                {options.map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
              </select>
            </>,
          );
        }
        const multi = item.type === 'multi_choice';
        const chosen = multi ? (Array.isArray(value) ? value : []) : value;
        const toggle = (v, on) => {
          const next = options.map((o) => o.value).filter((ov) => (ov === v ? on : chosen.includes(ov)));
          change(item.link_id, next);
        };
        return wrap(
          <fieldset class="form-options" role={multi ? undefined : 'radiogroup'} aria-describedby={described}>
            {question(item, base, 'legend')}
            {problemLine}
            {options.map((o, i) => {
              const on = multi ? chosen.includes(o.value) : chosen === o.value;
              return (
                <label key={String(o.value)} class={`form-option${on ? ' form-option-on' : ''}`} for={`${base}-${i}`}>
                  <input type={multi ? 'checkbox' : 'radio'} id={`${base}-${i}`} name={base} checked={on}
                    aria-invalid={invalid}
                    onChange={(e) => (multi ? toggle(o.value, e.currentTarget.checked) : change(item.link_id, o.value))} />
                  <span dir="auto">{o.text}</span>
                </label>
              );
            })}
          </fieldset>,
        );
      }
      case 'consent':
        return wrap(
          <>
            {problemLine}
            <label class={`form-option form-consent${value === true ? ' form-option-on' : ''}`} for={`${base}-input`}>
              <input type="checkbox" id={`${base}-input`} checked={value === true} aria-invalid={invalid} aria-describedby={described}
                onChange={(e) => change(item.link_id, e.currentTarget.checked ? true : undefined)} />
              <span>
                <span dir="auto" class="form-text">{item.text}</span>
                {mustAnswer(item) && <span class="form-required"> ({t('forms.required')})</span>}
              </span>
            </label>
          </>,
        );
      case 'text':
        return wrap(
          <>
            {question(item, base)}
            {problemLine}
            <textarea id={`${base}-input`} rows={4} maxLength={maxLengthOf(item)} dir="auto" value={typeof value === 'string' ? value : ''}
              aria-invalid={invalid} aria-describedby={described} onInput={(e) => change(item.link_id, e.currentTarget.value)} />
          </>,
        );
      default: {
        // string, integer, decimal, date: one line
        const typeProps = {
          string: { type: 'text', maxLength: maxLengthOf(item), dir: 'auto' },
          integer: { type: 'text', inputMode: 'numeric', autoComplete: 'off' },
          decimal: { type: 'text', inputMode: 'decimal', autoComplete: 'off' },
          date: { type: 'date', min: item.min ?? undefined, max: item.max ?? undefined },
        }[item.type] ?? { type: 'text' };
        return wrap(
          <>
            {question(item, base)}
            {hintLine}
            {problemLine}
            <input id={`${base}-input`} {...typeProps} value={value === undefined || value === null ? '' : String(value)}
              aria-invalid={invalid} aria-describedby={described} onInput={(e) => change(item.link_id, e.currentTarget.value)} />
          </>,
        );
      }
    }
  }

  function readItem(item) {
    const base = `${idPrefix}-${item.link_id}`;
    if (item.type === 'display') {
      return <p key={item.link_id} class="form-display" dir="auto" data-testid="form-item" data-link-id={item.link_id} data-type="display">{item.text}</p>;
    }
    if (item.type === 'group') {
      return (
        <section key={item.link_id} class="form-group" aria-labelledby={`${base}-title`} data-testid="form-item"
          data-link-id={item.link_id} data-type="group">
          <h3 class="form-group-title" id={`${base}-title`} dir="auto">{item.text}</h3>
          {renderItems(item.items ?? [])}
        </section>
      );
    }
    const text = takesAnswer(item) ? answerText(item, answers?.[item.link_id], lang) : null;
    return (
      <div key={item.link_id} class="form-answer" data-testid="form-item" data-link-id={item.link_id} data-type={item.type}>
        <p class="form-question" dir="auto">{item.text}</p>
        <p class={text === null ? 'form-value muted' : 'form-value'} dir="auto" data-testid="form-answer">
          {text ?? t('forms.noAnswer')}
        </p>
      </div>
    );
  }

  return (
    <div class={readOnly ? 'form-view form-view-read' : 'form-view'} lang={lang} data-testid="form-view">
      {renderItems(list)}
    </div>
  );
}
