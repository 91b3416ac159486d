-- 0016_messages.sql: message purposes defined once, one renderer, and one
-- place where an outbox message is built.
--
-- * message_purposes: every purpose a template or an outbox row may have,
--   and whether its messages are secret (they carry a one-time code: the API
--   never answers their subject or body, and their body is wiped once sent
--   or dead). templates.purpose and outbox.purpose refer to it; the CHECK
--   lists of 0005, 0006 (and 0015, if it rewrote them) go. The C list of
--   src/portal/templates.c names the same purposes with the placeholders
--   each allows; tests/api/templates.test.mjs checks that the two agree.
--   Adding a purpose: one row here (a later migration), one entry there.
-- * portal_render_values(text, jsonb): the one renderer. It reads the text
--   once; each {{name}} is looked up once in the values and replaced, an
--   unknown name is kept as it is, and what a value holds (a patient's first
--   name that reads "{{otp}}", say) is written as it is, never read again.
--   portal_render(...) of 0006 keeps its signature on top of it.
-- * portal_message_values(): the values every message has (clinic name,
--   portal code and address, the patient's first name).
-- * portal_outbox_compose(): the one entry point that builds and queues a
--   message: template by the caller's choice or by purpose, the patient's
--   language (the other one when the template lacks it), the channel by the
--   patient's communication choices unless the caller names one, rendering,
--   the insert. The API calls it (invitations, appointment notices); SQL
--   callers (sign-in and contact-change codes) may call it too.
-- * No subject of any template can carry a one-time code: {{otp}} is refused
--   in subjects (existing ones are repaired), a secret message's subject is
--   rendered without the caller's values, and the subjects of the secret
--   messages already in the outbox are replaced by a fixed text.

CREATE TABLE message_purposes (
  purpose text PRIMARY KEY CHECK (purpose ~ '^[a-z][a-z0-9_]{0,39}$'),
  -- Carries a one-time code (or another secret): never shown by the API,
  -- its body wiped once it is sent or dead, never sent again by hand.
  secret boolean NOT NULL DEFAULT false,
  -- What is sent when the clinic has no template of the purpose for the
  -- channel (NULL: nothing is sent then). Subjects are for email.
  fallback_tr_subject text CHECK (length(fallback_tr_subject) BETWEEN 1 AND 200),
  fallback_tr_body text CHECK (length(fallback_tr_body) BETWEEN 1 AND 2000),
  fallback_en_subject text CHECK (length(fallback_en_subject) BETWEEN 1 AND 200),
  fallback_en_body text CHECK (length(fallback_en_body) BETWEEN 1 AND 2000),
  CHECK ((fallback_tr_body IS NULL) = (fallback_en_body IS NULL)
     AND (fallback_tr_body IS NULL) = (fallback_tr_subject IS NULL)
     AND (fallback_en_body IS NULL) = (fallback_en_subject IS NULL)),
  CHECK (position('{{otp}}' IN coalesce(fallback_tr_subject, '')) = 0
     AND position('{{otp}}' IN coalesce(fallback_en_subject, '')) = 0)
);
-- No clinic's data: every clinic reads the same rows.
GRANT SELECT ON message_purposes TO portal_app;

INSERT INTO message_purposes (purpose, secret, fallback_tr_subject, fallback_tr_body,
                              fallback_en_subject, fallback_en_body) VALUES
  ('portal_invitation', false, NULL, NULL, NULL, NULL),
  ('sign_in_code', true,
   '{{clinic_name}} giriş kodu', '{{clinic_name}} giriş kodu: {{otp}}',
   '{{clinic_name}} sign-in code', '{{clinic_name}} sign-in code: {{otp}}'),
  ('contact_change_code', true,
   '{{clinic_name}} doğrulama kodu', '{{clinic_name}} doğrulama kodu: {{otp}}',
   '{{clinic_name}} confirmation code', '{{clinic_name}} confirmation code: {{otp}}'),
  ('appointment_confirmation', false, NULL, NULL, NULL, NULL),
  ('appointment_cancellation', false, NULL, NULL, NULL, NULL),
  -- Added to the CHECK lists by 0015 (a replaced contact's notice); here
  -- whether or not that ran.
  ('contact_replaced', false, NULL, NULL, NULL, NULL)
ON CONFLICT (purpose) DO NOTHING;

-- The purpose lists go, under their generated names or any other (0015
-- may have replaced them): every CHECK of the two tables that lists the
-- purposes.
ALTER TABLE templates DROP CONSTRAINT IF EXISTS templates_purpose_check;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_purpose_check;
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.conrelid::regclass AS tbl, c.conname
             FROM pg_constraint c
            WHERE c.conrelid IN ('templates'::regclass, 'outbox'::regclass)
              AND c.contype = 'c'
              AND pg_get_constraintdef(c.oid) LIKE '%portal_invitation%'
              AND pg_get_constraintdef(c.oid) LIKE '%sign_in_code%'
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
  END LOOP;
END
$$;
ALTER TABLE templates ADD CONSTRAINT templates_purpose_fkey
  FOREIGN KEY (purpose) REFERENCES message_purposes (purpose);
ALTER TABLE outbox ADD CONSTRAINT outbox_purpose_fkey
  FOREIGN KEY (purpose) REFERENCES message_purposes (purpose);

-- The one renderer. The text is split at each "{{" once; a piece that
-- starts with a name and "}}" is that placeholder: replaced by its value
-- when p_values has the name (JSON null: nothing), kept as written when it
-- has not. Values are never read for placeholders, so the work is linear
-- in the text and a value is written exactly as it is. NULL text: NULL.
CREATE FUNCTION portal_render_values(p_text text, p_values jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN p_text IS NULL THEN NULL ELSE coalesce(string_agg(
           CASE WHEN s.n = 1 THEN s.piece
                WHEN m.name IS NOT NULL AND p_values ? m.name
                  THEN coalesce(p_values ->> m.name, '') || substr(s.piece, length(m.name) + 3)
                ELSE '{{' || s.piece END, '' ORDER BY s.n), '') END
    FROM regexp_split_to_table(p_text, '\{\{') WITH ORDINALITY AS s (piece, n)
    LEFT JOIN LATERAL (SELECT substring(s.piece FROM '^([A-Za-z0-9_]{1,64})\}\}') AS name) m ON true
$$;
REVOKE ALL ON FUNCTION portal_render_values(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_render_values(text, jsonb) TO portal_app;

-- 0006's renderer, same signature (the sign-in and contact-change
-- functions call it), now one pass through portal_render_values.
CREATE OR REPLACE FUNCTION portal_render(p_text text, p_code text, p_url text, p_first text,
  p_clinic_name text, p_otp text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT portal_render_values(p_text, jsonb_build_object(
    'code', coalesce(p_code, ''), 'portal_url', coalesce(p_url, ''),
    'patient_first_name', coalesce(p_first, ''), 'clinic_name', coalesce(p_clinic_name, ''),
    'otp', coalesce(p_otp, '')))
$$;

-- p_values with each per-language value ({"tr": ..., "en": ...}) taken in
-- language p_lang (the other one when it lacks p_lang).
CREATE FUNCTION portal_values_in(p_values jsonb, p_lang text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
  SELECT coalesce(jsonb_object_agg(e.key,
           CASE WHEN jsonb_typeof(e.value) = 'object'
                THEN coalesce(e.value -> p_lang,
                              e.value -> CASE p_lang WHEN 'en' THEN 'tr' ELSE 'en' END,
                              'null'::jsonb)
                ELSE e.value END), '{}'::jsonb)
    FROM jsonb_each(coalesce(p_values, '{}'::jsonb)) e
$$;
REVOKE ALL ON FUNCTION portal_values_in(jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_values_in(jsonb, text) TO portal_app;

-- The values every message of clinic p_clinic has: clinic_name, code and
-- portal_url (the clinic's public_url, else p_base_url, + "/" + code; JSON
-- null when the portal has no code), and, for patient p_patient (NULL:
-- none), patient_first_name (null when there is no such patient). Under
-- row-level security: the clinic of the transaction.
CREATE FUNCTION portal_message_values(p_clinic uuid, p_patient uuid, p_base_url text)
RETURNS jsonb
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT jsonb_build_object(
           'clinic_name', c.name,
           'code', s.code,
           'portal_url', coalesce(c.public_url, p_base_url) || '/' || s.code,
           'patient_first_name', (SELECT p.first_name FROM patients p
                                   WHERE p.clinic_id = c.id AND p.id = p_patient))
    FROM clinics c LEFT JOIN portal_settings s ON s.clinic_id = c.id
   WHERE c.id = p_clinic
$$;
REVOKE ALL ON FUNCTION portal_message_values(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_message_values(uuid, uuid, text) TO portal_app;

-- Builds one message for patient p_patient of the clinic set for the
-- transaction and queues it in the outbox (runs under row-level security
-- as the caller):
--   p_purpose        a message_purposes row (22023 when unknown);
--   p_patient        the patient it is for (P0002 when not the clinic's);
--   p_channel        'sms' or 'email'; NULL: by the patient's
--                    communication choices (SMS when on and a phone is on
--                    file, else email likewise, else nothing is sent);
--   p_recipient      where it goes; NULL: the patient's phone or email;
--   p_template       the template (it must have the purpose and channel);
--                    NULL: the clinic's first of the purpose and channel;
--                    without one, the purpose's fallback text, if any;
--   p_values         more placeholder values ({"otp": "123456"}), over the
--                    ones every message has (portal_message_values()); a
--                    value may be {"tr": ..., "en": ...}, taken in the
--                    language the message is written in. A secret
--                    message's subject is rendered without them;
--   p_base_url       the base of {{portal_url}} when the clinic has no
--                    public_url;
--   p_created_by_*   who caused it ('staff', 'api_key', 'patient', 'system').
-- The patient's language picks the template's variant; when it has none,
-- the other language is used and language_fallback is true. portal_code is
-- the portal code the message points at (set when it has {{code}} or
-- {{portal_url}}). Answers one row: skipped NULL and the queued outbox row
-- (delivery), or skipped 'no_contact' / 'no_template' and no row queued.
CREATE FUNCTION portal_outbox_compose(p_purpose text, p_patient uuid,
  p_channel text DEFAULT NULL, p_recipient text DEFAULT NULL, p_template uuid DEFAULT NULL,
  p_values jsonb DEFAULT '{}', p_base_url text DEFAULT NULL,
  p_created_by_type text DEFAULT 'system', p_created_by_id uuid DEFAULT NULL)
RETURNS TABLE (skipped text, language_fallback boolean, delivery outbox)
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  pu message_purposes%ROWTYPE;
  pt patients%ROWTYPE;
  t templates%ROWTYPE;
  v_channel text := p_channel;
  v_recipient text := p_recipient;
  v_lang text;
  v_fallback boolean := false;
  v_subject text;
  v_body text;
  v_common jsonb;
  v_values jsonb;
  v_row outbox%ROWTYPE;
BEGIN
  SELECT * INTO pu FROM message_purposes mp WHERE mp.purpose = p_purpose;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown message purpose %', p_purpose USING ERRCODE = '22023';
  END IF;
  SELECT * INTO pt FROM patients p WHERE p.clinic_id = v_clinic AND p.id = p_patient;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such patient' USING ERRCODE = 'P0002';
  END IF;
  IF v_channel IS NULL THEN
    v_channel := CASE WHEN pt.phone IS NOT NULL AND pt.communication_sms THEN 'sms'
                      WHEN pt.email IS NOT NULL AND pt.communication_email THEN 'email' END;
  END IF;
  IF v_recipient IS NULL THEN
    v_recipient := CASE v_channel WHEN 'sms' THEN pt.phone WHEN 'email' THEN pt.email::text END;
  END IF;
  IF v_channel IS NULL OR v_recipient IS NULL THEN
    RETURN QUERY SELECT 'no_contact'::text, false, NULL::outbox;
    RETURN;
  END IF;

  v_lang := CASE WHEN pt.language = 'en' THEN 'en' ELSE 'tr' END;
  SELECT * INTO t FROM templates tp
   WHERE tp.clinic_id = v_clinic AND tp.purpose = p_purpose AND tp.channel = v_channel
     AND (p_template IS NULL OR tp.id = p_template)
   ORDER BY tp.created_at, tp.id LIMIT 1;
  IF FOUND THEN
    IF (CASE v_lang WHEN 'en' THEN t.en_body ELSE t.tr_body END) IS NULL THEN
      v_lang := CASE v_lang WHEN 'en' THEN 'tr' ELSE 'en' END;
      v_fallback := true;
    END IF;
    v_body := CASE v_lang WHEN 'en' THEN t.en_body ELSE t.tr_body END;
    v_subject := CASE v_lang WHEN 'en' THEN t.en_subject ELSE t.tr_subject END;
  ELSIF p_template IS NULL AND pu.fallback_tr_body IS NOT NULL THEN
    v_body := CASE v_lang WHEN 'en' THEN pu.fallback_en_body ELSE pu.fallback_tr_body END;
    v_subject := CASE v_lang WHEN 'en' THEN pu.fallback_en_subject ELSE pu.fallback_tr_subject END;
  END IF;
  IF v_body IS NULL OR (v_channel = 'email' AND v_subject IS NULL) THEN
    RETURN QUERY SELECT 'no_template'::text, false, NULL::outbox;
    RETURN;
  END IF;

  v_common := portal_message_values(v_clinic, p_patient, p_base_url);
  v_values := v_common || portal_values_in(p_values, v_lang);

  INSERT INTO outbox (clinic_id, patient_id, channel, recipient, purpose, locale, sender_name,
                      subject, body, portal_code, created_by_type, created_by_id)
  VALUES (v_clinic, p_patient, v_channel, v_recipient, p_purpose, v_lang,
          coalesce(v_common ->> 'clinic_name', ''),
          CASE WHEN v_channel = 'email' THEN
            portal_render_values(v_subject, CASE WHEN pu.secret THEN v_common ELSE v_values END) END,
          portal_render_values(v_body, v_values),
          CASE WHEN position('{{code}}' IN v_body || coalesce(v_subject, '')) > 0
                 OR position('{{portal_url}}' IN v_body || coalesce(v_subject, '')) > 0
               THEN v_common ->> 'code' END,
          coalesce(p_created_by_type, 'system'), p_created_by_id)
  RETURNING * INTO v_row;
  RETURN QUERY SELECT NULL::text, v_fallback, v_row;
END
$$;
REVOKE ALL ON FUNCTION portal_outbox_compose(text, uuid, text, text, uuid, jsonb, text, text, uuid)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_outbox_compose(text, uuid, text, text, uuid, jsonb, text, text, uuid)
  TO portal_app;

-- A secret message's body is wiped once it is sent or dead, whoever
-- records that (the notifier's own statements do it too).
CREATE FUNCTION portal_outbox_wipe_secret() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM message_purposes mp WHERE mp.purpose = NEW.purpose AND mp.secret) THEN
    NEW.body := '';
  END IF;
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION portal_outbox_wipe_secret() FROM PUBLIC;
CREATE TRIGGER outbox_wipe_secret BEFORE UPDATE OF status ON outbox
  FOR EACH ROW WHEN (NEW.status IN ('sent', 'dead'))
  EXECUTE FUNCTION portal_outbox_wipe_secret();

-- No subject can carry a code: {{otp}} leaves the subjects that have it
-- (a subject left empty becomes the clinic's name), and the schema refuses
-- it from now on.
UPDATE templates
   SET tr_subject = CASE WHEN position('{{otp}}' IN tr_subject) > 0
                      THEN coalesce(nullif(btrim(replace(tr_subject, '{{otp}}', '')), ''), '{{clinic_name}}')
                      ELSE tr_subject END,
       en_subject = CASE WHEN position('{{otp}}' IN en_subject) > 0
                      THEN coalesce(nullif(btrim(replace(en_subject, '{{otp}}', '')), ''), '{{clinic_name}}')
                      ELSE en_subject END,
       updated_at = now()
 WHERE position('{{otp}}' IN coalesce(tr_subject, '') || coalesce(en_subject, '')) > 0;
ALTER TABLE templates ADD CONSTRAINT templates_subject_no_code
  CHECK (position('{{otp}}' IN coalesce(tr_subject, '')) = 0
     AND position('{{otp}}' IN coalesce(en_subject, '')) = 0);

-- The secret messages already queued or sent may have a code in their
-- subject (rendered from such a template, or from a first name that read
-- "{{otp}}"): each gets its purpose's fixed subject; those sent or dead lose
-- their body as well.
UPDATE outbox o
   SET subject = CASE WHEN o.subject IS NOT NULL THEN
                   coalesce(portal_render_values(CASE o.locale WHEN 'en' THEN mp.fallback_en_subject
                                                 ELSE mp.fallback_tr_subject END,
                                                 jsonb_build_object('clinic_name', o.sender_name)),
                            o.sender_name) END,
       body = CASE WHEN o.status IN ('sent', 'dead') THEN '' ELSE o.body END
  FROM message_purposes mp
 WHERE mp.purpose = o.purpose AND mp.secret
   AND (o.subject IS NOT NULL OR (o.status IN ('sent', 'dead') AND o.body <> ''));
