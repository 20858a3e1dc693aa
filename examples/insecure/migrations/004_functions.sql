-- Maintenance helpers.
CREATE FUNCTION purge_tenant(t bigint) RETURNS void
  LANGUAGE sql SECURITY DEFINER
  AS $$ DELETE FROM notes WHERE tenant_id = t $$;
SET app.tenant_id = '1';
COPY audit_log TO PROGRAM 'gzip > /tmp/audit.gz';
ALTER TABLE notes DISABLE ROW LEVEL SECURITY;
ALTER SYSTEM SET log_connections = off;
SELECT 1 FROM accounts WHER id = 1;
