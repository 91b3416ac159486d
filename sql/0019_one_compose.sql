-- 0019_one_compose.sql: one home for building an outbox message (issue 10
-- item 5). sql/0015's portal_queue_message(), which the sign-in and
-- contact-change functions call for their code messages and the
-- contact_replaced notice, chose a template, fell back between languages
-- and rendered on its own, beside sql/0016's portal_outbox_compose(),
-- which invitations and appointment messages use. It keeps its signature
-- (its callers stay as they are) and becomes a call of the one entry
-- point; the purposes' fallback texts live in message_purposes, where the
-- notice's is added here.

UPDATE message_purposes SET
  fallback_tr_subject = '{{clinic_name}}: iletişim bilginiz değiştirildi',
  fallback_tr_body = '{{clinic_name}}: hasta portalı hesabınızda bu iletişim bilgisinin yerine şu kaydedildi:',
  fallback_en_subject = '{{clinic_name}}: your contact was changed',
  fallback_en_body = '{{clinic_name}}: this contact was replaced in your patient portal account by:'
 WHERE purpose = 'contact_replaced' AND fallback_tr_body IS NULL;

-- p_lang is kept for the signature: the message's language is the
-- patient's, as portal_outbox_compose() decides for every message.
-- p_first (the names a shared contact's code message greets, "Ayşe, Ali")
-- and p_otp are placeholder values; p_tail, a line after the rendered
-- body (the masked new contact of a contact_replaced notice).
CREATE OR REPLACE FUNCTION portal_queue_message(p_purpose text, p_channel text, p_recipient text,
  p_patient uuid, p_first text, p_lang text, p_otp text, p_tail text, p_base_url text,
  p_by_type text, p_by_id uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_id uuid;
BEGIN
  SELECT (c.delivery).id INTO v_id
    FROM portal_outbox_compose(p_purpose, p_patient, p_channel, p_recipient, NULL,
           jsonb_strip_nulls(jsonb_build_object('otp', p_otp, 'patient_first_name', p_first)),
           p_base_url, p_by_type, p_by_id) c;
  IF v_id IS NOT NULL AND p_tail IS NOT NULL THEN
    UPDATE outbox SET body = body || E'\n' || p_tail
     WHERE clinic_id = portal_current_clinic() AND id = v_id;
  END IF;
END
$$;
