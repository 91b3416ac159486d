// Pieces the console's document screens share (PatientDocuments.jsx, DocumentReviews.jsx):
// a record's badges (kind, source, shared, review state), its file line (name, size, type,
// when added), the links that open it in a new tab or download it, and its access record
// ("who opened it": GET clinic/documents/{id}/access, patient or staff, view or download,
// when). Opening and downloading are plain links: the browser sends the session cookie, and
// the API records a staff view or download before nginx serves the bytes.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import {
  accessSummary, ACTION_KEYS, consoleContentUrls, formatSize, KIND_KEYS, listQuery, REVIEW_KEYS, reviewState, SOURCE_KEYS,
} from '../documentRules.js';
import { errorMessage, formatTime } from './common.jsx';

const REVIEW_BADGES = { pending: 'badge-warn', accepted: 'badge-ok', rejected: 'badge-bad' };

export function DocumentBadges({ doc }) {
  const state = reviewState(doc);
  return (
    <span class="doc-badges">
      <span class="badge badge-plain" data-testid="doc-kind" data-kind={doc.kind}>{t(KIND_KEYS[doc.kind] ?? 'documents.kind.document')}</span>
      <span class="badge badge-plain" data-testid="doc-source" data-source={doc.source}>
        {t(SOURCE_KEYS[doc.source] ?? 'documents.source.clinic')}
      </span>
      <span class={`badge ${doc.shared ? 'badge-ok' : 'badge-off'}`} data-testid="doc-shared" data-shared={doc.shared ? 'true' : 'false'}>
        {t(doc.shared ? 'console.docs.shared' : 'console.docs.notShared')}
      </span>
      {state !== 'none' && (
        <span class={`badge ${REVIEW_BADGES[state]}`} data-testid="doc-review" data-review={state}>{t(REVIEW_KEYS[state])}</span>
      )}
    </span>
  );
}

/** "rapor.pdf · 1,5 KB · PDF · added 1 Dec 2026 10:00 by Dr. Ada" */
export function FileLine({ doc }) {
  const lang = useLanguage();
  return (
    <p class="doc-file muted" data-testid="doc-file">
      <span data-testid="doc-file-name">{doc.file_name}</span>
      {' · '}
      <span data-testid="doc-size" data-value={doc.size}>{formatSize(doc.size, lang)}</span>
      {' · '}
      <span>{doc.content_type}</span>
      {' · '}
      <span>
        {doc.uploaded_by?.name
          ? t('console.docs.addedBy', { when: formatTime(doc.created_at, lang), name: doc.uploaded_by.name })
          : t('console.docs.added', { when: formatTime(doc.created_at, lang) })}
      </span>
    </p>
  );
}

/** Open (a new tab) and Download, each naming the file for screen readers. */
export function ContentLinks({ doc, onOpened }) {
  const urls = consoleContentUrls(doc.id);
  return (
    <>
      <a class="button button-small" href={urls.open} target="_blank" rel="noopener" data-testid="doc-open" onClick={onOpened}>
        {t('console.docs.open')}
        <span class="visually-hidden"> {t('console.docs.which', { title: doc.title })} {t('common.newTab')}</span>
      </a>
      <a class="button button-small button-outline" href={urls.download} download="" data-testid="doc-download" onClick={onOpened}>
        {t('console.docs.download')}
        <span class="visually-hidden"> {t('console.docs.which', { title: doc.title })}</span>
      </a>
    </>
  );
}

/** The review's outcome in words: who decided, when, and the reason given. */
export function ReviewLine({ doc }) {
  const lang = useLanguage();
  const state = reviewState(doc);
  if (state === 'none' || state === 'pending') return null;
  const by = doc.review?.reviewed_by?.name;
  const when = formatTime(doc.review?.reviewed_at, lang);
  return (
    <p class={`doc-review-line doc-review-${state}`} data-testid="doc-review-line">
      {t(state === 'accepted' ? 'console.docs.acceptedBy' : 'console.docs.rejectedBy', { name: by ?? '—', when })}
      {doc.review?.reason && (
        <>
          {' '}
          <span data-testid="doc-review-reason">{t('console.docs.reviewReason', { reason: doc.review.reason })}</span>
        </>
      )}
    </p>
  );
}

/**
 * "Who opened it": the record's access list, newest first, and a line per side. Loads when
 * shown and again on `refresh` changes; "Load more" follows next_cursor.
 */
export function AccessRecord({ doc, refresh, onSessionLost }) {
  const lang = useLanguage();
  const [state, setState] = useState({ status: 'loading', items: [], cursor: null, error: null });
  const path = `/api/v1/clinic/documents/${encodeURIComponent(doc.id)}/access`;

  const load = useCallback(async (cursor = null) => {
    setState((s) => ({ ...s, status: cursor ? 'more' : 'loading', error: null }));
    try {
      const page = await api(`${path}?${listQuery({ cursor, limit: 50 })}`);
      setState((s) => ({ status: 'ready', items: cursor ? [...s.items, ...page.items] : page.items, cursor: page.next_cursor ?? null, error: null }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setState((s) => ({ ...s, status: 'error', error }));
    }
  }, [path, onSessionLost]);
  useEffect(() => { load(); }, [load, refresh]);

  const sum = accessSummary(state.items);
  const line = (side) => {
    const s = sum[side];
    if (s.view + s.download === 0) return t(`console.docs.access.${side}None`);
    return t(`console.docs.access.${side}`, { views: s.view, downloads: s.download, when: formatTime(s.last, lang) });
  };
  const headingId = `doc-access-${doc.id}`;
  return (
    <section class="doc-access" aria-labelledby={headingId} data-testid="doc-access" data-state={state.status}>
      <h5 id={headingId}>{t('console.docs.access.heading', { title: doc.title })}</h5>
      {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state.status === 'error' && (
        <div class="alert-row">
          <p class="alert" role="alert" data-testid="doc-access-error">{errorMessage(state.error)}</p>
          <button type="button" class="button button-small" onClick={() => load()}>{t('common.retry')}</button>
        </div>
      )}
      {state.status !== 'loading' && state.status !== 'error' && (
        <>
          {state.items.length > 0 && (
            <ul class="doc-access-summary">
              <li data-testid="doc-access-patient" data-views={sum.patient.view} data-downloads={sum.patient.download}>{line('patient')}</li>
              <li data-testid="doc-access-staff" data-views={sum.staff.view} data-downloads={sum.staff.download}>{line('staff')}</li>
            </ul>
          )}
          {state.items.length === 0 ? (
            <p class="muted" data-testid="doc-access-empty">{t('console.docs.access.none')}</p>
          ) : (
            <table class="data-table doc-access-table" data-testid="doc-access-table">
              <caption class="visually-hidden">{t('console.docs.access.heading', { title: doc.title })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('console.docs.access.when')}</th>
                  <th scope="col">{t('console.docs.access.who')}</th>
                  <th scope="col">{t('console.docs.access.what')}</th>
                </tr>
              </thead>
              <tbody>
                {state.items.map((item, i) => (
                  <tr key={`${item.at}-${i}`} data-testid="doc-access-row" data-kind={item.by?.kind} data-action={item.action}>
                    <td data-label={t('console.docs.access.when')}>{formatTime(item.at, lang)}</td>
                    <td data-label={t('console.docs.access.who')}>
                      {t(item.by?.kind === 'patient' ? 'console.docs.access.byPatient' : 'console.docs.access.byStaff',
                        { name: item.by?.name ?? '—' })}
                    </td>
                    <td data-label={t('console.docs.access.what')}>{t(ACTION_KEYS[item.action] ?? 'documents.action.view')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div class="form-actions">
            {state.cursor && (
              <button type="button" class="button button-small button-outline" disabled={state.status === 'more'}
                onClick={() => load(state.cursor)} data-testid="doc-access-more">
                {t(state.status === 'more' ? 'common.loading' : 'console.finance.more')}
              </button>
            )}
            <button type="button" class="button button-small button-outline" onClick={() => load()} data-testid="doc-access-refresh">
              {t('console.docs.access.refresh')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
