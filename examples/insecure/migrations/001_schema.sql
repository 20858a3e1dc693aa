-- Orders service: multi-tenant schema, as it was found in production.
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  tenant_id bigint NOT NULL,
  name text NOT NULL
);
CREATE TABLE invoices (
  id bigint PRIMARY KEY,
  tenant_id bigint NOT NULL,
  total numeric NOT NULL
);
CREATE TABLE notes (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, body text);
CREATE TABLE audit_log (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
