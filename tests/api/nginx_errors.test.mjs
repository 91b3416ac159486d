// nginx's own answers (issue 9 item 7; DESIGN.md sections 4 and 10): every error under /api/ is
// application/problem+json with the API's shape, also when nginx gives it before the API sees
// the request: a NUL in the path, a header or cookie too large, a URL too long, a bad
// Content-Length, a bad Host, TRACE, an unknown Transfer-Encoding, an HTTP version nginx does
// not speak, a body over the limit (also on a path ending in .json, or spelled /%61pi/), and a
// file the API authorised that nginx then cannot serve (a range outside it, or unreadable).
// Outside /api/ nginx's own pages stay exactly as they were, and the API's own answers pass
// untouched.
// Malformed requests go over raw sockets (node:net, 127.0.0.1 only): fetch cannot send them.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { before, describe, test } from 'node:test';
import { api, env, psql } from './lib/client.mjs';
import {
  enablePortal, makeClinic, makePatient, signIn, signInPatient, uniqueEmail,
} from './lib/fixtures.mjs';

const TINY_JPEG = readFileSync(new URL('./fixtures/tiny.jpg', import.meta.url));

// ---- a raw HTTP/1.x client ----

function target() {
  const { hostname, port } = new URL(env().url);
  if (hostname !== '127.0.0.1' && hostname !== 'localhost') throw new Error(`not a loopback stack: ${hostname}`);
  return { host: '127.0.0.1', port: Number(port || 80) };
}

// Parses one response from the bytes read so far; null while incomplete. Bodies are read by
// Content-Length, chunked, or to the end of the connection (closed); a HEAD's has none.
function parseResponse(buf, closed, head) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(lines[0])}`);
  const headers = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(i + 1).trim());
  }
  let rest = buf.subarray(end + 4);
  let body;
  if (head) {
    body = Buffer.alloc(0);
  } else if (headers['content-length']) {
    const n = Number(headers['content-length'][0]);
    if (rest.length < n) return null;
    body = rest.subarray(0, n);
  } else if ((headers['transfer-encoding'] ?? []).join(',').includes('chunked')) {
    const parts = [];
    for (;;) {
      const eol = rest.indexOf('\r\n');
      if (eol < 0) return null;
      const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16);
      if (rest.length < eol + 2 + size + 2) return null;
      if (size === 0) break;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      rest = rest.subarray(eol + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  } else if (closed) {
    body = rest;
  } else {
    return null;
  }
  return { status: Number(m[1]), statusLine: lines[0], headers, body, text: body.toString('utf8') };
}

// Sends the bytes as they are and reads one response. A server that refuses a request may
// close (or reset) the connection right after answering: what arrived before counts.
function raw(request, { timeoutMs = 15_000 } = {}) {
  const bytes = Buffer.isBuffer(request) ? request : Buffer.from(request, 'latin1');
  return new Promise((resolve, reject) => {
    const { host, port } = target();
    const socket = connect({ host, port });
    const chunks = [];
    let settled = false;
    const finish = (closed, err) => {
      if (settled) return;
      let res;
      try {
        res = parseResponse(Buffer.concat(chunks), closed, bytes.subarray(0, 5).toString('latin1') === 'HEAD ');
      } catch (e) {
        err = e;
      }
      if (!res && !closed && !err) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (res) resolve(res);
      else reject(err ?? new Error(`connection closed without a whole answer: ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
    };
    const timer = setTimeout(() => finish(true, new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c) => { chunks.push(c); finish(false); });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (e) => finish(true, e));
  });
}

const header = (res, name) => res.headers[name]?.[0];
const mediaType = (res) => (header(res, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
const request = (line, headers = [], body = '') =>
  `${line}\r\n${['Host: 127.0.0.1', ...headers, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`;
const get = (path, headers) => raw(request(`GET ${path} HTTP/1.1`, headers));

// The titles the API itself gives (src/http/problem.c), to check nginx speaks the same.
const API_TITLES = {
  bad_request: 'The request is malformed',
  method_not_allowed: 'Method not allowed',
  not_found: 'Not found',
  payload_too_large: 'The request body is too large',
  internal_error: 'Internal error',
  unavailable: 'Service unavailable',
};

// A problem+json answer of nginx: status, type, the whole shape, and what every API answer
// carries (X-Request-Id, Cache-Control, the security headers; with servedFile, those of a
// stored file, whose Content-Security-Policy lets nothing run).
function assertNginxProblem(res, status, code, what, { servedFile = false } = {}) {
  const where = `${what}: ${res.statusLine}, ${header(res, 'content-type')}, ${res.text.slice(0, 200)}`;
  assert.equal(res.status, status, `${where}: status`);
  assert.equal(mediaType(res), 'application/problem+json', `${where}: content type`);
  let body;
  assert.doesNotThrow(() => { body = JSON.parse(res.text); }, `${where}: body is not JSON`);
  assert.equal(body.code, code, `${where}: code`);
  assert.equal(body.status, status, `${where}: problem status`);
  assert.equal(body.type, `urn:patient-portal:problem:${code}`, `${where}: type`);
  assert.equal(typeof body.title, 'string', `${where}: title`);
  assert.ok(body.title.length > 0, `${where}: empty title`);
  if (API_TITLES[code]) assert.equal(body.title, API_TITLES[code], `${where}: title differs from the API's`);
  assert.equal(typeof body.detail, 'string', `${where}: detail`);
  assert.ok(body.detail.length > 0, `${where}: empty detail`);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'detail', 'status', 'title', 'type'], `${where}: members`);
  assert.match(header(res, 'x-request-id') ?? '', /^[0-9A-Za-z-]{1,64}$/, `${where}: X-Request-Id`);
  assert.equal(res.headers['x-request-id'].length, 1, `${where}: X-Request-Id twice`);
  assert.ok(res.headers['cache-control'], `${where}: Cache-Control missing`);
  assert.match(res.headers['cache-control'].join(', '), /no-store/, `${where}: Cache-Control`);
  assertSecurityHeaders(res, where, { servedFile });
  return body;
}

function assertSecurityHeaders(res, where, { servedFile = false } = {}) {
  if (servedFile) assert.equal(header(res, 'content-security-policy'), "default-src 'none'; sandbox", `${where}: CSP`);
  else assert.match(header(res, 'content-security-policy') ?? '', /(^|;)\s*script-src 'self'\s*(;|$)/, `${where}: CSP`);
  // Each once (a 416 goes through the headers twice: nginx/portal.conf.in).
  for (const name of ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options']) {
    assert.equal(res.headers[name]?.length, 1, `${where}: ${name}: ${res.headers[name]?.join(' | ')}`);
  }
  assert.equal(header(res, 'x-content-type-options'), 'nosniff', `${where}: X-Content-Type-Options`);
  assert.equal(header(res, 'referrer-policy'), 'no-referrer', `${where}: Referrer-Policy`);
  assert.equal(header(res, 'x-frame-options'), 'DENY', `${where}: X-Frame-Options`);
}

// nginx's own HTML page for a status, as it answers outside /api/ (and did everywhere before).
// Such a page carries no request id, but for /_files/ asked for directly, which always did.
function assertNginxPage(res, status, title, what, { requestId = false } = {}) {
  const where = `${what}: ${res.statusLine}, ${header(res, 'content-type')}`;
  assert.equal(res.status, status, `${where}: status`);
  assert.equal(mediaType(res), 'text/html', `${where}: content type`);
  assert.match(res.text, new RegExp(`<title>${title}</title>`), `${where}: body ${res.text.slice(0, 200)}`);
  if (requestId) assert.match(header(res, 'x-request-id') ?? '', /^[0-9a-f]{32}$/, `${where}: X-Request-Id`);
  else assert.equal(res.headers['x-request-id'], undefined, `${where}: X-Request-Id on a page outside /api/`);
  assert.equal(res.headers['cache-control'], undefined, `${where}: Cache-Control on a page outside /api/`);
  assert.equal(res.headers['retry-after'], undefined, `${where}: Retry-After on a page outside /api/`);
  assertSecurityHeaders(res, where);
}

const COOKIE_16K = `Cookie: portal_staff=${'a'.repeat(16 * 1024)}`;
const LONG_QUERY = `?q=${'a'.repeat(10 * 1024)}`;

describe('nginx answers problem+json under /api/', () => {
  test('a NUL (%00) in the path: 400 bad_request', async () => {
    for (const path of ['/api/v1/clinic/patients/%00', '/api/v1/portal/x%00y/', '/api/v1/health%00']) {
      assertNginxProblem(await get(path), 400, 'bad_request', path);
    }
  });

  test('a 16 KB cookie (a request header too large): 431 header_too_large', async () => {
    assertNginxProblem(await get('/api/v1/clinic/me', [COOKIE_16K]), 431, 'header_too_large', 'one 16 KB cookie');
    // Many headers that are small each but too many together.
    const many = Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${'b'.repeat(1000)}`);
    assertNginxProblem(await get('/api/v1/health', many), 431, 'header_too_large', '40 KB of headers');
  });

  test('a 10 KB URL: 414 uri_too_long', async () => {
    assertNginxProblem(await get(`/api/v1/clinic/patients${LONG_QUERY}`), 414, 'uri_too_long', '10 KB query');
    assertNginxProblem(await get(`/api/v1/${'p'.repeat(10 * 1024)}`), 414, 'uri_too_long', '10 KB path');
  });

  test('a bad Content-Length (not a number, negative, given twice, with chunked): 400 bad_request', async () => {
    const line = 'POST /api/v1/clinic/auth/login HTTP/1.1';
    const cases = {
      'not a number': ['Content-Length: abc'],
      negative: ['Content-Length: -1'],
      twice: ['Content-Length: 2', 'Content-Length: 2'],
      'with Transfer-Encoding: chunked': ['Content-Length: 2', 'Transfer-Encoding: chunked'],
    };
    for (const [what, headers] of Object.entries(cases)) {
      assertNginxProblem(await raw(request(line, ['Content-Type: application/json', ...headers], '{}')), 400, 'bad_request', what);
    }
  });

  test('a bad Host (a slash in it, given twice, missing in HTTP/1.1): 400 bad_request', async () => {
    const cases = {
      'a slash': 'GET /api/v1/health HTTP/1.1\r\nHost: bad/host\r\nConnection: close\r\n\r\n',
      twice: 'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: other.example\r\nConnection: close\r\n\r\n',
      missing: 'GET /api/v1/health HTTP/1.1\r\nConnection: close\r\n\r\n',
    };
    for (const [what, req] of Object.entries(cases)) {
      assertNginxProblem(await raw(req), 400, 'bad_request', what);
    }
  });

  test('TRACE (and CONNECT): 405 method_not_allowed', async () => {
    assertNginxProblem(await raw(request('TRACE /api/v1/health HTTP/1.1')), 405, 'method_not_allowed', 'TRACE');
    assertNginxProblem(await raw(request('TRACE /api/v1/clinic/patients/1 HTTP/1.1')), 405, 'method_not_allowed', 'TRACE on a resource');
    assertNginxProblem(await raw(request('CONNECT /api/v1/health HTTP/1.1')), 405, 'method_not_allowed', 'CONNECT');
  });

  test('an unknown Transfer-Encoding: 501 not_implemented', async () => {
    const res = await raw(request('POST /api/v1/clinic/auth/login HTTP/1.1', ['Transfer-Encoding: gzip']));
    assertNginxProblem(res, 501, 'not_implemented', 'Transfer-Encoding: gzip');
  });

  test('an HTTP version nginx does not speak: 505 http_version_not_supported', async () => {
    const res = await raw('GET /api/v1/health HTTP/2.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assertNginxProblem(res, 505, 'http_version_not_supported', 'HTTP/2.0 in the request line');
  });

  test('a body over the limit: 413 payload_too_large, also on a path ending in .json or spelled /%61pi/', async () => {
    // nginx refuses on the announced length, before the body: none is sent. /%61pi/ and //api/
    // are the /api/ location to nginx, though the URL as sent does not start with /api/.
    for (const path of ['/api/v1/health', '/api/v1/openapi.json', '/api/v1/portal/x/login/start',
      '/api/v1/clinic/auth/login', '/%61pi/v1/health', '//api/v1/health']) {
      const res = await raw(request(`POST ${path} HTTP/1.1`, ['Content-Type: application/json', `Content-Length: ${2 * 1024 * 1024}`]));
      assertNginxProblem(res, 413, 'payload_too_large', path);
    }
    // A chunked body that grows past the limit while nginx reads it.
    const chunk = 'a'.repeat(64 * 1024);
    const chunks = Array.from({ length: 20 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const res = await raw(request('POST /api/v1/openapi.json HTTP/1.1',
      ['Content-Type: application/json', 'Transfer-Encoding: chunked'], `${chunks}0\r\n\r\n`));
    assertNginxProblem(res, 413, 'payload_too_large', 'a chunked body of 1.25 MB');
  });

  test('a HEAD that nginx refuses answers the problem headers without a body', async () => {
    const res = await raw(request('HEAD /api/v1/health%00 HTTP/1.1'));
    assert.equal(res.status, 400, res.statusLine);
    assert.equal(mediaType(res), 'application/problem+json');
    assert.ok(header(res, 'x-request-id'), 'X-Request-Id');
  });
});

describe('a file the API authorised that nginx cannot serve', () => {
  let clinic;
  let staff;
  let photoUrl;
  let file;

  before(async () => {
    clinic = makeClinic();
    staff = await signIn(clinic.logins.staff);
    const owner = await signIn(clinic.logins.owner);
    await enablePortal(owner, clinic, { permissions: ['view_profile', 'upload_photo'] });
    const email = uniqueEmail('nginx-files');
    const patient = await makePatient(staff, { email });
    const session = await signInPatient(clinic.code, email);
    const put = await session.request('PUT', 'profile/photo', { raw: TINY_JPEG, headers: { 'content-type': 'image/jpeg' } });
    assert.equal(put.status, 200, put.text);
    photoUrl = `/api/v1/clinic/patients/${patient.id}/photo`;
    const sha = psql(`SELECT photo_sha256 FROM patients WHERE id = '${patient.id}'`);
    const filesDir = /^files_dir\s*=\s*(.*)$/m.exec(env().confText)[1].trim();
    file = `${filesDir}/photos/${clinic.id}/${sha.slice(0, 2)}/${sha}.jpg`;
    assert.ok(readFileSync(file).length > 0, `the stored photo ${file}`);
  });

  test('a range outside the file: 416 range_not_satisfiable (and a range inside it is served)', async () => {
    const whole = await get(photoUrl, [`Cookie: ${staff.cookie}`]);
    assert.equal(whole.status, 200, whole.statusLine);
    assert.equal(mediaType(whole), 'image/jpeg');
    const part = await get(photoUrl, [`Cookie: ${staff.cookie}`, 'Range: bytes=0-9']);
    assert.equal(part.status, 206, part.statusLine);
    assert.deepEqual(part.body, whole.body.subarray(0, 10));
    const res = await get(photoUrl, [`Cookie: ${staff.cookie}`, `Range: bytes=${whole.body.length + 1000}-`]);
    // nginx refuses the range after the file's headers were set: they stay, each once.
    assertNginxProblem(res, 416, 'range_not_satisfiable', 'a range past the end', { servedFile: true });
    assert.equal(header(res, 'content-range'), `bytes */${whole.body.length}`);
  });

  // The API only checks that the file is there (stat); nginx cannot open it: its 403, the
  // server's fault, is 500 internal_error, without the image type.
  test('a file nginx cannot read: 500 internal_error, once, without the image type', async () => {
    const mode = statSync(file).mode & 0o7777;
    chmodSync(file, 0);
    try {
      const res = await get(photoUrl, [`Cookie: ${staff.cookie}`]);
      assertNginxProblem(res, 500, 'internal_error', 'the photo nginx cannot read');
      // The API's Cache-Control for the file is kept, not doubled.
      assert.equal(res.headers['cache-control'].length, 1, `Cache-Control: ${res.headers['cache-control'].join(' | ')}`);
    } finally {
      chmodSync(file, mode);
    }
    assert.equal((await get(photoUrl, [`Cookie: ${staff.cookie}`])).status, 200, 'readable again');
  });
});

describe('outside /api/ nginx answers as before; the API answers itself', () => {
  test('the SPA shells and assets are served as they were', async () => {
    const web = `${env().stack}/prefix/share/patient-portal/web`;
    for (const [path, file] of [['/console/', 'console/index.html'], ['/simple-dent', 'portal/index.html'],
      ['/simple-dent/profile', 'portal/index.html'], ['/', 'portal/index.html']]) {
      const res = await get(path);
      assert.equal(res.status, 200, `${path}: ${res.statusLine}`);
      assert.equal(mediaType(res), 'text/html', path);
      assert.deepEqual(res.body, readFileSync(`${web}/${file}`), `${path}: not the shell`);
      assert.equal(res.headers['x-request-id'], undefined, `${path}: X-Request-Id`);
      assertSecurityHeaders(res, path);
    }
    const redirect = await get('/console');
    assert.equal(redirect.status, 301);
  });

  test('nginx\'s own error pages outside /api/ are unchanged', async () => {
    assertNginxPage(await get('/simple-dent/%00'), 400, '400 Bad Request', '%00 in a portal path');
    assertNginxPage(await get('/console/', [COOKIE_16K]), 400, '400 Request Header Or Cookie Too Large', '16 KB cookie');
    assertNginxPage(await get(`/simple-dent${LONG_QUERY}`), 414, '414 Request-URI Too Large', '10 KB URL');
    assertNginxPage(await raw(request('TRACE /console/ HTTP/1.1')), 405, '405 Not Allowed', 'TRACE');
    assertNginxPage(await raw('GET / HTTP/1.1\r\nHost: bad/host\r\nConnection: close\r\n\r\n'), 400, '400 Bad Request', 'bad Host');
    assertNginxPage(await raw(request('POST /console/ HTTP/1.1', ['Content-Length: abc'])), 400, '400 Bad Request', 'bad Content-Length');
    assertNginxPage(await raw(request('POST /console/ HTTP/1.1', [`Content-Length: ${2 * 1024 * 1024}`])),
      413, '413 Request Entity Too Large', '2 MB body');
    assertNginxPage(await get('/assets/does-not-exist-4b1d.js'), 404, '404 Not Found', 'missing asset');
    assertNginxPage(await get('/_files/anything'), 404, '404 Not Found', '/_files/ from outside', { requestId: true });
    // A static location's own refusal (it passes through the error location too).
    assertNginxPage(await raw(request('POST /console/ HTTP/1.1', ['Content-Length: 2'], '{}')),
      405, '405 Not Allowed', 'POST to the console');
    // An /api look-alike that is not under /api/ is a portal address like any other.
    assertNginxPage(await get('/apix/%00'), 400, '400 Bad Request', '/apix/');
  });

  test('the API\'s own errors pass untouched (its 405 with Allow, its 404)', async () => {
    const wrongMethod = await api('POST', '/api/v1/health', { body: {} });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.body.code, 'method_not_allowed');
    assert.ok(wrongMethod.headers.get('allow'), 'the API\'s 405 carries Allow');
    const unknown = await api('GET', '/api/v1/nope');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'not_found');
    const login = await api('POST', '/api/v1/clinic/auth/login', { body: { email: 'nobody@clinic.test', password: 'wrong-password-1' } });
    assert.equal(login.status, 401, login.text);
  });
});
