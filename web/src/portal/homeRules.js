// Patient portal rules free of the DOM (node tests import them): the seven permission
// groups, which of them the home page shows for a patient's permissions, and the small
// checks of the sign-in steps.

// The groups in their order on the home page, each with its keys (DESIGN section 3).
export const PERMISSION_GROUPS = Object.freeze([
  { key: 'profile', permissions: ['view_profile', 'update_profile', 'upload_photo'] },
  { key: 'appointments', permissions: ['view_appointments', 'create_appointment', 'cancel_appointment'] },
  { key: 'treatments', permissions: ['view_treatments'] },
  { key: 'finance', permissions: ['view_balance', 'view_invoices', 'view_payments', 'make_payment'] },
  { key: 'documents', permissions: ['view_documents', 'download_documents', 'upload_documents', 'view_images'] },
  { key: 'messages', permissions: ['view_messages', 'send_message'] },
  { key: 'forms', permissions: ['view_forms', 'submit_forms'] },
]);

export const SECTION_KEYS = Object.freeze({
  profile: { title: 'portal.home.profile.title', line: 'portal.home.profile.line' },
  appointments: { title: 'portal.home.appointments.title', line: 'portal.home.appointments.line' },
  treatments: { title: 'portal.home.treatments.title', line: 'portal.home.treatments.line' },
  finance: { title: 'portal.home.finance.title', line: 'portal.home.finance.line' },
  documents: { title: 'portal.home.documents.title', line: 'portal.home.documents.line' },
  messages: { title: 'portal.home.messages.title', line: 'portal.home.messages.line' },
  forms: { title: 'portal.home.forms.title', line: 'portal.home.forms.line' },
});

// The screen behind a home tile: the first route whose permission the patient holds
// (appointments: the list, or booking alone for a patient who may book but not list;
// finance: the invoices, else the payments, else Pay; the balance has its own tile;
// documents: the list, else the image gallery, else sending a file; messages: the
// conversations, else writing a new one; forms: the list, which needs view_forms).
export const SECTION_SCREENS = Object.freeze({
  profile: [{ route: 'profile', permission: 'view_profile' }],
  appointments: [
    { route: 'appointments', permission: 'view_appointments' },
    { route: 'appointments/new', permission: 'create_appointment' },
  ],
  treatments: [{ route: 'treatments', permission: 'view_treatments' }],
  finance: [
    { route: 'invoices', permission: 'view_invoices' },
    { route: 'payments', permission: 'view_payments' },
    { route: 'pay', permission: 'make_payment' },
  ],
  documents: [
    { route: 'documents', permission: 'view_documents' },
    { route: 'images', permission: 'view_images' },
    { route: 'documents/upload', permission: 'upload_documents' },
  ],
  messages: [
    { route: 'messages', permission: 'view_messages' },
    { route: 'messages/new', permission: 'send_message' },
  ],
  forms: [{ route: 'forms', permission: 'view_forms' }],
});

/** The hash route a home tile links to ('profile', 'appointments', ...), or null: no link. */
export function sectionRoute(section, permissions) {
  const have = new Set(permissions ?? []);
  return (SECTION_SCREENS[section] ?? []).find((s) => have.has(s.permission))?.route ?? null;
}

/** The group keys the home page shows: every group with at least one of the patient's keys,
 * but finance when the balance alone is open (its own tile shows it). */
export function homeSections(permissions) {
  const have = new Set(permissions ?? []);
  return PERMISSION_GROUPS.filter((g) => g.permissions.some((key) => have.has(key)))
    .filter((g) => g.key !== 'finance' || sectionRoute('finance', permissions) !== null)
    .map((g) => g.key);
}

// What a tile promises, by the screen it opens: a tile says what is behind it, not what
// the whole group could hold (booking alone is not "your appointments").
const ROUTE_LINES = Object.freeze({
  'appointments/new': 'portal.home.appointments.bookLine',
  payments: 'portal.home.finance.paymentsLine',
  pay: 'portal.home.finance.payLine',
  images: 'portal.home.documents.imagesLine',
  'documents/upload': 'portal.home.documents.uploadLine',
  'messages/new': 'portal.home.messages.writeLine',
});

/** The catalog key of a tile's line: its screen's own, the group's, or, for a group none of
 * whose screens the patient may open, the words that say so and to ask the clinic. */
export function sectionLine(section, permissions) {
  const route = sectionRoute(section, permissions);
  if (route === null) return 'portal.home.notOpen';
  return ROUTE_LINES[route] ?? SECTION_KEYS[section].line;
}

/** Every route a screen of the portal answers (main.jsx opens them by permission): a route
 * among them that the patient may not open is a section taken away (a saved link), not a
 * mistyped address. */
export function isSectionRoute(route) {
  const first = String(route ?? '').split('/')[0];
  return ['profile', 'appointments', 'treatments', 'invoices', 'payments', 'pay', 'documents', 'images',
    'messages', 'forms'].includes(first);
}

/** The digits of a typed one-time code (spaces and dashes dropped); valid when exactly 6. */
export function codeDigits(value) {
  return String(value ?? '').replace(/[\s-]/g, '');
}
export const isCompleteCode = (digits) => /^\d{6}$/.test(digits);

/** Seconds to wait as {unit: 'seconds' | 'minutes', count}, rounded up to whole minutes from 90 s on. */
export function waitTime(seconds) {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  if (seconds < 90) return { unit: 'seconds', count: Math.ceil(seconds) };
  return { unit: 'minutes', count: Math.ceil(seconds / 60) };
}
