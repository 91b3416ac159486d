// The patient app's finance routes (hash, without "#/"), free of the DOM:
//   invoices                     the invoices (view_invoices)
//   invoices/<id>                one invoice, printable (view_invoices)
//   payments                     the payment history (view_payments)
//   pay                          pay an amount typed (make_payment)
//   pay/<invoice id>             pay what is due on an invoice (make_payment)
//   payments/<id>/result         where the payment provider sends the browser back
//                                (make_payment or view_payments)
// financeRoute(route) answers {screen, id} or null.

const ID = '([A-Za-z0-9-]{1,64})';
const PATTERNS = [
  { re: /^invoices$/, screen: 'invoices' },
  { re: new RegExp(`^invoices/${ID}$`), screen: 'invoice' },
  { re: /^payments$/, screen: 'payments' },
  { re: /^pay$/, screen: 'pay' },
  { re: new RegExp(`^pay/${ID}$`), screen: 'pay' },
  { re: new RegExp(`^payments/${ID}/result$`), screen: 'result' },
];

/** The permissions that open each screen (any one of them). */
export const FINANCE_NEEDS = Object.freeze({
  invoices: ['view_invoices'],
  invoice: ['view_invoices'],
  payments: ['view_payments'],
  pay: ['make_payment'],
  result: ['make_payment', 'view_payments'],
});

export function financeRoute(route) {
  for (const { re, screen } of PATTERNS) {
    const m = re.exec(String(route ?? ''));
    if (m) return { screen, id: m[1] ?? null };
  }
  return null;
}

export const invoiceRoute = (id) => `invoices/${encodeURIComponent(id)}`;
export const payRoute = (invoiceId) => (invoiceId ? `pay/${encodeURIComponent(invoiceId)}` : 'pay');
export const resultRoute = (paymentId) => `payments/${encodeURIComponent(paymentId)}/result`;
