// Money, invoices and payments as the console and the patient app show them, free of the DOM
// (tests/web/finance_rules.test.mjs runs them under node). The API speaks integers of minor
// units with one ISO 4217 `currency` per resource (DESIGN.md section 12); this module turns
// them into text in the UI language and back, and computes an invoice's totals exactly as
// the server does (BigInt, never floating point), so the form's live totals are the ones
// that will be saved.
import { formatDay, minorDigits } from './treatmentRules.js';

export { formatDay, minorDigits };

// Limits of the invoice contract (fin-plan.md): the form refuses what the server would.
export const QUANTITY_MAX = 10000;
export const UNIT_PRICE_MAX = 100000000000; // 10^11 minor units
export const TAX_BP_MAX = 10000; // 100 %
export const LINES_MAX = 100;
export const DESCRIPTION_MAX = 200;
export const NOTE_MAX = 2000;
export const REASON_MAX = 500;

export const INVOICE_STATUSES = Object.freeze(['open', 'partially_paid', 'paid', 'void']);
export const PAYMENT_STATUSES = Object.freeze(['pending', 'succeeded', 'failed', 'expired']);
export const PAYMENT_METHODS = Object.freeze(['cash', 'card', 'transfer', 'online']);
/** The methods staff record by hand (online payments come from the provider). */
export const RECORDED_METHODS = Object.freeze(['cash', 'card', 'transfer']);
export const PROVIDERS = Object.freeze(['devgateway', 'paytr']);
/** The credential fields of each provider, in form order (write-only: never shown back). */
export const PROVIDER_FIELDS = Object.freeze({
  devgateway: Object.freeze(['merchant_id', 'secret']),
  paytr: Object.freeze(['merchant_id', 'merchant_key', 'merchant_salt']),
});

/** Message keys, the same in both apps. */
export const INVOICE_STATUS_KEYS = Object.freeze(Object.fromEntries(
  INVOICE_STATUSES.map((s) => [s, `finance.invoiceStatus.${s}`]),
));
export const PAYMENT_STATUS_KEYS = Object.freeze(Object.fromEntries(
  PAYMENT_STATUSES.map((s) => [s, `finance.paymentStatus.${s}`]),
));
export const METHOD_KEYS = Object.freeze(Object.fromEntries(
  PAYMENT_METHODS.map((m) => [m, `finance.method.${m}`]),
));

const locale = (lang) => (lang === 'tr' ? 'tr-TR' : 'en-GB');

// The marks of a language: Turkish writes 1.234,50, English 1,234.50.
const marks = (lang) => (lang === 'tr' ? { decimal: ',', group: '.' } : { decimal: '.', group: ',' });

/** Integer minor units as an exact decimal string: 123450 (2 digits) -> "1234.50", -5 -> "-0.05". */
export function decimalString(minor, digits) {
  const n = BigInt(minor);
  const negative = n < 0n;
  const abs = (negative ? -n : n).toString().padStart(digits + 1, '0');
  const whole = abs.slice(0, abs.length - digits);
  const fraction = digits ? `.${abs.slice(abs.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * Minor units as money in the UI language, exactly (Intl formats the decimal string, so no
 * float rounding even past 2^53): 123450 TRY -> "₺1.234,50" (tr), "TRY 1,234.50" (en).
 * '' for anything that is not an integer.
 */
export function formatMoney(minor, currency, lang) {
  if (typeof minor !== 'bigint' && !Number.isInteger(minor)) return '';
  const digits = minorDigits(currency);
  const text = decimalString(minor, digits);
  try {
    return new Intl.NumberFormat(locale(lang), {
      style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
    }).format(text);
  } catch {
    return `${text} ${currency ?? ''}`.trim();
  }
}

/** An instant (RFC 3339) as a date and time in the browser's zone and the UI language; '' if unreadable. */
export function formatInstant(at, lang) {
  const date = new Date(at ?? '');
  if (!at || Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** Minor units as the text of an amount field, without grouping: 123450 -> "1234,50" (tr), "1234.50" (en). */
export function amountText(minor, currency, lang) {
  if (minor === null || minor === undefined || minor === '') return '';
  const text = decimalString(minor, minorDigits(currency));
  return lang === 'tr' ? text.replace('.', ',') : text;
}

/**
 * A typed amount as integer minor units, or null when it cannot be read. The language's
 * decimal mark separates the minor units ("1.234,50" in Turkish, "1,234.50" in English);
 * its grouping mark is accepted only between groups of three digits. The other language's
 * decimal mark is read as a decimal mark too when it cannot be grouping (once, followed by
 * fewer digits than three: "1234.50" in Turkish), since people type amounts both ways.
 * Refused: empty, signs, letters, more minor digits than the currency has, above `max`.
 */
export function parseAmount(text, currency, lang, { max = Number.MAX_SAFE_INTEGER } = {}) {
  const digits = minorDigits(currency);
  const s = String(text ?? '').replace(/[\s\u00a0\u202f]/g, '');
  if (!/^[0-9.,]*[0-9][0-9.,]*$/.test(s)) return null;
  const { decimal, group } = marks(lang);
  let whole = s;
  let fraction = '';
  const at = s.lastIndexOf(decimal);
  if (at >= 0) {
    whole = s.slice(0, at);
    fraction = s.slice(at + 1);
    if (fraction.includes(decimal) || fraction.includes(group) || whole.includes(decimal)) return null;
  } else {
    const other = s.indexOf(group);
    const tail = other >= 0 ? s.slice(other + 1) : '';
    if (other >= 0 && s.indexOf(group, other + 1) < 0 && /^\d{1,2}$/.test(tail)) {
      whole = s.slice(0, other);
      fraction = tail;
    }
  }
  if (fraction.length > digits || (at >= 0 && fraction === '')) return null;
  if (whole.includes(group) && !new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(whole)) return null;
  whole = whole.split(group).join('');
  if (whole === '' && fraction === '') return null;
  const minor = BigInt(whole || '0') * 10n ** BigInt(digits) + BigInt((fraction.padEnd(digits, '0')) || '0');
  return minor <= BigInt(max) ? Number(minor) : null;
}

/** A quantity field: a whole number 1..10000, else null. */
export function parseQuantity(text) {
  const s = String(text ?? '').trim();
  if (!/^\d{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= QUANTITY_MAX ? n : null;
}

/**
 * A tax rate typed as a percentage, as basis points: "20" -> 2000, "18,5" / "18.5" -> 1850,
 * "0,25" -> 25, "" -> 0; more than two decimals, signs or above 100 -> null.
 */
export function parseTaxPercent(text) {
  const s = String(text ?? '').replace(/[\s%]/g, '');
  if (s === '') return 0;
  const m = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= TAX_BP_MAX ? bp : null;
}

/** Basis points as a percentage in the UI language: 2000 -> "20", 1850 -> "18,5" (tr) / "18.5" (en). */
export function taxPercentText(bp, lang) {
  const n = Number(bp);
  if (!Number.isInteger(n)) return '';
  let text = String(Math.trunc(n / 100));
  const rest = n % 100;
  if (rest) text += `${marks(lang).decimal}${String(rest).padStart(2, '0').replace(/0$/, '')}`;
  return text;
}

const toNumber = (big) => (big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big);

/**
 * One line's money as the server computes it: subtotal = quantity × unit_price; tax =
 * subtotal × tax_rate_bp / 10000 rounded half up to the minor unit; total = subtotal + tax.
 * Integers in, {subtotal, tax, total} out (Numbers; BigInt past 2^53).
 */
export function lineTotals({ quantity, unit_price: unitPrice, tax_rate_bp: bp }) {
  const subtotal = BigInt(quantity) * BigInt(unitPrice);
  const tax = (subtotal * BigInt(bp) + 5000n) / 10000n; // non-negative: + half, then truncate
  return { subtotal: toNumber(subtotal), tax: toNumber(tax), total: toNumber(subtotal + tax) };
}

/** An invoice's {subtotal, tax_total, total}: the sums of its lines' (each line rounded alone). */
export function invoiceTotals(lines) {
  let subtotal = 0n;
  let tax = 0n;
  for (const line of lines) {
    const one = lineTotals(line);
    subtotal += BigInt(one.subtotal);
    tax += BigInt(one.tax);
  }
  return { subtotal: toNumber(subtotal), tax_total: toNumber(tax), total: toNumber(subtotal + tax) };
}

/** An empty line of the invoice form (tax as typed: a percentage). */
export const emptyLine = (tax = '') => ({ description: '', quantity: '1', unit_price: '', tax });

/** A new invoice form: issued today, no due date, one empty line. */
export const invoiceForm = (today) => ({ issued_on: today, due_on: '', note: '', lines: [emptyLine()] });

/** A line of the form as API numbers, or null when any field cannot be read. */
export function lineFromForm(line, currency, lang) {
  const quantity = parseQuantity(line.quantity);
  const unitPrice = parseAmount(line.unit_price, currency, lang, { max: UNIT_PRICE_MAX });
  const bp = parseTaxPercent(line.tax);
  if (quantity === null || unitPrice === null || bp === null) return null;
  return { quantity, unit_price: unitPrice, tax_rate_bp: bp };
}

/** The live totals of the form's lines, or null while a line cannot be read. */
export function formTotals(form, currency, lang) {
  const lines = [];
  for (const line of form.lines) {
    const one = lineFromForm(line, currency, lang);
    if (!one) return null;
    lines.push(one);
  }
  return invoiceTotals(lines);
}

const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/**
 * The POST clinic/invoices body of a form, or {errors} keyed like the API's fields
 * ("lines[1].unit_price") with error kinds: required, quantity, amount, tax, tooLong,
 * date, dueBeforeIssue, tooMany, noLines.
 */
export function invoiceBody(form, patientId, currency, lang) {
  const errors = {};
  if (!isDate(form.issued_on)) errors.issued_on = 'date';
  if (form.due_on && !isDate(form.due_on)) errors.due_on = 'date';
  else if (form.due_on && isDate(form.issued_on) && form.due_on < form.issued_on) errors.due_on = 'dueBeforeIssue';
  if (form.note.length > NOTE_MAX) errors.note = 'tooLong';
  if (form.lines.length === 0) errors.lines = 'noLines';
  if (form.lines.length > LINES_MAX) errors.lines = 'tooMany';
  const lines = form.lines.map((line, n) => {
    const description = line.description.trim();
    if (!description) errors[`lines[${n}].description`] = 'required';
    else if (description.length > DESCRIPTION_MAX || /[\r\n]/.test(description)) errors[`lines[${n}].description`] = 'tooLong';
    const quantity = parseQuantity(line.quantity);
    if (quantity === null) errors[`lines[${n}].quantity`] = 'quantity';
    const unitPrice = String(line.unit_price).trim() === '' ? null
      : parseAmount(line.unit_price, currency, lang, { max: UNIT_PRICE_MAX });
    if (unitPrice === null) errors[`lines[${n}].unit_price`] = 'amount';
    const bp = parseTaxPercent(line.tax);
    if (bp === null) errors[`lines[${n}].tax_rate_bp`] = 'tax';
    return { description, quantity, unit_price: unitPrice, tax_rate_bp: bp };
  });
  if (Object.keys(errors).length) return { errors };
  const body = { patient_id: patientId, issued_on: form.issued_on, lines };
  if (form.due_on) body.due_on = form.due_on;
  if (form.note.trim()) body.note = form.note;
  return { body };
}

/**
 * The instant of a payment received on `date` (YYYY-MM-DD): omitted for today (the server
 * takes now), else noon UTC of that day, which is the same calendar day from UTC-11 to
 * UTC+11 (so in Turkey and all of Europe).
 */
export function receivedAt(date, today) {
  if (!date || date === today) return undefined;
  return `${date}T12:00:00Z`;
}

/**
 * The POST clinic/payments body of the "record a payment" form ({amount, method,
 * invoice_id, date, note} as typed), or {errors}: amount (required / amount), method, date.
 */
export function paymentBody(form, patientId, currency, lang, today) {
  const errors = {};
  const amount = String(form.amount).trim() === '' ? null : parseAmount(form.amount, currency, lang);
  if (String(form.amount).trim() === '') errors.amount = 'required';
  else if (amount === null || amount <= 0) errors.amount = 'amount';
  if (!RECORDED_METHODS.includes(form.method)) errors.method = 'required';
  if (form.date && !isDate(form.date)) errors.received_at = 'date';
  else if (form.date && today && form.date > today) errors.received_at = 'future';
  if (form.note.length > NOTE_MAX) errors.note = 'tooLong';
  if (Object.keys(errors).length) return { errors };
  const body = { patient_id: patientId, amount, method: form.method };
  if (form.invoice_id) body.invoice_id = form.invoice_id;
  const at = receivedAt(form.date, today);
  if (at) body.received_at = at;
  if (form.note.trim()) body.note = form.note;
  return { body };
}

/** A refund's body ({amount, reason} as typed) against what is left of `payment`, or {errors}. */
export function refundBody(form, payment, lang) {
  const errors = {};
  const left = refundable(payment);
  const amount = parseAmount(form.amount, payment.currency, lang);
  if (String(form.amount).trim() === '') errors.amount = 'required';
  else if (amount === null || amount <= 0) errors.amount = 'amount';
  else if (amount > left) errors.amount = 'aboveRefundable';
  const reason = form.reason.trim();
  if (!reason) errors.reason = 'required';
  else if (reason.length > REASON_MAX) errors.reason = 'tooLong';
  if (Object.keys(errors).length) return { errors };
  return { body: { amount, reason } };
}

/** A void's body ({reason}), or {errors}. */
export function voidBody(form) {
  const reason = form.reason.trim();
  if (!reason) return { errors: { reason: 'required' } };
  if (reason.length > REASON_MAX) return { errors: { reason: 'tooLong' } };
  return { body: { reason } };
}

/** What is left to refund of a payment: a succeeded payment's amount less its refunds. */
export function refundable(payment) {
  if (!payment || payment.status !== 'succeeded') return 0;
  return Math.max(0, Number(payment.amount) - Number(payment.refunded ?? 0));
}

/** Void is offered for an invoice not yet void with nothing left paid on it (the server's rule). */
export const mayVoid = (invoice) => Boolean(invoice) && invoice.status !== 'void' && Number(invoice.paid) === 0;

/** A balance in words: 'owes' (positive), 'credit' (negative) or 'settled'. */
export function balanceState(balance) {
  const n = Number(balance?.balance ?? 0);
  if (n > 0) return 'owes';
  if (n < 0) return 'credit';
  return 'settled';
}

/** Whether the patient app offers "Pay" for an invoice: make_payment, not void, something due. */
export const offersPay = (invoice, permissions) =>
  (permissions ?? []).includes('make_payment') && Boolean(invoice) && invoice.status !== 'void' && Number(invoice.due) > 0;

/**
 * Checks an online payment's amount before it is sent: null when fine, else the error kind
 * ('required', 'amount', 'aboveDue', 'aboveBalance'). `due` bounds a payment of an invoice,
 * `balance` one of a typed amount (the server refuses both the same way, 422 amount).
 */
export function payAmountError(amount, { due = null, balance = null } = {}) {
  if (amount === null || amount === undefined || amount === '') return 'required';
  if (!Number.isInteger(amount) || amount <= 0) return 'amount';
  if (due !== null && amount > due) return 'aboveDue';
  if (balance !== null && amount > balance) return 'aboveBalance';
  return null;
}

/**
 * The attempt a "Pay" press belongs to: the same {key, body} while the request body is the
 * same as the current unfinished attempt's (a retry after a lost answer must replay, not pay
 * twice), else a new one with a fresh key from newKey(). The caller forgets the attempt
 * (null) once the server has answered it for good.
 */
export function paymentAttempt(current, body, newKey) {
  const text = JSON.stringify(body);
  if (current && current.text === text) return current;
  return { key: newKey(), body, text };
}

/** Whether an answer ends the attempt: anything but no answer at all or 409 idempotency_in_flight. */
export const attemptSettled = (error) => !error || (error.status !== 0 && error.code !== 'idempotency_in_flight');

// The result screen waits for the provider's callback: GET payments/{id} every 1.5 s for up
// to 2 minutes, then says it is still being processed and offers to check again.
export const POLL_INTERVAL_MS = 1500;
export const POLL_LIMIT_MS = 120000;

/** What a payment's status means to the patient: 'paid', 'declined', 'expired' or 'waiting'. */
export function paymentOutcome(status) {
  if (status === 'succeeded') return 'paid';
  if (status === 'failed') return 'declined';
  if (status === 'expired') return 'expired';
  return 'waiting';
}

/** Whether to ask again: still pending and less than POLL_LIMIT_MS since `since`. */
export const keepPolling = (status, since, now) => status === 'pending' && now - since < POLL_LIMIT_MS;

/** The query string of the clinic's lists from filters ({status, overdue, method}, '' = any). */
export function listQuery(filters, { patientId = null, cursor = null, limit = 50 } = {}) {
  const q = new URLSearchParams();
  if (patientId) q.set('patient_id', patientId);
  for (const key of ['status', 'method']) if (filters?.[key]) q.set(key, filters[key]);
  if (filters?.overdue) q.set('overdue', 'true');
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** The credentials part of a payment-infrastructure PUT: the fields typed, or undefined when none. */
export function credentialsBody(provider, typed) {
  const fields = PROVIDER_FIELDS[provider] ?? [];
  const filled = fields.filter((f) => String(typed?.[f] ?? '').trim() !== '');
  if (filled.length === 0) return { credentials: undefined };
  const missing = fields.filter((f) => !filled.includes(f));
  if (missing.length) return { errors: Object.fromEntries(missing.map((f) => [`credentials.${f}`, 'required'])) };
  return { credentials: Object.fromEntries(fields.map((f) => [f, String(typed[f]).trim()])) };
}
