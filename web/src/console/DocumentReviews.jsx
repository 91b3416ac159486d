// The review queue (#/reviews): the documents patients uploaded, for the settings' upload
// reviewer, owners and admins (GET clinic/document-reviews?status=, pending by default,
// oldest first). Each names its patient (a link to their Documents tab), the file, and opens
// or downloads it; a pending one is accepted, filed as a document or (a photo) as an image,
// with an optional note, or rejected with a reason the patient will read (POST
// documents/{id}/review {decision, reason?, kind?}). Acceptance shares it with the patient.
// Someone else gets 403 forbidden_role: the screen says who reviews.
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { acceptKinds, KIND_KEYS, listQuery, oldestFirst, REASON_MAX, REVIEW_STATUSES, reviewBody } from '../documentRules.js';
import { errorMessage } from './common.jsx';
import { FieldError, serverErrors, useList } from './FinanceParts.jsx';
import { ContentLinks, DocumentBadges, FileLine, ReviewLine } from './DocumentParts.jsx';
import './deliveries.css';
import './finance.css';
import './documents.css';

const REASON_ERRORS = { required: 'console.reviews.error.reasonRequired', tooLong: 'console.reviews.error.reasonTooLong' };

/** Accept (filed as a kind, a note) or reject (a reason): POST documents/{id}/review. */
function ReviewForm({ doc, onDone, onSessionLost }) {
  const kinds = acceptKinds(doc);
  const [decision, setDecision] = useState(null); // null | 'accepted' | 'rejected': the step shown
  const [kind, setKind] = useState('document');
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef(null);
  const id = `review-${doc.id}`;

  useLayoutEffect(() => { if (decision) reasonRef.current?.focus(); }, [decision]);

  async function submit(event) {
    event.preventDefault();
    if (busy || !decision) return;
    const { body, errors } = reviewBody({ decision, reason, kind: kinds.length > 1 ? kind : 'document' });
    if (errors) {
      setError(t(REASON_ERRORS[errors.reason]));
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      onDone(await api(`/api/v1/clinic/documents/${encodeURIComponent(doc.id)}/review`, { method: 'POST', body }), decision);
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else if (e.status === 422 && e.errors.length) setError(serverErrors(e).reason ?? errorMessage(e));
      else if (e.status === 409) setFailure({ detail: t('console.reviews.conflict') });
      else setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  if (!decision) {
    return (
      <div class="form-actions review-start">
        <button type="button" class="button button-small" onClick={() => setDecision('accepted')} data-testid="review-accept">
          {t('console.reviews.accept')}
          <span class="visually-hidden"> {t('console.docs.which', { title: doc.title })}</span>
        </button>
        <button type="button" class="button button-small button-outline" onClick={() => setDecision('rejected')} data-testid="review-reject">
          {t('console.reviews.reject')}
          <span class="visually-hidden"> {t('console.docs.which', { title: doc.title })}</span>
        </button>
      </div>
    );
  }

  const rejecting = decision === 'rejected';
  return (
    <form class="finance-confirm doc-confirm review-form" onSubmit={submit} noValidate data-testid="review-form"
      data-decision={decision} aria-labelledby={`${id}-q`}>
      <p id={`${id}-q`}>
        {t(rejecting ? 'console.reviews.rejectQuestion' : 'console.reviews.acceptQuestion', { title: doc.title, name: doc.patient_name ?? '' })}
      </p>
      {!rejecting && kinds.length > 1 && (
        <fieldset class="field-group">
          <legend>{t('console.reviews.fileAs')}</legend>
          {kinds.map((k) => (
            <label key={k} class="check">
              <input type="radio" name={`${id}-kind`} value={k} checked={kind === k} data-testid={`review-kind-${k}`}
                onChange={() => setKind(k)} />
              <span>{t(KIND_KEYS[k])}</span>
            </label>
          ))}
        </fieldset>
      )}
      {!rejecting && kinds.length === 1 && <p class="hint">{t('console.reviews.fileAsDocument')}</p>}
      <div class="field">
        <label for={`${id}-reason`}>{t(rejecting ? 'console.reviews.reason' : 'console.reviews.note')}</label>
        <textarea id={`${id}-reason`} ref={reasonRef} rows={2} maxLength={REASON_MAX} value={reason} data-testid="review-reason"
          aria-invalid={error ? 'true' : undefined} aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          onInput={(e) => { setReason(e.currentTarget.value); setError(null); }} />
        <p class="hint" id={`${id}-hint`}>{t(rejecting ? 'console.reviews.reasonHint' : 'console.reviews.noteHint')}</p>
        <FieldError id={`${id}-error`} message={error} testid="review-reason-error" />
      </div>
      {failure && <p class="alert" role="alert" data-testid="review-error">{errorMessage(failure)}</p>}
      <div class="form-actions">
        <button type="submit" class={`button button-small${rejecting ? ' button-danger' : ''}`} disabled={busy} data-testid="review-confirm">
          {t(busy ? 'console.finance.saving' : rejecting ? 'console.reviews.rejectConfirm' : 'console.reviews.acceptConfirm')}
        </button>
        <button type="button" class="button button-small button-outline" onClick={() => { setDecision(null); setError(null); setFailure(null); }}
          data-testid="review-cancel">
          {t('console.finance.cancel')}
        </button>
      </div>
    </form>
  );
}

function ReviewItem({ doc, onReviewed, onSessionLost }) {
  const headingId = `review-${doc.id}-title`;
  return (
    <li class="doc-item" data-testid="review-row" data-id={doc.id} data-review={doc.review?.status ?? 'none'}>
      <div class="doc-item-text">
        <p class="review-patient">
          <a href={`#/patients/${encodeURIComponent(doc.patient_id)}/documents`} data-testid="review-patient">{doc.patient_name}</a>
        </p>
        <h3 id={headingId} class="doc-title" data-testid="doc-title">{doc.title}</h3>
        <DocumentBadges doc={doc} />
        <FileLine doc={doc} />
        <ReviewLine doc={doc} />
      </div>
      <div class="doc-actions" role="group" aria-label={t('console.docs.actionsFor', { title: doc.title })}>
        <ContentLinks doc={doc} />
      </div>
      {doc.review?.status === 'pending' && <ReviewForm doc={doc} onDone={onReviewed} onSessionLost={onSessionLost} />}
    </li>
  );
}

export function DocumentReviews({ onSessionLost }) {
  useLanguage();
  const [status, setStatus] = useState('pending');
  const [notice, setNotice] = useState(null);
  const query = useMemo(() => listQuery({ status }), [status]);
  const list = useList('/api/v1/clinic/document-reviews', query, onSessionLost);
  const heading = useRef(null);
  const items = status === 'pending' ? oldestFirst(list.items) : list.items;
  const refused = list.status === 'error' && list.error?.code === 'forbidden_role';

  function reviewed(doc, decision) {
    setNotice(t(decision === 'accepted' ? 'console.reviews.accepted' : 'console.reviews.rejected',
      { title: doc.title, name: doc.patient_name ?? '' }));
    list.load();
    heading.current?.focus();
  }

  return (
    <section class="documents reviews" aria-labelledby="reviews-heading" data-testid="document-reviews">
      <header class="screen-header">
        <h2 id="reviews-heading" ref={heading} tabIndex={-1}>{t('console.reviews.heading')}</h2>
      </header>
      <p class="muted">{t('console.reviews.intro')}</p>
      <div class="field doc-filter">
        <label for="reviews-status">{t('console.reviews.show')}</label>
        <select id="reviews-status" value={status} data-testid="reviews-status" onChange={(e) => { setStatus(e.currentTarget.value); setNotice(null); }}>
          {REVIEW_STATUSES.map((s) => <option key={s} value={s}>{t(`console.reviews.status.${s}`)}</option>)}
        </select>
      </div>
      {notice && <p class="notice" role="status" data-testid="reviews-notice">{notice}</p>}
      <div data-testid="reviews-list" data-state={list.status}>
        {list.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
        {refused && <p class="banner banner-info" role="alert" data-testid="reviews-forbidden">{t('console.reviews.forbidden')}</p>}
        {list.status === 'error' && !refused && (
          <div class="alert-row">
            <p class="alert" role="alert" data-testid="reviews-error">{errorMessage(list.error)}</p>
            <button type="button" class="button button-small" onClick={list.load}>{t('common.retry')}</button>
          </div>
        )}
        {list.status !== 'loading' && list.status !== 'error' && items.length === 0 && (
          <p class="muted empty" data-testid="reviews-empty">{t(`console.reviews.empty.${status}`)}</p>
        )}
        {items.length > 0 && (
          <ul class="doc-list" data-testid="review-list">
            {items.map((doc) => <ReviewItem key={doc.id} doc={doc} onReviewed={reviewed} onSessionLost={onSessionLost} />)}
          </ul>
        )}
        {list.cursor && list.status !== 'loading' && (
          <button type="button" class="button button-outline button-small list-more" disabled={list.status === 'more'}
            onClick={list.more} data-testid="reviews-more">
            {t(list.status === 'more' ? 'common.loading' : 'console.finance.more')}
          </button>
        )}
      </div>
    </section>
  );
}
