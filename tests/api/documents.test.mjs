// Documents and images (issue 13, DESIGN.md section 13). Per permission: view_documents,
// download_documents, upload_documents and view_images each granted (200/201) or refused with
// 403 permission_denied naming the key, by the clinic's set and by the patient's own set. The
// clinic uploads (unshared), lists, renames, shares, unshares and deletes (audited, the
// record kept in the audit); a document not shared, another patient's, another clinic's and
// an unknown id all answer 404 not_found alike for view, download, thumbnail, content and
// access. Review: the patient uploads, the upload waits in the reviewer's queue, is rejected
// with a reason the patient sees; a second upload is accepted as a document the patient can
// view; staff who are not the reviewer get 403. The access record counts exactly the views
// and downloads of both sides. Every served file carries Content-Disposition (inline or
// attachment) with a Turkish name, nosniff, no-store and its X-Accel-Redirect path, and its
// bytes are what was stored. Notices go to the outbox without the title; changes are audited.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { api, assertProblem, psql } from './lib/client.mjs';
import {
  DOCS, TINY_JPEG, TURKISH_NAME, clinicDoc, clinicUpload, cookieOf, docClinic, fetchFile, okPdf, otherPatient,
  patientUpload,
} from './lib/docs.mjs';

const CLINIC = '/api/v1/clinic';
const docPath = (id, rest = '') => `${CLINIC}/documents/${id}${rest}`;
const portal = (c, rest) => `/api/v1/portal/${c.clinic.code}/${rest}`;
const sha = (b) => createHash('sha256').update(b).digest('hex');

let A;
let B;

before(async () => {
  [A, B] = await Promise.all([docClinic(), docClinic()]);
});

// The audit rows of target id, oldest first: [action, before, after].
function auditOf(clinicId, id) {
  const out = psql(`SELECT json_agg(json_build_array(action, before, after, actor_type) ORDER BY id)
    FROM audit_log WHERE clinic_id = '${clinicId}' AND target_id = '${id}'`);
  return out ? JSON.parse(out) : [];
}

// The outbox rows of a patient for a purpose: [{subject, body}].
function notices(patientId, purpose) {
  const out = psql(`SELECT coalesce(json_agg(json_build_object('subject', subject, 'body', body) ORDER BY created_at), '[]')
    FROM outbox WHERE patient_id = '${patientId}' AND purpose = '${purpose}'`);
  return JSON.parse(out);
}

describe('permissions', () => {
  // The routes of each key, with what a granted call answers.
  async function callsOf(c, s) {
    const doc = await clinicDoc(c.owner, c.patient.id);
    const img = await clinicDoc(c.owner, c.patient.id, TINY_JPEG, { kind: 'image', type: 'image/jpeg', title: 'Röntgen' });
    return {
      view_documents: [['GET', 'documents', 200], ['GET', `documents/${doc.id}/view`, 200], ['GET', `documents/${doc.id}/access`, 200]],
      download_documents: [['GET', `documents/${doc.id}/download`, 200]],
      upload_documents: [['POST', 'documents?title=Tahlil', 201, okPdf('Tahlil')]],
      view_images: [['GET', 'images', 200], ['GET', `images/${img.id}/view`, 200], ['GET', `images/${img.id}/thumbnail`, 200]],
    };
  }
  const call = (s, [method, rest, , raw]) => s.request(method, rest,
    raw ? { raw, headers: { 'content-type': 'application/pdf' } } : {});

  test('by the clinic set: each key granted answers, each key missing is 403 naming it', async () => {
    const granted = A;
    const refused = await docClinic({ permissions: ['view_profile'] });
    const gCalls = await callsOf(granted, granted.session);
    const rCalls = await callsOf(refused, refused.session);
    for (const key of DOCS) {
      for (const c of gCalls[key]) {
        const res = await call(granted.session, c);
        assert.equal(res.status, c[2], `${key} ${c[0]} ${c[1]}: ${res.text}`);
      }
      for (const c of rCalls[key]) {
        const res = await call(refused.session, c);
        assertProblem(res, 403, 'permission_denied', `${key} ${c[1]}`);
        assert.equal(res.body.permission, key);
      }
    }
  });

  test("by the patient's own set: a custom set without a key refuses it, one with it grants it", async () => {
    const c = await docClinic();
    const calls = await callsOf(c, c.session);
    for (const key of DOCS) {
      const others = DOCS.filter((k) => k !== key);
      const put = await c.owner.request('PUT', `${CLINIC}/patients/${c.patient.id}/portal-permissions`,
        { body: { mode: 'custom', permissions: ['view_profile', ...others] } });
      assert.equal(put.status, 200, put.text);
      for (const k of DOCS) {
        for (const x of calls[k]) {
          const res = await call(c.session, x);
          if (k === key) {
            assertProblem(res, 403, 'permission_denied', `${k} ${x[1]} without it`);
            assert.equal(res.body.permission, k);
          } else {
            assert.equal(res.status, x[2], `${k} ${x[1]} with it: ${res.text}`);
          }
        }
      }
    }
  });
});

describe('the clinic side', () => {
  test('upload (unshared), list, rename, share, unshare, delete; each change audited, the delete keeping the record', async () => {
    const bytes = okPdf('Kontrol raporu');
    const up = await clinicUpload(A.staff, A.patient.id, bytes, { file_name: TURKISH_NAME });
    assert.equal(up.status, 201, up.text);
    const d = up.body;
    assert.equal(up.headers.get('location'), docPath(d.id));
    assert.deepEqual([d.kind, d.title, d.file_name, d.content_type, d.size, d.shared, d.source, d.review, d.thumbnail],
      ['document', 'Kontrol raporu', TURKISH_NAME, 'application/pdf', bytes.length, false, 'clinic', null, false]);
    assert.deepEqual(d.uploaded_by, { id: A.staff.staff.id, name: A.staff.staff.name });
    assert.equal(d.patient_id, A.patient.id);
    // The patient does not see it yet.
    const list0 = await A.session.request('GET', 'documents');
    assert.ok(!list0.body.items.some((x) => x.id === d.id), 'an unshared document is listed to the patient');
    assertProblem(await A.session.request('GET', `documents/${d.id}/view`), 404, 'not_found');
    // Listed to staff, with filters.
    const l = await A.key.request('GET', `${CLINIC}/patients/${A.patient.id}/documents?kind=document&source=clinic`);
    assert.equal(l.status, 200, l.text);
    assert.ok(l.body.items.some((x) => x.id === d.id));
    const images = await A.key.request('GET', `${CLINIC}/patients/${A.patient.id}/documents?kind=image`);
    assert.ok(!images.body.items.some((x) => x.id === d.id));
    assertProblem(await A.key.request('GET', `${CLINIC}/patients/${A.patient.id}/documents?kind=pdf`), 422, 'validation_failed');
    // Rename and share.
    const renamed = await A.staff.request('PATCH', docPath(d.id), { body: { title: 'Kontrol raporu (Aralık)' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.title, 'Kontrol raporu (Aralık)');
    const shared = await A.key.request('PATCH', docPath(d.id), { body: { shared: true } });
    assert.equal(shared.body.shared, true);
    const list1 = await A.session.request('GET', 'documents');
    const mine = list1.body.items.find((x) => x.id === d.id);
    assert.ok(mine, 'a shared document is listed to the patient');
    assert.equal(mine.uploaded_by, undefined, 'the patient never sees the uploader');
    assert.equal(mine.patient_name, undefined);
    // Unshare: 404 again.
    await A.staff.request('PATCH', docPath(d.id), { body: { shared: false } });
    assertProblem(await A.session.request('GET', `documents/${d.id}/view`), 404, 'not_found');
    // Bad input.
    for (const body of [{ title: '' }, { title: 'a\nb' }, { shared: 'yes' }, { colour: 'red' }, { title: 'x'.repeat(201) }]) {
      assertProblem(await A.staff.request('PATCH', docPath(d.id), { body }), 422, 'validation_failed', JSON.stringify(body));
    }
    // Delete: 204, then 404; the audit keeps the record.
    const del = await A.staff.request('DELETE', docPath(d.id));
    assert.equal(del.status, 204, del.text);
    assertProblem(await A.staff.request('GET', docPath(d.id)), 404, 'not_found');
    assertProblem(await A.staff.request('DELETE', docPath(d.id)), 404, 'not_found');
    const audit = auditOf(A.clinic.id, d.id);
    assert.deepEqual(audit.map((r) => r[0]),
      ['document.create', 'document.update', 'document.update', 'document.update', 'document.delete']);
    assert.equal(audit[0][2].title, 'Kontrol raporu');
    assert.equal(audit[4][1].title, 'Kontrol raporu (Aralık)', 'the delete keeps the record as it was');
    assert.equal(audit[4][2], null);
  });

  test('a read key may list but not upload; the upload query and an empty body are 422', async () => {
    const { makeApiKey } = await import('./lib/fixtures.mjs');
    const { withKey } = await import('./lib/fixtures.mjs');
    const reader = withKey(makeApiKey(A.clinic.id, 'read'));
    assert.equal((await reader.request('GET', `${CLINIC}/patients/${A.patient.id}/documents`)).status, 200);
    assertProblem(await clinicUpload(reader, A.patient.id, okPdf()), 403, 'forbidden_role');
    const noTitle = await A.key.request('POST', `${CLINIC}/patients/${A.patient.id}/documents`,
      { raw: okPdf(), headers: { 'content-type': 'application/pdf' } });
    assertProblem(noTitle, 422, 'validation_failed');
    assert.deepEqual(noTitle.body.errors.map((e) => e.field), ['title']);
    const badName = await clinicUpload(A.key, A.patient.id, okPdf(), { file_name: '../../etc/passwd' });
    assert.deepEqual(badName.body.errors.map((e) => e.field), ['file_name']);
    const badKind = await clinicUpload(A.key, A.patient.id, okPdf(), { kind: 'video' });
    assert.deepEqual(badKind.body.errors.map((e) => e.field), ['kind']);
    const empty = await A.key.request('POST', `${CLINIC}/patients/${A.patient.id}/documents?title=x`,
      { raw: '', headers: { 'content-type': 'application/pdf' } });
    assertProblem(empty, 422, 'validation_failed');
    assert.deepEqual(empty.body.errors.map((e) => e.field), ['file']);
    assertProblem(await clinicUpload(A.key, randomUUID(), okPdf()), 404, 'not_found');
    assertProblem(await clinicUpload(A.key, B.patient.id, okPdf()), 404, 'not_found');
  });

  test('an image gets a thumbnail; a JPEG filed as a document gets one too; a PDF none', async () => {
    const img = await clinicDoc(A.key, A.patient.id, TINY_JPEG, { kind: 'image', type: 'image/jpeg', title: 'Panoramik' });
    assert.deepEqual([img.kind, img.content_type, img.thumbnail], ['image', 'image/jpeg', true]);
    assert.ok(img.width > 0 && img.height > 0);
    const t = await fetchFile(docPath(img.id, '/thumbnail'), cookieOf(A.owner));
    assert.equal(t.status, 200);
    assert.equal(t.headers.get('content-type'), 'image/jpeg');
    assert.equal(t.bytes.subarray(0, 2).toString('hex'), 'ffd8');
    const jpgDoc = await clinicDoc(A.key, A.patient.id, TINY_JPEG, { type: 'image/jpeg' });
    assert.equal(jpgDoc.thumbnail, true);
    const pdfDoc = await clinicDoc(A.key, A.patient.id);
    assert.equal(pdfDoc.thumbnail, false);
    assertProblem(await A.key.request('GET', docPath(pdfDoc.id, '/thumbnail')), 404, 'not_found');
    // Listed to the patient as an image only.
    const imgs = await A.session.request('GET', 'images');
    assert.ok(imgs.body.items.some((x) => x.id === img.id && x.thumbnail));
    const docs = await A.session.request('GET', 'documents');
    assert.ok(!docs.body.items.some((x) => x.id === img.id), 'an image is not listed as a document');
    assertProblem(await A.session.request('GET', `documents/${img.id}/view`), 404, 'not_found');
    assertProblem(await A.session.request('GET', `images/${pdfDoc.id}/view`), 404, 'not_found');
  });
});

describe('what the patient does not see answers 404 alike', () => {
  test('unshared, another patient\'s, another clinic\'s and unknown: view, download, thumbnail, content, access', async () => {
    const other = await otherPatient(A);
    const unsharedDoc = await clinicDoc(A.owner, A.patient.id, okPdf(), { share: false });
    const unsharedImg = await clinicDoc(A.owner, A.patient.id, TINY_JPEG, { share: false, kind: 'image', type: 'image/jpeg' });
    const othersDoc = await clinicDoc(A.owner, other.patient.id);
    const othersImg = await clinicDoc(A.owner, other.patient.id, TINY_JPEG, { kind: 'image', type: 'image/jpeg' });
    const foreignDoc = await clinicDoc(B.owner, B.patient.id);
    const foreignImg = await clinicDoc(B.owner, B.patient.id, TINY_JPEG, { kind: 'image', type: 'image/jpeg' });
    const unknown = randomUUID();
    const cases = [
      ['unshared', unsharedDoc.id, unsharedImg.id], ["another patient's", othersDoc.id, othersImg.id],
      ["another clinic's", foreignDoc.id, foreignImg.id], ['unknown', unknown, unknown],
    ];
    let first;
    for (const [what, docId, imgId] of cases) {
      for (const rest of [`documents/${docId}/view`, `documents/${docId}/download`, `documents/${docId}/access`,
        `images/${imgId}/view`, `images/${imgId}/thumbnail`, `documents/${imgId}/access`]) {
        const res = await A.session.request('GET', rest);
        assertProblem(res, 404, 'not_found', `${what}: ${rest}`);
        first ??= res.body;
        assert.deepEqual([res.body.title, res.body.detail], [first.title, first.detail], `${what}: ${rest} looks different`);
      }
    }
    // Not an id at all: 404 too (the router's).
    assertProblem(await A.session.request('GET', 'documents/abc/view'), 404, 'not_found');
    // The clinic side: another clinic's and unknown ids alike.
    for (const id of [foreignDoc.id, foreignImg.id, unknown]) {
      for (const rest of ['', '/content', '/content?download=1', '/thumbnail', '/access']) {
        const res = await A.key.request('GET', docPath(id, rest));
        assertProblem(res, 404, 'not_found', `clinic ${rest}`);
        assert.equal(res.body.detail, 'No such document.');
      }
    }
    // Nothing was recorded for B's files.
    assert.equal(psql(`SELECT count(*) FROM document_access WHERE document_id IN ('${foreignDoc.id}', '${foreignImg.id}')`), '0');
    // The patient's own list has none of them.
    const docs = (await A.session.request('GET', 'documents')).body.items.map((x) => x.id);
    const imgs = (await A.session.request('GET', 'images')).body.items.map((x) => x.id);
    for (const id of [unsharedDoc.id, unsharedImg.id, othersDoc.id, othersImg.id, foreignDoc.id, foreignImg.id]) {
      assert.ok(!docs.includes(id) && !imgs.includes(id), `${id} is listed`);
    }
  });
});

describe('served files', () => {
  test('headers on every served file: disposition with the Turkish name, nosniff, no-store, X-Accel path; bytes as stored', async () => {
    const bytes = okPdf('Kontrol raporu');
    const d = await clinicDoc(A.owner, A.patient.id, bytes, { file_name: TURKISH_NAME });
    const img = await clinicDoc(A.owner, A.patient.id, TINY_JPEG, { kind: 'image', type: 'image/jpeg', file_name: 'Röntgen ağız içi.jpg' });
    const staffView = await fetchFile(docPath(d.id, '/content'), cookieOf(A.owner));
    const cases = [
      ['staff content', staffView, 'inline', TURKISH_NAME, 'application/pdf', bytes],
      ['staff download', await fetchFile(docPath(d.id, '/content?download=1'), cookieOf(A.owner)), 'attachment', TURKISH_NAME, 'application/pdf', bytes],
      ['patient view', await fetchFile(portal(A, `documents/${d.id}/view`), cookieOf(A.session)), 'inline', TURKISH_NAME, 'application/pdf', bytes],
      ['patient download', await fetchFile(portal(A, `documents/${d.id}/download`), cookieOf(A.session)), 'attachment', TURKISH_NAME, 'application/pdf', bytes],
      ['patient image', await fetchFile(portal(A, `images/${img.id}/view`), cookieOf(A.session)), 'inline', 'Röntgen ağız içi.jpg', 'image/jpeg', null],
      ['patient thumbnail', await fetchFile(portal(A, `images/${img.id}/thumbnail`), cookieOf(A.session)), 'inline', null, 'image/jpeg', null],
    ];
    for (const [what, res, disp, name, type, expect] of cases) {
      assert.equal(res.status, 200, `${what}: ${res.text.slice(0, 200)}`);
      assert.equal(res.headers.get('content-type'), type, what);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
      assert.match(res.headers.get('cache-control') ?? '', /no-store/, what);
      const cd = res.headers.get('content-disposition') ?? '';
      assert.ok(cd.startsWith(disp), `${what}: ${cd}`);
      if (name) {
        assert.ok(cd.includes(`filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`),
          `${what}: ${cd}`);
        assert.match(cd, /filename="[\x20-\x7e]+"/, `${what}: an ASCII fallback`);
      }
      assert.ok(res.headers.get('content-security-policy'), `${what}: a CSP`);
      if (expect) assert.ok(res.bytes.equals(expect), `${what}: the bytes served are the bytes stored`);
    }
    // The image served is the stored (re-encoded) file, named by its hash.
    const stored = psql(`SELECT sha256 FROM documents WHERE id = '${img.id}'`);
    assert.equal(sha(cases[4][1].bytes), stored);
    // What the API itself answers (behind nginx): X-Accel-Redirect to the stored file, an
    // empty body; nginx serves it from its internal location, which is 404 when asked directly.
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { env } = await import('./lib/client.mjs');
    const { fcgi } = await import('./lib/fcgi.mjs');
    for (const [path, headers, hash] of [[docPath(d.id, '/content'), cookieOf(A.owner), sha(bytes)],
      [portal(A, `images/${img.id}/view`), cookieOf(A.session), stored]]) {
      const raw = await fcgi('GET', path, { headers });
      assert.equal(raw.status, 200, raw.text);
      const rel = `files/${A.clinic.id}/${hash.slice(0, 2)}/${hash}`;
      assert.equal(raw.headers.get('x-accel-redirect'), `/_files/${rel}`, path);
      assert.equal(raw.text, '');
      assert.ok(existsSync(join(env().stack, 'files', rel)), `stored at ${rel}`);
      const direct = await fetch(`${env().url}/_files/${rel}`);
      assert.equal(direct.status, 404, '/_files/ asked directly');
    }
  });
});

// The CSP of /_files/ is nginx's (nginx/portal.conf.in).
describe('served files: the CSP', () => {
  test("every served file carries default-src 'none', and sandbox unless it is a PDF (the browser's viewer)", async () => {
      const d = await clinicDoc(A.owner, A.patient.id);
      const img = await clinicDoc(A.owner, A.patient.id, TINY_JPEG, { kind: 'image', type: 'image/jpeg' });
      for (const [path, headers, pdf] of [
        [docPath(d.id, '/content'), cookieOf(A.owner), true],
        [portal(A, `documents/${d.id}/view`), cookieOf(A.session), true],
        [portal(A, `documents/${d.id}/download`), cookieOf(A.session), true],
        [portal(A, `images/${img.id}/view`), cookieOf(A.session), false],
        [portal(A, `images/${img.id}/thumbnail`), cookieOf(A.session), false],
        [docPath(img.id, '/thumbnail'), cookieOf(A.owner), false],
      ]) {
        const res = await fetchFile(path, headers);
        assert.equal(res.status, 200, path);
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, /^default-src 'none'/, `${path}: ${csp}`);
        assert.ok(!csp.includes("script-src 'self'"), `${path}: the site's CSP is not doubled: ${csp}`);
        assert.equal(/\bsandbox\b/.test(csp), !pdf, `${path}: sandbox ${pdf ? 'stops the PDF viewer' : 'is missing'}: ${csp}`);
      }
    });
});

describe('review', () => {
  test('upload -> pending in the queue -> rejected with a reason the patient sees -> a second upload accepted as a document the patient views', async () => {
    const c = await docClinic();
    const first = await patientUpload(c.session, okPdf('Tahlil 1'), { title: 'Kan tahlili', file_name: 'tahlil ç.pdf' });
    assert.equal(first.status, 201, first.text);
    assert.deepEqual([first.body.source, first.body.shared, first.body.kind, first.body.review.status, first.body.review.reason],
      ['patient', false, 'document', 'pending', null]);
    assert.equal(first.body.uploaded_by, undefined);
    // Pending in the queue (oldest first); the patient sees it with its state and may view it.
    const q1 = await c.owner.request('GET', `${CLINIC}/document-reviews`);
    assert.equal(q1.status, 200, q1.text);
    assert.deepEqual(q1.body.items.map((x) => x.id), [first.body.id]);
    assert.equal((await fetchFile(portal(c, `documents/${first.body.id}/view`), cookieOf(c.session))).status, 200);
    // It cannot be shared while pending.
    assertProblem(await c.owner.request('PATCH', docPath(first.body.id), { body: { shared: true } }), 409, 'conflict');
    // A rejection needs a reason.
    const noReason = await c.owner.request('POST', docPath(first.body.id, '/review'), { body: { decision: 'rejected' } });
    assertProblem(noReason, 422, 'validation_failed');
    assert.deepEqual(noReason.body.errors.map((e) => e.field), ['reason']);
    const rej = await c.owner.request('POST', docPath(first.body.id, '/review'),
      { body: { decision: 'rejected', reason: 'Görüntü okunmuyor, lütfen yeniden yükleyin.' } });
    assert.equal(rej.status, 200, rej.text);
    assert.deepEqual([rej.body.review.status, rej.body.shared], ['rejected', false]);
    assert.deepEqual(rej.body.review.reviewed_by, { id: c.owner.staff.id, name: c.owner.staff.name });
    assertProblem(await c.owner.request('POST', docPath(first.body.id, '/review'),
      { body: { decision: 'accepted' } }), 409, 'conflict', 'decided twice');
    const seen = (await c.session.request('GET', 'documents')).body.items.find((x) => x.id === first.body.id);
    assert.deepEqual([seen.review.status, seen.review.reason], ['rejected', 'Görüntü okunmuyor, lütfen yeniden yükleyin.']);
    assert.ok(seen.review.reviewed_at);
    // The second upload, accepted as a document.
    const second = await patientUpload(c.session, okPdf('Tahlil 2'), { title: 'Kan tahlili (yeni)' });
    assert.equal(second.status, 201, second.text);
    const q2 = await c.admin.request('GET', `${CLINIC}/document-reviews?status=pending`);
    assert.deepEqual(q2.body.items.map((x) => x.id), [second.body.id]);
    const rejected = await c.admin.request('GET', `${CLINIC}/document-reviews?status=rejected`);
    assert.deepEqual(rejected.body.items.map((x) => x.id), [first.body.id]);
    const acc = await c.admin.request('POST', docPath(second.body.id, '/review'), { body: { decision: 'accepted', kind: 'document' } });
    assert.equal(acc.status, 200, acc.text);
    assert.deepEqual([acc.body.review.status, acc.body.shared, acc.body.kind], ['accepted', true, 'document']);
    const view = await fetchFile(portal(c, `documents/${second.body.id}/view`), cookieOf(c.session));
    assert.equal(view.status, 200);
    assert.ok(view.bytes.equals(okPdf('Tahlil 2')));
    const list = (await c.session.request('GET', 'documents')).body.items;
    assert.deepEqual(list.filter((x) => x.source === 'patient').map((x) => [x.id, x.review.status]),
      [[second.body.id, 'accepted'], [first.body.id, 'rejected']]);
    // Notices: upload_reviewed twice, document_shared once; none carries the title or name.
    const reviewed = notices(c.patient.id, 'upload_reviewed');
    const sharedN = notices(c.patient.id, 'document_shared');
    assert.equal(reviewed.length, 2);
    assert.equal(sharedN.length, 1);
    for (const n of [...reviewed, ...sharedN]) {
      const text = `${n.subject ?? ''} ${n.body}`;
      for (const secret of ['Kan tahlili', 'tahlil', 'Görüntü okunmuyor']) assert.ok(!text.includes(secret), `a notice carries "${secret}": ${text}`);
    }
    // Audit.
    assert.deepEqual(auditOf(c.clinic.id, first.body.id).map((r) => [r[0], r[3]]),
      [['document.upload', 'patient'], ['document.review', 'staff']]);
    assert.deepEqual(auditOf(c.clinic.id, second.body.id).map((r) => r[0]), ['document.upload', 'document.review']);
  });

  test('an image upload accepted as an image joins the gallery with a thumbnail; a PDF cannot be one', async () => {
    const c = await docClinic();
    const up = await patientUpload(c.session, TINY_JPEG, { title: 'Ağız içi', type: 'image/jpeg' });
    assert.equal(up.status, 201, up.text);
    const pdfUp = await patientUpload(c.session, okPdf(), { title: 'PDF' });
    const bad = await c.owner.request('POST', docPath(pdfUp.body.id, '/review'), { body: { decision: 'accepted', kind: 'image' } });
    assertProblem(bad, 422, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['kind']);
    const acc = await c.owner.request('POST', docPath(up.body.id, '/review'), { body: { decision: 'accepted', kind: 'image' } });
    assert.equal(acc.status, 200, acc.text);
    assert.deepEqual([acc.body.kind, acc.body.shared, acc.body.thumbnail], ['image', true, true]);
    const imgs = (await c.session.request('GET', 'images')).body.items;
    assert.deepEqual(imgs.map((x) => x.id), [up.body.id]);
    assert.ok(!(await c.session.request('GET', 'documents')).body.items.some((x) => x.id === up.body.id),
      'accepted as an image: no longer among the documents');
    assert.equal((await fetchFile(portal(c, `images/${up.body.id}/thumbnail`), cookieOf(c.session))).status, 200);
  });

  test('staff who are not the reviewer get 403 forbidden_role; the named reviewer may; a clinic upload is not reviewed', async () => {
    const c = await docClinic();
    const up = await patientUpload(c.session, okPdf());
    assertProblem(await c.staff.request('GET', `${CLINIC}/document-reviews`), 403, 'forbidden_role');
    assertProblem(await c.staff.request('POST', docPath(up.body.id, '/review'), { body: { decision: 'accepted' } }), 403, 'forbidden_role');
    assertProblem(await c.key.request('POST', docPath(up.body.id, '/review'), { body: { decision: 'accepted' } }), 403, 'forbidden_role');
    // Name staff the reviewer.
    const s = await c.owner.request('GET', `${CLINIC}/portal/settings`);
    const put = await c.owner.request('PUT', `${CLINIC}/portal/settings`, { body: { ...s.body, upload_reviewer_id: c.staff.staff.id } });
    assert.equal(put.status, 200, put.text);
    assert.equal((await c.staff.request('GET', `${CLINIC}/document-reviews`)).status, 200);
    const ok = await c.staff.request('POST', docPath(up.body.id, '/review'), { body: { decision: 'accepted', reason: 'Teşekkürler' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.review.reason, 'Teşekkürler');
    const own = await clinicDoc(c.owner, c.patient.id);
    assertProblem(await c.owner.request('POST', docPath(own.id, '/review'), { body: { decision: 'accepted' } }), 409, 'conflict');
    // Two reviewers at once: one decides, the other hears it was decided.
    const twice = await patientUpload(c.session, okPdf('twice'));
    const both = await Promise.all([
      c.owner.request('POST', docPath(twice.body.id, '/review'), { body: { decision: 'accepted' } }),
      c.admin.request('POST', docPath(twice.body.id, '/review'), { body: { decision: 'rejected', reason: 'Hayır' } })]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], both.map((r) => r.text).join('\n'));
    assert.equal(auditOf(c.clinic.id, twice.body.id).filter((r) => r[0] === 'document.review').length, 1);
    for (const body of [{}, { decision: 'maybe' }, { decision: 'rejected', reason: 'x', kind: 'image' }, { decision: 'accepted', extra: 1 }]) {
      assertProblem(await c.owner.request('POST', docPath(up.body.id, '/review'), { body }), 422, 'validation_failed', JSON.stringify(body));
    }
  });
});

describe('who opened it', () => {
  test('the access record counts exactly the views and downloads of both sides, newest first, on both sides', async () => {
    const c = await docClinic();
    const d = await clinicDoc(c.owner, c.patient.id);
    const thumbImg = await clinicDoc(c.owner, c.patient.id, TINY_JPEG, { kind: 'image', type: 'image/jpeg' });
    const open = async (path, headers) => assert.equal((await fetchFile(path, headers)).status, 200, path);
    for (let i = 0; i < 3; i++) await open(portal(c, `documents/${d.id}/view`), cookieOf(c.session));
    for (let i = 0; i < 2; i++) await open(portal(c, `documents/${d.id}/download`), cookieOf(c.session));
    await open(docPath(d.id, '/content'), cookieOf(c.staff));
    await open(docPath(d.id, '/content?download=1'), cookieOf(c.owner));
    // A thumbnail is not recorded; an image view is.
    await open(portal(c, `images/${thumbImg.id}/thumbnail`), cookieOf(c.session));
    await open(portal(c, `images/${thumbImg.id}/view`), cookieOf(c.session));
    const staffSide = await c.owner.request('GET', docPath(d.id, '/access'));
    const patientSide = await c.session.request('GET', `documents/${d.id}/access`);
    for (const [what, res] of [['staff', staffSide], ['patient', patientSide]]) {
      assert.equal(res.status, 200, res.text);
      const count = (kind, action) => res.body.items.filter((x) => x.by.kind === kind && x.action === action).length;
      assert.deepEqual([count('patient', 'view'), count('patient', 'download'), count('staff', 'view'), count('staff', 'download')],
        [3, 2, 1, 1], `${what} side`);
      assert.equal(res.body.items.length, 7);
      assert.deepEqual(res.body.items[0].by, { kind: 'staff', id: c.owner.staff.id, name: c.owner.staff.name }, 'newest first');
      assert.equal(res.body.items[6].by.id, c.patient.id);
    }
    // Pages.
    const p1 = await c.owner.request('GET', docPath(d.id, '/access?limit=4'));
    const p2 = await c.owner.request('GET', docPath(d.id, `/access?limit=4&cursor=${p1.body.next_cursor}`));
    assert.deepEqual([p1.body.items.length, p2.body.items.length, p2.body.next_cursor], [4, 3, null]);
    assert.deepEqual([...p1.body.items, ...p2.body.items], staffSide.body.items);
    assertProblem(await c.owner.request('GET', docPath(d.id, '/access?cursor=abc')), 422, 'validation_failed');
    const imgAccess = await c.owner.request('GET', docPath(thumbImg.id, '/access'));
    assert.deepEqual(imgAccess.body.items.map((x) => [x.by.kind, x.action]), [['patient', 'view']]);
    // An API key's fetch is the clinic's, named by the key.
    await open(docPath(d.id, '/content'), { authorization: `Bearer ${c.keySecret}` });
    const keyId = (await c.key.request('GET', '/api/v1/clinic/me')).body.api_key.id;
    for (const res of [await c.owner.request('GET', docPath(d.id, '/access?limit=1')),
      await c.session.request('GET', `documents/${d.id}/access?limit=1`)]) {
      assert.deepEqual([res.body.items[0].by.kind, res.body.items[0].by.id, res.body.items[0].action],
        ['staff', keyId, 'view']);
    }
  });
});

describe('diagnostics', () => {
  test('document_id: a shared document passes document_shared, an unshared one fails it, another patient\'s is 404', async () => {
    const c = await docClinic();
    const other = await otherPatient(c);
    const shared = await clinicDoc(c.owner, c.patient.id);
    const unshared = await clinicDoc(c.owner, c.patient.id, okPdf(), { share: false });
    const img = await clinicDoc(c.owner, c.patient.id, TINY_JPEG, { kind: 'image', type: 'image/jpeg' });
    const others = await clinicDoc(c.owner, other.patient.id);
    const diag = (action, id) => c.staff.request('GET', `${CLINIC}/patients/${c.patient.id}/portal-access?action=${action}&document_id=${id}`);
    const check = (res) => res.body.checks.find((x) => x.condition === 'document_shared');
    for (const action of ['view_documents', 'download_documents']) {
      const ok = await diag(action, shared.id);
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual([ok.body.allowed, check(ok).ok], [true, true], action);
      const no = await diag(action, unshared.id);
      assert.deepEqual([no.body.allowed, check(no).ok], [false, false], action);
      assert.deepEqual([(await diag(action, img.id)).body.allowed], [false], `${action}: an image is not a document`);
    }
    const imgOk = await diag('view_images', img.id);
    assert.deepEqual([imgOk.body.allowed, check(imgOk).ok], [true, true]);
    assertProblem(await diag('view_documents', others.id), 404, 'not_found');
    assertProblem(await diag('view_documents', randomUUID()), 404, 'not_found');
  });
});

describe('API shapes', () => {
  test('GET documents/{id} answers the record; lists page by cursor', async () => {
    const c = await docClinic();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await clinicDoc(c.key, c.patient.id, okPdf(`p${i}`), { title: `Belge ${i}` })).id);
    const one = await c.staff.request('GET', docPath(ids[0]));
    assert.equal(one.status, 200);
    assert.equal(one.body.title, 'Belge 0');
    const p1 = await c.session.request('GET', 'documents?limit=2');
    assert.deepEqual(p1.body.items.map((x) => x.id), [ids[2], ids[1]]);
    const p2 = await c.session.request('GET', `documents?limit=2&cursor=${p1.body.next_cursor}`);
    assert.deepEqual(p2.body.items.map((x) => x.id), [ids[0]]);
    assert.equal(p2.body.next_cursor, null);
    assertProblem(await c.session.request('GET', 'documents?limit=101'), 422, 'validation_failed');
    const s1 = await c.staff.request('GET', `${CLINIC}/patients/${c.patient.id}/documents?limit=1`);
    assert.deepEqual(s1.body.items.map((x) => x.id), [ids[2]]);
    assert.ok(s1.body.next_cursor);
    const sh = await api('GET', `${CLINIC}/documents/${ids[0]}`);
    assertProblem(sh, 401, 'not_authenticated');
  });
});
