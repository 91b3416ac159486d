// The patient's money in the portal: the balance tile on the home page (view_balance; with
// "Pay" when something is owed and the patient holds make_payment), the invoices
// (#/invoices, view_invoices; each opens #/invoices/<id>, the invoice as a printable document)
// and the payment history (#/payments, view_payments). "Pay" is offered only with
// make_payment and something due (financeRules.js offersPay); a refusal from the server
// (say, the clinic stopped showing invoices) is said in plain words.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import {
  balanceState, formatDay, formatInstant, formatMoney, INVOICE_STATUS_KEYS, METHOD_KEYS, offersPay, PAYMENT_STATUS_KEYS,
} from '../financeRules.js';
import { InvoiceDocument, PrintButton } from '../InvoiceDocument.jsx';
import { BackHome, endsSession, Problem } from './common.jsx';
import { invoiceRoute, payRoute } from './financeRoutes.js';
import { hrefOf } from './router.js';
import './screens.css';
import './finance.css';

function useFocusHeading() {
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  return heading;
}

/** GET of one resource: {status: loading|ready|error, data, error, load}. */
function useResource(url, ends) {
  const [state, setState] = useState({ status: 'loading', data: null, error: null });
  const load = useCallback(async () => {
    setState({ status: 'loading', data: null, error: null });
    try {
      setState({ status: 'ready', data: await api(url), error: null });
    } catch (error) {
      if (ends(error)) return;
      setState({ status: 'error', data: null, error });
    }
  }, [url, ends]);
  useEffect(() => { load(); }, [load]);
  return { ...state, load };
}

/** A list with "show more": {status, items, cursor, error, load, more}. */
export function usePagedList(url, ends) {
  const [state, setState] = useState({ status: 'loading', items: [], cursor: null, error: null });
  const load = useCallback(async (cursor = null) => {
    setState((s) => ({ ...s, status: cursor ? 'more' : 'loading', error: null }));
    try {
      const page = await api(`${url}?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      setState((s) => ({
        status: 'ready',
        items: cursor ? [...s.items, ...page.items.filter((x) => !s.items.some((y) => y.id === x.id))] : page.items,
        cursor: page.next_cursor ?? null,
        error: null,
      }));
    } catch (error) {
      if (ends(error)) return;
      setState((s) => ({ ...s, status: 'error', error }));
    }
  }, [url, ends]);
  useEffect(() => { load(); }, [load]);
  return { ...state, load: () => load(), more: () => load(state.cursor) };
}

/**
 * endsSession() with the latest callbacks, as one stable function: the shell makes new
 * callbacks on each render, and a load keyed on them would run again for nothing.
 */
export function useEnds(onSessionLost, onPortalGone) {
  const latest = useRef({ onSessionLost, onPortalGone });
  latest.current = { onSessionLost, onPortalGone };
  return useCallback((e) => endsSession(e, latest.current), []);
}

function ErrorRow({ error, onRetry, testid }) {
  return (
    <div class="alert-row">
      <Problem error={error} testid={testid} />
      {error.code !== 'permission_denied' && (
        <button type="button" class="button button-small" onClick={onRetry}>{t('common.retry')}</button>
      )}
    </div>
  );
}

/** The home page's balance tile (view_balance). */
export function BalanceTile({ base, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const ends = useEnds(onSessionLost, onPortalGone);
  const balance = useResource(`${base}balance`, ends);
  const b = balance.data;
  const state = b ? balanceState(b) : null;
  return (
    <section class="card balance-tile" aria-labelledby="balance-heading" data-testid="home-balance"
      data-state={balance.status} data-balance={b?.balance} data-overdue={b?.overdue}>
      <h2 id="balance-heading">{t('portal.balance.heading')}</h2>
      {balance.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {balance.status === 'error' && <ErrorRow error={balance.error} onRetry={balance.load} testid="balance-error" />}
      {b && (
        <>
          <p class="balance-amount" data-testid="balance-amount">
            {formatMoney(Math.abs(b.balance), b.currency, lang)}
          </p>
          <p class="balance-line" data-testid="balance-line">{t(`portal.balance.${state}`)}</p>
          {b.overdue > 0 && (
            <p class="balance-overdue" data-testid="balance-overdue">
              {t('portal.balance.overdue', { amount: formatMoney(b.overdue, b.currency, lang) })}
            </p>
          )}
          {state === 'owes' && permissions.includes('make_payment') && (
            <a class="button" href={hrefOf(payRoute(null))} data-testid="balance-pay">{t('portal.balance.pay')}</a>
          )}
        </>
      )}
    </section>
  );
}

function InvoiceStatusBadges({ invoice }) {
  return (
    <span class="fin-badges">
      <span class={`badge fin-badge-${invoice.status}`} data-testid="portal-invoice-status" data-status={invoice.status}>
        {t(INVOICE_STATUS_KEYS[invoice.status] ?? 'finance.unknown')}
      </span>
      {invoice.overdue && <span class="badge fin-badge-overdue" data-testid="portal-invoice-overdue">{t('finance.overdue')}</span>}
    </span>
  );
}

function InvoiceItem({ invoice: inv, permissions, lang }) {
  const money = (v) => formatMoney(v, inv.currency, lang);
  return (
    <li class={`fin-item fin-item-${inv.status}${inv.overdue ? ' fin-item-overdue' : ''}`} data-testid="portal-invoice"
      data-id={inv.id} data-status={inv.status}>
      <div class="fin-item-head">
        <h2 class="fin-item-title">
          <a href={hrefOf(invoiceRoute(inv.id))} data-testid="portal-invoice-link">
            {t('portal.invoices.number', { number: inv.number })}
          </a>
        </h2>
        <InvoiceStatusBadges invoice={inv} />
      </div>
      <p class="muted fin-item-dates">
        {t('portal.invoices.issued', { date: formatDay(inv.issued_on, lang) })}
        {inv.due_on && <> · {t('portal.invoices.dueBy', { date: formatDay(inv.due_on, lang) })}</>}
      </p>
      <dl class="fin-amounts">
        <div><dt>{t('portal.invoices.total')}</dt><dd data-testid="portal-invoice-total" data-value={inv.total}>{money(inv.total)}</dd></div>
        {inv.status !== 'void' && (
          <div><dt>{t('portal.invoices.left')}</dt><dd data-testid="portal-invoice-due" data-value={inv.due}>{money(inv.due)}</dd></div>
        )}
      </dl>
      {offersPay(inv, permissions) && (
        <a class="button button-small" href={hrefOf(payRoute(inv.id))} data-testid="portal-invoice-pay">
          {t('portal.invoices.pay')}
          <span class="visually-hidden"> {t('portal.invoices.payWhich', { number: inv.number, amount: money(inv.due) })}</span>
        </a>
      )}
    </li>
  );
}

/** #/invoices */
export function Invoices({ base, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useFocusHeading();
  const ends = useEnds(onSessionLost, onPortalGone);
  const list = usePagedList(`${base}invoices`, ends);
  return (
    <section class="screen" aria-labelledby="invoices-heading" data-testid="portal-invoices" data-state={list.status}>
      <BackHome />
      <header class="screen-top">
        <h1 id="invoices-heading" ref={heading} tabIndex={-1}>{t('portal.invoices.heading')}</h1>
        {permissions.includes('view_payments') && (
          <a class="button button-outline button-small" href={hrefOf('payments')} data-testid="invoices-to-payments">
            {t('portal.payments.heading')}
          </a>
        )}
      </header>
      {list.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {list.status === 'error' && <ErrorRow error={list.error} onRetry={list.load} testid="invoices-error" />}
      {list.status !== 'loading' && list.status !== 'error' && list.items.length === 0 && (
        <p class="muted" data-testid="invoices-empty">{t('portal.invoices.none')}</p>
      )}
      {list.items.length > 0 && (
        <ul class="fin-list" data-testid="portal-invoice-list">
          {list.items.map((inv) => <InvoiceItem key={inv.id} invoice={inv} permissions={permissions} lang={lang} />)}
        </ul>
      )}
      {list.cursor && list.status !== 'loading' && (
        <button type="button" class="button button-outline button-small" disabled={list.status === 'more'} onClick={list.more}
          data-testid="invoices-more">
          {t(list.status === 'more' ? 'common.loading' : 'portal.appts.more')}
        </button>
      )}
    </section>
  );
}

/** #/invoices/<id> */
export function InvoicePage({ base, id, patient, permissions, clinicName, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useFocusHeading();
  const ends = useEnds(onSessionLost, onPortalGone);
  const invoice = useResource(`${base}invoices/${encodeURIComponent(id)}`, ends);
  const inv = invoice.data;
  return (
    <section class="screen" aria-labelledby="invoice-heading" data-testid="portal-invoice-page" data-state={invoice.status}>
      <a class="back-link no-print" href={hrefOf('invoices')} data-testid="invoice-back">{t('portal.invoices.back')}</a>
      <h1 id="invoice-heading" class="no-print" ref={heading} tabIndex={-1}>
        {inv ? t('portal.invoices.number', { number: inv.number }) : t('portal.invoices.one')}
      </h1>
      {invoice.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {invoice.status === 'error' && <ErrorRow error={invoice.error} onRetry={invoice.load} testid="invoice-error" />}
      {inv && (
        <>
          <div class="fin-tools no-print">
            {offersPay(inv, permissions) && (
              <a class="button" href={hrefOf(payRoute(inv.id))} data-testid="invoice-pay">
                {t('portal.invoices.payAmount', { amount: formatMoney(inv.due, inv.currency, lang) })}
              </a>
            )}
            <PrintButton />
          </div>
          <InvoiceDocument invoice={inv} clinicName={clinicName}
            patientName={patient ? `${patient.first_name ?? ''} ${patient.last_name ?? ''}`.trim() : null} />
        </>
      )}
    </section>
  );
}

function PaymentItem({ payment: p, lang }) {
  const money = (v) => formatMoney(v, p.currency, lang);
  return (
    <li class={`fin-item fin-pay-${p.status}`} data-testid="portal-payment" data-id={p.id} data-status={p.status}>
      <div class="fin-item-head">
        <h2 class="fin-item-title" data-testid="portal-payment-amount" data-value={p.amount}>{money(p.amount)}</h2>
        <span class={`badge fin-badge-pay-${p.status}`} data-testid="portal-payment-status">
          {t(PAYMENT_STATUS_KEYS[p.status] ?? 'finance.unknown')}
        </span>
      </div>
      <p class="muted fin-item-dates">
        {formatInstant(p.received_at, lang)} · {t(METHOD_KEYS[p.method] ?? 'finance.unknown')}
        {p.invoice_number && <> · {t('portal.payments.forInvoice', { number: p.invoice_number })}</>}
      </p>
      {p.refunded > 0 && (
        <p class="fin-refunded" data-testid="portal-payment-refunded">{t('portal.payments.refunded', { amount: money(p.refunded) })}</p>
      )}
    </li>
  );
}

/** #/payments */
export function Payments({ base, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useFocusHeading();
  const ends = useEnds(onSessionLost, onPortalGone);
  const list = usePagedList(`${base}payments`, ends);
  return (
    <section class="screen" aria-labelledby="payments-heading" data-testid="portal-payments" data-state={list.status}>
      <BackHome />
      <header class="screen-top">
        <h1 id="payments-heading" ref={heading} tabIndex={-1}>{t('portal.payments.heading')}</h1>
        {permissions.includes('make_payment') && (
          <a class="button button-small" href={hrefOf(payRoute(null))} data-testid="payments-pay">{t('portal.pay.heading')}</a>
        )}
      </header>
      {list.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {list.status === 'error' && <ErrorRow error={list.error} onRetry={list.load} testid="payments-error" />}
      {list.status !== 'loading' && list.status !== 'error' && list.items.length === 0 && (
        <p class="muted" data-testid="payments-empty">{t('portal.payments.none')}</p>
      )}
      {list.items.length > 0 && (
        <ul class="fin-list" data-testid="portal-payment-list">
          {list.items.map((p) => <PaymentItem key={p.id} payment={p} lang={lang} />)}
        </ul>
      )}
      {list.cursor && list.status !== 'loading' && (
        <button type="button" class="button button-outline button-small" disabled={list.status === 'more'} onClick={list.more}
          data-testid="payments-more">
          {t(list.status === 'more' ? 'common.loading' : 'portal.appts.more')}
        </button>
      )}
    </section>
  );
}
