-- 0003_patients.sql: patients, their portal access and Portal Permissions.
--
-- Search: folded names (lower case ASCII, accents removed by the API),
-- phone (E.164) and email are joined in search_text, which a trigram index
-- serves for "contains" queries; the list order uses sort_key.

CREATE TABLE patients (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  email citext CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  language text NOT NULL DEFAULT 'tr' CHECK (language IN ('tr', 'en')),
  portal_access boolean NOT NULL DEFAULT true,
  permissions_mode text NOT NULL DEFAULT 'clinic' CHECK (permissions_mode IN ('clinic', 'custom')),
  custom_permissions text[] NOT NULL DEFAULT '{}'
    CHECK (custom_permissions <@ portal_permission_keys()),
  first_folded text NOT NULL,
  last_folded text NOT NULL,
  sort_key text NOT NULL,
  search_text text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, id)
);

CREATE INDEX patients_search ON patients USING gin (search_text gin_trgm_ops);
CREATE INDEX patients_order ON patients (clinic_id, sort_key, id);
CREATE INDEX patients_phone ON patients (clinic_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX patients_email ON patients (clinic_id, email) WHERE email IS NOT NULL;
CREATE INDEX patients_names ON patients (clinic_id, last_folded, first_folded);

ALTER TABLE patients ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON patients USING (clinic_id = portal_current_clinic());
GRANT SELECT, INSERT, UPDATE ON patients TO portal_app;
