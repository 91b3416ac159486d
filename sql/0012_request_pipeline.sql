-- 0012_request_pipeline.sql: who is calling, and in which clinic, in one
-- statement per request (DESIGN.md section 11).
--
-- Each function below runs as the owner (past row-level security, since it
-- must find the row before it knows the clinic), answers everything the
-- request pipeline needs to authenticate, decide and serialize a context
-- (the caller, the clinic, the portal settings, the patient), and sets
-- portal.clinic_id (and portal.patient_id) for the rest of the transaction
-- it runs in. A session's last_seen_at is written at most once per
-- least(60 s, idle / 4): requests that share one session no longer queue on
-- its row lock, and an idle session still ends on time.
--
-- The columns come in the order of the C readers in src/db/db_internal.h:
-- DB_CLINIC_COLUMNS (12), DB_SETTINGS_COLUMNS (7), DB_PATIENT_COLUMNS (19).

-- An API key acts with the role of the person who made it, narrowed by its
-- scopes, and dies with that person's access. Keys made by the operator
-- (portalctl, no maker) act as the owner.
ALTER TABLE api_keys ADD COLUMN created_by uuid;
ALTER TABLE api_keys ADD FOREIGN KEY (clinic_id, created_by)
  REFERENCES staff (clinic_id, id) ON DELETE CASCADE;

CREATE FUNCTION portal_session_touch_due(p_last_seen timestamptz, p_idle integer)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_last_seen < now() - least(interval '60 seconds', p_idle * interval '0.25 second')
$$;

-- The clinic's columns, as DB_CLINIC_COLUMNS reads them. This helper and
-- portal_open_clinic() are plain SQL functions of one SELECT, neither
-- SECURITY DEFINER nor with a SET clause, so that PostgreSQL inlines them
-- into the request functions' queries (which run as the owner): a SQL
-- function that is not inlined is planned again on every call, and that
-- planning was most of a request's database time (measured with pgbench:
-- 6,200 calls/s against 63,000 of a primary-key SELECT). Only the owner
-- and the request functions call them.
CREATE FUNCTION portal_clinic_columns(p_clinic uuid)
RETURNS TABLE (id uuid, name text, default_language text, public_url text,
  lang_tr boolean, lang_en boolean, portal_module boolean, payment_active boolean,
  payment_provider text, country text, time_zone text, currency text)
LANGUAGE sql STABLE AS $$
  SELECT c.id, c.name, c.default_language, c.public_url,
         'tr' = ANY (c.languages), 'en' = ANY (c.languages),
         EXISTS (SELECT 1 FROM clinic_modules m WHERE m.clinic_id = c.id
                  AND m.module = 'patient_portal'),
         coalesce(p.active, false), p.provider, c.country, c.time_zone, c.currency
    FROM clinics c LEFT JOIN payment_infrastructure p ON p.clinic_id = c.id
   WHERE c.id = p_clinic
$$;

-- Staff side: a session (p_is_key false: token hash, idle seconds) or an
-- API key (p_is_key true: secret hash). No row when neither is valid: no
-- such token, ended, idle, revoked, or its person is no longer active.
-- `role` is the person's role; a key's is its maker's ('owner' for the
-- operator's keys), which the pipeline narrows by the key's scopes.
CREATE FUNCTION portal_request_clinic(p_is_key boolean, p_hash bytea, p_idle integer)
RETURNS TABLE (actor_id uuid, actor_name text, role text, csrf_token text, scopes text,
  c_id uuid, c_name text, c_default_language text, c_public_url text,
  c_lang_tr boolean, c_lang_en boolean, c_portal_module boolean,
  c_payment_active boolean, c_payment_provider text, c_country text,
  c_time_zone text, c_currency text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid;
  v_actor uuid;
  v_name text;
  v_role text;
  v_csrf text;
  v_scopes text;
  v_touch boolean;
BEGIN
  IF p_is_key THEN
    SELECT k.clinic_id, k.id, k.name, coalesce(s.role, 'owner'),
           array_to_string(k.scopes, ','),
           k.last_used_at IS NULL OR k.last_used_at < now() - interval '60 seconds'
      INTO v_clinic, v_actor, v_name, v_role, v_scopes, v_touch
      FROM api_keys k LEFT JOIN staff s ON s.clinic_id = k.clinic_id AND s.id = k.created_by
     WHERE k.secret_hash = p_hash AND k.revoked_at IS NULL
       AND (k.created_by IS NULL OR s.active);
    IF v_clinic IS NULL THEN
      RETURN;
    END IF;
    IF v_touch THEN
      UPDATE api_keys SET last_used_at = now() WHERE secret_hash = p_hash;
    END IF;
  ELSE
    SELECT ss.clinic_id, ss.staff_id, s.name, s.role, ss.csrf_token,
           portal_session_touch_due(ss.last_seen_at, p_idle)
      INTO v_clinic, v_actor, v_name, v_role, v_csrf, v_touch
      FROM staff_sessions ss JOIN staff s ON s.clinic_id = ss.clinic_id AND s.id = ss.staff_id
     WHERE ss.token_hash = p_hash AND ss.expires_at > now()
       AND ss.last_seen_at > now() - p_idle * interval '1 second' AND s.active;
    IF v_clinic IS NULL THEN
      RETURN;
    END IF;
    IF v_touch THEN
      UPDATE staff_sessions SET last_seen_at = now() WHERE token_hash = p_hash;
    END IF;
  END IF;
  PERFORM set_config('portal.clinic_id', v_clinic::text, true);
  PERFORM set_config('portal.patient_id', '', true);
  RETURN QUERY SELECT v_actor, v_name, v_role, v_csrf, v_scopes, c.*
                 FROM portal_clinic_columns(v_clinic) c;
END
$$;

-- The clinic whose portal a code opens: none for an unknown or retired
-- code, a clinic without the module, a portal switched off, or a code that
-- is not the live one.
CREATE FUNCTION portal_open_clinic(p_code text) RETURNS TABLE (clinic_id uuid)
LANGUAGE sql STABLE AS $$
  SELECT pc.clinic_id FROM portal_codes pc
   WHERE pc.code = p_code AND pc.retired_at IS NULL
     AND EXISTS (SELECT 1 FROM portal_settings s WHERE s.clinic_id = pc.clinic_id
                  AND s.enabled AND s.code = p_code)
     AND EXISTS (SELECT 1 FROM clinic_modules m WHERE m.clinic_id = pc.clinic_id
                  AND m.module = 'patient_portal')
$$;

-- The portal a code opens: 'no_portal' or 'ok' with the clinic's and the
-- settings' columns. Used by the public routes at a portal (the card, sign-in).
CREATE FUNCTION portal_request_portal(p_code text)
RETURNS TABLE (status text,
  c_id uuid, c_name text, c_default_language text, c_public_url text,
  c_lang_tr boolean, c_lang_en boolean, c_portal_module boolean,
  c_payment_active boolean, c_payment_provider text, c_country text,
  c_time_zone text, c_currency text,
  s_enabled boolean, s_code text, s_permissions text, s_sms_template_id uuid,
  s_email_template_id uuid, s_upload_reviewer_id uuid, s_version integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid;
BEGIN
  SELECT o.clinic_id INTO v_clinic FROM portal_open_clinic(p_code) o;
  IF v_clinic IS NULL THEN
    status := 'no_portal';
    RETURN NEXT;
    RETURN;
  END IF;
  PERFORM set_config('portal.clinic_id', v_clinic::text, true);
  PERFORM set_config('portal.patient_id', '', true);
  RETURN QUERY
    SELECT 'ok'::text, c.*, s.enabled, s.code, array_to_string(s.permissions, ','),
           s.sms_template_id, s.email_template_id, s.upload_reviewer_id, s.version
      FROM portal_clinic_columns(v_clinic) c, portal_settings s
     WHERE s.clinic_id = v_clinic;
END
$$;

-- Patient side: the portal a code opens and the session behind a token
-- hash (NULL: no cookie). status 'no_portal', 'no_session' (none, idle,
-- ended, or the patient lost access or every contact) or 'ok' with the
-- clinic's, the settings' and the patient's columns; the permission is
-- then decided in C from them, on every request.
CREATE FUNCTION portal_request_patient(p_code text, p_token_hash bytea, p_idle integer)
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
  p_photo_sha256 text, p_photo_type text, p_sort_key text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid;
  v_patient uuid;
  v_csrf text;
  v_touch boolean;
BEGIN
  SELECT o.clinic_id INTO v_clinic FROM portal_open_clinic(p_code) o;
  IF v_clinic IS NULL THEN
    status := 'no_portal';
    RETURN NEXT;
    RETURN;
  END IF;
  IF p_token_hash IS NOT NULL THEN
    SELECT ps.patient_id, ps.csrf_token, portal_session_touch_due(ps.last_seen_at, p_idle)
      INTO v_patient, v_csrf, v_touch
      FROM patient_sessions ps JOIN patients p ON p.clinic_id = ps.clinic_id AND p.id = ps.patient_id
     WHERE ps.clinic_id = v_clinic AND ps.token_hash = p_token_hash
       AND ps.expires_at > now()
       AND ps.last_seen_at > now() - p_idle * interval '1 second'
       AND p.portal_access AND (p.phone IS NOT NULL OR p.email IS NOT NULL);
  END IF;
  PERFORM set_config('portal.clinic_id', v_clinic::text, true);
  PERFORM set_config('portal.patient_id', coalesce(v_patient::text, ''), true);
  IF v_patient IS NULL THEN
    status := 'no_session';
    RETURN NEXT;
    RETURN;
  END IF;
  IF v_touch THEN
    UPDATE patient_sessions SET last_seen_at = now() WHERE token_hash = p_token_hash;
  END IF;
  RETURN QUERY
    SELECT 'ok'::text, v_csrf, c.*, s.enabled, s.code, array_to_string(s.permissions, ','),
           s.sms_template_id, s.email_template_id, s.upload_reviewer_id, s.version,
           p.id, p.first_name, p.last_name, p.phone, p.email::text, p.language,
           p.portal_access, p.permissions_mode = 'custom',
           array_to_string(p.custom_permissions, ','),
           to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           p.address, p.emergency_contact_name, p.emergency_contact_phone,
           p.communication_sms, p.communication_email, p.photo_sha256, p.photo_type,
           p.sort_key
      FROM portal_clinic_columns(v_clinic) c, portal_settings s, patients p
     WHERE s.clinic_id = v_clinic AND p.clinic_id = v_clinic AND p.id = v_patient;
END
$$;

-- The patient of the transaction (portal.patient_id), for statements that
-- serve a patient's own data.
CREATE FUNCTION portal_current_patient() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('portal.patient_id', true), '')::uuid $$;

REVOKE ALL ON FUNCTION portal_session_touch_due(timestamptz, integer),
  portal_clinic_columns(uuid), portal_request_clinic(boolean, bytea, integer),
  portal_open_clinic(text), portal_request_portal(text),
  portal_request_patient(text, bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_request_clinic(boolean, bytea, integer),
  portal_request_portal(text), portal_request_patient(text, bytea, integer),
  portal_current_patient() TO portal_app;
