import type { SqlRule } from './rule';
import { RLS_DOCS, insertAfter, quoteIdent, relatedAt, wordRange } from './sql-helpers';
import { MODEL_READS } from '../engine/sql/model';

export const sqlPolicyWithoutRls: SqlRule = {
  id: 'sql-policy-without-rls',
  kind: 'sql',
  reads: MODEL_READS,
  wholeHistory: true,
  severity: 'error',
  fix: 'manual',
  docs: {
    summary: 'A policy on a table whose row-level security the history never enables: the policy does nothing.',
    why:
      'Policies only apply once ALTER TABLE … ENABLE ROW LEVEL SECURITY has run. Until then every role with a ' +
      'privilege on the table sees and changes every row, whatever the policies say.',
    bad: 'CREATE TABLE notes (id int, tenant_id int);\nCREATE POLICY tenant ON notes USING (tenant_id = 1);\n',
    good: 'CREATE TABLE notes (id int, tenant_id int);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\nCREATE POLICY tenant ON notes USING (tenant_id = 1);\n',
    fixNotes: 'Enabling row-level security hides every row no policy admits, from every role but superusers and BYPASSRLS roles.',
    references: [{ title: 'PostgreSQL: Row Security Policies', url: RLS_DOCS }],
  },
  check({ model }, report) {
    for (const t of model.tables.values()) {
      if (t.rlsEnabled) continue;
      const table = t.name.startsWith('public.') ? quoteIdent(t.name.slice(7)) : t.name;
      for (const p of t.policies) {
        const o = p.origin;
        const range = wordRange(o.analysis, o.stmt, p.name);
        if (t.rlsDisabled) {
          // Inserting ENABLE here would change nothing: the DISABLE runs later. Its own finding (sql-rls-disabled) has the fix.
          report({
            file: o.analysis.file,
            range,
            message: `Policy ${p.name} does nothing: a later statement disables row-level security on ${t.name}, so every row stays visible.`,
            related: [relatedAt(t.rlsDisabled, 'row-level security is disabled here')],
          });
          continue;
        }
        report({
          file: o.analysis.file,
          range,
          message: `Policy ${p.name} does nothing: row-level security on ${t.name} is never enabled, so every row stays visible. Enable (and force) it.`,
          fixes: [
            {
              title: `Insert ENABLE and FORCE ROW LEVEL SECURITY for ${table} (rows no policy admits disappear for everyone but superusers)`,
              safety: 'manual',
              edits: [insertAfter(o.analysis, o.stmt, `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;\nALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`)],
            },
          ],
        });
      }
    }
  },
};
