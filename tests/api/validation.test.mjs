// Input that is not text never reaches a handler (DESIGN.md section 11; issue 9 items 4
// and 5): on every operation of the OpenAPI document, a JSON body holding U+0000 or a lone
// surrogate, and a query value holding %00, invalid UTF-8 or a stray %, is 400 bad_request
// before anything else looks at the request (no session needed to find out). And the
// database roles never let the server log record a parameter or a failing row.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { api, assertProblem, psql, spec } from './lib/client.mjs';

// Every operation, with its path parameters filled with something well formed.
async function operations() {
  const { doc } = await spec();
  const out = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      if (!item[method]) continue;
      const url = path
        .replace('{code}', 'simple-dent')
        .replace(/\{[a-z_]+\}/g, '0f8fad5b-d9cb-469f-a165-70867728950e');
      out.push({ method: method.toUpperCase(), path, url, op: item[method] });
    }
  }
  return out;
}

const takesJson = (op) => Boolean(op.requestBody?.content?.['application/json']);

describe('a body that is not text is 400 on every operation, before anything else', () => {
  test('U+0000 in a string, in a key, and a lone surrogate', async () => {
    const bodies = [
      '{"name": "ok\\u0000' + 'x'.repeat(300) + '"}',
      '{"email": "a@example.test\\u0000@evil.test"}',
      '{"first\\u0000name": "x"}',
      '{"name": "\\ud800"}',
      '{"name": "\\udfff x"}',
      '{"items": [{"procedure": "\\ud800\\u0041"}]}',
    ];
    let checked = 0;
    for (const { method, url, op } of await operations()) {
      if (!takesJson(op)) continue;
      for (const raw of bodies) {
        const res = await api(method, url, { raw, headers: { 'content-type': 'application/json' } });
        assertProblem(res, 400, 'bad_request', `${method} ${url} ${raw.slice(0, 40)}`);
        assert.match(res.body.detail, /u0000|surrogate/, `${method} ${url}: the detail says why`);
        checked++;
      }
    }
    assert.ok(checked > 40, `only ${checked} bodies checked`);
  });
});

describe('a query value that is not text is 400 on every operation, never a filter switched off', () => {
  test('%00, invalid UTF-8, a cut sequence, an encoded surrogate and a stray % in a name or a value', async () => {
    const queries = ['patient_id=%ff', 'q=zzz%00qqq', 'status=%C3', 'scope=%ed%a0%80',
      '%00=1', 'q=50%', 'channel=%zz', 'purpose=sign_in_code&x=%c0%af'];
    let checked = 0;
    for (const { method, url } of await operations()) {
      for (const q of queries) {
        const res = await api(method, `${url}?${q}`, method === 'GET' ? {} : { body: {} });
        assertProblem(res, 400, 'bad_request', `${method} ${url}?${q}`);
        checked++;
      }
    }
    assert.ok(checked > 300, `only ${checked} queries checked`);
  });

  test('a well-formed query with escapes still works (the check is not a blanket refusal)', async () => {
    const res = await api('GET', '/api/v1/health?x=%C3%87a%C4%9Fr%C4%B1+%25&y=');
    assert.equal(res.status, 200);
  });
});

describe('the server log never records parameters or failing rows', () => {
  test('each role of the programs logs no parameter values and no DETAIL lines', () => {
    for (const role of ['portal_app', 'portal_notifier', 'portal_owner']) {
      const settings = psql(`SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s
        JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = '${role}' AND s.setdatabase = 0`);
      assert.match(settings, /log_parameter_max_length=0(,|$)/, `${role}: ${settings}`);
      assert.match(settings, /log_parameter_max_length_on_error=0(,|$)/, `${role}: ${settings}`);
      assert.match(settings, /log_error_verbosity=terse(,|$)/, `${role}: ${settings}`);
    }
    // And a session of the API's role sees them.
    assert.equal(psql('SHOW log_parameter_max_length_on_error', { user: 'portal_app' }), '0');
    assert.equal(psql('SHOW log_error_verbosity', { user: 'portal_app' }), 'terse');
  });
});
