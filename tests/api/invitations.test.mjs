// Portal invitations (issue 5; DESIGN.md sections 3, 6 and 10): an invitation in Turkish by
// SMS and in English by email goes through the real notifier into the sinks, carrying the
// working portal address (the address answers the patient app, and the API answers the
// clinic card under the code); a chosen email template's Turkish subject and body arrive
// intact; every refusal (module missing, portal disabled, no code, access off, no contact for
// a channel, SMS to a landline, no template, unknown or foreign patient, bad channels); the
// language fallback warning; two invitations make two messages; bulk invitations by ids (mixed
// results, a landline skipped for SMS) and by previous_code after a code change (whose
// code_changed warning counts them); the status per patient from none to sent to signed_in;
// who may invite; the audit rows. A value is written as it is (one-pass rendering: a first
// name that reads {{otp}} stays so).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { api, assertProblem, confValue, env, psql, waitFor } from './lib/client.mjs';
import {
  enablePortal, makeApiKey, makeClinic, makePatient, nextMessage, portalctl, signIn,
  signInPatient, sinkMark, unique, uniqueEmail, uniqueLandline, uniquePhone, withKey,
} from './lib/fixtures.mjs';
import { sinkPorts, smsMessages, waitForMail, waitForSms } from './lib/sinks.mjs';

const PATIENTS = '/api/v1/clinic/patients';
const BULK = '/api/v1/clinic/invitations';
const TEMPLATES = '/api/v1/clinic/templates';
const invitationsOf = (id) => `${PATIENTS}/${id}/invitations`;
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field).sort();
const sorted = (a) => [...a].sort();
const TURKISH = /[çğıöşüÇĞİÖŞÜ]/;

// Where invitations point: the clinic's public_url (none set here) or the stack's, + / + code.
const portalUrl = (code) => `${confValue('public_url') ?? env().url}/${code}`;
const mailDomain = () => (confValue('smtp_from') ?? 'portal@localhost').replace(/^.*@/, '').replace(/>.*$/, '');

// A clinic with its portal open, its owner and staff signed in.
async function openClinic(opts = {}) {
  const clinic = makeClinic(opts);
  const [owner, staff] = await Promise.all([signIn(clinic.logins.owner), signIn(clinic.logins.staff)]);
  await enablePortal(owner, clinic);
  return { clinic, owner, staff };
}

const invite = (s, id, channels) => s.request('POST', invitationsOf(id), { body: { channels } });
const outboxCount = (patientId) => Number(psql(`SELECT count(*) FROM outbox WHERE patient_id = '${patientId}'`));

// Waits until the delivery has the given status (as the API shows it).
async function waitDelivery(s, id, status) {
  return waitFor(async () => {
    const res = await s.request('GET', `/api/v1/clinic/deliveries/${id}`);
    return res.body.status === status ? res.body : false;
  }, { timeoutMs: 30_000, intervalMs: 250, what: `delivery ${id} ${status}` });
}

let A;

before(async () => {
  A = await openClinic();
});

describe('an invitation through the notifier', () => {
  test('in Turkish by SMS: the message is the delivery, with the working portal address', async () => {
    const phone = uniquePhone();
    const p = await makePatient(A.staff, { first_name: 'Ayşe', last_name: 'Öztürk', phone, language: 'tr' });
    const mark = sinkMark();
    const res = await invite(A.staff, p.id, ['sms']);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.warnings, []);
    assert.equal(res.body.deliveries.length, 1);
    const d = res.body.deliveries[0];
    assert.equal(d.patient_id, p.id);
    assert.equal(d.channel, 'sms');
    assert.equal(d.purpose, 'portal_invitation');
    assert.equal(d.recipient, phone);
    assert.equal(d.locale, 'tr');
    assert.equal(d.subject, null);
    assert.equal(d.portal_code, A.clinic.code);
    assert.ok(['queued', 'sending', 'sent'].includes(d.status), d.status);
    assert.ok(d.body.includes(portalUrl(A.clinic.code)), `the body lacks ${portalUrl(A.clinic.code)}: ${d.body}`);
    assert.match(d.body, TURKISH, 'the Turkish text has Turkish letters');

    const msg = await nextMessage(phone, mark);
    assert.equal(msg.reference, d.id, 'the SMS reference is the delivery id');
    assert.equal(msg.text, d.body, 'the SMS text is the delivery body, Turkish letters intact');
    assert.equal(msg.to, phone);

    // The address works: the patient app, and the clinic card under the code.
    const url = new URL(/https?:\/\/\S+/.exec(msg.text)[0].replace(/[.,;:!?)]+$/, ''));
    assert.equal(url.pathname.replace(/\/$/, ''), `/${A.clinic.code}`);
    const page = await fetch(`${env().url}${url.pathname}`, { signal: AbortSignal.timeout(15_000) });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<div id="app"><\/div>/, 'not the patient app shell');
    assert.match(html, /<script[^>]+src="\/assets\/[^"]+\.js"/, 'the shell loads no built script');
    const card = await api('GET', `/api/v1/portal/${A.clinic.code}/`);
    assert.equal(card.status, 200, card.text);
    assert.equal(card.body.code, A.clinic.code);
    assert.equal(card.body.name, A.clinic.name);
    await waitDelivery(A.staff, d.id, 'sent');
  });

  test('in English by email: subject and body as the delivery says, Message-ID from the delivery id', async () => {
    const email = uniqueEmail('en');
    const p = await makePatient(A.staff, { first_name: 'John', last_name: 'Smith', email, language: 'en' });
    const mark = sinkMark();
    const res = await invite(A.staff, p.id, ['email']);
    assert.equal(res.status, 201, res.text);
    const d = res.body.deliveries[0];
    assert.deepEqual([d.channel, d.locale, d.recipient], ['email', 'en', email]);
    assert.ok(d.subject, 'an email delivery has a subject');
    assert.ok(d.body.includes(portalUrl(A.clinic.code)), d.body);
    const msg = await nextMessage(email, mark);
    assert.equal(msg.messageId, `<${d.id}@${mailDomain()}>`);
    assert.equal(msg.subject, d.subject);
    assert.equal(msg.text.trim(), d.body.trim());
    assert.ok(msg.text.includes(portalUrl(A.clinic.code)));
  });

  test("a chosen email template's Turkish subject and body arrive intact", async () => {
    const B = await openClinic();
    const admin = await signIn(B.clinic.logins.admin);
    const tpl = await admin.request('POST', TEMPLATES, {
      body: {
        name: `Davet ${unique()}`, channel: 'email', purpose: 'portal_invitation',
        variants: {
          tr: { subject: 'Portala davet: {{clinic_name}} — şimdi giriş yapın',
            body: 'Merhaba {{patient_first_name}}, çğıöşü ÇĞİÖŞÜ hazır: {{portal_url}}' },
          en: { subject: 'Invitation: {{clinic_name}}', body: 'Hello {{patient_first_name}}: {{portal_url}}' },
        },
      },
    });
    assert.equal(tpl.status, 201, tpl.text);
    await enablePortal(B.owner, B.clinic, { email_template_id: tpl.body.id });
    const email = uniqueEmail('tr');
    const p = await makePatient(B.staff, { first_name: 'Şükrü Çağlar', last_name: 'Güneş', email, language: 'tr' });
    const mark = sinkMark();
    const res = await invite(B.staff, p.id, ['email']);
    assert.equal(res.status, 201, res.text);
    const url = portalUrl(B.clinic.code);
    assert.equal(res.body.deliveries[0].subject, `Portala davet: ${B.clinic.name} — şimdi giriş yapın`);
    assert.equal(res.body.deliveries[0].body, `Merhaba Şükrü Çağlar, çğıöşü ÇĞİÖŞÜ hazır: ${url}`);
    const msg = await nextMessage(email, mark);
    assert.equal(msg.subject, `Portala davet: ${B.clinic.name} — şimdi giriş yapın`);
    assert.equal(msg.text.trim(), `Merhaba Şükrü Çağlar, çğıöşü ÇĞİÖŞÜ hazır: ${url}`);
    assert.match(msg.headers['content-type'] ?? '', /charset="?utf-8/i);
  });

  test('inviting twice makes two deliveries and two messages; the list is newest first', async () => {
    const phone = uniquePhone();
    const p = await makePatient(A.staff, { phone });
    const mark = sinkMark();
    const first = await invite(A.staff, p.id, ['sms']);
    const second = await invite(A.staff, p.id, ['sms']);
    assert.equal(first.status, 201, first.text);
    assert.equal(second.status, 201, second.text);
    const ids = [first.body.deliveries[0].id, second.body.deliveries[0].id];
    assert.notEqual(ids[0], ids[1]);
    await waitFor(() => ids.every((id) => refsOf(phone, mark).includes(id)),
      { timeoutMs: 30_000, intervalMs: 250, what: 'both SMS in the sink' });
    const list = await A.staff.request('GET', invitationsOf(p.id));
    assert.deepEqual(list.body.items.map((d) => d.id), [ids[1], ids[0]]);
  });
});

// The references of the SMS messages to phone that arrived after mark.
function refsOf(phone, mark) {
  return smsMessages().filter((m) => m.to === phone && !mark.sms.has(m.file)).map((m) => m.reference);
}

describe('refusals', () => {
  test('without the patient_portal module: 409 module_missing, nothing queued', async () => {
    const B = await openClinic();
    const p = await makePatient(B.staff, { phone: uniquePhone() });
    portalctl('revoke-module', '--clinic', B.clinic.id, '--module', 'patient_portal');
    assertProblem(await invite(B.staff, p.id, ['sms']), 409, 'module_missing');
    assertProblem(await B.staff.request('POST', BULK, { body: { patient_ids: [p.id], channels: ['sms'] } }), 409, 'module_missing', 'bulk');
    assert.equal(outboxCount(p.id), 0);
  });

  test('portal switched off: 409 portal_disabled; with no code at all the portal is off too', async () => {
    const clinic = makeClinic();
    const staff = await signIn(clinic.logins.staff);
    const p = await makePatient(staff, { phone: uniquePhone() });
    assertProblem(await invite(staff, p.id, ['sms']), 409, 'portal_disabled', 'never enabled');
    assertProblem(await staff.request('POST', BULK, { body: { patient_ids: [p.id], channels: ['sms'] } }), 409, 'portal_disabled', 'bulk');
    // A portal without a code cannot be enabled (settings refuse it with code_required), so a
    // clinic without a code meets the same refusal.
    const noCode = makeClinic({ code: null });
    const staff2 = await signIn(noCode.logins.staff);
    const q = await makePatient(staff2, { phone: uniquePhone() });
    const res = await invite(staff2, q.id, ['sms']);
    assert.ok(['portal_disabled', 'code_required'].includes(res.body.code), res.text);
    assertProblem(res, res.body.code === 'code_required' ? 422 : 409, res.body.code, 'no code');
    // Switched off after being on.
    const B = await openClinic();
    const r = await makePatient(B.staff, { phone: uniquePhone() });
    await enablePortal(B.owner, B.clinic, { enabled: false });
    assertProblem(await invite(B.staff, r.id, ['sms']), 409, 'portal_disabled', 'switched off');
    assert.equal(outboxCount(p.id) + outboxCount(q.id) + outboxCount(r.id), 0);
  });

  test("the patient's portal access off: 409 portal_access_off", async () => {
    const p = await makePatient(A.staff, { phone: uniquePhone(), portal_access: false });
    assertProblem(await invite(A.staff, p.id, ['sms']), 409, 'portal_access_off');
    assert.equal(outboxCount(p.id), 0);
  });

  test('no phone for SMS, no email for email: 422 contact_missing naming channels; nothing queued', async () => {
    const phoneOnly = await makePatient(A.staff, { phone: uniquePhone() });
    const emailOnly = await makePatient(A.staff, { email: uniqueEmail() });
    const none = await makePatient(A.staff, {});
    const cases = [
      [phoneOnly, ['email'], /email/i],
      [phoneOnly, ['sms', 'email'], /email/i],
      [emailOnly, ['sms'], /phone|SMS/i],
      [none, ['sms'], /phone|SMS/i],
      [none, ['email'], /email/i],
    ];
    for (const [p, channels, message] of cases) {
      const res = await invite(A.staff, p.id, channels);
      assertProblem(res, 422, 'contact_missing', JSON.stringify(channels));
      assert.ok(res.body.errors.length >= 1);
      for (const e of res.body.errors) assert.equal(e.field, 'channels');
      assert.ok(res.body.errors.some((e) => message.test(e.message)), `${JSON.stringify(channels)}: ${res.text}`);
    }
    for (const p of [phoneOnly, emailOnly, none]) assert.equal(outboxCount(p.id), 0);
  });

  test('SMS to a landline: 422 not_mobile naming channels, also with email asked; by email alone it goes', async () => {
    const landline = await makePatient(A.staff, { phone: uniqueLandline(), email: uniqueEmail() });
    assert.equal(landline.phone_sms_capable, false, 'the patient shows that its phone takes no SMS');
    for (const channels of [['sms'], ['sms', 'email']]) {
      const res = await invite(A.staff, landline.id, channels);
      assertProblem(res, 422, 'not_mobile', JSON.stringify(channels));
      assert.deepEqual(res.body.errors.map((e) => e.field), ['channels']);
      assert.match(res.body.errors[0].message, /cannot receive SMS/);
    }
    assert.equal(outboxCount(landline.id), 0, 'nothing queued, not even the email');
    const res = await invite(A.staff, landline.id, ['email']);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.deliveries.map((d) => d.channel), ['email']);
    // A landline and no email: what is missing is said with it, under contact_missing.
    const onlyLandline = await makePatient(A.staff, { phone: uniqueLandline() });
    const both = await invite(A.staff, onlyLandline.id, ['sms', 'email']);
    assertProblem(both, 422, 'contact_missing');
    assert.equal(both.body.errors.length, 2, both.text);
    assert.ok(both.body.errors.some((e) => /cannot receive SMS/.test(e.message)), both.text);
    assert.equal(outboxCount(onlyLandline.id), 0);
  });

  test('no template chosen for a channel: 409 template_missing; the other channel still works', async () => {
    const B = await openClinic();
    await enablePortal(B.owner, B.clinic, { sms_template_id: null });
    const p = await makePatient(B.staff, { phone: uniquePhone(), email: uniqueEmail() });
    assertProblem(await invite(B.staff, p.id, ['sms']), 409, 'template_missing');
    assertProblem(await invite(B.staff, p.id, ['sms', 'email']), 409, 'template_missing', 'both');
    assert.equal(outboxCount(p.id), 0);
    assert.equal((await invite(B.staff, p.id, ['email'])).status, 201);
  });

  test("an unknown patient and another clinic's patient: 404 not_found", async () => {
    const B = await openClinic();
    const foreign = await makePatient(B.staff, { phone: uniquePhone() });
    for (const id of [randomUUID(), foreign.id, 'not-a-uuid']) {
      assertProblem(await invite(A.staff, id, ['sms']), 404, 'not_found', id);
      assertProblem(await A.staff.request('GET', invitationsOf(id)), 404, 'not_found', `status of ${id}`);
    }
    assert.equal(outboxCount(foreign.id), 0);
  });

  test('bad channels: 422 validation_failed naming channels', async () => {
    const p = await makePatient(A.staff, { phone: uniquePhone(), email: uniqueEmail() });
    for (const body of [{}, { channels: [] }, { channels: ['fax'] }, { channels: 'sms' }, { channels: ['sms', 'sms'] },
      { channels: [1] }, { channels: null }, { channels: ['sms', 'email', 'fax'] }]) {
      const res = await A.staff.request('POST', invitationsOf(p.id), { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body));
      // The channels, or one of its elements (channels[0]) as every array is named.
      assert.equal(fieldsOf(res).length, 1, JSON.stringify(body));
      assert.match(fieldsOf(res)[0], /^channels(\[\d+\])?$/, JSON.stringify(body));
    }
    assertProblem(await A.staff.request('POST', invitationsOf(p.id), { body: ['sms'] }), 422, 'validation_failed', 'an array body');
    // Unknown fields are 422 (issue 9), on both invitation routes.
    const extra = await A.staff.request('POST', invitationsOf(p.id), { body: { channels: ['sms'], language: 'tr' } });
    assertProblem(extra, 422, 'validation_failed', 'an unknown field');
    assert.deepEqual(fieldsOf(extra), ['language']);
    const bulkExtra = await A.staff.request('POST', BULK, { body: { patient_ids: [p.id], channels: ['sms'], force: true } });
    assertProblem(bulkExtra, 422, 'validation_failed', 'an unknown bulk field');
    assert.deepEqual(fieldsOf(bulkExtra), ['force']);
    assert.equal(outboxCount(p.id), 0);
  });
});

describe('languages', () => {
  test('a template without the patient language: the other language and a template_language_fallback warning', async () => {
    const B = await openClinic();
    const admin = await signIn(B.clinic.logins.admin);
    const tpl = await admin.request('POST', TEMPLATES, {
      body: { name: 'Sadece Türkçe', channel: 'sms', purpose: 'portal_invitation',
        variants: { tr: { body: 'Portalınız hazır, {{patient_first_name}}: {{portal_url}}' }, en: null } },
    });
    assert.equal(tpl.status, 201, tpl.text);
    await enablePortal(B.owner, B.clinic, { sms_template_id: tpl.body.id });
    const english = await makePatient(B.staff, { first_name: 'Mary', phone: uniquePhone(), language: 'en' });
    const mark = sinkMark();
    const res = await invite(B.staff, english.id, ['sms']);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.warnings.map((w) => w.code), ['template_language_fallback']);
    assert.ok(res.body.warnings[0].message.length > 0);
    const d = res.body.deliveries[0];
    assert.equal(d.locale, 'tr', 'the message is in the language it was written in');
    assert.equal(d.body, `Portalınız hazır, Mary: ${portalUrl(B.clinic.code)}`);
    assert.equal((await nextMessage(english.phone, mark)).text, d.body);
    // A Turkish patient: no warning.
    const turkish = await makePatient(B.staff, { first_name: 'Emre', phone: uniquePhone(), language: 'tr' });
    const ok = await invite(B.staff, turkish.id, ['sms']);
    assert.deepEqual(ok.body.warnings, []);
    assert.equal(ok.body.deliveries[0].body, `Portalınız hazır, Emre: ${portalUrl(B.clinic.code)}`);
  });
});

describe('one pass', () => {
  test('a patient whose first name reads {{portal_url}} or {{otp}} is greeted by that name, written as it is', async () => {
    const B = await openClinic();
    const admin = await signIn(B.clinic.logins.admin);
    const tpl = await admin.request('POST', TEMPLATES, {
      body: { name: `Hi ${unique()}`, channel: 'sms', purpose: 'portal_invitation',
        variants: { tr: { body: 'Merhaba {{patient_first_name}}: {{portal_url}}' }, en: { body: 'Hi {{patient_first_name}}: {{portal_url}}' } } },
    });
    assert.equal(tpl.status, 201, tpl.text);
    await enablePortal(B.owner, B.clinic, { sms_template_id: tpl.body.id });
    for (const name of ['{{portal_url}}', '{{otp}}', '{{clinic_name}}{{code}}']) {
      const p = await makePatient(B.staff, { first_name: name, phone: uniquePhone(), language: 'en' });
      const mark = sinkMark();
      const res = await invite(B.staff, p.id, ['sms']);
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.deliveries[0].body, `Hi ${name}: ${portalUrl(B.clinic.code)}`);
      assert.equal((await nextMessage(p.phone, mark)).text, `Hi ${name}: ${portalUrl(B.clinic.code)}`);
    }
  });
});

describe('bulk', () => {
  test('patient_ids with mixed results: invited, access off, contacts missing, unknown', async () => {
    const B = await openClinic();
    const both = await makePatient(B.staff, { phone: uniquePhone(), email: uniqueEmail() });
    const off = await makePatient(B.staff, { phone: uniquePhone(), portal_access: false });
    const emailOnly = await makePatient(B.staff, { email: uniqueEmail() });
    const none = await makePatient(B.staff, {});
    const unknown = randomUUID();
    const ids = [both.id, off.id, emailOnly.id, none.id, unknown];
    const mark = sinkMark();
    const res = await B.staff.request('POST', BULK, { body: { patient_ids: ids, channels: ['sms', 'email'] } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.invited, 2);
    assert.equal(res.body.skipped, 3);
    assert.deepEqual(sorted(res.body.results.map((r) => r.patient_id)), sorted(ids));
    const r = Object.fromEntries(res.body.results.map((x) => [x.patient_id, x]));

    assert.equal(r[both.id].problem, null);
    assert.deepEqual(sorted(r[both.id].deliveries.map((d) => d.channel)), ['email', 'sms']);
    assert.deepEqual(r[both.id].skipped_channels, []);

    assert.equal(r[off.id].problem.code, 'portal_access_off');
    assert.deepEqual(r[off.id].deliveries, []);

    assert.equal(r[emailOnly.id].problem, null);
    assert.deepEqual(r[emailOnly.id].deliveries.map((d) => d.channel), ['email']);
    assert.deepEqual(r[emailOnly.id].skipped_channels, [{ channel: 'sms', code: 'contact_missing' }]);

    assert.equal(r[none.id].problem.code, 'contact_missing');
    assert.deepEqual(r[none.id].deliveries, []);

    assert.equal(r[unknown].problem.code, 'not_found');
    assert.deepEqual(r[unknown].deliveries, []);

    for (const d of [...r[both.id].deliveries, ...r[emailOnly.id].deliveries]) {
      assert.equal(d.purpose, 'portal_invitation');
      assert.equal(d.portal_code, B.clinic.code);
    }
    assert.equal((await nextMessage(both.phone, mark)).reference, r[both.id].deliveries.find((d) => d.channel === 'sms').id);
    await nextMessage(both.email, mark);
    await nextMessage(emailOnly.email, mark);
    assert.equal(outboxCount(off.id) + outboxCount(none.id), 0);
  });

  test('a landline is skipped for SMS (not_mobile) and invited by email; with only a landline, not_mobile', async () => {
    const B = await openClinic();
    const landlineEmail = await makePatient(B.staff, { phone: uniqueLandline(), email: uniqueEmail() });
    const onlyLandline = await makePatient(B.staff, { phone: uniqueLandline() });
    const mobile = await makePatient(B.staff, { phone: uniquePhone() });
    const mark = sinkMark();
    let res = await B.staff.request('POST', BULK,
      { body: { patient_ids: [landlineEmail.id, mobile.id], channels: ['sms', 'email'] } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.invited, 2);
    assert.equal(res.body.skipped, 0);
    let r = Object.fromEntries(res.body.results.map((x) => [x.patient_id, x]));
    assert.equal(r[landlineEmail.id].problem, null);
    assert.deepEqual(r[landlineEmail.id].deliveries.map((d) => d.channel), ['email']);
    assert.deepEqual(r[landlineEmail.id].skipped_channels, [{ channel: 'sms', code: 'not_mobile' }]);
    assert.deepEqual(r[mobile.id].deliveries.map((d) => d.channel), ['sms']);
    assert.deepEqual(r[mobile.id].skipped_channels, [{ channel: 'email', code: 'contact_missing' }]);

    res = await B.staff.request('POST', BULK, { body: { patient_ids: [onlyLandline.id], channels: ['sms'] } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.invited, 0);
    assert.equal(res.body.skipped, 1);
    r = res.body.results[0];
    assert.equal(r.problem.code, 'not_mobile');
    assert.match(r.problem.detail, /cannot receive SMS/);
    assert.deepEqual(r.skipped_channels, [{ channel: 'sms', code: 'not_mobile' }]);
    assert.deepEqual(r.deliveries, []);

    await nextMessage(landlineEmail.email, mark);
    await nextMessage(mobile.phone, mark);
    assert.equal(Number(psql(`SELECT count(*) FROM outbox WHERE channel = 'sms' AND patient_id IN
      ('${landlineEmail.id}', '${onlyLandline.id}')`)), 0, 'no SMS was queued for a landline');
  });

  test('bad bulk bodies: 422', async () => {
    const p = await makePatient(A.staff, { phone: uniquePhone() });
    const many = Array.from({ length: 501 }, () => randomUUID());
    for (const [body, field] of [
      [{ patient_ids: [], channels: ['sms'] }, 'patient_ids'],
      [{ patient_ids: many, channels: ['sms'] }, 'patient_ids'],
      [{ patient_ids: ['nope'], channels: ['sms'] }, 'patient_ids'],
      [{ patient_ids: [p.id], channels: [] }, 'channels'],
      [{ channels: ['sms'] }, null],
      [{ patient_ids: [p.id], previous_code: 'old-code', channels: ['sms'] }, null],
    ]) {
      const res = await A.staff.request('POST', BULK, { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body).slice(0, 80));
      if (field) assert.ok(fieldsOf(res).some((f) => f === field || f.startsWith(`${field}[`)), `${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
    }
    assert.equal(outboxCount(p.id), 0);
  });

  test('after a code change: code_changed counts the invited and names previous_code; inviting them again uses the new code', async () => {
    const B = await openClinic();
    const oldCode = B.clinic.code;
    const bySms = await makePatient(B.staff, { phone: uniquePhone() });
    const byMail = await makePatient(B.staff, { email: uniqueEmail() });
    const never = await makePatient(B.staff, { phone: uniquePhone() });
    assert.equal((await invite(B.staff, bySms.id, ['sms'])).status, 201);
    assert.equal((await invite(B.staff, bySms.id, ['sms'])).status, 201, 'invited twice, counted once');
    assert.equal((await invite(B.staff, byMail.id, ['email'])).status, 201);

    const newCode = `new-${unique()}`;
    const changed = await enablePortal(B.owner, { ...B.clinic, code: newCode });
    const w = changed.body.warnings.find((x) => x.code === 'code_changed');
    assert.ok(w, changed.text);
    assert.equal(w.count, 2);
    assert.equal(w.previous_code, oldCode);

    const mark = sinkMark();
    const res = await B.staff.request('POST', BULK, { body: { previous_code: oldCode, channels: ['sms', 'email'] } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.invited, 2);
    assert.deepEqual(sorted(res.body.results.map((x) => x.patient_id)), sorted([bySms.id, byMail.id]));
    assert.ok(!res.body.results.some((x) => x.patient_id === never.id));
    for (const x of res.body.results) {
      for (const d of x.deliveries) {
        assert.equal(d.portal_code, newCode);
        assert.ok(d.body.includes(portalUrl(newCode)), d.body);
        assert.ok(!d.body.includes(`/${oldCode}`), d.body);
      }
    }
    // The messages of these deliveries (the first invitations may still be on their way).
    const idOf = (patientId) => res.body.results.find((x) => x.patient_id === patientId).deliveries[0].id;
    const sms = await waitForSms((m) => !mark.sms.has(m.file) && m.reference === idOf(bySms.id));
    assert.ok(sms.text.includes(portalUrl(newCode)), sms.text);
    const mail = await waitForMail((m) => !mark.mail.has(m.file) && m.messageId === `<${idOf(byMail.id)}@${mailDomain()}>`);
    assert.ok(mail.text.includes(portalUrl(newCode)), mail.text);

    // A code the clinic never had invites nobody.
    const nobody = await B.staff.request('POST', BULK, { body: { previous_code: `never-${unique()}`, channels: ['sms'] } });
    assert.equal(nobody.status, 200, nobody.text);
    assert.equal(nobody.body.invited, 0);
    assert.deepEqual(nobody.body.results, []);
  });
});

describe('the invitation status of a patient', () => {
  test('none → queued or sent → sent → signed_in once the patient has signed in', async () => {
    const phone = uniquePhone();
    const p = await makePatient(A.staff, { phone });
    const none = await A.staff.request('GET', invitationsOf(p.id));
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.body, { status: 'none', first_signed_in_at: null, items: [] });

    const res = await invite(A.staff, p.id, ['sms']);
    const d = res.body.deliveries[0];
    const after = await A.staff.request('GET', invitationsOf(p.id));
    assert.ok(['queued', 'sending', 'sent'].includes(after.body.status), after.body.status);
    assert.equal(after.body.items[0].id, d.id);
    await waitFor(async () => (await A.staff.request('GET', invitationsOf(p.id))).body.status === 'sent',
      { timeoutMs: 30_000, intervalMs: 250, what: 'invitation status sent' });

    const s = await signInPatient(A.clinic.code, phone);
    assert.equal(s.body.patient.id, p.id);
    const signedIn = await A.staff.request('GET', invitationsOf(p.id));
    assert.equal(signedIn.body.status, 'signed_in');
    assert.ok(signedIn.body.first_signed_in_at, 'first_signed_in_at is set');
    assert.ok(Date.now() - Date.parse(signedIn.body.first_signed_in_at) < 120_000);
    assert.equal(signedIn.body.items[0].id, d.id);
    // A read key sees it too.
    const reader = withKey(makeApiKey(A.clinic.id, 'read'));
    assert.equal((await reader.request('GET', invitationsOf(p.id))).body.status, 'signed_in');
  });

  test('an invitation that could not be delivered shows dead', async () => {
    const phone = uniquePhone();
    const p = await makePatient(A.staff, { phone });
    const control = await fetch(`http://127.0.0.1:${sinkPorts().sms}/_control`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 400, count: 1, to: phone }),
    });
    assert.equal(control.status, 200, await control.text());
    const d = (await invite(A.staff, p.id, ['sms'])).body.deliveries[0];
    await waitDelivery(A.staff, d.id, 'dead');
    assert.equal((await A.staff.request('GET', invitationsOf(p.id))).body.status, 'dead');
  });
});

describe('who may invite', () => {
  test('staff, admin, owner and a write key may; a read key may not (403 forbidden_role)', async () => {
    const p = await makePatient(A.staff, { phone: uniquePhone() });
    const admin = await signIn(A.clinic.logins.admin);
    for (const [who, s] of [['staff', A.staff], ['admin', admin], ['owner', A.owner],
      ['write key', withKey(makeApiKey(A.clinic.id, 'read,write'))]]) {
      assert.equal((await invite(s, p.id, ['sms'])).status, 201, who);
    }
    const count = outboxCount(p.id);
    const reader = withKey(makeApiKey(A.clinic.id, 'read'));
    assertProblem(await invite(reader, p.id, ['sms']), 403, 'forbidden_role', 'read key');
    assertProblem(await reader.request('POST', BULK, { body: { patient_ids: [p.id], channels: ['sms'] } }), 403, 'forbidden_role',
      'read key bulk');
    assertProblem(await A.staff.request('POST', invitationsOf(p.id), { body: { channels: ['sms'] }, headers: { 'x-csrf-token': 'wrong' } }),
      403, 'csrf_failed', 'cookie without the CSRF token');
    assertProblem(await api('POST', invitationsOf(p.id), { body: { channels: ['sms'] } }), 401, 'not_authenticated', 'nobody');
    assert.equal(outboxCount(p.id), count);
  });
});

describe('audit', () => {
  const rowsFor = (clinicId, targetId) => JSON.parse(psql(`SELECT coalesce(json_agg(a ORDER BY id), '[]') FROM audit_log a
    WHERE clinic_id = '${clinicId}' AND target_id = '${targetId}' AND action <> 'patient.create'`));

  test('each invitation leaves an audit row naming the actor and the request; refusals none', async () => {
    const p = await makePatient(A.staff, { phone: uniquePhone(), email: uniqueEmail() });
    const res = await invite(A.staff, p.id, ['sms', 'email']);
    assert.equal(res.status, 201, res.text);
    const rows = rowsFor(A.clinic.id, p.id);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.match(rows[0].action, /invit/);
    assert.equal(rows[0].actor_type, 'staff');
    assert.equal(rows[0].actor_id, A.staff.staff.id);
    assert.equal(rows[0].request_id, res.headers.get('x-request-id'));

    const key = makeApiKey(A.clinic.id, 'read,write');
    const byKey = await withKey(key).request('POST', invitationsOf(p.id), { body: { channels: ['sms'] } });
    assert.equal(byKey.status, 201);
    const two = rowsFor(A.clinic.id, p.id);
    assert.equal(two.length, 2);
    assert.equal(two[1].actor_type, 'api_key');
    assert.ok(!JSON.stringify(two[1]).includes(key), 'the key is in the audit row');

    // Refused: none.
    assertProblem(await invite(A.staff, p.id, ['fax']), 422, 'validation_failed');
    assertProblem(await invite(withKey(makeApiKey(A.clinic.id, 'read')), p.id, ['sms']), 403, 'forbidden_role');
    assert.equal(rowsFor(A.clinic.id, p.id).length, 2);

    // Bulk: a row for each invited patient, none for the skipped.
    const q = await makePatient(A.staff, { phone: uniquePhone() });
    const off = await makePatient(A.staff, { phone: uniquePhone(), portal_access: false });
    const bulk = await A.staff.request('POST', BULK, { body: { patient_ids: [q.id, off.id], channels: ['sms'] } });
    assert.equal(bulk.status, 200, bulk.text);
    assert.ok(rowsFor(A.clinic.id, q.id).length >= 1, 'no audit row for the invited patient');
    assert.equal(rowsFor(A.clinic.id, off.id).length, 0, 'an audit row for a skipped patient');
  });
});
