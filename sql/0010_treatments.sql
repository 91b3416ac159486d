-- 0010_treatments.sql: treatment plans (planned procedures with an area or
-- tooth, a status and an estimated cost) and treatment records (what was
-- done, when, by whom, with notes meant for the patient). Money is bigint
-- minor units in the clinic's currency (clinics.currency). Staff write
-- these; a patient with view_treatments reads their own.

CREATE TABLE treatment_plans (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'proposed'
    CHECK (status IN ('proposed', 'accepted', 'in_progress', 'completed', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX treatment_plans_patient ON treatment_plans (clinic_id, patient_id, created_at DESC, id DESC);

-- The planned procedures of a plan, in the order staff gave them. A PATCH
-- of a plan that names items replaces them all.
CREATE TABLE treatment_plan_items (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  plan_id uuid NOT NULL,
  position smallint NOT NULL CHECK (position BETWEEN 0 AND 99),
  procedure text NOT NULL CHECK (length(procedure) BETWEEN 1 AND 200),
  area text CHECK (length(area) BETWEEN 1 AND 50),
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done', 'cancelled')),
  estimated_cost bigint NOT NULL DEFAULT 0
    CHECK (estimated_cost BETWEEN 0 AND 100000000000),
  UNIQUE (clinic_id, id),
  UNIQUE (plan_id, position),
  FOREIGN KEY (clinic_id, plan_id) REFERENCES treatment_plans (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX treatment_plan_items_plan ON treatment_plan_items (clinic_id, plan_id, position);

-- What was done. The practitioner is optional (a record from before the
-- clinic kept practitioners); notes_for_patient is shown to the patient.
CREATE TABLE treatment_records (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  performed_on date NOT NULL CHECK (performed_on BETWEEN '1900-01-01' AND '2999-12-31'),
  practitioner_id uuid,
  procedure text NOT NULL CHECK (length(procedure) BETWEEN 1 AND 200),
  area text CHECK (length(area) BETWEEN 1 AND 50),
  notes_for_patient text NOT NULL DEFAULT '' CHECK (length(notes_for_patient) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, practitioner_id) REFERENCES practitioners (clinic_id, id)
);
CREATE INDEX treatment_records_patient
  ON treatment_records (clinic_id, patient_id, performed_on DESC, created_at DESC, id DESC);
CREATE INDEX treatment_records_practitioner ON treatment_records (clinic_id, practitioner_id)
  WHERE practitioner_id IS NOT NULL;

ALTER TABLE treatment_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE treatment_plan_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE treatment_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON treatment_plans USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON treatment_plan_items USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON treatment_records USING (clinic_id = portal_current_clinic());
GRANT SELECT, INSERT, UPDATE ON treatment_plans, treatment_records TO portal_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON treatment_plan_items TO portal_app;
