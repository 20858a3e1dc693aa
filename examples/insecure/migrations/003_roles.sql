-- Roles and grants.
CREATE ROLE app LOGIN PASSWORD 'hunter2-but-longer';
CREATE ROLE ops LOGIN SUPERUSER PASSWORD 'md5a3556571e93b0d20722ba62be61e8c2d';
CREATE ROLE reporting BYPASSRLS;
GRANT ALL ON ALL TABLES IN SCHEMA public TO app;
GRANT SELECT ON invoices TO PUBLIC;
GRANT pg_read_server_files TO reporting;
