// Two-factor sign-in (TOTP, RFC 6238) of the signed-in person: the section of My account
// (status, set up, turn off) and the screen a clinic that requires it shows instead of the
// console until the person has set it up (GET me answers totp_enrolment_required).
//
// Setting up: POST me/totp answers {secret, otpauth_uri}, shown as a QR code for the
// authenticator app and as the secret in groups of four for typing; POST me/totp/confirm
// {code} with the app's first code answers the ten recovery codes, shown this once only.
// Turning off: DELETE me/totp {code}; a clinic that requires two-factor refuses (409, its
// detail shown).
import qrcode from 'qrcode-generator';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { ErrorText, errorMessage } from './common.jsx';
import { groupSecret, isCompleteCode, normaliseCode, qrPath } from './securityRules.js';

const MARGIN = 4; // the quiet zone the QR standard asks for, in modules

/** The otpauth URI as a QR code: one SVG path, labelled for assistive technology. */
export function QrCode({ text, label }) {
  const drawing = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(text);
    qr.make();
    const count = qr.getModuleCount();
    return { size: count + 2 * MARGIN, path: qrPath(count, (r, c) => qr.isDark(r, c), MARGIN) };
  }, [text]);
  return (
    <svg class="qr-code" role="img" aria-label={label} viewBox={`0 0 ${drawing.size} ${drawing.size}`}
      shape-rendering="crispEdges" data-testid="totp-qr">
      <rect width={drawing.size} height={drawing.size} fill="#fff" />
      <path d={drawing.path} fill="#000" />
    </svg>
  );
}

// A heading that takes the focus when it appears, so a screen reader hears the new step.
function StepHeading({ id, children }) {
  const heading = useRef(null);
  useEffect(() => { heading.current?.focus(); }, []);
  return <h3 id={id} tabIndex={-1} ref={heading}>{children}</h3>;
}

/** The six-digit code input of an authenticator app, with its error under it. */
export function CodeInput({ id, value, onInput, error, inputRef, label }) {
  return (
    <div class="field code-input">
      <label for={id}>{label ?? t('console.totp.codeLabel')}</label>
      <input id={id} ref={inputRef} type="text" inputMode="numeric" autocomplete="one-time-code"
        autocapitalize="off" spellcheck={false} value={value} data-testid={id}
        aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => onInput(normaliseCode(e.currentTarget.value))} />
      {error && <p class="field-error" id={`${id}-error`} data-testid={`${id}-error`}>{error}</p>}
    </div>
  );
}

function RecoveryCodes({ codes, onDone }) {
  const [copied, setCopied] = useState(null); // true, false (could not), null (not tried)

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <section class="totp-codes" data-testid="totp-recovery" aria-labelledby="totp-recovery-heading">
      <StepHeading id="totp-recovery-heading">{t('console.totp.codesHeading')}</StepHeading>
      <p class="banner banner-info">{t('console.totp.codesIntro')}</p>
      <ol class="recovery-codes" data-testid="totp-recovery-codes">
        {codes.map((code) => <li key={code}><code>{code}</code></li>)}
      </ol>
      <div class="button-row">
        {navigator.clipboard && (
          <button type="button" class="button button-outline" onClick={copy} data-testid="totp-codes-copy">
            {t('console.totp.codesCopy')}
          </button>
        )}
        <button type="button" class="button" onClick={onDone} data-testid="totp-codes-done">
          {t('console.totp.codesDone')}
        </button>
      </div>
      {copied !== null && (
        <p class={copied ? 'hint notice-inline' : 'hint'} role="status">
          {t(copied ? 'console.totp.codesCopied' : 'console.totp.codesNotCopied')}
        </p>
      )}
    </section>
  );
}

/**
 * A six-digit code form's state and its one way to send: send(request) checks that the code
 * is complete, then answers request(code)'s answer, or undefined after a refusal, shown the
 * same way everywhere: the server's words at the field (422), the session's end (401), or
 * the failure below the form.
 */
function useCodeForm(onSessionLost, initiallyBusy = false) {
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState(null);
  const [busy, setBusy] = useState(initiallyBusy);
  const [failure, setFailure] = useState(null);
  const codeInput = useRef(null);

  async function send(request) {
    if (!isCompleteCode(code)) {
      setCodeError(t('console.totp.codeIncomplete'));
      codeInput.current?.focus();
      return undefined;
    }
    setBusy(true);
    setFailure(null);
    setCodeError(null);
    try {
      return await request(code);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 422) {
        setCodeError(error.errors.find((e) => e.field === 'code')?.message || errorMessage(error));
        setCode('');
        codeInput.current?.focus();
      } else setFailure(error);
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  return { code, setCode, codeError, setCodeError, busy, setBusy, failure, setFailure, codeInput, send };
}

/**
 * Setting up two-factor sign-in, from the first button to the recovery codes: onDone() once
 * the person has seen the codes; onCancel (optional) offers going back before confirming;
 * autoStart asks for the secret at once instead of showing the start button first.
 */
export function TotpSetup({ onDone, onCancel, onSessionLost, autoStart = false }) {
  useLanguage();
  const [pending, setPending] = useState(null); // {secret, otpauth_uri}
  const [codes, setCodes] = useState(null); // the recovery codes, once confirmed
  const {
    code, setCode, codeError, setCodeError, busy, setBusy, failure, setFailure, codeInput, send,
  } = useCodeForm(onSessionLost, autoStart);

  async function start() {
    setBusy(true);
    setFailure(null);
    try {
      setPending(await api('/api/v1/clinic/me/totp', { method: 'POST' }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 409) onDone(); // already on (another tab): nothing to set up
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  async function confirm(event) {
    event.preventDefault();
    const answer = await send((typed) => api('/api/v1/clinic/me/totp/confirm', { method: 'POST', body: { code: typed } }));
    if (answer) setCodes(answer.recovery_codes ?? []);
  }

  useEffect(() => { if (autoStart) start(); }, []);

  if (codes) return <RecoveryCodes codes={codes} onDone={onDone} />;

  if (!pending) {
    if (busy) return <p class="muted" role="status">{t('common.loading')}</p>;
    return (
      <div class="totp-start">
        {failure && <ErrorText error={failure} testid="totp-failure" />}
        <div class="button-row">
          <button type="button" class="button" disabled={busy} onClick={start} data-testid="totp-start">
            {t('console.totp.start')}
          </button>
          {onCancel && (
            <button type="button" class="button button-outline" onClick={onCancel}>{t('console.totp.cancel')}</button>
          )}
        </div>
      </div>
    );
  }

  return (
    <form class="totp-setup" onSubmit={confirm} noValidate data-testid="totp-setup" aria-labelledby="totp-setup-heading">
      <StepHeading id="totp-setup-heading">{t('console.totp.setupHeading')}</StepHeading>
      <ol class="totp-steps">
        <li>
          <p>{t('console.totp.scan')}</p>
          <QrCode text={pending.otpauth_uri} label={t('console.totp.qrLabel')} />
          <p class="hint">{t('console.totp.manual')}</p>
          <p class="totp-secret">
            <code data-testid="totp-secret">{groupSecret(pending.secret)}</code>
          </p>
        </li>
        <li>
          <p>{t('console.totp.enterCode')}</p>
          <CodeInput id="totp-confirm-code" value={code} inputRef={codeInput} error={codeError}
            onInput={(value) => { setCode(value); setCodeError(null); }} />
        </li>
      </ol>
      {failure && <ErrorText error={failure} testid="totp-failure" />}
      <div class="button-row">
        <button type="submit" class="button" disabled={busy} data-testid="totp-confirm">
          {t(busy ? 'console.totp.confirming' : 'console.totp.confirm')}
        </button>
        {onCancel && (
          <button type="button" class="button button-outline" onClick={onCancel}>{t('console.totp.cancel')}</button>
        )}
      </div>
    </form>
  );
}

function TurnOff({ onDone, onCancel, onSessionLost }) {
  const { code, setCode, codeError, setCodeError, busy, failure, codeInput, send } = useCodeForm(onSessionLost);
  useEffect(() => { codeInput.current?.focus(); }, []);

  async function submit(event) {
    event.preventDefault();
    const done = await send(async (typed) => {
      await api('/api/v1/clinic/me/totp', { method: 'DELETE', body: { code: typed } });
      return true;
    });
    if (done) onDone();
  }

  return (
    <form class="totp-off" onSubmit={submit} noValidate data-testid="totp-off-form">
      <p>{t('console.totp.offIntro')}</p>
      <CodeInput id="totp-off-code" value={code} inputRef={codeInput} error={codeError}
        onInput={(value) => { setCode(value); setCodeError(null); }} />
      {failure && <ErrorText error={failure} testid="totp-off-failure" />}
      <div class="button-row">
        <button type="submit" class="button button-danger" disabled={busy} data-testid="totp-off-confirm">
          {t('console.totp.offConfirm')}
        </button>
        <button type="button" class="button button-outline" onClick={onCancel}>{t('console.totp.cancel')}</button>
      </div>
    </form>
  );
}

/** My account's two-factor section: GET me/totp's status, and setting it up or turning it off. */
export function TwoFactorSection({ onSessionLost }) {
  useLanguage();
  const [status, setStatus] = useState(null); // {enabled, recovery_codes_left}
  const [failure, setFailure] = useState(null);
  const [mode, setMode] = useState(null); // null, 'setup', 'off'
  const [note, setNote] = useState(null); // a message key after a change

  async function load() {
    try {
      setStatus(await api('/api/v1/clinic/me/totp'));
      setFailure(null);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    }
  }
  useEffect(() => { load(); }, []);

  const finished = (key) => async () => {
    setMode(null);
    await load();
    setNote(key);
  };

  let body;
  if (!status) {
    body = !failure && <p class="muted" role="status">{t('common.loading')}</p>;
  } else if (mode === 'setup') {
    body = (
      <TotpSetup autoStart onDone={finished('console.totp.onDone')} onCancel={() => setMode(null)}
        onSessionLost={onSessionLost} />
    );
  } else if (mode === 'off') {
    body = <TurnOff onDone={finished('console.totp.offDone')} onCancel={() => setMode(null)} onSessionLost={onSessionLost} />;
  } else {
    body = (
      <>
        <p data-testid="totp-status" data-enabled={status.enabled ? 'true' : 'false'}>
          <span class={status.enabled ? 'badge badge-ok' : 'badge badge-off'}>
            {t(status.enabled ? 'console.totp.on' : 'console.totp.off')}
          </span>{' '}
          {status.enabled
            ? t('console.totp.codesLeft', { count: status.recovery_codes_left ?? 0 })
            : t('console.totp.offHelp')}
        </p>
        {note && <p class="notice" role="status" data-testid="totp-note">{t(note)}</p>}
        {status.enabled ? (
          <button type="button" class="button button-outline" data-testid="totp-turn-off"
            onClick={() => { setNote(null); setMode('off'); }}>
            {t('console.totp.turnOff')}
          </button>
        ) : (
          <button type="button" class="button" data-testid="totp-set-up" onClick={() => { setNote(null); setMode('setup'); }}>
            {t('console.totp.setUp')}
          </button>
        )}
      </>
    );
  }

  return (
    <section class="card" data-testid="account-totp" aria-labelledby="account-totp-heading">
      <h2 id="account-totp-heading">{t('console.totp.heading')}</h2>
      <p class="muted">{t('console.totp.intro')}</p>
      {failure && <ErrorText error={failure} testid="totp-load-error" />}
      {body}
    </section>
  );
}

/**
 * The console while the clinic requires two-factor sign-in and this person has not set it
 * up: nothing else answers until they have (403 totp_enrolment_required). onEnrolled()
 * once the recovery codes have been seen.
 */
export function TotpEnrolment({ onEnrolled, onSessionLost }) {
  useLanguage();
  return (
    <section class="card card-medium" data-testid="totp-enrolment" aria-labelledby="totp-enrolment-heading">
      <h2 id="totp-enrolment-heading">{t('console.totp.requiredHeading')}</h2>
      <p>{t('console.totp.requiredIntro')}</p>
      <TotpSetup onDone={onEnrolled} onSessionLost={onSessionLost} />
    </section>
  );
}
