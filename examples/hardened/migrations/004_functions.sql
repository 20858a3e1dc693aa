-- Maintenance helpers run with a fixed search_path and only for the roles granted them.
CREATE FUNCTION purge_tenant(t bigint) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ DELETE FROM public.notes WHERE tenant_id = t $$;
REVOKE EXECUTE ON FUNCTION purge_tenant(bigint) FROM PUBLIC;
BEGIN;
SET LOCAL app.tenant_id = '1';
COMMIT;
