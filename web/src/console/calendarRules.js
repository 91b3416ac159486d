// Calendar rules free of the DOM (node tests import them): the days a view shows, the
// rows of the time grid (15 minutes each) and where each appointment sits in it.
import { addDays, mondayOf, wallClock } from '../timeRules.js';

export const ROW_MINUTES = 15;
export const DEFAULT_FIRST_HOUR = 8;
export const DEFAULT_LAST_HOUR = 19; // the grid ends at this hour

/** The dates a view shows: the day itself, or Monday to Sunday of its week. */
export function viewDays(view, date) {
  if (view === 'week') {
    const monday = mondayOf(date);
    return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  }
  return [date];
}

/** The step of the ‹ › buttons: a day or a week. */
export const stepDays = (view) => (view === 'week' ? 7 : 1);

/** Lists answer {items} (or a bare array). */
export const itemsOf = (answer) => (Array.isArray(answer) ? answer : answer?.items ?? []);

/**
 * The grid for appointments on `days`: {firstHour, lastHour, rows, placed}, where each of
 * placed is {appointment, column (1-based day), row (1-based), span (rows), lane, lanes}.
 * `days` may be any column keys with columnKey(appointment, wallClock(start)) naming an
 * appointment's column: the team view's columns are practitioners on one day.
 * The hours widen to hold every appointment; overlapping ones (a cancelled one and the
 * booking that took its place) share the width in lanes.
 */
export function layout(appointments, days, columnKey = (a, start) => start.date) {
  const entries = [];
  for (const a of appointments) {
    const s = wallClock(a.start);
    const e = wallClock(a.end);
    if (!s) continue;
    const column = days.indexOf(columnKey(a, s)) + 1;
    if (column === 0) continue;
    let end = e ? (e.date === s.date ? e.minutes : 24 * 60) : s.minutes + ROW_MINUTES;
    if (end <= s.minutes) end = s.minutes + ROW_MINUTES;
    entries.push({ appointment: a, column, startMin: s.minutes, endMin: end });
  }
  let first = DEFAULT_FIRST_HOUR * 60;
  let last = DEFAULT_LAST_HOUR * 60;
  for (const x of entries) {
    first = Math.min(first, Math.floor(x.startMin / 60) * 60);
    last = Math.max(last, Math.ceil(x.endMin / 60) * 60);
  }
  const placed = entries.map((x) => ({
    appointment: x.appointment,
    column: x.column,
    row: Math.floor((x.startMin - first) / ROW_MINUTES) + 1,
    span: Math.max(1, Math.ceil((x.endMin - x.startMin) / ROW_MINUTES)),
    startMin: x.startMin,
    endMin: x.endMin,
    lane: 0,
    lanes: 1,
  }));
  // Lanes per column: greedy over clusters of overlapping appointments.
  for (let c = 1; c <= days.length; c++) {
    const col = placed.filter((p) => p.column === c).sort((a, b) => a.startMin - b.startMin || a.endMin - b.endMin);
    let cluster = [];
    let clusterEnd = -1;
    const close = () => {
      const n = Math.max(...cluster.map((p) => p.lane)) + 1;
      for (const p of cluster) p.lanes = Math.min(n, 3);
      cluster = [];
    };
    for (const p of col) {
      if (cluster.length && p.startMin >= clusterEnd) close();
      const laneEnds = [];
      for (const q of cluster) laneEnds[q.lane] = Math.max(laneEnds[q.lane] ?? -1, q.endMin);
      let lane = 0;
      while (laneEnds[lane] !== undefined && laneEnds[lane] > p.startMin) lane++;
      p.lane = Math.min(lane, 2);
      cluster.push(p);
      clusterEnd = Math.max(clusterEnd, p.endMin);
    }
    if (cluster.length) close();
  }
  return { firstHour: first / 60, lastHour: last / 60, rows: (last - first) / ROW_MINUTES, placed };
}

/** Who made or cancelled an appointment, as a message key (portal = the patient online). */
export const SOURCE_KEYS = Object.freeze({
  portal: 'console.cal.source.portal',
  staff: 'console.cal.source.staff',
  api: 'console.cal.source.api',
});
export const CANCELLED_KEYS = Object.freeze({
  portal: 'console.cal.cancelledBy.portal',
  staff: 'console.cal.cancelledBy.staff',
  api: 'console.cal.cancelledBy.api',
});

/** The tags on an appointment's block in the grid, in order: [{kind: 'portal' | 'cancelled',
 * key (message)}]: booked in the portal, cancelled (by the patient in the portal, or not). */
export function blockTags(a) {
  const tags = [];
  if (a.source === 'portal') tags.push({ kind: 'portal', key: 'console.cal.tag.portal' });
  if (a.status === 'cancelled') {
    tags.push({ kind: 'cancelled', key: a.cancelled_by === 'portal' ? 'console.cal.tag.cancelledPortal' : 'console.cal.tag.cancelled' });
  }
  return tags;
}

/** The UTC offset written in any of the appointments (the clinic's), preferring one on date. */
export function offsetHint(appointments, date) {
  let any = null;
  for (const a of appointments) {
    const w = wallClock(a.start);
    if (!w?.offset) continue;
    if (w.date === date) return w.offset;
    any ??= w.offset;
  }
  return any;
}

/** A rule kept in minutes, shown in the largest whole unit: {value, unit: 'minutes' | 'hours' |
 * 'days'} (1440 is 1 day, 90 is 90 minutes, 120 is 2 hours). */
export function minutesInUnit(minutes) {
  const m = Number(minutes);
  if (!Number.isFinite(m) || m <= 0) return { value: Number.isFinite(m) ? m : 0, unit: 'minutes' };
  if (m % 1440 === 0) return { value: m / 1440, unit: 'days' };
  if (m % 60 === 0) return { value: m / 60, unit: 'hours' };
  return { value: m, unit: 'minutes' };
}

/** Minutes of a value in a unit; NaN for what is not a whole number of minutes. */
export function unitToMinutes(value, unit) {
  const n = Number(value);
  const per = { minutes: 1, hours: 60, days: 1440 }[unit];
  if (!per || !Number.isFinite(n)) return Number.NaN;
  const m = n * per;
  return Number.isInteger(m) ? m : Number.NaN;
}

/** The most practitioners the team view shows side by side (the rest: pick one). */
export const TEAM_COLUMNS = 8;

/** The practitioners of the team view: the active ones, at most TEAM_COLUMNS, in their order. */
export function teamColumns(practitioners) {
  return (practitioners ?? []).filter((p) => p.active !== false).slice(0, TEAM_COLUMNS);
}
