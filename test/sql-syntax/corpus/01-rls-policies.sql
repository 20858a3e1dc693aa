-- Tables, row level security and policies: valid statements and typical mistakes.
-- Each statement follows a marker line: `-- @ok` (PostgreSQL parses it) or `-- @error` (its
-- parser rejects it). The oracle sends each statement to the server exactly as written here.

-- @ok
CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL
);

-- @ok
CREATE TABLE documents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  owner name NOT NULL DEFAULT current_user,
  body text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- @error missing comma between columns
CREATE TABLE invoices (
  id bigint PRIMARY KEY
  tenant_id uuid NOT NULL,
  amount numeric(12, 2)
);

-- @error trailing comma before the closing parenthesis
CREATE TABLE payments (
  id bigint PRIMARY KEY,
  invoice_id bigint REFERENCES invoices,
);

-- @ok
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;

-- @ok
ALTER TABLE documents FORCE ROW LEVEL SECURITY;

-- @ok
ALTER TABLE IF EXISTS ONLY public.documents NO FORCE ROW LEVEL SECURITY;

-- @ok
ALTER TABLE documents DISABLE ROW LEVEL SECURITY;

-- @error misspelt SECURITY
ALTER TABLE documents ENABLE ROW LEVEL SECURTY;

-- @error ROW SECURITY without LEVEL
ALTER TABLE documents ENABLE ROW SECURITY;

-- @error FORCE without ROW LEVEL
ALTER TABLE documents FORCE SECURITY;

-- @error misspelt ENABLE
ALTER TABLE documents ENALBE ROW LEVEL SECURITY;

-- @ok
ALTER TABLE documents ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- @ok
CREATE POLICY tenant_isolation ON documents
  USING (tenant_id = current_setting('app.tenant_id')::uuid);

-- @ok
CREATE POLICY tenant_isolation_rw ON documents
  AS PERMISSIVE
  FOR ALL
  TO app_user
  USING (tenant_id = current_setting('app.tenant_id', true)::uuid)
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true)::uuid);

-- @ok
CREATE POLICY owner_only ON documents AS RESTRICTIVE FOR UPDATE TO PUBLIC
  USING (owner = current_user) WITH CHECK (owner = current_user);

-- @ok parsed; "WITH CHECK cannot be applied to SELECT" comes later, at execution
CREATE POLICY read_all ON documents FOR SELECT USING (true) WITH CHECK (true);

-- @ok
CREATE POLICY insert_own ON documents FOR INSERT TO app_user, CURRENT_USER WITH CHECK (owner = session_user);

-- @ok
CREATE POLICY delete_none ON documents FOR DELETE USING (false);

-- @error misspelt RESTRICTIVE is reported by the grammar's own check
CREATE POLICY p1 ON documents AS RESTRICTED USING (true);

-- @error two commands in FOR
CREATE POLICY p2 ON documents FOR SELECT, UPDATE USING (true);

-- @error WITH CHECK without parentheses
CREATE POLICY p3 ON documents FOR INSERT WITH CHECK owner = current_user;

-- @error USING without parentheses
CREATE POLICY p4 ON documents USING tenant_id = '00000000-0000-0000-0000-000000000000';

-- @error missing ON table
CREATE POLICY p5 USING (true);

-- @error TO before FOR
CREATE POLICY p7 ON documents TO app_user FOR SELECT USING (true);

-- @ok
ALTER POLICY tenant_isolation ON documents TO app_user, app_admin USING (true);

-- @ok
ALTER POLICY tenant_isolation ON documents RENAME TO tenant_isolation_old;

-- @error ALTER POLICY cannot change the command
ALTER POLICY tenant_isolation ON documents FOR SELECT;

-- @ok
DROP POLICY IF EXISTS tenant_isolation_old ON documents CASCADE;

-- @error DROP POLICY without ON
DROP POLICY tenant_isolation_old;

-- @ok
CREATE TABLE audit_log (LIKE documents INCLUDING ALL) PARTITION BY RANGE (created_at);

-- @ok
CREATE UNLOGGED TABLE IF NOT EXISTS sessions (token text PRIMARY KEY CHECK (length(token) >= 32), expires timestamptz);

-- @error reserved word as a column name
CREATE TABLE grants (user text, table text);

-- @ok quoted reserved words are fine
CREATE TABLE grants ("user" text, "table" text);

-- @ok parsed: on a column constraint, INITIALLY DEFERRED without DEFERRABLE is caught later
CREATE TABLE t_defer (a int UNIQUE NOT DEFERRABLE INITIALLY DEFERRED);

-- @error on a table constraint, the grammar itself refuses it
CREATE TABLE t_defer2 (a int, UNIQUE (a) NOT DEFERRABLE INITIALLY DEFERRED);

-- @ok
ALTER TABLE documents ADD CONSTRAINT body_not_empty CHECK (body <> '') NOT VALID;

-- @error NOT VALID is not allowed on a primary key
ALTER TABLE documents ADD CONSTRAINT documents_pk PRIMARY KEY (id) NOT VALID;

-- @ok
ALTER TABLE documents OWNER TO CURRENT_ROLE;

-- @ok
ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN owner SET NOT NULL;

-- @error SET NOT NULL without ALTER COLUMN target
ALTER TABLE documents ALTER COLUMN SET NOT NULL;

-- @ok
CREATE INDEX CONCURRENTLY IF NOT EXISTS documents_tenant_idx ON documents USING btree (tenant_id) INCLUDE (owner) WHERE body IS NOT NULL;

-- @error CONCURRENTLY in the wrong place
CREATE INDEX documents_owner_idx CONCURRENTLY ON documents (owner);

-- @ok
TRUNCATE documents RESTART IDENTITY CASCADE;
