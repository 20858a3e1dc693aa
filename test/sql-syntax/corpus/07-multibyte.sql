-- Text outside ASCII before the error: PostgreSQL counts characters, editors count UTF-16 units.
-- é is 2 bytes in UTF-8 and 1 UTF-16 unit; 🔒 and 👩‍💻 are 4 bytes (each code point) and 2 units.

-- @ok
CREATE TABLE café (prénom text, nom text, 🔒 boolean);

-- @error missing comma after a column with an accented name
CREATE TABLE clients (prénom text nom text);

-- @error after an emoji in a string
SELECT '🔒 verrouillé' AS état FORM clients;

-- @error after several emoji and a zero-width joiner
SELECT '👩‍💻👩‍💻👩‍💻' AS développeuse, 'ü' AS ü WHERE;

-- @ok
COMMENT ON TABLE café IS 'Données clients — accès restreint 🔐';

-- @error two strings after a comment with emoji
COMMENT ON TABLE café IS /* 📝 note */ 'a' 'b';

-- @ok
CREATE POLICY "accès_équipe_🔑" ON café USING (nom = current_user);

-- @error misspelt USING after a quoted emoji name
CREATE POLICY "politique_🙂" ON café USIGN (true);

-- @error a line break and accents before the error
SELECT 'première ligne',
       'deuxième 🐘 ligne',
       'troisième' troisième quatrième;

-- @error three quoted identifiers in a row (🙂 inside the first)
SELECT "naïve 🙂" "x" "y" FROM café;

-- @ok
GRANT SELECT ON café TO "rôle_lecture";

-- @error GRANT to a reserved name after accents
GRANT SELECT ON café, "données" TO none;

-- @error numeric junk after an emoji column alias
SELECT 1 AS "🔢", 2abc;

-- @ok a dollar tag with non-ASCII letters
SELECT $é$ corps de fonction $ é $ $é$;

-- @ok a Greek lookalike: Ε (U+0395) is not E, so this is a constant of a type named Ε
SELECT Ε'\n';

-- @ok
SET application_name = 'migration ✅';

-- @error an emoji where an identifier is expected after a dot
SELECT café.🙂 FROM café ORDER BY;

-- @error a supplementary-plane character inside an E'' escape
SELECT E'\U0001F600' AS ok, E'\U00110000' AS too_big;
