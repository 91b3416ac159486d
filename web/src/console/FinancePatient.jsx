// A patient's Finance tab (#/patients/<id>/finance): the balance (GET patients/{id}/balance:
// what the patient owes, or their credit, and how much of it is overdue), their invoices
// (GET invoices?patient_id=, overdue first; each opens its printable page, and one with
// nothing left paid on it can be voided with a reason) and their payments (GET
// payments?patient_id=; a succeeded one can be refunded, up to what is left of it).
// "New invoice" takes lines (description, quantity, unit price, tax %) and shows the totals
// live, computed as the server will (financeRules.js); "Record payment" takes an amount, a
// method (cash, card, transfer), optionally the invoice it pays, the date and a note.
// Every role may write here (staff included); after each change the three parts reload.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import {
  balanceState, emptyLine, formatDay, formatMoney, formTotals, invoiceBody, invoiceForm, LINES_MAX, lineFromForm,
  lineTotals, listQuery, mayVoid, NOTE_MAX, paymentBody, RECORDED_METHODS, refundable,
} from '../financeRules.js';
import { errorMessage, formatTime } from './common.jsx';
import {
  FieldError, InvoiceStatus, ListState, localErrors, methodText, PaymentStatus, RefundForm, serverErrors, useList, VoidForm,
} from './FinanceParts.jsx';
import './deliveries.css';
import './finance.css';

export const todayDate = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export const invoiceHref = (id) => `#/finance/invoices/${encodeURIComponent(id)}`;

function Balance({ balance, error, onRetry }) {
  const lang = useLanguage();
  if (error) {
    return (
      <div class="alert-row" data-testid="finance-balance-error">
        <p class="alert" role="alert">{errorMessage(error)}</p>
        <button type="button" class="button button-small" onClick={onRetry}>{t('common.retry')}</button>
      </div>
    );
  }
  if (!balance) return <p class="muted" role="status">{t('common.loading')}</p>;
  const state = balanceState(balance);
  const amount = formatMoney(Math.abs(balance.balance), balance.currency, lang);
  return (
    <div class={`finance-balance finance-balance-${state}`} data-testid="finance-balance" data-balance={balance.balance}
      data-overdue={balance.overdue} data-currency={balance.currency}>
      <p class="finance-balance-label">{t(`console.finance.balance.${state}`)}</p>
      <p class="finance-balance-amount" data-testid="finance-balance-amount">{state === 'settled' ? formatMoney(0, balance.currency, lang) : amount}</p>
      {balance.overdue > 0 && (
        <p class="finance-balance-overdue" data-testid="finance-balance-overdue">
          {t('console.finance.balance.overdue', { amount: formatMoney(balance.overdue, balance.currency, lang) })}
        </p>
      )}
    </div>
  );
}

function InvoiceEditor({ patientId, currency, onSaved, onCancel, onSessionLost }) {
  const lang = useLanguage();
  const [form, setForm] = useState(() => invoiceForm(todayDate()));
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [saving, setSaving] = useState(false);
  const formRef = useRef(null);
  const totals = formTotals(form, currency, lang);

  useLayoutEffect(() => {
    const first = Object.keys(errors)[0];
    if (first) formRef.current?.querySelector(`[data-field="${first}"]`)?.focus();
  }, [errors]);
  useLayoutEffect(() => { formRef.current?.querySelector('[data-field="lines[0].description"]')?.focus(); }, []);

  const clear = (field) => setErrors((e) => {
    if (!e[field]) return e;
    const next = { ...e };
    delete next[field];
    return next;
  });
  const set = (field) => (e) => { const { value } = e.currentTarget; setForm((f) => ({ ...f, [field]: value })); clear(field); };
  const setLine = (n, field, apiField) => (e) => {
    const { value } = e.currentTarget;
    setForm((f) => ({ ...f, lines: f.lines.map((l, i) => (i === n ? { ...l, [field]: value } : l)) }));
    clear(`lines[${n}].${apiField}`);
  };

  async function save(event) {
    event.preventDefault();
    if (saving) return;
    const { body, errors: local } = invoiceBody(form, patientId, currency, lang);
    if (local) { setErrors(localErrors(local)); return; }
    setSaving(true);
    setFailure(null);
    try {
      onSaved(await api('/api/v1/clinic/invoices', { method: 'POST', body }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 422 && error.errors.length) setErrors(serverErrors(error));
      else setFailure(error);
    } finally {
      setSaving(false);
    }
  }

  const input = (n, field, apiField, props) => {
    const key = `lines[${n}].${apiField}`;
    const errId = `inv-line-${n}-${apiField}-error`;
    return (
      <>
        <input data-field={key} aria-invalid={errors[key] ? 'true' : undefined} aria-describedby={errors[key] ? errId : undefined}
          value={form.lines[n][field]} onInput={setLine(n, field, apiField)} {...props} />
        <FieldError id={errId} message={errors[key]} testid={`line-error-${apiField}`} />
      </>
    );
  };
  const money = (v) => formatMoney(v, currency, lang);

  return (
    <form ref={formRef} class="card finance-form" onSubmit={save} noValidate data-testid="invoice-form"
      aria-labelledby="invoice-form-heading">
      <h4 id="invoice-form-heading">{t('console.finance.invoice.new')}</h4>
      <div class="field-row">
        <div class="field">
          <label for="inv-issued">{t('console.finance.invoice.issuedOn')}</label>
          <input id="inv-issued" type="date" data-field="issued_on" value={form.issued_on} data-testid="invoice-issued"
            aria-invalid={errors.issued_on ? 'true' : undefined} onInput={set('issued_on')} />
          <FieldError message={errors.issued_on} testid="invoice-error-issued" />
        </div>
        <div class="field">
          <label for="inv-due">{t('console.finance.invoice.dueOn')}</label>
          <input id="inv-due" type="date" data-field="due_on" value={form.due_on} data-testid="invoice-due-on"
            aria-invalid={errors.due_on ? 'true' : undefined} aria-describedby="inv-due-hint" onInput={set('due_on')} />
          <p class="hint" id="inv-due-hint">{t('console.finance.invoice.dueHint')}</p>
          <FieldError message={errors.due_on} testid="invoice-error-due" />
        </div>
      </div>
      <table class="finance-lines">
        <caption class="visually-hidden">{t('console.finance.invoice.lines')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('console.finance.line.description')}</th>
            <th scope="col">{t('console.finance.line.quantity')}</th>
            <th scope="col">{t('console.finance.line.unitPrice', { currency })}</th>
            <th scope="col">{t('console.finance.line.tax')}</th>
            <th scope="col" class="num">{t('console.finance.line.total')}</th>
            <th scope="col"><span class="visually-hidden">{t('console.finance.line.remove')}</span></th>
          </tr>
        </thead>
        <tbody>
          {form.lines.map((line, n) => {
            const read = lineFromForm(line, currency, lang);
            return (
              <tr key={n} data-testid="invoice-line">
                <td data-label={t('console.finance.line.description')}>
                  {input(n, 'description', 'description', {
                    'aria-label': t('console.finance.line.descriptionN', { n: n + 1 }), maxLength: 200, 'data-testid': 'line-description',
                  })}
                </td>
                <td data-label={t('console.finance.line.quantity')}>
                  {input(n, 'quantity', 'quantity', {
                    'aria-label': t('console.finance.line.quantityN', { n: n + 1 }), inputMode: 'numeric', class: 'finance-qty',
                    'data-testid': 'line-quantity',
                  })}
                </td>
                <td data-label={t('console.finance.line.unitPrice', { currency })}>
                  {input(n, 'unit_price', 'unit_price', {
                    'aria-label': t('console.finance.line.unitPriceN', { n: n + 1, currency }), inputMode: 'decimal',
                    class: 'finance-money', placeholder: '0', 'data-testid': 'line-unit-price',
                  })}
                </td>
                <td data-label={t('console.finance.line.tax')}>
                  {input(n, 'tax', 'tax_rate_bp', {
                    'aria-label': t('console.finance.line.taxN', { n: n + 1 }), inputMode: 'decimal', class: 'finance-tax',
                    placeholder: '0', 'data-testid': 'line-tax',
                  })}
                </td>
                <td class="num" data-label={t('console.finance.line.total')} data-testid="line-total">
                  {read ? money(lineTotals(read).total) : '—'}
                </td>
                <td>
                  <button type="button" class="button button-ghost button-small" data-testid="line-remove"
                    aria-label={t('console.finance.line.removeN', { n: n + 1 })} disabled={form.lines.length === 1}
                    onClick={() => { setForm((f) => ({ ...f, lines: f.lines.filter((_, i) => i !== n) })); setErrors({}); }}>
                    ✕
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <FieldError message={errors.lines} testid="invoice-error-lines" />
      <div class="finance-form-foot">
        <button type="button" class="button button-outline button-small" data-testid="line-add"
          disabled={form.lines.length >= LINES_MAX}
          onClick={() => setForm((f) => ({ ...f, lines: [...f.lines, emptyLine(f.lines[f.lines.length - 1]?.tax ?? '')] }))}>
          {t('console.finance.line.add')}
        </button>
        <dl class="finance-totals" data-testid="invoice-form-totals" aria-live="polite">
          <div><dt>{t('console.finance.subtotal')}</dt><dd data-testid="invoice-form-subtotal">{totals ? money(totals.subtotal) : '—'}</dd></div>
          <div><dt>{t('console.finance.tax')}</dt><dd data-testid="invoice-form-tax">{totals ? money(totals.tax_total) : '—'}</dd></div>
          <div class="finance-total-row"><dt>{t('console.finance.total')}</dt><dd data-testid="invoice-form-total">{totals ? money(totals.total) : '—'}</dd></div>
        </dl>
      </div>
      <div class="field">
        <label for="inv-note">{t('console.finance.invoice.note')}</label>
        <textarea id="inv-note" rows={2} maxLength={NOTE_MAX} data-field="note" value={form.note} data-testid="invoice-note"
          onInput={set('note')} />
        <FieldError message={errors.note} testid="invoice-error-note" />
      </div>
      {failure && <p class="alert" role="alert" data-testid="invoice-form-error">{errorMessage(failure)}</p>}
      <div class="form-actions">
        <button type="submit" class="button" disabled={saving} data-testid="invoice-save">
          {t(saving ? 'console.finance.saving' : 'console.finance.invoice.save')}
        </button>
        <button type="button" class="button button-outline" onClick={onCancel} data-testid="invoice-cancel">
          {t('console.finance.cancel')}
        </button>
      </div>
    </form>
  );
}

function PaymentEditor({ patientId, currency, invoices, onSaved, onCancel, onSessionLost }) {
  const lang = useLanguage();
  const today = todayDate();
  const payable = invoices.filter((i) => i.status !== 'void' && i.due > 0);
  const [form, setForm] = useState({ amount: '', method: 'cash', invoice_id: '', date: today, note: '' });
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [saving, setSaving] = useState(false);
  const amountRef = useRef(null);
  useLayoutEffect(() => { amountRef.current?.focus(); }, []);
  const set = (field, apiField = field) => (e) => {
    const { value } = e.currentTarget;
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((all) => ({ ...all, [apiField]: undefined }));
  };

  async function save(event) {
    event.preventDefault();
    if (saving) return;
    const { body, errors: local } = paymentBody(form, patientId, currency, lang, today);
    if (local) { setErrors(localErrors(local)); if (local.amount) amountRef.current?.focus(); return; }
    setSaving(true);
    setFailure(null);
    try {
      onSaved(await api('/api/v1/clinic/payments', { method: 'POST', body }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 422 && error.errors.length) setErrors(serverErrors(error));
      else setFailure(error);
    } finally {
      setSaving(false);
    }
  }

  const described = (field, hint) => [hint, errors[field] ? `pay-${field}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <form class="card finance-form" onSubmit={save} noValidate data-testid="payment-form" aria-labelledby="payment-form-heading">
      <h4 id="payment-form-heading">{t('console.finance.payment.new')}</h4>
      <div class="field-row">
        <div class="field">
          <label for="pay-amount">{t('console.finance.payment.amount', { currency })}</label>
          <input id="pay-amount" ref={amountRef} value={form.amount} inputMode="decimal" data-testid="payment-amount-input"
            aria-invalid={errors.amount ? 'true' : undefined} aria-describedby={described('amount')} onInput={set('amount')} />
          <FieldError id="pay-amount-error" message={errors.amount} testid="payment-error-amount" />
        </div>
        <div class="field">
          <label for="pay-method">{t('console.finance.payment.method')}</label>
          <select id="pay-method" value={form.method} data-testid="payment-method-select" onChange={set('method')}>
            {RECORDED_METHODS.map((m) => <option key={m} value={m}>{methodText(m)}</option>)}
          </select>
          <FieldError id="pay-method-error" message={errors.method} testid="payment-error-method" />
        </div>
        <div class="field">
          <label for="pay-invoice">{t('console.finance.payment.invoice')}</label>
          <select id="pay-invoice" value={form.invoice_id} data-testid="payment-invoice" aria-describedby={described('invoice_id', 'pay-invoice-hint')}
            onChange={set('invoice_id')}>
            <option value="">{t('console.finance.payment.oldestFirst')}</option>
            {payable.map((i) => (
              <option key={i.id} value={i.id}>
                {t('console.finance.payment.invoiceOption', { number: i.number, due: formatMoney(i.due, i.currency, lang) })}
              </option>
            ))}
          </select>
          <p class="hint" id="pay-invoice-hint">{t('console.finance.payment.invoiceHint')}</p>
          <FieldError id="pay-invoice_id-error" message={errors.invoice_id} testid="payment-error-invoice" />
        </div>
        <div class="field">
          <label for="pay-date">{t('console.finance.payment.date')}</label>
          <input id="pay-date" type="date" max={today} value={form.date} data-testid="payment-date"
            aria-invalid={errors.received_at ? 'true' : undefined} aria-describedby={described('received_at')}
            onInput={set('date', 'received_at')} />
          <FieldError id="pay-received_at-error" message={errors.received_at} testid="payment-error-date" />
        </div>
      </div>
      <div class="field">
        <label for="pay-note">{t('console.finance.payment.note')}</label>
        <textarea id="pay-note" rows={2} maxLength={NOTE_MAX} value={form.note} data-testid="payment-note" onInput={set('note')} />
        <FieldError message={errors.note} testid="payment-error-note" />
      </div>
      {failure && <p class="alert" role="alert" data-testid="payment-form-error">{errorMessage(failure)}</p>}
      <div class="form-actions">
        <button type="submit" class="button" disabled={saving} data-testid="payment-save">
          {t(saving ? 'console.finance.saving' : 'console.finance.payment.save')}
        </button>
        <button type="button" class="button button-outline" onClick={onCancel} data-testid="payment-cancel">
          {t('console.finance.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The invoices table (the tab's and the clinic screen's): number, patient?, dates, money, status, actions. */
export function InvoiceTable({ invoices, showPatient, acting, onVoid, renderActing }) {
  const lang = useLanguage();
  const col = (key) => t(`console.finance.col.${key}`);
  return (
    <div class="card table-card">
      <table class="data-table finance-table" data-testid="finance-invoices-table">
        <caption class="visually-hidden">{t('console.finance.invoices')}</caption>
        <thead>
          <tr>
            <th scope="col">{col('number')}</th>
            {showPatient && <th scope="col">{col('patient')}</th>}
            <th scope="col">{col('issued')}</th>
            <th scope="col">{col('due')}</th>
            <th scope="col" class="num">{col('total')}</th>
            <th scope="col" class="num">{col('paid')}</th>
            <th scope="col" class="num">{col('left')}</th>
            <th scope="col">{col('status')}</th>
            {onVoid && <th scope="col"><span class="visually-hidden">{col('actions')}</span></th>}
          </tr>
        </thead>
        <tbody>
          {invoices.map((inv) => (
            <tr key={inv.id} data-testid="finance-invoice-row" data-id={inv.id} data-status={inv.status}
              data-overdue={inv.overdue ? 'true' : 'false'}>
              <td data-label={col('number')}>
                <a href={invoiceHref(inv.id)} data-testid="invoice-number">{inv.number}</a>
              </td>
              {showPatient && (
                <td data-label={col('patient')} class="cell-wrap">
                  <a href={`#/patients/${encodeURIComponent(inv.patient_id)}/finance`} data-testid="invoice-patient">{inv.patient_name}</a>
                </td>
              )}
              <td data-label={col('issued')}>{formatDay(inv.issued_on, lang)}</td>
              <td data-label={col('due')}>{inv.due_on ? formatDay(inv.due_on, lang) : '—'}</td>
              <td data-label={col('total')} class="num" data-testid="invoice-total" data-value={inv.total}>{formatMoney(inv.total, inv.currency, lang)}</td>
              <td data-label={col('paid')} class="num" data-testid="invoice-paid" data-value={inv.paid}>{formatMoney(inv.paid, inv.currency, lang)}</td>
              <td data-label={col('left')} class="num" data-testid="invoice-due" data-value={inv.due}>{formatMoney(inv.due, inv.currency, lang)}</td>
              <td data-label={col('status')}><InvoiceStatus invoice={inv} /></td>
              {onVoid && (
                <td>
                  {acting === inv.id ? renderActing(inv) : mayVoid(inv) && (
                    <button type="button" class="button button-small button-outline" data-testid="invoice-void"
                      onClick={() => onVoid(inv)}>
                      {t('console.finance.void.button')}
                      <span class="visually-hidden"> {t('console.finance.void.who', { number: inv.number })}</span>
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The payments table: when, patient?, amount, method, invoice, status, refunded, actions. */
export function PaymentTable({ payments, showPatient, acting, onRefund, renderActing }) {
  const lang = useLanguage();
  const col = (key) => t(`console.finance.col.${key}`);
  return (
    <div class="card table-card">
      <table class="data-table finance-table" data-testid="finance-payments-table">
        <caption class="visually-hidden">{t('console.finance.payments')}</caption>
        <thead>
          <tr>
            <th scope="col">{col('received')}</th>
            {showPatient && <th scope="col">{col('patient')}</th>}
            <th scope="col" class="num">{col('amount')}</th>
            <th scope="col">{col('method')}</th>
            <th scope="col">{col('invoice')}</th>
            <th scope="col">{col('status')}</th>
            <th scope="col" class="num">{col('refunded')}</th>
            {onRefund && <th scope="col"><span class="visually-hidden">{col('actions')}</span></th>}
          </tr>
        </thead>
        <tbody>
          {payments.map((p) => (
            <tr key={p.id} data-testid="finance-payment-row" data-id={p.id} data-status={p.status}>
              <td data-label={col('received')}>{formatTime(p.received_at, lang)}</td>
              {showPatient && (
                <td data-label={col('patient')} class="cell-wrap">
                  <a href={`#/patients/${encodeURIComponent(p.patient_id)}/finance`} data-testid="payment-patient">{p.patient_name}</a>
                </td>
              )}
              <td data-label={col('amount')} class="num" data-testid="payment-amount" data-value={p.amount}>{formatMoney(p.amount, p.currency, lang)}</td>
              <td data-label={col('method')} class="cell-wrap" data-testid="payment-method" data-method={p.method}>
                {methodText(p.method)}
                {p.provider && <span class="muted finance-sub">{p.provider}{p.provider_reference ? ` · ${p.provider_reference}` : ''}</span>}
                {p.note && <span class="muted finance-sub">{p.note}</span>}
              </td>
              <td data-label={col('invoice')}>
                {p.invoice_id ? <a href={invoiceHref(p.invoice_id)} data-testid="payment-invoice-link">{p.invoice_number ?? '—'}</a> : '—'}
              </td>
              <td data-label={col('status')}><PaymentStatus payment={p} /></td>
              <td data-label={col('refunded')} class="num" data-testid="payment-refunded" data-value={p.refunded}>
                {p.refunded ? formatMoney(p.refunded, p.currency, lang) : '—'}
              </td>
              {onRefund && (
                <td>
                  {acting === p.id ? renderActing(p) : refundable(p) > 0 && (
                    <button type="button" class="button button-small button-outline" data-testid="payment-refund"
                      onClick={() => onRefund(p)}>
                      {t('console.finance.refund.button')}
                      <span class="visually-hidden"> {t('console.finance.refund.who', { amount: formatMoney(p.amount, p.currency, lang) })}</span>
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function FinancePatient({ patientId, onSessionLost }) {
  useLanguage();
  const [balance, setBalance] = useState(null);
  const [balanceError, setBalanceError] = useState(null);
  const [editing, setEditing] = useState(null); // null | 'invoice' | 'payment'
  const [acting, setActing] = useState(null); // id of the invoice being voided / payment being refunded
  const [notice, setNotice] = useState(null);
  const query = useMemo(() => listQuery({}, { patientId }), [patientId]);
  const invoices = useList('/api/v1/clinic/invoices', query, onSessionLost);
  const payments = useList('/api/v1/clinic/payments', query, onSessionLost);

  const loadBalance = useCallback(async () => {
    setBalanceError(null);
    try {
      setBalance(await api(`/api/v1/clinic/patients/${encodeURIComponent(patientId)}/balance`));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setBalanceError(error);
    }
  }, [patientId, onSessionLost]);
  useEffect(() => { loadBalance(); }, [loadBalance]);

  const currency = balance?.currency ?? invoices.items[0]?.currency ?? null;
  function changed(message) {
    setEditing(null);
    setActing(null);
    setNotice(message);
    loadBalance();
    invoices.load();
    payments.load();
  }

  return (
    <div class="finance" data-testid="patient-finance">
      <section class="card finance-section" aria-labelledby="fin-balance-heading">
        <h3 id="fin-balance-heading">{t('console.finance.balance.heading')}</h3>
        <Balance balance={balance} error={balanceError} onRetry={loadBalance} />
        {currency && editing === null && (
          <div class="form-actions">
            <button type="button" class="button button-small" data-testid="invoice-new"
              onClick={() => { setEditing('invoice'); setNotice(null); }}>
              {t('console.finance.invoice.new')}
            </button>
            <button type="button" class="button button-small button-outline" data-testid="payment-new"
              onClick={() => { setEditing('payment'); setNotice(null); }}>
              {t('console.finance.payment.new')}
            </button>
          </div>
        )}
        {notice && <p class="notice" role="status" data-testid="finance-notice">{notice}</p>}
      </section>

      {editing === 'invoice' && (
        <InvoiceEditor patientId={patientId} currency={currency} onSessionLost={onSessionLost} onCancel={() => setEditing(null)}
          onSaved={(inv) => changed(t('console.finance.invoice.saved', { number: inv.number }))} />
      )}
      {editing === 'payment' && (
        <PaymentEditor patientId={patientId} currency={currency} invoices={invoices.items} onSessionLost={onSessionLost}
          onCancel={() => setEditing(null)} onSaved={() => changed(t('console.finance.payment.saved'))} />
      )}

      <section class="finance-section" aria-labelledby="fin-invoices-heading">
        <h3 id="fin-invoices-heading">{t('console.finance.invoices')}</h3>
        <ListState list={invoices} empty={t('console.finance.invoice.none')} testid="finance-invoices">
          <InvoiceTable invoices={invoices.items} acting={acting} onVoid={(inv) => setActing(inv.id)}
            renderActing={(inv) => (
              <VoidForm invoice={inv} onSessionLost={onSessionLost} onCancel={() => setActing(null)}
                onDone={() => changed(t('console.finance.void.done', { number: inv.number }))} />
            )} />
        </ListState>
      </section>

      <section class="finance-section" aria-labelledby="fin-payments-heading">
        <h3 id="fin-payments-heading">{t('console.finance.payments')}</h3>
        <ListState list={payments} empty={t('console.finance.payment.none')} testid="finance-payments">
          <PaymentTable payments={payments.items} acting={acting} onRefund={(p) => setActing(p.id)}
            renderActing={(p) => (
              <RefundForm payment={p} onSessionLost={onSessionLost} onCancel={() => setActing(null)}
                onDone={() => changed(t('console.finance.refund.done'))} />
            )} />
        </ListState>
      </section>
    </div>
  );
}
