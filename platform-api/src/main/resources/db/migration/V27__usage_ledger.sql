-- The usage ledger: append-only, one row per call leg and meter, from the voice runtime's call.usage events (a call
-- resumed on another instance after one was lost has a leg per instance). Each row carries the provider's cost
-- estimate in millionths of a US dollar. Rows are never changed or removed: the application role may only add them.
CREATE TABLE usage_ledger (
  id                   uuid PRIMARY KEY,
  tenant_id            uuid NOT NULL,
  call_id              uuid NOT NULL,
  persona_id           uuid,
  mode                 text NOT NULL CHECK (mode IN ('test', 'live')),
  source_event_id      uuid NOT NULL,
  meter                text NOT NULL CHECK (meter IN ('call_seconds', 'stt_seconds', 'llm_input_tokens', 'llm_output_tokens', 'tts_characters')),
  provider             text CHECK (char_length(provider) <= 60),
  quantity             numeric(20, 3) NOT NULL CHECK (quantity >= 0),
  cost_estimate_micros bigint NOT NULL CHECK (cost_estimate_micros >= 0),
  occurred_at          timestamptz NOT NULL,
  UNIQUE (source_event_id, meter),
  FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id)
);
CREATE INDEX usage_ledger_tenant_time ON usage_ledger (tenant_id, mode, occurred_at);
CREATE INDEX usage_ledger_call ON usage_ledger (tenant_id, call_id);
ALTER TABLE usage_ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_ledger FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_ledger
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT ON usage_ledger TO ${appRole};
