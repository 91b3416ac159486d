// Patient profile rules free of the DOM (node tests import them): the edit form from a
// profile, the PATCH of what changed, and the photo checks made before uploading.

export const PHOTO_TYPES = Object.freeze(['image/jpeg', 'image/png', 'image/webp']);
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;

/** The edit form's values from GET profile. */
export function profileForm(p) {
  return {
    address: p.address ?? '',
    language: p.language ?? 'tr',
    emergency_name: p.emergency_contact?.name ?? '',
    emergency_phone: p.emergency_contact?.phone ?? '',
    sms: p.communication?.sms ?? true,
    email: p.communication?.email ?? true,
  };
}

/** The PATCH body: only what differs from the profile (an emptied address or contact is null). */
export function profilePatch(p, form) {
  const before = profileForm(p);
  const patch = {};
  const address = form.address.trim();
  if (address !== before.address.trim()) patch.address = address === '' ? null : address;
  if (form.language !== before.language) patch.language = form.language;
  const name = form.emergency_name.trim();
  const phone = form.emergency_phone.trim();
  if (name !== before.emergency_name.trim() || phone !== before.emergency_phone.trim()) {
    patch.emergency_contact = name === '' && phone === '' ? null : { name, phone };
  }
  if (form.sms !== before.sms || form.email !== before.email) patch.communication = { sms: form.sms, email: form.email };
  return patch;
}

/** A chosen file's problem before upload: 'type', 'size', 'empty' or null (fine). */
export function photoProblem(file) {
  if (!file) return 'empty';
  if (file.size === 0) return 'empty';
  if (file.type && !PHOTO_TYPES.includes(file.type)) return 'type';
  if (file.size > PHOTO_MAX_BYTES) return 'size';
  return null;
}

/** The example the server gives with a phone number it could not read on field (the
 * international form of a number of the patient's own country, e.g. "+44 7400 123456"), or
 * null: the screen says the problem in the patient's language around it. */
export function phoneExample(errors, field) {
  const found = (errors ?? []).find((e) => e.field === field && typeof e.example === 'string' && e.example !== '');
  return found ? found.example : null;
}

/** The server's field errors keyed by the form's fields ('emergency_contact.phone' -> emergency_phone);
 * a phone number's problem with an example is said by sayPhone(example) when given. */
export function profileFieldErrors(errors, sayPhone = null) {
  const byField = {};
  const other = [];
  for (const { field = '', message: said = '', example } of errors ?? []) {
    const message = sayPhone && example && field.endsWith('phone') ? sayPhone(example) : said;
    let key = null;
    if (field === 'address') key = 'address';
    else if (field === 'language') key = 'language';
    else if (field.startsWith('emergency_contact')) key = field.endsWith('name') ? 'emergency_name' : 'emergency_phone';
    else if (field.startsWith('communication')) key = 'communication';
    if (key) byField[key] = message;
    else other.push(message);
  }
  return { byField, other };
}

// ---- contact change (DESIGN.md section 17) ----
// A start answers {challenge_id, old_code_sent}: a code went to the new contact, and, when
// old_code_sent, a second one to the contact the session signed in with. Both are needed.

const digitsOf = (text) => String(text ?? '').replace(/\D/g, '');

/**
 * The verify body and what is wrong with the codes typed so far: {body, problems} where
 * problems maps 'code' / 'old_code' to 'incomplete' (not 6 digits); body is null while any
 * problem remains.
 */
export function contactVerify(challenge, code, oldCode) {
  const problems = {};
  const c = digitsOf(code);
  const o = digitsOf(oldCode);
  if (c.length !== 6) problems.code = 'incomplete';
  if (challenge?.old_code_sent && o.length !== 6) problems.old_code = 'incomplete';
  if (Object.keys(problems).length) return { body: null, problems };
  const body = { challenge_id: challenge.challenge_id, code: c };
  if (challenge.old_code_sent) body.old_code = o;
  return { body, problems };
}

/**
 * How a refused verify reads: {message, params, restart}. 410, or a wrong code with no try
 * left, start again; a wrong code says how many tries are left (one count for both codes).
 */
export function contactVerifyFailure(error, twoCodes) {
  const left = error?.problem?.attempts_left;
  if (error?.code === 'challenge_expired' || error?.status === 410 || (error?.code === 'invalid_code' && left === 0)) {
    return { message: 'portal.contact.expired', params: {}, restart: true };
  }
  if (error?.code !== 'invalid_code') return null;
  if (!Number.isInteger(left)) return { message: twoCodes ? 'portal.contact.wrongEither' : 'portal.code.wrong', params: {}, restart: false };
  const key = twoCodes ? (left === 1 ? 'portal.contact.wrongEitherOne' : 'portal.contact.wrongEitherMany')
    : (left === 1 ? 'portal.code.wrongOne' : 'portal.code.wrongMany');
  return { message: key, params: { count: left }, restart: false };
}
