-- A tenant's do-not-call list: numbers none of its personas may call. Checked when a call is created and
-- again at the moment of dialling; filled through the API and by callees who opt out during a call.
CREATE TABLE do_not_call (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  phone_number text NOT NULL CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  source       text NOT NULL CHECK (source IN ('api', 'opt_out')),
  reason       text CHECK (char_length(reason) <= 500),
  call_id      uuid,
  actor        text NOT NULL,
  created_at   timestamptz NOT NULL,
  UNIQUE (tenant_id, phone_number),
  CHECK ((source = 'opt_out') = (call_id IS NOT NULL))
);
CREATE INDEX do_not_call_tenant ON do_not_call (tenant_id, id DESC);
ALTER TABLE do_not_call ENABLE ROW LEVEL SECURITY;
ALTER TABLE do_not_call FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON do_not_call
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, DELETE ON do_not_call TO ${appRole};
