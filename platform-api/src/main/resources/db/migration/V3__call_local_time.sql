-- A call booked in local time keeps that local time and where its zone came from (given, or inferred
-- from the callee's number), so the API can show both and the calling window can be checked in it.
ALTER TABLE calls ADD COLUMN time_zone_source text CHECK (time_zone_source IN ('given', 'inferred'));
ALTER TABLE calls ADD COLUMN local_time timestamp;
UPDATE calls SET time_zone_source = 'given' WHERE time_zone IS NOT NULL;
ALTER TABLE calls ADD CONSTRAINT calls_zone_has_source CHECK ((time_zone IS NULL) = (time_zone_source IS NULL));
