-- Views, settings, COPY ... PROGRAM, ALTER SYSTEM and statements that cannot run in a transaction.

-- @ok
CREATE VIEW app.my_documents WITH (security_invoker) AS
  SELECT id, body FROM documents WHERE owner = current_user;

-- @ok
CREATE OR REPLACE VIEW app.tenant_documents WITH (security_invoker = true, security_barrier = on) AS
  SELECT * FROM documents
  WITH LOCAL CHECK OPTION;

-- @ok
ALTER VIEW app.my_documents SET (security_invoker = false);

-- @ok
ALTER VIEW app.my_documents RESET (security_barrier);

-- @ok
CREATE MATERIALIZED VIEW app.doc_counts AS SELECT tenant_id, count(*) FROM documents GROUP BY 1 WITH NO DATA;

-- @error WITH options without parentheses
CREATE VIEW app.v1 WITH security_invoker AS SELECT 1;

-- @error missing AS
CREATE VIEW app.v2 SELECT 1;

-- @error CHECK OPTION in the wrong place
CREATE VIEW app.v3 WITH CHECK OPTION AS SELECT 1;

-- @error misspelt CASCADED
CREATE VIEW app.v4 AS SELECT 1 AS a WITH CASCADING CHECK OPTION;

-- @ok
SET search_path = app, public;

-- @ok
SET search_path TO "$user", public, pg_temp;

-- @ok
SET LOCAL app.tenant_id = '6f1c2a7e-0000-4000-8000-000000000001';

-- @ok
SET SESSION statement_timeout = '5s';

-- @ok
SET LOCAL role TO DEFAULT;

-- @ok
SET TIME ZONE 'UTC';

-- @ok
SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE;

-- @error an interval time zone must be HOUR or HOUR TO MINUTE: the grammar checks it
SET TIME ZONE INTERVAL '+02:00' DAY;

-- @ok the grammar's check lets MINUTE alone through
SET TIME ZONE INTERVAL '+02:00' MINUTE;

-- @ok
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE;

-- @ok
RESET app.tenant_id;

-- @ok
SELECT set_config('app.tenant_id', $1::text, true);

-- @error a unit glued to a number is trailing junk
SET statement_timeout = 5s;

-- @error SET LOCAL without a value
SET LOCAL app.tenant_id;

-- @error SET with two equals signs
SET search_path == app;

-- @ok parsed: a name with three parts is refused only when the SET runs
SET app.tenant.id = 'x';

-- @error misspelt ISOLATION
SET TRANSACTION ISOLATON LEVEL SERIALIZABLE;

-- @ok parsed: ALTER SYSTEM cannot run inside a transaction block, but that is found after parsing
ALTER SYSTEM SET log_statement = 'ddl';

-- @ok
ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', 'auto_explain';

-- @ok
ALTER SYSTEM RESET ALL;

-- @ok
ALTER SYSTEM SET listen_addresses TO DEFAULT;

-- @error ALTER SYSTEM SET LOCAL
ALTER SYSTEM SET LOCAL log_statement = 'all';

-- @error ALTER SYSTEM without SET
ALTER SYSTEM ssl = on;

-- @ok
COPY documents (id, body) FROM PROGRAM 'curl -s https://example.com/dump.csv' WITH (FORMAT csv, HEADER true);

-- @ok
COPY (SELECT * FROM documents) TO PROGRAM 'gzip > /tmp/documents.csv.gz' (FORMAT csv);

-- @ok
COPY documents TO STDOUT WITH CSV HEADER FORCE QUOTE *;

-- @ok
COPY documents FROM '/var/lib/postgresql/import.txt' DELIMITER E'\t' NULL '';

-- @error PROGRAM without the command string
COPY documents FROM PROGRAM;

-- @error a query to copy needs parentheses
COPY SELECT * FROM documents TO STDOUT;

-- @ok parsed: CREATE DATABASE cannot run inside a transaction block, found after parsing
CREATE DATABASE appdb WITH OWNER migrator TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'und';

-- @ok
VACUUM (VERBOSE, ANALYZE, PARALLEL 2) documents;

-- @ok
REINDEX (CONCURRENTLY) TABLE documents;

-- @ok
CLUSTER documents USING documents_pkey;

-- @error ANALYZE with an unparenthesized option list
VACUUM documents VERBOSE;

-- @ok
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions VERSION '1.3' CASCADE;

-- @error CREATE EXTENSION with a string name
CREATE EXTENSION 'pgcrypto';

-- @ok
LOCK TABLE documents IN ACCESS EXCLUSIVE MODE NOWAIT;

-- @error misspelt EXCLUSIVE
LOCK TABLE documents IN ACCESS EXCLUSIV MODE;

-- @ok
EXPLAIN (ANALYZE false, FORMAT json) SELECT * FROM documents;

-- @ok
PREPARE get_doc(bigint) AS SELECT * FROM documents WHERE id = $1;

-- @ok
LISTEN tenant_changed;

-- @ok
NOTIFY tenant_changed, 'payload';

-- @error NOTIFY with a non-string payload
NOTIFY tenant_changed, payload;

-- @ok
SECURITY LABEL ON ROLE app_user IS NULL;

-- @ok
CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.internal', dbname 'app', sslmode 'verify-full');

-- @ok
IMPORT FOREIGN SCHEMA public LIMIT TO (accounts) FROM SERVER remote INTO remote_public;

-- @ok
CREATE PUBLICATION pub_docs FOR TABLE documents (id, body) WHERE (tenant_id IS NOT NULL);

-- @ok
CREATE SUBSCRIPTION sub_docs CONNECTION 'host=primary dbname=app password=secret' PUBLICATION pub_docs WITH (connect = false);

-- @error CREATE SUBSCRIPTION without PUBLICATION
CREATE SUBSCRIPTION sub2 CONNECTION 'host=primary';
