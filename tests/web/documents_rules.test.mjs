// The documents screens' rules (web/src/documentRules.js), without a browser or a stack:
// sizes in the UI language, review states, what a record lets staff and the patient do,
// the addresses of a record's bytes, list and upload query strings, checks before an upload
// is sent, what a refused upload means, the access record summed up per side, and the
// bodies of a review and a rename.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as d from '../../web/src/documentRules.js';
import { catalogs } from '../../web/src/i18n/index.js';

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');
const record = (over = {}) => ({
  id: 'd1', kind: 'document', title: 'Kontrol raporu', file_name: 'rapor.pdf', content_type: 'application/pdf',
  size: 2048, shared: false, source: 'clinic', review: null, created_at: '2026-12-01T10:00:00Z', thumbnail: false, ...over,
});
const review = (status, reason = null) => ({ status, reason, reviewed_by: null, reviewed_at: null });

test('sizes read as people read them, 1024-based, in Turkish and English', () => {
  assert.equal(d.formatSize(0, 'en'), '0 bytes');
  assert.equal(d.formatSize(512, 'tr'), '512 bayt');
  assert.equal(d.formatSize(1023, 'en'), '1,023 bytes');
  assert.equal(d.formatSize(1023, 'tr'), '1.023 bayt');
  assert.equal(d.formatSize(1024, 'en'), '1 KB');
  assert.equal(d.formatSize(1536, 'en'), '1.5 KB'); // 1536 / 1024 = 1.5
  assert.equal(d.formatSize(1536, 'tr'), '1,5 KB');
  assert.equal(d.formatSize(150 * 1024, 'en'), '150 KB'); // no decimal from 100 up
  assert.equal(d.formatSize(1048575, 'en'), '1 MB'); // 1023.999 KB rounds to 1024 KB: said as 1 MB
  assert.equal(d.formatSize(20 * 1024 * 1024, 'tr'), '20 MB');
  assert.equal(d.formatSize(Math.round(2.25 * 1024 * 1024), 'tr'), '2,3 MB'); // 2.25 -> 2.3 (one decimal)
  assert.equal(d.formatSize(3 * 1024 ** 4, 'en'), '3,072 GB'); // GB is the largest unit
  for (const bad of [-1, 1.5, null, undefined, '12', NaN]) assert.equal(d.formatSize(bad, 'en'), '', String(bad));
});

test('review states: none for a clinic upload, else the review\'s status; each has a message in both languages', () => {
  assert.equal(d.reviewState(record()), 'none');
  assert.equal(d.reviewState(record({ source: 'patient', review: review('pending') })), 'pending');
  assert.equal(d.reviewState(record({ review: review('accepted') })), 'accepted');
  assert.equal(d.reviewState(record({ review: review('rejected', 'Bulanık') })), 'rejected');
  assert.equal(d.reviewState(record({ review: review('weird') })), 'none');
  assert.equal(d.reviewState(null), 'none');
  assert.equal(d.reviewKey(record({ review: review('pending') })), 'documents.review.pending');
  for (const keys of [d.REVIEW_KEYS, d.KIND_KEYS, d.SOURCE_KEYS, d.ACTION_KEYS]) {
    for (const key of Object.values(keys)) {
      assert.ok(catalogs.tr[key] && catalogs.en[key], `${key} in both catalogs`);
    }
  }
});

test('staff may share a clinic upload or an accepted patient upload, never a pending or rejected one; review only a pending one, as a reviewer', () => {
  assert.deepEqual(d.consoleActions(record()), {
    open: true, download: true, rename: true, share: true, unshare: false, remove: true, review: false,
  });
  const shared = d.consoleActions(record({ shared: true }));
  assert.equal(shared.share, false);
  assert.equal(shared.unshare, true);
  const pending = record({ source: 'patient', review: review('pending') });
  assert.equal(d.consoleActions(pending).share, false);
  assert.equal(d.consoleActions(pending).review, false, 'not for someone who may not review');
  assert.equal(d.consoleActions(pending, { mayReview: true }).review, true);
  assert.equal(d.consoleActions(record({ source: 'patient', review: review('rejected', 'x') })).share, false);
  assert.equal(d.consoleActions(record({ source: 'patient', review: review('rejected', 'x') }), { mayReview: true }).review, false);
  // Accepted shares it; should staff unshare it later, it may be shared again.
  assert.equal(d.consoleActions(record({ source: 'patient', review: review('accepted'), shared: false })).share, true);
});

test('the patient views with view_documents, downloads with download_documents, sees images with view_images', () => {
  const doc = record({ shared: true });
  assert.deepEqual(d.portalActions(doc, ['view_documents']), { view: true, download: false, access: true });
  assert.deepEqual(d.portalActions(doc, ['view_documents', 'download_documents']), { view: true, download: true, access: true });
  assert.deepEqual(d.portalActions(doc, ['download_documents']), { view: false, download: true, access: false });
  assert.deepEqual(d.portalActions(doc, []), { view: false, download: false, access: false });
  const image = record({ kind: 'image', content_type: 'image/jpeg', thumbnail: true });
  assert.deepEqual(d.portalActions(image, ['view_documents', 'download_documents']), { view: false, download: false, access: false });
  assert.deepEqual(d.portalActions(image, ['view_images']), { view: true, download: false, access: false });
});

test('the addresses of a record\'s bytes on each side, the id escaped', () => {
  assert.deepEqual(d.consoleContentUrls('a/b'), {
    open: '/api/v1/clinic/documents/a%2Fb/content',
    download: '/api/v1/clinic/documents/a%2Fb/content?download=1',
    thumbnail: '/api/v1/clinic/documents/a%2Fb/thumbnail',
  });
  const base = '/api/v1/portal/simple-dent/';
  assert.deepEqual(d.portalContentUrls(base, record()), {
    view: '/api/v1/portal/simple-dent/documents/d1/view',
    download: '/api/v1/portal/simple-dent/documents/d1/download',
    thumbnail: null,
  });
  assert.deepEqual(d.portalContentUrls(base, record({ kind: 'image', id: 'i9' })), {
    view: '/api/v1/portal/simple-dent/images/i9/view', download: null, thumbnail: '/api/v1/portal/simple-dent/images/i9/thumbnail',
  });
});

test('list query strings leave out what is not chosen and refuse unknown values', () => {
  assert.equal(d.listQuery(), 'limit=50');
  assert.equal(d.listQuery({ kind: 'image', source: 'patient', limit: 20 }), 'kind=image&source=patient&limit=20');
  assert.equal(d.listQuery({ kind: 'video', source: '', status: 'pending', cursor: 'abc+/=' }),
    'status=pending&cursor=abc%2B%2F%3D&limit=50');
  assert.equal(d.listQuery({ status: 'nonsense', limit: 0 }), '');
});

test('an upload\'s query: the title trimmed, the kind, the file name without folders or control characters', () => {
  assert.equal(d.uploadQuery({ title: '  Röntgen  sonucu ', fileName: 'röntgen 1.jpg', kind: 'image' }),
    'title=R%C3%B6ntgen+sonucu&kind=image&file_name=r%C3%B6ntgen+1.jpg');
  assert.equal(d.uploadQuery({ title: 'Rapor', fileName: 'C:\\Users\\x\\rapor.pdf' }), 'title=Rapor&file_name=rapor.pdf');
  assert.equal(d.uploadQuery({ title: 'A', fileName: 'a\u0000b.pdf', kind: 'video' }), 'title=A&kind=document&file_name=ab.pdf');
  assert.equal(d.uploadQuery({ title: 'A', fileName: '' }), 'title=A');
  // Characters that reorder text go: "rapor\u202Efdp.exe" must not pass for a PDF's name.
  assert.equal(d.uploadFileName('rapor\u202efdp.exe'), 'raporfdp.exe');
  assert.equal(d.cleanTitle('Rapor\u2066 2026\r\n'), 'Rapor 2026');
  const long = `${'ş'.repeat(300)}.pdf`;
  const cut = d.uploadFileName(long);
  assert.equal([...cut].length, d.FILE_NAME_MAX);
  assert.ok(cut.endsWith('.pdf'), 'the extension is kept when the name is cut');
  assert.equal(d.titleFromFileName('kan_tahlili-2026.pdf'), 'kan tahlili-2026');
  assert.equal(d.titleFromFileName('.hidden'), '.hidden');
  assert.equal([...d.titleFromFileName(`${'a'.repeat(400)}.pdf`)].length, d.TITLE_MAX);
  assert.equal(d.uploadType({ type: 'application/pdf' }), 'application/pdf');
  assert.equal(d.uploadType({ type: '' }), 'application/octet-stream');
});

test('before sending: a title and a file are needed; empty, too large or the wrong type of file is said at once', () => {
  const pdf = { size: 1000, type: 'application/pdf' };
  assert.deepEqual(d.uploadProblems({ title: 'Rapor', file: pdf }).problems, {});
  assert.deepEqual(d.uploadProblems({ title: '  ', file: null }).problems, { title: 'required', file: 'required' });
  assert.deepEqual(d.uploadProblems({ title: 'x'.repeat(201), file: pdf }).problems, { title: 'tooLong' });
  assert.deepEqual(d.uploadProblems({ title: 'ş'.repeat(200), file: pdf }).problems, {}, 'characters, not bytes');
  assert.deepEqual(d.uploadProblems({ title: 'a', file: { size: 0, type: 'application/pdf' } }).problems, { file: 'empty' });
  assert.deepEqual(d.uploadProblems({ title: 'a', file: { size: d.UPLOAD_MAX_BYTES + 1, type: 'application/pdf' } }).problems,
    { file: 'tooLarge' });
  assert.deepEqual(d.uploadProblems({ title: 'a', file: { size: 10, type: 'text/html' } }).problems, { file: 'type' });
  assert.deepEqual(d.uploadProblems({ title: 'a', file: pdf, kind: 'image' }).problems, { file: 'type' }, 'a PDF is no image');
  assert.deepEqual(d.uploadProblems({ title: 'a', file: { size: 10, type: '' } }).problems, {}, 'no type: the server decides');
  assert.deepEqual(d.uploadProblems({ title: 'a', file: { size: 10, type: 'image/png' }, kind: 'image' }).problems, {});
});

test('a refused upload is named by what went wrong: 413, 415, unsafe content, quota, validation, network', () => {
  assert.equal(d.uploadFailure({ status: 413, code: 'payload_too_large' }), 'tooLarge');
  assert.equal(d.uploadFailure({ status: 413, code: 'http_413' }), 'tooLarge', 'nginx\'s own 413 too');
  assert.equal(d.uploadFailure({ status: 415, code: 'unsupported_media_type' }), 'type');
  assert.equal(d.uploadFailure({ status: 422, code: 'unsafe_content' }), 'unsafe');
  assert.equal(d.uploadFailure({ status: 422, code: 'quota_exceeded' }), 'quota');
  assert.equal(d.uploadFailure({ status: 422, code: 'validation_failed' }), 'invalid');
  assert.equal(d.uploadFailure({ status: 0, code: 'network_error' }), 'network');
  assert.equal(d.uploadFailure({ status: 403, code: 'permission_denied' }), 'permission');
  assert.equal(d.uploadFailure({ status: 500, code: 'http_500' }), 'generic');
  assert.equal(d.uploadFailure(null), null);
  assert.equal(d.progressPercent(50, 200), 25);
  assert.equal(d.progressPercent(199, 200), 99, 'rounded down: 100 only when all is sent');
  assert.equal(d.progressPercent(300, 200), 100);
  assert.equal(d.progressPercent(5, 0), null);
});

test('the access record summed up per side: counts of views and downloads, and the latest time', () => {
  const items = [
    { at: '2026-12-02T09:00:00Z', by: { kind: 'patient', id: 'p', name: 'Elif' }, action: 'view' },
    { at: '2026-12-03T09:00:00Z', by: { kind: 'patient', id: 'p', name: 'Elif' }, action: 'download' },
    { at: '2026-12-01T09:00:00Z', by: { kind: 'patient', id: 'p', name: 'Elif' }, action: 'view' },
    { at: '2026-12-04T08:00:00Z', by: { kind: 'staff', id: 's', name: 'Dr. Ada' }, action: 'view' },
    { at: '2026-12-05T08:00:00Z', by: { kind: 'robot' }, action: 'view' },
    { at: '2026-12-05T08:00:00Z', by: { kind: 'staff' }, action: 'print' },
  ];
  assert.deepEqual(d.accessSummary(items), {
    patient: { view: 2, download: 1, last: '2026-12-03T09:00:00Z' },
    staff: { view: 1, download: 0, last: '2026-12-04T08:00:00Z' },
  });
  assert.deepEqual(d.accessSummary([]), { patient: { view: 0, download: 0, last: null }, staff: { view: 0, download: 0, last: null } });
});

test('a rejection needs a reason; an acceptance may carry one and the kind it is filed as', () => {
  assert.deepEqual(d.reviewBody({ decision: 'rejected', reason: '  ' }), { errors: { reason: 'required' } });
  assert.deepEqual(d.reviewBody({ decision: 'rejected', reason: ' Bulanık ' }), { body: { decision: 'rejected', reason: 'Bulanık' } });
  assert.deepEqual(d.reviewBody({ decision: 'rejected', reason: 'x'.repeat(501) }), { errors: { reason: 'tooLong' } });
  assert.deepEqual(d.reviewBody({ decision: 'rejected', reason: 'Bulanık.\nYeniden\tçekin. ' }),
    { body: { decision: 'rejected', reason: 'Bulanık. Yeniden çekin.' } }, 'one line, as the API takes it');
  assert.deepEqual(d.reviewBody({ decision: 'rejected', reason: '\u202e\n' }), { errors: { reason: 'required' } });
  assert.deepEqual(d.reviewBody({ decision: 'accepted', reason: '', kind: 'image' }), { body: { decision: 'accepted', kind: 'image' } });
  assert.deepEqual(d.reviewBody({ decision: 'accepted', reason: 'Tamam', kind: 'x' }), { body: { decision: 'accepted', reason: 'Tamam' } });
  assert.deepEqual(d.acceptKinds(record()), ['document'], 'a PDF only as a document');
  assert.deepEqual(d.acceptKinds(record({ content_type: 'image/png' })), ['document', 'image']);
  assert.deepEqual(d.acceptKinds(record({ content_type: 'IMAGE/JPEG; q=1' })), ['document', 'image']);
});

test('a rename sends the cleaned title, nothing when unchanged, and refuses an empty or too long one', () => {
  const r = record();
  assert.deepEqual(d.renameBody(r, ' Yeni  başlık '), { body: { title: 'Yeni başlık' } });
  assert.deepEqual(d.renameBody(r, 'Kontrol raporu '), { body: null });
  assert.deepEqual(d.renameBody(r, ''), { errors: { title: 'required' } });
  assert.deepEqual(d.renameBody(r, 'y'.repeat(201)), { errors: { title: 'tooLong' } });
});

test('a review queue shows pending uploads oldest first', () => {
  const items = [
    record({ id: 'b', created_at: '2026-12-03T00:00:00Z' }),
    record({ id: 'a', created_at: '2026-12-01T00:00:00Z' }),
    record({ id: 'c', created_at: '2026-12-05T00:00:00Z' }),
  ];
  assert.deepEqual(d.oldestFirst(items).map((x) => x.id), ['a', 'b', 'c']);
  assert.deepEqual(items.map((x) => x.id), ['b', 'a', 'c'], 'the list given is left as it was');
  assert.deepEqual(d.acceptFor('image').split(',').slice(0, 3), ['image/jpeg', 'image/png', 'image/webp']);
  assert.ok(d.acceptFor('document').includes('application/pdf'));
});
