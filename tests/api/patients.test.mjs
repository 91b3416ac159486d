// Patients on the clinic side (DESIGN.md sections 2, 4 and 10; issue 4, item 6):
// POST /api/v1/clinic/patients with every field (phone read with the clinic's country by
// libphonenumber, valid by its plan, stored in E.164, a landline kept with SMS off and
// phone_sms_capable false; email kept as typed, language defaulting to the clinic's), 422
// validation_failed naming each bad field, 201 + Location; GET; PATCH of only the fields
// given (phone null removes it); the staff role creates, patches and switches portal_access;
// API key scopes (read may not create, write may); the list ordered by last then first name
// (accents folded) with cursor pagination (limit bounds, forged cursors); search by name
// without accents and in either word order, by phone in national, international and partial
// form, by email case-insensitively; LIKE's own characters do not widen a search; another
// clinic's patient is 404 not_found through every patient endpoint, by cookie and by API
// key, and never shows in the list or a search; non-uuid ids are 404; one audit row per
// create and per patch.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { assertProblem, psql } from './lib/client.mjs';
import { makeApiKey, makeClinic, signIn, withKey } from './lib/fixtures.mjs';

const PATIENTS = '/api/v1/clinic/patients';
const one = (id) => `${PATIENTS}/${id}`;
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field).sort();
const patientCount = (clinicId) => Number(psql(`SELECT count(*) FROM patients WHERE clinic_id = '${clinicId}'`));
const auditCount = (clinicId, action, targetId) => Number(psql(
  `SELECT count(*) FROM audit_log WHERE clinic_id = '${clinicId}' AND action = '${action}' AND target_id = '${targetId}'`));

async function create(s, body) {
  const res = await s.request('POST', PATIENTS, { body });
  assert.equal(res.status, 201, `create ${JSON.stringify(body)}: ${res.text}`);
  return res.body;
}

// Every item of the list (or search) walked with the given page size; asserts each page's
// shape. Bounded: at most maxPages pages.
async function walk(s, { q, limit, maxPages = 50 } = {}) {
  const items = [];
  const pages = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const params = new URLSearchParams();
    if (q !== undefined) params.set('q', q);
    if (limit !== undefined) params.set('limit', String(limit));
    if (cursor !== null) params.set('cursor', cursor);
    const res = await s.request('GET', `${PATIENTS}?${params}`);
    assert.equal(res.status, 200, `page ${i + 1}: ${res.text}`);
    if (limit !== undefined) assert.ok(res.body.items.length <= limit, `page ${i + 1} has more than ${limit} items`);
    items.push(...res.body.items);
    pages.push(res.body.items.length);
    cursor = res.body.next_cursor;
    if (cursor === null) return { items, pages };
    assert.equal(typeof cursor, 'string');
  }
  throw new Error(`more than ${maxPages} pages`);
}
const names = (items) => items.map((p) => `${p.first_name} ${p.last_name}`);

// The list's people: the order is by folded last name, then folded first name.
const PEOPLE = [
  { first_name: 'Zeynep', last_name: 'Aksoy', phone: '+90 532 111 22 33', email: 'zeynep@aksoy.test' },
  { first_name: 'Ahmet', last_name: 'Yılmaz', phone: '0533 444 55 66', email: 'ahmet.yilmaz@mail.test' },
  { first_name: 'Ayşe', last_name: 'Yılmaz', phone: '0555 123 45 67', email: 'Ayse.Yilmaz@Example.com' },
  { first_name: 'Çağrı', last_name: 'Çelik', email: 'cagri@celik.test' },
  { first_name: 'Can', last_name: 'Celik', phone: '+49 30 9876 5432' },
  { first_name: 'Mehmet', last_name: 'Demir', phone: '0542 987 65 43' },
  { first_name: 'Ömer', last_name: 'Öztürk' },
  { first_name: 'Ali', last_name: 'Özdemir', email: 'ali@ozdemir.test' },
  { first_name: 'Kaan', last_name: 'Ak' },
  { first_name: 'Cabbar', last_name: 'Kaya' },
];
const ORDER = [
  'Kaan Ak', 'Zeynep Aksoy', 'Çağrı Çelik', 'Can Celik', 'Mehmet Demir', 'Cabbar Kaya',
  'Ali Özdemir', 'Ömer Öztürk', 'Ahmet Yılmaz', 'Ayşe Yılmaz',
];

// Clinic A: owner and staff sessions, keys of each scope. Clinic B: one patient and a key.
let A;
let owner;
let staff;
let keyRead;
let keyWrite;
let keyAllA;
let B;
let keyB;
let bPatient;

before(async () => {
  A = makeClinic();
  B = makeClinic();
  [owner, staff] = await Promise.all([signIn(A.logins.owner), signIn(A.logins.staff)]);
  keyRead = withKey(makeApiKey(A.id, 'read'));
  keyWrite = withKey(makeApiKey(A.id, 'read,write'));
  keyAllA = withKey(makeApiKey(A.id, 'read,write,admin'));
  keyB = withKey(makeApiKey(B.id, 'read,write,admin'));
  bPatient = await create(keyB, {
    first_name: 'Ayşe', last_name: 'Yılmaz', phone: '0555 123 45 67', email: 'ayse.b@other.test',
  });
});

describe('create and read', () => {
  test('every field: phone stored in E.164, email kept, 201 with Location; GET answers the same', async () => {
    const res = await owner.request('POST', PATIENTS, {
      body: {
        first_name: 'Ayşe', last_name: 'Yılmaz', phone: '0555 123 45 67', email: 'Ayse.Yilmaz@Example.com',
        language: 'en', portal_access: false,
      },
    });
    assert.equal(res.status, 201, res.text);
    const p = res.body;
    assert.match(p.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(
      { ...p, id: undefined, created_at: undefined, updated_at: undefined },
      {
        id: undefined, first_name: 'Ayşe', last_name: 'Yılmaz', phone: '+905551234567', phone_sms_capable: true,
        email: 'Ayse.Yilmaz@Example.com', language: 'en', portal_access: false,
        created_at: undefined, updated_at: undefined,
        // The profile fields (issue 6), as a new patient has them.
        address: null, emergency_contact: null, communication: { sms: true, email: true },
        has_photo: false, photo_url: null,
      },
    );
    assert.equal(res.headers.get('location'), `${PATIENTS}/${p.id}`);
    const got = await owner.request('GET', res.headers.get('location'));
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body, p);
  });

  test('defaults: language is the clinic default ("tr"), portal access on, no phone or email', async () => {
    const p = await create(owner, { first_name: 'Mehmet', last_name: 'Kaya' });
    assert.equal(p.language, 'tr');
    assert.equal(p.portal_access, true);
    assert.equal(p.phone, null);
    assert.equal(p.email, null);
    // Explicit nulls are the same as leaving the contacts out.
    const q = await create(owner, { first_name: 'Elif', last_name: 'Kaya', phone: null, email: null });
    assert.equal(q.phone, null);
    assert.equal(q.email, null);
  });

  test('the language default follows the clinic default language', async () => {
    const clinic = makeClinic();
    const key = withKey(makeApiKey(clinic.id, 'read,write'));
    psql(`UPDATE clinics SET default_language = 'en' WHERE id = '${clinic.id}'`);
    assert.equal((await create(key, { first_name: 'John', last_name: 'Smith' })).language, 'en');
    assert.equal((await create(key, { first_name: 'Ali', last_name: 'Veli', language: 'tr' })).language, 'tr');
  });

  test('phone numbers in other usual forms', async () => {
    const forms = [
      ['+90 (555) 123-45-67', '+905551234567'],
      ['0090 555 123 45 67', '+905551234567'],
      ['5551234567', '+905551234567'],
      ['+49 30 1234 5678', '+493012345678'],
    ];
    for (const [typed, stored] of forms) {
      const p = await create(owner, { first_name: 'Tel', last_name: 'Test', phone: typed });
      assert.equal(p.phone, stored, `phone ${typed}`);
    }
  });

  test('a clinic in Germany: 030 1234567 is +49301234567 (a landline), 0151 23456789 a mobile', async () => {
    const de = makeClinic();
    const deOwner = await signIn(de.logins.owner);
    const { id, public_url: url, ...profile } = (await deOwner.request('GET', '/api/v1/clinic/profile')).body;
    const saved = await deOwner.request('PUT', '/api/v1/clinic/profile',
      { body: { ...profile, country: 'DE', time_zone: 'Europe/Berlin', currency: 'EUR' } });
    assert.equal(saved.status, 200, saved.text);

    const landline = await create(deOwner, { first_name: 'Jonas', last_name: 'Weber', phone: '030 1234567' });
    assert.equal(landline.phone, '+49301234567');
    assert.equal(landline.phone_sms_capable, false);
    const read = await deOwner.request('GET', one(landline.id));
    assert.equal(read.body.phone, '+49301234567');
    for (const [typed, stored] of [['(030) 123-4567', '+49301234567'], ['0151 23456789', '+4915123456789'],
      ['+49 151 23456789', '+4915123456789'], ['0049 30 1234567', '+49301234567'],
      ['+90 532 123 45 67', '+905321234567']]) {
      const p = await create(deOwner, { first_name: 'Tel', last_name: 'Test', phone: typed });
      assert.equal(p.phone, stored, `phone ${typed}`);
      assert.equal(p.phone_sms_capable, stored !== '+49301234567', `phone ${typed}`);
    }
    // A Turkish national number means something else, or nothing, in Germany; a German one in
    // Turkey is nothing.
    const res = await deOwner.request('POST', PATIENTS, { body: { first_name: 'A', last_name: 'B', phone: '0212 123 45 67' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.phone, '+492121234567', 'Solingen, not Istanbul');
    const tr = await owner.request('POST', PATIENTS, { body: { first_name: 'A', last_name: 'B', phone: '030 1234567' } });
    assertProblem(tr, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(tr), ['phone']);
  });

  test('only numbers valid by their country\'s plan are taken; the problem shows how the country writes one', async () => {
    for (const phone of ['+1 555', '+90 000 000 00 00', '+123456789012345', '0599 000 00 00', '+44 7700 900123']) {
      const res = await owner.request('POST', PATIENTS, { body: { first_name: 'A', last_name: 'B', phone } });
      assertProblem(res, 422, 'validation_failed', phone);
      assert.deepEqual(fieldsOf(res), ['phone'], phone);
      assert.match(res.body.errors[0].message, /for example \+90 5\d\d \d{3} \d\d \d\d or 05\d\d \d{3} \d\d \d\d/, res.text);
    }
  });

  test('a landline is kept (clinics call it) with SMS off; asking for SMS on it is 422 naming communication.sms', async () => {
    const p = await create(owner, { first_name: 'Sabit', last_name: 'Hat', phone: '0212 123 45 67', email: 'sabit@hat.test' });
    assert.equal(p.phone, '+902121234567');
    assert.equal(p.phone_sms_capable, false);
    assert.deepEqual(p.communication, { sms: false, email: true }, 'SMS is off for a landline');
    let res = await owner.request('POST', PATIENTS, { body: { first_name: 'Sabit', last_name: 'Hat',
      phone: '0212 123 45 67', communication: { sms: true } } });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(res), ['communication.sms']);
    assert.match(res.body.errors[0].message, /cannot receive text messages/);
    res = await owner.request('PATCH', one(p.id), { body: { communication: { sms: true } } });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(res), ['communication.sms']);
    // A mobile instead: SMS may be switched on again (it stays as it was until asked).
    res = await owner.request('PATCH', one(p.id), { body: { phone: '0532 123 45 67' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.phone_sms_capable, true);
    assert.equal(res.body.communication.sms, false);
    res = await owner.request('PATCH', one(p.id), { body: { communication: { sms: true } } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.communication.sms, true);
    // Back to a landline: SMS goes off with it.
    res = await owner.request('PATCH', one(p.id), { body: { phone: '0212 765 43 21' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.communication, { sms: false, email: true });
    // Without a phone there is nothing to say.
    res = await owner.request('PATCH', one(p.id), { body: { phone: null } });
    assert.equal(res.body.phone_sms_capable, null);
  });

  test('names at the limit: 100 characters, also with Turkish letters, are accepted', async () => {
    const ascii = 'a'.repeat(100);
    assert.equal((await create(owner, { first_name: ascii, last_name: 'Uzun' })).first_name, ascii);
    // 100 characters (the OpenAPI maxLength and the column's CHECK count characters, not bytes).
    const turkish = 'ğ'.repeat(100);
    const res = await owner.request('POST', PATIENTS, { body: { first_name: 'Uzun', last_name: turkish } });
    assert.equal(res.status, 201, `a 100-character last name of Turkish letters: ${res.text}`);
    assert.equal(res.body.last_name, turkish);
  });

  // Each bad body: 422 validation_failed naming exactly the fields given; nothing created.
  const BAD = [
    ['first_name empty', { first_name: '', last_name: 'Kaya' }, ['first_name']],
    ['first_name blank', { first_name: '   ', last_name: 'Kaya' }, ['first_name']],
    ['first_name 101 characters', { first_name: 'a'.repeat(101), last_name: 'Kaya' }, ['first_name']],
    ['first_name missing', { last_name: 'Kaya' }, ['first_name']],
    ['first_name not a string', { first_name: 42, last_name: 'Kaya' }, ['first_name']],
    ['first_name null', { first_name: null, last_name: 'Kaya' }, ['first_name']],
    ['first_name with a control character', { first_name: 'Ay\nşe', last_name: 'Kaya' }, ['first_name']],
    ['last_name empty', { first_name: 'Ali', last_name: '' }, ['last_name']],
    ['last_name 101 characters', { first_name: 'Ali', last_name: 'b'.repeat(101) }, ['last_name']],
    ['last_name 101 Turkish characters', { first_name: 'Ali', last_name: 'ş'.repeat(101) }, ['last_name']],
    ['last_name missing', { first_name: 'Ali' }, ['last_name']],
    ['phone letters', { first_name: 'Ali', last_name: 'Kaya', phone: 'call me' }, ['phone']],
    ['phone too short', { first_name: 'Ali', last_name: 'Kaya', phone: '12' }, ['phone']],
    ['phone national with a wrong length', { first_name: 'Ali', last_name: 'Kaya', phone: '0555 123 45' }, ['phone']],
    ['phone too long', { first_name: 'Ali', last_name: 'Kaya', phone: '+90 555 123 45 67 89 01 23' }, ['phone']],
    ['phone not a string', { first_name: 'Ali', last_name: 'Kaya', phone: 905551234567 }, ['phone']],
    ['email without @', { first_name: 'Ali', last_name: 'Kaya', email: 'ali.kaya.example.com' }, ['email']],
    ['email without a domain dot', { first_name: 'Ali', last_name: 'Kaya', email: 'ali@example' }, ['email']],
    ['email with a space', { first_name: 'Ali', last_name: 'Kaya', email: 'ali kaya@example.com' }, ['email']],
    ['email with two @', { first_name: 'Ali', last_name: 'Kaya', email: 'ali@kaya@example.com' }, ['email']],
    ['email not a string', { first_name: 'Ali', last_name: 'Kaya', email: true }, ['email']],
    ['language de', { first_name: 'Ali', last_name: 'Kaya', language: 'de' }, ['language']],
    ['language TR (case matters)', { first_name: 'Ali', last_name: 'Kaya', language: 'TR' }, ['language']],
    ['language null', { first_name: 'Ali', last_name: 'Kaya', language: null }, ['language']],
    ['portal_access a string', { first_name: 'Ali', last_name: 'Kaya', portal_access: 'true' }, ['portal_access']],
    ['portal_access a number', { first_name: 'Ali', last_name: 'Kaya', portal_access: 1 }, ['portal_access']],
    ['portal_access null', { first_name: 'Ali', last_name: 'Kaya', portal_access: null }, ['portal_access']],
    ['an unknown field', { first_name: 'Ali', last_name: 'Kaya', nickname: 'Alo' }, ['nickname']],
    ['a read-only field', { first_name: 'Ali', last_name: 'Kaya', id: randomUUID() }, ['id']],
    ['several at once', { first_name: '', last_name: 'Kaya', phone: 'x', email: 'y', language: 'fr' },
      ['email', 'first_name', 'language', 'phone']],
  ];
  for (const [what, body, fields] of BAD) {
    test(`POST with ${what}: 422 naming ${fields.join(', ')}`, async () => {
      const count = patientCount(A.id);
      const res = await owner.request('POST', PATIENTS, { body });
      assertProblem(res, 422, 'validation_failed', what);
      assert.deepEqual(fieldsOf(res), [...fields].sort(), `${what}: ${res.text}`);
      for (const e of res.body.errors) assert.ok(e.message.length > 0, 'each error has a message');
      assert.equal(patientCount(A.id), count, `${what}: a patient was created`);
    });
  }

  test('POST with a body that is not an object: 422; malformed JSON: 400', async () => {
    assertProblem(await owner.request('POST', PATIENTS, { body: ['Ali', 'Kaya'] }), 422, 'validation_failed');
    assertProblem(await owner.request('POST', PATIENTS, {
      raw: '{"first_name": "Ali",', headers: { 'content-type': 'application/json' },
    }), 400, 'bad_request');
  });
});

describe('PATCH', () => {
  test('only the fields given change; phone null removes the phone', async () => {
    const p = await create(owner, {
      first_name: 'Fatma', last_name: 'Şahin', phone: '0532 765 43 21', email: 'fatma@sahin.test',
    });
    const steps = [
      [{ email: 'Fatma.Sahin@Yeni.test' }, { email: 'Fatma.Sahin@Yeni.test' }],
      [{ last_name: 'Şahin-Kaya' }, { last_name: 'Şahin-Kaya' }],
      [{ language: 'en', portal_access: false }, { language: 'en', portal_access: false }],
      [{ phone: '+90 533 000 11 22' }, { phone: '+905330001122' }],
      [{ phone: null }, { phone: null, phone_sms_capable: null }],
      [{ email: null }, { email: null }],
      [{}, {}],
    ];
    let current = p;
    for (const [patch, changed] of steps) {
      const res = await owner.request('PATCH', one(p.id), { body: patch });
      assert.equal(res.status, 200, `PATCH ${JSON.stringify(patch)}: ${res.text}`);
      const expected = { ...current, ...changed };
      assert.deepEqual({ ...res.body, updated_at: undefined }, { ...expected, updated_at: undefined },
        `PATCH ${JSON.stringify(patch)}`);
      assert.ok(res.body.updated_at >= current.updated_at, 'updated_at goes forward');
      assert.equal(res.body.created_at, p.created_at, 'created_at stays');
      const got = await owner.request('GET', one(p.id));
      assert.deepEqual(got.body, res.body, 'GET answers what PATCH answered');
      current = res.body;
    }
  });

  test('a removed phone is no longer found by search; a changed name is', async () => {
    const clinic = makeClinic();
    const key = withKey(makeApiKey(clinic.id, 'read,write'));
    const p = await create(key, { first_name: 'Hülya', last_name: 'Koç', phone: '0536 222 33 44' });
    const search = async (q) => (await key.request('GET', `${PATIENTS}?q=${encodeURIComponent(q)}`)).body.items.map((x) => x.id);
    assert.deepEqual(await search('05362223344'), [p.id]);
    await key.request('PATCH', one(p.id), { body: { phone: null, last_name: 'Güneş' } });
    assert.deepEqual(await search('05362223344'), []);
    assert.deepEqual(await search('koc'), []);
    assert.deepEqual(await search('gunes'), [p.id]);
  });

  test('bad fields: 422 naming them, and nothing changes', async () => {
    const p = await create(owner, { first_name: 'Emre', last_name: 'Aydın', phone: '0532 111 00 99' });
    const bad = [
      [{ first_name: '' }, ['first_name']],
      [{ last_name: 'x'.repeat(101) }, ['last_name']],
      [{ first_name: null }, ['first_name']],
      [{ phone: 'abc' }, ['phone']],
      [{ email: 'nope' }, ['email']],
      [{ language: 'de' }, ['language']],
      [{ portal_access: 'no' }, ['portal_access']],
      [{ created_at: '2020-01-01T00:00:00Z' }, ['created_at']],
      [{ first_name: 'Ok', email: 'nope' }, ['email']],
    ];
    for (const [body, fields] of bad) {
      const res = await owner.request('PATCH', one(p.id), { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body));
      assert.deepEqual(fieldsOf(res), fields, JSON.stringify(body));
    }
    assert.deepEqual((await owner.request('GET', one(p.id))).body, p, 'a refused PATCH changed the patient');
  });

  test('an unknown id: 404 not_found', async () => {
    assertProblem(await owner.request('PATCH', one(randomUUID()), { body: { first_name: 'X' } }), 404, 'not_found');
  });
});

describe('roles and API key scopes', () => {
  test('the staff role creates, patches and switches portal_access', async () => {
    const p = await create(staff, { first_name: 'Deniz', last_name: 'Arslan', phone: '0532 555 66 77' });
    const off = await staff.request('PATCH', one(p.id), { body: { portal_access: false } });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.portal_access, false);
    const on = await staff.request('PATCH', one(p.id), { body: { portal_access: true, first_name: 'Deniz Su' } });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.body.portal_access, true);
    assert.equal(on.body.first_name, 'Deniz Su');
    assert.equal((await staff.request('GET', one(p.id))).status, 200);
    assert.equal((await staff.request('GET', PATIENTS)).status, 200);
    assert.equal(psql(`SELECT string_agg(DISTINCT actor_type, ',') FROM audit_log
      WHERE clinic_id = '${A.id}' AND target_id = '${p.id}'`), 'staff');
  });

  test('a read key lists and reads but may not create or patch (403); a write key may', async () => {
    const p = await create(owner, { first_name: 'Oya', last_name: 'Tekin' });
    assert.equal((await keyRead.request('GET', PATIENTS)).status, 200);
    assert.deepEqual((await keyRead.request('GET', one(p.id))).body, p);
    const count = patientCount(A.id);
    assertProblem(await keyRead.request('POST', PATIENTS, { body: { first_name: 'No', last_name: 'Way' } }),
      403, 'forbidden_role', 'read key POST');
    assertProblem(await keyRead.request('PATCH', one(p.id), { body: { first_name: 'No' } }),
      403, 'forbidden_role', 'read key PATCH');
    assert.equal(patientCount(A.id), count);
    assert.deepEqual((await owner.request('GET', one(p.id))).body, p);
    const res = await keyWrite.request('POST', PATIENTS, { body: { first_name: 'Yes', last_name: 'Write' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), one(res.body.id));
    const patched = await keyWrite.request('PATCH', one(p.id), { body: { first_name: 'Oya Nur' } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.first_name, 'Oya Nur');
    assert.equal(psql(`SELECT actor_type FROM audit_log WHERE clinic_id = '${A.id}'
      AND action = 'patient.create' AND target_id = '${res.body.id}'`), 'api_key');
  });
});

describe('list and search', () => {
  let C;
  let key;
  const byName = new Map();

  before(async () => {
    C = makeClinic();
    key = withKey(makeApiKey(C.id, 'read,write'));
    // Created out of order, so that the list's order is its own work.
    for (const person of [...PEOPLE].reverse()) {
      const p = await create(key, person);
      byName.set(`${p.first_name} ${p.last_name}`, p);
    }
  });

  const ids = (list) => list.map((n) => byName.get(n).id);
  const search = async (q, expected, what = q) => {
    const res = await key.request('GET', `${PATIENTS}?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, `q=${q}: ${res.text}`);
    assert.deepEqual(names(res.body.items), expected, `search ${what}`);
    assert.equal(res.body.next_cursor, null);
    return res;
  };

  test('the list is ordered by last name, then first name, accents folded', async () => {
    const res = await key.request('GET', PATIENTS);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(names(res.body.items), ORDER);
    assert.equal(res.body.next_cursor, null);
    assert.deepEqual(res.body.items.map((p) => p.id), ids(ORDER));
    // The items are whole patients, as GET answers them.
    assert.deepEqual(res.body.items[0], (await key.request('GET', one(res.body.items[0].id))).body);
  });

  test('limit=2 walks every patient once, in order, and ends with next_cursor null', async () => {
    const { items, pages } = await walk(key, { limit: 2 });
    assert.deepEqual(names(items), ORDER);
    assert.equal(new Set(items.map((p) => p.id)).size, items.length, 'duplicates across pages');
    assert.deepEqual(pages, [2, 2, 2, 2, 2]);
    const three = await walk(key, { limit: 3 });
    assert.deepEqual(names(three.items), ORDER);
    assert.deepEqual(three.pages, [3, 3, 3, 1]);
    const all = await walk(key, { limit: 100 });
    assert.deepEqual(all.pages, [10]);
    const first = await key.request('GET', `${PATIENTS}?limit=1`);
    assert.deepEqual(names(first.body.items), ['Kaan Ak']);
    assert.equal(typeof first.body.next_cursor, 'string');
  });

  test('two patients with the same name both appear once across pages', async () => {
    const clinic = makeClinic();
    const k = withKey(makeApiKey(clinic.id, 'read,write'));
    const twins = [];
    for (let i = 0; i < 5; i++) twins.push((await create(k, { first_name: 'Ece', last_name: 'Yıldız' })).id);
    const { items } = await walk(k, { limit: 2 });
    assert.deepEqual(items.map((p) => p.id), [...twins].sort(), 'same names: ordered by id, each once');
  });

  test('limit outside 1..100 and a forged cursor: 422 naming the parameter', async () => {
    for (const limit of ['0', '101', '-1', 'abc', '1.5']) {
      const res = await key.request('GET', `${PATIENTS}?limit=${limit}`);
      assertProblem(res, 422, 'validation_failed', `limit=${limit}`);
      assert.deepEqual(fieldsOf(res), ['limit'], `limit=${limit}`);
    }
    const hex = (s) => Buffer.from(s).toString('hex');
    const forged = [
      'garbage',
      '',
      `${hex('yilmaz ayse')}`,
      `${hex('yilmaz ayse')}.not-a-uuid`,
      `zz.${randomUUID()}`,
      `${hex('a')}0.${randomUUID()}`,
      `${hex('yilmaz')}.${'-'.repeat(36)}`,
      `${hex('yilmaz')}.${'0123456789abcdef'.repeat(3).slice(0, 36)}`,
      `${hex('yilmaz')}.${randomUUID().replace(/-/g, 'g')}`,
    ];
    for (const cursor of forged) {
      const res = await key.request('GET', `${PATIENTS}?cursor=${encodeURIComponent(cursor)}`);
      assertProblem(res, 422, 'validation_failed', `cursor=${cursor}`);
      assert.deepEqual(fieldsOf(res), ['cursor'], `cursor=${cursor}: ${res.text}`);
    }
  });

  test('search by name ignores accents, case and word order', async () => {
    await search('yilmaz', ['Ahmet Yılmaz', 'Ayşe Yılmaz']);
    await search('Yılmaz', ['Ahmet Yılmaz', 'Ayşe Yılmaz']);
    await search('YILMAZ', ['Ahmet Yılmaz', 'Ayşe Yılmaz']);
    await search('ayse yil', ['Ayşe Yılmaz']);
    await search('yilmaz ayse', ['Ayşe Yılmaz']);
    await search('AYŞE YILMAZ', ['Ayşe Yılmaz']);
    await search('celik', ['Çağrı Çelik', 'Can Celik']);
    await search('Çelik', ['Çağrı Çelik', 'Can Celik']);
    await search('cagri', ['Çağrı Çelik']);
    await search('ozt', ['Ömer Öztürk']);
    await search('omer ozturk', ['Ömer Öztürk']);
    await search('  demir  ', ['Mehmet Demir', 'Ali Özdemir']);
    await search('nobody here', []);
  });

  test('search by phone: national, international and partial forms', async () => {
    const ayse = ['Ayşe Yılmaz'];
    await search('0555 123 45 67', ayse);
    await search('05551234567', ayse);
    await search('+90 555 123 45 67', ayse);
    await search('+905551234567', ayse);
    await search('0090 555 123 45 67', ayse);
    await search('(0555) 123-45-67', ayse);
    await search('555 123', ayse);
    await search('1234567', ayse);
    await search('4567', ayse);
    await search('+49 30 9876 5432', ['Can Celik']);
    await search('0542 987', ['Mehmet Demir']);
    await search('0599 000 00 00', []);
  });

  test('search by email, case-insensitively', async () => {
    await search('ayse.yilmaz@example.com', ['Ayşe Yılmaz']);
    await search('AYSE.YILMAZ@EXAMPLE.COM', ['Ayşe Yılmaz']);
    await search('Ayse.Yilmaz@Example.com', ['Ayşe Yılmaz']);
    await search('@example.com', ['Ayşe Yılmaz']);
    await search('ali@OZDEMIR.test', ['Ali Özdemir']);
    await search('nobody@example.com', []);
  });

  test('a search pages with its cursor', async () => {
    const { items, pages } = await walk(key, { q: 'yilmaz', limit: 1 });
    assert.deepEqual(names(items), ['Ahmet Yılmaz', 'Ayşe Yılmaz']);
    assert.deepEqual(pages, [1, 1]);
  });

  test('q shorter than 3 letters or digits (or longer than 100 characters): 422 naming q', async () => {
    for (const q of ['ab', 'a', 'ş', ' ab ', 'ğü', '12', '%%%', '___', '...', 'x'.repeat(101)]) {
      const res = await key.request('GET', `${PATIENTS}?q=${encodeURIComponent(q)}`);
      assertProblem(res, 422, 'validation_failed', `q=${q}`);
      assert.deepEqual(fieldsOf(res), ['q'], `q=${q}`);
    }
    // An empty q is the plain list.
    const empty = await key.request('GET', `${PATIENTS}?q=`);
    assert.equal(empty.status, 200);
    assert.deepEqual(names(empty.body.items), ORDER);
  });

  test("LIKE's own characters do not widen a search", async () => {
    for (const q of ['a_b', 'a%b', '%a%', '_a_', 'a\\b', '%@%', '_@_', '%@example.com', 'a%@%', '%%%a']) {
      const res = await key.request('GET', `${PATIENTS}?q=${encodeURIComponent(q)}`);
      if (res.status === 422) {
        assertProblem(res, 422, 'validation_failed', `q=${q}`);
        continue;
      }
      assert.equal(res.status, 200, `q=${q}: ${res.text}`);
      assert.ok(res.body.items.length < PEOPLE.length, `q=${q} matched every patient`);
      // Nobody without a "b" in their data matches a query asking for one.
      if (q.includes('b') && !q.includes('@')) {
        for (const p of res.body.items) {
          assert.match(`${p.first_name} ${p.last_name} ${p.email ?? ''}`.toLowerCase(), /b/, `q=${q} matched ${p.first_name} ${p.last_name}`);
        }
      }
    }
    // The email forms with LIKE characters match nothing: nobody's address has them.
    for (const q of ['%@%', '_@_', 'a%@%']) {
      const res = await key.request('GET', `${PATIENTS}?q=${encodeURIComponent(q)}`);
      assert.deepEqual(res.status === 200 ? res.body.items : [], [], `q=${q}`);
    }
  });
});

describe('another clinic', () => {
  test("B's patient is 404 not_found through every endpoint with A's cookie and A's key", async () => {
    const actors = [['cookie', owner], ['API key', keyAllA]];
    for (const [who, s] of actors) {
      const calls = [
        ['GET', one(bPatient.id)],
        ['PATCH', one(bPatient.id), { body: { first_name: 'Hacked' } }],
        ['PATCH', one(bPatient.id), { body: { portal_access: false } }],
        ['GET', `${one(bPatient.id)}/portal-permissions`],
        ['PUT', `${one(bPatient.id)}/portal-permissions`, { body: { mode: 'custom', select_all: true } }],
        ['PUT', `${one(bPatient.id)}/portal-permissions`, { body: { mode: 'custom', permissions: ['view_profile'] } }],
        ['PUT', `${one(bPatient.id)}/portal-permissions`, { body: { mode: 'clinic' } }],
        ['GET', `${one(bPatient.id)}/portal-access?action=view_profile`],
        ['GET', `${one(bPatient.id)}/portal-access?action=view_documents&document_id=${randomUUID()}`],
      ];
      for (const [method, path, opts] of calls) {
        assertProblem(await s.request(method, path, opts), 404, 'not_found', `${who}: ${method} ${path}`);
      }
    }
    // Nothing of B's changed, and no audit row landed anywhere for it.
    assert.deepEqual((await keyB.request('GET', one(bPatient.id))).body, bPatient);
    const perms = await keyB.request('GET', `${one(bPatient.id)}/portal-permissions`);
    assert.equal(perms.body.mode, 'clinic');
    assert.equal(Number(psql(`SELECT count(*) FROM audit_log WHERE target_id = '${bPatient.id}'`)), 1);
  });

  test("B's patients never appear in A's list or search", async () => {
    await create(owner, { first_name: 'Ayşe', last_name: 'Yılmaz', phone: '0555 123 45 67', email: 'ayse.a@a.test' });
    const { items } = await walk(owner, { limit: 100 });
    assert.ok(items.length > 0);
    assert.ok(!items.some((p) => p.id === bPatient.id), "B's patient in A's list");
    const queries = ['yilmaz', 'ayse yilmaz', '0555 123 45 67', '+905551234567', '1234567', 'ayse.b@other.test', 'other.test'];
    for (const q of queries) {
      for (const s of [owner, keyAllA]) {
        const res = await s.request('GET', `${PATIENTS}?q=${encodeURIComponent(q)}`);
        assert.equal(res.status, 200, res.text);
        assert.ok(!res.body.items.some((p) => p.id === bPatient.id), `B's patient found in A by q=${q}`);
      }
    }
    // B, for its part, sees its own patient and none of A's.
    const bList = await walk(keyB, { limit: 100 });
    assert.deepEqual(bList.items.map((p) => p.id), [bPatient.id]);
    const bSearch = await keyB.request('GET', `${PATIENTS}?q=ayse`);
    assert.deepEqual(bSearch.body.items.map((p) => p.id), [bPatient.id]);
  });

  test('ids that are not uuids, and unknown uuids, are 404 not_found', async () => {
    for (const id of ['abc', '123', 'null', `${bPatient.id}x`, bPatient.id.slice(0, 35), bPatient.id.replace(/-/g, ''),
      "1' OR '1'='1", randomUUID()]) {
      const e = encodeURIComponent(id);
      assertProblem(await owner.request('GET', one(e)), 404, 'not_found', `GET ${id}`);
      assertProblem(await owner.request('PATCH', one(e), { body: { first_name: 'X' } }), 404, 'not_found', `PATCH ${id}`);
      assertProblem(await owner.request('GET', `${one(e)}/portal-permissions`), 404, 'not_found', `perms ${id}`);
      assertProblem(await owner.request('PUT', `${one(e)}/portal-permissions`, { body: { mode: 'clinic' } }),
        404, 'not_found', `PUT perms ${id}`);
      assertProblem(await owner.request('GET', `${one(e)}/portal-access?action=view_profile`), 404, 'not_found',
        `access ${id}`);
    }
  });
});

describe('audit', () => {
  test('one audit row per create and per patch; none for refused changes', async () => {
    const p = await create(owner, { first_name: 'Burak', last_name: 'Öz', email: 'burak@oz.test' });
    assert.equal(auditCount(A.id, 'patient.create', p.id), 1);
    assert.equal(auditCount(A.id, 'patient.update', p.id), 0);
    assert.equal((await owner.request('PATCH', one(p.id), { body: { phone: '0532 100 20 30' } })).status, 200);
    assert.equal((await staff.request('PATCH', one(p.id), { body: { portal_access: false } })).status, 200);
    assertProblem(await owner.request('PATCH', one(p.id), { body: { phone: 'bad' } }), 422, 'validation_failed');
    assertProblem(await keyRead.request('PATCH', one(p.id), { body: { first_name: 'X' } }), 403, 'forbidden_role');
    assert.equal(auditCount(A.id, 'patient.create', p.id), 1);
    assert.equal(auditCount(A.id, 'patient.update', p.id), 2);
    // Each row is the clinic's, with its actor, and before/after as the API shows the patient.
    const rows = JSON.parse(psql(`SELECT json_agg(json_build_object('action', action, 'actor', actor_type,
      'before', before, 'after', after, 'request_id', request_id) ORDER BY id)
      FROM audit_log WHERE clinic_id = '${A.id}' AND target_id = '${p.id}'`));
    assert.deepEqual(rows.map((r) => [r.action, r.actor]),
      [['patient.create', 'staff'], ['patient.update', 'staff'], ['patient.update', 'staff']]);
    assert.equal(rows[0].before, null);
    assert.equal(rows[0].after.email, 'burak@oz.test');
    assert.equal(rows[1].before.phone, null);
    assert.equal(rows[1].after.phone, '+905321002030');
    assert.equal(rows[2].before.portal_access, true);
    assert.equal(rows[2].after.portal_access, false);
    for (const r of rows) assert.ok(r.request_id, 'audit row without request id');
    // No row of this patient lands under another clinic.
    assert.equal(Number(psql(`SELECT count(*) FROM audit_log WHERE target_id = '${p.id}' AND clinic_id <> '${A.id}'`)), 0);
  });
});

// Issue 9 (items 1, 4 and 5) and issue 10: the one text rule on patient names and contacts,
// and what the worker refuses before any handler reads it.
describe('text and queries', () => {
  const json = { 'content-type': 'application/json' };

  test('a first name of 1,040,000 spaces then "x" is trimmed in well under a second and stored as "x"', async () => {
    const p = await create(owner, { first_name: 'Long', last_name: 'Spaces' });
    const started = performance.now();
    const res = await owner.request('PATCH', one(p.id), { body: { first_name: `${' '.repeat(1_040_000)}x` } });
    const elapsed = performance.now() - started;
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.body.first_name, 'x');
    assert.ok(elapsed < 1000, `took ${Math.round(elapsed)} ms`);
    assert.equal((await owner.request('GET', one(p.id))).body.first_name, 'x');
  });

  test('U+0000 inside an email address, and a lone surrogate in a name: 400 bad_request, nothing changes', async () => {
    const p = await create(owner, { first_name: 'Nul', last_name: 'Byte', email: 'nul@byte.test' });
    const bodies = [
      '{"email": "a@example.test\\u0000@evil.test"}',
      '{"first_name": "\\ud800"}',
      '{"last_name": "Ka\\udc00ya"}',
    ];
    for (const raw of bodies) {
      assertProblem(await owner.request('PATCH', one(p.id), { raw, headers: json }), 400, 'bad_request', raw);
      assertProblem(await owner.request('POST', PATIENTS, { raw: raw.replace('{', '{"first_name": "A", "last_name": "B", '),
        headers: json }), 400, 'bad_request', `POST ${raw}`);
    }
    assert.deepEqual((await owner.request('GET', one(p.id))).body, p);
  });

  test('names with ANSI escapes or a right-to-left override are 422 naming them', async () => {
    const p = await create(owner, { first_name: 'Plain', last_name: 'Name' });
    const bad = [
      ['\u001b[31mRed\u001b[0m', 'an ANSI escape'],
      ['Ay\u202eşe', 'a right-to-left override'],
      ['Ay\u2066şe\u2069', 'a bidirectional isolate'],
      ['\u0007Bell', 'a control character'],
    ];
    for (const [name, what] of bad) {
      for (const field of ['first_name', 'last_name']) {
        const created = await owner.request('POST', PATIENTS, { body: { first_name: 'A', last_name: 'B', [field]: name } });
        assertProblem(created, 422, 'validation_failed', `POST ${field} with ${what}`);
        assert.deepEqual(fieldsOf(created), [field], `POST ${field} with ${what}`);
        const patched = await owner.request('PATCH', one(p.id), { body: { [field]: name } });
        assertProblem(patched, 422, 'validation_failed', `PATCH ${field} with ${what}`);
        assert.deepEqual(fieldsOf(patched), [field], `PATCH ${field} with ${what}`);
      }
    }
    assert.deepEqual((await owner.request('GET', one(p.id))).body, p);
  });

  test('a search with %00 in it is 400 bad_request, not a list', async () => {
    for (const q of ['zzz%00qqq', '%00', 'ayse%00']) {
      assertProblem(await owner.request('GET', `${PATIENTS}?q=${q}`), 400, 'bad_request', `q=${q}`);
    }
    // A control character that is text is a bad q.
    const res = await owner.request('GET', `${PATIENTS}?q=${encodeURIComponent('yil\u001bmaz')}`);
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(res), ['q']);
  });
});
