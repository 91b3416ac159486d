// Calendar (#/calendar): one practitioner's appointments (GET /api/v1/clinic/practitioners,
// GET /api/v1/clinic/appointments?from=&to=&practitioner_id=) as a day or a week on a time
// grid of 15-minute rows, or one day of every active practitioner side by side (the team
// view: the same list without practitioner_id, a column per practitioner), the clinic's wall clock (calendarRules.js). Portal bookings and
// cancellations are marked (source, cancelled_by). Staff create an appointment (patient
// picked by search, GET /api/v1/clinic/patients?q=; type; day and time; POST appointments),
// move one (day, time, practitioner: PATCH appointments/{id}) and cancel one (POST
// appointments/{id}/cancel); 409 slot_taken is said plainly. Times are sent with the
// clinic's offset (its time zone when `me` names it, else the offset of its appointments).
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { addDays, formatDate, formatSpan, formatWhen, isoAt, today, wallClock } from '../timeRules.js';
import {
  blockTags, CANCELLED_KEYS, itemsOf, layout, offsetHint, SOURCE_KEYS, stepDays, teamColumns, viewDays,
} from './calendarRules.js';
import { errorMessage } from './common.jsx';
import { patientHref, searchQuery } from './patientRules.js';
import './calendar.css';

/** A scheduling problem in words: slot_taken and validation plainly, else the server's detail. */
export function calendarError(error) {
  if (!error) return '';
  if (error.code === 'slot_taken') return t('console.cal.slotTaken');
  if (error.status === 422 && error.errors?.length) return error.errors.map((e) => e.message).filter(Boolean).join(' ');
  return errorMessage(error);
}

function Alert({ error, testid }) {
  return error ? <p class="alert" role="alert" data-testid={testid} data-code={error.code}>{calendarError(error)}</p> : null;
}

function PatientPicker({ value, onPick, onSessionLost }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState([]);
  const [state, setState] = useState('idle');
  useEffect(() => {
    const q = searchQuery(query);
    if (!q) { setResults([]); setState('idle'); return undefined; }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setState('loading');
      api(`/api/v1/clinic/patients?${new URLSearchParams({ q, limit: '10' })}`, { signal: controller.signal })
        .then((page) => { setResults(page.items); setState('ready'); })
        .catch((e) => {
          if (e.name === 'AbortError') return;
          if (e.status === 401) onSessionLost();
          else setState('error');
        });
    }, 250);
    return () => { clearTimeout(timer); controller.abort(); };
  }, [query, onSessionLost]);

  if (value) {
    return (
      <div class="field">
        <span class="field-label">{t('console.cal.patient')}</span>
        <p class="picked" data-testid="cal-patient-picked">
          <strong>{value.first_name} {value.last_name}</strong>
          <button type="button" class="button button-small button-outline" onClick={() => onPick(null)}
            data-testid="cal-patient-change">{t('console.cal.changePatient')}</button>
        </p>
      </div>
    );
  }
  return (
    <div class="field">
      <label for="cal-patient-search">{t('console.cal.patient')}</label>
      <input id="cal-patient-search" type="search" autocomplete="off" value={query} maxLength={100}
        placeholder={t('console.patients.search.placeholder')} data-testid="cal-patient-search"
        onInput={(e) => setQuery(e.currentTarget.value)} />
      <p class="hint muted">{t('console.cal.patientHelp')}</p>
      {state === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state === 'error' && <p class="alert" role="alert">{t('error.generic')}</p>}
      {state === 'ready' && results.length === 0 && <p class="muted">{t('console.cal.noPatient')}</p>}
      {results.length > 0 && (
        <ul class="pick-list" data-testid="cal-patient-results">
          {results.map((p) => (
            <li key={p.id}>
              <button type="button" class="button button-small button-outline" data-testid="cal-patient-option"
                data-id={p.id} onClick={() => onPick(p)}>
                {p.first_name} {p.last_name}{p.phone ? ` · ${p.phone}` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function NewAppointment({ practitioners, practitionerId, types, date, zone, onCreated, onCancel, onSessionLost }) {
  const [patient, setPatient] = useState(null);
  const [form, setForm] = useState({ practitioner_id: practitionerId, type_id: types[0]?.id ?? '', date, time: '09:00', note: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (change) => { setForm((f) => ({ ...f, ...change })); setError(null); };

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    if (!patient || !form.type_id || !form.date || !form.time) {
      setError({ code: 'incomplete', status: 0, detail: t('console.cal.incomplete') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = {
        patient_id: patient.id, practitioner_id: form.practitioner_id, type_id: form.type_id,
        start: isoAt(form.date, form.time, zone(form.date)),
      };
      if (form.note.trim()) body.note = form.note.trim();
      onCreated(await api('/api/v1/clinic/appointments', { method: 'POST', body }));
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card cal-form" onSubmit={submit} noValidate data-testid="cal-new-form" aria-labelledby="cal-new-heading">
      <h3 id="cal-new-heading">{t('console.cal.new.heading')}</h3>
      <PatientPicker value={patient} onPick={setPatient} onSessionLost={onSessionLost} />
      <div class="form-grid">
        <div class="field">
          <label for="cal-new-practitioner">{t('console.cal.practitioner')}</label>
          <select id="cal-new-practitioner" value={form.practitioner_id} data-testid="cal-new-practitioner"
            onChange={(e) => set({ practitioner_id: e.currentTarget.value })}>
            {practitioners.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="cal-new-type">{t('console.cal.type')}</label>
          <select id="cal-new-type" value={form.type_id} data-testid="cal-new-type" onChange={(e) => set({ type_id: e.currentTarget.value })}>
            {types.map((x) => <option key={x.id} value={x.id}>{t('console.cal.typeOption', { name: x.name, minutes: x.duration_minutes })}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="cal-new-date">{t('console.cal.date')}</label>
          <input id="cal-new-date" type="date" value={form.date} data-testid="cal-new-date" onInput={(e) => set({ date: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="cal-new-time">{t('console.cal.time')}</label>
          <input id="cal-new-time" type="time" step={300} value={form.time} data-testid="cal-new-time"
            onInput={(e) => set({ time: e.currentTarget.value })} />
        </div>
      </div>
      <div class="field">
        <label for="cal-new-note">{t('console.cal.note')}</label>
        <input id="cal-new-note" type="text" maxLength={500} value={form.note} data-testid="cal-new-note"
          onInput={(e) => set({ note: e.currentTarget.value })} />
      </div>
      <Alert error={error} testid="cal-new-error" />
      <div class="form-actions">
        <button type="button" class="button button-outline" onClick={onCancel}>{t('console.cal.close')}</button>
        <button type="submit" class="button" disabled={busy} data-testid="cal-new-submit">
          {t(busy ? 'console.cal.saving' : 'console.cal.new.submit')}
        </button>
      </div>
    </form>
  );
}

function AppointmentPanel({ appointment: a, practitioners, zone, lang, onChanged, onClose, onSessionLost }) {
  const start = wallClock(a.start);
  const [mode, setMode] = useState('view'); // view | move | cancel
  const [form, setForm] = useState({ date: start?.date ?? '', time: start?.time ?? '', practitioner_id: a.practitioner?.id ?? '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, [a.id]);

  async function run(fn, kind) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onChanged(await fn(), kind);
      setMode('view');
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  function move(event) {
    event.preventDefault();
    const body = {};
    const startIso = isoAt(form.date, form.time, zone(form.date));
    if (form.date !== start?.date || form.time !== start?.time) body.start = startIso;
    if (form.practitioner_id !== a.practitioner?.id) body.practitioner_id = form.practitioner_id;
    if (!Object.keys(body).length) { setMode('view'); return; }
    run(() => api(`/api/v1/clinic/appointments/${encodeURIComponent(a.id)}`, { method: 'PATCH', body }), 'moved');
  }

  const cancelled = a.status === 'cancelled';
  return (
    <aside class="card cal-panel" data-testid="cal-panel" data-id={a.id} data-status={a.status} aria-labelledby="cal-panel-heading">
      <h3 id="cal-panel-heading" ref={heading} tabIndex={-1}>
        <a href={patientHref(a.patient?.id)} data-testid="cal-panel-patient">{a.patient?.name}</a>
      </h3>
      <p data-testid="cal-panel-when">{formatWhen(a.start, lang)} <span class="muted">({formatSpan(a.start, a.end)})</span></p>
      <p>{a.type?.name} · {a.practitioner?.name}</p>
      <p class="cal-badges">
        <span class={`badge ${a.source === 'portal' ? 'badge-portal' : 'badge-plain'}`} data-testid="cal-panel-source" data-source={a.source}>
          {t(SOURCE_KEYS[a.source] ?? 'console.cal.source.staff')}
        </span>
        {cancelled && (
          <span class="badge badge-cancelled" data-testid="cal-panel-cancelled" data-by={a.cancelled_by ?? ''}>
            {t(CANCELLED_KEYS[a.cancelled_by] ?? 'console.cal.cancelled')}
            {a.cancelled_at ? ` · ${formatWhen(a.cancelled_at, lang)}` : ''}
          </span>
        )}
      </p>
      {a.note && <p class="muted" data-testid="cal-panel-note">{a.note}</p>}
      <Alert error={error} testid="cal-panel-error" />
      {!cancelled && mode === 'view' && (
        <div class="form-actions">
          <button type="button" class="button button-small" onClick={() => setMode('move')} data-testid="cal-move">{t('console.cal.move')}</button>
          <button type="button" class="button button-small button-danger" onClick={() => setMode('cancel')} data-testid="cal-cancel">
            {t('console.cal.cancel')}
          </button>
        </div>
      )}
      {mode === 'move' && (
        <form onSubmit={move} noValidate data-testid="cal-move-form">
          <div class="form-grid">
            <div class="field">
              <label for="cal-move-date">{t('console.cal.date')}</label>
              <input id="cal-move-date" type="date" value={form.date} data-testid="cal-move-date"
                onInput={(e) => setForm((f) => ({ ...f, date: e.currentTarget.value }))} />
            </div>
            <div class="field">
              <label for="cal-move-time">{t('console.cal.time')}</label>
              <input id="cal-move-time" type="time" step={300} value={form.time} data-testid="cal-move-time"
                onInput={(e) => setForm((f) => ({ ...f, time: e.currentTarget.value }))} />
            </div>
            <div class="field">
              <label for="cal-move-practitioner">{t('console.cal.practitioner')}</label>
              <select id="cal-move-practitioner" value={form.practitioner_id} data-testid="cal-move-practitioner"
                onChange={(e) => setForm((f) => ({ ...f, practitioner_id: e.currentTarget.value }))}>
                {practitioners.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
              </select>
            </div>
          </div>
          <div class="form-actions">
            <button type="button" class="button button-small button-outline" onClick={() => setMode('view')}>{t('console.cal.close')}</button>
            <button type="submit" class="button button-small" disabled={busy} data-testid="cal-move-submit">
              {t(busy ? 'console.cal.saving' : 'console.cal.moveSubmit')}
            </button>
          </div>
        </form>
      )}
      {mode === 'cancel' && (
        <div class="confirm" role="alertdialog" aria-labelledby="cal-cancel-q" data-testid="cal-cancel-confirm">
          <p id="cal-cancel-q">{t('console.cal.cancelConfirm', { name: a.patient?.name ?? '', when: formatWhen(a.start, lang) })}</p>
          <div class="form-actions">
            <button type="button" class="button button-small button-danger" disabled={busy} data-testid="cal-cancel-yes"
              onClick={() => run(() => api(`/api/v1/clinic/appointments/${encodeURIComponent(a.id)}/cancel`, { method: 'POST' }), 'cancelled')}>
              {t('console.cal.cancelYes')}
            </button>
            <button type="button" class="button button-small button-outline" onClick={() => setMode('view')}>{t('console.cal.cancelNo')}</button>
          </div>
        </div>
      )}
      <button type="button" class="link-button" onClick={onClose} data-testid="cal-panel-close">{t('console.cal.close')}</button>
    </aside>
  );
}

function Grid({ days, appointments, view, lang, selected, onSelect, team = null }) {
  // The team view: one day, a column per practitioner; else a column per day.
  const keys = team ? team.map((p) => p.id) : days;
  const { firstHour, lastHour, placed } = team
    ? layout(appointments, keys, (a) => a.practitioner?.id)
    : layout(appointments, days);
  const hours = [];
  for (let h = firstHour; h < lastHour; h++) hours.push(h);
  const rowOf = (h) => (h - firstHour) * 4 + 2;
  return (
    <div class="cal-scroll">
      <div class={`cal-grid ${team ? `cal-cols-${keys.length}` : `cal-days-${days.length}`}`} data-testid="cal-grid"
        data-view={view} data-first-hour={firstHour}>
        <div class="cal-corner cal-r1 cal-c1" />
        {team
          ? team.map((p, i) => (
            <div key={p.id} class={`cal-dayhead cal-r1 cal-c${i + 2}`} data-testid="cal-colhead" data-practitioner={p.id}>
              {p.name}
            </div>
          ))
          : days.map((d, i) => (
            <div key={d} class={`cal-dayhead cal-r1 cal-c${i + 2}${d === today() ? ' cal-today' : ''}`} data-testid="cal-dayhead" data-date={d}>
              {formatDate(d, lang, { weekday: 'short', day: 'numeric', month: 'short' })}
            </div>
          ))}
        {hours.map((h) => (
          <div key={`h${h}`} class={`cal-hour cal-c1 cal-r${rowOf(h)} cal-s4`}>{`${String(h).padStart(2, '0')}:00`}</div>
        ))}
        {keys.map((d, i) => hours.map((h) => (
          <div key={`${d}-${h}`} class={`cal-cell cal-c${i + 2} cal-r${rowOf(h)} cal-s4`} />
        )))}
        {placed.map((p) => {
          const a = p.appointment;
          const classes = ['cal-appt', `cal-c${p.column + 1}`, `cal-r${p.row + 1}`, `cal-s${Math.min(p.span, 96)}`,
            `cal-lane-${p.lane}-of-${p.lanes}`];
          if (a.status === 'cancelled') classes.push('cal-appt-cancelled');
          if (a.source === 'portal') classes.push('cal-appt-portal');
          if (selected === a.id) classes.push('cal-appt-selected');
          const tags = blockTags(a);
          const until = wallClock(a.end)?.time;
          // The first line holds the time and the tags, so that they stay inside the block however
          // short or narrow it is (calendar.css); the name and the type follow, and the title says
          // everything when the block is too small to show it.
          return (
            <button key={a.id} type="button" class={classes.join(' ')} data-testid="cal-appt" data-id={a.id}
              data-status={a.status} data-source={a.source} data-cancelled-by={a.cancelled_by ?? ''}
              title={[formatSpan(a.start, a.end), a.patient?.name, a.type?.name, ...tags.map((x) => t(x.key))].filter(Boolean).join(' · ')}
              aria-pressed={selected === a.id ? 'true' : 'false'} onClick={() => onSelect(a.id)}>
              <span class="cal-appt-head">
                <span class="cal-appt-time">{wallClock(a.start)?.time}{until && <span class="cal-appt-end">–{until}</span>}</span>
                {tags.length > 0 && (
                  <span class="cal-appt-tags">
                    {tags.map((x) => (
                      <span key={x.kind} class={`cal-tag cal-tag-${x.kind}`} data-testid={`cal-tag-${x.kind}`}>{t(x.key)}</span>
                    ))}
                  </span>
                )}
              </span>
              <span class="cal-appt-name">{a.patient?.name}</span>
              <span class="cal-appt-type">{a.type?.name}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}

export function Calendar({ session, onSessionLost }) {
  const lang = useLanguage();
  const timeZone = session.clinic?.time_zone ?? null;
  const [practitioners, setPractitioners] = useState(null);
  const [types, setTypes] = useState([]);
  const [practitionerId, setPractitionerId] = useState(null);
  const [view, setView] = useState('day');
  const [date, setDate] = useState(() => today(timeZone));
  const [data, setData] = useState({ status: 'loading', items: [], error: null });
  const [selected, setSelected] = useState(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState(null);
  const [reloads, setReloads] = useState(0);
  const [setupError, setSetupError] = useState(null);

  const failed = useCallback((e) => {
    if (e.status === 401) { onSessionLost(); return true; }
    return false;
  }, [onSessionLost]);

  useEffect(() => {
    (async () => {
      try {
        const [ps, ts] = await Promise.all([
          api('/api/v1/clinic/practitioners'),
          api('/api/v1/clinic/appointment-types').catch((e) => { if (e.status === 401) throw e; return []; }),
        ]);
        const list = itemsOf(ps);
        setPractitioners(list);
        setTypes(itemsOf(ts).filter((x) => x.active !== false));
        setPractitionerId((id) => id ?? (list.find((p) => p.active !== false) ?? list[0])?.id ?? null);
      } catch (e) {
        if (!failed(e)) setSetupError(e);
      }
    })();
  }, [failed]);

  const days = viewDays(view, date);
  const from = days[0];
  const to = days[days.length - 1];

  const team = view === 'team';
  useEffect(() => {
    if (!practitionerId && !team) return undefined;
    const controller = new AbortController();
    setData((d) => ({ ...d, status: 'loading', error: null }));
    // `to` one day further: the list holds every appointment of the last day whether the
    // API's `to` is inclusive or not; the grid shows only the view's days. The team view
    // asks for every practitioner's day at once.
    const q = new URLSearchParams({ from, to: addDays(to, 1), ...(team ? {} : { practitioner_id: practitionerId }) });
    api(`/api/v1/clinic/appointments?${q}`, { signal: controller.signal })
      .then((answer) => setData({ status: 'ready', items: itemsOf(answer), error: null }))
      .catch((e) => {
        if (e.name === 'AbortError' || failed(e)) return;
        setData({ status: 'error', items: [], error: e });
      });
    return () => controller.abort();
  }, [practitionerId, team, from, to, reloads, failed]);

  const zone = (d) => ({ timeZone, fallbackOffset: offsetHint(data.items, d) });
  const shown = data.items.filter((a) => days.includes(wallClock(a.start)?.date));
  const current = data.items.find((a) => a.id === selected) ?? null;

  function changed(a, key) {
    setNotice(t(key, { name: a?.patient?.name ?? '', when: a?.start ? formatWhen(a.start, lang) : '' }));
    if (a?.start) {
      const d = wallClock(a.start)?.date;
      if (d && !days.includes(d)) setDate(d);
    }
    if (!team && a?.practitioner?.id && a.practitioner.id !== practitionerId) setPractitionerId(a.practitioner.id);
    setSelected(a?.id ?? null);
    setReloads((n) => n + 1);
  }

  if (setupError) return <p class="alert" role="alert" data-testid="cal-error">{errorMessage(setupError)}</p>;
  if (!practitioners) return <p class="muted" role="status">{t('common.loading')}</p>;

  const practitioner = practitioners.find((p) => p.id === practitionerId);
  return (
    <section class="calendar" data-testid="calendar" data-view={view} data-date={date} data-state={data.status}>
      <header class="screen-header screen-header-actions">
        <div>
          <h2>{t('console.cal.heading')}</h2>
          <p class="muted">{t('console.cal.intro')}</p>
        </div>
        {practitioners.length > 0 && !creating && (
          <button type="button" class="button" onClick={() => { setCreating(true); setNotice(null); }} data-testid="cal-new">
            {t('console.cal.new.open')}
          </button>
        )}
      </header>

      {practitioners.length === 0 ? (
        <p class="banner banner-info" data-testid="cal-no-practitioners">{t('console.cal.noPractitioners')}</p>
      ) : (
        <>
          <div class="cal-toolbar">
            {!team && <div class="field cal-practitioner">
              <label for="cal-practitioner">{t('console.cal.practitioner')}</label>
              <select id="cal-practitioner" value={practitionerId ?? ''} data-testid="cal-practitioner"
                onChange={(e) => { setPractitionerId(e.currentTarget.value); setSelected(null); }}>
                {practitioners.map((p) => (
                  <option key={p.id} value={p.id}>{p.active === false ? t('console.cal.inactive', { name: p.name }) : p.name}</option>
                ))}
              </select>
            </div>}
            <div class="cal-views" role="group" aria-label={t('console.cal.viewLabel')}>
              {['day', 'week', 'team'].map((v) => (
                <button key={v} type="button" class="button button-small button-outline" aria-pressed={view === v ? 'true' : 'false'}
                  data-testid={`cal-view-${v}`} onClick={() => setView(v)}>
                  {t({ day: 'console.cal.day', week: 'console.cal.week', team: 'console.cal.team' }[v])}
                </button>
              ))}
            </div>
            <div class="cal-nav">
              <button type="button" class="button button-small button-outline" aria-label={t('console.cal.prev')}
                data-testid="cal-prev" onClick={() => setDate(addDays(date, -stepDays(view)))}>‹</button>
              <button type="button" class="button button-small button-outline" data-testid="cal-today"
                onClick={() => setDate(today(timeZone))}>{t('console.cal.today')}</button>
              <button type="button" class="button button-small button-outline" aria-label={t('console.cal.next')}
                data-testid="cal-next" onClick={() => setDate(addDays(date, stepDays(view)))}>›</button>
              <input type="date" class="cal-date" value={date} aria-label={t('console.cal.date')} data-testid="cal-date"
                onInput={(e) => { if (e.currentTarget.value) setDate(e.currentTarget.value); }} />
            </div>
          </div>
          <p class="cal-range" data-testid="cal-range">
            {view === 'week'
              ? t('console.cal.range', { from: formatDate(from, lang), to: formatDate(to, lang), name: practitioner?.name ?? '' })
              : team
                ? t('console.cal.rangeTeam', { day: formatDate(from, lang, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }) })
                : t('console.cal.rangeDay', { day: formatDate(from, lang, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }), name: practitioner?.name ?? '' })}
          </p>

          {notice && <p class="notice" role="status" data-testid="cal-notice">{notice}</p>}
          {creating && (
            <NewAppointment practitioners={practitioners} practitionerId={practitionerId} types={types} date={date} zone={zone}
              onSessionLost={onSessionLost} onCancel={() => setCreating(false)}
              onCreated={(a) => { setCreating(false); changed(a, 'console.cal.created'); }} />
          )}
          {data.status === 'error' && (
            <div class="alert-row" role="alert">
              <p class="alert" data-testid="cal-load-error">{errorMessage(data.error)}</p>
              <button type="button" class="button button-small" onClick={() => setReloads((n) => n + 1)}>{t('common.retry')}</button>
            </div>
          )}
          <div class={current ? 'cal-body cal-body-panel' : 'cal-body'}>
            <Grid days={days} appointments={shown} view={view} lang={lang} selected={selected} onSelect={setSelected}
              team={team ? teamColumns(practitioners) : null} />
            {current && (
              <AppointmentPanel key={current.id + current.status + current.start} appointment={current}
                practitioners={practitioners} zone={zone} lang={lang} onSessionLost={onSessionLost}
                onClose={() => setSelected(null)}
                onChanged={(a, kind) => changed(a ?? current, kind === 'cancelled' ? 'console.cal.cancelledNotice' : 'console.cal.moved')} />
            )}
          </div>
          {data.status === 'ready' && shown.length === 0 && (
            <p class="muted" data-testid="cal-empty">{t(view === 'week' ? 'console.cal.emptyWeek' : 'console.cal.emptyDay')}</p>
          )}
        </>
      )}
    </section>
  );
}
