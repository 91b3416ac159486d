// The clinic's deliveries (issue 5; DESIGN.md sections 6 and 10): the outbox as the clinic
// sees it. The list newest first with filters (status, channel, purpose, patient_id) and cursor
// paging (limit up to 100, bad values 422); one delivery; a sign-in code's body is never shown
// (and is wiped in the outbox once sent or dead); a dead message (the SMS sink refusing with
// 400) can be retried — queued again with attempts 0, then sent — while a sent one or a
// sign-in code cannot (409 conflict); another clinic's deliveries are 404; a read key reads
// but may not retry. Issue 9: a secret message (a one-time code) is answered without its subject
// and body, whatever its template says and whatever the patient is called; malformed query
// values are 400, unknown ones 422.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { api, assertProblem, psql, waitFor } from './lib/client.mjs';
import {
  codeIn, enablePortal, makeApiKey, makeClinic, makePatient, nextMessage, portalPath, signIn, sinkMark,
  uniqueEmail, uniquePhone, withKey,
} from './lib/fixtures.mjs';
import { sinkPorts, smsMessages } from './lib/sinks.mjs';

const DELIVERIES = '/api/v1/clinic/deliveries';
const one = (id) => `${DELIVERIES}/${id}`;
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field).sort();
const sorted = (a) => [...a].sort();

let clinic;
let owner;
let staff;
let p1;
let p2;
const ids = {};

async function waitStatus(s, id, status) {
  return waitFor(async () => {
    const res = await s.request('GET', one(id));
    return res.body.status === status ? res.body : false;
  }, { timeoutMs: 30_000, intervalMs: 250, what: `delivery ${id} ${status}` });
}

// Makes the SMS sink refuse the next message to phone with 400 (a permanent failure).
async function refuseNextSms(phone, status = 400) {
  const res = await fetch(`http://127.0.0.1:${sinkPorts().sms}/_control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status, count: 1, to: phone }),
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(res.status, 200, `sink /_control: ${await res.text()}`);
}

// Walks the list with the given query and page size; returns {items, pages}.
async function walk(s, query, limit, maxPages = 20) {
  const items = [];
  const pages = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    const res = await s.request('GET', `${DELIVERIES}?${params}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.items.length <= limit);
    items.push(...res.body.items);
    pages.push(res.body.items.length);
    cursor = res.body.next_cursor;
    if (cursor === null) return { items, pages };
  }
  throw new Error(`more than ${maxPages} pages`);
}

before(async () => {
  clinic = makeClinic();
  [owner, staff] = await Promise.all([signIn(clinic.logins.owner), signIn(clinic.logins.staff)]);
  await enablePortal(owner, clinic);
  p1 = await makePatient(staff, { phone: uniquePhone(), email: uniqueEmail() });
  p2 = await makePatient(staff, { phone: uniquePhone() });
  const first = await staff.request('POST', `/api/v1/clinic/patients/${p1.id}/invitations`, { body: { channels: ['sms', 'email'] } });
  assert.equal(first.status, 201, first.text);
  ids.p1sms = first.body.deliveries.find((d) => d.channel === 'sms').id;
  ids.p1email = first.body.deliveries.find((d) => d.channel === 'email').id;
  const second = await staff.request('POST', `/api/v1/clinic/patients/${p2.id}/invitations`, { body: { channels: ['sms'] } });
  assert.equal(second.status, 201, second.text);
  ids.p2sms = second.body.deliveries[0].id;
  // A sign-in code for p2.
  const mark = sinkMark();
  const start = await api('POST', portalPath(clinic.code, 'login/start'), { body: { contact: p2.phone } });
  assert.equal(start.status, 202, start.text);
  await nextMessage(p2.phone, mark);
  const codes = await staff.request('GET', `${DELIVERIES}?purpose=sign_in_code`);
  assert.equal(codes.body.items.length, 1, codes.text);
  ids.p2code = codes.body.items[0].id;
  for (const id of Object.values(ids)) await waitStatus(staff, id, 'sent');
});

describe('list', () => {
  test('newest first, every delivery of the clinic once', async () => {
    const res = await staff.request('GET', DELIVERIES);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(sorted(res.body.items.map((d) => d.id)), sorted(Object.values(ids)));
    assert.equal(res.body.next_cursor, null);
    const times = res.body.items.map((d) => Date.parse(d.created_at));
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] >= times[i], 'not newest first');
    assert.equal(res.body.items[0].id, ids.p2code, 'the sign-in code came last');
    for (const d of res.body.items) {
      assert.equal(d.status, 'sent');
      assert.ok(d.sent_at, 'sent_at of a sent delivery');
      assert.ok(d.attempts >= 1);
    }
  });

  test('filters: channel, purpose, patient_id, status, and together', async () => {
    const list = async (q) => {
      const res = await staff.request('GET', `${DELIVERIES}?${q}`);
      assert.equal(res.status, 200, `${q}: ${res.text}`);
      return sorted(res.body.items.map((d) => d.id));
    };
    assert.deepEqual(await list('channel=email'), [ids.p1email]);
    assert.deepEqual(await list('channel=sms'), sorted([ids.p1sms, ids.p2sms, ids.p2code]));
    assert.deepEqual(await list('purpose=portal_invitation'), sorted([ids.p1sms, ids.p1email, ids.p2sms]));
    assert.deepEqual(await list('purpose=sign_in_code'), [ids.p2code]);
    assert.deepEqual(await list(`patient_id=${p1.id}`), sorted([ids.p1sms, ids.p1email]));
    assert.deepEqual(await list(`patient_id=${p2.id}`), sorted([ids.p2sms, ids.p2code]));
    assert.deepEqual(await list('status=sent'), sorted(Object.values(ids)));
    assert.deepEqual(await list('status=dead'), []);
    assert.deepEqual(await list('status=queued'), []);
    assert.deepEqual(await list(`channel=sms&purpose=portal_invitation&patient_id=${p2.id}`), [ids.p2sms]);
    assert.deepEqual(await list(`patient_id=${randomUUID()}`), []);
  });

  test('cursor paging: limit=1 and limit=3 walk the same list; limit=100 is one page', async () => {
    const all = (await staff.request('GET', DELIVERIES)).body.items.map((d) => d.id);
    const byOne = await walk(staff, {}, 1);
    assert.deepEqual(byOne.items.map((d) => d.id), all);
    assert.deepEqual(byOne.pages, [1, 1, 1, 1]);
    const byThree = await walk(staff, {}, 3);
    assert.deepEqual(byThree.items.map((d) => d.id), all);
    assert.deepEqual(byThree.pages, [3, 1]);
    const filtered = await walk(staff, { channel: 'sms' }, 2);
    assert.deepEqual(filtered.items.map((d) => d.id), all.filter((id) => id !== ids.p1email));
    assert.deepEqual((await walk(staff, {}, 100)).pages, [4]);
  });

  test('limit outside 1..100, unknown filter values and forged cursors are 422 naming the parameter', async () => {
    for (const [q, field] of [
      ['limit=101', 'limit'], ['limit=0', 'limit'], ['limit=abc', 'limit'],
      ['status=lost', 'status'], ['channel=fax', 'channel'], ['purpose=spam', 'purpose'],
      ['patient_id=nope', 'patient_id'],
      ['cursor=garbage', 'cursor'], [`cursor=${randomUUID()}`, 'cursor'],
    ]) {
      const res = await staff.request('GET', `${DELIVERIES}?${q}`);
      assertProblem(res, 422, 'validation_failed', q);
      assert.deepEqual(fieldsOf(res), [field], `${q}: ${res.text}`);
    }
    assert.equal((await staff.request('GET', `${DELIVERIES}?limit=100`)).status, 200);
  });

  test('a query value that is not text is 400 bad_request, never an unfiltered list (issue 9)', async () => {
    for (const q of ['patient_id=%ff', 'status=%00', 'channel=%c3', 'purpose=a%00b']) {
      assertProblem(await staff.request('GET', `${DELIVERIES}?${q}`), 400, 'bad_request', q);
    }
    const nonsense = await staff.request('GET', `${DELIVERIES}?purpose=nonsense`);
    assertProblem(nonsense, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(nonsense), ['purpose']);
  });
});

describe('one delivery', () => {
  test('GET answers what the list shows', async () => {
    const list = (await staff.request('GET', DELIVERIES)).body.items;
    for (const d of list) {
      const res = await staff.request('GET', one(d.id));
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, d);
    }
    const email = (await staff.request('GET', one(ids.p1email))).body;
    assert.deepEqual([email.channel, email.purpose, email.recipient, email.patient_id, email.portal_code],
      ['email', 'portal_invitation', p1.email, p1.id, clinic.code]);
    assert.ok(email.subject && email.body);
  });

  test("a sign-in code's body is null in the API and wiped in the outbox once sent", async () => {
    const d = (await staff.request('GET', one(ids.p2code))).body;
    assert.equal(d.purpose, 'sign_in_code');
    assert.equal(d.body, null);
    const listed = (await staff.request('GET', `${DELIVERIES}?purpose=sign_in_code`)).body.items[0];
    assert.equal(listed.body, null);
    assert.equal(psql(`SELECT body FROM outbox WHERE id = '${ids.p2code}'`), '', 'the sent code is still in the outbox');
    // The patient's invitation list holds invitations only.
    const inv = await staff.request('GET', `/api/v1/clinic/patients/${p2.id}/invitations`);
    assert.deepEqual(inv.body.items.map((x) => x.id), [ids.p2sms]);
  });

  test("another clinic's delivery, an unknown id and a non-uuid are 404 not_found", async () => {
    const other = makeClinic();
    const otherOwner = await signIn(other.logins.owner);
    const otherKey = withKey(makeApiKey(other.id, 'read,write'));
    for (const s of [otherOwner, otherKey]) {
      assertProblem(await s.request('GET', one(ids.p1sms)), 404, 'not_found', 'foreign GET');
      assertProblem(await s.request('POST', `${one(ids.p1sms)}/retry`), 404, 'not_found', 'foreign retry');
      const list = await s.request('GET', `${DELIVERIES}?patient_id=${p1.id}`);
      assert.deepEqual(list.body.items, []);
    }
    assertProblem(await staff.request('GET', one(randomUUID())), 404, 'not_found', 'unknown');
    assertProblem(await staff.request('POST', `${one(randomUUID())}/retry`), 404, 'not_found', 'unknown retry');
    assertProblem(await staff.request('GET', one('not-a-uuid')), 404, 'not_found', 'non-uuid');
    assertProblem(await staff.request('POST', `${one('not-a-uuid')}/retry`), 404, 'not_found', 'non-uuid retry');
  });
});

describe('secret messages (issue 9, item 2)', () => {
  test('every delivery says whether it is secret; invitations are not, codes are', async () => {
    const res = await staff.request('GET', DELIVERIES);
    for (const d of res.body.items) assert.equal(d.secret, d.purpose === 'sign_in_code', d.purpose);
  });

  test('a patient named {{otp}} signs in by email under a subject that names them: the mail says the name as written, and staff see no code', async () => {
    const c = makeClinic();
    const [cOwner, cAdmin, cStaff] = await Promise.all([signIn(c.logins.owner), signIn(c.logins.admin), signIn(c.logins.staff)]);
    await enablePortal(cOwner, c);
    const tpl = (await cAdmin.request('GET', '/api/v1/clinic/templates?channel=email&purpose=sign_in_code')).body.items[0];
    const put = await cAdmin.request('PUT', `/api/v1/clinic/templates/${tpl.id}`, {
      body: { name: tpl.name, channel: 'email', purpose: 'sign_in_code', variants: {
        tr: { subject: 'Kodunuz, {{patient_first_name}}', body: tpl.variants.tr.body },
        en: { subject: 'Your code, {{patient_first_name}}', body: tpl.variants.en.body } } },
    });
    assert.equal(put.status, 200, put.text);
    const email = uniqueEmail('otp');
    await makePatient(cStaff, { first_name: '{{otp}}', email, language: 'en' });
    const mark = sinkMark();
    const start = await api('POST', portalPath(c.code, 'login/start'), { body: { contact: email } });
    assert.equal(start.status, 202, start.text);
    const msg = await nextMessage(email, mark);
    const otp = codeIn(msg.text);
    assert.ok(otp, msg.text);
    assert.equal(msg.subject, 'Your code, {{otp}}');
    assert.ok(msg.text.includes('Hello {{otp}},'), msg.text);
    assert.equal(msg.text.split(otp).length, 2, 'the code once, where the template put it');

    for (const s of [cStaff, withKey(makeApiKey(c.id, 'read'))]) {
      const list = await s.request('GET', `${DELIVERIES}?purpose=sign_in_code`);
      assert.equal(list.status, 200, list.text);
      const d = list.body.items.find((x) => x.recipient === email);
      assert.ok(d, list.text);
      assert.deepEqual([d.secret, d.subject, d.body], [true, null, null]);
      assert.ok(!list.text.includes(otp), 'the list answers the code');
      const one = await s.request('GET', `${DELIVERIES}/${d.id}`);
      assert.ok(!one.text.includes(otp), 'the delivery answers the code');
      assert.ok(!(await s.request('GET', DELIVERIES)).text.includes(otp), 'the whole list answers the code');
    }
  });
});

describe('retry', () => {
  test('a dead message is queued again with attempts 0, then sent; a sent one is 409 conflict', async () => {
    const phone = uniquePhone();
    const p = await makePatient(staff, { phone });
    await refuseNextSms(phone, 400);
    const d = (await staff.request('POST', `/api/v1/clinic/patients/${p.id}/invitations`, { body: { channels: ['sms'] } })).body.deliveries[0];
    const dead = await waitStatus(staff, d.id, 'dead');
    assert.ok(dead.last_error, 'a dead delivery says why');
    assert.equal(dead.sent_at, null);
    assert.ok(!smsMessages().some((m) => m.reference === d.id), 'a refused message reached the sink');
    assert.deepEqual((await staff.request('GET', `${DELIVERIES}?status=dead`)).body.items.map((x) => x.id), [d.id]);

    const mark = sinkMark();
    const retried = await staff.request('POST', `${one(d.id)}/retry`);
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.body.id, d.id);
    assert.equal(retried.body.status, 'queued');
    assert.equal(retried.body.attempts, 0);
    assert.equal(retried.body.body, d.body);
    const sent = await waitStatus(staff, d.id, 'sent');
    assert.ok(sent.sent_at);
    const msg = await nextMessage(phone, mark);
    assert.equal(msg.reference, d.id);
    assert.equal(msg.text, d.body);

    assertProblem(await staff.request('POST', `${one(d.id)}/retry`), 409, 'conflict', 'retry of a sent message');
    assertProblem(await staff.request('POST', `${one(ids.p1email)}/retry`), 409, 'conflict', 'retry of a sent email');
  });

  test('a dead sign-in code cannot be retried (its body is gone): 409 conflict', async () => {
    const phone = uniquePhone();
    await makePatient(staff, { phone });
    await refuseNextSms(phone, 400);
    const start = await api('POST', portalPath(clinic.code, 'login/start'), { body: { contact: phone } });
    assert.equal(start.status, 202, start.text);
    const found = await waitFor(async () => {
      const res = await staff.request('GET', `${DELIVERIES}?purpose=sign_in_code&status=dead`);
      return res.body.items.find((x) => x.recipient === phone);
    }, { timeoutMs: 30_000, intervalMs: 250, what: 'the dead sign-in code' });
    assert.equal(found.body, null);
    assert.equal(psql(`SELECT body FROM outbox WHERE id = '${found.id}'`), '', 'the dead code is still in the outbox');
    assertProblem(await staff.request('POST', `${one(found.id)}/retry`), 409, 'conflict', 'retry of a sign-in code');
    assert.equal((await staff.request('GET', one(found.id))).body.status, 'dead');
  });

  test('a read key lists and reads but may not retry; a write key may', async () => {
    const reader = withKey(makeApiKey(clinic.id, 'read'));
    assert.equal((await reader.request('GET', DELIVERIES)).status, 200);
    assert.equal((await reader.request('GET', one(ids.p1sms))).status, 200);
    const phone = uniquePhone();
    const p = await makePatient(staff, { phone });
    await refuseNextSms(phone, 400);
    const d = (await staff.request('POST', `/api/v1/clinic/patients/${p.id}/invitations`, { body: { channels: ['sms'] } })).body.deliveries[0];
    await waitStatus(staff, d.id, 'dead');
    assertProblem(await reader.request('POST', `${one(d.id)}/retry`), 403, 'forbidden_role', 'read key');
    assertProblem(await api('POST', `${one(d.id)}/retry`), 401, 'not_authenticated', 'nobody');
    assert.equal((await staff.request('GET', one(d.id))).body.status, 'dead');
    const writer = withKey(makeApiKey(clinic.id, 'read,write'));
    const res = await writer.request('POST', `${one(d.id)}/retry`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'queued');
    await waitStatus(staff, d.id, 'sent');
  });
});
