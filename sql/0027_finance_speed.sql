-- 0027_finance_speed.sql: what the finance benchmark (tests/perf/finance.test.mjs)
-- measured as missing (issue 12). No answer changes; 0025's views and
-- functions stay as they are.
--
-- * The clinic-wide invoice list, overdue first: an invoice can only be
--   overdue when it is not void and its due date has passed, so the list
--   walks the clinic's unvoided invoices newest first through this index
--   (due_on in it: the ones not yet due are passed over without reading
--   the table) and computes the figures of the candidates only, instead
--   of the figures of every invoice of the clinic and a sort of them all.
CREATE INDEX invoices_unvoided ON invoices (clinic_id, created_at DESC, id DESC, due_on)
  WHERE voided_at IS NULL;

-- * The foreign keys that pointed at a table without an index to check
--   them: deleting an invoice (a patient's deletion cascades to them) read
--   every payment of the database once per invoice, and deleting a
--   refund every allocation.
CREATE INDEX payments_invoice ON payments (clinic_id, invoice_id)
  WHERE invoice_id IS NOT NULL;
CREATE INDEX payment_allocations_refund ON payment_allocations (clinic_id, refund_id)
  WHERE refund_id IS NOT NULL;

-- * A patient's balance read the patient's invoice figures twice (the
--   invoiced sum and the overdue sum); once is enough. The same answer.
CREATE OR REPLACE FUNCTION portal_patient_balance(p_patient uuid)
RETURNS TABLE (balance bigint, overdue bigint)
LANGUAGE sql STABLE AS $$
  SELECT f.invoiced
       - (SELECT coalesce(sum(p.amount), 0) FROM payments p
           WHERE p.clinic_id = portal_current_clinic() AND p.patient_id = p_patient
             AND p.status = 'succeeded')
       + (SELECT coalesce(sum(r.amount), 0) FROM refunds r JOIN payments p
              ON p.clinic_id = r.clinic_id AND p.id = r.payment_id
           WHERE r.clinic_id = portal_current_clinic() AND p.patient_id = p_patient),
         f.overdue::bigint
    FROM (SELECT coalesce(sum(f.total) FILTER (WHERE f.voided_at IS NULL), 0) AS invoiced,
                 coalesce(sum(f.due) FILTER (WHERE f.overdue), 0) AS overdue
            FROM invoice_figures f
           WHERE f.clinic_id = portal_current_clinic() AND f.patient_id = p_patient) f
$$;
