// Patient appointment rules free of the DOM (node tests import them): the booking rules
// and permissions in plain words, which actions an appointment offers, and the days and
// slots of the booking screen.
import { addDays, wallClock } from '../timeRules.js';

// 422 booking_rule: its `rule` in words (messages in the i18n catalogs).
export const RULE_KEYS = Object.freeze({
  min_notice: 'portal.rule.min_notice',
  horizon: 'portal.rule.horizon',
  max_open_bookings: 'portal.rule.max_open_bookings',
  type_not_bookable: 'portal.rule.type_not_bookable',
  outside_hours: 'portal.rule.outside_hours',
  practitioner_unavailable: 'portal.rule.practitioner_unavailable',
  cancel_cutoff: 'portal.rule.cancel_cutoff',
});

// 403 permission_denied: the refused `permission` in words.
export const DENIED_KEYS = Object.freeze({
  view_profile: 'portal.denied.view_profile',
  update_profile: 'portal.denied.update_profile',
  upload_photo: 'portal.denied.upload_photo',
  view_appointments: 'portal.denied.view_appointments',
  create_appointment: 'portal.denied.create_appointment',
  cancel_appointment: 'portal.denied.cancel_appointment',
  view_treatments: 'portal.denied.view_treatments',
  view_balance: 'portal.denied.view_balance',
  view_invoices: 'portal.denied.view_invoices',
  view_payments: 'portal.denied.view_payments',
  make_payment: 'portal.denied.make_payment',
  view_documents: 'portal.denied.view_documents',
  download_documents: 'portal.denied.download_documents',
  upload_documents: 'portal.denied.upload_documents',
  view_images: 'portal.denied.view_images',
});

export const has = (permissions, key) => (permissions ?? []).includes(key);

/** Cancel is offered when the server says it can be cancelled and the patient holds cancel_appointment. */
export const offersCancel = (appointment, permissions) =>
  appointment.status === 'booked' && appointment.can_cancel === true && has(permissions, 'cancel_appointment');

/** The booking screen shows 14 days from `first`, one week (7 days) per page. */
export const BOOKING_DAYS = 14;
export const WEEK = 7;
export function bookingDays(first, count = BOOKING_DAYS) {
  return Array.from({ length: count }, (_, i) => addDays(first, i));
}

/** Slots grouped by the clinic's date of their start: Map date -> slots in time order. */
export function slotsByDay(items) {
  const days = new Map();
  for (const slot of [...(items ?? [])].sort((a, b) => String(a.start).localeCompare(String(b.start)))) {
    const w = wallClock(slot.start);
    if (!w) continue;
    if (!days.has(w.date)) days.set(w.date, []);
    days.get(w.date).push(slot);
  }
  return days;
}

/** The value of the "any practitioner" choice: slots of every practitioner, each naming its own. */
export const ANY_PRACTITIONER = 'any';

/** The slots query for a choice of practitioner (ANY_PRACTITIONER: none named). */
export function slotsQuery(practitionerId, typeId, from, to) {
  const q = { type_id: typeId, from, to };
  if (practitionerId && practitionerId !== ANY_PRACTITIONER) q.practitioner_id = practitionerId;
  return new URLSearchParams(q).toString();
}

/** A day's label on the booking screen from the slots answer's `days`: 'closed' (a day off or
 * all time off), 'full' (open, nothing free), 'free' (with its count), or 'unknown' (an answer
 * without the day). */
export function dayState(days, date) {
  const d = (days ?? []).find((x) => x.date === date);
  if (!d) return { state: 'unknown', free: 0 };
  if (!d.open) return { state: 'closed', free: 0 };
  return d.free > 0 ? { state: 'free', free: d.free } : { state: 'full', free: 0 };
}

/** Until when an appointment starting at `start` (an API time) may be cancelled online, given
 * the clinic's cut-off in minutes: an API time in the same offset as start, or null. */
export function cancelUntil(start, cutoffMinutes) {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(String(start ?? ''));
  const at = Date.parse(start);
  if (!m || !Number.isFinite(at) || !Number.isFinite(cutoffMinutes)) return null;
  const offset = m[1] === 'Z' ? 0 : (m[1][0] === '-' ? -1 : 1) * (Number(m[1].slice(1, 3)) * 60 + Number(m[1].slice(4, 6)));
  const local = new Date(at - cutoffMinutes * 60_000 + offset * 60_000).toISOString().slice(0, 19);
  return `${local}${m[1] === 'Z' ? 'Z' : m[1]}`;
}
