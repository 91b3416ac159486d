// Input that is not text never reaches a handler (DESIGN.md section 11; issue 9 items 4
// and 5): on every operation of the OpenAPI document, a JSON body holding U+0000 or a lone
// surrogate, and a query value holding %00, invalid UTF-8 or a stray %, is 400 bad_request
// before anything else looks at the request (no session needed to find out). Every
// free-text field of every operation keeps the one text rule: a control character is 422
// naming the field, and so are a line break and a bidirectional override in a single-line
// field. And the database roles never let the server log record a parameter or a failing
// row.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { api, assertProblem, psql, spec } from './lib/client.mjs';
import { bookingClinic, dateIn } from './lib/fixtures.mjs';
import { okPdf } from './lib/docs.mjs';

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

// A provider's callback is not a client's JSON body: its exact bytes are what the provider
// signed, so the route takes them as bytes and the signature is judged first (payments_online).
const takesJson = (op) => Boolean(op.requestBody?.content?.['application/json'])
  && op.operationId !== 'paymentCallback';

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

// Every free-text field of the request bodies, by operation: [method, path, field, kind, base?],
// kind 'line' (names, titles: one line, no bidirectional override) or 'lines' (addresses,
// notes, bodies: line breaks allowed); base, where given, is the valid body the field is laid
// over (else the operation's in `bases` below). A test below checks this list against the OpenAPI
// document, so a new free-text field cannot go untested.
// A whole, valid body of the automatic first answers (every topic is required).
const AUTO_REPLY = { enabled: true, reply_within_hours: 24, body: { tr: 'Yanıt', en: 'Answer' } };
const AUTO_REPLIES = { appointment: AUTO_REPLY, billing: AUTO_REPLY, clinical: AUTO_REPLY, other: AUTO_REPLY };
// A whole, valid form definition of one question.
const FORM_BODY = { definition: { title: { tr: 'Form', en: 'Form' }, description: { tr: 'Açıklama', en: 'About' },
  items: [{ link_id: 'q1', type: 'string', text: { tr: 'Soru', en: 'Question' } }] } };
const FREE_TEXT = [
  ['POST', '/api/v1/clinic/patients', 'first_name', 'line'],
  ['POST', '/api/v1/clinic/patients', 'last_name', 'line'],
  ['POST', '/api/v1/clinic/patients', 'address', 'lines'],
  ['POST', '/api/v1/clinic/patients', 'emergency_contact.name', 'line'],
  ['PATCH', '/api/v1/clinic/patients/{id}', 'first_name', 'line'],
  ['PATCH', '/api/v1/clinic/patients/{id}', 'last_name', 'line'],
  ['PATCH', '/api/v1/clinic/patients/{id}', 'address', 'lines'],
  ['PATCH', '/api/v1/clinic/patients/{id}', 'emergency_contact.name', 'line'],
  ['POST', '/api/v1/clinic/api-keys', 'name', 'line'],
  ['POST', '/api/v1/clinic/templates', 'name', 'line'],
  ['POST', '/api/v1/clinic/templates', 'variants.tr.subject', 'line'],
  ['POST', '/api/v1/clinic/templates', 'variants.tr.body', 'lines'],
  ['POST', '/api/v1/clinic/templates', 'variants.en.subject', 'line'],
  ['POST', '/api/v1/clinic/templates', 'variants.en.body', 'lines'],
  ['PUT', '/api/v1/clinic/templates/{id}', 'name', 'line'],
  ['PUT', '/api/v1/clinic/templates/{id}', 'variants.tr.subject', 'line'],
  ['PUT', '/api/v1/clinic/templates/{id}', 'variants.tr.body', 'lines'],
  ['PUT', '/api/v1/clinic/templates/{id}', 'variants.en.subject', 'line'],
  ['PUT', '/api/v1/clinic/templates/{id}', 'variants.en.body', 'lines'],
  ['POST', '/api/v1/clinic/templates/preview', 'subject', 'line'],
  ['POST', '/api/v1/clinic/templates/preview', 'body', 'lines'],
  ['POST', '/api/v1/clinic/patients/{id}/treatment-plans', 'title', 'line'],
  ['POST', '/api/v1/clinic/patients/{id}/treatment-plans', 'items[0].procedure', 'line'],
  ['POST', '/api/v1/clinic/patients/{id}/treatment-plans', 'items[0].area', 'line'],
  ['PATCH', '/api/v1/clinic/treatment-plans/{id}', 'title', 'line'],
  ['PATCH', '/api/v1/clinic/treatment-plans/{id}', 'items[0].procedure', 'line'],
  ['PATCH', '/api/v1/clinic/treatment-plans/{id}', 'items[0].area', 'line'],
  ['POST', '/api/v1/clinic/patients/{id}/treatment-records', 'procedure', 'line'],
  ['POST', '/api/v1/clinic/patients/{id}/treatment-records', 'area', 'line'],
  ['POST', '/api/v1/clinic/patients/{id}/treatment-records', 'notes_for_patient', 'lines'],
  ['PATCH', '/api/v1/clinic/treatment-records/{id}', 'procedure', 'line'],
  ['PATCH', '/api/v1/clinic/treatment-records/{id}', 'area', 'line'],
  ['PATCH', '/api/v1/clinic/treatment-records/{id}', 'notes_for_patient', 'lines'],
  ['POST', '/api/v1/clinic/practitioners', 'name', 'line'],
  ['PATCH', '/api/v1/clinic/practitioners/{id}', 'name', 'line'],
  ['POST', '/api/v1/clinic/appointment-types', 'name', 'line'],
  ['PATCH', '/api/v1/clinic/appointment-types/{id}', 'name', 'line'],
  ['POST', '/api/v1/clinic/time-off', 'reason', 'line'],
  ['POST', '/api/v1/clinic/appointments', 'note', 'lines'],
  ['PATCH', '/api/v1/clinic/appointments/{id}', 'note', 'lines'],
  ['PUT', '/api/v1/clinic/profile', 'name', 'line'],
  ['PATCH', '/api/v1/clinic/staff/{id}', 'name', 'line'],
  ['POST', '/api/v1/clinic/staff', 'name', 'line'],
  ['PUT', '/api/v1/clinic/profile', 'address', 'lines'],
  ['PATCH', '/api/v1/portal/{code}/profile', 'address', 'lines'],
  ['PATCH', '/api/v1/portal/{code}/profile', 'emergency_contact.name', 'line'],
  ['POST', '/api/v1/clinic/invoices', 'lines[0].description', 'line'],
  ['POST', '/api/v1/clinic/invoices', 'note', 'lines'],
  ['POST', '/api/v1/clinic/invoices/{id}/void', 'reason', 'line'],
  ['POST', '/api/v1/clinic/payments', 'note', 'lines'],
  ['POST', '/api/v1/clinic/payments/{id}/refund', 'reason', 'line'],
  ['PATCH', '/api/v1/clinic/documents/{id}', 'title', 'line'],
  ['POST', '/api/v1/clinic/documents/{id}/review', 'reason', 'line'],
  ['POST', '/api/v1/clinic/messages', 'subject', 'line'],
  ['POST', '/api/v1/clinic/messages', 'body', 'lines'],
  ['POST', '/api/v1/clinic/messages/{id}', 'body', 'lines'],
  ['POST', '/api/v1/portal/{code}/messages', 'subject', 'line'],
  ['POST', '/api/v1/portal/{code}/messages', 'body', 'lines'],
  ['POST', '/api/v1/portal/{code}/messages/{id}', 'body', 'lines'],
  ['PUT', '/api/v1/clinic/messages/auto-replies', 'appointment.body.tr', 'lines', AUTO_REPLIES],
  ['PUT', '/api/v1/clinic/messages/auto-replies', 'appointment.body.en', 'lines', AUTO_REPLIES],
  ['PUT', '/api/v1/clinic/messages/auto-replies', 'billing.body.tr', 'lines', AUTO_REPLIES],
  ['PUT', '/api/v1/clinic/messages/auto-replies', 'billing.body.en', 'lines', AUTO_REPLIES],
  ['PUT', '/api/v1/clinic/messages/auto-replies', 'clinical.body.tr', 'lines', AUTO_REPLIES],
  ['PUT', '/api/v1/clinic/messages/auto-replies', 'clinical.body.en', 'lines', AUTO_REPLIES],
  ['PUT', '/api/v1/clinic/messages/auto-replies', 'other.body.tr', 'lines', AUTO_REPLIES],
  ['PUT', '/api/v1/clinic/messages/auto-replies', 'other.body.en', 'lines', AUTO_REPLIES],
  ...['POST /api/v1/clinic/forms', 'PUT /api/v1/clinic/forms/{id}'].flatMap((op) => {
    const [method, path] = op.split(' ');
    return [['title.tr', 'line'], ['title.en', 'line'], ['description.tr', 'lines'], ['description.en', 'lines'],
      ['items[0].text.tr', 'lines'], ['items[0].text.en', 'lines']]
      .map(([f, kind]) => [method, path, `definition.${f}`, kind, FORM_BODY]);
  }),
  ...['merchant_id', 'secret'].map((f) => ['PUT', '/api/v1/clinic/payment-infrastructure', `credentials.${f}`, 'line',
    { provider: 'devgateway', active: false, credentials: { merchant_id: 'm', secret: 's' } }]),
  ...['merchant_key', 'merchant_salt'].map((f) => ['PUT', '/api/v1/clinic/payment-infrastructure', `credentials.${f}`, 'line',
    { provider: 'paytr', active: false, credentials: { merchant_id: '1', merchant_key: 'k', merchant_salt: 's' } }]),
];
// String fields of request bodies that are not free text: identifiers, codes, contacts,
// times and secrets, each checked by its own rule (tests elsewhere).
const NOT_FREE_TEXT = new Set(['email', 'password', 'provider', 'code', 'phone', 'emergency_contact.phone',
  'previous_code', 'contact', 'challenge_id', 'selection_token', 'login_token', 'recovery_code', 'token', 'patient_id', 'start', 'end', 'value',
  'country', 'time_zone', 'currency', 'invoice_prefix', 'public_url', 'id',
  // A form's identifiers and values, each with its own rule (tests/api/forms.test.mjs): a
  // starter's key, an option's value, a condition's question (a link_id) and answer, and
  // bounds (numbers, or dates for a date item).
  'starter', 'definition.items[0].options[0].value', 'definition.items[0].enable_when[0].question',
  'definition.items[0].enable_when[0].answer', 'definition.items[0].min', 'definition.items[0].max',
  'definition.items[0].items[0].min', 'definition.items[0].items[0].max']);

// The body {a: {b: value}} of field "a.b", {items: [{procedure: value}]} of "items[0].procedure",
// laid over a base body that is otherwise valid (so that the field is the one thing wrong).
function bodyWith(field, value, base = {}) {
  const body = structuredClone(base);
  let at = body;
  const parts = field.split('.');
  parts.forEach((part, i) => {
    const m = /^(\w+)\[0\]$/.exec(part);
    const last = i === parts.length - 1;
    if (m) {
      at[m[1]] ??= [{}];
      at = at[m[1]][0];
    } else if (last) {
      at[part] = value;
    } else {
      at[part] ??= {};
      at = at[part];
    }
  });
  return body;
}

describe('the one text rule holds in every free-text field', () => {
  test('the list of free-text fields covers every string field of the OpenAPI request bodies', async () => {
    const { doc } = await spec();
    const comps = doc.components.schemas;
    const resolve = (sc) => { while (sc?.$ref) sc = comps[sc.$ref.split('/').at(-1)]; return sc ?? {}; };
    const fields = (sc, prefix, out, depth = 0) => {
      sc = resolve(sc);
      if (depth > 6) return;
      for (const k of ['allOf', 'oneOf', 'anyOf']) for (const sub of sc[k] ?? []) fields(sub, prefix, out, depth + 1);
      const types = [sc.type].flat();
      if (sc.properties) {
        for (const [k, v] of Object.entries(sc.properties)) fields(v, `${prefix}${k}.`, out, depth + 1);
      } else if (types.includes('array')) {
        fields(sc.items, `${prefix.slice(0, -1)}[0].`, out, depth + 1);
      } else if (types.includes('string') && !sc.format && !sc.enum && !sc.pattern && sc.const === undefined) {
        out.push(prefix.slice(0, -1));
      }
    };
    const listed = new Set(FREE_TEXT.map(([m, p, f]) => `${m} ${p} ${f}`));
    const missing = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of ['post', 'put', 'patch']) {
        const schema = item[method]?.requestBody?.content?.['application/json']?.schema;
        if (!schema) continue;
        const out = [];
        fields(schema, '', out);
        for (const f of out) {
          if (NOT_FREE_TEXT.has(f)) continue;
          if (!listed.has(`${method.toUpperCase()} ${path} ${f}`)) missing.push(`${method.toUpperCase()} ${path} ${f}`);
        }
      }
    }
    assert.deepEqual(missing, [], 'free-text fields without a test here');
  });

  test('a control character is 422 naming the field; in one-line fields so are a line break and a bidi override',
    async () => {
      const { clinic, owner, schedule, patients: [{ patient, session }] } = await bookingClinic({
        permissions: ['view_profile', 'update_profile', 'view_appointments', 'create_appointment', 'view_messages',
          'send_message'],
      });
      const post = async (path, body) => {
        const res = await owner.request('POST', path, { body });
        assert.equal(res.status, 201, `${path}: ${res.text}`);
        return res.body;
      };
      const plan = await post(`/api/v1/clinic/patients/${patient.id}/treatment-plans`, { title: 'Plan' });
      const record = await post(`/api/v1/clinic/patients/${patient.id}/treatment-records`,
        { performed_on: dateIn('Europe/Istanbul'), procedure: 'Check-up' });
      const appt = await post('/api/v1/clinic/appointments', { patient_id: patient.id,
        practitioner_id: schedule.practitioner.id, type_id: schedule.type.id,
        start: `${dateIn('Europe/Istanbul', 20)}T10:00:00+03:00` });
      const invoiceLine = { description: 'Dolgu', quantity: 1, unit_price: 1000, tax_rate_bp: 2000 };
      const invoice = await post('/api/v1/clinic/invoices', { patient_id: patient.id, lines: [invoiceLine] });
      const payment = await post('/api/v1/clinic/payments', { patient_id: patient.id, amount: 500, method: 'cash' });
      const templates = await owner.request('GET', '/api/v1/clinic/templates');
      const docUp = await owner.request('POST', `/api/v1/clinic/patients/${patient.id}/documents?title=Rapor`,
        { raw: okPdf(), headers: { 'content-type': 'application/pdf' } });
      assert.equal(docUp.status, 201, docUp.text);
      const pending = psql(`INSERT INTO documents (clinic_id, patient_id, kind, title, file_name, content_type, size,
        sha256, source, review_status) VALUES ('${clinic.id}', '${patient.id}', 'document', 'Yükleme', 'y.pdf',
        'application/pdf', 10, repeat('c', 64), 'patient', 'pending') RETURNING id`);
      const form = await post('/api/v1/clinic/forms', FORM_BODY);
      const conversation = await post('/api/v1/clinic/messages',
        { patient_id: patient.id, subject: 'Konu', topic: 'other', body: 'Mesaj' });
      const ids = {
        '/api/v1/clinic/messages/{id}': conversation.id,
        '/api/v1/clinic/forms/{id}': form.id,
        '/api/v1/portal/{code}/messages/{id}': conversation.id,
        '/api/v1/clinic/patients/{id}': patient.id,
        '/api/v1/clinic/patients/{id}/treatment-plans': patient.id,
        '/api/v1/clinic/patients/{id}/treatment-records': patient.id,
        '/api/v1/clinic/treatment-plans/{id}': plan.id,
        '/api/v1/clinic/treatment-records/{id}': record.id,
        '/api/v1/clinic/practitioners/{id}': schedule.practitioner.id,
        '/api/v1/clinic/appointment-types/{id}': schedule.type.id,
        '/api/v1/clinic/appointments/{id}': appt.id,
        '/api/v1/clinic/invoices/{id}/void': invoice.id,
        '/api/v1/clinic/payments/{id}/refund': payment.id,
        '/api/v1/clinic/templates/{id}': templates.body.items[0].id,
        '/api/v1/clinic/documents/{id}': docUp.body.id,
        '/api/v1/clinic/documents/{id}/review': pending,
        '/api/v1/clinic/staff/{id}': (await owner.request('GET', '/api/v1/clinic/staff')).body.items
          .find((m) => m.role === 'staff').id,
      };
      const tomorrow = dateIn('Europe/Istanbul', 1);
      const variant = { subject: 'Davet', body: '{{portal_url}}' };
      const template = { name: 'T', channel: 'email', purpose: 'portal_invitation', variants: { tr: variant, en: variant } };
      const bases = {
        'POST /api/v1/clinic/patients': { first_name: 'Ada', last_name: 'Nur' },
        'PUT /api/v1/clinic/profile': { name: 'Klinik', phone: null, email: null, address: null, languages: ['tr'],
          default_language: 'tr', country: 'TR', time_zone: 'Europe/Istanbul', currency: 'TRY', invoice_prefix: 'INV' },
        'POST /api/v1/clinic/api-keys': { name: 'k', scopes: ['read'] },
        'POST /api/v1/clinic/staff': { email: 'free-text@clinic.test', name: 'N', role: 'staff' },
        'POST /api/v1/clinic/templates': template,
        'PUT /api/v1/clinic/templates/{id}': template,
        'POST /api/v1/clinic/templates/preview': { channel: 'email', purpose: 'portal_invitation', language: 'tr',
          subject: 'S', body: '{{portal_url}}' },
        'POST /api/v1/clinic/patients/{id}/treatment-plans': { title: 'P', items: [{ procedure: 'Dolgu' }] },
        'PATCH /api/v1/clinic/treatment-plans/{id}': { items: [{ procedure: 'Dolgu' }] },
        'POST /api/v1/clinic/patients/{id}/treatment-records': { performed_on: tomorrow, procedure: 'Dolgu' },
        'POST /api/v1/clinic/invoices': { patient_id: patient.id, lines: [invoiceLine] },
        'POST /api/v1/clinic/payments': { patient_id: patient.id, amount: 100, method: 'cash' },
        'POST /api/v1/clinic/payments/{id}/refund': { amount: 1 },
        'POST /api/v1/clinic/practitioners': { name: 'Dr. A' },
        'POST /api/v1/clinic/documents/{id}/review': { decision: 'rejected' },
        'POST /api/v1/clinic/appointment-types': { name: 'Kontrol', duration_minutes: 30 },
        'POST /api/v1/clinic/messages': { patient_id: patient.id, subject: 'Konu', topic: 'other', body: 'Mesaj' },
        'POST /api/v1/portal/{code}/messages': { subject: 'Konu', topic: 'other', body: 'Mesaj' },
        'POST /api/v1/clinic/time-off': { start: `${tomorrow}T12:00:00+03:00`, end: `${tomorrow}T13:00:00+03:00` },
        'POST /api/v1/clinic/appointments': { patient_id: patient.id, practitioner_id: schedule.practitioner.id,
          type_id: schedule.type.id, start: `${dateIn('Europe/Istanbul', 21)}T10:00:00+03:00` },
      };
      const bad = {
        line: ['a\u0007b', 'a\u001b[31mb', 'one\ntwo', 'a\tb', 'a\u0085b', 'Ali\u202egpj.exe', 'a\u2066b\u2069'],
        lines: ['a\u0007b', 'a\u001b[31mb', 'a\u007fb', 'a\rb', 'a\u2028b'],
      };
      let checked = 0;
      const wrong = [];
      for (const [method, path, field, kind, base] of FREE_TEXT) {
        for (const value of bad[kind]) {
          const body = bodyWith(field, value, base ?? bases[`${method} ${path}`]);
          const res = path.startsWith('/api/v1/portal/')
            ? await session.request(method, path.replace('/api/v1/portal/{code}/', '').replace('{id}', ids[path]), { body })
            : await owner.request(method, path.replace('{id}', ids[path]), { body });
          if (res.status !== 422 || res.body.code !== 'validation_failed'
            || !res.body.errors.some((e) => e.field === field)) {
            wrong.push(`${method} ${path} ${field} = ${JSON.stringify(value)}: ${res.status} ${res.text.slice(0, 200)}`);
          }
          checked++;
        }
      }
      assert.deepEqual(wrong, [], 'answers that are not 422 naming the field');
      assert.ok(checked >= 200, `${checked} checked`);
      assert.ok(clinic.id);
    });
});

describe('the text rule in an upload\'s query', () => {
  test('title and file_name of both upload routes: a control character, a line break, a bidi override are 422 naming them',
    async () => {
      const { owner, patients: [{ patient, session }] } = await bookingClinic({ permissions: ['view_profile', 'upload_documents'] });
      const wrong = [];
      for (const field of ['title', 'file_name']) {
        for (const value of ['a\u0007b', 'one\ntwo', 'Ali\u202egpj.exe', 'x'.repeat(256)]) {
          const query = field === 'title' ? `title=${encodeURIComponent(value)}` : `title=ok&file_name=${encodeURIComponent(value)}`;
          const opts = { raw: okPdf(), headers: { 'content-type': 'application/pdf' } };
          for (const res of [await owner.request('POST', `/api/v1/clinic/patients/${patient.id}/documents?${query}`, opts),
            await session.request('POST', `documents?${query}`, opts)]) {
            if (res.status !== 422 || !res.body.errors?.some((e) => e.field === field)) {
              wrong.push(`${field} = ${JSON.stringify(value)}: ${res.status} ${res.text.slice(0, 160)}`);
            }
          }
        }
      }
      assert.deepEqual(wrong, []);
      assert.equal(psql(`SELECT count(*) FROM documents WHERE patient_id = '${patient.id}'`), '0', 'a refused upload was stored');
    });
});
