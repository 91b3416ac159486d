-- 0022_staff_manage.sql: a clinic's owners and admins manage its members
-- (issue 11, DESIGN.md section 16): names, roles, active or not.
--
-- A role change or disabling ends that member's sessions at the clinic at
-- once (their next request is 401); their API keys follow by themselves,
-- since a key acts with its maker's role as it is now (sql/0012). The clinic
-- keeps at least one active owner: the owners are locked, in one order,
-- before any change that could take the last one away, so that two owners
-- demoting each other at the same moment cannot both succeed.

-- The change of member p_id of the context's clinic (NULL: keep). Answers
-- 'not_found', 'last_owner' (nothing changed) or 'ok'.
CREATE FUNCTION portal_staff_update(p_id uuid, p_name text, p_role text, p_active boolean)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_old staff%ROWTYPE;
  v_others integer;
BEGIN
  IF p_role IS NOT NULL OR p_active IS NOT NULL THEN
    PERFORM 1 FROM staff WHERE clinic_id = v_clinic AND role = 'owner' AND active
      ORDER BY id FOR UPDATE;
  END IF;
  SELECT * INTO v_old FROM staff WHERE clinic_id = v_clinic AND id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'not_found';
  END IF;
  IF v_old.role = 'owner' AND v_old.active
     AND (coalesce(p_role, v_old.role) <> 'owner' OR NOT coalesce(p_active, v_old.active)) THEN
    SELECT count(*) INTO v_others FROM staff
     WHERE clinic_id = v_clinic AND role = 'owner' AND active AND id <> p_id;
    IF v_others = 0 THEN
      RETURN 'last_owner';
    END IF;
  END IF;
  UPDATE staff SET name = coalesce(p_name, name), role = coalesce(p_role, role),
         active = coalesce(p_active, active)
   WHERE clinic_id = v_clinic AND id = p_id;
  IF coalesce(p_role, v_old.role) <> v_old.role
     OR coalesce(p_active, v_old.active) <> v_old.active THEN
    DELETE FROM staff_sessions WHERE clinic_id = v_clinic AND staff_id = p_id;
  END IF;
  RETURN 'ok';
END
$$;
REVOKE ALL ON FUNCTION portal_staff_update(uuid, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_staff_update(uuid, text, text, boolean) TO portal_app;
