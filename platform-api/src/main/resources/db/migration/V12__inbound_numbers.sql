-- Inbound calls: a tenant's numbers, each answered by one of its personas (a receptionist). A call is outbound
-- (placed by Parley to to_number) or inbound (to_number called one of the tenant's numbers).
ALTER TABLE calls ADD COLUMN direction text NOT NULL DEFAULT 'outbound' CHECK (direction IN ('outbound', 'inbound'));

CREATE TABLE phone_numbers (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  phone_number text NOT NULL CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  mode         text NOT NULL CHECK (mode IN ('test', 'live')),
  carrier      text NOT NULL,
  provider_sid text,
  persona_id   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  -- a number rings at one tenant only, whoever asks
  UNIQUE (carrier, phone_number),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, persona_id) REFERENCES personas (tenant_id, id)
);
CREATE INDEX phone_numbers_tenant ON phone_numbers (tenant_id, id DESC);
ALTER TABLE phone_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE phone_numbers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON phone_numbers
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON phone_numbers TO ${appRole};
CREATE POLICY phone_number_lookup_by_owner ON phone_numbers FOR SELECT TO CURRENT_USER USING (true);

-- A carrier's inbound webhook names only the number called: whose it is, so that the rest happens in that
-- tenant's own transaction.
CREATE FUNCTION parley_number_tenant(p_carrier text, p_number text)
  RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT n.tenant_id FROM phone_numbers n WHERE n.carrier = p_carrier AND n.phone_number = p_number $$;
REVOKE ALL ON FUNCTION parley_number_tenant(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_number_tenant(text, text) TO ${appRole};
