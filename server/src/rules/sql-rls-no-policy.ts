import type { SqlRule } from './rule';
import { RLS_DOCS, wordRange } from './sql-helpers';
import { MODEL_READS } from '../engine/sql/model';

export const sqlRlsNoPolicy: SqlRule = {
  id: 'sql-rls-no-policy',
  kind: 'sql',
  reads: MODEL_READS,
  wholeHistory: true,
  severity: 'information',
  fix: 'none',
  docs: {
    summary: 'Row-level security enabled and no policy: every role but the owner sees nothing.',
    why:
      'With row-level security on and no policy, PostgreSQL denies every row by default. That is safe, but usually ' +
      'a sign that the policy lives in a migration that was never written or was dropped.',
    bad: 'CREATE TABLE notes (id int, tenant_id int);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n',
    good: 'CREATE TABLE notes (id int, tenant_id int);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY tenant ON notes USING (tenant_id = 1);\n',
    references: [{ title: 'PostgreSQL: Row Security Policies (default deny)', url: RLS_DOCS }],
  },
  check({ model }, report) {
    for (const t of model.tables.values()) {
      const e = t.rlsEnabled;
      if (!e || t.policies.length) continue;
      report({
        file: e.analysis.file,
        range: wordRange(e.analysis, e.stmt, 'ENABLE'),
        message: `${t.name} has row-level security but no policy in the whole history, so every role but its owner sees no rows. Add the policy, or confirm the table is meant to be closed.`,
      });
    }
  },
};
