-- Call recordings: optional per persona (recording) and per call (record, the persona's when left out), kept
-- encrypted at rest under a data key of the call's tenant (AES-256-GCM), itself kept sealed under the master key
-- (PARLEY_MASTER_KEY). Deleted automatically after the tenant's retention (default 30 days).
ALTER TABLE personas ADD COLUMN recording boolean NOT NULL DEFAULT false;
ALTER TABLE calls ADD COLUMN record boolean NOT NULL DEFAULT false;
ALTER TABLE tenant_settings ADD COLUMN recording_retention_days integer CHECK (recording_retention_days BETWEEN 1 AND 3650);

CREATE TABLE tenant_data_keys (
  tenant_id   uuid PRIMARY KEY REFERENCES tenants (id),
  sealed_key  bytea NOT NULL,
  created_at  timestamptz NOT NULL
);
ALTER TABLE tenant_data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_data_keys
  USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT ON tenant_data_keys TO ${appRole};

CREATE TABLE recordings (
  id            uuid PRIMARY KEY,
  tenant_id     uuid NOT NULL,
  call_id       uuid NOT NULL,
  content_type  text NOT NULL,
  duration_ms   bigint NOT NULL CHECK (duration_ms >= 0),
  size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
  sealed_audio  bytea NOT NULL,
  source        text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  UNIQUE (tenant_id, call_id),
  FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id)
);
CREATE INDEX recordings_expiry ON recordings (expires_at);
ALTER TABLE recordings ENABLE ROW LEVEL SECURITY;
ALTER TABLE recordings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON recordings
  USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, DELETE ON recordings TO ${appRole};

-- Retention runs across tenants: only this function may, as the owner.
CREATE POLICY recording_expiry_by_owner ON recordings FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE FUNCTION parley_delete_expired_recordings(p_now timestamptz, p_limit integer)
  RETURNS TABLE (id uuid, tenant_id uuid, call_id uuid)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    DELETE FROM recordings r WHERE r.id IN (SELECT x.id FROM recordings x WHERE x.expires_at < p_now ORDER BY x.expires_at LIMIT p_limit)
    RETURNING r.id, r.tenant_id, r.call_id
  $$;
REVOKE ALL ON FUNCTION parley_delete_expired_recordings(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_delete_expired_recordings(timestamptz, integer) TO ${appRole};

-- recording.ready goes to the tenant's webhooks like the call's other events
CREATE OR REPLACE FUNCTION parley_call_event_to_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  hook text;
  call_row record;
BEGIN
  hook := CASE
    WHEN NEW.type = 'call.created' THEN 'call.scheduled'
    WHEN NEW.type = 'call.in_progress' THEN 'call.started'
    WHEN NEW.type = 'call.ended' AND NEW.actor = 'runtime' THEN 'transcript.ready'
    WHEN NEW.type IN ('call.completed', 'call.busy', 'call.no_answer', 'call.voicemail', 'call.failed', 'call.canceled',
                      'call.blocked', 'call.deferred', 'call.rescheduled', 'call.retry_scheduled', 'call.reminder',
                      'recording.ready') THEN NEW.type
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
          'transcript', CASE WHEN hook = 'transcript.ready' THEN '/v1/calls/' || NEW.call_id || '/events?type=call.turn' END,
          'recording', CASE WHEN hook = 'recording.ready' THEN '/v1/calls/' || NEW.call_id || '/recording' END))),
    NEW.occurred_at);
  INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
  SELECT parley_uuid_v7(), NEW.tenant_id, NEW.id, e.id, 'pending', NEW.occurred_at, now(), now()
    FROM webhook_endpoints e
   WHERE e.tenant_id = NEW.tenant_id AND e.deleted_at IS NULL AND (e.event_types = '{}' OR hook = ANY (e.event_types));
  RETURN NULL;
END $$;
