// The clinic's messages (issue 14), at #/messages:
//   #/messages                 the inbox (GET clinic/messages): filters for status, topic,
//                              assignment (me, anyone, nobody, a colleague), unread only, and a
//                              patient (#/messages/patient/<id>, from the patient's page or
//                              the inbox's patient search, which also offers writing); each
//                              conversation with its patient, topic, status, assignee and unread
//                              count.
//   #/messages/<id>            one conversation (GET clinic/messages/{id}, which marks the
//                              patient's messages read): the patient's name linking to their
//                              record, the messages oldest first (bodies as text), reply (POST),
//                              close or reopen and assign (PATCH; the staff list from GET
//                              clinic/staff).
//   #/messages/new/<patient>   write to a patient (POST clinic/messages).
//   #/messages/auto-replies    the automatic first answers per topic (GET / PUT
//                              clinic/messages/auto-replies; owner and admin).
// The unread count in the menu is main.jsx's (useUnreadCount); onRead asks it again.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { formatInstant } from '../financeRules.js';
import {
  assigneeLabel, AUTO_REPLY_MAX, autoRepliesBody, autoRepliesForm, autoRepliesProblems, BODY_MAX, emptyFilters,
  filtered, HOURS_MAX, HOURS_MIN, inboxQuery, oldestFirst, retryWait, STATUSES, statusKey, SUBJECT_MAX, threadBody,
  threadProblems, topicKey, TOPICS, unreadBadge, UNREAD_POLL_MS,
} from '../messageRules.js';
import { MessageList, ReplyForm } from '../MessageParts.jsx';
import { canManage } from './settingsRules.js';
import { errorMessage, usePatientSearch } from './common.jsx';
import '../messages.css';
import './messages.css';

const INBOX = '/api/v1/clinic/messages';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A console failure in words: a closed conversation and the wait of a 429 in our own words. */
function messageError(error) {
  if (error?.code === 'thread_closed') return t('messages.closedNow');
  if (error?.code === 'rate_limited') {
    const wait = retryWait(error.retryAfter);
    return wait ? t('messages.rateLimitedWait', { wait: t(wait.key, { count: wait.count }) }) : t('messages.rateLimited');
  }
  if (error?.code === 'not_found') return t('console.messages.notFound');
  return errorMessage(error);
}

/**
 * The clinic's unread count for the menu: GET clinic/messages/unread-count now and every
 * UNREAD_POLL_MS while the console is open and signed in, with If-None-Match (a 304 keeps
 * what we have). Answers {count: {threads, messages} | null, refresh}.
 */
export function useUnreadCount(active) {
  const [count, setCount] = useState(null);
  const etag = useRef(null);
  const refresh = useCallback(async () => {
    const headers = { Accept: 'application/json, application/problem+json' };
    if (etag.current) headers['If-None-Match'] = etag.current;
    try {
      const res = await fetch(`${INBOX}/unread-count`, { credentials: 'same-origin', headers, cache: 'no-store' });
      if (res.status === 200) {
        etag.current = res.headers.get('ETag');
        setCount(await res.json());
      }
      // 304: unchanged; 401/403: the screens say it; a failure: the next poll tries again.
    } catch {
      // unreachable for now
    }
  }, []);
  useEffect(() => {
    etag.current = null;
    if (!active) { setCount(null); return undefined; }
    refresh();
    const timer = setInterval(() => { if (document.visibilityState !== 'hidden') refresh(); }, UNREAD_POLL_MS);
    return () => clearInterval(timer);
  }, [active, refresh]);
  return { count, refresh };
}

/** The clinic's staff for assignment ([] when the list cannot be read). */
function useStaff(onSessionLost) {
  const [staff, setStaff] = useState([]);
  useEffect(() => {
    let live = true;
    api('/api/v1/clinic/staff?limit=100')
      .then((answer) => { if (live) setStaff(Array.isArray(answer) ? answer : answer?.items ?? []); })
      .catch((e) => { if (e.status === 401) onSessionLost(); });
    return () => { live = false; };
  }, []);
  return staff;
}

function Filters({ filters, setFilters, staff, patientName }) {
  const set = (field) => (e) => {
    const { value, checked, type } = e.currentTarget;
    setFilters((f) => ({ ...f, [field]: type === 'checkbox' ? checked : value }));
  };
  return (
    <form class="msg-filters" role="search" aria-label={t('console.messages.filters')} onSubmit={(e) => e.preventDefault()}
      data-testid="msg-filters">
      <div class="field">
        <label for="msg-filter-status">{t('console.messages.filter.status')}</label>
        <select id="msg-filter-status" value={filters.status} onChange={set('status')} data-testid="msg-filter-status">
          <option value="">{t('console.messages.filter.any')}</option>
          {STATUSES.map((k) => <option key={k} value={k}>{t(statusKey(k))}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="msg-filter-topic">{t('console.messages.filter.topic')}</label>
        <select id="msg-filter-topic" value={filters.topic} onChange={set('topic')} data-testid="msg-filter-topic">
          <option value="">{t('console.messages.filter.any')}</option>
          {TOPICS.map((k) => <option key={k} value={k}>{t(topicKey(k))}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="msg-filter-assigned">{t('console.messages.filter.assigned')}</label>
        <select id="msg-filter-assigned" value={filters.assigned} onChange={set('assigned')} data-testid="msg-filter-assigned">
          <option value="">{t('console.messages.filter.anyone')}</option>
          <option value="me">{t('console.messages.filter.me')}</option>
          <option value="none">{t('console.messages.filter.nobody')}</option>
          {staff.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </select>
      </div>
      <label class="check msg-filter-unread">
        <input type="checkbox" checked={filters.unread} onChange={set('unread')} data-testid="msg-filter-unread" />
        <span>{t('console.messages.filter.unread')}</span>
      </label>
      {filters.patient_id && (
        <p class="msg-filter-patient" data-testid="msg-filter-patient">
          {t('console.messages.filter.patient', { name: patientName ?? '…' })}
          {' '}
          <a href="#/messages" data-testid="msg-filter-patient-clear">{t('console.messages.filter.allPatients')}</a>
        </p>
      )}
      {filtered(filters) && (
        <button type="button" class="button button-small button-outline" data-testid="msg-filter-clear"
          onClick={() => { setFilters(emptyFilters()); if (filters.patient_id) window.location.hash = '#/messages'; }}>
          {t('console.messages.filter.clear')}
        </button>
      )}
    </form>
  );
}

/** Finds a patient by name, phone or email: their conversations, or a new one to them. */
function PatientFinder({ onSessionLost }) {
  const { text, setText, state, search: submit } = usePatientSearch(onSessionLost);

  return (
    <div class="msg-finder">
      <form class="msg-finder-form" role="search" aria-label={t('console.messages.find.label')} onSubmit={submit}>
        <div class="field">
          <label for="msg-find">{t('console.messages.find.label')}</label>
          <input id="msg-find" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)}
            aria-describedby="msg-find-hint" data-testid="msg-find" />
        </div>
        <button type="submit" class="button button-small" data-testid="msg-find-go">{t('console.messages.find.go')}</button>
      </form>
      <p id="msg-find-hint" class={state.hint ? 'field-error' : 'hint'}>{t('console.messages.find.hint')}</p>
      {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state.status === 'error' && <p class="alert" role="alert">{errorMessage(state.error)}</p>}
      {state.status === 'ready' && state.items.length === 0 && <p class="muted" role="status">{t('console.messages.find.none')}</p>}
      {state.items.length > 0 && (
        <ul class="msg-finder-results" aria-label={t('console.messages.find.results')}>
          {state.items.map((p) => {
            const name = [p.first_name, p.last_name].filter(Boolean).join(' ');
            return (
              <li key={p.id} data-testid="msg-find-row" data-id={p.id}>
                <bdi>{name}</bdi>
                {' · '}
                <a href={`#/messages/patient/${encodeURIComponent(p.id)}`} data-testid="msg-find-threads">
                  {t('console.messages.find.threads')}<span class="visually-hidden"> {name}</span>
                </a>
                {' · '}
                <a href={`#/messages/new/${encodeURIComponent(p.id)}`} data-testid="msg-find-write">
                  {t('console.patient.write')}<span class="visually-hidden"> {name}</span>
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function Inbox({ session, patientId, onSessionLost, onRead }) {
  const lang = useLanguage();
  const staff = useStaff(onSessionLost);
  const [filters, setFilters] = useState(() => ({ ...emptyFilters(), patient_id: patientId ?? '' }));
  const [state, setState] = useState({ status: 'loading', items: [], cursor: null, error: null });
  const [patientName, setPatientName] = useState(null);
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);

  useEffect(() => { setFilters((f) => ({ ...f, patient_id: patientId ?? '' })); }, [patientId]);
  useEffect(() => {
    setPatientName(null);
    if (!patientId) return;
    api(`/api/v1/clinic/patients/${encodeURIComponent(patientId)}`)
      .then((p) => setPatientName([p.first_name, p.last_name].filter(Boolean).join(' ')))
      .catch(() => {});
  }, [patientId]);

  const load = useCallback(async (cursor = null) => {
    setState((s) => ({ ...s, status: cursor ? 'more' : 'loading', error: null }));
    try {
      const page = await api(`${INBOX}?${inboxQuery(filters, { cursor })}`);
      setState((s) => ({ status: 'ready', items: cursor ? [...s.items, ...page.items] : page.items, cursor: page.next_cursor ?? null, error: null }));
      if (!cursor) onRead();
    } catch (error) {
      if (error.status === 401) { onSessionLost(); return; }
      setState((s) => ({ ...s, status: 'error', error }));
    }
  }, [filters]);
  useEffect(() => { load(); }, [load]);

  return (
    <section class="messages" aria-labelledby="messages-heading" data-testid="console-messages" data-state={state.status}>
      <header class="screen-header msg-header">
        <h2 id="messages-heading" ref={heading} tabIndex={-1}>{t('console.messages.heading')}</h2>
        <div class="msg-header-actions">
          {patientId && (
            <a class="button button-small" href={`#/messages/new/${encodeURIComponent(patientId)}`} data-testid="msg-write">
              {t('console.messages.writeTo', { name: patientName ?? '' })}
            </a>
          )}
          {canManage(session.staff.role) && (
            <a class="button button-small button-outline" href="#/messages/auto-replies" data-testid="msg-auto-link">
              {t('console.messages.auto.heading')}
            </a>
          )}
        </div>
      </header>
      {!patientId && <PatientFinder onSessionLost={onSessionLost} />}
      <Filters filters={filters} setFilters={setFilters} staff={staff} patientName={patientName} />
      {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state.status === 'error' && (
        <div class="alert-row">
          <p class="alert" role="alert" data-testid="msg-inbox-error">{messageError(state.error)}</p>
          <button type="button" class="button button-small" onClick={() => load()}>{t('common.retry')}</button>
        </div>
      )}
      {state.status === 'ready' && state.items.length === 0 && (
        <p class="muted" data-testid="msg-inbox-empty">{t(filtered(filters) ? 'console.messages.noneFiltered' : 'console.messages.none')}</p>
      )}
      {state.items.length > 0 && (
        <ul class="msg-inbox" aria-label={t('console.messages.listLabel')}>
          {state.items.map((th) => {
            const badge = unreadBadge(th.unread);
            const who = assigneeLabel(th, session.staff.id);
            return (
              <li key={th.id} class={`msg-thread${th.unread > 0 ? ' msg-thread-unread' : ''}`} data-testid="msg-inbox-row"
                data-id={th.id} data-unread={th.unread} data-status={th.status}>
                <a href={`#/messages/${encodeURIComponent(th.id)}`} data-testid="msg-inbox-link">
                  <bdi class="msg-subject" data-testid="msg-inbox-subject">{th.subject}</bdi>
                  {badge && (
                    <span class="badge msg-unread" data-testid="msg-inbox-unread">
                      {badge}<span class="visually-hidden"> {t('messages.unreadCount', { count: th.unread })}</span>
                    </span>
                  )}
                </a>
                <p class="msg-meta">
                  <bdi data-testid="msg-inbox-patient">{th.patient_name}</bdi>
                  {' · '}{t(topicKey(th.topic))}
                  {' · '}{t(statusKey(th.status))}
                  {' · '}{t(who.key, who.params)}
                  {' · '}{formatInstant(th.last_message_at, lang)}
                </p>
              </li>
            );
          })}
        </ul>
      )}
      {state.cursor && state.status !== 'loading' && (
        <button type="button" class="button button-small button-outline" disabled={state.status === 'more'}
          onClick={() => load(state.cursor)} data-testid="msg-inbox-more">
          {t(state.status === 'more' ? 'common.loading' : 'messages.more')}
        </button>
      )}
    </section>
  );
}

function ThreadView({ id, session, onSessionLost, onRead }) {
  const lang = useLanguage();
  const staff = useStaff(onSessionLost);
  const [state, setState] = useState({ status: 'loading', thread: null, messages: [], error: null });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const [notice, setNotice] = useState(null);
  const heading = useRef(null);
  const url = `${INBOX}/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      const thread = await api(url);
      setState({ status: 'ready', thread, messages: oldestFirst(thread.messages), error: null });
      onRead();
    } catch (error) {
      if (error.status === 401) { onSessionLost(); return; }
      setState({ status: 'error', thread: null, messages: [], error });
    }
  }, [url]);
  useEffect(() => { load(); }, [load]);
  useLayoutEffect(() => { if (state.status !== 'loading') heading.current?.focus(); }, [state.status === 'loading']);

  async function send(body) {
    try {
      const message = await api(url, { method: 'POST', body: { body } });
      setState((s) => ({ ...s, messages: oldestFirst([...s.messages, message]) }));
      setNotice(t('console.messages.sent'));
    } catch (error) {
      if (error.status === 401) { onSessionLost(); throw null; } // eslint-disable-line no-throw-literal
      if (error.code === 'thread_closed') setState((s) => ({ ...s, thread: { ...s.thread, status: 'closed' } }));
      throw error;
    }
  }

  async function patch(body, done) {
    setBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      const thread = await api(url, { method: 'PATCH', body });
      setState((s) => ({ ...s, thread: { ...s.thread, ...thread } }));
      setNotice(done);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const { thread } = state;
  if (state.status === 'loading') return <p class="muted" role="status">{t('common.loading')}</p>;
  if (state.status === 'error') {
    return (
      <section class="messages" aria-labelledby="thread-heading" data-testid="console-thread" data-state="error">
        <a class="back-link" href="#/messages" data-testid="msg-back">{t('console.messages.back')}</a>
        <h2 id="thread-heading" ref={heading} tabIndex={-1}>{t('console.messages.heading')}</h2>
        <p class="alert" role="alert" data-testid="msg-thread-error">{messageError(state.error)}</p>
      </section>
    );
  }
  const closed = thread.status === 'closed';
  const assignedName = (sid) => staff.find((s) => s.id === sid)?.name ?? thread.assigned_to_name ?? '';
  return (
    <section class="messages" aria-labelledby="thread-heading" data-testid="console-thread" data-state="ready"
      data-status={thread.status}>
      <a class="back-link" href="#/messages" data-testid="msg-back">{t('console.messages.back')}</a>
      <header class="msg-thread-head">
        <h2 id="thread-heading" class="msg-title" ref={heading} tabIndex={-1} dir="auto" data-testid="msg-thread-title">{thread.subject}</h2>
        <p class="msg-meta">
          <a href={`#/patients/${encodeURIComponent(thread.patient_id)}`} data-testid="msg-thread-patient">
            <bdi>{thread.patient_name}</bdi>
          </a>
          {' · '}{t(topicKey(thread.topic))}
          {' · '}<span data-testid="msg-thread-status">{t(statusKey(thread.status))}</span>
        </p>
      </header>
      <div class="msg-tools" role="group" aria-label={t('console.messages.tools')}>
        <div class="field">
          <label for="msg-assign">{t('console.messages.assign')}</label>
          <select id="msg-assign" value={thread.assigned_to ?? ''} disabled={busy} data-testid="msg-assign"
            onChange={(e) => {
              const value = e.currentTarget.value || null;
              patch({ assigned_to: value }, value
                ? t('console.messages.assignedTo', { name: assignedName(value) })
                : t('console.messages.unassigned'));
            }}>
            <option value="">{t('messages.assigned.nobody')}</option>
            {thread.assigned_to && !staff.some((s) => s.id === thread.assigned_to) && (
              <option value={thread.assigned_to}>{thread.assigned_to_name ?? ''}</option>
            )}
            {staff.map((s) => <option key={s.id} value={s.id}>{s.id === session.staff.id ? t('console.messages.meNamed', { name: s.name }) : s.name}</option>)}
          </select>
        </div>
        <button type="button" class="button button-small button-outline" disabled={busy} data-testid={closed ? 'msg-reopen' : 'msg-close'}
          onClick={() => patch({ status: closed ? 'open' : 'closed' }, t(closed ? 'console.messages.reopened' : 'console.messages.closedDone'))}>
          {t(closed ? 'console.messages.reopen' : 'console.messages.close')}
        </button>
      </div>
      {failure && <p class="alert" role="alert" data-testid="msg-patch-error">{messageError(failure)}</p>}
      <p class="visually-hidden" role="status" data-testid="msg-notice">{notice ?? ''}</p>
      <MessageList messages={state.messages} side="staff" lang={lang} />
      {closed
        ? <p class="notice" data-testid="msg-closed">{t('console.messages.closedNote')}</p>
        : <ReplyForm idPrefix="console-reply" onSend={send} errorText={messageError} />}
    </section>
  );
}

function NewThread({ patientId, onSessionLost }) {
  useLanguage();
  const [patient, setPatient] = useState(null);
  const [form, setForm] = useState({ subject: '', topic: '', body: '' });
  const [problems, setProblems] = useState({});
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef(null);
  const formRef = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  useEffect(() => {
    api(`/api/v1/clinic/patients/${encodeURIComponent(patientId)}`).then(setPatient).catch((e) => {
      if (e.status === 401) onSessionLost();
      else setFailure(e);
    });
  }, [patientId]);
  const set = (field) => (e) => setForm((f) => ({ ...f, [field]: e.currentTarget.value }));

  async function submit(event) {
    event.preventDefault();
    const found = threadProblems(form);
    setProblems(found);
    setFailure(null);
    const first = Object.keys(found)[0];
    if (first) { formRef.current?.querySelector(`[name="${first}"]`)?.focus(); return; }
    setBusy(true);
    try {
      const thread = await api(INBOX, { method: 'POST', body: threadBody(form, patientId) });
      window.location.hash = `#/messages/${thread.id}`;
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else setFailure(e);
      setBusy(false);
    }
  }
  const name = patient ? [patient.first_name, patient.last_name].filter(Boolean).join(' ') : '';
  const props = (field) => ({
    id: `msg-new-${field}`, name: field, 'data-testid': `msg-new-${field}`, 'aria-invalid': problems[field] ? 'true' : undefined,
    'aria-describedby': problems[field] ? `msg-new-${field}-error` : undefined,
  });
  const problemOf = (field) => problems[field] && <p class="field-error" id={`msg-new-${field}-error`}>{t(problems[field])}</p>;
  return (
    <section class="messages" aria-labelledby="new-thread-heading" data-testid="console-new-thread">
      <a class="back-link" href={`#/messages/patient/${encodeURIComponent(patientId)}`} data-testid="msg-back">{t('console.messages.back')}</a>
      <h2 id="new-thread-heading" ref={heading} tabIndex={-1}>{t('console.messages.writeTo', { name })}</h2>
      <form ref={formRef} class="msg-new card" onSubmit={submit} noValidate>
        <label for="msg-new-subject">{t('messages.field.subject')}</label>
        <input type="text" maxLength={SUBJECT_MAX} value={form.subject} onInput={set('subject')} {...props('subject')} />
        {problemOf('subject')}
        <label for="msg-new-topic">{t('messages.field.topic')}</label>
        <select value={form.topic} onChange={set('topic')} {...props('topic')}>
          <option value="">{t('messages.field.topicChoose')}</option>
          {TOPICS.map((k) => <option key={k} value={k}>{t(topicKey(k))}</option>)}
        </select>
        {problemOf('topic')}
        <label for="msg-new-body">{t('messages.field.body')}</label>
        <textarea rows={6} maxLength={BODY_MAX} value={form.body} onInput={set('body')} {...props('body')} />
        {problemOf('body')}
        {failure && <p class="alert" role="alert" data-testid="msg-new-error">{messageError(failure)}</p>}
        <div class="msg-actions">
          <button type="submit" class="button" disabled={busy || !patient} data-testid="msg-new-send">
            {t(busy ? 'messages.sending' : 'messages.send')}
          </button>
        </div>
      </form>
    </section>
  );
}

function AutoReplies({ session, onSessionLost }) {
  useLanguage();
  const [form, setForm] = useState(null);
  const [problems, setProblems] = useState({});
  const [failure, setFailure] = useState(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const heading = useRef(null);
  const may = canManage(session.staff.role);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  useEffect(() => {
    if (!may) return;
    api(`${INBOX}/auto-replies`).then((a) => setForm(autoRepliesForm(a))).catch((e) => {
      if (e.status === 401) onSessionLost();
      else setFailure(e);
    });
  }, [may]);
  const set = (topic, field) => (e) => {
    const { type, checked, value } = e.currentTarget;
    setSaved(false);
    setForm((f) => ({ ...f, [topic]: { ...f[topic], [field]: type === 'checkbox' ? checked : value } }));
  };

  async function submit(event) {
    event.preventDefault();
    const found = autoRepliesProblems(form);
    setProblems(found);
    setFailure(null);
    setSaved(false);
    const first = Object.keys(found)[0];
    if (first) { document.getElementById(`auto-${first.replace('.', '-')}`)?.focus(); return; }
    setBusy(true);
    try {
      setForm(autoRepliesForm(await api(`${INBOX}/auto-replies`, { method: 'PUT', body: autoRepliesBody(form) })));
      setSaved(true);
    } catch (e) {
      if (e.status === 401) onSessionLost();
      else setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  const err = (key) => problems[key] && <p class="field-error" id={`auto-${key.replace('.', '-')}-error`}>{t(problems[key])}</p>;
  const described = (key) => (problems[key] ? { 'aria-invalid': 'true', 'aria-describedby': `auto-${key.replace('.', '-')}-error` } : {});
  return (
    <section class="messages" aria-labelledby="auto-heading" data-testid="console-auto-replies">
      <a class="back-link" href="#/messages" data-testid="msg-back">{t('console.messages.back')}</a>
      <h2 id="auto-heading" ref={heading} tabIndex={-1}>{t('console.messages.auto.heading')}</h2>
      <p class="hint">{t('console.messages.auto.intro')}</p>
      {!may && <p class="notice" data-testid="auto-refused">{t('console.messages.auto.ownerOnly')}</p>}
      {may && !form && !failure && <p class="muted" role="status">{t('common.loading')}</p>}
      {form && (
        <form class="msg-auto" onSubmit={submit} noValidate data-testid="auto-form">
          {TOPICS.map((topic) => (
            <fieldset key={topic} class="card msg-auto-topic" data-testid={`auto-${topic}`}>
              <legend>{t(topicKey(topic))}</legend>
              <label class="check">
                <input type="checkbox" id={`auto-${topic}-enabled`} checked={form[topic].enabled} onChange={set(topic, 'enabled')}
                  data-testid={`auto-${topic}-enabled`} />
                <span>{t('console.messages.auto.enabled')}</span>
              </label>
              <div class="field">
                <label for={`auto-${topic}-hours`}>{t('console.messages.auto.hours')}</label>
                <input type="number" id={`auto-${topic}-hours`} min={HOURS_MIN} max={HOURS_MAX} inputMode="numeric"
                  value={form[topic].hours} onInput={set(topic, 'hours')} data-testid={`auto-${topic}-hours`} {...described(`${topic}.hours`)} />
                {err(`${topic}.hours`)}
              </div>
              {['tr', 'en'].map((lang) => (
                <div class="field" key={lang}>
                  <label for={`auto-${topic}-${lang}`}>{t(`console.messages.auto.text.${lang}`)}</label>
                  <textarea id={`auto-${topic}-${lang}`} rows={3} maxLength={AUTO_REPLY_MAX} value={form[topic][lang]}
                    onInput={set(topic, lang)} data-testid={`auto-${topic}-${lang}`} {...described(`${topic}.${lang}`)} />
                  {err(`${topic}.${lang}`)}
                </div>
              ))}
            </fieldset>
          ))}
          <div class="msg-actions">
            <button type="submit" class="button" disabled={busy} data-testid="auto-save">
              {t(busy ? 'console.messages.auto.saving' : 'console.messages.auto.save')}
            </button>
          </div>
        </form>
      )}
      {failure && <p class="alert" role="alert" data-testid="auto-error">{messageError(failure)}</p>}
      <p role="status" class={saved ? 'notice' : 'visually-hidden'} data-testid="auto-saved">{saved ? t('console.messages.auto.saved') : ''}</p>
    </section>
  );
}

/** #/messages/... by path. */
export function Messages({ session, path, onSessionLost, onRead }) {
  const [first, second] = path;
  if (first === 'auto-replies') return <AutoReplies session={session} onSessionLost={onSessionLost} />;
  if (first === 'new' && UUID.test(second ?? '')) return <NewThread key={second} patientId={second} onSessionLost={onSessionLost} />;
  if (first && UUID.test(first)) return <ThreadView key={first} id={first} session={session} onSessionLost={onSessionLost} onRead={onRead} />;
  const patientId = first === 'patient' && UUID.test(second ?? '') ? second : null;
  return <Inbox session={session} patientId={patientId} onSessionLost={onSessionLost} onRead={onRead} />;
}
