-- 0017_booking.sql: free slots and a patient's booking, each one statement
-- (issue 10: "one round trip"; DESIGN.md section 11).
--
-- 1. portal_free_slots(): the free-slot query of src/db/appointments_sql.c
--    moved into a function whose plan each connection keeps (generic
--    plans: the statement's shape never changes, only its parameters), so
--    a request no longer pays for planning a query of six CTEs (8 of its
--    10 ms, measured).
-- 2. portal_book(): a patient's booking — the practitioner's row lock that
--    queues bookings of one practitioner, the ids and their state, every
--    booking rule, and the insert whose exclusion constraint decides a
--    race — in one statement that answers what happened, instead of four
--    round trips. The caller adds the notice and the audit row in the same
--    transaction.
--
-- Both run as the application under row-level security, in the clinic set
-- for the transaction (portal_current_clinic()).

CREATE FUNCTION portal_free_slots(p_practitioner uuid, p_type uuid,
  p_from date, p_to date)
RETURNS TABLE (slot_start text, slot_end text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_tz text;
  v_notice interval;
  v_horizon interval;
  v_step interval;
  v_len interval;
  v_booked tstzmultirange;
BEGIN
  SELECT c.time_zone, r.min_notice_minutes * interval '1 minute',
         r.horizon_days * interval '1 day', r.slot_step_minutes * interval '1 minute'
    INTO v_tz, v_notice, v_horizon, v_step
    FROM clinics c JOIN booking_rules r ON r.clinic_id = c.id
   WHERE c.id = v_clinic;
  SELECT t.duration_minutes * interval '1 minute' INTO v_len
    FROM appointment_types t WHERE t.clinic_id = v_clinic AND t.id = p_type;
  IF v_tz IS NULL OR v_len IS NULL THEN
    RETURN;
  END IF;
  -- The days' bookings, once, as one multirange (see sql/0011).
  v_booked := portal_booked_ranges(p_practitioner,
    p_from::timestamp AT TIME ZONE v_tz, (p_to + 1)::timestamp AT TIME ZONE v_tz);
  RETURN QUERY
    WITH win AS (
      SELECT (d::date + h.start_time) AT TIME ZONE v_tz AS ws,
             (d::date + h.end_time) AT TIME ZONE v_tz AS we
        FROM generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS d
        JOIN working_hours h ON h.clinic_id = v_clinic AND h.practitioner_id = p_practitioner
         AND h.weekday = extract(isodow FROM d)
    ), cand AS (
      SELECT s, s + v_len AS e FROM win, generate_series(win.ws, win.we - v_len, v_step) AS s
    )
    SELECT portal_iso(cand.s, v_tz), portal_iso(cand.e, v_tz)
      FROM cand
     WHERE cand.s >= now() + v_notice AND cand.s < now() + v_horizon
       AND NOT v_booked && tstzrange(cand.s, cand.e)
       AND NOT EXISTS (SELECT 1 FROM time_off o WHERE o.clinic_id = v_clinic
                        AND (o.practitioner_id IS NULL OR o.practitioner_id = p_practitioner)
                        AND o.during && tstzrange(cand.s, cand.e))
     ORDER BY cand.s;
END
$$;
GRANT EXECUTE ON FUNCTION portal_free_slots(uuid, uuid, date, date) TO portal_app;

-- A patient's booking of practitioner p_practitioner for type p_type at
-- p_start. Answers (outcome, appointment id):
--   'ok' and the new appointment's id;
--   'no_practitioner' / 'no_type': not one of the clinic's (422 naming the field);
--   a booking rule: 'practitioner_unavailable' (inactive), 'type_not_bookable',
--   'min_notice', 'horizon', 'outside_hours' (off the grid of the day's
--   hours, or in time off), 'max_open_bookings';
--   'slot_taken': someone was first (the exclusion constraint said so).
-- Bookings of one practitioner queue on the practitioner's row (FOR NO KEY
-- UPDATE, which foreign-key checks do not wait for): racing inserts into
-- the exclusion constraint would otherwise deadlock each other.
CREATE FUNCTION portal_book(p_patient uuid, p_practitioner uuid, p_type uuid,
  p_start timestamptz, p_source text)
RETURNS TABLE (outcome text, appointment_id uuid)
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_active boolean;
  v_bookable boolean;
  v_len interval;
  v_tz text;
  v_notice interval;
  v_horizon interval;
  v_step_s bigint;
  v_max_open integer;
  v_day date;
  v_open integer;
  v_id uuid;
BEGIN
  SELECT p.active INTO v_active FROM practitioners p
   WHERE p.clinic_id = v_clinic AND p.id = p_practitioner FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_practitioner'::text, NULL::uuid;
    RETURN;
  END IF;
  SELECT t.active AND t.online_bookable, t.duration_minutes * interval '1 minute'
    INTO v_bookable, v_len
    FROM appointment_types t WHERE t.clinic_id = v_clinic AND t.id = p_type;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_type'::text, NULL::uuid;
    RETURN;
  END IF;
  IF NOT v_active THEN
    RETURN QUERY SELECT 'practitioner_unavailable'::text, NULL::uuid;
    RETURN;
  END IF;
  IF NOT v_bookable THEN
    RETURN QUERY SELECT 'type_not_bookable'::text, NULL::uuid;
    RETURN;
  END IF;
  SELECT c.time_zone, r.min_notice_minutes * interval '1 minute',
         r.horizon_days * interval '1 day', r.slot_step_minutes * 60, r.max_open_bookings
    INTO v_tz, v_notice, v_horizon, v_step_s, v_max_open
    FROM clinics c JOIN booking_rules r ON r.clinic_id = c.id WHERE c.id = v_clinic;
  IF p_start < now() + v_notice THEN
    RETURN QUERY SELECT 'min_notice'::text, NULL::uuid;
    RETURN;
  END IF;
  IF p_start >= now() + v_horizon THEN
    RETURN QUERY SELECT 'horizon'::text, NULL::uuid;
    RETURN;
  END IF;
  -- On the grid: inside one of that day's windows, a whole number of
  -- steps after the window's start, and clear of time off.
  v_day := (p_start AT TIME ZONE v_tz)::date;
  IF NOT EXISTS (SELECT 1 FROM working_hours h
                  WHERE h.clinic_id = v_clinic AND h.practitioner_id = p_practitioner
                    AND h.weekday = extract(isodow FROM v_day)
                    AND p_start >= (v_day + h.start_time) AT TIME ZONE v_tz
                    AND p_start + v_len <= (v_day + h.end_time) AT TIME ZONE v_tz
                    AND extract(epoch FROM p_start - ((v_day + h.start_time) AT TIME ZONE v_tz))::bigint
                        % v_step_s = 0)
     OR EXISTS (SELECT 1 FROM time_off o WHERE o.clinic_id = v_clinic
                 AND (o.practitioner_id IS NULL OR o.practitioner_id = p_practitioner)
                 AND o.during && tstzrange(p_start, p_start + v_len)) THEN
    RETURN QUERY SELECT 'outside_hours'::text, NULL::uuid;
    RETURN;
  END IF;
  -- The patient's own open bookings; their row lock serialises two
  -- bookings of one patient, so the limit holds under concurrency.
  PERFORM 1 FROM patients WHERE clinic_id = v_clinic AND id = p_patient FOR UPDATE;
  SELECT count(*) INTO v_open FROM appointments
   WHERE clinic_id = v_clinic AND patient_id = p_patient AND status = 'booked'
     AND lower(during) > now();
  IF v_open >= v_max_open THEN
    RETURN QUERY SELECT 'max_open_bookings'::text, NULL::uuid;
    RETURN;
  END IF;
  BEGIN
    INSERT INTO appointments (clinic_id, patient_id, practitioner_id, type_id, during, source, note)
    VALUES (v_clinic, p_patient, p_practitioner, p_type,
            tstzrange(p_start, p_start + v_len), p_source, '')
    RETURNING id INTO v_id;
  EXCEPTION WHEN exclusion_violation THEN
    RETURN QUERY SELECT 'slot_taken'::text, NULL::uuid;
    RETURN;
  END;
  RETURN QUERY SELECT 'ok'::text, v_id;
END
$$;
GRANT EXECUTE ON FUNCTION portal_book(uuid, uuid, uuid, timestamptz, text) TO portal_app;
