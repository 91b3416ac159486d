// A patient's Treatments tab (#/patients/<id>/treatments): the treatment plans (title,
// status, planned items with procedure, tooth or area, status and estimated cost in the
// clinic's currency, and the total of the items not cancelled) and the treatment records
// (date, practitioner, procedure, area, notes meant for the patient). Staff create and edit
// both here: a plan's Save sends all its items (the server replaces them in one go); a
// record's practitioner is picked from the clinic's practitioners when the clinic has any.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import {
  emptyItem, formatDay, formatMoney, formTotal, ITEM_STATUS_KEYS, ITEM_STATUSES, ITEMS_MAX, PLAN_STATUS_KEYS,
  PLAN_STATUSES, planBody, planForm, recordBody, recordForm,
} from '../treatmentRules.js';
import { errorMessage } from './common.jsx';
import './treatments.css';

const LOCAL_ERRORS = {
  required: 'console.treatments.error.required',
  cost: 'console.treatments.error.cost',
  tooMany: 'console.treatments.error.tooMany',
  date: 'console.treatments.error.date',
  tooLong: 'console.treatments.error.tooLong',
};

const localErrors = (errors) => Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(LOCAL_ERRORS[v])]));
// The server's 422 as {field: message}.
const serverErrors = (error) => Object.fromEntries((error.errors ?? []).map((e) => [e.field, e.message]));

const todayDate = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

function FieldError({ message, testid }) {
  return message ? <p class="field-error" data-testid={testid}>{message}</p> : null;
}

async function loadPractitioners() {
  try {
    const answer = await api('/api/v1/clinic/practitioners');
    const list = Array.isArray(answer) ? answer : answer?.items ?? [];
    return list.filter((p) => p && p.id && p.name);
  } catch (error) {
    if (error.status === 401) throw error;
    return []; // no practitioners (yet): records go without one
  }
}

function PlanEditor({ patientId, plan, currency, onSaved, onCancel, onSessionLost }) {
  const lang = useLanguage();
  const [form, setForm] = useState(() => planForm(plan, lang));
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [saving, setSaving] = useState(false);
  const prefix = plan ? `plan-${plan.id}` : 'plan-new';

  const setItem = (n, change) => setForm((f) => ({ ...f, items: f.items.map((it, i) => (i === n ? { ...it, ...change } : it)) }));
  const total = formTotal(form, currency);

  async function save(event) {
    event.preventDefault();
    if (saving) return;
    const { body, errors: local } = planBody(form, currency);
    if (local) {
      setErrors(localErrors(local));
      return;
    }
    setSaving(true);
    setFailure(null);
    try {
      const saved = plan
        ? await api(`/api/v1/clinic/treatment-plans/${encodeURIComponent(plan.id)}`, { method: 'PATCH', body })
        : await api(`/api/v1/clinic/patients/${encodeURIComponent(patientId)}/treatment-plans`, { method: 'POST', body });
      onSaved(saved);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 422 && error.errors.length) setErrors(serverErrors(error));
      else setFailure(error);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form class="card treat-form" onSubmit={save} noValidate data-testid="plan-form">
      <div class="field-row">
        <div class="field">
          <label for={`${prefix}-title`}>{t('console.treatments.plan.title')}</label>
          <input id={`${prefix}-title`} name="title" value={form.title} maxLength={200} data-testid="plan-title"
            aria-invalid={errors.title ? 'true' : undefined}
            onInput={(e) => setForm((f) => ({ ...f, title: e.currentTarget.value }))} />
          <FieldError message={errors.title} testid="plan-error-title" />
        </div>
        <div class="field">
          <label for={`${prefix}-status`}>{t('console.treatments.plan.status')}</label>
          <select id={`${prefix}-status`} value={form.status} data-testid="plan-status"
            onChange={(e) => setForm((f) => ({ ...f, status: e.currentTarget.value }))}>
            {PLAN_STATUSES.map((s) => <option key={s} value={s}>{t(PLAN_STATUS_KEYS[s])}</option>)}
          </select>
        </div>
      </div>
      <table class="treat-table treat-edit">
        <thead>
          <tr>
            <th scope="col">{t('console.treatments.item.procedure')}</th>
            <th scope="col">{t('console.treatments.item.area')}</th>
            <th scope="col">{t('console.treatments.item.status')}</th>
            <th scope="col">{t('console.treatments.item.cost', { currency })}</th>
            <th scope="col"><span class="visually-hidden">{t('console.treatments.item.remove')}</span></th>
          </tr>
        </thead>
        <tbody>
          {form.items.map((item, n) => (
            <tr key={n} data-testid="plan-item-row">
              <td>
                <input aria-label={t('console.treatments.item.procedure')} value={item.procedure} maxLength={200}
                  data-testid="item-procedure" aria-invalid={errors[`items[${n}].procedure`] ? 'true' : undefined}
                  onInput={(e) => setItem(n, { procedure: e.currentTarget.value })} />
                <FieldError message={errors[`items[${n}].procedure`]} testid="item-error-procedure" />
              </td>
              <td>
                <input aria-label={t('console.treatments.item.area')} value={item.area} maxLength={50} class="treat-area"
                  placeholder={t('console.treatments.item.areaPlaceholder')} data-testid="item-area"
                  onInput={(e) => setItem(n, { area: e.currentTarget.value })} />
                <FieldError message={errors[`items[${n}].area`]} testid="item-error-area" />
              </td>
              <td>
                <select aria-label={t('console.treatments.item.status')} value={item.status} data-testid="item-status"
                  onChange={(e) => setItem(n, { status: e.currentTarget.value })}>
                  {ITEM_STATUSES.map((s) => <option key={s} value={s}>{t(ITEM_STATUS_KEYS[s])}</option>)}
                </select>
              </td>
              <td>
                <input aria-label={t('console.treatments.item.cost', { currency })} value={item.cost} inputMode="decimal"
                  class="treat-cost" placeholder="0" data-testid="item-cost"
                  aria-invalid={errors[`items[${n}].estimated_cost`] ? 'true' : undefined}
                  onInput={(e) => setItem(n, { cost: e.currentTarget.value })} />
                <FieldError message={errors[`items[${n}].estimated_cost`]} testid="item-error-cost" />
              </td>
              <td>
                <button type="button" class="button button-ghost button-small" data-testid="item-remove"
                  aria-label={t('console.treatments.item.remove')}
                  onClick={() => setForm((f) => ({ ...f, items: f.items.filter((_, i) => i !== n) }))}>✕</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FieldError message={errors.items} testid="plan-error-items" />
      <div class="treat-form-foot">
        <button type="button" class="button button-outline button-small" data-testid="item-add"
          disabled={form.items.length >= ITEMS_MAX}
          onClick={() => setForm((f) => ({ ...f, items: [...f.items, emptyItem()] }))}>
          {t('console.treatments.item.add')}
        </button>
        <p class="treat-total" data-testid="plan-form-total">
          {t('console.treatments.plan.total')}{' '}
          <strong>{total === null ? '—' : formatMoney(total, currency, lang)}</strong>
        </p>
      </div>
      {failure && <p class="alert" role="alert" data-testid="plan-form-error">{errorMessage(failure)}</p>}
      <div class="form-actions">
        <button type="submit" class="button" disabled={saving} data-testid="plan-save">
          {t(saving ? 'console.treatments.saving' : 'console.treatments.save')}
        </button>
        <button type="button" class="button button-outline" onClick={onCancel} data-testid="plan-cancel">
          {t('console.treatments.cancel')}
        </button>
      </div>
    </form>
  );
}

function PlanCard({ plan, onEdit }) {
  const lang = useLanguage();
  return (
    <li class="card treat-card" data-testid="plan" data-id={plan.id} data-status={plan.status}>
      <div class="treat-card-head">
        <h4 data-testid="plan-card-title">{plan.title}</h4>
        <span class={`badge ${plan.status === 'cancelled' ? 'badge-off' : 'badge-plain'}`} data-testid="plan-card-status">
          {t(PLAN_STATUS_KEYS[plan.status])}
        </span>
        <button type="button" class="button button-outline button-small" onClick={onEdit} data-testid="plan-edit">
          {t('console.treatments.edit')}
        </button>
      </div>
      {plan.items.length > 0 ? (
        <table class="treat-table">
          <thead>
            <tr>
              <th scope="col">{t('console.treatments.item.procedure')}</th>
              <th scope="col">{t('console.treatments.item.area')}</th>
              <th scope="col">{t('console.treatments.item.status')}</th>
              <th scope="col" class="treat-num">{t('console.treatments.item.cost', { currency: plan.currency })}</th>
            </tr>
          </thead>
          <tbody>
            {plan.items.map((item) => (
              <tr key={item.id} data-testid="plan-item" class={item.status === 'cancelled' ? 'treat-cancelled' : undefined}>
                <td data-testid="plan-item-procedure">{item.procedure}</td>
                <td data-testid="plan-item-area">{item.area ?? '—'}</td>
                <td>{t(ITEM_STATUS_KEYS[item.status])}</td>
                <td class="treat-num" data-testid="plan-item-cost">{formatMoney(item.estimated_cost, plan.currency, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p class="muted">{t('console.treatments.plan.noItems')}</p>}
      <p class="treat-total">
        {t('console.treatments.plan.total')}{' '}
        <strong data-testid="plan-total">{formatMoney(plan.total_estimated_cost, plan.currency, lang)}</strong>
      </p>
    </li>
  );
}

function RecordEditor({ patientId, record, practitioners, onSaved, onCancel, onSessionLost }) {
  const [form, setForm] = useState(() => recordForm(record, todayDate()));
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [saving, setSaving] = useState(false);
  const prefix = record ? `record-${record.id}` : 'record-new';
  const set = (change) => setForm((f) => ({ ...f, ...change }));
  // A practitioner no longer listed (say, made inactive) stays choosable on its record.
  const choices = record?.practitioner && !practitioners.some((p) => p.id === record.practitioner.id)
    ? [...practitioners, record.practitioner] : practitioners;

  async function save(event) {
    event.preventDefault();
    if (saving) return;
    const { body, errors: local } = recordBody(form);
    if (local) {
      setErrors(localErrors(local));
      return;
    }
    setSaving(true);
    setFailure(null);
    try {
      const saved = record
        ? await api(`/api/v1/clinic/treatment-records/${encodeURIComponent(record.id)}`, { method: 'PATCH', body })
        : await api(`/api/v1/clinic/patients/${encodeURIComponent(patientId)}/treatment-records`, { method: 'POST', body });
      onSaved(saved);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 422 && error.errors.length) setErrors(serverErrors(error));
      else setFailure(error);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form class="card treat-form" onSubmit={save} noValidate data-testid="record-form">
      <div class="field-row">
        <div class="field">
          <label for={`${prefix}-date`}>{t('console.treatments.record.date')}</label>
          <input id={`${prefix}-date`} type="date" value={form.performed_on} data-testid="record-date"
            aria-invalid={errors.performed_on ? 'true' : undefined}
            onInput={(e) => set({ performed_on: e.currentTarget.value })} />
          <FieldError message={errors.performed_on} testid="record-error-date" />
        </div>
        <div class="field">
          <label for={`${prefix}-practitioner`}>{t('console.treatments.record.practitioner')}</label>
          <select id={`${prefix}-practitioner`} value={form.practitioner_id} data-testid="record-practitioner"
            onChange={(e) => set({ practitioner_id: e.currentTarget.value })}>
            <option value="">{t('console.treatments.record.noPractitioner')}</option>
            {choices.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
          <FieldError message={errors.practitioner_id} testid="record-error-practitioner" />
        </div>
      </div>
      <div class="field-row">
        <div class="field">
          <label for={`${prefix}-procedure`}>{t('console.treatments.item.procedure')}</label>
          <input id={`${prefix}-procedure`} value={form.procedure} maxLength={200} data-testid="record-procedure"
            aria-invalid={errors.procedure ? 'true' : undefined} onInput={(e) => set({ procedure: e.currentTarget.value })} />
          <FieldError message={errors.procedure} testid="record-error-procedure" />
        </div>
        <div class="field">
          <label for={`${prefix}-area`}>{t('console.treatments.item.area')}</label>
          <input id={`${prefix}-area`} value={form.area} maxLength={50} data-testid="record-area"
            placeholder={t('console.treatments.item.areaPlaceholder')} onInput={(e) => set({ area: e.currentTarget.value })} />
          <FieldError message={errors.area} testid="record-error-area" />
        </div>
      </div>
      <div class="field">
        <label for={`${prefix}-notes`}>{t('console.treatments.record.notes')}</label>
        <textarea id={`${prefix}-notes`} rows={3} maxLength={2000} value={form.notes_for_patient} data-testid="record-notes"
          aria-describedby={`${prefix}-notes-help`} onInput={(e) => set({ notes_for_patient: e.currentTarget.value })} />
        <p id={`${prefix}-notes-help`} class="hint muted">{t('console.treatments.record.notesHelp')}</p>
        <FieldError message={errors.notes_for_patient} testid="record-error-notes" />
      </div>
      {failure && <p class="alert" role="alert" data-testid="record-form-error">{errorMessage(failure)}</p>}
      <div class="form-actions">
        <button type="submit" class="button" disabled={saving} data-testid="record-save">
          {t(saving ? 'console.treatments.saving' : 'console.treatments.save')}
        </button>
        <button type="button" class="button button-outline" onClick={onCancel} data-testid="record-cancel">
          {t('console.treatments.cancel')}
        </button>
      </div>
    </form>
  );
}

function RecordItem({ record, onEdit }) {
  const lang = useLanguage();
  return (
    <li class="card treat-card" data-testid="record" data-id={record.id}>
      <div class="treat-card-head">
        <h4>
          <span data-testid="record-card-date">{formatDay(record.performed_on, lang)}</span>
          {' · '}
          <span data-testid="record-card-procedure">{record.procedure}</span>
          {record.area && <span class="muted" data-testid="record-card-area"> ({record.area})</span>}
        </h4>
        <button type="button" class="button button-outline button-small" onClick={onEdit} data-testid="record-edit">
          {t('console.treatments.edit')}
        </button>
      </div>
      <p class="muted" data-testid="record-card-practitioner">
        {record.practitioner ? record.practitioner.name : t('console.treatments.record.noPractitioner')}
      </p>
      {record.notes_for_patient && <p class="treat-notes" data-testid="record-card-notes">{record.notes_for_patient}</p>}
    </li>
  );
}

// The first page of a list (plans or records), with "Load more" through next_cursor.
function usePage(path, onSessionLost) {
  const [state, setState] = useState({ status: 'loading', items: [], cursor: null, currency: null, error: null });
  const load = useCallback(async (cursor = null) => {
    setState((s) => ({ ...s, status: cursor ? 'more' : 'loading', error: null }));
    try {
      const page = await api(`${path}?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      setState((s) => ({
        status: 'ready',
        items: cursor ? [...s.items, ...page.items.filter((x) => !s.items.some((y) => y.id === x.id))] : page.items,
        cursor: page.next_cursor ?? null,
        currency: page.currency ?? s.currency,
        error: null,
      }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setState((s) => ({ ...s, status: 'error', error }));
    }
  }, [path, onSessionLost]);
  useEffect(() => { load(); }, [load]);
  const replace = (item) => setState((s) => ({
    ...s,
    items: s.items.some((x) => x.id === item.id) ? s.items.map((x) => (x.id === item.id ? item : x)) : [item, ...s.items],
  }));
  return { ...state, load, replace };
}

export function PatientTreatments({ patientId, onSessionLost }) {
  useLanguage();
  const base = `/api/v1/clinic/patients/${encodeURIComponent(patientId)}`;
  const plans = usePage(`${base}/treatment-plans`, onSessionLost);
  const records = usePage(`${base}/treatment-records`, onSessionLost);
  const [practitioners, setPractitioners] = useState([]);
  const [editingPlan, setEditingPlan] = useState(null); // null | 'new' | plan id
  const [editingRecord, setEditingRecord] = useState(null);

  useEffect(() => {
    loadPractitioners().then(setPractitioners, (error) => { if (error.status === 401) onSessionLost(); });
  }, [onSessionLost]);

  const currency = plans.currency ?? plans.items[0]?.currency ?? 'TRY';

  return (
    <div class="treatments" data-testid="patient-treatments">
      <section class="treat-section" aria-labelledby="treat-plans-heading">
        <div class="treat-section-head">
          <h3 id="treat-plans-heading">{t('console.treatments.plans')}</h3>
          {editingPlan !== 'new' && (
            <button type="button" class="button button-small" onClick={() => setEditingPlan('new')} data-testid="plan-new">
              {t('console.treatments.plan.new')}
            </button>
          )}
        </div>
        {editingPlan === 'new' && (
          <PlanEditor patientId={patientId} plan={null} currency={currency} onSessionLost={onSessionLost}
            onCancel={() => setEditingPlan(null)} onSaved={(p) => { plans.replace(p); setEditingPlan(null); }} />
        )}
        {plans.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
        {plans.status === 'error' && <p class="alert" role="alert">{errorMessage(plans.error)}</p>}
        {plans.status !== 'loading' && plans.items.length === 0 && editingPlan !== 'new' && (
          <p class="muted empty" data-testid="plans-empty">{t('console.treatments.plan.none')}</p>
        )}
        <ul class="treat-list" data-testid="plans">
          {plans.items.map((plan) => (editingPlan === plan.id ? (
            <li key={plan.id}>
              <PlanEditor patientId={patientId} plan={plan} currency={plan.currency} onSessionLost={onSessionLost}
                onCancel={() => setEditingPlan(null)} onSaved={(p) => { plans.replace(p); setEditingPlan(null); }} />
            </li>
          ) : <PlanCard key={plan.id} plan={plan} onEdit={() => setEditingPlan(plan.id)} />))}
        </ul>
        {plans.cursor && (
          <button type="button" class="button button-outline" disabled={plans.status === 'more'} onClick={() => plans.load(plans.cursor)}>
            {t('console.treatments.more')}
          </button>
        )}
      </section>

      <section class="treat-section" aria-labelledby="treat-records-heading">
        <div class="treat-section-head">
          <h3 id="treat-records-heading">{t('console.treatments.records')}</h3>
          {editingRecord !== 'new' && (
            <button type="button" class="button button-small" onClick={() => setEditingRecord('new')} data-testid="record-new">
              {t('console.treatments.record.new')}
            </button>
          )}
        </div>
        {editingRecord === 'new' && (
          <RecordEditor patientId={patientId} record={null} practitioners={practitioners} onSessionLost={onSessionLost}
            onCancel={() => setEditingRecord(null)}
            onSaved={() => { records.load(); setEditingRecord(null); }} />
        )}
        {records.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
        {records.status === 'error' && <p class="alert" role="alert">{errorMessage(records.error)}</p>}
        {records.status !== 'loading' && records.items.length === 0 && editingRecord !== 'new' && (
          <p class="muted empty" data-testid="records-empty">{t('console.treatments.record.none')}</p>
        )}
        <ul class="treat-list" data-testid="records">
          {records.items.map((record) => (editingRecord === record.id ? (
            <li key={record.id}>
              <RecordEditor patientId={patientId} record={record} practitioners={practitioners} onSessionLost={onSessionLost}
                onCancel={() => setEditingRecord(null)} onSaved={() => { records.load(); setEditingRecord(null); }} />
            </li>
          ) : <RecordItem key={record.id} record={record} onEdit={() => setEditingRecord(record.id)} />))}
        </ul>
        {records.cursor && (
          <button type="button" class="button button-outline" disabled={records.status === 'more'}
            onClick={() => records.load(records.cursor)}>
            {t('console.treatments.more')}
          </button>
        )}
      </section>
    </div>
  );
}
