-- The operator's view of the meter's reconciliation on a day, across tenants (GET /v1/operator/meter-reconciliations).
CREATE FUNCTION parley_meter_reconciliations(p_day date)
  RETURNS SETOF meter_reconciliations
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT * FROM meter_reconciliations r WHERE r.day = p_day ORDER BY r.tenant_id, r.mode $$;
REVOKE ALL ON FUNCTION parley_meter_reconciliations(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_meter_reconciliations(date) TO ${appRole};
