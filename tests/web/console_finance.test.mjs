// Browser tests of the console's finance screens (issue 12 item 5): staff open a patient's
// Finance tab, issue an invoice with two lines whose live totals (computed in the browser)
// are the totals the server saves, record a partial payment and see the balance fall, refund
// it, and void the invoice once nothing is left paid on it; the invoice page prints the
// invoice alone; the clinic's Finance screen filters by status; the owner sets up online
// payments (write-only credentials, a test checkout that works) while staff see that page
// read-only. axe-core finds no serious or critical violation on these screens.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_finance.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeViolations, closedAfterEach } from './browser.mjs';
import { makeClinic, makePatient, signIn } from '../api/lib/fixtures.mjs';
import { registerMerchant } from '../api/lib/paysink.mjs';
import { formatMoney } from '../../web/src/financeRules.js';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;
const { openConsole } = closedAfterEach();
const money = (minor) => formatMoney(minor, 'TRY', 'tr');
const isPost = (re) => (r) => r.request().method() === 'POST' && re.test(r.url());
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));

async function balanceIs(page, minor) {
  await page.locator(`[data-testid="finance-balance"][data-balance="${minor}"]`).waitFor();
}

test('staff issue a two-line invoice (live totals = saved totals), take a partial payment, refund it and void the invoice', async () => {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const patient = await makePatient(owner, { first_name: 'Selin', last_name: `Finans ${clinic.code.slice(-5)}` });
  const { page, watch } = await openConsole(clinic.logins.staff);

  await page.goto(`/console/#/patients/${patient.id}/finance`);
  await page.getByTestId('patient-finance').waitFor();
  assert.equal(await page.getByTestId('tab-finance').getAttribute('aria-selected'), 'true');
  await balanceIs(page, 0);
  await page.getByTestId('finance-invoices-empty').waitFor();
  await page.getByTestId('finance-payments-empty').waitFor();

  // Two lines, typed the Turkish way. By hand: 2 × 450,00 at 20 % = 900,00 + 180,00 tax;
  // 1 × 333,33 at 18 % = 333,33 + 59,9994 -> 60,00 tax. Subtotal 1.233,33, tax 240,00,
  // total 1.473,33.
  await page.getByTestId('invoice-new').click();
  const form = page.getByTestId('invoice-form');
  await form.waitFor();
  const lines = form.getByTestId('invoice-line');
  await lines.nth(0).getByTestId('line-description').fill('Dolgu');
  await lines.nth(0).getByTestId('line-quantity').fill('2');
  await lines.nth(0).getByTestId('line-unit-price').fill('450');
  await lines.nth(0).getByTestId('line-tax').fill('20');
  assert.equal(await lines.nth(0).getByTestId('line-total').innerText(), money(108000));
  await form.getByTestId('line-add').click();
  await lines.nth(1).getByTestId('line-description').fill('Röntgen');
  await lines.nth(1).getByTestId('line-quantity').fill('1');
  await lines.nth(1).getByTestId('line-unit-price').fill('333,33');
  await lines.nth(1).getByTestId('line-tax').fill('18');
  assert.equal(await lines.nth(1).getByTestId('line-total').innerText(), money(39333));
  const live = {
    subtotal: await form.getByTestId('invoice-form-subtotal').innerText(),
    tax: await form.getByTestId('invoice-form-tax').innerText(),
    total: await form.getByTestId('invoice-form-total').innerText(),
  };
  assert.deepEqual(live, { subtotal: money(123333), tax: money(24000), total: money(147333) });
  assert.deepEqual(await axeViolations(page), []);

  const created = page.waitForResponse(isPost(/\/api\/v1\/clinic\/invoices$/));
  await form.getByTestId('invoice-save').click();
  const answer = await created;
  assert.equal(answer.status(), 201);
  const invoice = await answer.json();
  assert.deepEqual([invoice.subtotal, invoice.tax_total, invoice.total], [123333, 24000, 147333]);
  assert.deepEqual(invoice.lines.map((l) => l.tax), [18000, 6000]);
  assert.match(invoice.number, /^INV\d{4}\d{9}$/);

  const row = page.locator(`[data-testid="finance-invoice-row"][data-id="${invoice.id}"]`);
  await row.waitFor();
  assert.equal(await row.getByTestId('invoice-total').innerText(), live.total, 'the saved total is the live one');
  assert.equal(await row.getByTestId('invoice-number').innerText(), invoice.number);
  assert.equal(await row.getByTestId('invoice-status').getAttribute('data-status'), 'open');
  await balanceIs(page, 147333);
  assert.equal(await page.getByTestId('finance-notice').innerText(), fill(tr['console.finance.invoice.saved'], { number: invoice.number }));

  // A partial payment in cash, on that invoice: 500,00. Balance 1.473,33 - 500,00 = 973,33.
  await page.getByTestId('payment-new').click();
  await page.getByTestId('payment-amount-input').fill('500');
  await page.getByTestId('payment-method-select').selectOption('cash');
  await page.getByTestId('payment-invoice').selectOption(invoice.id);
  const paid = page.waitForResponse(isPost(/\/api\/v1\/clinic\/payments$/));
  await page.getByTestId('payment-save').click();
  const paidAnswer = await paid;
  assert.equal(paidAnswer.status(), 201);
  const payment = await paidAnswer.json();
  assert.deepEqual([payment.amount, payment.method, payment.status, payment.invoice_id], [50000, 'cash', 'succeeded', invoice.id]);
  await balanceIs(page, 97333);
  assert.equal(await page.getByTestId('finance-balance-amount').innerText(), money(97333));
  await page.locator(`[data-testid="finance-invoice-row"][data-id="${invoice.id}"][data-status="partially_paid"]`).waitFor();
  assert.equal(await row.getByTestId('invoice-due').innerText(), money(97333));
  assert.equal(await row.getByTestId('invoice-void').count(), 0, 'no void while something is paid');

  // Refund the whole payment: the amount starts filled with what is left (500,00).
  const payRow = page.locator(`[data-testid="finance-payment-row"][data-id="${payment.id}"]`);
  await payRow.getByTestId('payment-refund').click();
  const refundForm = payRow.getByTestId('refund-form');
  assert.equal(await refundForm.getByTestId('refund-amount').inputValue(), '500,00');
  await refundForm.getByTestId('refund-confirm').click();
  await refundForm.getByTestId('refund-reason-error').waitFor(); // a reason is needed
  await refundForm.getByTestId('refund-reason').fill('Yanlış tahsilat');
  assert.deepEqual(await axeViolations(page), []);
  const refunded = page.waitForResponse(isPost(/\/api\/v1\/clinic\/payments\/[^/]+\/refund$/));
  await refundForm.getByTestId('refund-confirm').click();
  assert.equal((await refunded).status(), 201);
  await balanceIs(page, 147333);
  await page.locator(`[data-testid="finance-payment-row"][data-id="${payment.id}"] [data-testid="payment-refunded"][data-value="50000"]`).waitFor();
  assert.equal(await payRow.getByTestId('payment-refund').count(), 0, 'nothing is left to refund');

  // Nothing is left paid: the invoice may be voided now, with a reason.
  await page.locator(`[data-testid="finance-invoice-row"][data-id="${invoice.id}"][data-status="open"]`).waitFor();
  await row.getByTestId('invoice-void').click();
  await row.getByTestId('void-reason').fill('Yanlış hastaya kesildi');
  const voided = page.waitForResponse(isPost(/\/api\/v1\/clinic\/invoices\/[^/]+\/void$/));
  await row.getByTestId('void-confirm').click();
  assert.equal((await voided).status(), 200);
  await page.locator(`[data-testid="finance-invoice-row"][data-id="${invoice.id}"][data-status="void"]`).waitFor();
  await balanceIs(page, 0);
  assert.deepEqual(await axeViolations(page), []);

  // The invoice's page: the document with its lines, and on paper only the invoice.
  await row.getByTestId('invoice-number').click();
  await page.getByTestId('invoice-doc').waitFor();
  assert.equal(await page.getByTestId('invoice-doc-line').count(), 2);
  assert.equal(await page.getByTestId('invoice-doc-total').innerText(), live.total);
  assert.equal(await page.getByTestId('invoice-doc-void').innerText(),
    fill(tr['finance.doc.voidedWhy'], { reason: 'Yanlış hastaya kesildi' }));
  assert.equal(await page.getByTestId('invoice-print').count(), 1);
  assert.deepEqual(await axeViolations(page), []);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.getByTestId('invoice-doc').isVisible(), true);
  assert.equal(await page.locator('.console-nav').isVisible(), false, 'the menu is not printed');
  assert.equal(await page.getByTestId('invoice-print').isVisible(), false, 'the Print button is not printed');
  await page.emulateMedia({ media: 'screen' });

  // The clinic's Finance screen lists it; the status filter narrows the list.
  await page.getByTestId('nav-finance').click();
  await page.getByTestId('clinic-finance').waitFor();
  await page.locator(`[data-testid="finance-invoice-row"][data-id="${invoice.id}"]`).waitFor();
  assert.equal(await page.locator(`[data-testid="finance-invoice-row"][data-id="${invoice.id}"] [data-testid="invoice-patient"]`).innerText(),
    `${patient.first_name} ${patient.last_name}`);
  await page.getByTestId('filter-invoice-status').selectOption('paid');
  await page.locator('[data-testid="finance-invoices"][data-state="ready"]').waitFor();
  await page.getByTestId('finance-invoices-empty').waitFor();
  await page.getByTestId('filter-invoice-status').selectOption('void');
  await page.locator(`[data-testid="finance-invoice-row"][data-id="${invoice.id}"]`).waitFor();
  await page.getByTestId('filter-payment-method').selectOption('cash');
  await page.locator(`[data-testid="finance-payment-row"][data-id="${payment.id}"]`).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  watch.assertNone();
});

test('the owner sets up online payments with write-only credentials and a test checkout that works; staff see it read-only', async () => {
  const clinic = makeClinic();
  const merchant = await registerMerchant({ provider: 'devgateway' });
  const { page, watch } = await openConsole(clinic.logins.owner);
  await page.getByTestId('nav-payment-infrastructure').click();
  await page.getByTestId('payinfra-form').waitFor();
  assert.equal(await page.getByTestId('payinfra-credentials-state').getAttribute('data-set'), 'false');

  await page.getByTestId('payinfra-provider').selectOption('devgateway');
  await page.getByTestId('payinfra-active').check();
  await page.getByTestId('payinfra-cred-merchant_id').fill(merchant.merchant_id);
  await page.getByTestId('payinfra-cred-secret').fill(merchant.secret);
  assert.equal(await page.getByTestId('payinfra-cred-secret').getAttribute('type'), 'password');
  const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && /\/clinic\/payment-infrastructure$/.test(r.url()));
  await page.getByTestId('payinfra-save').click();
  assert.equal((await saved).status(), 200);
  await page.getByTestId('payinfra-saved').waitFor();
  assert.equal(await page.getByTestId('payinfra-credentials-state').getAttribute('data-set'), 'true');
  // Write-only: the fields are empty again and the secret is nowhere on the page.
  assert.equal(await page.getByTestId('payinfra-cred-secret').inputValue(), '');
  assert.ok(!(await page.content()).includes(merchant.secret), 'the secret is not shown back');
  assert.deepEqual(await axeViolations(page), []);

  const tested = page.waitForResponse(isPost(/\/clinic\/payment-infrastructure\/test$/));
  await page.getByTestId('payinfra-test').click();
  assert.equal((await tested).status(), 200);
  const result = page.getByTestId('payinfra-test-result');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-ok'), 'true');
  watch.assertNone();

  const staff = await openConsole(clinic.logins.staff);
  await staff.page.getByTestId('nav-payment-infrastructure').click();
  await staff.page.getByTestId('payinfra-readonly').waitFor();
  assert.equal(await staff.page.getByTestId('payinfra-active-text').getAttribute('data-active'), 'true');
  assert.equal(await staff.page.getByTestId('payinfra-credentials-state').getAttribute('data-set'), 'true');
  assert.equal(await staff.page.getByTestId('payinfra-test').count(), 0);
  assert.equal(await staff.page.getByTestId('payinfra').locator('input, select').count(), 0, 'nothing to change');
  assert.deepEqual(await axeViolations(staff.page), []);
  staff.watch.assertNone();
});
