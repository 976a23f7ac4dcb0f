-- Dispatch under load (the dispatch benchmark: 10,000 calls due at once, three instances).
--
-- 1. A claimed call stays 'scheduled' until its attempt begins, with claim_until in the future. Indexed by
--    scheduled_at, every claim stepped over all calls other instances held: with thousands due, most of a
--    claim's work. Indexed by the instant a call becomes claimable, greatest(scheduled_at, claim_until)
--    (GREATEST ignores a NULL claim_until), a claim's lease moves the call out of the range others scan.
--    Calls are now claimed in the order they became claimable: due time, or the end of an expired lease or
--    of a deferral. The condition is the same as before.
DROP INDEX calls_due;
CREATE INDEX calls_claimable ON calls (greatest(scheduled_at, claim_until)) WHERE status = 'scheduled';

CREATE OR REPLACE FUNCTION parley_claim_due_calls(p_now timestamptz, p_limit integer, p_dispatcher text, p_lease interval)
  RETURNS TABLE (id uuid, tenant_id uuid, claim_token bigint, scheduled_at timestamptz)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    WITH due AS (
      SELECT c.id FROM calls c
       WHERE c.status = 'scheduled' AND greatest(c.scheduled_at, c.claim_until) <= p_now
       ORDER BY greatest(c.scheduled_at, c.claim_until)
       LIMIT p_limit
       FOR UPDATE SKIP LOCKED)
    UPDATE calls c
       SET claim_token = nextval('call_claim_tokens'), claimed_by = p_dispatcher, claim_until = p_now + p_lease
      FROM due
     WHERE c.id = due.id
    RETURNING c.id, c.tenant_id, c.claim_token, c.scheduled_at
  $$;

-- 2. Each dispatch counts its tenant's calls under way (its concurrency limit): from these alone, not from
--    every call the tenant ever made.
CREATE INDEX calls_under_way ON calls (tenant_id) WHERE status IN ('dialing', 'ringing', 'in_progress');
