// Browser tests of the console's documents (issue 13 items 3, 6 and 8): staff add a PDF and an
// image to a patient on the patient's Documents tab (the image and its sharing done from the
// keyboard), share both, open the PDF in a new tab and download it (the bytes as uploaded,
// the Turkish file name kept), see both in "who opened it", rename, stop sharing and delete
// after a question; the upload reviewer's queue lists patient uploads oldest first, refuses a
// rejection without a reason, rejects with one and accepts a photo as an image, then says
// nothing is waiting; someone who does not review has no queue in the menu and is told who
// does. axe-core finds no serious or critical violation on these screens.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/console_documents.test.mjs
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { axeViolations, baseUrl, closedAfterEach } from './browser.mjs';
import { signInPatient } from '../api/lib/fixtures.mjs';
import { clinicUpload, documentsClinic, JPEG, makePdf, patientUpload } from './documents_fixtures.mjs';
import { formatSize } from '../../web/src/documentRules.js';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr } = catalogs;
const { openConsole } = closedAfterEach();
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
const answer = (method, re) => (r) => r.request().method() === method && re.test(new URL(r.url()).pathname);
const UPLOAD = /^\/api\/v1\/clinic\/patients\/[^/]+\/documents$/;
const focusedTestId = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? null);

async function noAxe(page, where) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${where}`);
}

/** Waits until the image has loaded and has pixels. */
async function imageLoaded(img) {
  await img.waitFor();
  await img.evaluate((el) => (el.complete ? null : new Promise((resolve) => { el.onload = resolve; el.onerror = resolve; })));
  assert.ok(await img.evaluate((el) => el.naturalWidth > 0), 'the thumbnail shows');
}

test('staff add a PDF and an image, share both, open and download the PDF, see who opened it, rename, stop sharing and delete after a question', async () => {
  const ctx = await documentsClinic();
  const { page, watch, browser } = await openConsole(ctx.clinic.logins.staff);
  await page.goto(`/console/#/patients/${ctx.patient.id}/documents`);
  await page.getByTestId('patient-documents').waitFor();
  assert.equal(await page.getByTestId('tab-documents').getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByTestId('tab-documents').innerText(), tr['console.patient.tab.documents']);
  await page.getByTestId('docs-list-empty').waitFor();
  assert.equal(await page.getByTestId('docs-list-empty').innerText(), tr['console.docs.none']);
  await noAxe(page, 'empty Documents tab');

  // Adding without a file or title says so, and sends nothing.
  let uploads = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && UPLOAD.test(new URL(r.url()).pathname)) uploads += 1; });
  await page.getByTestId('doc-upload-submit').click();
  assert.equal(await page.getByTestId('doc-upload-error-file').innerText(), tr['console.docs.error.fileRequired']);
  assert.equal(await focusedTestId(page), 'doc-file-input');
  assert.equal(uploads, 0);

  // The PDF: its name gives the title to start with.
  const pdf = makePdf('Kontrol raporu');
  await page.getByTestId('doc-file-input').setInputFiles({ name: 'Kontrol raporu ağız.pdf', mimeType: 'application/pdf', buffer: pdf });
  assert.equal(await page.getByTestId('doc-title-input').inputValue(), 'Kontrol raporu ağız');
  await page.getByTestId('doc-title-input').fill('Kontrol raporu');
  const created = page.waitForResponse(answer('POST', UPLOAD));
  await page.getByTestId('doc-upload-submit').click();
  const createdAnswer = await created;
  assert.equal(createdAnswer.status(), 201);
  const doc = await createdAnswer.json();
  assert.deepEqual(
    [doc.kind, doc.title, doc.file_name, doc.content_type, doc.size, doc.shared, doc.source, doc.review],
    ['document', 'Kontrol raporu', 'Kontrol raporu ağız.pdf', 'application/pdf', pdf.length, false, 'clinic', null],
  );
  const row = page.locator(`[data-testid="doc-row"][data-id="${doc.id}"]`);
  await row.waitFor();
  assert.equal(await page.getByTestId('docs-notice').innerText(), fill(tr['console.docs.uploaded'], { title: 'Kontrol raporu' }));
  assert.equal(await row.getByTestId('doc-title').innerText(), 'Kontrol raporu');
  assert.equal(await row.getByTestId('doc-file-name').innerText(), 'Kontrol raporu ağız.pdf');
  assert.equal(await row.getByTestId('doc-size').innerText(), formatSize(pdf.length, 'tr'));
  assert.equal(await row.getByTestId('doc-kind').getAttribute('data-kind'), 'document');
  assert.equal(await row.getByTestId('doc-source').getAttribute('data-source'), 'clinic');
  assert.equal(await row.getByTestId('doc-shared').innerText(), tr['console.docs.notShared']);
  assert.equal(await row.getByTestId('doc-review').count(), 0, 'a clinic upload has no review');

  // The image from the keyboard: the kind with Space, sent with Enter in the title.
  await page.getByTestId('doc-kind-image').focus();
  await page.keyboard.press('Space');
  assert.equal(await page.getByTestId('doc-kind-image').isChecked(), true);
  await page.getByTestId('doc-file-input').setInputFiles({ name: 'panoramik.jpg', mimeType: 'image/jpeg', buffer: JPEG });
  await page.getByTestId('doc-title-input').fill('Panoramik röntgen');
  const createdImage = page.waitForResponse(answer('POST', UPLOAD));
  await page.getByTestId('doc-title-input').press('Enter');
  const imageAnswer = await createdImage;
  assert.equal(imageAnswer.status(), 201);
  const image = await imageAnswer.json();
  assert.deepEqual([image.kind, image.title, image.shared, image.thumbnail], ['image', 'Panoramik röntgen', false, true]);
  assert.equal(uploads, 2);
  const imageRow = page.locator(`[data-testid="doc-row"][data-id="${image.id}"]`);
  await imageLoaded(imageRow.getByTestId('doc-thumb'));
  assert.equal(await page.getByTestId('doc-kind-document').isChecked(), true, 'the form starts again as a document');
  await noAxe(page, 'Documents tab with a PDF and an image');

  // Share both: the PDF with a click, the image from the keyboard.
  const patchOf = (id) => page.waitForResponse(answer('PATCH', new RegExp(`^/api/v1/clinic/documents/${id}$`)));
  let patched = patchOf(doc.id);
  await row.getByTestId('doc-share').click();
  assert.equal((await patched).status(), 200);
  await page.locator(`[data-testid="doc-row"][data-id="${doc.id}"][data-shared="true"]`).waitFor();
  assert.equal(await page.getByTestId('docs-notice').innerText(), fill(tr['console.docs.sharedNow'], { title: 'Kontrol raporu' }));
  patched = patchOf(image.id);
  await imageRow.getByTestId('doc-share').focus();
  await page.keyboard.press('Enter');
  assert.equal((await patched).status(), 200);
  await page.locator(`[data-testid="doc-row"][data-id="${image.id}"][data-shared="true"]`).waitFor();
  assert.equal(await row.getByTestId('doc-shared').innerText(), tr['console.docs.shared']);

  // Open: a new tab with the PDF, the staff view recorded. Download: the bytes as uploaded,
  // under the Turkish file name.
  const viewed = browser.context.waitForEvent('response', (r) => new URL(r.url()).pathname === `/api/v1/clinic/documents/${doc.id}/content`);
  const popup = browser.context.waitForEvent('page');
  await row.getByTestId('doc-open').click();
  const view = await viewed;
  assert.equal(view.status(), 200);
  assert.match(view.headers()['content-type'] ?? '', /^application\/pdf/);
  assert.match(view.headers()['content-disposition'] ?? '', /^inline/);
  await (await popup).close();
  const downloading = page.waitForEvent('download');
  await row.getByTestId('doc-download').click();
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'Kontrol raporu ağız.pdf');
  assert.deepEqual(await readFile(await download.path()), pdf, 'the PDF is served byte for byte');

  // Who opened it: this member of staff, one view and one download.
  await row.getByTestId('doc-access-toggle').click();
  assert.equal(await row.getByTestId('doc-access-toggle').getAttribute('aria-expanded'), 'true');
  const access = row.locator('[data-testid="doc-access"][data-state="ready"]');
  await access.waitFor();
  const staffLine = access.getByTestId('doc-access-staff');
  assert.deepEqual([await staffLine.getAttribute('data-views'), await staffLine.getAttribute('data-downloads')], ['1', '1']);
  assert.equal(await access.getByTestId('doc-access-patient').innerText(), tr['console.docs.access.patientNone']);
  const lines = access.getByTestId('doc-access-row');
  assert.equal(await lines.count(), 2);
  assert.deepEqual((await lines.evaluateAll((rows) => rows.map((r) => r.dataset.action))).sort(), ['download', 'view']);
  for (const text of await lines.allInnerTexts()) {
    assert.ok(text.includes(fill(tr['console.docs.access.byStaff'], { name: ctx.staff.staff.name })), text);
  }
  await noAxe(page, 'who opened it');

  // Rename from the keyboard: the field takes the focus, Enter saves.
  await row.getByTestId('doc-rename').click();
  assert.equal(await focusedTestId(page), 'doc-rename-input');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Kontrol raporu (Aralık)');
  patched = patchOf(doc.id);
  await page.keyboard.press('Enter');
  const renamed = await patched;
  assert.equal(renamed.status(), 200);
  assert.equal((await renamed.json()).title, 'Kontrol raporu (Aralık)');
  await page.locator(`[data-testid="doc-row"][data-id="${doc.id}"] [data-testid="doc-title"]`).filter({ hasText: 'Kontrol raporu (Aralık)' }).waitFor();

  // Stop sharing the image.
  patched = patchOf(image.id);
  await imageRow.getByTestId('doc-unshare').click();
  assert.equal((await patched).status(), 200);
  await page.locator(`[data-testid="doc-row"][data-id="${image.id}"][data-shared="false"]`).waitFor();
  assert.equal(await imageRow.getByTestId('doc-share').count(), 1, 'it can be shared again');

  // Delete: a question first; "No" keeps it, "Yes" (the focused button) deletes it.
  await row.getByTestId('doc-delete').click();
  const question = row.getByTestId('doc-delete-confirm');
  assert.ok((await question.innerText()).includes(fill(tr['console.docs.delete.questionShared'], { title: 'Kontrol raporu (Aralık)' })));
  await noAxe(page, 'delete question');
  await question.getByTestId('doc-delete-no').click();
  assert.equal(await row.getByTestId('doc-delete-confirm').count(), 0);
  await row.getByTestId('doc-delete').click();
  assert.equal(await focusedTestId(page), 'doc-delete-yes');
  const deleted = page.waitForResponse(answer('DELETE', new RegExp(`^/api/v1/clinic/documents/${doc.id}$`)));
  await page.keyboard.press('Enter');
  assert.equal((await deleted).status(), 204);
  await row.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('docs-notice').innerText(), fill(tr['console.docs.deleted'], { title: 'Kontrol raporu (Aralık)' }));
  assert.equal(await page.getByTestId('doc-row').count(), 1);
  const gone = await ctx.staff.request('GET', `/api/v1/clinic/documents/${doc.id}`);
  assert.equal(gone.status, 404);

  // The filter shows images only, or documents only (none left).
  await page.getByTestId('docs-kind-filter').selectOption('document');
  await page.getByTestId('docs-list-empty').waitFor();
  assert.equal(await page.getByTestId('docs-list-empty').innerText(), tr['console.docs.noneOfKind']);
  await page.getByTestId('docs-kind-filter').selectOption('image');
  await page.locator(`[data-testid="doc-row"][data-id="${image.id}"]`).waitFor();
  watch.assertNone();
});

test('the reviewer\'s queue: oldest first, a rejection needs a reason, a photo accepted as an image, then nothing waits', async () => {
  const ctx = await documentsClinic();
  const patient = await signInPatient(ctx.clinic.code, ctx.phone);
  const older = await patientUpload(patient, { title: 'Kan tahlili', fileName: 'kan-tahlili.pdf', bytes: makePdf('Kan tahlili'), type: 'application/pdf' });
  const newer = await patientUpload(patient, { title: 'Ağız içi fotoğraf', fileName: 'agiz.jpg', bytes: JPEG, type: 'image/jpeg' });
  assert.equal(older.review?.status, 'pending');
  // A clinic upload never enters the queue.
  await clinicUpload(ctx.staff, ctx.patient.id, { title: 'Reçete', fileName: 'recete.pdf', bytes: makePdf('Recete'), type: 'application/pdf' });

  // The reviewer is a member of staff: the queue is in their menu.
  const { page, watch } = await openConsole(ctx.clinic.logins.staff);
  await page.getByTestId('nav-reviews').click();
  await page.locator('[data-testid="reviews-list"][data-state="ready"]').waitFor();
  assert.equal(await page.getByTestId('nav-reviews').getAttribute('aria-current'), 'page');
  const rows = page.getByTestId('review-row');
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.id)), [older.id, newer.id], 'oldest first');
  const first = page.locator(`[data-testid="review-row"][data-id="${older.id}"]`);
  assert.equal(await first.getByTestId('review-patient').innerText(), `${ctx.patient.first_name} ${ctx.patient.last_name}`);
  assert.equal(await first.getByTestId('review-patient').getAttribute('href'), `#/patients/${ctx.patient.id}/documents`);
  assert.equal(await first.getByTestId('doc-review').innerText(), tr['documents.review.pending']);
  assert.equal(await first.getByTestId('doc-open').count(), 1);
  await noAxe(page, 'review queue');

  // Reject without a reason: said at the field, nothing sent.
  let reviews = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && /\/review$/.test(r.url())) reviews += 1; });
  await first.getByTestId('review-reject').click();
  assert.equal(await focusedTestId(page), 'review-reason');
  await first.getByTestId('review-confirm').click();
  assert.equal(await first.getByTestId('review-reason-error').innerText(), tr['console.reviews.error.reasonRequired']);
  assert.equal(reviews, 0);
  await noAxe(page, 'rejection without a reason');
  const reason = 'Sayfa okunmuyor, lütfen yeniden tarayın.';
  await first.getByTestId('review-reason').fill(reason);
  const rejected = page.waitForResponse(answer('POST', new RegExp(`^/api/v1/clinic/documents/${older.id}/review$`)));
  await first.getByTestId('review-confirm').click();
  const rejectedAnswer = await rejected;
  assert.equal(rejectedAnswer.status(), 200);
  const rejectedDoc = await rejectedAnswer.json();
  assert.deepEqual([rejectedDoc.review.status, rejectedDoc.review.reason, rejectedDoc.shared], ['rejected', reason, false]);
  await first.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('reviews-notice').innerText(),
    fill(tr['console.reviews.rejected'], { title: 'Kan tahlili', name: `${ctx.patient.first_name} ${ctx.patient.last_name}` }));

  // Accept the photo as an image, all from the keyboard.
  const second = page.locator(`[data-testid="review-row"][data-id="${newer.id}"]`);
  await second.getByTestId('review-accept').focus();
  await page.keyboard.press('Enter');
  await second.getByTestId('review-kind-image').focus();
  await page.keyboard.press('Space');
  assert.equal(await second.getByTestId('review-kind-image').isChecked(), true);
  await second.getByTestId('review-confirm').focus();
  const accepted = page.waitForResponse(answer('POST', new RegExp(`^/api/v1/clinic/documents/${newer.id}/review$`)));
  await page.keyboard.press('Enter');
  const acceptedAnswer = await accepted;
  assert.equal(acceptedAnswer.status(), 200);
  const acceptedDoc = await acceptedAnswer.json();
  assert.deepEqual([acceptedDoc.review.status, acceptedDoc.kind, acceptedDoc.shared], ['accepted', 'image', true]);
  await page.getByTestId('reviews-empty').waitFor();
  assert.equal(await page.getByTestId('reviews-empty').innerText(), tr['console.reviews.empty.pending']);
  await noAxe(page, 'empty queue');

  // The rejected ones, with the reason.
  await page.getByTestId('reviews-status').selectOption('rejected');
  const done = page.locator(`[data-testid="review-row"][data-id="${older.id}"]`);
  await done.waitFor();
  assert.equal(await done.getByTestId('doc-review-reason').innerText(), fill(tr['console.docs.reviewReason'], { reason }));
  assert.equal(await done.getByTestId('review-accept').count(), 0, 'decided: no buttons');

  // On the patient's tab: the rejected upload cannot be shared; the accepted image is shared.
  await page.goto(`/console/#/patients/${ctx.patient.id}/documents`);
  const rejectedRow = page.locator(`[data-testid="doc-row"][data-id="${older.id}"][data-review="rejected"]`);
  await rejectedRow.waitFor();
  assert.equal(await rejectedRow.getByTestId('doc-share').count(), 0);
  assert.equal(await rejectedRow.getByTestId('doc-source').getAttribute('data-source'), 'patient');
  await page.locator(`[data-testid="doc-row"][data-id="${newer.id}"][data-review="accepted"][data-kind="image"][data-shared="true"]`).waitFor();
  await noAxe(page, 'Documents tab with reviewed uploads');
  watch.assertNone();
});

test('someone who does not review has no queue in the menu and is told who reviews; owners and admins have it', async () => {
  const ctx = await documentsClinic({ reviewer: false });
  const REVIEWS = /\/api\/v1\/clinic\/document-reviews/;
  const { page, watch } = await openConsole(ctx.clinic.logins.staff, { allow: [{ url: REVIEWS, status: 403 }] });
  await page.getByTestId('nav-patients').waitFor();
  assert.equal(await page.getByTestId('nav-reviews').count(), 0);
  const refused = page.waitForResponse((r) => REVIEWS.test(r.url()));
  await page.goto(`${baseUrl()}/console/#/reviews`);
  const res = await refused;
  assert.equal(res.status(), 403);
  assert.equal((await res.json()).code, 'forbidden_role');
  await page.getByTestId('reviews-forbidden').waitFor();
  assert.equal(await page.getByTestId('reviews-forbidden').innerText(), tr['console.reviews.forbidden']);
  await noAxe(page, 'queue refused');
  watch.assertNone();

  const admin = await openConsole(ctx.clinic.logins.admin);
  await admin.page.getByTestId('nav-reviews').click();
  await admin.page.getByTestId('reviews-empty').waitFor();
  admin.watch.assertNone();
});

test('"Why can\'t this patient…" for viewing one document says whether it is shared and leads to the Documents tab', async () => {
  const ctx = await documentsClinic();
  const doc = await clinicUpload(ctx.staff, ctx.patient.id,
    { title: 'Reçete', fileName: 'recete.pdf', bytes: makePdf('Recete'), type: 'application/pdf' });
  const { page, watch } = await openConsole(ctx.clinic.logins.staff);
  await page.goto(`/console/#/patients/${ctx.patient.id}`);
  await page.getByTestId('diag-action').selectOption('view_documents');
  await page.locator(`[data-testid="diag-document"] option[value="${doc.id}"]`).waitFor({ state: 'attached' });
  const asked = page.waitForRequest((r) => /\/portal-access\?/.test(r.url()) && new URL(r.url()).searchParams.get('document_id') === doc.id);
  await page.getByTestId('diag-document').selectOption(doc.id);
  assert.equal(new URL((await asked).url()).searchParams.get('action'), 'view_documents');
  const unshared = page.locator('[data-testid="diag-check-document_shared"][data-ok="false"]');
  await unshared.waitFor();
  assert.equal(await unshared.getByTestId('diag-text').innerText(), tr['console.diag.document.fail']);
  assert.equal(await page.getByTestId('diag-summary').getAttribute('data-allowed'), 'false');
  assert.equal(await unshared.getByTestId('diag-goto-documents').getAttribute('href'), `#/patients/${ctx.patient.id}/documents`);
  await noAxe(page, 'diagnostics with a document');

  // Shared from the Documents tab, the same question passes.
  await unshared.getByTestId('diag-goto-documents').click();
  const row = page.locator(`[data-testid="doc-row"][data-id="${doc.id}"]`);
  await row.getByTestId('doc-share').click();
  await page.locator(`[data-testid="doc-row"][data-id="${doc.id}"][data-shared="true"]`).waitFor();
  await page.getByTestId('diag-document').selectOption('');
  await page.getByTestId('diag-document').selectOption(doc.id);
  await page.locator('[data-testid="diag-check-document_shared"][data-ok="true"]').waitFor();
  watch.assertNone();
});
