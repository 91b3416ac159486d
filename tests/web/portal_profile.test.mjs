// End-to-end browser tests of the patient's profile (issue 6) against a running stack: a
// patient signs in through the UI (code from the SMS sink), opens "My details" from the home
// page, edits address, emergency contact, communication preferences and language (the
// portal switches to the new language), uploads a photo (a small PNG built in the test: the
// preview first, then the stored photo shown through GET profile/photo), sees a wrong file
// refused in plain words, and changes the email address with the code sent to the new one
// and the code sent by SMS to the phone the session signed in with (DESIGN.md section 17).
// The same change in Turkish, by keyboard alone, at 390 px: a wrong second code is said in
// plain words with the tries left, then both right codes change the number. A patient with
// view_profile alone is offered no change.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/portal_profile.test.mjs
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { afterEach, test } from 'node:test';
import { launch, portalSignedIn } from './browser.mjs';
import {
  codeIn, enablePortal, makeClinic, makePatient, nextMessage, signIn as apiSignIn, sinkMark, uniqueEmail, uniquePhone,
} from '../api/lib/fixtures.mjs';
import { waitForSms } from '../api/lib/sinks.mjs';
import { catalogs } from '../../web/src/i18n/index.js';
import {
  contactVerify, contactVerifyFailure, phoneExample, profileFieldErrors,
} from '../../web/src/portal/profileRules.js';

const { tr, en } = catalogs;
const PHONE_VIEWPORT = { width: 390, height: 844 };
const PHOTO = /\/api\/v1\/portal\/[a-z0-9-]+\/profile\/photo(\?.*)?$/;

const browsers = [];
afterEach(async () => {
  while (browsers.length) await browsers.pop().close();
});

// ---- a small PNG, byte by byte ----
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** An RGB PNG of size×size pixels in a teal gradient. */
function makePng(size = 16) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) row.set([15, 100 + x * 4, 110 + y * 4], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function assertNoHorizontalScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll} > ${client})`);
}

async function setup(permissions, fields = {}) {
  const clinic = makeClinic();
  const owner = await apiSignIn(clinic.logins.owner);
  await enablePortal(owner, clinic, { permissions });
  const phone = uniquePhone();
  const patient = await makePatient(owner, { first_name: 'Derya', last_name: 'Profil', phone, language: 'tr', ...fields });
  return { clinic, owner, phone, patient };
}

async function patientSignedIn({ clinic, phone }, { allow = [] } = {}) {
  const b = await launch({ locale: 'tr-TR', viewport: PHONE_VIEWPORT });
  browsers.push(b);
  return portalSignedIn(b, clinic.code, phone, { allow: [...allow] });
}

test('profile: view, edit (address, emergency contact, messages, language), photo upload, email change', async () => {
  const ctx = await setup(['view_profile', 'update_profile', 'upload_photo']);
  const { page, watch } = await patientSignedIn(ctx, {
    allow: [{ url: PHOTO, status: 415 }, { url: PHOTO, status: 422 }],
  });

  await page.getByTestId('home-link-profile').click();
  await page.getByTestId('portal-profile').waitFor();
  await page.getByTestId('profile-details').waitFor();
  assert.equal(await page.getByTestId('profile-name').innerText(), 'Derya Profil');
  assert.equal(await page.getByTestId('profile-phone').innerText(), ctx.phone);
  assert.equal(await page.getByTestId('profile-language').innerText(), tr['lang.tr.name']);
  await page.getByTestId('photo-none').waitFor();
  await assertNoHorizontalScroll(page, 'profile');

  // Edit: address, emergency contact, no email messages, English.
  await page.getByTestId('profile-edit').click();
  await page.getByTestId('profile-address-input').fill('Bağdat Cad. 12/3, Kadıköy, İstanbul');
  await page.getByTestId('profile-ec-name').fill('Ali Profil');
  await page.getByTestId('profile-ec-phone').fill('+905321112233');
  await page.getByTestId('profile-comm-email').uncheck();
  await page.getByTestId('profile-language-input').selectOption('en');
  await assertNoHorizontalScroll(page, 'profile form');
  const patched = page.waitForResponse((r) => /\/profile$/.test(r.url()) && r.request().method() === 'PATCH');
  await page.getByTestId('profile-save').click();
  const patchRes = await patched;
  assert.equal(patchRes.status(), 200, await patchRes.text());
  const sent = JSON.parse(patchRes.request().postData());
  assert.deepEqual(sent, {
    address: 'Bağdat Cad. 12/3, Kadıköy, İstanbul',
    language: 'en',
    emergency_contact: { name: 'Ali Profil', phone: '+905321112233' },
    communication: { sms: true, email: false },
  });
  // The portal now speaks English, and shows what was saved.
  await page.getByTestId('profile-notice').filter({ hasText: en['portal.profile.saved'] }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.getByTestId('profile-address').innerText(), 'Bağdat Cad. 12/3, Kadıköy, İstanbul');
  assert.equal(await page.getByTestId('profile-language').innerText(), en['lang.en.name']);
  assert.match(await page.getByTestId('profile-emergency').innerText(), /Ali Profil/);
  assert.equal(await page.getByTestId('profile-communication').innerText(), en['portal.profile.bySms']);
  const staffView = await ctx.owner.request('GET', `/api/v1/clinic/patients/${ctx.patient.id}`);
  assert.equal(staffView.body.language, 'en');

  // A file that is not a picture: refused before uploading, in plain words.
  await page.getByTestId('photo-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  assert.equal(await page.getByTestId('photo-problem').innerText(), en['portal.photo.badType']);
  // One visible control: a button-like label for the hidden file input (issue 16).
  assert.equal(await page.getByTestId('photo-choose').innerText(), en['portal.photo.choose']);
  assert.ok((await page.getByTestId('photo-file').boundingBox()).width <= 1, 'the native control is out of sight');

  // HTML renamed .png: the browser calls it image/png, the server looks at the bytes. Choosing
  // uploads at once: no second tap.
  const refused = page.waitForResponse((r) => PHOTO.test(r.url()) && r.request().method() === 'PUT');
  await page.getByTestId('photo-file').setInputFiles({
    name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('<html><script>alert(1)</script></html>'),
  });
  const refusedStatus = (await refused).status();
  assert.ok([415, 422].includes(refusedStatus), `a fake PNG: ${refusedStatus}`);
  const problem = await page.getByTestId('photo-problem').innerText();
  assert.ok([en['portal.photo.badType'], en['portal.photo.unreadable']].includes(problem), problem);

  // A real PNG: chosen is uploaded, then the stored photo through GET profile/photo.
  const uploaded = page.waitForResponse((r) => PHOTO.test(r.url()) && r.request().method() === 'PUT');
  await page.getByTestId('photo-file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: makePng(24) });
  const up = await uploaded;
  assert.equal(up.status(), 200, await up.text());
  assert.equal(up.request().headers()['content-type'], 'image/png');
  await page.getByTestId('photo-done').waitFor();
  const img = page.getByTestId('photo-current');
  await img.waitFor();
  assert.match(await img.getAttribute('src'), /\/profile\/photo/);
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="photo-current"]');
    return el && el.complete && el.naturalWidth > 0;
  });
  assert.equal(await img.evaluate((el) => el.naturalWidth), 24);
  await assertNoHorizontalScroll(page, 'profile with photo');

  // Change the email: a code goes to the new address and one by SMS to the phone this
  // session signed in with; with both, the profile shows the new address.
  const newEmail = uniqueEmail('yeni');
  await page.getByTestId('profile-contact-change').click();
  await page.getByTestId('contact-channel-email').check();
  await page.getByTestId('contact-value').fill(newEmail);
  const mark = sinkMark();
  await page.getByTestId('contact-send').click();
  await page.getByTestId('contact-code-step').waitFor();
  assert.equal(await page.getByTestId('contact-old-sent').innerText(), en['portal.contact.oldSent']);
  await assertNoHorizontalScroll(page, 'contact change, two codes');
  const mail = await nextMessage(newEmail, mark);
  const sms = await nextMessage(ctx.phone, mark);
  await page.getByTestId('contact-code').fill(codeIn(mail.text));
  await page.getByTestId('contact-old-code').fill(codeIn(sms.text));
  await page.getByTestId('contact-verify').click();
  await page.getByTestId('profile-notice').filter({ hasText: en['portal.contact.doneEmail'] }).waitFor();
  assert.equal(await page.getByTestId('profile-email').innerText(), newEmail);

  // A reload keeps English and the saved details.
  await page.reload();
  await page.getByTestId('portal-profile').waitFor();
  await page.getByTestId('profile-details').waitFor();
  assert.equal(await page.getByTestId('profile-address').innerText(), 'Bağdat Cad. 12/3, Kadıköy, İstanbul');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  watch.assertNone();
});

test('contact change in Turkish, by keyboard alone, at 390 px: both codes, a wrong one said plainly, then the new number', async () => {
  const ctx = await setup(['view_profile', 'update_profile']);
  const { page, watch } = await patientSignedIn(ctx, {
    allow: [{ url: /\/profile\/contact-change\/verify$/, status: 400 }],
  });
  await page.getByTestId('home-link-profile').click();
  await page.getByTestId('profile-details').waitFor();
  // Tab to "change phone or email" and press Enter.
  await page.getByTestId('profile-contact-change').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('contact-value-step').waitFor();
  // The phone is chosen already; the value field has the focus.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'contact-value');
  const newPhone = uniquePhone();
  await page.keyboard.type(newPhone);
  const mark = sinkMark();
  await page.keyboard.press('Enter');
  await page.getByTestId('contact-code-step').waitFor();
  assert.equal(await page.getByTestId('contact-old-sent').innerText(), tr['portal.contact.oldSent']);
  assert.equal(await page.locator('label[for="contact-old-code"]').innerText(), tr['portal.contact.oldCodeLabel']);
  await assertNoHorizontalScroll(page, 'two codes at 390 px');
  const fresh = await nextMessage(newPhone, mark);
  const old = await waitForSms((m) => !mark.sms.has(m.file) && m.to === ctx.phone && codeIn(m.text));
  const code = codeIn(fresh.text);
  const oldCode = codeIn(old.text);
  const wrong = String((Number(oldCode) + 1) % 1_000_000).padStart(6, '0');
  // The new code's field has the focus; Tab leads to the second one; Enter sends.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'contact-code');
  await page.keyboard.type(code);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'contact-old-code');
  await page.keyboard.type(wrong);
  const refused = page.waitForResponse((r) => /contact-change\/verify$/.test(r.url()));
  await page.keyboard.press('Enter');
  assert.equal((await refused).status(), 400);
  await page.getByText(tr['portal.contact.wrongEitherMany'].replace('{count}', '4')).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'contact-code');
  // Both again, right this time.
  await page.keyboard.type(code);
  await page.keyboard.press('Tab');
  await page.keyboard.type(oldCode);
  await page.keyboard.press('Enter');
  await page.getByTestId('profile-notice').filter({ hasText: tr['portal.contact.donePhone'] }).waitFor();
  assert.equal(await page.getByTestId('profile-phone').innerText(), newPhone);
  await assertNoHorizontalScroll(page, 'after the change');
  watch.assertNone();
});

test("a phone number not understood is said in the patient's language, with an example of their own number's country", async () => {
  // A British visitor in English is not shown a Turkish form; a Turkish patient in Turkish is.
  const british = `+447400${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const cases = [
    { lang: 'en', phone: british, example: /^\+44 7/ },
    { lang: 'tr', phone: uniquePhone(), example: /^\+90 / },
  ];
  for (const { lang, phone, example } of cases) {
    const ctx = await setup(['view_profile', 'update_profile'], { phone, language: lang });
    const { page, watch } = await patientSignedIn({ ...ctx, phone }, { allow: [{ url: /\/profile$/, status: 422 }] });
    await page.getByTestId(`lang-${lang}`).click();
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    await page.getByTestId('home-link-profile').click();
    await page.getByTestId('profile-edit').click();
    await page.getByTestId('profile-ec-name').fill('Can');
    await page.getByTestId('profile-ec-phone').fill('12');
    await page.getByTestId('profile-save').click();
    const said = await page.locator('#profile-ec-phone-error').innerText();
    const shown = said.match(/\+\d[\d ]+\d/)?.[0] ?? '';
    assert.match(shown, example, `${lang}: ${said}`);
    assert.equal(said, catalogs[lang]['portal.phone.invalidExample'].replace('{example}', shown), lang);
    assert.equal(await page.getByTestId('profile-ec-phone').getAttribute('aria-invalid'), 'true');
    watch.assertNone();
  }
});

test('with view_profile alone the profile offers no change', async () => {
  const ctx = await setup(['view_profile']);
  const { page, watch } = await patientSignedIn(ctx);
  await page.getByTestId('home-link-profile').click();
  await page.getByTestId('profile-details').waitFor();
  assert.equal(await page.getByTestId('profile-edit').count(), 0);
  assert.equal(await page.getByTestId('profile-contact-change').count(), 0);
  assert.equal(await page.getByTestId('photo-file').count(), 0);
  await assertNoHorizontalScroll(page, 'read-only profile');
  watch.assertNone();
});

// The contact change's screen logic (profileRules.js), without a browser.
test('contactVerify asks for both codes when the start sent two, and sends them as digits', () => {
  const two = { challenge_id: 'c1', old_code_sent: true };
  assert.deepEqual(contactVerify(two, '123 456', ''), { body: null, problems: { old_code: 'incomplete' } });
  assert.deepEqual(contactVerify(two, '12345', '654321'), { body: null, problems: { code: 'incomplete' } });
  assert.deepEqual(contactVerify(two, '123-456', ' 654321 '),
    { body: { challenge_id: 'c1', code: '123456', old_code: '654321' }, problems: {} });
  const one = { challenge_id: 'c2', old_code_sent: false };
  assert.deepEqual(contactVerify(one, '123456', ''), { body: { challenge_id: 'c2', code: '123456' }, problems: {} });
});

test('contactVerifyFailure: a wrong code counts the shared tries; none left or 410 starts again', () => {
  const wrong = (left) => ({ status: 400, code: 'invalid_code', problem: { attempts_left: left } });
  assert.deepEqual(contactVerifyFailure(wrong(3), true),
    { message: 'portal.contact.wrongEitherMany', params: { count: 3 }, restart: false });
  assert.deepEqual(contactVerifyFailure(wrong(1), true),
    { message: 'portal.contact.wrongEitherOne', params: { count: 1 }, restart: false });
  assert.deepEqual(contactVerifyFailure(wrong(2), false),
    { message: 'portal.code.wrongMany', params: { count: 2 }, restart: false });
  assert.equal(contactVerifyFailure(wrong(0), true).restart, true);
  assert.equal(contactVerifyFailure({ status: 410, code: 'challenge_expired' }, true).restart, true);
  assert.equal(contactVerifyFailure({ status: 503, code: 'unavailable' }, true), null);
  for (const key of ['portal.contact.wrongEitherMany', 'portal.contact.wrongEitherOne', 'portal.contact.oldSent',
    'portal.contact.oldCodeLabel', 'portal.contact.newCodeLabel']) {
    assert.ok(tr[key] && en[key], key);
  }
});

test("profileFieldErrors words a phone problem that has an example by the screen's own text; the rest as sent", () => {
  const errors = [
    { field: 'emergency_contact.phone', message: 'Not a phone number; for example +44 7400 123456.', example: '+44 7400 123456' },
    { field: 'address', message: 'Must be at most 500 characters.' },
  ];
  assert.equal(phoneExample(errors, 'emergency_contact.phone'), '+44 7400 123456');
  assert.equal(phoneExample(errors, 'address'), null);
  assert.equal(phoneExample(undefined, 'value'), null);
  assert.deepEqual(profileFieldErrors(errors, (x) => `say ${x}`).byField,
    { emergency_phone: 'say +44 7400 123456', address: 'Must be at most 500 characters.' });
  assert.deepEqual(profileFieldErrors(errors).byField.emergency_phone, 'Not a phone number; for example +44 7400 123456.');
});
