// Helpers of the documents tests (issue 13): small PDFs and images built here, so that the
// tests stand alone; a clinic with its portal open, a patient signed in; uploads on both
// sides; a served file read once (a view or download is recorded, so it must not be fetched
// twice); what is stored for a clinic (rows and files).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { checkCommonHeaders, env, psql } from './client.mjs';
import {
  enablePortal, makeApiKey, makeClinic, makePatient, signIn, signInPatient, uniqueEmail, withKey,
} from './fixtures.mjs';

export const DOCS = ['view_documents', 'download_documents', 'upload_documents', 'view_images'];
export const TINY_JPEG = readFileSync(new URL('../fixtures/tiny.jpg', import.meta.url));
export const TINY_WEBP = readFileSync(new URL('../fixtures/tiny.webp', import.meta.url));
// A Turkish file name: the disposition must carry it (RFC 6266).
export const TURKISH_NAME = 'Kontrol raporu ğüşiöç.pdf';

// A PDF of the given object bodies (strings or Buffers; object i + 1 is objs[i]) with a
// classic cross-reference table, its trailer naming /Root 1 0 R.
export function pdf(objs, { version = '1.7', trailer = '' } = {}) {
  const parts = [Buffer.from(`%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`, 'latin1')];
  let len = parts[0].length;
  const offsets = objs.map((body, i) => {
    const at = len;
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'),
      Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(b);
    len += b.length;
    return at;
  });
  parts.push(Buffer.from(`xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R ${trailer}>>\nstartxref\n${len}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

export const stream = (dict, data) => Buffer.concat([
  Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);

const PAGES = '<< /Type /Pages /Kids [3 0 R] /Count 1 >>';
const PAGE = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R ' +
  '/Resources << /Font << /F1 5 0 R >> >> >>';
const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
const content = (text) => stream('', Buffer.from(`BT /F1 24 Tf 72 720 Td (${text}) Tj ET`, 'latin1'));

// A clean one-page PDF saying text; catalog adds to the catalog's dictionary, extra objects
// come after the five of the page (numbered 6 on).
export function okPdf(text = 'Kontrol raporu', { catalog = '', extra = [] } = {}) {
  return pdf([`<< /Type /Catalog /Pages 2 0 R ${catalog}>>`, PAGES, PAGE, content(text), FONT, ...extra]);
}

// The refused PDFs of the upload tests.
export const badPdfs = {
  'JavaScript in an /OpenAction': () => okPdf('x', {
    catalog: '/OpenAction 6 0 R', extra: ['<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>'] }),
  'JavaScript in an /AA action of the page': () => pdf([
    '<< /Type /Catalog /Pages 2 0 R >>', PAGES,
    `${PAGE.slice(0, -2)} /AA << /O 6 0 R >> >>`, content('x'), FONT,
    '<< /Type /Action /S /JavaScript /JS (app.alert\\(2\\)) >>']),
  'JavaScript spelt /J#61vaScript': () => okPdf('x', {
    catalog: '/OpenAction 6 0 R', extra: ['<< /Type /Action /S /J#61vaScript /J#53 (app.alert\\(3\\)) >>'] }),
  'a /Launch action': () => okPdf('x', {
    catalog: '/OpenAction 6 0 R', extra: ['<< /Type /Action /S /Launch /F (calc.exe) >>'] }),
  'an embedded file': () => okPdf('x', {
    catalog: '/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >>',
    extra: ['<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>',
      stream('/Type /EmbeddedFile', Buffer.from('MZ evil', 'latin1'))] }),
  'a truncated PDF': () => { const b = okPdf(); return b.subarray(0, Math.floor(b.length / 2)); },
};

// A PDF 1.5 whose catalog and JavaScript action live only inside a compressed object stream
// (found through a cross-reference stream): nothing of them shows in the file's bytes.
export function jsInObjectStream() {
  const inner = ['<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>',
    '<< /Type /Action /S /JavaScript /JS (app.alert\\(4\\)) >>'];
  let header = '';
  let body = '';
  for (const [i, num] of [1, 6].entries()) {
    header += `${num} ${body.length} `;
    body += `${inner[i]}\n`;
  }
  const packed = deflateSync(Buffer.from(header + body, 'latin1'));
  const head = Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  // Objects in the file: 2 Pages, 3 Page, 4 content, 5 font, 7 the object stream, 8 the
  // cross-reference stream.
  const plain = { 2: PAGES, 3: PAGE, 4: content('x'), 5: FONT,
    7: stream(`/Type /ObjStm /N 2 /First ${header.length} /Filter /FlateDecode`, packed) };
  const parts = [head];
  let len = head.length;
  const offsets = {};
  for (const [num, b0] of Object.entries(plain)) {
    const b = Buffer.concat([Buffer.from(`${num} 0 obj\n`, 'latin1'), Buffer.isBuffer(b0) ? b0 : Buffer.from(b0, 'latin1'),
      Buffer.from('\nendobj\n', 'latin1')]);
    offsets[num] = len;
    parts.push(b);
    len += b.length;
  }
  offsets[8] = len;
  const row = (type, a, b) => { const r = Buffer.alloc(7); r[0] = type; r.writeUInt32BE(a, 1); r.writeUInt16BE(b, 5); return r; };
  const rows = Buffer.concat([row(0, 0, 65535), row(2, 7, 0), row(1, offsets[2], 0), row(1, offsets[3], 0),
    row(1, offsets[4], 0), row(1, offsets[5], 0), row(2, 7, 1), row(1, offsets[7], 0), row(1, offsets[8], 0)]);
  parts.push(Buffer.from('8 0 obj\n', 'latin1'),
    stream('/Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R', rows), Buffer.from(`\nendobj\nstartxref\n${offsets[8]}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

// TINY_JPEG with an APP1 EXIF segment (IFD0 with a description holding mark, and a GPS IFD)
// and a comment (COM) holding mark too.
export function jpegWithExif(mark) {
  const le = (n, bytes) => { const b = Buffer.alloc(bytes); if (bytes === 2) b.writeUInt16LE(n); else b.writeUInt32LE(n); return b; };
  const entry = (tag, type, count, value) => Buffer.concat([le(tag, 2), le(type, 2), le(count, 4), value]);
  const desc = Buffer.from(`${mark}\0`, 'latin1');
  const descOff = 8 + 2 + 2 * 12 + 4;
  const gpsOff = descOff + desc.length + (desc.length % 2);
  const ratOff = gpsOff + 2 + 2 * 12 + 4;
  const ifd0 = Buffer.concat([le(2, 2), entry(0x010e, 2, desc.length, le(descOff, 4)), entry(0x8825, 4, 1, le(gpsOff, 4)), le(0, 4)]);
  const gps = Buffer.concat([le(2, 2), entry(0x0001, 2, 2, Buffer.from('N\0\0\0', 'latin1')), entry(0x0002, 5, 3, le(ratOff, 4)), le(0, 4)]);
  const rationals = Buffer.concat([41, 1, 0, 1, 29, 1].map((n) => le(n, 4)));
  const tiff = Buffer.concat([Buffer.from('II*\0', 'latin1'), le(8, 4), ifd0, desc, Buffer.alloc(desc.length % 2), gps, rationals]);
  const seg = (marker, payload) => { const l = Buffer.alloc(2); l.writeUInt16BE(payload.length + 2); return Buffer.concat([Buffer.from([0xff, marker]), l, payload]); };
  return Buffer.concat([TINY_JPEG.subarray(0, 2), seg(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])),
    seg(0xfe, Buffer.from(`comment ${mark}`, 'latin1')), TINY_JPEG.subarray(2)]);
}

// A clinic with its portal open for permissions (default: the four document keys), its
// owner, staff, a write key, a patient (by email) signed in.
export async function docClinic({ permissions = ['view_profile', ...DOCS], reviewer } = {}) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const staff = await signIn(clinic.logins.staff);
  const admin = await signIn(clinic.logins.admin);
  await enablePortal(owner, clinic, { permissions, ...(reviewer ? { upload_reviewer_id: reviewer } : {}) });
  const keySecret = makeApiKey(clinic.id, 'read,write');
  const key = withKey(keySecret);
  const email = uniqueEmail('doc');
  const patient = await makePatient(owner, { email, language: 'tr' });
  const session = await signInPatient(clinic.code, email);
  return { clinic, owner, staff, admin, key, keySecret, patient, email, session };
}

// Another patient of clinic c, signed in.
export async function otherPatient(c) {
  const email = uniqueEmail('doc2');
  const patient = await makePatient(c.owner, { email });
  return { patient, email, session: await signInPatient(c.clinic.code, email) };
}

const q = (o) => Object.entries(o).filter(([, v]) => v !== undefined)
  .map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

// Staff (or a key) upload bytes to patientId: the answer.
export function clinicUpload(s, patientId, bytes, { title = 'Kontrol raporu', kind, file_name, type = 'application/pdf' } = {}) {
  return s.request('POST', `/api/v1/clinic/patients/${patientId}/documents?${q({ title, kind, file_name })}`,
    { raw: bytes, headers: { 'content-type': type } });
}

// The patient uploads bytes: the answer.
export function patientUpload(session, bytes, { title = 'Tahlil sonucu', file_name, type = 'application/pdf' } = {}) {
  return session.request('POST', `documents?${q({ title, file_name })}`, { raw: bytes, headers: { 'content-type': type } });
}

// A clinic upload (201 asserted), shared when share: the record.
export async function clinicDoc(s, patientId, bytes = okPdf(), { share = true, ...opts } = {}) {
  const res = await clinicUpload(s, patientId, bytes, opts);
  assert.equal(res.status, 201, res.text);
  if (!share) return res.body;
  const p = await s.request('PATCH', `/api/v1/clinic/documents/${res.body.id}`, { body: { shared: true } });
  assert.equal(p.status, 200, p.text);
  return p.body;
}

// One GET of a served file, read once: {status, headers, bytes, text}. The common headers
// of the API are checked; nothing else is sent again.
export async function fetchFile(path, headers = {}) {
  const res = await fetch(`${env().url}${path}`, { headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const out = { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
  checkCommonHeaders('GET', path, out);
  return out;
}

// A session's cookie header (staff, patient) or a key's authorization header.
export const cookieOf = (s) => ({ cookie: s.cookie });

// What is stored for clinic: the records of patientId and the files under files/<clinic>/.
export function stored(clinicId, patientId) {
  const rows = Number(psql(`SELECT count(*) FROM documents WHERE clinic_id = '${clinicId}' AND patient_id = '${patientId}'`));
  const dir = join(env().stack, 'files', 'files', clinicId);
  const files = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  return { rows, files: files.sort() };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
// An RGB PNG of width x height whose header declares declared ([w, h]) instead, if given:
// a pixel bomb when that is huge.
export function png(width, height, { declared } = {}) {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height, 90);
  for (let y = 0; y < height; y++) raw[y * row] = 0;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(declared?.[0] ?? width, 0);
  ihdr.writeUInt32BE(declared?.[1] ?? height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}
