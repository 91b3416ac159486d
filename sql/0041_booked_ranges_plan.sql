-- 0041_booked_ranges_plan.sql: a practitioner's booked time is read through
-- the b-tree by start whatever the table's statistics say.
--
-- 0038 gave portal_booked_ranges() the b-tree appointments_booked_start,
-- but its query still tested the range with &&, which the exclusion
-- constraint's GiST index also answers. After a VACUUM of the full-scale
-- benchmark's clinic (1,000,000 appointments) the planner took the GiST
-- index again: EXPLAIN (ANALYZE, BUFFERS) of one practitioner's 7 days
-- read 210 pages through it, against 14 through the b-tree, and GET
-- appointments/slots went back to the cost 0038 had removed.
--
-- Appointments are half-open ranges [start, end), never empty, finite (the
-- CHECKs of 0007 and the one below; every writer builds them with
-- tstzrange(start, end)). For those, overlapping [p_from, p_to) is
-- lower < p_to AND upper > p_from: the same rows, in a form only the
-- b-tree (and its INCLUDE column) serves.

ALTER TABLE appointments ADD CONSTRAINT appointments_half_open
  CHECK (lower_inc(during) AND NOT upper_inc(during));

CREATE OR REPLACE FUNCTION portal_booked_ranges(p_practitioner uuid,
  p_from timestamptz, p_to timestamptz) RETURNS tstzmultirange
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  -- A booking overlapping the range starts before its end and, lasting
  -- a day at most (appointments_length_bound), less than a day before
  -- its start: the bounds the b-tree reads; its end after the range's
  -- start is the exact test (appointments_half_open).
  RETURN (SELECT coalesce(range_agg(a.during), '{}'::tstzmultirange) FROM appointments a
           WHERE a.clinic_id = portal_current_clinic() AND a.practitioner_id = p_practitioner
             AND a.status = 'booked'
             AND lower(a.during) >= p_from - interval '1 day' AND lower(a.during) < p_to
             AND upper(a.during) > p_from);
END
$$;
