// Message templates (issue 5, item 1; DESIGN.md section 3): the defaults every clinic starts
// with, create/read/replace/delete with every rule (known placeholders only, an invitation
// needs {{code}} or {{portal_url}}, a code message needs {{otp}}, SMS without subject, email
// with one), the SMS encoding and segment count on the edges, roles, the settings' choice of
// invitation templates and the template_language_mismatch warning. Issue 9 item 2: {{otp}} in
// bodies only, one renderer (portal_render_values: one pass, a value is written as it is), a
// preview; issue 10 item 5: the purposes the server knows are the database's message_purposes.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { api, assertProblem, psql, psqlTry } from './lib/client.mjs';
import {
  enablePortal, makeApiKey, makeClinic, makePatient, settingsBody, signIn, uniqueEmail, withKey,
} from './lib/fixtures.mjs';

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
      'variants.tr.subject', /one line/],
    [{ name: 'x', channel: 'email', purpose: 'portal_invitation', variants: { tr: { subject: '{{nope}}', body: '{{code}}' } } },
      'variants.tr.subject', /\{\{nope\}\}/],
    [sms('portal_invitation', `{{code}}${'a'.repeat(1000)}`), 'variants.tr.body', /1 to 1000 characters/],
    [{ ...sms('portal_invitation', '{{code}}'), variants: { de: { body: '{{code}}' } } }, 'variants.de', /Unknown field/],
    // Unknown fields are refused at every depth (issue 9).
    [{ ...sms('portal_invitation', '{{code}}'), variants: { tr: { body: '{{code}}', lang: 'tr' } } }, 'variants.tr.lang', /Unknown field/],
    // No subject of any template carries a code (issue 9, item 2): {{otp}} in bodies only.
    [{ name: 'x', channel: 'email', purpose: 'sign_in_code', variants: { tr: { subject: 'Kodunuz {{otp}}', body: 'Kod: {{otp}}' } } },
      'variants.tr.subject', /bodies only/],
    [{ name: 'x', channel: 'email', purpose: 'contact_change_code', variants: { en: { subject: '{{otp}}', body: '{{otp}}' } } },
      'variants.en.subject', /bodies only/],
    [{ name: 'x', channel: 'email', purpose: 'portal_invitation', variants: { en: { subject: 'Code {{otp}}', body: '{{code}}' } } },
      'variants.en.subject', /otp/],
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

describe('one list of purposes (issue 10, item 5)', () => {
  test("the purposes the server knows are the database's message_purposes, with the same secret flag", async () => {
    const res = await staff.request('GET', `${TEMPLATES}/purposes`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.next_cursor, null);
    const server = res.body.items.map((p) => `${p.purpose}:${p.secret}`).sort();
    // The fixed staff mails (invitation, added, reset) are no template's purpose.
    const table = psql("SELECT purpose || ':' || secret FROM message_purposes WHERE NOT fixed ORDER BY 1").split('\n').sort();
    assert.deepEqual(server, table);
    const fixed = psql('SELECT purpose FROM message_purposes WHERE fixed ORDER BY 1').split('\n');
    assert.deepEqual(fixed, ['staff_added', 'staff_invitation', 'staff_password_reset']);
    for (const purpose of fixed) assert.ok(!(purpose in Object.fromEntries(res.body.items.map((p) => [p.purpose, 1]))));
    const byName = Object.fromEntries(res.body.items.map((p) => [p.purpose, p]));
    assert.ok(byName.contact_replaced, 'contact_replaced is a purpose');
    assert.equal(byName.sign_in_code.secret, true);
    assert.equal(byName.contact_change_code.secret, true);
    assert.deepEqual(byName.sign_in_code.body_needs_one_of, ['otp']);
    assert.ok(!byName.portal_invitation.placeholders.includes('otp'));
    assert.ok(byName.appointment_confirmation.placeholders.includes('appointment_start'));
    // Templates and the outbox refer to the table: the old CHECK lists are gone.
    const fks = psql(`SELECT conrelid::regclass || '.' || conname FROM pg_constraint
      WHERE confrelid = 'message_purposes'::regclass ORDER BY 1`);
    assert.deepEqual(fks.split('\n'), ['outbox.outbox_purpose_fkey', 'templates.templates_purpose_fkey']);
    const checks = psql(`SELECT count(*) FROM pg_constraint WHERE contype = 'c'
      AND conrelid IN ('templates'::regclass, 'outbox'::regclass) AND pg_get_constraintdef(oid) LIKE '%portal_invitation%'`);
    assert.equal(checks, '0');
  });

  test('every purpose the server lists can have a template; an unknown one is 422 on every route', async () => {
    const res = await staff.request('GET', `${TEMPLATES}/purposes`);
    for (const p of res.body.items) {
      const body = p.body_needs_one_of.length ? `{{${p.body_needs_one_of[0]}}}` : 'Hello';
      const created = await admin.request('POST', TEMPLATES, { body: sms(p.purpose, body) });
      assert.equal(created.status, 201, `${p.purpose}: ${created.text}`);
      assert.equal((await admin.request('DELETE', `${TEMPLATES}/${created.body.id}`)).status, 204);
    }
    for (const path of [`${TEMPLATES}?purpose=nonsense`, '/api/v1/clinic/deliveries?purpose=nonsense']) {
      const list = await staff.request('GET', path);
      assertProblem(list, 422, 'validation_failed', path);
      assert.deepEqual(fieldsOf(list), ['purpose']);
    }
  });
});

describe('no subject carries a code (issue 9, item 2)', () => {
  test('the schema refuses {{otp}} in a subject too', () => {
    const r = psqlTry(`UPDATE templates SET tr_subject = 'Kodunuz {{otp}}'
      WHERE clinic_id = '${clinic.id}' AND channel = 'email' AND purpose = 'sign_in_code'`);
    assert.notEqual(r.status, 0, 'a subject with {{otp}} was stored');
    assert.match(r.stderr, /templates_subject_no_code/);
  });

  test('a PUT of the sign-in email template with {{otp}} in its subject is 422 naming the field; the template stays', async () => {
    const tpl = (await admin.request('GET', `${TEMPLATES}?channel=email&purpose=sign_in_code`)).body.items[0];
    const res = await admin.request('PUT', `${TEMPLATES}/${tpl.id}`, {
      body: { name: tpl.name, channel: 'email', purpose: 'sign_in_code',
        variants: { tr: { subject: 'Kodunuz {{otp}}', body: tpl.variants.tr.body }, en: tpl.variants.en } },
    });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(res), ['variants.tr.subject']);
    assert.deepEqual((await admin.request('GET', `${TEMPLATES}/${tpl.id}`)).body, tpl);
  });
});

describe('bodies: U+0000 and unknown fields', () => {
  test('\\u0000 in a template name is 400 bad_request; nothing is stored', async () => {
    const before = (await admin.request('GET', TEMPLATES)).body.items.length;
    const raw = '{"name":"a\\u0000b","channel":"sms","purpose":"portal_invitation","variants":{"tr":{"body":"{{code}}"}}}';
    const res = await admin.request('POST', TEMPLATES, { raw, headers: { 'content-type': 'application/json' } });
    assertProblem(res, 400, 'bad_request');
    assert.equal((await admin.request('GET', TEMPLATES)).body.items.length, before);
  });

  test('an unknown field is 422 on a preview too', async () => {
    const res = await staff.request('POST', `${TEMPLATES}/preview`, {
      body: { channel: 'sms', purpose: 'portal_invitation', language: 'tr', body: '{{code}}', extra: true },
    });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(res), ['extra']);
  });
});

describe('one renderer, one pass (issue 9, item 2)', () => {
  const render = (text, values) => psql(`SELECT portal_render_values(${text === null ? 'NULL' : `'${text}'`}, '${JSON.stringify(values)}'::jsonb)`);

  test('each placeholder is replaced once; a value that holds {{...}} is written as it is; unknown names stay', () => {
    assert.equal(render('Hi {{patient_first_name}}, {{otp}}', { patient_first_name: '{{otp}}', otp: '123456' }),
      'Hi {{otp}}, 123456');
    assert.equal(render('{{clinic_name}} {{nope}} {{otp', { clinic_name: '{{clinic_name}}' }), '{{clinic_name}} {{nope}} {{otp');
    assert.equal(render('{{a}}{{a}}|{{b}}', { a: 'x', b: null }), 'xx|');
    assert.equal(render('', {}), '');
    // 0006's signature, used by the sign-in functions, renders through it.
    assert.equal(psql(`SELECT portal_render('{{patient_first_name}}: {{otp}}', 'c', 'u', '{{otp}}', 'n', '42')`), '{{otp}}: 42');
  });

  test('a megabyte of placeholders renders in linear time', () => {
    const started = Date.now();
    const out = psql(`SELECT length(portal_render_values(repeat('a{{x}}', 50000), '{"x":"bb"}'))
      || ',' || length(portal_render_values(repeat('{{', 500000), '{}'))`);
    assert.equal(out, '150000,1000000');
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  });
});

describe('preview (POST templates/preview)', () => {
  test('renders with the clinic name, its address and samples; a named patient’s own first name, literally', async () => {
    const c = makeClinic();
    const owner = await signIn(c.logins.owner);
    await enablePortal(owner, c);
    const p = await makePatient(owner, { first_name: '{{otp}}', email: uniqueEmail() });
    const res = await owner.request('POST', `${TEMPLATES}/preview`, {
      body: { channel: 'email', purpose: 'sign_in_code', language: 'en',
        subject: '{{clinic_name}} for {{patient_first_name}}', body: 'Hi {{patient_first_name}}: {{otp}}', patient_id: p.id },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.subject, `${c.name} for {{otp}}`);
    assert.equal(res.body.body, 'Hi {{otp}}: 123456');
    assert.equal(res.body.sms, undefined);
    const sample = await owner.request('POST', `${TEMPLATES}/preview`, {
      body: { channel: 'sms', purpose: 'appointment_confirmation', language: 'en',
        body: '{{patient_first_name}}: {{appointment_start}} {{portal_url}}' },
    });
    assert.equal(sample.status, 200, sample.text);
    assert.match(sample.body.body, new RegExp(`^Ali: 1 Dec 2026, 10:30 \\S+/${c.code}$`));
    assert.equal(sample.body.subject, null);
    assert.equal(sample.body.sms.encoding, 'GSM-7');
    assert.equal(sample.body.sms.characters, sample.body.body.length);
  });

  test('refused as a template would be (422 naming the field), and for a patient of another clinic', async () => {
    const other = makeClinic();
    const otherOwner = await signIn(other.logins.owner);
    const foreign = await makePatient(otherOwner, {});
    for (const [body, field] of [
      [{ channel: 'email', purpose: 'sign_in_code', language: 'tr', subject: '{{otp}}', body: '{{otp}}' }, 'subject'],
      [{ channel: 'sms', purpose: 'sign_in_code', language: 'tr', subject: 'S', body: '{{otp}}' }, 'subject'],
      [{ channel: 'sms', purpose: 'portal_invitation', language: 'tr', body: 'Hello' }, 'body'],
      [{ channel: 'sms', purpose: 'nonsense', language: 'tr', body: 'Hello' }, 'purpose'],
      [{ channel: 'sms', purpose: 'portal_invitation', language: 'de', body: '{{code}}' }, 'language'],
      [{ channel: 'sms', purpose: 'portal_invitation', language: 'tr', body: '{{code}}', patient_id: foreign.id }, 'patient_id'],
      [{ channel: 'sms', purpose: 'portal_invitation', language: 'tr', body: '{{code}}', patient_id: 'x' }, 'patient_id'],
    ]) {
      const res = await staff.request('POST', `${TEMPLATES}/preview`, { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body));
      assert.deepEqual(fieldsOf(res), [field], JSON.stringify(body));
    }
    assertProblem(await api('POST', `${TEMPLATES}/preview`, { body: {} }), 401, 'not_authenticated');
  });
});
