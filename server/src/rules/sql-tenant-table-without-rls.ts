import type { SqlRule } from './rule';
import { RLS_DOCS, insertAfter, quoteIdent, relatedAt, tenantCondition, tokenRange } from './sql-helpers';
import { MODEL_READS } from '../engine/sql/model';

export const sqlTenantTableWithoutRls: SqlRule = {
  id: 'sql-tenant-table-without-rls',
  kind: 'sql',
  reads: MODEL_READS,
  wholeHistory: true,
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'A table with a tenant column (by default tenant_id, org_id, organization_id, account_id, workspace_id; `tenantColumns` in .pg-hardening.json) whose row-level security is never enabled.',
    why:
      'In a shared multi-tenant schema, the tenant column is the only thing separating customers. Without ' +
      'row-level security one missing WHERE clause, or one injected query, reads every tenant\'s rows.',
    bad: 'CREATE TABLE invoices (id int, tenant_id int, total numeric);\n',
    good: "CREATE TABLE invoices (id int, tenant_id int, total numeric);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nALTER TABLE invoices FORCE ROW LEVEL SECURITY;\nCREATE POLICY tenant ON invoices USING (tenant_id = current_setting('app.tenant_id', true)::int) WITH CHECK (tenant_id = current_setting('app.tenant_id', true)::int);\n",
    fixNotes:
      'Row-level security hides every row the policy does not admit: the application must set app.tenant_id (SET LOCAL or set_config(…, true)) in each transaction.',
    references: [{ title: 'PostgreSQL: Row Security Policies', url: RLS_DOCS }],
  },
  check(ctx, report) {
    for (const t of ctx.model.tables.values()) {
      if (t.rlsEnabled) continue;
      const tenant = tenantCondition(ctx, t.name);
      if (!tenant) continue;
      const { column, expr } = tenant;
      const o = t.created;
      if (t.rlsDisabled) {
        report({
          file: o.analysis.file,
          range: tokenRange(o.analysis, o.stmt, o.node.relation?.location),
          message: `${t.name} has a tenant column (${column}) but a later statement disables its row-level security: any query without the right WHERE clause reads every tenant's rows.`,
          related: [relatedAt(t.rlsDisabled, 'row-level security is disabled here')],
        });
        continue;
      }
      const table = t.name.startsWith('public.') ? quoteIdent(t.name.slice(7)) : t.name;
      report({
        file: o.analysis.file,
        range: tokenRange(o.analysis, o.stmt, o.node.relation?.location),
        message: `${t.name} has a tenant column (${column}) but row-level security is never enabled: any query without the right WHERE clause reads every tenant's rows. Enable and force RLS with a tenant policy.`,
        fixes: [
          {
            title: `Insert ENABLE, FORCE and a tenant policy on ${column} (rows of other tenants disappear; the application must set app.tenant_id)`,
            safety: 'manual',
            edits: [
              insertAfter(
                o.analysis,
                o.stmt,
                `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;\nALTER TABLE ${table} FORCE ROW LEVEL SECURITY;\nCREATE POLICY tenant_isolation ON ${table}\n  USING (${expr})\n  WITH CHECK (${expr});`,
              ),
            ],
          },
        ],
      });
    }
  },
};
