// One invoice as a document, the same in the console and the patient app: the clinic, the
// number, the dates, who it is for, its lines (description, quantity, unit price, tax rate,
// line total), the totals, what is paid and what is left, its status, note and void reason.
// The print stylesheet (styles/invoice.css) prints this element alone, so "Print" gives a
// clean page whichever shell it sits in.
import { t } from './i18n/index.js';
import { useLanguage } from './i18n/LanguageSwitcher.jsx';
import { formatDay, formatMoney, INVOICE_STATUS_KEYS, taxPercentText } from './financeRules.js';
import './styles/invoice.css';

export function InvoiceDocument({ invoice, clinicName, patientName }) {
  const lang = useLanguage();
  const money = (v) => formatMoney(v, invoice.currency, lang);
  const who = patientName ?? invoice.patient_name ?? null;
  return (
    <article class="invoice-doc" data-testid="invoice-doc" data-id={invoice.id} data-status={invoice.status}
      aria-labelledby="invoice-doc-title">
      <header class="invoice-doc-head">
        <div>
          {clinicName && <p class="invoice-doc-clinic" data-testid="invoice-doc-clinic">{clinicName}</p>}
          <h2 id="invoice-doc-title" class="invoice-doc-title">
            {t('finance.doc.title')} <span data-testid="invoice-doc-number">{invoice.number}</span>
          </h2>
        </div>
        <p class="invoice-doc-status">
          <span class={`badge invoice-badge-${invoice.status}`} data-testid="invoice-doc-status">
            {t(INVOICE_STATUS_KEYS[invoice.status] ?? 'finance.unknown')}
          </span>
          {invoice.overdue && <span class="badge invoice-badge-overdue" data-testid="invoice-doc-overdue">{t('finance.overdue')}</span>}
        </p>
      </header>
      <dl class="invoice-doc-facts">
        {who && <div><dt>{t('finance.doc.billedTo')}</dt><dd data-testid="invoice-doc-patient">{who}</dd></div>}
        <div><dt>{t('finance.doc.issuedOn')}</dt><dd data-testid="invoice-doc-issued">{formatDay(invoice.issued_on, lang)}</dd></div>
        <div><dt>{t('finance.doc.dueOn')}</dt><dd data-testid="invoice-doc-due-on">{invoice.due_on ? formatDay(invoice.due_on, lang) : t('finance.doc.noDueDate')}</dd></div>
      </dl>
      {/* Focusable, so that a keyboard can scroll the lines sideways on a narrow screen. */}
      <div class="invoice-doc-scroll" tabIndex={0} role="region" aria-label={t('finance.doc.lines')}>
        <table class="invoice-doc-lines" data-testid="invoice-doc-lines">
          <caption class="visually-hidden">{t('finance.doc.lines')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('finance.doc.description')}</th>
              <th scope="col" class="num">{t('finance.doc.quantity')}</th>
              <th scope="col" class="num">{t('finance.doc.unitPrice')}</th>
              <th scope="col" class="num">{t('finance.doc.taxRate')}</th>
              <th scope="col" class="num">{t('finance.doc.lineTotal')}</th>
            </tr>
          </thead>
          <tbody>
            {(invoice.lines ?? []).map((line, n) => (
              <tr key={n} data-testid="invoice-doc-line">
                <td class="invoice-doc-desc" data-testid="invoice-doc-line-description">{line.description}</td>
                <td class="num" data-label={t('finance.doc.quantity')}>{line.quantity}</td>
                <td class="num" data-label={t('finance.doc.unitPrice')}>{money(line.unit_price)}</td>
                <td class="num" data-label={t('finance.doc.taxRate')}>{t('finance.doc.percent', { rate: taxPercentText(line.tax_rate_bp, lang) })}</td>
                <td class="num" data-label={t('finance.doc.lineTotal')} data-testid="invoice-doc-line-total" data-value={line.total}>{money(line.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl class="invoice-doc-totals">
        <div><dt>{t('finance.doc.subtotal')}</dt><dd data-testid="invoice-doc-subtotal" data-value={invoice.subtotal}>{money(invoice.subtotal)}</dd></div>
        <div><dt>{t('finance.doc.tax')}</dt><dd data-testid="invoice-doc-tax" data-value={invoice.tax_total}>{money(invoice.tax_total)}</dd></div>
        <div class="invoice-doc-grand"><dt>{t('finance.doc.total')}</dt><dd data-testid="invoice-doc-total" data-value={invoice.total}>{money(invoice.total)}</dd></div>
        <div><dt>{t('finance.doc.paid')}</dt><dd data-testid="invoice-doc-paid" data-value={invoice.paid}>{money(invoice.paid)}</dd></div>
        <div class="invoice-doc-grand"><dt>{t('finance.doc.left')}</dt><dd data-testid="invoice-doc-left" data-value={invoice.due}>{money(invoice.due)}</dd></div>
      </dl>
      {invoice.note && <p class="invoice-doc-note" data-testid="invoice-doc-note">{invoice.note}</p>}
      {invoice.status === 'void' && (
        <p class="invoice-doc-void" data-testid="invoice-doc-void">
          {invoice.void_reason ? t('finance.doc.voidedWhy', { reason: invoice.void_reason }) : t('finance.doc.voided')}
        </p>
      )}
    </article>
  );
}

/** "Print" (the browser's print dialog; the stylesheet keeps only the invoice). */
export function PrintButton() {
  useLanguage();
  return (
    <button type="button" class="button button-outline button-small no-print" data-testid="invoice-print"
      onClick={() => window.print()}>
      {t('finance.doc.print')}
    </button>
  );
}
