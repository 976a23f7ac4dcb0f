-- Events the voice runtime reports on the parley:call-events stream (call started, each turn, tool
-- calls, usage, call ended) join platform-api's own events in the call's append-only log, with what
-- the runtime sent as data. The log stays append-only: the application role may only SELECT and
-- INSERT (V1), and row-level security stays forced.
ALTER TABLE call_events ADD COLUMN data jsonb CHECK (data IS NULL OR jsonb_typeof(data) = 'object');
