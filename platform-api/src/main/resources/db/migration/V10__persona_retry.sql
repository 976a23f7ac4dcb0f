-- A persona's own retry defaults, between the call's and the tenant's: a field set here is used by a new call
-- of the persona that leaves it out; a field left NULL falls through to the tenant's default, then Parley's.
ALTER TABLE personas ADD COLUMN retry_on text[] CHECK (retry_on <@ ARRAY['busy', 'no_answer', 'voicemail', 'failed']);
ALTER TABLE personas ADD COLUMN retry_max_attempts integer CHECK (retry_max_attempts BETWEEN 1 AND 10);
ALTER TABLE personas ADD COLUMN retry_backoff_seconds integer CHECK (retry_backoff_seconds BETWEEN 30 AND 86400);
