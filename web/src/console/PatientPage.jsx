// A patient's page (#/patients/<id>, #/patients/<id>/permissions), the guide's patient Edit:
// tabs, "Details" (names, phone, email, address, emergency contact, language, portal access,
// communication; PATCH of the changed fields, a cleared phone, email, address or emergency
// contact sent as null) and "Portal Permissions"
// (PatientPermissions.jsx), "Treatments" (PatientTreatments.jsx) and "Finance" (balance,
// invoices, payments: FinancePatient.jsx) and "Documents" (files shared with the patient and
// the patient's uploads: PatientDocuments.jsx) and "Forms" (their form submissions and a form
// assigned to them: PatientForms in FormsSubmissions.jsx), and under them the "Why can't this patient…?" diagnostics
// (PatientDiagnostics.jsx), which check again after every save. Between them, "Invite to the
// portal" (PatientInvite.jsx) with the patient's invitation status. The header links to the
// patient's conversations and to writing them a message (Messages.jsx).
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { errorMessage, ErrorText } from './common.jsx';
import { PatientDiagnostics } from './PatientDiagnostics.jsx';
import { PatientFields } from './PatientFields.jsx';
import { PatientInvite } from './PatientInvite.jsx';
import { PatientPermissions } from './PatientPermissions.jsx';
import { PatientTreatments } from './PatientTreatments.jsx';
import { FinancePatient } from './FinancePatient.jsx';
import { PatientDocuments } from './PatientDocuments.jsx';
import { PatientForms } from './FormsSubmissions.jsx';
import { fieldErrors, formFromPatient, lacksContact, LANGUAGE_KEYS, patientHref, patientPatch, PATIENT_TABS } from './patientRules.js';
import { canManage } from './settingsRules.js';

const TAB_KEYS = { details: 'console.patient.tab.details', permissions: 'console.patient.tab.permissions',
  treatments: 'console.patient.tab.treatments', finance: 'console.patient.tab.finance',
  documents: 'console.patient.tab.documents', forms: 'console.forms.tab' };

async function loadAll(id) {
  const base = `/api/v1/clinic/patients/${encodeURIComponent(id)}`;
  const optional = (error) => {
    if (error.status === 401) throw error;
    return null;
  };
  const [patient, permissions, catalog, settings, modules] = await Promise.all([
    api(base),
    api(`${base}/portal-permissions`),
    api('/api/v1/clinic/portal/permissions'),
    // The clinic's own set, shown when a patient with a custom set is switched back to it,
    // and the clinic-level facts behind the custom set's warnings (online payment, the
    // upload reviewer). Not essential: without them the page says the set shows after saving,
    // and the server's warnings still come with the save.
    api('/api/v1/clinic/portal/settings').catch(optional),
    api('/api/v1/clinic/modules').catch(optional),
  ]);
  const clinicFacts = settings && modules
    ? { paymentActive: Boolean(modules.payment_infrastructure?.active), hasReviewer: Boolean(settings.upload_reviewer_id) }
    : null;
  return { patient, permissions, catalog, clinicSet: settings?.permissions ?? null, clinicFacts };
}

function PatientDetails({ patient, onSaved, onSessionLost }) {
  const [form, setForm] = useState(() => formFromPatient(patient));
  const [errors, setErrors] = useState({ byField: {}, other: [] });
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState(null);
  const [saved, setSaved] = useState(false);
  const formRef = useRef(null);

  // A layout effect, so the focus moves in the same frame the error appears.
  useLayoutEffect(() => {
    const first = Object.keys(errors.byField)[0];
    if (first) formRef.current?.querySelector(`[name="${first}"]`)?.focus();
  }, [errors]);

  const patch = patientPatch(patient, form);
  const dirty = Object.keys(patch).length > 0;

  function update(change) {
    setForm((f) => ({ ...f, ...change }));
    setSaved(false);
    setFailure(null);
    setErrors((e) => {
      const byField = { ...e.byField };
      for (const key of Object.keys(change)) delete byField[key];
      return { ...e, byField };
    });
  }

  async function save(event) {
    event.preventDefault();
    if (saving || !dirty) return;
    const missing = {};
    for (const field of ['first_name', 'last_name']) {
      if (form[field].trim() === '') missing[field] = t('console.patient.error.required');
    }
    if (Object.keys(missing).length) {
      setErrors({ byField: missing, other: [] });
      return;
    }
    setSaving(true);
    setFailure(null);
    try {
      const updated = await api(`/api/v1/clinic/patients/${encodeURIComponent(patient.id)}`, { method: 'PATCH', body: patch });
      setForm(formFromPatient(updated));
      setErrors({ byField: {}, other: [] });
      setSaved(true);
      onSaved(updated);
    } catch (error) {
      if (error.status === 401) {
        onSessionLost();
        return;
      }
      if (error.status === 422 && error.errors.length) setErrors(fieldErrors(error));
      else setFailure(error);
    } finally {
      setSaving(false);
    }
  }

  const hadContact = Boolean(patient.phone || patient.email);
  let contactNote = null;
  if (lacksContact(form)) contactNote = t(hadContact ? 'console.patient.contact.removing' : 'console.patient.contact.none');
  const accessNote = patient.portal_access && !form.portal_access ? t('console.patient.access.turningOff') : null;

  let status;
  if (saving) status = t('console.patient.saving');
  else if (dirty) status = t('console.patient.unsaved');
  else if (saved) status = t('console.patient.saved');
  else status = t('console.patient.noChanges');

  return (
    <form ref={formRef} class="patient-details" onSubmit={save} noValidate data-testid="patient-details">
      <div class="card">
        <PatientFields idPrefix="edit" form={form} errors={errors.byField} onChange={update}
          contactNote={contactNote} accessNote={accessNote} />
      </div>
      <div class={dirty ? 'save-bar' : 'save-bar save-bar-idle'} data-testid="details-save-bar">
        <div class="save-bar-text">
          {(failure || errors.other.length > 0) ? (
            <p class="alert" role="alert" data-testid="details-error">
              {failure ? errorMessage(failure) : errors.other.join(' ')}
            </p>
          ) : (
            <p class="save-status" role="status" data-testid="details-status"
              data-state={dirty ? 'dirty' : saved ? 'saved' : 'clean'}>
              {status}
            </p>
          )}
        </div>
        {dirty && (
          <button type="button" class="button button-outline" data-testid="details-reset"
            onClick={() => { setForm(formFromPatient(patient)); setErrors({ byField: {}, other: [] }); setFailure(null); }}>
            {t('console.patient.discard')}
          </button>
        )}
        <button type="submit" class="button" disabled={saving || !dirty} data-testid="details-save">
          {t(saving ? 'console.patient.saving' : 'console.patient.save')}
        </button>
      </div>
    </form>
  );
}

function Tabs({ id, tab }) {
  const refs = useRef({});
  function go(next, focus = false) {
    // replace: switching tabs is not a step the Back button should walk through.
    window.location.replace(patientHref(id, next));
    if (focus) refs.current[next]?.focus();
  }
  function onKeyDown(event) {
    const i = PATIENT_TABS.indexOf(tab);
    let next = null;
    if (event.key === 'ArrowRight') next = PATIENT_TABS[(i + 1) % PATIENT_TABS.length];
    else if (event.key === 'ArrowLeft') next = PATIENT_TABS[(i - 1 + PATIENT_TABS.length) % PATIENT_TABS.length];
    else if (event.key === 'Home') next = PATIENT_TABS[0];
    else if (event.key === 'End') next = PATIENT_TABS[PATIENT_TABS.length - 1];
    if (next) {
      event.preventDefault();
      go(next, true);
    }
  }
  return (
    <div class="tabs" role="tablist" aria-label={t('console.patient.tabs.label')} onKeyDown={onKeyDown}>
      {PATIENT_TABS.map((key) => (
        <button key={key} type="button" role="tab" id={`patient-tab-${key}`} aria-controls={`patient-panel-${key}`}
          aria-selected={key === tab ? 'true' : 'false'} tabIndex={key === tab ? 0 : -1} class="tab"
          data-testid={`tab-${key}`} ref={(el) => { refs.current[key] = el; }} onClick={() => go(key)}>
          {t(TAB_KEYS[key])}
        </button>
      ))}
    </div>
  );
}

export function PatientPage({ id, tab, session, mayReview = false, onSessionLost }) {
  useLanguage();
  const [data, setData] = useState(null); // {patient, permissions, catalog, clinicSet}
  const [loadError, setLoadError] = useState(null);
  const [checks, setChecks] = useState(0); // bumped after each save: the diagnostics check again

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setData(await loadAll(id));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setLoadError(error);
    }
  }, [id, onSessionLost]);

  useEffect(() => { load(); }, [load]);

  const name = data ? `${data.patient.first_name} ${data.patient.last_name}` : '';

  const back = (
    <a class="back-link" href="#/patients" data-testid="patient-back">{t('console.patient.back')}</a>
  );

  if (loadError) {
    return (
      <section class="patient-page" data-testid="patient-page">
        {back}
        {loadError.status === 404 ? (
          <p class="banner banner-info" role="alert" data-testid="patient-not-found">{t('console.patient.notFound')}</p>
        ) : (
          <div class="card card-narrow" data-testid="patient-load-error">
            <ErrorText error={loadError} />
            <button type="button" class="button" onClick={load}>{t('common.retry')}</button>
          </div>
        )}
      </section>
    );
  }
  if (!data) return <p class="muted" role="status">{t('common.loading')}</p>;

  const { patient, permissions, catalog, clinicSet, clinicFacts } = data;
  const saved = (change) => {
    setData((d) => ({ ...d, ...change }));
    setChecks((n) => n + 1);
  };

  return (
    <section class="patient-page" data-testid="patient-page" data-id={patient.id}>
      {back}
      <header class="screen-header patient-header patient-header-main">
        {patient.has_photo && patient.photo_url && (
          <img class="patient-photo" src={patient.photo_url} alt={t('console.patient.photo.alt', { name })}
            width="64" height="64" data-testid="patient-photo" />
        )}
        <div>
          <h2 data-testid="patient-name">{name}</h2>
          <p class="patient-meta">
            <span class={`badge ${patient.portal_access ? 'badge-ok' : 'badge-off'}`} data-testid="patient-access-badge">
              {t(patient.portal_access ? 'console.patient.access.badgeOn' : 'console.patient.access.badgeOff')}
            </span>
            <span class="badge badge-plain">{t(LANGUAGE_KEYS[patient.language] ?? 'console.patients.missing')}</span>
            {permissions.mode === 'custom' && (
              <span class="badge badge-plain" data-testid="patient-custom-badge">{t('console.patient.customBadge')}</span>
            )}
            {!patient.phone && !patient.email && (
              <span class="badge badge-warn">{t('console.patients.noContact')}</span>
            )}
          </p>
          <p class="patient-messages-links">
            <a href={`#/messages/patient/${encodeURIComponent(patient.id)}`} data-testid="patient-messages">{t('console.patient.messages')}</a>
            {' · '}
            <a href={`#/messages/new/${encodeURIComponent(patient.id)}`} data-testid="patient-write">{t('console.patient.write')}</a>
          </p>
        </div>
      </header>

      <Tabs id={patient.id} tab={tab} />
      <div role="tabpanel" id="patient-panel-details" aria-labelledby="patient-tab-details" hidden={tab !== 'details'}
        class="tab-panel">
        <PatientDetails patient={patient} onSessionLost={onSessionLost} onSaved={(p) => saved({ patient: p })} />
      </div>
      <div role="tabpanel" id="patient-panel-permissions" aria-labelledby="patient-tab-permissions"
        hidden={tab !== 'permissions'} class="tab-panel">
        <PatientPermissions patientId={patient.id} saved={permissions} catalog={catalog} clinicSet={clinicSet}
          clinicFacts={clinicFacts}
          canEdit={canManage(session.staff.role)} onSessionLost={onSessionLost}
          onSaved={(p) => saved({ permissions: p, ...(p.mode === 'clinic' ? { clinicSet: p.effective } : {}) })} />
      </div>
      <div role="tabpanel" id="patient-panel-treatments" aria-labelledby="patient-tab-treatments"
        hidden={tab !== 'treatments'} class="tab-panel">
        {tab === 'treatments' && <PatientTreatments patientId={patient.id} onSessionLost={onSessionLost} />}
      </div>
      <div role="tabpanel" id="patient-panel-finance" aria-labelledby="patient-tab-finance"
        hidden={tab !== 'finance'} class="tab-panel">
        {tab === 'finance' && <FinancePatient patientId={patient.id} onSessionLost={onSessionLost} />}
      </div>
      <div role="tabpanel" id="patient-panel-documents" aria-labelledby="patient-tab-documents"
        hidden={tab !== 'documents'} class="tab-panel">
        {tab === 'documents' && (
          <PatientDocuments patientId={patient.id} mayReview={mayReview} onSessionLost={onSessionLost} />
        )}
      </div>
      <div role="tabpanel" id="patient-panel-forms" aria-labelledby="patient-tab-forms"
        hidden={tab !== 'forms'} class="tab-panel">
        {tab === 'forms' && <PatientForms patientId={patient.id} session={session} onSessionLost={onSessionLost} />}
      </div>

      <PatientInvite patient={patient} onSessionLost={onSessionLost} />

      <PatientDiagnostics patientId={patient.id} catalog={catalog} mode={permissions.mode} checks={checks}
        onSessionLost={onSessionLost} />
    </section>
  );
}
