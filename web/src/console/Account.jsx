// My account: the signed-in person's own security. Change password (the current one, and a
// new one of at least 12 characters that is not common: the server's rule, its words shown
// at the field), two-factor sign-in (TwoFactor.jsx: status, set up, turn off), the person's
// sessions in every clinic they work at, and "sign out everywhere else".
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { ErrorText, errorMessage, formatTime } from './common.jsx';
import { TwoFactorSection } from './TwoFactor.jsx';

function PasswordForm({ onSessionLost }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState([]);
  const [failure, setFailure] = useState(null);
  const [done, setDone] = useState(false);
  const errorOf = (field) => errors.find((e) => e.field === field)?.message;

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setErrors([]);
    setFailure(null);
    setDone(false);
    try {
      await api('/api/v1/clinic/me/password', { method: 'POST', body: { current_password: current, password: next } });
      setCurrent('');
      setNext('');
      setDone(true);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.code === 'validation_failed') setErrors(error.errors ?? []);
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  // One password input; apiField is the body member the server names in its problems.
  const field = (id, label, apiField, value, set, autocomplete, hint) => {
    const error = errorOf(apiField);
    return (
      <div class="field">
        <label for={id}>{t(`console.account.${label}`)}</label>
        <input id={id} type="password" autocomplete={autocomplete} value={value} data-testid={id}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={[hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined}
          onInput={(e) => { set(e.currentTarget.value); setDone(false); }} />
        {hint && <p class="hint" id={`${id}-hint`}>{t('console.account.newHint')}</p>}
        {error && <p class="field-error" id={`${id}-error`} data-testid={`${id}-error`}>{error}</p>}
      </div>
    );
  };

  return (
    <form class="card" onSubmit={submit} noValidate data-testid="account-password" aria-labelledby="account-password-heading">
      <h2 id="account-password-heading">{t('console.account.passwordHeading')}</h2>
      {field('account-current', 'current', 'current_password', current, setCurrent, 'current-password', false)}
      {field('account-new', 'new', 'password', next, setNext, 'new-password', true)}
      {failure && <ErrorText error={failure} testid="account-password-failure" />}
      {done && <p class="notice" role="status" data-testid="account-password-done">{t('console.account.passwordDone')}</p>}
      <button type="submit" class="button" disabled={busy || !current || !next} data-testid="account-password-save">
        {t('console.account.passwordSave')}
      </button>
    </form>
  );
}

function Sessions({ onSessionLost }) {
  const lang = useLanguage();
  const [items, setItems] = useState(null);
  const [failure, setFailure] = useState(null);
  const [ended, setEnded] = useState(null);
  const [busy, setBusy] = useState(false);

  async function load() {
    try {
      setItems((await api('/api/v1/clinic/me/sessions')).items);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    }
  }
  useEffect(() => { load(); }, []);

  async function endOthers() {
    setBusy(true);
    setFailure(null);
    try {
      const { ended: count } = await api('/api/v1/clinic/me/sessions', { method: 'DELETE' });
      await load();
      setEnded(count); // said once the list shows what is left
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" data-testid="account-sessions" aria-labelledby="account-sessions-heading">
      <h2 id="account-sessions-heading">{t('console.account.sessionsHeading')}</h2>
      <p class="muted">{t('console.account.sessionsIntro')}</p>
      {failure && <p class="alert" role="alert">{errorMessage(failure)}</p>}
      {items === null && !failure && <p class="muted" role="status">{t('common.loading')}</p>}
      {items && (
        <ul class="session-list">
          {items.map((s, i) => (
            <li key={i} data-testid="account-session" data-current={s.current ? 'true' : 'false'}>
              <strong>{s.clinic.name}</strong>
              {s.current && <span class="badge badge-ok">{t('console.account.thisSession')}</span>}
              <span class="muted">{t('console.account.sessionTimes', {
                since: formatTime(s.created_at, lang), seen: formatTime(s.last_seen_at, lang),
              })}</span>
            </li>
          ))}
        </ul>
      )}
      {ended !== null && <p class="notice" role="status" data-testid="account-ended">{t('console.account.ended', { count: ended })}</p>}
      <button type="button" class="button button-outline" disabled={busy || !items || items.length < 2}
        data-testid="account-end-others" onClick={endOthers}>
        {t('console.account.endOthers')}
      </button>
    </section>
  );
}

export function Account({ onSessionLost }) {
  useLanguage();
  return (
    <div class="account" data-testid="account-screen">
      <PasswordForm onSessionLost={onSessionLost} />
      <TwoFactorSection onSessionLost={onSessionLost} />
      <Sessions onSessionLost={onSessionLost} />
    </div>
  );
}
