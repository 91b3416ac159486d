// The patient's conversations with the clinic (issue 14):
//   #/messages        (view_messages) the conversations, newest activity first, each with its
//                     topic, open or closed, and how many of the clinic's messages are unread
//                     (GET messages).
//   #/messages/<id>   (view_messages) one conversation, oldest message first (GET
//                     messages/{id}, which marks the clinic's messages read); with
//                     send_message a reply (POST messages/{id}); a closed conversation says so
//                     and offers a new one.
//   #/messages/new    (send_message) a new conversation: subject, topic, first message (POST
//                     messages).
// Subjects and bodies are shown as text (line breaks kept, never HTML). Too many messages
// (429) is said with when to try again.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { formatInstant } from '../financeRules.js';
import {
  BODY_MAX, oldestFirst, retryWait, statusKey, SUBJECT_MAX, threadBody, threadProblems, topicKey, TOPICS, unreadBadge,
} from '../messageRules.js';
import { MessageList, ReplyForm } from '../MessageParts.jsx';
import '../messages.css';
import { BackHome, problemText } from './common.jsx';
import { usePagedList, useEnds } from './FinanceScreens.jsx';
import { go, hrefOf } from './router.js';
import './screens.css';

function useFocusHeading() {
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  return heading;
}

/** A sending failure in plain words: 429 with the wait, a closed conversation, else the usual. */
export function messageProblemText(error) {
  if (error?.code === 'rate_limited') {
    const wait = retryWait(error.retryAfter);
    return wait ? t('messages.rateLimitedWait', { wait: t(wait.key, { count: wait.count }) }) : t('messages.rateLimited');
  }
  if (error?.code === 'thread_closed') return t('messages.closedNow');
  if (error?.code === 'permission_denied' && error.permission === 'send_message') return t('messages.denied.send');
  if (error?.code === 'permission_denied' && error.permission === 'view_messages') return t('messages.denied.view');
  return problemText(error);
}

function MessageProblem({ error, testid }) {
  if (!error) return null;
  return (
    <p class="alert" role="alert" data-testid={testid} data-code={error.code}>{messageProblemText(error)}</p>
  );
}

function NewLink({ permissions, outline = false }) {
  if (!permissions.includes('send_message')) return null;
  return (
    <a class={`button button-small${outline ? ' button-outline' : ''}`} href={hrefOf('messages/new')} data-testid="msg-new-link">
      {t('messages.new')}
    </a>
  );
}

/** #/messages */
export function Messages({ base, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useFocusHeading();
  const ends = useEnds(onSessionLost, onPortalGone);
  const list = usePagedList(`${base}messages`, ends);
  return (
    <section class="screen" aria-labelledby="messages-heading" data-testid="portal-messages" data-state={list.status}>
      <BackHome />
      <div class="screen-top">
        <h1 id="messages-heading" ref={heading} tabIndex={-1}>{t('messages.heading')}</h1>
        <NewLink permissions={permissions} />
      </div>
      {list.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {list.status === 'error' && (
        <div class="alert-row">
          <MessageProblem error={list.error} testid="msg-list-error" />
          <button type="button" class="button button-small" onClick={list.load}>{t('common.retry')}</button>
        </div>
      )}
      {list.status !== 'loading' && list.items.length === 0 && list.status !== 'error' && (
        <p class="card muted" data-testid="msg-empty">{t('messages.empty')}</p>
      )}
      {list.items.length > 0 && (
        <ul class="msg-threads" aria-label={t('messages.listLabel')}>
          {list.items.map((th) => {
            const badge = unreadBadge(th.unread);
            return (
              <li key={th.id} class={`msg-thread${th.unread > 0 ? ' msg-thread-unread' : ''}`} data-testid="msg-thread"
                data-id={th.id} data-unread={th.unread} data-status={th.status}>
                <a href={hrefOf(`messages/${th.id}`)} data-testid="msg-thread-link">
                  <bdi class="msg-subject" data-testid="msg-thread-subject">{th.subject}</bdi>
                  {badge && (
                    <span class="badge msg-unread" data-testid="msg-thread-unread">
                      {badge}<span class="visually-hidden"> {t('messages.unreadCount', { count: th.unread })}</span>
                    </span>
                  )}
                </a>
                <p class="muted msg-meta">
                  {t(topicKey(th.topic))}
                  {' · '}
                  {t(statusKey(th.status))}
                  {' · '}
                  {formatInstant(th.last_message_at, lang)}
                </p>
              </li>
            );
          })}
        </ul>
      )}
      {list.cursor && list.status !== 'loading' && (
        <button type="button" class="button button-outline button-small" disabled={list.status === 'more'} onClick={list.more}
          data-testid="msg-more">
          {t(list.status === 'more' ? 'common.loading' : 'messages.more')}
        </button>
      )}
    </section>
  );
}

/** #/messages/<id> */
export function MessageThread({ base, id, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useRef(null);
  const ends = useEnds(onSessionLost, onPortalGone);
  const [state, setState] = useState({ status: 'loading', thread: null, messages: [], error: null });
  const url = `${base}messages/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      const thread = await api(url);
      setState({ status: 'ready', thread, messages: oldestFirst(thread.messages), error: null });
    } catch (error) {
      if (ends(error)) return;
      setState({ status: 'error', thread: null, messages: [], error });
    }
  }, [url, ends]);
  useEffect(() => { load(); }, [load]);
  useLayoutEffect(() => { if (state.status !== 'loading') heading.current?.focus(); }, [state.status === 'loading']);

  async function send(body) {
    try {
      const message = await api(url, { method: 'POST', body: { body } });
      setState((s) => ({ ...s, messages: oldestFirst([...s.messages, message]) }));
    } catch (error) {
      if (ends(error)) throw null; // eslint-disable-line no-throw-literal
      if (error.code === 'thread_closed') setState((s) => ({ ...s, thread: { ...s.thread, status: 'closed' } }));
      throw error;
    }
  }

  const { thread } = state;
  return (
    <section class="screen" aria-labelledby="thread-heading" data-testid="portal-thread" data-state={state.status}
      data-status={thread?.status}>
      <a class="back-link" href={hrefOf('messages')} data-testid="msg-back">{t('messages.back')}</a>
      {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {state.status === 'error' && (
        <>
          <h1 id="thread-heading" ref={heading} tabIndex={-1}>{t('messages.heading')}</h1>
          <div class="alert-row">
            <MessageProblem error={state.error} testid="msg-thread-error" />
            {state.error.status !== 404 && (
              <button type="button" class="button button-small" onClick={load}>{t('common.retry')}</button>
            )}
          </div>
        </>
      )}
      {thread && (
        <>
          <h1 id="thread-heading" class="msg-title" ref={heading} tabIndex={-1} dir="auto" data-testid="msg-thread-title">{thread.subject}</h1>
          <p class="muted msg-meta">
            {t(topicKey(thread.topic))}
            {' · '}
            <span data-testid="msg-thread-status">{t(statusKey(thread.status))}</span>
          </p>
          <MessageList messages={state.messages} side="patient" lang={lang} />
          {thread.status === 'closed' ? (
            <div class="card msg-closed" role="status" data-testid="msg-closed">
              <p>{t('messages.closedNote')}</p>
              <NewLink permissions={permissions} />
            </div>
          ) : permissions.includes('send_message') && (
            <ReplyForm idPrefix="portal-reply" onSend={send} errorText={messageProblemText} />
          )}
        </>
      )}
    </section>
  );
}

/** #/messages/new */
export function NewMessage({ base, onSessionLost, onPortalGone }) {
  useLanguage();
  const heading = useFocusHeading();
  const ends = useEnds(onSessionLost, onPortalGone);
  const [form, setForm] = useState({ subject: '', topic: '', body: '' });
  const [problems, setProblems] = useState({});
  const [error, setError] = useState(null);
  const [sending, setSending] = useState(false);
  const formRef = useRef(null);
  const set = (field) => (e) => setForm((f) => ({ ...f, [field]: e.currentTarget.value }));

  async function submit(event) {
    event.preventDefault();
    const found = threadProblems(form);
    setProblems(found);
    setError(null);
    const first = Object.keys(found)[0];
    if (first) { formRef.current?.querySelector(`[name="${first}"]`)?.focus(); return; }
    setSending(true);
    try {
      const thread = await api(`${base}messages`, { method: 'POST', body: threadBody(form) });
      go(`messages/${thread.id}`);
    } catch (e) {
      if (!ends(e)) setError(e);
      setSending(false);
    }
  }

  const fieldProps = (name) => ({
    id: `msg-new-${name}`, name, 'aria-invalid': problems[name] ? 'true' : undefined,
    'aria-describedby': problems[name] ? `msg-new-${name}-error` : undefined, 'data-testid': `msg-new-${name}`,
  });
  const problemOf = (name) => problems[name] && (
    <p class="field-error" id={`msg-new-${name}-error`}>{t(problems[name])}</p>
  );
  return (
    <section class="screen" aria-labelledby="new-message-heading" data-testid="portal-new-message">
      <a class="back-link" href={hrefOf('messages')} data-testid="msg-back">{t('messages.back')}</a>
      <h1 id="new-message-heading" ref={heading} tabIndex={-1}>{t('messages.new')}</h1>
      <form ref={formRef} class="card msg-new" onSubmit={submit} noValidate>
        <label for="msg-new-subject">{t('messages.field.subject')}</label>
        <input type="text" maxLength={SUBJECT_MAX} value={form.subject} onInput={set('subject')} {...fieldProps('subject')} />
        {problemOf('subject')}
        <label for="msg-new-topic">{t('messages.field.topic')}</label>
        <select value={form.topic} onChange={set('topic')} {...fieldProps('topic')}>
          <option value="">{t('messages.field.topicChoose')}</option>
          {TOPICS.map((k) => <option key={k} value={k}>{t(topicKey(k))}</option>)}
        </select>
        {problemOf('topic')}
        <label for="msg-new-body">{t('messages.field.body')}</label>
        <textarea rows={6} maxLength={BODY_MAX} value={form.body} onInput={set('body')} {...fieldProps('body')} />
        {problemOf('body')}
        <MessageProblem error={error} testid="msg-new-error" />
        <div class="form-actions">
          <button type="submit" class="button" disabled={sending} data-testid="msg-new-send">
            {t(sending ? 'messages.sending' : 'messages.send')}
          </button>
        </div>
      </form>
    </section>
  );
}
