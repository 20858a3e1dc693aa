// ALTER SYSTEM SET writes postgresql.auto.conf: the same settings the conf rules judge. This turns
// a migration's ALTER SYSTEM statements into the lines they write, one line per statement.
import type { ParsedStatement, SqlAnalysis } from './index';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

export interface AlterSystemLine {
  stmt: ParsedStatement;
  /** Byte location of the value in the statement. */
  valueLocation: number;
}

/** The postgresql.auto.conf lines the file's ALTER SYSTEM statements write, and where each came from. */
export function alterSystemConf(a: SqlAnalysis): { text: string; lines: AlterSystemLine[] } {
  const out: string[] = [];
  const lines: AlterSystemLine[] = [];
  for (const stmt of a.statements) {
    for (const raw of stmt.ast?.stmts ?? []) {
      const set = (raw.stmt as Node)?.AlterSystemStmt?.setstmt;
      if (!set || set.kind !== 'VAR_SET_VALUE' || !set.args?.length) continue;
      const values = set.args.map(constText);
      if (values.some((v: string | undefined) => v === undefined)) continue;
      // Several values make a list, as PostgreSQL writes it: 'a, b'.
      out.push(`${set.name} = '${values.join(', ').replace(/'/g, "''")}'`);
      lines.push({ stmt, valueLocation: set.args[0].A_Const?.location ?? 0 });
    }
  }
  return { text: out.join('\n') + (out.length ? '\n' : ''), lines };
}

function constText(n: Node): string | undefined {
  const c = n?.A_Const;
  if (!c) return undefined;
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval;
  if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
  return undefined;
}
