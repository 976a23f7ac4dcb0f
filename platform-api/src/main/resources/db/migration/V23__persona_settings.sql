-- What a persona sets for its calls beyond its words: its voice's settings, the language model and recogniser, and
-- its calls' limits (length, warning, silence, goodbye, end-call phrases). Null, or a part left out: the platform's
-- defaults. Kept with every version (persona_versions.snapshot), so a call runs with the settings it was placed with.
ALTER TABLE personas ADD COLUMN settings jsonb CHECK (settings IS NULL OR jsonb_typeof(settings) = 'object');
