// Small pieces the console screens share.
import { t } from '../i18n/index.js';

/**
 * An API failure in words: the server's problem `detail` when it gave one (it names the
 * cause, e.g. "wrong password" or "too many attempts"), else our own text for the status.
 */
export function errorMessage(error) {
  if (!error) return '';
  if (error.status === 0) return t('error.network');
  return error.detail || error.title || t('error.generic');
}

export function ErrorText({ error, testid }) {
  return <p class="alert" role="alert" data-testid={testid}>{errorMessage(error)}</p>;
}

/** A timestamp as a date and time in the UI language (the raw value if it cannot be read). */
export function formatTime(at, lang) {
  if (!at) return '';
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return new Intl.DateTimeFormat(lang === 'tr' ? 'tr-TR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })
    .format(date);
}
