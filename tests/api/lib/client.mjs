// Shared harness for the API and fault tests. api() sends one request to the stack under test
// and checks every answer against the OpenAPI document the server itself serves (operation,
// documented status, content type, body schema, documented headers; a path or method the
// document lacks must answer a Problem), plus what every API response carries (X-Request-Id,
// Cache-Control). Also: env(), psql(), psqlTry(), stackctl(), waitFor(), assertProblem().
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

const REQUEST_ID = /^[0-9A-Za-z-]{1,64}$/;
const SPEC_ID = 'urn:patient-portal:openapi';

let cachedEnv;

// The environment contract of scripts/test; fails clearly when a variable is missing.
export function env() {
  if (cachedEnv) return cachedEnv;
  const missing = ['PORTAL_TEST_URL', 'PORTAL_STACK', 'PORTAL_ROOT'].filter((k) => !process.env[k]);
  if (missing.length) {
    throw new Error(`set ${missing.join(', ')} (e.g. PORTAL_TEST_URL=http://127.0.0.1:8080 ` +
      'PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD); scripts/test sets them');
  }
  const url = process.env.PORTAL_TEST_URL.replace(/\/+$/, '');
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new Error(`PORTAL_TEST_URL must point at 127.0.0.1, not ${host}`);
  }
  const stack = process.env.PORTAL_STACK;
  const conf = `${stack}/portal.conf`;
  let confText;
  try {
    confText = readFileSync(conf, 'utf8');
  } catch (err) {
    throw new Error(`PORTAL_STACK=${stack} is not a stack directory (${conf}: ${err.code})`);
  }
  const dbPort = /^database_url = .*\bport=(\d+)/m.exec(confText)?.[1];
  if (!dbPort) throw new Error(`no database port in ${conf}`);
  // The stack's processes run as the user that owns its state directory.
  const { uid, gid } = statSync(stack);
  const owner = spawnSync('id', ['-nu', String(uid)], { encoding: 'utf8' });
  cachedEnv = {
    url,
    stack,
    root: process.env.PORTAL_ROOT.replace(/\/+$/, ''),
    bin: `${stack}/prefix/bin`,
    conf,
    confText,
    logDir: `${stack}/log`,
    runDir: `${stack}/run`,
    dbPort,
    runUser: owner.status === 0 ? owner.stdout.trim() : 'portal-dev',
    runUid: uid,
    runGid: gid,
  };
  return cachedEnv;
}

// One key of the stack's portal.conf, or undefined.
export function confValue(key) {
  const m = new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm').exec(env().confText);
  return m ? m[1].trim() : undefined;
}

// Runs a command as the stack's user; returns {status, stdout, stderr}. setpriv changes the
// user without opening a PAM session as runuser does, at half its cost (the tests make
// clinics and keys with portalctl thousands of times); HOME, USER and LOGNAME as runuser
// sets them for a user without a home.
export function runAsStackUser(argv, { timeoutMs = 60_000, extraEnv = {} } = {}) {
  const e = env();
  const envArgs = Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`);
  return run(argv.join(' '), 'setpriv', [`--reuid=${e.runUid}`, `--regid=${e.runGid}`, '--init-groups', '--',
    'env', 'HOME=/nonexistent', `USER=${e.runUser}`, `LOGNAME=${e.runUser}`, ...envArgs, ...argv], timeoutMs);
}

// Runs program with args and waits; {status, stdout, stderr}; throws (naming what) only
// when it could not be run or ran out of time.
function run(what, program, args, timeoutMs) {
  const r = spawnSync(program, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The psql program of the PostgreSQL the stacks run (scripts/lib/common.sh's PG_BIN), not
// Debian's /usr/bin/psql, a Perl wrapper that picks a cluster first (45 ms more a call).
const PSQL = '/usr/lib/postgresql/15/bin/psql';

// psql against the stack's database; returns {status, stdout, stderr} without throwing. Run
// as the test's own user: the stack's server trusts its socket, which is in the stack's
// directory on this machine.
export function psqlTry(sql, { user = 'postgres', db = 'portal' } = {}) {
  const e = env();
  return run('psql', PSQL, ['-h', e.runDir, '-p', e.dbPort, '-U', user, '-d', db,
    '-X', '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], 60_000);
}

// psql as the superuser (or opts.user); returns trimmed stdout, throws on failure.
export function psql(sql, opts) {
  const r = psqlTry(sql, opts);
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${sql}\n${r.stderr}`);
  return r.stdout.trim();
}

// scripts/stackctl ACTION against the stack under test; returns trimmed stdout.
export function stackctl(action, { timeoutMs = 90_000 } = {}) {
  const e = env();
  const r = spawnSync(`${e.root}/scripts/stackctl`, [action], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, PORTAL_STACK: e.stack },
  });
  if (r.error) throw new Error(`stackctl ${action}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`stackctl ${action} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Calls fn until it returns a truthy value (returned) or the time is up (throws with the last
// value or error). Bounded by time and by count.
export async function waitFor(fn, { timeoutMs = 5000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  const maxTries = Math.ceil(timeoutMs / Math.max(intervalMs, 1)) + 1;
  let last;
  for (let i = 0; i < maxTries; i++) {
    try {
      const value = await fn();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  const detail = last instanceof Error ? last.message : JSON.stringify(last);
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
}

// ---- the OpenAPI document and its validators ----

let specPromise;

// The document served by the stack, with an Ajv instance that knows it.
export function spec() {
  specPromise ??= (async () => {
    const res = await fetch(`${env().url}/api/v1/openapi.json`, { signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.status}: ${text.slice(0, 300)}`);
    const doc = JSON.parse(text);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    // The whole document is one schema resource, so "#/components/..." refs resolve in it.
    ajv.addSchema({ ...doc, $id: SPEC_ID });
    const templates = Object.keys(doc.paths ?? {}).map((template) => {
      const parts = template.split(/(\{[^}]+\})/);
      const source = parts.map((p) => (/^\{.+\}$/.test(p) ? '([^/]+)' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
      return { template, re: new RegExp(`^${source}$`), params: parts.filter((p) => /^\{.+\}$/.test(p)).length };
    });
    // Literal paths win over templated ones.
    templates.sort((a, b) => a.params - b.params);
    return { doc, ajv, templates, validators: new Map() };
  })();
  // A failed load (say, the API is down) is not remembered: the next call tries again.
  specPromise.catch(() => { specPromise = undefined; });
  return specPromise;
}

const pointerEscape = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

// Follows a local "$ref" of the document (responses, headers) to its target.
function deref(doc, obj) {
  for (let i = 0; obj && obj.$ref && i < 10; i++) {
    if (!obj.$ref.startsWith('#/')) throw new Error(`cannot follow $ref ${obj.$ref}`);
    obj = obj.$ref.slice(2).split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((o, key) => o?.[key], doc);
    if (obj === undefined) throw new Error('dangling $ref in the OpenAPI document');
  }
  return obj;
}

// The compiled validator for the schema at a JSON pointer of the document.
function validatorAt(s, pointer) {
  let v = s.validators.get(pointer);
  if (!v) {
    v = s.ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
    s.validators.set(pointer, v);
  }
  return v;
}

function checkSchema(s, pointer, value, where) {
  const v = validatorAt(s, pointer);
  if (!v(value)) {
    throw new Error(`${where}: does not match ${pointer}: ${s.ajv.errorsText(v.errors, { separator: '; ' })}`);
  }
}

function mediaType(headers) {
  return (headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

function matchContent(content, type) {
  if (content[type]) return type;
  const wildcard = `${type.split('/')[0]}/*`;
  if (content[wildcard]) return wildcard;
  return content['*/*'] ? '*/*' : undefined;
}

// Finds the operation for method + path: {template, operation} or {template} (path known,
// method not) or null (path unknown).
export async function findOperation(method, path) {
  const s = await spec();
  const pathname = path.split('?')[0];
  const hit = s.templates.find((t) => t.re.test(pathname));
  if (!hit) return null;
  const operation = s.doc.paths[hit.template][method.toLowerCase()];
  return operation ? { template: hit.template, operation } : { template: hit.template };
}

// Checks a response ({status, headers: Headers, body, text}) against the document; throws
// with a message naming the request and what is wrong.
export async function validateAgainstSpec(method, path, res) {
  const s = await spec();
  const where = `${method} ${path} -> ${res.status}`;
  const type = mediaType(res.headers);
  if (type === 'application/problem+json' || type.endsWith('+json') || type === 'application/json') {
    if (typeof res.body !== 'object' && res.text !== '') throw new Error(`${where}: ${type} body is not JSON`);
  }
  if (type === 'application/problem+json' && res.body && res.body.status !== res.status) {
    throw new Error(`${where}: problem "status" is ${res.body.status}, the HTTP status is ${res.status}`);
  }
  const found = await findOperation(method, path);
  if (!found || !found.operation) {
    // Not in the document (unknown path or method): the answer must be a Problem.
    if (type !== 'application/problem+json') {
      throw new Error(`${where}: ${found ? 'method' : 'path'} not in the document, so the answer must be ` +
        `application/problem+json, got "${res.headers.get('content-type')}"`);
    }
    checkSchema(s, '/components/schemas/Problem', res.body, `${where} body`);
    return;
  }
  const { template, operation } = found;
  const opPointer = `/paths/${pointerEscape(template)}/${method.toLowerCase()}`;
  const responses = operation.responses ?? {};
  const code = String(res.status);
  const key = [code, `${code[0]}XX`, `${code[0]}xx`, 'default'].find((k) => k in responses);
  if (!key) {
    throw new Error(`${where}: status ${code} is not documented for ${method} ${template} ` +
      `(documented: ${Object.keys(responses).join(', ')}); body: ${res.text.slice(0, 300)}`);
  }
  // Schemas are addressed by pointer: through the $ref'd response when there is one.
  let respPointer = `${opPointer}/responses/${pointerEscape(key)}`;
  let response = responses[key];
  for (let i = 0; response?.$ref && i < 10; i++) {
    respPointer = response.$ref.slice(1);
    response = deref(s.doc, { $ref: response.$ref });
  }
  for (const [name, h] of Object.entries(response.headers ?? {})) {
    const header = deref(s.doc, h);
    const value = res.headers.get(name);
    if (value === null) {
      if (header.required) throw new Error(`${where}: required header ${name} is missing`);
      continue;
    }
    if (header.schema) {
      const schemaPointer = h.$ref ? `${h.$ref.slice(1)}/schema` : `${respPointer}/headers/${pointerEscape(name)}/schema`;
      const t = header.schema.type;
      checkSchema(s, schemaPointer, t === 'integer' || t === 'number' ? Number(value) : value,
        `${where} header ${name}`);
    }
  }
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) {
    if (res.text !== '') throw new Error(`${where}: no body is documented, got: ${res.text.slice(0, 200)}`);
    return;
  }
  const mt = matchContent(content, type);
  if (!mt) {
    throw new Error(`${where}: content type "${res.headers.get('content-type')}" is not documented ` +
      `(documented: ${Object.keys(content).join(', ')})`);
  }
  if (content[mt].schema) {
    checkSchema(s, `${respPointer}/content/${pointerEscape(mt)}/schema`, res.body, `${where} body`);
  }
}

// What every response of the API carries.
export function checkCommonHeaders(method, path, res) {
  const where = `${method} ${path} -> ${res.status}`;
  const id = res.headers.get('x-request-id');
  if (id === null) throw new Error(`${where}: X-Request-Id header is missing`);
  if (!REQUEST_ID.test(id)) throw new Error(`${where}: X-Request-Id "${id}" does not match ${REQUEST_ID}`);
  if (res.headers.get('cache-control') === null) throw new Error(`${where}: Cache-Control header is missing`);
}

// One request to the API. body: sent as JSON; raw: sent as is (string or bytes), with the
// headers given. Every answer is checked (see above) before it is returned.
export async function api(method, path, { body, headers = {}, raw, timeoutMs = 15_000 } = {}) {
  if (!path.startsWith('/api/')) throw new Error(`api() is for /api/ paths, not ${path}`);
  const init = { method, headers: { ...headers }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    if (!Object.keys(init.headers).some((h) => h.toLowerCase() === 'content-type')) {
      init.headers['content-type'] = 'application/json';
    }
  } else if (raw !== undefined) {
    init.body = raw;
  }
  let response;
  try {
    response = await fetch(`${env().url}${path}`, init);
  } catch (err) {
    throw new Error(`${method} ${path}: no answer (${err.cause?.message ?? err.message})`);
  }
  const text = await response.text();
  const type = mediaType(response.headers);
  let parsed = text;
  if ((type === 'application/json' || type.endsWith('+json')) && text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path} -> ${response.status}: ${type} body is not JSON: ${text.slice(0, 200)}`);
    }
  }
  const res = { status: response.status, headers: response.headers, body: parsed, text };
  checkCommonHeaders(method, path, res);
  await validateAgainstSpec(method, path, res);
  return res;
}

// Asserts a problem+json answer with the given status and code.
export function assertProblem(res, status, code, message = '') {
  const prefix = message ? `${message}: ` : '';
  assert.equal(res.status, status, `${prefix}status (body: ${res.text.slice(0, 300)})`);
  assert.equal(mediaType(res.headers), 'application/problem+json', `${prefix}content type`);
  assert.equal(res.body.code, code, `${prefix}problem code`);
  assert.equal(res.body.status, status, `${prefix}problem status`);
}
