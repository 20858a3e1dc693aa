-- Strings, identifiers, comments and numbers: what PostgreSQL's scanner accepts and rejects.

-- @ok
SELECT 'it''s', E'it\'s', E'tab\there', $$it's$$, $tag$a $$ b$tag$;

-- @ok adjacent string constants separated by a newline are one constant
SELECT 'app.'
  'tenant_id';

-- @error adjacent string constants on one line are not
SELECT 'app.' 'tenant_id';

-- @ok
SELECT U&'d\0061t\+000061', U&'d!0061t' UESCAPE '!', U&"d\0061t" FROM (SELECT 1 AS data) AS t;

-- @error a Unicode escape that is not a valid code point
SELECT U&'\D800';

-- @error a Unicode escape with too few digits
SELECT U&'\06';

-- @error an invalid UESCAPE character
SELECT U&'x' UESCAPE '+';

-- @error a bad Unicode escape in an E'' string
SELECT E'\uD83D';

-- @error a truncated \u escape in an E'' string
SELECT E'\u12';

-- @ok
SELECT B'1010', X'DEADbeef', 0x1F, 0o17, 0b101, 1_000_000, 1.5e-3, .5, 5., 1e+10;

-- @ok parsed: bad bit string digits are found when the value is built, not by the scanner
SELECT B'0123';

-- @error trailing junk after a number
SELECT 123abc;

-- @error an exponent without digits
SELECT 1e;

-- @error a hexadecimal prefix without digits
SELECT 0x;

-- @error an underscore at the end of a number
SELECT 1_000_;

-- @error a doubled underscore in a number
SELECT 1__000;

-- @error trailing junk after a parameter
SELECT $1abc;

-- @error a parameter number that does not fit
SELECT $4294967296;

-- @ok PostgreSQL 16+: an underscore may follow the base prefix
SELECT 0x_1F, 0o_17, 0b_1;

-- @error a binary literal with a digit 2
SELECT 0b102;

-- @error an octal literal with a digit 8
SELECT 0o8;

-- @error two dots after a number
SELECT 1..2;

-- @error a dollar sign that starts neither a parameter nor a dollar quote
SELECT $_1;

-- @error a dollar-quoted string is not an identifier
SELECT 1 AS $$x$$;

-- @ok parsed: parameter $0 does not exist, but that is found later
SELECT $0;

-- @ok \xC3\xA9 is é in UTF-8
SELECT E'\xC3\xA9';

-- @error an escape that makes a byte that is not UTF-8: PostgreSQL names no position
SELECT E'\377' AS not_utf8;

-- @error a zero byte: no position either
SELECT E'\0';

-- @ok
SELECT "weird;name", "with ""quotes""", "-- not a comment", "/* nor this */" FROM (SELECT 1, 2, 3, 4) AS t("weird;name", "with ""quotes""", "-- not a comment", "/* nor this */");

-- @error zero-length quoted identifier
SELECT "" FROM documents;

-- @ok a -- comment with a quote and a semicolon in it does not end the statement
SELECT 1 -- it's; not the end
  + 2;

-- @ok nested block comments
SELECT /* outer /* inner; 'quote */ still a comment */ 42;

-- @ok
SELECT 1 /* a comment with $$ and ' inside */;

-- @error a stray closing parenthesis
SELECT (1 + 2));

-- @error an operator with nothing on its right
SELECT 1 +;

-- @error postfix factorial no longer exists
SELECT 5 !;

-- @ok
SELECT 2 ^ 3, 5 % 2, |/ 25.0, @ -5, 'a' || 'b', ARRAY[1,2] @> ARRAY[1], '{"a":1}'::jsonb ->> 'a';

-- @error an unknown keyword where a clause is expected
SELECT * FORM documents;

-- @error WHERE before FROM
SELECT * WHERE id = 1 FROM documents;

-- @error a misspelt ORDER BY
SELECT * FROM documents ODER BY id;

-- @error LIMIT a, b is MySQL syntax, refused with its own message
SELECT * FROM documents LIMIT 10, 20;

-- @error two ORDER BY clauses
(SELECT 1 ORDER BY 1) ORDER BY 1;

-- @ok
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT sum(n) FROM t;

-- @error a window frame that starts at UNBOUNDED FOLLOWING
SELECT sum(id) OVER (ORDER BY id ROWS UNBOUNDED FOLLOWING) FROM documents;

-- @error float precision of zero bits
SELECT 1::float(0);

-- @ok parsed: an over-large TIMESTAMP precision is only reduced (with a warning) later
SELECT now()::timestamp(7);

-- @error WITH TIES without ORDER BY
SELECT * FROM documents FETCH FIRST 1 ROW WITH TIES;

-- @ok
INSERT INTO documents (tenant_id, owner, body) VALUES ('6f1c2a7e-0000-4000-8000-000000000001', 'alice', 'x'), (DEFAULT, DEFAULT, NULL) ON CONFLICT DO NOTHING RETURNING id;

-- @error VALUES rows without a comma between them
INSERT INTO documents (body) VALUES ('a') ('b');

-- @ok
UPDATE documents SET (body, owner) = (SELECT 'x', 'y') WHERE id = 1 RETURNING *;

-- @error UPDATE without SET
UPDATE documents body = 'x';

-- @ok
DELETE FROM documents USING tenants WHERE documents.tenant_id = tenants.id AND tenants.name = 'gone';

-- @error DELETE without FROM
DELETE documents WHERE id = 1;

-- @ok
MERGE INTO documents d USING tenants t ON d.tenant_id = t.id WHEN MATCHED THEN UPDATE SET body = t.name WHEN NOT MATCHED THEN DO NOTHING;

-- @ok an empty statement
;

-- @ok only a comment
/* nothing here */;

-- @error OVERLAPS with the wrong number of values on the left
SELECT (1, 2, 3) OVERLAPS (4, 5);

-- @ok
CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);

-- @error an operator signature with one argument: the grammar asks for NONE
DROP OPERATOR === (int);
