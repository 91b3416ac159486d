// Online payment (issue 12, DESIGN.md section 12) through the stack's payment sink: POST
// payments with an Idempotency-Key opens a checkout at the provider, the browser pays on the
// hosted page, and only the provider's verified callback settles the payment. Also: replays,
// a reused key, 50 requests with one key, refused callbacks (bad signature, stale time,
// replayed event, unknown reference, other amount or currency) changing nothing but one audit
// row, decline, expiry and a late success, the receipt, and PayTR end to end with its token
// and hash computed here (node:crypto), never by the sink's or the server's code.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { api, env, psql } from './lib/client.mjs';
import {
  enablePortal, makeClinic, makePatient, portalctl, signIn, signInPatient, uniqueEmail,
} from './lib/fixtures.mjs';
import {
  devgatewaySignature, forgeCallback, getCheckout, paytrHash, paytrToken, registerMerchant, release, replay,
  submitCard, waitForCallback,
} from './lib/paysink.mjs';
import { waitForMail } from './lib/sinks.mjs';

const APPROVE = '4242 4242 4242 4242';
const DECLINE = '4000 0000 0000 0002';
const HOLD = '4000 0000 0000 0119';
const ALL = ['view_profile', 'view_balance', 'view_invoices', 'view_payments', 'make_payment'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A clinic with its portal open, a provider set up (or not), a patient with an invoice. */
async function payClinic({ provider = 'devgateway', active = true, permissions = ALL, total = 12000 } = {}) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  await enablePortal(owner, clinic, { permissions });
  let merchant = null;
  if (provider) {
    merchant = await registerMerchant(provider === 'paytr'
      ? { provider, callback_url: `${env().url}/api/v1/payments/callback/paytr` } : {});
    const credentials = provider === 'paytr'
      ? { merchant_id: merchant.merchant_id, merchant_key: merchant.merchant_key, merchant_salt: merchant.merchant_salt }
      : { merchant_id: merchant.merchant_id, secret: merchant.secret };
    const res = await owner.request('PUT', '/api/v1/clinic/payment-infrastructure',
      { body: { provider, active, credentials } });
    assert.equal(res.status, 200, res.text);
  }
  // Email only: the receipt goes by email, where the test reads it.
  const email = uniqueEmail('payer');
  const patient = await makePatient(owner, { email });
  const inv = await owner.request('POST', '/api/v1/clinic/invoices', {
    body: { patient_id: patient.id, lines: [{ description: 'Muayene', quantity: 1, unit_price: total, tax_rate_bp: 0 }] },
  });
  assert.equal(inv.status, 201, inv.text);
  const me = await signInPatient(clinic.code, email);
  return { clinic, owner, merchant, patient, invoice: inv.body, me, email };
}

function startPayment(me, body, key = randomUUID()) {
  return me.request('POST', 'payments', { body, headers: { 'idempotency-key': key } });
}

async function paymentOf(me, id) {
  const res = await me.request('GET', `payments/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

async function settled(me, id, { timeoutMs = 15000 } = {}) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const p = await paymentOf(me, id);
    if (p.status !== 'pending' || Date.now() > until) return p;
    await sleep(100);
  }
}

const auditCount = (clinicId, action) => Number(psql(
  `SELECT count(*) FROM audit_log WHERE clinic_id = '${clinicId}' AND action = '${action}'`).trim());
const checkoutIdOf = (redirectUrl) => new URL(redirectUrl).pathname.split('/').pop();

describe('paying an invoice through the devgateway', () => {
  test('the approving card: 201 pending with the hosted page, the verified callback settles it, the invoice is paid, a receipt goes out', async () => {
    const t = await payClinic();
    const res = await startPayment(t.me, { amount: t.invoice.total, invoice_id: t.invoice.id });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.payment.status, 'pending');
    assert.equal(res.body.payment.method, 'online');
    assert.equal(res.body.payment.provider, 'devgateway');
    assert.equal(res.body.payment.amount, t.invoice.total);
    assert.equal(res.body.payment.invoice_id, t.invoice.id);
    assert.equal(res.body.payment.provider_reference, undefined, 'the provider reference is for staff');
    assert.match(res.body.payment.reference, /^[A-Za-z0-9]{1,64}$/);
    assert.match(res.body.redirect_url, /^http:\/\/127\.0\.0\.1:\d+\/pay\//);

    // Coming back from the provider says nothing by itself: still pending before the callback.
    const card = await submitCard(res.body.redirect_url, APPROVE);
    assert.equal(card.status, 303);
    assert.equal(card.location, `${env().url}/${t.clinic.code}#/payments/${res.body.payment.id}/result`);
    const cb = await waitForCallback((e) => e.id === checkoutIdOf(res.body.redirect_url));
    assert.equal(cb.doc.status, 200, JSON.stringify(cb.doc));

    const paid = await settled(t.me, res.body.payment.id);
    assert.equal(paid.status, 'succeeded');
    const inv = await t.me.request('GET', `invoices/${t.invoice.id}`);
    assert.equal(inv.body.status, 'paid');
    assert.equal(inv.body.due, 0);
    const bal = await t.me.request('GET', 'balance');
    assert.equal(bal.body.balance, 0);

    // Staff see it with the provider's reference; the receipt went by email.
    const staffView = await t.owner.request('GET', `/api/v1/clinic/payments/${res.body.payment.id}`);
    assert.equal(staffView.body.status, 'succeeded');
    assert.ok(staffView.body.provider_reference, 'staff see the provider reference');
    const mail = await waitForMail((m) => m.to.includes(t.email) && /makbuz|receipt/i.test(m.subject));
    assert.match(mail.text, /120,00|120\.00/);
    assert.match(mail.text, new RegExp(t.invoice.number));
    assert.equal(auditCount(t.clinic.id, 'payment.succeeded'), 1);
  });

  test('the declining card: the payment failed, the invoice stays unpaid', async () => {
    const t = await payClinic();
    const res = await startPayment(t.me, { amount: 5000, invoice_id: t.invoice.id });
    assert.equal(res.status, 201, res.text);
    await submitCard(res.body.redirect_url, DECLINE);
    const p = await settled(t.me, res.body.payment.id);
    assert.equal(p.status, 'failed');
    const inv = await t.me.request('GET', `invoices/${t.invoice.id}`);
    assert.equal(inv.body.status, 'open');
    assert.equal(inv.body.due, t.invoice.total);
  });

  test('the held card: the payment expires; a late verified success still wins', async () => {
    const t = await payClinic();
    const res = await startPayment(t.me, { amount: t.invoice.total });
    assert.equal(res.status, 201, res.text);
    await submitCard(res.body.redirect_url, HOLD);
    await sleep(300);
    assert.equal((await paymentOf(t.me, res.body.payment.id)).status, 'pending');
    const out = portalctl('expire-payments', '--older-than', '0');
    assert.match(out, /expired/);
    assert.equal((await paymentOf(t.me, res.body.payment.id)).status, 'expired');
    const inv = await t.me.request('GET', `invoices/${t.invoice.id}`);
    assert.equal(inv.body.status, 'open', 'an expired payment leaves the invoice unpaid');

    const r = await release(checkoutIdOf(res.body.redirect_url));
    assert.equal(r.status, 200, JSON.stringify(r));
    assert.equal((await paymentOf(t.me, res.body.payment.id)).status, 'succeeded');
    assert.equal((await t.me.request('GET', `invoices/${t.invoice.id}`)).body.status, 'paid');
  });
});

describe('refusals of POST payments', () => {
  test('no Idempotency-Key is 400 idempotency_key_required; a malformed one too', async () => {
    const t = await payClinic();
    let res = await t.me.request('POST', 'payments', { body: { amount: 100 } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, 'idempotency_key_required');
    res = await t.me.request('POST', 'payments', { body: { amount: 100 }, headers: { 'idempotency-key': 'x'.repeat(256) } });
    assert.equal(res.body.code, 'idempotency_key_required');
  });

  test('amount ≤ 0, above the balance, above the invoice due: 422 naming amount', async () => {
    const t = await payClinic();
    for (const [body, why] of [
      [{ amount: 0 }, 'zero'], [{ amount: -5 }, 'negative'], [{ amount: t.invoice.total + 1 }, 'above the balance'],
      [{ amount: t.invoice.total + 1, invoice_id: t.invoice.id }, 'above the due'],
    ]) {
      const res = await startPayment(t.me, body);
      assert.equal(res.status, 422, `${why}: ${res.text}`);
      assert.deepEqual(res.body.errors.map((e) => e.field), ['amount'], why);
    }
    const other = await startPayment(t.me, { amount: 100, invoice_id: randomUUID() });
    assert.equal(other.status, 422, other.text);
    assert.deepEqual(other.body.errors.map((e) => e.field), ['invoice_id']);
  });

  test("another patient's or clinic's invoice is no invoice of yours; their payments answer 404", async () => {
    const [t, u] = await Promise.all([payClinic(), payClinic()]);
    const neighbour = await makePatient(t.owner, { email: uniqueEmail('neighbour') });
    const inv = await t.owner.request('POST', '/api/v1/clinic/invoices', {
      body: { patient_id: neighbour.id, lines: [{ description: 'X', quantity: 1, unit_price: 500, tax_rate_bp: 0 }] },
    });
    assert.equal(inv.status, 201, inv.text);
    for (const invoiceId of [inv.body.id, u.invoice.id]) {
      const res = await startPayment(t.me, { amount: 100, invoice_id: invoiceId });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.body.errors.map((e) => e.field), ['invoice_id']);
    }
    const theirs = await startPayment(u.me, { amount: 100 });
    assert.equal(theirs.status, 201, theirs.text);
    assert.equal((await t.me.request('GET', `payments/${theirs.body.payment.id}`)).status, 404);
    assert.equal((await t.owner.request('GET', `/api/v1/clinic/payments/${theirs.body.payment.id}`)).status, 404);
    // The start is audited as the patient's.
    const row = JSON.parse(psql(`SELECT row_to_json(a) FROM audit_log a WHERE clinic_id = '${u.clinic.id}'
      AND action = 'payment.start'`));
    assert.equal(row.actor_type, 'patient');
    assert.equal(row.actor_id, u.patient.id);
    assert.equal(row.target_id, theirs.body.payment.id);
  });

  test('the infrastructure inactive: 409 payment_unavailable, and the diagnostics name payment_infrastructure', async () => {
    const t = await payClinic({ active: false });
    const res = await startPayment(t.me, { amount: 100 });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.code, 'payment_unavailable');
    const d = await t.owner.request('GET', `/api/v1/clinic/patients/${t.patient.id}/portal-access?action=make_payment`);
    assert.equal(d.status, 200, d.text);
    const check = d.body.checks.find((c) => c.condition === 'payment_infrastructure');
    assert.equal(check?.ok, false, d.text);
  });

  test('without make_payment: 403 permission_denied naming it', async () => {
    const t = await payClinic({ permissions: ['view_profile', 'view_invoices'] });
    const res = await startPayment(t.me, { amount: 100 });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.code, 'permission_denied');
    assert.equal(res.body.permission, 'make_payment');
  });

  test("the patient's own set decides: without make_payment 403, with it 201, the clinic's set unchanged", async () => {
    const t = await payClinic({ permissions: ['view_profile', 'view_invoices'] });
    const perms = `/api/v1/clinic/patients/${t.patient.id}/portal-permissions`;
    let put = await t.owner.request('PUT', perms, { body: { mode: 'custom', permissions: ['view_profile', 'view_invoices', 'make_payment'] } });
    assert.equal(put.status, 200, put.text);
    assert.equal((await startPayment(t.me, { amount: 100 })).status, 201);
    put = await t.owner.request('PUT', perms, { body: { mode: 'custom', permissions: ['view_profile'] } });
    assert.equal(put.status, 200, put.text);
    const res = await startPayment(t.me, { amount: 100 });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.permission, 'make_payment');
  });
});

describe('Idempotency-Key', () => {
  test('the same key and body replay the first answer; another body is 422 idempotency_key_reused', async () => {
    const t = await payClinic();
    const key = randomUUID();
    const first = await startPayment(t.me, { amount: 1000 }, key);
    assert.equal(first.status, 201, first.text);
    const again = await startPayment(t.me, { amount: 1000 }, key);
    assert.equal(again.status, 201, again.text);
    assert.deepEqual(again.body, first.body);
    const other = await startPayment(t.me, { amount: 1001 }, key);
    assert.equal(other.status, 422, other.text);
    assert.equal(other.body.code, 'idempotency_key_reused');
    const list = await t.owner.request('GET', `/api/v1/clinic/payments?patient_id=${t.patient.id}`);
    assert.equal(list.body.items.filter((p) => p.method === 'online').length, 1);
  });

  test('50 concurrent requests with one key: one payment; the rest replays or 409 idempotency_in_flight', async () => {
    const t = await payClinic();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 50 }, () => startPayment(t.me, { amount: 700 }, key)));
    const statuses = answers.map((r) => r.status);
    for (const r of answers) {
      assert.ok(r.status === 201 || (r.status === 409 && r.body.code === 'idempotency_in_flight'), r.text);
    }
    assert.ok(statuses.includes(201));
    const ids = new Set(answers.filter((r) => r.status === 201).map((r) => r.body.payment.id));
    assert.equal(ids.size, 1, 'every 201 is the same payment');
    const list = await t.owner.request('GET', `/api/v1/clinic/payments?patient_id=${t.patient.id}`);
    assert.equal(list.body.items.filter((p) => p.method === 'online').length, 1);
  });
});

describe('callbacks', () => {
  async function pendingCheckout() {
    const t = await payClinic();
    const res = await startPayment(t.me, { amount: t.invoice.total, invoice_id: t.invoice.id });
    assert.equal(res.status, 201, res.text);
    return { ...t, payment: res.body.payment, redirect: res.body.redirect_url, checkout: checkoutIdOf(res.body.redirect_url) };
  }
  const state = (t) => psql(`SELECT status || ':' || (SELECT count(*) FROM payment_events WHERE payment_id = p.id)
    FROM payments p WHERE id = '${t.payment.id}'`).trim();

  for (const [name, overrides] of [
    ['a bad signature', { secret: 'not-the-secret' }],
    ['a stale t', { t: Math.floor(Date.now() / 1000) - 301 }],
    ['another amount', { amount: 1 }],
    ['another currency', { currency: 'EUR' }],
  ]) {
    test(`${name}: 400, no change, one callback_rejected audit row`, async () => {
      const t = await pendingCheckout();
      const before = state(t);
      const r = await forgeCallback(t.checkout, overrides);
      assert.equal(r.status, 400, JSON.stringify(r));
      assert.equal(state(t), before);
      assert.equal(auditCount(t.clinic.id, 'payment.callback_rejected'), 1);
    });
  }

  test('a changed body under the old signature is 400 even for a known event; a replayed event has no second effect', async () => {
    const t = await pendingCheckout();
    await submitCard(t.redirect, APPROVE);
    const cb = await waitForCallback((e) => e.id === t.checkout);
    assert.equal(cb.doc.status, 200);
    assert.equal((await paymentOf(t.me, t.payment.id)).status, 'succeeded');
    const receipts = () => Number(psql(`SELECT count(*) FROM outbox WHERE purpose = 'payment_receipt'
      AND patient_id = '${t.patient.id}'`).trim());
    const sent = receipts();
    const again = await replay(t.checkout);
    assert.equal(again.status, 200, JSON.stringify(again));
    assert.equal(receipts(), sent, 'no second receipt');
    assert.equal(auditCount(t.clinic.id, 'payment.succeeded'), 1, 'no second effect');

    const body = cb.doc.body.replace(`"amount": ${t.payment.amount}`, `"amount": ${t.payment.amount + 1}`)
      .replace(`"amount":${t.payment.amount}`, `"amount":${t.payment.amount + 1}`);
    assert.notEqual(body, cb.doc.body);
    const sig = cb.doc.headers['X-Gateway-Signature'] ?? cb.doc.headers['x-gateway-signature'];
    const changed = await api('POST', '/api/v1/payments/callback/devgateway',
      { raw: body, headers: { 'content-type': 'application/json', 'x-gateway-signature': sig } });
    assert.equal(changed.status, 400, changed.text);
  });

  test('an unknown reference: 400 and one operator audit row with no clinic', async () => {
    const before = Number(psql(`SELECT count(*) FROM audit_log WHERE clinic_id IS NULL
      AND action = 'payment.callback_rejected'`).trim());
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'payment.succeeded',
      data: { reference: `P${randomUUID().replaceAll('-', '')}`, amount: 100, currency: 'TRY' } });
    const res = await api('POST', '/api/v1/payments/callback/devgateway', {
      raw: body,
      headers: { 'content-type': 'application/json',
        'x-gateway-signature': devgatewaySignature('whatever', Math.floor(Date.now() / 1000), body) },
    });
    assert.equal(res.status, 400, res.text);
    const after = Number(psql(`SELECT count(*) FROM audit_log WHERE clinic_id IS NULL
      AND action = 'payment.callback_rejected'`).trim());
    assert.equal(after, before + 1);
  });
});

describe('PayTR, end to end through the sink', () => {
  test('the token the server sent and the callback hash, both computed here; the approving card settles it', async () => {
    const t = await payClinic({ provider: 'paytr' });
    const res = await startPayment(t.me, { amount: t.invoice.total, invoice_id: t.invoice.id });
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.redirect_url, /\/paytr\/odeme\/guvenli\//);
    const token = new URL(res.body.redirect_url).pathname.split('/').pop();
    const co = await getCheckout(token);
    const f = co.checkout?.fields ?? co.fields ?? co.checkout ?? co;
    assert.equal(f.merchant_id, t.merchant.merchant_id);
    assert.equal(f.merchant_oid, res.body.payment.reference);
    assert.equal(f.payment_amount, String(t.invoice.total));
    assert.equal(f.paytr_token, paytrToken(f, t.merchant.merchant_key, t.merchant.merchant_salt),
      'the server computed PayTR\'s token by the formula');

    await submitCard(res.body.redirect_url, APPROVE);
    const cb = await waitForCallback((e) => e.id === token);
    assert.equal(cb.doc.status, 200, JSON.stringify(cb.doc));
    assert.equal(cb.doc.answer ?? cb.doc.body_answer ?? 'OK', 'OK');
    const form = new URLSearchParams(cb.doc.body);
    assert.equal(form.get('hash'), paytrHash(form.get('merchant_oid'), t.merchant.merchant_salt,
      form.get('status'), form.get('total_amount'), t.merchant.merchant_key));
    assert.equal((await settled(t.me, res.body.payment.id)).status, 'succeeded');

    // A hash that is not PayTR's formula is refused with no change.
    const forged = await forgeCallback(token, { hash: 'AAAA' });
    assert.equal(forged.status, 400, JSON.stringify(forged));
  });
});
