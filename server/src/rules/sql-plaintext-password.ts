import type { SqlContext, SqlRule } from './rule';
import { nodesOf, isPsqlVariable, replaceBytes, stringTokenAfter, type HistoryNode } from './sql-helpers';
import type { ScanToken } from 'libpg-query';
import { isMd5Hash, isScramVerifier, scramVerifier } from '../engine/scram';
import { CREATE_ROLE_DOCS, roleOf } from './sql-superuser-role';
import { RecentMap } from '../engine/recent';

export const AUTH_PASSWORD_DOCS = 'https://www.postgresql.org/docs/current/auth-password.html';

export interface PasswordLiteral {
  n: HistoryNode;
  role: string;
  /** The password as PostgreSQL receives it (escapes resolved). */
  value: string;
  token: ScanToken;
}

/** The statements that can set a password: what the rule reads and walks. */
const PASSWORD_STATEMENTS = ['CreateRoleStmt', 'AlterRoleStmt'];

/** PASSWORD '…' literals of CREATE/ALTER ROLE (USER, GROUP) in the checked file; psql variables (:'pw') and PASSWORD NULL are not literals. */
export function passwordLiterals(ctx: SqlContext): PasswordLiteral[] {
  const out: PasswordLiteral[] = [];
  for (const n of nodesOf(ctx, PASSWORD_STATEMENTS)) {
    for (const o of n.node.options ?? []) {
      const d = o.DefElem;
      const value = d?.defname === 'password' ? d.arg?.String?.sval : undefined;
      if (typeof value !== 'string') continue;
      const token = stringTokenAfter(n.stmt, d.location);
      if (!token || isPsqlVariable(n.analysis, n.stmt, token.start)) continue;
      out.push({ n, role: roleOf(n), value, token });
    }
  }
  return out;
}

/**
 * The fix's verifier, computed once per password and kept for later checks: 4,096 rounds of
 * PBKDF2 on every keystroke cost more than the rest of the rule. Only what the open files hold.
 */
const verifiers = new RecentMap<string, string>(256);
function verifierFor(password: string): string {
  // Set again on every use, so the passwords of the files being edited are the last to go.
  const v = verifiers.get(password) ?? scramVerifier(password);
  verifiers.set(password, v);
  return v;
}

export const sqlPlaintextPassword: SqlRule = {
  id: 'sql-plaintext-password',
  kind: 'sql',
  reads: PASSWORD_STATEMENTS,
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: "CREATE/ALTER ROLE … PASSWORD '…' with a clear-text password (anything but a SCRAM-SHA-256 verifier or an MD5 hash).",
    why:
      'A password in a migration is readable by everyone who can read the repository, forever (it stays in the ' +
      'history after it is changed), and PostgreSQL writes the statement, password included, to the server log when ' +
      'it logs DDL or the statement fails. PostgreSQL accepts a SCRAM-SHA-256 verifier in place of the password and ' +
      'stores it as is: the role logs in with the same password, and the file no longer contains it.',
    bad: "CREATE ROLE app LOGIN PASSWORD 'correct horse battery staple';\n",
    good:
      "CREATE ROLE app LOGIN PASSWORD 'SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$5ZYEbgx2oIM3fZnh8TduMjqml9cWqbXQbEZWmn915Ik=:6sv9J26dRZ6UzzzrfUNYjbMnEf5W9S+QtAvKkuddjcI=';\n" +
      "-- or keep the secret out of the file: psql -v app_password=… -f migration.sql\nALTER ROLE app PASSWORD :'app_password';\n",
    fixNotes:
      'The fix replaces the literal with a SCRAM-SHA-256 verifier computed here from it (random salt, 4096 iterations, ' +
      'as PostgreSQL computes it): the role keeps its password, but clients that cannot do SCRAM (libpq before 10, old ' +
      'drivers and poolers) can no longer log in as it. The verifier can still be attacked offline by guessing, and the ' +
      'password itself stays in the repository history: change it. Pass real secrets as psql variables or set them ' +
      'outside migrations.',
    references: [
      { title: 'PostgreSQL: CREATE ROLE (PASSWORD, pre-hashed passwords)', url: CREATE_ROLE_DOCS },
      { title: 'PostgreSQL: Password Authentication', url: AUTH_PASSWORD_DOCS },
      { title: 'RFC 5802: SCRAM', url: 'https://www.rfc-editor.org/rfc/rfc5802' },
    ],
  },
  check(ctx, report) {
    for (const { n, role, value, token } of passwordLiterals(ctx)) {
      // '' clears the password (PostgreSQL says so and stores none): nothing secret in it.
      if (value === '' || isMd5Hash(value) || isScramVerifier(value)) continue;
      // The verifier (4,096 rounds of PBKDF2) is computed when the fix is read: a check that only
      // reports (the CLI's) never needs it.
      const { file, range } = replaceBytes(n.analysis, n.stmt, token.start, token.end, '');
      let verifier: string | undefined;
      const edit = {
        file,
        range,
        get newText() {
          return (verifier ??= `'${verifierFor(value)}'`);
        },
      };
      report({
        file: ctx.analysis.file,
        range: edit.range,
        message:
          `The password of ${role} is written here in clear text: it stays in the repository's history and reaches the server log with this statement. ` +
          'Store a SCRAM-SHA-256 verifier instead, and change the password.',
        fixes: [
          {
            title: 'Replace it with a SCRAM-SHA-256 verifier of the same password (clients without SCRAM can no longer log in; still change the password)',
            safety: 'manual',
            edits: [edit],
          },
        ],
      });
    }
  },
};
