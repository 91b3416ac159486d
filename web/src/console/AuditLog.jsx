// Audit screen: GET /api/v1/clinic/audit?limit=50&cursor= pages the clinic's audit log,
// newest first, with "load more". Owner and admin only: staff see a note instead (the API
// answers 403 forbidden_role to them too).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { ErrorText } from './common.jsx';
import { ACTION_KEYS, ACTOR_KEYS, AUDIT_FIELD_KEYS, auditChanges, canManage } from './settingsRules.js';

const PAGE_SIZE = 50;

function formatTime(at, lang) {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return new Intl.DateTimeFormat(lang === 'tr' ? 'tr-TR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium' })
    .format(date);
}

const shortId = (id) => (id ? String(id).slice(0, 8) : '');

function formatValue(value) {
  if (value === null || value === undefined) return t('console.audit.empty');
  if (typeof value === 'boolean') return t(value ? 'console.audit.yes' : 'console.audit.no');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function Changes({ entry }) {
  const changes = auditChanges(entry.before, entry.after);
  if (!changes.length) return <span class="muted">{t('console.audit.noChanges')}</span>;
  return (
    <ul class="audit-changes">
      {changes.map((c) => (
        <li key={c.field}>
          <span class="audit-field" title={c.field}>
            {AUDIT_FIELD_KEYS[c.field] ? t(AUDIT_FIELD_KEYS[c.field]) : c.field}
          </span>{': '}
          {'added' in c
            ? [
              c.added.length > 0 && <span key="a" class="audit-added">{`+ ${c.added.join(', ')}`}</span>,
              c.removed.length > 0 && <span key="r" class="audit-removed">{`− ${c.removed.join(', ')}`}</span>,
            ]
            : `${formatValue(c.before)} → ${formatValue(c.after)}`}
        </li>
      ))}
    </ul>
  );
}

function actorText(entry, me) {
  if (entry.actor_type === 'staff' && entry.actor_id === me.id) return t('console.audit.actor.you', { name: me.name });
  const kind = ACTOR_KEYS[entry.actor_type] ? t(ACTOR_KEYS[entry.actor_type]) : entry.actor_type;
  return entry.actor_id ? `${kind} ${shortId(entry.actor_id)}` : kind;
}

export function AuditLog({ session, onSessionLost }) {
  const lang = useLanguage();
  const allowed = canManage(session.staff.role);
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [state, setState] = useState('loading'); // loading | ready | more | error | forbidden
  const [error, setError] = useState(null);

  const fetchPage = useCallback(async (after) => {
    setState(after ? 'more' : 'loading');
    setError(null);
    try {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (after) query.set('cursor', after);
      const page = await api(`/api/v1/clinic/audit?${query}`);
      setItems((prev) => (after ? [...prev, ...page.items] : page.items));
      setCursor(page.next_cursor ?? null);
      setState('ready');
    } catch (e) {
      if (e.status === 401) return onSessionLost();
      if (e.code === 'forbidden_role') return setState('forbidden');
      setError(e);
      setState('error');
    }
    return undefined;
  }, [onSessionLost]);

  useEffect(() => {
    if (allowed) fetchPage(null);
  }, [allowed, fetchPage]);

  const heading = (
    <header class="screen-header">
      <h2>{t('console.audit.heading')}</h2>
      <p class="muted">{t('console.audit.intro')}</p>
    </header>
  );

  if (!allowed || state === 'forbidden') {
    return (
      <section class="audit" data-testid="audit">
        {heading}
        <p class="banner banner-info" role="note" data-testid="audit-forbidden">{t('console.audit.forbidden')}</p>
      </section>
    );
  }

  return (
    <section class="audit" data-testid="audit">
      {heading}
      {state === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state === 'error' && (
        <div role="alert">
          <ErrorText error={error} testid="audit-error" />
          <button type="button" class="button button-small" onClick={() => fetchPage(items.length ? cursor : null)}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {state !== 'loading' && items.length === 0 && state !== 'error' && (
        <p class="muted" data-testid="audit-empty">{t('console.audit.none')}</p>
      )}
      {items.length > 0 && (
        <div class="card audit-card">
          <table class="audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('console.audit.col.time')}</th>
                <th scope="col">{t('console.audit.col.actor')}</th>
                <th scope="col">{t('console.audit.col.action')}</th>
                <th scope="col">{t('console.audit.col.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id} data-testid="audit-row" data-id={entry.id} data-action={entry.action}>
                  <td data-label={t('console.audit.col.time')}>
                    <time datetime={entry.at}>{formatTime(entry.at, lang)}</time>
                  </td>
                  <td data-label={t('console.audit.col.actor')}>{actorText(entry, session.staff)}</td>
                  <td data-label={t('console.audit.col.action')}>
                    <span class="audit-action">{ACTION_KEYS[entry.action] ? t(ACTION_KEYS[entry.action]) : entry.action}</span>
                    {entry.request_id && (
                      <span class="audit-request muted" title={entry.request_id}>
                        {t('console.audit.request', { id: shortId(entry.request_id) })}
                      </span>
                    )}
                  </td>
                  <td data-label={t('console.audit.col.changes')}><Changes entry={entry} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && state !== 'error' && (
        <button type="button" class="button button-outline audit-more" onClick={() => fetchPage(cursor)}
          disabled={state === 'more'} data-testid="audit-more">
          {t(state === 'more' ? 'common.loading' : 'console.audit.more')}
        </button>
      )}
    </section>
  );
}
