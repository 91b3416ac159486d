// Helpers of the messages tests (issue 14): a clinic with its portal open for the message
// keys, its staff and a key, patients signed in by email; threads started on both sides; what
// the database holds of a thread's counts and of a patient's notices.
import assert from 'node:assert/strict';
import { psql } from './client.mjs';
import {
  enablePortal, makeApiKey, makeClinic, makePatient, signIn, signInPatient, uniqueEmail, withKey,
} from './fixtures.mjs';

export const MSGS = ['view_messages', 'send_message'];
export const CLINIC_MESSAGES = '/api/v1/clinic/messages';

// A signed-in patient of clinic c (by email, Turkish unless language says).
export async function msgPatient(c, { language = 'tr', first_name } = {}) {
  const email = uniqueEmail('msg');
  const patient = await makePatient(c.owner, { email, language, ...(first_name ? { first_name } : {}) });
  return { patient, email, session: await signInPatient(c.clinic.code, email) };
}

// A clinic with its portal open for permissions (default: the two message keys), its owner,
// admin and staff, a write key, and `patients` patients signed in (default one: c.patient,
// c.session).
export async function msgClinic({ permissions = ['view_profile', ...MSGS], patients = 1 } = {}) {
  const clinic = makeClinic();
  // One sign-in at a time: the password hash is the costly step.
  const owner = await signIn(clinic.logins.owner);
  const admin = await signIn(clinic.logins.admin);
  const staff = await signIn(clinic.logins.staff);
  await enablePortal(owner, clinic, { permissions });
  const keySecret = makeApiKey(clinic.id, 'read,write');
  const c = { clinic, owner, admin, staff, keySecret, key: withKey(keySecret) };
  c.patients = await Promise.all(Array.from({ length: patients }, () => msgPatient(c)));
  if (c.patients.length) Object.assign(c, { patient: c.patients[0].patient, session: c.patients[0].session });
  return c;
}

// The patient starts a thread (201 asserted): the thread.
export async function patientThread(session, { subject = 'Randevu hakkında', topic = 'appointment', body = 'Merhaba' } = {}) {
  const res = await session.request('POST', 'messages', { body: { subject, topic, body } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

// The clinic starts a thread with patientId (201 asserted): the thread.
export async function clinicThread(s, patientId, { subject = 'Kontrol', topic = 'clinical', body = 'Merhaba' } = {}) {
  const res = await s.request('POST', CLINIC_MESSAGES, { body: { patient_id: patientId, subject, topic, body } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

// What the database holds of thread id: its counters and the counts of its unread rows.
export function threadCounts(id) {
  return allThreadCounts([id])[id];
}

// threadCounts() of each of ids in one query: {id: counts}.
export function allThreadCounts(ids) {
  return JSON.parse(psql(`SELECT coalesce(json_object_agg(t.id, json_build_object(
      'patient_unread', t.patient_unread, 'staff_unread', t.staff_unread, 'message_count', t.message_count,
      'staff_rows', (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.author_kind = 'staff' AND m.read_at IS NULL),
      'patient_rows', (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.author_kind = 'patient' AND m.read_at IS NULL),
      'rows', (SELECT count(*) FROM messages m WHERE m.thread_id = t.id))), '{}')
    FROM message_threads t WHERE t.id IN (${ids.map((id) => `'${id}'`).join(', ')})`));
}

// How many new_message notices were queued for each of patientIds: {patient id: n}.
export function noticeCounts(patientIds) {
  const counts = JSON.parse(psql(`SELECT coalesce(json_object_agg(patient_id, n), '{}') FROM (SELECT patient_id,
      count(*) AS n FROM outbox WHERE purpose = 'new_message' AND patient_id IN
      (${patientIds.map((id) => `'${id}'`).join(', ')}) GROUP BY patient_id) x`));
  return Object.fromEntries(patientIds.map((id) => [id, counts[id] ?? 0]));
}

// The new_message notices queued for patientId: [{subject, body, channel}].
export function newMessageNotices(patientId) {
  return JSON.parse(psql(`SELECT coalesce(json_agg(json_build_object('subject', subject, 'body', body,
      'channel', channel) ORDER BY created_at, id), '[]') FROM outbox
    WHERE patient_id = '${patientId}' AND purpose = 'new_message'`));
}
