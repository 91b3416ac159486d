-- 0021_staff_people.sql: one person, several clinics (issue 11, DESIGN.md
-- section 16).
--
-- A staff member is a person, known by one email address across the
-- service, with one password; each clinic they belong to has its own
-- membership row in staff (their name there, their role, whether it is
-- active), and sessions, API keys and audit rows keep naming memberships.
-- Someone in two clinics signs in once and picks the clinic.
--
-- The password hash leaves staff, which the application's role may read,
-- for staff_people, whose hash it may not read at all: only the sign-in
-- function, which runs as the owner, sees it.

CREATE TABLE staff_people (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email citext NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
  -- NULL until the person sets one (an invitation's link does).
  password_hash text,
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO staff_people (email, password_hash, created_at)
  SELECT email, password_hash, created_at FROM staff;

ALTER TABLE staff ADD COLUMN person_id uuid;
UPDATE staff s SET person_id = p.id FROM staff_people p WHERE p.email = s.email;
ALTER TABLE staff ALTER COLUMN person_id SET NOT NULL,
  ADD FOREIGN KEY (person_id) REFERENCES staff_people (id) ON DELETE CASCADE,
  ADD UNIQUE (clinic_id, person_id);
CREATE INDEX staff_person ON staff (person_id);

DROP FUNCTION portal_staff_login_check(citext, text, integer, integer, integer, integer);
DROP FUNCTION portal_staff_for_login(citext);
ALTER TABLE staff DROP COLUMN email, DROP COLUMN password_hash;

-- A clinic sees the people who are its members, and never a hash.
ALTER TABLE staff_people ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_members ON staff_people
  USING (EXISTS (SELECT 1 FROM staff s WHERE s.person_id = staff_people.id
                  AND s.clinic_id = portal_current_clinic()));
GRANT SELECT (id, email, created_at) ON staff_people TO portal_app;

-- The active memberships of the person behind p_email who has a password,
-- with the hash to check it against (the same on every row), by clinic name.
CREATE FUNCTION portal_staff_for_login(p_email citext)
RETURNS TABLE (person_id uuid, password_hash text, staff_id uuid, clinic_id uuid,
  clinic_name text, staff_name text, staff_role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p.id, p.password_hash, s.id, s.clinic_id, c.name, s.name, s.role
    FROM staff_people p
    JOIN staff s ON s.person_id = p.id AND s.active
    JOIN clinics c ON c.id = s.clinic_id
   WHERE p.email = p_email AND p.password_hash IS NOT NULL
   ORDER BY c.name, s.clinic_id
   LIMIT 100
$$;
REVOKE ALL ON FUNCTION portal_staff_for_login(citext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_staff_for_login(citext) TO portal_app;

-- As in 0014 (the limits are unchanged), answering one row per active
-- membership instead of one account; no membership: one row of NULLs.
CREATE FUNCTION portal_staff_login_check(p_email citext, p_client text, p_window integer,
  p_per_pair integer, p_per_client integer, p_per_account integer)
RETURNS TABLE (retry_after integer, person_id uuid, password_hash text, staff_id uuid,
  staff_clinic_id uuid, clinic_name text, staff_name text, staff_role text)
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
  v_since timestamptz := now() - p_window * interval '1 second';
  v_at timestamptz;
  v_until timestamptz;
BEGIN
  SELECT f.failed_at INTO v_at FROM staff_login_failures f
   WHERE f.email = p_email AND f.client_key = p_client AND f.failed_at > v_since
   ORDER BY f.failed_at DESC OFFSET p_per_pair - 1 LIMIT 1;
  v_until := v_at;
  v_at := NULL;
  SELECT f.failed_at INTO v_at FROM staff_login_failures f
   WHERE f.client_key = p_client AND f.failed_at > v_since
   ORDER BY f.failed_at DESC OFFSET p_per_client - 1 LIMIT 1;
  v_until := greatest(v_until, v_at);
  v_at := NULL;
  SELECT f.failed_at INTO v_at FROM staff_login_failures f
   WHERE f.email = p_email AND f.failed_at > v_since
   ORDER BY f.failed_at DESC OFFSET p_per_account - 1 LIMIT 1;
  v_until := greatest(v_until, v_at);
  IF v_until IS NOT NULL THEN
    retry_after := greatest(1, ceil(extract(epoch FROM
        v_until + p_window * interval '1 second' - now())))::integer;
    RETURN NEXT;
    RETURN;
  END IF;
  RETURN QUERY SELECT 0, f.* FROM portal_staff_for_login(p_email) f;
  IF NOT FOUND THEN
    retry_after := 0;
    RETURN NEXT;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION portal_staff_login_check(citext, text, integer, integer, integer,
  integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_staff_login_check(citext, text, integer, integer, integer,
  integer) TO portal_app;

-- After a sign-in with memberships in several clinics: the choice to come,
-- single use, for five minutes.
CREATE TABLE staff_login_selections (
  token_hash bytea PRIMARY KEY,
  person_id uuid NOT NULL REFERENCES staff_people (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);
CREATE INDEX staff_login_selections_expiry ON staff_login_selections (expires_at);
GRANT INSERT ON staff_login_selections TO portal_app;

-- The choice: p_clinic's active membership of the person whose selection
-- token this is. 'invalid_token' for a token spent, expired or unknown;
-- 'not_member' when the person has no active membership there (the token
-- stays usable); else 'ok' with the membership, and the token is spent.
CREATE FUNCTION portal_staff_select(p_token_hash bytea, p_clinic uuid)
RETURNS TABLE (status text, staff_id uuid, staff_name text, staff_role text,
  clinic_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_person uuid;
BEGIN
  SELECT sel.person_id INTO v_person FROM staff_login_selections sel
   WHERE sel.token_hash = p_token_hash AND sel.expires_at > now() FOR UPDATE;
  IF v_person IS NULL THEN
    status := 'invalid_token';
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT s.id, s.name, s.role, c.name INTO staff_id, staff_name, staff_role, clinic_name
    FROM staff s JOIN staff_people p ON p.id = s.person_id
    JOIN clinics c ON c.id = s.clinic_id
   WHERE s.person_id = v_person AND s.clinic_id = p_clinic AND s.active
     AND p.password_hash IS NOT NULL;
  IF staff_id IS NULL THEN
    status := 'not_member';
    RETURN NEXT;
    RETURN;
  END IF;
  DELETE FROM staff_login_selections WHERE token_hash = p_token_hash;
  status := 'ok';
  RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION portal_staff_select(bytea, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_staff_select(bytea, uuid) TO portal_app;

-- The operator's way in (portalctl create-staff, seed-demo; as the owner):
-- the person behind p_email, made with p_password_hash when new, and their
-- membership of p_clinic. new_person says whether the hash was used.
CREATE FUNCTION portal_staff_add(p_clinic uuid, p_email citext, p_name text, p_role text,
  p_password_hash text)
RETURNS TABLE (staff_id uuid, new_person boolean)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_person uuid;
BEGIN
  INSERT INTO staff_people (email, password_hash) VALUES (p_email, p_password_hash)
    ON CONFLICT (email) DO NOTHING RETURNING id INTO v_person;
  new_person := v_person IS NOT NULL;
  IF v_person IS NULL THEN
    SELECT id INTO v_person FROM staff_people WHERE email = p_email;
  END IF;
  INSERT INTO staff (clinic_id, person_id, name, role)
    VALUES (p_clinic, v_person, p_name, p_role) RETURNING id INTO staff_id;
  RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION portal_staff_add(uuid, citext, text, text, text) FROM PUBLIC;

-- portalctl purge-sessions also removes selections no longer usable.
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
