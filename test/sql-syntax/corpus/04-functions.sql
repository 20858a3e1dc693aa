-- Functions, procedures and DO blocks: dollar quotes, nested tags, SECURITY DEFINER.
-- PL/pgSQL bodies are strings to PostgreSQL's parser: a mistake inside one is only found when the
-- function is created (the language's validator), not by the parser.

-- @ok
CREATE OR REPLACE FUNCTION app.set_tenant(tenant uuid)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM set_config('app.tenant_id', tenant::text, true);
END;
$$;

-- @ok nested dollar tags, and $$ inside a string inside the body
CREATE FUNCTION app.run_as_owner(q text) RETURNS SETOF record
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
AS $fn$
DECLARE
  marker text := '$$ is not the end';
BEGIN
  RETURN QUERY EXECUTE format($q$SELECT %s, '$$'$q$, quote_literal(q));
END
$fn$;

-- @ok a semicolon and quotes in the body do not end the statement
CREATE FUNCTION app.semi() RETURNS text LANGUAGE sql IMMUTABLE AS $body$ SELECT 'a;b' || $$;'$$ $body$;

-- @ok
CREATE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS integer
  LANGUAGE sql STRICT PARALLEL SAFE LEAKPROOF COST 1
  RETURN a + b;

-- @ok SQL-standard body: semicolons inside BEGIN ATOMIC ... END
CREATE FUNCTION app.tenant_count() RETURNS bigint
LANGUAGE sql STABLE SECURITY INVOKER
BEGIN ATOMIC
  SELECT count(*) FROM tenants;
END;

-- @ok CASE ... END inside BEGIN ATOMIC
CREATE PROCEDURE app.bump(n int)
LANGUAGE sql
BEGIN ATOMIC
  UPDATE documents SET body = CASE WHEN n > 0 THEN 'x' ELSE body END;
  DELETE FROM sessions WHERE expires < now();
END;

-- @ok
CREATE FUNCTION app.check_owner() RETURNS trigger LANGUAGE plpgsql AS '
BEGIN
  IF NEW.owner <> current_user THEN
    RAISE EXCEPTION ''not yours'';
  END IF;
  RETURN NEW;
END';

-- @ok
CREATE TRIGGER documents_owner BEFORE INSERT OR UPDATE OF owner ON documents
  FOR EACH ROW WHEN (NEW.owner IS DISTINCT FROM OLD.owner) EXECUTE FUNCTION app.check_owner();

-- @ok parsed: the broken PL/pgSQL inside is the validator's business, at CREATE time
CREATE FUNCTION app.broken_body() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  SELEC 1;
END
$$;

-- @ok
ALTER FUNCTION app.set_tenant(uuid) SECURITY INVOKER RESET ALL;

-- @ok
ALTER FUNCTION app.run_as_owner(text) SET search_path = app, pg_temp;

-- @ok
ALTER PROCEDURE app.bump(int) OWNER TO migrator;

-- @ok
ALTER ROUTINE app.add(integer, integer) RENAME TO plus;

-- @error SECURITY without DEFINER or INVOKER
CREATE FUNCTION app.f1() RETURNS int LANGUAGE sql SECURITY AS $$ SELECT 1 $$;

-- @error misspelt DEFINER
CREATE FUNCTION app.f2() RETURNS int LANGUAGE sql SECURITY DEFINOR AS $$ SELECT 1 $$;

-- @error SET search_path without a value
CREATE FUNCTION app.f3() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path AS $$ SELECT 1 $$;

-- @error a parameter list without parentheses
CREATE FUNCTION app.f4 RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;

-- @error RETURNS without a type
CREATE FUNCTION app.f5() RETURNS LANGUAGE sql AS $$ SELECT 1 $$;

-- @error missing comma between parameters
CREATE FUNCTION app.f6(a int b int) RETURNS int LANGUAGE sql AS $$ SELECT a + b $$;

-- @error AS followed by an unquoted body
CREATE FUNCTION app.f7() RETURNS int LANGUAGE sql AS SELECT 1;

-- @error two bodies are allowed only for C functions; three strings is junk
CREATE FUNCTION app.f8() RETURNS int LANGUAGE c AS 'lib', 'sym', 'extra';

-- @ok
CREATE FUNCTION app.f9() RETURNS int LANGUAGE c AS '$libdir/app', 'f9';

-- @error dollar tags do not nest by name: $a$ closes at the first $a$
CREATE FUNCTION app.f10() RETURNS text LANGUAGE sql AS $a$ SELECT $a$ inner $a$ $a$;

-- @ok $1 is a parameter, not a dollar quote
CREATE FUNCTION app.f11(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 + 1 $$;

-- @ok
DO $$
BEGIN
  EXECUTE format('GRANT SELECT ON %I TO app_user', 'documents');
  RAISE NOTICE 'granted: %', 'documents';
END
$$;

-- @ok
DO LANGUAGE plpgsql $do$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'app' LOOP
    EXECUTE format($f$ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY$f$, r.tablename);
  END LOOP;
END
$do$;

-- @ok parsed even though the block has no BEGIN: only the language checks the body
DO $$ PERFORM 1; $$;

-- @ok parsed: a DO without a body is refused only when it runs
DO LANGUAGE plpgsql;

-- @error DO with a trailing word
DO $$ BEGIN NULL; END $$ now;

-- @ok
CALL app.bump(1);

-- @error CALL without parentheses
CALL app.bump;

-- @ok
SELECT set_config('search_path', 'app, pg_temp', false);

-- @ok
DROP FUNCTION IF EXISTS app.f1(), app.f2() CASCADE;

-- @error DROP FUNCTION with a trailing comma
DROP FUNCTION app.f1(), ;

-- @ok identifiers may contain dollar signs: price$$ is a name, not a dollar quote
SELECT 1 AS price$$, 2 AS a$b$;

-- @ok
CREATE EVENT TRIGGER no_public_schema ON ddl_command_end WHEN TAG IN ('CREATE SCHEMA') EXECUTE FUNCTION app.check_ddl();
