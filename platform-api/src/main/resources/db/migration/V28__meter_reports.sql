-- What each call's billable minutes were reported to Stripe as: one meter event per call, under an identifier of its
-- own, so that sending it again (a retry, a reporter killed between sending and noting it) never bills twice: Stripe
-- keeps one event per identifier. Written before the event is sent; sent_at once Stripe has it.
CREATE TABLE meter_reports (
  tenant_id   uuid NOT NULL,
  call_id     uuid NOT NULL,
  mode        text NOT NULL CHECK (mode IN ('test', 'live')),
  identifier  text NOT NULL UNIQUE CHECK (char_length(identifier) <= 100),
  customer_id text NOT NULL CHECK (char_length(customer_id) <= 255),
  minutes     bigint NOT NULL CHECK (minutes >= 0),
  created_at  timestamptz NOT NULL,
  sent_at     timestamptz,
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text CHECK (char_length(last_error) <= 500),
  PRIMARY KEY (tenant_id, call_id),
  FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id)
);
CREATE INDEX meter_reports_unsent ON meter_reports (created_at) WHERE sent_at IS NULL;
ALTER TABLE meter_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE meter_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON meter_reports
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE ON meter_reports TO ${appRole};

-- The reporter's work, across tenants (each piece is then done in its tenant's transaction): calls that ended before
-- p_ended_before with usage recorded, of a tenant with a Stripe customer in the call's mode, not yet reported; and
-- reports not yet sent.
CREATE FUNCTION parley_meter_work(p_ended_before timestamptz, p_limit integer)
  RETURNS TABLE (tenant_id uuid, call_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    (SELECT DISTINCT u.tenant_id, u.call_id FROM usage_ledger u
       JOIN calls c ON c.tenant_id = u.tenant_id AND c.id = u.call_id
       JOIN billing_accounts b ON b.tenant_id = u.tenant_id AND b.mode = u.mode AND b.stripe_customer_id IS NOT NULL
      WHERE c.status NOT IN ('scheduled', 'dialing', 'ringing', 'in_progress') AND c.updated_at < p_ended_before
        AND NOT EXISTS (SELECT 1 FROM meter_reports m WHERE m.tenant_id = u.tenant_id AND m.call_id = u.call_id)
      LIMIT p_limit)
    UNION
    (SELECT m.tenant_id, m.call_id FROM meter_reports m WHERE m.sent_at IS NULL ORDER BY m.created_at LIMIT p_limit)
  $$;
REVOKE ALL ON FUNCTION parley_meter_work(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_meter_work(timestamptz, integer) TO ${appRole};
