// Small pieces the patient screens share: a problem from the API in plain words, the
// session and portal checks every screen makes on a failure, and the back link.
import { t } from '../i18n/index.js';
import { waitTime } from './homeRules.js';
import { DENIED_KEYS, RULE_KEYS } from './appointmentRules.js';
import { hrefOf } from './router.js';

/** A refusal or failure in the patient's words (never the server's English detail alone). */
export function problemText(error) {
  if (!error) return '';
  if (error.status === 0) return t('error.network');
  switch (error.code) {
    case 'permission_denied':
      return t(DENIED_KEYS[error.permission] ?? 'portal.denied.generic');
    case 'booking_rule':
      return t(RULE_KEYS[error.problem?.rule] ?? 'portal.rule.generic');
    case 'slot_taken':
      return t('portal.book.slotTaken');
    case 'not_found':
      return t('portal.error.notFound');
    case 'payment_unavailable':
      return t('portal.pay.unavailable');
    case 'idempotency_in_flight':
      return t('portal.pay.inFlight');
    case 'payload_too_large':
      return t('portal.photo.tooLarge');
    case 'unsupported_media_type':
      return t('portal.photo.badType');
    case 'rate_limited': {
      const wait = waitTime(error.retryAfter);
      if (!wait) return t('portal.signin.rateLimited');
      return t(wait.unit === 'seconds' ? 'portal.signin.rateLimitedSeconds' : 'portal.signin.rateLimitedMinutes',
        { count: wait.count });
    }
    default:
      return t('error.generic');
  }
}

/**
 * Handles what ends a screen: 401 (the session ended) and 404 portal_not_found (the portal
 * went away). Answers true when handled; the screen shows anything else itself.
 */
export function endsSession(error, { onSessionLost, onPortalGone }) {
  if (error?.status === 401) {
    onSessionLost();
    return true;
  }
  if (error?.status === 404 && error.code === 'portal_not_found') {
    onPortalGone();
    return true;
  }
  return false;
}

export function Problem({ error, testid = 'portal-problem' }) {
  if (!error) return null;
  return (
    <p class="alert" role="alert" data-testid={testid} data-code={error.code}
      data-rule={error.problem?.rule ?? undefined} data-permission={error.permission ?? undefined}>
      {problemText(error)}
    </p>
  );
}

export function BackHome() {
  return <a class="back-link" href={hrefOf('')} data-testid="portal-back">{t('portal.back')}</a>;
}
