-- 0015_patient_signin.sql: one home for one-time-code challenges (sign-in
-- and contact change share their limit block and their code message), a
-- contact change that needs the old contact too (DESIGN.md section 17),
-- the notice a replaced contact gets, and the per-clinic ledger of failed
-- code verifications.

-- A patient session remembers the contact it signed in with: a contact
-- change sends its second code there. Sessions made before this migration
-- (and those tests plant) have none; the change then falls back to the
-- patient's contacts on file (portal_contact_change_start below).
ALTER TABLE patient_sessions
  ADD COLUMN signin_channel text CHECK (signin_channel IN ('sms', 'email')),
  ADD COLUMN signin_contact text CHECK (length(signin_contact) BETWEEN 3 AND 254),
  ADD CHECK ((signin_channel IS NULL) = (signin_contact IS NULL));

-- The contact a sign-in was started with, kept only when it belongs to a
-- patient of the clinic (a stranger's typed contact is still never
-- stored), so that the session can remember it.
ALTER TABLE patient_login_challenges
  ADD COLUMN contact text CHECK (length(contact) BETWEEN 3 AND 254);

-- Where a contact change's second code went (the contact the session
-- signed in with), and that code's keyed hash (bound to the challenge id
-- with a suffix of its own, so the two codes never stand for each other).
-- NULL when no second code was sent.
ALTER TABLE patient_contact_challenges
  ADD COLUMN old_code_hash bytea,
  ADD COLUMN old_channel text CHECK (old_channel IN ('sms', 'email')),
  ADD COLUMN old_contact text CHECK (length(old_contact) BETWEEN 3 AND 254),
  ADD CHECK ((old_code_hash IS NULL) = (old_contact IS NULL)
             AND (old_channel IS NULL) = (old_contact IS NULL));

-- A new message purpose: the notice a replaced phone number or email
-- address gets (no code; the new value masked). The purpose lists of the
-- two CHECK constraints are read from the database and extended, so that
-- purposes another migration added before this one are kept.
DO $$
DECLARE
  v_table text;
  v_def text;
  v_purposes text[];
BEGIN
  FOREACH v_table IN ARRAY ARRAY['templates', 'outbox'] LOOP
    SELECT pg_get_constraintdef(c.oid) INTO v_def FROM pg_constraint c
     WHERE c.conrelid = v_table::regclass AND c.conname = v_table || '_purpose_check';
    IF v_def IS NULL THEN
      CONTINUE;   -- the purposes are kept elsewhere already
    END IF;
    SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO v_purposes
      FROM regexp_matches(v_def, '''([a-z_]+)''', 'g') AS m;
    IF NOT 'contact_replaced' = ANY (v_purposes) THEN
      v_purposes := v_purposes || 'contact_replaced'::text;
    END IF;
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD CONSTRAINT %I CHECK (purpose IN (%s))',
      v_table, v_table || '_purpose_check', v_table || '_purpose_check',
      (SELECT string_agg(quote_literal(p), ', ') FROM unnest(v_purposes) p));
  END LOOP;
END
$$;

-- The contact-replaced templates of a clinic, in Turkish and English, for
-- SMS (a replaced phone number) and email (a replaced address); a new
-- clinic gets them when it is created. The masked new value is not a
-- placeholder: it follows the rendered text on a line of its own.
CREATE FUNCTION portal_add_contact_replaced_templates(p_clinic uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO templates (clinic_id, name, channel, purpose, tr_body, en_body)
  VALUES (p_clinic, 'Contact replaced (SMS)', 'sms', 'contact_replaced',
    '{{clinic_name}} hasta portalı: bu numaranın yerine aşağıdaki numara kaydedildi. Siz yapmadıysanız kliniği arayın.',
    '{{clinic_name}} patient portal: this number was replaced by the one below. If you did not make this change, call the clinic.');

  INSERT INTO templates (clinic_id, name, channel, purpose, tr_subject, tr_body, en_subject, en_body)
  VALUES (p_clinic, 'Contact replaced (email)', 'email', 'contact_replaced',
    '{{clinic_name}} hasta portalı: e-posta adresiniz değiştirildi',
    E'Merhaba {{patient_first_name}},\n\n{{clinic_name}} hasta portalı hesabınızda bu e-posta adresinin yerine aşağıdaki adres kaydedildi. Bu adrese artık giriş kodu gönderilmeyecek.\n\nBu değişikliği siz yapmadıysanız hemen kliniği arayın.\n\nYeni adres:',
    '{{clinic_name}} patient portal: your email address was changed',
    E'Hello {{patient_first_name}},\n\nIn your {{clinic_name}} patient portal account this email address was replaced by the address below. Sign-in codes will no longer be sent here.\n\nIf you did not make this change, call the clinic at once.\n\nNew address:');
END
$$;
REVOKE ALL ON FUNCTION portal_add_contact_replaced_templates(uuid) FROM PUBLIC;

SELECT portal_add_contact_replaced_templates(id) FROM clinics;

CREATE FUNCTION portal_clinic_contact_replaced_templates() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM portal_add_contact_replaced_templates(NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER clinics_contact_replaced_templates AFTER INSERT ON clinics
  FOR EACH ROW EXECUTE FUNCTION portal_clinic_contact_replaced_templates();

-- The rate-limit key of a contact at a clinic: a hash, so that the ledger
-- (patient_login_starts, which holds no clinic data) never holds a
-- contact.
CREATE FUNCTION portal_contact_key(p_clinic uuid, p_contact text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'c:' || encode(sha256(convert_to(p_clinic::text || ':' || p_contact, 'UTF8')), 'hex')
$$;

-- The one limit block of every one-time-code start: for each key, at most
-- its limit of starts per window. Answers 0 and records one start under
-- every key, or, when a key is at its limit, the seconds until its oldest
-- start leaves the window (and records nothing). Keys are locked in sorted
-- order, so that two starts sharing keys never wait on each other in a
-- circle.
CREATE FUNCTION portal_rate_take(p_keys text[], p_limits integer[], p_window interval)
RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_key text;
  v_count integer;
  v_oldest timestamptz;
BEGIN
  FOR v_key IN SELECT DISTINCT k FROM unnest(p_keys) k ORDER BY k LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(v_key, 0));
  END LOOP;
  FOR i IN 1 .. cardinality(p_keys) LOOP
    SELECT count(*), min(at) INTO v_count, v_oldest FROM patient_login_starts
     WHERE key = p_keys[i] AND at > now() - p_window;
    IF v_count >= p_limits[i] THEN
      RETURN greatest(1, ceil(extract(epoch FROM v_oldest + p_window - now())))::integer;
    END IF;
  END LOOP;
  INSERT INTO patient_login_starts (key) SELECT unnest(p_keys);
  RETURN 0;
END
$$;

-- The one way a one-time-code message (or the notice of a replaced
-- contact) is queued for the clinic set for the transaction: the clinic's
-- first template of the purpose and channel, in p_lang (the other
-- language when that variant is missing), a plain text of our own when
-- the clinic has none left, rendered by portal_render(); p_tail (the
-- masked new contact of a notice) follows the text on a line of its own.
-- Codes and notices go out whatever the patient's communication choices:
-- the patient asked for them, or must know.
CREATE FUNCTION portal_queue_message(p_purpose text, p_channel text, p_recipient text,
  p_patient uuid, p_first text, p_lang text, p_otp text, p_tail text, p_base_url text,
  p_by_type text, p_by_id uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_lang text := coalesce(p_lang, 'tr');
  v_clinic_name text;
  v_code text;
  v_url text;
  t templates%ROWTYPE;
  v_subject text;
  v_body text;
BEGIN
  SELECT c.name, coalesce(c.public_url, p_base_url) INTO v_clinic_name, v_url
    FROM clinics c WHERE c.id = v_clinic;
  SELECT pc.code INTO v_code FROM portal_codes pc
   WHERE pc.clinic_id = v_clinic AND pc.retired_at IS NULL;
  v_url := v_url || '/' || coalesce(v_code, '');
  SELECT * INTO t FROM templates
   WHERE clinic_id = v_clinic AND channel = p_channel AND purpose = p_purpose
   ORDER BY created_at, id LIMIT 1;
  IF v_lang = 'en' AND t.en_body IS NULL THEN v_lang := 'tr'; END IF;
  IF v_lang = 'tr' AND t.tr_body IS NULL AND t.en_body IS NOT NULL THEN v_lang := 'en'; END IF;
  v_body := CASE v_lang WHEN 'en' THEN t.en_body ELSE t.tr_body END;
  v_subject := CASE v_lang WHEN 'en' THEN t.en_subject ELSE t.tr_subject END;
  IF v_body IS NULL THEN
    -- No template of this purpose left: a plain text still gets it through.
    v_body := CASE p_purpose || '/' || v_lang
      WHEN 'sign_in_code/en' THEN '{{clinic_name}} sign-in code: {{otp}}'
      WHEN 'sign_in_code/tr' THEN '{{clinic_name}} giriş kodu: {{otp}}'
      WHEN 'contact_change_code/en' THEN '{{clinic_name}} confirmation code: {{otp}}'
      WHEN 'contact_change_code/tr' THEN '{{clinic_name}} doğrulama kodu: {{otp}}'
      WHEN 'contact_replaced/en' THEN '{{clinic_name}}: this contact was replaced in your patient portal account by:'
      ELSE '{{clinic_name}}: hasta portalı hesabınızda bu iletişim bilgisinin yerine şu kaydedildi:' END;
  END IF;
  IF p_channel = 'email' AND v_subject IS NULL THEN
    v_subject := CASE p_purpose || '/' || v_lang
      WHEN 'sign_in_code/en' THEN '{{clinic_name}} sign-in code'
      WHEN 'sign_in_code/tr' THEN '{{clinic_name}} giriş kodu'
      WHEN 'contact_change_code/en' THEN '{{clinic_name}} confirmation code'
      WHEN 'contact_change_code/tr' THEN '{{clinic_name}} doğrulama kodu'
      WHEN 'contact_replaced/en' THEN '{{clinic_name}}: your contact was changed'
      ELSE '{{clinic_name}}: iletişim bilginiz değiştirildi' END;
  END IF;
  v_body := portal_render(v_body, v_code, v_url, p_first, v_clinic_name, p_otp);
  IF p_tail IS NOT NULL THEN
    v_body := v_body || E'\n' || p_tail;
  END IF;
  INSERT INTO outbox (clinic_id, patient_id, channel, recipient, purpose, locale,
                      sender_name, subject, body, created_by_type, created_by_id)
  VALUES (v_clinic, p_patient, p_channel, p_recipient, p_purpose, v_lang, v_clinic_name,
          CASE WHEN p_channel = 'email' THEN
            portal_render(v_subject, v_code, v_url, p_first, v_clinic_name, p_otp) END,
          v_body, p_by_type, p_by_id);
END
$$;

-- Starts a sign-in for p_contact (E.164 phone or lower-case email) at the
-- clinic set for the transaction; p_addr is the client address's rate key
-- (net_rate_key(): an IPv6 client counts by its /64). Answers the
-- challenge id, or NULL and the seconds to wait when a limit is reached.
-- A known and an unknown contact run the same statements; only a known
-- one's code is queued. Runs under row-level security as the application.
CREATE OR REPLACE FUNCTION portal_login_start(p_id uuid, p_channel text, p_contact text,
  p_code_hash bytea, p_otp text, p_addr text, p_contact_limit integer,
  p_addr_limit integer, p_window interval, p_lifetime interval, p_base_url text)
RETURNS TABLE (challenge_id uuid, retry_after integer)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_wait integer;
  v_ids uuid[];
  v_first text;
  v_lang text;
BEGIN
  v_wait := portal_rate_take(ARRAY[portal_contact_key(v_clinic, p_contact), 'a:' || p_addr],
                             ARRAY[p_contact_limit, p_addr_limit], p_window);
  IF v_wait > 0 THEN
    RETURN QUERY SELECT NULL::uuid, v_wait;
    RETURN;
  END IF;

  SELECT coalesce(array_agg(p.id ORDER BY p.created_at, p.id), '{}'),
         string_agg(p.first_name, ', ' ORDER BY p.created_at, p.id),
         (array_agg(p.language ORDER BY p.created_at, p.id))[1]
    INTO v_ids, v_first, v_lang
    FROM patients p
   WHERE p.clinic_id = v_clinic AND p.portal_access
     AND CASE p_channel WHEN 'sms' THEN p.phone = p_contact
                        ELSE p.email = p_contact::citext END;

  INSERT INTO patient_login_challenges (id, clinic_id, channel, contact, patient_ids,
                                        code_hash, expires_at)
  VALUES (p_id, v_clinic, p_channel,
          CASE WHEN cardinality(v_ids) > 0 THEN p_contact END, v_ids,
          p_code_hash, now() + p_lifetime);

  IF cardinality(v_ids) > 0 THEN
    PERFORM portal_queue_message('sign_in_code', p_channel, p_contact, v_ids[1], v_first,
                                 v_lang, p_otp, NULL, p_base_url, 'system', NULL);
  END IF;
  RETURN QUERY SELECT p_id, 0;
END
$$;

-- Starts a contact change for patient p_patient of the clinic set for the
-- transaction, asked from the session behind p_session_hash: the
-- challenge; the code to the NEW contact; and a second code to the contact
-- that session signed in with (while the patient still has it on file;
-- otherwise their contact on the session's channel, else the other one).
-- Limited per patient and per new contact (p_contact_limit) and per
-- client address (p_addr: its rate key; p_addr_limit) within p_window.
-- Answers retry_after 0 and whether the second code went out, or the
-- seconds to wait (nothing is stored then).
DROP FUNCTION portal_contact_change_start(uuid, uuid, text, text, bytea, text, integer,
  interval, interval, text);
CREATE FUNCTION portal_contact_change_start(p_id uuid, p_patient uuid, p_session_hash bytea,
  p_channel text, p_contact text, p_code_hash bytea, p_otp text, p_old_code_hash bytea,
  p_old_otp text, p_addr text, p_contact_limit integer, p_addr_limit integer,
  p_window interval, p_lifetime interval, p_base_url text)
RETURNS TABLE (retry_after integer, old_code_sent boolean)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_wait integer;
  p patients%ROWTYPE;
  v_channel text;
  v_contact text;
  v_prefer text;
  v_old_channel text;
  v_old_contact text;
BEGIN
  v_wait := portal_rate_take(ARRAY['cc:' || p_patient::text, portal_contact_key(v_clinic, p_contact),
                                   'a:' || p_addr],
                             ARRAY[p_contact_limit, p_contact_limit, p_addr_limit], p_window);
  IF v_wait > 0 THEN
    RETURN QUERY SELECT v_wait, false;
    RETURN;
  END IF;

  SELECT * INTO p FROM patients WHERE clinic_id = v_clinic AND id = p_patient;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such patient' USING ERRCODE = 'P0002';
  END IF;
  SELECT s.signin_channel, s.signin_contact INTO v_channel, v_contact
    FROM patient_sessions s
   WHERE s.clinic_id = v_clinic AND s.patient_id = p_patient AND s.token_hash = p_session_hash;
  v_prefer := coalesce(v_channel, p_channel);
  IF (v_channel = 'sms' AND v_contact = p.phone)
     OR (v_channel = 'email' AND v_contact::citext = p.email) THEN
    v_old_channel := v_channel;
    v_old_contact := v_contact;
  ELSIF p.phone IS NOT NULL AND (v_prefer = 'sms' OR p.email IS NULL) THEN
    v_old_channel := 'sms';
    v_old_contact := p.phone;
  ELSIF p.email IS NOT NULL THEN
    v_old_channel := 'email';
    v_old_contact := p.email::text;
  END IF;

  INSERT INTO patient_contact_challenges (id, clinic_id, patient_id, channel, new_contact,
                                          code_hash, old_code_hash, old_channel, old_contact,
                                          expires_at)
  VALUES (p_id, v_clinic, p_patient, p_channel, p_contact, p_code_hash,
          CASE WHEN v_old_contact IS NOT NULL THEN p_old_code_hash END,
          v_old_channel, v_old_contact, now() + p_lifetime);

  PERFORM portal_queue_message('contact_change_code', p_channel, p_contact, p_patient,
                               p.first_name, p.language, p_otp, NULL, p_base_url,
                               'patient', p_patient);
  IF v_old_contact IS NOT NULL THEN
    PERFORM portal_queue_message('contact_change_code', v_old_channel, v_old_contact, p_patient,
                                 p.first_name, p.language, p_old_otp, NULL, p_base_url,
                                 'patient', p_patient);
  END IF;
  RETURN QUERY SELECT 0, v_old_contact IS NOT NULL;
END
$$;

-- The notice a replaced contact gets after a contact change: no code, the
-- new value masked (p_masked), in the patient's language.
CREATE FUNCTION portal_contact_replaced(p_patient uuid, p_channel text, p_replaced text,
  p_masked text, p_base_url text)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  p patients%ROWTYPE;
BEGIN
  SELECT * INTO p FROM patients WHERE clinic_id = portal_current_clinic() AND id = p_patient;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such patient' USING ERRCODE = 'P0002';
  END IF;
  PERFORM portal_queue_message('contact_replaced', p_channel, p_replaced, p_patient,
                               p.first_name, p.language, NULL, p_masked, p_base_url,
                               'patient', p_patient);
END
$$;

REVOKE ALL ON FUNCTION portal_contact_key(uuid, text), portal_rate_take(text[], integer[], interval),
  portal_queue_message(text, text, text, uuid, text, text, text, text, text, text, uuid),
  portal_contact_change_start(uuid, uuid, bytea, text, text, bytea, text, bytea, text, text,
    integer, integer, interval, interval, text),
  portal_contact_replaced(uuid, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_contact_key(uuid, text), portal_rate_take(text[], integer[], interval),
  portal_queue_message(text, text, text, uuid, text, text, text, text, text, text, uuid),
  portal_contact_change_start(uuid, uuid, bytea, text, text, bytea, text, bytea, text, text,
    integer, integer, interval, interval, text),
  portal_contact_replaced(uuid, text, text, text, text) TO portal_app;
