-- An unbalanced opening parenthesis: psql does not end a statement at a semicolon inside
-- parentheses, so everything to the end of the file is one statement, rejected at the first ";".

-- @ok
CREATE TABLE paren_docs (id int PRIMARY KEY, tenant_id uuid);

-- @ok
ALTER TABLE paren_docs ENABLE ROW LEVEL SECURITY;

-- @error the USING clause opens two parentheses and closes one
CREATE POLICY paren_tenant ON paren_docs USING ((tenant_id = current_setting('app.tenant_id')::uuid);

GRANT SELECT ON paren_docs TO app_user;

COPY paren_docs TO STDOUT WITH (FORMAT csv, HEADER;
