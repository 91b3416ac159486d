// The patient's treatments (#/treatments, view_treatments): their treatment plans (title,
// status, the planned procedures with tooth or area, status and estimated cost in the
// clinic's currency, and the estimated total of what is not cancelled) and the treatments
// they have had (date, procedure, area, practitioner, the clinic's notes for them), from GET
// treatments. A refusal (say, the clinic stopped showing treatments) is shown in plain words.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { formatDay, formatMoney, ITEM_STATUS_KEYS, PLAN_STATUS_KEYS } from '../treatmentRules.js';
import { BackHome, endsSession, Problem } from './common.jsx';
import './screens.css';
import './treatments.css';

function Plan({ plan, lang }) {
  return (
    <li class="treat-plan" data-testid="portal-plan" data-id={plan.id} data-status={plan.status}>
      <div class="treat-plan-head">
        <h3 data-testid="portal-plan-title">{plan.title}</h3>
        <span class={`badge ${plan.status === 'cancelled' ? 'badge-off' : 'badge-on'}`} data-testid="portal-plan-status">
          {t(PLAN_STATUS_KEYS[plan.status])}
        </span>
      </div>
      {plan.items.length > 0 ? (
        <ul class="treat-items">
          {plan.items.map((item) => (
            <li key={item.id} class={item.status === 'cancelled' ? 'treat-item treat-item-cancelled' : 'treat-item'}
              data-testid="portal-plan-item" data-status={item.status}>
              <span class="treat-item-what">
                <strong data-testid="portal-item-procedure">{item.procedure}</strong>
                {item.area && <span class="muted" data-testid="portal-item-area"> · {t('portal.treatments.area', { area: item.area })}</span>}
                <span class="muted"> · {t(ITEM_STATUS_KEYS[item.status])}</span>
              </span>
              <span class="treat-item-cost" data-testid="portal-item-cost">{formatMoney(item.estimated_cost, plan.currency, lang)}</span>
            </li>
          ))}
        </ul>
      ) : <p class="muted">{t('portal.treatments.noItems')}</p>}
      <p class="treat-plan-total">
        <span>{t('portal.treatments.total')}</span>
        <strong data-testid="portal-plan-total">{formatMoney(plan.total_estimated_cost, plan.currency, lang)}</strong>
      </p>
    </li>
  );
}

function Record({ record, lang }) {
  return (
    <li class="treat-record" data-testid="portal-record" data-id={record.id}>
      <p class="treat-record-when" data-testid="portal-record-date">{formatDay(record.performed_on, lang)}</p>
      <p>
        <strong data-testid="portal-record-procedure">{record.procedure}</strong>
        {record.area && <span class="muted"> · {t('portal.treatments.area', { area: record.area })}</span>}
      </p>
      {record.practitioner && (
        <p class="muted" data-testid="portal-record-practitioner">{t('portal.treatments.by', { name: record.practitioner.name })}</p>
      )}
      {record.notes_for_patient && <p class="treat-notes" data-testid="portal-record-notes">{record.notes_for_patient}</p>}
    </li>
  );
}

/**
 * The screen. Takes the router's props ({base, onSessionLost, onPortalGone}); `code` (the
 * portal code) may stand in for base.
 */
export function Treatments({ base, code, onSessionLost = () => {}, onPortalGone = () => {} }) {
  const lang = useLanguage();
  const root = base ?? `/api/v1/portal/${code}/`;
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  const [state, setState] = useState({ status: 'loading', data: null, error: null });

  const load = useCallback(async () => {
    setState({ status: 'loading', data: null, error: null });
    try {
      setState({ status: 'ready', data: await api(`${root}treatments`), error: null });
    } catch (error) {
      if (endsSession(error, { onSessionLost, onPortalGone })) return;
      setState({ status: 'error', data: null, error });
    }
  }, [root, onSessionLost, onPortalGone]);
  useEffect(() => { load(); }, [load]);

  const { data } = state;
  return (
    <section class="screen" aria-labelledby="treat-heading" data-testid="portal-treatments" data-state={state.status}>
      <BackHome />
      <header class="screen-top">
        <h1 id="treat-heading" ref={heading} tabIndex={-1}>{t('portal.treatments.heading')}</h1>
      </header>
      {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state.status === 'error' && (
        <div class="alert-row">
          <Problem error={state.error} testid="treatments-error" />
          {state.error.code !== 'permission_denied' && (
            <button type="button" class="button button-small" onClick={load}>{t('common.retry')}</button>
          )}
        </div>
      )}
      {data && (
        <>
          <h2>{t('portal.treatments.plans')}</h2>
          {data.plans.length > 0 ? (
            <ul class="treat-list" data-testid="portal-plans">
              {data.plans.map((plan) => <Plan key={plan.id} plan={plan} lang={lang} />)}
            </ul>
          ) : <p class="muted" data-testid="portal-plans-empty">{t('portal.treatments.noPlans')}</p>}
          {data.plans.length > 0 && <p class="hint muted">{t('portal.treatments.estimateNote')}</p>}

          <h2>{t('portal.treatments.records')}</h2>
          {data.records.length > 0 ? (
            <ul class="treat-list" data-testid="portal-records">
              {data.records.map((record) => <Record key={record.id} record={record} lang={lang} />)}
            </ul>
          ) : <p class="muted" data-testid="portal-records-empty">{t('portal.treatments.noRecords')}</p>}
        </>
      )}
    </section>
  );
}
