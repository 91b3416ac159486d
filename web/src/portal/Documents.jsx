// The patient's documents and images in the portal:
//   #/documents          (view_documents) what the clinic shared and what the patient sent,
//                        with the review state of each upload and the clinic's reason for a
//                        rejection (GET documents); View opens the file in a new tab (GET
//                        documents/{id}/view), Download saves it (GET documents/{id}/download,
//                        download_documents); "Who opened it" shows when the patient and the
//                        clinic opened it (GET documents/{id}/access).
//   #/images             (view_images) the gallery: thumbnails (GET images/{id}/thumbnail),
//                        each opening the image in a new tab (GET images/{id}/view).
//   #/documents/upload   (upload_documents) send a file: a title and the file as the body of
//                        POST documents?title=&file_name=, with progress; a refusal (type,
//                        unsafe content, size, the upload limit) is said in plain words.
// The files are plain links: the browser sends the session cookie and the API records the
// view or download before the file is served.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, uploadFile } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import {
  acceptFor, accessSummary, ACTION_KEYS, formatSize, portalActions, portalContentUrls, progressPercent,
  reviewState, TITLE_MAX, titleFromFileName, uploadFailure, uploadProblems, uploadQuery, uploadType, UPLOAD_MAX_BYTES,
} from '../documentRules.js';
import { formatInstant } from '../financeRules.js';
import { BackHome, Problem } from './common.jsx';
import { usePagedList, useEnds } from './FinanceScreens.jsx';
import { hrefOf } from './router.js';
import './screens.css';
import './documents.css';

function useFocusHeading() {
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  return heading;
}

function ErrorRow({ error, onRetry, testid }) {
  return (
    <div class="alert-row">
      <Problem error={error} testid={testid} />
      {error.code !== 'permission_denied' && (
        <button type="button" class="button button-small" onClick={onRetry}>{t('common.retry')}</button>
      )}
    </div>
  );
}

/** Links between the three screens, each only with its permission. */
function DocumentLinks({ permissions, here }) {
  const links = [
    { route: 'documents', permission: 'view_documents', key: 'portal.docs.heading', testid: 'docs-to-documents' },
    { route: 'images', permission: 'view_images', key: 'portal.images.heading', testid: 'docs-to-images' },
    { route: 'documents/upload', permission: 'upload_documents', key: 'portal.upload.link', testid: 'docs-to-upload' },
  ].filter((l) => l.route !== here && permissions.includes(l.permission));
  if (links.length === 0) return null;
  return (
    <nav class="doc-links" aria-label={t('portal.docs.linksLabel')}>
      {links.map((l) => (
        <a key={l.route} class="button button-outline button-small" href={hrefOf(l.route)} data-testid={l.testid}>{t(l.key)}</a>
      ))}
    </nav>
  );
}

/** "Who opened it": when the patient and when the clinic opened the document. */
function AccessRecord({ base, doc, ends }) {
  const lang = useLanguage();
  const [state, setState] = useState({ status: 'loading', items: [], error: null });
  const load = useCallback(async () => {
    setState({ status: 'loading', items: [], error: null });
    try {
      const page = await api(`${base}documents/${encodeURIComponent(doc.id)}/access?limit=100`);
      setState({ status: 'ready', items: page.items ?? [], error: null });
    } catch (error) {
      if (ends(error)) return;
      setState({ status: 'error', items: [], error });
    }
  }, [base, doc.id, ends]);
  useEffect(() => { load(); }, [load]);

  const sum = accessSummary(state.items);
  const line = (side) => {
    const s = sum[side];
    if (s.view + s.download === 0) return t(`portal.docs.access.${side}None`);
    return t(`portal.docs.access.${side}`, { views: s.view, downloads: s.download, when: formatInstant(s.last, lang) });
  };
  return (
    <div class="doc-access" data-testid="portal-doc-access" data-state={state.status}>
      {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state.status === 'error' && <ErrorRow error={state.error} onRetry={load} testid="portal-doc-access-error" />}
      {state.status === 'ready' && (
        <>
          <ul class="doc-access-summary">
            <li data-testid="portal-doc-access-patient" data-views={sum.patient.view} data-downloads={sum.patient.download}>{line('patient')}</li>
            <li data-testid="portal-doc-access-staff" data-views={sum.staff.view} data-downloads={sum.staff.download}>{line('staff')}</li>
          </ul>
          {state.items.length > 0 && (
            <ol class="doc-access-list" aria-label={t('portal.docs.access.listLabel', { title: doc.title })}>
              {state.items.map((item, i) => (
                <li key={`${item.at}-${i}`} data-testid="portal-doc-access-row" data-kind={item.by?.kind} data-action={item.action}>
                  <span class="doc-access-when">{formatInstant(item.at, lang)}</span>
                  {' · '}
                  {t(item.by?.kind === 'patient' ? 'portal.docs.access.byYou' : 'portal.docs.access.byClinic')}
                  {' · '}
                  {t(ACTION_KEYS[item.action] ?? 'documents.action.view')}
                </li>
              ))}
            </ol>
          )}
          <button type="button" class="link-button" onClick={load} data-testid="portal-doc-access-refresh">
            {t('portal.docs.access.refresh')}
          </button>
        </>
      )}
    </div>
  );
}

const REVIEW_CLASSES = { pending: 'doc-badge-pending', accepted: 'doc-badge-accepted', rejected: 'doc-badge-rejected' };

function DocumentItem({ base, doc, permissions, ends }) {
  const lang = useLanguage();
  const [showAccess, setShowAccess] = useState(false);
  const allowed = portalActions(doc, permissions);
  const urls = portalContentUrls(base, doc);
  const state = reviewState(doc);
  const mine = doc.source === 'patient';
  const accessId = `doc-access-${doc.id}`;
  return (
    <li class={`doc-item doc-item-${state}`} data-testid="portal-document" data-id={doc.id} data-source={doc.source}
      data-review={state}>
      <div class="doc-item-head">
        <h2 class="doc-title" data-testid="portal-doc-title">{doc.title}</h2>
        {state !== 'none' && (
          <span class={`badge ${REVIEW_CLASSES[state]}`} data-testid="portal-doc-review" data-review={state}>
            {t(`portal.docs.review.${state}`)}
          </span>
        )}
      </div>
      <p class="muted doc-meta">
        <span data-testid="portal-doc-file">{doc.file_name}</span>
        {' · '}
        <span data-testid="portal-doc-size">{formatSize(doc.size, lang)}</span>
        {' · '}
        <span>{t(mine ? 'portal.docs.sentOn' : 'portal.docs.sharedOn', { date: formatInstant(doc.created_at, lang) })}</span>
      </p>
      {state === 'rejected' && (
        <p class="doc-reason" data-testid="portal-doc-reason">
          {doc.review?.reason ? t('portal.docs.rejectedWhy', { reason: doc.review.reason }) : t('portal.docs.rejectedNoReason')}
        </p>
      )}
      {state === 'pending' && <p class="muted doc-note">{t('portal.docs.pendingNote')}</p>}
      {state === 'accepted' && doc.review?.reason && (
        <p class="doc-note" data-testid="portal-doc-note">{t('portal.docs.acceptedNote', { reason: doc.review.reason })}</p>
      )}
      <div class="doc-actions">
        {allowed.view && (
          <a class="button button-small" href={urls.view} target="_blank" rel="noopener" data-testid="portal-doc-view">
            {t('portal.docs.view')}
            <span class="visually-hidden"> {t('portal.docs.which', { title: doc.title })} {t('common.newTab')}</span>
          </a>
        )}
        {allowed.download && (
          <a class="button button-small button-outline" href={urls.download} download="" data-testid="portal-doc-download">
            {t('portal.docs.download')}
            <span class="visually-hidden"> {t('portal.docs.which', { title: doc.title })}</span>
          </a>
        )}
        {allowed.access && (
          <button type="button" class="button button-small button-outline" aria-expanded={showAccess ? 'true' : 'false'}
            aria-controls={accessId} onClick={() => setShowAccess((v) => !v)} data-testid="portal-doc-access-toggle">
            {t('portal.docs.access.button')}
            <span class="visually-hidden"> {t('portal.docs.which', { title: doc.title })}</span>
          </button>
        )}
      </div>
      <div id={accessId} hidden={!showAccess}>
        {showAccess && <AccessRecord base={base} doc={doc} ends={ends} />}
      </div>
    </li>
  );
}

function MoreButton({ list, testid }) {
  if (!list.cursor || list.status === 'loading') return null;
  return (
    <button type="button" class="button button-outline button-small" disabled={list.status === 'more'} onClick={list.more}
      data-testid={testid}>
      {t(list.status === 'more' ? 'common.loading' : 'portal.appts.more')}
    </button>
  );
}

/** #/documents */
export function Documents({ base, permissions, onSessionLost, onPortalGone }) {
  useLanguage();
  const heading = useFocusHeading();
  const ends = useEnds(onSessionLost, onPortalGone);
  const list = usePagedList(`${base}documents`, ends);
  return (
    <section class="screen" aria-labelledby="documents-heading" data-testid="portal-documents" data-state={list.status}>
      <BackHome />
      <header class="screen-top">
        <h1 id="documents-heading" ref={heading} tabIndex={-1}>{t('portal.docs.heading')}</h1>
      </header>
      <DocumentLinks permissions={permissions} here="documents" />
      {list.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {list.status === 'error' && <ErrorRow error={list.error} onRetry={list.load} testid="documents-error" />}
      {list.status !== 'loading' && list.status !== 'error' && list.items.length === 0 && (
        <p class="muted" data-testid="documents-empty">{t('portal.docs.none')}</p>
      )}
      {list.items.length > 0 && (
        <ul class="doc-list" data-testid="portal-document-list">
          {list.items.map((doc) => <DocumentItem key={doc.id} base={base} doc={doc} permissions={permissions} ends={ends} />)}
        </ul>
      )}
      <MoreButton list={list} testid="documents-more" />
    </section>
  );
}

/** #/images */
export function Images({ base, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useFocusHeading();
  const ends = useEnds(onSessionLost, onPortalGone);
  const list = usePagedList(`${base}images`, ends);
  return (
    <section class="screen" aria-labelledby="images-heading" data-testid="portal-images" data-state={list.status}>
      <BackHome />
      <header class="screen-top">
        <h1 id="images-heading" ref={heading} tabIndex={-1}>{t('portal.images.heading')}</h1>
      </header>
      <DocumentLinks permissions={permissions} here="images" />
      {list.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {list.status === 'error' && <ErrorRow error={list.error} onRetry={list.load} testid="images-error" />}
      {list.status !== 'loading' && list.status !== 'error' && list.items.length === 0 && (
        <p class="muted" data-testid="images-empty">{t('portal.images.none')}</p>
      )}
      {list.items.length > 0 && (
        <ul class="gallery" data-testid="portal-gallery">
          {list.items.map((img) => {
            const urls = portalContentUrls(base, img);
            return (
              <li key={img.id} class="gallery-item" data-testid="portal-image" data-id={img.id}>
                <a class="gallery-link" href={urls.view} target="_blank" rel="noopener" data-testid="portal-image-view">
                  {img.thumbnail
                    ? <img class="gallery-thumb" src={urls.thumbnail} alt={img.title} loading="lazy" data-testid="portal-image-thumb" />
                    : <span class="gallery-thumb gallery-none">{img.title}</span>}
                  <span class="visually-hidden"> {t('common.newTab')}</span>
                </a>
                <p class="gallery-title" aria-hidden="true">{img.title}</p>
                <p class="gallery-date muted">{formatInstant(img.created_at, lang)}</p>
              </li>
            );
          })}
        </ul>
      )}
      <MoreButton list={list} testid="images-more" />
    </section>
  );
}

const PROBLEM_KEYS = {
  title: { required: 'portal.upload.error.titleRequired', tooLong: 'portal.upload.error.titleTooLong' },
  file: {
    required: 'portal.upload.error.fileRequired',
    empty: 'portal.upload.error.fileEmpty',
    tooLarge: 'documents.error.tooLarge',
    type: 'documents.error.type',
  },
};
const FAILURE_KEYS = {
  tooLarge: 'documents.error.tooLarge',
  type: 'documents.error.type',
  unsafe: 'documents.error.unsafe',
  quota: 'documents.error.quota',
  network: 'error.network',
  permission: 'portal.denied.upload_documents',
  generic: 'error.generic',
};

/** #/documents/upload */
export function UploadDocument({ base, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useFocusHeading();
  const ends = useEnds(onSessionLost, onPortalGone);
  const [file, setFile] = useState(null);
  const [title, setTitle] = useState('');
  const [errors, setErrors] = useState({}); // {title?, file?}: message keys, or server text as {text}
  const [failure, setFailure] = useState(null); // a message key
  const [progress, setProgress] = useState(null);
  const [sent, setSent] = useState(null); // the record just sent
  const fileRef = useRef(null);
  const titleRef = useRef(null);
  const doneRef = useRef(null);
  const controller = useRef(null);
  const busy = progress !== null;

  useLayoutEffect(() => { if (sent) doneRef.current?.focus(); }, [sent]);
  // After a refusal the field it concerns takes the focus, once the form is enabled again.
  const [refocus, setRefocus] = useState(null); // {field} | null
  useLayoutEffect(() => {
    if (refocus && !busy) (refocus.field === 'file' ? fileRef : titleRef).current?.focus();
  }, [refocus, busy]);

  const message = (e) => (e ? (e.text ?? t(e.key)) : null);

  function choose(event) {
    const chosen = event.currentTarget.files?.[0] ?? null;
    setFile(chosen);
    setFailure(null);
    setSent(null);
    setErrors((e) => ({ ...e, file: undefined }));
    if (chosen && title.trim() === '') setTitle(titleFromFileName(chosen.name));
  }

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    setFailure(null);
    setSent(null);
    const { problems } = uploadProblems({ title, file, kind: 'document' });
    if (Object.keys(problems).length) {
      setErrors(Object.fromEntries(Object.entries(problems).map(([field, why]) => [field, { key: PROBLEM_KEYS[field][why] }])));
      (problems.file ? fileRef : titleRef).current?.focus();
      return;
    }
    controller.current = new AbortController();
    setProgress(0);
    try {
      const doc = await uploadFile(`${base}documents?${uploadQuery({ title, fileName: file.name })}`, file, {
        type: uploadType(file),
        signal: controller.current.signal,
        onProgress: (loaded, total) => setProgress(progressPercent(loaded, total) ?? 0),
      });
      setFile(null);
      setTitle('');
      setErrors({});
      if (fileRef.current) fileRef.current.value = '';
      setSent(doc ?? { title });
    } catch (error) {
      if (error.name === 'AbortError') {
        setFailure('portal.upload.cancelled');
      } else if (!ends(error)) {
        const why = uploadFailure(error);
        if (why === 'invalid' && error.errors.some((e) => e.field === 'title')) {
          setErrors({ title: { key: 'portal.upload.error.titleInvalid' } });
          setRefocus({ field: 'title' });
        } else if (why === 'type' || why === 'unsafe' || why === 'tooLarge') {
          setErrors({ file: { key: FAILURE_KEYS[why] } });
          setRefocus({ field: 'file' });
        } else {
          setFailure(FAILURE_KEYS[why] ?? 'error.generic');
        }
      }
    } finally {
      setProgress(null);
      controller.current = null;
    }
  }

  const described = (field, hint) => [hint, errors[field] ? `upload-${field}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <section class="screen" aria-labelledby="upload-heading" data-testid="portal-upload">
      <BackHome />
      <h1 id="upload-heading" ref={heading} tabIndex={-1}>{t('portal.upload.heading')}</h1>
      <p class="muted">{t('portal.upload.intro')}</p>
      <DocumentLinks permissions={permissions} here="documents/upload" />
      {sent && (
        <div class="card notice-card" data-testid="upload-done">
          <p class="notice" role="status" ref={doneRef} tabIndex={-1}>{t('portal.upload.sent', { title: sent.title })}</p>
          {permissions.includes('view_documents') && (
            <a href={hrefOf('documents')} data-testid="upload-done-documents">{t('portal.upload.seeDocuments')}</a>
          )}
        </div>
      )}
      <form class="card upload-form" onSubmit={submit} noValidate data-testid="upload-form">
        <div class="field">
          <label for="upload-file">{t('portal.upload.file')}</label>
          <input id="upload-file" ref={fileRef} type="file" accept={acceptFor('document')} disabled={busy} data-testid="upload-file"
            aria-invalid={errors.file ? 'true' : undefined} aria-describedby={described('file', 'upload-file-hint')} onChange={choose} />
          <p class="hint muted" id="upload-file-hint">{t('portal.upload.fileHint', { max: formatSize(UPLOAD_MAX_BYTES, lang) })}</p>
          {errors.file && <p class="field-error" id="upload-file-error" data-testid="upload-error-file">{message(errors.file)}</p>}
        </div>
        <div class="field">
          <label for="upload-title">{t('portal.upload.title')}</label>
          <input id="upload-title" ref={titleRef} value={title} maxLength={TITLE_MAX} disabled={busy} data-testid="upload-title"
            aria-invalid={errors.title ? 'true' : undefined} aria-describedby={described('title', 'upload-title-hint')}
            onInput={(e) => { setTitle(e.currentTarget.value); setErrors((x) => ({ ...x, title: undefined })); }} />
          <p class="hint muted" id="upload-title-hint">{t('portal.upload.titleHint')}</p>
          {errors.title && <p class="field-error" id="upload-title-error" data-testid="upload-error-title">{message(errors.title)}</p>}
        </div>
        {busy && (
          <div class="upload-progress" data-testid="upload-progress">
            <label for="upload-progress-bar">{t('documents.upload.sending', { percent: progress })}</label>
            <progress id="upload-progress-bar" max="100" value={progress} />
          </div>
        )}
        {failure && <p class="alert" role="alert" data-testid="upload-error">{t(failure)}</p>}
        <div class="form-actions">
          <button type="submit" class="button button-block" disabled={busy} data-testid="upload-submit">
            {t(busy ? 'portal.upload.sending' : 'portal.upload.submit')}
          </button>
          {busy && (
            <button type="button" class="button button-outline button-block" onClick={() => controller.current?.abort()}
              data-testid="upload-cancel">
              {t('portal.upload.cancel')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
