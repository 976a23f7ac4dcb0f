-- Post-call summaries and structured extraction, when a language model is configured (PARLEY_SUMMARY_LLM_URL):
-- a persona declares the fields it wants from its calls; once the runtime reports a call ended, the call is
-- queued here in the same transaction, and any instance summarizes it (claimed with a lease, retried on failure).
ALTER TABLE personas ADD COLUMN extraction_fields jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(extraction_fields) = 'array');

CREATE TABLE call_summaries (
  tenant_id       uuid NOT NULL,
  call_id         uuid NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  claimed_until   timestamptz,
  summary         text,
  fields          jsonb,
  reason          text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, call_id),
  FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id)
);
CREATE INDEX call_summaries_due ON call_summaries (next_attempt_at) WHERE status = 'pending';
ALTER TABLE call_summaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_summaries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON call_summaries
  USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE ON call_summaries TO ${appRole};
CREATE POLICY call_summary_claim_by_owner ON call_summaries FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);

CREATE FUNCTION parley_claim_summaries(p_now timestamptz, p_limit integer, p_lease interval)
  RETURNS TABLE (tenant_id uuid, call_id uuid)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    WITH due AS (
      SELECT s.tenant_id, s.call_id FROM call_summaries s
       WHERE s.status = 'pending' AND s.next_attempt_at <= p_now AND (s.claimed_until IS NULL OR s.claimed_until < p_now)
       ORDER BY s.next_attempt_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
    UPDATE call_summaries s SET claimed_until = p_now + p_lease
      FROM due WHERE s.tenant_id = due.tenant_id AND s.call_id = due.call_id
    RETURNING s.tenant_id, s.call_id
  $$;
REVOKE ALL ON FUNCTION parley_claim_summaries(timestamptz, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_claim_summaries(timestamptz, integer, interval) TO ${appRole};

-- call.summarized goes to the tenant's webhooks like the call's other events
CREATE OR REPLACE FUNCTION parley_call_event_to_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  hook text;
  call_row record;
BEGIN
  hook := CASE
    WHEN NEW.type = 'call.created' THEN 'call.scheduled'
    WHEN NEW.type = 'call.in_progress' THEN 'call.started'
    WHEN NEW.type = 'call.ended' AND NEW.actor = 'runtime' THEN 'transcript.ready'
    WHEN NEW.type = 'call.summary' THEN 'call.summarized'
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
          'recording', CASE WHEN hook = 'recording.ready' THEN '/v1/calls/' || NEW.call_id || '/recording' END,
          'summary', CASE WHEN hook = 'call.summarized' THEN NEW.data->>'summary' END,
          'fields', CASE WHEN hook = 'call.summarized' THEN NEW.data->'fields' END))),
    NEW.occurred_at);
  INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
  SELECT parley_uuid_v7(), NEW.tenant_id, NEW.id, e.id, 'pending', NEW.occurred_at, now(), now()
    FROM webhook_endpoints e
   WHERE e.tenant_id = NEW.tenant_id AND e.deleted_at IS NULL AND (e.event_types = '{}' OR hook = ANY (e.event_types));
  RETURN NULL;
END $$;
