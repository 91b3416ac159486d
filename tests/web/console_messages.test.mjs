// Browser tests of the clinic's messages (issue 14 items 3 and 5): a patient writes (with
// markup, a javascript: link and a direction override in subject and body); staff see the
// unread count in the menu and the conversation marked unread in the inbox, filter it, open
// it from the keyboard (the patient's name links to their record, the body is text with its
// line breaks, no script runs), which clears the count; reply, assign to themselves, close and
// reopen. The menu's count is asked with If-None-Match and a 304 when nothing changed. An
// owner writes to a patient from the patient's page and sets an automatic answer, which a new
// conversation then gets. Staff find a patient from the inbox (in English). End to end in both
// apps: the patient writes in the portal, staff reply in the console, the SMS notice (nothing
// of the message in it) comes, and the patient reads the reply. axe-core: no serious or
// critical violation on each new screen.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_messages.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeViolations, closedAfterEach, launch, portalSignedIn } from './browser.mjs';
import { signInPatient, sinkMark } from '../api/lib/fixtures.mjs';
import { waitForSms } from '../api/lib/sinks.mjs';
import { assertNoScriptRan, messagesClinic, watchDialogs, XSS_BODY, XSS_SUBJECT } from './messages_fixtures.mjs';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;
const { keep, openConsole } = closedAfterEach();
const focusedTestId = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? null);

async function noAxe(page, where) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${where}`);
}

async function inboxReady(page) {
  await page.locator('[data-testid="console-messages"][data-state="ready"]').waitFor();
}

test('a patient writes; staff see the unread count and the marked conversation, read it as text, reply, assign, close and reopen', async () => {
  const ctx = await messagesClinic();
  const patient = await signInPatient(ctx.clinic.code, ctx.phone);
  const started = await patient.request('POST', 'messages', { body: { subject: XSS_SUBJECT, topic: 'billing', body: XSS_BODY } });
  assert.equal(started.status, 201, started.text);
  const threadId = started.body.id;

  const { page, watch } = await openConsole(ctx.clinic.logins.staff);
  const dialogs = watchDialogs(page);
  const counts = [];
  page.on('response', (r) => {
    if (/\/clinic\/messages\/unread-count$/.test(new URL(r.url()).pathname)) {
      counts.push({ status: r.status(), ifNoneMatch: r.request().headers()['if-none-match'] ?? null });
    }
  });

  // The menu shows one conversation with unread messages.
  const count = page.getByTestId('nav-messages-count');
  await count.waitFor();
  assert.equal(await count.getAttribute('data-threads'), '1');
  assert.match(await count.innerText(), /^1/);

  await page.getByTestId('nav-messages').click();
  await inboxReady(page);
  const row = page.locator(`[data-testid="msg-inbox-row"][data-id="${threadId}"]`);
  assert.equal(await row.getAttribute('data-unread'), '1');
  assert.equal(await row.getByTestId('msg-inbox-subject').innerText(), XSS_SUBJECT);
  assert.equal(await row.getByTestId('msg-inbox-patient').innerText(), `${ctx.patient.first_name} ${ctx.patient.last_name}`);
  await assertNoScriptRan(page, dialogs, 'inbox');
  await noAxe(page, 'inbox');

  // Filters: closed ones hide it, unread only and "nobody" keep it.
  await page.getByTestId('msg-filter-status').selectOption('closed');
  await inboxReady(page);
  await page.getByTestId('msg-inbox-empty').waitFor();
  assert.equal(await page.getByTestId('msg-inbox-empty').innerText(), tr['console.messages.noneFiltered']);
  await page.getByTestId('msg-filter-status').selectOption('open');
  await page.getByTestId('msg-filter-unread').check();
  await page.getByTestId('msg-filter-assigned').selectOption('none');
  await page.getByTestId('msg-filter-topic').selectOption('billing');
  // Each change loads again: wait for what it must show, not for a "ready" that may be the last one.
  await row.waitFor();
  await inboxReady(page);
  assert.equal(await page.getByTestId('msg-inbox-row').count(), 1);
  await page.getByTestId('msg-filter-topic').selectOption('clinical');
  await page.getByTestId('msg-inbox-empty').waitFor();
  assert.equal(await page.getByTestId('msg-inbox-row').count(), 0);
  await page.getByTestId('msg-filter-clear').click();
  await row.waitFor();
  await inboxReady(page);

  // Open it from the keyboard: reading marks it read, the menu's count goes.
  await row.getByTestId('msg-inbox-link').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="console-thread"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('msg-thread-title').innerText(), XSS_SUBJECT);
  assert.equal(await page.getByTestId('msg-message-body').first().innerText(), XSS_BODY);
  assert.equal(await page.getByTestId('msg-thread-patient').getAttribute('href'), `#/patients/${ctx.patient.id}`);
  await assertNoScriptRan(page, dialogs, 'thread');
  await noAxe(page, 'thread');
  await count.waitFor({ state: 'detached' });

  // Reply from the keyboard.
  await page.getByTestId('msg-reply-body').fill('Merhaba,\nfaturanızı düzelttik.');
  await page.keyboard.press('Tab');
  assert.equal(await focusedTestId(page), 'msg-reply-send');
  await page.keyboard.press('Enter');
  await page.getByTestId('msg-message-body').nth(1).waitFor();
  assert.equal(await page.getByTestId('msg-message-body').nth(1).innerText(), 'Merhaba,\nfaturanızı düzelttik.');
  assert.equal(await page.getByTestId('msg-notice').innerText(), tr['console.messages.sent']);

  // Assign to oneself, close, reopen.
  await page.getByTestId('msg-assign').selectOption(ctx.staff.staff.id);
  await page.locator('[data-testid="msg-notice"]', { hasText: /./ }).waitFor();
  await page.getByTestId('msg-close').click();
  await page.locator('[data-testid="console-thread"][data-status="closed"]').waitFor();
  await page.getByTestId('msg-closed').waitFor();
  assert.equal(await page.getByTestId('msg-reply').count(), 0);
  await noAxe(page, 'closed thread');
  await page.getByTestId('msg-reopen').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="console-thread"][data-status="open"]').waitFor();
  await page.getByTestId('msg-reply').waitFor();

  const seen = await ctx.staff.request('GET', `/api/v1/clinic/messages?assigned_to=${ctx.staff.staff.id}`);
  assert.equal(seen.status, 200, seen.text);
  assert.deepEqual(seen.body.items.map((x) => [x.id, x.status, x.unread]), [[threadId, 'open', 0]]);
  // The patient's side: the staff reply unread.
  const mine = await patient.request('GET', 'messages');
  assert.equal(mine.body.items.find((x) => x.id === threadId).unread, 1);

  // Back in the inbox the count is asked again with the ETag it had: a 304.
  await page.getByTestId('msg-back').click();
  await inboxReady(page);
  for (let i = 0; i < 50 && !counts.some((c) => c.status === 304); i++) await page.waitForTimeout(100);
  assert.ok(counts.some((c) => c.status === 304 && c.ifNoneMatch), `unread-count answers: ${JSON.stringify(counts)}`);
  await assertNoScriptRan(page, dialogs, 'end');
  watch.assertNone();
});

test('an owner writes to a patient from their page and sets an automatic answer that a new conversation gets', async () => {
  const ctx = await messagesClinic();
  const { page, watch } = await openConsole(ctx.clinic.logins.owner);

  await page.goto(`/console/#/patients/${ctx.patient.id}`);
  await page.getByTestId('patient-write').click();
  await page.getByTestId('console-new-thread').waitFor();
  await page.getByTestId('msg-new-send').click();
  assert.equal(await focusedTestId(page), 'msg-new-subject');
  await noAxe(page, 'new thread with problems');
  await page.getByTestId('msg-new-subject').fill('Kontrol randevusu');
  await page.getByTestId('msg-new-topic').selectOption('appointment');
  await page.getByTestId('msg-new-body').fill('Merhaba,\nkontrol zamanınız geldi.');
  await page.getByTestId('msg-new-send').click();
  await page.locator('[data-testid="console-thread"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('msg-thread-title').innerText(), 'Kontrol randevusu');
  assert.equal(await page.getByTestId('msg-message').first().getAttribute('data-kind'), 'staff');

  // The patient's conversations from their page.
  await page.goto(`/console/#/patients/${ctx.patient.id}`);
  await page.getByTestId('patient-messages').click();
  await inboxReady(page);
  await page.getByTestId('msg-filter-patient').waitFor();
  assert.equal(await page.getByTestId('msg-inbox-row').count(), 1);

  // Automatic answers: billing on, within 48 hours, in Turkish.
  await page.getByTestId('msg-auto-link').click();
  await page.getByTestId('auto-form').waitFor();
  await noAxe(page, 'automatic answers');
  await page.getByTestId('auto-billing-enabled').check();
  await page.getByTestId('auto-billing-hours').fill('48');
  await page.getByTestId('auto-save').click();
  await page.locator('#auto-billing-tr-error').waitFor();
  assert.equal(await focusedTestId(page), 'auto-billing-tr');
  await page.getByTestId('auto-billing-tr').fill('Mesajınızı aldık; 48 saat içinde yanıtlarız.');
  await page.getByTestId('auto-save').click();
  await page.locator('[data-testid="auto-saved"].notice').waitFor();
  const saved = await ctx.owner.request('GET', '/api/v1/clinic/messages/auto-replies');
  assert.deepEqual(saved.body.billing, { enabled: true, reply_within_hours: 48, body: { tr: 'Mesajınızı aldık; 48 saat içinde yanıtlarız.', en: null } });

  // A patient's new billing conversation gets it, shown as the automatic answer.
  const patient = await signInPatient(ctx.clinic.code, ctx.phone);
  const started = await patient.request('POST', 'messages', { body: { subject: 'Fatura', topic: 'billing', body: 'Soru' } });
  assert.equal(started.status, 201, started.text);
  await page.goto(`/console/#/messages/${started.body.id}`);
  await page.locator('[data-testid="console-thread"][data-state="ready"]').waitFor();
  const automatic = page.locator('[data-testid="msg-message"][data-automatic="true"]');
  await automatic.waitFor();
  assert.equal(await automatic.getByTestId('msg-message-body').innerText(), 'Mesajınızı aldık; 48 saat içinde yanıtlarız.');
  watch.assertNone();
});

test('in English, staff find a patient from the inbox and may write to them; they get no automatic answers link, and the address says who may change them', async () => {
  const ctx = await messagesClinic();
  const { page, watch } = await openConsole(ctx.clinic.logins.staff, { locale: 'en-US' });
  await page.goto('/console/#/messages');
  await inboxReady(page);
  // In English this time.
  assert.equal(await page.locator('#messages-heading').innerText(), catalogs.en['console.messages.heading']);
  assert.equal(await page.getByTestId('msg-inbox-empty').innerText(), catalogs.en['console.messages.none']);
  assert.equal(await page.getByTestId('msg-auto-link').count(), 0);
  // The inbox finds a patient: their conversations, or writing to them.
  await page.getByTestId('msg-find').fill(ctx.patient.last_name);
  await page.keyboard.press('Enter');
  const found = page.locator(`[data-testid="msg-find-row"][data-id="${ctx.patient.id}"]`);
  await found.waitFor();
  await noAxe(page, 'inbox with patients found');
  await found.getByTestId('msg-find-threads').click();
  await inboxReady(page);
  await page.getByTestId('msg-filter-patient').waitFor();
  assert.match(new URL(page.url()).hash, new RegExp(`^#/messages/patient/${ctx.patient.id}$`));
  await page.getByTestId('msg-write').click();
  await page.getByTestId('console-new-thread').waitFor();

  await page.goto('/console/#/messages/auto-replies');
  await page.getByTestId('auto-refused').waitFor();
  await noAxe(page, 'automatic answers refused');
  watch.assertNone();
});

test('end to end in both apps: the patient writes in the portal, staff reply in the console, the SMS notice comes, and the patient reads the reply', async () => {
  const ctx = await messagesClinic();
  const portal = keep(await launch({ locale: 'tr-TR', viewport: { width: 390, height: 844 } }));
  const { page: patientPage, watch: patientWatch } = await portalSignedIn(portal, ctx.clinic.code, ctx.phone);
  await patientPage.goto(`/${ctx.clinic.code}#/messages/new`);
  await patientPage.getByTestId('portal-new-message').waitFor();
  await patientPage.getByTestId('msg-new-subject').fill('Randevu saati');
  await patientPage.getByTestId('msg-new-topic').selectOption('appointment');
  await patientPage.getByTestId('msg-new-body').fill('Yarınki randevum\nkaçta?');
  await patientPage.getByTestId('msg-new-send').click();
  await patientPage.locator('[data-testid="portal-thread"][data-state="ready"]').waitFor();
  const threadId = new URL(patientPage.url()).hash.split('/').pop();

  const { page, watch } = await openConsole(ctx.clinic.logins.staff);
  await page.getByTestId('nav-messages-count').waitFor();
  assert.equal(await page.getByTestId('nav-messages-count').getAttribute('data-threads'), '1');
  await page.getByTestId('nav-messages').click();
  await inboxReady(page);
  const row = page.locator(`[data-testid="msg-inbox-row"][data-id="${threadId}"]`);
  assert.equal(await row.getAttribute('data-unread'), '1');
  await row.getByTestId('msg-inbox-link').click();
  await page.locator('[data-testid="console-thread"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('msg-message-body').first().innerText(), 'Yarınki randevum\nkaçta?');
  const mark = sinkMark();
  await page.getByTestId('msg-reply-body').fill('Saat 10:30.');
  await page.getByTestId('msg-reply-send').click();
  await page.getByTestId('msg-message-body').nth(1).waitFor();

  const notice = await waitForSms((m) => !mark.sms.has(m.file) && m.to === ctx.phone);
  assert.ok(notice.text.includes(`/${ctx.clinic.code}`), `the notice names the portal: ${notice.text}`);
  for (const part of ['10:30', 'Saat', 'Randevu saati', 'kaçta']) assert.ok(!notice.text.includes(part), `"${part}" in ${notice.text}`);

  await patientPage.goto(`/${ctx.clinic.code}`);
  await patientPage.getByTestId('home-link-messages').click();
  await patientPage.locator('[data-testid="portal-messages"][data-state="ready"]').waitFor();
  const mine = patientPage.locator(`[data-testid="msg-thread"][data-id="${threadId}"]`);
  assert.equal(await mine.getAttribute('data-unread'), '1');
  await mine.getByTestId('msg-thread-link').click();
  await patientPage.locator('[data-testid="portal-thread"][data-state="ready"]').waitFor();
  assert.equal(await patientPage.getByTestId('msg-message-body').nth(1).innerText(), 'Saat 10:30.');
  watch.assertNone();
  patientWatch.assertNone();
});
