// Test fixtures: every test makes its own clinic (through portalctl, as an operator would) so
// tests never depend on each other's data. Also staff sessions (cookie + CSRF) and API keys.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, env, runAsStackUser } from './client.mjs';

// A short unique suffix for names, emails and codes: letters only, so a code made from it
// never holds the run of digits that draws the code_looks_personal warning.
export function unique() {
  return [...randomBytes(10)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
}

// portalctl COMMAND ARGS... against the stack under test; returns trimmed stdout.
export function portalctl(...args) {
  const e = env();
  const r = runAsStackUser([`${e.bin}/portalctl`, '-c', e.conf, ...args]);
  if (r.status !== 0) throw new Error(`portalctl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

// A clinic with an owner, an admin and a staff login, and (unless module: false) the
// patient_portal module. Returns {id, code, name, logins: {owner, admin, staff}}, each login
// {email, password}.
export function makeClinic({ module = true, code } = {}) {
  const u = unique();
  const name = `Test Clinic ${u}`;
  const clinicCode = code === null ? null : code ?? `test-${u}`;
  const id = portalctl('create-clinic', '--name', name, ...(clinicCode ? ['--code', clinicCode] : []));
  const logins = {};
  for (const role of ['owner', 'admin', 'staff']) {
    const email = `${role}-${u}@clinic.test`;
    const password = portalctl('create-staff', '--clinic', id, '--email', email, '--role', role,
      '--name', `${role} ${u}`);
    logins[role] = { email, password };
  }
  if (module) portalctl('grant-module', '--clinic', id, '--module', 'patient_portal');
  return { id, code: clinicCode, name, logins };
}

// An API key of the clinic with the given scopes ("read", "read,write", ...).
export function makeApiKey(clinicId, scopes) {
  return portalctl('create-api-key', '--clinic', clinicId, '--scopes', scopes, '--name', `key ${unique()}`);
}

// Signs in and returns a session: {cookie, csrf, staff, request(method, path, opts)} where
// request() sends the cookie, and X-CSRF-Token on anything but GET.
export async function signIn({ email, password }) {
  const res = await api('POST', '/api/v1/clinic/auth/login', { body: { email, password } });
  assert.equal(res.status, 200, `sign-in of ${email}: ${res.text}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = /portal_staff=[^;]*/.exec(setCookie)?.[0];
  assert.ok(cookie, `no portal_staff cookie in ${setCookie}`);
  return session(cookie, res.body.csrf_token, res.body.staff);
}

function session(cookie, csrf, staff) {
  return {
    cookie,
    csrf,
    staff,
    request(method, path, opts = {}) {
      const headers = { cookie, ...(opts.headers ?? {}) };
      if (method !== 'GET' && method !== 'HEAD' && !('x-csrf-token' in headers)) headers['x-csrf-token'] = csrf;
      return api(method, path, { ...opts, headers });
    },
  };
}

// Requests with an API key: {request(method, path, opts)}.
export function withKey(key) {
  return {
    request(method, path, opts = {}) {
      return api(method, path, { ...opts, headers: { authorization: `Bearer ${key}`, ...(opts.headers ?? {}) } });
    },
  };
}

// A settings body with every field, overriding some.
export function settingsBody(overrides = {}) {
  return {
    enabled: false,
    code: null,
    permissions: [],
    sms_template_id: null,
    email_template_id: null,
    upload_reviewer_id: null,
    ...overrides,
  };
}
