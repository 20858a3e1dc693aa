-- The last statement is cut short and the file has no final newline.

-- @ok
CREATE ROLE cut_short NOLOGIN;

-- @error PostgreSQL reaches the end of its input in the middle of GRANT
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA app TO