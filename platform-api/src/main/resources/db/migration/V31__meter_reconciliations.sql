-- The daily reconciliation of the minutes each tenant's reports sent to Stripe's meter against what Stripe's meter
-- event summaries hold for its customer, per UTC day (a report's event carries the moment the report was written). A
-- shortfall at Stripe (an event lost) is repaired by one correction event for the difference, under an identifier of
-- its own, sent while the day's row is held and noted with it; a surplus is reported.
CREATE TABLE meter_reconciliations (
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  mode                  text NOT NULL CHECK (mode IN ('test', 'live')),
  day                   date NOT NULL,
  customer_id           text NOT NULL CHECK (char_length(customer_id) <= 255),
  ours                  bigint NOT NULL,
  stripe                bigint,
  outcome               text NOT NULL CHECK (outcome IN ('ok', 'repaired', 'excess', 'failed')),
  detail                text CHECK (char_length(detail) <= 500),
  corrections           integer NOT NULL DEFAULT 0,
  correction_identifier text CHECK (char_length(correction_identifier) <= 100),
  correction_minutes    bigint,
  corrected_at          timestamptz,
  checked_at            timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, mode, day)
);
ALTER TABLE meter_reconciliations ENABLE ROW LEVEL SECURITY;
ALTER TABLE meter_reconciliations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON meter_reconciliations
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE ON meter_reconciliations TO ${appRole};

-- The reconciliation's work, across tenants: each tenant, mode and customer with a report written in the day.
CREATE FUNCTION parley_reconcile_work(p_from timestamptz, p_to timestamptz)
  RETURNS TABLE (tenant_id uuid, mode text, customer_id text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT DISTINCT m.tenant_id, m.mode, m.customer_id FROM meter_reports m WHERE m.created_at >= p_from AND m.created_at < p_to $$;
REVOKE ALL ON FUNCTION parley_reconcile_work(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_reconcile_work(timestamptz, timestamptz) TO ${appRole};
