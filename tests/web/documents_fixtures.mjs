// Files the documents browser tests upload, made here so that each test knows its bytes:
// a one-page PDF with a line of text (its cross-reference table at the right offsets, so a
// real PDF library opens it), the same PDF with JavaScript run on opening (refused as
// unsafe), an HTML page (refused whatever its name says), and a small JPEG from
// tests/api/fixtures. Also the setup the two browser tests share.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { enablePortal, makeClinic, makePatient, signIn, uniquePhone } from '../api/lib/fixtures.mjs';

export const JPEG = readFileSync(fileURLToPath(new URL('../api/fixtures/tiny.jpg', import.meta.url)));
export const HTML = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>\n');
export const ALL_DOCUMENT_PERMISSIONS = ['view_documents', 'download_documents', 'upload_documents', 'view_images'];

/**
 * A one-page PDF 1.4 showing `text` (ASCII) in Helvetica; with `javascript`, a catalog
 * /OpenAction that runs it. Every object's offset in the xref table is its byte offset.
 */
export function makePdf(text = 'Kontrol raporu', { javascript = null } = {}) {
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '\\$&')}) Tj ET\n`;
  const objects = [
    `<< /Type /Catalog /Pages 2 0 R${javascript ? ' /OpenAction 6 0 R' : ''} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`,
  ];
  if (javascript) objects.push(`<< /Type /Action /S /JavaScript /JS (${javascript}) >>`);
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * A clinic with its portal open for `permissions`, the clinic's staff member named upload
 * reviewer (unless reviewer: false), and a patient with a phone. Resolves to {clinic, owner,
 * staff (the staff member's API session), patient, phone}.
 */
export async function documentsClinic({ permissions = ALL_DOCUMENT_PERMISSIONS, reviewer = true, first = 'Elif' } = {}) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const staff = await signIn(clinic.logins.staff);
  await enablePortal(owner, clinic, { permissions, ...(reviewer ? { upload_reviewer_id: staff.staff.id } : {}) });
  const phone = uniquePhone();
  const patient = await makePatient(owner, { first_name: first, last_name: `Belge ${clinic.code.slice(-5)}`, phone });
  return { clinic, owner, staff, patient, phone };
}

/** Staff (a session) add a file to the patient through the API; 201 asserted; the record. */
export async function clinicUpload(session, patientId, { title, kind = 'document', fileName, bytes, type, shared = false }) {
  const query = new URLSearchParams({ title, kind, file_name: fileName });
  const res = await session.request('POST', `/api/v1/clinic/patients/${patientId}/documents?${query}`,
    { raw: bytes, headers: { 'content-type': type } });
  assert.equal(res.status, 201, `upload ${fileName}: ${res.text}`);
  if (!shared) return res.body;
  const patched = await session.request('PATCH', `/api/v1/clinic/documents/${res.body.id}`, { body: { shared: true } });
  assert.equal(patched.status, 200, `share ${fileName}: ${patched.text}`);
  return patched.body;
}

/** The patient (a portal session) sends a file through the API; 201 asserted; the record. */
export async function patientUpload(session, { title, fileName, bytes, type }) {
  const query = new URLSearchParams({ title, file_name: fileName });
  const res = await session.request('POST', `documents?${query}`, { raw: bytes, headers: { 'content-type': type } });
  assert.equal(res.status, 201, `patient upload ${fileName}: ${res.text}`);
  return res.body;
}
