// Console unit tests (no browser, no stack): the portal-settings rules the console mirrors
// (pair warnings, presets, placement of warnings, the address, the whole-body PUT), and
// that every console string is a message key present in Turkish and English, with no
// text written straight into the console's markup.
// Run: node --test tests/web/console_rules.test.mjs
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from '@babel/parser';
import { catalogs } from '../../web/src/i18n/index.js';
import * as rules from '../../web/src/console/settingsRules.js';

const CONSOLE = fileURLToPath(new URL('../../web/src/console/', import.meta.url));
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
const GROUPS = {
  profile: ALL.slice(0, 3), appointments: ALL.slice(3, 6), treatments: ALL.slice(6, 7), finance: ALL.slice(7, 11),
  documents: ALL.slice(11, 15), messages: ALL.slice(15, 17), forms: ALL.slice(17, 19),
};
const catalog = {
  groups: Object.entries(GROUPS).map(([key, keys]) => ({
    key, label: { tr: key, en: key }, permissions: keys.map((k) => ({ key: k, label: { tr: k, en: k }, recommended_with: [] })),
  })),
};
const live = (permissions, { paymentActive = false, hasReviewer = false } = {}) =>
  rules.liveWarnings({ permissions, paymentActive, hasReviewer });
const codes = (warnings) => warnings.map((w) => w.code);

test('pair warnings follow the guide: create/cancel without view, submit without view', () => {
  assert.deepEqual(live(['view_appointments', 'create_appointment', 'cancel_appointment']), []);
  assert.deepEqual(live(['create_appointment']), [
    { code: 'appointments_without_view', permissions: ['view_appointments', 'create_appointment'] },
  ]);
  assert.deepEqual(live(['cancel_appointment', 'create_appointment']), [
    { code: 'appointments_without_view', permissions: ['view_appointments', 'create_appointment', 'cancel_appointment'] },
  ]);
  assert.deepEqual(live(['view_appointments']), [], 'view alone is fine');
  assert.deepEqual(live(['submit_forms']), [{ code: 'forms_without_view', permissions: ['view_forms', 'submit_forms'] }]);
  assert.deepEqual(live(['submit_forms', 'view_forms']), []);
  assert.deepEqual(live([]), []);
});

test('payment and upload warnings depend on the clinic, like on the server', () => {
  assert.deepEqual(codes(live(['make_payment'])), ['payment_infrastructure_inactive']);
  assert.deepEqual(codes(live(['make_payment'], { paymentActive: true })), []);
  assert.deepEqual(codes(live(['upload_documents'])), ['uploads_without_reviewer']);
  assert.deepEqual(codes(live(['upload_documents'], { hasReviewer: true })), []);
  // The server's order: pairs, payment, uploads.
  assert.deepEqual(codes(live(['upload_documents', 'make_payment', 'submit_forms', 'create_appointment'])),
    ['appointments_without_view', 'forms_without_view', 'payment_infrastructure_inactive', 'uploads_without_reviewer']);
});

test('warnings are placed next to what they concern', () => {
  const groupOf = rules.groupIndex(catalog);
  const at = (w) => rules.warningPlacement(w, groupOf);
  assert.deepEqual(at({ code: 'appointments_without_view', permissions: ['view_appointments', 'cancel_appointment'] }),
    { kind: 'group', keys: ['appointments'] });
  assert.deepEqual(at({ code: 'forms_without_view', permissions: ['view_forms', 'submit_forms'] }),
    { kind: 'group', keys: ['forms'] });
  // A pair spanning groups is shown at each of them.
  assert.deepEqual(at({ code: 'appointments_without_view', permissions: ['view_profile', 'create_appointment'] }),
    { kind: 'group', keys: ['profile', 'appointments'] });
  assert.deepEqual(at({ code: 'payment_infrastructure_inactive', permissions: ['make_payment'] }),
    { kind: 'permission', keys: ['make_payment'] });
  assert.deepEqual(at({ code: 'uploads_without_reviewer', permissions: ['upload_documents'] }),
    { kind: 'permission', keys: ['upload_documents'] });
  assert.deepEqual(at({ code: 'code_looks_personal', permissions: [] }), { kind: 'code' });
  assert.deepEqual(at({ code: 'code_changed', permissions: [], count: 3 }), { kind: 'code' });
  assert.deepEqual(at({ code: 'template_language_mismatch', permissions: [] }), { kind: 'templates' });
  assert.deepEqual(at({ code: 'something_new', permissions: [] }), { kind: 'form' });
});

test('presets fill the form with their members and optional keys; make_payment stays off while payment is inactive', () => {
  // The presets as the API answers them: a key is in permissions or in optional, never both.
  const basic = { key: 'basic', permissions: ['view_profile', 'view_appointments', 'create_appointment'], optional: ['cancel_appointment'] };
  const finance = { key: 'finance', permissions: ['view_appointments', 'view_balance', 'view_invoices', 'view_payments'], optional: ['make_payment'] };
  const full = {
    key: 'full',
    permissions: ['view_profile', 'update_profile', 'view_appointments', 'create_appointment', 'cancel_appointment',
      'view_treatments', 'view_balance', 'view_invoices', 'view_payments', 'make_payment', 'view_documents',
      'download_documents', 'view_messages', 'send_message', 'view_forms', 'submit_forms'],
    optional: ['upload_documents'],
  };
  assert.deepEqual(rules.presetPermissions(basic, { paymentActive: false }),
    { permissions: [...basic.permissions, 'cancel_appointment'], skipped: [] });
  assert.deepEqual(rules.presetPermissions(finance, { paymentActive: false }),
    { permissions: finance.permissions, skipped: ['make_payment'] });
  assert.deepEqual(rules.presetPermissions(finance, { paymentActive: true }),
    { permissions: [...finance.permissions, 'make_payment'], skipped: [] });
  // full sets make_payment itself (the settings then warn while payment is inactive).
  assert.deepEqual(rules.presetPermissions(full, { paymentActive: false }),
    { permissions: [...full.permissions, 'upload_documents'], skipped: [] });
  // An older answer that listed an optional key in both lists still gives each key once.
  assert.deepEqual(rules.presetPermissions({ permissions: ['view_appointments', 'make_payment'], optional: ['make_payment'] },
    { paymentActive: false }), { permissions: ['view_appointments'], skipped: ['make_payment'] });
  assert.deepEqual(rules.presetPermissions({ permissions: ['view_documents', 'upload_documents'], optional: ['upload_documents'] },
    { paymentActive: false }), { permissions: ['view_documents', 'upload_documents'], skipped: [] });
});

test('portal address, code normalization and format problems', () => {
  assert.equal(rules.portalAddress('http://127.0.0.1:8080', 'simple-dent'), 'http://127.0.0.1:8080/simple-dent');
  assert.equal(rules.portalAddress('https://heal.ms/', ' simple-dent '), 'https://heal.ms/simple-dent');
  assert.equal(rules.portalAddress('https://heal.ms', ''), 'https://heal.ms/');
  assert.equal(rules.normalizeCode('  '), null);
  assert.equal(rules.normalizeCode(null), null);
  assert.equal(rules.codeFormatProblem('ab'), 'length');
  assert.equal(rules.codeFormatProblem('a'.repeat(41)), 'length');
  assert.equal(rules.codeFormatProblem('a'.repeat(40)), null);
  assert.equal(rules.codeFormatProblem('Simple-Dent'), 'characters');
  assert.equal(rules.codeFormatProblem('simple_dent'), 'characters');
  assert.equal(rules.codeFormatProblem('-simple'), 'hyphen');
  assert.equal(rules.codeFormatProblem('simple-'), 'hyphen');
  assert.equal(rules.codeFormatProblem('simple--dent'), 'hyphen');
  assert.equal(rules.codeFormatProblem('simple-dent-2'), null);
});

test('the saved body is whole: untouched fields as loaded, permissions in catalog order', () => {
  const loaded = {
    enabled: false, code: 'old-code', permissions: ['view_profile'],
    sms_template_id: '11111111-1111-4111-8111-111111111111', email_template_id: null,
    upload_reviewer_id: '22222222-2222-4222-8222-222222222222',
  };
  const form = { enabled: true, code: ' new-code ', permissions: ['submit_forms', 'view_profile', 'view_forms', 'submit_forms'] };
  assert.deepEqual(rules.settingsBody(loaded, form, rules.catalogOrder(catalog)), {
    enabled: true,
    code: 'new-code',
    permissions: ['view_profile', 'view_forms', 'submit_forms'],
    sms_template_id: loaded.sms_template_id,
    email_template_id: null,
    upload_reviewer_id: loaded.upload_reviewer_id,
  });
  assert.equal(rules.settingsBody(loaded, { ...form, code: '' }, []).code, null);
  assert.equal(rules.catalogOrder(catalog).length, 19);
});

test('the reviewer: the form\'s choice when it has one; active only when the staff list says so', () => {
  const loaded = { enabled: false, code: 'c', permissions: [], upload_reviewer_id: 'r1' };
  assert.equal(rules.settingsBody(loaded, { enabled: false, code: 'c', permissions: [], upload_reviewer_id: null }, [])
    .upload_reviewer_id, null);
  assert.equal(rules.settingsBody(loaded, { enabled: false, code: 'c', permissions: [], upload_reviewer_id: 'r2' }, [])
    .upload_reviewer_id, 'r2');
  assert.equal(rules.isDirty(loaded, { enabled: false, code: 'c', permissions: [], upload_reviewer_id: 'r2' }), true);
  const staff = [{ id: 'r1', active: true }, { id: 'r2', active: false }];
  assert.equal(rules.reviewerActive('r1', staff), true);
  assert.equal(rules.reviewerActive('r2', staff), false, 'a disabled reviewer cannot review');
  assert.equal(rules.reviewerActive('r3', staff), false, 'nor can one who left');
  assert.equal(rules.reviewerActive(null, staff), false);
  assert.equal(rules.reviewerActive('r3', null), true, 'without the list, a chosen id counts');
});

test('dirty tracking compares permissions as sets and codes normalized', () => {
  const loaded = { enabled: true, code: 'abc', permissions: ['view_profile', 'view_forms'] };
  assert.equal(rules.isDirty(loaded, { enabled: true, code: 'abc ', permissions: ['view_forms', 'view_profile'] }), false);
  assert.equal(rules.isDirty(loaded, { enabled: false, code: 'abc', permissions: loaded.permissions }), true);
  assert.equal(rules.isDirty(loaded, { enabled: true, code: 'abd', permissions: loaded.permissions }), true);
  assert.equal(rules.isDirty(loaded, { enabled: true, code: 'abc', permissions: ['view_profile'] }), true);
  assert.equal(rules.isDirty({ ...loaded, code: null }, { enabled: true, code: '', permissions: loaded.permissions }), false);
});

test('If-Match sends the opaque tag even when nginx weakened the ETag', () => {
  assert.equal(rules.ifMatchValue('"7"'), '"7"');
  assert.equal(rules.ifMatchValue('W/"7"'), '"7"');
  assert.equal(rules.ifMatchValue(null), null);
});

test('only owner and admin manage settings and read the audit log', () => {
  assert.equal(rules.canManage('owner'), true);
  assert.equal(rules.canManage('admin'), true);
  assert.equal(rules.canManage('staff'), false);
  assert.equal(rules.canManage(undefined), false);
});

test('audit changes list changed fields; lists as added and removed', () => {
  assert.deepEqual(rules.auditChanges(
    { code: 'a-b', enabled: true, permissions: ['view_profile', 'make_payment'], sms_template_id: null },
    { code: 'a-c', enabled: true, permissions: ['view_profile', 'view_forms'], sms_template_id: null },
  ), [
    { field: 'code', before: 'a-b', after: 'a-c' },
    { field: 'permissions', added: ['view_forms'], removed: ['make_payment'] },
  ]);
  assert.deepEqual(rules.auditChanges(null, null), []);
  assert.deepEqual(rules.auditChanges(null, { active: true }), [{ field: 'active', before: null, after: true }]);
});

test('every code the API can answer has console words in both languages', async () => {
  const doc = JSON.parse(await readFile(OPENAPI, 'utf8'));
  const schemas = doc.components.schemas;
  const warningCodes = schemas.Warning.properties.code.enum;
  assert.deepEqual(Object.keys(rules.WARNING_KEYS).sort(), [...warningCodes].sort(), 'a text for every warning code');
  const reasons = schemas.CodeCheck.properties.reason.enum.filter((r) => r !== null && r !== 'invalid');
  assert.deepEqual(Object.keys(rules.CODE_REASON_KEYS).sort(), reasons.sort(), 'a text for every code-check reason');
  assert.deepEqual(Object.keys(rules.ACTOR_KEYS).sort(), [...schemas.AuditEntry.properties.actor_type.enum].sort());
  assert.deepEqual(Object.keys(rules.ROLE_KEYS).sort(), ['admin', 'owner', 'staff']);
  for (const code of ['code_taken', 'code_retired', 'code_invalid', 'code_reserved', 'code_required']) {
    assert.ok(rules.CODE_PROBLEM_KEYS[code], `a text for problem ${code}`);
  }
  const maps = ['WARNING_KEYS', 'CODE_REASON_KEYS', 'CODE_FORMAT_KEYS', 'CODE_PROBLEM_KEYS', 'ROLE_KEYS', 'ACTOR_KEYS',
    'ACTION_KEYS', 'AUDIT_FIELD_KEYS'];
  const missing = [];
  for (const name of maps) {
    for (const key of Object.values(rules[name])) {
      for (const lang of ['tr', 'en']) if (!Object.hasOwn(catalogs[lang], key)) missing.push(`${lang}:${key} (${name})`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every console message exists in Turkish and English and differs where it is prose', () => {
  const consoleKeys = Object.keys(catalogs.tr).filter((k) => k.startsWith('console.'));
  assert.ok(consoleKeys.length > 100, `only ${consoleKeys.length} console keys`);
  for (const key of consoleKeys) {
    assert.ok(Object.hasOwn(catalogs.en, key), `en lacks ${key}`);
    assert.notEqual(catalogs.en[key].trim(), '', `en:${key} is empty`);
  }
  // Prose left untranslated would read the same in both catalogs; a brand name does, rightly.
  const names = new Set(['console.payinfra.providerName.paytr']);
  const same = consoleKeys.filter((k) => !names.has(k) && catalogs.tr[k] === catalogs.en[k]
    && /[a-z]{4}/i.test(catalogs.tr[k].replace(/\{\w+\}/g, '')));
  assert.deepEqual(same, [], 'identical in tr and en');
});

// Walks every node of a Babel AST, calling visit(node, parent).
function walk(node, visit, parent = null) {
  if (!node || typeof node.type !== 'string') return;
  visit(node, parent);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc' || key === 'start' || key === 'end') continue;
    if (Array.isArray(value)) value.forEach((child) => walk(child, visit, node));
    else if (value && typeof value === 'object') walk(value, visit, node);
  }
}

test('console markup has no text outside t()', async () => {
  const files = (await readdir(CONSOLE)).filter((f) => f.endsWith('.jsx'));
  assert.ok(files.length >= 4, `console files: ${files}`);
  const USER_FACING = new Set(['title', 'placeholder', 'aria-label', 'alt', 'label']);
  const hasWord = (text) => /\p{L}/u.test(text);
  const offenders = [];
  for (const file of files) {
    const ast = parse(await readFile(join(CONSOLE, file), 'utf8'), { sourceType: 'module', plugins: ['jsx'] });
    const literalText = (e) => (e.type === 'StringLiteral' && hasWord(e.value)) ||
      (e.type === 'TemplateLiteral' && e.quasis.some((q) => hasWord(q.value.cooked)));
    walk(ast, (node, parent) => {
      const where = `${file}:${node.loc?.start.line}`;
      if (node.type === 'JSXText' && hasWord(node.value)) offenders.push(`${where}: text "${node.value.trim()}"`);
      if (node.type === 'JSXAttribute' && USER_FACING.has(node.name.name) && node.value &&
        literalText(node.value.type === 'JSXExpressionContainer' ? node.value.expression : node.value)) {
        offenders.push(`${where}: literal ${node.name.name}`);
      }
      // Children only: attribute values such as data-testid={`perm-${key}`} are not text.
      if (node.type === 'JSXExpressionContainer' && parent?.type !== 'JSXAttribute') {
        const e = node.expression;
        if (e.type === 'StringLiteral' && hasWord(e.value)) offenders.push(`${where}: {'${e.value}'}`);
        if (e.type === 'TemplateLiteral' && e.quasis.some((q) => hasWord(q.value.cooked))) {
          offenders.push(`${where}: template literal with text`);
        }
      }
    });
  }
  assert.deepEqual(offenders, []);
});
