// Notifier throughput (a measurement, not a timed requirement): 2000 SMS and 500 emails are
// enqueued at once (one INSERT as the owner role, in a clinic of this file), and the time until
// every row is sent gives the notifier's messages per second into the sinks. As a baseline
// measured in the same run, the test feeds the sinks directly the way one notifier does (one
// message after the other over one connection: HTTP keep-alive POSTs to the SMS sink, one SMTP
// session to the mail sink), so the ratio shows what the notifier costs on top of the sinks
// themselves. Both rates and their ratios are printed as diagnostics. Bounded in count
// (2500 + 2500 messages) and time (two minutes per phase).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { confValue, psql, waitFor } from '../api/lib/client.mjs';
import { makeClinic, unique } from '../api/lib/fixtures.mjs';
import { sinkPorts } from '../api/lib/sinks.mjs';

const N_SMS = 2000;
const N_MAIL = 500;
const PHASE_MS = 120_000;

function sentCount(clinicId) {
  return Number(psql(`SELECT count(*) FROM outbox WHERE clinic_id = '${clinicId}' AND status = 'sent'`));
}

// Feeds the SMS sink directly, sequentially over one keep-alive connection.
async function directSms(tag) {
  const { smsUrl } = sinkPorts();
  const token = confValue('sms_gateway_token');
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  for (let i = 0; i < N_SMS; i++) {
    const res = await fetch(smsUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ to: `+9059${String(i).padStart(8, '0')}`, text: `Direct ${i}`, sender: 'PORTAL', reference: `bench-${tag}-${i}` }),
    });
    await res.arrayBuffer();
    assert.equal(res.status, 202);
  }
}

// Feeds the mail sink directly: one SMTP session, one message after the other.
function directMail(tag) {
  const { smtp } = sinkPorts();
  return new Promise((resolve, reject) => {
    const sock = connect(smtp, '127.0.0.1');
    let buffer = '';
    let waiting = null;
    sock.setEncoding('latin1');
    sock.on('error', reject);
    sock.on('data', (chunk) => {
      buffer += chunk;
      // A complete reply ends with a line "NNN text" (not "NNN-").
      const m = /(^|\r\n)(\d{3}) [^\r\n]*\r\n$/.exec(buffer);
      if (m && waiting) {
        const w = waiting;
        waiting = null;
        buffer = '';
        w(Number(m[2]));
      }
    });
    const reply = () => new Promise((res) => { waiting = res; });
    const cmd = async (line, want) => {
      const r = reply();
      sock.write(`${line}\r\n`);
      const code = await r;
      if (Math.floor(code / 100) !== want) throw new Error(`${line.slice(0, 20)}: ${code}`);
    };
    (async () => {
      const greet = await reply();
      assert.equal(greet, 220);
      await cmd('EHLO bench.localhost', 2);
      for (let i = 0; i < N_MAIL; i++) {
        await cmd('MAIL FROM:<portal@localhost>', 2);
        await cmd(`RCPT TO:<bench-${tag}-${i}@example.com>`, 2);
        await cmd('DATA', 3);
        const body = Buffer.from(`Direct mail ${i}\r\n`).toString('base64');
        await cmd(`From: <portal@localhost>\r\nTo: <bench-${tag}-${i}@example.com>\r\nSubject: Direct ${i}\r\n` +
          `Message-ID: <bench-${tag}-${i}@localhost>\r\nMIME-Version: 1.0\r\n` +
          `Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n.`, 2);
      }
      await cmd('QUIT', 2);
      sock.end();
      resolve();
    })().catch((err) => { sock.destroy(); reject(err); });
  });
}

const rate = (n, ms) => (n * 1000) / ms;

test(`notifier throughput: ${N_SMS} SMS and ${N_MAIL} emails into the sinks, against the sinks fed directly`, { timeout: 4 * PHASE_MS }, async () => {
  const clinic = makeClinic();
  const tag = unique();

  // Baseline: the sinks fed directly by this test.
  let t0 = performance.now();
  await directSms(tag);
  const smsDirectMs = performance.now() - t0;
  t0 = performance.now();
  await directMail(tag);
  const mailDirectMs = performance.now() - t0;

  // The notifier: SMS alone, then email alone.
  const phase = async (what, sql, n) => {
    const before = sentCount(clinic.id);
    const start = performance.now();
    psql(sql, { user: 'portal_owner' });
    await waitFor(() => sentCount(clinic.id) - before >= n,
      { timeoutMs: PHASE_MS, intervalMs: 50, what: `${what}: ${n} sent` });
    return performance.now() - start;
  };
  const smsMs = await phase('SMS', `INSERT INTO outbox (clinic_id, channel, recipient, purpose, locale, sender_name, body)
    SELECT '${clinic.id}', 'sms', '+9058' || lpad(g::text, 8, '0'), 'portal_invitation', 'tr', 'Bench', 'Bench SMS ' || g
    FROM generate_series(1, ${N_SMS}) g`, N_SMS);
  const mailMs = await phase('email', `INSERT INTO outbox (clinic_id, channel, recipient, purpose, locale, sender_name, subject, body)
    SELECT '${clinic.id}', 'email', 'bench-${tag}-n' || g || '@example.com', 'portal_invitation', 'tr', 'Bench Klinik',
      'Bench e-posta ' || g, 'Bench gövde ' || g
    FROM generate_series(1, ${N_MAIL}) g`, N_MAIL);

  const lines = [
    `SMS:   notifier ${rate(N_SMS, smsMs).toFixed(0)} msg/s (${(smsMs / 1000).toFixed(2)} s for ${N_SMS}); ` +
      `sink fed directly ${rate(N_SMS, smsDirectMs).toFixed(0)} msg/s; ratio ${(smsDirectMs / smsMs).toFixed(2)}`,
    `email: notifier ${rate(N_MAIL, mailMs).toFixed(0)} msg/s (${(mailMs / 1000).toFixed(2)} s for ${N_MAIL}); ` +
      `sink fed directly ${rate(N_MAIL, mailDirectMs).toFixed(0)} msg/s; ratio ${(mailDirectMs / mailMs).toFixed(2)}`,
  ];
  for (const line of lines) console.log(`# ${line}`);
  const failed = psql(`SELECT count(*) FROM outbox WHERE clinic_id = '${clinic.id}' AND status <> 'sent'`);
  assert.equal(failed, '0');
});
