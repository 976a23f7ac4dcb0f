-- Spend controls, per tenant and mode, on the billing account: a hard cap on what usage adds to the bill in a billing
-- period (no new call is placed once it is reached), the percentages of it that alert the tenant, and where alerts are
-- emailed. The period's start comes from Stripe's subscription events, as its end does.
ALTER TABLE billing_accounts
  ADD COLUMN current_period_start timestamptz,
  ADD COLUMN spend_cap_cents bigint CHECK (spend_cap_cents BETWEEN 1 AND 100000000000),
  ADD COLUMN alert_thresholds smallint[] NOT NULL DEFAULT '{50,80,100}'
    CHECK (cardinality(alert_thresholds) <= 10 AND 1 <= ALL (alert_thresholds) AND 100 >= ALL (alert_thresholds)),
  ADD COLUMN alert_email text CHECK (char_length(alert_email) <= 254);

-- Each threshold alerts once per billing period: the row is written in the transaction that sends the webhook.
CREATE TABLE billing_alerts (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  mode         text NOT NULL CHECK (mode IN ('test', 'live')),
  period_start timestamptz NOT NULL,
  threshold    smallint NOT NULL CHECK (threshold BETWEEN 1 AND 100),
  spend_cents  bigint NOT NULL,
  cap_cents    bigint NOT NULL,
  reached_at   timestamptz NOT NULL,
  emailed_to   text CHECK (char_length(emailed_to) <= 254),
  PRIMARY KEY (tenant_id, mode, period_start, threshold)
);
ALTER TABLE billing_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_alerts
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE ON billing_alerts TO ${appRole};
