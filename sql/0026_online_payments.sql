-- 0026_online_payments.sql - a patient pays online (DESIGN.md section 12):
-- Idempotency-Key claims, the pending payment and its reference, the
-- provider's verified callback settling it, expiry of abandoned checkouts,
-- the receipt, and callbacks refused for a reference nobody knows.
--
-- Every function here but the callback's lookup runs as the caller
-- (portal_app) under the context's row-level security: the patient side
-- sets clinic and patient, the callback sets the clinic its reference
-- leads to.

-- A callback refused before it could be tied to a clinic (a reference
-- nobody issued) is still recorded: the operator's row, no clinic.
ALTER TABLE audit_log ALTER COLUMN clinic_id DROP NOT NULL;

-- ---- Idempotency-Key (the IETF httpapi draft's rules) ----

-- Claims key for the context's patient with the request's hash. Answers
-- 'new' (go ahead: the caller holds the key until its first transaction
-- ends), 'replay' with the stored answer, 'reused' (the key came with
-- another body), or 'in_flight' (the first request is still running). A
-- concurrent claim of the same key waits on the first one's insert, then
-- sees it. A claim left in flight for two minutes (a worker that died
-- between its phases) is taken over.
CREATE FUNCTION portal_idempotency_claim(p_key text, p_hash bytea)
RETURNS TABLE (outcome text, status integer, body text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_patient uuid := portal_current_patient();
  k idempotency_keys%ROWTYPE;
BEGIN
  INSERT INTO idempotency_keys (clinic_id, patient_id, key, request_hash)
  VALUES (v_clinic, v_patient, p_key, p_hash)
  ON CONFLICT (clinic_id, patient_id, key) DO NOTHING;
  IF FOUND THEN
    RETURN QUERY SELECT 'new'::text, NULL::integer, NULL::text;
    RETURN;
  END IF;
  SELECT * INTO k FROM idempotency_keys ik
   WHERE ik.clinic_id = v_clinic AND ik.patient_id = v_patient AND ik.key = p_key
     FOR UPDATE;
  IF k.request_hash <> p_hash THEN
    RETURN QUERY SELECT 'reused'::text, NULL::integer, NULL::text;
  ELSIF k.state = 'done' THEN
    RETURN QUERY SELECT 'replay'::text, k.status, k.body;
  ELSIF k.created_at < now() - interval '2 minutes' THEN
    UPDATE idempotency_keys ik SET created_at = now()
     WHERE ik.clinic_id = v_clinic AND ik.patient_id = v_patient AND ik.key = p_key;
    RETURN QUERY SELECT 'new'::text, NULL::integer, NULL::text;
  ELSE
    RETURN QUERY SELECT 'in_flight'::text, NULL::integer, NULL::text;
  END IF;
END
$$;

-- The answer of the claimed key, kept for replays.
CREATE FUNCTION portal_idempotency_finish(p_key text, p_status integer, p_body text)
RETURNS void
LANGUAGE sql VOLATILE AS $$
  UPDATE idempotency_keys SET state = 'done', status = p_status, body = p_body
   WHERE clinic_id = portal_current_clinic() AND patient_id = portal_current_patient()
     AND key = p_key
$$;

-- Lets the key go (the provider could not be reached: the same key may
-- try again).
CREATE FUNCTION portal_idempotency_forget(p_key text) RETURNS void
LANGUAGE sql VOLATILE AS $$
  DELETE FROM idempotency_keys
   WHERE clinic_id = portal_current_clinic() AND patient_id = portal_current_patient()
     AND key = p_key
$$;

-- ---- the pending payment ----

-- Pending online payments of the context's clinic older than p_older
-- become expired (their checkout was abandoned). Answers how many.
CREATE FUNCTION portal_payments_expire(p_older interval) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
  WITH gone AS (
    UPDATE payments SET status = 'expired', updated_at = now()
     WHERE clinic_id = portal_current_clinic() AND status = 'pending'
       AND created_at < now() - p_older
    RETURNING 1)
  SELECT count(*) FROM gone
$$;

-- The same across clinics, for the operator's housekeeping (portalctl).
CREATE FUNCTION portal_payments_expire_all(p_older interval) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH gone AS (
    UPDATE payments SET status = 'expired', updated_at = now()
     WHERE status = 'pending' AND created_at < now() - p_older
    RETURNING 1)
  SELECT count(*) FROM gone
$$;

-- The context's patient starts paying p_amount online, for invoice
-- p_invoice or toward the balance, through p_provider under reference
-- p_reference. Answers ('ok', id), or a refusal and no row: 'no_invoice'
-- (not one of the patient's invoices), 'invoice_void', 'above_due' (more
-- than the invoice's due), 'above_balance' (more than the balance).
CREATE FUNCTION portal_online_payment_start(p_amount bigint, p_invoice uuid,
  p_provider text, p_reference text)
RETURNS TABLE (outcome text, payment_id uuid)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  v_patient uuid := portal_current_patient();
  f record;
  v_balance bigint;
  v_id uuid;
BEGIN
  PERFORM portal_finance_lock(v_patient);
  IF p_invoice IS NOT NULL THEN
    SELECT i.voided_at, i.due INTO f FROM invoice_figures i
     WHERE i.clinic_id = v_clinic AND i.patient_id = v_patient AND i.id = p_invoice;
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
  ELSE
    SELECT b.balance INTO v_balance FROM portal_patient_balance(v_patient) b;
    IF p_amount > coalesce(v_balance, 0) THEN
      RETURN QUERY SELECT 'above_balance'::text, NULL::uuid;
      RETURN;
    END IF;
  END IF;
  INSERT INTO payments (clinic_id, patient_id, amount, method, status, provider,
                        reference, invoice_id)
  VALUES (v_clinic, v_patient, p_amount, 'online', 'pending', p_provider,
          p_reference, p_invoice)
  RETURNING id INTO v_id;
  INSERT INTO payment_refs (reference, clinic_id, provider)
  VALUES (p_reference, v_clinic, p_provider);
  RETURN QUERY SELECT 'ok'::text, v_id;
END
$$;

-- The checkout began: the provider's own id of it.
CREATE FUNCTION portal_payment_checkout_opened(p_payment uuid, p_provider_reference text)
RETURNS void
LANGUAGE sql VOLATILE AS $$
  UPDATE payments SET provider_reference = p_provider_reference, updated_at = now()
   WHERE clinic_id = portal_current_clinic() AND patient_id = portal_current_patient()
     AND id = p_payment
$$;

-- The checkout could not begin (the provider refused or did not answer):
-- the payment failed, and nothing was taken.
CREATE FUNCTION portal_payment_checkout_failed(p_payment uuid) RETURNS void
LANGUAGE sql VOLATILE AS $$
  UPDATE payments SET status = 'failed', updated_at = now()
   WHERE clinic_id = portal_current_clinic() AND patient_id = portal_current_patient()
     AND id = p_payment AND status = 'pending'
$$;

-- ---- the callback ----

-- The clinic a payment reference leads to, and its provider; read with no
-- clinic in the context (payment_refs holds no patient data).
CREATE FUNCTION portal_payment_ref(p_reference text)
RETURNS TABLE (clinic_id uuid, provider text)
LANGUAGE sql STABLE AS $$
  SELECT r.clinic_id, r.provider FROM payment_refs r WHERE r.reference = p_reference
$$;

-- The receipt of succeeded payment p_payment, queued by the patient's
-- communication choices (the one entry point, portal_outbox_compose()).
-- Answers why it was skipped, or NULL when queued.
CREATE FUNCTION portal_payment_receipt(p_payment uuid, p_base_url text)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  p record;
  v_skipped text;
BEGIN
  SELECT pf.patient_id, pf.amount, pf.currency_code, i.number INTO p
    FROM (SELECT py.*, c.currency AS currency_code FROM payments py
            JOIN clinics c ON c.id = py.clinic_id
           WHERE py.clinic_id = portal_current_clinic() AND py.id = p_payment
             AND py.status = 'succeeded') pf
    LEFT JOIN invoices i ON i.clinic_id = portal_current_clinic() AND i.id = pf.invoice_id;
  IF NOT FOUND THEN
    RETURN 'no_payment';
  END IF;
  SELECT c.skipped INTO v_skipped FROM portal_outbox_compose('payment_receipt',
    p.patient_id, NULL, NULL, NULL,
    jsonb_build_object(
      'amount', jsonb_build_object(
        'tr', portal_money_text(p.amount, p.currency_code, 'tr'),
        'en', portal_money_text(p.amount, p.currency_code, 'en')),
      'invoice_number', coalesce(p.number, '-')),
    p_base_url) c;
  RETURN v_skipped;
END
$$;

-- An amount of minor units as people read it: "1.234,50 TRY" in Turkish,
-- "TRY 1,234.50" in English (two decimals; the currencies a clinic uses
-- here have two).
CREATE FUNCTION portal_money_text(p_amount bigint, p_currency text, p_lang text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_lang = 'en'
    THEN p_currency || ' ' || CASE WHEN p_amount < 0 THEN '-' ELSE '' END ||
         to_char(abs(p_amount) / 100, 'FM999,999,999,999,990') || '.' ||
         lpad((abs(p_amount) % 100)::text, 2, '0')
    ELSE CASE WHEN p_amount < 0 THEN '-' ELSE '' END ||
         replace(to_char(abs(p_amount) / 100, 'FM999,999,999,999,990'), ',', '.') || ',' ||
         lpad((abs(p_amount) % 100)::text, 2, '0') || ' ' || p_currency
  END
$$;

-- Settles the payment of p_reference (the context's clinic) by a verified
-- event of p_provider. Checked first, with no change: 'unknown' (no such
-- payment of this provider), 'currency' (not the payment's), 'amount'
-- (below the payment's; above it only when p_more_ok, PayTR's instalment
-- interest). Then 'repeat' (the event was handled before: nothing
-- changes). Otherwise the event is kept and the outcome is 'succeeded'
-- (the payment succeeded now and was applied; a verified success wins
-- over failed or expired: the money was taken), 'failed' (a pending or
-- expired payment failed), or 'unchanged' (already in that state, or a
-- failure after success).
CREATE FUNCTION portal_payment_settle(p_provider text, p_event_id text, p_reference text,
  p_succeeded boolean, p_amount bigint, p_currency text, p_more_ok boolean)
RETURNS TABLE (outcome text, payment_id uuid, patient_id uuid, before_status text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_clinic uuid := portal_current_clinic();
  p payments%ROWTYPE;
  v_currency text;
BEGIN
  SELECT * INTO p FROM payments py
   WHERE py.clinic_id = v_clinic AND py.reference = p_reference
     AND py.method = 'online' AND py.provider = p_provider
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::uuid, NULL::uuid, NULL::text;
    RETURN;
  END IF;
  SELECT c.currency INTO v_currency FROM clinics c WHERE c.id = v_clinic;
  IF p_currency IS DISTINCT FROM v_currency THEN
    RETURN QUERY SELECT 'currency'::text, p.id, p.patient_id, p.status;
    RETURN;
  END IF;
  IF p_amount < p.amount OR (p_amount > p.amount AND NOT p_more_ok) THEN
    RETURN QUERY SELECT 'amount'::text, p.id, p.patient_id, p.status;
    RETURN;
  END IF;
  INSERT INTO payment_events (provider, event_id, clinic_id, payment_id)
  VALUES (p_provider, p_event_id, v_clinic, p.id)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'repeat'::text, p.id, p.patient_id, p.status;
    RETURN;
  END IF;
  IF p_succeeded AND p.status <> 'succeeded' THEN
    UPDATE payments SET status = 'succeeded', received_at = now(), updated_at = now()
     WHERE clinic_id = v_clinic AND id = p.id;
    PERFORM portal_payment_allocate(p.id);
    RETURN QUERY SELECT 'succeeded'::text, p.id, p.patient_id, p.status;
  ELSIF NOT p_succeeded AND p.status IN ('pending', 'expired') THEN
    UPDATE payments SET status = 'failed', updated_at = now()
     WHERE clinic_id = v_clinic AND id = p.id;
    RETURN QUERY SELECT 'failed'::text, p.id, p.patient_id, p.status;
  ELSE
    RETURN QUERY SELECT 'unchanged'::text, p.id, p.patient_id, p.status;
  END IF;
END
$$;

-- A callback refused before it reached a clinic: one audit row with no
-- clinic (the operator's), what was wrong and nothing of the body.
CREATE FUNCTION portal_callback_rejected_unknown(p_provider text, p_why text,
  p_request_id text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO audit_log (clinic_id, actor_type, action, target_type, target_id, after,
                         request_id)
  VALUES (NULL, 'system', 'payment.callback_rejected', 'payment_callback', p_provider,
          jsonb_build_object('reason', p_why), p_request_id)
$$;

REVOKE ALL ON FUNCTION portal_idempotency_claim(text, bytea),
  portal_idempotency_finish(text, integer, text), portal_idempotency_forget(text),
  portal_payments_expire(interval), portal_payments_expire_all(interval),
  portal_online_payment_start(bigint, uuid, text, text),
  portal_payment_checkout_opened(uuid, text), portal_payment_checkout_failed(uuid),
  portal_payment_ref(text), portal_payment_receipt(uuid, text),
  portal_money_text(bigint, text, text),
  portal_payment_settle(text, text, text, boolean, bigint, text, boolean),
  portal_callback_rejected_unknown(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_idempotency_claim(text, bytea),
  portal_idempotency_finish(text, integer, text), portal_idempotency_forget(text),
  portal_payments_expire(interval),
  portal_online_payment_start(bigint, uuid, text, text),
  portal_payment_checkout_opened(uuid, text), portal_payment_checkout_failed(uuid),
  portal_payment_ref(text), portal_payment_receipt(uuid, text),
  portal_money_text(bigint, text, text),
  portal_payment_settle(text, text, text, boolean, bigint, text, boolean),
  portal_callback_rejected_unknown(text, text, text) TO portal_app;

-- A payment that succeeds online was received then.
GRANT UPDATE (received_at) ON payments TO portal_app;
