-- Block comments nest in PostgreSQL: an inner comment's */ does not end the outer one.

-- @ok
/* a comment /* with an inner comment */ before the statement */
SELECT 1 /* one /* two */ one */ AS nested;

-- @error the outer comment is never closed
SELECT 2 /* outer /* inner */ still open;

GRANT ALL ON SCHEMA public TO PUBLIC;
