-- A caller who showed signs of self-harm (the voice runtime's call.crisis_detected) reaches the tenant's webhooks at once,
-- with the phrase that was heard: a business may want a person to follow up. The function is the V15 one with the type
-- added.
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
                      'recording.ready', 'call.crisis_detected') THEN NEW.type
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
          'fields', CASE WHEN hook = 'call.summarized' THEN NEW.data->'fields' END,
          'signal', CASE WHEN hook = 'call.crisis_detected' THEN NEW.data->>'signal' END))),
    NEW.occurred_at);
  INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
  SELECT parley_uuid_v7(), NEW.tenant_id, NEW.id, e.id, 'pending', NEW.occurred_at, now(), now()
    FROM webhook_endpoints e
   WHERE e.tenant_id = NEW.tenant_id AND e.deleted_at IS NULL AND (e.event_types = '{}' OR hook = ANY (e.event_types));
  RETURN NULL;
END $$;
