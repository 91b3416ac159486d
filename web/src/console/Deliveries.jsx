// Deliveries screen (#/deliveries): the clinic's outgoing messages, newest first
// (GET /api/v1/clinic/deliveries), filtered by status, channel and purpose, with "load more"
// through next_cursor. Each row: time, channel, purpose, the patient (by name, a link to their
// page) and the recipient, status, attempts, last
// error; a dead message (never a sign-in code) has Retry (POST deliveries/{id}/retry). The
// text of a secret message (a one-time code) is never shown (the API answers secret: true and
// no subject or body for it).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { errorMessage, ErrorText, formatTime } from './common.jsx';
import { canRetry, deliveriesQuery, DELIVERY_STATUS_KEYS, DELIVERY_STATUSES } from './deliveryRules.js';
import { StatusBadge } from './PatientInvite.jsx';
import { CHANNEL_KEYS, CHANNELS, PURPOSE_KEYS, PURPOSES } from './templateRules.js';
import './deliveries.css';

const PAGE_SIZE = 50;
const FILTERS = [
  { name: 'status', label: 'console.deliveries.filter.status', values: DELIVERY_STATUSES, keys: DELIVERY_STATUS_KEYS },
  { name: 'channel', label: 'console.deliveries.filter.channel', values: CHANNELS, keys: CHANNEL_KEYS },
  { name: 'purpose', label: 'console.deliveries.filter.purpose', values: PURPOSES, keys: PURPOSE_KEYS },
];

function Row({ delivery, lang, onRetried, onSessionLost }) {
  const [retrying, setRetrying] = useState(false);
  const [error, setError] = useState(null);
  const d = delivery;

  async function retry() {
    setRetrying(true);
    setError(null);
    try {
      onRetried(await api(`/api/v1/clinic/deliveries/${encodeURIComponent(d.id)}/retry`, { method: 'POST' }));
    } catch (e) {
      if (e.status === 401) {
        onSessionLost();
        return;
      }
      setError(e);
    } finally {
      setRetrying(false);
    }
  }

  const secret = d.secret === true;
  return (
    <tr data-testid="delivery-row" data-id={d.id} data-channel={d.channel} data-purpose={d.purpose}
      data-status={d.status} data-recipient={d.recipient}>
      <td data-label={t('console.delivery.col.time')}>
        <time datetime={d.created_at}>{formatTime(d.created_at, lang)}</time>
      </td>
      <td data-label={t('console.delivery.col.channel')}>{t(CHANNEL_KEYS[d.channel] ?? 'console.delivery.unknown')}</td>
      <td data-label={t('console.delivery.col.purpose')}>{t(PURPOSE_KEYS[d.purpose] ?? 'console.templates.purpose.unknown')}</td>
      <td data-label={t('console.delivery.col.recipient')} class="cell-wrap">
        {d.patient_id && (
          <a class="delivery-patient" href={`#/patients/${encodeURIComponent(d.patient_id)}`} data-testid="delivery-patient">
            {d.patient_name ?? t('console.deliveries.openPatient')}
          </a>
        )}
        <span class="delivery-sub muted" data-testid="delivery-recipient">{d.recipient}</span>
      </td>
      <td data-label={t('console.delivery.col.status')}>
        <StatusBadge status={d.status} testid="delivery-status" />
        {d.sent_at && d.status === 'sent' && (
          <span class="delivery-sub muted">{formatTime(d.sent_at, lang)}</span>
        )}
      </td>
      <td data-label={t('console.delivery.col.attempts')} data-testid="delivery-attempts">{d.attempts}</td>
      <td data-label={t('console.delivery.col.lastError')} class="cell-wrap">
        {d.last_error ? <span class="delivery-error" data-testid="delivery-error">{d.last_error}</span>
          : <span class="muted">{t('console.deliveries.noError')}</span>}
      </td>
      <td data-label={t('console.delivery.col.message')} class="cell-wrap">
        {secret && <span class="muted" data-testid="delivery-secret">{t('console.deliveries.secret')}</span>}
        {!secret && d.body !== null && d.body !== undefined && (
          <details class="delivery-body" data-testid="delivery-body">
            <summary>{t('console.deliveries.showMessage')}</summary>
            {d.subject && <p class="delivery-subject">{d.subject}</p>}
            <p class="delivery-text">{d.body}</p>
          </details>
        )}
        {canRetry(d) && (
          <button type="button" class="button button-small button-outline" onClick={retry} disabled={retrying}
            data-testid="delivery-retry">
            {t(retrying ? 'console.deliveries.retrying' : 'console.deliveries.retry')}
          </button>
        )}
        {error && (
          <p class="alert delivery-retry-error" role="alert" data-testid="delivery-retry-error">
            {error.code === 'conflict' ? t('console.deliveries.retryConflict') : errorMessage(error)}
          </p>
        )}
      </td>
    </tr>
  );
}

export function Deliveries({ onSessionLost }) {
  const lang = useLanguage();
  const [filters, setFilters] = useState({ status: '', channel: '', purpose: '' });
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [state, setState] = useState('loading'); // loading | ready | more | error | forbidden
  const [error, setError] = useState(null);
  const [reloads, setReloads] = useState(0);
  const latest = useRef(0);

  const fetchPage = useCallback(async (after) => {
    const ticket = ++latest.current; // a newer filter choice wins over an older answer
    setState(after ? 'more' : 'loading');
    setError(null);
    try {
      const page = await api(`/api/v1/clinic/deliveries?${deliveriesQuery(filters, after, PAGE_SIZE)}`);
      if (ticket !== latest.current) return;
      setItems((prev) => (after ? [...prev, ...page.items] : page.items));
      setCursor(page.next_cursor ?? null);
      setState('ready');
    } catch (e) {
      if (ticket !== latest.current) return;
      if (e.status === 401) {
        onSessionLost();
        return;
      }
      if (e.code === 'forbidden_role') {
        setState('forbidden');
        return;
      }
      setError(e);
      setState('error');
    }
  }, [filters, onSessionLost]);

  useEffect(() => { fetchPage(null); }, [fetchPage, reloads]);

  const retried = (updated) => setItems((list) => list.map((d) => (d.id === updated.id ? updated : d)));
  const filtered = filters.status || filters.channel || filters.purpose;

  return (
    <section class="deliveries" data-testid="deliveries">
      <header class="screen-header screen-header-actions">
        <div>
          <h2>{t('console.deliveries.heading')}</h2>
          <p class="muted">{t('console.deliveries.intro')}</p>
        </div>
        <button type="button" class="button button-outline" onClick={() => setReloads((n) => n + 1)}
          disabled={state === 'loading'} data-testid="deliveries-refresh">
          {t('console.deliveries.refresh')}
        </button>
      </header>

      <form class="card deliveries-filters" data-testid="deliveries-filters" onSubmit={(e) => e.preventDefault()}>
        {FILTERS.map((f) => (
          <div class="field" key={f.name}>
            <label for={`deliveries-${f.name}`}>{t(f.label)}</label>
            <select id={`deliveries-${f.name}`} name={f.name} value={filters[f.name]} data-testid={`deliveries-${f.name}`}
              onChange={(e) => setFilters((old) => ({ ...old, [f.name]: e.currentTarget.value }))}>
              <option value="">{t('console.deliveries.filter.all')}</option>
              {f.values.map((v) => <option key={v} value={v}>{t(f.keys[v])}</option>)}
            </select>
          </div>
        ))}
      </form>

      {state === 'forbidden' && (
        <p class="banner banner-info" role="note" data-testid="deliveries-forbidden">{t('console.deliveries.forbidden')}</p>
      )}
      {state === 'error' && (
        <div class="alert-row">
          <ErrorText error={error} testid="deliveries-error" />
          <button type="button" class="button button-small" onClick={() => fetchPage(items.length ? cursor : null)}>
            {t('common.retry')}
          </button>
        </div>
      )}
      <div class="deliveries-results" data-testid="deliveries-results" aria-busy={state === 'loading' ? 'true' : 'false'}
        data-state={state}>
        {state === 'loading' && items.length === 0 && <p class="muted" role="status">{t('common.loading')}</p>}
        {state === 'ready' && items.length === 0 && (
          <p class="muted empty" data-testid="deliveries-empty">
            {t(filtered ? 'console.deliveries.noMatch' : 'console.deliveries.none')}
          </p>
        )}
        {items.length > 0 && (
          <div class="card table-card">
            <table class="data-table" data-testid="deliveries-table">
              <thead>
                <tr>
                  <th scope="col">{t('console.delivery.col.time')}</th>
                  <th scope="col">{t('console.delivery.col.channel')}</th>
                  <th scope="col">{t('console.delivery.col.purpose')}</th>
                  <th scope="col">{t('console.delivery.col.recipient')}</th>
                  <th scope="col">{t('console.delivery.col.status')}</th>
                  <th scope="col">{t('console.delivery.col.attempts')}</th>
                  <th scope="col">{t('console.delivery.col.lastError')}</th>
                  <th scope="col">{t('console.delivery.col.message')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <Row key={d.id} delivery={d} lang={lang} onRetried={retried} onSessionLost={onSessionLost} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {cursor && state !== 'error' && state !== 'loading' && (
        <button type="button" class="button button-outline list-more" onClick={() => fetchPage(cursor)}
          disabled={state === 'more'} data-testid="deliveries-more">
          {t(state === 'more' ? 'common.loading' : 'console.deliveries.more')}
        </button>
      )}
    </section>
  );
}
