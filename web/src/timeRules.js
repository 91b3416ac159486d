// Dates and times of the scheduling screens, free of the DOM (node tests import them).
// The API writes times as ISO 8601 with the clinic's UTC offset ("2026-12-01T10:30:00+03:00")
// and dates as YYYY-MM-DD in the clinic's zone. The screens show the clinic's wall clock, so
// they read the digits of the string instead of converting to the browser's zone.

const ISO = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The wall clock of an API time: {date, time 'HH:MM', minutes since midnight, offset}, or null. */
export function wallClock(iso) {
  const m = ISO.exec(String(iso ?? ''));
  if (!m) return null;
  const [, date, hh, mm, , offset] = m;
  return { date, time: `${hh}:${mm}`, minutes: Number(hh) * 60 + Number(mm), offset: offset ?? '' };
}

const pad = (n) => String(n).padStart(2, '0');
const utcDate = (date) => {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
};
const dateOf = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** date + n days (YYYY-MM-DD, n may be negative). */
export function addDays(date, n) {
  const d = utcDate(date);
  d.setUTCDate(d.getUTCDate() + n);
  return dateOf(d);
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date) {
  return ((utcDate(date).getUTCDay() + 6) % 7) + 1;
}

/** The Monday of the week holding date. */
export const mondayOf = (date) => addDays(date, 1 - isoWeekday(date));

/** Today's date where the browser is (or in timeZone when given and known). */
export function today(timeZone, now = new Date()) {
  if (timeZone) {
    try {
      const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
        timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
      }).formatToParts(now).map((p) => [p.type, p.value]));
      return `${parts.year}-${parts.month}-${parts.day}`;
    } catch { /* unknown zone: the browser's date */ }
  }
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const locale = (lang) => (lang === 'tr' ? 'tr-TR' : 'en-GB');

/** A date in words in the UI language, e.g. "Tue, 1 Dec 2026" (style: Intl options). */
export function formatDate(date, lang, style = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }) {
  if (!date) return '';
  return new Intl.DateTimeFormat(locale(lang), { ...style, timeZone: 'UTC' }).format(utcDate(date));
}

/** An API time as "Tue, 1 Dec 2026, 10:30" on the clinic's wall clock. */
export function formatWhen(iso, lang) {
  const w = wallClock(iso);
  if (!w) return String(iso ?? '');
  return `${formatDate(w.date, lang)}, ${w.time}`;
}

/** "10:30–11:00" from two API times. */
export function formatSpan(start, end) {
  const a = wallClock(start);
  const b = wallClock(end);
  if (!a) return '';
  return b ? `${a.time}–${b.time}` : a.time;
}

const asMinutes = (offset) => {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
};
const asOffset = (minutes) => {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
};

// The UTC offset (minutes) of timeZone at the instant ms.
function zoneOffsetAt(timeZone, ms) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day),
    Number(parts.hour) % 24, Number(parts.minute), Number(parts.second));
  return Math.round((wall - ms) / 60000);
}

/**
 * The API time for a wall clock date + "HH:MM" in the clinic's zone. timeZone is the IANA
 * name when known; else `fallbackOffset` ("+03:00", e.g. read from an appointment of that
 * day) or, last, the browser's own offset for that moment.
 */
export function isoAt(date, time, { timeZone = null, fallbackOffset = null } = {}) {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  const wallMs = Date.UTC(y, mo - 1, d, h, mi);
  let offset = null;
  if (timeZone) {
    try {
      let guess = zoneOffsetAt(timeZone, wallMs);
      guess = zoneOffsetAt(timeZone, wallMs - guess * 60000);
      offset = asOffset(guess);
    } catch { offset = null; }
  }
  if (!offset && fallbackOffset) offset = asOffset(asMinutes(fallbackOffset));
  if (!offset) offset = asOffset(-new Date(y, mo - 1, d, h, mi).getTimezoneOffset());
  return `${date}T${pad(h)}:${pad(mi)}:00${offset}`;
}
