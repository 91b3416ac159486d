// Staff sign-in and API keys (DESIGN.md sections 2 and 10): the login answer and its cookie
// (HttpOnly, SameSite=Strict, Path=/api/v1/clinic/, no Secure on the loopback stack), one
// answer for a wrong password and an unknown address, 422 for bad bodies; `me` for a staff
// session (its csrf_token) and for an API key (its scopes); 401 without or with bad
// credentials; CSRF on cookie-authenticated changes; what each API key scope may do; revoked
// and unknown keys; logout (audited, the cookie dead at once); idle and absolute session
// expiry; an inactive staff member locked out.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { api, assertProblem, confValue, psql } from './lib/client.mjs';
import {
  makeApiKey, makeClinic, settingsBody, signIn, withKey,
} from './lib/fixtures.mjs';

const LOGIN = '/api/v1/clinic/auth/login';
const LOGOUT = '/api/v1/clinic/auth/logout';
const ME = '/api/v1/clinic/me';
const SETTINGS = '/api/v1/clinic/portal/settings';

// The database stores tokens and key secrets as SHA-256; this is how a test finds their row.
const sha256Bytea = (secret) => `decode('${createHash('sha256').update(secret).digest('hex')}', 'hex')`;
const tokenOf = (cookie) => cookie.slice('portal_staff='.length);
const problemFields = ({ type, title, status, detail, code }) => ({ type, title, status, detail, code });
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field);

// GET me with a bare cookie header.
const meWithCookie = (cookie) => api('GET', ME, { headers: { cookie } });

describe('sign-in', () => {
  test('login answers {staff, csrf_token} and sets the portal_staff cookie', async () => {
    const clinic = makeClinic();
    const res = await api('POST', LOGIN, { body: clinic.logins.admin });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.staff.role, 'admin');
    assert.match(res.body.staff.id, /^[0-9a-f-]{36}$/);
    assert.ok(res.body.staff.name, 'staff name');
    assert.ok(res.body.csrf_token?.length >= 16, 'csrf_token too short');
    const setCookie = res.headers.get('set-cookie') ?? '';
    const attrs = setCookie.split(';').map((s) => s.trim());
    assert.match(attrs[0], /^portal_staff=[A-Za-z0-9_-]{20,}$/, setCookie);
    const lower = attrs.slice(1).map((a) => a.toLowerCase());
    assert.ok(lower.includes('httponly'), `HttpOnly missing: ${setCookie}`);
    assert.ok(lower.includes('samesite=strict'), `SameSite=Strict missing: ${setCookie}`);
    assert.ok(attrs.includes('Path=/api/v1/clinic/'), `Path=/api/v1/clinic/ missing: ${setCookie}`);
    assert.ok(!lower.includes('secure'), `Secure must be off on the plain-http loopback stack: ${setCookie}`);
    // The cookie value itself is never stored: only its hash.
    const token = tokenOf(attrs[0]);
    assert.equal(psql(`SELECT count(*) FROM staff_sessions WHERE token_hash = ${sha256Bytea(token)}`), '1');
    assert.equal(psql(`SELECT count(*) FROM staff_sessions s WHERE strpos(row_to_json(s)::text, '${token}') > 0`), '0');
  });

  test('a wrong password and an unknown address get the same 401 answer', async () => {
    const clinic = makeClinic();
    const wrong = await api('POST', LOGIN, { body: { email: clinic.logins.staff.email, password: 'not-the-password' } });
    const unknown = await api('POST', LOGIN, { body: { email: `nobody-${randomBytes(4).toString('hex')}@clinic.test`, password: 'whatever-it-is' } });
    assertProblem(wrong, 401, 'not_authenticated', 'wrong password');
    assertProblem(unknown, 401, 'not_authenticated', 'unknown email');
    assert.deepEqual(problemFields(wrong.body), problemFields(unknown.body));
    assert.deepEqual(Object.keys(wrong.body).sort(), Object.keys(unknown.body).sort());
    assert.equal(wrong.headers.get('set-cookie'), null, 'no cookie on a failed sign-in');
    // The address is compared case-insensitively.
    const upper = await api('POST', LOGIN, { body: { ...clinic.logins.staff, email: clinic.logins.staff.email.toUpperCase() } });
    assert.equal(upper.status, 200, upper.text);
  });

  const badBodies = [
    ['an empty object', {}, ['email', 'password']],
    ['no password', (c) => ({ email: c.email }), ['password']],
    ['no email', (c) => ({ password: c.password }), ['email']],
    ['a number for the email', (c) => ({ email: 42, password: c.password }), ['email']],
    ['empty strings', { email: '', password: '' }, ['email', 'password']],
    ['null password', (c) => ({ email: c.email, password: null }), ['password']],
  ];
  for (const [what, body, fields] of badBodies) {
    test(`login with ${what} answers 422 naming ${fields.join(' and ')}`, async () => {
      const clinic = makeClinic();
      const res = await api('POST', LOGIN, { body: typeof body === 'function' ? body(clinic.logins.staff) : body });
      assertProblem(res, 422, 'validation_failed');
      assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0, 'errors[] missing');
      for (const f of fields) assert.ok(fieldsOf(res).includes(f), `errors do not name ${f}: ${res.text}`);
    });
  }

  test('a JSON body that is not an object answers 422', async () => {
    const res = await api('POST', LOGIN, { body: ['email', 'password'] });
    assertProblem(res, 422, 'validation_failed');
    assert.ok(Array.isArray(res.body.errors));
  });
});

describe('me', () => {
  test('for a staff session: staff, clinic and the csrf_token of the login', async () => {
    const clinic = makeClinic();
    const s = await signIn(clinic.logins.owner);
    const res = await s.request('GET', ME);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.csrf_token, s.csrf, 'me must answer the same csrf_token as the login');
    assert.deepEqual(res.body.staff, s.staff);
    assert.equal(res.body.staff.role, 'owner');
    assert.deepEqual(res.body.clinic, { id: clinic.id, name: clinic.name, time_zone: 'Europe/Istanbul', currency: 'TRY' });
    assert.equal(res.body.api_key, undefined);
  });

  for (const scopes of ['read', 'read,write', 'admin']) {
    test(`for an API key with scopes ${scopes}: the key and its scopes, no staff, no csrf_token`, async () => {
      const clinic = makeClinic();
      const res = await withKey(makeApiKey(clinic.id, scopes)).request('GET', ME);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual([...res.body.api_key.scopes].sort(), scopes.split(',').sort());
      assert.match(res.body.api_key.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(res.body.clinic, { id: clinic.id, name: clinic.name, time_zone: 'Europe/Istanbul', currency: 'TRY' });
      assert.equal(res.body.staff, undefined);
      assert.equal(res.body.csrf_token, undefined);
    });
  }

  test('without credentials: 401 not_authenticated', async () => {
    assertProblem(await api('GET', ME), 401, 'not_authenticated');
    assertProblem(await api('GET', SETTINGS), 401, 'not_authenticated');
    assertProblem(await api('PUT', SETTINGS, { body: settingsBody() }), 401, 'not_authenticated');
  });

  test('a garbage or forged cookie: 401 not_authenticated', async () => {
    const clinic = makeClinic();
    const s = await signIn(clinic.logins.staff);
    const token = tokenOf(s.cookie);
    const forged = [...token].map((c, i) => (i === 5 ? (c === 'A' ? 'B' : 'A') : c)).join('');
    for (const cookie of ['portal_staff=garbage', 'portal_staff=', `portal_staff=${forged}`,
      `portal_staff=${token}x`, `portal_staff=${'A'.repeat(token.length)}`]) {
      assertProblem(await meWithCookie(cookie), 401, 'not_authenticated', cookie);
    }
    // The real one still works, also among other cookies.
    assert.equal((await meWithCookie(`other=1; ${s.cookie}; x=y`)).status, 200);
  });
});

describe('CSRF', () => {
  test('a cookie-authenticated PUT without or with a wrong X-CSRF-Token is 403 csrf_failed and changes nothing', async () => {
    const clinic = makeClinic();
    const s = await signIn(clinic.logins.owner);
    const before = await s.request('GET', SETTINGS);
    assert.equal(before.status, 200);
    const body = settingsBody({ code: clinic.code, permissions: ['view_profile'] });
    const attempts = [
      ['no token', { cookie: s.cookie }],
      ['a wrong token', { cookie: s.cookie, 'x-csrf-token': `${s.csrf.slice(0, -1)}${s.csrf.endsWith('A') ? 'B' : 'A'}` }],
      ['an empty token', { cookie: s.cookie, 'x-csrf-token': '' }],
      ['the cookie value as the token', { cookie: s.cookie, 'x-csrf-token': tokenOf(s.cookie) }],
    ];
    for (const [what, headers] of attempts) {
      assertProblem(await api('PUT', SETTINGS, { body, headers }), 403, 'csrf_failed', what);
    }
    // Another session's token does not fit this session either.
    const other = await signIn(clinic.logins.admin);
    assertProblem(await api('PUT', SETTINGS, { body, headers: { cookie: s.cookie, 'x-csrf-token': other.csrf } }),
      403, 'csrf_failed', "another session's token");
    assertProblem(await api('PUT', '/api/v1/clinic/payment-infrastructure',
      { body: { provider: 'devgateway', active: true, credentials: { merchant_id: 'm-1', secret: 'dev-secret-1' } }, headers: { cookie: s.cookie } }), 403, 'csrf_failed',
      'payment infrastructure');
    assertProblem(await api('POST', LOGOUT, { headers: { cookie: s.cookie } }), 403, 'csrf_failed', 'logout');
    const after = await s.request('GET', SETTINGS);
    assert.deepEqual(after.body, before.body, 'the settings changed');
    assert.equal(after.headers.get('etag'), before.headers.get('etag'), 'the ETag changed');
    assert.equal((await s.request('GET', '/api/v1/clinic/modules')).body.payment_infrastructure.active, false);
    // The session survived the refused logout, and the right token works.
    const ok = await s.request('PUT', SETTINGS, { body });
    assert.equal(ok.status, 200, ok.text);
  });

  test('GET needs no CSRF token', async () => {
    const clinic = makeClinic();
    const s = await signIn(clinic.logins.staff);
    assert.equal((await meWithCookie(s.cookie)).status, 200);
  });
});

describe('API keys', () => {
  test('a read key may GET the settings but not PUT them', async () => {
    const clinic = makeClinic();
    const key = withKey(makeApiKey(clinic.id, 'read'));
    const got = await key.request('GET', SETTINGS);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.code, clinic.code);
    assertProblem(await key.request('PUT', SETTINGS, { body: settingsBody({ code: clinic.code }) }), 403, 'forbidden_role');
  });

  test('a write key may not PUT the settings (admin needed), nor the payment infrastructure', async () => {
    const clinic = makeClinic();
    const key = withKey(makeApiKey(clinic.id, 'read,write'));
    assert.equal((await key.request('GET', SETTINGS)).status, 200);
    assertProblem(await key.request('PUT', SETTINGS, { body: settingsBody({ code: clinic.code }) }), 403, 'forbidden_role');
    assertProblem(await key.request('PUT', '/api/v1/clinic/payment-infrastructure',
      { body: { provider: 'devgateway', active: true, credentials: { merchant_id: 'm-1', secret: 'dev-secret-1' } } }), 403, 'forbidden_role');
  });

  test('an admin key may PUT the settings, without any CSRF token', async () => {
    const clinic = makeClinic();
    const key = withKey(makeApiKey(clinic.id, 'admin'));
    const res = await key.request('PUT', SETTINGS, { body: settingsBody({ code: clinic.code, permissions: ['view_profile'] }) });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.settings.permissions, ['view_profile']);
  });

  test('only a hash of the key is stored, and last_used_at is recorded', async () => {
    const clinic = makeClinic();
    const secret = makeApiKey(clinic.id, 'read');
    assert.match(secret, /^ppk_[A-Za-z0-9_-]{20,}$/);
    const row = `FROM api_keys WHERE clinic_id = '${clinic.id}'`;
    assert.equal(psql(`SELECT count(*) ${row} AND secret_hash = ${sha256Bytea(secret)}`), '1');
    assert.equal(psql(`SELECT count(*) FROM api_keys k WHERE strpos(row_to_json(k)::text, '${secret}') > 0`), '0');
    assert.equal(psql(`SELECT last_used_at IS NULL ${row}`), 't');
    assert.equal((await withKey(secret).request('GET', ME)).status, 200);
    assert.equal(psql(`SELECT last_used_at IS NOT NULL ${row}`), 't');
  });

  test('a revoked key and an unknown key answer 401', async () => {
    const clinic = makeClinic();
    const secret = makeApiKey(clinic.id, 'admin');
    const kept = makeApiKey(clinic.id, 'read');
    assert.equal((await withKey(secret).request('GET', ME)).status, 200);
    psql(`UPDATE api_keys SET revoked_at = now() WHERE secret_hash = ${sha256Bytea(secret)}`);
    assertProblem(await withKey(secret).request('GET', ME), 401, 'not_authenticated', 'revoked key');
    assertProblem(await withKey(secret).request('PUT', SETTINGS, { body: settingsBody({ code: clinic.code }) }),
      401, 'not_authenticated', 'revoked key, PUT');
    assert.equal((await withKey(kept).request('GET', ME)).status, 200, 'the other key of the clinic still works');
    for (const bogus of [`ppk_${randomBytes(32).toString('base64url')}`, 'not-a-key', `${kept}x`]) {
      assertProblem(await withKey(bogus).request('GET', ME), 401, 'not_authenticated', bogus.slice(0, 12));
    }
    assertProblem(await api('GET', ME, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }),
      401, 'not_authenticated', 'Basic auth');
  });
});

describe('session lifetime', () => {
  test('logout answers 204, clears the cookie, ends the session at once, and is audited', async () => {
    const clinic = makeClinic();
    const s = await signIn(clinic.logins.staff);
    const other = await signIn(clinic.logins.staff);
    assert.equal((await s.request('GET', ME)).status, 200);
    const res = await s.request('POST', LOGOUT);
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    assert.match(res.headers.get('set-cookie') ?? '', /^portal_staff=;.*Max-Age=0/i);
    assertProblem(await s.request('GET', ME), 401, 'not_authenticated', 'the same cookie after logout');
    assertProblem(await s.request('POST', LOGOUT), 401, 'not_authenticated', 'a second logout');
    assert.equal(psql(`SELECT count(*) FROM staff_sessions WHERE token_hash = ${sha256Bytea(tokenOf(s.cookie))}`), '0');
    assert.equal((await other.request('GET', ME)).status, 200, "another session of the same person survives");
    const audit = psql(`SELECT actor_type || ' ' || actor_id || ' ' || target_id FROM audit_log
      WHERE clinic_id = '${clinic.id}' AND action = 'staff.logout'`);
    assert.equal(audit, `staff ${s.staff.id} ${s.staff.id}`);
    assert.equal(psql(`SELECT request_id FROM audit_log WHERE clinic_id = '${clinic.id}' AND action = 'staff.logout'`),
      res.headers.get('x-request-id'));
  });

  // Logout is session-only (DESIGN.md section 16): a key is refused before anything happens.
  test('an API key cannot log out (there is no session): 403 forbidden_role', async () => {
    const clinic = makeClinic();
    assertProblem(await withKey(makeApiKey(clinic.id, 'admin')).request('POST', LOGOUT), 403, 'forbidden_role');
  });

  test('a session idle for longer than staff_session_idle answers 401', async () => {
    const clinic = makeClinic();
    const idle = Number(confValue('staff_session_idle') ?? 1800);
    const s = await signIn(clinic.logins.staff);
    const fresh = await signIn(clinic.logins.admin);
    assert.equal((await s.request('GET', ME)).status, 200);
    psql(`UPDATE staff_sessions SET last_seen_at = now() - make_interval(secs => ${idle + 3600})
      WHERE token_hash = ${sha256Bytea(tokenOf(s.cookie))}`);
    assertProblem(await s.request('GET', ME), 401, 'not_authenticated', 'idle session');
    assertProblem(await s.request('PUT', SETTINGS, { body: settingsBody() }), 401, 'not_authenticated', 'idle session, PUT');
    assert.equal((await fresh.request('GET', ME)).status, 200, 'a session in use is untouched');
  });

  test('a session used within the idle time stays alive (use refreshes it)', async () => {
    const clinic = makeClinic();
    const idle = Number(confValue('staff_session_idle') ?? 1800);
    const s = await signIn(clinic.logins.staff);
    const where = `WHERE token_hash = ${sha256Bytea(tokenOf(s.cookie))}`;
    psql(`UPDATE staff_sessions SET last_seen_at = now() - make_interval(secs => ${Math.floor(idle / 2)}) ${where}`);
    assert.equal((await s.request('GET', ME)).status, 200);
    assert.equal(psql(`SELECT last_seen_at > now() - interval '1 minute' FROM staff_sessions ${where}`), 't');
  });

  test('a session past its absolute expiry answers 401 even when in use', async () => {
    const clinic = makeClinic();
    const s = await signIn(clinic.logins.owner);
    const absolute = Number(confValue('staff_session_absolute') ?? 43200);
    const where = `WHERE token_hash = ${sha256Bytea(tokenOf(s.cookie))}`;
    // The login set expires_at = now + staff_session_absolute.
    const secs = Number(psql(`SELECT extract(epoch FROM expires_at - created_at)::int FROM staff_sessions ${where}`));
    assert.ok(Math.abs(secs - absolute) <= 5, `expires_at is ${secs} s after creation, expected ${absolute}`);
    psql(`UPDATE staff_sessions SET expires_at = now() - interval '1 second', last_seen_at = now() ${where}`);
    assertProblem(await s.request('GET', ME), 401, 'not_authenticated', 'expired session');
  });

  test('an inactive staff member: existing session 401, and sign-in 401 like a wrong password', async () => {
    const clinic = makeClinic();
    const s = await signIn(clinic.logins.staff);
    assert.equal((await s.request('GET', ME)).status, 200);
    psql(`UPDATE staff SET active = false WHERE id = '${s.staff.id}'`);
    assertProblem(await s.request('GET', ME), 401, 'not_authenticated', 'session of an inactive member');
    const login = await api('POST', LOGIN, { body: clinic.logins.staff });
    assertProblem(login, 401, 'not_authenticated', 'sign-in of an inactive member');
    const wrong = await api('POST', LOGIN, { body: { email: clinic.logins.admin.email, password: 'wrong-password-here' } });
    assert.deepEqual(problemFields(login.body), problemFields(wrong.body), 'an inactive account must not be told apart');
    // The rest of the clinic is unaffected.
    assert.equal((await api('POST', LOGIN, { body: clinic.logins.owner })).status, 200);
  });
});
