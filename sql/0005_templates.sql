-- 0005_templates.sql: message templates per clinic, channel, purpose and
-- language, the defaults every clinic starts with, and the settings'
-- choice of invitation templates.

CREATE TABLE templates (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  channel text NOT NULL CHECK (channel IN ('sms', 'email')),
  purpose text NOT NULL CHECK (purpose IN ('portal_invitation', 'sign_in_code',
    'contact_change_code', 'appointment_confirmation', 'appointment_cancellation')),
  tr_subject text CHECK (length(tr_subject) BETWEEN 1 AND 200),
  tr_body text CHECK (length(tr_body) BETWEEN 1 AND 20000),
  en_subject text CHECK (length(en_subject) BETWEEN 1 AND 200),
  en_body text CHECK (length(en_body) BETWEEN 1 AND 20000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, id),
  CHECK (tr_body IS NOT NULL OR en_body IS NOT NULL),
  -- SMS has no subject; an email variant has both or neither.
  CHECK (channel = 'email' OR (tr_subject IS NULL AND en_subject IS NULL)),
  CHECK (channel = 'sms' OR ((tr_body IS NULL) = (tr_subject IS NULL)
                             AND (en_body IS NULL) = (en_subject IS NULL)))
);
CREATE INDEX templates_clinic ON templates (clinic_id, channel, purpose);

ALTER TABLE templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON templates USING (clinic_id = portal_current_clinic());
GRANT SELECT, INSERT, UPDATE, DELETE ON templates TO portal_app;

ALTER TABLE portal_settings
  ADD FOREIGN KEY (clinic_id, sms_template_id) REFERENCES templates (clinic_id, id),
  ADD FOREIGN KEY (clinic_id, email_template_id) REFERENCES templates (clinic_id, id);

-- The templates a new clinic starts with, in Turkish and English; the
-- invitation ones become the portal's choice where none was made.
CREATE FUNCTION portal_add_default_templates(p_clinic uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  sms_invitation uuid;
  email_invitation uuid;
BEGIN
  INSERT INTO templates (clinic_id, name, channel, purpose, tr_body, en_body)
  VALUES (p_clinic, 'Portal invitation (SMS)', 'sms', 'portal_invitation',
    '{{clinic_name}} hasta portalı: {{portal_url}} Kayıtlı telefonunuz veya e-postanızla giriş yapın.',
    '{{clinic_name}} invites you to its patient portal: {{portal_url}} Sign in with the phone number or email address the clinic has on file.')
  RETURNING id INTO sms_invitation;

  INSERT INTO templates (clinic_id, name, channel, purpose, tr_subject, tr_body, en_subject, en_body)
  VALUES (p_clinic, 'Portal invitation (email)', 'email', 'portal_invitation',
    '{{clinic_name}} hasta portalı',
    E'Merhaba {{patient_first_name}},\n\n{{clinic_name}} hasta portalına aşağıdaki adresten ulaşabilirsiniz:\n\n{{portal_url}}\n\nGiriş yaparken kliniğe kayıtlı telefon numaranızı veya e-posta adresinizi kullanın; size tek kullanımlık bir kod göndereceğiz.\n\n{{clinic_name}}\n',
    '{{clinic_name}} patient portal',
    E'Hello {{patient_first_name}},\n\nYou can reach the {{clinic_name}} patient portal here:\n\n{{portal_url}}\n\nSign in with the phone number or email address the clinic has on file; we will send you a one-time code.\n\n{{clinic_name}}\n')
  RETURNING id INTO email_invitation;

  INSERT INTO templates (clinic_id, name, channel, purpose, tr_body, en_body)
  VALUES (p_clinic, 'Sign-in code (SMS)', 'sms', 'sign_in_code',
    '{{clinic_name}} giriş kodunuz: {{otp}}. Kod 10 dakika geçerlidir; kimseyle paylaşmayın.',
    'Your {{clinic_name}} sign-in code is {{otp}}. It is valid for 10 minutes; do not share it.');

  INSERT INTO templates (clinic_id, name, channel, purpose, tr_subject, tr_body, en_subject, en_body)
  VALUES (p_clinic, 'Sign-in code (email)', 'email', 'sign_in_code',
    '{{clinic_name}} giriş kodunuz',
    E'Merhaba {{patient_first_name}},\n\n{{clinic_name}} hasta portalı giriş kodunuz: {{otp}}\n\nKod 10 dakika geçerlidir. Bu kodu siz istemediyseniz bu e-postayı dikkate almayın.\n',
    'Your {{clinic_name}} sign-in code',
    E'Hello {{patient_first_name}},\n\nYour {{clinic_name}} patient portal sign-in code is {{otp}}\n\nIt is valid for 10 minutes. If you did not ask for it, ignore this email.\n');

  UPDATE portal_settings
     SET sms_template_id = coalesce(sms_template_id, sms_invitation),
         email_template_id = coalesce(email_template_id, email_invitation)
   WHERE clinic_id = p_clinic;
END
$$;
REVOKE ALL ON FUNCTION portal_add_default_templates(uuid) FROM PUBLIC;

SELECT portal_add_default_templates(id) FROM clinics;
