// Staff sign-in: POST /api/v1/clinic/auth/login {email, password} answers {staff, clinic,
// csrf_token} and sets the HttpOnly session cookie; someone who works at several clinics
// gets {clinics, selection_token} instead and picks the clinic (POST auth/select). On
// failure the problem `detail` (wrong password, too many attempts) is shown.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';

function ClinicPicker({ choice, onPicked, onRestart }) {
  const [busy, setBusy] = useState(null); // the clinic id being opened
  const [failure, setFailure] = useState(null);
  const heading = useRef(null);
  useEffect(() => { heading.current?.focus(); }, []);

  async function pick(clinic) {
    setBusy(clinic.id);
    setFailure(null);
    try {
      const login = await api('/api/v1/clinic/auth/select', {
        method: 'POST', body: { selection_token: choice.selection_token, clinic_id: clinic.id },
      });
      await onPicked(login);
    } catch (error) {
      if (error.code === 'invalid_token') { onRestart('expired'); return; }
      setFailure(error);
      setBusy(null);
    }
  }

  return (
    <section class="card card-narrow" data-testid="console-clinic-picker" aria-labelledby="picker-heading">
      <h2 id="picker-heading" tabIndex={-1} ref={heading}>{t('console.signin.pickHeading')}</h2>
      <p class="muted">{t('console.signin.pickIntro')}</p>
      {failure && <p class="alert" role="alert">{failure.status === 0 ? t('error.network') : failure.detail || t('console.signin.failed')}</p>}
      <ul class="clinic-choices">
        {choice.clinics.map((clinic) => (
          <li key={clinic.id}>
            <button type="button" class="button button-block" disabled={busy !== null}
              data-testid="console-pick-clinic" data-id={clinic.id} onClick={() => pick(clinic)}>
              {busy === clinic.id ? t('console.signin.submitting') : clinic.name}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" class="button button-outline" onClick={() => onRestart(null)}>
        {t('console.signin.pickOther')}
      </button>
    </section>
  );
}

export function SignInForm({ onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null); // ApiError of the last attempt
  const [choice, setChoice] = useState(null); // {clinics, selection_token}

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const login = await api('/api/v1/clinic/auth/login', { method: 'POST', body: { email, password } });
      setPassword('');
      if (login.clinics) {
        setChoice(login);
        setBusy(false);
        return;
      }
      await onSignedIn(login);
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  }

  if (choice) {
    return (
      <ClinicPicker choice={choice} onPicked={onSignedIn} onRestart={(why) => {
        setChoice(null);
        setFailure(why === 'expired' ? { status: 400, detail: t('console.signin.pickExpired') } : null);
      }} />
    );
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
