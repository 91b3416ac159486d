// "Why can't this patient…?" (the guide's Common Scenarios, per patient): pick an action,
// GET /api/v1/clinic/patients/{id}/portal-access?action=<key> answers every condition the
// server checked, passed ones too; each is shown with ✓ or ✗ in the console's words (the
// server's `detail` for a condition the console does not know), with what to do about a
// failed one. Checks again when `checks` changes (after a save on the page). For viewing or
// downloading documents, one of the patient's documents may be chosen (`&document_id=`):
// the answer then says whether that document is shared with the patient (document_shared).
// For viewing or submitting forms, one of the clinic's forms (`&form_id=`): whether it is
// open to the patient (form_open: active, and assigned to them or available to all).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { errorMessage } from './common.jsx';
import { CONDITION_KEYS, patientHref, permissionFix } from './patientRules.js';

const localized = (label, lang) => (label ? label[lang] ?? label.tr ?? label.en ?? '' : '');

function actionLabel(catalog, key, lang) {
  for (const group of catalog.groups) {
    const p = group.permissions.find((x) => x.key === key);
    if (p) return localized(p.label, lang);
  }
  return key;
}

const GOTO_KEYS = {
  details: 'console.diag.goto.details', permissions: 'console.diag.goto.permissions', documents: 'console.diag.goto.documents',
};
/** The actions whose answer can name one document (document_id). */
const DOCUMENT_ACTIONS = ['view_documents', 'download_documents'];
/** The actions whose answer can name one form (form_id). */
const FORM_ACTIONS = ['view_forms', 'submit_forms'];

/** The clinic's forms for the picker (active, then archived), loaded once when a form action is chosen. */
function useForms(wanted) {
  const [forms, setForms] = useState(null);
  useEffect(() => {
    if (!wanted || forms !== null) return undefined;
    let live = true;
    Promise.all(['active', 'archived'].map((status) => api(`/api/v1/clinic/forms?status=${status}&limit=100`)))
      .then((pages) => { if (live) setForms(pages.flatMap((page) => page.items ?? [])); })
      .catch(() => { if (live) setForms([]); });
    return () => { live = false; };
  }, [wanted, forms]);
  return forms;
}

/** The patient's documents for the picker, loaded once when a document action is chosen. */
function useDocuments(patientId, wanted) {
  const [documents, setDocuments] = useState(null);
  useEffect(() => {
    if (!wanted || documents !== null) return undefined;
    let live = true;
    api(`/api/v1/clinic/patients/${encodeURIComponent(patientId)}/documents?kind=document&limit=100`)
      .then((page) => { if (live) setDocuments(page.items ?? []); })
      .catch(() => { if (live) setDocuments([]); });
    return () => { live = false; };
  }, [patientId, wanted, documents]);
  return documents;
}

function FixLink({ goto, patientId, formId }) {
  if (goto === 'form' && formId) {
    return <a href={`#/forms/${encodeURIComponent(formId)}`} class="diag-goto" data-testid="diag-goto-form">{t('console.diag.goto.form')}</a>;
  }
  if (goto === 'settings') {
    return <a href="#/settings" class="diag-goto" data-testid="diag-goto-settings">{t('console.diag.goto.settings')}</a>;
  }
  if (goto === 'details' || goto === 'permissions' || goto === 'documents') {
    return (
      <a href={patientHref(patientId, goto)} class="diag-goto" data-testid={`diag-goto-${goto}`}
        onClick={(e) => {
          e.preventDefault();
          window.location.replace(patientHref(patientId, goto));
          document.getElementById(`patient-tab-${goto}`)?.focus();
        }}>
        {t(GOTO_KEYS[goto])}
      </a>
    );
  }
  return null;
}

function Check({ check, action, mode, patientId, formId }) {
  const keys = CONDITION_KEYS[check.condition];
  const text = keys ? t(check.ok ? keys.ok : keys.fail, { action }) : check.detail;
  let fix = null;
  if (!check.ok && keys) fix = check.condition === 'permission' ? permissionFix(mode) : { key: keys.fix, goto: keys.goto };
  return (
    <li class={`diag-check ${check.ok ? 'diag-ok' : 'diag-fail'}`} data-testid={`diag-check-${check.condition}`}
      data-condition={check.condition} data-ok={check.ok ? 'true' : 'false'}>
      <span class="diag-mark" aria-hidden="true">{check.ok ? '✓' : '✗'}</span>
      <span class="diag-text">
        <span class="visually-hidden">{t(check.ok ? 'console.diag.passed' : 'console.diag.failed')}</span>
        <span class="diag-main" data-testid="diag-text">{text}</span>
        {fix && (
          <span class="diag-fix">
            {t(fix.key)} <FixLink goto={fix.goto} patientId={patientId} formId={formId} />
          </span>
        )}
      </span>
    </li>
  );
}

export function PatientDiagnostics({ patientId, catalog, mode, checks, onSessionLost }) {
  const lang = useLanguage();
  const [action, setAction] = useState('');
  const [result, setResult] = useState(null); // the answer for `action`
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [documentId, setDocumentId] = useState('');
  const documentAction = DOCUMENT_ACTIONS.includes(action);
  const documents = useDocuments(patientId, documentAction);
  const [formId, setFormId] = useState('');
  const formAction = FORM_ACTIONS.includes(action);
  const forms = useForms(formAction);

  useEffect(() => {
    if (!action) {
      setResult(null);
      setError(null);
      return undefined;
    }
    const controller = new AbortController();
    setBusy(true);
    setError(null);
    const query = new URLSearchParams({ action });
    if (documentAction && documentId) query.set('document_id', documentId);
    if (formAction && formId) query.set('form_id', formId);
    api(`/api/v1/clinic/patients/${encodeURIComponent(patientId)}/portal-access?${query}`, { signal: controller.signal })
      .then((answer) => {
        setResult(answer);
        setBusy(false);
      })
      .catch((e) => {
        if (e.name === 'AbortError') return;
        setBusy(false);
        if (e.status === 401) onSessionLost();
        else {
          setResult(null);
          setError(e);
        }
      });
    return () => controller.abort();
  }, [action, documentAction, documentId, formAction, formId, checks, patientId, onSessionLost]);

  const shown = result && result.action === action ? result : null;
  const label = action ? actionLabel(catalog, action, lang) : '';
  const failed = shown ? shown.checks.filter((c) => !c.ok).length : 0;

  return (
    <section class="card diag" aria-labelledby="diag-heading" data-testid="diagnostics">
      <h3 id="diag-heading">{t('console.diag.heading')}</h3>
      <p class="muted">{t('console.diag.intro')}</p>
      <div class="field diag-pick">
        <label for="diag-action">{t('console.diag.action')}</label>
        <select id="diag-action" value={action} data-testid="diag-action"
          onChange={(e) => setAction(e.currentTarget.value)}>
          <option value="">{t('console.diag.choose')}</option>
          {catalog.groups.map((group) => (
            <optgroup key={group.key} label={localized(group.label, lang)}>
              {group.permissions.map((p) => <option key={p.key} value={p.key}>{localized(p.label, lang)}</option>)}
            </optgroup>
          ))}
        </select>
      </div>
      {documentAction && (
        <div class="field diag-pick">
          <label for="diag-document">{t('console.diag.document.pick')}</label>
          <select id="diag-document" value={documentId} data-testid="diag-document" aria-describedby="diag-document-hint"
            onChange={(e) => setDocumentId(e.currentTarget.value)}>
            <option value="">{t('console.diag.document.any')}</option>
            {(documents ?? []).map((d) => <option key={d.id} value={d.id}>{d.title}</option>)}
          </select>
          <p class="hint" id="diag-document-hint">{t('console.diag.document.pickHint')}</p>
        </div>
      )}
      {formAction && (
        <div class="field diag-pick">
          <label for="diag-form">{t('console.diag.form.pick')}</label>
          <select id="diag-form" value={formId} data-testid="diag-form" aria-describedby="diag-form-hint"
            onChange={(e) => setFormId(e.currentTarget.value)}>
            <option value="">{t('console.diag.form.any')}</option>
            {(forms ?? []).map((f) => <option key={f.id} value={f.id}>{localized(f.title, lang)}</option>)}
          </select>
          <p class="hint" id="diag-form-hint">{t('console.diag.form.pickHint')}</p>
        </div>
      )}
      <div aria-live="polite" data-testid="diag-output" data-state={busy ? 'loading' : shown ? 'ready' : 'idle'}>
        {busy && !shown && <p class="muted">{t('common.loading')}</p>}
        {error && (
          <p class="alert" role="alert" data-testid="diag-error">
            {error.status === 422 && error.errors.length ? error.errors.map((e) => e.message).join(' ') : errorMessage(error)}
          </p>
        )}
        {shown && (
          <div class={busy ? 'diag-result is-stale' : 'diag-result'}>
            <p class={`diag-summary ${shown.allowed ? 'diag-summary-ok' : 'diag-summary-fail'}`} data-testid="diag-summary"
              data-allowed={shown.allowed ? 'true' : 'false'}>
              {shown.allowed
                ? t('console.diag.allowed', { action: label })
                : t(failed === 1 ? 'console.diag.deniedOne' : 'console.diag.deniedMany', { action: label, count: failed })}
            </p>
            <ul class="diag-checks" data-testid="diag-checks">
              {shown.checks.map((check) => (
                <Check key={check.condition} check={check} action={label} mode={mode} patientId={patientId}
                  formId={formAction ? formId : ''} />
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}
