-- Dispatch: any number of platform-api instances place due calls, each attempt exactly once.
--
-- 1. An instance claims due calls across tenants with parley_claim_due_calls (FOR UPDATE SKIP LOCKED):
--    each claim gets a new fencing token from a sequence and a lease (claim_until).
-- 2. In a transaction of the call's tenant it locks the call by id AND token, still scheduled (a claim
--    that outlived its lease and was taken by another instance finds nothing), records the attempt,
--    moves the call to dialing and commits; only then does it dial, with the attempt's id.
-- 3. An attempt still dialing without a carrier id after a while (its instance died between commit
--    and answer) is looked up at the carrier by the reconciler: found, it is recorded; not found, it is
--    abandoned and the call is due again. So no attempt is dialled twice and none is lost.
ALTER TABLE calls ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0);
ALTER TABLE calls ADD COLUMN claim_token bigint;
ALTER TABLE calls ADD COLUMN claimed_by text;
ALTER TABLE calls ADD COLUMN claim_until timestamptz;
ALTER TABLE calls ADD COLUMN final_reason text;
CREATE SEQUENCE call_claim_tokens;
CREATE INDEX calls_due ON calls (scheduled_at) WHERE status = 'scheduled';

CREATE TABLE call_attempts (
  id               uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL,
  call_id          uuid NOT NULL,
  number           integer NOT NULL CHECK (number >= 1),
  status           text NOT NULL CHECK (status IN ('dialing', 'ringing', 'in_progress', 'completed', 'busy',
                                                   'no_answer', 'voicemail', 'failed', 'abandoned')),
  carrier          text NOT NULL,
  from_number      text NOT NULL,
  claim_token      bigint NOT NULL,
  dispatcher       text NOT NULL,
  provider_call_id text,
  created_at       timestamptz NOT NULL,
  dialed_at        timestamptz,
  ended_at         timestamptz,
  reason           text,
  UNIQUE (tenant_id, id),
  UNIQUE (call_id, number),
  UNIQUE (carrier, provider_call_id),
  FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id)
);
CREATE INDEX call_attempts_call ON call_attempts (tenant_id, call_id, number);
CREATE INDEX call_attempts_unconfirmed ON call_attempts (created_at) WHERE status = 'dialing' AND provider_call_id IS NULL;
ALTER TABLE call_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON call_attempts
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());

-- Claiming and reconciling cross tenants: only these functions may, running as the owner, whose own
-- policies let them see every call and attempt. They return ids; all else happens in the tenant's
-- own transaction under row-level security.
CREATE POLICY call_dispatch_by_owner ON calls FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY call_attempt_reconcile_by_owner ON call_attempts FOR SELECT TO CURRENT_USER USING (true);

CREATE FUNCTION parley_claim_due_calls(p_now timestamptz, p_limit integer, p_dispatcher text, p_lease interval)
  RETURNS TABLE (id uuid, tenant_id uuid, claim_token bigint, scheduled_at timestamptz)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    WITH due AS (
      SELECT c.id FROM calls c
       WHERE c.status = 'scheduled' AND c.scheduled_at <= p_now AND (c.claim_until IS NULL OR c.claim_until <= p_now)
       ORDER BY c.scheduled_at
       LIMIT p_limit
       FOR UPDATE SKIP LOCKED)
    UPDATE calls c
       SET claim_token = nextval('call_claim_tokens'), claimed_by = p_dispatcher, claim_until = p_now + p_lease
      FROM due
     WHERE c.id = due.id
    RETURNING c.id, c.tenant_id, c.claim_token, c.scheduled_at
  $$;
REVOKE ALL ON FUNCTION parley_claim_due_calls(timestamptz, integer, text, interval) FROM PUBLIC;

CREATE FUNCTION parley_unconfirmed_attempts(p_before timestamptz, p_limit integer)
  RETURNS TABLE (id uuid, tenant_id uuid, call_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT a.id, a.tenant_id, a.call_id FROM call_attempts a
     WHERE a.status = 'dialing' AND a.provider_call_id IS NULL AND a.created_at < p_before
     ORDER BY a.created_at
     LIMIT p_limit
  $$;
REVOKE ALL ON FUNCTION parley_unconfirmed_attempts(timestamptz, integer) FROM PUBLIC;

GRANT SELECT, INSERT, UPDATE ON call_attempts TO ${appRole};
GRANT EXECUTE ON FUNCTION parley_claim_due_calls(timestamptz, integer, text, interval) TO ${appRole};
GRANT EXECUTE ON FUNCTION parley_unconfirmed_attempts(timestamptz, integer) TO ${appRole};
