-- A function body whose closing dollar tag is misspelt: the dollar quote never ends.

-- @ok
CREATE FUNCTION app.ok() RETURNS int LANGUAGE sql AS $body$ SELECT 1 $body$;

-- @error
CREATE FUNCTION app.leaky() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
AS $body$
BEGIN
  DELETE FROM sessions;
END
$bdy$;

REVOKE ALL ON FUNCTION app.leaky() FROM PUBLIC;
