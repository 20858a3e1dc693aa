-- @ok
CREATE TABLE memo (id int, body text);

-- @error a doubled quote is an escaped quote: the string never ends
COMMENT ON TABLE memo IS 'it''s unterminated;

ALTER TABLE memo ENABLE ROW LEVEL SECURITY;
