// Finance (issue 12, DESIGN.md section 12): invoices with lines and per-line tax rounded half
// up, gapless numbers per clinic and year, payments applied to their invoice or oldest unpaid
// first, credit taken by later invoices, refunds (credit first, then the newest allocations),
// void only once nothing is left paid, the balance and overdue derived in SQL, the currency
// fixed once money exists. Patient side: balance, invoices and payments by view_balance,
// view_invoices and view_payments, each 403 permission_denied naming the key when not granted
// (clinic set and the patient's own set); another patient's or clinic's ids answer 404.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { assertProblem } from './lib/client.mjs';
import {
  dateIn, enablePortal, makeApiKey, makeClinic, makePatient, signIn, signInPatient, uniqueEmail, withKey,
} from './lib/fixtures.mjs';

const INVOICES = '/api/v1/clinic/invoices';
const PAYMENTS = '/api/v1/clinic/payments';
const PATIENTS = '/api/v1/clinic/patients';
const balancePath = (id) => `${PATIENTS}/${id}/balance`;
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field).sort();
const TZ = 'Europe/Istanbul';
const FINANCE = ['view_balance', 'view_invoices', 'view_payments'];

let A;
let B;

async function setUp({ permissions }) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const staff = await signIn(clinic.logins.staff);
  await enablePortal(owner, clinic, { permissions });
  const readKey = withKey(makeApiKey(clinic.id, 'read'));
  const writeKey = withKey(makeApiKey(clinic.id, 'read,write'));
  return { clinic, owner, staff, readKey, writeKey };
}

before(async () => {
  [A, B] = await Promise.all([
    setUp({ permissions: ['view_profile', ...FINANCE] }),
    setUp({ permissions: ['view_profile'] }),
  ]);
});

const line = (unit_price, tax_rate_bp = 0, quantity = 1, description = 'Visit') =>
  ({ description, quantity, unit_price, tax_rate_bp });

async function invoice(s, patientId, lines, extra = {}) {
  const res = await s.request('POST', INVOICES, { body: { patient_id: patientId, lines, ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function pay(s, patientId, amount, extra = {}) {
  const res = await s.request('POST', PAYMENTS, { body: { patient_id: patientId, amount, method: 'cash', ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

const get = async (s, id) => {
  const res = await s.request('GET', `${INVOICES}/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
};
const figures = async (s, ...ids) =>
  Promise.all(ids.map(async (id) => { const f = await get(s, id); return [f.paid, f.due, f.status]; }));
const balance = async (s, patientId) => {
  const res = await s.request('GET', balancePath(patientId));
  assert.equal(res.status, 200, res.text);
  return res.body;
};

describe('invoices', () => {
  test('lines at several tax rates: tax per line rounded half up, totals from SQL, number INV<year><9 digits>', async () => {
    const p = await makePatient(A.staff);
    const res = await A.writeKey.request('POST', INVOICES, {
      body: {
        patient_id: p.id, issued_on: '2026-03-01', due_on: '2026-03-31', note: 'İlk muayene\nve temizlik',
        lines: [
          line(1001, 1850, 3, 'Dolgu'), // 3003, 555.555 -> 556
          line(5000, 2000, 1, 'Kanal'), // 5000, 1000
          line(125, 1000, 2, 'Ilaç'), // 250, 25
          line(25, 1000, 1, 'Half'), // 25, 2.5 -> 3
          line(0, 800, 7, 'Free'), // 0, 0
        ],
      },
    });
    assert.equal(res.status, 201, res.text);
    const inv = res.body;
    assert.equal(res.headers.get('location'), `${INVOICES}/${inv.id}`);
    assert.deepEqual(inv.lines.map((l) => [l.subtotal, l.tax, l.total]),
      [[3003, 556, 3559], [5000, 1000, 6000], [250, 25, 275], [25, 3, 28], [0, 0, 0]]);
    assert.deepEqual([inv.subtotal, inv.tax_total, inv.total, inv.paid, inv.due], [8278, 1584, 9862, 0, 9862]);
    assert.equal(inv.currency, 'TRY');
    assert.equal(inv.status, 'open');
    assert.equal(inv.issued_on, '2026-03-01');
    assert.equal(inv.due_on, '2026-03-31');
    assert.equal(inv.note, 'İlk muayene\nve temizlik');
    assert.equal(inv.patient_name, `${p.first_name} ${p.last_name}`);
    assert.match(inv.number, /^INV2026\d{9}$/);
    assert.deepEqual(await get(A.readKey, inv.id), inv);
    const list = await A.readKey.request('GET', `${INVOICES}?patient_id=${p.id}`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].lines, undefined, 'lists omit lines');
    assert.equal(list.body.items[0].total, 9862);
  });

  test('numbers are gapless under 16 concurrent creations: INV2026000000001 to …016', async () => {
    const c = await setUp({ permissions: ['view_profile'] });
    const p = await makePatient(c.staff);
    const all = await Promise.all(Array.from({ length: 16 }, () =>
      c.writeKey.request('POST', INVOICES, { body: { patient_id: p.id, issued_on: '2026-06-15', lines: [line(100)] } })));
    for (const r of all) assert.equal(r.status, 201, r.text);
    const numbers = all.map((r) => r.body.number).sort();
    assert.deepEqual(numbers, Array.from({ length: 16 }, (_, i) => `INV2026${String(i + 1).padStart(9, '0')}`));
    // Another year starts its own sequence.
    assert.equal((await invoice(c.staff, p.id, [line(1)], { issued_on: '2027-01-02' })).number, 'INV2027000000001');
  });

  test('the clinic profile\'s invoice prefix leads the number', async () => {
    const c = await setUp({ permissions: ['view_profile'] });
    const prof = await c.owner.request('GET', '/api/v1/clinic/profile');
    const put = await c.owner.request('PUT', '/api/v1/clinic/profile', { body: { ...prof.body, invoice_prefix: 'SD' } });
    assert.equal(put.status, 200, put.text);
    const p = await makePatient(c.staff);
    assert.equal((await invoice(c.staff, p.id, [line(1)], { issued_on: '2026-02-02' })).number, 'SD2026000000001');
  });

  test('bad input is 422 naming each field; a foreign or unknown patient names patient_id', async () => {
    const p = await makePatient(A.staff);
    const bp = await makePatient(B.staff);
    const cases = [
      [{ patient_id: p.id, lines: [] }, ['lines']],
      [{ patient_id: p.id }, ['lines']],
      [{ lines: [line(1)] }, ['patient_id']],
      [{ patient_id: p.id, lines: [{ ...line(1), tax_rate_bp: 10001 }] }, ['lines[0].tax_rate_bp']],
      [{ patient_id: p.id, lines: [{ ...line(1), quantity: 0 }, { ...line(-1) }] }, ['lines[0].quantity', 'lines[1].unit_price']],
      [{ patient_id: p.id, lines: [{ ...line(1), description: 'a\nb' }] }, ['lines[0].description']],
      [{ patient_id: p.id, lines: [{ ...line(1), extra: 1 }] }, ['lines[0].extra']],
      [{ patient_id: p.id, lines: Array.from({ length: 101 }, () => line(1)) }, ['lines']],
      [{ patient_id: p.id, lines: [line(1)], issued_on: '2026-05-02', due_on: '2026-05-01' }, ['due_on']],
      [{ patient_id: p.id, lines: [line(1)], due_on: '2000-01-01' }, ['due_on']],
      [{ patient_id: bp.id, lines: [line(1)] }, ['patient_id']],
      [{ patient_id: randomUUID(), lines: [line(1)] }, ['patient_id']],
    ];
    for (const [body, fields] of cases) {
      const res = await A.staff.request('POST', INVOICES, { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body).slice(0, 80));
      assert.deepEqual(fieldsOf(res), fields, JSON.stringify(body).slice(0, 80));
    }
    assert.equal((await A.staff.request('GET', `${INVOICES}?patient_id=${bp.id}`)).body.items.length, 0);
  });
});

describe('payments, credit, refunds, void', () => {
  test('partial payment, invoice-bound payment, oldest first, credit taken by a later invoice; balance at each step', async () => {
    const p = await makePatient(A.staff);
    const inv1 = await invoice(A.staff, p.id, [line(10000)], { issued_on: '2026-01-10' });
    const inv2 = await invoice(A.staff, p.id, [line(5000, 1800)], { issued_on: '2026-02-10' }); // 5900
    assert.deepEqual(await balance(A.readKey, p.id), { currency: 'TRY', balance: 15900, overdue: 0 });

    const p1 = await pay(A.staff, p.id, 3000);
    assert.equal(p1.status, 'succeeded');
    assert.equal(p1.method, 'cash');
    assert.equal(p1.invoice_id, null);
    assert.deepEqual(await figures(A.staff, inv1.id, inv2.id), [[3000, 7000, 'partially_paid'], [0, 5900, 'open']]);
    assert.equal((await balance(A.staff, p.id)).balance, 12900);

    const p2 = await pay(A.writeKey, p.id, 2000, { method: 'card', invoice_id: inv2.id });
    assert.equal(p2.invoice_number, inv2.number);
    assert.deepEqual(await figures(A.staff, inv1.id, inv2.id), [[3000, 7000, 'partially_paid'], [2000, 3900, 'partially_paid']]);

    const p3 = await pay(A.staff, p.id, 12000, { method: 'transfer' });
    assert.deepEqual(await figures(A.staff, inv1.id, inv2.id), [[10000, 0, 'paid'], [5900, 0, 'paid']]);
    assert.equal((await balance(A.staff, p.id)).balance, -1100, '1100 of credit');

    const inv3 = await invoice(A.staff, p.id, [line(1500)]);
    assert.deepEqual([inv3.paid, inv3.due, inv3.status], [1100, 400, 'partially_paid'], 'the credit pays a later invoice');
    assert.equal((await balance(A.staff, p.id)).balance, 400);

    // Refunds: more than is left paid is 422 naming amount.
    let res = await A.staff.request('POST', `${PAYMENTS}/${p3.id}/refund`, { body: { amount: 12001, reason: 'Too much' } });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(res), ['amount']);
    // 1500 back: the newest allocations first (inv3's 1100, then 400 of inv2).
    res = await A.staff.request('POST', `${PAYMENTS}/${p3.id}/refund`, { body: { amount: 1500, reason: 'Goodwill' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.refund.amount, 1500);
    assert.equal(res.body.refund.reason, 'Goodwill');
    assert.equal(res.body.payment.refunded, 1500);
    assert.deepEqual(res.body.payment.refunds.map((r) => r.amount), [1500]);
    assert.deepEqual(await figures(A.staff, inv1.id, inv2.id, inv3.id),
      [[10000, 0, 'paid'], [5500, 400, 'partially_paid'], [0, 1500, 'open']]);
    assert.equal((await balance(A.staff, p.id)).balance, 1900);

    // Void: fine with nothing paid on it, 409 while something is, 409 twice.
    res = await A.staff.request('POST', `${INVOICES}/${inv3.id}/void`, { body: { reason: 'Entered twice' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.status, res.body.due, res.body.void_reason], ['void', 0, 'Entered twice']);
    assert.ok(res.body.voided_at);
    assertProblem(await A.staff.request('POST', `${INVOICES}/${inv3.id}/void`, { body: { reason: 'Again' } }), 409, 'conflict');
    assertProblem(await A.staff.request('POST', `${INVOICES}/${inv2.id}/void`, { body: { reason: 'Paid' } }), 409, 'conflict');
    assert.equal((await balance(A.staff, p.id)).balance, 400);

    // Refund the rest of inv2's money, then it may be voided.
    res = await A.staff.request('POST', `${PAYMENTS}/${p2.id}/refund`, { body: { amount: 2000, reason: 'Card back' } });
    assert.equal(res.status, 201, res.text);
    res = await A.staff.request('POST', `${PAYMENTS}/${p3.id}/refund`, { body: { amount: 10501, reason: 'Too much' } });
    assertProblem(res, 422, 'validation_failed');
    assert.match(res.body.errors[0].message, /10500/);
    res = await A.staff.request('POST', `${PAYMENTS}/${p3.id}/refund`, { body: { amount: 10500, reason: 'All back' } });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(await figures(A.staff, inv1.id, inv2.id), [[3000, 7000, 'partially_paid'], [0, 5900, 'open']]);
    res = await A.staff.request('POST', `${INVOICES}/${inv2.id}/void`, { body: { reason: 'Cancelled treatment' } });
    assert.equal(res.status, 200, res.text);
    // invoiced 10000 (inv1) - paid 17000 + refunded 14000.
    assert.deepEqual(await balance(A.staff, p.id), { currency: 'TRY', balance: 7000, overdue: 0 });
    const detail = await A.staff.request('GET', `${PAYMENTS}/${p3.id}`);
    assert.deepEqual([detail.body.refunded, detail.body.refunds.length], [12000, 2]);
    assertProblem(await A.staff.request('POST', `${PAYMENTS}/${p3.id}/refund`, { body: { amount: 1, reason: 'Nothing left' } }),
      422, 'validation_failed');
  });

  test('overdue: due date passed in the clinic\'s zone and not fully paid; listed first; the balance sums its due', async () => {
    const p = await makePatient(A.staff);
    const late = await invoice(A.staff, p.id, [line(4000)], { issued_on: dateIn(TZ, -30), due_on: dateIn(TZ, -1) });
    const today = await invoice(A.staff, p.id, [line(1000)], { issued_on: dateIn(TZ, -30), due_on: dateIn(TZ, 0) });
    const fresh = await invoice(A.staff, p.id, [line(2000)]);
    assert.equal(late.overdue, true);
    assert.equal(today.overdue, false, 'due today is not overdue yet');
    assert.equal(fresh.overdue, false);
    const list = await A.staff.request('GET', `${INVOICES}?patient_id=${p.id}`);
    assert.deepEqual(list.body.items.map((i) => i.id), [late.id, fresh.id, today.id]);
    assert.deepEqual((await A.staff.request('GET', `${INVOICES}?patient_id=${p.id}&overdue=true`)).body.items.map((i) => i.id), [late.id]);
    assert.deepEqual(await balance(A.staff, p.id), { currency: 'TRY', balance: 7000, overdue: 4000 });
    await pay(A.staff, p.id, 1500); // oldest first: late (issued the same day as today, created first)
    assert.deepEqual(await balance(A.staff, p.id), { currency: 'TRY', balance: 5500, overdue: 2500 });
    await pay(A.staff, p.id, 2500, { invoice_id: late.id });
    const after = await get(A.staff, late.id);
    assert.deepEqual([after.status, after.overdue], ['paid', false]);
    assert.equal((await balance(A.staff, p.id)).overdue, 0);
  });

  test('payment input: amount above the invoice\'s due, a void or foreign invoice, online, 0 are 422 naming the field', async () => {
    const p = await makePatient(A.staff);
    const other = await makePatient(A.staff);
    const inv = await invoice(A.staff, p.id, [line(1000)]);
    const otherInv = await invoice(A.staff, other.id, [line(1000)]);
    const voided = await invoice(A.staff, p.id, [line(1000)]);
    assert.equal((await A.staff.request('POST', `${INVOICES}/${voided.id}/void`, { body: { reason: 'x' } })).status, 200);
    const cases = [
      [{ patient_id: p.id, amount: 1001, method: 'cash', invoice_id: inv.id }, ['amount']],
      [{ patient_id: p.id, amount: 10, method: 'cash', invoice_id: otherInv.id }, ['invoice_id']],
      [{ patient_id: p.id, amount: 10, method: 'cash', invoice_id: voided.id }, ['invoice_id']],
      [{ patient_id: p.id, amount: 10, method: 'cash', invoice_id: randomUUID() }, ['invoice_id']],
      [{ patient_id: p.id, amount: 10, method: 'online' }, ['method']],
      [{ patient_id: p.id, amount: 0, method: 'cash' }, ['amount']],
      [{ patient_id: p.id, amount: 1.5, method: 'cash' }, ['amount']],
      [{ patient_id: p.id, method: 'cash' }, ['amount']],
      [{ patient_id: p.id, amount: 10, method: 'cash', received_at: 'yesterday' }, ['received_at']],
      [{ patient_id: randomUUID(), amount: 10, method: 'cash' }, ['patient_id']],
    ];
    for (const [body, fields] of cases) {
      const res = await A.staff.request('POST', PAYMENTS, { body });
      assertProblem(res, 422, 'validation_failed', JSON.stringify(body));
      assert.deepEqual(fieldsOf(res), fields, JSON.stringify(body));
    }
    assert.equal((await A.staff.request('GET', `${PAYMENTS}?patient_id=${p.id}`)).body.items.length, 0, 'nothing recorded');
    const ok = await pay(A.staff, p.id, 1000, { invoice_id: inv.id, received_at: '2026-03-01T10:00:00+03:00', note: 'Desk' });
    assert.equal(ok.received_at, '2026-03-01T07:00:00Z');
    assert.equal(ok.note, 'Desk');
    assert.equal(ok.provider_reference, null);
    assert.deepEqual((await A.staff.request('GET', `${PAYMENTS}?patient_id=${p.id}&method=card`)).body.items, []);
    assert.deepEqual((await A.staff.request('GET', `${PAYMENTS}?patient_id=${p.id}&status=succeeded`)).body.items.map((x) => x.id), [ok.id]);
    assertProblem(await A.staff.request('GET', `${PAYMENTS}?method=cheque`), 422, 'validation_failed');
    assertProblem(await A.staff.request('GET', `${INVOICES}?status=unpaid`), 422, 'validation_failed');
    assertProblem(await A.staff.request('POST', `${INVOICES}/${inv.id}/void`, { body: {} }), 422, 'validation_failed');
    assertProblem(await A.staff.request('POST', `${PAYMENTS}/${ok.id}/refund`, { body: { amount: 1 } }), 422, 'validation_failed');
  });

  test('lists page with a cursor, newest first', async () => {
    const p = await makePatient(A.staff);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await invoice(A.staff, p.id, [line(100 + i)]));
    const first = await A.readKey.request('GET', `${INVOICES}?patient_id=${p.id}&limit=2`);
    assert.deepEqual(first.body.items.map((i) => i.id), [made[2].id, made[1].id]);
    const second = await A.readKey.request('GET', `${INVOICES}?patient_id=${p.id}&limit=2&cursor=${first.body.next_cursor}`);
    assert.deepEqual(second.body.items.map((i) => i.id), [made[0].id]);
    assert.equal(second.body.next_cursor, null);
    const pays = [];
    for (let i = 0; i < 3; i++) pays.push(await pay(A.staff, p.id, 10 + i));
    const pp = await A.readKey.request('GET', `${PAYMENTS}?patient_id=${p.id}&limit=2`);
    assert.deepEqual(pp.body.items.map((x) => x.id), [pays[2].id, pays[1].id]);
    const rest = await A.readKey.request('GET', `${PAYMENTS}?patient_id=${p.id}&limit=2&cursor=${pp.body.next_cursor}`);
    assert.deepEqual(rest.body.items.map((x) => x.id), [pays[0].id]);
    assertProblem(await A.readKey.request('GET', `${INVOICES}?limit=101`), 422, 'validation_failed');
  });

  test('the clinic-wide list: overdue first, then newest; status and overdue filters; a cursor through both parts', async () => {
    const C = await setUp({ permissions: ['view_profile'] });
    const [p, q] = [await makePatient(C.staff), await makePatient(C.staff)];
    const late = await invoice(C.staff, p.id, [line(1000)], { issued_on: dateIn(TZ, -60), due_on: dateIn(TZ, -30) });
    const half = await invoice(C.staff, q.id, [line(2000)], { issued_on: dateIn(TZ, -50), due_on: dateIn(TZ, -40) });
    await pay(C.staff, q.id, 1000, { invoice_id: half.id });
    const paid = await invoice(C.staff, p.id, [line(3000)], { issued_on: dateIn(TZ, -30), due_on: dateIn(TZ, -20) });
    await pay(C.staff, p.id, 3000, { invoice_id: paid.id });
    const voided = await invoice(C.staff, q.id, [line(4000)], { issued_on: dateIn(TZ, -30), due_on: dateIn(TZ, -10) });
    assert.equal((await C.staff.request('POST', `${INVOICES}/${voided.id}/void`, { body: { reason: 'x' } })).status, 200);
    const due = await invoice(C.staff, p.id, [line(5000)], { due_on: dateIn(TZ, 30) });
    const open = await invoice(C.staff, q.id, [line(6000)]);
    const walk = async (query, limit) => {
      const ids = [];
      let cursor = null;
      for (let i = 0; i < 10; i++) {
        const res = await C.readKey.request('GET', `${INVOICES}?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.status, 200, res.text);
        ids.push(...res.body.items.map((x) => x.id));
        cursor = res.body.next_cursor;
        if (!cursor) return ids;
      }
      return ids;
    };
    const all = [half.id, late.id, open.id, due.id, voided.id, paid.id];
    for (const limit of [1, 2, 4, 50]) assert.deepEqual(await walk('', limit), all, `limit ${limit}`);
    assert.deepEqual(await walk('&overdue=true', 1), [half.id, late.id]);
    assert.deepEqual(await walk('&overdue=false', 2), [open.id, due.id, voided.id, paid.id]);
    assert.deepEqual(await walk('&status=open', 1), [late.id, open.id, due.id]);
    assert.deepEqual(await walk('&status=partially_paid', 2), [half.id]);
    assert.deepEqual(await walk('&status=paid', 1), [paid.id]);
    assert.deepEqual(await walk('&status=void&overdue=false', 1), [voided.id]);
    assert.deepEqual(await walk('&status=open&overdue=true', 1), [late.id]);
    const first = (await C.readKey.request('GET', `${INVOICES}?limit=3`)).body;
    assert.deepEqual(first.items.map((x) => [x.status, x.overdue]),
      [['partially_paid', true], ['open', true], ['open', false]]);
  });

  test('read keys read, writes need write (403 forbidden_role); another clinic\'s ids answer 404', async () => {
    const p = await makePatient(A.staff);
    const inv = await invoice(A.staff, p.id, [line(500)]);
    const pm = await pay(A.staff, p.id, 500);
    for (const [path, body] of [
      [INVOICES, { patient_id: p.id, lines: [line(1)] }],
      [`${INVOICES}/${inv.id}/void`, { reason: 'x' }],
      [PAYMENTS, { patient_id: p.id, amount: 1, method: 'cash' }],
      [`${PAYMENTS}/${pm.id}/refund`, { amount: 1, reason: 'x' }],
    ]) assertProblem(await A.readKey.request('POST', path, { body }), 403, 'forbidden_role', path);
    for (const path of [`${INVOICES}/${inv.id}`, `${PAYMENTS}/${pm.id}`, balancePath(p.id)]) {
      assert.equal((await A.readKey.request('GET', path)).status, 200, path);
      assertProblem(await B.staff.request('GET', path), 404, 'not_found', path);
      assertProblem(await B.writeKey.request('GET', path), 404, 'not_found', path);
    }
    assertProblem(await B.staff.request('POST', `${INVOICES}/${inv.id}/void`, { body: { reason: 'x' } }), 404, 'not_found');
    assertProblem(await B.staff.request('POST', `${PAYMENTS}/${pm.id}/refund`, { body: { amount: 1, reason: 'x' } }), 404, 'not_found');
    assertProblem(await A.staff.request('GET', `${INVOICES}/${randomUUID()}`), 404, 'not_found');
    assertProblem(await A.staff.request('GET', `${PAYMENTS}/not-a-uuid`), 404, 'not_found');
    assert.equal((await B.staff.request('GET', `${PAYMENTS}?patient_id=${p.id}`)).body.items.length, 0);
    assert.equal((await get(A.staff, inv.id)).paid, 500, 'untouched');
  });

  test('the currency cannot change once the clinic has an invoice (409), but may before', async () => {
    const c = await setUp({ permissions: ['view_profile'] });
    const PROFILE = '/api/v1/clinic/profile';
    let prof = (await c.owner.request('GET', PROFILE)).body;
    let put = await c.owner.request('PUT', PROFILE, { body: { ...prof, currency: 'EUR' } });
    assert.equal(put.status, 200, put.text);
    const p = await makePatient(c.staff);
    assert.equal((await invoice(c.staff, p.id, [line(100)])).currency, 'EUR');
    prof = put.body;
    put = await c.owner.request('PUT', PROFILE, { body: { ...prof, currency: 'TRY' } });
    assertProblem(put, 409, 'conflict');
    assert.equal((await c.owner.request('GET', PROFILE)).body.currency, 'EUR');
    put = await c.owner.request('PUT', PROFILE, { body: { ...prof, name: 'Renamed' } });
    assert.equal(put.status, 200, 'other fields still save');
  });
});

describe('patient side', () => {
  test('the patient reads their own balance, invoices and payments; another patient\'s ids answer 404', async () => {
    const p = await makePatient(A.staff, { email: uniqueEmail('fin') });
    const other = await makePatient(A.staff, { email: uniqueEmail('fin') });
    const inv = await invoice(A.staff, p.id, [line(2000, 2000)]); // 2400
    const pm = await pay(A.staff, p.id, 1000);
    const otherInv = await invoice(A.staff, other.id, [line(9999)]);
    const otherPay = await pay(A.staff, other.id, 9999);
    const s = await signInPatient(A.clinic.code, p.email);
    let res = await s.request('GET', 'balance');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { currency: 'TRY', balance: 1400, overdue: 0 });
    res = await s.request('GET', 'invoices');
    assert.deepEqual(res.body.items.map((i) => [i.id, i.total, i.paid, i.due]), [[inv.id, 2400, 1000, 1400]]);
    assert.equal(res.body.items[0].patient_name, undefined);
    res = await s.request('GET', `invoices/${inv.id}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.lines.map((l) => [l.subtotal, l.tax, l.total]), [[2000, 400, 2400]]);
    assert.equal(res.body.patient_name, undefined);
    res = await s.request('GET', 'payments');
    assert.deepEqual(res.body.items.map((x) => [x.id, x.amount]), [[pm.id, 1000]]);
    res = await s.request('GET', `payments/${pm.id}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(!('provider_reference' in res.body) && !('patient_name' in res.body));
    assert.deepEqual(res.body.refunds, []);
    for (const rest of [`invoices/${otherInv.id}`, `payments/${otherPay.id}`, `invoices/${randomUUID()}`, `payments/${randomUUID()}`]) {
      res = await s.request('GET', rest);
      assertProblem(res, 404, 'not_found', rest);
      assert.ok(!res.text.includes('9999'));
    }
  });

  test('view_balance, view_invoices, view_payments: allowed when granted, 403 permission_denied naming the key when not (clinic set and own set)', async () => {
    const routes = { view_balance: 'balance', view_invoices: 'invoices', view_payments: 'payments' };
    // B's clinic set leaves all three out.
    const bp = await makePatient(B.staff, { email: uniqueEmail('fin') });
    const bInv = await invoice(B.staff, bp.id, [line(777)]);
    const bs = await signInPatient(B.clinic.code, bp.email);
    for (const [key, rest] of Object.entries(routes)) {
      const res = await bs.request('GET', rest);
      assertProblem(res, 403, 'permission_denied', `clinic set without ${key}`);
      assert.equal(res.body.permission, key);
    }
    assert.equal((await bs.request('GET', `invoices/${bInv.id}`)).body.permission, 'view_invoices');
    // The patient's own set, one key at a time: that one allowed, the others refused.
    for (const [key, rest] of Object.entries(routes)) {
      const put = await B.owner.request('PUT', `${PATIENTS}/${bp.id}/portal-permissions`,
        { body: { mode: 'custom', permissions: ['view_profile', key] } });
      assert.equal(put.status, 200, put.text);
      assert.equal((await bs.request('GET', rest)).status, 200, `${key} granted`);
      for (const [k2, r2] of Object.entries(routes)) {
        if (k2 === key) continue;
        const res = await bs.request('GET', r2);
        assertProblem(res, 403, 'permission_denied', `own set ${key}, asking ${k2}`);
        assert.equal(res.body.permission, k2);
      }
    }
    // In A (whose clinic set has all three) an own set without them: refused; back to the clinic's: allowed.
    const ap = await makePatient(A.staff, { email: uniqueEmail('fin') });
    const as = await signInPatient(A.clinic.code, ap.email);
    for (const rest of Object.values(routes)) assert.equal((await as.request('GET', rest)).status, 200, rest);
    let put = await A.owner.request('PUT', `${PATIENTS}/${ap.id}/portal-permissions`,
      { body: { mode: 'custom', permissions: ['view_profile'] } });
    assert.equal(put.status, 200, put.text);
    for (const [key, rest] of Object.entries(routes)) {
      const res = await as.request('GET', rest);
      assertProblem(res, 403, 'permission_denied', `own set without ${key}`);
      assert.equal(res.body.permission, key);
    }
    put = await A.owner.request('PUT', `${PATIENTS}/${ap.id}/portal-permissions`, { body: { mode: 'clinic' } });
    assert.equal(put.status, 200, put.text);
    for (const rest of Object.values(routes)) assert.equal((await as.request('GET', rest)).status, 200, rest);
  });
});
