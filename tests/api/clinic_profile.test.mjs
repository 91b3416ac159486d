// The clinic's profile (issue 11 item 4, DESIGN.md section 16): every staff role reads it,
// owners and admins save it whole (an admin-scope API key too; read and write keys do not),
// with an ETag and If-Match; country and currency must be real ISO codes and the time zone
// one PostgreSQL knows, each refusal naming its field; the public URL is shown but stays the
// operator's (the API's database role cannot change it); a time zone change keeps every
// stored instant and changes only how it is shown; the portal's public card carries the
// clinic's phone, email and address.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { api, assertProblem, psql, psqlTry } from './lib/client.mjs';
import {
  dateIn, enablePortal, makeApiKey, makeClinic, makePatient, makeSchedule, portalctl, signIn, withKey,
} from './lib/fixtures.mjs';

const PROFILE = '/api/v1/clinic/profile';
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field).sort();

const BODY = {
  name: 'Gülüş Diş Kliniği',
  phone: '0212 555 12 34',
  email: 'iletisim@gulus.example',
  address: 'Bağdat Cd. 10\nKadıköy, İstanbul',
  languages: ['tr', 'en'],
  default_language: 'tr',
  country: 'tr',
  time_zone: 'Europe/Istanbul',
  currency: 'try',
  invoice_prefix: 'gdk-',
};

let C;
let other;

before(async () => {
  C = makeClinic();
  other = makeClinic();
  [C.owner, C.admin, C.staff] = await Promise.all(['owner', 'admin', 'staff'].map((r) => signIn(C.logins[r])));
  C.readKey = withKey(makeApiKey(C.id, 'read'));
  C.writeKey = withKey(makeApiKey(C.id, 'read,write'));
  C.adminKey = withKey(makeApiKey(C.id, 'admin'));
  await enablePortal(C.owner, C);
  await enablePortal(await signIn(other.logins.owner), other);
});

describe('reading the profile', () => {
  test('every role and a read key read it; a new clinic has the defaults and an ETag', async () => {
    for (const who of [C.owner, C.admin, C.staff, C.readKey]) {
      const res = await who.request('GET', PROFILE);
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('etag'), /^"\d+"$/);
      assert.equal(res.body.id, C.id);
      assert.equal(res.body.name, C.name);
      assert.deepEqual(res.body.languages, ['tr', 'en']);
      assert.equal(res.body.country, 'TR');
      assert.equal(res.body.time_zone, 'Europe/Istanbul');
      assert.equal(res.body.currency, 'TRY');
      assert.equal(res.body.invoice_prefix, 'INV');
      assert.equal(res.body.phone, null);
      assert.ok('public_url' in res.body);
    }
    assertProblem(await api('GET', PROFILE), 401, 'not_authenticated');
  });
});

describe('saving the profile', () => {
  test('an admin saves it whole: codes upper-cased, the phone as E.164, a new ETag, one audit row', async () => {
    const got = await C.admin.request('GET', PROFILE);
    const audits = Number(psql(`SELECT count(*) FROM audit_log WHERE clinic_id = '${C.id}'
      AND action = 'clinic.profile.update'`));
    const res = await C.admin.request('PUT', PROFILE,
      { body: BODY, headers: { 'if-match': got.headers.get('etag') } });
    assert.equal(res.status, 200, res.text);
    assert.notEqual(res.headers.get('etag'), got.headers.get('etag'));
    assert.deepEqual({ ...res.body, id: undefined, public_url: undefined }, {
      ...BODY, id: undefined, public_url: undefined, phone: '+902125551234', country: 'TR', currency: 'TRY',
      invoice_prefix: 'GDK-',
    });
    assert.deepEqual((await C.staff.request('GET', PROFILE)).body, res.body);
    const row = JSON.parse(psql(`SELECT row_to_json(a) FROM audit_log a WHERE clinic_id = '${C.id}'
      AND action = 'clinic.profile.update' ORDER BY id DESC LIMIT 1`));
    assert.equal(Number(psql(`SELECT count(*) FROM audit_log WHERE clinic_id = '${C.id}'
      AND action = 'clinic.profile.update'`)), audits + 1);
    assert.equal(row.actor_id, C.admin.staff.id);
    assert.equal(row.before.name, C.name);
    assert.equal(row.after.name, BODY.name);
  });

  test('staff, read and write keys may not; an admin-scope key may', async () => {
    assertProblem(await C.staff.request('PUT', PROFILE, { body: BODY }), 403, 'forbidden_role');
    assertProblem(await C.readKey.request('PUT', PROFILE, { body: BODY }), 403, 'forbidden_role');
    assertProblem(await C.writeKey.request('PUT', PROFILE, { body: BODY }), 403, 'forbidden_role');
    const res = await C.adminKey.request('PUT', PROFILE, { body: { ...BODY, name: 'By key' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'By key');
  });

  test('a stale If-Match is 412 with the current ETag, and saves nothing', async () => {
    const now = await C.owner.request('GET', PROFILE);
    const res = await C.owner.request('PUT', PROFILE, { body: { ...BODY, name: 'Stale' }, headers: { 'if-match': '"1"' } });
    assertProblem(res, 412, 'precondition_failed');
    assert.equal(res.headers.get('etag'), now.headers.get('etag'));
    assert.equal((await C.owner.request('GET', PROFILE)).body.name, now.body.name);
  });

  test('each bad field is 422 naming it, and nothing is saved', async () => {
    const now = (await C.owner.request('GET', PROFILE)).body;
    const cases = [
      // (An E.164 phone, so that only the country is wrong: a national number is read by it.)
      [{ country: 'XX', phone: '+902125551234' }, ['country']],
      [{ country: 'Türkiye' }, ['country']],
      [{ currency: 'ABC' }, ['currency']],
      [{ currency: 'XAU' }, ['currency']],
      [{ time_zone: 'Mars/Olympus' }, ['time_zone']],
      [{ time_zone: 'Europe/Istanbul; DROP' }, ['time_zone']],
      [{ country: 'QQ', phone: null, currency: 'QQQ', time_zone: 'Moon/Base' }, ['country', 'currency', 'time_zone']],
      [{ languages: [] }, ['languages']],
      [{ languages: ['tr', 'tr'] }, ['languages']],
      [{ languages: ['en'], default_language: 'tr' }, ['default_language']],
      [{ languages: ['de'] }, ['languages[0]']],
      [{ phone: '12' }, ['phone']],
      [{ email: 'not-an-address' }, ['email']],
      [{ invoice_prefix: '-X' }, ['invoice_prefix']],
      [{ invoice_prefix: 'TOO-LONG-PREFIX' }, ['invoice_prefix']],
      [{ name: '   ' }, ['name']],
      [{ name: 'a\u202eb' }, ['name']],
      [{ address: 'x'.repeat(501) }, ['address']],
      [{ public_url: 'https://evil.example' }, ['public_url']],
      [{ id: other.id }, ['id']],
      [{ website: 'x' }, ['website']],
    ];
    for (const [change, fields] of cases) {
      const res = await C.owner.request('PUT', PROFILE, { body: { ...BODY, ...change } });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(change));
      assert.deepEqual(fieldsOf(res), fields, `${JSON.stringify(change)}: ${res.text}`);
    }
    const { name, ...missing } = BODY;
    assert.deepEqual(fieldsOf(await C.owner.request('PUT', PROFILE, { body: missing })), ['name']);
    assert.deepEqual((await C.owner.request('GET', PROFILE)).body, now);
  });

  test('public_url and id may come back unchanged; nulls clear the contact details', async () => {
    const now = (await C.owner.request('GET', PROFILE)).body;
    const res = await C.owner.request('PUT', PROFILE, {
      body: { ...BODY, id: now.id, public_url: now.public_url, phone: null, email: null, address: null, country: 'DE',
        currency: 'EUR', time_zone: 'Europe/Berlin', languages: ['en'], default_language: 'en' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.phone, null);
    assert.equal(res.body.address, null);
    assert.equal(res.body.currency, 'EUR');
    assert.deepEqual(res.body.languages, ['en']);
    assert.equal(res.body.public_url, now.public_url);
    // Back, so that the other tests see a Turkish clinic.
    assert.equal((await C.owner.request('PUT', PROFILE, { body: BODY })).status, 200);
  });

  test('the phone is read by the country the PUT sends: 030 1234567 in DE is +49301234567', async () => {
    const de = await C.owner.request('PUT', PROFILE, {
      body: { ...BODY, phone: '030 1234567', country: 'DE', currency: 'EUR', time_zone: 'Europe/Berlin' },
    });
    assert.equal(de.status, 200, de.text);
    assert.equal(de.body.phone, '+49301234567');
    // Written the German way, with a slash, it is the same number.
    const slash = await C.owner.request('PUT', PROFILE, {
      body: { ...BODY, phone: '030/1234567', country: 'DE', currency: 'EUR', time_zone: 'Europe/Berlin' },
    });
    assert.equal(slash.body.phone, '+49301234567', slash.text);
    // The same text in Turkey is no number.
    const tr = await C.owner.request('PUT', PROFILE, { body: { ...BODY, phone: '030 1234567' } });
    assertProblem(tr, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(tr), ['phone']);
    assert.equal((await C.owner.request('PUT', PROFILE, { body: BODY })).status, 200);
  });

  test('the API\'s database role cannot change the public URL, whatever it sends', () => {
    const r = psqlTry(`SET ROLE portal_app; SELECT set_config('portal.clinic_id', '${C.id}', false);
      UPDATE clinics SET public_url = 'https://evil.example' WHERE id = '${C.id}'`);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /permission denied/);
  });
});

describe('the public URL is the operator\'s', () => {
  test('portalctl set-public-url sets and clears it; the profile shows it; a bad URL is refused', async () => {
    const clinic = makeClinic();
    const owner = await signIn(clinic.logins.owner);
    portalctl('set-public-url', '--clinic', clinic.id, '--url', 'https://portal.klinik.example');
    const shown = await owner.request('GET', PROFILE);
    assert.equal(shown.body.public_url, 'https://portal.klinik.example');
    const { id, ...body } = shown.body;
    const same = await owner.request('PUT', PROFILE, { body });
    assert.equal(same.status, 200, same.text);
    assert.throws(() => portalctl('set-public-url', '--clinic', clinic.id, '--url', 'javascript:alert(1)'),
      /exited 1: .*check the values/);
    assert.throws(() => portalctl('set-public-url', '--clinic', '00000000-0000-4000-8000-000000000000',
      '--url', 'https://x.example'), /exited 1: .*not found/i);
    portalctl('set-public-url', '--clinic', clinic.id);
    assert.equal((await owner.request('GET', PROFILE)).body.public_url, null);
  });
});

describe('what the profile changes elsewhere', () => {
  test('a new time zone keeps each appointment\'s instant and shows it in the new offset', async () => {
    const clinic = makeClinic();
    const owner = await signIn(clinic.logins.owner);
    const schedule = await makeSchedule(owner);
    const patient = await makePatient(owner, { first_name: 'Zaman' });
    const start = `${dateIn('Europe/Istanbul', 10)}T11:00:00+03:00`;
    const appt = await owner.request('POST', '/api/v1/clinic/appointments', { body: {
      patient_id: patient.id, practitioner_id: schedule.practitioner.id, type_id: schedule.type.id, start } });
    assert.equal(appt.status, 201, appt.text);
    const profile = (await owner.request('GET', PROFILE)).body;
    const { id, public_url: url, ...rest } = profile;
    const saved = await owner.request('PUT', PROFILE, { body: { ...rest, time_zone: 'America/New_York' } });
    assert.equal(saved.status, 200, saved.text);
    const list = await owner.request('GET', `/api/v1/clinic/appointments?from=${dateIn('America/New_York', 8)}&to=${dateIn('America/New_York', 12)}`);
    assert.equal(list.status, 200, list.text);
    const moved = list.body.items.find((a) => a.id === appt.body.id);
    assert.ok(moved, list.text);
    assert.equal(Date.parse(moved.start), Date.parse(start), 'the instant is the same');
    assert.match(moved.start, /-0[45]:00$/, 'shown in New York time');
    assert.ok(id && url !== undefined);
  });

  test('the portal\'s public card carries the clinic\'s phone, email and address, and only its own', async () => {
    const card = await api('GET', `/api/v1/portal/${C.code}/`);
    assert.equal(card.status, 200, card.text);
    assert.equal(card.body.phone, '+902125551234');
    assert.equal(card.body.email, BODY.email);
    assert.equal(card.body.address, BODY.address);
    const theirs = await api('GET', `/api/v1/portal/${other.code}/`);
    assert.equal(theirs.status, 200, theirs.text);
    assert.equal(theirs.body.phone, null);
    assert.equal(theirs.body.address, null);
    assert.equal(theirs.body.name, other.name);
  });
});
