// Browser tests of the patient's documents (issue 13 items 4, 6 and 8), at phone width
// (390 px): staff share a PDF and an image; the patient finds the PDF under Documents (not
// the image, not an unshared file), views it in a new tab, downloads it (the bytes as
// uploaded), sees both their own and the clinic's opening in "who opened it", and opens the
// image from the gallery (a thumbnail with the title as its text). The patient sends a file
// from the keyboard and sees it waiting; the reviewer rejects it in the console with a reason
// the patient then reads; a second file is accepted and the patient views it. Refusals are
// said in plain words (an HTML page named .pdf, a PDF with JavaScript, a file too large), and
// a patient with fewer permissions is offered only what they hold, by link or by address.
// axe-core finds no serious or critical violation on these screens.
// Run: PORTAL_TEST_URL=http://127.0.0.1:8080 PORTAL_STACK=$(readlink -f var) PORTAL_ROOT=$PWD \
//        node --test tests/web/portal_documents.test.mjs
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import { axeViolations, baseUrl, launch, openConsole, portalSignedIn } from './browser.mjs';
import { clinicUpload, documentsClinic, HTML, JPEG, makePdf } from './documents_fixtures.mjs';
import { formatSize } from '../../web/src/documentRules.js';
import { catalogs } from '../../web/src/i18n/index.js';

const { tr, en } = catalogs;
const PHONE_VIEWPORT = { width: 390, height: 844 };
const UPLOAD = /^\/api\/v1\/portal\/[a-z0-9-]+\/documents$/;
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
const answer = (method, re) => (r) => r.request().method() === method && re.test(new URL(r.url()).pathname);
const focusedTestId = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? null);

const browsers = [];
afterEach(async () => {
  while (browsers.length) await browsers.pop().close();
});

async function noAxe(page, where) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${where}`);
}

async function assertNoHorizontalScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${where}: the page scrolls sideways (${scroll} > ${client})`);
}

/** Signs the patient in through the UI at 390 px; {browser, page, watch} on the home page. */
async function patientSignedIn(ctx, { locale = 'tr-TR', allow = [] } = {}) {
  const b = await launch({ locale, viewport: PHONE_VIEWPORT });
  browsers.push(b);
  const { page, watch } = await portalSignedIn(b, ctx.clinic.code, ctx.phone, { allow });
  return { browser: b, page, watch };
}

/** Clicks a "view" link (target=_blank); resolves to the answer the new tab got, the tab closed. */
async function viewInNewTab(browser, link, path) {
  const answered = browser.context.waitForEvent('response', (r) => new URL(r.url()).pathname === path);
  const opened = browser.context.waitForEvent('page');
  await link.click();
  const res = await answered;
  await (await opened).close();
  return res;
}

async function documentsReady(page) {
  await page.locator('[data-testid="portal-documents"][data-state="ready"]').waitFor();
}

test('staff share a PDF and an image; at 390 px the patient views and downloads the PDF, sees who opened it, and opens the image from the gallery', async () => {
  const ctx = await documentsClinic();
  const pdf = makePdf('Kontrol raporu');
  const doc = await clinicUpload(ctx.staff, ctx.patient.id,
    { title: 'Kontrol raporu', fileName: 'Kontrol raporu ağız.pdf', bytes: pdf, type: 'application/pdf', shared: true });
  const image = await clinicUpload(ctx.staff, ctx.patient.id,
    { title: 'Panoramik röntgen', kind: 'image', fileName: 'panoramik.jpg', bytes: JPEG, type: 'image/jpeg', shared: true });
  const draft = await clinicUpload(ctx.staff, ctx.patient.id,
    { title: 'Taslak', fileName: 'taslak.pdf', bytes: makePdf('Taslak'), type: 'application/pdf' });
  // Staff opened the PDF once before the patient (a staff view in its record).
  const staffView = await fetch(`${baseUrl()}/api/v1/clinic/documents/${doc.id}/content`, { headers: { cookie: ctx.staff.cookie } });
  assert.equal(staffView.status, 200);
  await staffView.arrayBuffer();

  const { browser, page, watch } = await patientSignedIn(ctx);
  const tile = page.getByTestId('home-link-documents');
  assert.equal(await tile.getAttribute('href'), '#/documents');
  await tile.click();
  await documentsReady(page);
  const items = page.getByTestId('portal-document');
  assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.dataset.id)), [doc.id],
    'the shared PDF only: not the image, not the unshared file');
  assert.equal(await page.locator(`[data-testid="portal-document"][data-id="${draft.id}"]`).count(), 0);
  const item = items.first();
  assert.equal(await item.getByTestId('portal-doc-title').innerText(), 'Kontrol raporu');
  assert.equal(await item.getByTestId('portal-doc-file').innerText(), 'Kontrol raporu ağız.pdf');
  assert.equal(await item.getByTestId('portal-doc-size').innerText(), formatSize(pdf.length, 'tr'));
  assert.equal(await item.getByTestId('portal-doc-review').count(), 0, 'a clinic file has no review');
  assert.equal(await page.getByTestId('docs-to-images').count(), 1);
  assert.equal(await page.getByTestId('docs-to-upload').count(), 1);
  await assertNoHorizontalScroll(page, 'documents');
  await noAxe(page, 'documents');

  // View: a new tab with the PDF, inline. Download: the bytes as uploaded, the name kept.
  const viewed = await viewInNewTab(browser, item.getByTestId('portal-doc-view'), `/api/v1/portal/${ctx.clinic.code}/documents/${doc.id}/view`);
  assert.equal(viewed.status(), 200);
  assert.match(viewed.headers()['content-type'] ?? '', /^application\/pdf/);
  assert.match(viewed.headers()['content-disposition'] ?? '', /^inline/);
  const downloading = page.waitForEvent('download');
  await item.getByTestId('portal-doc-download').click();
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'Kontrol raporu ağız.pdf');
  assert.deepEqual(await readFile(await download.path()), pdf);

  // Who opened it: the patient once each way, the clinic one view.
  await item.getByTestId('portal-doc-access-toggle').click();
  const access = item.locator('[data-testid="portal-doc-access"][data-state="ready"]');
  await access.waitFor();
  const mine = access.getByTestId('portal-doc-access-patient');
  const clinics = access.getByTestId('portal-doc-access-staff');
  assert.deepEqual([await mine.getAttribute('data-views'), await mine.getAttribute('data-downloads')], ['1', '1']);
  assert.deepEqual([await clinics.getAttribute('data-views'), await clinics.getAttribute('data-downloads')], ['1', '0']);
  assert.equal(await access.getByTestId('portal-doc-access-row').count(), 3);
  const text = await access.innerText();
  assert.ok(!text.includes(ctx.staff.staff.name), 'the patient is told "your clinic", not a staff name');
  await assertNoHorizontalScroll(page, 'who opened it');
  await noAxe(page, 'who opened it');

  // The gallery: the image's thumbnail, its title as the text; it opens in a new tab.
  await page.getByTestId('docs-to-images').click();
  await page.locator('[data-testid="portal-images"][data-state="ready"]').waitFor();
  const pictures = page.getByTestId('portal-image');
  assert.deepEqual(await pictures.evaluateAll((els) => els.map((e) => e.dataset.id)), [image.id]);
  const thumb = pictures.first().getByTestId('portal-image-thumb');
  assert.equal(await thumb.getAttribute('alt'), 'Panoramik röntgen');
  await thumb.evaluate((el) => (el.complete ? null : new Promise((resolve) => { el.onload = resolve; el.onerror = resolve; })));
  assert.ok(await thumb.evaluate((el) => el.naturalWidth > 0 && el.naturalWidth <= 320), 'a thumbnail, at most 320 px wide');
  await assertNoHorizontalScroll(page, 'images');
  await noAxe(page, 'images');
  const opened = await viewInNewTab(browser, pictures.first().getByTestId('portal-image-view'),
    `/api/v1/portal/${ctx.clinic.code}/images/${image.id}/view`);
  assert.equal(opened.status(), 200);
  assert.match(opened.headers()['content-type'] ?? '', /^image\//);
  watch.assertNone();
});

test('the patient sends a file from the keyboard; the reviewer rejects it with a reason the patient reads; a second file is accepted and the patient views it', async () => {
  const ctx = await documentsClinic();
  const { browser, page, watch } = await patientSignedIn(ctx);
  await page.getByTestId('home-link-documents').click();
  await documentsReady(page);
  assert.equal(await page.getByTestId('documents-empty').innerText(), tr['portal.docs.none']);
  await page.getByTestId('docs-to-upload').click();
  await page.getByTestId('portal-upload').waitFor();
  await assertNoHorizontalScroll(page, 'upload');
  await noAxe(page, 'upload');

  // Nothing chosen: both fields say what they need; nothing is sent.
  let sent = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && UPLOAD.test(new URL(r.url()).pathname)) sent += 1; });
  await page.getByTestId('upload-submit').click();
  assert.equal(await page.getByTestId('upload-error-file').innerText(), tr['portal.upload.error.fileRequired']);
  assert.equal(await page.getByTestId('upload-error-title').innerText(), tr['portal.upload.error.titleRequired']);
  assert.equal(await focusedTestId(page), 'upload-file');
  assert.equal(sent, 0);
  await noAxe(page, 'upload with errors');

  // The first file: chosen, the title typed, Enter sends it.
  const first = makePdf('Tahlil sonucu');
  await page.getByTestId('upload-file').setInputFiles({ name: 'kan_tahlili.pdf', mimeType: 'application/pdf', buffer: first });
  assert.equal(await page.getByTestId('upload-title').inputValue(), 'kan tahlili');
  await page.getByTestId('upload-title').fill('Kan tahlili');
  const uploaded = page.waitForResponse(answer('POST', UPLOAD));
  await page.getByTestId('upload-title').press('Enter');
  const firstAnswer = await uploaded;
  assert.equal(firstAnswer.status(), 201);
  const firstDoc = await firstAnswer.json();
  assert.deepEqual([firstDoc.title, firstDoc.file_name, firstDoc.source, firstDoc.review?.status], ['Kan tahlili', 'kan_tahlili.pdf', 'patient', 'pending']);
  assert.equal(firstDoc.uploaded_by, undefined, 'the patient side never names staff');
  await page.getByTestId('upload-done').waitFor();
  assert.equal(await page.getByTestId('upload-done').locator('.notice').innerText(), fill(tr['portal.upload.sent'], { title: 'Kan tahlili' }));
  assert.equal(await page.getByTestId('upload-title').inputValue(), '', 'the form is ready for another');
  await noAxe(page, 'upload sent');
  await page.getByTestId('upload-done-documents').click();
  await documentsReady(page);
  const waiting = page.locator(`[data-testid="portal-document"][data-id="${firstDoc.id}"][data-review="pending"]`);
  await waiting.waitFor();
  assert.equal(await waiting.getByTestId('portal-doc-review').innerText(), tr['portal.docs.review.pending']);
  assert.equal(await waiting.getByTestId('portal-doc-view').count(), 1, 'one\'s own upload can be viewed while it waits');

  // The reviewer rejects it with a reason.
  const reason = 'Sayfa okunmuyor, lütfen yeniden tarayın.';
  const reviewer = await openConsole(ctx.clinic.logins.staff);
  browsers.push(reviewer.browser);
  await reviewer.page.getByTestId('nav-reviews').click();
  const row = reviewer.page.locator(`[data-testid="review-row"][data-id="${firstDoc.id}"]`);
  await row.getByTestId('review-reject').click();
  await row.getByTestId('review-reason').fill(reason);
  const rejected = reviewer.page.waitForResponse(answer('POST', /\/review$/));
  await row.getByTestId('review-confirm').click();
  assert.equal((await rejected).status(), 200);
  await reviewer.page.getByTestId('reviews-empty').waitFor();

  // The patient reads the reason.
  await page.reload();
  await documentsReady(page);
  const refused = page.locator(`[data-testid="portal-document"][data-id="${firstDoc.id}"][data-review="rejected"]`);
  await refused.waitFor();
  assert.equal(await refused.getByTestId('portal-doc-review').innerText(), tr['portal.docs.review.rejected']);
  assert.equal(await refused.getByTestId('portal-doc-reason').innerText(), fill(tr['portal.docs.rejectedWhy'], { reason }));
  await assertNoHorizontalScroll(page, 'documents with a rejection');
  await noAxe(page, 'documents with a rejection');

  // A second file, accepted; the patient views it.
  await page.getByTestId('docs-to-upload').click();
  await page.getByTestId('portal-upload').waitFor();
  const second = makePdf('Tahlil sonucu yeni');
  await page.getByTestId('upload-file').setInputFiles({ name: 'kan-tahlili-yeni.pdf', mimeType: 'application/pdf', buffer: second });
  await page.getByTestId('upload-title').fill('Kan tahlili (yeniden)');
  const again = page.waitForResponse(answer('POST', UPLOAD));
  await page.getByTestId('upload-submit').click();
  const secondAnswer = await again;
  assert.equal(secondAnswer.status(), 201);
  const secondDoc = await secondAnswer.json();
  await reviewer.page.reload();
  const next = reviewer.page.locator(`[data-testid="review-row"][data-id="${secondDoc.id}"]`);
  await next.getByTestId('review-accept').click();
  assert.equal(await next.getByTestId('review-kind-image').count(), 0, 'a PDF is filed as a document only');
  const accepted = reviewer.page.waitForResponse(answer('POST', /\/review$/));
  await next.getByTestId('review-confirm').click();
  assert.equal((await accepted).status(), 200);
  reviewer.watch.assertNone();

  await page.goto(`/${ctx.clinic.code}#/documents`);
  await documentsReady(page);
  const ok = page.locator(`[data-testid="portal-document"][data-id="${secondDoc.id}"][data-review="accepted"]`);
  await ok.waitFor();
  assert.equal(await ok.getByTestId('portal-doc-review').innerText(), tr['portal.docs.review.accepted']);
  const viewed = await viewInNewTab(browser, ok.getByTestId('portal-doc-view'), `/api/v1/portal/${ctx.clinic.code}/documents/${secondDoc.id}/view`);
  assert.equal(viewed.status(), 200);
  assert.match(viewed.headers()['content-type'] ?? '', /^application\/pdf/);
  await noAxe(page, 'documents with an accepted upload');
  watch.assertNone();
});

test('refusals in plain words: an HTML page named .pdf, a PDF that runs JavaScript, a file too large; nothing is kept', async () => {
  const ctx = await documentsClinic();
  const { page, watch } = await patientSignedIn(ctx, {
    allow: [{ url: /\/documents\?/, status: 415 }, { url: /\/documents\?/, status: 422 }],
  });
  await page.goto(`/${ctx.clinic.code}#/documents/upload`);
  await page.getByTestId('portal-upload').waitFor();

  async function refusal(file, title, status) {
    await page.getByTestId('upload-file').setInputFiles(file, { timeout: 120_000 }); // 20 MB takes a while to hand over
    await page.getByTestId('upload-title').fill(title);
    const answered = status ? page.waitForResponse(answer('POST', UPLOAD)) : null;
    await page.getByTestId('upload-submit').click();
    if (answered) assert.equal((await answered).status(), status);
    const said = page.getByTestId('upload-error-file');
    await said.waitFor();
    assert.equal(await focusedTestId(page), 'upload-file', 'the file field has the focus');
    return said.innerText();
  }

  assert.equal(await refusal({ name: 'rapor.pdf', mimeType: 'application/pdf', buffer: HTML }, 'Rapor', 415), tr['documents.error.type']);
  await noAxe(page, 'type refused');
  const script = makePdf('Rapor', { javascript: 'app.alert(1)' });
  assert.equal(await refusal({ name: 'rapor.pdf', mimeType: 'application/pdf', buffer: script }, 'Rapor', 422), tr['documents.error.unsafe']);
  // Over 20 MB: said before anything is sent.
  let sent = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && UPLOAD.test(new URL(r.url()).pathname)) sent += 1; });
  const big = Buffer.alloc(20 * 1024 * 1024 + 1, 0x20);
  assert.equal(await refusal({ name: 'büyük.pdf', mimeType: 'application/pdf', buffer: big }, 'Büyük', null), tr['documents.error.tooLarge']);
  assert.equal(sent, 0);
  await assertNoHorizontalScroll(page, 'upload refused');
  await noAxe(page, 'too large');

  await page.goto(`/${ctx.clinic.code}#/documents`);
  await page.getByTestId('documents-empty').waitFor();
  watch.assertNone();
});

test('a patient who may only view documents gets no Download, no sending and no gallery, by link or by address; in English', async () => {
  const ctx = await documentsClinic({ permissions: ['view_documents'], reviewer: false });
  const doc = await clinicUpload(ctx.staff, ctx.patient.id,
    { title: 'Consent form', fileName: 'consent.pdf', bytes: makePdf('Consent'), type: 'application/pdf', shared: true });
  const { page, watch } = await patientSignedIn(ctx, { locale: 'en-GB' });
  await page.getByTestId('home-link-documents').click();
  await documentsReady(page);
  assert.equal(await page.locator('#documents-heading').innerText(), en['portal.docs.heading']);
  const item = page.locator(`[data-testid="portal-document"][data-id="${doc.id}"]`);
  assert.equal(await item.getByTestId('portal-doc-view').count(), 1);
  assert.equal(await item.getByTestId('portal-doc-download').count(), 0);
  assert.equal(await page.getByTestId('docs-to-upload').count(), 0);
  assert.equal(await page.getByTestId('docs-to-images').count(), 0);
  await noAxe(page, 'documents, view only (en)');
  await assertNoHorizontalScroll(page, 'documents (en)');

  for (const route of ['documents/upload', 'images']) {
    await page.goto(`/${ctx.clinic.code}#/${route}`);
    await page.getByTestId('portal-unavailable').waitFor();
    assert.equal(await page.getByTestId('portal-upload').count() + await page.getByTestId('portal-images').count(), 0, route);
  }
  watch.assertNone();
});
