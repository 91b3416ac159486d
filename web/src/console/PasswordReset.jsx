// The console's pages that open without a session (main.jsx routes them before the sign-in):
//   #/forgot-password       POST auth/password-reset {email}: always 202, so the page says
//                           the same whether or not an account uses the address.
//   #/set-password/<token>  the link of a password-reset mail (valid one hour) and of a new
//                           staff member's invitation (valid 24 hours): POST
//                           auth/password-reset/finish {token, password} answers 204; a spent
//                           or expired link 400 invalid_token; a refused password 422 naming
//                           `password` (the server's words shown at the field).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { ErrorText, errorMessage } from './common.jsx';
import { passwordProblem } from './securityRules.js';

const SIGN_IN = '#/';

// A heading that takes the focus when its page or step appears.
function FocusHeading({ id, children }) {
  const heading = useRef(null);
  useEffect(() => { heading.current?.focus(); }, []);
  return <h2 id={id} tabIndex={-1} ref={heading}>{children}</h2>;
}

export function ForgotPassword() {
  useLanguage();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [emailError, setEmailError] = useState(null);
  const [failure, setFailure] = useState(null);
  const [sentTo, setSentTo] = useState(null);

  async function submit(event) {
    event.preventDefault();
    const address = email.trim();
    if (!address) {
      setEmailError(t('console.reset.emailMissing'));
      return;
    }
    setBusy(true);
    setFailure(null);
    setEmailError(null);
    try {
      await api('/api/v1/clinic/auth/password-reset', { method: 'POST', body: { email: address } });
      setSentTo(address);
    } catch (error) {
      if (error.status === 422) setEmailError(error.errors.find((e) => e.field === 'email')?.message || errorMessage(error));
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <section class="card card-narrow" data-testid="forgot-sent" aria-labelledby="forgot-sent-heading">
        <FocusHeading id="forgot-sent-heading">{t('console.reset.sentHeading')}</FocusHeading>
        <p class="notice" role="status" data-testid="forgot-sent-text">{t('console.reset.sent', { email: sentTo })}</p>
        <p><a href={SIGN_IN} class="button button-outline button-block">{t('console.reset.backToSignIn')}</a></p>
      </section>
    );
  }

  return (
    <form class="card card-narrow" onSubmit={submit} noValidate data-testid="forgot-password"
      aria-labelledby="forgot-heading">
      <FocusHeading id="forgot-heading">{t('console.reset.forgotHeading')}</FocusHeading>
      <p class="muted">{t('console.reset.forgotIntro')}</p>
      {failure && <ErrorText error={failure} testid="forgot-failure" />}
      <div class="field">
        <label for="forgot-email">{t('console.signin.email')}</label>
        <input id="forgot-email" type="email" autocomplete="username" value={email} data-testid="forgot-email"
          aria-invalid={emailError ? 'true' : undefined} aria-describedby={emailError ? 'forgot-email-error' : undefined}
          onInput={(e) => { setEmail(e.currentTarget.value); setEmailError(null); }} />
        {emailError && <p class="field-error" id="forgot-email-error">{emailError}</p>}
      </div>
      <button type="submit" class="button button-block" disabled={busy} data-testid="forgot-submit">
        {t(busy ? 'console.reset.sending' : 'console.reset.send')}
      </button>
      <p class="signin-links"><a href={SIGN_IN}>{t('console.reset.backToSignIn')}</a></p>
    </form>
  );
}

export function SetPassword({ token }) {
  useLanguage();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState({}); // field -> message
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const [state, setState] = useState(token ? 'form' : 'invalid'); // 'form', 'done', 'invalid'
  const inputs = { password: useRef(null), repeat: useRef(null) };

  async function submit(event) {
    event.preventDefault();
    const problem = passwordProblem(password, repeat);
    if (problem) {
      setErrors({ [problem]: t(problem === 'password' ? 'console.setPassword.missing' : 'console.setPassword.differ') });
      inputs[problem].current?.focus();
      return;
    }
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      await api('/api/v1/clinic/auth/password-reset/finish', { method: 'POST', body: { token, password } });
      setPassword('');
      setRepeat('');
      setState('done');
    } catch (error) {
      if (error.code === 'invalid_token') setState('invalid');
      else if (error.status === 422) {
        const message = error.errors.find((e) => e.field === 'password')?.message;
        if (message) {
          setErrors({ password: message });
          inputs.password.current?.focus();
        } else setFailure(error);
      } else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  if (state === 'done') {
    return (
      <section class="card card-narrow" data-testid="setpw-done" aria-labelledby="setpw-done-heading">
        <FocusHeading id="setpw-done-heading">{t('console.setPassword.doneHeading')}</FocusHeading>
        <p class="notice" role="status">{t('console.setPassword.done')}</p>
        <p><a href={SIGN_IN} class="button button-block" data-testid="setpw-signin">{t('console.signin.submit')}</a></p>
      </section>
    );
  }

  if (state === 'invalid') {
    return (
      <section class="card card-narrow" data-testid="setpw-invalid" aria-labelledby="setpw-invalid-heading">
        <FocusHeading id="setpw-invalid-heading">{t('console.setPassword.invalidHeading')}</FocusHeading>
        <p class="alert" role="alert">{t('console.setPassword.invalid')}</p>
        <p><a href="#/forgot-password" class="button button-block" data-testid="setpw-ask-again">{t('console.setPassword.askAgain')}</a></p>
        <p class="signin-links"><a href={SIGN_IN}>{t('console.reset.backToSignIn')}</a></p>
      </section>
    );
  }

  const field = (name, id, label, value, set, hint) => {
    const error = errors[name];
    return (
      <div class="field">
        <label for={id}>{t(label)}</label>
        <input id={id} ref={inputs[name]} type="password" autocomplete="new-password" value={value} data-testid={id}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={[hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined}
          onInput={(e) => { set(e.currentTarget.value); setErrors((all) => ({ ...all, [name]: undefined })); }} />
        {hint && <p class="hint" id={`${id}-hint`}>{t('console.account.newHint')}</p>}
        {error && <p class="field-error" id={`${id}-error`} data-testid={`${id}-error`}>{error}</p>}
      </div>
    );
  };

  return (
    <form class="card card-narrow" onSubmit={submit} noValidate data-testid="set-password" aria-labelledby="setpw-heading">
      <FocusHeading id="setpw-heading">{t('console.setPassword.heading')}</FocusHeading>
      <p class="muted">{t('console.setPassword.intro')}</p>
      {failure && <ErrorText error={failure} testid="setpw-failure" />}
      {field('password', 'setpw-password', 'console.setPassword.password', password, setPassword, true)}
      {field('repeat', 'setpw-repeat', 'console.setPassword.repeat', repeat, setRepeat, false)}
      <button type="submit" class="button button-block" disabled={busy} data-testid="setpw-submit">
        {t(busy ? 'console.setPassword.saving' : 'console.setPassword.save')}
      </button>
    </form>
  );
}
