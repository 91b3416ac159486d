// Paying online (make_payment). #/pay/<invoice id> pays what is due on an invoice, #/pay an
// amount typed (at most the balance when the patient may see it). "Continue to payment"
// sends POST payments {amount, invoice_id?} with an Idempotency-Key made for this attempt
// (crypto.randomUUID(); kept while the same attempt is retried after a lost answer, so a
// retry never pays twice), then the browser goes to the provider's page (redirect_url). The
// provider sends it back to #/payments/<id>/result, which asks GET payments/{id} every 1.5 s
// until the provider's verdict has arrived (up to 2 minutes; then it says the payment is still
// being processed and offers to check again) and says paid, declined or expired in plain
// words. Refusals (403 permission_denied, 409 payment_unavailable, 422 amount) likewise.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import {
  amountText, attemptSettled, formatMoney, keepPolling, parseAmount, payAmountError, paymentAttempt, paymentOutcome,
  POLL_INTERVAL_MS,
} from '../financeRules.js';
import { BackHome, problemText } from './common.jsx';
import { invoiceRoute, payRoute } from './financeRoutes.js';
import { useEnds } from './FinanceScreens.jsx';
import { hrefOf } from './router.js';
import './screens.css';
import './finance.css';

const AMOUNT_ERRORS = {
  required: 'portal.pay.error.required',
  amount: 'portal.pay.error.amount',
  aboveDue: 'portal.pay.error.aboveDue',
  aboveBalance: 'portal.pay.error.aboveBalance',
};

/** A refusal of POST payments in the patient's words. */
function payProblemText(error) {
  if (error.status === 422 && (error.errors ?? []).some((e) => e.field === 'amount')) return t('portal.pay.amountRefused');
  if (error.status === 409 && error.code === 'conflict') return t('portal.pay.nothingDue');
  return problemText(error);
}

const newKey = () => (globalThis.crypto?.randomUUID ? globalThis.crypto.randomUUID()
  : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`);

/** #/pay and #/pay/<invoice id> */
export function Pay({ base, id = null, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  const ends = useEnds(onSessionLost, onPortalGone);
  const [context, setContext] = useState({ status: 'loading', invoice: null, balance: null, error: null });
  const [amount, setAmount] = useState('');
  const [fieldError, setFieldError] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const attempt = useRef(null); // {key, body, text} of the unfinished attempt
  const input = useRef(null);

  const load = useCallback(async () => {
    setContext({ status: 'loading', invoice: null, balance: null, error: null });
    try {
      let invoice = null;
      let balance = null;
      if (id) invoice = await api(`${base}invoices/${encodeURIComponent(id)}`);
      if (permissions.includes('view_balance')) {
        // Not essential (it bounds the amount here; the server checks it anyway): only a lost
        // session or portal stops the screen.
        balance = await api(`${base}balance`).catch((error) => {
          if (error.status === 401 || error.code === 'portal_not_found') throw error;
          return null;
        });
      }
      setContext({ status: 'ready', invoice, balance, error: null });
      const start = invoice ? invoice.due : Math.max(0, balance?.balance ?? 0);
      if (start > 0) setAmount(amountText(start, invoice?.currency ?? balance?.currency, lang));
    } catch (error) {
      if (ends(error)) return;
      setContext({ status: 'error', invoice: null, balance: null, error });
    }
  }, [base, id, permissions, ends]);
  useEffect(() => { load(); }, [load]);

  const { invoice, balance } = context;
  const currency = invoice?.currency ?? balance?.currency ?? null;

  async function submit(event) {
    event.preventDefault();
    if (busy || leaving) return;
    const minor = String(amount).trim() === '' ? null : parseAmount(amount, currency, lang);
    const kind = minor === null && String(amount).trim() !== '' ? 'amount'
      : payAmountError(minor, { due: invoice ? invoice.due : null, balance: !invoice && balance ? balance.balance : null });
    if (kind) {
      setFieldError(t(AMOUNT_ERRORS[kind], currency ? { amount: formatMoney(invoice ? invoice.due : balance?.balance ?? 0, currency, lang) } : { amount: '' }));
      input.current?.focus();
      return;
    }
    const body = { amount: minor, ...(invoice ? { invoice_id: invoice.id } : {}) };
    attempt.current = paymentAttempt(attempt.current, body, newKey);
    setBusy(true);
    setProblem(null);
    setFieldError(null);
    try {
      const answer = await api(`${base}payments`, { method: 'POST', body, headers: { 'Idempotency-Key': attempt.current.key } });
      attempt.current = null;
      setLeaving(true);
      window.location.assign(answer.redirect_url);
    } catch (error) {
      if (attemptSettled(error)) attempt.current = null;
      if (ends(error)) return;
      setProblem(error);
    } finally {
      setBusy(false);
    }
  }

  const limit = invoice ? invoice.due : balance?.balance ?? null;
  const denied = problem?.code === 'permission_denied' || problem?.code === 'payment_unavailable';
  return (
    <section class="screen" aria-labelledby="pay-heading" data-testid="portal-pay" data-state={context.status}>
      {invoice ? <a class="back-link" href={hrefOf(invoiceRoute(invoice.id))} data-testid="pay-back">{t('portal.pay.backInvoice')}</a> : <BackHome />}
      <h1 id="pay-heading" ref={heading} tabIndex={-1}>
        {invoice ? t('portal.pay.headingInvoice', { number: invoice.number }) : t('portal.pay.heading')}
      </h1>
      {context.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {context.status === 'error' && (
        <div class="alert-row">
          <p class="alert" role="alert" data-testid="pay-load-error" data-code={context.error.code}>{problemText(context.error)}</p>
          {context.error.code !== 'permission_denied' && context.error.code !== 'not_found' && (
            <button type="button" class="button button-small" onClick={load}>{t('common.retry')}</button>
          )}
        </div>
      )}
      {context.status === 'ready' && invoice && invoice.due <= 0 && (
        <p class="notice" data-testid="pay-nothing-due">{t('portal.pay.nothingDue')}</p>
      )}
      {context.status === 'ready' && !(invoice && invoice.due <= 0) && (
        <form class="card fin-pay-form" onSubmit={submit} noValidate data-testid="pay-form">
          {limit !== null && currency && (
            <p data-testid="pay-limit">
              {invoice ? t('portal.pay.due', { amount: formatMoney(invoice.due, currency, lang) })
                : t('portal.pay.balance', { amount: formatMoney(Math.max(0, limit), currency, lang) })}
            </p>
          )}
          <div class="field">
            <label for="pay-amount">{currency ? t('portal.pay.amount', { currency }) : t('portal.pay.amountPlain')}</label>
            <input id="pay-amount" ref={input} inputMode="decimal" autocomplete="off" value={amount} data-testid="pay-amount"
              aria-invalid={fieldError ? 'true' : undefined} aria-describedby={fieldError ? 'pay-amount-error pay-amount-hint' : 'pay-amount-hint'}
              onInput={(e) => { setAmount(e.currentTarget.value); setFieldError(null); }} />
            <p class="hint muted" id="pay-amount-hint">{t('portal.pay.amountHint')}</p>
            {fieldError && <p class="field-error" id="pay-amount-error" data-testid="pay-amount-error">{fieldError}</p>}
          </div>
          {problem && (
            <p class="alert" role="alert" data-testid="pay-problem" data-code={problem.code} data-permission={problem.permission ?? undefined}>
              {payProblemText(problem)}
            </p>
          )}
          {leaving && <p class="notice" role="status" data-testid="pay-leaving">{t('portal.pay.leaving')}</p>}
          {!denied && (
            <button type="submit" class="button button-block" disabled={busy || leaving} data-testid="pay-submit">
              {t(busy || leaving ? 'portal.pay.starting' : 'portal.pay.continue')}
            </button>
          )}
          <p class="hint muted">{t('portal.pay.providerNote')}</p>
        </form>
      )}
    </section>
  );
}

/** #/payments/<id>/result: waits for the provider's verdict. */
export function PayResult({ base, id, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  const ends = useEnds(onSessionLost, onPortalGone);
  const [state, setState] = useState({ outcome: 'waiting', payment: null, error: null });
  const [round, setRound] = useState(0); // "Check again" starts a new round of polling

  useEffect(() => {
    let stopped = false;
    let timer = null;
    const since = Date.now();
    async function ask() {
      try {
        const payment = await api(`${base}payments/${encodeURIComponent(id)}`);
        if (stopped) return;
        const outcome = paymentOutcome(payment.status);
        if (outcome !== 'waiting') {
          setState({ outcome, payment, error: null });
        } else if (keepPolling(payment.status, since, Date.now())) {
          setState({ outcome: 'waiting', payment, error: null });
          timer = setTimeout(ask, POLL_INTERVAL_MS);
        } else {
          setState({ outcome: 'slow', payment, error: null });
        }
      } catch (error) {
        if (stopped || ends(error)) return;
        if (error.status === 0 && Date.now() - since < 120000) {
          timer = setTimeout(ask, POLL_INTERVAL_MS); // a network blip: keep waiting
          return;
        }
        setState({ outcome: 'error', payment: null, error });
      }
    }
    setState((s) => ({ ...s, outcome: 'waiting', error: null }));
    ask();
    return () => { stopped = true; clearTimeout(timer); };
  }, [base, id, round, ends]);

  const { outcome, payment, error } = state;
  const money = payment ? formatMoney(payment.amount, payment.currency, lang) : '';
  const again = permissions.includes('make_payment') ? (
    <a class="button" href={hrefOf(payRoute(payment?.invoice_id ?? null))} data-testid="pay-result-retry">{t('portal.result.tryAgain')}</a>
  ) : null;
  let body;
  if (outcome === 'waiting') {
    body = <p class="notice" data-testid="pay-result-text">{t('portal.result.waiting')}</p>;
  } else if (outcome === 'paid') {
    body = (
      <>
        <p class="fin-result fin-result-ok" data-testid="pay-result-text">{t('portal.result.paid', { amount: money })}</p>
        {payment.invoice_number && <p>{t('portal.result.forInvoice', { number: payment.invoice_number })}</p>}
        <p class="muted">{t('portal.result.receipt')}</p>
      </>
    );
  } else if (outcome === 'declined') {
    body = (
      <>
        <p class="fin-result fin-result-bad" data-testid="pay-result-text">{t('portal.result.declined', { amount: money })}</p>
        {again}
      </>
    );
  } else if (outcome === 'expired') {
    body = (
      <>
        <p class="fin-result fin-result-bad" data-testid="pay-result-text">{t('portal.result.expired', { amount: money })}</p>
        {again}
      </>
    );
  } else if (outcome === 'slow') {
    body = (
      <>
        <p class="notice" data-testid="pay-result-text">{t('portal.result.slow')}</p>
        <button type="button" class="button" onClick={() => setRound((n) => n + 1)} data-testid="pay-result-check">
          {t('portal.result.checkAgain')}
        </button>
      </>
    );
  } else {
    body = (
      <>
        <p class="alert" data-testid="pay-result-text" data-code={error?.code}>
          {error?.code === 'permission_denied' ? t('portal.result.cannotSee') : problemText(error)}
        </p>
        {error?.code !== 'permission_denied' && (
          <button type="button" class="button" onClick={() => setRound((n) => n + 1)} data-testid="pay-result-check">
            {t('portal.result.checkAgain')}
          </button>
        )}
      </>
    );
  }

  return (
    <section class="screen" aria-labelledby="result-heading" data-testid="pay-result" data-outcome={outcome}
      data-status={payment?.status ?? ''}>
      <BackHome />
      <h1 id="result-heading" ref={heading} tabIndex={-1}>{t('portal.result.heading')}</h1>
      <div class="card fin-result-card" role="status" aria-live="polite" aria-busy={outcome === 'waiting' ? 'true' : 'false'}>
        {body}
      </div>
      <p class="fin-links">
        {payment?.invoice_id && permissions.includes('view_invoices') && (
          <a href={hrefOf(invoiceRoute(payment.invoice_id))} data-testid="pay-result-invoice">{t('portal.result.seeInvoice')}</a>
        )}
        {permissions.includes('view_payments') && (
          <a href={hrefOf('payments')} data-testid="pay-result-payments">{t('portal.payments.heading')}</a>
        )}
      </p>
    </section>
  );
}
