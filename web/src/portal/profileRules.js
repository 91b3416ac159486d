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

/** The server's field errors keyed by the form's fields ('emergency_contact.phone' -> emergency_phone). */
export function profileFieldErrors(errors) {
  const byField = {};
  const other = [];
  for (const { field = '', message = '' } of errors ?? []) {
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
