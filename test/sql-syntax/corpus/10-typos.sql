-- Everyday typos in migrations. A forgotten semicolon joins two statements into one: psql sends
-- them together, so each such pair is one statement here too.

-- @error a forgotten semicolon: the second statement is junk at the end of the first
CREATE TABLE t_a (id int)
CREATE TABLE t_b (id int);

-- @error a forgotten semicolon before ALTER
ALTER TABLE t_a ENABLE ROW LEVEL SECURITY
ALTER TABLE t_a FORCE ROW LEVEL SECURITY;

-- @error a forgotten semicolon between GRANT and REVOKE
GRANT SELECT ON t_a TO app_user
REVOKE ALL ON t_a FROM PUBLIC;

-- @ok a forgotten comma that still parses: total becomes a column alias
SELECT 1 total;

-- @error misspelt CREATE
CRATE TABLE t_c (id int);

-- @error misspelt TABLE
CREATE TALBE t_c (id int);

-- @error misspelt PRIMARY KEY
CREATE TABLE t_c (id int PRIMARY KYE);

-- @error misspelt REFERENCES
CREATE TABLE t_d (c int REFERENCE t_c (id));

-- @error misspelt DEFAULT
CREATE TABLE t_e (created timestamptz DEFUALT now());

-- @ok an unknown type name is not a syntax error
CREATE TABLE t_f (id integr, name txt);

-- @error a type with a space in its name
CREATE TABLE t_g (id big int);

-- @error an extra closing parenthesis
CREATE TABLE t_i (id int));

-- @error a double comma
CREATE TABLE t_j (id int,, name text);

-- @error a comma before FROM
SELECT id, name, FROM t_j;

-- @error a missing comma in the select list with a function call
SELECT id upper(name) FROM t_j;

-- @error trailing junk after a complete statement
DROP TABLE t_j CASCADE please;

-- @error a keyword used as a table name
CREATE TABLE select (id int);

-- @ok a non-reserved keyword is a fine table name
CREATE TABLE policy (id int);

-- @error a reserved keyword as a column alias without AS
SELECT 1 from;

-- @ok
SELECT 1 AS from;

-- @error a single-quoted identifier
CREATE TABLE 'quoted' (id int);

-- @error a backquoted identifier from MySQL
CREATE TABLE `t_k` (id int);

-- @error AUTO_INCREMENT from MySQL
CREATE TABLE t_l (id int AUTO_INCREMENT PRIMARY KEY);

-- @error IF NOT EXISTS in the wrong place
CREATE TABLE t_m IF NOT EXISTS (id int);

-- @error DROP TABLE IF EXIST
DROP TABLE IF EXIST t_m;

-- @error ALTER COLUMN TYPE without the type
ALTER TABLE t_m ALTER COLUMN id TYPE;

-- @error ADD CONSTRAINT without a name or kind
ALTER TABLE t_m ADD CONSTRAINT;

-- @error a string where a number is needed
CREATE TABLE t_n (name varchar('10'));

-- @ok a hash is an operator in PostgreSQL, not a comment
SELECT 5 # 3;

-- @ok a C++ style comment is an operator // applied to a column named comment
SELECT 1 // comment
;

-- @ok equals-equals is a (missing) operator, not a syntax error
SELECT * FROM t_m WHERE id == 1;

-- @ok a stray */ outside a comment is an operator name too
SELECT 1 */ 2;

-- @error but an operator cannot contain /*: it starts a comment, here one that closes
SELECT 1 +/* comment */;
