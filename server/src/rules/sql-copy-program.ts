import type { SqlRule } from './rule';
import { nodesOf, wordRange } from './sql-helpers';
import { CIS_POSTGRES } from './hba-helpers';

/** What the rule reads and walks. */
const COPIES = ['CopyStmt'];

export const sqlCopyProgram: SqlRule = {
  id: 'sql-copy-program',
  kind: 'sql',
  reads: COPIES,
  severity: 'warning',
  fix: 'none',
  docs: {
    summary: 'COPY … TO PROGRAM / FROM PROGRAM: a shell command run on the database server.',
    why:
      'COPY … PROGRAM hands its string to the server\'s shell, running as the operating-system user PostgreSQL runs ' +
      'as, with access to the data directory and everything that user can reach. It needs superuser or ' +
      'pg_execute_server_program, so a migration that uses it also needs a role that can take the server over; and ' +
      'anything that builds the command from data is a remote shell.',
    bad: "COPY audit_log TO PROGRAM 'gzip > /var/backups/audit.csv.gz' WITH (FORMAT csv);\n",
    good: '-- run by the client, with the client\'s own files and rights:\n\\copy audit_log TO \'audit.csv\' WITH (FORMAT csv)\n',
    references: [
      { title: 'PostgreSQL: COPY (PROGRAM)', url: 'https://www.postgresql.org/docs/current/sql-copy.html' },
      { title: 'PostgreSQL: Predefined Roles (pg_execute_server_program)', url: 'https://www.postgresql.org/docs/current/predefined-roles.html' },
      { title: 'CIS PostgreSQL Benchmark', url: CIS_POSTGRES },
    ],
  },
  check(ctx, report) {
    for (const n of nodesOf(ctx, COPIES)) {
      if (!n.node.is_program) continue;
      report({
        file: ctx.analysis.file,
        range: wordRange(n.analysis, n.stmt, 'PROGRAM'),
        message:
          "COPY … PROGRAM runs a shell command on the database server as PostgreSQL's operating-system user, and needs a role that can take the server over. " +
          'Move the data with psql\'s \\copy or the application instead.',
      });
    }
  },
};
