// The form builder (issue 15), at #/forms/new (a blank form or a copy of one of the starters
// of GET clinic/form-starters) and #/forms/<id>/edit (the current version, published again
// as the next one): the title and description in Turkish and English, the items at any
// depth (groups hold items), each with its type, link_id (suggested from its text while
// new), texts, required, bounds, max_length, options of a choice and the conditions that
// show it (enable_when, enable_behavior); add, move up and down (buttons, the focus kept on
// the moved item) and remove (with Undo). Preview in either language shows the form as a patient gets
// it, conditional questions appearing as answers change (FormParts.jsx). Publishing checks
// first (formBuilderRules.js), then POST clinic/forms or PUT clinic/forms/{id}; every
// problem, ours or the server's 422 (named like "definition.items[2].options"), stands
// beside the item and field it concerns, and in a summary at the top that leads to it.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { FormView, localizeDefinition } from '../FormParts.jsx';
import {
  addItem, answers as takesAnswer, builderProblems, canMove, changed, changeText, changeType, defaultAnswer, emptyForm,
  flatten, forPreview, fromDefinition, hasBounds, itemAt, hasMaxLength, hasOptions, ITEM_TYPES, LANGS, LIMITS, linkIds, maxLengthBound,
  moveIn, moveItem, newCondition, newItem, newOption, operatorsFor, pathName, problemsByItem, questionsBefore,
  removeItem, subProblems, textIn, toDefinition, updateItem,
} from './formBuilderRules.js';
import { errorMessage } from './common.jsx';
import { setFormsNotice } from './FormsParts.jsx';
import './forms.css';

const PROBLEM_KEYS = {
  required: 'console.forms.problem.required',
  tooLong: 'console.forms.problem.tooLong',
  linkId: 'console.forms.problem.linkId',
  linkIdTaken: 'console.forms.problem.linkIdTaken',
  noOptions: 'console.forms.problem.noOptions',
  optionValueTaken: 'console.forms.problem.optionValueTaken',
  noItems: 'console.forms.problem.noItems',
  tooDeep: 'console.forms.problem.tooDeep',
  tooMany: 'console.forms.problem.tooMany',
  notNumber: 'console.forms.problem.notNumber',
  notDate: 'console.forms.problem.notDate',
  minAboveMax: 'console.forms.problem.minAboveMax',
  maxLength: 'console.forms.problem.maxLength',
  noQuestion: 'console.forms.problem.noQuestion',
  laterQuestion: 'console.forms.problem.laterQuestion',
  answerType: 'console.forms.problem.answerType',
  tooManyOptions: 'console.forms.problem.tooManyOptions',
  tooManyConditions: 'console.forms.problem.tooManyConditions',
};

export const typeLabel = (type) => t(`console.forms.type.${type}`);
const langName = (lang) => t(`console.forms.lang.${lang}`);

// An element id for a field of an item: "fb-i12-text-tr", "fb-i12-options-0-value".
const fieldId = (key, rest) => `fb-${key}-${String(rest || 'item').replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}`;

/** A problem's field in words: "Text (English)", "Option 2: value", "Condition 1: answer". */
function fieldWords(rest) {
  if (!rest) return '';
  let m = /^text\.(tr|en)$/.exec(rest);
  if (m) return t('console.forms.field.textIn', { lang: langName(m[1]) });
  m = /^(title|description)\.(tr|en)$/.exec(rest);
  if (m) return t(`console.forms.field.${m[1]}In`, { lang: langName(m[2]) });
  m = /^options\[(\d+)\](?:\.(value|text\.(tr|en)))?$/.exec(rest);
  if (m) {
    const which = m[3] ? t('console.forms.field.textIn', { lang: langName(m[3]) }) : m[2] ? t('console.forms.option.value') : '';
    return [t('console.forms.field.option', { n: Number(m[1]) + 1 }), which].filter(Boolean).join(': ');
  }
  m = /^enable_when\[(\d+)\](?:\.(question|operator|answer))?$/.exec(rest);
  if (m) {
    return [t('console.forms.field.condition', { n: Number(m[1]) + 1 }), m[2] ? t(`console.forms.cond.${m[2]}`) : '']
      .filter(Boolean).join(': ');
  }
  const known = { link_id: 'console.forms.item.linkId', options: 'console.forms.item.options', min: 'console.forms.item.min',
    max: 'console.forms.item.max', max_length: 'console.forms.item.maxLength', enable_when: 'console.forms.item.conditions',
    enable_behavior: 'console.forms.item.behavior', items: 'console.forms.item.children', type: 'console.forms.item.type',
    required: 'console.forms.item.required', title: 'console.forms.title', description: 'console.forms.description' };
  return known[rest] ? t(known[rest]) : rest;
}

/** A text input or textarea with its label, hint, problem beside it (aria-invalid, aria-describedby). */
function Field({ id, label, value, onInput, problem, hint, multiline = false, type = 'text', required = false,
  maxLength, testid, inputRef, ...rest }) {
  const described = [hint ? `${id}-hint` : null, problem ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  const Tag = multiline ? 'textarea' : 'input';
  return (
    <div class="field fb-field">
      <label for={id}>
        {label}
        {required && <span class="fb-needed"> ({t('console.forms.needed')})</span>}
      </label>
      <Tag id={id} ref={inputRef} type={multiline ? undefined : type} rows={multiline ? 2 : undefined} value={value}
        maxLength={maxLength} dir={type === 'text' ? 'auto' : undefined} aria-invalid={problem ? 'true' : undefined}
        aria-describedby={described} data-testid={testid} onInput={(e) => onInput(e.currentTarget.value)} {...rest} />
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {problem && <p class="field-error" id={`${id}-error`} data-testid="fb-problem">{problem}</p>}
    </div>
  );
}

/** Two texts of one thing, Turkish and English, the clinic's languages marked needed. */
function Texts({ idBase, label, value, onChange, problems, prefix, languages, multiline, maxLength, testid }) {
  return (
    <div class="fb-texts">
      {LANGS.map((lang) => (
        <Field key={lang} id={`${idBase}-${lang}`} label={t('console.forms.labelIn', { label, lang: langName(lang) })}
          value={value?.[lang] ?? ''} lang={lang} multiline={multiline} maxLength={maxLength}
          required={languages.includes(lang)} problem={problems?.[`${prefix}${lang}`]} testid={`${testid}-${lang}`}
          onInput={(v) => onChange(lang, v)} />
      ))}
    </div>
  );
}

/** Adds an item of a chosen type at the end of a list (the form's, or a group's). */
function AddItem({ idBase, label, onAdd, testid }) {
  const [type, setType] = useState('boolean');
  return (
    <div class="fb-add" role="group" aria-label={label}>
      <div class="field">
        <label for={`${idBase}-type`}>{t('console.forms.add.type')}</label>
        <select id={`${idBase}-type`} value={type} onChange={(e) => setType(e.currentTarget.value)} data-testid={`${testid}-type`}>
          {ITEM_TYPES.map((k) => <option key={k} value={k}>{typeLabel(k)}</option>)}
        </select>
      </div>
      <button type="button" class="button button-small button-outline" onClick={() => onAdd(type)} data-testid={testid}>
        {label}
      </button>
    </div>
  );
}

/** A condition's answer control, fitting the question's type and the operator. */
function ConditionAnswer({ id, cond, question, onChange, problem }) {
  const props = {
    id, 'aria-invalid': problem ? 'true' : undefined, 'aria-describedby': problem ? `${id}-error` : undefined,
    'data-testid': 'fb-cond-answer',
  };
  let control;
  if (cond.operator === 'exists') {
    control = (
      <select {...props} value={cond.answer} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="true">{t('console.forms.cond.answered')}</option>
        <option value="false">{t('console.forms.cond.notAnswered')}</option>
      </select>
    );
  } else if (question?.type === 'boolean') {
    control = (
      <select {...props} value={cond.answer} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="true">{t('console.forms.yes')}</option>
        <option value="false">{t('console.forms.no')}</option>
      </select>
    );
  } else if (hasOptions(question?.type)) {
    const lang = document.documentElement.lang === 'en' ? 'en' : 'tr';
    control = (
      <select {...props} value={cond.answer} onChange={(e) => onChange(e.currentTarget.value)}>
        {!question.options.some((o) => o.value === cond.answer) && <option value={cond.answer}>{cond.answer || '—'}</option>}
        {question.options.map((o) => <option key={o.key} value={o.value}>{textIn(o.text, lang) || o.value}</option>)}
      </select>
    );
  } else {
    const type = question?.type === 'date' ? 'date' : (question?.type === 'integer' || question?.type === 'decimal') ? 'number' : 'text';
    control = (
      <input {...props} type={type} step={question?.type === 'decimal' ? 'any' : undefined} value={cond.answer}
        onInput={(e) => onChange(e.currentTarget.value)} />
    );
  }
  return (
    <div class="field">
      <label for={id}>{t('console.forms.cond.answer')}</label>
      {control}
      {problem && <p class="field-error" id={`${id}-error`} data-testid="fb-problem">{problem}</p>}
    </div>
  );
}

/** "Show this item only when…": the item's conditions and how they combine. */
function Conditions({ item, path, items, problems, onItem }) {
  const lang = useLanguage();
  const before = questionsBefore(items, path);
  const positions = new Map(flatten(items).map((f, i) => [f.item.key, i + 1]));
  const base = fieldId(item.key, 'enable_when');
  const setCond = (i, change) => onItem((it) => ({ ...it, enable_when: it.enable_when.map((c, j) => (j === i ? { ...c, ...change } : c)) }));
  const labelOf = (q) => `${positions.get(q.key)}. ${textIn(q.text, lang) || q.link_id} (${q.link_id})`;
  return (
    <fieldset class="fb-conditions" data-testid="fb-conditions">
      <legend>{t('console.forms.cond.heading')}</legend>
      {item.enable_when.length === 0 && <p class="hint">{t('console.forms.cond.none')}</p>}
      {problems?.enable_when && <p class="field-error" data-testid="fb-problem">{problems.enable_when}</p>}
      {item.enable_when.length > 0 && (
        <ol class="fb-cond-list">
          {item.enable_when.map((cond, i) => {
            const sub = subProblems(problems, 'enable_when', i);
            const question = before.find((q) => q.key === cond.question) ?? flatten(items).find((f) => f.item.key === cond.question)?.item;
            const id = `${base}-${i}`;
            return (
              <li key={cond.key} class="fb-cond" data-testid="fb-cond">
                <div class="field">
                  <label for={`${id}-question`}>{t('console.forms.cond.question')}</label>
                  <select id={`${id}-question`} value={cond.question} data-testid="fb-cond-question"
                    aria-invalid={sub.question ? 'true' : undefined} aria-describedby={sub.question ? `${id}-question-error` : undefined}
                    onChange={(e) => {
                      const q = before.find((x) => x.key === e.currentTarget.value);
                      const operator = operatorsFor(q).includes(cond.operator) ? cond.operator : 'exists';
                      setCond(i, { question: e.currentTarget.value, operator, answer: defaultAnswer(q, operator) });
                    }}>
                    {!before.some((q) => q.key === cond.question) && (
                      <option value={cond.question}>{question ? labelOf(question) : t('console.forms.cond.missing')}</option>
                    )}
                    {before.map((q) => <option key={q.key} value={q.key}>{labelOf(q)}</option>)}
                  </select>
                  {sub.question && <p class="field-error" id={`${id}-question-error`} data-testid="fb-problem">{sub.question}</p>}
                </div>
                <div class="field">
                  <label for={`${id}-operator`}>{t('console.forms.cond.operator')}</label>
                  <select id={`${id}-operator`} value={cond.operator} data-testid="fb-cond-operator"
                    aria-invalid={sub.operator ? 'true' : undefined}
                    onChange={(e) => setCond(i, { operator: e.currentTarget.value, answer: defaultAnswer(question, e.currentTarget.value) })}>
                    {operatorsFor(question).map((op) => <option key={op} value={op}>{t(`console.forms.op.${op === '=' ? 'eq' : op === '!=' ? 'ne' : 'exists'}`)}</option>)}
                  </select>
                  {sub.operator && <p class="field-error" data-testid="fb-problem">{sub.operator}</p>}
                </div>
                <ConditionAnswer id={`${id}-answer`} cond={cond} question={question} problem={sub.answer ?? sub['']}
                  onChange={(answer) => setCond(i, { answer })} />
                <button type="button" class="button button-small button-outline fb-remove-cond" data-testid="fb-cond-remove"
                  onClick={() => onItem((it) => ({ ...it, enable_when: it.enable_when.filter((_, j) => j !== i) }))}>
                  {t('console.forms.cond.remove')}<span class="visually-hidden"> {t('console.forms.field.condition', { n: i + 1 })}</span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
      {item.enable_when.length > 1 && (
        <div class="field">
          <label for={`${base}-behavior`}>{t('console.forms.item.behavior')}</label>
          <select id={`${base}-behavior`} value={item.enable_behavior} data-testid="fb-behavior"
            onChange={(e) => onItem({ enable_behavior: e.currentTarget.value })}>
            <option value="all">{t('console.forms.behavior.all')}</option>
            <option value="any">{t('console.forms.behavior.any')}</option>
          </select>
        </div>
      )}
      {before.length > 0 && item.enable_when.length < LIMITS.conditions ? (
        <button type="button" class="button button-small button-outline" data-testid="fb-cond-add"
          onClick={() => onItem((it) => ({ ...it, enable_when: [...it.enable_when, newCondition(items, path)] }))}>
          {t('console.forms.cond.add')}
        </button>
      ) : before.length === 0 && <p class="hint">{t('console.forms.cond.noEarlier')}</p>}
    </fieldset>
  );
}

/** The options of a choice or multi_choice item: value and texts, moved, added, removed. */
function Options({ item, problems, languages, onItem }) {
  const base = fieldId(item.key, 'options');
  const setOption = (i, change) => onItem((it) => ({ ...it, options: it.options.map((o, j) => (j === i ? change(o) : o)) }));
  return (
    <fieldset class="fb-options" data-testid="fb-options" aria-describedby={problems?.options ? `${base}-error` : undefined}>
      <legend>{t('console.forms.item.options')}</legend>
      {problems?.options && <p class="field-error" id={`${base}-error`} data-testid="fb-problem">{problems.options}</p>}
      <ol class="fb-option-list">
        {item.options.map((o, i) => {
          const sub = subProblems(problems, 'options', i);
          const id = `${base}-${i}`;
          const which = t('console.forms.field.option', { n: i + 1 });
          return (
            <li key={o.key} class="fb-option" data-testid="fb-option">
              <Field id={`${id}-value`} label={t('console.forms.option.valueOf', { which })} value={o.value}
                maxLength={LIMITS.optionValue} problem={sub.value} hint={i === 0 ? t('console.forms.option.valueHint') : undefined}
                testid="fb-option-value" onInput={(v) => setOption(i, (x) => ({ ...x, value: v }))} />
              <Texts idBase={`${id}-text`} label={which} value={o.text} problems={sub} prefix="text." languages={languages}
                maxLength={LIMITS.optionText} testid="fb-option-text"
                onChange={(lang, v) => setOption(i, (x) => ({ ...x, text: { ...x.text, [lang]: v } }))} />
              <div class="fb-row-actions" role="group" aria-label={t('console.forms.option.actions', { which })}>
                <button type="button" class="button button-small button-outline" disabled={i === 0}
                  onClick={() => onItem((it) => ({ ...it, options: moveIn(it.options, i, -1) }))}>
                  {t('console.forms.up')}<span class="visually-hidden"> {which}</span>
                </button>
                <button type="button" class="button button-small button-outline" disabled={i === item.options.length - 1}
                  onClick={() => onItem((it) => ({ ...it, options: moveIn(it.options, i, 1) }))}>
                  {t('console.forms.down')}<span class="visually-hidden"> {which}</span>
                </button>
                <button type="button" class="button button-small button-outline" data-testid="fb-option-remove"
                  onClick={() => onItem((it) => ({ ...it, options: it.options.filter((_, j) => j !== i) }))}>
                  {t('console.forms.remove')}<span class="visually-hidden"> {which}</span>
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      {item.options.length < LIMITS.options && (
        <button type="button" class="button button-small button-outline" data-testid="fb-option-add"
          onClick={() => onItem((it) => ({ ...it, options: [...it.options, newOption(it.options)] }))}>
          {t('console.forms.option.add')}
        </button>
      )}
    </fieldset>
  );
}

/** One item of the builder (and, for a group, its items). */
function ItemEditor({ item, path, depth, number, items, problems, languages, onTree, onMove, onRemove, onAddTo, numbers, problemsOf }) {
  const lang = useLanguage();
  const key = item.key;
  const mine = problems ?? {};
  const onItem = (change) => onTree((tree) => updateItem(tree, path, change));
  const name = textIn(item.text, lang) || item.link_id;
  const which = t('console.forms.item.which', { n: number, name });
  const boundType = item.type === 'date' ? 'date' : 'number';
  return (
    <li class={`fb-item fb-depth-${depth}`} data-testid="fb-item" data-key={key} data-link-id={item.link_id} data-type={item.type}>
      <fieldset class="fb-item-box" id={fieldId(key, '')} tabIndex={-1}
        aria-describedby={mine[''] ? `${fieldId(key, '')}-error` : undefined}>
        <legend class="fb-item-legend">
          <span data-testid="fb-item-title">{t('console.forms.item.legend', { n: number, type: typeLabel(item.type) })}</span>
        </legend>
        {mine[''] && <p class="field-error" id={`${fieldId(key, '')}-error`} data-testid="fb-problem">{mine['']}</p>}
        <div class="fb-item-head">
          <div class="field">
            <label for={fieldId(key, 'type')}>{t('console.forms.item.type')}</label>
            <select id={fieldId(key, 'type')} value={item.type} data-testid="fb-item-type"
              onChange={(e) => onItem((it) => changeType(it, e.currentTarget.value))}>
              {ITEM_TYPES.map((k) => <option key={k} value={k} disabled={k === 'group' && depth >= LIMITS.depth}>{typeLabel(k)}</option>)}
            </select>
          </div>
          <Field id={fieldId(key, 'link_id')} label={t('console.forms.item.linkId')} value={item.link_id}
            maxLength={LIMITS.linkId} problem={mine.link_id} hint={t('console.forms.item.linkIdHint')} testid="fb-item-link-id"
            spellcheck={false} autocomplete="off" onInput={(v) => onItem({ link_id: v, auto: false })} />
        </div>
        <Texts idBase={fieldId(key, 'text')} label={t(item.type === 'group' ? 'console.forms.item.groupTitle' : 'console.forms.item.text')}
          value={item.text} problems={mine} prefix="text." languages={languages} maxLength={LIMITS.itemText}
          multiline={item.type === 'display' || item.type === 'consent'} testid="fb-item-text"
          onChange={(l, v) => onTree((tree) => updateItem(tree, path, (it) => changeText(tree, it, l, v)))} />
        {takesAnswer(item.type) && (
          <label class="check fb-required">
            <input type="checkbox" checked={item.required} data-testid="fb-item-required"
              onChange={(e) => onItem({ required: e.currentTarget.checked })} />
            <span>{t('console.forms.item.required')}</span>
          </label>
        )}
        {item.type === 'consent' && <p class="hint">{t('console.forms.item.consentHint')}</p>}
        {hasBounds(item.type) && (
          <div class="fb-bounds">
            <Field id={fieldId(key, 'min')} type={boundType} step={item.type === 'decimal' ? 'any' : item.type === 'integer' ? '1' : undefined}
              label={t('console.forms.item.min')} value={item.min} problem={mine.min} testid="fb-item-min"
              onInput={(v) => onItem({ min: v })} />
            <Field id={fieldId(key, 'max')} type={boundType} step={item.type === 'decimal' ? 'any' : item.type === 'integer' ? '1' : undefined}
              label={t('console.forms.item.max')} value={item.max} problem={mine.max} testid="fb-item-max"
              onInput={(v) => onItem({ max: v })} />
          </div>
        )}
        {hasMaxLength(item.type) && (
          <Field id={fieldId(key, 'max_length')} type="number" min="1" max={String(maxLengthBound(item.type))}
            label={t('console.forms.item.maxLength')} value={item.max_length} problem={mine.max_length}
            hint={t('console.forms.item.maxLengthHint', { max: maxLengthBound(item.type) })} testid="fb-item-max-length"
            onInput={(v) => onItem({ max_length: v })} />
        )}
        {hasOptions(item.type) && <Options item={item} problems={mine} languages={languages} onItem={onItem} />}
        <Conditions item={item} path={path} items={items} problems={mine} onItem={onItem} />
        {item.type === 'group' && (
          <div class="fb-children">
            {mine.items && <p class="field-error" data-testid="fb-problem">{mine.items}</p>}
            {item.items.length > 0 && (
              <ol class="fb-list" aria-label={t('console.forms.item.childrenOf', { which })}>
                {item.items.map((child, i) => (
                  <ItemEditor key={child.key} item={child} path={[...path, i]} depth={depth + 1} number={numbers.get(child.key)}
                    items={items} problems={problemsOf(child.key)} languages={languages} onTree={onTree} onMove={onMove}
                    onRemove={onRemove} onAddTo={onAddTo} numbers={numbers} problemsOf={problemsOf} />
                ))}
              </ol>
            )}
            {depth < LIMITS.depth && (
              <AddItem idBase={`${fieldId(key, 'add')}`} label={t('console.forms.add.toGroup', { which })} testid="fb-add-to-group"
                onAdd={(type) => onAddTo(path, type)} />
            )}
          </div>
        )}
        <div class="fb-row-actions fb-item-actions" role="group" aria-label={t('console.forms.item.actions', { which })}>
          <button type="button" id={fieldId(key, 'up')} class="button button-small button-outline" data-testid="fb-item-up"
            disabled={!canMove(items, path, -1)} onClick={() => onMove(path, -1, key)}>
            {t('console.forms.up')}<span class="visually-hidden"> {which}</span>
          </button>
          <button type="button" id={fieldId(key, 'down')} class="button button-small button-outline" data-testid="fb-item-down"
            disabled={!canMove(items, path, 1)} onClick={() => onMove(path, 1, key)}>
            {t('console.forms.down')}<span class="visually-hidden"> {which}</span>
          </button>
          <button type="button" class="button button-small button-outline button-danger-outline" data-testid="fb-item-remove"
            onClick={() => onRemove(path)}>
            {t('console.forms.remove')}<span class="visually-hidden"> {which}</span>
          </button>
        </div>
      </fieldset>
    </li>
  );
}

/**
 * A definition as the patient would see it, in Turkish or English (buttons), the answers
 * tried here kept only on this screen. Props: definition (canonical), testid.
 */
export function FormPreview({ definition, testid = 'form-preview', initial = null }) {
  const [lang, setLang] = useState(initial);
  const [answers, setAnswers] = useState({});
  const view = lang ? localizeDefinition(forPreview(definition), lang) : null;
  return (
    <section class="fb-preview" aria-labelledby={`${testid}-heading`} data-testid={testid} data-lang={lang ?? ''}>
      <h3 id={`${testid}-heading`}>{t('console.forms.preview.heading')}</h3>
      <div class="fb-preview-langs" role="group" aria-label={t('console.forms.preview.heading')}>
        {LANGS.map((l) => (
          <button key={l} type="button" class="button button-small button-outline" aria-pressed={lang === l ? 'true' : 'false'}
            data-testid={`${testid}-${l}`} onClick={() => setLang(lang === l ? null : l)}>
            {t('console.forms.preview.in', { lang: langName(l) })}
          </button>
        ))}
      </div>
      {view && (
        <div class="fb-preview-body card" lang={lang} data-testid={`${testid}-body`}>
          <h4 dir="auto" data-testid={`${testid}-title`}>{view.title}</h4>
          {view.description && <p class="fb-preview-description" dir="auto">{view.description}</p>}
          <p class="hint">{t('console.forms.preview.hint')}</p>
          <FormView items={view.items} lang={lang} answers={answers} idPrefix={`${testid}-${lang}`}
            onChange={(id, value) => setAnswers((a) => ({ ...a, [id]: value }))} />
        </div>
      )}
    </section>
  );
}

/** The starters (GET clinic/form-starters) to copy, or a blank form. */
function StarterChoice({ onChoose, onSessionLost }) {
  const lang = useLanguage();
  const [state, setState] = useState({ status: 'loading', items: [], error: null });
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  const load = useCallback(async () => {
    setState({ status: 'loading', items: [], error: null });
    try {
      const answer = await api('/api/v1/clinic/form-starters');
      setState({ status: 'ready', items: answer?.items ?? [], error: null });
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setState({ status: 'error', items: [], error });
    }
  }, [onSessionLost]);
  useEffect(() => { load(); }, [load]);
  return (
    <section class="forms" aria-labelledby="fb-start-heading" data-testid="fb-start">
      <a class="back-link" href="#/forms" data-testid="fb-back">{t('console.forms.back')}</a>
      <header class="screen-header">
        <h2 id="fb-start-heading" ref={heading} tabIndex={-1}>{t('console.forms.new.heading')}</h2>
        <p class="muted">{t('console.forms.new.intro')}</p>
      </header>
      <div class="fb-starters">
        <div class="card fb-starter">
          <h3>{t('console.forms.new.blank')}</h3>
          <p class="muted">{t('console.forms.new.blankHint')}</p>
          <button type="button" class="button button-small" data-testid="fb-blank" onClick={() => onChoose(null)}>
            {t('console.forms.new.startBlank')}
          </button>
        </div>
        {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
        {state.status === 'error' && (
          <div class="alert-row">
            <p class="alert" role="alert">{errorMessage(state.error)}</p>
            <button type="button" class="button button-small" onClick={load}>{t('common.retry')}</button>
          </div>
        )}
        {state.items.map((s) => {
          const title = textIn(s.definition?.title, lang) || s.key;
          return (
            <div key={s.key} class="card fb-starter" data-testid="fb-starter" data-key={s.key}>
              <h3 dir="auto">{title}</h3>
              {s.definition?.description && <p class="muted" dir="auto">{textIn(s.definition.description, lang)}</p>}
              <p class="muted">{t('console.forms.itemCount', { count: flatten(s.definition?.items ?? []).length })}</p>
              <button type="button" class="button button-small button-outline" data-testid="fb-starter-copy" onClick={() => onChoose(s)}>
                {t('console.forms.new.copy')}<span class="visually-hidden"> {title}</span>
              </button>
            </div>
          );
        })}
      </div>
    </section>
  );
}

/** The clinic's languages (GET clinic/profile), both while unknown. */
function useClinicLanguages(onSessionLost) {
  const [languages, setLanguages] = useState(['tr', 'en']);
  useEffect(() => {
    let live = true;
    api('/api/v1/clinic/profile')
      .then((p) => { if (live && Array.isArray(p?.languages) && p.languages.length) setLanguages(p.languages); })
      .catch((e) => { if (e.status === 401) onSessionLost(); });
    return () => { live = false; };
  }, []);
  return languages;
}

/** The builder itself, for a new form (record null) or the next version of record. */
function Builder({ record, starter, initial, onSessionLost }) {
  const lang = useLanguage();
  const languages = useClinicLanguages(onSessionLost);
  const [form, setForm] = useState(initial);
  const [start] = useState(initial);
  const [problems, setProblems] = useState([]); // [{field, message}]
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const [focusTarget, setFocusTarget] = useState(null); // an element id to focus after rendering
  const [undo, setUndo] = useState(null); // {items, key, which}: the items before the last removal
  const summary = useRef(null);
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  useLayoutEffect(() => {
    if (!focusTarget) return;
    document.getElementById(focusTarget)?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  const flat = flatten(form.items);
  const numbers = new Map(flat.map((f, i) => [f.item.key, i + 1]));
  const byItem = problemsByItem(problems);
  const keyOfPath = new Map(flat.map((f) => [pathName(f.path), f.item.key]));
  const problemsByKey = new Map(Object.entries(byItem.items).map(([p, v]) => [keyOfPath.get(p), v]));
  const problemsOf = (key) => problemsByKey.get(key);
  const dirty = changed(form, start);
  // Closing or reloading the tab with changes not yet published asks first.
  useEffect(() => {
    if (!dirty) return undefined;
    const warn = (event) => { event.preventDefault(); event.returnValue = ''; };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const onTree = (change) => {
    setUndo(null);
    setForm((f) => ({ ...f, items: change(f.items) }));
    setFailure(null);
  };
  function onMove(path, delta, key) {
    const next = moveItem(form.items, path, delta);
    setForm((f) => ({ ...f, items: next }));
    const at = flatten(next).find((f) => f.item.key === key)?.path;
    // The focus stays with the moved item: on the same button while it can still go that way.
    setFocusTarget(fieldId(key, at && canMove(next, at, delta) ? (delta < 0 ? 'up' : 'down') : (delta < 0 ? 'down' : 'up')));
  }
  function onRemove(path) {
    const next = removeItem(form.items, path);
    const gone = itemAt(form.items, path);
    setUndo({ items: form.items, key: gone?.key,
      which: t('console.forms.item.which', { n: numbers.get(gone?.key), name: textIn(gone?.text, lang) || gone?.link_id }) });
    setForm((f) => ({ ...f, items: next }));
    const after = flatten(next);
    const neighbour = itemFocus(next, path);
    setFocusTarget(neighbour ? fieldId(neighbour, '') : after.length ? fieldId(after[after.length - 1].item.key, '') : 'fb-items-heading');
  }
  function onAddTo(parent, type) {
    const item = newItem(type, linkIds(form.items));
    setForm((f) => ({ ...f, items: addItem(f.items, parent, item) }));
    setFocusTarget(fieldId(item.key, 'text-tr'));
  }

  async function publish(event) {
    event.preventDefault();
    if (busy) return;
    setFailure(null);
    const local = builderProblems(form, languages);
    if (local.length) {
      setProblems(local.map((p) => ({ field: p.field, message: t(PROBLEM_KEYS[p.code] ?? 'console.forms.problem.other') })));
      summary.current?.focus();
      return;
    }
    setProblems([]);
    setBusy(true);
    const definition = toDefinition(form);
    try {
      const saved = record
        ? await api(`/api/v1/clinic/forms/${encodeURIComponent(record.id)}`, { method: 'PUT', body: { definition } })
        : await api('/api/v1/clinic/forms', { method: 'POST', body: starter ? { definition, starter } : { definition } });
      setFormsNotice(t(record ? 'console.forms.published' : 'console.forms.created',
        { title: textIn(saved?.title ?? definition.title, lang), version: saved?.current_version ?? 1 }));
      window.location.hash = `#/forms/${encodeURIComponent(saved.id)}`;
    } catch (error) {
      if (error.status === 401) { onSessionLost(); return; }
      if (error.status === 422 && error.errors.length) {
        setProblems(error.errors.map((e) => ({ field: e.field, message: e.message })));
        setTimeout(() => summary.current?.focus(), 0);
      } else {
        setFailure(error);
      }
    } finally {
      setBusy(false);
    }
  }

  // Where a problem's "go to" link leads: the field's control, else the item, else the top.
  function targetOf(field) {
    const m = /^definition\.((?:items\[\d+\])(?:\.items\[\d+\])*)(?:\.(.*))?$/.exec(field);
    if (!m) {
      const rest = field.replace(/^definition\.?/, '');
      return /^(title|description)\.(tr|en)$/.test(rest) ? `fb-${rest.replace('.', '-')}` : 'fb-items-heading';
    }
    const key = keyOfPath.get(m[1]);
    if (!key) return 'fb-items-heading';
    const specific = fieldId(key, m[2] ?? '');
    return document.getElementById(specific) ? specific : fieldId(key, '');
  }
  function problemWhere(field) {
    const m = /^definition\.((?:items\[\d+\])(?:\.items\[\d+\])*)(?:\.(.*))?$/.exec(field);
    if (!m) return fieldWords(field.replace(/^definition\.?/, '')) || t('console.forms.form');
    const key = keyOfPath.get(m[1]);
    const item = flat.find((f) => f.item.key === key)?.item;
    const where = item ? t('console.forms.item.which', { n: numbers.get(key), name: textIn(item.text, lang) || item.link_id }) : m[1];
    return [where, fieldWords(m[2] ?? '')].filter(Boolean).join(' · ');
  }

  const title = textIn(form.title, lang);
  return (
    <form class="forms fb" onSubmit={publish} noValidate data-testid="form-builder" data-dirty={dirty ? 'true' : 'false'}>
      <a class="back-link" href={record ? `#/forms/${encodeURIComponent(record.id)}` : '#/forms'} data-testid="fb-back">
        {t(record ? 'console.forms.backToForm' : 'console.forms.back')}
      </a>
      <header class="screen-header">
        <h2 ref={heading} tabIndex={-1} data-testid="fb-heading">
          {record ? t('console.forms.edit.heading', { title: title || '—', version: record.current_version + 1 }) : t('console.forms.new.heading')}
        </h2>
        <p class="muted">{t(record ? 'console.forms.edit.intro' : 'console.forms.new.builderIntro')}</p>
        {languages.length < 2 && <p class="hint">{t('console.forms.langsOnly', { lang: langName(languages[0]) })}</p>}
      </header>

      <div ref={summary} tabIndex={-1} class={problems.length ? 'alert fb-summary' : 'visually-hidden'} role="alert"
        data-testid="fb-summary" aria-labelledby={problems.length ? 'fb-summary-heading' : undefined}>
        {problems.length > 0 && (
          <>
            <p id="fb-summary-heading"><strong>{t('console.forms.problems', { count: problems.length })}</strong></p>
            <ul>
              {problems.map((p, i) => (
                <li key={`${p.field}-${i}`} data-testid="fb-summary-item" data-field={p.field}>
                  <a href={`#${targetOf(p.field)}`} onClick={(e) => { e.preventDefault(); document.getElementById(targetOf(p.field))?.focus(); }}>
                    {problemWhere(p.field)}
                  </a>
                  {': '}{p.message}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>

      <div class="card fb-form-texts">
        <Texts idBase="fb-title" label={t('console.forms.title')} value={form.title} problems={byItem.form} prefix="title."
          languages={languages} maxLength={LIMITS.title} testid="fb-title"
          onChange={(l, v) => setForm((f) => ({ ...f, title: { ...f.title, [l]: v } }))} />
        <div class="fb-texts">
          {LANGS.map((l) => (
            <Field key={l} id={`fb-description-${l}`} multiline lang={l} maxLength={LIMITS.description}
              label={t('console.forms.labelIn', { label: t('console.forms.description'), lang: langName(l) })}
              value={form.description[l]} problem={byItem.form[`description.${l}`]} testid={`fb-description-${l}`}
              onInput={(v) => setForm((f) => ({ ...f, description: { ...f.description, [l]: v } }))} />
          ))}
        </div>
      </div>

      <section class="fb-items" aria-labelledby="fb-items-heading">
        <h3 id="fb-items-heading" tabIndex={-1}>{t('console.forms.items', { count: flat.length })}</h3>
        {byItem.form.items && <p class="field-error" data-testid="fb-problem">{byItem.form.items}</p>}
        {undo && (
          <p class="notice fb-undo" role="status" data-testid="fb-undo-notice">
            {t('console.forms.removed', { which: undo.which })}
            {' '}
            <button type="button" class="button button-small button-outline" data-testid="fb-undo"
              onClick={() => { setForm((f) => ({ ...f, items: undo.items })); setFocusTarget(fieldId(undo.key, '')); setUndo(null); }}>
              {t('console.forms.undo')}
            </button>
          </p>
        )}
        {form.items.length === 0 && <p class="muted" data-testid="fb-empty">{t('console.forms.noItems')}</p>}
        {form.items.length > 0 && (
          <ol class="fb-list" data-testid="fb-list">
            {form.items.map((item, i) => (
              <ItemEditor key={item.key} item={item} path={[i]} depth={1} number={numbers.get(item.key)} items={form.items}
                problems={problemsOf(item.key)} languages={languages} onTree={onTree} onMove={onMove} onRemove={onRemove}
                onAddTo={onAddTo} numbers={numbers} problemsOf={problemsOf} />
            ))}
          </ol>
        )}
        {flat.length < LIMITS.items && (
          <AddItem idBase="fb-add" label={t('console.forms.add.item')} testid="fb-add" onAdd={(type) => onAddTo(null, type)} />
        )}
      </section>

      <FormPreview definition={toDefinition(form)} testid="fb-preview" />

      <div class="save-bar" data-testid="fb-save-bar">
        <div class="save-bar-text">
          {failure ? <p class="alert" role="alert" data-testid="fb-error">{errorMessage(failure)}</p> : (
            <p class="save-status" role="status">
              {t(record ? 'console.forms.publishHint' : 'console.forms.createHint', { version: (record?.current_version ?? 0) + 1 })}
            </p>
          )}
        </div>
        <button type="submit" class="button" disabled={busy} data-testid="fb-publish">
          {t(busy ? 'console.forms.publishing' : record ? 'console.forms.publish' : 'console.forms.create',
            { version: (record?.current_version ?? 0) + 1 })}
        </button>
      </div>
    </form>
  );
}

// The key of the item that takes the focus after the one at path went: the one now in its
// place, else the one before it, else its group.
function itemFocus(items, path) {
  const parentPath = path.slice(0, -1);
  const siblings = parentPath.length ? flattenAt(items, parentPath) : items;
  const i = path[path.length - 1];
  if (siblings[i]) return siblings[i].key;
  if (siblings[i - 1]) return siblings[i - 1].key;
  return parentPath.length ? itemKeyAt(items, parentPath) : null;
}
function flattenAt(items, path) {
  let list = items;
  for (const i of path) list = list[i]?.items ?? [];
  return list;
}
function itemKeyAt(items, path) {
  let list = items;
  let item = null;
  for (const i of path) { item = list[i]; list = item?.items ?? []; }
  return item?.key ?? null;
}

/**
 * #/forms/new and #/forms/<id>/edit. Props: formId (null for a new form), session,
 * onSessionLost.
 */
export function FormBuilder({ formId, onSessionLost }) {
  useLanguage();
  const [state, setState] = useState(formId ? { status: 'loading' } : { status: 'choose' });
  const load = useCallback(async () => {
    if (!formId) return;
    setState({ status: 'loading' });
    try {
      const record = await api(`/api/v1/clinic/forms/${encodeURIComponent(formId)}`);
      setState({ status: 'ready', record, initial: fromDefinition(record.definition) });
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setState({ status: 'error', error });
    }
  }, [formId, onSessionLost]);
  useEffect(() => { load(); }, [load]);

  if (state.status === 'choose') {
    return (
      <StarterChoice onSessionLost={onSessionLost}
        onChoose={(s) => setState({ status: 'ready', record: null, starter: s?.key ?? null,
          initial: s ? fromDefinition(s.definition) : emptyForm() })} />
    );
  }
  if (state.status === 'loading') return <p class="muted" role="status">{t('common.loading')}</p>;
  if (state.status === 'error') {
    return (
      <section class="forms" data-testid="form-builder-error">
        <a class="back-link" href="#/forms">{t('console.forms.back')}</a>
        <p class="alert" role="alert">{state.error.status === 404 ? t('console.forms.notFound') : errorMessage(state.error)}</p>
        {state.error.status !== 404 && <button type="button" class="button" onClick={load}>{t('common.retry')}</button>}
      </section>
    );
  }
  return <Builder key={state.record?.id ?? state.starter ?? 'blank'} record={state.record} starter={state.starter}
    initial={state.initial} onSessionLost={onSessionLost} />;
}
