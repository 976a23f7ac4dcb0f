-- Personas are versioned: every create and change keeps the persona as it then was, and a call runs on the version
-- it was placed with, whatever changes after (a parent's booked Santa call keeps the Santa they booked).
CREATE TABLE persona_versions (
  tenant_id  uuid NOT NULL,
  persona_id uuid NOT NULL,
  version    bigint NOT NULL,
  snapshot   jsonb NOT NULL,    -- the personas row as it was
  created_at timestamptz NOT NULL,
  PRIMARY KEY (persona_id, version),
  FOREIGN KEY (tenant_id, persona_id) REFERENCES personas (tenant_id, id)
);
ALTER TABLE persona_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE persona_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON persona_versions
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT ON persona_versions TO ${appRole};

INSERT INTO persona_versions (tenant_id, persona_id, version, snapshot, created_at)
SELECT p.tenant_id, p.id, p.version, to_jsonb(p), p.updated_at FROM personas p;

ALTER TABLE calls ADD COLUMN persona_version bigint;
UPDATE calls c SET persona_version = p.version FROM personas p WHERE p.tenant_id = c.tenant_id AND p.id = c.persona_id;
