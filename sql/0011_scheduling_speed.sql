-- 0011_scheduling_speed.sql: what the appointments benchmark found.
--
-- 1. Under row-level security the planner may not use an index for
--    non-leakproof operators such as && on ranges, so the slot query read
--    every booked appointment of the clinic. portal_booked_ranges() runs as
--    the owner and filters on the transaction's clinic itself (as
--    portal_patient_search() does), so the overlap test is an index
--    condition again; it answers one multirange, so each candidate slot is
--    tested against all the day's bookings at once.
-- 2. appointments_practitioner duplicated the exclusion constraint's own
--    GiST index: every booking maintained two identical indexes.
-- 3. A patient request spent seven round trips before its handler ran
--    (code, BEGIN, clinic, clinic row, settings, session, patient).
--    portal_session_open() does the code, the portal checks, the clinic
--    setting and the session in one call, inside the request's
--    transaction; one more statement reads clinic, settings and patient.
-- 4. portal_iso() had a FROM clause, which kept PostgreSQL from inlining
--    it; as one expression it is inlined into the calling query.

CREATE FUNCTION portal_booked_ranges(p_practitioner uuid, p_from timestamptz,
  p_to timestamptz) RETURNS tstzmultirange
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  -- One multirange: a slot is then tested against all bookings at once.
  RETURN (SELECT coalesce(range_agg(a.during), '{}'::tstzmultirange) FROM appointments a
           WHERE a.clinic_id = portal_current_clinic() AND a.practitioner_id = p_practitioner
             AND a.status = 'booked' AND a.during && tstzrange(p_from, p_to));
END
$$;
REVOKE ALL ON FUNCTION portal_booked_ranges(uuid, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_booked_ranges(uuid, timestamptz, timestamptz) TO portal_app;

DROP INDEX appointments_practitioner;

CREATE OR REPLACE FUNCTION portal_iso(t timestamptz, tz text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE tz, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN t AT TIME ZONE tz < t AT TIME ZONE 'UTC' THEN '-' ELSE '+' END
    || to_char(greatest(t AT TIME ZONE tz - t AT TIME ZONE 'UTC',
                        t AT TIME ZONE 'UTC' - t AT TIME ZONE tz), 'HH24:MI')
$$;

-- The portal a code opens and the patient session behind a token hash, in
-- the transaction already begun: status 'no_portal' (unknown or retired
-- code, no module, portal off, not the live code), 'no_session' (none,
-- idle, ended, or the patient lost access or every contact) or 'ok'. Sets
-- portal.clinic_id for the rest of the transaction, as BEGIN + set_config
-- would, and marks the session used.
CREATE FUNCTION portal_session_open(p_code text, p_token_hash bytea, p_idle integer)
RETURNS TABLE (status text, clinic_id uuid, patient_id uuid, csrf_token text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid;
BEGIN
  SELECT pc.clinic_id INTO v_clinic FROM portal_codes pc
   WHERE pc.code = p_code AND pc.retired_at IS NULL;
  IF v_clinic IS NULL
     OR NOT EXISTS (SELECT 1 FROM portal_settings s WHERE s.clinic_id = v_clinic
                     AND s.enabled AND s.code = p_code)
     OR NOT EXISTS (SELECT 1 FROM clinic_modules m WHERE m.clinic_id = v_clinic
                     AND m.module = 'patient_portal') THEN
    RETURN QUERY SELECT 'no_portal'::text, NULL::uuid, NULL::uuid, NULL::text;
    RETURN;
  END IF;
  PERFORM set_config('portal.clinic_id', v_clinic::text, true);
  RETURN QUERY
    UPDATE patient_sessions ps SET last_seen_at = now()
      FROM patients p
     WHERE ps.clinic_id = v_clinic AND ps.token_hash = p_token_hash
       AND ps.expires_at > now()
       AND ps.last_seen_at > now() - p_idle * interval '1 second'
       AND p.clinic_id = ps.clinic_id AND p.id = ps.patient_id
       AND p.portal_access AND (p.phone IS NOT NULL OR p.email IS NOT NULL)
    RETURNING 'ok'::text, ps.clinic_id, ps.patient_id, ps.csrf_token;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_session'::text, v_clinic, NULL::uuid, NULL::text;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION portal_session_open(text, bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_session_open(text, bytea, integer) TO portal_app;
