-- Least-privilege roles; passwords are set outside migrations (psql -v app_password=...).
CREATE ROLE app LOGIN;
ALTER ROLE app PASSWORD :'app_password';
CREATE ROLE reporting NOLOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, invoices, notes TO app;
GRANT SELECT ON invoices TO reporting;
