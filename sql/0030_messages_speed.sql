-- 0030_messages_speed.sql: the clinic's inbox in one round trip and with
-- a plan that cannot turn into a scan of all threads (issue 14; measured
-- in tests/perf/messages.test.mjs).
--
-- portal_message_inbox_page() answers what the inbox shows: the page's
-- threads with their columns, in the order and by the filters of
-- portal_message_inbox() (sql/0029; its query is the same, verbatim): the
-- page of ids from the filter's index first, then each thread's columns,
-- its patient's name and its assignee's by key, one LATERAL subquery with
-- LIMIT 1 each, which the planner cannot flatten into a join: so no plan,
-- on a table of any size, joins the page's ids against a scan of the
-- threads. Of the context's clinic only (portal_current_clinic(), set by
-- the session's statement), so that the statement can go ahead with it.
-- portal_message_inbox() stays for a server still running the previous
-- statement during an upgrade; nothing here calls it.
CREATE FUNCTION portal_message_inbox_page(p_status text, p_topic text, p_assigned uuid,
  p_unassigned boolean, p_unread boolean, p_patient uuid, p_after uuid, p_limit integer)
RETURNS TABLE (n bigint, id uuid, patient_id uuid, patient_name text, subject text,
  topic text, status text, assigned_to uuid, assigned_name text, started_by text,
  message_count integer, patient_unread integer, staff_unread integer,
  last_message_at timestamptz, created_at timestamptz)
LANGUAGE plpgsql STABLE ROWS 100
SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_at timestamptz;
  v_ids uuid[];
BEGIN
  IF v_clinic IS NULL THEN
    RETURN;
  END IF;
  IF p_after IS NOT NULL THEN
    SELECT q.last_message_at INTO v_at FROM message_threads q
     WHERE q.clinic_id = v_clinic AND q.id = p_after;
    IF NOT FOUND THEN
      RETURN;
    END IF;
  END IF;
  -- The page's ids: planned for each call's values (a one-shot plan, its
  -- parameters constants), so that each filter's index, partial ones
  -- included, serves it; only this small statement is planned per call.
  EXECUTE 'SELECT ARRAY(SELECT t.id FROM message_threads t
             WHERE t.clinic_id = $1
               AND ($2::text IS NULL OR t.status = $2)
               AND ($3::text IS NULL OR t.topic = $3)
               AND ($4::uuid IS NULL OR t.assigned_to = $4)
               AND ($5::boolean IS NULL OR NOT $5 OR t.assigned_to IS NULL)
               AND ($6::boolean IS NULL OR ($6 AND t.staff_unread > 0)
                    OR (NOT $6 AND t.staff_unread = 0))
               AND ($7::uuid IS NULL OR t.patient_id = $7)
               AND ($8::uuid IS NULL OR (t.last_message_at, t.id) < ($9, $8))
             ORDER BY t.last_message_at DESC, t.id DESC
             LIMIT $10)'
    INTO v_ids
    USING v_clinic, p_status, p_topic, p_assigned, p_unassigned, p_unread, p_patient,
          p_after, v_at, p_limit;
  -- Each thread by key (a cached plan).
  RETURN QUERY
    SELECT i.n, r.id, r.patient_id, r.patient_name, r.subject, r.topic, r.status,
           r.assigned_to, r.assigned_name, r.started_by, r.message_count,
           r.patient_unread, r.staff_unread, r.last_message_at, r.created_at
      FROM unnest(v_ids) WITH ORDINALITY AS i (id, n)
     CROSS JOIN LATERAL (
       SELECT t.id, t.patient_id, p.first_name || ' ' || p.last_name AS patient_name,
              t.subject, t.topic, t.status, t.assigned_to, s.name AS assigned_name,
              t.started_by, t.message_count, t.patient_unread, t.staff_unread,
              t.last_message_at, t.created_at
         FROM message_threads t
         JOIN patients p ON p.clinic_id = t.clinic_id AND p.id = t.patient_id
         LEFT JOIN staff s ON s.clinic_id = t.clinic_id AND s.id = t.assigned_to
        WHERE t.clinic_id = v_clinic AND t.id = i.id
        LIMIT 1) r
     ORDER BY i.n;
END
$$;
REVOKE ALL ON FUNCTION portal_message_inbox_page(text, text, uuid, boolean, boolean, uuid, uuid, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_message_inbox_page(text, text, uuid, boolean, boolean, uuid, uuid, integer)
  TO portal_app;
