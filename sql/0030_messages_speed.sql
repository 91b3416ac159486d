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
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_at timestamptz;
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
  RETURN QUERY
    SELECT row_number() OVER (ORDER BY i.last_message_at DESC, i.id DESC),
           r.id, r.patient_id, r.patient_name, r.subject, r.topic, r.status,
           r.assigned_to, r.assigned_name, r.started_by, r.message_count,
           r.patient_unread, r.staff_unread, r.last_message_at, r.created_at
      FROM (SELECT t.id, t.last_message_at FROM message_threads t
             WHERE t.clinic_id = v_clinic
               AND (p_status IS NULL OR t.status = p_status)
               AND (p_topic IS NULL OR t.topic = p_topic)
               AND (p_assigned IS NULL OR t.assigned_to = p_assigned)
               AND (p_unassigned IS NULL OR NOT p_unassigned OR t.assigned_to IS NULL)
               AND (p_unread IS NULL OR (p_unread AND t.staff_unread > 0)
                    OR (NOT p_unread AND t.staff_unread = 0))
               AND (p_patient IS NULL OR t.patient_id = p_patient)
               AND (p_after IS NULL OR (t.last_message_at, t.id) < (v_at, p_after))
             ORDER BY t.last_message_at DESC, t.id DESC
             LIMIT p_limit) i
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
     ORDER BY i.last_message_at DESC, i.id DESC;
END
$$;
REVOKE ALL ON FUNCTION portal_message_inbox_page(text, text, uuid, boolean, boolean, uuid, uuid, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_message_inbox_page(text, text, uuid, boolean, boolean, uuid, uuid, integer)
  TO portal_app;
