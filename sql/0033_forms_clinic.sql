-- 0033_forms_clinic.sql: the clinic side of forms (issue 15, DESIGN.md
-- section 15): creating a form with its first version, publishing a new
-- version, archiving and offering it to every patient, assigning it.
--
-- The definitions themselves are checked by the API (src/portal/forms.c)
-- before they come here; these functions keep the counts that must hold
-- however many requests race:
-- * at most p_max_active active forms per clinic: creating a form and
--   bringing an archived one back both take the clinic's forms lock
--   (a transaction-scoped advisory lock) before they count;
-- * at most p_max_versions versions per form: a new version is numbered
--   under the form's row lock, so two publishes of one form get n + 1 and
--   n + 2, never the same number.
-- Each answers an outcome ('ok', 'not_found', 'full', 'starter',
-- 'invalid') that the C code maps to its errors. They act on the clinic
-- of the context (portal_current_clinic()), and row-level security holds
-- inside them as everywhere (SECURITY INVOKER).

CREATE FUNCTION portal_form_create(p_definition jsonb, p_title_tr text,
  p_title_en text, p_item_count integer, p_starter text, p_staff uuid,
  p_max_active integer)
RETURNS TABLE (outcome text, form_id uuid)
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_id uuid;
BEGIN
  IF v_clinic IS NULL THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::uuid;
    RETURN;
  END IF;
  IF p_starter IS NOT NULL AND NOT EXISTS
      (SELECT 1 FROM form_starters s WHERE s.key = p_starter) THEN
    RETURN QUERY SELECT 'starter'::text, NULL::uuid;
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('forms:' || v_clinic::text, 0));
  IF (SELECT count(*) FROM forms f WHERE f.clinic_id = v_clinic
      AND f.status = 'active') >= p_max_active THEN
    RETURN QUERY SELECT 'full'::text, NULL::uuid;
    RETURN;
  END IF;
  INSERT INTO forms (clinic_id, title_tr, title_en, starter, created_by)
    VALUES (v_clinic, p_title_tr, p_title_en, p_starter, p_staff)
    RETURNING id INTO v_id;
  INSERT INTO form_versions (clinic_id, form_id, version, definition,
      item_count, created_by)
    VALUES (v_clinic, v_id, 1, p_definition, p_item_count, p_staff);
  RETURN QUERY SELECT 'ok'::text, v_id;
END;
$$;
GRANT EXECUTE ON FUNCTION portal_form_create(jsonb, text, text, integer, text,
  uuid, integer) TO portal_app;

-- A new version of form p_form, which becomes its current one (and gives
-- the form its title).
CREATE FUNCTION portal_form_publish(p_form uuid, p_definition jsonb,
  p_title_tr text, p_title_en text, p_item_count integer, p_staff uuid,
  p_max_versions integer)
RETURNS TABLE (outcome text, version integer)
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_current integer;
BEGIN
  SELECT f.current_version INTO v_current FROM forms f
    WHERE f.clinic_id = v_clinic AND f.id = p_form FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::integer;
    RETURN;
  END IF;
  IF v_current >= p_max_versions THEN
    RETURN QUERY SELECT 'full'::text, v_current;
    RETURN;
  END IF;
  INSERT INTO form_versions (clinic_id, form_id, version, definition,
      item_count, created_by)
    VALUES (v_clinic, p_form, v_current + 1, p_definition, p_item_count,
      p_staff);
  UPDATE forms SET current_version = v_current + 1, title_tr = p_title_tr,
      title_en = p_title_en, updated_at = now()
    WHERE clinic_id = v_clinic AND id = p_form;
  RETURN QUERY SELECT 'ok'::text, v_current + 1;
END;
$$;
GRANT EXECUTE ON FUNCTION portal_form_publish(uuid, jsonb, text, text, integer,
  uuid, integer) TO portal_app;

-- Archives or restores form p_form (p_status NULL: kept) and offers it to
-- every patient or not (p_available NULL: kept). Restoring counts against
-- p_max_active like creating.
CREATE FUNCTION portal_form_update(p_form uuid, p_status text,
  p_available boolean, p_max_active integer)
RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_status text;
BEGIN
  IF v_clinic IS NULL THEN
    RETURN 'not_found';
  END IF;
  IF p_status = 'active' THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('forms:' || v_clinic::text, 0));
  END IF;
  SELECT f.status INTO v_status FROM forms f
    WHERE f.clinic_id = v_clinic AND f.id = p_form FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  END IF;
  IF p_status = 'active' AND v_status = 'archived' AND
      (SELECT count(*) FROM forms f WHERE f.clinic_id = v_clinic
       AND f.status = 'active') >= p_max_active THEN
    RETURN 'full';
  END IF;
  UPDATE forms SET status = coalesce(p_status, status),
      available_to_all = coalesce(p_available, available_to_all),
      updated_at = now()
    WHERE clinic_id = v_clinic AND id = p_form;
  RETURN 'ok';
END;
$$;
GRANT EXECUTE ON FUNCTION portal_form_update(uuid, text, boolean, integer)
  TO portal_app;

-- Assigns form p_form to the patients p_patients (assignments add up: one
-- already there is kept as it was). When any of them is not a patient of
-- the clinic, nothing is assigned and missing holds their positions
-- (from 0) in p_patients.
CREATE FUNCTION portal_form_assign(p_form uuid, p_patients uuid[], p_staff uuid)
RETURNS TABLE (outcome text, missing integer[], added integer,
  assigned_count integer)
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_missing integer[];
  v_added integer;
BEGIN
  PERFORM 1 FROM forms f WHERE f.clinic_id = v_clinic AND f.id = p_form;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::integer[], 0, 0;
    RETURN;
  END IF;
  SELECT array_agg((u.n - 1)::integer ORDER BY u.n) INTO v_missing
    FROM unnest(p_patients) WITH ORDINALITY u (id, n)
    WHERE NOT EXISTS (SELECT 1 FROM patients p
      WHERE p.clinic_id = v_clinic AND p.id = u.id);
  IF v_missing IS NOT NULL THEN
    RETURN QUERY SELECT 'invalid'::text, v_missing, 0, 0;
    RETURN;
  END IF;
  INSERT INTO form_assignments (clinic_id, form_id, patient_id, assigned_by)
    SELECT v_clinic, p_form, u.id, p_staff FROM unnest(p_patients) u (id)
    ON CONFLICT (form_id, patient_id) DO NOTHING;
  GET DIAGNOSTICS v_added = ROW_COUNT;
  RETURN QUERY SELECT 'ok'::text, NULL::integer[], v_added,
    (SELECT count(*)::integer FROM form_assignments a
     WHERE a.clinic_id = v_clinic AND a.form_id = p_form);
END;
$$;
GRANT EXECUTE ON FUNCTION portal_form_assign(uuid, uuid[], uuid) TO portal_app;
