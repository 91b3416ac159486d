// Browser tests of the patient's finance screens (issue 12 item 6), at phone width (390 px):
// the balance tile, the invoice list and the invoice's printable page; paying an invoice
// online with the approving card on the devgateway sink's hosted page and seeing it paid
// (the POST carries a fresh Idempotency-Key); the declining card shows the decline and leaves
// the invoice to pay; a patient without make_payment is offered no Pay anywhere. axe-core
// finds no serious or critical violation on these screens.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/portal_finance.test.mjs
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { axeViolations, launch, openConsole, portalSignedIn } from './browser.mjs';
import {
  enablePortal, makeClinic, makePatient, signIn as staffSignIn, uniquePhone,
} from '../api/lib/fixtures.mjs';
import { waitForSms } from '../api/lib/sinks.mjs';
import { registerMerchant } from '../api/lib/paysink.mjs';
import { formatMoney } from '../../web/src/financeRules.js';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;
const PHONE_VIEWPORT = { width: 390, height: 844 };
const PAYMENTS = /\/api\/v1\/portal\/[a-z0-9-]+\/payments$/;
// The sink's hosted page is a plain HTML page: the browser asks it for a favicon it lacks.
const SINK_FAVICON = { url: /\/favicon\.ico$/, status: 404 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const APPROVE = '4242 4242 4242 4242';
const DECLINE = '4000 0000 0000 0002';
const ALL = ['view_balance', 'view_invoices', 'view_payments', 'make_payment'];
const money = (minor) => formatMoney(minor, 'TRY', 'tr');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));

const browsers = [];
afterEach(async () => {
  while (browsers.length) await browsers.pop().close();
});

/**
 * A clinic taking online payments through the devgateway sink (a merchant registered with
 * the sink, its credentials saved by the owner), its portal open for `permissions`, and a
 * patient with a phone and one invoice per entry of `invoices` (lines as the API takes them).
 */
async function setup(permissions, invoices = [[{ description: 'Muayene', quantity: 1, unit_price: 100000, tax_rate_bp: 2000 }]]) {
  const clinic = makeClinic();
  const owner = await staffSignIn(clinic.logins.owner);
  const merchant = await registerMerchant({ provider: 'devgateway' });
  const infra = await owner.request('PUT', '/api/v1/clinic/payment-infrastructure', {
    body: { provider: 'devgateway', active: true, credentials: { merchant_id: merchant.merchant_id, secret: merchant.secret } },
  });
  assert.equal(infra.status, 200, `payment infrastructure: ${infra.text}`);
  await enablePortal(owner, clinic, { permissions });
  const phone = uniquePhone();
  const patient = await makePatient(owner, { first_name: 'Elif', last_name: `Ödeme ${clinic.code.slice(-5)}`, phone });
  const made = [];
  for (const lines of invoices) {
    const res = await owner.request('POST', '/api/v1/clinic/invoices', { body: { patient_id: patient.id, lines } });
    assert.equal(res.status, 201, `create invoice: ${res.text}`);
    made.push(res.body);
  }
  return { clinic, owner, phone, patient, invoices: made };
}

async function assertNoHorizontalScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll} > ${client})`);
}

/** Signs the patient in through the UI at 390 px; resolves on the home page. */
async function patientSignedIn({ clinic, phone }, { allow = [] } = {}) {
  const b = await launch({ locale: 'tr-TR', viewport: PHONE_VIEWPORT });
  browsers.push(b);
  return portalSignedIn(b, clinic.code, phone, { allow: [SINK_FAVICON, ...allow] });
}

/**
 * From an invoice's page: Pay, then the card on the sink's hosted page; resolves on the
 * result screen's verdict with {payment (the POST's answer), key (its Idempotency-Key)}.
 */
async function payInvoice(page, { clinic, owner }, invoice, card) {
  await page.getByTestId('invoice-pay').click();
  await page.getByTestId('pay-form').waitFor();
  assert.equal(await page.getByTestId('pay-amount').inputValue(), (invoice.due / 100).toFixed(2).replace('.', ','));
  const request = page.waitForRequest((r) => r.method() === 'POST' && PAYMENTS.test(r.url()));
  const response = page.waitForResponse((r) => r.request().method() === 'POST' && PAYMENTS.test(r.url()));
  await page.getByTestId('pay-submit').click();
  const key = (await request).headers()['idempotency-key'];
  assert.equal((await response).status(), 201);

  // The app goes on to the provider's page (another origin) at once, so the answer's body
  // goes with that navigation; the payment is read back below through the API.
  await page.waitForURL((url) => url.pathname.startsWith('/pay/'));
  await page.locator('input[name="card_number"]').fill(card);
  await page.locator('form button[type="submit"], form input[type="submit"]').first().click();
  // Back to /<code>#/payments/<id>/result.
  const back = new RegExp(`^#/payments/([0-9a-f-]{36})/result$`);
  await page.waitForURL((url) => url.pathname === `/${clinic.code}` && back.test(url.hash));
  const id = back.exec(new URL(page.url()).hash)[1];
  await page.locator('[data-testid="pay-result"]:not([data-outcome="waiting"])').waitFor({ timeout: 20000 });
  const res = await owner.request('GET', `/api/v1/clinic/payments/${id}`);
  assert.equal(res.status, 200, res.text);
  const payment = res.body;
  assert.equal(payment.method, 'online');
  assert.equal(payment.amount, invoice.due);
  assert.equal(payment.invoice_id, invoice.id);
  return { payment, key };
}

test('a patient sees the balance, the invoices and one invoice at 390 px, pays it with the approving card and sees it paid', async () => {
  const ctx = await setup(ALL);
  const [invoice] = ctx.invoices;
  assert.equal(invoice.total, 120000); // 1.000,00 + 20 % tax
  const { page, watch } = await patientSignedIn(ctx);

  // Home: the balance tile says what is owed, with Pay.
  const tile = page.locator('[data-testid="home-balance"][data-state="ready"]');
  await tile.waitFor();
  assert.equal(await tile.getAttribute('data-balance'), '120000');
  assert.equal(await tile.getByTestId('balance-amount').innerText(), money(120000));
  assert.equal(await tile.getByTestId('balance-line').innerText(), tr['portal.balance.owes']);
  assert.equal(await tile.getByTestId('balance-pay').count(), 1);
  await assertNoHorizontalScroll(page, 'home');
  assert.deepEqual(await axeViolations(page), []);

  // The invoices, then the invoice.
  await page.getByTestId('home-link-finance').click();
  await page.locator('[data-testid="portal-invoices"][data-state="ready"]').waitFor();
  const item = page.locator(`[data-testid="portal-invoice"][data-id="${invoice.id}"]`);
  assert.equal(await item.getByTestId('portal-invoice-link').innerText(), fill(tr['portal.invoices.number'], { number: invoice.number }));
  assert.equal(await item.getByTestId('portal-invoice-due').innerText(), money(120000));
  assert.equal(await item.getByTestId('portal-invoice-pay').count(), 1);
  await assertNoHorizontalScroll(page, 'invoices');
  assert.deepEqual(await axeViolations(page), []);

  await item.getByTestId('portal-invoice-link').click();
  await page.locator('[data-testid="portal-invoice-page"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('invoice-doc-number').innerText(), invoice.number);
  assert.equal(await page.getByTestId('invoice-doc-line').count(), 1);
  assert.equal(await page.getByTestId('invoice-doc-total').innerText(), money(120000));
  assert.equal(await page.getByTestId('invoice-doc-tax').innerText(), money(20000));
  assert.equal(await page.getByTestId('invoice-print').count(), 1);
  await assertNoHorizontalScroll(page, 'invoice');
  assert.deepEqual(await axeViolations(page), []);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.getByTestId('invoice-doc').isVisible(), true);
  assert.equal(await page.getByTestId('invoice-pay').isVisible(), false, 'Pay is not printed');
  assert.equal(await page.locator('.portal-header').isVisible(), false, 'the header is not printed');
  await page.emulateMedia({ media: 'screen' });

  // Pay it with the approving card.
  await page.getByTestId('invoice-pay').waitFor();
  const { payment, key } = await payInvoice(page, ctx, invoice, APPROVE);
  assert.match(key ?? '', UUID, 'a fresh Idempotency-Key (a random UUID) goes with the payment');
  const result = page.getByTestId('pay-result');
  assert.equal(await result.getAttribute('data-outcome'), 'paid');
  assert.equal(await page.getByTestId('pay-result-text').innerText(), fill(tr['portal.result.paid'], { amount: money(120000) }));
  await assertNoHorizontalScroll(page, 'result');
  assert.deepEqual(await axeViolations(page), []);

  // The payment history has it; the invoice is paid and offers no Pay; the balance is 0.
  await page.getByTestId('pay-result-payments').click();
  await page.locator('[data-testid="portal-payments"][data-state="ready"]').waitFor();
  const row = page.locator(`[data-testid="portal-payment"][data-id="${payment.id}"]`);
  assert.equal(await row.getAttribute('data-status'), 'succeeded');
  assert.equal(await row.getByTestId('portal-payment-amount').innerText(), money(120000));
  assert.deepEqual(await axeViolations(page), []);
  await page.goto(`/${ctx.clinic.code}#/invoices`);
  await page.locator(`[data-testid="portal-invoice"][data-id="${invoice.id}"][data-status="paid"]`).waitFor();
  assert.equal(await page.getByTestId('portal-invoice-pay').count(), 0);
  await page.goto(`/${ctx.clinic.code}#/`);
  await page.locator('[data-testid="home-balance"][data-state="ready"][data-balance="0"]').waitFor();
  assert.equal(await page.getByTestId('balance-pay').count(), 0);
  watch.assertNone();

  // The receipt reached the patient's phone (the SMS sink), naming the invoice.
  const receipt = await waitForSms((m) => m.to === ctx.phone && m.text.includes(invoice.number));
  assert.match(receipt.text, /1\.200,00/);

  // Staff see the online payment on the patient's Finance tab.
  const staff = await openConsole(ctx.clinic.logins.staff);
  browsers.push(staff.browser);
  await staff.page.goto(`/console/#/patients/${ctx.patient.id}/finance`);
  await staff.page.locator(`[data-testid="finance-payment-row"][data-id="${payment.id}"]`).waitFor();
  await staff.page.locator('[data-testid="finance-balance"][data-balance="0"]').waitFor();
  staff.watch.assertNone();

  // Two payments, two keys: paying again (another invoice) does not reuse the first key.
  const second = await ctx.owner.request('POST', '/api/v1/clinic/invoices', {
    body: { patient_id: ctx.patient.id, lines: [{ description: 'Kontrol', quantity: 1, unit_price: 5000, tax_rate_bp: 0 }] },
  });
  assert.equal(second.status, 201, second.text);
  await page.goto(`/${ctx.clinic.code}#/invoices/${second.body.id}`);
  await page.getByTestId('invoice-pay').waitFor();
  const again = await payInvoice(page, ctx, second.body, APPROVE);
  assert.match(again.key ?? '', UUID);
  assert.notEqual(again.key, key);
  watch.assertNone();
});

test('the declining card shows the decline in plain words and leaves the invoice to pay', async () => {
  const ctx = await setup(ALL);
  const [invoice] = ctx.invoices;
  const { page, watch } = await patientSignedIn(ctx);
  await page.goto(`/${ctx.clinic.code}#/invoices/${invoice.id}`);
  await page.getByTestId('invoice-pay').waitFor();
  const { payment } = await payInvoice(page, ctx, invoice, DECLINE);
  assert.equal(await page.getByTestId('pay-result').getAttribute('data-outcome'), 'declined');
  assert.equal(await page.getByTestId('pay-result-text').innerText(), fill(tr['portal.result.declined'], { amount: money(120000) }));
  assert.equal(await page.getByTestId('pay-result-retry').getAttribute('href'), `#/pay/${invoice.id}`);
  assert.deepEqual(await axeViolations(page), []);

  await page.goto(`/${ctx.clinic.code}#/payments`);
  await page.locator(`[data-testid="portal-payment"][data-id="${payment.id}"][data-status="failed"]`).waitFor();
  await page.goto(`/${ctx.clinic.code}#/invoices`);
  const item = page.locator(`[data-testid="portal-invoice"][data-id="${invoice.id}"][data-status="open"]`);
  await item.waitFor();
  assert.equal(await item.getByTestId('portal-invoice-pay').count(), 1, 'still to pay');
  await page.goto(`/${ctx.clinic.code}#/`);
  await page.locator('[data-testid="home-balance"][data-state="ready"][data-balance="120000"]').waitFor();
  watch.assertNone();
});

test('a patient without make_payment is offered no Pay: not on the balance, the list, the invoice, nor by address; in English too', async () => {
  const ctx = await setup(['view_balance', 'view_invoices', 'view_payments']);
  const [invoice] = ctx.invoices;
  const { page, watch } = await patientSignedIn(ctx);
  await page.locator('[data-testid="home-balance"][data-state="ready"][data-balance="120000"]').waitFor();
  assert.equal(await page.getByTestId('balance-pay').count(), 0);

  await page.getByTestId('home-link-finance').click();
  await page.locator(`[data-testid="portal-invoice"][data-id="${invoice.id}"]`).waitFor();
  assert.equal(await page.getByTestId('portal-invoice-pay').count(), 0);
  await page.getByTestId('portal-invoice-link').click();
  await page.locator('[data-testid="portal-invoice-page"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('invoice-pay').count(), 0);
  assert.deepEqual(await axeViolations(page), []);

  // The Pay address itself says it is not open (issue 16).
  await page.goto(`/${ctx.clinic.code}#/pay/${invoice.id}`);
  await page.getByTestId('portal-unavailable').waitFor();
  assert.equal(await page.getByTestId('portal-pay').count(), 0);
  await page.goto(`/${ctx.clinic.code}#/payments`);
  await page.locator('[data-testid="portal-payments"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('payments-pay').count(), 0);
  await page.getByTestId('payments-empty').waitFor();

  await page.getByTestId('lang-en').click();
  await page.locator('#payments-heading').filter({ hasText: catalogs.en['portal.payments.heading'] }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await assertNoHorizontalScroll(page, 'payments (en)');
  watch.assertNone();
});
