// Clinic console shell, served at /console/: header, navigation (locked until sign-in) and
// the staff sign-in form, which posts to /api/v1/clinic/auth/login and shows the problem
// `detail` when it fails. The screens behind the nav come later.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken } from '../api.js';
import { initLanguage, t } from '../i18n/index.js';
import { LanguageSwitcher, useLanguage } from '../i18n/LanguageSwitcher.jsx';
import '../styles/base.css';
import './console.css';

const NAV_SECTIONS = ['settings', 'patients', 'templates', 'inbox', 'deliveries'];

function Nav({ signedIn }) {
  return (
    <nav class="console-nav" aria-label={t('console.nav.label')}>
      <ul>
        {NAV_SECTIONS.map((section) => (
          <li
            key={section}
            aria-disabled={signedIn ? 'false' : 'true'}
            title={signedIn ? undefined : t('console.nav.locked')}
          >
            {t(`console.nav.${section}`)}
          </li>
        ))}
      </ul>
    </nav>
  );
}

function SignInForm({ onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null); // ApiError of the last attempt

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const session = await api('/api/v1/clinic/auth/login', { method: 'POST', body: { email, password } });
      setCsrfToken(session.csrf_token);
      setPassword('');
      onSignedIn(session.staff);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  // The server's detail is the most useful; fall back to our own words.
  const failureText = failure &&
    (failure.detail || t(failure.status === 0 ? 'error.network' : 'console.signin.failed'));

  return (
    <form class="card" onSubmit={submit} data-testid="console-signin">
      <h2>{t('console.signin.heading')}</h2>
      {failureText && <p class="alert" role="alert" data-testid="console-signin-error">{failureText}</p>}
      <div class="field">
        <label for="signin-email">{t('console.signin.email')}</label>
        <input id="signin-email" name="email" type="email" autocomplete="username" required
          value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="signin-password">{t('console.signin.password')}</label>
        <input id="signin-password" name="password" type="password" autocomplete="current-password" required
          value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </div>
      <button type="submit" class="button" disabled={busy}>
        {t(busy ? 'console.signin.submitting' : 'console.signin.submit')}
      </button>
    </form>
  );
}

function App() {
  const lang = useLanguage();
  const [staff, setStaff] = useState(null);

  useEffect(() => {
    document.title = t('console.documentTitle');
  }, [lang]);

  return (
    <div class="console" data-testid="console-shell">
      <header class="console-header">
        <h1 class="console-title" data-testid="console-title">
          {t('product.name')}
          <small>{t('console.name')}</small>
        </h1>
        <LanguageSwitcher />
      </header>
      <Nav signedIn={staff !== null} />
      <main class="console-main">
        {staff
          ? <p class="notice" role="status" data-testid="console-signed-in">{t('console.signedIn', { name: staff.name })}</p>
          : <SignInForm onSignedIn={setStaff} />}
      </main>
    </div>
  );
}

initLanguage();
render(<App />, document.getElementById('app'));
