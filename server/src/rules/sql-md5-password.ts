import type { SqlRule } from './rule';
import { byteRange, ROLE_STATEMENTS } from './sql-helpers';
import { isMd5Hash } from '../engine/scram';
import { AUTH_PASSWORD_DOCS, passwordLiterals } from './sql-plaintext-password';
import { CREATE_ROLE_DOCS, undoneLater } from './sql-superuser-role';

export const sqlMd5Password: SqlRule = {
  id: 'sql-md5-password',
  kind: 'sql',
  reads: ROLE_STATEMENTS,
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: "CREATE/ALTER ROLE … PASSWORD 'md5…': a pre-hashed MD5 password.",
    why:
      'With md5 authentication the stored hash is all a client needs to log in (the challenge is computed from the ' +
      'hash, not the password), so whoever reads the migration can connect as the role. MD5 passwords cannot be used ' +
      'with scram-sha-256 authentication at all, and PostgreSQL 18 deprecates them.',
    bad: "CREATE ROLE app LOGIN PASSWORD 'md53175bce1d3201d16594cebf9d7eb3f9d';\n",
    good: "CREATE ROLE app LOGIN PASSWORD 'SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$5ZYEbgx2oIM3fZnh8TduMjqml9cWqbXQbEZWmn915Ik=:6sv9J26dRZ6UzzzrfUNYjbMnEf5W9S+QtAvKkuddjcI=';\n",
    fixNotes:
      'An MD5 hash cannot be turned into a SCRAM verifier without the password, so there is no automatic edit: choose ' +
      'a new password, put its SCRAM-SHA-256 verifier here (or pass it as a psql variable), and give it to the clients. ' +
      'A later ALTER ROLE … PASSWORD or DROP ROLE in the migration history silences the finding.',
    references: [
      { title: 'PostgreSQL: Password Authentication (md5 and scram-sha-256)', url: AUTH_PASSWORD_DOCS },
      { title: 'PostgreSQL: CREATE ROLE (pre-hashed passwords)', url: CREATE_ROLE_DOCS },
    ],
  },
  check(ctx, report) {
    for (const { n, role, value, token } of passwordLiterals(ctx)) {
      if (!isMd5Hash(value) || undoneLater(ctx, n, role, 'password')) continue;
      report({
        file: ctx.analysis.file,
        range: byteRange(n.analysis, n.stmt, token.start, token.end),
        message:
          `This MD5 hash is enough to log in as ${role} wherever md5 authentication is allowed, so anyone who reads this file can; MD5 passwords are also deprecated. ` +
          'Set a new password as a SCRAM-SHA-256 verifier.',
        fixes: [
          {
            title: `Set a new password for ${role} as a SCRAM-SHA-256 verifier (an MD5 hash cannot be converted: clients need the new password)`,
            safety: 'manual',
            edits: [],
          },
        ],
      });
    }
  },
};
