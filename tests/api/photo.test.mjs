// Profile photos (issue 6 item 1, "Upload tests"): PUT profile/photo takes the image itself as
// the body and recognises JPEG/PNG/WebP from the bytes, never the name or Content-Type (a
// script or HTML page renamed .jpg and an SVG are 415); a truncated image, a polyglot (a valid
// image that also carries HTML/script: refused, 422) and a pixel bomb (a tiny file whose header
// declares 100000 x 100000 pixels: refused before decoding, 422) are refused; bodies over
// photo_max_bytes are 413 from the API and over the upload limit 413 from nginx, both
// problem+json. What is stored is a re-encoded JPEG of at most 1024 px a side without EXIF
// (a GPS block sent in is gone). The photo is served through nginx (X-Accel-Redirect) only to
// its patient and to the clinic (staff and API key); another patient gets their own (none),
// another clinic 404; the internal /_files/ path of the real file answers 404 when asked
// directly; the file is named by the SHA-256 of the served bytes. DELETE removes it.
// Issue 9 item 13: a progressive JPEG of thousands of scans (each a pass over the whole image,
// all read by libjpeg before the first row) is refused from its markers, 422 at once, instead
// of holding a worker for half a minute; a big JPEG is still shrunk while decoding.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { before, describe, test } from 'node:test';
import { api, assertProblem, env, psql } from './lib/client.mjs';
import {
  enablePortal, makeApiKey, makeClinic, makePatient, portalPath, signIn, signInPatient, uniqueEmail,
  withKey,
} from './lib/fixtures.mjs';

// 48 x 32 images made with libvips (no metadata).
const TINY_JPEG = readFileSync(new URL('./fixtures/tiny.jpg', import.meta.url));
const TINY_WEBP = readFileSync(new URL('./fixtures/tiny.webp', import.meta.url));

// ---- image builders ----

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
// An RGB PNG of width x height with a gradient; text goes into a tEXt chunk; declared
// overrides the size written in the header (the pixels stay width x height).
function png(width, height, { text, declared } = {}) {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      raw[y * row + 1 + x * 3] = (x * 7) & 0xff;
      raw[y * row + 2 + x * 3] = (y * 5) & 0xff;
      raw[y * row + 3 + x * 3] = 90;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(declared?.[0] ?? width, 0);
  ihdr.writeUInt32BE(declared?.[1] ?? height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...(text ? [pngChunk('tEXt', Buffer.from(`Comment\0${text}`, 'latin1'))] : []),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const GPS_MARK = 'GPSMARK-41.0082N-28.9784E';
// TINY_JPEG with an APP1 EXIF segment right after SOI: IFD0 holds an ImageDescription (our
// marker) and a pointer to a GPS IFD with latitude N 41/1 0/1 29/1.
function jpegWithExif() {
  const le = (n, bytes) => {
    const b = Buffer.alloc(bytes);
    if (bytes === 2) b.writeUInt16LE(n);
    else b.writeUInt32LE(n);
    return b;
  };
  const entry = (tag, type, count, value) => Buffer.concat([le(tag, 2), le(type, 2), le(count, 4), value]);
  const desc = Buffer.from(`${GPS_MARK}\0`, 'latin1');
  // Layout (offsets from the TIFF header): header 8, IFD0 at 8 (2 entries: 2 + 24 + 4 = 30),
  // description at 38, GPS IFD after it (2 entries), then the rationals.
  const descOff = 8 + 2 + 2 * 12 + 4;
  const gpsOff = descOff + desc.length + (desc.length % 2);
  const ratOff = gpsOff + 2 + 2 * 12 + 4;
  const ifd0 = Buffer.concat([le(2, 2),
    entry(0x010e, 2, desc.length, le(descOff, 4)), entry(0x8825, 4, 1, le(gpsOff, 4)), le(0, 4)]);
  const gps = Buffer.concat([le(2, 2),
    entry(0x0001, 2, 2, Buffer.from('N\0\0\0', 'latin1')), entry(0x0002, 5, 3, le(ratOff, 4)), le(0, 4)]);
  const rationals = Buffer.concat([41, 1, 0, 1, 29, 1].map((n) => le(n, 4)));
  const tiff = Buffer.concat([Buffer.from('II*\0', 'latin1'), le(8, 4), ifd0, desc,
    Buffer.alloc(desc.length % 2), gps, rationals]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(payload.length + 2);
  return Buffer.concat([TINY_JPEG.subarray(0, 2), Buffer.from([0xff, 0xe1]), len, payload, TINY_JPEG.subarray(2)]);
}

// TINY_JPEG with a comment segment (COM) holding text.
function jpegWithComment(text) {
  const payload = Buffer.from(text, 'latin1');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(payload.length + 2);
  return Buffer.concat([TINY_JPEG.subarray(0, 2), Buffer.from([0xff, 0xfe]), len, payload, TINY_JPEG.subarray(2)]);
}

// The width and height of a JPEG from its first SOF marker.
function jpegSize(buf) {
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const m = buf[i + 1];
    const len = buf.readUInt16BE(i + 2);
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return null;
}

// A valid progressive JPEG of width x height, three components, flat grey, in up to maxScans
// scans: one DC scan, then per component and AC coefficient a first scan and 13 refinements,
// each covering every block with end-of-band runs (a Huffman table of one code each). No scan
// is bogus, so libjpeg warns about nothing: 2647 scans, each a pass over the whole image.
function progressiveJpeg(width, height, maxScans) {
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const out = [];
  let acc = 0;
  let nacc = 0;
  const bits = (value, n) => {
    for (let i = n - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++nacc === 8) {
        out.push(acc);
        if (acc === 0xff) out.push(0); // stuffing
        acc = 0;
        nacc = 0;
      }
    }
  };
  const pad = () => { while (nacc !== 0) bits(1, 1); };
  const raw = (...bytes) => out.push(...bytes);
  raw(0xff, 0xd8, 0xff, 0xdb, 0, 67, 0, ...new Array(64).fill(1));
  raw(0xff, 0xc2, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 3,
    1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0);
  raw(0xff, 0xc4, 0, 38, 0x00, 1, ...new Array(15).fill(0), 0x00, 0x10, 1, ...new Array(15).fill(0), 0xe0);
  raw(0xff, 0xda, 0, 12, 3, 1, 0, 2, 0, 3, 0, 0, 0, 0);
  for (let i = 0; i < blocks * 3; i++) bits(0, 1);
  pad();
  let scans = 1;
  for (let c = 1; c <= 3; c++) {
    for (let k = 1; k <= 63; k++) {
      for (let al = 13; al >= 0 && scans < maxScans; al--) {
        const ah = al === 13 ? 0 : al + 1;
        raw(0xff, 0xda, 0, 8, 1, c, 0, k, k, (ah << 4) | al);
        for (let left = blocks; left > 0;) {
          const run = Math.max(16384, Math.min(32767, left));
          bits(0, 1);
          bits(run - 16384, 14);
          left = run >= left ? 0 : left - run;
        }
        pad();
        scans++;
      }
    }
  }
  raw(0xff, 0xd9);
  return { bytes: Buffer.from(out), scans };
}

// ---- fixtures ----

let clinic;
let staff;
let patient;
let other;

async function photoPatient(s, permissions) {
  const email = uniqueEmail('photo');
  const p = await makePatient(s, { email });
  return { ...p, session: await signInPatient(clinic.code, email), permissions };
}

before(async () => {
  clinic = makeClinic();
  staff = await signIn(clinic.logins.staff);
  const owner = await signIn(clinic.logins.owner);
  await enablePortal(owner, clinic, { permissions: ['view_profile', 'upload_photo'] });
  patient = await photoPatient(staff);
  other = await photoPatient(staff);
});

const put = (session, bytes, type = 'image/jpeg') => session.session.request('PUT', 'profile/photo',
  { raw: bytes, headers: { 'content-type': type } });

// GET with the bytes of the answer (api() reads text): status, headers, bytes.
async function getBytes(path, headers) {
  const res = await api('GET', path, { headers }); // validated against the document
  const raw = await fetch(`${env().url}${path}`, { headers });
  return { status: res.status, res, headers: raw.headers, bytes: Buffer.from(await raw.arrayBuffer()) };
}

function refused(res, status, code, message) {
  assertProblem(res, status, code, message);
  if (status === 422) assert.deepEqual(res.body.errors.map((e) => e.field), ['photo'], message);
}

describe('what is refused', () => {
  test('a script or HTML page named .jpg and sent as image/jpeg is 415', async () => {
    refused(await put(patient, Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>')),
      415, 'unsupported_media_type', 'HTML');
    refused(await put(patient, Buffer.from('alert(document.cookie); // evil.jpg')), 415, 'unsupported_media_type', 'script');
  });

  test('an SVG is 415, whatever its Content-Type says', async () => {
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
      + '<script>alert(1)</script><rect width="10" height="10"/></svg>');
    refused(await put(patient, svg, 'image/svg+xml'), 415, 'unsupported_media_type', 'svg as svg');
    refused(await put(patient, svg, 'image/png'), 415, 'unsupported_media_type', 'svg as png');
  });

  test('other formats (GIF, PDF, an empty body) are refused', async () => {
    refused(await put(patient, Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif'),
      415, 'unsupported_media_type', 'gif');
    refused(await put(patient, Buffer.from('%PDF-1.4\n%\xe2\xe3\n', 'latin1'), 'application/pdf'),
      415, 'unsupported_media_type', 'pdf');
    refused(await put(patient, Buffer.alloc(0)), 422, 'validation_failed', 'empty');
  });

  test('a truncated image is 422', async () => {
    refused(await put(patient, TINY_JPEG.subarray(0, Math.floor(TINY_JPEG.length / 2))), 422, 'validation_failed', 'jpeg');
    const whole = png(64, 64);
    refused(await put(patient, whole.subarray(0, whole.length - 40), 'image/png'), 422, 'validation_failed', 'png');
  });

  test('a polyglot (a valid image that is also HTML/script) is refused with 422, not stored', async () => {
    const payload = '<html><body><script>fetch("/api/v1/clinic/me")</script></body></html>';
    // Both are images libvips decodes; the payload rides in a PNG text chunk and a JPEG comment.
    const pngPoly = png(32, 32, { text: payload });
    const jpegPoly = jpegWithComment(payload);
    refused(await put(patient, pngPoly, 'image/png'), 422, 'validation_failed', 'png polyglot');
    refused(await put(patient, jpegPoly), 422, 'validation_failed', 'jpeg polyglot');
    // Payload after the end of the image too.
    refused(await put(patient, Buffer.concat([TINY_JPEG, Buffer.from(payload)])), 422, 'validation_failed', 'trailer');
    const profile = await patient.session.request('GET', 'profile');
    assert.equal(profile.body.photo_url, null, 'a refused upload left a photo');
  });

  test('a pixel bomb (tiny file declaring 100000 x 100000) is refused from its header, before decoding', async () => {
    const bomb = png(8, 8, { declared: [100000, 100000] });
    assert.ok(bomb.length < 1000);
    const started = Date.now();
    const res = await put(patient, bomb, 'image/png');
    refused(res, 422, 'validation_failed', 'bomb');
    assert.match(res.body.errors[0].message, /100000 x 100000/);
    assert.ok(Date.now() - started < 2000, 'the bomb took long: was it decoded?');
  });

  test('a progressive JPEG of 2647 scans over 36 megapixels (364 kB) is 422 at once, not half a minute of decoding', async () => {
    const bomb = progressiveJpeg(6000, 6000, Infinity);
    assert.equal(bomb.scans, 2647);
    assert.ok(bomb.bytes.length < 400 * 1024, `${bomb.bytes.length} bytes`);
    const started = Date.now();
    refused(await put(patient, bomb.bytes), 422, 'validation_failed', 'scan bomb');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms: was it decoded?`);
    // The worker is free: the next upload goes through at once.
    const fine = progressiveJpeg(64, 48, 10);
    assert.equal((await put(patient, fine.bytes)).status, 200);
    assert.equal((await patient.session.request('DELETE', 'profile/photo')).status, 204);
  });

  test('over photo_max_bytes is 413 from the API; over the upload limit 413 from nginx; both problem+json', async () => {
    const justOver = Buffer.concat([TINY_JPEG, Buffer.alloc(10 * 1024 * 1024 + 1 - TINY_JPEG.length)]);
    const res = await put(patient, justOver);
    assertProblem(res, 413, 'payload_too_large', 'photo_max_bytes');
    assert.match(res.body.detail, /10485760/);
    const huge = await put(patient, Buffer.alloc(21 * 1024 * 1024, 0xff));
    assertProblem(huge, 413, 'payload_too_large', 'nginx');
    // Other routes keep the JSON limit: a 2 MiB body elsewhere is still 413.
    const json = await patient.session.request('PATCH', 'profile',
      { raw: `{"address":"${'a'.repeat(2 * 1024 * 1024)}"}`, headers: { 'content-type': 'application/json' } });
    assertProblem(json, 413, 'payload_too_large', 'JSON route');
  });
});

describe('a stored photo', () => {
  let served;
  let path;

  test('a JPEG with an EXIF GPS block is stored re-encoded, without any EXIF', async () => {
    const sent = jpegWithExif();
    assert.ok(sent.includes(Buffer.from('Exif')) && sent.includes(Buffer.from(GPS_MARK)));
    const res = await put(patient, sent);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.photo_url, portalPath(clinic.code, 'profile/photo'));
    const got = await getBytes(portalPath(clinic.code, 'profile/photo'), { cookie: patient.session.cookie });
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/jpeg');
    assert.match(got.headers.get('cache-control'), /private/);
    assert.match(got.headers.get('cache-control'), /no-store/);
    assert.equal(got.headers.get('x-accel-redirect'), null, 'the internal path leaked');
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    served = got.bytes;
    assert.deepEqual([...served.subarray(0, 3)], [0xff, 0xd8, 0xff], 'not a JPEG');
    assert.ok(!served.includes(Buffer.from('Exif')), 'the served photo still has an Exif block');
    assert.ok(!served.includes(Buffer.from(GPS_MARK)), 'the served photo still has the GPS marker');
    assert.notDeepEqual(served, sent);
    // Stored by the SHA-256 of the served bytes, outside the web root, under files_dir.
    const sha = createHash('sha256').update(served).digest('hex');
    path = `photos/${clinic.id}/${sha.slice(0, 2)}/${sha}.jpg`;
    assert.ok(existsSync(join(env().stack, 'files', path)), `no stored file ${path}`);
    assert.equal(psql(`SELECT photo_sha256 FROM patients WHERE id = '${patient.id}'`), sha);
  });

  test('a WebP (sent as application/octet-stream) is recognised and stored as JPEG', async () => {
    const res = await put(other, TINY_WEBP, 'application/octet-stream');
    assert.equal(res.status, 200, res.text);
    const got = await getBytes(portalPath(clinic.code, 'profile/photo'), { cookie: other.session.cookie });
    assert.equal(got.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(jpegSize(got.bytes), { width: 48, height: 32 });
  });

  test('a big PNG is shrunk to fit 1024 px and stored as JPEG', async () => {
    const big = png(2000, 1500);
    const res = await put(other, big, 'image/png');
    assert.equal(res.status, 200, res.text);
    const got = await getBytes(portalPath(clinic.code, 'profile/photo'), { cookie: other.session.cookie });
    assert.equal(got.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(jpegSize(got.bytes), { width: 1024, height: 768 });
  });

  test('a big progressive JPEG (10 scans, 3000 x 2000) is shrunk while decoding and stored at 1024 px', async () => {
    const res = await put(other, progressiveJpeg(3000, 2000, 10).bytes);
    assert.equal(res.status, 200, res.text);
    const got = await getBytes(portalPath(clinic.code, 'profile/photo'), { cookie: other.session.cookie });
    assert.deepEqual(jpegSize(got.bytes), { width: 1024, height: 683 });
  });

  test('/_files/<the real path> answers 404 when asked directly', async () => {
    assert.ok(path);
    for (const p of [`/_files/${path}`, `/_files/photos/${clinic.id}/`]) {
      const res = await fetch(`${env().url}${p}`);
      assert.equal(res.status, 404, p);
      assert.ok(!Buffer.from(await res.arrayBuffer()).equals(served), 'the file was served');
    }
  });

  test('served to the clinic (staff and API key) for its patient, and the resource says so', async () => {
    const url = `/api/v1/clinic/patients/${patient.id}/photo`;
    const byStaff = await getBytes(url, { cookie: staff.cookie });
    assert.equal(byStaff.status, 200);
    assert.deepEqual(byStaff.bytes, served);
    const key = makeApiKey(clinic.id, 'read');
    const byKey = await getBytes(url, { authorization: `Bearer ${key}` });
    assert.deepEqual(byKey.bytes, served);
    const resource = await staff.request('GET', `/api/v1/clinic/patients/${patient.id}`);
    assert.equal(resource.body.has_photo, true);
    assert.equal(resource.body.photo_url, url);
    const none = await withKey(key).request('GET', `/api/v1/clinic/patients/${(await makePatient(staff)).id}/photo`);
    assertProblem(none, 404, 'not_found');
  });

  test('never to another patient, another clinic, or nobody', async () => {
    // Another patient of the clinic reads their own photo, never this one.
    const theirs = await getBytes(portalPath(clinic.code, 'profile/photo'), { cookie: other.session.cookie });
    assert.ok(!theirs.bytes.equals(served));
    const third = await photoPatient(staff);
    assertProblem(await third.session.request('GET', 'profile/photo'), 404, 'not_found');
    // Another clinic's staff and key: 404, like an unknown id.
    const b = makeClinic();
    const bStaff = await signIn(b.logins.staff);
    const foreign = await bStaff.request('GET', `/api/v1/clinic/patients/${patient.id}/photo`);
    assertProblem(foreign, 404, 'not_found');
    assert.ok(!foreign.text.includes('Exif'));
    const bKey = withKey(makeApiKey(b.id, 'read'));
    assertProblem(await bKey.request('GET', `/api/v1/clinic/patients/${patient.id}/photo`), 404, 'not_found');
    // The patient's cookie on another clinic's portal opens nothing.
    const bOwner = await signIn(b.logins.owner);
    await enablePortal(bOwner, b, { permissions: ['view_profile', 'upload_photo'] });
    const cross = await api('GET', portalPath(b.code, 'profile/photo'), { headers: { cookie: patient.session.cookie } });
    assertProblem(cross, 401, 'not_authenticated');
    // Nobody signed in.
    assertProblem(await api('GET', portalPath(clinic.code, 'profile/photo')), 401, 'not_authenticated');
    assertProblem(await api('GET', `/api/v1/clinic/patients/${patient.id}/photo`), 401, 'not_authenticated');
  });

  test('every change is audited as the patient', async () => {
    const row = JSON.parse(psql(`SELECT row_to_json(a) FROM audit_log a WHERE clinic_id = '${clinic.id}'
      AND action = 'patient.photo.update' AND target_id = '${patient.id}' ORDER BY id DESC LIMIT 1`));
    assert.equal(row.actor_type, 'patient');
    assert.equal(row.actor_id, patient.id);
  });

  test('DELETE removes the photo and its file; a second DELETE is still 204', async () => {
    const res = await patient.session.request('DELETE', 'profile/photo');
    assert.equal(res.status, 204, res.text);
    assert.ok(!existsSync(join(env().stack, 'files', path)), 'the file is still there');
    assertProblem(await patient.session.request('GET', 'profile/photo'), 404, 'not_found');
    assertProblem(await staff.request('GET', `/api/v1/clinic/patients/${patient.id}/photo`), 404, 'not_found');
    assert.equal((await staff.request('GET', `/api/v1/clinic/patients/${patient.id}`)).body.photo_url, null);
    assert.equal((await patient.session.request('DELETE', 'profile/photo')).status, 204);
  });

  test('the same bytes uploaded by two patients share one file, kept until both are gone', async () => {
    const a = await photoPatient(staff);
    const b2 = await photoPatient(staff);
    assert.equal((await put(a, TINY_JPEG)).status, 200);
    assert.equal((await put(b2, TINY_JPEG)).status, 200);
    const sha = psql(`SELECT photo_sha256 FROM patients WHERE id = '${a.id}'`);
    assert.equal(psql(`SELECT photo_sha256 FROM patients WHERE id = '${b2.id}'`), sha);
    const file = join(env().stack, 'files', `photos/${clinic.id}/${sha.slice(0, 2)}/${sha}.jpg`);
    assert.equal((await a.session.request('DELETE', 'profile/photo')).status, 204);
    assert.ok(existsSync(file), 'removed while another patient uses it');
    const still = await getBytes(portalPath(clinic.code, 'profile/photo'), { cookie: b2.session.cookie });
    assert.equal(still.status, 200);
    // Replacing the photo releases the old file once nobody uses it.
    assert.equal((await put(b2, png(40, 30), 'image/png')).status, 200);
    assert.ok(!existsSync(file), 'the replaced file stayed');
  });
});
