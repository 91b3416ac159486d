// My clinic > Payment infrastructure (#/payment-infrastructure): the provider that takes the
// patients' online payments (devgateway, the development stack's gateway, or PayTR), whether
// online payment is on, and the provider's credentials. Credentials are write-only: GET says
// only whether they are set, the fields start empty, and leaving them empty keeps the ones
// saved. "Test checkout" (POST payment-infrastructure/test) runs a checkout against the
// provider with what is saved and says in plain words whether it worked and, if not, where it
// failed. Owners change all this; everyone else sees it read-only (as the Staff screen treats
// the owner-only two-factor rule).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { credentialsBody, PROVIDER_FIELDS, PROVIDERS } from '../financeRules.js';
import { ErrorText, formatTime } from './common.jsx';
import { FieldError, localErrors, serverErrors } from './FinanceParts.jsx';
import './finance.css';

const PATH = '/api/v1/clinic/payment-infrastructure';
export const mayConfigurePayments = (staff) => staff?.role === 'owner';

function TestCheckout({ onSessionLost }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const [failure, setFailure] = useState(null);

  async function run() {
    setBusy(true);
    setResult(null);
    setFailure(null);
    try {
      setResult(await api(`${PATH}/test`, { method: 'POST' }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="payinfra-test-heading" data-testid="payinfra-test-section">
      <h3 id="payinfra-test-heading">{t('console.payinfra.test.heading')}</h3>
      <p class="muted">{t('console.payinfra.test.intro')}</p>
      <button type="button" class="button button-outline" disabled={busy} data-testid="payinfra-test" onClick={run}>
        {t(busy ? 'console.payinfra.test.running' : 'console.payinfra.test.run')}
      </button>
      <div aria-live="polite">
        {result && (
          <div class={result.ok ? 'notice' : 'alert'} role="status" data-testid="payinfra-test-result"
            data-ok={result.ok ? 'true' : 'false'} data-step={result.step ?? ''}>
            <p class="payinfra-test-verdict">
              {result.ok ? t('console.payinfra.test.ok') : t('console.payinfra.test.failed', { step: result.step ?? '—' })}
            </p>
            {result.detail && <p data-testid="payinfra-test-detail">{result.detail}</p>}
          </div>
        )}
      </div>
      {failure && <ErrorText error={failure} testid="payinfra-test-error" />}
    </section>
  );
}

export function PaymentInfrastructure({ session, onSessionLost }) {
  const lang = useLanguage();
  const owner = mayConfigurePayments(session.staff);
  const [saved, setSaved] = useState(null); // GET's answer
  const [form, setForm] = useState(null); // {provider, active, credentials: {field: text}}
  const [loadError, setLoadError] = useState(null);
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const adopt = (answer) => {
    setSaved(answer);
    setForm({ provider: PROVIDERS.includes(answer.provider) ? answer.provider : PROVIDERS[0], active: answer.active === true, credentials: {} });
  };
  const load = useCallback(async () => {
    setLoadError(null);
    try {
      adopt(await api(PATH));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setLoadError(error);
    }
  }, [onSessionLost]);
  useEffect(() => { load(); }, [load]);

  if (loadError) {
    return (
      <section class="card" data-testid="payinfra">
        <h2>{t('console.payinfra.heading')}</h2>
        <ErrorText error={loadError} testid="payinfra-load-error" />
        <button type="button" class="button" onClick={load}>{t('common.retry')}</button>
      </section>
    );
  }
  if (!form) return <p class="muted" role="status">{t('common.loading')}</p>;

  const providerChanged = form.provider !== saved.provider;
  const credentialsSet = saved.credentials_set === true && !providerChanged;

  async function save(event) {
    event.preventDefault();
    if (busy) return;
    const { credentials, errors: local } = credentialsBody(form.provider, form.credentials);
    if (local) { setErrors(localErrors(local)); return; }
    if (providerChanged && !credentials) {
      setErrors(Object.fromEntries(PROVIDER_FIELDS[form.provider].map((f) => [`credentials.${f}`, t('console.finance.error.required')])));
      return;
    }
    setBusy(true);
    setFailure(null);
    setDone(false);
    try {
      const body = { provider: form.provider, active: form.active, ...(credentials ? { credentials } : {}) };
      const answer = await api(PATH, { method: 'PUT', body });
      adopt(answer && typeof answer === 'object' && 'provider' in answer ? answer : await api(PATH));
      setErrors({});
      setDone(true);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 422 && error.errors.length) setErrors(serverErrors(error));
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const setCredential = (field) => (e) => {
    const { value } = e.currentTarget;
    setForm((f) => ({ ...f, credentials: { ...f.credentials, [field]: value } }));
    setErrors((all) => ({ ...all, [`credentials.${field}`]: undefined }));
    setDone(false);
  };

  const stateText = (
    <p data-testid="payinfra-credentials-state" data-set={credentialsSet ? 'true' : 'false'}>
      {t(credentialsSet ? 'console.payinfra.credentials.set' : 'console.payinfra.credentials.notSet')}
    </p>
  );

  return (
    <div class="payinfra" data-testid="payinfra">
      {owner ? (
        <form class="card" onSubmit={save} noValidate aria-labelledby="payinfra-heading" data-testid="payinfra-form">
          <h2 id="payinfra-heading">{t('console.payinfra.heading')}</h2>
          <p class="muted">{t('console.payinfra.intro')}</p>
          <div class="field">
            <label for="payinfra-provider">{t('console.payinfra.provider')}</label>
            <select id="payinfra-provider" value={form.provider} data-testid="payinfra-provider"
              onChange={(e) => { const provider = e.currentTarget.value; setForm((f) => ({ ...f, provider, credentials: {} })); setErrors({}); setDone(false); }}>
              {PROVIDERS.map((p) => <option key={p} value={p}>{t(`console.payinfra.providerName.${p}`)}</option>)}
            </select>
          </div>
          <label class="check">
            <input type="checkbox" checked={form.active} data-testid="payinfra-active"
              onChange={(e) => { const active = e.currentTarget.checked; setForm((f) => ({ ...f, active })); setDone(false); }} />
            <span>
              <span class="check-label">{t('console.payinfra.active')}</span>
              <span class="check-help">{t('console.payinfra.activeHelp')}</span>
            </span>
          </label>
          <fieldset class="field payinfra-credentials" aria-describedby="payinfra-cred-help">
            <legend>{t('console.payinfra.credentials.heading')}</legend>
            {stateText}
            <p class="hint" id="payinfra-cred-help">
              {t(credentialsSet ? 'console.payinfra.credentials.keepHelp' : 'console.payinfra.credentials.enterHelp')}
            </p>
            {PROVIDER_FIELDS[form.provider].map((field) => {
              const key = `credentials.${field}`;
              const id = `payinfra-cred-${field}`;
              return (
                <div class="field" key={`${form.provider}-${field}`}>
                  <label for={id}>{t(`console.payinfra.field.${field}`)}</label>
                  <input id={id} type={field === 'merchant_id' ? 'text' : 'password'} autocomplete="off" spellcheck={false}
                    value={form.credentials[field] ?? ''} data-testid={id} aria-invalid={errors[key] ? 'true' : undefined}
                    aria-describedby={errors[key] ? `${id}-error` : undefined} onInput={setCredential(field)} />
                  <FieldError id={`${id}-error`} message={errors[key]} testid={`${id}-error`} />
                </div>
              );
            })}
          </fieldset>
          {failure && <ErrorText error={failure} testid="payinfra-save-error" />}
          {done && <p class="notice" role="status" data-testid="payinfra-saved">{t('console.payinfra.saved')}</p>}
          <button type="submit" class="button" disabled={busy} data-testid="payinfra-save">
            {t(busy ? 'console.finance.saving' : 'console.payinfra.save')}
          </button>
          {saved.updated_at && <p class="hint">{t('console.payinfra.updatedAt', { when: formatTime(saved.updated_at, lang) })}</p>}
        </form>
      ) : (
        <section class="card" aria-labelledby="payinfra-heading" data-testid="payinfra-readonly">
          <h2 id="payinfra-heading">{t('console.payinfra.heading')}</h2>
          <p class="muted">{t('console.payinfra.readOnly')}</p>
          <dl class="facts">
            <div>
              <dt>{t('console.payinfra.provider')}</dt>
              <dd data-testid="payinfra-provider-text">
                {saved.provider ? t(`console.payinfra.providerName.${saved.provider}`) : t('console.payinfra.none')}
              </dd>
            </div>
            <div>
              <dt>{t('console.payinfra.state')}</dt>
              <dd data-testid="payinfra-active-text" data-active={saved.active ? 'true' : 'false'}>
                {t(saved.active ? 'console.payinfra.on' : 'console.payinfra.off')}
              </dd>
            </div>
            <div>
              <dt>{t('console.payinfra.credentials.heading')}</dt>
              <dd>{stateText}</dd>
            </div>
          </dl>
        </section>
      )}
      {owner && <TestCheckout onSessionLost={onSessionLost} />}
    </div>
  );
}
