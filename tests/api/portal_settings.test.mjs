// Portal settings and everything around them (DESIGN.md sections 3, 4 and 10; the guide):
// GET/PUT portal/settings (shape, ETag/If-Match, whole-body validation, roles, the module),
// the portal code rules on PUT and on code-check (length, characters, hyphens, reserved,
// taken, retired, taking one's own retired code back, the personal-data warning, code_changed),
// every settings warning whose subject exists (appointments/forms without view, payment
// infrastructure inactive, uploads without reviewer), the payment infrastructure (owner only),
// the public clinic card (200, and one 404 portal_not_found for every way a portal is closed),
// the permission catalog and the presets.
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { api, assertProblem } from './lib/client.mjs';
import {
  makeApiKey, makeClinic, portalctl, settingsBody, signIn, withKey,
} from './lib/fixtures.mjs';

const SETTINGS = '/api/v1/clinic/portal/settings';
const PAYMENT = '/api/v1/clinic/payment-infrastructure';
const card = (code) => api('GET', `/api/v1/portal/${encodeURIComponent(code)}/`);
const codeCheck = (s, code) => s.request('GET', `/api/v1/clinic/portal/code-check?code=${encodeURIComponent(code)}`);
const warningCodes = (res) => res.body.warnings.map((w) => w.code);
const warning = (res, code) => res.body.warnings.find((w) => w.code === code);
const sorted = (a) => [...a].sort();
// Letters only: fixtures' hex suffixes sometimes hold 7 digits in a row, which draws the
// code_looks_personal warning and would disturb the warning checks.
const letters = (n) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz'[randomInt(26)]).join('');
const newCode = (prefix = 'c') => `${prefix}-${letters(10)}`;

// The 19 keys in their 7 groups, in the order of DESIGN.md section 3.
const GROUPS = [
  ['profile', ['view_profile', 'update_profile', 'upload_photo']],
  ['appointments', ['view_appointments', 'create_appointment', 'cancel_appointment']],
  ['treatments', ['view_treatments']],
  ['finance', ['view_balance', 'view_invoices', 'view_payments', 'make_payment']],
  ['documents', ['view_documents', 'download_documents', 'upload_documents', 'view_images']],
  ['messages', ['view_messages', 'send_message']],
  ['forms', ['view_forms', 'submit_forms']],
];
const ALL_KEYS = GROUPS.flatMap(([, keys]) => keys);

// A clinic with its owner and admin signed in.
async function clinicWithSessions(opts = {}) {
  const clinic = makeClinic({ code: newCode('t'), ...opts });
  const [owner, admin] = await Promise.all([signIn(clinic.logins.owner), signIn(clinic.logins.admin)]);
  return { clinic, owner, admin };
}

// PUT the settings; asserts the status (200 unless told otherwise; expect: null checks nothing).
async function put(s, overrides, { expect = 200, headers } = {}) {
  const res = await s.request('PUT', SETTINGS, { body: settingsBody(overrides), headers });
  if (expect !== null) assert.equal(res.status, expect, `PUT settings ${JSON.stringify(overrides)}: ${res.text}`);
  return res;
}

// Opens the clinic's portal under its current code with the given permissions.
const openPortal = (s, clinic, permissions = ['view_profile']) =>
  put(s, { enabled: true, code: clinic.code, permissions });

async function assertUnchanged(s, before, what) {
  const now = await s.request('GET', SETTINGS);
  assert.deepEqual(now.body, before.body, `${what}: the settings changed`);
  assert.equal(now.headers.get('etag'), before.headers.get('etag'), `${what}: the ETag changed`);
}

describe('GET and PUT settings', () => {
  test('GET answers the whole settings body and an ETag', async () => {
    const { clinic, admin } = await clinicWithSessions();
    const res = await admin.request('GET', SETTINGS);
    assert.equal(res.status, 200, res.text);
    // A new clinic starts with its default invitation templates chosen.
    const defaults = await admin.request('GET', '/api/v1/clinic/templates?purpose=portal_invitation');
    const byChannel = Object.fromEntries(defaults.body.items.map((t) => [t.channel, t.id]));
    assert.deepEqual(res.body, settingsBody({
      code: clinic.code, sms_template_id: byChannel.sms, email_template_id: byChannel.email,
    }));
    assert.match(res.headers.get('etag') ?? '', /^(W\/)?"[^"]+"$/, 'ETag missing or not a quoted string');
    // Staff may read the settings too.
    const staff = await signIn(clinic.logins.staff);
    const again = await staff.request('GET', SETTINGS);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, res.body);
    assert.equal(again.headers.get('etag'), res.headers.get('etag'));
  });

  test('the staff role may not PUT (403 forbidden_role); admin and owner may', async () => {
    const { clinic, owner, admin } = await clinicWithSessions();
    const staff = await signIn(clinic.logins.staff);
    const before = await staff.request('GET', SETTINGS);
    assertProblem(await put(staff, { code: clinic.code, permissions: ['view_profile'] }, { expect: null }),
      403, 'forbidden_role');
    await assertUnchanged(staff, before, 'refused staff PUT');
    const byAdmin = await put(admin, { code: clinic.code, permissions: ['view_profile'] });
    assert.deepEqual(byAdmin.body.settings, settingsBody({ code: clinic.code, permissions: ['view_profile'] }));
    const byOwner = await put(owner, { code: clinic.code, permissions: ['view_balance'] });
    assert.deepEqual(byOwner.body.settings.permissions, ['view_balance']);
    // What PUT answered is what GET now says, under the ETag PUT answered.
    const got = await staff.request('GET', SETTINGS);
    assert.deepEqual(got.body, byOwner.body.settings);
    assert.equal(got.headers.get('etag'), byOwner.headers.get('etag'));
  });

  test('without the patient_portal module PUT is 409 module_missing', async () => {
    const { clinic, owner } = await clinicWithSessions();
    await openPortal(owner, clinic);
    portalctl('revoke-module', '--clinic', clinic.id, '--module', 'patient_portal');
    const before = await owner.request('GET', SETTINGS);
    assertProblem(await put(owner, { code: clinic.code, permissions: ['view_balance'] }, { expect: null }),
      409, 'module_missing');
    await assertUnchanged(owner, before, 'PUT without module');
    const modules = await owner.request('GET', '/api/v1/clinic/modules');
    assert.equal(modules.body.patient_portal, false);
    portalctl('grant-module', '--clinic', clinic.id, '--module', 'patient_portal');
    assert.equal((await owner.request('GET', '/api/v1/clinic/modules')).body.patient_portal, true);
    await put(owner, { code: clinic.code, permissions: ['view_balance'] });
  });

  for (const field of ['enabled', 'code', 'permissions', 'sms_template_id', 'email_template_id', 'upload_reviewer_id']) {
    test(`a PUT without "${field}" is 422 naming it`, async () => {
      const { clinic, admin } = await clinicWithSessions();
      const before = await admin.request('GET', SETTINGS);
      const body = settingsBody({ code: clinic.code });
      delete body[field];
      const res = await admin.request('PUT', SETTINGS, { body });
      assertProblem(res, 422, 'validation_failed');
      assert.deepEqual(res.body.errors.map((e) => e.field), [field]);
      await assertUnchanged(admin, before, `PUT without ${field}`);
    });
  }

  test('fields of the wrong type are 422 naming them', async () => {
    const { admin } = await clinicWithSessions();
    const cases = [
      [{ enabled: 'yes' }, 'enabled'],
      [{ enabled: null }, 'enabled'],
      [{ code: 42 }, 'code'],
      [{ permissions: 'view_profile' }, 'permissions'],
      [{ permissions: [1] }, 'permissions'],
      [{ sms_template_id: 'not-an-id' }, 'sms_template_id'],
      [{ email_template_id: 7 }, 'email_template_id'],
      [{ upload_reviewer_id: 'x' }, 'upload_reviewer_id'],
    ];
    for (const [overrides, field] of cases) {
      const res = await put(admin, overrides, { expect: null });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(overrides));
      assert.ok(res.body.errors.some((e) => e.field === field), `${JSON.stringify(overrides)}: ${res.text}`);
    }
    assertProblem(await admin.request('PUT', SETTINGS, { body: [] }), 422, 'validation_failed', 'an array body');
  });

  test('an unknown field is 422 naming it (issue 9, item 6), and nothing changes', async () => {
    const { clinic, owner, admin } = await clinicWithSessions();
    const before = await admin.request('GET', SETTINGS);
    for (const extra of [{ enabeld: true }, { version: 7 }, { settings: {} }]) {
      const res = await admin.request('PUT', SETTINGS, { body: { ...settingsBody({ code: clinic.code }), ...extra } });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(extra));
      assert.deepEqual(res.body.errors.map((e) => e.field), Object.keys(extra), JSON.stringify(extra));
    }
    await assertUnchanged(admin, before, 'PUT with an unknown field');
    const modules = (await owner.request('GET', '/api/v1/clinic/modules')).body;
    const pay = await owner.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: true, api_secret: 'x' } });
    assertProblem(pay, 422, 'validation_failed');
    assert.deepEqual(pay.body.errors.map((e) => e.field), ['api_secret']);
    assert.deepEqual((await owner.request('GET', '/api/v1/clinic/modules')).body, modules, 'the refused PUT changed it');
  });

  test('the code is one line of text: surrounding spaces are trimmed, a control character is 422', async () => {
    const { clinic, admin } = await clinicWithSessions();
    const saved = await put(admin, { code: `  ${clinic.code} ` });
    assert.equal(saved.body.settings.code, clinic.code);
    const bad = await put(admin, { code: `${clinic.code}\u001b` }, { expect: null });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['code']);
    // %00 in the query: 400 before any handler reads it.
    assertProblem(await codeCheck(admin, 'abc\u0000def'), 400, 'bad_request');
  });

  test('an unknown permission key is 422; duplicates are ignored', async () => {
    const { clinic, admin } = await clinicWithSessions();
    const bad = await put(admin, { code: clinic.code, permissions: ['view_profile', 'fly_to_the_moon'] }, { expect: null });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['permissions']);
    assert.match(bad.body.errors[0].message, /fly_to_the_moon/);
    const dup = await put(admin, {
      code: clinic.code, permissions: ['view_profile', 'view_balance', 'view_profile', 'view_balance', 'view_profile'],
    });
    assert.deepEqual(sorted(dup.body.settings.permissions), ['view_balance', 'view_profile']);
    assert.deepEqual(sorted((await admin.request('GET', SETTINGS)).body.permissions), ['view_balance', 'view_profile']);
  });

  test('all 19 keys can be saved', async () => {
    const { clinic, admin } = await clinicWithSessions();
    const res = await put(admin, { code: clinic.code, permissions: ALL_KEYS, upload_reviewer_id: admin.staff.id });
    assert.deepEqual(sorted(res.body.settings.permissions), sorted(ALL_KEYS));
  });

  test('enabling without a code is 422 code_required', async () => {
    const { admin } = await clinicWithSessions();
    const before = await admin.request('GET', SETTINGS);
    assertProblem(await put(admin, { enabled: true, code: null }, { expect: null }), 422, 'code_required', 'null code');
    assertProblem(await put(admin, { enabled: true, code: '' }, { expect: null }), 422, 'code_required', 'empty code');
    await assertUnchanged(admin, before, 'code_required');
  });

  test('a clinic created without a code has none, and may choose one', async () => {
    const { admin } = await clinicWithSessions({ code: null });
    assert.equal((await admin.request('GET', SETTINGS)).body.code, null);
    assertProblem(await put(admin, { enabled: true }, { expect: null }), 422, 'code_required');
    const code = newCode('fresh');
    const res = await put(admin, { enabled: true, code, permissions: ['view_profile'] });
    assert.ok(!warningCodes(res).includes('code_changed'), 'choosing a first code is not a change');
    assert.equal((await card(code)).status, 200);
  });
});

describe('If-Match', () => {
  test('a stale If-Match is 412 precondition_failed and changes nothing; the current one saves and answers a new ETag', async () => {
    const { clinic, owner, admin } = await clinicWithSessions();
    const first = await admin.request('GET', SETTINGS);
    const etag1 = first.headers.get('etag');
    const saved = await put(owner, { code: clinic.code, permissions: ['view_profile'] }, { headers: { 'if-match': etag1 } });
    const etag2 = saved.headers.get('etag');
    assert.ok(etag2 && etag2 !== etag1, `a save must answer a new ETag (${etag1} -> ${etag2})`);
    const afterSave = await admin.request('GET', SETTINGS);
    assertProblem(await put(admin, { code: clinic.code, permissions: ['view_balance'] }, { expect: null, headers: { 'if-match': etag1 } }),
      412, 'precondition_failed');
    await assertUnchanged(admin, afterSave, 'stale If-Match');
    const third = await put(admin, { code: clinic.code, permissions: ['view_balance'] }, { headers: { 'if-match': etag2 } });
    assert.notEqual(third.headers.get('etag'), etag2);
    assert.deepEqual(third.body.settings.permissions, ['view_balance']);
  });

  test('two concurrent PUTs with the same If-Match: exactly one 200 and one 412', async () => {
    const { clinic, owner, admin } = await clinicWithSessions();
    for (let round = 0; round < 3; round++) {
      const etag = (await admin.request('GET', SETTINGS)).headers.get('etag');
      const results = await Promise.all([
        put(owner, { code: clinic.code, permissions: ['view_profile'] }, { expect: null, headers: { 'if-match': etag } }),
        put(admin, { code: clinic.code, permissions: ['view_balance'] }, { expect: null, headers: { 'if-match': etag } }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 412], `round ${round}: ${results.map((r) => r.text).join(' | ')}`);
      const winner = results.find((r) => r.status === 200);
      assertProblem(results.find((r) => r.status === 412), 412, 'precondition_failed');
      const now = await admin.request('GET', SETTINGS);
      assert.deepEqual(now.body, winner.body.settings, 'the stored settings are not the winner\'s');
      assert.equal(now.headers.get('etag'), winner.headers.get('etag'));
    }
  });
});

describe('portal code rules', () => {
  const invalid = [
    ['too short', 'ab'],
    ['too long (41)', 'a'.repeat(41)],
    ['uppercase', 'Simple-Dent'],
    ['an underscore', 'simple_dent'],
    ['a leading hyphen', '-simple'],
    ['a trailing hyphen', 'simple-'],
    ['a double hyphen', 'simple--dent'],
    ['a space', 'simple dent'],
    ['a dot', 'simple.dent'],
    ['a slash', 'simple/dent'],
    ['a Turkish letter', 'diş-klinik'],
  ];
  for (const [what, code] of invalid) {
    test(`a code with ${what} is invalid: PUT 422 code_invalid, code-check reason "invalid"`, async () => {
      const { admin } = await clinicWithSessions();
      const before = await admin.request('GET', SETTINGS);
      assertProblem(await put(admin, { code, enabled: true }, { expect: null }), 422, 'code_invalid');
      assertProblem(await put(admin, { code, enabled: false }, { expect: null }), 422, 'code_invalid', 'disabled');
      await assertUnchanged(admin, before, `invalid code ${code}`);
      const check = await codeCheck(admin, code);
      assert.equal(check.status, 200, check.text);
      assert.equal(check.body.code, code);
      assert.equal(check.body.available, false);
      assert.equal(check.body.reason, 'invalid');
      assert.ok(check.body.message, 'a refusal explains itself');
    });
  }

  for (const code of ['api', 'console', 'assets', 'health']) {
    test(`the reserved word "${code}": PUT 422 code_reserved, code-check reason "reserved"`, async () => {
      const { admin } = await clinicWithSessions();
      const before = await admin.request('GET', SETTINGS);
      assertProblem(await put(admin, { code, enabled: true }, { expect: null }), 422, 'code_reserved');
      await assertUnchanged(admin, before, `reserved ${code}`);
      const check = await codeCheck(admin, code);
      assert.equal(check.status, 200);
      assert.deepEqual([check.body.available, check.body.reason], [false, 'reserved']);
      assert.ok(check.body.message);
    });
  }

  test('the length limits are 3 and 40 inclusive', async () => {
    const { admin } = await clinicWithSessions();
    const long = `l${letters(12)}`.padEnd(40, 'x');
    assert.equal(long.length, 40);
    const check = await codeCheck(admin, long);
    assert.deepEqual([check.body.available, check.body.reason, check.body.message, check.body.warnings],
      [true, null, null, []], check.text);
    const saved = await put(admin, { code: long, enabled: true, permissions: ['view_profile'] });
    assert.equal(saved.body.settings.code, long);
    // A 3-character code is well-formed (another run may own it, but never "invalid").
    const short = `q${randomInt(10)}${'abcdefghjk'[randomInt(10)]}`;
    assert.notEqual((await codeCheck(admin, short)).body.reason, 'invalid');
  });

  test('code-check without a code is 422', async () => {
    const { admin } = await clinicWithSessions();
    assertProblem(await admin.request('GET', '/api/v1/clinic/portal/code-check'), 422, 'validation_failed');
  });

  test("another clinic's live code: PUT 409 code_taken, code-check reason \"taken\"", async () => {
    const { owner } = await clinicWithSessions();
    const other = makeClinic({ code: newCode('live') });
    const before = await owner.request('GET', SETTINGS);
    assertProblem(await put(owner, { code: other.code }, { expect: null }), 409, 'code_taken');
    await assertUnchanged(owner, before, 'code_taken');
    const check = await codeCheck(owner, other.code);
    assert.deepEqual([check.body.available, check.body.reason], [false, 'taken']);
  });

  test("another clinic's retired code: PUT 409 code_retired, code-check reason \"retired\"", async () => {
    const { owner } = await clinicWithSessions();
    const other = await clinicWithSessions();
    const old = other.clinic.code;
    await put(other.owner, { code: newCode('moved') });
    assert.equal((await codeCheck(other.owner, old)).body.available, true, 'its own retired code is free to it');
    const before = await owner.request('GET', SETTINGS);
    assertProblem(await put(owner, { code: old, enabled: true }, { expect: null }), 409, 'code_retired');
    await assertUnchanged(owner, before, 'code_retired');
    const check = await codeCheck(owner, old);
    assert.deepEqual([check.body.available, check.body.reason], [false, 'retired']);
  });

  test('two clinics claiming one free code at once: one 200, the other 409 code_taken', async () => {
    const [a, b] = await Promise.all([clinicWithSessions(), clinicWithSessions()]);
    for (let round = 0; round < 3; round++) {
      const code = newCode('race');
      const results = await Promise.all([put(a.owner, { code }, { expect: null }), put(b.owner, { code }, { expect: null })]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], results.map((r) => r.text).join(' | '));
      assertProblem(results.find((r) => r.status === 409), 409, 'code_taken');
    }
  });

  test('a clinic may take its own retired code back, and the old link works again', async () => {
    const { clinic, owner } = await clinicWithSessions();
    const first = clinic.code;
    const second = newCode('second');
    await openPortal(owner, clinic);
    assert.equal((await card(first)).status, 200);
    const changed = await put(owner, { enabled: true, code: second, permissions: ['view_profile'] });
    assert.ok(warningCodes(changed).includes('code_changed'));
    assertProblem(await card(first), 404, 'portal_not_found', 'the retired code');
    const check = await codeCheck(owner, first);
    assert.deepEqual([check.body.available, check.body.reason], [true, null]);
    const back = await put(owner, { enabled: true, code: first, permissions: ['view_profile'] });
    assert.equal(back.body.settings.code, first);
    const res = await card(first);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.code, first);
    assertProblem(await card(second), 404, 'portal_not_found', 'the code given up in turn');
  });

  test('a code with 7 or more digits in a row draws code_looks_personal on code-check and on PUT', async () => {
    const { admin } = await clinicWithSessions();
    const digits = (n) => Array.from({ length: n }, () => randomInt(10)).join('');
    const personal = `tel-5${digits(9)}`;
    const check = await codeCheck(admin, personal);
    assert.equal(check.body.available, true, check.text);
    assert.deepEqual(check.body.warnings.map((w) => w.code), ['code_looks_personal']);
    const saved = await put(admin, { code: personal });
    assert.ok(warningCodes(saved).includes('code_looks_personal'), saved.text);
    // Six digits are not a phone number yet.
    const six = `room-${letters(3)}-${digits(6)}`;
    assert.deepEqual((await codeCheck(admin, six)).body.warnings, []);
    const ok = await put(admin, { code: six });
    assert.ok(!warningCodes(ok).includes('code_looks_personal'), ok.text);
  });

  test('changing the code warns code_changed (count 0 for now); the old card is 404 at once, the new one 200', async () => {
    const { clinic, owner } = await clinicWithSessions();
    const same = await openPortal(owner, clinic);
    assert.ok(!warningCodes(same).includes('code_changed'), 'no change, no code_changed');
    assert.equal((await card(clinic.code)).status, 200);
    const next = newCode('next');
    const res = await put(owner, { enabled: true, code: next, permissions: ['view_profile'] });
    const w = warning(res, 'code_changed');
    assert.ok(w, res.text);
    assert.equal(w.count, 0, 'nobody was invited yet');
    assert.ok(w.message);
    const old = await card(clinic.code);
    assertProblem(old, 404, 'portal_not_found', 'old code');
    const now = await card(next);
    assert.equal(now.status, 200, now.text);
    assert.equal(now.body.code, next);
    // Saving again under the new code is no change.
    const again = await put(owner, { enabled: true, code: next, permissions: ['view_profile'] });
    assert.ok(!warningCodes(again).includes('code_changed'));
  });
});

describe('warnings', () => {
  const pairCases = [
    ['create without view', ['create_appointment'], 'appointments_without_view', ['create_appointment', 'view_appointments']],
    ['cancel without view', ['cancel_appointment'], 'appointments_without_view', ['cancel_appointment', 'view_appointments']],
    ['create and cancel without view', ['create_appointment', 'cancel_appointment'], 'appointments_without_view',
      ['cancel_appointment', 'create_appointment', 'view_appointments']],
    ['submit forms without view', ['submit_forms'], 'forms_without_view', ['submit_forms', 'view_forms']],
  ];
  for (const [what, permissions, code, keys] of pairCases) {
    test(`${what}: ${code} naming ${keys.join(', ')}; gone with the view permission`, async () => {
      const { clinic, admin } = await clinicWithSessions();
      const res = await put(admin, { code: clinic.code, permissions });
      const w = warning(res, code);
      assert.ok(w, `no ${code}: ${res.text}`);
      assert.deepEqual(sorted(w.permissions), sorted(keys));
      assert.ok(w.message);
      assert.deepEqual(sorted(res.body.settings.permissions), sorted(permissions), 'a warning does not stop the save');
      const view = code === 'forms_without_view' ? 'view_forms' : 'view_appointments';
      const fixed = await put(admin, { code: clinic.code, permissions: [...permissions, view] });
      assert.deepEqual(fixed.body.warnings, []);
    });
  }

  test('make_payment with inactive payment infrastructure warns until the owner activates it; admin may not', async () => {
    const { clinic, owner, admin } = await clinicWithSessions();
    const modules = await admin.request('GET', '/api/v1/clinic/modules');
    assert.deepEqual(modules.body.payment_infrastructure.active, false);
    const res = await put(admin, { code: clinic.code, permissions: ['make_payment', 'view_balance', 'view_invoices'] });
    const w = warning(res, 'payment_infrastructure_inactive');
    assert.ok(w, res.text);
    assert.deepEqual(w.permissions, ['make_payment']);
    assert.deepEqual(warningCodes(res), ['payment_infrastructure_inactive']);
    // Without make_payment there is nothing to warn about.
    assert.deepEqual((await put(admin, { code: clinic.code, permissions: ['view_balance'] })).body.warnings, []);

    const creds = { merchant_id: 'm-1', secret: 'dev-secret-1' };
    assertProblem(await admin.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: true, credentials: creds } }), 403, 'forbidden_role', 'admin');
    assertProblem(await withKey(makeApiKey(clinic.id, 'read,write')).request('PUT', PAYMENT, { body: { provider: 'devgateway', active: true, credentials: creds } }),
      403, 'forbidden_role', 'write key');
    assert.equal((await admin.request('GET', '/api/v1/clinic/modules')).body.payment_infrastructure.active, false);
    const bad = await owner.request('PUT', PAYMENT, { body: { provider: '', active: 'yes' } });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(sorted(bad.body.errors.map((e) => e.field)), ['active', 'provider']);
    const on = await owner.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: true, credentials: creds } });
    assert.equal(on.status, 200, on.text);
    assert.deepEqual([on.body.provider, on.body.active, on.body.credentials_set], ['devgateway', true, true]);
    assert.deepEqual((await admin.request('GET', '/api/v1/clinic/modules')).body.payment_infrastructure,
      { provider: 'devgateway', active: true });
    const quiet = await put(admin, { code: clinic.code, permissions: ['make_payment', 'view_balance', 'view_invoices'] });
    assert.deepEqual(quiet.body.warnings, []);
    // Switched off again, the warning is back.
    assert.equal((await owner.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: false } })).status, 200);
    const again = await put(admin, { code: clinic.code, permissions: ['make_payment'] });
    assert.ok(warningCodes(again).includes('payment_infrastructure_inactive'));
  });

  test('upload_documents without a reviewer warns; naming the admin silences it; an unknown or foreign id is 422', async () => {
    const { clinic, admin } = await clinicWithSessions();
    const res = await put(admin, { code: clinic.code, permissions: ['upload_documents', 'view_documents'] });
    const w = warning(res, 'uploads_without_reviewer');
    assert.ok(w, res.text);
    assert.deepEqual(w.permissions, ['upload_documents']);
    const named = await put(admin, {
      code: clinic.code, permissions: ['upload_documents', 'view_documents'], upload_reviewer_id: admin.staff.id,
    });
    assert.deepEqual(named.body.warnings, []);
    assert.equal(named.body.settings.upload_reviewer_id, admin.staff.id);
    const before = await admin.request('GET', SETTINGS);
    const other = await signIn(makeClinic().logins.admin);
    for (const [what, id] of [['a random uuid', randomUUID()], ["another clinic's admin", other.staff.id]]) {
      const bad = await put(admin, {
        code: clinic.code, permissions: ['upload_documents', 'view_documents'], upload_reviewer_id: id,
      }, { expect: null });
      assertProblem(bad, 422, 'validation_failed', what);
      assert.deepEqual(bad.body.errors.map((e) => e.field), ['upload_reviewer_id'], what);
    }
    await assertUnchanged(admin, before, 'bad reviewer');
  });

  test('disabling the reviewer brings the warning back; a disabled member cannot be chosen, but may stay chosen', async () => {
    const { clinic, admin, owner } = await clinicWithSessions();
    const perms = ['upload_documents', 'view_documents'];
    const staffList = (await owner.request('GET', '/api/v1/clinic/staff')).body.items;
    const reviewer = staffList.find((m) => m.role === 'staff');
    const named = await put(admin, { code: clinic.code, permissions: perms, upload_reviewer_id: reviewer.id });
    assert.deepEqual(named.body.warnings, []);
    const off = await owner.request('PATCH', `/api/v1/clinic/staff/${reviewer.id}`, { body: { active: false } });
    assert.equal(off.status, 200, off.text);
    // Saving the rest of the settings still works, and says the reviewer cannot review.
    const kept = await put(admin, { code: clinic.code, permissions: perms, upload_reviewer_id: reviewer.id });
    assert.deepEqual(warningCodes(kept), ['uploads_without_reviewer']);
    assert.equal(kept.body.settings.upload_reviewer_id, reviewer.id);
    // A disabled member is not a new choice.
    const cleared = await put(admin, { code: clinic.code, permissions: perms, upload_reviewer_id: null });
    assert.equal(cleared.body.settings.upload_reviewer_id, null);
    const refused = await put(admin, { code: clinic.code, permissions: perms, upload_reviewer_id: reviewer.id },
      { expect: null });
    assertProblem(refused, 422, 'validation_failed');
    assert.deepEqual(refused.body.errors.map((e) => e.field), ['upload_reviewer_id']);
    // Enabled again, they can be chosen, and the warning goes.
    assert.equal((await owner.request('PATCH', `/api/v1/clinic/staff/${reviewer.id}`, { body: { active: true } })).status, 200);
    const back = await put(admin, { code: clinic.code, permissions: perms, upload_reviewer_id: reviewer.id });
    assert.deepEqual(back.body.warnings, []);
  });

  test('several warnings at once, each naming its own permissions', async () => {
    const { clinic, admin } = await clinicWithSessions();
    const res = await put(admin, {
      code: clinic.code, permissions: ['create_appointment', 'submit_forms', 'make_payment', 'upload_documents'],
    });
    assert.deepEqual(sorted(warningCodes(res)), ['appointments_without_view', 'forms_without_view',
      'payment_infrastructure_inactive', 'uploads_without_reviewer']);
  });
});

describe('the public clinic card', () => {
  test('answers 200 with name, languages and the actions on offer when enabled, with module and code', async () => {
    const { clinic, admin } = await clinicWithSessions();
    await openPortal(admin, clinic, ['view_profile', 'view_appointments', 'create_appointment']);
    const res = await card(clinic.code);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.code, clinic.code);
    assert.equal(res.body.name, clinic.name);
    assert.ok(res.body.languages.length >= 1);
    assert.ok(res.body.languages.includes(res.body.default_language));
    assert.deepEqual(sorted(res.body.actions), ['create_appointment', 'view_appointments', 'view_profile']);
    // Nothing of the clinic's inner workings.
    assert.ok(!res.text.includes(clinic.id), 'the card exposes the clinic id');
  });

  test('answers the same 404 portal_not_found for an unknown, disabled, module-less or retired code', async () => {
    const unknown = await card(newCode('nobody'));
    assertProblem(unknown, 404, 'portal_not_found', 'unknown');

    const disabled = makeClinic({ code: newCode('off') });
    const disabledRes = await card(disabled.code);

    const noModule = await clinicWithSessions();
    await openPortal(noModule.owner, noModule.clinic);
    assert.equal((await card(noModule.clinic.code)).status, 200);
    portalctl('revoke-module', '--clinic', noModule.clinic.id, '--module', 'patient_portal');
    const noModuleRes = await card(noModule.clinic.code);

    const retired = await clinicWithSessions();
    await openPortal(retired.owner, retired.clinic);
    await put(retired.owner, { enabled: true, code: newCode('renamed'), permissions: ['view_profile'] });
    const retiredRes = await card(retired.clinic.code);

    const switchedOff = await clinicWithSessions();
    await openPortal(switchedOff.owner, switchedOff.clinic);
    await put(switchedOff.owner, { enabled: false, code: switchedOff.clinic.code });
    const switchedOffRes = await card(switchedOff.clinic.code);

    const cases = [['disabled', disabledRes], ['without module', noModuleRes], ['retired', retiredRes],
      ['switched off', switchedOffRes], ['malformed', await card('Not_A_Code')], ['reserved', await card('console')]];
    for (const [what, res] of cases) {
      assertProblem(res, 404, 'portal_not_found', what);
      assert.deepEqual(res.body, unknown.body, `${what}: the 404 differs from an unknown code's`);
    }
  });
});

describe('catalog and presets', () => {
  test('the catalog lists the 19 keys in their 7 groups, in order, with Turkish and English texts', async () => {
    const { clinic } = await clinicWithSessions();
    const s = await signIn(clinic.logins.staff);
    const res = await s.request('GET', '/api/v1/clinic/portal/permissions');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.groups.map((g) => [g.key, g.permissions.map((p) => p.key)]), GROUPS);
    const nonEmpty = (label, what) => {
      for (const lang of ['tr', 'en']) assert.ok(label?.[lang]?.trim(), `${what}: ${lang} text missing`);
    };
    for (const g of res.body.groups) {
      nonEmpty(g.label, `group ${g.key}`);
      for (const p of g.permissions) {
        nonEmpty(p.label, `${p.key} label`);
        nonEmpty(p.description, `${p.key} description`);
        for (const k of p.recommended_with) assert.ok(ALL_KEYS.includes(k) && k !== p.key, `${p.key} recommends ${k}`);
      }
    }
    const byKey = Object.fromEntries(res.body.groups.flatMap((g) => g.permissions).map((p) => [p.key, p]));
    assert.ok(byKey.create_appointment.recommended_with.includes('view_appointments'));
    assert.ok(byKey.cancel_appointment.recommended_with.includes('view_appointments'));
    assert.ok(byKey.submit_forms.recommended_with.includes('view_forms'));
    // An API key reads the catalog too.
    assert.deepEqual((await withKey(makeApiKey(clinic.id, 'read')).request('GET', '/api/v1/clinic/portal/permissions')).body, res.body);
  });

  test('the presets are exactly the guide\'s basic, finance and full, each key in permissions or in optional, never both', async () => {
    const { admin } = await clinicWithSessions();
    const res = await admin.request('GET', '/api/v1/clinic/portal/presets');
    assert.equal(res.status, 200, res.text);
    const expected = {
      basic: {
        required: ['view_profile', 'view_appointments', 'create_appointment'],
        optional: ['cancel_appointment'],
      },
      finance: {
        required: ['view_appointments', 'view_invoices', 'view_balance', 'view_payments'],
        optional: ['make_payment'],
      },
      full: {
        required: ['view_profile', 'update_profile', 'view_appointments', 'create_appointment', 'cancel_appointment',
          'view_treatments', 'view_invoices', 'view_balance', 'view_payments', 'make_payment', 'view_documents',
          'download_documents', 'view_messages', 'send_message', 'view_forms', 'submit_forms'],
        optional: ['upload_documents'],
      },
    };
    assert.deepEqual(res.body.items.map((p) => p.key), ['basic', 'finance', 'full']);
    for (const p of res.body.items) {
      const want = expected[p.key];
      assert.deepEqual(sorted(p.optional), sorted(want.optional), `${p.key}: optional members`);
      // "permissions" holds exactly the members the preset always sets: a key is in one list, never both.
      assert.deepEqual(sorted(p.permissions), sorted(want.required), `${p.key}: the members it always sets`);
      for (const k of p.optional) assert.ok(!p.permissions.includes(k), `${p.key} lists ${k} in both lists`);
      assert.equal(new Set(p.permissions).size, p.permissions.length, `${p.key}: duplicate keys`);
      for (const lang of ['tr', 'en']) assert.ok(p.label?.[lang]?.trim(), `${p.key}: ${lang} label missing`);
    }
    const full = res.body.items.find((p) => p.key === 'full');
    for (const k of ['upload_photo', 'view_images']) {
      assert.ok(!full.permissions.includes(k) && !full.optional.includes(k), `full must leave out ${k}`);
    }
  });
});
