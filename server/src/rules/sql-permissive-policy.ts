import type { SqlRule } from './rule';
import { POLICY_DOCS, RLS_DOCS, tenantCondition, byteRange, codeTokens, parenClause, replaceBytes, policiesIn, roleName, type HistoryNode, type Node } from './sql-helpers';
import { parseBool } from '../engine/conf/values';
import type { Fix } from '../engine/types';
import { MODEL_READS } from '../engine/sql/model';

type Value = boolean | number | string | null;

const NUMERIC = new Set(['int2', 'int4', 'int8', 'smallint', 'integer', 'bigint', 'numeric', 'decimal', 'float4', 'float8', 'real']);
const TEXT = new Set(['text', 'varchar', 'bpchar', 'name']);

function compare(op: string, l: Value, r: Value): Value | undefined {
  if (l === null || r === null) return null;
  // An untyped literal takes the other side's type: '1' = 1 compares numbers.
  if (typeof l === 'number' && typeof r === 'string' && r.trim() !== '' && !Number.isNaN(Number(r))) r = Number(r);
  if (typeof r === 'number' && typeof l === 'string' && l.trim() !== '' && !Number.isNaN(Number(l))) l = Number(l);
  if (typeof l !== typeof r) return undefined;
  switch (op) {
    case '=':
      return l === r;
    case '<>':
    case '!=':
      return l !== r;
  }
  if (typeof l !== 'number' || typeof r !== 'number') return undefined; // text order depends on the collation
  switch (op) {
    case '<':
      return l < r;
    case '>':
      return l > r;
    case '<=':
      return l <= r;
    case '>=':
      return l >= r;
  }
  return undefined;
}

/** The value of an expression made of constants only (undefined when it depends on anything else). */
export function constantValue(e: Node): Value | undefined {
  if (!e || typeof e !== 'object') return undefined;
  if (e.A_Const) {
    const c = e.A_Const;
    if (c.isnull) return null;
    if (c.boolval !== undefined) return !!c.boolval.boolval;
    if (c.ival !== undefined) return c.ival.ival ?? 0;
    if (c.fval !== undefined) return Number(c.fval.fval);
    if (c.sval !== undefined) return c.sval.sval ?? '';
    return undefined;
  }
  if (e.TypeCast) {
    const v = constantValue(e.TypeCast.arg);
    const type = e.TypeCast.typeName?.names?.at(-1)?.String?.sval;
    if (v === undefined || v === null) return v;
    if (type === 'bool' || type === 'boolean') {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return Number.isInteger(v) ? v !== 0 : undefined;
      return parseBool(v.trim());
    }
    if (NUMERIC.has(type)) return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined;
    if (TEXT.has(type)) return typeof v === 'string' ? v : undefined;
    return undefined;
  }
  if (e.BoolExpr) {
    const values = (e.BoolExpr.args ?? []).map(constantValue);
    switch (e.BoolExpr.boolop) {
      case 'NOT_EXPR':
        return typeof values[0] === 'boolean' ? !values[0] : values[0] === null ? null : undefined;
      case 'AND_EXPR':
        if (values.includes(false)) return false;
        if (values.every((v: Value | undefined) => v === true)) return true;
        return values.every((v: Value | undefined) => v === true || v === null) ? null : undefined;
      case 'OR_EXPR':
        if (values.includes(true)) return true;
        if (values.every((v: Value | undefined) => v === false)) return false;
        return values.every((v: Value | undefined) => v === false || v === null) ? null : undefined;
    }
    return undefined;
  }
  if (e.A_Expr) {
    const a = e.A_Expr;
    const op = a.name?.at(-1)?.String?.sval;
    const l = constantValue(a.lexpr);
    if (l === undefined) return undefined;
    if (a.kind === 'AEXPR_OP') {
      const r = constantValue(a.rexpr);
      return r === undefined ? undefined : compare(op, l, r);
    }
    if (a.kind === 'AEXPR_IN') {
      const results = (a.rexpr?.List?.items ?? []).map((x: Node) => {
        const r = constantValue(x);
        return r === undefined ? undefined : compare('=', l, r);
      });
      const found = results.includes(true);
      return op === '=' ? (found ? true : undefined) : found ? false : undefined;
    }
    return undefined;
  }
  if (e.NullTest) {
    const v = constantValue(e.NullTest.arg);
    if (v === undefined) return undefined;
    return e.NullTest.nulltesttype === 'IS_NULL' ? v === null : v !== null;
  }
  if (e.BooleanTest) {
    const v = constantValue(e.BooleanTest.arg);
    if (v !== null && typeof v !== 'boolean') return undefined;
    switch (e.BooleanTest.booltesttype) {
      case 'IS_TRUE':
        return v === true;
      case 'IS_NOT_TRUE':
        return v !== true;
      case 'IS_FALSE':
        return v === false;
      case 'IS_NOT_FALSE':
        return v !== false;
      case 'IS_UNKNOWN':
        return v === null;
      case 'IS_NOT_UNKNOWN':
        return v !== null;
    }
    return undefined;
  }
  if (e.SubLink) {
    const s = e.SubLink.subselect?.SelectStmt;
    // A SELECT without FROM, WHERE, HAVING or LIMIT returns exactly one row.
    const oneRow = s && s.op === 'SETOP_NONE' && !s.fromClause && !s.whereClause && !s.havingClause && !s.limitCount && !s.valuesLists && !s.groupClause;
    if (!oneRow) return undefined;
    if (e.SubLink.subLinkType === 'EXISTS_SUBLINK') return true;
    if (e.SubLink.subLinkType === 'EXPR_SUBLINK' && s.targetList?.length === 1) return constantValue(s.targetList[0].ResTarget?.val);
  }
  return undefined;
}

/** The roles a policy statement names, in words. */
export function policyRoles(n: HistoryNode): string {
  const roles: string[] = (n.node.roles ?? []).map(roleName);
  return roles.length === 0 || roles.includes('PUBLIC') ? 'every role' : roles.join(', ');
}

const CLAUSES = [
  { field: 'qual', words: ['USING'] },
  { field: 'with_check', words: ['WITH', 'CHECK'] },
] as const;

/**
 * Expressions judged before: the rule runs at every keystroke in a policy, and the trees of the
 * statements a keystroke did not touch are kept, so each expression is judged once.
 */
const judged = new WeakMap<object, boolean>();

function alwaysTrue(e: Node): boolean {
  if (!e || typeof e !== 'object') return false;
  let verdict = judged.get(e);
  if (verdict === undefined) judged.set(e, (verdict = constantValue(e) === true));
  return verdict;
}

export const sqlPermissivePolicy: SqlRule = {
  id: 'sql-permissive-policy',
  kind: 'sql',
  reads: [...MODEL_READS, 'AlterPolicyStmt'],
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'CREATE/ALTER POLICY whose USING or WITH CHECK is always true: true, 1 = 1, \'a\' = \'a\', true OR …, EXISTS (SELECT 1)….',
    why:
      'A permissive policy whose expression is always true admits every row, so for the roles it applies to ' +
      'row-level security does nothing: USING (true) shows them every tenant\'s rows, WITH CHECK (true) lets them write ' +
      'rows for any tenant. Because permissive policies are OR-ed, one such policy also cancels every stricter policy ' +
      'on the table for the same roles and command.',
    bad: "CREATE TABLE documents (id bigint, owner text);\nALTER TABLE documents ENABLE ROW LEVEL SECURITY;\nALTER TABLE documents FORCE ROW LEVEL SECURITY;\nCREATE POLICY read_all ON documents FOR SELECT USING (1 = 1);\n",
    good: "CREATE TABLE documents (id bigint, owner text);\nALTER TABLE documents ENABLE ROW LEVEL SECURITY;\nALTER TABLE documents FORCE ROW LEVEL SECURITY;\nCREATE POLICY read_own ON documents FOR SELECT USING (owner = current_user);\n",
    fixNotes:
      'Writing the real condition hides (or refuses) every row it does not admit for these roles. When the table has a ' +
      'tenant column the fix offers a tenant check on it as a placeholder (check the setting name and type); otherwise ' +
      'write the condition. A later ALTER POLICY that replaces the expression, or DROP POLICY, silences the finding. ' +
      'Only expressions made of constants are judged; conditions on columns or functions never are, and neither are ' +
      'AS RESTRICTIVE policies (AND-ed with the others, an always-true one restricts nothing but opens nothing).',
    references: [
      { title: 'PostgreSQL: CREATE POLICY', url: POLICY_DOCS },
      { title: 'PostgreSQL: Row Security Policies', url: RLS_DOCS },
    ],
  },
  check(ctx, report) {
    for (const p of policiesIn(ctx)) {
      if (p.using?.analysis !== ctx.analysis && p.check?.analysis !== ctx.analysis) continue;
      // AS RESTRICTIVE policies are AND-ed: an always-true one restricts nothing, but opens nothing either.
      if (!p.created.node.permissive) continue;
      for (const { field, words } of CLAUSES) {
        const n = field === 'qual' ? p.using : p.check;
        if (!n || n.analysis !== ctx.analysis || !alwaysTrue(n.node[field])) continue;
        const clause = parenClause(n.stmt, [...words]);
        if (!clause) continue;
        const inside = codeTokens(n.stmt).filter((t) => t.start >= clause.open.end && t.end <= clause.close.start);
        if (!inside.length) continue;
        const [start, end] = [inside[0].start, inside[inside.length - 1].end];
        const check = field === 'with_check';
        const tenant = tenantCondition(ctx, p.table);
        const fixes: Fix[] = [
          tenant
            ? {
                title: `Replace it with a tenant check on ${tenant.column} (rows of other tenants become ${check ? 'impossible to write' : 'invisible'} for these roles; check the setting and type)`,
                safety: 'manual',
                edits: [replaceBytes(n.analysis, n.stmt, start, end, tenant.expr)],
                placeholder: true,
              }
            : { title: `Write the condition rows must meet (rows it does not admit become ${check ? 'impossible to write' : 'invisible'} for these roles)`, safety: 'manual', edits: [] },
        ];
        report({
          file: ctx.analysis.file,
          range: byteRange(n.analysis, n.stmt, start, end),
          message:
            `This ${check ? 'WITH CHECK' : 'USING'} expression is always true, so policy ${p.name} ${check ? 'lets' : 'shows'} ${policyRoles(p.created)} ${check ? 'write rows for any tenant' : 'every row of ' + p.table}, and overrides stricter permissive policies. ` +
            'Write the condition rows must meet.',
          fixes,
        });
      }
    }
  },
};
