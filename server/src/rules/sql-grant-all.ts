import type { SqlRule } from './rule';
import { byteRange, codeTokens, nodesOf, replaceBytes } from './sql-helpers';
import { GRANT_DOCS, PRIVILEGES_DOCS, grantObjects } from './sql-grant-public';

/** What the rule reads and walks. */
const GRANTS = ['GrantStmt', 'AlterDefaultPrivilegesStmt'];

export const sqlGrantAll: SqlRule = {
  id: 'sql-grant-all',
  kind: 'sql',
  reads: GRANTS,
  severity: 'information',
  fix: 'manual',
  docs: {
    summary: 'GRANT ALL [PRIVILEGES] on tables (ON TABLE …, ON ALL TABLES IN SCHEMA …, and default privileges ON TABLES).',
    why:
      'ALL on a table is more than reading and writing rows: TRUNCATE empties it in one statement and is not subject ' +
      'to row-level security, TRIGGER lets the grantee attach code that runs as whoever writes to the table next, ' +
      'REFERENCES lets it probe values through foreign keys, and from PostgreSQL 17 MAINTAIN lets it VACUUM, ANALYZE, ' +
      'CLUSTER, REINDEX and lock the table. Applications rarely need any of them.',
    bad: 'GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA app TO app_user;\n',
    good: 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO app_user;\n',
    fixNotes:
      'The fix grants SELECT, INSERT, UPDATE, DELETE instead: the grantee loses TRUNCATE, REFERENCES, TRIGGER (and ' +
      'MAINTAIN), and whatever used them fails until it is granted explicitly.',
    references: [
      { title: 'PostgreSQL: GRANT', url: GRANT_DOCS },
      { title: 'PostgreSQL: Privileges', url: PRIVILEGES_DOCS },
    ],
  },
  check(ctx, report) {
    const extra = ctx.pgVersion >= 17 ? 'TRUNCATE, REFERENCES, TRIGGER and MAINTAIN' : 'TRUNCATE, REFERENCES and TRIGGER';
    for (const n of nodesOf(ctx, GRANTS)) {
      // GRANT ALL has no privileges list: a lone statement whose JSON has one is not decoded.
      if (n.stmt.types.length === 1 && n.stmt.jsonIncludes('"privileges":')) continue;
      const g = n.type === 'GrantStmt' ? n.node : n.node.action;
      if (!g?.is_grant || g.privileges || g.objtype !== 'OBJECT_TABLE') continue;
      const code = codeTokens(n.stmt);
      const grant = code.findIndex((t) => t.text.toUpperCase() === 'GRANT');
      const all = code[grant + 1];
      if (!all || all.text.toUpperCase() !== 'ALL') continue;
      const end = code[grant + 2]?.text.toUpperCase() === 'PRIVILEGES' ? code[grant + 2] : all;
      const what =
        n.type === 'AlterDefaultPrivilegesStmt'
          ? 'every table created later'
          : g.targtype === 'ACL_TARGET_ALL_IN_SCHEMA'
            ? `every table in schema ${grantObjects(g).join(', ')}`
            : grantObjects(g).join(', ');
      report({
        file: ctx.analysis.file,
        range: byteRange(n.analysis, n.stmt, all.start, end.end),
        message: `ALL on ${what} includes ${extra}, which let the grantee empty tables past row-level security or run code as other users. Grant the privileges it uses.`,
        fixes: [
          {
            title: `Grant SELECT, INSERT, UPDATE, DELETE only (the grantee loses ${extra})`,
            safety: 'manual',
            edits: [replaceBytes(n.analysis, n.stmt, all.start, end.end, 'SELECT, INSERT, UPDATE, DELETE')],
          },
        ],
      });
    }
  },
};
