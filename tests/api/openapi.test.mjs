// The OpenAPI document: it lints clean under redocly's recommended rules (warnings allowed,
// no errors), describes exactly the routes the server has (portal-api -r), gives every
// operation an operationId and a 2xx answer; and the harness validating against it is not
// vacuous.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkCommonHeaders, env, validateAgainstSpec } from './lib/client.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const docFile = () => `${env().root}/openapi/openapi.json`;
const doc = () => JSON.parse(readFileSync(docFile(), 'utf8'));
// Parameter names do not matter when comparing routes: /a/{id} and /a/{patient_id} are one.
const normalise = (method, path) => `${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, '{}')}`;

function operations(d) {
  const ops = [];
  for (const [path, item] of Object.entries(d.paths ?? {})) {
    for (const method of METHODS) if (item[method]) ops.push({ method, path, op: item[method] });
  }
  return ops;
}

test('redocly lint (recommended) reports no errors', { timeout: 120_000 }, () => {
  const { root } = env();
  const r = spawnSync(`${root}/node_modules/.bin/redocly`, ['lint', '--format', 'json',
    '--config', `${root}/tests/api/redocly.yaml`, docFile()], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  assert.ifError(r.error);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    assert.fail(`redocly lint printed no JSON report (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
  }
  const errors = report.problems.filter((p) => p.severity === 'error')
    .map((p) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
  assert.deepEqual(errors, [], 'redocly lint errors');
  assert.equal(report.totals.errors, 0);
  assert.equal(r.status, 0, `redocly exited ${r.status}: ${r.stderr}`);
});

test('the document describes exactly the routes of portal-api -r', () => {
  const r = spawnSync(`${env().bin}/portal-api`, ['-r'], { encoding: 'utf8', timeout: 10_000 });
  assert.ifError(r.error);
  assert.equal(r.status, 0, `portal-api -r exited ${r.status}: ${r.stderr}`);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.ok(lines.length > 0, 'portal-api -r printed no routes');
  const routes = lines.map((line) => {
    const m = /^([A-Z]+) (\/\S*)$/.exec(line);
    assert.ok(m, `portal-api -r printed "${line}", not "METHOD PATTERN"`);
    return normalise(m[1], m[2]);
  });
  assert.equal(new Set(routes).size, routes.length, `duplicate routes: ${routes.join(', ')}`);
  const documented = operations(doc()).map(({ method, path }) => normalise(method, path));
  const missing = [...routes].filter((x) => !documented.includes(x)).sort();
  const extra = documented.filter((x) => !routes.includes(x)).sort();
  assert.deepEqual({ undocumented: missing, withoutRoute: extra }, { undocumented: [], withoutRoute: [] });
});

test('every operation has a unique operationId and documents a 2xx answer', () => {
  const ops = operations(doc());
  assert.ok(ops.length > 0, 'the document has no operations');
  const ids = [];
  for (const { method, path, op } of ops) {
    const where = `${method.toUpperCase()} ${path}`;
    assert.equal(typeof op.operationId, 'string', `${where} has no operationId`);
    assert.ok(op.operationId.length > 0, `${where} has an empty operationId`);
    ids.push(op.operationId);
    assert.ok(Object.keys(op.responses ?? {}).some((s) => /^2(\d\d|XX)$/i.test(s)), `${where} documents no 2xx answer`);
  }
  assert.equal(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.join(', ')}`);
});

test('the harness rejects answers the document does not allow', async () => {
  const headers = (type) => new Headers({ 'content-type': type, 'cache-control': 'no-store', 'x-request-id': 'abc' });
  const problem = { type: 'urn:patient-portal:problem:unavailable', title: 't', status: 503, detail: 'd', code: 'unavailable' };
  await validateAgainstSpec('GET', '/api/v1/health', { status: 503, headers: headers('application/problem+json'), body: problem, text: '{}' });
  await assert.rejects(validateAgainstSpec('GET', '/api/v1/health',
    { status: 200, headers: headers('application/json'), body: { status: 'ok' }, text: '{}' }), /does not match/);
  await assert.rejects(validateAgainstSpec('GET', '/api/v1/health',
    { status: 200, headers: headers('text/html'), body: '', text: '<p>' }), /content type/);
  await assert.rejects(validateAgainstSpec('GET', '/api/v1/health',
    { status: 418, headers: headers('application/problem+json'), body: { ...problem, status: 418 }, text: '{}' }), /not documented/);
  await assert.rejects(validateAgainstSpec('GET', '/api/v1/nope',
    { status: 404, headers: headers('application/json'), body: {}, text: '{}' }), /problem\+json/);
  await assert.rejects(validateAgainstSpec('DELETE', '/api/v1/health',
    { status: 405, headers: headers('application/problem+json'), body: { ...problem, status: 405, code: 'teapot' }, text: '{}' }),
  /does not match/);
  assert.throws(() => checkCommonHeaders('GET', '/api/v1/health', { status: 200, headers: new Headers({ 'cache-control': 'no-store' }) }),
    /X-Request-Id header is missing/);
  assert.throws(() => checkCommonHeaders('GET', '/api/v1/health', { status: 200, headers: new Headers({ 'x-request-id': 'a b' }) }),
    /does not match/);
  assert.throws(() => checkCommonHeaders('GET', '/api/v1/health', { status: 200, headers: new Headers({ 'x-request-id': 'ab' }) }),
    /Cache-Control/);
});
