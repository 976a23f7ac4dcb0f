-- Child-safety mode (Santa's default): a persona that talks with children is never recorded, asks nothing that
-- identifies a child (the voice runtime's output guard), and its calls' transcripts are kept only briefly.
ALTER TABLE personas ADD COLUMN child_safety boolean NOT NULL DEFAULT false;
UPDATE personas SET child_safety = true WHERE kind = 'santa' AND NOT recording;   -- a recorded Santa stays as its tenant made it
ALTER TABLE personas ADD CONSTRAINT personas_child_safety_not_recorded CHECK (NOT (child_safety AND recording));

-- The transcript lines of child-safety calls older than p_before lose their words (the event stays, with who spoke
-- and when). The event log is append-only for the application; this retention is the one change to it, made here.
CREATE INDEX call_events_turns_kept ON call_events (occurred_at)
  WHERE type = 'call.turn' AND NOT coalesce((data->>'removed')::boolean, false);

CREATE FUNCTION parley_expire_child_transcripts(p_before timestamptz, p_limit integer) RETURNS integer
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    WITH expired AS (
      SELECT e.id FROM call_events e
        JOIN calls c ON c.tenant_id = e.tenant_id AND c.id = e.call_id
        JOIN personas p ON p.tenant_id = c.tenant_id AND p.id = c.persona_id
       WHERE e.type = 'call.turn' AND e.occurred_at < p_before AND p.child_safety
         AND e.data ? 'text' AND NOT coalesce((e.data->>'removed')::boolean, false)
       LIMIT p_limit),
    changed AS (
      UPDATE call_events e
         SET data = (e.data - 'text') || jsonb_build_object('text', '', 'removed', true)
        FROM expired
       WHERE e.id = expired.id
      RETURNING 1)
    SELECT count(*)::integer FROM changed
  $$;
REVOKE ALL ON FUNCTION parley_expire_child_transcripts(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_expire_child_transcripts(timestamptz, integer) TO ${appRole};
