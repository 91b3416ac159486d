// Templates screen (#/templates): the clinic's message templates grouped by channel, with
// their purpose and languages; #/templates/<id> and #/templates/new open the editor (name,
// channel when new, purpose, TR / EN tabs with subject for email and body, placeholders
// inserted at the cursor, a live SMS counter from GET sms-measure, a live preview of the
// message as the patient gets it (POST templates/preview, whose refusals, such as an unknown
// placeholder, show while typing), 422 errors at their fields, Save as POST or whole-body PUT, Delete with the 409 "in use" answer). Staff read.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { errorMessage, ErrorText } from './common.jsx';
import { canManage } from './settingsRules.js';
import {
  CHANNEL_KEYS, CHANNELS, insertAt, LANG_KEYS, LANGS, PLACEHOLDERS, PURPOSE_KEYS, PURPOSES, TEMPLATE_FIELDS,
  templateBody, templateErrors, templateForm, templateHref, templateLanguages,
} from './templateRules.js';
import './patients.css';
import './templates.css';

const MEASURE_DELAY_MS = 300;

/** #/templates, #/templates/new and #/templates/<id>: `path` is what follows "templates/". */
export function Templates({ session, path, onSessionLost }) {
  const id = path[0] ? decodeURIComponent(path[0]) : null;
  if (id) return <TemplateEditor key={id} id={id === 'new' ? null : id} session={session} onSessionLost={onSessionLost} />;
  return <TemplateList session={session} onSessionLost={onSessionLost} />;
}

export function LanguageBadges({ template }) {
  const langs = templateLanguages(template);
  return (
    <span class="template-langs" data-testid="template-langs" data-langs={langs.join(',')}>
      {LANGS.map((lang) => (
        <span key={lang} class={`badge ${langs.includes(lang) ? 'badge-plain' : 'badge-off'}`}
          title={t(langs.includes(lang) ? 'console.templates.hasLang' : 'console.templates.lacksLang', { lang: t(LANG_KEYS[lang]) })}>
          {t(LANG_KEYS[lang])}
        </span>
      ))}
    </span>
  );
}

function TemplateList({ session, onSessionLost }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const manage = canManage(session.staff.role);

  const load = useCallback(async () => {
    setError(null);
    try {
      setItems((await api('/api/v1/clinic/templates')).items);
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else setError(e);
    }
  }, [onSessionLost]);
  useEffect(() => { load(); }, [load]);

  return (
    <section class="templates" data-testid="templates">
      <header class="screen-header screen-header-actions">
        <div>
          <h2>{t('console.templates.heading')}</h2>
          <p class="muted">{t('console.templates.intro')}</p>
        </div>
        {manage && <a class="button" href="#/templates/new" data-testid="template-new">{t('console.templates.new')}</a>}
      </header>
      {error && (
        <div data-testid="templates-load-error">
          <ErrorText error={error} />
          <button type="button" class="button" onClick={load}>{t('common.retry')}</button>
        </div>
      )}
      {!items && !error && <p class="muted" role="status">{t('common.loading')}</p>}
      {items && CHANNELS.map((channel) => {
        const list = items.filter((tpl) => tpl.channel === channel);
        return (
          <section key={channel} class="card template-group" data-testid={`templates-${channel}`}>
            <h3>{t(CHANNEL_KEYS[channel])}</h3>
            {list.length === 0 && <p class="muted">{t('console.templates.emptyChannel')}</p>}
            <ul class="template-list">
              {list.map((tpl) => (
                <li key={tpl.id} data-testid={`template-item-${tpl.id}`}>
                  <a href={templateHref(tpl.id)} class="template-name">{tpl.name}</a>
                  <span class="template-purpose">{t(PURPOSE_KEYS[tpl.purpose] ?? 'console.templates.purpose.unknown')}</span>
                  <LanguageBadges template={tpl} />
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}

function FieldErrors({ messages, id }) {
  if (!messages?.length) return null;
  return (
    <p class="field-error" id={id} data-testid={`error-${id}`}>{messages.join(' ')}</p>
  );
}

/** The live SMS counter of one body: debounced GET sms-measure. */
/**
 * The message as the patient will get it, live: a debounced POST templates/preview of the
 * variant being edited renders its placeholders with sample values (nothing is saved), and
 * its 422 (an unknown placeholder, a text too long) shows here while typing, not only on Save.
 */
function LivePreview({ channel, purpose, language, subject, body, onSessionLost }) {
  const [state, setState] = useState(null); // {pending} | {result} | {error}
  useEffect(() => {
    if (!body || !purpose || !channel) {
      setState(null);
      return undefined;
    }
    const controller = new AbortController();
    setState((s) => ({ ...(s ?? {}), pending: true }));
    const timer = setTimeout(async () => {
      try {
        const result = await api('/api/v1/clinic/templates/preview', { method: 'POST', signal: controller.signal,
          body: { channel, purpose, language, body, ...(channel === 'email' ? { subject: subject || null } : {}) } });
        setState({ result });
      } catch (error) {
        if (error.name === 'AbortError') return;
        if (error.status === 401) onSessionLost();
        else setState({ error });
      }
    }, MEASURE_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [channel, purpose, language, subject, body, onSessionLost]);
  if (!state) return null;
  const problems = state.error ? (state.error.errors ?? []).map((e) => e.message).filter(Boolean) : [];
  return (
    <section class="template-preview" aria-labelledby={`template-preview-${language}`} data-testid="template-preview"
      data-state={state.error ? 'error' : state.pending && !state.result ? 'checking' : 'ready'}>
      <h3 id={`template-preview-${language}`}>{t('console.templates.preview.heading')}</h3>
      {state.error && (
        <p class="alert" role="alert" data-testid="template-preview-error">
          {problems.length ? problems.join(' ') : errorMessage(state.error)}
        </p>
      )}
      {!state.error && state.result && (
        <div class="template-preview-body">
          {state.result.subject && <p class="template-preview-subject" data-testid="template-preview-subject">{state.result.subject}</p>}
          <p class="template-preview-text" data-testid="template-preview-text">{state.result.body}</p>
          <p class="hint muted">{t('console.templates.preview.note')}</p>
        </div>
      )}
    </section>
  );
}

function SmsCounter({ text, onSessionLost }) {
  const [state, setState] = useState(null); // {text, pending} | {text, result} | {text, error}
  useEffect(() => {
    if (!text) {
      setState(null);
      return undefined;
    }
    const controller = new AbortController();
    setState((s) => ({ ...(s ?? {}), text, pending: true }));
    const timer = setTimeout(async () => {
      try {
        const result = await api(`/api/v1/clinic/templates/sms-measure?text=${encodeURIComponent(text)}`,
          { signal: controller.signal });
        setState({ text, result });
      } catch (error) {
        if (error.name === 'AbortError') return;
        if (error.status === 401) onSessionLost();
        else setState({ text, error });
      }
    }, MEASURE_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text, onSessionLost]);

  let body;
  let dataState;
  if (!state) {
    dataState = 'empty';
    body = t('console.templates.sms.empty');
  } else if (state.error) {
    dataState = 'error';
    const messages = state.error.errors.map((e) => e.message).filter(Boolean);
    body = messages.length ? messages.join(' ') : errorMessage(state.error);
  } else if (state.pending || !state.result) {
    dataState = 'checking';
    body = state.result ? smsText(state.result) : t('console.templates.sms.measuring');
  } else {
    dataState = 'ready';
    body = smsText(state.result);
  }
  return (
    <p class={`sms-counter sms-counter-${dataState}`} role="status" aria-live="polite" data-testid="sms-counter"
      data-state={dataState} data-encoding={state?.result?.encoding} data-segments={state?.result?.segments}>
      {body}
    </p>
  );
}

// The length in plain words: which characters the message uses (plain ones fit 160 to a
// message, Turkish or special ones 70) and how many messages it costs, not "UCS-2 · 2 SMS".
function smsText({ encoding, characters, segments }) {
  const kind = encoding === 'GSM-7' ? 'plain' : 'special';
  return t(`console.templates.sms.${kind}${segments === 1 ? 'One' : 'Many'}`, { characters, segments });
}

function TemplateEditor({ id, session, onSessionLost }) {
  const isNew = id === null;
  const readOnly = !canManage(session.staff.role);
  const [loaded, setLoaded] = useState(isNew ? {} : null);
  const [loadError, setLoadError] = useState(null);
  const [form, setForm] = useState(isNew ? templateForm(null) : null);
  const [lang, setLang] = useState('tr');
  const [errors, setErrors] = useState({ byField: {}, other: [] });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState(null);
  const fields = useRef({}); // `${lang}.subject` / `${lang}.body` -> element
  const lastField = useRef({}); // lang -> 'subject' | 'body'

  const load = useCallback(async () => {
    if (isNew) return;
    setLoadError(null);
    try {
      const tpl = await api(`/api/v1/clinic/templates/${encodeURIComponent(id)}`);
      setLoaded(tpl);
      setForm(templateForm(tpl));
      const langs = templateLanguages(tpl);
      if (langs.length && !langs.includes('tr')) setLang(langs[0]);
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else setLoadError(e);
    }
  }, [id, isNew, onSessionLost]);
  useEffect(() => { load(); }, [load]);

  if (loadError) {
    return (
      <section class="card card-narrow" data-testid="template-load-error">
        <ErrorText error={loadError} />
        <p><a href="#/templates">{t('console.templates.back')}</a></p>
      </section>
    );
  }
  if (!form) return <p class="muted" role="status">{t('common.loading')}</p>;

  const sms = form.channel === 'sms';
  const byField = errors.byField;

  function clearErrors(...keys) {
    setErrors((e) => {
      const next = { ...e.byField };
      for (const key of keys) delete next[key];
      return { ...e, byField: next };
    });
    setSaved(false);
    setFailure(null);
  }
  function update(patch) {
    setForm((f) => ({ ...f, ...patch }));
    clearErrors(...Object.keys(patch));
  }
  function updateVariant(l, part, value) {
    setForm((f) => ({ ...f, variants: { ...f.variants, [l]: { ...f.variants[l], [part]: value } } }));
    clearErrors(`variants.${l}.${part}`, `variants.${l}`, 'variants');
  }
  function insertPlaceholder(placeholder) {
    const part = sms ? 'body' : lastField.current[lang] ?? 'body';
    const el = fields.current[`${lang}.${part}`];
    const value = form.variants[lang][part];
    const { value: next, cursor } = insertAt(value, el?.selectionStart, el?.selectionEnd, placeholder);
    updateVariant(lang, part, next);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.setSelectionRange(cursor, cursor);
    });
  }

  async function save(event) {
    event.preventDefault();
    if (readOnly || busy) return;
    setBusy(true);
    setFailure(null);
    setSaved(false);
    setErrors({ byField: {}, other: [] });
    try {
      const body = templateBody(form);
      const answer = isNew
        ? await api('/api/v1/clinic/templates', { method: 'POST', body })
        : await api(`/api/v1/clinic/templates/${encodeURIComponent(id)}`, { method: 'PUT', body });
      if (isNew) {
        window.location.hash = templateHref(answer.id);
        return;
      }
      setLoaded(answer);
      setForm(templateForm(answer));
      setSaved(true);
    } catch (e) {
      if (e.status === 401) {
        onSessionLost();
        return;
      }
      if (e.status === 422) {
        const found = templateErrors(e.errors, TEMPLATE_FIELDS);
        setErrors(found);
        const first = Object.keys(found.byField).find((f) => f.startsWith('variants.') && f.split('.').length > 1);
        const firstLang = first?.split('.')[1];
        if (LANGS.includes(firstLang) && !Object.keys(found.byField).some((f) => f.startsWith(`variants.${lang}`))) {
          setLang(firstLang);
        }
        if (!found.other.length && Object.keys(found.byField).length) {
          setFailure(null);
        } else {
          setFailure(e);
        }
      } else {
        setFailure(e);
      }
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    setDeleteError(null);
    try {
      await api(`/api/v1/clinic/templates/${encodeURIComponent(id)}`, { method: 'DELETE' });
      window.location.hash = '#/templates';
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else setDeleteError(e);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  const langHasError = (l) => Object.keys(byField).some((f) => f.startsWith(`variants.${l}`));
  const variant = form.variants[lang];
  const errId = (field) => field.replace(/\./g, '-');
  const describe = (field) => (byField[field] ? errId(field) : undefined);

  return (
    <form class="template-editor" onSubmit={save} noValidate data-testid="template-editor">
      <header class="screen-header">
        <p><a href="#/templates" data-testid="template-back">{t('console.templates.back')}</a></p>
        <h2>{isNew ? t('console.templates.newHeading') : (loaded?.name || t('console.templates.heading'))}</h2>
      </header>
      {readOnly && <p class="banner banner-info" role="note" data-testid="template-readonly">{t('console.templates.readOnly')}</p>}

      <fieldset class="settings-body" disabled={readOnly}>
        <section class="card">
          <div class="field">
            <label for="template-name">{t('console.templates.field.name')}</label>
            <input id="template-name" name="name" type="text" maxLength={100} value={form.name} data-testid="template-name"
              aria-invalid={byField.name ? 'true' : undefined} aria-describedby={describe('name')}
              onInput={(e) => update({ name: e.currentTarget.value })} />
            <FieldErrors messages={byField.name} id="name" />
          </div>
          <div class="field-row">
            <div class="field">
              <label for="template-channel">{t('console.templates.field.channel')}</label>
              {isNew
                ? (
                  <select id="template-channel" name="channel" value={form.channel} data-testid="template-channel"
                    onChange={(e) => update({ channel: e.currentTarget.value })}>
                    {CHANNELS.map((c) => <option key={c} value={c}>{t(CHANNEL_KEYS[c])}</option>)}
                  </select>
                )
                : <p class="template-fixed" id="template-channel" data-testid="template-channel-fixed">{t(CHANNEL_KEYS[form.channel])}</p>}
              <FieldErrors messages={byField.channel} id="channel" />
            </div>
            <div class="field">
              <label for="template-purpose">{t('console.templates.field.purpose')}</label>
              <select id="template-purpose" name="purpose" value={form.purpose} data-testid="template-purpose"
                onChange={(e) => update({ purpose: e.currentTarget.value })}>
                {PURPOSES.map((p) => <option key={p} value={p}>{t(PURPOSE_KEYS[p])}</option>)}
              </select>
              <FieldErrors messages={byField.purpose} id="purpose" />
            </div>
          </div>
        </section>

        <section class="card">
          <p class="muted">{t('console.templates.languagesHelp')}</p>
          <FieldErrors messages={byField.variants} id="variants" />
          <div class="tabs" role="tablist" aria-label={t('console.templates.tabs.label')}>
            {LANGS.map((l) => (
              <button key={l} type="button" role="tab" id={`template-tab-${l}`} aria-controls="template-panel"
                aria-selected={l === lang ? 'true' : 'false'} class={langHasError(l) ? 'tab tab-error' : 'tab'}
                data-testid={`template-tab-${l}`} onClick={() => setLang(l)}>
                {t(LANG_KEYS[l])}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="template-panel" aria-labelledby={`template-tab-${lang}`} class="tab-panel"
            data-testid="template-panel" data-lang={lang}>
            <FieldErrors messages={byField[`variants.${lang}`]} id={`variants-${lang}`} />
            {!sms && (
              <div class="field">
                <label for={`template-subject-${lang}`}>{t('console.templates.field.subject')}</label>
                <input id={`template-subject-${lang}`} name={`variants.${lang}.subject`} type="text" value={variant.subject}
                  data-testid="template-subject" ref={(el) => { fields.current[`${lang}.subject`] = el; }}
                  aria-invalid={byField[`variants.${lang}.subject`] ? 'true' : undefined}
                  aria-describedby={describe(`variants.${lang}.subject`)}
                  onFocus={() => { lastField.current[lang] = 'subject'; }}
                  onInput={(e) => updateVariant(lang, 'subject', e.currentTarget.value)} />
                <FieldErrors messages={byField[`variants.${lang}.subject`]} id={errId(`variants.${lang}.subject`)} />
              </div>
            )}
            <div class="field">
              <label for={`template-body-${lang}`}>{t('console.templates.field.body')}</label>
              <textarea id={`template-body-${lang}`} name={`variants.${lang}.body`} rows={sms ? 4 : 10} value={variant.body}
                data-testid="template-body" ref={(el) => { fields.current[`${lang}.body`] = el; }}
                aria-invalid={byField[`variants.${lang}.body`] ? 'true' : undefined}
                aria-describedby={describe(`variants.${lang}.body`)}
                onFocus={() => { lastField.current[lang] = 'body'; }}
                onInput={(e) => updateVariant(lang, 'body', e.currentTarget.value)} />
              <FieldErrors messages={byField[`variants.${lang}.body`]} id={errId(`variants.${lang}.body`)} />
              {sms && <SmsCounter text={variant.body} onSessionLost={onSessionLost} />}
            </div>
            <LivePreview channel={form.channel} purpose={form.purpose} language={lang} subject={variant.subject}
              body={variant.body} onSessionLost={onSessionLost} />
            {!readOnly && (
              <div class="placeholders" role="group" aria-labelledby="template-placeholders-label" data-testid="placeholders">
                <span id="template-placeholders-label" class="presets-label">{t('console.templates.placeholders')}</span>
                <div class="presets-buttons">
                  {PLACEHOLDERS.map((p) => (
                    <button key={p} type="button" class="button button-small button-outline placeholder-button"
                      data-testid={`placeholder-${p.replace(/[{}]/g, '')}`} onMouseDown={(e) => e.preventDefault()}
                      onClick={() => insertPlaceholder(p)}>
                      {p}
                    </button>
                  ))}
                </div>
                <p class="hint muted">{t('console.templates.placeholdersHelp')}</p>
              </div>
            )}
          </div>
        </section>
      </fieldset>

      {!readOnly && (
        <div class="save-bar" data-testid="template-save-bar">
          <div class="save-bar-text">
            {failure && (
              <p class="alert" role="alert" data-testid="template-save-error">
                {errorMessage(failure)}
                {errors.other.length > 0 && ` ${errors.other.join('; ')}`}
              </p>
            )}
            {!failure && Object.keys(byField).length > 0 && (
              <p class="alert" role="alert" data-testid="template-invalid">{t('console.templates.invalid')}</p>
            )}
            {deleteError && (
              <p class="alert" role="alert" data-testid="template-delete-error" data-code={deleteError.code}>
                {deleteError.status === 409 ? t('console.templates.inUse') : errorMessage(deleteError)}
              </p>
            )}
            {saved && <p class="save-status" data-state="saved" role="status" data-testid="template-saved">{t('console.templates.saved')}</p>}
          </div>
          {!isNew && !confirming && (
            <button type="button" class="button button-outline" disabled={busy} data-testid="template-delete"
              onClick={() => { setConfirming(true); setDeleteError(null); }}>
              {t('console.templates.delete')}
            </button>
          )}
          {!isNew && confirming && (
            <span class="template-confirm" role="group" data-testid="template-delete-confirm">
              <span>{t('console.templates.deleteConfirm')}</span>
              <button type="button" class="button button-danger" disabled={busy} data-testid="template-delete-yes"
                onClick={remove}>
                {t('console.templates.deleteYes')}
              </button>
              <button type="button" class="button button-ghost" onClick={() => setConfirming(false)}>
                {t('console.templates.deleteNo')}
              </button>
            </span>
          )}
          <button type="submit" class="button" disabled={busy} data-testid="template-save">
            {t(busy ? 'console.templates.saving' : 'console.templates.save')}
          </button>
        </div>
      )}
    </form>
  );
}
