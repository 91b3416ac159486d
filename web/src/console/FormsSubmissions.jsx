// What patients sent through forms (issue 15), for staff:
//   SubmissionList        GET clinic/form-submissions?form_id=|patient_id=&status=: newest
//                         first, each with its form, version, patient, status; on a form's
//                         page (Forms.jsx) and on a patient's Forms tab (PatientForms).
//   SubmissionView        #/forms/submissions/<id>: GET clinic/form-submissions/{id}, the
//                         answers with the questions of the version they were made for, in
//                         the language the patient used or the other one; the consents in
//                         the words the patient ticked; "Mark reviewed" (POST .../review;
//                         a 409 says someone already did and shows who).
//   PatientForms          the patient page's Forms tab: their submissions, the active forms
//                         assigned to them (GET clinic/forms?patient_id=), and (owners and
//                         admins) an assignment removed, or another active form assigned.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { formatInstant } from '../financeRules.js';
import { FormView, localizeDefinition } from '../FormParts.jsx';
import { formsQuery, LANGS, submissionsQuery, textIn } from './formBuilderRules.js';
import { canManage } from './settingsRules.js';
import { errorMessage } from './common.jsx';
import { ListState, useList } from './FinanceParts.jsx';
import { SubmissionStatus } from './FormsParts.jsx';
import './deliveries.css';
import './finance.css';
import './forms.css';

const STATUSES = ['', 'submitted', 'reviewed'];

/** Submissions of a form (formId) or of a patient (patientId), with a status filter. */
export function SubmissionList({ formId, patientId, idBase = 'subs', onSessionLost }) {
  const lang = useLanguage();
  const [status, setStatus] = useState('');
  const query = useMemo(() => submissionsQuery({ form_id: formId, patient_id: patientId, status }), [formId, patientId, status]);
  const list = useList('/api/v1/clinic/form-submissions', query, onSessionLost);
  return (
    <div class="forms-subs">
      <div class="field doc-filter">
        <label for={`${idBase}-status`}>{t('console.forms.sub.show')}</label>
        <select id={`${idBase}-status`} value={status} data-testid="subs-status" onChange={(e) => setStatus(e.currentTarget.value)}>
          {STATUSES.map((s) => <option key={s} value={s}>{t(`console.forms.sub.filter.${s || 'all'}`)}</option>)}
        </select>
      </div>
      <ListState list={list} testid="subs" empty={t(status ? 'console.forms.sub.noneFiltered' : 'console.forms.sub.none')}>
        <div class="card table-card">
          <table class="data-table" data-testid="subs-table">
            <caption class="visually-hidden">{t('console.forms.sub.heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console.forms.sub.when')}</th>
                <th scope="col">{formId ? t('console.forms.sub.patient') : t('console.forms.sub.form')}</th>
                <th scope="col">{t('console.forms.sub.version')}</th>
                <th scope="col">{t('console.forms.sub.state')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((s) => (
                <tr key={s.id} data-testid="subs-row" data-id={s.id} data-status={s.status}>
                  <td>
                    <a href={`#/forms/submissions/${encodeURIComponent(s.id)}`} data-testid="subs-open">
                      {formatInstant(s.submitted_at, lang)}
                      <span class="visually-hidden"> {t('console.forms.sub.openWhich', {
                        form: textIn(s.form_title, lang), name: s.patient_name ?? '' })}</span>
                    </a>
                  </td>
                  <td class="cell-wrap">
                    {formId ? <bdi data-testid="subs-patient">{s.patient_name}</bdi>
                      : <bdi data-testid="subs-form">{textIn(s.form_title, lang)}</bdi>}
                  </td>
                  <td>{t('console.forms.versionN', { version: s.version })}</td>
                  <td><SubmissionStatus submission={s} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ListState>
    </div>
  );
}

/** #/forms/submissions/<id>: one submission with its own version's questions. */
export function SubmissionView({ id, onSessionLost }) {
  const uiLang = useLanguage();
  const [state, setState] = useState({ status: 'loading', sub: null, error: null });
  const [lang, setLang] = useState(null); // the questions' language; the patient's by default
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState(null);
  const [failure, setFailure] = useState(null);
  const heading = useRef(null);

  const load = useCallback(async () => {
    try {
      const sub = await api(`/api/v1/clinic/form-submissions/${encodeURIComponent(id)}`);
      setState({ status: 'ready', sub, error: null });
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setState({ status: 'error', sub: null, error });
    }
  }, [id, onSessionLost]);
  useEffect(() => { load(); }, [load]);
  useLayoutEffect(() => { if (state.status === 'ready') heading.current?.focus(); }, [state.status]);

  async function review() {
    setBusy(true);
    setFailure(null);
    try {
      const sub = await api(`/api/v1/clinic/form-submissions/${encodeURIComponent(id)}/review`, { method: 'POST' });
      setState({ status: 'ready', sub, error: null });
      setNotice(t('console.forms.sub.reviewedDone'));
    } catch (error) {
      if (error.status === 401) { onSessionLost(); return; }
      if (error.status === 409) {
        setNotice(t('console.forms.sub.alreadyReviewed'));
        await load();
      } else {
        setFailure(error);
      }
    } finally {
      setBusy(false);
    }
  }

  if (state.status === 'loading') return <p class="muted" role="status">{t('common.loading')}</p>;
  if (state.status === 'error') {
    return (
      <section class="forms" data-testid="submission-error">
        <a class="back-link" href="#/forms">{t('console.forms.back')}</a>
        <p class="alert" role="alert">{state.error.status === 404 ? t('console.forms.sub.notFound') : errorMessage(state.error)}</p>
        {state.error.status !== 404 && <button type="button" class="button" onClick={load}>{t('common.retry')}</button>}
      </section>
    );
  }
  const { sub } = state;
  const shown = lang ?? (LANGS.includes(sub.language) ? sub.language : uiLang);
  const view = localizeDefinition(sub.definition, shown);
  const title = textIn(sub.form_title, uiLang);
  return (
    <section class="forms forms-submission" aria-labelledby="sub-heading" data-testid="submission" data-id={sub.id}
      data-status={sub.status} data-version={sub.version}>
      <a class="back-link" href={`#/forms/${encodeURIComponent(sub.form_id)}`} data-testid="submission-back">
        {t('console.forms.backToForm')}
      </a>
      <header class="screen-header">
        <h2 id="sub-heading" ref={heading} tabIndex={-1} dir="auto" data-testid="submission-title">
          {t('console.forms.sub.title', { title, name: sub.patient_name ?? '' })}
        </h2>
        <p class="patient-meta">
          <SubmissionStatus submission={sub} />
          <span class="badge badge-plain" data-testid="submission-version">{t('console.forms.versionN', { version: sub.version })}</span>
        </p>
        <p class="muted">
          <a href={`#/patients/${encodeURIComponent(sub.patient_id)}/forms`} data-testid="submission-patient"><bdi>{sub.patient_name}</bdi></a>
          {' · '}{t('console.forms.sub.sentAt', { at: formatInstant(sub.submitted_at, uiLang) })}
          {' · '}{t('console.forms.sub.language', { lang: t(`console.forms.lang.${sub.language}`) })}
        </p>
        {sub.status === 'reviewed' && (
          <p class="muted" data-testid="submission-reviewed-by">
            {t('console.forms.sub.reviewedBy', { name: sub.reviewed_by?.name ?? '—', at: formatInstant(sub.reviewed_at, uiLang) })}
          </p>
        )}
      </header>
      {notice && <p class="notice" role="status" data-testid="submission-notice">{notice}</p>}
      {failure && <p class="alert" role="alert" data-testid="submission-failure">{errorMessage(failure)}</p>}
      {sub.status !== 'reviewed' && (
        <button type="button" class="button" disabled={busy} onClick={review} data-testid="submission-review">
          {t(busy ? 'console.forms.sub.reviewing' : 'console.forms.sub.markReviewed')}
        </button>
      )}
      <div class="fb-preview-langs" role="group" aria-label={t('console.forms.sub.questionsIn')}>
        {LANGS.map((l) => (
          <button key={l} type="button" class="button button-small button-outline" aria-pressed={shown === l ? 'true' : 'false'}
            data-testid={`submission-lang-${l}`} onClick={() => setLang(l)}>
            {t('console.forms.preview.in', { lang: t(`console.forms.lang.${l}`) })}
          </button>
        ))}
      </div>
      <div class="card" lang={shown} data-testid="submission-answers">
        <h3 dir="auto" data-testid="submission-form-title">{view.title}</h3>
        <FormView items={view.items} lang={shown} answers={sub.answers ?? {}} readOnly idPrefix={`sub-${sub.id}`} />
      </div>
      {sub.consents?.length > 0 && (
        <section class="card" aria-labelledby="sub-consents" data-testid="submission-consents">
          <h3 id="sub-consents">{t('console.forms.sub.consents')}</h3>
          <p class="hint">{t('console.forms.sub.consentsHint')}</p>
          <ul>
            {sub.consents.map((c) => (
              <li key={c.link_id} data-testid="submission-consent" data-link-id={c.link_id}>
                <span class="forms-consent-text" dir="auto">{c.text}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

/** The patient page's Forms tab. */
export function PatientForms({ patientId, session, onSessionLost }) {
  const lang = useLanguage();
  const admin = canManage(session.staff.role);
  const [forms, setForms] = useState({ status: 'loading', items: [] });
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState(null);
  const [failure, setFailure] = useState(null);

  useEffect(() => {
    let live = true;
    api(`/api/v1/clinic/forms?${formsQuery({ status: 'active', limit: 100 })}`)
      .then((page) => { if (live) setForms({ status: 'ready', items: page?.items ?? [] }); })
      .catch((e) => { if (e.status === 401) onSessionLost(); else if (live) setForms({ status: 'error', items: [], error: e }); });
    return () => { live = false; };
  }, [patientId]);

  // The forms assigned to this patient (GET forms?patient_id=), active ones.
  const assignedQuery = useMemo(() => `${formsQuery({ status: 'active', limit: 100 })}&patient_id=${encodeURIComponent(patientId)}`, [patientId]);
  const assigned = useList('/api/v1/clinic/forms', assignedQuery, onSessionLost);
  const assignedIds = new Set(assigned.items.map((f) => f.id));

  async function unassign(form) {
    setBusy(true);
    setNotice(null);
    setFailure(null);
    try {
      await api(`/api/v1/clinic/forms/${encodeURIComponent(form.id)}/assignments/${encodeURIComponent(patientId)}`, { method: 'DELETE' });
      setNotice(t('console.forms.patient.unassigned', { title: textIn(form.title, lang) }));
    } catch (error) {
      if (error.status === 401) { onSessionLost(); return; }
      if (error.status !== 404) setFailure(error);
    } finally {
      setBusy(false);
      assigned.load();
    }
  }

  async function assign(event) {
    event.preventDefault();
    if (!choice || busy) return;
    setBusy(true);
    setNotice(null);
    setFailure(null);
    try {
      const answer = await api(`/api/v1/clinic/forms/${encodeURIComponent(choice)}/assignments`, { method: 'POST', body: { patient_ids: [patientId] } });
      const form = forms.items.find((f) => f.id === choice);
      setNotice(t(answer?.added ? 'console.forms.assign.doneOne' : 'console.forms.assign.already', { title: textIn(form?.title, lang) }));
      setChoice('');
      assigned.load();
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const toAll = forms.items.filter((f) => f.available_to_all);
  return (
    <div class="forms-patient" data-testid="patient-forms">
      <section class="card" aria-labelledby="patient-forms-subs">
        <h3 id="patient-forms-subs">{t('console.forms.sub.heading')}</h3>
        <SubmissionList patientId={patientId} idBase="patient-subs" onSessionLost={onSessionLost} />
      </section>
      <section class="card" aria-labelledby="patient-forms-assign">
        <h3 id="patient-forms-assign">{t('console.forms.patient.assigned')}</h3>
        <ListState list={assigned} testid="patient-forms-assigned" empty={t('console.forms.patient.noneAssigned')}>
          <ul class="forms-assigned" aria-label={t('console.forms.patient.assigned')}>
            {assigned.items.map((f) => (
              <li key={f.id} data-testid="patient-form-row" data-id={f.id}>
                <a href={`#/forms/${encodeURIComponent(f.id)}`}><bdi>{textIn(f.title, lang)}</bdi></a>
                <span class="muted">{' · '}{t('console.forms.versionN', { version: f.current_version })}</span>
                {admin && (
                  <button type="button" class="button button-small button-outline" disabled={busy} data-testid="patient-form-unassign"
                    onClick={() => unassign(f)}>
                    {t('console.forms.assign.remove')}<span class="visually-hidden"> {textIn(f.title, lang)}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        </ListState>
        {forms.status === 'error' && <p class="alert" role="alert">{errorMessage(forms.error)}</p>}
        {toAll.length > 0 && (
          <p class="muted" data-testid="patient-forms-to-all">
            {t('console.forms.patient.toAll', { titles: toAll.map((f) => textIn(f.title, lang)).join(', ') })}
          </p>
        )}
        {admin ? (
          <form class="forms-assign-one" onSubmit={assign} data-testid="patient-forms-assign">
            <div class="field">
              <label for="patient-forms-choice">{t('console.forms.patient.assign')}</label>
              <select id="patient-forms-choice" value={choice} data-testid="patient-forms-choice"
                onChange={(e) => { setChoice(e.currentTarget.value); setNotice(null); }}>
                <option value="">{t('console.forms.patient.choose')}</option>
                {forms.items.filter((f) => !assignedIds.has(f.id)).map((f) => <option key={f.id} value={f.id}>{textIn(f.title, lang)}</option>)}
              </select>
            </div>
            <button type="submit" class="button button-small" disabled={!choice || busy} data-testid="patient-forms-assign-go">
              {t('console.forms.patient.assignGo')}
            </button>
          </form>
        ) : <p class="hint">{t('console.forms.adminOnly')}</p>}
        {notice && <p class="notice" role="status" data-testid="patient-forms-notice">{notice}</p>}
        {failure && <p class="alert" role="alert">{errorMessage(failure)}</p>}
        <p class="hint"><a href="#/forms">{t('console.forms.patient.allForms')}</a></p>
      </section>
    </div>
  );
}
