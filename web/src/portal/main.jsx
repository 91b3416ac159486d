// Patient portal shell, served for /<code> and /<code>/...: reads the portal code from the
// address, loads the clinic's public card (unknown, disabled and retired codes all answer
// 404 alike: a "not available" page), then asks GET me: a live session goes straight to the
// home page (an app reloaded in the browser continues), 401 shows the sign-in steps
// (SignIn.jsx). Home.jsx greets the patient; Sign out (POST logout) comes back to sign-in.
// Signed in, the address hash names the screen (router.js; SCREENS below): #/ is the home
// page, #/profile, #/appointments, #/appointments/new, #/treatments, and the finance screens
// (financeRoutes.js: #/invoices, #/invoices/<id>, #/payments, #/pay, #/pay/<invoice id>,
// #/payments/<id>/result, where the payment provider sends the browser back), #/documents,
// #/images and #/documents/upload (Documents.jsx), #/messages, #/messages/new and
// #/messages/<id> (Messages.jsx), #/forms and #/forms/<id> (Forms.jsx); a screen the patient's
// permissions do not open (a saved link to a section taken away) says so, with the way to the
// clinic and back home; an address that is no screen at all shows the home page. A 401 from a
// screen (the session ran out) comes back to sign-in with a notice. A portal that closes or
// moves under a signed-in patient (404 from its card or a screen) says that it is closed;
// strangers, and anyone without a session here a moment ago, get the same "not available"
// page as for a mistyped address (DESIGN.md section 4).
// Every patient call is under /api/v1/portal/{code}/ with same-origin cookies.
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken } from '../api.js';
import { initLanguage, t } from '../i18n/index.js';
import { LanguageSwitcher, useLanguage } from '../i18n/LanguageSwitcher.jsx';
import '../styles/base.css';
import { Home } from './Home.jsx';
import { SignIn } from './SignIn.jsx';
import { useHashRoute } from './router.js';
import { Profile } from './Profile.jsx';
import { Appointments } from './Appointments.jsx';
import { BookAppointment } from './Book.jsx';
import { Treatments } from './Treatments.jsx';
import { InvoicePage, Invoices, Payments } from './FinanceScreens.jsx';
import { Pay, PayResult } from './FinancePay.jsx';
import { FINANCE_NEEDS, financeRoute } from './financeRoutes.js';
import { Documents, Images, UploadDocument } from './Documents.jsx';
import { Messages, MessageThread, NewMessage } from './Messages.jsx';
import { MESSAGE_NEEDS, messageRoute } from '../messageRules.js';
import { FormPage, Forms } from './Forms.jsx';
import { FORM_NEEDS, formRoute } from '../formRules.js';
import { isSectionRoute } from './homeRules.js';
import './portal.css';

// The same rule nginx uses to route /<code> here.
const CODE_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

// The screens by hash route: each opens when the patient holds one of `needs`. A screen
// gets {base, patient, permissions, clinicName, onSessionLost, onPortalGone, onPatientChanged}.
const SCREENS = {
  profile: { needs: ['view_profile'], Screen: Profile },
  appointments: { needs: ['view_appointments'], Screen: Appointments },
  'appointments/new': { needs: ['create_appointment'], Screen: BookAppointment },
  treatments: { needs: ['view_treatments'], Screen: Treatments },
  documents: { needs: ['view_documents'], Screen: Documents },
  images: { needs: ['view_images'], Screen: Images },
  'documents/upload': { needs: ['upload_documents'], Screen: UploadDocument },
};

// The messages screens (messageRules.js messageRoute: messages, messages/new, messages/<id>).
const MESSAGE_SCREENS = { list: Messages, thread: MessageThread, new: NewMessage };

// The forms screens (formRules.js formRoute: forms, forms/<id>).
const FORM_SCREENS = { list: Forms, form: FormPage };

// The finance screens (financeRoutes.js: routes that carry an id, such as invoices/<id>).
const FINANCE_SCREENS = { invoices: Invoices, invoice: InvoicePage, payments: Payments, pay: Pay, result: PayResult };

/** {Screen, id} for the route when the patient's permissions open it, else null (home). */
function screenFor(route, permissions) {
  const allowed = (needs) => needs.some((key) => permissions.includes(key));
  if (Object.hasOwn(SCREENS, route)) return allowed(SCREENS[route].needs) ? { Screen: SCREENS[route].Screen, id: null } : null;
  const finance = financeRoute(route);
  if (finance && allowed(FINANCE_NEEDS[finance.screen])) return { Screen: FINANCE_SCREENS[finance.screen], id: finance.id };
  const messages = messageRoute(route);
  if (messages && allowed(MESSAGE_NEEDS[messages.screen])) return { Screen: MESSAGE_SCREENS[messages.screen], id: messages.id };
  const forms = formRoute(route);
  if (forms && allowed(FORM_NEEDS[forms.screen])) return { Screen: FORM_SCREENS[forms.screen], id: forms.id };
  return null;
}

function portalCodeFromPath(pathname) {
  const first = pathname.split('/')[1] ?? '';
  return CODE_PATTERN.test(first) ? first : null;
}

/**
 * Loads GET /api/v1/portal/{code}/, then GET me. state.status: loading | not-found | error
 * | signin | home; ready states carry the card, home also {patient, permissions}.
 */
function usePortal(code) {
  const [state, setState] = useState({ status: code ? 'loading' : 'not-found' });
  const [attempt, setAttempt] = useState(0);
  const base = code ? `/api/v1/portal/${code}/` : null;

  useEffect(() => {
    if (!base) return undefined;
    const controller = new AbortController();
    const { signal } = controller;
    setState({ status: 'loading' });
    (async () => {
      let card;
      try {
        card = await api(base, { signal });
      } catch (error) {
        if (signal.aborted) return;
        if (error.status === 404) {
          const had = hadSession(code);
          setState(had ? { status: 'closed', card: had } : { status: 'not-found' });
        } else {
          setState({ status: 'error', error });
        }
        return;
      }
      try {
        const me = await api(`${base}me`, { signal });
        setCsrfToken(me.csrf_token);
        rememberSession(code, card);
        setState({ status: 'home', card, patient: me.patient, permissions: me.permissions ?? [] });
      } catch (error) {
        if (signal.aborted) return;
        setCsrfToken(null);
        if (error.status === 401) setState({ status: 'signin', card });
        else if (error.status === 404) setState({ status: 'not-found' });
        else setState({ status: 'error', error });
      }
    })();
    return () => controller.abort();
  }, [base, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { base, state, setState, retry };
}

// This tab had a session at this portal: the clinic's card as it was then (name and contact),
// so that a portal closed since can say so instead of "check the address". Kept for the tab
// only (sessionStorage), dropped on signing out.
const sessionKey = (code) => `portal-had-session:${code}`;
function rememberSession(code, card) {
  try {
    sessionStorage.setItem(sessionKey(code), JSON.stringify({ name: card?.name ?? null, phone: card?.phone ?? null,
      email: card?.email ?? null, address: card?.address ?? null }));
  } catch { /* storage off: the closed portal reads as not available, as for anyone */ }
}
function forgetSession(code) {
  try { sessionStorage.removeItem(sessionKey(code)); } catch { /* nothing kept */ }
}
function hadSession(code) {
  try { return JSON.parse(sessionStorage.getItem(sessionKey(code)) ?? 'null'); } catch { return null; }
}

function Closed({ card }) {
  return (
    <section class="card" role="alert" data-testid="portal-closed">
      <h1>{t('portal.closed.heading')}</h1>
      <p>{t('portal.closed.body', { clinic: card?.name ?? t('portal.closed.theClinic') })}</p>
    </section>
  );
}

// A section the patient's permissions no longer open (a saved link, a permission taken away).
function Unavailable() {
  return (
    <section class="card" data-testid="portal-unavailable" aria-labelledby="unavailable-heading">
      <h1 id="unavailable-heading">{t('portal.unavailable.heading')}</h1>
      <p>{t('portal.unavailable.body')}</p>
      <p><a href="#/" class="button" data-testid="unavailable-home">{t('portal.unavailable.home')}</a></p>
    </section>
  );
}

function NotFound() {
  return (
    <section class="card" data-testid="portal-not-found">
      <h1>{t('portal.notFound.heading')}</h1>
      <p class="muted">{t('portal.notFound.body')}</p>
    </section>
  );
}

function LoadError({ error, onRetry }) {
  return (
    <section class="card" role="alert" data-testid="portal-error">
      <p>{t(error.status === 0 ? 'error.network' : 'error.generic')}</p>
      <button type="button" class="button" onClick={onRetry}>{t('common.retry')}</button>
    </section>
  );
}

/* How to reach the clinic (its profile's phone, email and address), on every screen:
 * wherever the portal says "contact the clinic", the way is at hand. */
function ClinicContact({ card }) {
  if (!card?.phone && !card?.email && !card?.address) return null;
  return (
    <address class="clinic-contact" data-testid="clinic-contact">
      <span class="clinic-contact-title">{t('portal.contact.title')}</span>
      {card.phone && <a href={`tel:${card.phone}`} data-testid="clinic-phone">{card.phone}</a>}
      {card.email && <a href={`mailto:${card.email}`} data-testid="clinic-email">{card.email}</a>}
      {card.address && <span class="clinic-address" data-testid="clinic-address">{card.address}</span>}
    </address>
  );
}

function App({ code }) {
  const lang = useLanguage();
  const route = useHashRoute();
  const { base, state, setState, retry } = usePortal(code);
  const [signingOut, setSigningOut] = useState(false);
  const [notice, setNotice] = useState(null); // the sign-in step's notice, e.g. 'signedOut'
  const card = state.card ?? null;
  const clinicName = card?.name ?? null;

  useEffect(() => {
    document.title = clinicName ? `${clinicName} · ${t('product.name')}` : t('product.name');
  }, [lang, clinicName]);

  function signedIn(answer) {
    setCsrfToken(answer.csrf_token);
    rememberSession(code, card);
    setNotice(null);
    setState({ status: 'home', card, patient: answer.patient, permissions: answer.permissions ?? [] });
  }

  async function signOut() {
    setSigningOut(true);
    try {
      await api(`${base}logout`, { method: 'POST' });
    } catch {
      // Already ended (401) or unreachable: either way this page forgets the session.
    } finally {
      setCsrfToken(null);
      forgetSession(code);
      setSigningOut(false);
      setNotice('signedOut');
      setState({ status: 'signin', card });
    }
  }

  // A screen's call answered 401: the session ended (idle or absolute lifetime, or revoked).
  const sessionLost = () => {
    setCsrfToken(null);
    setNotice('sessionEnded');
    setState({ status: 'signin', card });
  };

  const patientChanged = (patient) => setState((s) => (s.status === 'home' ? { ...s, patient: { ...s.patient, ...patient } } : s));

  // The portal answered 404: closed, moved or never there. A patient signed in here a moment
  // ago is told it is closed; a stranger at the sign-in step sees "not available".
  const gone = () => {
    setCsrfToken(null);
    setState((s) => (s.status === 'home' ? { status: 'closed', card: s.card } : { status: 'not-found' }));
  };

  return (
    <div class="portal" data-testid="portal-shell" data-state={state.status}>
      <header class="portal-header">
        <p class="portal-brand" data-testid="portal-brand">{clinicName ?? t('product.name')}</p>
        <LanguageSwitcher />
      </header>
      <main class="portal-main" aria-busy={state.status === 'loading' ? 'true' : 'false'}>
        {state.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
        {state.status === 'signin' && (
          <SignIn base={base} clinicName={clinicName} initialNotice={notice} onSignedIn={signedIn} onPortalGone={gone} />
        )}
        {state.status === 'home' && (() => {
          const found = screenFor(route, state.permissions);
          if (found) {
            const { Screen, id } = found;
            return (
              <Screen key={route} base={base} id={id} patient={state.patient} permissions={state.permissions}
                clinicName={clinicName} onSessionLost={sessionLost} onPortalGone={gone} onPatientChanged={patientChanged} />
            );
          }
          if (isSectionRoute(route)) return <Unavailable />;
          return (
            <Home base={base} patient={state.patient} permissions={state.permissions} clinicName={clinicName}
              onSignOut={signOut} signingOut={signingOut} onSessionLost={sessionLost} onPortalGone={gone} />
          );
        })()}
        {state.status === 'not-found' && <NotFound />}
        {state.status === 'closed' && <Closed card={state.card} />}
        {state.status === 'error' && <LoadError error={state.error} onRetry={retry} />}
      </main>
      {clinicName && (
        <footer class="portal-footer">
          <p>{t('portal.footer', { clinic: clinicName })}</p>
          <ClinicContact card={card} />
        </footer>
      )}
    </div>
  );
}

initLanguage();
render(<App code={portalCodeFromPath(window.location.pathname)} />, document.getElementById('app'));
