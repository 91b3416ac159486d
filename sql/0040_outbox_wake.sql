-- 0040_outbox_wake.sql: the notifiers are woken when a message becomes due,
-- not on every change of a message's status.
--
-- 0006's statement trigger sent NOTIFY outbox after every INSERT and every
-- UPDATE OF status. Most of those updates are the notifier's own: a claim
-- to 'sending', then 'sent', 'failed' or 'dead'. Each woke the notifiers
-- for nothing, and a transaction that notifies takes one database-wide
-- lock at its commit, so every message sent took that lock twice more and
-- the producers' commits (a booking's, a sign-in code's) queued behind
-- the notifier's. At full scale (tests/perf/appointments.test.mjs, 2000
-- bookings while the notifier sends their confirmations) there were two
-- notifying commits per booking before, and one after; bookings per
-- second did not change beyond the run-to-run noise of the machine.
--
-- Now: any INSERT (a new message is due at once), as before; an UPDATE
-- only for a row it makes due now, 'queued' or 'failed' with
-- next_attempt_at reached (a dead message sent again by staff, a claim
-- given back by a stopping notifier). A message failed with a later
-- next_attempt_at, and a claim whose lease runs out, are found by the
-- notifier's poll, as they always were.

DROP TRIGGER outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION portal_outbox_notify();
CREATE TRIGGER outbox_notify_due AFTER UPDATE OF status ON outbox
  FOR EACH ROW WHEN (NEW.status IN ('queued', 'failed') AND NEW.next_attempt_at <= now())
  EXECUTE FUNCTION portal_outbox_notify();
