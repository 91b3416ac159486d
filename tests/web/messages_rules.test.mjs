// Messages screen rules (issue 14), no stack needed: topic and status names, the unread
// badge, the inbox query string, the Retry-After wait in words, what may be sent, authors and
// assignees as the reader sees them, the patient app's routes, and the automatic answers'
// form and PUT body.
// Run: node --test tests/web/messages_rules.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assigneeLabel, authorLabel, autoRepliesBody, autoRepliesForm, autoRepliesProblems, bodyProblems, emptyFilters,
  filtered, inboxQuery, MESSAGE_NEEDS, messageRoute, oldestFirst, retryWait, statusKey, threadBody, threadProblems,
  topicKey, TOPICS, unreadBadge,
} from '../../web/src/messageRules.js';
import { catalogs } from '../../web/src/i18n/index.js';

test('every topic and status has a name in both catalogs; an unknown topic reads as other', () => {
  assert.deepEqual(TOPICS, ['appointment', 'billing', 'clinical', 'other']);
  for (const lang of ['tr', 'en']) {
    for (const topic of TOPICS) assert.ok(catalogs[lang][topicKey(topic)], `${lang} ${topic}`);
    for (const status of ['open', 'closed']) assert.ok(catalogs[lang][statusKey(status)], `${lang} ${status}`);
  }
  assert.equal(topicKey('nonsense'), 'messages.topic.other');
});

test('the unread badge: nothing for 0, the number up to 99, then 99+', () => {
  assert.equal(unreadBadge(0), '');
  assert.equal(unreadBadge(null), '');
  assert.equal(unreadBadge(-1), '');
  assert.equal(unreadBadge(1), '1');
  assert.equal(unreadBadge(99), '99');
  assert.equal(unreadBadge(100), '99+');
});

test('the inbox query: only the filters set, unread=true, assigned_to me / none / an id, and the cursor', () => {
  assert.equal(inboxQuery(emptyFilters()), 'limit=50');
  assert.equal(inboxQuery({ status: 'open', topic: 'billing', assigned: 'me', unread: true, patient_id: 'p1' }, { cursor: 'c 1' }),
    'status=open&topic=billing&assigned_to=me&unread=true&patient_id=p1&limit=50&cursor=c+1');
  assert.equal(inboxQuery({ assigned: 'none' }, { limit: 20 }), 'assigned_to=none&limit=20');
  assert.equal(inboxQuery({ status: 'bogus', topic: 'x' }), 'limit=50', 'unknown values are not sent');
  assert.equal(filtered(emptyFilters()), false);
  assert.equal(filtered({ ...emptyFilters(), unread: true }), true);
});

test('Retry-After in words: seconds under 90, minutes under 90 minutes, else hours, rounded up', () => {
  assert.equal(retryWait(null), null);
  assert.equal(retryWait(0), null);
  assert.deepEqual(retryWait(1), { key: 'messages.retry.seconds', count: 1 });
  assert.deepEqual(retryWait(89.2), { key: 'messages.retry.seconds', count: 90 });
  assert.deepEqual(retryWait(90), { key: 'messages.retry.minutes', count: 2 });
  assert.deepEqual(retryWait(3599), { key: 'messages.retry.minutes', count: 60 });
  assert.deepEqual(retryWait(5400), { key: 'messages.retry.hours', count: 2 });
  for (const lang of ['tr', 'en']) assert.match(catalogs[lang]['messages.rateLimitedWait'], /\{wait\}/);
});

test('what may be sent: a body of 1 to 5000 characters, a subject up to 200, a known topic', () => {
  assert.deepEqual(bodyProblems('  \n '), ['messages.error.bodyRequired']);
  assert.deepEqual(bodyProblems('x'.repeat(5000)), []);
  assert.deepEqual(bodyProblems('ş'.repeat(5001)), ['messages.error.bodyTooLong']);
  assert.deepEqual(threadProblems({ subject: '', topic: '', body: '' }), {
    subject: 'messages.error.subjectRequired', topic: 'messages.error.topicRequired', body: 'messages.error.bodyRequired',
  });
  assert.deepEqual(threadProblems({ subject: 'a'.repeat(201), topic: 'other', body: 'b' }), { subject: 'messages.error.subjectTooLong' });
  assert.deepEqual(threadProblems({ subject: 'Soru', topic: 'billing', body: 'Merhaba' }), {});
});

test('the bodies of POST: the subject trimmed, the body as typed (markup is only text), the patient for the clinic', () => {
  const body = '<script>x</script>\n  ikinci satır';
  assert.deepEqual(threadBody({ subject: ' Soru ', topic: 'other', body }), { subject: 'Soru', topic: 'other', body });
  assert.deepEqual(threadBody({ subject: 'S', topic: 'clinical', body: 'b' }, 'pid'),
    { patient_id: 'pid', subject: 'S', topic: 'clinical', body: 'b' });
});

test('authors and assignees as the reader sees them', () => {
  const staffMsg = { author: { kind: 'staff', name: 'Dr. Can' } };
  const patientMsg = { author: { kind: 'patient', name: 'Ayşe Y' } };
  assert.deepEqual(authorLabel(staffMsg, 'patient'), { key: 'messages.author.clinic', params: { name: 'Dr. Can' } });
  assert.deepEqual(authorLabel(patientMsg, 'patient'), { key: 'messages.author.you', params: {} });
  assert.deepEqual(authorLabel(patientMsg, 'staff'), { key: 'messages.author.named', params: { name: 'Ayşe Y' } });
  assert.deepEqual(authorLabel({ ...staffMsg, automatic: true }, 'patient'), { key: 'messages.author.automatic', params: {} });
  assert.deepEqual(assigneeLabel({ assigned_to: null }, 'me'), { key: 'messages.assigned.nobody', params: {} });
  assert.deepEqual(assigneeLabel({ assigned_to: 'me' }, 'me'), { key: 'messages.assigned.me', params: {} });
  assert.deepEqual(assigneeLabel({ assigned_to: 'x', assigned_to_name: 'Ali' }, 'me'), { key: 'messages.assigned.named', params: { name: 'Ali' } });
});

test('messages oldest first, each once', () => {
  const a = { id: 'a', created_at: '2026-01-01T10:00:00Z' };
  const b = { id: 'b', created_at: '2026-01-01T11:00:00Z' };
  assert.deepEqual(oldestFirst([b, a, b]).map((m) => m.id), ['a', 'b']);
});

test("the patient app's routes and the permission each needs", () => {
  const id = '0b6f6a4e-3f0b-4a47-9d7e-2f9a9f0c1d2e';
  assert.deepEqual(messageRoute('messages'), { screen: 'list', id: null });
  assert.deepEqual(messageRoute('messages/new'), { screen: 'new', id: null });
  assert.deepEqual(messageRoute(`messages/${id}`), { screen: 'thread', id });
  assert.equal(messageRoute('messages/not-an-id'), null);
  assert.equal(messageRoute(`messages/${id}/x`), null);
  assert.equal(messageRoute('documents'), null);
  assert.deepEqual(MESSAGE_NEEDS, { list: ['view_messages'], thread: ['view_messages'], new: ['send_message'] });
});

test('automatic answers: the form from GET, its problems, and the PUT body with empty texts as null', () => {
  const form = autoRepliesForm({ billing: { enabled: true, reply_within_hours: 48, body: { tr: 'İki gün içinde', en: null } } });
  assert.deepEqual(form.billing, { enabled: true, hours: '48', tr: 'İki gün içinde', en: '' });
  assert.deepEqual(form.other, { enabled: false, hours: '24', tr: '', en: '' });
  assert.deepEqual(autoRepliesProblems(form), {});
  const bad = { ...form, other: { enabled: true, hours: '0', tr: ' ', en: '' }, clinical: { ...form.clinical, hours: '1.5', en: 'x'.repeat(1001) } };
  assert.deepEqual(autoRepliesProblems(bad), {
    'other.hours': 'messages.auto.error.hours', 'other.tr': 'messages.auto.error.text',
    'clinical.hours': 'messages.auto.error.hours', 'clinical.en': 'messages.auto.error.tooLong',
  });
  const body = autoRepliesBody(form);
  assert.deepEqual(Object.keys(body), TOPICS);
  assert.deepEqual(body.billing, { enabled: true, reply_within_hours: 48, body: { tr: 'İki gün içinde', en: null } });
  assert.deepEqual(body.appointment, { enabled: false, reply_within_hours: 24, body: { tr: null, en: null } });
});
