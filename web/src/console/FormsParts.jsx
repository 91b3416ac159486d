// Small pieces the console's Forms screens share (Forms.jsx, FormsBuilder.jsx,
// FormsSubmissions.jsx): the notice carried from one screen to the next (the builder
// publishes, the form's page says so), badges of a form and of a submission, and the
// patient search used to assign a form.
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { errorMessage, usePatientSearch } from './common.jsx';

let pendingNotice = null;
/** A notice for the next Forms screen shown (once). */
export function setFormsNotice(text) { pendingNotice = text; }
/** The notice left for this screen, if any; it is gone once taken. */
export function takeFormsNotice() {
  const text = pendingNotice;
  pendingNotice = null;
  return text;
}

export function FormStatus({ form }) {
  return (
    <span class="finance-badges">
      <span class={`badge ${form.status === 'active' ? 'badge-ok' : 'badge-off'}`} data-testid="form-status" data-status={form.status}>
        {t(form.status === 'archived' ? 'console.forms.status.archived' : 'console.forms.status.active')}
      </span>
      {form.available_to_all && (
        <span class="badge badge-plain" data-testid="form-to-all">{t('console.forms.toAllBadge')}</span>
      )}
    </span>
  );
}

export function SubmissionStatus({ submission }) {
  const reviewed = submission.status === 'reviewed';
  return (
    <span class={`badge ${reviewed ? 'badge-ok' : 'badge-warn'}`} data-testid="submission-status" data-status={submission.status}>
      {t(reviewed ? 'console.forms.sub.reviewed' : 'console.forms.sub.submitted')}
    </span>
  );
}

export const patientName = (p) => [p.first_name, p.last_name].filter(Boolean).join(' ');

/**
 * Finds patients by name, phone or email (GET clinic/patients?q=) and lets some be chosen:
 * onAssign(ids) is called with the chosen ids; busy disables it while that runs.
 */
export function PatientPicker({ idBase, busy, onAssign, onSessionLost }) {
  const { text, setText, state, search } = usePatientSearch(onSessionLost);
  const [chosen, setChosen] = useState([]); // [{id, name}]
  const toggle = (p, on) => setChosen((c) => (on ? [...c.filter((x) => x.id !== p.id), { id: p.id, name: patientName(p) }]
    : c.filter((x) => x.id !== p.id)));

  return (
    <div class="forms-picker" data-testid="forms-picker">
      <form class="msg-finder-form" role="search" aria-label={t('console.forms.assign.find')} onSubmit={search}>
        <div class="field">
          <label for={`${idBase}-q`}>{t('console.forms.assign.find')}</label>
          <input id={`${idBase}-q`} type="search" value={text} onInput={(e) => setText(e.currentTarget.value)}
            aria-describedby={`${idBase}-hint`} data-testid="forms-picker-q" />
        </div>
        <button type="submit" class="button button-small" data-testid="forms-picker-go">{t('console.forms.assign.search')}</button>
      </form>
      <p id={`${idBase}-hint`} class={state.hint ? 'field-error' : 'hint'}>{t('console.forms.assign.hint')}</p>
      {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state.status === 'error' && <p class="alert" role="alert">{errorMessage(state.error)}</p>}
      {state.status === 'ready' && state.items.length === 0 && <p class="muted" role="status">{t('console.messages.find.none')}</p>}
      {state.items.length > 0 && (
        <fieldset class="forms-picker-results">
          <legend>{t('console.forms.assign.results')}</legend>
          {state.items.map((p) => (
            <label key={p.id} class="check" data-testid="forms-picker-row" data-id={p.id}>
              <input type="checkbox" checked={chosen.some((c) => c.id === p.id)} data-testid="forms-picker-check"
                onChange={(e) => toggle(p, e.currentTarget.checked)} />
              <span><bdi>{patientName(p)}</bdi></span>
            </label>
          ))}
        </fieldset>
      )}
      {chosen.length > 0 && (
        <p class="hint" data-testid="forms-picker-chosen">
          {t('console.forms.assign.chosen', { names: chosen.map((c) => c.name).join(', ') })}
        </p>
      )}
      <button type="button" class="button button-small" disabled={busy || chosen.length === 0} data-testid="forms-assign"
        onClick={async () => { if (await onAssign(chosen.map((c) => c.id))) setChosen([]); }}>
        {t('console.forms.assign.go', { count: chosen.length })}
      </button>
    </div>
  );
}
