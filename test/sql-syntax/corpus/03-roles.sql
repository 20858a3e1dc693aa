-- Roles and their attributes.

-- @ok
CREATE ROLE app_user NOLOGIN;

-- @ok
CREATE ROLE app_admin WITH LOGIN PASSWORD 'correct horse battery staple' VALID UNTIL '2030-01-01';

-- @ok
CREATE ROLE etl LOGIN SUPERUSER BYPASSRLS CREATEROLE CREATEDB REPLICATION CONNECTION LIMIT 5;

-- @ok
CREATE USER migrator WITH ENCRYPTED PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2VydmVy';

-- @ok
CREATE ROLE readonly WITH NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS PASSWORD NULL;

-- @ok
CREATE ROLE reporting IN ROLE readonly ROLE alice, bob ADMIN carol;

-- @ok
CREATE GROUP auditors WITH USER alice, bob;

-- @ok
ALTER ROLE app_user WITH LOGIN PASSWORD 'new secret' CONNECTION LIMIT -1;

-- @ok
ALTER ROLE app_user SET search_path = app, pg_temp;

-- @ok
ALTER ROLE ALL IN DATABASE appdb SET statement_timeout TO '5s';

-- @ok
ALTER ROLE CURRENT_USER RESET ALL;

-- @ok
ALTER USER app_admin RENAME TO app_owner;

-- @ok
ALTER ROLE app_admin NOBYPASSRLS NOSUPERUSER;

-- @ok
DROP ROLE IF EXISTS old_admin, old_reader;

-- @error UNENCRYPTED PASSWORD is refused by the grammar itself
CREATE ROLE legacy LOGIN UNENCRYPTED PASSWORD 'plain';

-- @error misspelt SUPERUSER is an unknown role option
CREATE ROLE ops WITH SUPERUSR LOGIN;

-- @error misspelt BYPASSRLS
ALTER ROLE ops BYPASS_RLS;

-- @error PASSWORD without a value
CREATE ROLE ops2 LOGIN PASSWORD;

-- @error the password must be a string, not an identifier
CREATE ROLE ops3 LOGIN PASSWORD secret;

-- @error "public" is a reserved role name
CREATE ROLE public;

-- @error CURRENT_USER cannot be created
CREATE ROLE current_user;

-- @error "none" is a reserved role name
ALTER ROLE none SET work_mem = '4MB';

-- @error CONNECTION LIMIT needs a number
CREATE ROLE ops4 CONNECTION LIMIT unlimited;

-- @error VALID UNTIL without a string
CREATE ROLE ops5 VALID UNTIL 2030;

-- @error IN GROUP needs role names
CREATE ROLE ops6 IN GROUP;

-- @ok
CREATE ROLE "Mixed Case Role" WITH LOGIN;

-- @ok
CREATE ROLE ops7 SYSID 1234;

-- @error ALTER ROLE cannot add members
ALTER ROLE readonly ADD USER alice;

-- @ok
ALTER GROUP readonly ADD USER alice, bob;

-- @ok
SET ROLE app_admin;

-- @ok
SET SESSION AUTHORIZATION DEFAULT;

-- @ok
RESET ROLE;

-- @error SET ROLE to two roles
SET ROLE app_admin, app_user;

-- @ok
CREATE USER MAPPING FOR app_user SERVER remote OPTIONS (user 'remote_user', password 'remote secret');

-- @error OPTIONS values must be strings
CREATE USER MAPPING FOR app_user SERVER remote OPTIONS (user remote_user);
