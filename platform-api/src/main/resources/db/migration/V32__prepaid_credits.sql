-- Prepaid credits: a tenant pays an amount through Checkout, and Stripe grants it as Billing Credits that its metered
-- minutes draw on. Each paid Checkout Session is one grant, written when Stripe's webhook says it was paid and made in
-- Stripe afterwards (under an idempotency key, so a retry never grants twice). The balance is Stripe's, as last read.
ALTER TABLE billing_accounts
  ADD COLUMN credit_balance_cents bigint NOT NULL DEFAULT 0 CHECK (credit_balance_cents >= 0),
  ADD COLUMN credit_balance_at timestamptz,
  ADD COLUMN credit_balance_stale boolean NOT NULL DEFAULT false;

CREATE TABLE credit_grants (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  mode            text NOT NULL CHECK (mode IN ('test', 'live')),
  source          text NOT NULL CHECK (char_length(source) <= 255),
  customer_id     text NOT NULL CHECK (char_length(customer_id) <= 255),
  amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
  currency        text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
  stripe_grant_id text CHECK (char_length(stripe_grant_id) <= 255),
  created_at      timestamptz NOT NULL,
  granted_at      timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text CHECK (char_length(last_error) <= 500),
  PRIMARY KEY (tenant_id, source)
);
CREATE INDEX credit_grants_pending ON credit_grants (created_at) WHERE granted_at IS NULL;
ALTER TABLE credit_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON credit_grants
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE ON credit_grants TO ${appRole};

-- The credits' work, across tenants: grants not yet made in Stripe, and balances to read again.
CREATE FUNCTION parley_credit_work(p_limit integer)
  RETURNS TABLE (tenant_id uuid, mode text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    (SELECT DISTINCT g.tenant_id, g.mode FROM credit_grants g WHERE g.granted_at IS NULL AND g.attempts < 20 LIMIT p_limit)
    UNION
    (SELECT b.tenant_id, b.mode FROM billing_accounts b WHERE b.credit_balance_stale AND b.stripe_customer_id IS NOT NULL LIMIT p_limit)
  $$;
REVOKE ALL ON FUNCTION parley_credit_work(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_credit_work(integer) TO ${appRole};
