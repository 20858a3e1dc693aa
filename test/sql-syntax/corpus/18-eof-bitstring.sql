-- @ok
SELECT B'1010' | B'0101';

-- @error an unterminated bit string
SELECT B'1010
