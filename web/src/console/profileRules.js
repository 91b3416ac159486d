// The clinic profile form's rules (ClinicProfile.jsx), kept apart so that unit tests can
// run them without a browser.

const TEXT = ['name', 'phone', 'email', 'address', 'time_zone', 'country', 'currency', 'invoice_prefix'];

/** The form's state from a profile the API answered: every text field a string. */
export function profileForm(profile) {
  const form = {};
  for (const field of TEXT) form[field] = profile?.[field] ?? '';
  form.languages = Array.isArray(profile?.languages) ? [...profile.languages] : ['tr'];
  form.default_language = profile?.default_language ?? form.languages[0];
  return form;
}

/**
 * The PUT body from the form: every field, trimmed; an empty phone, email or address is
 * null (the clinic has none); codes upper-cased.
 */
export function profileBody(form) {
  const text = (v) => String(v ?? '').trim();
  const orNull = (v) => (text(v) === '' ? null : text(v));
  return {
    name: text(form.name),
    phone: orNull(form.phone),
    email: orNull(form.email),
    address: orNull(form.address),
    languages: ['tr', 'en'].filter((l) => form.languages.includes(l)),
    default_language: form.default_language,
    country: text(form.country).toUpperCase(),
    time_zone: text(form.time_zone),
    currency: text(form.currency).toUpperCase(),
    invoice_prefix: text(form.invoice_prefix).toUpperCase(),
  };
}

/** Time zone names the browser knows, for suggestions (the server checks its own list). */
export function timeZoneNames() {
  try {
    return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  } catch {
    return [];
  }
}
