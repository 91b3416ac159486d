// Invitation and delivery rules the console uses (no DOM, no i18n, so node tests can import
// them): message keys for statuses and problems, which channels a patient can be invited
// by, whether a delivery may be retried, and the deliveries list query.

export const DELIVERY_STATUSES = Object.freeze(['queued', 'sending', 'sent', 'failed', 'dead']);
export const INVITE_CHANNELS = Object.freeze(['sms', 'email']);

export const DELIVERY_STATUS_KEYS = Object.freeze({
  queued: 'console.delivery.status.queued',
  sending: 'console.delivery.status.sending',
  sent: 'console.delivery.status.sent',
  failed: 'console.delivery.status.failed',
  dead: 'console.delivery.status.dead',
});

// The patient's invitation status (GET patients/{id}/invitations): a delivery status, or
// none / signed_in.
export const INVITATION_STATUS_KEYS = Object.freeze({
  none: 'console.invite.status.none',
  queued: 'console.invite.status.queued',
  sending: 'console.invite.status.sending',
  sent: 'console.invite.status.sent',
  failed: 'console.invite.status.failed',
  dead: 'console.invite.status.dead',
  signed_in: 'console.invite.status.signedIn',
});

// A badge tone per status: ok, bad, warn or plain.
export function statusTone(status) {
  if (status === 'sent' || status === 'signed_in') return 'ok';
  if (status === 'dead') return 'bad';
  if (status === 'failed') return 'warn';
  return 'plain';
}

// Problems an invitation (single or bulk) can meet, each with a sentence of its own.
export const INVITE_PROBLEM_KEYS = Object.freeze({
  module_missing: 'console.invite.problem.moduleMissing',
  portal_disabled: 'console.invite.problem.portalDisabled',
  code_required: 'console.invite.problem.codeRequired',
  portal_access_off: 'console.invite.problem.accessOff',
  contact_missing: 'console.invite.problem.contactMissing',
  not_mobile: 'console.invite.problem.notMobile',
  template_missing: 'console.invite.problem.templateMissing',
  forbidden_role: 'console.invite.problem.forbidden',
  not_found: 'console.invite.problem.notFound',
});

export const INVITE_WARNING_KEYS = Object.freeze({
  template_language_fallback: 'console.invite.warning.languageFallback',
});

/**
 * Which channels a patient can be invited by: {sms: {ok, reason}, email: {ok, reason}}, where
 * reason names what is missing ('phone' or 'email') when ok is false, or 'landline' when the
 * phone on file cannot receive SMS (the patient's phone_sms_capable is false).
 */
export function inviteChannels(patient) {
  let sms = { ok: true, reason: null };
  if (!patient?.phone) sms = { ok: false, reason: 'phone' };
  else if (patient.phone_sms_capable === false) sms = { ok: false, reason: 'landline' };
  return {
    sms,
    email: patient?.email ? { ok: true, reason: null } : { ok: false, reason: 'email' },
  };
}

/** The channels ticked at first: every one the patient has a contact for. */
export function defaultInviteChannels(patient) {
  const available = inviteChannels(patient);
  return INVITE_CHANNELS.filter((channel) => available[channel].ok);
}

/** Only a dead message can be sent again, and never a secret one (a code: its text is gone). */
export function canRetry(delivery) {
  return delivery?.status === 'dead' && delivery.secret !== true;
}

/** The query string of GET /api/v1/clinic/deliveries for the filters and a cursor. */
export function deliveriesQuery({ status = '', channel = '', purpose = '' } = {}, cursor = null, limit = 50) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (status) query.set('status', status);
  if (channel) query.set('channel', channel);
  if (purpose) query.set('purpose', purpose);
  if (cursor) query.set('cursor', cursor);
  return query.toString();
}
