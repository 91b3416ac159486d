// Staff sign-in: POST /api/v1/clinic/auth/login {email, password} answers {staff, clinic,
// csrf_token} and sets the HttpOnly session cookie; someone who works at several clinics
// gets {clinics, selection_token} instead and picks the clinic (POST auth/select). Someone
// with two-factor sign-in on gets {totp_required, login_token}: the code step asks for the
// authenticator app's code (or a recovery code) and POST auth/login/totp answers like the
// password would have; a spent or expired login token (400 invalid_token) goes back to the
// password. On failure the problem `detail` (wrong password, too many attempts) is shown.
// "Forgot password?" leads to #/forgot-password (PasswordReset.jsx).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { CodeInput } from './TwoFactor.jsx';
import { codeFailure, isCompleteCode, normaliseRecoveryCode } from './securityRules.js';

// The server's detail is the most useful; fall back to our own words.
const failureText = (failure) => failure &&
  (failure.status === 0 ? t('error.network') : failure.detail || t('console.signin.failed'));

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
      {failure && <p class="alert" role="alert">{failureText(failure)}</p>}
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

// The second step for someone with two-factor sign-in on: the app's six-digit code, or
// one of their recovery codes. onAnswer(login) gets POST auth/login/totp's answer.
function CodeStep({ loginToken, onAnswer, onRestart }) {
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const [codeError, setCodeError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const input = useRef(null);
  // The code input at first; after a switch, the input that replaced it.
  useEffect(() => { input.current?.focus(); }, [recovery]);

  async function submit(event) {
    event.preventDefault();
    const typed = recovery ? normaliseRecoveryCode(recoveryCode) : code;
    if (recovery ? !typed : !isCompleteCode(typed)) {
      setCodeError(t(recovery ? 'console.signin.recoveryMissing' : 'console.totp.codeIncomplete'));
      input.current?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    setCodeError(null);
    try {
      const body = recovery ? { login_token: loginToken, recovery_code: typed } : { login_token: loginToken, code: typed };
      await onAnswer(await api('/api/v1/clinic/auth/login/totp', { method: 'POST', body }));
    } catch (error) {
      const next = codeFailure(error);
      if (next === 'restart') { onRestart('codeExpired'); return; }
      setFailure(error);
      if (next === 'retry') { // a wrong code: type another; while rate limited, the code typed waits
        setCode('');
        setRecoveryCode('');
      }
      setBusy(false);
      input.current?.focus();
    }
  }

  const switchTo = (useRecovery) => {
    setRecovery(useRecovery);
    setCodeError(null);
    setFailure(null);
  };

  return (
    <form class="card card-narrow" onSubmit={submit} noValidate data-testid="console-signin-code"
      aria-labelledby="signin-code-heading">
      <h2 id="signin-code-heading">{t('console.signin.codeHeading')}</h2>
      <p class="muted">{t(recovery ? 'console.signin.recoveryIntro' : 'console.signin.codeIntro')}</p>
      {failure && <p class="alert" role="alert" data-testid="console-signin-code-error">{failureText(failure)}</p>}
      {recovery ? (
        <div class="field">
          <label for="signin-recovery">{t('console.signin.recoveryLabel')}</label>
          <input id="signin-recovery" ref={input} type="text" autocomplete="off" autocapitalize="off"
            spellcheck={false} value={recoveryCode} data-testid="signin-recovery"
            aria-invalid={codeError ? 'true' : undefined} aria-describedby={codeError ? 'signin-recovery-error' : undefined}
            onInput={(e) => { setRecoveryCode(e.currentTarget.value); setCodeError(null); }} />
          {codeError && <p class="field-error" id="signin-recovery-error">{codeError}</p>}
        </div>
      ) : (
        <CodeInput id="signin-code" value={code} inputRef={input} error={codeError}
          onInput={(value) => { setCode(value); setCodeError(null); }} />
      )}
      <button type="submit" class="button button-block" disabled={busy} data-testid="signin-code-submit">
        {t(busy ? 'console.signin.submitting' : 'console.signin.codeSubmit')}
      </button>
      <p class="signin-links">
        <button type="button" class="link-button" data-testid="signin-code-toggle" onClick={() => switchTo(!recovery)}>
          {t(recovery ? 'console.signin.useApp' : 'console.signin.useRecovery')}
        </button>
        <button type="button" class="link-button" onClick={() => onRestart(null)}>
          {t('console.signin.pickOther')}
        </button>
      </p>
    </form>
  );
}

export function SignInForm({ onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null); // ApiError of the last attempt
  const [challenge, setChallenge] = useState(null); // {totp_required, login_token}
  const [choice, setChoice] = useState(null); // {clinics, selection_token}

  // A login answer, from the password or the code: a clinic to pick, else signed in.
  async function answered(login) {
    setPassword('');
    if (login.totp_required) {
      setChallenge(login);
      setBusy(false);
      return;
    }
    if (login.clinics) {
      setChallenge(null);
      setChoice(login);
      setBusy(false);
      return;
    }
    await onSignedIn(login);
  }

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await answered(await api('/api/v1/clinic/auth/login', { method: 'POST', body: { email, password } }));
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  }

  // Back to the password, with a note when the earlier step ran out.
  const restart = (why) => {
    setChoice(null);
    setChallenge(null);
    setBusy(false);
    setFailure(why ? { status: 400, detail: t(why === 'expired' ? 'console.signin.pickExpired' : 'console.signin.codeExpired') } : null);
  };

  if (choice) return <ClinicPicker choice={choice} onPicked={onSignedIn} onRestart={restart} />;
  if (challenge) return <CodeStep loginToken={challenge.login_token} onAnswer={answered} onRestart={restart} />;

  const text = failureText(failure);
  return (
    <form class="card card-narrow" onSubmit={submit} data-testid="console-signin">
      <h2>{t('console.signin.heading')}</h2>
      {text && <p class="alert" role="alert" data-testid="console-signin-error">{text}</p>}
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
      <p class="signin-links">
        <a href="#/forgot-password" data-testid="console-forgot-link">{t('console.signin.forgot')}</a>
      </p>
    </form>
  );
}
