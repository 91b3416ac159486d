-- 0014_staff_signin.sql: staff sign-in limits by account and by client
-- address (DESIGN.md section 10), and API keys that name their maker.

-- A failed sign-in now remembers the client address it came from, as the
-- API counts addresses (net_rate_key(): an IPv4 address as itself, an IPv6
-- address by its /64), so that failures count per (account, address), per
-- address and per account. Rows from before this migration count under '-'.
ALTER TABLE staff_login_failures ADD COLUMN client_key text NOT NULL DEFAULT '-';
CREATE INDEX staff_login_failures_client ON staff_login_failures (client_key, failed_at);

-- Whether a sign-in for p_email from the client p_client may go on, and the
-- account to check the password against, in one statement. Three limits over
-- the last p_window seconds: p_per_pair failures of this account from this
-- address, p_per_client failures from this address (any account), and
-- p_per_account failures of this account (any address) -- a ceiling well
-- above the first, so that a stranger cannot lock an owner out. When one is
-- reached: retry_after, the seconds until every limit reached lets a try
-- through again (the failure that must leave the window is the limit-th
-- newest), and no account. Otherwise retry_after 0 and the active account
-- behind the address, or NULLs when there is none (the caller then checks a
-- dummy hash, so that both cost the same). Runs as the caller: the failures
-- are the application's own table, and portal_staff_for_login() reads the
-- account past row-level security.
CREATE FUNCTION portal_staff_login_check(p_email citext, p_client text, p_window integer,
  p_per_pair integer, p_per_client integer, p_per_account integer)
RETURNS TABLE (retry_after integer, staff_id uuid, staff_clinic_id uuid, staff_name text,
  staff_role text, password_hash text)
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
    RETURN QUERY SELECT greatest(1, ceil(extract(epoch FROM
        v_until + p_window * interval '1 second' - now())))::integer,
      NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text;
    RETURN;
  END IF;
  RETURN QUERY SELECT 0, s.id, s.clinic_id, s.name, s.role, s.password_hash
                 FROM portal_staff_for_login(p_email) s LIMIT 1;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 0, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION portal_staff_login_check(citext, text, integer, integer, integer,
  integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_staff_login_check(citext, text, integer, integer, integer,
  integer) TO portal_app;

-- Every staff request now authenticates through portal_request_clinic()
-- (sql/0012), which also checks an API key's maker; these lookups of
-- 0002, which do not, go.
DROP FUNCTION portal_staff_session(bytea, interval);
DROP FUNCTION portal_api_key(bytea);
