-- Billing. A tenant's subscription as Parley last learnt it from Stripe, one per mode (a test-mode credential's calls
-- are billed in Stripe's test mode, never on a real card). state_at is the `created` of the Stripe event the state
-- came from: an older event arriving later changes nothing.
CREATE TABLE billing_accounts (
  tenant_id              uuid NOT NULL REFERENCES tenants (id),
  mode                   text NOT NULL CHECK (mode IN ('test', 'live')),
  stripe_customer_id     text CHECK (char_length(stripe_customer_id) <= 255),
  stripe_subscription_id text CHECK (char_length(stripe_subscription_id) <= 255),
  plan                   text CHECK (char_length(plan) <= 40),
  status                 text NOT NULL CHECK (status IN ('none', 'incomplete', 'incomplete_expired', 'trialing', 'active',
                                                         'past_due', 'canceled', 'unpaid', 'paused')),
  past_due_since         timestamptz,
  current_period_end     timestamptz,
  trial_end              timestamptz,
  state_at               timestamptz,
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, mode),
  UNIQUE (mode, stripe_customer_id)
);
ALTER TABLE billing_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_accounts
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE ON billing_accounts TO ${appRole};

-- A Stripe event names a customer, not a tenant: the tenant it belongs to, so the rest happens in its transaction.
CREATE FUNCTION parley_stripe_customer_tenant(p_mode text, p_customer text)
  RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT b.tenant_id FROM billing_accounts b WHERE b.mode = p_mode AND b.stripe_customer_id = p_customer $$;
REVOKE ALL ON FUNCTION parley_stripe_customer_tenant(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_stripe_customer_tenant(text, text) TO ${appRole};

-- Stripe events applied, by Stripe's event id: an event delivered again is answered without being applied again.
-- Not tenant data: the id, its type and when Stripe made it.
CREATE TABLE stripe_events (
  id          text PRIMARY KEY CHECK (char_length(id) <= 255),
  type        text NOT NULL CHECK (char_length(type) <= 100),
  livemode    boolean NOT NULL,
  created     timestamptz NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX stripe_events_age ON stripe_events (received_at);
GRANT SELECT, INSERT ON stripe_events TO ${appRole};

-- A Stripe object names the tenant it was made for (metadata.tenant_id, a Checkout Session's client_reference_id):
-- whether that tenant exists, before its transaction is opened.
CREATE FUNCTION parley_tenant_exists(p_tenant uuid)
  RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT EXISTS (SELECT 1 FROM tenants t WHERE t.id = p_tenant) $$;
REVOKE ALL ON FUNCTION parley_tenant_exists(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_tenant_exists(uuid) TO ${appRole};
