// The payment sink's own behaviour (scripts/sinks/pay_sink.py, DESIGN.md section 12), driven
// directly, without the API: a small HTTP server on 127.0.0.1 plays the merchant's callback
// receiver. Every signature, PayTR token and PayTR hash is computed here with node:crypto
// (tests/api/lib/paysink.mjs) from the formulas. Each test registers merchants of its own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import {
  existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from './lib/client.mjs';
import {
  callbackFiles, checkoutFiles, createCheckout, devgatewaySignature, forgeCallback, getCheckout,
  parseSignature, payBaseUrl, payDir, payFiles, paySinkCall, paytrGetToken, paytrHash, paytrToken,
  registerMerchant, release, replay, submitCard, verifyDevgatewaySignature, waitForCallback,
} from './lib/paysink.mjs';

const APPROVE = '4242 4242 4242 4242';
const DECLINE = '4000 0000 0000 0002';
const HOLD = '4000 0000 0000 0119';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => Math.floor(Date.now() / 1000);
const ref = () => `P${randomBytes(8).toString('hex').toUpperCase()}`;

// The merchant's side: records every request; answers `OK` to PayTR-shaped ones and
// {"received": true} to the rest.
let receiver;
let receiverUrl;
const received = [];

before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url.startsWith('/paytr')) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      }
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${receiver.address().port}`;
});

after(() => new Promise((resolve) => receiver.close(resolve)));

async function receivedFor(path, { timeout = 5000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = received.filter((r) => r.url === path);
    if (found.length) return found;
    if (Date.now() >= deadline) throw new Error(`no callback reached ${path}`);
    await sleep(50);
  }
}

// A devgateway checkout of a fresh merchant whose callbacks go to their own path.
async function devCheckout(extra = {}) {
  const merchant = await registerMerchant();
  const reference = ref();
  const cbPath = `/cb/${reference}`;
  const fields = {
    reference, amount: 12550, currency: 'TRY', description: 'Invoice INV2026000000001',
    return_url: `http://127.0.0.1:9/simple-dent#/payments/${reference}/result`,
    callback_url: receiverUrl + cbPath, ...extra,
  };
  const r = await createCheckout(merchant, fields);
  assert.equal(r.status, 201, r.text);
  return { merchant, fields, reference, cbPath, id: r.body.id, redirectUrl: r.body.redirect_url };
}

describe('devgateway checkouts', () => {
  test('a signed checkout answers 201 with the hosted page, kept as a file', async () => {
    const { id, redirectUrl, fields, merchant } = await devCheckout();
    assert.match(id, /^[A-Za-z0-9_]+$/);
    assert.equal(redirectUrl, `${payBaseUrl()}/pay/${id}`);
    const files = checkoutFiles((e) => e.id === id);
    assert.equal(files.length, 1);
    const doc = files[0].doc;
    assert.equal(doc.merchant_id, merchant.merchant_id);
    assert.equal(doc.reference, fields.reference);
    assert.equal(doc.amount, 12550);
    assert.equal(doc.currency, 'TRY');
    assert.equal(doc.callback_url, fields.callback_url);
    assert.equal(doc.return_url, fields.return_url);
    assert.ok(!JSON.stringify(doc).includes(merchant.secret), 'the file holds no secret');
    const page = await paySinkCall('GET', `/pay/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(page.text, /name="card_number"/);
    assert.match(page.text, /125\.50 TRY/);
    const held = await getCheckout(id);
    assert.equal(held.status, 'open');
    assert.deepEqual(held.callbacks, []);
  });

  test('bad signature, stale or missing t, unknown merchant and invalid fields are refused', async () => {
    const merchant = await registerMerchant();
    const good = {
      reference: ref(), amount: 100, currency: 'TRY', description: 'x',
      return_url: 'http://127.0.0.1:9/back', callback_url: `${receiverUrl}/cb/refused`,
    };
    const before = checkoutFiles().length;
    let r = await createCheckout(merchant, good, { secret: 'not-the-secret' });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { error: 'bad_signature' });
    r = await createCheckout(merchant, good, { t: now() - 301 });
    assert.equal(r.status, 401);
    r = await createCheckout(merchant, good, { t: now() + 301 });
    assert.equal(r.status, 401);
    r = await paySinkCall('POST', '/checkouts', {
      json: { merchant_id: merchant.merchant_id, ...good },
    });
    assert.equal(r.status, 401, 'no signature header');
    // The signature covers the raw body: the same fields with other spacing do not verify.
    const body = JSON.stringify({ merchant_id: merchant.merchant_id, ...good });
    r = await paySinkCall('POST', '/checkouts', {
      raw: body.replace('"amount":100', '"amount": 100'),
      headers: {
        'content-type': 'application/json',
        'x-gateway-signature': devgatewaySignature(merchant.secret, now(), body),
      },
    });
    assert.equal(r.status, 401);
    r = await createCheckout({ merchant_id: `nobody-${randomBytes(4).toString('hex')}`, secret: 's' },
      good);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { error: 'unknown_merchant' });
    for (const [field, value] of [
      ['amount', 0], ['amount', '100'], ['reference', 'P-1'], ['currency', 'try'],
      ['callback_url', 'http://example.com/cb'], ['callback_url', 'https://127.0.0.1/cb'],
      ['return_url', 'http://10.0.0.1/back'],
    ]) {
      r = await createCheckout(merchant, { ...good, [field]: value });
      assert.equal(r.status, 422, `${field}=${value}`);
      assert.equal(r.body.error, 'invalid');
      assert.match(r.body.detail, new RegExp(`^${field}`));
    }
    // A valid signature over a body above 64 KiB is refused unread.
    r = await createCheckout(merchant, { ...good, description: 'x'.repeat(70 * 1024) });
    assert.equal(r.status, 413);
    assert.equal(checkoutFiles().filter((e) => e.doc.merchant_id === merchant.merchant_id).length, 0);
    assert.ok(checkoutFiles().length >= before);
  });

  for (const [card, type] of [[APPROVE, 'payment.succeeded'], [DECLINE, 'payment.failed']]) {
    test(`card ${card}: a signed ${type} callback, then 303 to return_url`, async () => {
      const { id, redirectUrl, fields, merchant, cbPath, reference } = await devCheckout();
      const r = await submitCard(redirectUrl, card);
      assert.equal(r.status, 303);
      assert.equal(r.location, fields.return_url);
      const [got] = await receivedFor(cbPath);
      assert.equal(got.method, 'POST');
      assert.equal(got.headers['content-type'], 'application/json');
      assert.ok(verifyDevgatewaySignature(got.headers['x-gateway-signature'], got.body,
        merchant.secret), 'the signature verifies with the merchant secret');
      assert.ok(!verifyDevgatewaySignature(got.headers['x-gateway-signature'], got.body,
        'another secret'));
      const event = JSON.parse(got.body);
      assert.match(event.id, /^evt_/);
      assert.equal(event.type, type);
      assert.deepEqual(event.data, { reference, amount: 12550, currency: 'TRY' });
      // The callback file: the exact body and headers sent, and the merchant's answer.
      const cb = await waitForCallback((e) => e.id === id);
      assert.equal(cb.doc.url, fields.callback_url);
      assert.equal(cb.doc.body, got.body);
      assert.equal(cb.doc.headers['X-Gateway-Signature'], got.headers['x-gateway-signature']);
      assert.equal(cb.doc.status, 200);
      assert.equal(cb.doc.answer, '{"received":true}');
      const co = checkoutFiles((e) => e.id === id)[0];
      assert.ok(co.seq < cb.seq, 'the checkout file comes before its callback');
      assert.equal((await getCheckout(id)).status, type.slice('payment.'.length));
      // The checkout is closed: a second card is refused and sends nothing.
      const again = await submitCard(redirectUrl, APPROVE);
      assert.equal(again.status, 409);
      await sleep(200);
      assert.equal((await receivedFor(cbPath)).length, 1);
    });
  }

  test('another card number shows the page again with an error (422) and sends nothing', async () => {
    const { id, redirectUrl, cbPath } = await devCheckout();
    for (const card of ['4111 1111 1111 1111', '4242-4242-4242-4242', '', 'abc']) {
      const r = await submitCard(redirectUrl, card);
      assert.equal(r.status, 422, card);
      assert.match(r.text, /role="alert"/);
      assert.match(r.text, /name="card_number"/);
    }
    assert.equal((await getCheckout(id)).status, 'open');
    await sleep(200);
    assert.equal(received.filter((x) => x.url === cbPath).length, 0);
    // Still payable after the errors.
    assert.equal((await submitCard(redirectUrl, '4242424242424242')).status, 303);
    await receivedFor(cbPath);
  });

  test('the held card redirects without a callback until released', async () => {
    const { id, redirectUrl, fields, merchant, cbPath, reference } = await devCheckout();
    const r = await submitCard(redirectUrl, HOLD);
    assert.equal(r.status, 303);
    assert.equal(r.location, fields.return_url);
    await sleep(500);
    assert.equal(received.filter((x) => x.url === cbPath).length, 0);
    assert.equal(callbackFiles((e) => e.id === id).length, 0);
    assert.equal((await getCheckout(id)).status, 'held');
    const rel = await release(id);
    assert.equal(rel.status, 200);
    assert.equal(rel.answer, '{"received":true}');
    const [got] = await receivedFor(cbPath);
    assert.ok(verifyDevgatewaySignature(got.headers['x-gateway-signature'], got.body, merchant.secret));
    const event = JSON.parse(got.body);
    assert.equal(event.type, 'payment.succeeded');
    assert.equal(event.data.reference, reference);
    assert.equal((await getCheckout(id)).status, 'succeeded');
    await assert.rejects(release(id), /409/);
  });

  test('forged callbacks (stale t, wrong secret, other amount, raw body) and a byte-for-byte replay', async () => {
    const { id, redirectUrl, merchant, cbPath, reference } = await devCheckout();
    assert.equal((await submitCard(redirectUrl, APPROVE)).status, 303);
    const [first] = await receivedFor(cbPath);

    const stale = now() - 600;
    let f = await forgeCallback(id, { t: stale });
    assert.equal(f.status, 200);
    let got = received.filter((x) => x.url === cbPath).at(-1);
    assert.equal(parseSignature(got.headers['x-gateway-signature']).t, String(stale));
    assert.ok(!verifyDevgatewaySignature(got.headers['x-gateway-signature'], got.body, merchant.secret),
      'outside the 300 s window');
    assert.ok(verifyDevgatewaySignature(got.headers['x-gateway-signature'], got.body, merchant.secret,
      { now: stale }), 'signed correctly for that stale t');

    f = await forgeCallback(id, { secret: 'forged-secret', event_id: 'evt_forged1' });
    got = received.filter((x) => x.url === cbPath).at(-1);
    assert.equal(JSON.parse(got.body).id, 'evt_forged1');
    assert.ok(!verifyDevgatewaySignature(got.headers['x-gateway-signature'], got.body, merchant.secret));
    assert.ok(verifyDevgatewaySignature(got.headers['x-gateway-signature'], got.body, 'forged-secret'));

    f = await forgeCallback(id, { amount: 1, currency: 'EUR', type: 'payment.failed' });
    got = received.filter((x) => x.url === cbPath).at(-1);
    assert.deepEqual(JSON.parse(got.body).data, { reference, amount: 1, currency: 'EUR' });
    assert.equal(JSON.parse(got.body).type, 'payment.failed');
    assert.ok(verifyDevgatewaySignature(got.headers['x-gateway-signature'], got.body, merchant.secret));

    const raw = '{"id":"evt_raw","type":"payment.succeeded","data":{}}  ';
    f = await forgeCallback(id, { body: raw });
    assert.equal(f.body, raw);
    got = received.filter((x) => x.url === cbPath).at(-1);
    assert.equal(got.body, raw);
    assert.ok(verifyDevgatewaySignature(got.headers['x-gateway-signature'], raw, merchant.secret));

    await assert.rejects(forgeCallback(id, { amount: '1' }), /422/);
    await assert.rejects(forgeCallback(id, { nonsense: 1 }), /422/);

    // Replay: the last callback (the raw one) again, byte for byte, same header.
    const count = received.filter((x) => x.url === cbPath).length;
    const rp = await replay(id);
    assert.equal(rp.status, 200);
    const all = received.filter((x) => x.url === cbPath);
    assert.equal(all.length, count + 1);
    assert.equal(all.at(-1).body, all.at(-2).body);
    assert.equal(all.at(-1).headers['x-gateway-signature'], all.at(-2).headers['x-gateway-signature']);
    // Every one of these is a file, in the order sent, the first being the card's.
    const files = callbackFiles((e) => e.id === id);
    assert.equal(files.length, all.length);
    assert.deepEqual(files.map((e) => e.doc.body), all.map((x) => x.body));
    assert.equal(files[0].doc.body, first.body);
    assert.ok(files.at(-1).doc.replay_of, 'the replay names the file it repeats');
    await assert.rejects(forgeCallback('co_doesnotexist', {}), /404/);
  });

  test('an unreachable callback_url is recorded, not fatal', async () => {
    const { id, redirectUrl, fields } = await devCheckout({ callback_url: 'http://127.0.0.1:1/cb' });
    const r = await submitCard(redirectUrl, APPROVE);
    assert.equal(r.status, 303);
    assert.equal(r.location, fields.return_url);
    const cb = await waitForCallback((e) => e.id === id);
    assert.equal(cb.doc.status, null);
    assert.ok(cb.doc.error);
  });
});

describe('merchants', () => {
  test('registration checks its fields; a merchant registered again takes the new secret', async () => {
    for (const bad of [
      { provider: 'stripe', merchant_id: 'm1', secret: 's' },
      { provider: 'devgateway', merchant_id: 'has space', secret: 's' },
      { provider: 'devgateway', merchant_id: 'm1', secret: '' },
      { provider: 'paytr', merchant_id: 'm1', merchant_key: 'k', merchant_salt: 's',
        callback_url: 'http://192.168.1.1/cb' },
      { provider: 'paytr', merchant_id: 'm1', merchant_key: 'k', callback_url: `${receiverUrl}/x` },
    ]) {
      const r = await paySinkCall('POST', '/control/merchants', { json: bad });
      assert.equal(r.status, 422, JSON.stringify(bad));
    }
    const m = await registerMerchant();
    const fields = {
      reference: ref(), amount: 5, currency: 'USD', return_url: 'http://localhost:9/',
      callback_url: `${receiverUrl}/cb/re`,
    };
    await registerMerchant({ merchant_id: m.merchant_id, secret: 'second-secret' });
    assert.equal((await createCheckout(m, fields)).status, 401);
    assert.equal((await createCheckout({ ...m, secret: 'second-secret' }, fields)).status, 201);
  });
});

describe('PayTR', () => {
  async function paytrCheckout() {
    const oid = ref();
    const merchant = await registerMerchant({
      provider: 'paytr', callback_url: `${receiverUrl}/paytr/${oid}`,
    });
    const fields = {
      merchant_id: merchant.merchant_id, user_ip: '127.0.0.1', merchant_oid: oid,
      email: 'patient@example.test', payment_amount: '34999',
      user_basket: Buffer.from(JSON.stringify([['Invoice', '349.99', 1]])).toString('base64'),
      debug_on: '1', no_installment: '1', max_installment: '0', user_name: 'Ayşe Yılmaz',
      user_address: 'İstanbul', user_phone: '+905551112233',
      merchant_ok_url: `http://127.0.0.1:9/simple-dent#/payments/${oid}/result`,
      merchant_fail_url: `http://127.0.0.1:9/simple-dent#/payments/${oid}/result?failed=1`,
      timeout_limit: '30', currency: 'TL', test_mode: '1', lang: 'tr',
    };
    fields.paytr_token = paytrToken(fields, merchant.merchant_key, merchant.merchant_salt);
    const r = await paytrGetToken(fields);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'success', r.text);
    return { merchant, fields, oid, token: r.body.token, cbPath: `/paytr/${oid}` };
  }

  test('get-token checks the token computed from the formula', async () => {
    const { token, fields, merchant } = await paytrCheckout();
    assert.match(token, /^[A-Za-z0-9]+$/);
    const co = checkoutFiles((e) => e.id === token);
    assert.equal(co.length, 1);
    assert.equal(co[0].doc.reference, fields.merchant_oid);
    assert.equal(co[0].doc.amount, 34999);
    for (const change of [
      { paytr_token: paytrToken(fields, 'wrong key', merchant.merchant_salt) },
      { paytr_token: paytrToken({ ...fields, payment_amount: '1' }, merchant.merchant_key,
        merchant.merchant_salt) },
      { payment_amount: '35000' },
      { merchant_id: 'nobody-here' },
    ]) {
      const r = await paytrGetToken({ ...fields, merchant_oid: ref(), ...change });
      assert.equal(r.body.status, 'failed', JSON.stringify(change));
      assert.ok(r.body.reason);
    }
    // A non-loopback return address is refused even with a right token.
    const outside = { ...fields, merchant_oid: ref(), merchant_ok_url: 'http://example.com/ok' };
    outside.paytr_token = paytrToken(outside, merchant.merchant_key, merchant.merchant_salt);
    const r = await paytrGetToken(outside);
    assert.equal(r.body.status, 'failed');
    assert.match(r.body.reason, /merchant_ok_url/);
  });

  for (const [card, status] of [[APPROVE, 'success'], [DECLINE, 'failed']]) {
    test(`hosted page, card ${card}: a form-encoded callback with the right hash (${status})`, async () => {
      const { merchant, fields, oid, token, cbPath } = await paytrCheckout();
      const page = await paySinkCall('GET', `/paytr/odeme/guvenli/${token}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /349\.99 TL/);
      const r = await submitCard(`${payBaseUrl()}/paytr/odeme/guvenli/${token}`, card);
      assert.equal(r.status, 303);
      assert.equal(r.location, status === 'success' ? fields.merchant_ok_url : fields.merchant_fail_url);
      const [got] = await receivedFor(cbPath);
      assert.equal(got.headers['content-type'], 'application/x-www-form-urlencoded');
      const form = Object.fromEntries(new URLSearchParams(got.body));
      assert.equal(form.merchant_oid, oid);
      assert.equal(form.status, status);
      assert.equal(form.total_amount, '34999');
      assert.equal(form.payment_amount, '34999');
      assert.equal(form.currency, 'TL');
      assert.equal(form.hash, paytrHash(oid, merchant.merchant_salt, status, '34999',
        merchant.merchant_key));
      if (status === 'failed') assert.ok(form.failed_reason_code);
      const cb = await waitForCallback((e) => e.id === token);
      assert.equal(cb.doc.body, got.body);
      assert.equal(cb.doc.status, 200);
      assert.equal(cb.doc.answer, 'OK');
      assert.ok(checkoutFiles((e) => e.id === token)[0].seq < cb.seq);
    });
  }

  test('held card, release, forged hash and amount, replay', async () => {
    const { merchant, oid, token, cbPath } = await paytrCheckout();
    assert.equal((await submitCard(`${payBaseUrl()}/paytr/odeme/guvenli/${token}`, HOLD)).status, 303);
    await sleep(300);
    assert.equal(received.filter((x) => x.url === cbPath).length, 0);
    assert.equal((await release(token)).answer, 'OK');
    let form = Object.fromEntries(new URLSearchParams((await receivedFor(cbPath)).at(-1).body));
    assert.equal(form.status, 'success');
    assert.equal(form.hash, paytrHash(oid, merchant.merchant_salt, 'success', '34999', merchant.merchant_key));

    await forgeCallback(token, { total_amount: '34000' });
    form = Object.fromEntries(new URLSearchParams(received.filter((x) => x.url === cbPath).at(-1).body));
    assert.equal(form.total_amount, '34000');
    assert.equal(form.hash, paytrHash(oid, merchant.merchant_salt, 'success', '34000', merchant.merchant_key));

    await forgeCallback(token, { hash: 'AAAA', status: 'failed' });
    form = Object.fromEntries(new URLSearchParams(received.filter((x) => x.url === cbPath).at(-1).body));
    assert.equal(form.hash, 'AAAA');
    assert.equal(form.status, 'failed');

    await replay(token);
    const all = received.filter((x) => x.url === cbPath);
    assert.equal(all.at(-1).body, all.at(-2).body);
    assert.equal(callbackFiles((e) => e.id === token).length, all.length);
  });
});

test('files: names sort in the order written, each whole JSON, no temporary left behind', async () => {
  const { id, redirectUrl, cbPath } = await devCheckout();
  await submitCard(redirectUrl, APPROVE);
  await receivedFor(cbPath);
  const files = payFiles();
  const seqs = files.map((e) => e.seq);
  assert.deepEqual([...seqs].sort((a, b) => a - b), seqs);
  assert.equal(new Set(seqs).size, seqs.length, 'sequence numbers are unique');
  const names = files.map((e) => e.name);
  assert.deepEqual([...names].sort(), names, 'names sort as they were written');
  for (const e of files) assert.match(e.name, /^\d{6}-(checkout|callback)-[A-Za-z0-9_]+\.json$/);
  const mine = files.filter((e) => e.id === id);
  assert.deepEqual(mine.map((e) => e.kind), ['checkout', 'callback']);
  assert.ok(existsSync(payDir()));
  const leftovers = readdirSync(payDir()).filter((n) => n.startsWith('.tmp-'));
  // Another test file may be mid-write; a temporary name never lasts.
  if (leftovers.length) {
    await sleep(500);
    assert.deepEqual(readdirSync(payDir()).filter((n) => leftovers.includes(n)), []);
  }
});

// A private sink of this test's own (its own port and directory, so that the stack's sink and
// the merchants other tests registered with it are left alone): the merchant given on the
// command line, and what a restart keeps.
test('a restarted sink knows its command-line merchant, its checkouts and its sequence', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pay-sink-'));
  const secretFile = join(dir, 'secret');
  const secret = randomBytes(16).toString('hex');
  writeFileSync(secretFile, `${secret}\n`);
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  let child;
  const start = async () => {
    child = spawn('/usr/bin/python3', [join(env().root, 'scripts/sinks/pay_sink.py'),
      '--port', String(port), '--dir', join(dir, 'pay'), '--merchant', `demo-clinic=${secretFile}`],
    { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        await fetch(`${base}/control/checkouts/none`);
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error('the private pay sink did not start');
  };
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) resolve();
    else { child.once('exit', resolve); child.kill('SIGTERM'); }
  });
  t.after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await start();
  const reference = ref();
  const body = JSON.stringify({
    merchant_id: 'demo-clinic', reference, amount: 700, currency: 'TRY', description: 'd',
    return_url: 'http://127.0.0.1:9/back', callback_url: `${receiverUrl}/cb/${reference}`,
  });
  const r = await fetch(`${base}/checkouts`, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-gateway-signature': devgatewaySignature(secret, now(), body) },
  });
  assert.equal(r.status, 201);
  const { id, redirect_url: redirectUrl } = await r.json();
  assert.equal(redirectUrl, `${base}/pay/${id}`);
  const paid = await fetch(redirectUrl, {
    method: 'POST', body: 'card_number=4242+4242+4242+4242', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(paid.status, 303);
  await receivedFor(`/cb/${reference}`);

  await stop();
  writeFileSync(join(dir, 'pay', '.tmp-000009-checkout-co_partial.json'), '{"half');
  await start();
  const after = await (await fetch(`${base}/control/checkouts/${id}`)).json();
  assert.equal(after.status, 'succeeded', 'paid before the restart: still closed');
  assert.equal(after.callbacks.length, 1);
  const again = await fetch(redirectUrl, {
    method: 'POST', body: 'card_number=4242424242424242', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(again.status, 409);
  const rp = await fetch(`${base}/control/checkouts/${id}/replay`, { method: 'POST' });
  assert.equal(rp.status, 200);
  const names = readdirSync(join(dir, 'pay')).sort();
  assert.deepEqual(names.map((n) => n.replace(/-(checkout|callback)-.*/, '-$1')),
    ['000001-checkout', '000002-callback', '000003-callback'], 'numbering goes on; the partial file is gone');
});
