// Messages (issue 14, DESIGN.md section 14): the screen logic of the console's inbox and
// the patient's conversations as pure functions (tests/web/messages_rules.test.mjs): the
// topics and statuses with their catalog keys, the inbox query string, the unread count as
// shown, the Retry-After wait in words, what a new conversation or a reply may send, and the
// automatic answers' form. Bodies and subjects are only ever text: nothing here builds HTML.

export const TOPICS = Object.freeze(['appointment', 'billing', 'clinical', 'other']);
export const STATUSES = Object.freeze(['open', 'closed']);
export const SUBJECT_MAX = 200;
export const BODY_MAX = 5000;
export const AUTO_REPLY_MAX = 1000;
export const HOURS_MIN = 1;
export const HOURS_MAX = 720;
// The console asks GET clinic/messages/unread-count this often (with If-None-Match: a 304
// when nothing changed).
export const UNREAD_POLL_MS = 30000;

export const TOPIC_KEYS = Object.freeze(Object.fromEntries(TOPICS.map((k) => [k, `messages.topic.${k}`])));
export const STATUS_KEYS = Object.freeze(Object.fromEntries(STATUSES.map((k) => [k, `messages.status.${k}`])));

/** The catalog key of a topic's name (an unknown one reads as "other"). */
export const topicKey = (topic) => TOPIC_KEYS[topic] ?? TOPIC_KEYS.other;
export const statusKey = (status) => STATUS_KEYS[status] ?? STATUS_KEYS.open;

/** An unread count as a badge shows it: '' for none, '99+' above 99. */
export function unreadBadge(n) {
  const count = Number(n);
  if (!Number.isFinite(count) || count <= 0) return '';
  return count > 99 ? '99+' : String(Math.floor(count));
}

// The inbox filters as the form holds them: each '' means "any".
export const emptyFilters = () => ({ status: '', topic: '', assigned: '', unread: false, patient_id: '' });

/**
 * The query string of GET clinic/messages for filters (without "?"; '' when none):
 * status, topic, assigned_to ('me', 'none' or a staff id), unread=true, patient_id, cursor.
 */
export function inboxQuery(filters = {}, { cursor = null, limit = 50 } = {}) {
  const q = new URLSearchParams();
  if (STATUSES.includes(filters.status)) q.set('status', filters.status);
  if (TOPICS.includes(filters.topic)) q.set('topic', filters.topic);
  if (filters.assigned) q.set('assigned_to', filters.assigned);
  if (filters.unread) q.set('unread', 'true');
  if (filters.patient_id) q.set('patient_id', filters.patient_id);
  if (limit) q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** Whether any filter narrows the inbox. */
export const filtered = (f) => Boolean(f.status || f.topic || f.assigned || f.unread || f.patient_id);

/**
 * Seconds to wait (a 429's Retry-After) as {key, count}: under 90 s in seconds, under 90
 * minutes in minutes, else in hours, always rounded up; null when unknown.
 */
export function retryWait(seconds) {
  const s = Number(seconds);
  if (seconds === null || seconds === undefined || !Number.isFinite(s) || s <= 0) return null;
  if (s < 90) return { key: 'messages.retry.seconds', count: Math.ceil(s) };
  if (s < 90 * 60) return { key: 'messages.retry.minutes', count: Math.ceil(s / 60) };
  return { key: 'messages.retry.hours', count: Math.ceil(s / 3600) };
}

const lengthOf = (text) => [...String(text ?? '')].length;

/** The problems of a message body before sending: [] when it may go. */
export function bodyProblems(body) {
  const text = String(body ?? '');
  if (text.trim() === '') return ['messages.error.bodyRequired'];
  if (lengthOf(text) > BODY_MAX) return ['messages.error.bodyTooLong'];
  return [];
}

/** The problems of a new conversation {subject, topic, body}: {field: key}. */
export function threadProblems({ subject, topic, body }) {
  const out = {};
  const s = String(subject ?? '');
  if (s.trim() === '') out.subject = 'messages.error.subjectRequired';
  else if (lengthOf(s) > SUBJECT_MAX) out.subject = 'messages.error.subjectTooLong';
  if (!TOPICS.includes(topic)) out.topic = 'messages.error.topicRequired';
  const b = bodyProblems(body);
  if (b.length) out.body = b[0];
  return out;
}

/** The body of POST messages / clinic/messages (patientId for the clinic's). */
export function threadBody({ subject, topic, body }, patientId = null) {
  return {
    ...(patientId ? { patient_id: patientId } : {}),
    subject: String(subject).trim(),
    topic,
    body: String(body),
  };
}

/** A message's author as the reader sees it: {key, params} for the catalog. */
export function authorLabel(message, side) {
  const kind = message?.author?.kind;
  if (message?.automatic) return { key: 'messages.author.automatic', params: {} };
  if (kind === side) return { key: 'messages.author.you', params: {} };
  if (kind === 'patient') return { key: 'messages.author.named', params: { name: message.author.name ?? '' } };
  if (side === 'patient') return { key: 'messages.author.clinic', params: { name: message?.author?.name ?? '' } };
  return { key: 'messages.author.named', params: { name: message?.author?.name ?? '' } };
}

/** Messages oldest first, whatever order pages came in, each id once. */
export function oldestFirst(messages) {
  const seen = new Set();
  return [...(messages ?? [])]
    .filter((m) => (seen.has(m.id) ? false : seen.add(m.id)))
    .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
}

/** The assignee's label: {key, params}. */
export function assigneeLabel(thread, myId) {
  if (!thread?.assigned_to) return { key: 'messages.assigned.nobody', params: {} };
  if (thread.assigned_to === myId) return { key: 'messages.assigned.me', params: {} };
  return { key: 'messages.assigned.named', params: { name: thread.assigned_to_name ?? '' } };
}

/** The auto-replies form from GET's answer: {topic: {enabled, hours: '24', tr, en}}. */
export function autoRepliesForm(answer) {
  return Object.fromEntries(TOPICS.map((topic) => {
    const one = answer?.[topic] ?? {};
    return [topic, {
      enabled: one.enabled === true,
      hours: String(one.reply_within_hours ?? 24),
      tr: one.body?.tr ?? '',
      en: one.body?.en ?? '',
    }];
  }));
}

/** Problems of the auto-replies form: {`${topic}.${field}`: key}. */
export function autoRepliesProblems(form) {
  const out = {};
  for (const topic of TOPICS) {
    const one = form[topic];
    const hours = Number(one.hours);
    if (!/^\d+$/.test(String(one.hours).trim()) || hours < HOURS_MIN || hours > HOURS_MAX) {
      out[`${topic}.hours`] = 'messages.auto.error.hours';
    }
    for (const lang of ['tr', 'en']) {
      if (lengthOf(one[lang]) > AUTO_REPLY_MAX) out[`${topic}.${lang}`] = 'messages.auto.error.tooLong';
    }
    if (one.enabled && one.tr.trim() === '' && one.en.trim() === '') out[`${topic}.tr`] = 'messages.auto.error.text';
  }
  return out;
}

/** The PUT body of the auto-replies form (an empty text sent as null). */
export function autoRepliesBody(form) {
  return Object.fromEntries(TOPICS.map((topic) => {
    const one = form[topic];
    return [topic, {
      enabled: Boolean(one.enabled),
      reply_within_hours: Number(one.hours),
      body: { tr: one.tr.trim() === '' ? null : one.tr, en: one.en.trim() === '' ? null : one.en },
    }];
  }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The patient app's messages routes: 'messages' → {screen: 'list'}, 'messages/new' →
 * {screen: 'new'}, 'messages/<id>' → {screen: 'thread', id}; anything else null.
 */
export function messageRoute(route) {
  const parts = String(route ?? '').split('/');
  if (parts[0] !== 'messages' || parts.length > 2) return null;
  if (parts.length === 1) return { screen: 'list', id: null };
  if (parts[1] === 'new') return { screen: 'new', id: null };
  return UUID.test(parts[1]) ? { screen: 'thread', id: parts[1] } : null;
}

// The permission each patient screen needs.
export const MESSAGE_NEEDS = Object.freeze({ list: ['view_messages'], thread: ['view_messages'], new: ['send_message'] });
