// Preact side of i18n: a hook that re-renders on language change and the TR / EN switcher
// shown in both shells.
import { useEffect, useState } from 'preact/hooks';
import { getLanguage, languages, onLanguageChange, setLanguage, t } from './index.js';

/** The current language; the calling component re-renders when it changes. */
export function useLanguage() {
  const [lang, setLang] = useState(getLanguage());
  useEffect(() => onLanguageChange(setLang), []);
  return lang;
}

export function LanguageSwitcher() {
  const lang = useLanguage();
  return (
    <div class="lang-switcher" role="group" aria-label={t('lang.switcher')}>
      {languages.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          title={t(`lang.${code}.name`)}
          aria-pressed={code === lang ? 'true' : 'false'}
          data-testid={`lang-${code}`}
          onClick={() => setLanguage(code)}
        >
          {t(`lang.${code}.short`)}
        </button>
      ))}
    </div>
  );
}
