// System behaviour of the running stack: health, the served OpenAPI document, 404/405 routing,
// the request-body pipeline (400/413/415), request ids, security headers, gzip, the static
// locations of nginx, and that the API's log names each request without leaking secrets.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  api, assertProblem, env, validateAgainstSpec, waitFor,
} from './lib/client.mjs';

const json = { 'content-type': 'application/json' };
const nested = (n, leaf = '') => '['.repeat(n) + leaf + ']'.repeat(n);
const nestedObjects = (n, leaf = '1') => '{"a":'.repeat(n) + leaf + '}'.repeat(n);

// GET over node:http, which (unlike fetch) leaves Content-Encoding and the bytes alone.
function rawGet(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${env().url}${path}`, { headers, timeout: 15_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

// A page outside /api/ (nginx's static locations); redirects are not followed.
async function page(path) {
  const res = await fetch(`${env().url}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function assertSecurityHeaders(headers, what) {
  const csp = headers.get('content-security-policy') ?? '';
  assert.match(csp, /(^|;)\s*script-src 'self'\s*(;|$)/, `${what}: CSP without script-src 'self': "${csp}"`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.ok(headers.get('referrer-policy'), `${what}: Referrer-Policy missing`);
  assert.match(headers.get('x-frame-options') ?? '', /^(DENY|SAMEORIGIN)$/i, `${what}: X-Frame-Options`);
}

describe('health and the OpenAPI document', () => {
  test('health answers 200 {status: ok, database: ok}', async () => {
    const res = await api('GET', '/api/v1/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok', database: 'ok' });
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('openapi.json is served and equals openapi/openapi.json of the checkout', async () => {
    const res = await api('GET', '/api/v1/openapi.json');
    assert.equal(res.status, 200);
    const file = JSON.parse(readFileSync(`${env().root}/openapi/openapi.json`, 'utf8'));
    assert.deepEqual(res.body, file, 'the served document differs from the repository file (stale build?)');
  });

  test('gzip: openapi.json is compressed when the client accepts gzip', async () => {
    const zipped = await rawGet('/api/v1/openapi.json', { 'accept-encoding': 'gzip' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(zipped.headers['x-request-id'], 'X-Request-Id missing on the gzipped answer');
    const file = JSON.parse(readFileSync(`${env().root}/openapi/openapi.json`, 'utf8'));
    assert.deepEqual(JSON.parse(gunzipSync(zipped.body).toString('utf8')), file);

    const plain = await rawGet('/api/v1/openapi.json', { 'accept-encoding': 'identity' });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined, 'compressed although the client did not ask');
  });
});

describe('routing', () => {
  for (const path of ['/api/v1/nope', '/api/v2/health', '/api/v1/health/extra', '/api/v1/health/', '/api/',
    '/api/v1/HEALTH']) {
    test(`unknown path ${path} answers 404 not_found`, async () => {
      assertProblem(await api('GET', path), 404, 'not_found', path);
    });
  }

  test('404 routing comes before the body checks (a malformed body to an unknown path is 404)', async () => {
    assertProblem(await api('POST', '/api/v1/nope', { raw: '{"a":', headers: json }), 404, 'not_found');
    assertProblem(await api('POST', '/api/v1/nope', { raw: 'x', headers: { 'content-type': 'text/plain' } }),
      404, 'not_found');
  });

  for (const method of ['DELETE', 'POST', 'PUT', 'PATCH']) {
    test(`${method} /api/v1/health answers 405 with Allow: GET`, async () => {
      const res = await api(method, '/api/v1/health');
      assertProblem(res, 405, 'method_not_allowed');
      assert.equal(res.headers.get('allow'), 'GET');
    });
  }

  test('POST /api/v1/openapi.json answers 405 with Allow: GET', async () => {
    const res = await api('POST', '/api/v1/openapi.json', { body: {} });
    assertProblem(res, 405, 'method_not_allowed');
    assert.equal(res.headers.get('allow'), 'GET');
  });
});

describe('request bodies', () => {
  const badJson = {
    'malformed JSON': '{a:1}',
    'truncated JSON': '{"a": [1, 2',
    'truncated string': '{"a": "b',
    'trailing garbage': '{"a":1} x',
    'two values': '{"a":1}{"b":2}',
    'only white space': '   ',
    'invalid UTF-8 (0xff)': Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    'invalid UTF-8 (overlong /)': Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]),
    'invalid UTF-8 (surrogate)': Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
    'invalid UTF-8 (cut sequence)': Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d]),
    'arrays nested 33 deep': nested(33),
    'objects nested 33 deep': nestedObjects(33),
    'arrays nested 10000 deep': nested(10000),
  };
  for (const [name, raw] of Object.entries(badJson)) {
    test(`${name} answers 400 bad_request`, async () => {
      assertProblem(await api('POST', '/api/v1/health', { raw, headers: json }), 400, 'bad_request', name);
    });
  }

  // Within the limit the body is fine, so the request goes on to the 405 (health has no POST).
  const goodJson = {
    'nested 10 deep': nested(10, '1'),
    'UTF-8 text': '{"name":"Çağrı Işık €😀"}',
    'a bare scalar': '1',
    'arrays nested 32 deep (empty)': nested(32),
    'arrays nested 32 deep (holding a value)': nested(32, '1'),
    'objects nested 32 deep': nestedObjects(32),
  };
  for (const [name, raw] of Object.entries(goodJson)) {
    test(`${name} passes the body checks (405, not 400)`, async () => {
      assertProblem(await api('POST', '/api/v1/health', { raw, headers: json }), 405, 'method_not_allowed', name);
    });
  }

  test('application/json with parameters is JSON', async () => {
    const res = await api('POST', '/api/v1/health', {
      raw: '{"a":1}', headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assertProblem(res, 405, 'method_not_allowed');
  });

  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'application/json-patch+json']) {
    test(`a ${type} body answers 415 unsupported_media_type`, async () => {
      const res = await api('POST', '/api/v1/health', { raw: '{"a":1}', headers: { 'content-type': type } });
      assertProblem(res, 415, 'unsupported_media_type', type);
    });
  }

  test('a 2 MB body answers 413 payload_too_large as problem+json (refused by nginx)', async () => {
    const response = await fetch(`${env().url}/api/v1/health`, {
      method: 'POST', headers: json, body: Buffer.alloc(2 * 1024 * 1024, 0x20), signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const res = { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
    assertProblem(res, 413, 'payload_too_large');
    await validateAgainstSpec('POST', '/api/v1/health', res);
  });

  test('the 413 nginx answers itself carries X-Request-Id and Cache-Control like every API answer', async () => {
    const res = await api('POST', '/api/v1/health', { raw: Buffer.alloc(2 * 1024 * 1024, 0x20), headers: json });
    assertProblem(res, 413, 'payload_too_large');
  });
});

describe('headers', () => {
  test('X-Request-Id differs between requests', async () => {
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push((await api('GET', '/api/v1/health')).headers.get('x-request-id'));
    assert.equal(new Set(ids).size, ids.length, `repeated request ids: ${ids.join(' ')}`);
  });

  test('security headers on API answers (success and error)', async () => {
    assertSecurityHeaders((await api('GET', '/api/v1/health')).headers, 'GET /api/v1/health');
    assertSecurityHeaders((await api('GET', '/api/v1/nope')).headers, 'GET /api/v1/nope');
    assertSecurityHeaders((await api('DELETE', '/api/v1/health')).headers, 'DELETE /api/v1/health');
  });

  test('security headers on HTML pages', async () => {
    for (const path of ['/console/', '/simple-dent']) {
      const res = await page(path);
      assert.equal(res.status, 200, path);
      assertSecurityHeaders(res.headers, path);
    }
  });
});

describe('static locations', () => {
  test('/console/ is the console shell (200 text/html)', async () => {
    const res = await page('/console/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
  });

  test('/console redirects to /console/', async () => {
    const res = await page('/console');
    assert.equal(res.status, 301);
    assert.match(res.headers.get('location') ?? '', /\/console\/$/);
  });

  test('/simple-dent is the patient shell (200 text/html)', async () => {
    const res = await page('/simple-dent');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const consoleShell = await page('/console/');
    assert.notEqual(res.text, consoleShell.text, 'the patient address serves the console shell');
  });

  test('/_files/ is internal (404 from outside)', async () => {
    assert.equal((await page('/_files/anything')).status, 404);
    assert.equal((await page('/_files/')).status, 404);
  });

  test('a missing asset is 404', async () => {
    assert.equal((await page('/assets/does-not-exist-4b1d.js')).status, 404);
  });
});

describe('the API log', () => {
  test('names each request by id without query strings, bodies or credentials', async () => {
    const secrets = ['abc123xyz', 'supersecretvalue', 'hdrsecret7q', 'cookiesecret9z'];
    const get = await api('GET', '/api/v1/health?secret-token=abc123xyz', {
      headers: { authorization: 'Bearer hdrsecret7q', cookie: 'portal_staff=cookiesecret9z' },
    });
    assert.equal(get.status, 200);
    const post = await api('POST', '/api/v1/health?secret-token=abc123xyz', {
      body: { password: 'supersecretvalue' },
    });
    assertProblem(post, 405, 'method_not_allowed');

    const logFile = `${env().logDir}/portal-api.log`;
    const lineOf = (id) => readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes(`req="${id}"`));
    const getLine = await waitFor(() => lineOf(get.headers.get('x-request-id')), { timeoutMs: 3000, what: 'the GET log line' });
    const postLine = await waitFor(() => lineOf(post.headers.get('x-request-id')), { timeoutMs: 3000, what: 'the POST log line' });
    assert.match(getLine, /\bmethod="GET"/);
    assert.match(getLine, /\broute="\/api\/v1\/health"/);
    assert.match(getLine, /\bstatus=200\b/);
    assert.match(getLine, /\bduration_ms=\d+(\.\d+)?\b/);
    assert.match(postLine, /\bmethod="POST"/);
    assert.match(postLine, /\broute="[^"]+"/);
    assert.match(postLine, /\bstatus=405\b/);
    assert.match(postLine, /\bduration_ms=\d+(\.\d+)?\b/);

    const log = readFileSync(logFile, 'utf8');
    for (const secret of secrets) assert.ok(!log.includes(secret), `portal-api.log contains "${secret}"`);
  });
});
