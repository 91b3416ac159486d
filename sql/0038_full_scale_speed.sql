-- 0038_full_scale_speed.sql: what the appointments benchmark found at full
-- scale (PORTAL_BENCH_SCALE=1: 1,000,000 appointments, 50 practitioners),
-- where GET appointments/slots (7 days) served 0.06 of the fcgi ceiling and
-- POST appointments 0.05.
--
-- 1. portal_booked_ranges() (sql/0011) found a practitioner's bookings of
--    the range through the exclusion constraint's GiST index. Its pages
--    are laid out by time, so one practitioner's week read every
--    practitioner's week: 207 pages and 0.9 ms for 180 rows (EXPLAIN
--    (ANALYZE, BUFFERS), as the function's owner, all pages cached). A
--    b-tree of booked appointments by practitioner and start, carrying
--    the range, answers from 6 pages in 0.2 ms. A b-tree finds overlaps
--    by start only when the length is bounded: every appointment takes
--    its length from its type (5 to 480 minutes, sql/0007), and the CHECK
--    below makes a day the bound in the table itself.
-- 2. portal_free_slots_of() (sql/0035) had a SET clause, which keeps a SQL
--    function from being inlined; PostgreSQL 15 then plans its body again
--    on every call (portal_booking_days() lost its clause in 0037 for the
--    same reason).
-- 3. Every queued message (a booking's confirmation among them) calls
--    three SQL functions that cannot be inlined (a FROM clause, a SET
--    clause), so each was planned again in every statement that called
--    it: per call, with pgbench -M prepared as portal_app,
--    portal_message_values() 0.30 ms, portal_values_in() 0.11 ms and
--    portal_render_values() 0.22 ms (twice per message: subject and body).
--    The same bodies in PL/pgSQL, whose plans each connection keeps: 0.09,
--    0.06 and 0.13 ms, about 0.43 ms less per message. Same signatures,
--    same answers.

ALTER TABLE appointments ADD CONSTRAINT appointments_length_bound
  CHECK (upper(during) - lower(during) <= interval '1 day');

CREATE INDEX appointments_booked_start ON appointments
  (clinic_id, practitioner_id, lower(during)) INCLUDE (during)
  WHERE status = 'booked';

CREATE OR REPLACE FUNCTION portal_booked_ranges(p_practitioner uuid,
  p_from timestamptz, p_to timestamptz) RETURNS tstzmultirange
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  -- A booking overlapping the range starts before its end and, lasting
  -- a day at most (appointments_length_bound), less than a day before
  -- its start: the bounds the b-tree reads; && keeps the exact test.
  RETURN (SELECT coalesce(range_agg(a.during), '{}'::tstzmultirange) FROM appointments a
           WHERE a.clinic_id = portal_current_clinic() AND a.practitioner_id = p_practitioner
             AND a.status = 'booked'
             AND lower(a.during) >= p_from - interval '1 day' AND lower(a.during) < p_to
             AND a.during && tstzrange(p_from, p_to));
END
$$;

ALTER FUNCTION portal_free_slots_of(uuid, uuid, date, date) RESET plan_cache_mode;

CREATE OR REPLACE FUNCTION portal_render_values(p_text text, p_values jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
BEGIN
  -- The renderer of sql/0016, unchanged: split at each "{{" once; a piece
  -- that starts with a name and "}}" is that placeholder.
  RETURN (SELECT CASE WHEN p_text IS NULL THEN NULL ELSE coalesce(string_agg(
           CASE WHEN s.n = 1 THEN s.piece
                WHEN m.name IS NOT NULL AND p_values ? m.name
                  THEN coalesce(p_values ->> m.name, '') || substr(s.piece, length(m.name) + 3)
                ELSE '{{' || s.piece END, '' ORDER BY s.n), '') END
    FROM regexp_split_to_table(p_text, '\{\{') WITH ORDINALITY AS s (piece, n)
    LEFT JOIN LATERAL (SELECT substring(s.piece FROM '^([A-Za-z0-9_]{1,64})\}\}') AS name) m ON true);
END
$$;

CREATE OR REPLACE FUNCTION portal_values_in(p_values jsonb, p_lang text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
BEGIN
  RETURN (SELECT coalesce(jsonb_object_agg(e.key,
           CASE WHEN jsonb_typeof(e.value) = 'object'
                THEN coalesce(e.value -> p_lang,
                              e.value -> CASE p_lang WHEN 'en' THEN 'tr' ELSE 'en' END,
                              'null'::jsonb)
                ELSE e.value END), '{}'::jsonb)
    FROM jsonb_each(coalesce(p_values, '{}'::jsonb)) e);
END
$$;

CREATE OR REPLACE FUNCTION portal_message_values(p_clinic uuid, p_patient uuid, p_base_url text)
RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
  RETURN (SELECT jsonb_build_object(
           'clinic_name', c.name,
           'code', s.code,
           'portal_url', coalesce(c.public_url, p_base_url) || '/' || s.code,
           'patient_first_name', (SELECT p.first_name FROM patients p
                                   WHERE p.clinic_id = c.id AND p.id = p_patient))
    FROM clinics c LEFT JOIN portal_settings s ON s.clinic_id = c.id
   WHERE c.id = p_clinic);
END
$$;
