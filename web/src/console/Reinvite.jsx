// Portal settings, after a save that changed the code: "Invite again the N patients invited
// under the old code" with a channel choice (a channel needs its invitation template chosen),
// POST /api/v1/clinic/invitations {previous_code, channels}, then how many were invited and
// how many skipped.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { INVITE_CHANNELS } from './deliveryRules.js';
import { inviteProblemText } from './PatientInvite.jsx';
import { CHANNEL_KEYS } from './templateRules.js';
import './deliveries.css';

export function Reinvite({ count, previousCode, settings, onSessionLost }) {
  const hasTemplate = { sms: Boolean(settings.sms_template_id), email: Boolean(settings.email_template_id) };
  const [channels, setChannels] = useState(() => INVITE_CHANNELS.filter((c) => hasTemplate[c]));
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState(null); // {invited, skipped}
  const [problem, setProblem] = useState(null);

  function toggle(channel, on) {
    setChannels((list) => INVITE_CHANNELS.filter((c) => (c === channel ? on : list.includes(c))));
    setProblem(null);
  }

  async function send() {
    if (sending || channels.length === 0) return;
    setSending(true);
    setProblem(null);
    try {
      setResult(await api('/api/v1/clinic/invitations', { method: 'POST', body: { previous_code: previousCode, channels } }));
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

  const heading = count === 1 ? t('console.reinvite.headingOne') : t('console.reinvite.headingMany', { count });
  return (
    <div class="reinvite" role="group" aria-labelledby="reinvite-heading" data-testid="reinvite">
      <h4 id="reinvite-heading">{heading}</h4>
      {result ? (
        <p class="notice" role="status" data-testid="reinvite-result" data-invited={result.invited} data-skipped={result.skipped}>
          {t('console.reinvite.result', { invited: result.invited, skipped: result.skipped })}
        </p>
      ) : (
        <>
          <fieldset class="invite-channels">
            <legend>{t('console.invite.channels')}</legend>
            {INVITE_CHANNELS.map((channel) => (
              <label key={channel} class={hasTemplate[channel] ? 'check' : 'check check-disabled'}>
                <input type="checkbox" checked={hasTemplate[channel] && channels.includes(channel)}
                  disabled={!hasTemplate[channel] || sending} aria-describedby={`reinvite-${channel}-help`}
                  data-testid={`reinvite-channel-${channel}`} onChange={(e) => toggle(channel, e.currentTarget.checked)} />
                <span>
                  <span class="check-label">{t(CHANNEL_KEYS[channel])}</span>
                  <span class="check-help" id={`reinvite-${channel}-help`}>
                    {t(hasTemplate[channel] ? 'console.reinvite.channelHelp' : 'console.reinvite.noTemplate')}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
          <button type="button" class="button button-small" onClick={send} disabled={sending || channels.length === 0}
            data-testid="reinvite-send">
            {t(sending ? 'console.invite.sending' : 'console.reinvite.send')}
          </button>
        </>
      )}
      {problem && (
        <p class="alert" role="alert" data-testid="reinvite-problem" data-code={problem.code}>{inviteProblemText(problem)}</p>
      )}
    </div>
  );
}
