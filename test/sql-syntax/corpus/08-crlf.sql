-- A file with Windows line endings (CRLF): the \r is whitespace to PostgreSQL, and positions
-- are counted per line, so the \r at the end of each line never shifts a column.

-- @ok
CREATE TABLE crlf_accounts (
  id int PRIMARY KEY,
  owner text NOT NULL
);

-- @ok
ALTER TABLE crlf_accounts ENABLE ROW LEVEL SECURITY;

-- @error misspelt POLICY
CREATE POLICI crlf_owner ON crlf_accounts USING (owner = current_user);

-- @ok
CREATE POLICY crlf_owner ON crlf_accounts
  FOR ALL
  USING (owner = current_user)
  WITH CHECK (owner = current_user);

-- @error missing comma on the second line of a column list
CREATE TABLE crlf_broken (
  id int
  owner text
);

-- @ok
GRANT SELECT ON crlf_accounts TO app_user;

-- @error a stray word on the third line
REVOKE ALL
  ON crlf_accounts
  FROM PUBLIC extra;

-- @ok a string spanning lines keeps its CRLF
COMMENT ON TABLE crlf_accounts IS 'line one
line two';

-- @error after a multi-line string, on its last line
SELECT 'line one
line two' wrong words;

-- @ok
CREATE FUNCTION crlf_f() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RETURN 1;
END
$$;

-- @error an error at the start of a line
SELECT 1
FROM crlf_accounts
WHERE
ORDER BY 1;

-- @error after é and 🙂 on a CRLF line
SELECT 'é🙂' AS x
     , 'y' z w;
