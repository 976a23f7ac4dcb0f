-- Runs before every migration, as the migration (owner) role.
-- The application connects as ${appRole}: a role that owns no table, is no superuser and cannot
-- bypass row-level security. Create it when the migration role may (laptop, CI, embedded default);
-- on managed databases an operator creates it and this block finds it there.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${appRole}') THEN
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', '${appRole}');
  END IF;
  IF '${appPassword}' <> '' THEN
    EXECUTE format('ALTER ROLE %I PASSWORD %L', '${appRole}', '${appPassword}');
  END IF;
END
$$;
