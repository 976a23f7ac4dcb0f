-- Tenancy: every tenant-owned table has tenant_id, and row-level security is enabled AND forced on
-- it with USING and WITH CHECK. The tenant is set per transaction by the application with
-- set_config('app.tenant_id', <uuid>, true); with no tenant set, no row is visible or writable.

CREATE FUNCTION parley_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Tenants -------------------------------------------------------------------------------------------
CREATE TABLE tenants (
  id         uuid PRIMARY KEY,
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
  USING (id = parley_current_tenant())
  WITH CHECK (id = parley_current_tenant());

-- API keys ------------------------------------------------------------------------------------------
CREATE TABLE api_keys (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  name        text CHECK (length(name) <= 100),
  mode        text NOT NULL CHECK (mode IN ('test', 'live')),
  prefix      text NOT NULL,
  last4       text NOT NULL,
  secret_hash bytea NOT NULL UNIQUE,
  scopes      text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  UNIQUE (tenant_id, id)
);
CREATE INDEX api_keys_tenant_page ON api_keys (tenant_id, id DESC);
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
-- Authentication must find a key before it knows the tenant: only this function may, and only by
-- the key's hash. It runs as the owner, which its own read-only policy lets see every key.
CREATE POLICY api_key_lookup_by_owner ON api_keys FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION parley_find_api_key(p_secret_hash bytea)
  RETURNS TABLE (id uuid, tenant_id uuid, mode text, scopes text[], revoked_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT k.id, k.tenant_id, k.mode, k.scopes, k.revoked_at FROM api_keys k WHERE k.secret_hash = p_secret_hash $$;
REVOKE ALL ON FUNCTION parley_find_api_key(bytea) FROM PUBLIC;

-- Personas ------------------------------------------------------------------------------------------
CREATE TABLE personas (
  id             uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  name           text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('santa', 'companion', 'receptionist', 'custom')),
  system_prompt  text NOT NULL,
  first_message  text NOT NULL,
  language       text NOT NULL,
  voice_provider text NOT NULL,
  voice_id       text NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  deleted_at     timestamptz,
  version        bigint NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, id)
);
CREATE INDEX personas_tenant_page ON personas (tenant_id, id DESC) WHERE deleted_at IS NULL;
ALTER TABLE personas ENABLE ROW LEVEL SECURITY;
ALTER TABLE personas FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON personas
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());

-- Calls ---------------------------------------------------------------------------------------------
CREATE TABLE calls (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  persona_id   uuid NOT NULL,
  to_number    text NOT NULL,
  status       text NOT NULL CHECK (status IN ('scheduled', 'dialing', 'ringing', 'in_progress', 'completed',
                                               'busy', 'no_answer', 'voicemail', 'failed', 'canceled', 'blocked')),
  mode         text NOT NULL CHECK (mode IN ('test', 'live')),
  scheduled_at timestamptz NOT NULL,
  time_zone    text,
  variables    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  canceled_at  timestamptz,
  version      bigint NOT NULL DEFAULT 0,
  UNIQUE (tenant_id, id),
  -- a call can only name a persona of its own tenant, whatever the application does
  FOREIGN KEY (tenant_id, persona_id) REFERENCES personas (tenant_id, id)
);
CREATE INDEX calls_tenant_page ON calls (tenant_id, id DESC);
CREATE INDEX calls_tenant_status ON calls (tenant_id, status, id DESC);
CREATE INDEX calls_tenant_persona ON calls (tenant_id, persona_id, id DESC);
ALTER TABLE calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE calls FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON calls
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());

-- Call events: append-only (the application may insert and read, never update or delete) ----------
CREATE TABLE call_events (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  call_id     uuid NOT NULL,
  type        text NOT NULL,
  from_status text,
  to_status   text,
  actor       text NOT NULL,
  reason      text,
  occurred_at timestamptz NOT NULL,
  FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id)
);
CREATE INDEX call_events_call ON call_events (tenant_id, call_id, id);
ALTER TABLE call_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON call_events
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());

-- Idempotency keys ----------------------------------------------------------------------------------
-- The key itself is never stored: key_hash = SHA-256(key). The stored response is encrypted with a
-- key derived from the idempotency key, so secrets in a replayable response (a new API key) cannot
-- be read from the database by someone who does not hold the idempotency key.
CREATE TABLE idempotency_keys (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  key_hash        bytea NOT NULL,
  operation       text NOT NULL,
  request_hash    bytea NOT NULL,
  response_status integer,
  response_body   bytea,
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key_hash)
);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY idempotency_purge_by_owner ON idempotency_keys FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE FUNCTION parley_purge_expired_idempotency_keys(p_now timestamptz) RETURNS integer
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ WITH gone AS (DELETE FROM idempotency_keys WHERE expires_at < p_now RETURNING 1) SELECT count(*)::integer FROM gone $$;
REVOKE ALL ON FUNCTION parley_purge_expired_idempotency_keys(timestamptz) FROM PUBLIC;

-- The operator's requests (tenant creation) belong to no tenant.
CREATE TABLE operator_idempotency_keys (
  key_hash        bytea PRIMARY KEY,
  operation       text NOT NULL,
  request_hash    bytea NOT NULL,
  response_status integer,
  response_body   bytea,
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL
);

-- The application role's privileges: exactly what it needs. -----------------------------------------
GRANT USAGE ON SCHEMA public TO ${appRole};
GRANT SELECT, INSERT ON tenants TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON api_keys TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON personas TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON calls TO ${appRole};
GRANT SELECT, INSERT ON call_events TO ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON operator_idempotency_keys TO ${appRole};
GRANT EXECUTE ON FUNCTION parley_current_tenant() TO ${appRole};
GRANT EXECUTE ON FUNCTION parley_find_api_key(bytea) TO ${appRole};
GRANT EXECUTE ON FUNCTION parley_purge_expired_idempotency_keys(timestamptz) TO ${appRole};
