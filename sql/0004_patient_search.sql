-- 0004_patient_search.sql: patient search that can use its indexes.
--
-- Under row-level security PostgreSQL only uses leakproof operators as
-- index conditions; LIKE (and citext's equality) are not leakproof, so a
-- search run by portal_app scanned every patient of every clinic. This
-- function runs as the owner (past row-level security) and filters on the
-- transaction's clinic itself, so the indexes serve the search. It answers
-- the clinic of the transaction only, like the policy it stands in for.
--
-- p_mode picks one of three constant queries: 'phone' (an E.164 number,
-- exactly), 'email' (an address, exactly, case-insensitively) or 'text'
-- (a LIKE pattern over names, phones and addresses, by trigram index). The
-- values travel as parameters (EXECUTE ... USING), so each call is planned
-- with the actual value: a generic plan cannot tell a rare pattern from a
-- common one and walks the whole list in order instead.
CREATE FUNCTION portal_patient_search(p_mode text, p_value text, p_after_sort text,
                                      p_after_id uuid, p_limit integer)
RETURNS SETOF patients
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  IF p_mode = 'phone' THEN
    RETURN QUERY EXECUTE
      'SELECT p.* FROM patients p
        WHERE p.clinic_id = portal_current_clinic() AND p.phone = $1
          AND (p.sort_key, p.id) > ($2, $3)
        ORDER BY p.sort_key, p.id LIMIT least($4, 101)'
      USING p_value, p_after_sort, p_after_id, p_limit;
  ELSIF p_mode = 'email' THEN
    RETURN QUERY EXECUTE
      'SELECT p.* FROM patients p
        WHERE p.clinic_id = portal_current_clinic() AND p.email = $1::citext
          AND (p.sort_key, p.id) > ($2, $3)
        ORDER BY p.sort_key, p.id LIMIT least($4, 101)'
      USING p_value, p_after_sort, p_after_id, p_limit;
  ELSIF p_mode = 'text' THEN
    RETURN QUERY EXECUTE
      'SELECT p.* FROM patients p
        WHERE p.clinic_id = portal_current_clinic() AND p.search_text LIKE $1
          AND (p.sort_key, p.id) > ($2, $3)
        ORDER BY p.sort_key, p.id LIMIT least($4, 101)'
      USING p_value, p_after_sort, p_after_id, p_limit;
  ELSE
    RAISE EXCEPTION 'unknown search mode %', p_mode USING ERRCODE = '22023';
  END IF;
END
$$;

REVOKE ALL ON FUNCTION portal_patient_search(text, text, text, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_patient_search(text, text, text, uuid, integer) TO portal_app;
