// The clinic's payment infrastructure (DESIGN.md section 12): GET answers {provider, active,
// credentials_set, updated_at} to every role and never the credentials; PUT (owner only)
// takes {provider: "devgateway" | "paytr", active, credentials?}, each provider's credential
// fields checked, sealed at rest with the server's payment_key (nonce || secretbox), kept
// while the provider stays and dropped when it changes; active on without credentials is 422.
// POST .../test (owner) runs a test checkout and answers {ok, step, detail} in plain words.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertProblem, psql } from './lib/client.mjs';
import { makeApiKey, makeClinic, signIn, unique, withKey } from './lib/fixtures.mjs';

const PAYMENT = '/api/v1/clinic/payment-infrastructure';
const TEST = `${PAYMENT}/test`;
const fields = (res) => res.body.errors.map((e) => e.field).sort();

async function clinicWithSessions() {
  const clinic = makeClinic();
  const [owner, admin, staff] = await Promise.all(['owner', 'admin', 'staff'].map((r) => signIn(clinic.logins[r])));
  return { clinic, owner, admin, staff };
}

// Credentials of each provider, unique per test so that a leak is recognisable.
function devCreds() {
  const u = unique();
  return { merchant_id: `merchant-${u}`, secret: `secret-${u}-Ş` };
}
function paytrCreds() {
  const u = unique();
  return { merchant_id: `pm-${u}`, merchant_key: `key-${u}`, merchant_salt: `salt-${u}` };
}

function assertNoSecrets(res, creds, what) {
  for (const v of Object.values(creds)) {
    assert.ok(!res.text.includes(v), `${what}: ${v} answered in ${res.text}`);
  }
}

// The stored column, as the database superuser sees it: hex of nonce || ciphertext.
function storedHex(clinicId) {
  return psql(`SELECT encode(credentials, 'hex') FROM payment_infrastructure WHERE clinic_id = '${clinicId}'`);
}

describe('GET payment-infrastructure', () => {
  test('before anything is saved: provider null, inactive, no credentials, updated_at null; every role may read', async () => {
    const { owner, admin, staff } = await clinicWithSessions();
    for (const [who, s] of [['owner', owner], ['admin', admin], ['staff', staff]]) {
      const res = await s.request('GET', PAYMENT);
      assert.equal(res.status, 200, `${who}: ${res.text}`);
      assert.deepEqual(res.body, { provider: null, active: false, credentials_set: false, updated_at: null }, who);
    }
  });

  test('answers credentials_set and updated_at, never the credentials, to the owner, admin, staff and an API key', async () => {
    const { clinic, owner, admin, staff } = await clinicWithSessions();
    const creds = devCreds();
    const put = await owner.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: true, credentials: creds } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.provider, 'devgateway');
    assert.equal(put.body.active, true);
    assert.equal(put.body.credentials_set, true);
    assert.match(put.body.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(Object.keys(put.body).sort(), ['active', 'credentials_set', 'provider', 'updated_at']);
    assertNoSecrets(put, creds, 'PUT');
    const key = withKey(makeApiKey(clinic.id, 'read'));
    for (const [who, s] of [['owner', owner], ['admin', admin], ['staff', staff], ['read key', key]]) {
      const res = await s.request('GET', PAYMENT);
      assert.equal(res.status, 200, `${who}: ${res.text}`);
      assert.deepEqual(res.body, put.body, who);
      assertNoSecrets(res, creds, who);
    }
    const modules = await admin.request('GET', '/api/v1/clinic/modules');
    assert.deepEqual(modules.body.payment_infrastructure, { provider: 'devgateway', active: true });
  });
});

describe('PUT payment-infrastructure', () => {
  test('only the owner: an admin, staff and a write API key are 403 forbidden_role, and nothing changes', async () => {
    const { clinic, admin, staff, owner } = await clinicWithSessions();
    const body = { provider: 'devgateway', active: false, credentials: devCreds() };
    assertProblem(await admin.request('PUT', PAYMENT, { body }), 403, 'forbidden_role', 'admin');
    assertProblem(await staff.request('PUT', PAYMENT, { body }), 403, 'forbidden_role', 'staff');
    assertProblem(await withKey(makeApiKey(clinic.id, 'read,write')).request('PUT', PAYMENT, { body }),
      403, 'forbidden_role', 'write key');
    assert.deepEqual((await owner.request('GET', PAYMENT)).body,
      { provider: null, active: false, credentials_set: false, updated_at: null });
  });

  test('the credentials are stored sealed: nonce (24) + MAC (16) + the JSON, none of it in clear, a new nonce each time', async () => {
    const { clinic, owner } = await clinicWithSessions();
    const creds = devCreds();
    const body = { provider: 'devgateway', active: false, credentials: creds };
    assert.equal((await owner.request('PUT', PAYMENT, { body })).status, 200);
    const first = storedHex(clinic.id);
    const plain = JSON.stringify({ merchant_id: creds.merchant_id, secret: creds.secret });
    assert.equal(first.length / 2, 24 + 16 + Buffer.byteLength(plain));
    for (const v of Object.values(creds)) {
      assert.ok(!first.includes(Buffer.from(v).toString('hex')), `${v} stored in clear`);
    }
    assert.equal((await owner.request('PUT', PAYMENT, { body })).status, 200);
    const second = storedHex(clinic.id);
    assert.equal(second.length, first.length);
    assert.notEqual(second.slice(0, 48), first.slice(0, 48), 'the nonce was reused');
  });

  test('provider must be devgateway or paytr; active is required; unknown fields are 422', async () => {
    const { owner } = await clinicWithSessions();
    for (const provider of ['iyzico', '', 'DEVGATEWAY', null, 7]) {
      const res = await owner.request('PUT', PAYMENT, { body: { provider, active: false } });
      assertProblem(res, 422, 'validation_failed', `provider ${provider}`);
      assert.deepEqual(fields(res), ['provider'], `provider ${provider}`);
    }
    const noActive = await owner.request('PUT', PAYMENT, { body: { provider: 'paytr' } });
    assertProblem(noActive, 422, 'validation_failed');
    assert.deepEqual(fields(noActive), ['active']);
    const extra = await owner.request('PUT', PAYMENT, { body: { provider: 'paytr', active: false, mode: 'live' } });
    assertProblem(extra, 422, 'validation_failed');
    assert.deepEqual(fields(extra), ['mode']);
    assert.equal((await owner.request('GET', PAYMENT)).body.provider, null, 'a refused PUT saved something');
  });

  test("each provider's credentials: its fields, all required, strings of 1 to 200 characters, no others", async () => {
    const { owner } = await clinicWithSessions();
    const cases = [
      ['devgateway without secret', 'devgateway', { merchant_id: 'm' }, ['credentials.secret']],
      ['devgateway with an unknown field', 'devgateway', { ...devCreds(), extra: 'x' }, ['credentials.extra']],
      ["devgateway given PayTR's fields", 'devgateway', paytrCreds(), ['credentials.merchant_key', 'credentials.merchant_salt', 'credentials.secret']],
      ['paytr without merchant_salt', 'paytr', { merchant_id: '1', merchant_key: 'k' }, ['credentials.merchant_salt']],
      ["paytr given devgateway's fields", 'paytr', devCreds(), ['credentials.merchant_key', 'credentials.merchant_salt', 'credentials.secret']],
      ['an empty merchant_id', 'devgateway', { merchant_id: '  ', secret: 's' }, ['credentials.merchant_id']],
      ['a secret of 201 characters', 'devgateway', { merchant_id: 'm', secret: 'x'.repeat(201) }, ['credentials.secret']],
      ['a number', 'paytr', { merchant_id: 12345, merchant_key: 'k', merchant_salt: 's' }, ['credentials.merchant_id']],
      ['a line feed', 'paytr', { merchant_id: '1', merchant_key: 'k\nk', merchant_salt: 's' }, ['credentials.merchant_key']],
      ['not an object', 'paytr', 'id:key:salt', ['credentials']],
    ];
    for (const [what, provider, credentials, want] of cases) {
      const res = await owner.request('PUT', PAYMENT, { body: { provider, active: false, credentials } });
      assertProblem(res, 422, 'validation_failed', what);
      assert.deepEqual(fields(res), want.sort(), what);
    }
    // 200 characters is the limit, not past it.
    const long = { merchant_id: 'm'.repeat(200), merchant_key: 'k'.repeat(200), merchant_salt: 's'.repeat(200) };
    const ok = await owner.request('PUT', PAYMENT, { body: { provider: 'paytr', active: false, credentials: long } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.credentials_set, true);
  });

  test('turning active on without credentials is 422 naming credentials, and nothing is saved', async () => {
    const { owner } = await clinicWithSessions();
    for (const provider of ['devgateway', 'paytr']) {
      const res = await owner.request('PUT', PAYMENT, { body: { provider, active: true } });
      assertProblem(res, 422, 'validation_failed', provider);
      assert.deepEqual(fields(res), ['credentials'], provider);
    }
    assert.deepEqual((await owner.request('GET', PAYMENT)).body,
      { provider: null, active: false, credentials_set: false, updated_at: null });
  });

  test('credentials are kept while the provider stays, dropped when it changes; then active needs new ones', async () => {
    const { clinic, owner } = await clinicWithSessions();
    const creds = devCreds();
    assert.equal((await owner.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: false, credentials: creds } })).status, 200);
    const sealed = storedHex(clinic.id);
    // Off and on again without credentials: the saved ones stay, unchanged.
    const on = await owner.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: true } });
    assert.equal(on.status, 200, on.text);
    assert.deepEqual([on.body.active, on.body.credentials_set], [true, true]);
    assert.equal(storedHex(clinic.id), sealed);
    // Another provider: devgateway's credentials do not fit it and are dropped.
    const paytrOff = await owner.request('PUT', PAYMENT, { body: { provider: 'paytr', active: false } });
    assert.equal(paytrOff.status, 200, paytrOff.text);
    assert.deepEqual([paytrOff.body.provider, paytrOff.body.active, paytrOff.body.credentials_set], ['paytr', false, false]);
    assert.equal(storedHex(clinic.id), '');
    assertProblem(await owner.request('PUT', PAYMENT, { body: { provider: 'paytr', active: true } }), 422, 'validation_failed');
    // Back to devgateway: the old credentials are gone for good.
    assertProblem(await owner.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: true } }), 422, 'validation_failed');
    const withNew = await owner.request('PUT', PAYMENT, { body: { provider: 'paytr', active: true, credentials: paytrCreds() } });
    assert.equal(withNew.status, 200, withNew.text);
    assert.deepEqual([withNew.body.provider, withNew.body.active, withNew.body.credentials_set], ['paytr', true, true]);
  });

  test('the audit row says what changed and that credentials were replaced, never the credentials', async () => {
    const { owner } = await clinicWithSessions();
    const creds = paytrCreds();
    const put = await owner.request('PUT', PAYMENT, { body: { provider: 'paytr', active: true, credentials: creds } });
    assert.equal(put.status, 200, put.text);
    const audit = await owner.request('GET', '/api/v1/clinic/audit?limit=5');
    assert.equal(audit.status, 200, audit.text);
    const row = audit.body.items.find((e) => e.action === 'payment_infrastructure.update');
    assert.ok(row, audit.text);
    assert.deepEqual(row.after, { provider: 'paytr', active: true, credentials_set: true, credentials_changed: true });
    assertNoSecrets(audit, creds, 'audit');
  });
});

describe('POST payment-infrastructure/test', () => {
  test('owner only; with nothing saved it answers ok false at step "setup" in plain words', async () => {
    const { owner, admin } = await clinicWithSessions();
    assertProblem(await admin.request('POST', TEST), 403, 'forbidden_role');
    const res = await owner.request('POST', TEST);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.step, 'setup');
    assert.match(res.body.detail, /credentials/);
  });

  test("credentials the provider does not know fail at a named step, and the answer holds none of them", async () => {
    const { owner } = await clinicWithSessions();
    const creds = devCreds();
    assert.equal((await owner.request('PUT', PAYMENT, { body: { provider: 'devgateway', active: true, credentials: creds } })).status, 200);
    const res = await owner.request('POST', TEST);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, false);
    // The stack's sink knows no such merchant (DESIGN.md section 12: 404 unknown_merchant).
    assert.equal(res.body.step, 'merchant', res.text);
    assert.ok(res.body.detail.length > 0);
    assertNoSecrets(res, creds, 'test');
  });
});
