import type { SqlRule } from './rule';
import { POLICY_DOCS, RLS_DOCS, byteRange, codeTokens, parenClause, replaceBytes, policiesIn, sourceText, tenantCondition, wordRange } from './sql-helpers';
import { MODEL_READS } from '../engine/sql/model';

export const sqlPolicyMissingWithCheck: SqlRule = {
  id: 'sql-policy-missing-with-check',
  kind: 'sql',
  reads: [...MODEL_READS, 'AlterPolicyStmt'],
  severity: 'warning',
  fix: 'safe',
  docs: {
    summary: 'A FOR ALL or FOR UPDATE policy with USING and no WITH CHECK (warning), or a FOR INSERT policy without WITH CHECK (error).',
    why:
      'Without WITH CHECK, PostgreSQL checks new and updated rows against the USING expression. That is easy to miss ' +
      'in review, and it couples the two: an ALTER POLICY that later loosens USING (to let support staff read more, ' +
      'say) silently lets the same roles write more too. A FOR INSERT policy has no USING to fall back on, so without ' +
      'WITH CHECK it admits no row at all: the inserts it was written for fail.',
    bad:
      "CREATE TABLE notes (id bigint, owner text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\nCREATE POLICY own_notes ON notes FOR ALL USING (owner = current_user);\n",
    good:
      "CREATE TABLE notes (id bigint, owner text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\nCREATE POLICY own_notes ON notes FOR ALL USING (owner = current_user) WITH CHECK (owner = current_user);\n",
    fixNotes:
      'For ALL and UPDATE policies the fix copies the USING expression into WITH CHECK, which is exactly what ' +
      'PostgreSQL already checks, so nothing changes (safe). For INSERT policies the condition new rows must meet has to ' +
      'be written: the fix inserts WITH CHECK with a placeholder (a tenant check when the table has a tenant column, ' +
      'otherwise false, which admits nothing, as now). The history is replayed: ALTER POLICY replaces only the clauses ' +
      'it names, and the finding is on the statement whose USING is in force.',
    references: [
      { title: 'PostgreSQL: CREATE POLICY (USING and WITH CHECK)', url: POLICY_DOCS },
      { title: 'PostgreSQL: ALTER POLICY', url: 'https://www.postgresql.org/docs/current/sql-alterpolicy.html' },
      { title: 'PostgreSQL: Row Security Policies', url: RLS_DOCS },
    ],
  },
  check(ctx, report) {
    for (const p of policiesIn(ctx)) {
      if (p.check) continue;
      if ((p.command === 'all' || p.command === 'update') && p.using?.analysis === ctx.analysis) {
        const n = p.using;
        const clause = parenClause(n.stmt, ['USING']);
        if (!clause) continue;
        const expression = sourceText(n.analysis, n.stmt, clause.open.end, clause.close.start);
        report({
          file: ctx.analysis.file,
          range: byteRange(n.analysis, n.stmt, clause.keyword.start, clause.keyword.end),
          message:
            `Policy ${p.name} has no WITH CHECK, so PostgreSQL checks written rows against this USING expression: easy to miss, and an ALTER POLICY that changes USING changes what may be written too. ` +
            'Spell out WITH CHECK.',
          fixes: [
            {
              title: 'Add WITH CHECK with the same expression (what PostgreSQL already checks: nothing changes)',
              safety: 'safe',
              edits: [replaceBytes(n.analysis, n.stmt, clause.close.end, clause.close.end, ` WITH CHECK (${expression})`)],
            },
          ],
        });
      } else if (p.command === 'insert' && p.created.analysis === ctx.analysis) {
        const n = p.created;
        const code = codeTokens(n.stmt);
        const last = code[code.length - 1];
        const forIndex = code.findIndex((t, i) => t.text.toUpperCase() === 'FOR' && code[i + 1]?.text.toUpperCase() === 'INSERT');
        const range = forIndex >= 0 ? byteRange(n.analysis, n.stmt, code[forIndex + 1].start, code[forIndex + 1].end) : wordRange(n.analysis, n.stmt, p.name);
        const tenant = tenantCondition(ctx, p.table);
        report({
          file: ctx.analysis.file,
          range,
          severity: 'error',
          message:
            `INSERT policy ${p.name} has no WITH CHECK, so it admits no new row: the inserts it was written for fail with a row-level security error. ` +
            'Add WITH CHECK (the condition new rows must meet).',
          fixes: [
            {
              title: tenant
                ? `Add WITH CHECK with a tenant check on ${tenant.column} (the roles can then insert rows of their tenant; check the setting and type)`
                : 'Add WITH CHECK with a placeholder condition to replace (false admits nothing, as now)',
              safety: 'manual',
              edits: [replaceBytes(n.analysis, n.stmt, last.end, last.end, ` WITH CHECK (${tenant?.expr ?? 'false /* the condition new rows must meet */'})`)],
              placeholder: true,
            },
          ],
        });
      }
    }
  },
};
