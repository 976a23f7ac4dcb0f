-- What a persona leaves on an answering machine (the carrier's answering-machine detection); NULL: it hangs up.
ALTER TABLE personas ADD COLUMN voicemail_message text CHECK (char_length(voicemail_message) BETWEEN 1 AND 500);

-- Carrier webhooks already applied, by the carrier's idempotency token (Twilio's I-Twilio-Idempotency-Token):
-- a webhook the carrier sends again is answered without being applied again. Not tenant data: the token only.
CREATE TABLE carrier_webhook_receipts (
  carrier     text NOT NULL,
  token       text NOT NULL CHECK (char_length(token) <= 200),
  received_at timestamptz NOT NULL,
  PRIMARY KEY (carrier, token)
);
CREATE INDEX carrier_webhook_receipts_age ON carrier_webhook_receipts (received_at);
GRANT SELECT, INSERT, DELETE ON carrier_webhook_receipts TO ${appRole};

-- A carrier webhook names the attempt it is about (its URL carries our attempt id): its tenant, so that the rest
-- happens in the tenant's own transaction.
CREATE FUNCTION parley_attempt_tenant(p_attempt uuid)
  RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT a.tenant_id FROM call_attempts a WHERE a.id = p_attempt $$;
REVOKE ALL ON FUNCTION parley_attempt_tenant(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_attempt_tenant(uuid) TO ${appRole};

-- Attempts a carrier took that are still under way long after they were dialled: their callbacks may never have
-- come, so the carrier is asked (reconciliation polling).
CREATE FUNCTION parley_stale_attempts(p_carrier text, p_dialed_before timestamptz, p_limit integer)
  RETURNS TABLE (id uuid, tenant_id uuid, provider_call_id text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT a.id, a.tenant_id, a.provider_call_id FROM call_attempts a
     WHERE a.carrier = p_carrier AND a.provider_call_id IS NOT NULL
       AND a.status IN ('dialing', 'ringing', 'in_progress') AND a.dialed_at < p_dialed_before
     ORDER BY a.dialed_at LIMIT p_limit
  $$;
REVOKE ALL ON FUNCTION parley_stale_attempts(text, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_stale_attempts(text, timestamptz, integer) TO ${appRole};
CREATE INDEX call_attempts_under_way ON call_attempts (carrier, dialed_at) WHERE status IN ('dialing', 'ringing', 'in_progress');
