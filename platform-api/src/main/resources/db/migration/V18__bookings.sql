-- Receptionist bookings. A persona that takes bookings has its business hours, time zone, slot length, buffer and
-- holidays (personas.booking). A booking holds [starts_at, ends_at) plus the buffer after it; two confirmed
-- bookings of one persona can never overlap, whoever writes them and however many at once: the exclusion
-- constraint refuses the second, in the database.
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE personas ADD COLUMN booking jsonb CHECK (booking IS NULL OR jsonb_typeof(booking) = 'object');

CREATE TABLE bookings (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  persona_id   uuid NOT NULL,
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  held_until   timestamptz NOT NULL,   -- ends_at plus the persona's buffer: what no other booking may overlap
  status       text NOT NULL CHECK (status IN ('confirmed', 'canceled')),
  name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  phone_number text CHECK (phone_number ~ '^\+[1-9][0-9]{1,14}$'),
  notes        text CHECK (char_length(notes) <= 500),
  call_id      uuid,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  canceled_at  timestamptz,
  CHECK (starts_at < ends_at AND ends_at <= held_until),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, persona_id) REFERENCES personas (tenant_id, id),
  EXCLUDE USING gist (persona_id WITH =, tstzrange(starts_at, held_until) WITH &&) WHERE (status = 'confirmed')
);
CREATE INDEX bookings_tenant ON bookings (tenant_id, starts_at, id);
ALTER TABLE bookings ENABLE ROW LEVEL SECURITY;
ALTER TABLE bookings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bookings
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE ON bookings TO ${appRole};

-- An event of the tenant's to its webhooks (the outbox), in the caller's transaction: one event, a delivery per
-- endpoint that takes its type. (Call events reach it through their own trigger.)
CREATE FUNCTION parley_emit_webhook(p_tenant uuid, p_id uuid, p_type text, p_data jsonb, p_at timestamptz) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.tenant_id = p_tenant AND e.deleted_at IS NULL
                 AND (e.event_types = '{}' OR p_type = ANY (e.event_types))) THEN
    RETURN;
  END IF;
  INSERT INTO webhook_events (id, tenant_id, type, payload, created_at)
  VALUES (p_id, p_tenant, p_type, jsonb_build_object(
      'id', p_id,
      'type', p_type,
      'timestamp', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'data', jsonb_strip_nulls(p_data)), p_at);
  INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
  SELECT parley_uuid_v7(), p_tenant, p_id, e.id, 'pending', p_at, now(), now()
    FROM webhook_endpoints e
   WHERE e.tenant_id = p_tenant AND e.deleted_at IS NULL AND (e.event_types = '{}' OR p_type = ANY (e.event_types));
END $$;
GRANT EXECUTE ON FUNCTION parley_emit_webhook(uuid, uuid, text, jsonb, timestamptz) TO ${appRole};
