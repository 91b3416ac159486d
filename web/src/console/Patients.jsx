// Patients screen (#/patients): the clinic's patients, ordered by last name, with a search
// box (debounced; GET /api/v1/clinic/patients?q=&limit=50&cursor=, q only once it has 3
// letters or digits after folding, else the plain list), "load more" with next_cursor, and a
// "New patient" form (POST, 422 errors shown at their fields). #/patients/<id> is the
// patient's page (PatientPage.jsx).
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { errorMessage } from './common.jsx';
import { PatientFields } from './PatientFields.jsx';
import { PatientPage } from './PatientPage.jsx';
import {
  createBody, emptyForm, fieldErrors, LANGUAGE_KEYS, listParams, patientHref, searchQuery, tabFromPath,
} from './patientRules.js';
import './patients.css';

const SEARCH_DELAY_MS = 300;
// What was typed in the search box, kept while the user visits a patient and comes back;
// per session object, so the next person to sign in on this browser does not see it.
const rememberedQuery = new WeakMap();

/** #/patients and #/patients/<id>[/permissions]: `path` is what follows "patients/". */
export function Patients({ session, mayReview = false, path, onSessionLost }) {
  const id = path[0] ? decodeURIComponent(path[0]) : null;
  if (id) {
    return <PatientPage key={id} id={id} tab={tabFromPath(path[1])} session={session} mayReview={mayReview}
      onSessionLost={onSessionLost} />;
  }
  return <PatientList session={session} onSessionLost={onSessionLost} />;
}

/** The search's problem in words: a 422's messages (they name what is wrong with q). */
function problemText(error) {
  const messages = (error.errors ?? []).map((e) => e.message).filter(Boolean);
  return messages.length ? messages.join(' ') : errorMessage(error);
}

function NewPatientForm({ onCreated, onCancel, onSessionLost }) {
  const [form, setForm] = useState(emptyForm);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState({ byField: {}, other: [] });
  const [failure, setFailure] = useState(null);
  const formRef = useRef(null);

  // After a refusal, the first field it names gets the focus.
  // A layout effect, so the focus moves in the same frame the error appears.
  useLayoutEffect(() => {
    const first = Object.keys(errors.byField)[0];
    if (first) formRef.current?.querySelector(`[name="${first}"]`)?.focus();
  }, [errors]);

  function update(patch) {
    setForm((f) => ({ ...f, ...patch }));
    setErrors((e) => {
      const byField = { ...e.byField };
      for (const key of Object.keys(patch)) delete byField[key];
      return { ...e, byField };
    });
  }

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    // Names are required: said here in the clinic's language, without a round trip.
    const missing = {};
    for (const field of ['first_name', 'last_name']) {
      if (form[field].trim() === '') missing[field] = t('console.patient.error.required');
    }
    if (Object.keys(missing).length) {
      setErrors({ byField: missing, other: [] });
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const patient = await api('/api/v1/clinic/patients', { method: 'POST', body: createBody(form) });
      setForm(emptyForm());
      setErrors({ byField: {}, other: [] });
      onCreated(patient);
    } catch (error) {
      if (error.status === 401) {
        onSessionLost();
        return;
      }
      if (error.status === 422 && error.errors.length) setErrors(fieldErrors(error));
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} class="card patient-new" onSubmit={submit} noValidate data-testid="patient-new-form"
      aria-labelledby="patient-new-heading">
      <h3 id="patient-new-heading">{t('console.patients.new.heading')}</h3>
      {failure && <p class="alert" role="alert" data-testid="patient-new-error">{errorMessage(failure)}</p>}
      {errors.other.length > 0 && (
        <p class="alert" role="alert" data-testid="patient-new-error">{errors.other.join(' ')}</p>
      )}
      <PatientFields idPrefix="new" form={form} errors={errors.byField} onChange={update} withDefaultLanguage />
      <div class="form-actions">
        <button type="button" class="button button-outline" onClick={onCancel} data-testid="patient-new-cancel">
          {t('console.patients.new.cancel')}
        </button>
        <button type="submit" class="button" disabled={busy} data-testid="patient-new-submit">
          {t(busy ? 'console.patients.new.saving' : 'console.patients.new.submit')}
        </button>
      </div>
    </form>
  );
}

function PatientTable({ items }) {
  return (
    <div class="card patient-card">
      <table class="patient-table" data-testid="patient-table">
        <thead>
          <tr>
            <th scope="col">{t('console.patients.col.name')}</th>
            <th scope="col">{t('console.patients.col.phone')}</th>
            <th scope="col">{t('console.patients.col.email')}</th>
            <th scope="col">{t('console.patients.col.language')}</th>
            <th scope="col">{t('console.patients.col.portal')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id} data-testid="patient-row" data-id={p.id}>
              <th scope="row" class="patient-name">
                <a href={patientHref(p.id)} data-testid="patient-link">{p.first_name} {p.last_name}</a>
              </th>
              <td data-label={t('console.patients.col.phone')}>
                {p.phone ? <span class="patient-phone">{p.phone}</span> : <span class="muted">{t('console.patients.missing')}</span>}
              </td>
              <td data-label={t('console.patients.col.email')} class="patient-email">
                {p.email || <span class="muted">{t('console.patients.missing')}</span>}
              </td>
              <td data-label={t('console.patients.col.language')}>{t(LANGUAGE_KEYS[p.language] ?? 'console.patients.missing')}</td>
              <td data-label={t('console.patients.col.portal')}>
                <span class={`badge ${p.portal_access ? 'badge-ok' : 'badge-off'}`}>
                  {t(p.portal_access ? 'console.patients.access.on' : 'console.patients.access.off')}
                </span>
                {!p.phone && !p.email && (
                  <span class="badge badge-warn" data-testid="patient-no-contact">{t('console.patients.noContact')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PatientList({ session, onSessionLost }) {
  useLanguage();
  const [query, setQuery] = useState(() => rememberedQuery.get(session) ?? '');
  const [term, setTerm] = useState(() => searchQuery(query)); // the q sent, or null
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [state, setState] = useState('loading'); // loading | ready | more | error
  // The term the list on screen answers: until a new term's answer comes, the old
  // list may still show (an effect runs after the render that changed the term).
  const [answered, setAnswered] = useState(undefined);
  const [error, setError] = useState(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState(null); // the patient the form just added
  const [reloads, setReloads] = useState(0);
  const more = useRef(null); // the AbortController of a "load more" in flight

  // Typing settles into the term after a pause; clearing the box shows the list at once.
  useEffect(() => {
    rememberedQuery.set(session, query);
    const next = searchQuery(query);
    if (next === term) return undefined;
    const timer = setTimeout(() => setTerm(next), query.trim() === '' ? 0 : SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [session, query, term]);

  const failed = useCallback((e) => {
    if (e.name === 'AbortError') return;
    if (e.status === 401) {
      onSessionLost();
      return;
    }
    setError(e);
    setState('error');
  }, [onSessionLost]);

  // The first page for the term; a newer term aborts the older request (and any "load more").
  useEffect(() => {
    const controller = new AbortController();
    more.current?.abort();
    setState('loading');
    setError(null);
    api(`/api/v1/clinic/patients?${listParams({ q: term })}`, { signal: controller.signal })
      .then((page) => {
        setItems(page.items);
        setCursor(page.next_cursor ?? null);
        setAnswered(term);
        setState('ready');
      })
      .catch((e) => {
        if (e.name !== 'AbortError') {
          setItems([]);
          setCursor(null);
          setAnswered(term);
        }
        failed(e);
      });
    return () => controller.abort();
  }, [term, reloads, failed]);

  async function loadMore() {
    const controller = new AbortController();
    more.current = controller;
    setState('more');
    setError(null);
    try {
      const page = await api(`/api/v1/clinic/patients?${listParams({ q: term, cursor })}`, { signal: controller.signal });
      setItems((prev) => [...prev, ...page.items.filter((p) => !prev.some((x) => x.id === p.id))]);
      setCursor(page.next_cursor ?? null);
      setState('ready');
    } catch (e) {
      failed(e);
    }
  }

  function onCreated(patient) {
    setCreated(patient);
    setCreating(false);
    setReloads((n) => n + 1);
  }

  const typedShort = query.trim() !== '' && searchQuery(query) === null;
  const searching = term !== null;

  return (
    <section class="patients" data-testid="patients">
      <header class="screen-header screen-header-actions">
        <div>
          <h2>{t('console.patients.heading')}</h2>
          <p class="muted">{t('console.patients.intro')}</p>
        </div>
        {!creating && (
          <button type="button" class="button" data-testid="patient-new"
            onClick={() => { setCreating(true); setCreated(null); }}>
            {t('console.patients.new.open')}
          </button>
        )}
      </header>

      {creating && (
        <NewPatientForm onCreated={onCreated} onCancel={() => setCreating(false)} onSessionLost={onSessionLost} />
      )}
      {created && (
        <p class="notice notice-row" role="status" data-testid="patient-created">
          <span>{t('console.patients.new.created', { name: `${created.first_name} ${created.last_name}` })}</span>
          <a href={patientHref(created.id)} class="button button-small button-outline" data-testid="patient-created-link">
            {t('console.patients.new.openCreated')}
          </a>
        </p>
      )}

      <form class="patient-search" role="search" onSubmit={(e) => { e.preventDefault(); setTerm(searchQuery(query)); }}>
        <label for="patient-search-input">{t('console.patients.search.label')}</label>
        <input id="patient-search-input" type="search" autocomplete="off" spellcheck={false} maxLength={100}
          value={query} placeholder={t('console.patients.search.placeholder')} data-testid="patient-search"
          aria-describedby="patient-search-hint" onInput={(e) => setQuery(e.currentTarget.value)} />
        <p id="patient-search-hint" class="hint muted" data-testid="patient-search-hint">
          {t(typedShort ? 'console.patients.search.tooShort' : 'console.patients.search.help')}
        </p>
      </form>

      <div class="patient-results" data-testid="patient-results"
        data-state={answered === term ? state : 'loading'} data-q={answered ?? ''}
        aria-busy={state === 'loading' ? 'true' : 'false'}>
        <p class="visually-hidden" role="status" aria-live="polite">
          {state === 'loading' ? t('common.loading') : ''}
        </p>
        {state === 'loading' && items.length === 0 && <p class="muted">{t('common.loading')}</p>}
        {state === 'error' && (
          <div role="alert" class="alert-row">
            <p class="alert" data-testid="patient-list-error">{problemText(error)}</p>
            {error.status !== 422 && (
              <button type="button" class="button button-small" onClick={() => setReloads((n) => n + 1)}>
                {t('common.retry')}
              </button>
            )}
          </div>
        )}
        {state !== 'loading' && state !== 'error' && items.length === 0 && (
          <p class="muted empty" data-testid="patient-empty">
            {searching ? t('console.patients.noMatch', { q: term }) : t('console.patients.empty')}
          </p>
        )}
        {items.length > 0 && <PatientTable items={items} />}
        {cursor && state !== 'error' && state !== 'loading' && (
          <button type="button" class="button button-outline patient-more" onClick={loadMore}
            disabled={state === 'more'} data-testid="patient-more">
            {t(state === 'more' ? 'common.loading' : 'console.patients.more')}
          </button>
        )}
      </div>
    </section>
  );
}
