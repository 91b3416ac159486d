// The patient's forms (issue 15, DESIGN.md section 15):
//   #/forms        (view_forms) the forms the clinic asks for, those not started and the
//                  drafts first, each with its state: not started, draft saved (when), sent
//                  (when) (GET forms).
//   #/forms/<id>   (view_forms) one form in the patient's language (GET forms/{id}), with
//                  their saved answers when there are some, from this device or another.
//                  With submit_forms: "Save and finish later" (PUT forms/{id}/draft), also
//                  done on leaving the screen or hiding the page when something changed;
//                  "Send the form" (POST forms/{id}/submissions): the server judges, and
//                  every problem it finds stands beside its question and in a summary at the
//                  top whose links lead to the question. When the clinic publishes a new
//                  version meanwhile (409 form_version_changed), the form is read again and
//                  the answers that still fit are carried over (formRules.js carryAnswers).
// Questions are drawn by FormParts.jsx; conditional questions come and go as answers change,
// and answers to questions switched off are not sent. Texts are shown as text, never HTML.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { formatInstant } from '../financeRules.js';
import { answersToSend, carryAnswers, flattenItems, serverProblems, stateKey } from '../formRules.js';
import { FormView, focusItem, problemWords } from '../FormParts.jsx';
import { BackHome, problemText } from './common.jsx';
import { useEnds } from './FinanceScreens.jsx';
import { hrefOf } from './router.js';
import './screens.css';
import './forms.css';

const ID_PREFIX = 'pf';

/** A failure of the forms screens in plain words. */
export function formsProblemText(error) {
  if (error?.code === 'permission_denied' && error.permission === 'submit_forms') return t('portal.forms.denied.submit');
  if (error?.code === 'permission_denied' && error.permission === 'view_forms') return t('portal.forms.denied.view');
  if (error?.code === 'not_found') return t('portal.forms.notFound');
  if (error?.code === 'rate_limited') return t('portal.forms.rateLimited');
  return problemText(error);
}

function FormsProblem({ error, testid }) {
  if (!error) return null;
  return <p class="alert" role="alert" data-testid={testid} data-code={error.code}>{formsProblemText(error)}</p>;
}

/** #/forms */
export function Forms({ base, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useRef(null);
  const ends = useEnds(onSessionLost, onPortalGone);
  const [state, setState] = useState({ status: 'loading', items: [], error: null });
  const load = useCallback(async () => {
    setState((s) => ({ ...s, status: 'loading', error: null }));
    try {
      const answer = await api(`${base}forms`);
      setState({ status: 'ready', items: answer.items ?? [], error: null });
    } catch (error) {
      if (!ends(error)) setState({ status: 'error', items: [], error });
    }
  }, [base, ends]);
  useEffect(() => { load(); }, [load]);
  useLayoutEffect(() => { heading.current?.focus(); }, []);

  return (
    <section class="screen" aria-labelledby="forms-heading" data-testid="portal-forms" data-state={state.status}>
      <BackHome />
      <h1 id="forms-heading" ref={heading} tabIndex={-1}>{t('portal.forms.heading')}</h1>
      {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state.status === 'error' && (
        <div class="alert-row">
          <FormsProblem error={state.error} testid="forms-list-error" />
          {state.error.code !== 'permission_denied' && (
            <button type="button" class="button button-small" onClick={load}>{t('common.retry')}</button>
          )}
        </div>
      )}
      {state.status === 'ready' && state.items.length === 0 && (
        <p class="card muted" data-testid="forms-empty">{t('portal.forms.empty')}</p>
      )}
      {state.items.length > 0 && (
        <ul class="pf-list" aria-label={t('portal.forms.listLabel')}>
          {state.items.map((f) => (
            <li key={f.id} class={`pf-entry pf-entry-${f.state}`} data-testid="forms-entry" data-id={f.id} data-state={f.state}>
              <a href={hrefOf(`forms/${f.id}`)} data-testid="forms-entry-link"><bdi>{f.title}</bdi></a>
              {f.description && <p class="pf-description muted" dir="auto">{f.description}</p>}
              <p class="pf-state">
                <span class={`badge pf-badge-${f.state}`} data-testid="forms-entry-state">{t(stateKey(f.state))}</span>
                {f.state === 'draft' && f.draft_saved_at && (
                  <span class="muted"> {formatInstant(f.draft_saved_at, lang)}</span>
                )}
                {f.state === 'submitted' && f.submitted_at && (
                  <span class="muted"> {formatInstant(f.submitted_at, lang)}</span>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The form's values from a draft of the same version, or carried from another version. */
function startingValues(form) {
  const draft = form.draft;
  if (!draft || !draft.answers) return { values: {}, notice: form.submitted_at ? { key: 'portal.forms.sentBefore', at: form.submitted_at } : null };
  if (draft.version === form.version) return { values: { ...draft.answers }, notice: { key: 'portal.forms.resumed', at: draft.saved_at } };
  return { values: carryAnswers(form.items, draft.answers), notice: { key: 'portal.forms.draftOlder', at: null } };
}

/** #/forms/<id> */
export function FormPage({ base, id, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useRef(null);
  const summary = useRef(null);
  const ends = useEnds(onSessionLost, onPortalGone);
  const canSubmit = (permissions ?? []).includes('submit_forms');
  const url = `${base}forms/${encodeURIComponent(id)}`;
  const [form, setForm] = useState(null);
  const [status, setStatus] = useState('loading'); // loading | ready | error | sent
  const [loadError, setLoadError] = useState(null);
  const [values, setValues] = useState({});
  const [problems, setProblems] = useState([]); // [{field, key, params}]
  const [notice, setNotice] = useState(null); // {key, at}
  const [savedAt, setSavedAt] = useState(null);
  const [busy, setBusy] = useState(null); // 'save' | 'send'
  const [actionError, setActionError] = useState(null);
  const [sent, setSent] = useState(null);
  // What leaving the screen needs, current at any moment: the form, its values, unsaved?
  const latest = useRef({ form: null, values: {}, dirty: false });

  const read = useCallback(async (carryFrom = null) => {
    try {
      const answer = await api(url);
      let start = startingValues(answer);
      if (carryFrom) start = { values: carryAnswers(answer.items, carryFrom), notice: { key: 'portal.forms.versionChanged', at: null } };
      latest.current = { form: answer, values: start.values, dirty: Boolean(carryFrom) };
      setForm(answer);
      setValues(start.values);
      setNotice(start.notice);
      setProblems([]);
      setStatus('ready');
      return true;
    } catch (error) {
      if (ends(error)) return false;
      setLoadError(error);
      setStatus('error');
      return false;
    }
  }, [url, ends]);
  useEffect(() => { read(); }, [read]);
  useLayoutEffect(() => {
    if (status !== 'loading') heading.current?.focus();
  }, [status === 'loading', status === 'sent']);

  // Saves the draft when the patient leaves the screen or hides the page with unsaved answers.
  useEffect(() => {
    if (!canSubmit) return undefined;
    const saveIfDirty = () => {
      const { form: f, values: v, dirty } = latest.current;
      if (!f || !dirty) return;
      latest.current = { ...latest.current, dirty: false };
      api(`${url}/draft`, { method: 'PUT', body: { version: f.version, answers: answersToSend(f.items, v, { draft: true }) } })
        .catch(() => { latest.current = { ...latest.current, dirty: true }; });
    };
    const onHide = () => { if (document.visibilityState === 'hidden') saveIfDirty(); };
    document.addEventListener('visibilitychange', onHide);
    return () => {
      document.removeEventListener('visibilitychange', onHide);
      saveIfDirty();
    };
  }, [url, canSubmit]);

  function change(linkId, value) {
    setValues((v) => {
      const next = { ...v, [linkId]: value };
      latest.current = { ...latest.current, values: next, dirty: true };
      return next;
    });
    // The problem of a question the patient is changing no longer stands beside it.
    setProblems((p) => (p.some((x) => x.field === linkId) ? p.filter((x) => x.field !== linkId) : p));
  }

  // A 409 form_version_changed: read the new version and carry the answers that fit.
  async function versionChanged() {
    const carried = latest.current.values;
    await read(carried);
  }

  async function save() {
    setBusy('save');
    setActionError(null);
    try {
      const draft = await api(`${url}/draft`, {
        method: 'PUT', body: { version: form.version, answers: answersToSend(form.items, values, { draft: true }) },
      });
      latest.current = { ...latest.current, dirty: false };
      setSavedAt(draft.saved_at);
    } catch (error) {
      if (ends(error)) return;
      if (error.code === 'form_version_changed') await versionChanged();
      else setActionError(error);
    } finally {
      setBusy(null);
    }
  }

  async function send(event) {
    event.preventDefault();
    setBusy('send');
    setActionError(null);
    try {
      const submission = await api(`${url}/submissions`, {
        method: 'POST', body: { version: form.version, answers: answersToSend(form.items, values) },
      });
      latest.current = { ...latest.current, dirty: false };
      setSent(submission);
      setStatus('sent');
    } catch (error) {
      if (ends(error)) return;
      if (error.code === 'form_version_changed') {
        await versionChanged();
      } else if (error.status === 422 && error.errors.length) {
        setProblems(serverProblems(form.items, values, error.errors));
        requestAnimationFrame(() => summary.current?.focus());
      } else {
        setActionError(error);
      }
    } finally {
      setBusy(null);
    }
  }

  const byId = new Map(flattenItems(form?.items).map(({ item }) => [item.link_id, item]));
  const errors = Object.fromEntries(problems.filter((p) => byId.has(p.field))
    .map((p) => [p.field, problemWords(p, byId.get(p.field), lang)]));

  if (status === 'sent') {
    return (
      <section class="screen" aria-labelledby="form-heading" data-testid="portal-form" data-state="sent">
        <a class="back-link" href={hrefOf('forms')} data-testid="forms-back">{t('portal.forms.back')}</a>
        <h1 id="form-heading" ref={heading} tabIndex={-1}>{t('portal.forms.sentHeading')}</h1>
        <p class="notice" role="status" data-testid="form-sent">{t('portal.forms.sent', { when: formatInstant(sent?.submitted_at, lang) })}</p>
        <div class="card">
          <h2 class="pf-title" dir="auto">{form.title}</h2>
          <FormView items={form.items} lang={lang} answers={sent?.answers ?? {}} readOnly idPrefix={`${ID_PREFIX}-sent`} />
        </div>
        <a class="button" href={hrefOf('forms')} data-testid="forms-to-list">{t('portal.forms.toList')}</a>
      </section>
    );
  }

  return (
    <section class="screen" aria-labelledby="form-heading" data-testid="portal-form" data-state={status}
      data-version={form?.version}>
      <a class="back-link" href={hrefOf('forms')} data-testid="forms-back">{t('portal.forms.back')}</a>
      {status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {status === 'error' && (
        <>
          <h1 id="form-heading" ref={heading} tabIndex={-1}>{t('portal.forms.heading')}</h1>
          <div class="alert-row">
            <FormsProblem error={loadError} testid="form-load-error" />
            {loadError.status !== 404 && loadError.code !== 'permission_denied' && (
              <button type="button" class="button button-small" onClick={() => { setStatus('loading'); read(); }}>{t('common.retry')}</button>
            )}
          </div>
        </>
      )}
      {status === 'ready' && form && (
        <>
          <h1 id="form-heading" class="pf-title" ref={heading} tabIndex={-1} dir="auto" data-testid="form-title">{form.title}</h1>
          {form.description && <p class="pf-description" dir="auto" data-testid="form-description">{form.description}</p>}
          {notice && (
            <p class={notice.key === 'portal.forms.resumed' || notice.key === 'portal.forms.sentBefore' ? 'notice' : 'notice pf-warn'}
              data-testid="form-notice" data-notice={notice.key.split('.').pop()}>
              {t(notice.key, { when: formatInstant(notice.at, lang) })}
            </p>
          )}
          {!canSubmit && <p class="notice pf-warn" data-testid="form-view-only">{t('portal.forms.viewOnly')}</p>}
          {problems.length > 0 && (
            <div class="alert pf-summary" role="alert" tabIndex={-1} ref={summary} data-testid="form-problems">
              <p class="pf-summary-title">{t('portal.forms.problemsHeading')}</p>
              <ul>
                {problems.map((p) => {
                  const item = byId.get(p.field);
                  const words = item ? problemWords(p, item, lang) : problemWords(p, null, lang);
                  return (
                    <li key={p.field} data-testid="form-problem" data-field={p.field}>
                      {item ? (
                        <a href={`#${ID_PREFIX}-${p.field}-item`} onClick={(e) => { e.preventDefault(); focusItem(ID_PREFIX, p.field); }}>
                          <bdi>{item.text}</bdi> — {words}
                        </a>
                      ) : words}
                    </li>
                  );
                })}
              </ul>
            </div>
          )}
          <form class="card pf-form" onSubmit={send} noValidate data-testid="form-fill">
            <FormView items={form.items} lang={lang} answers={values} errors={errors} onChange={change}
              readOnly={!canSubmit} idPrefix={ID_PREFIX} />
            {canSubmit && (
              <>
                <FormsProblem error={actionError} testid="form-error" />
                <p class="muted pf-saved" role="status" data-testid="form-saved">
                  {savedAt ? t('portal.forms.savedAt', { when: formatInstant(savedAt, lang) }) : ''}
                </p>
                <div class="form-actions">
                  <button type="submit" class="button" disabled={busy !== null} data-testid="form-submit">
                    {t(busy === 'send' ? 'portal.forms.sending' : 'portal.forms.submit')}
                  </button>
                  <button type="button" class="button button-outline" disabled={busy !== null} onClick={save} data-testid="form-save">
                    {t(busy === 'save' ? 'portal.forms.saving' : 'portal.forms.save')}
                  </button>
                </div>
              </>
            )}
          </form>
        </>
      )}
    </section>
  );
}
