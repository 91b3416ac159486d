// Pieces of a conversation both apps show (issue 14): its messages oldest first, each body
// as text with its line breaks (never HTML; an embedded direction override stays inside its
// own paragraph), and the reply box. The caller says whose side the reader is on and how an
// API error reads.
import { useRef, useState } from 'preact/hooks';
import { t } from './i18n/index.js';
import { formatInstant } from './financeRules.js';
import { authorLabel, BODY_MAX, bodyProblems } from './messageRules.js';

/** The messages of a conversation, oldest first; bodies as text with their line breaks. */
export function MessageList({ messages, side, lang, testid = 'msg-message' }) {
  return (
    <ol class="msg-list" aria-label={t('messages.messagesLabel')}>
      {messages.map((m) => {
        const who = authorLabel(m, side);
        return (
          <li key={m.id} class={`msg msg-${m.author?.kind === side ? 'mine' : 'theirs'}`} data-testid={testid}
            data-kind={m.author?.kind} data-automatic={m.automatic ? 'true' : 'false'}>
            <p class="msg-head">
              <strong>{t(who.key, who.params)}</strong>
              {' · '}
              <span class="muted">{formatInstant(m.created_at, lang)}</span>
            </p>
            <p class="msg-body" dir="auto" data-testid={`${testid}-body`}>{m.body}</p>
          </li>
        );
      })}
    </ol>
  );
}

/** A reply box: onSend(body) resolves when sent, rejects with the API error. */
export function ReplyForm({ onSend, idPrefix, errorText, testid = 'msg-reply' }) {
  const [body, setBody] = useState('');
  const [problem, setProblem] = useState(null); // a catalog key
  const [error, setError] = useState(null);
  const [sending, setSending] = useState(false);
  const field = useRef(null);

  async function submit(event) {
    event.preventDefault();
    const problems = bodyProblems(body);
    setError(null);
    setProblem(problems[0] ?? null);
    if (problems.length) { field.current?.focus(); return; }
    setSending(true);
    try {
      await onSend(body);
      setBody('');
    } catch (e) {
      if (e) setError(e);
    } finally {
      setSending(false);
    }
  }

  const id = `${idPrefix}-body`;
  return (
    <form class="msg-reply" onSubmit={submit} noValidate data-testid={testid}>
      <label for={id}>{t('messages.reply.label')}</label>
      <textarea id={id} ref={field} rows={4} maxLength={BODY_MAX} value={body} onInput={(e) => setBody(e.currentTarget.value)}
        aria-invalid={problem ? 'true' : undefined} aria-describedby={problem ? `${id}-error` : undefined}
        data-testid={`${testid}-body`} />
      {problem && <p class="field-error" id={`${id}-error`} data-testid={`${testid}-problem`}>{t(problem)}</p>}
      {error && <p class="alert" role="alert" data-testid={`${testid}-error`} data-code={error.code}>{errorText(error)}</p>}
      <div class="msg-actions">
        <button type="submit" class="button" disabled={sending} data-testid={`${testid}-send`}>
          {t(sending ? 'messages.sending' : 'messages.reply.send')}
        </button>
      </div>
    </form>
  );
}

