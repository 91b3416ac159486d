// The patient's profile (issue 6 item 1): GET/PATCH profile, a change of the phone number or
// email address confirmed by a code sent to the NEW contact (through the SMS and mail sinks),
// and the permission of each profile operation: allowed when granted, 403 permission_denied
// naming the key when not, with the clinic's set and with the patient's custom set. PATCH
// takes address, language, emergency contact and communication preferences only; names,
// phone and email answer 422 naming the field. The code works like a sign-in code: wrong 5
// times, then even the right one is 410; the old contact no longer signs in, the new one does;
// the patient's other sessions end; the code never shows in the deliveries or the API log.
// The clinic's patient resource shows and takes the same fields.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { api, assertProblem, env, psql, waitFor } from './lib/client.mjs';
import {
  codeIn, enablePortal, makeClinic, makePatient, nationalPhone, nextMessage, portalPath, signIn,
  signInPatient, sinkMark, uniqueEmail, uniquePhone,
} from './lib/fixtures.mjs';

const TINY_JPEG = readFileSync(new URL('./fixtures/tiny.jpg', import.meta.url));
const ALL_PROFILE = ['view_profile', 'update_profile', 'upload_photo'];

let clinic;
let owner;

before(async () => {
  clinic = makeClinic();
  owner = await signIn(clinic.logins.owner);
  await enablePortal(owner, clinic, { permissions: ALL_PROFILE });
});

async function newPatient(fields = {}) {
  const email = uniqueEmail('prof');
  const p = await makePatient(owner, { email, ...fields });
  return { ...p, session: await signInPatient(clinic.code, email) };
}

const setClinicPermissions = (permissions) => enablePortal(owner, clinic, { permissions });
async function setPatientPermissions(id, body) {
  const res = await owner.request('PUT', `/api/v1/clinic/patients/${id}/portal-permissions`, { body });
  assert.equal(res.status, 200, res.text);
}

describe('permissions', () => {
  // Each profile operation, the key it needs, and a call that succeeds when allowed.
  const OPS = [
    ['GET profile', 'view_profile', (s) => s.request('GET', 'profile')],
    ['PATCH profile', 'update_profile', (s) => s.request('PATCH', 'profile', { body: { address: 'Bağdat Cad. 1' } })],
    ['POST contact-change', 'update_profile',
      (s) => s.request('POST', 'profile/contact-change', { body: { channel: 'email', value: uniqueEmail('new') } })],
    ['POST contact-change/verify', 'update_profile',
      (s) => s.request('POST', 'profile/contact-change/verify', { body: { challenge_id: randomUUID(), code: '123456' } })],
    ['GET profile/photo', 'view_profile', (s) => s.request('GET', 'profile/photo')],
    ['PUT profile/photo', 'upload_photo',
      (s) => s.request('PUT', 'profile/photo', { raw: TINY_JPEG, headers: { 'content-type': 'image/jpeg' } })],
    ['DELETE profile/photo', 'upload_photo', (s) => s.request('DELETE', 'profile/photo')],
  ];
  const denied = (res, key, where) => {
    assertProblem(res, 403, 'permission_denied', where);
    assert.equal(res.body.permission, key, `${where}: names the key`);
  };
  const allowed = (res, where) => assert.ok(res.status !== 403 && res.status < 500, `${where}: ${res.status} ${res.text}`);

  test('the clinic set: each operation is refused without its key and allowed with it', async () => {
    const p = await newPatient();
    try {
      for (const [name, key, call] of OPS) {
        await setClinicPermissions(ALL_PROFILE.filter((k) => k !== key));
        denied(await call(p.session), key, `${name} without ${key}`);
        await setClinicPermissions([key]);
        allowed(await call(p.session), `${name} with only ${key}`);
      }
    } finally {
      await setClinicPermissions(ALL_PROFILE);
    }
  });

  test("the patient's custom set decides over the clinic's", async () => {
    const p = await newPatient();
    for (const [name, key, call] of OPS) {
      // The clinic grants everything; the patient's own set lacks the key.
      await setPatientPermissions(p.id, { mode: 'custom', permissions: ALL_PROFILE.filter((k) => k !== key) });
      denied(await call(p.session), key, `${name} without ${key} in the custom set`);
      await setPatientPermissions(p.id, { mode: 'custom', permissions: [key] });
      allowed(await call(p.session), `${name} with ${key} in the custom set`);
    }
    await setPatientPermissions(p.id, { mode: 'clinic' });
  });

  test('without a session every operation is 401; a change without the CSRF token is 403 csrf_failed', async () => {
    for (const [method, rest] of [['GET', 'profile'], ['PATCH', 'profile'], ['POST', 'profile/contact-change'],
      ['POST', 'profile/contact-change/verify'], ['GET', 'profile/photo'], ['DELETE', 'profile/photo']]) {
      assertProblem(await api(method, portalPath(clinic.code, rest), method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
        401, 'not_authenticated', `${method} ${rest}`);
    }
    const p = await newPatient();
    assertProblem(await p.session.request('PATCH', 'profile', { body: { address: 'x' }, headers: { 'x-csrf-token': 'nope' } }),
      403, 'csrf_failed');
  });
});

describe('GET and PATCH profile', () => {
  test('GET answers the profile with the new fields and defaults', async () => {
    const p = await newPatient({ phone: uniquePhone() });
    const res = await p.session.request('GET', 'profile');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, {
      id: p.id, first_name: p.first_name, last_name: p.last_name, phone: p.phone, email: p.email,
      language: p.language, address: null, emergency_contact: null,
      communication: { sms: true, email: true }, photo_url: null,
    });
  });

  test('PATCH changes address, language, emergency contact and communication; the clinic sees them', async () => {
    const p = await newPatient();
    const emergency = uniquePhone();
    const res = await p.session.request('PATCH', 'profile', {
      body: {
        address: '  Moda Cad. 12/3\nKadıköy, İstanbul  ', language: 'en',
        emergency_contact: { name: 'Ayşe Yılmaz', phone: nationalPhone(emergency) },
        communication: { sms: false },
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.address, 'Moda Cad. 12/3\nKadıköy, İstanbul');
    assert.equal(res.body.language, 'en');
    assert.deepEqual(res.body.emergency_contact, { name: 'Ayşe Yılmaz', phone: emergency });
    assert.deepEqual(res.body.communication, { sms: false, email: true });
    const again = await p.session.request('PATCH', 'profile', { body: { communication: { email: false } } });
    assert.deepEqual(again.body.communication, { sms: false, email: false }, 'a channel left out keeps its value');
    // The clinic's patient resource.
    const seen = await owner.request('GET', `/api/v1/clinic/patients/${p.id}`);
    assert.equal(seen.body.address, 'Moda Cad. 12/3\nKadıköy, İstanbul');
    assert.deepEqual(seen.body.emergency_contact, { name: 'Ayşe Yılmaz', phone: emergency });
    assert.deepEqual(seen.body.communication, { sms: false, email: false });
    assert.equal(seen.body.has_photo, false);
    assert.equal(seen.body.photo_url, null);
    // null and "" clear.
    const cleared = await p.session.request('PATCH', 'profile', { body: { address: '', emergency_contact: null } });
    assert.equal(cleared.body.address, null);
    assert.equal(cleared.body.emergency_contact, null);
  });

  test('PATCH is audited as the patient, with before and after', async () => {
    const p = await newPatient();
    const res = await p.session.request('PATCH', 'profile', { body: { address: 'Audit Sok. 5' } });
    assert.equal(res.status, 200, res.text);
    const row = JSON.parse(psql(`SELECT row_to_json(a) FROM audit_log a WHERE clinic_id = '${clinic.id}'
      AND action = 'patient.profile.update' AND target_id = '${p.id}' ORDER BY id DESC LIMIT 1`));
    assert.equal(row.actor_type, 'patient');
    assert.equal(row.actor_id, p.id);
    assert.equal(row.before.address, null);
    assert.equal(row.after.address, 'Audit Sok. 5');
    assert.equal(row.request_id, res.headers.get('x-request-id'));
  });

  test('names, phone and email are not patchable here: 422 naming the field; nothing changes', async () => {
    const p = await newPatient();
    for (const [field, value] of [['first_name', 'X'], ['last_name', 'Y'], ['phone', uniquePhone()],
      ['email', uniqueEmail()], ['portal_access', false], ['favourite_colour', 'blue']]) {
      const res = await p.session.request('PATCH', 'profile', { body: { address: 'Should not stick', [field]: value } });
      assertProblem(res, 422, 'validation_failed', field);
      assert.deepEqual(res.body.errors.map((e) => e.field), [field]);
    }
    const res = await p.session.request('GET', 'profile');
    assert.equal(res.body.address, null);
    assert.equal(res.body.email, p.email);
  });

  test('PATCH validates each field', async () => {
    const p = await newPatient();
    const BAD = [
      [{ address: 'a'.repeat(501) }, 'address'],
      [{ address: 42 }, 'address'],
      [{ address: 'bell\u0007' }, 'address'],
      [{ language: 'de' }, 'language'],
      [{ emergency_contact: { name: 'Ayşe' } }, 'emergency_contact.phone'],
      [{ emergency_contact: { phone: '05551234567' } }, 'emergency_contact.name'],
      [{ emergency_contact: { name: 'Ayşe', phone: 'not a phone' } }, 'emergency_contact.phone'],
      [{ emergency_contact: { name: 'Ayşe', phone: '05551234567', relation: 'sister' } }, 'emergency_contact.relation'],
      [{ emergency_contact: 'Ayşe 0555' }, 'emergency_contact'],
      [{ communication: { sms: 'yes' } }, 'communication.sms'],
      [{ communication: { fax: true } }, 'communication.fax'],
      [{ communication: null }, 'communication'],
    ];
    for (const [body, field] of BAD) {
      const res = await p.session.request('PATCH', 'profile', { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body));
      assert.ok(res.body.errors.some((e) => e.field === field), `${JSON.stringify(body)}: ${res.text}`);
    }
    assert.equal((await p.session.request('PATCH', 'profile', { body: { address: 'a'.repeat(500) } })).status, 200);
  });

  test('the clinic PATCHes and creates with the same fields and rules', async () => {
    const p = await makePatient(owner, {
      address: 'Create Sok. 1', communication: { email: false },
      emergency_contact: { name: 'Can', phone: '+905551112233' },
    });
    assert.equal(p.address, 'Create Sok. 1');
    assert.deepEqual(p.communication, { sms: true, email: false });
    assert.deepEqual(p.emergency_contact, { name: 'Can', phone: '+905551112233' });
    const res = await owner.request('PATCH', `/api/v1/clinic/patients/${p.id}`,
      { body: { address: null, emergency_contact: null, communication: { sms: false } } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.address, null);
    assert.equal(res.body.emergency_contact, null);
    assert.deepEqual(res.body.communication, { sms: false, email: false });
    const bad = await owner.request('PATCH', `/api/v1/clinic/patients/${p.id}`,
      { body: { emergency_contact: { name: 'Can' } } });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['emergency_contact.phone']);
  });
});

// Starts a contact change and reads the code the new contact received.
async function startChange(p, channel, value, recipient) {
  const mark = sinkMark();
  const res = await p.session.request('POST', 'profile/contact-change', { body: { channel, value } });
  assert.equal(res.status, 202, res.text);
  assert.equal(res.body.channel, channel);
  assert.equal(res.body.expires_in, Number(/^otp_lifetime = (\d+)/m.exec(env().confText)?.[1] ?? 600));
  const msg = await nextMessage(recipient, mark);
  const code = codeIn(msg.text);
  assert.ok(code, `no code in "${msg.text}"`);
  return { challengeId: res.body.challenge_id, code, msg };
}

describe('contact change', () => {
  test('a new phone number: the code goes by SMS to the new number; then the new number signs in, the old one does not', async () => {
    const oldPhone = uniquePhone();
    const p = await newPatient({ phone: oldPhone });
    const newPhone = uniquePhone();
    const { challengeId, code, msg } = await startChange(p, 'sms', nationalPhone(newPhone), newPhone);
    assert.equal(msg.to, newPhone);
    const res = await p.session.request('POST', 'profile/contact-change/verify', { body: { challenge_id: challengeId, code } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.phone, newPhone);
    assert.equal(res.body.email, p.email);
    // Search finds the patient by the new number.
    const found = await owner.request('GET', `/api/v1/clinic/patients?q=${encodeURIComponent(newPhone)}`);
    assert.deepEqual(found.body.items.map((i) => i.id), [p.id]);
    const lost = await owner.request('GET', `/api/v1/clinic/patients?q=${encodeURIComponent(oldPhone)}`);
    assert.deepEqual(lost.body.items, []);
    // The old number gets a challenge nobody can meet (no code is sent); the new one signs in.
    const start = await api('POST', portalPath(clinic.code, 'login/start'), { body: { contact: oldPhone } });
    assert.equal(start.status, 202);
    assert.equal(psql(`SELECT cardinality(patient_ids) FROM patient_login_challenges WHERE id = '${start.body.challenge_id}'`), '0');
    const again = await signInPatient(clinic.code, newPhone);
    assert.equal(again.body.patient.id, p.id);
    // The code was used: it cannot be spent twice.
    assertProblem(await p.session.request('POST', 'profile/contact-change/verify', { body: { challenge_id: challengeId, code } }),
      410, 'challenge_expired');
    // Audited as the patient, old and new number.
    const row = JSON.parse(psql(`SELECT row_to_json(a) FROM audit_log a WHERE clinic_id = '${clinic.id}'
      AND action = 'patient.contact_change' AND target_id = '${p.id}' ORDER BY id DESC LIMIT 1`));
    assert.equal(row.actor_type, 'patient');
    assert.equal(row.before.phone, oldPhone);
    assert.equal(row.after.phone, newPhone);
  });

  test('a new email address: the code goes by mail to the new address; the other sessions end', async () => {
    const p = await newPatient();
    const second = await signInPatient(clinic.code, p.email);
    const newEmail = uniqueEmail('moved');
    const { challengeId, code, msg } = await startChange(p, 'email', newEmail.toUpperCase(), newEmail);
    assert.ok(msg.subject, 'an email has a subject');
    const res = await p.session.request('POST', 'profile/contact-change/verify', { body: { challenge_id: challengeId, code } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.email, newEmail);
    assertProblem(await second.request('GET', 'profile'), 401, 'not_authenticated', 'the other session');
    assert.equal((await p.session.request('GET', 'profile')).status, 200, 'the session that verified stays');
    const start = await api('POST', portalPath(clinic.code, 'login/start'), { body: { contact: p.email } });
    assert.equal(psql(`SELECT cardinality(patient_ids) FROM patient_login_challenges WHERE id = '${start.body.challenge_id}'`), '0');
    assert.equal((await signInPatient(clinic.code, newEmail)).body.patient.id, p.id);
  });

  test('a wrong code 5 times: 400 invalid_code counting down, then even the right code is 410', async () => {
    const p = await newPatient();
    const newEmail = uniqueEmail('wrong');
    const { challengeId, code } = await startChange(p, 'email', newEmail, newEmail);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 0; left--) {
      const res = await p.session.request('POST', 'profile/contact-change/verify', { body: { challenge_id: challengeId, code: wrong } });
      assertProblem(res, 400, 'invalid_code');
      assert.equal(res.body.attempts_left, left);
    }
    assertProblem(await p.session.request('POST', 'profile/contact-change/verify', { body: { challenge_id: challengeId, code } }),
      410, 'challenge_expired');
    assert.equal((await p.session.request('GET', 'profile')).body.email, p.email, 'the email changed');
  });

  test("an expired challenge is 410; another patient's challenge is 410 to them", async () => {
    const p = await newPatient();
    const newEmail = uniqueEmail('late');
    const { challengeId, code } = await startChange(p, 'email', newEmail, newEmail);
    const q = await newPatient();
    assertProblem(await q.session.request('POST', 'profile/contact-change/verify', { body: { challenge_id: challengeId, code } }),
      410, 'challenge_expired', "another patient's challenge");
    psql(`UPDATE patient_contact_challenges SET expires_at = now() - interval '1 second' WHERE id = '${challengeId}'`);
    assertProblem(await p.session.request('POST', 'profile/contact-change/verify', { body: { challenge_id: challengeId, code } }),
      410, 'challenge_expired', 'expired');
  });

  test('the request is validated; the current contact is refused', async () => {
    const phone = uniquePhone();
    const p = await newPatient({ phone });
    const BAD = [
      [{ channel: 'fax', value: '123' }, 'channel'],
      [{ channel: 'sms', value: 'not a number' }, 'value'],
      [{ channel: 'email', value: 'no-at-sign' }, 'value'],
      [{ channel: 'sms' }, 'value'],
      [{ channel: 'sms', value: nationalPhone(phone) }, 'value'],
      [{ channel: 'email', value: p.email.toUpperCase() }, 'value'],
      [{ channel: 'email', value: uniqueEmail(), extra: 1 }, 'extra'],
    ];
    for (const [body, field] of BAD) {
      const res = await p.session.request('POST', 'profile/contact-change', { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body));
      assert.ok(res.body.errors.some((e) => e.field === field), `${JSON.stringify(body)}: ${res.text}`);
    }
    const badCode = await p.session.request('POST', 'profile/contact-change/verify', { body: { challenge_id: randomUUID(), code: '12ab' } });
    assertProblem(badCode, 422, 'validation_failed');
  });

  test('the code never shows: not in the deliveries (body null), not in the API log', async () => {
    const p = await newPatient();
    const newEmail = uniqueEmail('secret');
    // Only what the API logs from here on (a long log holds any six digits somewhere).
    const logFrom = statSync(`${env().logDir}/portal-api.log`).size;
    const { code } = await startChange(p, 'email', newEmail, newEmail);
    const list = await owner.request('GET', `/api/v1/clinic/deliveries?purpose=contact_change_code&patient_id=${p.id}`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].body, null);
    assert.equal(list.body.items[0].recipient, newEmail);
    const one = await owner.request('GET', `/api/v1/clinic/deliveries/${list.body.items[0].id}`);
    assert.equal(one.body.body, null);
    assert.ok(!JSON.stringify(one.body).includes(code));
    // Sent: the stored text is wiped too.
    await waitFor(() => psql(`SELECT status FROM outbox WHERE id = '${list.body.items[0].id}'`) === 'sent',
      { what: 'the message marked sent' });
    assert.equal(psql(`SELECT body FROM outbox WHERE id = '${list.body.items[0].id}'`), '');
    const log = readFileSync(`${env().logDir}/portal-api.log`).subarray(logFrom).toString('utf8');
    assert.ok(log.includes('/api/v1/portal/'), 'the run\'s requests are in the log read');
    assert.ok(!new RegExp(`(?<![0-9])${code}(?![0-9])`).test(log), 'the code is in the API log');
  });
});
