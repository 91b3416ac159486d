// Message template rules the console uses (no DOM, no i18n): the placeholders, purposes,
// which languages a template has, the whole body a save sends, inserting a placeholder at
// the cursor, and the server's 422 errors by field.

export const CHANNELS = Object.freeze(['sms', 'email']);
export const LANGS = Object.freeze(['tr', 'en']);
export const PLACEHOLDERS = Object.freeze(['{{code}}', '{{portal_url}}', '{{patient_first_name}}', '{{clinic_name}}', '{{otp}}']);
// The purposes GET /api/v1/clinic/templates/purposes answers (the server's one list), in order.
export const PURPOSES = Object.freeze([
  'portal_invitation', 'sign_in_code', 'contact_change_code', 'appointment_confirmation', 'appointment_cancellation',
  'contact_replaced', 'payment_receipt',
]);

export const CHANNEL_KEYS = Object.freeze({
  sms: 'console.templates.channel.sms',
  email: 'console.templates.channel.email',
});
export const PURPOSE_KEYS = Object.freeze({
  portal_invitation: 'console.templates.purpose.portalInvitation',
  sign_in_code: 'console.templates.purpose.signInCode',
  contact_change_code: 'console.templates.purpose.contactChangeCode',
  appointment_confirmation: 'console.templates.purpose.appointmentConfirmation',
  appointment_cancellation: 'console.templates.purpose.appointmentCancellation',
  contact_replaced: 'console.templates.purpose.contactReplaced',
  payment_receipt: 'console.templates.purpose.paymentReceipt',
  // Fixed staff mails: in the deliveries, never a template's purpose.
  staff_invitation: 'console.templates.purpose.staffInvitation',
  staff_added: 'console.templates.purpose.staffAdded',
  staff_password_reset: 'console.templates.purpose.staffPasswordReset',
});
export const LANG_KEYS = Object.freeze({ tr: 'console.templates.lang.tr', en: 'console.templates.lang.en' });

/** The languages a template has a variant for, in the order tr, en. */
export function templateLanguages(template) {
  return LANGS.filter((lang) => template?.variants?.[lang]);
}

const emptyVariant = () => ({ subject: '', body: '' });

/** An editor form: {name, channel, purpose, variants: {tr: {subject, body}, en: ...}}. */
export function templateForm(template) {
  const variants = {};
  for (const lang of LANGS) {
    const v = template?.variants?.[lang];
    variants[lang] = v ? { subject: v.subject ?? '', body: v.body ?? '' } : emptyVariant();
  }
  return {
    name: template?.name ?? '',
    channel: template?.channel ?? 'sms',
    purpose: template?.purpose ?? 'portal_invitation',
    variants,
  };
}

/**
 * The whole body a save sends: a language whose subject and body are both empty is null
 * (the template has no text in it); SMS variants carry no subject.
 */
export function templateBody(form) {
  const variants = {};
  for (const lang of LANGS) {
    const v = form.variants[lang] ?? emptyVariant();
    const empty = v.body === '' && (form.channel === 'sms' || v.subject === '');
    if (empty) variants[lang] = null;
    else variants[lang] = form.channel === 'sms' ? { body: v.body } : { subject: v.subject, body: v.body };
  }
  return { name: form.name.trim(), channel: form.channel, purpose: form.purpose, variants };
}

/** Inserts `text` into `value` in place of [start, end); answers {value, cursor}. */
export function insertAt(value, start, end, text) {
  const s = Math.max(0, Math.min(start ?? value.length, value.length));
  const e = Math.max(s, Math.min(end ?? s, value.length));
  return { value: value.slice(0, s) + text + value.slice(e), cursor: s + text.length };
}

/** A 422's errors as {byField: {field: [messages]}, other: [messages]}. */
export function templateErrors(errors, known) {
  const byField = {};
  const other = [];
  for (const e of errors ?? []) {
    if (known.includes(e.field)) (byField[e.field] ??= []).push(e.message);
    else other.push(e.field ? `${e.field}: ${e.message}` : e.message);
  }
  return { byField, other };
}

/** Every field the editor shows an error at. */
export const TEMPLATE_FIELDS = Object.freeze([
  'name', 'channel', 'purpose', 'variants',
  ...LANGS.flatMap((lang) => [`variants.${lang}`, `variants.${lang}.subject`, `variants.${lang}.body`]),
]);

/** "#/templates/<id>" */
export const templateHref = (id) => `#/templates/${encodeURIComponent(id)}`;
