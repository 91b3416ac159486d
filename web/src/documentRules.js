// Documents and images as the console and the patient app show them, free of the DOM and of
// i18n (tests/web/documents_rules.test.mjs runs them under node): sizes in the UI language,
// the review state of a record and its message keys, what a record lets one do on each side,
// the addresses of a record's content, the query strings of lists and uploads, a file's
// problems before it is sent, what a refused upload means in plain words (its message key),
// and a record's access list summed up per side ("opened by you / by the clinic").
// The record is DESIGN.md section 13's: {id, kind, title, file_name, content_type, size,
// shared, source, review: null | {status, reason, reviewed_by, reviewed_at}, created_at,
// thumbnail}.

export const KINDS = Object.freeze(['document', 'image']);
export const SOURCES = Object.freeze(['clinic', 'patient']);
export const REVIEW_STATUSES = Object.freeze(['pending', 'accepted', 'rejected']);
export const TITLE_MAX = 200;
export const FILE_NAME_MAX = 255;
export const REASON_MAX = 500;
export const PAGE_SIZE = 50;
/** The API's default max_upload_bytes (DESIGN section 10): bigger files are refused before sending. */
export const UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

/** What each kind may be, by type (the server decides from the bytes; this only guides the picker). */
export const DOCUMENT_TYPES = Object.freeze(['application/pdf', 'image/jpeg', 'image/png', 'image/webp']);
export const IMAGE_TYPES = Object.freeze(['image/jpeg', 'image/png', 'image/webp']);
/** The file input's accept attribute for a kind (types and the usual extensions). */
export function acceptFor(kind) {
  return kind === 'image'
    ? [...IMAGE_TYPES, '.jpg', '.jpeg', '.png', '.webp'].join(',')
    : [...DOCUMENT_TYPES, '.pdf', '.jpg', '.jpeg', '.png', '.webp'].join(',');
}

/** Message keys, the same in both apps. */
export const KIND_KEYS = Object.freeze({ document: 'documents.kind.document', image: 'documents.kind.image' });
export const SOURCE_KEYS = Object.freeze({ clinic: 'documents.source.clinic', patient: 'documents.source.patient' });
export const REVIEW_KEYS = Object.freeze({
  none: 'documents.review.none',
  pending: 'documents.review.pending',
  accepted: 'documents.review.accepted',
  rejected: 'documents.review.rejected',
});
export const ACTION_KEYS = Object.freeze({ view: 'documents.action.view', download: 'documents.action.download' });

const locale = (lang) => (lang === 'tr' ? 'tr-TR' : 'en-GB');
const UNITS = Object.freeze({ tr: ['bayt', 'KB', 'MB', 'GB'], en: ['bytes', 'KB', 'MB', 'GB'] });

/**
 * A size in bytes as people read it, in the UI language: 512 -> "512 bytes" / "512 bayt",
 * 1536 -> "1.5 KB" / "1,5 KB", 1048576 -> "1 MB" (1024-based, one decimal at most, none
 * from 100 up). '' for anything that is not a whole number of bytes ≥ 0.
 */
export function formatSize(bytes, lang) {
  if (!Number.isSafeInteger(bytes) || bytes < 0) return '';
  const units = UNITS[lang === 'tr' ? 'tr' : 'en'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${new Intl.NumberFormat(locale(lang)).format(bytes)} ${units[0]}`;
  // Rounded first, so 1023.96 KB reads "1 MB" rather than "1024 KB".
  let digits = value < 100 ? 1 : 0;
  let rounded = Number(value.toFixed(digits));
  if (rounded >= 1024 && unit < units.length - 1) {
    rounded = 1;
    unit += 1;
    digits = 1;
  }
  const text = new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits }).format(rounded);
  return `${text} ${units[unit]}`;
}

/** The review state of a record: 'none' (a clinic upload), 'pending', 'accepted' or 'rejected'. */
export function reviewState(record) {
  const status = record?.review?.status;
  return REVIEW_STATUSES.includes(status) ? status : 'none';
}

/** The message key of a record's review state. */
export const reviewKey = (record) => REVIEW_KEYS[reviewState(record)];

/** Whether the record is an image by its type (what an acceptance may file it as). */
export const isImageType = (type) => IMAGE_TYPES.includes(String(type ?? '').split(';')[0].trim().toLowerCase());

/** The kinds a pending upload may be accepted as: a PDF only as a document, a photo as either. */
export const acceptKinds = (record) => (isImageType(record?.content_type) ? ['document', 'image'] : ['document']);

/**
 * What staff may do with a record in the console. role and mayReview come from the session
 * (mayReview: the settings' upload reviewer, an owner or an admin).
 * {open, download, rename, share, unshare, remove, review}: a patient's upload can be shared
 * only once accepted (the server answers 409 otherwise); a pending one is reviewed.
 */
export function consoleActions(record, { mayReview = false } = {}) {
  const state = reviewState(record);
  const reviewed = record?.source !== 'patient' || state === 'accepted';
  return {
    open: true,
    download: true,
    rename: true,
    share: !record?.shared && reviewed,
    unshare: Boolean(record?.shared),
    remove: true,
    review: state === 'pending' && mayReview,
  };
}

/**
 * What the patient may do with a record in the portal, by their permissions:
 * {view, download, access}. Images (in the gallery) are viewed with view_images; documents
 * (and one's own uploads) with view_documents, downloaded with download_documents; the
 * access record goes with view_documents.
 */
export function portalActions(record, permissions) {
  const have = new Set(permissions ?? []);
  if (record?.kind === 'image') {
    return { view: have.has('view_images'), download: false, access: false };
  }
  return { view: have.has('view_documents'), download: have.has('download_documents'), access: have.has('view_documents') };
}

const seg = (id) => encodeURIComponent(String(id ?? ''));

/** The console's addresses of a record's bytes: {open, download, thumbnail}. */
export function consoleContentUrls(id) {
  const base = `/api/v1/clinic/documents/${seg(id)}`;
  return { open: `${base}/content`, download: `${base}/content?download=1`, thumbnail: `${base}/thumbnail` };
}

/** The portal's addresses of a record's bytes under base (/api/v1/portal/<code>/): {view, download, thumbnail}. */
export function portalContentUrls(base, record) {
  if (record?.kind === 'image') {
    const at = `${base}images/${seg(record.id)}`;
    return { view: `${at}/view`, download: null, thumbnail: `${at}/thumbnail` };
  }
  const at = `${base}documents/${seg(record?.id)}`;
  return { view: `${at}/view`, download: `${at}/download`, thumbnail: null };
}

/** The query string of a list: {kind, source, status, cursor, limit}, empty ones left out. */
export function listQuery({ kind, source, status, cursor, limit = PAGE_SIZE } = {}) {
  const q = new URLSearchParams();
  if (KINDS.includes(kind)) q.set('kind', kind);
  if (SOURCES.includes(source)) q.set('source', source);
  if (REVIEW_STATUSES.includes(status)) q.set('status', status);
  if (cursor) q.set('cursor', cursor);
  if (limit) q.set('limit', String(limit));
  return q.toString();
}

const CONTROL = /[\u0000-\u001f\u007f]/g;
// Characters that reorder text (bidirectional overrides and isolates): the API refuses them
// in titles, names and reasons, and in a file name they can disguise its extension.
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/** One line of text as the API takes it: no control characters or bidi overrides, spaces collapsed, trimmed. */
export const oneLine = (text) => String(text ?? '').replace(CONTROL, ' ').replace(BIDI, '').replace(/\s+/g, ' ').trim();

/**
 * The name to send for a chosen file: without control characters, any folder part or
 * surrounding spaces, at most FILE_NAME_MAX characters with the extension kept when cut.
 */
export function uploadFileName(name) {
  let n = String(name ?? '').replace(CONTROL, '').replace(BIDI, '').split(/[\\/]/).pop().trim();
  const chars = [...n];
  if (chars.length <= FILE_NAME_MAX) return n;
  const dot = n.lastIndexOf('.');
  const ext = dot > 0 ? [...n.slice(dot)] : [];
  if (ext.length > 0 && ext.length <= 16) {
    n = chars.slice(0, FILE_NAME_MAX - ext.length).join('') + ext.join('');
  } else {
    n = chars.slice(0, FILE_NAME_MAX).join('');
  }
  return n;
}

/** A title to start with from a file's name: the name without its extension, "_" and "-" as spaces. */
export function titleFromFileName(name) {
  const base = uploadFileName(name);
  const dot = base.lastIndexOf('.');
  const stem = (dot > 0 ? base.slice(0, dot) : base).replace(/[_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return [...stem].slice(0, TITLE_MAX).join('');
}

/** The title as it will be sent: one line (oneLine()). */
export const cleanTitle = (title) => oneLine(title);

/**
 * Checks an upload before it is sent: {title, file} -> {problems: {title?, file?}} with kinds
 * 'required' | 'tooLong' (title) and 'required' | 'empty' | 'tooLarge' | 'type' (file); the
 * type check only refuses what the browser itself names as something else (the server reads
 * the bytes and has the last word).
 */
export function uploadProblems({ title, file, kind = 'document', maxBytes = UPLOAD_MAX_BYTES }) {
  const problems = {};
  const clean = cleanTitle(title);
  if (clean === '') problems.title = 'required';
  else if ([...clean].length > TITLE_MAX) problems.title = 'tooLong';
  if (!file) problems.file = 'required';
  else if (file.size === 0) problems.file = 'empty';
  else if (file.size > maxBytes) problems.file = 'tooLarge';
  else if (file.type && !(kind === 'image' ? IMAGE_TYPES : DOCUMENT_TYPES).includes(file.type)) problems.file = 'type';
  return { problems };
}

/** The upload's query string: title, file_name and (on the clinic side) kind. */
export function uploadQuery({ title, fileName, kind }) {
  const q = new URLSearchParams();
  q.set('title', cleanTitle(title));
  if (kind !== undefined) q.set('kind', KINDS.includes(kind) ? kind : 'document');
  const name = uploadFileName(fileName);
  if (name) q.set('file_name', name);
  return q.toString();
}

/** The Content-Type an upload declares: the browser's type, or "say nothing" when it has none. */
export const uploadType = (file) => (file?.type ? file.type : 'application/octet-stream');

/**
 * A refused upload as a message kind of the screens: 'tooLarge' (413), 'type' (415),
 * 'unsafe' (422 unsafe_content), 'quota' (422 quota_exceeded), 'invalid' (422
 * validation_failed: the field errors say more), 'network' (no answer), 'permission'
 * (403 permission_denied), else 'generic'.
 */
export function uploadFailure(error) {
  if (!error) return null;
  if (error.status === 0) return 'network';
  if (error.status === 413 || error.code === 'payload_too_large') return 'tooLarge';
  if (error.status === 415 || error.code === 'unsupported_media_type') return 'type';
  if (error.code === 'unsafe_content') return 'unsafe';
  if (error.code === 'quota_exceeded') return 'quota';
  if (error.code === 'validation_failed') return 'invalid';
  if (error.code === 'permission_denied') return 'permission';
  return 'generic';
}

/** Upload progress as a whole percentage (0..100), or null when the total is unknown. */
export function progressPercent(loaded, total) {
  if (!Number.isFinite(loaded) || !Number.isFinite(total) || total <= 0) return null;
  return Math.max(0, Math.min(100, Math.floor((loaded / total) * 100)));
}

/**
 * A record's access list summed up: {patient: {view, download, last}, staff: {view,
 * download, last}} with counts per action and the latest time (ISO text, or null) per side.
 */
export function accessSummary(items) {
  const side = () => ({ view: 0, download: 0, last: null });
  const out = { patient: side(), staff: side() };
  for (const item of items ?? []) {
    const who = item?.by?.kind === 'patient' ? out.patient : item?.by?.kind === 'staff' ? out.staff : null;
    if (!who || (item.action !== 'view' && item.action !== 'download')) continue;
    who[item.action] += 1;
    const at = Date.parse(item.at);
    if (!Number.isNaN(at) && (who.last === null || at > Date.parse(who.last))) who.last = item.at;
  }
  return out;
}

/**
 * A review's body: {decision, reason?, kind?}, or {errors: {reason: 'required' | 'tooLong'}}.
 * The reason goes as one line (the API's rule), whatever line breaks were typed.
 */
export function reviewBody({ decision, reason, kind }) {
  const text = oneLine(reason);
  if (decision === 'rejected') {
    if (text === '') return { errors: { reason: 'required' } };
    if ([...text].length > REASON_MAX) return { errors: { reason: 'tooLong' } };
    return { body: { decision, reason: text } };
  }
  if ([...text].length > REASON_MAX) return { errors: { reason: 'tooLong' } };
  const body = { decision: 'accepted' };
  if (text) body.reason = text;
  if (KINDS.includes(kind)) body.kind = kind;
  return { body };
}

/** A rename's body: {body: {title}} or {errors: {title}}; {body: null} when nothing changed. */
export function renameBody(record, title) {
  const clean = cleanTitle(title);
  if (clean === '') return { errors: { title: 'required' } };
  if ([...clean].length > TITLE_MAX) return { errors: { title: 'tooLong' } };
  return { body: clean === record?.title ? null : { title: clean } };
}

/** The records in the order a review queue shows pending uploads: oldest first. */
export function oldestFirst(items) {
  return [...(items ?? [])].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
}
