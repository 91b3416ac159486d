// Browser tests of the patient's messages (issue 14 items 2 and 5), at phone width (390 px):
// the patient writes a new message from the keyboard (subject, topic, body); staff reply; the
// patient gets the new_message notice by SMS (the portal's address, nothing of the message),
// sees the conversation marked unread, opens it (which marks it read) and reads the reply. The
// subject and body carry markup, a javascript: link and a direction override, shown as text,
// and no script runs. A closed conversation says so and offers a new one; too many messages
// (429) is said with when to try again; a patient sees only what their permissions allow.
// axe-core finds no serious or critical violation on these screens.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/portal_messages.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { axeViolations, launch, portalSignedIn } from './browser.mjs';
import { sinkMark } from '../api/lib/fixtures.mjs';
import { waitForSms } from '../api/lib/sinks.mjs';
import { assertNoScriptRan, messagesClinic, watchDialogs, XSS_BODY, XSS_SUBJECT } from './messages_fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;
const PHONE_VIEWPORT = { width: 390, height: 844 };
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));

const browsers = [];
afterEach(async () => {
  while (browsers.length) await browsers.pop().close();
});

async function noAxe(page, where) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${where}`);
}

async function assertNoHorizontalScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll} > ${client})`);
}

async function patientSignedIn(ctx, { allow = [] } = {}) {
  const b = await launch({ locale: 'tr-TR', viewport: PHONE_VIEWPORT });
  browsers.push(b);
  const { page, watch } = await portalSignedIn(b, ctx.clinic.code, ctx.phone, { allow });
  return { page, watch };
}

const focusedTestId = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? null);

test('at 390 px the patient writes from the keyboard, staff reply, the SMS notice holds nothing of it, and the patient reads the reply; markup stays text', async () => {
  const ctx = await messagesClinic();
  const { page, watch } = await patientSignedIn(ctx);
  const dialogs = watchDialogs(page);

  await page.getByTestId('home-link-messages').click();
  await page.locator('[data-testid="portal-messages"][data-state="ready"]').waitFor();
  await page.getByTestId('msg-empty').waitFor();
  await noAxe(page, 'empty list');
  await page.getByTestId('msg-new-link').click();
  await page.getByTestId('portal-new-message').waitFor();

  // Sending with nothing filled says what is missing and focuses the first field.
  await page.getByTestId('msg-new-send').click();
  assert.equal(await focusedTestId(page), 'msg-new-subject');
  assert.equal(await page.locator('#msg-new-subject-error').innerText(), tr['messages.error.subjectRequired']);
  await noAxe(page, 'new message with problems');

  // From the keyboard: type the subject, Tab to the topic, pick it, Tab to the body, Tab to Send.
  await page.keyboard.type(XSS_SUBJECT);
  await page.keyboard.press('Tab');
  await page.getByTestId('msg-new-topic').selectOption('billing');
  await page.keyboard.press('Tab');
  assert.equal(await focusedTestId(page), 'msg-new-body');
  await page.getByTestId('msg-new-body').fill(XSS_BODY);
  await page.keyboard.press('Tab');
  assert.equal(await focusedTestId(page), 'msg-new-send');
  const created = page.waitForResponse((r) => r.request().method() === 'POST' && /\/messages$/.test(new URL(r.url()).pathname));
  await page.keyboard.press('Enter');
  assert.equal((await created).status(), 201);
  await page.locator('[data-testid="portal-thread"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('msg-thread-title').innerText(), XSS_SUBJECT);
  assert.equal(await page.getByTestId('msg-message-body').first().innerText(), XSS_BODY, 'the body as text, line breaks kept');
  await assertNoScriptRan(page, dialogs, 'own thread');
  await noAxe(page, 'thread');
  await assertNoHorizontalScroll(page, 'thread');
  const threadId = new URL(page.url()).hash.split('/').pop();

  // Staff reply; the reply queues one new_message notice, by SMS (the patient has a phone).
  const mark = sinkMark();
  const reply = 'Merhaba Elif Hanım,\nfaturanız ektedir.\n<b>kalın değil</b>';
  const res = await ctx.staff.request('POST', `/api/v1/clinic/messages/${threadId}`, { body: { body: reply } });
  assert.equal(res.status, 201, res.text);
  const notice = await waitForSms((m) => !mark.sms.has(m.file) && m.to === ctx.phone);
  assert.ok(notice.text.includes(`/${ctx.clinic.code}`), `the notice names the portal: ${notice.text}`);
  for (const part of [reply, 'faturanız', 'kalın', XSS_SUBJECT, 'Soru', 'script', 'onerror']) {
    assert.ok(!notice.text.includes(part), `the notice holds "${part}": ${notice.text}`);
  }

  // The list marks the conversation unread; opening it reads the reply and clears the mark.
  await page.getByTestId('msg-back').click();
  await page.locator('[data-testid="portal-messages"][data-state="ready"]').waitFor();
  const row = page.locator(`[data-testid="msg-thread"][data-id="${threadId}"]`);
  assert.equal(await row.getAttribute('data-unread'), '1');
  assert.match(await row.getByTestId('msg-thread-unread').innerText(), /^1/);
  assert.equal(await row.getByTestId('msg-thread-subject').innerText(), XSS_SUBJECT);
  await assertNoScriptRan(page, dialogs, 'list');
  await noAxe(page, 'list with an unread conversation');
  await assertNoHorizontalScroll(page, 'list');
  await row.getByTestId('msg-thread-link').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="portal-thread"][data-state="ready"]').waitFor();
  const bodies = page.getByTestId('msg-message-body');
  assert.equal(await bodies.count(), 2);
  assert.equal(await bodies.nth(1).innerText(), reply);
  assert.equal(await page.getByTestId('msg-message').nth(1).getAttribute('data-kind'), 'staff');
  await assertNoScriptRan(page, dialogs, 'thread with reply');

  // The patient answers from the keyboard.
  await page.getByTestId('msg-reply-body').fill('Teşekkürler.');
  await page.keyboard.press('Tab');
  assert.equal(await focusedTestId(page), 'msg-reply-send');
  await page.keyboard.press('Enter');
  await page.getByTestId('msg-message-body').nth(2).waitFor();
  assert.equal(await page.getByTestId('msg-message-body').nth(2).innerText(), 'Teşekkürler.');

  await page.getByTestId('msg-back').click();
  await page.locator('[data-testid="portal-messages"][data-state="ready"]').waitFor();
  assert.equal(await row.getAttribute('data-unread'), '0');
  assert.equal(await row.getByTestId('msg-thread-unread').count(), 0);
  await assertNoScriptRan(page, dialogs, 'end');
  watch.assertNone();
});

test('a closed conversation says so, takes no reply, and offers a new message', async () => {
  const ctx = await messagesClinic();
  const started = await ctx.staff.request('POST', '/api/v1/clinic/messages',
    { body: { patient_id: ctx.patient.id, subject: 'Kontrol', topic: 'clinical', body: 'Kontrolünüz yapıldı.' } });
  assert.equal(started.status, 201, started.text);
  const closed = await ctx.staff.request('PATCH', `/api/v1/clinic/messages/${started.body.id}`, { body: { status: 'closed' } });
  assert.equal(closed.status, 200, closed.text);

  const { page, watch } = await patientSignedIn(ctx);
  await page.goto(`/${ctx.clinic.code}#/messages/${started.body.id}`);
  await page.locator('[data-testid="portal-thread"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('portal-thread').getAttribute('data-status'), 'closed');
  assert.match(await page.getByTestId('msg-closed').innerText(), new RegExp(tr['messages.closedNote'].slice(0, 20)));
  assert.equal(await page.getByTestId('msg-reply').count(), 0, 'no reply box');
  await noAxe(page, 'closed thread');
  await page.getByTestId('msg-closed').getByTestId('msg-new-link').click();
  await page.getByTestId('portal-new-message').waitFor();
  watch.assertNone();
});

test('a reply refused because the clinic closed the conversation meanwhile, and too many messages (429), are said in plain words', async () => {
  const ctx = await messagesClinic();
  const started = await ctx.staff.request('POST', '/api/v1/clinic/messages',
    { body: { patient_id: ctx.patient.id, subject: 'Soru', topic: 'other', body: 'Merhaba' } });
  assert.equal(started.status, 201, started.text);
  const { page, watch } = await patientSignedIn(ctx, {
    allow: [{ url: /\/messages\/[0-9a-f-]+$/, status: 409 }, { url: /\/messages$/, status: 429 }],
  });
  await page.goto(`/${ctx.clinic.code}#/messages/${started.body.id}`);
  await page.locator('[data-testid="portal-thread"][data-state="ready"]').waitFor();

  const closed = await ctx.staff.request('PATCH', `/api/v1/clinic/messages/${started.body.id}`, { body: { status: 'closed' } });
  assert.equal(closed.status, 200, closed.text);
  await page.getByTestId('msg-reply-body').fill('Bir sorum var');
  await page.getByTestId('msg-reply-send').click();
  await page.getByTestId('msg-closed').waitFor();
  assert.equal(await page.getByTestId('portal-thread').getAttribute('data-status'), 'closed');

  // The stack's limit is loose; the 429 and its Retry-After are the API's shape, answered here.
  await page.route(/\/api\/v1\/portal\/[a-z0-9-]+\/messages$/, (route) => (route.request().method() === 'POST'
    ? route.fulfill({
      status: 429, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '600' },
      body: JSON.stringify({ type: 'about:blank', title: 'Too many requests', status: 429, code: 'rate_limited', detail: 'Too many messages.' }),
    })
    : route.continue()));
  await page.getByTestId('msg-closed').getByTestId('msg-new-link').click();
  await page.getByTestId('portal-new-message').waitFor();
  await page.getByTestId('msg-new-subject').fill('Yeni soru');
  await page.getByTestId('msg-new-topic').selectOption('other');
  await page.getByTestId('msg-new-body').fill('Merhaba');
  await page.getByTestId('msg-new-send').click();
  const error = page.getByTestId('msg-new-error');
  await error.waitFor();
  assert.equal(await error.getAttribute('data-code'), 'rate_limited');
  assert.equal(await error.innerText(),
    fill(tr['messages.rateLimitedWait'], { wait: fill(tr['messages.retry.minutes'], { count: 10 }) }));
  await noAxe(page, 'new message refused');
  watch.assertNone();
});

test('each screen only with its permission: view alone reads without a reply box or new link; send alone writes', async () => {
  const viewer = await messagesClinic({ permissions: ['view_profile', 'view_messages'] });
  const started = await viewer.staff.request('POST', '/api/v1/clinic/messages',
    { body: { patient_id: viewer.patient.id, subject: 'Bilgi', topic: 'other', body: 'Bilgi notu' } });
  assert.equal(started.status, 201, started.text);
  let { page } = await patientSignedIn(viewer);
  assert.equal(await page.getByTestId('home-link-messages').getAttribute('href'), '#/messages');
  await page.getByTestId('home-link-messages').click();
  await page.locator('[data-testid="portal-messages"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('msg-new-link').count(), 0);
  await page.getByTestId('msg-thread-link').click();
  await page.locator('[data-testid="portal-thread"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('msg-reply').count(), 0);
  await page.goto(`/${viewer.clinic.code}#/messages/new`);
  await page.getByTestId('portal-unavailable').waitFor();

  const writer = await messagesClinic({ permissions: ['view_profile', 'send_message'] });
  ({ page } = await patientSignedIn(writer));
  assert.equal(await page.getByTestId('home-link-messages').getAttribute('href'), '#/messages/new');
  await page.goto(`/${writer.clinic.code}#/messages`);
  await page.getByTestId('portal-unavailable').waitFor();
});
