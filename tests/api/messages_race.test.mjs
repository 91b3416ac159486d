// Messages under concurrency (issue 14, DESIGN.md section 14): unread counts stay exact after
// 200 concurrent messages into 20 threads from both sides, and after reads racing writes (the
// counters equal the unread rows, and the inbox, the unread count and the patients' lists say
// the same); the new_message notice goes at most once per thread while the patient has not
// read it; and no notice delivered to the sinks during the run carries any part of a message
// body or subject.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { psql } from './lib/client.mjs';
import { unique } from './lib/fixtures.mjs';
import {
  CLINIC_MESSAGES, allThreadCounts, clinicThread, msgClinic, newMessageNotices, noticeCounts, patientThread,
} from './lib/messages.mjs';
import { mailMessages, smsMessages } from './lib/sinks.mjs';

const THREADS = 20;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// Every subject and body of this file carries TOKEN, so that a notice holding any of them shows.
const TOKEN = `gizli${unique()}`;
const text = (what) => `${what} ${TOKEN} <b>içerik</b>`;

let c;
let threads; // [{id, patientIndex, startedBy}]

before(async () => {
  c = await msgClinic({ patients: THREADS });
  threads = [];
  for (let i = 0; i < THREADS; i++) {
    const byPatient = i % 2 === 0;
    const t = byPatient
      ? await patientThread(c.patients[i].session, { subject: text('konu'), topic: 'other', body: text('ilk') })
      : await clinicThread(c.owner, c.patients[i].patient.id, { subject: text('konu'), topic: 'other', body: text('ilk') });
    threads.push({ id: t.id, i, startedBy: byPatient ? 'patient' : 'staff' });
  }
});

const staffOf = (n) => [c.owner, c.admin, c.staff, c.key][n % 4];

// Runs every op concurrently, IN_FLIGHT at a time (more would overflow the FastCGI socket's
// listen backlog of the test stack, and nginx would answer 502 before the API saw them), in
// the order given; answers their results in that order.
const IN_FLIGHT = 64;
async function concurrently(ops) {
  const results = new Array(ops.length);
  let next = 0;
  const lane = async () => {
    while (next < ops.length) {
      const i = next++;
      results[i] = await ops[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, ops.length) }, lane));
  return results;
}

// The API's and the database's view of every thread agree, and the counters equal the rows.
// (The answers first, then one query: a long synchronous check would let idle keep-alive
// connections time out under the client's feet.)
async function assertExact(what) {
  const inbox = await c.staff.request('GET', `${CLINIC_MESSAGES}?limit=100`);
  assert.equal(inbox.status, 200, inbox.text);
  const count = await c.admin.request('GET', `${CLINIC_MESSAGES}/unread-count`);
  const lists = await Promise.all(threads.map((t) => c.patients[t.i].session.request('GET', 'messages')));
  const byId = new Map(inbox.body.items.map((x) => [x.id, x]));
  const counts = allThreadCounts(threads.map((t) => t.id));
  let threadsUnread = 0;
  let messagesUnread = 0;
  for (const t of threads) {
    const db = counts[t.id];
    assert.equal(db.staff_unread, db.patient_rows, `${what}: thread ${t.i} staff_unread ${JSON.stringify(db)}`);
    assert.equal(db.patient_unread, db.staff_rows, `${what}: thread ${t.i} patient_unread ${JSON.stringify(db)}`);
    assert.equal(db.message_count, db.rows, `${what}: thread ${t.i} message_count`);
    assert.equal(byId.get(t.id).unread, db.patient_rows, `${what}: thread ${t.i} in the inbox`);
    assert.equal(lists[t.i].body.items.find((x) => x.id === t.id).unread, db.staff_rows,
      `${what}: thread ${t.i} in the patient's list`);
    if (db.patient_rows > 0) threadsUnread++;
    messagesUnread += db.patient_rows;
  }
  assert.deepEqual(count.body, { threads: threadsUnread, messages: messagesUnread }, `${what}: the unread count`);
}

describe('unread counts under concurrency', () => {
  test('200 concurrent messages into 20 threads from both sides: every count exact, one notice per thread', async () => {
    const sends = [];
    for (const t of threads) {
      for (let k = 0; k < 5; k++) {
        sends.push(() => c.patients[t.i].session.request('POST', `messages/${t.id}`, { body: { body: text(`hasta ${k}`) } }));
        sends.push(() => staffOf(k + t.i).request('POST', `${CLINIC_MESSAGES}/${t.id}`, { body: { body: text(`klinik ${k}`) } }));
      }
    }
    assert.equal(sends.length, 200);
    const answers = await concurrently(sends);
    const wrong = answers.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text.slice(0, 200)}`);
    assert.deepEqual(wrong, [], 'every message is accepted');
    const count = await c.owner.request('GET', `${CLINIC_MESSAGES}/unread-count`);
    assert.deepEqual(count.body, { threads: 20, messages: 10 * 6 + 10 * 5 });
    await assertExact('after the burst');
    const counts = allThreadCounts(threads.map((t) => t.id));
    const notices = noticeCounts(c.patients.map((p) => p.patient.id));
    for (const t of threads) {
      const db = counts[t.id];
      assert.deepEqual([db.rows, db.patient_rows, db.staff_rows],
        [11, t.startedBy === 'patient' ? 6 : 5, t.startedBy === 'staff' ? 6 : 5], `thread ${t.i}`);
      assert.equal(notices[c.patients[t.i].patient.id], 1, `thread ${t.i}: one notice while unread`);
    }
  });

  test('reads racing writes: both sides read while both sides write; the counts stay exact', async () => {
    const reads = new Map(threads.map((t) => [t.id, 0]));
    const ops = [];
    for (const t of threads) {
      const s = c.patients[t.i].session;
      for (let k = 0; k < 3; k++) {
        ops.push(async () => {
          const r = await s.request('GET', `messages/${t.id}`);
          assert.equal(r.status, 200, r.text);
          reads.set(t.id, reads.get(t.id) + 1);
          return r;
        });
        ops.push(() => staffOf(k + t.i + 1).request('GET', `${CLINIC_MESSAGES}/${t.id}`));
        ops.push(() => s.request('POST', `messages/${t.id}`, { body: { body: text(`yarış hasta ${k}`) } }));
        ops.push(() => staffOf(k + t.i).request('POST', `${CLINIC_MESSAGES}/${t.id}`, { body: { body: text(`yarış klinik ${k}`) } }));
      }
    }
    // Interleaved, all at once.
    const answers = await concurrently(ops);
    const wrong = answers.filter((r) => r.status !== 200 && r.status !== 201).map((r) => `${r.status} ${r.text.slice(0, 200)}`);
    assert.deepEqual(wrong, []);
    await assertExact('after reads raced writes');
    const notices = noticeCounts(c.patients.map((p) => p.patient.id));
    for (const t of threads) {
      const n = notices[c.patients[t.i].patient.id];
      // One before the race; during it, a new one only after a read of the patient's.
      assert.ok(n >= 1 && n <= 1 + reads.get(t.id), `thread ${t.i}: ${n} notices for ${reads.get(t.id)} reads`);
    }
    // Now quiet: the patient reads, three staff messages in a row queue one notice.
    const t = threads[3];
    const before = newMessageNotices(c.patients[t.i].patient.id).length;
    await c.patients[t.i].session.request('GET', `messages/${t.id}`);
    for (let k = 0; k < 3; k++) await c.staff.request('POST', `${CLINIC_MESSAGES}/${t.id}`, { body: { body: text('sakin') } });
    assert.equal(newMessageNotices(c.patients[t.i].patient.id).length, before + 1);
    // Everyone reads everything: nothing unread anywhere.
    for (const x of threads) {
      await c.patients[x.i].session.request('GET', `messages/${x.id}`);
      await c.staff.request('GET', `${CLINIC_MESSAGES}/${x.id}`);
    }
    await assertExact('after every read');
    const count = await c.owner.request('GET', `${CLINIC_MESSAGES}/unread-count`);
    assert.deepEqual(count.body, { threads: 0, messages: 0 });
  });

  test('no notice delivered to the sinks during the run carries any part of a subject or body', { timeout: 120_000 }, async () => {
    // Wait for the notifier to deliver this clinic's notices.
    const pending = () => Number(psql(`SELECT count(*) FROM outbox WHERE clinic_id = '${c.clinic.id}'
      AND purpose = 'new_message' AND status NOT IN ('sent', 'dead')`));
    for (let i = 0; i < 600 && pending() > 0; i++) await sleep(100);
    assert.equal(pending(), 0, 'the new_message notices were not delivered');
    const sent = Number(psql(`SELECT count(*) FROM outbox WHERE clinic_id = '${c.clinic.id}' AND purpose = 'new_message'
      AND status = 'sent'`));
    assert.ok(sent >= THREADS, `${sent} notices sent`);
    const emails = new Set(c.patients.map((p) => p.email.toLowerCase()));
    const mails = mailMessages();
    const ours = mails.filter((m) => m.to.some((t) => emails.has(t.toLowerCase())));
    assert.ok(ours.filter((m) => /mesaj|message/i.test(m.subject)).length >= THREADS, 'the notices reached the mail sink');
    for (const m of mails) {
      assert.ok(!`${m.subject}\n${m.text}`.includes(TOKEN), `a mail carries a message's content: ${m.file}`);
      assert.ok(!/içerik|<b>/.test(ours.includes(m) ? `${m.subject}\n${m.text}` : ''), `${m.file}`);
    }
    for (const m of smsMessages()) assert.ok(!m.text.includes(TOKEN), `an SMS carries a message's content: ${m.file}`);
  });
});
