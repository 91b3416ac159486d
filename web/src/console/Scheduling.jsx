// Scheduling settings (#/scheduling): practitioners (GET/POST practitioners, PATCH
// practitioners/{id}) and their weekly hours (GET/PUT practitioners/{id}/working-hours),
// appointment types (GET/POST appointment-types, PATCH appointment-types/{id}; online_bookable
// decides what patients may book), time off (GET/POST time-off, DELETE time-off/{id}) and the
// booking rules (GET/PUT booking-rules). Only owner and admin change them; staff see them
// read-only (no buttons, fields disabled).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { formatWhen, isoAt, wallClock } from '../timeRules.js';
import { itemsOf, minutesInUnit, unitToMinutes } from './calendarRules.js';
import { calendarError } from './Calendar.jsx';
import { canManage } from './settingsRules.js';
import './calendar.css';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const RULE_FIELDS = ['min_notice_minutes', 'horizon_days', 'cancel_cutoff_minutes', 'max_open_bookings', 'slot_step_minutes'];
// Rules kept in minutes that read better in hours or days ("1 day", not "1440").
const UNIT_FIELDS = new Set(['min_notice_minutes', 'cancel_cutoff_minutes']);
const UNITS = ['minutes', 'hours', 'days'];

function Failure({ error, testid }) {
  return error ? <p class="alert" role="alert" data-testid={testid} data-code={error.code}>{calendarError(error)}</p> : null;
}

/** Runs a request with busy/error state; 401 ends the session. */
function useAction(onSessionLost) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const run = useCallback(async (fn) => {
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      const out = await fn();
      setDone(true);
      return out;
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [onSessionLost]);
  return { busy, error, done, run, setDone };
}

function BookingRules({ canEdit, onSessionLost }) {
  const [rules, setRules] = useState(null);
  const action = useAction(onSessionLost);
  useEffect(() => {
    api('/api/v1/clinic/booking-rules').then(setRules).catch((e) => { if (e.status === 401) onSessionLost(); else setRules({}); });
  }, [onSessionLost]);
  // The unit each minute field is shown in: the largest whole one of the saved value.
  const [units, setUnits] = useState({});
  if (!rules) return <p class="muted" role="status">{t('common.loading')}</p>;
  const shown = (f) => (units[f] ? units[f] : minutesInUnit(rules[f]));
  async function save(event) {
    event.preventDefault();
    const body = Object.fromEntries(RULE_FIELDS.map((f) => [f,
      UNIT_FIELDS.has(f) ? unitToMinutes(shown(f).value, shown(f).unit) : Number(rules[f] ?? 0)]));
    const saved = await action.run(() => api('/api/v1/clinic/booking-rules', { method: 'PUT', body }));
    if (saved) {
      setRules(saved);
      setUnits({});
    }
  }
  return (
    <form class="card" onSubmit={save} noValidate data-testid="sched-rules">
      <h3>{t('console.sched.rules.heading')}</h3>
      <div class="form-grid">
        {RULE_FIELDS.map((f) => (UNIT_FIELDS.has(f) ? (
          <div class="field" key={f}>
            <label for={`rule-${f}`}>{t(`console.sched.rules.${f}`)}</label>
            <div class="input-with-unit">
              <input id={`rule-${f}`} type="number" min={0} value={shown(f).value} disabled={!canEdit}
                data-testid={`sched-rule-${f}`}
                onInput={(e) => { const v = e.currentTarget.value; setUnits((u) => ({ ...u, [f]: { ...shown(f), value: v } })); action.setDone(false); }} />
              <select aria-label={t('console.sched.rules.unit', { field: t(`console.sched.rules.${f}`) })} value={shown(f).unit}
                disabled={!canEdit} data-testid={`sched-rule-${f}-unit`}
                onChange={(e) => { const unit = e.currentTarget.value; setUnits((u) => ({ ...u, [f]: { ...shown(f), unit } })); action.setDone(false); }}>
                {UNITS.map((u) => <option key={u} value={u}>{t(`console.sched.unit.${u}`)}</option>)}
              </select>
            </div>
          </div>
        ) : (
          <div class="field" key={f}>
            <label for={`rule-${f}`}>{t(`console.sched.rules.${f}`)}</label>
            <input id={`rule-${f}`} type="number" min={0} value={rules[f] ?? ''} disabled={!canEdit} data-testid={`sched-rule-${f}`}
              onInput={(e) => { const v = e.currentTarget.value; setRules((r) => ({ ...r, [f]: v })); action.setDone(false); }} />
          </div>
        )))}
      </div>
      <Failure error={action.error} testid="sched-rules-error" />
      {action.done && <p class="notice" role="status">{t('console.sched.saved')}</p>}
      {canEdit && <button type="submit" class="button" disabled={action.busy} data-testid="sched-rules-save">{t('console.sched.save')}</button>}
    </form>
  );
}

function WorkingHours({ practitioner, canEdit, onSessionLost }) {
  const [rows, setRows] = useState(null);
  const action = useAction(onSessionLost);
  useEffect(() => {
    setRows(null);
    api(`/api/v1/clinic/practitioners/${encodeURIComponent(practitioner.id)}/working-hours`)
      .then((a) => setRows(itemsOf(a)))
      .catch((e) => { if (e.status === 401) onSessionLost(); else setRows([]); });
  }, [practitioner.id, onSessionLost]);
  if (!rows) return <p class="muted" role="status">{t('common.loading')}</p>;
  const update = (i, change) => { setRows((r) => r.map((x, j) => (j === i ? { ...x, ...change } : x))); action.setDone(false); };
  async function save() {
    const items = rows.map((r) => ({ weekday: Number(r.weekday), start: r.start, end: r.end }));
    const saved = await action.run(() => api(`/api/v1/clinic/practitioners/${encodeURIComponent(practitioner.id)}/working-hours`,
      { method: 'PUT', body: { items } }));
    if (saved) setRows(itemsOf(saved));
  }
  return (
    <div class="sched-hours" data-testid="sched-hours" data-id={practitioner.id}>
      <h4>{t('console.sched.hours.heading', { name: practitioner.name })}</h4>
      {rows.length === 0 && <p class="muted">{t('console.sched.hours.none')}</p>}
      <ul class="sched-rows">
        {rows.map((r, i) => (
          <li key={i} class="sched-row" data-testid="sched-hours-row">
            <select aria-label={t('console.sched.hours.weekday')} value={r.weekday} disabled={!canEdit}
              onChange={(e) => update(i, { weekday: Number(e.currentTarget.value) })}>
              {WEEKDAYS.map((d) => <option key={d} value={d}>{t(`console.sched.weekday.${d}`)}</option>)}
            </select>
            <input type="time" aria-label={t('console.sched.hours.start')} value={r.start} disabled={!canEdit}
              onInput={(e) => update(i, { start: e.currentTarget.value })} />
            <input type="time" aria-label={t('console.sched.hours.end')} value={r.end} disabled={!canEdit}
              onInput={(e) => update(i, { end: e.currentTarget.value })} />
            {canEdit && (
              <button type="button" class="button button-small button-outline" onClick={() => setRows((x) => x.filter((_, j) => j !== i))}>
                {t('console.sched.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <Failure error={action.error} testid="sched-hours-error" />
      {action.done && <p class="notice" role="status">{t('console.sched.saved')}</p>}
      {canEdit && (
        <div class="form-actions">
          <button type="button" class="button button-small button-outline" data-testid="sched-hours-add"
            onClick={() => setRows((x) => [...x, { weekday: 1, start: '09:00', end: '17:00' }])}>{t('console.sched.hours.add')}</button>
          <button type="button" class="button button-small" disabled={action.busy} onClick={save} data-testid="sched-hours-save">
            {t('console.sched.save')}
          </button>
        </div>
      )}
    </div>
  );
}

function Practitioners({ items, canEdit, onChanged, onSessionLost }) {
  const [name, setName] = useState('');
  const [open, setOpen] = useState(null); // the practitioner whose hours are shown
  const action = useAction(onSessionLost);
  async function add(event) {
    event.preventDefault();
    if (!name.trim()) return;
    const created = await action.run(() => api('/api/v1/clinic/practitioners', { method: 'POST', body: { name: name.trim(), active: true } }));
    if (created) { setName(''); onChanged(); }
  }
  async function patch(p, body) {
    if (await action.run(() => api(`/api/v1/clinic/practitioners/${encodeURIComponent(p.id)}`, { method: 'PATCH', body }))) onChanged();
  }
  return (
    <div class="card" data-testid="sched-practitioners">
      <h3>{t('console.sched.practitioners.heading')}</h3>
      {items.length === 0 && <p class="muted">{t('console.sched.practitioners.none')}</p>}
      <ul class="sched-list">
        {items.map((p) => (
          <li key={p.id} class="sched-item" data-testid="sched-practitioner" data-id={p.id}>
            <span class="sched-name">{p.name}</span>
            <span class={`badge ${p.active === false ? 'badge-off' : 'badge-ok'}`}>
              {t(p.active === false ? 'console.sched.inactive' : 'console.sched.active')}
            </span>
            <button type="button" class="button button-small button-outline" onClick={() => setOpen(open === p.id ? null : p.id)}
              aria-expanded={open === p.id ? 'true' : 'false'} data-testid="sched-practitioner-hours">
              {t('console.sched.hours.open')}
            </button>
            {canEdit && (
              <button type="button" class="button button-small button-outline" onClick={() => patch(p, { active: p.active === false })}>
                {t(p.active === false ? 'console.sched.activate' : 'console.sched.deactivate')}
              </button>
            )}
            {open === p.id && <WorkingHours practitioner={p} canEdit={canEdit} onSessionLost={onSessionLost} />}
          </li>
        ))}
      </ul>
      <Failure error={action.error} testid="sched-practitioners-error" />
      {canEdit && (
        <form class="inline-form" onSubmit={add} noValidate>
          <label for="sched-new-practitioner">{t('console.sched.practitioners.new')}</label>
          <input id="sched-new-practitioner" type="text" maxLength={200} value={name} data-testid="sched-new-practitioner"
            onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="button button-small" disabled={action.busy} data-testid="sched-add-practitioner">{t('console.sched.add')}</button>
        </form>
      )}
    </div>
  );
}

function TypeRow({ type, canEdit, onChanged, onSessionLost }) {
  const [form, setForm] = useState(type);
  const action = useAction(onSessionLost);
  const dirty = ['name', 'duration_minutes', 'online_bookable', 'active'].some((k) => String(form[k]) !== String(type[k]));
  async function save() {
    const body = { name: form.name.trim(), duration_minutes: Number(form.duration_minutes), online_bookable: form.online_bookable, active: form.active };
    if (await action.run(() => api(`/api/v1/clinic/appointment-types/${encodeURIComponent(type.id)}`, { method: 'PATCH', body }))) onChanged();
  }
  return (
    <li class="sched-row" data-testid="sched-type" data-id={type.id}>
      <input type="text" aria-label={t('console.sched.types.name')} value={form.name} disabled={!canEdit} maxLength={200}
        onInput={(e) => setForm((f) => ({ ...f, name: e.currentTarget.value }))} />
      <span class="input-with-unit">
        <input type="number" min={5} max={480} step={5} aria-label={t('console.sched.types.duration')} value={form.duration_minutes}
          disabled={!canEdit} class="input-short" onInput={(e) => setForm((f) => ({ ...f, duration_minutes: e.currentTarget.value }))} />
        <span class="unit" aria-hidden="true">{t('console.sched.unit.min')}</span>
      </span>
      <label class="check"><input type="checkbox" checked={form.online_bookable} disabled={!canEdit}
        onChange={(e) => setForm((f) => ({ ...f, online_bookable: e.currentTarget.checked }))} />{t('console.sched.types.online')}</label>
      <label class="check"><input type="checkbox" checked={form.active !== false} disabled={!canEdit}
        onChange={(e) => setForm((f) => ({ ...f, active: e.currentTarget.checked }))} />{t('console.sched.active')}</label>
      {canEdit && (
        <button type="button" class="button button-small" disabled={action.busy || !dirty} onClick={save}
          data-testid="sched-type-save">
          {t(action.done && !dirty ? 'console.sched.savedShort' : 'console.sched.save')}
        </button>
      )}
      <Failure error={action.error} testid="sched-type-error" />
    </li>
  );
}

function Types({ items, canEdit, onChanged, onSessionLost }) {
  const [form, setForm] = useState({ name: '', duration_minutes: 30, online_bookable: true });
  const action = useAction(onSessionLost);
  async function add(event) {
    event.preventDefault();
    if (!form.name.trim()) return;
    const body = { name: form.name.trim(), duration_minutes: Number(form.duration_minutes), online_bookable: form.online_bookable, active: true };
    if (await action.run(() => api('/api/v1/clinic/appointment-types', { method: 'POST', body }))) {
      setForm({ name: '', duration_minutes: 30, online_bookable: true });
      onChanged();
    }
  }
  return (
    <div class="card" data-testid="sched-types">
      <h3>{t('console.sched.types.heading')}</h3>
      <p class="muted">{t('console.sched.types.intro')}</p>
      {items.length === 0 && <p class="muted">{t('console.sched.types.none')}</p>}
      <ul class="sched-rows">
        {items.map((x) => <TypeRow key={`${x.id}-${x.name}-${x.duration_minutes}-${x.online_bookable}-${x.active}`} type={x}
          canEdit={canEdit} onChanged={onChanged} onSessionLost={onSessionLost} />)}
      </ul>
      <Failure error={action.error} testid="sched-types-error" />
      {canEdit && (
        <form class="inline-form" onSubmit={add} noValidate>
          <label for="sched-new-type">{t('console.sched.types.new')}</label>
          <input id="sched-new-type" type="text" maxLength={200} value={form.name} data-testid="sched-new-type"
            onInput={(e) => setForm((f) => ({ ...f, name: e.currentTarget.value }))} />
          <span class="input-with-unit">
            <input type="number" min={5} max={480} step={5} class="input-short" aria-label={t('console.sched.types.duration')}
              value={form.duration_minutes} onInput={(e) => setForm((f) => ({ ...f, duration_minutes: e.currentTarget.value }))} />
            <span class="unit" aria-hidden="true">{t('console.sched.unit.min')}</span>
          </span>
          <label class="check"><input type="checkbox" checked={form.online_bookable}
            onChange={(e) => setForm((f) => ({ ...f, online_bookable: e.currentTarget.checked }))} />{t('console.sched.types.online')}</label>
          <button type="submit" class="button button-small" disabled={action.busy} data-testid="sched-add-type">{t('console.sched.add')}</button>
        </form>
      )}
    </div>
  );
}

function TimeOff({ practitioners, canEdit, onSessionLost }) {
  const lang = useLanguage();
  const [items, setItems] = useState(null);
  const [form, setForm] = useState({ practitioner_id: '', from: '', fromTime: '00:00', to: '', toTime: '23:59', reason: '' });
  const action = useAction(onSessionLost);
  const load = useCallback(() => {
    api('/api/v1/clinic/time-off').then((a) => setItems(itemsOf(a)))
      .catch((e) => { if (e.status === 401) onSessionLost(); else setItems([]); });
  }, [onSessionLost]);
  useEffect(() => { load(); }, [load]);
  const nameOf = (id) => practitioners.find((p) => p.id === id)?.name ?? t('console.sched.timeoff.clinic');
  const offset = items?.map((x) => wallClock(x.start)?.offset).find(Boolean) ?? null;

  async function add(event) {
    event.preventDefault();
    if (!form.from || !form.to) return;
    const body = {
      practitioner_id: form.practitioner_id || null,
      start: isoAt(form.from, form.fromTime, { fallbackOffset: offset }),
      end: isoAt(form.to, form.toTime, { fallbackOffset: offset }),
      reason: form.reason.trim(),
    };
    if (await action.run(() => api('/api/v1/clinic/time-off', { method: 'POST', body }))) load();
  }
  async function remove(x) {
    if (await action.run(() => api(`/api/v1/clinic/time-off/${encodeURIComponent(x.id)}`, { method: 'DELETE' })) !== undefined) load();
  }
  return (
    <div class="card" data-testid="sched-timeoff">
      <h3>{t('console.sched.timeoff.heading')}</h3>
      {!items && <p class="muted" role="status">{t('common.loading')}</p>}
      {items?.length === 0 && <p class="muted">{t('console.sched.timeoff.none')}</p>}
      <ul class="sched-list">
        {(items ?? []).map((x) => (
          <li key={x.id} class="sched-item" data-testid="sched-timeoff-item">
            <span class="sched-name">{nameOf(x.practitioner_id)}</span>
            <span>{formatWhen(x.start, lang)} – {formatWhen(x.end, lang)}</span>
            {x.reason && <span class="muted">{x.reason}</span>}
            {canEdit && <button type="button" class="button button-small button-outline" onClick={() => remove(x)}>{t('console.sched.remove')}</button>}
          </li>
        ))}
      </ul>
      <Failure error={action.error} testid="sched-timeoff-error" />
      {canEdit && (
        <form class="form-grid" onSubmit={add} noValidate>
          <div class="field">
            <label for="to-practitioner">{t('console.sched.timeoff.who')}</label>
            <select id="to-practitioner" value={form.practitioner_id} onChange={(e) => setForm((f) => ({ ...f, practitioner_id: e.currentTarget.value }))}>
              <option value="">{t('console.sched.timeoff.clinic')}</option>
              {practitioners.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </div>
          <div class="field">
            <label for="to-from">{t('console.sched.timeoff.from')}</label>
            <input id="to-from" type="date" value={form.from} onInput={(e) => setForm((f) => ({ ...f, from: e.currentTarget.value }))} />
            <input type="time" aria-label={t('console.sched.hours.start')} value={form.fromTime}
              onInput={(e) => setForm((f) => ({ ...f, fromTime: e.currentTarget.value }))} />
          </div>
          <div class="field">
            <label for="to-to">{t('console.sched.timeoff.to')}</label>
            <input id="to-to" type="date" value={form.to} onInput={(e) => setForm((f) => ({ ...f, to: e.currentTarget.value }))} />
            <input type="time" aria-label={t('console.sched.hours.end')} value={form.toTime}
              onInput={(e) => setForm((f) => ({ ...f, toTime: e.currentTarget.value }))} />
          </div>
          <div class="field">
            <label for="to-reason">{t('console.sched.timeoff.reason')}</label>
            <input id="to-reason" type="text" maxLength={200} value={form.reason} onInput={(e) => setForm((f) => ({ ...f, reason: e.currentTarget.value }))} />
          </div>
          <div class="form-actions">
            <button type="submit" class="button button-small" disabled={action.busy}>{t('console.sched.add')}</button>
          </div>
        </form>
      )}
    </div>
  );
}

export function Scheduling({ session, onSessionLost }) {
  useLanguage();
  const canEdit = canManage(session.staff?.role);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const load = useCallback(async () => {
    try {
      const [ps, ts] = await Promise.all([api('/api/v1/clinic/practitioners'), api('/api/v1/clinic/appointment-types')]);
      setData({ practitioners: itemsOf(ps), types: itemsOf(ts) });
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else setError(e);
    }
  }, [onSessionLost]);
  useEffect(() => { load(); }, [load]);

  return (
    <section class="scheduling" data-testid="scheduling">
      <header class="screen-header">
        <h2>{t('console.sched.heading')}</h2>
        <p class="muted">{t('console.sched.intro')}</p>
      </header>
      {!canEdit && <p class="banner banner-info" data-testid="sched-readonly">{t('console.sched.readOnly')}</p>}
      {error && <Failure error={error} testid="sched-error" />}
      {!data && !error && <p class="muted" role="status">{t('common.loading')}</p>}
      {data && (
        <>
          <Practitioners items={data.practitioners} canEdit={canEdit} onChanged={load} onSessionLost={onSessionLost} />
          <Types items={data.types} canEdit={canEdit} onChanged={load} onSessionLost={onSessionLost} />
          <TimeOff practitioners={data.practitioners} canEdit={canEdit} onSessionLost={onSessionLost} />
          <BookingRules canEdit={canEdit} onSessionLost={onSessionLost} />
        </>
      )}
    </section>
  );
}
