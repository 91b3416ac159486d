-- 0006_outbox_signin.sql: the outbox the notifier drains, patient sign-in
-- (challenges, rate limits, sessions) and what a patient's invitation
-- status is read from.

-- One row per message. Producers insert in the transaction of the change
-- that causes the message; portal-notifier claims due rows (status queued,
-- failed, or sending with its lease run out: next_attempt_at doubles as the
-- lease), sends, and records the outcome. The row's id is the message's
-- identity: the SMS reference and the email Message-ID derive from it, so
-- a repeat after a crash can be recognised by the receiver.
CREATE TABLE outbox (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  patient_id uuid,
  channel text NOT NULL CHECK (channel IN ('sms', 'email')),
  recipient text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
  purpose text NOT NULL CHECK (purpose IN ('portal_invitation', 'sign_in_code',
    'contact_change_code', 'appointment_confirmation', 'appointment_cancellation')),
  locale text NOT NULL CHECK (locale IN ('tr', 'en')),
  sender_name text NOT NULL DEFAULT '' CHECK (length(sender_name) <= 200),
  subject text CHECK (length(subject) <= 998),
  body text NOT NULL CHECK (length(body) <= 20000),
  -- The live portal code an invitation pointed at, so that after a code
  -- change the clinic can invite again whoever was invited under the old.
  portal_code text,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'sending', 'failed', 'sent', 'dead')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text CHECK (length(last_error) <= 1000),
  dedupe_key text CHECK (length(dedupe_key) <= 200),
  created_by_type text NOT NULL DEFAULT 'system'
    CHECK (created_by_type IN ('staff', 'api_key', 'patient', 'system')),
  created_by_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (clinic_id, id),
  UNIQUE (clinic_id, dedupe_key),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  CHECK (channel = 'email' OR subject IS NULL),
  CHECK (channel = 'sms' OR subject IS NOT NULL)
);
-- The notifier's queue: only rows still to be delivered.
CREATE INDEX outbox_due ON outbox (next_attempt_at)
  WHERE status IN ('queued', 'sending', 'failed');
CREATE INDEX outbox_clinic_list ON outbox (clinic_id, created_at DESC, id DESC);
CREATE INDEX outbox_patient ON outbox (clinic_id, patient_id, purpose, created_at DESC)
  WHERE patient_id IS NOT NULL;
CREATE INDEX outbox_invited_code ON outbox (clinic_id, portal_code)
  WHERE purpose = 'portal_invitation';

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON outbox TO portal_app
  USING (clinic_id = portal_current_clinic());
-- The notifier works for every clinic, and sees nothing but this table.
CREATE POLICY notifier_all ON outbox TO portal_notifier USING (true);
GRANT SELECT, INSERT, UPDATE ON outbox TO portal_app;
GRANT SELECT, UPDATE (status, attempts, next_attempt_at, last_error, body, updated_at, sent_at)
  ON outbox TO portal_notifier;

-- Wake the notifiers when work arrives (LISTEN outbox). NOTIFY is sent at
-- commit, once per transaction however many rows it inserted.
CREATE FUNCTION portal_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT OR UPDATE OF status ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION portal_outbox_notify();

ALTER TABLE patients
  ADD COLUMN first_signed_in_at timestamptz,
  ADD COLUMN last_signed_in_at timestamptz;

-- A started sign-in. The code is kept only as a keyed hash; the patients
-- the contact belonged to are resolved at start, so the contact typed (a
-- stranger's, perhaps) is never stored. Unknown contacts get a challenge
-- too, with a hash nobody can match: both answers look the same.
CREATE TABLE patient_login_challenges (
  id uuid PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('sms', 'email')),
  patient_ids uuid[] NOT NULL DEFAULT '{}',
  code_hash bytea NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  verified_at timestamptz,
  -- A contact shared by several patients: the verified code buys a
  -- selection token, good once, until the challenge expires.
  selection_hash bytea UNIQUE,
  selected_at timestamptz
);
CREATE INDEX patient_login_challenges_expiry ON patient_login_challenges (expires_at);
ALTER TABLE patient_login_challenges ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON patient_login_challenges USING (clinic_id = portal_current_clinic());
GRANT SELECT, INSERT, UPDATE, DELETE ON patient_login_challenges TO portal_app;

-- Sign-in starts, per contact (hashed with the clinic) and per client
-- address, for the rate limits. No clinic data.
CREATE TABLE patient_login_starts (
  key text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patient_login_starts_key ON patient_login_starts (key, at);
GRANT SELECT, INSERT, DELETE ON patient_login_starts TO portal_app;

CREATE TABLE patient_sessions (
  token_hash bytea PRIMARY KEY,
  clinic_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX patient_sessions_patient ON patient_sessions (clinic_id, patient_id);
CREATE INDEX patient_sessions_expiry ON patient_sessions (expires_at);
ALTER TABLE patient_sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON patient_sessions USING (clinic_id = portal_current_clinic());
GRANT SELECT, INSERT, UPDATE, DELETE ON patient_sessions TO portal_app;

-- The sign-in code message, rendered from the clinic's first sign-in-code
-- template of the channel in the patient's language (the other one when
-- that variant is missing). Placeholders are replaced here so that a
-- known and an unknown contact cost one and the same statement.
CREATE FUNCTION portal_render(p_text text, p_code text, p_url text, p_first text,
  p_clinic_name text, p_otp text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(replace(replace(replace(replace(p_text,
    '{{code}}', coalesce(p_code, '')), '{{portal_url}}', coalesce(p_url, '')),
    '{{patient_first_name}}', coalesce(p_first, '')),
    '{{clinic_name}}', coalesce(p_clinic_name, '')), '{{otp}}', coalesce(p_otp, ''))
$$;

-- Starts a sign-in for p_contact (E.164 phone or lower-case email) at the
-- clinic set for the transaction. Answers the challenge id, or NULL and the
-- seconds to wait when a rate limit is reached. Runs under row-level
-- security as the application.
CREATE FUNCTION portal_login_start(p_id uuid, p_channel text, p_contact text,
  p_code_hash bytea, p_otp text, p_addr text, p_contact_limit integer,
  p_addr_limit integer, p_window interval, p_lifetime interval, p_base_url text)
RETURNS TABLE (challenge_id uuid, retry_after integer)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_contact_key text := 'c:' || encode(sha256(convert_to(v_clinic::text || ':' || p_contact, 'UTF8')), 'hex');
  v_addr_key text := 'a:' || p_addr;
  v_oldest timestamptz;
  v_count integer;
  v_ids uuid[];
  v_first text;
  v_lang text;
  v_clinic_name text;
  v_code text;
  v_url text;
  t templates%ROWTYPE;
  v_subject text;
  v_body text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(v_contact_key, 0));
  PERFORM pg_advisory_xact_lock(hashtextextended(v_addr_key, 0));
  SELECT count(*), min(at) INTO v_count, v_oldest FROM patient_login_starts
   WHERE key = v_contact_key AND at > now() - p_window;
  IF v_count >= p_contact_limit THEN
    RETURN QUERY SELECT NULL::uuid,
      greatest(1, ceil(extract(epoch FROM v_oldest + p_window - now())))::integer;
    RETURN;
  END IF;
  SELECT count(*), min(at) INTO v_count, v_oldest FROM patient_login_starts
   WHERE key = v_addr_key AND at > now() - p_window;
  IF v_count >= p_addr_limit THEN
    RETURN QUERY SELECT NULL::uuid,
      greatest(1, ceil(extract(epoch FROM v_oldest + p_window - now())))::integer;
    RETURN;
  END IF;
  INSERT INTO patient_login_starts (key) VALUES (v_contact_key), (v_addr_key);

  SELECT coalesce(array_agg(p.id ORDER BY p.created_at, p.id), '{}'),
         string_agg(p.first_name, ', ' ORDER BY p.created_at, p.id),
         (array_agg(p.language ORDER BY p.created_at, p.id))[1]
    INTO v_ids, v_first, v_lang
    FROM patients p
   WHERE p.clinic_id = v_clinic AND p.portal_access
     AND CASE p_channel WHEN 'sms' THEN p.phone = p_contact
                        ELSE p.email = p_contact::citext END;

  INSERT INTO patient_login_challenges (id, clinic_id, channel, patient_ids, code_hash, expires_at)
  VALUES (p_id, v_clinic, p_channel, v_ids, p_code_hash, now() + p_lifetime);

  IF cardinality(v_ids) > 0 THEN
    SELECT c.name, coalesce(c.public_url, p_base_url) INTO v_clinic_name, v_url
      FROM clinics c WHERE c.id = v_clinic;
    SELECT pc.code INTO v_code FROM portal_codes pc
     WHERE pc.clinic_id = v_clinic AND pc.retired_at IS NULL;
    v_url := v_url || '/' || coalesce(v_code, '');
    SELECT * INTO t FROM templates
     WHERE clinic_id = v_clinic AND channel = p_channel AND purpose = 'sign_in_code'
     ORDER BY created_at, id LIMIT 1;
    IF v_lang = 'en' AND t.en_body IS NULL THEN v_lang := 'tr'; END IF;
    IF v_lang = 'tr' AND t.tr_body IS NULL AND t.en_body IS NOT NULL THEN v_lang := 'en'; END IF;
    v_body := CASE v_lang WHEN 'en' THEN t.en_body ELSE t.tr_body END;
    v_subject := CASE v_lang WHEN 'en' THEN t.en_subject ELSE t.tr_subject END;
    IF v_body IS NULL THEN
      -- No template of this purpose left: a plain text still gets the code through.
      v_body := CASE v_lang WHEN 'en' THEN '{{clinic_name}} sign-in code: {{otp}}'
                ELSE '{{clinic_name}} giriş kodu: {{otp}}' END;
    END IF;
    IF p_channel = 'email' AND v_subject IS NULL THEN
      v_subject := CASE v_lang WHEN 'en' THEN '{{clinic_name}} sign-in code'
                   ELSE '{{clinic_name}} giriş kodu' END;
    END IF;
    INSERT INTO outbox (clinic_id, patient_id, channel, recipient, purpose, locale,
                        sender_name, subject, body, created_by_type)
    VALUES (v_clinic, v_ids[1], p_channel, p_contact, 'sign_in_code', coalesce(v_lang, 'tr'),
            v_clinic_name,
            CASE WHEN p_channel = 'email' THEN
              portal_render(v_subject, v_code, v_url, v_first, v_clinic_name, p_otp) END,
            portal_render(v_body, v_code, v_url, v_first, v_clinic_name, p_otp), 'system');
  END IF;
  RETURN QUERY SELECT p_id, 0;
END
$$;
REVOKE ALL ON FUNCTION portal_login_start(uuid, text, text, bytea, text, text, integer,
  integer, interval, interval, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_login_start(uuid, text, text, bytea, text, text, integer,
  integer, interval, interval, text), portal_render(text, text, text, text, text, text)
  TO portal_app;

-- portalctl purge-sessions: sessions past their end or idle limit,
-- expired challenges and rate-limit rows older than a day, in every clinic
-- (runs as the owner).
CREATE FUNCTION portal_purge_sessions(p_staff_idle interval, p_patient_idle interval)
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
  DELETE FROM patient_login_starts WHERE at <= now() - interval '1 day';
  GET DIAGNOSTICS n = ROW_COUNT; what := 'patient_login_starts'; removed := n; RETURN NEXT;
  DELETE FROM staff_login_failures WHERE failed_at <= now() - interval '1 day';
  GET DIAGNOSTICS n = ROW_COUNT; what := 'staff_login_failures'; removed := n; RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION portal_purge_sessions(interval, interval) FROM PUBLIC;
