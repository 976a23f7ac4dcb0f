-- A tenant's own defaults for its calls, each overriding the platform's when set: the calling window in the
-- callee's local time (checked when each call is dialled) and the retry policy a new call takes when it
-- names none. NULL: the platform's default (parley.compliance.*, 3 attempts of busy/no_answer/failed, 300 s).
CREATE TABLE tenant_settings (
  tenant_id             uuid PRIMARY KEY REFERENCES tenants (id),
  calling_window_on     boolean,
  calling_window_start  time,
  calling_window_end    time,
  retry_on              text[] CHECK (retry_on <@ ARRAY['busy', 'no_answer', 'voicemail', 'failed']),
  max_attempts          integer CHECK (max_attempts BETWEEN 1 AND 10),
  retry_backoff_seconds integer CHECK (retry_backoff_seconds BETWEEN 30 AND 86400),
  updated_at            timestamptz NOT NULL,
  CHECK ((calling_window_start IS NULL) = (calling_window_end IS NULL)),
  CHECK (calling_window_start IS NULL OR calling_window_start < calling_window_end)
);
ALTER TABLE tenant_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_settings
  USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, UPDATE ON tenant_settings TO ${appRole};
