-- Personas declare the variables their calls take, and may be a flow of steps instead of a free conversation.
-- A persona made from one of Parley's templates says which.
ALTER TABLE personas ADD COLUMN variables jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(variables) = 'array');
ALTER TABLE personas ADD COLUMN flow jsonb CHECK (flow IS NULL OR jsonb_typeof(flow) = 'array');
ALTER TABLE personas ADD COLUMN template text CHECK (template IN ('santa', 'coach', 'friend', 'creative', 'receptionist'));
