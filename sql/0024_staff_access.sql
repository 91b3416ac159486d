-- 0024_staff_access.sql: how staff get in (issue 11, DESIGN.md section 16):
-- invitations by email, password reset, and two-factor sign-in (TOTP).
--
-- * Invitation and reset links carry a random token whose SHA-256 alone is
--   kept (staff_tokens): single use, an invitation for 24 hours, a reset
--   for one hour. Setting a password through either spends every link of
--   that person and ends all their sessions.
-- * The mails are fixed texts (message_purposes.fixed: no clinic template
--   can be made of them) and the two that carry a link are secret: no
--   delivery list shows their subject or body, and the body is wiped once
--   sent.
-- * TOTP (RFC 6238): the person's secret, the last 30-second step a code
--   was accepted for (a code works once), ten recovery codes kept as
--   hashes. A password that matches answers a login token (staff_login_tokens,
--   five minutes) for the code step instead of a session.
-- * clinics.require_totp: a session opened at such a clinic by someone
--   without TOTP is marked totp_enrol, and the request pipeline lets it do
--   nothing but enrol (portal_request_clinic answers the mark).
--
-- Everything here that reads or writes a person runs as the owner: the
-- application's role cannot see hashes, secrets or other clinics' rows.

ALTER TABLE message_purposes ADD COLUMN fixed boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN message_purposes.fixed IS
  'Sent with its fallback text only: not a purpose of clinic templates.';

INSERT INTO message_purposes (purpose, secret, fixed, fallback_tr_subject, fallback_tr_body,
                              fallback_en_subject, fallback_en_body) VALUES
  ('staff_invitation', true, true,
   '{{clinic_name}} yönetim paneline davet',
   E'Merhaba {{name}},\n\n{{clinic_name}} sizi hasta portalı yönetim paneline davet etti. ' ||
   E'Parolanızı belirlemek için bu bağlantıyı 24 saat içinde açın (bir kez kullanılabilir):\n\n' ||
   E'{{link}}\n\nBu daveti beklemiyorsanız bu iletiyi yok sayabilirsiniz.',
   'Your invitation to the {{clinic_name}} console',
   E'Hello {{name}},\n\n{{clinic_name}} has invited you to its patient portal console. ' ||
   E'Open this link within 24 hours to set your password (it works once):\n\n' ||
   E'{{link}}\n\nIf you did not expect this invitation, you can ignore this message.'),
  ('staff_added', false, true,
   '{{clinic_name}} sizi ekledi',
   E'Merhaba {{name}},\n\n{{clinic_name}} sizi hasta portalı yönetim paneline ekledi. ' ||
   E'Mevcut e-posta adresiniz ve parolanızla giriş yapıp bu kliniği seçebilirsiniz:\n\n{{link}}',
   '{{clinic_name}} added you',
   E'Hello {{name}},\n\n{{clinic_name}} has added you to its patient portal console. ' ||
   E'Sign in with your email address and your current password, then pick this clinic:\n\n{{link}}'),
  ('staff_password_reset', true, true,
   'Parola sıfırlama',
   E'Parolanızı sıfırlamak için bu bağlantıyı bir saat içinde açın (bir kez kullanılabilir):\n\n' ||
   E'{{link}}\n\nBunu siz istemediyseniz bu iletiyi yok sayın; parolanız değişmez.',
   'Password reset',
   E'Open this link within one hour to reset your password (it works once):\n\n' ||
   E'{{link}}\n\nIf you did not ask for this, ignore this message; your password stays as it is.')
ON CONFLICT (purpose) DO NOTHING;

CREATE TABLE staff_tokens (
  token_hash bytea PRIMARY KEY,
  person_id uuid NOT NULL REFERENCES staff_people (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX staff_tokens_person ON staff_tokens (person_id, created_at);
CREATE INDEX staff_tokens_expiry ON staff_tokens (expires_at);

ALTER TABLE staff_people
  ADD COLUMN totp_secret bytea CHECK (length(totp_secret) BETWEEN 10 AND 64),
  ADD COLUMN totp_pending bytea CHECK (length(totp_pending) BETWEEN 10 AND 64),
  ADD COLUMN totp_last_step bigint;

CREATE TABLE staff_recovery_codes (
  person_id uuid NOT NULL REFERENCES staff_people (id) ON DELETE CASCADE,
  code_hash bytea NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (person_id, code_hash)
);

CREATE TABLE staff_login_tokens (
  token_hash bytea PRIMARY KEY,
  person_id uuid NOT NULL REFERENCES staff_people (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);
CREATE INDEX staff_login_tokens_expiry ON staff_login_tokens (expires_at);

ALTER TABLE clinics ADD COLUMN require_totp boolean NOT NULL DEFAULT false;
GRANT UPDATE (require_totp) ON clinics TO portal_app;
ALTER TABLE staff_sessions ADD COLUMN totp_enrol boolean NOT NULL DEFAULT false;

-- ---- Mails ----

-- Queues fixed mail p_purpose to p_to for clinic p_clinic, in the clinic's
-- default language, with {{clinic_name}} and p_values filled in; p_by the
-- staff member who caused it (NULL: the system).
CREATE FUNCTION portal_staff_mail(p_clinic uuid, p_purpose text, p_to text, p_values jsonb,
  p_by uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c clinics%ROWTYPE;
  pu message_purposes%ROWTYPE;
  v_lang text;
  v_values jsonb;
BEGIN
  SELECT * INTO c FROM clinics WHERE id = p_clinic;
  SELECT * INTO pu FROM message_purposes mp WHERE mp.purpose = p_purpose AND mp.fixed;
  IF c.id IS NULL OR pu.purpose IS NULL THEN
    RAISE EXCEPTION 'no clinic or fixed purpose %', p_purpose USING ERRCODE = '22023';
  END IF;
  v_lang := CASE WHEN c.default_language = 'en' THEN 'en' ELSE 'tr' END;
  v_values := jsonb_build_object('clinic_name', c.name) || p_values;
  INSERT INTO outbox (clinic_id, channel, recipient, purpose, locale, sender_name, subject,
                      body, created_by_type, created_by_id)
  VALUES (p_clinic, 'email', p_to, p_purpose, v_lang, left(c.name, 200),
          portal_render_values(CASE v_lang WHEN 'en' THEN pu.fallback_en_subject
                                           ELSE pu.fallback_tr_subject END, v_values),
          portal_render_values(CASE v_lang WHEN 'en' THEN pu.fallback_en_body
                                           ELSE pu.fallback_tr_body END, v_values),
          CASE WHEN p_by IS NULL THEN 'system' ELSE 'staff' END, p_by);
END
$$;
REVOKE ALL ON FUNCTION portal_staff_mail(uuid, text, text, jsonb, uuid) FROM PUBLIC;

-- Where console links of clinic p_clinic point: its public_url, else
-- p_base_url (the operator's configured one), without a trailing slash.
CREATE FUNCTION portal_console_base(p_clinic uuid, p_base_url text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT rtrim(coalesce((SELECT public_url FROM clinics WHERE id = p_clinic), p_base_url), '/')
    || '/console/'
$$;
REVOKE ALL ON FUNCTION portal_console_base(uuid, text) FROM PUBLIC;

-- ---- Invitations ----

-- Adds the person behind p_email to the context's clinic as p_name with
-- p_role, invited by member p_by. A person without a password (new, or
-- invited elsewhere and not yet in) gets a link to set one, token
-- p_token_hash (hash of the token p_link_path ends with), for 24 hours; a
-- person who has one gets a mail that they were added. Answers 'member'
-- (already a member here: nothing done), 'full' (the clinic has p_max
-- members) or 'ok' with the new membership.
CREATE FUNCTION portal_staff_invite(p_email citext, p_name text, p_role text,
  p_token_hash bytea, p_link_path text, p_base_url text, p_by uuid, p_max integer)
RETURNS TABLE (status text, staff_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_person uuid;
  v_has_password boolean := false;
  v_base text := portal_console_base(v_clinic, p_base_url);
BEGIN
  -- One invitation at a time per clinic: the count below holds.
  PERFORM 1 FROM clinics WHERE id = v_clinic FOR UPDATE;
  IF (SELECT count(*) FROM staff s WHERE s.clinic_id = v_clinic) >= p_max THEN
    status := 'full';
    RETURN NEXT;
    RETURN;
  END IF;
  INSERT INTO staff_people (email) VALUES (p_email)
    ON CONFLICT (email) DO NOTHING RETURNING id INTO v_person;
  IF v_person IS NULL THEN
    SELECT p.id, p.password_hash IS NOT NULL INTO v_person, v_has_password
      FROM staff_people p WHERE p.email = p_email;
  END IF;
  IF EXISTS (SELECT 1 FROM staff s WHERE s.clinic_id = v_clinic AND s.person_id = v_person) THEN
    status := 'member';
    RETURN NEXT;
    RETURN;
  END IF;
  INSERT INTO staff (clinic_id, person_id, name, role)
    VALUES (v_clinic, v_person, p_name, p_role) RETURNING id INTO staff_id;
  IF v_has_password THEN
    PERFORM portal_staff_mail(v_clinic, 'staff_added', p_email::text,
      jsonb_build_object('name', p_name, 'link', v_base), p_by);
  ELSE
    INSERT INTO staff_tokens (token_hash, person_id, purpose, expires_at)
      VALUES (p_token_hash, v_person, 'invitation', now() + interval '24 hours');
    PERFORM portal_staff_mail(v_clinic, 'staff_invitation', p_email::text,
      jsonb_build_object('name', p_name, 'link', v_base || p_link_path), p_by);
  END IF;
  status := 'ok';
  RETURN NEXT;
END
$$;

-- ---- Password reset ----

-- A reset link for the person behind p_email, when they are an active
-- member somewhere: token p_token_hash for one hour, mailed from their
-- first clinic by name. At most three links an hour per person; past that,
-- or for an unknown address, nothing is sent (the caller answers the same).
CREATE FUNCTION portal_staff_reset_request(p_email citext, p_token_hash bytea,
  p_link_path text, p_base_url text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_person uuid;
  v_clinic uuid;
BEGIN
  SELECT p.id, s.clinic_id INTO v_person, v_clinic
    FROM staff_people p JOIN staff s ON s.person_id = p.id AND s.active
    JOIN clinics c ON c.id = s.clinic_id
   WHERE p.email = p_email ORDER BY c.name, c.id LIMIT 1;
  IF v_person IS NULL THEN
    RETURN false;
  END IF;
  PERFORM 1 FROM staff_people WHERE id = v_person FOR UPDATE;
  IF (SELECT count(*) FROM staff_tokens t WHERE t.person_id = v_person
         AND t.purpose = 'password_reset' AND t.created_at > now() - interval '1 hour') >= 3 THEN
    RETURN false;
  END IF;
  INSERT INTO staff_tokens (token_hash, person_id, purpose, expires_at)
    VALUES (p_token_hash, v_person, 'password_reset', now() + interval '1 hour');
  PERFORM portal_staff_mail(v_clinic, 'staff_password_reset', p_email::text,
    jsonb_build_object('link', portal_console_base(v_clinic, p_base_url) || p_link_path), NULL);
  RETURN true;
END
$$;

-- Whether invitation or reset token p_token_hash can still be spent.
CREATE FUNCTION portal_staff_token_live(p_token_hash bytea) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM staff_tokens t
                  WHERE t.token_hash = p_token_hash AND t.expires_at > now())
$$;

-- Spends invitation or reset token p_token_hash: the person's password
-- becomes p_password_hash, every link of theirs is spent, every session
-- and pending sign-in of theirs ends. Answers their memberships (for the
-- audit); no row for a token spent, expired or unknown.
CREATE FUNCTION portal_staff_token_finish(p_token_hash bytea, p_password_hash text)
RETURNS TABLE (clinic_id uuid, staff_id uuid, purpose text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_person uuid;
  v_purpose text;
BEGIN
  DELETE FROM staff_tokens t WHERE t.token_hash = p_token_hash AND t.expires_at > now()
    RETURNING t.person_id, t.purpose INTO v_person, v_purpose;
  IF v_person IS NULL THEN
    RETURN;
  END IF;
  UPDATE staff_people SET password_hash = p_password_hash WHERE id = v_person;
  DELETE FROM staff_tokens t WHERE t.person_id = v_person;
  DELETE FROM staff_login_tokens t WHERE t.person_id = v_person;
  DELETE FROM staff_login_selections t WHERE t.person_id = v_person;
  DELETE FROM staff_sessions ss USING staff s
   WHERE s.person_id = v_person AND ss.clinic_id = s.clinic_id AND ss.staff_id = s.id;
  RETURN QUERY SELECT s.clinic_id, s.id, v_purpose FROM staff s WHERE s.person_id = v_person
    ORDER BY s.clinic_id LIMIT 100;
END
$$;

-- ---- Two-factor sign-in ----

-- After a right password: the person's TOTP secret (NULL: none, the
-- session starts at once).
CREATE FUNCTION portal_staff_totp_of(p_person uuid)
RETURNS bytea
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT totp_secret FROM staff_people WHERE id = p_person
$$;

-- A code step to come for p_person: login token p_token_hash, five minutes.
CREATE FUNCTION portal_staff_login_token_create(p_token_hash bytea, p_person uuid)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO staff_login_tokens (token_hash, person_id, expires_at)
    VALUES (p_token_hash, p_person, now() + interval '5 minutes')
$$;

-- The person a live login token is for: email, TOTP secret, last step
-- accepted. No row for a token spent, expired or unknown.
CREATE FUNCTION portal_staff_login_token_read(p_token_hash bytea)
RETURNS TABLE (person_id uuid, email text, totp_secret bytea, last_step bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p.id, p.email::text, p.totp_secret, p.totp_last_step
    FROM staff_login_tokens t JOIN staff_people p ON p.id = t.person_id
   WHERE t.token_hash = p_token_hash AND t.expires_at > now() AND p.totp_secret IS NOT NULL
$$;

-- The code step passed for login token p_token_hash, by a TOTP code of step
-- p_step (when not NULL: later than the last one accepted) or by unused
-- recovery code p_code_hash: the token is spent, and the step recorded or
-- the recovery code used. False when the token, the step or the code does
-- not hold (nothing changes).
CREATE FUNCTION portal_staff_login_token_pass(p_token_hash bytea, p_step bigint,
  p_code_hash bytea)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_person uuid;
BEGIN
  SELECT t.person_id INTO v_person FROM staff_login_tokens t
   WHERE t.token_hash = p_token_hash AND t.expires_at > now() FOR UPDATE;
  IF v_person IS NULL THEN
    RETURN false;
  END IF;
  IF p_step IS NOT NULL THEN
    UPDATE staff_people SET totp_last_step = p_step
     WHERE id = v_person AND totp_secret IS NOT NULL
       AND (totp_last_step IS NULL OR totp_last_step < p_step);
  ELSE
    UPDATE staff_recovery_codes SET used_at = now()
     WHERE person_id = v_person AND code_hash = p_code_hash AND used_at IS NULL;
  END IF;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  DELETE FROM staff_login_tokens WHERE token_hash = p_token_hash;
  RETURN true;
END
$$;

-- Whether a session of member p_staff of p_clinic must enrol first: the
-- clinic requires TOTP and the person has none.
CREATE FUNCTION portal_staff_must_enrol(p_clinic uuid, p_staff uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce((SELECT c.require_totp AND p.totp_secret IS NULL
                     FROM staff s JOIN staff_people p ON p.id = s.person_id
                     JOIN clinics c ON c.id = s.clinic_id
                    WHERE s.clinic_id = p_clinic AND s.id = p_staff), false)
$$;

-- The TOTP state of member p_staff of the context's clinic: the person's
-- email, secret, pending secret, last step, unused recovery codes.
CREATE FUNCTION portal_staff_totp_state(p_staff uuid)
RETURNS TABLE (email text, secret bytea, pending bytea, last_step bigint, codes_left integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p.email::text, p.totp_secret, p.totp_pending, p.totp_last_step,
         (SELECT count(*)::integer FROM staff_recovery_codes r
           WHERE r.person_id = p.id AND r.used_at IS NULL)
    FROM staff s JOIN staff_people p ON p.id = s.person_id
   WHERE s.clinic_id = portal_current_clinic() AND s.id = p_staff
$$;

-- Enrolment begins (or begins again): p_secret waits for its first code.
-- False when the person has TOTP on already.
CREATE FUNCTION portal_staff_totp_begin(p_staff uuid, p_secret bytea)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE staff_people p SET totp_pending = p_secret
    FROM staff s
   WHERE s.clinic_id = portal_current_clinic() AND s.id = p_staff AND p.id = s.person_id
     AND p.totp_secret IS NULL;
  RETURN FOUND;
END
$$;

-- The first code matched the pending secret, at step p_step: TOTP is on,
-- the recovery codes are p_code_hashes (any earlier ones go), and the
-- person's sessions need not enrol any more. False when nothing was
-- pending (or TOTP is on already).
CREATE FUNCTION portal_staff_totp_confirm(p_staff uuid, p_step bigint, p_code_hashes bytea[])
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_person uuid;
BEGIN
  UPDATE staff_people p SET totp_secret = p.totp_pending, totp_pending = NULL,
         totp_last_step = p_step
    FROM staff s
   WHERE s.clinic_id = portal_current_clinic() AND s.id = p_staff AND p.id = s.person_id
     AND p.totp_pending IS NOT NULL AND p.totp_secret IS NULL
  RETURNING p.id INTO v_person;
  IF v_person IS NULL THEN
    RETURN false;
  END IF;
  DELETE FROM staff_recovery_codes WHERE person_id = v_person;
  INSERT INTO staff_recovery_codes (person_id, code_hash)
    SELECT v_person, h FROM unnest(p_code_hashes) AS h;
  UPDATE staff_sessions ss SET totp_enrol = false FROM staff s
   WHERE s.person_id = v_person AND ss.clinic_id = s.clinic_id AND ss.staff_id = s.id
     AND ss.totp_enrol;
  RETURN true;
END
$$;

-- TOTP off for member p_staff of the context's clinic: by the person with
-- a code of step p_step (later than the last accepted), or (p_step NULL)
-- by an owner resetting it, which also ends every session of the person.
-- Answers 'off' (it was not on), 'required' (a clinic where the person is
-- an active member requires it; the person's own call only), 'replayed'
-- (that step was used), or 'ok'.
CREATE FUNCTION portal_staff_totp_off(p_staff uuid, p_step bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_person uuid;
  v_last bigint;
  v_on boolean;
BEGIN
  SELECT p.id, p.totp_last_step, p.totp_secret IS NOT NULL INTO v_person, v_last, v_on
    FROM staff s JOIN staff_people p ON p.id = s.person_id
   WHERE s.clinic_id = portal_current_clinic() AND s.id = p_staff FOR UPDATE OF p;
  IF v_person IS NULL OR NOT v_on THEN
    RETURN 'off';
  END IF;
  IF p_step IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM staff s JOIN clinics c ON c.id = s.clinic_id
                WHERE s.person_id = v_person AND s.active AND c.require_totp) THEN
      RETURN 'required';
    END IF;
    IF v_last IS NOT NULL AND v_last >= p_step THEN
      RETURN 'replayed';
    END IF;
  END IF;
  UPDATE staff_people SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL
   WHERE id = v_person;
  DELETE FROM staff_recovery_codes WHERE person_id = v_person;
  DELETE FROM staff_login_tokens WHERE person_id = v_person;
  IF p_step IS NULL THEN
    DELETE FROM staff_sessions ss USING staff s
     WHERE s.person_id = v_person AND ss.clinic_id = s.clinic_id AND ss.staff_id = s.id;
  END IF;
  RETURN 'ok';
END
$$;

-- Whether the members of the context's clinic have TOTP on, for the list.
CREATE FUNCTION portal_staff_totp_list()
RETURNS TABLE (staff_id uuid, totp_enabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.id, p.totp_secret IS NOT NULL
    FROM staff s JOIN staff_people p ON p.id = s.person_id
   WHERE s.clinic_id = portal_current_clinic()
$$;

-- ---- The request pipeline answers a session's enrolment mark ----

DROP FUNCTION portal_request_clinic(boolean, bytea, integer);
-- As in 0012, with totp_enrol last: the session may only enrol.
CREATE FUNCTION portal_request_clinic(p_is_key boolean, p_hash bytea, p_idle integer)
RETURNS TABLE (actor_id uuid, actor_name text, role text, csrf_token text, scopes text,
  c_id uuid, c_name text, c_default_language text, c_public_url text,
  c_lang_tr boolean, c_lang_en boolean, c_portal_module boolean,
  c_payment_active boolean, c_payment_provider text, c_country text,
  c_time_zone text, c_currency text, totp_enrol boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid;
  v_actor uuid;
  v_name text;
  v_role text;
  v_csrf text;
  v_scopes text;
  v_touch boolean;
  v_enrol boolean := false;
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
           portal_session_touch_due(ss.last_seen_at, p_idle), ss.totp_enrol
      INTO v_clinic, v_actor, v_name, v_role, v_csrf, v_touch, v_enrol
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
  RETURN QUERY SELECT v_actor, v_name, v_role, v_csrf, v_scopes, c.*, v_enrol
                 FROM portal_clinic_columns(v_clinic) c;
END
$$;

-- portalctl purge-sessions also removes links and code steps no longer usable.
CREATE OR REPLACE FUNCTION portal_purge_sessions(p_staff_idle interval, p_patient_idle interval)
RETURNS TABLE (what text, removed bigint)
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  DELETE FROM staff_sessions
   WHERE expires_at <= now() OR last_seen_at <= now() - p_staff_idle;
  GET DIAGNOSTICS n = ROW_COUNT; what := 'staff_sessions'; removed := n; RETURN NEXT;
  DELETE FROM staff_login_selections WHERE expires_at <= now();
  GET DIAGNOSTICS n = ROW_COUNT; what := 'staff_login_selections'; removed := n; RETURN NEXT;
  DELETE FROM staff_login_tokens WHERE expires_at <= now();
  GET DIAGNOSTICS n = ROW_COUNT; what := 'staff_login_tokens'; removed := n; RETURN NEXT;
  -- Kept a day past expiry: the reset limit counts the last hour's.
  DELETE FROM staff_tokens WHERE expires_at <= now() - interval '1 day';
  GET DIAGNOSTICS n = ROW_COUNT; what := 'staff_tokens'; removed := n; RETURN NEXT;
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

REVOKE ALL ON FUNCTION
  portal_request_clinic(boolean, bytea, integer),
  portal_staff_invite(citext, text, text, bytea, text, text, uuid, integer),
  portal_staff_reset_request(citext, bytea, text, text),
  portal_staff_token_live(bytea),
  portal_staff_token_finish(bytea, text),
  portal_staff_totp_of(uuid),
  portal_staff_login_token_create(bytea, uuid),
  portal_staff_login_token_read(bytea),
  portal_staff_login_token_pass(bytea, bigint, bytea),
  portal_staff_must_enrol(uuid, uuid),
  portal_staff_totp_state(uuid),
  portal_staff_totp_begin(uuid, bytea),
  portal_staff_totp_confirm(uuid, bigint, bytea[]),
  portal_staff_totp_off(uuid, bigint),
  portal_staff_totp_list()
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  portal_request_clinic(boolean, bytea, integer),
  portal_staff_invite(citext, text, text, bytea, text, text, uuid, integer),
  portal_staff_reset_request(citext, bytea, text, text),
  portal_staff_token_live(bytea),
  portal_staff_token_finish(bytea, text),
  portal_staff_totp_of(uuid),
  portal_staff_login_token_create(bytea, uuid),
  portal_staff_login_token_read(bytea),
  portal_staff_login_token_pass(bytea, bigint, bytea),
  portal_staff_must_enrol(uuid, uuid),
  portal_staff_totp_state(uuid),
  portal_staff_totp_begin(uuid, bytea),
  portal_staff_totp_confirm(uuid, bigint, bytea[]),
  portal_staff_totp_off(uuid, bigint),
  portal_staff_totp_list()
  TO portal_app;
