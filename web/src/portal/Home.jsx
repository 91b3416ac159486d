// The signed-in patient's home page: a greeting with the first name and one tile per
// permission group the patient's permissions allow (title and a short line); a tile whose
// screen exists and is open to the patient links to it (homeRules.js sectionRoute) and says
// what that screen holds; one without such a screen says it is not open online and to ask
// the clinic (sectionLine). With
// view_balance, the balance comes first, in its own tile (FinanceScreens.jsx BalanceTile).
import { useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { homeSections, SECTION_KEYS, sectionLine, sectionRoute } from './homeRules.js';
import { hrefOf } from './router.js';
import { BalanceTile } from './FinanceScreens.jsx';

export function Home({ base, patient, permissions, clinicName, onSignOut, signingOut, onSessionLost, onPortalGone }) {
  useLanguage();
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  const sections = homeSections(permissions);

  return (
    <section class="home" aria-labelledby="home-heading" data-testid="portal-home">
      <h1 id="home-heading" ref={heading} tabIndex={-1} data-testid="home-greeting">
        {t('portal.home.greeting', { name: patient.first_name })}
      </h1>
      <p class="muted">{t('portal.home.intro', { clinic: clinicName })}</p>
      {base && permissions.includes('view_balance') && (
        <BalanceTile base={base} permissions={permissions} onSessionLost={onSessionLost} onPortalGone={onPortalGone} />
      )}
      {sections.length > 0 ? (
        <ul class="home-tiles" data-testid="home-sections" aria-label={t('portal.home.sectionsLabel')}>
          {sections.map((key) => {
            const route = sectionRoute(key, permissions);
            return (
              <li key={key} class={route ? 'home-tile home-tile-link' : 'home-tile'} data-testid={`home-section-${key}`}
                data-section={key}>
                <h2>
                  {route
                    ? <a href={hrefOf(route)} data-testid={`home-link-${key}`}>{t(SECTION_KEYS[key].title)}</a>
                    : t(SECTION_KEYS[key].title)}
                </h2>
                <p data-testid={`home-line-${key}`}>{t(sectionLine(key, permissions))}</p>
              </li>
            );
          })}
        </ul>
      ) : (
        <p class="card muted" data-testid="home-empty">{t('portal.home.empty')}</p>
      )}
      <button type="button" class="button button-outline button-block home-signout" onClick={onSignOut}
        disabled={signingOut} data-testid="portal-signout">
        {t(signingOut ? 'portal.home.signingOut' : 'portal.home.signOut')}
      </button>
    </section>
  );
}
