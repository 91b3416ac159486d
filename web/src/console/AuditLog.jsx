// Audit screen: GET /api/v1/clinic/audit?limit=50&cursor= pages the clinic's audit log,
// newest first, with "load more". Owner and admin only: staff see a note instead (the API
// answers 403 forbidden_role to them too). In words, not keys: who by name (staff, patient,
// API key), what in a sentence, the patient or member of staff it concerned by name with a
// link to the patient's page, and permissions by their names in the screen's language.
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

// A permission key by its name in the catalog (GET clinic/portal/permissions), else the key.
function valueWords(field, value, labels, lang) {
  if ((field === 'permissions' || field === 'effective') && labels?.[value]) {
    return labels[value][lang] ?? labels[value].tr ?? value;
  }
  return value;
}

// A patient's permission source ("clinic", "custom") in the screen's words.
const MODE_WORDS = { clinic: 'console.perms.mode.clinic', custom: 'console.perms.mode.custom' };

function Changes({ entry, labels, lang }) {
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
              c.added.length > 0 && (
                <span key="a" class="audit-added">{`+ ${c.added.map((v) => valueWords(c.field, v, labels, lang)).join(', ')}`}</span>
              ),
              c.removed.length > 0 && (
                <span key="r" class="audit-removed">{`− ${c.removed.map((v) => valueWords(c.field, v, labels, lang)).join(', ')}`}</span>
              ),
            ]
            : c.field === 'mode' && MODE_WORDS[c.before] && MODE_WORDS[c.after]
              ? `${t(MODE_WORDS[c.before])} → ${t(MODE_WORDS[c.after])}`
              : `${formatValue(c.before)} → ${formatValue(c.after)}`}
        </li>
      ))}
    </ul>
  );
}

function actorText(entry, me) {
  if (entry.actor_type === 'staff' && entry.actor_id === me.id) return t('console.audit.actor.you', { name: me.name });
  const kind = ACTOR_KEYS[entry.actor_type] ? t(ACTOR_KEYS[entry.actor_type]) : entry.actor_type;
  if (entry.actor_name) return `${entry.actor_name} (${kind.toLocaleLowerCase()})`;
  return entry.actor_id ? t('console.audit.actor.removed', { kind }) : kind;
}

// The patient an entry concerned (its target, or the patient who acted), as a link.
function Concerning({ entry }) {
  // One's own sign-in or password change concerns oneself: the actor says it already.
  if (entry.target_id && entry.target_id === entry.actor_id) return null;
  const patient = entry.target_type === 'patient' && entry.target_name ? { id: entry.target_id, name: entry.target_name }
    : null;
  if (patient) {
    return (
      <a class="audit-target" href={`#/patients/${encodeURIComponent(patient.id)}`} data-testid="audit-target">
        {t('console.audit.target', { name: patient.name })}
      </a>
    );
  }
  if (entry.target_type === 'staff' && entry.target_name) {
    return <span class="audit-target" data-testid="audit-target">{t('console.audit.target', { name: entry.target_name })}</span>;
  }
  return null;
}

export function AuditLog({ session, onSessionLost }) {
  const lang = useLanguage();
  const allowed = canManage(session.staff.role);
  const [items, setItems] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [state, setState] = useState('loading'); // loading | ready | more | error | forbidden
  const [error, setError] = useState(null);
  const [labels, setLabels] = useState(null); // {permission key: {tr, en}}, from the catalog

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

  // Permission names for the changes; without them the keys show, as before.
  useEffect(() => {
    if (!allowed) return;
    api('/api/v1/clinic/portal/permissions').then((catalog) => {
      const out = {};
      for (const group of catalog.groups ?? []) for (const p of group.permissions) out[p.key] = p.label;
      setLabels(out);
    }).catch(() => {});
  }, [allowed]);

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
                  <td data-label={t('console.audit.col.actor')} data-testid="audit-actor">
                    {entry.actor_type === 'patient' && entry.actor_name
                      ? <a href={`#/patients/${encodeURIComponent(entry.actor_id)}`}>{actorText(entry, session.staff)}</a>
                      : actorText(entry, session.staff)}
                  </td>
                  <td data-label={t('console.audit.col.action')}>
                    <span class="audit-action" data-testid="audit-action">
                      {ACTION_KEYS[entry.action] ? t(ACTION_KEYS[entry.action]) : entry.action}
                    </span>
                    {' '}<Concerning entry={entry} />
                    {entry.request_id && (
                      <span class="audit-request muted" title={entry.request_id}>
                        {t('console.audit.request', { id: shortId(entry.request_id) })}
                      </span>
                    )}
                  </td>
                  <td data-label={t('console.audit.col.changes')}><Changes entry={entry} labels={labels} lang={lang} /></td>
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
