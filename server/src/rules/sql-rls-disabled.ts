import type { SqlRule } from './rule';
import { SEARCH_PATH_TYPES } from '../engine/sql/model';
import { RLS_DOCS, byteRange, codeTokens, historyNodesOfType, lastIndexByKey, listNameAt, nameAt, namedLater, nodesOf, replaceBytes, type HistoryNode, type Node } from './sql-helpers';

const ALTER_TABLE_DOCS = 'https://www.postgresql.org/docs/current/sql-altertable.html';

/** What a statement does that undoes a DISABLE or NO FORCE: `DROP` of a table, or ENABLE/FORCE (the subtype) of one. */
function* undoings(n: HistoryNode): Iterable<string> {
  if (n.type === 'DropStmt' && n.node.removeType === 'OBJECT_TABLE')
    for (const o of n.node.objects ?? []) yield `DROP\0${listNameAt(n, (o.List?.items ?? []).map((x: Node) => x.String?.sval))}`;
  if (n.type !== 'AlterTableStmt') return;
  for (const c of n.node.cmds ?? []) {
    const subtype = c.AlterTableCmd?.subtype;
    if (subtype === 'AT_EnableRowSecurity' || subtype === 'AT_ForceRowSecurity') yield `${subtype}\0${nameAt(n, n.node.relation)}`;
  }
}

/** A later statement of the history turns it back on (ENABLE, resp. FORCE) or drops the table. */
const undoneLater = (nodes: HistoryNode[], after: HistoryNode, table: string, subtype: string): boolean =>
  namedLater(lastIndexByKey(nodes, undoings), after, `${subtype}\0${table}`, `DROP\0${table}`);

export const sqlRlsDisabled: SqlRule = {
  id: 'sql-rls-disabled',
  kind: 'sql',
  // Names resolve through the search_path in force (schemaAt).
  reads: ['AlterTableStmt', 'DropStmt', ...SEARCH_PATH_TYPES],
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'ALTER TABLE … DISABLE ROW LEVEL SECURITY or NO FORCE ROW LEVEL SECURITY, not undone later in the history.',
    why:
      'DISABLE ROW LEVEL SECURITY switches every policy of the table off: each role with a privilege on it sees and ' +
      'changes every row again. NO FORCE exempts the table owner, which is often the role the application connects as. ' +
      'Either one quietly removes tenant isolation.',
    bad: 'ALTER TABLE documents DISABLE ROW LEVEL SECURITY;\n',
    good: 'ALTER TABLE documents DISABLE ROW LEVEL SECURITY;\nUPDATE documents SET owner_id = 1 WHERE owner_id IS NULL;\nALTER TABLE documents ENABLE ROW LEVEL SECURITY;\n',
    fixNotes:
      'Enabling (or forcing) row-level security again hides every row no policy admits from the roles it applies to; ' +
      'with FORCE that includes the owner. A migration that turns it off for a backfill should turn it back on before it ' +
      'ends: a later ENABLE (or FORCE) of the same table in the history silences the finding.',
    references: [
      { title: 'PostgreSQL: Row Security Policies', url: RLS_DOCS },
      { title: 'PostgreSQL: ALTER TABLE (ROW LEVEL SECURITY)', url: ALTER_TABLE_DOCS },
    ],
  },
  check(ctx, report) {
    const nodes = historyNodesOfType(ctx.history, 'AlterTableStmt', 'DropStmt');
    for (const n of nodesOf(ctx, ['AlterTableStmt'])) {
      const turnsOff = (n.node.cmds ?? []).some((c: Node) => c.AlterTableCmd?.subtype === 'AT_DisableRowSecurity' || c.AlterTableCmd?.subtype === 'AT_NoForceRowSecurity');
      if (!turnsOff) continue;
      const table = nameAt(n, n.node.relation);
      const code = codeTokens(n.stmt);
      const word = (i: number) => code[i]?.text.toUpperCase();
      let from = 0;
      for (const c of n.node.cmds ?? []) {
        const subtype = c.AlterTableCmd?.subtype;
        const disable = subtype === 'AT_DisableRowSecurity';
        if (!disable && subtype !== 'AT_NoForceRowSecurity') continue;
        // ALTER TABLE commands carry no location: find the next DISABLE ROW / NO FORCE ROW after the previous one.
        const i = code.findIndex((_t, k) => k >= from && (disable ? word(k) === 'DISABLE' && word(k + 1) === 'ROW' : word(k) === 'NO' && word(k + 1) === 'FORCE' && word(k + 2) === 'ROW'));
        if (i < 0) break;
        from = i + 1;
        const first = code[i];
        const last = disable ? first : code[i + 1];
        if (undoneLater(nodes, n, table, disable ? 'AT_EnableRowSecurity' : 'AT_ForceRowSecurity')) continue;
        report({
          file: ctx.analysis.file,
          range: byteRange(n.analysis, n.stmt, first.start, last.end),
          message: disable
            ? `This turns row-level security on ${table} off: every role with a privilege on it sees and changes every row again, whatever its policies say. Keep it enabled, or enable it again before the migration ends.`
            : `NO FORCE lets the owner of ${table} (often the application's own role) bypass its policies again. Keep row-level security forced.`,
          fixes: [
            disable
              ? {
                  title: 'Enable row-level security instead (rows no policy admits disappear for every role but the owner, superusers and BYPASSRLS roles)',
                  safety: 'manual',
                  edits: [replaceBytes(n.analysis, n.stmt, first.start, last.end, first.text === 'disable' ? 'enable' : 'ENABLE')],
                }
              : {
                  title: 'Force row-level security instead (the owner obeys the policies too)',
                  safety: 'manual',
                  edits: [replaceBytes(n.analysis, n.stmt, first.start, last.end, first.text === 'no' ? 'force' : 'FORCE')],
                },
          ],
        });
      }
    }
  },
};
