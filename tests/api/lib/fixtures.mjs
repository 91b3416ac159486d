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
  // One portalctl run (one transaction): the clinic, the module, the three logins.
  const roles = ['owner', 'admin', 'staff'];
  const [id, ...lines] = portalctl('create-clinic', '--name', name, ...(clinicCode ? ['--code', clinicCode] : []),
    ...(module ? ['--module', 'patient_portal'] : []),
    ...roles.flatMap((role) => ['--login', `${role}:${role}-${u}@clinic.test:${role} ${u}`])).split('\n');
  const logins = {};
  for (const line of lines) {
    const [role, email, password] = line.split(' ');
    logins[role] = { email, password };
  }
  assert.deepEqual(Object.keys(logins), roles, `create-clinic printed ${lines.join(' | ')}`);
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

// A session from any answer that signs in (login, login/totp, select): as signIn().
export function sessionFrom(res) {
  assert.equal(res.status, 200, res.text);
  const cookie = /portal_staff=[^;]*/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  assert.ok(cookie, `no portal_staff cookie: ${res.text}`);
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

// ---- patients, invitations and the patient side (issue 5) ----
// (The import is hoisted; it sits here so that this block stays one appended piece.)
import { mailMessages, smsMessages, waitForMail, waitForSms } from './sinks.mjs';

// A Turkish mobile number nobody else uses (E.164), and its national form ("0532 111 22 33").
export function uniquePhone() {
  const digits = [...randomBytes(8)].map((b) => String(b % 10)).join('');
  return `+9053${digits}`;
}
// A Turkish landline nobody else uses (Istanbul, E.164): a valid number no SMS reaches.
export function uniqueLandline() {
  const digits = [...randomBytes(7)].map((b) => String(b % 10)).join('');
  return `+90212${digits}`;
}
export function nationalPhone(e164) {
  const n = e164.replace(/^\+90/, '');
  return `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6, 8)} ${n.slice(8)}`;
}
export function uniqueEmail(prefix = 'p') {
  return `${prefix}-${unique()}@patient.test`;
}

// Opens the clinic's portal under its code: the current settings (templates kept) with
// enabled, code and permissions set, and any other overrides. Returns the PUT answer.
export async function enablePortal(s, clinic, { permissions = ['view_profile'], ...overrides } = {}) {
  const current = await s.request('GET', '/api/v1/clinic/portal/settings');
  assert.equal(current.status, 200, current.text);
  const res = await s.request('PUT', '/api/v1/clinic/portal/settings', {
    body: { ...current.body, enabled: true, code: clinic.code, permissions, ...overrides },
  });
  assert.equal(res.status, 200, `enable the portal: ${res.text}`);
  return res;
}

// Creates a patient (201 asserted) with a name unless given; returns the patient.
export async function makePatient(s, fields = {}) {
  const body = { first_name: 'Deniz', last_name: `Hasta ${unique().slice(0, 6)}`, ...fields };
  const res = await s.request('POST', '/api/v1/clinic/patients', { body });
  assert.equal(res.status, 201, `create patient ${JSON.stringify(body)}: ${res.text}`);
  return res.body;
}

// The sign-in code (6 digits) of a message text.
export function codeIn(text) {
  return /(?<!\d)(\d{6})(?!\d)/.exec(text ?? '')?.[1];
}

// What the sinks hold now, so that a later wait finds only newer messages.
export function sinkMark() {
  return { sms: new Set(smsMessages().map((m) => m.file)), mail: new Set(mailMessages().map((m) => m.file)) };
}

// The first message to recipient (E.164 phone or email) that arrived after mark.
export function nextMessage(recipient, mark, { timeout = 20000 } = {}) {
  if (recipient.includes('@')) {
    const to = recipient.toLowerCase();
    return waitForMail((m) => !mark.mail.has(m.file) && m.to.some((t) => t.toLowerCase() === to), { timeout });
  }
  return waitForSms((m) => !mark.sms.has(m.file) && m.to === recipient, { timeout });
}

// The patient side under /api/v1/portal/{code}/.
export const portalPath = (code, rest = '') => `/api/v1/portal/${code}/${rest}`;

// A patient session from a verify/select answer: {cookie, csrf, body, request(method, rest, opts)}
// where rest is relative to /api/v1/portal/{code}/ and the CSRF token goes on anything but GET.
export function patientSession(code, res) {
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = /portal_patient=[^;]*/.exec(setCookie)?.[0];
  assert.ok(cookie, `no portal_patient cookie in "${setCookie}"`);
  const csrf = res.body.csrf_token;
  return {
    cookie,
    csrf,
    body: res.body,
    setCookie,
    request(method, rest, opts = {}) {
      const headers = { cookie, ...(opts.headers ?? {}) };
      if (method !== 'GET' && method !== 'HEAD' && !('x-csrf-token' in headers)) headers['x-csrf-token'] = csrf;
      return api(method, portalPath(code, rest), { ...opts, headers });
    },
  };
}

// Signs a patient in through the sinks: start with contact, read the code sent to
// recipient (default: the contact itself), verify (and select patientId when the contact is
// shared). Returns the patient session plus {otp, challengeId}.
export async function signInPatient(code, contact, { recipient = contact, patientId, headers = {} } = {}) {
  const mark = sinkMark();
  const start = await api('POST', portalPath(code, 'login/start'), { body: { contact }, headers });
  assert.equal(start.status, 202, `login/start ${contact}: ${start.text}`);
  const msg = await nextMessage(recipient, mark);
  const otp = codeIn(msg.text);
  assert.ok(otp, `no 6-digit code in "${msg.text}"`);
  let res = await api('POST', portalPath(code, 'login/verify'),
    { body: { challenge_id: start.body.challenge_id, code: otp }, headers });
  assert.equal(res.status, 200, `login/verify: ${res.text}`);
  if (res.body.choose) {
    assert.ok(patientId, `the contact is shared: name patientId (${res.text})`);
    res = await api('POST', portalPath(code, 'login/select'),
      { body: { selection_token: res.body.selection_token, patient_id: patientId }, headers });
    assert.equal(res.status, 200, `login/select: ${res.text}`);
  }
  return { ...patientSession(code, res), otp, challengeId: start.body.challenge_id, message: msg };
}

// ---- scheduling (issue 6) ----

// A practitioner with weekly hours, an online-bookable appointment type and the clinic's
// booking rules, made by an owner or admin session s. hours: [{weekday, start, end}] (default:
// every day 09:00-17:00); rules: overrides of {min_notice_minutes: 0, horizon_days: 730,
// cancel_cutoff_minutes: 0, max_open_bookings: 100, slot_step_minutes: 30}. Returns
// {practitioner, type, rules}.
export async function makeSchedule(s, { hours, duration = 30, rules = {}, name, typeName } = {}) {
  const p = await s.request('POST', '/api/v1/clinic/practitioners', { body: { name: name ?? `Dr. ${unique().slice(0, 6)}` } });
  assert.equal(p.status, 201, `create practitioner: ${p.text}`);
  const items = hours ?? [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));
  const h = await s.request('PUT', `/api/v1/clinic/practitioners/${p.body.id}/working-hours`, { body: { items } });
  assert.equal(h.status, 200, `working hours: ${h.text}`);
  const t = await s.request('POST', '/api/v1/clinic/appointment-types',
    { body: { name: typeName ?? `Visit ${unique().slice(0, 4)}`, duration_minutes: duration, online_bookable: true } });
  assert.equal(t.status, 201, `create type: ${t.text}`);
  const body = {
    min_notice_minutes: 0, horizon_days: 730, cancel_cutoff_minutes: 0, max_open_bookings: 100,
    slot_step_minutes: 30, ...rules,
  };
  const r = await s.request('PUT', '/api/v1/clinic/booking-rules', { body });
  assert.equal(r.status, 200, `booking rules: ${r.text}`);
  return { practitioner: p.body, type: t.body, rules: r.body };
}

// The date (YYYY-MM-DD) days after today in time zone tz.
export function dateIn(tz, days = 0) {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

// A clinic with its portal open for the given permissions, an owner session, a schedule
// (makeSchedule options) and n patients with phones (language: langs[i] or 'tr'), each
// signed in. Returns {clinic, owner, schedule, patients: [{patient, session, phone}]}.
export async function bookingClinic({ permissions = ['view_appointments', 'create_appointment', 'cancel_appointment'],
  patients = 1, langs = [], schedule = {} } = {}) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  await enablePortal(owner, clinic, { permissions });
  const sched = await makeSchedule(owner, schedule);
  const out = [];
  for (let i = 0; i < patients; i++) {
    const phone = uniquePhone();
    const patient = await makePatient(owner, { phone, language: langs[i] ?? 'tr' });
    out.push({ patient, phone, session: null });
  }
  await Promise.all(out.map(async (p) => { p.session = await signInPatient(clinic.code, p.phone); }));
  return { clinic, owner, schedule: sched, patients: out };
}
