// The finance screens' rules (web/src/financeRules.js), without a browser: money shown in
// the clinic's currency in the UI language, amounts typed the Turkish or English way read as
// minor units (nonsense refused), invoice totals computed exactly as the server does (tax per
// line rounded half up, integers only), tax rates as percentages, the request bodies of the
// forms, what is offered (void, refund, pay) and the payment attempt's Idempotency-Key.
// Every expected number below is worked out by hand in the comment beside it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as f from '../../web/src/financeRules.js';

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('money in the UI language, exactly, whatever the size', () => {
  assert.equal(plain(f.formatMoney(123450, 'TRY', 'tr')), '₺1.234,50');
  assert.match(plain(f.formatMoney(123450, 'TRY', 'en')), /^(TRY |₺)1,234\.50$/);
  assert.equal(plain(f.formatMoney(-5, 'TRY', 'tr')), '-₺0,05');
  assert.equal(plain(f.formatMoney(0, 'EUR', 'en')), '€0.00');
  assert.match(plain(f.formatMoney(1500, 'JPY', 'en')), /1,500$/); // no minor unit
  // 2^53 + 1 kuruş: a float would print ...,92; the decimal string keeps the last digit.
  assert.equal(plain(f.formatMoney(9007199254740993n, 'TRY', 'tr')), '₺90.071.992.547.409,93');
  assert.equal(f.formatMoney(1.5, 'TRY', 'tr'), '');
  assert.equal(f.formatMoney(null, 'TRY', 'tr'), '');
  assert.equal(f.decimalString(7, 2), '0.07');
  assert.equal(f.decimalString(-123450, 2), '-1234.50');
  assert.equal(f.decimalString(1500, 0), '1500');
  assert.equal(f.amountText(123450, 'TRY', 'tr'), '1234,50');
  assert.equal(f.amountText(123450, 'TRY', 'en'), '1234.50');
  assert.equal(f.amountText(null, 'TRY', 'en'), '');
});

test('amounts typed the Turkish way are read in Turkish, the English way in English', () => {
  for (const [text, minor] of [
    ['1.234,50', 123450], ['1234,50', 123450], ['1234,5', 123450], ['1.500', 150000], ['75', 7500],
    [' 1 234,50 ', 123450], ['0,05', 5], [',5', 50], ['1.234.567,89', 123456789],
    // Typed with a point in Turkish: a lone point before one or two digits can only be decimal.
    ['1234.50', 123450], ['12.5', 1250],
  ]) assert.equal(f.parseAmount(text, 'TRY', 'tr'), minor, `tr ${text}`);
  for (const [text, minor] of [
    ['1,234.50', 123450], ['1234.50', 123450], ['1,500', 150000], ['0.05', 5], ['12,5', 1250],
  ]) assert.equal(f.parseAmount(text, 'TRY', 'en'), minor, `en ${text}`);
  for (const text of ['', '   ', '-5', '+5', '5 TL', 'abc', '1.2.3', '4500,', '1,234.50.1', '1,234,5', '12,34,56',
    '1,005', '0,001']) assert.equal(f.parseAmount(text, 'TRY', 'tr'), null, `tr refuses ${JSON.stringify(text)}`);
  for (const text of ['1.234,50', '1.005', '4500.', '12.34.56']) {
    assert.equal(f.parseAmount(text, 'TRY', 'en'), null, `en refuses ${text}`);
  }
  assert.equal(f.parseAmount('0', 'TRY', 'tr'), 0); // read; the forms refuse 0 themselves
  assert.equal(f.parseAmount('1.000.000.000,00', 'TRY', 'tr', { max: f.UNIT_PRICE_MAX }), 100000000000);
  assert.equal(f.parseAmount('1.000.000.000,01', 'TRY', 'tr', { max: f.UNIT_PRICE_MAX }), null);
  assert.equal(f.parseAmount('1.500', 'JPY', 'tr'), 1500);
  assert.equal(f.parseAmount('15,5', 'JPY', 'tr'), null);
});

test('tax rates as percentages and basis points', () => {
  for (const [text, bp] of [['20', 2000], ['18', 1800], ['18,5', 1850], ['18.5', 1850], ['0,25', 25], ['1', 100],
    ['', 0], ['0', 0], ['100', 10000], ['20 %', 2000], ['8,75', 875]]) assert.equal(f.parseTaxPercent(text), bp, text);
  for (const text of ['100,01', '101', '-1', '18,555', 'x', '1.000']) assert.equal(f.parseTaxPercent(text), null, text);
  assert.equal(f.taxPercentText(2000, 'tr'), '20');
  assert.equal(f.taxPercentText(1850, 'tr'), '18,5');
  assert.equal(f.taxPercentText(1850, 'en'), '18.5');
  assert.equal(f.taxPercentText(875, 'en'), '8.75');
  assert.equal(f.taxPercentText(5, 'en'), '0.05');
  assert.equal(f.taxPercentText(0, 'tr'), '0');
});

test('line totals as the server computes them: tax rounded half up per line, in integers', () => {
  const cases = [
    // 2 × 45.00 at 20 %: 9000, tax 1800.
    [{ quantity: 2, unit_price: 4500, tax_rate_bp: 2000 }, { subtotal: 9000, tax: 1800, total: 10800 }],
    // 1 × 1.25 at 10 %: tax 12.5 kuruş, half rounds up to 13.
    [{ quantity: 1, unit_price: 125, tax_rate_bp: 1000 }, { subtotal: 125, tax: 13, total: 138 }],
    // 1 × 0.05 at 10 %: 0.5 -> 1; 1 × 0.04 at 10 %: 0.4 -> 0.
    [{ quantity: 1, unit_price: 5, tax_rate_bp: 1000 }, { subtotal: 5, tax: 1, total: 6 }],
    [{ quantity: 1, unit_price: 4, tax_rate_bp: 1000 }, { subtotal: 4, tax: 0, total: 4 }],
    // 3 × 333.33 at 18 %: 99999 × 0.18 = 17999.82 -> 18000.
    [{ quantity: 3, unit_price: 33333, tax_rate_bp: 1800 }, { subtotal: 99999, tax: 18000, total: 117999 }],
    // 1 × 3.33 at 18.5 %: 333 × 0.185 = 61.605 -> 62.
    [{ quantity: 1, unit_price: 333, tax_rate_bp: 1850 }, { subtotal: 333, tax: 62, total: 395 }],
    // 7 × 0.00 at 20 %, and 1 × 100.00 at 0 %.
    [{ quantity: 7, unit_price: 0, tax_rate_bp: 2000 }, { subtotal: 0, tax: 0, total: 0 }],
    [{ quantity: 1, unit_price: 10000, tax_rate_bp: 0 }, { subtotal: 10000, tax: 0, total: 10000 }],
    // The largest line: 10000 × 999,999,999.99 = 999,999,999,990,000; × 0.185 = 184,999,999,998,150.
    [{ quantity: 10000, unit_price: 99999999999, tax_rate_bp: 1850 },
      { subtotal: 999999999990000, tax: 184999999998150, total: 1184999999988150 }],
  ];
  for (const [line, want] of cases) assert.deepEqual(f.lineTotals(line), want, JSON.stringify(line));
});

test('invoice totals add the lines each rounded alone', () => {
  // Three lines of 1 × 0.05 at 10 %: each line's 0.5 kuruş rounds up to 1, so 3 in all, where
  // rounding the invoice's sum (1.5) would give 2.
  const l5 = { quantity: 1, unit_price: 5, tax_rate_bp: 1000 };
  assert.deepEqual(f.invoiceTotals([l5, l5, l5]), { subtotal: 15, tax_total: 3, total: 18 });
  // 2 × 45.00 at 20 % + 1 × 3.33 at 18.5 %: 9000 + 333 = 9333; 1800 + 62 = 1862; 11195.
  assert.deepEqual(f.invoiceTotals([{ quantity: 2, unit_price: 4500, tax_rate_bp: 2000 },
    { quantity: 1, unit_price: 333, tax_rate_bp: 1850 }]), { subtotal: 9333, tax_total: 1862, total: 11195 });
  assert.deepEqual(f.invoiceTotals([]), { subtotal: 0, tax_total: 0, total: 0 });
  // 100 of the largest lines at 100 %: 10^17 + 10^17, past 2^53: answered as BigInt, exact.
  const big = { quantity: 10000, unit_price: 100000000000, tax_rate_bp: 10000 };
  const totals = f.invoiceTotals(Array(100).fill(big));
  assert.equal(totals.total, 200000000000000000n);
  assert.equal(totals.tax_total, 100000000000000000n);
});

test('the invoice form: live totals and the POST body, errors named like the API', () => {
  const form = {
    issued_on: '2026-12-06', due_on: '2026-12-20', note: '',
    lines: [
      { description: ' Dolgu ', quantity: '2', unit_price: '45', tax: '20' },
      { description: 'Röntgen', quantity: '1', unit_price: '3,33', tax: '18,5' },
    ],
  };
  assert.deepEqual(f.formTotals(form, 'TRY', 'tr'), { subtotal: 9333, tax_total: 1862, total: 11195 });
  assert.deepEqual(f.invoiceBody(form, 'p1', 'TRY', 'tr'), {
    body: {
      patient_id: 'p1', issued_on: '2026-12-06', due_on: '2026-12-20',
      lines: [
        { description: 'Dolgu', quantity: 2, unit_price: 4500, tax_rate_bp: 2000 },
        { description: 'Röntgen', quantity: 1, unit_price: 333, tax_rate_bp: 1850 },
      ],
    },
  });
  const bad = { issued_on: '2026-12-06', due_on: '2026-12-01', note: '', lines: [
    { description: '', quantity: '0', unit_price: 'x', tax: '120' },
    { description: 'a\nb', quantity: '10001', unit_price: '', tax: '' },
  ] };
  assert.equal(f.formTotals(bad, 'TRY', 'tr'), null);
  assert.deepEqual(f.invoiceBody(bad, 'p1', 'TRY', 'tr').errors, {
    due_on: 'dueBeforeIssue',
    'lines[0].description': 'required', 'lines[0].quantity': 'quantity', 'lines[0].unit_price': 'amount',
    'lines[0].tax_rate_bp': 'tax',
    'lines[1].description': 'tooLong', 'lines[1].quantity': 'quantity', 'lines[1].unit_price': 'amount',
  });
  assert.deepEqual(f.invoiceBody({ ...f.invoiceForm('2026-01-02'), lines: [] }, 'p', 'TRY', 'en').errors, { lines: 'noLines' });
  const fresh = f.invoiceForm('2026-01-02');
  assert.equal(fresh.issued_on, '2026-01-02');
  assert.equal(fresh.lines.length, 1);
});

test('a recorded payment, a refund and a void: bodies and refusals', () => {
  const today = '2026-12-06';
  assert.deepEqual(f.paymentBody({ amount: '50,00', method: 'cash', invoice_id: 'i1', date: today, note: '' }, 'p1', 'TRY', 'tr', today),
    { body: { patient_id: 'p1', amount: 5000, method: 'cash', invoice_id: 'i1' } });
  assert.deepEqual(f.paymentBody({ amount: '1,234.50', method: 'transfer', invoice_id: '', date: '2026-12-01', note: 'EFT' },
    'p1', 'TRY', 'en', today),
  { body: { patient_id: 'p1', amount: 123450, method: 'transfer', received_at: '2026-12-01T12:00:00Z', note: 'EFT' } });
  assert.deepEqual(f.paymentBody({ amount: '0', method: 'online', invoice_id: '', date: '2026-12-07', note: '' }, 'p1', 'TRY', 'tr', today).errors,
    { amount: 'amount', method: 'required', received_at: 'future' });
  assert.deepEqual(f.paymentBody({ amount: '', method: 'card', invoice_id: '', date: '', note: '' }, 'p1', 'TRY', 'tr', today).errors,
    { amount: 'required' });

  const payment = { amount: 10000, refunded: 2500, status: 'succeeded', currency: 'TRY' };
  assert.equal(f.refundable(payment), 7500);
  assert.equal(f.refundable({ ...payment, status: 'failed' }), 0);
  assert.deepEqual(f.refundBody({ amount: '75', reason: ' wrong amount ' }, payment, 'tr'),
    { body: { amount: 7500, reason: 'wrong amount' } });
  assert.deepEqual(f.refundBody({ amount: '75,01', reason: '' }, payment, 'tr').errors,
    { amount: 'aboveRefundable', reason: 'required' });
  assert.deepEqual(f.voidBody({ reason: '  ' }).errors, { reason: 'required' });
  assert.deepEqual(f.voidBody({ reason: 'issued twice' }).body, { reason: 'issued twice' });

  assert.equal(f.mayVoid({ status: 'open', paid: 0 }), true);
  assert.equal(f.mayVoid({ status: 'partially_paid', paid: 1 }), false);
  assert.equal(f.mayVoid({ status: 'open', paid: 0, due: 0 }), true); // refunded in full: paid is 0 again
  assert.equal(f.mayVoid({ status: 'void', paid: 0 }), false);
});

test('balance in words; Pay offered only with make_payment and something due; amounts checked', () => {
  assert.equal(f.balanceState({ balance: 100 }), 'owes');
  assert.equal(f.balanceState({ balance: -1 }), 'credit');
  assert.equal(f.balanceState({ balance: 0 }), 'settled');
  const invoice = { status: 'partially_paid', due: 500 };
  assert.equal(f.offersPay(invoice, ['view_invoices', 'make_payment']), true);
  assert.equal(f.offersPay(invoice, ['view_invoices']), false);
  assert.equal(f.offersPay({ status: 'paid', due: 0 }, ['make_payment']), false);
  assert.equal(f.offersPay({ status: 'void', due: 0 }, ['make_payment']), false);
  assert.equal(f.payAmountError(500, { due: 500 }), null);
  assert.equal(f.payAmountError(501, { due: 500 }), 'aboveDue');
  assert.equal(f.payAmountError(1001, { balance: 1000 }), 'aboveBalance');
  assert.equal(f.payAmountError(0, { balance: 1000 }), 'amount');
  assert.equal(f.payAmountError(null, {}), 'required');
});

test('one Idempotency-Key per payment attempt, kept while the same attempt is retried', () => {
  let n = 0;
  const newKey = () => `key-${++n}`;
  const first = f.paymentAttempt(null, { amount: 500, invoice_id: 'i1' }, newKey);
  assert.equal(first.key, 'key-1');
  // The answer was lost: pressing Pay again with the same amount is the same attempt.
  assert.equal(f.paymentAttempt(first, { amount: 500, invoice_id: 'i1' }, newKey), first);
  // Another amount is another attempt.
  assert.equal(f.paymentAttempt(first, { amount: 400, invoice_id: 'i1' }, newKey).key, 'key-2');
  // After a definite answer the caller drops the attempt: the next press gets a fresh key.
  assert.equal(f.paymentAttempt(null, { amount: 500, invoice_id: 'i1' }, newKey).key, 'key-3');
  assert.equal(f.attemptSettled({ status: 0, code: 'network_error' }), false);
  assert.equal(f.attemptSettled({ status: 409, code: 'idempotency_in_flight' }), false);
  assert.equal(f.attemptSettled({ status: 422, code: 'validation_failed' }), true);
  assert.equal(f.attemptSettled(null), true);
});

test('the result screen polls every 1.5 s for two minutes and names the outcome', () => {
  assert.equal(f.POLL_INTERVAL_MS, 1500);
  assert.equal(f.POLL_LIMIT_MS, 120000);
  assert.equal(f.keepPolling('pending', 0, 119999), true);
  assert.equal(f.keepPolling('pending', 0, 120000), false);
  assert.equal(f.keepPolling('succeeded', 0, 10), false);
  assert.deepEqual(['succeeded', 'failed', 'expired', 'pending'].map(f.paymentOutcome), ['paid', 'declined', 'expired', 'waiting']);
});

test('status keys, list queries and the write-only credentials', () => {
  assert.equal(f.INVOICE_STATUS_KEYS.partially_paid, 'finance.invoiceStatus.partially_paid');
  assert.equal(f.PAYMENT_STATUS_KEYS.expired, 'finance.paymentStatus.expired');
  assert.equal(f.METHOD_KEYS.transfer, 'finance.method.transfer');
  assert.equal(f.listQuery({ status: 'open', overdue: true, method: '' }, { patientId: 'p 1' }),
    'patient_id=p+1&status=open&overdue=true&limit=50');
  assert.equal(f.listQuery({}, { cursor: 'abc', limit: 20 }), 'limit=20&cursor=abc');
  assert.deepEqual(f.credentialsBody('devgateway', { merchant_id: '', secret: '' }), { credentials: undefined });
  assert.deepEqual(f.credentialsBody('devgateway', { merchant_id: ' m1 ', secret: 's' }),
    { credentials: { merchant_id: 'm1', secret: 's' } });
  assert.deepEqual(f.credentialsBody('paytr', { merchant_id: 'm1' }).errors,
    { 'credentials.merchant_key': 'required', 'credentials.merchant_salt': 'required' });
});
