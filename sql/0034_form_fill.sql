-- 0034_form_fill.sql: the patient's side of forms (issue 15, DESIGN.md
-- section 15): which forms a patient sees, and the one step a submission
-- needs before the server judges its answers.
--
-- A patient sees a form of their clinic that is active and either
-- available to all or assigned to them (portal_form_open()); any other id
-- is unknown to them, on every route.
--
-- portal_form_submit_begin() reads the form's current version for a
-- submission and holds what the submission relies on until the work
-- ends: the form's row (FOR SHARE, so that a new version cannot be
-- published between the check and the insert) and the patient's lock for
-- that form (so that parallel submissions cannot all pass the daily
-- limit). It answers the definition to validate against, the seconds
-- until another submission is allowed (0: now), and the instant the
-- submission takes; the insert itself rides with the COMMIT
-- (src/db/form_fill_sql.c).

CREATE FUNCTION portal_form_open(p_form uuid, p_patient uuid)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM forms f
     WHERE f.clinic_id = portal_current_clinic() AND f.id = p_form
       AND f.status = 'active'
       AND (f.available_to_all OR EXISTS (
             SELECT 1 FROM form_assignments a
              WHERE a.form_id = f.id AND a.patient_id = p_patient)))
$$;
REVOKE ALL ON FUNCTION portal_form_open(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_form_open(uuid, uuid) TO portal_app;

CREATE FUNCTION portal_form_submit_begin(p_form uuid, p_patient uuid, p_per_day integer,
  OUT current_version integer, OUT definition text, OUT retry_after integer,
  OUT at_text text, OUT at_iso text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE
SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_version integer;
  v_oldest timestamptz;
  v_count integer;
  v_at timestamptz;
BEGIN
  SELECT f.current_version INTO v_version FROM forms f
   WHERE f.clinic_id = v_clinic AND f.id = p_form AND f.status = 'active'
     AND (f.available_to_all OR EXISTS (
           SELECT 1 FROM form_assignments a
            WHERE a.form_id = f.id AND a.patient_id = p_patient))
     FOR SHARE OF f;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended(
    'form_submit:' || p_patient::text || ':' || p_form::text, 0));
  v_at := clock_timestamp();
  SELECT count(*), min(s.submitted_at) INTO v_count, v_oldest
    FROM (SELECT s.submitted_at FROM form_submissions s
           WHERE s.clinic_id = v_clinic AND s.patient_id = p_patient
             AND s.form_id = p_form AND s.submitted_at > v_at - interval '1 day'
           ORDER BY s.submitted_at DESC LIMIT p_per_day) s;
  current_version := v_version;
  retry_after := CASE WHEN v_count < p_per_day THEN 0
    ELSE greatest(1, ceil(extract(epoch FROM v_oldest + interval '1 day' - v_at))::integer)
  END;
  SELECT v.definition::text INTO definition FROM form_versions v
   WHERE v.form_id = p_form AND v.version = v_version;
  at_text := v_at::text;
  at_iso := to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
  RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION portal_form_submit_begin(uuid, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_form_submit_begin(uuid, uuid, integer) TO portal_app;
