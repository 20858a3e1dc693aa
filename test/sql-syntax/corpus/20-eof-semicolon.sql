-- Statements that end where the text ends, with and without a semicolon.

-- @error a GRANT cut short right before its semicolon
GRANT SELECT ON documents TO;

-- @error ALTER TABLE cut short before its semicolon
ALTER TABLE documents ENABLE;

-- @error CREATE POLICY cut short before its semicolon
CREATE POLICY p ON documents USING;

-- @error the last statement, with no semicolon, cut short
REVOKE ALL ON documents FROM
