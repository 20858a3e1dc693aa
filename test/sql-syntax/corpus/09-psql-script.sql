-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION tenancy" to load this file. \quit
-- A psql script: meta-commands are psql's, not SQL, and :name, :'name', :"name" are replaced by
-- psql before the server sees the statement. The oracle sends what psql would send, with the
-- values of the \set lines below; positions are mapped back to the file.
\set ON_ERROR_STOP on
\set app_schema app
\set tenant_role 'app_user'
\set owner_role migrator
\connect appdb

-- @ok
CREATE SCHEMA IF NOT EXISTS :"app_schema" AUTHORIZATION :owner_role;

-- @ok
SET search_path = :'app_schema', pg_temp;

-- @ok
GRANT USAGE ON SCHEMA :"app_schema" TO :tenant_role;

-- @error misspelt OPTION after two variables
GRANT SELECT ON ALL TABLES IN SCHEMA :"app_schema" TO :tenant_role WITH GRANT OPTON;

-- @ok
SELECT set_config('search_path', :'app_schema' || ', pg_temp', false);

\echo creating the tables of :app_schema

-- @ok
CREATE TABLE :app_schema.accounts (id int PRIMARY KEY, owner name DEFAULT current_user);

-- @error missing comma after a variable
CREATE TABLE :app_schema.ledgers (id int PRIMARY KEY amount numeric);

-- @ok casts are not variables
SELECT '42'::int, now()::date::text;

-- @ok
ALTER TABLE :app_schema.accounts ENABLE ROW LEVEL SECURITY;

\i common/policies.sql

-- @ok
CREATE POLICY own_rows ON :app_schema.accounts TO :"tenant_role" USING (owner = current_user);

-- @error USING without parentheses after variables
CREATE POLICY own_rows_2 ON :app_schema.accounts TO :tenant_role USING owner = current_user;

\connect postgres

-- @ok
ALTER DEFAULT PRIVILEGES FOR ROLE :owner_role IN SCHEMA :app_schema GRANT SELECT ON TABLES TO :tenant_role;

-- @error an unknown role option after a variable
ALTER ROLE :tenant_role NOLOGN;

\set ON_ERROR_STOP off
-- @ok
DO $$ BEGIN RAISE NOTICE 'done'; END $$;
