// portal-notifier under faults (DESIGN.md sections 6 and 9): outbox rows are inserted directly
// with psql as the owner role (one clinic of this file, recipients unique to each test), and
// what arrives is read from the stack's sinks (tests/api/lib/sinks.mjs).
//   - SIGKILL mid-batch: nothing is lost (claimed rows come back after the lease), every
//     message is written once by the sink and any repeat is counted in `duplicates`;
//   - the SMTP sink down for a while, then up: every email arrives after retries;
//   - the gateway answering 4xx: dead at once with the answer in last_error; 5xx: retried;
//     an SMTP 5xx recipient: dead at once;
//   - two notifiers at once: each message delivered exactly once;
//   - a sign_in_code body is wiped once sent (or dead), and no body or subject reaches a log;
//   - with smtp_user set, STARTTLS is required: the sink, which has no TLS, receives nothing
//     (no AUTH, no message), the message is kept for a retry and goes out once the user is
//     removed again; smtp_user with smtp_starttls = no stops the notifier at start;
//   - with an hour between polls, an insert and a dead message queued again still go out at
//     once: NOTIFY woke the notifier.
// The notifier runs with a short lease, backoff and poll interval for this file: portal.conf is
// rewritten in place and the notifier restarted; the original is restored afterwards, whatever
// happens. Run alone (--test-concurrency=1): it kills and restarts the notifier and the sinks.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { env, psql, stackctl, waitFor } from '../api/lib/client.mjs';
import { makeClinic, unique } from '../api/lib/fixtures.mjs';
import {
  mailMessages, sinkDir, sinkDuplicates, sinkPorts, smsMessages, waitForMail, waitForSms,
} from '../api/lib/sinks.mjs';
import { StackConf } from './lib/stackconf.mjs';

const FAST = {
  notifier_lease: '5',
  notifier_backoff_base: '1',
  notifier_backoff_max: '2',
  notifier_poll_interval: '1',
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let conf;
let clinic;

function restartNotifier() {
  stackctl('notifier-stop');
  stackctl('notifier-start');
}

async function control(body) {
  const res = await fetch(`http://127.0.0.1:${sinkPorts().sms}/_control`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

const sqlText = (s) => (s == null ? 'NULL' : `'${String(s).replaceAll("'", "''")}'`);

// Inserts outbox rows as the owner; answers their ids in the order given.
function enqueue(rows) {
  const values = rows.map((r, i) => `(${i}, ${sqlText(r.channel)}, ${sqlText(r.recipient)}, ` +
    `${sqlText(r.purpose ?? 'portal_invitation')}, ${sqlText(r.sender_name ?? clinic.name)}, ` +
    `${sqlText(r.channel === 'email' ? (r.subject ?? 'Fault test') : null)}, ${sqlText(r.body ?? 'Fault test body')})`);
  const out = psql(`WITH v (n, channel, recipient, purpose, sender_name, subject, body) AS (VALUES ${values.join(', ')}),
    ins AS (INSERT INTO outbox (clinic_id, channel, recipient, purpose, locale, sender_name, subject, body)
      SELECT '${clinic.id}', channel, recipient, purpose, 'tr', sender_name, subject, body FROM v ORDER BY n
      RETURNING id, recipient)
    SELECT ins.id FROM ins JOIN v USING (recipient) ORDER BY v.n`, { user: 'portal_owner' });
  const ids = out.split('\n').filter(Boolean);
  assert.equal(ids.length, rows.length);
  return ids;
}

// Rows of the given ids: {id: {status, attempts, last_error, body, sent}}.
function rows(ids) {
  const out = psql(`SELECT id, status, attempts, coalesce(last_error, '<null>'), length(body), sent_at IS NOT NULL
    FROM outbox WHERE id = ANY('{${ids.join(',')}}'::uuid[])`);
  const map = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const [id, status, attempts, lastError, bodyLen, sent] = line.split('|');
    map[id] = {
      status, attempts: Number(attempts), last_error: lastError === '<null>' ? null : lastError,
      body_length: Number(bodyLen), sent: sent === 't',
    };
  }
  return map;
}

const statusCount = (ids, status) => Object.values(rows(ids)).filter((r) => r.status === status).length;

async function waitAll(ids, status, timeoutMs, what) {
  await waitFor(() => statusCount(ids, status) === ids.length,
    { timeoutMs, intervalMs: 250, what: `${what}: all ${ids.length} ${status}` });
}

// The duplicates lines (one per repeat) naming one of ids.
function duplicateLines(kind, ids) {
  let text = '';
  try {
    text = readFileSync(join(sinkDir(kind), 'duplicates'), 'utf8');
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  const set = new Set(ids);
  return text.split('\n').filter(Boolean).filter((l) => {
    const ident = l.split(' ')[1] ?? '';
    return set.has(ident) || set.has(/^<([^@>]*)@/.exec(ident)?.[1]);
  });
}

const smsCountByRef = (ids) => {
  const set = new Set(ids);
  const counts = new Map();
  for (const m of smsMessages()) if (set.has(m.reference)) counts.set(m.reference, (counts.get(m.reference) ?? 0) + 1);
  return counts;
};
const mailIdOf = (m) => /^<([^@>]*)@/.exec(m.messageId ?? '')?.[1];
const mailCountById = (ids) => {
  const set = new Set(ids);
  const counts = new Map();
  for (const m of mailMessages()) {
    const id = mailIdOf(m);
    if (set.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
};

const phones = (tag, n) => Array.from({ length: n }, (_, i) => `+90${tag}${String(i).padStart(5, '0')}`);
// A ten-digit tag unique enough for one run.
const phoneTag = () => String(Date.now() % 1e5).padStart(5, '0') + String(Math.floor(Math.random() * 1e3)).padStart(3, '0');

before(() => {
  conf = new StackConf();
  conf.write(conf.with(FAST));
  stackctl('sinks-start');
  restartNotifier();
  clinic = makeClinic();
});

after(async () => {
  if (!conf) return;
  conf.write(conf.original);
  stackctl('notifier2-stop');
  stackctl('sinks-start');
  try { await control({ reset: true }); } catch { /* the sink may be down */ }
  restartNotifier();
  conf.assertRestored();
});

test('SIGKILL mid-batch loses nothing: every message arrives, once as a file, repeats counted', async () => {
  const tag = phoneTag();
  const N = 300;
  // Slow the gateway (20 ms a message) so that the kill finds a batch in flight.
  await control({ reset: true });
  await control({ delay_ms: 20, count: N });
  const ids = enqueue(phones(tag, N).map((recipient, i) => ({ channel: 'sms', recipient, body: `kill test ${i}` })));
  let atKill;
  let inFlight = [];
  // The kill may land between two batches (nothing in flight): then start again and retry.
  for (let attempt = 0; attempt < 3 && inFlight.length === 0; attempt++) {
    if (attempt > 0) stackctl('notifier-start');
    await waitFor(() => statusCount(ids, 'sent') >= 30 * (attempt + 1) && statusCount(ids, 'sending') > 0,
      { timeoutMs: 30_000, intervalMs: 50, what: 'some sent and a batch in flight' });
    stackctl('notifier-kill');
    atKill = rows(ids);
    inFlight = Object.entries(atKill).filter(([, r]) => r.status === 'sending').map(([id]) => id);
  }
  const sentAtKill = Object.values(atKill).filter((r) => r.status === 'sent').length;
  assert.ok(inFlight.length > 0, 'no row was sending when the notifier was killed');
  assert.ok(sentAtKill < N, 'everything was sent before the kill');
  await sleep(500);
  stackctl('notifier-start');
  // The killed notifier's claims come back once the 5 s lease runs out.
  await waitAll(ids, 'sent', 90_000, 'after the restart');
  const final = rows(ids);
  for (const id of inFlight) assert.ok(final[id].attempts >= 2, `in-flight row ${id} was not claimed again`);
  const counts = smsCountByRef(ids);
  assert.equal(counts.size, N, 'every message reached the sink');
  for (const [ref, n] of counts) assert.equal(n, 1, `${ref} written ${n} times`);
  // A repeat can only come from a row that was claimed twice.
  const dups = duplicateLines('sms', ids);
  const retried = Object.values(final).filter((r) => r.attempts >= 2).length;
  assert.ok(dups.length <= retried, `${dups.length} duplicates but only ${retried} rows were claimed again`);
  for (const line of dups) assert.ok(inFlight.includes(line.split(' ')[1]), `repeat of a row not in flight: ${line}`);
  console.log(`# kill test: ${inFlight.length} in flight at the kill, ${dups.length} repeat(s) counted by the sink`);
  await control({ reset: true });
});

test('SMTP sink down for a while, then up: every email arrives after retries', async () => {
  const u = unique();
  stackctl('smtp-sink-stop');
  let ids;
  try {
    ids = enqueue(Array.from({ length: 5 }, (_, i) => ({
      channel: 'email', recipient: `down-${u}-${i}@example.com`, subject: `Sink down ${i}`, body: `Body ${i}`,
    })));
    // Failed attempts with the connection error kept; at least one retried already.
    await waitFor(() => {
      const r = Object.values(rows(ids));
      return r.every((x) => x.status === 'failed' && x.last_error) && r.some((x) => x.attempts >= 2);
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'failed attempts while the sink is down' });
    for (const r of Object.values(rows(ids))) {
      assert.match(r.last_error, /SMTP server not reached/i);
      assert.ok(!r.last_error.includes('Body'), 'no body in last_error');
    }
  } finally {
    stackctl('smtp-sink-start');
  }
  await waitAll(ids, 'sent', 30_000, 'after the sink came back');
  const final = rows(ids);
  for (const id of ids) {
    assert.equal(final[id].last_error, null, 'last_error cleared once sent');
    assert.ok(final[id].sent);
  }
  const counts = mailCountById(ids);
  assert.equal(counts.size, ids.length);
  for (const [id, n] of counts) assert.equal(n, 1, `${id} written ${n} times`);
  const msg = await waitForMail((m) => mailIdOf(m) === ids[0]);
  assert.equal(msg.messageId, `<${ids[0]}@localhost>`);
  assert.deepEqual(msg.to, [`down-${u}-0@example.com`]);
  assert.equal(msg.subject, 'Sink down 0');
  assert.equal(msg.text.trim(), 'Body 0');
});

test('gateway 4xx: dead at once with the answer in last_error; 5xx: retried until accepted', async () => {
  const tag = phoneTag();
  const [refused, flaky] = phones(tag, 2);
  await control({ reset: true });
  await control({ status: 400, count: 1, to: refused });
  await control({ status: 503, count: 2, to: flaky });
  const [deadId, flakyId] = enqueue([
    { channel: 'sms', recipient: refused, body: 'refused message text' },
    { channel: 'sms', recipient: flaky, body: 'flaky message text' },
  ]);
  await waitFor(() => rows([deadId])[deadId]?.status === 'dead', { timeoutMs: 15_000, what: '4xx → dead' });
  const dead = rows([deadId])[deadId];
  assert.equal(dead.attempts, 1, 'dead at the first attempt');
  assert.match(dead.last_error, /^gateway answered 400: .*refused by \/_control/);
  assert.ok(!dead.last_error.includes('refused message text'));
  assert.ok(!smsMessages().some((m) => m.reference === deadId), 'the refused message is not in the sink');

  await waitFor(() => rows([flakyId])[flakyId]?.status === 'sent', { timeoutMs: 20_000, what: '5xx retried → sent' });
  assert.equal(rows([flakyId])[flakyId].attempts, 3, 'two 503 answers, then accepted');
  const sms = await waitForSms((m) => m.reference === flakyId);
  assert.equal(sms.to, flaky);
  assert.equal(sms.text, 'flaky message text');
});

test('SMTP 550 for a recipient: dead at once; the rest of the batch still goes out', async () => {
  const u = unique();
  const [bad, good] = enqueue([
    { channel: 'email', recipient: `smtp-550-${u}@example.com`, subject: 'Refused', body: 'refused mail text' },
    { channel: 'email', recipient: `ok-${u}@example.com`, subject: 'Fine', body: 'fine mail text' },
  ]);
  await waitFor(() => {
    const r = rows([bad, good]);
    return r[bad].status === 'dead' && r[good].status === 'sent';
  }, { timeoutMs: 15_000, what: '550 → dead, the other sent' });
  const r = rows([bad])[bad];
  assert.equal(r.attempts, 1);
  assert.match(r.last_error, /^SMTP recipient refused: 550 /);
  assert.ok(!r.last_error.includes('refused mail text'));
});

test('two notifiers at once: each message delivered exactly once', async () => {
  const tag = phoneTag();
  const u = unique();
  stackctl('notifier2-start');
  try {
    const sms = enqueue(phones(tag, 200).map((recipient, i) => ({ channel: 'sms', recipient, body: `two ${i}` })));
    const mail = enqueue(Array.from({ length: 50 }, (_, i) => ({
      channel: 'email', recipient: `two-${u}-${i}@example.com`, subject: `Two ${i}`, body: `two mail ${i}`,
    })));
    await waitAll([...sms, ...mail], 'sent', 60_000, 'two notifiers');
    const smsCounts = smsCountByRef(sms);
    assert.equal(smsCounts.size, sms.length);
    for (const [ref, n] of smsCounts) assert.equal(n, 1, `${ref} written ${n} times`);
    const mailCounts = mailCountById(mail);
    assert.equal(mailCounts.size, mail.length);
    for (const [id, n] of mailCounts) assert.equal(n, 1, `${id} written ${n} times`);
    assert.deepEqual(duplicateLines('sms', sms), [], 'no SMS sent twice');
    assert.deepEqual(duplicateLines('mail', mail), [], 'no email sent twice');
    for (const r of Object.values(rows([...sms, ...mail]))) assert.equal(r.attempts, 1);
    // Both took part.
    const { logDir } = env();
    const all = new Set([...sms, ...mail]);
    const sentBy = (file) => readFileSync(join(logDir, file), 'utf8').split('\n')
      .filter((l) => / sent \(attempt/.test(l) && all.has(/outbox ([0-9a-f-]{36})/.exec(l)?.[1])).length;
    const one = sentBy('portal-notifier.log');
    const two = sentBy('portal-notifier2.log');
    console.log(`# two notifiers: ${one} and ${two} messages`);
    assert.equal(one + two, all.size);
    assert.ok(one > 0 && two > 0, `one notifier did everything (${one} / ${two})`);
  } finally {
    stackctl('notifier2-stop');
  }
});

test('sign_in_code bodies are wiped once sent or dead; no body or subject reaches a log', async () => {
  const tag = phoneTag();
  const u = unique();
  const marker = `MARKER${u}`;
  const [phone, refusedPhone, invitePhone] = phones(tag, 3);
  await control({ reset: true });
  await control({ status: 422, count: 1, to: refusedPhone });
  const ids = enqueue([
    { channel: 'sms', recipient: phone, purpose: 'sign_in_code', body: `${marker} kodunuz 482913` },
    { channel: 'email', recipient: `code-${u}@example.com`, purpose: 'sign_in_code', subject: `${marker} giriş kodu`, body: `${marker} kodunuz 771245` },
    { channel: 'sms', recipient: refusedPhone, purpose: 'sign_in_code', body: `${marker} kodunuz 190233` },
    { channel: 'sms', recipient: invitePhone, purpose: 'portal_invitation', body: `${marker} davet` },
  ]);
  await waitFor(() => {
    const r = rows(ids);
    return r[ids[0]].status === 'sent' && r[ids[1]].status === 'sent' && r[ids[2]].status === 'dead' &&
      r[ids[3]].status === 'sent';
  }, { timeoutMs: 20_000, what: 'sent, sent, dead, sent' });
  const r = rows(ids);
  assert.equal(r[ids[0]].body_length, 0, 'sent SMS sign-in code wiped');
  assert.equal(r[ids[1]].body_length, 0, 'sent email sign-in code wiped');
  assert.equal(r[ids[2]].body_length, 0, 'dead sign-in code wiped');
  assert.ok(r[ids[3]].body_length > 0, 'an invitation keeps its body');
  // They did arrive, with their text.
  assert.equal((await waitForSms((m) => m.reference === ids[0])).text, `${marker} kodunuz 482913`);
  const mail = await waitForMail((m) => mailIdOf(m) === ids[1]);
  assert.equal(mail.subject, `${marker} giriş kodu`);
  assert.equal(mail.text.trim(), `${marker} kodunuz 771245`);
  // Nothing of them in any log of the stack.
  const { logDir } = env();
  for (const file of readdirSync(logDir)) {
    const path = join(logDir, file);
    if (!statSync(path).isFile()) continue;
    const text = readFileSync(path, 'latin1');
    assert.ok(!text.includes(marker), `a body or subject (${marker}) found in ${path}`);
  }
});

// The notifier's log from byte offset `from` on.
function notifierLog(from = 0) {
  const text = readFileSync(join(env().logDir, 'portal-notifier.log'), 'latin1');
  return text.slice(from);
}
const notifierLogSize = () => statSync(join(env().logDir, 'portal-notifier.log')).size;

test('smtp_user set: STARTTLS required, nothing reaches the TLS-less sink, the message waits; starttls = no refuses to start', async () => {
  const u = unique();
  const password = `pw-${u}`;
  let id;
  try {
    // smtp_starttls stays at its default, if-available: smtp_user makes it required.
    const tlsConf = { ...FAST, notifier_max_attempts: '100', smtp_user: `portal-${u}`, smtp_password: password };
    conf.write(conf.with(tlsConf).replace(/^smtp_starttls\s*=.*\n/m, ''));
    let mark = notifierLogSize();
    restartNotifier();
    [id] = enqueue([{ channel: 'email', recipient: `tls-${u}@example.com`, subject: `TLS ${u}`, body: `tls body ${u}` }]);
    await waitFor(() => {
      const r = rows([id])[id];
      return r.status === 'failed' && r.attempts >= 2;
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'two attempts refused for want of STARTTLS' });
    const r = rows([id])[id];
    assert.equal(r.last_error, 'SMTP server does not offer STARTTLS (required: smtp_user is set); nothing was sent');
    assert.equal(r.sent, false);
    assert.ok(!mailMessages().some((m) => mailIdOf(m) === id), 'the sink received the message without TLS');
    const log = notifierLog(mark);
    assert.match(log, /smtp_user is set: STARTTLS is required/);
    assert.match(log, new RegExp(`outbox ${id}: email failed .*does not offer STARTTLS`));
    assert.ok(!log.includes(password) && !log.includes(`tls-${u}`), 'a password or recipient in the log');

    // smtp_starttls = no with smtp_user: a configuration error naming the key, no start.
    stackctl('notifier-stop');
    conf.write(conf.with({ ...tlsConf, smtp_starttls: 'no' }));
    mark = notifierLogSize();
    const before = rows([id])[id].attempts;
    stackctl('notifier-start');
    const pid = Number(stackctl('notifier-pid').trim());
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch (err) {
        return err.code === 'ESRCH';
      }
    }, { timeoutMs: 10_000, what: 'the notifier to exit' });
    assert.match(notifierLog(mark), /configuration refused: key 'smtp_starttls' is 'no' while 'smtp_user' is set/);
    await sleep(2500);
    assert.equal(rows([id])[id].attempts, before, 'a refused notifier still tried to send');
  } finally {
    conf.write(conf.with(FAST));
    restartNotifier();
  }
  // Back to the stack's own settings (no user): the kept message goes out, once.
  await waitFor(() => rows([id])[id].status === 'sent', { timeoutMs: 20_000, what: 'sent after the user was removed' });
  const msg = await waitForMail((m) => mailIdOf(m) === id);
  assert.equal(msg.subject, `TLS ${u}`);
  assert.equal(mailCountById([id]).get(id), 1);
});

test('woken by NOTIFY, not by the poll: a new message and a dead one queued again go out at once', async () => {
  // An hour between polls: only a notification can start a round within the test's time.
  conf.write(conf.with({ ...FAST, notifier_poll_interval: '3600' }));
  restartNotifier();
  try {
    const [phone] = phones(phoneTag(), 1);
    await control({ reset: true });
    await control({ status: 400, count: 1, to: phone });
    await sleep(1000); // past the round the notifier makes as it starts
    const [id] = enqueue([{ channel: 'sms', recipient: phone, body: 'woken text' }]);
    await waitFor(() => rows([id])[id]?.status === 'dead', { timeoutMs: 10_000, what: 'the insert woke the notifier' });
    // What a staff member's retry does (sql/0040: an update that makes a row due notifies).
    psql(`UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = now(), last_error = NULL
      WHERE id = '${id}'`, { user: 'portal_owner' });
    await waitFor(() => rows([id])[id]?.status === 'sent', { timeoutMs: 10_000, what: 'the retry woke the notifier' });
    assert.equal((await waitForSms((m) => m.reference === id)).text, 'woken text');
  } finally {
    conf.write(conf.with(FAST));
    restartNotifier();
  }
});
