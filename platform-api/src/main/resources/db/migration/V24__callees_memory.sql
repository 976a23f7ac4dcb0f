-- The people a tenant's personas call: one per number, with their name and how to say it, their time zone, whether
-- they agreed to be called, and their favourite personas. Whether they opted out is the do-not-call list's.
CREATE TABLE callees (
  id                    uuid PRIMARY KEY,
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  phone_number          text NOT NULL CHECK (phone_number ~ '^\+[1-9][0-9]{1,14}$'),
  name                  text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  pronunciation         text CHECK (char_length(pronunciation) <= 100),
  time_zone             text CHECK (char_length(time_zone) <= 64),
  consent               text NOT NULL DEFAULT 'unknown' CHECK (consent IN ('unknown', 'granted', 'revoked')),
  consent_changed_at    timestamptz,
  favourite_persona_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(favourite_persona_ids) <= 20),
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  UNIQUE (tenant_id, phone_number),
  UNIQUE (tenant_id, id)
);
ALTER TABLE callees ENABLE ROW LEVEL SECURITY;
ALTER TABLE callees FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON callees
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON callees TO ${appRole};

-- Memory across calls, for personas that keep it: a summary of each call with a number, erasable on request.
ALTER TABLE personas ADD COLUMN memory boolean NOT NULL DEFAULT false;
CREATE TABLE callee_memories (
  tenant_id    uuid NOT NULL,
  call_id      uuid NOT NULL,
  persona_id   uuid NOT NULL,
  phone_number text NOT NULL,
  summary      text NOT NULL CHECK (char_length(summary) BETWEEN 1 AND 4000),
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, call_id),
  FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id)
);
CREATE INDEX callee_memories_recall ON callee_memories (tenant_id, phone_number, persona_id, created_at DESC);
ALTER TABLE callee_memories ENABLE ROW LEVEL SECURITY;
ALTER TABLE callee_memories FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON callee_memories
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, DELETE ON callee_memories TO ${appRole};
