// Message templates (issue 5, item 1; DESIGN.md section 3): the defaults every clinic starts
// with, create/read/replace/delete with every rule (known placeholders only, an invitation
// needs {{code}} or {{portal_url}}, a code message needs {{otp}}, SMS without subject, email
// with one), the SMS encoding and segment count on the edges, roles, the settings' choice of
// invitation templates and the template_language_mismatch warning.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertProblem } from './lib/client.mjs';
import { makeApiKey, makeClinic, settingsBody, signIn, withKey } from './lib/fixtures.mjs';

const TEMPLATES = '/api/v1/clinic/templates';
const SETTINGS = '/api/v1/clinic/portal/settings';

let clinic, admin, staff, key;

before(async () => {
  clinic = makeClinic();
  admin = await signIn(clinic.logins.admin);
  staff = await signIn(clinic.logins.staff);
  key = withKey(makeApiKey(clinic.id, 'admin'));
});

const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field);
const sms = (purpose, tr, en = null) => ({
  name: `SMS ${purpose}`, channel: 'sms', purpose,
  variants: { tr: tr === null ? null : { body: tr }, en: en === null ? null : { body: en } },
});

describe('defaults', () => {
  test('a new clinic has SMS and email templates for invitations, sign-in and contact-change codes, in Turkish and English', async () => {
    const res = await admin.request('GET', TEMPLATES);
    assert.equal(res.status, 200, res.text);
    const kinds = res.body.items.map((t) => `${t.channel}/${t.purpose}`).sort();
    assert.deepEqual(kinds, ['email/appointment_cancellation', 'email/appointment_confirmation',
      'email/contact_change_code', 'email/contact_replaced', 'email/portal_invitation', 'email/sign_in_code',
      'sms/appointment_cancellation', 'sms/appointment_confirmation',
      'sms/contact_change_code', 'sms/contact_replaced', 'sms/portal_invitation', 'sms/sign_in_code']);
    for (const t of res.body.items) {
      for (const lang of ['tr', 'en']) {
        const v = t.variants[lang];
        assert.ok(v?.body, `${t.name} lacks ${lang}`);
        if (t.channel === 'email') assert.ok(v.subject, `${t.name} ${lang} lacks a subject`);
        if (t.purpose === 'portal_invitation') assert.match(v.body, /\{\{(code|portal_url)\}\}/);
        if (t.purpose === 'sign_in_code' || t.purpose === 'contact_change_code') assert.match(v.body, /\{\{otp\}\}/);
        if (t.purpose.startsWith('appointment_')) assert.match(v.body, /\{\{appointment_start\}\}/);
        if (t.channel === 'sms') assert.ok(v.sms.segments >= 1 && v.sms.segments <= 2, `${t.name} ${lang}: ${v.sms.segments} segments`);
      }
    }
    // Turkish letters make the Turkish SMS UCS-2; the English one stays GSM-7.
    const invitation = res.body.items.find((t) => t.channel === 'sms' && t.purpose === 'portal_invitation');
    assert.equal(invitation.variants.tr.sms.encoding, 'UCS-2');
    assert.equal(invitation.variants.en.sms.encoding, 'GSM-7');
  });

  test('filters by channel and purpose; unknown values are 422', async () => {
    const res = await key.request('GET', `${TEMPLATES}?channel=email&purpose=sign_in_code`);
    assert.deepEqual(res.body.items.map((t) => [t.channel, t.purpose]), [['email', 'sign_in_code']]);
    assertProblem(await key.request('GET', `${TEMPLATES}?channel=fax`), 422, 'validation_failed');
    assertProblem(await key.request('GET', `${TEMPLATES}?purpose=spam`), 422, 'validation_failed');
  });
});

describe('rules', () => {
  const BAD = [
    [sms('portal_invitation', 'Hello {{name}} {{portal_url}}'), 'variants.tr.body', /\{\{name\}\}/],
    [sms('portal_invitation', 'Hello {{ code }}'), 'variants.tr.body', /\{\{ code \}\}/],
    [sms('portal_invitation', 'Hello {{code'), 'variants.tr.body', /\{\{code/],
    [sms('portal_invitation', 'Welcome to {{clinic_name}}'), 'variants.tr.body', /\{\{code\}\}|\{\{portal_url\}\}/],
    [sms('portal_invitation', null, 'Welcome {{patient_first_name}}'), 'variants.en.body', /\{\{code\}\}/],
    [sms('sign_in_code', 'Your code is ready'), 'variants.tr.body', /\{\{otp\}\}/],
    [sms('portal_invitation', '{{portal_url}} {{otp}}'), 'variants.tr.body', /otp/],
    [sms('appointment_confirmation', 'Booked with {{practitioner_name}}'), 'variants.tr.body', /appointment_start/],
    [sms('appointment_cancellation', null, 'Cancelled: {{appointment_type}}'), 'variants.en.body', /appointment_start/],
    [sms('portal_invitation', '{{portal_url}} {{appointment_start}}'), 'variants.tr.body', /appointment templates only/],
    [sms('portal_invitation', null, null), 'variants', /language/],
    [{ ...sms('portal_invitation', '{{code}}'), channel: 'fax' }, 'channel', /sms/],
    [{ ...sms('portal_invitation', '{{code}}'), purpose: 'spam' }, 'purpose', /portal_invitation/],
    [{ ...sms('portal_invitation', '{{code}}'), name: '' }, 'name', /1 to/],
    [{ ...sms('portal_invitation', '{{code}}'), extra: 1 }, 'extra', /Unknown/],
    [{ name: 'x', channel: 'sms', purpose: 'portal_invitation', variants: { tr: { subject: 'S', body: '{{code}}' } } },
      'variants.tr.subject', /no subject/],
    [{ name: 'x', channel: 'email', purpose: 'portal_invitation', variants: { tr: { body: '{{code}}' } } },
      'variants.tr.subject', /Required/],
    [{ name: 'x', channel: 'email', purpose: 'portal_invitation', variants: { tr: { subject: 'a\nb', body: '{{code}}' } } },
      'variants.tr.subject', /single line/],
    [{ name: 'x', channel: 'email', purpose: 'portal_invitation', variants: { tr: { subject: '{{nope}}', body: '{{code}}' } } },
      'variants.tr.subject', /\{\{nope\}\}/],
    [sms('portal_invitation', `{{code}}${'a'.repeat(1000)}`), 'variants.tr.body', /empty or too long/],
    [{ ...sms('portal_invitation', '{{code}}'), variants: { de: { body: '{{code}}' } } }, 'variants.de', /tr and en/],
  ];
  for (const [body, field, message] of BAD) {
    test(`refused: ${JSON.stringify(body).slice(0, 90)} names ${field}`, async () => {
      const res = await admin.request('POST', TEMPLATES, { body });
      assertProblem(res, 422, 'validation_failed');
      const error = res.body.errors.find((e) => e.field === field);
      assert.ok(error, `no error for ${field}: ${res.text}`);
      assert.match(error.message, message);
    });
  }

  test('create, read, replace and delete; the channel cannot change', async () => {
    const created = await admin.request('POST', TEMPLATES, {
      body: { name: 'Reminder', channel: 'email', purpose: 'portal_invitation',
        variants: { tr: { subject: '{{clinic_name}}', body: 'Merhaba {{patient_first_name}}: {{portal_url}}' }, en: null } },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), `${TEMPLATES}/${created.body.id}`);
    assert.equal(created.body.variants.en, null);
    const read = await staff.request('GET', `${TEMPLATES}/${created.body.id}`);
    assert.deepEqual(read.body, created.body);
    const replaced = await admin.request('PUT', `${TEMPLATES}/${created.body.id}`, {
      body: { name: 'Reminder 2', channel: 'email', purpose: 'portal_invitation',
        variants: { tr: { subject: 'S', body: '{{code}}' }, en: { subject: 'S', body: '{{portal_url}}' } } },
    });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.name, 'Reminder 2');
    assert.equal(replaced.body.variants.en.body, '{{portal_url}}');
    const channel = await admin.request('PUT', `${TEMPLATES}/${created.body.id}`, {
      body: sms('portal_invitation', '{{code}}'),
    });
    assertProblem(channel, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(channel), ['channel']);
    const deleted = await admin.request('DELETE', `${TEMPLATES}/${created.body.id}`);
    assert.equal(deleted.status, 204);
    assertProblem(await admin.request('GET', `${TEMPLATES}/${created.body.id}`), 404, 'not_found');
    assertProblem(await admin.request('DELETE', `${TEMPLATES}/${created.body.id}`), 404, 'not_found');
    assertProblem(await admin.request('GET', `${TEMPLATES}/not-an-id`), 404, 'not_found');
  });

  test('staff read templates but may not change them; a read key neither', async () => {
    assert.equal((await staff.request('GET', TEMPLATES)).status, 200);
    assertProblem(await staff.request('POST', TEMPLATES, { body: sms('sign_in_code', '{{otp}}') }), 403, 'forbidden_role');
    const reader = withKey(makeApiKey(clinic.id, 'read'));
    assertProblem(await reader.request('POST', TEMPLATES, { body: sms('sign_in_code', '{{otp}}') }), 403, 'forbidden_role');
  });
});

describe('SMS encoding and segments (sms-measure, no placeholders)', () => {
  const measure = async (text) => {
    const res = await staff.request('GET', `${TEMPLATES}/sms-measure?text=${encodeURIComponent(text)}`);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  test('GSM-7: 160 characters are one segment, 161 are two (153 per segment after)', async () => {
    assert.deepEqual(await measure('a'.repeat(160)), { encoding: 'GSM-7', characters: 160, segments: 1 });
    assert.deepEqual(await measure('a'.repeat(161)), { encoding: 'GSM-7', characters: 161, segments: 2 });
    assert.deepEqual(await measure('a'.repeat(306)), { encoding: 'GSM-7', characters: 306, segments: 2 });
    assert.deepEqual(await measure('a'.repeat(307)), { encoding: 'GSM-7', characters: 307, segments: 3 });
  });
  test('UCS-2: Turkish letters force it; 70 are one segment, 71 two (67 after)', async () => {
    for (const letter of ['ş', 'ğ', 'ı']) {
      assert.deepEqual(await measure(letter.repeat(70)), { encoding: 'UCS-2', characters: 70, segments: 1 });
      assert.deepEqual(await measure(letter.repeat(71)), { encoding: 'UCS-2', characters: 71, segments: 2 });
    }
    assert.deepEqual(await measure('ş'.repeat(135)), { encoding: 'UCS-2', characters: 135, segments: 3 });
  });
  test('{ } [ ] ~ \\ ^ | € count twice in GSM-7', async () => {
    // Each character alternates with an 'a' (so no '{{' opens a placeholder): 3 units a pair.
    for (const c of ['{', '}', '[', ']', '~', '\\', '^', '|', '€']) {
      assert.deepEqual(await measure(`${c}a`.repeat(53)), { encoding: 'GSM-7', characters: 159, segments: 1 }, c);
      assert.deepEqual(await measure(`${c}a`.repeat(54)), { encoding: 'GSM-7', characters: 162, segments: 2 }, c);
    }
  });
  test('an unknown placeholder is 422; known ones are measured with sample values', async () => {
    assertProblem(await staff.request('GET', `${TEMPLATES}/sms-measure?text=${encodeURIComponent('{{x}}')}`), 422, 'validation_failed');
    const withCode = await measure('{{code}}');
    assert.equal(withCode.characters, clinic.code.length);
  });
});

describe('the settings choose invitation templates', () => {
  test('a template lacking one of the clinic languages draws template_language_mismatch; a wrong one is 422', async () => {
    const enOnly = await admin.request('POST', TEMPLATES, { body: sms('portal_invitation', null, 'Join {{portal_url}}') });
    assert.equal(enOnly.status, 201, enOnly.text);
    const saved = await admin.request('PUT', SETTINGS, {
      body: settingsBody({ code: clinic.code, sms_template_id: enOnly.body.id }),
    });
    assert.equal(saved.status, 200, saved.text);
    assert.deepEqual(saved.body.warnings.map((w) => w.code), ['template_language_mismatch']);
    assert.match(saved.body.warnings[0].message, /Turkish/);
    // In use: cannot be deleted, nor turned into another purpose.
    assertProblem(await admin.request('DELETE', `${TEMPLATES}/${enOnly.body.id}`), 409, 'conflict');
    assertProblem(await admin.request('PUT', `${TEMPLATES}/${enOnly.body.id}`,
      { body: sms('sign_in_code', null, '{{otp}}') }), 409, 'conflict');

    const codeTemplate = (await admin.request('GET', `${TEMPLATES}?channel=sms&purpose=sign_in_code`)).body.items[0];
    const emailTemplate = (await admin.request('GET', `${TEMPLATES}?channel=email&purpose=portal_invitation`)).body.items[0];
    for (const [body, field] of [
      [{ sms_template_id: codeTemplate.id }, 'sms_template_id'],
      [{ sms_template_id: emailTemplate.id }, 'sms_template_id'],
      [{ email_template_id: enOnly.body.id }, 'email_template_id'],
      [{ email_template_id: '00000000-0000-4000-8000-000000000000' }, 'email_template_id'],
    ]) {
      const res = await admin.request('PUT', SETTINGS, { body: settingsBody({ code: clinic.code, ...body }) });
      assertProblem(res, 422, 'validation_failed');
      assert.deepEqual(fieldsOf(res), [field]);
    }
    // Both languages: no warning.
    const both = await admin.request('POST', TEMPLATES, { body: sms('portal_invitation', 'Gel {{code}}', 'Come {{code}}') });
    const clean = await admin.request('PUT', SETTINGS, { body: settingsBody({ code: clinic.code, sms_template_id: both.body.id }) });
    assert.deepEqual(clean.body.warnings, []);
  });
});
