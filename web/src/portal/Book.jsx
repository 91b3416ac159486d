// Booking (#/appointments/new, create_appointment): pick the type and the practitioner, or
// "any practitioner" (the first free times across them, each naming its practitioner)
// (GET appointments/booking-options), a day among the next 14 (a week per page; one GET
// appointments/slots query for the 14 days, whose `days` say which are closed and which are
// full), then a free slot, and confirm: POST appointments {practitioner_id, type_id, start}.
// Before confirming, the patient reads until when the appointment can be cancelled online
// (the clinic's cut-off) or that cancelling needs a call. 409 slot_taken says the slot was just taken and loads the slots again;
// 422 booking_rule names its rule in plain words; 403 permission_denied likewise.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { formatDate, formatWhen, today, wallClock } from '../timeRules.js';
import {
  ANY_PRACTITIONER, BOOKING_DAYS, bookingDays, cancelUntil, dayState, has, slotsByDay, slotsQuery, WEEK,
} from './appointmentRules.js';
import { noteBooked } from './Appointments.jsx';
import { endsSession, Problem } from './common.jsx';
import { go, hrefOf } from './router.js';
import './screens.css';

function Choice({ name, legend, items, value, onChange, testid }) {
  return (
    <fieldset class="choice" data-testid={testid}>
      <legend>{legend}</legend>
      <div class="choice-list">
        {items.map((item) => (
          <label key={item.id} class={item.id === value ? 'choice-item choice-item-on' : 'choice-item'}>
            <input type="radio" name={name} value={item.id} checked={item.id === value}
              onChange={() => onChange(item.id)} data-testid={`${testid}-option`} data-id={item.id} />
            <span>{item.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function BookAppointment({ base, permissions, onSessionLost, onPortalGone }) {
  const lang = useLanguage();
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  const ends = useCallback((e) => endsSession(e, { onSessionLost, onPortalGone }), [onSessionLost, onPortalGone]);

  const [options, setOptions] = useState(null); // {practitioners, types}
  const [optionsError, setOptionsError] = useState(null);
  const [practitionerId, setPractitionerId] = useState(null);
  const [typeId, setTypeId] = useState(null);
  const [days] = useState(() => bookingDays(today()));
  const [page, setPage] = useState(0);
  const [slots, setSlots] = useState({ status: 'idle', byDay: new Map(), days: [], error: null });
  const [day, setDay] = useState(null);
  const [slot, setSlot] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null); // the booking's refusal
  const [reloads, setReloads] = useState(0);
  const confirmRef = useRef(null);

  const loadOptions = useCallback(async () => {
    setOptionsError(null);
    try {
      const o = await api(`${base}appointments/booking-options`);
      setOptions(o);
      if (o.practitioners.length === 1) setPractitionerId(o.practitioners[0].id);
      if (o.types.length === 1) setTypeId(o.types[0].id);
    } catch (e) {
      if (!ends(e)) setOptionsError(e);
    }
  }, [base, ends]);
  useEffect(() => { loadOptions(); }, [loadOptions]);

  // The free slots of the 14 days for the chosen practitioner and type.
  useEffect(() => {
    if (!practitionerId || !typeId) return undefined;
    const controller = new AbortController();
    setSlots((s) => ({ ...s, status: 'loading', error: null }));
    const q = slotsQuery(practitionerId, typeId, days[0], days[BOOKING_DAYS - 1]);
    api(`${base}appointments/slots?${q}`, { signal: controller.signal })
      .then((answer) => setSlots({ status: 'ready', byDay: slotsByDay(answer.items), days: answer.days ?? [], error: null }))
      .catch((e) => {
        if (e.name === 'AbortError' || ends(e)) return;
        setSlots({ status: 'error', byDay: new Map(), days: [], error: e });
      });
    return () => controller.abort();
  }, [base, practitionerId, typeId, days, reloads, ends]);

  useLayoutEffect(() => { if (slot) confirmRef.current?.focus(); }, [slot]);

  function pick(change) {
    if (change.practitionerId !== undefined) setPractitionerId(change.practitionerId);
    if (change.typeId !== undefined) setTypeId(change.typeId);
    setDay(null);
    setSlot(null);
    setError(null);
  }

  async function book() {
    if (busy || !slot) return;
    setBusy(true);
    setError(null);
    try {
      const appointment = await api(`${base}appointments`, {
        method: 'POST', body: { practitioner_id: slot.practitioner_id ?? practitionerId, type_id: typeId, start: slot.start },
      });
      noteBooked(appointment);
      go(has(permissions, 'view_appointments') ? 'appointments' : '');
    } catch (e) {
      if (ends(e)) return;
      setError(e);
      if (e.code === 'slot_taken') {
        setSlot(null);
        setReloads((n) => n + 1);
      }
    } finally {
      setBusy(false);
    }
  }

  const nameOf = (id) => options?.practitioners.find((p) => p.id === id)?.name ?? '';
  const practitioner = slot ? { name: nameOf(slot.practitioner_id ?? practitionerId) } : null;
  const any = practitionerId === ANY_PRACTITIONER;
  const rules = options?.rules ?? null;
  const until = slot && rules ? cancelUntil(slot.start, rules.cancel_cutoff_minutes) : null;
  const type = options?.types.find((x) => x.id === typeId);
  const shown = days.slice(page * WEEK, page * WEEK + WEEK);
  const daySlots = day ? slots.byDay.get(day) ?? [] : [];
  const back = has(permissions, 'view_appointments') ? 'appointments' : '';

  return (
    <section class="screen" aria-labelledby="book-heading" data-testid="portal-book">
      <a class="back-link" href={hrefOf(back)} data-testid="portal-back">
        {t(back ? 'portal.book.back' : 'portal.back')}
      </a>
      <h1 id="book-heading" ref={heading} tabIndex={-1}>{t('portal.book.heading')}</h1>

      {optionsError && (
        <div class="alert-row">
          <Problem error={optionsError} testid="book-options-error" />
          <button type="button" class="button button-small" onClick={loadOptions}>{t('common.retry')}</button>
        </div>
      )}
      {!options && !optionsError && <p class="muted" role="status">{t('common.loading')}</p>}
      {options && (options.practitioners.length === 0 || options.types.length === 0) && (
        <p class="card muted" data-testid="book-nothing">{t('portal.book.nothing')}</p>
      )}
      {options && options.practitioners.length > 0 && options.types.length > 0 && (
        <div class="card book-card">
          <Choice name="type" legend={t('portal.book.type')} testid="book-type" value={typeId}
            items={options.types.map((x) => ({ id: x.id, label: t('portal.book.typeLabel', { name: x.name, minutes: x.duration_minutes }) }))}
            onChange={(id) => pick({ typeId: id })} />
          <Choice name="practitioner" legend={t('portal.book.practitioner')} testid="book-practitioner"
            value={practitionerId} items={[
              ...(options.practitioners.length > 1 ? [{ id: ANY_PRACTITIONER, label: t('portal.book.anyPractitioner') }] : []),
              ...options.practitioners.map((p) => ({ id: p.id, label: p.name }))]}
            onChange={(id) => pick({ practitionerId: id })} />

          {practitionerId && typeId && (
            <fieldset class="choice" data-testid="book-days" data-state={slots.status}>
              <legend>{t('portal.book.day')}</legend>
              <div class="week-nav">
                <button type="button" class="button button-small button-outline" disabled={page === 0}
                  onClick={() => setPage(0)} data-testid="book-week-prev">{t('portal.book.prevWeek')}</button>
                <span class="muted">
                  {t('portal.book.weekOf', { from: formatDate(shown[0], lang, { day: 'numeric', month: 'short' }),
                    to: formatDate(shown[shown.length - 1], lang, { day: 'numeric', month: 'short' }) })}
                </span>
                <button type="button" class="button button-small button-outline" disabled={page === 1}
                  onClick={() => setPage(1)} data-testid="book-week-next">{t('portal.book.nextWeek')}</button>
              </div>
              <ul class="day-grid">
                {shown.map((d) => {
                  const count = slots.byDay.get(d)?.length ?? 0;
                  const { state } = dayState(slots.days, d);
                  const label = count ? t('portal.book.free', { count })
                    : t(state === 'closed' ? 'portal.book.closed' : 'portal.book.full');
                  return (
                    <li key={d}>
                      <button type="button" class={d === day ? 'day day-on' : 'day'} aria-pressed={d === day ? 'true' : 'false'}
                        disabled={slots.status !== 'ready' || count === 0} data-testid="book-day" data-date={d}
                        data-count={count} data-state={count ? 'free' : state} onClick={() => { setDay(d); setSlot(null); setError(null); }}>
                        <span class="day-name">{formatDate(d, lang, { weekday: 'short' })}</span>
                        <span class="day-num">{formatDate(d, lang, { day: 'numeric', month: 'short' })}</span>
                        <span class="day-count">{label}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
              {slots.status === 'loading' && <p class="muted" role="status">{t('portal.book.loadingSlots')}</p>}
              {slots.status === 'error' && (
                <div class="alert-row">
                  <Problem error={slots.error} testid="book-slots-error" />
                  <button type="button" class="button button-small" onClick={() => setReloads((n) => n + 1)}>
                    {t('common.retry')}
                  </button>
                </div>
              )}
              {slots.status === 'ready' && slots.byDay.size === 0 && (
                <p class="muted" data-testid="book-no-slots">{t('portal.book.noSlots')}</p>
              )}
            </fieldset>
          )}

          {day && (
            <fieldset class="choice" data-testid="book-slots">
              <legend>{t('portal.book.time', { day: formatDate(day, lang) })}</legend>
              {daySlots.length === 0
                ? <p class="muted">{t('portal.book.dayFull')}</p>
                : (
                  <ul class={any ? 'slot-grid slot-grid-any' : 'slot-grid'}>
                    {daySlots.map((s) => {
                      const on = s.start === slot?.start && s.practitioner_id === slot?.practitioner_id;
                      return (
                      <li key={`${s.start} ${s.practitioner_id}`}>
                        <button type="button" class={on ? 'slot slot-on' : 'slot'}
                          aria-pressed={on ? 'true' : 'false'} data-testid="book-slot"
                          data-start={s.start} data-practitioner={s.practitioner_id}
                          onClick={() => { setSlot(s); setError(null); }}>
                          {wallClock(s.start)?.time}
                          {any && <span class="slot-who" data-testid="book-slot-who"> {nameOf(s.practitioner_id)}</span>}
                        </button>
                      </li>
                      );
                    })}
                  </ul>
                )}
            </fieldset>
          )}

          <Problem error={error} testid="book-error" />

          {slot && (
            <div class="confirm" data-testid="book-confirm">
              <p>{t('portal.book.summary', { type: type?.name ?? '', practitioner: practitioner?.name ?? '',
                when: formatWhen(slot.start, lang) })}</p>
              <p class="muted" data-testid="book-cancel-rule">
                {!has(permissions, 'cancel_appointment') || !until ? t('portal.book.cancelByCall')
                  : Date.parse(until) <= Date.now() ? t('portal.book.cancelTooLate')
                    : t('portal.book.cancelUntil', { when: formatWhen(until, lang) })}
              </p>
              <button type="button" class="button button-block" ref={confirmRef} disabled={busy} onClick={book}
                data-testid="book-submit">
                {t(busy ? 'portal.book.booking' : 'portal.book.confirm')}
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
