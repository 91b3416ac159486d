-- 0009_profile.sql: what a patient keeps current in their profile
-- (address, emergency contact, communication preferences, photo), the
-- one-time codes that confirm a new phone number or email address, and
-- the contact-change templates every clinic starts with.

ALTER TABLE patients
  ADD COLUMN address text CHECK (length(address) BETWEEN 1 AND 500),
  ADD COLUMN emergency_contact_name text
    CHECK (length(emergency_contact_name) BETWEEN 1 AND 100),
  ADD COLUMN emergency_contact_phone text
    CHECK (emergency_contact_phone ~ '^\+[1-9][0-9]{6,14}$'),
  -- Whether the clinic may write to the patient on that channel about
  -- anything but what the patient asked for themself (one-time codes).
  ADD COLUMN communication_sms boolean NOT NULL DEFAULT true,
  ADD COLUMN communication_email boolean NOT NULL DEFAULT true,
  -- The photo: SHA-256 of the stored (re-encoded) bytes, which name the
  -- file under files_dir/photos/<clinic id>/, and its media type.
  ADD COLUMN photo_sha256 text CHECK (photo_sha256 ~ '^[0-9a-f]{64}$'),
  ADD COLUMN photo_type text CHECK (photo_type IN ('image/jpeg', 'image/png', 'image/webp')),
  ADD COLUMN photo_updated_at timestamptz,
  ADD CHECK ((emergency_contact_name IS NULL) = (emergency_contact_phone IS NULL)),
  ADD CHECK ((photo_sha256 IS NULL) = (photo_type IS NULL));

-- Who else in the clinic uses a stored file (the same bytes uploaded
-- twice share one file), before it is removed.
CREATE INDEX patients_photo ON patients (clinic_id, photo_sha256) WHERE photo_sha256 IS NOT NULL;

-- A change of the phone number or email address a patient signs in with,
-- waiting for the code sent to the new contact. The code is kept only as
-- a keyed hash (crypto_otp_hash: BLAKE2b keyed by signin_secret, bound to
-- the challenge id); tries are spent in one UPDATE ... WHERE attempts <
-- max. The new contact is stored: the patient typed it themself.
CREATE TABLE patient_contact_challenges (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  patient_id uuid NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'email')),
  new_contact text NOT NULL CHECK (length(new_contact) BETWEEN 3 AND 254),
  code_hash bytea NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  verified_at timestamptz,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX patient_contact_challenges_patient
  ON patient_contact_challenges (clinic_id, patient_id);
CREATE INDEX patient_contact_challenges_expiry ON patient_contact_challenges (expires_at);
ALTER TABLE patient_contact_challenges ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON patient_contact_challenges USING (clinic_id = portal_current_clinic());
GRANT SELECT, INSERT, UPDATE, DELETE ON patient_contact_challenges TO portal_app;

-- The contact-change code templates of a clinic, in Turkish and English,
-- for SMS and email; a new clinic gets them when it is created.
CREATE FUNCTION portal_add_contact_change_templates(p_clinic uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO templates (clinic_id, name, channel, purpose, tr_body, en_body)
  VALUES (p_clinic, 'Contact change code (SMS)', 'sms', 'contact_change_code',
    '{{clinic_name}} iletişim bilgisi doğrulama kodunuz: {{otp}}. Kod 10 dakika geçerlidir; kimseyle paylaşmayın.',
    'Your {{clinic_name}} code to confirm this phone number is {{otp}}. It is valid for 10 minutes; do not share it.');

  INSERT INTO templates (clinic_id, name, channel, purpose, tr_subject, tr_body, en_subject, en_body)
  VALUES (p_clinic, 'Contact change code (email)', 'email', 'contact_change_code',
    '{{clinic_name}} e-posta doğrulama kodunuz',
    E'Merhaba {{patient_first_name}},\n\n{{clinic_name}} hasta portalında bu e-posta adresini onaylamak için kodunuz: {{otp}}\n\nKod 10 dakika geçerlidir. Bu değişikliği siz istemediyseniz bu e-postayı dikkate almayın.\n',
    'Your {{clinic_name}} confirmation code',
    E'Hello {{patient_first_name}},\n\nYour code to confirm this email address in the {{clinic_name}} patient portal is {{otp}}\n\nIt is valid for 10 minutes. If you did not ask for this change, ignore this email.\n');
END
$$;
REVOKE ALL ON FUNCTION portal_add_contact_change_templates(uuid) FROM PUBLIC;

SELECT portal_add_contact_change_templates(id) FROM clinics;

CREATE FUNCTION portal_clinic_contact_change_templates() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM portal_add_contact_change_templates(NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER clinics_contact_change_templates AFTER INSERT ON clinics
  FOR EACH ROW EXECUTE FUNCTION portal_clinic_contact_change_templates();

-- Starts a contact change for patient p_patient of the clinic set for the
-- transaction: the challenge, and the code message to the NEW contact,
-- rendered from the clinic's first contact-change template of the channel
-- in the patient's language (the other one when that variant is missing).
-- Rate-limited per patient like sign-in starts per contact. Answers 0, or
-- the seconds to wait when the limit is reached (nothing is stored then).
CREATE FUNCTION portal_contact_change_start(p_id uuid, p_patient uuid, p_channel text,
  p_contact text, p_code_hash bytea, p_otp text, p_limit integer, p_window interval,
  p_lifetime interval, p_base_url text)
RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_key text := 'cc:' || p_patient::text;
  v_oldest timestamptz;
  v_count integer;
  v_first text;
  v_lang text;
  v_clinic_name text;
  v_code text;
  v_url text;
  t templates%ROWTYPE;
  v_subject text;
  v_body text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(v_key, 0));
  SELECT count(*), min(at) INTO v_count, v_oldest FROM patient_login_starts
   WHERE key = v_key AND at > now() - p_window;
  IF v_count >= p_limit THEN
    RETURN greatest(1, ceil(extract(epoch FROM v_oldest + p_window - now())))::integer;
  END IF;
  INSERT INTO patient_login_starts (key) VALUES (v_key);

  SELECT p.first_name, p.language INTO v_first, v_lang
    FROM patients p WHERE p.clinic_id = v_clinic AND p.id = p_patient;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such patient' USING ERRCODE = 'P0002';
  END IF;

  INSERT INTO patient_contact_challenges (id, clinic_id, patient_id, channel, new_contact,
                                          code_hash, expires_at)
  VALUES (p_id, v_clinic, p_patient, p_channel, p_contact, p_code_hash, now() + p_lifetime);

  SELECT c.name, coalesce(c.public_url, p_base_url) INTO v_clinic_name, v_url
    FROM clinics c WHERE c.id = v_clinic;
  SELECT pc.code INTO v_code FROM portal_codes pc
   WHERE pc.clinic_id = v_clinic AND pc.retired_at IS NULL;
  v_url := v_url || '/' || coalesce(v_code, '');
  SELECT * INTO t FROM templates
   WHERE clinic_id = v_clinic AND channel = p_channel AND purpose = 'contact_change_code'
   ORDER BY created_at, id LIMIT 1;
  IF v_lang = 'en' AND t.en_body IS NULL THEN v_lang := 'tr'; END IF;
  IF v_lang = 'tr' AND t.tr_body IS NULL AND t.en_body IS NOT NULL THEN v_lang := 'en'; END IF;
  v_body := CASE v_lang WHEN 'en' THEN t.en_body ELSE t.tr_body END;
  v_subject := CASE v_lang WHEN 'en' THEN t.en_subject ELSE t.tr_subject END;
  IF v_body IS NULL THEN
    -- No template of this purpose left: a plain text still gets the code through.
    v_body := CASE v_lang WHEN 'en' THEN '{{clinic_name}} confirmation code: {{otp}}'
              ELSE '{{clinic_name}} doğrulama kodu: {{otp}}' END;
  END IF;
  IF p_channel = 'email' AND v_subject IS NULL THEN
    v_subject := CASE v_lang WHEN 'en' THEN '{{clinic_name}} confirmation code'
                 ELSE '{{clinic_name}} doğrulama kodu' END;
  END IF;
  INSERT INTO outbox (clinic_id, patient_id, channel, recipient, purpose, locale,
                      sender_name, subject, body, created_by_type, created_by_id)
  VALUES (v_clinic, p_patient, p_channel, p_contact, 'contact_change_code', coalesce(v_lang, 'tr'),
          v_clinic_name,
          CASE WHEN p_channel = 'email' THEN
            portal_render(v_subject, v_code, v_url, v_first, v_clinic_name, p_otp) END,
          portal_render(v_body, v_code, v_url, v_first, v_clinic_name, p_otp),
          'patient', p_patient);
  RETURN 0;
END
$$;
REVOKE ALL ON FUNCTION portal_contact_change_start(uuid, uuid, text, text, bytea, text, integer,
  interval, interval, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_contact_change_start(uuid, uuid, text, text, bytea, text, integer,
  interval, interval, text) TO portal_app;

-- portalctl purge-sessions also removes expired contact-change challenges.
CREATE OR REPLACE FUNCTION portal_purge_sessions(p_staff_idle interval, p_patient_idle interval)
RETURNS TABLE (what text, removed bigint)
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  DELETE FROM staff_sessions
   WHERE expires_at <= now() OR last_seen_at <= now() - p_staff_idle;
  GET DIAGNOSTICS n = ROW_COUNT; what := 'staff_sessions'; removed := n; RETURN NEXT;
  DELETE FROM patient_sessions
   WHERE expires_at <= now() OR last_seen_at <= now() - p_patient_idle;
  GET DIAGNOSTICS n = ROW_COUNT; what := 'patient_sessions'; removed := n; RETURN NEXT;
  DELETE FROM patient_login_challenges WHERE expires_at <= now();
  GET DIAGNOSTICS n = ROW_COUNT; what := 'patient_login_challenges'; removed := n; RETURN NEXT;
  DELETE FROM patient_contact_challenges WHERE expires_at <= now();
  GET DIAGNOSTICS n = ROW_COUNT; what := 'patient_contact_challenges'; removed := n; RETURN NEXT;
  DELETE FROM patient_login_starts WHERE at <= now() - interval '1 day';
  GET DIAGNOSTICS n = ROW_COUNT; what := 'patient_login_starts'; removed := n; RETURN NEXT;
  DELETE FROM staff_login_failures WHERE failed_at <= now() - interval '1 day';
  GET DIAGNOSTICS n = ROW_COUNT; what := 'staff_login_failures'; removed := n; RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION portal_purge_sessions(interval, interval) FROM PUBLIC;
