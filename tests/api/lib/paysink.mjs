// Talks to the stack's payment sink (scripts/sinks/pay_sink.py, DESIGN.md section 12), the
// provider `devgateway` that also speaks PayTR's iFrame API under /paytr. It keeps every
// checkout and every callback it sent as $PORTAL_STACK/sink/pay/NNNNNN-<kind>-<id>.json
// (kind "checkout" or "callback"; a callback file is named by its checkout's id), names
// sorting in the order written; files appear whole (temporary name, then rename).
//
// Signatures, PayTR's token and PayTR's hash are computed here with node:crypto from the
// formulas of DESIGN.md section 12, never by asking the sink or the server.
//
//   payBaseUrl() → "http://127.0.0.1:<port>" from the stack's portal.conf (devgateway_url,
//     also while that line is written commented out)
//   registerMerchant({provider = 'devgateway', merchant_id?, secret?} |
//     {provider: 'paytr', merchant_id?, merchant_key?, merchant_salt?, callback_url}) → the
//     account as registered (random ids and secrets where not given); throws unless 201
//   devgatewaySignature(secret, t, body) → "t=<t>,v1=<hex>";
//   verifyDevgatewaySignature(header, body, secret, {now?, window = 300}) → true/false
//   createCheckout(merchant, fields, {t?, secret?}) → {status, body} of a signed
//     POST /checkouts (fields: reference, amount, currency, description, return_url,
//     callback_url; merchant_id from merchant unless fields has one)
//   paytrToken(fields, merchant_key, merchant_salt), paytrHash(merchant_oid, merchant_salt,
//     status, total_amount, merchant_key) → base64 strings
//   paytrGetToken(fields) → {status, body} of POST /paytr/odeme/api/get-token (form)
//   submitCard(redirectUrl, cardNumber) → {status, location, text} (redirects not followed)
//   payFiles() → [{file, name, seq, kind, id, doc}] in order;
//   checkoutFiles(pred?), callbackFiles(pred?) → those of one kind (pred on the entry)
//   waitForCallback(pred, {timeout = 20000}) → the first callback file entry with pred(entry)
//   getCheckout(id) → the checkout and its callbacks, as the sink holds them
//   release(id), forgeCallback(id, overrides), replay(id) → {status, answer, ...}: what the
//     merchant answered (status null and `error` when it could not be reached); throws
//     when the sink itself refuses (HTTP status other than 200), the error naming it
import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from './client.mjs';

const FILE_NAME = /^(\d+)-(checkout|callback)-([A-Za-z0-9_]+)\.json$/;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cache = new Map();

export function payBaseUrl() {
  const m = /^(?:#\s*)?devgateway_url\s*=\s*(\S+)\s*$/m.exec(env().confText);
  if (!m) throw new Error(`no devgateway_url line in ${env().stack}/portal.conf`);
  return new URL(m[1]).origin;
}

export function payDir() {
  return join(env().stack, 'sink', 'pay');
}

async function call(method, path, { json, form, headers = {}, raw } = {}) {
  const init = { method, headers: { ...headers }, redirect: 'manual' };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['content-type'] = 'application/json';
  } else if (form !== undefined) {
    init.body = new URLSearchParams(form).toString();
    init.headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (raw !== undefined) {
    init.body = raw;
  }
  const res = await fetch(payBaseUrl() + path, init);
  const text = await res.text();
  let body = text;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) {
    body = JSON.parse(text);
  }
  return { status: res.status, body, text, headers: res.headers };
}
export { call as paySinkCall };

const randomId = (prefix) => `${prefix}-${randomBytes(6).toString('hex')}`;

export async function registerMerchant(opts = {}) {
  const provider = opts.provider ?? 'devgateway';
  const account = provider === 'paytr'
    ? {
        provider,
        merchant_id: opts.merchant_id ?? randomId('paytr'),
        merchant_key: opts.merchant_key ?? randomBytes(12).toString('base64url'),
        merchant_salt: opts.merchant_salt ?? randomBytes(12).toString('base64url'),
        callback_url: opts.callback_url,
      }
    : {
        provider,
        merchant_id: opts.merchant_id ?? randomId('dg'),
        secret: opts.secret ?? randomBytes(24).toString('hex'),
      };
  const r = await call('POST', '/control/merchants', { json: account });
  if (r.status !== 201) {
    throw new Error(`pay sink refused the merchant: ${r.status} ${r.text}`);
  }
  return account;
}

// --- devgateway signatures ---

export function devgatewaySignature(secret, t, body) {
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}

export function parseSignature(header) {
  const out = {};
  for (const part of String(header ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function verifyDevgatewaySignature(header, body, secret, { now, window = 300 } = {}) {
  const { t, v1 } = parseSignature(header);
  if (!/^\d+$/.test(t ?? '') || !/^[0-9a-f]{64}$/.test(v1 ?? '')) return false;
  const seconds = now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(seconds - Number(t)) > window) return false;
  return devgatewaySignature(secret, t, body) === `t=${t},v1=${v1}`;
}

export async function createCheckout(merchant, fields, { t, secret } = {}) {
  const body = JSON.stringify({ merchant_id: merchant.merchant_id, ...fields });
  const when = t ?? Math.floor(Date.now() / 1000);
  return call('POST', '/checkouts', {
    raw: body,
    headers: {
      'content-type': 'application/json',
      'x-gateway-signature': devgatewaySignature(secret ?? merchant.secret, when, body),
    },
  });
}

// --- PayTR ---

export function paytrToken(f, merchantKey, merchantSalt) {
  const text = `${f.merchant_id}${f.user_ip}${f.merchant_oid}${f.email}${f.payment_amount}` +
    `${f.user_basket}${f.no_installment}${f.max_installment}${f.currency}${f.test_mode}${merchantSalt}`;
  return createHmac('sha256', merchantKey).update(text).digest('base64');
}

export function paytrHash(merchantOid, merchantSalt, status, totalAmount, merchantKey) {
  return createHmac('sha256', merchantKey)
    .update(`${merchantOid}${merchantSalt}${status}${totalAmount}`).digest('base64');
}

export function paytrGetToken(fields) {
  return call('POST', '/paytr/odeme/api/get-token', { form: fields });
}

// --- the hosted page ---

export async function submitCard(redirectUrl, cardNumber) {
  const u = new URL(redirectUrl);
  const r = await call('POST', u.pathname, { form: { card_number: cardNumber } });
  return { status: r.status, location: r.headers.get('location'), text: r.text };
}

// --- files ---

export function payFiles() {
  let names;
  try {
    names = readdirSync(payDir());
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  const out = [];
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    if (!m) continue;
    const file = join(payDir(), name);
    let entry = cache.get(file);
    if (!entry) {
      let raw;
      try {
        raw = readFileSync(file, 'utf8');
      } catch (err) {
        if (err.code === 'ENOENT') continue;
        throw err;
      }
      entry = { file, name, seq: Number(m[1]), kind: m[2], id: m[3], doc: JSON.parse(raw) };
      cache.set(file, entry);
    }
    out.push(entry);
  }
  return out.sort((a, b) => a.seq - b.seq);
}

export function checkoutFiles(pred = () => true) {
  return payFiles().filter((e) => e.kind === 'checkout' && pred(e));
}

export function callbackFiles(pred = () => true) {
  return payFiles().filter((e) => e.kind === 'callback' && pred(e));
}

export async function waitForCallback(pred, { timeout = 20000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = callbackFiles(pred)[0];
    if (found) return found;
    if (Date.now() >= deadline) break;
    await sleep(100);
  }
  throw new Error(`no pay sink callback matched within ${timeout} ms (in ${payDir()})`);
}

// --- control ---

async function control(path, json) {
  const r = json === undefined ? await call('GET', path) : await call('POST', path, { json });
  if (r.status !== 200) throw new Error(`pay sink ${path}: ${r.status} ${r.text}`);
  return r.body;
}

export function getCheckout(id) {
  return control(`/control/checkouts/${encodeURIComponent(id)}`);
}

export function release(id) {
  return control(`/control/checkouts/${encodeURIComponent(id)}/release`, {});
}

export function forgeCallback(id, overrides = {}) {
  return control(`/control/checkouts/${encodeURIComponent(id)}/callback`, overrides);
}

export function replay(id) {
  return control(`/control/checkouts/${encodeURIComponent(id)}/replay`, {});
}
