-- What the carrier reports about an attempt (ringing, answered, its outcome) moves the attempt and its
-- call; an outcome the call's retry policy names schedules the call again until its attempts run out.
ALTER TABLE calls ADD COLUMN max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 10);
ALTER TABLE calls ADD COLUMN retry_on text[] NOT NULL DEFAULT '{busy,no_answer,failed}'
  CHECK (retry_on <@ ARRAY['busy', 'no_answer', 'voicemail', 'failed']);
ALTER TABLE calls ADD COLUMN retry_backoff_seconds integer NOT NULL DEFAULT 300 CHECK (retry_backoff_seconds BETWEEN 30 AND 86400);
ALTER TABLE call_attempts ADD COLUMN answered_by text CHECK (answered_by IN ('human', 'machine'));

-- A carrier names calls by its own id; which tenant's attempt that is, only this function may tell.
CREATE FUNCTION parley_find_attempt(p_carrier text, p_provider_call_id text)
  RETURNS TABLE (id uuid, tenant_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT a.id, a.tenant_id FROM call_attempts a WHERE a.carrier = p_carrier AND a.provider_call_id = p_provider_call_id $$;
REVOKE ALL ON FUNCTION parley_find_attempt(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_find_attempt(text, text) TO ${appRole};
