// One invoice in the console (#/finance/invoices/<id>): the invoice as a document
// (InvoiceDocument.jsx) with Print, a link to the patient's Finance tab, and Void with a
// reason while nothing is left paid on it. An unknown or another clinic's id says "not found".
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { mayVoid } from '../financeRules.js';
import { InvoiceDocument, PrintButton } from '../InvoiceDocument.jsx';
import { ErrorText } from './common.jsx';
import { VoidForm } from './FinanceParts.jsx';
import './finance.css';

export function FinanceInvoice({ id, session, onSessionLost }) {
  useLanguage();
  const [invoice, setInvoice] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [voiding, setVoiding] = useState(false);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setInvoice(await api(`/api/v1/clinic/invoices/${encodeURIComponent(id)}`));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setLoadError(error);
    }
  }, [id, onSessionLost]);
  useEffect(() => { load(); }, [load]);

  const back = invoice
    ? <a class="back-link no-print" href={`#/patients/${encodeURIComponent(invoice.patient_id)}/finance`} data-testid="invoice-back">{t('console.finance.invoice.backPatient', { name: invoice.patient_name })}</a>
    : <a class="back-link no-print" href="#/finance" data-testid="invoice-back">{t('console.finance.invoice.backList')}</a>;

  if (loadError) {
    return (
      <section class="finance-invoice" data-testid="finance-invoice">
        {back}
        {loadError.status === 404
          ? <p class="banner banner-info" role="alert" data-testid="invoice-not-found">{t('console.finance.invoice.notFound')}</p>
          : (
            <div class="card card-narrow">
              <ErrorText error={loadError} testid="invoice-load-error" />
              <button type="button" class="button" onClick={load}>{t('common.retry')}</button>
            </div>
          )}
      </section>
    );
  }
  if (!invoice) return <p class="muted" role="status">{t('common.loading')}</p>;

  return (
    <section class="finance-invoice" data-testid="finance-invoice" aria-label={t('console.finance.invoice.page', { number: invoice.number })}>
      {back}
      <div class="finance-invoice-tools no-print">
        <PrintButton />
        {mayVoid(invoice) && !voiding && (
          <button type="button" class="button button-small button-outline" data-testid="invoice-void" onClick={() => setVoiding(true)}>
            {t('console.finance.void.button')}
          </button>
        )}
      </div>
      {voiding && (
        <div class="card no-print">
          <VoidForm invoice={invoice} onSessionLost={onSessionLost} onCancel={() => setVoiding(false)}
            onDone={(answer) => { setVoiding(false); if (answer?.id) setInvoice((old) => ({ ...old, ...answer })); else load(); }} />
        </div>
      )}
      <InvoiceDocument invoice={invoice} clinicName={session.clinic?.name} />
    </section>
  );
}
