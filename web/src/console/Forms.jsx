// The clinic's forms (issue 15; DESIGN.md section 15), at #/forms:
//   #/forms                    the forms, active or archived (GET clinic/forms?status=), each
//                              with its version, items, patients assigned, submissions and
//                              those not yet reviewed; "New form" for owners and admins.
//   #/forms/new                a blank form or a copy of a starter (FormsBuilder.jsx).
//   #/forms/<id>               one form: its status, "available to all patients" and archive /
//                              unarchive (PATCH), a preview of the current version in either
//                              language, its versions (each exportable as a FHIR
//                              Questionnaire; an earlier one's questions shown on request,
//                              GET .../versions/{n}), the patients it is assigned to (GET / POST /
//                              DELETE .../assignments, chosen through a patient search) and
//                              its submissions (FormsSubmissions.jsx).
//   #/forms/<id>/edit          the builder on the current version: publishing makes the next.
//   #/forms/submissions/<id>   one submission (FormsSubmissions.jsx).
// Staff read everything and mark submissions reviewed; owners and admins change forms (the
// server decides either way; a 403 is said in words).
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { formatInstant } from '../financeRules.js';
import { formsQuery, textIn } from './formBuilderRules.js';
import { canManage } from './settingsRules.js';
import { errorMessage } from './common.jsx';
import { ListState, useList } from './FinanceParts.jsx';
import { FormBuilder, FormPreview } from './FormsBuilder.jsx';
import { FormStatus, PatientPicker, takeFormsNotice } from './FormsParts.jsx';
import { SubmissionList, SubmissionView } from './FormsSubmissions.jsx';
import './deliveries.css';
import './finance.css';
import './forms.css';

const BASE = '/api/v1/clinic/forms';
const formUrl = (id) => `${BASE}/${encodeURIComponent(id)}`;

function FormsList({ session, onSessionLost }) {
  const lang = useLanguage();
  const [status, setStatus] = useState('active');
  const [notice] = useState(takeFormsNotice);
  const query = useMemo(() => formsQuery({ status }), [status]);
  const list = useList(BASE, query, onSessionLost);
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  return (
    <section class="forms" aria-labelledby="forms-heading" data-testid="console-forms">
      <header class="screen-header msg-header">
        <h2 id="forms-heading" ref={heading} tabIndex={-1}>{t('console.forms.heading')}</h2>
        {canManage(session.staff.role) && (
          <a class="button button-small" href="#/forms/new" data-testid="forms-new">{t('console.forms.new.button')}</a>
        )}
      </header>
      <p class="muted">{t('console.forms.intro')}</p>
      {notice && <p class="notice" role="status" data-testid="forms-notice">{notice}</p>}
      <div class="field doc-filter">
        <label for="forms-status">{t('console.forms.show')}</label>
        <select id="forms-status" value={status} data-testid="forms-status" onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="active">{t('console.forms.status.active')}</option>
          <option value="archived">{t('console.forms.status.archived')}</option>
        </select>
      </div>
      <ListState list={list} testid="forms-list" empty={t(status === 'active' ? 'console.forms.none' : 'console.forms.noneArchived')}>
        <div class="card table-card">
          <table class="data-table" data-testid="forms-table">
            <caption class="visually-hidden">{t('console.forms.heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console.forms.col.title')}</th>
                <th scope="col">{t('console.forms.col.version')}</th>
                <th scope="col">{t('console.forms.col.patients')}</th>
                <th scope="col">{t('console.forms.col.submissions')}</th>
                <th scope="col">{t('console.forms.col.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((f) => (
                <tr key={f.id} data-testid="forms-row" data-id={f.id}>
                  <td class="cell-wrap">
                    <a href={`#/forms/${encodeURIComponent(f.id)}`} data-testid="forms-open"><bdi>{textIn(f.title, lang)}</bdi></a>
                    <span class="delivery-sub"><FormStatus form={f} /></span>
                    <span class="delivery-sub muted">{t('console.forms.itemCount', { count: f.item_count })}</span>
                  </td>
                  <td>{t('console.forms.versionN', { version: f.current_version })}</td>
                  <td data-testid="forms-assigned">
                    {f.available_to_all ? t('console.forms.toAllShort') : t('console.forms.assignedCount', { count: f.assigned_count })}
                  </td>
                  <td data-testid="forms-submissions">
                    {t('console.forms.submissionCount', { count: f.submission_count })}
                    {f.unreviewed_count > 0 && (
                      <span class="delivery-sub" data-testid="forms-unreviewed">{t('console.forms.unreviewedCount', { count: f.unreviewed_count })}</span>
                    )}
                  </td>
                  <td>{formatInstant(f.updated_at, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ListState>
    </section>
  );
}

/** The patients a form is assigned to, and assigning more (owners and admins). */
function Assignments({ form, admin, onChanged, onSessionLost }) {
  const lang = useLanguage();
  const list = useList(`${formUrl(form.id)}/assignments`, 'limit=50', onSessionLost);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState(null);
  const [failure, setFailure] = useState(null);

  async function assign(ids) {
    setBusy(true);
    setNotice(null);
    setFailure(null);
    try {
      const answer = await api(`${formUrl(form.id)}/assignments`, { method: 'POST', body: { patient_ids: ids } });
      setNotice(t('console.forms.assign.done', { count: answer?.added ?? ids.length }));
      list.load();
      onChanged();
      return true;
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
      return false;
    } finally {
      setBusy(false);
    }
  }
  async function unassign(a) {
    setBusy(true);
    setNotice(null);
    setFailure(null);
    try {
      await api(`${formUrl(form.id)}/assignments/${encodeURIComponent(a.patient_id)}`, { method: 'DELETE' });
      setNotice(t('console.forms.assign.removed', { name: a.patient_name }));
      list.load();
      onChanged();
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 404) { list.load(); onChanged(); }
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="form-assign-heading" data-testid="form-assignments">
      <h3 id="form-assign-heading">{t('console.forms.assign.heading')}</h3>
      {form.available_to_all && <p class="hint">{t('console.forms.assign.toAllNote')}</p>}
      {notice && <p class="notice" role="status" data-testid="form-assign-notice">{notice}</p>}
      {failure && <p class="alert" role="alert" data-testid="form-assign-error">{errorMessage(failure)}</p>}
      <ListState list={list} testid="assignments" empty={t('console.forms.assign.none')}>
        <ul class="forms-assigned" aria-label={t('console.forms.assign.heading')}>
          {list.items.map((a) => (
            <li key={a.patient_id} data-testid="assignment-row" data-id={a.patient_id} data-state={a.state}>
              <a href={`#/patients/${encodeURIComponent(a.patient_id)}/forms`}><bdi>{a.patient_name}</bdi></a>
              <span class="muted">
                {' · '}{t(`console.forms.state.${a.state}`)}
                {a.submitted_at ? ` · ${formatInstant(a.submitted_at, lang)}` : ''}
              </span>
              {admin && (
                <button type="button" class="button button-small button-outline" disabled={busy} data-testid="assignment-remove"
                  onClick={() => unassign(a)}>
                  {t('console.forms.assign.remove')}<span class="visually-hidden"> {a.patient_name}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      </ListState>
      {admin && form.status === 'active' && (
        <PatientPicker idBase="form-assign" busy={busy} onAssign={assign} onSessionLost={onSessionLost} />
      )}
    </section>
  );
}

/** One earlier version's definition (GET forms/{id}/versions/{n}), previewed when asked for. */
function VersionPreview({ formId, version, onSessionLost }) {
  const [state, setState] = useState({ status: 'closed' });
  async function open() {
    if (state.status !== 'closed') { setState({ status: 'closed' }); return; }
    setState({ status: 'loading' });
    try {
      setState({ status: 'ready', definition: (await api(`${formUrl(formId)}/versions/${version}`)).definition });
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setState({ status: 'error', error });
    }
  }
  const which = t('console.forms.versionN', { version });
  return (
    <>
      <button type="button" class="button button-small button-outline" aria-expanded={state.status === 'closed' ? 'false' : 'true'}
        data-testid="form-version-show" onClick={open}>
        {t(state.status === 'closed' ? 'console.forms.versionShow' : 'console.forms.versionHide')}
        <span class="visually-hidden"> {which}</span>
      </button>
      {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state.status === 'error' && <p class="alert" role="alert">{errorMessage(state.error)}</p>}
      {state.status === 'ready' && (
        <FormPreview definition={state.definition} testid={`form-version-${version}-preview`} initial="tr" />
      )}
    </>
  );
}

function FormPage({ id, session, onSessionLost }) {
  const lang = useLanguage();
  const admin = canManage(session.staff.role);
  const [state, setState] = useState({ status: 'loading', form: null, error: null });
  const [notice, setNotice] = useState(takeFormsNotice);
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const [toAll, setToAll] = useState(null); // the box as ticked while its PATCH is on its way
  const heading = useRef(null);

  const load = useCallback(async () => {
    try {
      setState({ status: 'ready', form: await api(formUrl(id)), error: null });
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setState({ status: 'error', form: null, error });
    }
  }, [id, onSessionLost]);
  useEffect(() => { load(); }, [load]);
  useLayoutEffect(() => { if (state.status === 'ready') heading.current?.focus(); }, [state.status === 'ready']);

  async function patch(body, done) {
    setBusy(true);
    setNotice(null);
    setFailure(null);
    try {
      const form = await api(formUrl(id), { method: 'PATCH', body });
      setState({ status: 'ready', form, error: null });
      setNotice(done);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    } finally {
      setBusy(false);
      setToAll(null);
    }
  }

  if (state.status === 'loading') return <p class="muted" role="status">{t('common.loading')}</p>;
  if (state.status === 'error') {
    return (
      <section class="forms" data-testid="form-page-error">
        <a class="back-link" href="#/forms">{t('console.forms.back')}</a>
        <p class="alert" role="alert">{state.error.status === 404 ? t('console.forms.notFound') : errorMessage(state.error)}</p>
        {state.error.status !== 404 && <button type="button" class="button" onClick={load}>{t('common.retry')}</button>}
      </section>
    );
  }
  const { form } = state;
  const title = textIn(form.title, lang);
  const archived = form.status === 'archived';
  return (
    <section class="forms form-page" aria-labelledby="form-heading" data-testid="form-page" data-id={form.id}
      data-status={form.status} data-version={form.current_version}>
      <a class="back-link" href="#/forms" data-testid="form-back">{t('console.forms.back')}</a>
      <header class="screen-header msg-header">
        <div>
          <h2 id="form-heading" ref={heading} tabIndex={-1} dir="auto" data-testid="form-title">{title}</h2>
          <p class="patient-meta">
            <FormStatus form={form} />
            <span class="badge badge-plain" data-testid="form-version">{t('console.forms.versionN', { version: form.current_version })}</span>
          </p>
          <p class="muted">
            {t('console.forms.itemCount', { count: form.item_count })}
            {' · '}{t('console.forms.submissionCount', { count: form.submission_count })}
            {' · '}<span data-testid="form-unreviewed">{t('console.forms.unreviewedCount', { count: form.unreviewed_count })}</span>
          </p>
        </div>
        {admin && !archived && (
          <a class="button button-small" href={`#/forms/${encodeURIComponent(form.id)}/edit`} data-testid="form-edit">
            {t('console.forms.edit.button')}
          </a>
        )}
      </header>
      {notice && <p class="notice" role="status" data-testid="form-notice">{notice}</p>}
      {failure && <p class="alert" role="alert" data-testid="form-error">{errorMessage(failure)}</p>}

      {admin ? (
        <section class="card" aria-labelledby="form-who-heading" data-testid="form-settings">
          <h3 id="form-who-heading">{t('console.forms.who.heading')}</h3>
          <label class="check">
            <input type="checkbox" checked={toAll ?? form.available_to_all} disabled={busy || archived} data-testid="form-to-all-toggle"
              onChange={(e) => {
                const on = e.currentTarget.checked;
                setToAll(on);
                patch({ available_to_all: on }, t(on ? 'console.forms.who.toAllOn' : 'console.forms.who.toAllOff'));
              }} />
            <span>
              <span class="check-label">{t('console.forms.who.toAll')}</span>
              <span class="check-help">{t('console.forms.who.toAllHelp')}</span>
            </span>
          </label>
          <div class="form-actions">
            <button type="button" class="button button-small button-outline" disabled={busy} data-testid="form-archive"
              onClick={() => patch({ status: archived ? 'active' : 'archived' },
                t(archived ? 'console.forms.unarchived' : 'console.forms.archivedDone'))}>
              {t(archived ? 'console.forms.unarchive' : 'console.forms.archive')}
            </button>
          </div>
          <p class="hint">{t(archived ? 'console.forms.archivedHelp' : 'console.forms.archiveHelp')}</p>
        </section>
      ) : <p class="hint">{t('console.forms.adminOnly')}</p>}

      <FormPreview key={form.current_version} definition={form.definition} testid="form-preview" />

      <section class="card" aria-labelledby="form-versions-heading" data-testid="form-versions">
        <h3 id="form-versions-heading">{t('console.forms.versions')}</h3>
        <ul class="forms-versions">
          {(form.versions ?? []).map((v) => (
            <li key={v.version} data-testid="form-version-row" data-version={v.version}>
              <strong>{t('console.forms.versionN', { version: v.version })}</strong>
              {' · '}{t('console.forms.itemCount', { count: v.item_count })}
              {' · '}{formatInstant(v.created_at, lang)}
              {v.created_by?.name ? ` · ${v.created_by.name}` : ''}
              {' · '}
              <a href={`${formUrl(form.id)}/versions/${v.version}/questionnaire`} download={`questionnaire-${form.id}-v${v.version}.json`}
                data-testid="form-version-fhir">
                {t('console.forms.fhir')}<span class="visually-hidden"> {t('console.forms.versionN', { version: v.version })}</span>
              </a>
              {v.version !== form.current_version && (
                <>{' · '}<VersionPreview formId={form.id} version={v.version} onSessionLost={onSessionLost} /></>
              )}
            </li>
          ))}
        </ul>
      </section>

      <Assignments form={form} admin={admin} onChanged={load} onSessionLost={onSessionLost} />

      <section class="card" aria-labelledby="form-subs-heading" data-testid="form-submissions">
        <h3 id="form-subs-heading">{t('console.forms.sub.heading')}</h3>
        <SubmissionList formId={form.id} idBase="form-subs" onSessionLost={onSessionLost} />
      </section>
    </section>
  );
}

/** #/forms[...]: `path` is what follows "forms/". */
export function Forms({ session, path, onSessionLost }) {
  useLanguage();
  const [first, second] = path.map((p) => decodeURIComponent(p));
  if (first === 'new') return <FormBuilder key="new" formId={null} session={session} onSessionLost={onSessionLost} />;
  if (first === 'submissions' && second) return <SubmissionView key={second} id={second} onSessionLost={onSessionLost} />;
  if (first && second === 'edit') return <FormBuilder key={`edit-${first}`} formId={first} session={session} onSessionLost={onSessionLost} />;
  if (first) return <FormPage key={first} id={first} session={session} onSessionLost={onSessionLost} />;
  return <FormsList session={session} onSessionLost={onSessionLost} />;
}
