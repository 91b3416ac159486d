// Patient portal shell, served for /<code> and /<code>/...: reads the portal code from the
// address, loads the clinic's public card and shows either the clinic with its sign-in area
// or a "not available" page (unknown, disabled and retired codes all answer 404 alike).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { initLanguage, t } from '../i18n/index.js';
import { LanguageSwitcher, useLanguage } from '../i18n/LanguageSwitcher.jsx';
import '../styles/base.css';
import './portal.css';

// The same rule nginx uses to route /<code> here.
const CODE_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function portalCodeFromPath(pathname) {
  const first = pathname.split('/')[1] ?? '';
  return CODE_PATTERN.test(first) ? first : null;
}

/** Loads GET /api/v1/portal/{code}/; state is loading | ready (with card) | not-found | error. */
function usePortalCard(code) {
  const [state, setState] = useState({ status: code ? 'loading' : 'not-found' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!code) return undefined;
    const controller = new AbortController();
    setState({ status: 'loading' });
    api(`/api/v1/portal/${code}/`, { signal: controller.signal })
      .then((card) => setState({ status: 'ready', card }))
      .catch((error) => {
        if (controller.signal.aborted) return;
        setState(error.status === 404 ? { status: 'not-found' } : { status: 'error', error });
      });
    return () => controller.abort();
  }, [code, attempt]);

  return [state, () => setAttempt((n) => n + 1)];
}

function SignInArea() {
  return (
    <section class="card" aria-labelledby="signin-heading" data-testid="portal-signin">
      <h1 id="signin-heading">{t('portal.signin.heading')}</h1>
      <p class="muted">{t('portal.signin.placeholder')}</p>
    </section>
  );
}

function NotFound() {
  return (
    <section class="card" data-testid="portal-not-found">
      <h1>{t('portal.notFound.heading')}</h1>
      <p class="muted">{t('portal.notFound.body')}</p>
    </section>
  );
}

function LoadError({ error, onRetry }) {
  return (
    <section class="card" role="alert" data-testid="portal-error">
      <p>{t(error.status === 0 ? 'error.network' : 'error.generic')}</p>
      <button type="button" class="button" onClick={onRetry}>{t('common.retry')}</button>
    </section>
  );
}

function App({ code }) {
  const lang = useLanguage();
  const [state, retry] = usePortalCard(code);
  const clinicName = state.status === 'ready' ? state.card.name : null;

  useEffect(() => {
    document.title = clinicName ? `${clinicName} · ${t('product.name')}` : t('product.name');
  }, [lang, clinicName]);

  return (
    <div class="portal" data-testid="portal-shell">
      <header class="portal-header">
        <p class="portal-brand" data-testid="portal-brand">{clinicName ?? t('product.name')}</p>
        <LanguageSwitcher />
      </header>
      <main class="portal-main" aria-busy={state.status === 'loading' ? 'true' : 'false'}>
        {state.status === 'loading' && <p class="muted">{t('common.loading')}</p>}
        {state.status === 'ready' && <SignInArea />}
        {state.status === 'not-found' && <NotFound />}
        {state.status === 'error' && <LoadError error={state.error} onRetry={retry} />}
      </main>
      {clinicName && <footer class="portal-footer">{t('portal.footer', { clinic: clinicName })}</footer>}
    </div>
  );
}

initLanguage();
render(<App code={portalCodeFromPath(window.location.pathname)} />, document.getElementById('app'));
