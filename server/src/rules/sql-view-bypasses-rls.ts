import type { SqlRule } from './rule';
import { RLS_DOCS, tokenRange } from './sql-helpers';
import { MODEL_READS } from '../engine/sql/model';

export const sqlViewBypassesRls: SqlRule = {
  id: 'sql-view-bypasses-rls',
  kind: 'sql',
  reads: MODEL_READS,
  wholeHistory: true,
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'A view over a row-level-security table without security_invoker (PostgreSQL 15+): it runs as its owner.',
    why:
      'A view reads its tables with its owner\'s rights. When the owner is the table owner (not forced) or a ' +
      'BYPASSRLS role, the view shows every row to whoever may select from it, whatever their own policies say.',
    bad: 'CREATE TABLE notes (id int, tenant_id int);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY tenant ON notes USING (tenant_id = 1);\nCREATE VIEW recent_notes AS SELECT * FROM notes;\n',
    good: 'CREATE TABLE notes (id int, tenant_id int);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY tenant ON notes USING (tenant_id = 1);\nCREATE VIEW recent_notes WITH (security_invoker = true) AS SELECT * FROM notes;\n',
    fixNotes: 'With security_invoker the caller needs privileges on the underlying tables, and sees only what their policies admit.',
    references: [
      { title: 'PostgreSQL: CREATE VIEW (security_invoker)', url: 'https://www.postgresql.org/docs/current/sql-createview.html' },
      { title: 'PostgreSQL: Row Security Policies', url: RLS_DOCS },
    ],
  },
  check({ model, pgVersion }, report) {
    if (pgVersion < 15) return;
    for (const v of model.views.values()) {
      if (v.securityInvoker) continue;
      const rls = v.tables.filter((t) => model.tables.get(t)?.rlsEnabled);
      if (rls.length === 0) continue;
      const o = v.origin;
      const nameRange = tokenRange(o.analysis, o.stmt, o.node.view?.location);
      const hasOptions = (o.node.options ?? []).length > 0;
      report({
        file: o.analysis.file,
        range: nameRange,
        message: `View ${v.name} reads ${rls.join(', ')} with its owner's rights, bypassing the caller's row-level security. Create it WITH (security_invoker = true).`,
        fixes: hasOptions
          ? []
          : [
              {
                title: 'Add WITH (security_invoker = true) (callers then need privileges on the tables and see only their rows)',
                safety: 'manual',
                edits: [{ file: o.analysis.file, range: { start: nameRange.end, end: nameRange.end }, newText: ' WITH (security_invoker = true)' }],
              },
            ],
      });
    }
  },
};
