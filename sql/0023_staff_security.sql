-- 0023_staff_security.sql: a staff member's own security (issue 11,
-- DESIGN.md section 16): changing their password and seeing or ending
-- their sessions, across every clinic they belong to (one person, one
-- password). These run as the owner, since the hash and other clinics'
-- sessions are past what the application's role may see; each is keyed by
-- the membership the request authenticated, in the context's clinic.

-- The person behind membership p_staff of the context's clinic: their
-- email and password hash (for the current password's check).
CREATE FUNCTION portal_staff_own_secret(p_staff uuid)
RETURNS TABLE (email text, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p.email::text, p.password_hash
    FROM staff s JOIN staff_people p ON p.id = s.person_id
   WHERE s.clinic_id = portal_current_clinic() AND s.id = p_staff
$$;

-- A new password for that person; every session of theirs ends, in every
-- clinic, but p_keep (the one that asked; NULL: none). Answers how many
-- ended.
CREATE FUNCTION portal_staff_password_set(p_staff uuid, p_hash text, p_keep bytea)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_person uuid;
  v_ended integer;
BEGIN
  SELECT s.person_id INTO v_person FROM staff s
   WHERE s.clinic_id = portal_current_clinic() AND s.id = p_staff;
  IF v_person IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE staff_people SET password_hash = p_hash WHERE id = v_person;
  DELETE FROM staff_sessions ss USING staff s
   WHERE s.clinic_id = ss.clinic_id AND s.id = ss.staff_id AND s.person_id = v_person
     AND ss.token_hash IS DISTINCT FROM p_keep;
  GET DIAGNOSTICS v_ended = ROW_COUNT;
  RETURN v_ended;
END
$$;

-- That person's sessions, in every clinic, newest first; current marks
-- the one whose token hash is p_current.
CREATE FUNCTION portal_staff_own_sessions(p_staff uuid, p_current bytea)
RETURNS TABLE (clinic_id uuid, clinic_name text, created_at timestamptz,
  last_seen_at timestamptz, expires_at timestamptz, current boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT ss.clinic_id, c.name, ss.created_at, ss.last_seen_at, ss.expires_at,
         ss.token_hash = p_current
    FROM staff me
    JOIN staff s ON s.person_id = me.person_id
    JOIN staff_sessions ss ON ss.clinic_id = s.clinic_id AND ss.staff_id = s.id
    JOIN clinics c ON c.id = ss.clinic_id
   WHERE me.clinic_id = portal_current_clinic() AND me.id = p_staff
     AND ss.expires_at > now()
   ORDER BY ss.created_at DESC
   LIMIT 200
$$;

-- Every session of that person but p_keep ends. Answers how many.
CREATE FUNCTION portal_staff_sessions_end_others(p_staff uuid, p_keep bytea)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_ended integer;
BEGIN
  DELETE FROM staff_sessions ss USING staff s, staff me
   WHERE me.clinic_id = portal_current_clinic() AND me.id = p_staff
     AND s.person_id = me.person_id
     AND ss.clinic_id = s.clinic_id AND ss.staff_id = s.id
     AND ss.token_hash IS DISTINCT FROM p_keep;
  GET DIAGNOSTICS v_ended = ROW_COUNT;
  RETURN v_ended;
END
$$;

REVOKE ALL ON FUNCTION portal_staff_own_secret(uuid), portal_staff_password_set(uuid, text, bytea),
  portal_staff_own_sessions(uuid, bytea), portal_staff_sessions_end_others(uuid, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_staff_own_secret(uuid), portal_staff_password_set(uuid, text, bytea),
  portal_staff_own_sessions(uuid, bytea), portal_staff_sessions_end_others(uuid, bytea) TO portal_app;
