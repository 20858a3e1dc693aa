-- A $$ inside a string inside a $$-quoted body ends the body: the rest is SQL again, and its
-- next quote opens a string that runs to the end of the file.

-- @ok with another tag, $$ inside the body is just text
DO $body$
BEGIN
  RAISE NOTICE 'cost: $$ %', 5;
END
$body$;

-- @error
DO $$
BEGIN
  RAISE NOTICE 'cost: $$ %', 5;
END
$$;

SELECT 'after';
