-- Webhooks to tenants. A tenant registers endpoints, each with its own signing secret (kept encrypted
-- under the platform's master key). The transactional outbox: every call event that is also a webhook
-- event (call.created -> call.scheduled, call.in_progress -> call.started, the outcomes, the runtime's
-- call.ended -> transcript.ready, ...) writes, in the same transaction and by the trigger below, one
-- webhook event and one delivery per endpoint that wants it. Dispatchers claim due deliveries
-- (FOR UPDATE SKIP LOCKED, a lease), post them signed, and log every attempt.
CREATE TABLE webhook_endpoints (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  url         text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2048),
  description text CHECK (char_length(description) <= 200),
  event_types text[] NOT NULL DEFAULT '{}',   -- empty: every type
  secret      bytea NOT NULL,                 -- AES-256-GCM under the master key: nonce || ciphertext || tag
  created_at  timestamptz NOT NULL,
  deleted_at  timestamptz,
  UNIQUE (tenant_id, id)
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE webhook_events (
  id         uuid PRIMARY KEY,                -- the webhook-id header; the call event's id
  tenant_id  uuid NOT NULL,
  type       text NOT NULL,
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL,
  event_id         uuid NOT NULL,
  endpoint_id      uuid NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  claim_until      timestamptz,
  last_status_code integer,
  last_error       text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  UNIQUE (event_id, endpoint_id),
  FOREIGN KEY (tenant_id, event_id) REFERENCES webhook_events (tenant_id, id),
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, endpoint_id, id DESC);

CREATE TABLE webhook_attempts (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL,
  delivery_id  uuid NOT NULL,
  number       integer NOT NULL,
  attempted_at timestamptz NOT NULL,
  status_code  integer,
  error        text,
  duration_ms  integer NOT NULL,
  FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id)
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (tenant_id, delivery_id, id);

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
  USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_events
  USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
  USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_attempts
  USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());

GRANT SELECT, INSERT, UPDATE ON webhook_endpoints TO ${appRole};
GRANT SELECT, INSERT ON webhook_events TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO ${appRole};
GRANT SELECT, INSERT ON webhook_attempts TO ${appRole};

-- A UUIDv7 (time-ordered, as the application's ids are), so deliveries list newest first by id.
CREATE FUNCTION parley_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
         substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid $$;

-- The outbox, filled in the transaction that writes the call event (as the application, under its
-- tenant, so row-level security holds). The webhook event's id is the call event's.
CREATE FUNCTION parley_call_event_to_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  hook text;
  call_row record;
BEGIN
  hook := CASE
    WHEN NEW.type = 'call.created' THEN 'call.scheduled'
    WHEN NEW.type = 'call.in_progress' THEN 'call.started'
    WHEN NEW.type = 'call.ended' AND NEW.actor = 'runtime' THEN 'transcript.ready'
    WHEN NEW.type IN ('call.completed', 'call.busy', 'call.no_answer', 'call.voicemail', 'call.failed', 'call.canceled',
                      'call.blocked', 'call.deferred', 'call.rescheduled', 'call.retry_scheduled', 'call.reminder') THEN NEW.type
  END;
  IF hook IS NULL OR NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.tenant_id = NEW.tenant_id AND e.deleted_at IS NULL
                                 AND (e.event_types = '{}' OR hook = ANY (e.event_types))) THEN
    RETURN NULL;
  END IF;
  SELECT c.persona_id, c.to_number, c.mode INTO call_row FROM calls c WHERE c.tenant_id = NEW.tenant_id AND c.id = NEW.call_id;
  INSERT INTO webhook_events (id, tenant_id, type, payload, created_at)
  VALUES (NEW.id, NEW.tenant_id, hook, jsonb_build_object(
      'id', NEW.id,
      'type', hook,
      'timestamp', to_char(NEW.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'data', jsonb_strip_nulls(jsonb_build_object(
          'callId', NEW.call_id,
          'personaId', call_row.persona_id,
          'to', call_row.to_number,
          'mode', call_row.mode,
          'status', NEW.to_status,
          'reason', NEW.reason,
          'callEventType', NEW.type,
          'transcript', CASE WHEN hook = 'transcript.ready' THEN '/v1/calls/' || NEW.call_id || '/events?type=call.turn' END))),
    NEW.occurred_at);
  INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
  SELECT parley_uuid_v7(), NEW.tenant_id, NEW.id, e.id, 'pending', NEW.occurred_at, now(), now()
    FROM webhook_endpoints e
   WHERE e.tenant_id = NEW.tenant_id AND e.deleted_at IS NULL AND (e.event_types = '{}' OR hook = ANY (e.event_types));
  RETURN NULL;
END $$;
CREATE TRIGGER call_events_to_webhooks AFTER INSERT ON call_events FOR EACH ROW EXECUTE FUNCTION parley_call_event_to_webhook();

-- Due deliveries of any tenant, each to one dispatcher at a time (the lease); only this function may look across tenants.
CREATE FUNCTION parley_claim_webhook_deliveries(p_now timestamptz, p_limit integer, p_lease interval)
  RETURNS TABLE (id uuid, tenant_id uuid)
  LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    UPDATE webhook_deliveries d SET claim_until = p_now + p_lease
     WHERE d.id IN (SELECT x.id FROM webhook_deliveries x
                     WHERE x.status = 'pending' AND x.next_attempt_at <= p_now AND (x.claim_until IS NULL OR x.claim_until <= p_now)
                     ORDER BY x.next_attempt_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING d.id, d.tenant_id $$;
REVOKE ALL ON FUNCTION parley_claim_webhook_deliveries(timestamptz, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_claim_webhook_deliveries(timestamptz, integer, interval) TO ${appRole};
