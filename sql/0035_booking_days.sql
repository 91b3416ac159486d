-- 0035_booking_days.sql: what the patient's booking screen needs to say
-- the truth (issue 16, DESIGN.md section 10 "Additions"):
--
-- * portal_free_slots_of(): the free slots of one practitioner, or, with
--   p_practitioner NULL, of every active practitioner ("any
--   practitioner": the first free slot across them), each slot naming its
--   practitioner; the same rules as portal_free_slots() (sql/0017), which
--   it calls once per practitioner.
-- * portal_booking_days(): for each day from p_from to p_to, whether the
--   clinic is open that day for that practitioner (or for any active
--   one): some working hours that time off (the practitioner's or the
--   whole clinic's) does not cover entirely. The app says "closed" for a
--   day that is not open, and "full" only for an open day without a free
--   slot.

CREATE FUNCTION portal_free_slots_of(p_practitioner uuid, p_type uuid,
  p_from date, p_to date)
RETURNS TABLE (slot_start text, slot_end text, practitioner_id uuid)
LANGUAGE sql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
  SELECT s.slot_start, s.slot_end, p.id
    FROM practitioners p
    CROSS JOIN LATERAL portal_free_slots(p.id, p_type, p_from, p_to) s
   WHERE p.clinic_id = portal_current_clinic() AND p.active
     AND (p_practitioner IS NULL OR p.id = p_practitioner)
   ORDER BY s.slot_start::timestamptz, p.name, p.id
$$;
GRANT EXECUTE ON FUNCTION portal_free_slots_of(uuid, uuid, date, date) TO portal_app;

CREATE FUNCTION portal_booking_days(p_practitioner uuid, p_from date, p_to date)
RETURNS TABLE (day text, open boolean)
LANGUAGE sql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
  WITH c AS (
    SELECT id, time_zone FROM clinics WHERE id = portal_current_clinic()
  ), win AS (
    SELECT d::date AS day, h.practitioner_id,
           tstzrange((d::date + h.start_time) AT TIME ZONE c.time_zone,
                     (d::date + h.end_time) AT TIME ZONE c.time_zone) AS r
      FROM c
      CROSS JOIN generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS d
      JOIN working_hours h ON h.clinic_id = c.id AND h.weekday = extract(isodow FROM d)
       AND (p_practitioner IS NULL OR h.practitioner_id = p_practitioner)
      JOIN practitioners p ON p.clinic_id = c.id AND p.id = h.practitioner_id AND p.active
  )
  SELECT to_char(d::date, 'YYYY-MM-DD'),
         EXISTS (
           SELECT 1 FROM win
            WHERE win.day = d::date
              AND NOT isempty(tstzmultirange(win.r) - coalesce(
                (SELECT range_agg(o.during) FROM time_off o
                  WHERE o.clinic_id = portal_current_clinic()
                    AND (o.practitioner_id IS NULL OR o.practitioner_id = win.practitioner_id)
                    AND o.during && win.r),
                '{}'::tstzmultirange)))
    FROM generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS d
   ORDER BY 1
$$;
GRANT EXECUTE ON FUNCTION portal_booking_days(uuid, date, date) TO portal_app;
