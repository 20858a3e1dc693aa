// ALTER SYSTEM SET writes postgresql.auto.conf: the same settings the conf rules judge. This turns
// a migration's ALTER SYSTEM statements into the lines they write, one line per statement.
import type { ParsedStatement, SqlAnalysis } from './index';
import { scanSql } from './parser';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

export interface AlterSystemLine {
  stmt: ParsedStatement;
  name: string;
  /** Byte span of the value (all of a list) in the statement. */
  valueLocation: number;
  valueEnd: number;
}

/**
 * Parameters whose list items ALTER SYSTEM quotes one by one (GUC_LIST_QUOTE in guc_tables.c): a
 * single 'a, b' literal would become the one name "a, b". Their values are written as 'a', 'b'.
 */
const LIST_QUOTE = new Set(['search_path', 'temp_tablespaces', 'session_preload_libraries', 'shared_preload_libraries', 'local_preload_libraries', 'unix_socket_directories']);

/** A parameter name as postgresql.conf spells one (ID or QUALIFIED_ID in guc-file.l). */
const CONF_NAME = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*(\.[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?$/;
const INCLUDES = new Set(['include', 'include_if_exists', 'include_dir']);

/** The SQL that makes ALTER SYSTEM SET `name` write `value` into postgresql.auto.conf. */
export function alterSystemValue(name: string, value: string): string {
  const literal = (v: string) => `'${v.replace(/'/g, "''")}'`;
  if (LIST_QUOTE.has(name.toLowerCase())) {
    const items = value.split(',').map((v) => v.trim().replace(/^"(.*)"$/, '$1')).filter(Boolean);
    if (items.length) return items.map(literal).join(', ');
  }
  return literal(value);
}

/** A statement setting a name that is no parameter's: PostgreSQL refuses it. */
export interface RefusedName {
  stmt: ParsedStatement;
  name: string;
  /** Byte span from the statement's first word to the end of the name. */
  start: number;
  end: number;
}

/**
 * The postgresql.auto.conf lines the file's ALTER SYSTEM statements write, and where each came from;
 * and the statements that set a name no parameter has, which write nothing.
 */
export function alterSystemConf(a: SqlAnalysis): { text: string; lines: AlterSystemLine[]; refused: RefusedName[] } {
  const out: string[] = [];
  const lines: AlterSystemLine[] = [];
  const refused: RefusedName[] = [];
  for (const stmt of a.statements) {
    if (!stmt.types.includes('AlterSystemStmt')) continue;
    for (const raw of stmt.ast?.stmts ?? []) {
      const set = (raw.stmt as Node)?.AlterSystemStmt?.setstmt;
      if (!set || set.kind !== 'VAR_SET_VALUE' || !set.args?.length) continue;
      const values = set.args.map(constText);
      // PostgreSQL refuses a newline in an ALTER SYSTEM value (it would break the file); such a
      // statement writes nothing, and as one line each here it would shift every later line.
      if (values.some((v: string | undefined) => v === undefined || v.includes('\n'))) continue;
      const code = scanSql(stmt.text).filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT' && t.text !== ';');
      // Nor does it write a name that is no parameter's ("a b", one with a newline, include): as a
      // line here it would be another line, or a directive. ALTER SYSTEM SET name: the fourth word.
      if (!CONF_NAME.test(set.name) || INCLUDES.has(set.name.toLowerCase())) {
        refused.push({ stmt, name: set.name, start: code[0]?.start ?? 0, end: code[3]?.end ?? stmt.text.length });
        continue;
      }
      // Several values make a list, as PostgreSQL writes it: 'a, b'.
      out.push(`${set.name} = '${values.join(', ').replace(/'/g, "''")}'`);
      // The values run to the end of the statement: ALTER SYSTEM SET name = v[, v…];
      const valueEnd = code.length ? code[code.length - 1].end : stmt.text.length;
      lines.push({ stmt, name: set.name, valueLocation: set.args[0].A_Const?.location ?? 0, valueEnd });
    }
  }
  return { text: out.join('\n') + (out.length ? '\n' : ''), lines, refused };
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
