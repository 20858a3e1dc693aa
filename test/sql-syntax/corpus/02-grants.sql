-- GRANT, REVOKE and default privileges.

-- @ok
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- @ok
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- @ok
GRANT USAGE ON SCHEMA app TO app_user;

-- @ok
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO app_user;

-- @ok
GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO PUBLIC;

-- @ok
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA app, audit TO app_user WITH GRANT OPTION;

-- @ok
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;

-- @ok
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA app FROM PUBLIC CASCADE;

-- @ok
GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA app TO app_admin;

-- @ok
GRANT EXECUTE ON FUNCTION app.set_tenant(uuid) TO app_user;

-- @ok
REVOKE EXECUTE ON FUNCTION app.set_tenant(tenant uuid, OUT ok boolean) FROM PUBLIC;

-- @ok
GRANT SELECT (id, name), UPDATE (name) ON TABLE tenants TO app_user;

-- @ok
GRANT SELECT ON tenants, documents TO GROUP readers, CURRENT_USER, SESSION_USER;

-- @ok
REVOKE GRANT OPTION FOR SELECT ON documents FROM app_user RESTRICT;

-- @ok
GRANT TRUNCATE, REFERENCES, TRIGGER, MAINTAIN ON documents TO app_admin GRANTED BY CURRENT_ROLE;

-- @ok
GRANT CONNECT, TEMPORARY ON DATABASE appdb TO app_user;

-- @ok
REVOKE TEMP ON DATABASE appdb FROM PUBLIC;

-- @ok
GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO app_admin;

-- @ok
GRANT USAGE ON LANGUAGE plpgsql TO app_user;

-- @ok
GRANT SELECT ON LARGE OBJECT 16409 TO app_user;

-- @ok
GRANT SET, ALTER SYSTEM ON PARAMETER log_statement, "app.tenant_id" TO app_admin;

-- @ok
GRANT pg_read_all_data, pg_write_all_data TO etl WITH ADMIN OPTION;

-- @ok
GRANT app_admin TO alice WITH INHERIT FALSE, SET TRUE, ADMIN OPTION;

-- @ok
REVOKE ADMIN OPTION FOR app_admin FROM alice;

-- @ok
GRANT pg_execute_server_program TO etl GRANTED BY postgres;

-- @error misspelt PRIVILEGES
GRANT ALL PRIVILEDGES ON ALL TABLES IN SCHEMA app TO app_user;

-- @error IN SCHEMA without ALL TABLES
GRANT SELECT ON TABLES IN SCHEMA app TO app_user;

-- @error missing TO
GRANT SELECT ON documents app_user;

-- @error REVOKE with TO instead of FROM
REVOKE SELECT ON documents TO app_user;

-- @error GRANT with FROM instead of TO
GRANT SELECT ON documents FROM app_user;

-- @error the role name "none" is reserved
GRANT SELECT ON documents TO none;

-- @error missing comma between privileges
GRANT SELECT INSERT ON documents TO app_user;

-- @error trailing comma in the grantee list
GRANT SELECT ON documents TO app_user, ;

-- @error WITH GRANT OPTION misspelt
GRANT SELECT ON documents TO app_user WITH GRANT OPTIONS;

-- @error ON ALL TABLE, singular
REVOKE ALL ON ALL TABLE IN SCHEMA public FROM PUBLIC;

-- @error GRANT of a privilege to a role list without TO, and a stray semicolon-free junk word
GRANT USAGE ON SCHEMA app TO app_user please;

-- @ok
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO app_user;

-- @ok
ALTER DEFAULT PRIVILEGES FOR ROLE migrator IN SCHEMA app REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- @ok
ALTER DEFAULT PRIVILEGES FOR USER migrator, deployer GRANT USAGE ON SEQUENCES TO app_user;

-- @ok
ALTER DEFAULT PRIVILEGES REVOKE ALL ON ROUTINES FROM PUBLIC;

-- @ok
ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO PUBLIC;

-- @ok parsed: the IN SCHEMA + SCHEMAS conflict is only reported when it runs
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE ON SCHEMAS TO app_user;

-- @ok PostgreSQL 18: default privileges on large objects
ALTER DEFAULT PRIVILEGES GRANT SELECT ON LARGE OBJECTS TO app_user;

-- @error ON TABLE (singular) in default privileges
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLE TO app_user;

-- @error IN SCHEMA after the GRANT
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES IN SCHEMA app TO app_user;

-- @error ALL TABLES in default privileges
ALTER DEFAULT PRIVILEGES GRANT SELECT ON ALL TABLES TO app_user;

-- @error missing PRIVILEGES
ALTER DEFAULT IN SCHEMA app GRANT SELECT ON TABLES TO app_user;

-- @ok
REASSIGN OWNED BY old_admin, CURRENT_USER TO postgres;

-- @ok
DROP OWNED BY old_admin CASCADE;

-- @error REASSIGN without TO
REASSIGN OWNED BY old_admin postgres;

-- @ok
ALTER SCHEMA app OWNER TO migrator;

-- @ok
CREATE SCHEMA IF NOT EXISTS app AUTHORIZATION migrator;

-- @error IF NOT EXISTS with a schema element is rejected by the grammar
CREATE SCHEMA IF NOT EXISTS app2 AUTHORIZATION migrator CREATE TABLE t (a int);

-- @ok
SECURITY LABEL FOR selinux ON TABLE documents IS 'system_u:object_r:sepgsql_table_t:s0';

-- @ok
COMMENT ON POLICY tenant_isolation ON documents IS 'Rows of the tenant named by app.tenant_id';
