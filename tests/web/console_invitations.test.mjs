// Browser tests of the console's invitations against a running stack: a staff member invites
// a patient by SMS and email from the patient page (the deliveries shown as queued, then sent
// once the notifier has handed them to the sinks), the Deliveries screen lists them and
// filters; a patient without an email address cannot be invited by email; the portal-level
// problems in words; a dead SMS retried from the Deliveries screen; and, after a code change
// in Portal settings, "invite again" for the patients invited under the old code.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_invitations.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { launch, watchPage } from './browser.mjs';
import {
  enablePortal, makeClinic, makePatient, nextMessage, signIn as apiSignIn, sinkMark, unique, uniqueEmail, uniquePhone,
} from '../api/lib/fixtures.mjs';
import { sinkPorts } from '../api/lib/sinks.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr, en } = catalogs;
const ME = /\/api\/v1\/clinic\/me$/;
const INVITE = /\/api\/v1\/clinic\/patients\/[0-9a-f-]+\/invitations$/;
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));

let browser;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

// A clinic with its portal on (the default invitation templates stay chosen), an owner API
// session, and the given patients (each gets a unique phone and email unless told otherwise).
async function setup(people = [{}]) {
  const clinic = makeClinic();
  const owner = await apiSignIn(clinic.logins.owner);
  await enablePortal(owner, clinic, { permissions: ['view_profile', 'view_appointments'] });
  const patients = [];
  for (const fields of people) {
    // A field given as null is left out (the patient has none).
    const body = Object.fromEntries(Object.entries({ phone: uniquePhone(), email: uniqueEmail(), ...fields })
      .filter(([, v]) => v !== null));
    patients.push(await makePatient(owner, body));
  }
  return { clinic, owner, patients };
}

async function openSignedIn(login, { hash, ready, locale = 'tr-TR', allow = [] }) {
  browser = await launch({ locale });
  const page = await browser.newPage();
  const watch = await watchPage(page, { allow: [{ url: ME, status: 401 }, ...allow] });
  await page.goto(`/console/${hash}`);
  await page.getByTestId('console-signin').waitFor();
  await page.locator('#signin-email').fill(login.email);
  await page.locator('#signin-password').fill(login.password);
  await page.getByTestId('console-signin').locator('button[type=submit]').click();
  await page.getByTestId(ready).waitFor();
  return { page, watch };
}

const attrs = (locator, name) => locator.evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);

// Clicks Refresh until the invitation status is one of `states` and, when given, every past
// invitation listed has one of `items` (the status is the latest invitation's only).
async function waitForStatus(page, states, { items = null, timeout = 25000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    await page.locator('[data-testid="invite-status-box"][data-state="ready"]').waitFor();
    const status = await page.getByTestId('invite-status').getAttribute('data-status');
    const listed = await attrs(page.getByTestId('invite-item'), 'data-status');
    if (states.includes(status) && (!items || listed.every((s) => items.includes(s)))) return status;
    if (Date.now() > deadline) throw new Error(`invitation status stayed ${status} (${listed}), wanted ${states}`);
    await page.waitForTimeout(500);
    await page.getByTestId('invite-refresh').click();
  }
}

test('staff invite by SMS and email from the patient page; Deliveries lists and filters them', async () => {
  const { clinic, patients: [ayse, noEmail] } = await setup([
    { first_name: 'Ayşe', last_name: 'Davet' },
    { first_name: 'Mehmet', last_name: 'Epostasız', email: null },
  ]);
  const { page, watch } = await openSignedIn(clinic.logins.staff, {
    hash: `#/patients/${ayse.id}`, ready: 'invite',
  });

  // Not invited yet; both channels available, ticked, each naming its recipient.
  await page.locator('[data-testid="invite-status"][data-status="none"]').waitFor();
  assert.equal(await page.getByTestId('invite-status').innerText(), tr['console.invite.status.none']);
  assert.equal(await page.getByTestId('invite-history-empty').innerText(), tr['console.invite.history.none']);
  for (const [channel, recipient] of [['sms', ayse.phone], ['email', ayse.email]]) {
    const box = page.getByTestId(`invite-channel-${channel}`);
    assert.ok(await box.isEnabled(), `${channel} can be picked`);
    assert.ok(await box.isChecked(), `${channel} is ticked`);
    assert.equal(await page.getByTestId(`invite-channel-${channel}-help`).innerText(),
      fill(tr['console.invite.to'], { recipient }));
  }

  const mark = sinkMark();
  const answer = page.waitForResponse((r) => INVITE.test(r.url()) && r.request().method() === 'POST');
  await page.getByTestId('invite-send').click();
  assert.equal((await answer).status(), 201);
  await page.getByTestId('invite-result').waitFor();
  const delivered = page.getByTestId('invite-delivery');
  assert.deepEqual((await attrs(delivered, 'data-channel')).sort(), ['email', 'sms']);
  for (const status of await attrs(delivered, 'data-status')) assert.ok(['queued', 'sending', 'sent'].includes(status), status);
  const resultText = await page.getByTestId('invite-result').innerText();
  assert.ok(resultText.includes(ayse.phone) && resultText.includes(ayse.email), resultText);

  // The list of past invitations follows (refreshed after sending): two, queued or sent.
  await page.locator('[data-testid="invite-item"]').nth(1).waitFor();
  assert.equal(await page.getByTestId('invite-item').count(), 2);
  assert.ok(['queued', 'sending', 'sent'].includes(await page.getByTestId('invite-status').getAttribute('data-status')));

  // The notifier hands both to the sinks; Refresh then shows them sent.
  const sms = await nextMessage(ayse.phone, mark);
  const mail = await nextMessage(ayse.email, mark);
  assert.ok(sms.text.includes(`/${clinic.code}`), `the SMS carries the portal address: ${sms.text}`);
  assert.ok(mail.text.includes('Ayşe'), `the email greets the patient: ${mail.text}`);
  assert.equal(await waitForStatus(page, ['sent'], { items: ['sent'] }), 'sent');
  assert.equal(await page.getByTestId('invite-status').innerText(), tr['console.invite.status.sent']);
  assert.equal(await page.locator('[data-testid="invite-item"][data-status="sent"]').count(), 2);

  // The Deliveries screen lists both, newest first, with purpose, recipient and attempts.
  await page.getByTestId('nav-deliveries').click();
  await page.locator('[data-testid="deliveries-results"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('nav-deliveries').getAttribute('aria-current'), 'page');
  assert.equal(await page.getByRole('heading', { level: 2 }).innerText(), tr['console.deliveries.heading']);
  const rows = page.getByTestId('delivery-row');
  assert.deepEqual((await attrs(rows, 'data-recipient')).sort(), [ayse.email, ayse.phone].sort());
  assert.deepEqual(await attrs(rows, 'data-purpose'), ['portal_invitation', 'portal_invitation']);
  assert.deepEqual(await attrs(rows, 'data-status'), ['sent', 'sent']);
  assert.equal(await page.getByTestId('delivery-retry').count(), 0, 'nothing to retry');
  const smsRow = page.locator(`[data-testid="delivery-row"][data-channel="sms"]`);
  // Each row names its patient, a link to their page (issue 16), above the number it went to.
  assert.equal(await smsRow.getByTestId('delivery-patient').innerText(), `${ayse.first_name} ${ayse.last_name}`);
  assert.equal(await smsRow.getByTestId('delivery-patient').getAttribute('href'), `#/patients/${ayse.id}`);
  assert.equal(await smsRow.getByTestId('delivery-attempts').innerText(), '1');
  assert.equal(await smsRow.getByTestId('delivery-status').innerText(), tr['console.delivery.status.sent']);
  // An invitation's text can be opened.
  await smsRow.getByTestId('delivery-body').locator('summary').click();
  assert.ok((await smsRow.getByTestId('delivery-body').innerText()).includes(`/${clinic.code}`));

  // Filters: by channel, then a status nothing has.
  await page.getByTestId('deliveries-channel').selectOption('email');
  await page.locator('[data-testid="deliveries-results"][data-state="ready"]').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-row"]').length === 1);
  assert.deepEqual(await attrs(rows, 'data-recipient'), [ayse.email]);
  await page.getByTestId('deliveries-status').selectOption('dead');
  await page.getByTestId('deliveries-empty').waitFor();
  assert.equal(await page.getByTestId('deliveries-empty').innerText(), tr['console.deliveries.noMatch']);

  // A patient without an email address: email cannot be picked, and the page says why.
  await page.goto(`/console/#/patients/${noEmail.id}`);
  await page.getByTestId('invite').waitFor();
  const emailBox = page.getByTestId('invite-channel-email');
  assert.ok(await emailBox.isDisabled(), 'email cannot be picked');
  assert.ok(!(await emailBox.isChecked()));
  assert.equal(await page.getByTestId('invite-channel-email-help').innerText(), tr['console.invite.noEmail']);
  assert.equal(await emailBox.getAttribute('aria-describedby'), 'invite-email-help');
  assert.ok(await page.getByTestId('invite-channel-sms').isChecked());

  // Nothing ticked: Send waits for a channel.
  await page.getByTestId('invite-channel-sms').uncheck();
  assert.ok(await page.getByTestId('invite-send').isDisabled());

  watch.assertNone();
});

test('the portal-level problems and a patient whose access is off are said in words (English)', async () => {
  const { clinic, owner, patients: [p, off] } = await setup([
    { first_name: 'Can', last_name: 'Sorun' },
    { first_name: 'Ece', last_name: 'Kapalı', portal_access: false },
  ]);
  const { page, watch } = await openSignedIn(clinic.logins.admin, {
    hash: `#/patients/${off.id}`, ready: 'invite', locale: 'en-US',
    allow: [{ url: INVITE, status: 409 }],
  });

  // Access off: noted before sending, refused with its sentence.
  assert.equal(await page.getByTestId('invite-access-off').innerText(), en['console.invite.accessOffNote']);
  await page.getByTestId('invite-send').click();
  const problem = page.getByTestId('invite-problem');
  await problem.waitFor();
  assert.equal(await problem.getAttribute('data-code'), 'portal_access_off');
  assert.equal(await problem.innerText(), en['console.invite.problem.accessOff']);
  assert.equal(await problem.getAttribute('role'), 'alert');

  // The portal turned off: portal_disabled.
  await enablePortal(owner, clinic, { enabled: false });
  await page.goto(`/console/#/patients/${p.id}`);
  await page.getByTestId('invite').waitFor();
  await page.getByTestId('invite-send').click();
  await page.locator('[data-testid="invite-problem"][data-code="portal_disabled"]').waitFor();
  assert.equal(await page.getByTestId('invite-problem').innerText(), en['console.invite.problem.portalDisabled']);
  assert.equal(await page.getByTestId('invite-result').count(), 0);
  assert.equal(await page.locator('[data-testid="invite-status"][data-status="none"]').count(), 1);

  watch.assertNone();
});

test('a dead SMS has Retry on the Deliveries screen; it goes out again', async () => {
  const { clinic, patients: [p] } = await setup([{ first_name: 'Selin', last_name: 'Tekrar', email: null }]);
  // The gateway refuses this recipient once with a permanent error: the invitation is dead.
  const { smsUrl } = sinkPorts();
  const control = await fetch(new URL('/_control', smsUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 400, count: 1, to: p.phone }),
  });
  assert.equal(control.status, 200, await control.text());

  const { page, watch } = await openSignedIn(clinic.logins.staff, { hash: `#/patients/${p.id}`, ready: 'invite' });
  await page.getByTestId('invite-send').click();
  await page.getByTestId('invite-result').waitFor();
  assert.equal(await waitForStatus(page, ['dead']), 'dead');
  assert.equal(await page.getByTestId('invite-status').innerText(), tr['console.invite.status.dead']);

  await page.getByTestId('nav-deliveries').click();
  await page.getByTestId('deliveries-status').selectOption('dead');
  const row = page.locator(`[data-testid="delivery-row"][data-recipient="${p.phone}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'dead');
  assert.ok((await row.getByTestId('delivery-error').innerText()).length > 0, 'the last error is shown');

  const mark = sinkMark();
  await row.getByTestId('delivery-retry').click();
  await page.locator(`[data-testid="delivery-row"][data-recipient="${p.phone}"][data-status="queued"]`).waitFor();
  assert.equal(await row.getByTestId('delivery-retry').count(), 0, 'no Retry once queued');
  assert.equal(await row.getByTestId('delivery-attempts').innerText(), '0');
  await nextMessage(p.phone, mark);

  watch.assertNone();
});

test('after a code change, Portal settings invites again the patients invited under the old code', async () => {
  const { clinic, owner, patients: [p] } = await setup([{ first_name: 'Derya', last_name: 'Yeniden' }]);
  const first = await owner.request('POST', `/api/v1/clinic/patients/${p.id}/invitations`, { body: { channels: ['sms'] } });
  assert.equal(first.status, 201, first.text);
  const { page, watch } = await openSignedIn(clinic.logins.owner, { hash: '#/settings', ready: 'portal-settings' });

  const newCode = `yeni-${unique()}`;
  await page.getByTestId('settings-code').fill(newCode);
  await page.locator('[data-testid="code-status"][data-state="available"]').waitFor();
  await page.getByTestId('settings-save').click();
  // Changing an open portal's code asks first, naming the links that stop working (issue 16).
  await page.locator('[data-testid="save-confirm"][data-kind="code"]').waitFor();
  await page.getByTestId('save-confirm-yes').click();
  const offer = page.getByTestId('reinvite');
  await offer.waitFor();
  assert.equal(await offer.getByRole('heading').innerText(), tr['console.reinvite.headingOne']);
  assert.ok(await page.getByTestId('reinvite-channel-sms').isChecked());
  await page.getByTestId('reinvite-channel-email').uncheck();

  const mark = sinkMark();
  await page.getByTestId('reinvite-send').click();
  const result = page.getByTestId('reinvite-result');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-invited'), '1');
  assert.equal(await result.getAttribute('data-skipped'), '0');
  assert.equal(await result.innerText(), fill(tr['console.reinvite.result'], { invited: 1, skipped: 0 }));
  const sms = await nextMessage(p.phone, mark);
  assert.ok(sms.text.includes(`/${newCode}`), `the new link: ${sms.text}`);

  watch.assertNone();
});

test('invitation and delivery rules (no browser)', async () => {
  const { canRetry, defaultInviteChannels, deliveriesQuery, inviteChannels } = await import('../../web/src/console/deliveryRules.js');
  assert.deepEqual(inviteChannels({ phone: '+905551112233', email: null }),
    { sms: { ok: true, reason: null }, email: { ok: false, reason: 'email' } });
  assert.deepEqual(defaultInviteChannels({ phone: null, email: 'a@b.test' }), ['email']);
  assert.deepEqual(defaultInviteChannels({}), []);
  // A landline (the API's phone_sms_capable false) takes no SMS: not offered, not ticked.
  assert.deepEqual(inviteChannels({ phone: '+902121234567', phone_sms_capable: false, email: 'a@b.test' }),
    { sms: { ok: false, reason: 'landline' }, email: { ok: true, reason: null } });
  assert.deepEqual(defaultInviteChannels({ phone: '+902121234567', phone_sms_capable: false, email: 'a@b.test' }),
    ['email']);
  assert.deepEqual(defaultInviteChannels({ phone: '+905321234567', phone_sms_capable: true, email: null }), ['sms']);
  assert.ok(canRetry({ status: 'dead', purpose: 'portal_invitation', secret: false }));
  assert.ok(!canRetry({ status: 'dead', purpose: 'sign_in_code', secret: true }), 'never a sign-in code');
  assert.ok(!canRetry({ status: 'dead', purpose: 'contact_change_code', secret: true }), 'never a secret message');
  assert.ok(!canRetry({ status: 'failed', purpose: 'portal_invitation', secret: false }));
  assert.equal(deliveriesQuery({ status: 'dead', channel: '', purpose: 'portal_invitation' }, 'c1', 50),
    'limit=50&status=dead&purpose=portal_invitation&cursor=c1');
});
