-- An unterminated quoted identifier, with text outside ASCII after it.

-- @ok
CREATE TABLE "Straße" ("größe" int);

-- @error
SELECT "größe FROM "Straße";
-- ümlaut 🙂 at the end
