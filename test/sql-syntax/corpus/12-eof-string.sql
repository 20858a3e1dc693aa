-- A backslash does not escape a quote in a standard string: 'it\' ends there, s is a syntax
-- error, and the quote after s opens a string that runs to the end of the file, so psql sends
-- the rest of the file with this statement.

-- @ok
CREATE TABLE notes (id int, body text);

-- @ok an E'' string does treat \' as an escaped quote
INSERT INTO notes VALUES (1, E'it\'s fine; really');

-- @ok a standard string may end with a backslash
INSERT INTO notes VALUES (3, 'C:\temp\');

-- @error
INSERT INTO notes VALUES (2, 'it\'s broken; the rest of the file is in the string');

ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
