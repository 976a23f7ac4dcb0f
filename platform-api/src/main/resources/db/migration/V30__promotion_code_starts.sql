-- Promotion codes that may be redeemed only from a later moment: Stripe has no start for a code, so it is made
-- inactive and activated then. The operator's, not a tenant's: no row-level security.
CREATE TABLE promotion_code_starts (
  promotion_code_id text PRIMARY KEY CHECK (char_length(promotion_code_id) <= 255),
  mode              text NOT NULL CHECK (mode IN ('test', 'live')),
  code              text NOT NULL CHECK (char_length(code) <= 40),
  starts_at         timestamptz NOT NULL,
  activated_at      timestamptz,
  attempts          integer NOT NULL DEFAULT 0,
  last_error        text CHECK (char_length(last_error) <= 500),
  created_at        timestamptz NOT NULL
);
CREATE INDEX promotion_code_starts_due ON promotion_code_starts (starts_at) WHERE activated_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON promotion_code_starts TO ${appRole};
