-- 0029_messages.sql: conversations between a clinic and its patients, the
-- staff inbox, exact unread counts, the new_message notice and the
-- per-topic automatic first answers (issue 14, DESIGN.md section 14).
--
-- * message_threads: one conversation with one patient: subject, topic,
--   open or closed, assigned to a staff member or nobody. It keeps its own
--   counters, changed only under its row lock in the transaction that
--   changes the messages they count:
--     message_count   its messages (the next one's seq is this + 1);
--     patient_unread  staff messages the patient has not read;
--     staff_unread    patient messages no staff member has read;
--     notice_pending  a new_message notice went out since the patient last
--                     read the thread (so no second one goes until then).
--   Every writer (portal_message_add(), portal_thread_read()) locks the
--   thread row first, so a message and a read of the same thread run one
--   after the other and the counters always equal the rows they count,
--   however many requests race. The clinic's unread count is a sum over
--   the threads with staff_unread > 0 (a partial index holds just those).
-- * messages: the texts, numbered per thread (seq), each by the patient or
--   the clinic (a staff member, an API key, or the clinic's automatic first
--   answer), with read_at: when the other side first read it (for a
--   patient message, any staff member).
-- * message_auto_replies: per clinic and topic, the automatic first answer
--   to a thread a patient starts, in Turkish and English; {{reply_within_hours}}
--   in its text is replaced by the hours it promises. It counts as a staff
--   message the patient has not read, but queues no notice.
-- * The rate of a patient's messages is counted from messages itself
--   (portal_message_rate(), under a per-patient lock, so that parallel
--   sends cannot all pass the limit).
-- * new_message: the notice a staff message queues, with nothing of the
--   message in it (neither its subject nor its body): only that there is a
--   message, and the portal's address.

CREATE TABLE message_threads (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  topic text NOT NULL CHECK (topic IN ('appointment', 'billing', 'clinical', 'other')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  assigned_to uuid,
  started_by text NOT NULL CHECK (started_by IN ('patient', 'staff')),
  message_count integer NOT NULL DEFAULT 0 CHECK (message_count >= 0),
  patient_unread integer NOT NULL DEFAULT 0 CHECK (patient_unread >= 0),
  staff_unread integer NOT NULL DEFAULT 0 CHECK (staff_unread >= 0),
  notice_pending boolean NOT NULL DEFAULT false,
  last_message_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (patient_unread + staff_unread <= message_count),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, assigned_to) REFERENCES staff (clinic_id, id)
    ON DELETE SET NULL (assigned_to)
);
-- The inbox, newest activity first: all, by status, by assignee, nobody's,
-- unread (which also answers the clinic's unread count from the index
-- alone); a patient's threads (both sides' lists).
CREATE INDEX message_threads_inbox ON message_threads (clinic_id, last_message_at DESC, id DESC);
CREATE INDEX message_threads_status ON message_threads (clinic_id, status, last_message_at DESC, id DESC);
CREATE INDEX message_threads_assigned ON message_threads (clinic_id, assigned_to, last_message_at DESC, id DESC)
  WHERE assigned_to IS NOT NULL;
CREATE INDEX message_threads_unassigned ON message_threads (clinic_id, last_message_at DESC, id DESC)
  WHERE assigned_to IS NULL;
CREATE INDEX message_threads_unread ON message_threads (clinic_id, last_message_at DESC, id DESC)
  INCLUDE (staff_unread) WHERE staff_unread > 0;
CREATE INDEX message_threads_patient ON message_threads (clinic_id, patient_id, last_message_at DESC, id DESC);

CREATE TABLE messages (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  thread_id uuid NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  author_kind text NOT NULL CHECK (author_kind IN ('patient', 'staff')),
  -- The thread's patient (the rate of their own messages is counted by it).
  patient_id uuid NOT NULL,
  staff_id uuid,
  api_key_id uuid,
  automatic boolean NOT NULL DEFAULT false,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  read_at timestamptz,
  CHECK (author_kind = 'staff' OR (staff_id IS NULL AND api_key_id IS NULL AND NOT automatic)),
  CHECK (num_nonnulls(staff_id, api_key_id) <= 1),
  CHECK (NOT automatic OR (staff_id IS NULL AND api_key_id IS NULL)),
  UNIQUE (clinic_id, thread_id, seq),
  FOREIGN KEY (clinic_id, thread_id) REFERENCES message_threads (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, staff_id) REFERENCES staff (clinic_id, id) ON DELETE SET NULL (staff_id),
  FOREIGN KEY (clinic_id, api_key_id) REFERENCES api_keys (clinic_id, id)
    ON DELETE SET NULL (api_key_id)
);
-- A thread's unread messages (marking them read); a patient's recent
-- messages (the rate); the foreign keys' other ends.
CREATE INDEX messages_unread ON messages (clinic_id, thread_id) WHERE read_at IS NULL;
CREATE INDEX messages_patient ON messages (clinic_id, patient_id, created_at);
CREATE INDEX messages_staff ON messages (clinic_id, staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX messages_api_key ON messages (clinic_id, api_key_id) WHERE api_key_id IS NOT NULL;

CREATE TABLE message_auto_replies (
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  topic text NOT NULL CHECK (topic IN ('appointment', 'billing', 'clinical', 'other')),
  enabled boolean NOT NULL DEFAULT false,
  reply_within_hours integer NOT NULL CHECK (reply_within_hours BETWEEN 1 AND 720),
  body_tr text CHECK (length(body_tr) BETWEEN 1 AND 1000),
  body_en text CHECK (length(body_en) BETWEEN 1 AND 1000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (clinic_id, topic),
  CHECK (NOT enabled OR body_tr IS NOT NULL OR body_en IS NOT NULL)
);

ALTER TABLE message_threads ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_auto_replies ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON message_threads USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON messages USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON message_auto_replies USING (clinic_id = portal_current_clinic());

GRANT SELECT, INSERT ON message_threads TO portal_app;
GRANT UPDATE (status, assigned_to, message_count, patient_unread, staff_unread, notice_pending,
  last_message_at, updated_at) ON message_threads TO portal_app;
-- A message is never changed, only marked read.
GRANT SELECT, INSERT ON messages TO portal_app;
GRANT UPDATE (read_at) ON messages TO portal_app;
GRANT SELECT, INSERT, UPDATE ON message_auto_replies TO portal_app;

-- Adds a message to thread p_thread of the transaction's clinic (when
-- p_patient is set, only to a thread of that patient): by the patient
-- (p_author 'patient') or the clinic ('staff': p_staff, p_api_key, or
-- neither for the automatic answer, p_automatic). Locks the thread row
-- first, then counts the message in the thread's counters. Answers
-- outcome 'ok' with the message's id and notify (true when a new_message
-- notice is due: a staff message that is not automatic, none pending since
-- the patient last read the thread), 'not_found' or 'closed'.
CREATE FUNCTION portal_message_add(p_thread uuid, p_patient uuid, p_author text,
  p_staff uuid, p_api_key uuid, p_automatic boolean, p_body text)
RETURNS TABLE (outcome text, message_id uuid, notify boolean)
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  t message_threads%ROWTYPE;
  v_id uuid;
  v_now timestamptz;
  v_notify boolean;
BEGIN
  SELECT * INTO t FROM message_threads mt
   WHERE mt.clinic_id = v_clinic AND mt.id = p_thread
     AND (p_patient IS NULL OR mt.patient_id = p_patient)
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::uuid, false;
    RETURN;
  END IF;
  IF t.status = 'closed' THEN
    RETURN QUERY SELECT 'closed'::text, NULL::uuid, false;
    RETURN;
  END IF;
  v_now := clock_timestamp();
  v_notify := p_author = 'staff' AND NOT p_automatic AND NOT t.notice_pending;
  UPDATE message_threads mt
     SET message_count = mt.message_count + 1,
         patient_unread = mt.patient_unread + CASE WHEN p_author = 'staff' THEN 1 ELSE 0 END,
         staff_unread = mt.staff_unread + CASE WHEN p_author = 'patient' THEN 1 ELSE 0 END,
         notice_pending = mt.notice_pending OR v_notify,
         last_message_at = greatest(mt.last_message_at, v_now),
         updated_at = now()
   WHERE mt.clinic_id = v_clinic AND mt.id = p_thread;
  INSERT INTO messages (clinic_id, thread_id, seq, author_kind, patient_id, staff_id,
                        api_key_id, automatic, body, created_at)
  VALUES (v_clinic, p_thread, t.message_count + 1, p_author, t.patient_id,
          CASE WHEN p_author = 'staff' THEN p_staff END,
          CASE WHEN p_author = 'staff' THEN p_api_key END,
          p_automatic, p_body, v_now)
  RETURNING id INTO v_id;
  RETURN QUERY SELECT 'ok'::text, v_id, v_notify;
END
$$;
REVOKE ALL ON FUNCTION portal_message_add(uuid, uuid, text, uuid, uuid, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_message_add(uuid, uuid, text, uuid, uuid, boolean, text) TO portal_app;

-- Starts a thread with patient p_patient of the transaction's clinic and
-- its first message (by p_author as in portal_message_add()). A thread the
-- patient starts gets the clinic's automatic first answer for its topic,
-- when one is enabled, in the patient's language (the other one when it
-- lacks it). Answers outcome 'ok' with the thread's id, the first
-- message's id and notify, or 'not_found' (no such patient).
CREATE FUNCTION portal_thread_start(p_patient uuid, p_subject text, p_topic text,
  p_author text, p_staff uuid, p_api_key uuid, p_body text)
RETURNS TABLE (outcome text, thread_id uuid, message_id uuid, notify boolean)
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_lang text;
  v_thread uuid;
  r record;
  a message_auto_replies%ROWTYPE;
  v_auto text;
BEGIN
  SELECT p.language INTO v_lang FROM patients p WHERE p.clinic_id = v_clinic AND p.id = p_patient;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::uuid, NULL::uuid, false;
    RETURN;
  END IF;
  INSERT INTO message_threads (clinic_id, patient_id, subject, topic, started_by)
  VALUES (v_clinic, p_patient, p_subject, p_topic, p_author)
  RETURNING id INTO v_thread;
  SELECT * INTO r FROM portal_message_add(v_thread, NULL, p_author, p_staff, p_api_key, false, p_body);
  IF p_author = 'patient' THEN
    SELECT * INTO a FROM message_auto_replies ar
     WHERE ar.clinic_id = v_clinic AND ar.topic = p_topic AND ar.enabled;
    IF FOUND THEN
      v_auto := CASE WHEN v_lang = 'en' THEN coalesce(a.body_en, a.body_tr)
                     ELSE coalesce(a.body_tr, a.body_en) END;
      v_auto := left(portal_render_values(v_auto,
                  jsonb_build_object('reply_within_hours', a.reply_within_hours::text)), 5000);
      PERFORM portal_message_add(v_thread, NULL, 'staff', NULL, NULL, true, v_auto);
    END IF;
  END IF;
  RETURN QUERY SELECT 'ok'::text, v_thread, r.message_id, r.notify;
END
$$;
REVOKE ALL ON FUNCTION portal_thread_start(uuid, text, text, text, uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_thread_start(uuid, text, text, text, uuid, uuid, text) TO portal_app;

-- Marks read, for reader 'patient' (the staff messages; a thread of
-- p_patient only) or 'staff' (the patient messages), every unread message
-- of thread p_thread, and takes them off the thread's counter; the
-- patient's read also ends the pending notice. Locks the thread row first
-- (as portal_message_add() does), so a message sent meanwhile is either
-- read here or counted after. Answers how many were marked, or NULL when
-- there is no such thread.
CREATE FUNCTION portal_thread_read(p_thread uuid, p_patient uuid, p_reader text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_n integer;
BEGIN
  PERFORM 1 FROM message_threads mt
    WHERE mt.clinic_id = v_clinic AND mt.id = p_thread
      AND (p_patient IS NULL OR mt.patient_id = p_patient)
      FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  WITH marked AS (
    UPDATE messages m SET read_at = clock_timestamp()
     WHERE m.clinic_id = v_clinic AND m.thread_id = p_thread AND m.read_at IS NULL
       AND m.author_kind = CASE p_reader WHEN 'patient' THEN 'staff' ELSE 'patient' END
    RETURNING 1)
  SELECT count(*) INTO v_n FROM marked;
  IF p_reader = 'patient' THEN
    UPDATE message_threads mt
       SET patient_unread = mt.patient_unread - v_n, notice_pending = false
     WHERE mt.clinic_id = v_clinic AND mt.id = p_thread
       AND (v_n > 0 OR mt.notice_pending);
  ELSIF v_n > 0 THEN
    UPDATE message_threads mt SET staff_unread = mt.staff_unread - v_n
     WHERE mt.clinic_id = v_clinic AND mt.id = p_thread;
  END IF;
  RETURN v_n;
END
$$;
REVOKE ALL ON FUNCTION portal_thread_read(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_thread_read(uuid, uuid, text) TO portal_app;

-- Serializes patient p_patient's sending for the rest of the transaction
-- and answers 0 when they may send another message (fewer than p_limit of
-- their own in the last hour), else the seconds until they may (when the
-- oldest message that counts leaves the hour).
CREATE FUNCTION portal_message_rate(p_patient uuid, p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  v_free_at timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('messages:' || p_patient::text, 0));
  SELECT m.created_at + interval '1 hour' INTO v_free_at FROM messages m
   WHERE m.clinic_id = portal_current_clinic() AND m.patient_id = p_patient
     AND m.author_kind = 'patient' AND m.created_at > clock_timestamp() - interval '1 hour'
   ORDER BY m.created_at DESC OFFSET greatest(p_limit, 1) - 1 LIMIT 1;
  IF v_free_at IS NULL THEN
    RETURN 0;
  END IF;
  RETURN greatest(1, ceil(extract(epoch FROM v_free_at - clock_timestamp())))::integer;
END
$$;
REVOKE ALL ON FUNCTION portal_message_rate(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_message_rate(uuid, integer) TO portal_app;

-- The clinic's inbox: the ids of its threads, newest activity first, by
-- the filters (NULL: any): status, topic, assigned to p_assigned, to
-- nobody (p_unassigned), with unread patient messages or without
-- (p_unread), of patient p_patient; after thread p_after (a previous
-- page's last; a vanished one ends the list), p_limit of them. Planned
-- for each call's values (plan_cache_mode), so that each filter's index
-- serves it: a generic plan cannot use the partial ones. ROWS: a page at
-- most, so that the caller's join reads the threads by their key rather
-- than all of them.
CREATE FUNCTION portal_message_inbox(p_status text, p_topic text, p_assigned uuid,
  p_unassigned boolean, p_unread boolean, p_patient uuid, p_after uuid, p_limit integer)
RETURNS TABLE (id uuid)
LANGUAGE plpgsql STABLE ROWS 100
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_at timestamptz;
BEGIN
  IF p_after IS NOT NULL THEN
    SELECT q.last_message_at INTO v_at FROM message_threads q
     WHERE q.clinic_id = v_clinic AND q.id = p_after;
    IF NOT FOUND THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
    SELECT t.id FROM message_threads t
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
     LIMIT p_limit;
END
$$;
REVOKE ALL ON FUNCTION portal_message_inbox(text, text, uuid, boolean, boolean, uuid, uuid, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_message_inbox(text, text, uuid, boolean, boolean, uuid, uuid, integer)
  TO portal_app;

-- The notice of a staff message. Neither subject nor body carries anything
-- of the message or its thread: only that there is one to read.
INSERT INTO message_purposes (purpose, secret, fallback_tr_subject, fallback_tr_body,
                              fallback_en_subject, fallback_en_body) VALUES
  ('new_message', false,
   '{{clinic_name}}: yeni bir mesajınız var',
   E'Merhaba {{patient_first_name}},\n\n{{clinic_name}} size bir mesaj gönderdi. ' ||
   E'Okumak için hasta portalına girin: {{portal_url}}',
   '{{clinic_name}}: you have a new message',
   E'Hello {{patient_first_name}},\n\n{{clinic_name}} has sent you a message. ' ||
   E'Sign in to the patient portal to read it: {{portal_url}}')
ON CONFLICT (purpose) DO NOTHING;
