-- 0025_finance.sql: invoices, payments, refunds and what the online flow
-- needs (issue 12, DESIGN.md section 12).
--
-- Money is bigint minor units in the clinic's currency (clinics.currency;
-- it cannot change once the clinic has an invoice or a payment, so the
-- rows do not carry it again). What can be derived is derived here, never
-- stored twice:
-- * a line's subtotal, tax (round half up of quantity x unit_price x
--   tax_rate_bp / 10000) and total are generated columns of its own
--   figures;
-- * an invoice's totals are the sums of its lines; what is paid on it is
--   the sum of its allocations (a refund adds negative ones); its due,
--   status and overdue come from those (invoice_figures);
-- * a payment's refunded part is the sum of its refunds, its credit what
--   neither a refund nor an allocation took;
-- * a patient's balance is invoiced (not void) - paid + refunded
--   (portal_patient_balance()).
--
-- Allocation: a succeeded payment applies to its invoice, or without one
-- to the oldest unpaid invoices first; what is left is credit, which a
-- later invoice takes when it is created (oldest payment first). A refund
-- takes the payment's credit first, then reverses its allocations, newest
-- first. Every function that moves money between a patient's invoices and
-- payments holds that patient's transaction-level advisory lock, so two
-- requests cannot allocate the same money twice.
--
-- Invoice numbers are gapless per clinic and year: <prefix><YYYY><9
-- digits>, the prefix the clinic's invoice_prefix (0020, default INV). The
-- counter row of (clinic, year) is taken with INSERT ... ON CONFLICT DO
-- UPDATE, which holds its lock until the transaction ends: a rolled-back
-- creation gives its number back.

CREATE TABLE invoice_counters (
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  year integer NOT NULL CHECK (year BETWEEN 1900 AND 2999),
  last_number bigint NOT NULL CHECK (last_number BETWEEN 1 AND 999999999),
  PRIMARY KEY (clinic_id, year)
);

CREATE TABLE invoices (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  number text NOT NULL CHECK (number ~ '^[A-Z0-9][A-Z0-9-]{0,9}[0-9]{13}$'),
  issued_on date NOT NULL CHECK (issued_on BETWEEN '1900-01-01' AND '2999-12-31'),
  due_on date CHECK (due_on BETWEEN issued_on AND '2999-12-31'),
  note text CHECK (length(note) BETWEEN 1 AND 2000),
  voided_at timestamptz,
  void_reason text CHECK (length(void_reason) BETWEEN 1 AND 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((voided_at IS NULL) = (void_reason IS NULL)),
  UNIQUE (clinic_id, id),
  UNIQUE (clinic_id, number),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX invoices_clinic ON invoices (clinic_id, created_at DESC, id DESC);
CREATE INDEX invoices_patient ON invoices (clinic_id, patient_id, created_at DESC, id DESC);
-- The unpaid candidates of allocation and the overdue ones.
CREATE INDEX invoices_open ON invoices (clinic_id, patient_id, issued_on, created_at, id)
  WHERE voided_at IS NULL;

CREATE TABLE invoice_lines (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  invoice_id uuid NOT NULL,
  position smallint NOT NULL CHECK (position BETWEEN 0 AND 99),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
  unit_price bigint NOT NULL CHECK (unit_price BETWEEN 0 AND 100000000000),
  tax_rate_bp integer NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
  subtotal bigint GENERATED ALWAYS AS (quantity::bigint * unit_price) STORED,
  -- numeric: quantity x unit_price x tax_rate_bp reaches 1e19, past bigint;
  -- round() of a positive numeric rounds half up.
  tax bigint GENERATED ALWAYS AS
    (round(quantity::numeric * unit_price * tax_rate_bp / 10000)::bigint) STORED,
  total bigint GENERATED ALWAYS AS
    (quantity::bigint * unit_price
     + round(quantity::numeric * unit_price * tax_rate_bp / 10000)::bigint) STORED,
  UNIQUE (invoice_id, position),
  FOREIGN KEY (clinic_id, invoice_id) REFERENCES invoices (clinic_id, id) ON DELETE CASCADE
);

CREATE TABLE payments (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),
  method text NOT NULL CHECK (method IN ('cash', 'card', 'transfer', 'online')),
  status text NOT NULL DEFAULT 'succeeded'
    CHECK (status IN ('pending', 'succeeded', 'failed', 'expired')),
  provider text CHECK (length(provider) BETWEEN 1 AND 40),
  provider_reference text CHECK (length(provider_reference) BETWEEN 1 AND 200),
  -- Set for online payments: the provider's merchant_oid (PayTR wants
  -- letters and digits only); payment_refs leads a callback to the clinic.
  reference text UNIQUE CHECK (reference ~ '^[A-Za-z0-9]{1,64}$'),
  invoice_id uuid,
  received_at timestamptz NOT NULL DEFAULT now(),
  note text CHECK (length(note) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Staff record money already taken; only an online payment waits.
  CHECK (method = 'online' OR (status = 'succeeded' AND provider IS NULL
                               AND reference IS NULL)),
  CHECK (method <> 'online' OR (provider IS NOT NULL AND reference IS NOT NULL)),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, invoice_id) REFERENCES invoices (clinic_id, id)
);
CREATE INDEX payments_clinic ON payments (clinic_id, created_at DESC, id DESC);
CREATE INDEX payments_patient ON payments (clinic_id, patient_id, created_at DESC, id DESC);
CREATE INDEX payments_pending ON payments (created_at) WHERE status = 'pending';

CREATE TABLE refunds (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  payment_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, payment_id) REFERENCES payments (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX refunds_payment ON refunds (clinic_id, payment_id, created_at);

-- Money of a payment applied to an invoice (amount > 0), or taken back
-- from it by a refund (amount < 0, refund_id set). Rows are only added.
CREATE TABLE payment_allocations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL,
  payment_id uuid NOT NULL,
  invoice_id uuid NOT NULL,
  refund_id uuid,
  amount bigint NOT NULL CHECK (amount <> 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((refund_id IS NULL) = (amount > 0)),
  FOREIGN KEY (clinic_id, payment_id) REFERENCES payments (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, invoice_id) REFERENCES invoices (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, refund_id) REFERENCES refunds (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX payment_allocations_invoice ON payment_allocations (clinic_id, invoice_id);
CREATE INDEX payment_allocations_payment ON payment_allocations (clinic_id, payment_id, id);

-- For the online flow. The provider's credentials, sealed (libsodium
-- secretbox, nonce first) with the server's payment_key; write-only.
ALTER TABLE payment_infrastructure ADD COLUMN credentials bytea;

-- A callback names the provider only; its payment reference leads to the
-- clinic through this table, which holds no patient data and so is read
-- across clinics (like portal_codes).
CREATE TABLE payment_refs (
  reference text PRIMARY KEY CHECK (reference ~ '^[A-Za-z0-9]{1,64}$'),
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 40)
);

-- Idempotency-Key of a patient's POST payments (the IETF httpapi draft):
-- the request's hash, and once done the answer to replay. Kept at least
-- 24 hours (portal_idempotency_purge()).
CREATE TABLE idempotency_keys (
  clinic_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  key text NOT NULL CHECK (key ~ '^[\x21-\x7e]{1,255}$'),
  request_hash bytea NOT NULL,
  state text NOT NULL DEFAULT 'in_flight' CHECK (state IN ('in_flight', 'done')),
  status integer CHECK (status BETWEEN 100 AND 599),
  body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (clinic_id, patient_id, key),
  CHECK (state = 'in_flight' OR status IS NOT NULL),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

-- Provider events already handled, so that a repeat has no second effect.
CREATE TABLE payment_events (
  provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 40),
  event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
  clinic_id uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
  payment_id uuid,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id),
  FOREIGN KEY (clinic_id, payment_id) REFERENCES payments (clinic_id, id) ON DELETE CASCADE
);

ALTER TABLE invoice_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE refunds ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_allocations ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_refs ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON invoice_counters USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON invoices USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON invoice_lines USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON payments USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON refunds USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON payment_allocations USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON idempotency_keys USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON payment_events USING (clinic_id = portal_current_clinic());
CREATE POLICY anyone_reads ON payment_refs FOR SELECT USING (true);
CREATE POLICY clinic_writes ON payment_refs FOR INSERT
  WITH CHECK (clinic_id = portal_current_clinic());

GRANT SELECT, INSERT, UPDATE ON invoice_counters TO portal_app;
GRANT SELECT, INSERT ON invoice_lines, refunds, payment_allocations, payment_refs,
  payment_events TO portal_app;
GRANT SELECT, INSERT ON invoices TO portal_app;
GRANT UPDATE (voided_at, void_reason) ON invoices TO portal_app;
GRANT SELECT, INSERT ON payments TO portal_app;
GRANT UPDATE (status, provider_reference, updated_at) ON payments TO portal_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO portal_app;
GRANT UPDATE (credentials) ON payment_infrastructure TO portal_app;

-- Every invoice with its figures. security_invoker: the caller's
-- row-level security applies, not the view owner's.
CREATE VIEW invoice_figures WITH (security_invoker = true) AS
  SELECT i.id, i.clinic_id, i.patient_id, i.number, i.issued_on, i.due_on, i.note,
         i.voided_at, i.void_reason, i.created_at,
         l.subtotal, l.tax_total, l.total, a.paid,
         CASE WHEN i.voided_at IS NOT NULL THEN 0 ELSE l.total - a.paid END AS due,
         CASE WHEN i.voided_at IS NOT NULL THEN 'void'
              WHEN a.paid >= l.total THEN 'paid'
              WHEN a.paid > 0 THEN 'partially_paid'
              ELSE 'open' END AS status,
         (i.voided_at IS NULL AND a.paid < l.total AND i.due_on IS NOT NULL
          AND i.due_on < (now() AT TIME ZONE c.time_zone)::date) AS overdue
    FROM invoices i
    JOIN clinics c ON c.id = i.clinic_id
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(il.subtotal), 0)::bigint AS subtotal,
             coalesce(sum(il.tax), 0)::bigint AS tax_total,
             coalesce(sum(il.total), 0)::bigint AS total
        FROM invoice_lines il
       WHERE il.clinic_id = i.clinic_id AND il.invoice_id = i.id) l
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(pa.amount), 0)::bigint AS paid
        FROM payment_allocations pa
       WHERE pa.clinic_id = i.clinic_id AND pa.invoice_id = i.id) a;

-- Every payment with what was refunded and what is left as credit.
CREATE VIEW payment_figures WITH (security_invoker = true) AS
  SELECT p.*, r.refunded,
         CASE WHEN p.status = 'succeeded'
              THEN p.amount - r.refunded - a.allocated ELSE 0 END AS credit
    FROM payments p
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(rf.amount), 0)::bigint AS refunded
        FROM refunds rf WHERE rf.clinic_id = p.clinic_id AND rf.payment_id = p.id) r
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(pa.amount), 0)::bigint AS allocated
        FROM payment_allocations pa
       WHERE pa.clinic_id = p.clinic_id AND pa.payment_id = p.id) a;

GRANT SELECT ON invoice_figures, payment_figures TO portal_app;

-- The balance of patient p_patient of the context's clinic: invoiced (not
-- void) - paid + refunded, and the sum of the overdue invoices' due.
CREATE FUNCTION portal_patient_balance(p_patient uuid)
RETURNS TABLE (balance bigint, overdue bigint)
LANGUAGE sql STABLE AS $$
  SELECT (SELECT coalesce(sum(f.total), 0) FROM invoice_figures f
           WHERE f.clinic_id = portal_current_clinic() AND f.patient_id = p_patient
             AND f.voided_at IS NULL)
       - (SELECT coalesce(sum(p.amount), 0) FROM payments p
           WHERE p.clinic_id = portal_current_clinic() AND p.patient_id = p_patient
             AND p.status = 'succeeded')
       + (SELECT coalesce(sum(r.amount), 0) FROM refunds r JOIN payments p
              ON p.clinic_id = r.clinic_id AND p.id = r.payment_id
           WHERE r.clinic_id = portal_current_clinic() AND p.patient_id = p_patient),
         (SELECT coalesce(sum(f.due), 0) FROM invoice_figures f
           WHERE f.clinic_id = portal_current_clinic() AND f.patient_id = p_patient
             AND f.overdue)::bigint
$$;

-- Serializes the money of one patient for the rest of the transaction.
CREATE FUNCTION portal_finance_lock(p_patient uuid) RETURNS void
LANGUAGE sql VOLATILE AS $$
  SELECT pg_advisory_xact_lock(hashtextextended('finance:' || p_patient::text, 0))
$$;

-- Applies the credit of the patient's succeeded payments (oldest first) to
-- invoice p_invoice, as far as its due goes. Holds the patient's lock.
CREATE FUNCTION portal_invoice_take_credit(p_patient uuid, p_invoice uuid) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_due bigint;
  v_take bigint;
  r record;
BEGIN
  PERFORM portal_finance_lock(p_patient);
  SELECT f.due INTO v_due FROM invoice_figures f
   WHERE f.clinic_id = v_clinic AND f.id = p_invoice;
  FOR r IN SELECT pf.id, pf.credit FROM payment_figures pf
            WHERE pf.clinic_id = v_clinic AND pf.patient_id = p_patient
              AND pf.status = 'succeeded' AND pf.credit > 0
            ORDER BY pf.received_at, pf.created_at, pf.id LOOP
    EXIT WHEN v_due IS NULL OR v_due <= 0;
    v_take := least(v_due, r.credit);
    INSERT INTO payment_allocations (clinic_id, payment_id, invoice_id, amount)
    VALUES (v_clinic, r.id, p_invoice, v_take);
    v_due := v_due - v_take;
  END LOOP;
END
$$;

-- Creates an invoice of patient p_patient with the lines p_lines (a JSON
-- array of {description, quantity, unit_price, tax_rate_bp}), issued on
-- p_issued_on (NULL: today in the clinic's zone), numbered next in the
-- issue year, and applies the patient's credit to it. Answers its id.
-- The clinic row is shared-locked, so that its currency cannot change
-- under a new invoice (the profile's save locks it for update).
CREATE FUNCTION portal_invoice_create(p_patient uuid, p_issued_on date, p_due_on date,
  p_lines jsonb, p_note text) RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_prefix text;
  v_zone text;
  v_issued date;
  v_n bigint;
  v_id uuid;
BEGIN
  SELECT c.invoice_prefix, c.time_zone INTO v_prefix, v_zone
    FROM clinics c WHERE c.id = v_clinic FOR SHARE;
  IF v_prefix IS NULL THEN
    RAISE EXCEPTION 'no clinic in the context' USING ERRCODE = '42501';
  END IF;
  v_issued := coalesce(p_issued_on, (now() AT TIME ZONE v_zone)::date);
  PERFORM portal_finance_lock(p_patient);
  INSERT INTO invoice_counters AS ic (clinic_id, year, last_number)
  VALUES (v_clinic, extract(year FROM v_issued)::integer, 1)
  ON CONFLICT (clinic_id, year) DO UPDATE SET last_number = ic.last_number + 1
  RETURNING ic.last_number INTO v_n;
  INSERT INTO invoices (clinic_id, patient_id, number, issued_on, due_on, note)
  VALUES (v_clinic, p_patient, v_prefix || to_char(v_issued, 'YYYY') || lpad(v_n::text, 9, '0'),
          v_issued, p_due_on, p_note)
  RETURNING id INTO v_id;
  INSERT INTO invoice_lines (clinic_id, invoice_id, position, description, quantity,
                             unit_price, tax_rate_bp)
  SELECT v_clinic, v_id, e.ord - 1, e.v->>'description', (e.v->>'quantity')::integer,
         (e.v->>'unit_price')::bigint, (e.v->>'tax_rate_bp')::integer
    FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS e (v, ord);
  PERFORM portal_invoice_take_credit(p_patient, v_id);
  RETURN v_id;
END
$$;

-- Applies what is left of succeeded payment p_payment: to its invoice when
-- it names one (what that does not take stays credit), otherwise to the
-- patient's oldest unpaid invoices first. Nothing for a payment that has
-- not succeeded. The online flow calls it when a payment succeeds.
CREATE FUNCTION portal_payment_allocate(p_payment uuid) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  p record;
  v_left bigint;
  v_take bigint;
  r record;
BEGIN
  SELECT pf.patient_id, pf.invoice_id, pf.status INTO p
    FROM payment_figures pf WHERE pf.clinic_id = v_clinic AND pf.id = p_payment;
  IF p.status IS DISTINCT FROM 'succeeded' THEN
    RETURN;
  END IF;
  PERFORM portal_finance_lock(p.patient_id);
  SELECT pf.credit INTO v_left FROM payment_figures pf
   WHERE pf.clinic_id = v_clinic AND pf.id = p_payment;
  FOR r IN SELECT f.id, f.due FROM invoice_figures f
            WHERE f.clinic_id = v_clinic AND f.patient_id = p.patient_id
              AND f.voided_at IS NULL AND f.due > 0
              AND (p.invoice_id IS NULL OR f.id = p.invoice_id)
            ORDER BY f.issued_on, f.created_at, f.id LOOP
    EXIT WHEN v_left <= 0;
    v_take := least(v_left, r.due);
    INSERT INTO payment_allocations (clinic_id, payment_id, invoice_id, amount)
    VALUES (v_clinic, p_payment, r.id, v_take);
    v_left := v_left - v_take;
  END LOOP;
END
$$;

-- Staff record a payment already taken (cash, card, transfer) and apply
-- it. Answers ('ok', id), or a refusal and no row: 'no_invoice' (not one
-- of the patient's invoices), 'invoice_void', 'above_due' (more than the
-- invoice's due).
CREATE FUNCTION portal_payment_record(p_patient uuid, p_amount bigint, p_method text,
  p_invoice uuid, p_received_at timestamptz, p_note text)
RETURNS TABLE (outcome text, payment_id uuid)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  f record;
  v_id uuid;
BEGIN
  PERFORM 1 FROM clinics c WHERE c.id = v_clinic FOR SHARE;
  PERFORM portal_finance_lock(p_patient);
  IF p_invoice IS NOT NULL THEN
    SELECT inv.voided_at, inv.due INTO f FROM invoice_figures inv
     WHERE inv.clinic_id = v_clinic AND inv.id = p_invoice AND inv.patient_id = p_patient;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'no_invoice'::text, NULL::uuid;
      RETURN;
    ELSIF f.voided_at IS NOT NULL THEN
      RETURN QUERY SELECT 'invoice_void'::text, NULL::uuid;
      RETURN;
    ELSIF p_amount > f.due THEN
      RETURN QUERY SELECT 'above_due'::text, NULL::uuid;
      RETURN;
    END IF;
  END IF;
  INSERT INTO payments (clinic_id, patient_id, amount, method, status, invoice_id,
                        received_at, note)
  VALUES (v_clinic, p_patient, p_amount, p_method, 'succeeded', p_invoice,
          coalesce(p_received_at, now()), p_note)
  RETURNING id INTO v_id;
  PERFORM portal_payment_allocate(v_id);
  RETURN QUERY SELECT 'ok'::text, v_id;
END
$$;

-- Refunds p_amount of payment p_payment: answers ('ok', refund id), or
-- 'not_succeeded', 'above_paid' (more than is left paid) and no row. The
-- refund takes the payment's credit first, then reverses its allocations,
-- the newest first.
CREATE FUNCTION portal_payment_refund(p_payment uuid, p_amount bigint, p_reason text)
RETURNS TABLE (outcome text, refund_id uuid)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  p record;
  v_rest bigint;
  v_take bigint;
  v_id uuid;
  r record;
BEGIN
  SELECT pf.patient_id INTO p FROM payments pf
   WHERE pf.clinic_id = v_clinic AND pf.id = p_payment;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such payment' USING ERRCODE = 'P0002';
  END IF;
  PERFORM portal_finance_lock(p.patient_id);
  SELECT pf.status, pf.amount - pf.refunded AS left_paid, pf.credit INTO p
    FROM payment_figures pf WHERE pf.clinic_id = v_clinic AND pf.id = p_payment;
  IF p.status <> 'succeeded' THEN
    RETURN QUERY SELECT 'not_succeeded'::text, NULL::uuid;
    RETURN;
  ELSIF p_amount > p.left_paid THEN
    RETURN QUERY SELECT 'above_paid'::text, NULL::uuid;
    RETURN;
  END IF;
  INSERT INTO refunds (clinic_id, payment_id, amount, reason)
  VALUES (v_clinic, p_payment, p_amount, p_reason) RETURNING id INTO v_id;
  v_rest := p_amount - least(p_amount, greatest(p.credit, 0));
  FOR r IN SELECT pa.invoice_id, sum(pa.amount) AS net,
                  max(pa.id) FILTER (WHERE pa.amount > 0) AS newest
             FROM payment_allocations pa
            WHERE pa.clinic_id = v_clinic AND pa.payment_id = p_payment
            GROUP BY pa.invoice_id HAVING sum(pa.amount) > 0
            ORDER BY newest DESC LOOP
    EXIT WHEN v_rest <= 0;
    v_take := least(v_rest, r.net);
    INSERT INTO payment_allocations (clinic_id, payment_id, invoice_id, refund_id, amount)
    VALUES (v_clinic, p_payment, r.invoice_id, v_id, -v_take);
    v_rest := v_rest - v_take;
  END LOOP;
  RETURN QUERY SELECT 'ok'::text, v_id;
END
$$;

-- Voids invoice p_invoice: 'ok', or 'void' (already) or 'paid' (something
-- is left paid on it) and no change.
CREATE FUNCTION portal_invoice_void(p_invoice uuid, p_reason text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_patient uuid;
  f record;
BEGIN
  SELECT i.patient_id INTO v_patient FROM invoices i
   WHERE i.clinic_id = v_clinic AND i.id = p_invoice;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such invoice' USING ERRCODE = 'P0002';
  END IF;
  PERFORM portal_finance_lock(v_patient);
  SELECT inv.voided_at, inv.paid INTO f FROM invoice_figures inv
   WHERE inv.clinic_id = v_clinic AND inv.id = p_invoice;
  IF f.voided_at IS NOT NULL THEN
    RETURN 'void';
  ELSIF f.paid > 0 THEN
    RETURN 'paid';
  END IF;
  UPDATE invoices SET voided_at = now(), void_reason = p_reason
   WHERE clinic_id = v_clinic AND id = p_invoice;
  RETURN 'ok';
END
$$;

-- Whether the context's clinic has any invoice or payment: its currency
-- is then fixed.
CREATE FUNCTION portal_clinic_has_money() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM invoices WHERE clinic_id = portal_current_clinic())
      OR EXISTS (SELECT 1 FROM payments WHERE clinic_id = portal_current_clinic())
$$;

-- The schema's own wall behind the API's 409: a currency change of a
-- clinic with money refused (check_violation).
CREATE FUNCTION portal_clinic_currency_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM invoices WHERE clinic_id = NEW.id)
     OR EXISTS (SELECT 1 FROM payments WHERE clinic_id = NEW.id) THEN
    RAISE EXCEPTION 'the currency of a clinic with invoices or payments is fixed'
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER clinics_currency_fixed BEFORE UPDATE OF currency ON clinics
  FOR EACH ROW WHEN (OLD.currency IS DISTINCT FROM NEW.currency)
  EXECUTE FUNCTION portal_clinic_currency_fixed();

-- Forgets Idempotency-Keys older than p_keep, never younger than 24 hours,
-- across clinics (a housekeeping job; no clinic in the context). Answers
-- how many went.
CREATE FUNCTION portal_idempotency_purge(p_keep interval DEFAULT interval '24 hours')
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH gone AS (DELETE FROM idempotency_keys
                 WHERE created_at < now() - greatest(p_keep, interval '24 hours')
                RETURNING 1)
  SELECT count(*) FROM gone
$$;

REVOKE ALL ON FUNCTION portal_patient_balance(uuid), portal_finance_lock(uuid),
  portal_invoice_take_credit(uuid, uuid),
  portal_invoice_create(uuid, date, date, jsonb, text), portal_payment_allocate(uuid),
  portal_payment_record(uuid, bigint, text, uuid, timestamptz, text),
  portal_payment_refund(uuid, bigint, text), portal_invoice_void(uuid, text),
  portal_clinic_has_money(), portal_idempotency_purge(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_patient_balance(uuid), portal_finance_lock(uuid),
  portal_invoice_take_credit(uuid, uuid),
  portal_invoice_create(uuid, date, date, jsonb, text), portal_payment_allocate(uuid),
  portal_payment_record(uuid, bigint, text, uuid, timestamptz, text),
  portal_payment_refund(uuid, bigint, text), portal_invoice_void(uuid, text),
  portal_clinic_has_money(), portal_idempotency_purge(interval) TO portal_app;

-- The receipt of a succeeded payment, by the patient's communication
-- choices; a clinic may write its own templates of the purpose.
INSERT INTO message_purposes (purpose, secret, fallback_tr_subject, fallback_tr_body,
                              fallback_en_subject, fallback_en_body) VALUES
  ('payment_receipt', false,
   '{{clinic_name}} ödeme makbuzu',
   E'Merhaba {{patient_first_name}},\n\n{{clinic_name}} ödemenizi aldı: {{amount}}. ' ||
   E'Fatura: {{invoice_number}}.\n\nTeşekkür ederiz.',
   '{{clinic_name}} payment receipt',
   E'Hello {{patient_first_name}},\n\n{{clinic_name}} has received your payment of {{amount}}. ' ||
   E'Invoice: {{invoice_number}}.\n\nThank you.')
ON CONFLICT (purpose) DO NOTHING;
