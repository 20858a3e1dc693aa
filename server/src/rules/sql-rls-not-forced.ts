import type { SqlRule } from './rule';
import { RLS_DOCS, insertAfter, quoteIdent, wordRange } from './sql-helpers';
import { MODEL_READS } from '../engine/sql/model';

export const sqlRlsNotForced: SqlRule = {
  id: 'sql-rls-not-forced',
  kind: 'sql',
  reads: MODEL_READS,
  wholeHistory: true,
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'Row-level security enabled but never forced: the table owner bypasses every policy.',
    why:
      'ENABLE ROW LEVEL SECURITY applies policies to everyone but the table owner (and superusers). Applications ' +
      'often connect as the role that owns their tables, so without FORCE the tenant policies never apply to them.',
    bad: 'CREATE TABLE notes (id int, tenant_id int);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY tenant ON notes USING (tenant_id = current_setting(\'app.tenant_id\', true)::int);\n',
    good: 'CREATE TABLE notes (id int, tenant_id int);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\nCREATE POLICY tenant ON notes USING (tenant_id = current_setting(\'app.tenant_id\', true)::int);\n',
    fixNotes: 'With FORCE the owner obeys the policies too: jobs that run as the owner and need every row must set the tenant or use a role with BYPASSRLS.',
    references: [{ title: 'PostgreSQL: Row Security Policies', url: RLS_DOCS }],
  },
  check({ model }, report) {
    for (const t of model.tables.values()) {
      const e = t.rlsEnabled;
      if (!e || t.rlsForced) continue;
      const table = t.name.startsWith('public.') ? quoteIdent(t.name.slice(7)) : t.name;
      report({
        file: e.analysis.file,
        range: wordRange(e.analysis, e.stmt, 'ENABLE'),
        message: `Row-level security on ${t.name} is enabled but never forced, so its owner (often the application's own role) bypasses every policy. Add FORCE ROW LEVEL SECURITY.`,
        fixes: [
          {
            title: `Insert ALTER TABLE ${table} FORCE ROW LEVEL SECURITY (the owner then obeys the policies too)`,
            safety: 'manual',
            edits: [insertAfter(e.analysis, e.stmt, `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`)],
          },
        ],
      });
    }
  },
};
