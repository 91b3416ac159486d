// Upload tests of issue 13: what an upload is comes from its bytes. A script or an HTML page
// named .pdf and an SVG are 415 unsupported_media_type; a PDF with JavaScript in an
// /OpenAction, inside a compressed object stream, in an /AA action or spelt /J#61vaScript, a
// /Launch action, an embedded file, a truncated PDF, a polyglot (a JPEG that is also HTML, or
// a ZIP) and a pixel bomb are 422 unsafe_content; a JPEG carrying EXIF (with GPS) and a
// comment is stored without them, filed as a document and as an image; a body over
// max_upload_bytes is 413; a patient past the quota is 422 quota_exceeded. Each refusal, on
// the clinic's route and the patient's, stores nothing: no record and no new file under the
// stack's files directory.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { assertProblem, confValue, env } from './lib/client.mjs';
import {
  TINY_JPEG, badPdfs, clinicUpload, cookieOf, docClinic, fetchFile, jpegWithExif, jsInObjectStream, okPdf,
  patientUpload, png, stored,
} from './lib/docs.mjs';

let C;

before(async () => {
  C = await docClinic();
});

const ZIP = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(26), Buffer.from('a.txt', 'latin1'),
  Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]);
const SVG = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' +
  '<script>alert(1)</script><rect width="10" height="10"/></svg>');

// Sends bytes on both routes (clinic as a document, the patient's upload) and asserts the
// refusal and that nothing was stored.
async function refusedBoth(bytes, status, code, what, { type = 'application/pdf', kind } = {}) {
  const before = stored(C.clinic.id, C.patient.id);
  const clinic = await clinicUpload(C.staff, C.patient.id, bytes, { type, kind, title: what });
  assertProblem(clinic, status, code, `clinic: ${what}`);
  assert.ok(clinic.body.detail, `${what}: the problem says why`);
  if (kind !== 'image') {
    const patient = await patientUpload(C.session, bytes, { type, title: what });
    assertProblem(patient, status, code, `patient: ${what}`);
  }
  assert.deepEqual(stored(C.clinic.id, C.patient.id), before, `${what}: something was stored`);
}

describe('refused, and nothing stored', () => {
  test('a script renamed .pdf and an HTML page declared as PDF are 415', async () => {
    await refusedBoth(Buffer.from('#!/bin/sh\nrm -rf ~\n'), 415, 'unsupported_media_type', 'script.pdf');
    await refusedBoth(Buffer.from('app.alert(1); // script.pdf\n'), 415, 'unsupported_media_type', 'JS named .pdf');
    await refusedBoth(Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'),
      415, 'unsupported_media_type', 'page.html.pdf');
  });

  test('an SVG is 415 as a document and as an image', async () => {
    await refusedBoth(SVG, 415, 'unsupported_media_type', 'image.svg', { type: 'image/svg+xml' });
    await refusedBoth(SVG, 415, 'unsupported_media_type', 'image.svg as image', { type: 'image/svg+xml', kind: 'image' });
  });

  test('bytes that are not the declared type are 415; a PDF as an image is 415', async () => {
    await refusedBoth(okPdf(), 415, 'unsupported_media_type', 'PDF declared image/jpeg', { type: 'image/jpeg' });
    await refusedBoth(TINY_JPEG, 415, 'unsupported_media_type', 'JPEG declared application/pdf');
    await refusedBoth(okPdf(), 415, 'unsupported_media_type', 'PDF as an image', { kind: 'image' });
  });

  for (const [what, make] of Object.entries(badPdfs)) {
    test(`${what} is 422 unsafe_content`, async () => {
      await refusedBoth(make(), 422, 'unsafe_content', what);
    });
  }

  test('JavaScript inside a compressed object stream is 422 unsafe_content', async () => {
      await refusedBoth(jsInObjectStream(), 422, 'unsafe_content', 'JS in an object stream');
    });

  test('a polyglot JPEG (also HTML, or a ZIP) is 422 unsafe_content, as a document and as an image', async () => {
    const html = Buffer.concat([TINY_JPEG, Buffer.from('<html><script>alert(document.cookie)</script></html>')]);
    const zip = Buffer.concat([TINY_JPEG, ZIP]);
    for (const [what, bytes] of [['polyglot-html.jpg', html], ['polyglot-zip.jpg', zip]]) {
      await refusedBoth(bytes, 422, 'unsafe_content', what, { type: 'image/jpeg' });
      await refusedBoth(bytes, 422, 'unsafe_content', `${what} as an image`, { type: 'image/jpeg', kind: 'image' });
    }
  });

  test('a pixel bomb (a tiny PNG declaring 100000 x 100000 pixels) is 422 unsafe_content, as a document and as an image', async () => {
    const bomb = png(8, 8, { declared: [100000, 100000] });
    await refusedBoth(bomb, 422, 'unsafe_content', 'pixel bomb', { type: 'image/png' });
    await refusedBoth(bomb, 422, 'unsafe_content', 'pixel bomb as an image', { type: 'image/png', kind: 'image' });
    // The same PNG with its true size is accepted, and gets a thumbnail.
    const fine = await clinicUpload(C.key, C.patient.id, png(8, 8), { type: 'image/png', kind: 'image' });
    assert.equal(fine.status, 201, fine.text);
    assert.equal(fine.body.thumbnail, true);
  });

  test('an empty body is 422 naming file', async () => {
    const before = stored(C.clinic.id, C.patient.id);
    const res = await C.session.request('POST', 'documents?title=x', { raw: '', headers: { 'content-type': 'application/pdf' } });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(res.body.errors.map((e) => e.field), ['file']);
    assert.deepEqual(stored(C.clinic.id, C.patient.id), before);
  });

  test('a body over max_upload_bytes is 413 payload_too_large', { timeout: 120_000 }, async () => {
    const max = Number(confValue('max_upload_bytes') ?? 20971520);
    const before = stored(C.clinic.id, C.patient.id);
    const big = Buffer.alloc(max + 1, 0x20);
    okPdf().copy(big);
    assertProblem(await clinicUpload(C.staff, C.patient.id, big), 413, 'payload_too_large', 'clinic');
    assertProblem(await patientUpload(C.session, big), 413, 'payload_too_large', 'patient');
    assert.deepEqual(stored(C.clinic.id, C.patient.id), before);
  });
});

describe('accepted', () => {
  test('a JPEG with EXIF (GPS) and a comment is stored without them, as a document and as an image', async () => {
    const mark = 'GPSMARK-41.0082N-28.9784E';
    const sent = jpegWithExif(mark);
    assert.ok(sent.includes('Exif') && sent.includes(mark));
    const asDoc = await clinicUpload(C.staff, C.patient.id, sent, { type: 'image/jpeg', title: 'exif.jpg' });
    assert.equal(asDoc.status, 201, asDoc.text);
    const asImg = await clinicUpload(C.staff, C.patient.id, sent, { type: 'image/jpeg', kind: 'image', title: 'exif.jpg' });
    assert.equal(asImg.status, 201, asImg.text);
    const byPatient = await patientUpload(C.session, sent, { type: 'image/jpeg', title: 'exif.jpg' });
    assert.equal(byPatient.status, 201, byPatient.text);
    for (const id of [asDoc.body.id, asImg.body.id, byPatient.body.id]) {
      const f = await fetchFile(`/api/v1/clinic/documents/${id}/content`, cookieOf(C.owner));
      assert.equal(f.status, 200);
      assert.equal(f.headers.get('content-type'), 'image/jpeg');
      assert.ok(!f.bytes.includes('Exif'), 'EXIF survived');
      assert.ok(!f.bytes.includes(mark), 'the GPS mark or the comment survived');
      assert.ok(!f.bytes.includes('comment'), 'the comment survived');
      const t = await fetchFile(`/api/v1/clinic/documents/${id}/thumbnail`, cookieOf(C.owner));
      assert.equal(t.status, 200);
      assert.ok(!t.bytes.includes(mark));
    }
  });

  test('a clean PDF is kept byte for byte; a PNG and a WebP are accepted', async () => {
    const bytes = okPdf('Kontrol raporu');
    const res = await clinicUpload(C.key, C.patient.id, bytes, { type: 'application/octet-stream' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.content_type, 'application/pdf');
    const f = await fetchFile(`/api/v1/clinic/documents/${res.body.id}/content`, cookieOf(C.owner));
    assert.ok(f.bytes.equals(bytes));
    const { TINY_WEBP } = await import('./lib/docs.mjs');
    const webp = await clinicUpload(C.key, C.patient.id, TINY_WEBP, { type: 'image/webp', kind: 'image' });
    assert.equal(webp.status, 201, webp.text);
  });
});

describe('quota', () => {
  test('past upload_quota_count pending and accepted uploads: 422 quota_exceeded, nothing stored; a rejection frees one', { timeout: 300_000 }, async () => {
    const c = await docClinic();
    const max = Number(confValue('upload_quota_count') ?? 50);
    const bytesMax = Number(confValue('upload_quota_bytes') ?? 209715200);
    assert.ok(max <= 200, `upload_quota_count ${max}: too many to fill in a test`);
    const ids = [];
    for (let i = 0; i < max; i++) {
      const res = await patientUpload(c.session, okPdf(`upload ${i}`), { title: `Belge ${i}` });
      assert.equal(res.status, 201, `upload ${i}: ${res.text}`);
      ids.push(res.body.id);
    }
    const before = stored(c.clinic.id, c.patient.id);
    const over = await patientUpload(c.session, okPdf('one too many'), { title: 'Fazla' });
    assertProblem(over, 422, 'quota_exceeded');
    assert.match(over.body.detail, new RegExp(String(max)));
    assert.deepEqual(stored(c.clinic.id, c.patient.id), before, 'the refused upload was stored');
    // Accepted ones still count; a rejected one does not.
    const acc = await c.owner.request('POST', `/api/v1/clinic/documents/${ids[0]}/review`, { body: { decision: 'accepted' } });
    assert.equal(acc.status, 200, acc.text);
    assertProblem(await patientUpload(c.session, okPdf('still too many')), 422, 'quota_exceeded');
    const rej = await c.owner.request('POST', `/api/v1/clinic/documents/${ids[1]}/review`,
      { body: { decision: 'rejected', reason: 'Yinelenen belge' } });
    assert.equal(rej.status, 200, rej.text);
    // One place is free: of three uploads at once exactly one takes it (the patient's upload
    // lock), and the refused ones store no record.
    const race = await Promise.all([0, 1, 2].map((i) => patientUpload(c.session, okPdf(`race ${i}`), { title: `Yarış ${i}` })));
    assert.deepEqual(race.map((r) => r.status).sort(), [201, 422, 422], race.map((r) => r.text).join('\n'));
    for (const r of race.filter((x) => x.status === 422)) assert.equal(r.body.code, 'quota_exceeded');
    assert.equal(stored(c.clinic.id, c.patient.id).rows, before.rows + 1);
    // Clinic uploads do not count.
    assert.equal((await clinicUpload(c.owner, c.patient.id, okPdf('clinic'))).status, 201);
    assert.ok(bytesMax > 0);
  });
});

describe('the stack', () => {
  test('stored files live under files_dir/files/<clinic>/', () => {
    const s = stored(C.clinic.id, C.patient.id);
    assert.ok(s.rows > 0 && s.files.length > 0);
    for (const f of s.files) assert.ok(f.startsWith(join(env().stack, 'files', 'files', C.clinic.id)), f);
  });
});
