// A patient's Documents tab (#/patients/<id>/documents): add a file (the bytes as the body of
// POST clinic/patients/{id}/documents?title=&kind=&file_name=, with progress), the patient's
// documents and images newest first (GET patients/{id}/documents?kind=), and per record:
// open in a new tab and download (GET documents/{id}/content[?download=1]), share with the
// patient or stop sharing (PATCH {shared}; a patient's upload only once accepted), rename
// (PATCH {title}), delete after a confirmation (DELETE), "who opened it" (AccessRecord) and,
// for a pending upload, a link to the review queue. A clinic upload starts unshared: the
// patient sees nothing until staff share it. Every role may do all of this.
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, uploadFile } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import {
  acceptFor, consoleActions, consoleContentUrls, KINDS, KIND_KEYS, listQuery, progressPercent, renameBody, TITLE_MAX,
  titleFromFileName, uploadFailure, uploadProblems, uploadQuery, uploadType, UPLOAD_MAX_BYTES, formatSize,
} from '../documentRules.js';
import { errorMessage } from './common.jsx';
import { FieldError, ListState, serverErrors, useList } from './FinanceParts.jsx';
import { AccessRecord, ContentLinks, DocumentBadges, FileLine, ReviewLine } from './DocumentParts.jsx';
import './deliveries.css';
import './finance.css';
import './documents.css';

/** Message keys of the local and server-side upload problems. */
const UPLOAD_PROBLEM_KEYS = {
  title: { required: 'console.docs.error.titleRequired', tooLong: 'console.docs.error.titleTooLong' },
  file: {
    required: 'console.docs.error.fileRequired',
    empty: 'console.docs.error.fileEmpty',
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
};

function useFirstFocus() {
  const first = useRef(null);
  useLayoutEffect(() => { first.current?.focus(); }, []);
  return first;
}

/** "Add a file": a file, its title and kind; uploaded with progress, cancellable. */
function UploadForm({ patientId, onUploaded, onSessionLost }) {
  const lang = useLanguage();
  const [file, setFile] = useState(null);
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState('document');
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null); // a message
  const [progress, setProgress] = useState(null); // null | 0..100 while sending
  const controller = useRef(null);
  const fileRef = useRef(null);
  const titleRef = useRef(null);
  const busy = progress !== null;
  // After a refusal the field it concerns takes the focus, once the form is enabled again.
  const [refocus, setRefocus] = useState(null); // {field} | null
  useLayoutEffect(() => {
    if (refocus && !busy) (refocus.field === 'file' ? fileRef : titleRef).current?.focus();
  }, [refocus, busy]);

  function choose(event) {
    const chosen = event.currentTarget.files?.[0] ?? null;
    setFile(chosen);
    setFailure(null);
    setErrors((e) => ({ ...e, file: undefined }));
    // A title to start with, from the file's name, when none was typed.
    if (chosen && title.trim() === '') setTitle(titleFromFileName(chosen.name));
  }

  function reset() {
    setFile(null);
    setTitle('');
    setKind('document');
    setErrors({});
    if (fileRef.current) fileRef.current.value = '';
  }

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    setFailure(null);
    const { problems } = uploadProblems({ title, file, kind });
    if (Object.keys(problems).length) {
      setErrors(Object.fromEntries(Object.entries(problems).map(([field, why]) => [field, t(UPLOAD_PROBLEM_KEYS[field][why])])));
      (problems.file ? fileRef : titleRef).current?.focus();
      return;
    }
    controller.current = new AbortController();
    setProgress(0);
    try {
      const doc = await uploadFile(
        `/api/v1/clinic/patients/${encodeURIComponent(patientId)}/documents?${uploadQuery({ title, kind, fileName: file.name })}`,
        file,
        { type: uploadType(file), signal: controller.current.signal, onProgress: (loaded, total) => setProgress(progressPercent(loaded, total) ?? 0) },
      );
      reset();
      onUploaded(doc);
    } catch (error) {
      if (error.name === 'AbortError') {
        setFailure(t('console.docs.upload.cancelled'));
      } else if (error.status === 401) {
        onSessionLost();
      } else {
        const why = uploadFailure(error);
        if (why === 'invalid' && error.errors.length) {
          const byField = serverErrors(error);
          const file = byField.file ?? byField.file_name ?? byField.kind;
          setErrors({ title: byField.title, file });
          if (!byField.title && !file) setFailure(errorMessage(error));
        } else if (why === 'type' || why === 'unsafe' || why === 'tooLarge') {
          setErrors({ file: t(FAILURE_KEYS[why]) });
          setRefocus({ field: 'file' });
        } else {
          setFailure(FAILURE_KEYS[why] ? t(FAILURE_KEYS[why]) : errorMessage(error));
        }
      }
    } finally {
      setProgress(null);
      controller.current = null;
    }
  }

  const described = (field, hint) => [hint, errors[field] ? `doc-${field}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <form class="card doc-upload" onSubmit={submit} noValidate data-testid="doc-upload-form" aria-labelledby="doc-upload-heading">
      <h3 id="doc-upload-heading">{t('console.docs.upload.heading')}</h3>
      <div class="field-row">
        <div class="field">
          <label for="doc-file">{t('console.docs.upload.file')}</label>
          <input id="doc-file" ref={fileRef} type="file" accept={acceptFor(kind)} disabled={busy} data-testid="doc-file-input"
            aria-invalid={errors.file ? 'true' : undefined} aria-describedby={described('file', 'doc-file-hint')} onChange={choose} />
          <p class="hint" id="doc-file-hint">{t('console.docs.upload.fileHint', { max: formatSize(UPLOAD_MAX_BYTES, lang) })}</p>
          <FieldError id="doc-file-error" message={errors.file} testid="doc-upload-error-file" />
        </div>
        <div class="field">
          <label for="doc-title">{t('console.docs.upload.title')}</label>
          <input id="doc-title" ref={titleRef} value={title} maxLength={TITLE_MAX} disabled={busy} data-testid="doc-title-input"
            aria-invalid={errors.title ? 'true' : undefined} aria-describedby={described('title')}
            onInput={(e) => { setTitle(e.currentTarget.value); setErrors((x) => ({ ...x, title: undefined })); }} />
          <FieldError id="doc-title-error" message={errors.title} testid="doc-upload-error-title" />
        </div>
      </div>
      <fieldset class="field-group doc-kind" disabled={busy}>
        <legend>{t('console.docs.upload.kind')}</legend>
        {KINDS.map((k) => (
          <label key={k} class="check">
            <input type="radio" name="doc-kind" value={k} checked={kind === k} data-testid={`doc-kind-${k}`}
              onChange={() => setKind(k)} />
            <span>
              <span class="check-label">{t(KIND_KEYS[k])}</span>
              <span class="check-help">{t(`console.docs.upload.kindHint.${k}`)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <p class="hint">{t('console.docs.upload.unshared')}</p>
      {busy && (
        <div class="doc-progress" data-testid="doc-upload-progress">
          <label for="doc-progress-bar">{t('documents.upload.sending', { percent: progress })}</label>
          <progress id="doc-progress-bar" max="100" value={progress} />
        </div>
      )}
      {failure && <p class="alert" role="alert" data-testid="doc-upload-error">{failure}</p>}
      <div class="form-actions">
        <button type="submit" class="button" disabled={busy} data-testid="doc-upload-submit">
          {t(busy ? 'console.docs.upload.sendingShort' : 'console.docs.upload.submit')}
        </button>
        {busy && (
          <button type="button" class="button button-outline" onClick={() => controller.current?.abort()} data-testid="doc-upload-cancel">
            {t('console.finance.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

/** Rename: the title, then PATCH {title}. */
function RenameForm({ doc, onDone, onCancel, onSessionLost }) {
  const [title, setTitle] = useState(doc.title);
  const [error, setError] = useState(null);
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useFirstFocus();
  const id = `rename-${doc.id}`;

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    const { body, errors } = renameBody(doc, title);
    if (errors) { setError(t(UPLOAD_PROBLEM_KEYS.title[errors.title])); return; }
    if (!body) { onCancel(); return; }
    setBusy(true);
    setFailure(null);
    try {
      onDone(await api(`/api/v1/clinic/documents/${encodeURIComponent(doc.id)}`, { method: 'PATCH', body }));
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else if (e.status === 422 && e.errors.length) setError(serverErrors(e).title ?? errorMessage(e));
      else setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="finance-confirm doc-confirm" onSubmit={submit} noValidate data-testid="doc-rename-form">
      <div class="field">
        <label for={`${id}-title`}>{t('console.docs.rename.label')}</label>
        <input id={`${id}-title`} ref={first} value={title} maxLength={TITLE_MAX} data-testid="doc-rename-input"
          aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}
          onInput={(e) => { setTitle(e.currentTarget.value); setError(null); }} />
        <FieldError id={`${id}-error`} message={error} testid="doc-rename-error" />
      </div>
      {failure && <p class="alert" role="alert">{errorMessage(failure)}</p>}
      <div class="form-actions">
        <button type="submit" class="button button-small" disabled={busy} data-testid="doc-rename-save">
          {t(busy ? 'console.finance.saving' : 'console.docs.rename.save')}
        </button>
        <button type="button" class="button button-small button-outline" onClick={onCancel} data-testid="doc-rename-cancel">
          {t('console.finance.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Delete: a question naming the file and what happens, then DELETE. */
function DeleteConfirm({ doc, onDone, onCancel, onSessionLost }) {
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useFirstFocus();
  const id = `delete-${doc.id}`;

  async function confirm() {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    try {
      await api(`/api/v1/clinic/documents/${encodeURIComponent(doc.id)}`, { method: 'DELETE' });
      onDone();
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else if (e.status === 404) onDone();
      else setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="finance-confirm doc-confirm" role="group" aria-labelledby={`${id}-q`} data-testid="doc-delete-confirm">
      <p id={`${id}-q`}>
        {t(doc.shared ? 'console.docs.delete.questionShared' : 'console.docs.delete.question', { title: doc.title })}
      </p>
      {failure && <p class="alert" role="alert">{errorMessage(failure)}</p>}
      <div class="form-actions">
        <button type="button" ref={first} class="button button-small button-danger" disabled={busy} onClick={confirm}
          data-testid="doc-delete-yes">
          {t(busy ? 'console.docs.delete.deleting' : 'console.docs.delete.yes')}
        </button>
        <button type="button" class="button button-small button-outline" onClick={onCancel} data-testid="doc-delete-no">
          {t('console.docs.delete.no')}
        </button>
      </div>
    </div>
  );
}

function DocumentItem({ doc, mayReview, onChanged, onDeleted, onSessionLost }) {
  const [mode, setMode] = useState(null); // null | 'rename' | 'delete'
  const [showAccess, setShowAccess] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const allowed = consoleActions(doc, { mayReview });
  const urls = consoleContentUrls(doc.id);
  const headingId = `doc-${doc.id}-title`;
  const accessId = `doc-${doc.id}-access`;

  async function setShared(shared) {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    try {
      const updated = await api(`/api/v1/clinic/documents/${encodeURIComponent(doc.id)}`, { method: 'PATCH', body: { shared } });
      onChanged(updated, t(shared ? 'console.docs.sharedNow' : 'console.docs.unsharedNow', { title: doc.title }));
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else if (e.status === 409) setFailure({ detail: t('console.docs.shareConflict') });
      else setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  // After a staff open or download, the record has one more line: show it when it is open.
  const opened = () => { if (showAccess) setTimeout(() => setRefresh((n) => n + 1), 1500); };

  return (
    <li class="doc-item" data-testid="doc-row" data-id={doc.id} data-kind={doc.kind} data-shared={doc.shared ? 'true' : 'false'}
      data-review={doc.review?.status ?? 'none'}>
      <div class="doc-item-main">
        {doc.kind === 'image' && doc.thumbnail && (
          <img class="doc-thumb" src={urls.thumbnail} alt="" width="64" height="64" loading="lazy" data-testid="doc-thumb" />
        )}
        <div class="doc-item-text">
          <h4 id={headingId} class="doc-title" data-testid="doc-title">{doc.title}</h4>
          <DocumentBadges doc={doc} />
          <FileLine doc={doc} />
          <ReviewLine doc={doc} />
        </div>
      </div>
      <div class="doc-actions" role="group" aria-label={t('console.docs.actionsFor', { title: doc.title })}>
        <ContentLinks doc={doc} onOpened={opened} />
        {allowed.share && (
          <button type="button" class="button button-small button-outline" disabled={busy} onClick={() => setShared(true)}
            data-testid="doc-share">
            {t('console.docs.share')}
          </button>
        )}
        {allowed.unshare && (
          <button type="button" class="button button-small button-outline" disabled={busy} onClick={() => setShared(false)}
            data-testid="doc-unshare">
            {t('console.docs.unshare')}
          </button>
        )}
        {allowed.rename && (
          <button type="button" class="button button-small button-outline" onClick={() => setMode(mode === 'rename' ? null : 'rename')}
            aria-expanded={mode === 'rename' ? 'true' : 'false'} data-testid="doc-rename">
            {t('console.docs.rename.button')}
          </button>
        )}
        <button type="button" class="button button-small button-outline" aria-expanded={showAccess ? 'true' : 'false'}
          aria-controls={accessId} onClick={() => setShowAccess((v) => !v)} data-testid="doc-access-toggle">
          {t('console.docs.access.button')}
        </button>
        {allowed.review && (
          <a class="button button-small" href="#/reviews" data-testid="doc-review-link">{t('console.docs.review')}</a>
        )}
        {allowed.remove && (
          <button type="button" class="button button-small button-outline doc-delete" onClick={() => setMode('delete')}
            data-testid="doc-delete">
            {t('console.docs.delete.button')}
          </button>
        )}
      </div>
      {failure && <p class="alert" role="alert" data-testid="doc-error">{errorMessage(failure)}</p>}
      {mode === 'rename' && (
        <RenameForm doc={doc} onSessionLost={onSessionLost} onCancel={() => setMode(null)}
          onDone={(updated) => { setMode(null); onChanged(updated, t('console.docs.renamed', { title: updated.title })); }} />
      )}
      {mode === 'delete' && (
        <DeleteConfirm doc={doc} onSessionLost={onSessionLost} onCancel={() => setMode(null)}
          onDone={() => onDeleted(doc)} />
      )}
      <div id={accessId} hidden={!showAccess}>
        {showAccess && <AccessRecord doc={doc} refresh={refresh} onSessionLost={onSessionLost} />}
      </div>
    </li>
  );
}

export function PatientDocuments({ patientId, mayReview, onSessionLost }) {
  useLanguage();
  const [kind, setKind] = useState('');
  const [notice, setNotice] = useState(null);
  const query = useMemo(() => listQuery({ kind }), [kind]);
  const list = useList(`/api/v1/clinic/patients/${encodeURIComponent(patientId)}/documents`, query, onSessionLost);
  const listHeading = useRef(null);

  return (
    <div class="documents" data-testid="patient-documents">
      <UploadForm patientId={patientId} onSessionLost={onSessionLost}
        onUploaded={(doc) => { setNotice(t('console.docs.uploaded', { title: doc.title })); list.load(); }} />
      {notice && <p class="notice" role="status" data-testid="docs-notice">{notice}</p>}

      <section class="finance-section" aria-labelledby="docs-list-heading">
        <div class="doc-list-head">
          <h3 id="docs-list-heading" ref={listHeading} tabIndex={-1}>{t('console.docs.heading')}</h3>
          <div class="field doc-filter">
            <label for="docs-kind-filter">{t('console.docs.filter.kind')}</label>
            <select id="docs-kind-filter" value={kind} data-testid="docs-kind-filter" onChange={(e) => setKind(e.currentTarget.value)}>
              <option value="">{t('console.docs.filter.all')}</option>
              {KINDS.map((k) => <option key={k} value={k}>{t(`console.docs.filter.${k}`)}</option>)}
            </select>
          </div>
        </div>
        <ListState list={list} empty={t(kind ? 'console.docs.noneOfKind' : 'console.docs.none')} testid="docs-list">
          <ul class="doc-list" data-testid="doc-list">
            {list.items.map((doc) => (
              <DocumentItem key={doc.id} doc={doc} mayReview={mayReview} onSessionLost={onSessionLost}
                onChanged={(_, message) => { setNotice(message); list.load(); }}
                onDeleted={(d) => {
                  setNotice(t('console.docs.deleted', { title: d.title }));
                  list.load();
                  listHeading.current?.focus();
                }} />
            ))}
          </ul>
        </ListState>
      </section>
    </div>
  );
}
