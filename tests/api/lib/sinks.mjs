// Reads what the stack's sinks received (DESIGN.md section 9): the SMTP sink writes each new
// message as $PORTAL_STACK/sink/mail/NNNNNN-<epoch ms>.eml, the SMS sink each new request as
// $PORTAL_STACK/sink/sms/NNNNNN-<epoch ms>.json; names sort in delivery order. Files appear by
// rename, so a file with a final name is always whole; temporary names (".tmp-...") are ignored.
// A repeat (same Message-ID / same reference) is not written; it adds a line to `duplicates` in
// that directory.
//
//   mailMessages() → [{file, messageId, from, to: [..], subject, text, headers}]
//     messageId: the Message-ID header as sent, angle brackets included ("<id@domain>");
//     from: the From header with its display name decoded; to: the envelope recipients (the
//     RCPT TO addresses; the To header's addresses when the sink did not record them);
//     subject: decoded from RFC 2047; text: the body decoded (base64 / quoted-printable /
//     7bit, UTF-8); headers: {lower-case name: unfolded raw value} (the first of repeats).
//   smsMessages()  → [{file, to, text, sender, reference, received_at}]
//   waitForMail(pred, {timeout = 20000}), waitForSms(pred, {timeout = 20000}) → the first
//     message (in delivery order) with pred(msg), polling the directory; throws on timeout.
//   sinkDuplicates() → {mail: n, sms: n}
//   sinkPorts() → {smtp, sms} from the stack's portal.conf (smtp_port, sms_gateway_url)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { confValue, env } from './client.mjs';

const MAIL_NAME = /^\d+-\d+\.eml$/;
const SMS_NAME = /^\d+-\d+\.json$/;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Files never change once renamed into place: parse each one once.
const cache = new Map();

export function sinkDir(kind) {
  return join(env().stack, 'sink', kind);
}

function listDir(kind, pattern) {
  let names;
  try {
    names = readdirSync(sinkDir(kind));
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => pattern.test(n)).sort();
}

function readParsed(kind, name, parse) {
  const path = join(sinkDir(kind), name);
  if (cache.has(path)) return cache.get(path);
  let raw;
  try {
    raw = readFileSync(path);
  } catch (err) {
    if (err.code === 'ENOENT') return null; // cleaned away meanwhile
    throw err;
  }
  const msg = { file: path, ...parse(raw, path) };
  cache.set(path, msg);
  return msg;
}

// --- RFC 2047 / MIME decoding ---

function decodeQ(text, charset) {
  const bytes = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return new TextDecoder(charset, { fatal: false }).decode(Uint8Array.from(bytes));
}

function decodeWord(charset, encoding, text) {
  const cs = charset.replace(/\*.*$/, '').toLowerCase();
  if (encoding.toUpperCase() === 'B') {
    return new TextDecoder(cs, { fatal: false }).decode(Buffer.from(text, 'base64'));
  }
  return decodeQ(text, cs);
}

// Decodes RFC 2047 encoded-words; white space between two adjacent encoded-words is dropped.
export function decodeHeader(value) {
  if (value == null) return value;
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  let out = '';
  let last = 0;
  let prevWasWord = false;
  for (let m; (m = word.exec(value)) !== null;) {
    const between = value.slice(last, m.index);
    if (!(prevWasWord && /^\s*$/.test(between))) out += between;
    out += decodeWord(m[1], m[2], m[3]);
    last = m.index + m[0].length;
    prevWasWord = true;
  }
  return out + value.slice(last);
}

function decodeQuotedPrintable(text) {
  const bytes = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

// Splits a raw message into its unfolded headers and body (CRLF or LF line ends).
export function parseMail(raw) {
  const text = Buffer.isBuffer(raw) ? raw.toString('latin1') : raw;
  const sep = /\r?\n\r?\n/.exec(text);
  const head = sep ? text.slice(0, sep.index) : text;
  const bodyRaw = sep ? text.slice(sep.index + sep[0].length) : '';
  const headers = {};
  const order = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && order.length) {
      order[order.length - 1][1] += ` ${line.trim()}`;
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) order.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  for (const [name, value] of order) {
    // Header values are ASCII (RFC 2047 for the rest); latin1 kept them byte for byte.
    const v = Buffer.from(value, 'latin1').toString('utf8');
    if (!(name in headers)) headers[name] = v;
  }
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const charset = /charset="?([^";\s]+)"?/i.exec(headers['content-type'] ?? '')?.[1] ?? 'utf-8';
  let bodyBytes;
  if (cte === 'base64') bodyBytes = Buffer.from(bodyRaw.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  else if (cte === 'quoted-printable') bodyBytes = decodeQuotedPrintable(bodyRaw);
  else bodyBytes = Buffer.from(bodyRaw, 'latin1');
  const body = new TextDecoder(charset.toLowerCase(), { fatal: false }).decode(bodyBytes);
  return { headers, text: body.replace(/\r\n/g, '\n') };
}

function addresses(value) {
  if (!value) return [];
  const out = [];
  for (const part of value.split(',')) {
    const angle = /<([^>]*)>/.exec(part);
    const addr = (angle ? angle[1] : part).trim();
    if (addr) out.push(addr);
  }
  return out;
}

function parseMailFile(raw) {
  const { headers, text } = parseMail(raw);
  const envelopeTo = headers['x-sink-envelope-to'];
  return {
    messageId: headers['message-id'] ?? null,
    from: decodeHeader(headers.from ?? ''),
    to: envelopeTo ? addresses(envelopeTo) : addresses(decodeHeader(headers.to ?? '')),
    subject: decodeHeader(headers.subject ?? ''),
    text,
    headers,
  };
}

function parseSmsFile(raw, path) {
  let doc;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new Error(`${path}: not JSON (${err.message})`);
  }
  return {
    to: doc.to, text: doc.text, sender: doc.sender, reference: doc.reference, received_at: doc.received_at,
  };
}

export function mailMessages() {
  return listDir('mail', MAIL_NAME).map((n) => readParsed('mail', n, parseMailFile)).filter(Boolean);
}

export function smsMessages() {
  return listDir('sms', SMS_NAME).map((n) => readParsed('sms', n, parseSmsFile)).filter(Boolean);
}

async function waitForIn(list, what, pred, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = list().find(pred);
    if (found) return found;
    if (Date.now() >= deadline) break;
    await sleep(100);
  }
  throw new Error(`no ${what} message matched within ${timeout} ms (${list().length} in ${sinkDir(what)})`);
}

export function waitForMail(pred, { timeout = 20000 } = {}) {
  return waitForIn(mailMessages, 'mail', pred, timeout);
}

export function waitForSms(pred, { timeout = 20000 } = {}) {
  return waitForIn(smsMessages, 'sms', pred, timeout);
}

function countLines(kind) {
  try {
    return readFileSync(join(sinkDir(kind), 'duplicates'), 'utf8').split('\n').filter(Boolean).length;
  } catch (err) {
    if (err.code === 'ENOENT') return 0;
    throw err;
  }
}

export function sinkDuplicates() {
  return { mail: countLines('mail'), sms: countLines('sms') };
}

export function sinkPorts() {
  const smtp = Number(confValue('smtp_port'));
  const url = confValue('sms_gateway_url');
  return { smtp, sms: url ? Number(new URL(url).port) : undefined, smsUrl: url };
}
