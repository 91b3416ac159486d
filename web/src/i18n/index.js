// Tiny i18n: picks the UI language and translates message keys with t(key, params).
//
// Language order: ?lang= in the address, then the choice saved in localStorage, then the
// browser's languages, then Turkish. setLanguage() saves the choice, updates <html lang>
// and notifies subscribers (the Preact hook in LanguageSwitcher.jsx re-renders on it).
// Plain JS without DOM access at import time, so node tests can import the catalogs.
import tr from './tr.js';
import en from './en.js';

export const catalogs = Object.freeze({ tr, en });
export const languages = Object.freeze(Object.keys(catalogs));
export const defaultLanguage = 'tr';

const STORAGE_KEY = 'portal.lang';
let current = defaultLanguage;
const listeners = new Set();

const isSupported = (lang) => typeof lang === 'string' && Object.hasOwn(catalogs, lang);

/** First supported of: query value, stored value, preferred browser languages ('en-US' counts as 'en'). */
export function pickLanguage({ query = null, stored = null, preferred = [] } = {}) {
  const candidates = [query, stored, ...preferred.map((tag) => String(tag).toLowerCase().split('-')[0])];
  return candidates.find(isSupported) ?? defaultLanguage;
}

// localStorage may be unavailable (privacy modes, storage disabled): then we just don't remember.
function readStored() {
  try { return window.localStorage.getItem(STORAGE_KEY); } catch { return null; }
}
function writeStored(lang) {
  try { window.localStorage.setItem(STORAGE_KEY, lang); } catch { /* not remembered */ }
}

/** Detects the language from the page's environment and applies it; call once before rendering. */
export function initLanguage() {
  current = pickLanguage({
    query: new URLSearchParams(window.location.search).get('lang'),
    stored: readStored(),
    preferred: navigator.languages?.length ? navigator.languages : [navigator.language],
  });
  document.documentElement.lang = current;
  return current;
}

export function getLanguage() {
  return current;
}

/** Switches language (ignores unsupported ones), remembers it and notifies subscribers. */
export function setLanguage(lang) {
  if (!isSupported(lang) || lang === current) return;
  current = lang;
  writeStored(lang);
  // A ?lang= left in the address would win over the saved choice on reload: keep it in step.
  const url = new URL(window.location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.set('lang', lang);
    window.history.replaceState(window.history.state, '', url);
  }
  document.documentElement.lang = lang;
  for (const listener of listeners) listener(lang);
}

/** Calls listener(lang) on every change; returns the function that unsubscribes. */
export function onLanguageChange(listener) {
  listeners.add(listener);
  return () => { listeners.delete(listener); };
}

/** The message for key in the current language, with {placeholders} filled from params. */
export function t(key, params) {
  const template = catalogs[current][key] ?? catalogs[defaultLanguage][key];
  if (template === undefined) {
    console.warn(`i18n: no message for "${key}"`);
    return key;
  }
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name) => (Object.hasOwn(params, name) ? String(params[name]) : match));
}
