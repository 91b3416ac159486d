-- 0031_forms.sql: forms a clinic asks its patients to fill (issue 15,
-- DESIGN.md section 15).
--
-- * forms: one form of a clinic: active or archived, offered to every
--   patient (available_to_all) or only to those it is assigned to, and
--   the number of its current version. Its title is its current version's.
-- * form_versions: a form's definitions, numbered from 1; a version is
--   never changed once written (no UPDATE is granted), so a submission's
--   version always shows the questions the patient answered.
-- * form_assignments: which patients a form is assigned to; assignments
--   add up (assigning again changes nothing).
-- * form_drafts: at most one draft per patient and form, with the version
--   it was made on; a submission removes it.
-- * form_submissions: every submission kept, with its version, the
--   answers (one flat object by link_id, only enabled items), the consent
--   texts the patient agreed to, and the staff review.
-- * form_starters: forms every clinic may copy (not tenant data, read by
--   every clinic; sql/0033 fills it).

CREATE TABLE forms (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  available_to_all boolean NOT NULL DEFAULT false,
  current_version integer NOT NULL DEFAULT 1 CHECK (current_version >= 1),
  title_tr text CHECK (length(title_tr) BETWEEN 1 AND 200),
  title_en text CHECK (length(title_en) BETWEEN 1 AND 200),
  starter text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (title_tr IS NOT NULL OR title_en IS NOT NULL),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, created_by) REFERENCES staff (clinic_id, id)
    ON DELETE SET NULL (created_by)
);
CREATE INDEX forms_clinic ON forms (clinic_id, status, updated_at DESC, id DESC);
CREATE INDEX forms_all ON forms (clinic_id) WHERE available_to_all AND status = 'active';

CREATE TABLE form_versions (
  clinic_id uuid NOT NULL,
  form_id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  definition jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
  item_count integer NOT NULL CHECK (item_count BETWEEN 0 AND 200),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (form_id, version),
  FOREIGN KEY (clinic_id, form_id) REFERENCES forms (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, created_by) REFERENCES staff (clinic_id, id)
    ON DELETE SET NULL (created_by)
);

CREATE TABLE form_assignments (
  clinic_id uuid NOT NULL,
  form_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  assigned_by uuid,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (form_id, patient_id),
  FOREIGN KEY (clinic_id, form_id) REFERENCES forms (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, assigned_by) REFERENCES staff (clinic_id, id)
    ON DELETE SET NULL (assigned_by)
);
CREATE INDEX form_assignments_patient ON form_assignments (clinic_id, patient_id);

CREATE TABLE form_drafts (
  clinic_id uuid NOT NULL,
  form_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  version integer NOT NULL,
  answers jsonb NOT NULL CHECK (jsonb_typeof(answers) = 'object'),
  saved_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (form_id, patient_id),
  FOREIGN KEY (form_id, version) REFERENCES form_versions (form_id, version) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX form_drafts_patient ON form_drafts (clinic_id, patient_id);

CREATE TABLE form_submissions (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  form_id uuid NOT NULL,
  version integer NOT NULL,
  patient_id uuid NOT NULL,
  answers jsonb NOT NULL CHECK (jsonb_typeof(answers) = 'object'),
  -- [{link_id, text}]: each consent the patient ticked, in the words they saw.
  consents jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(consents) = 'array'),
  language text NOT NULL CHECK (language IN ('tr', 'en')),
  status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'reviewed')),
  submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  reviewed_by uuid,
  reviewed_at timestamptz,
  CHECK ((status = 'reviewed') = (reviewed_at IS NOT NULL)),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (form_id, version) REFERENCES form_versions (form_id, version) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, reviewed_by) REFERENCES staff (clinic_id, id)
    ON DELETE SET NULL (reviewed_by)
);
-- Staff lists: newest first, all, by form, by patient, by status; the
-- patient's last submission of a form.
CREATE INDEX form_submissions_clinic ON form_submissions (clinic_id, submitted_at DESC, id DESC);
CREATE INDEX form_submissions_form ON form_submissions (clinic_id, form_id, submitted_at DESC, id DESC);
CREATE INDEX form_submissions_patient ON form_submissions (clinic_id, patient_id, form_id, submitted_at DESC, id DESC);
CREATE INDEX form_submissions_status ON form_submissions (clinic_id, status, submitted_at DESC, id DESC);

CREATE TABLE form_starters (
  key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  position integer NOT NULL,
  definition jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object')
);

ALTER TABLE forms ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_drafts ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_submissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON forms USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON form_versions USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON form_assignments USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON form_drafts USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON form_submissions USING (clinic_id = portal_current_clinic());

GRANT SELECT, INSERT ON forms TO portal_app;
GRANT UPDATE (status, available_to_all, current_version, title_tr, title_en, updated_at)
  ON forms TO portal_app;
-- A version is never changed.
GRANT SELECT, INSERT ON form_versions TO portal_app;
GRANT SELECT, INSERT, DELETE ON form_assignments TO portal_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON form_drafts TO portal_app;
-- A submission is never changed but for its review.
GRANT SELECT, INSERT ON form_submissions TO portal_app;
GRANT UPDATE (status, reviewed_by, reviewed_at) ON form_submissions TO portal_app;
GRANT SELECT ON form_starters TO portal_app;
