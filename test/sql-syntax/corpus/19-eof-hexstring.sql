-- @ok
SELECT X'1F';

-- @error an unterminated hexadecimal string, after text in the comment: café 🙂
SELECT X'1F
