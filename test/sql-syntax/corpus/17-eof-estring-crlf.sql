-- CRLF line endings and an E'' string whose closing quote is escaped: \' does not end it.

-- @ok
SELECT E'a\\' AS one_backslash;

-- @error
SELECT E'C:\\temp\' AS path;
SELECT 'next';
