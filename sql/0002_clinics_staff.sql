-- 0002_clinics_staff.sql: clinics, their modules and payment infrastructure,
-- staff with sessions and sign-in throttling, API keys, portal settings and
-- codes, and the audit log. Every tenant table carries clinic_id and a
-- row-level-security policy on it.

CREATE EXTENSION IF NOT EXISTS citext;

-- The 19 portal permission keys (DESIGN.md section 3), for CHECK constraints.
CREATE FUNCTION portal_permission_keys() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY[
  'view_profile', 'update_profile', 'upload_photo',
  'view_appointments', 'create_appointment', 'cancel_appointment',
  'view_treatments',
  'view_balance', 'view_invoices', 'view_payments', 'make_payment',
  'view_documents', 'download_documents', 'upload_documents', 'view_images',
  'view_messages', 'send_message',
  'view_forms', 'submit_forms'] $$;

CREATE TABLE clinics (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  languages text[] NOT NULL DEFAULT '{tr,en}'
    CHECK (cardinality(languages) >= 1 AND languages <@ '{tr,en}'),
  default_language text NOT NULL DEFAULT 'tr',
  country text NOT NULL DEFAULT 'TR' CHECK (country ~ '^[A-Z]{2}$'),
  time_zone text NOT NULL DEFAULT 'Europe/Istanbul',
  currency text NOT NULL DEFAULT 'TRY' CHECK (currency ~ '^[A-Z]{3}$'),
  public_url text CHECK (public_url ~ '^https?://[^/]+(/.*[^/])?$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (default_language = ANY (languages))
);

CREATE TABLE clinic_modules (
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  module text NOT NULL CHECK (module IN ('patient_portal')),
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (clinic_id, module)
);

CREATE TABLE payment_infrastructure (
  clinic_id uuid PRIMARY KEY REFERENCES clinics (id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 100),
  active boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  email citext NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'staff')),
  password_hash text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, id)
);

CREATE TABLE staff_sessions (
  token_hash bytea PRIMARY KEY,
  clinic_id uuid NOT NULL,
  staff_id uuid NOT NULL,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  FOREIGN KEY (clinic_id, staff_id) REFERENCES staff (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX staff_sessions_staff ON staff_sessions (clinic_id, staff_id);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);

-- Failed staff sign-ins per account, for backoff and the 429 limit. Holds
-- no clinic data beyond the address typed.
CREATE TABLE staff_login_failures (
  email citext NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_login_failures_email ON staff_login_failures (email, failed_at);

CREATE TABLE api_keys (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix text NOT NULL,
  secret_hash bytea NOT NULL UNIQUE,
  scopes text[] NOT NULL CHECK (cardinality(scopes) >= 1 AND scopes <@ '{read,write,admin}'),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_used_at timestamptz,
  UNIQUE (clinic_id, id)
);

CREATE TABLE portal_settings (
  clinic_id uuid PRIMARY KEY REFERENCES clinics (id) ON DELETE CASCADE,
  enabled boolean NOT NULL DEFAULT false,
  code text,
  permissions text[] NOT NULL DEFAULT '{}' CHECK (permissions <@ portal_permission_keys()),
  sms_template_id uuid,
  email_template_id uuid,
  upload_reviewer_id uuid,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT enabled OR code IS NOT NULL),
  FOREIGN KEY (clinic_id, upload_reviewer_id) REFERENCES staff (clinic_id, id)
);

-- Every code a clinic has used. The live one has retired_at NULL; a retired
-- one stays forever, so no other clinic can ever take it. This table holds
-- no patient data: the public portal lookup reads it across clinics.
CREATE TABLE portal_codes (
  code text PRIMARY KEY
    CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(code) BETWEEN 3 AND 40),
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  retired_at timestamptz
);
CREATE UNIQUE INDEX portal_codes_live ON portal_codes (clinic_id) WHERE retired_at IS NULL;

-- Every change by staff or an API key. The application may add and read
-- rows, never change or remove them.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL CHECK (actor_type IN ('staff', 'api_key', 'patient', 'system')),
  actor_id uuid,
  action text NOT NULL,
  target_type text NOT NULL,
  target_id text,
  before jsonb,
  after jsonb,
  request_id text
);
CREATE INDEX audit_log_clinic ON audit_log (clinic_id, id DESC);

-- Row-level security: the second wall behind every WHERE clinic_id = ...
ALTER TABLE clinics ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON clinics USING (id = portal_current_clinic());
ALTER TABLE clinic_modules ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON clinic_modules USING (clinic_id = portal_current_clinic());
ALTER TABLE payment_infrastructure ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON payment_infrastructure USING (clinic_id = portal_current_clinic());
ALTER TABLE staff ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON staff USING (clinic_id = portal_current_clinic());
ALTER TABLE staff_sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON staff_sessions USING (clinic_id = portal_current_clinic());
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON api_keys USING (clinic_id = portal_current_clinic());
ALTER TABLE portal_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON portal_settings USING (clinic_id = portal_current_clinic());
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON audit_log USING (clinic_id = portal_current_clinic());
ALTER TABLE portal_codes ENABLE ROW LEVEL SECURITY;
CREATE POLICY anyone_reads ON portal_codes FOR SELECT USING (true);
CREATE POLICY clinic_writes ON portal_codes FOR INSERT WITH CHECK (clinic_id = portal_current_clinic());
CREATE POLICY clinic_updates ON portal_codes FOR UPDATE
  USING (clinic_id = portal_current_clinic()) WITH CHECK (clinic_id = portal_current_clinic());

GRANT SELECT ON clinics, clinic_modules, payment_infrastructure TO portal_app;
GRANT UPDATE (name, languages, default_language, country, time_zone, currency, public_url)
  ON clinics TO portal_app;
GRANT INSERT, UPDATE ON payment_infrastructure TO portal_app;
GRANT SELECT, INSERT, UPDATE ON staff TO portal_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_sessions TO portal_app;
GRANT SELECT, INSERT, DELETE ON staff_login_failures TO portal_app;
GRANT SELECT, INSERT, UPDATE ON api_keys TO portal_app;
GRANT SELECT, INSERT, UPDATE ON portal_settings TO portal_app;
GRANT SELECT, INSERT, UPDATE ON portal_codes TO portal_app;
GRANT SELECT, INSERT ON audit_log TO portal_app;

-- Sign-in has to find a row before it knows the clinic. These functions run
-- as the owner (past row-level security) and answer only what sign-in needs.

-- The account behind an email address, for password checking.
CREATE FUNCTION portal_staff_for_login(p_email citext)
RETURNS TABLE (id uuid, clinic_id uuid, name text, role text, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT s.id, s.clinic_id, s.name, s.role, s.password_hash
  FROM staff s WHERE s.email = p_email AND s.active
$$;

-- The session behind a token hash, if neither idle nor past its end; marks
-- it used.
CREATE FUNCTION portal_staff_session(p_token_hash bytea, p_idle interval)
RETURNS TABLE (clinic_id uuid, staff_id uuid, name text, role text, csrf_token text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  UPDATE staff_sessions ss SET last_seen_at = now()
  FROM staff s
  WHERE ss.token_hash = p_token_hash
    AND ss.expires_at > now() AND ss.last_seen_at > now() - p_idle
    AND s.clinic_id = ss.clinic_id AND s.id = ss.staff_id AND s.active
  RETURNING ss.clinic_id, ss.staff_id, s.name, s.role, ss.csrf_token
$$;

-- The API key behind a secret hash, if not revoked; marks it used.
CREATE FUNCTION portal_api_key(p_secret_hash bytea)
RETURNS TABLE (clinic_id uuid, id uuid, name text, scopes text[])
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  UPDATE api_keys k SET last_used_at = now()
  WHERE k.secret_hash = p_secret_hash AND k.revoked_at IS NULL
  RETURNING k.clinic_id, k.id, k.name, k.scopes
$$;

REVOKE ALL ON FUNCTION portal_staff_for_login(citext), portal_staff_session(bytea, interval),
  portal_api_key(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_staff_for_login(citext), portal_staff_session(bytea, interval),
  portal_api_key(bytea), portal_permission_keys() TO portal_app;
