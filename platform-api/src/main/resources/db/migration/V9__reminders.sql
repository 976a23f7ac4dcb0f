-- Reminders: a persona may remind ahead of its calls (e.g. an hour before) with a call.reminder event, which
-- reaches the tenant's webhooks through the outbox. A call's remind_at is set when it is booked or moved (from
-- the persona of that moment) and cleared, in the transaction that writes call.reminder, once it is sent.
ALTER TABLE personas ADD COLUMN reminder_minutes_before integer NOT NULL DEFAULT 0
  CHECK (reminder_minutes_before = 0 OR reminder_minutes_before BETWEEN 5 AND 10080);
ALTER TABLE calls ADD COLUMN remind_at timestamptz;
CREATE INDEX calls_remind_at ON calls (remind_at) WHERE remind_at IS NOT NULL;

-- Calls of any tenant whose reminder is due; only this function may look across tenants. Each is then sent in
-- its tenant's transaction, under a row lock, so two instances never both send one.
CREATE FUNCTION parley_due_reminders(p_now timestamptz, p_limit integer)
  RETURNS TABLE (id uuid, tenant_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT c.id, c.tenant_id FROM calls c WHERE c.remind_at <= p_now ORDER BY c.remind_at LIMIT p_limit $$;
REVOKE ALL ON FUNCTION parley_due_reminders(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_due_reminders(timestamptz, integer) TO ${appRole};
