// Clinic console, served at /console/: restores the staff session (GET /api/v1/clinic/me),
// else shows the sign-in form; once signed in, a header (clinic, user, role, language,
// sign out), the nav and the screen named by the address hash (#/settings, #/patients,
// #/patients/<id>, #/calendar, #/scheduling, #/templates, #/templates/<id>, #/deliveries, #/audit,
// #/clinic: the clinic's profile, #/staff: its members, #/account: one's own security,
// #/finance: invoices and payments, #/finance/invoices/<id>: one invoice, printable,
// #/payment-infrastructure: the online payment provider, owner only to change, #/reviews:
// the documents patients uploaded, for the upload reviewer, owners and admins; #/messages:
// the inbox, a conversation, writing to a patient and the automatic answers, Messages.jsx,
// with the unread count in the menu, polled; #/forms: the clinic's forms, their builder,
// assignments and submissions, Forms.jsx).
// Two pages open without a session, whatever GET me says: #/set-password/<token> (the link
// of an invitation or password-reset mail) and #/forgot-password. While the clinic requires
// two-factor sign-in and the person has not set it up (me.totp_enrolment_required, or a 403
// totp_enrolment_required from any screen), only the enrolment screen and sign out are shown.
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, onApiProblem, setCsrfToken } from '../api.js';
import { initLanguage, t } from '../i18n/index.js';
import { LanguageSwitcher, useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { ROLE_KEYS } from './settingsRules.js';
import { SignInForm } from './SignIn.jsx';
import { PortalSettings } from './PortalSettings.jsx';
import { ClinicProfile } from './ClinicProfile.jsx';
import { Staff } from './Staff.jsx';
import { Account } from './Account.jsx';
import { ForgotPassword, SetPassword } from './PasswordReset.jsx';
import { TotpEnrolment } from './TwoFactor.jsx';
import { PUBLIC_SCREENS, tokenFromPath } from './securityRules.js';
import { AuditLog } from './AuditLog.jsx';
import { Patients } from './Patients.jsx';
import { Templates } from './Templates.jsx';
import { Deliveries } from './Deliveries.jsx';
import { Calendar } from './Calendar.jsx';
import { Scheduling } from './Scheduling.jsx';
import { Finance } from './Finance.jsx';
import { PaymentInfrastructure } from './PaymentInfrastructure.jsx';
import { DocumentReviews } from './DocumentReviews.jsx';
import { Messages, useUnreadCount } from './Messages.jsx';
import { Forms } from './Forms.jsx';
import { unreadBadge } from '../messageRules.js';
import { ErrorText } from './common.jsx';
import '../styles/base.css';
import './console.css';

const SCREENS = [
  { key: 'settings', label: 'console.nav.settings' },
  { key: 'clinic', label: 'console.nav.clinic' },
  { key: 'staff', label: 'console.nav.staff' },
  { key: 'payment-infrastructure', label: 'console.nav.paymentInfrastructure' },
  { key: 'account', label: 'console.nav.account' },
  { key: 'patients', label: 'console.nav.patients' },
  { key: 'calendar', label: 'console.nav.calendar' },
  { key: 'scheduling', label: 'console.nav.scheduling' },
  { key: 'finance', label: 'console.nav.finance' },
  // With the clinic's unread conversations beside it (useUnreadCount polls them).
  { key: 'messages', label: 'console.nav.messages', unread: true },
  // Shown to those who review patient uploads (session.mayReview); the address works for
  // anyone, and the server's 403 is said in words there.
  { key: 'reviews', label: 'console.nav.reviews', reviewers: true },
  { key: 'forms', label: 'console.nav.forms' },
  { key: 'templates', label: 'console.nav.templates' },
  { key: 'deliveries', label: 'console.nav.deliveries' },
  { key: 'audit', label: 'console.nav.audit' },
];
const DEFAULT_SCREEN = 'settings';

// "#/patients/<id>/permissions" -> {screen: 'patients', path: ['<id>', 'permissions']};
// a page that opens without a session has `open: true`.
function routeFromHash() {
  const [key, ...path] = window.location.hash.replace(/^#\/?/, '').split('/');
  if (PUBLIC_SCREENS.includes(key)) return { screen: key, path, open: true };
  return SCREENS.some((s) => s.key === key) ? { screen: key, path } : { screen: DEFAULT_SCREEN, path: [] };
}

function useRoute() {
  const [route, setRoute] = useState(routeFromHash);
  useEffect(() => {
    const onChange = () => setRoute(routeFromHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function Nav({ screen, mayReview, unread }) {
  const badge = unreadBadge(unread?.threads);
  return (
    <nav class="console-nav" aria-label={t('console.nav.label')}>
      <ul>
        {SCREENS.filter((s) => !s.reviewers || mayReview).map(({ key, label, unread: counted }) => (
          <li key={key}>
            <a href={`#/${key}`} aria-current={key === screen ? 'page' : undefined} data-testid={`nav-${key}`}>
              {t(label)}
              {counted && badge && (
                <span class="nav-count" data-testid={`nav-${key}-count`} data-threads={unread.threads}>
                  <span aria-hidden="true">{badge}</span>
                  <span class="visually-hidden">{t('console.nav.unreadThreads', { count: unread.threads })}</span>
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function UserBar({ session, onSignOut, signingOut }) {
  return (
    <div class="console-user" data-testid="console-user">
      <p class="console-user-text">
        <strong data-testid="console-clinic">{session.clinic?.name}</strong>
        <span data-testid="console-staff">
          {t('console.user', { name: session.staff.name, role: t(ROLE_KEYS[session.staff.role] ?? 'console.role.unknown') })}
        </span>
      </p>
      <button type="button" class="button button-small button-ghost" onClick={onSignOut} disabled={signingOut}
        data-testid="console-signout">
        {t('console.signout')}
      </button>
    </div>
  );
}

// The console's session from GET me's answer.
function sessionOf(me) {
  return { staff: me.staff, clinic: me.clinic, enrol: me.totp_enrolment_required === true };
}

/**
 * Whether the signed-in person reviews patient uploads: owners and admins do; a member of
 * staff when the portal settings name them upload_reviewer_id (read once per session; the
 * server decides each review anyway).
 */
function useMayReview(session) {
  const role = session?.staff?.role;
  const staffId = session?.staff?.id;
  const ready = Boolean(session && !session.enrol);
  const [reviewerId, setReviewerId] = useState(null);
  useEffect(() => {
    setReviewerId(null);
    if (!ready || role !== 'staff') return undefined;
    let live = true;
    api('/api/v1/clinic/portal/settings')
      .then((settings) => { if (live) setReviewerId(settings?.upload_reviewer_id ?? null); })
      .catch(() => { /* no settings (no module): nobody on staff reviews */ });
    return () => { live = false; };
  }, [ready, role, staffId]);
  return role === 'owner' || role === 'admin' || (Boolean(staffId) && reviewerId === staffId);
}

function App() {
  const lang = useLanguage();
  const route = useRoute();
  const { screen } = route;
  // session: undefined while GET me is in flight, null when signed out, else {staff, clinic,
  // enrol}: enrol is true while two-factor sign-in must be set up before anything else.
  const [session, setSession] = useState(undefined);
  const [restoreError, setRestoreError] = useState(null);
  const [ended, setEnded] = useState(false); // the session ran out while in use
  const [signingOut, setSigningOut] = useState(false);
  const mayReview = useMayReview(session);
  const unread = useUnreadCount(Boolean(session && !session.enrol));

  useEffect(() => {
    document.title = t('console.documentTitle');
  }, [lang]);

  const restore = useCallback(async () => {
    setRestoreError(null);
    try {
      const me = await api('/api/v1/clinic/me');
      setCsrfToken(me.csrf_token);
      setSession(sessionOf(me));
    } catch (error) {
      if (error.status === 401) {
        setCsrfToken(null);
        setSession(null);
      } else {
        setRestoreError(error);
      }
    }
  }, []);

  useEffect(() => { restore(); }, [restore]);

  // Whichever screen is told that two-factor must be set up first, the console goes there.
  useEffect(() => onApiProblem((error) => {
    if (error.code === 'totp_enrolment_required') setSession((s) => (s ? { ...s, enrol: true } : s));
  }), []);

  const sessionLost = useCallback(() => {
    setCsrfToken(null);
    setSession(null);
    setEnded(true);
  }, []);

  async function signedIn(login) {
    setEnded(false);
    setCsrfToken(login.csrf_token);
    // The clinic's name comes with `me`; the login answer names only the staff member.
    try {
      const me = await api('/api/v1/clinic/me');
      setCsrfToken(me.csrf_token);
      setSession(sessionOf(me));
    } catch {
      setSession({ staff: login.staff, clinic: null });
    }
  }

  async function signOut() {
    setSigningOut(true);
    // The screens go first: what one was about to ask (a debounced code check) is
    // cancelled with it instead of going out after the session has ended.
    setSession(null);
    setEnded(false);
    try {
      await api('/api/v1/clinic/auth/logout', { method: 'POST' });
    } catch {
      // Already ended (401) or unreachable: either way the console forgets the session.
    } finally {
      setSigningOut(false);
      setCsrfToken(null);
    }
  }

  const showNav = Boolean(session && !session.enrol && !route.open);
  let main;
  if (route.open) {
    main = screen === 'set-password' ? <SetPassword key={route.path.join('/')} token={tokenFromPath(route.path)} /> : <ForgotPassword />;
  } else if (session === undefined) {
    main = restoreError
      ? (
        <div class="card card-narrow" role="alert">
          <ErrorText error={restoreError} />
          <button type="button" class="button" onClick={restore}>{t('common.retry')}</button>
        </div>
      )
      : <p class="muted" role="status">{t('common.loading')}</p>;
  } else if (session === null) {
    main = (
      <>
        {ended && <p class="notice card-narrow" role="status" data-testid="console-session-ended">{t('console.sessionEnded')}</p>}
        <SignInForm onSignedIn={signedIn} />
      </>
    );
  } else if (session.enrol) {
    main = <TotpEnrolment onEnrolled={restore} onSessionLost={sessionLost} />;
  } else if (screen === 'account') {
    main = <Account onSessionLost={sessionLost} />;
  } else if (screen === 'staff') {
    main = <Staff session={session} onSessionLost={sessionLost} />;
  } else if (screen === 'clinic') {
    main = <ClinicProfile session={session} onSessionLost={sessionLost} />;
  } else if (screen === 'audit') {
    main = <AuditLog session={session} onSessionLost={sessionLost} />;
  } else if (screen === 'patients') {
    main = <Patients session={session} mayReview={mayReview} path={route.path.filter(Boolean)} onSessionLost={sessionLost} />;
  } else if (screen === 'calendar') {
    main = <Calendar session={session} onSessionLost={sessionLost} />;
  } else if (screen === 'scheduling') {
    main = <Scheduling session={session} onSessionLost={sessionLost} />;
  } else if (screen === 'finance') {
    main = <Finance session={session} path={route.path.filter(Boolean)} onSessionLost={sessionLost} />;
  } else if (screen === 'messages') {
    main = <Messages session={session} path={route.path.filter(Boolean)} onSessionLost={sessionLost} onRead={unread.refresh} />;
  } else if (screen === 'forms') {
    main = <Forms session={session} path={route.path.filter(Boolean)} onSessionLost={sessionLost} />;
  } else if (screen === 'reviews') {
    main = <DocumentReviews onSessionLost={sessionLost} />;
  } else if (screen === 'payment-infrastructure') {
    main = <PaymentInfrastructure session={session} onSessionLost={sessionLost} />;
  } else if (screen === 'deliveries') {
    main = <Deliveries session={session} onSessionLost={sessionLost} />;
  } else if (screen === 'templates') {
    main = <Templates session={session} path={route.path.filter(Boolean)} onSessionLost={sessionLost} />;
  } else {
    main = <PortalSettings session={session} onSessionLost={sessionLost} />;
  }

  return (
    <div class={['console', session && 'console-signed-in', showNav ? null : 'console-no-nav'].filter(Boolean).join(' ')}
      data-testid="console-shell">
      <header class="console-header">
        <h1 class="console-title" data-testid="console-title">
          {t('product.name')}
          <small>{t('console.name')}</small>
        </h1>
        <div class="console-header-tools">
          {session && <UserBar session={session} onSignOut={signOut} signingOut={signingOut} />}
          <LanguageSwitcher />
        </div>
      </header>
      {showNav && <Nav screen={screen} mayReview={mayReview} unread={unread.count} />}
      <main class="console-main">{main}</main>
    </div>
  );
}

initLanguage();
render(<App />, document.getElementById('app'));
