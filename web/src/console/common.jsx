// Small pieces the console screens share.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { listParams, searchQuery } from './patientRules.js';

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

/**
 * A patient search box's state (GET clinic/patients?q=, ten at most): {text, setText, state,
 * search}, state {status: idle | loading | ready | error, items, error, hint}; hint is set when
 * the text is too short to search. search is the form's submit handler; a 401 calls
 * onSessionLost.
 */
export function usePatientSearch(onSessionLost) {
  const [text, setText] = useState('');
  const [state, setState] = useState({ status: 'idle', items: [], error: null, hint: false });

  async function search(event) {
    event.preventDefault();
    const q = searchQuery(text);
    if (!q) { setState({ status: 'idle', items: [], error: null, hint: true }); return; }
    setState({ status: 'loading', items: [], error: null, hint: false });
    try {
      const page = await api(`/api/v1/clinic/patients?${listParams({ q, limit: 10 })}`);
      setState({ status: 'ready', items: page.items ?? [], error: null, hint: false });
    } catch (error) {
      if (error.status === 401) { onSessionLost(); return; }
      setState({ status: 'error', items: [], error, hint: false });
    }
  }
  return { text, setText, state, search };
}
