// Staff sign-in: POST /api/v1/clinic/auth/login {email, password} answers {staff,
// csrf_token} and sets the HttpOnly session cookie; on failure the problem `detail`
// (wrong password, too many attempts) is shown.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';

export function SignInForm({ onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null); // ApiError of the last attempt

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const login = await api('/api/v1/clinic/auth/login', { method: 'POST', body: { email, password } });
      setPassword('');
      await onSignedIn(login);
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  }

  // The server's detail is the most useful; fall back to our own words.
  const failureText = failure &&
    (failure.status === 0 ? t('error.network') : failure.detail || t('console.signin.failed'));

  return (
    <form class="card card-narrow" onSubmit={submit} data-testid="console-signin">
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
      <button type="submit" class="button button-block" disabled={busy}>
        {t(busy ? 'console.signin.submitting' : 'console.signin.submit')}
      </button>
    </form>
  );
}
