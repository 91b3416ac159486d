// The patient's appointments (#/appointments, view_appointments): upcoming and past lists
// (GET appointments?scope=upcoming|past, "show more" through next_cursor). Each upcoming one
// has "Add to calendar" (the .ics file) and, when the server says it can be cancelled and
// the patient holds cancel_appointment, Cancel with a confirmation step (POST
// appointments/{id}/cancel; a booking_rule refusal such as cancel_cutoff in plain words).
// "Book an appointment" (#/appointments/new) only for create_appointment.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { formatSpan, formatWhen } from '../timeRules.js';
import { has, offersCancel } from './appointmentRules.js';
import { BackHome, endsSession, Problem } from './common.jsx';
import { hrefOf } from './router.js';
import './screens.css';

// The appointment the booking screen just made, shown once as a notice on the list.
let justBooked = null;
export function noteBooked(appointment) {
  justBooked = appointment;
}

function useList(base, scope, ends) {
  const [state, setState] = useState({ status: 'loading', items: [], cursor: null, error: null });
  const load = useCallback(async (cursor = null) => {
    setState((s) => ({ ...s, status: cursor ? 'more' : 'loading', error: null }));
    try {
      const page = await api(`${base}appointments?scope=${scope}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      setState((s) => ({
        status: 'ready',
        items: cursor ? [...s.items, ...page.items.filter((a) => !s.items.some((x) => x.id === a.id))] : page.items,
        cursor: page.next_cursor ?? null,
        error: null,
      }));
    } catch (error) {
      if (ends(error)) return;
      setState((s) => ({ ...s, status: 'error', error }));
    }
  }, [base, scope, ends]);
  useEffect(() => { load(); }, [load]);
  return { ...state, load };
}

function AppointmentItem({ base, appointment: a, permissions, lang, onCancelled, ends }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const confirmRef = useRef(null);
  useLayoutEffect(() => { if (confirming) confirmRef.current?.focus(); }, [confirming]);

  async function cancel() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api(`${base}appointments/${encodeURIComponent(a.id)}/cancel`, { method: 'POST' });
      setConfirming(false);
      onCancelled(a);
    } catch (e) {
      if (!ends(e)) {
        setError(e);
        setConfirming(false);
      }
    } finally {
      setBusy(false);
    }
  }

  const cancelled = a.status === 'cancelled';
  const upcoming = !cancelled && a.scope === 'upcoming';
  return (
    <li class={cancelled ? 'appt appt-cancelled' : 'appt'} data-testid="appointment" data-id={a.id} data-status={a.status}>
      <p class="appt-when">
        <strong data-testid="appointment-when">{formatWhen(a.start, lang)}</strong>
        <span class="muted"> {formatSpan(a.start, a.end)}</span>
      </p>
      <p class="appt-what">
        <span data-testid="appointment-type">{a.type?.name}</span>
        {' · '}
        <span data-testid="appointment-practitioner">{a.practitioner?.name}</span>
      </p>
      {cancelled && <p class="badge badge-off" data-testid="appointment-cancelled">{t('portal.appts.cancelled')}</p>}
      {upcoming && a.cancel_until && has(permissions, 'cancel_appointment') && (
        <p class="muted" data-testid="appointment-cancel-until">
          {t(a.can_cancel ? 'portal.appts.cancelUntil' : 'portal.appts.cancelPassed', { when: formatWhen(a.cancel_until, lang) })}
        </p>
      )}
      <Problem error={error} testid="appointment-error" />
      {upcoming && !confirming && (
        <div class="appt-actions">
          <a class="button button-small button-outline" href={`${base}appointments/${encodeURIComponent(a.id)}/ics`}
            download={`appointment-${a.id}.ics`} data-testid="appointment-ics">
            {t('portal.appts.addToCalendar')}
          </a>
          {offersCancel(a, permissions) && (
            <button type="button" class="button button-small button-danger" data-testid="appointment-cancel"
              onClick={() => { setError(null); setConfirming(true); }}>
              {t('portal.appts.cancel')}
            </button>
          )}
        </div>
      )}
      {confirming && (
        <div class="confirm" role="alertdialog" aria-labelledby={`confirm-${a.id}`} data-testid="cancel-confirm">
          <p id={`confirm-${a.id}`}>{t('portal.appts.confirmCancel', { when: formatWhen(a.start, lang) })}</p>
          <div class="appt-actions">
            <button type="button" class="button button-small button-danger" ref={confirmRef} disabled={busy}
              onClick={cancel} data-testid="cancel-yes">
              {t(busy ? 'portal.appts.cancelling' : 'portal.appts.confirmYes')}
            </button>
            <button type="button" class="button button-small button-outline" disabled={busy}
              onClick={() => setConfirming(false)} data-testid="cancel-no">
              {t('portal.appts.confirmNo')}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

function List({ list, scope, empty, children }) {
  return (
    <div class="appt-list-wrap" data-testid={`appointments-${scope}`} data-state={list.status}>
      {list.status === 'loading' && <p class="muted" role="status">{t('common.loading')}</p>}
      {list.status === 'error' && (
        <div class="alert-row">
          <Problem error={list.error} testid={`appointments-${scope}-error`} />
          <button type="button" class="button button-small" onClick={() => list.load()}>{t('common.retry')}</button>
        </div>
      )}
      {list.status !== 'loading' && list.status !== 'error' && list.items.length === 0 && (
        <p class="muted" data-testid={`appointments-${scope}-empty`}>{empty}</p>
      )}
      {list.items.length > 0 && <ul class="appt-list">{children}</ul>}
      {list.cursor && list.status !== 'loading' && (
        <button type="button" class="button button-outline button-small" disabled={list.status === 'more'}
          onClick={() => list.load(list.cursor)} data-testid={`appointments-${scope}-more`}>
          {t(list.status === 'more' ? 'common.loading' : 'portal.appts.more')}
        </button>
      )}
    </div>
  );
}

export function Appointments({ base, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  const ends = useCallback((e) => endsSession(e, { onSessionLost, onPortalGone }), [onSessionLost, onPortalGone]);
  const upcoming = useList(base, 'upcoming', ends);
  const past = useList(base, 'past', ends);
  const [notice, setNotice] = useState(() => {
    const booked = justBooked;
    justBooked = null;
    return booked ? t('portal.appts.booked', { when: formatWhen(booked.start, lang) }) : null;
  });

  function cancelled(a) {
    setNotice(t('portal.appts.cancelledNotice', { when: formatWhen(a.start, lang) }));
    upcoming.load();
    past.load();
  }

  return (
    <section class="screen" aria-labelledby="appts-heading" data-testid="portal-appointments">
      <BackHome />
      <header class="screen-top">
        <h1 id="appts-heading" ref={heading} tabIndex={-1}>{t('portal.appts.heading')}</h1>
        {has(permissions, 'create_appointment') && (
          <a class="button" href={hrefOf('appointments/new')} data-testid="appointments-book">{t('portal.appts.book')}</a>
        )}
      </header>
      {notice && <p class="notice" role="status" data-testid="appointments-notice">{notice}</p>}

      <h2>{t('portal.appts.upcoming')}</h2>
      <List list={upcoming} scope="upcoming" empty={t('portal.appts.noUpcoming')}>
        {upcoming.items.map((a) => (
          <AppointmentItem key={a.id} base={base} appointment={{ ...a, scope: 'upcoming' }} permissions={permissions}
            lang={lang} onCancelled={cancelled} ends={ends} />
        ))}
      </List>

      <h2>{t('portal.appts.past')}</h2>
      <List list={past} scope="past" empty={t('portal.appts.noPast')}>
        {past.items.map((a) => (
          <AppointmentItem key={a.id} base={base} appointment={{ ...a, scope: 'past' }} permissions={permissions}
            lang={lang} onCancelled={cancelled} ends={ends} />
        ))}
      </List>
    </section>
  );
}
