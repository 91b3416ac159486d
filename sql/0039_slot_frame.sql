-- 0039_slot_frame.sql: free slots stepped in C (slots_compute(),
-- src/portal/slots.c) over what one statement reads, instead of in SQL.
--
-- GET appointments/slots (7 days) served 0.16 of the fcgi ceiling at full
-- scale after 0038. Its database time was the free-slot function
-- (0.47 ms a call for one day, 0.85 ms for seven: every candidate slot
-- a row, tested against the bookings and the time off and formatted with
-- portal_iso(), 0.2 ms of it) and the closed-or-full days, which built
-- the same working hours again (0.36 ms). portal_slot_frame() answers the
-- few intervals those are made of, and C steps through them:
--   'window'  one working window of a practitioner on a day of the range
--             (day: the date, in the clinic's zone), as it always was:
--             the day's date plus the wall-clock hours AT TIME ZONE the
--             clinic's, so the hours stay on the clock across daylight
--             saving;
--   'booked'  the practitioner's booked time in the range
--             (portal_booked_ranges(), merged);
--   'off'     time off in the range, of the practitioner or, rank 0, of
--             the whole clinic, cut to the range.
-- rank numbers the active practitioners (the one asked for, or all) by
-- name and id: the order of slots that start together. lo and hi are
-- microseconds since 1970 (a range's lower bound is in it, its upper bound
-- is not). A plain SQL function of one query, inlined into the caller's
-- prepared statement.

CREATE FUNCTION portal_slot_frame(p_practitioner uuid, p_from date, p_to date)
RETURNS TABLE (kind text, rank integer, practitioner_id uuid, day text, lo bigint, hi bigint)
LANGUAGE sql STABLE AS $$
  WITH c AS (
    SELECT time_zone AS tz FROM clinics WHERE id = portal_current_clinic()
  ), pr AS (
    SELECT p.id, (row_number() OVER (ORDER BY p.name, p.id))::integer AS rank
      FROM practitioners p
     WHERE p.clinic_id = portal_current_clinic() AND p.active
       AND (p_practitioner IS NULL OR p.id = p_practitioner)
  ), span AS (
    SELECT p_from::timestamp AT TIME ZONE c.tz AS lo,
           (p_to + 1)::timestamp AT TIME ZONE c.tz AS hi
      FROM c
  )
  SELECT 'window', pr.rank, pr.id, to_char(d, 'YYYY-MM-DD'),
         (extract(epoch FROM (d::date + h.start_time) AT TIME ZONE c.tz) * 1000000)::bigint,
         (extract(epoch FROM (d::date + h.end_time) AT TIME ZONE c.tz) * 1000000)::bigint
    FROM c
    CROSS JOIN generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS d
    JOIN working_hours h ON h.clinic_id = portal_current_clinic()
     AND h.weekday = extract(isodow FROM d)
    JOIN pr ON pr.id = h.practitioner_id
  UNION ALL
  SELECT 'booked', pr.rank, pr.id, NULL,
         (extract(epoch FROM lower(b)) * 1000000)::bigint,
         (extract(epoch FROM upper(b)) * 1000000)::bigint
    FROM pr CROSS JOIN span
    CROSS JOIN LATERAL unnest(portal_booked_ranges(pr.id, span.lo, span.hi)) AS b
  UNION ALL
  SELECT 'off', coalesce(pr.rank, 0), o.practitioner_id, NULL,
         (extract(epoch FROM greatest(lower(o.during), span.lo)) * 1000000)::bigint,
         (extract(epoch FROM least(upper(o.during), span.hi)) * 1000000)::bigint
    FROM span CROSS JOIN time_off o
    LEFT JOIN pr ON pr.id = o.practitioner_id
   WHERE o.clinic_id = portal_current_clinic() AND o.during && tstzrange(span.lo, span.hi)
     AND (o.practitioner_id IS NULL OR pr.id IS NOT NULL)
$$;
GRANT EXECUTE ON FUNCTION portal_slot_frame(uuid, date, date) TO portal_app;

-- What the frame replaces.
DROP FUNCTION portal_free_slots_of(uuid, uuid, date, date);
DROP FUNCTION portal_free_slots(uuid, uuid, date, date);
DROP FUNCTION portal_booking_days(uuid, date, date);
