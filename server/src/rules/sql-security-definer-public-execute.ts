import type { SqlRule } from './rule';
import { insertAfter, wordRange } from './sql-helpers';
import { FUNCTION_READS } from '../engine/sql/model';

export const sqlSecurityDefinerPublicExecute: SqlRule = {
  id: 'sql-security-definer-public-execute',
  kind: 'sql',
  reads: FUNCTION_READS,
  wholeHistory: true,
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'A SECURITY DEFINER function whose EXECUTE privilege is never revoked from PUBLIC.',
    why:
      'New functions are executable by PUBLIC. A SECURITY DEFINER function runs with its owner\'s privileges, so ' +
      'every role that can log in can use whatever the owner can do through it.',
    bad: 'CREATE FUNCTION purge() RETURNS void SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE sql AS $$ SELECT 1 $$;\n',
    good: 'CREATE FUNCTION purge() RETURNS void SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE sql AS $$ SELECT 1 $$;\nREVOKE EXECUTE ON FUNCTION purge() FROM PUBLIC;\n',
    fixNotes: 'Roles that called the function through PUBLIC lose access: GRANT EXECUTE to the roles that need it.',
    references: [
      { title: 'PostgreSQL: Writing SECURITY DEFINER Functions Safely', url: 'https://www.postgresql.org/docs/current/sql-createfunction.html#SQL-CREATEFUNCTION-SECURITY' },
    ],
  },
  check({ model }, report) {
    for (const f of model.functions.values()) {
      if (!f.securityDefiner || f.publicExecuteRevoked) continue;
      const o = f.origin;
      const short = f.signature.startsWith('public.') ? f.signature.slice(7) : f.signature;
      report({
        file: o.analysis.file,
        range: wordRange(o.analysis, o.stmt, f.name.split('.').pop()!),
        message: `${f.name} runs with its owner's privileges and every role may execute it (EXECUTE is never revoked from PUBLIC). Revoke it and grant it to the roles that need it.`,
        fixes: [
          {
            title: `Insert REVOKE EXECUTE ON FUNCTION ${short} FROM PUBLIC (callers must then be granted EXECUTE)`,
            safety: 'manual',
            edits: [insertAfter(o.analysis, o.stmt, `REVOKE EXECUTE ON FUNCTION ${short} FROM PUBLIC;`)],
          },
        ],
      });
    }
  },
};
