-- 0007_scheduling.sql: practitioners, appointment types, weekly working
-- hours and time off, the clinic's booking rules, and appointments, which
-- an exclusion constraint keeps from overlapping for one practitioner.
-- Times are timestamptz; working hours are wall-clock times in the
-- clinic's time zone (clinics.time_zone).

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE practitioners (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, id)
);

CREATE TABLE appointment_types (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
  online_bookable boolean NOT NULL DEFAULT true,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, id)
);

-- A practitioner works from start_time to end_time on an ISO weekday
-- (1 = Monday), in the clinic's time zone; several rows make split days.
CREATE TABLE working_hours (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  practitioner_id uuid NOT NULL,
  weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  start_time time NOT NULL,
  end_time time NOT NULL,
  CHECK (start_time < end_time),
  FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE,
  EXCLUDE USING gist (practitioner_id WITH =, weekday WITH =,
    tsrange('2000-01-01'::date + start_time, '2000-01-01'::date + end_time) WITH &&)
);
CREATE INDEX working_hours_practitioner ON working_hours (clinic_id, practitioner_id, weekday);

-- Time off: one practitioner's (leave), or the whole clinic's when
-- practitioner_id is NULL (a holiday).
CREATE TABLE time_off (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  practitioner_id uuid,
  during tstzrange NOT NULL CHECK (NOT isempty(during) AND lower(during) IS NOT NULL
    AND upper(during) IS NOT NULL),
  reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX time_off_during ON time_off USING gist (clinic_id, during);

-- What patients may do online; staff are not bound by these.
CREATE TABLE booking_rules (
  clinic_id uuid PRIMARY KEY REFERENCES clinics (id) ON DELETE CASCADE,
  min_notice_minutes integer NOT NULL DEFAULT 120 CHECK (min_notice_minutes BETWEEN 0 AND 43200),
  horizon_days integer NOT NULL DEFAULT 60 CHECK (horizon_days BETWEEN 1 AND 730),
  cancel_cutoff_minutes integer NOT NULL DEFAULT 1440 CHECK (cancel_cutoff_minutes BETWEEN 0 AND 43200),
  max_open_bookings integer NOT NULL DEFAULT 3 CHECK (max_open_bookings BETWEEN 1 AND 100),
  slot_step_minutes integer NOT NULL DEFAULT 15 CHECK (slot_step_minutes BETWEEN 5 AND 240),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO booking_rules (clinic_id) SELECT id FROM clinics;

-- Booked appointments of one practitioner never overlap: the exclusion
-- constraint decides a race between two bookings, and the loser gets
-- slot_taken. A cancelled appointment frees its time.
CREATE TABLE appointments (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  practitioner_id uuid NOT NULL,
  type_id uuid NOT NULL,
  during tstzrange NOT NULL CHECK (NOT isempty(during) AND lower(during) IS NOT NULL
    AND upper(during) IS NOT NULL),
  status text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled')),
  source text NOT NULL CHECK (source IN ('portal', 'staff', 'api')),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  cancelled_by text CHECK (cancelled_by IN ('portal', 'staff', 'api')),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id),
  FOREIGN KEY (clinic_id, type_id) REFERENCES appointment_types (clinic_id, id),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
  CONSTRAINT appointments_no_overlap EXCLUDE USING gist
    (clinic_id WITH =, practitioner_id WITH =, during WITH &&) WHERE (status = 'booked')
);
CREATE INDEX appointments_patient ON appointments (clinic_id, patient_id, lower(during) DESC);
CREATE INDEX appointments_practitioner ON appointments USING gist (clinic_id, practitioner_id, during)
  WHERE status = 'booked';

ALTER TABLE practitioners ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_types ENABLE ROW LEVEL SECURITY;
ALTER TABLE working_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE time_off ENABLE ROW LEVEL SECURITY;
ALTER TABLE booking_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointments ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON practitioners USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON appointment_types USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON working_hours USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON time_off USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON booking_rules USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON appointments USING (clinic_id = portal_current_clinic());
GRANT SELECT, INSERT, UPDATE ON practitioners, appointment_types, booking_rules, appointments TO portal_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON working_hours, time_off TO portal_app;

-- A new clinic gets its booking rules with its settings row.
CREATE FUNCTION portal_clinic_booking_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO booking_rules (clinic_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER clinics_booking_rules AFTER INSERT ON clinics
  FOR EACH ROW EXECUTE FUNCTION portal_clinic_booking_rules();
