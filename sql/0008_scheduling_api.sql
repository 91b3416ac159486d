-- 0008_scheduling_api.sql: what the scheduling API needs beyond the
-- tables of 0007: times written with the clinic's UTC offset, indexes for
-- the calendar (day and week, per practitioner or the whole clinic,
-- cancelled appointments included), and the appointment confirmation and
-- cancellation templates every clinic starts with.

-- t as ISO 8601 in zone tz with its offset: 2026-12-01T10:30:00+03:00.
CREATE FUNCTION portal_iso(t timestamptz, tz text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE tz, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN o < interval '0' THEN '-' ELSE '+' END
    || to_char(CASE WHEN o < interval '0' THEN -o ELSE o END, 'HH24:MI')
  FROM (SELECT (t AT TIME ZONE tz) - (t AT TIME ZONE 'UTC') AS o) off
$$;

-- The calendar lists by start time, cancelled appointments too (the gist
-- index of 0007 holds booked ones only and serves overlap and slots).
CREATE INDEX appointments_calendar ON appointments (clinic_id, practitioner_id, lower(during));
CREATE INDEX appointments_clinic_start ON appointments (clinic_id, lower(during));
CREATE INDEX time_off_practitioner ON time_off (clinic_id, practitioner_id);

-- The appointment templates of a clinic, in Turkish and English, for SMS
-- and email; a new clinic gets them with its booking rules.
CREATE FUNCTION portal_add_appointment_templates(p_clinic uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO templates (clinic_id, name, channel, purpose, tr_body, en_body)
  VALUES (p_clinic, 'Appointment confirmation (SMS)', 'sms', 'appointment_confirmation',
    '{{clinic_name}}: {{appointment_start}} tarihli {{appointment_type}} randevunuz ({{practitioner_name}}) alındı.',
    '{{clinic_name}}: your {{appointment_type}} appointment with {{practitioner_name}} on {{appointment_start}} is booked.'),
  (p_clinic, 'Appointment cancellation (SMS)', 'sms', 'appointment_cancellation',
    '{{clinic_name}}: {{appointment_start}} tarihli {{appointment_type}} randevunuz ({{practitioner_name}}) iptal edildi.',
    '{{clinic_name}}: your {{appointment_type}} appointment with {{practitioner_name}} on {{appointment_start}} is cancelled.');

  INSERT INTO templates (clinic_id, name, channel, purpose, tr_subject, tr_body, en_subject, en_body)
  VALUES (p_clinic, 'Appointment confirmation (email)', 'email', 'appointment_confirmation',
    '{{clinic_name}} randevunuz: {{appointment_start}}',
    E'Merhaba {{patient_first_name}},\n\n{{appointment_start}} tarihli {{appointment_type}} randevunuz alındı.\nHekim: {{practitioner_name}}\n\n{{clinic_name}}\n',
    'Your {{clinic_name}} appointment: {{appointment_start}}',
    E'Hello {{patient_first_name}},\n\nYour {{appointment_type}} appointment on {{appointment_start}} is booked.\nPractitioner: {{practitioner_name}}\n\n{{clinic_name}}\n'),
  (p_clinic, 'Appointment cancellation (email)', 'email', 'appointment_cancellation',
    '{{clinic_name}} randevunuz iptal edildi: {{appointment_start}}',
    E'Merhaba {{patient_first_name}},\n\n{{appointment_start}} tarihli {{appointment_type}} randevunuz ({{practitioner_name}}) iptal edildi.\n\n{{clinic_name}}\n',
    'Your {{clinic_name}} appointment is cancelled: {{appointment_start}}',
    E'Hello {{patient_first_name}},\n\nYour {{appointment_type}} appointment with {{practitioner_name}} on {{appointment_start}} is cancelled.\n\n{{clinic_name}}\n');
END
$$;
REVOKE ALL ON FUNCTION portal_add_appointment_templates(uuid) FROM PUBLIC;

SELECT portal_add_appointment_templates(id) FROM clinics;

CREATE FUNCTION portal_clinic_appointment_templates() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM portal_add_appointment_templates(NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER clinics_appointment_templates AFTER INSERT ON clinics
  FOR EACH ROW EXECUTE FUNCTION portal_clinic_appointment_templates();
