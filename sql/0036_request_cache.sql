-- 0036_request_cache.sql: the worker's copy of a portal's clinic and
-- settings (DESIGN.md section 11: "a worker may cache what it validates in
-- that same round trip, for example by a settings version number").
--
-- Measured (pgbench, one client, backend CPU per call): the patient
-- request function of 0012 costs about 110-140 us, most of it opening and
-- scanning the seven tables behind the clinic's and the settings' columns;
-- the same session check over portal_settings, patient_sessions and
-- patients alone about 50 us. So:
--
-- * portal_settings.context_version counts every change to what a worker
--   keeps of a portal: the clinic's columns (clinics), the module
--   (clinic_modules), the payment infrastructure, the settings themselves
--   and the portal's codes. Triggers bump it in the changing transaction,
--   so a request that reads the new version reads the new rows too.
-- * portal_request_patient(code, token hash, idle, clinic, version): when
--   the worker's copy for this code says clinic and version, and the
--   settings row of that clinic still has that version, is enabled and has
--   this code, only the session and the patient are read (one query), and
--   the clinic's and settings' columns come back NULL with
--   s_context_version NULL: "yours is current". Otherwise it answers what
--   0012's function answers (every check, every column) and the version
--   to keep, read before them. Either way one round trip, the portal
--   checks are decided on this request, and the context is set as before.

ALTER TABLE portal_settings ADD COLUMN context_version bigint NOT NULL DEFAULT 1;

-- Any change to the settings row moves it on (a bump from the triggers
-- below comes through here too, and moves it by one).
CREATE FUNCTION portal_context_settings_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.context_version := OLD.context_version + 1;
  RETURN NEW;
END
$$;
CREATE TRIGGER portal_settings_context BEFORE UPDATE ON portal_settings
  FOR EACH ROW EXECUTE FUNCTION portal_context_settings_bump();

-- A change to a row that the cached columns come from: the clinic's row,
-- or a row naming the clinic in clinic_id.
CREATE FUNCTION portal_context_bump_clinic() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE portal_settings SET context_version = context_version + 1
   WHERE clinic_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE FUNCTION portal_context_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE portal_settings SET context_version = context_version + 1
     WHERE clinic_id = OLD.clinic_id;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.clinic_id IS DISTINCT FROM OLD.clinic_id) THEN
    UPDATE portal_settings SET context_version = context_version + 1
     WHERE clinic_id = NEW.clinic_id;
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION portal_context_settings_bump(), portal_context_bump_clinic(),
  portal_context_bump() FROM PUBLIC;

CREATE TRIGGER clinics_context AFTER UPDATE ON clinics
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION portal_context_bump_clinic();
CREATE TRIGGER clinic_modules_context AFTER INSERT OR UPDATE OR DELETE ON clinic_modules
  FOR EACH ROW EXECUTE FUNCTION portal_context_bump();
CREATE TRIGGER payment_infrastructure_context
  AFTER INSERT OR UPDATE OR DELETE ON payment_infrastructure
  FOR EACH ROW EXECUTE FUNCTION portal_context_bump();
CREATE TRIGGER portal_codes_context AFTER INSERT OR UPDATE OR DELETE ON portal_codes
  FOR EACH ROW EXECUTE FUNCTION portal_context_bump();

-- The columns and their order are 0012's portal_request_patient() and
-- then s_context_version (NULL: the worker's copy is current, and the
-- clinic's and settings' columns are NULL too).
CREATE FUNCTION portal_request_patient(p_code text, p_token_hash bytea, p_idle integer,
  p_clinic uuid, p_version bigint)
RETURNS TABLE (status text, csrf_token text,
  c_id uuid, c_name text, c_default_language text, c_public_url text,
  c_lang_tr boolean, c_lang_en boolean, c_portal_module boolean,
  c_payment_active boolean, c_payment_provider text, c_country text,
  c_time_zone text, c_currency text,
  s_enabled boolean, s_code text, s_permissions text, s_sms_template_id uuid,
  s_email_template_id uuid, s_upload_reviewer_id uuid, s_version integer,
  p_id uuid, p_first_name text, p_last_name text, p_phone text, p_email text,
  p_language text, p_portal_access boolean, p_custom boolean, p_permissions text,
  p_created_at text, p_updated_at text, p_address text,
  p_emergency_contact_name text, p_emergency_contact_phone text,
  p_communication_sms boolean, p_communication_email boolean,
  p_photo_sha256 text, p_photo_type text, p_sort_key text,
  s_context_version bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_touch boolean;
  v_current boolean;
  v_set text;
BEGIN
  IF p_clinic IS NOT NULL THEN
    -- The worker's copy: still current, and the portal still open at
    -- this code? Then the session and the patient, and the context set,
    -- in the same query (a row only when the copy is current).
    SELECT true, ps.csrf_token, p.id, p.first_name, p.last_name, p.phone,
           p.email::text, p.language, p.portal_access, p.permissions_mode = 'custom',
           array_to_string(p.custom_permissions, ','),
           to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           p.address, p.emergency_contact_name, p.emergency_contact_phone,
           p.communication_sms, p.communication_email, p.photo_sha256, p.photo_type,
           p.sort_key, portal_session_touch_due(ps.last_seen_at, p_idle),
           set_config('portal.clinic_id', p_clinic::text, true),
           set_config('portal.patient_id', coalesce(p.id::text, ''), true)
      INTO v_current, csrf_token, p_id, p_first_name, p_last_name, p_phone,
           p_email, p_language, p_portal_access, p_custom, p_permissions,
           p_created_at, p_updated_at, p_address, p_emergency_contact_name,
           p_emergency_contact_phone, p_communication_sms, p_communication_email,
           p_photo_sha256, p_photo_type, p_sort_key, v_touch, v_set, v_set
      FROM portal_settings s
      LEFT JOIN (patient_sessions ps
                 JOIN patients p ON p.clinic_id = ps.clinic_id AND p.id = ps.patient_id
                  AND p.portal_access AND (p.phone IS NOT NULL OR p.email IS NOT NULL))
        ON ps.clinic_id = s.clinic_id AND ps.token_hash = p_token_hash
       AND ps.expires_at > now()
       AND ps.last_seen_at > now() - p_idle * interval '1 second'
     WHERE s.clinic_id = p_clinic AND s.context_version = p_version
       AND s.enabled AND s.code = p_code;
    IF v_current THEN
      status := CASE WHEN p_id IS NULL THEN 'no_session' ELSE 'ok' END;
      IF p_id IS NOT NULL AND v_touch THEN
        UPDATE patient_sessions SET last_seen_at = now() WHERE token_hash = p_token_hash;
      END IF;
      RETURN NEXT;
      RETURN;
    END IF;
    csrf_token := NULL;
  END IF;
  -- No copy, or not current: every check and every column, by 0012's
  -- function, with the version to keep. The version is read first, so a
  -- change committed in between leaves the copy older than its columns,
  -- never newer (the next request then finds it not current); 0 when the
  -- code names no clinic, which no settings row has.
  SELECT coalesce((SELECT s.context_version FROM portal_codes pc
                     JOIN portal_settings s ON s.clinic_id = pc.clinic_id
                    WHERE pc.code = p_code), 0)
    INTO s_context_version;
  RETURN QUERY SELECT o.*, s_context_version
                 FROM portal_request_patient(p_code, p_token_hash, p_idle) o;
END
$$;

REVOKE ALL ON FUNCTION portal_request_patient(text, bytea, integer, uuid, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_request_patient(text, bytea, integer, uuid, bigint) TO portal_app;
