// Console unit tests for the Patients screens (no browser, no stack): the search term the
// list sends (the server's folding mirrored, so a too-short term shows the plain list), the
// create, PATCH and Portal Permissions bodies, validation errors by field, the patient
// page's address, the pair warnings of a patient's own set, and that every diagnostics
// condition and audit action the API can answer has console words in Turkish and English.
// Run: node --test tests/web/console_patients_rules.test.mjs
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { catalogs } from '../../web/src/i18n/index.js';
import * as rules from '../../web/src/console/patientRules.js';
import * as settingsRules from '../../web/src/console/settingsRules.js';

const OPENAPI = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));
const ALL = [
  'view_profile', 'update_profile', 'upload_photo',
  'view_appointments', 'create_appointment', 'cancel_appointment',
  'view_treatments',
  'view_balance', 'view_invoices', 'view_payments', 'make_payment',
  'view_documents', 'download_documents', 'upload_documents', 'view_images',
  'view_messages', 'send_message',
  'view_forms', 'submit_forms',
];

test('folding mirrors the server: Turkish and Latin accents, case, runs of other characters', () => {
  assert.equal(rules.foldWords('Ayşe Yılmaz'), 'ayse yilmaz');
  assert.equal(rules.foldWords('ÇAĞRI  ÇELİK'), 'cagri celik');
  assert.equal(rules.foldWords('  Öztürk-Karadeniz  '), 'ozturk karadeniz');
  assert.equal(rules.foldWords('José Müller ßø'), 'jose muller so');
  assert.equal(rules.foldWords('%%%'), '');
  assert.equal(rules.foldWords('a—b'), 'a b', 'an unknown character separates words');
  assert.equal(rules.foldWords('日本'), '');
});

test('the search term: q once it has 3 characters after folding, else the plain list (null)', () => {
  // The server's 422 cases (tests/api/patients.test.mjs) stay on the plain list.
  for (const q of ['', '   ', 'ab', 'a', 'ş', ' ab ', 'ğü', '12', '%%%', '___', '...', 'x'.repeat(101), 'ıı']) {
    assert.equal(rules.searchQuery(q), null, `q=${JSON.stringify(q)}`);
  }
  assert.equal(rules.searchQuery('ayse'), 'ayse');
  assert.equal(rules.searchQuery('  demir  '), 'demir', 'trimmed');
  assert.equal(rules.searchQuery('Ayş'), 'Ayş', 'sent as typed; the server folds');
  assert.equal(rules.searchQuery('x'.repeat(100)), 'x'.repeat(100));
  // Phones: digits without the 00 or 0 prefix.
  assert.equal(rules.searchKey('0555 123 45 67'), '5551234567');
  assert.equal(rules.searchKey('0090 555 123'), '90555123');
  assert.equal(rules.searchKey('+90 (555) 123-45-67'), '905551234567');
  assert.equal(rules.searchQuery('0555'), '0555');
  assert.equal(rules.searchQuery('00 55'), null, '00 then two digits');
  assert.equal(rules.searchQuery('4567'), '4567');
  assert.equal(rules.searchQuery('012'), '012', 'three digits are not a phone: folded as a word');
  // Emails: without spaces, lower-cased.
  assert.equal(rules.searchKey(' Ayse.Yilmaz @Example.com'), 'ayse.yilmaz@example.com');
  assert.equal(rules.searchQuery('@ex'), '@ex');
  assert.equal(rules.searchQuery('@e'), null);
});

test('list parameters: q only when searching, limit 50, the cursor of the next page', () => {
  assert.equal(rules.listParams(), 'limit=50');
  assert.equal(rules.listParams({ q: 'ayşe yıl' }), 'q=ay%C5%9Fe+y%C4%B1l&limit=50');
  assert.equal(rules.listParams({ q: null, cursor: 'abc.def' }), 'limit=50&cursor=abc.def');
});

test('a new patient: names trimmed, empty contacts and the default language left out', () => {
  assert.deepEqual(rules.createBody(rules.emptyForm()), { first_name: '', last_name: '', portal_access: true });
  assert.deepEqual(rules.createBody({
    first_name: ' Ayşe ', last_name: 'Yılmaz ', phone: ' 0555 123 45 67 ', email: '  ', language: 'en', portal_access: false,
  }), { first_name: 'Ayşe', last_name: 'Yılmaz', phone: '0555 123 45 67', language: 'en', portal_access: false });
  assert.equal(rules.createBody({ ...rules.emptyForm(), language: 'de' }).language, undefined);
  // Address, emergency contact and communication: left out while empty or on (the server's default).
  assert.deepEqual(rules.createBody({
    ...rules.emptyForm(), first_name: 'A', last_name: 'B', address: '  Atatürk Cad. 1\nKadıköy  ',
    'emergency_contact.name': ' Ali Veli ', 'emergency_contact.phone': '0555 000 11 22', 'communication.sms': false,
  }), {
    first_name: 'A', last_name: 'B', portal_access: true, address: 'Atatürk Cad. 1\nKadıköy',
    emergency_contact: { name: 'Ali Veli', phone: '0555 000 11 22' }, communication: { sms: false },
  });
  assert.deepEqual(rules.createBody({ ...rules.emptyForm(), 'emergency_contact.phone': '0555' }).emergency_contact,
    { name: '', phone: '0555' }, 'half a contact is sent: the server says what is missing');
});

test('PATCH carries only changed fields; a cleared phone or email is null', () => {
  const patient = {
    id: 'x', first_name: 'Ayşe', last_name: 'Yılmaz', phone: '+905551234567', email: null, language: 'tr',
    portal_access: true, address: null, emergency_contact: null, communication: { sms: true, email: true },
    has_photo: false, photo_url: null,
  };
  const form = rules.formFromPatient(patient);
  assert.deepEqual(form, {
    first_name: 'Ayşe', last_name: 'Yılmaz', phone: '+905551234567', email: '', language: 'tr', portal_access: true,
    address: '', 'emergency_contact.name': '', 'emergency_contact.phone': '', 'communication.sms': true,
    'communication.email': true,
  });
  assert.deepEqual(rules.patientPatch(patient, form), {}, 'nothing changed');
  assert.deepEqual(rules.patientPatch(patient, { ...form, first_name: ' Ayşe ' }), {}, 'spaces around a name are no change');
  assert.deepEqual(rules.patientPatch(patient, { ...form, phone: '' }), { phone: null });
  assert.deepEqual(rules.patientPatch(patient, { ...form, phone: '  ' }), { phone: null });
  assert.deepEqual(rules.patientPatch(patient, { ...form, email: 'a@b.co', language: 'en', portal_access: false }),
    { email: 'a@b.co', language: 'en', portal_access: false });
  assert.deepEqual(rules.patientPatch(patient, { ...form, phone: '0555 123 45 67' }), { phone: '0555 123 45 67' },
    'another form of the same number is sent; the server stores E.164');
  assert.deepEqual(rules.patientPatch(patient, { ...form, last_name: '' }), { last_name: '' });
  // The new fields: only what changed, the emergency contact whole, the changed channels alone.
  assert.deepEqual(rules.patientPatch(patient, { ...form, address: 'Bağdat Cad. 5\nİstanbul' }),
    { address: 'Bağdat Cad. 5\nİstanbul' });
  assert.deepEqual(rules.patientPatch(patient, { ...form, 'emergency_contact.name': 'Ali', 'emergency_contact.phone': '0555 000 11 22' }),
    { emergency_contact: { name: 'Ali', phone: '0555 000 11 22' } });
  assert.deepEqual(rules.patientPatch(patient, { ...form, 'communication.email': false }), { communication: { email: false } });
  assert.deepEqual(rules.patientPatch(patient, { ...form, 'emergency_contact.name': '  ', address: ' ' }), {},
    'blank is no change while nothing is saved');
  assert.equal(rules.lacksContact({ phone: ' ', email: '' }), true);
  assert.equal(rules.lacksContact({ phone: '', email: 'a@b.co' }), false);
});

test('address, emergency contact and communication round-trip through the form', () => {
  const patient = {
    id: 'y', first_name: 'Can', last_name: 'Demir', phone: null, email: 'can@demir.test', language: 'en',
    portal_access: false, address: 'Atatürk Cad. 1\nDaire 3\nKadıköy', emergency_contact: { name: 'Ali Demir', phone: '+905550001122' },
    communication: { sms: false, email: true }, has_photo: true, photo_url: '/api/v1/clinic/patients/y/photo',
  };
  const form = rules.formFromPatient(patient);
  assert.equal(form.address, patient.address, 'several lines kept');
  assert.equal(form['emergency_contact.name'], 'Ali Demir');
  assert.equal(form['emergency_contact.phone'], '+905550001122');
  assert.equal(form['communication.sms'], false);
  assert.equal(form['communication.email'], true);
  assert.deepEqual(rules.patientPatch(patient, form), {}, 'the saved patient is no change');
  // Cleared: null; the other fields stay out.
  assert.deepEqual(rules.patientPatch(patient, { ...form, address: '' }), { address: null });
  assert.deepEqual(rules.patientPatch(patient, { ...form, 'emergency_contact.name': '', 'emergency_contact.phone': ' ' }),
    { emergency_contact: null });
  // One part changed: the contact goes whole; another form of the same number is sent.
  assert.deepEqual(rules.patientPatch(patient, { ...form, 'emergency_contact.name': 'Ayla Demir ' }),
    { emergency_contact: { name: 'Ayla Demir', phone: '+905550001122' } });
  assert.deepEqual(rules.patientPatch(patient, { ...form, 'emergency_contact.phone': '0555 000 11 22' }),
    { emergency_contact: { name: 'Ali Demir', phone: '0555 000 11 22' } });
  assert.deepEqual(rules.patientPatch(patient, { ...form, 'communication.sms': true, 'communication.email': false }),
    { communication: { sms: true, email: false } });
  // What the server answers after the PATCH makes the form clean again.
  const saved = { ...patient, address: 'Bağdat Cad. 5', emergency_contact: null, communication: { sms: true, email: true } };
  const next = { ...form, address: ' Bağdat Cad. 5 ', 'emergency_contact.name': '', 'emergency_contact.phone': '',
    'communication.sms': true };
  assert.deepEqual(rules.patientPatch(patient, next),
    { address: 'Bağdat Cad. 5', emergency_contact: null, communication: { sms: true } });
  assert.deepEqual(rules.patientPatch(saved, rules.formFromPatient(saved)), {});
  // A patient without the new fields (an older answer) reads as empty, both channels on.
  const old = rules.formFromPatient({ first_name: 'A', last_name: 'B', language: 'tr', portal_access: true });
  assert.deepEqual([old.address, old['emergency_contact.name'], old['communication.sms'], old['communication.email']], ['', '', true, true]);
});

test('validation errors by field; the rest apart', () => {
  const error = {
    errors: [
      { field: 'phone', message: 'Not a phone number.' },
      { field: 'phone', message: 'Second message.' },
      { field: 'nickname', message: 'Unknown field.' },
      { message: 'Something else.' },
    ],
  };
  assert.deepEqual(rules.fieldErrors(error), {
    byField: { phone: 'Not a phone number.' },
    other: ['phone: Second message.', 'nickname: Unknown field.', 'Something else.'],
  });
  assert.deepEqual(rules.fieldErrors(null), { byField: {}, other: [] });
  // Errors inside the emergency contact and communication land at their inputs.
  assert.deepEqual(rules.fieldErrors({ errors: [
    { field: 'emergency_contact.phone', message: 'Not a phone number.' },
    { field: 'emergency_contact.name', message: 'Required.' },
    { field: 'address', message: 'Must be at most 500 characters.' },
    { field: 'communication.fax', message: 'Unknown field.' },
  ] }), {
    byField: { 'emergency_contact.phone': 'Not a phone number.', 'emergency_contact.name': 'Required.', address: 'Must be at most 500 characters.' },
    other: ['communication.fax: Unknown field.'],
  });
  // Every input the form shows has a label in both languages, and a place in the empty form.
  assert.deepEqual(Object.keys(rules.FIELD_KEYS).sort(), [...rules.FORM_FIELDS].sort());
  assert.deepEqual(Object.keys(rules.emptyForm()).sort(), [...rules.FORM_FIELDS].sort());
});

test('the patient page address and its tabs', () => {
  assert.equal(rules.patientHref('1f2e'), '#/patients/1f2e');
  assert.equal(rules.patientHref('1f2e', 'details'), '#/patients/1f2e');
  assert.equal(rules.patientHref('1f2e', 'permissions'), '#/patients/1f2e/permissions');
  assert.equal(rules.tabFromPath('permissions'), 'permissions');
  assert.equal(rules.tabFromPath(undefined), 'details');
  assert.equal(rules.tabFromPath('nonsense'), 'details');
});

test('the permissions form: following the clinic shows its set; custom keeps the own set', () => {
  assert.deepEqual(rules.formFromPermissions({ mode: 'clinic', permissions: [], effective: ['view_profile'] }),
    { mode: 'clinic', permissions: ['view_profile'] });
  assert.deepEqual(rules.formFromPermissions({ mode: 'custom', permissions: ['send_message'], effective: ['send_message'] }),
    { mode: 'custom', permissions: ['send_message'] });
  assert.deepEqual(rules.formFromPermissions({ mode: 'custom', permissions: [], effective: [] }), { mode: 'custom', permissions: [] });
});

test('the PUT: clinic drops the own set; all 19 go as select_all; else the set in catalog order', () => {
  assert.deepEqual(rules.permissionsBody({ mode: 'clinic', permissions: ['view_profile'] }, ALL), { mode: 'clinic' });
  assert.deepEqual(rules.permissionsBody({ mode: 'custom', permissions: [...ALL].reverse() }, ALL), { mode: 'custom', select_all: true });
  assert.deepEqual(rules.permissionsBody({ mode: 'custom', permissions: ['submit_forms', 'view_profile', 'submit_forms'] }, ALL),
    { mode: 'custom', permissions: ['view_profile', 'submit_forms'] });
  assert.deepEqual(rules.permissionsBody({ mode: 'custom', permissions: [] }, ALL), { mode: 'custom', permissions: [] },
    'an empty own set is a choice: the patient may do nothing');
  assert.deepEqual(rules.permissionsBody({ mode: 'custom', permissions: ['view_profile'] }, []), { mode: 'custom', permissions: ['view_profile'] },
    'no catalog: never select_all');
  assert.deepEqual(rules.inCatalogOrder(['zzz', 'view_forms', 'view_profile', 'aaa'], ALL), ['view_profile', 'view_forms', 'aaa', 'zzz']);
});

test('dirty: the mode, or (custom) the set compared as a set', () => {
  const clinic = { mode: 'clinic', permissions: [], effective: ['view_profile'] };
  const custom = { mode: 'custom', permissions: ['view_profile', 'view_forms'], effective: ['view_profile', 'view_forms'] };
  assert.equal(rules.permissionsDirty(clinic, rules.formFromPermissions(clinic)), false);
  assert.equal(rules.permissionsDirty(clinic, { mode: 'clinic', permissions: ['send_message'] }), false, 'boxes do not count while following');
  assert.equal(rules.permissionsDirty(clinic, { mode: 'custom', permissions: ['view_profile'] }), true);
  assert.equal(rules.permissionsDirty(custom, { mode: 'custom', permissions: ['view_forms', 'view_profile'] }), false);
  assert.equal(rules.permissionsDirty(custom, { mode: 'custom', permissions: ['view_forms'] }), true);
  assert.equal(rules.permissionsDirty(custom, { mode: 'clinic', permissions: custom.permissions }), true);
  assert.equal(rules.permissionsDirty(null, { mode: 'clinic', permissions: [] }), false);
});

test('a patient\'s own set draws only the pair warnings, both sides named, in the server\'s order', () => {
  const pairs = (set) => settingsRules.pairWarnings(set);
  assert.deepEqual(pairs(ALL), []);
  assert.deepEqual(pairs(ALL.filter((k) => k !== 'view_appointments')),
    [{ code: 'appointments_without_view', permissions: ['view_appointments', 'create_appointment', 'cancel_appointment'] }]);
  assert.deepEqual(pairs(['submit_forms', 'make_payment', 'upload_documents', 'cancel_appointment']), [
    { code: 'appointments_without_view', permissions: ['view_appointments', 'cancel_appointment'] },
    { code: 'forms_without_view', permissions: ['view_forms', 'submit_forms'] },
  ], 'no payment or reviewer warning for a patient');
  // liveWarnings (the clinic's settings) still starts with the same pairs.
  assert.deepEqual(settingsRules.liveWarnings({ permissions: ['submit_forms'], paymentActive: false, hasReviewer: false }),
    pairs(['submit_forms']));
});

test('every diagnostics condition and patient audit entry has console words in both languages', async () => {
  const doc = JSON.parse(await readFile(OPENAPI, 'utf8'));
  const conditions = doc.components.schemas.Check.properties.condition.enum;
  assert.deepEqual(Object.keys(rules.CONDITION_KEYS), conditions, 'every condition, in the server\'s order');
  const keys = [];
  for (const [condition, entry] of Object.entries(rules.CONDITION_KEYS)) {
    assert.ok(entry.ok && entry.fail, `${condition}: words when it holds and when it fails`);
    assert.ok(entry.fix || condition === 'permission', `${condition}: what to do when it fails`);
    keys.push(entry.ok, entry.fail, ...(entry.fix ? [entry.fix] : []));
  }
  for (const mode of ['clinic', 'custom']) keys.push(rules.permissionFix(mode).key);
  assert.deepEqual(rules.permissionFix('custom').goto, 'permissions');
  assert.deepEqual(rules.permissionFix('clinic').goto, 'settings');
  keys.push(...Object.values(rules.FIELD_KEYS), ...Object.values(rules.LANGUAGE_KEYS));
  for (const action of ['patient.create', 'patient.update', 'patient.portal_permissions.update']) {
    assert.ok(settingsRules.ACTION_KEYS[action], `audit words for ${action}`);
    keys.push(settingsRules.ACTION_KEYS[action]);
  }
  for (const field of ['first_name', 'last_name', 'phone', 'email', 'language', 'portal_access', 'mode', 'effective']) {
    assert.ok(settingsRules.AUDIT_FIELD_KEYS[field], `audit words for the field ${field}`);
  }
  const missing = [];
  for (const key of keys) for (const lang of ['tr', 'en']) if (!Object.hasOwn(catalogs[lang], key)) missing.push(`${lang}:${key}`);
  assert.deepEqual(missing, []);
  // The action's name is filled into the permission words.
  assert.ok(catalogs.tr['console.diag.permission.fail'].includes('{action}'));
  assert.ok(catalogs.en['console.diag.permission.ok'].includes('{action}'));
});

test('the patient fields the console edits are the API\'s', async () => {
  const doc = JSON.parse(await readFile(OPENAPI, 'utf8'));
  assert.deepEqual(Object.keys(doc.components.schemas.PatientPatch.properties).sort(), [...rules.PATIENT_FIELDS].sort());
  assert.deepEqual(doc.components.schemas.Patient.properties.language.enum, [...rules.PATIENT_LANGUAGES]);
  assert.equal(doc.paths['/api/v1/clinic/patients'].get.parameters.find((p) => p.name === 'q').schema.maxLength, rules.SEARCH_MAX);
});
