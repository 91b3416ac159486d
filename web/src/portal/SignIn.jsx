// Patient sign-in, three steps: the phone or email (POST login/start), the 6-digit code
// (POST login/verify) and, when the contact belongs to several patients, who is signing in
// (POST login/select). Each step moves the focus to its first field; problems are announced
// (role=alert) and tied to their field with aria-describedby.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { codeDigits, isCompleteCode, waitTime } from './homeRules.js';

/** "Try again in …" from the Retry-After seconds of a 429. */
function rateLimitedText(error) {
  const wait = waitTime(error.retryAfter);
  if (!wait) return t('portal.signin.rateLimited');
  return t(wait.unit === 'seconds' ? 'portal.signin.rateLimitedSeconds' : 'portal.signin.rateLimitedMinutes',
    { count: wait.count });
}

function generalText(error) {
  if (error.status === 0) return t('error.network');
  if (error.status === 429) return rateLimitedText(error);
  return t('error.generic');
}

/** Focuses the element on mount (each step's first field). */
function useAutoFocus() {
  const ref = useRef(null);
  useLayoutEffect(() => { ref.current?.focus(); }, []);
  return ref;
}

function Notice({ notice }) {
  if (!notice) return null;
  return notice.tone === 'alert'
    ? <p class="alert" role="alert" data-testid="signin-notice" data-kind={notice.kind}>{notice.text}</p>
    : <p class="notice" role="status" data-testid="signin-notice" data-kind={notice.kind}>{notice.text}</p>;
}

function ContactStep({ base, initial, notice, onStarted, onPortalGone }) {
  const [value, setValue] = useState(initial);
  const [fieldError, setFieldError] = useState(null);
  const [error, setError] = useState(null); // a problem not about the field
  const [busy, setBusy] = useState(false);
  const input = useAutoFocus();

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    const contact = value.trim();
    setError(null);
    if (!contact) {
      setFieldError(t('portal.signin.contactRequired'));
      input.current?.focus();
      return;
    }
    setBusy(true);
    setFieldError(null);
    try {
      const answer = await api(`${base}login/start`, { method: 'POST', body: { contact } });
      onStarted(contact, answer);
    } catch (e) {
      if (e.status === 404) {
        onPortalGone();
        return;
      }
      if (e.status === 422) {
        setFieldError(t(e.code === 'not_mobile' ? 'portal.signin.notMobile' : 'portal.signin.contactInvalid'));
        input.current?.focus();
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  }

  const describedBy = ['signin-contact-help', fieldError && 'signin-contact-error'].filter(Boolean).join(' ');
  return (
    <form class="card signin-step" onSubmit={submit} noValidate data-testid="signin-contact-step"
      aria-labelledby="signin-heading">
      <h1 id="signin-heading">{t('portal.signin.heading')}</h1>
      <Notice notice={notice} />
      <div class="field">
        <label for="signin-contact">{t('portal.signin.contactLabel')}</label>
        <input id="signin-contact" ref={input} name="contact" type="text" inputMode="email" autocomplete="username"
          autocapitalize="none" spellcheck={false} value={value} aria-describedby={describedBy}
          aria-invalid={fieldError ? 'true' : undefined} data-testid="signin-contact"
          onInput={(e) => { setValue(e.currentTarget.value); setFieldError(null); }} />
        <p class="hint muted" id="signin-contact-help">{t('portal.signin.contactHelp')}</p>
        {fieldError && (
          <p class="field-error" id="signin-contact-error" role="alert" data-testid="signin-contact-error">{fieldError}</p>
        )}
      </div>
      {error && <p class="alert" role="alert" data-testid="signin-error" data-code={error.code}>{generalText(error)}</p>}
      <button type="submit" class="button button-block" disabled={busy} data-testid="signin-start">
        {t(busy ? 'portal.signin.sending' : 'portal.signin.sendCode')}
      </button>
    </form>
  );
}

function CodeStep({ base, contact, challenge, clinicName, onVerified, onChoose, onRestart, onResent }) {
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState(null);
  const [error, setError] = useState(null);
  const [info, setInfo] = useState(null);
  const [busy, setBusy] = useState(false);
  const input = useAutoFocus();

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    const digits = codeDigits(value);
    setError(null);
    setInfo(null);
    if (!isCompleteCode(digits)) {
      setFieldError(t('portal.code.incomplete'));
      input.current?.focus();
      return;
    }
    setBusy(true);
    setFieldError(null);
    try {
      const answer = await api(`${base}login/verify`, {
        method: 'POST', body: { challenge_id: challenge.challenge_id, code: digits },
      });
      if (Array.isArray(answer.choose)) onChoose(answer);
      else onVerified(answer);
    } catch (e) {
      if (e.code === 'challenge_expired' || e.status === 410) {
        onRestart('expired');
        return;
      }
      if (e.code === 'invalid_code') {
        const left = e.problem?.attempts_left;
        if (left === 0) {
          onRestart('tooManyTries');
          return;
        }
        setValue('');
        setFieldError(Number.isInteger(left)
          ? t(left === 1 ? 'portal.code.wrongOne' : 'portal.code.wrongMany', { count: left })
          : t('portal.code.wrong'));
        input.current?.focus();
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  }

  async function resend() {
    if (busy) return;
    setBusy(true);
    setError(null);
    setInfo(null);
    setFieldError(null);
    try {
      const answer = await api(`${base}login/start`, { method: 'POST', body: { contact } });
      setValue('');
      onResent(answer);
      setInfo(t('portal.code.resent'));
      input.current?.focus();
    } catch (e) {
      if (e.status === 404 || e.status === 422) onRestart(e.status === 404 ? 'gone' : 'invalid');
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  const sentKey = challenge.channel === 'email' ? 'portal.code.sentEmail' : 'portal.code.sentSms';
  const describedBy = ['signin-code-help', fieldError && 'signin-code-error'].filter(Boolean).join(' ');
  return (
    <form class="card signin-step" onSubmit={submit} noValidate data-testid="signin-code-step"
      aria-labelledby="code-heading">
      <h1 id="code-heading">{t('portal.code.heading')}</h1>
      <p data-testid="signin-code-sent">{t(sentKey, { contact, clinic: clinicName })}</p>
      {info && <p class="notice" role="status" data-testid="signin-code-info">{info}</p>}
      <div class="field">
        <label for="signin-code">{t('portal.code.label')}</label>
        <input id="signin-code" ref={input} name="code" type="text" inputMode="numeric" autocomplete="one-time-code"
          pattern="[0-9]*" maxLength={7} value={value} class="code-input" aria-describedby={describedBy}
          aria-invalid={fieldError ? 'true' : undefined} data-testid="signin-code"
          onInput={(e) => { setValue(e.currentTarget.value); setFieldError(null); }} />
        <p class="hint muted" id="signin-code-help">{t('portal.code.help')}</p>
        {fieldError && (
          <p class="field-error" id="signin-code-error" role="alert" data-testid="signin-code-error">{fieldError}</p>
        )}
      </div>
      {error && <p class="alert" role="alert" data-testid="signin-error" data-code={error.code}>{generalText(error)}</p>}
      <button type="submit" class="button button-block" disabled={busy} data-testid="signin-verify">
        {t(busy ? 'portal.code.checking' : 'portal.code.submit')}
      </button>
      <div class="signin-links">
        <button type="button" class="link-button" onClick={resend} disabled={busy} data-testid="signin-resend">
          {t('portal.code.resend')}
        </button>
        <button type="button" class="link-button" onClick={() => onRestart(null)} disabled={busy}
          data-testid="signin-change-contact">
          {t('portal.code.changeContact')}
        </button>
      </div>
    </form>
  );
}

function ChooseStep({ base, choice, onVerified, onRestart }) {
  const [busy, setBusy] = useState(null); // the patient_id being selected
  const [error, setError] = useState(null);
  const first = useAutoFocus();

  async function select(patientId) {
    if (busy) return;
    setBusy(patientId);
    setError(null);
    try {
      onVerified(await api(`${base}login/select`, {
        method: 'POST', body: { selection_token: choice.selection_token, patient_id: patientId },
      }));
    } catch (e) {
      if (e.code === 'challenge_expired' || e.status === 410) {
        onRestart('expired');
        return;
      }
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section class="card signin-step" aria-labelledby="choose-heading" aria-describedby="choose-intro"
      data-testid="signin-choose-step">
      <h1 id="choose-heading">{t('portal.choose.heading')}</h1>
      <p id="choose-intro">{t('portal.choose.intro')}</p>
      <ul class="choose-list">
        {choice.choose.map((c, i) => (
          <li key={c.patient_id}>
            <button type="button" class="button button-outline button-block" ref={i === 0 ? first : undefined}
              disabled={busy !== null} data-testid="signin-choice" data-id={c.patient_id} onClick={() => select(c.patient_id)}>
              {c.display_name}
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p class="alert" role="alert" data-testid="signin-error" data-code={error.code}>
          {error.status === 422 ? t('portal.choose.invalid') : generalText(error)}
        </p>
      )}
      <div class="signin-links">
        <button type="button" class="link-button" onClick={() => onRestart(null)} disabled={busy !== null}
          data-testid="signin-change-contact">
          {t('portal.code.changeContact')}
        </button>
      </div>
    </section>
  );
}

const RESTART_NOTICES = {
  expired: { tone: 'alert', key: 'portal.signin.expired' },
  tooManyTries: { tone: 'alert', key: 'portal.signin.tooManyTries' },
  invalid: { tone: 'alert', key: 'portal.signin.contactInvalid' },
  signedOut: { tone: 'info', key: 'portal.signin.signedOut' },
  sessionEnded: { tone: 'info', key: 'portal.signin.sessionEnded' },
};

/**
 * The sign-in flow. `base` is /api/v1/portal/{code}/; onSignedIn(answer) gets the verify or
 * select answer ({patient, permissions, csrf_token}); onPortalGone() when the portal answers
 * 404 (turned off or its code changed meanwhile). `initialNotice` names a notice for the
 * first step (e.g. 'signedOut').
 */
export function SignIn({ base, clinicName, initialNotice = null, onSignedIn, onPortalGone }) {
  useLanguage();
  const [step, setStep] = useState('contact'); // contact | code | choose
  const [contact, setContact] = useState('');
  const [challenge, setChallenge] = useState(null); // login/start answer
  const [choice, setChoice] = useState(null); // verify answer with choose
  const [noticeKind, setNoticeKind] = useState(initialNotice);

  useEffect(() => { setNoticeKind(initialNotice); }, [initialNotice]);

  function restart(kind) {
    if (kind === 'gone') {
      onPortalGone();
      return;
    }
    setNoticeKind(kind);
    setChallenge(null);
    setChoice(null);
    setStep('contact');
  }

  const spec = noticeKind ? RESTART_NOTICES[noticeKind] : null;
  const notice = spec ? { tone: spec.tone, kind: noticeKind, text: t(spec.key) } : null;

  if (step === 'code') {
    return (
      <CodeStep base={base} contact={contact} challenge={challenge} clinicName={clinicName}
        onVerified={onSignedIn} onRestart={restart} onResent={setChallenge}
        onChoose={(answer) => { setChoice(answer); setStep('choose'); }} />
    );
  }
  if (step === 'choose') {
    return <ChooseStep base={base} choice={choice} onVerified={onSignedIn} onRestart={restart} />;
  }
  return (
    <ContactStep base={base} initial={contact} notice={notice} onPortalGone={onPortalGone}
      onStarted={(value, answer) => {
        setContact(value);
        setChallenge(answer);
        setNoticeKind(null);
        setStep('code');
      }} />
  );
}
