// "Invite to the portal" on a patient's page: the patient's invitation status
// (GET patients/{id}/invitations: status, first sign-in, past invitations) with a Refresh
// button, the channel choice (SMS needs a mobile phone on file, email an email address) and Send
// (POST patients/{id}/invitations), then each delivery's channel, recipient and status, or
// the problem in a sentence of its own. Staff, admins and owners may all invite.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { errorMessage, formatTime } from './common.jsx';
import {
  defaultInviteChannels, DELIVERY_STATUS_KEYS, INVITATION_STATUS_KEYS, INVITE_CHANNELS, INVITE_PROBLEM_KEYS,
  INVITE_WARNING_KEYS, inviteChannels, statusTone,
} from './deliveryRules.js';
import { CHANNEL_KEYS } from './templateRules.js';
import './deliveries.css';

const REASON_KEYS = { phone: 'console.invite.noPhone', landline: 'console.invite.noMobile', email: 'console.invite.noEmail' };

/** A problem of an invitation request in words: our sentence for the known codes. */
export function inviteProblemText(error) {
  const key = INVITE_PROBLEM_KEYS[error.code];
  if (key) return t(key);
  if (error.status === 422 && error.errors.length) {
    return `${errorMessage(error)} ${error.errors.map((e) => e.message).join(' ')}`.trim();
  }
  return errorMessage(error);
}

export function warningText(warning) {
  const key = INVITE_WARNING_KEYS[warning.code];
  return key ? t(key) : warning.message;
}

export function StatusBadge({ status, keys = DELIVERY_STATUS_KEYS, testid }) {
  return (
    <span class={`badge badge-status badge-${statusTone(status)}`} data-testid={testid} data-status={status}>
      {keys[status] ? t(keys[status]) : status}
    </span>
  );
}

function History({ items, lang }) {
  if (!items.length) return <p class="muted" data-testid="invite-history-empty">{t('console.invite.history.none')}</p>;
  return (
    <table class="data-table" data-testid="invite-history">
      <thead>
        <tr>
          <th scope="col">{t('console.delivery.col.time')}</th>
          <th scope="col">{t('console.delivery.col.channel')}</th>
          <th scope="col">{t('console.delivery.col.recipient')}</th>
          <th scope="col">{t('console.delivery.col.status')}</th>
          <th scope="col">{t('console.delivery.col.attempts')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((d) => (
          <tr key={d.id} data-testid="invite-item" data-id={d.id} data-channel={d.channel} data-status={d.status}>
            <td data-label={t('console.delivery.col.time')}><time datetime={d.created_at}>{formatTime(d.created_at, lang)}</time></td>
            <td data-label={t('console.delivery.col.channel')}>{t(CHANNEL_KEYS[d.channel] ?? 'console.delivery.unknown')}</td>
            <td data-label={t('console.delivery.col.recipient')} class="cell-wrap">{d.recipient}</td>
            <td data-label={t('console.delivery.col.status')}>
              <StatusBadge status={d.status} />
              {d.last_error && <span class="delivery-error">{d.last_error}</span>}
            </td>
            <td data-label={t('console.delivery.col.attempts')}>{d.attempts}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PatientInvite({ patient, onSessionLost }) {
  const lang = useLanguage();
  const base = `/api/v1/clinic/patients/${encodeURIComponent(patient.id)}/invitations`;
  const available = inviteChannels(patient);
  const [info, setInfo] = useState(null); // GET answer {status, first_signed_in_at, items}
  const [infoState, setInfoState] = useState('loading'); // loading | ready | error
  const [infoError, setInfoError] = useState(null);
  const [reloads, setReloads] = useState(0);
  const [channels, setChannels] = useState(() => defaultInviteChannels(patient));
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState(null); // POST answer {deliveries, warnings}
  const [problem, setProblem] = useState(null); // ApiError of the last send

  // A saved phone or email changes what can be ticked.
  useEffect(() => {
    setChannels(defaultInviteChannels(patient));
  }, [patient.phone, patient.phone_sms_capable, patient.email]);

  useEffect(() => {
    const controller = new AbortController();
    setInfoState('loading');
    setInfoError(null);
    api(base, { signal: controller.signal })
      .then((answer) => {
        setInfo(answer);
        setInfoState('ready');
      })
      .catch((error) => {
        if (error.name === 'AbortError') return;
        if (error.status === 401) {
          onSessionLost();
          return;
        }
        setInfoError(error);
        setInfoState('error');
      });
    return () => controller.abort();
  }, [base, reloads, onSessionLost]);

  const refresh = useCallback(() => setReloads((n) => n + 1), []);

  function toggle(channel, on) {
    setChannels((list) => INVITE_CHANNELS.filter((c) => (c === channel ? on : list.includes(c))));
    setProblem(null);
  }

  async function send() {
    if (sending || channels.length === 0) return;
    setSending(true);
    setProblem(null);
    setResult(null);
    try {
      setResult(await api(base, { method: 'POST', body: { channels } }));
      refresh();
    } catch (error) {
      if (error.status === 401) {
        onSessionLost();
        return;
      }
      setProblem(error);
    } finally {
      setSending(false);
    }
  }

  const status = info?.status ?? null;

  return (
    <section class="card invite" aria-labelledby="invite-heading" data-testid="invite">
      <div class="invite-head">
        <h3 id="invite-heading">{t('console.invite.heading')}</h3>
        <button type="button" class="button button-small button-outline" onClick={refresh}
          disabled={infoState === 'loading'} data-testid="invite-refresh">
          {t('console.invite.refresh')}
        </button>
      </div>
      <p class="muted">{t('console.invite.intro')}</p>

      <div class="invite-status" aria-live="polite" data-testid="invite-status-box" data-state={infoState}>
        {infoState === 'error' && <p class="alert" role="alert" data-testid="invite-status-error">{errorMessage(infoError)}</p>}
        {info && (
          <p class="invite-status-line">
            <span class="invite-status-label">{t('console.invite.statusLabel')}</span>
            <StatusBadge status={status} keys={INVITATION_STATUS_KEYS} testid="invite-status" />
            {info.first_signed_in_at && (
              <span class="muted" data-testid="invite-first-signin">
                {t('console.invite.firstSignIn', { time: formatTime(info.first_signed_in_at, lang) })}
              </span>
            )}
          </p>
        )}
        {!info && infoState === 'loading' && <p class="muted">{t('common.loading')}</p>}
      </div>

      <fieldset class="invite-channels" data-testid="invite-channels">
        <legend>{t('console.invite.channels')}</legend>
        {INVITE_CHANNELS.map((channel) => {
          const { ok, reason } = available[channel];
          const helpId = `invite-${channel}-help`;
          return (
            <label key={channel} class={ok ? 'check' : 'check check-disabled'}>
              <input type="checkbox" name="channels" value={channel} checked={ok && channels.includes(channel)}
                disabled={!ok || sending} aria-describedby={helpId} data-testid={`invite-channel-${channel}`}
                onChange={(e) => toggle(channel, e.currentTarget.checked)} />
              <span>
                <span class="check-label">{t(CHANNEL_KEYS[channel])}</span>
                <span class="check-help" id={helpId} data-testid={`invite-channel-${channel}-help`}>
                  {ok
                    ? t('console.invite.to', { recipient: channel === 'sms' ? patient.phone : patient.email })
                    : t(REASON_KEYS[reason])}
                </span>
              </span>
            </label>
          );
        })}
      </fieldset>
      {!patient.portal_access && (
        <p class="hint warning-soft" data-testid="invite-access-off">{t('console.invite.accessOffNote')}</p>
      )}
      {!available.sms.ok && !available.email.ok && (
        <p class="hint warning-soft" data-testid="invite-no-contact">{t('console.invite.noContact')}</p>
      )}

      <div class="invite-actions">
        <button type="button" class="button" onClick={send} disabled={sending || channels.length === 0}
          data-testid="invite-send">
          {t(sending ? 'console.invite.sending' : 'console.invite.send')}
        </button>
        {channels.length === 0 && (available.sms.ok || available.email.ok) && (
          <span class="hint muted">{t('console.invite.pickChannel')}</span>
        )}
      </div>

      {problem && (
        <p class="alert" role="alert" data-testid="invite-problem" data-code={problem.code}>{inviteProblemText(problem)}</p>
      )}
      {result && (
        <div class="invite-result" role="status" data-testid="invite-result">
          <p class="invite-result-head">{t('console.invite.done')}</p>
          <ul class="invite-deliveries">
            {result.deliveries.map((d) => (
              <li key={d.id} data-testid="invite-delivery" data-channel={d.channel} data-status={d.status}>
                <strong>{t(CHANNEL_KEYS[d.channel] ?? 'console.delivery.unknown')}</strong>
                <span class="cell-wrap">{d.recipient}</span>
                <StatusBadge status={d.status} />
              </li>
            ))}
          </ul>
          {result.warnings?.length > 0 && (
            <ul class="warnings" data-testid="invite-warnings">
              {result.warnings.map((w, i) => (
                <li key={`${w.code}-${i}`} class="warning" data-testid={`invite-warning-${w.code}`}>{warningText(w)}</li>
              ))}
            </ul>
          )}
        </div>
      )}

      <h4 class="invite-history-heading">{t('console.invite.history.heading')}</h4>
      {info && <History items={info.items ?? []} lang={lang} />}
    </section>
  );
}
