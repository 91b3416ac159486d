// Treatment plans and records as the console and the patient app show them, free of the DOM
// (node tests import this). Money comes from the API as integer minor units with the
// clinic's currency (ISO 4217); dates as YYYY-MM-DD.

export const PLAN_STATUSES = Object.freeze(['proposed', 'accepted', 'in_progress', 'completed', 'cancelled']);
export const ITEM_STATUSES = Object.freeze(['planned', 'done', 'cancelled']);

/** Message keys of the statuses, the same in both apps. */
export const PLAN_STATUS_KEYS = Object.freeze(Object.fromEntries(
  PLAN_STATUSES.map((s) => [s, `treatments.planStatus.${s}`]),
));
export const ITEM_STATUS_KEYS = Object.freeze(Object.fromEntries(
  ITEM_STATUSES.map((s) => [s, `treatments.itemStatus.${s}`]),
));

export const ITEMS_MAX = 100;
export const COST_MAX = 100000000000;

const locale = (lang) => (lang === 'tr' ? 'tr-TR' : 'en-GB');

/** How many digits the currency's minor unit has (TRY, EUR: 2; JPY: 0). */
export function minorDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/** Minor units as money in the UI language: 450000 TRY -> "₺4.500,00" (tr), "TRY 4,500.00" style (en). */
export function formatMoney(minor, currency, lang) {
  if (!Number.isFinite(minor)) return '';
  const digits = minorDigits(currency);
  const major = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale(lang), { style: 'currency', currency, minimumFractionDigits: digits,
      maximumFractionDigits: digits }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${currency ?? ''}`.trim();
  }
}

/** Minor units as the text of a cost field ("4500.00", "4500,00" in Turkish). */
export function costText(minor, currency, lang) {
  if (minor === null || minor === undefined || minor === '') return '';
  const digits = minorDigits(currency);
  const text = (Number(minor) / 10 ** digits).toFixed(digits);
  return lang === 'tr' ? text.replace('.', ',') : text;
}

/**
 * The text of a cost field as minor units: "4500", "4.500,50", "4,500.50", "4500.5" -> an
 * integer, '' -> 0, anything else -> null. The last '.' or ',' followed by at most the
 * currency's minor digits is the decimal mark; other marks group thousands.
 */
export function parseCost(text, currency) {
  const digits = minorDigits(currency);
  const s = String(text ?? '').replace(/[\s\u00a0\u202f']/g, '');
  if (s === '') return 0;
  if (!/^[0-9.,]+$/.test(s) || !/[0-9]/.test(s)) return null;
  const last = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  let whole = s;
  let fraction = '';
  if (last >= 0 && s.length - last - 1 <= digits && s.length - last - 1 > 0) {
    whole = s.slice(0, last);
    fraction = s.slice(last + 1);
  } else if (last === s.length - 1) {
    return null;
  }
  // Grouping marks: groups of three digits only.
  if (/[.,]/.test(whole) && !/^\d{1,3}([.,]\d{3})+$/.test(whole)) return null;
  whole = whole.replace(/[.,]/g, '');
  if (whole === '') whole = '0';
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) && minor <= COST_MAX ? minor : null;
}

/** A YYYY-MM-DD date in words in the UI language ("2 Mar 2026", "2 Mar 2026" in Turkish). */
export function formatDay(date, lang) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(date ?? ''));
  if (!m) return String(date ?? '');
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale(lang), { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(d);
}

/** An empty row of the plan form. */
export const emptyItem = () => ({ procedure: '', area: '', status: 'planned', cost: '' });

/** The plan form for a plan (or a new one): {title, status, items: [{procedure, area, status, cost}]}. */
export function planForm(plan, lang) {
  if (!plan) return { title: '', status: 'proposed', items: [emptyItem()] };
  return {
    title: plan.title,
    status: plan.status,
    items: plan.items.map((i) => ({
      procedure: i.procedure, area: i.area ?? '', status: i.status, cost: costText(i.estimated_cost, plan.currency, lang),
    })),
  };
}

/**
 * The request body of a plan form, or {errors} keyed like the API's fields ("title",
 * "items[2].estimated_cost"). Rows left wholly empty are dropped.
 */
export function planBody(form, currency) {
  const errors = {};
  const title = form.title.trim();
  if (!title) errors.title = 'required';
  const rows = form.items.filter((i) => i.procedure.trim() || i.area.trim() || String(i.cost).trim());
  if (rows.length > ITEMS_MAX) errors.items = 'tooMany';
  const items = rows.map((row, n) => {
    const cost = parseCost(row.cost, currency);
    if (!row.procedure.trim()) errors[`items[${n}].procedure`] = 'required';
    if (cost === null) errors[`items[${n}].estimated_cost`] = 'cost';
    return { procedure: row.procedure.trim(), area: row.area.trim() || null, status: row.status, estimated_cost: cost ?? 0 };
  });
  if (Object.keys(errors).length) return { errors };
  return { body: { title, status: form.status, items } };
}

/** The sum of the costs a plan form shows (items not cancelled), in minor units, or null. */
export function formTotal(form, currency) {
  let total = 0;
  for (const row of form.items) {
    if (row.status === 'cancelled') continue;
    const cost = parseCost(row.cost, currency);
    if (cost === null) return null;
    total += cost;
  }
  return total;
}

/** The record form for a record (or a new one, performed today). */
export function recordForm(record, todayDate) {
  if (!record) return { performed_on: todayDate, practitioner_id: '', procedure: '', area: '', notes_for_patient: '' };
  return {
    performed_on: record.performed_on,
    practitioner_id: record.practitioner?.id ?? '',
    procedure: record.procedure,
    area: record.area ?? '',
    notes_for_patient: record.notes_for_patient,
  };
}

/** The request body of a record form, or {errors}. */
export function recordBody(form) {
  const errors = {};
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.performed_on)) errors.performed_on = 'date';
  if (!form.procedure.trim()) errors.procedure = 'required';
  if (form.notes_for_patient.length > 2000) errors.notes_for_patient = 'tooLong';
  if (Object.keys(errors).length) return { errors };
  return {
    body: {
      performed_on: form.performed_on,
      practitioner_id: form.practitioner_id || null,
      procedure: form.procedure.trim(),
      area: form.area.trim() || null,
      notes_for_patient: form.notes_for_patient,
    },
  };
}
