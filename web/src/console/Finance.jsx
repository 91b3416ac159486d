// The clinic's Finance screen (#/finance): every invoice and every payment of the clinic.
// Invoices filter by status and "overdue only" (the server lists overdue ones first, then
// the newest); payments by status and method. Each names its patient, linking to their
// Finance tab, and each invoice opens its page (#/finance/invoices/<id>, FinanceInvoice.jsx).
import { useMemo, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { INVOICE_STATUS_KEYS, INVOICE_STATUSES, listQuery, PAYMENT_METHODS, PAYMENT_STATUS_KEYS, PAYMENT_STATUSES } from '../financeRules.js';
import { FinanceInvoice } from './FinanceInvoice.jsx';
import { ListState, methodText, useList } from './FinanceParts.jsx';
import { InvoiceTable, PaymentTable } from './FinancePatient.jsx';
import './deliveries.css';
import './finance.css';

function Select({ id, label, value, onChange, options, testid }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} data-testid={testid} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('console.finance.filter.any')}</option>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </div>
  );
}

function ClinicFinance({ onSessionLost }) {
  useLanguage();
  const [invoiceFilter, setInvoiceFilter] = useState({ status: '', overdue: false });
  const [paymentFilter, setPaymentFilter] = useState({ status: '', method: '' });
  const invoiceQuery = useMemo(() => listQuery(invoiceFilter), [invoiceFilter]);
  const paymentQuery = useMemo(() => listQuery(paymentFilter), [paymentFilter]);
  const invoices = useList('/api/v1/clinic/invoices', invoiceQuery, onSessionLost);
  const payments = useList('/api/v1/clinic/payments', paymentQuery, onSessionLost);

  return (
    <div class="finance finance-clinic" data-testid="clinic-finance">
      <header class="screen-header">
        <h2>{t('console.finance.heading')}</h2>
      </header>
      <section class="finance-section" aria-labelledby="cf-invoices-heading">
        <h3 id="cf-invoices-heading">{t('console.finance.invoices')}</h3>
        <div class="finance-filters" role="group" aria-label={t('console.finance.filter.invoices')}>
          <Select id="cf-inv-status" label={t('console.finance.filter.status')} value={invoiceFilter.status}
            testid="filter-invoice-status" onChange={(status) => setInvoiceFilter((f) => ({ ...f, status }))}
            options={INVOICE_STATUSES.map((s) => [s, t(INVOICE_STATUS_KEYS[s])])} />
          <label class="check finance-check">
            <input type="checkbox" checked={invoiceFilter.overdue} data-testid="filter-overdue"
              onChange={(e) => { const overdue = e.currentTarget.checked; setInvoiceFilter((f) => ({ ...f, overdue })); }} />
            <span class="check-label">{t('console.finance.filter.overdue')}</span>
          </label>
        </div>
        <ListState list={invoices} empty={t('console.finance.invoice.noneClinic')} testid="finance-invoices">
          <InvoiceTable invoices={invoices.items} showPatient />
        </ListState>
      </section>
      <section class="finance-section" aria-labelledby="cf-payments-heading">
        <h3 id="cf-payments-heading">{t('console.finance.payments')}</h3>
        <div class="finance-filters" role="group" aria-label={t('console.finance.filter.payments')}>
          <Select id="cf-pay-status" label={t('console.finance.filter.status')} value={paymentFilter.status}
            testid="filter-payment-status" onChange={(status) => setPaymentFilter((f) => ({ ...f, status }))}
            options={PAYMENT_STATUSES.map((s) => [s, t(PAYMENT_STATUS_KEYS[s])])} />
          <Select id="cf-pay-method" label={t('console.finance.filter.method')} value={paymentFilter.method}
            testid="filter-payment-method" onChange={(method) => setPaymentFilter((f) => ({ ...f, method }))}
            options={PAYMENT_METHODS.map((m) => [m, methodText(m)])} />
        </div>
        <ListState list={payments} empty={t('console.finance.payment.noneClinic')} testid="finance-payments">
          <PaymentTable payments={payments.items} showPatient />
        </ListState>
      </section>
    </div>
  );
}

/** #/finance and #/finance/invoices/<id>. */
export function Finance({ session, path, onSessionLost }) {
  if (path[0] === 'invoices' && path[1]) {
    return <FinanceInvoice key={path[1]} id={decodeURIComponent(path[1])} session={session} onSessionLost={onSessionLost} />;
  }
  return <ClinicFinance onSessionLost={onSessionLost} />;
}
