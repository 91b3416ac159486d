// Rules of the Patients screens, free of the DOM and of i18n so
// tests/web/console_patients_rules.test.mjs runs them under node: the search term the list
// sends (mirroring the server's folding, so a too-short term shows the plain list instead
// of a 422), the bodies of create, PATCH and the Portal Permissions PUT, validation errors
// by field, the patient page's address, and the message keys of the diagnostics.

export const SEARCH_MIN = 3;
export const SEARCH_MAX = 100;
export const PAGE_SIZE = 50;

/** The fields of a patient the console edits, in form order. */
export const PATIENT_FIELDS = Object.freeze([
  'first_name', 'last_name', 'phone', 'email', 'language', 'portal_access', 'address', 'emergency_contact', 'communication',
]);
/**
 * The inputs of the form, named as the server's 422 errors name them (errors[].field), so an
 * error such as emergency_contact.phone lands at its input.
 */
export const FORM_FIELDS = Object.freeze([
  'first_name', 'last_name', 'phone', 'email', 'language', 'portal_access', 'address',
  'emergency_contact.name', 'emergency_contact.phone', 'communication.sms', 'communication.email',
]);
export const ADDRESS_MAX = 500;
export const PATIENT_LANGUAGES = Object.freeze(['tr', 'en']);

// The server's fold table (src/portal/settings.c): Turkish letters, then Latin-1 accents.
const FOLDS = {
  ç: 'c', Ç: 'c', ğ: 'g', Ğ: 'g', ı: 'i', İ: 'i', ö: 'o', Ö: 'o', ş: 's', Ş: 's', ü: 'u', Ü: 'u',
  â: 'a', Â: 'a', î: 'i', Î: 'i', û: 'u', Û: 'u', á: 'a', à: 'a', ä: 'a', é: 'e', è: 'e', ê: 'e', ë: 'e',
  í: 'i', ó: 'o', ò: 'o', ô: 'o', ú: 'u', ù: 'u', ñ: 'n', ß: 's', Á: 'a', À: 'a', Ä: 'a', É: 'e', È: 'e',
  Ê: 'e', Ë: 'e', Í: 'i', Ó: 'o', Ò: 'o', Ô: 'o', Ú: 'u', Ù: 'u', Ñ: 'n', ã: 'a', Ã: 'a', õ: 'o', Õ: 'o',
  å: 'a', Å: 'a', ø: 'o', Ø: 'o', ý: 'y', Ý: 'y', ÿ: 'y', ï: 'i', Ï: 'i', ì: 'i', Ì: 'i',
};

/**
 * Text folded as the server folds names for search: ASCII letters and digits lower-cased,
 * the accented letters it knows folded, every run of anything else one space, trimmed.
 */
export function foldWords(text) {
  let out = '';
  for (const ch of String(text ?? '')) {
    let c = null;
    if (/^[A-Za-z0-9]$/.test(ch)) c = ch.toLowerCase();
    else if (Object.hasOwn(FOLDS, ch)) c = FOLDS[ch];
    if (c !== null) out += c;
    else if (out !== '' && !out.endsWith(' ')) out += ' ';
  }
  return out.trimEnd();
}

/** Like the server: only digits and + - ( ) . and spaces, with at least 4 digits. */
export function looksLikePhone(text) {
  const s = String(text ?? '');
  return /^[0-9+\-(). ]*$/.test(s) && (s.match(/[0-9]/g) ?? []).length >= 4;
}

/** What the server searches for: digits without 00 / 0 prefix, an email, or folded words. */
export function searchKey(text) {
  const s = String(text ?? '');
  if (looksLikePhone(s)) {
    const digits = s.replace(/[^0-9]/g, '');
    if (digits.startsWith('00')) return digits.slice(2);
    if (digits.startsWith('0')) return digits.slice(1);
    return digits;
  }
  if (s.includes('@')) return s.replace(/[ \t\n\v\f\r]/g, '').toLowerCase();
  return foldWords(s);
}

/**
 * The q the list sends for what was typed: the trimmed text when the server would search
 * it (at least 3 characters after folding, at most 100), else null (the plain list).
 */
export function searchQuery(input) {
  const q = String(input ?? '').trim();
  if (q === '' || q.length > SEARCH_MAX) return null;
  return searchKey(q).length >= SEARCH_MIN ? q : null;
}

/** The list's query string: q when searching, limit, and the cursor of the next page. */
export function listParams({ q = null, cursor = null, limit = PAGE_SIZE } = {}) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

/** An empty new-patient form. language '' means the clinic's default language. */
export const emptyForm = () => ({
  first_name: '', last_name: '', phone: '', email: '', language: '', portal_access: true, address: '',
  'emergency_contact.name': '', 'emergency_contact.phone': '', 'communication.sms': true, 'communication.email': true,
});

/** The Details form for a patient: missing contacts as empty text. */
export function formFromPatient(p) {
  return {
    first_name: p.first_name ?? '',
    last_name: p.last_name ?? '',
    phone: p.phone ?? '',
    email: p.email ?? '',
    language: p.language ?? '',
    portal_access: Boolean(p.portal_access),
    address: p.address ?? '',
    'emergency_contact.name': p.emergency_contact?.name ?? '',
    'emergency_contact.phone': p.emergency_contact?.phone ?? '',
    'communication.sms': p.communication?.sms ?? true,
    'communication.email': p.communication?.email ?? true,
  };
}

const text = (v) => String(v ?? '').trim();
const orNull = (v) => (text(v) === '' ? null : text(v));

/** The emergency contact of the form: null when both name and phone are empty. */
function emergencyContact(form) {
  const name = text(form['emergency_contact.name']);
  const phone = text(form['emergency_contact.phone']);
  return name === '' && phone === '' ? null : { name, phone };
}

const CHANNELS = ['sms', 'email'];

/**
 * POST body of a new patient: names trimmed, empty contacts, address, emergency contact and
 * language left out; communication only for a channel turned off (both are on by default).
 */
export function createBody(form) {
  const body = { first_name: text(form.first_name), last_name: text(form.last_name) };
  if (orNull(form.phone) !== null) body.phone = text(form.phone);
  if (orNull(form.email) !== null) body.email = text(form.email);
  if (PATIENT_LANGUAGES.includes(form.language)) body.language = form.language;
  body.portal_access = Boolean(form.portal_access);
  if (orNull(form.address) !== null) body.address = text(form.address);
  const contact = emergencyContact(form);
  if (contact) body.emergency_contact = contact;
  // The server lets the clinic write on both channels unless told otherwise.
  const off = CHANNELS.filter((c) => form[`communication.${c}`] === false);
  if (off.length) body.communication = Object.fromEntries(off.map((c) => [c, false]));
  return body;
}

/**
 * PATCH body: only the fields the form changed. A cleared phone, email, address or emergency
 * contact is null (the server removes it); names are trimmed (a blank name goes as '' and
 * draws the server's 422). The emergency contact goes whole ({name, phone}, a half-filled one
 * draws the server's 422 at the empty part); communication carries only the changed channels.
 */
export function patientPatch(patient, form) {
  const body = {};
  for (const field of ['first_name', 'last_name']) {
    if (text(form[field]) !== (patient[field] ?? '')) body[field] = text(form[field]);
  }
  for (const field of ['phone', 'email']) {
    if (orNull(form[field]) !== (patient[field] ?? null)) body[field] = orNull(form[field]);
  }
  if (PATIENT_LANGUAGES.includes(form.language) && form.language !== patient.language) body.language = form.language;
  if (Boolean(form.portal_access) !== Boolean(patient.portal_access)) body.portal_access = Boolean(form.portal_access);
  if (orNull(form.address) !== (patient.address ?? null)) body.address = orNull(form.address);
  const contact = emergencyContact(form);
  const saved = patient.emergency_contact ?? null;
  if (contact === null ? saved !== null : contact.name !== saved?.name || contact.phone !== saved?.phone) {
    body.emergency_contact = contact;
  }
  const communication = {};
  for (const c of CHANNELS) {
    const on = Boolean(form[`communication.${c}`]);
    if (on !== (patient.communication?.[c] ?? true)) communication[c] = on;
  }
  if (Object.keys(communication).length) body.communication = communication;
  return body;
}

/** True when the patient would have neither a phone number nor an email address. */
export const lacksContact = (form) => orNull(form.phone) === null && orNull(form.email) === null;

/**
 * A validation problem split for the form: {byField: {field: message}, other: [messages]}
 * (other: fields the form does not show, and errors without a field).
 */
export function fieldErrors(error, fields = FORM_FIELDS) {
  const byField = {};
  const other = [];
  for (const e of error?.errors ?? []) {
    if (e && fields.includes(e.field) && !byField[e.field]) byField[e.field] = e.message;
    else if (e?.message) other.push(e.field ? `${e.field}: ${e.message}` : e.message);
  }
  return { byField, other };
}

/** The patient page's address: #/patients/<id>, or .../permissions for that tab. */
export function patientHref(id, tab = 'details') {
  const base = `#/patients/${encodeURIComponent(id)}`;
  return PATIENT_TABS.includes(tab) && tab !== 'details' ? `${base}/${tab}` : base;
}

export const PATIENT_TABS = Object.freeze(['details', 'permissions', 'treatments', 'finance', 'documents', 'forms']);

/** The tab an address names (the part after the id), details by default. */
export const tabFromPath = (segment) => (PATIENT_TABS.includes(segment) ? segment : 'details');

/** Keys of a set in catalog order, unknown ones (should there be any) last, sorted. */
export function inCatalogOrder(keys, order) {
  const chosen = new Set(keys);
  return [...order.filter((key) => chosen.has(key)), ...[...chosen].filter((key) => !order.includes(key)).sort()];
}

/**
 * The Portal Permissions PUT: {mode: "clinic"} drops the own set; a custom set holding every
 * permission of the catalog is sent as the select_all shortcut; else the set in catalog order.
 */
export function permissionsBody(form, order) {
  if (form.mode !== 'custom') return { mode: 'clinic' };
  const set = new Set(form.permissions);
  if (order.length > 0 && order.every((key) => set.has(key))) return { mode: 'custom', select_all: true };
  return { mode: 'custom', permissions: inCatalogOrder(form.permissions, order) };
}

/** True when the form differs from the saved permissions (sets compared as sets). */
export function permissionsDirty(saved, form) {
  if (!saved) return false;
  if (saved.mode !== form.mode) return true;
  if (form.mode !== 'custom') return false;
  const a = [...new Set(form.permissions)].sort();
  const b = [...new Set(saved.permissions)].sort();
  return a.length !== b.length || a.some((key, i) => key !== b[i]);
}

/**
 * The permissions form for a saved answer: {mode, permissions}. While the patient follows
 * the clinic the boxes hold the clinic's set, so choosing "custom" starts from what the
 * patient has now and the clinic only adjusts the differences; switching the mode back and
 * forth keeps the boxes as they were.
 */
export function formFromPermissions(saved) {
  return {
    mode: saved.mode === 'custom' ? 'custom' : 'clinic',
    permissions: [...(saved.mode === 'custom' ? saved.permissions : saved.effective) ?? []],
  };
}

/** The diagnostics' conditions, in the server's order, with their message keys. */
export const CONDITION_KEYS = Object.freeze({
  module: { ok: 'console.diag.module.ok', fail: 'console.diag.module.fail', fix: 'console.diag.module.fix' },
  portal_enabled: { ok: 'console.diag.portalEnabled.ok', fail: 'console.diag.portalEnabled.fail', fix: 'console.diag.portalEnabled.fix', goto: 'settings' },
  code_set: { ok: 'console.diag.codeSet.ok', fail: 'console.diag.codeSet.fail', fix: 'console.diag.codeSet.fix', goto: 'settings' },
  patient_access: { ok: 'console.diag.patientAccess.ok', fail: 'console.diag.patientAccess.fail', fix: 'console.diag.patientAccess.fix', goto: 'details' },
  contact_on_file: { ok: 'console.diag.contact.ok', fail: 'console.diag.contact.fail', fix: 'console.diag.contact.fix', goto: 'details' },
  // The fix of a failed permission check depends on the mode: see permissionFix().
  permission: { ok: 'console.diag.permission.ok', fail: 'console.diag.permission.fail' },
  payment_infrastructure: { ok: 'console.diag.payment.ok', fail: 'console.diag.payment.fail', fix: 'console.diag.payment.fix' },
  document_shared: { ok: 'console.diag.document.ok', fail: 'console.diag.document.fail', fix: 'console.diag.document.fix', goto: 'documents' },
  form_open: { ok: 'console.diag.form.ok', fail: 'console.diag.form.fail', fix: 'console.diag.form.fix', goto: 'form' },
});

/** Where the fix of a failed permission check lives: the patient's own set, or the clinic's. */
export function permissionFix(mode) {
  return mode === 'custom'
    ? { key: 'console.diag.permission.fixCustom', goto: 'permissions' }
    : { key: 'console.diag.permission.fixClinic', goto: 'settings' };
}

/** Names of the Details fields, by field (labels of the form and of its errors). */
export const FIELD_KEYS = Object.freeze({
  first_name: 'console.patient.field.firstName',
  last_name: 'console.patient.field.lastName',
  phone: 'console.patient.field.phone',
  email: 'console.patient.field.email',
  language: 'console.patient.field.language',
  portal_access: 'console.patient.field.portalAccess',
  address: 'console.patient.field.address',
  'emergency_contact.name': 'console.patient.field.emergencyName',
  'emergency_contact.phone': 'console.patient.field.emergencyPhone',
  'communication.sms': 'console.patient.field.communicationSms',
  'communication.email': 'console.patient.field.communicationEmail',
});

export const LANGUAGE_KEYS = Object.freeze({
  tr: 'lang.tr.name',
  en: 'lang.en.name',
});
