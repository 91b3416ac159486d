// Pieces the console's finance screens share (FinancePatient.jsx, Finance.jsx,
// FinanceInvoice.jsx): a paged list from the API, status badges, field errors, and the two
// small forms that change a record: void an invoice (a reason) and refund a payment (an
// amount up to what is left, a reason). The server decides; its refusal is shown in place.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import {
  amountText, formatMoney, INVOICE_STATUS_KEYS, METHOD_KEYS, PAYMENT_STATUS_KEYS, REASON_MAX, refundable,
  refundBody, voidBody,
} from '../financeRules.js';
import { errorMessage } from './common.jsx';

// Local error kinds of financeRules.js -> messages.
const LOCAL_ERRORS = {
  required: 'console.finance.error.required',
  amount: 'console.finance.error.amount',
  quantity: 'console.finance.error.quantity',
  tax: 'console.finance.error.tax',
  tooLong: 'console.finance.error.tooLong',
  date: 'console.finance.error.date',
  future: 'console.finance.error.future',
  dueBeforeIssue: 'console.finance.error.dueBeforeIssue',
  tooMany: 'console.finance.error.tooMany',
  noLines: 'console.finance.error.noLines',
  aboveRefundable: 'console.finance.error.aboveRefundable',
};
export const localErrors = (errors) => Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(LOCAL_ERRORS[v])]));
/** The server's 422 as {field: message} (the first message of each field). */
export function serverErrors(error) {
  const out = {};
  for (const e of error.errors ?? []) if (e.field && !out[e.field]) out[e.field] = e.message;
  return out;
}

export function FieldError({ id, message, testid }) {
  return message ? <p class="field-error" id={id} data-testid={testid}>{message}</p> : null;
}

export function InvoiceStatus({ invoice }) {
  const cls = { open: 'badge-plain', partially_paid: 'badge-warn', paid: 'badge-ok', void: 'badge-off' }[invoice.status];
  return (
    <span class="finance-badges">
      <span class={`badge ${cls ?? 'badge-plain'}`} data-testid="invoice-status" data-status={invoice.status}>
        {t(INVOICE_STATUS_KEYS[invoice.status] ?? 'finance.unknown')}
      </span>
      {invoice.overdue && <span class="badge badge-bad" data-testid="invoice-overdue">{t('finance.overdue')}</span>}
    </span>
  );
}

export function PaymentStatus({ payment }) {
  const cls = { succeeded: 'badge-ok', pending: 'badge-warn', failed: 'badge-bad', expired: 'badge-off' }[payment.status];
  return (
    <span class={`badge ${cls ?? 'badge-plain'}`} data-testid="payment-status" data-status={payment.status}>
      {t(PAYMENT_STATUS_KEYS[payment.status] ?? 'finance.unknown')}
    </span>
  );
}

export const methodText = (method) => t(METHOD_KEYS[method] ?? 'finance.unknown');

/**
 * A list of the API ({items, next_cursor}) at `path` + `query`, first page on load and on
 * every change of either; more through next_cursor. {status, items, cursor, error, load, more}.
 */
export function useList(path, query, onSessionLost) {
  const [state, setState] = useState({ status: 'loading', items: [], cursor: null, error: null });
  const load = useCallback(async (cursor = null) => {
    setState((s) => ({ ...s, status: cursor ? 'more' : 'loading', error: null }));
    try {
      const page = await api(`${path}?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      setState((s) => ({
        status: 'ready',
        items: cursor ? [...s.items, ...page.items.filter((x) => !s.items.some((y) => y.id === x.id))] : page.items,
        cursor: page.next_cursor ?? null,
        error: null,
      }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setState((s) => ({ ...s, status: 'error', error }));
    }
  }, [path, query, onSessionLost]);
  useEffect(() => { load(); }, [load]);
  return { ...state, load: () => load(), more: () => load(state.cursor) };
}

/** The loading, error, empty and "load more" states around a list's table. */
export function ListState({ list, empty, testid, children }) {
  return (
    <div data-testid={testid} data-state={list.status}>
      {list.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {list.status === 'error' && (
        <div class="alert-row">
          <p class="alert" role="alert" data-testid={`${testid}-error`}>{errorMessage(list.error)}</p>
          <button type="button" class="button button-small" onClick={list.load}>{t('common.retry')}</button>
        </div>
      )}
      {list.status !== 'loading' && list.status !== 'error' && list.items.length === 0 && (
        <p class="muted empty" data-testid={`${testid}-empty`}>{empty}</p>
      )}
      {list.items.length > 0 && children}
      {list.cursor && list.status !== 'loading' && (
        <button type="button" class="button button-outline button-small list-more" disabled={list.status === 'more'}
          onClick={list.more} data-testid={`${testid}-more`}>
          {t(list.status === 'more' ? 'common.loading' : 'console.finance.more')}
        </button>
      )}
    </div>
  );
}

// A confirm step with a reason (and for refunds an amount): focus goes to its first field.
function useFirstFocus() {
  const first = useRef(null);
  useLayoutEffect(() => { first.current?.focus(); }, []);
  return first;
}

/** "Void invoice X": a reason, then POST invoices/{id}/void. onDone(invoice) after 200. */
export function VoidForm({ invoice, onDone, onCancel, onSessionLost }) {
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useFirstFocus();
  const id = `void-${invoice.id}`;

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    const { body, errors: local } = voidBody({ reason });
    if (local) { setErrors(localErrors(local)); return; }
    setBusy(true);
    setFailure(null);
    try {
      onDone(await api(`/api/v1/clinic/invoices/${encodeURIComponent(invoice.id)}/void`, { method: 'POST', body }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 422 && error.errors.length) setErrors(serverErrors(error));
      else if (error.status === 409) setFailure({ detail: t('console.finance.void.conflict') });
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="finance-confirm no-print" onSubmit={submit} noValidate data-testid="void-form"
      aria-labelledby={`${id}-q`}>
      <p id={`${id}-q`}>{t('console.finance.void.question', { number: invoice.number })}</p>
      <div class="field">
        <label for={`${id}-reason`}>{t('console.finance.void.reason')}</label>
        <input id={`${id}-reason`} ref={first} value={reason} maxLength={REASON_MAX} data-testid="void-reason"
          aria-invalid={errors.reason ? 'true' : undefined} aria-describedby={errors.reason ? `${id}-reason-error` : undefined}
          onInput={(e) => { setReason(e.currentTarget.value); setErrors({}); }} />
        <FieldError id={`${id}-reason-error`} message={errors.reason} testid="void-reason-error" />
      </div>
      {failure && <p class="alert" role="alert" data-testid="void-error">{errorMessage(failure)}</p>}
      <div class="form-actions">
        <button type="submit" class="button button-small button-danger" disabled={busy} data-testid="void-confirm">
          {t(busy ? 'console.finance.void.voiding' : 'console.finance.void.confirm')}
        </button>
        <button type="button" class="button button-small button-outline" onClick={onCancel} data-testid="void-cancel">
          {t('console.finance.cancel')}
        </button>
      </div>
    </form>
  );
}

/** "Refund": an amount (what is left, filled in) and a reason, then POST payments/{id}/refund. */
export function RefundForm({ payment, onDone, onCancel, onSessionLost }) {
  const lang = useLanguage();
  const left = refundable(payment);
  const [form, setForm] = useState(() => ({ amount: amountText(left, payment.currency, lang), reason: '' }));
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useFirstFocus();
  const id = `refund-${payment.id}`;
  const set = (field) => (e) => {
    const { value } = e.currentTarget;
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((all) => ({ ...all, [field]: undefined }));
  };

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    const { body, errors: local } = refundBody(form, payment, lang);
    if (local) { setErrors(localErrors(local)); return; }
    setBusy(true);
    setFailure(null);
    try {
      onDone(await api(`/api/v1/clinic/payments/${encodeURIComponent(payment.id)}/refund`, { method: 'POST', body }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 422 && error.errors.length) setErrors(serverErrors(error));
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="finance-confirm" onSubmit={submit} noValidate data-testid="refund-form" aria-labelledby={`${id}-q`}>
      <p id={`${id}-q`}>
        {t('console.finance.refund.question', { amount: formatMoney(left, payment.currency, lang) })}
      </p>
      <div class="field-row">
        <div class="field">
          <label for={`${id}-amount`}>{t('console.finance.refund.amount', { currency: payment.currency })}</label>
          <input id={`${id}-amount`} ref={first} value={form.amount} inputMode="decimal" data-testid="refund-amount"
            aria-invalid={errors.amount ? 'true' : undefined} aria-describedby={errors.amount ? `${id}-amount-error` : undefined}
            onInput={set('amount')} />
          <FieldError id={`${id}-amount-error`} message={errors.amount} testid="refund-amount-error" />
        </div>
        <div class="field">
          <label for={`${id}-reason`}>{t('console.finance.refund.reason')}</label>
          <input id={`${id}-reason`} value={form.reason} maxLength={REASON_MAX} data-testid="refund-reason"
            aria-invalid={errors.reason ? 'true' : undefined} aria-describedby={errors.reason ? `${id}-reason-error` : undefined}
            onInput={set('reason')} />
          <FieldError id={`${id}-reason-error`} message={errors.reason} testid="refund-reason-error" />
        </div>
      </div>
      {failure && <p class="alert" role="alert" data-testid="refund-error">{errorMessage(failure)}</p>}
      <div class="form-actions">
        <button type="submit" class="button button-small button-danger" disabled={busy} data-testid="refund-confirm">
          {t(busy ? 'console.finance.refund.refunding' : 'console.finance.refund.confirm')}
        </button>
        <button type="button" class="button button-small button-outline" onClick={onCancel} data-testid="refund-cancel">
          {t('console.finance.cancel')}
        </button>
      </div>
    </form>
  );
}
