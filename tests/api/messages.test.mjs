// Messages (issue 14, DESIGN.md section 14). Per permission: view_messages and send_message each
// granted or refused with 403 permission_denied naming the key, by the clinic's set and by the
// patient's own set. Another patient's thread, another clinic's and an unknown id answer 404
// not_found alike for reading, replying and every staff action; a reply to a closed thread is
// 409 thread_closed on both sides. The patient writes, staff see the thread in the inbox with
// its unread count (and the ETag'd unread-count, 304 when unchanged), read it (marking it read
// for every staff member), reply; the reply queues one new_message notice, and no second one
// until the patient has read the thread. Stored bodies holding markup and bidirectional
// overrides come back byte for byte; an override is refused in a subject. Sending is limited per
// patient per hour (429 with Retry-After). Automatic first answers per topic. Changes on the
// clinic side are audited without subject or body. (Counts under concurrency and the notices in
// the sinks: messages_race.test.mjs.)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { api, assertProblem, confValue, psql } from './lib/client.mjs';
import {
  makeApiKey, makePatient, unique, uniqueEmail, uniquePhone, withKey,
} from './lib/fixtures.mjs';
import { waitForMail, waitForSms } from './lib/sinks.mjs';
import {
  CLINIC_MESSAGES, MSGS, clinicThread, msgClinic, msgPatient, newMessageNotices, patientThread, threadCounts,
} from './lib/messages.mjs';

const thread = (id) => `${CLINIC_MESSAGES}/${id}`;

let A;
let B;

before(async () => {
  [A, B] = await Promise.all([msgClinic(), msgClinic()]);
});

// The audit rows of target id, oldest first: [action, before, after].
function auditOf(clinicId, id) {
  const out = psql(`SELECT json_agg(json_build_array(action, before, after) ORDER BY id)
    FROM audit_log WHERE clinic_id = '${clinicId}' AND target_id = '${id}'`);
  return out ? JSON.parse(out) : [];
}

describe('permissions', () => {
  // The routes of each key, with what a granted call answers.
  async function callsOf(c) {
    const t = await clinicThread(c.owner, c.patient.id);
    return {
      view_messages: [['GET', 'messages', 200], ['GET', `messages/${t.id}`, 200]],
      send_message: [['POST', 'messages', 201, { subject: 'Soru', topic: 'other', body: 'Merhaba' }],
        ['POST', `messages/${t.id}`, 201, { body: 'Teşekkürler' }]],
    };
  }
  const call = (s, [method, rest, , body]) => s.request(method, rest, body ? { body } : {});

  test('by the clinic set: each key granted answers, each key missing is 403 naming it', async () => {
    const refused = await msgClinic({ permissions: ['view_profile'] });
    const gCalls = await callsOf(A);
    const rCalls = await callsOf(refused);
    for (const key of MSGS) {
      for (const c of gCalls[key]) {
        const res = await call(A.session, c);
        assert.equal(res.status, c[2], `${key} ${c[0]} ${c[1]}: ${res.text}`);
      }
      for (const c of rCalls[key]) {
        const res = await call(refused.session, c);
        assertProblem(res, 403, 'permission_denied', `${key} ${c[1]}`);
        assert.equal(res.body.permission, key);
      }
    }
  });

  test("by the patient's own set: a custom set without a key refuses it, one with it grants it", async () => {
    const c = await msgClinic();
    const calls = await callsOf(c);
    for (const key of MSGS) {
      const others = MSGS.filter((k) => k !== key);
      const put = await c.owner.request('PUT', `/api/v1/clinic/patients/${c.patient.id}/portal-permissions`,
        { body: { mode: 'custom', permissions: ['view_profile', ...others] } });
      assert.equal(put.status, 200, put.text);
      for (const k of MSGS) {
        for (const x of calls[k]) {
          const res = await call(c.session, x);
          if (k === key) {
            assertProblem(res, 403, 'permission_denied', `${k} ${x[1]} without it`);
            assert.equal(res.body.permission, k);
          } else {
            assert.equal(res.status, x[2], `${k} ${x[1]} with it: ${res.text}`);
          }
        }
      }
    }
  });
});

describe("a thread the caller does not see is 404 like an unknown id", () => {
  test("the patient side: another patient's, another clinic's and an unknown thread, for read and reply", async () => {
    const other = await msgPatient(A);
    const theirs = await patientThread(other.session, { subject: 'Gizli konu', body: 'Gizli içerik' });
    const bThread = await clinicThread(B.owner, B.patient.id, { subject: 'B konu', body: 'B içerik' });
    const ids = [theirs.id, bThread.id, randomUUID()];
    const answers = [];
    for (const id of ids) {
      const read = await A.session.request('GET', `messages/${id}`);
      assertProblem(read, 404, 'not_found', `read ${id}`);
      const reply = await A.session.request('POST', `messages/${id}`, { body: { body: 'Araya giriyorum' } });
      assertProblem(reply, 404, 'not_found', `reply ${id}`);
      for (const res of [read, reply]) {
        assert.ok(!/Gizli|B konu|B içerik/.test(res.text), `leaks: ${res.text}`);
      }
      answers.push([read.body.detail, reply.body.detail]);
    }
    assert.deepEqual(answers[0], answers[2], 'another patient\'s thread must look like an unknown one');
    assert.deepEqual(answers[1], answers[2], 'another clinic\'s thread must look like an unknown one');
    assert.equal(threadCounts(theirs.id).rows, 1, 'a foreign reply was stored');
    assert.equal(threadCounts(bThread.id).rows, 1, 'a foreign reply was stored');
    // Their lists do not show it either.
    const mine = await A.session.request('GET', 'messages');
    assert.ok(!mine.body.items.some((t) => ids.includes(t.id)));
  });

  test("the clinic side: another clinic's thread and an unknown id, for read, reply, close and assign", async () => {
    const bThread = await clinicThread(B.owner, B.patient.id, { subject: 'B konu', body: 'B içerik' });
    for (const requester of [A.owner, A.key]) {
      for (const id of [bThread.id, randomUUID(), 'not-a-uuid']) {
        const calls = [
          ['GET', thread(id)],
          ['POST', thread(id), { body: 'Araya giriyorum' }],
          ['PATCH', thread(id), { status: 'closed' }],
          ['PATCH', thread(id), { assigned_to: A.staff.staff.id }],
        ];
        for (const [method, path, body] of calls) {
          const res = await requester.request(method, path, body ? { body } : {});
          assertProblem(res, 404, 'not_found', `${method} ${path}`);
          assert.ok(!/B konu|B içerik/.test(res.text));
        }
      }
    }
    const still = await B.owner.request('GET', thread(bThread.id));
    assert.deepEqual([still.body.status, still.body.assigned_to, still.body.messages.length], ['open', null, 1]);
    // A's inbox never lists it, even by B's patient.
    const inbox = await A.owner.request('GET', `${CLINIC_MESSAGES}?patient_id=${B.patient.id}`);
    assert.deepEqual(inbox.body.items, []);
    assertProblem(await A.owner.request('POST', CLINIC_MESSAGES,
      { body: { patient_id: B.patient.id, subject: 'x', topic: 'other', body: 'x' } }), 422, 'validation_failed');
  });
});

describe('a conversation', () => {
  test('patient writes; staff see it unread in the inbox and the count; reading marks it read for all staff; the reply reaches the patient', async () => {
    const c = await msgClinic();
    const t = await patientThread(c.session, { subject: 'Dolgu sonrası ağrı', topic: 'clinical', body: 'Dişim ağrıyor.\nNe yapmalıyım?' });
    assert.deepEqual([t.subject, t.topic, t.status, t.assigned_to, t.unread, t.started_by],
      ['Dolgu sonrası ağrı', 'clinical', 'open', null, 0, 'patient']);
    const inbox = await c.staff.request('GET', `${CLINIC_MESSAGES}?unread=true`);
    assert.equal(inbox.status, 200, inbox.text);
    assert.deepEqual(inbox.body.items.map((x) => [x.id, x.unread, x.patient_id, x.patient_name]),
      [[t.id, 1, c.patient.id, `${c.patient.first_name} ${c.patient.last_name}`]]);
    const count = await c.staff.request('GET', `${CLINIC_MESSAGES}/unread-count`);
    assert.deepEqual(count.body, { threads: 1, messages: 1 });
    const etag = count.headers.get('etag');
    assert.ok(etag, 'the unread count carries an ETag');
    // A light poll: unchanged, 304 without a body.
    const same = await c.owner.request('GET', `${CLINIC_MESSAGES}/unread-count`, { headers: { 'if-none-match': etag } });
    assert.equal(same.status, 304);
    assert.equal(same.text, '');
    assert.equal(same.headers.get('etag'), etag);
    // Staff read it: its messages come oldest first, line breaks kept.
    const read = await c.staff.request('GET', thread(t.id));
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.messages.length, 1);
    assert.equal(read.body.messages[0].body, 'Dişim ağrıyor.\nNe yapmalıyım?');
    assert.deepEqual(read.body.messages[0].author, { kind: 'patient', id: c.patient.id,
      name: `${c.patient.first_name} ${c.patient.last_name}` });
    assert.equal(read.body.unread, 0);
    // Read for every staff member: the owner sees it read; the count changed, so no 304.
    const byOwner = await c.owner.request('GET', `${CLINIC_MESSAGES}?unread=true`);
    assert.deepEqual(byOwner.body.items, []);
    const changed = await c.owner.request('GET', `${CLINIC_MESSAGES}/unread-count`, { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body, { threads: 0, messages: 0 });
    assert.notEqual(changed.headers.get('etag'), etag);
    const owner = await c.owner.request('GET', thread(t.id));
    assert.ok(owner.body.messages[0].read_at, 'read_at is set');
    // The reply: unread for the patient, one notice.
    const reply = await c.staff.request('POST', thread(t.id), { body: { body: 'Geçmiş olsun.\nYarın gelin.' } });
    assert.equal(reply.status, 201, reply.text);
    assert.deepEqual(reply.body.author, { kind: 'staff', id: c.staff.staff.id, name: c.staff.staff.name });
    const list = await c.session.request('GET', 'messages');
    assert.deepEqual(list.body.items.map((x) => [x.id, x.unread]), [[t.id, 1]]);
    assert.equal(newMessageNotices(c.patient.id).length, 1);
    const mine = await c.session.request('GET', `messages/${t.id}`);
    assert.deepEqual(mine.body.messages.map((m) => [m.author.kind, m.body]),
      [['patient', 'Dişim ağrıyor.\nNe yapmalıyım?'], ['staff', 'Geçmiş olsun.\nYarın gelin.']]);
    assert.equal(mine.body.messages[0].read_at, undefined, 'the patient does not see read receipts');
    assert.equal(mine.body.patient_id, undefined);
    const after = await c.session.request('GET', 'messages');
    assert.equal(after.body.items[0].unread, 0);
    assert.deepEqual(threadCounts(t.id), { patient_unread: 0, staff_unread: 0, message_count: 2, staff_rows: 0, patient_rows: 0, rows: 2 });
  });

  test('at most one new_message notice per thread while the patient has not read it; none carries the subject or a body', async () => {
    const c = await msgClinic();
    const t = await clinicThread(c.staff, c.patient.id, { subject: 'Konu-GIZLI-1', body: 'Gövde-GIZLI-1' });
    assert.equal(t.unread, 0, 'staff have nothing unread in a thread they started');
    await c.key.request('POST', thread(t.id), { body: { body: 'Gövde-GIZLI-2' } });
    await c.owner.request('POST', thread(t.id), { body: { body: 'Gövde-GIZLI-3' } });
    assert.equal(newMessageNotices(c.patient.id).length, 1, 'three staff messages, one notice while unread');
    // The patient reads; the next staff message queues the second notice.
    const list = await c.session.request('GET', 'messages');
    assert.equal(list.body.items[0].unread, 3);
    const read = await c.session.request('GET', `messages/${t.id}`);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.messages.map((m) => m.author.kind), ['staff', 'staff', 'staff']);
    assert.equal(read.body.messages[1].author.kind, 'staff', 'an API key writes as the clinic');
    await c.staff.request('POST', thread(t.id), { body: { body: 'Gövde-GIZLI-4' } });
    const notices = newMessageNotices(c.patient.id);
    assert.equal(notices.length, 2);
    for (const n of notices) {
      assert.ok(!/GIZLI|Konu|Gövde/.test(`${n.subject ?? ''} ${n.body}`), `a notice carries content: ${JSON.stringify(n)}`);
      assert.ok(n.body.includes(`/${c.clinic.code}`), 'the notice points at the portal');
    }
    // A patient message changes nothing about notices.
    await c.session.request('POST', `messages/${t.id}`, { body: { body: 'Tamam' } });
    assert.equal(newMessageNotices(c.patient.id).length, 2);
  });

  test('by SMS and by email, as the patient chooses, the delivered notice says only that there is a message', async () => {
    const c = await msgClinic({ patients: 0 });
    const token = `gizli${unique()}`;
    const phone = uniquePhone();
    const bySms = await makePatient(c.owner, { phone, language: 'en' });
    const email = uniqueEmail('msgmail');
    const byMail = await makePatient(c.owner, { email });
    for (const p of [bySms, byMail]) {
      await clinicThread(c.staff, p.id, { subject: `Konu ${token}`, body: `Gövde ${token}\nikinci satır` });
    }
    const sms = await waitForSms((m) => m.to === phone);
    assert.ok(!sms.text.includes(token) && !sms.text.includes('satır'), `the SMS carries content: ${sms.text}`);
    assert.match(sms.text, /message/);
    assert.ok(sms.text.includes(`/${c.clinic.code}`), sms.text);
    const mail = await waitForMail((m) => m.to.some((t) => t.toLowerCase() === email.toLowerCase()) && /mesaj/.test(m.subject));
    assert.ok(!`${mail.subject}\n${mail.text}`.includes(token), `the mail carries content: ${mail.subject} ${mail.text}`);
    assert.ok(!/satır|Konu|Gövde/.test(`${mail.subject}\n${mail.text}`));
  });

  test('close and reopen, assign and unassign; a reply to a closed thread is 409 thread_closed on both sides; each change audited without subject or body', async () => {
    const c = await msgClinic();
    const t = await patientThread(c.session, { subject: 'Fatura-GIZLI', topic: 'billing', body: 'Gövde-GIZLI' });
    const assigned = await c.staff.request('PATCH', thread(t.id), { body: { assigned_to: c.admin.staff.id } });
    assert.equal(assigned.status, 200, assigned.text);
    assert.deepEqual([assigned.body.assigned_to, assigned.body.assigned_to_name], [c.admin.staff.id, c.admin.staff.name]);
    assertProblem(await c.staff.request('PATCH', thread(t.id), { body: { assigned_to: B.owner.staff.id } }), 422,
      'validation_failed', "another clinic's staff member");
    assertProblem(await c.staff.request('PATCH', thread(t.id), { body: { status: 'archived' } }), 422, 'validation_failed');
    const closed = await c.staff.request('PATCH', thread(t.id), { body: { status: 'closed' } });
    assert.equal(closed.body.status, 'closed');
    const p = await c.session.request('POST', `messages/${t.id}`, { body: { body: 'Bir şey daha' } });
    assertProblem(p, 409, 'thread_closed');
    assertProblem(await c.staff.request('POST', thread(t.id), { body: { body: 'Cevap' } }), 409, 'thread_closed');
    const mine = await c.session.request('GET', `messages/${t.id}`);
    assert.equal(mine.body.status, 'closed', 'the patient sees that it is closed');
    // A new one can be started.
    await patientThread(c.session, { subject: 'Yeni konu', topic: 'billing' });
    const reopened = await c.staff.request('PATCH', thread(t.id), { body: { status: 'open', assigned_to: null } });
    assert.deepEqual([reopened.body.status, reopened.body.assigned_to], ['open', null]);
    assert.equal((await c.session.request('POST', `messages/${t.id}`, { body: { body: 'Bir şey daha' } })).status, 201);
    const reply = await c.staff.request('POST', thread(t.id), { body: { body: 'Cevap-GIZLI' } });
    assert.equal(reply.status, 201);
    const rows = auditOf(c.clinic.id, t.id);
    assert.deepEqual(rows.map((r) => r[0]), ['message.thread.update', 'message.thread.update', 'message.thread.update',
      'message.reply']);
    assert.deepEqual([rows[1][1].status, rows[1][2].status], ['open', 'closed']);
    assert.ok(!JSON.stringify(rows).includes('GIZLI'), 'the audit carries a subject or a body');
    const started = await clinicThread(c.staff, c.patient.id, { subject: 'Konu-GIZLI', body: 'Gövde-GIZLI' });
    const startRows = auditOf(c.clinic.id, started.id);
    assert.deepEqual(startRows.map((r) => r[0]), ['message.thread.create']);
    assert.ok(!JSON.stringify(startRows).includes('GIZLI'));
  });

  test('the inbox filters: status, topic, assigned_to (id, me, none), unread, patient_id; paging by cursor', async () => {
    const c = await msgClinic({ patients: 2 });
    const [p1, p2] = c.patients;
    const t1 = await patientThread(p1.session, { topic: 'appointment' });
    const t2 = await patientThread(p2.session, { topic: 'billing' });
    const t3 = await clinicThread(c.owner, p1.patient.id, { topic: 'clinical' });
    await c.staff.request('PATCH', thread(t2.id), { body: { assigned_to: c.staff.staff.id } });
    await c.staff.request('PATCH', thread(t3.id), { body: { status: 'closed', assigned_to: c.admin.staff.id } });
    const ids = async (q, who = c.staff) => {
      const res = await who.request('GET', `${CLINIC_MESSAGES}${q}`);
      assert.equal(res.status, 200, `${q}: ${res.text}`);
      return res.body.items.map((x) => x.id);
    };
    assert.deepEqual(await ids(''), [t3.id, t2.id, t1.id], 'newest activity first');
    assert.deepEqual(await ids('?status=closed'), [t3.id]);
    assert.deepEqual(await ids('?status=open'), [t2.id, t1.id]);
    assert.deepEqual(await ids('?topic=billing'), [t2.id]);
    assert.deepEqual(await ids('?assigned_to=me'), [t2.id]);
    assert.deepEqual(await ids(`?assigned_to=${c.admin.staff.id}`), [t3.id]);
    assert.deepEqual(await ids('?assigned_to=none'), [t1.id]);
    assert.deepEqual(await ids('?unread=true'), [t2.id, t1.id]);
    assert.deepEqual(await ids('?unread=false'), [t3.id]);
    assert.deepEqual(await ids(`?patient_id=${p1.patient.id}`), [t3.id, t1.id]);
    assert.deepEqual(await ids(`?patient_id=${p1.patient.id}&status=open&unread=true&topic=appointment&assigned_to=none`), [t1.id]);
    const page1 = await c.staff.request('GET', `${CLINIC_MESSAGES}?limit=2`);
    assert.deepEqual(page1.body.items.map((x) => x.id), [t3.id, t2.id]);
    assert.equal(page1.body.next_cursor, t2.id);
    assert.deepEqual(await ids(`?limit=2&cursor=${page1.body.next_cursor}`), [t1.id]);
    for (const q of ['?status=x', '?topic=x', '?assigned_to=x', '?unread=maybe', '?patient_id=x', '?limit=101', '?cursor=x']) {
      assertProblem(await c.staff.request('GET', `${CLINIC_MESSAGES}${q}`), 422, 'validation_failed', q);
    }
    assertProblem(await c.key.request('GET', `${CLINIC_MESSAGES}?assigned_to=me`), 422, 'validation_failed', 'me with a key');
  });

  test("a thread's messages page by 100, oldest first", async () => {
    const c = await msgClinic();
    const t = await clinicThread(c.owner, c.patient.id, { body: 'm0' });
    for (let i = 1; i < 105; i++) {
      const res = await c.owner.request('POST', thread(t.id), { body: { body: `m${i}` } });
      assert.equal(res.status, 201, res.text);
    }
    const first = await c.session.request('GET', `messages/${t.id}`);
    assert.equal(first.body.messages.length, 100);
    assert.equal(first.body.messages[0].body, 'm0');
    assert.equal(first.body.messages[99].body, 'm99');
    assert.ok(first.body.next_cursor);
    const second = await c.session.request('GET', `messages/${t.id}?cursor=${first.body.next_cursor}`);
    assert.deepEqual(second.body.messages.map((m) => m.body), ['m100', 'm101', 'm102', 'm103', 'm104']);
    assert.equal(second.body.next_cursor, null);
    assertProblem(await c.session.request('GET', `messages/${t.id}?cursor=nope`), 422, 'validation_failed');
  });
});

describe('input', () => {
  test('bodies and subjects are stored byte for byte and answered as JSON text: markup, javascript: links, RTL overrides', async () => {
    const c = await msgClinic();
    const bodies = [
      '<script>alert(1)</script>',
      '<img src=x onerror="alert(2)">',
      '[tıkla](javascript:alert(3)) <a href="javascript:alert(4)">x</a>',
      'Fatura \u202Egpj.exe\u202C ve \u2066izole\u2069 metin',
      'Satır 1\nSatır 2\n\n  girintili  \n"tırnak" \\ ters bölü & < > \' 😀',
    ];
    const t = await patientThread(c.session, { subject: '<script>alert("s")</script> & <b>', body: bodies[0] });
    assert.equal(t.subject, '<script>alert("s")</script> & <b>');
    for (const b of bodies.slice(1)) {
      assert.equal((await c.session.request('POST', `messages/${t.id}`, { body: { body: b } })).status, 201);
    }
    for (const b of bodies) {
      assert.equal((await c.staff.request('POST', thread(t.id), { body: { body: b } })).status, 201);
    }
    const staffView = await c.staff.request('GET', thread(t.id));
    assert.match(staffView.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(staffView.body.messages.map((m) => m.body), [...bodies, ...bodies]);
    assert.equal(staffView.body.subject, '<script>alert("s")</script> & <b>');
    const patientView = await c.session.request('GET', `messages/${t.id}`);
    assert.deepEqual(patientView.body.messages.map((m) => m.body), [...bodies, ...bodies]);
    assert.equal(psql(`SELECT body FROM messages WHERE thread_id = '${t.id}' AND seq = 4`), bodies[3]);
  });

  test('refused: an RTL override or a line break in the subject, an empty or too long body, a control character, an unknown topic or field', async () => {
    const c = await msgClinic();
    const t = await clinicThread(c.owner, c.patient.id);
    const cases = [
      [{ subject: 'Fatura \u202Egpj.exe', topic: 'billing', body: 'x' }, 'subject'],
      [{ subject: '\u2066izole\u2069', topic: 'billing', body: 'x' }, 'subject'],
      [{ subject: 'bir\niki', topic: 'billing', body: 'x' }, 'subject'],
      [{ subject: 'x'.repeat(201), topic: 'billing', body: 'x' }, 'subject'],
      [{ subject: 'x', topic: 'billing', body: '   ' }, 'body'],
      [{ subject: 'x', topic: 'billing', body: 'ç'.repeat(5001) }, 'body'],
      [{ subject: 'x', topic: 'billing', body: 'a\u0007b' }, 'body'],
      [{ subject: 'x', topic: 'spam', body: 'x' }, 'topic'],
      [{ subject: 'x', topic: 'billing' }, 'body'],
      [{ subject: 'x', topic: 'billing', body: 'x', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      for (const res of [await c.session.request('POST', 'messages', { body }),
        await c.owner.request('POST', CLINIC_MESSAGES, { body: { patient_id: c.patient.id, ...body } })]) {
        assertProblem(res, 422, 'validation_failed', JSON.stringify(body).slice(0, 60));
        assert.ok(res.body.errors.some((e) => e.field === field), `${field}: ${res.text}`);
      }
    }
    // 5000 characters (not bytes) are fine.
    const long = 'ğ'.repeat(5000);
    assert.equal((await c.session.request('POST', `messages/${t.id}`, { body: { body: long } })).status, 201);
    assertProblem(await c.session.request('POST', `messages/${t.id}`, { body: { body: '' } }), 422, 'validation_failed');
    assert.equal(psql(`SELECT count(*) FROM message_threads WHERE patient_id = '${c.patient.id}'`), '1', 'a refused thread was stored');
  });
});

describe('the rate of a patient\'s messages', () => {
  test('past message_rate_per_hour an hour: 429 rate_limited with Retry-After; staff are not limited; another patient is not', async () => {
    const c = await msgClinic({ patients: 2 });
    const max = Number(confValue('message_rate_per_hour') ?? 20);
    assert.ok(max <= 100, `message_rate_per_hour ${max}: too many to fill in a test`);
    const t = await patientThread(c.session);
    for (let i = 1; i < max; i++) {
      const res = await c.session.request('POST', `messages/${t.id}`, { body: { body: `mesaj ${i}` } });
      assert.equal(res.status, 201, `message ${i + 1}: ${res.text}`);
    }
    for (const res of [await c.session.request('POST', `messages/${t.id}`, { body: { body: 'bir fazla' } }),
      await c.session.request('POST', 'messages', { body: { subject: 'Yeni', topic: 'other', body: 'bir fazla' } })]) {
      assertProblem(res, 429, 'rate_limited');
      const retry = Number(res.headers.get('retry-after'));
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 3600, `Retry-After ${res.headers.get('retry-after')}`);
    }
    assert.equal(threadCounts(t.id).rows, max);
    assert.equal((await c.staff.request('POST', thread(t.id), { body: { body: 'Personel sınırsız' } })).status, 201);
    assert.equal((await patientThread(c.patients[1].session)).status, 'open');
  });
});

describe('automatic first answers', () => {
  test('owner and admin set them per topic; staff and read keys may not; a patient thread of the topic gets one in the patient\'s language, unread, with no notice', async () => {
    const c = await msgClinic();
    const AR = `${CLINIC_MESSAGES}/auto-replies`;
    const initial = await c.admin.request('GET', AR);
    assert.equal(initial.status, 200, initial.text);
    const off = { enabled: false, reply_within_hours: 24, body: { tr: null, en: null } };
    assert.deepEqual(initial.body, { appointment: off, billing: off, clinical: off, other: off });
    assertProblem(await c.staff.request('GET', AR), 403, 'forbidden_role');
    const put = {
      ...initial.body,
      clinical: { enabled: true, reply_within_hours: 48, body: { tr: 'Mesajınızı aldık; {{reply_within_hours}} saat içinde yanıtlayacağız.', en: 'Got it; we answer within {{reply_within_hours}} hours.' } },
      billing: { enabled: true, reply_within_hours: 8, body: { tr: 'Muhasebe {{reply_within_hours}} saat içinde döner.', en: null } },
    };
    assertProblem(await c.staff.request('PUT', AR, { body: put }), 403, 'forbidden_role');
    assertProblem(await c.key.request('PUT', AR, { body: put }), 403, 'forbidden_role');
    const saved = await c.owner.request('PUT', AR, { body: put });
    assert.equal(saved.status, 200, saved.text);
    assert.deepEqual(saved.body, put);
    assert.deepEqual((await c.admin.request('GET', AR)).body, put);
    // Refused: a topic missing, an enabled one without a text, hours out of range.
    const { other: _o, ...missing } = put;
    assertProblem(await c.owner.request('PUT', AR, { body: missing }), 422, 'validation_failed');
    const bad = await c.owner.request('PUT', AR, { body: { ...put, other: { enabled: true, reply_within_hours: 0, body: { tr: null, en: null } } } });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['other.body', 'other.reply_within_hours']);
    // The patient (Turkish) writes about a clinical matter: the Turkish answer follows.
    const before = newMessageNotices(c.patient.id).length;
    const t = await patientThread(c.session, { topic: 'clinical' });
    assert.equal(t.unread, 1, 'the automatic answer is unread for the patient');
    const read = await c.session.request('GET', `messages/${t.id}`);
    assert.deepEqual(read.body.messages.map((m) => [m.author.kind, m.automatic, m.body]),
      [['patient', false, 'Merhaba'], ['staff', true, 'Mesajınızı aldık; 48 saat içinde yanıtlayacağız.']]);
    assert.deepEqual(read.body.messages[1].author, { kind: 'staff', id: null, name: c.clinic.name });
    assert.equal(newMessageNotices(c.patient.id).length, before, 'an automatic answer queues no notice');
    // Staff still see the patient's message unread; an English patient gets the Turkish text
    // when the topic has no English one.
    const inbox = await c.staff.request('GET', `${CLINIC_MESSAGES}?unread=true`);
    assert.deepEqual(inbox.body.items.map((x) => [x.id, x.unread]), [[t.id, 1]]);
    const en = await msgPatient(c, { language: 'en' });
    const tEn = await patientThread(en.session, { topic: 'billing' });
    const enRead = await en.session.request('GET', `messages/${tEn.id}`);
    assert.equal(enRead.body.messages[1].body, 'Muhasebe 8 saat içinde döner.');
    const tEn2 = await patientThread(en.session, { topic: 'clinical' });
    assert.equal((await en.session.request('GET', `messages/${tEn2.id}`)).body.messages[1].body, 'Got it; we answer within 48 hours.');
    // A topic without one, and a clinic-started thread: none.
    const plain = await patientThread(c.session, { topic: 'other' });
    assert.equal(plain.unread, 0);
    const started = await clinicThread(c.owner, c.patient.id, { topic: 'clinical' });
    assert.equal(threadCounts(started.id).rows, 1);
  });
});

describe('API keys', () => {
  test('a read key lists the inbox and the count, but reading a thread marks it read, so it needs write', async () => {
    const c = await msgClinic();
    const t = await patientThread(c.session);
    const read = withKey(makeApiKey(c.clinic.id, 'read'));
    assert.equal((await read.request('GET', CLINIC_MESSAGES)).status, 200);
    assert.equal((await read.request('GET', `${CLINIC_MESSAGES}/unread-count`)).status, 200);
    assertProblem(await read.request('GET', thread(t.id)), 403, 'forbidden_role');
    assertProblem(await read.request('POST', thread(t.id), { body: { body: 'x' } }), 403, 'forbidden_role');
    assert.equal(threadCounts(t.id).staff_unread, 1, 'a refused read marked the thread read');
    const write = await c.key.request('GET', thread(t.id));
    assert.equal(write.status, 200, write.text);
    assert.equal(threadCounts(t.id).staff_unread, 0);
  });
});

describe('the unread count is a light poll', () => {
  test('304 while unchanged, never another clinic\'s (its round trips: round_trips.test.mjs)', async () => {
    const c = await msgClinic();
    await patientThread(c.session);
    const first = await c.staff.request('GET', `${CLINIC_MESSAGES}/unread-count`);
    assert.deepEqual(first.body, { threads: 1, messages: 1 });
    const bCount = await B.owner.request('GET', `${CLINIC_MESSAGES}/unread-count`);
    assert.notEqual(bCount.headers.get('etag'), null);
    const again = await c.key.request('GET', `${CLINIC_MESSAGES}/unread-count`, { headers: { 'if-none-match': first.headers.get('etag') } });
    assert.equal(again.status, 304);
    assertProblem(await api('GET', `${CLINIC_MESSAGES}/unread-count`), 401, 'not_authenticated');
  });
});
